#include <functional>
#include <map>

#include "plasticity/bp_rule.hpp"
#include "plasticity/gait_rule.hpp"

namespace gaitsim {

namespace {

template <class T>
using RuleFactory = std::function<std::unique_ptr<LearningRule<T>>(const RuleParams&)>;

// The one place a learning rule is added.
template <class T>
const std::map<std::string, RuleFactory<T>>& registry() {
  static const std::map<std::string, RuleFactory<T>> rules = {
      {"bp", [](const RuleParams&) { return std::make_unique<BpRule<T>>(); }},
      {"fa", [](const RuleParams& p) { return std::make_unique<FaRule<T>>(p.seed); }},
      {"gait",
       [](const RuleParams& p) { return std::make_unique<GaitRule<T>>(p.gamma, p.adaptive_gamma); }},
      {"tp", [](const RuleParams&) { return std::make_unique<TpRule<T>>(); }},
  };
  return rules;
}

}  // namespace

std::vector<std::string> learning_rule_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry<double>()) names.push_back(name);
  return names;
}

template <class T>
std::unique_ptr<LearningRule<T>> make_learning_rule(const RuleParams& params) {
  const auto it = registry<T>().find(params.algorithm);
  if (it == registry<T>().end()) {
    throw std::invalid_argument("unknown learning rule '" + params.algorithm + "'");
  }
  return it->second(params);
}

template std::unique_ptr<LearningRule<double>> make_learning_rule<double>(const RuleParams&);
template std::unique_ptr<LearningRule<float>> make_learning_rule<float>(const RuleParams&);

}  // namespace gaitsim
