#include "datasets/batch_stream.hpp"

#include <cassert>
#include <span>

namespace gaitsim::datasets {

BatchStream::BatchStream(const BatchSource& source, std::vector<Eigen::Index> order,
                         std::vector<RowRange> ranges, std::size_t ahead)
    : source_(source),
      order_(std::move(order)),
      ranges_(std::move(ranges)),
      ahead_(std::max<std::size_t>(ahead, 1)),
      reader_([this] { read_ahead(); }) {}

BatchStream::~BatchStream() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

void BatchStream::read_ahead() {
  for (const RowRange& r : ranges_) {
    assert(0 <= r.begin && r.begin <= r.end && std::size_t(r.end) <= order_.size());
    Batch batch;
    {
      const std::lock_guard lock(mutex_);
      if (!spare_.empty()) {
        batch = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    try {
      source_.read(std::span(order_).subspan(std::size_t(r.begin), std::size_t(r.end - r.begin)),
                   batch.x, batch.y);
    } catch (...) {
      batch.error = std::current_exception();
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stop_ || ready_.size() < ahead_; });
    if (stop_) return;
    const bool failed = batch.error != nullptr;
    ready_.push_back(std::move(batch));
    lock.unlock();
    changed_.notify_all();
    if (failed) return;  // the consumer stops at the error
  }
}

bool BatchStream::next(Features& x, Eigen::VectorXi& y) {
  if (delivered_ == ranges_.size()) return false;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty(); });
  Batch batch = std::move(ready_.front());
  ready_.pop_front();
  ++delivered_;
  if (batch.error) {
    delivered_ = ranges_.size();  // nothing follows an error
    std::rethrow_exception(batch.error);
  }
  x.swap(batch.x);
  y.swap(batch.y);
  spare_.push_back(std::move(batch));  // the caller's previous buffers
  lock.unlock();
  changed_.notify_all();
  return true;
}

}  // namespace gaitsim::datasets
