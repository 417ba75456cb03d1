// SPDX-License-Identifier: MIT
/*
 * Lexical layer of the trace format: lines, comments, tokens, numbers.
 *
 * The reader takes the stream in 64 KiB blocks and cuts the lines out of
 * its buffer in place; the lexer and the number parsers go through each
 * byte once, with lookup tables instead of chains of comparisons.
 */
#include "trace_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The reader's first buffer; doubled for a line that does not fit. */
#define TRACE_BLOCK 65536

void trace_reader_init(struct trace_reader *rd, FILE *fp)
{
	rd->fp = fp;
	rd->buf = NULL;
	rd->cap = 0;
	rd->start = 0;
	rd->end = 0;
	rd->eof = 0;
	rd->lineno = 0;
}

void trace_reader_release(struct trace_reader *rd)
{
	free(rd->buf);
	rd->buf = NULL;
	rd->cap = 0;
	rd->start = 0;
	rd->end = 0;
}

/* Byte classes of the lexer. */
enum {
	CH_TOKEN = 0,	/* part of a token */
	CH_BLANK,	/* ' ', '\t' */
	CH_HASH,	/* '#': a comment starts */
	CH_NUL,		/* '\0': end of the text */
};

static const unsigned char char_class[256] = {
	['\0'] = CH_NUL, [' '] = CH_BLANK, ['\t'] = CH_BLANK, ['#'] = CH_HASH,
};

/* One more than the value of each hex digit; 0 for other bytes. */
static const unsigned char hex_value1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * Scan the token at @p as a number on the way: "0x" and at most 16
 * significant hex digits, or at most 19 significant decimal digits (what
 * cannot overflow).  Returns the end of the digits and sets *@v, *@ok (a
 * number of that form, if the token ends there) and *@hex.  Inlined: the
 * lexer calls it for every token.
 */
static inline __attribute__((always_inline)) const unsigned char *
scan_number(const unsigned char *p, uint64_t *v, bool *ok, bool *hex)
{
	const unsigned char *q = p, *first;
	uint64_t x = 0;
	unsigned int d;

	*hex = p[0] == '0' && p[1] == 'x';
	if (*hex) {
		q = p + 2;
		while (*q == '0')
			q++;
		first = q;
		while ((d = hex_value1[*q] - 1u) <= 15) {
			x = (x << 4) | d;
			q++;
		}
		*ok = q > p + 2 && q - first <= 16;
	} else {
		while (*q == '0')
			q++;
		first = q;
		while ((d = (unsigned int)*q - '0') <= 9) {
			x = x * 10 + d;
			q++;
		}
		*ok = q > p && q - first <= 19;
	}
	*v = x;
	return q;
}

/*
 * Split the NUL-terminated @text as trace_split() does; returns where the
 * scan stopped: the terminating NUL, or the '#' of a comment (then
 * line->comment is set).  Inlined into the reader: no call per line.
 */
static inline __attribute__((always_inline)) char *
split(char *text, struct trace_line *line)
{
	unsigned char *p = (unsigned char *)text;
	unsigned int n = 0, num_ok = 0, dec_ok = 0;

	line->comment = NULL;
	for (;;) {
		unsigned char *start;
		uint64_t v;
		bool ok, hex;

		while (char_class[*p] == CH_BLANK)
			p++;
		if (char_class[*p] != CH_TOKEN)
			break;

		start = p;
		p += scan_number(p, &v, &ok, &hex) - p;
		if (char_class[*p] == CH_TOKEN) {
			/* not a number after all */
			ok = false;
			while (char_class[*p] == CH_TOKEN)
				p++;
		}
		if (n < TRACE_MAX_TOKENS) {
			line->tok[n] = (const char *)start;
			line->val[n] = v;
			num_ok |= (unsigned int)ok << n;
			dec_ok |= (unsigned int)(ok && !hex) << n;
		}
		n++;

		/* A comment may follow a token without a blank in between. */
		if (char_class[*p] != CH_BLANK)
			break;
		*p++ = '\0';
	}
	line->count = n;
	line->num_ok = num_ok;
	line->dec_ok = dec_ok;
	if (*p == '#') {
		*p = '\0';
		line->comment = (const char *)p + 1;
	}
	return (char *)p;
}

void trace_split(char *text, struct trace_line *line)
{
	split(text, line);
}

/*
 * Make room to read more: move the unreturned bytes to the front, and
 * double the buffer when they fill it.  One byte is kept spare for the
 * NUL ending a last line without newline.
 */
static int reader_make_room(struct trace_reader *rd)
{
	size_t keep = rd->end - rd->start;
	size_t cap = rd->cap ? 2 * rd->cap : TRACE_BLOCK;
	char *buf;

	if (rd->start) {
		memmove(rd->buf, rd->buf + rd->start, keep);
		rd->start = 0;
		rd->end = keep;
	}
	if (keep + 1 < rd->cap)
		return 0;
	if (rd->cap > ((size_t)-1) / 2)
		return -1;
	buf = realloc(rd->buf, cap);
	if (!buf)
		return -1;
	rd->buf = buf;
	rd->cap = cap;
	return 0;
}

enum trace_read_status trace_reader_next(struct trace_reader *rd,
					 struct trace_line *line)
{
	char *text, *nl, *stop;
	size_t len, n;

	for (;;) {
		size_t avail = rd->end - rd->start;

		/* (no buffer yet before the first read) */
		text = avail ? rd->buf + rd->start : NULL;
		nl = avail ? memchr(text, '\n', avail) : NULL;
		if (nl) {
			len = (size_t)(nl - text);
			rd->start += len + 1;
			break;
		}
		if (rd->eof) {
			if (!avail)
				return TRACE_READ_EOF;
			/* the last line has no newline */
			len = avail;
			rd->start = rd->end;
			break;
		}
		if (reader_make_room(rd))
			return TRACE_READ_NO_MEMORY;
		errno = 0;
		n = fread(rd->buf + rd->end, 1, rd->cap - 1 - rd->end, rd->fp);
		rd->end += n;
		if (ferror(rd->fp))
			return TRACE_READ_IO_ERROR;
		if (n == 0)
			rd->eof = 1;
	}
	rd->lineno++;

	text[len] = '\0';
	/* Tolerate CRLF line ends. */
	if (len > 0 && text[len - 1] == '\r')
		text[--len] = '\0';

	stop = split(text, line);
	/* The scan stops at the first NUL; a comment is not scanned. */
	if (line->comment)
		stop += 1 + strlen(line->comment);
	if (stop != text + len)
		return TRACE_READ_NUL_BYTE;
	return TRACE_READ_LINE;
}

/*
 * The number parsers read the digits with the lexer's scan_number() and
 * tell an overflow from the count of significant digits: more than 16 hex
 * digits, or more than 20 decimal ones, or 20 that exceed UINT64_MAX.
 */
static enum trace_num_status parse_number(const char *s, bool allow_hex,
					  uint64_t *out)
{
	const unsigned char *p = (const unsigned char *)s, *q, *first;
	uint64_t v;
	bool ok, hex;

	q = scan_number(p, &v, &ok, &hex);
	/* a bad digit wins over an overflow */
	if (*q || (hex && !allow_hex))
		return TRACE_NUM_BAD;
	if (ok) {
		*out = v;
		return TRACE_NUM_OK;
	}
	first = p + (hex ? 2 : 0);
	if (q == first)
		return TRACE_NUM_BAD;	/* no digit at all */
	if (hex)
		return TRACE_NUM_OVERFLOW;
	/* 20 significant decimal digits or more */
	while (*first == '0')
		first++;
	if (q - first > 20)
		return TRACE_NUM_OVERFLOW;
	for (v = 0; first < q; first++)
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (unsigned int)*first - '0', &v))
			return TRACE_NUM_OVERFLOW;
	*out = v;
	return TRACE_NUM_OK;
}

enum trace_num_status trace_parse_u64(const char *s, uint64_t *out)
{
	return parse_number(s, true, out);
}

enum trace_num_status trace_parse_dec_u64(const char *s, uint64_t *out)
{
	return parse_number(s, false, out);
}
