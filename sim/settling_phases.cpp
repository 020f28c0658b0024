#include "sim/settling_phases.hpp"

#include <cstdio>
#include <iostream>
#include <sstream>

#include "neurons/rate_dynamics.hpp"
#include "plasticity/bp_rule.hpp"
#include "plasticity/layer_inverse.hpp"
#include "sim/engine.hpp"

namespace gaitsim {

namespace {

enum class TopDown { kGait, kTp, kBp, kFa };

// Target-phase right-hand side: state blocks b = l - 1 hold u_l for l = 1..L-1 (N x n_l);
// u_L = D_L is clamped. See settling_phases.hpp for the equations.
template <class T>
class TargetDynamics {
 public:
  TargetDynamics(const Network<T>& net, const Activity<T>& act, const ErrorSignals<T>& sig,
                 TopDown kind, bool transpose, double gamma, bool adaptive,
                 const LayerInverse<T>* inverse, const FaRule<T>* fa, double tau)
      : net_(net),
        act_(act),
        top_(sig.D[net.depth()]),
        kind_(kind),
        transpose_(transpose),
        gamma_(gamma),
        adaptive_(adaptive),
        inverse_(inverse),
        fa_(fa),
        tau_(tau) {
    const int L = net.depth();
    layout_.rows = act.batch();
    for (int l = 1; l < L; ++l) layout_.add(net.width(l));
    mult_.assign(L + 1, ColVec<T>::Ones(act.batch()));
    gamma_l_.assign(L + 1, ColVec<T>());
  }
  const StackedLayout<T>& layout() const { return layout_; }
  const std::vector<ColVec<T>>& mult() const { return mult_; }
  const std::vector<ColVec<T>>& gamma() const { return gamma_l_; }

  // u_l of a state (l = L: the clamped nudge).
  Eigen::Map<const Mat<T>> u(const std::vector<T>& s, int l) const {
    if (l == net_.depth()) return {top_.data(), top_.rows(), top_.cols()};
    return layout_.view(s, l - 1);
  }

  void operator()(const std::vector<T>& s, std::vector<T>& dsdt, double /*t*/) {
    const T inv_tau = T(1.0 / tau_);
    for (int l = net_.depth(); l >= 2; --l) {
      const auto ul = u(s, l);
      const auto below = layout_.view(s, l - 2);
      auto out = layout_.view(dsdt, l - 2);
      const Mat<T>& W = net_.layer(l).in.W;
      const Eigen::Index k = W.rows();
      drive(ul, l);  // r_ (gait/tp: r_l; bp/fa: e_l F^T already), mult_[l-1]
      if (kind_ == TopDown::kBp || kind_ == TopDown::kFa || !transpose_) {
        if (kind_ == TopDown::kGait || kind_ == TopDown::kTp) {
          target_.resize(ul.rows(), k);
          inverse_->solve(l, r_, target_);  // r_l W_l^-1
        }
        out.leftCols(k) = (target_ - below.leftCols(k)) * inv_tau;
      } else {
        resid_ = r_;
        resid_.noalias() -= below.leftCols(k) * W;  // r_l - u_{l-1} W_l
        out.leftCols(k).noalias() = resid_ * W.transpose();
        out.leftCols(k) *= inv_tau;
      }
      // auxiliary units keep their forward activity as target: u = 0
      if (out.cols() > k)
        out.rightCols(out.cols() - k) = -below.rightCols(out.cols() - k) * inv_tau;
    }
  }

  // Fills mult_ and gamma_l_ for the state s without evaluating the rest.
  void multipliers(const std::vector<T>& s) {
    for (int l = net_.depth(); l >= 2; --l) layer_gamma(u(s, l), l);
  }

 private:
  void layer_gamma(const Eigen::Map<const Mat<T>>& ul, int l) {
    if (kind_ != TopDown::kGait) {
      mult_[l - 1].setOnes(ul.rows());
      return;
    }
    ColVec<T>& g = gamma_l_[l];
    g.resize(ul.rows());
    if (!adaptive_) {
      g.setConstant(T(gamma_));
    } else {  // gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l||, ||t_l - h_l|| = ||u_l|| / mult_l
      const T scale = T(gamma_ * std::sqrt(double(ul.cols())));
      for (Eigen::Index n = 0; n < ul.rows(); ++n) {
        const T norm = ul.row(n).norm();
        g(n) = norm > T(0) ? scale * mult_[l](n) / norm : T(gamma_);
      }
    }
    mult_[l - 1] = mult_[l].cwiseQuotient(g);
  }

  void drive(const Eigen::Map<const Mat<T>>& ul, int l) {
    const auto& f = *net_.layer(l).f;
    layer_gamma(ul, l);
    switch (kind_) {
      case TopDown::kGait: {
        const ColVec<T> q = gamma_l_[l].cwiseQuotient(mult_[l]);
        const Mat<T>& d = act_.d[l];
        s_ = q.asDiagonal() * d.cwiseProduct(d).cwiseProduct(ul);
        f.inverse_difference(act_.h[l], s_, q, r_);
        break;
      }
      case TopDown::kTp:
        s_ = ul;
        f.inverse_difference(act_.h[l], s_, ColVec<T>::Ones(ul.rows()), r_);
        break;
      case TopDown::kBp:
      case TopDown::kFa: {
        const Mat<T>& F = kind_ == TopDown::kBp ? net_.layer(l).in.W : fa_->feedback(l);
        r_ = ul.cwiseProduct(act_.d[l]);
        target_.noalias() = r_ * F.transpose();
        break;
      }
    }
  }

  const Network<T>& net_;
  const Activity<T>& act_;
  const Mat<T>& top_;
  TopDown kind_;
  bool transpose_;
  double gamma_;
  bool adaptive_;
  const LayerInverse<T>* inverse_;
  const FaRule<T>* fa_;
  double tau_;
  StackedLayout<T> layout_;
  std::vector<ColVec<T>> mult_, gamma_l_;
  Mat<T> s_, r_, target_, resid_;
};

std::string layer_label(int l, const std::string& name) {
  return "layer " + std::to_string(l) + (name.empty() ? "" : " (" + name + ")");
}

}  // namespace

RelaxParams relax_params(const DynamicsConfig& d) {
  RelaxParams p;
  p.tau_ms = d.tau_ms;
  p.dt_ms = d.dt_ms;
  p.stepper = d.stepper;
  p.abs_tol = d.abs_tol;
  p.rel_tol = d.rel_tol;
  p.tol = d.tol;
  p.max_time_ms = d.max_time_ms;
  p.record_every_ms = d.record_every_ms;
  return p;
}

template <class T>
SettlingPhases<T>::SettlingPhases(const DynamicsConfig& dynamics, const LearningConfig& learning)
    : dyn_(dynamics), learning_(learning), params_(relax_params(dynamics)) {}

template <class T>
void SettlingPhases<T>::check(const RelaxReport& rep, const std::string& phase,
                              const Network<T>& net, int layer_of_block0) {
  const int l = rep.worst_block + layer_of_block0;
  const std::string where =
      l >= 1 && l <= net.depth() ? layer_label(l, net.layer(l).pop.name) : "no layer";
  if (!rep.finite) {
    std::ostringstream msg;
    msg << phase << " phase diverged: non-finite rates in " << where << " at t = " << rep.time_ms
        << " ms (step " << rep.steps << ")";
    throw Divergence(msg.str());
  }
  if (rep.converged) return;
  std::ostringstream msg;
  msg << phase << " phase did not converge within " << params_.max_time_ms << " ms (" << rep.steps
      << " steps): residual max|da/dt|*tau = " << rep.residual << " > tol " << params_.tol << " in "
      << where;
  if (dyn_.fail_on_nonconvergence) throw NonConvergence(msg.str());
  if (warnings_ < 5) std::cerr << "\nwarning: " << msg.str() << '\n';
  if (++warnings_ == 5) std::cerr << "warning: further non-convergence warnings suppressed\n";
}

template <class T>
void SettlingPhases<T>::free(const Network<T>& net, const Mat<T>& x, Activity<T>& act) {
  const int L = net.depth();
  for (int l = 1; l <= L; ++l) {
    if (!net.layer(l).in.dense()) {
      throw ConfigError("layer " + std::to_string(l) + " (" + net.layer(l).pop.name +
                        ") is convolutional: the settling dynamics are implemented for dense "
                        "networks; use dynamics.mode algebraic");
    }
  }
  FreeDynamics<T> sys(net, x, params_.tau_ms);
  const auto& layout = sys.layout();
  std::vector<T> a(static_cast<std::size_t>(layout.size()), T(0));
  std::function<void(double, const std::vector<T>&)> observe;
  if (recording_) {
    free_traj_ = {};
    free_traj_.rate.assign(L + 1, {});
    observe = [&](double t, const std::vector<T>& s) {
      free_traj_.time.push_back(t);
      Mat<T> al, hl;
      for (int l = 1; l <= L; ++l) {
        al = layout.view(s, l - 1);
        net.layer(l).f->f(al, hl);
        free_traj_.rate[l].push_back(hl.template cast<double>());
      }
    };
  }
  last_free_ = relax(sys, a, layout, params_, observe);
  this->stats_.free.add(last_free_);
  if (recording_) free_traj_.report = last_free_;
  check(last_free_, "free", net, 1);
  act.a.resize(L + 1);
  act.h.resize(L + 1);
  act.d.resize(L + 1);
  act.h[0] = x;
  for (int l = 1; l <= L; ++l) {
    act.a[l] = layout.view(a, l - 1);
    net.layer(l).f->f(act.a[l], act.h[l]);
    net.layer(l).f->df(act.a[l], act.d[l]);
  }
}

template <class T>
void SettlingPhases<T>::target(const Network<T>& net, const LearningRule<T>& rule,
                               const Activity<T>& act, ErrorSignals<T>& sig) {
  const int L = net.depth();
  const std::string algorithm = rule.name();
  TopDown kind;
  if (algorithm == "gait") {
    kind = TopDown::kGait;
  } else if (algorithm == "tp") {
    kind = TopDown::kTp;
  } else if (algorithm == "bp") {
    kind = TopDown::kBp;
  } else if (algorithm == "fa") {
    kind = TopDown::kFa;
  } else {
    throw ConfigError("dynamics.mode = settle: no settling dynamics for learning.algorithm '" +
                      algorithm + "' (gait | tp | bp | fa)");
  }
  const bool inverts = kind == TopDown::kGait || kind == TopDown::kTp;
  const bool transpose = dyn_.feedback == "transpose";
  LayerInverse<T> inverse;
  if (inverts && !transpose) inverse.factorize(net);  // once per batch
  const auto* fa = dynamic_cast<const FaRule<T>*>(&rule);
  if (kind == TopDown::kFa && !fa) throw std::logic_error("fa rule without feedback weights");
  const bool adaptive = learning_.adaptive_gamma;
  TargetDynamics<T> sys(net, act, sig, kind, transpose, learning_.gamma, adaptive, &inverse, fa,
                        params_.tau_ms);
  const auto& layout = sys.layout();
  std::vector<T> u(static_cast<std::size_t>(layout.size()), T(0));
  std::function<void(double, const std::vector<T>&)> observe;
  if (recording_) {
    target_traj_ = {};
    target_traj_.rate.assign(L + 1, {});
    target_traj_.delta.assign(L + 1, {});
    observe = [&](double t, const std::vector<T>& s) {
      target_traj_.time.push_back(t);
      sys.multipliers(s);
      for (int l = 1; l <= L; ++l) {
        const Mat<double> ul = sys.u(s, l).template cast<double>();
        const ColVec<double> m = sys.mult()[l].template cast<double>();
        // v_l = h_l - u_l / mult_l
        target_traj_.rate[l].push_back(act.h[l].template cast<double>() -
                                       m.cwiseInverse().asDiagonal() * ul);
        target_traj_.delta[l].push_back(ul);
      }
    };
  }
  last_target_ = relax(sys, u, layout, params_, observe);
  this->stats_.target.add(last_target_);
  if (recording_) target_traj_.report = last_target_;
  check(last_target_, "target", net, 1);
  sys.multipliers(u);
  for (int l = 1; l < L; ++l) {
    sig.D[l] = layout.view(u, l - 1);
    sig.mult[l] = sys.mult()[l];
    if (kind == TopDown::kGait) sig.gamma[l + 1] = sys.gamma()[l + 1];
  }
}

template <class T>
std::unique_ptr<Phases<T>> make_phases(const DynamicsConfig& dynamics,
                                       const LearningConfig& learning) {
  if (dynamics.mode == "algebraic") return std::make_unique<AlgebraicPhases<T>>();
  if (dynamics.mode == "settle") return std::make_unique<SettlingPhases<T>>(dynamics, learning);
  throw ConfigError("dynamics.mode = '" + dynamics.mode + "': expected one of algebraic | settle");
}

std::vector<std::string> phase_modes() { return {"algebraic", "settle"}; }

template class SettlingPhases<double>;
template class SettlingPhases<float>;
template std::unique_ptr<Phases<double>> make_phases(const DynamicsConfig&, const LearningConfig&);
template std::unique_ptr<Phases<float>> make_phases(const DynamicsConfig&, const LearningConfig&);

}  // namespace gaitsim
