#pragma once
/// Subcommands of `ccpulsectl`. Each takes the arguments after its name and returns the process
/// exit code (0 ok, 1 failure, 2 usage error). Not thread-safe; called once from main.

#include <span>
#include <string_view>

namespace ccpulse::ctl {

using Args = std::span<const std::string_view>;

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(Args args);
};

/// Every subcommand, in the order `ccpulsectl --help` lists them.
[[nodiscard]] std::span<const Command> commands() noexcept;

}  // namespace ccpulse::ctl
