/* SPDX-License-Identifier: MIT */
/*
 * Lexical layer of the VM_BIND trace format (docs/trace-format.md):
 * reading lines, cutting comments, splitting tokens and converting numbers.
 * It knows nothing about the commands themselves; see replay.c.
 */
#ifndef GPUVM_REPLAY_TRACE_PARSE_H
#define GPUVM_REPLAY_TRACE_PARSE_H

#include <stdint.h>
#include <stdio.h>

/* The longest command (map) has four arguments; keep a few spare slots. */
#define TRACE_MAX_TOKENS 8

/**
 * struct trace_line - one line split into tokens
 * @count: number of tokens on the line (may exceed TRACE_MAX_TOKENS)
 * @tok: the first min(@count, TRACE_MAX_TOKENS) tokens, NUL-terminated,
 *       pointing into the line buffer
 * @comment: the text after the line's '#' (into the line buffer), or NULL
 *       when it has no comment
 * @num_ok: bit i set: trace_parse_u64() reads @tok[i] as @val[i] (the
 *       lexer converts the usual numbers on its way; a clear bit only
 *       means: call the parser)
 * @dec_ok: bit i set: so does trace_parse_dec_u64()
 * @val: see @num_ok
 */
struct trace_line {
	unsigned int count;
	const char *tok[TRACE_MAX_TOKENS];
	const char *comment;
	unsigned int num_ok;
	unsigned int dec_ok;
	uint64_t val[TRACE_MAX_TOKENS];
};

/**
 * struct trace_reader - reads a trace one line at a time
 * @fp: the stream, read in large blocks
 * @buf: what was read and not returned yet (grown for long lines)
 * @cap: size of @buf
 * @start: offset in @buf of the next line
 * @end: offset in @buf of the end of the data read
 * @eof: the stream has no more data
 * @lineno: number of the line last returned (1-based)
 */
struct trace_reader {
	FILE *fp;
	char *buf;
	size_t cap;
	size_t start;
	size_t end;
	int eof;
	unsigned long lineno;
};

/** enum trace_read_status - result of trace_reader_next() */
enum trace_read_status {
	TRACE_READ_LINE,	/* a line was split into the caller's trace_line */
	TRACE_READ_EOF,		/* end of input */
	TRACE_READ_IO_ERROR,	/* the stream reported an error (see errno) */
	TRACE_READ_NUL_BYTE,	/* the line holds a NUL byte */
	TRACE_READ_NO_MEMORY,	/* the line buffer could not grow */
};

/** trace_reader_init() - prepare @rd to read @fp */
void trace_reader_init(struct trace_reader *rd, FILE *fp);

/** trace_reader_release() - free the line buffer (does not close the stream) */
void trace_reader_release(struct trace_reader *rd);

/**
 * trace_reader_next() - read the next line and split it
 * @rd: the reader
 * @line: receives the tokens; blank and comment-only lines give @count 0
 *
 * The tokens stay valid until the next call.
 */
enum trace_read_status trace_reader_next(struct trace_reader *rd,
					 struct trace_line *line);

/**
 * trace_split() - cut the comment off @text and split it into tokens
 * @text: a NUL-terminated line without its newline; modified in place
 * @line: receives the tokens
 */
void trace_split(char *text, struct trace_line *line);

/** enum trace_num_status - result of the number parsers */
enum trace_num_status {
	TRACE_NUM_OK = 0,
	TRACE_NUM_BAD,		/* not a number in the accepted syntax */
	TRACE_NUM_OVERFLOW,	/* does not fit in 64 bits */
};

/**
 * trace_parse_u64() - parse "0x" followed by hex digits, or decimal digits
 *
 * No sign, no whitespace, no octal (a leading 0 is plain decimal).
 */
enum trace_num_status trace_parse_u64(const char *s, uint64_t *out);

/** trace_parse_dec_u64() - parse decimal digits only (BO ids) */
enum trace_num_status trace_parse_dec_u64(const char *s, uint64_t *out);

#endif
