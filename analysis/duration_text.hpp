#pragma once
// Durations as people read them in progress lines: m:ss, or h:mm:ss from an hour on.
#include <string>

namespace gaitsim {

// seconds rounded to the nearest whole second, e.g. 75.4 -> "1:15", 3725 -> "1:02:05".
std::string format_duration(double seconds);

}  // namespace gaitsim
