#include "harness/results/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "harness/cli/exit_codes.h"

namespace fb::harness {

namespace {

std::filesystem::path directory_of(const std::string& path) {
  const std::filesystem::path target(path);
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

}  // namespace

void require_output_directory(const std::string& flag, const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path dir = directory_of(path);
  if (!std::filesystem::is_directory(dir)) {
    throw UsageError(flag + " " + path + ": directory " + dir.string() + " does not exist");
  }
}

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = directory_of(path);
  if (!fs::is_directory(dir)) throw OutputError(path + ": directory " + dir.string() + " does not exist");
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw OutputError(path + ": cannot create a temporary file: " + std::strerror(errno));
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw OutputError(path + ": write failed: " + std::strerror(err));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot flush: " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot rename into place: " + std::strerror(err));
  }
}

}  // namespace fb::harness
