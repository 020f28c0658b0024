#include <functional>
#include <stdexcept>

#include "neurons/leaky_relu.hpp"
#include "neurons/logistic.hpp"
#include "neurons/registry.hpp"
#include "neurons/softplus.hpp"

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
const Registry<Factory>& registry() {
  static const Registry<Factory> kinds(
      "transfer function",
      {
          {"leaky_relu", [](const TransferParams& p) { return std::make_shared<LeakyRelu>(p); }},
          {"linear", [](const TransferParams& p) { return std::make_shared<Linear>(p); }},
          {"logistic", [](const TransferParams& p) { return std::make_shared<Logistic>(p); }},
          {"softplus", [](const TransferParams& p) { return std::make_shared<Softplus>(p); }},
      });
  return kinds;
}

}  // namespace

std::vector<std::string> transfer_names() { return registry().names(); }

std::shared_ptr<const Transfer> make_transfer(const TransferParams& params) {
  return registry().at(params.kind)(params);
}

}  // namespace gaitsim
