// Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without libFuzzer, so that every
// checked-in corpus runs as an ordinary test in any build (GCC included).
// Usage: fuzz_replay_<target> PATH...   (a directory means every regular file in it, sorted)
// Exit status: 0 when every input ran; 1 on a usage problem or when no input was found. A failed
// invariant aborts inside the target, which ctest reports as a failure naming the input below.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool readFile(const std::filesystem::path& path, std::vector<std::uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE|DIRECTORY...\n", argv[0]);
    return 1;
  }
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
        if (entry.is_regular_file()) {
          files.push_back(entry.path());
        }
      }
      // Sorted so that a failure reproduces in the same order on every machine.
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (std::filesystem::is_regular_file(path, error)) {
      inputs.push_back(path);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", path.c_str());
      return 1;
    }
  }
  // An empty corpus would make the test pass without testing anything.
  if (inputs.empty()) {
    std::fprintf(stderr, "no inputs found\n");
    return 1;
  }
  std::vector<std::uint8_t> data;
  for (const auto& input : inputs) {
    if (!readFile(input, data)) {
      std::fprintf(stderr, "%s: cannot read\n", input.c_str());
      return 1;
    }
    // Printed before running, so that an abort inside the target is attributed to its input.
    std::fprintf(stderr, "running %s (%zu bytes)\n", input.c_str(), data.size());
    // An empty vector's data() may be null; libFuzzer never passes null, so neither do we.
    static const std::uint8_t kEmpty = 0;
    LLVMFuzzerTestOneInput(data.empty() ? &kEmpty : data.data(), data.size());
  }
  std::fprintf(stderr, "ran %zu input(s)\n", inputs.size());
  return 0;
}
