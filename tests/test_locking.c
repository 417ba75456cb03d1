// SPDX-License-Identifier: MIT
/*
 * The lock layer: struct gpuvm_lock (default and custom ops), struct
 * gpuvm_resv (default wait-die lock with its fence array, custom ops),
 * struct gpuvm_exec (tracking, duplicates, references, fence reservation,
 * allocation failure), the wait-die back-off in one thread and in two, and
 * a multi-threaded deadlock-freedom stress run under a watchdog.
 *
 * Worker threads never call ck_assert*(): with CK_FORK=no (the valgrind
 * setup) a failed assertion longjmp()s, which is only valid in the thread
 * running the test.  They record what went wrong and the test thread
 * asserts on it after joining them.
 */
#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool under_valgrind(void)
{
	return getenv("GPUVM_UNDER_VALGRIND") != NULL;
}

/* Seconds to wait for something that should be immediate, scaled. */
static unsigned int slack_secs(unsigned int secs)
{
	return under_valgrind() ? secs * 5 : secs;
}

static struct timespec realtime_in(unsigned int secs)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	return ts;
}

/* ------------------------------------------------------------------------ */
/* Watchdog: a hang fails the test instead of blocking the run forever.     */

struct watchdog {
	pthread_t thread;
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	bool done;
	unsigned int secs;
	const char *what;
};

static void *watchdog_fn(void *arg)
{
	struct watchdog *w = arg;
	struct timespec deadline;
	bool done;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += w->secs;

	pthread_mutex_lock(&w->mutex);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cond, &w->mutex,
					   &deadline) == ETIMEDOUT)
			break;
	}
	done = w->done;
	pthread_mutex_unlock(&w->mutex);

	if (!done) {
		/* Nothing can recover a deadlocked test: end the process. */
		fprintf(stderr, "%s: watchdog expired after %u s (deadlock?)\n",
			w->what, w->secs);
		fflush(stderr);
		abort();
	}
	return NULL;
}

static void watchdog_start(struct watchdog *w, const char *what,
			   unsigned int secs)
{
	pthread_condattr_t attr;

	memset(w, 0, sizeof(*w));
	w->what = what;
	w->secs = secs;
	pthread_mutex_init(&w->mutex, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	ck_assert_int_eq(pthread_create(&w->thread, NULL, watchdog_fn, w), 0);
}

static void watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->mutex);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mutex);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mutex);
}

/*
 * Every test outside the "threads" case runs under a watchdog too: a lock
 * that blocks where it should fail (or never wakes up) would otherwise hang
 * the whole run when CK_FORK=no.
 */
static struct watchdog fixture_wd;
static bool fixture_wd_running;

static void fixture_wd_stop(void)
{
	if (fixture_wd_running)
		watchdog_stop(&fixture_wd);
	fixture_wd_running = false;
}

static void fixture_wd_start(void)
{
	/* a failed test may have skipped its teardown */
	fixture_wd_stop();
	watchdog_start(&fixture_wd, "test_locking", slack_secs(30));
	fixture_wd_running = true;
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */

/* A ts_bo whose resv is @resv (shared) instead of its own. */
static void ts_bo_init_shared(struct ts_bo *bo, int id, struct gpuvm_resv *resv)
{
	const struct gpuvm_bo_ops *ops;

	ts_bo_init(bo, id);
	ops = bo->base.ops;
	gpuvm_bo_fini(&bo->base);
	gpuvm_bo_init(&bo->base, ops, resv);
}

/*
 * An object for the threaded tests: its reference count is atomic (the exec
 * of one thread drops its reference after unlocking, while another may
 * already be taking its own), and @occupant, written only under the resv,
 * detects two threads inside at once.
 */
struct mt_bo {
	struct gpuvm_bo base;
	int refs;
	int occupant;
};

static void mt_bo_get(struct gpuvm_bo *bo)
{
	struct mt_bo *m = gpuvm_container_of(bo, struct mt_bo, base);

	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

static void mt_bo_put(struct gpuvm_bo *bo)
{
	struct mt_bo *m = gpuvm_container_of(bo, struct mt_bo, base);

	__atomic_sub_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

static const struct gpuvm_bo_ops mt_bo_ops = {
	.get = mt_bo_get,
	.put = mt_bo_put,
};

static void mt_bo_init(struct mt_bo *bo)
{
	memset(bo, 0, sizeof(*bo));
	gpuvm_bo_init(&bo->base, &mt_bo_ops, NULL);
	bo->refs = 1;
}

static int mt_bo_refs(struct mt_bo *bo)
{
	return __atomic_load_n(&bo->refs, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* gpuvm_lock                                                               */

struct held_probe {
	struct gpuvm_lock *lock;
	struct gpuvm_resv *resv;
	bool held;
};

static void *probe_held_fn(void *arg)
{
	struct held_probe *p = arg;

	p->held = p->lock ? gpuvm_lock_held(p->lock) :
			    gpuvm_resv_held(p->resv);
	return NULL;
}

/* held() as seen from a fresh thread */
static bool held_elsewhere(struct gpuvm_lock *l, struct gpuvm_resv *r)
{
	struct held_probe p = { .lock = l, .resv = r, .held = true };
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, probe_held_fn, &p), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	return p.held;
}

START_TEST(test_lock_default)
{
	struct gpuvm_lock l;
	int round;

	gpuvm_lock_init(&l, NULL);
	ck_assert_ptr_nonnull(l.ops);
	ck_assert(l.ops->held != NULL);
	ck_assert(!gpuvm_lock_held(&l));

	for (round = 0; round < 2; round++) {
		gpuvm_lock_lock(&l);
		ck_assert(gpuvm_lock_held(&l));
		/* only the locking thread holds it */
		ck_assert(!held_elsewhere(&l, NULL));
		ck_assert(gpuvm_lock_held(&l));
		gpuvm_lock_unlock(&l);
		ck_assert(!gpuvm_lock_held(&l));
		ck_assert(!held_elsewhere(&l, NULL));
	}
	gpuvm_lock_fini(&l);
}
END_TEST

struct lock_contender {
	struct gpuvm_lock *lock;
	struct gpuvm_resv *resv;
	int acquired;		/* atomic */
	bool held_inside;
	int lock_ret;
};

static void *contender_fn(void *arg)
{
	struct lock_contender *c = arg;

	if (c->lock)
		gpuvm_lock_lock(c->lock);
	else
		c->lock_ret = gpuvm_resv_lock(c->resv);
	__atomic_store_n(&c->acquired, 1, __ATOMIC_RELEASE);
	c->held_inside = c->lock ? gpuvm_lock_held(c->lock) :
				   gpuvm_resv_held(c->resv);
	if (c->lock)
		gpuvm_lock_unlock(c->lock);
	else if (!c->lock_ret)
		gpuvm_resv_unlock(c->resv);
	return NULL;
}

/*
 * While this thread holds the lock, another thread's lock() must block;
 * it gets the lock once this thread lets go.
 */
static void check_excludes(struct gpuvm_lock *l, struct gpuvm_resv *r)
{
	struct lock_contender c = { .lock = l, .resv = r };
	struct timespec deadline;
	pthread_t t;

	if (l)
		gpuvm_lock_lock(l);
	else
		ck_assert_int_eq(gpuvm_resv_lock(r), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, contender_fn, &c), 0);
	ts_sleep_ms(30);
	ck_assert_int_eq(__atomic_load_n(&c.acquired, __ATOMIC_ACQUIRE), 0);
	if (l)
		gpuvm_lock_unlock(l);
	else
		gpuvm_resv_unlock(r);
	deadline = realtime_in(slack_secs(10));
	ck_assert_int_eq(pthread_timedjoin_np(t, NULL, &deadline), 0);
	ck_assert_int_eq(c.acquired, 1);
	ck_assert_int_eq(c.lock_ret, 0);
	ck_assert(c.held_inside);
}

START_TEST(test_lock_default_excludes)
{
	struct gpuvm_lock l;

	gpuvm_lock_init(&l, NULL);
	check_excludes(&l, NULL);
	ck_assert(!gpuvm_lock_held(&l));
	gpuvm_lock_fini(&l);
}
END_TEST

/* A counting fake: a depth counter in the priv pointer's target. */
struct fake_lock {
	int locks, unlocks, helds;
	int depth;
};

static void fake_lock_lock(struct gpuvm_lock *l)
{
	struct fake_lock *f = l->priv;

	f->locks++;
	f->depth++;
}

static void fake_lock_unlock(struct gpuvm_lock *l)
{
	struct fake_lock *f = l->priv;

	f->unlocks++;
	f->depth--;
}

static bool fake_lock_held(const struct gpuvm_lock *l)
{
	struct fake_lock *f = l->priv;

	f->helds++;
	return f->depth > 0;
}

static const struct gpuvm_lock_ops fake_lock_ops = {
	.lock = fake_lock_lock,
	.unlock = fake_lock_unlock,
	.held = fake_lock_held,
};

static const struct gpuvm_lock_ops fake_lock_ops_noheld = {
	.lock = fake_lock_lock,
	.unlock = fake_lock_unlock,
};

START_TEST(test_lock_custom_ops)
{
	struct fake_lock f = { 0 };
	struct gpuvm_lock l;

	gpuvm_lock_init(&l, &fake_lock_ops);
	ck_assert_ptr_eq(l.ops, &fake_lock_ops);
	l.priv = &f;

	ck_assert(!gpuvm_lock_held(&l));
	ck_assert_int_eq(f.helds, 1);
	gpuvm_lock_lock(&l);
	ck_assert_int_eq(f.locks, 1);
	ck_assert_int_eq(f.unlocks, 0);
	ck_assert(gpuvm_lock_held(&l));
	ck_assert_int_eq(f.helds, 2);
	gpuvm_lock_unlock(&l);
	ck_assert_int_eq(f.locks, 1);
	ck_assert_int_eq(f.unlocks, 1);
	ck_assert(!gpuvm_lock_held(&l));
	ck_assert_int_eq(f.helds, 3);
	gpuvm_lock_fini(&l);
	ck_assert_int_eq(f.depth, 0);
}
END_TEST

START_TEST(test_lock_custom_no_held)
{
	struct fake_lock f = { 0 };
	struct gpuvm_lock l;

	gpuvm_lock_init(&l, &fake_lock_ops_noheld);
	l.priv = &f;

	/* cannot tell: reported as held, locked or not */
	ck_assert(gpuvm_lock_held(&l));
	gpuvm_lock_lock(&l);
	ck_assert(gpuvm_lock_held(&l));
	gpuvm_lock_unlock(&l);
	ck_assert(gpuvm_lock_held(&l));
	ck_assert_int_eq(f.locks, 1);
	ck_assert_int_eq(f.unlocks, 1);
	ck_assert_int_eq(f.helds, 0);
	gpuvm_lock_fini(&l);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* gpuvm_resv                                                               */

START_TEST(test_resv_default_lock)
{
	struct gpuvm_resv r;

	gpuvm_resv_init(&r, NULL);
	ck_assert_ptr_nonnull(r.ops);
	ck_assert(!gpuvm_resv_held(&r));
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);
	ck_assert(gpuvm_resv_held(&r));
	ck_assert(!held_elsewhere(NULL, &r));
	/* a plain lock has no context and no stamp */
	ck_assert(ts_resv_held_by(&r, NULL));
	ck_assert_uint_eq(ts_resv_holder_stamp(&r), 0);
	gpuvm_resv_unlock(&r);
	ck_assert(!gpuvm_resv_held(&r));
	ck_assert(!held_elsewhere(NULL, &r));

	check_excludes(NULL, &r);
	ck_assert(!gpuvm_resv_held(&r));
	gpuvm_resv_fini(&r);
}
END_TEST

START_TEST(test_resv_fences)
{
	static int fa, fb, fc, fd, fe;
	void *fences[] = { &fa, &fb, &fc, &fd, &fe };
	enum gpuvm_resv_usage usage[] = {
		GPUVM_RESV_USAGE_KERNEL, GPUVM_RESV_USAGE_WRITE,
		GPUVM_RESV_USAGE_READ, GPUVM_RESV_USAGE_BOOKKEEP,
		GPUVM_RESV_USAGE_READ,
	};
	struct gpuvm_resv r;
	unsigned long calls;
	unsigned int i;

	ts_alloc_install();
	gpuvm_resv_init(&r, NULL);
	ck_assert_uint_eq(r.num_fences, 0);
	ck_assert_uint_eq(r.max_fences, 0);
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);

	/* nothing to reserve: no allocation */
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 0), 0);
	ck_assert_uint_eq(ts_alloc_calls(), 0);

	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 3), 0);
	ck_assert_uint_ge(r.max_fences, 3);
	ck_assert_uint_eq(r.num_fences, 0);
	for (i = 0; i < 3; i++)
		gpuvm_resv_add_fence(&r, fences[i], usage[i]);
	ck_assert_uint_eq(r.num_fences, 3);

	/* grow: what is stored stays, in order */
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 2), 0);
	ck_assert_uint_ge(r.max_fences, 5);
	ck_assert_uint_eq(r.num_fences, 3);
	for (i = 3; i < 5; i++)
		gpuvm_resv_add_fence(&r, fences[i], usage[i]);
	ck_assert_uint_eq(r.num_fences, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_ptr_eq(r.fences[i].fence, fences[i]);
		ck_assert_int_eq(r.fences[i].usage, usage[i]);
	}

	/* room already there: no new allocation */
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 2), 0);
	calls = ts_alloc_calls();
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 2), 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 1), 0);
	ck_assert_uint_eq(ts_alloc_calls(), calls);
	ck_assert_int_eq(ts_alloc_live(), 1);

	gpuvm_resv_unlock(&r);
	gpuvm_resv_fini(&r);
	ck_assert_ptr_null(r.fences);
	ck_assert_uint_eq(r.num_fences, 0);
	ck_assert_uint_eq(r.max_fences, 0);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

START_TEST(test_resv_add_fence_no_slot)
{
	static int fa, fb, fc;
	struct gpuvm_resv r;

	ts_alloc_install();
	ts_warn_capture();
	gpuvm_resv_init(&r, NULL);
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);

	/* no slot at all */
	gpuvm_resv_add_fence(&r, &fa, GPUVM_RESV_USAGE_WRITE);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_ne(ts_warn_last_func(), "");
	ck_assert_uint_eq(r.num_fences, 0);

	/* one slot: the first fits, the second is dropped */
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 1), 0);
	gpuvm_resv_add_fence(&r, &fb, GPUVM_RESV_USAGE_READ);
	ck_assert_int_eq(ts_warn_count(), 1);
	while (r.num_fences < r.max_fences)
		gpuvm_resv_add_fence(&r, &fb, GPUVM_RESV_USAGE_READ);
	gpuvm_resv_add_fence(&r, &fc, GPUVM_RESV_USAGE_KERNEL);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_uint_eq(r.num_fences, r.max_fences);
	ck_assert_ptr_eq(r.fences[0].fence, &fb);
	ck_assert_ptr_ne(r.fences[r.num_fences - 1].fence, &fc);

	gpuvm_resv_unlock(&r);
	gpuvm_resv_fini(&r);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_int_eq(ts_alloc_live(), 0);
	gpuvm_set_warn_handler(NULL, NULL);
	ts_alloc_uninstall();
}
END_TEST

START_TEST(test_resv_reserve_enomem)
{
	static int f[4];
	struct gpuvm_resv_fence *old;
	unsigned int num, max, i;
	struct gpuvm_resv r;

	ts_alloc_install();
	gpuvm_resv_init(&r, NULL);
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);

	/* the very first array */
	ts_alloc_fail_at(1, 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 2), -ENOMEM);
	ck_assert_uint_eq(ts_alloc_failures(), 1);
	ck_assert_ptr_null(r.fences);
	ck_assert_uint_eq(r.num_fences, 0);
	ck_assert_uint_eq(r.max_fences, 0);
	ck_assert_int_eq(ts_alloc_live(), 0);

	/* growing a full array */
	ts_alloc_fail_at(0, 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 2), 0);
	while (r.num_fences < r.max_fences)
		gpuvm_resv_add_fence(&r, &f[r.num_fences % 4],
				     GPUVM_RESV_USAGE_BOOKKEEP);
	old = r.fences;
	num = r.num_fences;
	max = r.max_fences;
	ts_alloc_fail_at(1, 1);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 1), -ENOMEM);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 100), -ENOMEM);
	ck_assert_ptr_eq(r.fences, old);
	ck_assert_uint_eq(r.num_fences, num);
	ck_assert_uint_eq(r.max_fences, max);
	for (i = 0; i < num; i++)
		ck_assert_ptr_eq(r.fences[i].fence, &f[i % 4]);
	ck_assert_int_eq(ts_alloc_live(), 1);
	ck_assert(gpuvm_resv_held(&r));

	/* and it works again afterwards */
	ts_alloc_fail_at(0, 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 1), 0);
	ck_assert_uint_gt(r.max_fences, num);
	for (i = 0; i < num; i++)
		ck_assert_ptr_eq(r.fences[i].fence, &f[i % 4]);
	ck_assert_int_eq(ts_alloc_live(), 1);

	gpuvm_resv_unlock(&r);
	gpuvm_resv_fini(&r);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

START_TEST(test_resv_fini_locked_warns)
{
	struct gpuvm_resv r;

	ts_alloc_install();
	ts_warn_capture();
	gpuvm_resv_init(&r, NULL);
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 4), 0);
	gpuvm_resv_fini(&r);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_int_eq(ts_alloc_live(), 0);
	gpuvm_set_warn_handler(NULL, NULL);
	ts_alloc_uninstall();
}
END_TEST

/* A custom reservation lock recording every call. */
struct fake_resv {
	int lock_calls, slow_calls, unlock_calls, held_calls;
	int reserve_calls, add_calls;
	struct gpuvm_exec *last_exec;
	struct gpuvm_exec *holder;
	bool locked;
	int lock_error;		/* next lock() returns this once */
	int slow_error;		/* next lock_slow() returns this once */
	unsigned int reserved, last_reserve;
	void *last_fence;
	enum gpuvm_resv_usage last_usage;
};

static int fake_resv_lock(struct gpuvm_resv *r, struct gpuvm_exec *exec)
{
	struct fake_resv *f = r->priv;
	int err = f->lock_error;

	f->lock_calls++;
	f->last_exec = exec;
	if (err) {
		f->lock_error = 0;
		return err;
	}
	if (f->locked && exec && f->holder == exec)
		return -EALREADY;
	ck_assert(!f->locked);
	f->locked = true;
	f->holder = exec;
	return 0;
}

static int fake_resv_lock_slow(struct gpuvm_resv *r, struct gpuvm_exec *exec)
{
	struct fake_resv *f = r->priv;
	int err = f->slow_error;

	f->slow_calls++;
	f->last_exec = exec;
	if (err) {
		f->slow_error = 0;
		return err;
	}
	ck_assert(!f->locked);
	f->locked = true;
	f->holder = exec;
	return 0;
}

static void fake_resv_unlock(struct gpuvm_resv *r)
{
	struct fake_resv *f = r->priv;

	f->unlock_calls++;
	ck_assert(f->locked);
	f->locked = false;
	f->holder = NULL;
}

static bool fake_resv_held(const struct gpuvm_resv *r)
{
	struct fake_resv *f = r->priv;

	f->held_calls++;
	return f->locked;
}

static int fake_resv_reserve(struct gpuvm_resv *r, unsigned int n)
{
	struct fake_resv *f = r->priv;

	f->reserve_calls++;
	f->last_reserve = n;
	f->reserved += n;
	return 0;
}

static void fake_resv_add(struct gpuvm_resv *r, void *fence,
			  enum gpuvm_resv_usage usage)
{
	struct fake_resv *f = r->priv;

	f->add_calls++;
	f->last_fence = fence;
	f->last_usage = usage;
}

static const struct gpuvm_resv_ops fake_resv_ops = {
	.lock = fake_resv_lock,
	.lock_slow = fake_resv_lock_slow,
	.unlock = fake_resv_unlock,
	.held = fake_resv_held,
	.reserve_fences = fake_resv_reserve,
	.add_fence = fake_resv_add,
};

static const struct gpuvm_resv_ops fake_resv_ops_noheld = {
	.lock = fake_resv_lock,
	.lock_slow = fake_resv_lock_slow,
	.unlock = fake_resv_unlock,
	.reserve_fences = fake_resv_reserve,
	.add_fence = fake_resv_add,
};

START_TEST(test_resv_custom_ops)
{
	struct fake_resv f = { 0 };
	struct gpuvm_resv r;
	static int fence;

	gpuvm_resv_init(&r, &fake_resv_ops);
	ck_assert_ptr_eq(r.ops, &fake_resv_ops);
	r.priv = &f;

	ck_assert(!gpuvm_resv_held(&r));
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);
	ck_assert_int_eq(f.lock_calls, 1);
	ck_assert_ptr_null(f.last_exec);
	ck_assert(gpuvm_resv_held(&r));
	ck_assert_int_eq(f.held_calls, 2);

	/* zero fences: the op is not bothered */
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 0), 0);
	ck_assert_int_eq(f.reserve_calls, 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 3), 0);
	ck_assert_int_eq(f.reserve_calls, 1);
	ck_assert_uint_eq(f.last_reserve, 3);
	gpuvm_resv_add_fence(&r, &fence, GPUVM_RESV_USAGE_BOOKKEEP);
	ck_assert_int_eq(f.add_calls, 1);
	ck_assert_ptr_eq(f.last_fence, &fence);
	ck_assert_int_eq(f.last_usage, GPUVM_RESV_USAGE_BOOKKEEP);

	gpuvm_resv_unlock(&r);
	ck_assert_int_eq(f.unlock_calls, 1);
	ck_assert(!gpuvm_resv_held(&r));

	/* the default array is left alone for a custom implementation */
	ck_assert_ptr_null(r.fences);
	gpuvm_resv_fini(&r);
	ck_assert_int_eq(f.lock_calls, 1);
	ck_assert_int_eq(f.unlock_calls, 1);

	/* no held callback: "cannot tell" */
	gpuvm_resv_init(&r, &fake_resv_ops_noheld);
	r.priv = &f;
	f.held_calls = 0;
	ck_assert(gpuvm_resv_held(&r));
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);
	ck_assert(gpuvm_resv_held(&r));
	gpuvm_resv_unlock(&r);
	ck_assert(gpuvm_resv_held(&r));
	ck_assert_int_eq(f.held_calls, 0);
	gpuvm_resv_fini(&r);
}
END_TEST

START_TEST(test_resv_custom_through_exec)
{
	struct fake_resv f = { 0 };
	struct gpuvm_exec e;
	struct gpuvm_resv r;
	struct ts_bo a, b;
	int ret, passes;

	gpuvm_resv_init(&r, &fake_resv_ops);
	r.priv = &f;
	ts_bo_init_shared(&a, 1, &r);
	ts_bo_init_shared(&b, 2, &r);

	/* the context is passed; a back-off goes through lock_slow */
	gpuvm_exec_init(&e, GPUVM_EXEC_IGNORE_DUPLICATES);
	f.lock_error = -EDEADLK;
	passes = 0;
	do {
		passes++;
		ret = gpuvm_exec_prepare_obj(&e, &a.base, 2);
		if (!ret)
			ret = gpuvm_exec_prepare_obj(&e, &b.base, 1);
	} while (gpuvm_exec_retry(&e, &ret));
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(passes, 2);
	ck_assert_int_eq(f.lock_calls, 2);	/* -EDEADLK, then b: -EALREADY */
	ck_assert_int_eq(f.slow_calls, 1);
	ck_assert_ptr_eq(f.last_exec, &e);
	ck_assert_ptr_eq(f.holder, &e);
	ck_assert_int_eq(f.reserve_calls, 2);
	ck_assert_uint_eq(f.reserved, 3);
	ck_assert_uint_eq(e.num_objects, 1);
	ck_assert_ptr_eq(e.objects[0], &a.base);
	ck_assert_int_eq(a.refs, 2);
	ck_assert_int_eq(b.refs, 1);
	gpuvm_exec_fini(&e);
	ck_assert_int_eq(f.unlock_calls, 1);
	ck_assert(!f.locked);
	ck_assert_int_eq(a.refs, 1);

	/* an error from lock() is passed on and nothing is tracked */
	gpuvm_exec_init(&e, 0);
	f.lock_error = -EINTR;
	passes = 0;
	do {
		passes++;
		ret = gpuvm_exec_lock_obj(&e, &a.base);
	} while (gpuvm_exec_retry(&e, &ret));
	ck_assert_int_eq(ret, -EINTR);
	ck_assert_int_eq(passes, 1);
	ck_assert_uint_eq(e.num_objects, 0);
	ck_assert_int_eq(a.refs, 1);
	gpuvm_exec_fini(&e);
	ck_assert_int_eq(f.unlock_calls, 1);

	/* an error from lock_slow() ends the loop with it, nothing held */
	gpuvm_exec_init(&e, 0);
	f.lock_error = -EDEADLK;
	f.slow_error = -EINTR;
	passes = 0;
	do {
		passes++;
		ret = gpuvm_exec_lock_obj(&e, &b.base);
	} while (gpuvm_exec_retry(&e, &ret));
	ck_assert_int_eq(ret, -EINTR);
	ck_assert_int_eq(passes, 1);
	ck_assert_uint_eq(e.num_objects, 0);
	ck_assert(!f.locked);
	ck_assert_int_eq(b.refs, 1);
	gpuvm_exec_fini(&e);
	ck_assert_int_eq(b.refs, 1);
	ck_assert_int_eq(f.unlock_calls, 1);

	gpuvm_bo_fini(&a.base);
	gpuvm_bo_fini(&b.base);
	gpuvm_resv_fini(&r);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* gpuvm_exec                                                               */

START_TEST(test_exec_basic)
{
	struct ts_bo bo[3];
	struct gpuvm_exec e;
	struct gpuvm_bo *obj;
	unsigned int i, n;
	const int order[3] = { 2, 0, 1 };

	for (i = 0; i < 3; i++)
		ts_bo_init(&bo[i], (int)i);

	gpuvm_exec_init(&e, 0);
	ck_assert_uint_ne(e.stamp, 0);
	ck_assert_uint_eq(e.num_objects, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[order[i]].base), 0);
		ck_assert_uint_eq(e.num_objects, i + 1);
	}
	for (i = 0; i < 3; i++) {
		ck_assert(gpuvm_resv_held(bo[i].base.resv));
		ck_assert(ts_resv_held_by(bo[i].base.resv, &e));
		ck_assert_uint_eq(ts_resv_holder_stamp(bo[i].base.resv),
				  e.stamp);
		/* one reference per locked object */
		ck_assert_int_eq(bo[i].refs, 2);
	}

	/* walked in locking order */
	n = 0;
	gpuvm_exec_for_each_locked(&e, i, obj) {
		ck_assert_uint_eq(i, n);
		ck_assert_ptr_eq(obj, &bo[order[n]].base);
		n++;
	}
	ck_assert_uint_eq(n, 3);

	/* already locked here: reported */
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[0].base), -EALREADY);
	ck_assert_uint_eq(e.num_objects, 3);
	ck_assert_int_eq(bo[0].refs, 2);

	gpuvm_exec_fini(&e);
	for (i = 0; i < 3; i++) {
		ck_assert(!gpuvm_resv_held(bo[i].base.resv));
		ck_assert_int_eq(bo[i].refs, 1);
	}
	ck_assert_uint_eq(e.num_objects, 0);
	ck_assert_ptr_null(e.objects);

	/* an empty context */
	gpuvm_exec_init(&e, 0);
	n = 0;
	gpuvm_exec_for_each_locked(&e, i, obj)
		n++;
	ck_assert_uint_eq(n, 0);
	gpuvm_exec_fini(&e);

	for (i = 0; i < 3; i++)
		gpuvm_bo_fini(&bo[i].base);
}
END_TEST

START_TEST(test_exec_shared_resv)
{
	struct ts_bo a, b, c;
	struct gpuvm_exec e;
	struct gpuvm_bo *obj;
	unsigned int i, n;

	ts_bo_init(&a, 1);
	ts_bo_init_shared(&b, 2, a.base.resv);
	ts_bo_init(&c, 3);
	ck_assert_ptr_eq(b.base.resv, &a.base.own_resv);

	/* without IGNORE_DUPLICATES */
	gpuvm_exec_init(&e, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &a.base), 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &b.base), -EALREADY);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &a.base), -EALREADY);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &c.base), 0);
	ck_assert_uint_eq(e.num_objects, 2);
	ck_assert_ptr_eq(e.objects[0], &a.base);
	ck_assert_ptr_eq(e.objects[1], &c.base);
	ck_assert(gpuvm_resv_held(b.base.resv));
	ck_assert_int_eq(a.refs, 2);
	ck_assert_int_eq(b.refs, 1);
	gpuvm_exec_fini(&e);
	ck_assert(!gpuvm_resv_held(a.base.resv));
	ck_assert_int_eq(a.refs, 1);
	ck_assert_int_eq(b.refs, 1);
	ck_assert_int_eq(c.refs, 1);

	/* with it: 0, listed once (the first one locked) */
	gpuvm_exec_init(&e, GPUVM_EXEC_IGNORE_DUPLICATES);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &b.base), 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &a.base), 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &b.base), 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &c.base), 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &c.base), 0);
	n = 0;
	gpuvm_exec_for_each_locked(&e, i, obj) {
		ck_assert_ptr_eq(obj, n == 0 ? &b.base : &c.base);
		n++;
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(a.refs, 1);
	ck_assert_int_eq(b.refs, 2);
	ck_assert_int_eq(c.refs, 2);
	gpuvm_exec_fini(&e);
	ck_assert(!gpuvm_resv_held(a.base.resv));
	ck_assert(!gpuvm_resv_held(c.base.resv));
	ck_assert_int_eq(a.refs, 1);
	ck_assert_int_eq(b.refs, 1);
	ck_assert_int_eq(c.refs, 1);

	gpuvm_bo_fini(&b.base);
	gpuvm_bo_fini(&a.base);
	gpuvm_bo_fini(&c.base);
}
END_TEST

START_TEST(test_exec_prepare_obj)
{
	static int fence;
	struct ts_bo a, b;
	struct gpuvm_exec e;
	unsigned int max;

	ts_bo_init(&a, 1);
	ts_bo_init(&b, 2);

	gpuvm_exec_init(&e, GPUVM_EXEC_IGNORE_DUPLICATES);
	ck_assert_int_eq(gpuvm_exec_prepare_obj(&e, &a.base, 2), 0);
	ck_assert(gpuvm_resv_held(a.base.resv));
	ck_assert_uint_ge(a.base.resv->max_fences, 2);
	ck_assert_uint_eq(a.base.resv->num_fences, 0);

	/* zero fences: lock only */
	ck_assert_int_eq(gpuvm_exec_prepare_obj(&e, &b.base, 0), 0);
	ck_assert(gpuvm_resv_held(b.base.resv));
	ck_assert_uint_eq(b.base.resv->max_fences, 0);

	/* again on a locked object: more slots */
	gpuvm_resv_add_fence(a.base.resv, &fence, GPUVM_RESV_USAGE_WRITE);
	gpuvm_resv_add_fence(a.base.resv, &fence, GPUVM_RESV_USAGE_READ);
	ck_assert_int_eq(gpuvm_exec_prepare_obj(&e, &a.base, 3), 0);
	max = a.base.resv->max_fences;
	ck_assert_uint_ge(max, 5);
	ck_assert_uint_eq(a.base.resv->num_fences, 2);
	ck_assert_uint_eq(e.num_objects, 2);
	ck_assert_int_eq(a.refs, 2);
	gpuvm_exec_fini(&e);

	/* unused slots die with the unlock (the array keeps its room) */
	ck_assert_uint_eq(a.base.resv->max_fences, 2);
	ck_assert_uint_ge(a.base.resv->alloc_fences, max);
	ck_assert_uint_eq(a.base.resv->num_fences, 2);
	ck_assert_int_eq(a.refs, 1);
	ck_assert_int_eq(b.refs, 1);

	gpuvm_bo_fini(&a.base);
	gpuvm_bo_fini(&b.base);
}
END_TEST

START_TEST(test_exec_prepare_array)
{
	struct ts_bo bo[5], dup;
	struct gpuvm_bo *objs[6];
	struct gpuvm_exec e;
	struct gpuvm_bo *obj;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		ts_bo_init(&bo[i], (int)i);
		objs[i] = &bo[4 - i].base;
	}
	ts_bo_init_shared(&dup, 9, bo[1].base.resv);
	objs[5] = &dup.base;

	gpuvm_exec_init(&e, 0);
	ck_assert_int_eq(gpuvm_exec_prepare_array(&e, objs, 5, 1), 0);
	ck_assert_uint_eq(e.num_objects, 5);
	gpuvm_exec_for_each_locked(&e, i, obj) {
		ck_assert_ptr_eq(obj, objs[i]);
		ck_assert(gpuvm_resv_held(obj->resv));
		ck_assert_uint_ge(obj->resv->max_fences, 1);
	}
	gpuvm_exec_fini(&e);

	/* the first error ends it; what came before stays locked */
	gpuvm_exec_init(&e, 0);
	objs[2] = &dup.base;		/* same resv as bo[1], which is objs[3] */
	objs[3] = &bo[1].base;
	ck_assert_int_eq(gpuvm_exec_prepare_array(&e, objs, 5, 0),
			 -EALREADY);
	ck_assert_uint_eq(e.num_objects, 3);
	ck_assert(gpuvm_resv_held(bo[4].base.resv));
	ck_assert(gpuvm_resv_held(bo[3].base.resv));
	ck_assert(gpuvm_resv_held(dup.base.resv));
	ck_assert(!gpuvm_resv_held(bo[0].base.resv));
	gpuvm_exec_fini(&e);

	/* with IGNORE_DUPLICATES the whole array goes through */
	gpuvm_exec_init(&e, GPUVM_EXEC_IGNORE_DUPLICATES);
	ck_assert_int_eq(gpuvm_exec_prepare_array(&e, objs, 6, 0), 0);
	ck_assert_uint_eq(e.num_objects, 4);
	gpuvm_exec_fini(&e);

	/* nothing to do */
	gpuvm_exec_init(&e, 0);
	ck_assert_int_eq(gpuvm_exec_prepare_array(&e, objs, 0, 1), 0);
	ck_assert_uint_eq(e.num_objects, 0);
	gpuvm_exec_fini(&e);

	for (i = 0; i < 5; i++) {
		ck_assert(!gpuvm_resv_held(bo[i].base.resv));
		ck_assert_int_eq(bo[i].refs, 1);
	}
	ck_assert_int_eq(dup.refs, 1);
	gpuvm_bo_fini(&dup.base);
	for (i = 0; i < 5; i++)
		gpuvm_bo_fini(&bo[i].base);
}
END_TEST

/*
 * A context that holds no objects may be moved (struct gpuvm_exec's doc):
 * also one that held objects in its own slots before gpuvm_exec_unlock_all().
 */
START_TEST(test_exec_move_after_unlock_all)
{
	struct ts_bo bo;
	struct gpuvm_exec e, moved;

	ts_bo_init(&bo, 1);
	gpuvm_exec_init(&e, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo.base), 0);
	gpuvm_exec_unlock_all(&e);
	ck_assert_uint_eq(e.num_objects, 0);

	/* the moved context lists in its own slots, not in the old one's */
	moved = e;
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(gpuvm_exec_lock_obj(&moved, &bo.base), 0);
	ck_assert_uint_eq(moved.num_objects, 1);
	ck_assert_ptr_ne(moved.objects, e.inline_objects);
	ck_assert_ptr_eq(moved.objects[0], &bo.base);
	ck_assert_ptr_null(e.inline_objects[0]);
	gpuvm_exec_fini(&moved);
	ck_assert(!gpuvm_resv_held(bo.base.resv));
	ck_assert_int_eq(bo.refs, 1);
}
END_TEST

START_TEST(test_exec_unlock_all)
{
	struct ts_bo bo[3];
	struct gpuvm_exec e;
	uint64_t stamp;
	unsigned int i;

	for (i = 0; i < 3; i++)
		ts_bo_init(&bo[i], (int)i);

	gpuvm_exec_init(&e, 0);
	stamp = e.stamp;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[i].base), 0);
	gpuvm_exec_unlock_all(&e);
	ck_assert_uint_eq(e.num_objects, 0);
	for (i = 0; i < 3; i++) {
		ck_assert(!gpuvm_resv_held(bo[i].base.resv));
		ck_assert_int_eq(bo[i].refs, 1);
	}

	/* still usable, same stamp */
	ck_assert_uint_eq(e.stamp, stamp);
	for (i = 3; i-- > 0;)
		ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[i].base), 0);
	ck_assert_uint_eq(e.num_objects, 3);
	ck_assert_ptr_eq(e.objects[0], &bo[2].base);
	ck_assert_uint_eq(ts_resv_holder_stamp(bo[0].base.resv), stamp);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(bo[i].refs, 2);

	gpuvm_exec_unlock_all(&e);
	gpuvm_exec_unlock_all(&e);	/* twice: nothing left to do */
	gpuvm_exec_fini(&e);
	for (i = 0; i < 3; i++) {
		ck_assert(!gpuvm_resv_held(bo[i].base.resv));
		ck_assert_int_eq(bo[i].refs, 1);
		gpuvm_bo_fini(&bo[i].base);
	}
}
END_TEST

START_TEST(test_exec_stamps)
{
	struct gpuvm_exec e[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		gpuvm_exec_init(&e[i], 0);
		if (i)
			ck_assert_uint_gt(e[i].stamp, e[i - 1].stamp);
	}
	for (i = 0; i < 4; i++)
		gpuvm_exec_fini(&e[i]);

	/* re-initialising gives a new, younger stamp */
	gpuvm_exec_init(&e[0], 0);
	ck_assert_uint_gt(e[0].stamp, e[3].stamp);
	gpuvm_exec_fini(&e[0]);
}
END_TEST

START_TEST(test_exec_retry_no_backoff)
{
	struct ts_bo a;
	struct gpuvm_exec e;
	int ret;

	ts_bo_init(&a, 1);
	gpuvm_exec_init(&e, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &a.base), 0);

	/* success and other errors end the loop untouched, locks kept */
	ret = 0;
	ck_assert(!gpuvm_exec_retry(&e, &ret));
	ck_assert_int_eq(ret, 0);
	ret = -EINVAL;
	ck_assert(!gpuvm_exec_retry(&e, &ret));
	ck_assert_int_eq(ret, -EINVAL);
	/* -EDEADLK that did not come from a lock: no contended object */
	ret = -EDEADLK;
	ck_assert(!gpuvm_exec_retry(&e, &ret));
	ck_assert_int_eq(ret, -EDEADLK);
	ck_assert_uint_eq(e.num_objects, 1);
	ck_assert(gpuvm_resv_held(a.base.resv));

	gpuvm_exec_fini(&e);
	ck_assert_int_eq(a.refs, 1);
	gpuvm_bo_fini(&a.base);
}
END_TEST

START_TEST(test_exec_enomem_grow)
{
	struct ts_bo bo[10];
	struct gpuvm_exec e;
	unsigned long calls;
	unsigned int i;
	int ret;

	ts_alloc_install();
	for (i = 0; i < 10; i++)
		ts_bo_init(&bo[i], (int)i);

	/* the first objects are listed in the context: nothing to allocate */
	gpuvm_exec_init(&e, 0);
	ck_assert_ptr_null(e.objects);
	calls = ts_alloc_calls();
	ts_alloc_fail_at(1, 1);
	for (i = 0; i < GPUVM_EXEC_INLINE_OBJECTS; i++)
		ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[i].base), 0);
	ck_assert_ptr_eq(e.objects, e.inline_objects);
	ck_assert_uint_eq(ts_alloc_calls(), calls);

	/* the first array, for one more */
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[4].base), -ENOMEM);
	ck_assert_uint_eq(ts_alloc_failures(), 1);
	ck_assert(!gpuvm_resv_held(bo[4].base.resv));
	ck_assert(!ts_resv_locked(bo[4].base.resv));
	ck_assert_int_eq(bo[4].refs, 1);
	ck_assert_uint_eq(e.num_objects, 4);
	ck_assert_ptr_eq(e.objects, e.inline_objects);

	/* it takes the inline ones over (8), fail growing it for the 9th */
	ts_alloc_fail_at(0, 0);
	for (i = 4; i < 8; i++)
		ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[i].base), 0);
	ck_assert_ptr_ne(e.objects, e.inline_objects);
	ck_assert_int_eq(ts_alloc_live(), 1);
	ts_alloc_fail_at(1, 1);
	ret = gpuvm_exec_prepare_obj(&e, &bo[8].base, 1);
	ck_assert_int_eq(ret, -ENOMEM);
	ck_assert(!gpuvm_exec_retry(&e, &ret));
	ck_assert_int_eq(ret, -ENOMEM);
	ck_assert(!gpuvm_resv_held(bo[8].base.resv));
	ck_assert(!ts_resv_locked(bo[8].base.resv));
	ck_assert_int_eq(bo[8].refs, 1);
	ck_assert_uint_eq(bo[8].base.resv->max_fences, 0);
	ck_assert_uint_eq(e.num_objects, 8);
	for (i = 0; i < 8; i++) {
		ck_assert(gpuvm_resv_held(bo[i].base.resv));
		ck_assert_ptr_eq(e.objects[i], &bo[i].base);
		ck_assert_int_eq(bo[i].refs, 2);
	}

	/* nothing broken: it grows once allocation works again */
	ts_alloc_fail_at(0, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[8].base), 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e, &bo[9].base), 0);
	ck_assert_uint_eq(e.num_objects, 10);
	for (i = 0; i < 10; i++)
		ck_assert_ptr_eq(e.objects[i], &bo[i].base);
	ck_assert_int_eq(ts_alloc_live(), 1);

	gpuvm_exec_fini(&e);
	ck_assert_int_eq(ts_alloc_live(), 0);
	for (i = 0; i < 10; i++) {
		ck_assert(!ts_resv_locked(bo[i].base.resv));
		ck_assert_int_eq(bo[i].refs, 1);
		gpuvm_bo_fini(&bo[i].base);
	}
	ts_alloc_uninstall();
}
END_TEST

START_TEST(test_exec_enomem_prepare_fences)
{
	struct ts_bo a;
	struct gpuvm_exec e;

	ts_alloc_install();
	ts_bo_init(&a, 1);

	/* the lock is taken and tracked (inline), the reservation fails */
	gpuvm_exec_init(&e, 0);
	ts_alloc_fail_at(1, 0);
	ck_assert_int_eq(gpuvm_exec_prepare_obj(&e, &a.base, 4), -ENOMEM);
	ck_assert_uint_eq(ts_alloc_failures(), 1);
	ck_assert_uint_eq(e.num_objects, 1);
	ck_assert(gpuvm_resv_held(a.base.resv));
	ck_assert_uint_eq(a.base.resv->max_fences, 0);
	gpuvm_exec_fini(&e);
	ck_assert(!gpuvm_resv_held(a.base.resv));
	ck_assert_int_eq(a.refs, 1);
	ck_assert_int_eq(ts_alloc_live(), 0);

	gpuvm_bo_fini(&a.base);
	ts_alloc_uninstall();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Back-off                                                                 */

START_TEST(test_backoff_younger_dies)
{
	struct ts_bo x, y;
	struct gpuvm_exec a, b;
	int ret, passes;

	ts_bo_init(&x, 1);
	ts_bo_init(&y, 2);
	gpuvm_exec_init(&a, 0);
	gpuvm_exec_init(&b, 0);
	ck_assert_uint_lt(a.stamp, b.stamp);

	ck_assert_int_eq(gpuvm_exec_lock_obj(&a, &x.base), 0);

	/* B is younger: it dies on X at once instead of blocking */
	ck_assert_int_eq(gpuvm_exec_lock_obj(&b, &y.base), 0);
	ret = gpuvm_exec_lock_obj(&b, &x.base);
	ck_assert_int_eq(ret, -EDEADLK);
	ck_assert_uint_eq(b.num_objects, 1);
	ck_assert(ts_resv_held_by(x.base.resv, &a));
	/* A's reference and the one kept on the contended object */
	ck_assert_int_eq(x.refs, 3);
	ck_assert(gpuvm_resv_held(y.base.resv));

	/* trying again before backing off still dies */
	ck_assert_int_eq(gpuvm_exec_lock_obj(&b, &x.base), -EDEADLK);
	ck_assert_int_eq(x.refs, 3);

	/* A finishes, so B's back-off does not have to wait */
	gpuvm_exec_fini(&a);
	ck_assert_int_eq(x.refs, 2);
	ck_assert(!ts_resv_locked(x.base.resv));

	passes = 1;
	while (gpuvm_exec_retry(&b, &ret)) {
		passes++;
		ck_assert_int_eq(ret, 0);
		/* the back-off let go of Y and took X */
		ck_assert(!ts_resv_locked(y.base.resv));
		ck_assert_int_eq(y.refs, 1);
		ck_assert(ts_resv_held_by(x.base.resv, &b));
		ck_assert_uint_eq(b.num_objects, 1);
		ck_assert_ptr_eq(b.objects[0], &x.base);

		ret = gpuvm_exec_lock_obj(&b, &y.base);
		if (!ret)
			ret = gpuvm_exec_lock_obj(&b, &x.base);
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(passes, 2);
	ck_assert_uint_eq(b.num_objects, 2);
	ck_assert_ptr_eq(b.objects[0], &x.base);
	ck_assert_ptr_eq(b.objects[1], &y.base);
	ck_assert_int_eq(x.refs, 2);
	ck_assert_int_eq(y.refs, 2);
	ck_assert_uint_eq(ts_resv_holder_stamp(x.base.resv), b.stamp);
	ck_assert_uint_eq(ts_resv_holder_stamp(y.base.resv), b.stamp);

	gpuvm_exec_fini(&b);
	ck_assert(!ts_resv_locked(x.base.resv));
	ck_assert(!ts_resv_locked(y.base.resv));
	ck_assert_int_eq(x.refs, 1);
	ck_assert_int_eq(y.refs, 1);
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
}
END_TEST

START_TEST(test_backoff_fini_while_contended)
{
	struct ts_bo x;
	struct gpuvm_exec a, b;

	ts_bo_init(&x, 1);
	gpuvm_exec_init(&a, 0);
	gpuvm_exec_init(&b, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&a, &x.base), 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&b, &x.base), -EDEADLK);
	ck_assert_int_eq(x.refs, 3);

	/* giving up instead of retrying drops the contended reference */
	gpuvm_exec_fini(&b);
	ck_assert_int_eq(x.refs, 2);
	gpuvm_exec_fini(&a);
	ck_assert_int_eq(x.refs, 1);
	gpuvm_bo_fini(&x.base);
}
END_TEST

START_TEST(test_backoff_retry_no_alloc)
{
	struct ts_bo x;
	struct gpuvm_exec a, b;
	unsigned long calls;
	int ret;

	ts_alloc_install();
	ts_bo_init(&x, 1);
	gpuvm_exec_init(&a, 0);
	gpuvm_exec_init(&b, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&a, &x.base), 0);

	/* B dies on its first object: it has listed nothing yet */
	ret = gpuvm_exec_lock_obj(&b, &x.base);
	ck_assert_int_eq(ret, -EDEADLK);
	ck_assert_ptr_null(b.objects);
	gpuvm_exec_fini(&a);

	/* the slow path lists X in the context's own slots: no allocation */
	calls = ts_alloc_calls();
	ts_alloc_fail_at(1, 1);
	ck_assert(gpuvm_exec_retry(&b, &ret));
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(ts_alloc_calls(), calls);
	ck_assert(gpuvm_resv_held(x.base.resv));
	ck_assert_uint_eq(b.num_objects, 1);
	ck_assert_ptr_eq(b.objects, b.inline_objects);
	ck_assert_ptr_eq(b.objects[0], &x.base);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&b, &x.base), 0);
	ck_assert(!gpuvm_exec_retry(&b, &ret));
	ck_assert_int_eq(x.refs, 2);
	gpuvm_exec_fini(&b);
	ck_assert(!ts_resv_locked(x.base.resv));
	ck_assert_int_eq(x.refs, 1);
	ck_assert_int_eq(ts_alloc_live(), 0);

	gpuvm_bo_fini(&x.base);
	ts_alloc_uninstall();
}
END_TEST

/*
 * Two threads.  The main thread runs the older context A, which holds X.
 * Thread T runs the younger B over {Y, X}: it locks Y, then dies on X and
 * backs off, waiting for X in the slow path.  Meanwhile A asks for Y, which
 * B holds: being older, A must wait (not die) until B lets go of Y.  When A
 * finishes, B gets X and then Y on its second pass.
 */
struct older_waits {
	struct mt_bo *x, *y;
	struct gpuvm_exec *b;
	sem_t y_locked;		/* T -> main: B holds Y */
	sem_t main_ready;	/* main -> T: A is about to lock Y */
	int passes;
	int first_x_ret;
	int final_ret;
	unsigned int num_objects;
	struct gpuvm_bo *objects[2];
	bool held_x, held_y;
	bool fini_released;
	int sem_error;
};

static void *older_waits_fn(void *arg)
{
	struct older_waits *s = arg;
	struct gpuvm_exec *b = s->b;
	int ret;

	do {
		s->passes++;
		ret = gpuvm_exec_lock_obj(b, &s->y->base);
		if (!ret && s->passes == 1) {
			struct timespec deadline;

			sem_post(&s->y_locked);
			deadline = realtime_in(slack_secs(10));
			if (sem_timedwait(&s->main_ready, &deadline))
				s->sem_error = errno;
			/* give A time to block on Y */
			ts_sleep_ms(50);
		}
		if (!ret)
			ret = gpuvm_exec_lock_obj(b, &s->x->base);
		if (s->passes == 1)
			s->first_x_ret = ret;
	} while (gpuvm_exec_retry(b, &ret));

	s->final_ret = ret;
	s->num_objects = b->num_objects;
	if (b->num_objects == 2) {
		s->objects[0] = b->objects[0];
		s->objects[1] = b->objects[1];
	}
	s->held_x = gpuvm_resv_held(s->x->base.resv);
	s->held_y = gpuvm_resv_held(s->y->base.resv);
	gpuvm_exec_fini(b);
	s->fini_released = !gpuvm_resv_held(s->x->base.resv) &&
			   !gpuvm_resv_held(s->y->base.resv);
	return NULL;
}

START_TEST(test_backoff_older_waits)
{
	struct older_waits s;
	struct gpuvm_exec a, b;
	struct mt_bo x, y;
	struct timespec deadline;
	pthread_t t;
	int ret;

	mt_bo_init(&x);
	mt_bo_init(&y);
	memset(&s, 0, sizeof(s));
	s.x = &x;
	s.y = &y;
	s.b = &b;
	ck_assert_int_eq(sem_init(&s.y_locked, 0, 0), 0);
	ck_assert_int_eq(sem_init(&s.main_ready, 0, 0), 0);

	gpuvm_exec_init(&a, 0);
	gpuvm_exec_init(&b, 0);
	ck_assert_uint_lt(a.stamp, b.stamp);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&a, &x.base), 0);

	ck_assert_int_eq(pthread_create(&t, NULL, older_waits_fn, &s), 0);
	deadline = realtime_in(slack_secs(10));
	ck_assert_int_eq(sem_timedwait(&s.y_locked, &deadline), 0);
	sem_post(&s.main_ready);

	/* Y is B's: the older A waits for it instead of backing off */
	ret = gpuvm_exec_lock_obj(&a, &y.base);
	ck_assert_int_eq(ret, 0);
	ck_assert(gpuvm_resv_held(x.base.resv));
	ck_assert(gpuvm_resv_held(y.base.resv));
	ck_assert_uint_eq(a.num_objects, 2);

	/* B could only have let go by backing off on X */
	ck_assert_int_eq(s.sem_error, 0);
	ck_assert_int_eq(s.first_x_ret, -EDEADLK);
	ck_assert_int_eq(s.passes, 1);
	/* base + A + B's contended reference, now waiting in lock_slow */
	ck_assert_int_eq(mt_bo_refs(&x), 3);

	gpuvm_exec_fini(&a);

	deadline = realtime_in(slack_secs(10));
	ck_assert_int_eq(pthread_timedjoin_np(t, NULL, &deadline), 0);

	ck_assert_int_eq(s.final_ret, 0);
	ck_assert_int_ge(s.passes, 2);
	ck_assert_int_eq(s.passes, 2);
	ck_assert_uint_eq(s.num_objects, 2);
	/* the slow path's object comes first */
	ck_assert_ptr_eq(s.objects[0], &x.base);
	ck_assert_ptr_eq(s.objects[1], &y.base);
	ck_assert(s.held_x);
	ck_assert(s.held_y);
	ck_assert(s.fini_released);
	ck_assert(!ts_resv_locked(x.base.resv));
	ck_assert(!ts_resv_locked(y.base.resv));
	ck_assert_int_eq(mt_bo_refs(&x), 1);
	ck_assert_int_eq(mt_bo_refs(&y), 1);

	sem_destroy(&s.y_locked);
	sem_destroy(&s.main_ready);
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
}
END_TEST

/*
 * A plain lock (no context) has no stamp: a context finding it held waits
 * rather than dying, however young it is.
 */
struct plain_holder {
	struct mt_bo *x;
	struct gpuvm_exec *e;
	int ret;
	int done;		/* atomic */
};

static void *ctx_lock_fn(void *arg)
{
	struct plain_holder *p = arg;

	p->ret = gpuvm_exec_lock_obj(p->e, &p->x->base);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	if (!p->ret)
		gpuvm_exec_fini(p->e);
	return NULL;
}

START_TEST(test_backoff_plain_lock_waits)
{
	struct plain_holder p = { 0 };
	struct timespec deadline;
	struct gpuvm_exec e;
	struct mt_bo x;
	pthread_t t;

	mt_bo_init(&x);
	ck_assert_int_eq(gpuvm_resv_lock(x.base.resv), 0);
	gpuvm_exec_init(&e, 0);
	p.x = &x;
	p.e = &e;
	ck_assert_int_eq(pthread_create(&t, NULL, ctx_lock_fn, &p), 0);
	ts_sleep_ms(30);
	ck_assert_int_eq(__atomic_load_n(&p.done, __ATOMIC_ACQUIRE), 0);
	gpuvm_resv_unlock(x.base.resv);
	deadline = realtime_in(slack_secs(10));
	ck_assert_int_eq(pthread_timedjoin_np(t, NULL, &deadline), 0);
	ck_assert_int_eq(p.ret, 0);
	ck_assert_int_eq(mt_bo_refs(&x), 1);
	gpuvm_bo_fini(&x.base);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Deadlock-freedom stress                                                  */

#define STRESS_OBJS 12
#define STRESS_MAX_THREADS 4

struct stress {
	struct mt_bo objs[STRESS_OBJS];
	unsigned long counter;	/* guarded by holding every object */
	unsigned int iterations;
	int stop;		/* atomic: a worker failed */
};

struct stress_worker {
	struct stress *s;
	pthread_t thread;
	int id;			/* 1-based, the occupant mark */
	unsigned int seed;
	unsigned long passes;
	unsigned long done;
	char err[160];
};

static void worker_fail(struct stress_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void worker_fail(struct stress_worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	__atomic_store_n(&w->s->stop, 1, __ATOMIC_RELAXED);
}

static void make_order(struct stress_worker *w, unsigned int it,
		       unsigned int *order)
{
	unsigned int i, j, tmp;

	for (i = 0; i < STRESS_OBJS; i++)
		order[i] = i;
	switch (it % 3) {
	case 0:		/* forward */
		break;
	case 1:		/* reverse */
		for (i = 0; i < STRESS_OBJS; i++)
			order[i] = STRESS_OBJS - 1 - i;
		break;
	default:	/* a fresh shuffle */
		for (i = STRESS_OBJS - 1; i > 0; i--) {
			j = (unsigned int)rand_r(&w->seed) % (i + 1);
			tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		break;
	}
}

/* One pass over the whole set; returns the first error. */
static int stress_lock_all(struct stress_worker *w, struct gpuvm_exec *e,
			   const unsigned int *order, unsigned int it)
{
	struct stress *s = w->s;
	struct gpuvm_bo *objs[STRESS_OBJS];
	unsigned int i;
	int ret = 0;

	if (it % 4 == 3) {
		/* the array helper */
		for (i = 0; i < STRESS_OBJS; i++)
			objs[i] = &s->objs[order[i]].base;
		return gpuvm_exec_prepare_array(e, objs, STRESS_OBJS, 0);
	}
	for (i = 0; i < STRESS_OBJS && !ret; i++)
		ret = gpuvm_exec_lock_obj(e, &s->objs[order[i]].base);
	/* a duplicate, allowed in this context */
	if (!ret && (e->flags & GPUVM_EXEC_IGNORE_DUPLICATES))
		ret = gpuvm_exec_lock_obj(e, &s->objs[order[0]].base);
	return ret;
}

static void *stress_fn(void *arg)
{
	struct stress_worker *w = arg;
	struct stress *s = w->s;
	unsigned int order[STRESS_OBJS];
	struct gpuvm_exec e;
	unsigned int it, i;
	int ret;

	for (it = 0; it < s->iterations; it++) {
		if (__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
			return NULL;
		make_order(w, it + (unsigned int)w->id, order);
		gpuvm_exec_init(&e, it % 2 ? GPUVM_EXEC_IGNORE_DUPLICATES : 0);
		do {
			w->passes++;
			ret = stress_lock_all(w, &e, order, it);
		} while (gpuvm_exec_retry(&e, &ret));

		if (ret) {
			worker_fail(w, "iteration %u: locking returned %d",
				    it, ret);
			gpuvm_exec_fini(&e);
			return NULL;
		}
		if (e.num_objects != STRESS_OBJS) {
			worker_fail(w, "iteration %u: %u objects locked", it,
				    e.num_objects);
			gpuvm_exec_fini(&e);
			return NULL;
		}
		for (i = 0; i < STRESS_OBJS; i++) {
			struct mt_bo *o = &s->objs[i];

			if (!gpuvm_resv_held(o->base.resv)) {
				worker_fail(w, "iteration %u: object %u not held",
					    it, i);
				gpuvm_exec_fini(&e);
				return NULL;
			}
			if (o->occupant) {
				worker_fail(w, "iteration %u: object %u occupied by %d",
					    it, i, o->occupant);
				gpuvm_exec_fini(&e);
				return NULL;
			}
			o->occupant = w->id;
		}

		s->counter++;
		if (it % 16 == 0)
			sched_yield();

		for (i = 0; i < STRESS_OBJS; i++) {
			struct mt_bo *o = &s->objs[i];

			if (o->occupant != w->id) {
				worker_fail(w, "iteration %u: object %u taken by %d",
					    it, i, o->occupant);
				gpuvm_exec_fini(&e);
				return NULL;
			}
			o->occupant = 0;
		}
		gpuvm_exec_fini(&e);
		w->done++;
	}
	return NULL;
}

static void run_stress(unsigned int nthreads)
{
	static struct stress s;
	struct stress_worker w[STRESS_MAX_THREADS];
	unsigned long passes = 0;
	struct watchdog wd;
	unsigned int i;

	ck_assert_uint_le(nthreads, STRESS_MAX_THREADS);
	memset(&s, 0, sizeof(s));
	s.iterations = under_valgrind() ? 20000 / 20 : 20000;
	for (i = 0; i < STRESS_OBJS; i++)
		mt_bo_init(&s.objs[i]);

	watchdog_start(&wd, "stress", under_valgrind() ? 600 : 60);
	memset(w, 0, sizeof(w));
	for (i = 0; i < nthreads; i++) {
		w[i].s = &s;
		w[i].id = (int)i + 1;
		w[i].seed = 0x9e3779b9u * (i + 1);
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, stress_fn,
						&w[i]), 0);
	}
	for (i = 0; i < nthreads; i++)
		ck_assert_int_eq(pthread_join(w[i].thread, NULL), 0);
	watchdog_stop(&wd);

	/* the failing worker first: the others just stopped early */
	for (i = 0; i < nthreads; i++)
		ck_assert_msg(w[i].err[0] == '\0', "worker %u: %s", i + 1,
			      w[i].err);
	for (i = 0; i < nthreads; i++) {
		ck_assert_uint_eq(w[i].done, s.iterations);
		passes += w[i].passes;
	}
	ck_assert_uint_eq(s.counter, (unsigned long)nthreads * s.iterations);
	ck_assert_uint_ge(passes, s.counter);
	for (i = 0; i < STRESS_OBJS; i++) {
		ck_assert(!ts_resv_locked(s.objs[i].base.resv));
		ck_assert_int_eq(s.objs[i].occupant, 0);
		ck_assert_int_eq(mt_bo_refs(&s.objs[i]), 1);
		gpuvm_bo_fini(&s.objs[i].base);
	}
}

START_TEST(test_stress_2_threads)
{
	run_stress(2);
}
END_TEST

START_TEST(test_stress_4_threads)
{
	run_stress(4);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *locking_suite(void)
{
	Suite *s = suite_create("locking");
	TCase *tc;

	tc = tcase_create("lock");
	tcase_add_checked_fixture(tc, fixture_wd_start, fixture_wd_stop);
	tcase_add_test(tc, test_lock_default);
	tcase_add_test(tc, test_lock_default_excludes);
	tcase_add_test(tc, test_lock_custom_ops);
	tcase_add_test(tc, test_lock_custom_no_held);
	suite_add_tcase(s, tc);

	tc = tcase_create("resv");
	tcase_add_checked_fixture(tc, fixture_wd_start, fixture_wd_stop);
	tcase_add_test(tc, test_resv_default_lock);
	tcase_add_test(tc, test_resv_fences);
	tcase_add_test(tc, test_resv_add_fence_no_slot);
	tcase_add_test(tc, test_resv_reserve_enomem);
	tcase_add_test(tc, test_resv_fini_locked_warns);
	tcase_add_test(tc, test_resv_custom_ops);
	tcase_add_test(tc, test_resv_custom_through_exec);
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_add_checked_fixture(tc, fixture_wd_start, fixture_wd_stop);
	tcase_add_test(tc, test_exec_basic);
	tcase_add_test(tc, test_exec_shared_resv);
	tcase_add_test(tc, test_exec_prepare_obj);
	tcase_add_test(tc, test_exec_prepare_array);
	tcase_add_test(tc, test_exec_unlock_all);
	tcase_add_test(tc, test_exec_move_after_unlock_all);
	tcase_add_test(tc, test_exec_stamps);
	tcase_add_test(tc, test_exec_retry_no_backoff);
	tcase_add_test(tc, test_exec_enomem_grow);
	tcase_add_test(tc, test_exec_enomem_prepare_fences);
	suite_add_tcase(s, tc);

	tc = tcase_create("backoff");
	tcase_add_checked_fixture(tc, fixture_wd_start, fixture_wd_stop);
	tcase_add_test(tc, test_backoff_younger_dies);
	tcase_add_test(tc, test_backoff_fini_while_contended);
	tcase_add_test(tc, test_backoff_retry_no_alloc);
	tcase_add_test(tc, test_backoff_older_waits);
	tcase_add_test(tc, test_backoff_plain_lock_waits);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 0);	/* the watchdog decides */
	tcase_add_test(tc, test_stress_2_threads);
	tcase_add_test(tc, test_stress_4_threads);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return ts_run_suite(locking_suite());
}
