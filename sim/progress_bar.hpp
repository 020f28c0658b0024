#pragma once
// A progress bar on stderr: batches done, ETA, running loss and accuracy. On a terminal it
// redraws one line; elsewhere (logs, CI) it prints a line every 10%.
#include <chrono>
#include <string>

namespace gaitsim {

class ProgressBar {
 public:
  ProgressBar(std::string label, long long total, bool enabled);
  // done: batches finished in the epoch so far; the ETA counts only this session's pace.
  void update(long long done, double loss, double accuracy);
  void finish();

 private:
  std::string render(long long done, double loss, double accuracy) const;

  std::string label_;
  long long total_, first_ = -1;
  bool enabled_, tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);

}  // namespace gaitsim
