// Config text: one "key=value" per line (no '=': an empty value, as for a bare flag) through
// set_field, then validate. Invariants in fuzz_support.hpp.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mesaflow;
  const std::string in(reinterpret_cast<const char*>(data), size);
  Config c;
  std::size_t start = 0;
  while (start <= in.size()) {
    std::size_t end = in.find('\n', start);
    if (end == std::string::npos) end = in.size();
    const std::string line = in.substr(start, end - start);
    const std::size_t eq = line.find('=');
    if (!line.empty())
      fuzz::checked_set_field(c, line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
    start = end + 1;
  }
  fuzz::check_validate(c);
  return 0;
}
