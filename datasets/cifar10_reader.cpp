#include "datasets/cifar10_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "datasets/byte_reader.hpp"

namespace gaitsim::datasets {
namespace {

constexpr int kClasses = 10;
constexpr std::size_t kPixels = 3 * 32 * 32;
constexpr std::size_t kRecord = 1 + kPixels;

// Number of whole records in a batch file; a partial record means the file is damaged.
std::size_t record_count(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw DataError(file, "file not found (expected a CIFAR-10 binary batch)");
  }
  const std::uintmax_t size = std::filesystem::file_size(file);
  const std::string expected = std::to_string(kRecord) +
                               " (1 label + 3072 pixel bytes per record; a standard batch has "
                               "10000 records, " +
                               std::to_string(10000 * kRecord) + " bytes)";
  if (size == 0) throw DataError(file, "empty file: expected a multiple of " + expected);
  if (size % kRecord != 0) {
    throw DataError(file,
                    "size " + std::to_string(size) + " bytes is not a multiple of " + expected);
  }
  return size / kRecord;
}

// Copies `n` records from `file` into rows [first, first + n) of `data`.
void read_records(const std::filesystem::path& file, std::size_t n, std::size_t first,
                  Dataset& data) {
  ByteReader in(file);
  const std::vector<std::uint8_t> bytes = in.read(n * kRecord, "records");
  using Pixels = Eigen::Matrix<std::uint8_t, 1, Eigen::Dynamic>;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* record = bytes.data() + i * kRecord;
    if (record[0] >= kClasses) {
      throw DataError(file, "label " + std::to_string(record[0]) + " in record " +
                                std::to_string(i) + " out of range: expected 0..9");
    }
    const auto row = static_cast<Eigen::Index>(first + i);
    data.y(row) = record[0];
    data.x.row(row) = Eigen::Map<const Pixels>(record + 1, kPixels).cast<float>() / 255.0f;
  }
}

}  // namespace

Dataset read_cifar10_batches(const std::vector<std::filesystem::path>& files, std::size_t limit) {
  // Size every file first so that a missing or damaged batch fails before any bulk reading.
  std::vector<std::size_t> take;
  std::size_t total = 0;
  for (const auto& file : files) {
    const std::size_t records = record_count(file);
    take.push_back(limit == 0 ? records : std::min(records, limit - total));
    total += take.back();
  }
  Dataset data;
  data.x.resize(static_cast<Eigen::Index>(total), static_cast<Eigen::Index>(kPixels));
  data.y.resize(static_cast<Eigen::Index>(total));
  data.classes = kClasses;
  data.shape = {3, 32, 32};
  std::size_t first = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    if (take[f] > 0) read_records(files[f], take[f], first, data);
    first += take[f];
  }
  return data;
}

DataSplit load_cifar10_dir(const std::filesystem::path& dir, std::size_t train_limit,
                           std::size_t test_limit) {
  std::vector<std::filesystem::path> train_files;
  for (int i = 1; i <= 5; ++i) {
    train_files.push_back(dir / ("data_batch_" + std::to_string(i) + ".bin"));
  }
  return {read_cifar10_batches(train_files, train_limit),
          read_cifar10_batches({dir / "test_batch.bin"}, test_limit)};
}

}  // namespace gaitsim::datasets
