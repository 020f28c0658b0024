// The direction of the libraries (docs/design.md, "Code layout"): the engine (sim/) includes
// nothing of the sweeps (sim/sweep/), the command line (sim/cli/), CLI11 or MPI; the sweeps
// include nothing of the command line; analysis/ (the file formats, the run file among them,
// which converts networks and optimiser state) includes neurons/ and plasticity/ but nothing of
// sim/, datasets/ or gui/; neurons/ and plasticity/ include none of analysis/, datasets/, sim/ or
// gui/. CMake checks the link lines (sim/CMakeLists.txt); this checks the sources, where an
// include would compile as long as the targets link.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kSource = GAITSIM_SOURCE_DIR;

// The headers a source text includes, as written between the quotes or angle brackets.
std::vector<std::string> includes(std::istream& in) {
  static const std::regex include(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  std::vector<std::string> found;
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, include)) found.push_back(m[1]);
  }
  return found;
}

// "file: header" for every include in the .hpp/.cpp files directly in `dir` that starts with
// one of `forbidden`; `scanned` counts the files read.
std::vector<std::string> violations(const fs::path& dir, const std::vector<std::string>& forbidden,
                                    int& scanned) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".hpp" && ext != ".cpp")) continue;
    ++scanned;
    std::ifstream in(entry.path());
    for (const std::string& header : includes(in)) {
      for (const std::string& prefix : forbidden) {
        if (header.rfind(prefix, 0) == 0) found.push_back(entry.path().string() + ": " + header);
      }
    }
  }
  return found;
}

const std::vector<std::string> kNotInEngine = {"sim/cli/", "sim/sweep/", "CLI/", "mpi.h"};
const std::vector<std::string> kNotInSweep = {"sim/cli/", "CLI/"};
const std::vector<std::string> kNotInAnalysis = {"sim/", "datasets/", "gui/", "CLI/", "mpi.h"};
const std::vector<std::string> kNotInCore = {"analysis/", "datasets/", "sim/", "gui/", "hdf5.h"};

TEST(Layout, IncludeScannerFindsEveryFormOfInclude) {
  std::istringstream text(
      "#include \"sim/cli/command.hpp\"\n  # include <mpi.h>\n// #include \"x.hpp\" in prose\n"
      "int x;  // no include here\n#include <CLI/CLI.hpp>\n");
  EXPECT_EQ(includes(text),
            (std::vector<std::string>{"sim/cli/command.hpp", "mpi.h", "CLI/CLI.hpp"}));
}

TEST(Layout, EngineIncludesNoSweepCliCli11OrMpi) {
  int scanned = 0;
  const auto found = violations(kSource / "sim", kNotInEngine, scanned);
  EXPECT_GE(scanned, 20) << "the engine's sources were not found under " << kSource / "sim";
  for (const auto& v : found) ADD_FAILURE() << "the engine includes " << v;
}

TEST(Layout, SweepsIncludeNoCommandLine) {
  int scanned = 0;
  const auto found = violations(kSource / "sim" / "sweep", kNotInSweep, scanned);
  EXPECT_GE(scanned, 10) << "the sweeps' sources were not found under " << kSource / "sim/sweep";
  for (const auto& v : found) ADD_FAILURE() << "sim/sweep/ includes " << v;
}

TEST(Layout, AnalysisIncludesNoEngineDatasetsOrViewer) {
  int scanned = 0;
  const auto found = violations(kSource / "analysis", kNotInAnalysis, scanned);
  EXPECT_GE(scanned, 40) << "analysis/ was not found under " << kSource / "analysis";
  for (const auto& v : found) ADD_FAILURE() << "analysis/ includes " << v;
}

// The run file's writer lives in analysis/ and converts Network and OptimizerState: the arrow
// goes analysis/ -> plasticity/ -> neurons/, never back (no cycle, and the core stays free of
// file I/O).
TEST(Layout, NeuronsAndPlasticityIncludeNoFormatsEngineOrViewer) {
  for (const char* dir : {"neurons", "plasticity"}) {
    int scanned = 0;
    const auto found = violations(kSource / dir, kNotInCore, scanned);
    EXPECT_GE(scanned, 15) << dir << "/ was not found under " << kSource / dir;
    for (const auto& v : found) ADD_FAILURE() << dir << "/ includes " << v;
  }
}

}  // namespace
