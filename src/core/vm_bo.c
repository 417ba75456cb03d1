/* SPDX-License-Identifier: MIT */
/*
 * Buffer objects and vm_bos: the (VM, object) association, its reference
 * counting (immediate and deferred destruction), the linking of VAs to it,
 * and the VM's extobj and evict lists.
 */
#include "internal.h"

GPUVM_EXPORT void gpuvm_bo_init(struct gpuvm_bo *bo,
				const struct gpuvm_bo_ops *ops,
				struct gpuvm_resv *shared_resv)
{
	bo->ops = ops;
	gpuvm_list_init(&bo->vm_bos);
	gpuvm_lock_init(&bo->gpuva_lock, NULL);
	gpuvm_resv_init(&bo->own_resv, NULL);
	bo->resv = shared_resv ? shared_resv : &bo->own_resv;
}

GPUVM_EXPORT void gpuvm_bo_fini(struct gpuvm_bo *bo)
{
	if (!gpuvm_list_empty(&bo->vm_bos))
		gpuvm_warn("buffer object finalised while still mapped by a VM");
	gpuvm_lock_fini(&bo->gpuva_lock);
	gpuvm_resv_fini(&bo->own_resv);
}

#ifndef GPUVM_NO_LOCK_CHECKS
void gpuvm_check_bo_list_locked(const char *func, const struct gpuvm *vm,
				const struct gpuvm_bo *obj)
{
	bool held;

	if (!gpuvm_lock_checks)
		return;
	held = vm->flags & GPUVM_IMMEDIATE_MODE ?
	       gpuvm_lock_held(&obj->gpuva_lock) :
	       gpuvm_resv_held(obj->resv);
	if (!held)
		gpuvm_warn_func(func, "the object's %s is not held",
				vm->flags & GPUVM_IMMEDIATE_MODE ?
				"gpuva lock" : "reservation lock");
}

void gpuvm_check_resv_held(const char *func, const struct gpuvm_resv *r,
			   const char *what)
{
	if (gpuvm_lock_checks && !gpuvm_resv_held(r))
		gpuvm_warn_func(func, "%s is not held", what);
}
#endif

static void bo_get(struct gpuvm_bo *bo)
{
	if (bo->ops && bo->ops->get)
		bo->ops->get(bo);
}

static void bo_put(struct gpuvm_bo *bo)
{
	if (bo->ops && bo->ops->put)
		bo->ops->put(bo);
}

GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_create(struct gpuvm *vm,
						    struct gpuvm_bo *obj)
{
	struct gpuvm_vm_bo *vm_bo;

	if (!obj)
		return NULL;
	if (vm->ops->vm_bo_alloc)
		vm_bo = vm->ops->vm_bo_alloc(vm);
	else
		vm_bo = gpuvm_zalloc(sizeof(*vm_bo));
	if (gpuvm_unlikely(!vm_bo))
		return NULL;

	vm_bo->vm = gpuvm_get(vm);
	vm_bo->obj = obj;
	bo_get(obj);
	vm_bo->refcount = 1;
	vm_bo->evicted = false;
	vm_bo->defer_next = NULL;
	gpuvm_list_init(&vm_bo->vas);
	gpuvm_list_init(&vm_bo->bo_link);
	gpuvm_list_init(&vm_bo->extobj_link);
	gpuvm_list_init(&vm_bo->evict_link);
	return vm_bo;
}

/*
 * The references linked VAs hold on their vm_bo.  Each holds one, as in the
 * kernel, and gpuvm_vm_bo_refcount() counts them so; but @refcount itself
 * holds only one for all of them while there is any (taken by the link
 * that fills the VA list, dropped by the unlink that empties it).  Linking
 * and unlinking require the BO list lock, which guards that list, so the
 * transitions cannot race; the other references stay atomic.  A map then
 * makes two atomic read-modify-writes on the vm_bo instead of three (obtain,
 * link, put), and an unmap, a remap and most unlinks none, unless they
 * empty or fill the list (bench/HISTORY.md).
 */
GPUVM_EXPORT uint32_t gpuvm_vm_bo_refcount(const struct gpuvm_vm_bo *vm_bo)
{
	uint32_t r = __atomic_load_n(&vm_bo->refcount, __ATOMIC_RELAXED);
	const struct gpuvm_list *l;
	uint32_t n = 0;

	for (l = vm_bo->vas.next; l != &vm_bo->vas; l = l->next)
		n++;
	/* One reference of @refcount stands for the n the VAs hold. */
	return n ? r - 1 + n : r;
}

GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_get(struct gpuvm_vm_bo *vm_bo)
{
	__atomic_add_fetch(&vm_bo->refcount, 1, __ATOMIC_RELAXED);
	return vm_bo;
}

/* Take @vm_bo off list @l (extobj or evict) of its VM. */
static void vm_list_del(struct gpuvm *vm, struct gpuvm_bo_list *l,
			struct gpuvm_list *node)
{
	gpuvm_bo_list_lock(vm, l);
	gpuvm_list_del(node);
	gpuvm_bo_list_unlock(vm, l);
}

/* Free a vm_bo that is on no list and drop what it holds. */
static void vm_bo_free(struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm *vm = vm_bo->vm;
	struct gpuvm_bo *obj = vm_bo->obj;

	if (vm->ops->vm_bo_free)
		vm->ops->vm_bo_free(vm_bo);
	else
		gpuvm_free(vm_bo);
	gpuvm_put(vm);
	bo_put(obj);
}

static void vm_bo_destroy(struct gpuvm_vm_bo *vm_bo, const char *func)
{
	struct gpuvm *vm = vm_bo->vm;

	if (gpuvm_resv_protected(vm))
		gpuvm_check_resv_held(func, gpuvm_resv(vm), "the VM's reservation lock");
	vm_list_del(vm, &vm->extobj, &vm_bo->extobj_link);
	vm_list_del(vm, &vm->evict, &vm_bo->evict_link);
	gpuvm_check_bo_list_locked(func, vm, vm_bo->obj);
	gpuvm_list_del(&vm_bo->bo_link);
	vm_bo_free(vm_bo);
}

/* Drop a reference; destroy on the last, reporting lock misuse as @func. */
static bool vm_bo_put(struct gpuvm_vm_bo *vm_bo, const char *func)
{
	if (!vm_bo)
		return false;
	if (__atomic_sub_fetch(&vm_bo->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return false;
	vm_bo_destroy(vm_bo, func);
	return true;
}

GPUVM_EXPORT bool gpuvm_vm_bo_put(struct gpuvm_vm_bo *vm_bo)
{
	return vm_bo_put(vm_bo, __func__);
}

static struct gpuvm_vm_bo *vm_bo_find(struct gpuvm *vm, struct gpuvm_bo *obj)
{
	struct gpuvm_vm_bo *vm_bo;

	gpuvm_bo_for_each_vm_bo(vm_bo, obj)
		if (vm_bo->vm == vm)
			return gpuvm_vm_bo_get(vm_bo);
	return NULL;
}

GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_find(struct gpuvm *vm,
						  struct gpuvm_bo *obj)
{
	if (!obj)
		return NULL;
	gpuvm_check_bo_list_locked(__func__, vm, obj);
	return vm_bo_find(vm, obj);
}

GPUVM_EXPORT int gpuvm_vm_bo_obtain(struct gpuvm *vm, struct gpuvm_bo *obj,
				    struct gpuvm_vm_bo **out)
{
	struct gpuvm_vm_bo *vm_bo;

	if (!obj)
		return -EINVAL;
	if (gpuvm_immediate_mode(vm))
		gpuvm_warn("allocates under the object's gpuva lock in immediate "
			   "mode; use gpuvm_vm_bo_obtain_prealloc()");
	gpuvm_check_bo_list_locked(__func__, vm, obj);
	vm_bo = vm_bo_find(vm, obj);
	if (!vm_bo) {
		vm_bo = gpuvm_vm_bo_create(vm, obj);
		if (!vm_bo)
			return -ENOMEM;
		gpuvm_list_add_tail(&obj->vm_bos, &vm_bo->bo_link);
	}
	*out = vm_bo;
	return 0;
}

GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_obtain_prealloc(struct gpuvm_vm_bo *pre)
{
	struct gpuvm *vm = pre->vm;
	struct gpuvm_bo *obj = pre->obj;
	struct gpuvm_vm_bo *vm_bo;

	if (!gpuvm_immediate_mode(vm))
		gpuvm_warn("called on a VM without GPUVM_IMMEDIATE_MODE");

	gpuvm_lock_lock(&obj->gpuva_lock);
	vm_bo = vm_bo_find(vm, obj);
	if (!vm_bo)
		gpuvm_list_add_tail(&obj->vm_bos, &pre->bo_link);
	gpuvm_lock_unlock(&obj->gpuva_lock);

	if (!vm_bo)
		return pre;
	/*
	 * The unused pre-allocation is freed after the lock is dropped: its
	 * vm_bo_free may take locks that rank above the gpuva lock.
	 */
	if (__atomic_sub_fetch(&pre->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		vm_bo_free(pre);
	else
		gpuvm_warn("pre-allocated vm_bo had more than one reference");
	return vm_bo;
}

/* --- deferred destruction ------------------------------------------------- */

/* Push a zombie on the VM's lock-free deferred stack. */
static void defer_push(struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm *vm = vm_bo->vm;
	struct gpuvm_vm_bo *head = __atomic_load_n(&vm->bo_defer, __ATOMIC_RELAXED);

	do {
		vm_bo->defer_next = head;
	} while (!__atomic_compare_exchange_n(&vm->bo_defer, &head, vm_bo, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* Refcount just hit 0 with the gpuva lock held: unlink what may be unlinked. */
static void zombify_locked(struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm *vm = vm_bo->vm;

	if (!gpuvm_resv_protected(vm)) {
		vm_list_del(vm, &vm->extobj, &vm_bo->extobj_link);
		vm_list_del(vm, &vm->evict, &vm_bo->evict_link);
	}
	gpuvm_list_del(&vm_bo->bo_link);
}

/* Decrement unless that would reach zero; returns true if it did. */
static bool dec_unless_last(uint32_t *ref)
{
	uint32_t v = __atomic_load_n(ref, __ATOMIC_RELAXED);

	while (v > 1)
		if (__atomic_compare_exchange_n(ref, &v, v - 1, true,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}

GPUVM_EXPORT bool gpuvm_vm_bo_put_deferred(struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm_bo *obj;
	bool zombie = false;

	if (!vm_bo)
		return false;
	if (!gpuvm_immediate_mode(vm_bo->vm))
		gpuvm_warn("called on a VM without GPUVM_IMMEDIATE_MODE");
	if (dec_unless_last(&vm_bo->refcount))
		return false;

	/* Possibly the last reference: decide under the gpuva lock. */
	obj = vm_bo->obj;
	gpuvm_lock_lock(&obj->gpuva_lock);
	if (__atomic_sub_fetch(&vm_bo->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		zombify_locked(vm_bo);
		zombie = true;
	}
	gpuvm_lock_unlock(&obj->gpuva_lock);

	/*
	 * Push only after unlocking: once on the stack another thread may clean
	 * it up and drop the last reference on the object (and its lock).
	 */
	if (zombie)
		defer_push(vm_bo);
	return zombie;
}

GPUVM_EXPORT void gpuvm_va_unlink_defer(struct gpuvm_va *va)
{
	struct gpuvm_vm_bo *vm_bo = va->vm_bo;
	struct gpuvm_bo *obj = va->obj;
	bool zombie = false;

	if (!obj || !vm_bo)
		return;
	if (!gpuvm_immediate_mode(vm_bo->vm))
		gpuvm_warn("called on a VM without GPUVM_IMMEDIATE_MODE");

	gpuvm_lock_lock(&obj->gpuva_lock);
	gpuvm_list_del(&va->bo_link);
	/* The last VA gone drops the VAs' reference (see refcount above). */
	if (gpuvm_list_empty(&vm_bo->vas) &&
	    __atomic_sub_fetch(&vm_bo->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		zombify_locked(vm_bo);
		zombie = true;
	}
	gpuvm_lock_unlock(&obj->gpuva_lock);

	if (zombie)
		defer_push(vm_bo);
	va->vm_bo = NULL;
}

GPUVM_EXPORT void gpuvm_vm_bo_deferred_cleanup(struct gpuvm *vm)
{
	struct gpuvm_vm_bo *list, *vm_bo, *next;

	list = __atomic_exchange_n(&vm->bo_defer, NULL, __ATOMIC_ACQUIRE);
	if (!list)
		return;

	if (gpuvm_resv_protected(vm)) {
		/* Zombies stayed on the lists the VM's resv protects. */
		gpuvm_resv_lock(gpuvm_resv(vm));
		for (vm_bo = list; vm_bo; vm_bo = vm_bo->defer_next) {
			gpuvm_list_del(&vm_bo->extobj_link);
			gpuvm_list_del(&vm_bo->evict_link);
		}
		gpuvm_resv_unlock(gpuvm_resv(vm));
	}

	for (vm_bo = list; vm_bo; vm_bo = next) {
		next = vm_bo->defer_next;
		vm_bo_free(vm_bo);
	}
}

/* --- VA links ------------------------------------------------------------- */

GPUVM_EXPORT void gpuvm_va_link(struct gpuvm_va *va, struct gpuvm_vm_bo *vm_bo)
{
	if (!va->obj)
		return;
	if (!va->vm)
		gpuvm_warn("VA 0x%llx linked before it was ever inserted",
			   (unsigned long long)va->addr);
	if (va->obj != vm_bo->obj)
		gpuvm_warn("VA 0x%llx linked to a vm_bo of another object",
			   (unsigned long long)va->addr);
	gpuvm_check_bo_list_locked(__func__, vm_bo->vm, vm_bo->obj);

	/* The first VA takes the VAs' reference (see refcount above). */
	if (gpuvm_list_empty(&vm_bo->vas))
		gpuvm_vm_bo_get(vm_bo);
	va->vm_bo = vm_bo;
	gpuvm_list_add_tail(&vm_bo->vas, &va->bo_link);
}

GPUVM_EXPORT void gpuvm_va_unlink(struct gpuvm_va *va)
{
	struct gpuvm_vm_bo *vm_bo = va->vm_bo;

	if (!va->obj || !vm_bo)
		return;
	gpuvm_check_bo_list_locked(__func__, vm_bo->vm, vm_bo->obj);
	gpuvm_list_del(&va->bo_link);
	va->vm_bo = NULL;
	/* The last VA gone drops the VAs' reference (may free @vm_bo). */
	if (gpuvm_list_empty(&vm_bo->vas))
		vm_bo_put(vm_bo, __func__);
}

/* --- extobj and evict lists ---------------------------------------------- */

/* Append @node to list @l of @vm unless it is on it already. */
static void vm_list_add(struct gpuvm *vm, struct gpuvm_bo_list *l,
			struct gpuvm_list *node)
{
	gpuvm_bo_list_lock(vm, l);
	if (gpuvm_list_empty(node))
		gpuvm_list_add_tail(&l->list, node);
	gpuvm_bo_list_unlock(vm, l);
}

GPUVM_EXPORT void gpuvm_vm_bo_extobj_add(struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm *vm = vm_bo->vm;

	if (gpuvm_resv_protected(vm))
		gpuvm_check_resv_held(__func__, gpuvm_resv(vm),
				      "the VM's reservation lock");
	if (gpuvm_is_extobj(vm, vm_bo->obj))
		vm_list_add(vm, &vm->extobj, &vm_bo->extobj_link);
}

static void vm_bo_evict(struct gpuvm_vm_bo *vm_bo, bool evict, const char *func)
{
	struct gpuvm *vm = vm_bo->vm;

	gpuvm_check_resv_held(func, vm_bo->obj->resv,
			      "the object's reservation lock");
	vm_bo->evicted = evict;

	/* The list is the VM resv's, which may not be held here. */
	if (gpuvm_resv_protected(vm) && gpuvm_is_extobj(vm, vm_bo->obj))
		return;

	if (evict)
		vm_list_add(vm, &vm->evict, &vm_bo->evict_link);
	else
		vm_list_del(vm, &vm->evict, &vm_bo->evict_link);
}

GPUVM_EXPORT void gpuvm_vm_bo_evict(struct gpuvm_vm_bo *vm_bo, bool evict)
{
	vm_bo_evict(vm_bo, evict, __func__);
}

GPUVM_EXPORT void gpuvm_bo_evict(struct gpuvm_bo *obj, bool evict)
{
	struct gpuvm_vm_bo *vm_bo;

	gpuvm_bo_for_each_vm_bo(vm_bo, obj) {
		gpuvm_check_bo_list_locked(__func__, vm_bo->vm, obj);
		vm_bo_evict(vm_bo, evict, __func__);
	}
}
