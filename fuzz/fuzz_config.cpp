// The config parser on any text: a Config or a ConfigError, and a parsed config's YAML parses
// back to the same config.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  gaitsim::Config c;
  try {
    c = gaitsim::parse_config(text, "<fuzz>", {});
  } catch (const gaitsim::ConfigError&) {
    return 0;
  }
  const std::string yaml = c.to_yaml();
  if (gaitsim::parse_config(yaml, "<again>", {}).to_yaml() != yaml) std::abort();
  return 0;
}
