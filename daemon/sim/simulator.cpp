// The contact-centre model behind ccpulse-sim: a discrete-event simulation driven by a timer
// heap. Every timer fires at its own timestamp and emits events stamped with it, and timers are
// only ever scheduled at or after the current time, so events come out in timestamp order.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "ccpulse/sim/simulator.hpp"

namespace ccpulse::sim {
namespace {

constexpr std::int64_t kSecondUs = 1'000'000;
constexpr std::int64_t kMinuteUs = 60 * kSecondUs;
constexpr double kPi = 3.14159265358979323846;

/// splitmix64 seeds xoshiro256** (the recommended pairing: it spreads a small seed over 256 bits).
class Rng final {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    for (auto& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31U);
    }
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17U;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  bool chance(double p) noexcept { return uniform() < p; }
  /// [0, n) by multiply-shift; the bias is < n / 2^32, irrelevant here.
  std::uint32_t below(std::uint32_t n) noexcept { return static_cast<std::uint32_t>(((next() >> 32U) * n) >> 32U); }
  double exponential(double mean) noexcept { return -mean * std::log1p(-uniform()); }
  /// Log-normal with the given mean and shape sigma (Box-Muller for the normal).
  double lognormal(double mean, double sigma) noexcept {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
    const double mu = std::log(mean) - 0.5 * sigma * sigma;
    return std::exp(mu + sigma * z);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
  }
  std::uint64_t s_[4]{};
};

std::int64_t toUs(double seconds) noexcept { return static_cast<std::int64_t>(seconds * 1e6); }

/// Per-channel behaviour; durations in seconds.
struct ChannelParams {
  double patience;  ///< mean customer patience (exponential)
  double talk;      ///< mean handling time (log-normal)
  double talkSigma;
  double acw;  ///< mean after-contact work (exponential)
  double holdProb;
  double holdMean;
  double transferProb;
  double selfServiceProb;
  double containedProb;
  double selfServiceMean;
  double maxWait;       ///< queue timeout; 0 = none
  double callbackProb;  ///< customer takes a callback offer while waiting
  double surveyProb;
};

constexpr std::array<ChannelParams, kChannelCount> kChannelParams{{
    // patience talk  sigma acw  hold  holdM xfer  ss    cont  ssM   maxWait cb    survey
    {150, 240, 0.6, 30, 0.20, 45, 0.06, 0.35, 0.45, 40, 600, 0.25, 0.15},  // voice
    {240, 420, 0.5, 20, 0.03, 30, 0.04, 0.50, 0.35, 60, 900, 0.0, 0.20},   // chat
    {3600, 600, 0.7, 15, 0.0, 0, 0.02, 0.20, 0.30, 30, 1800, 0.0, 0.10},   // sms
    {172800, 300, 0.6, 60, 0.0, 0, 0.03, 0.0, 0.0, 0, 0, 0.0, 0.05},       // email
    {7200, 500, 0.6, 30, 0.0, 0, 0.02, 0.10, 0.30, 30, 3600, 0.0, 0.05},   // social
    {180, 480, 0.5, 40, 0.10, 40, 0.04, 0.0, 0.0, 0, 900, 0.0, 0.20},      // video
}};

constexpr std::array<std::string_view, 6> kDispositions{"inquiry", "sale",      "technical",
                                                        "billing", "complaint", "cancellation"};
constexpr std::array<double, 6> kDispositionWeights{0.30, 0.15, 0.22, 0.15, 0.10, 0.08};

struct AuxReason {
  std::string_view name;
  double weight;
  double minutes;
};
constexpr std::array<AuxReason, 5> kAuxReasons{{
    {"break", 0.50, 12},
    {"lunch", 0.15, 35},
    {"training", 0.10, 45},
    {"meeting", 0.15, 25},
    {"coaching", 0.10, 20},
}};
constexpr double kBreakIntervalMinutes = 150;  // mean time between breaks per agent
constexpr double kLogoutProb = 0.06;           // share of "breaks" that are a logout/login cycle
constexpr std::int64_t kLoginSpreadUs = 30 * kSecondUs;
constexpr std::uint64_t kCustomersPerTenant = 50000;

/// Events per arrival assumed before the run has measured it (also used to size agent pools).
constexpr double kPriorEventsPerArrival = 6.5;
/// Share of logged-in time agents spend in aux (breaks every ~150 min lasting ~21 min).
constexpr double kShrinkage = 0.125;
constexpr std::int64_t kStaffingIntervalUs = 15 * kMinuteUs;
constexpr std::int64_t kBlockUs = kMinuteUs;
constexpr std::size_t kWindowBlocks = 30;
constexpr std::size_t kWarmupBlocks = 10;

/// Arrival intensity shape by hour of day (UTC is taken as the centres' local time).
double dailyCurve(double hour) noexcept {
  auto bump = [hour](double mid, double width) {
    const double d = (hour - mid) / width;
    return std::exp(-0.5 * d * d);
  };
  return 0.06 + 0.25 * bump(13.0, 4.0) + 1.0 * bump(11.0, 1.5) + 0.8 * bump(14.75, 1.7);
}

struct QueueSpec {
  std::string_view id;
  std::uint32_t tenant;
  Channel channel;
  std::uint32_t vendor;
  double weight;
};
constexpr std::array<std::string_view, 3> kTenantNames{"acme", "globex", "initech"};
/// Two outsourcers, one of them with two sites; each site reports as its own vendor id.
constexpr std::array<std::string_view, 3> kVendors{"talkwise", "servicio-mad", "servicio-bog"};
constexpr std::array<QueueSpec, 12> kDefaultQueues{{
    {"acme-sales-voice", 0, Channel::kVoice, 1, 1.0},
    {"acme-support-voice", 0, Channel::kVoice, 1, 1.4},
    {"acme-support-chat", 0, Channel::kChat, 0, 1.2},
    {"acme-support-email", 0, Channel::kEmail, 2, 0.5},
    {"globex-care-voice", 1, Channel::kVoice, 0, 1.2},
    {"globex-care-chat", 1, Channel::kChat, 0, 0.9},
    {"globex-sales-chat", 1, Channel::kChat, 0, 0.4},
    {"globex-care-sms", 1, Channel::kSms, 2, 0.4},
    {"globex-care-social", 1, Channel::kSocial, 2, 0.3},
    {"initech-helpdesk-voice", 2, Channel::kVoice, 2, 0.8},
    {"initech-helpdesk-chat", 2, Channel::kChat, 1, 0.6},
    {"initech-helpdesk-email", 2, Channel::kEmail, 0, 0.3},
}};
constexpr std::array<Channel, 8> kChannelCycle{Channel::kVoice, Channel::kChat,   Channel::kEmail, Channel::kVoice,
                                               Channel::kSms,   Channel::kSocial, Channel::kChat,  Channel::kVoice};
constexpr std::array<double, 8> kWeightCycle{1.0, 0.9, 0.4, 0.7, 0.3, 0.25, 0.5, 0.6};

std::string padded(std::uint64_t value, int width) {
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) {
    digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
  }
  return digits;
}

enum class TimerKind : std::uint8_t {
  kArrival,
  kSelfServiceDone,
  kQueueExit,
  kHoldStart,
  kHoldEnd,
  kTalkEnd,
  kWrapDone,
  kLegWrapDone,
  kSurvey,
  kAgentLogin,
  kBreakDue,
  kAuxEnd,
  kStaffing,
};

struct Timer {
  std::int64_t tsUs;
  std::uint64_t order;  // insertion order: deterministic tie-break
  TimerKind kind;
  std::uint32_t target;
  std::uint32_t token;
};
struct TimerLater {
  bool operator()(const Timer& a, const Timer& b) const noexcept {
    return a.tsUs != b.tsUs ? a.tsUs > b.tsUs : a.order > b.order;
  }
};

enum class ContactState : std::uint8_t { kFree, kSelfService, kWaiting, kTalking, kWrapping, kSurveyPending };

struct Contact {
  std::uint64_t number = 0;
  std::uint64_t customer = 0;
  std::uint32_t queue = kNoIndex;
  std::uint32_t agent = kNoIndex;
  std::uint32_t token = 0;  // bumped on every state change so that stale timers are ignored
  ContactState state = ContactState::kFree;
  DequeueReason exitReason = DequeueReason::kOther;
  bool exitIsAbandon = true;
  std::uint8_t hops = 0;  // transfers + overflows, bounded to avoid loops
  bool transferPlanned = false;
  std::uint32_t transferTo = kNoIndex;
  std::int64_t holdUs = 0;
  std::int64_t restUs = 0;  // talk after the hold ends
  std::int64_t enqueuedUs = 0;
  std::int64_t waitedUs = 0;  // of the last answered queue visit
  std::uint8_t disposition = 0;
  bool resolved = true;
};

struct AgentRuntime {
  bool loggedIn = false;
  bool inAux = false;
  bool breakPending = false;
  bool logoutPending = false;
  std::uint8_t auxReason = 0;
  std::uint8_t talking = 0;
  std::uint8_t wrapping = 0;  // contacts (or transferred legs) in after-contact work
  bool onShift = false;       // rostered now; off-shift agents log out once idle
  bool away = false;          // logged out temporarily, a re-login is scheduled
  AgentStateKind shown = AgentStateKind::kOffline;
  std::uint32_t stamp = 0;    // idle-list entries carrying an older stamp are stale
  std::uint32_t session = 0;  // login count: break timers of an earlier session are stale
};

struct IdleEntry {
  std::uint32_t agent;
  std::uint32_t stamp;
};
struct WaitEntry {
  std::uint32_t contact;
  std::uint32_t token;
};

struct QueueRuntime {
  std::deque<WaitEntry> waiting;        // FIFO; abandoned/dequeued contacts are skipped lazily
  std::deque<IdleEntry> idle;           // agents with a free slot; stale entries skipped lazily
  std::vector<std::uint32_t> siblings;  // same tenant and channel: transfer/overflow targets
  std::vector<std::uint32_t> skilled;   // all agents that serve this queue
};

}  // namespace

struct Simulator::Impl {
  explicit Impl(SimSettings s) : settings(std::move(s)), rng(settings.seed) {
    if (settings.source.empty()) {
      settings.source = "sim-" + std::to_string(settings.seed);
    }
    if (!(settings.rate > 0.0)) {
      settings.rate = 1.0;
    }
    nowUs = settings.startUs;
    blockEndUs = settings.startUs + kBlockUs;
    endUs = settings.durationUs > 0 ? settings.startUs + settings.durationUs : std::numeric_limits<std::int64_t>::max();
    initCurve();
    buildTopology();
    // The opening roster logs in over the first seconds; later shift changes every 15 minutes.
    for (std::uint32_t q = 0; q < topology.queues.size(); ++q) {
      const std::uint32_t rostered = rosterSize(q);
      for (std::uint32_t i = 0; i < rostered; ++i) {
        const std::uint32_t a = topology.queues[q].agents[i];
        agents[a].onShift = true;
        schedule(settings.startUs + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(kLoginSpreadUs)),
                 TimerKind::kAgentLogin, a, 1);
      }
    }
    schedule(settings.startUs, TimerKind::kArrival, 0, 0);
    schedule(settings.startUs + kStaffingIntervalUs, TimerKind::kStaffing, 0, 0);
  }

  /// Agents needed for an offered load (Erlangs): shrinkage for breaks, then square-root staffing.
  [[nodiscard]] static std::uint32_t staffFor(double erlangs) noexcept {
    const double base = erlangs / (1.0 - kShrinkage);
    return static_cast<std::uint32_t>(std::ceil(base + 1.0 * std::sqrt(base))) + 1;
  }

  /// How many of queue q's pool (the first ones) should be logged in now: the daily curve drives a
  /// roster, as real centres staff to forecast, so the pool sized for the peak idles at night.
  [[nodiscard]] std::uint32_t rosterSize(std::uint32_t q) const noexcept {
    const auto pool = static_cast<std::uint32_t>(topology.queues[q].agents.size());
    if (settings.curve == Curve::kFlat) {
      return pool;
    }
    const double share = curveAt(nowUs) * curveMean / curvePeak;
    const std::uint32_t wanted = settings.agentsPerQueue != 0 ? static_cast<std::uint32_t>(std::ceil(pool * share))
                                                              : staffFor(peakErlangs[q] * share);
    return std::clamp<std::uint32_t>(wanted, std::min<std::uint32_t>(pool, 2), pool);
  }

  // ---- setup -------------------------------------------------------------------------------

  void initCurve() {
    if (settings.curve == Curve::kFlat) {
      return;
    }
    double sum = 0.0;
    double peak = 0.0;
    for (int minute = 0; minute < 1440; ++minute) {
      const double v = dailyCurve(minute / 60.0);
      sum += v;
      peak = std::max(peak, v);
    }
    curveMean = sum / 1440.0;
    curvePeak = peak;
  }

  [[nodiscard]] double curveAt(std::int64_t tsUs) const noexcept {
    if (settings.curve == Curve::kFlat) {
      return 1.0;
    }
    constexpr std::int64_t kDayUs = 86400 * kSecondUs;
    std::int64_t inDay = tsUs % kDayUs;
    if (inDay < 0) {
      inDay += kDayUs;
    }
    return dailyCurve(static_cast<double>(inDay) / 3.6e9) / curveMean;
  }

  void buildTopology() {
    const bool generated = settings.tenants != 0 || settings.queuesPerTenant != 0;
    std::vector<QueueSpec> specs;
    std::vector<std::string> queueIds;
    if (!generated) {
      for (const auto name : kTenantNames) {
        topology.tenants.emplace_back(name);
      }
      for (const auto& spec : kDefaultQueues) {
        specs.push_back(spec);
        queueIds.emplace_back(spec.id);
      }
    } else {
      const std::uint32_t tenants = settings.tenants != 0 ? settings.tenants : 3;
      const std::uint32_t perTenant = settings.queuesPerTenant != 0 ? settings.queuesPerTenant : 4;
      for (std::uint32_t t = 0; t < tenants; ++t) {
        topology.tenants.push_back(t < kTenantNames.size() ? std::string(kTenantNames[t])
                                                           : "tenant-" + padded(t + 1, 4));
        for (std::uint32_t k = 0; k < perTenant; ++k) {
          const Channel channel = kChannelCycle[k % kChannelCycle.size()];
          specs.push_back({{}, t, channel, (t + k) % 3, kWeightCycle[k % kWeightCycle.size()]});
          queueIds.push_back(topology.tenants[t] + "-q" + padded(k + 1, 2) + "-" + std::string(channelName(channel)));
        }
      }
    }

    double totalWeight = 0.0;
    for (std::size_t q = 0; q < specs.size(); ++q) {
      SimQueue queue;
      queue.id = queueIds[q];
      queue.tenantIndex = specs[q].tenant;
      queue.tenant = topology.tenants[specs[q].tenant];
      queue.vendor = std::string(kVendors[specs[q].vendor]);
      queue.channel = specs[q].channel;
      queue.weight = specs[q].weight;
      totalWeight += queue.weight;
      cumulativeWeight.push_back(totalWeight);
      topology.queues.push_back(std::move(queue));
    }
    queues.resize(topology.queues.size());
    // Siblings (same tenant and channel) are transfer/overflow targets. A tenant's queues are
    // contiguous; scanning onward from q with a cap keeps huge generated topologies linear.
    constexpr std::size_t kMaxSiblings = 8;
    const auto queueCount = static_cast<std::uint32_t>(topology.queues.size());
    std::uint32_t tenantBegin = 0;
    while (tenantBegin < queueCount) {
      std::uint32_t tenantEnd = tenantBegin;
      while (tenantEnd < queueCount &&
             topology.queues[tenantEnd].tenantIndex == topology.queues[tenantBegin].tenantIndex) {
        ++tenantEnd;
      }
      const std::uint32_t span = tenantEnd - tenantBegin;
      for (std::uint32_t q = tenantBegin; q < tenantEnd; ++q) {
        for (std::uint32_t step = 1; step < span && queues[q].siblings.size() < kMaxSiblings; ++step) {
          const std::uint32_t o = tenantBegin + (q - tenantBegin + step) % span;
          if (topology.queues[o].channel == topology.queues[q].channel) {
            queues[q].siblings.push_back(o);
          }
        }
      }
      tenantBegin = tenantEnd;
    }

    const double peakFactor = settings.curve == Curve::kFlat ? 1.0 : curvePeak / curveMean;
    const double arrivalsPeak = settings.rate * peakFactor / kPriorEventsPerArrival;
    for (std::uint32_t q = 0; q < topology.queues.size(); ++q) {
      SimQueue& queue = topology.queues[q];
      // Offered load at peak; transfers and overflows add a few percent to every queue.
      const ChannelParams& p = kChannelParams[static_cast<std::size_t>(queue.channel)];
      const double reachQueue = 1.0 - p.selfServiceProb * p.containedProb;
      const double handle = p.talk + p.holdProb * p.holdMean + p.acw;
      const double slots = queue.channel == Channel::kChat
                               ? 2.5
                               : (queue.channel == Channel::kSms || queue.channel == Channel::kSocial ? 2.0 : 1.0);
      peakErlangs.push_back(arrivalsPeak * queue.weight / totalWeight * reachQueue * handle / slots * 1.08);
      const std::uint32_t poolSize = settings.agentsPerQueue != 0 ? settings.agentsPerQueue : staffFor(peakErlangs[q]);
      for (std::uint32_t i = 0; i < poolSize; ++i) {
        const auto a = static_cast<std::uint32_t>(topology.agents.size());
        SimAgent agent;
        agent.tenant = queue.tenant;
        agent.vendor = queue.vendor;
        agent.channel = queue.channel;
        agent.id = queue.tenant + "-a" + padded(a + 1, 5);
        switch (queue.channel) {
          case Channel::kChat:
            agent.capacity = static_cast<std::uint8_t>(2 + rng.below(2));
            break;
          case Channel::kSms:
          case Channel::kSocial:
            agent.capacity = 2;
            break;
          default:
            agent.capacity = 1;
            break;
        }
        agent.queues.push_back(q);
        // Some agents are cross-skilled on the tenant's other queues of the same channel at
        // the same site, so agents with several queues exist in every run.
        if (rng.chance(0.4)) {
          for (const std::uint32_t o : queues[q].siblings) {
            if (topology.queues[o].vendor == queue.vendor && agent.queues.size() < kMaxAgentQueues) {
              agent.queues.push_back(o);
            }
          }
        }
        queue.agents.push_back(a);
        topology.agents.push_back(std::move(agent));
      }
    }
    for (auto& agent : topology.agents) {
      for (const std::uint32_t q : agent.queues) {
        agent.queueIds.emplace_back(topology.queues[q].id);
      }
    }
    for (std::uint32_t a = 0; a < topology.agents.size(); ++a) {
      for (const std::uint32_t q : topology.agents[a].queues) {
        queues[q].skilled.push_back(a);
      }
    }
    agents.resize(topology.agents.size());
  }

  // ---- timers and emission --------------------------------------------------------------------

  void schedule(std::int64_t tsUs, TimerKind kind, std::uint32_t target, std::uint32_t token) {
    timers.push_back({std::max(tsUs, nowUs), timerOrder++, kind, target, token});
    std::push_heap(timers.begin(), timers.end(), TimerLater{});
  }

  SimEvent& emit(EventType type) {
    SimEvent& e = pending.emplace_back();
    e.type = type;
    e.tsUs = nowUs;
    e.source = settings.source;
    if (!startupPhase) {
      ++blockEvents;
    }
    return e;
  }

  SimEvent& emitContact(EventType type, std::uint32_t c) {
    const Contact& contact = contacts[c];
    const SimQueue& queue = topology.queues[contact.queue];
    SimEvent& e = emit(type);
    e.tenant = queue.tenant;
    e.vendor = queue.vendor;
    e.queue = queue.id;
    e.queueIndex = contact.queue;
    e.channel = queue.channel;
    e.contact = contact.number;
    e.customer = contact.customer;
    if (contact.agent != kNoIndex) {
      e.agent = topology.agents[contact.agent].id;
      e.agentIndex = contact.agent;
    }
    return e;
  }

  SimEvent& emitAgent(EventType type, std::uint32_t a) {
    const SimAgent& agent = topology.agents[a];
    SimEvent& e = emit(type);
    e.tenant = agent.tenant;
    e.vendor = agent.vendor;
    e.agent = agent.id;
    e.agentIndex = a;
    e.channel = agent.channel;
    return e;
  }

  // ---- rate control -------------------------------------------------------------------------

  void rollBlocks() {
    while (nowUs >= blockEndUs) {
      window[blockCount % kWindowBlocks] = {blockEvents, blockArrivals};
      ++blockCount;
      blockEvents = 0;
      blockArrivals = 0;
      blockEndUs += kBlockUs;
    }
  }

  /// Measured events per arrival over the recent window (flow balance makes the ratio unbiased in
  /// steady state), blended with the prior so that it starts sane and moves smoothly.
  [[nodiscard]] double eventsPerArrival() const noexcept {
    double events = 0.0;
    double arrivals = 0.0;
    if (blockCount > kWarmupBlocks) {
      const std::size_t usable = std::min(kWindowBlocks, blockCount - kWarmupBlocks);
      for (std::size_t i = 1; i <= usable; ++i) {
        const auto& block = window[(blockCount - i) % kWindowBlocks];
        events += static_cast<double>(block.first);
        arrivals += static_cast<double>(block.second);
      }
    }
    constexpr double kPriorWeight = 300.0;
    // Bounded: an overloaded centre emits fewer events per arrival (abandons are short), and an
    // unbounded controller would answer with even more arrivals.
    return std::clamp((events + kPriorEventsPerArrival * kPriorWeight) / (arrivals + kPriorWeight),
                      kPriorEventsPerArrival * 0.75, kPriorEventsPerArrival * 1.33);
  }

  // ---- contacts -------------------------------------------------------------------------------

  std::uint32_t newContact(std::uint32_t q) {
    std::uint32_t c = 0;
    if (!freeContacts.empty()) {
      c = freeContacts.back();
      freeContacts.pop_back();
    } else {
      c = static_cast<std::uint32_t>(contacts.size());
      contacts.emplace_back();
    }
    Contact& contact = contacts[c];
    const std::uint32_t token = contact.token + 1;
    contact = Contact{};
    contact.token = token;
    contact.number = ++contactCounter;
    contact.customer = 1 + rng.below(kCustomersPerTenant);
    contact.queue = q;
    return c;
  }

  void freeContact(std::uint32_t c) {
    contacts[c].state = ContactState::kFree;
    ++contacts[c].token;
    freeContacts.push_back(c);
  }

  [[nodiscard]] const ChannelParams& paramsOf(std::uint32_t c) const noexcept {
    return kChannelParams[static_cast<std::size_t>(topology.queues[contacts[c].queue].channel)];
  }

  void onArrival() {
    ++blockArrivals;
    const double pick = rng.uniform() * cumulativeWeight.back();
    const auto q = static_cast<std::uint32_t>(std::min<std::size_t>(
        static_cast<std::size_t>(std::upper_bound(cumulativeWeight.begin(), cumulativeWeight.end(), pick) -
                                 cumulativeWeight.begin()),
        cumulativeWeight.size() - 1));
    const std::uint32_t c = newContact(q);
    const ChannelParams& p = paramsOf(c);
    if (rng.chance(p.selfServiceProb)) {
      contacts[c].state = ContactState::kSelfService;
      schedule(nowUs + toUs(5.0 + rng.exponential(p.selfServiceMean)), TimerKind::kSelfServiceDone, c,
               contacts[c].token);
    } else {
      enqueue(c, q);
    }
    const double arrivalsPerSecond = settings.rate * curveAt(nowUs) / eventsPerArrival();
    schedule(nowUs + std::max<std::int64_t>(1, toUs(rng.exponential(1.0 / arrivalsPerSecond))), TimerKind::kArrival, 0,
             0);
  }

  void onSelfServiceDone(std::uint32_t c) {
    const bool contained = rng.chance(paramsOf(c).containedProb);
    emitContact(EventType::kContactSelfService, c).contained = contained ? 1 : 0;
    if (contained) {
      freeContact(c);
    } else {
      enqueue(c, contacts[c].queue);
    }
  }

  void enqueue(std::uint32_t c, std::uint32_t q) {
    Contact& contact = contacts[c];
    contact.queue = q;
    contact.agent = kNoIndex;
    contact.state = ContactState::kWaiting;
    ++contact.token;
    emitContact(EventType::kContactQueued, c);

    // The first of the customer's patience and the queue's own exits wins.
    const ChannelParams& p = paramsOf(c);
    double exitAfter = rng.exponential(p.patience);
    contact.exitIsAbandon = true;
    auto consider = [&](double after, DequeueReason reason) {
      if (after < exitAfter) {
        exitAfter = after;
        contact.exitIsAbandon = false;
        contact.exitReason = reason;
      }
    };
    if (p.maxWait > 0) {
      consider(p.maxWait, DequeueReason::kTimeout);
    }
    if (p.callbackProb > 0 && rng.chance(p.callbackProb)) {
      consider(90.0 + rng.exponential(60.0), DequeueReason::kCallback);
    }
    if (!queues[q].siblings.empty() && contact.hops < 2 && rng.chance(0.04)) {
      consider(45.0 + rng.exponential(45.0), DequeueReason::kOverflow);
    }
    if (rng.chance(0.005)) {
      consider(rng.uniform(10.0, 300.0), DequeueReason::kOther);
    }
    contact.enqueuedUs = nowUs;
    schedule(nowUs + toUs(exitAfter), TimerKind::kQueueExit, c, contact.token);

    const std::uint32_t a = takeIdleAgent(q);
    if (a != kNoIndex) {
      answer(c, a);
      afterLoadChange(a);
    } else {
      queues[q].waiting.push_back({c, contact.token});
    }
  }

  void onQueueExit(std::uint32_t c) {
    Contact& contact = contacts[c];
    if (contact.exitIsAbandon) {
      emitContact(EventType::kContactAbandoned, c);
      freeContact(c);
      return;
    }
    emitContact(EventType::kContactDequeued, c).dequeueReason = contact.exitReason;
    if (contact.exitReason == DequeueReason::kOverflow) {
      const auto& siblings = queues[contact.queue].siblings;
      ++contact.hops;
      enqueue(c, siblings[rng.below(static_cast<std::uint32_t>(siblings.size()))]);
    } else {
      freeContact(c);
    }
  }

  void answer(std::uint32_t c, std::uint32_t a) {
    Contact& contact = contacts[c];
    contact.state = ContactState::kTalking;
    contact.agent = a;
    ++contact.token;
    contact.waitedUs = nowUs - contact.enqueuedUs;
    emitContact(EventType::kContactAnswered, c);
    ++agents[a].talking;

    const ChannelParams& p = paramsOf(c);
    const double talk = std::max(5.0, rng.lognormal(p.talk, p.talkSigma));
    const auto& siblings = queues[contact.queue].siblings;
    contact.transferPlanned = !siblings.empty() && contact.hops < 2 && rng.chance(p.transferProb);
    if (contact.transferPlanned) {
      contact.transferTo = siblings[rng.below(static_cast<std::uint32_t>(siblings.size()))];
    }
    if (rng.chance(p.holdProb)) {
      const double before = talk * rng.uniform(0.2, 0.7);
      contact.holdUs = toUs(5.0 + rng.exponential(p.holdMean));
      contact.restUs = toUs(talk - before);
      schedule(nowUs + toUs(before), TimerKind::kHoldStart, c, contact.token);
    } else {
      schedule(nowUs + toUs(talk), TimerKind::kTalkEnd, c, contact.token);
    }
  }

  void onHoldStart(std::uint32_t c) {
    emitContact(EventType::kContactHold, c);
    schedule(nowUs + contacts[c].holdUs, TimerKind::kHoldEnd, c, contacts[c].token);
  }

  void onHoldEnd(std::uint32_t c) {
    emitContact(EventType::kContactUnhold, c);
    schedule(nowUs + contacts[c].restUs, TimerKind::kTalkEnd, c, contacts[c].token);
  }

  void onTalkEnd(std::uint32_t c) {
    Contact& contact = contacts[c];
    const std::uint32_t a = contact.agent;
    const ChannelParams& p = paramsOf(c);
    --agents[a].talking;
    ++agents[a].wrapping;
    if (contact.transferPlanned) {
      // The transferring agent wraps up its leg (no contact event: the contact's own wrap-up
      // belongs to the agent that finally handles it), the contact queues again elsewhere.
      emitContact(EventType::kContactTransferred, c).toQueue = topology.queues[contact.transferTo].id;
      pending.back().toQueueIndex = contact.transferTo;
      syncState(a);
      schedule(nowUs + toUs(2.0 + rng.exponential(p.acw * 0.5)), TimerKind::kLegWrapDone, a, 0);
      ++contact.hops;
      contact.transferPlanned = false;
      enqueue(c, contact.transferTo);
      return;
    }
    emitContact(EventType::kContactEnded, c);
    contact.state = ContactState::kWrapping;
    ++contact.token;
    syncState(a);
    schedule(nowUs + toUs(2.0 + rng.exponential(p.acw)), TimerKind::kWrapDone, c, contact.token);
  }

  void onWrapDone(std::uint32_t c) {
    Contact& contact = contacts[c];
    const std::uint32_t a = contact.agent;
    // Dispositions: complaints resolve less often; long waits hurt satisfaction later.
    double pick = rng.uniform();
    std::uint8_t d = 0;
    while (d + 1U < kDispositions.size() && pick >= kDispositionWeights[d]) {
      pick -= kDispositionWeights[d];
      ++d;
    }
    contact.disposition = d;
    contact.resolved = rng.chance(kDispositions[d] == "complaint" ? 0.5 : 0.8);
    SimEvent& e = emitContact(EventType::kContactWrapped, c);
    e.disposition = kDispositions[d];
    e.resolved = contact.resolved ? 1 : 0;
    --agents[a].wrapping;
    if (rng.chance(paramsOf(c).surveyProb)) {
      contact.state = ContactState::kSurveyPending;
      ++contact.token;
      schedule(nowUs + toUs(30.0 + rng.exponential(600.0)), TimerKind::kSurvey, c, contact.token);
    } else {
      freeContact(c);
    }
    afterLoadChange(a);
  }

  void onSurvey(std::uint32_t c) {
    const Contact& contact = contacts[c];
    int csat = contact.resolved ? 4 : 2;
    csat += static_cast<int>(rng.below(3)) - 1;  // -1..+1
    if (contact.waitedUs > 120 * kSecondUs) {
      --csat;
    }
    csat = std::clamp(csat, 1, 5);
    int nps = (csat - 1) * 5 / 2 + static_cast<int>(rng.below(3));
    nps = std::clamp(nps, 0, 10);
    SimEvent& e = emitContact(EventType::kSurveyResult, c);
    e.csat = static_cast<std::uint8_t>(csat);
    e.nps = static_cast<std::int8_t>(nps);
    freeContact(c);
  }

  // ---- agents ---------------------------------------------------------------------------------

  [[nodiscard]] bool assignable(std::uint32_t a) const noexcept {
    const AgentRuntime& r = agents[a];
    return r.loggedIn && !r.inAux && !r.breakPending && r.talking + r.wrapping < topology.agents[a].capacity;
  }

  [[nodiscard]] AgentStateKind derivedState(std::uint32_t a) const noexcept {
    const AgentRuntime& r = agents[a];
    if (!r.loggedIn) {
      return AgentStateKind::kOffline;
    }
    if (r.talking > 0) {
      return AgentStateKind::kBusy;
    }
    if (r.wrapping > 0) {
      return AgentStateKind::kAcw;
    }
    return r.inAux ? AgentStateKind::kAux : AgentStateKind::kAvailable;
  }

  /// Emits agent.state when the derived state differs from the last one published.
  void syncState(std::uint32_t a) {
    const AgentStateKind state = derivedState(a);
    if (state == agents[a].shown || state == AgentStateKind::kOffline) {
      return;
    }
    agents[a].shown = state;
    SimEvent& e = emitAgent(EventType::kAgentState, a);
    e.state = state;
    if (state == AgentStateKind::kAux) {
      e.reason = kAuxReasons[agents[a].auxReason].name;
    }
  }

  std::uint32_t takeIdleAgent(std::uint32_t q) {
    auto& idle = queues[q].idle;
    while (!idle.empty()) {
      const IdleEntry entry = idle.front();
      idle.pop_front();
      if (entry.stamp == agents[entry.agent].stamp && assignable(entry.agent)) {
        return entry.agent;
      }
    }
    return kNoIndex;
  }

  void pushIdle(std::uint32_t a) {
    const std::uint32_t stamp = ++agents[a].stamp;
    for (const std::uint32_t q : topology.agents[a].queues) {
      auto& idle = queues[q].idle;
      idle.push_back({a, stamp});
      if (idle.size() > 4 * queues[q].skilled.size() + 64) {
        // Compact: drop stale entries so idle lists of quiet queues cannot grow without bound.
        std::deque<IdleEntry> live;
        for (const IdleEntry& entry : idle) {
          if (entry.stamp == agents[entry.agent].stamp) {
            live.push_back(entry);
          }
        }
        idle.swap(live);
      }
    }
  }

  /// Oldest waiting contact over the agent's queues, popped; kNoIndex if none.
  std::uint32_t takeWaiting(std::uint32_t a) {
    std::uint32_t bestQueue = kNoIndex;
    std::int64_t bestSince = std::numeric_limits<std::int64_t>::max();
    for (const std::uint32_t q : topology.agents[a].queues) {
      auto& waiting = queues[q].waiting;
      while (!waiting.empty()) {
        const WaitEntry& head = waiting.front();
        const Contact& contact = contacts[head.contact];
        if (contact.token == head.token && contact.state == ContactState::kWaiting) {
          if (contact.enqueuedUs < bestSince) {
            bestSince = contact.enqueuedUs;
            bestQueue = q;
          }
          break;
        }
        waiting.pop_front();
      }
    }
    if (bestQueue == kNoIndex) {
      return kNoIndex;
    }
    const std::uint32_t c = queues[bestQueue].waiting.front().contact;
    queues[bestQueue].waiting.pop_front();
    return c;
  }

  /// After an agent's load or availability changed: publish its state, start a pending break,
  /// take waiting work, or advertise it as idle.
  void afterLoadChange(std::uint32_t a) {
    AgentRuntime& r = agents[a];
    if (!r.loggedIn) {
      return;
    }
    if (!r.onShift) {
      // Shift over: finish the contacts in hand, then log out (this replaces any planned break).
      r.breakPending = true;
      r.logoutPending = true;
    }
    if (r.breakPending && r.talking + r.wrapping == 0) {
      startBreak(a);
      return;
    }
    syncState(a);
    while (assignable(a)) {
      const std::uint32_t c = takeWaiting(a);
      if (c == kNoIndex) {
        pushIdle(a);
        return;
      }
      answer(c, a);
      syncState(a);
    }
  }

  void onLoginTimer(std::uint32_t a) {
    AgentRuntime& r = agents[a];
    r.away = false;
    if (r.loggedIn || !r.onShift) {
      return;
    }
    const std::uint32_t stamp = r.stamp + 1;
    const std::uint32_t session = r.session + 1;
    r = AgentRuntime{};
    r.stamp = stamp;
    r.session = session;
    r.onShift = true;
    r.loggedIn = true;
    const SimAgent& agent = topology.agents[a];
    SimEvent& e = emitAgent(EventType::kAgentLogin, a);
    e.loginQueues = agent.queueIds;
    e.capacity = agent.capacity;
    scheduleBreak(a);
    afterLoadChange(a);
  }

  void scheduleBreak(std::uint32_t a) {
    schedule(nowUs + toUs(60.0 * rng.exponential(kBreakIntervalMinutes)), TimerKind::kBreakDue, a, agents[a].session);
  }

  void onBreakDue(std::uint32_t a) {
    AgentRuntime& r = agents[a];
    if (!r.loggedIn || r.inAux || r.breakPending) {
      return;
    }
    r.breakPending = true;
    r.logoutPending = rng.chance(kLogoutProb);
    double pick = rng.uniform();
    std::uint8_t reason = 0;
    while (reason + 1U < kAuxReasons.size() && pick >= kAuxReasons[reason].weight) {
      pick -= kAuxReasons[reason].weight;
      ++reason;
    }
    r.auxReason = reason;
    afterLoadChange(a);  // starts now if idle, else when the last contact is wrapped
  }

  void startBreak(std::uint32_t a) {
    AgentRuntime& r = agents[a];
    r.breakPending = false;
    if (r.logoutPending) {
      r.logoutPending = false;
      r.loggedIn = false;
      r.inAux = false;
      r.shown = AgentStateKind::kOffline;
      ++r.stamp;
      emitAgent(EventType::kAgentLogout, a);
      if (r.onShift) {
        r.away = true;  // a short absence mid-shift: back in 10-25 minutes
        schedule(nowUs + toUs(600.0 + rng.exponential(900.0)), TimerKind::kAgentLogin, a, 0);
      }
      return;
    }
    r.inAux = true;
    syncState(a);
    const double minutes = kAuxReasons[r.auxReason].minutes * rng.uniform(0.7, 1.3);
    schedule(nowUs + toUs(60.0 * minutes), TimerKind::kAuxEnd, a, r.session);
  }

  void onAuxEnd(std::uint32_t a) {
    agents[a].inAux = false;
    scheduleBreak(a);
    afterLoadChange(a);
  }

  void onLegWrapDone(std::uint32_t a) {
    --agents[a].wrapping;
    afterLoadChange(a);
  }

  /// Shift changes: rosters follow the daily curve; joiners log in over the next five minutes.
  void onStaffing() {
    for (std::uint32_t q = 0; q < topology.queues.size(); ++q) {
      const std::uint32_t rostered = rosterSize(q);
      const auto& pool = topology.queues[q].agents;
      for (std::uint32_t i = 0; i < pool.size(); ++i) {
        const std::uint32_t a = pool[i];
        AgentRuntime& r = agents[a];
        const bool wanted = i < rostered;
        if (wanted && !r.onShift) {
          r.onShift = true;
          if (!r.loggedIn && !r.away) {
            schedule(nowUs + toUs(rng.uniform(0.0, 300.0)), TimerKind::kAgentLogin, a, 2);
          }
        } else if (!wanted && r.onShift) {
          r.onShift = false;
          afterLoadChange(a);
        }
      }
    }
    schedule(nowUs + kStaffingIntervalUs, TimerKind::kStaffing, 0, 0);
  }

  // ---- main loop ------------------------------------------------------------------------------

  [[nodiscard]] bool contactTimerLive(const Timer& t) const noexcept { return contacts[t.target].token == t.token; }

  /// Fires the earliest timer; false when the simulated time is over.
  bool step() {
    if (timers.empty()) {
      return false;
    }
    std::pop_heap(timers.begin(), timers.end(), TimerLater{});
    const Timer t = timers.back();
    timers.pop_back();
    if (t.tsUs > endUs) {
      return false;
    }
    nowUs = t.tsUs;
    rollBlocks();
    startupPhase = false;
    switch (t.kind) {
      case TimerKind::kArrival:
        onArrival();
        break;
      case TimerKind::kSelfServiceDone:
        if (contactTimerLive(t)) onSelfServiceDone(t.target);
        break;
      case TimerKind::kQueueExit:
        if (contactTimerLive(t) && contacts[t.target].state == ContactState::kWaiting) onQueueExit(t.target);
        break;
      case TimerKind::kHoldStart:
        if (contactTimerLive(t)) onHoldStart(t.target);
        break;
      case TimerKind::kHoldEnd:
        if (contactTimerLive(t)) onHoldEnd(t.target);
        break;
      case TimerKind::kTalkEnd:
        if (contactTimerLive(t)) onTalkEnd(t.target);
        break;
      case TimerKind::kWrapDone:
        if (contactTimerLive(t)) onWrapDone(t.target);
        break;
      case TimerKind::kSurvey:
        if (contactTimerLive(t)) onSurvey(t.target);
        break;
      case TimerKind::kLegWrapDone:
        onLegWrapDone(t.target);
        break;
      case TimerKind::kAgentLogin:
        // Initial logins (token 1) are not traffic: keep them out of the rate controller.
        startupPhase = t.token == 1;
        onLoginTimer(t.target);
        startupPhase = false;
        break;
      case TimerKind::kBreakDue:
        if (agents[t.target].session == t.token) onBreakDue(t.target);
        break;
      case TimerKind::kAuxEnd:
        if (agents[t.target].session == t.token && agents[t.target].inAux) onAuxEnd(t.target);
        break;
      case TimerKind::kStaffing:
        onStaffing();
        break;
    }
    return true;
  }

  bool next(SimEvent& out) {
    if (settings.maxEvents != 0 && emittedCount >= settings.maxEvents) {
      return false;
    }
    while (pendingHead == pending.size()) {
      pending.clear();
      pendingHead = 0;
      if (finished || !step()) {
        finished = true;
        return false;
      }
    }
    out = pending[pendingHead++];
    out.seq = ++emittedCount;
    return true;
  }

  SimSettings settings;
  Rng rng;
  SimTopology topology;
  std::vector<double> cumulativeWeight;
  std::vector<double> peakErlangs;
  std::vector<QueueRuntime> queues;
  std::vector<AgentRuntime> agents;
  std::vector<Contact> contacts;
  std::vector<std::uint32_t> freeContacts;
  std::vector<Timer> timers;
  std::uint64_t timerOrder = 0;
  std::vector<SimEvent> pending;
  std::size_t pendingHead = 0;
  std::int64_t nowUs = 0;
  std::int64_t endUs = std::numeric_limits<std::int64_t>::max();
  std::uint64_t contactCounter = 0;
  std::uint64_t emittedCount = 0;
  bool finished = false;
  bool startupPhase = false;
  double curveMean = 1.0;
  double curvePeak = 1.0;
  std::int64_t blockEndUs = 0;
  std::uint64_t blockEvents = 0;
  std::uint64_t blockArrivals = 0;
  std::size_t blockCount = 0;
  std::array<std::pair<std::uint64_t, std::uint64_t>, kWindowBlocks> window{};
};

Simulator::Simulator(SimSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
Simulator::~Simulator() = default;

bool Simulator::next(SimEvent& out) { return impl_->next(out); }
const SimTopology& Simulator::topology() const noexcept { return impl_->topology; }
const SimSettings& Simulator::settings() const noexcept { return impl_->settings; }
std::string_view Simulator::source() const noexcept { return impl_->settings.source; }
std::uint64_t Simulator::emitted() const noexcept { return impl_->emittedCount; }

}  // namespace ccpulse::sim
