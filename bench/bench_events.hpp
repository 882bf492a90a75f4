#pragma once
// Deterministic canonical-JSON workload shared by the micro-benchmarks, the end-to-end harness
// and the steady-state allocation test: contact lifecycles over many (queue, channel) label
// sets, every contact id distinct. Header-only so tests can include it without linking bench/.
// Not thread-safe (plain value types and functions).

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace ccpulse::bench {

/// Width of the send-time field at the start of every event id ("<19 digits>-<source>-<seq>"): the e2e
/// harness overwrites it in place with the sender's steady-clock nanoseconds before sending, so
/// a receiver can compute transit time without any other field changing size.
inline constexpr std::size_t kSendTimeDigits = 19;

struct WorkloadSettings {
  std::uint64_t events = 100'000;  ///< stop after this many events (a lifecycle may be cut short)
  std::uint32_t queues = 200;      ///< distinct queue names
  std::uint32_t channels = 1;      ///< channels per queue (1..6): label sets = queues x channels
  std::uint32_t tenants = 4;
  std::int64_t startUs = 1'795'428'000'000'000;  ///< 2026-11-23T10:00:00Z
  std::int64_t stepUs = 1;                       ///< event time advances this much per event
  std::uint32_t interleave = 64;                 ///< contacts in flight at once
  std::uint64_t firstContact = 0;                ///< contact numbers start here (distinct runs)
  std::string source = "bench";
};

/// Events, each one compact JSON object, stored back to back in one buffer (no per-event heap
/// block, so a million events cost ~200 MB rather than twice that).
struct Workload {
  std::string bytes;
  std::vector<std::uint32_t> offsets;    ///< event i is bytes[offsets[i], offsets[i+1])
  std::vector<std::uint32_t> idOffsets;  ///< position of the send-time digits of event i's id
  std::uint64_t offered = 0, answered = 0, abandoned = 0, dequeued = 0, handled = 0;

  [[nodiscard]] std::size_t size() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
  [[nodiscard]] std::string_view event(std::size_t i) const noexcept {
    return std::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
  }
};

inline void appendTimestampUs(std::int64_t us, std::string& out) {
  // Civil-from-days (Howard Hinnant), UTC, microseconds.
  std::int64_t secs = us / 1'000'000;
  const auto micros = static_cast<int>(us % 1'000'000);
  std::int64_t days = secs / 86'400;
  const auto sod = static_cast<int>(secs % 86'400);
  days += 719'468;
  const std::int64_t era = days / 146'097;
  const auto doe = static_cast<unsigned>(days - era * 146'097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%06dZ", static_cast<long long>(y), m, d,
                              sod / 3600, sod / 60 % 60, sod % 60, micros);
  out.append(buf, static_cast<std::size_t>(n));
}

inline constexpr const char* kBenchChannels[] = {"voice", "chat", "sms", "email", "social", "video"};

/// One event of a lifecycle, as the generator and the per-type micro-benchmarks render it.
struct EventSpec {
  const char* type;
  std::uint32_t tenant;
  std::uint32_t queue;
  std::uint32_t channel;
  std::uint64_t contact;
  const char* extra = "";  ///< further JSON members, starting with ','
};

inline void renderEvent(const WorkloadSettings& s, const EventSpec& e, std::uint64_t seq, std::int64_t tsUs,
                        std::string& out, std::uint32_t* idOffset = nullptr) {
  char buf[96];
  out += R"({"type":")";
  out += e.type;
  out += R"(","ts":")";
  appendTimestampUs(tsUs, out);
  out += R"(","id":")";
  if (idOffset != nullptr) {
    *idOffset = static_cast<std::uint32_t>(out.size());
  }
  int n =
      std::snprintf(buf, sizeof buf, "%019d-%.32s-%010llu", 0, s.source.c_str(), static_cast<unsigned long long>(seq));
  out.append(buf, static_cast<std::size_t>(n));
  out += R"(","source":")";
  out += s.source;
  n = std::snprintf(buf, sizeof buf, R"(","seq":%llu,"tenant":"t%02u","vendor":"v1","queue":"q%05u","channel":")",
                    static_cast<unsigned long long>(seq), e.tenant, e.queue);
  out.append(buf, static_cast<std::size_t>(n));
  out += kBenchChannels[e.channel];
  n = std::snprintf(buf, sizeof buf, R"(","contact":"c%010llu")", static_cast<unsigned long long>(e.contact));
  out.append(buf, static_cast<std::size_t>(n));
  out += e.extra;
  out += '}';
}

/// Contact lifecycles, `interleave` contacts at a time round-robin over the label sets:
/// 80 % queued -> answered -> ended -> wrapped (one in ten with hold/unhold in between),
/// 15 % queued -> abandoned, 5 % queued -> dequeued (timeout). No agent fields, so every event
/// routes to exactly one shard.
inline Workload makeWorkload(const WorkloadSettings& s) {
  Workload w;
  w.bytes.reserve(s.events * 215);
  w.offsets.reserve(s.events + 1);
  w.idOffsets.reserve(s.events);
  std::uint64_t seq = 0;
  std::uint64_t contact = s.firstContact;
  std::uint64_t labelSet = 0;
  const std::uint64_t labelSets = static_cast<std::uint64_t>(s.queues) * s.channels;
  struct Live {
    EventSpec spec;
    int kind;  // 0 answered, 1 answered with hold, 2 abandoned, 3 dequeued
  };
  std::vector<Live> group;
  const auto emit = [&](const EventSpec& e) {
    if (seq >= s.events) {
      return;
    }
    w.offsets.push_back(static_cast<std::uint32_t>(w.bytes.size()));
    std::uint32_t idOffset = 0;
    ++seq;
    renderEvent(s, e, seq, s.startUs + static_cast<std::int64_t>(seq) * s.stepUs, w.bytes, &idOffset);
    w.idOffsets.push_back(idOffset);
  };
  while (seq < s.events) {
    group.clear();
    for (std::uint32_t i = 0; i < s.interleave; ++i) {
      const std::uint64_t set = labelSet++ % labelSets;
      const auto queue = static_cast<std::uint32_t>(set / s.channels);
      Live l{{"contact.queued", queue % s.tenants, queue, static_cast<std::uint32_t>(set % s.channels), ++contact}, 0};
      const std::uint64_t r = contact % 20;
      l.kind = r < 16 ? (r == 0 ? 1 : 0) : (r < 19 ? 2 : 3);
      group.push_back(l);
    }
    const auto phase = [&](int kindMask, const char* type, const char* extra) {
      for (auto& l : group) {
        if (((1 << l.kind) & kindMask) != 0) {
          EventSpec e = l.spec;
          e.type = type;
          e.extra = extra;
          emit(e);
        }
      }
    };
    phase(0b1111, "contact.queued", "");
    phase(0b0011, "contact.answered", "");
    phase(0b0100, "contact.abandoned", "");
    phase(0b1000, "contact.dequeued", R"(,"reason":"timeout")");
    phase(0b0010, "contact.hold", "");
    phase(0b0010, "contact.unhold", "");
    phase(0b0011, "contact.ended", "");
    phase(0b0011, "contact.wrapped", "");
  }
  w.offsets.push_back(static_cast<std::uint32_t>(w.bytes.size()));
  // Expected counts from what was actually emitted (the last group may be cut short).
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::string_view e = w.event(i);
    const std::string_view type = e.substr(9, e.find('"', 9) - 9);
    w.offered += type == "contact.queued" ? 1 : 0;
    w.answered += type == "contact.answered" ? 1 : 0;
    w.abandoned += type == "contact.abandoned" ? 1 : 0;
    w.dequeued += type == "contact.dequeued" ? 1 : 0;
    w.handled += type == "contact.wrapped" ? 1 : 0;
  }
  return w;
}

}  // namespace ccpulse::bench
