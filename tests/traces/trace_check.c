// SPDX-License-Identifier: MIT
/*
 * trace_check: run gpuvm-replay on one trace and compare.
 *
 *   trace_check [--status N] [--error-line L] [--replay-arg ARG...]
 *               REPLAY TRACE EXPECTED
 *
 * Runs "REPLAY [ARG...] TRACE" and checks that its standard output is byte
 * for byte the content of EXPECTED and that it exits with status N (default
 * 0).  With
 * --error-line, standard error must name line L of the trace
 * ("gpuvm-replay: TRACE:L: ...").  Exit status 0 on success, 1 on mismatch,
 * 99 when the check itself cannot run.
 *
 * With --alloc-fail-sweep, the trace is then replayed again with
 * "--fail-alloc=N" for N = 1, 2, ... until no allocation fails: every
 * such run must exit with status 0 and print exactly one more
 * "error ENOMEM" line than the expected output (the command hit by the
 * failure), the replay tool itself verifying that nothing leaked (and, given
 * --replay-arg=--check, that the VM stayed consistent).
 *
 * Written in C (not sh) so that "meson test --setup=valgrind" checks both
 * this runner and, through --trace-children, the replay tool it spawns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>

static gint opt_status;
static gint opt_error_line;
static gchar **opt_replay_args;
static gboolean opt_sweep;

static const GOptionEntry entries[] = {
	{ "status", 's', 0, G_OPTION_ARG_INT, &opt_status,
	  "Expected exit status of the replay tool (default 0)", "N" },
	{ "error-line", 'l', 0, G_OPTION_ARG_INT, &opt_error_line,
	  "Standard error must name this line of the trace", "L" },
	{ "replay-arg", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &opt_replay_args,
	  "Pass ARG to the replay tool before the trace (repeatable)", "ARG" },
	{ "alloc-fail-sweep", 0, 0, G_OPTION_ARG_NONE, &opt_sweep,
	  "Also fail each allocation in turn (see the source)", NULL },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* Print line @n (1-based) of @text, or "<end of output>". */
static void print_nth_line(const char *label, const char *text, size_t len,
			   unsigned long n)
{
	const char *p = text, *end = text + len, *nl;
	unsigned long i;

	for (i = 1; i < n && p < end; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	if (p >= end) {
		printf("  %s <end of output>\n", label);
		return;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	printf("  %s %.*s%s\n", label, (int)((nl ? nl : end) - p), p,
	       nl ? "" : "   (no newline at end)");
}

/* Report the first line where @got and @want differ. */
static void report_difference(const char *got, size_t got_len,
			      const char *want, size_t want_len)
{
	unsigned long line = 1;
	size_t i, n = MIN(got_len, want_len);

	for (i = 0; i < n && got[i] == want[i]; i++)
		if (got[i] == '\n')
			line++;
	printf("stdout differs from the expected output at line %lu:\n", line);
	print_nth_line("expected:", want, want_len, line);
	print_nth_line("got:     ", got, got_len, line);
	printf("--- full output ---\n%.*s--- end of output ---\n",
	       (int)got_len, got);
}

/* Run "@replay [--replay-arg values] [@extra] @trace"; FALSE if it cannot. */
static gboolean run_replay(const char *replay, const char *extra,
			   const char *trace, gchar **out, gchar **err,
			   gint *wait_status)
{
	GPtrArray *argv = g_ptr_array_new();
	GError *error = NULL;
	gboolean ok;

	g_ptr_array_add(argv, (gpointer)replay);
	for (gchar **a = opt_replay_args; a && *a; a++)
		g_ptr_array_add(argv, *a);
	if (extra)
		g_ptr_array_add(argv, (gpointer)extra);
	g_ptr_array_add(argv, (gpointer)trace);
	g_ptr_array_add(argv, NULL);
	ok = g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT,
			  NULL, NULL, out, err, wait_status, &error);
	g_ptr_array_free(argv, TRUE);
	if (!ok) {
		fprintf(stderr, "trace_check: cannot run %s: %s\n", replay,
			error->message);
		g_error_free(error);
	}
	return ok;
}

static unsigned int count_enomem(const char *text)
{
	const char *p = text;
	unsigned int n = 0;

	while ((p = strstr(p, "error ENOMEM\n"))) {
		if (p == text || p[-1] == '\n')
			n++;
		p++;
	}
	return n;
}

/* Fail each allocation of the replay in turn; 0 when every run was right. */
static int alloc_fail_sweep(const char *replay, const char *trace,
			    const char *want, size_t want_len)
{
	unsigned int base = count_enomem(want);
	unsigned long n;

	for (n = 1; n < 1000000; n++) {
		gchar *extra = g_strdup_printf("--fail-alloc=%lu", n);
		gchar *out = NULL, *err = NULL;
		gint ws;
		int bad = 0;
		unsigned int got;

		if (!run_replay(replay, extra, trace, &out, &err, &ws)) {
			g_free(extra);
			return 99;
		}
		got = count_enomem(out);
		if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
			printf("%s: wait status 0x%x\n", extra, (unsigned int)ws);
			bad = 1;
		} else if (got == base) {
			/* No allocation failed: the run must be the plain one. */
			if (strlen(out) != want_len || memcmp(out, want, want_len)) {
				printf("%s: no ENOMEM but not the expected output\n",
				       extra);
				bad = 1;
			}
		} else if (got != base + 1) {
			printf("%s: %u ENOMEM errors, expected %u\n", extra,
			       got, base + 1);
			bad = 1;
		}
		if (bad && err[0])
			printf("--- stderr ---\n%s--- end of stderr ---\n", err);
		g_free(out);
		g_free(err);
		g_free(extra);
		if (bad)
			return 1;
		if (got == base) {
			printf("allocation failure sweep: %lu allocation points, all handled\n",
			       n - 1);
			return 0;
		}
	}
	printf("allocation failure sweep did not end\n");
	return 1;
}

int main(int argc, char **argv)
{
	gchar *out = NULL, *err = NULL, *want = NULL;
	GOptionContext *ctx;
	GError *error = NULL;
	gsize want_len;
	gint wait_status;
	int ret = 1;

	ctx = g_option_context_new("REPLAY TRACE EXPECTED - check one trace");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "trace_check: %s\n", error->message);
		g_error_free(error);
		g_option_context_free(ctx);
		return 99;
	}
	g_option_context_free(ctx);
	if (argc != 4) {
		fprintf(stderr, "usage: trace_check [OPTION...] REPLAY TRACE EXPECTED\n");
		return 99;
	}

	if (!g_file_get_contents(argv[3], &want, &want_len, &error)) {
		fprintf(stderr, "trace_check: %s\n", error->message);
		g_error_free(error);
		return 99;
	}

	if (!run_replay(argv[1], NULL, argv[2], &out, &err, &wait_status)) {
		g_free(want);
		g_strfreev(opt_replay_args);
		return 99;
	}

	printf("%s %s\n", argv[1], argv[2]);
	if (!WIFEXITED(wait_status)) {
		printf("the replay tool did not exit normally (wait status 0x%x)\n",
		       (unsigned int)wait_status);
	} else if (WEXITSTATUS(wait_status) != opt_status) {
		printf("exit status %d, expected %d\n", WEXITSTATUS(wait_status),
		       opt_status);
	} else if (strlen(out) != want_len || memcmp(out, want, want_len)) {
		report_difference(out, strlen(out), want, want_len);
	} else if (opt_error_line > 0) {
		gchar *tag = g_strdup_printf(":%d: ", opt_error_line);

		if (!g_str_has_prefix(err, "gpuvm-replay: ") || !strstr(err, tag))
			printf("stderr does not name line %d of the trace\n",
			       opt_error_line);
		else
			ret = 0;
		g_free(tag);
	} else {
		ret = 0;
	}

	if (err[0])
		printf("--- stderr ---\n%s--- end of stderr ---\n", err);
	if (!ret && opt_sweep)
		ret = alloc_fail_sweep(argv[1], argv[2], want, want_len);
	printf("%s\n", ret ? "FAIL" : "PASS");

	g_free(out);
	g_free(err);
	g_free(want);
	g_strfreev(opt_replay_args);
	return ret;
}
