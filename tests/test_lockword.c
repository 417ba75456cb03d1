// SPDX-License-Identifier: MIT
/*
 * The default locks' lock word and its wait buckets (src/lock/lockword.c):
 *
 *  - the word itself, through the library-internal API: the uncontended
 *    compare-and-swap and exchange, the wait-die verdicts read from the
 *    word, the verdict taken again after a wake-up, two locks sharing a
 *    bucket, many waiters on one word;
 *  - contention through the public API: plain gpuvm_lock and
 *    gpuvm_resv_lock() on few locks from several threads, and execution
 *    contexts locking overlapping sets of objects in different orders
 *    under wait-die, with counters guarded by the locks checked at the end.
 *
 * Worker threads never call ck_assert*() (see test_locking.c): they record
 * what went wrong and the test thread asserts after joining them.
 */
#include "support.h"

#include "lock/lock_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool under_valgrind(void)
{
	return getenv("GPUVM_UNDER_VALGRIND") != NULL;
}

static unsigned int scaled(unsigned int n)
{
	return under_valgrind() ? n / 20 : n;
}

static uint64_t load(const uint64_t *word)
{
	return __atomic_load_n(word, __ATOMIC_RELAXED);
}

/* A word held by a context of stamp @stamp (0: outside any context). */
static uint64_t held_by(uint64_t stamp)
{
	return GPUVM_LW_LOCKED | stamp << GPUVM_LW_STAMP_SHIFT;
}

/* Wait (up to 20 s, more under valgrind) until @word has its WAITERS bit. */
static void wait_for_waiter(const uint64_t *word)
{
	unsigned int ms, limit = under_valgrind() ? 100000 : 20000;

	for (ms = 0; ms < limit; ms++) {
		if (load(word) & GPUVM_LW_WAITERS)
			return;
		ts_sleep_ms(1);
	}
	ck_abort_msg("no waiter showed up on the lock word");
}

/* ------------------------------------------------------------------------ */
/* The word, one thread                                                     */

START_TEST(test_lw_uncontended)
{
	uint64_t w = 0;

	ck_assert_int_eq(gpuvm_lw_lock(&w, held_by(7), 7), 0);
	ck_assert_uint_eq(w, held_by(7));
	ck_assert_uint_eq(gpuvm_lw_stamp(w), 7);
	gpuvm_lw_unlock(&w);
	ck_assert_uint_eq(w, 0);

	/* outside any context: stamp 0 */
	ck_assert_int_eq(gpuvm_lw_lock(&w, GPUVM_LW_LOCKED, 0), 0);
	ck_assert_uint_eq(w, GPUVM_LW_LOCKED);
	ck_assert_uint_eq(gpuvm_lw_stamp(w), 0);
	gpuvm_lw_unlock(&w);
	ck_assert_uint_eq(w, 0);
}
END_TEST

/* The verdicts that need no wait: the word does not change. */
START_TEST(test_lw_verdicts)
{
	uint64_t w = held_by(5);

	/* the holder itself */
	ck_assert_int_eq(gpuvm_lw_lock(&w, held_by(5), 5), -EALREADY);
	ck_assert_uint_eq(w, held_by(5));
	/* younger than the holder: die */
	ck_assert_int_eq(gpuvm_lw_lock(&w, held_by(6), 6), -EDEADLK);
	ck_assert_uint_eq(w, held_by(5));
	/* the waiters bit changes nothing to the verdicts */
	w |= GPUVM_LW_WAITERS;
	ck_assert_int_eq(gpuvm_lw_lock(&w, held_by(5), 5), -EALREADY);
	ck_assert_int_eq(gpuvm_lw_lock(&w, held_by(9), 9), -EDEADLK);
	ck_assert_uint_eq(w, held_by(5) | GPUVM_LW_WAITERS);

	/* through the public API: the same rules for the default resv */
	{
		struct gpuvm_resv r;
		struct gpuvm_exec a, b;

		gpuvm_exec_init(&a, 0);
		gpuvm_exec_init(&b, 0);
		ck_assert_uint_lt(a.stamp, b.stamp);
		gpuvm_resv_init(&r, NULL);
		ck_assert_int_eq(r.ops->lock(&r, &a), 0);
		ck_assert_uint_eq(r.state, held_by(a.stamp));
		ck_assert_int_eq(r.ops->lock(&r, &a), -EALREADY);
		ck_assert_int_eq(r.ops->lock(&r, &b), -EDEADLK);
		ck_assert_uint_eq(r.state, held_by(a.stamp));
		gpuvm_resv_unlock(&r);
		ck_assert_uint_eq(r.state, 0);
		/* the younger takes it once free; the older would wait */
		ck_assert_int_eq(r.ops->lock(&r, &b), 0);
		ck_assert_uint_eq(r.state, held_by(b.stamp));
		gpuvm_resv_unlock(&r);
		gpuvm_resv_fini(&r);
		gpuvm_exec_fini(&a);
		gpuvm_exec_fini(&b);
	}
}
END_TEST

START_TEST(test_lw_buckets)
{
	static uint64_t words[1024];
	bool hit[GPUVM_LW_BUCKETS] = { false };
	unsigned int i, n = 0;

	for (i = 0; i < 1024; i++) {
		unsigned int b = gpuvm_lw_bucket(&words[i]);

		ck_assert_uint_lt(b, GPUVM_LW_BUCKETS);
		ck_assert_uint_eq(b, gpuvm_lw_bucket(&words[i]));
		if (!hit[b])
			n++;
		hit[b] = true;
	}
	/* consecutive words spread over (nearly) every bucket */
	ck_assert_uint_ge(n, GPUVM_LW_BUCKETS * 3 / 4);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The word, with waiting threads                                           */

struct waiter {
	pthread_t thread;
	uint64_t *word;
	uint64_t want;
	uint64_t stamp;
	bool unlock;		/* release the word once taken */
	int ret;
	int done;		/* atomic */
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = gpuvm_lw_lock(w->word, w->want, w->stamp);
	if (!w->ret && w->unlock)
		gpuvm_lw_unlock(w->word);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void waiter_start(struct waiter *w, uint64_t *word, uint64_t stamp,
			 bool unlock)
{
	memset(w, 0, sizeof(*w));
	w->word = word;
	w->stamp = stamp;
	w->want = held_by(stamp);
	w->unlock = unlock;
	w->ret = 1;
	ck_assert_int_eq(pthread_create(&w->thread, NULL, waiter_fn, w), 0);
}

static bool waiter_done(struct waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

static int waiter_join(struct waiter *w)
{
	ck_assert_int_eq(pthread_join(w->thread, NULL), 0);
	return w->ret;
}

/*
 * A context that waits for a lock decides again on every wake-up: here the
 * holder changes under a sleeping waiter (the test rewrites the word, as if
 * the holder had let go and another taken it before the waiter woke).
 */
START_TEST(test_lw_verdict_after_wakeup)
{
	static const struct {
		uint64_t new_holder;
		int ret;
	} cases[] = {
		{ 3, -EDEADLK },	/* an older context took it: die */
		{ 5, -EALREADY },	/* its own context's stamp */
	};
	uint64_t w = GPUVM_LW_LOCKED;	/* held outside any context */
	struct waiter a;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		w = GPUVM_LW_LOCKED;
		waiter_start(&a, &w, 5, false);
		wait_for_waiter(&w);
		ck_assert(!waiter_done(&a));
		__atomic_store_n(&w, held_by(cases[i].new_holder) |
				 GPUVM_LW_WAITERS, __ATOMIC_RELAXED);
		gpuvm_lw_wake(&w);
		ck_assert_int_eq(waiter_join(&a), cases[i].ret);
		ck_assert_uint_eq(w, held_by(cases[i].new_holder) |
				  GPUVM_LW_WAITERS);
		gpuvm_lw_unlock(&w);
		ck_assert_uint_eq(w, 0);
	}

	/* a younger context took it: keep waiting, then take it */
	w = GPUVM_LW_LOCKED;
	waiter_start(&a, &w, 5, false);
	wait_for_waiter(&w);
	__atomic_store_n(&w, held_by(9) | GPUVM_LW_WAITERS, __ATOMIC_RELAXED);
	gpuvm_lw_wake(&w);
	ts_sleep_ms(20);
	ck_assert(!waiter_done(&a));
	wait_for_waiter(&w);
	gpuvm_lw_unlock(&w);
	ck_assert_int_eq(waiter_join(&a), 0);
	/* the only waiter: the bit went with the release */
	ck_assert_uint_eq(w, held_by(5));
	gpuvm_lw_unlock(&w);
	ck_assert_uint_eq(w, 0);
}
END_TEST

/* Two words in one bucket: waking one's waiters leaves the other's asleep. */
START_TEST(test_lw_bucket_collision)
{
	static uint64_t words[2 * GPUVM_LW_BUCKETS + 1];
	uint64_t *w1 = NULL, *w2 = NULL;
	struct waiter a, b;
	unsigned int i, j;

	/* pigeonhole: two of these share a bucket */
	for (i = 0; i < 2 * GPUVM_LW_BUCKETS + 1 && !w2; i++)
		for (j = 0; j < i && !w2; j++)
			if (gpuvm_lw_bucket(&words[i]) ==
			    gpuvm_lw_bucket(&words[j])) {
				w1 = &words[j];
				w2 = &words[i];
			}
	ck_assert_ptr_nonnull(w2);

	*w1 = GPUVM_LW_LOCKED;
	*w2 = GPUVM_LW_LOCKED;
	waiter_start(&a, w1, 0, true);
	waiter_start(&b, w2, 0, true);
	wait_for_waiter(w1);
	wait_for_waiter(w2);

	/* the broadcast for w1 wakes b too, which sleeps again */
	gpuvm_lw_unlock(w1);
	ck_assert_int_eq(waiter_join(&a), 0);
	ts_sleep_ms(20);
	ck_assert(!waiter_done(&b));
	ck_assert_uint_eq(load(w2), GPUVM_LW_LOCKED | GPUVM_LW_WAITERS);
	ck_assert_uint_eq(load(w1), 0);

	gpuvm_lw_unlock(w2);
	ck_assert_int_eq(waiter_join(&b), 0);
	ck_assert_uint_eq(load(w2), 0);
}
END_TEST

/* Many waiters on one word: each gets it in turn, none is lost. */
START_TEST(test_lw_many_waiters)
{
	enum { N = 6 };
	static uint64_t w;
	struct waiter t[N];
	unsigned int i;

	w = GPUVM_LW_LOCKED;
	for (i = 0; i < N; i++)
		waiter_start(&t[i], &w, 0, true);
	wait_for_waiter(&w);
	ts_sleep_ms(20);		/* let the others queue up too */
	gpuvm_lw_unlock(&w);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(waiter_join(&t[i]), 0);
	ck_assert_uint_eq(w, 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Plain contention through the public API                                  */

#define PLAIN_LOCKS 3
#define PLAIN_THREADS 4

struct plain {
	struct gpuvm_lock lock[PLAIN_LOCKS];
	struct gpuvm_resv resv[PLAIN_LOCKS];
	unsigned long lock_count[PLAIN_LOCKS];	/* under lock[i] */
	unsigned long resv_count[PLAIN_LOCKS];	/* under resv[i] */
	int inside[PLAIN_LOCKS];		/* under lock[i]: occupancy */
	unsigned int iterations;
};

struct plain_worker {
	struct plain *p;
	pthread_t thread;
	unsigned int id;
	unsigned long errors;
};

static void *plain_fn(void *arg)
{
	struct plain_worker *w = arg;
	struct plain *p = w->p;
	unsigned int it;

	for (it = 0; it < p->iterations; it++) {
		unsigned int i = (it + w->id) % PLAIN_LOCKS;

		gpuvm_lock_lock(&p->lock[i]);
		if (!gpuvm_lock_held(&p->lock[i]) || p->inside[i])
			w->errors++;
		p->inside[i] = 1;
		p->lock_count[i]++;
		if (it % 64 == 0)
			sched_yield();	/* hold it a while: others park */
		p->inside[i] = 0;
		gpuvm_lock_unlock(&p->lock[i]);

		if (gpuvm_resv_lock(&p->resv[i]))
			w->errors++;
		if (!gpuvm_resv_held(&p->resv[i]))
			w->errors++;
		p->resv_count[i]++;
		gpuvm_resv_unlock(&p->resv[i]);
	}
	return NULL;
}

START_TEST(test_plain_contention)
{
	static struct plain p;
	struct plain_worker w[PLAIN_THREADS];
	unsigned long lock_sum = 0, resv_sum = 0, total;
	unsigned int i;

	memset(&p, 0, sizeof(p));
	p.iterations = scaled(40000);
	for (i = 0; i < PLAIN_LOCKS; i++) {
		gpuvm_lock_init(&p.lock[i], NULL);
		gpuvm_resv_init(&p.resv[i], NULL);
	}
	memset(w, 0, sizeof(w));
	for (i = 0; i < PLAIN_THREADS; i++) {
		w[i].p = &p;
		w[i].id = i;
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, plain_fn,
						&w[i]), 0);
	}
	for (i = 0; i < PLAIN_THREADS; i++) {
		ck_assert_int_eq(pthread_join(w[i].thread, NULL), 0);
		ck_assert_uint_eq(w[i].errors, 0);
	}
	for (i = 0; i < PLAIN_LOCKS; i++) {
		lock_sum += p.lock_count[i];
		resv_sum += p.resv_count[i];
		ck_assert_uint_eq(p.lock[i].state, 0);
		ck_assert_uint_eq(p.resv[i].state, 0);
		ck_assert(!gpuvm_lock_held(&p.lock[i]));
		gpuvm_lock_fini(&p.lock[i]);
		gpuvm_resv_fini(&p.resv[i]);
	}
	total = PLAIN_THREADS * (unsigned long)p.iterations;
	ck_assert_uint_eq(lock_sum, total);
	ck_assert_uint_eq(resv_sum, total);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Wait-die: overlapping sets in different orders                           */

#define WD_OBJS 8
#define WD_THREADS 4
#define WD_SET_MAX 4

/*
 * Objects 6 and 7 share a resv (VM-private ones do), so a set holding both
 * meets -EALREADY, which GPUVM_EXEC_IGNORE_DUPLICATES turns into success.
 */
struct wd {
	struct gpuvm_resv shared;
	struct gpuvm_bo objs[WD_OBJS];
	unsigned long count[WD_OBJS];	/* count[i] under objs[i]'s resv */
	unsigned int iterations;
};

struct wd_worker {
	struct wd *s;
	pthread_t thread;
	unsigned int seed;
	unsigned long added[WD_OBJS];	/* this thread's part of count */
	char err[160];
};

/* A random set of 1..WD_SET_MAX distinct objects in a random order. */
static unsigned int wd_pick(struct wd_worker *w, unsigned int *set)
{
	unsigned int n = 1 + (unsigned int)rand_r(&w->seed) % WD_SET_MAX;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		set[i] = (unsigned int)rand_r(&w->seed) % WD_OBJS;
		for (j = 0; j < i; j++)
			if (set[j] == set[i])
				break;
		if (j < i)
			i--;	/* taken already: draw again */
	}
	return n;
}

static void *wd_fn(void *arg)
{
	struct wd_worker *w = arg;
	struct wd *s = w->s;
	unsigned int set[WD_SET_MAX], n, i, it;
	struct gpuvm_exec e;
	int ret;

	for (it = 0; it < s->iterations; it++) {
		n = wd_pick(w, set);
		if (it % 7 == 0) {
			/* now and then a plain lock outside any context */
			struct gpuvm_bo *o = &s->objs[set[0]];

			if (gpuvm_resv_lock(o->resv)) {
				snprintf(w->err, sizeof(w->err),
					 "iteration %u: plain lock failed", it);
				return NULL;
			}
			s->count[set[0]]++;
			w->added[set[0]]++;
			gpuvm_resv_unlock(o->resv);
			continue;
		}
		gpuvm_exec_init(&e, GPUVM_EXEC_IGNORE_DUPLICATES);
		do {
			ret = 0;
			for (i = 0; i < n && !ret; i++)
				ret = gpuvm_exec_lock_obj(&e, &s->objs[set[i]]);
		} while (gpuvm_exec_retry(&e, &ret));
		if (ret) {
			snprintf(w->err, sizeof(w->err),
				 "iteration %u: locking returned %d", it, ret);
			gpuvm_exec_fini(&e);
			return NULL;
		}
		for (i = 0; i < n; i++) {
			if (!gpuvm_resv_held(s->objs[set[i]].resv)) {
				snprintf(w->err, sizeof(w->err),
					 "iteration %u: object %u not held",
					 it, set[i]);
				gpuvm_exec_fini(&e);
				return NULL;
			}
			s->count[set[i]]++;
			w->added[set[i]]++;
		}
		if (it % 32 == 0)
			sched_yield();
		gpuvm_exec_fini(&e);
	}
	return NULL;
}

START_TEST(test_waitdie_overlapping_sets)
{
	static struct wd s;
	struct wd_worker w[WD_THREADS];
	unsigned int i, j;

	memset(&s, 0, sizeof(s));
	s.iterations = scaled(20000);
	gpuvm_resv_init(&s.shared, NULL);
	for (i = 0; i < WD_OBJS; i++)
		gpuvm_bo_init(&s.objs[i], NULL, i >= 6 ? &s.shared : NULL);
	memset(w, 0, sizeof(w));
	for (i = 0; i < WD_THREADS; i++) {
		w[i].s = &s;
		w[i].seed = 0x2545f491u * (i + 1);
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, wd_fn,
						&w[i]), 0);
	}
	for (i = 0; i < WD_THREADS; i++)
		ck_assert_int_eq(pthread_join(w[i].thread, NULL), 0);
	for (i = 0; i < WD_THREADS; i++) {
		ck_assert_msg(w[i].err[0] == '\0', "worker %u: %s", i,
			      w[i].err);
	}
	for (j = 0; j < WD_OBJS; j++) {
		unsigned long sum = 0;

		for (i = 0; i < WD_THREADS; i++)
			sum += w[i].added[j];
		ck_assert_uint_eq(s.count[j], sum);
		ck_assert(!ts_resv_locked(s.objs[j].resv));
		gpuvm_bo_fini(&s.objs[j]);
	}
	ck_assert_uint_eq(s.shared.state, 0);
	gpuvm_resv_fini(&s.shared);
}
END_TEST

static Suite *lockword_suite(void)
{
	Suite *s = suite_create("lockword");
	TCase *tc;

	tc = tcase_create("word");
	tcase_add_test(tc, test_lw_uncontended);
	tcase_add_test(tc, test_lw_verdicts);
	tcase_add_test(tc, test_lw_buckets);
	tcase_add_test(tc, test_lw_verdict_after_wakeup);
	tcase_add_test(tc, test_lw_bucket_collision);
	tcase_add_test(tc, test_lw_many_waiters);
	suite_add_tcase(s, tc);

	tc = tcase_create("contention");
	tcase_add_test(tc, test_plain_contention);
	tcase_add_test(tc, test_waitdie_overlapping_sets);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(lockword_suite());
}
