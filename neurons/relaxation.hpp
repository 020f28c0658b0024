#pragma once
// Settings and outcome of relaxing a population state to its fixed point (rate_dynamics.hpp),
// without the Boost.Odeint headers.
#include <string>
#include <vector>

namespace gaitsim {

// How a phase is integrated (dynamics.* in the config).
struct RelaxParams {
  double tau_ms = 10.0;  // membrane time constant tau [ms]
  // tau of each state block where populations differ (empty: tau_ms for every block) [ms]
  std::vector<double> block_tau_ms;
  double dt_ms = 5.0;             // Euler step; dopri5's first step [ms]
  std::string stepper = "euler";  // euler | dopri5
  double abs_tol = 1e-6;          // dopri5 absolute error tolerance per step [state units]
  double rel_tol = 1e-6;          // dopri5 relative error tolerance per step [1]
  double tol = 1e-6;              // stop when max |dx/dt| * tau < tol [state units]
  double max_time_ms = 2000;      // stop (not converged) at this time [ms]
  double min_time_ms = 0;         // keep integrating (at the fixed point) until at least this
                                  // time even once converged; 0 = stop on convergence [ms]
  double record_every_ms = 0;     // observer interval; 0 = only start and end [ms]
  // Run exactly max_time_ms without testing the residual (rate noise: max |dx/dt| never falls
  // below tol); the phase then ends converged.
  bool fixed_time = false;
};

// How a phase ended.
struct RelaxReport {
  bool converged = false;
  double time_ms = 0;               // when it stopped [ms]
  double convergence_time_ms = -1;  // since when the residual has stayed below tol (= time_ms
                                    // unless min_time_ms kept it going); -1: not converged [ms]
  long long steps = 0;              // accepted steps
  long long rhs_evals = 0;          // right-hand side evaluations
  double residual = 0;              // max |dx/dt| * tau at the end [state units]
  int worst_block = -1;             // block holding the largest (or first non-finite) residual
  bool finite = true;               // false: the state or its derivative became NaN/inf
};

}  // namespace gaitsim
