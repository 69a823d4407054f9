#!/bin/sh
# install-deps.sh [--build]: installs with apt-get (Debian 12, as root) what
# the whole test suite needs (the README's second command, and CI's), or
# with --build only what building needs (the README's first command).
# One package a line with what needs it: a new tool is one more line.
# Elsewhere than Debian, it prints the names and installs nothing.
set -eu
build='
cmake
make             # cmake generates Makefiles
gcc
libc6-dev        # gcc only recommends it: without it, no crt1.o
'
tests='
pkg-config       # tests/CMakeLists.txt finds cmocka and libseccomp with it
libcmocka-dev    # the unit tests
libseccomp-dev   # tests/emulate/ps-emulate
clang            # 10-build (-Werror), 70-freebsd
lld              # 70-freebsd links with ld.lld
libclang-rt-14-dev
libfuzzer-14-dev # 65-race: the libFuzzer target
musl-tools       # 10-build: the library with musl-gcc
lcov             # 50-coverage
valgrind         # 60-sanitizers
strace           # pscp -v tests, ps-emulate
doxygen          # 80-docs: the API reference
mandoc           # 80-docs, 50-pscp: mandoc -Tlint of every page
groff-base       # 80-docs, 50-pscp: groff -ww of every page
e2fsprogs        # 40-realfs, 50-pscp: ext4 images
xfsprogs         # 40-realfs, 50-pscp: xfs images (reflink)
btrfs-progs      # 40-realfs, 50-pscp: btrfs images (reflink)
acl              # 50-pscp: setfacl for the ACL cases against cp
'
list=$build
[ "${1-}" = --build ] || list="$build$tests"
pkgs=$(printf '%s\n' "$list" | sed 's/#.*//' | tr -s ' \n' '  ')
if ! command -v apt-get >/dev/null; then
	echo "install-deps.sh: no apt-get; the Debian packages needed:$pkgs" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: apt-get needs root (sudo $0 $*)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "apt-get install -y --no-install-recommends$pkgs"
apt-get update -q
# shellcheck disable=SC2086 # the list of packages
apt-get install -y -q --no-install-recommends $pkgs
