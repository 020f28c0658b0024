#include "sim/feedback_checkpoint.hpp"

#include <string>

#include "analysis/run_file.hpp"

namespace gaitsim {

template <class T>
void load_feedback(const std::filesystem::path& checkpoint, Engine<T>& engine) {
  LearnedFeedback<T>* fb = engine.learned_feedback();
  if (fb == nullptr || checkpoint.empty()) return;
  const RunRecord run = read_run_file(checkpoint);
  if (!run.feedback_state.learned()) {
    throw RunFileError(checkpoint.string() +
                       ": /state/feedback: missing group (feedback.mode learned needs the "
                       "checkpoint of a learned-feedback run)");
  }
  for (int l = 2; l <= fb->depth(); ++l) {
    const Mat<double>& Q = run.feedback_state.Q[static_cast<std::size_t>(l)];
    if (Q.rows() != fb->Q[l].rows() || Q.cols() != fb->Q[l].cols()) {
      throw RunFileError(checkpoint.string() + ": /state/feedback/Q/" + std::to_string(l) + ": " +
                         std::to_string(Q.rows()) + " x " + std::to_string(Q.cols()) +
                         ", the configured network needs " + std::to_string(fb->Q[l].rows()) +
                         " x " + std::to_string(fb->Q[l].cols()));
    }
    fb->Q[l] = Q.template cast<T>();
    fb->c[l] = run.feedback_state.c[static_cast<std::size_t>(l)].template cast<T>();
  }
}

template void load_feedback(const std::filesystem::path&, Engine<double>&);
template void load_feedback(const std::filesystem::path&, Engine<float>&);

}  // namespace gaitsim
