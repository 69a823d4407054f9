#!/usr/bin/env bash
# Builds everything warning-free (-Werror) with gcc, the stages' build;
# again with clang; and the library alone with musl-gcc, without cmocka.
set -euo pipefail
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
cmake -S "$PS_ROOT" -B "$PS_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER=gcc >/dev/null
cmake --build "$PS_BUILD"
echo "gcc: built"
cmake -S "$PS_ROOT" -B "$PS_BUILD-clang" -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$PS_BUILD-clang"
echo "clang: built"
if command -v musl-gcc >/dev/null; then
	cmake -S "$PS_ROOT" -B "$PS_BUILD-musl" -DCMAKE_C_COMPILER=musl-gcc \
		-DBUILD_TESTING=OFF >/dev/null
	cmake --build "$PS_BUILD-musl"
	echo "musl-gcc: library built without cmocka"
fi
