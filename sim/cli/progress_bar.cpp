#include "sim/cli/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace gaitsim {

ProgressBar::ProgressBar(std::string label, long long total, bool enabled, long long already_done)
    : label_(std::move(label)),
      total_(total),
      first_(already_done),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

std::string ProgressBar::render(long long done, const std::string& status) const {
  constexpr int kWidth = 24;
  const double fraction = total_ > 0 ? double(done) / double(total_) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '=');
  if (filled < kWidth) bar += '>' + std::string(kWidth - filled - 1, ' ');
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const long long this_session = done - first_;
  const double eta = this_session > 0 ? elapsed / double(this_session) * double(total_ - done) : 0;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s [%s] %lld/%lld ETA %s %s", label_.c_str(), bar.c_str(), done,
                total_, format_duration(eta).c_str(), status.c_str());
  return buf;
}

void ProgressBar::update(long long done, const std::string& status) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
    last_draw_ = now;
    std::cerr << '\r' << render(done, status) << "\x1b[K" << std::flush;
    return;
  }
  const int decile = total_ > 0 ? static_cast<int>(10 * done / total_) : 10;
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::cerr << render(done, status) << '\n';
}

void ProgressBar::finish() {
  if (enabled_ && tty_) std::cerr << '\r' << "\x1b[K" << std::flush;
}

}  // namespace gaitsim
