// JSON documents (schema in core/cli/README.md) are nlohmann::ordered_json values: each struct has a
// to_json beside it (found by argument-dependent lookup: Json j = theory;), and the CLI, the
// sweep and the JS binding all serialise through them. Keys keep the order they are written in.
// Numbers: a double that is a whole number (|v| < 2^53) is written as an integer, others as the
// shortest text that reads back to the same double; a non-finite number as null.
#pragma once
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mesaflow {

using Json = nlohmann::ordered_json;

Json number(double v);
Json numbers(const std::vector<double>& v);

}  // namespace mesaflow
