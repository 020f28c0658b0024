#include "sim/replica_group.hpp"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <string>

namespace gaitsim {

void ReplicaGroup::abort(int code) {
  assert(false && "a replica alone has no others to end");
  std::exit(code);
}

void check_replica_slices(const Config& c, std::size_t examples, int replicas) {
  const long long p = replicas;
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

}  // namespace gaitsim
