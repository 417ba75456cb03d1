/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the files of the core layer (not installed).
 */
#ifndef GPUVM_CORE_INTERNAL_H
#define GPUVM_CORE_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/core.h>

#include "../lock/lock_internal.h"

#ifndef EUCLEAN
#define EUCLEAN EINVAL
#endif

#define gpuvm_likely(x) __builtin_expect(!!(x), 1)
#define gpuvm_unlikely(x) __builtin_expect(!!(x), 0)

/*
 * gpuvm_warn() - report misuse through the warning hook, printf-style.  The
 * caller carries on, as the kernel does after WARN().
 */
void gpuvm_warn_func(const char *func, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define gpuvm_warn(...) gpuvm_warn_func(__func__, __VA_ARGS__)

/*
 * Memory through the allocator hook whose contents the caller overwrites
 * before reading (the hook's optional alloc, else zalloc); gpuvm_free() it.
 */
void *gpuvm_alloc_uninit(size_t size);

/* Free the VM's spare op block (planner.c), at teardown. */
void gpuvm_op_block_spare_free(struct gpuvm *vm);

/* --- VA tree (va_tree.c); no validation, no reference counting --------- */

/*
 * Insert @va (addr/range set, range > 0, end not overflowing) unless it
 * intersects a VA already there.  Returns 0 or -EEXIST.
 */
int gpuvm_tree_insert(struct gpuvm_tree *t, struct gpuvm_va *va);

/*
 * Insert @va as the in-order successor of @anchor (in @t), with no search:
 * the caller guarantees that @va lies between @anchor and @anchor's current
 * successor without intersecting either.
 */
void gpuvm_tree_insert_after(struct gpuvm_tree *t, struct gpuvm_va *anchor,
			     struct gpuvm_va *va);

/*
 * Put @va in @old's place (@old leaves the tree), with no search: the caller
 * guarantees that @va lies between @old's neighbours without intersecting
 * them.
 */
void gpuvm_tree_replace(struct gpuvm_tree *t, struct gpuvm_va *old,
			struct gpuvm_va *va);

/*
 * Record that a map of @addr would go just before @succ (NULL: at the end),
 * for the gpuvm_tree_insert() that applies it, if @t has not changed by then.
 */
void gpuvm_tree_set_hint(struct gpuvm_tree *t, uint64_t addr,
			 struct gpuvm_va *succ);

/* Remove @va, which must be in @t. */
void gpuvm_tree_remove(struct gpuvm_tree *t, struct gpuvm_va *va);

/* Lowest VA whose end is above @addr, or NULL (branch-free descent). */
struct gpuvm_va *gpuvm_tree_first_ending_after(const struct gpuvm_tree *t,
					       uint64_t addr);

/* The same with a branch per level: for the planner's walks. */
struct gpuvm_va *gpuvm_tree_first_ending_after_branchy(const struct gpuvm_tree *t,
						       uint64_t addr);

/* Verify order, balance, list threading and count; 0 or -EUCLEAN. */
int gpuvm_tree_check(const struct gpuvm_tree *t);

/* End of a VA; never overflows for a VA that passed insertion checks. */
static inline uint64_t gpuvm_va_end(const struct gpuvm_va *va)
{
	return va->addr + va->range;
}

/*
 * gpuvm_range_valid(), inline for the planner and the insert path: inside the
 * VA space, not overflowing, not touching the kernel-reserved region.
 */
static inline bool gpuvm_range_valid_(const struct gpuvm *vm, uint64_t addr,
				      uint64_t range)
{
	uint64_t end = addr + range;
	const struct gpuvm_va *k = &vm->kernel_alloc_node;

	if (end < addr)
		return false;
	if (addr < vm->mm_start || end > vm->mm_start + vm->mm_range)
		return false;
	if (k->range && addr < k->addr + k->range && k->addr < end)
		return false;
	return true;
}

/* --- lock checks: the kernel's lockdep assertions, as warnings ---------- */

/*
 * Debug-build checks: meson's lock_checks option (auto: on unless the build
 * defines NDEBUG, as a production kernel leaves out lockdep) defines
 * GPUVM_NO_LOCK_CHECKS to leave them out.
 */

#ifndef GPUVM_NO_LOCK_CHECKS
extern bool gpuvm_lock_checks;
/* Warn, naming @func, unless the BO list lock of @obj in @vm is held. */
void gpuvm_check_bo_list_locked(const char *func, const struct gpuvm *vm,
				const struct gpuvm_bo *obj);
/* Warn, naming @func, unless @r is held by the calling thread. */
void gpuvm_check_resv_held(const char *func, const struct gpuvm_resv *r,
			   const char *what);
#else
#define gpuvm_check_bo_list_locked(func, vm, obj) \
	((void)(func), (void)(vm), (void)(obj))
#define gpuvm_check_resv_held(func, r, what) \
	((void)(func), (void)(r), (void)(what))
#endif

/* --- VM lists (vm_bo.c) -------------------------------------------------- */

/* Lock a VM list unless the VM's resv protects it. */
static inline void gpuvm_bo_list_lock(const struct gpuvm *vm,
				      struct gpuvm_bo_list *l)
{
	if (!(vm->flags & GPUVM_RESV_PROTECTED))
		gpuvm_lw_lock_plain(&l->lock);
}

static inline void gpuvm_bo_list_unlock(const struct gpuvm *vm,
					struct gpuvm_bo_list *l)
{
	if (!(vm->flags & GPUVM_RESV_PROTECTED))
		gpuvm_lw_unlock(&l->lock);
}

/* Is @vm_bo a zombie (refcount 0, awaiting deferred cleanup)? */
static inline bool gpuvm_vm_bo_is_zombie(const struct gpuvm_vm_bo *vm_bo)
{
	return __atomic_load_n(&vm_bo->refcount, __ATOMIC_ACQUIRE) == 0;
}

#endif /* GPUVM_CORE_INTERNAL_H */
