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

	if (vm->own_r_obj.own_resv.locked)
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
	return s;
}

int main(void)
{
	return ts_run_suite(defects_suite());
}
