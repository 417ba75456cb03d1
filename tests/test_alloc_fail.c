// SPDX-License-Identifier: MIT
/*
 * Allocation-failure sweep (case 40 of docs/test-cases.md; docs/semantics.md,
 * 2.8): every allocating entry point
 * is called again and again with its 1st, 2nd, ... allocation failing, once
 * transiently (only that allocation fails) and once persistently (that one
 * and every later one).  Each failed call must return -ENOMEM (NULL for
 * gpuvm_vm_bo_create()) with an empty list, leave no allocation behind and
 * leave the tree, the references and the object lists as they were.  The
 * sweep ends with the first call in which no allocation was failed; it must
 * then succeed, and every allocation point it went through must have been
 * failed once.
 */
#include "support.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VAS 8
#define MAX_SNAP 16
#define SWEEP_LIMIT 1000

enum { O_NONE, O_X, O_Y, O_Z, O_W, O_COUNT };

struct va_desc {
	uint64_t addr;
	uint64_t range;
	int obj;
	uint64_t offset;
};

#define D(a, r, o, off) { (a), (r), (o), (off) }
#define ARRAY_SIZE(a) ((int)(sizeof(a) / sizeof((a)[0])))

enum call_kind { C_MAP, C_UNMAP, C_MADVISE, C_PREFETCH, C_BO_UNMAP };

struct sweep_case {
	const char *name;
	enum call_kind kind;
	struct va_desc exist[MAX_VAS];	/* range 0 ends the list */
	struct va_desc req;		/* C_BO_UNMAP: req.obj is the object */
	int nops;			/* ops of the successful plan */
	bool driver_ops;		/* ops allocated by an op_alloc hook */
};

#define M16_VAS { D(0, 10, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Z, 0), \
		  D(30, 10, O_X, 30) }
#define U6_VAS { D(0, 10, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Y, 0) }
#define S3_NULL { D(0, 10, O_NONE, 0), D(10, 10, O_NONE, 0), \
		  D(20, 10, O_NONE, 0) }

static const struct sweep_case cases[] = {
	{ "map M16", C_MAP, M16_VAS, D(5, 30, O_W, 0), 5, false },
	{ "map M16 op_alloc", C_MAP, M16_VAS, D(5, 30, O_W, 0), 5, true },
	{ "map M11", C_MAP, { D(10, 20, O_X, 0) }, D(15, 5, O_Y, 0), 2,
	  false },
	{ "map M12 op_alloc", C_MAP, { D(10, 20, O_X, 0) }, D(15, 5, O_X, 5),
	  2, true },
	{ "map M20", C_MAP, { D(0, 30, O_NONE, 0) }, D(10, 10, O_X, 0), 2,
	  false },
	{ "map M22", C_MAP, { D(10, 10, O_X, 0), D(20, 10, O_X, 10) },
	  D(10, 20, O_X, 0), 3, false },
	{ "map M18", C_MAP, { D(0, 0, 0, 0) }, D(40, 10, O_X, 0), 1, false },
	{ "map over U6", C_MAP, U6_VAS, D(5, 20, O_W, 0), 4, false },
	{ "map over U2", C_MAP, { D(10, 10, O_X, 0) }, D(12, 6, O_W, 0), 2,
	  false },
	{ "unmap U6", C_UNMAP, U6_VAS, D(5, 20, 0, 0), 3, false },
	{ "unmap U6 op_alloc", C_UNMAP, U6_VAS, D(5, 20, 0, 0), 3, true },
	{ "unmap U2", C_UNMAP, { D(10, 10, O_X, 0) }, D(12, 6, 0, 0), 1,
	  false },
	{ "unmap U5", C_UNMAP,
	  { D(0, 10, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Z, 0) },
	  D(0, 30, 0, 0), 3, false },
	{ "unmap U8", C_UNMAP, { D(0, 30, O_NONE, 0) }, D(10, 10, 0, 0), 1,
	  false },
	{ "madvise D2", C_MADVISE, S3_NULL, D(5, 20, O_NONE, 0), 4, false },
	{ "madvise D2 op_alloc", C_MADVISE, S3_NULL, D(5, 20, O_NONE, 0), 4,
	  true },
	{ "madvise D1", C_MADVISE, { D(0, 30, O_NONE, 0) },
	  D(10, 10, O_NONE, 0), 2, false },
	{ "madvise D8", C_MADVISE,
	  { D(0, 10, O_NONE, 0), D(10, 10, O_X, 0), D(20, 10, O_NONE, 0) },
	  D(5, 20, O_NONE, 0), 4, false },
	{ "prefetch", C_PREFETCH,
	  { D(0, 10, O_X, 0), D(20, 10, O_NONE, 0), D(40, 10, O_Y, 0) },
	  D(0, 100, 0, 0), 4, false },
	{ "prefetch op_alloc", C_PREFETCH,
	  { D(0, 10, O_X, 0), D(20, 10, O_NONE, 0), D(40, 10, O_Y, 0) },
	  D(0, 100, 0, 0), 4, true },
	{ "bo-unmap", C_BO_UNMAP,
	  { D(30, 5, O_X, 30), D(10, 5, O_X, 10), D(50, 5, O_Y, 0),
	    D(20, 5, O_X, 20) },
	  D(0, 0, O_X, 0), 3, false },
	{ "bo-unmap op_alloc", C_BO_UNMAP,
	  { D(30, 5, O_X, 30), D(10, 5, O_X, 10), D(20, 5, O_X, 20) },
	  D(0, 0, O_X, 0), 3, true },
};

/* ------------------------------------------------------------------------ */
/* Environment                                                              */

struct env {
	struct ts_vm t;
	struct ts_bo bo[O_COUNT];
};

static int op_allocs, op_frees;

static void af_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct ts_vm, vm)->freed++;
}

struct drv_op {
	uint64_t cookie;
	struct gpuvm_op op;
};

static struct gpuvm_op *af_op_alloc(struct gpuvm *vm)
{
	struct drv_op *d = gpuvm_zalloc(sizeof(*d));

	(void)vm;
	if (!d)
		return NULL;
	d->cookie = 0xc0ffee;
	op_allocs++;
	return &d->op;
}

static void af_op_free(struct gpuvm *vm, struct gpuvm_op *op)
{
	struct drv_op *d = gpuvm_container_of(op, struct drv_op, op);

	(void)vm;
	ck_assert_uint_eq(d->cookie, 0xc0ffee);
	op_frees++;
	gpuvm_free(d);
}

static const struct gpuvm_ops plain_ops = {
	.vm_free = af_vm_free,
};

static const struct gpuvm_ops driver_op_ops = {
	.vm_free = af_vm_free,
	.op_alloc = af_op_alloc,
	.op_free = af_op_free,
};

static struct gpuvm_bo *objp(struct env *e, int id)
{
	return id ? &e->bo[id].base : NULL;
}

static void env_init(struct env *e, const struct va_desc *exist,
		     const struct gpuvm_ops *ops)
{
	memset(e, 0, sizeof(*e));
	ts_vm_init(&e->t, 0, 100, 90, 10, ops);
	for (int i = 1; i < O_COUNT; i++)
		ts_bo_init(&e->bo[i], i);
	for (int i = 0; exist && i < MAX_VAS && exist[i].range; i++) {
		struct gpuvm_va *va = ts_va_new(exist[i].addr, exist[i].range,
						objp(e, exist[i].obj),
						exist[i].offset);
		struct gpuvm_vm_bo *vm_bo;

		ck_assert_int_eq(gpuvm_va_insert(&e->t.vm, va), 0);
		if (!va->obj)
			continue;
		ck_assert_int_eq(gpuvm_vm_bo_obtain(&e->t.vm, va->obj, &vm_bo),
				 0);
		gpuvm_va_link(va, vm_bo);
		ck_assert(!gpuvm_vm_bo_put(vm_bo));
	}
	ck_assert_int_eq(gpuvm_check(&e->t.vm), 0);
}

static void env_fini(struct env *e)
{
	ts_vm_drain(&e->t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&e->t.vm), 1);
	gpuvm_put(&e->t.vm);
	ck_assert_int_eq(e->t.freed, 1);
	for (int i = 1; i < O_COUNT; i++)
		ck_assert_int_eq(e->bo[i].refs, 1);
}

/* ------------------------------------------------------------------------ */
/* Snapshot of everything a failed call must leave alone                    */

struct snap_ent {
	const struct gpuvm_va *va;
	uint64_t addr, range, offset;
	const struct gpuvm_bo *obj;
	const struct gpuvm_vm_bo *vm_bo;
	uint32_t vm_bo_refs;
};

struct snap {
	int n;
	uint64_t count;
	uint32_t vm_refs;
	int bo_refs[O_COUNT];
	int bo_vm_bos[O_COUNT];
	struct snap_ent e[MAX_SNAP];
};

static int list_count(const struct gpuvm_list *head)
{
	const struct gpuvm_list *l;
	int n = 0;

	for (l = head->next; l != head; l = l->next)
		n++;
	return n;
}

static void snap_take(struct snap *s, struct env *e)
{
	const struct gpuvm_va *va;

	memset(s, 0, sizeof(*s));
	gpuvm_for_each_va(va, &e->t.vm) {
		ck_assert_int_lt(s->n, MAX_SNAP);
		s->e[s->n].va = va;
		s->e[s->n].addr = va->addr;
		s->e[s->n].range = va->range;
		s->e[s->n].offset = va->offset;
		s->e[s->n].obj = va->obj;
		s->e[s->n].vm_bo = va->vm_bo;
		s->e[s->n].vm_bo_refs = va->vm_bo ? va->vm_bo->refcount : 0;
		s->n++;
	}
	s->count = gpuvm_va_count(&e->t.vm);
	s->vm_refs = gpuvm_refcount(&e->t.vm);
	for (int i = 1; i < O_COUNT; i++) {
		s->bo_refs[i] = e->bo[i].refs;
		s->bo_vm_bos[i] = list_count(&e->bo[i].base.vm_bos);
	}
}

static void snap_check(const struct snap *s, struct env *e, const char *name,
		       unsigned long n)
{
	struct snap now;

	snap_take(&now, e);
	ck_assert_msg(now.n == s->n && now.count == s->count,
		      "%s, allocation %lu: VA count changed", name, n);
	ck_assert_msg(now.vm_refs == s->vm_refs,
		      "%s, allocation %lu: VM refcount %u, was %u", name, n,
		      now.vm_refs, s->vm_refs);
	for (int i = 0; i < s->n; i++) {
		ck_assert_msg(now.e[i].va == s->e[i].va &&
			      now.e[i].addr == s->e[i].addr &&
			      now.e[i].range == s->e[i].range &&
			      now.e[i].offset == s->e[i].offset &&
			      now.e[i].obj == s->e[i].obj &&
			      now.e[i].vm_bo == s->e[i].vm_bo &&
			      now.e[i].vm_bo_refs == s->e[i].vm_bo_refs,
			      "%s, allocation %lu: VA %d changed", name, n, i);
	}
	for (int i = 1; i < O_COUNT; i++) {
		ck_assert_msg(now.bo_refs[i] == s->bo_refs[i],
			      "%s, allocation %lu: object %d refs", name, n, i);
		ck_assert_msg(now.bo_vm_bos[i] == s->bo_vm_bos[i],
			      "%s, allocation %lu: object %d vm_bos", name, n,
			      i);
	}
	ck_assert_int_eq(gpuvm_check(&e->t.vm), 0);
}

/* ------------------------------------------------------------------------ */
/* The sweep                                                                */

static int list_len(const struct gpuvm_op_list *list)
{
	struct gpuvm_op *op;
	int n = 0;

	gpuvm_op_list_for_each(op, list)
		n++;
	return n;
}

static int do_call(struct env *e, const struct sweep_case *c,
		   struct gpuvm_op_list *list)
{
	struct gpuvm_map_req req;
	struct gpuvm_vm_bo *vm_bo;
	int ret;

	memset(&req, 0, sizeof(req));
	req.map.addr = c->req.addr;
	req.map.range = c->req.range;
	req.map.obj = objp(e, c->req.obj);
	req.map.offset = c->req.offset;

	switch (c->kind) {
	case C_MAP:
		return gpuvm_sm_map_ops_create(&e->t.vm, &req, list);
	case C_UNMAP:
		return gpuvm_sm_unmap_ops_create(&e->t.vm, c->req.addr,
						 c->req.range, list);
	case C_MADVISE:
		return gpuvm_madvise_ops_create(&e->t.vm, &req, list);
	case C_PREFETCH:
		return gpuvm_prefetch_ops_create(&e->t.vm, c->req.addr,
						 c->req.range, list);
	case C_BO_UNMAP:
		/* find allocates nothing; the reference is dropped at once */
		vm_bo = gpuvm_vm_bo_find(&e->t.vm, objp(e, c->req.obj));
		ck_assert_ptr_nonnull(vm_bo);
		ret = gpuvm_bo_unmap_ops_create(vm_bo, list);
		ck_assert(!gpuvm_vm_bo_put(vm_bo));
		return ret;
	}
	ck_abort_msg("bad case");
	return -1;
}

/*
 * Fail allocation n (transient) or n and later (persistent) for n = 1, 2,
 * ... until a call goes through untouched.  Returns the number of
 * allocations the successful call made.
 */
static unsigned long sweep_list(struct env *e, const struct sweep_case *c,
				bool persistent)
{
	unsigned long n, hits = 0, calls0 = 0;

	for (n = 1;; n++) {
		struct gpuvm_op_list list;
		unsigned long fails;
		struct snap s;
		long live;
		int ret;

		ck_assert_msg(n < SWEEP_LIMIT, "%s: sweep does not end",
			      c->name);
		snap_take(&s, e);
		live = ts_alloc_live();
		fails = ts_alloc_failures();
		op_allocs = op_frees = 0;
		memset(&list, 0xa5, sizeof(list));
		calls0 = ts_alloc_calls();
		ts_alloc_fail_at(n, persistent);
		ret = do_call(e, c, &list);
		ts_alloc_fail_at(0, 0);

		if (ts_alloc_failures() == fails) {
			/* nothing failed: the plan is complete */
			ck_assert_msg(ret == 0, "%s: %s without failure",
				      c->name, gpuvm_err_name(ret));
			ck_assert_int_eq(list_len(&list), c->nops);
			snap_check(&s, e, c->name, n);
			if (c->driver_ops)
				ck_assert_int_eq(op_allocs, c->nops);
			gpuvm_op_list_clear(&e->t.vm, &list);
			ck_assert(gpuvm_list_empty(&list.ops));
			if (c->driver_ops)
				ck_assert_int_eq(op_frees, c->nops);
			ck_assert_int_eq(ts_alloc_live(), live);
			break;
		}
		hits++;
		ck_assert_msg(ret == -ENOMEM,
			      "%s, allocation %lu (%s): returned %s", c->name,
			      n, persistent ? "persistent" : "transient",
			      gpuvm_err_name(ret));
		ck_assert_msg(gpuvm_list_empty(&list.ops),
			      "%s, allocation %lu: list not empty", c->name, n);
		ck_assert_msg(ts_alloc_live() == live,
			      "%s, allocation %lu (%s): %ld blocks leaked",
			      c->name, n, persistent ? "persistent" :
			      "transient", ts_alloc_live() - live);
		if (c->driver_ops)
			ck_assert_msg(op_allocs == op_frees,
				      "%s, allocation %lu: %d ops allocated, "
				      "%d freed", c->name, n, op_allocs,
				      op_frees);
		snap_check(&s, e, c->name, n);
	}
	/* every allocation of the successful call was failed once */
	ck_assert_uint_eq(hits, n - 1);
	ck_assert_uint_eq(ts_alloc_calls() - calls0, hits);
	if (c->driver_ops) {
		/* the driver's hooks: one allocation per op */
		ck_assert_msg(hits >= 1, "%s: no allocation to fail", c->name);
		ck_assert_uint_ge(hits, (unsigned long)c->nops);
	} else {
		/* GPUVM_OP_LIST_INLINE ops in the list, then blocks of 7 */
		unsigned long extra = c->nops > GPUVM_OP_LIST_INLINE ?
			(unsigned long)c->nops - GPUVM_OP_LIST_INLINE : 0;

		ck_assert_uint_eq(hits, (extra + 6) / 7);
	}
	return hits;
}

START_TEST(test_sweep_lists)
{
	const struct sweep_case *c = &cases[_i];
	unsigned long transient, persistent;
	struct env e;

	ts_alloc_install();
	env_init(&e, c->exist, c->driver_ops ? &driver_op_ops : &plain_ops);
	transient = sweep_list(&e, c, false);
	persistent = sweep_list(&e, c, true);
	ck_assert_uint_eq(transient, persistent);
	env_fini(&e);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* vm_bo allocation                                                         */

static int drv_vm_bo_allocs, drv_vm_bo_frees;

static struct gpuvm_vm_bo *af_vm_bo_alloc(struct gpuvm *vm)
{
	(void)vm;
	drv_vm_bo_allocs++;
	return gpuvm_zalloc(sizeof(struct gpuvm_vm_bo));
}

static void af_vm_bo_free(struct gpuvm_vm_bo *vm_bo)
{
	drv_vm_bo_frees++;
	gpuvm_free(vm_bo);
}

static const struct gpuvm_ops vm_bo_hook_ops = {
	.vm_free = af_vm_free,
	.vm_bo_alloc = af_vm_bo_alloc,
	.vm_bo_free = af_vm_bo_free,
};

/* X already has a vm_bo on another VM so that its list is not empty. */
static void sweep_vm_bo(const struct gpuvm_ops *ops, bool create,
			bool persistent)
{
	struct ts_vm other;
	struct gpuvm_vm_bo *ov;
	unsigned long n, hits = 0;
	struct env e;

	ts_alloc_install();
	ts_vm_init(&other, 0, 100, 0, 0, NULL);
	env_init(&e, NULL, ops);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&other.vm, &e.bo[O_X].base, &ov),
			 0);
	for (n = 1;; n++) {
		struct gpuvm_vm_bo *vm_bo = NULL;
		unsigned long fails;
		uint32_t other_refs;
		struct snap s;
		long live;
		int ret = 0;

		ck_assert_int_lt(n, SWEEP_LIMIT);
		snap_take(&s, &e);
		live = ts_alloc_live();
		fails = ts_alloc_failures();
		other_refs = gpuvm_refcount(&other.vm);
		drv_vm_bo_allocs = drv_vm_bo_frees = 0;
		ts_alloc_fail_at(n, persistent);
		if (create)
			vm_bo = gpuvm_vm_bo_create(&e.t.vm, &e.bo[O_X].base);
		else
			ret = gpuvm_vm_bo_obtain(&e.t.vm, &e.bo[O_X].base,
						 &vm_bo);
		ts_alloc_fail_at(0, 0);

		if (ts_alloc_failures() == fails) {
			ck_assert_int_eq(ret, 0);
			ck_assert_ptr_nonnull(vm_bo);
			ck_assert_ptr_eq(vm_bo->vm, &e.t.vm);
			ck_assert_ptr_eq(vm_bo->obj, &e.bo[O_X].base);
			ck_assert_uint_eq(gpuvm_refcount(&e.t.vm),
					  s.vm_refs + 1);
			ck_assert_int_eq(e.bo[O_X].refs, s.bo_refs[O_X] + 1);
			ck_assert_int_eq(list_count(&e.bo[O_X].base.vm_bos),
					 s.bo_vm_bos[O_X] + (create ? 0 : 1));
			ck_assert(gpuvm_vm_bo_put(vm_bo));
			snap_check(&s, &e, "vm_bo", n);
			ck_assert_int_eq(ts_alloc_live(), live);
			break;
		}
		hits++;
		if (create) {
			ck_assert_ptr_null(vm_bo);
		} else {
			ck_assert_int_eq(ret, -ENOMEM);
		}
		ck_assert_int_eq(ts_alloc_live(), live);
		ck_assert_int_eq(drv_vm_bo_frees, 0);
		snap_check(&s, &e, "vm_bo", n);
		ck_assert_uint_eq(gpuvm_refcount(&other.vm), other_refs);
		ck_assert_ptr_null(gpuvm_vm_bo_find(&e.t.vm,
						    &e.bo[O_X].base));
		/* the other VM's vm_bo is still the object's only one */
		ck_assert_ptr_eq(gpuvm_list_first_entry(&e.bo[O_X].base.vm_bos,
							struct gpuvm_vm_bo,
							bo_link), ov);
	}
	ck_assert_uint_ge(hits, 1);
	ck_assert_uint_eq(hits, n - 1);
	if (ops == &vm_bo_hook_ops)
		ck_assert_int_eq(drv_vm_bo_allocs, 1);

	ck_assert(gpuvm_vm_bo_put(ov));
	ck_assert_uint_eq(gpuvm_refcount(&other.vm), 1);
	gpuvm_put(&other.vm);
	ck_assert_int_eq(other.freed, 1);
	env_fini(&e);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}

START_TEST(test_sweep_obtain)
{
	sweep_vm_bo(&plain_ops, false, false);
	sweep_vm_bo(&plain_ops, false, true);
}
END_TEST

START_TEST(test_sweep_obtain_hook)
{
	sweep_vm_bo(&vm_bo_hook_ops, false, false);
	sweep_vm_bo(&vm_bo_hook_ops, false, true);
}
END_TEST

START_TEST(test_sweep_create)
{
	sweep_vm_bo(&plain_ops, true, false);
	sweep_vm_bo(&plain_ops, true, true);
}
END_TEST

START_TEST(test_sweep_create_hook)
{
	sweep_vm_bo(&vm_bo_hook_ops, true, false);
	sweep_vm_bo(&vm_bo_hook_ops, true, true);
}
END_TEST

/* An existing vm_bo is found without allocating. */
START_TEST(test_obtain_existing_no_alloc)
{
	struct gpuvm_vm_bo *a, *b;
	unsigned long calls;
	struct env e;

	ts_alloc_install();
	env_init(&e, NULL, &plain_ops);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&e.t.vm, &e.bo[O_X].base, &a), 0);
	calls = ts_alloc_calls();
	ts_alloc_fail_at(1, true);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&e.t.vm, &e.bo[O_X].base, &b), 0);
	ts_alloc_fail_at(0, 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(ts_alloc_calls(), calls);
	ck_assert_uint_eq(ts_alloc_failures(), 0);
	ck_assert(!gpuvm_vm_bo_put(b));
	ck_assert(gpuvm_vm_bo_put(a));
	env_fini(&e);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

/*
 * With the VA structures and the vm_bo allocated up front, applying a plan
 * allocates nothing: it works with every allocation failing.
 */
START_TEST(test_apply_never_allocates)
{
	static const struct va_desc m16[MAX_VAS] = M16_VAS;
	struct gpuvm_va *spare[3], *va;
	struct gpuvm_vm_bo *vw;
	struct gpuvm_op_list list;
	struct gpuvm_map_req req;
	struct gpuvm_op *op;
	unsigned long calls;
	int used = 0;
	struct env e;

	ts_alloc_install();
	env_init(&e, m16, &plain_ops);
	memset(&req, 0, sizeof(req));
	req.map.addr = 5;
	req.map.range = 30;
	req.map.obj = &e.bo[O_W].base;
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&e.t.vm, &req, &list), 0);
	ck_assert_uint_eq(gpuvm_op_list_count_new_vas(&list), 3);
	for (int i = 0; i < 3; i++)
		spare[i] = ts_va_new(0, 0, NULL, 0);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&e.t.vm, &e.bo[O_W].base, &vw),
			 0);

	calls = ts_alloc_calls();
	ts_alloc_fail_at(1, true);
	gpuvm_op_list_for_each(op, &list) {
		switch (op->type) {
		case GPUVM_OP_MAP:
			va = spare[used++];
			ck_assert_int_eq(gpuvm_va_map(&e.t.vm, va, &op->map),
					 0);
			gpuvm_va_link(va, vw);
			break;
		case GPUVM_OP_REMAP: {
			struct gpuvm_va *old = op->remap.unmap->va;
			struct gpuvm_va *p = NULL, *nx = NULL;

			if (op->remap.prev)
				p = spare[used++];
			if (op->remap.next)
				nx = spare[used++];
			ck_assert_int_eq(gpuvm_va_remap(p, nx, &op->remap), 0);
			if (p)
				gpuvm_va_link(p, old->vm_bo);
			if (nx)
				gpuvm_va_link(nx, old->vm_bo);
			gpuvm_va_unlink(old);
			free(old);
			break;
		}
		case GPUVM_OP_UNMAP:
			va = op->unmap.va;
			gpuvm_va_unmap(&op->unmap);
			gpuvm_va_unlink(va);
			free(va);
			break;
		default:
			ck_abort_msg("unexpected op %d", (int)op->type);
		}
	}
	ck_assert(!gpuvm_vm_bo_put(vw));
	ts_alloc_fail_at(0, 0);
	ck_assert_int_eq(used, 3);
	ck_assert_uint_eq(ts_alloc_calls(), calls);
	ck_assert_uint_eq(ts_alloc_failures(), 0);
	ck_assert_int_eq(gpuvm_check(&e.t.vm), 0);
	ck_assert_uint_eq(gpuvm_va_count(&e.t.vm), 3);
	ck_assert_ptr_eq(gpuvm_va_find(&e.t.vm, 5, 30), spare[2]);
	ck_assert_ptr_eq(gpuvm_va_find(&e.t.vm, 0, 5), spare[0]);
	ck_assert_ptr_eq(gpuvm_va_find(&e.t.vm, 35, 5), spare[1]);

	gpuvm_op_list_clear(&e.t.vm, &list);
	env_fini(&e);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *alloc_fail_suite(void)
{
	Suite *s = suite_create("alloc_fail");
	TCase *tc;

	tc = tcase_create("lists");
	tcase_add_loop_test(tc, test_sweep_lists, 0, ARRAY_SIZE(cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("vm_bo");
	tcase_add_test(tc, test_sweep_obtain);
	tcase_add_test(tc, test_sweep_obtain_hook);
	tcase_add_test(tc, test_sweep_create);
	tcase_add_test(tc, test_sweep_create_hook);
	tcase_add_test(tc, test_obtain_existing_no_alloc);
	suite_add_tcase(s, tc);

	tc = tcase_create("apply");
	tcase_add_test(tc, test_apply_never_allocates);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	/* Single-threaded tests: they link VAs without taking the objects'
	 * locks; tests/test_vm_bo_modes.c covers the lock checks. */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(alloc_fail_suite());
}
