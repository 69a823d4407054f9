# shellcheck shell=bash
# Sourced by tests/run-all.sh and the stages in tests/ci.d: a stage run
# alone, with nothing set, works on this checkout and its build/ci, as
# under run-all.sh.  PS_ROOT: the checkout; PS_BUILD: the stages' build
# (10-build makes it, $PS_BUILD-clang and $PS_BUILD-musl).
: "${PS_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${PS_BUILD:=$PS_ROOT/build/ci}"
: "${MAKEFLAGS:=-j$(nproc)}"
export PS_ROOT PS_BUILD MAKEFLAGS
