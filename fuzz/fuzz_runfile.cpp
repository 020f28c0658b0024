// A run file of any bytes: read_run_file's schema checks and those against a configured run
// (tower [4, 3, 2], Adam), and load_weights: a run, or a runtime_error naming the file.
#include <cstdint>
#include <stdexcept>

#include "fuzz_input.hpp"
#include "sim/config.hpp"
#include "sim/network_builder.hpp"
#include "analysis/run_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gaitsim;
  static const Config config = parse_config(
      "network:\n  kind: tower\n  widths: [4, 3, 2]\nlearning:\n  algorithm: bp\n", "<fuzz>", {});
  static const Network<double> configured = build_network(config, 4, 2);
  const auto file = fuzz::input_file(data, size, ".h5");
  const RunExpectation expected{&configured, "adam", 2, 2};
  try {
    read_run_file(file, &expected);
  } catch (const std::runtime_error&) {  // RunFileError, H5Error
  }
  try {
    Network<double> net = configured;
    load_weights(file, net);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
