#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The two commands of the README:
#
#   tools/dev.sh demo   install what is missing, build, replay examples/demo.trace
#                       on the simulated Mali MMU (summary on stderr)
#   tools/dev.sh test   install what is missing, build (warnings are
#                       errors), run every test: the suite (with the
#                       install-and-consume test), the suite under valgrind memcheck, the
#                       suite in a gcc coverage build (gcovr prints the line
#                       and branch coverage of src/ per file and fails below
#                       COV_MIN_LINE/COV_MIN_BRANCH percent; HTML report in
#                       build-cov/coverage/index.html), the suite in an
#                       ASan/UBSan build and the unit tests (the threaded
#                       ones included) in a ThreadSanitizer build (both
#                       clang)
#
# Works on a fresh Debian 12 (as root, or with sudo).  Build trees go to
# build/, build-cov/, build-asan/ and build-tsan/ (override with
# GPUVM_BUILD_DIR, GPUVM_COV_DIR, GPUVM_ASAN_DIR, GPUVM_TSAN_DIR).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
build=${GPUVM_BUILD_DIR:-build}
asan=${GPUVM_ASAN_DIR:-build-asan}
tsan=${GPUVM_TSAN_DIR:-build-tsan}
cov=${GPUVM_COV_DIR:-build-cov}

# The coverage stage fails when src/ is covered less than this (percent).
COV_MIN_LINE=95
COV_MIN_BRANCH=85
# Requests per randomised test under coverage: the soak runs add time, not
# coverage.
COV_ITERATIONS=50

# Debian packages the build and the tests need.
packages=(meson ninja-build pkg-config gcc g++ make clang libclang-rt-14-dev check libglib2.0-dev
	valgrind doxygen gcovr)

# The demo needs only these: a C compiler and meson (the tools need libc
# only).
demo_packages=(meson ninja-build pkg-config gcc)

say() { printf '==> %s\n' "$*" >&2; }

install_missing() { # [PACKAGE...] (default: all of $packages)
	local missing=() p
	[ $# -gt 0 ] || set -- "${packages[@]}"
	for p in "$@"; do
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

# The demo: a build of the library and its tools alone (no test suite, so
# no check, valgrind, clang, doxygen or gcovr) in its own tree (build-demo/,
# or GPUVM_DEMO_DIR), then
#  1. examples/demo.trace on the simulated Mali MMU, annotated: each trace
#     line (a '#' line) followed by the ops the planner produced;
#  2. a realistic workload from gpuvm-gen-workload (a Vulkan-style driver,
#     a few thousand requests), replayed on the simulated Mali MMU with
#     every request checked through the GPU, its first requests shown, the
#     whole annotated output and an SVG of the final VA space written next
#     to it.
cmd_demo() {
	local dir=${GPUVM_DEMO_DIR:-build-demo}
	local replay gen out svg
	install_missing "${demo_packages[@]}"
	configure "$dir" -Dtests=false -Dbench=false
	say "building in $dir/ (the library and its tools)"
	meson compile -C "$dir" >/dev/null
	replay=$dir/tools/replay/gpuvm-replay
	gen=$dir/tools/gen/gpuvm-gen-workload

	say "1. examples/demo.trace on the simulated Mali MMU (--mmu=sim --annotate):"
	say "   each '# line N:' is a trace command; below it, the ops the planner"
	say "   produced for it (map / remap / unmap) and 'ok' or 'error NAME';"
	say "   'dump' lists the VAs; the MMU summary comes last (stderr)"
	"$replay" --mmu=sim --annotate examples/demo.trace

	out=$dir/workload.out
	svg=$(cd "$dir" && pwd)/workload.svg
	say "2. a realistic workload: gpuvm-gen-workload --seed=1 --commands=3000"
	say "   (a Vulkan-style driver: VA from the top of a 48-bit space, buffers of"
	say "   4 KiB to 256 MiB created and destroyed, sparse resources with 64 KiB"
	say "   tiles bound and unbound), written to $dir/workload.trace"
	"$gen" --seed=1 --commands=3000 --explain --output="$dir/workload.trace"
	say "   replaying it on the simulated Mali MMU, every request checked through"
	say "   the GPU (summary below)"
	"$replay" --mmu=sim --annotate --svg="$svg" "$dir/workload.trace" >"$out"
	say "   its first requests (the trace's comments say what the driver did):"
	awk '/^# line/ { on = 1 } on && n++ < 24' "$out"
	say "   all $(grep -c '^# line' "$out") trace commands and their ops: $out"
	say "   the final VA space, drawn: $svg (open it in a web browser)"
}

# Build with gcc --coverage, run the suite, report on src/ and enforce the
# minimum line and branch coverage.
coverage() {
	say "building with coverage (gcc)"
	CC=gcc CXX=g++ configure "$cov" --werror -Dbuildtype=debug -Db_coverage=true -Dbench=false
	meson compile -C "$cov"
	find "$cov" -name '*.gcda' -delete
	say "test suite with coverage"
	GPUVM_TEST_ITERATIONS=$COV_ITERATIONS meson test -C "$cov" --no-suite install --print-errorlogs
	say "coverage of src/ (lines, then branches)"
	local data="$cov/coverage.json"
	mkdir -p "$cov/coverage"
	gcovr --root . --object-directory "$cov" --filter 'src/' \
		--exclude-unreachable-branches --exclude-throw-branches \
		--json "$data"
	gcovr --root . --add-tracefile "$data" --txt
	gcovr --root . --add-tracefile "$data" --branches --txt
	gcovr --root . --add-tracefile "$data" --print-summary \
		--html-details "$cov/coverage/index.html" \
		--fail-under-line "$COV_MIN_LINE" --fail-under-branch "$COV_MIN_BRANCH" ||
		{ say "coverage below ${COV_MIN_LINE}% of lines or ${COV_MIN_BRANCH}% of branches"; return 1; }
}

# Warnings are errors here (--werror), not in a packager's build.  The
# install-and-consume test (suite install) runs in the plain build only: it
# builds the library again by itself.
cmd_test() {
	install_missing
	configure "$build" --werror
	say "building (gcc)"
	meson compile -C "$build"
	say "API docs (doxygen, warnings are errors)"
	meson compile -C "$build" docs
	say "test suite"
	meson test -C "$build" --print-errorlogs
	say "test suite under valgrind memcheck"
	meson test -C "$build" --setup=valgrind --print-errorlogs
	coverage
	say "building with ASan/UBSan (clang)"
	CC=clang CXX=clang++ configure "$asan" --werror -Db_sanitize=address,undefined -Db_lundef=false
	meson compile -C "$asan"
	say "test suite with ASan/UBSan"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$asan" --no-suite install --print-errorlogs
	say "building with ThreadSanitizer (clang)"
	CC=clang CXX=clang++ configure "$tsan" --werror -Db_sanitize=thread -Db_lundef=false -Dbench=false
	meson compile -C "$tsan"
	say "unit tests and gpuvm-record (threads, fork) with ThreadSanitizer"
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		meson test -C "$tsan" --suite unit --suite record --print-errorlogs
}

case "${1:-}" in
demo) cmd_demo ;;
test) cmd_test ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac
