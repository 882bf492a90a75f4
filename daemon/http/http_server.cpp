#include "ccpulse/http/http_server.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>

#include "ccpulse/common/rate_limited_log.hpp"

namespace ccpulse {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

/// Requests larger than this are refused: the server only serves small GETs.
constexpr std::uint64_t kMaxRequestBytes = 16 * 1024;
constexpr std::chrono::seconds kIdleTimeout{30};
/// A stream client that has not taken an event for this long is dropped.
constexpr std::chrono::seconds kStreamWriteTimeout{10};

/// One connection: requests in sequence (keep-alive), or, after a handler answers with an
/// EventStream, an endless write loop driven by the feed's wake-ups. `Stream` is beast::tcp_stream or
/// beast::ssl_stream<beast::tcp_stream>.
template <typename Stream>
class Session final : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Args>
  Session(std::shared_ptr<HttpHandler> handler, std::string remote, Args&&... args)
      : stream_(std::forward<Args>(args)...), handler_(std::move(handler)), remote_(std::move(remote)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) {
          static RateLimitedLog log;
          if (std::uint64_t suppressed = 0; log.shouldLog(suppressed)) {
            spdlog::warn("http: TLS handshake with {} failed: {} ({} more suppressed)", self->remote_, ec.message(),
                         suppressed);
          }
          return;
        }
        self->read();
      });
    }
  }

 private:
  void read() {
    request_ = {};
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      close();
      return;
    }
    request_ = parser_->release();
    HttpResponse result;
    HttpRequest request{std::string(request_.method_string()), std::string(request_.target()),
                        std::string(request_[bhttp::field::authorization]), remote_, Scope{}};
    try {
      result = (*handler_)(request);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed for {}: {}", std::string(request_.target()), e.what());
      result = HttpResponse(500, "text/plain; charset=utf-8", "internal error\n");
    }
    if (result.stream && request_.method() == bhttp::verb::get) {
      startStream(std::move(result.stream));
      return;
    }
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(result.status),
                                                                          request_.version());
    response->set(bhttp::field::server, "ccpulsed/" CCPULSE_VERSION);
    response->set(bhttp::field::content_type, result.contentType);
    for (const auto& [name, value] : result.headers) {
      response->set(name, value);
    }
    response->keep_alive(request_.keep_alive());
    if (request_.method() != bhttp::verb::head) {
      response->body() = std::move(result.body);
    }
    if (request_.method() == bhttp::verb::head && result.recycleBody) {
      result.recycleBody(std::move(result.body));
      result.recycleBody = nullptr;
    }
    response->prepare_payload();
    // The write gets its own deadline: the one set in read() also covered the wait for the
    // request and the handler, which for a ~100 MB /metrics on a busy machine can use most of it.
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    bhttp::async_write(stream_, *response,
                       [self = this->shared_from_this(), response, recycle = std::move(result.recycleBody)](
                           beast::error_code writeEc, std::size_t) {
                         if (recycle) {
                           recycle(std::move(response->body()));
                         }
                         if (writeEc || !response->keep_alive()) {
                           self->close();
                           return;
                         }
                         self->read();
                       });
  }

  // Server-Sent Events: the header once, then an event whenever the feed wakes us. The body has
  // no length and ends when the connection closes (HTTP/1.1 allows that for responses).
  void startStream(std::shared_ptr<EventStream> feed) {
    feed_ = std::move(feed);
    out_ = "HTTP/1.1 200 OK\r\nServer: ccpulsed/" CCPULSE_VERSION
           "\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
           "Connection: close\r\n\r\nretry: 1000\n\n";
    out_ += feed_->nextEvent();
    // Weak: the feed is owned by this session, so a strong pointer here would be a cycle.
    feed_->setWake([weak = this->weak_from_this()] {
      if (const auto self = weak.lock()) {
        self->onWake();
      }
    });
    // The read (never timed out: only writes are) is what keeps the session alive between
    // events; the write timer is set per write (a pending read leaves it alone).
    beast::get_lowest_layer(stream_).expires_never();
    watchClose();
    writeEvent();
  }

  // The client sends nothing after its request: a read completes when it goes away, and frees
  // its slot at once instead of at the next write.
  void watchClose() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                self->close();
                                self->feed_.reset();
                                return;
                              }
                              self->watchClose();
                            });
  }

  // One write in flight at most: a wake during it only sets pendingWake_, and the newest event
  // is taken when the write completes (older ones are never queued for a slow client).
  void onWake() {
    if (!feed_) {
      return;
    }
    if (writing_) {
      pendingWake_ = true;
      return;
    }
    try {
      out_ = feed_->nextEvent();
    } catch (const std::exception& e) {
      spdlog::error("http: event stream failed: {}", e.what());
      close();
      feed_.reset();
      return;
    }
    if (!out_.empty()) {
      writeEvent();
    }
  }

  void writeEvent() {
    writing_ = true;
    beast::get_lowest_layer(stream_).expires_after(kStreamWriteTimeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) {
                          self->close();
                          self->feed_.reset();  // the client went away: free its slot now
                          return;
                        }
                        if (self->pendingWake_) {
                          self->pendingWake_ = false;
                          self->onWake();
                        }
                      });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> request_;
  std::shared_ptr<HttpHandler> handler_;
  std::string remote_;
  std::shared_ptr<EventStream> feed_;
  std::string out_;
  bool writing_ = false;
  bool pendingWake_ = false;
  std::array<char, 256> discard_{};
};

std::shared_ptr<ssl::context> makeTlsContext(const TlsSettings& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  // Belt and braces: the protocol floor as well as the option bits.
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    throw std::runtime_error("cannot set the TLS 1.2 minimum");
  }
  const auto load = [](const char* what, const std::string& path, auto&& fn) {
    try {
      fn();
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(std::string("http.tls.") + what + " '" + path + "' cannot be loaded: " + e.what());
    }
  };
  load("certificate", tls.certificate, [&] { context->use_certificate_chain_file(tls.certificate); });
  load("key", tls.key, [&] { context->use_private_key_file(tls.key, ssl::context::pem); });
  if (!tls.clientCa.empty()) {
    load("client_ca", tls.clientCa, [&] { context->load_verify_file(tls.clientCa); });
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

}  // namespace

HttpServer::HttpServer(const HttpSettings& settings, asio::io_context& io, HttpHandler handler)
    : io_(io), acceptor_(io), handler_(std::make_shared<HttpHandler>(std::move(handler))) {
  if (settings.tls) {
    tls_ = makeTlsContext(*settings.tls);
  }
  const tcp::endpoint endpoint(asio::ip::make_address(settings.listenHost), settings.listenPort);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() { accept(); }

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void HttpServer::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
      return;
    }
    if (!ec) {
      boost::system::error_code remoteEc;
      const auto remote = socket.remote_endpoint(remoteEc);
      std::string address = remoteEc ? std::string("unknown") : remote.address().to_string();
      if (tls_) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(handler_, std::move(address), std::move(socket),
                                                                        *tls_)
            ->start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(handler_, std::move(address), std::move(socket))->start();
      }
    } else {
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    accept();
  });
}

}  // namespace ccpulse
