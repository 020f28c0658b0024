#include "sim/data_parallel.hpp"

#include <algorithm>

namespace gaitsim {

template <class T>
void DataParallelReducer<T>::metrics(BatchResult& r) {
  double loss = r.loss_sum;
  long long counts[3] = {r.correct, r.top5, r.samples};
  comm_.allreduce_sum(&loss, 1);
  comm_.allreduce_sum(counts, 3);
  r = {loss, counts[0], counts[1], counts[2]};
}

template <class T>
void DataParallelReducer<T>::layer(int, Mat<T>& dW, RowVec<T>& db) {
  comm_.iallreduce_sum(dW.data(), std::size_t(dW.size()));
  comm_.iallreduce_sum(db.data(), std::size_t(db.size()));
}

template <class T>
void DataParallelReducer<T>::finish() {
  comm_.wait_all();
}

void check_data_parallel(const Config& c, std::size_t examples, int processes) {
  const long long p = processes;
  if (p == 1) return;
  const long long B = c.learning.batch_size, N = static_cast<long long>(examples);
  const long long last = N % B == 0 ? B : N % B;
  if (std::min(B, last) < p) {
    throw ConfigError("data-parallel training on " + std::to_string(p) +
                      " processes needs at least " + std::to_string(p) +
                      " samples in every batch; learning.batch_size is " + std::to_string(B) +
                      " and the last batch has " + std::to_string(last));
  }
}

template class DataParallelReducer<double>;
template class DataParallelReducer<float>;

}  // namespace gaitsim
