#include <functional>
#include <map>
#include <stdexcept>

#include "neurons/leaky_relu.hpp"

namespace gaitsim {

LeakyRelu::LeakyRelu(TransferParams p) : TransferImpl(std::move(p)), alpha_(params_.slope) {
  if (!(alpha_ > 0.0)) {
    throw std::invalid_argument("leaky_relu slope must be > 0 so that f is invertible, got " +
                                std::to_string(alpha_));
  }
}

namespace {

using Factory = std::function<std::shared_ptr<const Transfer>(const TransferParams&)>;

// The one place a transfer function kind is added.
const std::map<std::string, Factory>& registry() {
  static const std::map<std::string, Factory> kinds = {
      {"leaky_relu", [](const TransferParams& p) { return std::make_shared<LeakyRelu>(p); }},
      {"linear", [](const TransferParams& p) { return std::make_shared<Linear>(p); }},
  };
  return kinds;
}

}  // namespace

std::vector<std::string> transfer_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;
}

std::shared_ptr<const Transfer> make_transfer(const TransferParams& params) {
  const auto it = registry().find(params.kind);
  if (it == registry().end()) {
    std::string known;
    for (const auto& name : transfer_names()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown transfer function '" + params.kind + "' (known: " +
                                known + ")");
  }
  return it->second(params);
}

}  // namespace gaitsim
