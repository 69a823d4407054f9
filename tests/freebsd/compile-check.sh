#!/usr/bin/env bash
# The FreeBSD build, compiled and linked on Linux (nothing here runs):
# clang for x86_64-unknown-freebsd13.5 against the real FreeBSD 13.5
# sysroot (its /usr/include, /lib/libc.so.7 and /usr/lib), found at
# ../shared/sysroots/freebsd-13.5 beside the clone (or $PS_FREEBSD_SYSROOT).
#  - every file of src/ and src/freebsd/ compiles with -Wall -Wextra
#    -Werror, alone and all as one translation unit, and includes nothing but the sysroot's headers, the public
#    header and the seam; src/freebsd/native.c's renameat2 branch too
#    (13.5 has none: an overlay adds its two declarations); the Linux
#    backend must not compile;
#  - the objects define every route of src/internal.h and hide every ps__
#    name; ld.lld --no-undefined links them with the version script
#    against libc.so.7 into a library that exports exactly the ps_* of
#    src/pathsafe.map and needs no libc symbol version newer than 13.0's;
#  - examples/*.c link against that library, pscp against the objects (it
#    shares the hidden copy engine, as it does the static library).
# Without the sysroot the stage says so and skips: the project's former
# stub of the headers was self-contained where the real sys/user.h is not,
# which hid an include-order bug, and fell behind the sources.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
overlay=tests/freebsd/overlay-renameat2
target=x86_64-unknown-freebsd13.5
cc=${PS_FREEBSD_CC:-$(command -v clang-14 || command -v clang || true)}
ld=$(command -v ld.lld-14 || command -v ld.lld || true)
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok    $*"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; shift; printf '      %s\n' "$@"; }
done_() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

if [ -z "$cc" ] || [ -z "$ld" ]; then
	bad "toolchain" "clang and ld.lld are needed (Debian: clang lld)"
	done_
fi

# The sysroot: beside this clone, or beside the main clone of a worktree.
common=$(git -C "$root" rev-parse --path-format=absolute \
    --git-common-dir 2>/dev/null)
sys=
for d in "${PS_FREEBSD_SYSROOT:-}" "$root/../shared/sysroots/freebsd-13.5" \
    ${common:+"$(dirname "$common")/../shared/sysroots/freebsd-13.5"}; do
	if [ -n "$d" ] && [ -f "$d/usr/include/sys/param.h" ] &&
	    [ -f "$d/lib/libc.so.7" ]; then
		sys=$(realpath "$d")
		break
	fi
done

if [ -z "$sys" ]; then
	echo "SKIP  no FreeBSD 13.5 sysroot: looked for" \
	    "../shared/sysroots/freebsd-13.5 beside $root" \
	    "${common:+and beside its main clone }(or set PS_FREEBSD_SYSROOT)"
	done_
fi
# The sysroot's symbolic links may arrive as small files holding their
# targets (fcntl.h reading "sys/fcntl.h"): a scratch overlay of real
# links, searched first, repairs them without writing there.
fix=$tmp/include-links
mkdir -p "$fix"
repaired=0
while IFS= read -r -d '' f; do
	t=$(cat "$f")
	case $t in '' | *[[:space:]]*) continue ;; esac
	[ -f "$(dirname "$f")/$t" ] || continue
	rel=${f#"$sys/usr/include/"}
	mkdir -p "$fix/$(dirname "$rel")"
	ln -s "$(realpath "$(dirname "$f")/$t")" "$fix/$rel"
	repaired=$((repaired + 1))
done < <(find "$sys/usr/include" -type f -size -256c -print0)
echo "FreeBSD 13.5 sysroot: $sys ($repaired flattened symlinks of its" \
    "include/ repaired in a scratch overlay)"
flags=(--target=$target --sysroot="$sys" -isystem "$fix" -Iinclude
	-std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
	-DPS__VERSION='"freebsd-check"' -O2)
lib_flags=("${flags[@]}" -fPIC -fvisibility=hidden)

# Headers may come only from the sysroot, the compiler's own (limits.h,
# stdarg.h, as FreeBSD's clang has them), the public header and the seam.
resdir=$(realpath "$("$cc" -print-resource-dir)/include")
foreign_deps() {
	tr -s ' \\\n' '\n' <"$1" | tail -n +3 | grep -v '^$' |
	    xargs realpath -m | while read -r h; do
		case $h in
		"$sys/usr/include/"* | "$resdir"/* | \
		    "$root/include/pathsafe/pathsafe.h" | \
		    "$root/src/internal.h" | "$root/src/freebsd/"*) ;;
		*) echo "${h#"$root/"}" ;;
		esac
	    done
}

# Two compilers at a time: "run NAME cmd..." leaves NAME.rc and NAME.err.
run() {
	local name=$1
	shift
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
	{ "$@" >"$name.err" 2>&1; echo $? >"$name.rc"; } &
}
failed() { wait; [ "$(cat "$1.rc")" != 0 ]; }
first_errors() { grep -m"${2:-3}" error: "$1.err"; }

srcs=(src/*.c src/freebsd/*.c)
for src in "${srcs[@]}"; do
	o=$tmp/$(echo "${src%.c}" | tr / _).o
	run "$o" "$cc" "${lib_flags[@]}" -MD -MF "$o.d" -c -o "$o" "$src"
done
# 13.5 has no renameat2 (16.0): its branch compiles with an overlay that
# adds the two declarations 16.0's headers make.
run "$tmp/overlay" "$cc" "${lib_flags[@]}" -isystem "$overlay" -include \
    "$overlay/renameat2.h" -fsyntax-only src/freebsd/native.c
# CMake makes one translation unit of them (UNITY_BUILD in CMakeLists.txt):
# the same static name in two files must fail here too, not on FreeBSD.
printf '#include "%s"\n' "${srcs[@]/#/$root/}" >"$tmp/unity.c"
run "$tmp/unity" "$cc" "${lib_flags[@]}" -fsyntax-only "$tmp/unity.c"
# The Linux backend needs Linux's headers: were it to compile here, the
# check would not tell the two backends apart.
for src in src/linux/*.c; do
	run "$tmp/$(basename "$src")" "$cc" "${lib_flags[@]}" -fsyntax-only \
	    "$src"
done
# Without -fvisibility=hidden: PS__HIDDEN itself must hide them.
for src in src/freebsd/*.c; do
	run "$tmp/vis-$(basename "$src" .c).o" "$cc" "${flags[@]}" -fPIC -c \
	    -o "$tmp/vis-$(basename "$src" .c).o" "$src"
done

objs=()
for src in "${srcs[@]}"; do
	o=$tmp/$(echo "${src%.c}" | tr / _).o
	if failed "$o"; then
		bad "$src" "$(first_errors "$o")"
	elif foreign=$(foreign_deps "$o.d"); [ -n "$foreign" ]; then
		bad "$src" "includes from outside the sysroot: $foreign"
	else
		ok "$src"
		objs+=("$o")
	fi
done

if ! failed "$tmp/overlay"; then
	ok "src/freebsd/native.c with renameat2 (overlay)"
else
	bad "src/freebsd/native.c with renameat2 (overlay)" \
	    "$(first_errors "$tmp/overlay")"
fi
if ! failed "$tmp/unity"; then
	ok "one translation unit of them all, as CMake builds it"
else
	bad "one translation unit of them all, as CMake builds it" \
	    "$(first_errors "$tmp/unity")"
fi
for src in src/linux/*.c; do
	if ! failed "$tmp/$(basename "$src")"; then
		bad "$src" "compiles for FreeBSD"
	else
		err=$(first_errors "$tmp/$(basename "$src")" 1)
		ok "$src: refused as expected (${err##*error: })"
	fi
done

[ "$fail" -eq 0 ] || done_

syms=$tmp/syms
for o in "$tmp"/vis-*.o; do
	readelf -sW "$o"
done | awk '$7 != "UND" && $5 == "GLOBAL" { print $6, $8 }' | sort -u >"$syms"
missing=$(grep -o 'ps__os_[a-z][a-z0-9_]*' src/internal.h | sort -u |
    while read -r f; do grep -qx "HIDDEN $f" "$syms" || echo "$f"; done)
if [ -z "$missing" ]; then
	ok "seam: src/freebsd defines every ps__os_* of src/internal.h"
else
	bad "seam: routes not defined by src/freebsd" $missing
fi
leaked=$(awk '$2 ~ /^ps__/ && $1 != "HIDDEN" { print $2 }' "$syms")
if [ -z "$leaked" ]; then
	ok "visibility: src/freebsd's $(grep -c ' ps__' "$syms") ps__" \
	    "symbols are hidden"
else
	bad "visibility: ps__ symbols not hidden" $leaked
fi

# The exports, whatever the link: exactly the ps_* of the version script.
check_exports() {
	local dyn exported want
	dyn=$(readelf --dyn-syms -W "$1")
	exported=$(echo "$dyn" | awk '$7 != "UND" && ($5 == "GLOBAL" ||
	    $5 == "WEAK") && $8 != "" { sub(/@.*/, "", $8); print $8 }' |
	    sort -u)
	want=$(grep -o '^[[:space:]]*ps_[a-z_]*;' src/pathsafe.map |
	    tr -d ' \t;' | sort)
	if [ "$exported" = "$want" ]; then
		ok "$2: exports exactly src/pathsafe.map" \
		    "($(echo "$want" | wc -l) names)"
	else
		bad "$2: exports differ from src/pathsafe.map (< map, > .so)" \
		    $(diff <(echo "$want") <(echo "$exported") | grep '^[<>]' |
		    tr ' ' _)
	fi
}

so=$tmp/libpathsafe.so.0
# As cc -shared links on FreeBSD: crti, crtbeginS, the objects, libc
# (libc.so is the script GROUP(libc.so.7 libc_nonshared.a)), the compiler
# runtime, crtendS, crtn.  Every symbol must resolve there.
ulib=$sys/usr/lib
libc=("$sys/lib/libc.so.7" "$ulib/libc_nonshared.a" "$ulib/libcompiler_rt.a")
if err=$("$ld" -shared --no-undefined -soname libpathsafe.so.0 \
    --version-script=src/pathsafe.map -o "$so" "$ulib/crti.o" \
    "$ulib/crtbeginS.o" "${objs[@]}" "${libc[@]}" "$ulib/crtendS.o" \
    "$ulib/crtn.o" 2>&1); then
	needed=$(readelf -dW "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
	    tr '\n' ' ')
	nlibc=$(readelf --dyn-syms -W "$so" | awk '$7 == "UND" && $8 != ""' |
	    wc -l)
	ok "ld.lld --no-undefined: libpathsafe.so.0 against libc.so.7" \
	    "($nlibc symbols from ${needed% })"
	# Symbol versions up to FBSD_1.6 are 13.0's, which every supported
	# kernel's libc has; a newer one may be missing on 13.1.
	vers=$(readelf -VW "$so" | sed -n 's/.*Name: \(FBSD_[0-9.]*\).*/\1/p' |
	    sort -uV)
	newer=$(echo "$vers" | awk -F. '$2 > 6')
	if [ -z "$newer" ]; then
		ok "libc.so.7 symbol versions: $(echo $vers | tr ' ' ,)" \
		    "(FBSD_1.6 is 13.0's)"
	else
		bad "libc.so.7 symbols newer than 13.0's (FBSD_1.6): check" \
		    "13.1 has them" $newer
	fi
	check_exports "$so" "libpathsafe.so.0"
else
	bad "ld.lld --no-undefined: libpathsafe.so.0 against libc.so.7" \
	    "$(echo "$err" | grep -m5 error:)"
fi

# The examples, as cc links a program on FreeBSD.  The sysroot has no
# Scrt1.o: a stand-in defines the two symbols libc.so.7 takes from it
# (environ, __progname), but no _start, so each is linked from main; all
# other symbols of the program and its libraries must resolve (ld.lld
# refuses any undefined one in an executable).
prog_flags=("${flags[@]}" -fPIE)
printf 'char **environ;\nconst char *__progname = "";\n' >"$tmp/crt1.c"
"$cc" "${prog_flags[@]}" -c -o "$tmp/crt1.o" "$tmp/crt1.c"
link_prog() {
	"$ld" -pie -e main --dynamic-linker /libexec/ld-elf.so.1 -o "$1" \
	    "$tmp/crt1.o" "$ulib/crti.o" "$ulib/crtbeginS.o" "${@:2}" \
	    "${libc[@]}" "$ulib/crtendS.o" "$ulib/crtn.o" 2>&1
}
for src in examples/*.c examples/pscp/*.c; do
	o=$tmp/ex-$(echo "${src%.c}" | tr / _).o
	run "$o" "$cc" "${prog_flags[@]}" -Isrc -c -o "$o" "$src"
done
for src in examples/*.c; do
	o=$tmp/ex-$(echo "${src%.c}" | tr / _).o
	if failed "$o"; then
		bad "$src" "$(first_errors "$o")"
	elif [ ! -f "$so" ]; then
		bad "$src: link" "no libpathsafe.so.0 to link against"
	elif ! err=$(link_prog "${o%.o}" "$o" "$so"); then
		bad "$src: link" "$(echo "$err" | grep -m5 error:)"
	else
		ok "$src: compiled, linked against libpathsafe.so.0"
	fi
done
pobjs=() perr=
for src in examples/pscp/*.c; do
	o=$tmp/ex-$(echo "${src%.c}" | tr / _).o
	if failed "$o"; then
		perr+="$src: $(first_errors "$o" 1)"$'\n'
	else
		pobjs+=("$o")
	fi
done
if [ -n "$perr" ]; then
	bad "examples/pscp: compile" "${perr%$'\n'}"
elif ! err=$(link_prog "$tmp/pscp" "${pobjs[@]}" "${objs[@]}"); then
	bad "examples/pscp: link" "$(echo "$err" | grep -m5 error:)"
else
	ok "examples/pscp: ${#pobjs[@]} files compiled, linked with the" \
	    "library's objects"
fi
done_
