/* SPDX-License-Identifier: MIT */
/*
 * Split/merge planning: the walks that turn a map, unmap, madvise, prefetch
 * or bo-unmap request into ops, and the op-list plumbing.
 *
 * Every planner is one walk that emits each op through the same emit_*()
 * helpers.  For the callback API they hand it to the driver's step table
 * (struct gpuvm_ops' sm_step_*); for the op-list API (list_steps) they build
 * it straight into the list.  So both forms produce the same sequence by
 * construction.
 */
#include <string.h>

#include "internal.h"

/* --- op storage of the op-list form ------------------------------------ */

/*
 * Op storage of a list when the driver has neither op hook: the list's
 * inline ops, then blocks, newest first.  The first OP_BLOCK_SMALL blocks
 * hold OP_BLOCK_OPS ops each and stay under 1 KiB, which glibc's per-thread
 * cache serves without locking or searching bins; ops are 136 bytes, and
 * one allocation each was a measurable part of applying a plan
 * (bench/HISTORY.md).  A longer list, such as the prefetch of a range
 * holding hundreds of VAs, continues with blocks twice as large as the one
 * before, up to OP_BLOCK_MAX_OPS ops, so that it takes a handful of
 * allocations instead of one per 7 ops.
 */
#define OP_BLOCK_OPS 7
#define OP_BLOCK_SMALL 4
#define OP_BLOCK_MAX_OPS 224

struct gpuvm_op_block {
	struct gpuvm_op_block *next;
	unsigned int used;	/* ops used in this block */
	unsigned int cap;	/* ops this block holds */
	unsigned int total;	/* ops this block and the older ones hold */
	struct gpuvm_op ops[];
};

/*
 * The VM keeps one spare block (gpuvm.op_block_spare).  A list that outgrows
 * its small blocks takes it instead of allocating larger ones, and
 * gpuvm_op_list_clear() hands the list's largest block back instead of
 * freeing it.  A driver that prefetches or unmaps ranges of hundreds of VAs
 * over and over then plans them with the small blocks only, which glibc's
 * per-thread cache serves: before, each such list also allocated blocks of
 * 14 to 112 ops, which glibc carved from the top of a fragmented heap, page
 * faults included, about a tenth of gpuvm-replay's time (bench/HISTORY.md).
 * The slot is swapped atomically: lists of one VM may be cleared from
 * several threads at once, and clearing holds no lock.
 */
static struct gpuvm_op_block *op_block_take_spare(struct gpuvm *vm)
{
	if (!__atomic_load_n(&vm->op_block_spare, __ATOMIC_RELAXED))
		return NULL;
	return __atomic_exchange_n(&vm->op_block_spare, NULL, __ATOMIC_ACQUIRE);
}

/*
 * Offer @b, a block no list uses, as the VM's spare; frees what it does not
 * keep.  The larger of @b and the present spare stays.
 */
static void op_block_give_spare(struct gpuvm *vm, struct gpuvm_op_block *b)
{
	unsigned int cap = b->cap;	/* once published, @b is not ours */
	struct gpuvm_op_block *old;

	old = __atomic_exchange_n(&vm->op_block_spare, b, __ATOMIC_ACQ_REL);
	if (old && old->cap > cap) {
		/* Put the larger one back; whatever came in meanwhile goes. */
		b = __atomic_exchange_n(&vm->op_block_spare, old, __ATOMIC_ACQ_REL);
		old = b;
	}
	gpuvm_free(old);
}

void gpuvm_op_block_spare_free(struct gpuvm *vm)
{
	gpuvm_free(__atomic_exchange_n(&vm->op_block_spare, NULL,
				       __ATOMIC_ACQUIRE));
}

/* How many ops the block after @b (the newest, or NULL) holds. */
static unsigned int op_block_next_cap(const struct gpuvm_op_block *b)
{
	if (!b || b->total < OP_BLOCK_SMALL * OP_BLOCK_OPS)
		return OP_BLOCK_OPS;
	if (b->cap == OP_BLOCK_OPS)
		return 2 * OP_BLOCK_OPS;
	return b->cap < OP_BLOCK_MAX_OPS ? 2 * b->cap : OP_BLOCK_MAX_OPS;
}

/*
 * A new op for @list, NULL if out of memory.  Only what the op's type uses
 * is meant to be read; the caller sets that.
 */
static struct gpuvm_op *list_op_alloc(struct gpuvm *vm,
				      struct gpuvm_op_list *list)
{
	struct gpuvm_op_block *b = list->blocks;
	struct gpuvm_op *op;

	if (vm->ops->op_alloc)
		return vm->ops->op_alloc(vm);
	if (vm->ops->op_free)
		/* The driver frees each op itself: one allocation per op. */
		return gpuvm_zalloc(sizeof(struct gpuvm_op));

	/*
	 * Not zeroed: the caller sets the type and that member.  The mark
	 * tells gpuvm_op_list_clear() the op is freed with its storage.
	 */
	if (list->inline_used < GPUVM_OP_LIST_INLINE) {
		op = &list->inline_ops[list->inline_used++];
	} else {
		if (!b || b->used == b->cap) {
			unsigned int cap;

			cap = op_block_next_cap(b);
			/* Past the small blocks: the VM's spare, if it has one. */
			b = cap > OP_BLOCK_OPS ? op_block_take_spare(vm) : NULL;
			if (b) {
				cap = b->cap;
			} else {
				b = gpuvm_alloc_uninit(sizeof(*b) +
						       cap * sizeof(b->ops[0]));
				if (gpuvm_unlikely(!b))
					return NULL;
			}
			b->used = 0;
			b->cap = cap;
			b->total = cap + (list->blocks ? list->blocks->total : 0);
			b->next = list->blocks;
			list->blocks = b;
		}
		op = &b->ops[b->used++];
	}
	op->list_owned = 1;
	return op;
}

/* What the op-list form passes as priv to the walks. */
struct list_ctx {
	struct gpuvm *vm;
	struct gpuvm_op_list *list;
};

/*
 * The op-list form's step table.  Only its address matters: the emit_*()
 * helpers recognise it and build each op in place on the list.
 */
static const struct gpuvm_ops list_steps;

/* --- emitting one op ----------------------------------------------------- */

/*
 * Each emit_*() builds its op where it ends up: appended to the list for the
 * op-list form (no copy of a finished op), else on the stack for the
 * driver's step callback.  Returns the step's result, 0, or -ENOMEM.
 */
static inline struct gpuvm_op *op_start(const struct gpuvm_ops *fn, void *priv,
					struct gpuvm_op *tmp)
{
	struct list_ctx *ctx = priv;
	struct gpuvm_op *op;

	if (fn != &list_steps)
		return tmp;
	op = list_op_alloc(ctx->vm, ctx->list);
	if (gpuvm_likely(op))
		gpuvm_list_add_tail(&ctx->list->ops, &op->link);
	return op;
}

static inline int emit_map(const struct gpuvm_ops *fn, void *priv, uint64_t addr,
			   uint64_t range, struct gpuvm_bo *obj,
			   uint64_t offset)
{
	struct gpuvm_op tmp, *op = op_start(fn, priv, &tmp);

	if (gpuvm_unlikely(!op))
		return -ENOMEM;
	op->type = GPUVM_OP_MAP;
	op->map.addr = addr;
	op->map.range = range;
	op->map.offset = offset;
	op->map.obj = obj;
	return op == &tmp ? fn->sm_step_map(op, priv) : 0;
}

static int emit_unmap(const struct gpuvm_ops *fn, void *priv,
		      struct gpuvm_va *va, bool keep)
{
	struct gpuvm_op tmp, *op = op_start(fn, priv, &tmp);

	if (gpuvm_unlikely(!op))
		return -ENOMEM;
	op->type = GPUVM_OP_UNMAP;
	op->unmap.va = va;
	op->unmap.keep = keep;
	return op == &tmp ? fn->sm_step_unmap(op, priv) : 0;
}

static int emit_remap(const struct gpuvm_ops *fn, void *priv,
		      const struct gpuvm_op_map *prev,
		      const struct gpuvm_op_map *next, struct gpuvm_va *va,
		      bool keep)
{
	struct gpuvm_op tmp, *op = op_start(fn, priv, &tmp);

	if (gpuvm_unlikely(!op))
		return -ENOMEM;
	op->type = GPUVM_OP_REMAP;
	op->remap_storage.unmap.va = va;
	op->remap_storage.unmap.keep = keep;
	op->remap.unmap = &op->remap_storage.unmap;
	op->remap.prev = NULL;
	op->remap.next = NULL;
	if (prev) {
		op->remap_storage.prev = *prev;
		op->remap.prev = &op->remap_storage.prev;
	}
	if (next) {
		op->remap_storage.next = *next;
		op->remap.next = &op->remap_storage.next;
	}
	return op == &tmp ? fn->sm_step_remap(op, priv) : 0;
}

static inline struct gpuvm_op_map piece(uint64_t addr, uint64_t range,
					struct gpuvm_bo *obj, uint64_t offset)
{
	struct gpuvm_op_map m = {
		.addr = addr, .range = range, .offset = offset, .obj = obj,
	};

	return m;
}

/* --- the walks ----------------------------------------------------------- */

/*
 * gpuvm_for_each_va_range_safe() over [start, end) of a validated range,
 * from @first, the first VA ending after start (the planners find it with
 * gpuvm_tree_first_ending_after_branchy(): see there).  A VA reaching @end
 * is the last one (VAs do not overlap: the next starts at or after @end),
 * so its successor, a walk up or down the tree, is not looked for.
 */
#define plan_for_each_va_safe(va, next_, first, end)                         \
	for (va = (first);                                                   \
	     va && va->addr < (end) &&                                       \
	     ((next_ = gpuvm_va_end(va) < (end) ? gpuvm_va_next(va) : NULL), 1); \
	     va = next_)

/*
 * Plan a map (or, with @madvise, a madvise split) of @req, case by case as
 * the kernel's __drm_gpuvm_sm_map() splits: a VA starting at, before or
 * after the request and ending at, before or after its end (madvise only
 * splits VAs without object, see gpuvm_madvise_ops_create()).  The table of
 * cases is in docs/semantics.md, section 2.1; madvise differences are 2.4.
 * Values of the current VA are read before its step runs, since the step
 * may remove and free it, and its successor is fetched before the step,
 * since the step may insert pieces.
 */
static int sm_map_walk(struct gpuvm *vm, const struct gpuvm_ops *fn,
		       void *priv, const struct gpuvm_op_map *req, bool madvise)
{
	const uint64_t ra = req->addr, rr = req->range, re = ra + rr;
	const uint64_t rof = req->offset;
	struct gpuvm_bo *const ro = req->obj;
	struct gpuvm_va *first, *va, *next;
	bool needs_map = !madvise;
	int ret;

	if (rr == 0 || !gpuvm_range_valid_(vm, ra, rr))
		return -EINVAL;

	first = gpuvm_tree_first_ending_after_branchy(&vm->tree, ra);
	if (!madvise && (!first || first->addr >= re)) {
		/*
		 * A map into a gap, the common case: tell the insert applying
		 * it where it goes, and emit it without entering the walk.
		 */
		gpuvm_tree_set_hint(&vm->tree, ra, first);
		return emit_map(fn, priv, ra, rr, ro, rof);
	}

	plan_for_each_va_safe(va, next, first, re) {
		const uint64_t a = va->addr, e = a + va->range, of = va->offset;
		struct gpuvm_bo *const o = va->obj;
		bool keep = o != NULL;
		struct gpuvm_op_map p, n;

		needs_map = !madvise;
		if (madvise && o) {
			/* Objects are not split by madvise; stop where map would. */
			if (e < re)
				continue;
			break;
		}

		if (a == ra) {
			keep = keep && o == ro && of == rof;
			if (e <= re) {
				if (!madvise) {
					ret = emit_unmap(fn, priv, va, keep);
					if (ret)
						return ret;
				}
				if (e == re)
					break;
				continue;
			}
			n = piece(re, e - re, o, of + rr);
			ret = emit_remap(fn, priv, NULL, &n, va, keep);
			if (ret)
				return ret;
			needs_map = true;
			break;
		}

		if (a < ra) {
			keep = keep && o == ro && of + (ra - a) == rof;
			p = piece(a, ra - a, o, of);
			if (e <= re) {
				ret = emit_remap(fn, priv, &p, NULL, va, keep);
				if (ret)
					return ret;
				if (e == re) {
					needs_map = true;
					break;
				}
				if (madvise) {
					ret = emit_map(fn, priv, ra, e - ra, NULL, 0);
					if (ret)
						return ret;
				}
				continue;
			}
			n = piece(re, e - re, o, of + (ra - a) + rr);
			ret = emit_remap(fn, priv, &p, &n, va, keep);
			if (ret)
				return ret;
			needs_map = true;
			break;
		}

		/* a > ra */
		keep = keep && o == ro && of == rof + (a - ra);
		if (e <= re) {
			if (!madvise) {
				ret = emit_unmap(fn, priv, va, keep);
				if (ret)
					return ret;
			}
			if (e == re)
				break;
			continue;
		}
		n = piece(re, e - re, o, of + (re - a));
		ret = emit_remap(fn, priv, NULL, &n, va, keep);
		if (ret)
			return ret;
		if (madvise)
			return emit_map(fn, priv, a, re - a, NULL, 0);
		break;
	}

	return needs_map ? emit_map(fn, priv, ra, rr, ro, rof) : 0;
}

/* Plan an unmap of [ua, ua + ur) (docs/semantics.md, 2.3): every VA it
 * touches, no stop. */
static int sm_unmap_walk(struct gpuvm *vm, const struct gpuvm_ops *fn,
			 void *priv, uint64_t ua, uint64_t ur)
{
	const uint64_t ue = ua + ur;
	struct gpuvm_va *va, *next;
	int ret;

	if (ur == 0 || !gpuvm_range_valid_(vm, ua, ur))
		return -EINVAL;

	plan_for_each_va_safe(va, next,
			      gpuvm_tree_first_ending_after_branchy(&vm->tree, ua),
			      ue) {
		const uint64_t a = va->addr, e = a + va->range, of = va->offset;
		struct gpuvm_op_map p, n;
		bool has_prev = a < ua, has_next = e > ue;

		if (has_prev)
			p = piece(a, ua - a, va->obj, of);
		if (has_next)
			n = piece(ue, e - ue, va->obj, of + (ue - a));

		if (has_prev || has_next)
			ret = emit_remap(fn, priv, has_prev ? &p : NULL,
					 has_next ? &n : NULL, va, false);
		else
			ret = emit_unmap(fn, priv, va, false);
		if (ret)
			return ret;
	}
	return 0;
}

/* --- callback form ------------------------------------------------------- */

GPUVM_EXPORT int gpuvm_sm_map(struct gpuvm *vm, void *priv,
			      const struct gpuvm_map_req *req)
{
	const struct gpuvm_ops *fn = vm->ops;

	if (!fn->sm_step_map || !fn->sm_step_remap || !fn->sm_step_unmap)
		return -EINVAL;
	return sm_map_walk(vm, fn, priv, &req->map, false);
}

GPUVM_EXPORT int gpuvm_sm_unmap(struct gpuvm *vm, void *priv, uint64_t addr,
				uint64_t range)
{
	const struct gpuvm_ops *fn = vm->ops;

	if (!fn->sm_step_remap || !fn->sm_step_unmap)
		return -EINVAL;
	return sm_unmap_walk(vm, fn, priv, addr, range);
}

/* --- op lists ------------------------------------------------------------ */

static void gpuvm_op_free(struct gpuvm *vm, struct gpuvm_op *op)
{
	if (vm->ops->op_free)
		vm->ops->op_free(vm, op);
	else
		gpuvm_free(op);
}

GPUVM_EXPORT void gpuvm_op_list_init(struct gpuvm_op_list *list)
{
	gpuvm_list_init(&list->ops);
	list->blocks = NULL;
	list->inline_used = 0;
}

GPUVM_EXPORT void gpuvm_op_list_clear(struct gpuvm *vm,
				      struct gpuvm_op_list *list)
{
	struct gpuvm_op_block *b, *next, *largest = NULL;
	struct gpuvm_op *op, *tmp;

	if (list->inline_used) {
		/*
		 * The list owns its ops: free the blocks they live in, and any
		 * op the driver appended (GPUVM_OP_DRIVER) on its own.
		 */
		gpuvm_op_list_for_each_safe(op, tmp, list) {
			if (op->list_owned)
				continue;
			gpuvm_list_del(&op->link);
			gpuvm_op_free(vm, op);
		}
		for (b = list->blocks; b; b = next) {
			next = b->next;
			if (!largest || b->cap > largest->cap) {
				gpuvm_free(largest);
				largest = b;
			} else {
				gpuvm_free(b);
			}
		}
		/* A small block is not worth keeping: it would not be taken. */
		if (largest && largest->cap > OP_BLOCK_OPS)
			op_block_give_spare(vm, largest);
		else
			gpuvm_free(largest);
		gpuvm_op_list_init(list);
		return;
	}
	gpuvm_op_list_for_each_safe(op, tmp, list) {
		gpuvm_list_del(&op->link);
		gpuvm_op_free(vm, op);
	}
}

GPUVM_EXPORT unsigned int gpuvm_op_list_count_new_vas(const struct gpuvm_op_list *list)
{
	const struct gpuvm_op *op;
	unsigned int n = 0;

	gpuvm_op_list_for_each(op, list) {
		if (op->type == GPUVM_OP_MAP)
			n++;
		else if (op->type == GPUVM_OP_REMAP)
			n += (op->remap.prev != NULL) + (op->remap.next != NULL);
	}
	return n;
}

/* Finish an *_ops_create(): on error nothing of the list survives. */
static int list_done(struct gpuvm *vm, struct gpuvm_op_list *list, int ret)
{
	if (ret)
		gpuvm_op_list_clear(vm, list);
	return ret;
}

GPUVM_EXPORT int gpuvm_sm_map_ops_create(struct gpuvm *vm,
					 const struct gpuvm_map_req *req,
					 struct gpuvm_op_list *list)
{
	struct list_ctx ctx = { vm, list };

	gpuvm_op_list_init(list);
	return list_done(vm, list,
			 sm_map_walk(vm, &list_steps, &ctx, &req->map, false));
}

GPUVM_EXPORT int gpuvm_madvise_ops_create(struct gpuvm *vm,
					  const struct gpuvm_map_req *req,
					  struct gpuvm_op_list *list)
{
	struct list_ctx ctx = { vm, list };

	gpuvm_op_list_init(list);
	return list_done(vm, list,
			 sm_map_walk(vm, &list_steps, &ctx, &req->map, true));
}

GPUVM_EXPORT int gpuvm_sm_unmap_ops_create(struct gpuvm *vm, uint64_t addr,
					   uint64_t range,
					   struct gpuvm_op_list *list)
{
	struct list_ctx ctx = { vm, list };

	gpuvm_op_list_init(list);
	return list_done(vm, list,
			 sm_unmap_walk(vm, &list_steps, &ctx, addr, range));
}

/* Append an op of @type naming @va (PREFETCH, or UNMAP with keep false). */
static int list_add_va_op(struct gpuvm *vm, struct gpuvm_op_list *list,
			  enum gpuvm_op_type type, struct gpuvm_va *va)
{
	struct gpuvm_op *op = list_op_alloc(vm, list);

	if (gpuvm_unlikely(!op))
		return -ENOMEM;
	op->type = type;
	if (type == GPUVM_OP_PREFETCH) {
		op->prefetch.va = va;
	} else {
		op->unmap.va = va;
		op->unmap.keep = false;
	}
	gpuvm_list_add_tail(&list->ops, &op->link);
	return 0;
}

GPUVM_EXPORT int gpuvm_prefetch_ops_create(struct gpuvm *vm, uint64_t addr,
					   uint64_t range,
					   struct gpuvm_op_list *list)
{
	struct gpuvm_va *va;
	int ret = 0;

	gpuvm_op_list_init(list);
	if (range == 0)
		return -EINVAL;

	/* No range check, as in the kernel: the reserved region is listed. */
	gpuvm_for_each_va_range(va, vm, addr, addr + range) {
		ret = list_add_va_op(vm, list, GPUVM_OP_PREFETCH, va);
		if (ret)
			break;
	}
	return list_done(vm, list, ret);
}

GPUVM_EXPORT int gpuvm_bo_unmap_ops_create(struct gpuvm_vm_bo *vm_bo,
					   struct gpuvm_op_list *list)
{
	struct gpuvm_va *va;
	int ret = 0;

	gpuvm_op_list_init(list);
	gpuvm_check_bo_list_locked(__func__, vm_bo->vm, vm_bo->obj);
	gpuvm_vm_bo_for_each_va(va, vm_bo) {
		ret = list_add_va_op(vm_bo->vm, list, GPUVM_OP_UNMAP, va);
		if (ret)
			break;
	}
	return list_done(vm_bo->vm, list, ret);
}

/* --- exec-lock walks ----------------------------------------------------- */

/*
 * Steps that lock, in the context passed as priv, the object of every VA a
 * plan would unmap or split; the MAP step has nothing to lock.  The tree is
 * only read.
 */
static int lock_step_map(struct gpuvm_op *op, void *priv)
{
	(void)op;
	(void)priv;
	return 0;
}

/*
 * Lock, in @exec, the object of the VA @op removes (REMAP, UNMAP) or names
 * (PREFETCH); nothing for the other ops or a VA without object.
 */
static int lock_op_va_obj(struct gpuvm_exec *exec, const struct gpuvm_op *op)
{
	const struct gpuvm_va *va;

	switch (op->type) {
	case GPUVM_OP_REMAP:
		va = op->remap.unmap->va;
		break;
	case GPUVM_OP_UNMAP:
		va = op->unmap.va;
		break;
	case GPUVM_OP_PREFETCH:
		va = op->prefetch.va;
		break;
	default:
		return 0;
	}
	return va->obj ? gpuvm_exec_lock_obj(exec, va->obj) : 0;
}

static int lock_step_remap(struct gpuvm_op *op, void *priv)
{
	return lock_op_va_obj(priv, op);
}

static int lock_step_unmap(struct gpuvm_op *op, void *priv)
{
	return lock_op_va_obj(priv, op);
}

static const struct gpuvm_ops lock_steps = {
	.sm_step_map = lock_step_map,
	.sm_step_remap = lock_step_remap,
	.sm_step_unmap = lock_step_unmap,
};

GPUVM_EXPORT int gpuvm_sm_map_exec_lock(struct gpuvm *vm, struct gpuvm_exec *exec,
					unsigned int num_fences,
					const struct gpuvm_map_req *req)
{
	const struct gpuvm_op_map *m = &req->map;
	int ret;

	/* Reject before locking anything. */
	if (m->range == 0 || !gpuvm_range_valid(vm, m->addr, m->range))
		return -EINVAL;
	if (m->obj) {
		ret = gpuvm_exec_prepare_obj(exec, m->obj, num_fences);
		if (ret)
			return ret;
	}
	return sm_map_walk(vm, &lock_steps, exec, m, false);
}

GPUVM_EXPORT int gpuvm_sm_unmap_exec_lock(struct gpuvm *vm,
					  struct gpuvm_exec *exec,
					  uint64_t addr, uint64_t range)
{
	return sm_unmap_walk(vm, &lock_steps, exec, addr, range);
}

/*
 * The objects of MAP ops first (what gpuvm_sm_map_exec_lock() prepares
 * before its walk), then those of the VAs the other ops remove or prefetch,
 * in list order, which is the walk's.
 */
GPUVM_EXPORT int gpuvm_op_list_exec_lock(struct gpuvm_exec *exec,
					 unsigned int num_fences,
					 const struct gpuvm_op_list *list)
{
	const struct gpuvm_op *op;
	int ret;

	gpuvm_op_list_for_each(op, list) {
		if (op->type != GPUVM_OP_MAP || !op->map.obj)
			continue;
		ret = gpuvm_exec_prepare_obj(exec, op->map.obj, num_fences);
		if (ret)
			return ret;
	}
	gpuvm_op_list_for_each(op, list) {
		ret = lock_op_va_obj(exec, op);
		if (ret)
			return ret;
	}
	return 0;
}
