#pragma once
/// Minimal HTTP/1.1 server on Boost.Beast for /metrics, /healthz and /readyz. Runs entirely on
/// the io_context it is given (the daemon's control thread); handlers are called on that thread.
/// Not thread-safe: construct, start and stop on the io_context's thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "ccpulse/config/config.hpp"

namespace ccpulse {

struct HttpRequest {
  std::string method;
  std::string target;  ///< path and query, e.g. "/metrics"
};

struct HttpResponse {
  unsigned status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer final {
 public:
  /// Binds and listens; throws boost::system::system_error when the address cannot be bound.
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
  std::shared_ptr<HttpHandler> handler_;
  std::uint16_t port_ = 0;
};

}  // namespace ccpulse
