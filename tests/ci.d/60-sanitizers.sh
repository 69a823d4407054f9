#!/usr/bin/env bash
# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc: its runtime also serves the shared library built with
# -Wl,--no-undefined), natively and under the profiles that change the
# most routes; then once under valgrind with fd tracking, on the stages'
# build.  A separate build in $PS_BUILD-asan.
set -uo pipefail
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
build=$PS_BUILD-asan
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cmake -S "$PS_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_COMPILER=gcc \
	-DCMAKE_C_FLAGS="$san -fno-omit-frame-pointer -O1" \
	-DCMAKE_EXE_LINKER_FLAGS="$san" -DCMAKE_SHARED_LINKER_FLAGS="$san" \
	>/dev/null || exit 1
cmake --build "$build" >/dev/null || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
echo "--- ASan+UBSan"
bash "$PS_ROOT/tests/matrix/matrix.sh" "$build" --no-proc none \
	fchmodat2-enosys linkat-old link-denied,no-tmpfile \
	no-tmpfile,no-renameat2 no-copy-accel || failed=1
echo "--- valgrind"
if command -v valgrind >/dev/null; then
	bash "$PS_ROOT/tests/matrix/valgrind.sh" "$PS_BUILD" || failed=1
else
	echo "skipped: valgrind is not installed"
fi
echo "--- sanitizers"
echo "$((2 - failed)) passed, $failed failed"
exit $failed
