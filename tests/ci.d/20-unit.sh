#!/usr/bin/env bash
# The unit tests and the install test (ctest), with gcc's and clang's
# builds.
set -euo pipefail
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
ctest --test-dir "$PS_BUILD" --output-on-failure
ctest --test-dir "$PS_BUILD-clang" --output-on-failure
