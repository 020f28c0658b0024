#pragma once
// A name -> factory table: the one place where the kinds of a concept (transfer functions,
// initialisers, losses, learning rules, optimisers) are listed, with the error every lookup of
// an unknown name gives.
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gaitsim {

template <class Factory>
class Registry {
 public:
  // what: the concept's name in messages, e.g. "learning rule".
  Registry(std::string what, std::initializer_list<std::pair<const std::string, Factory>> kinds)
      : what_(std::move(what)), kinds_(kinds) {}

  // Throws std::invalid_argument naming the unknown kind and the registered ones.
  const Factory& at(const std::string& name) const {
    const auto it = kinds_.find(name);
    if (it == kinds_.end()) {
      std::string known;
      for (const auto& kind : names()) known += (known.empty() ? "" : ", ") + kind;
      throw std::invalid_argument("unknown " + what_ + " '" + name + "' (known: " + known + ")");
    }
    return it->second;
  }

  // Adds a kind after construction (e.g. one a test defines); throws std::invalid_argument when
  // the name is taken.
  void add(const std::string& name, Factory factory) {
    if (!kinds_.emplace(name, std::move(factory)).second) {
      throw std::invalid_argument(what_ + " '" + name + "' is already registered");
    }
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, factory] : kinds_) out.push_back(name);
    return out;
  }

 private:
  std::string what_;
  std::map<std::string, Factory> kinds_;
};

}  // namespace gaitsim
