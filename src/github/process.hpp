// Runs a program without a shell and captures its standard output, with a deadline and an output
// cap. Used for `gh auth token`. Standard input and error are /dev/null.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret.hpp"
#include "base/time.hpp"

namespace ipfsa::github {

struct CapturedOutput {
  int exit_status = -1;  // exit code; -1 if killed by a signal
  SecretBytes output;    // stdout (may hold a secret, hence SecretBytes)
};

// argv[0] is looked up on PATH (execvp semantics). The child is killed (SIGKILL) and reaped when
// `deadline` passes. Errors: Error::not_found (program absent or not executable),
// Error::timeout (deadline), Error::too_large (more than max_output bytes on stdout),
// Error::io_failure (spawn/pipe failure).
Result<CapturedOutput> run_capture(const std::vector<std::string>& argv, Duration deadline,
                                   std::size_t max_output);

}  // namespace ipfsa::github
