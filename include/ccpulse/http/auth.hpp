#pragma once
/// HTTP access control (docs/security.md): credentials from the `auth` config section (bcrypt
/// passwords over HTTP Basic, SHA-256-hashed bearer tokens), each bound to a Scope; a per-route
/// access class (public, scoped, metrics, admin; unknown routes are admin-only, so a new endpoint
/// is closed until it says how it filters by scope); per-client-address rate limiting of failed
/// attempts; failure counters by reason.
///
/// Thread-safety: AccessGate and FailureLimiter are owned by the control thread (the HTTP
/// server's io_context), which is the only caller; the failure counters are PubU64 (one writer,
/// relaxed loads by scrapes). The free functions are thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "ccpulse/config/config.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/http/http_server.hpp"
#include "ccpulse/http/scope.hpp"

namespace ccpulse {

// ---- primitives ----------------------------------------------------------------------------

/// Compares without an early exit, so the time taken does not depend on where the inputs differ
/// (OpenSSL CRYPTO_memcmp). Different lengths compare unequal at once: every secret compared here
/// has a fixed length (digests, bcrypt outputs), so the length reveals nothing.
[[nodiscard]] bool constantTimeEqual(std::string_view a, std::string_view b) noexcept;
[[nodiscard]] std::array<unsigned char, 32> sha256(std::string_view data) noexcept;
[[nodiscard]] std::string toHex(const unsigned char* data, std::size_t size);
/// Standard base64 (RFC 4648 §4, padding required); nullopt on anything else.
[[nodiscard]] std::optional<std::string> base64Decode(std::string_view text);
/// A new bcrypt ("$2b$") hash of `password` with a random salt (libxcrypt); cost 4..31.
[[nodiscard]] std::optional<std::string> bcryptHash(std::string_view password, unsigned cost);
/// True when `password` matches the bcrypt `hash` (libxcrypt crypt_rn, constant-time compare).
[[nodiscard]] bool bcryptVerify(std::string_view password, const std::string& hash);

// ---- rate limiting -------------------------------------------------------------------------

/// Token bucket of failed attempts per client address in a bounded table. A client may fail
/// `burst` times at once, then `perMinute` times a minute; while its bucket is empty every
/// request with credentials is refused (429) before they are checked. When the table is full,
/// the entry idle longest is forgotten (it is the one most likely refilled anyway).
class FailureLimiter final {
 public:
  FailureLimiter(double burst, double perMinute, std::size_t maxClients);

  /// True when `client` may try now.
  [[nodiscard]] bool allowed(const std::string& client, std::int64_t nowNs);
  /// Takes one token from `client`'s bucket.
  void recordFailure(const std::string& client, std::int64_t nowNs);
  [[nodiscard]] std::size_t size() const noexcept { return buckets_.size(); }
  [[nodiscard]] std::uint64_t evictions() const noexcept { return evictions_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t lastNs = 0;
  };
  void refill(Bucket& b, std::int64_t nowNs) const noexcept;

  double burst_;
  double perNs_;
  std::size_t maxClients_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::uint64_t evictions_ = 0;
};

// ---- the gate ------------------------------------------------------------------------------

/// How a route is protected. Routes not registered are kAdmin.
enum class Access : std::uint8_t {
  kPublic,   ///< no credentials needed (health probes); the handler must not return scoped data
  kScoped,   ///< any user or token except the Prometheus one; the handler filters by request.scope
  kMetrics,  ///< like kScoped, and the Prometheus credential too (/metrics)
  kAdmin,    ///< admin scope only
};

enum class AuthFailure : std::uint8_t {
  kMissing,      ///< no credentials and anonymous access is off
  kMalformed,    ///< an Authorization header that is neither valid Basic nor Bearer
  kUnknownUser,  ///< Basic with a user name not in the config
  kBadPassword,  ///< Basic with a wrong password
  kBadToken,     ///< Bearer with a token whose hash is not in the config
  kForbidden,    ///< valid credentials whose scope does not allow the route (403)
  kRateLimited,  ///< refused before checking: too many failures from this address (429)
};
inline constexpr std::size_t kAuthFailureCount = 7;
[[nodiscard]] std::string_view toString(AuthFailure reason) noexcept;

class AccessGate final {
 public:
  /// `auth` unset = open access: every request gets admin scope (docs/security.md).
  explicit AccessGate(const std::optional<AuthSettings>& auth);

  /// Registers a route (exact path, or a prefix when `path` ends in '/').
  void route(std::string path, Access access);
  [[nodiscard]] Access accessOf(std::string_view path) const;

  /// Control thread. Applies new credentials (a config reload); rate-limit state is kept when
  /// the limits are unchanged.
  void update(const std::optional<AuthSettings>& auth);

  /// Decides a request: nullopt = go ahead (request.scope is set); otherwise the response to
  /// send (401, 403 or 429). `nowNs` is a steady clock.
  [[nodiscard]] std::optional<HttpResponse> admit(HttpRequest& request, std::int64_t nowNs);

  [[nodiscard]] std::uint64_t failures(AuthFailure reason) const noexcept {
    return failures_[static_cast<std::size_t>(reason)].get();
  }
  [[nodiscard]] bool enabled() const noexcept { return auth_.has_value(); }
  /// ccpulse_http_auth_failures_total{reason}.
  [[nodiscard]] prometheus::MetricFamily failureFamily() const;

 private:
  struct Verified {
    Scope scope;
    std::int64_t expiresNs = 0;
  };
  std::optional<Scope> checkBasic(std::string_view credentials, AuthFailure& why);
  std::optional<Scope> checkBearer(std::string_view token, AuthFailure& why) const;
  void fail(AuthFailure reason) noexcept { failures_[static_cast<std::size_t>(reason)].add(1); }

  std::optional<AuthSettings> auth_;
  std::vector<std::pair<std::string, Access>> routes_;
  FailureLimiter limiter_;
  std::string dummyHash_;  ///< checked for unknown users so they take as long as known ones
  std::array<unsigned char, 32> cacheKey_{};
  /// Successful Basic checks by SHA-256(key || header), so a browser's every request does not
  /// pay for bcrypt again. Bounded; cleared on update().
  std::map<std::array<unsigned char, 32>, Verified> verified_;
  std::array<PubU64, kAuthFailureCount> failures_;
};

}  // namespace ccpulse
