#pragma once
// A feed-forward stack of rate populations joined by projections (dense or conv): population 0 is
// the input (clamped), populations 1..L are driven by the projection below them.
#include <memory>
#include <vector>

#include "neurons/population.hpp"
#include "neurons/projection.hpp"

namespace gaitsim {

template <class T>
struct Layer {
  PopulationParams pop;
  std::shared_ptr<const Transfer> f;  // the population's transfer function
  Projection<T> in;                   // the projection driving this population
};

// Forward activity of one batch, indexed by population l = 0..L (index 0: the input).
template <class T>
struct Activity {
  std::vector<Mat<T>> a;  // pre-activation a_l (a[0] unused)
  std::vector<Mat<T>> h;  // rate h_l = f(a_l); h[0] = x
  std::vector<Mat<T>> d;  // derivative d_l = f'(a_l) (d[0] unused)
  Eigen::Index batch() const { return h.empty() ? 0 : h[0].rows(); }
};

template <class T>
class Network {
 public:
  PopulationParams input;        // population 0
  std::vector<Layer<T>> layers;  // layers[l - 1] is population l
  int classes = 0;               // the first `classes` output units are the class units

  int depth() const { return static_cast<int>(layers.size()); }  // L
  Layer<T>& layer(int l) { return layers[l - 1]; }
  const Layer<T>& layer(int l) const { return layers[l - 1]; }
  int width(int l) const { return l == 0 ? input.width : layer(l).pop.width; }
  const PopulationParams& population(int l) const { return l == 0 ? input : layer(l).pop; }

  // Free phase, algebraically: a_l = h_{l-1} W_l + b_l, h_l = f(a_l), d_l = f'(a_l).
  void forward(const Mat<T>& x, Activity<T>& act) const;

  // The same network in another precision.
  template <class U>
  Network<U> cast() const;
};

template <class T>
template <class U>
Network<U> Network<T>::cast() const {
  Network<U> out;
  out.input = input;
  out.classes = classes;
  for (const auto& layer : layers) {
    out.layers.push_back({layer.pop,
                          layer.f,
                          {layer.in.W.template cast<U>(), layer.in.b.template cast<U>(),
                           layer.in.wiring, layer.in.mask, layer.in.signs}});
    if (layer.in.dann) {
      // W = W^EE - W^IE W^EI in the new precision, as every optimiser step computes it there
      auto& in = out.layers.back().in;
      in.dann = layer.in.dann->template cast<U>();
      in.dann->effective(in.W);
    }
  }
  return out;
}

extern template class Network<double>;
extern template class Network<float>;

}  // namespace gaitsim
