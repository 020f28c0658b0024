#pragma once
// Exit codes of the gaitsim program (README, `gaitsim COMMAND --help`).
namespace gaitsim {

enum ExitCode : int { kOk = 0, kFailure = 1, kUsage = 2, kDiverged = 3 };

}  // namespace gaitsim
