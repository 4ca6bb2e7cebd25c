#include "mesaflow/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace mesaflow {

namespace {

std::string reason(int err) { return std::strerror(err); }

// write(2) until all n bytes are written (short writes and EINTR retried): 0 or errno.
int write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

}  // namespace

AtomicFile::AtomicFile(std::string target) : target_(std::move(target)) {
  if (target_.empty()) {
    error_ = "no file name given";
    return;
  }
  struct stat st{};
  if (::stat(target_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    error_ = "'" + target_ + "' is a directory";
    return;
  }
  if (::stat(target_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device or a pipe (/dev/full, /dev/stdout, a fifo) cannot be replaced by a rename: write it
    // in place, checking every return value.
    fd_ = ::open(target_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd_ < 0) fail("cannot open '" + target_ + "' for writing", errno);
    return;
  }
  temp_ = target_ + ".tmp-XXXXXX";
  std::vector<char> name(temp_.begin(), temp_.end());
  name.push_back('\0');
  fd_ = ::mkstemp(name.data());
  if (fd_ < 0) {
    const int err = errno;
    temp_.clear();
    fail("cannot create a file beside '" + target_ + "'", err);
    return;
  }
  temp_ = name.data();
  ::fchmod(fd_, 0644 & ~[] { const mode_t m = ::umask(0); ::umask(m); return m; }());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!done_ && !temp_.empty()) ::unlink(temp_.c_str());
}

bool AtomicFile::fail(const std::string& what, int err) {
  if (error_.empty()) error_ = what + ": " + reason(err);
  return false;
}

bool AtomicFile::write(const void* data, std::size_t n) {
  if (!error_.empty() || fd_ < 0) return false;
  if (const int err = write_all(fd_, static_cast<const char*>(data), n))
    return fail("could not write '" + target_ + "'", err);
  return true;
}

bool AtomicFile::commit() {
  if (!error_.empty() || fd_ < 0) return false;
  if (temp_.empty()) {  // a device written in place: nothing to rename, fsync where it applies
    const int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP) {
      const int err = errno;
      ::close(fd);
      return fail("could not write '" + target_ + "'", err);
    }
    if (::close(fd) != 0) return fail("could not write '" + target_ + "'", errno);
    done_ = true;
    return true;
  }
  if (::fsync(fd_) != 0) return fail("could not write '" + target_ + "'", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return fail("could not write '" + target_ + "'", errno);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) return fail("could not replace '" + target_ + "'", errno);
  done_ = true;
  // The directory entry too, so the new name survives a crash (best effort: some file systems
  // refuse fsync on a directory).
  const auto slash = target_.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : target_.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

std::string write_file_atomic(const std::string& path, const std::string& text) {
  AtomicFile f(path);
  if (!f.write(text) || !f.commit()) return f.error();
  return "";
}

std::string append_line(int fd, const std::string& path, const std::string& text) {
  std::string line = text;
  line += '\n';
  if (const int err = write_all(fd, line.data(), line.size())) return "could not write '" + path + "': " + reason(err);
  if (::fdatasync(fd) != 0 && errno != EINVAL && errno != EROFS)
    return "could not write '" + path + "': " + reason(errno);
  return "";
}

}  // namespace mesaflow
