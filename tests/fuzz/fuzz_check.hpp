#pragma once
/// Invariant checks for the fuzz targets. A failed check must crash the process (that is how
/// libFuzzer and the ctest replay driver notice it), so this aborts instead of throwing, after
/// printing enough to understand the failure without a debugger. Usable from any thread.

#include <cstdio>
#include <cstdlib>

namespace ccpulse::fuzz {

[[noreturn]] inline void checkFailed(const char* file, int line, const char* condition) noexcept {
  std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ccpulse::fuzz

// A macro (not a function) so that the message names the failing expression and line.
#define CCPULSE_FUZZ_CHECK(condition)                               \
  do {                                                              \
    if (!(condition)) {                                             \
      ::ccpulse::fuzz::checkFailed(__FILE__, __LINE__, #condition); \
    }                                                               \
  } while (false)
