#!/usr/bin/env bash
# The FreeBSD build, compile-checked on Linux: clang targets
# x86_64-unknown-freebsd14.0 with -nostdinc against the project's stub of
# FreeBSD 14.0's headers (tests/freebsd/sysroot).  Every portable file and
# every file of src/freebsd must compile with -Wall -Wextra -Werror and
# include nothing but the stub, the public header and the seam; the Linux
# backend must not compile there; the objects must define every route of
# src/internal.h, keep every ps__ name hidden, and link (ld.lld) into a
# library that exports exactly src/pathsafe.map.  Nothing here runs.
set -u
cd "$(dirname "$0")/../.."
sysroot=tests/freebsd/sysroot/include
cc=${PS_FREEBSD_CC:-$(command -v clang-14 || command -v clang || true)}
ld=$(command -v ld.lld-14 || command -v ld.lld || true)
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok    $*"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; shift; printf '      %s\n' "$@"; }

if [ -z "$cc" ] || [ -z "$ld" ]; then
	bad "toolchain" "clang and ld.lld are needed (Debian: clang lld)"
	echo "$pass passed, $fail failed"
	exit 1
fi
flags=(--target=x86_64-unknown-freebsd14.0 -nostdinc -isystem "$sysroot"
	-Iinclude -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
	-DPS__VERSION='"freebsd-check"' -fPIC -fvisibility=hidden -O2)

# Headers may come only from the stub, the public header and the seam.
foreign_deps() {
	tr -s ' \\\n' '\n' <"$1" | tail -n +3 | grep -v '^$' |
	    xargs realpath -m --relative-to=. | grep -v \
	    -e "^$sysroot/" -e '^include/pathsafe/pathsafe.h$' \
	    -e '^src/internal.h$' -e '^src/freebsd/'
}

objs=()
for src in src/*.c src/freebsd/*.c; do
	o=$tmp/$(echo "${src%.c}" | tr / _).o
	if ! err=$("$cc" "${flags[@]}" -MD -MF "$o.d" -c -o "$o" "$src" 2>&1)
	then
		bad "$src" "${err%%$'\n'*}"
	elif foreign=$(foreign_deps "$o.d"); [ -n "$foreign" ]; then
		bad "$src" "includes from outside the stub: $foreign"
	else
		ok "$src"
		objs+=("$o")
	fi
done

if err=$("$cc" "${flags[@]}" -fsyntax-only tests/freebsd/layout.c 2>&1)
then
	ok "tests/freebsd/layout.c: stub structures have FreeBSD's layout"
else
	bad "tests/freebsd/layout.c" "${err%%$'\n'*}"
fi

# FreeBSD 14.0's headers have no renameat2: its branch compiles with an
# overlay that adds the declarations.
overlay=tests/freebsd/overlay-renameat2
if err=$("$cc" "${flags[@]}" -isystem "$overlay" -include \
    "$overlay/renameat2.h" -fsyntax-only src/freebsd/native.c 2>&1); then
	ok "src/freebsd/native.c with renameat2 (overlay)"
else
	bad "src/freebsd/native.c with renameat2 (overlay)" "${err%%$'\n'*}"
fi

# The Linux backend needs Linux's headers: were it to compile here, the
# check would not tell the two backends apart.
for src in src/linux/*.c; do
	if err=$("$cc" "${flags[@]}" -fsyntax-only "$src" 2>&1); then
		bad "$src" "compiles against the FreeBSD stub"
	else
		err=${err%%$'\n'*}
		ok "$src: refused as expected (${err##*error: })"
	fi
done

if [ "$fail" -eq 0 ]; then
	syms=$tmp/syms
	# Without -fvisibility=hidden: PS__HIDDEN itself must hide them.
	for src in src/freebsd/*.c; do
		"$cc" "${flags[@]/-fvisibility=hidden}" -c -o "$tmp/vis.o" \
		    "$src" && readelf -sW "$tmp/vis.o"
	done | awk '$7 != "UND" && $5 == "GLOBAL" { print $6, $8 }' \
	    | sort -u >"$syms"
	missing=$(grep -o 'ps__os_[a-z][a-z_]*' src/internal.h | sort -u |
	    while read -r f; do
		grep -qx "HIDDEN $f" "$syms" || echo "$f"
	    done)
	if [ -z "$missing" ]; then
		ok "seam: src/freebsd defines every ps__os_* of src/internal.h"
	else
		bad "seam: routes not defined by src/freebsd" $missing
	fi
	leaked=$(awk '$2 ~ /^ps__/ && $1 != "HIDDEN" { print $2 }' "$syms")
	if [ -z "$leaked" ]; then
		ok "visibility: src/freebsd's $(grep -c ' ps__' "$syms")" \
		    "ps__ symbols are hidden"
	else
		bad "visibility: ps__ symbols not hidden" $leaked
	fi
	so=$tmp/libpathsafe.so
	if err=$("$ld" -shared -o "$so" --version-script=src/pathsafe.map \
	    "${objs[@]}" 2>&1); then
		dyn=$(readelf --dyn-syms -W "$so")
		exported=$(echo "$dyn" | awk '$7 != "UND" &&
		    $5 == "GLOBAL" { sub(/@.*/, "", $8); print $8 }' | sort)
		unresolved=$(echo "$dyn" | awk '$7 == "UND" && $8 ~ /^ps_/ {
		    print $8 }')
		want=$(grep -o '^[[:space:]]*ps_[a-z_]*;' src/pathsafe.map |
		    tr -d ' \t;' | sort)
		if [ -n "$unresolved" ]; then
			bad "ld.lld: library names left undefined" $unresolved
		elif [ "$exported" = "$want" ]; then
			ok "ld.lld: exports exactly src/pathsafe.map" \
			    "($(echo "$want" | wc -l) names)"
		else
			bad "ld.lld: exports differ from src/pathsafe.map" \
			    $(diff <(echo "$want") <(echo "$exported") |
			    grep '^[<>]')
		fi
	else
		bad "ld.lld: link of the FreeBSD objects" "${err%%$'\n'*}"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
