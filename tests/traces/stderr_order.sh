#!/bin/sh
# SPDX-License-Identifier: MIT
# stderr_order.sh REPLAY TRACE LINE [REPLAY ARGS...]: with stdout and stderr
# in one stream, the message naming trace line LINE comes after
# --annotate's echo of that line (the output buffer is flushed first).
replay=$1 trace=$2 line=$3
shift 3
out=$("$replay" --annotate "$@" "$trace" 2>&1)
echo_at=$(printf '%s\n' "$out" | grep -n "^# line $line: " | head -n 1 | cut -d: -f1)
err_at=$(printf '%s\n' "$out" | grep -n "^gpuvm-replay: .*:$line: " | head -n 1 | cut -d: -f1)
if [ -z "$echo_at" ] || [ -z "$err_at" ]; then
	printf '%s\n' "$out"
	echo "stderr_order: no echo or no message for line $line" >&2
	exit 1
fi
if [ "$err_at" -lt "$echo_at" ]; then
	printf '%s\n' "$out"
	echo "stderr_order: the message for line $line comes before its echo" >&2
	exit 1
fi
exit 0
