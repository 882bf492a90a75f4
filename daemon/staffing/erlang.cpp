#include "ccpulse/staffing/erlang.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

// Derivations are in docs/staffing.md; comments here say why the code is shaped as it is.

namespace ccpulse::staffing {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Series terms below this fraction of the running sum are dropped; with the geometric tail bound
// the truncation error is below 1e-16 relative, far under the 1e-12 the brief asks for.
constexpr double kSeriesEpsilon = 1e-17;

// Past this many expected arrivals per mean patience (lambda x theta) the Erlang A series gets
// long (about 18 sqrt(lambda theta) terms) while the answer is indistinguishable from Erlang C, so
// such patience is treated as infinite. 1e8 is 38 days of patience at 30 calls/s.
constexpr double kMaxArrivalsPerPatience = 1e8;

// Positions are ceil(N / (1 - shrinkage)); 14 / 0.7 is 20.000000000000004 in binary floating
// point, which must not become 21.
constexpr double kCeilSlack = 1e-9;

bool finiteNonNegative(double v) noexcept { return std::isfinite(v) && v >= 0.0; }

bool validQueue(const Queue& q) noexcept {
  return finiteNonNegative(q.arrivalRate) && std::isfinite(q.ahtSeconds) && q.ahtSeconds > 0.0 &&
         finiteNonNegative(q.thresholdSeconds) && !std::isnan(q.patienceSeconds) && q.patienceSeconds > 0.0 &&
         std::isfinite(q.concurrency) && q.concurrency >= 1.0 &&
         q.arrivalRate * q.ahtSeconds / q.concurrency < static_cast<double>(kMaxAgents);
}

bool validTarget(const Target& t) noexcept {
  return std::isfinite(t.serviceLevel) && t.serviceLevel > 0.0 && t.serviceLevel < 1.0 &&
         std::isfinite(t.maxOccupancy) && t.maxOccupancy > 0.0 && t.maxOccupancy <= 1.0 && std::isfinite(t.shrinkage) &&
         t.shrinkage >= 0.0 && t.shrinkage < 1.0;
}

double effectiveAht(const Queue& q) noexcept { return q.ahtSeconds / q.concurrency; }

// std::lgamma writes the global `signgam` on glibc (not thread-safe), so use Stirling's series
// with an upward shift; only positive arguments occur here. Relative error ~1e-15.
double logGamma(double x) noexcept {
  double shift = 0.0;
  while (x < 10.0) {
    shift += std::log(x);
    x += 1.0;
  }
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  const double series = inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0))));
  return (x - 0.5) * std::log(x) - x + 0.5 * std::log(2.0 * std::numbers::pi) + series - shift;
}

// Digamma for x > 0 (shift, then the asymptotic series): harmonic-type sums sum_{m=1}^{n} 1/(b+m)
// = psi(b+n+1) - psi(b+1) without an O(n) loop when the series starts far from n = 0.
double digamma(double x) noexcept {
  double shift = 0.0;
  while (x < 10.0) {
    shift -= 1.0 / x;
    x += 1.0;
  }
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  return shift + std::log(x) - 0.5 * inv -
         inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0))));
}

// Sums over the queue states of the Erlang A chain, all scaled by exp(-logScale) so that huge
// terms (e^1000 and more at thousands of agents) never overflow.
struct SeriesSums {
  double logScale = 0.0;
  double total = 0.0;         // S(s, x) = sum_n t_n,  t_n = x^n / prod_{i=1..n} (s + i)
  double answered = 0.0;      // sum_n t_n * s / (s + n + 1)
  double answeredWait = 0.0;  // sum_n t_n * s / (s + n + 1) * sum_{m=1}^{n+1} 1 / (s + m)
};

// With s = N mu / gamma and x = lambda / gamma, t_n is pi_{N+n} / pi_N of the birth-death chain:
// the stationary weight of "n contacts ahead" for an arrival that has to wait (PASTA).
// s / (s + n + 1) is that arrival's chance of being answered (telescoping product of
// (N mu + m gamma) / (N mu + (m + 1) gamma) over m = 0..n), and the inner sum, divided by gamma,
// is its expected wait given that it is answered.
enum class Sums : std::uint8_t { kTotal, kAnswered, kAnsweredAndWaits };

template <Sums kSums>
SeriesSums queueSeries(double s, double x) noexcept {
  constexpr bool kWithAnswered = kSums != Sums::kTotal;
  constexpr bool kWithWaits = kSums == Sums::kAnsweredAndWaits;
  SeriesSums out;
  // Terms rise while x / (s + n) > 1, so the largest is at n* = floor(x - s) (or 0).
  const double peakReal = std::max(0.0, std::floor(x - s));
  const auto peak = static_cast<std::int64_t>(peakReal);
  out.logScale = peak > 0 ? peakReal * std::log(x) - (logGamma(s + peakReal + 1.0) - logGamma(s + 1.0)) : 0.0;

  // Walk down from the peak to where terms become negligible (t_{n-1} = t_n (s + n) / x).
  std::int64_t lo = peak;
  double term = 1.0;
  while (lo > 0) {
    const double below = term * (s + static_cast<double>(lo)) / x;
    if (below < kSeriesEpsilon) {
      break;
    }
    term = below;
    --lo;
  }

  double harmonic = 0.0;  // sum_{m=1}^{n+1} 1 / (s + m) for the current n
  if constexpr (kWithWaits) {
    const auto start = static_cast<double>(lo);
    harmonic = lo < 64 ? 0.0 : digamma(s + start + 1.0) - digamma(s + 1.0);
    for (std::int64_t m = 1; lo < 64 && m <= lo; ++m) {
      harmonic += 1.0 / (s + static_cast<double>(m));
    }
  }

  for (std::int64_t n = lo;; ++n) {
    const double nd = static_cast<double>(n);
    const double inv = 1.0 / (s + nd + 1.0);
    out.total += term;
    if constexpr (kWithAnswered) {
      const double answeredTerm = term * s * inv;
      out.answered += answeredTerm;
      if constexpr (kWithWaits) {
        harmonic += inv;
        out.answeredWait += answeredTerm * harmonic;
      }
    }
    const double ratio = x * inv;
    term *= ratio;
    // Past the peak the ratio keeps falling, so the rest is below term / (1 - ratio).
    if (n >= peak && ratio < 1.0 && term < kSeriesEpsilon * (1.0 - ratio) * out.total) {
      break;
    }
  }
  return out;
}

// Erlang B carried as its reciprocal: 1/B_k = 1 + (k/A)(1/B_{k-1}) is the same recurrence as
// B_k = A B_{k-1} / (k + A B_{k-1}) but needs a multiply-add instead of a division on the
// loop-carried chain (4x faster; the solver spends most of its time here). It is forward-stable
// (each step damps relative error by 1 - B_k). It overflows to +inf only where B < 1e-308,
// which then reads as B = 0, the correctly rounded answer.
struct ErlangBCursor {
  double invTraffic = 0.0;
  std::int32_t agents = 0;
  double inverse = 1.0;  // 1 / B(agents, A)

  void advanceTo(std::int32_t n) noexcept {
    for (std::int32_t k = agents + 1; k <= n; ++k) {
      inverse = 1.0 + static_cast<double>(k) * invTraffic * inverse;
    }
    agents = std::max(agents, n);
  }
  [[nodiscard]] double blocking() const noexcept { return 1.0 / inverse; }
};

ErlangBCursor erlangBAt(std::int32_t agents, double traffic) noexcept {
  ErlangBCursor c{1.0 / traffic};
  c.advanceTo(agents);
  return c;
}

Metrics trivialNoTraffic(std::int32_t agents) noexcept {
  Metrics m;
  m.agents = agents;
  m.serviceLevel = 1.0;
  return m;
}

std::int64_t positionsFor(std::int32_t agents, double shrinkage) noexcept {
  return static_cast<std::int64_t>(std::ceil(static_cast<double>(agents) / (1.0 - shrinkage) - kCeilSlack));
}

bool meets(const Metrics& m, const Target& t) noexcept {
  return m.stable && m.serviceLevel >= t.serviceLevel && m.occupancy <= t.maxOccupancy;
}

// Erlang C for N > A > 0 given 1/B(N, A).
Metrics erlangCFromInverseB(std::int32_t agents, double a, double aht, double threshold, double inverseB) noexcept {
  const double n = static_cast<double>(agents);
  // C = B / (1 - (A/N)(1 - B)) = 1 / (1/B - (A/N)(1/B - 1)); stays finite when 1/B is huge.
  const double c = std::isfinite(inverseB) ? 1.0 / (inverseB - (a / n) * (inverseB - 1.0)) : 0.0;
  Metrics m;
  m.agents = agents;
  m.trafficErlangs = a;
  m.probabilityWait = c;
  m.serviceLevel = 1.0 - c * std::exp(-(n - a) * threshold / aht);
  m.asaSeconds = c * aht / (n - a);
  m.occupancy = a / n;
  return m;
}

// Erlang A for N >= 1, A > 0, given 1/B(N, A). ASA needs a third running sum, so the solver's
// probes skip it.
template <bool kWithAsa>
Metrics erlangAFromInverseB(const Queue& queue, std::int32_t agents, double inverseB) noexcept {
  const double aht = effectiveAht(queue);
  const double lambda = queue.arrivalRate;
  const double a = lambda * aht;
  const double n = static_cast<double>(agents);
  const double gamma = 1.0 / queue.patienceSeconds;
  const double t = queue.thresholdSeconds;
  const double s = n * queue.patienceSeconds / aht;  // N mu / gamma
  const double x = lambda * queue.patienceSeconds;   // lambda / gamma

  // Stationary chain: pi_j / pi_N summed over j < N is 1/B(N, A) - 1 (Erlang B's own sum), and
  // over j >= N it is S(s, x). Both are computed without forming pi_N itself.
  const SeriesSums q = queueSeries < kWithAsa ? Sums::kAnsweredAndWaits : Sums::kAnswered > (s, x);
  const double logS = q.logScale + std::log(q.total);
  // In logs, as both sums can exceed 1e308; +inf (B underflowed) gives P(wait) = 0, as it should.
  const double belowOverN = inverseB - 1.0;
  const double pWait = 1.0 / (1.0 + std::exp(std::log(belowOverN) - logS));
  const double answeredIfWait = q.answered / q.total;

  // Answered after T (given a wait): (s/(s+1)) e^{f(T) - gamma T} S(s+1, y) / S(s, x) with
  // y = x e^{-gamma T}, f(T) = x (1 - e^{-gamma T}) - N mu T; see docs/staffing.md.
  const double y = x * std::exp(-gamma * t);
  const SeriesSums late = queueSeries<Sums::kTotal>(s + 1.0, y);
  const double logLate =
      -x * std::expm1(-gamma * t) - (s + 1.0) * gamma * t + late.logScale + std::log(late.total) - logS;
  const double answeredLateIfWait = (s / (s + 1.0)) * std::exp(logLate);
  const double answeredInTimeIfWait = std::clamp(answeredIfWait - answeredLateIfWait, 0.0, 1.0);

  Metrics m;
  m.agents = agents;
  m.trafficErlangs = a;
  m.probabilityWait = pWait;
  m.abandonRate = pWait * (1.0 - answeredIfWait);
  m.serviceLevel = (1.0 - pWait) + pWait * answeredInTimeIfWait;
  const double answered = 1.0 - m.abandonRate;
  if constexpr (kWithAsa) {
    const double waitIfAnswered = q.answeredWait / q.total / gamma;  // E[W; answered | wait]
    m.asaSeconds = pWait * waitIfAnswered / answered;
  }
  m.occupancy = std::min(1.0, a * answered / n);
  return m;
}

// The last kRecent values of 1/B seen by the Erlang C scan, so the Erlang A solver can probe just
// below Erlang C's answer without re-running the recurrence (Erlang A's answer is usually 0-8
// agents lower). A fixed array: no allocation.
constexpr std::int32_t kRecent = 64;

struct ErlangCScan {
  Metrics metrics;
  ErlangBCursor cursor;  // at metrics.agents
  bool found = false;
  ErlangBCursor captured;                // at `captureAt`
  std::array<double, kRecent> recent{};  // recent[n % kRecent] = 1/B(n) for n in (agents - kRecent, agents]

  // The cursor at n if the scan still remembers it.
  [[nodiscard]] bool remembers(std::int32_t n) const noexcept {
    return found && n >= 1 && n <= cursor.agents && n > cursor.agents - kRecent;
  }
  [[nodiscard]] ErlangBCursor at(std::int32_t n) const noexcept {
    return ErlangBCursor{cursor.invTraffic, n, recent[static_cast<std::size_t>(n % kRecent)]};
  }
};

// Smallest N >= max(1, captureAt) meeting the target under Erlang C, in one forward pass of the
// recurrence; also keeps the cursor as it passes `captureAt` (the Erlang A solver's lower bound).
ErlangCScan scanErlangC(double a, double aht, double threshold, const Target& target, std::int32_t captureAt) noexcept {
  ErlangCScan out;
  ErlangBCursor cursor{1.0 / a, 0, 1.0};
  out.captured = cursor;
  for (std::int32_t n = 1; n <= kMaxAgents; ++n) {
    cursor.advanceTo(n);
    out.recent[static_cast<std::size_t>(n % kRecent)] = cursor.inverse;
    if (n == captureAt) {
      out.captured = cursor;
    }
    const double nd = static_cast<double>(n);
    if (nd <= a || a / nd > target.maxOccupancy || n < captureAt) {
      continue;
    }
    const Metrics m = erlangCFromInverseB(n, a, aht, threshold, cursor.inverse);
    if (m.serviceLevel >= target.serviceLevel) {
      out.metrics = m;
      out.cursor = cursor;
      out.found = true;
      return out;
    }
  }
  return out;
}

Outcome<Staffing> requiredErlangC(const Queue& queue, const Target& target) noexcept {
  const double aht = effectiveAht(queue);
  const double a = queue.arrivalRate * aht;
  if (a == 0.0) {
    return {Staffing{trivialNoTraffic(0), 0}, Error::kNone};
  }
  const auto scan = scanErlangC(a, aht, queue.thresholdSeconds, target, 0);
  if (!scan.found) {
    return {{}, Error::kTargetUnreachable};
  }
  return {Staffing{scan.metrics, positionsFor(scan.metrics.agents, target.shrinkage)}, Error::kNone};
}

// Erlang A: SL rises and occupancy falls with N, so the answer is the first N that passes. Probe
// Erlang C's answer N_C first (usually an upper bound: abandonment shortens waits); if it passes,
// gallop down N_C - 1, - 2, - 4 ... using the remembered 1/B values, else gallop up; then
// bisect. The Erlang B cursor only ever moves forward from a known point, so the search costs
// about one pass of the recurrence plus a handful of series evaluations (the expensive part).
Outcome<Staffing> requiredErlangA(const Queue& queue, const Target& target) noexcept {
  const double aht = effectiveAht(queue);
  const double a = queue.arrivalRate * aht;
  if (a == 0.0) {
    return {Staffing{trivialNoTraffic(0), 0}, Error::kNone};
  }
  auto passes = [&](const ErlangBCursor& c) noexcept {
    return meets(erlangAFromInverseB<false>(queue, c.agents, c.inverse), target);
  };
  // SL <= P(answered) = carried load / A < N / A, so every N <= target x A fails.
  const auto lowest = static_cast<std::int32_t>(std::max(1.0, std::floor(target.serviceLevel * a) + 1.0));
  const auto scan = scanErlangC(a, aht, queue.thresholdSeconds, target, lowest);

  // Invariants: every N < lo fails; `hi` passes; `base` is a cursor at or below lo.
  ErlangBCursor base = scan.captured;
  ErlangBCursor hi;
  if (scan.found && passes(scan.cursor)) {
    hi = scan.cursor;
    for (std::int32_t down = 1;; down *= 2) {
      const std::int32_t n = scan.cursor.agents - down;
      if (n < base.agents || !scan.remembers(n)) {
        break;  // bisect what is left of [lo, hi]
      }
      const ErlangBCursor probe = scan.at(n);
      if (!passes(probe)) {
        base = scan.at(n + 1);
        break;
      }
      hi = probe;
    }
  } else {
    ErlangBCursor probe = scan.found ? scan.cursor : base;
    std::int32_t step = 1;
    while (!passes(probe)) {
      if (probe.agents >= kMaxAgents) {
        return {{}, Error::kTargetUnreachable};
      }
      probe.advanceTo(probe.agents + 1);
      base = probe;
      probe.advanceTo(
          static_cast<std::int32_t>(std::min<std::int64_t>(kMaxAgents, std::int64_t{base.agents} + step - 1)));
      step = step < kMaxAgents / 2 ? step * 2 : step;
    }
    hi = probe;
  }
  auto cursorAt = [&](std::int32_t n) noexcept {
    if (scan.remembers(n)) {
      return scan.at(n);
    }
    ErlangBCursor c = base;
    c.advanceTo(n);
    return c;
  };
  std::int32_t lo = base.agents;
  while (lo < hi.agents) {
    const ErlangBCursor mid = cursorAt(lo + (hi.agents - lo) / 2);
    if (passes(mid)) {
      hi = mid;
    } else {
      lo = mid.agents + 1;
      base = cursorAt(lo);
    }
  }
  const Metrics m = erlangAFromInverseB<true>(queue, hi.agents, hi.inverse);
  return {Staffing{m, positionsFor(m.agents, target.shrinkage)}, Error::kNone};
}

bool usesErlangA(const Queue& q) noexcept {
  return std::isfinite(q.patienceSeconds) && q.arrivalRate * q.patienceSeconds <= kMaxArrivalsPerPatience;
}

}  // namespace

const char* errorName(Error error) noexcept {
  switch (error) {
    case Error::kNone:
      return "ok";
    case Error::kInvalidArgument:
      return "invalid argument";
    case Error::kTargetUnreachable:
      return "target unreachable";
  }
  return "unknown error";
}

double trafficErlangs(const Queue& queue) noexcept {
  return validQueue(queue) ? queue.arrivalRate * effectiveAht(queue) : kNaN;
}

double erlangB(std::int32_t agents, double traffic) noexcept {
  if (agents < 0 || !finiteNonNegative(traffic)) {
    return kNaN;
  }
  if (traffic == 0.0) {
    return agents == 0 ? 1.0 : 0.0;
  }
  return erlangBAt(agents, traffic).blocking();
}

double erlangCProbabilityWait(std::int32_t agents, double traffic) noexcept {
  if (agents < 0 || !finiteNonNegative(traffic)) {
    return kNaN;
  }
  if (traffic == 0.0) {
    return 0.0;
  }
  if (static_cast<double>(agents) <= traffic) {
    return 1.0;
  }
  return erlangCFromInverseB(agents, traffic, 1.0, 0.0, erlangBAt(agents, traffic).inverse).probabilityWait;
}

Outcome<Metrics> erlangC(const Queue& queue, std::int32_t agents) noexcept {
  if (!validQueue(queue) || agents < 0 || agents > kMaxAgents) {
    return {{}, Error::kInvalidArgument};
  }
  const double aht = effectiveAht(queue);
  const double a = queue.arrivalRate * aht;
  if (a == 0.0) {
    return {trivialNoTraffic(agents), Error::kNone};
  }
  if (static_cast<double>(agents) <= a) {
    Metrics m;
    m.agents = agents;
    m.trafficErlangs = a;
    m.stable = false;
    m.probabilityWait = 1.0;
    m.serviceLevel = 0.0;
    m.asaSeconds = kInf;
    m.occupancy = 1.0;
    return {m, Error::kNone};
  }
  return {erlangCFromInverseB(agents, a, aht, queue.thresholdSeconds, erlangBAt(agents, a).inverse), Error::kNone};
}

Outcome<Metrics> erlangA(const Queue& queue, std::int32_t agents) noexcept {
  if (!validQueue(queue) || agents < 0 || agents > kMaxAgents) {
    return {{}, Error::kInvalidArgument};
  }
  if (!usesErlangA(queue)) {
    return erlangC(queue, agents);
  }
  const double a = trafficErlangs(queue);
  if (a == 0.0) {
    return {trivialNoTraffic(agents), Error::kNone};
  }
  if (agents == 0) {
    // Nobody answers: everyone waits and eventually abandons.
    Metrics m;
    m.trafficErlangs = a;
    m.probabilityWait = 1.0;
    m.asaSeconds = kInf;
    m.abandonRate = 1.0;
    return {m, Error::kNone};
  }
  return {erlangAFromInverseB<true>(queue, agents, erlangBAt(agents, a).inverse), Error::kNone};
}

Outcome<Metrics> evaluate(const Queue& queue, std::int32_t agents) noexcept {
  return usesErlangA(queue) ? erlangA(queue, agents) : erlangC(queue, agents);
}

Outcome<Staffing> requiredAgents(const Queue& queue, const Target& target) noexcept {
  if (!validQueue(queue) || !validTarget(target)) {
    return {{}, Error::kInvalidArgument};
  }
  return usesErlangA(queue) ? requiredErlangA(queue, target) : requiredErlangC(queue, target);
}

}  // namespace ccpulse::staffing
