// SPDX-License-Identifier: MIT
/*
 * Fuzz target: arbitrary bytes as a gpuvm-replay trace.
 *
 * Two passes over every input:
 *
 *  1. the lexer (trace_parse.c) against an independent reading of the same
 *     bytes: line count, the line holding the first NUL byte, the tokens of
 *     every line (comment cut, blanks, CRLF), and the two number parsers
 *     against strtoull() on every token;
 *  2. the whole replay session as gpuvm-replay runs it (replay.c, and with
 *     a first line "#mmu" also the simulated Mali backend, mmu.c), with
 *     gpuvm_check() after every command.  The contract checked: the session
 *     ends in status 0 or 2 -- never 3 (libgpuvm misbehaved) or 4 (page
 *     tables disagree with the VA tree) -- and teardown is clean; status 0
 *     prints nothing on stderr; status 2 from a trace line prints exactly
 *     one message "gpuvm-replay: NAME:LINE: TEXT" whose LINE is the line
 *     the session stopped at (1 <= LINE <= number of lines) and whose TEXT
 *     is not empty.
 *
 * stderr is swapped for a memory stream while the session runs (glibc's
 * stderr is an assignable variable); libFuzzer and the sanitizers write to
 * file descriptor 2 and are not affected.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mmu.h"
#include "replay.h"
#include "trace_parse.h"

#define NAME "fuzz"

/* ------------------------------------------------------------------------ */
/* Pass 1: the lexer                                                        */

/* What a number parser must say about @s, worked out with strtoull(). */
static enum trace_num_status ref_number(const char *s, bool hex_prefix)
{
	unsigned int base = 10;
	unsigned long long v;
	const char *q;
	char *end;

	if (hex_prefix && s[0] == '0' && s[1] == 'x') {
		s += 2;
		base = 16;
	}
	if (!*s)
		return TRACE_NUM_BAD;
	/* strtoull() would take blanks, signs and "0x" again: refuse first */
	for (q = s; *q; q++) {
		bool dec = *q >= '0' && *q <= '9';
		bool hex = (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F');

		if (!dec && !(base == 16 && hex))
			return TRACE_NUM_BAD;
	}
	errno = 0;
	v = strtoull(s, &end, (int)base);
	FZ_REQUIRE(*end == '\0');
	(void)v;
	return errno == ERANGE ? TRACE_NUM_OVERFLOW : TRACE_NUM_OK;
}

static void check_number(const char *tok, bool hex_prefix)
{
	enum trace_num_status want = ref_number(tok, hex_prefix), got;
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;

	got = hex_prefix ? trace_parse_u64(tok, &v) : trace_parse_dec_u64(tok, &v);
	FZ_EQ(got, want);
	if (got == TRACE_NUM_OK) {
		const char *digits = tok;
		int base = 10;

		if (hex_prefix && tok[0] == '0' && tok[1] == 'x') {
			digits += 2;
			base = 16;
		}
		FZ_EQ(v, strtoull(digits, NULL, base));
	} else {
		/* nothing is stored on failure */
		FZ_EQ(v, 0x5a5a5a5a5a5a5a5aull);
	}
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Compare the reader's tokens with the raw line @raw (@len bytes, newline
 * and one CR already removed, no NUL inside).
 */
static void check_tokens(const char *raw, size_t len,
			 const struct trace_line *line)
{
	unsigned int n = 0;
	size_t i = 0;

	while (i < len && raw[i] != '#') {
		size_t start;

		if (blank(raw[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && raw[i] != '#' && !blank(raw[i]))
			i++;
		if (n < TRACE_MAX_TOKENS) {
			const char *tok = line->tok[n];

			FZ_REQUIRE(n < line->count);
			FZ_EQ(strlen(tok), i - start);
			FZ_REQUIRE(!memcmp(tok, raw + start, i - start));
		}
		n++;
	}
	FZ_EQ(line->count, n);
}

/* Pass 1; returns the number of lines, as the reader counts them. */
static unsigned long check_lexer(const uint8_t *data, size_t size)
{
	struct trace_reader rd;
	struct trace_line line;
	const uint8_t *p = data, *end = data + size;
	unsigned long lines = 0;
	FILE *fp;

	if (!size)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	FZ_REQUIRE(fp);
	trace_reader_init(&rd, fp);
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t text = len;
		enum trace_read_status st = trace_reader_next(&rd, &line);
		unsigned int t;

		lines++;
		FZ_EQ(rd.lineno, lines);
		if (text && p[text - 1] == '\r')
			text--;
		if (memchr(p, '\0', text)) {
			/* the reader stops being useful at a NUL byte */
			FZ_EQ(st, TRACE_READ_NUL_BYTE);
			goto out;
		}
		FZ_EQ(st, TRACE_READ_LINE);
		check_tokens((const char *)p, text, &line);
		for (t = 0; t < line.count && t < TRACE_MAX_TOKENS; t++) {
			check_number(line.tok[t], true);
			check_number(line.tok[t], false);
		}
		p += len + (nl != NULL);
	}
	FZ_EQ(trace_reader_next(&rd, &line), TRACE_READ_EOF);
	FZ_EQ(rd.lineno, lines);
out:
	trace_reader_release(&rd);
	fclose(fp);
	return lines;
}

/* ------------------------------------------------------------------------ */
/* Pass 2: the session                                                      */

/*
 * A tool error of replay_exec() on line @lineno: @msg (the whole of stderr)
 * is exactly "gpuvm-replay: NAME:LINE: TEXT\n".
 */
static void check_line_error(const char *msg, size_t len,
			     unsigned long lineno, unsigned long lines)
{
	static const char prefix[] = "gpuvm-replay: " NAME ":";
	unsigned long at;
	char *rest;

	FZ_REQUIRE(len > sizeof(prefix));
	FZ_REQUIRE(!strncmp(msg, prefix, sizeof(prefix) - 1));
	FZ_REQUIRE(msg[sizeof(prefix) - 1] >= '1' &&
		   msg[sizeof(prefix) - 1] <= '9');
	at = strtoul(msg + sizeof(prefix) - 1, &rest, 10);
	FZ_EQ(at, lineno);
	FZ_REQUIRE(at >= 1 && at <= lines);
	FZ_REQUIRE(rest[0] == ':' && rest[1] == ' ');
	rest += 2;
	/* a message, then one newline ending the only line */
	FZ_REQUIRE(*rest != '\n' && *rest != '\0');
	FZ_REQUIRE(msg[len - 1] == '\n');
	FZ_EQ(strchr(rest, '\n') - msg, len - 1);
}

static bool wants_mmu(const uint8_t *data, size_t size)
{
	return size >= 5 && !memcmp(data, "#mmu", 4) &&
	       (data[4] == '\n' || data[4] == '\r');
}

static void run_session(const uint8_t *data, size_t size, unsigned long lines)
{
	struct replay_options opts = { .quiet = true, .check = true };
	enum replay_status st = REPLAY_OK, end;
	char *err = NULL, *out = NULL;
	size_t err_len = 0, out_len = 0;
	unsigned long stop_line = 0;
	FILE *saved = stderr, *in = NULL, *outf;
	bool mmu = wants_mmu(data, size), line_error = false;
	struct trace_reader rd;
	struct trace_line line;
	struct mmu_options mopts = { .quiet = true, .verify_every = 1000 };
	struct mmu_env *env = NULL;
	struct replay *r;
	char *text = NULL;
	bool backend = false;

	outf = open_memstream(&out, &out_len);
	FZ_REQUIRE(outf);
	stderr = open_memstream(&err, &err_len);
	FZ_REQUIRE(stderr);

	if (mmu) {
		/* the backend reads the whole trace first, as a C string */
		text = malloc(size + 1);
		FZ_REQUIRE(text);
		memcpy(text, data, size);
		text[size] = '\0';
		st = mmu_env_open("sim", text, size, &mopts, &env);
		if (st != REPLAY_OK) {
			/* e.g. BOs too large for the simulated memory */
			FZ_EQ(st, REPLAY_TOOL_ERROR);
			goto done;
		}
		opts.mmu = env;
	}

	r = replay_create(outf, NAME, &opts);
	FZ_REQUIRE(r);
	if (size) {
		in = fmemopen((void *)data, size, "r");
		FZ_REQUIRE(in);
		trace_reader_init(&rd, in);
		while (st == REPLAY_OK) {
			enum trace_read_status rs = trace_reader_next(&rd, &line);

			if (rs == TRACE_READ_EOF)
				break;
			/* the lexer pass saw the same bytes */
			if (rs == TRACE_READ_NUL_BYTE) {
				stop_line = rd.lineno;
				st = REPLAY_TOOL_ERROR;
				break;
			}
			FZ_EQ(rs, TRACE_READ_LINE);
			st = replay_exec(r, rd.lineno, &line);
			if (st != REPLAY_OK) {
				stop_line = rd.lineno;
				line_error = true;
			}
		}
		trace_reader_release(&rd);
		fclose(in);
	}
	/*
	 * 3 and 4 are bugs in libgpuvm or in the tool; 5 is a request the
	 * simulator cannot hold (a VM or BO beyond its address bits), each
	 * reported on stderr.
	 */
	backend = env && mmu_env_backend_failures(env);
	FZ_REQUIRE(st == REPLAY_OK || st == REPLAY_TOOL_ERROR ||
		   (backend && st == REPLAY_BACKEND_FAILED));
	if (st == REPLAY_BACKEND_FAILED)
		line_error = false;

	fflush(stderr);
	if (line_error && !backend)
		check_line_error(err, err_len, stop_line, lines);
	else
		FZ_EQ(err_len > 0, backend);

	/* teardown after a malformed line too, as the tool does */
	end = replay_destroy(r);
	FZ_EQ(end, REPLAY_OK);
	if (env)
		FZ_EQ(mmu_env_close(env),
		      backend ? REPLAY_BACKEND_FAILED : REPLAY_OK);
	fflush(stderr);
	if (!line_error)
		FZ_EQ(err_len > 0, backend);

done:
	fclose(stderr);
	stderr = saved;
	if (mmu && st != REPLAY_OK && !line_error && !stop_line) {
		/* the backend refused the trace and said why */
		FZ_REQUIRE(err_len > 0 && !strncmp(err, "gpuvm-replay: ", 14));
	}
	/* results are whole lines */
	fclose(outf);
	FZ_REQUIRE(out_len == 0 || out[out_len - 1] == '\n');
	free(out);
	free(err);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long lines = check_lexer(data, size);

	run_session(data, size, lines);
	return 0;
}
