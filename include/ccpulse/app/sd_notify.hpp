#pragma once
/// systemd service notifications (the sd_notify(3) datagram protocol) without linking libsystemd:
/// each call sends one AF_UNIX datagram to $NOTIFY_SOCKET ("/path" or "@abstract"). When the
/// variable is absent (not started by systemd with Type=notify, tests, a terminal) every call is
/// a no-op that returns false, so callers never need to check whether they run under systemd.
///
/// Thread-safety: every function may be called from any thread; each send uses its own socket.
/// They read the environment (getenv), so they must not race with setenv/unsetenv elsewhere.
///
/// Messages (exact text; fields are separated by '\n'):
///   notifyReady()            "READY=1"                 (or "READY=1\nSTATUS=<status>")
///   notifyReloading()        "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC µs>"
///   notifyStopping()         "STOPPING=1"
///   notifyWatchdog()         "WATCHDOG=1"
///   notifyStatus(text)       "STATUS=<text>"
/// A newline inside a status text would start a new field, so it is sent as a space.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ccpulse::sd {

/// Sends `message` verbatim. True when it was handed to the socket; false when $NOTIFY_SOCKET is
/// unset or empty, unusable (not absolute, not '@', too long) or the send failed. Never throws.
bool notify(std::string_view message) noexcept;

/// Startup (or a reload) finished; `status`, if not empty, becomes the unit's StatusText.
bool notifyReady(std::string_view status = {}) noexcept;
/// A configuration reload begins; finish it with notifyReady(). MONOTONIC_USEC lets systemd ≥ 253
/// (Type=notify-reload) match the reload to its request; older versions ignore it.
bool notifyReloading() noexcept;
/// Graceful shutdown begins.
bool notifyStopping() noexcept;
/// Watchdog keep-alive: send at least every watchdogInterval() / 2, and only while making progress.
bool notifyWatchdog() noexcept;
/// Free-form status line shown by `systemctl status`.
bool notifyStatus(std::string_view text) noexcept;

/// The service manager's watchdog timeout ($WATCHDOG_USEC), if one is set for this process:
/// nullopt when unset, zero, malformed, or when $WATCHDOG_PID names another process.
[[nodiscard]] std::optional<std::chrono::microseconds> watchdogInterval() noexcept;

/// "STATUS=<text>" with newlines replaced; exposed for tests.
[[nodiscard]] std::string statusField(std::string_view text);

}  // namespace ccpulse::sd
