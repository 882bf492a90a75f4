#pragma once
// Golden scenarios: event scripts with expected values computed by hand (the arithmetic is in
// the comments). Each runs through the real daemon over ZeroMQ and through `ccpulsectl replay`
// (golden_scenarios_test.cpp), and both must give exactly these numbers.

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace ccpulse::test {

struct Expectation {
  std::string metric;
  std::map<std::string, std::string> labels;
  double value;  ///< NaN = the series must be absent
};

struct Scenario {
  std::string name;
  std::string config;  ///< YAML appended to the test config (http and sources are set by the test)
  std::vector<std::string> lines;
  std::vector<Expectation> expect;
};

inline constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

/// UTC time "2026-11-23T10:MM:SSZ" for T0 + seconds (T0 = 10:00:00Z), or any RFC 3339 string.
inline std::string t0(int seconds) {
  const int h = 10 + seconds / 3600;
  const int m = (seconds / 60) % 60;
  const int s = seconds % 60;
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-11-23T%02d:%02d:%02dZ", h, m, s);
  return buf;
}

inline std::string event(const std::string& type, const std::string& ts, const std::string& contact,
                         const std::string& extra = "", const std::string& queue = "q") {
  return R"({"type":")" + type + R"(","ts":")" + ts + R"(","tenant":"t","vendor":"v","queue":")" + queue +
         R"(","contact":")" + contact + "\"" + extra + "}";
}

inline std::string agentEvent(const std::string& type, const std::string& ts, const std::string& agent,
                              const std::string& extra) {
  return R"({"type":")" + type + R"(","ts":")" + ts + R"(","tenant":"t","vendor":"v","agent":")" + agent + "\"" +
         extra + "}";
}

inline const std::map<std::string, std::string> kQ = {
    {"tenant", "t"}, {"vendor", "v"}, {"queue", "q"}, {"channel", "voice"}};

inline std::map<std::string, std::string> withLabel(std::map<std::string, std::string> m, const std::string& k,
                                                    const std::string& v) {
  m[k] = v;
  return m;
}

/// Five outcomes used by the formula scenarios (threshold 20 s, short abandon 5 s):
/// a answered after 10 s (A), b answered after 30 s, c abandoned after 3 s (Bt, Bs),
/// d abandoned after 40 s, e dequeued (timeout) after 50 s.
/// So N = 2, A = 1, B = 2, Bt = 1, Bs = 1, D = 1, O = N + B + D = 5.
inline std::vector<std::string> fiveOutcomes() {
  return {
      event("contact.queued", t0(0), "a"),     event("contact.queued", t0(0), "b"),
      event("contact.queued", t0(0), "c"),     event("contact.queued", t0(0), "d"),
      event("contact.queued", t0(0), "e"),     event("contact.abandoned", t0(3), "c"),
      event("contact.answered", t0(10), "a"),  event("contact.answered", t0(30), "b"),
      event("contact.abandoned", t0(40), "d"), event("contact.dequeued", t0(50), "e", R"(,"reason":"timeout")"),
  };
}

inline Scenario formulaScenario(const std::string& name, const std::string& formula, bool dequeuedAsMiss,
                                double expected) {
  Scenario s;
  s.name = name;
  s.config = "service_level:\n  threshold: 20s\n  short_abandon: 5s\n  formula: " + formula +
             "\n  dequeued_counts_as_miss: " + (dequeuedAsMiss ? "true" : "false") + "\n";
  s.lines = fiveOutcomes();
  s.expect = {
      {"ccpulse_service_level", withLabel(kQ, "window", "15m"), expected},
      {"ccpulse_interval_service_level", withLabel(kQ, "interval", "current"), expected},
      {"ccpulse_day_service_level", withLabel(kQ, "day", "current"), expected},
      {"ccpulse_contacts_answered_in_threshold_total", kQ, 1},
      {"ccpulse_contacts_abandoned_in_threshold_total", kQ, 1},
      {"ccpulse_contacts_abandoned_short_total", kQ, 1},
  };
  return s;
}

inline std::vector<Scenario> goldenScenarios() {
  std::vector<Scenario> all;
  // 1. answered: A / N = 1 / 2.
  all.push_back(formulaScenario("formula_answered", "answered", true, 1.0 / 2.0));
  // 2. ignore_abandons: A / (O - Bt) = 1 / (5 - 1).
  all.push_back(formulaScenario("formula_ignore_abandons", "ignore_abandons", true, 1.0 / 4.0));
  // 3. abandons_miss: A / (N + B + D) = 1 / (2 + 2 + 1).
  all.push_back(formulaScenario("formula_abandons_miss", "abandons_miss", true, 1.0 / 5.0));
  // 4. all_misses with dequeued not counted: A / (N + B) = 1 / 4.
  all.push_back(formulaScenario("formula_all_misses_no_dequeued", "all_misses", false, 1.0 / 4.0));
  // 5. abandons_met: (A + Bt) / (N + B + D) = (1 + 1) / 5.
  all.push_back(formulaScenario("formula_abandons_met", "abandons_met", true, 2.0 / 5.0));
  // 6. exclude_short_abandons: A / (N + B - Bs + D) = 1 / (2 + 2 - 1 + 1).
  all.push_back(formulaScenario("formula_exclude_short_abandons", "exclude_short_abandons", true, 1.0 / 4.0));

  {
    // 7. A contact waiting across an interval boundary is offered in the interval it entered
    // and answered in the interval it leaves. x queued 10:14:50, answered 10:15:10 (wait 20 s,
    // within); y queued 10:15:30. At now = 10:15:30 the 10:00 interval has closed (10:15:00 + 5 s).
    Scenario s{"interval_boundary", "", {}, {}};
    s.lines = {event("contact.queued", t0(890), "x"), event("contact.answered", t0(910), "x"),
               event("contact.queued", t0(930), "y")};
    s.expect = {
        {"ccpulse_interval_offered", withLabel(kQ, "interval", "last"), 1},
        {"ccpulse_interval_answered", withLabel(kQ, "interval", "last"), 0},
        {"ccpulse_interval_start_timestamp_seconds", withLabel(kQ, "interval", "last"), 1795428000},
        {"ccpulse_interval_offered", withLabel(kQ, "interval", "current"), 1},
        {"ccpulse_interval_answered", withLabel(kQ, "interval", "current"), 1},
        {"ccpulse_interval_answered_in_threshold", withLabel(kQ, "interval", "current"), 1},
        {"ccpulse_interval_start_timestamp_seconds", withLabel(kQ, "interval", "current"), 1795428900},
        // The last interval has no answered contact: its service level is undefined (absent).
        {"ccpulse_interval_service_level", withLabel(kQ, "interval", "last"), kAbsent},
        {"ccpulse_interval_service_level", withLabel(kQ, "interval", "current"), 1.0},
    };
    all.push_back(s);
  }
  {
    // 8. DST spring-forward in Europe/Paris (2026-03-29, 02:00 CET -> 03:00 CEST at 01:00Z).
    // x queued 00:59:00Z = 01:59 CET (interval 01:45 CET = 00:45Z = 1774745100), answered
    // 01:01:00Z = 03:01 CEST (interval 03:00 CEST = 01:00Z = 1774746000), wait 120 s (missed).
    // The day started at 00:00 CET = 2026-03-28T23:00Z = 1774738800.
    Scenario s{"dst_spring_forward_intervals", "time_zone: Europe/Paris\n", {}, {}};
    s.lines = {event("contact.queued", "2026-03-29T00:59:00Z", "x"),
               event("contact.answered", "2026-03-29T01:01:00Z", "x")};
    s.expect = {
        {"ccpulse_interval_start_timestamp_seconds", withLabel(kQ, "interval", "last"), 1774745100},
        {"ccpulse_interval_offered", withLabel(kQ, "interval", "last"), 1},
        {"ccpulse_interval_start_timestamp_seconds", withLabel(kQ, "interval", "current"), 1774746000},
        {"ccpulse_interval_answered", withLabel(kQ, "interval", "current"), 1},
        {"ccpulse_interval_service_level", withLabel(kQ, "interval", "current"), 0.0},
        {"ccpulse_day_start_timestamp_seconds", withLabel(kQ, "day", "current"), 1774738800},
        {"ccpulse_day_offered", withLabel(kQ, "day", "current"), 1},
    };
    all.push_back(s);
  }
  {
    // 9. The 25-hour day of 2026-10-25 in Europe/Paris: it starts 00:00 CEST = 2026-10-24T22:00Z
    // (1792879200) and ends 00:00 CET on the 26th = 2026-10-25T23:00Z (1792969200).
    // a queued 2026-10-25T22:30Z (23:30 CET, still the 25th); b queued 23:30Z (00:30 on the 26th).
    Scenario s{"dst_fall_back_25_hour_day", "tenants:\n  t:\n    time_zone: Europe/Paris\n", {}, {}};
    s.lines = {event("contact.queued", "2026-10-25T22:30:00Z", "a"),
               event("contact.queued", "2026-10-25T23:30:00Z", "b")};
    s.expect = {
        {"ccpulse_day_start_timestamp_seconds", withLabel(kQ, "day", "last"), 1792879200},
        {"ccpulse_day_offered", withLabel(kQ, "day", "last"), 1},
        {"ccpulse_day_start_timestamp_seconds", withLabel(kQ, "day", "current"), 1792969200},
        {"ccpulse_day_offered", withLabel(kQ, "day", "current"), 1},
    };
    all.push_back(s);
  }
  {
    // 10. Transfer: c answered in q at 10 (wait 10), transferred at 40 and queued in q2 at 40,
    // answered in q2 at 70 (wait 30, counted from the second queued), ended 100, wrapped 110.
    // q: offered 1, transferred out 1, talk 40 - 10 = 30. q2: offered 1, transferred in 1,
    // talk 100 - 70 = 30, handled 1, handle = 30 + 0 + 10 = 40.
    Scenario s{"transfer_offered_again", "", {}, {}};
    s.lines = {event("contact.queued", t0(0), "c"),
               event("contact.answered", t0(10), "c"),
               event("contact.transferred", t0(40), "c", R"(,"to_queue":"q2")"),
               event("contact.queued", t0(40), "c", "", "q2"),
               event("contact.answered", t0(70), "c", "", "q2"),
               event("contact.ended", t0(100), "c", "", "q2"),
               event("contact.wrapped", t0(110), "c", "", "q2")};
    const auto q2 = withLabel(kQ, "queue", "q2");
    s.expect = {
        {"ccpulse_contacts_offered_total", kQ, 1},
        {"ccpulse_contacts_transferred_total", kQ, 1},
        {"ccpulse_talk_seconds_total", kQ, 30},
        {"ccpulse_contacts_offered_total", q2, 1},
        {"ccpulse_contacts_transferred_in_total", q2, 1},
        {"ccpulse_wait_seconds_sum", q2, 30},
        {"ccpulse_talk_seconds_total", q2, 30},
        {"ccpulse_handle_seconds_total", q2, 40},
        {"ccpulse_transfer_rate", withLabel(kQ, "window", "15m"), 1.0},  // 1 transfer / 1 answered
    };
    all.push_back(s);
  }
  {
    // 11. Out of order: z (queued 10:14:58) arrives after w (10:15:02) but within the 5 s
    // tolerance, so it still counts in the 10:00 interval; the interval closes at 10:15:05.
    // v (queued 10:14:00) arrives after u (10:15:10), beyond the tolerance: counted in the
    // current interval and as a late event. Last: offered 10:10 s + z = 2; current: w, u, v = 3.
    Scenario s{"out_of_order_tolerance", "intervals:\n  late_tolerance: 5s\n", {}, {}};
    s.lines = {event("contact.queued", t0(600), "s"), event("contact.queued", t0(902), "w"),
               event("contact.queued", t0(898), "z"), event("contact.queued", t0(910), "u"),
               event("contact.queued", t0(840), "v")};
    s.expect = {
        {"ccpulse_interval_offered", withLabel(kQ, "interval", "last"), 2},
        {"ccpulse_interval_offered", withLabel(kQ, "interval", "current"), 3},
        {"ccpulse_late_period_events_total", {}, 1},  // v (its day is still open, so only the interval)
        {"ccpulse_contacts_offered_total", kQ, 5},
    };
    all.push_back(s);
  }
  {
    // 12. Answered with no contact.queued seen (joined mid-stream): counted as answered and as
    // unmatched, kept out of wait statistics, so the service level stays undefined.
    Scenario s{"answered_without_queued", "", {}, {}};
    s.lines = {event("contact.answered", t0(10), "m")};
    s.expect = {
        {"ccpulse_contacts_answered_total", kQ, 1},
        {"ccpulse_contacts_answered_unmatched_total", kQ, 1},
        {"ccpulse_wait_seconds_count", kQ, 0},
        {"ccpulse_service_level", withLabel(kQ, "window", "15m"), kAbsent},
        {"ccpulse_events_unmatched_total", {{"type", "contact.answered"}}, 1},
    };
    all.push_back(s);
  }
  {
    // 13. Agents: a1 in q and q2, busy; a2 in q, aux "lunch"; a3 in q, aux "smoking" (not in
    // aux_reasons: folds into "other"); a4 in q, offline. q: staffed 3 (a1 a2 a3), busy 1,
    // aux 2 (lunch 1, other 1); q2: staffed 1, busy 1.
    Scenario s{"agents_multi_queue_and_aux_reasons", "engine:\n  aux_reasons: [break, lunch]\n", {}, {}};
    s.lines = {agentEvent("agent.login", t0(0), "a1", R"(,"queues":["q","q2"])"),
               agentEvent("agent.login", t0(0), "a2", R"(,"queues":["q"])"),
               agentEvent("agent.login", t0(0), "a3", R"(,"queues":["q"])"),
               agentEvent("agent.login", t0(0), "a4", R"(,"queues":["q"])"),
               agentEvent("agent.state", t0(5), "a1", R"(,"state":"busy")"),
               agentEvent("agent.state", t0(5), "a2", R"(,"state":"aux","reason":"lunch")"),
               agentEvent("agent.state", t0(5), "a3", R"(,"state":"aux","reason":"smoking")"),
               agentEvent("agent.state", t0(5), "a4", R"(,"state":"offline")")};
    const std::map<std::string, std::string> q = {{"tenant", "t"}, {"queue", "q"}};
    const std::map<std::string, std::string> q2 = {{"tenant", "t"}, {"queue", "q2"}};
    s.expect = {
        {"ccpulse_agents", withLabel(q, "state", "staffed"), 3},
        {"ccpulse_agents", withLabel(q, "state", "busy"), 1},
        {"ccpulse_agents", withLabel(q, "state", "aux"), 2},
        {"ccpulse_agents", withLabel(q, "state", "available"), 0},
        {"ccpulse_agents_aux", withLabel(q, "reason", "lunch"), 1},
        {"ccpulse_agents_aux", withLabel(q, "reason", "other"), 1},
        {"ccpulse_agents_aux", withLabel(q, "reason", "break"), 0},
        {"ccpulse_agents", withLabel(q2, "state", "staffed"), 1},
        {"ccpulse_agents", withLabel(q2, "state", "busy"), 1},
    };
    all.push_back(s);
  }
  {
    // 14. Occupancy = handling / (handling + available), aux excluded. One agent: available
    // 0-60, busy 60-150, acw 150-180, aux 180-240, available 240-300 (now = 300, the last
    // event). Handling = 90 + 30 = 120; available = 60 + 60 = 120; occupancy 0.5.
    Scenario s{"occupancy_excludes_aux", "", {}, {}};
    s.lines = {agentEvent("agent.login", t0(0), "a", R"(,"queues":["q"])"),
               agentEvent("agent.state", t0(60), "a", R"(,"state":"busy")"),
               agentEvent("agent.state", t0(150), "a", R"(,"state":"acw")"),
               agentEvent("agent.state", t0(180), "a", R"(,"state":"aux","reason":"break")"),
               agentEvent("agent.state", t0(240), "a", R"(,"state":"available")"),
               agentEvent("agent.state", t0(300), "a", R"(,"state":"available")")};
    const std::map<std::string, std::string> q = {{"tenant", "t"}, {"queue", "q"}};
    s.expect = {
        {"ccpulse_occupancy", withLabel(q, "window", "15m"), 0.5},
        {"ccpulse_agent_handling_seconds_total", q, 120},
        {"ccpulse_agent_available_seconds_total", q, 120},
    };
    all.push_back(s);
  }
  {
    // 15. AHT = talk + hold + ACW over wrapped contacts; hold lies inside talk.
    // c: queued 0, answered 5, hold 20-50 (30 s), ended 100, wrapped 130.
    // Talk = (100 - 5) - 30 = 65; hold 30; ACW 30; handle 125.
    // d: queued 0, answered 10, ended 40 (talk 30), wrapped 45 (ACW 5): handle 35.
    // AHT = (125 + 35) / 2 = 80.
    Scenario s{"aht_talk_hold_acw", "", {}, {}};
    s.lines = {event("contact.queued", t0(0), "c"),   event("contact.queued", t0(0), "d"),
               event("contact.answered", t0(5), "c"), event("contact.answered", t0(10), "d"),
               event("contact.hold", t0(20), "c"),    event("contact.ended", t0(40), "d"),
               event("contact.wrapped", t0(45), "d"), event("contact.unhold", t0(50), "c"),
               event("contact.ended", t0(100), "c"),  event("contact.wrapped", t0(130), "c")};
    s.expect = {
        {"ccpulse_talk_seconds_total", kQ, 95},
        {"ccpulse_hold_seconds_total", kQ, 30},
        {"ccpulse_acw_seconds_total", kQ, 35},
        {"ccpulse_handle_seconds_total", kQ, 160},
        {"ccpulse_aht_seconds", withLabel(kQ, "window", "15m"), 80},
        {"ccpulse_interval_aht_seconds", withLabel(kQ, "interval", "current"), 80},
        {"ccpulse_asa_seconds", withLabel(kQ, "window", "1h"), 7.5},  // (5 + 10) / 2
    };
    all.push_back(s);
  }
  {
    // 16. Email measured in hours: an override gives email a 1 h threshold, voice keeps 20 s.
    // e (email) answered after 50 min: within 1 h. v (voice) answered after 50 s: missed.
    Scenario s{
        "email_threshold_in_hours",
        "service_level:\n  threshold: 20s\n  overrides:\n    - match: {channel: email}\n      threshold: 1h\n      "
        "target: 0.9\n",
        {},
        {}};
    s.lines = {event("contact.queued", t0(0), "e", R"(,"channel":"email")"), event("contact.queued", t0(0), "v"),
               event("contact.answered", t0(50), "v"),
               event("contact.answered", t0(3000), "e", R"(,"channel":"email")")};
    const auto email = withLabel(kQ, "channel", "email");
    s.expect = {
        {"ccpulse_contacts_answered_in_threshold_total", email, 1},
        {"ccpulse_service_level_threshold_seconds", email, 3600},
        {"ccpulse_service_level_target", email, 0.9},
        {"ccpulse_contacts_answered_in_threshold_total", kQ, 0},
        {"ccpulse_service_level", withLabel(email, "window", "1h"), 1.0},
        {"ccpulse_wait_seconds_bucket", withLabel(email, "le", "3600"), 1},
    };
    all.push_back(s);
  }
  {
    // 17. Oldest waiting and waiting now (event clock: now = newest event, 10:05:00).
    // a queued 10:00:00, b queued 10:02:00, a answered 10:03:00, c queued 10:05:00.
    // Waiting: b, c = 2; oldest: b, 300 - 120 = 180 s.
    Scenario s{"oldest_waiting", "", {}, {}};
    s.lines = {event("contact.queued", t0(0), "a"), event("contact.queued", t0(120), "b"),
               event("contact.answered", t0(180), "a"), event("contact.queued", t0(300), "c")};
    s.expect = {
        {"ccpulse_contacts_waiting", kQ, 2},
        {"ccpulse_oldest_waiting_seconds", kQ, 180},
    };
    all.push_back(s);
  }
  {
    // 18. Chat with concurrency: an agent with chat capacity 3 stays "available" while handling
    // chats; each active chat is a third of the agent. c1 0-120, c2 60-180; the last event at 240.
    // Handling share: 0-60 1/3, 60-120 2/3, 120-180 1/3, 180-240 0.
    // Handling = 60 * (1/3 + 2/3 + 1/3 + 0) = 80 s; available = 240 - 80 = 160 s;
    // occupancy = 80 / 240 = 1/3.
    Scenario s{"chat_concurrency_occupancy", "", {}, {}};
    const std::string chat = R"(,"channel":"chat","agent":"a")";
    s.lines = {agentEvent("agent.login", t0(0), "a", R"(,"queues":["q"],"capacity":{"chat":3})"),
               event("contact.queued", t0(0), "c1", chat),
               event("contact.answered", t0(0), "c1", chat),
               event("contact.queued", t0(60), "c2", chat),
               event("contact.answered", t0(60), "c2", chat),
               event("contact.wrapped", t0(120), "c1", chat),
               event("contact.wrapped", t0(180), "c2", chat),
               agentEvent("agent.state", t0(240), "a", R"(,"state":"available")")};
    const std::map<std::string, std::string> q = {{"tenant", "t"}, {"queue", "q"}};
    s.expect = {
        {"ccpulse_agent_handling_seconds_total", q, 80},
        {"ccpulse_agent_available_seconds_total", q, 160},
        {"ccpulse_occupancy", withLabel(q, "window", "15m"), 1.0 / 3.0},
        {"ccpulse_contacts_handled_total", withLabel(kQ, "channel", "chat"), 2},
    };
    all.push_back(s);
  }
  {
    // 19. Live staffing, the textbook Erlang C case: 100 calls per 30 minutes with AHT 180 s
    // need 14 agents for 80 % in 20 s. 50 contacts offered within the 15-minute window give
    // 50 / 900 s = 100 / 1800 s; each is answered at once and handled 150 s talk + 30 s ACW.
    // Traffic = (50 / 900) x 180 = 10 Erlangs. 12 agents staffed: gap = 12 - 14 = -2.
    Scenario s{"staffing_erlang_c_textbook", "", {}, {}};
    for (int i = 0; i < 12; ++i) {
      s.lines.push_back(agentEvent("agent.login", t0(0), "a" + std::to_string(i), R"(,"queues":["q"])"));
    }
    for (int i = 0; i < 50; ++i) {
      const std::string c = "c" + std::to_string(i);
      s.lines.push_back(event("contact.queued", t0(i * 10), c));
      s.lines.push_back(event("contact.answered", t0(i * 10), c));
      s.lines.push_back(event("contact.ended", t0(i * 10 + 150), c));
      s.lines.push_back(event("contact.wrapped", t0(i * 10 + 180), c));
    }
    std::stable_sort(s.lines.begin(), s.lines.end(), [](const std::string& a, const std::string& b) {
      return a.substr(a.find("\"ts\"")) < b.substr(b.find("\"ts\""));  // time order
    });
    s.expect = {
        {"ccpulse_traffic_erlangs", kQ, 10.0},
        {"ccpulse_agents_required", withLabel(kQ, "model", "erlang_c"), 14},
        {"ccpulse_staffing_gap", withLabel(kQ, "model", "erlang_c"), -2},
        {"ccpulse_agents_required", withLabel(kQ, "model", "erlang_a"), kAbsent},  // no abandons: no patience
    };
    all.push_back(s);
  }
  return all;
}

}  // namespace ccpulse::test
