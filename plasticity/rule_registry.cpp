#include "neurons/registry.hpp"
#include "plasticity/bp_rule.hpp"
#include "plasticity/gait_rule.hpp"

namespace gaitsim {

namespace {

// The one place a learning rule is added.
template <class T>
Registry<RuleFactory<T>>& registry() {
  static Registry<RuleFactory<T>> rules(
      "learning rule",
      {
          {"bp", [](const RuleParams&) { return std::make_unique<BpRule<T>>(); }},
          {"fa", [](const RuleParams& p) { return std::make_unique<FaRule<T>>(p.seed); }},
          {"gait",
           [](const RuleParams& p) {
             return std::make_unique<GaitRule<T>>(p.gamma, p.adaptive_gamma);
           }},
          {"tp", [](const RuleParams&) { return std::make_unique<TpRule<T>>(); }},
      });
  return rules;
}

}  // namespace

std::vector<std::string> learning_rule_names() { return registry<double>().names(); }

template <class T>
std::unique_ptr<LearningRule<T>> make_learning_rule(const RuleParams& params) {
  return registry<T>().at(params.algorithm)(params);
}

void register_learning_rule(const std::string& name, RuleFactory<double> make_double,
                            RuleFactory<float> make_float) {
  registry<double>().add(name, std::move(make_double));
  registry<float>().add(name, std::move(make_float));
}

template std::unique_ptr<LearningRule<double>> make_learning_rule<double>(const RuleParams&);
template std::unique_ptr<LearningRule<float>> make_learning_rule<float>(const RuleParams&);

}  // namespace gaitsim
