/* SPDX-License-Identifier: MIT */
/*
 * struct gpuvm_resv: the ops-table reservation lock and its default
 * implementation, a wait-die mutex (see include/gpuvm/lock.h) with a fence
 * array.  The mutex is a lock word (lock_internal.h) holding the holder's
 * stamp, so the wait-die verdict needs nothing but one reading of it.
 */
#include <errno.h>
#include <string.h>

#include <gpuvm/lock.h>

#include "../core/internal.h"
#include "lock_internal.h"

/* The word of a hold by @exec (NULL: outside any context). */
static uint64_t held_word(const struct gpuvm_exec *exec)
{
	return GPUVM_LW_LOCKED |
	       (exec ? exec->stamp << GPUVM_LW_STAMP_SHIFT : 0);
}

static int default_lock(struct gpuvm_resv *r, struct gpuvm_exec *exec)
{
	int ret = gpuvm_lw_lock(&r->state, held_word(exec),
				exec ? exec->stamp : 0);

	if (!ret)
		__atomic_store_n(&r->owner, gpuvm_thread_token(),
				 __ATOMIC_RELAXED);
	return ret;
}

static int default_lock_slow(struct gpuvm_resv *r, struct gpuvm_exec *exec)
{
	/* Stamp 0: no verdict, wait for whoever holds it. */
	(void)gpuvm_lw_lock(&r->state, held_word(exec), 0);
	__atomic_store_n(&r->owner, gpuvm_thread_token(), __ATOMIC_RELAXED);
	return 0;
}

static void default_unlock(struct gpuvm_resv *r)
{
	/* Slots reserved under this lock die with it, as in the kernel. */
	r->max_fences = r->num_fences;
	__atomic_store_n(&r->owner, (const void *)NULL, __ATOMIC_RELAXED);
	gpuvm_lw_unlock(&r->state);
}

static bool default_held(const struct gpuvm_resv *r)
{
	/* Only the holder can find its own token there. */
	return __atomic_load_n(&r->owner, __ATOMIC_RELAXED) == gpuvm_thread_token();
}

static int default_reserve_fences(struct gpuvm_resv *r, unsigned int n)
{
	struct gpuvm_resv_fence *f;
	unsigned int want = r->num_fences + n, cap = want;

	if (want <= r->max_fences)
		return 0;
	if (want > r->alloc_fences) {
		/* Grow the array geometrically; the reservation is exact. */
		if (cap < 2 * r->alloc_fences)
			cap = 2 * r->alloc_fences;
		f = gpuvm_zalloc(cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		if (r->num_fences)
			memcpy(f, r->fences, r->num_fences * sizeof(*f));
		gpuvm_free(r->fences);
		r->fences = f;
		r->alloc_fences = cap;
	}
	r->max_fences = want;
	return 0;
}

static void default_add_fence(struct gpuvm_resv *r, void *fence,
			      enum gpuvm_resv_usage usage)
{
	if (r->num_fences >= r->max_fences) {
		gpuvm_warn("no fence slot reserved; fence dropped");
		return;
	}
	r->fences[r->num_fences].fence = fence;
	r->fences[r->num_fences].usage = usage;
	r->num_fences++;
}

static const struct gpuvm_resv_ops default_resv_ops = {
	.lock = default_lock,
	.lock_slow = default_lock_slow,
	.unlock = default_unlock,
	.held = default_held,
	.reserve_fences = default_reserve_fences,
	.add_fence = default_add_fence,
};

GPUVM_EXPORT void gpuvm_resv_init(struct gpuvm_resv *r,
				  const struct gpuvm_resv_ops *ops)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops ? ops : &default_resv_ops;
}

GPUVM_EXPORT void gpuvm_resv_fini(struct gpuvm_resv *r)
{
	if (r->ops != &default_resv_ops)
		return;
	if (__atomic_load_n(&r->state, __ATOMIC_RELAXED))
		gpuvm_warn("reservation object destroyed while locked");
	gpuvm_free(r->fences);
	r->fences = NULL;
	r->num_fences = 0;
	r->max_fences = 0;
	r->alloc_fences = 0;
}

GPUVM_EXPORT int gpuvm_resv_lock(struct gpuvm_resv *r)
{
	return r->ops->lock(r, NULL);
}

GPUVM_EXPORT void gpuvm_resv_unlock(struct gpuvm_resv *r)
{
	r->ops->unlock(r);
}

GPUVM_EXPORT bool gpuvm_resv_held(const struct gpuvm_resv *r)
{
	return !r->ops->held || r->ops->held(r);
}

GPUVM_EXPORT int gpuvm_resv_reserve_fences(struct gpuvm_resv *r, unsigned int n)
{
	gpuvm_check_resv_held(__func__, r, "the reservation lock");
	return n ? r->ops->reserve_fences(r, n) : 0;
}

GPUVM_EXPORT void gpuvm_resv_add_fence(struct gpuvm_resv *r, void *fence,
				       enum gpuvm_resv_usage usage)
{
	gpuvm_check_resv_held(__func__, r, "the reservation lock");
	r->ops->add_fence(r, fence, usage);
}
