#pragma once

#include <Eigen/Core>
#include <array>
#include <filesystem>
#include <memory>
#include <span>

#include "datasets/dataset.hpp"

namespace gaitsim::datasets {

// Examples as training consumes them: one per row, float.
using Features = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Labelled examples fetched by row index: the one way training reads data, whether the set is
// held in memory (MNIST, CIFAR-10) or streamed from an HDF5 image cache (ImageNet).
class BatchSource {
 public:
  virtual ~BatchSource() = default;

  virtual std::size_t size() const = 0;
  virtual std::array<int, 3> shape() const = 0;  // C, H, W of one example [pixels]
  virtual int classes() const = 0;
  virtual std::filesystem::path origin() const = 0;  // the file or folder behind it
  // Row i of x and y(i) become example rows[i] (any order, repeats allowed); x is resized.
  // Safe to call from several threads at once.
  virtual void read(std::span<const Eigen::Index> rows, Features& x, Eigen::VectorXi& y) const = 0;

  Eigen::Index features() const;  // C * H * W
};

// A source whose examples are all in memory.
class MemorySource : public BatchSource {
 public:
  MemorySource(Dataset data, std::filesystem::path origin);

  std::size_t size() const override { return data_.size(); }
  std::array<int, 3> shape() const override { return data_.shape; }
  int classes() const override { return data_.classes; }
  std::filesystem::path origin() const override { return origin_; }
  void read(std::span<const Eigen::Index> rows, Features& x, Eigen::VectorXi& y) const override;

 private:
  Dataset data_;
  std::filesystem::path origin_;
};

struct SourceSplit {
  std::unique_ptr<BatchSource> train, test;
};

// Every example of a source, in order, in memory.
Dataset read_all(const BatchSource& source);

}  // namespace gaitsim::datasets
