#include "neurons/network.hpp"

namespace gaitsim {

template <class T>
void Network<T>::forward(const Mat<T>& x, Activity<T>& act) const {
  const int L = depth();
  act.a.resize(L + 1);
  act.h.resize(L + 1);
  act.d.resize(L + 1);
  act.h[0] = x;
  for (int l = 1; l <= L; ++l) {
    const Layer<T>& layer = this->layer(l);
    layer.in.drive(act.h[l - 1], act.a[l]);
    layer.f->f(act.a[l], act.h[l]);
    layer.f->df(act.a[l], act.d[l]);
  }
}

template class Network<double>;
template class Network<float>;

}  // namespace gaitsim
