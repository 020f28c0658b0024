#pragma once
// A subcommand of the gaitsim program: it declares its options on a CLI11 subcommand and runs
// once they are parsed. Commands are listed in one place (commands.cpp).
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "sim/config.hpp"

namespace gaitsim {

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its options to `app`; returns it.
  virtual CLI::App* attach(CLI::App& app) = 0;
  // Runs after a successful parse; returns the exit code (exit_codes.hpp).
  virtual int run() = 0;
};

std::vector<std::unique_ptr<Command>> make_commands();

// Accepts a whole number >= lo (and within long long): the message says so in words, where
// CLI::PositiveNumber would print a range up to the largest double, 309 digits long.
CLI::Validator integer_at_least(long long lo);

// The options shared by commands that read a config: CONFIG, --set, --threads.
struct ConfigOptions {
  std::string file;
  std::vector<std::string> sets;
  int threads = 0;

  void attach(CLI::App& cmd);
  // Applies --threads and loads the config with its overrides.
  Config load() const;
};

}  // namespace gaitsim
