/* SPDX-License-Identifier: MIT */
/*
 * Shared by the default lock implementations (not installed).
 */
#ifndef GPUVM_LOCK_INTERNAL_H
#define GPUVM_LOCK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A value unique to the calling thread while it lives: the default locks
 * store it atomically as their holder, so held() needs no lock of its own.
 */
const void *gpuvm_thread_token(void);

/*
 * The default locks' state: one 64-bit word, 0 when free.  A held word has
 * GPUVM_LW_LOCKED set, GPUVM_LW_WAITERS if a thread may be asleep waiting
 * for it, and in the bits from GPUVM_LW_STAMP_SHIFT up the stamp of the
 * execution context holding it (0: held outside any context, or a plain
 * lock).  Holder and state change together, so whoever reads the word
 * knows who holds it at that instant.  (Stamps count contexts from 1; the
 * 62 bits they get here last for centuries of contexts.)
 *
 * Taking a free lock is one compare-and-swap from 0; releasing it is one
 * exchange to 0, followed by a wake-up only if the old word had
 * GPUVM_LW_WAITERS.  Waiting threads sleep in a process-wide table of
 * buckets (a mutex and a condition variable each) chosen by the word's
 * address, so a lock owns no pthread object at all.
 */
#define GPUVM_LW_LOCKED		((uint64_t)1)
#define GPUVM_LW_WAITERS	((uint64_t)2)
#define GPUVM_LW_STAMP_SHIFT	2

/* Number of wait buckets (a power of two). */
#define GPUVM_LW_BUCKETS	128u

/* The stamp recorded in a held word. */
static inline uint64_t gpuvm_lw_stamp(uint64_t word)
{
	return word >> GPUVM_LW_STAMP_SHIFT;
}

/*
 * The lock word was not free (*word was @cur when the caller's
 * compare-and-swap from 0 failed): take it as @want (GPUVM_LW_LOCKED and
 * the holder's stamp), waiting while needed.
 *
 * With @stamp nonzero (an execution context's), the wait-die rule is
 * applied to every fresh reading of the word: -EALREADY if the holder's
 * stamp is @stamp, -EDEADLK if the holder has a nonzero stamp older
 * (smaller) than @stamp; the lock is then not taken.  With @stamp 0 the
 * call waits until it has the lock.
 *
 * Returns 0 (the lock taken, with acquire ordering) or the negative errno.
 */
int gpuvm_lw_lock_contended(uint64_t *word, uint64_t want, uint64_t stamp,
			    uint64_t cur);

/* Wake every thread waiting in @word's bucket (its holder let go). */
void gpuvm_lw_wake(const uint64_t *word);

/* The wait bucket of @word, below GPUVM_LW_BUCKETS (for tests). */
unsigned int gpuvm_lw_bucket(const uint64_t *word);

/* Uncontended take of a free word: one compare-and-swap. */
static inline int gpuvm_lw_lock(uint64_t *word, uint64_t want, uint64_t stamp)
{
	uint64_t cur = 0;

	if (__atomic_compare_exchange_n(word, &cur, want, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	return gpuvm_lw_lock_contended(word, want, stamp, cur);
}

/* Take @word as a plain lock (no context, no stamp), waiting as long as needed. */
static inline void gpuvm_lw_lock_plain(uint64_t *word)
{
	(void)gpuvm_lw_lock(word, GPUVM_LW_LOCKED, 0);
}

/* Release: one exchange; the bucket only if someone may be waiting. */
static inline void gpuvm_lw_unlock(uint64_t *word)
{
	if (__atomic_exchange_n(word, (uint64_t)0, __ATOMIC_RELEASE) &
	    GPUVM_LW_WAITERS)
		gpuvm_lw_wake(word);
}

#endif
