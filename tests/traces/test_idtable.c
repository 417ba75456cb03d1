// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay's table of objects by id (tools/replay/idtable.c), in
 * process: lookups through growth, ids that share a home slot, the key at
 * an offset inside the object, and the two allocation failures (nothing
 * changes).
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
		/* at most three quarters full, whatever the growth */
		REQUIRE(4 * t->count <= 3 * (t->mask + 1));
	}
	return o;
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
		/* 5000 ids need 8192 slots: 4096 hold at most 3072 */
		ck_assert_uint_eq(t.mask + 1, 8192);
		for (i = 0; i < 5000; i++)
			REQ_PTR(id_table_lookup(&t, o[i].id), &o[i]);
		/* between and beyond the ids: none */
		for (i = 0; i < 5000; i++)
			if (strides[s] > 1)
				REQ_PTR(id_table_lookup(&t, o[i].id + 1), NULL);
		ck_assert_ptr_null(id_table_lookup(&t, 0));
		ck_assert_ptr_null(id_table_lookup(&t, UINT64_MAX));
		/* every object in exactly one slot */
		for (i = 0; i <= t.mask; i++)
			if (t.slots[i])
				REQ_PTR(id_table_lookup(&t,
					((struct obj *)t.slots[i])->id),
					t.slots[i]);
		id_table_fini(&t);
		ck_assert_ptr_null(t.slots);
		free(o);
	}
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
	t.count = (t.mask + 1) / 4 * 3;
	t.key = offsetof(struct obj, id);
	before = t;
	ck_assert_int_eq(id_table_insert(&t, &o), -ENOMEM);
	ck_assert_ptr_eq(t.slots, before.slots);
	ck_assert_uint_eq(t.mask, before.mask);
	ck_assert_uint_eq(t.count, before.count);
	ck_assert_ptr_null(slot);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("idtable");
	TCase *tc = tcase_create("idtable");

	tcase_add_test(tc, test_lookup_through_growth);
	tcase_add_test(tc, test_allocation_failures);
	suite_add_tcase(s, tc);
	return ts_run_suite(s);
}
