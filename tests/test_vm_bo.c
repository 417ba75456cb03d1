// SPDX-License-Identifier: MIT
/*
 * vm_bo life cycle (staged mode): create, obtain, find, get/put, link and
 * unlink of VAs, destruction, and the per-object unmap plan.  Cases 60,
 * 63 (staged part), 65, 66, 67 of docs/test-cases.md and the extobj predicate.
 */
#include "support.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Hooks                                                                    */

static int vm_bo_alloc_calls, vm_bo_free_calls;
static struct gpuvm_vm_bo *last_freed;

static void vmbo_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct ts_vm, vm)->freed++;
}

#define DRV_VM_BO_MAGIC 0x5eedf00du

/* A driver vm_bo with the library part in the middle. */
struct drv_vm_bo {
	uint32_t magic;
	struct gpuvm_vm_bo base;
	uint64_t tail;
};

static struct gpuvm_vm_bo *drv_vm_bo_alloc(struct gpuvm *vm)
{
	struct drv_vm_bo *d = calloc(1, sizeof(*d));

	(void)vm;
	if (!d)
		return NULL;
	d->magic = DRV_VM_BO_MAGIC;
	d->tail = DRV_VM_BO_MAGIC;
	vm_bo_alloc_calls++;
	return &d->base;
}

static void drv_vm_bo_free(struct gpuvm_vm_bo *vm_bo)
{
	struct drv_vm_bo *d = gpuvm_container_of(vm_bo, struct drv_vm_bo, base);

	ck_assert_uint_eq(d->magic, DRV_VM_BO_MAGIC);
	ck_assert_uint_eq(d->tail, DRV_VM_BO_MAGIC);
	vm_bo_free_calls++;
	last_freed = vm_bo;
	free(d);
}

/* vm_bo_free without vm_bo_alloc: the library allocated with gpuvm_zalloc */
static void lib_vm_bo_free(struct gpuvm_vm_bo *vm_bo)
{
	vm_bo_free_calls++;
	last_freed = vm_bo;
	gpuvm_free(vm_bo);
}

static const struct gpuvm_ops drv_ops = {
	.vm_free = vmbo_vm_free,
	.vm_bo_alloc = drv_vm_bo_alloc,
	.vm_bo_free = drv_vm_bo_free,
};

static const struct gpuvm_ops free_only_ops = {
	.vm_free = vmbo_vm_free,
	.vm_bo_free = lib_vm_bo_free,
};

static void reset_counts(void)
{
	vm_bo_alloc_calls = 0;
	vm_bo_free_calls = 0;
	last_freed = NULL;
}

static uint32_t vm_bo_refs(const struct gpuvm_vm_bo *vm_bo)
{
	return gpuvm_vm_bo_refcount(vm_bo);
}

static int list_count(const struct gpuvm_list *head)
{
	const struct gpuvm_list *l;
	int n = 0;

	for (l = head->next; l != head; l = l->next)
		n++;
	return n;
}

static struct gpuvm_va *insert_va(struct gpuvm *vm, uint64_t addr,
				  uint64_t range, struct gpuvm_bo *obj,
				  uint64_t offset)
{
	struct gpuvm_va *va = ts_va_new(addr, range, obj, offset);

	ck_assert_int_eq(gpuvm_va_insert(vm, va), 0);
	return va;
}

static void remove_va(struct gpuvm_va *va)
{
	gpuvm_va_unlink(va);
	gpuvm_va_remove(va);
	free(va);
}

static void vm_fini(struct ts_vm *t)
{
	ts_vm_drain(&t->vm);
	ck_assert_uint_eq(gpuvm_refcount(&t->vm), 1);
	gpuvm_put(&t->vm);
	ck_assert_int_eq(t->freed, 1);
}

/* ------------------------------------------------------------------------ */
/* Case 63 (staged part): obtain is unique per (VM, object)                 */

START_TEST(test_obtain_unique)
{
	struct ts_vm t1, t2, t3;
	struct ts_bo x, y;
	struct gpuvm_vm_bo *a, *a2, *b, *c, *ya, *v;
	struct gpuvm_vm_bo *order[3];
	int n;

	ts_vm_init(&t1, 0, 100, 0, 0, NULL);
	ts_vm_init(&t2, 0, 100, 0, 0, NULL);
	ts_vm_init(&t3, 0, 100, 0, 0, NULL);
	ts_bo_init(&x, 1);
	ts_bo_init(&y, 2);
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));

	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t1.vm, &x.base, &a), 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a->vm, &t1.vm);
	ck_assert_ptr_eq(a->obj, &x.base);
	ck_assert_uint_eq(vm_bo_refs(a), 1);
	ck_assert(!a->evicted);
	ck_assert(gpuvm_list_empty(&a->vas));
	ck_assert_int_eq(x.refs, 2);
	ck_assert_uint_eq(gpuvm_refcount(&t1.vm), 2);

	/* again: same vm_bo, one more reference, nothing else taken */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t1.vm, &x.base, &a2), 0);
	ck_assert_ptr_eq(a2, a);
	ck_assert_uint_eq(vm_bo_refs(a), 2);
	ck_assert_int_eq(x.refs, 2);
	ck_assert_uint_eq(gpuvm_refcount(&t1.vm), 2);
	ck_assert_int_eq(list_count(&x.base.vm_bos), 1);

	/* another VM: another vm_bo, appended */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t2.vm, &x.base, &b), 0);
	ck_assert_ptr_ne(b, a);
	ck_assert_ptr_eq(b->vm, &t2.vm);
	ck_assert_uint_eq(vm_bo_refs(b), 1);
	ck_assert_int_eq(x.refs, 3);
	ck_assert_uint_eq(gpuvm_refcount(&t2.vm), 2);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t3.vm, &x.base, &c), 0);
	ck_assert_ptr_ne(c, a);
	ck_assert_ptr_ne(c, b);

	/* another object on the first VM */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t1.vm, &y.base, &ya), 0);
	ck_assert_ptr_ne(ya, a);
	ck_assert_ptr_eq(ya->obj, &y.base);
	ck_assert_int_eq(list_count(&y.base.vm_bos), 1);
	ck_assert_uint_eq(gpuvm_refcount(&t1.vm), 3);

	/* the object's list is in creation order */
	n = 0;
	gpuvm_bo_for_each_vm_bo(v, &x.base) {
		ck_assert_int_lt(n, 3);
		order[n++] = v;
	}
	ck_assert_int_eq(n, 3);
	ck_assert_ptr_eq(order[0], a);
	ck_assert_ptr_eq(order[1], b);
	ck_assert_ptr_eq(order[2], c);

	/* find: a new reference on the existing one, or NULL */
	ck_assert_ptr_eq(gpuvm_vm_bo_find(&t1.vm, &x.base), a);
	ck_assert_uint_eq(vm_bo_refs(a), 3);
	ck_assert_ptr_eq(gpuvm_vm_bo_find(&t2.vm, &x.base), b);
	ck_assert_uint_eq(vm_bo_refs(b), 2);
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t2.vm, &y.base));
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t3.vm, &y.base));

	/* get */
	ck_assert_ptr_eq(gpuvm_vm_bo_get(a), a);
	ck_assert_uint_eq(vm_bo_refs(a), 4);

	/* drop a: only the last put destroys it, the list keeps its order */
	ck_assert(!gpuvm_vm_bo_put(a));
	ck_assert(!gpuvm_vm_bo_put(a));
	ck_assert(!gpuvm_vm_bo_put(a));
	ck_assert_uint_eq(vm_bo_refs(a), 1);
	ck_assert(gpuvm_vm_bo_put(a));
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t1.vm, &x.base));
	ck_assert_int_eq(list_count(&x.base.vm_bos), 2);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&x.base.vm_bos,
						struct gpuvm_vm_bo, bo_link), b);
	ck_assert_ptr_eq(gpuvm_list_last_entry(&x.base.vm_bos,
					       struct gpuvm_vm_bo, bo_link), c);
	ck_assert_int_eq(x.refs, 3);
	ck_assert_uint_eq(gpuvm_refcount(&t1.vm), 2);

	/* a new obtain on t1 creates a new one at the tail */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t1.vm, &x.base, &a), 0);
	ck_assert_ptr_eq(gpuvm_list_last_entry(&x.base.vm_bos,
					       struct gpuvm_vm_bo, bo_link), a);
	ck_assert_uint_eq(vm_bo_refs(a), 1);

	ck_assert(gpuvm_vm_bo_put(a));
	ck_assert(!gpuvm_vm_bo_put(b));
	ck_assert(gpuvm_vm_bo_put(b));
	ck_assert(gpuvm_vm_bo_put(c));
	ck_assert(gpuvm_vm_bo_put(ya));
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert(gpuvm_list_empty(&y.base.vm_bos));
	ck_assert_int_eq(x.refs, 1);
	ck_assert_int_eq(y.refs, 1);
	vm_fini(&t1);
	vm_fini(&t2);
	vm_fini(&t3);
}
END_TEST

START_TEST(test_obtain_driver_alloc)
{
	struct ts_vm t;
	struct ts_bo x;
	struct gpuvm_vm_bo *a, *a2;
	struct drv_vm_bo *d;

	reset_counts();
	ts_vm_init(&t, 0, 100, 0, 0, &drv_ops);
	ts_bo_init(&x, 1);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &a), 0);
	ck_assert_int_eq(vm_bo_alloc_calls, 1);
	d = gpuvm_container_of(a, struct drv_vm_bo, base);
	ck_assert_uint_eq(d->magic, DRV_VM_BO_MAGIC);
	ck_assert_ptr_eq(a->vm, &t.vm);
	ck_assert_ptr_eq(a->obj, &x.base);
	ck_assert_uint_eq(vm_bo_refs(a), 1);
	/* the second obtain finds it and allocates nothing */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &a2), 0);
	ck_assert_ptr_eq(a2, a);
	ck_assert_int_eq(vm_bo_alloc_calls, 1);
	ck_assert(!gpuvm_vm_bo_put(a));
	ck_assert_int_eq(vm_bo_free_calls, 0);
	ck_assert(gpuvm_vm_bo_put(a));
	ck_assert_int_eq(vm_bo_free_calls, 1);
	ck_assert_ptr_eq(last_freed, a);
	ck_assert_int_eq(x.refs, 1);
	vm_fini(&t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* create, NULL arguments                                                   */

START_TEST(test_create)
{
	struct ts_vm t;
	struct ts_bo x;
	struct gpuvm_vm_bo *vb, *out;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ts_bo_init(&x, 1);

	vb = gpuvm_vm_bo_create(&t.vm, &x.base);
	ck_assert_ptr_nonnull(vb);
	ck_assert_ptr_eq(vb->vm, &t.vm);
	ck_assert_ptr_eq(vb->obj, &x.base);
	ck_assert_uint_eq(vm_bo_refs(vb), 1);
	ck_assert(!vb->evicted);
	ck_assert(gpuvm_list_empty(&vb->vas));
	ck_assert(gpuvm_list_empty(&vb->bo_link));
	ck_assert(gpuvm_list_empty(&vb->extobj_link));
	ck_assert(gpuvm_list_empty(&vb->evict_link));
	ck_assert_int_eq(x.refs, 2);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	/* on no list: neither found nor on the object */
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t.vm, &x.base));
	/* so obtain makes a different one */
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &out), 0);
	ck_assert_ptr_ne(out, vb);
	ck_assert(gpuvm_vm_bo_put(out));

	ck_assert(gpuvm_vm_bo_put(vb));
	ck_assert_int_eq(x.refs, 1);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	vm_fini(&t);
}
END_TEST

START_TEST(test_null_arguments)
{
	struct ts_vm t;
	struct gpuvm_vm_bo *out = NULL;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ck_assert(!gpuvm_vm_bo_put(NULL));
	ck_assert_ptr_null(gpuvm_vm_bo_create(&t.vm, NULL));
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, NULL, &out), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert(!gpuvm_is_extobj(&t.vm, NULL));
	vm_fini(&t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 65: link/unlink reference counting and destruction                  */

static void link_unlink_destroy(const struct gpuvm_ops *ops, bool driver_alloc)
{
	struct ts_vm t;
	struct ts_bo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *a, *b, *va;
	int n;

	reset_counts();
	ts_warn_capture();
	ts_vm_init(&t, 0, 100, 0, 0, ops);
	ts_bo_init(&x, 1);
	a = insert_va(&t.vm, 10, 10, &x.base, 0);
	b = insert_va(&t.vm, 30, 10, &x.base, 20);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);

	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vb), 0);
	ck_assert_int_eq(vm_bo_alloc_calls, driver_alloc ? 1 : 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);
	ck_assert_int_eq(x.refs, 2);

	gpuvm_va_link(a, vb);
	ck_assert_ptr_eq(a->vm_bo, vb);
	ck_assert_uint_eq(vm_bo_refs(vb), 2);
	gpuvm_va_link(b, vb);
	ck_assert_ptr_eq(b->vm_bo, vb);
	ck_assert_uint_eq(vm_bo_refs(vb), 3);
	/* the two VAs share one reference of the atomic counter */
	ck_assert_uint_eq(vb->refcount, 2);
	/* link order */
	n = 0;
	gpuvm_vm_bo_for_each_va(va, vb) {
		ck_assert_ptr_eq(va, n ? b : a);
		n++;
	}
	ck_assert_int_eq(n, 2);
	/* links take no VM or object reference */
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 4);
	ck_assert_int_eq(x.refs, 2);

	/* drop the creator's reference */
	ck_assert(!gpuvm_vm_bo_put(vb));
	ck_assert_uint_eq(vm_bo_refs(vb), 2);

	gpuvm_va_unlink(a);
	ck_assert_ptr_null(a->vm_bo);
	ck_assert_uint_eq(vm_bo_refs(vb), 1);
	ck_assert_uint_eq(vb->refcount, 1);	/* b still holds the shared one */
	ck_assert_int_eq(list_count(&vb->vas), 1);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&vb->vas, struct gpuvm_va,
						bo_link), b);
	ck_assert_int_eq(vm_bo_free_calls, 0);
	ck_assert_int_eq(list_count(&x.base.vm_bos), 1);

	/* last unlink destroys the vm_bo */
	gpuvm_va_unlink(b);
	ck_assert_ptr_null(b->vm_bo);
	ck_assert_int_eq(vm_bo_free_calls, 1);
	ck_assert_ptr_eq(last_freed, vb);
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));
	ck_assert_ptr_null(gpuvm_vm_bo_find(&t.vm, &x.base));
	ck_assert(gpuvm_list_empty(&t.vm.extobj.list));
	ck_assert(gpuvm_list_empty(&t.vm.evict.list));
	ck_assert_int_eq(x.refs, 1);
	/* only the two VAs hold the VM now */
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);

	/* unlinking again is harmless */
	gpuvm_va_unlink(b);
	ck_assert_int_eq(vm_bo_free_calls, 1);

	remove_va(a);
	remove_va(b);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_set_warn_handler(NULL, NULL);
	vm_fini(&t);
}

START_TEST(test_link_unlink_driver_vm_bo)
{
	link_unlink_destroy(&drv_ops, true);
}
END_TEST

START_TEST(test_link_unlink_vm_bo_free_only)
{
	link_unlink_destroy(&free_only_ops, false);
}
END_TEST

START_TEST(test_link_unlink_default)
{
	struct ts_vm t;
	struct ts_bo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *a;
	long live;

	ts_alloc_install();
	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ts_bo_init(&x, 1);
	a = insert_va(&t.vm, 0, 10, &x.base, 0);
	live = ts_alloc_live();
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vb), 0);
	ck_assert_int_eq(ts_alloc_live(), live + 1);
	gpuvm_va_link(a, vb);
	ck_assert(!gpuvm_vm_bo_put(vb));
	ck_assert_int_eq(ts_alloc_live(), live + 1);
	gpuvm_va_unlink(a);
	/* freed with gpuvm_free() through the allocator */
	ck_assert_int_eq(ts_alloc_live(), live);
	ck_assert_int_eq(x.refs, 1);
	remove_va(a);
	vm_fini(&t);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 66: VAs without object are never linked                             */

START_TEST(test_link_null_object)
{
	struct ts_vm t;
	struct ts_bo x;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *n, *u;

	ts_warn_capture();
	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ts_bo_init(&x, 1);
	n = insert_va(&t.vm, 0, 10, NULL, 0);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vb), 0);

	gpuvm_va_link(n, vb);
	ck_assert_ptr_null(n->vm_bo);
	ck_assert_uint_eq(vm_bo_refs(vb), 1);
	ck_assert(gpuvm_list_empty(&vb->vas));
	gpuvm_va_unlink(n);
	ck_assert_ptr_null(n->vm_bo);
	ck_assert_uint_eq(vm_bo_refs(vb), 1);

	/* a VA with an object that was never linked: unlink leaves it */
	u = insert_va(&t.vm, 20, 10, &x.base, 0);
	gpuvm_va_unlink(u);
	ck_assert_ptr_null(u->vm_bo);
	ck_assert_uint_eq(vm_bo_refs(vb), 1);
	ck_assert_int_eq(x.refs, 2);

	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_set_warn_handler(NULL, NULL);
	ck_assert(gpuvm_vm_bo_put(vb));
	ck_assert_int_eq(x.refs, 1);
	remove_va(n);
	remove_va(u);
	vm_fini(&t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 67: linking a VA to another object's vm_bo warns, links anyway      */

START_TEST(test_link_mismatch)
{
	struct ts_vm t;
	struct ts_bo x, y;
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *va;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ts_bo_init(&x, 1);
	ts_bo_init(&y, 2);
	va = insert_va(&t.vm, 0, 10, &y.base, 0);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vb), 0);

	ts_warn_capture();
	gpuvm_va_link(va, vb);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_ne(ts_warn_last_func(), "");
	ck_assert_ptr_eq(va->vm_bo, vb);
	ck_assert_uint_eq(vm_bo_refs(vb), 2);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&vb->vas, struct gpuvm_va,
						bo_link), va);
	/* Y got nothing */
	ck_assert(gpuvm_list_empty(&y.base.vm_bos));
	ck_assert_int_eq(y.refs, 1);

	gpuvm_va_unlink(va);
	ck_assert_ptr_null(va->vm_bo);
	ck_assert_uint_eq(vm_bo_refs(vb), 1);
	ck_assert(gpuvm_list_empty(&vb->vas));
	ck_assert_int_eq(ts_warn_count(), 1);
	gpuvm_set_warn_handler(NULL, NULL);

	ck_assert(gpuvm_vm_bo_put(vb));
	ck_assert_int_eq(x.refs, 1);
	remove_va(va);
	vm_fini(&t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Case 60: gpuvm_bo_unmap_ops_create() lists in link order                 */

START_TEST(test_bo_unmap_link_order)
{
	struct ts_vm t;
	struct ts_bo x, y, z;
	struct gpuvm_vm_bo *vx, *vy, *vz;
	struct gpuvm_va *v30, *v10, *v20, *vyy;
	struct gpuvm_va *want[3];
	struct gpuvm_op_list list;
	struct gpuvm_op *op, *tmp;
	int n;

	ts_vm_init(&t, 0, 100, 90, 10, NULL);
	ts_bo_init(&x, 1);
	ts_bo_init(&y, 2);
	ts_bo_init(&z, 3);
	v30 = insert_va(&t.vm, 30, 5, &x.base, 30);
	v10 = insert_va(&t.vm, 10, 5, &x.base, 10);
	v20 = insert_va(&t.vm, 20, 5, &x.base, 20);
	vyy = insert_va(&t.vm, 50, 5, &y.base, 0);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vx), 0);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &y.base, &vy), 0);
	gpuvm_va_link(v30, vx);
	gpuvm_va_link(v10, vx);
	gpuvm_va_link(v20, vx);
	gpuvm_va_link(vyy, vy);
	want[0] = v30;
	want[1] = v10;
	want[2] = v20;

	ck_assert_int_eq(gpuvm_bo_unmap_ops_create(vx, &list), 0);
	n = 0;
	gpuvm_op_list_for_each(op, &list) {
		ck_assert_int_lt(n, 3);
		ck_assert_int_eq(op->type, GPUVM_OP_UNMAP);
		ck_assert_ptr_eq(op->unmap.va, want[n]);
		ck_assert(!op->unmap.keep);
		n++;
	}
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(gpuvm_op_list_count_new_vas(&list), 0);
	/* planning changed nothing */
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 4);
	ck_assert_uint_eq(vm_bo_refs(vx), 4);

	/* apply it: X's VAs go, Y's stays */
	gpuvm_op_list_for_each_safe(op, tmp, &list) {
		struct gpuvm_va *va = op->unmap.va;

		gpuvm_va_unmap(&op->unmap);
		gpuvm_va_unlink(va);
		free(va);
	}
	gpuvm_op_list_clear(&t.vm, &list);
	ck_assert(gpuvm_list_empty(&list.ops));
	ck_assert_uint_eq(gpuvm_va_count(&t.vm), 1);
	ck_assert_ptr_eq(gpuvm_va_find(&t.vm, 50, 5), vyy);
	ck_assert_uint_eq(vm_bo_refs(vx), 1);
	ck_assert(gpuvm_list_empty(&vx->vas));
	ck_assert_int_eq(gpuvm_check(&t.vm), 0);

	/* nothing linked: an empty plan */
	ck_assert_int_eq(gpuvm_bo_unmap_ops_create(vx, &list), 0);
	ck_assert(gpuvm_list_empty(&list.ops));
	gpuvm_op_list_clear(&t.vm, &list);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &z.base, &vz), 0);
	ck_assert_int_eq(gpuvm_bo_unmap_ops_create(vz, &list), 0);
	ck_assert(gpuvm_list_empty(&list.ops));
	gpuvm_op_list_clear(&t.vm, &list);

	/* Y's plan has just its VA */
	ck_assert_int_eq(gpuvm_bo_unmap_ops_create(vy, &list), 0);
	n = 0;
	gpuvm_op_list_for_each(op, &list) {
		ck_assert_ptr_eq(op->unmap.va, vyy);
		ck_assert(!op->unmap.keep);
		n++;
	}
	ck_assert_int_eq(n, 1);
	gpuvm_op_list_clear(&t.vm, &list);

	ck_assert(gpuvm_vm_bo_put(vx));
	ck_assert(!gpuvm_vm_bo_put(vy));
	ck_assert(gpuvm_vm_bo_put(vz));
	vm_fini(&t);
	ck_assert_int_eq(x.refs, 1);
	ck_assert_int_eq(y.refs, 1);
	ck_assert_int_eq(z.refs, 1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* gpuvm_is_extobj() and the VM's resv object                               */

START_TEST(test_is_extobj)
{
	struct ts_vm t;
	struct ts_bo r, priv, x;
	struct gpuvm_init_args args = {
		.name = "extobj",
		.start = 0,
		.range = 100,
		.ops = &ts_vm_ops,
	};

	memset(&t, 0, sizeof(t));
	ts_bo_init(&r, 1);
	ts_bo_init(&x, 2);
	args.r_obj = &r.base;
	ck_assert_int_eq(gpuvm_init(&t.vm, &args), 0);
	ck_assert_ptr_eq(t.vm.r_obj, &r.base);
	/* the VM holds a reference on its resv object */
	ck_assert_int_eq(r.refs, 2);

	/* an object sharing the VM's resv is private */
	ts_bo_init(&priv, 3);
	gpuvm_bo_init(&priv.base, priv.base.ops, r.base.resv);
	ck_assert_ptr_eq(priv.base.resv, r.base.resv);
	ck_assert_ptr_nonnull(r.base.resv);
	ck_assert_ptr_ne(x.base.resv, r.base.resv);

	ck_assert(!gpuvm_is_extobj(&t.vm, NULL));
	ck_assert(!gpuvm_is_extobj(&t.vm, &priv.base));
	ck_assert(!gpuvm_is_extobj(&t.vm, &r.base));
	ck_assert(gpuvm_is_extobj(&t.vm, &x.base));

	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 1);
	ck_assert_int_eq(r.refs, 1);
	ck_assert_int_eq(priv.refs, 1);
	ck_assert_int_eq(x.refs, 1);
}
END_TEST

START_TEST(test_bo_init_resv)
{
	struct gpuvm_bo a, b;

	memset(&a, 0x5a, sizeof(a));
	gpuvm_bo_init(&a, NULL, NULL);
	ck_assert_ptr_eq(a.resv, &a.own_resv);
	ck_assert_ptr_null(a.ops);
	ck_assert(gpuvm_list_empty(&a.vm_bos));
	gpuvm_bo_init(&b, NULL, a.resv);
	ck_assert_ptr_eq(b.resv, &a.own_resv);
	gpuvm_bo_fini(&b);
	gpuvm_bo_fini(&a);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The VM lives as long as its vm_bos                                       */

START_TEST(test_vm_ref_held_by_vm_bo)
{
	struct ts_vm t;
	struct ts_bo x;
	struct gpuvm_vm_bo *vb, *vo;

	ts_vm_init(&t, 0, 100, 0, 0, NULL);
	ts_bo_init(&x, 1);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	vb = gpuvm_vm_bo_create(&t.vm, &x.base);
	ck_assert_ptr_nonnull(vb);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);
	ck_assert_int_eq(gpuvm_vm_bo_obtain(&t.vm, &x.base, &vo), 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 3);

	/* the creator lets go: the vm_bos keep the VM */
	gpuvm_put(&t.vm);
	ck_assert_int_eq(t.freed, 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 2);

	ck_assert(gpuvm_vm_bo_put(vo));
	ck_assert_int_eq(t.freed, 0);
	ck_assert_uint_eq(gpuvm_refcount(&t.vm), 1);
	ck_assert(gpuvm_list_empty(&x.base.vm_bos));

	/* the last vm_bo takes the VM with it */
	ck_assert(gpuvm_vm_bo_put(vb));
	ck_assert_int_eq(t.freed, 1);
	ck_assert_int_eq(x.refs, 1);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *vm_bo_suite(void)
{
	Suite *s = suite_create("vm_bo");
	TCase *tc;

	tc = tcase_create("obtain");
	tcase_add_test(tc, test_obtain_unique);
	tcase_add_test(tc, test_obtain_driver_alloc);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_null_arguments);
	tcase_add_test(tc, test_vm_ref_held_by_vm_bo);
	suite_add_tcase(s, tc);

	tc = tcase_create("link");
	tcase_add_test(tc, test_link_unlink_driver_vm_bo);
	tcase_add_test(tc, test_link_unlink_vm_bo_free_only);
	tcase_add_test(tc, test_link_unlink_default);
	tcase_add_test(tc, test_link_null_object);
	tcase_add_test(tc, test_link_mismatch);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_test(tc, test_bo_unmap_link_order);
	tcase_add_test(tc, test_is_extobj);
	tcase_add_test(tc, test_bo_init_resv);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	/* Single-threaded tests: they link VAs without taking the objects'
	 * locks; tests/test_vm_bo_modes.c covers the lock checks. */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(vm_bo_suite());
}
