#include "sim/settling_phases.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "neurons/rate_dynamics.hpp"
#include "neurons/trailing_average.hpp"
#include "plasticity/layer_inverse.hpp"
#include "sim/engine.hpp"

namespace gaitsim {

namespace {

// Target-phase right-hand side: state blocks b = l - 1 hold u_l for l = 1..L-1 (N x n_l);
// u_L = D_L is clamped. Each layer's drive is the rule's own top_down step, as in the algebraic
// sweep; see settling_phases.hpp for the equations.
template <class T>
class TargetDynamics {
 public:
  TargetDynamics(const Network<T>& net, const Activity<T>& act, const ErrorSignals<T>& sig,
                 const LearningRule<T>& rule, bool transpose, const InversePathway<T>* inverse,
                 std::vector<double> tau)
      : net_(net),
        act_(act),
        top_(sig.D[net.depth()]),
        rule_(rule),
        transpose_(transpose),
        inverse_(inverse),
        tau_(std::move(tau)) {
    const int L = net.depth();
    layout_.rows = act.batch();
    for (int l = 1; l < L; ++l) layout_.add(net.width(l));
    mult_.assign(L + 1, ColVec<T>::Ones(act.batch()));
    gamma_.assign(L + 1, ColVec<T>());
    clipped_.assign(L + 1, 0);
  }
  const StackedLayout<T>& layout() const { return layout_; }
  const std::vector<ColVec<T>>& mult() const { return mult_; }
  const std::vector<ColVec<T>>& gamma() const { return gamma_; }
  // Clipped nudged activities per layer at the last state stepped (the settled one after
  // multipliers) [count]
  const std::vector<std::int64_t>& clipped() const { return clipped_; }

  // u_l of a state (l = L: the clamped nudge).
  Eigen::Map<const Mat<T>> u(const std::vector<T>& s, int l) const {
    if (l == net_.depth()) return {top_.data(), top_.rows(), top_.cols()};
    return layout_.view(s, l - 1);
  }

  void operator()(const std::vector<T>& s, std::vector<T>& dsdt, double /*t*/) {
    for (int l = net_.depth(); l >= 2; --l) {
      const T inv_tau = T(1.0 / tau_[l - 2]);  // the target state of population l - 1
      const auto below = layout_.view(s, l - 2);
      auto out = layout_.view(dsdt, l - 2);
      const Mat<T>& W = net_.layer(l).in.W;
      const Eigen::Index k = W.rows();
      step(s, l);                       // r_l, mult_[l-1]
      if (step_.feedback != nullptr) {  // relax toward r_l F^T (BP, FA: their own feedback)
        target_.noalias() = step_.r * step_.feedback->transpose();
        out.leftCols(k) = (target_ - below.leftCols(k)) * inv_tau;
      } else if (!transpose_) {  // relax toward r_l W_l^-1 (learned feedback: r_l Q_l)
        target_.resize(layout_.rows, k);
        inverse_->solve(l, step_.r, target_);
        out.leftCols(k) = (target_ - below.leftCols(k)) * inv_tau;
      } else {  // gradient flow of ||r_l - u_{l-1} W_l||^2 / 2
        resid_ = step_.r;
        resid_.noalias() -= below.leftCols(k) * W;  // r_l - u_{l-1} W_l
        out.leftCols(k).noalias() = resid_ * W.transpose();
        out.leftCols(k) *= inv_tau;
      }
      // auxiliary units keep their forward activity as target: u = 0
      if (out.cols() > k)
        out.rightCols(out.cols() - k) = -below.rightCols(out.cols() - k) * inv_tau;
    }
  }

  // Fills mult_, gamma_ and clipped_ for the state s.
  void multipliers(const std::vector<T>& s) {
    for (int l = net_.depth(); l >= 2; --l) step(s, l);
  }

 private:
  // The rule's step of layer l at the current u_l: step_, gamma_[l], mult_[l-1].
  void step(const std::vector<T>& s, int l) {
    ul_ = u(s, l);
    step_.clipped = 0;
    rule_.top_down(net_, act_, l, ul_, mult_[l], step_);
    clipped_[l] = step_.clipped;
    gamma_[l] = step_.gamma;
    mult_[l - 1] = step_.mult;
  }

  const Network<T>& net_;
  const Activity<T>& act_;
  const Mat<T>& top_;
  const LearningRule<T>& rule_;
  bool transpose_;
  const InversePathway<T>* inverse_;
  std::vector<double> tau_;  // per population 1..L [ms]
  StackedLayout<T> layout_;
  std::vector<ColVec<T>> mult_, gamma_;
  std::vector<std::int64_t> clipped_;
  TopDownStep<T> step_;
  Mat<T> ul_, target_, resid_;
};

std::string layer_label(int l, const std::string& name) {
  return "layer " + std::to_string(l) + (name.empty() ? "" : " (" + name + ")");
}

}  // namespace

PhaseView trajectory_view(const PhaseTrajectory& p, bool with_delta) {
  const RelaxReport& r = p.report;
  return {p.time,
          p.rate,
          with_delta ? &p.delta : nullptr,
          {r.converged, r.converged ? r.convergence_time_ms : std::nan(""), r.residual,
           static_cast<long long>(r.steps)}};
}

RelaxParams relax_params(const DynamicsConfig& d) {
  RelaxParams p;
  p.tau_ms = d.tau_ms;
  p.block_tau_ms = d.population_tau_ms;  // block b holds population b + 1 in both phases
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
SettlingPhases<T>::SettlingPhases(const DynamicsConfig& dynamics)
    : dyn_(dynamics), params_(relax_params(dynamics)) {}

template <class T>
void SettlingPhases<T>::set_noise(const RateNoise* noise) {
  Phases<T>::set_noise(noise);
  if (this->noise_ != nullptr && params_.stepper != "euler") {
    throw ConfigError("dynamics.stepper = '" + params_.stepper +
                      "' with noise.rate_std > 0: expected euler (Euler-Maruyama; the adaptive "
                      "dopri5 has no stochastic form)");
  }
}

template <class T>
RelaxParams SettlingPhases<T>::phase_params(const RateNoise* noise) const {
  RelaxParams p = params_;
  // a noisy residual never falls below tol; an average is taken over a window that ends at
  // max_time_ms, not over the approach to a fixed point that happened to be reached early
  p.fixed_time = noise != nullptr || dyn_.average_ms > 0;
  return p;
}

template <class T>
template <class F>
std::function<void(long long, double, std::vector<T>&)> SettlingPhases<T>::stepped(
    const RateNoise* noise, const F& after_step) const {
  if (noise == nullptr && dyn_.average_ms <= 0) return {};  // noiseless: as before
  return after_step;
}

template <class T>
std::vector<double> SettlingPhases<T>::population_tau(const Network<T>& net) const {
  const auto L = static_cast<std::size_t>(net.depth());
  if (dyn_.population_tau_ms.empty()) return std::vector<double>(L, dyn_.tau_ms);
  if (dyn_.population_tau_ms.size() != L) {
    throw ConfigError("dynamics.tau_ms lists " + std::to_string(dyn_.population_tau_ms.size()) +
                      " time constants: expected one per population 1..L, " + std::to_string(L) +
                      " for this network (or a single number)");
  }
  return dyn_.population_tau_ms;
}

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
  FreeDynamics<T> sys(net, x, population_tau(net));
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
  // Euler-Maruyama: a_l += sigma sqrt(2 h / tau_l) xi after each Euler step of length h.
  const std::vector<double> tau = population_tau(net);
  TrailingAverage<T> average(dyn_.average_ms);
  const auto after_step = [&](long long k, double h, std::vector<T>& s) {
    for (int l = 1; this->noise_ != nullptr && l <= L; ++l) {
      auto block = layout.view(s, l - 1);
      this->noise_->template add<T>(l, NoisePhase::kFree, k, block, std::sqrt(2 * h / tau[l - 1]));
    }
    if (dyn_.average_ms > 0) average.push(h, s);
  };
  last_free_ =
      relax(sys, a, layout, phase_params(this->noise_), observe, stepped(this->noise_, after_step));
  average.mean(a);  // the phase's rates averaged over its last average_ms
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
  const bool transpose = dyn_.feedback == "transpose";
  LayerInverse<T> exact;
  const InversePathway<T>* inverse = rule.learned_inverse();
  if (rule.inverts_layers() && !transpose && inverse == nullptr) {
    exact.factorize(net);  // once per batch
    inverse = &exact;
  }
  TargetDynamics<T> sys(net, act, sig, rule, transpose, inverse, population_tau(net));
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
        // v_l = h_l - u_l / mult_l
        target_traj_.rate[l].push_back(target_from_delta<double>(
            act.h[l].template cast<double>(), ul, sys.mult()[l].template cast<double>()));
        target_traj_.delta[l].push_back(ul);
      }
    };
  }
  // Euler-Maruyama on the target states v_l (l < L; the output is clamped): in delta coordinates
  // u_l += mult_l sigma sqrt(2 h / tau_l) xi, with mult_l of the state the step started from
  // (the rule's multipliers at the last right-hand side).
  const RateNoise* noise = rule.inverts_layers() ? this->noise_ : nullptr;
  const std::vector<double> tau = population_tau(net);
  TrailingAverage<T> average(dyn_.average_ms);
  const auto after_step = [&](long long k, double h, std::vector<T>& s) {
    for (int l = 1; noise != nullptr && l < L; ++l) {
      auto block = layout.view(s, l - 1);
      noise->template add<T>(l, NoisePhase::kTarget, k, block, std::sqrt(2 * h / tau[l - 1]),
                             &sys.mult()[l]);
    }
    if (dyn_.average_ms > 0) average.push(h, s);
  };
  // with noise on, bp's and fa's noiseless target phase runs the same fixed time
  last_target_ =
      relax(sys, u, layout, phase_params(this->noise_), observe, stepped(noise, after_step));
  average.mean(u);
  this->stats_.target.add(last_target_);
  if (recording_) target_traj_.report = last_target_;
  check(last_target_, "target", net, 1);
  sys.multipliers(u);
  for (int l = 1; l < L; ++l) {
    sig.D[l] = layout.view(u, l - 1);
    sig.mult[l] = sys.mult()[l];
    sig.gamma[l + 1] = sys.gamma()[l + 1];
  }
  sig.clipped = sys.clipped();
}

template <class T>
std::unique_ptr<Phases<T>> make_phases(const DynamicsConfig& dynamics) {
  if (dynamics.mode == "algebraic") return std::make_unique<AlgebraicPhases<T>>();
  if (dynamics.mode == "settle") return std::make_unique<SettlingPhases<T>>(dynamics);
  throw ConfigError("dynamics.mode = '" + dynamics.mode + "': expected one of algebraic | settle");
}

template class SettlingPhases<double>;
template class SettlingPhases<float>;
template std::unique_ptr<Phases<double>> make_phases(const DynamicsConfig&);
template std::unique_ptr<Phases<float>> make_phases(const DynamicsConfig&);

}  // namespace gaitsim
