// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay: run a VM_BIND trace through libgpuvm and print what the
 * planner did, in the exact format of shared/spec/trace-format.md.
 *
 * Exit status: 0 when the trace ran to its end (commands that the library
 * rejected print "error NAME" and count as success), 2 for a malformed trace,
 * a bad command line or an I/O error, 3 when libgpuvm itself misbehaved
 * (a warning, a leaked reference, an impossible error while applying).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <gpuvm/common.h>

#include "replay.h"
#include "trace_parse.h"

#ifndef GPUVM_REPLAY_VERSION
#define GPUVM_REPLAY_VERSION "unknown"
#endif

/* Results are many short lines: buffer them generously. */
static char stdout_buf[1 << 18];

static gboolean opt_quiet;
static gboolean opt_check;
static gboolean opt_version;
static gint opt_fail_alloc;
static gchar **opt_files;

static const GOptionEntry entries[] = {
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
	  "Do not print libgpuvm warnings on stderr (they still give exit status 3)",
	  NULL },
	{ "check", 'c', 0, G_OPTION_ARG_NONE, &opt_check,
	  "Run gpuvm_check() on the VM after every command", NULL },
	{ "fail-alloc", 0, 0, G_OPTION_ARG_INT, &opt_fail_alloc,
	  "Fail the N-th allocation (testing: the command hit prints error ENOMEM)",
	  "N" },
	{ "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version,
	  "Print the version and exit", NULL },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_files,
	  NULL, "[TRACE|-]" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/*
 * --fail-alloc: an allocator that fails exactly once, at the N-th call.
 * A command hit by the failure must print "error ENOMEM" and change nothing.
 */
struct fail_alloc {
	unsigned long calls;
	unsigned long fail_at;
};

static void *fail_alloc_zalloc(size_t size, void *priv)
{
	struct fail_alloc *fa = priv;

	if (++fa->calls == fa->fail_at)
		return NULL;
	return calloc(1, size);
}

static void fail_alloc_free(void *ptr, void *priv)
{
	(void)priv;
	free(ptr);
}

static int parse_options(int *argc, char ***argv)
{
	GOptionContext *ctx;
	GError *err = NULL;
	gboolean ok;

	ctx = g_option_context_new("- replay a VM_BIND trace through libgpuvm");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx,
		"Reads a trace (a file, or standard input when TRACE is '-' or missing),\n"
		"plans every command with libgpuvm, applies the plans as a driver would\n"
		"and prints the ops, the results and the dumps on standard output.");
	g_option_context_set_description(ctx,
		"Exit status: 0 when the whole trace ran; 2 for a malformed trace line,\n"
		"a bad command line or an I/O error; 3 when libgpuvm misbehaved\n"
		"(warning, leaked reference, failure while applying a plan).\n");
	ok = g_option_context_parse(ctx, argc, argv, &err);
	g_option_context_free(ctx);
	if (!ok) {
		fprintf(stderr, "gpuvm-replay: %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	if (opt_fail_alloc < 0) {
		fprintf(stderr, "gpuvm-replay: --fail-alloc needs a positive number\n");
		g_strfreev(opt_files);
		return -1;
	}
	return 0;
}

static int run(FILE *in, const char *name)
{
	struct replay_options opts = {
		.quiet = opt_quiet,
		.check = opt_check,
	};
	enum replay_status st = REPLAY_OK, end;
	struct fail_alloc fa = { .calls = 0, .fail_at = 0 };
	struct gpuvm_allocator alloc = {
		.zalloc = fail_alloc_zalloc,
		.free = fail_alloc_free,
		.priv = &fa,
	};
	struct trace_reader rd;
	struct trace_line line;
	struct replay *r;
	bool done = false;
	int err;

	if (opt_fail_alloc > 0) {
		fa.fail_at = (unsigned long)opt_fail_alloc;
		gpuvm_set_allocator(&alloc);
	}

	r = replay_create(stdout, name, &opts);
	if (!r) {
		fprintf(stderr, "gpuvm-replay: out of memory\n");
		return REPLAY_TOOL_ERROR;
	}

	trace_reader_init(&rd, in);
	while (!done && st == REPLAY_OK) {
		switch (trace_reader_next(&rd, &line)) {
		case TRACE_READ_LINE:
			st = replay_exec(r, rd.lineno, &line);
			break;
		case TRACE_READ_EOF:
			done = true;
			break;
		case TRACE_READ_NUL_BYTE:
			fflush(stdout);
			fprintf(stderr, "gpuvm-replay: %s:%lu: NUL byte in the line\n",
				name, rd.lineno);
			st = REPLAY_TOOL_ERROR;
			break;
		case TRACE_READ_NO_MEMORY:
			fflush(stdout);
			fprintf(stderr, "gpuvm-replay: %s:%lu: out of memory reading the line\n",
				name, rd.lineno + 1);
			st = REPLAY_TOOL_ERROR;
			break;
		case TRACE_READ_IO_ERROR:
		default:
			err = errno;
			fflush(stdout);
			fprintf(stderr, "gpuvm-replay: %s: read error: %s\n",
				name, strerror(err));
			st = REPLAY_TOOL_ERROR;
			break;
		}
	}
	trace_reader_release(&rd);

	/*
	 * After an internal error the VM may be inconsistent: do not touch it
	 * again.  Otherwise tear down cleanly, a malformed line included.
	 */
	if (st == REPLAY_INTERNAL_ERROR)
		return st;
	end = replay_destroy(r);
	gpuvm_set_allocator(NULL);
	return st != REPLAY_OK ? st : end;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	FILE *in;
	int status;

	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));

	if (parse_options(&argc, &argv))
		return REPLAY_TOOL_ERROR;

	if (opt_version) {
		g_strfreev(opt_files);
		printf("gpuvm-replay (libgpuvm) %s, trace format 1\n",
		       GPUVM_REPLAY_VERSION);
		return fflush(stdout) ? REPLAY_TOOL_ERROR : 0;
	}

	if (opt_files && opt_files[0]) {
		if (opt_files[1]) {
			fprintf(stderr, "gpuvm-replay: one trace at a time (try --help)\n");
			g_strfreev(opt_files);
			return REPLAY_TOOL_ERROR;
		}
		path = opt_files[0];
	}

	if (!path || !strcmp(path, "-")) {
		status = run(stdin, "<stdin>");
	} else {
		in = fopen(path, "r");
		if (!in) {
			fprintf(stderr, "gpuvm-replay: %s: %s\n", path,
				strerror(errno));
			g_strfreev(opt_files);
			return REPLAY_TOOL_ERROR;
		}
		status = run(in, path);
		fclose(in);
	}
	g_strfreev(opt_files);

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "gpuvm-replay: write error on standard output\n");
		if (status == REPLAY_OK)
			status = REPLAY_TOOL_ERROR;
	}
	return status;
}
