// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay: run a VM_BIND trace through libgpuvm and print what the
 * planner did, in the exact format of docs/trace-format.md.
 *
 * Exit status: 0 when the trace ran to its end (commands that the library
 * rejected print "error NAME" and count as success), 2 for a malformed trace,
 * a bad command line or an I/O error, 3 when libgpuvm itself misbehaved
 * (a warning, a leaked reference, an impossible error while applying),
 * 4 when --mmu found page tables that disagree with the VA tree (or the
 * simulator logged a violation), 5 when the --mmu backend could not apply
 * a request the planner accepted (stdout then differs from the plain
 * replay from that request on).
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include <gpuvm/common.h>

#include "mmu.h"
#include "replay.h"
#include "trace_parse.h"

#ifndef GPUVM_REPLAY_VERSION
#define GPUVM_REPLAY_VERSION "unknown"
#endif


static gboolean opt_quiet;
static gboolean opt_check;
static gboolean opt_annotate;
static gboolean opt_version;
static gint opt_fail_alloc;
static gchar *opt_mmu;
static gchar *opt_mmu_pt_size;
static gint opt_mmu_verify_every = 10000;
static gchar *opt_svg;
static gchar **opt_files;

static const GOptionEntry entries[] = {
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
	  "No libgpuvm warnings (they still give exit status 3), no progress line, no --mmu summary",
	  NULL },
	{ "mmu", 0, 0, G_OPTION_ARG_STRING, &opt_mmu,
	  "Also apply every request to Mali page tables and check them through the GPU: 'sim' (simulated GPU) or 'uio:NAME' (real GPU through UIO)",
	  "sim|uio:NAME" },
	{ "mmu-pt-size", 0, 0, G_OPTION_ARG_STRING, &opt_mmu_pt_size,
	  "--mmu: fix page-table memory at SIZE bytes (suffix K, M or G); default: the simulator grows it on demand, UIO gives it half the carve-out",
	  "SIZE" },
	{ "mmu-verify-every", 0, 0, G_OPTION_ARG_INT, &opt_mmu_verify_every,
	  "--mmu: check the whole VM every K requests (0: only at the end; default 10000)",
	  "K" },
	{ "svg", 0, 0, G_OPTION_ARG_FILENAME, &opt_svg,
	  "Draw the final VA space into FILE (SVG)", "FILE" },
	{ "annotate", 'a', 0, G_OPTION_ARG_NONE, &opt_annotate,
	  "Echo each trace line before its output, as a line starting with '#' (commands as '# line N: ...', the trace's comments as they are)",
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

static uint64_t mmu_pt_size;

/* "SIZE" of --mmu-pt-size: a number, with an optional K, M or G. */
static int parse_size(const char *arg, uint64_t *out)
{
	static const char suffixes[] = "KMG";
	const char *unit;
	char *num;
	uint64_t v;
	size_t len = strlen(arg);
	int ret, shift = 0;

	unit = len ? strchr(suffixes, g_ascii_toupper(arg[len - 1])) : NULL;
	if (unit && arg[len - 1]) {
		shift = 10 * (int)(unit - suffixes + 1);
		len--;
	}
	num = g_strndup(arg, len);
	ret = trace_parse_u64(num, &v) == TRACE_NUM_OK ? 0 : -1;
	g_free(num);
	if (ret || !v || v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/*
 * Can --svg's @path be written?  Checked before the trace runs: a new file
 * is created and removed again, an existing one opened without truncating.
 * Reports the problem and returns true if not.
 */
static bool svg_path_unwritable(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	bool created = fd >= 0;

	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "gpuvm-replay: --svg: cannot write '%s': %s\n",
			path, strerror(errno));
		return true;
	}
	close(fd);
	if (created)
		unlink(path);
	return false;
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
		"a bad command line, an I/O error or a backend that cannot start;\n"
		"3 when libgpuvm misbehaved (warning, leaked reference, failure while\n"
		"applying a plan); 4 when --mmu found a page-table check failing or a\n"
		"simulator violation; 5 when the --mmu backend could not apply a\n"
		"request the planner accepted.\n"
		"\n"
		"Examples:\n"
		"  gpuvm-replay --mmu=sim examples/demo.trace\n"
		"  gpuvm-replay --mmu=sim --svg=va.svg trace.txt > plans.txt\n"
		"\n"
		"See gpuvm-replay(1) and docs/trace-format.md.\n");
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
	if (opt_mmu_verify_every < 0) {
		fprintf(stderr, "gpuvm-replay: --mmu-verify-every needs 0 or a positive number\n");
		g_strfreev(opt_files);
		return -1;
	}
	if (opt_mmu_pt_size && parse_size(opt_mmu_pt_size, &mmu_pt_size)) {
		fprintf(stderr, "gpuvm-replay: --mmu-pt-size: '%s' is not a size in bytes (a number, with K, M or G for KiB, MiB, GiB)\n",
			opt_mmu_pt_size);
		g_strfreev(opt_files);
		return -1;
	}
	if (opt_mmu && strcmp(opt_mmu, "sim") &&
	    (strncmp(opt_mmu, "uio:", 4) || !opt_mmu[4])) {
		fprintf(stderr, "gpuvm-replay: --mmu takes 'sim' or 'uio:NAME', not '%s'\n",
			opt_mmu);
		g_strfreev(opt_files);
		return -1;
	}
	if (opt_svg && svg_path_unwritable(opt_svg)) {
		g_strfreev(opt_files);
		return -1;
	}
	return 0;
}

/* --- progress line --------------------------------------------------- */

struct progress {
	bool on;
	bool shown;
	double last;
	long total;	/* bytes, or -1 when unknown */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_init(struct progress *pg, FILE *in, long total)
{
	pg->on = !opt_quiet && isatty(STDERR_FILENO);
	pg->shown = false;
	pg->last = now_s();
	pg->total = total;
	(void)in;
}

static void progress_tick(struct progress *pg, FILE *in, unsigned long lineno)
{
	double t;
	long pos;

	/* Checking the clock every line is cheap next to planning. */
	if (!pg->on || (lineno & 63))
		return;
	t = now_s();
	if (t - pg->last < 0.1)
		return;
	pg->last = t;
	pos = pg->total > 0 ? ftell(in) : -1;
	if (pos >= 0)
		fprintf(stderr, "\rgpuvm-replay: line %lu (%ld%%)  ", lineno,
			pos * 100 / pg->total);
	else
		fprintf(stderr, "\rgpuvm-replay: line %lu  ", lineno);
	pg->shown = true;
}

static void progress_done(struct progress *pg)
{
	if (pg->shown)
		fputs("\r\033[K", stderr);
	pg->shown = false;
}

/*
 * --annotate: echo a trace line on stdout before its output, always as a
 * line starting with '#', so that grep -v '^#' gives the plain output back.
 * Blank lines echo nothing.
 */
static void annotate(struct replay *r, unsigned long lineno,
		     const struct trace_line *l)
{
	unsigned int i, n = l->count < TRACE_MAX_TOKENS ? l->count :
							    TRACE_MAX_TOKENS;
	GString *s = g_string_new(NULL);

	if (!n) {
		if (l->comment)
			g_string_append_printf(s, "#%s\n", l->comment);
	} else {
		g_string_append_printf(s, "# line %lu:", lineno);
		for (i = 0; i < n; i++)
			g_string_append_printf(s, " %s", l->tok[i]);
		if (l->count > n)
			g_string_append(s, " ...");
		if (l->comment)
			g_string_append_printf(s, "  #%s", l->comment);
		g_string_append_c(s, '\n');
	}
	replay_write(r, s->str, s->len);
	g_string_free(s, TRUE);
}

static int run(FILE *in, const char *name, long total, struct mmu_env *mmu)
{
	struct replay_options opts = {
		.quiet = opt_quiet,
		.check = opt_check,
		.mmu = mmu,
		.svg = opt_svg,
		.no_va_cache = opt_fail_alloc > 0,
	};
	struct progress pg;
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
	progress_init(&pg, in, total);
	while (!done && st == REPLAY_OK) {
		switch (trace_reader_next(&rd, &line)) {
		case TRACE_READ_LINE:
			progress_tick(&pg, in, rd.lineno);
			if (opt_annotate)
				annotate(r, rd.lineno, &line);
			st = replay_exec(r, rd.lineno, &line);
			if (pg.shown && st != REPLAY_OK)
				progress_done(&pg);
			break;
		case TRACE_READ_EOF:
			done = true;
			break;
		case TRACE_READ_NUL_BYTE:
			replay_flush(r);
			fprintf(stderr, "gpuvm-replay: %s:%lu: NUL byte in the line\n",
				name, rd.lineno);
			st = REPLAY_TOOL_ERROR;
			break;
		case TRACE_READ_NO_MEMORY:
			replay_flush(r);
			fprintf(stderr, "gpuvm-replay: %s:%lu: out of memory reading the line\n",
				name, rd.lineno + 1);
			st = REPLAY_TOOL_ERROR;
			break;
		case TRACE_READ_IO_ERROR:
		default:
			err = errno;
			replay_flush(r);
			fprintf(stderr, "gpuvm-replay: %s: read error: %s\n",
				name, strerror(err));
			st = REPLAY_TOOL_ERROR;
			break;
		}
	}
	trace_reader_release(&rd);
	progress_done(&pg);

	/*
	 * After an internal error the VM may be inconsistent: do not touch it
	 * again.  Otherwise tear down cleanly, a malformed line included.
	 */
	if (st == REPLAY_INTERNAL_ERROR) {
		replay_flush(r);
		return st;
	}
	end = replay_destroy(r);
	gpuvm_set_allocator(NULL);
	return st != REPLAY_OK ? st : end;
}

static long file_size(FILE *in)
{
	long size;

	if (fseek(in, 0, SEEK_END))
		return -1;
	size = ftell(in);
	if (fseek(in, 0, SEEK_SET))
		return -1;
	return size;
}

static int run_plain(const char *path)
{
	FILE *in;
	int status;

	if (!path || !strcmp(path, "-"))
		return run(stdin, "<stdin>", -1, NULL);
	in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "gpuvm-replay: %s: %s\n", path, strerror(errno));
		return REPLAY_TOOL_ERROR;
	}
	status = run(in, path, file_size(in), NULL);
	fclose(in);
	return status;
}

/* Read all of @in (the --mmu backend pre-scans the whole trace). */
static int slurp(FILE *in, const char *name, GString *buf)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		g_string_append_len(buf, chunk, (gssize)n);
	if (ferror(in)) {
		fprintf(stderr, "gpuvm-replay: %s: read error: %s\n", name,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int run_mmu(const char *path)
{
	const char *name = path && strcmp(path, "-") ? path : "<stdin>";
	GString *buf = g_string_new(NULL);
	struct mmu_options mopts;
	struct mmu_env *env = NULL;
	int status, end;
	FILE *in;

	if (name == path) {
		in = fopen(path, "r");
		if (!in) {
			fprintf(stderr, "gpuvm-replay: %s: %s\n", path,
				strerror(errno));
			g_string_free(buf, TRUE);
			return REPLAY_TOOL_ERROR;
		}
		status = slurp(in, name, buf);
		fclose(in);
	} else {
		status = slurp(stdin, name, buf);
	}
	if (status) {
		g_string_free(buf, TRUE);
		return REPLAY_TOOL_ERROR;
	}

	mopts.quiet = opt_quiet;
	mopts.pt_size = mmu_pt_size;
	mopts.verify_every = (unsigned long)opt_mmu_verify_every;
	status = mmu_env_open(opt_mmu, buf->str, buf->len, &mopts, &env);
	if (status != REPLAY_OK) {
		g_string_free(buf, TRUE);
		return status;
	}
	/* fmemopen() cannot open an empty buffer on every libc. */
	in = buf->len ? fmemopen(buf->str, buf->len, "r") : NULL;
	if (buf->len && !in) {
		fprintf(stderr, "gpuvm-replay: %s\n", strerror(errno));
		mmu_env_close(env);
		g_string_free(buf, TRUE);
		return REPLAY_TOOL_ERROR;
	}
	if (in) {
		status = run(in, name, (long)buf->len, env);
		fclose(in);
	} else {
		FILE *empty = fopen("/dev/null", "r");

		status = empty ? run(empty, name, -1, env) : REPLAY_TOOL_ERROR;
		if (empty)
			fclose(empty);
	}
	fflush(stdout);
	end = mmu_env_close(env);
	g_string_free(buf, TRUE);
	return status != REPLAY_OK ? status : end;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int status;

	/*
	 * The replay formats its results into a buffer of its own and writes
	 * them in 64 KiB blocks: no second copy through stdio's buffer.
	 */
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Messages follow the locale (glib's --help); numbers stay "C". */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");

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

	if (opt_mmu)
		status = run_mmu(path);
	else
		status = run_plain(path);
	g_strfreev(opt_files);
	g_free(opt_mmu);
	g_free(opt_mmu_pt_size);
	g_free(opt_svg);

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "gpuvm-replay: write error on standard output\n");
		if (status == REPLAY_OK)
			status = REPLAY_TOOL_ERROR;
	}
	return status;
}
