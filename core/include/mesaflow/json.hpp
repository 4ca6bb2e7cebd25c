// A small JSON writer (no dependency): objects, arrays, numbers with 17 significant digits,
// non-finite numbers as null.
#pragma once
#include <string>
#include <vector>

namespace mesaflow {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& k);
  JsonWriter& value(double v);
  JsonWriter& value(long long v);
  JsonWriter& value(int v) { return value(static_cast<long long>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& value(const std::string& v);
  JsonWriter& value(const char* v) { return value(std::string(v)); }
  JsonWriter& null();
  JsonWriter& array(const std::vector<double>& v);
  const std::string& str() const { return out_; }

 private:
  void comma();
  std::string out_;
  std::vector<bool> first_;  // one per open container
  bool after_key_ = false;
};

std::string json_escape(const std::string& s);

}  // namespace mesaflow
