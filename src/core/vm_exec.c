/* SPDX-License-Identifier: MIT */
/*
 * Locking a bind job: preparing (locking and reserving fence slots on) the
 * VM's resv, its external objects or the objects of a range, validating
 * evicted vm_bos, and adding a job's fence to everything locked.
 */
#include "internal.h"

/* Lock @obj, reserving @n fence slots when @n > 0. */
static int prepare_obj(struct gpuvm_exec *exec, struct gpuvm_bo *obj,
		       unsigned int n)
{
	return n ? gpuvm_exec_prepare_obj(exec, obj, n) :
		   gpuvm_exec_lock_obj(exec, obj);
}

GPUVM_EXPORT int gpuvm_prepare_vm(struct gpuvm *vm, struct gpuvm_exec *exec,
				  unsigned int n)
{
	return prepare_obj(exec, vm->r_obj, n);
}

/*
 * The walk over an extobj/evict list in unprotected mode.  The list's lock
 * may not be held while locking objects or calling back into the driver, so
 * each step takes the list's first live vm_bo under the lock, moves it to
 * the walker's local list with a reference, and returns it; a dying one
 * (refcount 0) is just dropped from the list.  The previous element's
 * reference is dropped first.  Once done, walk_end() puts the visited
 * elements back at the head of the list, in order.
 */
/*
 * Drop a walk's temporary reference.  In immediate mode the driver may have
 * dropped its last reference with a deferred put meanwhile, so ours may be
 * the last: it must not destroy the vm_bo here (without the gpuva lock), so
 * it is deferred too.  (The kernel drops it with a plain put.)
 */
static void walk_put(struct gpuvm_vm_bo *vm_bo)
{
	if (vm_bo && gpuvm_immediate_mode(vm_bo->vm))
		gpuvm_vm_bo_put_deferred(vm_bo);
	else
		gpuvm_vm_bo_put(vm_bo);
}

static struct gpuvm_vm_bo *walk_next(struct gpuvm_bo_list *l,
				     struct gpuvm_list *local, size_t link_off,
				     struct gpuvm_vm_bo *prev)
{
	struct gpuvm_vm_bo *vm_bo = NULL;

	walk_put(prev);

	gpuvm_lw_lock_plain(&l->lock);
	if (!l->local_list)
		l->local_list = local;
	else if (l->local_list != local)
		gpuvm_warn("two walks of one VM list at once");

	while (!gpuvm_list_empty(&l->list)) {
		struct gpuvm_list *node = l->list.next;
		uint32_t ref;

		vm_bo = (struct gpuvm_vm_bo *)(void *)((char *)node - link_off);
		ref = __atomic_load_n(&vm_bo->refcount, __ATOMIC_RELAXED);
		while (ref && !__atomic_compare_exchange_n(&vm_bo->refcount, &ref,
							   ref + 1, true,
							   __ATOMIC_ACQUIRE,
							   __ATOMIC_RELAXED))
			;
		gpuvm_list_del(node);
		if (ref) {
			gpuvm_list_add_tail(local, node);
			break;
		}
		vm_bo = NULL;
	}
	gpuvm_lw_unlock(&l->lock);
	return vm_bo;
}

static void walk_end(struct gpuvm_bo_list *l, struct gpuvm_list *local)
{
	gpuvm_lw_lock_plain(&l->lock);
	/* Visited elements go back in front, in the order visited. */
	gpuvm_list_splice_tail_init(local, &l->list);
	gpuvm_list_splice_tail_init(&l->list, local);
	l->local_list = NULL;
	gpuvm_lw_unlock(&l->lock);
}

#define walk_for_each(l, local, member, vm_bo)                             \
	for (vm_bo = walk_next(l, local,                                  \
			       offsetof(struct gpuvm_vm_bo, member), NULL);   \
	     vm_bo;                                                           \
	     vm_bo = walk_next(l, local,                                  \
			       offsetof(struct gpuvm_vm_bo, member), vm_bo))

GPUVM_EXPORT int gpuvm_prepare_objects(struct gpuvm *vm, struct gpuvm_exec *exec,
				       unsigned int n)
{
	struct gpuvm_vm_bo *vm_bo;
	struct gpuvm_list local;
	int ret = 0;

	if (gpuvm_resv_protected(vm)) {
		gpuvm_check_resv_held(__func__, gpuvm_resv(vm),
				      "the VM's reservation lock");
		gpuvm_list_for_each(vm_bo, &vm->extobj.list, extobj_link) {
			if (gpuvm_vm_bo_is_zombie(vm_bo))
				continue;
			ret = prepare_obj(exec, vm_bo->obj, n);
			if (ret)
				break;
			/* The evict list entry bo_evict() could not make. */
			if (vm_bo->evicted && gpuvm_list_empty(&vm_bo->evict_link))
				gpuvm_list_add_tail(&vm->evict.list,
						    &vm_bo->evict_link);
		}
		return ret;
	}

	gpuvm_list_init(&local);
	walk_for_each(&vm->extobj, &local, extobj_link, vm_bo) {
		ret = prepare_obj(exec, vm_bo->obj, n);
		if (ret)
			break;
	}
	walk_put(vm_bo);	/* the element we stopped at, if any */
	walk_end(&vm->extobj, &local);
	return ret;
}

GPUVM_EXPORT int gpuvm_prepare_range(struct gpuvm *vm, struct gpuvm_exec *exec,
				     uint64_t addr, uint64_t range,
				     unsigned int n)
{
	struct gpuvm_va *va;
	int ret;

	gpuvm_for_each_va_range(va, vm, addr, addr + range) {
		if (!va->obj)
			continue;
		ret = prepare_obj(exec, va->obj, n);
		if (ret)
			return ret;
	}
	return 0;
}

GPUVM_EXPORT int gpuvm_exec_lock(struct gpuvm_vm_exec *vm_exec)
{
	struct gpuvm *vm = vm_exec->vm;
	struct gpuvm_exec *exec = &vm_exec->exec;
	unsigned int n = vm_exec->num_fences;
	int ret;

	gpuvm_exec_init(exec, vm_exec->flags);
	do {
		ret = gpuvm_prepare_vm(vm, exec, n);
		if (!ret)
			ret = gpuvm_prepare_objects(vm, exec, n);
		if (!ret && vm_exec->extra.fn)
			ret = vm_exec->extra.fn(vm_exec);
	} while (gpuvm_exec_retry(exec, &ret));

	if (ret)
		gpuvm_exec_fini(exec);
	return ret;
}

struct lock_array_args {
	struct gpuvm_bo **objs;
	unsigned int n;
};

static int lock_array_fn(struct gpuvm_vm_exec *vm_exec)
{
	struct lock_array_args *args = vm_exec->extra.priv;

	return gpuvm_exec_prepare_array(&vm_exec->exec, args->objs, args->n,
					vm_exec->num_fences);
}

GPUVM_EXPORT int gpuvm_exec_lock_array(struct gpuvm_vm_exec *vm_exec,
				       struct gpuvm_bo **objs, unsigned int n)
{
	struct lock_array_args args = { objs, n };
	int ret;

	vm_exec->extra.fn = lock_array_fn;
	vm_exec->extra.priv = &args;
	ret = gpuvm_exec_lock(vm_exec);
	/* Leave no pointer to this stack frame behind. */
	vm_exec->extra.fn = NULL;
	vm_exec->extra.priv = NULL;
	return ret;
}

GPUVM_EXPORT int gpuvm_exec_lock_range(struct gpuvm_vm_exec *vm_exec,
				       uint64_t addr, uint64_t range)
{
	struct gpuvm_exec *exec = &vm_exec->exec;
	int ret;

	gpuvm_exec_init(exec, vm_exec->flags);
	do {
		ret = gpuvm_prepare_range(vm_exec->vm, exec, addr, range,
					  vm_exec->num_fences);
	} while (gpuvm_exec_retry(exec, &ret));

	if (ret)
		gpuvm_exec_fini(exec);
	return ret;
}

GPUVM_EXPORT void gpuvm_exec_unlock(struct gpuvm_vm_exec *vm_exec)
{
	gpuvm_exec_fini(&vm_exec->exec);
}

GPUVM_EXPORT int gpuvm_validate(struct gpuvm *vm, struct gpuvm_exec *exec)
{
	int (*validate)(struct gpuvm_vm_bo *, struct gpuvm_exec *) =
		vm->ops->vm_bo_validate;
	struct gpuvm_vm_bo *vm_bo, *tmp;
	struct gpuvm_list local;
	int ret = 0;

	if (!validate)
		return -EOPNOTSUPP;

	if (gpuvm_resv_protected(vm)) {
		gpuvm_check_resv_held(__func__, gpuvm_resv(vm),
				      "the VM's reservation lock");
		gpuvm_list_for_each_safe(vm_bo, tmp, &vm->evict.list, evict_link) {
			if (gpuvm_vm_bo_is_zombie(vm_bo))
				continue;
			ret = validate(vm_bo, exec);
			if (ret)
				break;
			gpuvm_check_resv_held(__func__, vm_bo->obj->resv,
					      "the object's reservation lock");
			if (!vm_bo->evicted)
				gpuvm_list_del(&vm_bo->evict_link);
		}
		return ret;
	}

	gpuvm_list_init(&local);
	walk_for_each(&vm->evict, &local, evict_link, vm_bo) {
		ret = validate(vm_bo, exec);
		if (ret)
			break;
	}
	walk_put(vm_bo);
	walk_end(&vm->evict, &local);
	return ret;
}

GPUVM_EXPORT int gpuvm_exec_validate(struct gpuvm_vm_exec *vm_exec)
{
	return gpuvm_validate(vm_exec->vm, &vm_exec->exec);
}

GPUVM_EXPORT void gpuvm_exec_add_fence(struct gpuvm *vm, struct gpuvm_exec *exec,
				       void *fence,
				       enum gpuvm_resv_usage private_usage,
				       enum gpuvm_resv_usage extobj_usage)
{
	struct gpuvm_bo *obj;
	unsigned int i;

	gpuvm_exec_for_each_locked(exec, i, obj) {
		gpuvm_check_resv_held(__func__, obj->resv,
				      "a locked object's reservation lock");
		gpuvm_resv_add_fence(obj->resv, fence,
				     gpuvm_is_extobj(vm, obj) ? extobj_usage :
								private_usage);
	}
}

GPUVM_EXPORT void gpuvm_vm_exec_add_fence(struct gpuvm_vm_exec *vm_exec,
					  void *fence,
					  enum gpuvm_resv_usage private_usage,
					  enum gpuvm_resv_usage extobj_usage)
{
	gpuvm_exec_add_fence(vm_exec->vm, &vm_exec->exec, fence, private_usage,
			     extobj_usage);
}
