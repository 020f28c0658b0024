#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "analysis/h5_file.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim::h5 {
namespace {

using gaitsim::testing::TempDir;

::testing::AssertionResult mentions(const std::exception& e, const std::string& text) {
  if (std::string(e.what()).find(text) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << e.what() << "' does not mention '" << text << "'";
}

template <class T>
using MatrixX = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// Distinct values per element, with the type's extremes in the corners.
template <class T>
MatrixX<T> sample_matrix() {
  MatrixX<T> m(3, 5);
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = static_cast<T>(i * 7 + j * 3 + 1);
  }
  m(0, 0) = std::numeric_limits<T>::lowest();
  m(2, 4) = std::numeric_limits<T>::max();
  if constexpr (std::is_floating_point_v<T>) {
    m(0, 1) = static_cast<T>(1.0 / 3.0);
    m(0, 2) = std::numeric_limits<T>::denorm_min();
    m(0, 3) = static_cast<T>(-0.0);
    m(1, 0) = std::numeric_limits<T>::quiet_NaN();
    m(1, 1) = -std::numeric_limits<T>::infinity();
  }
  return m;
}

// Bit-for-bit, so that NaN and -0.0 count as round-tripped too.
template <class T>
bool same_bits(const MatrixX<T>& a, const MatrixX<T>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(T) * a.size()) == 0;
}

template <class T>
class RoundTrip : public ::testing::Test {};
using Scalars = ::testing::Types<double, float, int, std::int64_t, std::uint8_t>;
TYPED_TEST_SUITE(RoundTrip, Scalars);

TYPED_TEST(RoundTrip, MatrixIsExactAcrossReopen) {
  TempDir dir;
  const MatrixX<TypeParam> m = sample_matrix<TypeParam>();
  File::create(dir / "m.h5").write_matrix("/m", m);
  const File f = File::open_read(dir / "m.h5");
  EXPECT_EQ(f.shape("/m"), (std::vector<hsize_t>{3, 5}));
  EXPECT_TRUE(same_bits(f.read_matrix<TypeParam>("/m"), m));
}

TYPED_TEST(RoundTrip, CompressedMatrixIsExact) {
  TempDir dir;
  const MatrixX<TypeParam> m = sample_matrix<TypeParam>();
  File f = File::create(dir / "m.h5");
  f.write_matrix("/m", m, 9);
  EXPECT_TRUE(same_bits(f.read_matrix<TypeParam>("/m"), m));
}

TYPED_TEST(RoundTrip, VectorIsExact) {
  TempDir dir;
  const std::vector<TypeParam> v = {std::numeric_limits<TypeParam>::lowest(), 0, 1,
                                    std::numeric_limits<TypeParam>::max()};
  File f = File::create(dir / "v.h5");
  f.write_vector("/v", v);
  EXPECT_EQ(f.shape("/v"), (std::vector<hsize_t>{4}));
  EXPECT_EQ(f.read_vector<TypeParam>("/v"), v);
}

// Reads the dataset with the plain C API, bypassing File's reader, to see the on-disk order.
std::vector<double> raw_contents(const std::filesystem::path& file, const char* dataset) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  return values;
}

TEST(H5File, StoresRowMajorWhateverTheEigenLayout) {
  TempDir dir;
  Eigen::MatrixXd col_major(2, 3);
  col_major << 1, 2, 3, 4, 5, 6;
  const Eigen::Matrix<double, 2, 3, Eigen::RowMajor> row_major = col_major;
  {
    File f = File::create(dir / "m.h5");
    f.write_matrix("/col", col_major);
    f.write_matrix("/row", row_major);
    f.write_matrix("/expr", col_major.transpose() * 2.0);
  }
  const std::vector<double> expected = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(raw_contents(dir / "m.h5", "/col"), expected);
  EXPECT_EQ(raw_contents(dir / "m.h5", "/row"), expected);
  const File f = File::open_read(dir / "m.h5");
  EXPECT_EQ(f.read_matrix<double>("/row"), col_major);
  EXPECT_EQ(f.shape("/expr"), (std::vector<hsize_t>{3, 2}));
  EXPECT_EQ(f.read_matrix<double>("/expr"), col_major.transpose() * 2.0);
}

TEST(H5File, ReadConvertsStoredType) {
  TempDir dir;
  File f = File::create(dir / "m.h5");
  Eigen::MatrixXi ints(2, 2);
  ints << 1, -2, 300, 4;
  f.write_matrix("/ints", ints);
  EXPECT_EQ(f.read_matrix<double>("/ints"), ints.cast<double>());
  f.write_vector("/half", std::vector<double>{0.5, -1.25});
  EXPECT_EQ(f.read_vector<float>("/half"), (std::vector<float>{0.5f, -1.25f}));
}

TEST(H5File, VectorsFromEigenAndAsMatrices) {
  TempDir dir;
  File f = File::create(dir / "v.h5");
  const Eigen::VectorXf column = Eigen::VectorXf::LinSpaced(4, 0.1f, 0.4f);
  const Eigen::RowVectorXi row = Eigen::RowVectorXi::LinSpaced(3, 7, 9);
  f.write_vector("/column", column);
  f.write_vector("/row", row);
  EXPECT_EQ(f.shape("/row"), (std::vector<hsize_t>{3}));
  EXPECT_EQ(f.read_matrix<float>("/column"), MatrixX<float>(column));  // 1-D reads as (n x 1)
  EXPECT_EQ(f.read_vector<int>("/row"), (std::vector<int>{7, 8, 9}));

  f.write_matrix("/one_row", row);  // 2-D, but a single row still reads as a vector
  EXPECT_EQ(f.read_vector<int>("/one_row"), (std::vector<int>{7, 8, 9}));
  f.write_matrix("/grid", Eigen::MatrixXd::Zero(2, 2));
  EXPECT_THROW(f.read_vector<double>("/grid"), H5Error);
  EXPECT_THROW(f.write_vector("/bad", Eigen::MatrixXd::Zero(2, 2)), H5Error);
}

TEST(H5File, EmptyMatrixKeepsItsShape) {
  TempDir dir;
  File f = File::create(dir / "e.h5");
  f.write_matrix("/e", Eigen::MatrixXd(0, 3), 4);
  EXPECT_EQ(f.shape("/e"), (std::vector<hsize_t>{0, 3}));
  EXPECT_EQ(f.read_matrix<double>("/e").cols(), 3);
  f.write_vector("/v", std::vector<int>{});
  EXPECT_TRUE(f.read_vector<int>("/v").empty());
}

TEST(H5File, GzipShrinksCompressibleData) {
  TempDir dir;
  const Eigen::MatrixXd zeros = Eigen::MatrixXd::Zero(300, 200);
  File::create(dir / "plain.h5").write_matrix("/z", zeros);
  File::create(dir / "gzip.h5").write_matrix("/z", zeros, 6);
  EXPECT_LT(std::filesystem::file_size(dir / "gzip.h5") * 10,
            std::filesystem::file_size(dir / "plain.h5"));
  EXPECT_EQ(File::open_read(dir / "gzip.h5").read_matrix<double>("/z"), zeros);
  EXPECT_THROW(File::create(dir / "bad.h5").write_matrix("/z", zeros, 10), H5Error);
}

TEST(H5File, RewritingADatasetReplacesIt) {
  TempDir dir;
  File f = File::create(dir / "m.h5");
  f.write_matrix("/m", Eigen::MatrixXd::Ones(4, 4));
  f.write_matrix("/m", Eigen::MatrixXf::Constant(2, 3, 5.0f));
  EXPECT_EQ(f.shape("/m"), (std::vector<hsize_t>{2, 3}));
  EXPECT_EQ(f.read_matrix<float>("/m"), MatrixX<float>::Constant(2, 3, 5.0f));
  f.write_vector("/g/x", std::vector<double>{1});
  EXPECT_THROW(f.write_vector("/g", std::vector<double>{1}), H5Error);  // a group is not replaced
}

TEST(H5File, CreatesNestedGroupsAndLists) {
  TempDir dir;
  File f = File::create(dir / "n.h5");
  f.write_matrix("/layers/1/W", Eigen::MatrixXd::Identity(2, 2));
  f.write_vector("layers/0/b", std::vector<double>{1, 2});
  EXPECT_TRUE(f.exists("/"));
  EXPECT_TRUE(f.exists("/layers"));
  EXPECT_TRUE(f.exists("/layers/1"));
  EXPECT_TRUE(f.exists("/layers/1/W"));
  EXPECT_TRUE(f.exists("/layers/0/b"));
  EXPECT_FALSE(f.exists("/layers/2"));
  EXPECT_FALSE(f.exists("/missing/deeper/path"));
  EXPECT_FALSE(f.exists("/layers/1/W/below_a_dataset"));
  EXPECT_EQ(f.list("/"), (std::vector<std::string>{"layers"}));
  EXPECT_EQ(f.list("/layers"), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(f.list("/layers/1"), (std::vector<std::string>{"W"}));
  EXPECT_THROW(f.list("/nope"), H5Error);
  EXPECT_THROW(f.list("/layers/1/W"), H5Error);
}

TEST(H5File, AttributesOnRootGroupsAndDatasets) {
  TempDir dir;
  {
    File f = File::create(dir / "a.h5");
    f.write_matrix("/net/W", Eigen::MatrixXd::Zero(1, 1));
    f.set_attr("/", "name", "gaitsim µ-run");
    f.set_attr("/", "dt", 0.1);
    f.set_attr("/net", "seed", 1234567890123LL);
    f.set_attr("/net", "layers", 3);
    f.set_attr("/net", "plastic", true);
    f.set_attr("/net/W", "units", std::string("mV"));
    f.set_attr("/net/W", "scale", 2.5f);
  }
  const File f = File::open_read(dir / "a.h5");
  EXPECT_EQ(f.attr_string("/", "name"), "gaitsim µ-run");
  EXPECT_EQ(f.attr_double("/", "dt"), 0.1);
  EXPECT_EQ(f.attr_int("/net", "seed"), 1234567890123LL);
  EXPECT_EQ(f.attr_int("/net", "layers"), 3);
  EXPECT_EQ(f.attr_int("/net", "plastic"), 1);
  EXPECT_EQ(f.attr_string("/net/W", "units"), "mV");
  EXPECT_EQ(f.attr_double("/net/W", "scale"), 2.5);
  EXPECT_EQ(f.attr_double("/net", "layers"), 3.0);  // integers read as double too
  EXPECT_TRUE(f.has_attr("/net", "seed"));
  EXPECT_FALSE(f.has_attr("/net", "absent"));
}

TEST(H5File, AttributeMisuseThrows) {
  TempDir dir;
  File f = File::create(dir / "a.h5");
  f.set_attr("/", "x", 1.5);
  EXPECT_THROW(f.attr_int("/", "x"), H5Error);  // never silently truncated
  EXPECT_THROW(f.attr_string("/", "x"), H5Error);
  f.set_attr("/", "x", "now text");  // replacing may change the type
  EXPECT_EQ(f.attr_string("/", "x"), "now text");
  EXPECT_THROW(f.attr_double("/", "x"), H5Error);
  EXPECT_THROW(f.set_attr("/ghost", "x", 1), H5Error);
  try {
    f.attr_double("/", "absent");
    FAIL() << "expected H5Error";
  } catch (const H5Error& e) {
    EXPECT_TRUE(mentions(e, "absent"));
    EXPECT_TRUE(mentions(e, (dir / "a.h5").string()));
  }
}

TEST(H5File, AppendableGrowsRowByRowAndResumes) {
  TempDir dir;
  {
    File f = File::create(dir / "log.h5");
    f.create_appendable("/log/metrics", 3);
    f.create_appendable("/log/loss", 0, scalar_type<float>(), 2);
    EXPECT_EQ(f.shape("/log/metrics"), (std::vector<hsize_t>{0, 3}));
    for (int epoch = 0; epoch < 5; ++epoch) {
      f.append_row("/log/metrics", {1.0 * epoch, 2.0 * epoch, 0.5});
      f.append_row("/log/loss", 1.0 / (epoch + 1));
      EXPECT_EQ(f.shape("/log/metrics"), (std::vector<hsize_t>{epoch + 1u, 3}));
      EXPECT_EQ(f.shape("/log/loss"), (std::vector<hsize_t>{epoch + 1u}));
    }
    f.flush();
  }
  File f = File::open_rw(dir / "log.h5");
  EXPECT_THROW(f.create_appendable("/log/loss", 0), H5Error);  // history must survive a resume
  f.append_row("/log/loss", 0.125);
  const std::vector<float> loss = f.read_vector<float>("/log/loss");
  EXPECT_EQ(loss, (std::vector<float>{1.0f, 0.5f, 1.0f / 3, 0.25f, 0.2f, 0.125f}));
  const Eigen::MatrixXd metrics = f.read_matrix<double>("/log/metrics");
  ASSERT_EQ(metrics.rows(), 5);
  EXPECT_EQ(metrics.row(4), Eigen::RowVector3d(4.0, 8.0, 0.5));
}

TEST(H5File, AppendMisuseThrowsNamingTheDataset) {
  TempDir dir;
  File f = File::create(dir / "log.h5");
  f.create_appendable("/rows", 2);
  try {
    f.append_row("/rows", {1.0, 2.0, 3.0});
    FAIL() << "expected H5Error";
  } catch (const H5Error& e) {
    EXPECT_EQ(e.object(), "/rows");
  }
  f.write_vector("/fixed", std::vector<double>{1});
  EXPECT_THROW(f.append_row("/fixed", 2.0), H5Error);  // not chunked, cannot grow
  EXPECT_EQ(f.shape("/rows"), (std::vector<hsize_t>{0, 2}));
}

TEST(H5File, NonHdf5FileNamesThePath) {
  TempDir dir;
  const auto text = dir / "notes.txt";
  std::ofstream(text) << "plain text, not HDF5\n";
  ::testing::internal::CaptureStderr();
  try {
    File::open_read(text);
    FAIL() << "expected H5Error";
  } catch (const H5Error& e) {
    EXPECT_TRUE(mentions(e, "not an HDF5 file"));
    EXPECT_TRUE(mentions(e, text.string()));
    EXPECT_EQ(e.file(), text);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // HDF5's own printing is off
}

TEST(H5File, MissingFileNamesThePath) {
  TempDir dir;
  const auto missing = dir / "missing.h5";
  for (auto open : {&File::open_read, &File::open_rw}) {
    try {
      open(missing);
      FAIL() << "expected H5Error";
    } catch (const H5Error& e) {
      EXPECT_TRUE(mentions(e, missing.string()));
    }
  }
  EXPECT_FALSE(std::filesystem::exists(missing));  // open_rw does not create
}

TEST(H5File, MissingDatasetNamesFileAndObject) {
  TempDir dir;
  File f = File::create(dir / "m.h5");
  f.write_matrix("/present", Eigen::MatrixXd::Zero(1, 1));
  ::testing::internal::CaptureStderr();
  try {
    f.read_matrix<double>("/layers/9/W");
    FAIL() << "expected H5Error";
  } catch (const H5Error& e) {
    EXPECT_TRUE(mentions(e, "/layers/9/W"));
    EXPECT_TRUE(mentions(e, (dir / "m.h5").string()));
    EXPECT_EQ(e.object(), "/layers/9/W");
  }
  EXPECT_THROW(f.read_matrix<double>("/"), H5Error);  // a group, not a dataset
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(H5File, ReadOnlyFileRejectsWrites) {
  TempDir dir;
  File::create(dir / "m.h5").write_vector("/v", std::vector<double>{1});
  File f = File::open_read(dir / "m.h5");
  EXPECT_THROW(f.write_vector("/w", std::vector<double>{1}), H5Error);
  EXPECT_THROW(f.set_attr("/", "x", 1.0), H5Error);
}

TEST(H5File, UseAfterCloseIsALogicError) {
  TempDir dir;
  File f = File::create(dir / "m.h5");
  f.close();
  f.close();
  EXPECT_THROW(f.exists("/"), std::logic_error);
}

// Lists of names: one convention, 1-D arrays of variable-length strings, as attributes and as
// datasets; empty lists too (a sweep with nothing missing).
TEST(H5File, StringArraysRoundTripAsAttributesAndDatasets) {
  TempDir dir;
  const auto path = dir / "s.h5";
  const std::vector<std::string> names = {"input", "hidden1", "", "ütf-8"};
  {
    auto f = File::create(path);
    f.write_strings("/names", names);
    f.set_attr("/names", "list", names);
    f.set_attr("/", "empty", std::vector<std::string>{});
    f.write_strings("/group/none", {});
    f.close();
  }
  const auto f = File::open_read(path);
  EXPECT_EQ(f.read_strings("/names"), names);
  EXPECT_EQ(f.attr_strings("/names", "list"), names);
  EXPECT_TRUE(f.attr_strings("/", "empty").empty());
  EXPECT_TRUE(f.read_strings("/group/none").empty());
  EXPECT_EQ(f.shape("/names"), std::vector<hsize_t>{4});
  EXPECT_THROW(f.read_strings("/nothing"), H5Error);
}

// Issue 13 item 15: messages quoted HDF5's raw fields, "bytes actually written =
// 18446744073709551615" among them.
TEST(H5Error, RawHdf5FieldsBecomeAReadableReason) {
  const std::string raw =
      "file write failed: time = Fri Dec  4 10:00:00 2026\n, filename = 'x.h5', file descriptor = "
      "3, errno = 28, error message = 'No space left on device', buf = 0x55d0, total write size = "
      "4096, bytes this sub-write = 4096, bytes actually written = 18446744073709551615, offset = "
      "0";
  EXPECT_EQ(readable_hdf5_detail(raw), "file write failed: No space left on device");
  EXPECT_EQ(readable_hdf5_detail("unable to open file"), "unable to open file");
}

// Issue 13 item 10/12: a dataset's shape claimed more than its file held, and reading it
// allocated for the claim (or ended in std::bad_alloc).
TEST(H5File, DatasetClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating) {
  TempDir dir;
  const auto path = dir.path() / "claims.h5";
  {
    const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[2] = {hsize_t{1} << 20,
                             hsize_t{1} << 20};  // 8 TiB of float64, never written
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t d =
        H5Dcreate2(f, "/huge", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(d, 0);
    H5Dclose(d);
    H5Sclose(space);
    H5Fclose(f);
  }
  const File file = File::open_read(path);
  try {
    file.read_matrix<double>("/huge");
    ADD_FAILURE() << "no error";
  } catch (const H5Error& e) {
    EXPECT_TRUE(mentions(e, "/huge"));
    EXPECT_TRUE(mentions(e, path.string()));
    EXPECT_TRUE(mentions(e, "claims more data than the file can hold"));
  }
  EXPECT_THROW(file.read_vector<double>("/huge"), H5Error);
}

// The bytes of a file, and the byte offset of its free-space object (index 0) in its first
// global heap collection (HDF5 file format 1.10: "GCOL", version, 3 reserved, 8-byte size, then
// objects of index (2), references (2), reserved (4), size (8) and data padded to 8 bytes).
std::pair<std::string, std::size_t> free_space_object(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t at = bytes.find(std::string("GCOL\x01", 5));
  std::size_t p = at + 16;
  while (p + 16 <= bytes.size() && (bytes[p] != 0 || bytes[p + 1] != 0)) {
    std::uint64_t size = 0;
    std::memcpy(&size, bytes.data() + p + 8, 8);
    p += 16 + (size + 7) / 8 * 8;
  }
  return {bytes, p};
}

// Found by fuzz_runfile (a timeout in H5HG_read): libhdf5 1.10.8 loops forever reading a variable
// length string from a global heap collection whose free-space object has size 0.
TEST(H5File, GlobalHeapWithAFreeSpaceOfSizeZeroIsRefusedInsteadOfHanging) {
  TempDir dir;
  const auto path = dir / "heap.h5";
  {
    File f = File::create(path);
    f.set_attr("/", "status", "complete");  // variable-length: kept in the global heap
    f.write_strings("/names", {"alpha", "beta"});
  }
  EXPECT_EQ(File::open_read(path).attr_string("/", "status"), "complete");
  auto [bytes, free_at] = free_space_object(path);
  ASSERT_LT(free_at + 16, bytes.size());
  const auto write_patched = [&](std::uint64_t size) {
    std::string patched = bytes;
    std::memcpy(patched.data() + free_at + 8, &size, 8);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << patched;
  };
  write_patched(0);
  try {
    File::open_read(path);
    ADD_FAILURE() << "no error";
  } catch (const H5Error& e) {
    EXPECT_TRUE(mentions(e, path.string()));
    EXPECT_TRUE(
        mentions(e, "global heap collection at byte " + std::to_string(bytes.find("GCOL"))));
    EXPECT_TRUE(mentions(e, "free-space object of size 0"));
  }
  // An object claiming more than its collection holds would be read past the collection's end.
  write_patched(std::uint64_t{1} << 40);
  try {
    File::open_read(path);
    ADD_FAILURE() << "no error";
  } catch (const H5Error& e) {
    EXPECT_TRUE(mentions(e, "past the collection's end"));
  }
}

// The heap check scans the bytes: a stored array that happens to hold the collection signature
// (followed by what is not a collection header) is data, not a damaged heap.
TEST(H5File, DataHoldingTheHeapSignatureIsNotMistakenForAHeap) {
  TempDir dir;
  const auto path = dir / "data.h5";
  std::vector<int> values;
  for (int i = 0; i < 64; ++i) {
    // "GCOL" 0x01 then nonzero "reserved" bytes, and "GCOL" 0x01 0 0 0 with a tiny size
    values.push_back(0x4c4f4347);  // 'G' 'C' 'O' 'L' in little-endian
    values.push_back(i % 2 == 0 ? 0x05050501 : 0x00000001);
    values.push_back(i % 2 == 0 ? -1 : 16);  // a claimed size past the file / under 4096
    values.push_back(0);
  }
  {
    File f = File::create(path);
    f.write_vector("/values", values);
  }
  EXPECT_EQ(File::open_read(path).read_vector<int>("/values"), values);
}

}  // namespace
}  // namespace gaitsim::h5
