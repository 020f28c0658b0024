#pragma once
// Data-parallel training (`gaitsim train` under an MPI launcher): every process takes its slice
// of each global batch, and the reducer turns the local batch metrics and updates into the
// global ones (Engine::set_reducer).
#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/mpi_comm.hpp"

namespace gaitsim {

// Sums a step's metrics and per-layer updates over the MPI processes. Each layer's sum is
// started (MPI_Iallreduce) as soon as the layer's update is ready, so it overlaps the
// computation of the next layer; finish() waits for all of them.
template <class T>
class DataParallelReducer : public StepReducer<T> {
 public:
  explicit DataParallelReducer(mpi::Context& comm) : comm_(comm) {}
  void metrics(BatchResult& local_to_global) override;
  void layer(int l, Mat<T>& dW, RowVec<T>& db) override;
  void finish() override;

 private:
  mpi::Context& comm_;
};

// Data-parallel training needs every global batch to give each of the `processes` at least one
// sample; throws ConfigError naming learning.batch_size otherwise.
void check_data_parallel(const Config& c, std::size_t examples, int processes);

extern template class DataParallelReducer<double>;
extern template class DataParallelReducer<float>;

}  // namespace gaitsim
