// ccpulsectl scorecard: the contract report card (docs/scorecard.md) from the history database,
// or from recorded events replayed through the real engine with no daemon running.
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ccpulse/config/loader.hpp"
#include "ccpulse/contract/contract.hpp"
#include "ccpulse/contract/tracker.hpp"
#include "ccpulse/ctl/commands.hpp"
#include "ccpulse/history/history_db.hpp"
#include "ccpulse/replay/replayer.hpp"

namespace ccpulse::ctl {
namespace {

constexpr std::string_view kScorecardUsage =
    R"(Usage: ccpulsectl scorecard --config FILE --tenant T [--vendor V] --from DATE --to DATE
                            [--format html|csv|json] [-o FILE] [--db PATH | --replay FILE... [--replay-format json]]
Writes the contract scorecard of tenant T (and vendor V) for the local dates FROM..TO inclusive
(YYYY-MM-DD, in each contract's time zone): attainment per period, missed periods, service
credits, trend charts and a plain-language summary.

  --config FILE         ccpulsed configuration with the `contracts` section
  --db PATH             history database (default: <state.directory>/history.sqlite)
  --replay FILE         replay recorded events (NDJSON) instead of reading the database; repeatable
  --replay-format F     format of the replayed files (json)
  --format F            html (default), csv or json
  -o FILE               output file (default: stdout)
)";

}  // namespace

int runScorecard(Args args) {
  std::string configPath;
  std::string tenant;
  std::string vendor;
  std::string from;
  std::string to;
  std::string format = "html";
  std::string out;
  std::string dbPath;
  std::vector<std::string> replays;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kScorecardUsage;
      return 0;
    }
    if (i + 1 >= args.size()) {
      std::cerr << "ccpulsectl scorecard: "
                << (a.starts_with("-") ? std::string(a) + " needs a value"
                                       : "unexpected argument '" + std::string(a) + "'")
                << "\n"
                << kScorecardUsage;
      return 2;
    }
    const std::string v(args[++i]);
    if (a == "--config") {
      configPath = v;
    } else if (a == "--tenant") {
      tenant = v;
    } else if (a == "--vendor") {
      vendor = v;
    } else if (a == "--from") {
      from = v;
    } else if (a == "--to") {
      to = v;
    } else if (a == "--format") {
      format = v;
    } else if (a == "-o" || a == "--output") {
      out = v;
    } else if (a == "--db") {
      dbPath = v;
    } else if (a == "--replay") {
      replays.push_back(v);
    } else if (a == "--replay-format") {
      if (v != "json") {
        std::cerr << "ccpulsectl scorecard: unknown --replay-format '" << v << "' (known: json)\n";
        return 2;
      }
    } else {
      std::cerr << "ccpulsectl scorecard: unknown option '" << a << "'\n" << kScorecardUsage;
      return 2;
    }
  }
  const auto fromDay = parseDate(from);
  const auto toDay = parseDate(to);
  if (configPath.empty() || tenant.empty() || !fromDay || !toDay) {
    std::cerr << "ccpulsectl scorecard: --config, --tenant, --from and --to (YYYY-MM-DD) are required\n"
              << kScorecardUsage;
    return 2;
  }
  if (*toDay < *fromDay) {
    std::cerr << "ccpulsectl scorecard: --to is before --from\n";
    return 2;
  }
  if (format != "html" && format != "csv" && format != "json") {
    std::cerr << "ccpulsectl scorecard: unknown --format '" << format << "' (known: html, csv, json)\n";
    return 2;
  }
  if (!dbPath.empty() && !replays.empty()) {
    std::cerr << "ccpulsectl scorecard: --db and --replay are alternatives\n";
    return 2;
  }
  const ConfigLoadResult loaded = loadConfigFile(configPath);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) {
      std::cerr << e.format() << "\n";
    }
    return 1;
  }
  const Config& config = *loaded.config;
  std::vector<IntervalRow> rows;
  std::vector<AgentIntervalRow> agentRows;
  try {
    if (!replays.empty()) {
      Replayer replayer(config);
      const auto drain = [&] {
        replayer.drainClosedPeriods([&](const ClosedPeriod& p) {
          if (p.kind == PeriodKind::kInterval && p.series->tenant == tenant) {
            rows.push_back(toIntervalRow(p));
          }
        });
        replayer.drainClosedAgentIntervals([&](const ClosedAgentInterval& p) {
          if (p.series->tenant == tenant) {
            agentRows.push_back(toAgentIntervalRow(p));
          }
        });
      };
      for (const std::string& path : replays) {
        std::ifstream in(path);
        if (!in) {
          std::cerr << "ccpulsectl scorecard: cannot read " << path << "\n";
          return 1;
        }
        std::string line;
        std::size_t lines = 0;
        while (std::getline(in, line)) {
          if (!line.empty()) {
            replayer.feed(line);
            if (++lines % 256 == 0) {
              drain();
            }
          }
        }
      }
      // Close the last open interval: publish as of its end plus the late tolerance.
      const std::int64_t endUs =
          replayer.newestEventUs() + config.intervals.length.count() + config.intervals.lateTolerance.count() + 1;
      replayer.publish(endUs);
      drain();
    } else {
      if (dbPath.empty()) {
        if (config.state.directory.empty()) {
          std::cerr << "ccpulsectl scorecard: no --db, --replay or state.directory in the config\n";
          return 2;
        }
        dbPath = config.state.directory + "/history.sqlite";
      }
      const HistoryDb db(dbPath, /*readOnly=*/true);
      constexpr std::int64_t kDayUs = 86'400'000'000;
      rows = db.intervals(tenant, (*fromDay - 1) * kDayUs, (*toDay + 33) * kDayUs);
      agentRows = db.agentIntervals(tenant, (*fromDay - 1) * kDayUs, (*toDay + 33) * kDayUs);
    }
  } catch (const std::exception& e) {
    std::cerr << "ccpulsectl scorecard: " << e.what() << "\n";
    return 1;
  }
  const Scorecard card = buildScorecard(config.contracts, rows, tenant, vendor, *fromDay, *toDay,
                                        config.intervals.length.count(), agentRows, &config.forecasts);
  const std::string text =
      format == "csv" ? scorecardCsv(card) : (format == "json" ? scorecardJson(card) : scorecardHtml(card));
  if (out.empty() || out == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream file(out, std::ios::binary);
  file << text;
  if (!file) {
    std::cerr << "ccpulsectl scorecard: cannot write " << out << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ccpulse::ctl
