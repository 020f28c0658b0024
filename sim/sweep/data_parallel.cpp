#include "sim/sweep/data_parallel.hpp"

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

template class DataParallelReducer<double>;
template class DataParallelReducer<float>;

}  // namespace gaitsim
