#include "sim/alignment.hpp"

#include "analysis/vector_stats.hpp"

namespace gaitsim {

template <class T>
AlignmentResult<T> measure_alignment(Engine<T>& engine, const Mat<T>& x, const Eigen::VectorXi& y) {
  AlignmentResult<T> out;
  engine.updates(engine.bp(), x, y, out.bp);
  engine.updates(engine.rule(), x, y, out.rule);
  for (int l = 1; l <= engine.network().depth(); ++l) {
    const double c = analysis::cosine_similarity(out.rule.dW[l].template cast<double>(),
                                                 out.bp.dW[l].template cast<double>());
    out.layers.push_back({c, analysis::angle_degrees(c)});
  }
  return out;
}

template AlignmentResult<double> measure_alignment(Engine<double>&, const Mat<double>&,
                                                   const Eigen::VectorXi&);
template AlignmentResult<float> measure_alignment(Engine<float>&, const Mat<float>&,
                                                  const Eigen::VectorXi&);

}  // namespace gaitsim
