// gaitsim: the command-line program. Subcommands come from commands.cpp; every error ends with
// a message on stderr and a non-zero exit code.
#include <hdf5.h>

#include <iostream>

#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace gaitsim;
  // HDF5 1.10 frees a file whose close failed (e.g. on a full disk) but keeps its identifier,
  // and its exit clean-up (H5_term_library) then closes the freed file again: SIGSEGV after a
  // correct error message. Every file is closed by its owner before exit, so the clean-up has
  // nothing to do; it must be declined before the library's first use.
  H5dont_atexit();
  CLI::App app{
      "gaitsim: rate-neuron populations learning by GAIT-prop, BP, TP and FA.\n"
      "Run `gaitsim COMMAND --help` for a command's options."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gaitsim 0.1.0");
  const auto commands = make_commands();
  std::vector<CLI::App*> subcommands;
  for (const auto& command : commands) subcommands.push_back(command->attach(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here too, with 0; every usage error exits 2 as documented.
    return app.exit(e) == 0 ? kOk : kUsage;
  }

  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (!subcommands[i]->parsed()) continue;
    try {
      return commands[i]->run();
    } catch (const ConfigError& e) {
      std::cerr << "error: " << e.what() << '\n';
      return kUsage;
    } catch (const std::bad_alloc&) {
      // Sizes from files and configs are checked against limits before allocating; this is
      // the last line, for a machine with less memory than a valid job needs.
      std::cerr << "error: out of memory (the data or network does not fit in this machine's "
                   "memory)\n";
      return kFailure;
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << '\n';
      return kFailure;
    }
  }
  return kUsage;
}
