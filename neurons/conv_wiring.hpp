#pragma once
// Convolutional synapses with SAME padding (gait-prop.md, "Network"): at every output position p
// the flattened input patch P_p(x) (length c_in k k, zeros where it overhangs the image) drives
// the population's channels at p through one kernel matrix W:
//     a_p = P_p(x) W + b,     W is (c_in k k) x channels.
// An invertible layer has channels = D = c_in k k (W square); only the first `passed_on`
// channels reach the layer above, the rest are auxiliary.
//
// Unit layouts. The image a conv layer reads is the leading c_in H W units of the population
// below: planar (c, y, x) for the input population (the datasets' C x H x W order), or
// interleaved (y, x, c) for a conv population. A conv population stores its passed-on channels
// first, interleaved over the output positions, then its auxiliary channels, so that the layer
// above reads a contiguous leading block (and a dense layer above reads them as they are).
// In a patch, element j = (ky k + kx) c_in + c.
#include <vector>

#include "neurons/wiring.hpp"

namespace gaitsim {

enum class ImageLayout { kPlanar, kInterleaved };

struct ConvParams {
  int in_channels = 1;  // channels of the image read from below [count]
  int in_height = 1;    // [pixels]
  int in_width = 1;     // [pixels]
  ImageLayout in_layout = ImageLayout::kPlanar;
  int kernel = 3;     // side k of the square receptive field [pixels]
  int stride = 1;     // step between receptive fields [pixels]
  int channels = 1;   // channels of the population above [count]
  int passed_on = 1;  // leading channels the layer above reads [count]
};

// SAME padding: out = ceil(in / stride), the overhang split with the smaller part before.
struct ConvGeometry {
  int out_height = 0, out_width = 0;  // [pixels]
  int pad_top = 0, pad_left = 0;      // [pixels]
  int positions = 0;                  // out_height * out_width [count]
  int patch = 0;                      // c_in k k [count]
  std::vector<int> source;            // unit below read by (p, j), at j * positions + p; -1: pad
};

class ConvWiring : public WiringFor<ConvWiring> {
 public:
  explicit ConvWiring(const ConvParams& params);
  std::string kind() const override { return "conv"; }
  Eigen::Index pre_units() const override {
    return Eigen::Index(p_.in_channels) * p_.in_height * p_.in_width;
  }
  Eigen::Index post_units() const override { return Eigen::Index(g_.positions) * p_.channels; }

  const ConvParams& params() const { return p_; }
  const ConvGeometry& geometry() const { return g_; }
  // Unit of the population above that holds channel c at position p.
  Eigen::Index post_unit(int p, int c) const;
  // How many receptive fields cover each image unit below (0 where none does).
  std::vector<int> coverage() const;

  // Patch rows X ((N positions) x patch, row n * positions + p) of the image in h_pre.
  template <class T>
  void patches(const Mat<T>& h_pre, Mat<T>& X) const;
  // Row form R ((N positions) x channels) of a population-shaped Z (N x post_units) and back.
  template <class T>
  void to_rows(const Mat<T>& Z, Mat<T>& R) const;
  template <class T>
  void from_rows(const Mat<T>& R, Mat<T>& Z) const;
  // pre[:, :pre_units] = the patches X put back in place, summed where they overlap (a
  // transposed convolution); padding positions are dropped.
  template <class T>
  void scatter(const Mat<T>& X, Mat<T>& pre) const;

  template <class T>
  void drive_t(const Mat<T>& W, const RowVec<T>& b, const Mat<T>& h_pre, Mat<T>& a) const;
  template <class T>
  void pull_back_t(const Mat<T>& E, const RowMap<T>& map, Mat<T>& pre) const;
  template <class T>
  void weight_gradient_t(const Mat<T>& h_pre, const Mat<T>& E, Mat<T>& dW, RowVec<T>& db) const;

 private:
  ConvParams p_;
  ConvGeometry g_;
};

}  // namespace gaitsim
