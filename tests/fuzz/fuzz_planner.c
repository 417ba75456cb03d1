// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the split/merge planner and the request functions.
 *
 * The input is a little program for two VMs over the same window of NPAGES
 * pages and the same NBOS buffer objects:
 *
 *   byte 0           the reserved region (none, top, middle or bottom)
 *   then requests    KIND START LEN OBJ [FAIL]
 *
 * KIND % 8 selects map (0-2), unmap (3, 4), madvise (5), prefetch (6) or
 * bo-unmap (7); bit 7 of KIND says that a FAIL byte follows.  START and LEN
 * are pages (START may lie a little outside the window, LEN may be 0, so
 * invalid requests are made too).  OBJ picks the object (NBOS: none) and
 * the object offset: bit 7 set gives the object's "home" offset for the
 * address, so that re-mapping the same object is contiguous (keep bits),
 * else a few pages.  FAIL makes allocation number 1 + (FAIL & 7) of the
 * op-list path fail, every later one too when bit 3 is set.
 *
 * VM A runs map and unmap through the step callbacks (gpuvm_sm_map(),
 * gpuvm_sm_unmap()), applying each op as it comes; VM B runs every request
 * through the op-list functions (*_ops_create() and apply), with the
 * failing allocations.  After every request:
 *  - an invalid request is -EINVAL on both, without any op;
 *  - an injected allocation failure is -ENOMEM with an empty list and B
 *    unchanged, and the request then succeeds when retried; no -ENOMEM
 *    without a failed allocation;
 *  - the callbacks of A and the list of B are the same ops;
 *  - both VMs equal a page-array model (per page: mapped, object, object
 *    offset, and which mapping it belongs to), VA for VA, with
 *    gpuvm_check(), the vm_bo lists, object and VM reference counts;
 *  - madvise changes no page's presence or object and no offset of a page
 *    with an object, and only cuts mappings at the request's edges;
 *  - prefetch lists exactly the VAs meeting the range (the reserved one
 *    included) and changes nothing; bo-unmap lists the object's VAs and
 *    leaves none of them.
 * At the end everything is unmapped, both VMs are freed, no allocation and
 * no reference is left and libgpuvm gave no warning.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "support.h"

#define PAGE		0x1000ull
#define NPAGES		48
#define BASE		0x100000ull
#define NBOS		3
#define MAX_OPS		(NPAGES + 8)
#define MAX_REQUESTS	400

enum kind { K_MAP, K_UNMAP, K_MADVISE, K_PREFETCH, K_BO_UNMAP };

/* one page of the model */
struct mpage {
	bool present;
	bool reserved;
	int bo;			/* object index, -1 for none */
	uint64_t off;		/* object offset of this page */
	uint32_t vid;		/* the mapping it belongs to */
};

struct world;

struct side {
	struct gpuvm vm;
	int freed;
	struct world *w;
	/* applying: VA structures allocated beforehand, the request's vm_bo */
	struct gpuvm_va *pool[GPUVM_MADVISE_MAX_NEW_VAS];
	unsigned int pool_n, pool_used;
	struct gpuvm_vm_bo *req_vm_bo;
	/* bo-unmap: the vm_bo found, with one more reference */
	struct gpuvm_vm_bo *held;
	/* callbacks: what they were given */
	struct ts_op_rec cb[MAX_OPS];
	unsigned int ncb;
};

struct world {
	struct side a, b;
	struct ts_bo bos[NBOS];
	struct mpage pg[NPAGES];
	uint32_t next_vid;
};

static uint64_t pa(long p)
{
	return BASE + (uint64_t)p * PAGE;
}

static struct side *side_of(struct gpuvm *vm)
{
	return gpuvm_container_of(vm, struct side, vm);
}

static int bo_index(const struct world *w, const struct gpuvm_bo *obj)
{
	int i;

	if (!obj)
		return -1;
	for (i = 0; i < NBOS; i++)
		if (&w->bos[i].base == obj)
			return i;
	fz_fail(__FILE__, __LINE__, "unknown object", 0, 0);
}

/* ------------------------------------------------------------------------ */
/* Ops                                                                      */

/* Record @op; the fuzzer stops on a malformed one. */
static void rop_from_op(struct ts_op_rec *r, const struct gpuvm_op *op)
{
	const char *err = ts_op_record(r, op);

	if (err)
		fz_fail(__FILE__, __LINE__, err, op->type, 0);
}

static void compare_rops(const struct ts_op_rec *x, unsigned int nx,
			 const struct ts_op_rec *y, unsigned int ny)
{
	unsigned int i;

	FZ_EQ(nx, ny);
	for (i = 0; i < nx; i++) {
		FZ_EQ(x[i].type, y[i].type);
		FZ_REQUIRE(ts_op_map_eq(&x[i].map, &y[i].map));
		FZ_REQUIRE(ts_op_map_eq(&x[i].old, &y[i].old));
		FZ_EQ(x[i].keep, y[i].keep);
		FZ_EQ(x[i].has_prev, y[i].has_prev);
		FZ_EQ(x[i].has_next, y[i].has_next);
		FZ_REQUIRE(ts_op_map_eq(&x[i].prev, &y[i].prev));
		FZ_REQUIRE(ts_op_map_eq(&x[i].next, &y[i].next));
	}
}

/*
 * Rules every map/unmap/madvise plan follows whatever the tree: the old VAs
 * meet the request and come in address order, pieces are the parts of the
 * old VA outside the request, keep is set exactly for the same object at
 * the same address-to-offset shift (map only), and the count of new VAs.
 */
static void check_plan(enum kind k, const struct gpuvm_op_map *req,
		       const struct ts_op_rec *r, unsigned int n)
{
	uint64_t rend = req->addr + req->range, last = 0;
	unsigned int i, new_vas = 0, maps = 0;

	for (i = 0; i < n; i++) {
		uint64_t oend = r[i].old.addr + r[i].old.range;

		if (r[i].type == GPUVM_OP_MAP) {
			maps++;
			new_vas++;
			FZ_REQUIRE(k != K_UNMAP);
			FZ_REQUIRE(r[i].map.addr >= req->addr &&
				   r[i].map.addr + r[i].map.range <= rend);
			if (k == K_MAP)
				FZ_REQUIRE(i == n - 1 && ts_op_map_eq(&r[i].map, req));
			continue;
		}
		FZ_REQUIRE(r[i].type == GPUVM_OP_UNMAP ||
			   r[i].type == GPUVM_OP_REMAP);
		FZ_REQUIRE(r[i].old.addr < rend && req->addr < oend);
		FZ_REQUIRE(r[i].old.addr >= last);
		last = oend;
		if (k == K_MAP)
			FZ_EQ(r[i].keep, r[i].old.obj && r[i].old.obj == req->obj &&
			      r[i].old.offset - r[i].old.addr ==
			      req->offset - req->addr);
		else
			FZ_EQ(r[i].keep, 0);
		if (k == K_MADVISE)
			FZ_REQUIRE(r[i].type == GPUVM_OP_REMAP && !r[i].old.obj);
		if (r[i].has_prev) {
			new_vas++;
			FZ_REQUIRE(r[i].prev.addr == r[i].old.addr &&
				   r[i].prev.addr + r[i].prev.range == req->addr &&
				   r[i].prev.obj == r[i].old.obj &&
				   r[i].prev.offset == r[i].old.offset);
		}
		if (r[i].has_next) {
			new_vas++;
			FZ_REQUIRE(r[i].next.addr == rend &&
				   r[i].next.addr + r[i].next.range == oend &&
				   r[i].next.obj == r[i].old.obj &&
				   r[i].next.offset == r[i].old.offset +
				   (rend - r[i].old.addr));
		}
		if (r[i].type == GPUVM_OP_UNMAP)
			FZ_REQUIRE(r[i].old.addr >= req->addr && oend <= rend);
	}
	switch (k) {
	case K_MAP:
		FZ_EQ(maps, 1);
		FZ_REQUIRE(new_vas <= GPUVM_MAP_MAX_NEW_VAS);
		break;
	case K_UNMAP:
		FZ_REQUIRE(new_vas <= GPUVM_UNMAP_MAX_NEW_VAS);
		break;
	default:
		FZ_REQUIRE(new_vas <= GPUVM_MADVISE_MAX_NEW_VAS);
		break;
	}
}

/* ------------------------------------------------------------------------ */
/* Applying ops (docs/semantics.md, section 6)                              */

static void pool_fill(struct side *s, unsigned int n)
{
	unsigned int i;

	FZ_REQUIRE(n <= GPUVM_MADVISE_MAX_NEW_VAS);
	for (i = 0; i < n; i++) {
		s->pool[i] = calloc(1, sizeof(*s->pool[i]));
		FZ_REQUIRE(s->pool[i]);
	}
	s->pool_n = n;
	s->pool_used = 0;
}

static struct gpuvm_va *pool_take(struct side *s)
{
	FZ_REQUIRE(s->pool_used < s->pool_n);
	return s->pool[s->pool_used++];
}

/* free what was not used; returns how many were */
static unsigned int pool_release(struct side *s)
{
	unsigned int i, used = s->pool_used;

	for (i = s->pool_used; i < s->pool_n; i++)
		free(s->pool[i]);
	s->pool_n = 0;
	s->pool_used = 0;
	return used;
}

static void free_va(struct gpuvm_va *va)
{
	gpuvm_va_unlink(va);
	FZ_REQUIRE(!va->vm_bo);
	free(va);
}

static void apply_op(struct side *s, const struct gpuvm_op *op)
{
	struct gpuvm_va *va, *old, *prev = NULL, *next = NULL;
	struct gpuvm_vm_bo *vb;

	switch (op->type) {
	case GPUVM_OP_MAP:
		va = pool_take(s);
		FZ_EQ(gpuvm_va_map(&s->vm, va, &op->map), 0);
		if (va->obj) {
			FZ_REQUIRE(s->req_vm_bo && s->req_vm_bo->obj == va->obj);
			gpuvm_va_link(va, s->req_vm_bo);
		}
		break;
	case GPUVM_OP_REMAP:
		old = op->remap.unmap->va;
		vb = old->vm_bo;
		FZ_REQUIRE(old->obj ? vb && vb->obj == old->obj : !vb);
		if (op->remap.prev)
			prev = pool_take(s);
		if (op->remap.next)
			next = pool_take(s);
		FZ_EQ(gpuvm_va_remap(prev, next, &op->remap), 0);
		if (prev && vb)
			gpuvm_va_link(prev, vb);
		if (next && vb)
			gpuvm_va_link(next, vb);
		free_va(old);
		break;
	case GPUVM_OP_UNMAP:
		old = op->unmap.va;
		gpuvm_va_unmap(&op->unmap);
		free_va(old);
		break;
	default:
		fz_fail(__FILE__, __LINE__, "op type to apply", op->type, 0);
	}
}

/* ------------------------------------------------------------------------ */
/* VM A: the step callbacks apply each op as it comes                       */

static int cb_step(struct gpuvm_op *op, void *priv)
{
	struct side *s = priv;

	FZ_REQUIRE(s->ncb < MAX_OPS);
	rop_from_op(&s->cb[s->ncb++], op);
	apply_op(s, op);
	return 0;
}

static int cb_map(struct gpuvm_op *op, void *priv)
{
	FZ_EQ(op->type, GPUVM_OP_MAP);
	return cb_step(op, priv);
}

static int cb_remap(struct gpuvm_op *op, void *priv)
{
	FZ_EQ(op->type, GPUVM_OP_REMAP);
	return cb_step(op, priv);
}

static int cb_unmap(struct gpuvm_op *op, void *priv)
{
	FZ_EQ(op->type, GPUVM_OP_UNMAP);
	return cb_step(op, priv);
}

static void side_vm_free(struct gpuvm *vm)
{
	side_of(vm)->freed++;
}

static const struct gpuvm_ops ops_a = {
	.vm_free = side_vm_free,
	.sm_step_map = cb_map,
	.sm_step_remap = cb_remap,
	.sm_step_unmap = cb_unmap,
};

static const struct gpuvm_ops ops_b = {
	.vm_free = side_vm_free,
};

/* ------------------------------------------------------------------------ */
/* Comparing a VM with the model                                            */

static void compare_side(struct world *w, struct side *s)
{
	struct gpuvm *vm = &s->vm;
	struct gpuvm_va *va;
	unsigned int per_bo[NBOS] = { 0 }, nvas = 0, vm_bos = 0;
	long p = 0, q;
	int b;

	FZ_EQ(gpuvm_check(vm), 0);
	gpuvm_for_each_va(va, vm) {
		long first, last;

		if (va == &vm->kernel_alloc_node)
			continue;
		FZ_REQUIRE(va->addr >= BASE && va->range &&
			   !(va->addr % PAGE) && !(va->range % PAGE));
		first = (long)((va->addr - BASE) / PAGE);
		last = first + (long)(va->range / PAGE);
		FZ_REQUIRE(last <= NPAGES);
		/* no page the model has mapped is missing before it */
		for (; p < first; p++)
			FZ_REQUIRE(!w->pg[p].present);
		/* the VA is one mapping of the model, whole */
		FZ_REQUIRE(first == 0 || !w->pg[first - 1].present ||
			   w->pg[first - 1].vid != w->pg[first].vid);
		FZ_REQUIRE(last == NPAGES || !w->pg[last].present ||
			   w->pg[last].vid != w->pg[first].vid);
		for (q = first; q < last; q++) {
			const struct mpage *m = &w->pg[q];

			FZ_REQUIRE(m->present && m->vid == w->pg[first].vid);
			FZ_EQ(m->bo, bo_index(w, va->obj));
			FZ_EQ(m->off, va->offset + (uint64_t)(q - first) * PAGE);
		}
		p = last;
		FZ_REQUIRE(va->vm == vm);
		if (va->obj) {
			FZ_REQUIRE(va->vm_bo && va->vm_bo->obj == va->obj &&
				   va->vm_bo->vm == vm);
			per_bo[bo_index(w, va->obj)]++;
		} else {
			FZ_REQUIRE(!va->vm_bo);
		}
		nvas++;
	}
	for (; p < NPAGES; p++)
		FZ_REQUIRE(!w->pg[p].present);
	FZ_EQ(gpuvm_va_count(vm), nvas);

	/* one vm_bo per object in use, linking exactly its VAs */
	for (b = 0; b < NBOS; b++) {
		struct gpuvm_vm_bo *vb, *mine = NULL;
		unsigned int linked = 0;

		gpuvm_bo_for_each_vm_bo(vb, &w->bos[b].base) {
			if (vb->vm != vm)
				continue;
			FZ_REQUIRE(!mine);
			mine = vb;
		}
		if (!per_bo[b]) {
			FZ_REQUIRE(!mine);
			continue;
		}
		FZ_REQUIRE(mine);
		vm_bos++;
		gpuvm_vm_bo_for_each_va(va, mine) {
			FZ_REQUIRE(va->vm_bo == mine && va->obj == mine->obj);
			linked++;
		}
		FZ_EQ(linked, per_bo[b]);
		/* one reference per VA linked, and the one held */
		FZ_EQ(gpuvm_vm_bo_refcount(mine),
		      per_bo[b] + (mine == s->held));
	}
	FZ_EQ(gpuvm_refcount(vm), 1 + nvas + vm_bos);
}

static void compare_all(struct world *w)
{
	struct gpuvm_va *x, *y;
	int b;

	compare_side(w, &w->a);
	compare_side(w, &w->b);
	/* the two VMs also agree on the reserved region and the order */
	for (x = w->a.vm.tree.first, y = w->b.vm.tree.first; x && y;
	     x = gpuvm_va_next(x), y = gpuvm_va_next(y)) {
		FZ_EQ(x->addr, y->addr);
		FZ_EQ(x->range, y->range);
		FZ_REQUIRE(x->obj == y->obj);
		FZ_EQ(x->offset, y->offset);
	}
	FZ_REQUIRE(!x && !y);
	/* every vm_bo holds one reference on its object */
	for (b = 0; b < NBOS; b++) {
		struct gpuvm_vm_bo *vb;
		int n = 0;

		gpuvm_bo_for_each_vm_bo(vb, &w->bos[b].base)
			n++;
		FZ_EQ(w->bos[b].refs, 1 + n);
	}
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

struct request {
	enum kind kind;
	long rp, rn;			/* pages */
	int bo;				/* -1: none */
	uint64_t offset;
	unsigned int fail;		/* 0, or the FAIL byte | 0x100 */
	struct gpuvm_map_req req;
	bool valid;
};

static bool range_ok(const struct world *w, long rp, long rn)
{
	long p;

	if (rn <= 0 || rp < 0 || rp + rn > NPAGES)
		return false;
	for (p = rp; p < rp + rn; p++)
		if (w->pg[p].reserved)
			return false;
	return true;
}

static void fail_arm(const struct request *rq)
{
	if (rq->fail)
		ts_alloc_fail_at(1 + (rq->fail & 7), !!(rq->fail & 8));
}

static int list_create(struct world *w, struct side *s,
		       const struct request *rq, struct gpuvm_op_list *list,
		       struct gpuvm_vm_bo *bo_vb)
{
	struct gpuvm_bo *obj = rq->req.map.obj;
	int ret;

	switch (rq->kind) {
	case K_MAP:
		ret = gpuvm_sm_map_ops_create(&s->vm, &rq->req, list);
		break;
	case K_UNMAP:
		ret = gpuvm_sm_unmap_ops_create(&s->vm, rq->req.map.addr,
						rq->req.map.range, list);
		break;
	case K_MADVISE:
		ret = gpuvm_madvise_ops_create(&s->vm, &rq->req, list);
		break;
	case K_PREFETCH:
		ret = gpuvm_prefetch_ops_create(&s->vm, rq->req.map.addr,
						rq->req.map.range, list);
		break;
	default:
		ret = gpuvm_bo_unmap_ops_create(bo_vb, list);
		break;
	}
	/* a map of an object also needs the vm_bo before applying */
	s->req_vm_bo = NULL;
	if (!ret && rq->kind == K_MAP && obj) {
		ret = gpuvm_vm_bo_obtain(&s->vm, obj, &s->req_vm_bo);
		if (ret)
			gpuvm_op_list_clear(&s->vm, list);
	}
	(void)w;
	return ret;
}

/*
 * Plan @rq on @s as an op list, with the failing allocations of @rq when
 * @inject; record the ops in @out.  Returns 0 or -EINVAL; the list is
 * ready to apply when 0.
 */
static int plan_list(struct world *w, struct side *s, const struct request *rq,
		     bool inject, struct gpuvm_op_list *list,
		     struct gpuvm_vm_bo *bo_vb, struct ts_op_rec *out,
		     unsigned int *nout)
{
	const struct gpuvm_op *op;
	unsigned long failures = ts_alloc_failures();
	int ret;

	gpuvm_op_list_init(list);
	if (inject)
		fail_arm(rq);
	ret = list_create(w, s, rq, list, bo_vb);
	ts_alloc_fail_at(0, 0);
	if (ts_alloc_failures() != failures) {
		/* a failed allocation is -ENOMEM, with nothing to undo */
		FZ_EQ(ret, -ENOMEM);
		FZ_REQUIRE(gpuvm_list_empty(&list->ops));
		FZ_REQUIRE(!s->req_vm_bo);
		compare_all(w);
		gpuvm_op_list_init(list);
		ret = list_create(w, s, rq, list, bo_vb);
	}
	if (ret) {
		FZ_EQ(ret, -EINVAL);
		FZ_REQUIRE(gpuvm_list_empty(&list->ops));
		return ret;
	}
	*nout = 0;
	gpuvm_op_list_for_each(op, list) {
		FZ_REQUIRE(*nout < MAX_OPS);
		rop_from_op(&out[(*nout)++], op);
	}
	return 0;
}

static void apply_list(struct side *s, struct gpuvm_op_list *list)
{
	unsigned int n = gpuvm_op_list_count_new_vas(list);
	const struct gpuvm_op *op;

	pool_fill(s, n);
	gpuvm_op_list_for_each(op, list)
		apply_op(s, op);
	FZ_EQ(pool_release(s), n);
	gpuvm_vm_bo_put(s->req_vm_bo);
	s->req_vm_bo = NULL;
	gpuvm_op_list_clear(&s->vm, list);
	FZ_REQUIRE(gpuvm_list_empty(&list->ops));
}

/* map or unmap on A through the callbacks; returns the callback count */
static int plan_callbacks(struct world *w, const struct request *rq)
{
	struct side *s = &w->a;
	int ret;

	s->ncb = 0;
	s->req_vm_bo = NULL;
	if (rq->valid && rq->kind == K_MAP && rq->req.map.obj)
		FZ_EQ(gpuvm_vm_bo_obtain(&s->vm, rq->req.map.obj,
					 &s->req_vm_bo), 0);
	pool_fill(s, rq->kind == K_MAP ? GPUVM_MAP_MAX_NEW_VAS :
					 GPUVM_UNMAP_MAX_NEW_VAS);
	if (rq->kind == K_MAP)
		ret = gpuvm_sm_map(&s->vm, s, &rq->req);
	else
		ret = gpuvm_sm_unmap(&s->vm, s, rq->req.map.addr,
				     rq->req.map.range);
	pool_release(s);
	gpuvm_vm_bo_put(s->req_vm_bo);
	s->req_vm_bo = NULL;
	(void)w;
	return ret;
}

/* madvise: the model takes VM A's cuts after checking they are allowed */
static void model_madvise(struct world *w, const struct request *rq)
{
	struct mpage before[NPAGES];
	struct gpuvm_va *va;
	long p;

	memcpy(before, w->pg, sizeof(before));
	gpuvm_for_each_va(va, &w->a.vm) {
		long first, last;
		uint32_t vid;

		if (va == &w->a.vm.kernel_alloc_node)
			continue;
		first = (long)((va->addr - BASE) / PAGE);
		last = first + (long)(va->range / PAGE);
		FZ_REQUIRE(first >= 0 && last <= NPAGES);
		vid = w->next_vid++;
		for (p = first; p < last; p++) {
			struct mpage *m = &w->pg[p];

			FZ_REQUIRE(m->present);
			FZ_EQ(m->bo, bo_index(w, va->obj));
			if (m->bo >= 0)
				FZ_EQ(m->off, va->offset +
				      (uint64_t)(p - first) * PAGE);
			m->off = va->offset + (uint64_t)(p - first) * PAGE;
			m->vid = vid;
		}
	}
	for (p = 0; p < NPAGES; p++) {
		bool cut_before = p > 0 && before[p].present &&
				  before[p - 1].present &&
				  before[p - 1].vid != before[p].vid;
		bool cut_now = p > 0 && w->pg[p].present &&
			       w->pg[p - 1].present &&
			       w->pg[p - 1].vid != w->pg[p].vid;

		FZ_EQ(w->pg[p].present, before[p].present);
		/* old cuts stay; new ones only at the request's edges */
		if (cut_before)
			FZ_REQUIRE(cut_now);
		if (cut_now && !cut_before)
			FZ_REQUIRE(p == rq->rp || p == rq->rp + rq->rn);
		/* object-less pages outside the request keep their offset */
		if (p < rq->rp || p >= rq->rp + rq->rn)
			FZ_EQ(w->pg[p].off, before[p].off);
	}
}

static void model_apply(struct world *w, const struct request *rq)
{
	long p;

	switch (rq->kind) {
	case K_MAP: {
		uint32_t vid = w->next_vid++;

		for (p = rq->rp; p < rq->rp + rq->rn; p++) {
			w->pg[p].present = true;
			w->pg[p].bo = rq->bo;
			w->pg[p].off = rq->offset + (uint64_t)(p - rq->rp) * PAGE;
			w->pg[p].vid = vid;
		}
		break;
	}
	case K_UNMAP:
		for (p = rq->rp; p < rq->rp + rq->rn; p++) {
			w->pg[p].present = false;
			w->pg[p].bo = -1;
			w->pg[p].off = 0;
			w->pg[p].vid = 0;
		}
		break;
	case K_BO_UNMAP:
		for (p = 0; p < NPAGES; p++) {
			if (!w->pg[p].present || w->pg[p].bo != rq->bo)
				continue;
			w->pg[p].present = false;
			w->pg[p].bo = -1;
			w->pg[p].off = 0;
			w->pg[p].vid = 0;
		}
		break;
	default:
		model_madvise(w, rq);
		break;
	}
}

static void do_map_unmap_madvise(struct world *w, struct request *rq)
{
	static struct ts_op_rec got_b[MAX_OPS];
	struct gpuvm_op_list list;
	unsigned int nb = 0;
	int ret;

	ret = plan_list(w, &w->b, rq, true, &list, NULL, got_b, &nb);
	if (!rq->valid) {
		FZ_EQ(ret, -EINVAL);
		if (rq->kind != K_MADVISE) {
			FZ_EQ(plan_callbacks(w, rq), -EINVAL);
			FZ_EQ(w->a.ncb, 0);
		}
		compare_all(w);
		return;
	}
	FZ_EQ(ret, 0);
	check_plan(rq->kind, &rq->req.map, got_b, nb);
	apply_list(&w->b, &list);

	if (rq->kind == K_MADVISE) {
		static struct ts_op_rec got_a[MAX_OPS];
		unsigned int na = 0;

		FZ_EQ(plan_list(w, &w->a, rq, false, &list, NULL, got_a, &na), 0);
		compare_rops(got_a, na, got_b, nb);
		apply_list(&w->a, &list);
	} else {
		FZ_EQ(plan_callbacks(w, rq), 0);
		compare_rops(w->a.cb, w->a.ncb, got_b, nb);
	}
	model_apply(w, rq);
	compare_all(w);
}

static void do_prefetch(struct world *w, struct request *rq)
{
	static struct ts_op_rec got[MAX_OPS], want[MAX_OPS];
	uint64_t lo = rq->req.map.addr, hi = lo + rq->req.map.range;
	struct gpuvm_op_list list;
	unsigned int n = 0, nw = 0, k;
	struct gpuvm_va *va;
	struct side *s[2] = { &w->b, &w->a };

	/* the VAs meeting [lo, hi), the reserved one included */
	gpuvm_for_each_va(va, &w->b.vm) {
		if (va->addr < hi && lo < va->addr + va->range) {
			memset(&want[nw], 0, sizeof(want[nw]));
			want[nw].type = GPUVM_OP_PREFETCH;
			ts_op_rec_old(&want[nw++], va);
		}
	}
	for (k = 0; k < 2; k++) {
		int ret = plan_list(w, s[k], rq, k == 0, &list, NULL, got, &n);

		if (!rq->req.map.range) {
			FZ_EQ(ret, -EINVAL);
			continue;
		}
		FZ_EQ(ret, 0);
		compare_rops(got, n, want, nw);
		gpuvm_op_list_clear(&s[k]->vm, &list);
	}
	compare_all(w);
}

static void do_bo_unmap(struct world *w, struct request *rq)
{
	static struct ts_op_rec got[2][MAX_OPS];
	struct gpuvm_bo *obj = &w->bos[rq->bo].base;
	struct side *s[2] = { &w->b, &w->a };
	unsigned int n[2] = { 0, 0 }, k, i, in_model = 0;
	uint32_t last_vid = 0;
	long p;

	/* the model's mappings of the object */
	for (p = 0; p < NPAGES; p++) {
		if (w->pg[p].present && w->pg[p].bo == rq->bo &&
		    (p == 0 || !w->pg[p - 1].present ||
		     w->pg[p].vid != last_vid))
			in_model++;
		last_vid = w->pg[p].present ? w->pg[p].vid : 0;
	}
	for (k = 0; k < 2; k++) {
		struct gpuvm_vm_bo *vb = gpuvm_vm_bo_find(&s[k]->vm, obj);
		struct gpuvm_op_list list;

		if (!vb) {
			FZ_EQ(in_model, 0);
			continue;
		}
		s[k]->held = vb;
		FZ_EQ(plan_list(w, s[k], rq, k == 0, &list, vb, got[k],
				&n[k]), 0);
		s[k]->held = NULL;
		FZ_EQ(n[k], in_model);
		for (i = 0; i < n[k]; i++) {
			FZ_EQ(got[k][i].type, GPUVM_OP_UNMAP);
			FZ_EQ(got[k][i].keep, 0);
			FZ_REQUIRE(got[k][i].old.obj == obj);
		}
		apply_list(s[k], &list);
		/* the reference from find was the last one */
		FZ_REQUIRE(gpuvm_vm_bo_put(vb));
	}
	if (n[0] || n[1]) {
		/* link order may differ between the VMs: compare as sets */
		FZ_EQ(n[0], n[1]);
		for (i = 0; i < n[0]; i++) {
			unsigned int j, hits = 0;

			for (j = 0; j < n[1]; j++)
				hits += ts_op_map_eq(&got[0][i].old, &got[1][j].old);
			FZ_EQ(hits, 1);
		}
	}
	model_apply(w, rq);
	compare_all(w);
}

static void decode(struct world *w, struct fz_bytes *in, struct request *rq)
{
	unsigned int kind = fz_u8(in), obj;

	memset(rq, 0, sizeof(*rq));
	switch (kind % 8) {
	case 0: case 1: case 2:
		rq->kind = K_MAP;
		break;
	case 3: case 4:
		rq->kind = K_UNMAP;
		break;
	case 5:
		rq->kind = K_MADVISE;
		break;
	case 6:
		rq->kind = K_PREFETCH;
		break;
	default:
		rq->kind = K_BO_UNMAP;
		break;
	}
	rq->rp = (long)(fz_u8(in) % (NPAGES + 8)) - 4;
	rq->rn = (long)(fz_u8(in) % (NPAGES + 2));
	obj = fz_u8(in);
	rq->bo = (int)((obj & 0x7f) % (NBOS + 1));
	if (rq->bo == NBOS)
		rq->bo = -1;
	if (rq->kind != K_MAP && rq->kind != K_BO_UNMAP)
		rq->bo = -1;
	if (rq->kind == K_BO_UNMAP && rq->bo < 0)
		rq->bo = 0;
	if (obj & 0x80)
		rq->offset = 0x1000000ull * (uint64_t)(rq->bo + 1) +
			     (uint64_t)(rq->rp + 4) * PAGE;
	else
		rq->offset = (uint64_t)((obj >> 4) & 7) * PAGE;
	if (kind & 0x80)
		rq->fail = fz_u8(in) | 0x100;

	rq->req.map.addr = pa(rq->rp);
	rq->req.map.range = (uint64_t)rq->rn * PAGE;
	rq->req.map.obj = rq->bo >= 0 && rq->kind == K_MAP ?
			  &w->bos[rq->bo].base : NULL;
	rq->req.map.offset = rq->offset;
	rq->valid = range_ok(w, rq->rp, rq->rn);
}

static void side_init(struct world *w, struct side *s,
		      const struct gpuvm_ops *ops, long rs, long rn)
{
	struct gpuvm_init_args args = {
		.name = "fuzz",
		.start = BASE,
		.range = NPAGES * PAGE,
		.reserve_start = rn ? pa(rs) : 0,
		.reserve_range = (uint64_t)rn * PAGE,
		.ops = ops,
	};

	s->w = w;
	FZ_EQ(gpuvm_init(&s->vm, &args), 0);
}

/* unmap [rp, rp + rn) through both forms, when not empty */
static void unmap_all(struct world *w, long rp, long rn)
{
	struct request rq;

	if (rn <= 0)
		return;
	memset(&rq, 0, sizeof(rq));
	rq.kind = K_UNMAP;
	rq.rp = rp;
	rq.rn = rn;
	rq.bo = -1;
	rq.req.map.addr = pa(rp);
	rq.req.map.range = (uint64_t)rn * PAGE;
	rq.valid = range_ok(w, rp, rn);
	FZ_REQUIRE(rq.valid);
	do_map_unmap_madvise(w, &rq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long res[4][2] = {
		{ 0, 0 }, { NPAGES - 4, 4 }, { 20, 2 }, { 0, 3 },
	};
	struct world *w = calloc(1, sizeof(*w));
	struct fz_bytes in;
	unsigned int r, nreq = 0;
	long p, rs, rn;
	int b;

	FZ_REQUIRE(w);
	fz_bytes_init(&in, data, size);
	gpuvm_set_lock_checks(false);
	ts_alloc_install();
	ts_warn_capture();

	r = fz_u8(&in) % 4;
	rs = res[r][0];
	rn = res[r][1];
	w->next_vid = 1;
	for (b = 0; b < NBOS; b++)
		ts_bo_init(&w->bos[b], b);
	for (p = 0; p < NPAGES; p++) {
		w->pg[p].bo = -1;
		w->pg[p].reserved = p >= rs && p < rs + rn;
	}
	side_init(w, &w->a, &ops_a, rs, rn);
	side_init(w, &w->b, &ops_b, rs, rn);
	compare_all(w);

	while (fz_more(&in) && nreq++ < MAX_REQUESTS) {
		struct request rq;

		decode(w, &in, &rq);
		switch (rq.kind) {
		case K_PREFETCH:
			do_prefetch(w, &rq);
			break;
		case K_BO_UNMAP:
			do_bo_unmap(w, &rq);
			break;
		default:
			do_map_unmap_madvise(w, &rq);
			break;
		}
	}

	/* unmap around the reserved region */
	unmap_all(w, 0, rs);
	unmap_all(w, rs + rn, NPAGES - rs - rn);
	FZ_EQ(gpuvm_va_count(&w->a.vm), 0);
	FZ_EQ(gpuvm_va_count(&w->b.vm), 0);
	for (b = 0; b < NBOS; b++) {
		FZ_EQ(w->bos[b].refs, 1);
		FZ_REQUIRE(gpuvm_list_empty(&w->bos[b].base.vm_bos));
		gpuvm_bo_fini(&w->bos[b].base);
	}
	gpuvm_put(&w->a.vm);
	gpuvm_put(&w->b.vm);
	FZ_EQ(w->a.freed, 1);
	FZ_EQ(w->b.freed, 1);
	FZ_EQ(ts_warn_count(), 0);
	FZ_EQ(ts_alloc_live(), 0);
	ts_alloc_uninstall();
	gpuvm_set_warn_handler(NULL, NULL);
	free(w);
	return 0;
}
