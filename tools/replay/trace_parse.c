// SPDX-License-Identifier: MIT
/*
 * Lexical layer of the trace format: lines, comments, tokens, numbers.
 */
#include "trace_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

void trace_reader_init(struct trace_reader *rd, FILE *fp)
{
	rd->fp = fp;
	rd->buf = NULL;
	rd->cap = 0;
	rd->lineno = 0;
}

void trace_reader_release(struct trace_reader *rd)
{
	free(rd->buf);
	rd->buf = NULL;
	rd->cap = 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void trace_split(char *text, struct trace_line *line)
{
	char *p = text;

	line->count = 0;
	line->comment = NULL;
	for (;;) {
		char *start;

		while (is_blank(*p))
			p++;
		if (*p == '#')
			line->comment = p + 1;
		if (*p == '\0' || *p == '#')
			return;

		start = p;
		while (*p != '\0' && *p != '#' && !is_blank(*p))
			p++;

		if (line->count < TRACE_MAX_TOKENS)
			line->tok[line->count] = start;
		line->count++;

		/* A comment may follow a token without a blank in between. */
		if (*p == '#') {
			*p = '\0';
			line->comment = p + 1;
			return;
		}
		if (*p == '\0')
			return;
		*p++ = '\0';
	}
}

enum trace_read_status trace_reader_next(struct trace_reader *rd,
					 struct trace_line *line)
{
	ssize_t len;

	errno = 0;
	len = getline(&rd->buf, &rd->cap, rd->fp);
	if (len < 0) {
		if (ferror(rd->fp))
			return errno == ENOMEM ? TRACE_READ_NO_MEMORY :
						 TRACE_READ_IO_ERROR;
		return TRACE_READ_EOF;
	}
	rd->lineno++;

	if (len > 0 && rd->buf[len - 1] == '\n')
		rd->buf[--len] = '\0';
	/* Tolerate CRLF line ends. */
	if (len > 0 && rd->buf[len - 1] == '\r')
		rd->buf[--len] = '\0';
	if (strlen(rd->buf) != (size_t)len)
		return TRACE_READ_NUL_BYTE;

	trace_split(rd->buf, line);
	return TRACE_READ_LINE;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static enum trace_num_status parse_base(const char *s, unsigned int base,
					uint64_t *out)
{
	uint64_t v = 0;
	bool overflow = false;

	if (*s == '\0')
		return TRACE_NUM_BAD;

	for (; *s; s++) {
		int d = hex_digit(*s);

		if (d < 0 || (unsigned int)d >= base)
			return TRACE_NUM_BAD;
		/* Keep scanning after an overflow: a bad digit wins. */
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			overflow = true;
		else
			v = v * base + (unsigned int)d;
	}
	if (overflow)
		return TRACE_NUM_OVERFLOW;
	*out = v;
	return TRACE_NUM_OK;
}

enum trace_num_status trace_parse_u64(const char *s, uint64_t *out)
{
	if (s[0] == '0' && s[1] == 'x')
		return parse_base(s + 2, 16, out);
	return parse_base(s, 10, out);
}

enum trace_num_status trace_parse_dec_u64(const char *s, uint64_t *out)
{
	return parse_base(s, 10, out);
}
