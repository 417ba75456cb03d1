/* SPDX-License-Identifier: MIT */
/*
 * Buffer objects and vm_bos: the (VM, object) association, its reference
 * counting, and the linking of VAs to it.
 */
#include "internal.h"

GPUVM_EXPORT void gpuvm_bo_init(struct gpuvm_bo *bo,
				const struct gpuvm_bo_ops *ops,
				const void *resv)
{
	bo->ops = ops;
	bo->resv = resv ? resv : bo;
	gpuvm_list_init(&bo->vm_bos);
}

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
	gpuvm_list_init(&vm_bo->vas);
	gpuvm_list_init(&vm_bo->bo_link);
	gpuvm_list_init(&vm_bo->extobj_link);
	gpuvm_list_init(&vm_bo->evict_link);
	return vm_bo;
}

GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_get(struct gpuvm_vm_bo *vm_bo)
{
	__atomic_add_fetch(&vm_bo->refcount, 1, __ATOMIC_RELAXED);
	return vm_bo;
}

static void vm_bo_destroy(struct gpuvm_vm_bo *vm_bo)
{
	struct gpuvm *vm = vm_bo->vm;
	struct gpuvm_bo *obj = vm_bo->obj;

	gpuvm_list_del(&vm_bo->extobj_link);
	gpuvm_list_del(&vm_bo->evict_link);
	gpuvm_list_del(&vm_bo->bo_link);

	if (vm->ops->vm_bo_free)
		vm->ops->vm_bo_free(vm_bo);
	else
		gpuvm_free(vm_bo);

	gpuvm_put(vm);
	bo_put(obj);
}

GPUVM_EXPORT bool gpuvm_vm_bo_put(struct gpuvm_vm_bo *vm_bo)
{
	if (!vm_bo)
		return false;
	if (__atomic_sub_fetch(&vm_bo->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return false;
	vm_bo_destroy(vm_bo);
	return true;
}

GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_find(struct gpuvm *vm,
						  struct gpuvm_bo *obj)
{
	struct gpuvm_vm_bo *vm_bo;

	if (!obj)
		return NULL;
	gpuvm_bo_for_each_vm_bo(vm_bo, obj)
		if (vm_bo->vm == vm)
			return gpuvm_vm_bo_get(vm_bo);
	return NULL;
}

GPUVM_EXPORT int gpuvm_vm_bo_obtain(struct gpuvm *vm, struct gpuvm_bo *obj,
				    struct gpuvm_vm_bo **out)
{
	struct gpuvm_vm_bo *vm_bo;

	if (!obj)
		return -EINVAL;
	vm_bo = gpuvm_vm_bo_find(vm, obj);
	if (!vm_bo) {
		vm_bo = gpuvm_vm_bo_create(vm, obj);
		if (!vm_bo)
			return -ENOMEM;
		gpuvm_list_add_tail(&obj->vm_bos, &vm_bo->bo_link);
	}
	*out = vm_bo;
	return 0;
}

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

	va->vm_bo = gpuvm_vm_bo_get(vm_bo);
	gpuvm_list_add_tail(&vm_bo->vas, &va->bo_link);
}

GPUVM_EXPORT void gpuvm_va_unlink(struct gpuvm_va *va)
{
	struct gpuvm_vm_bo *vm_bo = va->vm_bo;

	if (!va->obj || !vm_bo)
		return;
	gpuvm_list_del(&va->bo_link);
	va->vm_bo = NULL;
	gpuvm_vm_bo_put(vm_bo);
}
