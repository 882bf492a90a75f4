#include "ccpulse/staffing/erlang.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <queue>
#include <random>
#include <vector>

namespace ccpulse::staffing {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Queue voice(double callsPer30Min, double aht, double threshold, double patience = kInfinitePatience) {
  Queue q;
  q.arrivalRate = callsPer30Min / 1800.0;
  q.ahtSeconds = aht;
  q.thresholdSeconds = threshold;
  q.patienceSeconds = patience;
  return q;
}

// ---------------------------------------------------------------------------------------------
// Independent reference implementations (deliberately naive: factorials, direct sums, long double)

// Erlang C straight from the textbook formula with factorials; fine for N up to ~100.
long double bruteErlangC(int n, long double a) {
  long double below = 0.0L;
  long double term = 1.0L;  // a^k / k!
  for (int k = 0; k < n; ++k) {
    below += term;
    term *= a / static_cast<long double>(k + 1);
  }
  const long double top = term * n / (n - a);  // a^n / n! * n / (n - a)
  return top / (below + top);
}

struct BruteA {
  double pWait = 0;
  double pAbandon = 0;       // from the chain: gamma E[Q] / lambda
  double pAnsweredDtmc = 0;  // from the per-customer absorption chain
  double serviceLevel = 0;
  double asa = 0;
};

// Erlang A by brute force: the birth-death chain's stationary distribution by direct products over
// a generous truncation, then, for each waiting arrival, its own race to service simulated as a
// pure-death chain (ahead-of-you count falls at N mu + k gamma, own abandonment at gamma) solved by
// uniformization. Shares no code or formula with the library's incomplete-gamma form.
BruteA bruteErlangA(int n, double lambda, double aht, double patience, double t) {
  const long double mu = 1.0L / aht;
  const long double gamma = 1.0L / patience;
  const int states = n + 600;
  std::vector<long double> pi(static_cast<std::size_t>(states) + 1);
  pi[0] = 1.0L;
  for (int j = 1; j <= states; ++j) {
    const long double death = std::min(j, n) * mu + std::max(j - n, 0) * gamma;
    pi[static_cast<std::size_t>(j)] = pi[static_cast<std::size_t>(j) - 1] * lambda / death;
  }
  long double total = 0;
  for (auto p : pi) total += p;
  for (auto& p : pi) p /= total;
  EXPECT_LT(pi.back(), 1e-30L) << "truncation too short";

  BruteA out;
  long double queueMean = 0;
  for (int j = n; j <= states; ++j) {
    out.pWait += static_cast<double>(pi[static_cast<std::size_t>(j)]);
    queueMean += (j - n) * pi[static_cast<std::size_t>(j)];
  }
  out.pAbandon = static_cast<double>(gamma * queueMean / lambda);

  // Uniformized absorption chain over "k ahead" for arrivals that wait.
  const int ahead = states - n;
  const long double uni = n * mu + (ahead + 1) * gamma;
  std::vector<long double> v(static_cast<std::size_t>(ahead) + 1);
  std::vector<long double> next(v.size());
  for (int k = 0; k <= ahead; ++k) v[static_cast<std::size_t>(k)] = pi[static_cast<std::size_t>(n + k)];
  long double served = 0;                    // cumulative served mass after `step` steps
  long double servedSteps = 0;               // sum over served mass of its step count
  long double poisson = std::exp(-uni * t);  // P(Poisson(uni t) = step)
  long double slWaiting = poisson * served;  // served by T = sum_n P(N_T = n) served_n
  long double poissonMass = poisson;
  long double remaining = out.pWait;
  for (long step = 1; remaining > 1e-15L || poissonMass < 1.0L - 1e-15L; ++step) {
    long double absorbedNow = 0;
    remaining = 0;
    for (int k = 0; k <= ahead; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      const long double progress = n * mu + k * gamma;  // someone ahead leaves / a server frees
      long double stay = v[ku] * (1.0L - (progress + gamma) / uni);
      if (k < ahead) stay += v[ku + 1] * (n * mu + (k + 1) * gamma) / uni;
      next[ku] = stay;
      remaining += stay;
    }
    absorbedNow = v[0] * n * mu / uni;
    served += absorbedNow;
    servedSteps += absorbedNow * step;
    v.swap(next);
    poisson *= uni * t / step;
    poissonMass += poisson;
    slWaiting += poisson * served;
  }
  out.pAnsweredDtmc = static_cast<double>(1.0L - out.pWait + served);
  out.serviceLevel = static_cast<double>(1.0L - out.pWait + slWaiting);
  // Each uniformized step lasts 1/uni on average, independent of where it leads.
  out.asa = static_cast<double>(servedSteps / uni / (1.0L - out.pWait + served));
  return out;
}

struct SimResult {
  double serviceLevel = 0;
  double abandonRate = 0;
  double asa = 0;
  double pWait = 0;
};

// Seeded discrete-event simulation of FIFO M/M/N+M: each arrival in order takes the earliest free
// server if its patience outlasts the wait (abandoners never hold a server).
SimResult simulate(int n, double lambda, double aht, double patience, double t, int customers, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto expo = [&](double mean) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    return -std::log1p(-u) * mean;
  };
  std::priority_queue<double, std::vector<double>, std::greater<>> freeAt;
  for (int i = 0; i < n; ++i) freeAt.push(0.0);
  double clock = 0;
  long within = 0, abandoned = 0, answered = 0, waited = 0;
  double waitSum = 0;
  const int warmup = customers / 10;
  for (int i = 0; i < customers + warmup; ++i) {
    clock += expo(1.0 / lambda);
    const double wait = std::max(0.0, freeAt.top() - clock);
    const double patienceDraw = std::isfinite(patience) ? expo(patience) : kInf;
    const bool counted = i >= warmup;
    if (wait <= patienceDraw) {
      const double start = clock + wait;
      freeAt.pop();
      freeAt.push(start + expo(aht));
      if (counted) {
        ++answered;
        waitSum += wait;
        within += wait <= t ? 1 : 0;
      }
    } else if (counted) {
      ++abandoned;
    }
    if (counted && wait > 0) ++waited;
  }
  SimResult r;
  r.serviceLevel = static_cast<double>(within) / customers;
  r.abandonRate = static_cast<double>(abandoned) / customers;
  r.asa = waitSum / static_cast<double>(answered);
  r.pWait = static_cast<double>(waited) / customers;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Erlang B and C

TEST(ErlangB, ExactSmallValues) {
  EXPECT_DOUBLE_EQ(erlangB(0, 3.0), 1.0);
  EXPECT_DOUBLE_EQ(erlangB(1, 1.0), 0.5);
  EXPECT_DOUBLE_EQ(erlangB(2, 1.0), 0.2);
  EXPECT_NEAR(erlangB(3, 2.0), 4.0 / 19.0, 1e-15);
}

TEST(ErlangC, ExactRationalValue) {
  // A = 2, N = 3: B = 4/19, C = B / (1 - (2/3)(15/19)) = 4/9.
  EXPECT_NEAR(erlangCProbabilityWait(3, 2.0), 4.0 / 9.0, 1e-15);
}

TEST(ErlangC, PublishedExampleTenErlangsElevenAgents) {
  // The textbook example: A = 10 Erlangs on 11 agents waits 68.21 % of the time.
  EXPECT_NEAR(erlangCProbabilityWait(11, 10.0), 0.6821, 5e-5);
}

TEST(ErlangC, MatchesFactorialFormulaForSmallN) {
  for (double a : {0.3, 1.0, 2.5, 7.0, 10.0, 19.5, 40.0}) {
    for (int n = static_cast<int>(a) + 1; n <= static_cast<int>(a) + 25; ++n) {
      const auto expected = static_cast<double>(bruteErlangC(n, a));
      EXPECT_NEAR(erlangCProbabilityWait(n, a), expected, 1e-12 * std::max(1.0, expected)) << "A=" << a << " N=" << n;
    }
  }
}

TEST(ErlangC, HundredCallsPerHalfHourAt180sNeedsFourteenAgentsFor80In20) {
  const Queue q = voice(100, 180, 20);
  EXPECT_DOUBLE_EQ(trafficErlangs(q), 10.0);
  const auto r = requiredAgents(q, Target{0.8, 1.0, 0.0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.metrics.agents, 14);
  EXPECT_EQ(r.value.positions, 14);

  // Every output against the factorial formula, N = 13 misses and N = 14 meets.
  for (int n : {13, 14}) {
    const auto m = erlangC(q, n);
    ASSERT_TRUE(m.ok());
    const double c = static_cast<double>(bruteErlangC(n, 10.0L));
    EXPECT_NEAR(m.value.probabilityWait, c, 1e-12);
    EXPECT_NEAR(m.value.serviceLevel, 1.0 - c * std::exp(-(n - 10.0) * 20.0 / 180.0), 1e-12);
    EXPECT_NEAR(m.value.asaSeconds, c * 180.0 / (n - 10.0), 1e-10);
    EXPECT_NEAR(m.value.occupancy, 10.0 / n, 1e-15);
  }
  EXPECT_NEAR(erlangC(q, 13).value.serviceLevel, 0.7956, 1e-4);
  EXPECT_NEAR(erlangC(q, 14).value.serviceLevel, 0.8884, 1e-4);
  EXPECT_NEAR(erlangC(q, 14).value.probabilityWait, 0.1741, 1e-4);
  EXPECT_NEAR(erlangC(q, 14).value.asaSeconds, 7.836, 1e-3);
  EXPECT_EQ(r.value.metrics.serviceLevel, erlangC(q, 14).value.serviceLevel);
}

TEST(ErlangC, AgreesWithSimulation) {
  const auto m = erlangC(voice(100, 180, 20), 12);
  ASSERT_TRUE(m.ok());
  const auto sim = simulate(12, 100.0 / 1800.0, 180, kInf, 20, 400'000, 42);
  EXPECT_NEAR(sim.serviceLevel, m.value.serviceLevel, 0.015);
  EXPECT_NEAR(sim.pWait, m.value.probabilityWait, 0.015);
  EXPECT_NEAR(sim.asa, m.value.asaSeconds, 0.06 * m.value.asaSeconds);
}

TEST(ErlangC, UnstableWhenAgentsDoNotExceedTraffic) {
  for (int n : {0, 5, 10}) {
    const auto m = erlangC(voice(100, 180, 20), n);
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m.value.stable);
    EXPECT_EQ(m.value.probabilityWait, 1.0);
    EXPECT_EQ(m.value.serviceLevel, 0.0);
    EXPECT_EQ(m.value.asaSeconds, kInf);
  }
  EXPECT_EQ(erlangCProbabilityWait(10, 10.0), 1.0);
}

TEST(ErlangC, ServiceLevelRisesAndWaitFallsWithAgentsTowardOne) {
  for (double a : {0.5, 10.0, 100.0, 1000.0}) {
    Queue q;
    q.arrivalRate = a / 180.0;
    q.ahtSeconds = 180;
    q.thresholdSeconds = 20;
    double lastSl = -1, lastWait = 2, lastAsa = kInf;
    const int first = static_cast<int>(std::floor(a)) + 1;
    for (int n = first; n <= first + static_cast<int>(3 * std::sqrt(a)) + 30; ++n) {
      const auto m = erlangC(q, n).value;
      // Strictly rising until it is within rounding of 1.0.
      EXPECT_TRUE(m.serviceLevel > lastSl || m.serviceLevel > 1.0 - 1e-14) << "A=" << a << " N=" << n;
      EXPECT_LT(m.probabilityWait, lastWait) << "A=" << a << " N=" << n;
      EXPECT_LT(m.asaSeconds, lastAsa) << "A=" << a << " N=" << n;
      lastSl = m.serviceLevel;
      lastWait = m.probabilityWait;
      lastAsa = m.asaSeconds;
    }
    EXPECT_GT(lastSl, 0.999999) << "A=" << a;
  }
}

TEST(ErlangC, StableAtFiveThousandErlangs) {
  Queue q;
  q.arrivalRate = 5000.0 / 180.0;
  q.ahtSeconds = 180;
  q.thresholdSeconds = 20;
  double lastSl = -1;
  for (int n = 5001; n <= 5300; ++n) {
    const auto m = erlangC(q, n).value;
    ASSERT_TRUE(std::isfinite(m.probabilityWait) && std::isfinite(m.serviceLevel) && std::isfinite(m.asaSeconds));
    ASSERT_GT(m.probabilityWait, 0.0);
    ASSERT_LE(m.probabilityWait, 1.0);
    ASSERT_TRUE(m.serviceLevel > lastSl || m.serviceLevel > 1.0 - 1e-14) << n;
    lastSl = m.serviceLevel;
  }
  const auto m = erlangC(q, 5100).value;
  // Square-root staffing check: N = A + beta sqrt(A) with beta = 100/sqrt(5000) ~ 1.414 gives
  // Halfin-Whitt P(wait) = [1 + beta Phi(beta) / phi(beta)]^-1 = 0.1012, accurate to O(1/sqrt(N)).
  EXPECT_NEAR(m.probabilityWait, 0.1012, 0.005);
  const auto r = requiredAgents(q, Target{0.8, 1.0, 0.0});
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r.value.metrics.agents, 5000);
  EXPECT_LT(r.value.metrics.agents, 5100);
  EXPECT_LT(erlangC(q, r.value.metrics.agents - 1).value.serviceLevel, 0.8);
}

// ---------------------------------------------------------------------------------------------
// Erlang A

struct ACase {
  int n;
  double callsPer30;
  double aht;
  double patience;
  double threshold;
};

TEST(ErlangA, MatchesBruteForceBirthDeathChain) {
  for (const ACase c : {ACase{1, 8, 180, 60, 20}, ACase{3, 50, 180, 120, 20}, ACase{10, 100, 180, 120, 20},
                        ACase{12, 100, 180, 300, 30}, ACase{8, 100, 180, 60, 20},  // overloaded: N < A
                        ACase{5, 30, 240, 30, 60}, ACase{14, 100, 180, 900, 0}}) {
    const Queue q = voice(c.callsPer30, c.aht, c.threshold, c.patience);
    const auto m = erlangA(q, c.n);
    ASSERT_TRUE(m.ok());
    const auto b = bruteErlangA(c.n, q.arrivalRate, c.aht, c.patience, c.threshold);
    SCOPED_TRACE(testing::Message() << "N=" << c.n << " calls=" << c.callsPer30 << " patience=" << c.patience);
    EXPECT_NEAR(m.value.probabilityWait, b.pWait, 1e-10);
    EXPECT_NEAR(m.value.abandonRate, b.pAbandon, 1e-10);
    EXPECT_NEAR(1.0 - m.value.abandonRate, b.pAnsweredDtmc, 1e-9);
    EXPECT_NEAR(m.value.serviceLevel, b.serviceLevel, 1e-9);
    EXPECT_NEAR(m.value.asaSeconds, b.asa, 1e-7 * std::max(1.0, b.asa));
    EXPECT_NEAR(m.value.occupancy, trafficErlangs(q) * (1 - b.pAbandon) / c.n, 1e-9);
  }
}

TEST(ErlangA, AgreesWithSimulation) {
  for (const ACase c : {ACase{12, 100, 180, 120, 20}, ACase{9, 100, 180, 60, 20}}) {
    const Queue q = voice(c.callsPer30, c.aht, c.threshold, c.patience);
    const auto m = erlangA(q, c.n).value;
    const auto sim = simulate(c.n, q.arrivalRate, c.aht, c.patience, c.threshold, 400'000, 7);
    SCOPED_TRACE(testing::Message() << "N=" << c.n);
    EXPECT_NEAR(sim.serviceLevel, m.serviceLevel, 0.015);
    EXPECT_NEAR(sim.abandonRate, m.abandonRate, 0.01);
    EXPECT_NEAR(sim.pWait, m.probabilityWait, 0.015);
    EXPECT_NEAR(sim.asa, m.asaSeconds, 0.06 * m.asaSeconds);
  }
}

TEST(ErlangA, ApproachesErlangCAsPatienceGrows) {
  const Queue c = voice(100, 180, 20);
  const auto ec = erlangC(c, 12).value;
  double lastGap = kInf;
  for (double patience : {1e3, 1e4, 1e5, 1e6}) {
    const auto ea = erlangA(voice(100, 180, 20, patience), 12).value;
    const double gap = std::abs(ea.serviceLevel - ec.serviceLevel);
    EXPECT_LT(gap, lastGap) << patience;
    lastGap = gap;
  }
  const auto ea = erlangA(voice(100, 180, 20, 1e6), 12).value;
  EXPECT_NEAR(ea.probabilityWait, ec.probabilityWait, 1e-3);
  EXPECT_NEAR(ea.serviceLevel, ec.serviceLevel, 1e-3);
  EXPECT_NEAR(ea.asaSeconds, ec.asaSeconds, 1e-2 * ec.asaSeconds);
  EXPECT_LT(ea.abandonRate, 1e-4);
  // Infinite patience is exactly Erlang C.
  const auto inf = erlangA(c, 12).value;
  EXPECT_EQ(inf.serviceLevel, ec.serviceLevel);
  EXPECT_EQ(inf.abandonRate, 0.0);
}

TEST(ErlangA, StableAndMonotoneAtThousandsOfAgents) {
  for (double patience : {30.0, 180.0, 900.0}) {
    Queue q;
    q.arrivalRate = 5000.0 / 180.0;
    q.ahtSeconds = 180;
    q.thresholdSeconds = 20;
    q.patienceSeconds = patience;
    double lastSl = -1, lastAb = 2;
    for (int n = 4700; n <= 5300; n += 5) {
      const auto r = erlangA(q, n);
      ASSERT_TRUE(r.ok());
      const auto& m = r.value;
      ASSERT_TRUE(std::isfinite(m.probabilityWait) && std::isfinite(m.serviceLevel) && std::isfinite(m.asaSeconds) &&
                  std::isfinite(m.abandonRate))
          << "patience=" << patience << " N=" << n;
      EXPECT_GT(m.serviceLevel, lastSl) << "patience=" << patience << " N=" << n;
      EXPECT_LT(m.abandonRate, lastAb) << "patience=" << patience << " N=" << n;
      EXPECT_GE(m.serviceLevel, 0.0);
      EXPECT_LE(m.serviceLevel, 1.0);
      EXPECT_LE(m.occupancy, 1.0);
      lastSl = m.serviceLevel;
      lastAb = m.abandonRate;
    }
  }
}

TEST(ErlangA, StaysBelowErlangCStaffingForUsualTargets) {
  for (double a : {2.0, 10.0, 50.0, 200.0, 1000.0}) {
    for (double patience : {60.0, 180.0, 600.0}) {
      for (double t : {20.0, 30.0}) {
        Queue q;
        q.arrivalRate = a / 180.0;
        q.ahtSeconds = 180;
        q.thresholdSeconds = t;
        const auto c = requiredAgents(q, Target{0.8, 1.0, 0.0});
        q.patienceSeconds = patience;
        const auto r = requiredAgents(q, Target{0.8, 1.0, 0.0});
        ASSERT_TRUE(c.ok() && r.ok());
        SCOPED_TRACE(testing::Message() << "A=" << a << " patience=" << patience << " T=" << t);
        EXPECT_LE(r.value.metrics.agents, c.value.metrics.agents);
        // Minimal: one agent fewer misses the target.
        EXPECT_GE(r.value.metrics.serviceLevel, 0.8);
        EXPECT_LT(erlangA(q, r.value.metrics.agents - 1).value.serviceLevel, 0.8);
      }
    }
  }
}

// The solver's galloping/bisection against the plain definition: scan N = 1, 2, ... and take the
// first that meets the target. Mixes cases where Erlang A needs fewer agents than Erlang C,
// more (patience far below the threshold), far fewer (short patience, big queues) and
// occupancy-capped ones.
TEST(StaffingSolver, MatchesLinearScanOverRandomQueues) {
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> logLoad(std::log(0.05), std::log(400.0));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int moreThanC = 0, farBelowC = 0;  // branches of the search worth covering
  for (int i = 0; i < 300; ++i) {
    Queue q;
    q.ahtSeconds = 30 + 600 * unit(rng);
    q.arrivalRate = std::exp(logLoad(rng)) / q.ahtSeconds;
    q.thresholdSeconds = i % 5 == 0 ? 600.0 : 5 + 60 * unit(rng);
    q.patienceSeconds = i % 4 == 0 ? kInfinitePatience : 5 + 900 * unit(rng);
    Target t;
    t.serviceLevel = 0.5 + 0.49 * unit(rng);
    if (i % 5 == 1) {  // big, overloaded-looking queue of impatient callers: far fewer than Erlang C
      q.arrivalRate = (300 + 100 * unit(rng)) / q.ahtSeconds;
      q.patienceSeconds = 10 + 20 * unit(rng);
      q.thresholdSeconds = 20;
      t.serviceLevel = 0.5 + 0.2 * unit(rng);
    }
    if (i % 5 == 0) {  // long threshold, impatient callers: abandons now cost more than waits
      q.patienceSeconds = 5 + 25 * unit(rng);
      t.serviceLevel = 0.9 + 0.09 * unit(rng);
    }
    t.maxOccupancy = i % 3 == 0 ? 0.6 + 0.4 * unit(rng) : 1.0;
    const auto r = requiredAgents(q, t);
    ASSERT_TRUE(r.ok());
    std::int32_t expected = 1;
    while (true) {
      const auto m = evaluate(q, expected).value;
      if (m.stable && m.serviceLevel >= t.serviceLevel && m.occupancy <= t.maxOccupancy) break;
      ++expected;
    }
    ASSERT_EQ(r.value.metrics.agents, expected)
        << "A=" << trafficErlangs(q) << " T=" << q.thresholdSeconds << " patience=" << q.patienceSeconds
        << " target=" << t.serviceLevel << " cap=" << t.maxOccupancy;
    const auto direct = evaluate(q, expected).value;
    EXPECT_DOUBLE_EQ(r.value.metrics.serviceLevel, direct.serviceLevel);
    EXPECT_DOUBLE_EQ(r.value.metrics.asaSeconds, direct.asaSeconds);
    Queue c = q;
    c.patienceSeconds = kInfinitePatience;
    const std::int32_t erlangCAgents = requiredAgents(c, t).value.metrics.agents;
    moreThanC += expected > erlangCAgents ? 1 : 0;
    farBelowC += expected + 64 < erlangCAgents ? 1 : 0;
  }
  EXPECT_GT(moreThanC, 0);
  EXPECT_GT(farBelowC, 0);
}

TEST(ErlangA, ZeroThresholdMeansAnsweredWithoutWaiting) {
  const auto m = erlangA(voice(100, 180, 0, 120), 12).value;
  EXPECT_NEAR(m.serviceLevel, 1.0 - m.probabilityWait, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Solver options and validation

TEST(StaffingSolver, OccupancyCapRaisesAgents) {
  const auto r = requiredAgents(voice(100, 180, 20), Target{0.8, 0.7, 0.0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.metrics.agents, 15);  // 10/14 = 0.714 > 0.7 >= 10/15
  EXPECT_LE(r.value.metrics.occupancy, 0.7);

  const auto a = requiredAgents(voice(100, 180, 20, 120), Target{0.8, 0.75, 0.0});
  ASSERT_TRUE(a.ok());
  EXPECT_LE(a.value.metrics.occupancy, 0.75);
  EXPECT_GT(erlangA(voice(100, 180, 20, 120), a.value.metrics.agents - 1).value.occupancy, 0.75);
}

TEST(StaffingSolver, ShrinkageGivesPositionsWithoutFloatingPointCreep) {
  const auto r = requiredAgents(voice(100, 180, 20), Target{0.8, 1.0, 0.3});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.metrics.agents, 14);
  EXPECT_EQ(r.value.positions, 20);  // 14 / 0.7 is 20.000000000000004 in doubles
  const auto s = requiredAgents(voice(100, 180, 20), Target{0.8, 1.0, 0.35});
  EXPECT_EQ(s.value.positions, 22);  // 21.54 rounds up
}

TEST(StaffingSolver, ChatConcurrencyDividesHandleTime) {
  Queue chat = voice(300, 600, 30);
  chat.concurrency = 3;
  const Queue same = voice(300, 200, 30);
  EXPECT_DOUBLE_EQ(trafficErlangs(chat), trafficErlangs(same));
  const auto a = requiredAgents(chat, Target{0.85, 1.0, 0.0});
  const auto b = requiredAgents(same, Target{0.85, 1.0, 0.0});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value.metrics.agents, b.value.metrics.agents);
  EXPECT_EQ(a.value.metrics.asaSeconds, b.value.metrics.asaSeconds);
}

TEST(StaffingSolver, ZeroTrafficNeedsNobody) {
  for (double patience : {kInfinitePatience, 60.0}) {
    const auto r = requiredAgents(voice(0, 180, 20, patience), Target{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value.metrics.agents, 0);
    EXPECT_EQ(r.value.positions, 0);
    EXPECT_EQ(r.value.metrics.serviceLevel, 1.0);
  }
}

TEST(StaffingSolver, RejectsInvalidInputWithoutThrowing) {
  const Queue good = voice(100, 180, 20);
  const Target ok{0.8, 1.0, 0.0};
  auto bad = [](Queue q, Target t) { return requiredAgents(q, t).error; };
  for (double v : {-1.0, kNaN, kInf}) {
    Queue q = good;
    q.arrivalRate = v;
    EXPECT_EQ(bad(q, ok), Error::kInvalidArgument) << v;
    q = good;
    q.ahtSeconds = v;
    EXPECT_EQ(bad(q, ok), Error::kInvalidArgument) << v;
    q = good;
    q.thresholdSeconds = v;
    EXPECT_EQ(bad(q, ok), Error::kInvalidArgument) << v;
    Target t = ok;
    t.serviceLevel = v;
    EXPECT_EQ(bad(good, t), Error::kInvalidArgument) << v;
    t = ok;
    t.shrinkage = v;
    EXPECT_EQ(bad(good, t), Error::kInvalidArgument) << v;
    t = ok;
    t.maxOccupancy = v;
    EXPECT_EQ(bad(good, t), Error::kInvalidArgument) << v;
  }
  Queue q = good;
  q.ahtSeconds = 0;
  EXPECT_EQ(bad(q, ok), Error::kInvalidArgument);
  q = good;
  q.patienceSeconds = 0;
  EXPECT_EQ(bad(q, ok), Error::kInvalidArgument);
  q.patienceSeconds = kNaN;
  EXPECT_EQ(bad(q, ok), Error::kInvalidArgument);
  q = good;
  q.concurrency = 0.5;
  EXPECT_EQ(bad(q, ok), Error::kInvalidArgument);
  EXPECT_EQ(bad(good, Target{1.0, 1.0, 0.0}), Error::kInvalidArgument);
  EXPECT_EQ(bad(good, Target{0.8, 1.0, 1.0}), Error::kInvalidArgument);
  q = good;
  q.arrivalRate = 1e9;  // beyond kMaxAgents Erlangs
  EXPECT_EQ(bad(q, ok), Error::kInvalidArgument);

  EXPECT_EQ(erlangC(good, -1).error, Error::kInvalidArgument);
  EXPECT_EQ(erlangA(voice(100, 180, 20, 60), -1).error, Error::kInvalidArgument);
  EXPECT_TRUE(std::isnan(erlangB(-1, 1.0)));
  EXPECT_TRUE(std::isnan(erlangB(3, kNaN)));
  EXPECT_TRUE(std::isnan(erlangCProbabilityWait(3, -2.0)));
  EXPECT_TRUE(std::isnan(trafficErlangs(Queue{})));
  EXPECT_STREQ(errorName(Error::kInvalidArgument), "invalid argument");
}

}  // namespace
}  // namespace ccpulse::staffing
