#include "domain/person/identity.h"

namespace epinet::domain {

char id_check_char(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChars[sum % 11];
}

IdNumberCheck check_id_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  IdNumberCheck r;
  if (text.size() != 18) {
    r.problem = IdNumberProblem::kLength;
    return r;
  }
  std::string n(text);
  if (n[17] == 'x') n[17] = 'X';
  for (size_t i = 0; i < 17; ++i)
    if (n[i] < '0' || n[i] > '9') {
      r.problem = IdNumberProblem::kCharacters;
      return r;
    }
  if (!((n[17] >= '0' && n[17] <= '9') || n[17] == 'X')) {
    r.problem = IdNumberProblem::kCharacters;
    return r;
  }
  int y = std::stoi(n.substr(6, 4)), m = std::stoi(n.substr(10, 2)), d = std::stoi(n.substr(12, 2));
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1850 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) {
    r.problem = IdNumberProblem::kBirthDate;
    return r;
  }
  if (id_check_char(n) != n[17]) {
    r.problem = IdNumberProblem::kCheckDigit;
    return r;
  }
  r.normalized = std::move(n);
  return r;
}

std::string_view id_problem_message(IdNumberProblem p) {
  switch (p) {
    case IdNumberProblem::kNone: return "valid";
    case IdNumberProblem::kLength: return "an identity number has 18 characters";
    case IdNumberProblem::kCharacters: return "an identity number is 17 digits followed by a digit or X";
    case IdNumberProblem::kBirthDate: return "the birth date inside the identity number is not a real date";
    case IdNumberProblem::kCheckDigit: return "the identity number's check digit does not match: a character was mistyped";
  }
  return "invalid identity number";
}

std::string mask_id_number(std::string_view normalized) {
  if (normalized.size() != 18) return "******************";
  return std::string(normalized.substr(0, 6)) + "********" + std::string(normalized.substr(14, 4));
}

}  // namespace epinet::domain
