#include "domain/checkpoint/decision.h"

#include <cstdio>

namespace epinet::domain {

namespace {
ScanReason token_reason(TokenProblem p) {
  std::string code(token_problem_code(p));
  switch (p) {
    case TokenProblem::kExpired: return {code, "健康码已过期，请刷新后重新出示", "The code has expired: refresh it and show it again"};
    case TokenProblem::kBadSignature: return {code, "健康码验证失败（可能伪造）", "The code failed verification (possibly forged)"};
    case TokenProblem::kUnknownKey: return {code, "健康码签发密钥未知", "The code was signed with an unknown key"};
    case TokenProblem::kUnknownVersion: return {code, "健康码格式版本不支持", "Unsupported code format version"};
    case TokenProblem::kNotYetValid: return {code, "健康码时间异常", "The code's time is in the future"};
    case TokenProblem::kMalformed: return {code, "健康码无法识别（不完整或已损坏）", "The code cannot be read (truncated or damaged)"};
    case TokenProblem::kNone: break;
  }
  return {code, "", ""};
}
}  // namespace

ScanDecision decide(const ScanFacts& f, const VenuePolicy& p) {
  ScanDecision d;
  std::vector<ScanReason> stops, notes;
  if (f.token_problem != TokenProblem::kNone) {
    stops.push_back(token_reason(f.token_problem));
  } else if (!f.person_known) {
    stops.push_back({"person_unknown", "未找到该人员登记信息，请到专用通道登记", "No registration found: use the special channel"});
  } else {
    if (f.color == CodeColor::kRed) {
      stops.push_back({"code_red", "红码，禁止通行", "Red code: may not enter"});
    } else if (f.color == CodeColor::kYellow) {
      (p.stop_on_yellow ? stops : notes).push_back({"code_yellow", "黄码，限制通行", "Yellow code: restricted"});
    }
    for (const auto& r : f.code_reasons)
      if (r.code != "no_risk") notes.push_back({"reason_" + r.code, r.zh, r.en});
    if (f.travel_flag)
      (p.stop_on_travel_flag ? stops : notes)
          .push_back({"travel_flag", "近7天到访中高风险地区，无有效核酸阴性证明", "Stayed in a risk area in the last 7 days without a valid negative test"});
  }
  if (f.temperature_c && *f.temperature_c >= p.fever_threshold_c) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.1f", *f.temperature_c);
    stops.push_back({"fever", std::string("体温") + buf + "℃，请到发热门诊就诊",
                     std::string("Temperature ") + buf + " °C: go to the fever clinic"});
    d.open_fever_handover = f.direction == "in";
  }
  if (!f.mask && f.direction == "in") stops.push_back({"no_mask", "请佩戴口罩", "Wear a mask"});
  if (f.direction == "out") {
    // Nobody is kept in: an exit passes, with what was noticed.
    d.open_fever_handover = false;
    stops.insert(stops.end(), notes.begin(), notes.end());
    notes = std::move(stops);
    stops.clear();
  }
  d.pass = stops.empty();
  d.reasons = std::move(stops);
  d.reasons.insert(d.reasons.end(), notes.begin(), notes.end());
  if (d.pass && d.reasons.empty()) d.reasons.push_back({"ok", "通行", "Pass"});
  return d;
}

}  // namespace epinet::domain
