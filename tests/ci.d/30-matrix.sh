#!/usr/bin/env bash
# The route matrix: every unit test under every ps-emulate profile and the
# combinations that change a route, each profile checked to assert the
# routes it forces; then the /proc environments (absent, fake, overmounted,
# another process's), in private mount namespaces.  See tests/matrix/.
exec bash "$PS_ROOT/tests/matrix/matrix.sh" "$PS_BUILD"
