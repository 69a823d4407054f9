#!/usr/bin/env bash
# The unit tests on real filesystems, loop images made and removed here:
# tmpfs, ext4, xfs (also under no-tmpfile) and btrfs (reflink; also under
# no-copy-accel).  Without root or a private mount namespace, all of it is
# skipped; without loop devices, all but tmpfs.  See tests/matrix/realfs.sh.
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
exec bash "$PS_ROOT/tests/matrix/realfs.sh" "$PS_BUILD"
