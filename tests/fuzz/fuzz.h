/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets: the libFuzzer entry point, an assertion that
 * aborts (libFuzzer and the corpus replayer both treat an abort as a
 * finding), and a reader that turns the input bytes into small numbers.
 */
#ifndef GPUVM_FUZZ_H
#define GPUVM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/** LLVMFuzzerTestOneInput() - run one input; always returns 0 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** FZ_REQUIRE() - abort with the failed condition and its place */
#define FZ_REQUIRE(cond)						\
	do {								\
		if (!(cond))						\
			fz_fail(__FILE__, __LINE__, #cond, 0, 0);	\
	} while (0)

/** FZ_EQ() - abort unless @a == @b, printing both (as 64-bit values) */
#define FZ_EQ(a, b)							\
	do {								\
		unsigned long long fz_a_ = (unsigned long long)(a);	\
		unsigned long long fz_b_ = (unsigned long long)(b);	\
		if (fz_a_ != fz_b_)					\
			fz_fail(__FILE__, __LINE__, #a " == " #b,	\
				fz_a_, fz_b_);				\
	} while (0)

static inline _Noreturn void fz_fail(const char *file, int line,
				     const char *what,
				     unsigned long long a,
				     unsigned long long b)
{
	fprintf(stderr, "%s:%d: check failed: %s (0x%llx vs 0x%llx)\n",
		file, line, what, a, b);
	fflush(stderr);
	abort();
}

/**
 * struct fz_bytes - the input, consumed from the front
 * @p: next byte
 * @end: one past the last byte
 *
 * Reads past the end give zeros, so every input is a valid program.
 */
struct fz_bytes {
	const uint8_t *p;
	const uint8_t *end;
};

static inline void fz_bytes_init(struct fz_bytes *b, const uint8_t *data,
				 size_t size)
{
	b->p = data;
	b->end = data + size;
}

static inline int fz_more(const struct fz_bytes *b)
{
	return b->p < b->end;
}

static inline unsigned int fz_u8(struct fz_bytes *b)
{
	return b->p < b->end ? *b->p++ : 0;
}

static inline unsigned int fz_u16(struct fz_bytes *b)
{
	unsigned int lo = fz_u8(b);

	return lo | fz_u8(b) << 8;
}

#endif
