// SPDX-License-Identifier: MIT
/*
 * gpuvm_op_list_exec_lock(): locking the objects of a plan after making it
 * must lock what the locking walks (gpuvm_sm_map_exec_lock(),
 * gpuvm_sm_unmap_exec_lock()) lock for the same request, in the same order,
 * with the same fence slots and the same errors; for prefetch lists, the
 * objects of the VAs in the range.  Checked on random layouts, plus the
 * error paths: a duplicate without GPUVM_EXEC_IGNORE_DUPLICATES, a back-off
 * in either pass, and an allocation failure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define PG 0x1000ull
#define NPAGES 256
#define NBOS 7

struct fixture {
	struct ts_vm t;
	struct ts_bo bo[NBOS + 1];	/* the last one shares the VM's resv */
};

/* What one locking run left locked, copied before the context ends. */
struct locked {
	int ret;
	unsigned int n;
	struct gpuvm_bo *obj[64];
	unsigned int map_slots;	/* free fence slots on the MAP object */
};

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)(random() % n);
}

static void fixture_init(struct fixture *f)
{
	int i;

	ts_vm_init(&f->t, 0, NPAGES * PG, 0, 0, NULL);
	for (i = 0; i < NBOS; i++)
		ts_bo_init(&f->bo[i], i + 1);
	ts_bo_init_resv(&f->bo[NBOS], NBOS + 1, gpuvm_resv(&f->t.vm));
}

static void fixture_fini(struct fixture *f)
{
	int i;

	ts_vm_drain(&f->t.vm);
	for (i = 0; i <= NBOS; i++)
		gpuvm_bo_fini(&f->bo[i].base);
	gpuvm_put(&f->t.vm);
}

static struct gpuvm_bo *any_obj(struct fixture *f)
{
	unsigned int k = rnd(NBOS + 2);

	return k <= NBOS ? &f->bo[k].base : NULL;
}

/* Random disjoint VAs over the VM, about half of the pages covered. */
static void fill(struct fixture *f)
{
	uint64_t p = rnd(3), len;
	struct gpuvm_va *va;

	while (p < NPAGES) {
		len = 1 + rnd(8);
		if (p + len > NPAGES)
			len = NPAGES - p;
		va = ts_va_new(p * PG, len * PG, any_obj(f), rnd(16) * PG);
		ck_assert_int_eq(gpuvm_va_insert(&f->t.vm, va), 0);
		p += len + rnd(4);
	}
}

static unsigned int free_slots(const struct gpuvm_resv *r)
{
	return r->max_fences - r->num_fences;
}

/* Copy what @exec holds (and @ret), then end the context. */
static void take(struct locked *l, struct gpuvm_exec *exec, int ret,
		 struct gpuvm_bo *map_obj)
{
	unsigned int i;

	l->ret = ret;
	l->n = exec->num_objects;
	ck_assert_uint_le(l->n, 64);
	for (i = 0; i < l->n; i++) {
		l->obj[i] = exec->objects[i];
		ck_assert(gpuvm_resv_held(l->obj[i]->resv));
	}
	l->map_slots = map_obj && gpuvm_resv_held(map_obj->resv) ?
		       free_slots(map_obj->resv) : 0;
	gpuvm_exec_fini(exec);
}

static void expect_same(const struct locked *a, const struct locked *b)
{
	unsigned int i;

	ck_assert_int_eq(b->ret, a->ret);
	ck_assert_uint_eq(b->n, a->n);
	for (i = 0; i < a->n; i++)
		ck_assert_ptr_eq(b->obj[i], a->obj[i]);
	ck_assert_uint_eq(b->map_slots, a->map_slots);
}

static void by_list(struct locked *l, uint32_t flags,
		    const struct gpuvm_op_list *list, struct gpuvm_bo *map_obj)
{
	struct gpuvm_exec exec;
	int ret;

	gpuvm_exec_init(&exec, flags);
	do {
		ret = gpuvm_op_list_exec_lock(&exec, 2, list);
	} while (gpuvm_exec_retry(&exec, &ret));
	take(l, &exec, ret, map_obj);
}

/* A random range of pages [*a, *a + *n), at most @max_len long. */
static void random_range(uint64_t *a, uint64_t *n, unsigned int max_len)
{
	*a = rnd(NPAGES);
	*n = 1 + rnd(max_len);
	if (*a + *n > NPAGES)
		*n = NPAGES - *a;
}

/* Lock from @list (then cleared) and expect what @want locked. */
static void expect_list_locks(struct gpuvm *vm, const struct locked *want,
			      uint32_t flags, struct gpuvm_op_list *list,
			      struct gpuvm_bo *map_obj)
{
	struct locked ops;

	by_list(&ops, flags, list, map_obj);
	gpuvm_op_list_clear(vm, list);
	expect_same(want, &ops);
}

static void check_map(struct fixture *f, uint32_t flags)
{
	struct gpuvm *vm = &f->t.vm;
	struct gpuvm_map_req req;
	struct gpuvm_op_list list;
	struct gpuvm_exec exec;
	struct locked walk;
	uint64_t a, n;
	int ret;

	random_range(&a, &n, 24);
	memset(&req, 0, sizeof(req));
	req.map.addr = a * PG;
	req.map.range = n * PG;
	req.map.obj = any_obj(f);
	req.map.offset = rnd(16) * PG;

	gpuvm_exec_init(&exec, flags);
	do {
		ret = gpuvm_sm_map_exec_lock(vm, &exec, 2, &req);
	} while (gpuvm_exec_retry(&exec, &ret));
	take(&walk, &exec, ret, req.map.obj);

	ck_assert_int_eq(gpuvm_sm_map_ops_create(vm, &req, &list), 0);
	expect_list_locks(vm, &walk, flags, &list, req.map.obj);
}

static void check_unmap(struct fixture *f, uint32_t flags)
{
	struct gpuvm *vm = &f->t.vm;
	struct gpuvm_op_list list;
	struct gpuvm_exec exec;
	struct locked walk;
	uint64_t a, n;
	int ret;

	random_range(&a, &n, 40);
	gpuvm_exec_init(&exec, flags);
	do {
		ret = gpuvm_sm_unmap_exec_lock(vm, &exec, a * PG, n * PG);
	} while (gpuvm_exec_retry(&exec, &ret));
	take(&walk, &exec, ret, NULL);

	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(vm, a * PG, n * PG, &list),
			 0);
	expect_list_locks(vm, &walk, flags, &list, NULL);
}

/* Prefetch: the object of every VA in the range, in address order. */
static void check_prefetch(struct fixture *f, uint32_t flags)
{
	struct gpuvm *vm = &f->t.vm;
	struct gpuvm_op_list list;
	struct gpuvm_exec exec;
	struct locked scan;
	struct gpuvm_va *va;
	uint64_t a, n;
	int ret = 0;

	random_range(&a, &n, 40);
	gpuvm_exec_init(&exec, flags);
	gpuvm_for_each_va_range(va, vm, a * PG, (a + n) * PG) {
		if (va->obj && !ret)
			ret = gpuvm_exec_lock_obj(&exec, va->obj);
	}
	take(&scan, &exec, ret, NULL);

	ck_assert_int_eq(gpuvm_prefetch_ops_create(vm, a * PG, n * PG, &list),
			 0);
	expect_list_locks(vm, &scan, flags, &list, NULL);
}

START_TEST(test_op_list_lock_random)
{
	unsigned int round, i, iters = 200;
	const char *env = getenv("GPUVM_TEST_ITERATIONS");
	struct fixture f;

	if (env && atoi(env) > 0)
		iters = (unsigned int)atoi(env);
	srandom(0x0b5);
	for (round = 0; round < 20; round++) {
		fixture_init(&f);
		fill(&f);
		for (i = 0; i < iters; i++) {
			uint32_t flags = rnd(2) ? GPUVM_EXEC_IGNORE_DUPLICATES : 0;
			uint32_t count = gpuvm_va_count(&f.t.vm);

			switch (rnd(3)) {
			case 0:
				check_map(&f, flags);
				break;
			case 1:
				check_unmap(&f, flags);
				break;
			default:
				check_prefetch(&f, flags);
				break;
			}
			/* Locking changed nothing in the tree. */
			ck_assert_uint_eq(gpuvm_va_count(&f.t.vm), count);
		}
		ck_assert_int_eq(gpuvm_check(&f.t.vm), 0);
		fixture_fini(&f);
	}
}
END_TEST

/*
 * A younger context finds an object held by an older one: -EDEADLK from the
 * MAP pass and from the VA pass, with the objects locked before the error
 * left in the context and the contended one recorded.
 */
START_TEST(test_op_list_lock_backoff)
{
	struct gpuvm_exec old, young;
	struct gpuvm_map_req req;
	struct gpuvm_op_list list;
	struct fixture f;
	struct gpuvm_va *va;

	fixture_init(&f);
	va = ts_va_new(0, 4 * PG, &f.bo[1].base, 0);
	ck_assert_int_eq(gpuvm_va_insert(&f.t.vm, va), 0);
	memset(&req, 0, sizeof(req));
	req.map.addr = PG;
	req.map.range = PG;
	req.map.obj = &f.bo[0].base;
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&f.t.vm, &req, &list), 0);

	/* The VA pass: bo[1] is the old context's. */
	gpuvm_exec_init(&old, 0);
	gpuvm_exec_init(&young, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&old, &f.bo[1].base), 0);
	ck_assert_int_eq(gpuvm_op_list_exec_lock(&young, 1, &list), -EDEADLK);
	ck_assert_uint_eq(young.num_objects, 1);
	ck_assert_ptr_eq(young.objects[0], &f.bo[0].base);
	ck_assert_uint_eq(free_slots(f.bo[0].base.resv), 1);
	ck_assert_ptr_eq(young.contended, &f.bo[1].base);
	gpuvm_exec_fini(&young);
	gpuvm_exec_fini(&old);

	/* The MAP pass: bo[0] is the old context's; nothing else locked. */
	gpuvm_exec_init(&old, 0);
	gpuvm_exec_init(&young, 0);
	ck_assert_int_eq(gpuvm_exec_lock_obj(&old, &f.bo[0].base), 0);
	ck_assert_int_eq(gpuvm_op_list_exec_lock(&young, 1, &list), -EDEADLK);
	ck_assert_uint_eq(young.num_objects, 0);
	ck_assert_ptr_eq(young.contended, &f.bo[0].base);
	gpuvm_exec_fini(&young);
	gpuvm_exec_fini(&old);

	/* Once free, the same list locks both. */
	gpuvm_exec_init(&young, 0);
	ck_assert_int_eq(gpuvm_op_list_exec_lock(&young, 1, &list), 0);
	ck_assert_uint_eq(young.num_objects, 2);
	gpuvm_exec_fini(&young);
	ck_assert(!gpuvm_resv_held(f.bo[0].base.resv));
	ck_assert(!gpuvm_resv_held(f.bo[1].base.resv));

	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert_int_eq(f.bo[0].refs, 1);
	ck_assert_int_eq(f.bo[1].refs, 1);
	fixture_fini(&f);
}
END_TEST

/*
 * More objects than the context holds inline: the allocation for the
 * fifth fails; the four locked stay in the context, the list is unchanged,
 * and the same call succeeds once memory is back.
 */
START_TEST(test_op_list_lock_enomem)
{
	struct gpuvm_op_list list;
	struct gpuvm_exec exec;
	struct fixture f;
	struct gpuvm_va *va;
	struct gpuvm_op *op;
	unsigned int i, nops = 0;

	fixture_init(&f);
	for (i = 0; i < 6; i++) {
		va = ts_va_new(i * PG, PG, &f.bo[i].base, 0);
		ck_assert_int_eq(gpuvm_va_insert(&f.t.vm, va), 0);
	}
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&f.t.vm, 0, 6 * PG, &list),
			 0);

	ts_alloc_install();
	ts_alloc_fail_at(1, 0);
	gpuvm_exec_init(&exec, 0);
	ck_assert_int_eq(gpuvm_op_list_exec_lock(&exec, 0, &list), -ENOMEM);
	ck_assert_uint_eq(ts_alloc_failures(), 1);
	ck_assert_uint_eq(exec.num_objects, 4);
	for (i = 0; i < 4; i++)
		ck_assert_ptr_eq(exec.objects[i], &f.bo[i].base);
	ck_assert(!gpuvm_resv_held(f.bo[4].base.resv));
	gpuvm_exec_fini(&exec);
	for (i = 0; i < 6; i++)
		ck_assert(!gpuvm_resv_held(f.bo[i].base.resv));

	gpuvm_op_list_for_each(op, &list) {
		ck_assert_int_eq(op->type, GPUVM_OP_UNMAP);
		ck_assert_ptr_eq(op->unmap.va->obj, &f.bo[nops].base);
		nops++;
	}
	ck_assert_uint_eq(nops, 6);

	gpuvm_exec_init(&exec, 0);
	ck_assert_int_eq(gpuvm_op_list_exec_lock(&exec, 0, &list), 0);
	ck_assert_uint_eq(exec.num_objects, 6);
	gpuvm_exec_fini(&exec);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();

	gpuvm_op_list_clear(&f.t.vm, &list);
	fixture_fini(&f);
}
END_TEST

static Suite *op_list_lock_suite(void)
{
	Suite *s = suite_create("op_list_lock");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_op_list_lock_random);
	tcase_add_test(tc, test_op_list_lock_backoff);
	tcase_add_test(tc, test_op_list_lock_enomem);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(op_list_lock_suite());
}
