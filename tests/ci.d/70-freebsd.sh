#!/usr/bin/env bash
# The FreeBSD backend, compile-checked (FreeBSD cannot run here): clang
# for x86_64-unknown-freebsd14.0 against the stub sysroot, one line per
# file and check.
set -euo pipefail
exec "$PS_ROOT/tests/freebsd/compile-check.sh"
