#include "ccpulse/ingest/ami_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

#include "ccpulse/common/clock.hpp"

namespace ccpulse {
namespace {

constexpr std::string_view kLoginId = "ccpulse-login";

}  // namespace

AmiSource::AmiSource(const SourceSettings& settings, std::size_t index, EventSubmit submit)
    : settings_(settings),
      index_(index),
      submit_(std::move(submit)),
      decoder_(makeFrameDecoder(settings)),
      resolver_(io_),
      socket_(io_),
      retry_(io_),
      // Bounded: a peer that never ends a message cannot grow this past twice the frame limit.
      input_(settings.maxFrameBytes * 2 + 4096),
      backoff_(settings.adapter.reconnectMin) {
  const std::string_view endpoint = settings_.endpoint;
  if (!endpoint.starts_with("tcp://")) {
    throw std::invalid_argument("an asterisk_ami endpoint must be tcp://host:port");
  }
  const std::string_view rest = endpoint.substr(6);
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    throw std::invalid_argument("an asterisk_ami endpoint must be tcp://host:port");
  }
  std::string_view host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  host_ = std::string(host);
  port_ = std::string(rest.substr(colon + 1));
}

AmiSource::~AmiSource() { stop(); }

void AmiSource::start() {
  if (thread_.joinable()) {
    return;
  }
  spdlog::info("source {}: AMI client for {}:{} as user {}", settings_.name, host_, port_, settings_.adapter.username);
  boost::asio::post(io_, [this] { connect(); });
  thread_ = std::jthread([this](const std::stop_token&) {
    // A catch-all per handler run: a bug in one message never ends the source.
    while (!io_.stopped()) {
      try {
        io_.run();
      } catch (const std::exception& e) {
        spdlog::error("source {}: AMI handler failed: {}", settings_.name, e.what());
      }
    }
  });
}

void AmiSource::stop() {
  if (thread_.joinable()) {
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      retry_.cancel();
      socket_.close(ignored);
      io_.stop();
    });
    thread_.join();
  }
}

void AmiSource::connect() {
  phase_ = Phase::kBanner;
  input_.consume(input_.size());
  resolver_.async_resolve(host_, port_, [this](const boost::system::error_code& ec, const auto& results) {
    if (ec) {
      fail("cannot resolve " + host_ + ": " + ec.message(), true);
      return;
    }
    boost::asio::async_connect(socket_, results, [this](const boost::system::error_code& error, const auto&) {
      if (error) {
        fail("cannot connect to " + host_ + ":" + port_ + ": " + error.message(), true);
        return;
      }
      readBanner();
    });
  });
}

void AmiSource::readBanner() {
  // "Asterisk Call Manager/5.0.x\r\n": one line, not a message.
  boost::asio::async_read_until(socket_, input_, "\r\n", [this](const boost::system::error_code& ec, std::size_t n) {
    if (ec) {
      fail("no AMI banner: " + ec.message(), true);
      return;
    }
    const std::string banner(boost::asio::buffers_begin(input_.data()),
                             boost::asio::buffers_begin(input_.data()) + static_cast<std::ptrdiff_t>(n));
    input_.consume(n);
    if (!banner.starts_with("Asterisk Call Manager")) {
      fail("not an AMI server (banner '" + banner.substr(0, 40) + "')", true);
      return;
    }
    phase_ = Phase::kLogin;
    send("Action: Login\r\nActionID: " + std::string(kLoginId) + "\r\nUsername: " + settings_.adapter.username +
         "\r\nSecret: " + settings_.adapter.secret + "\r\nEvents: agent\r\n\r\n");
    readMessage();
  });
}

void AmiSource::readMessage() {
  boost::asio::async_read_until(
      socket_, input_, "\r\n\r\n", [this](const boost::system::error_code& ec, std::size_t n) {
        if (ec) {
          if (ec == boost::asio::error::not_found) {
            onReject(RejectReason::kOversize, {});
          }
          fail(phase_ == Phase::kRunning ? "connection lost: " + ec.message() : "login not answered: " + ec.message(),
               phase_ != Phase::kRunning);
          return;
        }
        // asio::streambuf keeps its input in one contiguous buffer: decode in place, no copy.
        const auto data = input_.data();
        const std::string_view message(static_cast<const char*>(data.data()), n);
        messageReceivedNs_ = steadyNowNs();
        try {
          handleMessage(message);
        } catch (const std::exception& e) {
          spdlog::error("source {}: AMI message failed: {}", settings_.name, e.what());
        }
        input_.consume(n);
        if (socket_.is_open()) {
          readMessage();
        }
      });
}

void AmiSource::handleMessage(std::string_view message) {
  if (phase_ == Phase::kLogin && message.find(kLoginId) != std::string_view::npos) {
    if (message.find("Response: Success") == std::string_view::npos) {
      fail("login as '" + settings_.adapter.username + "' refused", true);
      return;
    }
    phase_ = Phase::kRunning;
    backoff_ = settings_.adapter.reconnectMin;
    stats_.connects.add(1);
    stats_.ready.store(true, std::memory_order_release);
    spdlog::info("source {}: logged in to AMI at {}:{}; asking for QueueStatus", settings_.name, host_, port_);
    // Rebuild waiting callers and members: what happened while we were away is not replayed.
    send("Action: QueueStatus\r\nActionID: ccpulse-status\r\n\r\n");
    return;
  }
  stats_.frames.add(1);
  stats_.bytes.add(message.size());
  decoder_->decode(message, *this);
}

void AmiSource::send(std::string text) {
  // Only a handful of actions per connection, each after the previous write's completion is not
  // required by AMI; queue them in one string and write when idle.
  const bool idle = output_.empty();
  output_ += text;
  if (!idle) {
    return;
  }
  boost::asio::async_write(socket_, boost::asio::buffer(output_),
                           [this](const boost::system::error_code& ec, std::size_t written) {
                             output_.erase(0, written);
                             if (ec) {
                               output_.clear();
                               return;  // the read side reports the broken connection
                             }
                             if (!output_.empty()) {
                               std::string rest = std::move(output_);
                               output_.clear();
                               send(std::move(rest));
                             }
                           });
}

void AmiSource::fail(const std::string& why, bool countFailure) {
  const bool wasRunning = phase_ == Phase::kRunning;
  if (phase_ == Phase::kIdle) {
    return;  // already failed; a reconnect is scheduled
  }
  phase_ = Phase::kIdle;
  boost::system::error_code ignored;
  socket_.close(ignored);
  output_.clear();
  stats_.ready.store(false, std::memory_order_release);
  if (wasRunning) {
    stats_.disconnects.add(1);
  }
  if (countFailure) {
    stats_.connectFailures.add(1);
  }
  std::uint64_t suppressed = 0;
  if (connectLog_.shouldLog(suppressed)) {
    spdlog::warn("source {}: {}; reconnecting in {} ms ({} more since last report)", settings_.name, why,
                 std::chrono::duration_cast<std::chrono::milliseconds>(backoff_).count(), suppressed);
  }
  scheduleReconnect();
}

void AmiSource::scheduleReconnect() {
  retry_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, settings_.adapter.reconnectMax);
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      connect();
    }
  });
}

void AmiSource::onEvent(const Event& decoded) {
  stats_.received.add(1);
  Event event = decoded;
  event.sourceIndex = static_cast<std::uint16_t>(index_);
  event.receivedNs = messageReceivedNs_;
  stats_.lastEventSeconds.set(static_cast<double>(event.tsUs) / 1e6);
  if (submit_(event)) {
    stats_.submitted.add(1);
  }
}

void AmiSource::onReject(RejectReason reason, std::string_view detail) {
  stats_.rejected[static_cast<std::size_t>(reason)].add(1);
  std::uint64_t suppressed = 0;
  if (rejectLog_.shouldLog(suppressed)) {
    spdlog::warn("source {}: rejected AMI message (reason={}, field='{}'); counted ({} more since last report)",
                 settings_.name, toString(reason), detail, suppressed);
  }
}

void AmiSource::onIgnored(std::string_view /*what*/) { stats_.ignored.add(1); }

void AmiSource::onStateEvicted(std::string_view what) { countStateEvicted(stats_, rejectLog_, settings_.name, what); }

}  // namespace ccpulse
