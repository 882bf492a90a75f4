#pragma once
/// What an authenticated HTTP caller may see. Every handler receives the caller's Scope with the
/// request and filters what it returns with `permits()`; see docs/security.md. A plain value:
/// safe to copy and read from any thread.

#include <string>
#include <string_view>

#include "ccpulse/config/config.hpp"

namespace ccpulse {

struct Scope {
  using Kind = ScopeSettings::Kind;

  Kind kind = Kind::kAdmin;
  std::string name;  ///< the tenant (kTenant) or vendor (kVendor)
  std::string user;  ///< credential name, for logs; empty = anonymous

  [[nodiscard]] static Scope admin() { return {}; }
  [[nodiscard]] static Scope of(const ScopeSettings& s, std::string user) { return {s.kind, s.name, std::move(user)}; }

  /// True when a series labelled (tenant, vendor) may be shown to this caller.
  [[nodiscard]] bool permits(std::string_view tenant, std::string_view vendor) const noexcept {
    switch (kind) {
      case Kind::kAdmin:
      case Kind::kPrometheus:
        return true;
      case Kind::kTenant:
        return tenant == name;
      case Kind::kVendor:
        return vendor == name;
    }
    return false;
  }
  /// True for the daemon's own metrics (sources, shards, HTTP): admin and the Prometheus credential.
  [[nodiscard]] bool seesOperations() const noexcept { return kind == Kind::kAdmin || kind == Kind::kPrometheus; }
  [[nodiscard]] bool isAdmin() const noexcept { return kind == Kind::kAdmin; }
  /// "admin", "prometheus", "tenant:acme", "vendor:bpo".
  [[nodiscard]] std::string describe() const;
};

}  // namespace ccpulse
