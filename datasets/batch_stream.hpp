#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "datasets/batch_source.hpp"

namespace gaitsim::datasets {

// A batch as positions [begin, end) of an epoch's order of examples.
struct RowRange {
  Eigen::Index begin = 0, end = 0;
};

// Delivers the batches order[r.begin..r.end) for each range r in turn, read on a background
// thread up to `ahead` batches before they are asked for, so that training computes on one batch
// while the next is read from disk. The batches are exactly those BatchSource::read gives.
class BatchStream {
 public:
  BatchStream(const BatchSource& source, std::vector<Eigen::Index> order,
              std::vector<RowRange> ranges, std::size_t ahead = 2);
  // Stops reading (batches not yet asked for are dropped) and joins the thread.
  ~BatchStream();
  BatchStream(const BatchStream&) = delete;
  BatchStream& operator=(const BatchStream&) = delete;

  // Moves the next batch into x and y; false once every range has been delivered. An error
  // while reading a batch is rethrown here, in place of that batch.
  bool next(Features& x, Eigen::VectorXi& y);

 private:
  struct Batch {
    Features x;
    Eigen::VectorXi y;
    std::exception_ptr error;
  };
  void read_ahead();

  const BatchSource& source_;
  const std::vector<Eigen::Index> order_;
  const std::vector<RowRange> ranges_;
  const std::size_t ahead_;
  std::size_t delivered_ = 0;
  std::deque<Batch> ready_;
  // Buffers handed back by next(), reused by the reader: allocating a fresh batch of many
  // megabytes each time costs page faults comparable to reading it.
  std::vector<Batch> spare_;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread reader_;  // declared last: starts once everything it uses exists
};

}  // namespace gaitsim::datasets
