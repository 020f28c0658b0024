// Checks the files against h5py, an independent reader and writer, where the system Python has it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "analysis/h5_file.hpp"
#include "tests/analysis/temp_dir.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim::h5 {
namespace {

using gaitsim::testing::TempDir;

// The system interpreter: the python3 first on PATH may be one without h5py.
constexpr const char* kPython = "/usr/bin/python3";

// Runs script with file as its argument; true when it exits 0.
bool run_python(const TempDir& dir, const std::string& script, const std::filesystem::path& file) {
  const auto script_path = dir / "check.py";
  std::ofstream(script_path) << script;
  const std::string command =
      std::string(kPython) + " '" + script_path.string() + "' '" + file.string() + "'";
  return std::system(command.c_str()) == 0;
}

TEST(H5py, ReadsWhatFileWrites) {
  GAITSIM_REQUIRE_DEPENDENCY(gaitsim::testing::python_has("h5py"),
                             kPython << " cannot import h5py");
  TempDir dir;
  const auto path = dir / "out.h5";
  {
    File f = File::create(path);
    Eigen::MatrixXd m(3, 4);  // column-major in memory
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 4; ++j) m(i, j) = 10 * i + j;
    }
    f.write_matrix("/m", m);
    f.set_attr("/m", "units", "mV");
    f.set_attr("/", "seed", 42);
    f.write_matrix("/layers/1/W", Eigen::MatrixXf::Constant(2, 2, 0.1f), 4);
    f.create_appendable("/log/loss", 2);
    f.append_row("/log/loss", {1.0, 2.0});
    f.append_row("/log/loss", {3.0, 4.0});
  }
  const std::string script = R"(
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r") as f:
    m = f["/m"]
    assert m.shape == (3, 4), m.shape
    assert m.dtype == np.float64, m.dtype
    assert m[1, 2] == 12.0, m[1, 2]
    assert m.attrs["units"] == "mV", repr(m.attrs["units"])
    assert f.attrs["seed"] == 42, f.attrs["seed"]
    w = f["/layers/1/W"]
    assert w.dtype == np.float32 and w.compression == "gzip", (w.dtype, w.compression)
    assert w[1, 1] == np.float32(0.1), w[1, 1]
    assert f["/log/loss"].shape == (2, 2) and f["/log/loss"].maxshape == (None, 2)
    assert list(f["/log/loss"][1]) == [3.0, 4.0]
)";
  EXPECT_TRUE(run_python(dir, script, path));
}

TEST(H5py, FileReadsWhatH5pyWrites) {
  GAITSIM_REQUIRE_DEPENDENCY(gaitsim::testing::python_has("h5py"),
                             kPython << " cannot import h5py");
  TempDir dir;
  const auto path = dir / "in.h5";
  const std::string script = R"(
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["/g/a"] = np.arange(6, dtype=np.int32).reshape(2, 3)
    f["/g/a"].attrs["label"] = "ä"
    f["/g/a"].attrs["fixed"] = np.bytes_(b"abc")
    f.attrs["lr"] = np.float32(0.5)
)";
  ASSERT_TRUE(run_python(dir, script, path));
  const File f = File::open_read(path);
  Eigen::MatrixXi expected(2, 3);
  expected << 0, 1, 2, 3, 4, 5;
  EXPECT_EQ(f.read_matrix<int>("/g/a"), expected);
  EXPECT_EQ(f.attr_string("/g/a", "label"), "ä");
  EXPECT_EQ(f.attr_string("/g/a", "fixed"), "abc");
  EXPECT_EQ(f.attr_double("/", "lr"), 0.5);
}

}  // namespace
}  // namespace gaitsim::h5
