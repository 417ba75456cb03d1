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

/* --- VA tree (va_tree.c); no validation, no reference counting --------- */

/*
 * Insert @va (addr/range set, range > 0, end not overflowing) unless it
 * intersects a VA already there.  Returns 0 or -EEXIST.
 */
int gpuvm_tree_insert(struct gpuvm_tree *t, struct gpuvm_va *va);

/* Remove @va, which must be in @t. */
void gpuvm_tree_remove(struct gpuvm_tree *t, struct gpuvm_va *va);

/* Lowest VA whose end is above @addr, or NULL. */
struct gpuvm_va *gpuvm_tree_first_ending_after(const struct gpuvm_tree *t,
					       uint64_t addr);

/* Verify order, balance, list threading and count; 0 or -EUCLEAN. */
int gpuvm_tree_check(const struct gpuvm_tree *t);

/* End of a VA; never overflows for a VA that passed insertion checks. */
static inline uint64_t gpuvm_va_end(const struct gpuvm_va *va)
{
	return va->addr + va->range;
}

/* --- VM reference counting helpers (vm.c) ------------------------------ */

/* Take @n references at once (n may be 0). */
void gpuvm_get_n(struct gpuvm *vm, uint32_t n);

/* --- op allocation (planner.c) ----------------------------------------- */

struct gpuvm_op *gpuvm_op_alloc(struct gpuvm *vm);
void gpuvm_op_free(struct gpuvm *vm, struct gpuvm_op *op);

#endif /* GPUVM_CORE_INTERNAL_H */
