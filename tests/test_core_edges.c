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

/*
 * Every inserted VA counts as one reference in gpuvm_refcount(), however the
 * library keeps them: through inserts, both kinds of remap (in place and
 * the general path), removals, and the last VA's removal freeing a VM whose
 * driver reference is already gone.  With and without a reserved region.
 */
START_TEST(test_va_references)
{
	struct gpuvm_op_map pm = { .addr = 0x1000, .range = 0x1000 };
	struct gpuvm_op_map nm = { .addr = 0x3000, .range = 0x1000 };
	struct gpuvm_op_unmap um = { 0 };
	struct gpuvm_op_remap op = { .prev = &pm, .next = &nm, .unmap = &um };
	struct gpuvm_va *a, *b, *c, *prev, *next, *far;
	uint64_t rrange = (uint64_t)_i * 0x1000;
	struct ts_vm t;

	ts_vm_init(&t, 0, 0x100000, 0x80000, rrange, NULL);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	a = va_add(&t.vm, 0x1000, 0x3000);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	b = va_add(&t.vm, 0x8000, 0x1000);
	c = va_add(&t.vm, 0x9000, 0x1000);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);
	gpuvm_get(&t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 5);
	gpuvm_put(&t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);

	/* split in place: one VA becomes two */
	prev = ts_va_new(0, 0, NULL, 0);
	next = ts_va_new(0, 0, NULL, 0);
	um.va = a;
	ck_assert_int_eq(gpuvm_va_remap(prev, next, &op), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 5);
	free(a);

	/* a piece outside the old VA takes the general path: two become two */
	far = ts_va_new(0, 0, NULL, 0);
	um.va = next;
	ck_assert_int_eq(gpuvm_va_remap(NULL, far, &(struct gpuvm_op_remap){
		.next = &(struct gpuvm_op_map){ .addr = 0x20000, .range = 0x1000 },
		.unmap = &um }), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 5);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	free(next);

	/* a remap without pieces only removes */
	um.va = b;
	ck_assert_int_eq(gpuvm_va_remap(NULL, NULL, &(struct gpuvm_op_remap){
		.unmap = &um }), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);
	free(b);

	/* the driver lets go first: the VAs keep the VM */
	gpuvm_put(&t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);
	gpuvm_va_remove(prev);
	gpuvm_va_remove(far);
	ck_assert_int_eq(t.freed, 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	/* the last VA's removal drops the last reference */
	gpuvm_va_remove(c);
	ck_assert_int_eq(t.freed, 1);
	ck_assert_int_eq(ts_warn_count(), 0);
	free(prev);
	free(far);
	free(c);
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
/* ------------------------------------------------------------------------ */
/* The map plan's insertion hint                                            */

/* Plan a map of [addr, addr + range) and return its single MAP op's map. */
static struct gpuvm_op_map plan_gap_map(struct gpuvm *vm, uint64_t addr,
					uint64_t range)
{
	struct gpuvm_map_req req = { .map = { .addr = addr, .range = range } };
	struct gpuvm_op_list list;
	struct gpuvm_op_map m;
	struct gpuvm_op *op;

	ck_assert_int_eq(gpuvm_sm_map_ops_create(vm, &req, &list), 0);
	op = gpuvm_list_first_entry(&list.ops, struct gpuvm_op, link);
	ck_assert_int_eq(op->type, GPUVM_OP_MAP);
	m = op->map;
	gpuvm_op_list_clear(vm, &list);
	return m;
}

/*
 * A map planned into a gap is inserted where the plan found the gap, at the
 * start, in the middle and at the end of the address space; a hint that no
 * longer fits (the tree changed, another address, a range that now overlaps
 * the next VA) is ignored and the insert searches as usual.
 */
START_TEST(test_map_hint)
{
	struct gpuvm_va *va[8], *extra, *spare;
	struct gpuvm_op_map m;
	struct ts_vm t;
	int i;

	/* empty tree, then before the first, at the end, in a gap */
	static const uint64_t at[] = { 0x8000, 0x2000, 0x20000, 0x10000, 0x0,
				       0xf000 };

	ts_vm_init(&t, 0, 0x100000, 0, 0, NULL);

	for (i = 0; i < 6; i++) {
		m = plan_gap_map(&t.vm, at[i], 0x1000);
		ck_assert_uint_eq(t.vm.tree.hint_gen, t.vm.tree.gen);
		ck_assert_uint_eq(t.vm.tree.hint_addr, at[i]);
		va[i] = ts_va_new(0, 0, NULL, 0);
		ck_assert_int_eq(gpuvm_va_map(&t.vm, va[i], &m), 0);
		ck_assert_int_eq(gpuvm_check(&t.vm), 0);
		ck_assert_ptr_eq(gpuvm_va_find(&t.vm, at[i], 0x1000), va[i]);
	}
	ck_assert_ptr_eq(t.vm.tree.first, va[4]);
	ck_assert_ptr_eq(gpuvm_va_next(va[4]), va[1]);
	ck_assert_ptr_eq(gpuvm_va_next(va[5]), va[3]);

	/* the tree changed after planning: the hint is stale */
	m = plan_gap_map(&t.vm, 0x30000, 0x1000);
	extra = ts_va_new(0x40000, 0x1000, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, extra), 0);
	ck_assert_uint_ne(t.vm.tree.hint_gen, t.vm.tree.gen);
	va[6] = ts_va_new(0, 0, NULL, 0);
	ck_assert_int_eq(gpuvm_va_map(&t.vm, va[6], &m), 0);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	ck_assert_ptr_eq(gpuvm_va_next(va[6]), extra);

	/* planned for one address, applied at another */
	m = plan_gap_map(&t.vm, 0x50000, 0x1000);
	m.addr = 0x3000;
	va[7] = ts_va_new(0, 0, NULL, 0);
	ck_assert_int_eq(gpuvm_va_map(&t.vm, va[7], &m), 0);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	ck_assert_ptr_eq(gpuvm_va_next(va[1]), va[7]);

	/* the range grew into the next VA */
	spare = ts_va_new(0, 0, NULL, 0);
	m = plan_gap_map(&t.vm, 0x9000, 0x1000);
	m.range = 0x7000;
	ck_assert_int_eq(gpuvm_va_map(&t.vm, spare, &m), -EEXIST);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	/*
	 * A hint naming the wrong neighbour (as a mix of two concurrent
	 * planners' hints could): the VA would land out of order or on top
	 * of its predecessor, so the insert searches instead.
	 */
	t.vm.tree.hint = va[3];			/* 0x10000, but 0x9000 fits before 0xf000 */
	t.vm.tree.hint_addr = 0x9000;
	t.vm.tree.hint_gen = t.vm.tree.gen;
	m.range = 0x1000;
	ck_assert_int_eq(gpuvm_va_map(&t.vm, spare, &m), 0);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	ck_assert_ptr_eq(gpuvm_va_next(va[0]), spare);
	ck_assert_ptr_eq(gpuvm_va_next(spare), va[5]);
	gpuvm_va_remove(spare);
	t.vm.tree.hint = NULL;			/* the end, but 0x9000 is not last */
	t.vm.tree.hint_addr = 0x9000;
	t.vm.tree.hint_gen = t.vm.tree.gen;
	ck_assert_int_eq(gpuvm_va_map(&t.vm, spare, &m), 0);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	ck_assert_ptr_eq(gpuvm_va_next(spare), va[5]);

	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

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

/* The default allocator zeroes small blocks by hand and large ones with calloc. */
START_TEST(test_default_zalloc)
{
	static const size_t sizes[] = { 1, 96, 1024, 1025, 65536 };
	size_t i, j;

	gpuvm_set_allocator(NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = gpuvm_zalloc(sizes[i]);

		ck_assert_ptr_nonnull(p);
		for (j = 0; j < sizes[i]; j++)
			ck_assert_uint_eq(p[j], 0);
		/* dirty it, so that the next block of the size may reuse it */
		memset(p, 0xa5, sizes[i]);
		gpuvm_free(p);
		p = gpuvm_zalloc(sizes[i]);
		ck_assert_ptr_nonnull(p);
		for (j = 0; j < sizes[i]; j++)
			ck_assert_uint_eq(p[j], 0);
		gpuvm_free(p);
	}
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
	tcase_add_loop_test(tc, test_va_references, 0, 2);
	tcase_add_test(tc, test_remap_refusals);
	tcase_add_test(tc, test_map_hint);
	tcase_add_test(tc, test_allocator_incomplete);
	tcase_add_test(tc, test_default_zalloc);
	tcase_add_test(tc, test_vm_bo_misuse);
	tcase_add_test(tc, test_prealloc_extra_reference);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(core_edges_suite());
}
