#pragma once
// Data-parallel training (`gaitsim train` under an MPI launcher): the replica group of the MPI
// processes. Every process takes its slice of each global batch, and the reducer turns the
// local batch metrics and updates into the global ones (Engine::set_reducer).
#include "sim/replica_group.hpp"
#include "sim/sweep/mpi_comm.hpp"

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

extern template class DataParallelReducer<double>;
extern template class DataParallelReducer<float>;

// The processes of the MPI job as the trainer's replica group (alone when not launched).
class MpiReplicaGroup : public ReplicaGroup {
 public:
  explicit MpiReplicaGroup(mpi::Context& comm) : comm_(comm), double_(comm), float_(comm) {}
  int rank() const override { return comm_.rank(); }
  int size() const override { return comm_.size(); }
  void barrier() override { comm_.barrier(); }
  [[noreturn]] void abort(int code) override { comm_.abort(code); }
  StepReducer<double>* reducer(double*) override { return size() > 1 ? &double_ : nullptr; }
  StepReducer<float>* reducer(float*) override { return size() > 1 ? &float_ : nullptr; }

 private:
  mpi::Context& comm_;
  DataParallelReducer<double> double_;
  DataParallelReducer<float> float_;
};

}  // namespace gaitsim
