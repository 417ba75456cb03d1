// SPDX-License-Identifier: MIT
/*
 * Lexical layer of the trace format: lines, comments, tokens, numbers.
 *
 * The reader takes the stream in 64 KiB blocks and cuts the lines out of
 * its buffer in place; the lexer and the number parsers go through each
 * byte once, with lookup tables instead of chains of comparisons.  On
 * x86-64 the reader finds the end of a line, and its lexer converts a hex
 * number, 16 bytes at a time.
 */
#include "trace_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * x86-64: the reader looks for the end of a line, and its lexer converts
 * hex numbers, 16 bytes at a time with SSE2 (always there); elsewhere, or
 * built with -DTRACE_SCALAR_LEX, memchr() and a digit at a time.
 */
#if defined(__SSE2__) && defined(__x86_64__) && !defined(TRACE_SCALAR_LEX)
#define TRACE_SSE2_LEX 1
#include <emmintrin.h>
#endif

/* The reader's first buffer; doubled for a line that does not fit. */
#define TRACE_BLOCK 65536

/*
 * Bytes allocated past the reader buffer's @cap, and newlines right after
 * the data: the reader's line cut and its lexer read 16-byte blocks from
 * anywhere up to the end of the data.
 */
#define TRACE_PAD 16

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

#ifdef TRACE_SSE2_LEX
/*
 * The run of hex digits at @q, 1 to 16 of them (@q must be one): returns
 * their count and sets *@v to their value.  Each byte is classified and
 * turned into its nibble, neighbours are merged into bytes, and the 8
 * bytes read as a big-endian number hold the digits at the top.  Reads
 * 16 bytes.
 */
static inline __attribute__((always_inline)) unsigned int
hex_run16(const unsigned char *q, uint64_t *v)
{
	const __m128i c = _mm_loadu_si128((const __m128i *)q);
	const __m128i l = _mm_or_si128(c, _mm_set1_epi8(0x20));
	/* signed compares: bytes from 0x80 up are no digits */
	const __m128i dig =
		_mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)),
			      _mm_cmplt_epi8(c, _mm_set1_epi8('9' + 1)));
	const __m128i let =
		_mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
			      _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));
	unsigned int is_hex = (unsigned int)_mm_movemask_epi8(
		_mm_or_si128(dig, let));
	unsigned int n = (unsigned int)__builtin_ctz(~is_hex);
	/* a nibble for every byte, at most 15 for the others */
	__m128i x = _mm_add_epi8(_mm_and_si128(c, _mm_set1_epi8(0x0f)),
				 _mm_and_si128(let, _mm_set1_epi8(9)));
	uint64_t w;

	/* 16-bit lanes: first digit << 4 | second digit */
	x = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(x, _mm_set1_epi16(0xff)),
					4),
			 _mm_srli_epi16(x, 8));
	w = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(x, x));
	w = __builtin_bswap64(w);
	*v = w >> (64 - 4 * n);
	return n;
}
#endif

/*
 * Scan the token at @p as a number on the way: "0x" and at most 16
 * significant hex digits, or at most 19 significant decimal digits (what
 * cannot overflow).  Returns the end of the digits and sets *@v, *@ok (a
 * number of that form, if the token ends there) and *@hex.  Inlined: the
 * lexer calls it for every token.  With @wide (a constant), hex digits
 * may be read 16 bytes at a time: up to 15 bytes past the end of @p's
 * text, which must be there and defined (the reader's buffer).
 */
static inline __attribute__((always_inline)) const unsigned char *
scan_number(const unsigned char *p, uint64_t *v, bool *ok, bool *hex,
	    bool wide)
{
	const unsigned char *q = p, *first;
	uint64_t x = 0;
	unsigned int d;

	(void)wide;
	*hex = p[0] == '0' && p[1] == 'x';
	if (*hex) {
		q = p + 2;
		while (*q == '0')
			q++;
		first = q;
#ifdef TRACE_SSE2_LEX
		/* (the usual "0x0" has no significant digit left) */
		if (wide && hex_value1[*q]) {
			q += hex_run16(q, &x);
			/* more than 16 digits: the scalar loop goes on */
		}
#endif
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
 * line->comment is set).  Inlined into its two callers, the reader's
 * (no call per line) with @wide (see scan_number()).
 */
static inline __attribute__((always_inline)) char *
split(char *text, struct trace_line *line, bool wide)
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
		p += scan_number(p, &v, &ok, &hex, wide) - p;
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
	split(text, line, false);
}

/* After the data: the line cut's newline, and defined bytes. */
static void reader_pad(struct trace_reader *rd)
{
	memset(rd->buf + rd->end, '\n', TRACE_PAD);
}

/*
 * Make room to read more: move the unreturned bytes to the front, and
 * double the buffer when they fill it.  One byte is kept spare for the
 * NUL ending a last line without newline, and TRACE_PAD more past it.
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
		reader_pad(rd);
	}
	if (keep + 1 < rd->cap)
		return 0;
	if (rd->cap > ((size_t)-1 - TRACE_PAD) / 2)
		return -1;
	buf = realloc(rd->buf, cap + TRACE_PAD);
	if (!buf)
		return -1;
	rd->buf = buf;
	rd->cap = cap;
	return 0;
}

/* The offset of the first newline in the @avail bytes at @text, or @avail. */
static inline __attribute__((always_inline)) size_t
line_length(const char *text, size_t avail)
{
#ifdef TRACE_SSE2_LEX
	const __m128i nl = _mm_set1_epi8('\n');
	size_t off;

	/* the newline after the data stops it */
	(void)avail;
	for (off = 0;; off += 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(text + off));
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(c, nl));

		if (m)
			return off + (unsigned int)__builtin_ctz(m);
	}
#else
	const char *nl = memchr(text, '\n', avail);

	return nl ? (size_t)(nl - text) : avail;
#endif
}

enum trace_read_status trace_reader_next(struct trace_reader *rd,
					 struct trace_line *line)
{
	char *text, *stop;
	size_t len, n;

	for (;;) {
		size_t avail = rd->end - rd->start;

		if (avail) {
			text = rd->buf + rd->start;
			len = line_length(text, avail);
			if (len < avail) {
				rd->start += len + 1;
				break;
			}
			if (rd->eof) {
				/* the last line has no newline */
				rd->start = rd->end;
				break;
			}
		} else if (rd->eof) {
			return TRACE_READ_EOF;
		}
		if (reader_make_room(rd))
			return TRACE_READ_NO_MEMORY;
		errno = 0;
		n = fread(rd->buf + rd->end, 1, rd->cap - 1 - rd->end, rd->fp);
		rd->end += n;
		reader_pad(rd);
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

	stop = split(text, line, true);
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

	q = scan_number(p, &v, &ok, &hex, false);
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
