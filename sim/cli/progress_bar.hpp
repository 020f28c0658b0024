#pragma once
// A progress bar on stderr: items done of a total, ETA, and a status text (e.g. the running loss
// and accuracy). On a terminal it redraws one line; elsewhere (logs, CI) it prints a line every
// 10%.
#include <chrono>
#include <string>

#include "analysis/duration_text.hpp"

namespace gaitsim {

class ProgressBar {
 public:
  // already_done: items finished before this session (a resumed epoch); the ETA counts only this
  // session's pace.
  ProgressBar(std::string label, long long total, bool enabled, long long already_done = 0);
  // done: items finished so far, counted from the start (not from already_done).
  void update(long long done, const std::string& status);
  void finish();

 private:
  std::string render(long long done, const std::string& status) const;

  std::string label_;
  long long total_, first_;
  bool enabled_, tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace gaitsim
