// SPDX-License-Identifier: MIT
/*
 * Bad input to the core and lock entry points (docs/bad-input.md): every
 * rejected input returns its errno and changes nothing.  Each row runs on a
 * fresh VM [0x10000, 0x20000) with [0x18000, 0x19000) reserved and two
 * linked VAs; the text dump of the VM, its objects and their reservations
 * is taken before and after the call and must be identical, no op list may
 * be left non-empty, no step callback may have been made and nothing may
 * be allocated.
 *
 * The range table is crossed with every entry point that takes a request
 * range, so each (entry point, bad range) pair is one case.
 */
#include "support.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define VM_START	0x10000ull
#define VM_RANGE	0x10000ull
#define RES_START	0x18000ull
#define RES_RANGE	0x1000ull

struct env {
	struct ts_vm t;
	struct ts_vm plain;	/* a VM without step or validate callbacks */
	struct ts_bo bo[3];
	struct gpuvm_va *va[2];
	struct gpuvm_va *spare;
	struct gpuvm_op_list list;
	struct gpuvm_exec exec;
	int steps;
};

static int count_step(struct gpuvm_op *op, void *priv)
{
	(void)op;
	((struct env *)priv)->steps++;
	return 0;
}

static void bi_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct ts_vm, vm)->freed++;
}

static const struct gpuvm_ops step_ops = {
	.vm_free = bi_vm_free,
	.sm_step_map = count_step,
	.sm_step_remap = count_step,
	.sm_step_unmap = count_step,
};

static void env_link(struct env *e, int i, uint64_t addr)
{
	struct gpuvm_vm_bo *vm_bo;

	e->va[i] = ts_va_new(addr, 0x1000, &e->bo[i].base, 0);
	ck_assert_int_eq(gpuvm_va_insert(&e->t.vm, e->va[i]), 0);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&e->t.vm, &e->bo[i].base, &vm_bo),
			 0);
	gpuvm_va_link(e->va[i], vm_bo);
	gpuvm_vm_bo_extobj_add(vm_bo);
	ck_assert(!gpuvm_vm_bo_put(vm_bo));
}

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	ts_vm_init(&e->t, VM_START, VM_RANGE, RES_START, RES_RANGE, &step_ops);
	ts_vm_init(&e->plain, VM_START, VM_RANGE, 0, 0, NULL);
	for (int i = 0; i < 3; i++)
		ts_bo_init(&e->bo[i], i);
	env_link(e, 0, 0x10000);
	env_link(e, 1, 0x12000);
	e->spare = ts_va_new(0, 0, NULL, 0);
	gpuvm_op_list_init(&e->list);
	gpuvm_exec_init(&e->exec, 0);
}

static void env_fini(struct env *e)
{
	gpuvm_exec_fini(&e->exec);
	if (e->spare->in_tree)
		gpuvm_va_remove(e->spare);
	free(e->spare);
	ts_vm_drain(&e->t.vm);
	gpuvm_put(&e->t.vm);
	gpuvm_put(&e->plain.vm);
	ck_assert_int_eq(e->t.freed, 1);
	ck_assert_int_eq(e->plain.freed, 1);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(e->bo[i].refs, 1);
		gpuvm_bo_fini(&e->bo[i].base);
	}
}

static void env_dump(struct env *e, struct ts_dump *d)
{
	ts_dump_vm(d, &e->t.vm);
	ts_dump_vm(d, &e->plain.vm);
	ts_dump_bo(d, e->t.vm.r_obj);
	for (int i = 0; i < 3; i++) {
		ts_dump_printf(d, "object %d refs %d ", i, e->bo[i].refs);
		ts_dump_bo(d, &e->bo[i].base);
	}
	ts_dump_printf(d, "spare in tree %d; steps %d; exec %u objects\n",
		       e->spare->in_tree, e->steps, e->exec.num_objects);
}

/* Run @call on a fresh environment; it must return @want, change nothing. */
static void expect_rejected(const char *what, int want,
			    void (*setup)(struct env *e),
			    int (*call)(struct env *e, const void *arg),
			    const void *arg)
{
	struct ts_dump before, after;
	unsigned long calls;
	struct env e;
	int ret;

	ts_alloc_install();
	env_init(&e);
	if (setup)
		setup(&e);
	ts_dump_init(&before);
	env_dump(&e, &before);
	calls = ts_alloc_calls();
	ts_warn_capture();
	ts_alloc_fail_at(1, true);	/* a rejection allocates nothing */
	ret = call(&e, arg);
	ts_alloc_fail_at(0, 0);
	ck_assert_msg(ret == want, "%s: returned %s, want %s", what,
		      gpuvm_err_name(ret), gpuvm_err_name(want));
	ck_assert_msg(ts_alloc_calls() == calls, "%s: allocated", what);
	ck_assert_msg(gpuvm_list_empty(&e.list.ops), "%s: ops left", what);
	ck_assert_int_eq(e.steps, 0);
	gpuvm_set_warn_handler(NULL, NULL);
	ts_dump_init(&after);
	env_dump(&e, &after);
	ts_dump_expect_eq(&before, &after, what, 0);
	ts_dump_fini(&before);
	ts_dump_fini(&after);
	env_fini(&e);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}

/* ------------------------------------------------------------------------ */
/* Bad request ranges x the entry points that take one                      */

struct bad_range {
	const char *what;
	uint64_t addr;
	uint64_t range;
};

static const struct bad_range bad_ranges[] = {
	{ "zero size", 0x14000, 0 },
	{ "end wraps past 2^64", UINT64_MAX - 0xfff, 0x2000 },
	{ "end exactly 2^64", UINT64_MAX - 0xfff, 0x1000 },
	{ "starts below the VA space", VM_START - 0x1000, 0x2000 },
	{ "ends past the VA space", VM_START + VM_RANGE - 0x1000, 0x2000 },
	{ "wholly outside the VA space", 0x30000, 0x1000 },
	{ "overlaps the reserved region", RES_START - 0x800, 0x1000 },
	{ "inside the reserved region", RES_START, RES_RANGE },
};

static struct gpuvm_map_req req_of(struct env *e, const struct bad_range *r)
{
	struct gpuvm_map_req req;

	memset(&req, 0, sizeof(req));
	req.map.addr = r->addr;
	req.map.range = r->range;
	req.map.obj = &e->bo[2].base;
	return req;
}

static int c_map_ops(struct env *e, const void *arg)
{
	struct gpuvm_map_req req = req_of(e, arg);

	memset(&e->list, 0xa5, sizeof(e->list));
	return gpuvm_sm_map_ops_create(&e->t.vm, &req, &e->list);
}

static int c_unmap_ops(struct env *e, const void *arg)
{
	const struct bad_range *r = arg;

	memset(&e->list, 0xa5, sizeof(e->list));
	return gpuvm_sm_unmap_ops_create(&e->t.vm, r->addr, r->range, &e->list);
}

static int c_madvise_ops(struct env *e, const void *arg)
{
	struct gpuvm_map_req req = req_of(e, arg);

	req.map.obj = NULL;
	memset(&e->list, 0xa5, sizeof(e->list));
	return gpuvm_madvise_ops_create(&e->t.vm, &req, &e->list);
}

static int c_sm_map(struct env *e, const void *arg)
{
	struct gpuvm_map_req req = req_of(e, arg);

	return gpuvm_sm_map(&e->t.vm, e, &req);
}

static int c_sm_unmap(struct env *e, const void *arg)
{
	const struct bad_range *r = arg;

	return gpuvm_sm_unmap(&e->t.vm, e, r->addr, r->range);
}

static int c_map_exec_lock(struct env *e, const void *arg)
{
	struct gpuvm_map_req req = req_of(e, arg);

	return gpuvm_sm_map_exec_lock(&e->t.vm, &e->exec, 1, &req);
}

static int c_unmap_exec_lock(struct env *e, const void *arg)
{
	const struct bad_range *r = arg;

	return gpuvm_sm_unmap_exec_lock(&e->t.vm, &e->exec, r->addr, r->range);
}

static int c_va_insert(struct env *e, const void *arg)
{
	const struct bad_range *r = arg;

	e->spare->addr = r->addr;
	e->spare->range = r->range;
	e->spare->obj = &e->bo[2].base;
	return gpuvm_va_insert(&e->t.vm, e->spare);
}

static int c_va_map(struct env *e, const void *arg)
{
	struct gpuvm_map_req req = req_of(e, arg);

	return gpuvm_va_map(&e->t.vm, e->spare, &req.map);
}

static const struct {
	const char *name;
	int (*call)(struct env *e, const void *arg);
} range_calls[] = {
	{ "gpuvm_sm_map_ops_create", c_map_ops },
	{ "gpuvm_sm_unmap_ops_create", c_unmap_ops },
	{ "gpuvm_madvise_ops_create", c_madvise_ops },
	{ "gpuvm_sm_map", c_sm_map },
	{ "gpuvm_sm_unmap", c_sm_unmap },
	{ "gpuvm_sm_map_exec_lock", c_map_exec_lock },
	{ "gpuvm_sm_unmap_exec_lock", c_unmap_exec_lock },
	{ "gpuvm_va_insert", c_va_insert },
	{ "gpuvm_va_map", c_va_map },
};

START_TEST(test_bad_ranges)
{
	int call = _i / ARRAY_SIZE(bad_ranges);
	const struct bad_range *r = &bad_ranges[_i % ARRAY_SIZE(bad_ranges)];
	char what[160];

	snprintf(what, sizeof(what), "%s, %s", range_calls[call].name,
		 r->what);
	expect_rejected(what, -EINVAL, NULL, range_calls[call].call, r);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Everything else                                                          */

static int c_prefetch_zero(struct env *e, const void *arg)
{
	(void)arg;
	memset(&e->list, 0xa5, sizeof(e->list));
	return gpuvm_prefetch_ops_create(&e->t.vm, 0x10000, 0, &e->list);
}

static int c_sm_map_no_steps(struct env *e, const void *arg)
{
	struct gpuvm_map_req req = { .map = { .addr = 0x14000,
					      .range = 0x1000 } };

	(void)arg;
	return gpuvm_sm_map(&e->plain.vm, e, &req);
}

static int c_sm_unmap_no_steps(struct env *e, const void *arg)
{
	(void)arg;
	return gpuvm_sm_unmap(&e->plain.vm, e, 0x14000, 0x1000);
}

static int c_insert_overlap(struct env *e, const void *arg)
{
	(void)arg;
	e->spare->addr = 0x10800;
	e->spare->range = 0x2000;
	return gpuvm_va_insert(&e->t.vm, e->spare);
}

static int c_insert_twice(struct env *e, const void *arg)
{
	(void)arg;
	return gpuvm_va_insert(&e->t.vm, e->va[0]);
}

static int c_insert_other_vm(struct env *e, const void *arg)
{
	(void)arg;
	/* inserted in one VM, inserted again into another */
	return gpuvm_va_insert(&e->plain.vm, e->va[1]);
}

/* A REMAP of VA 0 into two pieces, one of them given no storage. */
static int remap(struct env *e, bool prev_storage, bool prev_inserted)
{
	struct gpuvm_op_map prev = { .addr = 0x10000, .range = 0x400,
				     .obj = &e->bo[0].base };
	struct gpuvm_op_map next = { .addr = 0x10c00, .range = 0x400,
				     .obj = &e->bo[0].base, .offset = 0xc00 };
	struct gpuvm_op_unmap unmap = { .va = e->va[0] };
	struct gpuvm_op_remap op = { .prev = &prev, .next = &next,
				     .unmap = &unmap };
	struct gpuvm_va *p = prev_storage ? (prev_inserted ? e->va[1] :
					     e->spare) : NULL;

	return gpuvm_va_remap(p, e->spare, &op);
}

static int c_remap_no_storage(struct env *e, const void *arg)
{
	(void)arg;
	return remap(e, false, false);
}

static int c_remap_inserted_storage(struct env *e, const void *arg)
{
	(void)arg;
	return remap(e, true, true);
}

static int c_remap_reserved(struct env *e, const void *arg)
{
	struct gpuvm_op_unmap unmap = { .va = &e->t.vm.kernel_alloc_node };
	struct gpuvm_op_remap op = { .unmap = &unmap };

	(void)arg;
	return gpuvm_va_remap(NULL, NULL, &op);
}

static int c_obtain_null(struct env *e, const void *arg)
{
	struct gpuvm_vm_bo *out = NULL;
	int ret;

	(void)arg;
	ret = gpuvm_vm_bo_obtain(&e->t.vm, NULL, &out);
	ck_assert_ptr_null(out);
	return ret;
}

static int c_create_null(struct env *e, const void *arg)
{
	(void)arg;
	return gpuvm_vm_bo_create(&e->t.vm, NULL) ? 0 : -EINVAL;
}

static int c_validate_no_callback(struct env *e, const void *arg)
{
	(void)arg;
	return gpuvm_validate(&e->t.vm, &e->exec);
}

static void lock_first(struct env *e)
{
	ck_assert_int_eq(gpuvm_exec_lock_obj(&e->exec, &e->bo[0].base), 0);
}

static int c_lock_twice(struct env *e, const void *arg)
{
	(void)arg;
	return gpuvm_exec_lock_obj(&e->exec, &e->bo[0].base);
}

static const struct {
	const char *what;
	int want;
	int (*call)(struct env *e, const void *arg);
	void (*setup)(struct env *e);
} other_rows[] = {
	{ "gpuvm_prefetch_ops_create, zero size", -EINVAL, c_prefetch_zero },
	{ "gpuvm_sm_map, no step callbacks", -EINVAL, c_sm_map_no_steps },
	{ "gpuvm_sm_unmap, no step callbacks", -EINVAL, c_sm_unmap_no_steps },
	{ "gpuvm_va_insert, overlaps a VA", -EEXIST, c_insert_overlap },
	{ "gpuvm_va_insert, already inserted", -EBUSY, c_insert_twice },
	{ "gpuvm_va_insert, inserted in another VM", -EBUSY,
	  c_insert_other_vm },
	{ "gpuvm_va_remap, a piece without storage", -EINVAL,
	  c_remap_no_storage },
	{ "gpuvm_va_remap, storage already inserted", -EINVAL,
	  c_remap_inserted_storage },
	{ "gpuvm_vm_bo_obtain, NULL object", -EINVAL, c_obtain_null },
	{ "gpuvm_vm_bo_create, NULL object (returns NULL)", -EINVAL,
	  c_create_null },
	{ "gpuvm_validate, no vm_bo_validate callback", -EOPNOTSUPP,
	  c_validate_no_callback },
	{ "gpuvm_exec_lock_obj, twice without IGNORE_DUPLICATES", -EALREADY,
	  c_lock_twice, lock_first },
};

START_TEST(test_other)
{
	expect_rejected(other_rows[_i].what, other_rows[_i].want,
			other_rows[_i].setup, other_rows[_i].call, NULL);
}
END_TEST

/* The reserved region cannot be removed through a REMAP (with a warning). */
START_TEST(test_remap_reserved)
{
	struct ts_dump before, after;
	struct env e;

	env_init(&e);
	ts_dump_init(&before);
	env_dump(&e, &before);
	ts_warn_capture();
	ck_assert_int_eq(c_remap_reserved(&e, NULL), -EINVAL);
	ck_assert_int_eq(ts_warn_count(), 1);
	gpuvm_set_warn_handler(NULL, NULL);
	ts_dump_init(&after);
	env_dump(&e, &after);
	ts_dump_expect_eq(&before, &after, "gpuvm_va_remap, reserved", 0);
	ts_dump_fini(&before);
	ts_dump_fini(&after);
	env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* gpuvm_init: @vm untouched on error                                       */

static const struct {
	const char *what;
	struct gpuvm_init_args args;
	bool no_ops;
} bad_inits[] = {
	{ "no ops", { .range = 0x1000 }, true },
	{ "no vm_free", { .range = 0x1000, .ops = &(const struct gpuvm_ops){
		.sm_step_map = count_step } }, false },
	{ "zero range", { .start = 0x1000, .range = 0 }, false },
	{ "end wraps past 2^64", { .start = UINT64_MAX - 0xfff,
				   .range = 0x2000 }, false },
	{ "end exactly 2^64", { .start = UINT64_MAX - 0xfff,
				.range = 0x1000 }, false },
	{ "reserved region wraps", { .start = 0, .range = 0x10000,
				     .reserve_start = UINT64_MAX,
				     .reserve_range = 2 }, false },
	{ "reserved region below the space", { .start = 0x1000,
					       .range = 0x10000,
					       .reserve_start = 0,
					       .reserve_range = 0x2000 }, false },
	{ "reserved region past the end", { .start = 0x1000, .range = 0x10000,
					    .reserve_start = 0x10000,
					    .reserve_range = 0x2000 }, false },
};

START_TEST(test_bad_init)
{
	struct gpuvm_init_args args = bad_inits[_i].args;
	unsigned char before[sizeof(struct gpuvm)];
	struct gpuvm vm;

	if (!bad_inits[_i].no_ops && !args.ops)
		args.ops = &ts_vm_ops;
	ts_alloc_install();
	memset(&vm, 0xa5, sizeof(vm));
	memcpy(before, &vm, sizeof(vm));
	ts_alloc_fail_at(1, true);
	ck_assert_msg(gpuvm_init(&vm, &args) == -EINVAL, "%s",
		      bad_inits[_i].what);
	ts_alloc_fail_at(0, 0);
	ck_assert_msg(!memcmp(before, &vm, sizeof(vm)), "%s: vm written",
		      bad_inits[_i].what);
	ck_assert_uint_eq(ts_alloc_calls(), 0);
	ts_alloc_uninstall();
}
END_TEST

START_TEST(test_init_null)
{
	struct gpuvm_init_args args = { .range = 0x1000, .ops = &ts_vm_ops };
	struct gpuvm vm;

	ck_assert_int_eq(gpuvm_init(NULL, &args), -EINVAL);
	memset(&vm, 0x5a, sizeof(vm));
	ck_assert_int_eq(gpuvm_init(&vm, NULL), -EINVAL);
	ck_assert_uint_eq(vm.refcount, 0x5a5a5a5a);
}
END_TEST

static Suite *bad_input_suite(void)
{
	Suite *s = suite_create("bad_input");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_bad_ranges, 0,
			    ARRAY_SIZE(bad_ranges) * ARRAY_SIZE(range_calls));
	tcase_add_loop_test(tc, test_other, 0, ARRAY_SIZE(other_rows));
	tcase_add_test(tc, test_remap_reserved);
	tcase_add_loop_test(tc, test_bad_init, 0, ARRAY_SIZE(bad_inits));
	tcase_add_test(tc, test_init_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* single-threaded: VAs are linked without taking the objects' locks */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(bad_input_suite());
}
