#pragma once
/// Staffing math: Erlang B, Erlang C (M/M/N) and Erlang A (M/M/N+M, exponential patience), and
/// the solver for the number of agents a queue needs to meet a service-level target.
///
/// Every function here is a pure function of its arguments: no global state, no allocation, no
/// exceptions, so all of them are thread-safe and may be called concurrently from any thread
/// (the daemon calls them every few seconds per queue). Invalid inputs (negative, NaN,
/// infinite where a finite value is needed) are reported through `Outcome::error`, never thrown.
///
/// Definitions (see docs/staffing.md for the derivations):
/// - traffic A = arrival rate x AHT / concurrency, in Erlangs;
/// - service level SL(T) = P(a contact is answered within T seconds) over all offered contacts,
///   so under Erlang A an abandoned contact counts as a miss ("abandons miss");
/// - ASA = mean wait of answered contacts, including those answered at once (wait 0);
/// - occupancy = carried load / N (A / N for Erlang C; A x (1 - P(abandon)) / N for Erlang A).

#include <cstdint>
#include <limits>

namespace ccpulse::staffing {

/// Why a computation produced no value.
enum class Error : std::uint8_t {
  kNone = 0,
  kInvalidArgument,    ///< negative, NaN or out-of-range input
  kTargetUnreachable,  ///< no N up to kMaxAgents meets the target
};

/// Human-readable name of an error, e.g. "invalid argument".
[[nodiscard]] const char* errorName(Error error) noexcept;

/// Value-or-error, like std::expected (not available in C++20). `value` is meaningful only when
/// `ok()`.
template <typename T>
struct Outcome {
  T value{};
  Error error = Error::kNone;

  [[nodiscard]] constexpr bool ok() const noexcept { return error == Error::kNone; }
};

/// Mean patience meaning "callers never abandon": Erlang A becomes Erlang C.
inline constexpr double kInfinitePatience = std::numeric_limits<double>::infinity();

/// The solver will not go beyond this many agents (about 1 ms of Erlang B recurrence).
inline constexpr std::int32_t kMaxAgents = 1'000'000;

/// One queue's workload over a planning interval.
struct Queue {
  double arrivalRate = 0.0;       ///< contacts offered per second (calls per interval / seconds)
  double ahtSeconds = 0.0;        ///< average handle time (talk + hold + ACW); must be > 0
  double thresholdSeconds = 0.0;  ///< service-level threshold T; >= 0
  /// Mean patience (seconds) of the exponential abandonment model; kInfinitePatience selects
  /// Erlang C. Must be > 0.
  double patienceSeconds = kInfinitePatience;
  /// Contacts one agent works at once (chat). Approximation: effective AHT = AHT / concurrency,
  /// i.e. each agent is treated as `concurrency` independent servers' worth of capacity folded
  /// into one faster server. Must be >= 1.
  double concurrency = 1.0;
};

/// What the queue must achieve.
struct Target {
  double serviceLevel = 0.8;  ///< fraction answered within T, in (0, 1)
  double maxOccupancy = 1.0;  ///< in (0, 1]; raises N until occupancy <= this (1 = no cap)
  double shrinkage = 0.0;     ///< in [0, 1): share of paid time not on the phones
};

/// Performance of a queue staffed with `agents` agents.
struct Metrics {
  std::int32_t agents = 0;
  double trafficErlangs = 0.0;   ///< offered load A
  double probabilityWait = 0.0;  ///< P(an arrival has to queue)
  double serviceLevel = 0.0;     ///< P(answered within T), abandons count as misses
  double asaSeconds = 0.0;       ///< mean wait of answered contacts; +inf when unstable
  double occupancy = 0.0;        ///< carried load / agents, in [0, 1]
  double abandonRate = 0.0;      ///< P(abandon); 0 under Erlang C
  bool stable = true;            ///< false: Erlang C with agents <= A (queue grows without bound)
};

/// Result of the solver.
struct Staffing {
  Metrics metrics;             ///< at the required number of agents
  std::int64_t positions = 0;  ///< ceil(agents / (1 - shrinkage)): seats to schedule
};

/// Offered traffic in Erlangs: arrivalRate x AHT / concurrency. NaN if the queue is invalid.
[[nodiscard]] double trafficErlangs(const Queue& queue) noexcept;

/// Erlang B blocking probability B(N, A) by the recurrence B0 = 1, Bk = A Bk-1 / (k + A Bk-1).
/// O(N), no factorials, no overflow. Invalid input (N < 0, A < 0 or NaN) gives NaN.
[[nodiscard]] double erlangB(std::int32_t agents, double traffic) noexcept;

/// Erlang C probability of waiting C(N, A) = B / (1 - (A/N)(1 - B)); 1 when N <= A.
/// Invalid input gives NaN.
[[nodiscard]] double erlangCProbabilityWait(std::int32_t agents, double traffic) noexcept;

/// Erlang C metrics for `agents` agents (patience is ignored). N <= A gives stable = false,
/// P(wait) = 1, SL = 0, ASA = +inf, occupancy = 1.
[[nodiscard]] Outcome<Metrics> erlangC(const Queue& queue, std::int32_t agents) noexcept;

/// Erlang A metrics (M/M/N+M) for `agents` agents: exact stationary solution of the birth-death
/// chain (truncated where the remaining terms are below 1e-16 relative); always stable when
/// patience is finite. Infinite patience falls back to erlangC().
[[nodiscard]] Outcome<Metrics> erlangA(const Queue& queue, std::int32_t agents) noexcept;

/// erlangA() when patience is finite, else erlangC().
[[nodiscard]] Outcome<Metrics> evaluate(const Queue& queue, std::int32_t agents) noexcept;

/// Minimum N with SL(T) >= target.serviceLevel and occupancy <= target.maxOccupancy, using
/// Erlang A when patience is finite and Erlang C otherwise; plus schedulable positions.
/// Zero traffic needs zero agents. Cost: O(N) for Erlang C; O(log N) evaluations of O(N + sqrt(λθ))
/// each for Erlang A.
[[nodiscard]] Outcome<Staffing> requiredAgents(const Queue& queue, const Target& target) noexcept;

}  // namespace ccpulse::staffing
