// SPDX-License-Identifier: MIT
/*
 * Random map/unmap/madvise requests against a page-array oracle.
 *
 * The VM has NPAGES pages of PAGE bytes.  The oracle keeps, for each page,
 * whether it is mapped, the object, the object offset of that page and an id
 * of the VA it belongs to (a VA is a maximal run of pages with one id).  For
 * every request:
 *
 *  1. the plan the library must produce is computed from the oracle by the
 *     rules of docs/semantics.md section 2 (written independently here);
 *  2. the library plans the request, through the op list, through the step
 *     callbacks that apply each op at once, or through both on the same
 *     request (the callbacks then only record, and the two sequences must be
 *     identical);
 *  3. the plan is checked against the expected one and against structural
 *     rules (shape, keep bits, piece objects and offsets, number of new VAs);
 *  4. the plan is applied with gpuvm_va_map/remap/unmap and the vm_bo calls
 *     in the order of docs/semantics.md section 6, with VAs allocated first;
 *  5. the oracle is updated (map: the pages take the request; unmap: the
 *     pages are cleared; madvise: presence and objects do not change) and
 *     the VM is compared with it page by page, along with the vm_bo lists,
 *     reference counts and gpuvm_check().
 *
 * GPUVM_TEST_ITERATIONS sets the number of requests per configuration;
 * without it the default is divided by 10 when GPUVM_UNDER_VALGRIND=1.
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
 * far too slow for the number of comparisons made here.  These call into
 * check only when the comparison fails.
 */

#define PAGE 0x1000ull
#define NPAGES 256
#define BASE 0x100000ull
#define NBOS 4
#define MAX_OPS (NPAGES + 8)
#define DEFAULT_ITERATIONS 15000

enum req_kind { REQ_MAP, REQ_UNMAP, REQ_MADVISE };

enum plan_mode {
	MODE_LIST,	/* op list, applied afterwards */
	MODE_CALLBACK,	/* step callbacks applying each op at once */
	MODE_BOTH,	/* callbacks recording + op list, compared */
};

static bool under_valgrind(void)
{
	const char *v = getenv("GPUVM_UNDER_VALGRIND");

	return v && v[0] == '1';
}

static unsigned long iterations(void)
{
	const char *env = getenv("GPUVM_TEST_ITERATIONS");
	unsigned long n = DEFAULT_ITERATIONS;

	if (env && *env && strtoul(env, NULL, 0))
		return strtoul(env, NULL, 0);
	if (under_valgrind())
		n /= 10;
	return n;
}

/* splitmix64 */
static uint64_t rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t *state, uint64_t n)
{
	return rnd(state) % n;
}

/* address of page @p; negative pages wrap below BASE */
static uint64_t pa(long p)
{
	return BASE + (uint64_t)p * PAGE;
}

/* ------------------------------------------------------------------------ */
/* Oracle and world                                                         */

struct page {
	bool present;
	bool reserved;
	struct gpuvm_bo *obj;
	uint64_t off;		/* object offset of this page */
	uint32_t vid;		/* id of the VA holding the page */
};

/* a VA as the oracle sees it: pages [start, end) */
struct ova {
	long start;
	long end;
	struct gpuvm_bo *obj;
	uint64_t off;		/* object offset of the first page */
};

struct world {
	struct ts_vm t;
	struct ts_bo bos[NBOS];
	struct page pg[NPAGES];
	uint32_t next_vid;
	uint64_t rng;

	/* step callbacks */
	bool cb_apply;
	unsigned int cb_n;
	struct ts_op_rec cb_ops[MAX_OPS];
	struct gpuvm_va *pool[GPUVM_MADVISE_MAX_NEW_VAS];
	unsigned int pool_n;
	unsigned int pool_used;
	struct gpuvm_vm_bo *req_vm_bo;

	/* what was exercised */
	unsigned long n_map, n_remap, n_unmap, n_keep, n_remap2, n_einval;
	unsigned long n_madv_remap, n_list, n_cb, n_both;
};

static struct world *world_of(struct gpuvm *vm)
{
	return gpuvm_container_of(vm, struct world, t.vm);
}

static void world_vm_free(struct gpuvm *vm)
{
	world_of(vm)->t.freed++;
}

/* Record @op, failing on a malformed op; no map/unmap plan has PREFETCH. */
static void rop_from_op(struct ts_op_rec *r, const struct gpuvm_op *op)
{
	const char *err = ts_op_record(r, op);

	ck_assert_msg(!err, "%s", err);
	ck_assert_msg(op->type != GPUVM_OP_PREFETCH, "unexpected op type %d",
		      (int)op->type);
}

static bool rop_eq(const struct ts_op_rec *a, const struct ts_op_rec *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == GPUVM_OP_MAP)
		return ts_op_map_eq(&a->map, &b->map);
	if (a->va != b->va || a->keep != b->keep)
		return false;
	if (a->type == GPUVM_OP_UNMAP)
		return true;
	if (a->has_prev != b->has_prev || a->has_next != b->has_next)
		return false;
	if (a->has_prev && !ts_op_map_eq(&a->prev, &b->prev))
		return false;
	if (a->has_next && !ts_op_map_eq(&a->next, &b->next))
		return false;
	return true;
}

static int describe_map(char *buf, size_t len, const char *tag,
			const struct gpuvm_op_map *m)
{
	return snprintf(buf, len, " %s[0x%llx,+0x%llx) obj %p@0x%llx", tag,
			(unsigned long long)m->addr,
			(unsigned long long)m->range, (void *)m->obj,
			(unsigned long long)m->offset);
}

static void describe(char *buf, size_t len, const struct ts_op_rec *r)
{
	static const char *const names[] = { "MAP", "REMAP", "UNMAP" };
	int n = snprintf(buf, len, "%s", (unsigned int)r->type < 3 ?
			 names[r->type] : "?");

	if (n < 0 || (size_t)n >= len)
		return;
	if (r->type == GPUVM_OP_MAP) {
		describe_map(buf + n, len - n, "", &r->map);
		return;
	}
	n += describe_map(buf + n, len - n, "old", &r->old);
	if ((size_t)n >= len)
		return;
	n += snprintf(buf + n, len - n, " keep=%d", r->keep);
	if (r->has_prev && (size_t)n < len)
		n += describe_map(buf + n, len - n, "prev", &r->prev);
	if (r->has_next && (size_t)n < len)
		describe_map(buf + n, len - n, "next", &r->next);
}

static void compare_rops(const char *what, const struct ts_op_rec *got,
			 unsigned int ngot, const struct ts_op_rec *want,
			 unsigned int nwant)
{
	char g[256], w[256];
	unsigned int i;

	for (i = 0; i < ngot && i < nwant; i++) {
		if (rop_eq(&got[i], &want[i]))
			continue;
		describe(g, sizeof(g), &got[i]);
		describe(w, sizeof(w), &want[i]);
		ck_abort_msg("%s: op %u differs: got %s, want %s", what, i,
			     g, w);
	}
	if (ngot != nwant) {
		const struct ts_op_rec *x = ngot > nwant ? &got[i] : &want[i];

		describe(g, sizeof(g), x);
		ck_abort_msg("%s: %u ops, want %u (first extra: %s)", what,
			     ngot, nwant, g);
	}
}

/* the VAs of the oracle, ascending */
static unsigned int oracle_vas(const struct world *w, struct ova *out)
{
	unsigned int n = 0;
	long i = 0;

	while (i < NPAGES) {
		const struct page *p = &w->pg[i];
		long j;

		if (!p->present) {
			i++;
			continue;
		}
		for (j = i + 1; j < NPAGES && w->pg[j].present &&
		     w->pg[j].vid == p->vid; j++) {
			/* the oracle itself stays consistent */
			REQUIRE(w->pg[j].obj == p->obj);
			REQUIRE(w->pg[j].off ==
				p->off + (uint64_t)(j - i) * PAGE);
		}
		out[n].start = i;
		out[n].end = j;
		out[n].obj = p->obj;
		out[n].off = p->off;
		n++;
		i = j;
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* The expected plan (docs/semantics.md 2.1, 2.2, 2.3, 2.4)                 */

static void set_map(struct gpuvm_op_map *m, uint64_t addr, uint64_t range,
		    struct gpuvm_bo *obj, uint64_t offset)
{
	m->addr = addr;
	m->range = range;
	m->obj = obj;
	m->offset = offset;
}

static unsigned int plan_expected(struct world *w, enum req_kind kind,
				  long rp, long re,
				  const struct gpuvm_op_map *req,
				  struct ts_op_rec *out)
{
	struct ova v[NPAGES];
	unsigned int nv = oracle_vas(w, v), i, n = 0;
	bool final_map = kind == REQ_MAP;

	for (i = 0; i < nv; i++) {
		long a = v[i].start, e = v[i].end;
		struct gpuvm_va *va;
		struct ts_op_rec *r;

		if (e <= rp || a >= re)
			continue;
		if (kind == REQ_MADVISE && v[i].obj)
			continue;
		if (kind == REQ_MADVISE && a >= rp && e <= re)
			continue;

		va = gpuvm_va_find(&w->t.vm, pa(a), (uint64_t)(e - a) * PAGE);
		REQUIRE(va);
		r = &out[n++];
		memset(r, 0, sizeof(*r));
		ts_op_rec_old(r, va);
		if (a < rp) {
			r->has_prev = true;
			set_map(&r->prev, pa(a), (uint64_t)(rp - a) * PAGE,
				v[i].obj, v[i].off);
		}
		if (e > re) {
			r->has_next = true;
			set_map(&r->next, pa(re), (uint64_t)(e - re) * PAGE,
				v[i].obj, v[i].off + (uint64_t)(re - a) * PAGE);
		}
		r->type = r->has_prev || r->has_next ? GPUVM_OP_REMAP :
						       GPUVM_OP_UNMAP;
		if (kind == REQ_MAP) {
			/* same object at the same virtual-to-object shift */
			r->keep = v[i].obj && v[i].obj == req->obj &&
				  v[i].off - pa(a) == req->offset - req->addr;
		}
		if (kind != REQ_MADVISE)
			continue;

		/* madvise: object-less VAs split at the request's edges */
		if (a < rp && e < re) {
			r = &out[n++];
			memset(r, 0, sizeof(*r));
			r->type = GPUVM_OP_MAP;
			set_map(&r->map, pa(rp), (uint64_t)(e - rp) * PAGE,
				NULL, 0);
			continue;
		}
		if (a > rp) {
			r = &out[n++];
			memset(r, 0, sizeof(*r));
			r->type = GPUVM_OP_MAP;
			set_map(&r->map, pa(a), (uint64_t)(re - a) * PAGE,
				NULL, 0);
			return n;
		}
		final_map = true;
		break;
	}
	if (final_map) {
		struct ts_op_rec *r = &out[n++];

		memset(r, 0, sizeof(*r));
		r->type = GPUVM_OP_MAP;
		r->map = *req;
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Structural rules, checked on any plan                                    */

static void check_structure(enum req_kind kind,
			    const struct gpuvm_op_map *req,
			    const struct ts_op_rec *ops, unsigned int n,
			    unsigned int new_vas)
{
	uint64_t rend = req->addr + req->range, last_end = 0, lo, hi;
	unsigned int i, maps = 0, remaps = 0, pieces = 0;

	for (i = 0; i < n; i++) {
		const struct ts_op_rec *r = &ops[i];
		uint64_t oend = r->old.addr + r->old.range;

		if (r->type == GPUVM_OP_MAP) {
			maps++;
			REQUIRE(kind != REQ_UNMAP);
			if (kind == REQ_MAP) {
				REQUIRE(i == n - 1);
				REQUIRE(ts_op_map_eq(&r->map, req));
				continue;
			}
			/* madvise: the split VA's part inside the request */
			REQUIRE(i > 0 && ops[i - 1].type == GPUVM_OP_REMAP);
			if (ts_op_map_eq(&r->map, req))
				continue;
			REQUIRE(!r->map.obj && r->map.offset == 0);
			lo = ops[i - 1].old.addr;
			hi = lo + ops[i - 1].old.range;
			REQ_CMP(r->map.addr, ==,
				lo > req->addr ? lo : req->addr);
			REQ_CMP(r->map.addr + r->map.range, ==,
				hi < rend ? hi : rend);
			continue;
		}

		REQUIRE(r->type == GPUVM_OP_REMAP || r->type == GPUVM_OP_UNMAP);
		/* the old VA meets the request; old VAs are in order */
		REQUIRE(r->old.addr < rend && req->addr < oend);
		REQUIRE(r->old.addr >= last_end);
		last_end = oend;
		if (kind == REQ_MAP)
			REQUIRE(r->keep == (r->old.obj &&
					    r->old.obj == req->obj &&
					    r->old.offset - r->old.addr ==
					    req->offset - req->addr));
		else
			REQUIRE(!r->keep);
		if (kind == REQ_MADVISE)
			REQUIRE(!r->old.obj);

		if (r->type == GPUVM_OP_UNMAP) {
			REQUIRE(kind != REQ_MADVISE);
			REQUIRE(r->old.addr >= req->addr && oend <= rend);
			continue;
		}

		remaps++;
		REQUIRE(r->has_prev || r->has_next);
		if (r->has_prev) {
			pieces++;
			REQUIRE(r->prev.addr == r->old.addr);
			REQUIRE(r->prev.addr + r->prev.range == req->addr);
			REQUIRE(r->prev.obj == r->old.obj);
			REQUIRE(r->prev.offset == r->old.offset);
			/* shape: a REMAP with a prev piece comes first */
			REQUIRE(i == 0);
		} else {
			REQUIRE(r->old.addr >= req->addr);
		}
		if (r->has_next) {
			pieces++;
			REQUIRE(r->next.addr == rend);
			REQUIRE(r->next.addr + r->next.range == oend);
			REQUIRE(r->next.obj == r->old.obj);
			REQUIRE(r->next.offset ==
				r->old.offset + (r->next.addr - r->old.addr));
			/* shape: and one with a next piece comes last */
			REQUIRE(i + 1 == n || (i + 2 == n &&
				ops[i + 1].type == GPUVM_OP_MAP));
		} else {
			REQUIRE(oend <= rend);
		}
		if (kind == REQ_MADVISE)
			REQUIRE(i + 1 < n && ops[i + 1].type == GPUVM_OP_MAP);
	}

	REQUIRE(remaps <= 2);
	REQ_INT(new_vas, maps + pieces);
	switch (kind) {
	case REQ_MAP:
		REQ_INT(maps, 1);
		REQUIRE(n >= 1 && ops[n - 1].type == GPUVM_OP_MAP);
		REQUIRE(new_vas <= GPUVM_MAP_MAX_NEW_VAS);
		break;
	case REQ_UNMAP:
		REQ_INT(maps, 0);
		REQUIRE(new_vas <= GPUVM_UNMAP_MAX_NEW_VAS);
		break;
	case REQ_MADVISE:
		REQ_INT(maps, remaps);
		REQUIRE(new_vas <= GPUVM_MADVISE_MAX_NEW_VAS);
		break;
	}
}

static unsigned int rops_new_vas(const struct ts_op_rec *ops, unsigned int n)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		k += (ops[i].type == GPUVM_OP_MAP) + ops[i].has_prev +
		     ops[i].has_next;
	return k;
}

/* ------------------------------------------------------------------------ */
/* Applying a plan (docs/semantics.md, section 6)                           */

static struct gpuvm_va *pool_take(struct world *w)
{
	REQUIRE(w->pool_used < w->pool_n);
	return w->pool[w->pool_used++];
}

static void apply_op(struct world *w, const struct gpuvm_op *op)
{
	struct gpuvm *vm = &w->t.vm;
	struct gpuvm_va *va, *old, *prev = NULL, *next = NULL;
	struct gpuvm_vm_bo *vb;

	switch (op->type) {
	case GPUVM_OP_MAP:
		va = pool_take(w);
		REQ_INT(gpuvm_va_map(vm, va, &op->map), 0);
		REQ_PTR(va->vm, vm);
		if (va->obj) {
			REQUIRE(w->req_vm_bo && w->req_vm_bo->obj == va->obj);
			gpuvm_va_link(va, w->req_vm_bo);
			REQ_PTR(va->vm_bo, w->req_vm_bo);
		}
		w->n_map++;
		break;
	case GPUVM_OP_REMAP:
		old = op->remap.unmap->va;
		vb = old->vm_bo;
		REQUIRE(old->obj ? vb && vb->obj == old->obj : !vb);
		if (op->remap.prev)
			prev = pool_take(w);
		if (op->remap.next)
			next = pool_take(w);
		REQ_INT(gpuvm_va_remap(prev, next, &op->remap), 0);
		if (prev) {
			REQ_PTR(prev->vm, vm);
			if (vb)
				gpuvm_va_link(prev, vb);
		}
		if (next) {
			REQ_PTR(next->vm, vm);
			if (vb)
				gpuvm_va_link(next, vb);
		}
		gpuvm_va_unlink(old);
		REQ_PTR(old->vm_bo, NULL);
		free(old);
		w->n_remap++;
		w->n_keep += op->remap.unmap->keep;
		w->n_remap2 += prev && next;
		break;
	case GPUVM_OP_UNMAP:
		old = op->unmap.va;
		w->n_keep += op->unmap.keep;
		gpuvm_va_unmap(&op->unmap);
		gpuvm_va_unlink(old);
		REQ_PTR(old->vm_bo, NULL);
		free(old);
		w->n_unmap++;
		break;
	default:
		ck_abort_msg("unexpected op type %d", (int)op->type);
	}
}

static void pool_fill(struct world *w, unsigned int n)
{
	unsigned int i;

	REQUIRE(n <= GPUVM_MADVISE_MAX_NEW_VAS);
	for (i = 0; i < n; i++) {
		w->pool[i] = calloc(1, sizeof(*w->pool[i]));
		REQUIRE(w->pool[i]);
	}
	w->pool_n = n;
	w->pool_used = 0;
}

static void pool_release(struct world *w)
{
	unsigned int i;

	for (i = w->pool_used; i < w->pool_n; i++)
		free(w->pool[i]);
	w->pool_n = 0;
	w->pool_used = 0;
}

static void req_vm_bo_get(struct world *w, struct gpuvm_bo *obj)
{
	w->req_vm_bo = NULL;
	if (obj) {
		REQ_INT(gpuvm_vm_bo_obtain(&w->t.vm, obj, &w->req_vm_bo), 0);
		REQUIRE(w->req_vm_bo && w->req_vm_bo->obj == obj);
	}
}

static void req_vm_bo_put(struct world *w)
{
	gpuvm_vm_bo_put(w->req_vm_bo);
	w->req_vm_bo = NULL;
}

/* ------------------------------------------------------------------------ */
/* Step callbacks                                                           */

static int cb_step(struct gpuvm_op *op, void *priv)
{
	struct world *w = priv;

	REQUIRE(w->cb_n < MAX_OPS);
	rop_from_op(&w->cb_ops[w->cb_n++], op);
	if (w->cb_apply)
		apply_op(w, op);
	return 0;
}

static int cb_map(struct gpuvm_op *op, void *priv)
{
	REQ_INT(op->type, GPUVM_OP_MAP);
	return cb_step(op, priv);
}

static int cb_remap(struct gpuvm_op *op, void *priv)
{
	REQ_INT(op->type, GPUVM_OP_REMAP);
	return cb_step(op, priv);
}

static int cb_unmap(struct gpuvm_op *op, void *priv)
{
	REQ_INT(op->type, GPUVM_OP_UNMAP);
	return cb_step(op, priv);
}

static const struct gpuvm_ops world_ops = {
	.vm_free = world_vm_free,
	.sm_step_map = cb_map,
	.sm_step_remap = cb_remap,
	.sm_step_unmap = cb_unmap,
};

/* ------------------------------------------------------------------------ */
/* Comparing the VM with the oracle                                         */

static void compare_vm(struct world *w)
{
	struct gpuvm *vm = &w->t.vm;
	struct ova v[NPAGES];
	unsigned int nv = oracle_vas(w, v), j = 0, b, vm_bos = 0;
	unsigned int per_bo[NBOS] = { 0 };
	struct gpuvm_va *va;

	REQ_INT(gpuvm_check(vm), 0);
	gpuvm_for_each_va(va, vm) {
		const struct ova *o;

		if (va == &vm->kernel_alloc_node)
			continue;
		REQUIRE(j < nv);
		o = &v[j++];
		REQ_CMP(va->addr, ==, pa(o->start));
		REQ_CMP(va->range, ==, (uint64_t)(o->end - o->start) * PAGE);
		REQ_PTR(va->obj, o->obj);
		REQ_CMP(va->offset, ==, o->off);
		REQ_PTR(va->vm, vm);
		if (va->obj) {
			REQUIRE(va->vm_bo && va->vm_bo->obj == va->obj &&
				va->vm_bo->vm == vm);
			per_bo[gpuvm_container_of(va->obj, struct ts_bo,
						  base)->id]++;
		} else {
			REQ_PTR(va->vm_bo, NULL);
		}
	}
	REQ_INT(j, nv);
	REQ_CMP(gpuvm_va_count(vm), ==, nv);

	/* one vm_bo per object in use, holding exactly its VAs */
	for (b = 0; b < NBOS; b++) {
		struct ts_bo *bo = &w->bos[b];
		struct gpuvm_vm_bo *vb, *mine = NULL;
		unsigned int linked = 0;

		gpuvm_bo_for_each_vm_bo(vb, &bo->base) {
			REQ_PTR(vb->vm, vm);
			REQUIRE(!mine);
			mine = vb;
		}
		if (!per_bo[b]) {
			REQ_PTR(mine, NULL);
			REQ_INT(bo->refs, 1);
			continue;
		}
		REQUIRE(mine);
		vm_bos++;
		gpuvm_vm_bo_for_each_va(va, mine) {
			REQ_PTR(va->vm_bo, mine);
			REQ_PTR(va->obj, &bo->base);
			linked++;
		}
		REQ_INT(linked, per_bo[b]);
		REQ_INT(bo->refs, 2);
	}
	REQ_CMP(gpuvm_refcount(vm), ==, 1 + nv + vm_bos);
}

/* ------------------------------------------------------------------------ */
/* One request                                                              */

static unsigned int list_to_rops(const struct gpuvm_op_list *list,
				 const struct gpuvm_op_map *req,
				 struct ts_op_rec *out)
{
	const struct gpuvm_op *op;
	unsigned int n = 0;

	gpuvm_op_list_for_each(op, list) {
		REQUIRE(n < MAX_OPS);
		rop_from_op(&out[n], op);
		if (op->type == GPUVM_OP_REMAP) {
			uint64_t hs = 0, hr = 0, lo, hi;
			const struct ts_op_rec *r = &out[n];

			/* a REMAP's hole is the old VA inside the request */
			gpuvm_op_remap_to_unmap_range(&op->remap, &hs, &hr);
			lo = r->old.addr > req->addr ? r->old.addr : req->addr;
			hi = r->old.addr + r->old.range;
			if (hi > req->addr + req->range)
				hi = req->addr + req->range;
			REQ_CMP(hs, ==, lo);
			REQ_CMP(hr, ==, hi - lo);
		}
		n++;
	}
	return n;
}

static int plan_list(struct world *w, enum req_kind kind,
		     const struct gpuvm_map_req *req,
		     struct gpuvm_op_list *list)
{
	switch (kind) {
	case REQ_MAP:
		return gpuvm_sm_map_ops_create(&w->t.vm, req, list);
	case REQ_UNMAP:
		return gpuvm_sm_unmap_ops_create(&w->t.vm, req->map.addr,
						 req->map.range, list);
	default:
		return gpuvm_madvise_ops_create(&w->t.vm, req, list);
	}
}

static int plan_callbacks(struct world *w, enum req_kind kind,
			  const struct gpuvm_map_req *req, bool apply)
{
	w->cb_apply = apply;
	w->cb_n = 0;
	if (kind == REQ_MAP)
		return gpuvm_sm_map(&w->t.vm, w, req);
	return gpuvm_sm_unmap(&w->t.vm, w, req->map.addr, req->map.range);
}

static void update_oracle(struct world *w, enum req_kind kind, long rp,
			  long re, const struct gpuvm_op_map *req,
			  const struct ts_op_rec *plan, unsigned int n)
{
	struct page before[NPAGES];
	unsigned int i;
	long p;

	memcpy(before, w->pg, sizeof(before));
	if (kind == REQ_MAP) {
		uint32_t vid = w->next_vid++;

		for (p = rp; p < re; p++) {
			w->pg[p].present = true;
			w->pg[p].obj = req->obj;
			w->pg[p].off = req->offset + (uint64_t)(p - rp) * PAGE;
			w->pg[p].vid = vid;
		}
		return;
	}
	if (kind == REQ_UNMAP) {
		for (p = rp; p < re; p++)
			memset(&w->pg[p], 0, sizeof(w->pg[p]));
		return;
	}

	/* madvise: the expected plan re-cuts object-less VAs */
	for (i = 0; i < n; i++) {
		const struct gpuvm_op_map *parts[2] = { NULL, NULL };
		unsigned int k;

		if (plan[i].type == GPUVM_OP_MAP) {
			parts[0] = &plan[i].map;
		} else {
			REQUIRE(plan[i].type == GPUVM_OP_REMAP);
			if (plan[i].has_prev)
				parts[0] = &plan[i].prev;
			if (plan[i].has_next)
				parts[1] = &plan[i].next;
		}
		for (k = 0; k < 2; k++) {
			uint32_t vid = w->next_vid++;
			long first, last;

			if (!parts[k])
				continue;
			first = (long)((parts[k]->addr - BASE) / PAGE);
			last = first + (long)(parts[k]->range / PAGE);
			REQUIRE(first >= 0 && last <= NPAGES);
			for (p = first; p < last; p++) {
				REQUIRE(w->pg[p].present);
				w->pg[p].obj = parts[k]->obj;
				w->pg[p].off = parts[k]->offset +
					       (uint64_t)(p - first) * PAGE;
				w->pg[p].vid = vid;
			}
		}
	}
	/* presence and objects never change; object-backed pages not at all */
	for (p = 0; p < NPAGES; p++) {
		REQUIRE(w->pg[p].present == before[p].present);
		REQUIRE(w->pg[p].obj == before[p].obj);
		if (w->pg[p].obj)
			REQUIRE(w->pg[p].off == before[p].off &&
				w->pg[p].vid == before[p].vid);
	}
}

static bool request_valid(const struct world *w, long rp, long rn)
{
	long p;

	if (rn <= 0 || rp < 0 || rp + rn > NPAGES)
		return false;
	for (p = rp; p < rp + rn; p++)
		if (w->pg[p].reserved)
			return false;
	return true;
}

static void do_request(struct world *w, enum req_kind kind, long rp, long rn,
		       struct gpuvm_bo *obj, uint64_t offset,
		       enum plan_mode mode)
{
	static struct ts_op_rec want[MAX_OPS], got[MAX_OPS];
	struct gpuvm_map_req req;
	struct gpuvm_op_list list;
	const struct gpuvm_op *op;
	bool valid = request_valid(w, rp, rn);
	unsigned int nwant = 0, ngot, new_vas;
	int ret;

	memset(&req, 0, sizeof(req));
	set_map(&req.map, pa(rp), (uint64_t)rn * PAGE, obj, offset);
	if (kind == REQ_MADVISE)
		mode = MODE_LIST;
	if (valid)
		nwant = plan_expected(w, kind, rp, rp + rn, &req.map, want);
	else
		w->n_einval++;

	if (mode == MODE_CALLBACK) {
		w->n_cb++;
		pool_fill(w, kind == REQ_MAP ? GPUVM_MAP_MAX_NEW_VAS :
					       GPUVM_UNMAP_MAX_NEW_VAS);
		req_vm_bo_get(w, kind == REQ_MAP ? obj : NULL);
		ret = plan_callbacks(w, kind, &req, true);
		if (!valid) {
			REQ_INT(ret, -EINVAL);
			REQ_INT(w->cb_n, 0);
		} else {
			REQ_INT(ret, 0);
			compare_rops("callbacks", w->cb_ops, w->cb_n, want,
				     nwant);
			check_structure(kind, &req.map, w->cb_ops, w->cb_n,
					w->pool_used);
			REQ_INT(w->pool_used, rops_new_vas(want, nwant));
		}
		pool_release(w);
		req_vm_bo_put(w);
		goto done;
	}

	if (mode == MODE_BOTH) {
		w->n_both++;
		ret = plan_callbacks(w, kind, &req, false);
		REQ_INT(ret, valid ? 0 : -EINVAL);
		if (!valid)
			REQ_INT(w->cb_n, 0);
		/* recording changed nothing */
		compare_vm(w);
	}

	w->n_list++;
	gpuvm_op_list_init(&list);
	ret = plan_list(w, kind, &req, &list);
	if (!valid) {
		REQ_INT(ret, -EINVAL);
		REQUIRE(gpuvm_list_empty(&list.ops));
		goto done;
	}
	REQ_INT(ret, 0);
	ngot = list_to_rops(&list, &req.map, got);
	compare_rops("list", got, ngot, want, nwant);
	if (mode == MODE_BOTH)
		compare_rops("callbacks vs list", w->cb_ops, w->cb_n, got,
			     ngot);
	new_vas = gpuvm_op_list_count_new_vas(&list);
	check_structure(kind, &req.map, got, ngot, new_vas);
	if (kind == REQ_MADVISE)
		w->n_madv_remap += new_vas;

	/* allocate everything first, then apply without failing */
	pool_fill(w, new_vas);
	req_vm_bo_get(w, kind == REQ_MAP ? obj : NULL);
	gpuvm_op_list_for_each(op, &list)
		apply_op(w, op);
	REQ_INT(w->pool_used, new_vas);
	pool_release(w);
	req_vm_bo_put(w);
	gpuvm_op_list_clear(&w->t.vm, &list);
	REQUIRE(gpuvm_list_empty(&list.ops));

done:
	if (valid)
		update_oracle(w, kind, rp, rp + rn, &req.map, want, nwant);
	compare_vm(w);
}

/* ------------------------------------------------------------------------ */
/* Random requests                                                          */

static void random_request(struct world *w)
{
	uint64_t *s = &w->rng;
	uint64_t dice = rnd_below(s, 100);
	enum req_kind kind = dice < 50 ? REQ_MAP :
			     dice < 78 ? REQ_UNMAP : REQ_MADVISE;
	enum plan_mode mode = (enum plan_mode)rnd_below(s, 3);
	struct gpuvm_bo *obj = NULL;
	uint64_t offset;
	long rp, rn;

	dice = rnd_below(s, 100);
	if (dice < 3)
		rp = -1 - (long)rnd_below(s, 3);
	else if (dice < 6)
		rp = NPAGES - (long)rnd_below(s, 3);
	else
		rp = (long)rnd_below(s, NPAGES);

	dice = rnd_below(s, 100);
	if (dice < 2)
		rn = 0;
	else if (dice < 60)
		rn = 1 + (long)rnd_below(s, 8);
	else if (dice < 92)
		rn = 1 + (long)rnd_below(s, 32);
	else
		rn = 1 + (long)rnd_below(s, NPAGES);

	if (kind == REQ_MAP) {
		unsigned int b = (unsigned int)rnd_below(s, NBOS + 2);

		if (b < NBOS)
			obj = &w->bos[b].base;
	}
	/*
	 * Offsets: often the object's "home" offset for that address, so
	 * that remaps of the same object are contiguous (keep bits), else
	 * any page in the object; object-less mappings get offsets too.
	 */
	if (rnd_below(s, 100) < 60)
		offset = 0x1000000ull * (obj ? 1 + (uint64_t)
			 gpuvm_container_of(obj, struct ts_bo, base)->id : 0) +
			 (uint64_t)rp * PAGE;
	else
		offset = rnd_below(s, 128) * PAGE;
	if (kind == REQ_MADVISE && rnd_below(s, 2))
		offset = 0;

	do_request(w, kind, rp, rn, obj, offset, mode);
}

static void run_model(uint64_t seed, long res_start, long res_pages)
{
	unsigned long n = iterations(), i;
	struct world *w = calloc(1, sizeof(*w));
	unsigned int b;
	long p;

	REQUIRE(w);
	ts_alloc_install();
	ts_warn_capture();
	w->rng = seed;
	w->next_vid = 1;
	for (b = 0; b < NBOS; b++)
		ts_bo_init(&w->bos[b], (int)b);
	ts_vm_init(&w->t, BASE, NPAGES * PAGE,
		   res_pages ? pa(res_start) : 0,
		   (uint64_t)res_pages * PAGE, &world_ops);
	for (p = res_start; p < res_start + res_pages; p++)
		w->pg[p].reserved = true;
	compare_vm(w);

	for (i = 0; i < n; i++)
		random_request(w);

	/* the run did exercise what it is meant to */
	if (n >= 1000) {
		REQ_CMP(w->n_map, >=, n / 10);
		REQ_CMP(w->n_remap, >=, n / 20);
		REQ_CMP(w->n_unmap, >=, n / 20);
		REQ_CMP(w->n_keep, >=, n / 200);
		REQ_CMP(w->n_remap2, >=, n / 200);
		REQ_CMP(w->n_madv_remap, >=, n / 200);
		REQ_CMP(w->n_einval, >=, n / 100);
		REQ_CMP(w->n_cb, >=, n / 10);
		REQ_CMP(w->n_both, >=, n / 10);
	}
	if (getenv("GPUVM_TEST_VERBOSE"))
		printf("map %lu remap %lu (both pieces %lu) unmap %lu keep %lu madvise pieces %lu einval %lu list %lu cb %lu both %lu\n",
		       w->n_map, w->n_remap, w->n_remap2, w->n_unmap,
		       w->n_keep, w->n_madv_remap, w->n_einval, w->n_list,
		       w->n_cb, w->n_both);

	/* unmap everything around the reserved region, through the list */
	if (res_pages) {
		do_request(w, REQ_UNMAP, 0, res_start, NULL, 0, MODE_LIST);
		do_request(w, REQ_UNMAP, res_start + res_pages,
			   NPAGES - res_start - res_pages, NULL, 0,
			   MODE_CALLBACK);
	} else {
		do_request(w, REQ_UNMAP, 0, NPAGES, NULL, 0, MODE_BOTH);
	}
	REQ_CMP(gpuvm_va_count(&w->t.vm), ==, 0);
	REQ_CMP(gpuvm_refcount(&w->t.vm), ==, 1);
	for (b = 0; b < NBOS; b++) {
		REQ_INT(w->bos[b].refs, 1);
		REQUIRE(gpuvm_list_empty(&w->bos[b].base.vm_bos));
	}
	REQ_INT(ts_warn_count(), 0);
	gpuvm_put(&w->t.vm);
	REQ_INT(w->t.freed, 1);
	REQ_INT(ts_alloc_live(), 0);
	ts_alloc_uninstall();
	gpuvm_set_warn_handler(NULL, NULL);
	free(w);
}

START_TEST(test_model_plain)
{
	run_model(0x6d6f64656c01ull, 0, 0);
}
END_TEST

START_TEST(test_model_reserved_top)
{
	run_model(0x6d6f64656c02ull, NPAGES - 8, 8);
}
END_TEST

START_TEST(test_model_reserved_middle)
{
	run_model(0x6d6f64656c03ull, 100, 4);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* A fixed sequence, so that the machinery itself is seen to work          */

START_TEST(test_model_fixed)
{
	struct world *w = calloc(1, sizeof(*w));
	struct gpuvm_bo *x, *y;
	unsigned int b;

	REQUIRE(w);
	ts_alloc_install();
	ts_warn_capture();
	w->next_vid = 1;
	for (b = 0; b < NBOS; b++)
		ts_bo_init(&w->bos[b], (int)b);
	x = &w->bos[0].base;
	y = &w->bos[1].base;
	ts_vm_init(&w->t, BASE, NPAGES * PAGE, 0, 0, &world_ops);

	/* A [10,30) X@0, then a middle split by Y (M11 in pages) */
	do_request(w, REQ_MAP, 10, 20, x, 0, MODE_LIST);
	do_request(w, REQ_MAP, 15, 5, y, 0, MODE_BOTH);
	ck_assert_uint_eq(gpuvm_va_count(&w->t.vm), 3);
	ck_assert_uint_eq(w->n_remap2, 1);
	ck_assert_uint_eq(gpuvm_va_find(&w->t.vm, pa(20), 10 * PAGE)->offset,
			  10 * PAGE);
	/* contiguous re-map of X over [20,30): UNMAP keep=1 */
	do_request(w, REQ_MAP, 20, 10, x, 10 * PAGE, MODE_CALLBACK);
	ck_assert_uint_eq(w->n_keep, 1);
	/* object-less region split by madvise (D1 in pages) */
	do_request(w, REQ_MAP, 40, 30, NULL, 0, MODE_LIST);
	do_request(w, REQ_MADVISE, 50, 10, NULL, 0, MODE_LIST);
	ck_assert_uint_eq(gpuvm_va_count(&w->t.vm), 6);
	ck_assert_ptr_nonnull(gpuvm_va_find(&w->t.vm, pa(50), 10 * PAGE));
	ck_assert_uint_eq(gpuvm_va_find(&w->t.vm, pa(60), 10 * PAGE)->offset,
			  20 * PAGE);
	/* unmap across everything (U6-like), then the rest */
	do_request(w, REQ_UNMAP, 12, 50, NULL, 0, MODE_CALLBACK);
	ck_assert_uint_eq(gpuvm_va_count(&w->t.vm), 2);
	do_request(w, REQ_UNMAP, 0, NPAGES, NULL, 0, MODE_LIST);
	ck_assert_uint_eq(gpuvm_va_count(&w->t.vm), 0);
	ck_assert_int_eq(w->bos[0].refs, 1);
	ck_assert_int_eq(w->bos[1].refs, 1);

	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_put(&w->t.vm);
	ck_assert_int_eq(w->t.freed, 1);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
	gpuvm_set_warn_handler(NULL, NULL);
	free(w);
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model_random");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_model_fixed);
	tcase_add_test(tc, test_model_plain);
	tcase_add_test(tc, test_model_reserved_top);
	tcase_add_test(tc, test_model_reserved_middle);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Single-threaded tests: they link VAs without taking the objects'
	 * locks; tests/test_vm_bo_modes.c covers the lock checks. */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(model_suite());
}
