// SPDX-License-Identifier: MIT
/*
 * Regression tests for defects found by testing libgpuvm from outside
 * (API-level tests against the public headers):
 *
 *  - the VM's built-in reservation lock must outlive an execution context
 *    that holds it, even when the VM's last reference goes meanwhile;
 *  - gpuvm_bo_unmap_ops_create() checks the object's list lock;
 *  - gpuvm_op_list_clear() frees a driver op appended to a list whose ops
 *    the list stores itself;
 *  - fence slots: reserving and adding need the lock held, and a slot does
 *    not survive an unlock.
 *
 * Tests that assert a lock-check warning are left out of a build without
 * lock checks (TS_NO_LOCK_CHECKS).
 */
#include "support.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* A heap-allocated VM whose free records how it went.                      */

struct heap_vm {
	struct gpuvm vm;
	int *freed;		/* incremented by vm_free */
	int *freed_locked;	/* ... if the built-in resv was still locked */
};

static void heap_vm_free(struct gpuvm *vm)
{
	struct heap_vm *h = gpuvm_container_of(vm, struct heap_vm, vm);

	if (ts_resv_locked(&vm->own_r_obj.own_resv))
		(*h->freed_locked)++;
	(*h->freed)++;
	free(h);
}

static const struct gpuvm_ops heap_vm_ops = { .vm_free = heap_vm_free };

static struct gpuvm *heap_vm_new(uint32_t flags, int *freed, int *freed_locked)
{
	struct heap_vm *h = calloc(1, sizeof(*h));
	struct gpuvm_init_args args = {
		.name = "heap",
		.flags = flags,
		.start = 0,
		.range = 1ull << 40,
		.ops = &heap_vm_ops,
	};

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(gpuvm_init(&h->vm, &args), 0);
	h->freed = freed;
	h->freed_locked = freed_locked;
	return &h->vm;
}

/* Map [addr, addr + range) of @obj and link it, in staged mode. */
static struct gpuvm_va *map_linked(struct gpuvm *vm, struct gpuvm_bo *obj,
				   uint64_t addr, uint64_t range)
{
	struct gpuvm_va *va = ts_va_new(addr, range, obj, 0);
	struct gpuvm_vm_bo *vm_bo;

	ck_assert_int_eq(gpuvm_resv_lock(obj->resv), 0);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(vm, obj, &vm_bo), 0);
	ck_assert_int_eq(gpuvm_va_insert(vm, va), 0);
	gpuvm_va_link(va, vm_bo);
	gpuvm_vm_bo_put(vm_bo);		/* the VA's link holds it now */
	gpuvm_resv_unlock(obj->resv);
	return va;
}

/*
 * Issue 12.1: a RESV_PROTECTED VM whose only references are one VA and its
 * vm_bo, unbound in a job that locked the VM with gpuvm_exec_lock().  The
 * last vm_bo goes under the VM's resv (as RESV_PROTECTED requires), then the
 * last VA: the VM may not be freed before the job unlocks its resv.
 */
START_TEST(test_builtin_resv_outlives_exec_lock)
{
	int freed = 0, freed_locked = 0;
	struct gpuvm *vm = heap_vm_new(GPUVM_RESV_PROTECTED, &freed,
				       &freed_locked);
	struct gpuvm_vm_exec vm_exec = { .vm = vm,
					 .flags = GPUVM_EXEC_IGNORE_DUPLICATES,
					 .num_fences = 1 };
	struct ts_bo ext;
	struct gpuvm_va *va;
	int fence;

	ts_warn_capture();
	ts_bo_init(&ext, 1);
	va = map_linked(vm, &ext.base, 0x10000, 0x1000);
	ck_assert_int_eq(gpuvm_resv_lock(gpuvm_resv(vm)), 0);
	gpuvm_vm_bo_extobj_add(va->vm_bo);
	gpuvm_resv_unlock(gpuvm_resv(vm));

	gpuvm_put(vm);			/* the driver lets go of the VM */
	ck_assert_int_eq(freed, 0);

	ck_assert_int_eq(gpuvm_exec_lock(&vm_exec), 0);
	ck_assert_uint_eq(vm_exec.exec.num_objects, 2);
	gpuvm_va_unlink(va);		/* last vm_bo: off the extobj list */
	gpuvm_va_remove(va);		/* last VA */
	free(va);
	/* The job still holds the VM's resv: the VM is still there. */
	ck_assert_int_eq(freed, 0);
	ck_assert(gpuvm_resv_held(gpuvm_resv(vm)));
	gpuvm_vm_exec_add_fence(&vm_exec, &fence, GPUVM_RESV_USAGE_BOOKKEEP,
				GPUVM_RESV_USAGE_BOOKKEEP);
	gpuvm_exec_unlock(&vm_exec);

	ck_assert_int_eq(freed, 1);
	ck_assert_int_eq(freed_locked, 0);
	ck_assert_int_eq(ts_warn_count(), 0);
	ck_assert_int_eq(ext.refs, 1);
	gpuvm_bo_fini(&ext.base);
}
END_TEST

/*
 * The same with an unmap plan under gpuvm_prepare_vm() plus
 * gpuvm_sm_unmap_exec_lock(), of a VM-private object (sharing the VM's
 * resv), the VM's last reference being the VA's.
 */
START_TEST(test_builtin_resv_outlives_unmap_job)
{
	int freed = 0, freed_locked = 0;
	struct gpuvm *vm = heap_vm_new(0, &freed, &freed_locked);
	struct gpuvm_op_list ops;
	struct gpuvm_exec exec;
	struct gpuvm_op *op;
	struct ts_bo priv;
	struct gpuvm_va *va;
	int ret;

	ts_warn_capture();
	ts_bo_init_resv(&priv, 1, gpuvm_resv(vm));
	va = map_linked(vm, &priv.base, 0x20000, 0x2000);
	gpuvm_put(vm);

	gpuvm_exec_init(&exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	do {
		ret = gpuvm_prepare_vm(vm, &exec, 1);
		if (!ret)
			ret = gpuvm_sm_unmap_exec_lock(vm, &exec, 0x20000,
						       0x2000);
	} while (gpuvm_exec_retry(&exec, &ret));
	ck_assert_int_eq(ret, 0);

	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(vm, 0x20000, 0x2000, &ops), 0);
	gpuvm_op_list_for_each(op, &ops) {
		ck_assert_int_eq(op->type, GPUVM_OP_UNMAP);
		gpuvm_va_unlink(op->unmap.va);
		gpuvm_va_unmap(&op->unmap);
	}
	gpuvm_op_list_clear(vm, &ops);
	free(va);
	ck_assert_int_eq(freed, 0);
	gpuvm_exec_fini(&exec);

	ck_assert_int_eq(freed, 1);
	ck_assert_int_eq(freed_locked, 0);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_bo_fini(&priv.base);
}
END_TEST

/*
 * The reference the context holds also covers the contended path: a
 * context that backed off for the VM's resv and then re-locked it in the
 * slow path keeps the VM alive until it is finished.
 */
START_TEST(test_builtin_resv_contended_keeps_vm)
{
	int freed = 0, freed_locked = 0;
	struct gpuvm *vm = heap_vm_new(0, &freed, &freed_locked);
	struct gpuvm_exec older, younger;
	int ret;

	gpuvm_exec_init(&older, 0);
	gpuvm_exec_init(&younger, 0);
	ck_assert_int_eq(gpuvm_prepare_vm(vm, &older, 0), 0);
	/* The younger context dies against the older holder. */
	ck_assert_int_eq(gpuvm_prepare_vm(vm, &younger, 0), -EDEADLK);
	ck_assert_uint_eq(gpuvm_refcount(vm), 3);
	gpuvm_exec_fini(&older);
	ret = -EDEADLK;
	ck_assert(gpuvm_exec_retry(&younger, &ret));
	ck_assert_int_eq(gpuvm_prepare_vm(vm, &younger, 0), 0);
	gpuvm_put(vm);			/* only the context holds it now */
	ck_assert_int_eq(freed, 0);
	ck_assert_uint_eq(gpuvm_refcount(vm), 1);
	gpuvm_exec_fini(&younger);
	ck_assert_int_eq(freed, 1);
	ck_assert_int_eq(freed_locked, 0);
}
END_TEST

/* A VM given its own r_obj takes and drops a reference on it, once. */
START_TEST(test_given_r_obj_referenced)
{
	int freed = 0, freed_locked = 0;
	struct heap_vm *h = calloc(1, sizeof(*h));
	struct ts_bo root;
	struct gpuvm_init_args args = {
		.range = 1ull << 32,
		.ops = &heap_vm_ops,
		.r_obj = &root.base,
	};
	struct gpuvm_exec exec;

	ck_assert_ptr_nonnull(h);
	ts_bo_init(&root, 7);
	ck_assert_int_eq(gpuvm_init(&h->vm, &args), 0);
	h->freed = &freed;
	h->freed_locked = &freed_locked;
	ck_assert_int_eq(root.refs, 2);
	gpuvm_exec_init(&exec, 0);
	ck_assert_int_eq(gpuvm_prepare_vm(&h->vm, &exec, 0), 0);
	ck_assert_int_eq(root.refs, 3);
	ck_assert_uint_eq(gpuvm_refcount(&h->vm), 1);
	gpuvm_put(&h->vm);
	ck_assert_int_eq(freed, 1);
	ck_assert_int_eq(root.refs, 2);	/* the context's */
	gpuvm_exec_fini(&exec);
	ck_assert_int_eq(root.refs, 1);
	gpuvm_bo_fini(&root.base);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Issue 12.2: gpuvm_bo_unmap_ops_create() checks the object's list lock.   */

#ifndef TS_NO_LOCK_CHECKS
static void bo_unmap_lock_check(uint32_t flags)
{
	struct ts_vm t;
	struct ts_bo bo;
	struct gpuvm_vm_bo *pre, *vm_bo;
	struct gpuvm_va *va;
	struct gpuvm_op_list ops;
	struct gpuvm_lock *l;

	ts_warn_capture();
	ts_vm_init(&t, 0, 1ull << 32, 0, 0, NULL);
	t.vm.flags = flags;
	ts_bo_init(&bo, 1);
	va = ts_va_new(0x1000, 0x1000, &bo.base, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, va), 0);
	pre = gpuvm_vm_bo_create(&t.vm, &bo.base);
	ck_assert_ptr_nonnull(pre);
	if (flags & GPUVM_IMMEDIATE_MODE) {
		vm_bo = gpuvm_vm_bo_obtain_prealloc(pre);
		l = &bo.base.gpuva_lock;
		gpuvm_lock_lock(l);
	} else {
		gpuvm_resv_lock(bo.base.resv);
		gpuvm_list_add_tail(&bo.base.vm_bos, &pre->bo_link);
		vm_bo = pre;
		l = NULL;
	}
	gpuvm_va_link(va, vm_bo);
	if (l)
		gpuvm_lock_unlock(l);
	else
		gpuvm_resv_unlock(bo.base.resv);
	ck_assert_int_eq(ts_warn_count(), 0);

	/* Not holding the list lock: warned, and the plan is made anyway. */
	ck_assert_int_eq(gpuvm_bo_unmap_ops_create(vm_bo, &ops), 0);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_bo_unmap_ops_create");
	gpuvm_op_list_clear(&t.vm, &ops);

	/* Holding it: no warning. */
	if (l)
		gpuvm_lock_lock(l);
	else
		gpuvm_resv_lock(bo.base.resv);
	ck_assert_int_eq(gpuvm_bo_unmap_ops_create(vm_bo, &ops), 0);
	ck_assert_int_eq(ts_warn_count(), 1);
	gpuvm_op_list_clear(&t.vm, &ops);
	gpuvm_va_unlink(va);
	gpuvm_vm_bo_put(vm_bo);
	if (l)
		gpuvm_lock_unlock(l);
	else
		gpuvm_resv_unlock(bo.base.resv);
	gpuvm_va_remove(va);
	free(va);
	ck_assert_int_eq(ts_warn_count(), 1);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
	gpuvm_bo_fini(&bo.base);
}

START_TEST(test_bo_unmap_checks_lock_staged)
{
	bo_unmap_lock_check(0);
}
END_TEST

START_TEST(test_bo_unmap_checks_lock_immediate)
{
	bo_unmap_lock_check(GPUVM_IMMEDIATE_MODE);
}
END_TEST
#endif

/* ------------------------------------------------------------------------ */
/* Issue 12.3: clearing a list frees a driver op appended to it.            */

static struct gpuvm_op *driver_op_new(void)
{
	struct gpuvm_op *op = gpuvm_zalloc(sizeof(*op));

	ck_assert_ptr_nonnull(op);
	op->type = GPUVM_OP_DRIVER;
	return op;
}

START_TEST(test_op_list_clear_frees_driver_op)
{
	struct gpuvm_map_req req = { .map = { .addr = 0x1000, .range = 0x1000 } };
	struct gpuvm_op_list ops;
	struct ts_vm t;
	int planned = _i;	/* 0: an empty list, 1: a one-op plan */

	ts_alloc_install();
	ts_vm_init(&t, 0, 1ull << 32, 0, 0, NULL);
	if (planned)
		ck_assert_int_eq(gpuvm_sm_map_ops_create(&t.vm, &req, &ops), 0);
	else
		gpuvm_op_list_init(&ops);
	gpuvm_list_add_tail(&ops.ops, &driver_op_new()->link);
	gpuvm_list_add(&ops.ops, &driver_op_new()->link);
	gpuvm_op_list_clear(&t.vm, &ops);
	ck_assert(gpuvm_list_empty(&ops.ops));
	ck_assert_int_eq(ts_alloc_live(), 0);
	ck_assert_uint_eq(sizeof(struct gpuvm_op), 136);	/* no growth */
	gpuvm_put(&t.vm);
	ts_alloc_uninstall();
}
END_TEST

/* The same with a plan large enough to use blocks. */
START_TEST(test_op_list_clear_frees_driver_op_blocks)
{
	struct gpuvm_op_list ops;
	struct gpuvm_va *va[20];
	struct ts_vm t;
	int i;

	ts_alloc_install();
	ts_vm_init(&t, 0, 1ull << 32, 0, 0, NULL);
	for (i = 0; i < 20; i++) {
		va[i] = ts_va_new(0x1000 * (uint64_t)(2 * i + 1), 0x1000, NULL, 0);
		ck_assert_int_eq(gpuvm_va_insert(&t.vm, va[i]), 0);
	}
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 1ull << 20, &ops), 0);
	ck_assert_int_gt(ts_alloc_live(), 0);
	gpuvm_list_add_tail(&ops.ops, &driver_op_new()->link);
	gpuvm_op_list_clear(&t.vm, &ops);
	ck_assert_int_eq(ts_alloc_live(), 0);
	for (i = 0; i < 20; i++) {
		gpuvm_va_remove(va[i]);
		free(va[i]);
	}
	gpuvm_put(&t.vm);
	ts_alloc_uninstall();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Issue 12.4: fence slots need the lock, and do not survive an unlock.     */

#ifndef TS_NO_LOCK_CHECKS
START_TEST(test_fences_need_lock)
{
	struct gpuvm_resv r;
	int fence;

	ts_warn_capture();
	gpuvm_resv_init(&r, NULL);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 2), 0);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_resv_reserve_fences");
	gpuvm_resv_add_fence(&r, &fence, GPUVM_RESV_USAGE_READ);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_resv_add_fence");

	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 1), 0);
	gpuvm_resv_add_fence(&r, &fence, GPUVM_RESV_USAGE_READ);
	gpuvm_resv_unlock(&r);
	ck_assert_int_eq(ts_warn_count(), 2);
	gpuvm_resv_fini(&r);
}
END_TEST
#endif

START_TEST(test_fence_slot_dies_with_unlock)
{
	struct gpuvm_resv r;
	int fence[3];
	unsigned int cap;

	ts_warn_capture();
	ts_alloc_install();
	gpuvm_resv_init(&r, NULL);
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 2), 0);
	gpuvm_resv_add_fence(&r, &fence[0], GPUVM_RESV_USAGE_WRITE);
	gpuvm_resv_unlock(&r);
	cap = r.alloc_fences;
	ck_assert_uint_ge(cap, 2);

	/* Locked again: the slot left over from before is gone. */
	ck_assert_int_eq(gpuvm_resv_lock(&r), 0);
	ck_assert_uint_eq(r.max_fences, r.num_fences);
	gpuvm_resv_add_fence(&r, &fence[1], GPUVM_RESV_USAGE_WRITE);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_uint_eq(r.num_fences, 1);

	/* Reserving again needs no new memory while the array has room. */
	ck_assert_uint_eq(ts_alloc_calls(), 1);
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 1), 0);
	ck_assert_uint_eq(ts_alloc_calls(), 1);
	ck_assert_uint_eq(r.alloc_fences, cap);
	gpuvm_resv_add_fence(&r, &fence[1], GPUVM_RESV_USAGE_WRITE);
	ck_assert_uint_eq(r.num_fences, 2);
	/* Past the room: the array grows and keeps the fences. */
	ck_assert_int_eq(gpuvm_resv_reserve_fences(&r, 3), 0);
	ck_assert_uint_ge(r.alloc_fences, 5);
	ck_assert_uint_eq(r.max_fences, 5);
	ck_assert_ptr_eq(r.fences[1].fence, &fence[1]);
	gpuvm_resv_unlock(&r);
	ck_assert_int_eq(ts_warn_count(), 1);
	gpuvm_resv_fini(&r);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

/*
 * After a back-off the slow path locks the contended object; if the next
 * locking pass no longer asks for it, it is unlocked at the end of the
 * pass, so that everything still locked has its fence slots (the slots it
 * had died with the back-off's unlock).  Found by the stress test once
 * slots stopped surviving an unlock.
 */
START_TEST(test_unasked_prelocked_is_dropped)
{
	struct gpuvm_exec older, younger;
	struct ts_bo a, b, a2;
	struct gpuvm_bo *obj;
	unsigned int i;
	int ret, fence;
	bool shared = _i;	/* pass 2 asks for an object sharing a's resv */

	ts_warn_capture();
	ts_bo_init(&a, 1);
	ts_bo_init(&b, 2);
	ts_bo_init_resv(&a2, 3, a.base.resv);
	gpuvm_exec_init(&older, 0);
	gpuvm_exec_init(&younger, GPUVM_EXEC_IGNORE_DUPLICATES);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&older, &a.base), 0);
	ck_assert_int_eq(gpuvm_exec_prepare_obj(&younger, &b.base, 1), 0);
	ret = gpuvm_exec_prepare_obj(&younger, &a.base, 1);
	ck_assert_int_eq(ret, -EDEADLK);
	gpuvm_exec_fini(&older);
	ck_assert(gpuvm_exec_retry(&younger, &ret));
	ck_assert(gpuvm_resv_held(a.base.resv));

	/* Second pass: b, and a2 (a's resv) or nothing of a. */
	ret = gpuvm_exec_prepare_obj(&younger, &b.base, 1);
	if (!ret && shared)
		ret = gpuvm_exec_prepare_obj(&younger, &a2.base, 1);
	ck_assert_int_eq(ret, 0);
	ck_assert(!gpuvm_exec_retry(&younger, &ret));
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_null(younger.prelocked);
	ck_assert_uint_eq(younger.num_objects, 2 - !shared);
	ck_assert(gpuvm_resv_held(a.base.resv) == shared);
	ck_assert_int_eq(a.refs, shared ? 2 : 1);
	gpuvm_exec_for_each_locked(&younger, i, obj)
		gpuvm_resv_add_fence(obj->resv, &fence, GPUVM_RESV_USAGE_WRITE);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_exec_fini(&younger);
	ck_assert_int_eq(a.refs, 1);
	ck_assert_int_eq(b.refs, 1);
	ck_assert_int_eq(a2.refs, 1);
	gpuvm_bo_fini(&a2.base);
	gpuvm_bo_fini(&b.base);
	gpuvm_bo_fini(&a.base);
}
END_TEST

Suite *defects_suite(void);

Suite *defects_suite(void)
{
	Suite *s = suite_create("defects");
	TCase *tc = tcase_create("lifetime");

	tcase_add_test(tc, test_builtin_resv_outlives_exec_lock);
	tcase_add_test(tc, test_builtin_resv_outlives_unmap_job);
	tcase_add_test(tc, test_builtin_resv_contended_keeps_vm);
	tcase_add_test(tc, test_given_r_obj_referenced);
	suite_add_tcase(s, tc);

	tc = tcase_create("plans");
#ifndef TS_NO_LOCK_CHECKS
	tcase_add_test(tc, test_bo_unmap_checks_lock_staged);
	tcase_add_test(tc, test_bo_unmap_checks_lock_immediate);
#endif
	tcase_add_loop_test(tc, test_op_list_clear_frees_driver_op, 0, 2);
	tcase_add_test(tc, test_op_list_clear_frees_driver_op_blocks);
	suite_add_tcase(s, tc);

	tc = tcase_create("fences");
#ifndef TS_NO_LOCK_CHECKS
	tcase_add_test(tc, test_fences_need_lock);
#endif
	tcase_add_test(tc, test_fence_slot_dies_with_unlock);
	tcase_add_loop_test(tc, test_unasked_prelocked_is_dropped, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(defects_suite());
}
