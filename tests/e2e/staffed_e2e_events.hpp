#pragma once
// Agent events for the staffed_vs_committed end-to-end tests: tenant acme, vendor v1, all on
// 2026-11-23 (UTC), as canonical JSON lines.

#include <string>

namespace ccpulse::test {

/// An agent event of `type` at hh:mm:ss for agent `id`; `extra` adds members (",\"queues\":[...]").
inline std::string agent(const std::string& type, const std::string& hms, const std::string& id,
                         const std::string& extra = "") {
  return R"({"type":")" + type + R"(","ts":"2026-11-23T)" + hms + R"(Z","tenant":"acme","vendor":"v1","agent":")" + id +
         "\"" + extra + "}";
}

/// Moves the event clock: a state for an agent never logged in counts in no queue.
inline std::string tick(const std::string& hms) {
  return agent("agent.state", hms, "clock", R"(,"state":"available")");
}

}  // namespace ccpulse::test
