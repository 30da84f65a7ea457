// Writing output files so that a reader never sees half of one: write a temporary file in the
// same directory, flush it to disk, rename it over the target.
#pragma once

#include <stdexcept>
#include <string>

namespace fb::harness {

class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws OutputError naming the path and the reason; the target is untouched on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// Before anything is measured: the directory `path` is to be written into exists. Throws
// UsageError "FLAG PATH: directory DIR does not exist" otherwise; an empty path (no output asked
// for) passes.
void require_output_directory(const std::string& flag, const std::string& path);

}  // namespace fb::harness
