#include "ccpulse/ctl/commands.hpp"

#include <array>

namespace ccpulse::ctl {

// Each subcommand lives in its own file under daemon/ctl/ and is listed here.

std::span<const Command> commands() noexcept {
  static const std::array<Command, 0> kCommands = {};
  return kCommands;
}

}  // namespace ccpulse::ctl
