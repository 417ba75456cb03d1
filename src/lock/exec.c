/* SPDX-License-Identifier: MIT */
/*
 * struct gpuvm_exec: lock a set of buffer objects without deadlock (the
 * kernel's drm_exec), on top of the reservation locks' wait-die protocol.
 */
#include <errno.h>

#include <gpuvm/core.h>
#include <gpuvm/lock.h>

#include "../core/internal.h"

/*
 * Stamps: unique, and in the order contexts start, so that a context that
 * backs off and keeps its stamp ends up the oldest.  A thread takes them
 * from the shared counter STAMP_BATCH at a time, so starting a context is
 * no atomic read-modify-write on a line all threads write.  Across threads
 * the order is then only nearly that of the starts: a context may meet at
 * most STAMP_BATCH - 1 later contexts of another thread that are older
 * than it, which bounds how often it can lose to them.
 */
#define STAMP_BATCH 64

static uint64_t next_stamp = 1;
static _Thread_local uint64_t thread_stamp, thread_stamp_end;

static uint64_t stamp_take(void)
{
	if (thread_stamp == thread_stamp_end) {
		thread_stamp = __atomic_fetch_add(&next_stamp, STAMP_BATCH,
						  __ATOMIC_RELAXED);
		thread_stamp_end = thread_stamp + STAMP_BATCH;
	}
	return thread_stamp++;
}

static void obj_get(struct gpuvm_bo *obj)
{
	if (obj->ops && obj->ops->get)
		obj->ops->get(obj);
}

static void obj_put(struct gpuvm_bo *obj)
{
	if (obj && obj->ops && obj->ops->put)
		obj->ops->put(obj);
}

GPUVM_EXPORT void gpuvm_exec_init(struct gpuvm_exec *exec, uint32_t flags)
{
	exec->flags = flags;
	exec->stamp = stamp_take();
	exec->objects = NULL;
	exec->num_objects = 0;
	exec->max_objects = 0;
	exec->contended = NULL;
	exec->prelocked = NULL;
}

GPUVM_EXPORT void gpuvm_exec_unlock_all(struct gpuvm_exec *exec)
{
	unsigned int i;

	/* Unlock in reverse locking order. */
	for (i = exec->num_objects; i-- > 0;) {
		struct gpuvm_bo *obj = exec->objects[i];

		obj->resv->ops->unlock(obj->resv);
		obj_put(obj);
	}
	exec->num_objects = 0;
	/* Holding nothing, the context may be moved: no pointer into itself. */
	if (exec->objects == exec->inline_objects) {
		exec->objects = NULL;
		exec->max_objects = 0;
	}
	obj_put(exec->prelocked);
	exec->prelocked = NULL;
}

GPUVM_EXPORT void gpuvm_exec_fini(struct gpuvm_exec *exec)
{
	gpuvm_exec_unlock_all(exec);
	obj_put(exec->contended);
	exec->contended = NULL;
	/* (never the inline slots: gpuvm_exec_unlock_all() let go of them) */
	gpuvm_free(exec->objects);
	exec->objects = NULL;
	exec->max_objects = 0;
}

/*
 * Room for one more object in exec->objects: the inline slots first, then
 * an allocated array, doubled when full.
 */
static int exec_make_room(struct gpuvm_exec *exec)
{
	unsigned int cap = 2 * exec->max_objects, i;
	struct gpuvm_bo **v;

	if (exec->num_objects < exec->max_objects)
		return 0;
	if (!exec->max_objects) {
		exec->objects = exec->inline_objects;
		exec->max_objects = GPUVM_EXEC_INLINE_OBJECTS;
		return 0;
	}
	v = gpuvm_alloc_uninit(cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < exec->num_objects; i++)
		v[i] = exec->objects[i];
	if (exec->objects != exec->inline_objects)
		gpuvm_free(exec->objects);
	exec->objects = v;
	exec->max_objects = cap;
	return 0;
}

/* Record @obj as locked (taking a reference); its resv is held, room made. */
static void exec_track(struct gpuvm_exec *exec, struct gpuvm_bo *obj)
{
	obj_get(obj);
	exec->objects[exec->num_objects++] = obj;
}

GPUVM_EXPORT int gpuvm_exec_lock_obj(struct gpuvm_exec *exec,
				     struct gpuvm_bo *obj)
{
	struct gpuvm_resv *r = obj->resv;
	int ret;

	/* The slow path already locked and tracked it. */
	if (exec->prelocked == obj) {
		obj_put(exec->prelocked);
		exec->prelocked = NULL;
		return 0;
	}

	ret = r->ops->lock(r, exec);
	if (ret == -EDEADLK) {
		obj_put(exec->contended);
		obj_get(obj);
		exec->contended = obj;
		return ret;
	}
	if (ret == -EALREADY) {
		/* Another object of the slow path's resv: that lock is used. */
		if (exec->prelocked && exec->prelocked->resv == r) {
			obj_put(exec->prelocked);
			exec->prelocked = NULL;
		}
		return exec->flags & GPUVM_EXEC_IGNORE_DUPLICATES ? 0 : -EALREADY;
	}
	if (ret)
		return ret;

	ret = exec_make_room(exec);
	if (ret) {
		r->ops->unlock(r);
		return ret;
	}
	exec_track(exec, obj);
	return 0;
}

GPUVM_EXPORT int gpuvm_exec_prepare_obj(struct gpuvm_exec *exec,
					struct gpuvm_bo *obj,
					unsigned int num_fences)
{
	int ret = gpuvm_exec_lock_obj(exec, obj);

	if (ret)
		return ret;
	return gpuvm_resv_reserve_fences(obj->resv, num_fences);
}

GPUVM_EXPORT int gpuvm_exec_prepare_array(struct gpuvm_exec *exec,
					  struct gpuvm_bo **objs,
					  unsigned int n,
					  unsigned int num_fences)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = gpuvm_exec_prepare_obj(exec, objs[i], num_fences);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * A locking pass ended without asking again for the object the slow path
 * locked (what the job needs changed meanwhile): unlock it, so that every
 * object left locked went through this pass and has its fence slots.
 */
static void exec_drop_prelocked(struct gpuvm_exec *exec)
{
	struct gpuvm_bo *obj = exec->prelocked;
	unsigned int i;

	exec->prelocked = NULL;
	/* The back-off emptied the list, so the slow path tracked it first. */
	if (exec->num_objects && exec->objects[0] == obj) {
		for (i = 0; i + 1 < exec->num_objects; i++)
			exec->objects[i] = exec->objects[i + 1];
		exec->num_objects--;
		obj->resv->ops->unlock(obj->resv);
		obj_put(obj);	/* the tracking reference */
	}
	obj_put(obj);		/* the slow path's */
}

GPUVM_EXPORT bool gpuvm_exec_retry(struct gpuvm_exec *exec, int *ret)
{
	struct gpuvm_bo *obj = exec->contended;
	int err;

	if (*ret != -EDEADLK || !obj) {
		if (*ret == 0 && exec->prelocked)
			exec_drop_prelocked(exec);
		return false;
	}

	/* Back off: hold nothing while waiting for the contended lock. */
	gpuvm_exec_unlock_all(exec);
	exec->contended = NULL;

	err = obj->resv->ops->lock_slow(obj->resv, exec);
	if (!err) {
		/* The list is empty now: room without allocating. */
		(void)exec_make_room(exec);
		exec_track(exec, obj);
	}
	if (err) {
		obj_put(obj);
		*ret = err;
		return false;
	}
	/* Keep the contended reference as the prelocked one. */
	exec->prelocked = obj;
	*ret = 0;
	return true;
}
