// The command line: the input split at newlines (and NULs, which argv cannot hold) into
// arguments after argv[0] = "mesaflow", then parse_cli. It returns "" or an error; an
// accepted train/theory/sweep command carries configs that pass validate and counts in range;
// an accepted merge has parts, and only merge takes file arguments.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "options.hpp"

namespace {
// A refusal is worded for a person: it says something, and the command line's text of it is printable.
void require_text(const mesaflow::Problem& p) {
  const std::string t = mesaflow::cli_text(p);
  mesaflow::fuzz::require(!p.message.empty() && t.size() < 600, "empty or runaway problem text:", t.substr(0, 200));
  for (unsigned char ch : t) mesaflow::fuzz::require(ch >= 32 && ch < 127, "unprintable problem text:", t.substr(0, 200));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mesaflow;
  const std::string in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args = {"mesaflow"};
  std::size_t start = 0;
  while (start < in.size()) {
    std::size_t end = in.find_first_of(std::string("\n\0", 2), start);
    if (end == std::string::npos) end = in.size();
    args.push_back(in.substr(start, end - start));
    start = end + 1;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);  // as main() gets it

  CliOptions o;
  const Problem err = parse_cli(static_cast<int>(args.size()), argv.data(), o);
  if (err) {
    require_text(err);
    return 0;
  }
  if (o.command == "help" || o.command == "version") return 0;
  if (o.command == "merge") {  // only the parts' files: no option goes with merge
    fuzz::require(!o.files.empty(), "merge accepted without parts");
    return 0;
  }
  fuzz::require(o.command == "train" || o.command == "theory" || o.command == "sweep", "accepted an unknown command:",
                o.command);
  fuzz::require(o.files.empty(), "a command other than merge accepted file arguments");
  fuzz::check_validate(o.config);
  if (o.command == "sweep") {  // every run of the grid is a config set_field accepted
    const double runs = o.grid.size();
    fuzz::require(runs >= 1 && runs <= kMaxSweepRuns, "sweep grid size out of range");
    for (long i = 0; i < static_cast<long>(runs) && i < 64; ++i) fuzz::check_validate(o.grid.at(i));
    fuzz::check_validate(o.grid.at(static_cast<long>(runs) - 1));
  }
  fuzz::require(o.mesa_seqs >= 0 && o.mesa_seqs <= 100000, "--mesa-seqs out of range");
  fuzz::require(o.mc >= 0 && o.mc <= 100000000, "--mc out of range");
  if (o.command == "theory") fuzz::require(o.data.empty() && o.save_data.empty(), "theory accepted --data");
  return 0;
}
