/* SPDX-License-Identifier: MIT */
/*
 * struct gpuvm_lock: the ops-table mutex and its default pthread
 * implementation, which remembers its owner so held() can answer.
 */
#include <gpuvm/lock.h>

static void default_lock(struct gpuvm_lock *l)
{
	pthread_mutex_lock(&l->mutex);
	l->owner = pthread_self();
	__atomic_store_n(&l->locked, 1, __ATOMIC_RELEASE);
}

static void default_unlock(struct gpuvm_lock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&l->mutex);
}

static bool default_held(const struct gpuvm_lock *l)
{
	/* Only the holder can see its own id with locked set. */
	return __atomic_load_n(&l->locked, __ATOMIC_ACQUIRE) &&
	       pthread_equal(l->owner, pthread_self());
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
	l->locked = 0;
	if (l->ops == &default_lock_ops)
		pthread_mutex_init(&l->mutex, NULL);
}

GPUVM_EXPORT void gpuvm_lock_fini(struct gpuvm_lock *l)
{
	if (l->ops == &default_lock_ops)
		pthread_mutex_destroy(&l->mutex);
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
