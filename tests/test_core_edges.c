// SPDX-License-Identifier: MIT
/*
 * Corners of the core the other suites do not reach: gpuvm_check() finding
 * each kind of damage to the tree links and the VA flags; the
 * warnings of a VM torn down while still in use; gpuvm_va_remap() refusals
 * and a remap without remaining pieces; an incomplete allocator; and the
 * warnings for vm_bo and object misuse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void setup(void)
{
	ts_warn_capture();
}

static void teardown(void)
{
	gpuvm_set_warn_handler(NULL, NULL);
}

/* Insert a fresh object-less VA and expect success. */
static struct gpuvm_va *va_add(struct gpuvm *vm, uint64_t addr, uint64_t range)
{
	struct gpuvm_va *va = ts_va_new(addr, range, NULL, 0);

	ck_assert_int_eq(gpuvm_va_insert(vm, va), 0);
	return va;
}

/* gpuvm_check() must fail with -EUCLEAN and one warning; resets the count. */
static void expect_damage(const struct gpuvm *vm)
{
	ts_warn_capture();
	ck_assert_int_eq(gpuvm_check(vm), -EUCLEAN);
	ck_assert_int_eq(ts_warn_count(), 1);
	ts_warn_capture();
}

/* ------------------------------------------------------------------------ */
/* gpuvm_check()                                                            */

/*
 * Three VAs make a tree of a root and two leaves; each field is damaged in
 * turn, detected, and restored, after which the VM checks clean again.
 */
START_TEST(test_check_finds_damage)
{
	struct gpuvm_va *a, *b, *c, *root, *extra;
	struct ts_vm t;
	uint64_t save;

	ts_vm_init(&t, 0, 0x100000, 0, 0, NULL);
	a = va_add(&t.vm, 0x1000, 0x1000);
	b = va_add(&t.vm, 0x3000, 0x1000);
	c = va_add(&t.vm, 0x5000, 0x1000);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	root = t.vm.tree.root;
	ck_assert_ptr_eq(root, b);
	ck_assert_ptr_eq(b->node.child[0], a);
	ck_assert_ptr_eq(b->node.child[1], c);
	ck_assert_ptr_eq(a->node.parent, b);

	/* a cycle: the walk goes deeper than any balanced tree can be */
	a->node.child[0] = a;
	expect_damage(&t.vm);
	a->node.child[0] = NULL;

	/* a wrong parent link */
	c->node.parent = a;
	expect_damage(&t.vm);
	c->node.parent = b;

	/* the first VA is not the leftmost */
	t.vm.tree.first = b;
	expect_damage(&t.vm);
	t.vm.tree.first = a;

	/* a VA that overlaps its predecessor */
	save = b->addr;
	b->addr = 0x1800;
	expect_damage(&t.vm);
	b->addr = save;

	/* a zero and an overflowing range */
	c->range = 0;
	expect_damage(&t.vm);
	c->range = UINT64_MAX;
	expect_damage(&t.vm);
	c->range = 0x1000;

	/* a balance factor that does not match the heights */
	a->balance = 1;
	expect_damage(&t.vm);
	a->balance = 0;

	/* the root claims a parent */
	extra = ts_va_new(0x8000, 0x1000, NULL, 0);
	extra->node.child[0] = b;
	b->node.parent = extra;
	expect_damage(&t.vm);
	b->node.parent = NULL;
	free(extra);

	/* the count disagrees with the tree */
	t.vm.tree.count++;
	expect_damage(&t.vm);
	t.vm.tree.count--;

	/* a VA not flagged as inserted, or flagged for another VM */
	b->in_tree = 0;
	expect_damage(&t.vm);
	b->in_tree = 1;
	b->vm = NULL;
	expect_damage(&t.vm);
	b->vm = &t.vm;

	/* a VA outside the VM's range (order kept) */
	c->addr = 0x100000;
	expect_damage(&t.vm);
	c->addr = 0x5000;

	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	ck_assert_int_eq(ts_warn_count(), 0);
	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/* The reserved region must stay in the tree while the VM lives. */
START_TEST(test_check_reserved_missing)
{
	struct ts_vm t;

	ts_vm_init(&t, 0, 0x100000, 0x80000, 0x1000, NULL);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	t.vm.kernel_alloc_node.in_tree = 0;
	expect_damage(&t.vm);
	t.vm.kernel_alloc_node.in_tree = 1;
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Teardown of a VM still in use                                            */

/*
 * Dropping references the VAs own (a driver bug) tears the VM down with
 * VAs inserted: it warns, and the VAs keep their memory for the driver.
 */
START_TEST(test_teardown_with_vas)
{
	struct gpuvm_va *va;
	struct ts_vm t;

	ts_vm_init(&t, 0, 0x100000, 0, 0, NULL);
	va = va_add(&t.vm, 0x1000, 0x1000);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 0);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_uint_eq(va->addr, 0x1000);
	free(va);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* gpuvm_va_remap()                                                         */

START_TEST(test_remap_refusals)
{
	struct gpuvm_op_map pm = { .addr = 0x1000, .range = 0x1000 };
	struct gpuvm_op_map nm = { .addr = 0x3000, .range = 0x1000 };
	struct gpuvm_op_unmap um = { 0 };
	struct gpuvm_op_remap op = { .prev = &pm, .next = &nm, .unmap = &um };
	struct gpuvm_va *old, *other, prev, next;
	struct ts_vm t;

	ts_vm_init(&t, 0, 0x100000, 0x80000, 0x1000, NULL);
	old = va_add(&t.vm, 0x1000, 0x3000);
	other = va_add(&t.vm, 0x10000, 0x1000);
	memset(&prev, 0, sizeof(prev));
	memset(&next, 0, sizeof(next));
	um.va = old;

	/* a piece the op needs is missing */
	ck_assert_int_eq(gpuvm_va_remap(NULL, &next, &op), -EINVAL);
	ck_assert_int_eq(gpuvm_va_remap(&prev, NULL, &op), -EINVAL);
	/* a piece is already in a tree */
	ck_assert_int_eq(gpuvm_va_remap(other, &next, &op), -EINVAL);
	ck_assert_int_eq(gpuvm_va_remap(&prev, other, &op), -EINVAL);
	ck_assert_int_eq(ts_warn_count(), 0);

	/* the VA being split is not inserted, or is the reserved region */
	um.va = &prev;
	ck_assert_int_eq(gpuvm_va_remap(&next, NULL, &(struct gpuvm_op_remap){
		.prev = &pm, .unmap = &um }), -EINVAL);
	ck_assert_int_eq(ts_warn_count(), 1);
	um.va = &t.vm.kernel_alloc_node;
	ck_assert_int_eq(gpuvm_va_remap(&prev, &next, &op), -EINVAL);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 2);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);

	/* a remap with no pieces left only removes, dropping its reference */
	um.va = old;
	ck_assert_int_eq(gpuvm_va_remap(NULL, NULL, &(struct gpuvm_op_remap){
		.unmap = &um }), 0);
	ck_assert(!old->in_tree);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 0x1000, 0x3000));
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	free(old);
	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Allocator                                                                */

/* An allocator without a free function puts the default one back. */
START_TEST(test_allocator_incomplete)
{
	const struct gpuvm_allocator half = { .zalloc = NULL, .free = NULL };
	struct gpuvm_vm_bo *vm_bo;
	struct ts_bo bo;
	struct ts_vm t;
	unsigned long calls;

	ts_alloc_install();
	ts_vm_init(&t, 0, 0x100000, 0, 0, NULL);
	ts_bo_init(&bo, 1);
	vm_bo = gpuvm_vm_bo_create(&t.vm, &bo.base);
	ck_assert_ptr_nonnull(vm_bo);
	calls = ts_alloc_calls();
	ck_assert_uint_ge(calls, 1);
	ck_assert_int_eq(ts_alloc_live(), 1);
	gpuvm_vm_bo_put(vm_bo);
	ck_assert_int_eq(ts_alloc_live(), 0);

	gpuvm_set_allocator(&half);
	vm_bo = gpuvm_vm_bo_create(&t.vm, &bo.base);
	ck_assert_ptr_nonnull(vm_bo);
	ck_assert_uint_eq(ts_alloc_calls(), calls);
	gpuvm_vm_bo_put(vm_bo);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ck_assert_int_eq(bo.refs, 1);
	ts_alloc_uninstall();
	gpuvm_bo_fini(&bo.base);
	gpuvm_put(&t.vm);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* vm_bo and object misuse                                                  */

START_TEST(test_vm_bo_misuse)
{
	struct gpuvm_vm_bo *vm_bo = NULL;
	struct gpuvm_va *va;
	struct ts_bo bo;
	struct ts_vm t;

	ts_vm_init(&t, 0, 0x100000, 0, 0, NULL);
	ts_bo_init(&bo, 1);
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t.vm, NULL));
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, NULL, &vm_bo), -EINVAL);
	ck_assert_ptr_null(vm_bo);

	gpuvm_resv_lock(bo.base.resv);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &bo.base, &vm_bo), 0);
	/* linking a VA that was never inserted warns but links */
	va = ts_va_new(0x1000, 0x1000, &bo.base, 0);
	gpuvm_va_link(va, vm_bo);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_va_link");
	ck_assert_ptr_eq(va->vm_bo, vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(vm_bo), 2);
	gpuvm_va_unlink(va);
	ck_assert_ptr_null(va->vm_bo);
	gpuvm_resv_unlock(bo.base.resv);

	/* an object finalised while a VM still has a vm_bo for it */
	gpuvm_bo_fini(&bo.base);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_str_eq(ts_warn_last_func(), "gpuvm_bo_fini");
	gpuvm_bo_init(&bo.base, bo.base.ops, NULL);
	gpuvm_list_add_tail(&bo.base.vm_bos, &vm_bo->bo_link);

	gpuvm_resv_lock(bo.base.resv);
	gpuvm_vm_bo_put(vm_bo);
	gpuvm_resv_unlock(bo.base.resv);
	ck_assert(gpuvm_list_empty(&bo.base.vm_bos));
	ck_assert_int_eq(bo.refs, 1);
	gpuvm_bo_fini(&bo.base);
	ck_assert_int_eq(ts_warn_count(), 2);
	free(va);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/*
 * Immediate mode: a pre-allocated vm_bo someone else still references is
 * not freed when an existing vm_bo is found instead; it warns.
 */
START_TEST(test_prealloc_extra_reference)
{
	struct gpuvm_init_args args = {
		.name = "imm", .flags = GPUVM_IMMEDIATE_MODE,
		.start = 0, .range = 0x100000, .ops = &ts_vm_ops,
	};
	struct gpuvm_vm_bo *first, *pre, *got;
	struct ts_bo bo;
	struct ts_vm t;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(gpuvm_init(&t.vm, &args), 0);
	ts_bo_init(&bo, 1);
	first = gpuvm_vm_bo_create(&t.vm, &bo.base);
	ck_assert_ptr_eq(gpuvm_vm_bo_obtain_prealloc(first), first);
	ck_assert_int_eq(ts_warn_count(), 0);

	pre = gpuvm_vm_bo_create(&t.vm, &bo.base);
	gpuvm_vm_bo_get(pre);
	got = gpuvm_vm_bo_obtain_prealloc(pre);
	ck_assert_ptr_eq(got, first);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(pre), 1);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(first), 2);

	ck_assert(gpuvm_vm_bo_put(pre));
	ck_assert(!gpuvm_vm_bo_put_deferred(got));
	ck_assert(gpuvm_vm_bo_put_deferred(first));
	gpuvm_vm_bo_deferred_cleanup(&t.vm);
	ck_assert(gpuvm_list_empty(&bo.base.vm_bos));
	ck_assert_int_eq(bo.refs, 1);
	gpuvm_bo_fini(&bo.base);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

static Suite *core_edges_suite(void)
{
	Suite *s = suite_create("core_edges");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_check_finds_damage);
	tcase_add_test(tc, test_check_reserved_missing);
	tcase_add_test(tc, test_teardown_with_vas);
	tcase_add_test(tc, test_remap_refusals);
	tcase_add_test(tc, test_allocator_incomplete);
	tcase_add_test(tc, test_vm_bo_misuse);
	tcase_add_test(tc, test_prealloc_extra_reference);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(core_edges_suite());
}
