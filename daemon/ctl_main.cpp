// ccpulsectl: operator and planner tools. Thin: find the subcommand, hand it the arguments.
#include <iostream>
#include <string_view>
#include <vector>

#include "ccpulse/ctl/commands.hpp"

namespace {

void usage(std::ostream& os) {
  os << "Usage: ccpulsectl COMMAND [options]   (ccpulsectl COMMAND --help for details)\n\nCommands:\n";
  for (const auto& c : ccpulse::ctl::commands()) {
    os << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout);
    return 0;
  }
  if (name == "--version") {
    std::cout << "ccpulsectl " << CCPULSE_VERSION << "\n";
    return 0;
  }
  std::vector<std::string_view> args(argv + 2, argv + argc);
  for (const auto& c : ccpulse::ctl::commands()) {
    if (c.name == name) {
      return c.run(args);
    }
  }
  std::cerr << "ccpulsectl: unknown command '" << name << "'\n";
  usage(std::cerr);
  return 2;
}
