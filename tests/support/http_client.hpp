#pragma once
// HTTP(S) client for tests of the access layer: GET with extra headers, over plain TCP or TLS
// (with a chosen protocol range and optional client certificate), and reading the first event
// of a Server-Sent Events stream. Header-only, so it needs no build change.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace ccpulse::test {

struct Reply {
  int status = 0;
  std::string contentType;
  std::string body;
  std::string wwwAuthenticate;
};

struct TlsClientOptions {
  bool enabled = false;
  int maxVersion = 0;    ///< e.g. TLS1_1_VERSION to offer only TLS 1.1; 0 = library default
  int minVersion = 0;    ///< 0 = library default
  std::string caFile;    ///< verify the server against this CA; empty = no verification
  std::string certFile;  ///< client certificate (PEM), optional
  std::string keyFile;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

namespace detail {

template <typename Stream>
std::optional<Reply> exchange(Stream& stream, const std::string& target, const Headers& headers, bool firstEventOnly) {
  namespace http = boost::beast::http;
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    req.set(name, value);
  }
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256U * 1024U * 1024U);
  if (!firstEventOnly) {
    http::read(stream, buffer, parser);
    auto res = parser.release();
    return Reply{static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), res.body(),
                 std::string(res[http::field::www_authenticate])};
  }
  http::read_header(stream, buffer, parser);
  Reply reply{static_cast<int>(parser.get().result_int()), std::string(parser.get()[http::field::content_type]), "",
              std::string(parser.get()[http::field::www_authenticate])};
  if (reply.status != 200) {
    http::read(stream, buffer, parser);
    reply.body = parser.get().body();
    return reply;
  }
  // The stream never ends: read raw bytes until one complete "data:" event has arrived.
  std::string raw(static_cast<const char*>(buffer.data().data()), buffer.size());
  std::array<char, 65536> chunk{};
  while (true) {
    const std::size_t data = raw.find("data: ");
    if (data != std::string::npos) {
      const std::size_t end = raw.find("\n\n", data);
      if (end != std::string::npos) {
        reply.body = raw.substr(data + 6, end - data - 6);
        return reply;
      }
    }
    boost::system::error_code ec;
    const std::size_t n = stream.read_some(boost::asio::buffer(chunk), ec);
    if (ec) {
      return reply;
    }
    raw.append(chunk.data(), n);
  }
}

}  // namespace detail

/// GET https?://127.0.0.1:port/target. nullopt when the connection or the TLS handshake fails.
/// With `firstEventOnly`, a 200 answer's body is the first SSE event's data.
inline std::optional<Reply> get(int port, const std::string& target, const Headers& headers = {},
                                const TlsClientOptions& tls = {}, bool firstEventOnly = false) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  try {
    asio::io_context io;
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    if (!tls.enabled) {
      beast::tcp_stream stream(io);
      stream.expires_after(std::chrono::seconds(10));
      stream.connect(endpoint);
      return detail::exchange(stream, target, headers, firstEventOnly);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (tls.minVersion != 0) {
      SSL_CTX_set_min_proto_version(ctx.native_handle(), tls.minVersion);
    }
    if (tls.maxVersion != 0) {
      SSL_CTX_set_max_proto_version(ctx.native_handle(), tls.maxVersion);
      // OpenSSL 3 refuses TLS < 1.2 at security level 1+; drop to 0 so the client really offers it.
      SSL_CTX_set_security_level(ctx.native_handle(), 0);
    }
    if (!tls.caFile.empty()) {
      ctx.load_verify_file(tls.caFile);
      ctx.set_verify_mode(asio::ssl::verify_peer);
    }
    if (!tls.certFile.empty()) {
      ctx.use_certificate_chain_file(tls.certFile);
      ctx.use_private_key_file(tls.keyFile, asio::ssl::context::pem);
    }
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(stream).connect(endpoint);
    stream.handshake(asio::ssl::stream_base::client);
    return detail::exchange(stream, target, headers, firstEventOnly);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

inline Headers basicAuth(const std::string& user, const std::string& password) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = user + ":" + password;
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const auto byte = [&](std::size_t k) { return k < in.size() ? static_cast<unsigned char>(in[k]) : 0U; };
    const unsigned group = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += kAlphabet[(group >> 18U) & 63U];
    out += kAlphabet[(group >> 12U) & 63U];
    out += i + 1 < in.size() ? kAlphabet[(group >> 6U) & 63U] : '=';
    out += i + 2 < in.size() ? kAlphabet[group & 63U] : '=';
  }
  return {{"Authorization", "Basic " + out}};
}

inline Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

}  // namespace ccpulse::test
