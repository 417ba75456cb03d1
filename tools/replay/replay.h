/* SPDX-License-Identifier: MIT */
/*
 * The driver model of gpuvm-replay: owns the VM, the buffer objects and the
 * VA structures, plans each trace command with libgpuvm's op-list API and
 * applies the plan the way a kernel driver does.
 */
#ifndef GPUVM_REPLAY_REPLAY_H
#define GPUVM_REPLAY_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "trace_parse.h"

/** enum replay_status - outcome of a step; the values are exit statuses */
enum replay_status {
	/** @REPLAY_OK: go on (the command itself may have printed an error) */
	REPLAY_OK = 0,
	/** @REPLAY_TOOL_ERROR: malformed trace or I/O problem, reported */
	REPLAY_TOOL_ERROR = 2,
	/** @REPLAY_INTERNAL_ERROR: libgpuvm misbehaved (warning, leak, ...) */
	REPLAY_INTERNAL_ERROR = 3,
	/** @REPLAY_CHECK_FAILED: --mmu: a page-table check or the simulator failed */
	REPLAY_CHECK_FAILED = 4,
	/** @REPLAY_BACKEND_FAILED: --mmu: the backend could not apply a request */
	REPLAY_BACKEND_FAILED = 5,
};

/**
 * struct replay_options - behaviour switches
 * @quiet: do not print libgpuvm warnings (they still fail the run)
 * @check: run gpuvm_check() after every command
 * @mmu: --mmu backend (owned by the caller, closed after replay_destroy()),
 *	or NULL
 * @svg: where replay_destroy() draws the final VA space, or NULL
 * @no_pools: take every VA structure and BO record from the allocator on
 *	its own and give a VA back at once, instead of carving them from
 *	larger chunks and reusing freed VAs (--fail-alloc: every one is then
 *	an allocation that can fail)
 */
struct mmu_env;

struct replay_options {
	bool quiet;
	bool check;
	struct mmu_env *mmu;
	const char *svg;
	bool no_pools;
};

struct replay;

/**
 * replay_create() - start a replay session
 * @out: where the results go
 * @name: the trace's name for diagnostics
 * @opts: switches (copied)
 *
 * Returns: the session, or NULL when out of memory.
 */
struct replay *replay_create(FILE *out, const char *name,
			     const struct replay_options *opts);

/**
 * replay_exec() - run one trace line
 * @r: the session
 * @lineno: its line number, for diagnostics
 * @line: its tokens; an empty line does nothing
 *
 * Diagnostics go to stderr, prefixed with the trace name and @lineno.
 */
enum replay_status replay_exec(struct replay *r, unsigned long lineno,
			       const struct trace_line *line);

/**
 * replay_write() - add text of the caller's to the output, in order
 * @r: the session
 * @s: the bytes
 * @n: how many
 */
void replay_write(struct replay *r, const char *s, size_t n);

/**
 * replay_flush() - hand the output formatted so far to the output stream
 * @r: the session
 *
 * The session formats its output into a buffer of its own and writes it
 * to the stream in large blocks; call this before writing anything else
 * to that stream or to stderr (the session does it before its own
 * messages and the --mmu backend's, and in replay_destroy()).  It also
 * flushes the stream.
 */
void replay_flush(struct replay *r);

/**
 * replay_destroy() - tear everything down and free @r
 *
 * Drains the VM, drops the last VM reference and checks that the VM was
 * freed and that no reference on a buffer object is left.
 *
 * Returns: REPLAY_OK, or REPLAY_INTERNAL_ERROR if the library leaked a
 * reference or issued a warning during the session.
 */
enum replay_status replay_destroy(struct replay *r);

#endif
