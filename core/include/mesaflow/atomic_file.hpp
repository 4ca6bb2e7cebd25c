// The one writer of every file mesaflow writes (--out, --save-data, merge's output): the bytes go
// to a temporary file beside the target (same directory, so the rename cannot cross file systems),
// every return value is checked, and commit() flushes, fsyncs, closes and renames it over the
// target. On any failure the target is left as it was, the temporary is removed, and the error
// names the file and the reason ("'/dev/full': No space left on device").
#pragma once
#include <cstddef>
#include <string>

namespace mesaflow {

class AtomicFile {
 public:
  explicit AtomicFile(std::string target);  // creates the temporary; error() says if it could not
  ~AtomicFile();                            // removes the temporary unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends n bytes; false (and error() set) once anything failed.
  bool write(const void* data, std::size_t n);
  bool write(const std::string& s) { return write(s.data(), s.size()); }
  // Flush, fsync, close, rename over the target; false with error() set on failure.
  bool commit();
  const std::string& error() const { return error_; }

 private:
  bool fail(const std::string& what, int err);
  std::string target_, temp_, error_;
  int fd_ = -1;
  bool done_ = false;
};

// Writes text to path through AtomicFile: "" or the error naming the file.
std::string write_file_atomic(const std::string& path, const std::string& text);

// Appends one whole line (text and '\n') to an open descriptor and fdatasyncs it: "" or the error.
std::string append_line(int fd, const std::string& path, const std::string& text);

}  // namespace mesaflow
