#!/usr/bin/env bash
# Stages an install (DESTDIR, as packagers do), then builds a consumer
# against it twice: through pkg-config and through find_package(pathsafe);
# then once more through pkg-config against an install moved by --prefix.
# Checks the SONAME, that only ps_* symbols are exported, and that the
# consumers run against the staged shared library.
set -euo pipefail
src=$1 build=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage cmake --install "$build" >/dev/null
pc=$(find "$stage" -name pathsafe.pc)
libdir=$(dirname "$(dirname "$pc")")
prefix=${libdir%/lib*}
mkdir "$stage/out"

soname=$(readelf -d "$libdir/libpathsafe.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libpathsafe.so.0 ] || { echo "SONAME is '$soname'"; exit 1; }
stray=$(nm -D --defined-only "$libdir/libpathsafe.so" | awk '$2 == "T" && $3 !~ /^ps_[a-z]/')
[ -z "$stray" ] || { echo "exported beyond ps_*: $stray"; exit 1; }
[ -f "$libdir/libpathsafe.a" ] || { echo "no static library"; exit 1; }

export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$stage
cc -Wall -Wextra -Werror "$src/tests/install/consumer.c" \
	$(pkg-config --cflags --libs pathsafe) -o "$stage/consumer-pc"
LD_LIBRARY_PATH=$libdir "$stage/consumer-pc" "$stage/out" pc.txt
ldd_out=$(LD_LIBRARY_PATH=$libdir ldd "$stage/consumer-pc")
grep -q "libpathsafe.so.0 => $libdir" <<<"$ldd_out" ||
	{ echo "not linked to the staged library: $ldd_out"; exit 1; }

cmake -S "$src/tests/install" -B "$stage/cmake" \
	-DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$stage/cmake" >/dev/null
LD_LIBRARY_PATH=$libdir "$stage/cmake/consumer" "$stage/out" cmake.txt
[ "$(cat "$stage/out/pc.txt" "$stage/out/cmake.txt")" = "installed
installed" ] || { echo "consumers published the wrong content"; exit 1; }

# An install placed with --prefix: pathsafe.pc finds itself, no sysroot.
cmake --install "$build" --prefix "$stage/moved" >/dev/null
unset PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_PATH=$(dirname "$(find "$stage/moved" -name pathsafe.pc)")
# Its -L goes into consumers' RUNPATH as written: normalised.
L=$(pkg-config --libs-only-L pathsafe | xargs)
[ "${L#-L}" = "$(realpath -m "$stage/moved")/lib" ] ||
	{ echo "pathsafe.pc's -L is not normalised: $L"; exit 1; }
cc -Wall -Wextra -Werror "$src/tests/install/consumer.c" \
	$(pkg-config --cflags --libs pathsafe) -o "$stage/consumer-moved"
LD_LIBRARY_PATH=$(pkg-config --variable=libdir pathsafe) \
	"$stage/consumer-moved" "$stage/out" moved.txt
[ "$(cat "$stage/out/moved.txt")" = installed ] ||
	{ echo "the moved install's consumer published the wrong content"; exit 1; }
echo "install consumer: pkg-config (staged and moved) and find_package work"
