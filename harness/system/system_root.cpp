#include "harness/system/system_root.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace fb::harness::system {

namespace fs = std::filesystem;

std::string FileRead::trimmed() const {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

SystemRoot::SystemRoot(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (root_.empty()) root_ = "/";
}

std::string SystemRoot::path(std::string_view relative) const {
  return root_ == "/" ? "/" + std::string(relative) : root_ + "/" + std::string(relative);
}

// Read with read(2) into a buffer, not with a stream: procfs and sysfs files report size 0, and
// a read error (EACCES, EIO) must be told apart from an empty file.
FileRead SystemRoot::read(std::string_view relative) const {
  FileRead r;
  const std::string p = path(relative);
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return r;
    r.state = FileRead::State::unreadable;
    r.error = std::strerror(err);
    return r;
  }
  std::array<char, 4096> buf{};
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n > 0) {
      r.text.append(buf.data(), static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.state = FileRead::State::unreadable;
      r.error = std::strerror(errno);
      r.text.clear();
      ::close(fd);
      return r;
    }
    break;
  }
  ::close(fd);
  r.state = FileRead::State::present;
  return r;
}

std::vector<std::string> SystemRoot::list(std::string_view relative_dir) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(path(relative_dir), ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool SystemRoot::exists(std::string_view relative) const {
  std::error_code ec;
  return fs::exists(path(relative), ec);
}

std::string SystemRoot::write(std::string_view relative, std::string_view value) const {
  const std::string p = path(relative);
  // O_TRUNC matters only for plain files (a fake tree); procfs and sysfs ignore it.
  const int fd = ::open(p.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  ssize_t n;
  do n = ::write(fd, value.data(), value.size());
  while (n < 0 && errno == EINTR);
  const int err = errno;
  const bool closed = ::close(fd) == 0;
  if (n < 0) return std::strerror(err);
  if (static_cast<std::size_t>(n) != value.size()) return "short write";
  if (!closed) return std::strerror(errno);
  return "";
}

}  // namespace fb::harness::system
