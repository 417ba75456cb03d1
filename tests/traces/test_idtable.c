// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay's table of objects by id (tools/replay/idtable.c), in
 * process: lookups through growth of the array and of the hash table, ids
 * that share a home slot, ids hashed before the array grew past them, the
 * key at an offset inside the object, every object at one position, and
 * the three allocation failures (nothing changes).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "../support.h"
#include "idtable.h"

struct obj {
	char pad[24];
	uint64_t id;
};

/* @n objects with ids @stride apart from @first, each inserted once */
static struct obj *fill(struct id_table *t, size_t n, uint64_t first,
			uint64_t stride)
{
	struct obj *o = calloc(n, sizeof(*o));
	size_t i;

	ck_assert_ptr_nonnull(o);
	for (i = 0; i < n; i++) {
		o[i].id = first + i * stride;
		REQ_INT(id_table_insert(t, &o[i]), 0);
		REQ_INT(t->count, i + 1);
		/* the hash at most three quarters full, whatever the growth */
		REQUIRE(4 * t->hashed <= 3 * (t->mask + 1));
		/* the array within twice its bound (it doubles) */
		REQUIRE(t->dense_len <= 2 * (2 * t->count + 64));
	}
	return o;
}

/* Every object at exactly one position, and the count right. */
static void check_positions(const struct id_table *t)
{
	size_t i, n = 0;
	struct obj *o;

	for (i = 0; i < id_table_positions(t); i++) {
		o = id_table_at(t, i);
		if (!o)
			continue;
		REQ_PTR(id_table_lookup(t, o->id), o);
		n++;
	}
	REQ_INT(n, t->count);
}

START_TEST(test_lookup_through_growth)
{
	static const uint64_t strides[] = { 1, 0x1000, 1ull << 32, 0x9e37 };
	size_t s, i;

	for (s = 0; s < sizeof(strides) / sizeof(strides[0]); s++) {
		struct id_table t;
		struct obj *o;

		ck_assert_int_eq(id_table_init(&t, offsetof(struct obj, id), 4),
				 0);
		ck_assert_uint_eq(t.mask, 3);
		ck_assert_ptr_null(id_table_lookup(&t, 7));
		o = fill(&t, 5000, 1, strides[s]);
		if (strides[s] == 1) {
			/* dense ids: all in the array, the hash untouched */
			ck_assert_uint_eq(t.hashed, 0);
			ck_assert_uint_eq(t.mask, 3);
			ck_assert_uint_eq(t.dense_len, 8192);
		} else {
			/* id 1 in the array; 4999 hashed need 8192 slots */
			ck_assert_uint_eq(t.hashed, 4999);
			ck_assert_uint_eq(t.mask + 1, 8192);
		}
		for (i = 0; i < 5000; i++)
			REQ_PTR(id_table_lookup(&t, o[i].id), &o[i]);
		/* between and beyond the ids: none */
		for (i = 0; i < 5000; i++)
			if (strides[s] > 1)
				REQ_PTR(id_table_lookup(&t, o[i].id + 1), NULL);
		ck_assert_ptr_null(id_table_lookup(&t, 0));
		ck_assert_ptr_null(id_table_lookup(&t, UINT64_MAX));
		check_positions(&t);
		id_table_fini(&t);
		ck_assert_ptr_null(t.slots);
		free(o);
	}
}
END_TEST

/*
 * Ids hashed while beyond the array's bound stay found once the array
 * grows past them: a lookup that finds nothing in the array asks the hash.
 */
START_TEST(test_hashed_then_covered)
{
	static struct obj o[1001];
	struct id_table t;
	size_t i;

	ck_assert_int_eq(id_table_init(&t, offsetof(struct obj, id), 4), 0);
	for (i = 0; i < 3; i++) {
		o[i].id = 500 + 100 * i;	/* 500, 600, 700: hashed */
		ck_assert_int_eq(id_table_insert(&t, &o[i]), 0);
	}
	ck_assert_uint_eq(t.hashed, 3);
	for (i = 3; i < 1001; i++) {
		/* then 1..998 without those three, into the array */
		o[i].id = i - 2;
		if (o[i].id == 500 || o[i].id == 600 || o[i].id == 700)
			o[i].id += 1000;
		ck_assert_int_eq(id_table_insert(&t, &o[i]), 0);
	}
	ck_assert_uint_ge(t.dense_len, 999);
	ck_assert_uint_eq(t.count, 1001);
	for (i = 0; i < 1001; i++)
		REQ_PTR(id_table_lookup(&t, o[i].id), &o[i]);
	ck_assert_ptr_null(id_table_lookup(&t, 0));
	ck_assert_ptr_null(id_table_lookup(&t, 999));
	ck_assert_ptr_null(id_table_lookup(&t, 1ull << 40));
	check_positions(&t);
	id_table_fini(&t);
	ck_assert_ptr_null(t.dense);
}
END_TEST

START_TEST(test_allocation_failures)
{
	struct id_table t, before;
	struct obj o = { .id = 42 };
	void *slot = NULL;

	/* more slots than size_t can count bytes of: -ENOMEM, nothing held */
	ck_assert_int_eq(id_table_init(&t, offsetof(struct obj, id),
				       (SIZE_MAX >> 2) + 1), -ENOMEM);

	/*
	 * A full table that cannot double (its size would not fit in
	 * size_t): the insert fails and the table is as it was.
	 */
	t.slots = &slot;
	t.mask = (SIZE_MAX >> 3);
	t.hashed = (t.mask + 1) / 4 * 3;
	t.count = t.hashed;
	t.dense = NULL;
	t.dense_len = 0;
	t.key = offsetof(struct obj, id);
	o.id = UINT64_MAX;	/* far beyond the array's bound: hashed */
	before = t;
	ck_assert_int_eq(id_table_insert(&t, &o), -ENOMEM);
	ck_assert_ptr_eq(t.slots, before.slots);
	ck_assert_uint_eq(t.mask, before.mask);
	ck_assert_uint_eq(t.count, before.count);
	ck_assert_uint_eq(t.hashed, before.hashed);
	ck_assert_ptr_null(t.dense);
	ck_assert_ptr_null(slot);

	/*
	 * An array that cannot double (its byte size would not fit): the
	 * insert of an id it should grow to cover fails, nothing changes.
	 */
	t.dense = &slot;
	t.dense_len = (SIZE_MAX >> 4) + 1;
	t.count = SIZE_MAX >> 3;
	t.hashed = 0;
	o.id = t.dense_len;
	before = t;
	ck_assert_int_eq(id_table_insert(&t, &o), -ENOMEM);
	ck_assert_ptr_eq(t.dense, before.dense);
	ck_assert_uint_eq(t.dense_len, before.dense_len);
	ck_assert_uint_eq(t.count, before.count);
	ck_assert_ptr_null(slot);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("idtable");
	TCase *tc = tcase_create("idtable");

	tcase_add_test(tc, test_lookup_through_growth);
	tcase_add_test(tc, test_hashed_then_covered);
	tcase_add_test(tc, test_allocation_failures);
	suite_add_tcase(s, tc);
	return ts_run_suite(s);
}
