// Exit statuses of every fasterbench command.
#pragma once

#include <stdexcept>

namespace fb::harness {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // the run itself failed (or, for gate: regression)
inline constexpr int kExitUsage = 2;       // bad arguments or input: scenario, trace, results file
inline constexpr int kExitInconclusive = 3;  // gate: noise too high to decide

// Bad input: the message is printed as "fasterbench: <message>" and the command exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace fb::harness
