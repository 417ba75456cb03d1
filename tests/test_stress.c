// SPDX-License-Identifier: MIT
/*
 * Concurrency stress of the vm_bo and locking layers: several threads work
 * on three VMs that share external objects (each with its own resv), for a
 * bounded number of iterations, doing what a driver's ioctl, job-submit and
 * eviction paths do at once:
 *
 *  - map: lock the VM's resv and the object in one gpuvm_exec, obtain the
 *    vm_bo (immediate mode: gpuvm_vm_bo_create() + _obtain_prealloc();
 *    staged mode: gpuvm_vm_bo_obtain() under the resv), put it on the
 *    extobj list, insert and link a VA, drop the obtained reference
 *    (immediate mode: gpuvm_vm_bo_put_deferred());
 *  - unmap: lock what the unmap touches (gpuvm_sm_unmap_exec_lock()),
 *    remove and unlink the VA (immediate mode: gpuvm_va_unlink_defer());
 *  - obtain/put churn without mapping, which makes zombies in immediate
 *    mode, and gpuvm_vm_bo_deferred_cleanup();
 *  - submit: gpuvm_exec_lock() of one VM (its resv and every extobj),
 *    gpuvm_exec_validate() of the evicted vm_bos, a fence on everything;
 *    or one gpuvm_exec over two VMs and their extobjs (wait-die across
 *    VMs), validating both;
 *  - evict: lock an object alone and mark all its vm_bos evicted.
 *
 * VA trees are serialised by a per-VM mutex, taken before any resv.  In
 * the staged (unprotected) mode the extobj/evict list walks of one VM are
 * serialised by that mutex too, as gpuvm_prepare_objects() requires.
 *
 * A watchdog aborts with a message when no thread makes progress for a
 * while (a deadlock).  At the end every VM is drained and the invariants
 * checked: reference counts back to their start, lists empty, no zombie,
 * gpuvm_check() clean, no warning, no allocation left.  Worker threads never
 * call ck_assert*() (see test_locking.c): they record the first error.
 *
 * GPUVM_TEST_ITERATIONS sets the iterations per thread; valgrind runs a
 * twentieth of them.
 */
#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NVMS		3
#define NBOS		6
#define NSLOTS		24
#define NTHREADS	6
#define PG		0x1000ull
#define VM_START	0x100000ull
#define VM_RANGE	(NSLOTS * PG)

static bool under_valgrind(void)
{
	return getenv("GPUVM_UNDER_VALGRIND") != NULL;
}

static unsigned int iterations(void)
{
	const char *s = getenv("GPUVM_TEST_ITERATIONS");
	unsigned long n = 20000;

	if (s && *s)
		n = strtoul(s, NULL, 0);
	if (under_valgrind())
		n /= 20;
	return n ? (unsigned int)n : 1;
}

/* --- thread-safe counting allocator and warning recorder ----------------- */

static long live_allocs;

static void *st_zalloc(size_t size, void *priv)
{
	void *p = calloc(1, size);

	(void)priv;
	if (p)
		__atomic_add_fetch(&live_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

static void st_free(void *ptr, void *priv)
{
	(void)priv;
	__atomic_sub_fetch(&live_allocs, 1, __ATOMIC_RELAXED);
	free(ptr);
}

static const struct gpuvm_allocator st_allocator = {
	.zalloc = st_zalloc,
	.free = st_free,
};

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;
static int warn_count;
static char warn_first[256];

static void st_warn(const char *func, const char *msg, void *priv)
{
	(void)priv;
	pthread_mutex_lock(&warn_lock);
	if (!warn_count++)
		snprintf(warn_first, sizeof(warn_first), "%s: %s", func, msg);
	pthread_mutex_unlock(&warn_lock);
}

/* --- objects and VMs ------------------------------------------------------ */

struct st_bo {
	struct gpuvm_bo base;
	int refs;		/* atomic */
	int id;
};

static void st_bo_get(struct gpuvm_bo *bo)
{
	struct st_bo *b = gpuvm_container_of(bo, struct st_bo, base);

	__atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
}

static void st_bo_put(struct gpuvm_bo *bo)
{
	struct st_bo *b = gpuvm_container_of(bo, struct st_bo, base);

	__atomic_sub_fetch(&b->refs, 1, __ATOMIC_RELAXED);
}

static const struct gpuvm_bo_ops st_bo_ops = {
	.get = st_bo_get,
	.put = st_bo_put,
};

struct st_vm {
	struct gpuvm base;
	pthread_mutex_t lock;		/* the VA tree and @slot */
	struct gpuvm_va *slot[NSLOTS];
	int freed;
};

static long validations;	/* atomic */

static void st_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct st_vm, base)->freed++;
}

static int st_validate(struct gpuvm_vm_bo *vm_bo, struct gpuvm_exec *exec)
{
	(void)exec;
	/* the object is locked in @exec: tell the caller if it is not */
	if (!gpuvm_resv_held(vm_bo->obj->resv))
		return -ENOLCK;
	gpuvm_vm_bo_evict(vm_bo, false);
	__atomic_add_fetch(&validations, 1, __ATOMIC_RELAXED);
	return 0;
}

static const struct gpuvm_ops st_vm_ops = {
	.vm_free = st_vm_free,
	.vm_bo_validate = st_validate,
};

struct stress {
	bool immediate;
	unsigned int iterations;
	struct st_vm vms[NVMS];
	struct st_bo bos[NBOS];
	unsigned long progress;	/* atomic: completed steps, all threads */
	int stop;		/* atomic: a worker failed */
	long live_vas;		/* atomic */
};

struct worker {
	struct stress *s;
	pthread_t thread;
	unsigned int seed;
	int id;
	const char *doing;	/* atomic: the current step, for the watchdog */
	unsigned long steps[8];
	char err[256];
};

static void worker_fail(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void worker_fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	__atomic_store_n(&w->s->stop, 1, __ATOMIC_RELAXED);
}

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return (unsigned int)rand_r(&w->seed) % n;
}

static void set_doing(struct worker *w, const char *what)
{
	__atomic_store_n(&w->doing, what, __ATOMIC_RELAXED);
}

/* The BO list lock of @obj: gpuva_lock in immediate mode, else the resv. */
static void list_lock(struct stress *s, struct gpuvm_bo *obj)
{
	if (s->immediate)
		gpuvm_lock_lock(&obj->gpuva_lock);
}

static void list_unlock(struct stress *s, struct gpuvm_bo *obj)
{
	if (s->immediate)
		gpuvm_lock_unlock(&obj->gpuva_lock);
}

/* --- the steps --------------------------------------------------------------- */

/* Map slot @i of @v to @b.  The VM lock is held. */
static void do_map(struct worker *w, struct st_vm *v, unsigned int i,
		   struct st_bo *b)
{
	struct stress *s = w->s;
	struct gpuvm *vm = &v->base;
	struct gpuvm_vm_bo *pre = NULL, *vm_bo = NULL;
	struct gpuvm_exec exec;
	struct gpuvm_va *va;
	int ret;

	if (s->immediate) {
		/* allocate outside the locks the fence path may take */
		pre = gpuvm_vm_bo_create(vm, &b->base);
		if (!pre) {
			worker_fail(w, "vm_bo_create failed");
			return;
		}
	}
	va = calloc(1, sizeof(*va));
	if (!va) {
		worker_fail(w, "out of memory");
		gpuvm_vm_bo_put(pre);
		return;
	}
	va->addr = VM_START + i * PG;
	va->range = PG;
	va->obj = &b->base;
	va->offset = (uint64_t)rnd(w, 16) * PG;

	gpuvm_exec_init(&exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	do {
		ret = gpuvm_prepare_vm(vm, &exec, 1);
		if (!ret)
			ret = gpuvm_exec_prepare_obj(&exec, &b->base, 1);
	} while (gpuvm_exec_retry(&exec, &ret));
	if (ret) {
		worker_fail(w, "map: locking returned %d", ret);
		gpuvm_exec_fini(&exec);
		gpuvm_vm_bo_put(pre);
		free(va);
		return;
	}

	if (s->immediate) {
		vm_bo = gpuvm_vm_bo_obtain_prealloc(pre);
	} else {
		ret = gpuvm_vm_bo_obtain(vm, &b->base, &vm_bo);
		if (ret) {
			worker_fail(w, "vm_bo_obtain returned %d", ret);
			gpuvm_exec_fini(&exec);
			free(va);
			return;
		}
	}
	if (vm_bo->vm != vm || vm_bo->obj != &b->base)
		worker_fail(w, "obtained the vm_bo of another pair");
	gpuvm_vm_bo_extobj_add(vm_bo);

	ret = gpuvm_va_insert(vm, va);
	if (ret) {
		worker_fail(w, "va_insert at slot %u returned %d", i, ret);
		free(va);
		va = NULL;
	} else {
		list_lock(s, &b->base);
		gpuvm_va_link(va, vm_bo);
		list_unlock(s, &b->base);
		v->slot[i] = va;
		__atomic_add_fetch(&s->live_vas, 1, __ATOMIC_RELAXED);
	}
	/* sometimes the object gets evicted while we hold its resv */
	if (va && rnd(w, 4) == 0)
		gpuvm_vm_bo_evict(vm_bo, true);
	/* the VA keeps the vm_bo alive (unless the insert failed) */
	if (s->immediate)
		gpuvm_vm_bo_put_deferred(vm_bo);
	else
		gpuvm_vm_bo_put(vm_bo);
	gpuvm_exec_fini(&exec);
}

/* Unmap slot @i of @v.  The VM lock is held. */
static void do_unmap(struct worker *w, struct st_vm *v, unsigned int i)
{
	struct stress *s = w->s;
	struct gpuvm *vm = &v->base;
	struct gpuvm_va *va = v->slot[i];
	struct gpuvm_exec exec;
	int ret;

	if (gpuvm_va_find(vm, va->addr, va->range) != va) {
		worker_fail(w, "slot %u: VA not found in the tree", i);
		return;
	}
	gpuvm_exec_init(&exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	do {
		ret = gpuvm_prepare_vm(vm, &exec, 0);
		if (!ret)
			ret = gpuvm_sm_unmap_exec_lock(vm, &exec, va->addr,
						       va->range);
	} while (gpuvm_exec_retry(&exec, &ret));
	if (ret) {
		worker_fail(w, "unmap: locking returned %d", ret);
		gpuvm_exec_fini(&exec);
		return;
	}
	if (!gpuvm_resv_held(va->obj->resv))
		worker_fail(w, "unmap: the object is not locked");
	gpuvm_va_remove(va);
	if (s->immediate)
		gpuvm_va_unlink_defer(va);
	else
		gpuvm_va_unlink(va);
	gpuvm_exec_fini(&exec);
	v->slot[i] = NULL;
	__atomic_sub_fetch(&s->live_vas, 1, __ATOMIC_RELAXED);
	free(va);
}

/* obtain + put of a vm_bo nothing maps: a zombie in immediate mode */
static void do_churn(struct worker *w, struct st_vm *v, struct st_bo *b)
{
	struct stress *s = w->s;
	struct gpuvm_vm_bo *vm_bo, *pre;
	int ret;

	if (s->immediate) {
		pre = gpuvm_vm_bo_create(&v->base, &b->base);
		if (!pre) {
			worker_fail(w, "vm_bo_create failed");
			return;
		}
		vm_bo = gpuvm_vm_bo_obtain_prealloc(pre);
		gpuvm_vm_bo_put_deferred(vm_bo);
		if (rnd(w, 2))
			gpuvm_vm_bo_deferred_cleanup(&v->base);
		return;
	}
	ret = gpuvm_resv_lock(b->base.resv);
	if (ret) {
		worker_fail(w, "resv_lock returned %d", ret);
		return;
	}
	ret = gpuvm_vm_bo_obtain(&v->base, &b->base, &vm_bo);
	if (ret)
		worker_fail(w, "vm_bo_obtain returned %d", ret);
	else
		gpuvm_vm_bo_put(vm_bo);
	gpuvm_resv_unlock(b->base.resv);
}

/* Check that everything @exec locked is held, and fence it. */
static void fence_all(struct worker *w, struct gpuvm *vm,
		      struct gpuvm_exec *exec)
{
	struct gpuvm_bo *obj;
	unsigned int k;

	gpuvm_exec_for_each_locked(exec, k, obj) {
		if (!gpuvm_resv_held(obj->resv))
			worker_fail(w, "an object of the exec is not held");
	}
	gpuvm_exec_add_fence(vm, exec, w, GPUVM_RESV_USAGE_BOOKKEEP,
			     GPUVM_RESV_USAGE_BOOKKEEP);
}

/* A job on one VM: lock its resv and extobjs, validate, fence. */
static void do_submit(struct worker *w, struct st_vm *v)
{
	struct stress *s = w->s;
	struct gpuvm_vm_exec ve;
	int ret;

	/* unprotected lists: one walker per VM at a time */
	if (!s->immediate)
		pthread_mutex_lock(&v->lock);
	memset(&ve, 0, sizeof(ve));
	ve.vm = &v->base;
	ve.flags = GPUVM_EXEC_IGNORE_DUPLICATES;
	ve.num_fences = 1;
	ret = gpuvm_exec_lock(&ve);
	if (ret) {
		worker_fail(w, "exec_lock returned %d", ret);
	} else {
		ret = gpuvm_exec_validate(&ve);
		if (ret)
			worker_fail(w, "exec_validate returned %d", ret);
		fence_all(w, &v->base, &ve.exec);
		gpuvm_exec_unlock(&ve);
	}
	if (!s->immediate)
		pthread_mutex_unlock(&v->lock);
}

/* A job on two VMs in one context: wait-die across VMs and objects. */
static void do_submit2(struct worker *w, struct st_vm *a, struct st_vm *b)
{
	struct stress *s = w->s;
	struct st_vm *lo = a < b ? a : b, *hi = a < b ? b : a;
	struct gpuvm_exec exec;
	int ret;

	if (!s->immediate) {
		pthread_mutex_lock(&lo->lock);
		pthread_mutex_lock(&hi->lock);
	}
	gpuvm_exec_init(&exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	do {
		ret = gpuvm_prepare_vm(&a->base, &exec, 1);
		if (!ret)
			ret = gpuvm_prepare_vm(&b->base, &exec, 1);
		if (!ret)
			ret = gpuvm_prepare_objects(&a->base, &exec, 1);
		if (!ret)
			ret = gpuvm_prepare_objects(&b->base, &exec, 1);
	} while (gpuvm_exec_retry(&exec, &ret));
	if (ret) {
		worker_fail(w, "two-VM locking returned %d", ret);
	} else {
		ret = gpuvm_validate(&a->base, &exec);
		if (!ret)
			ret = gpuvm_validate(&b->base, &exec);
		if (ret)
			worker_fail(w, "two-VM validate returned %d", ret);
		fence_all(w, &a->base, &exec);
	}
	gpuvm_exec_fini(&exec);
	if (!s->immediate) {
		pthread_mutex_unlock(&hi->lock);
		pthread_mutex_unlock(&lo->lock);
	}
}

/* The eviction path: the object alone, all its vm_bos. */
static void do_evict(struct worker *w, struct st_bo *b)
{
	struct stress *s = w->s;
	int ret = gpuvm_resv_lock(b->base.resv);

	if (ret) {
		worker_fail(w, "resv_lock returned %d", ret);
		return;
	}
	list_lock(s, &b->base);
	gpuvm_bo_evict(&b->base, true);
	list_unlock(s, &b->base);
	gpuvm_resv_unlock(b->base.resv);
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	unsigned int it;

	for (it = 0; it < s->iterations; it++) {
		struct st_vm *v = &s->vms[rnd(w, NVMS)];
		struct st_bo *b = &s->bos[rnd(w, NBOS)];
		unsigned int i = rnd(w, NSLOTS), what = rnd(w, 16);

		if (__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
			break;
		if (what < 8) {
			set_doing(w, "map/unmap");
			pthread_mutex_lock(&v->lock);
			if (v->slot[i])
				do_unmap(w, v, i);
			else
				do_map(w, v, i, b);
			pthread_mutex_unlock(&v->lock);
		} else if (what < 10) {
			set_doing(w, "obtain/put churn");
			do_churn(w, v, b);
		} else if (what < 12) {
			set_doing(w, "submit");
			do_submit(w, v);
		} else if (what < 14) {
			struct st_vm *v2 = &s->vms[(v - s->vms + 1 +
						    rnd(w, NVMS - 1)) % NVMS];

			set_doing(w, "two-VM submit");
			do_submit2(w, v, v2);
		} else if (what < 15) {
			set_doing(w, "evict");
			do_evict(w, b);
		} else {
			set_doing(w, "deferred cleanup");
			gpuvm_vm_bo_deferred_cleanup(&v->base);
		}
		w->steps[what / 2]++;
		__atomic_add_fetch(&s->progress, 1, __ATOMIC_RELAXED);
		if (it % 64 == 0)
			sched_yield();
	}
	set_doing(w, "done");
	return NULL;
}

/* --- watchdog: progress must not stop ------------------------------------ */

struct watchdog {
	pthread_t thread;
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	bool done;
	unsigned int stall_secs;
	struct stress *s;
	struct worker *w;
	unsigned int nw;
};

static void *watchdog_fn(void *arg)
{
	struct watchdog *wd = arg;
	unsigned long last = (unsigned long)-1;
	unsigned int still = 0, i;
	bool done = false;

	pthread_mutex_lock(&wd->mutex);
	while (!wd->done) {
		struct timespec t;
		unsigned long now;

		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec += 1;
		if (pthread_cond_timedwait(&wd->cond, &wd->mutex, &t) != ETIMEDOUT)
			continue;
		now = __atomic_load_n(&wd->s->progress, __ATOMIC_RELAXED);
		still = now == last ? still + 1 : 0;
		last = now;
		if (still >= wd->stall_secs)
			break;
	}
	done = wd->done;
	pthread_mutex_unlock(&wd->mutex);
	if (done)
		return NULL;

	/* nothing can recover a deadlocked test: say where, then end it */
	fprintf(stderr, "stress: no progress for %u s after %lu steps (deadlock?)\n",
		wd->stall_secs, last);
	for (i = 0; i < wd->nw; i++)
		fprintf(stderr, "  thread %d: %s\n", wd->w[i].id,
			__atomic_load_n(&wd->w[i].doing, __ATOMIC_RELAXED));
	fflush(stderr);
	abort();
	return NULL;
}

static void watchdog_start(struct watchdog *wd, struct stress *s,
			   struct worker *w, unsigned int nw)
{
	pthread_condattr_t attr;

	memset(wd, 0, sizeof(*wd));
	wd->s = s;
	wd->w = w;
	wd->nw = nw;
	wd->stall_secs = under_valgrind() ? 120 : 20;
	pthread_mutex_init(&wd->mutex, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wd->cond, &attr);
	pthread_condattr_destroy(&attr);
	ck_assert_int_eq(pthread_create(&wd->thread, NULL, watchdog_fn, wd), 0);
}

static void watchdog_stop(struct watchdog *wd)
{
	pthread_mutex_lock(&wd->mutex);
	wd->done = true;
	pthread_cond_signal(&wd->cond);
	pthread_mutex_unlock(&wd->mutex);
	pthread_join(wd->thread, NULL);
	pthread_cond_destroy(&wd->cond);
	pthread_mutex_destroy(&wd->mutex);
}

/* --- the test -------------------------------------------------------------- */

static struct stress the_stress;

static void setup(void)
{
	gpuvm_set_allocator(&st_allocator);
	gpuvm_set_warn_handler(st_warn, NULL);
	live_allocs = 0;
	warn_count = 0;
	warn_first[0] = '\0';
	validations = 0;
}

static void teardown(void)
{
	gpuvm_set_warn_handler(NULL, NULL);
	gpuvm_set_allocator(NULL);
}

static void stress_init(struct stress *s, bool immediate)
{
	struct gpuvm_init_args args;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->immediate = immediate;
	s->iterations = iterations();
	for (i = 0; i < NBOS; i++) {
		gpuvm_bo_init(&s->bos[i].base, &st_bo_ops, NULL);
		s->bos[i].refs = 1;
		s->bos[i].id = (int)i;
	}
	for (i = 0; i < NVMS; i++) {
		struct st_vm *v = &s->vms[i];

		memset(&args, 0, sizeof(args));
		args.name = "stress";
		args.flags = immediate ?
			     GPUVM_IMMEDIATE_MODE | GPUVM_RESV_PROTECTED : 0;
		args.start = VM_START;
		args.range = VM_RANGE;
		args.ops = &st_vm_ops;
		ck_assert_int_eq(gpuvm_init(&v->base, &args), 0);
		pthread_mutex_init(&v->lock, NULL);
	}
	/* every object is external to every VM */
	for (i = 0; i < NBOS; i++)
		ck_assert(gpuvm_is_extobj(&s->vms[0].base, &s->bos[i].base));
}

/* Single-threaded: unmap what is left, collect zombies, check, free. */
static void stress_fini(struct stress *s)
{
	struct worker w;
	unsigned int i, j;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.seed = 1;
	for (i = 0; i < NVMS; i++) {
		struct st_vm *v = &s->vms[i];

		/* a last job on each VM validates what is still evicted */
		do_submit(&w, v);
		pthread_mutex_lock(&v->lock);
		for (j = 0; j < NSLOTS; j++)
			if (v->slot[j])
				do_unmap(&w, v, j);
		pthread_mutex_unlock(&v->lock);
		gpuvm_vm_bo_deferred_cleanup(&v->base);
	}
	ck_assert_msg(w.err[0] == '\0', "draining: %s", w.err);
	ck_assert_int_eq(s->live_vas, 0);

	for (i = 0; i < NVMS; i++) {
		struct gpuvm *vm = &s->vms[i].base;

		ck_assert_int_eq(gpuvm_check(vm), 0);
		ck_assert_uint_eq(gpuvm_va_count(vm), 0);
		ck_assert(gpuvm_list_empty(&vm->extobj.list));
		ck_assert(gpuvm_list_empty(&vm->evict.list));
		ck_assert_ptr_null(vm->bo_defer);
		ck_assert_uint_eq(gpuvm_refcount(vm), 1);
	}
	for (i = 0; i < NBOS; i++) {
		struct st_bo *b = &s->bos[i];

		ck_assert(gpuvm_list_empty(&b->base.vm_bos));
		ck_assert_int_eq(b->refs, 1);
		ck_assert(!ts_resv_locked(b->base.resv));
		gpuvm_bo_fini(&b->base);
	}
	for (i = 0; i < NVMS; i++) {
		gpuvm_put(&s->vms[i].base);
		ck_assert_int_eq(s->vms[i].freed, 1);
		pthread_mutex_destroy(&s->vms[i].lock);
	}
	ck_assert_msg(warn_count == 0, "%d warnings, the first: %s", warn_count,
		      warn_first);
	ck_assert_int_eq(live_allocs, 0);
}

static void run_stress(bool immediate)
{
	struct stress *s = &the_stress;
	struct worker w[NTHREADS];
	unsigned long total = 0, per_kind[8] = { 0 };
	struct watchdog wd;
	unsigned int i, k;

	stress_init(s, immediate);
	memset(w, 0, sizeof(w));
	watchdog_start(&wd, s, w, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		w[i].s = s;
		w[i].id = (int)i + 1;
		w[i].seed = 0x2545F491u * (i + 1) + (immediate ? 7 : 0);
		w[i].doing = "starting";
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, worker_fn,
						&w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_join(w[i].thread, NULL), 0);
	watchdog_stop(&wd);

	for (i = 0; i < NTHREADS; i++)
		ck_assert_msg(w[i].err[0] == '\0', "thread %u: %s", i + 1,
			      w[i].err);
	for (i = 0; i < NTHREADS; i++)
		for (k = 0; k < 8; k++) {
			per_kind[k] += w[i].steps[k];
			total += w[i].steps[k];
		}
	ck_assert_uint_eq(total, (unsigned long)NTHREADS * s->iterations);
	ck_assert_uint_eq(s->progress, total);
	/* every kind of step ran (the draws are fixed by the seeds) */
	for (k = 0; k < 8; k++)
		ck_assert_uint_gt(per_kind[k], 0);
	stress_fini(s);
	/* something was evicted and validated again */
	ck_assert_int_gt(validations, 0);
}

START_TEST(test_stress_immediate)
{
	run_stress(true);
}
END_TEST

START_TEST(test_stress_staged)
{
	run_stress(false);
}
END_TEST

static Suite *stress_suite(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("threads");

	tcase_set_timeout(tc, 0);	/* the watchdog decides */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stress_immediate);
	tcase_add_test(tc, test_stress_staged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(stress_suite());
}
