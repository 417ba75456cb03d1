// SPDX-License-Identifier: MIT
/*
 * The trace lexer of gpuvm-replay (tools/replay/trace_parse.c), in process:
 * lines that cross the reader's 64 KiB blocks or are longer than a block,
 * a last line without newline, CRLF, a NUL byte (and the line it is on),
 * comments, more tokens than the line keeps, hex numbers of every length
 * through the reader (which reads them 16 bytes at a time), and the
 * number parsers at the edges of 64 bits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../support.h"
#include "trace_parse.h"

/* Read all of @text (@len bytes) into @lines; returns the last status. */
static enum trace_read_status read_all(const char *text, size_t len,
				       unsigned long *lines,
				       unsigned int *tokens)
{
	FILE *fp = fmemopen((void *)text, len, "r");
	enum trace_read_status st;
	struct trace_reader rd;
	struct trace_line line;

	ck_assert_ptr_nonnull(fp);
	trace_reader_init(&rd, fp);
	*tokens = 0;
	while ((st = trace_reader_next(&rd, &line)) == TRACE_READ_LINE)
		*tokens += line.count;
	*lines = rd.lineno;
	trace_reader_release(&rd);
	fclose(fp);
	return st;
}

START_TEST(test_block_boundaries)
{
	/* "map 0x1000 0x2000 7 0x0\n" lines, 24 bytes: one crosses 64 KiB */
	static const char one[] = "map 0x1000 0x2000 7 0x0\n";
	size_t n = 6000, len = n * (sizeof(one) - 1), i;
	char *text = malloc(len);
	FILE *fp;
	struct trace_reader rd;
	struct trace_line line;
	uint64_t v;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < n; i++)
		memcpy(text + i * (sizeof(one) - 1), one, sizeof(one) - 1);
	fp = fmemopen(text, len, "r");
	ck_assert_ptr_nonnull(fp);
	trace_reader_init(&rd, fp);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_LINE);
		ck_assert_uint_eq(rd.lineno, i + 1);
		ck_assert_uint_eq(line.count, 5);
		ck_assert_str_eq(line.tok[0], "map");
		ck_assert_int_eq(trace_parse_u64(line.tok[2], &v), TRACE_NUM_OK);
		ck_assert_uint_eq(v, 0x2000);
		ck_assert_str_eq(line.tok[4], "0x0");
		ck_assert_ptr_null(line.comment);
	}
	ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_EOF);
	ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_EOF);
	trace_reader_release(&rd);
	fclose(fp);
	free(text);
}
END_TEST

START_TEST(test_long_line)
{
	/* a 200 KB comment between two commands: the buffer grows twice */
	size_t clen = 200000, len = 4 + 1 + clen + 1 + 5;
	char *text = malloc(len), *p = text;
	unsigned long lines;
	unsigned int tokens;
	FILE *fp;
	struct trace_reader rd;
	struct trace_line line;

	ck_assert_ptr_nonnull(text);
	memcpy(p, "dump\n#", 6);
	p += 6;
	memset(p, 'c', clen - 1);
	p += clen - 1;
	memcpy(p, "\r\ndump", 6);
	ck_assert_int_eq(read_all(text, len, &lines, &tokens), TRACE_READ_EOF);
	ck_assert_uint_eq(lines, 3);
	ck_assert_uint_eq(tokens, 2);

	fp = fmemopen(text, len, "r");
	trace_reader_init(&rd, fp);
	ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_LINE);
	ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_LINE);
	ck_assert_uint_eq(line.count, 0);
	ck_assert_ptr_nonnull(line.comment);
	ck_assert_uint_eq(strlen(line.comment), clen - 1);
	/* the last line has no newline */
	ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_LINE);
	ck_assert_uint_eq(line.count, 1);
	ck_assert_str_eq(line.tok[0], "dump");
	ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_EOF);
	trace_reader_release(&rd);
	fclose(fp);
	free(text);
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char tok[] = "vm 0 1\nbo 1\0 2\n";
	static const char comment[] = "vm 0 1\n\nmap 1 # a\0b\ndump\n";
	static const char crlf[] = "dump\r\nd\0\r\n";
	unsigned long lines;
	unsigned int tokens;

	ck_assert_int_eq(read_all(tok, sizeof(tok) - 1, &lines, &tokens),
			 TRACE_READ_NUL_BYTE);
	ck_assert_uint_eq(lines, 2);
	ck_assert_int_eq(read_all(comment, sizeof(comment) - 1, &lines,
				  &tokens), TRACE_READ_NUL_BYTE);
	ck_assert_uint_eq(lines, 3);
	ck_assert_int_eq(read_all(crlf, sizeof(crlf) - 1, &lines, &tokens),
			 TRACE_READ_NUL_BYTE);
	ck_assert_uint_eq(lines, 2);
}
END_TEST

START_TEST(test_split)
{
	char text[] = "\t a  b#c d\t";
	char many[] = "1 2 3 4 5 6 7 8 9 10";
	char hash[] = "#";
	struct trace_line line;

	trace_split(text, &line);
	ck_assert_uint_eq(line.count, 2);
	ck_assert_str_eq(line.tok[0], "a");
	ck_assert_str_eq(line.tok[1], "b");
	ck_assert_str_eq(line.comment, "c d\t");

	trace_split(many, &line);
	ck_assert_uint_eq(line.count, 10);
	ck_assert_str_eq(line.tok[TRACE_MAX_TOKENS - 1], "8");
	ck_assert_ptr_null(line.comment);

	trace_split(hash, &line);
	ck_assert_uint_eq(line.count, 0);
	ck_assert_str_eq(line.comment, "");
}
END_TEST

/*
 * The numbers the lexer converts on its way agree with the parsers, and
 * those it leaves to them (too long, not numbers) are flagged so.
 */
START_TEST(test_lexer_numbers)
{
	static const char src[] = "map 0x1000 0X10 007 0x "
				  "0x00000000000000001 0x10000000000000000 12a#c";
	char text[sizeof(src)];
	char big[] = "99999999999999999999 1999999999999999999 0 0x0";
	struct trace_line line;
	unsigned int i;

	memcpy(text, src, sizeof(src));
	trace_split(text, &line);
	ck_assert_uint_eq(line.count, 8);
	ck_assert_uint_eq(line.num_ok, (1u << 1) | (1u << 3) | (1u << 5));
	ck_assert_uint_eq(line.dec_ok, 1u << 3);
	ck_assert_uint_eq(line.val[1], 0x1000);
	ck_assert_uint_eq(line.val[3], 7);
	ck_assert_uint_eq(line.val[5], 1);
	ck_assert_str_eq(line.tok[7], "12a");
	ck_assert_str_eq(line.comment, "c");

	trace_split(big, &line);
	ck_assert_uint_eq(line.count, 4);
	/* 20 digits are left to the parser, which knows about overflow */
	ck_assert_uint_eq(line.num_ok, 0xeu);
	ck_assert_uint_eq(line.dec_ok, 0x6u);
	ck_assert_uint_eq(line.val[1], 1999999999999999999ull);
	ck_assert_uint_eq(line.val[2], 0);
	ck_assert_uint_eq(line.val[3], 0);

	/* every flagged value is what the parsers say */
	memcpy(text, src, sizeof(src));
	trace_split(text, &line);
	for (i = 0; i < line.count; i++) {
		uint64_t v;

		if (line.num_ok & (1u << i)) {
			ck_assert_int_eq(trace_parse_u64(line.tok[i], &v),
					 TRACE_NUM_OK);
			ck_assert_uint_eq(v, line.val[i]);
		}
		if (line.dec_ok & (1u << i)) {
			ck_assert_int_eq(trace_parse_dec_u64(line.tok[i], &v),
					 TRACE_NUM_OK);
			ck_assert_uint_eq(v, line.val[i]);
		}
	}
}
END_TEST

/* @a (from the reader) and @b (from trace_split()) say the same. */
static void same_line(const struct trace_line *a, const struct trace_line *b)
{
	unsigned int i;

	ck_assert_uint_eq(a->count, b->count);
	ck_assert_uint_eq(a->num_ok, b->num_ok);
	ck_assert_uint_eq(a->dec_ok, b->dec_ok);
	for (i = 0; i < a->count && i < TRACE_MAX_TOKENS; i++) {
		ck_assert_str_eq(a->tok[i], b->tok[i]);
		if (a->num_ok & (1u << i))
			ck_assert_uint_eq(a->val[i], b->val[i]);
	}
	ck_assert(!a->comment == !b->comment);
	if (a->comment)
		ck_assert_str_eq(a->comment, b->comment);
}

/* Lines of test_reader_numbers(): digit counts, leading zeros, endings. */
#define LINES (17 * 3 * 7)

/*
 * The reader's lexer reads hex digits 16 bytes at a time (on x86-64): it
 * flags and converts what trace_split() does, for 1 to 17 significant
 * digits after 0 to 2 zeros, either case, whatever follows the number,
 * and for a number ending the data without newline.
 */
START_TEST(test_reader_numbers)
{
	static const char digits[] = "fEdCbA9876543210f";
	static const char *const after[] = { "",  " 7", "\t1", "#c",
					     "g", "\r", "0x12" };
	char *text = malloc(LINES * 64), *raw = malloc(LINES * 64);
	size_t len = 0, at[LINES + 1];
	unsigned int n, lead, k, i = 0;
	struct trace_reader rd;
	struct trace_line line, want;
	FILE *fp;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(raw);
	for (n = 1; n <= 17; n++)
		for (lead = 0; lead < 3; lead++)
			for (k = 0; k < 7; k++) {
				at[i++] = len;
				len += (size_t)sprintf(text + len,
						       "map 0x%.*s%.*s%s\n",
						       (int)lead, "00", (int)n,
						       digits, after[k]);
			}
	at[i] = len;
	/* the last line without its newline */
	len--;
	memcpy(raw, text, len);
	fp = fmemopen(text, len, "r");
	ck_assert_ptr_nonnull(fp);
	trace_reader_init(&rd, fp);
	for (i = 0; i < LINES; i++) {
		size_t end = at[i + 1] - 1;

		ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_LINE);
		/* the raw line without newline and CR, split the other way */
		if (raw[end - 1] == '\r')
			end--;
		raw[end] = '\0';
		trace_split(raw + at[i], &want);
		same_line(&line, &want);
		/* a number: 16 digits at most, and nothing glued on */
		n = i / 21 + 1;
		k = i % 7;
		ck_assert_uint_eq(line.num_ok & 2u,
				  n <= 16 && k != 4 && k != 6 ? 2u : 0u);
	}
	ck_assert_int_eq(trace_reader_next(&rd, &line), TRACE_READ_EOF);
	trace_reader_release(&rd);
	fclose(fp);
	free(text);
	free(raw);
}
END_TEST

struct num_case {
	const char *text;
	enum trace_num_status any;	/* trace_parse_u64() */
	enum trace_num_status dec;	/* trace_parse_dec_u64() */
	uint64_t value;
};

START_TEST(test_numbers)
{
	static const struct num_case cases[] = {
		{ "0", TRACE_NUM_OK, TRACE_NUM_OK, 0 },
		{ "000", TRACE_NUM_OK, TRACE_NUM_OK, 0 },
		{ "0x0", TRACE_NUM_OK, TRACE_NUM_BAD, 0 },
		{ "0x", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "0xAbCdEf", TRACE_NUM_OK, TRACE_NUM_BAD, 0xabcdef },
		{ "0xffffffffffffffff", TRACE_NUM_OK, TRACE_NUM_BAD, UINT64_MAX },
		{ "0x0000ffffffffffffffff", TRACE_NUM_OK, TRACE_NUM_BAD,
		  UINT64_MAX },
		{ "0x10000000000000000", TRACE_NUM_OVERFLOW, TRACE_NUM_BAD, 0 },
		{ "0x10000000000000000g", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "0xg", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "0X10", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "18446744073709551615", TRACE_NUM_OK, TRACE_NUM_OK,
		  UINT64_MAX },
		{ "0018446744073709551615", TRACE_NUM_OK, TRACE_NUM_OK,
		  UINT64_MAX },
		{ "18446744073709551616", TRACE_NUM_OVERFLOW,
		  TRACE_NUM_OVERFLOW, 0 },
		{ "99999999999999999999", TRACE_NUM_OVERFLOW,
		  TRACE_NUM_OVERFLOW, 0 },
		{ "100000000000000000000", TRACE_NUM_OVERFLOW,
		  TRACE_NUM_OVERFLOW, 0 },
		{ "100000000000000000000x", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "10000000000000000000", TRACE_NUM_OK, TRACE_NUM_OK,
		  10000000000000000000ull },
		{ "12a", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "-1", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "+1", TRACE_NUM_BAD, TRACE_NUM_BAD, 0 },
		{ "4096", TRACE_NUM_OK, TRACE_NUM_OK, 4096 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct num_case *c = &cases[i];
		uint64_t v = 0x5a5a;

		ck_assert_msg(trace_parse_u64(c->text, &v) == c->any,
			      "trace_parse_u64(\"%s\")", c->text);
		ck_assert_uint_eq(v, c->any == TRACE_NUM_OK ? c->value : 0x5a5a);
		v = 0x5a5a;
		ck_assert_msg(trace_parse_dec_u64(c->text, &v) == c->dec,
			      "trace_parse_dec_u64(\"%s\")", c->text);
		ck_assert_uint_eq(v, c->dec == TRACE_NUM_OK ? c->value : 0x5a5a);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trace_parse");
	TCase *tc = tcase_create("lexer");

	tcase_add_test(tc, test_block_boundaries);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_lexer_numbers);
	tcase_add_test(tc, test_reader_numbers);
	tcase_add_test(tc, test_numbers);
	suite_add_tcase(s, tc);
	return ts_run_suite(s);
}
