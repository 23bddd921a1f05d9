// Resident identity numbers (GB 11643-1999): 6-digit division code, 8-digit
// birth date, 3-digit sequence, and a mod 11-2 check character (0-9 or X).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace epinet::domain {

// The check character for the first 17 digits ('0'-'9' or 'X').
char id_check_char(std::string_view first17);

enum class IdNumberProblem { kNone, kLength, kCharacters, kBirthDate, kCheckDigit };

struct IdNumberCheck {
  IdNumberProblem problem = IdNumberProblem::kNone;
  std::string normalized;  // upper-case X; set when problem == kNone
  explicit operator bool() const { return problem == IdNumberProblem::kNone; }
};

// Validates an identity number: 18 characters, 17 digits then a digit or X
// (a lower-case x is accepted as X), a real birth date, and the check
// character. Surrounding spaces are ignored.
IdNumberCheck check_id_number(std::string_view text);

// A message for people ("校验位错误" style, in English) naming the problem,
// never the number itself.
std::string_view id_problem_message(IdNumberProblem p);

// 140702********1234: division code and the last four characters.
std::string mask_id_number(std::string_view normalized);

}  // namespace epinet::domain
