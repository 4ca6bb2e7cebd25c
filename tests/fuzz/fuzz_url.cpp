// URL state: the page reads "?key=value&key=value" with URLSearchParams (site/js/model/config-text.js) and
// every value reaches the core as text through set_field (wasm/convert.cpp). There is no C++
// URL parser, so this target decodes the query the way URLSearchParams does
// (application/x-www-form-urlencoded: '&' pairs, first '=', '+' is a space, %XX bytes) and
// feeds the decoded pairs to set_field, then validate with the browser's budget.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"

namespace {

int hex(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

// A '%' not followed by two hex digits stays as it is (as in the URL standard).
std::string form_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else out += s[i];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mesaflow;
  std::string query(reinterpret_cast<const char*>(data), size);
  if (!query.empty() && query[0] == '?') query.erase(0, 1);
  Config c;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string key = form_decode(pair.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : form_decode(pair.substr(eq + 1));
    if (key == "t") key = "T";  // HTML lower-cases attribute names; config-text.js maps t back to T
    fuzz::checked_set_field(c, key, value);
  }
  fuzz::check_validate(c);
  return 0;
}
