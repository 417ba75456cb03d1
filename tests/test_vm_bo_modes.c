// SPDX-License-Identifier: MIT
/*
 * vm_bo in every VM mode (staged, RESV_PROTECTED, IMMEDIATE_MODE and both),
 * with the lock checks on: every test takes the locks the API asks for and
 * ends with no warning, so a passing run also shows that those checks accept
 * correct locking.  The misuse tests expect exactly the warnings they
 * provoke.  Cases 63-83 of docs/test-cases.md, with the rules of
 * docs/locking.md.
 *
 * The "threads" tcase (tag "threads") runs the concurrency cases of 83; it
 * is meant to be run under ThreadSanitizer too:
 *	CK_RUN_CASE=threads ./test_vm_bo_modes
 */
#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Counters and hooks                                                       */

/* Written from several threads in the "threads" tcase: atomics only. */
static int vm_bo_frees;		/* vm_bo_free calls */
static int freed_linked;	/* vm_bos freed while still on some list */
static int freed_with_refs;	/* vm_bos freed with a non-zero refcount */
static int freed_under_gpuva;	/* vm_bo_free with the gpuva lock held */
/*
 * Off in the "threads" tcase: the default gpuvm_lock_held() reads the owner
 * without synchronisation, which ThreadSanitizer reports when another
 * thread takes the lock at the same time.
 */
static bool check_free_lock;
static struct gpuvm_vm_bo *last_freed;
static int bo_frees;		/* dynamic objects released */

/* vm_bo_validate behaviour, single-threaded tests only */
static int validate_calls;
static int validate_unlocked;	/* callback ran without the object locked */
static int validate_not_in_exec;	/* object not among the exec's objects */
static int validate_err;		/* returned by the callback if non-zero */
static struct gpuvm_bo *validate_keep;	/* eviction not cleared for it */

static int atomic_read(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void atomic_inc(int *p)
{
	__atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}

static void reset(void)
{
	__atomic_store_n(&vm_bo_frees, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&freed_linked, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&freed_with_refs, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&freed_under_gpuva, 0, __ATOMIC_SEQ_CST);
	check_free_lock = true;
	__atomic_store_n(&last_freed, NULL, __ATOMIC_SEQ_CST);
	__atomic_store_n(&bo_frees, 0, __ATOMIC_SEQ_CST);
	validate_calls = 0;
	validate_unlocked = 0;
	validate_not_in_exec = 0;
	validate_err = 0;
	validate_keep = NULL;
	ts_warn_capture();
}

static void modes_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct ts_vm, vm)->freed++;
}

static void modes_vm_bo_free(struct gpuvm_vm_bo *vm_bo)
{
	if (!gpuvm_list_empty(&vm_bo->bo_link) ||
	    !gpuvm_list_empty(&vm_bo->extobj_link) ||
	    !gpuvm_list_empty(&vm_bo->evict_link) ||
	    !gpuvm_list_empty(&vm_bo->vas))
		atomic_inc(&freed_linked);
	if (gpuvm_vm_bo_refcount(vm_bo) != 0)
		atomic_inc(&freed_with_refs);
	if (check_free_lock && gpuvm_lock_held(&vm_bo->obj->gpuva_lock))
		atomic_inc(&freed_under_gpuva);
	__atomic_store_n(&last_freed, vm_bo, __ATOMIC_SEQ_CST);
	atomic_inc(&vm_bo_frees);
	gpuvm_free(vm_bo);
}

static int modes_validate(struct gpuvm_vm_bo *vm_bo, struct gpuvm_exec *exec)
{
	struct gpuvm_bo *obj;
	unsigned int i;
	bool found = false;

	validate_calls++;
	if (!gpuvm_resv_held(vm_bo->obj->resv))
		validate_unlocked++;
	gpuvm_exec_for_each_locked(exec, i, obj)
		if (obj->resv == vm_bo->obj->resv)
			found = true;
	if (!found)
		validate_not_in_exec++;
	if (validate_err)
		return validate_err;
	if (vm_bo->obj != validate_keep)
		gpuvm_vm_bo_evict(vm_bo, false);
	return 0;
}

static const struct gpuvm_ops modes_ops = {
	.vm_free = modes_vm_free,
	.vm_bo_free = modes_vm_bo_free,
	.vm_bo_validate = modes_validate,
};

static const struct gpuvm_ops novalidate_ops = {
	.vm_free = modes_vm_free,
	.vm_bo_free = modes_vm_bo_free,
};

static int frees(void)
{
	return atomic_read(&vm_bo_frees);
}

static struct gpuvm_vm_bo *freed_last(void)
{
	return __atomic_load_n(&last_freed, __ATOMIC_SEQ_CST);
}

/* No vm_bo may ever reach vm_bo_free while linked or referenced. */
static void assert_clean_frees(void)
{
	ck_assert_int_eq(atomic_read(&freed_linked), 0);
	ck_assert_int_eq(atomic_read(&freed_with_refs), 0);
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */

/* A test object with an atomic reference count. */
struct tbo {
	struct gpuvm_bo base;
	int refs;
	bool dynamic;	/* malloc'ed: finalised and freed on the last put */
};

static struct tbo *to_tbo(struct gpuvm_bo *bo)
{
	return gpuvm_container_of(bo, struct tbo, base);
}

static void tbo_get(struct gpuvm_bo *bo)
{
	__atomic_add_fetch(&to_tbo(bo)->refs, 1, __ATOMIC_SEQ_CST);
}

static void tbo_put(struct gpuvm_bo *bo)
{
	struct tbo *t = to_tbo(bo);

	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_SEQ_CST) == 0 &&
	    t->dynamic) {
		gpuvm_bo_fini(&t->base);
		free(t);
		atomic_inc(&bo_frees);
	}
}

static const struct gpuvm_bo_ops tbo_ops = {
	.get = tbo_get,
	.put = tbo_put,
};

/* One reference; its own resv, or @shared (the VM's, for a private object). */
static void tbo_init(struct tbo *t, struct gpuvm_resv *shared)
{
	memset(t, 0, sizeof(*t));
	gpuvm_bo_init(&t->base, &tbo_ops, shared);
	t->refs = 1;
}

static int tbo_refs(struct tbo *t)
{
	return atomic_read(&t->refs);
}

/* ------------------------------------------------------------------------ */
/* VMs                                                                      */

static const uint32_t all_modes[] = {
	0,
	GPUVM_RESV_PROTECTED,
	GPUVM_IMMEDIATE_MODE,
	GPUVM_IMMEDIATE_MODE | GPUVM_RESV_PROTECTED,
};

static const uint32_t immediate_modes[] = {
	GPUVM_IMMEDIATE_MODE,
	GPUVM_IMMEDIATE_MODE | GPUVM_RESV_PROTECTED,
};

static const uint32_t unprotected_modes[] = {
	0,
	GPUVM_IMMEDIATE_MODE,
};

static const uint32_t protected_modes[] = {
	GPUVM_RESV_PROTECTED,
	GPUVM_RESV_PROTECTED | GPUVM_IMMEDIATE_MODE,
};

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void vm_setup(struct ts_vm *t, uint32_t flags,
		     const struct gpuvm_ops *ops, uint64_t rstart,
		     uint64_t rrange)
{
	struct gpuvm_init_args args = {
		.name = "modes",
		.flags = flags,
		.start = 0,
		.range = 100,
		.reserve_start = rstart,
		.reserve_range = rrange,
		.ops = ops ? ops : &modes_ops,
	};

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(gpuvm_init(&t->vm, &args), 0);
	ck_assert_uint_eq(t->vm.flags, flags);
}

static void vm_teardown(struct ts_vm *t)
{
	ck_assert_uint_eq(gpuvm_refcount(&t->vm), 1);
	gpuvm_put(&t->vm);
	ck_assert_int_eq(t->freed, 1);
}

/* ------------------------------------------------------------------------ */
/* Locks: a small record of what a test holds, released in reverse order    */

struct held {
	struct gpuvm_resv *resv[8];
	unsigned int nresv;
	struct gpuvm_lock *lock[4];
	unsigned int nlock;
};

#define HELD_INIT { .nresv = 0, .nlock = 0 }

/* Take @r unless already held here (objects may share the VM's resv). */
static void hold_resv(struct held *h, struct gpuvm_resv *r)
{
	unsigned int i;

	for (i = 0; i < h->nresv; i++)
		if (h->resv[i] == r)
			return;
	/* Lock order: reservation locks before gpuva locks. */
	ck_assert_uint_eq(h->nlock, 0);
	ck_assert_uint_lt(h->nresv, 8);
	ck_assert_int_eq(gpuvm_resv_lock(r), 0);
	h->resv[h->nresv++] = r;
}

static void hold_gpuva(struct held *h, struct gpuvm_bo *obj)
{
	unsigned int i;

	for (i = 0; i < h->nlock; i++)
		if (h->lock[i] == &obj->gpuva_lock)
			return;
	ck_assert_uint_lt(h->nlock, 4);
	gpuvm_lock_lock(&obj->gpuva_lock);
	h->lock[h->nlock++] = &obj->gpuva_lock;
}

/* The object's BO list lock for @vm's mode. */
static void hold_list(struct held *h, struct gpuvm *vm, struct gpuvm_bo *obj)
{
	if (gpuvm_immediate_mode(vm))
		hold_gpuva(h, obj);
	else
		hold_resv(h, obj->resv);
}

/* What a put that may be the last needs. */
static void hold_for_put(struct held *h, struct gpuvm *vm, struct gpuvm_bo *obj)
{
	if (gpuvm_resv_protected(vm))
		hold_resv(h, gpuvm_resv(vm));
	hold_list(h, vm, obj);
}

static void release(struct held *h)
{
	while (h->nlock)
		gpuvm_lock_unlock(h->lock[--h->nlock]);
	while (h->nresv)
		gpuvm_resv_unlock(h->resv[--h->nresv]);
}

/* ------------------------------------------------------------------------ */
/* vm_bo and VA helpers, each taking the locks it needs                     */

/* The vm_bo of (@vm, @obj) the way @vm's mode wants it obtained. */
static struct gpuvm_vm_bo *obtain(struct gpuvm *vm, struct gpuvm_bo *obj)
{
	struct gpuvm_vm_bo *vm_bo;

	if (gpuvm_immediate_mode(vm)) {
		struct gpuvm_vm_bo *pre = gpuvm_vm_bo_create(vm, obj);

		ck_assert_ptr_nonnull(pre);
		vm_bo = gpuvm_vm_bo_obtain_prealloc(pre);
	} else {
		struct held h = HELD_INIT;

		hold_list(&h, vm, obj);
		ck_assert_int_eq(gpuvm_vm_bo_obtain(vm, obj, &vm_bo), 0);
		release(&h);
	}
	ck_assert_ptr_nonnull(vm_bo);
	return vm_bo;
}

/* Put with the locks a last put needs; returns gpuvm_vm_bo_put(). */
static bool put_locked(struct gpuvm_vm_bo *vm_bo)
{
	struct held h = HELD_INIT;
	bool destroyed;

	hold_for_put(&h, vm_bo->vm, vm_bo->obj);
	destroyed = gpuvm_vm_bo_put(vm_bo);
	release(&h);
	return destroyed;
}

static struct gpuvm_vm_bo *find_locked(struct gpuvm *vm, struct gpuvm_bo *obj)
{
	struct held h = HELD_INIT;
	struct gpuvm_vm_bo *vm_bo;

	hold_list(&h, vm, obj);
	vm_bo = gpuvm_vm_bo_find(vm, obj);
	if (vm_bo)
		ck_assert(!gpuvm_vm_bo_put(vm_bo));
	release(&h);
	return vm_bo;
}

static void extobj_add_locked(struct gpuvm_vm_bo *vm_bo)
{
	struct held h = HELD_INIT;

	if (gpuvm_resv_protected(vm_bo->vm))
		hold_resv(&h, gpuvm_resv(vm_bo->vm));
	gpuvm_vm_bo_extobj_add(vm_bo);
	release(&h);
}

static void evict_locked(struct gpuvm_vm_bo *vm_bo, bool evict)
{
	struct held h = HELD_INIT;

	hold_resv(&h, vm_bo->obj->resv);
	gpuvm_vm_bo_evict(vm_bo, evict);
	release(&h);
}

static struct gpuvm_va *va_add(struct gpuvm *vm, uint64_t addr, uint64_t range,
			       struct gpuvm_bo *obj, uint64_t offset)
{
	struct gpuvm_va *va = ts_va_new(addr, range, obj, offset);

	ck_assert_int_eq(gpuvm_va_insert(vm, va), 0);
	return va;
}

static void link_locked(struct gpuvm_va *va, struct gpuvm_vm_bo *vm_bo)
{
	struct held h = HELD_INIT;

	hold_list(&h, vm_bo->vm, vm_bo->obj);
	gpuvm_va_link(va, vm_bo);
	release(&h);
}

/* Remove and free an unlinked VA. */
static void va_del(struct gpuvm_va *va)
{
	ck_assert_ptr_null(va->vm_bo);
	gpuvm_va_remove(va);
	free(va);
}

static unsigned int list_len(const struct gpuvm_list *head)
{
	const struct gpuvm_list *l;
	unsigned int n = 0;

	for (l = head->next; l != head; l = l->next)
		n++;
	return n;
}

static bool on_extobj(struct gpuvm *vm, const struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm_vm_bo *v;

	gpuvm_list_for_each(v, &vm->extobj.list, extobj_link)
		if (v == vm_bo)
			return true;
	return false;
}

static bool on_evict(struct gpuvm *vm, const struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm_vm_bo *v;

	gpuvm_list_for_each(v, &vm->evict.list, evict_link)
		if (v == vm_bo)
			return true;
	return false;
}

static bool on_bo(struct gpuvm_bo *obj, const struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm_vm_bo *v;

	gpuvm_bo_for_each_vm_bo(v, obj)
		if (v == vm_bo)
			return true;
	return false;
}

/* Lock and unlock everything gpuvm_exec_lock() locks (protected mode: moves
 * evicted external vm_bos onto the evict list). */
static void exec_cycle(struct gpuvm *vm)
{
	struct gpuvm_vm_exec ve = {
		.vm = vm,
		.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
	};

	ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
	gpuvm_exec_unlock(&ve);
}

static bool exec_has(const struct gpuvm_exec *exec, const struct gpuvm_bo *obj)
{
	unsigned int i;

	for (i = 0; i < exec->num_objects; i++)
		if (exec->objects[i] == obj)
			return true;
	return false;
}

static unsigned int free_slots(const struct gpuvm_resv *r)
{
	return r->max_fences - r->num_fences;
}

static void assert_no_warnings(void)
{
	ck_assert_msg(ts_warn_count() == 0, "%d warning(s), last from %s",
		      ts_warn_count(), ts_warn_last_func());
}

/* ------------------------------------------------------------------------ */
/* 63: obtain (staged) with the object's resv held                          */

START_TEST(test_63_obtain)
{
	struct ts_vm t1, t2, t3;
	struct tbo x, y;
	struct gpuvm_vm_bo *a, *a2, *b, *c, *ya, *v, *order[3];
	struct held h = HELD_INIT;
	unsigned int n = 0;
	const uint32_t flags = _i ? GPUVM_RESV_PROTECTED : 0;

	reset();
	vm_setup(&t1, flags, NULL, 0, 0);
	vm_setup(&t2, flags, NULL, 0, 0);
	vm_setup(&t3, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);

	hold_resv(&h, x.base.resv);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t1.vm, &x.base, &a), 0);
	ck_assert_ptr_eq(a->vm, &t1.vm);
	ck_assert_ptr_eq(a->obj, &x.base);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(a), 1);
	ck_assert(!a->evicted);
	ck_assert(on_bo(&x.base, a));
	ck_assert_int_eq(tbo_refs(&x), 2);
	ck_assert_uint_eq(gpuvm_refcount(&t1.vm), 2);

	/* twice: same vm_bo, one more reference, nothing else */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t1.vm, &x.base, &a2), 0);
	ck_assert_ptr_eq(a2, a);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(a), 2);
	ck_assert_int_eq(tbo_refs(&x), 2);
	ck_assert_uint_eq(gpuvm_refcount(&t1.vm), 2);
	ck_assert_uint_eq(list_len(&x.base.vm_bos), 1);

	/* other VMs: other vm_bos, appended */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t2.vm, &x.base, &b), 0);
	ck_assert_ptr_ne(b, a);
	ck_assert_ptr_eq(b->vm, &t2.vm);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(b), 1);
	ck_assert_int_eq(tbo_refs(&x), 3);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t3.vm, &x.base, &c), 0);
	ck_assert_ptr_ne(c, a);
	ck_assert_ptr_ne(c, b);
	ck_assert_int_eq(tbo_refs(&x), 4);

	/* X's list is in creation order */
	gpuvm_bo_for_each_vm_bo(v, &x.base) {
		ck_assert_uint_lt(n, 3);
		order[n++] = v;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_eq(order[0], a);
	ck_assert_ptr_eq(order[1], b);
	ck_assert_ptr_eq(order[2], c);

	v = gpuvm_vm_bo_find(&t3.vm, &x.base);
	ck_assert_ptr_eq(v, c);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(c), 2);
	ck_assert(!gpuvm_vm_bo_put(v));
	release(&h);

	hold_resv(&h, y.base.resv);
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t1.vm, &y.base));
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t1.vm, &y.base, &ya), 0);
	ck_assert_ptr_ne(ya, a);
	ck_assert_uint_eq(gpuvm_refcount(&t1.vm), 3);
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t2.vm, &y.base));
	release(&h);
	ck_assert_int_eq(frees(), 0);

	/* the last puts destroy, under the locks they need */
	ck_assert(!put_locked(a));
	ck_assert(put_locked(a2));
	ck_assert_ptr_eq(freed_last(), a);
	ck_assert(put_locked(b));
	ck_assert(put_locked(c));
	ck_assert(put_locked(ya));
	ck_assert_int_eq(frees(), 4);
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert(gpuvm_list_empty(&y.base.vm_bos));
	ck_assert_int_eq(tbo_refs(&x), 1);
	ck_assert_int_eq(tbo_refs(&y), 1);
	assert_clean_frees();
	assert_no_warnings();

	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	vm_teardown(&t1);
	vm_teardown(&t2);
	vm_teardown(&t3);
	assert_no_warnings();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 64: obtain_prealloc, called without the gpuva lock                       */

START_TEST(test_64_obtain_prealloc)
{
	const uint32_t flags = immediate_modes[_i];
	struct ts_vm t, t2;
	struct tbo x;
	struct gpuvm_vm_bo *pre, *pre2, *pre3, *a, *b, *c;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	vm_setup(&t2, flags, NULL, 0, 0);
	tbo_init(&x, NULL);

	/* create: refcount 1, VM and object references, on no list */
	pre = gpuvm_vm_bo_create(&t.vm, &x.base);
	ck_assert_ptr_nonnull(pre);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(pre), 1);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_int_eq(tbo_refs(&x), 2);
	ck_assert(gpuvm_list_empty(&pre->bo_link));
	ck_assert(gpuvm_list_empty(&pre->extobj_link));
	ck_assert(gpuvm_list_empty(&pre->evict_link));
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));

	/* none yet: the pre-allocation is adopted */
	ck_assert(!gpuvm_lock_held(&x.base.gpuva_lock));
	a = gpuvm_vm_bo_obtain_prealloc(pre);
	ck_assert_ptr_eq(a, pre);
	ck_assert(!gpuvm_lock_held(&x.base.gpuva_lock));
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(a), 1);
	ck_assert_uint_eq(list_len(&x.base.vm_bos), 1);
	ck_assert(on_bo(&x.base, a));
	ck_assert_int_eq(frees(), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_int_eq(tbo_refs(&x), 2);
	ck_assert_ptr_eq(find_locked(&t.vm, &x.base), a);

	extobj_add_locked(a);
	evict_locked(a, true);
	if (gpuvm_resv_protected(&t.vm))
		exec_cycle(&t.vm);
	ck_assert(on_extobj(&t.vm, a));
	ck_assert(on_evict(&t.vm, a));

	/* existing: returned with a reference, the pre-allocation freed */
	pre2 = gpuvm_vm_bo_create(&t.vm, &x.base);
	ck_assert_ptr_nonnull(pre2);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);
	ck_assert_int_eq(tbo_refs(&x), 3);
	b = gpuvm_vm_bo_obtain_prealloc(pre2);
	ck_assert_ptr_eq(b, a);
	ck_assert(!gpuvm_lock_held(&x.base.gpuva_lock));
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(a), 2);
	ck_assert_int_eq(frees(), 1);
	ck_assert_ptr_eq(freed_last(), pre2);
	/* freed after the gpuva lock was dropped (docs/locking.md 3) */
	ck_assert_int_eq(atomic_read(&freed_under_gpuva), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_int_eq(tbo_refs(&x), 2);
	/* no list touched */
	ck_assert_uint_eq(list_len(&x.base.vm_bos), 1);
	ck_assert_uint_eq(list_len(&t.vm.extobj.list), 1);
	ck_assert_uint_eq(list_len(&t.vm.evict.list), 1);
	ck_assert(a->evicted);

	/* another VM: its own vm_bo, after the first in X's list */
	pre3 = gpuvm_vm_bo_create(&t2.vm, &x.base);
	ck_assert_ptr_nonnull(pre3);
	c = gpuvm_vm_bo_obtain_prealloc(pre3);
	ck_assert_ptr_eq(c, pre3);
	ck_assert_ptr_ne(c, a);
	ck_assert_uint_eq(list_len(&x.base.vm_bos), 2);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&x.base.vm_bos,
						struct gpuvm_vm_bo, bo_link), a);
	ck_assert_ptr_eq(gpuvm_list_last_entry(&x.base.vm_bos,
					       struct gpuvm_vm_bo, bo_link), c);
	ck_assert_int_eq(frees(), 1);
	ck_assert_uint_eq(gpuvm_refcount(&t2.vm), 2);

	evict_locked(a, false);
	ck_assert(!put_locked(b));
	ck_assert(put_locked(a));
	ck_assert(put_locked(c));
	ck_assert_int_eq(frees(), 3);
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	ck_assert_int_eq(tbo_refs(&x), 1);
	assert_clean_frees();
	assert_no_warnings();

	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
	vm_teardown(&t2);
	assert_no_warnings();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 65-67: link and unlink in every mode                                     */

START_TEST(test_65_link_unlink)
{
	const uint32_t flags = all_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *a, *b, *v;
	struct held h = HELD_INIT;
	unsigned int n = 0;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);

	vb = obtain(&t.vm, &x.base);
	a = va_add(&t.vm, 10, 10, &x.base, 0);
	b = va_add(&t.vm, 30, 10, &x.base, 10);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);	/* creator, vm_bo, 2 VAs */

	hold_list(&h, &t.vm, &x.base);
	gpuvm_va_link(a, vb);
	gpuvm_va_link(b, vb);
	ck_assert_ptr_eq(a->vm_bo, vb);
	ck_assert_ptr_eq(b->vm_bo, vb);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 3);
	gpuvm_vm_bo_for_each_va(v, vb) {
		ck_assert_ptr_eq(v, n ? b : a);
		n++;
	}
	ck_assert_uint_eq(n, 2);
	release(&h);

	/* on the extobj and evict lists before it dies */
	extobj_add_locked(vb);
	evict_locked(vb, true);
	if (gpuvm_resv_protected(&t.vm))
		exec_cycle(&t.vm);
	ck_assert(on_extobj(&t.vm, vb));
	ck_assert(on_evict(&t.vm, vb));

	/* dropping the creator's reference cannot be the last: no lock */
	ck_assert(!gpuvm_vm_bo_put(vb));
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 2);

	hold_for_put(&h, &t.vm, &x.base);
	gpuvm_va_unlink(a);
	ck_assert_ptr_null(a->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 1);
	ck_assert_int_eq(frees(), 0);
	gpuvm_va_unlink(b);
	ck_assert_ptr_null(b->vm_bo);
	ck_assert_int_eq(frees(), 1);
	ck_assert_ptr_eq(freed_last(), vb);
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t.vm, &x.base));
	release(&h);

	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);
	ck_assert_int_eq(tbo_refs(&x), 1);

	va_del(a);
	va_del(b);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
	assert_no_warnings();
}
END_TEST

START_TEST(test_66_link_null_object)
{
	const uint32_t flags = all_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *nva;
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	vb = obtain(&t.vm, &x.base);
	nva = va_add(&t.vm, 50, 10, NULL, 50);

	hold_list(&h, &t.vm, &x.base);
	gpuvm_va_link(nva, vb);
	ck_assert_ptr_null(nva->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 1);
	ck_assert(gpuvm_list_empty(&vb->vas));
	gpuvm_va_unlink(nva);
	ck_assert_ptr_null(nva->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 1);
	release(&h);

	/* unlinked without holding anything: no object, nothing to check */
	gpuvm_va_unlink(nva);
	if (gpuvm_immediate_mode(&t.vm))
		gpuvm_va_unlink_defer(nva);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 1);

	ck_assert(put_locked(vb));
	va_del(nva);
	ck_assert_int_eq(frees(), 1);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
}
END_TEST

START_TEST(test_67_link_mismatch)
{
	const uint32_t flags = all_modes[_i];
	struct ts_vm t;
	struct tbo x, y;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *va;
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	vb = obtain(&t.vm, &x.base);
	va = va_add(&t.vm, 0, 10, &y.base, 0);

	hold_list(&h, &t.vm, &x.base);
	gpuvm_va_link(va, vb);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_va_link");
	/* linked all the same */
	ck_assert_ptr_eq(va->vm_bo, vb);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 2);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&vb->vas, struct gpuvm_va,
						bo_link), va);
	gpuvm_va_unlink(va);
	ck_assert_ptr_null(va->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 1);
	release(&h);
	ck_assert_int_eq(ts_warn_count(), 1);

	ck_assert(put_locked(vb));
	va_del(va);
	ck_assert_int_eq(tbo_refs(&x), 1);
	ck_assert_int_eq(tbo_refs(&y), 1);
	ck_assert_int_eq(ts_warn_count(), 1);
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	vm_teardown(&t);
	ck_assert_int_eq(ts_warn_count(), 1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 68: extobj_add                                                           */

START_TEST(test_68_extobj_add)
{
	const uint32_t flags = all_modes[_i];
	struct ts_vm t;
	struct tbo x, p;
	struct gpuvm_vm_bo *vx, *vp;
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	tbo_init(&p, gpuvm_resv(&t.vm));
	ck_assert_ptr_eq(p.base.resv, gpuvm_resv(&t.vm));
	ck_assert(gpuvm_is_extobj(&t.vm, &x.base));
	ck_assert(!gpuvm_is_extobj(&t.vm, &p.base));

	vx = obtain(&t.vm, &x.base);
	vp = obtain(&t.vm, &p.base);

	if (gpuvm_resv_protected(&t.vm))
		hold_resv(&h, gpuvm_resv(&t.vm));
	gpuvm_vm_bo_extobj_add(vp);
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert(gpuvm_list_empty(&vp->extobj_link));
	gpuvm_vm_bo_extobj_add(vx);
	ck_assert_uint_eq(list_len(&t.vm.extobj.list), 1);
	ck_assert(on_extobj(&t.vm, vx));
	gpuvm_vm_bo_extobj_add(vx);
	ck_assert_uint_eq(list_len(&t.vm.extobj.list), 1);
	release(&h);
	/* adding takes no reference */
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 1);

	ck_assert(put_locked(vp));
	ck_assert(put_locked(vx));
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert_int_eq(frees(), 2);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&p.base);
	vm_teardown(&t);
	assert_no_warnings();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 69-72: eviction and validation                                           */

START_TEST(test_69_evict_unprotected)
{
	const uint32_t flags = unprotected_modes[_i];
	struct ts_vm t;
	struct tbo x, y;
	struct gpuvm_vm_bo *vx, *vy;
	struct gpuvm_vm_exec ve = {
		.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
	};
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	ve.vm = &t.vm;
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	vx = obtain(&t.vm, &x.base);
	vy = obtain(&t.vm, &y.base);
	extobj_add_locked(vx);
	extobj_add_locked(vy);

	ck_assert(!vx->evicted);
	evict_locked(vx, true);
	ck_assert(vx->evicted);
	ck_assert(on_evict(&t.vm, vx));
	evict_locked(vx, true);
	ck_assert_uint_eq(list_len(&t.vm.evict.list), 1);
	evict_locked(vx, false);
	ck_assert(!vx->evicted);
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	evict_locked(vx, false);
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));

	/* the per-object form: object resv and BO list lock */
	hold_resv(&h, y.base.resv);
	hold_list(&h, &t.vm, &y.base);
	gpuvm_bo_evict(&y.base, true);
	release(&h);
	ck_assert(vy->evicted);
	ck_assert(on_evict(&t.vm, vy));
	evict_locked(vx, true);
	ck_assert_uint_eq(list_len(&t.vm.evict.list), 2);

	/* X's callback clears its eviction, Y's does not */
	validate_keep = &y.base;
	ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
	ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
	ck_assert_int_eq(validate_calls, 2);
	ck_assert_int_eq(validate_unlocked, 0);
	ck_assert_int_eq(validate_not_in_exec, 0);
	ck_assert(!vx->evicted);
	ck_assert(!on_evict(&t.vm, vx));
	ck_assert(vy->evicted);
	ck_assert(on_evict(&t.vm, vy));
	ck_assert_uint_eq(list_len(&t.vm.evict.list), 1);

	/* a failing callback stops the walk; the list keeps both, in order */
	gpuvm_vm_bo_evict(vx, true);	/* X is locked in the exec */
	ck_assert_ptr_eq(gpuvm_list_first_entry(&t.vm.evict.list,
						struct gpuvm_vm_bo, evict_link), vy);
	validate_calls = 0;
	validate_err = -EIO;
	ck_assert_int_eq(gpuvm_exec_validate(&ve), -EIO);
	ck_assert_int_eq(validate_calls, 1);
	ck_assert_uint_eq(list_len(&t.vm.evict.list), 2);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&t.vm.evict.list,
						struct gpuvm_vm_bo, evict_link), vy);
	ck_assert_ptr_eq(gpuvm_list_last_entry(&t.vm.evict.list,
					       struct gpuvm_vm_bo, evict_link), vx);

	/* everything cleared */
	validate_err = 0;
	validate_keep = NULL;
	validate_calls = 0;
	ck_assert_int_eq(gpuvm_validate(&t.vm, &ve.exec), 0);
	ck_assert_int_eq(validate_calls, 2);
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	ck_assert(!vx->evicted && !vy->evicted);
	/* nothing left to validate */
	ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
	ck_assert_int_eq(validate_calls, 2);
	gpuvm_exec_unlock(&ve);

	/* the walks took and dropped references */
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 1);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vy), 1);
	ck_assert_uint_eq(list_len(&t.vm.extobj.list), 2);

	ck_assert(put_locked(vx));
	ck_assert(put_locked(vy));
	ck_assert_int_eq(tbo_refs(&x), 1);
	ck_assert_int_eq(tbo_refs(&y), 1);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	vm_teardown(&t);
	assert_no_warnings();
}
END_TEST

START_TEST(test_70_evict_protected_external)
{
	const uint32_t flags = protected_modes[_i];
	struct ts_vm t;
	struct tbo x, y;
	struct gpuvm_vm_bo *vx, *vy;
	struct gpuvm_vm_exec ve = {
		.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
	};

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	ve.vm = &t.vm;
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	vx = obtain(&t.vm, &x.base);
	vy = obtain(&t.vm, &y.base);
	extobj_add_locked(vx);
	extobj_add_locked(vy);

	/* flag set, list left to prepare_objects */
	evict_locked(vx, true);
	evict_locked(vy, true);
	ck_assert(vx->evicted);
	ck_assert(vy->evicted);
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));

	ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
	ck_assert(on_evict(&t.vm, vx));
	ck_assert(on_evict(&t.vm, vy));
	ck_assert_uint_eq(list_len(&t.vm.evict.list), 2);

	validate_keep = &y.base;
	ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
	ck_assert_int_eq(validate_calls, 2);
	ck_assert_int_eq(validate_unlocked, 0);
	ck_assert_int_eq(validate_not_in_exec, 0);
	ck_assert(!vx->evicted);
	ck_assert(!on_evict(&t.vm, vx));
	ck_assert(vy->evicted);
	ck_assert(on_evict(&t.vm, vy));

	ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
	ck_assert_int_eq(validate_calls, 3);
	ck_assert(on_evict(&t.vm, vy));
	gpuvm_exec_unlock(&ve);

	/* a second prepare does not add it twice */
	exec_cycle(&t.vm);
	ck_assert_uint_eq(list_len(&t.vm.evict.list), 1);

	/* evict(false) on an external object leaves the list alone; the next
	 * validate calls back and then drops the entry */
	evict_locked(vy, false);
	ck_assert(!vy->evicted);
	ck_assert(on_evict(&t.vm, vy));
	validate_keep = NULL;
	ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
	ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
	ck_assert_int_eq(validate_calls, 4);
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	gpuvm_exec_unlock(&ve);

	ck_assert(put_locked(vx));
	ck_assert(put_locked(vy));
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	vm_teardown(&t);
	assert_no_warnings();
}
END_TEST

START_TEST(test_71_evict_protected_private)
{
	const uint32_t flags = protected_modes[_i];
	struct ts_vm t;
	struct tbo p;
	struct gpuvm_vm_bo *vp;
	struct gpuvm_vm_exec ve = {
		.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
	};

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	ve.vm = &t.vm;
	tbo_init(&p, gpuvm_resv(&t.vm));
	vp = obtain(&t.vm, &p.base);
	extobj_add_locked(vp);
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));

	/* straight onto the evict list (the VM's resv is the object's) */
	evict_locked(vp, true);
	ck_assert(vp->evicted);
	ck_assert(on_evict(&t.vm, vp));

	ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
	ck_assert_uint_eq(ve.exec.num_objects, 1);
	validate_keep = &p.base;
	ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
	ck_assert_int_eq(validate_calls, 1);
	ck_assert(on_evict(&t.vm, vp));
	validate_keep = NULL;
	ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
	ck_assert_int_eq(validate_calls, 2);
	ck_assert(!vp->evicted);
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));

	/* evict(false) on a private object updates the list at once */
	gpuvm_vm_bo_evict(vp, true);
	ck_assert(on_evict(&t.vm, vp));
	gpuvm_vm_bo_evict(vp, false);
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	ck_assert_int_eq(validate_unlocked, 0);
	gpuvm_exec_unlock(&ve);

	ck_assert(put_locked(vp));
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&p.base);
	vm_teardown(&t);
}
END_TEST

START_TEST(test_72_validate_unsupported)
{
	const uint32_t flags = all_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vx;
	struct gpuvm_vm_exec ve = {
		.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
	};

	reset();
	vm_setup(&t, flags, &novalidate_ops, 0, 0);
	ve.vm = &t.vm;
	tbo_init(&x, NULL);
	vx = obtain(&t.vm, &x.base);
	extobj_add_locked(vx);
	evict_locked(vx, true);

	ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
	ck_assert(on_evict(&t.vm, vx));
	ck_assert_int_eq(gpuvm_exec_validate(&ve), -EOPNOTSUPP);
	ck_assert_int_eq(gpuvm_validate(&t.vm, &ve.exec), -EOPNOTSUPP);
	ck_assert(vx->evicted);
	ck_assert(on_evict(&t.vm, vx));
	gpuvm_exec_unlock(&ve);

	ck_assert(put_locked(vx));
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 73-76: locking a bind job                                                */

static int extra_calls;

static int extra_fail(struct gpuvm_vm_exec *vm_exec)
{
	(void)vm_exec;
	extra_calls++;
	return -EIO;
}

static int extra_lock_priv(struct gpuvm_vm_exec *vm_exec)
{
	extra_calls++;
	return gpuvm_exec_prepare_obj(&vm_exec->exec, vm_exec->extra.priv,
				      vm_exec->num_fences);
}

START_TEST(test_73_exec_lock)
{
	const uint32_t flags = _i ? GPUVM_RESV_PROTECTED : 0;
	struct ts_vm t;
	struct tbo x, y, p, e1, e2, f;
	struct gpuvm_vm_bo *vx, *vy, *vp;
	struct gpuvm_resv *vr;
	struct gpuvm_bo *arr[] = { &e1.base, &e2.base };
	struct gpuvm_bo *dups[] = { &x.base, &e1.base, &x.base, &p.base };
	struct gpuvm_bo *one_x[] = { &x.base };
	struct gpuvm_bo *one_p[] = { &p.base };
	struct gpuvm_bo *e1e1[] = { &e1.base, &e1.base };
	struct gpuvm_bo *one_f[] = { &f.base };
	struct gpuvm_bo *all[6];
	unsigned int max_before[6];
	unsigned int i;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	vr = gpuvm_resv(&t.vm);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	tbo_init(&p, vr);
	tbo_init(&e1, NULL);
	tbo_init(&e2, NULL);
	tbo_init(&f, NULL);
	vx = obtain(&t.vm, &x.base);
	vy = obtain(&t.vm, &y.base);
	vp = obtain(&t.vm, &p.base);
	extobj_add_locked(vx);
	extobj_add_locked(vy);
	extobj_add_locked(vp);
	ck_assert_uint_eq(list_len(&t.vm.extobj.list), 2);

	/* num_fences = 2: r_obj, extobjs, then the array; 2 slots each */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
			.num_fences = 2,
		};

		ck_assert_int_eq(gpuvm_exec_lock_array(&ve, arr, 2), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 5);
		ck_assert_ptr_eq(ve.exec.objects[0], t.vm.r_obj);
		ck_assert_ptr_eq(ve.exec.objects[1], &x.base);
		ck_assert_ptr_eq(ve.exec.objects[2], &y.base);
		ck_assert_ptr_eq(ve.exec.objects[3], &e1.base);
		ck_assert_ptr_eq(ve.exec.objects[4], &e2.base);
		for (i = 0; i < ve.exec.num_objects; i++) {
			struct gpuvm_resv *r = ve.exec.objects[i]->resv;

			ck_assert(gpuvm_resv_held(r));
			ck_assert_uint_ge(free_slots(r), 2);
		}
		ck_assert(gpuvm_resv_held(p.base.resv));
		ck_assert(!gpuvm_resv_held(f.base.resv));
		/* locked objects are referenced */
		ck_assert_int_eq(tbo_refs(&x), 3);
		ck_assert_int_eq(tbo_refs(&e1), 2);
		gpuvm_exec_unlock(&ve);
	}
	ck_assert(!gpuvm_resv_held(vr));
	ck_assert(!gpuvm_resv_held(x.base.resv));
	ck_assert(!gpuvm_resv_held(y.base.resv));
	ck_assert(!gpuvm_resv_held(e1.base.resv));
	ck_assert(!gpuvm_resv_held(e2.base.resv));
	ck_assert_int_eq(tbo_refs(&x), 2);
	ck_assert_int_eq(tbo_refs(&e1), 1);

	/* num_fences = 0: lock only, no slot reserved */
	all[0] = t.vm.r_obj;
	all[1] = &x.base;
	all[2] = &y.base;
	all[3] = &f.base;
	for (i = 0; i < 4; i++)
		max_before[i] = all[i]->resv->max_fences;
	ck_assert_uint_eq(max_before[3], 0);
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
			.num_fences = 0,
		};

		ck_assert_int_eq(gpuvm_exec_lock_array(&ve, one_f, 1), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 4);
		for (i = 0; i < 4; i++) {
			ck_assert(exec_has(&ve.exec, all[i]));
			ck_assert(gpuvm_resv_held(all[i]->resv));
			ck_assert_uint_eq(all[i]->resv->max_fences, max_before[i]);
		}
		gpuvm_exec_unlock(&ve);
	}
	ck_assert(!gpuvm_resv_held(f.base.resv));

	/* duplicates (and an object sharing the VM's resv) are ignored */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
			.num_fences = 1,
		};

		ck_assert_int_eq(gpuvm_exec_lock_array(&ve, dups, 4), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 4);
		ck_assert_ptr_eq(ve.exec.objects[3], &e1.base);
		ck_assert(!exec_has(&ve.exec, &p.base));
		ck_assert(gpuvm_resv_held(e1.base.resv));
		gpuvm_exec_unlock(&ve);
	}

	/* without IGNORE_DUPLICATES: -EALREADY, nothing left locked */
	{
		struct gpuvm_bo **bad[] = { one_x, one_p, e1e1 };
		const unsigned int nbad[] = { 1, 1, 2 };
		unsigned int k;

		for (k = 0; k < 3; k++) {
			struct gpuvm_vm_exec ve = {
				.vm = &t.vm,
				.flags = 0,
				.num_fences = 1,
			};

			ck_assert_int_eq(gpuvm_exec_lock_array(&ve, bad[k],
							       nbad[k]),
					 -EALREADY);
			ck_assert(!gpuvm_resv_held(vr));
			ck_assert(!gpuvm_resv_held(x.base.resv));
			ck_assert(!gpuvm_resv_held(y.base.resv));
			ck_assert(!gpuvm_resv_held(e1.base.resv));
			ck_assert_uint_eq(ve.exec.num_objects, 0);
		}
	}
	ck_assert_int_eq(tbo_refs(&x), 2);
	ck_assert_int_eq(tbo_refs(&e1), 1);

	/* flags 0 without duplicates is fine, extra.fn included */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = 0,
			.num_fences = 1,
			.extra = { .fn = extra_lock_priv, .priv = &e2.base },
		};

		extra_calls = 0;
		ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
		ck_assert_int_eq(extra_calls, 1);
		ck_assert_uint_eq(ve.exec.num_objects, 4);
		ck_assert(gpuvm_resv_held(e2.base.resv));
		gpuvm_exec_unlock(&ve);
		ck_assert(!gpuvm_resv_held(e2.base.resv));
	}

	/* an extra step's error comes back with everything unlocked */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
			.extra = { .fn = extra_fail },
		};

		extra_calls = 0;
		ck_assert_int_eq(gpuvm_exec_lock(&ve), -EIO);
		ck_assert_int_eq(extra_calls, 1);
		ck_assert(!gpuvm_resv_held(vr));
		ck_assert(!gpuvm_resv_held(x.base.resv));
		ck_assert(!gpuvm_resv_held(y.base.resv));
	}

	ck_assert(put_locked(vx));
	ck_assert(put_locked(vy));
	ck_assert(put_locked(vp));
	ck_assert_int_eq(tbo_refs(&x), 1);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	gpuvm_bo_fini(&p.base);
	gpuvm_bo_fini(&e1.base);
	gpuvm_bo_fini(&e2.base);
	gpuvm_bo_fini(&f.base);
	vm_teardown(&t);
}
END_TEST

START_TEST(test_74_exec_lock_range)
{
	struct ts_vm t;
	struct tbo x, y, z, w, p;
	struct gpuvm_va *a, *b, *n, *c, *d, *e, *y2;
	struct gpuvm_resv *vr;

	reset();
	vm_setup(&t, 0, NULL, 90, 10);
	vr = gpuvm_resv(&t.vm);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	tbo_init(&z, NULL);
	tbo_init(&w, NULL);
	tbo_init(&p, vr);
	a = va_add(&t.vm, 0, 10, &x.base, 0);
	b = va_add(&t.vm, 10, 10, &y.base, 0);
	n = va_add(&t.vm, 20, 5, NULL, 0);
	c = va_add(&t.vm, 25, 5, &z.base, 0);
	d = va_add(&t.vm, 40, 10, &w.base, 0);
	e = va_add(&t.vm, 80, 10, &p.base, 0);

	/* [10, 30): B and C; the NULL VA is skipped; not the VM's resv */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
			.num_fences = 1,
		};

		ck_assert_int_eq(gpuvm_exec_lock_range(&ve, 10, 20), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 2);
		ck_assert_ptr_eq(ve.exec.objects[0], &y.base);
		ck_assert_ptr_eq(ve.exec.objects[1], &z.base);
		ck_assert(gpuvm_resv_held(y.base.resv));
		ck_assert(gpuvm_resv_held(z.base.resv));
		ck_assert_uint_ge(free_slots(y.base.resv), 1);
		ck_assert_uint_ge(free_slots(z.base.resv), 1);
		ck_assert(!gpuvm_resv_held(x.base.resv));
		ck_assert(!gpuvm_resv_held(w.base.resv));
		ck_assert(!gpuvm_resv_held(vr));
		gpuvm_exec_unlock(&ve);
	}
	ck_assert(!gpuvm_resv_held(y.base.resv));
	ck_assert(!gpuvm_resv_held(z.base.resv));

	/* [80, 100): the private E and the reserved node (skipped) */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
		};

		ck_assert_int_eq(gpuvm_exec_lock_range(&ve, 80, 20), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 1);
		ck_assert_ptr_eq(ve.exec.objects[0], &p.base);
		ck_assert(gpuvm_resv_held(vr));
		gpuvm_exec_unlock(&ve);
	}

	/* nothing there: nothing locked */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
		};

		ck_assert_int_eq(gpuvm_exec_lock_range(&ve, 60, 10), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 0);
		gpuvm_exec_unlock(&ve);
	}

	/* a second VA of Y: ignored duplicate, or -EALREADY without the flag */
	y2 = va_add(&t.vm, 60, 10, &y.base, 50);
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
		};

		ck_assert_int_eq(gpuvm_exec_lock_range(&ve, 0, 100), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 5);
		ck_assert_ptr_eq(ve.exec.objects[0], &x.base);
		ck_assert_ptr_eq(ve.exec.objects[1], &y.base);
		ck_assert_ptr_eq(ve.exec.objects[2], &z.base);
		ck_assert_ptr_eq(ve.exec.objects[3], &w.base);
		ck_assert_ptr_eq(ve.exec.objects[4], &p.base);
		gpuvm_exec_unlock(&ve);
	}
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = 0,
		};

		ck_assert_int_eq(gpuvm_exec_lock_range(&ve, 0, 100), -EALREADY);
		ck_assert(!gpuvm_resv_held(x.base.resv));
		ck_assert(!gpuvm_resv_held(y.base.resv));
		ck_assert(!gpuvm_resv_held(z.base.resv));
		ck_assert(!gpuvm_resv_held(w.base.resv));
		ck_assert(!gpuvm_resv_held(vr));
	}
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 7);
	ck_assert_int_eq(tbo_refs(&x), 1);
	ck_assert_int_eq(tbo_refs(&y), 1);

	va_del(a);
	va_del(b);
	va_del(n);
	va_del(c);
	va_del(d);
	va_del(e);
	va_del(y2);
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	gpuvm_bo_fini(&z.base);
	gpuvm_bo_fini(&w.base);
	gpuvm_bo_fini(&p.base);
	vm_teardown(&t);
}
END_TEST

START_TEST(test_75_add_fence)
{
	const uint32_t flags = _i ? GPUVM_RESV_PROTECTED : 0;
	struct ts_vm t;
	struct tbo x, p, e;
	struct gpuvm_vm_bo *vx, *vp;
	struct gpuvm_resv *vr;
	struct gpuvm_bo *arr[] = { &e.base, &p.base };
	int fence_token;
	struct gpuvm_vm_exec ve = {
		.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
		.num_fences = 1,
	};

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	ve.vm = &t.vm;
	vr = gpuvm_resv(&t.vm);
	tbo_init(&x, NULL);
	tbo_init(&p, vr);
	tbo_init(&e, NULL);
	vx = obtain(&t.vm, &x.base);
	vp = obtain(&t.vm, &p.base);
	extobj_add_locked(vx);
	extobj_add_locked(vp);

	ck_assert_int_eq(gpuvm_exec_lock_array(&ve, arr, 2), 0);
	ck_assert_uint_eq(ve.exec.num_objects, 3);
	gpuvm_vm_exec_add_fence(&ve, &fence_token, GPUVM_RESV_USAGE_BOOKKEEP,
				GPUVM_RESV_USAGE_READ);
	gpuvm_exec_unlock(&ve);

	/* r_obj's resv, which the private P shares: one BOOKKEEP fence */
	ck_assert_ptr_eq(p.base.resv, vr);
	ck_assert_uint_eq(vr->num_fences, 1);
	ck_assert_ptr_eq(vr->fences[0].fence, &fence_token);
	ck_assert_int_eq(vr->fences[0].usage, GPUVM_RESV_USAGE_BOOKKEEP);
	/* external objects, on the extobj list or not: READ */
	ck_assert_uint_eq(x.base.resv->num_fences, 1);
	ck_assert_ptr_eq(x.base.resv->fences[0].fence, &fence_token);
	ck_assert_int_eq(x.base.resv->fences[0].usage, GPUVM_RESV_USAGE_READ);
	ck_assert_uint_eq(e.base.resv->num_fences, 1);
	ck_assert_ptr_eq(e.base.resv->fences[0].fence, &fence_token);
	ck_assert_int_eq(e.base.resv->fences[0].usage, GPUVM_RESV_USAGE_READ);
	/* P's own (unused) resv got nothing */
	ck_assert_uint_eq(p.base.own_resv.num_fences, 0);

	/* the other form, other usages */
	{
		struct gpuvm_vm_exec ve2 = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
			.num_fences = 1,
		};

		ck_assert_int_eq(gpuvm_exec_lock(&ve2), 0);
		gpuvm_exec_add_fence(&t.vm, &ve2.exec, &ve2,
				     GPUVM_RESV_USAGE_WRITE,
				     GPUVM_RESV_USAGE_KERNEL);
		gpuvm_exec_unlock(&ve2);
		ck_assert_uint_eq(vr->num_fences, 2);
		ck_assert_int_eq(vr->fences[1].usage, GPUVM_RESV_USAGE_WRITE);
		ck_assert_uint_eq(x.base.resv->num_fences, 2);
		ck_assert_int_eq(x.base.resv->fences[1].usage,
				 GPUVM_RESV_USAGE_KERNEL);
		ck_assert_uint_eq(e.base.resv->num_fences, 1);
	}

	ck_assert(put_locked(vx));
	ck_assert(put_locked(vp));
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&p.base);
	gpuvm_bo_fini(&e.base);
	vm_teardown(&t);
}
END_TEST

/* Run gpuvm_sm_map_exec_lock() in a retry loop. */
static int map_exec_lock(struct gpuvm *vm, struct gpuvm_exec *exec,
			 uint32_t flags, unsigned int n, uint64_t addr,
			 uint64_t range, struct gpuvm_bo *obj, uint64_t offset)
{
	struct gpuvm_map_req req = {
		.map = { .addr = addr, .range = range, .offset = offset,
			 .obj = obj },
	};
	int ret;

	gpuvm_exec_init(exec, flags);
	do {
		ret = gpuvm_sm_map_exec_lock(vm, exec, n, &req);
	} while (gpuvm_exec_retry(exec, &ret));
	return ret;
}

static int unmap_exec_lock(struct gpuvm *vm, struct gpuvm_exec *exec,
			   uint64_t addr, uint64_t range)
{
	int ret;

	gpuvm_exec_init(exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	do {
		ret = gpuvm_sm_unmap_exec_lock(vm, exec, addr, range);
	} while (gpuvm_exec_retry(exec, &ret));
	return ret;
}

static void assert_va(struct gpuvm *vm, uint64_t addr, uint64_t range,
		      struct gpuvm_bo *obj, uint64_t offset)
{
	struct gpuvm_va *va = gpuvm_va_find(vm, addr, range);

	ck_assert_ptr_nonnull(va);
	ck_assert_ptr_eq(va->obj, obj);
	ck_assert_uint_eq(va->offset, offset);
}

START_TEST(test_76_sm_exec_lock)
{
	struct ts_vm t;
	struct tbo x, y, z, w;
	struct gpuvm_va *va[4];
	struct gpuvm_exec exec;
	unsigned int i;

	reset();
	vm_setup(&t, 0, NULL, 0, 0);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	tbo_init(&z, NULL);
	tbo_init(&w, NULL);

	/* M16: A [0,10) X@0, B [10,20) Y@0, C [20,30) Z@0, D [30,40) X@30 */
	va[0] = va_add(&t.vm, 0, 10, &x.base, 0);
	va[1] = va_add(&t.vm, 10, 10, &y.base, 0);
	va[2] = va_add(&t.vm, 20, 10, &z.base, 0);
	va[3] = va_add(&t.vm, 30, 10, &x.base, 30);

	ck_assert_int_eq(map_exec_lock(&t.vm, &exec,
				       GPUVM_EXEC_IGNORE_DUPLICATES, 3,
				       5, 30, &w.base, 0), 0);
	ck_assert_uint_eq(exec.num_objects, 4);
	ck_assert_ptr_eq(exec.objects[0], &w.base);
	ck_assert_ptr_eq(exec.objects[1], &x.base);
	ck_assert_ptr_eq(exec.objects[2], &y.base);
	ck_assert_ptr_eq(exec.objects[3], &z.base);
	for (i = 0; i < exec.num_objects; i++)
		ck_assert(gpuvm_resv_held(exec.objects[i]->resv));
	ck_assert_uint_ge(free_slots(w.base.resv), 3);
	/* only the request's object gets fence slots */
	ck_assert_uint_eq(x.base.resv->max_fences, 0);
	ck_assert_uint_eq(y.base.resv->max_fences, 0);
	ck_assert_uint_eq(z.base.resv->max_fences, 0);
	gpuvm_exec_fini(&exec);
	ck_assert(!gpuvm_resv_held(w.base.resv));
	ck_assert(!gpuvm_resv_held(x.base.resv));
	ck_assert(!gpuvm_resv_held(y.base.resv));
	ck_assert(!gpuvm_resv_held(z.base.resv));

	/* the tree is unchanged */
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 4);
	assert_va(&t.vm, 0, 10, &x.base, 0);
	assert_va(&t.vm, 10, 10, &y.base, 0);
	assert_va(&t.vm, 20, 10, &z.base, 0);
	assert_va(&t.vm, 30, 10, &x.base, 30);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	/* X is met twice (A and D): an error without IGNORE_DUPLICATES */
	ck_assert_int_eq(map_exec_lock(&t.vm, &exec, 0, 1, 5, 30, &w.base, 0),
			 -EALREADY);
	gpuvm_exec_fini(&exec);
	ck_assert(!gpuvm_resv_held(w.base.resv));
	ck_assert(!gpuvm_resv_held(x.base.resv));

	/* invalid requests: -EINVAL, nothing locked */
	ck_assert_int_eq(map_exec_lock(&t.vm, &exec,
				       GPUVM_EXEC_IGNORE_DUPLICATES, 1,
				       95, 10, &w.base, 0), -EINVAL);
	ck_assert_uint_eq(exec.num_objects, 0);
	ck_assert(!gpuvm_resv_held(w.base.resv));
	gpuvm_exec_fini(&exec);
	ck_assert_int_eq(map_exec_lock(&t.vm, &exec,
				       GPUVM_EXEC_IGNORE_DUPLICATES, 1,
				       5, 0, &w.base, 0), -EINVAL);
	ck_assert_uint_eq(exec.num_objects, 0);
	ck_assert(!gpuvm_resv_held(w.base.resv));
	gpuvm_exec_fini(&exec);
	ck_assert_int_eq(unmap_exec_lock(&t.vm, &exec, 90, 20), -EINVAL);
	ck_assert_uint_eq(exec.num_objects, 0);
	gpuvm_exec_fini(&exec);
	ck_assert_int_eq(unmap_exec_lock(&t.vm, &exec, 5, 0), -EINVAL);
	ck_assert_uint_eq(exec.num_objects, 0);
	gpuvm_exec_fini(&exec);

	/* a request without object prepares nothing of its own */
	ck_assert_int_eq(map_exec_lock(&t.vm, &exec,
				       GPUVM_EXEC_IGNORE_DUPLICATES, 1,
				       12, 4, NULL, 0), 0);
	ck_assert_uint_eq(exec.num_objects, 1);
	ck_assert_ptr_eq(exec.objects[0], &y.base);
	gpuvm_exec_fini(&exec);

	for (i = 0; i < 4; i++)
		va_del(va[i]);

	/* U6: A [0,10) X@0, B [10,20) Z@0, C [20,30) Y@0; unmap [5,25) */
	va[0] = va_add(&t.vm, 0, 10, &x.base, 0);
	va[1] = va_add(&t.vm, 10, 10, &z.base, 0);
	va[2] = va_add(&t.vm, 20, 10, &y.base, 0);
	ck_assert_int_eq(unmap_exec_lock(&t.vm, &exec, 5, 20), 0);
	ck_assert_uint_eq(exec.num_objects, 3);
	ck_assert_ptr_eq(exec.objects[0], &x.base);
	ck_assert_ptr_eq(exec.objects[1], &z.base);
	ck_assert_ptr_eq(exec.objects[2], &y.base);
	ck_assert(!gpuvm_resv_held(w.base.resv));
	gpuvm_exec_fini(&exec);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 3);
	assert_va(&t.vm, 0, 10, &x.base, 0);
	assert_va(&t.vm, 10, 10, &z.base, 0);
	assert_va(&t.vm, 20, 10, &y.base, 0);
	for (i = 0; i < 3; i++)
		va_del(va[i]);

	/* M20: a NULL-object VA split by the request: only X, prepared */
	va[0] = va_add(&t.vm, 0, 30, NULL, 0);
	ck_assert_int_eq(map_exec_lock(&t.vm, &exec,
				       GPUVM_EXEC_IGNORE_DUPLICATES, 2,
				       10, 10, &x.base, 0), 0);
	ck_assert_uint_eq(exec.num_objects, 1);
	ck_assert_ptr_eq(exec.objects[0], &x.base);
	ck_assert_uint_ge(free_slots(x.base.resv), 2);
	gpuvm_exec_fini(&exec);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	va_del(va[0]);

	ck_assert_int_eq(tbo_refs(&x), 1);
	ck_assert_int_eq(tbo_refs(&w), 1);
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	gpuvm_bo_fini(&z.base);
	gpuvm_bo_fini(&w.base);
	vm_teardown(&t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 77-80: deferred destruction                                              */

/*
 * 77 (protected) and 78 (unprotected): put_deferred on the last reference
 * of an external, evicted vm_bo, with a live external Y beside it.
 */
START_TEST(test_77_78_put_deferred)
{
	const uint32_t flags = immediate_modes[_i];
	const bool prot = flags & GPUVM_RESV_PROTECTED;
	struct ts_vm t;
	struct tbo x, y;
	struct gpuvm_vm_bo *vx, *vy;
	uint32_t vm_refs;
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	vx = obtain(&t.vm, &x.base);
	vy = obtain(&t.vm, &y.base);
	extobj_add_locked(vx);
	extobj_add_locked(vy);
	evict_locked(vx, true);
	evict_locked(vy, true);
	exec_cycle(&t.vm);
	ck_assert(on_evict(&t.vm, vx));
	ck_assert(on_evict(&t.vm, vy));

	gpuvm_vm_bo_get(vx);
	vm_refs = gpuvm_refcount(&t.vm);
	/* not the last: just a decrement */
	ck_assert(!gpuvm_vm_bo_put_deferred(vx));
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 1);
	ck_assert_ptr_eq(find_locked(&t.vm, &x.base), vx);

	/* the last, without holding anything: a zombie */
	ck_assert(gpuvm_vm_bo_put_deferred(vx));
	ck_assert(!gpuvm_lock_held(&x.base.gpuva_lock));
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 0);
	ck_assert_int_eq(frees(), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), vm_refs);
	ck_assert_int_eq(tbo_refs(&x), 2);
	ck_assert_ptr_null(find_locked(&t.vm, &x.base));
	ck_assert(!on_bo(&x.base, vx));
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert_ptr_nonnull(t.vm.bo_defer);
	if (prot) {
		ck_assert(on_extobj(&t.vm, vx));
		ck_assert(on_evict(&t.vm, vx));
	} else {
		ck_assert(!on_extobj(&t.vm, vx));
		ck_assert(!on_evict(&t.vm, vx));
	}
	ck_assert(on_extobj(&t.vm, vy));

	/* skipped by prepare_objects and validate */
	{
		struct gpuvm_vm_exec ve = {
			.vm = &t.vm,
			.flags = GPUVM_EXEC_IGNORE_DUPLICATES,
			.num_fences = 1,
		};

		validate_keep = &y.base;
		ck_assert_int_eq(gpuvm_exec_lock(&ve), 0);
		ck_assert_uint_eq(ve.exec.num_objects, 2);
		ck_assert(exec_has(&ve.exec, &y.base));
		ck_assert(!exec_has(&ve.exec, &x.base));
		ck_assert(!gpuvm_resv_held(x.base.resv));
		ck_assert_int_eq(gpuvm_exec_validate(&ve), 0);
		ck_assert_int_eq(validate_calls, 1);
		ck_assert_int_eq(validate_not_in_exec, 0);
		ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 0);
		gpuvm_exec_unlock(&ve);
	}
	ck_assert_int_eq(frees(), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), vm_refs);
	/* a new vm_bo for X may be created while the zombie waits */
	{
		struct gpuvm_vm_bo *again = obtain(&t.vm, &x.base);

		ck_assert_ptr_ne(again, vx);
		ck_assert_uint_eq(gpuvm_vm_bo_refcount(again), 1);
		ck_assert(put_locked(again));
		ck_assert_int_eq(frees(), 1);
		ck_assert_ptr_eq(freed_last(), again);
	}

	gpuvm_vm_bo_deferred_cleanup(&t.vm);
	ck_assert_int_eq(frees(), 2);
	ck_assert_ptr_eq(freed_last(), vx);
	ck_assert_ptr_null(t.vm.bo_defer);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), vm_refs - 1);
	ck_assert_int_eq(tbo_refs(&x), 1);
	ck_assert_uint_eq(list_len(&t.vm.extobj.list), 1);
	ck_assert(on_extobj(&t.vm, vy));
	ck_assert(!gpuvm_resv_held(gpuvm_resv(&t.vm)));
	/* nothing more to do */
	gpuvm_vm_bo_deferred_cleanup(&t.vm);
	ck_assert_int_eq(frees(), 2);

	hold_resv(&h, y.base.resv);
	gpuvm_vm_bo_evict(vy, false);
	release(&h);
	ck_assert(put_locked(vy));
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	vm_teardown(&t);
	assert_no_warnings();
}
END_TEST

START_TEST(test_79_unlink_defer)
{
	const uint32_t flags = immediate_modes[_i];
	const bool prot = flags & GPUVM_RESV_PROTECTED;
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vx;
	struct gpuvm_va *a, *b;
	uint32_t vm_refs;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	vx = obtain(&t.vm, &x.base);
	a = va_add(&t.vm, 0, 10, &x.base, 0);
	b = va_add(&t.vm, 20, 10, &x.base, 10);
	link_locked(a, vx);
	link_locked(b, vx);
	extobj_add_locked(vx);
	evict_locked(vx, true);
	exec_cycle(&t.vm);
	ck_assert(on_evict(&t.vm, vx));

	/* the creator's reference goes first (panthor's MAP pattern) */
	ck_assert(!gpuvm_vm_bo_put_deferred(vx));
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 2);
	vm_refs = gpuvm_refcount(&t.vm);

	gpuvm_va_unlink_defer(a);
	ck_assert_ptr_null(a->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 1);
	ck_assert_ptr_null(t.vm.bo_defer);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&vx->vas, struct gpuvm_va,
						bo_link), b);

	/* the last VA: a zombie, without X's gpuva lock held by the caller */
	ck_assert(!gpuvm_lock_held(&x.base.gpuva_lock));
	gpuvm_va_unlink_defer(b);
	ck_assert(!gpuvm_lock_held(&x.base.gpuva_lock));
	ck_assert_ptr_null(b->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vx), 0);
	ck_assert(gpuvm_list_empty(&vx->vas));
	ck_assert_ptr_null(find_locked(&t.vm, &x.base));
	ck_assert_int_eq(frees(), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), vm_refs);
	ck_assert_ptr_eq(t.vm.bo_defer, vx);
	ck_assert(on_extobj(&t.vm, vx) == prot);
	ck_assert(on_evict(&t.vm, vx) == prot);

	/* the VAs can go before the cleanup */
	va_del(a);
	va_del(b);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), vm_refs - 2);

	gpuvm_vm_bo_deferred_cleanup(&t.vm);
	ck_assert_int_eq(frees(), 1);
	ck_assert_ptr_eq(freed_last(), vx);
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	ck_assert_int_eq(tbo_refs(&x), 1);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
	assert_no_warnings();
}
END_TEST

/*
 * A zombie is pushed on the deferred stack only after the gpuva lock is
 * released (docs/locking.md 3: once pushed, a cleanup may free the object
 * and its lock).
 * A gpuva lock whose unlock looks for a zombie of its object on the stack
 * checks this without threads.
 */
static struct gpuvm *spy_vm;
static int spy_pushed_while_locked;
static int spy_unlocks;

static _Thread_local char spy_token;
static pthread_mutex_t spy_mutex = PTHREAD_MUTEX_INITIALIZER;

static void spy_lock(struct gpuvm_lock *l)
{
	pthread_mutex_lock(&spy_mutex);
	__atomic_store_n(&l->owner, (const void *)&spy_token, __ATOMIC_SEQ_CST);
}

static void spy_unlock(struct gpuvm_lock *l)
{
	struct gpuvm_bo *obj = gpuvm_container_of(l, struct gpuvm_bo,
						  gpuva_lock);
	struct gpuvm_vm_bo *v;

	spy_unlocks++;
	for (v = spy_vm->bo_defer; v; v = v->defer_next)
		if (v->obj == obj)
			spy_pushed_while_locked++;
	__atomic_store_n(&l->owner, (const void *)NULL, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&spy_mutex);
}

static bool spy_held(const struct gpuvm_lock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_SEQ_CST) == &spy_token;
}

static const struct gpuvm_lock_ops spy_lock_ops = {
	.lock = spy_lock,
	.unlock = spy_unlock,
	.held = spy_held,
};

START_TEST(test_79_push_after_unlock)
{
	const uint32_t flags = immediate_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vx;
	struct gpuvm_va *va;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	spy_vm = &t.vm;
	spy_pushed_while_locked = 0;
	spy_unlocks = 0;
	tbo_init(&x, NULL);
	gpuvm_lock_init(&x.base.gpuva_lock, &spy_lock_ops);

	/* put_deferred */
	vx = obtain(&t.vm, &x.base);
	ck_assert(gpuvm_vm_bo_put_deferred(vx));
	ck_assert_int_gt(spy_unlocks, 0);
	ck_assert_ptr_eq(t.vm.bo_defer, vx);
	ck_assert_int_eq(spy_pushed_while_locked, 0);
	gpuvm_vm_bo_deferred_cleanup(&t.vm);
	ck_assert_int_eq(frees(), 1);

	/* unlink_defer */
	vx = obtain(&t.vm, &x.base);
	va = va_add(&t.vm, 0, 10, &x.base, 0);
	link_locked(va, vx);
	ck_assert(!gpuvm_vm_bo_put_deferred(vx));
	spy_unlocks = 0;
	gpuvm_va_unlink_defer(va);
	ck_assert_int_gt(spy_unlocks, 0);
	ck_assert_ptr_eq(t.vm.bo_defer, vx);
	ck_assert_int_eq(spy_pushed_while_locked, 0);
	gpuvm_vm_bo_deferred_cleanup(&t.vm);
	ck_assert_int_eq(frees(), 2);
	va_del(va);

	ck_assert_int_eq(tbo_refs(&x), 1);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
}
END_TEST

/* 80: _i bit 0 selects the mode, bit 1 the order of cleanup and last put. */
START_TEST(test_80_teardown_with_zombies)
{
	const uint32_t flags = immediate_modes[_i & 1];
	const bool put_first = _i & 2;
	struct ts_vm t;
	struct tbo x, y;
	struct gpuvm_vm_bo *vx, *vy;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);
	vx = obtain(&t.vm, &x.base);
	vy = obtain(&t.vm, &y.base);
	extobj_add_locked(vx);
	extobj_add_locked(vy);
	ck_assert(gpuvm_vm_bo_put_deferred(vx));
	ck_assert(gpuvm_vm_bo_put_deferred(vy));
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);

	if (put_first) {
		/* the zombies keep the VM alive */
		gpuvm_put(&t.vm);
		ck_assert_int_eq(t.freed, 0);
		ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
		ck_assert_int_eq(frees(), 0);
		/* the cleanup drops the last reference: freed once, newest
		 * zombie first */
		gpuvm_vm_bo_deferred_cleanup(&t.vm);
		ck_assert_int_eq(frees(), 2);
		ck_assert_ptr_eq(freed_last(), vx);
		ck_assert_int_eq(t.freed, 1);
	} else {
		gpuvm_vm_bo_deferred_cleanup(&t.vm);
		ck_assert_int_eq(frees(), 2);
		ck_assert_ptr_eq(freed_last(), vx);
		ck_assert_int_eq(t.freed, 0);
		ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
		gpuvm_put(&t.vm);
		ck_assert_int_eq(t.freed, 1);
	}
	ck_assert_int_eq(tbo_refs(&x), 1);
	ck_assert_int_eq(tbo_refs(&y), 1);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	assert_no_warnings();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 81-82: misuse and NULL                                                   */

START_TEST(test_81_misuse_warnings)
{
	struct ts_vm st, it;
	struct tbo x, y;
	struct gpuvm_vm_bo *vb, *got, *pre;
	struct gpuvm_va *va;
	struct held h = HELD_INIT;
	int base;

	reset();
	vm_setup(&st, 0, NULL, 0, 0);
	vm_setup(&it, GPUVM_IMMEDIATE_MODE, NULL, 0, 0);
	tbo_init(&x, NULL);
	tbo_init(&y, NULL);

	/* obtain (it allocates under the list lock) on an immediate VM */
	hold_gpuva(&h, &x.base);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&it.vm, &x.base, &vb), 0);
	release(&h);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_obtain");
	ck_assert_ptr_nonnull(vb);
	ck_assert(on_bo(&x.base, vb));
	ck_assert(put_locked(vb));
	ck_assert_int_eq(ts_warn_count(), 1);

	/* the immediate-mode API on a staged VM */
	vb = obtain(&st.vm, &y.base);
	ck_assert_int_eq(ts_warn_count(), 1);

	pre = gpuvm_vm_bo_create(&st.vm, &y.base);
	ck_assert_ptr_nonnull(pre);
	got = gpuvm_vm_bo_obtain_prealloc(pre);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_obtain_prealloc");
	/* and it still does its job */
	ck_assert_ptr_eq(got, vb);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 2);
	ck_assert_ptr_eq(freed_last(), pre);

	ck_assert(!gpuvm_vm_bo_put_deferred(got));
	ck_assert_int_eq(ts_warn_count(), 3);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_put_deferred");
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 1);

	va = va_add(&st.vm, 0, 10, &y.base, 0);
	link_locked(va, vb);
	ck_assert_int_eq(ts_warn_count(), 3);
	gpuvm_va_unlink_defer(va);
	ck_assert_int_eq(ts_warn_count(), 4);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_va_unlink_defer");
	ck_assert_ptr_null(va->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vb), 1);
	ck_assert_ptr_null(st.vm.bo_defer);

	base = ts_warn_count();
	ck_assert(put_locked(vb));
	va_del(va);
	ck_assert_int_eq(ts_warn_count(), base);
	ck_assert_int_eq(tbo_refs(&y), 1);
	assert_clean_frees();

	gpuvm_bo_fini(&x.base);
	gpuvm_bo_fini(&y.base);
	vm_teardown(&st);
	vm_teardown(&it);
	ck_assert_int_eq(ts_warn_count(), 4);
}
END_TEST

START_TEST(test_82_null)
{
	reset();
	ck_assert(!gpuvm_vm_bo_put_deferred(NULL));
	ck_assert(!gpuvm_vm_bo_put(NULL));
	assert_no_warnings();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Lock checks: a required lock not held gives one warning naming the call  */

START_TEST(test_lock_check_link)
{
	const uint32_t flags = all_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *va;
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	vb = obtain(&t.vm, &x.base);
	va = va_add(&t.vm, 0, 10, &x.base, 0);

	/* nothing held */
	gpuvm_va_link(va, vb);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_va_link");
	ck_assert_ptr_eq(va->vm_bo, vb);

	/* the other mode's lock does not count */
	if (gpuvm_immediate_mode(&t.vm))
		hold_resv(&h, x.base.resv);
	else
		hold_gpuva(&h, &x.base);
	gpuvm_va_unlink(va);
	release(&h);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_va_unlink");
	ck_assert_ptr_null(va->vm_bo);

	/* lookups too */
	ck_assert_ptr_eq(gpuvm_vm_bo_find(&t.vm, &x.base), vb);
	ck_assert_int_eq(ts_warn_count(), 3);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_find");
	ck_assert(!gpuvm_vm_bo_put(vb));

	/* correctly locked: no more warnings */
	link_locked(va, vb);
	hold_for_put(&h, &t.vm, &x.base);
	gpuvm_va_unlink(va);
	ck_assert(gpuvm_vm_bo_put(vb));
	release(&h);
	ck_assert_int_eq(ts_warn_count(), 3);

	va_del(va);
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
	ck_assert_int_eq(ts_warn_count(), 3);
}
END_TEST

START_TEST(test_lock_check_staged)
{
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vb, *vb2;
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, 0, NULL, 0, 0);
	tbo_init(&x, NULL);

	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vb), 0);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_obtain");

	gpuvm_vm_bo_evict(vb, true);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_evict");
	ck_assert(vb->evicted);

	/* staged: the resv is both locks gpuvm_bo_evict() checks */
	gpuvm_bo_evict(&x.base, false);
	ck_assert_int_eq(ts_warn_count(), 4);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_bo_evict");
	ck_assert(!vb->evicted);

	/* a non-last put needs nothing */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vb2), 0);
	ck_assert_int_eq(ts_warn_count(), 5);
	ck_assert(!gpuvm_vm_bo_put(vb2));
	ck_assert_int_eq(ts_warn_count(), 5);

	/* the last one does */
	ck_assert(gpuvm_vm_bo_put(vb));
	ck_assert_int_eq(ts_warn_count(), 6);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_put");
	ck_assert_int_eq(tbo_refs(&x), 1);

	/* held: silent */
	hold_resv(&h, x.base.resv);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vb), 0);
	gpuvm_bo_evict(&x.base, true);
	gpuvm_bo_evict(&x.base, false);
	ck_assert(gpuvm_vm_bo_put(vb));
	release(&h);
	ck_assert_int_eq(ts_warn_count(), 6);

	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
	ck_assert_int_eq(ts_warn_count(), 6);
}
END_TEST

START_TEST(test_lock_check_protected)
{
	const uint32_t flags = protected_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_exec exec;
	struct held h = HELD_INIT;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	vb = obtain(&t.vm, &x.base);
	ck_assert_int_eq(ts_warn_count(), 0);

	gpuvm_vm_bo_extobj_add(vb);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_extobj_add");
	ck_assert(on_extobj(&t.vm, vb));

	/* prepare_objects needs the VM's resv */
	gpuvm_exec_init(&exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	ck_assert_int_eq(gpuvm_prepare_objects(&t.vm, &exec, 0), 0);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_prepare_objects");
	ck_assert(exec_has(&exec, &x.base));

	/* and so does validate */
	ck_assert_int_eq(gpuvm_validate(&t.vm, &exec), 0);
	ck_assert_int_eq(ts_warn_count(), 3);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_validate");
	gpuvm_exec_fini(&exec);

	/* a last put with the list lock but not the VM's resv */
	hold_list(&h, &t.vm, &x.base);
	ck_assert(gpuvm_vm_bo_put(vb));
	release(&h);
	ck_assert_int_eq(ts_warn_count(), 4);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_vm_bo_put");
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));

	/* properly locked: silent */
	gpuvm_exec_init(&exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	ck_assert_int_eq(gpuvm_prepare_vm(&t.vm, &exec, 0), 0);
	ck_assert_int_eq(gpuvm_prepare_objects(&t.vm, &exec, 0), 0);
	ck_assert_int_eq(gpuvm_validate(&t.vm, &exec), 0);
	gpuvm_exec_fini(&exec);
	ck_assert_int_eq(ts_warn_count(), 4);

	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
	ck_assert_int_eq(ts_warn_count(), 4);
}
END_TEST

/* A lock held by another thread is not held. */
struct holder_arg {
	struct gpuvm_bo *obj;
	bool immediate;
	pthread_barrier_t bar;
};

static void *holder_thread(void *p)
{
	struct holder_arg *arg = p;

	if (arg->immediate)
		gpuvm_lock_lock(&arg->obj->gpuva_lock);
	else
		gpuvm_resv_lock(arg->obj->resv);
	pthread_barrier_wait(&arg->bar);	/* locked */
	pthread_barrier_wait(&arg->bar);	/* main is done */
	if (arg->immediate)
		gpuvm_lock_unlock(&arg->obj->gpuva_lock);
	else
		gpuvm_resv_unlock(arg->obj->resv);
	return NULL;
}

START_TEST(test_lock_check_other_thread)
{
	const uint32_t flags = unprotected_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *va;
	struct holder_arg arg;
	pthread_t th;

	reset();
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	vb = obtain(&t.vm, &x.base);
	va = va_add(&t.vm, 0, 10, &x.base, 0);

	arg.obj = &x.base;
	arg.immediate = gpuvm_immediate_mode(&t.vm);
	ck_assert_int_eq(pthread_barrier_init(&arg.bar, NULL, 2), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, holder_thread, &arg), 0);
	pthread_barrier_wait(&arg.bar);
	gpuvm_va_link(va, vb);
	pthread_barrier_wait(&arg.bar);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	pthread_barrier_destroy(&arg.bar);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_va_link");

	{
		struct held h = HELD_INIT;

		hold_for_put(&h, &t.vm, &x.base);
		gpuvm_va_unlink(va);
		ck_assert(gpuvm_vm_bo_put(vb));
		release(&h);
	}
	ck_assert_int_eq(ts_warn_count(), 1);
	va_del(va);
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* 83: concurrency                                                          */

#define RACE_THREADS 4

static int race_iterations(int n)
{
	return getenv("GPUVM_UNDER_VALGRIND") ? n / 10 : n;
}

/* (a) every thread pre-allocates and obtains for the same (VM, object) */
struct race_obtain {
	struct gpuvm *vm;
	struct gpuvm_bo *obj;
	int rounds;
	pthread_barrier_t bar;
	struct gpuvm_vm_bo *got[RACE_THREADS];
	int errors;
	int zombies;
};

struct race_thread {
	struct race_obtain *r;
	int idx;
};

static void race_error(int *errors)
{
	atomic_inc(errors);
}

static void *race_obtain_thread(void *p)
{
	struct race_thread *rt = p;
	struct race_obtain *r = rt->r;
	int round, i;

	for (round = 0; round < r->rounds; round++) {
		struct gpuvm_vm_bo *pre = gpuvm_vm_bo_create(r->vm, r->obj);

		if (!pre)
			race_error(&r->errors);
		/* all enter obtain_prealloc() together */
		pthread_barrier_wait(&r->bar);
		r->got[rt->idx] = pre ? gpuvm_vm_bo_obtain_prealloc(pre) : NULL;
		pthread_barrier_wait(&r->bar);

		if (rt->idx == 0) {
			unsigned int n;

			for (i = 0; i < RACE_THREADS; i++)
				if (!r->got[i] || r->got[i] != r->got[0])
					race_error(&r->errors);
			gpuvm_lock_lock(&r->obj->gpuva_lock);
			n = list_len(&r->obj->vm_bos);
			gpuvm_lock_unlock(&r->obj->gpuva_lock);
			if (n != 1)
				race_error(&r->errors);
			if (r->got[0] &&
			    gpuvm_vm_bo_refcount(r->got[0]) != RACE_THREADS)
				race_error(&r->errors);
			/* the rejected pre-allocations are gone already */
			if (frees() != round * RACE_THREADS + RACE_THREADS - 1)
				race_error(&r->errors);
		}
		pthread_barrier_wait(&r->bar);

		if (r->got[rt->idx] && gpuvm_vm_bo_put_deferred(r->got[rt->idx]))
			atomic_inc(&r->zombies);
		pthread_barrier_wait(&r->bar);

		if (rt->idx == 0) {
			if (atomic_read(&r->zombies) != round + 1)
				race_error(&r->errors);
			gpuvm_vm_bo_deferred_cleanup(r->vm);
			if (frees() != (round + 1) * RACE_THREADS)
				race_error(&r->errors);
			if (!gpuvm_list_empty(&r->obj->vm_bos))
				race_error(&r->errors);
		}
		pthread_barrier_wait(&r->bar);
	}
	return NULL;
}

START_TEST(test_83_race_obtain_prealloc)
{
	const uint32_t flags = immediate_modes[_i];
	struct ts_vm t;
	struct tbo x;
	struct race_obtain r;
	struct race_thread rt[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	int i;

	reset();
	check_free_lock = false;
	vm_setup(&t, flags, NULL, 0, 0);
	tbo_init(&x, NULL);
	memset(&r, 0, sizeof(r));
	r.vm = &t.vm;
	r.obj = &x.base;
	r.rounds = race_iterations(2000);
	ck_assert_int_eq(pthread_barrier_init(&r.bar, NULL, RACE_THREADS), 0);

	for (i = 0; i < RACE_THREADS; i++) {
		rt[i].r = &r;
		rt[i].idx = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL,
						race_obtain_thread, &rt[i]), 0);
	}
	for (i = 0; i < RACE_THREADS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&r.bar);

	ck_assert_int_eq(atomic_read(&r.errors), 0);
	ck_assert_int_eq(atomic_read(&r.zombies), r.rounds);
	ck_assert_int_eq(frees(), r.rounds * RACE_THREADS);
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert_int_eq(tbo_refs(&x), 1);
	assert_clean_frees();
	assert_no_warnings();
	gpuvm_bo_fini(&x.base);
	vm_teardown(&t);
}
END_TEST

/*
 * (b) workers turn vm_bos of short-lived objects into zombies while a
 * cleaner thread runs the deferred cleanup.  The zombie's vm_bo holds the
 * object's last reference, so the cleanup frees the object (and its gpuva
 * lock): a push before the unlock would be a use after free.
 */
#define RACE_WORKERS 3

struct race_defer {
	struct gpuvm *vm;
	int iters;
	int workers_done;
	int created;
	int errors;
	int cleanups;
};

static void *race_defer_worker(void *p)
{
	struct race_defer *r = p;
	int i;

	for (i = 0; i < r->iters; i++) {
		struct tbo *b = malloc(sizeof(*b));
		struct gpuvm_vm_bo *pre, *vb;

		if (!b) {
			race_error(&r->errors);
			continue;
		}
		tbo_init(b, NULL);
		b->dynamic = true;
		pre = gpuvm_vm_bo_create(r->vm, &b->base);
		if (!pre) {
			race_error(&r->errors);
			tbo_put(&b->base);
			continue;
		}
		vb = gpuvm_vm_bo_obtain_prealloc(pre);
		if (vb != pre)
			race_error(&r->errors);
		if (i & 1) {
			/* on the extobj list too (under the VM's resv when
			 * it protects the list), racing the cleanup's resv */
			if (gpuvm_resv_protected(r->vm)) {
				gpuvm_resv_lock(gpuvm_resv(r->vm));
				gpuvm_vm_bo_extobj_add(vb);
				gpuvm_resv_unlock(gpuvm_resv(r->vm));
			} else {
				gpuvm_vm_bo_extobj_add(vb);
			}
		}
		gpuvm_vm_bo_get(vb);
		/* from now on the vm_bo holds the object's only reference */
		tbo_put(&b->base);
		if (gpuvm_vm_bo_put_deferred(vb))
			race_error(&r->errors);
		if (!gpuvm_vm_bo_put_deferred(vb))
			race_error(&r->errors);
		atomic_inc(&r->created);
	}
	atomic_inc(&r->workers_done);
	return NULL;
}

static void *race_defer_cleaner(void *p)
{
	struct race_defer *r = p;

	while (atomic_read(&r->workers_done) < RACE_WORKERS) {
		gpuvm_vm_bo_deferred_cleanup(r->vm);
		atomic_inc(&r->cleanups);
	}
	gpuvm_vm_bo_deferred_cleanup(r->vm);
	return NULL;
}

START_TEST(test_83_race_deferred_cleanup)
{
	const uint32_t flags = immediate_modes[_i];
	struct ts_vm t;
	struct race_defer r;
	pthread_t workers[RACE_WORKERS], cleaner;
	int i, total;

	reset();
	check_free_lock = false;
	vm_setup(&t, flags, NULL, 0, 0);
	memset(&r, 0, sizeof(r));
	r.vm = &t.vm;
	r.iters = race_iterations(2000);
	total = r.iters * RACE_WORKERS;

	ck_assert_int_eq(pthread_create(&cleaner, NULL, race_defer_cleaner,
					&r), 0);
	for (i = 0; i < RACE_WORKERS; i++)
		ck_assert_int_eq(pthread_create(&workers[i], NULL,
						race_defer_worker, &r), 0);
	for (i = 0; i < RACE_WORKERS; i++)
		ck_assert_int_eq(pthread_join(workers[i], NULL), 0);
	ck_assert_int_eq(pthread_join(cleaner, NULL), 0);

	ck_assert_int_eq(atomic_read(&r.errors), 0);
	ck_assert_int_eq(atomic_read(&r.created), total);
	ck_assert_ptr_null(t.vm.bo_defer);
	/* every vm_bo and every object freed, each exactly once */
	ck_assert_int_eq(frees(), total);
	ck_assert_int_eq(atomic_read(&bo_frees), total);
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	assert_clean_frees();
	assert_no_warnings();
	vm_teardown(&t);
	assert_no_warnings();
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *vm_bo_modes_suite(void)
{
	Suite *s = suite_create("vm_bo_modes");
	TCase *tc;

	tc = tcase_create("vm_bo");
	tcase_add_loop_test(tc, test_63_obtain, 0, 2);
	tcase_add_loop_test(tc, test_64_obtain_prealloc, 0,
			    N_ELEMS(immediate_modes));
	tcase_add_loop_test(tc, test_65_link_unlink, 0, N_ELEMS(all_modes));
	tcase_add_loop_test(tc, test_66_link_null_object, 0,
			    N_ELEMS(all_modes));
	tcase_add_loop_test(tc, test_67_link_mismatch, 0, N_ELEMS(all_modes));
	tcase_add_loop_test(tc, test_68_extobj_add, 0, N_ELEMS(all_modes));
	suite_add_tcase(s, tc);

	tc = tcase_create("evict");
	tcase_add_loop_test(tc, test_69_evict_unprotected, 0,
			    N_ELEMS(unprotected_modes));
	tcase_add_loop_test(tc, test_70_evict_protected_external, 0,
			    N_ELEMS(protected_modes));
	tcase_add_loop_test(tc, test_71_evict_protected_private, 0,
			    N_ELEMS(protected_modes));
	tcase_add_loop_test(tc, test_72_validate_unsupported, 0,
			    N_ELEMS(all_modes));
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_add_loop_test(tc, test_73_exec_lock, 0, 2);
	tcase_add_test(tc, test_74_exec_lock_range);
	tcase_add_loop_test(tc, test_75_add_fence, 0, 2);
	tcase_add_test(tc, test_76_sm_exec_lock);
	suite_add_tcase(s, tc);

	tc = tcase_create("deferred");
	tcase_add_loop_test(tc, test_77_78_put_deferred, 0,
			    N_ELEMS(immediate_modes));
	tcase_add_loop_test(tc, test_79_unlink_defer, 0,
			    N_ELEMS(immediate_modes));
	tcase_add_loop_test(tc, test_79_push_after_unlock, 0,
			    N_ELEMS(immediate_modes));
	tcase_add_loop_test(tc, test_80_teardown_with_zombies, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("misuse");
	tcase_add_test(tc, test_81_misuse_warnings);
	tcase_add_test(tc, test_82_null);
	tcase_add_loop_test(tc, test_lock_check_link, 0, N_ELEMS(all_modes));
	tcase_add_test(tc, test_lock_check_staged);
	tcase_add_loop_test(tc, test_lock_check_protected, 0,
			    N_ELEMS(protected_modes));
	tcase_add_loop_test(tc, test_lock_check_other_thread, 0,
			    N_ELEMS(unprotected_modes));
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_tags(tc, "threads");
	tcase_add_loop_test(tc, test_83_race_obtain_prealloc, 0,
			    N_ELEMS(immediate_modes));
	tcase_add_loop_test(tc, test_83_race_deferred_cleanup, 0,
			    N_ELEMS(immediate_modes));
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return ts_run_suite(vm_bo_modes_suite());
}
