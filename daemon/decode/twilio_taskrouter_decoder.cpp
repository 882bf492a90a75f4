// format twilio_taskrouter (docs/adapters/twilio_taskrouter.md): TaskRouter event callbacks, one
// per frame, either the application/x-www-form-urlencoded body Twilio POSTs to the workspace's
// EventCallbackUrl or the same parameters as a flat JSON object. Tasks become contacts (entering
// a TaskQueue is contact.queued, an accepted reservation contact.answered, ...), worker activity
// updates become agent states. Callbacks name the queue only when the task enters it, so each
// task's queue, worker and progress are remembered per source.

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ccpulse/common/hash.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "vendor_support.hpp"

namespace ccpulse {
namespace {

constexpr std::size_t kTaskCapacity = 32768;
constexpr std::size_t kWorkerCapacity = 16384;

enum class Param : std::uint8_t {
  kEventType,
  kTimestamp,
  kTimestampMs,
  kTaskSid,
  kTaskQueueSid,
  kTaskQueueName,
  kTaskChannelUniqueName,
  kTaskCanceledReason,
  kWorkerSid,
  kWorkerName,
  kWorkerActivityName,
};
constexpr std::size_t kParamCount = 11;
constexpr std::array<std::string_view, kParamCount> kParamNames = {
    "EventType",    "Timestamp",     "TimestampMs",           "TaskSid",
    "TaskQueueSid", "TaskQueueName", "TaskChannelUniqueName", "TaskCanceledReason",
    "WorkerSid",    "WorkerName",    "WorkerActivityName",
};

std::optional<Param> paramOf(std::string_view key) noexcept {
  for (std::size_t i = 0; i < kParamCount; ++i) {
    if (kParamNames[i] == key) {
      return static_cast<Param>(i);
    }
  }
  return std::nullopt;
}

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

enum Progress : std::uint8_t {
  kQueued = 1U << 0U,
  kAnswered = 1U << 1U,
  kLeft = 1U << 2U,
  kEnded = 1U << 3U,
};

struct TaskEntry {
  Id queue;
  Id worker;
  Channel channel = Channel::kVoice;
  std::uint8_t done = 0;
};

struct WorkerEntry {
  AgentStateKind state = AgentStateKind::kAvailable;
  Tag reason;
};

class TwilioTaskRouterDecoder final : public FrameDecoder {
 public:
  TwilioTaskRouterDecoder(const SourceSettings& settings, AdapterCapacity capacity)
      : defaults_(settings),
        maxFrameBytes_(settings.maxFrameBytes),
        tasks_(capacity.contacts != 0 ? capacity.contacts : kTaskCapacity),
        workers_(capacity.agents != 0 ? capacity.agents : kWorkerCapacity) {}

  std::size_t decode(std::string_view frame, DecodeSink& sink) override {
    if (frame.size() > maxFrameBytes_) {
      sink.onReject(RejectReason::kOversize, {});
      return 0;
    }
    const std::size_t first = frame.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
      sink.onReject(RejectReason::kBadEncoding, "empty frame");
      return 0;
    }
    params_.fill({});
    present_ = 0;
    const bool parsed = frame[first] == '{' ? readJson(frame) : readForm(frame);
    pending_.drop();
    if (!parsed || !callback()) {
      pending_.drop();
      sink.onReject(reject_.reason, reject_.detail);
      return 0;
    }
    return pending_.flush(sink);
  }

  [[nodiscard]] std::uint64_t stateEvictions() const noexcept override {
    return tasks_.evictions() + workers_.evictions();
  }

 private:
  bool fail(RejectReason reason, std::string_view detail) noexcept { return reject_.fail(reason, detail); }

  void set(Param p, std::string_view value) noexcept {
    params_[static_cast<std::size_t>(p)] = value;
    present_ |= 1U << static_cast<unsigned>(p);
  }
  [[nodiscard]] std::string_view get(Param p) const noexcept { return params_[static_cast<std::size_t>(p)]; }
  [[nodiscard]] bool has(Param p) const noexcept {
    return (present_ & (1U << static_cast<unsigned>(p))) != 0 && !get(p).empty();
  }

  // Percent-decodes `text` (and '+' as space) onto the end of scratch_; false on a bad escape.
  bool unescape(std::string_view text, std::string_view& out) noexcept {
    const std::size_t start = scratch_.size();
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '+') {
        scratch_.push_back(' ');
      } else if (c == '%') {
        if (i + 2 >= text.size()) {
          return false;
        }
        const int hi = hexValue(text[i + 1]);
        const int lo = hexValue(text[i + 2]);
        if (hi < 0 || lo < 0) {
          return false;
        }
        scratch_.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        scratch_.push_back(c);
      }
    }
    out = std::string_view(scratch_).substr(start);
    return true;
  }

  // application/x-www-form-urlencoded: key=value pairs joined by '&'. The scratch buffer is
  // reserved to the frame size first, so the views into it stay valid and, once it has grown to
  // the largest frame, nothing is allocated.
  bool readForm(std::string_view body) {
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
      body.remove_suffix(1);
    }
    scratch_.clear();
    scratch_.reserve(body.size());
    std::size_t pos = 0;
    bool any = false;
    while (pos <= body.size()) {
      const std::size_t amp = body.find('&', pos);
      const std::string_view pair =
          body.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
      pos = amp == std::string_view::npos ? body.size() + 1 : amp + 1;
      if (pair.empty()) {
        continue;
      }
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        return fail(RejectReason::kBadEncoding, "body");
      }
      any = true;
      std::string_view key;
      std::string_view value;
      if (!unescape(pair.substr(0, eq), key)) {
        return fail(RejectReason::kBadEncoding, "body");
      }
      const std::optional<Param> p = paramOf(key);
      if (!unescape(pair.substr(eq + 1), value)) {
        return fail(RejectReason::kBadEncoding, p ? kParamNames[static_cast<std::size_t>(*p)] : "body");
      }
      if (p) {
        set(*p, value);
      }
    }
    return any || fail(RejectReason::kBadEncoding, "body");
  }

  // The same parameters as a flat JSON object (strings; the timestamps may also be integers).
  bool readJson(std::string_view frame) {
    simdjson::dom::element root;
    const simdjson::error_code error = parser_.parse(frame.data(), frame.size(), true).get(root);
    if (error != simdjson::SUCCESS) {
      return fail(RejectReason::kNotJson, simdjson::error_message(error));
    }
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS) {
      return fail(RejectReason::kNotObject, {});
    }
    scratch_.clear();
    scratch_.reserve(64);
    for (const auto& member : object) {
      const std::optional<Param> p = paramOf(member.key);
      if (!p || member.value.is_null()) {
        continue;
      }
      std::string_view text;
      if (member.value.get_string().get(text) == simdjson::SUCCESS) {
        set(*p, text);
        continue;
      }
      std::int64_t number = 0;
      if ((*p == Param::kTimestamp || *p == Param::kTimestampMs) &&
          member.value.get_int64().get(number) == simdjson::SUCCESS) {
        // Rendered into the scratch buffer (reserved above, 64 bytes hold two int64s).
        std::array<char, 24> digits{};
        const auto [end, ec] = std::to_chars(digits.begin(), digits.end(), number);
        const std::size_t start = scratch_.size();
        scratch_.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
        set(*p, std::string_view(scratch_).substr(start));
        continue;
      }
      return fail(RejectReason::kWrongType, member.key);
    }
    return true;
  }

  bool timestamp(std::int64_t& outUs) noexcept {
    const Param p = has(Param::kTimestampMs) ? Param::kTimestampMs : Param::kTimestamp;
    if (!has(p)) {
      return fail(RejectReason::kMissingField, "Timestamp");
    }
    const std::string_view text = get(p);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) {
      const std::int64_t scale = p == Param::kTimestampMs ? 1000 : 1'000'000;
      if (value < kMinTimestampUs / scale || value > kMaxTimestampUs / scale) {
        return fail(RejectReason::kBadTimestamp, kParamNames[static_cast<std::size_t>(p)]);
      }
      outUs = value * scale;
      return true;
    }
    if (parseRfc3339(text, outUs)) {
      return true;
    }
    return fail(RejectReason::kBadTimestamp, kParamNames[static_cast<std::size_t>(p)]);
  }

  bool channelOf(Channel& out) noexcept {
    const std::string_view name = get(Param::kTaskChannelUniqueName);
    if (name.empty() || name == "default") {
      out = defaults_.channel.value_or(Channel::kVoice);
      return true;
    }
    if (const auto channel = parseChannel(name)) {
      out = *channel;
      return true;
    }
    if (defaults_.channel) {
      out = *defaults_.channel;
      return true;
    }
    return fail(RejectReason::kUnsupported, "TaskChannelUniqueName");
  }

  bool workerName(Id& out) noexcept {
    const std::string_view name = has(Param::kWorkerName) ? get(Param::kWorkerName) : get(Param::kWorkerSid);
    if (name.empty()) {
      return fail(RejectReason::kMissingField, "WorkerSid");
    }
    return out.assign(name) || fail(RejectReason::kFieldTooLong, has(Param::kWorkerName) ? "WorkerName" : "WorkerSid");
  }

  Event& emitContact(EventType type, std::int64_t ts, const TaskEntry& task, std::string_view taskSid) noexcept {
    Event& e = pending_.next();
    defaults_.start(e, type, ts);
    e.channel = task.channel;
    e.queue = task.queue;
    (void)e.contact.assign(taskSid);  // length checked by callback()
    if (type == EventType::kContactAnswered || type == EventType::kContactWrapped) {
      e.agent = task.worker;
    }
    return e;
  }

  bool callback() {
    if (!has(Param::kEventType)) {
      return fail(RejectReason::kMissingField, "EventType");
    }
    std::int64_t ts = 0;
    if (!timestamp(ts)) {
      return false;
    }
    const std::string_view type = get(Param::kEventType);
    if (type.starts_with("worker.")) {
      return workerEvent(type, ts);
    }
    const bool taskEvent =
        type.starts_with("task.") || type.starts_with("task-queue.") || type.starts_with("reservation.");
    if (!taskEvent) {
      return true;  // activity.*, workflow.*, workspace events: nothing to count
    }
    if (!has(Param::kTaskSid)) {
      return fail(RejectReason::kMissingField, "TaskSid");
    }
    const std::string_view taskSid = get(Param::kTaskSid);
    if (taskSid.size() > kMaxIdLength) {
      return fail(RejectReason::kFieldTooLong, "TaskSid");
    }
    const std::uint64_t key = hashKey(taskSid);

    if (type == "task-queue.entered") {
      std::string_view queue = get(Param::kTaskQueueName);
      if (queue.empty()) {
        queue = defaults_.queueName(get(Param::kTaskQueueSid));
      }
      if (queue.empty()) {
        return fail(RejectReason::kMissingField, "TaskQueueSid");
      }
      Id queueId;
      Channel channel = Channel::kVoice;
      if (!queueId.assign(queue)) {
        return fail(RejectReason::kFieldTooLong, has(Param::kTaskQueueName) ? "TaskQueueName" : "TaskQueueSid");
      }
      if (!channelOf(channel)) {
        return false;
      }
      bool inserted = false;
      TaskEntry& task = tasks_.findOrInsert(key, inserted);
      task.queue = queueId;
      task.channel = channel;
      // Entering another queue (a workflow step, a transfer) is queued again there; the engine
      // moves the waiting contact or counts the transfer.
      task.done = static_cast<std::uint8_t>((task.done & kAnswered) | kQueued);
      emitContact(EventType::kContactQueued, ts, task, taskSid);
      return true;
    }

    TaskEntry* task = tasks_.find(key);
    if (task == nullptr) {
      return true;  // a task never seen entering a queue (or already finished): nothing to count
    }
    const bool waiting = (task->done & (kAnswered | kLeft)) == 0;
    if (type == "reservation.accepted") {
      if (!waiting) {
        return true;  // a second reservation (transfer to a worker): the contact stays answered
      }
      if (!workerName(task->worker)) {
        return false;
      }
      task->done |= kAnswered;
      emitContact(EventType::kContactAnswered, ts, *task, taskSid);
    } else if (type == "task-queue.timeout") {
      if (waiting) {
        emitContact(EventType::kContactDequeued, ts, *task, taskSid).dequeueReason = DequeueReason::kTimeout;
        task->done |= kLeft;
      }
    } else if (type == "task.canceled") {
      if (waiting) {
        // Canceled while waiting: the caller hung up, unless TaskRouter's TTL expired it.
        const std::string_view why = get(Param::kTaskCanceledReason);
        const bool expired = why.find("TTL") != std::string_view::npos || why.find("imeout") != std::string_view::npos;
        Event& e =
            emitContact(expired ? EventType::kContactDequeued : EventType::kContactAbandoned, ts, *task, taskSid);
        e.dequeueReason = DequeueReason::kTimeout;
      }
      tasks_.erase(key);
    } else if (type == "task.wrapup") {
      if ((task->done & kAnswered) != 0 && (task->done & kEnded) == 0) {
        emitContact(EventType::kContactEnded, ts, *task, taskSid);
        task->done |= kEnded;
      }
    } else if (type == "task.completed" || type == "task.deleted") {
      if ((task->done & kAnswered) != 0) {
        emitContact(EventType::kContactWrapped, ts, *task, taskSid);
      } else if (waiting) {
        emitContact(EventType::kContactDequeued, ts, *task, taskSid).dequeueReason = DequeueReason::kOther;
      }
      tasks_.erase(key);
    }
    return true;
  }

  // Worker activities are named by the workspace: "Available"/"Idle" -> available, "Offline" ->
  // logged out, anything else -> aux with the activity name as reason. TaskRouter does not say
  // which queues a worker serves, so agent.login uses the source's `agent_queues`.
  bool workerEvent(std::string_view type, std::int64_t ts) {
    Id agent;
    if (!workerName(agent)) {
      return false;
    }
    const std::uint64_t key = hashKey(agent.view());
    const bool deleted = type == "worker.deleted";
    if (type != "worker.activity.update" && !deleted) {
      return true;
    }
    const std::string_view activity = get(Param::kWorkerActivityName);
    if (!deleted && activity.empty()) {
      return fail(RejectReason::kMissingField, "WorkerActivityName");
    }
    WorkerEntry* known = workers_.find(key);
    if (deleted || vendor::equalsIgnoreCase(activity, "offline")) {
      if (known != nullptr) {
        Event& e = pending_.next();
        defaults_.start(e, EventType::kAgentLogout, ts);
        e.agent = agent;
        workers_.erase(key);
      }
      return true;
    }
    AgentStateKind state = AgentStateKind::kAux;
    Tag reason;
    if (vendor::equalsIgnoreCase(activity, "available") || vendor::equalsIgnoreCase(activity, "idle")) {
      state = AgentStateKind::kAvailable;
    } else {
      vendor::assignReason(reason, activity);
    }
    bool inserted = false;
    WorkerEntry& entry = known != nullptr ? *known : workers_.findOrInsert(key, inserted);
    if (inserted) {
      Event& e = pending_.next();
      defaults_.start(e, EventType::kAgentLogin, ts);
      e.agent = agent;
      defaults_.fillDefaultQueues(e);
      entry.state = AgentStateKind::kAvailable;
    }
    if (inserted ? state != AgentStateKind::kAvailable
                 : (entry.state != state || entry.reason.view() != reason.view())) {
      Event& e = pending_.next();
      defaults_.start(e, EventType::kAgentState, ts);
      e.agent = agent;
      e.agentState = state;
      e.reason = reason;
    }
    entry.state = state;
    entry.reason = reason;
    return true;
  }

  vendor::Defaults defaults_;
  std::size_t maxFrameBytes_;
  simdjson::dom::parser parser_;
  std::string scratch_;
  std::array<std::string_view, kParamCount> params_{};
  std::uint32_t present_ = 0;
  vendor::Pending pending_;
  vendor::BoundedTable<TaskEntry> tasks_;
  vendor::BoundedTable<WorkerEntry> workers_;
  vendor::RejectNote reject_;
};

}  // namespace

std::unique_ptr<FrameDecoder> makeTwilioTaskRouterDecoder(const SourceSettings& settings, AdapterCapacity capacity) {
  return std::make_unique<TwilioTaskRouterDecoder>(settings, capacity);
}

}  // namespace ccpulse
