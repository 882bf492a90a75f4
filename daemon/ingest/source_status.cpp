#include "ccpulse/ingest/source_status.hpp"

#include <cstdio>

#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse {
namespace {

void appendString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

void appendKey(std::string& out, std::string_view key) {
  appendString(out, key);
  out += ':';
}

void appendField(std::string& out, std::string_view key, std::uint64_t value) {
  appendKey(out, key);
  out += std::to_string(value);
  out += ',';
}

void appendNumber(std::string& out, std::string_view key, double value) {
  appendKey(out, key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  out += buf;
  out += ',';
}

void appendTime(std::string& out, std::string_view key, std::int64_t us) {
  appendKey(out, key);
  if (us == 0) {
    out += "null";
  } else {
    appendString(out, formatRfc3339(us));
  }
  out += ',';
}

void closeObject(std::string& out) {
  if (out.back() == ',') {
    out.back() = '}';
  } else {
    out += '}';
  }
}

}  // namespace

SourceStatus::SourceStatus(std::vector<Source> sources, const Engine& engine)
    : sources_(std::move(sources)), engine_(engine), history_(sources_.size()) {}

void SourceStatus::sample(std::int64_t nowUs) {
  if (lastSampleUs_ != 0 && nowUs - lastSampleUs_ < kSampleIntervalUs) {
    return;
  }
  lastSampleUs_ = nowUs;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    History& h = history_[i];
    h.samples[h.next] = Sample{nowUs, sources_[i].stats->received.get()};
    h.next = (h.next + 1) % kSamples;
    h.count = std::min(h.count + 1, kSamples);
  }
}

double SourceStatus::rate(std::size_t source, std::int64_t windowUs) const noexcept {
  const History& h = history_[source];
  if (h.count < 2) {
    return 0;
  }
  const Sample& newest = h.samples[(h.next + kSamples - 1) % kSamples];
  // The oldest sample still inside the window (the newest is always inside).
  const Sample* oldest = &newest;
  for (std::size_t back = 2; back <= h.count; ++back) {
    const Sample& s = h.samples[(h.next + kSamples - back) % kSamples];
    if (newest.us - s.us > windowUs) {
      break;
    }
    oldest = &s;
  }
  if (oldest == &newest || newest.us <= oldest->us) {
    return 0;
  }
  return static_cast<double>(newest.events - oldest->events) * 1e6 / static_cast<double>(newest.us - oldest->us);
}

std::string SourceStatus::renderJson() const {
  std::string out = "{\"sources\":[";
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const Source& src = sources_[i];
    const SourceSettings& s = *src.settings;
    const SourceStats& st = *src.stats;
    if (i > 0) {
      out += ',';
    }
    out += '{';
    appendKey(out, "name");
    appendString(out, s.name);
    out += ',';
    appendKey(out, "endpoint");
    appendString(out, src.endpoint);
    out += ',';
    appendKey(out, "socket");
    appendString(out, s.socket == SocketKind::kPull ? "pull" : "sub");
    out += ",\"bind\":";
    out += s.bind ? "true," : "false,";
    appendKey(out, "format");
    appendString(out, "json");
    out += ',';
    const bool up = st.ready.load(std::memory_order_acquire);
    appendKey(out, "state");
    appendString(out, s.bind ? (up ? "bound" : "unbound") : (up ? "connected" : "disconnected"));
    out += ",\"curve\":";
    out += s.curve ? "true," : "false,";
    appendTime(out, "last_event_time", st.lastEventUs.get());
    appendTime(out, "last_receive_time", st.lastReceiveUs.get());
    appendKey(out, "rate");
    out += '{';
    appendNumber(out, "events_per_second_10s", rate(i, 10'000'000));
    appendNumber(out, "events_per_second_1m", rate(i, 60'000'000));
    closeObject(out);
    out += ',';
    appendField(out, "frames", st.frames.get());
    appendField(out, "bytes", st.bytes.get());
    appendField(out, "events", st.received.get());
    appendField(out, "submitted", st.submitted.get());
    appendField(out, "dropped", engine_.dropped(i));
    std::uint64_t duplicateIds = 0;
    for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
      duplicateIds += engine_.shard(shard).stats().duplicates[i].get();
    }
    appendField(out, "duplicate_ids", duplicateIds);
    appendField(out, "curve_rejected", src.curveRejected != nullptr ? src.curveRejected->get() : 0);
    appendField(out, "connects", st.connects.get());
    appendField(out, "disconnects", st.disconnects.get());
    std::uint64_t rejectedTotal = 0;
    for (const auto& r : st.rejected) {
      rejectedTotal += r.get();
    }
    appendKey(out, "rejected");
    out += '{';
    appendField(out, "total", rejectedTotal);
    for (std::size_t r = 0; r < kRejectReasonCount; ++r) {
      appendField(out, toString(static_cast<RejectReason>(r)), st.rejected[r].get());
    }
    closeObject(out);
    out += ',';
    appendKey(out, "sequence");
    out += '{';
    appendField(out, "gaps", st.sequenceGaps.get());
    appendField(out, "duplicates", st.sequenceRepeats.get());
    appendField(out, "restarts", st.sequenceRestarts.get());
    appendField(out, "untracked_events", src.sequences->untracked());
    closeObject(out);
    out += ',';
    appendKey(out, "publishers");
    out += '[';
    const auto& publishers = src.sequences->publishers();
    const std::size_t n = publishers.size();
    for (std::size_t p = 0; p < n; ++p) {
      const PublisherStats& ps = publishers.at(p);
      if (p > 0) {
        out += ',';
      }
      out += '{';
      appendKey(out, "name");
      appendString(out, ps.name);
      out += ',';
      appendField(out, "last_seq", ps.lastSeq.get());
      appendField(out, "events", ps.events.get());
      appendField(out, "gaps", ps.gaps.get());
      appendField(out, "duplicates", ps.repeats.get());
      appendField(out, "restarts", ps.restarts.get());
      closeObject(out);
    }
    out += ']';
    out += '}';
  }
  out += "]}\n";
  return out;
}

}  // namespace ccpulse
