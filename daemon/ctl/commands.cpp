#include "ccpulse/ctl/commands.hpp"

#include <array>

namespace ccpulse::ctl {

// Each subcommand lives in its own file under daemon/ctl/ and is listed here.
int runErlang(Args args);        // erlang_command.cpp
int runReplay(Args args);        // replay_command.cpp
int runCurveKeypair(Args args);  // curve_keypair_command.cpp

std::span<const Command> commands() noexcept {
  static const std::array<Command, 3> kCommands = {{
      {"erlang", "agents needed for a service-level target (Erlang C / Erlang A)", &runErlang},
      {"replay", "recorded events through the engine; prints the final metrics", &runReplay},
      {"curve-keypair", "a new CURVE key pair (Z85) for sources[].curve", &runCurveKeypair},
  }};
  return kCommands;
}

}  // namespace ccpulse::ctl
