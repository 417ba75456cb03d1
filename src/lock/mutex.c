/* SPDX-License-Identifier: MIT */
/*
 * struct gpuvm_lock: the ops-table mutex and its default implementation, a
 * lock word (lock_internal.h: one compare-and-swap to take, one exchange to
 * release, waiters asleep in a shared bucket) that records its holder so
 * held() can answer.
 *
 * The holder is recorded as the address of a thread-local byte: unique per
 * live thread, comparable and storable atomically (a pthread_t is neither
 * portably), so any thread may ask held() while others lock and unlock.
 */
#include <gpuvm/lock.h>

#include "lock_internal.h"

static _Thread_local char thread_token;

const void *gpuvm_thread_token(void)
{
	return &thread_token;
}

static void default_lock(struct gpuvm_lock *l)
{
	gpuvm_lw_lock_plain(&l->state);
	__atomic_store_n(&l->owner, (const void *)&thread_token, __ATOMIC_RELAXED);
}

static void default_unlock(struct gpuvm_lock *l)
{
	__atomic_store_n(&l->owner, (const void *)NULL, __ATOMIC_RELAXED);
	gpuvm_lw_unlock(&l->state);
}

static bool default_held(const struct gpuvm_lock *l)
{
	/* Only the holder can find its own token there. */
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == &thread_token;
}

static const struct gpuvm_lock_ops default_lock_ops = {
	.lock = default_lock,
	.unlock = default_unlock,
	.held = default_held,
};

GPUVM_EXPORT void gpuvm_lock_init(struct gpuvm_lock *l,
				  const struct gpuvm_lock_ops *ops)
{
	l->ops = ops ? ops : &default_lock_ops;
	l->priv = NULL;
	l->state = 0;
	l->owner = NULL;
}

GPUVM_EXPORT void gpuvm_lock_fini(struct gpuvm_lock *l)
{
	/* The default lock owns nothing: no pthread object, no memory. */
	(void)l;
}

GPUVM_EXPORT void gpuvm_lock_lock(struct gpuvm_lock *l)
{
	l->ops->lock(l);
}

GPUVM_EXPORT void gpuvm_lock_unlock(struct gpuvm_lock *l)
{
	l->ops->unlock(l);
}

GPUVM_EXPORT bool gpuvm_lock_held(const struct gpuvm_lock *l)
{
	return !l->ops->held || l->ops->held(l);
}
