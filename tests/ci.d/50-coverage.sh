#!/usr/bin/env bash
# Line and branch coverage of src/ over every run (ctest, each profile,
# the /proc environments, the real filesystems), merged with lcov: a
# separate -O0 --coverage build in $PS_BUILD-coverage.  Fails below 90% of
# lines or 85% of branches.  The HTML report of the same runs:
#   cmake --build $PS_BUILD-coverage --target coverage-html
set -euo pipefail
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
build=$PS_BUILD-coverage
# -u __gcov_dump: pst_as_nobody's children save their counts with it.
cmake -S "$PS_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_COMPILER=gcc -DCMAKE_C_FLAGS="--coverage -O0" \
	-DCMAKE_EXE_LINKER_FLAGS="-Wl,-u,__gcov_dump" >/dev/null
cmake --build "$build" >/dev/null
exec bash "$PS_ROOT/tests/matrix/coverage.sh" "$build"
