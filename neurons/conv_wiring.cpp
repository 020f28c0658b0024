#include "neurons/conv_wiring.hpp"

#include <algorithm>
#include <cassert>

namespace gaitsim {

namespace {

// SAME padding along one axis: out = ceil(in / s); the total overhang (out - 1) s + k - in is
// split with the smaller half before the image.
void same_padding(int in, int k, int s, int& out, int& before) {
  out = (in + s - 1) / s;
  before = std::max((out - 1) * s + k - in, 0) / 2;
}

int image_unit(const ConvParams& p, int c, int y, int x) {
  return p.in_layout == ImageLayout::kPlanar ? (c * p.in_height + y) * p.in_width + x
                                             : (y * p.in_width + x) * p.in_channels + c;
}

ConvGeometry make_geometry(const ConvParams& p) {
  ConvGeometry g;
  same_padding(p.in_height, p.kernel, p.stride, g.out_height, g.pad_top);
  same_padding(p.in_width, p.kernel, p.stride, g.out_width, g.pad_left);
  g.positions = g.out_height * g.out_width;
  g.patch = p.in_channels * p.kernel * p.kernel;
  g.source.assign(std::size_t(g.patch) * g.positions, -1);
  for (int ky = 0; ky < p.kernel; ++ky) {
    for (int kx = 0; kx < p.kernel; ++kx) {
      for (int c = 0; c < p.in_channels; ++c) {
        const int j = (ky * p.kernel + kx) * p.in_channels + c;
        for (int oy = 0; oy < g.out_height; ++oy) {
          for (int ox = 0; ox < g.out_width; ++ox) {
            const int y = oy * p.stride - g.pad_top + ky, x = ox * p.stride - g.pad_left + kx;
            if (y < 0 || y >= p.in_height || x < 0 || x >= p.in_width) continue;
            g.source[std::size_t(j) * g.positions + oy * g.out_width + ox] = image_unit(p, c, y, x);
          }
        }
      }
    }
  }
  return g;
}

}  // namespace

ConvWiring::ConvWiring(const ConvParams& params) : p_(params), g_(make_geometry(params)) {
  assert(p_.passed_on >= 1 && p_.passed_on <= p_.channels);
}

Eigen::Index ConvWiring::post_unit(int p, int c) const {
  const int F = p_.passed_on;
  return c < F ? Eigen::Index(p) * F + c
               : Eigen::Index(g_.positions) * F + Eigen::Index(p) * (p_.channels - F) + (c - F);
}

std::vector<int> ConvWiring::coverage() const {
  std::vector<int> count(pre_units(), 0);
  for (int s : g_.source) {
    if (s >= 0) ++count[s];
  }
  return count;
}

// Every loop runs over samples n (one thread each): a sample's units, a column of the
// transposed population, stay in cache while its rows are filled contiguously in p.
template <class T>
void ConvWiring::patches(const Mat<T>& h_pre, Mat<T>& X) const {
  const Eigen::Index N = h_pre.rows(), P = g_.positions;
  const Mat<T> image = h_pre.leftCols(pre_units()).transpose();
  X.resize(N * P, g_.patch);
#pragma omp parallel for schedule(static) num_threads(Eigen::nbThreads())
  for (Eigen::Index n = 0; n < N; ++n) {
    const T* in = image.col(n).data();
    for (int j = 0; j < g_.patch; ++j) {
      const int* src = g_.source.data() + std::size_t(j) * P;
      T* out = X.col(j).data() + n * P;
      for (Eigen::Index p = 0; p < P; ++p) out[p] = src[p] >= 0 ? in[src[p]] : T(0);
    }
  }
}

template <class T>
void ConvWiring::to_rows(const Mat<T>& Z, Mat<T>& R) const {
  const Eigen::Index N = Z.rows(), P = g_.positions;
  assert(Z.cols() == post_units());
  const Mat<T> units = Z.transpose();
  R.resize(N * P, p_.channels);
#pragma omp parallel for schedule(static) num_threads(Eigen::nbThreads())
  for (Eigen::Index n = 0; n < N; ++n) {
    for (int c = 0; c < p_.channels; ++c) {
      for (Eigen::Index p = 0; p < P; ++p) R(n * P + p, c) = units(post_unit(int(p), c), n);
    }
  }
}

template <class T>
void ConvWiring::from_rows(const Mat<T>& R, Mat<T>& Z) const {
  const Eigen::Index P = g_.positions, N = R.rows() / P;
  Mat<T> units(post_units(), N);
#pragma omp parallel for schedule(static) num_threads(Eigen::nbThreads())
  for (Eigen::Index n = 0; n < N; ++n) {
    for (int c = 0; c < p_.channels; ++c) {
      for (Eigen::Index p = 0; p < P; ++p) units(post_unit(int(p), c), n) = R(n * P + p, c);
    }
  }
  Z = units.transpose();
}

template <class T>
void ConvWiring::scatter(const Mat<T>& X, Mat<T>& pre) const {
  const Eigen::Index P = g_.positions, N = X.rows() / P;
  Mat<T> image = Mat<T>::Zero(pre_units(), N);
#pragma omp parallel for schedule(static) num_threads(Eigen::nbThreads())
  for (Eigen::Index n = 0; n < N; ++n) {
    T* out = image.col(n).data();
    for (int j = 0; j < g_.patch; ++j) {
      const int* src = g_.source.data() + std::size_t(j) * P;
      const T* in = X.col(j).data() + n * P;
      for (Eigen::Index p = 0; p < P; ++p) {
        if (src[p] >= 0) out[src[p]] += in[p];
      }
    }
  }
  pre.leftCols(pre_units()) = image.transpose();
}

// a_p = P_p(h_pre) W + b at every position p
template <class T>
void ConvWiring::drive_t(const Mat<T>& W, const RowVec<T>& b, const Mat<T>& h_pre,
                         Mat<T>& a) const {
  Mat<T> X, A;
  patches(h_pre, X);
  A.noalias() = X * W;
  A.rowwise() += b;
  from_rows(A, a);
}

template <class T>
void ConvWiring::pull_back_t(const Mat<T>& E, const RowMap<T>& map, Mat<T>& pre) const {
  Mat<T> R, M;
  to_rows(E, R);
  map(R, M);
  scatter(M, pre);
}

// dW = sum_p P_p(h_pre)^T E_p / N: the kernel is shared by the positions, the batch is averaged.
template <class T>
void ConvWiring::weight_gradient_t(const Mat<T>& h_pre, const Mat<T>& E, Mat<T>& dW,
                                   RowVec<T>& db) const {
  Mat<T> X, R;
  patches(h_pre, X);
  to_rows(E, R);
  const T inv_n = T(1) / T(E.rows());
  dW.noalias() = inv_n * (X.transpose() * R);
  db = inv_n * R.colwise().sum();
}

#define GAITSIM_CONV_WIRING(T)                                                                  \
  template void ConvWiring::patches<T>(const Mat<T>&, Mat<T>&) const;                           \
  template void ConvWiring::to_rows<T>(const Mat<T>&, Mat<T>&) const;                           \
  template void ConvWiring::from_rows<T>(const Mat<T>&, Mat<T>&) const;                         \
  template void ConvWiring::scatter<T>(const Mat<T>&, Mat<T>&) const;                           \
  template void ConvWiring::drive_t<T>(const Mat<T>&, const RowVec<T>&, const Mat<T>&, Mat<T>&) \
      const;                                                                                    \
  template void ConvWiring::pull_back_t<T>(const Mat<T>&, const RowMap<T>&, Mat<T>&) const;     \
  template void ConvWiring::weight_gradient_t<T>(const Mat<T>&, const Mat<T>&, Mat<T>&,         \
                                                 RowVec<T>&) const;
GAITSIM_CONV_WIRING(double)
GAITSIM_CONV_WIRING(float)
#undef GAITSIM_CONV_WIRING

}  // namespace gaitsim
