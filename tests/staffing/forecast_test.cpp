// Forecast and schedule CSV: parsing, DST handling, config integration and the exported variance.
#include "ccpulse/staffing/forecast.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../support/test_support.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/decode/json_decoder.hpp"
#include "ccpulse/replay/replayer.hpp"

namespace ccpulse {
namespace {

using test::findSample;
using test::parsePrometheusText;

constexpr std::int64_t k15m = 15LL * 60 * 1'000'000;

std::int64_t at(const char* rfc3339) {
  std::int64_t us = 0;
  EXPECT_TRUE(parseRfc3339(rfc3339, us)) << rfc3339;
  return us;
}

TimeZone zone(const std::string& name) {
  std::string error;
  auto z = TimeZone::load(name, error);
  EXPECT_TRUE(z.has_value()) << error;
  return z ? *z : TimeZone::utc();
}

std::string errorsOf(const ForecastParseResult& r) {
  std::string out;
  for (const auto& e : r.errors) {
    out += std::to_string(e.line) + " [" + e.column + "] " + e.message + "\n";
  }
  return out;
}

TEST(Forecast, ParsesLocalAndOffsetTimesAndFindsTheCoveringInterval) {
  const auto paris = zone("Europe/Paris");
  // Columns in any order, header case-insensitive, comments and blank lines ignored, quoted fields.
  const auto r = parseForecastCsv(
      "# acme plan for 2026-11-23\n"
      "Queue,Channel,Interval_Start,Contacts,AHT_Seconds,Scheduled_Agents\n"
      "care,voice,2026-11-23 09:00,120,240,14\n"
      "\n"
      "care,voice,2026-11-23T09:15:00+01:00,130.5,250,15\n"
      "\"sales, EMEA\",chat,2026-11-23 09:00:00,40,600,6\n",
      "plan.csv", paris, k15m);
  ASSERT_TRUE(r.forecast) << errorsOf(r);
  EXPECT_EQ(r.forecast->rowCount(), 3U);
  // 09:00 in Paris in November (CET, +01:00) is 08:00 UTC.
  const ForecastRow* row = r.forecast->find({"", "care", Channel::kVoice}, at("2026-11-23T08:14:59Z"));
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->startUs, at("2026-11-23T08:00:00Z"));
  EXPECT_DOUBLE_EQ(row->contacts, 120);
  EXPECT_DOUBLE_EQ(row->ahtSeconds, 240);
  EXPECT_DOUBLE_EQ(row->scheduledAgents, 14);
  row = r.forecast->find({"", "care", Channel::kVoice}, at("2026-11-23T08:15:00Z"));
  ASSERT_NE(row, nullptr);
  EXPECT_DOUBLE_EQ(row->contacts, 130.5);
  // Past the last row's end, before the first, another channel, another vendor: nothing.
  EXPECT_EQ(r.forecast->find({"", "care", Channel::kVoice}, at("2026-11-23T08:30:00Z")), nullptr);
  EXPECT_EQ(r.forecast->find({"", "care", Channel::kVoice}, at("2026-11-23T07:59:59Z")), nullptr);
  EXPECT_EQ(r.forecast->find({"", "care", Channel::kChat}, at("2026-11-23T08:05:00Z")), nullptr);
  EXPECT_EQ(r.forecast->find({"talkwise", "care", Channel::kVoice}, at("2026-11-23T08:05:00Z")), nullptr);
  EXPECT_NE(r.forecast->find({"", "sales, EMEA", Channel::kChat}, at("2026-11-23T08:05:00Z")), nullptr);
}

TEST(Forecast, VendorColumnKeysRowsPerVendor) {
  const auto r = parseForecastCsv(
      "interval_start,vendor,queue,channel,contacts,aht_seconds,scheduled_agents\n"
      "2026-11-23T09:00:00Z,talkwise,care,voice,70,240,8\n"
      "2026-11-23T09:00:00Z,callhub,care,voice,50,260,6\n",
      "plan.csv", TimeZone::utc(), k15m);
  ASSERT_TRUE(r.forecast) << errorsOf(r);
  const auto* a = r.forecast->find({"talkwise", "care", Channel::kVoice}, at("2026-11-23T09:10:00Z"));
  const auto* b = r.forecast->find({"callhub", "care", Channel::kVoice}, at("2026-11-23T09:10:00Z"));
  ASSERT_TRUE(a && b);
  EXPECT_DOUBLE_EQ(a->contacts, 70);
  EXPECT_DOUBLE_EQ(b->contacts, 50);
}

TEST(Forecast, DstGapAndOverlapNeedExplicitOffsets) {
  const auto paris = zone("Europe/Paris");
  // 2026-03-29: clocks go 02:00 -> 03:00, so 02:15 never happens. 2026-10-25: 03:00 -> 02:00, so
  // 02:15 happens twice (+02:00 then +01:00).
  const auto bad = parseForecastCsv(
      "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n"
      "2026-03-29 02:15,care,voice,10,200,2\n"
      "2026-10-25 02:15,care,voice,10,200,2\n",
      "plan.csv", paris, k15m);
  ASSERT_EQ(bad.errors.size(), 2U) << errorsOf(bad);
  EXPECT_EQ(bad.errors[0].line, 2);
  EXPECT_EQ(bad.errors[0].column, "interval_start");
  EXPECT_NE(bad.errors[0].message.find("does not exist in Europe/Paris"), std::string::npos);
  EXPECT_EQ(bad.errors[1].line, 3);
  EXPECT_NE(bad.errors[1].message.find("happens twice"), std::string::npos);
  EXPECT_NE(bad.errors[1].message.find("2026-10-25T02:15+02:00"), std::string::npos) << bad.errors[1].message;
  EXPECT_NE(bad.errors[1].message.find("2026-10-25T02:15+01:00"), std::string::npos) << bad.errors[1].message;
  // With offsets both occurrences are distinct intervals, an hour apart in UTC.
  const auto good = parseForecastCsv(
      "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n"
      "2026-10-25T02:15:00+02:00,care,voice,10,200,2\n"
      "2026-10-25T02:15:00+01:00,care,voice,20,200,3\n",
      "plan.csv", paris, k15m);
  ASSERT_TRUE(good.forecast) << errorsOf(good);
  EXPECT_DOUBLE_EQ(good.forecast->find({"", "care", Channel::kVoice}, at("2026-10-25T00:20:00Z"))->contacts, 10);
  EXPECT_DOUBLE_EQ(good.forecast->find({"", "care", Channel::kVoice}, at("2026-10-25T01:20:00Z"))->contacts, 20);
}

TEST(Forecast, EveryBadRowIsReportedWithLineAndColumn) {
  const auto r = parseForecastCsv(
      "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n"
      "2026-11-23 09:00,care,fax,10,200,2\n"        // 2: channel
      "2026-11-23 09:00,care,voice,-1,200,2\n"      // 3: contacts
      "2026-11-23 09:00,care,voice,10,0,2\n"        // 4: aht must be positive
      "2026-11-23 09:07,care,voice,10,200,2\n"      // 5: not an interval start
      "2026-11-23 09:00,care,voice,10,200\n"        // 6: field count
      "yesterday,care,voice,10,200,2\n"             // 7: time
      "2026-11-23 09:15,care,voice,10,200,2\n"      // 8: fine
      "2026-11-23T09:15:00Z,care,voice,11,200,2\n"  // 9: same interval again (UTC zone)
      "2026-11-23 09:30,\"care,voice,10,200,2\n",   // 10: unterminated quote
      "plan.csv", TimeZone::utc(), k15m);
  EXPECT_FALSE(r.forecast);
  ASSERT_EQ(r.errors.size(), 8U) << errorsOf(r);
  const std::vector<std::pair<int, std::string>> expected{{2, "channel"},        {3, "contacts"}, {4, "aht_seconds"},
                                                          {5, "interval_start"}, {6, ""},         {7, "interval_start"},
                                                          {9, "interval_start"}, {10, ""}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.errors[i].line, expected[i].first) << errorsOf(r);
    EXPECT_EQ(r.errors[i].column, expected[i].second) << errorsOf(r);
  }
}

TEST(Forecast, HeaderProblemsStopAtTheHeader) {
  const auto r = parseForecastCsv("interval_start,queue,contacts,aht,scheduled_agents\n2026-11-23 09:00,q,1,2,3\n",
                                  "plan.csv", TimeZone::utc(), k15m);
  ASSERT_FALSE(r.forecast);
  // "aht" is unknown; "channel" and "aht_seconds" are missing; nothing past line 1 is read.
  ASSERT_EQ(r.errors.size(), 3U) << errorsOf(r);
  for (const auto& e : r.errors) {
    EXPECT_EQ(e.line, 1);
  }
  EXPECT_EQ(parseForecastCsv("", "plan.csv", TimeZone::utc(), k15m).errors.size(), 1U);
}

TEST(ForecastConfig, RelativePathIsTakenFromTheConfigFolderAndErrorsNameTheCsvLine) {
  const auto dir = std::filesystem::path(test::writeTempFile("forecast-dir-marker", "")).parent_path() / "fc-config";
  std::filesystem::create_directories(dir / "plans");
  const auto write = [](const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; };
  write(dir / "plans" / "acme.csv",
        "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n"
        "2026-11-23 09:00,care,voice,120,240,14\n");
  const std::string yaml =
      "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n"
      "tenants:\n  acme:\n    time_zone: Europe/Paris\n    forecast: plans/acme.csv\n";
  write(dir / "ccpulse.yaml", yaml);
  const auto ok = loadConfigFile((dir / "ccpulse.yaml").string());
  ASSERT_TRUE(ok.ok()) << (ok.errors.empty() ? "" : ok.errors.front().format());
  ASSERT_EQ(ok.config->forecasts.count("acme"), 1U);
  EXPECT_EQ(ok.config->tenants.at("acme").forecastPath, (dir / "plans" / "acme.csv").string());
  EXPECT_NE(ok.config->forecasts.at("acme")->find({"", "care", Channel::kVoice}, at("2026-11-23T08:00:00Z")), nullptr);

  write(dir / "plans" / "acme.csv",
        "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n"
        "2026-11-23 09:00,care,voice,many,240,14\n");
  const auto bad = loadConfigFile((dir / "ccpulse.yaml").string());
  ASSERT_EQ(bad.errors.size(), 1U);
  EXPECT_EQ(bad.errors[0].keyPath, "tenants.acme.forecast");
  EXPECT_EQ(bad.errors[0].file, (dir / "plans" / "acme.csv").string());
  EXPECT_EQ(bad.errors[0].line, 2);
  EXPECT_NE(bad.errors[0].message.find("column 'contacts'"), std::string::npos) << bad.errors[0].message;

  std::filesystem::remove(dir / "plans" / "acme.csv");
  const auto missing = loadConfigFile((dir / "ccpulse.yaml").string());
  ASSERT_EQ(missing.errors.size(), 1U);
  EXPECT_EQ(missing.errors[0].file, (dir / "ccpulse.yaml").string()) << "points at the key naming the file";
  EXPECT_EQ(missing.errors[0].line, 7);
  EXPECT_NE(missing.errors[0].message.find("cannot open forecast file"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// The forecast drives live staffing and is compared with what happened.
TEST(ForecastExport, VarianceAgainstActualsAndStaffingFromTheForecast) {
  const std::string csv = test::writeTempFile("forecast-export.csv",
                                              "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n"
                                              "2026-11-18T10:45:00Z,q1,voice,5,100,2\n"
                                              "2026-11-18T11:00:00Z,q1,voice,12,200,3\n");
  const auto loaded = loadConfigString(
      "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\ntenants:\n  t:\n    forecast: " + csv + "\n",
      "test.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().format();
  Replayer r(*loaded.config);
  const auto contact = [&](const std::string& type, const std::string& ts, const std::string& id) {
    r.feed(R"({"type":")" + type + R"(","ts":")" + ts + R"(","tenant":"t","queue":"q1","contact":")" + id + "\"}");
  };
  r.feed(R"({"type":"agent.login","ts":"2026-11-18T10:40:00Z","tenant":"t","agent":"a1","queues":["q1"]})");
  r.feed(R"({"type":"agent.state","ts":"2026-11-18T10:40:00Z","tenant":"t","agent":"a1","state":"available"})");
  // Last interval 10:45-11:00: 4 contacts, each talk 90 s (10:50:10 -> 10:51:40) + ACW 20 s = 110 s.
  for (const std::string id : {"c1", "c2", "c3", "c4"}) {
    contact("contact.queued", "2026-11-18T10:50:00Z", id);
    contact("contact.answered", "2026-11-18T10:50:10Z", id);
    contact("contact.ended", "2026-11-18T10:51:40Z", id);
    contact("contact.wrapped", "2026-11-18T10:52:00Z", id);
  }
  // Current interval 11:00-11:15: 2 handled with talk 120 s + ACW 30 s = 150 s, and one waiting.
  for (const std::string id : {"c5", "c6"}) {
    contact("contact.queued", "2026-11-18T11:01:00Z", id);
    contact("contact.answered", "2026-11-18T11:01:05Z", id);
    contact("contact.ended", "2026-11-18T11:03:05Z", id);
    contact("contact.wrapped", "2026-11-18T11:03:35Z", id);
  }
  contact("contact.queued", "2026-11-18T11:06:40Z", "c7");  // now = 11:06:40, 400 s into the interval
  r.publish();
  const auto m = parsePrometheusText(r.renderMetrics());
  const std::map<std::string, std::string> cur{
      {"tenant", "t"}, {"queue", "q1"}, {"channel", "voice"}, {"interval", "current"}};
  std::map<std::string, std::string> last = cur;
  last["interval"] = "last";
  EXPECT_EQ(findSample(m, "ccpulse_forecast_contacts", cur), 12);
  EXPECT_EQ(findSample(m, "ccpulse_forecast_contacts", last), 5);
  // Current: 3 offered against 12 x 400/900 = 5.3333 expected so far: -2.3333.
  EXPECT_NEAR(*findSample(m, "ccpulse_forecast_volume_variance", cur), 3 - 12.0 * 400 / 900, 1e-9);
  // Last: 4 offered against 5 forecast.
  EXPECT_EQ(findSample(m, "ccpulse_forecast_volume_variance", last), -1);
  // AHT: 150 - 200 now, 110 - 100 last interval.
  EXPECT_NEAR(*findSample(m, "ccpulse_forecast_aht_variance_seconds", cur), -50, 1e-9);
  EXPECT_NEAR(*findSample(m, "ccpulse_forecast_aht_variance_seconds", last), 10, 1e-9);
  const std::map<std::string, std::string> q{{"tenant", "t"}, {"queue", "q1"}};
  EXPECT_EQ(findSample(m, "ccpulse_scheduled_agents", q), 3);
  // One agent logged in and available against three scheduled.
  EXPECT_EQ(findSample(m, "ccpulse_schedule_variance_agents", q), -2);
  // Staffing sized from the forecast: 12 contacts per 900 s x 200 s = 2.6667 Erlangs.
  EXPECT_EQ(findSample(m, "ccpulse_staffing_from_forecast", q), 1);
  EXPECT_NEAR(*findSample(m, "ccpulse_traffic_erlangs", q), 12.0 * 200 / 900, 1e-9);
}

}  // namespace
}  // namespace ccpulse
