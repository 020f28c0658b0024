#pragma once
// The processes that train one network together (data parallelism): each replica takes its
// slice of every global batch, and the group sums the metrics and updates of a step over the
// replicas (StepReducer). The trainer takes a group as a parameter, so the engine needs no MPI:
// ReplicaGroup's default is one replica alone; sim/sweep/data_parallel.hpp implements it over
// MPI, and `gaitsim train` chooses which.
#include <cstddef>

#include "sim/config.hpp"
#include "sim/engine.hpp"

namespace gaitsim {

class ReplicaGroup {
 public:
  virtual ~ReplicaGroup() = default;
  virtual int rank() const { return 0; }  // this replica, 0..size()-1; rank 0 writes the run
  virtual int size() const { return 1; }  // replicas in the group
  // Waits until every replica has arrived.
  virtual void barrier() {}
  // Ends every replica (after an error on one that the others cannot see). Alone: only called
  // when size() > 1, never.
  [[noreturn]] virtual void abort(int code);
  // The step reducer for precision T (Engine::set_reducer), chosen by the type of the argument
  // (reducer(static_cast<T*>(nullptr))); null alone (nothing to sum).
  virtual StepReducer<double>* reducer(double*) { return nullptr; }
  virtual StepReducer<float>* reducer(float*) { return nullptr; }
};

// Data-parallel training needs every global batch to give each of the `replicas` at least one
// sample; throws ConfigError naming learning.batch_size otherwise.
void check_replica_slices(const Config& c, std::size_t examples, int replicas);

}  // namespace gaitsim
