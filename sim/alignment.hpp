#pragma once
// Agreement of a rule with backprop: per layer, the cosine similarity and angle between the
// rule's weight update and BP's on the same batch (orthogonality term excluded).
#include <vector>

#include "sim/engine.hpp"

namespace gaitsim {

struct LayerAlignment {
  double cosine = 0;
  double angle_deg = 0;  // [deg]
};

template <class T>
struct AlignmentResult {
  Gradients<T> rule, bp;
  std::vector<LayerAlignment> layers;  // layers[l - 1] for l = 1..L
};

template <class T>
AlignmentResult<T> measure_alignment(Engine<T>& engine, const Mat<T>& x, const Eigen::VectorXi& y);

extern template AlignmentResult<double> measure_alignment(Engine<double>&, const Mat<double>&,
                                                          const Eigen::VectorXi&);
extern template AlignmentResult<float> measure_alignment(Engine<float>&, const Mat<float>&,
                                                         const Eigen::VectorXi&);

}  // namespace gaitsim
