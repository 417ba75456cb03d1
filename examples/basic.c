// SPDX-License-Identifier: MIT
/*
 * basic.c - a first tour of libgpuvm.
 *
 * What this shows:
 *  - embedding struct gpuvm, struct gpuvm_bo and struct gpuvm_va in driver
 *    structures and getting back to them with gpuvm_container_of();
 *  - creating a VM with a kernel-reserved region;
 *  - map and unmap requests planned by gpuvm_sm_map() / gpuvm_sm_unmap(),
 *    which call the driver's sm_step_map/remap/unmap callbacks: the
 *    callbacks apply each step to the VA tree and link the VAs to their
 *    buffer object's vm_bo;
 *  - previewing a plan as an op list without changing anything;
 *  - walking the VAs of a VM, of a range and of a vm_bo.
 *
 * The VM runs in the default "staged" mode: the tree is changed from the
 * ioctl path, where allocating is allowed, so the callbacks simply allocate
 * the VA structures they need.  See immediate_mode.c for the other model.
 *
 * Locking: the VA tree is serialised by the caller (this program is single
 * threaded).  A buffer object's vm_bo list and the VA lists of its vm_bos
 * are protected by the object's reservation lock in staged mode; both
 * objects here are VM-private (they share the VM's reservation lock), so one
 * lock covers everything.  The library checks that it is held.
 *
 * Every return value is checked; any failure (or library warning) makes the
 * program exit non-zero.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gpuvm/gpuvm.h>

#define KiB	((uint64_t)0x400)
#define MiB	((uint64_t)0x100000)

/* ---------------------------------------------------------------------- */
/* Driver structures                                                        */

/* The driver's VM: struct gpuvm embedded, plus whatever the driver needs. */
struct demo_vm {
	struct gpuvm base;
	unsigned int nr_maps;		/* MAP steps applied */
	unsigned int nr_remaps;		/* REMAP steps applied */
	unsigned int nr_unmaps;		/* UNMAP steps applied */
};

/* The driver's buffer object (a GEM object in the kernel). */
struct demo_bo {
	struct gpuvm_bo base;
	const char *name;
	uint64_t size;
};

/* The driver's mapping: one struct gpuvm_va each. */
struct demo_va {
	struct gpuvm_va base;
};

/* What the step callbacks need to know about the request being planned. */
struct demo_req {
	struct demo_vm *vm;
	struct gpuvm_vm_bo *vm_bo;	/* vm_bo of the object being mapped */
};

static int warnings;

static struct demo_vm *to_demo_vm(struct gpuvm *vm)
{
	return gpuvm_container_of(vm, struct demo_vm, base);
}

static const char *bo_name(const struct gpuvm_bo *obj)
{
	if (!obj)
		return "(none)";
	return gpuvm_container_of(obj, struct demo_bo, base)->name;
}

/* The library reports misuse (the kernel's WARN) here: count it. */
static void on_warn(const char *func, const char *msg, void *priv)
{
	(void)priv;
	fprintf(stderr, "libgpuvm warning in %s: %s\n", func, msg);
	warnings++;
}

/* ---------------------------------------------------------------------- */
/* VM callbacks                                                             */

/*
 * Called when the last reference on the VM goes: the VM is ours to free.
 * (The library has already torn it down; even its name is gone.)
 */
static void demo_vm_free(struct gpuvm *vm)
{
	printf("  vm_free: VM released\n");
	free(to_demo_vm(vm));
}

static struct demo_va *demo_va_alloc(void)
{
	return calloc(1, sizeof(struct demo_va));
}

static void demo_va_free(struct gpuvm_va *va)
{
	if (va)
		free(gpuvm_container_of(va, struct demo_va, base));
}

/* MAP: create the new mapping, insert it and link it to the vm_bo. */
static int demo_step_map(struct gpuvm_op *op, void *priv)
{
	struct demo_req *req = priv;
	struct demo_va *va;
	int ret;

	printf("    step MAP    [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s+0x%" PRIx64 "\n",
	       op->map.addr, op->map.addr + op->map.range,
	       bo_name(op->map.obj), op->map.offset);

	va = demo_va_alloc();
	if (!va)
		return -ENOMEM;
	ret = gpuvm_va_map(&req->vm->base, &va->base, &op->map);
	if (ret) {
		free(va);
		return ret;
	}
	/* A real driver writes the page-table entries here. */
	if (op->map.obj)
		gpuvm_va_link(&va->base, req->vm_bo);
	req->vm->nr_maps++;
	return 0;
}

/*
 * REMAP: an existing VA is cut by the request.  Replace it with the parts
 * that survive (prev and/or next), which keep the old object and the
 * matching offset, and drop the old VA.
 */
static int demo_step_remap(struct gpuvm_op *op, void *priv)
{
	struct demo_req *req = priv;
	struct gpuvm_op_remap *r = &op->remap;
	struct gpuvm_va *old = r->unmap->va;
	struct gpuvm_vm_bo *vm_bo = old->vm_bo;
	struct demo_va *prev = NULL, *next = NULL;
	uint64_t hole_start, hole_range;
	int ret;

	gpuvm_op_remap_to_unmap_range(r, &hole_start, &hole_range);
	printf("    step REMAP  [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s: hole "
	       "[0x%08" PRIx64 ", 0x%08" PRIx64 ")%s%s%s\n",
	       old->addr, old->addr + old->range, bo_name(old->obj),
	       hole_start, hole_start + hole_range,
	       r->prev ? " keeps prev" : "", r->next ? " keeps next" : "",
	       r->unmap->keep ? " (keep)" : "");

	if (r->prev && !(prev = demo_va_alloc()))
		return -ENOMEM;
	if (r->next && !(next = demo_va_alloc())) {
		free(prev);
		return -ENOMEM;
	}
	ret = gpuvm_va_remap(prev ? &prev->base : NULL,
			     next ? &next->base : NULL, r);
	if (ret) {
		free(prev);
		free(next);
		return ret;
	}
	/* Link the pieces first, then unlink the old VA: the vm_bo survives. */
	if (vm_bo) {
		if (prev)
			gpuvm_va_link(&prev->base, vm_bo);
		if (next)
			gpuvm_va_link(&next->base, vm_bo);
		gpuvm_va_unlink(old);
	}
	demo_va_free(old);
	req->vm->nr_remaps++;
	return 0;
}

/* UNMAP: the request covers a whole VA: remove it. */
static int demo_step_unmap(struct gpuvm_op *op, void *priv)
{
	struct demo_req *req = priv;
	struct gpuvm_va *va = op->unmap.va;

	printf("    step UNMAP  [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s%s\n",
	       va->addr, va->addr + va->range, bo_name(va->obj),
	       op->unmap.keep ? " (keep)" : "");
	gpuvm_va_unmap(&op->unmap);
	gpuvm_va_unlink(va);	/* may drop the last vm_bo reference */
	demo_va_free(va);
	req->vm->nr_unmaps++;
	return 0;
}

static const struct gpuvm_ops demo_vm_ops = {
	.vm_free = demo_vm_free,
	.sm_step_map = demo_step_map,
	.sm_step_remap = demo_step_remap,
	.sm_step_unmap = demo_step_unmap,
};

/* ---------------------------------------------------------------------- */
/* Driver entry points (the "ioctls")                                       */

/* Map [@addr, @addr + @range) of @vm to @bo at @offset. */
static int demo_map(struct demo_vm *vm, struct demo_bo *bo, uint64_t addr,
		    uint64_t range, uint64_t offset)
{
	struct gpuvm_map_req map = {
		.map = { .addr = addr, .range = range, .offset = offset,
			 .obj = &bo->base },
	};
	struct demo_req req = { .vm = vm };
	int ret;

	printf("  map   [0x%08" PRIx64 ", 0x%08" PRIx64 ") -> %s+0x%" PRIx64 "\n",
	       addr, addr + range, bo->name, offset);

	/* The BO list lock: here the object's resv (shared with the VM). */
	ret = gpuvm_resv_lock(bo->base.resv);
	if (ret)
		return ret;
	/* The vm_bo of (VM, object): found, or created and listed. */
	ret = gpuvm_vm_bo_obtain(&vm->base, &bo->base, &req.vm_bo);
	if (!ret) {
		ret = gpuvm_sm_map(&vm->base, &req, &map);
		/* The VAs hold their own references; drop ours. */
		gpuvm_vm_bo_put(req.vm_bo);
	}
	gpuvm_resv_unlock(bo->base.resv);
	return ret;
}

/* Unmap [@addr, @addr + @range) of @vm; holes are fine. */
static int demo_unmap(struct demo_vm *vm, uint64_t addr, uint64_t range)
{
	struct demo_req req = { .vm = vm };
	struct gpuvm_resv *resv = gpuvm_resv(&vm->base);
	int ret;

	printf("  unmap [0x%08" PRIx64 ", 0x%08" PRIx64 ")\n", addr, addr + range);
	/* Every object here shares the VM's resv, so that lock is enough. */
	ret = gpuvm_resv_lock(resv);
	if (ret)
		return ret;
	ret = gpuvm_sm_unmap(&vm->base, &req, addr, range);
	gpuvm_resv_unlock(resv);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Iteration and checks                                                     */

static void dump_vm(struct demo_vm *vm)
{
	struct gpuvm_va *va;

	printf("  VAs of '%s' (%" PRIu64 " besides the reserved region):\n",
	       vm->base.name, gpuvm_va_count(&vm->base));
	gpuvm_for_each_va(va, &vm->base) {
		if (va == &vm->base.kernel_alloc_node)
			printf("    [0x%08" PRIx64 ", 0x%08" PRIx64 ") reserved\n",
			       va->addr, va->addr + va->range);
		else
			printf("    [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s+0x%" PRIx64 "\n",
			       va->addr, va->addr + va->range,
			       bo_name(va->obj), va->offset);
	}
}

struct expect_va {
	uint64_t addr, range;
	const struct demo_bo *bo;
	uint64_t offset;
};

/* The VM must hold exactly @n VAs (reserved region aside) as listed. */
static int check_layout(struct demo_vm *vm, const struct expect_va *want,
			unsigned int n)
{
	struct gpuvm_va *va;
	unsigned int i = 0;

	if (gpuvm_check(&vm->base)) {
		fprintf(stderr, "FAIL: the VM's invariants are broken\n");
		return -1;
	}
	gpuvm_for_each_va(va, &vm->base) {
		if (va == &vm->base.kernel_alloc_node)
			continue;
		if (i >= n || va->addr != want[i].addr ||
		    va->range != want[i].range ||
		    va->obj != &want[i].bo->base ||
		    va->offset != want[i].offset) {
			fprintf(stderr, "FAIL: unexpected VA #%u [0x%" PRIx64
				", +0x%" PRIx64 ")\n", i, va->addr, va->range);
			return -1;
		}
		i++;
	}
	if (i != n) {
		fprintf(stderr, "FAIL: %u VAs, expected %u\n", i, n);
		return -1;
	}
	return 0;
}

#define CHECK(expr)							\
	do {								\
		int ret_ = (expr);					\
		if (ret_) {						\
			fprintf(stderr, "FAIL: %s: %d (%s)\n", #expr,	\
				ret_, gpuvm_err_name(ret_));		\
			return EXIT_FAILURE;				\
		}							\
	} while (0)

int main(void)
{
	struct gpuvm_init_args args = {
		.name = "basic",
		.start = 0,
		.range = 1ull << 32,		/* a 4 GiB VA space ... */
		.reserve_start = 0,
		.reserve_range = 1 * MiB,	/* ... whose first MiB is the kernel's */
		.ops = &demo_vm_ops,
	};
	struct demo_bo a = { .name = "A", .size = 1 * MiB };
	struct demo_bo b = { .name = "B", .size = 256 * KiB };
	struct gpuvm_op_list plan;
	struct gpuvm_vm_bo *vm_bo;
	struct gpuvm_op *op;
	struct gpuvm_va *va;
	struct demo_vm *vm;
	unsigned int n;
	int ret;

	gpuvm_set_warn_handler(on_warn, NULL);

	/* 1. The VM. */
	printf("1. create a VM: [0x0, 4 GiB), first MiB reserved\n");
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "FAIL: out of memory\n");
		return EXIT_FAILURE;
	}
	ret = gpuvm_init(&vm->base, &args);
	if (ret) {
		fprintf(stderr, "FAIL: gpuvm_init: %s\n", gpuvm_err_name(ret));
		free(vm);
		return EXIT_FAILURE;
	}

	/*
	 * 2. Two buffer objects.  Passing the VM's resv makes them
	 * VM-private: they are not "external" and need no extra locking.
	 */
	gpuvm_bo_init(&a.base, NULL, gpuvm_resv(&vm->base));
	gpuvm_bo_init(&b.base, NULL, gpuvm_resv(&vm->base));
	printf("2. objects A (%" PRIu64 " KiB) and B (%" PRIu64 " KiB), "
	       "VM-private (extobj: %d, %d)\n", a.size / KiB, b.size / KiB,
	       gpuvm_is_extobj(&vm->base, &a.base),
	       gpuvm_is_extobj(&vm->base, &b.base));

	/* 3. A plain map into empty space: one MAP step. */
	printf("3. map into empty space\n");
	CHECK(demo_map(vm, &a, 1 * MiB, 256 * KiB, 0));

	/*
	 * 4. A map in the middle of an existing VA: the planner splits it
	 * (REMAP keeping prev and next), then maps.  Nothing is merged.
	 */
	printf("4. map B over the middle of A's VA\n");
	CHECK(demo_map(vm, &b, 1 * MiB + 128 * KiB, 64 * KiB, 0));

	/* 5. A map right after: neighbours, still separate VAs. */
	printf("5. map more of A right after it\n");
	CHECK(demo_map(vm, &a, 1 * MiB + 256 * KiB, 128 * KiB, 256 * KiB));
	dump_vm(vm);
	{
		const struct expect_va want[] = {
			{ 1 * MiB,		128 * KiB, &a, 0 },
			{ 1 * MiB + 128 * KiB,	64 * KiB,  &b, 0 },
			{ 1 * MiB + 192 * KiB,	64 * KiB,  &a, 192 * KiB },
			{ 1 * MiB + 256 * KiB,	128 * KiB, &a, 256 * KiB },
		};

		if (check_layout(vm, want, 4))
			return EXIT_FAILURE;
	}

	/* 6. Lookups and iteration. */
	printf("6. lookups\n");
	va = gpuvm_va_find(&vm->base, 1 * MiB + 128 * KiB, 64 * KiB);
	if (!va || va->obj != &b.base) {
		fprintf(stderr, "FAIL: gpuvm_va_find did not find B's VA\n");
		return EXIT_FAILURE;
	}
	printf("  gpuvm_va_find: B's VA at 0x%" PRIx64 "\n", va->addr);
	printf("  VAs intersecting [0x%" PRIx64 ", 0x%" PRIx64 "):\n",
	       1 * MiB + 160 * KiB, 1 * MiB + 272 * KiB);
	n = 0;
	gpuvm_for_each_va_range(va, &vm->base, 1 * MiB + 160 * KiB,
				1 * MiB + 272 * KiB) {
		printf("    [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s\n", va->addr,
		       va->addr + va->range, bo_name(va->obj));
		n++;
	}
	if (n != 3) {
		fprintf(stderr, "FAIL: %u VAs in the range, expected 3\n", n);
		return EXIT_FAILURE;
	}

	/* The object side: A's vm_bo lists the VAs that map A. */
	CHECK(gpuvm_resv_lock(a.base.resv));
	vm_bo = gpuvm_vm_bo_find(&vm->base, &a.base);
	if (!vm_bo) {
		gpuvm_resv_unlock(a.base.resv);
		fprintf(stderr, "FAIL: A has no vm_bo\n");
		return EXIT_FAILURE;
	}
	printf("  VAs linked to A's vm_bo (link order):\n");
	n = 0;
	gpuvm_vm_bo_for_each_va(va, vm_bo) {
		printf("    [0x%08" PRIx64 ", 0x%08" PRIx64 ") offset 0x%" PRIx64 "\n",
		       va->addr, va->addr + va->range, va->offset);
		n++;
	}
	gpuvm_vm_bo_put(vm_bo);	/* drop the reference find() took */
	gpuvm_resv_unlock(a.base.resv);
	if (n != 3) {
		fprintf(stderr, "FAIL: A has %u VAs, expected 3\n", n);
		return EXIT_FAILURE;
	}

	/*
	 * 7. An unmap across two VAs: the first goes entirely (UNMAP), the
	 * second loses its head (REMAP keeping next).  Preview the plan as an
	 * op list first: planning alone changes nothing.
	 */
	printf("7. preview, then apply, an unmap of [0x%" PRIx64 ", 0x%" PRIx64 ")\n",
	       1 * MiB + 192 * KiB, 1 * MiB + 320 * KiB);
	CHECK(gpuvm_sm_unmap_ops_create(&vm->base, 1 * MiB + 192 * KiB,
					128 * KiB, &plan));
	gpuvm_op_list_for_each(op, &plan)
		printf("    planned %s\n", op->type == GPUVM_OP_UNMAP ? "UNMAP" :
		       op->type == GPUVM_OP_REMAP ? "REMAP" : "other");
	printf("    applying it needs %u new VA structure(s)\n",
	       gpuvm_op_list_count_new_vas(&plan));
	gpuvm_op_list_clear(&vm->base, &plan);
	CHECK(demo_unmap(vm, 1 * MiB + 192 * KiB, 128 * KiB));
	dump_vm(vm);
	{
		const struct expect_va want[] = {
			{ 1 * MiB,		128 * KiB, &a, 0 },
			{ 1 * MiB + 128 * KiB,	64 * KiB,  &b, 0 },
			{ 1 * MiB + 320 * KiB,	64 * KiB,  &a, 320 * KiB },
		};

		if (check_layout(vm, want, 3))
			return EXIT_FAILURE;
	}

	/* 8. A request touching the reserved region is refused. */
	printf("8. mapping over the reserved region is refused\n");
	ret = demo_map(vm, &a, 0, 2 * MiB, 0);
	if (ret != -EINVAL) {
		fprintf(stderr, "FAIL: expected -EINVAL, got %d\n", ret);
		return EXIT_FAILURE;
	}
	printf("    -> %s, as expected\n", gpuvm_err_name(ret));

	/* 9. Tear down: unmap everything; the last VA unlinked frees a vm_bo. */
	printf("9. unmap everything and release\n");
	CHECK(demo_unmap(vm, 1 * MiB, (1ull << 32) - 1 * MiB));
	if (gpuvm_va_count(&vm->base) != 0 || !gpuvm_list_empty(&a.base.vm_bos) ||
	    !gpuvm_list_empty(&b.base.vm_bos)) {
		fprintf(stderr, "FAIL: VAs or vm_bos left behind\n");
		return EXIT_FAILURE;
	}
	printf("  steps applied: %u MAP, %u REMAP, %u UNMAP\n", vm->nr_maps,
	       vm->nr_remaps, vm->nr_unmaps);
	if (vm->nr_maps != 3 || vm->nr_remaps != 2 || vm->nr_unmaps != 4) {
		fprintf(stderr, "FAIL: unexpected step counts\n");
		return EXIT_FAILURE;
	}

	/* The objects go before the VM, whose resv they share. */
	gpuvm_bo_fini(&a.base);
	gpuvm_bo_fini(&b.base);
	gpuvm_put(&vm->base);		/* last reference: demo_vm_free() */

	if (warnings) {
		fprintf(stderr, "FAIL: %d library warning(s)\n", warnings);
		return EXIT_FAILURE;
	}
	printf("basic: OK\n");
	return EXIT_SUCCESS;
}
