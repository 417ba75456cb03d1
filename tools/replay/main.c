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
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gpuvm/common.h>

#include "mmu.h"
#include "replay.h"
#include "trace_parse.h"

#ifndef GPUVM_REPLAY_VERSION
#define GPUVM_REPLAY_VERSION "unknown"
#endif


static bool opt_quiet;
static bool opt_check;
static bool opt_annotate;
static bool opt_version;
static int opt_fail_alloc;
static const char *opt_mmu;
static const char *opt_mmu_pt_size;
static int opt_mmu_verify_every = 10000;
static const char *opt_svg;
static const char *opt_file;		/* the trace; NULL: standard input */
static unsigned int opt_nfiles;		/* traces named (one at most) */

/*
 * The options, in the order --help lists them.  A switch (@arg NULL) sets
 * a bool, @str an option's text, @num an integer option.
 */
static const struct opt {
	const char *name;
	char short_name;
	const char *arg;
	const char *help;
	bool *flag;
	const char **str;
	int *num;
} options[] = {
	{ "quiet", 'q', NULL,
	  "No libgpuvm warnings (they still give exit status 3), no progress line, no --mmu summary",
	  &opt_quiet, NULL, NULL },
	{ "mmu", 0, "sim|uio:NAME",
	  "Also apply every request to Mali page tables and check them through the GPU: 'sim' (simulated GPU) or 'uio:NAME' (real GPU through UIO)",
	  NULL, &opt_mmu, NULL },
	{ "mmu-pt-size", 0, "SIZE",
	  "--mmu: fix page-table memory at SIZE bytes (suffix K, M or G); default: the simulator grows it on demand, UIO gives it half the carve-out",
	  NULL, &opt_mmu_pt_size, NULL },
	{ "mmu-verify-every", 0, "K",
	  "--mmu: check the whole VM every K requests (0: only at the end; default 10000)",
	  NULL, NULL, &opt_mmu_verify_every },
	{ "svg", 0, "FILE", "Draw the final VA space into FILE (SVG)",
	  NULL, &opt_svg, NULL },
	{ "annotate", 'a', NULL,
	  "Echo each trace line before its output, as a line starting with '#' (commands as '# line N: ...', the trace's comments as they are)",
	  &opt_annotate, NULL, NULL },
	{ "check", 'c', NULL,
	  "Run gpuvm_check() on the VM after every command",
	  &opt_check, NULL, NULL },
	{ "fail-alloc", 0, "N",
	  "Fail the N-th allocation (testing: the command hit prints error ENOMEM)",
	  NULL, NULL, &opt_fail_alloc },
	{ "version", 'V', NULL, "Print the version and exit",
	  &opt_version, NULL, NULL },
};
#define NOPTS (sizeof(options) / sizeof(options[0]))

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

/*
 * "SIZE" of --mmu-pt-size: a number, with an optional K, M or G.  Returns
 * 0, -1 for a bad size or -ENOMEM.
 */
static int parse_size(const char *arg, uint64_t *out)
{
	static const char suffixes[] = "KMG";
	const char *unit;
	char *num, c;
	uint64_t v;
	size_t len = strlen(arg);
	int ret, shift = 0;

	/* the ASCII upper case of the last character (not the locale's) */
	c = len ? arg[len - 1] : 0;
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	unit = c ? strchr(suffixes, c) : NULL;
	if (unit) {
		shift = 10 * (int)(unit - suffixes + 1);
		len--;
	}
	num = strndup(arg, len);
	if (!num)
		return -ENOMEM;
	ret = trace_parse_u64(num, &v) == TRACE_NUM_OK ? 0 : -1;
	free(num);
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

static const char usage_summary[] =
	"Reads a trace (a file, or standard input when TRACE is '-' or missing),\n"
	"plans every command with libgpuvm, applies the plans as a driver would\n"
	"and prints the ops, the results and the dumps on standard output.";

static const char usage_description[] =
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
	"See gpuvm-replay(1) and docs/trace-format.md.\n";

/* "  -q, --quiet" or "  --mmu=sim|uio:NAME": an option as --help shows it */
static int option_label(char *buf, size_t size, const struct opt *o)
{
	if (o->short_name)
		return snprintf(buf, size, "  -%c, --%s", o->short_name,
				o->name);
	return snprintf(buf, size, "  --%s%s%s", o->name, o->arg ? "=" : "",
			o->arg ? o->arg : "");
}

/*
 * --help: the usage line, the summary, the options with their help in one
 * column and the description, then exit 0.  The usage line says
 * "[OPTION…]" where the locale's character set is UTF-8, "[OPTION...]"
 * elsewhere: the only use of the locale (the replay itself runs in "C").
 */
static void __attribute__((noreturn)) print_help(const char *argv0)
{
	static const struct opt help = { "help", 'h', NULL,
					 "Show help options", NULL, NULL, NULL };
	const char *prg = argv0 && *argv0 ? argv0 : "gpuvm-replay";
	const char *slash = strrchr(prg, '/');
	bool utf8;
	char label[64];
	int width = option_label(label, sizeof(label), &help);
	size_t i;

	setlocale(LC_CTYPE, "");
	utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	for (i = 0; i < NOPTS; i++) {
		int w = option_label(label, sizeof(label), &options[i]);

		if (w > width)
			width = w;
	}
	width += 4;
	printf("Usage:\n  %s [OPTION%s] [TRACE|-] - replay a VM_BIND trace through libgpuvm\n\n%s\n\n",
	       slash && slash[1] ? slash + 1 : prg, utf8 ? "\xe2\x80\xa6" : "...",
	       usage_summary);
	option_label(label, sizeof(label), &help);
	printf("Help Options:\n%-*s %s\n\nApplication Options:\n", width,
	       label, help.help);
	for (i = 0; i < NOPTS; i++) {
		option_label(label, sizeof(label), &options[i]);
		printf("%-*s %s\n", width, label, options[i].help);
	}
	printf("\n%s\n", usage_description);
	exit(0);
}

/*
 * An integer option's value: strtol() in base 0 (decimal, 0x hex, 0 octal),
 * the whole text, within int.
 */
static int parse_int(const char *name, const char *arg, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 0);
	if (!*arg || *end) {
		fprintf(stderr, "gpuvm-replay: Cannot parse integer value \xe2\x80\x9c%s\xe2\x80\x9d for --%s\n",
			arg, name);
		return -1;
	}
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX) {
		fprintf(stderr, "gpuvm-replay: Integer value \xe2\x80\x9c%s\xe2\x80\x9d for --%s out of range\n",
			arg, name);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static void add_file(const char *path)
{
	if (!opt_nfiles++)
		opt_file = path;
}

/* --NAME[=VALUE] in @arg (after the dashes) is exactly option @name. */
static bool long_name_is(const char *arg, const char *name)
{
	size_t n = strcspn(arg, "=");

	return n == strlen(name) && !strncmp(arg, name, n);
}

/*
 * The command line, with getopt_long() in order (options and the trace may
 * come in any order; "--" ends the options).  As the glib parser the tool
 * used before did: long names are taken whole, never abbreviated; a switch
 * accepts and ignores "=VALUE"; an error names the whole argument
 * ("Unknown option -qx"); --help (-h, -?, --help-all) prints the usage and
 * exits when it is reached; "--=FILE" names the trace.
 */
static int scan_options(int argc, char **argv)
{
	enum { LONG_BASE = 256, HELP = LONG_BASE + NOPTS, HELP_ALL };
	struct option longopts[NOPTS + 3];
	const struct opt *o;
	size_t i;
	int c;

	for (i = 0; i < NOPTS; i++) {
		longopts[i].name = options[i].name;
		longopts[i].has_arg = options[i].arg ? required_argument :
						    optional_argument;
		longopts[i].flag = NULL;
		longopts[i].val = LONG_BASE + (int)i;
	}
	longopts[NOPTS] = (struct option){ "help", no_argument, NULL, HELP };
	longopts[NOPTS + 1] = (struct option){ "help-all", no_argument, NULL,
					       HELP_ALL };
	longopts[NOPTS + 2] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;
	for (;;) {
		int at = optind;	/* the argument getopt_long() reads */
		const char *arg = at < argc ? argv[at] : "";
		bool is_long = !strncmp(arg, "--", 2) && arg[2];

		optopt = 0;
		c = getopt_long(argc, argv, "+:qacVh?", longopts, NULL);
		if (c == -1) {
			if (optind >= argc)
				break;
			if (optind > at) {	/* "--": the rest are traces */
				while (optind < argc)
					add_file(argv[optind++]);
				break;
			}
			add_file(argv[optind++]);
			continue;
		}
		if (is_long && arg[2] == '=') {
			add_file(arg + 3);
			continue;
		}
		if (is_long) {
			/* the option named, in full, or none */
			for (i = 0; longopts[i].name; i++)
				if (long_name_is(arg + 2, longopts[i].name))
					break;
			if (!longopts[i].name || c == '?') {
				fprintf(stderr, "gpuvm-replay: Unknown option %s\n",
					arg);
				return -1;
			}
			if (c == ':') {
				fprintf(stderr, "gpuvm-replay: Missing argument for %s\n",
					arg);
				return -1;
			}
			c = longopts[i].val;
		} else if (c == '?' && optopt) {
			fprintf(stderr, "gpuvm-replay: Unknown option %s\n", arg);
			return -1;
		}
		if (c == HELP || c == HELP_ALL || c == 'h' || c == '?')
			print_help(argv[0]);
		if (c >= LONG_BASE) {
			o = &options[c - LONG_BASE];
		} else {
			for (o = options; o->short_name != c; o++)
				;
		}
		if (o->flag)
			*o->flag = true;	/* "=VALUE" ignored */
		else if (o->str)
			*o->str = optarg;
		else if (parse_int(o->name, optarg, o->num))
			return -1;
	}
	return 0;
}

static int parse_options(int argc, char **argv)
{
	int ret;

	if (scan_options(argc, argv))
		return -1;
	if (opt_fail_alloc < 0) {
		fprintf(stderr, "gpuvm-replay: --fail-alloc needs a positive number\n");
		return -1;
	}
	if (opt_mmu_verify_every < 0) {
		fprintf(stderr, "gpuvm-replay: --mmu-verify-every needs 0 or a positive number\n");
		return -1;
	}
	ret = opt_mmu_pt_size ? parse_size(opt_mmu_pt_size, &mmu_pt_size) : 0;
	if (ret == -ENOMEM) {
		fprintf(stderr, "gpuvm-replay: out of memory\n");
		return -1;
	}
	if (ret) {
		fprintf(stderr, "gpuvm-replay: --mmu-pt-size: '%s' is not a size in bytes (a number, with K, M or G for KiB, MiB, GiB)\n",
			opt_mmu_pt_size);
		return -1;
	}
	if (opt_mmu && strcmp(opt_mmu, "sim") &&
	    (strncmp(opt_mmu, "uio:", 4) || !opt_mmu[4])) {
		fprintf(stderr, "gpuvm-replay: --mmu takes 'sim' or 'uio:NAME', not '%s'\n",
			opt_mmu);
		return -1;
	}
	if (opt_svg && svg_path_unwritable(opt_svg))
		return -1;
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
	char head[32];
	int len;

	if (!n) {
		if (l->comment) {
			replay_write(r, "#", 1);
			replay_write(r, l->comment, strlen(l->comment));
			replay_write(r, "\n", 1);
		}
		return;
	}
	len = snprintf(head, sizeof(head), "# line %lu:", lineno);
	replay_write(r, head, (size_t)len);
	for (i = 0; i < n; i++) {
		replay_write(r, " ", 1);
		replay_write(r, l->tok[i], strlen(l->tok[i]));
	}
	if (l->count > n)
		replay_write(r, " ...", 4);
	if (l->comment) {
		replay_write(r, "  #", 3);
		replay_write(r, l->comment, strlen(l->comment));
	}
	replay_write(r, "\n", 1);
}

static int run(FILE *in, const char *name, long total, struct mmu_env *mmu)
{
	struct replay_options opts = {
		.quiet = opt_quiet,
		.check = opt_check,
		.mmu = mmu,
		.svg = opt_svg,
		.no_pools = opt_fail_alloc > 0,
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

/* The whole trace in memory: @len bytes at @text (room for @room). */
struct trace_text {
	char *text;
	size_t len;
	size_t room;
};

/* Read all of @in (the --mmu backend pre-scans the whole trace). */
static int slurp(FILE *in, const char *name, struct trace_text *t)
{
	for (;;) {
		size_t n;

		if (t->room - t->len < 65536) {
			size_t room = t->room ? 2 * t->room : 131072;
			char *grown = room > t->room ? realloc(t->text, room) :
						       NULL;

			if (!grown) {
				fprintf(stderr, "gpuvm-replay: %s: out of memory reading the trace\n",
					name);
				return -1;
			}
			t->text = grown;
			t->room = room;
		}
		n = fread(t->text + t->len, 1, t->room - t->len, in);
		if (!n)
			break;
		t->len += n;
	}
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
	struct trace_text buf = { NULL, 0, 0 };
	struct mmu_options mopts;
	struct mmu_env *env = NULL;
	int status, end;
	FILE *in;

	if (name == path) {
		in = fopen(path, "r");
		if (!in) {
			fprintf(stderr, "gpuvm-replay: %s: %s\n", path,
				strerror(errno));
			return REPLAY_TOOL_ERROR;
		}
		status = slurp(in, name, &buf);
		fclose(in);
	} else {
		status = slurp(stdin, name, &buf);
	}
	if (status) {
		free(buf.text);
		return REPLAY_TOOL_ERROR;
	}

	mopts.quiet = opt_quiet;
	mopts.pt_size = mmu_pt_size;
	mopts.verify_every = (unsigned long)opt_mmu_verify_every;
	status = mmu_env_open(opt_mmu, buf.text, buf.len, &mopts, &env);
	if (status != REPLAY_OK) {
		free(buf.text);
		return status;
	}
	/* fmemopen() cannot open an empty buffer on every libc. */
	in = buf.len ? fmemopen(buf.text, buf.len, "r") : NULL;
	if (buf.len && !in) {
		fprintf(stderr, "gpuvm-replay: %s\n", strerror(errno));
		mmu_env_close(env);
		free(buf.text);
		return REPLAY_TOOL_ERROR;
	}
	if (in) {
		status = run(in, name, (long)buf.len, env);
		fclose(in);
	} else {
		FILE *empty = fopen("/dev/null", "r");

		status = empty ? run(empty, name, -1, env) : REPLAY_TOOL_ERROR;
		if (empty)
			fclose(empty);
	}
	fflush(stdout);
	end = mmu_env_close(env);
	free(buf.text);
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
	/* No setlocale(): the replay runs in the "C" locale (see print_help). */

	if (parse_options(argc, argv))
		return REPLAY_TOOL_ERROR;

	if (opt_version) {
		printf("gpuvm-replay (libgpuvm) %s, trace format 1\n",
		       GPUVM_REPLAY_VERSION);
		return fflush(stdout) ? REPLAY_TOOL_ERROR : 0;
	}

	if (opt_nfiles > 1) {
		fprintf(stderr, "gpuvm-replay: one trace at a time (try --help)\n");
		return REPLAY_TOOL_ERROR;
	}
	path = opt_file;

	if (opt_mmu)
		status = run_mmu(path);
	else
		status = run_plain(path);

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "gpuvm-replay: write error on standard output\n");
		if (status == REPLAY_OK)
			status = REPLAY_TOOL_ERROR;
	}
	return status;
}
