// SPDX-License-Identifier: MIT
/*
 * Split/merge planning.
 *
 * The worked examples of docs/semantics.md section 4 (M1-M22, U1-U8, D1-D8;
 * cases 14-35, 41-48, 51-58 of docs/test-cases.md) are described once in
 * tables: the VAs that exist, the request, the exact op sequence and the
 * tree after applying it (taken from the kernel's output in the traces
 * tests/traces/spec-*).  Every scenario goes through the recording callback
 * form, the list form (the two must agree, docs/semantics.md 2.8), an
 * application of the list to the tree and an application inside the
 * callbacks on a second, identical VM.
 *
 * The rest covers cases 36-39, 49, 50, 59, 61 and 62 and the error
 * paths of gpuvm_va_remap() and gpuvm_va_map().
 */
#include "support.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VAS 8
#define MAX_OPS 8
#define MAX_SNAP 16

/* Objects of the scenarios: index into struct fix.bo, 0 is "no object". */
enum { O_NONE, O_X, O_Y, O_Z, O_W, O_COUNT };

/* One mapping: [addr, addr + range), object id, offset. range 0 ends a list. */
struct va_desc {
	uint64_t addr;
	uint64_t range;
	int obj;
	uint64_t offset;
};

/* Expected op kinds; E_END (0) ends an op list. */
enum exp_kind { E_END, E_MAP, E_UNMAP, E_REMAP, E_PREFETCH };

struct exp_op {
	enum exp_kind kind;
	int va;			/* UNMAP/REMAP: index of the existing VA */
	bool keep;
	bool has_prev;
	bool has_next;
	struct va_desc map;	/* MAP */
	struct va_desc prev;	/* REMAP */
	struct va_desc next;	/* REMAP */
};

struct scenario {
	const char *name;
	struct va_desc exist[MAX_VAS];
	struct va_desc req;	/* map/madvise request, or the unmap range */
	struct exp_op ops[MAX_OPS];
	struct va_desc final[MAX_VAS];
	unsigned int new_vas;	/* gpuvm_op_list_count_new_vas() of the plan */
};

#define D(a, r, o, off) { (a), (r), (o), (off) }
#define MAP(a, r, o, off) { .kind = E_MAP, .map = D(a, r, o, off) }
#define UNMAP(i, k) { .kind = E_UNMAP, .va = (i), .keep = (k) }
#define REMAP_P(i, k, p) \
	{ .kind = E_REMAP, .va = (i), .keep = (k), .has_prev = true, .prev = p }
#define REMAP_N(i, k, n) \
	{ .kind = E_REMAP, .va = (i), .keep = (k), .has_next = true, .next = n }
#define REMAP_PN(i, k, p, n) \
	{ .kind = E_REMAP, .va = (i), .keep = (k), .has_prev = true, \
	  .prev = p, .has_next = true, .next = n }

#define ARRAY_SIZE(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* docs/semantics.md 4.1, final trees from traces/spec-M*.out; K*: see below. */
static const struct scenario map_cases[] = {
	{ "M1", { D(10, 10, O_X, 0) }, D(10, 10, O_X, 0),
	  { UNMAP(0, true), MAP(10, 10, O_X, 0) },
	  { D(10, 10, O_X, 0) }, 1 },
	{ "M2", { D(10, 10, O_X, 0) }, D(10, 10, O_X, 5),
	  { UNMAP(0, false), MAP(10, 10, O_X, 5) },
	  { D(10, 10, O_X, 5) }, 1 },
	{ "M3", { D(10, 10, O_X, 0) }, D(10, 10, O_Y, 0),
	  { UNMAP(0, false), MAP(10, 10, O_Y, 0) },
	  { D(10, 10, O_Y, 0) }, 1 },
	{ "M4", { D(10, 5, O_X, 0) }, D(10, 10, O_X, 0),
	  { UNMAP(0, true), MAP(10, 10, O_X, 0) },
	  { D(10, 10, O_X, 0) }, 1 },
	{ "M5", { D(10, 10, O_X, 0) }, D(10, 5, O_Y, 0),
	  { REMAP_N(0, false, D(15, 5, O_X, 5)), MAP(10, 5, O_Y, 0) },
	  { D(10, 5, O_Y, 0), D(15, 5, O_X, 5) }, 2 },
	{ "M6", { D(10, 10, O_X, 0) }, D(10, 5, O_X, 0),
	  { REMAP_N(0, true, D(15, 5, O_X, 5)), MAP(10, 5, O_X, 0) },
	  { D(10, 5, O_X, 0), D(15, 5, O_X, 5) }, 2 },
	{ "M7", { D(10, 10, O_X, 0) }, D(15, 5, O_Y, 7),
	  { REMAP_P(0, false, D(10, 5, O_X, 0)), MAP(15, 5, O_Y, 7) },
	  { D(10, 5, O_X, 0), D(15, 5, O_Y, 7) }, 2 },
	{ "M8", { D(10, 10, O_X, 0) }, D(15, 5, O_X, 5),
	  { REMAP_P(0, true, D(10, 5, O_X, 0)), MAP(15, 5, O_X, 5) },
	  { D(10, 5, O_X, 0), D(15, 5, O_X, 5) }, 2 },
	{ "M9", { D(10, 10, O_X, 0) }, D(15, 10, O_Y, 0),
	  { REMAP_P(0, false, D(10, 5, O_X, 0)), MAP(15, 10, O_Y, 0) },
	  { D(10, 5, O_X, 0), D(15, 10, O_Y, 0) }, 2 },
	{ "M10", { D(10, 10, O_X, 0) }, D(15, 10, O_X, 5),
	  { REMAP_P(0, true, D(10, 5, O_X, 0)), MAP(15, 10, O_X, 5) },
	  { D(10, 5, O_X, 0), D(15, 10, O_X, 5) }, 2 },
	{ "M11", { D(10, 20, O_X, 0) }, D(15, 5, O_Y, 0),
	  { REMAP_PN(0, false, D(10, 5, O_X, 0), D(20, 10, O_X, 10)),
	    MAP(15, 5, O_Y, 0) },
	  { D(10, 5, O_X, 0), D(15, 5, O_Y, 0), D(20, 10, O_X, 10) }, 3 },
	{ "M12", { D(10, 20, O_X, 0) }, D(15, 5, O_X, 5),
	  { REMAP_PN(0, true, D(10, 5, O_X, 0), D(20, 10, O_X, 10)),
	    MAP(15, 5, O_X, 5) },
	  { D(10, 5, O_X, 0), D(15, 5, O_X, 5), D(20, 10, O_X, 10) }, 3 },
	{ "M13", { D(15, 5, O_X, 5) }, D(10, 10, O_X, 0),
	  { UNMAP(0, true), MAP(10, 10, O_X, 0) },
	  { D(10, 10, O_X, 0) }, 1 },
	{ "M14", { D(15, 5, O_X, 5) }, D(10, 20, O_X, 0),
	  { UNMAP(0, true), MAP(10, 20, O_X, 0) },
	  { D(10, 20, O_X, 0) }, 1 },
	{ "M15", { D(15, 15, O_X, 0) }, D(10, 10, O_Y, 0),
	  { REMAP_N(0, false, D(20, 10, O_X, 5)), MAP(10, 10, O_Y, 0) },
	  { D(10, 10, O_Y, 0), D(20, 10, O_X, 5) }, 2 },
	{ "M16",
	  { D(0, 10, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Z, 0),
	    D(30, 10, O_X, 30) },
	  D(5, 30, O_W, 0),
	  { REMAP_P(0, false, D(0, 5, O_X, 0)), UNMAP(1, false),
	    UNMAP(2, false), REMAP_N(3, false, D(35, 5, O_X, 35)),
	    MAP(5, 30, O_W, 0) },
	  { D(0, 5, O_X, 0), D(5, 30, O_W, 0), D(35, 5, O_X, 35) }, 3 },
	{ "M17", { D(0, 10, O_X, 0), D(20, 10, O_Z, 100) }, D(5, 20, O_W, 0),
	  { REMAP_P(0, false, D(0, 5, O_X, 0)),
	    REMAP_N(1, false, D(25, 5, O_Z, 105)), MAP(5, 20, O_W, 0) },
	  { D(0, 5, O_X, 0), D(5, 20, O_W, 0), D(25, 5, O_Z, 105) }, 3 },
	{ "M18", { D(0, 0, 0, 0) }, D(40, 10, O_X, 0),
	  { MAP(40, 10, O_X, 0) },
	  { D(40, 10, O_X, 0) }, 1 },
	{ "M19", { D(0, 10, O_X, 0) }, D(10, 10, O_X, 10),
	  { MAP(10, 10, O_X, 10) },
	  { D(0, 10, O_X, 0), D(10, 10, O_X, 10) }, 1 },
	{ "M20", { D(0, 30, O_NONE, 0) }, D(10, 10, O_X, 0),
	  { REMAP_PN(0, false, D(0, 10, O_NONE, 0), D(20, 10, O_NONE, 20)),
	    MAP(10, 10, O_X, 0) },
	  { D(0, 10, O_NONE, 0), D(10, 10, O_X, 0), D(20, 10, O_NONE, 20) },
	  3 },
	{ "M21", { D(0, 10, O_NONE, 0) }, D(0, 10, O_NONE, 0),
	  { UNMAP(0, false), MAP(0, 10, O_NONE, 0) },
	  { D(0, 10, O_NONE, 0) }, 1 },
	{ "M22", { D(10, 10, O_X, 0), D(20, 10, O_X, 10) }, D(10, 20, O_X, 0),
	  { UNMAP(0, true), UNMAP(1, true), MAP(10, 20, O_X, 0) },
	  { D(10, 20, O_X, 0) }, 1 },
	/*
	 * Keep rule (docs/semantics.md 2.2) corners beyond the M table: a
	 * consistent offset in another object, an inconsistent one in the same
	 * object, and keep on a next-only REMAP.
	 */
	{ "K1", { D(10, 10, O_X, 0) }, D(15, 5, O_Y, 5),
	  { REMAP_P(0, false, D(10, 5, O_X, 0)), MAP(15, 5, O_Y, 5) },
	  { D(10, 5, O_X, 0), D(15, 5, O_Y, 5) }, 2 },
	{ "K2", { D(15, 5, O_X, 5) }, D(10, 10, O_Y, 0),
	  { UNMAP(0, false), MAP(10, 10, O_Y, 0) },
	  { D(10, 10, O_Y, 0) }, 1 },
	{ "K3", { D(10, 10, O_X, 0) }, D(15, 5, O_X, 4),
	  { REMAP_P(0, false, D(10, 5, O_X, 0)), MAP(15, 5, O_X, 4) },
	  { D(10, 5, O_X, 0), D(15, 5, O_X, 4) }, 2 },
	{ "K4", { D(15, 5, O_X, 5) }, D(10, 10, O_X, 1),
	  { UNMAP(0, false), MAP(10, 10, O_X, 1) },
	  { D(10, 10, O_X, 1) }, 1 },
	{ "K5", { D(15, 15, O_X, 5) }, D(10, 10, O_X, 0),
	  { REMAP_N(0, true, D(20, 10, O_X, 10)), MAP(10, 10, O_X, 0) },
	  { D(10, 10, O_X, 0), D(20, 10, O_X, 10) }, 2 },
	{ "K6", { D(15, 15, O_Y, 5) }, D(10, 10, O_X, 0),
	  { REMAP_N(0, false, D(20, 10, O_Y, 10)), MAP(10, 10, O_X, 0) },
	  { D(10, 10, O_X, 0), D(20, 10, O_Y, 10) }, 2 },
	{ "K7", { D(0, 10, O_X, 0), D(10, 10, O_X, 10) }, D(5, 10, O_X, 5),
	  { REMAP_P(0, true, D(0, 5, O_X, 0)),
	    REMAP_N(1, true, D(15, 5, O_X, 15)), MAP(5, 10, O_X, 5) },
	  { D(0, 5, O_X, 0), D(5, 10, O_X, 5), D(15, 5, O_X, 15) }, 3 },
	{ "K8", { D(10, 20, O_Y, 0) }, D(15, 5, O_X, 5),
	  { REMAP_PN(0, false, D(10, 5, O_Y, 0), D(20, 10, O_Y, 10)),
	    MAP(15, 5, O_X, 5) },
	  { D(10, 5, O_Y, 0), D(15, 5, O_X, 5), D(20, 10, O_Y, 10) }, 3 },
};

/* docs/semantics.md 4.2, final trees from traces/spec-U*.out. */
static const struct scenario unmap_cases[] = {
	{ "U1", { D(10, 10, O_X, 0) }, D(10, 10, 0, 0),
	  { UNMAP(0, false) },
	  { D(0, 0, 0, 0) }, 0 },
	{ "U2", { D(10, 10, O_X, 0) }, D(12, 6, 0, 0),
	  { REMAP_PN(0, false, D(10, 2, O_X, 0), D(18, 2, O_X, 8)) },
	  { D(10, 2, O_X, 0), D(18, 2, O_X, 8) }, 2 },
	{ "U3", { D(10, 10, O_X, 0) }, D(5, 10, 0, 0),
	  { REMAP_N(0, false, D(15, 5, O_X, 5)) },
	  { D(15, 5, O_X, 5) }, 1 },
	{ "U4", { D(10, 10, O_X, 0) }, D(15, 10, 0, 0),
	  { REMAP_P(0, false, D(10, 5, O_X, 0)) },
	  { D(10, 5, O_X, 0) }, 1 },
	{ "U5", { D(0, 10, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Z, 0) },
	  D(0, 30, 0, 0),
	  { UNMAP(0, false), UNMAP(1, false), UNMAP(2, false) },
	  { D(0, 0, 0, 0) }, 0 },
	{ "U6", { D(0, 10, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Y, 0) },
	  D(5, 20, 0, 0),
	  { REMAP_P(0, false, D(0, 5, O_X, 0)), UNMAP(1, false),
	    REMAP_N(2, false, D(25, 5, O_Y, 5)) },
	  { D(0, 5, O_X, 0), D(25, 5, O_Y, 5) }, 2 },
	{ "U7", { D(0, 10, O_X, 0) }, D(40, 10, 0, 0),
	  { { .kind = E_END } },
	  { D(0, 10, O_X, 0) }, 0 },
	{ "U8", { D(0, 30, O_NONE, 0) }, D(10, 10, 0, 0),
	  { REMAP_PN(0, false, D(0, 10, O_NONE, 0), D(20, 10, O_NONE, 20)) },
	  { D(0, 10, O_NONE, 0), D(20, 10, O_NONE, 20) }, 2 },
};

#define S3_NULL { D(0, 10, O_NONE, 0), D(10, 10, O_NONE, 0), \
		  D(20, 10, O_NONE, 0) }

/*
 * docs/semantics.md 4.3, final trees from traces/spec-D*.out.  D1x, D2x give
 * the request an object: only the final MAP of a stopping row is the request
 * itself; the MAPs of the inner rows never carry an object.
 */
static const struct scenario madvise_cases[] = {
	{ "D1", { D(0, 30, O_NONE, 0) }, D(10, 10, O_NONE, 0),
	  { REMAP_PN(0, false, D(0, 10, O_NONE, 0), D(20, 10, O_NONE, 20)),
	    MAP(10, 10, O_NONE, 0) },
	  { D(0, 10, O_NONE, 0), D(10, 10, O_NONE, 0), D(20, 10, O_NONE, 20) },
	  3 },
	{ "D1x", { D(0, 30, O_NONE, 0) }, D(10, 10, O_X, 7),
	  { REMAP_PN(0, false, D(0, 10, O_NONE, 0), D(20, 10, O_NONE, 20)),
	    MAP(10, 10, O_X, 7) },
	  { D(0, 10, O_NONE, 0), D(10, 10, O_X, 7), D(20, 10, O_NONE, 20) },
	  3 },
	{ "D2", S3_NULL, D(5, 20, O_NONE, 0),
	  { REMAP_P(0, false, D(0, 5, O_NONE, 0)), MAP(5, 5, O_NONE, 0),
	    REMAP_N(2, false, D(25, 5, O_NONE, 5)), MAP(20, 5, O_NONE, 0) },
	  { D(0, 5, O_NONE, 0), D(5, 5, O_NONE, 0), D(10, 10, O_NONE, 0),
	    D(20, 5, O_NONE, 0), D(25, 5, O_NONE, 5) }, 4 },
	{ "D2x", S3_NULL, D(5, 20, O_X, 7),
	  { REMAP_P(0, false, D(0, 5, O_NONE, 0)), MAP(5, 5, O_NONE, 0),
	    REMAP_N(2, false, D(25, 5, O_NONE, 5)), MAP(20, 5, O_NONE, 0) },
	  { D(0, 5, O_NONE, 0), D(5, 5, O_NONE, 0), D(10, 10, O_NONE, 0),
	    D(20, 5, O_NONE, 0), D(25, 5, O_NONE, 5) }, 4 },
	{ "D3", S3_NULL, D(0, 25, O_NONE, 0),
	  { REMAP_N(2, false, D(25, 5, O_NONE, 5)), MAP(20, 5, O_NONE, 0) },
	  { D(0, 10, O_NONE, 0), D(10, 10, O_NONE, 0), D(20, 5, O_NONE, 0),
	    D(25, 5, O_NONE, 5) }, 2 },
	{ "D4", S3_NULL, D(5, 15, O_NONE, 0),
	  { REMAP_P(0, false, D(0, 5, O_NONE, 0)), MAP(5, 5, O_NONE, 0) },
	  { D(0, 5, O_NONE, 0), D(5, 5, O_NONE, 0), D(10, 10, O_NONE, 0),
	    D(20, 10, O_NONE, 0) }, 2 },
	{ "D5a", S3_NULL, D(0, 30, O_NONE, 0),
	  { { .kind = E_END } },
	  S3_NULL, 0 },
	{ "D5b", S3_NULL, D(10, 10, O_NONE, 0),
	  { { .kind = E_END } },
	  S3_NULL, 0 },
	{ "D6", { D(0, 30, O_X, 0) }, D(10, 10, O_NONE, 0),
	  { { .kind = E_END } },
	  { D(0, 30, O_X, 0) }, 0 },
	{ "D7", { D(0, 0, 0, 0) }, D(10, 10, O_NONE, 0),
	  { { .kind = E_END } },
	  { D(0, 0, 0, 0) }, 0 },
	{ "D8", { D(0, 10, O_NONE, 0), D(10, 10, O_X, 0), D(20, 10, O_NONE, 0) },
	  D(5, 20, O_NONE, 0),
	  { REMAP_P(0, false, D(0, 5, O_NONE, 0)), MAP(5, 5, O_NONE, 0),
	    REMAP_N(2, false, D(25, 5, O_NONE, 5)), MAP(20, 5, O_NONE, 0) },
	  { D(0, 5, O_NONE, 0), D(5, 5, O_NONE, 0), D(10, 10, O_X, 0),
	    D(20, 5, O_NONE, 0), D(25, 5, O_NONE, 5) }, 4 },
};

static const struct scenario *find_case(const struct scenario *tab, int n,
					const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return &tab[i];
	ck_abort_msg("no scenario %s", name);
	return NULL;
}

#define MAP_CASE(n) find_case(map_cases, ARRAY_SIZE(map_cases), n)
#define UNMAP_CASE(n) find_case(unmap_cases, ARRAY_SIZE(unmap_cases), n)

static int count_descs(const struct va_desc *d)
{
	int n = 0;

	while (n < MAX_VAS && d[n].range)
		n++;
	return n;
}

static int count_exp_ops(const struct exp_op *o)
{
	int n = 0;

	while (n < MAX_OPS && o[n].kind != E_END)
		n++;
	return n;
}

/* ------------------------------------------------------------------------ */
/* Fixture: a VM [0,100) holding a scenario's VAs                           */

struct fix {
	struct ts_vm t;
	struct ts_bo bo[O_COUNT];
	struct gpuvm_va *va[MAX_VAS];
	int nva;
};

static struct gpuvm_bo *objp(struct fix *f, int id)
{
	return id ? &f->bo[id].base : NULL;
}

static int obj_id(struct fix *f, const struct gpuvm_bo *obj)
{
	if (!obj)
		return 0;
	for (int i = 1; i < O_COUNT; i++)
		if (obj == &f->bo[i].base)
			return i;
	return -1;
}

static void plan_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct ts_vm, vm)->freed++;
}

/* Link @va to the vm_bo of (vm, va->obj); nothing for a VA without object. */
static void link_new_va(struct gpuvm *vm, struct gpuvm_va *va)
{
	struct gpuvm_vm_bo *vm_bo = NULL;

	if (!va->obj)
		return;
	ck_assert_int_eq(gpuvm_vm_bo_obtain(vm, va->obj, &vm_bo), 0);
	ck_assert_ptr_nonnull(vm_bo);
	gpuvm_va_link(va, vm_bo);
	ck_assert_ptr_eq(va->vm_bo, vm_bo);
	/* the link holds its own reference */
	ck_assert(!gpuvm_vm_bo_put(vm_bo));
}

static void fix_init(struct fix *f, const struct va_desc *exist,
		     const struct gpuvm_ops *ops, uint64_t rstart,
		     uint64_t rrange)
{
	memset(f, 0, sizeof(*f));
	ts_vm_init(&f->t, 0, 100, rstart, rrange, ops);
	for (int i = 1; i < O_COUNT; i++)
		ts_bo_init(&f->bo[i], i);
	f->nva = exist ? count_descs(exist) : 0;
	for (int i = 0; i < f->nva; i++) {
		struct gpuvm_va *va = ts_va_new(exist[i].addr, exist[i].range,
						objp(f, exist[i].obj),
						exist[i].offset);

		ck_assert_int_eq(gpuvm_va_insert(&f->t.vm, va), 0);
		link_new_va(&f->t.vm, va);
		f->va[i] = va;
	}
	ck_assert_int_eq(gpuvm_check(&f->t.vm), 0);
}

/* Drain and release the VM: every reference must come back. */
static void fix_fini(struct fix *f)
{
	ts_vm_drain(&f->t.vm);
	ck_assert_uint_eq(gpuvm_refcount(&f->t.vm), 1);
	gpuvm_put(&f->t.vm);
	ck_assert_int_eq(f->t.freed, 1);
	for (int i = 1; i < O_COUNT; i++)
		ck_assert_int_eq(f->bo[i].refs, 1);
}

static void make_req(struct fix *f, const struct va_desc *d,
		     struct gpuvm_map_req *req)
{
	memset(req, 0, sizeof(*req));
	req->map.addr = d->addr;
	req->map.range = d->range;
	req->map.obj = objp(f, d->obj);
	req->map.offset = d->offset;
}

/* ------------------------------------------------------------------------ */
/* Tree snapshots                                                           */

struct snap_ent {
	const struct gpuvm_va *va;
	uint64_t addr, range, offset;
	const struct gpuvm_bo *obj;
	const struct gpuvm_vm_bo *vm_bo;
};

struct snap {
	int n;
	uint64_t count;
	uint32_t refcount;
	struct snap_ent e[MAX_SNAP];
};

static void snap_take(struct snap *s, const struct gpuvm *vm)
{
	const struct gpuvm_va *va;

	memset(s, 0, sizeof(*s));
	gpuvm_for_each_va(va, vm) {
		ck_assert_int_lt(s->n, MAX_SNAP);
		s->e[s->n].va = va;
		s->e[s->n].addr = va->addr;
		s->e[s->n].range = va->range;
		s->e[s->n].offset = va->offset;
		s->e[s->n].obj = va->obj;
		s->e[s->n].vm_bo = va->vm_bo;
		s->n++;
	}
	s->count = gpuvm_va_count(vm);
	s->refcount = gpuvm_refcount(vm);
}

static void snap_check(const struct snap *s, const struct gpuvm *vm)
{
	struct snap now;

	snap_take(&now, vm);
	ck_assert_int_eq(now.n, s->n);
	ck_assert_uint_eq(now.count, s->count);
	ck_assert_uint_eq(now.refcount, s->refcount);
	for (int i = 0; i < s->n; i++) {
		ck_assert_ptr_eq(now.e[i].va, s->e[i].va);
		ck_assert_uint_eq(now.e[i].addr, s->e[i].addr);
		ck_assert_uint_eq(now.e[i].range, s->e[i].range);
		ck_assert_uint_eq(now.e[i].offset, s->e[i].offset);
		ck_assert_ptr_eq(now.e[i].obj, s->e[i].obj);
		ck_assert_ptr_eq(now.e[i].vm_bo, s->e[i].vm_bo);
	}
	ck_assert_int_eq(gpuvm_check(vm), 0);
}

/* The VAs of @vm (reserved region aside) are exactly @exp, linked properly. */
static void check_tree(struct fix *f, struct gpuvm *vm,
		       const struct va_desc *exp, const char *name,
		       const char *what)
{
	int n = count_descs(exp);
	struct gpuvm_va *va;
	int i = 0;

	ck_assert_int_eq(gpuvm_check(vm), 0);
	ck_assert_msg(gpuvm_va_count(vm) == (uint64_t)n,
		      "%s (%s): %" PRIu64 " VAs, expected %d", name, what,
		      gpuvm_va_count(vm), n);
	gpuvm_for_each_va(va, vm) {
		struct gpuvm_va *l;
		bool found = false;

		if (va == &vm->kernel_alloc_node)
			continue;
		ck_assert_int_lt(i, n);
		ck_assert_msg(va->addr == exp[i].addr &&
			      va->range == exp[i].range &&
			      va->obj == objp(f, exp[i].obj) &&
			      va->offset == exp[i].offset,
			      "%s (%s): VA %d is [%" PRIu64 ",+%" PRIu64
			      ") obj %d @%" PRIu64 ", expected [%" PRIu64
			      ",+%" PRIu64 ") obj %d @%" PRIu64,
			      name, what, i, va->addr, va->range,
			      obj_id(f, va->obj), va->offset, exp[i].addr,
			      exp[i].range, exp[i].obj, exp[i].offset);
		ck_assert_ptr_eq(va->vm, vm);
		if (!va->obj) {
			ck_assert_ptr_null(va->vm_bo);
		} else {
			ck_assert_ptr_nonnull(va->vm_bo);
			ck_assert_ptr_eq(va->vm_bo->obj, va->obj);
			ck_assert_ptr_eq(va->vm_bo->vm, vm);
			gpuvm_vm_bo_for_each_va(l, va->vm_bo)
				found |= l == va;
			ck_assert_msg(found, "%s (%s): VA %d not on its vm_bo",
				      name, what, i);
		}
		i++;
	}
	ck_assert_int_eq(i, n);
}

/* ------------------------------------------------------------------------ */
/* Recording ops                                                            */

/* Record @op, failing the test on a malformed one. */
static void rec_from_op(struct ts_op_rec *r, const struct gpuvm_op *op)
{
	const char *err = ts_op_record(r, op);

	ck_assert_msg(!err, "%s", err);
}

static int list_record(const struct gpuvm_op_list *list, struct ts_op_rec *r)
{
	struct gpuvm_op *op;
	int n = 0;

	gpuvm_op_list_for_each(op, list) {
		ck_assert_int_lt(n, MAX_OPS);
		rec_from_op(&r[n++], op);
	}
	return n;
}

static int list_len(const struct gpuvm_op_list *list)
{
	struct gpuvm_op *op;
	int n = 0;

	gpuvm_op_list_for_each(op, list)
		n++;
	return n;
}

static const char *const type_names[] = {
	"MAP", "REMAP", "UNMAP", "PREFETCH", "DRIVER",
};

static const char *type_name(int t)
{
	return t >= 0 && t <= GPUVM_OP_DRIVER ? type_names[t] : "?";
}

static void check_piece(struct fix *f, const struct gpuvm_op_map *got,
			const struct va_desc *exp, const char *name,
			const char *form, int i, const char *what)
{
	ck_assert_msg(got->addr == exp->addr && got->range == exp->range &&
		      got->obj == objp(f, exp->obj) &&
		      got->offset == exp->offset,
		      "%s (%s) op %d %s: [%" PRIu64 ",+%" PRIu64 ") obj %d @%"
		      PRIu64 ", expected [%" PRIu64 ",+%" PRIu64 ") obj %d @%"
		      PRIu64, name, form, i, what, got->addr, got->range,
		      obj_id(f, got->obj), got->offset, exp->addr, exp->range,
		      exp->obj, exp->offset);
}

static void check_ops(struct fix *f, const struct scenario *sc,
		      const struct ts_op_rec *r, int n, const char *form)
{
	int nexp = count_exp_ops(sc->ops);

	ck_assert_msg(n == nexp, "%s (%s): %d ops, expected %d", sc->name,
		      form, n, nexp);
	for (int i = 0; i < n; i++) {
		const struct exp_op *e = &sc->ops[i];
		static const enum gpuvm_op_type want[] = {
			[E_MAP] = GPUVM_OP_MAP,
			[E_UNMAP] = GPUVM_OP_UNMAP,
			[E_REMAP] = GPUVM_OP_REMAP,
			[E_PREFETCH] = GPUVM_OP_PREFETCH,
		};

		ck_assert_msg(r[i].type == want[e->kind],
			      "%s (%s) op %d: %s, expected %s", sc->name, form,
			      i, type_name(r[i].type),
			      type_name(want[e->kind]));
		switch (e->kind) {
		case E_MAP:
			check_piece(f, &r[i].map, &e->map, sc->name, form, i,
				    "map");
			break;
		case E_REMAP:
			ck_assert_msg(r[i].has_prev == e->has_prev &&
				      r[i].has_next == e->has_next,
				      "%s (%s) op %d: pieces prev %d next %d",
				      sc->name, form, i, r[i].has_prev,
				      r[i].has_next);
			if (e->has_prev)
				check_piece(f, &r[i].prev, &e->prev, sc->name,
					    form, i, "prev");
			if (e->has_next)
				check_piece(f, &r[i].next, &e->next, sc->name,
					    form, i, "next");
			/* fall through */
		case E_UNMAP:
			ck_assert_msg(r[i].va == f->va[e->va],
				      "%s (%s) op %d: wrong VA", sc->name,
				      form, i);
			ck_assert_msg(r[i].keep == e->keep,
				      "%s (%s) op %d: keep %d, expected %d",
				      sc->name, form, i, r[i].keep, e->keep);
			break;
		default:
			ck_abort_msg("bad table");
		}
	}
}

/* docs/semantics.md 2.8: the callback and list forms give the same ops. */
static void check_parity(const struct ts_op_rec *a, int na,
			 const struct ts_op_rec *b, int nb, const char *name)
{
	ck_assert_msg(na == nb, "%s: callback %d ops, list %d ops", name, na,
		      nb);
	for (int i = 0; i < na; i++) {
		ck_assert_msg(a[i].type == b[i].type, "%s: op %d type", name,
			      i);
		ck_assert_msg(a[i].va == b[i].va, "%s: op %d va", name, i);
		ck_assert_msg(a[i].keep == b[i].keep, "%s: op %d keep", name,
			      i);
		ck_assert_msg(a[i].has_prev == b[i].has_prev &&
			      a[i].has_next == b[i].has_next,
			      "%s: op %d pieces", name, i);
		ck_assert_msg(ts_op_map_eq(&a[i].map, &b[i].map), "%s: op %d map",
			      name, i);
		if (a[i].has_prev)
			ck_assert_msg(ts_op_map_eq(&a[i].prev, &b[i].prev),
				      "%s: op %d prev", name, i);
		if (a[i].has_next)
			ck_assert_msg(ts_op_map_eq(&a[i].next, &b[i].next),
				      "%s: op %d next", name, i);
	}
}

static unsigned int exp_new_vas(const struct scenario *sc)
{
	unsigned int n = 0;

	for (int i = 0; i < count_exp_ops(sc->ops); i++) {
		if (sc->ops[i].kind == E_MAP)
			n++;
		if (sc->ops[i].kind == E_REMAP)
			n += sc->ops[i].has_prev + sc->ops[i].has_next;
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Applying ops (driver side, in the order of docs/semantics.md 6)          */

static struct gpuvm_va *va_alloc(void)
{
	struct gpuvm_va *va = calloc(1, sizeof(*va));

	ck_assert_ptr_nonnull(va);
	return va;
}

static void apply_op(struct gpuvm *vm, const struct gpuvm_op *op)
{
	switch (op->type) {
	case GPUVM_OP_MAP: {
		struct gpuvm_va *va = va_alloc();

		ck_assert_int_eq(gpuvm_va_map(vm, va, &op->map), 0);
		link_new_va(vm, va);
		break;
	}
	case GPUVM_OP_REMAP: {
		const struct gpuvm_op_remap *rm = &op->remap;
		struct gpuvm_va *old = rm->unmap->va;
		struct gpuvm_vm_bo *vm_bo = old->vm_bo;
		struct gpuvm_va *prev = rm->prev ? va_alloc() : NULL;
		struct gpuvm_va *next = rm->next ? va_alloc() : NULL;

		ck_assert_int_eq(gpuvm_va_remap(prev, next, rm), 0);
		if (vm_bo) {
			if (prev)
				gpuvm_va_link(prev, vm_bo);
			if (next)
				gpuvm_va_link(next, vm_bo);
		}
		gpuvm_va_unlink(old);
		free(old);
		break;
	}
	case GPUVM_OP_UNMAP: {
		struct gpuvm_va *va = op->unmap.va;

		gpuvm_va_unmap(&op->unmap);
		gpuvm_va_unlink(va);
		free(va);
		break;
	}
	default:
		ck_abort_msg("cannot apply op type %d", (int)op->type);
	}
}

static void apply_list(struct gpuvm *vm, const struct gpuvm_op_list *list)
{
	struct gpuvm_op *op;

	gpuvm_op_list_for_each(op, list)
		apply_op(vm, op);
}

/* ------------------------------------------------------------------------ */
/* Step callbacks                                                           */

struct recorder {
	struct ts_op_rec ops[MAX_OPS];
	int n;
	int calls;
	int map_calls, remap_calls, unmap_calls;
	int fail_at;		/* 1-based call that returns -EIO, 0: none */
	bool apply;		/* apply each op to the tree */
	struct gpuvm *vm;
};

static int rec_step(struct recorder *r, struct gpuvm_op *op)
{
	r->calls++;
	ck_assert_int_lt(r->n, MAX_OPS);
	rec_from_op(&r->ops[r->n++], op);
	if (r->fail_at && r->calls == r->fail_at)
		return -EIO;
	if (r->apply)
		apply_op(r->vm, op);
	return 0;
}

static int step_map(struct gpuvm_op *op, void *priv)
{
	struct recorder *r = priv;

	ck_assert_int_eq(op->type, GPUVM_OP_MAP);
	r->map_calls++;
	return rec_step(r, op);
}

static int step_remap(struct gpuvm_op *op, void *priv)
{
	struct recorder *r = priv;

	ck_assert_int_eq(op->type, GPUVM_OP_REMAP);
	r->remap_calls++;
	return rec_step(r, op);
}

static int step_unmap(struct gpuvm_op *op, void *priv)
{
	struct recorder *r = priv;

	ck_assert_int_eq(op->type, GPUVM_OP_UNMAP);
	r->unmap_calls++;
	return rec_step(r, op);
}

static const struct gpuvm_ops step_ops = {
	.vm_free = plan_vm_free,
	.sm_step_map = step_map,
	.sm_step_remap = step_remap,
	.sm_step_unmap = step_unmap,
};

static const struct gpuvm_ops no_map_ops = {
	.vm_free = plan_vm_free,
	.sm_step_remap = step_remap,
	.sm_step_unmap = step_unmap,
};

static const struct gpuvm_ops no_remap_ops = {
	.vm_free = plan_vm_free,
	.sm_step_map = step_map,
	.sm_step_unmap = step_unmap,
};

static const struct gpuvm_ops no_unmap_ops = {
	.vm_free = plan_vm_free,
	.sm_step_map = step_map,
	.sm_step_remap = step_remap,
};

static const struct gpuvm_ops plain_ops = {
	.vm_free = plan_vm_free,
};

/* ------------------------------------------------------------------------ */
/* Scenario runners                                                         */

enum plan_kind { P_MAP, P_UNMAP, P_MADVISE };

static int plan_cb(struct fix *f, enum plan_kind kind, const struct va_desc *d,
		   struct recorder *rec)
{
	struct gpuvm_map_req req;

	if (kind == P_UNMAP)
		return gpuvm_sm_unmap(&f->t.vm, rec, d->addr, d->range);
	make_req(f, d, &req);
	return gpuvm_sm_map(&f->t.vm, rec, &req);
}

static int plan_list(struct fix *f, enum plan_kind kind,
		     const struct va_desc *d, struct gpuvm_op_list *list)
{
	struct gpuvm_map_req req;

	make_req(f, d, &req);
	switch (kind) {
	case P_MAP:
		return gpuvm_sm_map_ops_create(&f->t.vm, &req, list);
	case P_UNMAP:
		return gpuvm_sm_unmap_ops_create(&f->t.vm, d->addr, d->range,
						 list);
	case P_MADVISE:
		return gpuvm_madvise_ops_create(&f->t.vm, &req, list);
	}
	ck_abort_msg("bad plan kind");
	return -1;
}

static void run_scenario(const struct scenario *sc, enum plan_kind kind)
{
	struct fix f, g;
	struct recorder rec, rec2;
	struct ts_op_rec lrec[MAX_OPS];
	struct gpuvm_op_list list;
	struct snap s;
	int ln;

	memset(&rec, 0, sizeof(rec));
	fix_init(&f, sc->exist, &step_ops, 0, 0);
	snap_take(&s, &f.t.vm);

	/* (a) callback form, recording only */
	if (kind != P_MADVISE) {
		ck_assert_int_eq(plan_cb(&f, kind, &sc->req, &rec), 0);
		snap_check(&s, &f.t.vm);
		check_ops(&f, sc, rec.ops, rec.n, "callback");
		ck_assert_int_eq(rec.calls, rec.n);
		if (kind == P_UNMAP)
			ck_assert_int_eq(rec.map_calls, 0);
		else
			ck_assert_int_eq(rec.map_calls, 1);
	}

	/* (b) list form */
	ck_assert_int_eq(plan_list(&f, kind, &sc->req, &list), 0);
	snap_check(&s, &f.t.vm);
	ln = list_record(&list, lrec);
	check_ops(&f, sc, lrec, ln, "list");
	if (kind != P_MADVISE)
		check_parity(rec.ops, rec.n, lrec, ln, sc->name);
	for (int i = 0; i < ln; i++)
		if (kind != P_MAP)
			ck_assert_msg(!lrec[i].keep, "%s op %d: keep set",
				      sc->name, i);

	/* case 50: new VA structures the plan needs */
	ck_assert_uint_eq(exp_new_vas(sc), sc->new_vas);
	ck_assert_uint_eq(gpuvm_op_list_count_new_vas(&list), sc->new_vas);

	/* apply the list to the tree: the kernel's final dump */
	apply_list(&f.t.vm, &list);
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert(gpuvm_list_empty(&list.ops));
	check_tree(&f, &f.t.vm, sc->final, sc->name, "list applied");

	/* (c) callbacks that apply the ops, on a second identical VM */
	if (kind != P_MADVISE) {
		fix_init(&g, sc->exist, &step_ops, 0, 0);
		memset(&rec2, 0, sizeof(rec2));
		rec2.apply = true;
		rec2.vm = &g.t.vm;
		ck_assert_int_eq(plan_cb(&g, kind, &sc->req, &rec2), 0);
		check_ops(&g, sc, rec2.ops, rec2.n, "applying callback");
		check_tree(&g, &g.t.vm, sc->final, sc->name,
			   "callbacks applied");
		fix_fini(&g);
	}
	fix_fini(&f);
}

/* Cases 14-35: M1-M22. */
START_TEST(test_map_scenario)
{
	run_scenario(&map_cases[_i], P_MAP);
}
END_TEST

/* Cases 41-48: U1-U8. */
START_TEST(test_unmap_scenario)
{
	run_scenario(&unmap_cases[_i], P_UNMAP);
}
END_TEST

/* Cases 51-58: D1-D8. */
START_TEST(test_madvise_scenario)
{
	run_scenario(&madvise_cases[_i], P_MADVISE);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 36, 49, madvise: invalid requests                                   */

static void poison_list(struct gpuvm_op_list *list)
{
	memset(list, 0xa5, sizeof(*list));
}

START_TEST(test_invalid_map)
{
	static const struct va_desc bad[] = {
		D(95, 10, O_X, 0),	/* beyond the end */
		D(0, 101, O_X, 0),
		D(100, 1, O_X, 0),
		D(85, 10, O_X, 0),	/* overlaps the reserved region */
		D(90, 10, O_X, 0),
		D(95, 1, O_NONE, 0),
		D(10, 0, O_X, 0),	/* range 0 */
		D(0, 0, O_NONE, 0),
		D(UINT64_MAX - 1, 2, O_X, 0),	/* wraps */
	};
	struct fix f;
	struct snap s;

	fix_init(&f, (const struct va_desc[]){ D(10, 10, O_X, 0),
					       D(20, 10, O_NONE, 0),
					       D(0, 0, 0, 0) },
		 &step_ops, 90, 10);
	snap_take(&s, &f.t.vm);
	for (int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct recorder rec;
		struct gpuvm_map_req req;
		struct gpuvm_op_list list;

		memset(&rec, 0, sizeof(rec));
		make_req(&f, &bad[i], &req);
		ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), -EINVAL);
		ck_assert_int_eq(rec.calls, 0);

		poison_list(&list);
		ck_assert_int_eq(gpuvm_sm_map_ops_create(&f.t.vm, &req, &list),
				 -EINVAL);
		ck_assert(gpuvm_list_empty(&list.ops));

		poison_list(&list);
		ck_assert_int_eq(gpuvm_madvise_ops_create(&f.t.vm, &req,
							  &list), -EINVAL);
		ck_assert(gpuvm_list_empty(&list.ops));

		ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, bad[i].addr,
						bad[i].range), -EINVAL);
		ck_assert_int_eq(rec.calls, 0);

		poison_list(&list);
		ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&f.t.vm, bad[i].addr,
							   bad[i].range, &list),
				 -EINVAL);
		ck_assert(gpuvm_list_empty(&list.ops));
		snap_check(&s, &f.t.vm);
	}
	fix_fini(&f);
}
END_TEST

/* Touching the reserved region is fine: [80,90) next to [90,100). */
START_TEST(test_touching_reserved)
{
	struct fix f;
	struct recorder rec;
	struct gpuvm_map_req req;
	struct gpuvm_op_list list;

	fix_init(&f, NULL, &step_ops, 90, 10);
	memset(&rec, 0, sizeof(rec));
	make_req(&f, &(struct va_desc)D(80, 10, O_X, 0), &req);
	ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), 0);
	ck_assert_int_eq(rec.n, 1);
	ck_assert_int_eq(rec.ops[0].type, GPUVM_OP_MAP);
	ck_assert(ts_op_map_eq(&rec.ops[0].map, &req.map));
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&f.t.vm, &req, &list), 0);
	ck_assert_int_eq(list_len(&list), 1);
	gpuvm_op_list_clear(&f.t.vm, &list);
	/* the reserved node is never unmapped, nothing there to unmap */
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, 80, 10), 0);
	ck_assert_int_eq(rec.calls, 0);
	fix_fini(&f);
}
END_TEST

/* Case 49: unmap [85,95) with reserved [90,100) and nothing mapped. */
START_TEST(test_unmap_reserved)
{
	struct fix f;
	struct recorder rec;
	struct gpuvm_op_list list;
	struct snap s;

	fix_init(&f, NULL, &step_ops, 90, 10);
	snap_take(&s, &f.t.vm);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, 85, 10), -EINVAL);
	ck_assert_int_eq(rec.calls, 0);
	poison_list(&list);
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&f.t.vm, 85, 10, &list),
			 -EINVAL);
	ck_assert(gpuvm_list_empty(&list.ops));
	snap_check(&s, &f.t.vm);
	ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 90, 10),
			 &f.t.vm.kernel_alloc_node);
	fix_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 37: missing callbacks                                               */

START_TEST(test_missing_callbacks)
{
	const struct scenario *u6 = UNMAP_CASE("U6");
	struct fix f;
	struct recorder rec;
	struct gpuvm_map_req req;
	struct snap s;

	/* no sm_step_map: sm_map refused, sm_unmap works */
	fix_init(&f, u6->exist, &no_map_ops, 0, 0);
	snap_take(&s, &f.t.vm);
	memset(&rec, 0, sizeof(rec));
	make_req(&f, &(struct va_desc)D(5, 20, O_W, 0), &req);
	ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), -EINVAL);
	ck_assert_int_eq(rec.calls, 0);
	snap_check(&s, &f.t.vm);
	ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, u6->req.addr,
					u6->req.range), 0);
	check_ops(&f, u6, rec.ops, rec.n, "callback without sm_step_map");
	ck_assert_int_eq(rec.remap_calls, 2);
	ck_assert_int_eq(rec.unmap_calls, 1);
	ck_assert_int_eq(rec.map_calls, 0);
	snap_check(&s, &f.t.vm);
	fix_fini(&f);

	/* no sm_step_remap: both refused */
	fix_init(&f, u6->exist, &no_remap_ops, 0, 0);
	memset(&rec, 0, sizeof(rec));
	make_req(&f, &(struct va_desc)D(5, 20, O_W, 0), &req);
	ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), -EINVAL);
	ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, 5, 20), -EINVAL);
	ck_assert_int_eq(rec.calls, 0);
	fix_fini(&f);

	/* no sm_step_unmap: both refused */
	fix_init(&f, u6->exist, &no_unmap_ops, 0, 0);
	memset(&rec, 0, sizeof(rec));
	make_req(&f, &(struct va_desc)D(5, 20, O_W, 0), &req);
	ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), -EINVAL);
	ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, 5, 20), -EINVAL);
	ck_assert_int_eq(rec.calls, 0);
	fix_fini(&f);

	/* no callbacks at all: the list forms still work */
	fix_init(&f, u6->exist, &plain_ops, 0, 0);
	memset(&rec, 0, sizeof(rec));
	make_req(&f, &(struct va_desc)D(5, 20, O_W, 0), &req);
	ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), -EINVAL);
	ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, 5, 20), -EINVAL);
	{
		struct gpuvm_op_list list;
		struct ts_op_rec lrec[MAX_OPS];
		int n;

		ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&f.t.vm, 5, 20,
							   &list), 0);
		n = list_record(&list, lrec);
		check_ops(&f, u6, lrec, n, "list without callbacks");
		gpuvm_op_list_clear(&f.t.vm, &list);
	}
	fix_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Cases 38, 39: applying inside the callbacks                              */

/* The M16 tree after the first k steps were applied. */
static const struct va_desc m16_after[5][MAX_VAS] = {
	{ D(0, 10, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Z, 0),
	  D(30, 10, O_X, 30) },
	{ D(0, 5, O_X, 0), D(10, 10, O_Y, 0), D(20, 10, O_Z, 0),
	  D(30, 10, O_X, 30) },
	{ D(0, 5, O_X, 0), D(20, 10, O_Z, 0), D(30, 10, O_X, 30) },
	{ D(0, 5, O_X, 0), D(30, 10, O_X, 30) },
	{ D(0, 5, O_X, 0), D(35, 5, O_X, 35) },
};

/* Case 38 (fail_at 2) and the other steps of M16: -EIO on step _i + 1. */
START_TEST(test_callback_error_stops)
{
	const struct scenario *m16 = MAP_CASE("M16");
	const int fail_at = _i + 1;
	struct fix f;
	struct recorder rec;
	struct gpuvm_map_req req;
	struct gpuvm_vm_bo *vm_bo;

	fix_init(&f, m16->exist, &step_ops, 0, 0);
	memset(&rec, 0, sizeof(rec));
	rec.apply = true;
	rec.vm = &f.t.vm;
	rec.fail_at = fail_at;
	make_req(&f, &m16->req, &req);
	ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), -EIO);
	ck_assert_int_eq(rec.calls, fail_at);
	ck_assert_int_eq(rec.map_calls, fail_at == 5);
	/* the steps made were the planned ones */
	for (int i = 0; i < rec.n; i++) {
		static const enum gpuvm_op_type t[] = {
			GPUVM_OP_REMAP, GPUVM_OP_UNMAP, GPUVM_OP_UNMAP,
			GPUVM_OP_REMAP, GPUVM_OP_MAP,
		};

		ck_assert_int_eq(rec.ops[i].type, t[i]);
		if (i < 4)
			ck_assert_ptr_eq(rec.ops[i].va, f.va[i]);
	}
	/* the steps before the failing one stay applied, nothing after */
	check_tree(&f, &f.t.vm, m16_after[_i], "M16", "-EIO");
	ck_assert_ptr_null(gpuvm_vm_bo_find(&f.t.vm, &f.bo[O_W].base));
	ck_assert_int_eq(f.bo[O_W].refs, 1);
	if (fail_at <= 2)
		ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 10, 10), f.va[1]);
	vm_bo = gpuvm_vm_bo_find(&f.t.vm, &f.bo[O_X].base);
	ck_assert_ptr_nonnull(vm_bo);
	ck_assert_ptr_eq(gpuvm_va_find_first(&f.t.vm, 0, 1)->vm_bo, vm_bo);
	ck_assert(!gpuvm_vm_bo_put(vm_bo));
	fix_fini(&f);
}
END_TEST

/* sm_unmap stops on a callback error too (U6: REMAP, UNMAP, REMAP). */
START_TEST(test_unmap_callback_error_stops)
{
	const struct scenario *u6 = UNMAP_CASE("U6");

	for (int fail_at = 1; fail_at <= 3; fail_at++) {
		struct fix f;
		struct recorder rec;
		struct snap s;

		fix_init(&f, u6->exist, &step_ops, 0, 0);
		snap_take(&s, &f.t.vm);
		memset(&rec, 0, sizeof(rec));
		rec.fail_at = fail_at;
		ck_assert_int_eq(gpuvm_sm_unmap(&f.t.vm, &rec, 5, 20), -EIO);
		ck_assert_int_eq(rec.calls, fail_at);
		snap_check(&s, &f.t.vm);
		fix_fini(&f);
	}
}
END_TEST

START_TEST(test_callback_apply_m16)
{
	const struct scenario *m16 = MAP_CASE("M16");
	struct fix f, g;
	struct recorder rec;
	struct gpuvm_map_req req;
	struct gpuvm_op_list list;
	struct gpuvm_vm_bo *vx, *vw;
	struct gpuvm_va *va, *a, *b;
	int n;

	/* VM f: the callbacks apply each op as it comes */
	fix_init(&f, m16->exist, &step_ops, 0, 0);
	memset(&rec, 0, sizeof(rec));
	rec.apply = true;
	rec.vm = &f.t.vm;
	make_req(&f, &m16->req, &req);
	ck_assert_int_eq(gpuvm_sm_map(&f.t.vm, &rec, &req), 0);
	ck_assert_int_eq(rec.calls, 5);
	check_tree(&f, &f.t.vm, m16->final, "M16", "callbacks applied");

	/* VM g: the list, applied afterwards */
	fix_init(&g, m16->exist, &step_ops, 0, 0);
	make_req(&g, &m16->req, &req);
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&g.t.vm, &req, &list), 0);
	apply_list(&g.t.vm, &list);
	gpuvm_op_list_clear(&g.t.vm, &list);
	check_tree(&g, &g.t.vm, m16->final, "M16", "list applied");

	/* both trees agree VA by VA */
	a = f.t.vm.tree.first;
	b = g.t.vm.tree.first;
	for (; a && b; a = gpuvm_va_next(a), b = gpuvm_va_next(b)) {
		ck_assert_uint_eq(a->addr, b->addr);
		ck_assert_uint_eq(a->range, b->range);
		ck_assert_uint_eq(a->offset, b->offset);
		ck_assert_int_eq(obj_id(&f, a->obj), obj_id(&g, b->obj));
	}
	ck_assert_ptr_null(a);
	ck_assert_ptr_null(b);

	/* vm_bos: X keeps [0,5) and [35,40) in link order, W has [5,35) */
	vx = gpuvm_vm_bo_find(&f.t.vm, &f.bo[O_X].base);
	vw = gpuvm_vm_bo_find(&f.t.vm, &f.bo[O_W].base);
	ck_assert_ptr_nonnull(vx);
	ck_assert_ptr_nonnull(vw);
	n = 0;
	gpuvm_vm_bo_for_each_va(va, vx) {
		ck_assert_uint_eq(va->addr, n ? 35 : 0);
		n++;
	}
	ck_assert_int_eq(n, 2);
	n = 0;
	gpuvm_vm_bo_for_each_va(va, vw) {
		ck_assert_uint_eq(va->addr, 5);
		n++;
	}
	ck_assert_int_eq(n, 1);
	ck_assert(!gpuvm_vm_bo_put(vx));
	ck_assert(!gpuvm_vm_bo_put(vw));
	/* Y and Z lost their last VA: their vm_bos are gone */
	ck_assert_ptr_null(gpuvm_vm_bo_find(&f.t.vm, &f.bo[O_Y].base));
	ck_assert_ptr_null(gpuvm_vm_bo_find(&f.t.vm, &f.bo[O_Z].base));
	ck_assert_int_eq(f.bo[O_Y].refs, 1);
	ck_assert_int_eq(f.bo[O_Z].refs, 1);
	ck_assert(gpuvm_list_empty(&f.bo[O_Y].base.vm_bos));

	fix_fini(&g);
	fix_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 50: preallocation bounds                                            */

static unsigned int plan_count(const struct scenario *sc, enum plan_kind kind)
{
	struct gpuvm_op_list list;
	unsigned int n;
	struct fix f;

	fix_init(&f, sc->exist, &plain_ops, 0, 0);
	ck_assert_int_eq(plan_list(&f, kind, &sc->req, &list), 0);
	n = gpuvm_op_list_count_new_vas(&list);
	gpuvm_op_list_clear(&f.t.vm, &list);
	fix_fini(&f);
	return n;
}

START_TEST(test_count_new_vas)
{
	unsigned int max_map = 0, max_unmap = 0, max_madvise = 0, n;
	struct gpuvm_op_list list;

	for (int i = 0; i < ARRAY_SIZE(map_cases); i++) {
		n = plan_count(&map_cases[i], P_MAP);
		ck_assert_msg(n == map_cases[i].new_vas, "%s: %u new VAs",
			      map_cases[i].name, n);
		ck_assert_uint_ge(n, 1);
		if (n > max_map)
			max_map = n;
	}
	for (int i = 0; i < ARRAY_SIZE(unmap_cases); i++) {
		n = plan_count(&unmap_cases[i], P_UNMAP);
		ck_assert_msg(n == unmap_cases[i].new_vas, "%s: %u new VAs",
			      unmap_cases[i].name, n);
		if (n > max_unmap)
			max_unmap = n;
	}
	for (int i = 0; i < ARRAY_SIZE(madvise_cases); i++) {
		n = plan_count(&madvise_cases[i], P_MADVISE);
		ck_assert_msg(n == madvise_cases[i].new_vas, "%s: %u new VAs",
			      madvise_cases[i].name, n);
		if (n > max_madvise)
			max_madvise = n;
	}
	ck_assert_uint_eq(max_map, 3);
	ck_assert_uint_eq(max_map, GPUVM_MAP_MAX_NEW_VAS);
	ck_assert_uint_eq(max_unmap, 2);
	ck_assert_uint_eq(max_unmap, GPUVM_UNMAP_MAX_NEW_VAS);
	ck_assert_uint_eq(max_madvise, GPUVM_MADVISE_MAX_NEW_VAS);

	gpuvm_op_list_init(&list);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_uint_eq(gpuvm_op_list_count_new_vas(&list), 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 59: prefetch                                                        */

START_TEST(test_prefetch)
{
	struct fix f;
	struct gpuvm_op_list list;
	struct ts_op_rec r[MAX_OPS];
	struct snap s;
	int n;

	fix_init(&f, (const struct va_desc[]){ D(0, 10, O_X, 0),
					       D(20, 10, O_NONE, 0),
					       D(40, 10, O_Y, 5),
					       D(0, 0, 0, 0) },
		 &plain_ops, 90, 10);
	snap_take(&s, &f.t.vm);

	ck_assert_int_eq(gpuvm_prefetch_ops_create(&f.t.vm, 0, 100, &list), 0);
	n = list_record(&list, r);
	ck_assert_int_eq(n, 4);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(r[i].type, GPUVM_OP_PREFETCH);
	ck_assert_ptr_eq(r[0].va, f.va[0]);
	ck_assert_ptr_eq(r[1].va, f.va[1]);
	ck_assert_ptr_eq(r[2].va, f.va[2]);
	ck_assert_ptr_eq(r[3].va, &f.t.vm.kernel_alloc_node);
	ck_assert_uint_eq(gpuvm_op_list_count_new_vas(&list), 0);
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert(gpuvm_list_empty(&list.ops));
	snap_check(&s, &f.t.vm);

	/* beyond the VA space: not validated */
	ck_assert_int_eq(gpuvm_prefetch_ops_create(&f.t.vm, 0, 1000, &list),
			 0);
	n = list_record(&list, r);
	ck_assert_int_eq(n, 4);
	ck_assert_ptr_eq(r[3].va, &f.t.vm.kernel_alloc_node);
	gpuvm_op_list_clear(&f.t.vm, &list);

	/* a part of the space: the VAs intersecting it, in order */
	ck_assert_int_eq(gpuvm_prefetch_ops_create(&f.t.vm, 25, 20, &list), 0);
	n = list_record(&list, r);
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_eq(r[0].va, f.va[1]);
	ck_assert_ptr_eq(r[1].va, f.va[2]);
	gpuvm_op_list_clear(&f.t.vm, &list);

	/* a gap: empty plan */
	ck_assert_int_eq(gpuvm_prefetch_ops_create(&f.t.vm, 10, 10, &list), 0);
	ck_assert(gpuvm_list_empty(&list.ops));
	gpuvm_op_list_clear(&f.t.vm, &list);

	/* range 0 */
	poison_list(&list);
	ck_assert_int_eq(gpuvm_prefetch_ops_create(&f.t.vm, 10, 0, &list),
			 -EINVAL);
	ck_assert(gpuvm_list_empty(&list.ops));
	snap_check(&s, &f.t.vm);
	fix_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 61: gpuvm_op_remap_to_unmap_range()                                 */

static void first_remap_hole(const struct scenario *sc, enum plan_kind kind,
			     uint64_t want_start, uint64_t want_range)
{
	struct gpuvm_op_list list;
	struct gpuvm_op *op;
	uint64_t start = 0xdead, range = 0xbeef;
	struct fix f;

	fix_init(&f, sc->exist, &plain_ops, 0, 0);
	ck_assert_int_eq(plan_list(&f, kind, &sc->req, &list), 0);
	ck_assert(!gpuvm_list_empty(&list.ops));
	op = gpuvm_list_first_entry(&list.ops, struct gpuvm_op, link);
	ck_assert_int_eq(op->type, GPUVM_OP_REMAP);

	gpuvm_op_remap_to_unmap_range(&op->remap, &start, &range);
	ck_assert_uint_eq(start, want_start);
	ck_assert_uint_eq(range, want_range);

	start = range = 0;
	gpuvm_op_remap_to_unmap_range(&op->remap, &start, NULL);
	ck_assert_uint_eq(start, want_start);
	gpuvm_op_remap_to_unmap_range(&op->remap, NULL, &range);
	ck_assert_uint_eq(range, want_range);
	gpuvm_op_remap_to_unmap_range(&op->remap, NULL, NULL);

	gpuvm_op_list_clear(&f.t.vm, &list);
	fix_fini(&f);
}

START_TEST(test_remap_to_unmap_range)
{
	first_remap_hole(UNMAP_CASE("U2"), P_UNMAP, 12, 6);
	first_remap_hole(MAP_CASE("M5"), P_MAP, 10, 5);
	first_remap_hole(UNMAP_CASE("U4"), P_UNMAP, 15, 5);
	first_remap_hole(UNMAP_CASE("U3"), P_UNMAP, 10, 5);
	first_remap_hole(MAP_CASE("M11"), P_MAP, 15, 5);
	first_remap_hole(MAP_CASE("M16"), P_MAP, 5, 5);

	/* a hand-made REMAP with both pieces */
	{
		struct gpuvm_va old = { .addr = 100, .range = 50 };
		struct gpuvm_op_map p = { .addr = 100, .range = 10 };
		struct gpuvm_op_map n = { .addr = 130, .range = 20 };
		struct gpuvm_op_unmap u = { .va = &old };
		struct gpuvm_op_remap rm = { .prev = &p, .next = &n,
					     .unmap = &u };
		uint64_t start, range;

		gpuvm_op_remap_to_unmap_range(&rm, &start, &range);
		ck_assert_uint_eq(start, 110);
		ck_assert_uint_eq(range, 20);
	}
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 62: gpuvm_op_list_clear() and the op_alloc/op_free hooks            */

static int op_free_calls, op_alloc_calls;
static struct gpuvm *op_hook_vm;

static void count_op_free(struct gpuvm *vm, struct gpuvm_op *op)
{
	ck_assert_ptr_eq(vm, op_hook_vm);
	op_free_calls++;
	gpuvm_free(op);
}

static const struct gpuvm_ops op_free_ops = {
	.vm_free = plan_vm_free,
	.op_free = count_op_free,
};

#define DRV_OP_MAGIC 0x0b5e55edu

/* A driver op with the gpuvm_op in the middle. */
struct drv_op {
	uint32_t magic;
	uint64_t cookie;
	struct gpuvm_op op;
	uint32_t tail;
};

static struct gpuvm_op *drv_op_alloc(struct gpuvm *vm)
{
	struct drv_op *d = calloc(1, sizeof(*d));

	ck_assert_ptr_eq(vm, op_hook_vm);
	if (!d)
		return NULL;
	d->magic = DRV_OP_MAGIC;
	d->cookie = (uint64_t)++op_alloc_calls;
	d->tail = DRV_OP_MAGIC;
	return &d->op;
}

static void drv_op_free(struct gpuvm *vm, struct gpuvm_op *op)
{
	struct drv_op *d = gpuvm_container_of(op, struct drv_op, op);

	ck_assert_ptr_eq(vm, op_hook_vm);
	ck_assert_uint_eq(d->magic, DRV_OP_MAGIC);
	ck_assert_uint_eq(d->tail, DRV_OP_MAGIC);
	op_free_calls++;
	free(d);
}

static const struct gpuvm_ops drv_op_ops = {
	.vm_free = plan_vm_free,
	.op_alloc = drv_op_alloc,
	.op_free = drv_op_free,
};

/* A driver op with the gpuvm_op first, freed by the library (xe style). */
struct drv_op_first {
	struct gpuvm_op op;
	uint32_t magic;
};

static struct gpuvm_op *first_op_alloc(struct gpuvm *vm)
{
	struct drv_op_first *d = gpuvm_zalloc(sizeof(*d));

	ck_assert_ptr_eq(vm, op_hook_vm);
	if (!d)
		return NULL;
	d->magic = DRV_OP_MAGIC;
	op_alloc_calls++;
	return &d->op;
}

static const struct gpuvm_ops first_op_ops = {
	.vm_free = plan_vm_free,
	.op_alloc = first_op_alloc,
};

/* @list is exactly UNMAPs (keep false) of @vas[0], ..., @vas[@n - 1]. */
static void assert_unmaps_of(const struct gpuvm_op_list *list,
			     struct gpuvm_va *const *vas, int n)
{
	const struct gpuvm_op *op;
	int i = 0;

	gpuvm_op_list_for_each(op, list) {
		ck_assert_int_lt(i, n);
		ck_assert_int_eq(op->type, GPUVM_OP_UNMAP);
		ck_assert_ptr_eq(op->unmap.va, vas[i]);
		ck_assert(!op->unmap.keep);
		i++;
	}
	ck_assert_int_eq(i, n);
}

/*
 * Without op hooks a list's first two ops live in the list and the rest in
 * four blocks of 7, then blocks of 14, 28, ... ops, up to 224: an unmap of
 * 700 VAs takes 11 allocations (2 + 4 * 7 + 14 + 28 + 56 + 112 + 3 * 224 >=
 * 700) and keeps the ops in plan order.  Clearing, even after a failure,
 * frees every block but the largest, which the VM keeps as its spare if it
 * holds more than 7; the next long list takes it after its blocks of 7
 * (with a spare of 224: 2 + 4 * 7 + 224 + 2 * 224 >= 700, 6 allocations),
 * and the VM frees it when it goes.  A one-op plan allocates nothing.
 */
START_TEST(test_op_list_blocks)
{
	struct gpuvm_op_list list;
	struct gpuvm_va *vas[700];
	unsigned long calls;
	struct ts_vm t;
	long live;
	int i;

	ts_alloc_install();
	ts_vm_init(&t, 0, 1 << 23, 0, 0, NULL);
	for (i = 0; i < 700; i++) {
		vas[i] = ts_va_new(0x1000 * (uint64_t)(2 * i), 0x1000, NULL, 0);
		ck_assert_int_eq(gpuvm_va_insert(&t.vm, vas[i]), 0);
	}
	live = ts_alloc_live();
	ck_assert_ptr_null(t.vm.op_block_spare);

	/* the 5th (14 ops) and 11th (224) fail: nothing of the list survives */
	ts_alloc_fail_at(5, 0);
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 1 << 23, &list),
			 -ENOMEM);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_ptr_null(t.vm.op_block_spare);	/* blocks of 7 only */
	ck_assert_int_eq(ts_alloc_live(), live);
	ts_alloc_fail_at(11, 0);
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 1 << 23, &list),
			 -ENOMEM);
	ck_assert(gpuvm_list_empty(&list.ops));
	/* a block of 224 ops (the 9th or 10th) stays as the spare */
	ck_assert_ptr_nonnull(t.vm.op_block_spare);
	ck_assert_int_eq(ts_alloc_live(), live + 1);
	ts_alloc_fail_at(0, 0);

	/* With that spare: 4 * 7, the spare, 2 * 224: 6 allocations. */
	for (int round = 0; round < 3; round++) {
		calls = ts_alloc_calls();
		ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 1 << 23,
							   &list), 0);
		ck_assert_uint_eq(ts_alloc_calls() - calls, 6);
		ck_assert_ptr_null(t.vm.op_block_spare);
		assert_unmaps_of(&list, vas, 700);
		gpuvm_op_list_clear(&t.vm, &list);
		ck_assert(gpuvm_list_empty(&list.ops));
		ck_assert_ptr_null(list.blocks);
		ck_assert_ptr_nonnull(t.vm.op_block_spare);
		ck_assert_int_eq(ts_alloc_live(), live + 1);
	}

	/* with the spare taken, the 6th allocation (the last 224) fails */
	ts_alloc_fail_at(6, 0);
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 1 << 23, &list),
			 -ENOMEM);
	ts_alloc_fail_at(0, 0);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_ptr_nonnull(t.vm.op_block_spare);	/* back in its slot */
	ck_assert_int_eq(ts_alloc_live(), live + 1);

	/* one op: nothing allocated, the spare untouched */
	calls = ts_alloc_calls();
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 0x1000, &list), 0);
	ck_assert_int_eq(list_len(&list), 1);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&list.ops, struct gpuvm_op,
					       link), &list.inline_ops[0]);
	ck_assert_uint_eq(ts_alloc_calls(), calls);
	gpuvm_op_list_clear(&t.vm, &list);
	ck_assert_int_eq(list.inline_used, 0);
	ck_assert_int_eq(ts_alloc_live(), live + 1);

	/* a list of 20 ops uses blocks of 7 only and leaves the spare be */
	calls = ts_alloc_calls();
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 0x1000 * 40,
						   &list), 0);
	ck_assert_int_eq(list_len(&list), 20);
	ck_assert_uint_eq(ts_alloc_calls() - calls, 3);
	gpuvm_op_list_clear(&t.vm, &list);
	ck_assert_ptr_nonnull(t.vm.op_block_spare);
	ck_assert_int_eq(ts_alloc_live(), live + 1);

	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
	/* the VM freed its spare */
	ck_assert_int_eq(ts_alloc_live(), live);
	ts_alloc_uninstall();
}
END_TEST

/*
 * The spare block under threads: each thread plans under the VM's lock (a
 * mutex here, as the planner requires) but clears its list after dropping
 * it, so takes and returns of the spare race.  Every list still holds
 * exactly its ops, and nothing leaks (the sanitizer and valgrind runs check
 * the memory, ThreadSanitizer the slot).
 */
#define SPARE_VAS 300
#define SPARE_ROUNDS 200

struct spare_worker {
	struct gpuvm *vm;
	pthread_mutex_t *lock;
	int bad;
};

static void *spare_worker_fn(void *arg)
{
	struct spare_worker *w = arg;
	struct gpuvm_op_list list;
	int i, ret;

	for (i = 0; i < SPARE_ROUNDS; i++) {
		/* every other round a shorter list: blocks of several sizes */
		uint64_t range = (i & 1) ? 0x1000 * 2 * 100 : 0x1000 * 2 * SPARE_VAS;

		pthread_mutex_lock(w->lock);
		ret = gpuvm_prefetch_ops_create(w->vm, 0, range, &list);
		pthread_mutex_unlock(w->lock);
		if (ret || list_len(&list) != (int)(range / 0x2000))
			w->bad++;
		gpuvm_op_list_clear(w->vm, &list);
	}
	return NULL;
}

START_TEST(test_op_list_spare_threads)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct spare_worker w[2];
	pthread_t th[2];
	struct ts_vm t;
	int i;

	ts_vm_init(&t, 0, 1 << 23, 0, 0, NULL);
	for (i = 0; i < SPARE_VAS; i++)
		ck_assert_int_eq(gpuvm_va_insert(&t.vm,
			ts_va_new(0x2000 * (uint64_t)i, 0x1000, NULL, 0)), 0);
	for (i = 0; i < 2; i++) {
		w[i] = (struct spare_worker){ .vm = &t.vm, .lock = &lock };
		ck_assert_int_eq(pthread_create(&th[i], NULL, spare_worker_fn,
						&w[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(w[i].bad, 0);
	}
	ck_assert_ptr_nonnull(t.vm.op_block_spare);
	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
}
END_TEST

/* An allocator whose alloc hands out garbage-filled memory, counted. */
static int garbage_allocs, garbage_zallocs;

static void *garbage_alloc(size_t size, void *priv)
{
	void *p = malloc(size);

	(void)priv;
	if (p)
		memset(p, 0xa5, size);
	garbage_allocs++;
	return p;
}

static void *garbage_zalloc(size_t size, void *priv)
{
	(void)priv;
	garbage_zallocs++;
	return calloc(1, size);
}

static void garbage_free(void *p, void *priv)
{
	(void)priv;
	free(p);
}

/*
 * Op blocks come from the allocator's optional alloc (contents undefined):
 * garbage in a fresh block changes nothing of the plan.
 */
START_TEST(test_op_list_blocks_uninit)
{
	const struct gpuvm_allocator a = {
		.zalloc = garbage_zalloc,
		.free = garbage_free,
		.alloc = garbage_alloc,
	};
	struct gpuvm_op_list list;
	struct gpuvm_va *vas[20];
	struct ts_vm t;
	int i;

	ts_vm_init(&t, 0, 1 << 21, 0, 0, NULL);
	for (i = 0; i < 20; i++) {
		vas[i] = ts_va_new(0x1000 * (uint64_t)(2 * i), 0x1000, NULL, 0);
		ck_assert_int_eq(gpuvm_va_insert(&t.vm, vas[i]), 0);
	}
	gpuvm_set_allocator(&a);
	garbage_allocs = garbage_zallocs = 0;
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&t.vm, 0, 1 << 21, &list), 0);
	/* 2 inline, then 7 + 7 + 4 in three blocks */
	ck_assert_int_eq(garbage_allocs, 3);
	ck_assert_int_eq(garbage_zallocs, 0);
	assert_unmaps_of(&list, vas, 20);
	gpuvm_op_list_clear(&t.vm, &list);
	gpuvm_set_allocator(NULL);

	ts_vm_drain(&t.vm);
	gpuvm_put(&t.vm);
}
END_TEST

START_TEST(test_op_list_clear_op_free)
{
	const struct scenario *m16 = MAP_CASE("M16");
	struct gpuvm_op_list list;
	struct gpuvm_map_req req;
	struct fix f;
	long live;

	ts_alloc_install();
	fix_init(&f, m16->exist, &op_free_ops, 0, 0);
	op_hook_vm = &f.t.vm;
	op_free_calls = 0;
	live = ts_alloc_live();
	make_req(&f, &m16->req, &req);
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&f.t.vm, &req, &list), 0);
	ck_assert_int_eq(list_len(&list), 5);
	ck_assert_int_gt(ts_alloc_live(), live);
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert_int_eq(op_free_calls, 5);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_int_eq(ts_alloc_live(), live);

	/* clearing an empty list frees nothing */
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert_int_eq(op_free_calls, 5);

	/* the other list builders go through op_free as well */
	ck_assert_int_eq(gpuvm_sm_unmap_ops_create(&f.t.vm, 0, 40, &list), 0);
	ck_assert_int_eq(list_len(&list), 4);
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert_int_eq(op_free_calls, 9);
	ck_assert_int_eq(gpuvm_prefetch_ops_create(&f.t.vm, 0, 100, &list), 0);
	ck_assert_int_eq(list_len(&list), 4);
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert_int_eq(op_free_calls, 13);
	ck_assert_int_eq(ts_alloc_live(), live);

	fix_fini(&f);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

START_TEST(test_op_list_clear_op_alloc)
{
	const struct scenario *m16 = MAP_CASE("M16");
	struct gpuvm_op_list list;
	struct gpuvm_map_req req;
	struct ts_op_rec r[MAX_OPS];
	struct gpuvm_op *op;
	struct fix f;
	int n;

	fix_init(&f, m16->exist, &drv_op_ops, 0, 0);
	op_hook_vm = &f.t.vm;
	op_free_calls = 0;
	op_alloc_calls = 0;
	make_req(&f, &m16->req, &req);
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&f.t.vm, &req, &list), 0);
	ck_assert_int_eq(op_alloc_calls, 5);
	/* every op of the list is one the driver allocated */
	n = 0;
	gpuvm_op_list_for_each(op, &list) {
		struct drv_op *d = gpuvm_container_of(op, struct drv_op, op);

		ck_assert_uint_eq(d->magic, DRV_OP_MAGIC);
		ck_assert_uint_eq(d->tail, DRV_OP_MAGIC);
		ck_assert_uint_eq(d->cookie, (uint64_t)++n);
	}
	/* and the content is the plan */
	n = list_record(&list, r);
	check_ops(&f, m16, r, n, "driver-allocated list");
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert_int_eq(op_free_calls, 5);
	ck_assert(gpuvm_list_empty(&list.ops));
	fix_fini(&f);
}
END_TEST

START_TEST(test_op_list_clear_op_alloc_only)
{
	const struct scenario *m16 = MAP_CASE("M16");
	struct gpuvm_op_list list;
	struct gpuvm_map_req req;
	struct ts_op_rec r[MAX_OPS];
	struct gpuvm_op *op;
	struct fix f;
	long live;
	int n;

	ts_alloc_install();
	fix_init(&f, m16->exist, &first_op_ops, 0, 0);
	op_hook_vm = &f.t.vm;
	op_alloc_calls = 0;
	live = ts_alloc_live();
	make_req(&f, &m16->req, &req);
	ck_assert_int_eq(gpuvm_sm_map_ops_create(&f.t.vm, &req, &list), 0);
	ck_assert_int_eq(op_alloc_calls, 5);
	gpuvm_op_list_for_each(op, &list)
		ck_assert_uint_eq(gpuvm_container_of(op, struct drv_op_first,
						     op)->magic,
				  DRV_OP_MAGIC);
	n = list_record(&list, r);
	check_ops(&f, m16, r, n, "op_alloc-only list");
	ck_assert_int_ge(ts_alloc_live(), live + 5);
	/* no op_free: the ops go back through gpuvm_free() */
	gpuvm_op_list_clear(&f.t.vm, &list);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_int_eq(ts_alloc_live(), live);
	fix_fini(&f);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* gpuvm_va_remap() / gpuvm_va_map() error paths                            */

START_TEST(test_va_remap_errors)
{
	struct fix f;
	struct snap s;
	struct gpuvm_va *a;
	struct gpuvm_va p, n;
	struct gpuvm_op_map prev, next;
	struct gpuvm_op_unmap u;
	struct gpuvm_op_remap rm;

	/* A [10,20) X@0, B [20,30) Y@0, C [40,50) Z@0 */
	fix_init(&f, (const struct va_desc[]){ D(10, 10, O_X, 0),
					       D(20, 10, O_Y, 0),
					       D(40, 10, O_Z, 0),
					       D(0, 0, 0, 0) },
		 &plain_ops, 90, 10);
	a = f.va[0];
	snap_take(&s, &f.t.vm);
	u = (struct gpuvm_op_unmap){ .va = a };

	/* stale prev piece reaching into B */
	memset(&p, 0, sizeof(p));
	prev = (struct gpuvm_op_map){ 10, 15, 0, &f.bo[O_X].base };
	rm = (struct gpuvm_op_remap){ .prev = &prev, .unmap = &u };
	ck_assert_int_eq(gpuvm_va_remap(&p, NULL, &rm), -EEXIST);
	snap_check(&s, &f.t.vm);
	ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 10, 10), a);
	ck_assert_ptr_null(gpuvm_va_find(&f.t.vm, 10, 15));

	/* good prev, stale next piece overlapping C: prev is taken back */
	memset(&p, 0, sizeof(p));
	memset(&n, 0, sizeof(n));
	prev = (struct gpuvm_op_map){ 10, 2, 0, &f.bo[O_X].base };
	next = (struct gpuvm_op_map){ 15, 30, 5, &f.bo[O_X].base };
	rm = (struct gpuvm_op_remap){ .prev = &prev, .next = &next,
				      .unmap = &u };
	ck_assert_int_eq(gpuvm_va_remap(&p, &n, &rm), -EEXIST);
	snap_check(&s, &f.t.vm);
	ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 10, 10), a);
	ck_assert_ptr_null(gpuvm_va_find(&f.t.vm, 10, 2));
	ck_assert_ptr_null(gpuvm_va_find(&f.t.vm, 15, 30));

	/* a next piece in the reserved region: -EINVAL from the insert */
	memset(&p, 0, sizeof(p));
	memset(&n, 0, sizeof(n));
	next = (struct gpuvm_op_map){ 85, 10, 5, &f.bo[O_X].base };
	rm = (struct gpuvm_op_remap){ .prev = &prev, .next = &next,
				      .unmap = &u };
	ck_assert_int_eq(gpuvm_va_remap(&p, &n, &rm), -EINVAL);
	snap_check(&s, &f.t.vm);

	/* a piece with no storage */
	memset(&p, 0, sizeof(p));
	memset(&n, 0, sizeof(n));
	prev = (struct gpuvm_op_map){ 10, 2, 0, &f.bo[O_X].base };
	next = (struct gpuvm_op_map){ 18, 2, 8, &f.bo[O_X].base };
	rm = (struct gpuvm_op_remap){ .prev = &prev, .next = &next,
				      .unmap = &u };
	ck_assert_int_eq(gpuvm_va_remap(NULL, &n, &rm), -EINVAL);
	snap_check(&s, &f.t.vm);
	ck_assert_int_eq(gpuvm_va_remap(&p, NULL, &rm), -EINVAL);
	snap_check(&s, &f.t.vm);
	ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 10, 10), a);

	/* and the same op with storage works */
	ck_assert_int_eq(gpuvm_va_remap(&p, &n, &rm), 0);
	ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 10, 2), &p);
	ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 18, 2), &n);
	ck_assert_ptr_null(gpuvm_va_find(&f.t.vm, 10, 10));
	ck_assert_ptr_eq(p.vm, &f.t.vm);
	ck_assert_uint_eq(p.offset, 0);
	ck_assert_uint_eq(n.offset, 8);
	ck_assert_ptr_eq(n.obj, &f.bo[O_X].base);
	/* links are the caller's business */
	ck_assert_ptr_null(p.vm_bo);
	ck_assert_ptr_null(n.vm_bo);
	ck_assert_ptr_nonnull(a->vm_bo);
	ck_assert_uint_eq(gpuvm_va_count(&f.t.vm), 4);
	ck_assert_uint_eq(gpuvm_refcount(&f.t.vm), s.refcount + 1);
	ck_assert_int_eq(gpuvm_check(&f.t.vm), 0);
	gpuvm_va_link(&p, a->vm_bo);
	gpuvm_va_link(&n, a->vm_bo);
	gpuvm_va_unlink(a);
	free(a);

	/* take the stack pieces out before draining */
	gpuvm_va_unlink(&p);
	gpuvm_va_unlink(&n);
	gpuvm_va_remove(&p);
	gpuvm_va_remove(&n);
	fix_fini(&f);
}
END_TEST

START_TEST(test_va_map_errors)
{
	struct fix f;
	struct snap s;
	struct gpuvm_va va;
	struct gpuvm_op_map m;

	fix_init(&f, (const struct va_desc[]){ D(10, 10, O_X, 0),
					       D(0, 0, 0, 0) },
		 &plain_ops, 90, 10);
	snap_take(&s, &f.t.vm);

	memset(&va, 0, sizeof(va));
	m = (struct gpuvm_op_map){ 15, 10, 0, &f.bo[O_Y].base };
	ck_assert_int_eq(gpuvm_va_map(&f.t.vm, &va, &m), -EEXIST);
	snap_check(&s, &f.t.vm);

	memset(&va, 0, sizeof(va));
	m = (struct gpuvm_op_map){ 95, 10, 0, &f.bo[O_Y].base };
	ck_assert_int_eq(gpuvm_va_map(&f.t.vm, &va, &m), -EINVAL);
	snap_check(&s, &f.t.vm);

	memset(&va, 0, sizeof(va));
	m = (struct gpuvm_op_map){ 85, 10, 0, &f.bo[O_Y].base };
	ck_assert_int_eq(gpuvm_va_map(&f.t.vm, &va, &m), -EINVAL);
	snap_check(&s, &f.t.vm);

	memset(&va, 0, sizeof(va));
	m = (struct gpuvm_op_map){ 50, 0, 0, &f.bo[O_Y].base };
	ck_assert_int_eq(gpuvm_va_map(&f.t.vm, &va, &m), -EINVAL);
	snap_check(&s, &f.t.vm);

	/* success: the fields come from the op */
	memset(&va, 0, sizeof(va));
	m = (struct gpuvm_op_map){ 20, 10, 7, &f.bo[O_Y].base };
	ck_assert_int_eq(gpuvm_va_map(&f.t.vm, &va, &m), 0);
	ck_assert_uint_eq(va.addr, 20);
	ck_assert_uint_eq(va.range, 10);
	ck_assert_uint_eq(va.offset, 7);
	ck_assert_ptr_eq(va.obj, &f.bo[O_Y].base);
	ck_assert_ptr_eq(va.vm, &f.t.vm);
	ck_assert_ptr_eq(gpuvm_va_find(&f.t.vm, 20, 10), &va);
	ck_assert_uint_eq(gpuvm_refcount(&f.t.vm), s.refcount + 1);
	/* a second map of the same VA structure */
	ck_assert_int_ne(gpuvm_va_map(&f.t.vm, &va, &m), 0);
	ck_assert_int_eq(gpuvm_check(&f.t.vm), 0);
	gpuvm_va_remove(&va);
	ck_assert_uint_eq(gpuvm_refcount(&f.t.vm), s.refcount);
	snap_check(&s, &f.t.vm);
	fix_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc;

	tc = tcase_create("map");
	tcase_add_loop_test(tc, test_map_scenario, 0, ARRAY_SIZE(map_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("unmap");
	tcase_add_loop_test(tc, test_unmap_scenario, 0,
			    ARRAY_SIZE(unmap_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("madvise");
	tcase_add_loop_test(tc, test_madvise_scenario, 0,
			    ARRAY_SIZE(madvise_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_invalid_map);
	tcase_add_test(tc, test_touching_reserved);
	tcase_add_test(tc, test_unmap_reserved);
	tcase_add_test(tc, test_missing_callbacks);
	tcase_add_loop_test(tc, test_callback_error_stops, 0, 5);
	tcase_add_test(tc, test_unmap_callback_error_stops);
	tcase_add_test(tc, test_va_remap_errors);
	tcase_add_test(tc, test_va_map_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_test(tc, test_callback_apply_m16);
	tcase_add_test(tc, test_count_new_vas);
	tcase_add_test(tc, test_prefetch);
	tcase_add_test(tc, test_remap_to_unmap_range);
	tcase_add_test(tc, test_op_list_blocks);
	tcase_add_test(tc, test_op_list_spare_threads);
	tcase_add_test(tc, test_op_list_blocks_uninit);
	tcase_add_test(tc, test_op_list_clear_op_free);
	tcase_add_test(tc, test_op_list_clear_op_alloc);
	tcase_add_test(tc, test_op_list_clear_op_alloc_only);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	/* Single-threaded tests: they link VAs without taking the objects'
	 * locks; tests/test_vm_bo_modes.c covers the lock checks. */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(plan_suite());
}
