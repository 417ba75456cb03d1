#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The two commands of the README:
#
#   tools/dev.sh demo   install what is missing, build, replay examples/demo.trace
#                       on the simulated Mali MMU (summary on stderr)
#   tools/dev.sh test   install what is missing, build, run every test:
#                       the suite, the suite under valgrind memcheck, the
#                       suite in an ASan/UBSan build and the unit tests
#                       (the threaded ones included) in a ThreadSanitizer
#                       build (both clang)
#
# Works on a fresh Debian 12 (as root, or with sudo).  Build trees go to
# build/, build-asan/ and build-tsan/ (override with GPUVM_BUILD_DIR,
# GPUVM_ASAN_DIR, GPUVM_TSAN_DIR).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
build=${GPUVM_BUILD_DIR:-build}
asan=${GPUVM_ASAN_DIR:-build-asan}
tsan=${GPUVM_TSAN_DIR:-build-tsan}

# Debian packages the build and the tests need.
packages=(meson ninja-build pkg-config gcc clang check libglib2.0-dev valgrind doxygen)

say() { printf '==> %s\n' "$*" >&2; }

install_missing() {
	local missing=() p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing: ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

configure() { # DIR [meson options...]
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
}

cmd_demo() {
	install_missing
	configure "$build"
	say "building"
	meson compile -C "$build" >/dev/null
	say "replaying examples/demo.trace on the simulated Mali MMU"
	"$build/tools/replay/gpuvm-replay" --mmu=sim examples/demo.trace
}

cmd_test() {
	install_missing
	configure "$build"
	say "building (gcc)"
	meson compile -C "$build"
	say "API docs (doxygen, warnings are errors)"
	meson compile -C "$build" docs
	say "test suite"
	meson test -C "$build" --print-errorlogs
	say "test suite under valgrind memcheck"
	meson test -C "$build" --setup=valgrind --print-errorlogs
	say "building with ASan/UBSan (clang)"
	CC=clang configure "$asan" -Db_sanitize=address,undefined -Db_lundef=false
	meson compile -C "$asan"
	say "test suite with ASan/UBSan"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$asan" --print-errorlogs
	say "building with ThreadSanitizer (clang)"
	CC=clang configure "$tsan" -Db_sanitize=thread -Db_lundef=false -Dbench=false
	meson compile -C "$tsan"
	say "unit tests with ThreadSanitizer"
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		meson test -C "$tsan" --suite unit --print-errorlogs
}

case "${1:-}" in
demo) cmd_demo ;;
test) cmd_test ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac
