// The one number grammar of mesaflow (CLI options, sweep values and ranges, magnitude laws, URL
// keys and attributes; site/js has the same grammar): a decimal with an optional exponent,
//   ^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$
// so "5", "-0.5", "5.", ".5", "1e-3", "2E+4" are numbers and "0x10", "+5", " 5", "5 ", "inf",
// "nan", "1e", "." and "" are not. Integer fields take a number of this grammar whose value is
// whole ("1e3" = 1000). Underflow to a subnormal or zero is accepted (as JavaScript's Number()).
#pragma once
#include <string>

namespace mesaflow {

// Whether text matches the grammar above (at most 64 characters).
bool is_decimal_number(const std::string& text);

// The value of text when it matches the grammar and is finite; false otherwise (v unspecified).
bool parse_decimal(const std::string& text, double& v);

}  // namespace mesaflow
