#include "datasets/batch_source.hpp"

#include <numeric>
#include <vector>

namespace gaitsim::datasets {

Eigen::Index BatchSource::features() const {
  const std::array<int, 3> s = shape();
  return Eigen::Index(s[0]) * s[1] * s[2];
}

MemorySource::MemorySource(Dataset data, std::filesystem::path origin)
    : data_(std::move(data)), origin_(std::move(origin)) {}

void MemorySource::read(std::span<const Eigen::Index> rows, Features& x, Eigen::VectorXi& y) const {
  x.resize(Eigen::Index(rows.size()), data_.x.cols());
  y.resize(Eigen::Index(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    x.row(Eigen::Index(i)) = data_.x.row(rows[i]);
    y(Eigen::Index(i)) = data_.y(rows[i]);
  }
}

Dataset read_all(const BatchSource& source) {
  std::vector<Eigen::Index> rows(source.size());
  std::iota(rows.begin(), rows.end(), Eigen::Index(0));
  Dataset data;
  source.read(rows, data.x, data.y);
  data.classes = source.classes();
  data.shape = source.shape();
  return data;
}

}  // namespace gaitsim::datasets
