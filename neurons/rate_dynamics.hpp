#pragma once
// Population dynamics in time (gait-prop.md, "Two-phase settling"; docs/dynamics.md).
//
// A whole batch of N stimuli relaxes together as one ODE state: a std::vector<T> holding the
// stacked per-layer blocks (each N x n_b, column-major), viewed as Eigen matrices through
// Eigen::Map. Right-hand sides are Boost.Odeint "systems" `(const state&, state& dxdt, double t)`
// that do not know the stepper; `relax` integrates one with Euler (fixed step) or
// runge_kutta_dopri5 (adaptive, abs/rel tolerances) in its own loop, so that it can stop on the
// residual max |dx/dt| * tau < tol between steps and record the state every record_every_ms.
#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "neurons/network.hpp"
#include "neurons/relaxation.hpp"

namespace gaitsim {

// Blocks of N x n_b values stacked in one flat state.
template <class T>
struct StackedLayout {
  Eigen::Index rows = 0;
  std::vector<Eigen::Index> cols, offset;  // per block
  Eigen::Index size() const { return offset.empty() ? 0 : offset.back() + rows * cols.back(); }
  void add(Eigen::Index n) {
    offset.push_back(offset.empty() ? 0 : offset.back() + rows * cols.back());
    cols.push_back(n);
  }
  int blocks() const { return static_cast<int>(cols.size()); }
  Eigen::Map<Mat<T>> view(std::vector<T>& s, int b) const {
    return {s.data() + offset[b], rows, cols[b]};
  }
  Eigen::Map<const Mat<T>> view(const std::vector<T>& s, int b) const {
    return {s.data() + offset[b], rows, cols[b]};
  }
};

// Free phase, input clamped (gait-prop.md): tau_l da_l/dt = -a_l + r_{l-1}[:, :k] W_l + b_l with
// r_l = f(a_l), r_0 = x. Block b = l - 1 holds a_l (N x n_l). Fixed point: the forward pass.
template <class T>
class FreeDynamics {
 public:
  FreeDynamics(const Network<T>& net, const Mat<T>& x, double tau_ms)
      : FreeDynamics(net, x, std::vector<double>(std::size_t(net.depth()), tau_ms)) {}
  // tau_ms[l - 1]: the time constant of population l = 1..L [ms]
  FreeDynamics(const Network<T>& net, const Mat<T>& x, std::vector<double> tau_ms)
      : net_(net), x_(x), tau_(std::move(tau_ms)) {
    assert(static_cast<int>(tau_.size()) == net.depth() && "one tau per population");
    layout_.rows = x.rows();
    for (int l = 1; l <= net.depth(); ++l) layout_.add(net.width(l));
    r_.resize(net.depth() + 1);
  }
  const StackedLayout<T>& layout() const { return layout_; }

  void operator()(const std::vector<T>& a, std::vector<T>& dadt, double /*t*/) {
    for (int l = 1; l <= net_.depth(); ++l) {
      const T inv_tau = T(1.0 / tau_[l - 1]);
      const auto& layer = net_.layer(l);
      const Mat<T>& below = l == 1 ? x_ : r_[l - 1];
      auto out = layout_.view(dadt, l - 1);
      out.noalias() = below.leftCols(layer.in.W.rows()) * layer.in.W;
      out.rowwise() += layer.in.b;
      out -= layout_.view(a, l - 1);
      out *= inv_tau;
      if (l < net_.depth()) {  // r_l = f(a_l) for the layer above
        a_tmp_ = layout_.view(a, l - 1);
        layer.f->f(a_tmp_, r_[l]);
      }
    }
  }

 private:
  const Network<T>& net_;
  const Mat<T>& x_;
  std::vector<double> tau_;  // per population [ms]
  StackedLayout<T> layout_;
  std::vector<Mat<T>> r_;
  Mat<T> a_tmp_;
};

// max |dxdt| * tau over the state (tau of each block when p.block_tau_ms is set, else p.tau_ms),
// and the block holding it (or the first non-finite value).
template <class T>
void residual_of(const std::vector<T>& dxdt, const StackedLayout<T>& layout, const RelaxParams& p,
                 RelaxReport& rep) {
  const bool per_block = !p.block_tau_ms.empty();
  double worst = 0;
  rep.worst_block = -1;
  rep.finite = true;
  for (int b = 0; b < layout.blocks(); ++b) {
    const auto v = layout.view(dxdt, b);
    const double m = (v.size() ? double(v.cwiseAbs().maxCoeff()) : 0.0) *
                     (per_block ? p.block_tau_ms[std::size_t(b)] : 1.0);
    if (!std::isfinite(m) || !v.allFinite()) {
      rep.finite = false;
      rep.worst_block = b;
      rep.residual = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    if (m > worst || rep.worst_block < 0) {
      worst = std::max(worst, m);
      rep.worst_block = b;
    }
  }
  rep.residual = per_block ? worst : worst * p.tau_ms;
}

// Integrates `system` from `state` (in place) until the residual falls below p.tol (converged),
// the time reaches p.max_time_ms, or the state becomes non-finite (report.finite = false). With
// p.min_time_ms > 0 a converged state keeps being integrated (it stays at the fixed point) until
// that time, so that runs of different batches share one time axis. With p.fixed_time the
// residual is not tested: the phase runs to p.max_time_ms (noisy dynamics never converge).
// observe(t, state) is called at t = 0, every p.record_every_ms (when > 0; dopri5 shortens its
// steps to land on them) and at the end. after_step(k, h, state) is called after accepted step
// k = 1, 2, ... of length h [ms], before the derivative at the new state is taken: the place for
// Euler-Maruyama's noise increment and for averaging the state.
template <class T, class System>
RelaxReport relax(
    System& system, std::vector<T>& state, const StackedLayout<T>& layout, const RelaxParams& p,
    const std::type_identity_t<std::function<void(double, const std::vector<T>&)>>& observe = {},
    const std::type_identity_t<std::function<void(long long, double, std::vector<T>&)>>&
        after_step = {}) {
  namespace odeint = boost::numeric::odeint;
  using State = std::vector<T>;
  RelaxReport rep;
  State dxdt(state.size());
  double t = 0;
  auto sys = [&](const State& x, State& dx, double tt) {
    ++rep.rhs_evals;
    system(x, dx, tt);
  };
  const bool record = static_cast<bool>(observe);
  const double every = p.record_every_ms;
  double next_record = record && every > 0 ? every : std::numeric_limits<double>::infinity();
  if (record) observe(0.0, state);
  sys(state, dxdt, t);
  residual_of(dxdt, layout, p, rep);
  auto done = [&] {
    if (!rep.finite) return true;
    if (p.fixed_time) return t >= p.max_time_ms * (1 - 1e-12);
    if (rep.residual < p.tol) {
      if (!rep.converged) rep.convergence_time_ms = t;
      rep.converged = true;
      if (t >= p.min_time_ms * (1 - 1e-12)) return true;
    } else {
      rep.converged = false;
      rep.convergence_time_ms = -1;
    }
    return t >= p.max_time_ms * (1 - 1e-12);
  };
  double last_observed = 0;
  auto maybe_record = [&] {
    if (!record || t < next_record * (1 - 1e-12)) return;
    observe(t, state);
    last_observed = t;
    while (next_record <= t * (1 + 1e-12)) next_record += every;
  };
  if (p.stepper == "euler") {
    odeint::euler<State, T, State, double> stepper;
    while (!done()) {
      const double h = std::min(p.dt_ms, p.max_time_ms - t);
      stepper.do_step(sys, state, dxdt, t,
                      h);  // x += h * dxdt(x): dxdt is reused, not re-evaluated
      t += h;
      ++rep.steps;
      if (after_step) after_step(rep.steps, h, state);
      maybe_record();
      sys(state, dxdt, t);
      residual_of(dxdt, layout, p, rep);
    }
  } else if (p.stepper == "dopri5") {
    // Near the fixed point the controller grows dt to the stepper's stability limit, where the
    // state keeps errors of the size of its tolerances: both are capped at tol/10 so that the
    // residual can fall below tol.
    auto stepper =
        odeint::make_controlled(std::min(p.abs_tol, 0.1 * p.tol), std::min(p.rel_tol, 0.1 * p.tol),
                                odeint::runge_kutta_dopri5<State, T, State, double>());
    double dt = p.dt_ms;
    int failures = 0;
    while (!done()) {
      double h = std::min({dt, p.max_time_ms - t, next_record - t});
      // FSAL: on success dxdt holds the derivative at the new state, i.e. the residual.
      if (stepper.try_step(sys, state, dxdt, t, h) == odeint::success) {
        ++rep.steps;
        failures = 0;
        if (after_step) after_step(rep.steps, h, state);  // averaging only: noise needs euler
        maybe_record();
        residual_of(dxdt, layout, p, rep);
      } else if (++failures > 200 || !(h > 0) || !std::isfinite(h)) {
        rep.finite = false;  // the controller cannot find a step: the state blows up
        residual_of(dxdt, layout, p, rep);
        break;
      }
      dt = h;
    }
  } else {
    throw std::invalid_argument("unknown stepper '" + p.stepper + "' (euler | dopri5)");
  }
  rep.time_ms = t;
  if (p.fixed_time && rep.finite) {  // ran the time it was asked to run
    rep.converged = true;
    rep.convergence_time_ms = t;
  }
  if (record && t > last_observed) observe(t, state);
  return rep;
}

}  // namespace gaitsim
