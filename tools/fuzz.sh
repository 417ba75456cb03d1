#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Run one of the libFuzzer targets of tests/fuzz (see docs/fuzzing.md).
#
#   tools/fuzz.sh TARGET SECONDS [merge]
#
# TARGET is planner, trace, mali or record.  Configures a clang build with
# -Dfuzzing=true in build-fuzz/ (override with GPUVM_FUZZ_DIR), builds
# fuzz-TARGET and runs it for SECONDS seconds in one process, starting from
# the committed corpus tests/fuzz/corpus/TARGET/; new inputs go to
# BUILD/runs/TARGET/corpus/, findings (crash-*, timeout-*, ...) to
# BUILD/runs/TARGET/.  At the end it prints the number of executions and
# the coverage reached.  With "merge", the committed corpus is then
# replaced by a minimal one (libFuzzer -merge=1) covering every edge both
# directories cover (edges only, -use_counters=0, which keeps the corpus
# small enough to run under valgrind in seconds).  Extra libFuzzer options can be given in FUZZ_ARGS.
#
# Exit status: 0 when the run ended without a finding, 1 when the fuzzer
# found something (the reproducer is in BUILD/runs/TARGET/), 2 for a usage
# or build error.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
build=${GPUVM_FUZZ_DIR:-build-fuzz}

usage() {
	echo "usage: $0 planner|trace|mali|record SECONDS [merge]" >&2
	exit 2
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
target=$1
seconds=$2
case "$target" in planner | trace | mali | record) ;; *) usage ;; esac
case "$seconds" in '' | *[!0-9]*) usage ;; esac
[ $# -lt 3 ] || [ "$3" = merge ] || usage

say() { printf '==> %s\n' "$*" >&2; }

# libFuzzer ships with clang's runtime libraries, a separate package on
# Debian that clang only recommends.
if ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' |
	clang -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
	echo "$0: clang cannot link libFuzzer (Debian: apt-get install libclang-rt-14-dev)" >&2
	exit 2
fi

if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" -Dfuzzing=true >/dev/null || exit 2
else
	CC=clang meson setup "$build" -Dfuzzing=true -Dbench=false >/dev/null || exit 2
fi
say "building fuzz-$target (clang, libFuzzer, ASan, UBSan)"
meson compile -C "$build" "tests/fuzz/fuzz-$target" >/dev/null || exit 2

bin=$top/$build/tests/fuzz/fuzz-$target
seeds=$top/tests/fuzz/corpus/$target
work=$top/$build/runs/$target
mkdir -p "$work/corpus"

# Per-target options: the planner and Mali inputs are short programs; the
# trace target has a dictionary of the trace language.
opts=(-max_total_time="$seconds" -print_final_stats=1 -timeout=30
      -artifact_prefix="$work/")
case "$target" in
planner) opts+=(-max_len=1024) ;;
mali) opts+=(-max_len=1200) ;;
trace) opts+=(-dict="$top/tests/fuzz/trace.dict") ;;
esac
# shellcheck disable=SC2206
extra=(${FUZZ_ARGS:-})

say "fuzzing $target for $seconds s (log: $work/fuzz.log)"
status=0
(cd "$work" && "$bin" "${opts[@]}" "${extra[@]}" corpus "$seeds") \
	>"$work/fuzz.log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
cov=$(grep -E '^#[0-9]+' "$work/fuzz.log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' || true)
echo "target:     $target"
echo "seconds:    $seconds"
echo "executions: ${execs:-unknown}"
echo "coverage:   ${cov:-unknown}"
if [ "$status" -ne 0 ]; then
	echo "finding:    yes (status $status); see $work/fuzz.log and:"
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$work"/slow-unit-*; do
		[ -e "$f" ] && echo "  $f"
	done
	exit 1
fi
echo "finding:    none"

if [ $# -eq 3 ]; then
	say "merging into a minimal tests/fuzz/corpus/$target"
	rm -rf "$work/merged"
	mkdir "$work/merged"
	(cd "$work" && "$bin" -merge=1 -use_counters=0 "${opts[@]:3}" merged "$seeds" corpus) \
		>"$work/merge.log" 2>&1 || exit 2
	rm -f "$seeds"/*
	cp "$work/merged"/* "$seeds"/
	echo "corpus:     $(find "$seeds" -type f | wc -l) files, $(du -sk "$seeds" | cut -f1) KiB"
fi
