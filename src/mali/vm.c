// SPDX-License-Identifier: MIT
/*
 * Mali backend, layer 5: the glue between the VA manager and the Mali page
 * tables.  See include/gpuvm/mali_vm.h for the request life cycle.
 *
 * A request goes through three phases that never interleave:
 *
 *   prepare  lock, plan, validate, allocate; may fail, changes nothing;
 *   tables   one update window: every page-table edit of the plan;
 *   tree     the ops applied to the VA tree, links moved; cannot fail.
 *
 * The tables phase runs before the tree phase so that the ops' pointers to
 * existing VAs stay valid while the edits are derived from them.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <gpuvm/mali_vm.h>

#include "../core/internal.h"

#define VM_PAGE		GPUVM_MALI_PT_PAGE_SIZE
#define VM_PAGE_MASK	(VM_PAGE - 1)

/* Most VA structures a map or an unmap plan needs. */
#define VM_MAX_NEW_VAS	GPUVM_MADVISE_MAX_NEW_VAS

/*
 * struct mali_va - a mapping: the VA plus the protection its page-table
 * entries were written with (REMAP pieces inherit it).
 */
struct mali_va {
	struct gpuvm_va base;
	unsigned int prot;
};

struct gpuvm_mali_vm {
	struct gpuvm base;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_pgtable *pt;
	struct gpuvm_mali_as_client client;
	unsigned int default_prot;
	bool broken;	/* the tables may be half edited: unusable for good */
	bool stale;	/* the GPU may not have seen an update: usable again
			   once the MMU has been reset */
	struct gpuvm_mali_vm_stats stats;
};

/*
 * struct vm_req - one request being applied
 * @ops: the plan
 * @exec: locks of the objects the plan touches
 * @vas: pre-allocated mappings; @used of them consumed
 * @vm_bo: the request object's vm_bo (one reference), or NULL
 * @res: page-table pages reserved for the plan
 * @bo: the request's object (map with object only)
 * @pa: bus address @addr maps to (map with object only)
 * @offset: object offset of @addr (map only)
 * @prot: protection of the new mapping
 * @map: the request is a map
 * @madvise: the request is a madvise split (only object-less VAs change)
 * @addr: request start
 * @range: request size
 * @lo: start of the VA range whose entries change
 * @hi: end of it (@lo == @hi: no entry changes)
 * @kept: pages of the request whose entries stay as they are
 */
struct vm_req {
	struct gpuvm_op_list ops;
	struct gpuvm_exec exec;
	struct mali_va *vas[VM_MAX_NEW_VAS];
	unsigned int nvas;
	unsigned int used;
	struct gpuvm_vm_bo *vm_bo;
	struct gpuvm_mali_pt_reserve res;
	struct gpuvm_mali_bo *bo;
	uint64_t pa;
	uint64_t offset;
	unsigned int prot;
	bool map;
	bool madvise;
	uint64_t addr;
	uint64_t range;
	uint64_t lo;
	uint64_t hi;
	uint64_t kept;
};

static inline struct mali_va *to_mali_va(struct gpuvm_va *va)
{
	return gpuvm_container_of(va, struct mali_va, base);
}

static inline struct gpuvm_mali_vm *to_mali_vm(struct gpuvm *vm)
{
	return gpuvm_container_of(vm, struct gpuvm_mali_vm, base);
}

static bool aligned(uint64_t v)
{
	return !(v & VM_PAGE_MASK);
}

/* --- objects ------------------------------------------------------------ */

GPUVM_EXPORT int gpuvm_mali_bo_init(struct gpuvm_mali_bo *bo, uint64_t pa,
				    uint64_t size,
				    const struct gpuvm_bo_ops *ops)
{
	if (!bo || !size || !aligned(pa) || !aligned(size) ||
	    pa + size < pa)
		return -EINVAL;
	memset(bo, 0, sizeof(*bo));
	gpuvm_bo_init(&bo->base, ops, NULL);
	bo->pa = pa;
	bo->size = size;
	return 0;
}

GPUVM_EXPORT void gpuvm_mali_bo_fini(struct gpuvm_mali_bo *bo)
{
	if (bo)
		gpuvm_bo_fini(&bo->base);
}

/* --- VM life cycle ------------------------------------------------------ */

static void mali_vm_free(struct gpuvm *gvm)
{
	gpuvm_free(to_mali_vm(gvm));
}

static const struct gpuvm_ops mali_vm_ops = {
	.vm_free = mali_vm_free,
};

static bool prot_ok(unsigned int prot)
{
	const unsigned int all = GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE |
				 GPUVM_MALI_PT_NOEXEC | GPUVM_MALI_PT_CACHED |
				 GPUVM_MALI_PT_MMIO;

	return (prot & (GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE)) &&
	       !(prot & ~all);
}

GPUVM_EXPORT int gpuvm_mali_vm_create(struct gpuvm_mali_mmu *mmu,
				      struct gpuvm_mali_ptmem *mem,
				      const struct gpuvm_mali_vm_config *cfg,
				      struct gpuvm_mali_vm **out)
{
	const struct gpuvm_mali_gpu_info *info;
	struct gpuvm_mali_pt_config pcfg;
	struct gpuvm_init_args args;
	struct gpuvm_mali_vm *vm;
	unsigned int prot;
	uint64_t end;
	int ret;

	if (!mmu || !mem || !cfg || !out)
		return -EINVAL;
	info = gpuvm_mali_mmu_info(mmu);
	prot = cfg->default_prot ? cfg->default_prot :
	       GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE |
	       GPUVM_MALI_PT_NOEXEC | GPUVM_MALI_PT_CACHED;
	end = cfg->va_start + cfg->va_range;
	if (!cfg->va_range || !aligned(cfg->va_start) ||
	    !aligned(cfg->va_range) || end < cfg->va_start ||
	    !aligned(cfg->reserve_start) || !aligned(cfg->reserve_range) ||
	    !prot_ok(prot))
		return -EINVAL;
	if (info->va_bits < 64 && end > (1ull << info->va_bits))
		return -EINVAL;

	vm = gpuvm_zalloc(sizeof(*vm));
	if (!vm)
		return -ENOMEM;

	/*
	 * The VA manager first: it checks the reserved region, and a failure
	 * here has taken no page-table page yet.  (Destroying a page table
	 * defers its pages, and draining the deferred list would also hand
	 * out pages that other address spaces may still walk.)
	 */
	memset(&args, 0, sizeof(args));
	args.name = cfg->name;
	args.flags = 0;		/* staged mode, BO list lock = resv */
	args.start = cfg->va_start;
	args.range = cfg->va_range;
	args.reserve_start = cfg->reserve_start;
	args.reserve_range = cfg->reserve_range;
	args.ops = &mali_vm_ops;
	ret = gpuvm_init(&vm->base, &args);
	if (ret) {
		gpuvm_free(vm);
		return ret;
	}

	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.format = info->format;
	pcfg.ias = info->va_bits;
	pcfg.oas = info->pa_bits;
	pcfg.coherent = cfg->coherent;
	ret = gpuvm_mali_pt_create(mem, &pcfg, &vm->pt);
	if (ret) {
		gpuvm_put(&vm->base);	/* frees vm (mali_vm_free) */
		return ret;
	}

	vm->mmu = mmu;
	vm->mem = mem;
	vm->default_prot = prot;
	gpuvm_mali_as_client_init(&vm->client, gpuvm_mali_pt_transtab(vm->pt),
				  gpuvm_mali_pt_memattr(pcfg.format, pcfg.coherent),
				  gpuvm_mali_pt_transcfg_encode(pcfg.format,
								pcfg.ias,
								pcfg.coherent));
	*out = vm;
	return 0;
}

GPUVM_EXPORT void gpuvm_mali_vm_destroy(struct gpuvm_mali_vm *vm)
{
	struct gpuvm_va *va, *next;
	int ret;

	if (!vm)
		return;

	gpuvm_for_each_va_safe(va, next, &vm->base) {
		struct gpuvm_bo *obj = va->obj;

		if (va == &vm->base.kernel_alloc_node)
			continue;
		if (obj && va->vm_bo) {
			/*
			 * Staged mode: the BO list lock is the resv.  The
			 * unlink may drop the vm_bo's reference on the object,
			 * its last: hold one until the resv is unlocked.
			 */
			if (obj->ops && obj->ops->get)
				obj->ops->get(obj);
			gpuvm_resv_lock(obj->resv);
			gpuvm_va_unlink(va);
			gpuvm_resv_unlock(obj->resv);
			if (obj->ops && obj->ops->put)
				obj->ops->put(obj);
		}
		gpuvm_va_remove(va);
		gpuvm_free(to_mali_va(va));
	}

	ret = gpuvm_mali_mmu_unbind(vm->mmu, &vm->client);
	gpuvm_mali_pt_destroy(vm->pt);
	vm->pt = NULL;
	/*
	 * The slot no longer points at the tables (or never did): their pages
	 * may be reused.  After a failed unbind the GPU may still walk them;
	 * they stay deferred until the caller resets the GPU and drains.
	 */
	if (!ret && !gpuvm_mali_mmu_needs_reset(vm->mmu))
		gpuvm_mali_ptmem_flush_done(vm->mem);
	gpuvm_put(&vm->base);
}

/*
 * May the VM take requests?  A stale VM recovers once the MMU no longer
 * needs a reset: only gpuvm_mali_mmu_reset_done() ends that state, so the
 * GPU has been reset since, and its tables (complete) are all it will see.
 */
static bool vm_usable(const struct gpuvm_mali_vm *vm)
{
	if (vm->broken)
		return false;
	return !vm->stale || !gpuvm_mali_mmu_needs_reset(vm->mmu);
}

static bool vm_check_usable(struct gpuvm_mali_vm *vm)
{
	if (!vm_usable(vm))
		return false;
	vm->stale = false;
	return true;
}

GPUVM_EXPORT int gpuvm_mali_vm_bind(struct gpuvm_mali_vm *vm)
{
	if (!vm_check_usable(vm))
		return -EIO;
	return gpuvm_mali_mmu_bind(vm->mmu, &vm->client);
}

GPUVM_EXPORT int gpuvm_mali_vm_unbind(struct gpuvm_mali_vm *vm)
{
	return gpuvm_mali_mmu_unbind(vm->mmu, &vm->client);
}

GPUVM_EXPORT int gpuvm_mali_vm_as(const struct gpuvm_mali_vm *vm)
{
	return vm->client.as;
}

/* --- requests: prepare -------------------------------------------------- */

static void req_init(struct vm_req *r)
{
	memset(r, 0, sizeof(*r));
	gpuvm_op_list_init(&r->ops);
	gpuvm_exec_init(&r->exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	r->res = (struct gpuvm_mali_pt_reserve)GPUVM_MALI_PT_RESERVE_INIT;
}

/* Give back whatever the request did not consume, unlock. */
static void req_release(struct gpuvm_mali_vm *vm, struct vm_req *r)
{
	unsigned int i;

	for (i = r->used; i < r->nvas; i++)
		gpuvm_free(r->vas[i]);
	r->nvas = 0;
	r->used = 0;
	gpuvm_mali_pt_reserve_release(&r->res);
	/* the BO list lock (the resv) is still held here */
	gpuvm_vm_bo_put(r->vm_bo);
	r->vm_bo = NULL;
	gpuvm_op_list_clear(&vm->base, &r->ops);
	gpuvm_exec_fini(&r->exec);
}

static void widen(struct vm_req *r, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	if (r->lo == r->hi) {
		r->lo = start;
		r->hi = end;
		return;
	}
	if (start < r->lo)
		r->lo = start;
	if (end > r->hi)
		r->hi = end;
}

/*
 * May the part of @old inside the request stay as it is?  The planner says
 * the object and offsets line up ("keep"; checked again here, it is cheap);
 * the entries also need the same protection, and a mapping without object
 * has no entries to keep.
 */
static bool keep_entries(const struct vm_req *r, const struct gpuvm_va *old,
			 bool keep)
{
	const struct mali_va *mold = gpuvm_container_of(old, const struct mali_va,
							base);

	return keep && r->map && r->bo && old->obj == &r->bo->base &&
	       old->offset - old->addr == r->offset - r->addr &&
	       mold->prot == r->prot;
}

/*
 * The range of the page tables an UNMAP or REMAP op clears, in
 * [*start, *start + *size); false when it clears nothing.
 */
static bool op_unmap_range(const struct vm_req *r, const struct gpuvm_op *op,
			   uint64_t *start, uint64_t *size)
{
	const struct gpuvm_va *old;

	if (op->type == GPUVM_OP_UNMAP) {
		old = op->unmap.va;
		if (!old->obj || keep_entries(r, old, op->unmap.keep))
			return false;
		*start = old->addr;
		*size = old->range;
		return true;
	}
	if (op->type == GPUVM_OP_REMAP) {
		old = op->remap.unmap->va;
		if (!old->obj || keep_entries(r, old, op->remap.unmap->keep))
			return false;
		gpuvm_op_remap_to_unmap_range(&op->remap, start, size);
		return *size != 0;
	}
	return false;
}

/* The part of the request an UNMAP/REMAP op keeps, if any. */
static bool op_kept_range(const struct vm_req *r, const struct gpuvm_op *op,
			  uint64_t *start, uint64_t *size)
{
	if (op->type == GPUVM_OP_UNMAP &&
	    keep_entries(r, op->unmap.va, op->unmap.keep)) {
		*start = op->unmap.va->addr;
		*size = op->unmap.va->range;
		return true;
	}
	if (op->type == GPUVM_OP_REMAP &&
	    keep_entries(r, op->remap.unmap->va, op->remap.unmap->keep)) {
		gpuvm_op_remap_to_unmap_range(&op->remap, start, size);
		return *size != 0;
	}
	return false;
}

/* One piece [@start, @end) of map_pieces(). */
static int map_piece(struct gpuvm_mali_vm *vm, struct vm_req *r, bool apply,
		     uint64_t start, uint64_t end, int *count)
{
	int ret;

	if (start >= end)
		return 0;
	(*count)++;
	if (!apply) {
		widen(r, start, end);
		return 0;
	}
	ret = gpuvm_mali_pt_map(vm->pt, start, r->pa + (start - r->addr),
				end - start, r->prot, &r->res);
	if (!ret)
		vm->stats.pages_mapped += (end - start) / VM_PAGE;
	return ret;
}

/*
 * Walk the pieces of the request that must be written: the request minus
 * the parts kept as they are (the ops come in address order).  With
 * @apply, map each piece; otherwise only widen the update range.
 *
 * Returns: the number of pieces, or a page-table error (apply only).
 */
static int map_pieces(struct gpuvm_mali_vm *vm, struct vm_req *r, bool apply)
{
	uint64_t cursor = r->addr, start, size;
	struct gpuvm_op *op;
	int count = 0, ret;

	gpuvm_op_list_for_each(op, &r->ops) {
		if (!op_kept_range(r, op, &start, &size))
			continue;
		ret = map_piece(vm, r, apply, cursor, start, &count);
		if (ret)
			return ret;
		if (!apply)
			r->kept += size / VM_PAGE;
		cursor = start + size;
	}
	ret = map_piece(vm, r, apply, cursor, r->addr + r->range, &count);
	return ret ? ret : count;
}

/*
 * Check every page-table change of the plan and reserve the table pages
 * they need, all before the first change.  Fills @r->lo/@r->hi.
 */
static int req_prepare_tables(struct gpuvm_mali_vm *vm, struct vm_req *r)
{
	const struct gpuvm_mali_pt_config *pcfg = gpuvm_mali_pt_get_config(vm->pt);
	struct gpuvm_mali_pt_range lock;
	struct gpuvm_op *op;
	uint64_t start, size;
	size_t need = 0, n;
	int ret;

	gpuvm_op_list_for_each(op, &r->ops) {
		if (op_unmap_range(r, op, &start, &size)) {
			ret = gpuvm_mali_pt_unmap_prepare(vm->pt, start, size,
							  &n, &lock);
			if (ret)
				return ret;
			need += n;
			widen(r, lock.start, lock.end);
		} else if (op->type == GPUVM_OP_MAP && op->map.obj) {
			if (pcfg->oas < 64 &&
			    (r->pa + op->map.range > (1ull << pcfg->oas) ||
			     r->pa + op->map.range < r->pa))
				return -ERANGE;
			if (!gpuvm_mali_ptmem_output_ok(vm->mem, r->pa,
							op->map.range))
				return -EPERM;
		}
	}

	/* the parts of the request that are written (not kept) */
	if (r->map && r->bo && map_pieces(vm, r, false) > 0) {
		/* the worst case of the whole range bounds its pieces' */
		need += gpuvm_mali_pt_map_reserve_pages(vm->pt, r->addr,
							r->range);
	}

	if (need) {
		ret = gpuvm_mali_pt_reserve_fill(&r->res, vm->mem, need);
		if (ret)
			return ret;
		vm->stats.pt_pages_reserved += need;
	}
	return 0;
}

static int req_prepare(struct gpuvm_mali_vm *vm, struct vm_req *r)
{
	unsigned int i, count;
	int ret;

	count = gpuvm_op_list_count_new_vas(&r->ops);
	if (count > VM_MAX_NEW_VAS) {
		gpuvm_warn("plan needs %u new VAs", count);
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		r->vas[i] = gpuvm_zalloc(sizeof(*r->vas[i]));
		if (!r->vas[i])
			return -ENOMEM;
		r->nvas++;
	}

	if (r->map && r->bo) {
		ret = gpuvm_vm_bo_obtain(&vm->base, &r->bo->base, &r->vm_bo);
		if (ret)
			return ret;
	}

	/* madvise only splits VAs without object, which have no entries */
	if (r->madvise)
		return 0;
	return req_prepare_tables(vm, r);
}

/* --- requests: the page tables ------------------------------------------ */

/*
 * Apply every page-table edit of the plan.  The caller has the update
 * window open.  Returns 0 or the first page-table error (which the checks
 * of req_prepare_tables() make impossible); edits before it stay.
 */
static int req_apply_tables(struct gpuvm_mali_vm *vm, struct vm_req *r)
{
	struct gpuvm_op *op;
	uint64_t start, size;
	size_t before = r->res.taken;
	int ret = 0;

	/* first clear what goes away */
	gpuvm_op_list_for_each(op, &r->ops) {
		if (!op_unmap_range(r, op, &start, &size))
			continue;
		ret = gpuvm_mali_pt_unmap(vm->pt, start, size, &r->res, NULL);
		if (ret)
			goto out;
		vm->stats.pages_unmapped += size / VM_PAGE;
	}

	/* then map the request minus the parts kept as they are */
	if (r->map && r->bo) {
		ret = map_pieces(vm, r, true);
		if (ret > 0)
			ret = 0;
	}
out:
	vm->stats.pt_pages_used += r->res.taken - before;
	return ret;
}

/* --- requests: the VA tree ---------------------------------------------- */

static struct mali_va *req_take_va(struct vm_req *r)
{
	if (r->used >= r->nvas) {
		gpuvm_warn("ran out of pre-allocated VAs");
		return NULL;
	}
	return r->vas[r->used++];
}

static void apply_remap(struct vm_req *r, struct gpuvm_op *op)
{
	struct gpuvm_op_remap *rm = &op->remap;
	struct gpuvm_va *old = rm->unmap->va;
	struct gpuvm_vm_bo *vm_bo = old->vm_bo;
	struct mali_va *prev = NULL, *next = NULL;
	int ret;

	if (rm->prev)
		prev = req_take_va(r);
	if (rm->next)
		next = req_take_va(r);
	ret = gpuvm_va_remap(prev ? &prev->base : NULL,
			     next ? &next->base : NULL, rm);
	if (ret) {
		gpuvm_warn("remap failed: %d", ret);
		return;
	}
	if (prev) {
		prev->prot = to_mali_va(old)->prot;
		prev->base.flags = old->flags;
		if (vm_bo)
			gpuvm_va_link(&prev->base, vm_bo);
	}
	if (next) {
		next->prot = to_mali_va(old)->prot;
		next->base.flags = old->flags;
		if (vm_bo)
			gpuvm_va_link(&next->base, vm_bo);
	}
	gpuvm_va_unlink(old);
	gpuvm_free(to_mali_va(old));
}

static void req_apply_tree(struct gpuvm_mali_vm *vm, struct vm_req *r)
{
	struct gpuvm_va *old;
	struct mali_va *va;
	struct gpuvm_op *op;
	int ret;

	gpuvm_op_list_for_each(op, &r->ops) {
		switch (op->type) {
		case GPUVM_OP_REMAP:
			apply_remap(r, op);
			break;
		case GPUVM_OP_UNMAP:
			old = op->unmap.va;
			gpuvm_va_unmap(&op->unmap);
			gpuvm_va_unlink(old);
			gpuvm_free(to_mali_va(old));
			break;
		case GPUVM_OP_MAP:
			va = req_take_va(r);
			if (!va)
				break;
			ret = gpuvm_va_map(&vm->base, &va->base, &op->map);
			if (ret) {
				gpuvm_warn("map failed: %d", ret);
				/* leave it for req_release() to free */
				r->used--;
				break;
			}
			va->prot = r->prot;
			if (!op->map.obj)
				va->base.flags |= GPUVM_VA_SPARSE;
			else
				gpuvm_va_link(&va->base, r->vm_bo);
			break;
		default:
			gpuvm_warn("unexpected op type %d", (int)op->type);
			break;
		}
		vm->stats.ops++;
	}
}

/* --- requests ----------------------------------------------------------- */

static int req_run(struct gpuvm_mali_vm *vm, struct vm_req *r)
{
	struct gpuvm_map_req mreq;
	int ret, ret2;

	memset(&mreq, 0, sizeof(mreq));
	if (r->map) {
		mreq.map.addr = r->addr;
		mreq.map.range = r->range;
		mreq.map.offset = r->offset;
		mreq.map.obj = r->bo ? &r->bo->base : NULL;
	}

	/* 1. lock the objects the plan touches (madvise touches none) */
	do {
		if (r->madvise)
			ret = 0;
		else if (r->map)
			ret = gpuvm_sm_map_exec_lock(&vm->base, &r->exec, 0,
						     &mreq);
		else
			ret = gpuvm_sm_unmap_exec_lock(&vm->base, &r->exec,
						       r->addr, r->range);
	} while (gpuvm_exec_retry(&r->exec, &ret));
	if (ret)
		return ret;

	/* 2. plan */
	if (r->madvise) {
		mreq.map.addr = r->addr;
		mreq.map.range = r->range;
		ret = gpuvm_madvise_ops_create(&vm->base, &mreq, &r->ops);
	} else if (r->map)
		ret = gpuvm_sm_map_ops_create(&vm->base, &mreq, &r->ops);
	else
		ret = gpuvm_sm_unmap_ops_create(&vm->base, r->addr, r->range,
						&r->ops);
	if (ret)
		return ret;

	/* 3. validate and pre-allocate */
	ret = req_prepare(vm, r);
	if (ret)
		return ret;

	/* 4. the page tables, in one window */
	if (r->hi > r->lo) {
		ret = gpuvm_mali_mmu_begin_update(vm->mmu, &vm->client, r->lo,
						  r->hi - r->lo);
		if (ret)
			return ret;
		ret = req_apply_tables(vm, r);
		if (ret) {
			gpuvm_warn("page-table edit failed mid-update: %d", ret);
			ret = -EIO;
			vm->broken = true;
		}
		ret2 = gpuvm_mali_mmu_end_update(vm->mmu, &vm->client, vm->mem,
						 0);
		if (!ret2 && vm->client.as >= 0)
			vm->stats.flushes++;
		if (ret2)
			vm->stale = true;
		if (!ret)
			ret = ret2;
	}

	/* 5. the tree follows the tables, even after a failed flush */
	vm->stats.pages_kept += r->kept;
	req_apply_tree(vm, r);
	return ret;
}

static int vm_request(struct gpuvm_mali_vm *vm, struct vm_req *r)
{
	int ret;

	if (!vm_check_usable(vm)) {
		ret = -EIO;
	} else {
		ret = req_run(vm, r);
		req_release(vm, r);
	}
	if (ret)
		vm->stats.failed++;
	else
		vm->stats.requests++;
	return ret;
}

GPUVM_EXPORT int gpuvm_mali_vm_map(struct gpuvm_mali_vm *vm, uint64_t addr,
				   uint64_t range, struct gpuvm_mali_bo *bo,
				   uint64_t offset, unsigned int prot)
{
	struct vm_req r;

	if (!vm)
		return -EINVAL;
	if (prot == GPUVM_MALI_VM_PROT_DEFAULT)
		prot = vm->default_prot;
	if (!range || !aligned(addr) || !aligned(range) ||
	    !aligned(offset) || !prot_ok(prot) ||
	    (bo && (offset > bo->size || range > bo->size - offset))) {
		vm->stats.failed++;
		return -EINVAL;
	}

	req_init(&r);
	r.map = true;
	r.addr = addr;
	r.range = range;
	r.bo = bo;
	r.offset = offset;
	r.pa = bo ? bo->pa + offset : 0;
	r.prot = prot;
	return vm_request(vm, &r);
}

/* An unmap or a madvise split of [addr, addr + range). */
static int range_request(struct gpuvm_mali_vm *vm, uint64_t addr,
			 uint64_t range, bool madvise)
{
	struct vm_req r;

	if (!vm)
		return -EINVAL;
	if (!range || !aligned(addr) || !aligned(range)) {
		vm->stats.failed++;
		return -EINVAL;
	}

	req_init(&r);
	r.madvise = madvise;
	r.addr = addr;
	r.range = range;
	return vm_request(vm, &r);
}

GPUVM_EXPORT int gpuvm_mali_vm_unmap(struct gpuvm_mali_vm *vm, uint64_t addr,
				     uint64_t range)
{
	return range_request(vm, addr, range, false);
}

GPUVM_EXPORT int gpuvm_mali_vm_madvise(struct gpuvm_mali_vm *vm, uint64_t addr,
				       uint64_t range)
{
	return range_request(vm, addr, range, true);
}

/* --- accessors ---------------------------------------------------------- */

GPUVM_EXPORT int gpuvm_mali_vm_translate(struct gpuvm_mali_vm *vm, uint64_t va,
					 uint64_t *pa)
{
	struct gpuvm_mali_pt_entry e;
	int ret;

	ret = gpuvm_mali_pt_lookup(vm->pt, va, &e);
	if (!ret && pa)
		*pa = e.pa;
	return ret;
}

GPUVM_EXPORT unsigned int gpuvm_mali_vm_prot(const struct gpuvm_mali_vm *vm,
					     uint64_t va)
{
	struct gpuvm_va *v = gpuvm_va_find_first(&vm->base, va, 1);

	if (!v || v == &vm->base.kernel_alloc_node)
		return 0;
	return to_mali_va(v)->prot;
}

GPUVM_EXPORT struct gpuvm *gpuvm_mali_vm_gpuvm(struct gpuvm_mali_vm *vm)
{
	return &vm->base;
}

GPUVM_EXPORT struct gpuvm_mali_pgtable *gpuvm_mali_vm_pgtable(struct gpuvm_mali_vm *vm)
{
	return vm->pt;
}

GPUVM_EXPORT struct gpuvm_mali_as_client *gpuvm_mali_vm_client(struct gpuvm_mali_vm *vm)
{
	return &vm->client;
}

GPUVM_EXPORT bool gpuvm_mali_vm_usable(const struct gpuvm_mali_vm *vm)
{
	return vm_usable(vm);
}

GPUVM_EXPORT void gpuvm_mali_vm_stats(const struct gpuvm_mali_vm *vm,
				      struct gpuvm_mali_vm_stats *st)
{
	*st = vm->stats;
}
