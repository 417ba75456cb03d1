// SPDX-License-Identifier: MIT
/*
 * The tree's finger: what the last insert or removal left known about its
 * neighbourhood, which answers the planner's next lookup without a descent.
 * Every lookup the planner makes must give what a linear scan gives, with
 * the finger in every state: after inserts (plain, hinted, after an anchor
 * with and without a right child), REMAP replacements, removals of runs in
 * order and out of order, the last VA removed, and a stale finger.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "support.h"

#define PG 0x1000ull

/* The first VA of @vm ending above @addr, by a walk over all of them. */
static struct gpuvm_va *scan_first_ending_after(struct gpuvm *vm, uint64_t addr)
{
	struct gpuvm_va *va;

	gpuvm_for_each_va(va, vm)
		if (va->addr + va->range > addr)
			return va;
	return NULL;
}

/*
 * The planner's lookup seen from outside: the first op of an unmap plan of
 * [addr, addr + PG) names the first VA ending above addr, if it starts
 * below addr + PG.
 */
static void check_lookup(struct gpuvm *vm, uint64_t addr)
{
	struct gpuvm_va *want = scan_first_ending_after(vm, addr);
	struct gpuvm_op_list list;
	struct gpuvm_op *op;

	if (want && want == &vm->kernel_alloc_node)
		return;		/* the plan refuses the reserved region */
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(vm, addr, PG, &list), 0);
	if (!want || want->addr >= addr + PG) {
		ck_assert(gpuvm_list_empty(&list.ops));
	} else {
		op = gpuvm_list_first_entry(&list.ops, struct gpuvm_op, link);
		ck_assert_ptr_eq(op->type == GPUVM_OP_UNMAP ? op->unmap.va :
				 op->remap.unmap->va, want);
	}
	gpuvm_op_list_clear(vm, &list);
}

/* Probe every page of [lo, hi) and the addresses around the finger. */
static void check_all(struct gpuvm *vm, uint64_t lo, uint64_t hi)
{
	uint64_t a;

	ck_assert_int_eq(gpuvm_check(vm), 0);
	for (a = lo; a < hi; a += PG)
		check_lookup(vm, a);
}

/* Apply a plan the simple way: new VAs from the heap, old ones freed. */
static void apply(struct gpuvm *vm, struct gpuvm_op_list *list)
{
	struct gpuvm_op *op;

	gpuvm_op_list_for_each(op, list) {
		if (op->type == GPUVM_OP_MAP) {
			ck_assert_int_eq(gpuvm_va_map(vm, ts_va_new(0, 0, NULL, 0),
						      &op->map), 0);
		} else if (op->type == GPUVM_OP_REMAP) {
			struct gpuvm_va *old = op->remap.unmap->va;

			ck_assert_int_eq(gpuvm_va_remap(
				op->remap.prev ? ts_va_new(0, 0, NULL, 0) : NULL,
				op->remap.next ? ts_va_new(0, 0, NULL, 0) : NULL,
				&op->remap), 0);
			free(old);
		} else {
			struct gpuvm_va *old = op->unmap.va;

			gpuvm_va_unmap(&op->unmap);
			free(old);
		}
	}
}

static void map(struct gpuvm *vm, uint64_t addr, uint64_t range)
{
	struct gpuvm_map_req req = { .map = { .addr = addr, .range = range } };
	struct gpuvm_op_list list;

	ck_assert_int_eq(gpuvm_sm_map_ops_create(vm, &req, &list), 0);
	apply(vm, &list);
	gpuvm_op_list_clear(vm, &list);
}

static void unmap(struct gpuvm *vm, uint64_t addr, uint64_t range)
{
	struct gpuvm_op_list list;

	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(vm, addr, range, &list), 0);
	apply(vm, &list);
	gpuvm_op_list_clear(vm, &list);
}

/*
 * Runs of VAs mapped in address order, unmapped in one request, mapped back,
 * split in the middle and at the edges, the last VA of the tree removed:
 * after every request every page's lookup agrees with the scan.
 */
START_TEST(test_finger_in_order)
{
	struct ts_vm t;
	int i;

	ts_vm_init(&t, 0, 0x100000, 0, 0, NULL);
	check_all(&t.vm, 0, 0x50000);		/* empty tree */
	for (i = 0; i < 16; i++) {
		map(&t.vm, 0x10000 + i * 2 * PG, PG);	/* a gap after each */
		check_all(&t.vm, 0xe000, 0x34000);
	}
	unmap(&t.vm, 0x14000, 0x8000);			/* a run in the middle */
	check_all(&t.vm, 0xe000, 0x34000);
	for (i = 2; i < 6; i++) {			/* mapped back in order */
		map(&t.vm, 0x10000 + i * 2 * PG, PG);
		check_all(&t.vm, 0xe000, 0x34000);
	}
	map(&t.vm, 0x40000, 0x8000);			/* the new last VA */
	check_all(&t.vm, 0x3e000, 0x4a000);
	map(&t.vm, 0x42000, PG);			/* REMAP prev + next, MAP */
	check_all(&t.vm, 0x3e000, 0x4a000);
	unmap(&t.vm, 0x42000, PG);
	check_all(&t.vm, 0x3e000, 0x4a000);
	map(&t.vm, 0x40000, PG);			/* REMAP next only */
	check_all(&t.vm, 0x3e000, 0x4a000);
	map(&t.vm, 0x47000, PG);			/* REMAP prev only */
	check_all(&t.vm, 0x3e000, 0x4a000);
	unmap(&t.vm, 0x3f000, 0x10000);			/* the tree's end goes */
	check_all(&t.vm, 0x2e000, 0x4a000);
	unmap(&t.vm, 0, 0x100000);			/* everything */
	check_all(&t.vm, 0, 0x50000);

	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/*
 * Random requests, most starting where the previous one ended (the case the
 * finger serves), some anywhere, some in descending order; with a reserved
 * region.  Every page's lookup is checked after every request.
 */
START_TEST(test_finger_random)
{
	const uint64_t span = 0x80000;
	uint64_t next = 0x10000;
	unsigned int seed = 12345;
	struct ts_vm t;
	int i;

	ts_vm_init(&t, 0, span, 0x40000, 0x4000, NULL);
	for (i = 0; i < 600; i++) {
		unsigned int r = (unsigned int)rand_r(&seed);
		uint64_t addr = r % 4 ? next : (uint64_t)(rand_r(&seed) % (span / PG)) * PG;
		uint64_t range = (1 + (uint64_t)(rand_r(&seed) % 6)) * PG;

		if (r % 7 == 0 && addr >= 3 * range)
			addr -= 3 * range;		/* going down */
		if (addr + range > span)
			addr = span - range;
		if (!gpuvm_range_valid(&t.vm, addr, range))
			continue;
		if (r & 0x100)
			unmap(&t.vm, addr, range);
		else
			map(&t.vm, addr, range);
		next = addr + range + (r & 0x200 ? PG : 0);
		if (next >= span)
			next = 0x1000;
		check_all(&t.vm, addr > 0x8000 ? addr - 0x8000 : 0,
			  addr + range + 0x8000 < span ? addr + range + 0x8000 : span);
	}
	check_all(&t.vm, 0, span);

	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/* Does [addr, addr + range) intersect a VA of @vm?  By a scan. */
static bool scan_overlaps(struct gpuvm *vm, uint64_t addr, uint64_t range)
{
	struct gpuvm_va *va;

	gpuvm_for_each_va(va, vm)
		if (va->addr < addr + range && addr < va->addr + va->range)
			return true;
	return false;
}

/*
 * gpuvm_va_insert() takes the successor from the finger when the last
 * change left it known: right after random requests, VAs of one or two
 * pages are inserted at every page around the change (free or not); each
 * insert must give what a scan says (0 or -EEXIST) and keep the tree
 * sorted and balanced, and is then removed again.
 */
START_TEST(test_finger_insert)
{
	const uint64_t span = 0x40000;
	unsigned int seed = 777;
	struct gpuvm_va *va;
	struct ts_vm t;
	uint64_t a, lo, hi, n;
	int i, want;

	ts_vm_init(&t, 0, span, 0, 0, NULL);
	for (i = 0; i < 300; i++) {
		uint64_t addr = (uint64_t)(rand_r(&seed) % (span / PG - 8)) * PG;
		uint64_t range = (1 + (uint64_t)(rand_r(&seed) % 6)) * PG;
		bool unmapping = rand_r(&seed) % 3 == 0;

		lo = addr > 3 * PG ? addr - 3 * PG : 0;
		hi = addr + range + 3 * PG;
		for (a = lo; a < hi; a += PG) {
			n = (1 + (a / PG + (uint64_t)i) % 2) * PG;
			/* the request again: its finger, not the last probe's */
			map(&t.vm, addr, range);
			if (unmapping)
				unmap(&t.vm, addr, range);
			want = scan_overlaps(&t.vm, a, n) ? -EEXIST : 0;
			va = ts_va_new(a, n, NULL, 0);
			ck_assert_int_eq(gpuvm_va_insert(&t.vm, va), want);
			ck_assert_int_eq(gpuvm_check(&t.vm), 0);
			if (want == 0) {
				ck_assert_ptr_eq(gpuvm_va_find(&t.vm, a, n), va);
				gpuvm_va_remove(va);
			}
			free(va);
		}
	}
	check_all(&t.vm, 0, span);

	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/* A finger left by a change that is no longer the last is never used. */
START_TEST(test_finger_stale)
{
	struct gpuvm_va *a, *b;
	struct ts_vm t;

	ts_vm_init(&t, 0, 0x100000, 0, 0, NULL);
	a = ts_va_new(0x10000, PG, NULL, 0);
	b = ts_va_new(0x20000, PG, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, a), 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, b), 0);
	ck_assert_uint_eq(t.vm.tree.finger_gen, t.vm.tree.gen);
	ck_assert_ptr_eq(t.vm.tree.finger, b);
	/* as if a change had not recorded one: the lookups descend */
	t.vm.tree.finger_gen = t.vm.tree.gen + 2;
	check_all(&t.vm, 0, 0x30000);
	/* and a planned map is inserted without the finger's predecessor */
	map(&t.vm, 0x18000, PG);
	check_all(&t.vm, 0, 0x30000);
	t.vm.tree.finger_gen = t.vm.tree.gen + 2;
	map(&t.vm, 0x14000, PG);
	check_all(&t.vm, 0, 0x30000);
	unmap(&t.vm, 0x14000, 0x5000);
	gpuvm_va_remove(a);
	ck_assert_ptr_eq(t.vm.tree.finger, b);
	ck_assert_uint_eq(t.vm.tree.finger_lo, 0x10000);
	check_all(&t.vm, 0, 0x30000);
	free(a);

	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

static Suite *finger_suite(void)
{
	Suite *s = suite_create("finger");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_finger_in_order);
	tcase_add_test(tc, test_finger_random);
	tcase_add_test(tc, test_finger_stale);
	tcase_add_test(tc, test_finger_insert);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(finger_suite());
}
