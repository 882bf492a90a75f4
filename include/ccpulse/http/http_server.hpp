#pragma once
/// Minimal HTTP/1.1 server on Boost.Beast (plain or TLS 1.2+) for /metrics, the API, the
/// wallboard and its Server-Sent Events stream. Runs entirely on the io_context it is given (the
/// daemon's control thread); handlers are called on that thread, and an event stream is an async
/// write loop driven by its producer's wake-ups, so a slow stream client never blocks another
/// request.
/// Not thread-safe: construct, start and stop on the io_context's thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "ccpulse/config/config.hpp"
#include "ccpulse/http/scope.hpp"

namespace ccpulse {

struct HttpRequest {
  std::string method;
  std::string target;         ///< path and query, e.g. "/metrics"
  std::string authorization;  ///< the Authorization header, if any
  std::string remoteAddress;  ///< the client's IP address (rate limiting, logs)
  Scope scope;                ///< set by the AccessGate before the handler runs
};

/// A Server-Sent Events feed, pushed by its producer rather than polled on a timer: the producer
/// calls the `wake` function it was given whenever it has something new, and the server then
/// takes `nextEvent()` as soon as the client's previous write has completed. At most one write
/// is in flight per client and a wake during it only sets a flag, so a slow client's backlog is
/// one event whatever the producer's rate: what it missed is coalesced into the newest event.
/// All calls happen on the io_context's thread; the feed is dropped (destructor on that thread)
/// when the client goes away.
class EventStream {
 public:
  virtual ~EventStream() = default;
  /// Called once when the stream starts; `wake` may be called any number of times afterwards (on
  /// the io_context's thread; it does nothing once the client is gone).
  virtual void setWake(std::function<void()> wake) = 0;
  /// The next complete event ("event: ...\ndata: ...\n\n"), or an empty string when there is
  /// nothing new since the last one taken.
  virtual std::string nextEvent() = 0;
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(unsigned statusIn, std::string contentTypeIn, std::string bodyIn)
      : status(statusIn), contentType(std::move(contentTypeIn)), body(std::move(bodyIn)) {}

  unsigned status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers, e.g. WWW-Authenticate
  std::shared_ptr<EventStream> stream;                       ///< set = answer with text/event-stream
  /// Set = called with `body` (contents intact) on the io_context's thread once the response has
  /// been written or the write failed, so a large buffer can be reused (BodyPool).
  std::function<void(std::string&&)> recycleBody;
};

/// Called on the io_context's thread; may modify the request (the access gate sets its scope).
using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

class HttpServer final {
 public:
  /// Binds and listens; throws boost::system::system_error when the address cannot be bound, and
  /// std::runtime_error when http.tls names a certificate, key or CA that cannot be loaded.
  HttpServer(const HttpSettings& settings, boost::asio::io_context& io, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  void stop();
  /// The bound port (resolves port 0).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  ///< null = plain HTTP
  std::shared_ptr<HttpHandler> handler_;
  std::uint16_t port_ = 0;
};

}  // namespace ccpulse
