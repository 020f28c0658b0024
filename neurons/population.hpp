#pragma once
#include <string>

#include "neurons/transfer.hpp"

namespace gaitsim {

// A population of rate neurons. Its first `passed_on` units drive the population above; the
// others are auxiliary: they exist so that the projection into this population is square
// (invertible), and their target is always their own forward activity.
struct PopulationParams {
  std::string name;         // as printed and recorded: "input", "hidden1", ..., "output"
  int width = 0;            // units in the population [count]
  int passed_on = 0;        // leading units read by the population above [count]
  TransferParams transfer;  // f of the units
};

}  // namespace gaitsim
