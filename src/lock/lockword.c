/* SPDX-License-Identifier: MIT */
/*
 * The default locks' slow path: waiting for a lock word (lock_internal.h).
 *
 * Waiters sleep in a fixed table of buckets shared by every lock of the
 * process, the bucket chosen by hashing the word's address.  Locks hashing
 * to the same bucket share its condition variable: a wake-up for one of
 * them wakes the others' waiters too, which look at their own word again
 * and go back to sleep.
 *
 * No wake-up is lost: a waiter holds its bucket's mutex from the moment it
 * reads the word until pthread_cond_wait() releases it, and only sleeps on
 * a held word that has GPUVM_LW_WAITERS set (by itself, with a
 * compare-and-swap on exactly the word it read, or by an earlier waiter).
 * The holder's release exchanges the word to 0 and so sees that bit; it
 * then takes the same bucket mutex before broadcasting, which it can only
 * get once the waiter sleeps.  A waiter that finds the word changed reads
 * it again and decides again.
 */
#include <errno.h>
#include <pthread.h>

#include "lock_internal.h"

struct lw_bucket {
	_Alignas(64) pthread_mutex_t mutex;
	pthread_cond_t cond;
};

#define LW_BUCKET_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER }
#define LW_INIT2 LW_BUCKET_INIT, LW_BUCKET_INIT
#define LW_INIT4 LW_INIT2, LW_INIT2
#define LW_INIT8 LW_INIT4, LW_INIT4
#define LW_INIT16 LW_INIT8, LW_INIT8
#define LW_INIT32 LW_INIT16, LW_INIT16
#define LW_INIT64 LW_INIT32, LW_INIT32
#define LW_INIT128 LW_INIT64, LW_INIT64

#define LW_BUCKET_BITS 7
_Static_assert(GPUVM_LW_BUCKETS == 1u << LW_BUCKET_BITS &&
	       GPUVM_LW_BUCKETS == 128, "LW_INIT128 initialises the table");

static struct lw_bucket lw_table[GPUVM_LW_BUCKETS] = { LW_INIT128 };

unsigned int gpuvm_lw_bucket(const uint64_t *word)
{
	/* Fibonacci hashing of the address: the product's top bits. */
	uint64_t h = (uint64_t)(uintptr_t)word * 0x9e3779b97f4a7c15ull;

	return (unsigned int)(h >> (64 - LW_BUCKET_BITS));
}

/* 0 to wait for the holder recorded in @cur, or the wait-die verdict. */
static int lw_decide(uint64_t cur, uint64_t stamp)
{
	uint64_t holder = gpuvm_lw_stamp(cur);

	if (!stamp)
		return 0;
	if (holder == stamp)
		return -EALREADY;
	/* Die if younger than a holder that has a stamp; else wait. */
	if (holder && stamp > holder)
		return -EDEADLK;
	return 0;
}

int gpuvm_lw_lock_contended(uint64_t *word, uint64_t want, uint64_t stamp,
			    uint64_t cur)
{
	struct lw_bucket *b = NULL;
	int ret;

	for (;;) {
		if (!cur) {
			/* Free: take it (a failed swap updates @cur). */
			if (__atomic_compare_exchange_n(word, &cur, want, false,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED)) {
				ret = 0;
				break;
			}
			continue;
		}
		ret = lw_decide(cur, stamp);
		if (ret)
			break;
		if (!b) {
			/* Wait: from now on read the word under the bucket. */
			b = &lw_table[gpuvm_lw_bucket(word)];
			pthread_mutex_lock(&b->mutex);
			cur = __atomic_load_n(word, __ATOMIC_RELAXED);
			continue;
		}
		if (!(cur & GPUVM_LW_WAITERS) &&
		    !__atomic_compare_exchange_n(word, &cur,
						 cur | GPUVM_LW_WAITERS, false,
						 __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			continue;
		pthread_cond_wait(&b->cond, &b->mutex);
		cur = __atomic_load_n(word, __ATOMIC_RELAXED);
	}
	if (b)
		pthread_mutex_unlock(&b->mutex);
	return ret;
}

void gpuvm_lw_wake(const uint64_t *word)
{
	struct lw_bucket *b = &lw_table[gpuvm_lw_bucket(word)];

	pthread_mutex_lock(&b->mutex);
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->mutex);
}
