#pragma once

#include <exception>
#include <string>

namespace gaitsim::testing {

// The message of the exception `call` throws, or "" when it returns: for checking that an error
// names the file, the dataset and what was expected.
template <class Call>
std::string error_message(Call call) {
  try {
    call();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace gaitsim::testing
