#!/bin/sh
# SPDX-License-Identifier: MIT
# options_check.sh REPLAY TRACE: gpuvm-replay's command line, pinned:
# exit status and the exact message of each case, as the glib parser the
# tool used before gave them (long names whole, never abbreviated; a switch
# ignoring =VALUE; errors naming the whole argument; options and the trace
# in any order; "--" ending the options).
replay=$1 trace=$2
lq=$(printf '\342\200\234') rq=$(printf '\342\200\235')
tmp=${TMPDIR:-/tmp}/options_check.$$
failed=0

# expect STATUS STDERR ARG...: the run exits with STATUS and prints STDERR
# (one line, or nothing) on standard error.
expect() {
	want_status=$1 want_err=$2
	shift 2
	"$replay" "$@" > "$tmp.out" 2> "$tmp.err"
	status=$?
	err=$(cat "$tmp.err")
	if [ "$status" != "$want_status" ] || [ "$err" != "$want_err" ]; then
		echo "FAIL: gpuvm-replay $*"
		echo "  status $status (want $want_status), stderr: $err"
		echo "  wanted stderr: $want_err"
		failed=1
	fi
}

expect 0 "" "$trace"
expect 0 "" "$trace" -q
expect 0 "" -qca "$trace"
expect 0 "" --quiet=yes --check= "$trace"
expect 0 "" --mmu-verify-every 0x10 --mmu sim -q "$trace"
expect 0 "" --mmu-verify-every=" 7" --mmu=sim -q "$trace"
expect 0 "" "--=$trace"
expect 0 "" -V one two
expect 2 "gpuvm-replay: Unknown option --qui" --qui "$trace"
expect 2 "gpuvm-replay: Unknown option --he" --he
expect 2 "gpuvm-replay: Unknown option --help=1" --help=1
expect 2 "gpuvm-replay: Unknown option --foo=bar" --foo=bar
expect 2 "gpuvm-replay: Unknown option -qx" -qx "$trace"
expect 2 "gpuvm-replay: Unknown option -q=1" -q=1 "$trace"
expect 2 "gpuvm-replay: Unknown option ---quiet" ---quiet "$trace"
expect 2 "gpuvm-replay: Unknown option --mmu-v" --mmu-v 5 "$trace"
expect 2 "gpuvm-replay: Unknown option --foo" --foo --help
expect 2 "gpuvm-replay: Unknown option --foo" -V --foo
expect 2 "gpuvm-replay: Missing argument for --mmu" "$trace" --mmu
expect 2 "gpuvm-replay: Missing argument for --fail-alloc" --fail-alloc
expect 2 "gpuvm-replay: --mmu takes 'sim' or 'uio:NAME', not '--quiet'" --mmu --quiet "$trace"
expect 2 "gpuvm-replay: Cannot parse integer value ${lq}x${rq} for --fail-alloc" --fail-alloc=x "$trace"
expect 2 "gpuvm-replay: Cannot parse integer value ${lq}5 ${rq} for --mmu-verify-every" --mmu-verify-every "5 " "$trace"
expect 2 "gpuvm-replay: Integer value ${lq}2147483648${rq} for --mmu-verify-every out of range" --mmu-verify-every=2147483648 "$trace"
expect 2 "gpuvm-replay: --fail-alloc needs a positive number" --mmu=bogus --fail-alloc=-1
expect 2 "gpuvm-replay: -q: No such file or directory" -- -q
expect 2 "gpuvm-replay: one trace at a time (try --help)" "$trace" -- "$trace"

# --help (and -h, -?, --help-all) wherever it comes before an error: the
# usage on standard output, status 0.
for h in --help -h "-?" --help-all -qh; do
	expect 0 "" "$h" --foo
	# (no grep: under "meson test --setup=valgrind" its exit status is
	# valgrind's)
	case $(cat "$tmp.out") in
	*"
Application Options:
"*"
  --mmu-verify-every=K     --mmu: check the whole VM every K requests"*) ;;
	*)
		echo "FAIL: gpuvm-replay $h: no option list"
		failed=1
		;;
	esac
done
rm -f "$tmp.out" "$tmp.err"
exit $failed
