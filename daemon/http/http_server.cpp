#include "ccpulse/http/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace ccpulse {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

/// Requests larger than this are refused: the server only serves small GETs.
constexpr std::uint64_t kMaxRequestBytes = 16 * 1024;
constexpr std::chrono::seconds kIdleTimeout{30};

class Session final : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpHandler> handler)
      : stream_(std::move(socket)), handler_(std::move(handler)) {}

  void start() { read(); }

 private:
  void read() {
    request_ = {};
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    stream_.expires_after(kIdleTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    request_ = parser_->release();
    HttpResponse result;
    try {
      result = (*handler_)(HttpRequest{std::string(request_.method_string()), std::string(request_.target())});
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed for {}: {}", std::string(request_.target()), e.what());
      result = HttpResponse{500, "text/plain; charset=utf-8", "internal error\n"};
    }
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(result.status),
                                                                          request_.version());
    response->set(bhttp::field::server, "ccpulsed/" CCPULSE_VERSION);
    response->set(bhttp::field::content_type, result.contentType);
    response->keep_alive(request_.keep_alive());
    if (request_.method() != bhttp::verb::head) {
      response->body() = std::move(result.body);
    }
    response->prepare_payload();
    bhttp::async_write(stream_, *response,
                       [self = shared_from_this(), response](beast::error_code writeEc, std::size_t) {
                         if (writeEc || !response->keep_alive()) {
                           beast::error_code ignored;
                           self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                           return;
                         }
                         self->read();
                       });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> request_;
  std::shared_ptr<HttpHandler> handler_;
};

}  // namespace

HttpServer::HttpServer(const HttpSettings& settings, asio::io_context& io, HttpHandler handler)
    : io_(io), acceptor_(io), handler_(std::make_shared<HttpHandler>(std::move(handler))) {
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
      std::make_shared<Session>(std::move(socket), handler_)->start();
    } else {
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    accept();
  });
}

}  // namespace ccpulse
