/* SPDX-License-Identifier: MIT */
/*
 * The VM object: initialisation, reference counting, range rules, and the
 * checked VA insert/remove/lookup entry points over the tree in va_tree.c.
 */
#include <string.h>

#include "internal.h"

#ifdef GPUVM_DEBUG_CHECKS
#define debug_check(vm) ((void)gpuvm_check(vm))
#else
#define debug_check(vm) ((void)0)
#endif

/* Does [addr, addr + range) end past 2^64 - 1?  An end of exactly 2^64 does. */
static inline bool range_overflows(uint64_t addr, uint64_t range)
{
	return addr + range < addr;
}

static inline bool has_reserved(const struct gpuvm *vm)
{
	return vm->kernel_alloc_node.range != 0;
}

/*
 * The built-in resv object's reference hooks count on the VM itself: an
 * execution context that locks it (gpuvm_prepare_vm(), or the contended
 * slow path) keeps the VM, and so the lock it holds, alive until it unlocks,
 * as drm_exec's reference on the kernel's r_obj does.
 */
static void own_r_obj_get(struct gpuvm_bo *obj)
{
	gpuvm_get(gpuvm_container_of(obj, struct gpuvm, own_r_obj));
}

static void own_r_obj_put(struct gpuvm_bo *obj)
{
	gpuvm_put(gpuvm_container_of(obj, struct gpuvm, own_r_obj));
}

static const struct gpuvm_bo_ops own_r_obj_ops = {
	.get = own_r_obj_get,
	.put = own_r_obj_put,
};

GPUVM_EXPORT int gpuvm_init(struct gpuvm *vm, const struct gpuvm_init_args *args)
{
	uint64_t end, rend;

	if (!vm || !args || !args->ops || !args->ops->vm_free)
		return -EINVAL;
	if (args->range == 0 || range_overflows(args->start, args->range))
		return -EINVAL;
	end = args->start + args->range;
	if (args->reserve_range) {
		if (range_overflows(args->reserve_start, args->reserve_range))
			return -EINVAL;
		rend = args->reserve_start + args->reserve_range;
		if (args->reserve_start < args->start || rend > end)
			return -EINVAL;
	}

	memset(vm, 0, sizeof(*vm));
	vm->name = args->name ? args->name : "unknown";
	vm->flags = args->flags;
	vm->refcount = 1;
	vm->mm_start = args->start;
	vm->mm_range = args->range;
	vm->ops = args->ops;
	gpuvm_list_init(&vm->extobj.list);
	vm->extobj.lock = 0;
	gpuvm_list_init(&vm->evict.list);
	vm->evict.lock = 0;

	/*
	 * Without a resv object the VM uses a built-in one, as xe and panthor
	 * use a dummy object; the VM does not reference what is part of it.
	 */
	gpuvm_bo_init(&vm->own_r_obj, args->r_obj ? NULL : &own_r_obj_ops, NULL);
	vm->r_obj = args->r_obj ? args->r_obj : &vm->own_r_obj;
	if (args->r_obj && vm->r_obj->ops && vm->r_obj->ops->get)
		vm->r_obj->ops->get(vm->r_obj);

	if (args->reserve_range) {
		struct gpuvm_va *node = &vm->kernel_alloc_node;

		node->addr = args->reserve_start;
		node->range = args->reserve_range;
		node->vm = vm;
		gpuvm_list_init(&node->bo_link);
		/* An empty tree: cannot fail. */
		gpuvm_tree_insert(&vm->tree, node);
		node->in_tree = 1;
	}
	return 0;
}

GPUVM_EXPORT struct gpuvm *gpuvm_get(struct gpuvm *vm)
{
	__atomic_add_fetch(&vm->refcount, 1, __ATOMIC_RELAXED);
	return vm;
}

/*
 * The references inserted VAs hold on their VM.  Each VA holds one, as in the
 * kernel, and gpuvm_refcount() counts them so; but @refcount itself holds
 * only one for all of them while there is any (taken by the first insert,
 * dropped by the last removal), and the number is the tree's count, which
 * the VM lock already guards.  Inserts and removals then make no atomic
 * read-modify-write on the VM: two locked instructions less per VA
 * inserted and removed (bench/HISTORY.md).
 */
static inline uint64_t va_refs(const struct gpuvm *vm)
{
	return __atomic_load_n(&vm->tree.count, __ATOMIC_RELAXED) -
	       vm->kernel_alloc_node.in_tree;
}

/* After an insert: the first VA takes the VAs' reference. */
static inline void va_refs_grew(struct gpuvm *vm)
{
	if (va_refs(vm) == 1)
		gpuvm_get(vm);
}

/* After a removal or a remap: the last VA gone drops it (may free @vm). */
static inline void va_refs_shrank(struct gpuvm *vm)
{
	if (va_refs(vm) == 0)
		gpuvm_put(vm);
}

static void gpuvm_teardown(struct gpuvm *vm)
{
	vm->name = NULL;
	if (has_reserved(vm) && vm->kernel_alloc_node.in_tree) {
		gpuvm_tree_remove(&vm->tree, &vm->kernel_alloc_node);
		vm->kernel_alloc_node.in_tree = 0;
	}
	if (vm->tree.count)
		gpuvm_warn("VM torn down with %llu VAs still inserted",
			   (unsigned long long)vm->tree.count);
	if (!gpuvm_list_empty(&vm->extobj.list))
		gpuvm_warn("VM torn down with a non-empty extobj list");
	if (!gpuvm_list_empty(&vm->evict.list))
		gpuvm_warn("VM torn down with a non-empty evict list");
	if (__atomic_load_n(&vm->bo_defer, __ATOMIC_ACQUIRE))
		gpuvm_warn("VM torn down with vm_bos awaiting deferred cleanup");
	if (vm->r_obj != &vm->own_r_obj && vm->r_obj->ops && vm->r_obj->ops->put)
		vm->r_obj->ops->put(vm->r_obj);
	vm->r_obj = NULL;
	gpuvm_bo_fini(&vm->own_r_obj);
	gpuvm_op_block_spare_free(vm);
	/* The list locks are lock words: nothing to destroy. */
}

GPUVM_EXPORT void gpuvm_put(struct gpuvm *vm)
{
	if (!vm)
		return;
	if (__atomic_sub_fetch(&vm->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	gpuvm_teardown(vm);
	vm->ops->vm_free(vm);
}

GPUVM_EXPORT uint32_t gpuvm_refcount(const struct gpuvm *vm)
{
	uint32_t r = __atomic_load_n(&vm->refcount, __ATOMIC_RELAXED);
	uint64_t n = va_refs(vm);

	/* One reference of @refcount stands for the n the VAs hold. */
	return n ? r - 1 + (uint32_t)n : r;
}

GPUVM_EXPORT bool gpuvm_range_valid(const struct gpuvm *vm, uint64_t addr,
				    uint64_t range)
{
	return gpuvm_range_valid_(vm, addr, range);
}

GPUVM_EXPORT bool gpuvm_is_extobj(const struct gpuvm *vm,
				  const struct gpuvm_bo *obj)
{
	return obj && obj->resv != gpuvm_resv(vm);
}

GPUVM_EXPORT uint64_t gpuvm_va_count(const struct gpuvm *vm)
{
	return vm->tree.count - (vm->kernel_alloc_node.in_tree ? 1 : 0);
}

GPUVM_EXPORT int gpuvm_check(const struct gpuvm *vm)
{
	const struct gpuvm_va *va;
	int ret = gpuvm_tree_check(&vm->tree);

	if (ret)
		return ret;
	if (has_reserved(vm) && !vm->kernel_alloc_node.in_tree &&
	    vm->refcount) {
		gpuvm_warn("reserved region missing from the tree");
		return -EUCLEAN;
	}
	gpuvm_for_each_va(va, vm) {
		if (!va->in_tree || va->vm != vm) {
			gpuvm_warn("VA 0x%llx is not marked as inserted here",
				   (unsigned long long)va->addr);
			return -EUCLEAN;
		}
		if (va == &vm->kernel_alloc_node)
			continue;
		if (!gpuvm_range_valid(vm, va->addr, va->range)) {
			gpuvm_warn("VA 0x%llx+0x%llx outside the valid range",
				   (unsigned long long)va->addr,
				   (unsigned long long)va->range);
			return -EUCLEAN;
		}
	}
	return 0;
}

/* --- VAs ----------------------------------------------------------------- */

GPUVM_EXPORT void gpuvm_va_init_from_op(struct gpuvm_va *va,
					const struct gpuvm_op_map *op)
{
	va->addr = op->addr;
	va->range = op->range;
	va->obj = op->obj;
	va->offset = op->offset;
}

/* Validate and insert without touching the VM's reference count. */
static int va_insert_noref(struct gpuvm *vm, struct gpuvm_va *va)
{
	int ret;

	if (va->in_tree)
		return -EBUSY;
	if (va->range == 0 || !gpuvm_range_valid_(vm, va->addr, va->range))
		return -EINVAL;
	ret = gpuvm_tree_insert(&vm->tree, va);
	if (ret)
		return ret;
	va->vm = vm;
	va->in_tree = 1;
	return 0;
}

static void va_remove_noref(struct gpuvm_va *va)
{
	gpuvm_tree_remove(&va->vm->tree, va);
	va->in_tree = 0;
}

GPUVM_EXPORT int gpuvm_va_insert(struct gpuvm *vm, struct gpuvm_va *va)
{
	int ret = va_insert_noref(vm, va);

	if (ret)
		return ret;
	va_refs_grew(vm);
	debug_check(vm);
	return 0;
}

/* Returns false (after a warning) for a VA that may not be removed. */
static bool va_removable(const struct gpuvm_va *va, const char *func)
{
	if (!va->in_tree) {
		gpuvm_warn_func(func, "VA 0x%llx+0x%llx is not inserted",
				(unsigned long long)va->addr,
				(unsigned long long)va->range);
		return false;
	}
	if (va == &va->vm->kernel_alloc_node) {
		gpuvm_warn_func(func, "the kernel-reserved region cannot be removed");
		return false;
	}
	return true;
}

GPUVM_EXPORT void gpuvm_va_remove(struct gpuvm_va *va)
{
	struct gpuvm *vm = va->vm;

	if (!va_removable(va, __func__))
		return;
	va_remove_noref(va);
	debug_check(vm);
	va_refs_shrank(vm);
}

GPUVM_EXPORT int gpuvm_va_map(struct gpuvm *vm, struct gpuvm_va *va,
			      const struct gpuvm_op_map *op)
{
	if (va->in_tree)
		return -EBUSY;
	gpuvm_va_init_from_op(va, op);
	return gpuvm_va_insert(vm, va);
}

/* Does @m, a non-empty range, lie inside [@start, @end)? */
static inline bool piece_inside(const struct gpuvm_op_map *m, uint64_t start,
				uint64_t end)
{
	return m->range && m->addr >= start && m->addr < end &&
	       m->range <= end - m->addr;
}

/*
 * The common REMAP -- pieces that are non-empty, in order and inside the old
 * VA, as every plan makes them -- applied without searching the tree: the
 * first piece takes the old VA's place, the second goes in as its
 * successor.  Anything else returns false, untouched, for the general path.
 */
static bool remap_in_place(struct gpuvm *vm, struct gpuvm_va *old,
			   struct gpuvm_va *prev, const struct gpuvm_op_map *p,
			   struct gpuvm_va *next, const struct gpuvm_op_map *n)
{
	const uint64_t start = old->addr, end = gpuvm_va_end(old);

	if (!p && !n)
		return false;
	if ((p && !piece_inside(p, start, end)) ||
	    (n && !piece_inside(n, start, end)) ||
	    (p && n && (n->addr < p->addr || n->addr - p->addr < p->range)))
		return false;

	if (p) {
		gpuvm_va_init_from_op(prev, p);
		gpuvm_tree_replace(&vm->tree, old, prev);
		prev->vm = vm;
		prev->in_tree = 1;
	}
	if (n) {
		gpuvm_va_init_from_op(next, n);
		if (p)
			gpuvm_tree_insert_after(&vm->tree, prev, next);
		else
			gpuvm_tree_replace(&vm->tree, old, next);
		next->vm = vm;
		next->in_tree = 1;
	}
	old->in_tree = 0;
	return true;
}

GPUVM_EXPORT int gpuvm_va_remap(struct gpuvm_va *prev, struct gpuvm_va *next,
				const struct gpuvm_op_remap *op)
{
	struct gpuvm_va *old = op->unmap->va;
	struct gpuvm *vm = old->vm;
	int ret;

	if ((op->prev && !prev) || (op->next && !next) ||
	    (op->prev && prev->in_tree) || (op->next && next->in_tree))
		return -EINVAL;
	if (!va_removable(old, __func__))
		return -EINVAL;

	/*
	 * The old VA's reference on the VM is handed to the pieces (the VAs'
	 * one reference stays taken while the tree holds any), so the VM
	 * cannot go away half-way even if that reference is the last one.
	 */
	if (remap_in_place(vm, old, op->prev ? prev : NULL, op->prev,
			   op->next ? next : NULL, op->next))
		goto done;
	va_remove_noref(old);
	if (op->prev) {
		gpuvm_va_init_from_op(prev, op->prev);
		ret = va_insert_noref(vm, prev);
		if (ret)
			goto err_restore;
	}
	if (op->next) {
		gpuvm_va_init_from_op(next, op->next);
		ret = va_insert_noref(vm, next);
		if (ret)
			goto err_remove_prev;
	}

done:
	debug_check(vm);
	va_refs_shrank(vm);
	return 0;

err_remove_prev:
	if (op->prev)
		va_remove_noref(prev);
err_restore:
	/* Its place is free again: cannot fail. */
	va_insert_noref(vm, old);
	return ret;
}

GPUVM_EXPORT void gpuvm_va_unmap(const struct gpuvm_op_unmap *op)
{
	gpuvm_va_remove(op->va);
}

GPUVM_EXPORT void gpuvm_op_remap_to_unmap_range(const struct gpuvm_op_remap *op,
						uint64_t *start, uint64_t *range)
{
	const struct gpuvm_va *old = op->unmap->va;
	uint64_t s = op->prev ? op->prev->addr + op->prev->range : old->addr;
	uint64_t e = op->next ? op->next->addr : old->addr + old->range;

	if (start)
		*start = s;
	if (range)
		*range = e - s;
}

/* --- lookups ------------------------------------------------------------- */

GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_first(const struct gpuvm *vm,
						  uint64_t addr, uint64_t range)
{
	/* The kernel queries the closed [addr, addr + range - 1], wrapping. */
	uint64_t last = addr + range - 1;
	struct gpuvm_va *va = gpuvm_tree_first_ending_after(&vm->tree, addr);

	return va && va->addr <= last ? va : NULL;
}

GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find(const struct gpuvm *vm,
					    uint64_t addr, uint64_t range)
{
	struct gpuvm_va *va = gpuvm_va_find_first(vm, addr, range);

	return va && va->addr == addr && va->range == range ? va : NULL;
}

GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_prev(const struct gpuvm *vm,
						 uint64_t start)
{
	if (!gpuvm_range_valid(vm, start - 1, 1))
		return NULL;
	return gpuvm_va_find_first(vm, start - 1, 2);
}

GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_next(const struct gpuvm *vm,
						 uint64_t end)
{
	if (!gpuvm_range_valid(vm, end, 1))
		return NULL;
	return gpuvm_va_find_first(vm, end, 2);
}

GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_prev_strict(const struct gpuvm *vm,
							uint64_t start)
{
	struct gpuvm_va *va;

	if (start == 0)
		return NULL;
	va = gpuvm_tree_first_ending_after(&vm->tree, start - 1);
	return va && gpuvm_va_end(va) == start ? va : NULL;
}

GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_next_strict(const struct gpuvm *vm,
							uint64_t end)
{
	struct gpuvm_va *va = gpuvm_tree_first_ending_after(&vm->tree, end);

	return va && va->addr == end ? va : NULL;
}

GPUVM_EXPORT bool gpuvm_interval_empty(const struct gpuvm *vm, uint64_t addr,
				       uint64_t range)
{
	return !gpuvm_va_find_first(vm, addr, range);
}
