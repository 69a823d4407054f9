#!/usr/bin/env bash
# The route matrix: every unit test under every ps-emulate profile and the
# combinations that change a route, each profile checked to assert the
# routes it forces; then the /proc environments (absent, fake, overmounted,
# another process's), in private mount namespaces, skipped where none can
# be made.  See tests/matrix/.
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
exec bash "$PS_ROOT/tests/matrix/matrix.sh" "$PS_BUILD"
