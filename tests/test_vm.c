// SPDX-License-Identifier: MIT
/*
 * VM basics: initialisation and its rejections, range validity (including
 * the 64-bit overflow edge), the reserved region, reference counting, VA
 * insertion and removal, lookups (with the kernel's find_prev/find_next
 * quirks and the strict variants), iteration, and small helpers.
 *
 * Cases 1-13 and 84 of docs/test-cases.md are marked "case N".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* The first address of a VM that ends one byte below 2^64 (case 3). */
#define TOP_START (UINT64_MAX - 4095)	/* 2^64 - 4096 */
#define TOP_RANGE 4095ull

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
	ck_assert_ptr_eq(va->vm, vm);
	return va;
}

/* Remove and free every VA, then drop the creator reference. */
static void vm_finish(struct ts_vm *t)
{
	ck_assert_int_eq(gpuvm_check(&t->vm), 0);
	ts_vm_drain(&t->vm);
	ck_assert_uint_eq(gpuvm_va_count(&t->vm), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t->vm), 1);
	ck_assert_int_eq(gpuvm_check(&t->vm), 0);
	ck_assert_int_eq(t->freed, 0);
	gpuvm_put(&t->vm);
	ck_assert_int_eq(t->freed, 1);
}

/* Number of VAs for_each_va visits (the reserved node included). */
static unsigned int walk_count(const struct gpuvm *vm)
{
	struct gpuvm_va *va;
	unsigned int n = 0;

	gpuvm_for_each_va(va, vm)
		n++;
	return n;
}

/* ------------------------------------------------------------------------ */
/* Init, range validity, reference counting                                 */

/* case 1 */
START_TEST(test_init_empty)
{
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ck_assert_uint_eq(t.vm.mm_start, 0);
	ck_assert_uint_eq(t.vm.mm_range, 100);
	ck_assert_ptr_eq(t.vm.ops, &ts_vm_ops);
	ck_assert_str_eq(t.vm.name, "test");
	ck_assert_ptr_null(t.vm.tree.first);
	ck_assert_uint_eq(walk_count(&t.vm), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert(gpuvm_interval_empty(&t.vm, 0, 100));
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 0);
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 0, 100));
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_init_name_and_r_obj)
{
	struct ts_vm t;
	struct ts_bo r;
	struct gpuvm_init_args args = {
		.name = NULL,
		.flags = GPUVM_RESV_PROTECTED,
		.start = 0x1000,
		.range = 0x10000,
		.ops = &ts_vm_ops,
	};

	ts_bo_init(&r, 1);
	args.r_obj = &r.base;
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(gpuvm_init(&t.vm, &args), 0);
	ck_assert_ptr_nonnull(t.vm.name);
	ck_assert_str_eq(t.vm.name, "unknown");
	ck_assert_uint_eq(t.vm.flags, GPUVM_RESV_PROTECTED);
	ck_assert_ptr_eq(t.vm.r_obj, &r.base);
	/* the VM holds a reference on its resv object */
	ck_assert_int_eq(r.refs, 2);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);

	ck_assert_ptr_eq(gpuvm_get(&t.vm), &t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	gpuvm_put(&t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert_int_eq(t.freed, 0);
	ck_assert_int_eq(r.refs, 2);

	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
	ck_assert_int_eq(r.refs, 1);
	/* NULL is ignored */
	gpuvm_put(NULL);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

static void expect_init_einval(const struct gpuvm_init_args *args)
{
	struct gpuvm vm, copy;

	memset(&vm, 0xa5, sizeof(vm));
	memcpy(&copy, &vm, sizeof(vm));
	ck_assert_int_eq(gpuvm_init(&vm, args), -EINVAL);
	/* a rejected init leaves the VM untouched */
	ck_assert(memcmp(&vm, &copy, sizeof(vm)) == 0);
}

START_TEST(test_init_rejections)
{
	static const struct gpuvm_ops no_free_ops = { 0 };
	struct gpuvm_init_args good = {
		.name = "bad",
		.start = 0,
		.range = 100,
		.ops = &ts_vm_ops,
	};
	struct gpuvm_init_args a;

	a = good;
	a.ops = NULL;
	expect_init_einval(&a);

	a = good;
	a.ops = &no_free_ops;
	expect_init_einval(&a);

	a = good;
	a.range = 0;
	expect_init_einval(&a);

	/* start + range overflows */
	a = good;
	a.start = UINT64_MAX - 5;
	a.range = 100;
	expect_init_einval(&a);
	/* an end of exactly 2^64 does not fit in 64 bits either */
	a = good;
	a.start = TOP_START;
	a.range = 4096;
	expect_init_einval(&a);

	/* the reserved region overflows */
	a = good;
	a.start = TOP_START;
	a.range = TOP_RANGE;
	a.reserve_start = UINT64_MAX - 5;
	a.reserve_range = 10;
	expect_init_einval(&a);

	/* the reserved region sticks out of the VA space */
	a = good;
	a.reserve_start = 95;
	a.reserve_range = 10;
	expect_init_einval(&a);
	a = good;
	a.reserve_start = 200;
	a.reserve_range = 10;
	expect_init_einval(&a);
	a = good;
	a.start = 10;
	a.reserve_start = 5;
	a.reserve_range = 10;
	expect_init_einval(&a);
	a = good;
	a.start = 10;
	a.reserve_start = 0;
	a.reserve_range = 5;
	expect_init_einval(&a);

	/* the good arguments do work, and a reserve filling the space too */
	{
		struct ts_vm t;

		memset(&t, 0, sizeof(t));
		ck_assert_int_eq(gpuvm_init(&t.vm, &good), 0);
		vm_finish(&t);
		ts_vm_init(&t, 10, 90, 10, 90, NULL);
		ck_assert_uint_eq(walk_count(&t.vm), 1);
		vm_finish(&t);
		ts_vm_init(&t, TOP_START, TOP_RANGE, UINT64_MAX - 16, 15,
			   NULL);
		ck_assert_uint_eq(walk_count(&t.vm), 1);
		vm_finish(&t);
	}
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 2 */
START_TEST(test_init_reserved)
{
	struct gpuvm_va *va, *res;
	struct ts_vm t;
	unsigned int n = 0;

	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	res = &t.vm.kernel_alloc_node;
	gpuvm_for_each_va(va, &t.vm) {
		ck_assert_ptr_eq(va, res);
		n++;
	}
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(res->addr, 90);
	ck_assert_uint_eq(res->range, 10);
	ck_assert_ptr_null(res->obj);
	/* the reserved node takes no VM reference and is not counted */
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 0);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 95, 1), res);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 0, 100), res);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 90, 10), res);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_va_remove(res);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 95, 1), res);
	ck_assert_ptr_eq(t.vm.tree.first, res);
	ck_assert_uint_eq(walk_count(&t.vm), 1);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	vm_finish(&t);
	/* tearing down a VM with a reserved region is no misuse */
	ck_assert_int_eq(ts_warn_count(), 1);
}
END_TEST

/* case 3 */
START_TEST(test_range_valid)
{
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ck_assert(gpuvm_range_valid(&t.vm, 10, 10));
	ck_assert(gpuvm_range_valid(&t.vm, 0, 100));
	ck_assert(gpuvm_range_valid(&t.vm, 99, 1));
	ck_assert(!gpuvm_range_valid(&t.vm, 99, 2));
	ck_assert(gpuvm_range_valid(&t.vm, 100, 0));
	ck_assert(!gpuvm_range_valid(&t.vm, 100, 1));
	ck_assert(!gpuvm_range_valid(&t.vm, 0, 101));
	ck_assert(!gpuvm_range_valid(&t.vm, UINT64_MAX, 2));
	vm_finish(&t);

	ts_vm_init(&t, 10, 100, 0, 0, NULL);
	ck_assert(!gpuvm_range_valid(&t.vm, 5, 10));
	ck_assert(!gpuvm_range_valid(&t.vm, 9, 1));
	ck_assert(gpuvm_range_valid(&t.vm, 10, 100));
	ck_assert(!gpuvm_range_valid(&t.vm, 10, 101));
	ck_assert(gpuvm_range_valid(&t.vm, 109, 1));
	vm_finish(&t);

	ts_vm_init(&t, TOP_START, TOP_RANGE, 0, 0, NULL);
	ck_assert(gpuvm_range_valid(&t.vm, UINT64_MAX - 15, 15));
	/* the end would be exactly 2^64 */
	ck_assert(!gpuvm_range_valid(&t.vm, UINT64_MAX - 15, 16));
	ck_assert(!gpuvm_range_valid(&t.vm, UINT64_MAX, 2));
	ck_assert(!gpuvm_range_valid(&t.vm, UINT64_MAX, 1));
	ck_assert(gpuvm_range_valid(&t.vm, TOP_START, TOP_RANGE));
	ck_assert(!gpuvm_range_valid(&t.vm, TOP_START - 1, 1));
	ck_assert(!gpuvm_range_valid(&t.vm, TOP_START, UINT64_MAX));
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 4 */
START_TEST(test_range_valid_reserved)
{
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 50, 10, NULL);
	ck_assert(gpuvm_range_valid(&t.vm, 40, 10));
	ck_assert(gpuvm_range_valid(&t.vm, 60, 5));
	ck_assert(!gpuvm_range_valid(&t.vm, 45, 10));
	ck_assert(!gpuvm_range_valid(&t.vm, 55, 1));
	ck_assert(!gpuvm_range_valid(&t.vm, 40, 30));
	ck_assert(!gpuvm_range_valid(&t.vm, 50, 10));
	ck_assert(!gpuvm_range_valid(&t.vm, 59, 1));
	ck_assert(gpuvm_range_valid(&t.vm, 0, 50));
	ck_assert(gpuvm_range_valid(&t.vm, 60, 40));
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Insert and remove                                                        */

/* case 5 */
START_TEST(test_insert)
{
	struct gpuvm_va *a, *b, *c, *d;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	a = ts_va_new(10, 10, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, a), 0);
	ck_assert_ptr_eq(a->vm, &t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);

	b = ts_va_new(15, 10, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, b), -EEXIST);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_ptr_null(b->vm);

	c = ts_va_new(95, 10, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, c), -EINVAL);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);

	/* touching is fine */
	d = ts_va_new(20, 10, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, d), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 2);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 10, 10), a);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 20, 10), d);
	ck_assert_ptr_eq(gpuvm_va_next(a), d);
	ck_assert_ptr_null(gpuvm_va_next(d));
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	/* a VA inside the first one, and one enclosing both */
	b->addr = 12;
	b->range = 2;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, b), -EEXIST);
	b->addr = 0;
	b->range = 50;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, b), -EEXIST);
	b->addr = 29;
	b->range = 1;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, b), -EEXIST);
	b->addr = 30;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, b), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	free(c);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 6 */
START_TEST(test_insert_reserved)
{
	struct gpuvm_va *va;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	va = ts_va_new(85, 10, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, va), -EINVAL);
	va->addr = 90;
	va->range = 5;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, va), -EINVAL);
	va->addr = 89;
	va->range = 2;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, va), -EINVAL);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 0);
	/* touching the reserved region is fine */
	va->addr = 80;
	va->range = 10;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, va), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_ptr_eq(gpuvm_va_next(va), &t.vm.kernel_alloc_node);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_insert_top_of_space)
{
	struct gpuvm_va *va, *bad;
	struct ts_vm t;

	ts_vm_init(&t, TOP_START, TOP_RANGE, 0, 0, NULL);
	bad = ts_va_new(UINT64_MAX, 1, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, bad), -EINVAL);
	bad->addr = UINT64_MAX - 15;
	bad->range = 16;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, bad), -EINVAL);
	va = va_add(&t.vm, UINT64_MAX - 15, 15);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, UINT64_MAX - 15, 1), va);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, UINT64_MAX - 15, 15), va);
	va_add(&t.vm, TOP_START, 16);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	free(bad);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_insert_twice)
{
	struct gpuvm_va *va;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	va = va_add(&t.vm, 10, 10);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, va), -EBUSY);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 10, 10), va);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 7 */
START_TEST(test_insert_order)
{
	static const uint64_t want[] = { 10, 30, 50 };
	struct gpuvm_va *va;
	struct ts_vm t;
	unsigned int i = 0;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	va_add(&t.vm, 50, 10);
	va_add(&t.vm, 10, 10);
	va_add(&t.vm, 30, 10);
	gpuvm_for_each_va(va, &t.vm) {
		ck_assert_uint_lt(i, 3);
		ck_assert_uint_eq(va->addr, want[i]);
		ck_assert_uint_eq(va->range, 10);
		i++;
	}
	ck_assert_uint_eq(i, 3);
	ck_assert_uint_eq(t.vm.tree.first->addr, 10);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 8 */
START_TEST(test_remove_reinsert)
{
	struct gpuvm_va *a, *b;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	a = va_add(&t.vm, 10, 10);
	b = va_add(&t.vm, 30, 10);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);

	gpuvm_va_remove(a);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_ptr_eq(a->vm, &t.vm);
	ck_assert_ptr_null(gpuvm_va_find(&t.vm, 10, 10));
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 0, 100), b);
	ck_assert_ptr_eq(t.vm.tree.first, b);
	ck_assert(gpuvm_interval_empty(&t.vm, 10, 10));
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	ck_assert_int_eq(gpuvm_va_insert(&t.vm, a), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 10, 10), a);
	ck_assert_ptr_eq(gpuvm_va_next(a), b);

	/* re-insert somewhere else after removal */
	gpuvm_va_remove(a);
	a->addr = 60;
	a->range = 5;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, a), 0);
	ck_assert_ptr_eq(gpuvm_va_next(b), a);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 60, 5), a);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_remove_not_inserted)
{
	struct gpuvm_va *never, *gone, *kept;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	kept = va_add(&t.vm, 10, 10);
	never = ts_va_new(40, 10, NULL, 0);
	gpuvm_va_remove(never);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);

	gone = va_add(&t.vm, 30, 10);
	gpuvm_va_remove(gone);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_int_eq(ts_warn_count(), 1);
	/* a second removal is misuse: warned, no reference dropped */
	gpuvm_va_remove(gone);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	ck_assert_ptr_eq(t.vm.tree.first, kept);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	free(never);
	free(gone);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 2);
}
END_TEST

/* case 13: the last put frees the VM exactly once */
START_TEST(test_last_put)
{
	struct gpuvm_va *va[3];
	struct ts_vm t;
	unsigned int i;

	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	for (i = 0; i < 3; i++)
		va[i] = va_add(&t.vm, 10 * i, 5);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);
	gpuvm_get(&t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 5);
	gpuvm_put(&t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);
	for (i = 0; i < 3; i++) {
		gpuvm_va_remove(va[i]);
		free(va[i]);
	}
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert_int_eq(t.freed, 0);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 13: an inserted VA keeps the VM alive */
START_TEST(test_va_holds_vm)
{
	struct gpuvm_va *va;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	va = va_add(&t.vm, 10, 10);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 10, 10), va);
	/* removing the last VA drops the last reference */
	gpuvm_va_remove(va);
	ck_assert_int_eq(t.freed, 1);
	free(va);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Lookups                                                                  */

/* case 9 */
START_TEST(test_find)
{
	struct gpuvm_va *a, *b;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	a = va_add(&t.vm, 10, 10);
	b = va_add(&t.vm, 30, 10);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 10, 10), a);
	ck_assert_ptr_null(gpuvm_va_find(&t.vm, 10, 5));
	ck_assert_ptr_null(gpuvm_va_find(&t.vm, 10, 11));
	ck_assert_ptr_null(gpuvm_va_find(&t.vm, 11, 9));
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 30, 10), b);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 15, 20), a);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 20, 20), b);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 19, 1), a);
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 20, 10));
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 20, 11), b);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 39, 100), b);
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 40, 60));
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 0, 10));
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 0, 11), a);
	/* no validation: a query beyond the VM just finds nothing */
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 1000, 10));
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* find_first with range 0 queries the inverted interval [addr, addr - 1] */
START_TEST(test_find_first_zero_range)
{
	struct gpuvm_va *a, *b;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	a = va_add(&t.vm, 10, 10);
	b = va_add(&t.vm, 30, 10);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 15, 0), a);
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 35, 0), b);
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 10, 0));
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 20, 0));
	ck_assert_ptr_null(gpuvm_va_find_first(&t.vm, 25, 0));
	ck_assert_ptr_eq(gpuvm_va_find_first(&t.vm, 0, 0), a);
	ck_assert_ptr_null(gpuvm_va_find(&t.vm, 15, 0));
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 10 */
START_TEST(test_find_prev)
{
	struct gpuvm_va *a, *b, *c;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	a = va_add(&t.vm, 10, 10);
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 20), a);
	ck_assert_ptr_eq(gpuvm_va_find_prev_strict(&t.vm, 20), a);
	/* start - 1 inside the VA: it is found, strict wants an exact end */
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 15), a);
	ck_assert_ptr_null(gpuvm_va_find_prev_strict(&t.vm, 15));
	ck_assert_ptr_null(gpuvm_va_find_prev(&t.vm, 25));
	ck_assert_ptr_null(gpuvm_va_find_prev_strict(&t.vm, 25));
	/* quirk: nothing covers start - 1, so the VA at start is returned */
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 10), a);
	ck_assert_ptr_null(gpuvm_va_find_prev_strict(&t.vm, 10));
	gpuvm_va_remove(a);
	free(a);

	b = va_add(&t.vm, 30, 10);
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 30), b);
	ck_assert_ptr_null(gpuvm_va_find_prev_strict(&t.vm, 30));
	ck_assert_ptr_eq(gpuvm_va_find_prev_strict(&t.vm, 40), b);
	ck_assert_ptr_null(gpuvm_va_find_prev(&t.vm, 0));
	ck_assert_ptr_null(gpuvm_va_find_prev_strict(&t.vm, 0));

	/* VA at 0: (start - 1, 1) is never valid for start 0 */
	c = va_add(&t.vm, 0, 5);
	ck_assert_ptr_null(gpuvm_va_find_prev(&t.vm, 0));
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 5), c);
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 1), c);
	vm_finish(&t);

	/* find_prev(mm_start) is NULL even though a VA starts there */
	ts_vm_init(&t, 10, 90, 0, 0, NULL);
	a = va_add(&t.vm, 10, 10);
	ck_assert_ptr_null(gpuvm_va_find_prev(&t.vm, 10));
	ck_assert_ptr_null(gpuvm_va_find_prev_strict(&t.vm, 10));
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 11), a);
	vm_finish(&t);

	/* start - 1 inside the reserved region: not a valid range */
	ts_vm_init(&t, 0, 100, 50, 10, NULL);
	a = va_add(&t.vm, 60, 10);
	ck_assert_ptr_null(gpuvm_va_find_prev(&t.vm, 60));
	ck_assert_ptr_null(gpuvm_va_find_prev(&t.vm, 55));
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, 61), a);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* case 11 */
START_TEST(test_find_next)
{
	struct gpuvm_va *a;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	a = va_add(&t.vm, 20, 10);
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, 20), a);
	ck_assert_ptr_eq(gpuvm_va_find_next_strict(&t.vm, 20), a);
	ck_assert_ptr_null(gpuvm_va_find_next(&t.vm, 30));
	ck_assert_ptr_null(gpuvm_va_find_next_strict(&t.vm, 30));
	/* straddling VA returned by the quirky form only */
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, 25), a);
	ck_assert_ptr_null(gpuvm_va_find_next_strict(&t.vm, 25));
	/* the one below the VA: [19, 20] reaches it */
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, 19), a);
	ck_assert_ptr_null(gpuvm_va_find_next_strict(&t.vm, 19));
	ck_assert_ptr_null(gpuvm_va_find_next(&t.vm, 18));
	gpuvm_va_remove(a);
	free(a);

	/* gap quirk: a VA starting at end + 1 is returned */
	a = va_add(&t.vm, 21, 9);
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, 20), a);
	ck_assert_ptr_null(gpuvm_va_find_next_strict(&t.vm, 20));
	ck_assert_ptr_eq(gpuvm_va_find_next_strict(&t.vm, 21), a);
	gpuvm_va_remove(a);
	free(a);

	/* (mm_end, 1) is never valid */
	a = va_add(&t.vm, 90, 10);
	ck_assert_ptr_null(gpuvm_va_find_next(&t.vm, 100));
	ck_assert_ptr_null(gpuvm_va_find_next_strict(&t.vm, 100));
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, 99), a);
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, 89), a);
	vm_finish(&t);

	/* (end, 1) inside the reserved region: NULL */
	ts_vm_init(&t, 0, 100, 50, 10, NULL);
	a = va_add(&t.vm, 40, 10);
	ck_assert_ptr_null(gpuvm_va_find_next(&t.vm, 55));
	ck_assert_ptr_null(gpuvm_va_find_next(&t.vm, 50));
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, 45), a);
	ck_assert_ptr_null(gpuvm_va_find_next(&t.vm, 60));
	vm_finish(&t);

	/* top of the 64-bit space */
	ts_vm_init(&t, TOP_START, TOP_RANGE, 0, 0, NULL);
	a = va_add(&t.vm, UINT64_MAX - 15, 15);
	ck_assert_ptr_null(gpuvm_va_find_next(&t.vm, UINT64_MAX));
	ck_assert_ptr_eq(gpuvm_va_find_next(&t.vm, UINT64_MAX - 1), a);
	ck_assert_ptr_eq(gpuvm_va_find_next_strict(&t.vm, UINT64_MAX - 15), a);
	ck_assert_ptr_eq(gpuvm_va_find_prev(&t.vm, UINT64_MAX), a);
	/* the VA ends at 2^64 - 1, the last address a VA can end at */
	ck_assert_ptr_eq(gpuvm_va_find_prev_strict(&t.vm, UINT64_MAX), a);
	ck_assert_ptr_null(gpuvm_va_find_prev_strict(&t.vm, UINT64_MAX - 1));
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Iteration                                                                */


/*
 * gpuvm_for_each_va() walks with a stack of its own: on random trees built
 * by random inserts and removals (every shape of rebalancing) it visits
 * exactly the chain of gpuvm_va_next() from the first VA; loops nest, and
 * a break leaves the cursor at the VA it broke at.
 */
START_TEST(test_for_each_va_walk)
{
	struct gpuvm_va *vas[300], *va, *inner, *chain;
	unsigned int seed = 4242, i, k, round, n, m;
	struct ts_vm t;

	ts_vm_init(&t, 0, 1ull << 40, 0, 0x1000, NULL);
	memset(vas, 0, sizeof(vas));
	/* the empty VM still holds the reserved VA */
	n = 0;
	gpuvm_for_each_va(va, &t.vm)
		n++;
	ck_assert_uint_eq(n, 1);
	for (round = 0; round < 40; round++) {
		for (k = 0; k < 60; k++) {
			i = (unsigned int)rand_r(&seed) % 300;
			if (vas[i]) {
				gpuvm_va_remove(vas[i]);
				free(vas[i]);
				vas[i] = NULL;
			} else {
				vas[i] = ts_va_new(0x1000 + (uint64_t)i * 0x2000,
						   0x1000, NULL, 0);
				ck_assert_int_eq(gpuvm_va_insert(&t.vm, vas[i]), 0);
			}
		}
		chain = t.vm.tree.first;
		n = 0;
		gpuvm_for_each_va(va, &t.vm) {
			ck_assert_ptr_eq(va, chain);
			chain = gpuvm_va_next(chain);
			/* a nested walk over the same tree */
			m = 0;
			gpuvm_for_each_va(inner, &t.vm)
				m++;
			ck_assert_uint_eq(m, gpuvm_va_count(&t.vm) + 1);
			n++;
		}
		ck_assert_ptr_null(va);
		ck_assert_ptr_null(chain);
		/* the reserved VA is walked too, not counted */
		ck_assert_uint_eq(n, gpuvm_va_count(&t.vm) + 1);

		/* break at the n/2-th VA */
		k = 0;
		gpuvm_for_each_va(va, &t.vm) {
			if (k++ == n / 2)
				break;
		}
		for (chain = t.vm.tree.first, k = 0; k < n / 2; k++)
			chain = gpuvm_va_next(chain);
		ck_assert_ptr_eq(va, chain);

		/*
		 * Range walks against gpuvm_va_find_first() and the next
		 * links, empty, crossed and wrapped ranges included.
		 */
		for (k = 0; k < 20; k++) {
			uint64_t s = (uint64_t)rand_r(&seed) % 0x260000;
			uint64_t e = s + (uint64_t)rand_r(&seed) % 0x40000;

			if (k == 0)
				e = s;
			else if (k == 1)
				e = s / 2;
			else if (k == 2)
				e = 0;
			else if (k == 3)
				s = 0;
			chain = gpuvm_va_find_first(&t.vm, s, e - s);
			m = 0;
			gpuvm_for_each_va_range(va, &t.vm, s, e) {
				ck_assert_ptr_eq(va, chain);
				chain = gpuvm_va_next(chain);
				m++;
			}
			/* the cursor stops where the links do */
			if (m)
				ck_assert_ptr_eq(va, chain);
			else
				ck_assert(!chain || chain->addr >= e);
			ck_assert(!va || va->addr >= e);
		}
	}
	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
}
END_TEST

/* case 12 */
START_TEST(test_for_each_va_range)
{
	struct gpuvm_va *a, *b, *va;
	struct ts_vm t;
	unsigned int n = 0;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	a = va_add(&t.vm, 10, 10);
	b = va_add(&t.vm, 20, 10);
	va_add(&t.vm, 35, 5);
	gpuvm_for_each_va_range(va, &t.vm, 15, 35) {
		ck_assert_ptr_eq(va, n == 0 ? a : b);
		n++;
	}
	ck_assert_uint_eq(n, 2);

	n = 0;
	gpuvm_for_each_va_range(va, &t.vm, 30, 35)
		n++;
	ck_assert_uint_eq(n, 0);
	n = 0;
	gpuvm_for_each_va_range(va, &t.vm, 0, 100)
		n++;
	ck_assert_uint_eq(n, 3);
	vm_finish(&t);

	/* the reserved region is visited when it intersects */
	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	a = va_add(&t.vm, 80, 10);
	n = 0;
	gpuvm_for_each_va_range(va, &t.vm, 85, 95) {
		ck_assert_ptr_eq(va, n == 0 ? a : &t.vm.kernel_alloc_node);
		n++;
	}
	ck_assert_uint_eq(n, 2);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_for_each_va_safe_remove_all)
{
	struct gpuvm_va *va, *next;
	struct ts_vm t;
	uint64_t last = 0;
	unsigned int i, n = 0;

	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	for (i = 0; i < 8; i++)
		va_add(&t.vm, (7 - i) * 10, 2 + i);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 8);
	gpuvm_for_each_va_safe(va, next, &t.vm) {
		if (va == &t.vm.kernel_alloc_node)
			continue;
		ck_assert_uint_ge(va->addr, last);
		last = va->addr;
		gpuvm_va_remove(va);
		/* poison the VA before freeing it to catch any later use */
		memset(va, 0xcc, sizeof(*va));
		free(va);
		n++;
	}
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 0);
	ck_assert_uint_eq(walk_count(&t.vm), 1);
	ck_assert_ptr_eq(t.vm.tree.first, &t.vm.kernel_alloc_node);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	vm_finish(&t);

	/* without a reserved region the VM ends up empty */
	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	for (i = 0; i < 5; i++)
		va_add(&t.vm, i * 20, 10);
	n = 0;
	gpuvm_for_each_va_safe(va, next, &t.vm) {
		gpuvm_va_remove(va);
		free(va);
		n++;
	}
	ck_assert_uint_eq(n, 5);
	ck_assert_ptr_null(t.vm.tree.first);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_for_each_va_range_safe)
{
	static const uint64_t visit[] = { 10, 20, 30 };
	static const uint64_t final[][2] = {
		{ 0, 5 }, { 10, 5 }, { 25, 5 }, { 36, 2 }, { 60, 10 },
		{ 90, 5 },
	};
	struct gpuvm_va *va, *next;
	struct ts_vm t;
	unsigned int i, n = 0;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	va_add(&t.vm, 10, 10);
	va_add(&t.vm, 20, 10);
	va_add(&t.vm, 30, 10);
	va_add(&t.vm, 60, 10);
	gpuvm_for_each_va_range_safe(va, next, &t.vm, 15, 45) {
		ck_assert_uint_lt(n, 3);
		ck_assert_uint_eq(va->addr, visit[n]);
		gpuvm_va_remove(va);
		free(va);
		switch (n) {
		case 0:
			/* a piece where the removed VA was, one far below */
			va_add(&t.vm, 10, 5);
			va_add(&t.vm, 0, 5);
			break;
		case 1:
			/* between the current VA and the prefetched next */
			va_add(&t.vm, 25, 5);
			break;
		case 2:
			/* inside the walked range, and far above it */
			va_add(&t.vm, 36, 2);
			va_add(&t.vm, 90, 5);
			break;
		}
		ck_assert_int_eq(gpuvm_check(&t.vm), 0);
		n++;
	}
	ck_assert_uint_eq(n, 3);
	i = 0;
	gpuvm_for_each_va(va, &t.vm) {
		ck_assert_uint_lt(i, 6);
		ck_assert_uint_eq(va->addr, final[i][0]);
		ck_assert_uint_eq(va->range, final[i][1]);
		i++;
	}
	ck_assert_uint_eq(i, 6);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 6);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 7);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

START_TEST(test_interval_empty)
{
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	va_add(&t.vm, 10, 10);
	ck_assert(gpuvm_interval_empty(&t.vm, 0, 10));
	ck_assert(!gpuvm_interval_empty(&t.vm, 0, 11));
	ck_assert(!gpuvm_interval_empty(&t.vm, 19, 1));
	ck_assert(!gpuvm_interval_empty(&t.vm, 12, 3));
	ck_assert(!gpuvm_interval_empty(&t.vm, 5, 50));
	ck_assert(gpuvm_interval_empty(&t.vm, 20, 70));
	/* the reserved region counts as occupied */
	ck_assert(gpuvm_interval_empty(&t.vm, 85, 5));
	ck_assert(!gpuvm_interval_empty(&t.vm, 85, 6));
	ck_assert(!gpuvm_interval_empty(&t.vm, 95, 1));
	ck_assert(!gpuvm_interval_empty(&t.vm, 0, 100));
	/* no validation */
	ck_assert(gpuvm_interval_empty(&t.vm, 200, 10));
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_va_count)
{
	struct gpuvm_va *a;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 0);
	a = va_add(&t.vm, 10, 10);
	va_add(&t.vm, 30, 10);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 2);
	ck_assert_uint_eq(walk_count(&t.vm), 3);
	gpuvm_va_remove(a);
	free(a);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	ck_assert_uint_eq(walk_count(&t.vm), 2);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

START_TEST(test_err_name)
{
	ck_assert_str_eq(gpuvm_err_name(-EINVAL), "EINVAL");
	ck_assert_str_eq(gpuvm_err_name(EINVAL), "EINVAL");
	ck_assert_str_eq(gpuvm_err_name(-ENOMEM), "ENOMEM");
	ck_assert_str_eq(gpuvm_err_name(ENOMEM), "ENOMEM");
	ck_assert_str_eq(gpuvm_err_name(-EEXIST), "EEXIST");
	ck_assert_str_eq(gpuvm_err_name(-EBUSY), "EBUSY");
	ck_assert_str_eq(gpuvm_err_name(123456), "EUNKNOWN");
	ck_assert_str_eq(gpuvm_err_name(-123456), "EUNKNOWN");
}
END_TEST

START_TEST(test_invalidate)
{
	struct gpuvm_va va;

	memset(&va, 0, sizeof(va));
	ck_assert(!gpuvm_va_invalidated(&va));
	gpuvm_va_invalidate(&va, true);
	ck_assert(gpuvm_va_invalidated(&va));
	ck_assert_uint_eq(va.flags, GPUVM_VA_INVALIDATED);
	gpuvm_va_invalidate(&va, true);
	ck_assert(gpuvm_va_invalidated(&va));
	gpuvm_va_invalidate(&va, false);
	ck_assert(!gpuvm_va_invalidated(&va));
	ck_assert_uint_eq(va.flags, 0);

	/* the other bits are left alone */
	va.flags = GPUVM_VA_SPARSE | GPUVM_VA_USERBITS;
	gpuvm_va_invalidate(&va, true);
	ck_assert_uint_eq(va.flags, GPUVM_VA_SPARSE | GPUVM_VA_USERBITS |
			  GPUVM_VA_INVALIDATED);
	gpuvm_va_invalidate(&va, false);
	ck_assert_uint_eq(va.flags, GPUVM_VA_SPARSE | GPUVM_VA_USERBITS);
	ck_assert(!gpuvm_va_invalidated(&va));
}
END_TEST

/* ------------------------------------------------------------------------ */
/* case 84: range 0 is rejected everywhere a request is made                */

static int zero_steps;

static void zero_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct ts_vm, vm)->freed++;
}

static int zero_step(struct gpuvm_op *op, void *priv)
{
	(void)op;
	(void)priv;
	zero_steps++;
	return 0;
}

static const struct gpuvm_ops zero_ops = {
	.vm_free = zero_vm_free,
	.sm_step_map = zero_step,
	.sm_step_remap = zero_step,
	.sm_step_unmap = zero_step,
};

START_TEST(test_zero_range)
{
	struct gpuvm_map_req req = { .map = { .addr = 15, .range = 0 } };
	struct gpuvm_op_list list;
	struct gpuvm_va *a, *z;
	struct ts_vm t;

	ts_vm_init(&t, 0, 100, 0, 0, &zero_ops);
	a = va_add(&t.vm, 10, 10);

	z = ts_va_new(50, 0, NULL, 0);
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, z), -EINVAL);
	z->addr = 15;
	ck_assert_int_eq(gpuvm_va_insert(&t.vm, z), -EINVAL);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);

	gpuvm_op_list_init(&list);
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&t.vm, &req, &list), -EINVAL);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 15, 0, &list),
			 -EINVAL);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_int_eq(gpuvm_madvise_ops_create(&t.vm, &req, &list),
			 -EINVAL);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_int_eq(gpuvm_prefetch_ops_create(&t.vm, 15, 0, &list),
			 -EINVAL);
	ck_assert(gpuvm_list_empty(&list.ops));

	ck_assert_int_eq(gpuvm_sm_map(&t.vm, NULL, &req), -EINVAL);
	ck_assert_int_eq(gpuvm_sm_unmap(&t.vm, NULL, 15, 0), -EINVAL);
	req.map.addr = 40;
	ck_assert_int_eq(gpuvm_sm_map(&t.vm, NULL, &req), -EINVAL);
	ck_assert_int_eq(gpuvm_sm_unmap(&t.vm, NULL, 40, 0), -EINVAL);
	ck_assert_int_eq(zero_steps, 0);

	/* nothing changed */
	ck_assert_ptr_eq(t.vm.tree.first, a);
	ck_assert_ptr_null(gpuvm_va_next(a));
	ck_assert_uint_eq(a->addr, 10);
	ck_assert_uint_eq(a->range, 10);
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	/* the same planners accept a real request (the callbacks are there) */
	req.map.range = 5;
	ck_assert_int_eq(gpuvm_sm_map(&t.vm, NULL, &req), 0);
	ck_assert_int_eq(zero_steps, 1);

	free(z);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

/* gpuvm_check() on a VM with a mix of VAs, after removals in the middle */
START_TEST(test_check_valid)
{
	struct gpuvm_va *va[40];
	struct ts_vm t;
	unsigned int i;

	ts_vm_init(&t, 0x1000, 0x100000, 0x80000, 0x1000, NULL);
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	for (i = 0; i < 40; i++) {
		/* interleave from both ends to vary the tree's shape */
		uint64_t slot = (i & 1) ? 39 - i / 2 : i / 2;

		va[i] = va_add(&t.vm, 0x1000 + slot * 0x2000, 0x1000 + i);
		ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	}
	for (i = 0; i < 40; i += 3) {
		gpuvm_va_remove(va[i]);
		free(va[i]);
		ck_assert_int_eq(gpuvm_check(&t.vm), 0);
	}
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 40 - 14);
	vm_finish(&t);
	ck_assert_int_eq(ts_warn_count(), 0);
}
END_TEST

static Suite *vm_suite(void)
{
	Suite *s = suite_create("vm");
	TCase *tc;

	tc = tcase_create("init");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_empty);
	tcase_add_test(tc, test_init_name_and_r_obj);
	tcase_add_test(tc, test_init_rejections);
	tcase_add_test(tc, test_init_reserved);
	tcase_add_test(tc, test_range_valid);
	tcase_add_test(tc, test_range_valid_reserved);
	tcase_add_test(tc, test_last_put);
	tcase_add_test(tc, test_va_holds_vm);
	suite_add_tcase(s, tc);

	tc = tcase_create("insert");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_insert);
	tcase_add_test(tc, test_insert_reserved);
	tcase_add_test(tc, test_insert_top_of_space);
	tcase_add_test(tc, test_insert_twice);
	tcase_add_test(tc, test_insert_order);
	tcase_add_test(tc, test_remove_reinsert);
	tcase_add_test(tc, test_remove_not_inserted);
	tcase_add_test(tc, test_zero_range);
	tcase_add_test(tc, test_check_valid);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_find_first_zero_range);
	tcase_add_test(tc, test_find_prev);
	tcase_add_test(tc, test_find_next);
	tcase_add_test(tc, test_interval_empty);
	tcase_add_test(tc, test_va_count);
	suite_add_tcase(s, tc);

	tc = tcase_create("iterate");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_for_each_va_range);
	tcase_add_test(tc, test_for_each_va_safe_remove_all);
	tcase_add_test(tc, test_for_each_va_range_safe);
	tcase_add_test(tc, test_for_each_va_walk);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_err_name);
	tcase_add_test(tc, test_invalidate);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	/* Single-threaded tests: they link VAs without taking the objects'
	 * locks; tests/test_vm_bo_modes.c covers the lock checks. */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(vm_suite());
}
