#include "ccpulse/ctl/commands.hpp"

#include <array>

namespace ccpulse::ctl {

// Each subcommand lives in its own file under daemon/ctl/ and is listed here.
int runErlang(Args args);        // erlang_command.cpp
int runReplay(Args args);        // replay_command.cpp
int runCurveKeypair(Args args);  // curve_keypair_command.cpp
int runHashPassword(Args args);  // hash_command.cpp
int runHashToken(Args args);     // hash_command.cpp
int runScorecard(Args args);     // scorecard_command.cpp

std::span<const Command> commands() noexcept {
  static const std::array<Command, 6> kCommands = {{
      {"erlang", "agents needed for a service-level target (Erlang C / Erlang A)", &runErlang},
      {"replay", "recorded events through the engine; prints the final metrics", &runReplay},
      {"curve-keypair", "a new CURVE key pair (Z85) for sources[].curve", &runCurveKeypair},
      {"hash-password", "bcrypt hash of a password (stdin) for auth.users", &runHashPassword},
      {"hash-token", "SHA-256 of a bearer token (stdin, or --generate) for auth.tokens", &runHashToken},
      {"scorecard", "contract scorecard (html, csv, json) from history or replayed events", &runScorecard},
  }};
  return kCommands;
}

}  // namespace ccpulse::ctl
