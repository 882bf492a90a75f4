#include "ccpulse/http/auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "ccpulse/common/rate_limited_log.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kNsPerMinute = 60'000'000'000;
// A verified Basic credential is trusted this long before bcrypt runs again for it.
constexpr std::int64_t kVerifiedTtlNs = 5 * kNsPerMinute;
constexpr std::size_t kMaxVerified = 1024;
constexpr unsigned kDefaultCost = 10;

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(text[i]) != lower(prefix[i])) {
      return false;
    }
  }
  return true;
}

unsigned bcryptCost(const std::string& hash) {
  return hash.size() > 6 ? static_cast<unsigned>((hash[4] - '0') * 10 + (hash[5] - '0')) : kDefaultCost;
}

HttpResponse unauthorized(std::string message) {
  HttpResponse r(401, "text/plain; charset=utf-8", std::move(message));
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"ccpulse\", charset=\"UTF-8\"");
  return r;
}

}  // namespace

std::string Scope::describe() const {
  switch (kind) {
    case Kind::kAdmin:
      return "admin";
    case Kind::kPrometheus:
      return "prometheus";
    case Kind::kTenant:
      return "tenant:" + name;
    case Kind::kVendor:
      return "vendor:" + name;
  }
  return "?";
}

bool constantTimeEqual(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::array<unsigned char, 32> sha256(std::string_view data) noexcept {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string toHex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4U];
    out[2 * i + 1] = kDigits[data[i] & 0xFU];
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int pad = last ? (text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0) : 0;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const int v = j >= 4 - static_cast<std::size_t>(pad) ? 0 : value(text[i + j]);
      if (v < 0) {
        return std::nullopt;
      }
      group = (group << 6U) | static_cast<std::uint32_t>(v);
    }
    out += static_cast<char>((group >> 16U) & 0xFFU);
    if (pad < 2) {
      out += static_cast<char>((group >> 8U) & 0xFFU);
    }
    if (pad < 1) {
      out += static_cast<char>(group & 0xFFU);
    }
  }
  return out;
}

std::optional<std::string> bcryptHash(std::string_view password, unsigned cost) {
  if (cost < 4 || cost > 31) {
    return std::nullopt;
  }
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  // nullptr random bytes: libxcrypt reads the OS's random source itself.
  if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, salt.data(), static_cast<int>(salt.size())) == nullptr) {
    return std::nullopt;
  }
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* hashed = crypt_rn(phrase.c_str(), salt.data(), data.get(), sizeof(crypt_data));
  if (hashed == nullptr || hashed[0] == '*') {
    return std::nullopt;
  }
  return std::string(hashed);
}

bool bcryptVerify(std::string_view password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* hashed = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  return hashed != nullptr && hashed[0] != '*' && constantTimeEqual(hashed, hash);
}

// ---- FailureLimiter ----------------------------------------------------------------------------

FailureLimiter::FailureLimiter(double burst, double perMinute, std::size_t maxClients)
    : burst_(burst), perNs_(perMinute / static_cast<double>(kNsPerMinute)), maxClients_(maxClients) {}

void FailureLimiter::refill(Bucket& b, std::int64_t nowNs) const noexcept {
  if (nowNs > b.lastNs) {
    b.tokens = std::min(burst_, b.tokens + static_cast<double>(nowNs - b.lastNs) * perNs_);
    b.lastNs = nowNs;
  }
}

bool FailureLimiter::allowed(const std::string& client, std::int64_t nowNs) {
  const auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    return true;
  }
  refill(it->second, nowNs);
  if (it->second.tokens >= burst_) {
    buckets_.erase(it);  // full again: the same as never seen
    return true;
  }
  return it->second.tokens >= 1;
}

void FailureLimiter::recordFailure(const std::string& client, std::int64_t nowNs) {
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= maxClients_) {
      auto oldest = buckets_.begin();
      for (auto i = buckets_.begin(); i != buckets_.end(); ++i) {
        if (i->second.lastNs < oldest->second.lastNs) {
          oldest = i;
        }
      }
      buckets_.erase(oldest);
      ++evictions_;
    }
    it = buckets_.emplace(client, Bucket{burst_, nowNs}).first;
  }
  refill(it->second, nowNs);
  it->second.tokens = std::max(0.0, it->second.tokens - 1);
}

// ---- AccessGate --------------------------------------------------------------------------------

std::string_view toString(AuthFailure reason) noexcept {
  switch (reason) {
    case AuthFailure::kMissing:
      return "missing";
    case AuthFailure::kMalformed:
      return "malformed";
    case AuthFailure::kUnknownUser:
      return "unknown_user";
    case AuthFailure::kBadPassword:
      return "bad_password";
    case AuthFailure::kBadToken:
      return "bad_token";
    case AuthFailure::kForbidden:
      return "forbidden";
    case AuthFailure::kRateLimited:
      return "rate_limited";
  }
  return "unknown";
}

AccessGate::AccessGate(const std::optional<AuthSettings>& auth) : limiter_(1, 1, 1) {
  if (RAND_bytes(cacheKey_.data(), static_cast<int>(cacheKey_.size())) != 1) {
    throw std::runtime_error("auth: no random bytes for the credential cache key");
  }
  update(auth);
}

void AccessGate::route(std::string path, Access access) { routes_.emplace_back(std::move(path), access); }

Access AccessGate::accessOf(std::string_view path) const {
  for (const auto& [route, access] : routes_) {
    if (route == path || (route.size() > 1 && route.back() == '/' && path.starts_with(route))) {
      return access;
    }
  }
  return Access::kAdmin;
}

void AccessGate::update(const std::optional<AuthSettings>& auth) {
  const bool sameLimits = auth_ && auth && auth_->failureBurst == auth->failureBurst &&
                          auth_->failuresPerMinute == auth->failuresPerMinute && auth_->maxClients == auth->maxClients;
  auth_ = auth;
  verified_.clear();
  if (auth_ && !sameLimits) {
    limiter_ = FailureLimiter(auth_->failureBurst, auth_->failuresPerMinute, auth_->maxClients);
  }
  // The dummy for unknown users costs what the dearest configured hash costs.
  unsigned cost = 4;
  for (const auto& u : auth_ ? auth_->users : std::vector<AuthUser>{}) {
    cost = std::max(cost, bcryptCost(u.passwordHash));
  }
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  dummyHash_ = crypt_gensalt_rn("$2b$", cost, nullptr, 0, salt.data(), static_cast<int>(salt.size())) != nullptr
                   ? std::string(salt.data())
                   : std::string();
}

std::optional<Scope> AccessGate::checkBasic(std::string_view credentials, AuthFailure& why) {
  const auto decoded = base64Decode(credentials);
  const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    why = AuthFailure::kMalformed;
    return std::nullopt;
  }
  const std::string_view user = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  const AuthUser* found = nullptr;
  for (const AuthUser& u : auth_->users) {
    if (u.name == user) {
      found = &u;
    }
  }
  // Unknown users pay for a bcrypt check too, so the answer's timing does not reveal which
  // user names exist.
  const bool ok = bcryptVerify(password, found != nullptr ? found->passwordHash : dummyHash_) && found != nullptr;
  if (!ok) {
    why = found == nullptr ? AuthFailure::kUnknownUser : AuthFailure::kBadPassword;
    return std::nullopt;
  }
  return Scope::of(found->scope, found->name);
}

std::optional<Scope> AccessGate::checkBearer(std::string_view token, AuthFailure& why) const {
  const auto digest = sha256(token);
  const std::string_view presented(reinterpret_cast<const char*>(digest.data()), digest.size());
  const AuthToken* found = nullptr;
  // Every configured digest is compared, matching or not, in constant time each.
  for (const AuthToken& t : auth_->tokens) {
    const bool equal =
        constantTimeEqual(presented, std::string_view(reinterpret_cast<const char*>(t.sha256.data()), t.sha256.size()));
    found = equal ? &t : found;
  }
  if (found == nullptr) {
    why = AuthFailure::kBadToken;
    return std::nullopt;
  }
  return Scope::of(found->scope, found->name);
}

std::optional<HttpResponse> AccessGate::admit(HttpRequest& request, std::int64_t nowNs) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  const Access access = accessOf(path);
  if (!auth_) {
    request.scope = Scope::admin();
    return std::nullopt;
  }
  if (access == Access::kPublic) {
    request.scope = Scope{Scope::Kind::kTenant, "", ""};  // sees no tenant's data
    return std::nullopt;
  }
  std::optional<Scope> scope;
  const std::string_view header = request.authorization;
  if (header.empty()) {
    if (!auth_->anonymous) {
      fail(AuthFailure::kMissing);  // a browser's first request: not held against the address
      return unauthorized("credentials required\n");
    }
    scope = Scope::admin();
  } else {
    if (!limiter_.allowed(request.remoteAddress, nowNs)) {
      fail(AuthFailure::kRateLimited);
      static RateLimitedLog log;
      if (std::uint64_t suppressed = 0; log.shouldLog(suppressed)) {
        spdlog::warn("http: too many failed credential checks from {}; refusing (429) ({} more suppressed)",
                     request.remoteAddress, suppressed);
      }
      HttpResponse r(429, "text/plain; charset=utf-8", "too many failed attempts; try again later\n");
      r.headers.emplace_back("Retry-After", "60");
      return r;
    }
    AuthFailure why = AuthFailure::kMalformed;
    if (startsWithNoCase(header, "basic ")) {
      const std::string_view credentials = header.substr(6);
      std::array<unsigned char, 32> key{};
      std::string keyed(reinterpret_cast<const char*>(cacheKey_.data()), cacheKey_.size());
      keyed += credentials;
      key = sha256(keyed);
      if (const auto it = verified_.find(key); it != verified_.end() && it->second.expiresNs > nowNs) {
        scope = it->second.scope;
      } else if ((scope = checkBasic(credentials, why))) {
        if (verified_.size() >= kMaxVerified) {
          verified_.clear();
        }
        verified_[key] = Verified{*scope, nowNs + kVerifiedTtlNs};
      }
    } else if (startsWithNoCase(header, "bearer ")) {
      scope = checkBearer(header.substr(7), why);
    }
    if (!scope) {
      fail(why);
      limiter_.recordFailure(request.remoteAddress, nowNs);
      static RateLimitedLog log;
      if (std::uint64_t suppressed = 0; log.shouldLog(suppressed)) {
        spdlog::warn("http: rejected credentials from {} ({}) ({} more suppressed)", request.remoteAddress,
                     toString(why), suppressed);
      }
      return unauthorized("invalid credentials\n");
    }
  }
  const bool allowed = access == Access::kMetrics  ? true
                       : access == Access::kScoped ? scope->kind != Scope::Kind::kPrometheus
                                                   : scope->isAdmin();
  if (!allowed) {
    fail(AuthFailure::kForbidden);
    return HttpResponse(403, "text/plain; charset=utf-8", "forbidden for scope " + scope->describe() + "\n");
  }
  request.scope = std::move(*scope);
  return std::nullopt;
}

prometheus::MetricFamily AccessGate::failureFamily() const {
  prometheus::MetricFamily f;
  f.name = "ccpulse_http_auth_failures_total";
  f.help = "HTTP requests refused by access control, by reason.";
  f.type = prometheus::MetricType::Counter;
  for (std::size_t i = 0; i < kAuthFailureCount; ++i) {
    prometheus::ClientMetric m;
    m.label = {{"reason", std::string(toString(static_cast<AuthFailure>(i)))}};
    m.counter.value = static_cast<double>(failures_[i].get());
    f.metric.push_back(std::move(m));
  }
  return f;
}

}  // namespace ccpulse
