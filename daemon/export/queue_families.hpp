#pragma once
// Names, HELP texts and readers of the per-queue families, shared by the MetricFamily path
// (metrics_exporter.cpp, kept as the reference and for tests) and the direct text renderer
// (queue_exposition.cpp), so the two cannot drift apart. Internal to daemon/export. Constants
// only: thread-safe.

#include "ccpulse/engine/series.hpp"

namespace ccpulse::queue_families {

struct Text {
  const char* name;
  const char* help;
};

struct CounterDef {
  const char* name;
  const char* help;
  double (*read)(const QueueSeries&);
};

inline const CounterDef kCounters[] = {
    {"ccpulse_contacts_offered_total", "Contacts that entered the queue (contact.queued).",
     [](const QueueSeries& s) { return static_cast<double>(s.offered.get()); }},
    {"ccpulse_contacts_answered_total", "Contacts accepted by an agent, including those with no known wait.",
     [](const QueueSeries& s) { return static_cast<double>(s.answered.get()); }},
    {"ccpulse_contacts_answered_in_threshold_total", "Answered contacts whose wait was <= the service-level threshold.",
     [](const QueueSeries& s) { return static_cast<double>(s.answeredInThreshold.get()); }},
    {"ccpulse_contacts_answered_unmatched_total",
     "Answered contacts with no contact.queued seen: counted as answered, kept out of wait statistics.",
     [](const QueueSeries& s) { return static_cast<double>(s.answeredUnmatched.get()); }},
    {"ccpulse_contacts_abandoned_total", "Contacts that left while waiting.",
     [](const QueueSeries& s) { return static_cast<double>(s.abandoned.get()); }},
    {"ccpulse_contacts_abandoned_in_threshold_total", "Abandoned contacts whose wait was <= the threshold.",
     [](const QueueSeries& s) { return static_cast<double>(s.abandonedInThreshold.get()); }},
    {"ccpulse_contacts_abandoned_short_total", "Abandoned contacts whose wait was <= short_abandon.",
     [](const QueueSeries& s) { return static_cast<double>(s.abandonedShort.get()); }},
    {"ccpulse_contacts_handled_total", "Contacts wrapped up (after-contact work done).",
     [](const QueueSeries& s) { return static_cast<double>(s.handled.get()); }},
    {"ccpulse_contacts_transferred_total", "Contacts transferred out of the queue.",
     [](const QueueSeries& s) { return static_cast<double>(s.transferred.get()); }},
    {"ccpulse_contacts_transferred_in_total", "Contacts queued here after being answered in another queue.",
     [](const QueueSeries& s) { return static_cast<double>(s.transferredIn.get()); }},
    {"ccpulse_talk_seconds_total", "Connected time minus hold time of ended contacts.",
     [](const QueueSeries& s) { return s.talkSeconds.get(); }},
    {"ccpulse_hold_seconds_total", "Hold time of ended contacts.",
     [](const QueueSeries& s) { return s.holdSeconds.get(); }},
    {"ccpulse_acw_seconds_total", "After-contact work time of wrapped contacts.",
     [](const QueueSeries& s) { return s.acwSeconds.get(); }},
    {"ccpulse_handle_seconds_total", "Talk + hold + after-contact work of wrapped contacts.",
     [](const QueueSeries& s) { return s.handleSeconds.get(); }},
    {"ccpulse_surveys_total", "Post-contact survey results.",
     [](const QueueSeries& s) { return static_cast<double>(s.surveys.get()); }},
    {"ccpulse_survey_csat_total", "Sum of CSAT scores (1-5) of survey results; divide by ccpulse_surveys_total.",
     [](const QueueSeries& s) { return s.csatSum.get(); }},
};

inline constexpr Text kDequeued{"ccpulse_contacts_dequeued_total",
                                "Contacts that left the queue unanswered for another reason."};
inline constexpr Text kSelfService{"ccpulse_selfservice_total",
                                   "Self-service outcomes (contained = resolved without an agent)."};
inline constexpr Text kWait{"ccpulse_wait_seconds", "Wait from queued to answered, of answered contacts."};
inline constexpr Text kAbandonWait{"ccpulse_abandon_wait_seconds",
                                   "Wait from queued to abandon, of abandoned contacts."};
inline constexpr Text kWaiting{"ccpulse_contacts_waiting", "Contacts waiting in the queue now."};
inline constexpr Text kOldest{"ccpulse_oldest_waiting_seconds",
                              "Age of the longest-waiting contact now in the queue (0 if none)."};
inline constexpr Text kTarget{"ccpulse_service_level_target", "Configured service-level target (ratio)."};
inline constexpr Text kThreshold{"ccpulse_service_level_threshold_seconds", "Configured service-level threshold."};
inline constexpr Text kServiceLevel{
    "ccpulse_service_level",
    "Service level over the rolling window per the configured formula (absent when undefined)."};
inline constexpr Text kAsa{"ccpulse_asa_seconds", "Average wait of answered contacts over the rolling window."};
inline constexpr Text kAht{"ccpulse_aht_seconds", "Average handle time of contacts wrapped in the rolling window."};
inline constexpr Text kAbandonRate{"ccpulse_abandon_rate", "Abandoned / offered over the rolling window."};
inline constexpr Text kTransferRate{"ccpulse_transfer_rate", "Transfers out / answered over the rolling window."};

/// Clock-aligned interval and day families: "ccpulse_interval_" / "ccpulse_day_" + suffix, HELP
/// + the period's note.
struct PeriodDef {
  const char* suffix;
  const char* help;
  PubF64 PeriodGauges::*field;
};
inline const PeriodDef kPeriods[] = {
    {"offered", "Contacts offered in the period.", &PeriodGauges::offered},
    {"answered", "Contacts answered (known wait) in the period.", &PeriodGauges::answered},
    {"answered_in_threshold", "Contacts answered within the threshold in the period.",
     &PeriodGauges::answeredInThreshold},
    {"abandoned", "Contacts abandoned (known wait) in the period.", &PeriodGauges::abandoned},
    {"service_level", "Service level of the period per the configured formula (absent when undefined).",
     &PeriodGauges::serviceLevel},
    {"asa_seconds", "Average wait of contacts answered in the period.", &PeriodGauges::asaSeconds},
    {"aht_seconds", "Average handle time of contacts wrapped in the period.", &PeriodGauges::ahtSeconds},
    {"abandon_rate", "Abandoned / offered in the period.", &PeriodGauges::abandonRate},
    {"start_timestamp_seconds", "Start of the period (local clock-aligned), seconds since the epoch.",
     &PeriodGauges::startSeconds},
};
inline constexpr const char* kIntervalHelpNote = " Label interval: current (so far) or last (closed).";
inline constexpr const char* kDayHelpNote = " Label day: current (day to date, tenant time zone) or last.";

}  // namespace ccpulse::queue_families
