// SourceStatus: rates from housekeeping samples (injected times), and the JSON it renders.
#include "ccpulse/ingest/source_status.hpp"

#include <gtest/gtest.h>

namespace ccpulse {
namespace {

class SourceStatusTest : public ::testing::Test {
 protected:
  SourceStatusTest()
      : engine_(EngineSettings{}, std::make_shared<const ServiceLevelSettings>(), 1, clock_),
        status_({{&settings_, "tcp://127.0.0.1:1", &stats_, &sequences_, nullptr}}, engine_) {
    settings_.name = "acd";
  }
  ManualClock clock_;
  SourceSettings settings_;
  SourceStats stats_;
  SequenceTracker sequences_;
  Engine engine_;
  SourceStatus status_;
};

TEST_F(SourceStatusTest, RatesOverTenSecondsAndOneMinuteFromOneSamplePerSecond) {
  EXPECT_EQ(status_.rate(0, 10'000'000), 0.0) << "no samples yet";
  // 100 events/s for the first 50 s, then 1,000 events/s for 20 s. Samples every 0.5 s: only one
  // per second is kept.
  std::int64_t t = 1'000'000'000;
  std::uint64_t events = 0;
  for (int halfSecond = 0; halfSecond <= 140; ++halfSecond) {
    stats_.received.set(events);
    status_.sample(t);
    t += 500'000;
    events += halfSecond < 100 ? 50 : 500;
  }
  // Samples were kept at t0 + 0, 1, ..., 70 s (the received count as of each). The last 10 s
  // (60..70 s) are all in the fast phase: 10,000 events / 10 s = 1000/s. The last minute (10..70 s):
  // 40 s at 100/s + 20 s at 1000/s = 4,000 + 20,000 = 24,000 events / 60 s = 400/s.
  EXPECT_DOUBLE_EQ(status_.rate(0, 10'000'000), 1000.0);
  EXPECT_DOUBLE_EQ(status_.rate(0, 60'000'000), 400.0);
}

TEST_F(SourceStatusTest, JsonListsPublishersInOrderOfFirstAppearance) {
  std::uint64_t missing = 0;
  sequences_.observe("b", 5, missing);
  sequences_.observe("a", 1, missing);
  sequences_.observe("b", 9, missing);  // gap of 3
  stats_.rejected[static_cast<std::size_t>(RejectReason::kNotJson)].add(2);
  const std::string json = status_.renderJson();
  EXPECT_NE(json.find(R"("publishers":[{"name":"b","last_seq":9,"events":2,"gaps":3,"duplicates":0,"restarts":0},)"
                      R"({"name":"a","last_seq":1,"events":1,"gaps":0,"duplicates":0,"restarts":0}])"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("rejected":{"total":2,"not_json":2,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("last_event_time":null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("state":"unbound")"), std::string::npos) << json;
}

}  // namespace
}  // namespace ccpulse
