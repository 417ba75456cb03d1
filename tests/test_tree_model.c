// SPDX-License-Identifier: MIT
/*
 * The VA tree against a model: a sorted array of (addr, range) entries.
 *
 * Random inserts (on a grid, so that collisions are frequent, with some
 * off-grid, zero-size, overflowing and out-of-range requests), removals and
 * lookups are applied to both; every result is compared with a brute-force
 * computation over the model that follows the kernel semantics of
 * docs/semantics.md sections 1.1 and 1.2:
 *
 *   find_first(a, r)  lowest VA meeting the closed [a, a + r - 1], wrapping;
 *   find(a, r)        find_first(a, r) if it is exactly [a, a + r);
 *   find_prev(s)      NULL unless (s - 1, 1) is a valid range, else
 *                     find_first(s - 1, 2);
 *   find_next(e)      NULL unless (e, 1) is a valid range, else
 *                     find_first(e, 2).
 *
 * gpuvm_check() runs after every operation.  A second test inserts a large
 * number of VAs in ascending and descending order and removes them in random
 * order, to exercise rebalancing.
 *
 * GPUVM_TEST_ITERATIONS sets the number of random operations per
 * configuration; without it the default is divided by 10 when
 * GPUVM_UNDER_VALGRIND=1, as is the size of the bulk test.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/*
 * In fork mode check reports every passing ck_assert to the parent process,
 * far too slow for the millions of comparisons made here.  These call into
 * check only when the comparison fails.
 */

#define DEFAULT_ITERATIONS 20000
#define DEFAULT_BULK 100000

static bool under_valgrind(void)
{
	const char *v = getenv("GPUVM_UNDER_VALGRIND");

	return v && v[0] == '1';
}

static unsigned long iterations(unsigned long def)
{
	const char *env = getenv("GPUVM_TEST_ITERATIONS");

	if (env && *env) {
		unsigned long n = strtoul(env, NULL, 0);

		if (n)
			return n;
	}
	if (under_valgrind())
		def /= 10;
	return def ? def : 1;
}

/* splitmix64: small, fast, and the same sequence everywhere */
static uint64_t rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform-enough value in [0, n) */
static uint64_t rnd_below(uint64_t *state, uint64_t n)
{
	return rnd(state) % n;
}

/* ------------------------------------------------------------------------ */
/* The model                                                                */

struct mva {
	uint64_t addr;
	uint64_t range;
	struct gpuvm_va *va;
};

struct model {
	const struct gpuvm *vm;
	struct mva *v;		/* sorted by addr, reserved one included */
	size_t n;
	size_t cap;
	size_t reserved;	/* 1 if a reserved node is in @v */
};

static void model_init(struct model *m, const struct gpuvm *vm)
{
	memset(m, 0, sizeof(*m));
	m->vm = vm;
	m->cap = 64;
	m->v = calloc(m->cap, sizeof(*m->v));
	ck_assert_ptr_nonnull(m->v);
}

static void model_fini(struct model *m)
{
	free(m->v);
	m->v = NULL;
}

static void model_add(struct model *m, struct gpuvm_va *va)
{
	size_t i = 0;

	if (m->n == m->cap) {
		m->cap *= 2;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		ck_assert_ptr_nonnull(m->v);
	}
	while (i < m->n && m->v[i].addr < va->addr)
		i++;
	memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
	m->v[i].addr = va->addr;
	m->v[i].range = va->range;
	m->v[i].va = va;
	m->n++;
}

static void model_del(struct model *m, size_t i)
{
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
	m->n--;
}

static bool model_is_reserved(const struct model *m, size_t i)
{
	return m->v[i].va == &m->vm->kernel_alloc_node;
}

/* docs/semantics.md 1.1, written from the rules, not from the library */
static bool model_range_valid(const struct model *m, uint64_t addr,
			      uint64_t range)
{
	const struct gpuvm *vm = m->vm;
	uint64_t end = addr + range;
	uint64_t kstart = vm->kernel_alloc_node.addr;
	uint64_t krange = vm->kernel_alloc_node.range;

	if (end < addr)
		return false;
	if (addr < vm->mm_start || end > vm->mm_start + vm->mm_range)
		return false;
	if (krange && addr < kstart + krange && kstart < end)
		return false;
	return true;
}

/* lowest entry meeting the closed, wrapping [addr, addr + range - 1] */
static struct gpuvm_va *model_find_first(const struct model *m, uint64_t addr,
					 uint64_t range)
{
	uint64_t last = addr + range - 1;
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct mva *e = &m->v[i];

		if (e->addr <= last && e->addr + e->range - 1 >= addr)
			return e->va;
	}
	return NULL;
}

static struct gpuvm_va *model_find(const struct model *m, uint64_t addr,
				   uint64_t range)
{
	struct gpuvm_va *va = model_find_first(m, addr, range);

	if (va && va->addr == addr && va->range == range)
		return va;
	return NULL;
}

static struct gpuvm_va *model_find_prev(const struct model *m, uint64_t start)
{
	if (!model_range_valid(m, start - 1, 1))
		return NULL;
	return model_find_first(m, start - 1, 2);
}

static struct gpuvm_va *model_find_next(const struct model *m, uint64_t end)
{
	if (!model_range_valid(m, end, 1))
		return NULL;
	return model_find_first(m, end, 2);
}

static struct gpuvm_va *model_prev_strict(const struct model *m,
					  uint64_t start)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].addr + m->v[i].range == start)
			return m->v[i].va;
	return NULL;
}

static struct gpuvm_va *model_next_strict(const struct model *m, uint64_t end)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].addr == end)
			return m->v[i].va;
	return NULL;
}

/* the error gpuvm_va_insert() must return for [addr, addr + range) */
static int model_insert_result(const struct model *m, uint64_t addr,
			       uint64_t range)
{
	size_t i;

	if (!range || !model_range_valid(m, addr, range))
		return -EINVAL;
	for (i = 0; i < m->n; i++) {
		const struct mva *e = &m->v[i];

		if (e->addr < addr + range && addr < e->addr + e->range)
			return -EEXIST;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Comparisons                                                              */

/* what the random run exercised, so that a test that tests nothing fails */
static struct {
	unsigned long ins_ok, ins_exist, ins_inval, removed;
	unsigned long first_hits, find_hits, prev_hits, next_hits;
	size_t max_n;
} st;

static void compare_all(const struct model *m)
{
	const struct gpuvm *vm = m->vm;
	struct gpuvm_va *va;
	size_t i = 0;

	REQ_INT(gpuvm_check(vm), 0);
	REQ_CMP(gpuvm_va_count(vm), ==, m->n - m->reserved);
	REQ_CMP(gpuvm_refcount(vm), ==, 1 + m->n - m->reserved);
	gpuvm_for_each_va(va, vm) {
		REQ_CMP(i, <, m->n);
		REQ_PTR(va, m->v[i].va);
		REQ_CMP(va->addr, ==, m->v[i].addr);
		REQ_CMP(va->range, ==, m->v[i].range);
		i++;
	}
	REQ_CMP(i, ==, m->n);
}

/*
 * Whether the strict variants see the reserved node is not pinned down by
 * the API; accept either answer for it, and only for it.
 */
static void check_strict(const struct model *m, struct gpuvm_va *got,
			 struct gpuvm_va *want)
{
	if (want == &m->vm->kernel_alloc_node && !got)
		return;
	REQ_PTR(got, want);
}

static void compare_lookups(const struct model *m, uint64_t addr,
			    uint64_t range)
{
	const struct gpuvm *vm = m->vm;
	struct gpuvm_va *ff = model_find_first(m, addr, range);

	st.first_hits += !!ff;
	st.find_hits += !!model_find(m, addr, range);
	st.prev_hits += !!model_find_prev(m, addr);
	st.next_hits += !!model_find_next(m, addr);
	REQ_PTR(gpuvm_va_find_first(vm, addr, range), ff);
	REQ_PTR(gpuvm_va_find(vm, addr, range),
			 model_find(m, addr, range));
	REQUIRE(gpuvm_interval_empty(vm, addr, range) == !ff);
	REQUIRE(gpuvm_range_valid(vm, addr, range) ==
		  model_range_valid(m, addr, range));
	REQ_PTR(gpuvm_va_find_prev(vm, addr),
			 model_find_prev(m, addr));
	REQ_PTR(gpuvm_va_find_next(vm, addr),
			 model_find_next(m, addr));
	check_strict(m, gpuvm_va_find_prev_strict(vm, addr),
		     model_prev_strict(m, addr));
	check_strict(m, gpuvm_va_find_next_strict(vm, addr),
		     model_next_strict(m, addr));

	/* range iteration, for ranges that do not wrap */
	if (range && addr + range > addr) {
		uint64_t end = addr + range;
		struct gpuvm_va *va;
		size_t i = 0;

		while (i < m->n && m->v[i].va != ff)
			i++;
		gpuvm_for_each_va_range(va, vm, addr, end) {
			REQ_CMP(i, <, m->n);
			REQ_PTR(va, m->v[i].va);
			i++;
		}
		/* the walk stopped at the first VA at or beyond the end */
		REQUIRE(i == m->n || m->v[i].addr >= end);
	}
}

/* ------------------------------------------------------------------------ */
/* Random operations                                                        */

struct tree_cfg {
	uint64_t seed;
	uint64_t start;
	uint64_t range;
	uint64_t rstart;
	uint64_t rrange;
	uint64_t grid;
};

/* an address near the VM, mostly on the grid */
static uint64_t pick_addr(uint64_t *s, const struct tree_cfg *c)
{
	uint64_t cells = c->range / c->grid;
	uint64_t cell = rnd_below(s, cells + 8);
	uint64_t addr = c->start + (cell - 4) * c->grid;

	switch (rnd_below(s, 16)) {
	case 0:
		return addr + 1;
	case 1:
		return addr - 1;
	case 2:
		return addr + rnd_below(s, c->grid);
	case 3:
		return rnd(s);
	case 4:
		return rnd_below(s, 2) ? 0 : UINT64_MAX - rnd_below(s, 4);
	default:
		return addr;
	}
}

static uint64_t pick_range(uint64_t *s, const struct tree_cfg *c)
{
	uint64_t range = (1 + rnd_below(s, 8)) * c->grid;

	switch (rnd_below(s, 32)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return rnd(s);
	case 3:
	case 4:
		return range + 1;
	case 5:
	case 6:
		return range - 1;
	case 7:
		return (1 + rnd_below(s, 64)) * c->grid;
	default:
		return range;
	}
}

static void op_insert(struct model *m, struct gpuvm *vm, uint64_t *s,
		      const struct tree_cfg *c)
{
	uint64_t addr = pick_addr(s, c);
	uint64_t range = pick_range(s, c);
	int want = model_insert_result(m, addr, range);
	struct gpuvm_va *va = ts_va_new(addr, range, NULL, rnd(s));

	REQ_INT(gpuvm_va_insert(vm, va), want);
	st.ins_ok += want == 0;
	st.ins_exist += want == -EEXIST;
	st.ins_inval += want == -EINVAL;
	if (want) {
		REQ_PTR(va->vm, NULL);
		free(va);
		return;
	}
	REQ_PTR(va->vm, vm);
	model_add(m, va);
	if (m->n > st.max_n)
		st.max_n = m->n;
}

static void op_remove(struct model *m, uint64_t *s)
{
	size_t i;
	struct gpuvm_va *va;

	if (m->n == m->reserved)
		return;
	do
		i = rnd_below(s, m->n);
	while (model_is_reserved(m, i));
	va = m->v[i].va;
	gpuvm_va_remove(va);
	REQ_PTR(va->vm, m->vm);
	model_del(m, i);
	free(va);
	st.removed++;
}

static void op_reinsert(struct model *m, struct gpuvm *vm, uint64_t *s)
{
	size_t i;

	if (m->n == m->reserved)
		return;
	do
		i = rnd_below(s, m->n);
	while (model_is_reserved(m, i));
	REQ_INT(gpuvm_va_insert(vm, m->v[i].va), -EBUSY);
}

static void op_query(struct model *m, uint64_t *s, const struct tree_cfg *c)
{
	uint64_t addr = pick_addr(s, c);
	uint64_t range = pick_range(s, c);

	/* aim at an existing VA a quarter of the time */
	if (m->n && rnd_below(s, 4) == 0) {
		const struct mva *e = &m->v[rnd_below(s, m->n)];

		switch (rnd_below(s, 6)) {
		case 0:
			addr = e->addr;
			range = e->range;
			break;
		case 1:
			addr = e->addr + e->range;
			break;
		case 2:
			addr = e->addr - 1;
			break;
		case 3:
			addr = e->addr + e->range - 1;
			range = rnd_below(s, 3);
			break;
		case 4:
			addr = e->addr + e->range / 2;
			range = 0;
			break;
		default:
			addr = e->addr;
			break;
		}
	}
	compare_lookups(m, addr, range);
}

static void run_random(const struct tree_cfg *c)
{
	unsigned long n = iterations(DEFAULT_ITERATIONS), i;
	uint64_t s = c->seed;
	struct model m;
	struct ts_vm t;

	memset(&st, 0, sizeof(st));
	ts_alloc_install();
	ts_warn_capture();
	ts_vm_init(&t, c->start, c->range, c->rstart, c->rrange, NULL);
	model_init(&m, &t.vm);
	if (c->rrange) {
		model_add(&m, &t.vm.kernel_alloc_node);
		m.reserved = 1;
	}
	compare_all(&m);

	for (i = 0; i < n; i++) {
		uint64_t dice = rnd_below(&s, 100);
		/* alternately grow and shrink the tree */
		bool grow = (i / 2500) % 2 == 0;

		if (dice < (grow ? 50 : 15))
			op_insert(&m, &t.vm, &s, c);
		else if (dice < 60)
			op_remove(&m, &s);
		else if (dice < 62)
			op_reinsert(&m, &t.vm, &s);
		else
			op_query(&m, &s, c);
		compare_all(&m);
	}

	/* a few fixed probes at the edges of the space */
	compare_lookups(&m, 0, 0);
	compare_lookups(&m, c->start, 0);
	compare_lookups(&m, c->start, c->range);
	compare_lookups(&m, c->start + c->range, 1);
	compare_lookups(&m, UINT64_MAX, 1);
	compare_lookups(&m, UINT64_MAX, 2);

	/* the run did exercise every outcome (when long enough to tell) */
	if (n >= 1000) {
		REQ_CMP(st.ins_ok, >=, n / 50);
		REQ_CMP(st.ins_exist, >=, n / 100);
		REQ_CMP(st.ins_inval, >=, n / 100);
		REQ_CMP(st.first_hits, >=, n / 50);
		REQ_CMP(st.find_hits, >=, n / 500);
		REQ_CMP(st.prev_hits, >=, n / 100);
		REQ_CMP(st.next_hits, >=, n / 100);
		REQ_CMP(st.max_n, >=, (n < 2500 ? 20u : 50u));
	}
	if (getenv("GPUVM_TEST_VERBOSE"))
		printf("ok %lu exist %lu inval %lu removed %lu ff %lu find %lu prev %lu next %lu max %zu\n",
		       st.ins_ok, st.ins_exist, st.ins_inval, st.removed,
		       st.first_hits, st.find_hits, st.prev_hits,
		       st.next_hits, st.max_n);

	while (m.n > m.reserved)
		op_remove(&m, &s);
	compare_all(&m);
	model_fini(&m);
	REQ_INT(ts_warn_count(), 0);
	gpuvm_put(&t.vm);
	REQ_INT(t.freed, 1);
	/* the tree needs no memory of its own */
	REQ_CMP(ts_alloc_calls(), ==, 0);
	REQ_INT(ts_alloc_live(), 0);
	ts_alloc_uninstall();
	gpuvm_set_warn_handler(NULL, NULL);
}

START_TEST(test_random_plain)
{
	const struct tree_cfg c = {
		.seed = 0x5eed0001,
		.start = 0x10000,
		.range = 2048 * 0x1000ull,
		.grid = 0x1000,
	};

	run_random(&c);
}
END_TEST

START_TEST(test_random_reserved_at_zero)
{
	const struct tree_cfg c = {
		.seed = 0x5eed0002,
		.start = 0,
		.range = 2048 * 0x1000ull,
		.rstart = 1000 * 0x1000ull,
		.rrange = 32 * 0x1000ull,
		.grid = 0x1000,
	};

	run_random(&c);
}
END_TEST

START_TEST(test_random_top_of_space)
{
	const struct tree_cfg c = {
		.seed = 0x5eed0003,
		.start = 0 - 1024 * 0x1000ull,
		.range = 1024 * 0x1000ull - 1,
		.rstart = 0 - 1024 * 0x1000ull,
		.rrange = 8 * 0x1000ull,
		.grid = 0x1000,
	};

	run_random(&c);
}
END_TEST

START_TEST(test_random_dense_units)
{
	const struct tree_cfg c = {
		.seed = 0x5eed0004,
		.start = 0,
		.range = 600,
		.rstart = 300,
		.rrange = 10,
		.grid = 1,
	};

	run_random(&c);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Bulk insertion and random removal                                        */

static void bulk_check(const struct gpuvm *vm, uint64_t expect)
{
	struct gpuvm_va *va;
	uint64_t n = 0, last_end = 0;

	REQ_INT(gpuvm_check(vm), 0);
	REQ_CMP(gpuvm_va_count(vm), ==, expect);
	REQ_CMP(gpuvm_refcount(vm), ==, 1 + expect);
	gpuvm_for_each_va(va, vm) {
		REQ_CMP(va->addr, >=, last_end);
		last_end = va->addr + va->range;
		n++;
	}
	REQ_CMP(n, ==, expect);
}

START_TEST(test_bulk)
{
	unsigned long total = DEFAULT_BULK / (under_valgrind() ? 10 : 1);
	unsigned long half, i, live;
	const uint64_t base = 0x100000, step = 0x10;
	struct gpuvm_va *vas, *va;
	unsigned long *order;
	uint64_t s = 0xb01c;
	char *gone;
	struct ts_vm t;

	half = (total + 1) / 2;
	total = 2 * half;
	vas = calloc(total, sizeof(*vas));
	order = calloc(total, sizeof(*order));
	gone = calloc(total, 1);
	ck_assert_ptr_nonnull(gone);
	ck_assert_ptr_nonnull(vas);
	ck_assert_ptr_nonnull(order);
	ts_warn_capture();
	ts_vm_init(&t, base, total * step, 0, 0, NULL);

	/* even slots in ascending order: VA i covers [base + 2i*step, +step) */
	for (i = 0; i < half; i++) {
		va = &vas[2 * i];
		va->addr = base + 2 * i * step;
		va->range = step;
		REQ_INT(gpuvm_va_insert(&t.vm, va), 0);
	}
	bulk_check(&t.vm, half);
	REQ_PTR(t.vm.tree.first, &vas[0]);

	/* odd slots in descending order fill the gaps, touching both sides */
	for (i = half; i-- > 0;) {
		va = &vas[2 * i + 1];
		va->addr = base + (2 * i + 1) * step;
		va->range = step;
		REQ_INT(gpuvm_va_insert(&t.vm, va), 0);
	}
	bulk_check(&t.vm, total);
	i = 0;
	gpuvm_for_each_va(va, &t.vm) {
		REQ_PTR(va, &vas[i]);
		i++;
	}
	REQ_CMP(i, ==, total);
	REQUIRE(!gpuvm_interval_empty(&t.vm, base, total * step));
	REQ_PTR(gpuvm_va_find_first(&t.vm, base + total * step - 1, 1),
			 &vas[total - 1]);

	/* a full space rejects everything */
	va = ts_va_new(base + step / 2, 1, NULL, 0);
	REQ_INT(gpuvm_va_insert(&t.vm, va), -EEXIST);
	free(va);

	/* remove in random order */
	for (i = 0; i < total; i++)
		order[i] = i;
	for (i = total - 1; i > 0; i--) {
		unsigned long j = rnd_below(&s, i + 1), tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	live = total;
	for (i = 0; i < total; i++) {
		unsigned long k = order[i];
		uint64_t probe;

		REQ_PTR(gpuvm_va_find(&t.vm, vas[k].addr, step),
				 &vas[k]);
		gpuvm_va_remove(&vas[k]);
		live--;
		REQ_PTR(gpuvm_va_find_first(&t.vm, vas[k].addr,
						       step), NULL);
		gone[k] = 1;
		/* a random slot is found iff it is still there */
		probe = rnd_below(&s, total);
		REQ_PTR(gpuvm_va_find_first(&t.vm,
					    base + probe * step + 1, 2),
				 gone[probe] ? NULL : &vas[probe]);
		if (i % 10000 == 0 || live < 64)
			bulk_check(&t.vm, live);
	}
	bulk_check(&t.vm, 0);
	REQ_PTR(t.vm.tree.first, NULL);

	REQ_INT(ts_warn_count(), 0);
	gpuvm_put(&t.vm);
	REQ_INT(t.freed, 1);
	free(gone);
	free(order);
	free(vas);
	gpuvm_set_warn_handler(NULL, NULL);
}
END_TEST

static Suite *tree_suite(void)
{
	Suite *s = suite_create("tree_model");
	TCase *tc;

	tc = tcase_create("random");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_random_plain);
	tcase_add_test(tc, test_random_reserved_at_zero);
	tcase_add_test(tc, test_random_top_of_space);
	tcase_add_test(tc, test_random_dense_units);
	suite_add_tcase(s, tc);

	tc = tcase_create("bulk");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_bulk);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Single-threaded tests: they link VAs without taking the objects'
	 * locks; tests/test_vm_bo_modes.c covers the lock checks. */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(tree_suite());
}
