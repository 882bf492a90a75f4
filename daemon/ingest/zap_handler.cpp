#include "ccpulse/ingest/zap_handler.hpp"

#include <spdlog/spdlog.h>
#include <zmq.h>

#include <algorithm>
#include <cstring>

#include "ccpulse/config/z85.hpp"

namespace ccpulse {
namespace {

constexpr std::chrono::milliseconds kPollTimeout{100};
/// A ZAP request has 6 frames plus the mechanism's credentials (one for CURVE); more is malformed.
constexpr std::size_t kMaxRequestFrames = 16;

std::string z85Of(const zmq::message_t& key) {
  if (key.size() != 32) {
    return "<" + std::to_string(key.size()) + "-byte credential>";
  }
  std::array<char, 41> text{};
  zmq_z85_encode(text.data(), static_cast<const std::uint8_t*>(key.data()), 32);
  return text.data();
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context) : socket_(context, zmq::socket_type::rep) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
}

ZapHandler::~ZapHandler() { stop(); }

const PubU64& ZapHandler::addDomain(const std::string& domain, const std::vector<std::string>& allowedZ85) {
  auto d = std::make_unique<Domain>();
  d->name = domain;
  for (const auto& key : allowedZ85) {
    if (const auto bytes = decodeZ85Key(key)) {
      d->allowed.insert(*bytes);
    }
  }
  domains_.push_back(std::move(d));
  return domains_.back()->rejected;
}

void ZapHandler::start() {
  if (!thread_.joinable()) {
    thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
  }
}

void ZapHandler::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void ZapHandler::run(const std::stop_token& stop) {
  RateLimitedLog errorLog;
  std::array<zmq::pollitem_t, 1> items{};
  items[0] = {socket_.handle(), 0, ZMQ_POLLIN, 0};
  while (!stop.stop_requested()) {
    try {
      zmq::poll(items.data(), items.size(), kPollTimeout);
      if ((items[0].revents & ZMQ_POLLIN) != 0) {
        answerOne();
      }
    } catch (const std::exception& e) {
      std::uint64_t suppressed = 0;
      if (errorLog.shouldLog(suppressed)) {
        spdlog::error("zap: handler error: {} ({} more since last report)", e.what(), suppressed);
      }
    }
  }
}

void ZapHandler::answerOne() {
  // version, request id, domain, address, routing id, mechanism, credentials...
  std::vector<zmq::message_t> frames;
  for (bool more = true; more;) {
    zmq::message_t part;
    if (!socket_.recv(part, zmq::recv_flags::none)) {
      return;
    }
    more = part.more();
    if (frames.size() < kMaxRequestFrames) {
      frames.push_back(std::move(part));
    }
  }
  const auto text = [&](std::size_t i) { return i < frames.size() ? frames[i].to_string() : std::string(); };
  const std::string version = text(0);
  const std::string domainName = text(2);
  const std::string address = text(3);
  const std::string mechanism = text(5);

  std::string status = "400";
  std::string reason;
  const auto it = std::find_if(domains_.begin(), domains_.end(), [&](const auto& d) { return d->name == domainName; });
  if (version != "1.0" || frames.size() < 6) {
    reason = "malformed ZAP request";
  } else if (it == domains_.end()) {
    // A domain this daemon did not configure for CURVE (a plaintext source): not ours to refuse.
    status = mechanism == "NULL" ? "200" : "400";
    reason = status == "200" ? "OK" : "no CURVE keys for domain '" + domainName + "'";
  } else if (mechanism != "CURVE" || frames.size() < 7 || frames[6].size() != 32) {
    reason = "source requires CURVE, peer offered " + mechanism;
  } else {
    std::array<std::uint8_t, 32> key{};
    std::memcpy(key.data(), frames[6].data(), key.size());
    if ((*it)->allowed.contains(key)) {
      status = "200";
      reason = "OK";
    } else {
      reason = "unknown client key";
    }
  }
  if (status == "200") {
    accepted_.add(1);
  } else {
    if (it != domains_.end()) {
      (*it)->rejected.add(1);
    }
    std::uint64_t suppressed = 0;
    if (rejectLog_.shouldLog(suppressed)) {
      spdlog::warn(
          "source {}: refused {} handshake from {}: {} (key {}); counted in ccpulse_source_curve_rejected_total "
          "({} more since last report)",
          domainName, mechanism, address, reason, frames.size() > 6 ? z85Of(frames[6]) : std::string("-"), suppressed);
    }
  }
  // Reply: version, request id, status code, status text, user id, metadata.
  socket_.send(zmq::buffer(std::string_view("1.0")), zmq::send_flags::sndmore);
  socket_.send(frames.size() > 1 ? zmq::message_t(frames[1].data(), frames[1].size()) : zmq::message_t(),
               zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(status), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(reason), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(status == "200" ? domainName : std::string()), zmq::send_flags::sndmore);
  socket_.send(zmq::message_t(), zmq::send_flags::none);
}

}  // namespace ccpulse
