#!/usr/bin/env bash
# The FreeBSD backend compiled and linked (FreeBSD cannot run here):
# clang for x86_64-unknown-freebsd13.5 against the real 13.5 sysroot in
# ../shared/sysroots, ld.lld --no-undefined against its libc.so.7, the
# examples and pscp linked too; one line per file and check.  Skips where
# the sysroot is absent.
set -euo pipefail
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
exec "$PS_ROOT/tests/freebsd/compile-check.sh"
