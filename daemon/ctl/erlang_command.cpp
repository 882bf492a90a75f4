// `ccpulsectl erlang`: the planner's staffing calculator over the ccpulse::staffing library.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "ccpulse/config/duration.hpp"
#include "ccpulse/ctl/commands.hpp"
#include "ccpulse/staffing/erlang.hpp"

namespace ccpulse::ctl {
namespace {

namespace st = ccpulse::staffing;

constexpr std::string_view kUsage =
    "Usage: ccpulsectl erlang --calls N --interval 30m --aht SECONDS --threshold SECONDS --target 0.8\n"
    "                         [--patience SECONDS] [--shrinkage 0.3] [--max-occupancy 0.85]\n"
    "                         [--concurrency K] [--json]\n"
    "\n"
    "Agents needed so that --target of the contacts are answered within --threshold seconds.\n"
    "  --calls N            contacts offered per interval (>= 0)\n"
    "  --interval D         interval length: 15m, 30m, 1h, 900s ...\n"
    "  --aht SECONDS        average handle time (talk + hold + after-contact work), > 0\n"
    "  --threshold SECONDS  service-level threshold T, >= 0\n"
    "  --target F           service-level target as a fraction in (0, 1), e.g. 0.8\n"
    "  --patience SECONDS   mean caller patience: also solve Erlang A (with abandonment)\n"
    "  --shrinkage F        share of paid time off the phones in [0, 1): positions to schedule\n"
    "  --max-occupancy F    raise agents until occupancy <= F, in (0, 1]\n"
    "  --concurrency K      contacts per agent at once (chat), >= 1; effective AHT = AHT / K\n"
    "  --json               machine-readable output\n";

struct Options {
  std::optional<double> calls;
  std::optional<double> intervalSeconds;
  std::optional<double> aht;
  std::optional<double> threshold;
  std::optional<double> target;
  std::optional<double> patience;
  double shrinkage = 0.0;
  bool shrinkageGiven = false;
  double maxOccupancy = 1.0;
  double concurrency = 1.0;
  bool json = false;
  bool help = false;
};

int usageError(const std::string& message) {
  std::cerr << "ccpulsectl erlang: " << message << "\n\n" << kUsage;
  return 2;
}

std::optional<double> parseNumber(std::string_view text) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Returns an error message, or empty on success.
std::string parseOptions(Args args, Options& o) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i];
    std::optional<std::string_view> inlineValue;
    if (const auto eq = name.find('='); name.starts_with("--") && eq != std::string_view::npos) {
      inlineValue = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "--json" || name == "--help" || name == "-h") {
      if (inlineValue) {
        return std::string(name) + " takes no value";
      }
      (name == "--json" ? o.json : o.help) = true;
      continue;
    }
    std::string_view value;
    if (inlineValue) {
      value = *inlineValue;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return std::string(name) + " needs a value";
    }
    if (name == "--interval") {
      std::string why;
      const auto d = parseDuration(value, why);
      if (!d || d->count() <= 0) {
        return "--interval '" + std::string(value) + "': " + (d ? "must be positive" : why);
      }
      o.intervalSeconds = std::chrono::duration<double>(*d).count();
      continue;
    }
    const auto number = parseNumber(value);
    if (!number) {
      return std::string(name) + " '" + std::string(value) + "' is not a number";
    }
    const double v = *number;
    auto bad = [&](const char* why) { return std::string(name) + " " + std::string(value) + ": " + why; };
    if (name == "--calls") {
      if (v < 0) return bad("must be >= 0");
      o.calls = v;
    } else if (name == "--aht") {
      if (v <= 0) return bad("must be > 0");
      o.aht = v;
    } else if (name == "--threshold") {
      if (v < 0) return bad("must be >= 0");
      o.threshold = v;
    } else if (name == "--target") {
      if (v <= 0 || v >= 1) return bad("must be a fraction in (0, 1), e.g. 0.8");
      o.target = v;
    } else if (name == "--patience") {
      if (v <= 0) return bad("must be > 0");
      o.patience = v;
    } else if (name == "--shrinkage") {
      if (v < 0 || v >= 1) return bad("must be in [0, 1)");
      o.shrinkage = v;
      o.shrinkageGiven = true;
    } else if (name == "--max-occupancy") {
      if (v <= 0 || v > 1) return bad("must be in (0, 1]");
      o.maxOccupancy = v;
    } else if (name == "--concurrency") {
      if (v < 1) return bad("must be >= 1");
      o.concurrency = v;
    } else {
      return "unknown option '" + std::string(name) + "'";
    }
  }
  if (o.help) {
    return {};
  }
  for (const auto& [given, flag] :
       {std::pair{o.calls.has_value(), "--calls"}, std::pair{o.intervalSeconds.has_value(), "--interval"},
        std::pair{o.aht.has_value(), "--aht"}, std::pair{o.threshold.has_value(), "--threshold"},
        std::pair{o.target.has_value(), "--target"}}) {
    if (!given) {
      return std::string("missing ") + flag;
    }
  }
  return {};
}

// JSON numbers: shortest round-trip is overkill for a planner; 6 significant digits.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void writeJsonFields(std::ostream& os, const st::Staffing& s) {
  const auto& m = s.metrics;
  os << "\"agents\":" << m.agents << ",\"service_level\":" << num(m.serviceLevel)
     << ",\"asa_seconds\":" << num(m.asaSeconds) << ",\"occupancy\":" << num(m.occupancy)
     << ",\"probability_wait\":" << num(m.probabilityWait) << ",\"positions\":" << s.positions;
}

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v * 100.0);
  return buf;
}

std::string secs(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", v);
  return buf;
}

void row(std::ostream& os, std::string_view label, const std::string& c, const std::optional<std::string>& a) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "  %-18s %12s", std::string(label).c_str(), c.c_str());
  os << buf;
  if (a) {
    std::snprintf(buf, sizeof buf, " %12s", a->c_str());
    os << buf;
  }
  os << "\n";
}

void writeText(std::ostream& os, const Options& o, const st::Queue& q, const st::Staffing& c,
               const std::optional<st::Staffing>& a) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "Traffic %.4g contacts per %.0f s x AHT %.4g s%s = %.4f Erlangs; target %s within %.4g s\n", *o.calls,
                *o.intervalSeconds, *o.aht,
                o.concurrency != 1.0 ? (" / concurrency " + num(o.concurrency)).c_str() : "", c.metrics.trafficErlangs,
                pct(*o.target).c_str(), q.thresholdSeconds);
  os << buf;
  if (a) {
    std::snprintf(buf, sizeof buf, "Erlang A: mean patience %.4g s\n", q.patienceSeconds);
    os << buf;
  }
  os << "\n";
  const auto opt = [&](auto f) -> std::optional<std::string> {
    if (!a) return std::nullopt;
    return f(*a);
  };
  row(os, "", "Erlang C", a ? std::optional<std::string>("Erlang A") : std::nullopt);
  row(os, "agents", std::to_string(c.metrics.agents),
      opt([](const st::Staffing& s) { return std::to_string(s.metrics.agents); }));
  if (o.shrinkageGiven) {
    row(os, "positions", std::to_string(c.positions),
        opt([](const st::Staffing& s) { return std::to_string(s.positions); }));
  }
  row(os, "service level", pct(c.metrics.serviceLevel),
      opt([](const st::Staffing& s) { return pct(s.metrics.serviceLevel); }));
  row(os, "ASA", secs(c.metrics.asaSeconds), opt([](const st::Staffing& s) { return secs(s.metrics.asaSeconds); }));
  row(os, "occupancy", pct(c.metrics.occupancy), opt([](const st::Staffing& s) { return pct(s.metrics.occupancy); }));
  row(os, "P(wait)", pct(c.metrics.probabilityWait),
      opt([](const st::Staffing& s) { return pct(s.metrics.probabilityWait); }));
  if (a) {
    row(os, "abandon rate", "-", pct(a->metrics.abandonRate));
  }
  if (o.shrinkageGiven) {
    std::snprintf(buf, sizeof buf, "\npositions = ceil(agents / (1 - shrinkage %.4g))\n", o.shrinkage);
    os << buf;
  }
}

}  // namespace

int runErlang(Args args) {
  Options o;
  if (const auto error = parseOptions(args, o); !error.empty()) {
    return usageError(error);
  }
  if (o.help) {
    std::cout << kUsage;
    return 0;
  }
  st::Queue q;
  q.arrivalRate = *o.calls / *o.intervalSeconds;
  q.ahtSeconds = *o.aht;
  q.thresholdSeconds = *o.threshold;
  q.concurrency = o.concurrency;
  st::Target t;
  t.serviceLevel = *o.target;
  t.maxOccupancy = o.maxOccupancy;
  t.shrinkage = o.shrinkage;

  const auto c = st::requiredAgents(q, t);  // patience left infinite: Erlang C
  if (!c.ok()) {
    if (c.error == st::Error::kInvalidArgument) {
      return usageError("inputs out of range (traffic must stay below " + std::to_string(st::kMaxAgents) + " Erlangs)");
    }
    std::cerr << "ccpulsectl erlang: Erlang C: " << st::errorName(c.error) << "\n";
    return 1;
  }
  std::optional<st::Staffing> a;
  if (o.patience) {
    q.patienceSeconds = *o.patience;
    const auto r = st::requiredAgents(q, t);
    if (!r.ok()) {
      std::cerr << "ccpulsectl erlang: Erlang A: " << st::errorName(r.error) << "\n";
      return r.error == st::Error::kInvalidArgument ? 2 : 1;
    }
    a = r.value;
  }

  if (o.json) {
    std::cout << "{";
    writeJsonFields(std::cout, c.value);
    if (a) {
      std::cout << ",\"erlang_a\":{";
      writeJsonFields(std::cout, *a);
      std::cout << ",\"abandon_rate\":" << num(a->metrics.abandonRate) << "}";
    }
    std::cout << "}\n";
  } else {
    writeText(std::cout, o, q, c.value, a);
  }
  return 0;
}

}  // namespace ccpulse::ctl
