#include "domain/person/identity.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace epinet::domain {
namespace {

// ISO 7064 MOD 11-2 written from its definition (weights 2^(17-i) mod 11,
// check value (12 - sum mod 11) mod 11, 10 written X), independent of the
// weight and character tables in identity.cpp.
char reference_check_char(const std::string& first17) {
  int sum = 0, weight = 1;
  for (int i = 16; i >= 0; --i) {
    weight = (weight * 2) % 11;  // 2^(17-i) mod 11
    sum += (first17[static_cast<size_t>(i)] - '0') * weight;
  }
  int v = (12 - sum % 11) % 11;
  return v == 10 ? 'X' : static_cast<char>('0' + v);
}

std::string complete(const std::string& first17) { return first17 + reference_check_char(first17); }

TEST(IdentityReference, AgreesWithPublishedExamples) {
  // Guards the test's own checksum against a mistake.
  EXPECT_EQ(reference_check_char("11010519491231002"), 'X');
  EXPECT_EQ(reference_check_char("14070219900307123"), '8');
}

TEST(IdentityNumber, WellKnownValidNumbersPass) {
  for (const char* n : {"11010519491231002X", "140702199003071238"}) {
    auto r = check_id_number(n);
    EXPECT_TRUE(r) << n << " problem " << static_cast<int>(r.problem);
    EXPECT_EQ(r.problem, IdNumberProblem::kNone);
    EXPECT_EQ(r.normalized, n);
  }
}

TEST(IdentityNumber, CheckCharMatchesIndependentChecksumForManyNumbers) {
  // Every sequence number of one birth date, and several divisions and dates:
  // covers all eleven check characters, X included.
  std::set<char> seen;
  for (const std::string prefix : {"14070219900307", "14078120000229", "11010519491231", "65010119700101"}) {
    for (int seq = 0; seq < 1000; ++seq) {
      char s[4];
      std::snprintf(s, sizeof s, "%03d", seq);
      std::string first17 = prefix + s;
      char want = reference_check_char(first17);
      seen.insert(want);
      ASSERT_EQ(id_check_char(first17), want) << first17;
      auto r = check_id_number(first17 + want);
      ASSERT_TRUE(r) << first17 + want << " problem " << static_cast<int>(r.problem);
      ASSERT_EQ(r.normalized, first17 + want);
    }
  }
  EXPECT_EQ(seen.size(), 11u);
}

TEST(IdentityNumber, EveryWrongCheckCharIsACheckDigitProblem) {
  const std::string first17 = "14070219900307123";
  const char right = reference_check_char(first17);
  for (char c : std::string("0123456789X")) {
    if (c == right) continue;
    auto r = check_id_number(first17 + c);
    EXPECT_FALSE(r) << first17 + c;
    EXPECT_EQ(r.problem, IdNumberProblem::kCheckDigit) << first17 + c;
    EXPECT_TRUE(r.normalized.empty());
  }
}

TEST(IdentityNumber, ASingleMistypedDigitIsCaught) {
  // Positions outside the birth date (division code and sequence number):
  // any other digit there must fail the check digit.
  const std::string good = "140702199003071238";
  for (size_t pos : {0u, 1u, 2u, 3u, 4u, 5u, 14u, 15u, 16u}) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[pos]) continue;
      std::string typo = good;
      typo[pos] = d;
      EXPECT_EQ(check_id_number(typo).problem, IdNumberProblem::kCheckDigit) << typo;
    }
  }
}

TEST(IdentityNumber, SwappedAdjacentDigitsAreCaught) {
  const std::string good = "140702199003071238";
  for (size_t pos : {0u, 2u, 3u, 4u, 14u, 15u}) {
    if (good[pos] == good[pos + 1]) continue;
    std::string typo = good;
    std::swap(typo[pos], typo[pos + 1]);
    EXPECT_FALSE(check_id_number(typo)) << typo;
  }
}

TEST(IdentityNumber, LowerCaseXIsAcceptedAndNormalized) {
  auto r = check_id_number("11010519491231002x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.normalized, "11010519491231002X");
}

TEST(IdentityNumber, SurroundingSpacesAreIgnored) {
  for (const char* n : {" 140702199003071238", "140702199003071238  ", "   11010519491231002x "}) {
    auto r = check_id_number(n);
    ASSERT_TRUE(r) << "'" << n << "'";
    EXPECT_EQ(r.normalized.size(), 18u);
    EXPECT_EQ(r.normalized.find(' '), std::string::npos);
  }
  EXPECT_EQ(check_id_number(" 140702199003071238 ").normalized, "140702199003071238");
  EXPECT_EQ(check_id_number("1407021990 03071238").problem, IdNumberProblem::kLength)
      << "an inner space is not trimmed";
}

TEST(IdentityNumber, WrongLengthIsALengthProblem) {
  for (const char* n : {"", "    ", "14070219900307123", "1407021990030712388", "140702", "1407021990030712381234"}) {
    auto r = check_id_number(n);
    EXPECT_EQ(r.problem, IdNumberProblem::kLength) << "'" << n << "'";
    EXPECT_FALSE(r);
  }
  // A 15-digit first-generation number is not accepted as such.
  EXPECT_EQ(check_id_number("140702900307123").problem, IdNumberProblem::kLength);
}

TEST(IdentityNumber, NonDigitsAreACharactersProblem) {
  for (const char* n : {"14070219900307123A", "1407021990030712Y8", "X40702199003071238", "14070219900307123-",
                        "1407021990O3071238", "140702199003071X38", "14070219900307123*"}) {
    auto r = check_id_number(n);
    EXPECT_EQ(r.problem, IdNumberProblem::kCharacters) << n;
    EXPECT_FALSE(r);
  }
  // Full-width digits (a common IME slip) are not digits.
  EXPECT_FALSE(check_id_number("１４０７０２199003071238"));
}

TEST(IdentityNumber, BirthDateMustBeARealDate) {
  struct Case {
    const char* date;
    bool real;
  };
  const Case cases[] = {
      {"19900307", true},  {"20000229", true},  {"20240229", true},  {"19960229", true},
      {"19000229", false},  // 1900 is not a leap year
      {"19900229", false}, {"20230229", false}, {"19900230", false}, {"19900431", false},
      {"19900631", false}, {"19901131", false}, {"19901301", false}, {"19900001", false},
      {"19900100", false}, {"19900132", false}, {"19901231", true},  {"19900131", true},
      {"19900430", true},  {"00000101", false},
  };
  for (const auto& c : cases) {
    std::string n = complete(std::string("140702") + c.date + "123");
    auto r = check_id_number(n);
    if (c.real) {
      EXPECT_TRUE(r) << c.date << " problem " << static_cast<int>(r.problem);
    } else {
      EXPECT_EQ(r.problem, IdNumberProblem::kBirthDate) << c.date;
    }
  }
}

TEST(IdentityNumber, MaskKeepsDivisionAndLastFour) {
  EXPECT_EQ(mask_id_number("140702199003071238"), "140702********1238");
  EXPECT_EQ(mask_id_number("11010519491231002X"), "110105********002X");
  std::string m = mask_id_number("140702199003071238");
  EXPECT_EQ(m.size(), 18u);
  EXPECT_EQ(m.find("19900307"), std::string::npos) << "the birth date is hidden";
}

TEST(IdentityNumber, MaskOfSomethingElseRevealsNothing) {
  for (const char* n : {"", "1407", "1407021990030712381"}) {
    std::string m = mask_id_number(n);
    EXPECT_EQ(m.find_first_of("0123456789"), std::string::npos) << "'" << n << "' -> " << m;
  }
}

TEST(IdentityNumber, ProblemMessagesNameTheProblemNeverTheNumber) {
  const std::string number = "140702199003071239";  // wrong check digit
  auto r = check_id_number(number);
  ASSERT_EQ(r.problem, IdNumberProblem::kCheckDigit);
  std::set<std::string> seen;
  for (auto p : {IdNumberProblem::kLength, IdNumberProblem::kCharacters, IdNumberProblem::kBirthDate,
                 IdNumberProblem::kCheckDigit}) {
    std::string msg(id_problem_message(p));
    EXPECT_FALSE(msg.empty());
    for (const char* part : {"1407", "140702", "1990", "19900307", "0307", "1239"})
      EXPECT_EQ(msg.find(part), std::string::npos) << msg;
    seen.insert(msg);
  }
  EXPECT_EQ(seen.size(), 4u) << "each problem has its own message";
  EXPECT_NE(std::string(id_problem_message(IdNumberProblem::kCheckDigit)).find("check"), std::string::npos);
  EXPECT_NE(std::string(id_problem_message(IdNumberProblem::kBirthDate)).find("birth"), std::string::npos);
}

}  // namespace
}  // namespace epinet::domain
