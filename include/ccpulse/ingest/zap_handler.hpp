#pragma once
/// ZAP handler (ZeroMQ RFC 27) for CURVE sources: binds inproc://zeromq.zap.01 in the context the
/// sources use and answers every CURVE handshake, accepting only public keys listed for the
/// source (the ZAP domain is the source name). Refusals are counted per source and logged at a
/// limited rate.
///
/// Thread-safety and ownership: construct and addDomain() on the control thread before any
/// CURVE source socket is created and before start() (libzmq lets a CURVE handshake through
/// without authentication when no handler is bound, so the handler must exist first). After
/// start() the REP socket and the key sets belong to the handler's own thread; the counters are
/// single-writer atomics (that thread) readable from any thread.

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/engine/published.hpp"

namespace ccpulse {

class ZapHandler final {
 public:
  /// Binds the ZAP endpoint; throws zmq::error_t when another handler already holds it.
  explicit ZapHandler(zmq::context_t& context);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  /// Before start(): the public keys (Z85, already validated) allowed for `domain`. Returns the
  /// counter of refused handshakes for that domain (stable for the handler's lifetime).
  const PubU64& addDomain(const std::string& domain, const std::vector<std::string>& allowedZ85);

  void start();
  void stop();

  /// Handshakes accepted, any domain.
  [[nodiscard]] std::uint64_t accepted() const noexcept { return accepted_.get(); }

 private:
  struct Domain {
    std::string name;
    std::set<std::array<std::uint8_t, 32>> allowed;
    PubU64 rejected;
  };
  void run(const std::stop_token& stop);
  void answerOne();

  zmq::socket_t socket_;
  std::vector<std::unique_ptr<Domain>> domains_;
  PubU64 accepted_;
  RateLimitedLog rejectLog_;
  std::jthread thread_;
};

}  // namespace ccpulse
