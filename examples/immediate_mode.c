// SPDX-License-Identifier: MIT
/*
 * immediate_mode.c - a panthor-style VM_BIND driver model.
 *
 * In "immediate mode" (GPUVM_IMMEDIATE_MODE) the VA tree is not changed by
 * the ioctl that asks for a bind: the request becomes a job, and the tree
 * and page tables are updated only when the job runs, after the jobs queued
 * before it.  In the kernel the run step sits in the fence-signalling path,
 * where allocating memory (which may wait for reclaim, which may wait for
 * fences) can deadlock.  So the driver splits every bind in three:
 *
 *  1. submit (ioctl context, may allocate and sleep):
 *     - pre-allocate the worst case of VA structures each operation can
 *       need (GPUVM_MAP_MAX_NEW_VAS for a map, GPUVM_UNMAP_MAX_NEW_VAS for
 *       an unmap): the tree the job will see is not known yet;
 *     - create the vm_bo with gpuvm_vm_bo_create() and make it the
 *       (VM, object) vm_bo with gpuvm_vm_bo_obtain_prealloc(), which reuses
 *       an existing one if there is one; the job keeps a reference;
 *     - put it on the VM's extobj list, under the VM's reservation lock
 *       (GPUVM_RESV_PROTECTED: that lock guards the extobj/evict lists).
 *  2. run (no allocation, no freeing):
 *     - gpuvm_sm_map()/gpuvm_sm_unmap() with step callbacks that take their
 *       VA structures from the job's pre-allocated pool;
 *     - removed VAs are unlinked with gpuvm_va_unlink_defer() and the job's
 *       vm_bo references dropped with gpuvm_vm_bo_put_deferred(): a vm_bo
 *       whose last reference goes becomes a "zombie" instead of being freed;
 *     - the removed VA structures are kept on a list, not freed.
 *  3. cleanup (a worker, may allocate and sleep again):
 *     - gpuvm_vm_bo_deferred_cleanup() frees the zombies;
 *     - unused pre-allocated VAs and removed VAs are freed.
 *
 * This program proves that the run step allocates nothing: it installs an
 * allocator hook (gpuvm_set_allocator()) through which the library -- and
 * this driver, which uses gpuvm_zalloc()/gpuvm_free() for its own
 * structures -- gets all its memory, and the hook aborts the program if it
 * is called while a job runs.  All three jobs are submitted before the
 * first runs, as a queue of binds would be.
 *
 * Lock checks are on (the default): the library warns when a function is
 * called without the lock it needs, and any warning fails this program.
 *  - the object's gpuva_lock guards its vm_bo list and the VA lists in
 *    immediate mode: held around gpuvm_va_link(); gpuvm_va_unlink_defer(),
 *    gpuvm_vm_bo_obtain_prealloc() and gpuvm_vm_bo_put_deferred() take it
 *    themselves;
 *  - the VM's reservation lock guards the extobj list: held around
 *    gpuvm_vm_bo_extobj_add() and while walking the list;
 *    gpuvm_vm_bo_deferred_cleanup() takes it itself;
 *  - the driver's op_lock serialises changes to the VA tree.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gpuvm/gpuvm.h>

#define KiB	((uint64_t)0x400)
#define MiB	((uint64_t)0x100000)

/* ---------------------------------------------------------------------- */
/* An allocator that refuses to work during the run step                   */

static bool in_run_step;
static long live_allocs;		/* allocated and not yet freed */
static unsigned long nr_allocs;		/* allocations so far */

static void *guarded_zalloc(size_t size, void *priv)
{
	void *p;

	(void)priv;
	if (in_run_step) {
		fprintf(stderr, "FATAL: %zu-byte allocation in the job-run step\n",
			size);
		abort();
	}
	p = calloc(1, size);
	if (p) {
		live_allocs++;
		nr_allocs++;
	}
	return p;
}

static void guarded_free(void *ptr, void *priv)
{
	(void)priv;
	if (in_run_step) {
		fprintf(stderr, "FATAL: memory freed in the job-run step\n");
		abort();
	}
	live_allocs--;
	free(ptr);
}

static const struct gpuvm_allocator guarded_allocator = {
	.zalloc = guarded_zalloc,
	.free = guarded_free,
};

static int warnings;

static void on_warn(const char *func, const char *msg, void *priv)
{
	(void)priv;
	fprintf(stderr, "libgpuvm warning in %s: %s\n", func, msg);
	warnings++;
}

/* ---------------------------------------------------------------------- */
/* Driver structures                                                        */

struct drv_vm {
	struct gpuvm base;
	struct gpuvm_lock op_lock;	/* serialises VA tree changes */
};

struct drv_bo {
	struct gpuvm_bo base;
	const char *name;
};

struct drv_va {
	struct gpuvm_va base;
	struct drv_va *next;		/* in a pool or a garbage list */
};

enum bind_kind { BIND_MAP, BIND_UNMAP };

/* One operation of a bind job. */
struct bind_op {
	enum bind_kind kind;
	uint64_t addr, range;
	struct drv_bo *bo;		/* BIND_MAP only */
	uint64_t offset;		/* BIND_MAP only */
	struct gpuvm_vm_bo *vm_bo;	/* the job's reference (BIND_MAP) */
	struct drv_va *pool;		/* pre-allocated VA structures */
	unsigned int pool_size, pool_used;
};

#define MAX_OPS 2

struct bind_job {
	const char *name;
	struct drv_vm *vm;
	struct bind_op ops[MAX_OPS];
	unsigned int nr_ops;
	struct drv_va *garbage;		/* VAs removed by the run step */
	struct bind_op *cur;		/* op being applied */
};

static const char *bo_name(const struct gpuvm_bo *obj)
{
	return obj ? gpuvm_container_of(obj, struct drv_bo, base)->name : "-";
}

static struct drv_va *to_drv_va(struct gpuvm_va *va)
{
	return gpuvm_container_of(va, struct drv_va, base);
}

static void drv_vm_free(struct gpuvm *vm)
{
	struct drv_vm *dvm = gpuvm_container_of(vm, struct drv_vm, base);

	gpuvm_lock_fini(&dvm->op_lock);
	gpuvm_free(dvm);
}

/* ---------------------------------------------------------------------- */
/* Run-step callbacks: they may only use what submit prepared              */

static struct drv_va *pool_take(struct bind_job *job)
{
	struct bind_op *op = job->cur;
	struct drv_va *va = op->pool;

	if (va) {
		op->pool = va->next;
		va->next = NULL;
		op->pool_used++;
	}
	return va;
}

/* Give back a VA the step could not use (error paths). */
static void pool_return(struct bind_job *job, struct drv_va *va)
{
	if (va) {
		va->next = job->cur->pool;
		job->cur->pool = va;
		job->cur->pool_used--;
	}
}

static void garbage_add(struct bind_job *job, struct gpuvm_va *va)
{
	struct drv_va *dva = to_drv_va(va);

	dva->next = job->garbage;
	job->garbage = dva;
}

static int drv_step_map(struct gpuvm_op *op, void *priv)
{
	struct bind_job *job = priv;
	struct drv_va *va = pool_take(job);
	struct gpuvm_bo *obj = op->map.obj;
	int ret;

	if (!va)
		return -ENOSPC;	/* cannot happen: the pool is the worst case */
	printf("      MAP    [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s+0x%" PRIx64 "\n",
	       op->map.addr, op->map.addr + op->map.range, bo_name(obj),
	       op->map.offset);
	ret = gpuvm_va_map(&job->vm->base, &va->base, &op->map);
	if (ret) {
		pool_return(job, va);
		return ret;
	}
	if (obj) {
		gpuvm_lock_lock(&obj->gpuva_lock);
		gpuvm_va_link(&va->base, job->cur->vm_bo);
		gpuvm_lock_unlock(&obj->gpuva_lock);
	}
	return 0;
}

static int drv_step_remap(struct gpuvm_op *op, void *priv)
{
	struct bind_job *job = priv;
	struct gpuvm_op_remap *r = &op->remap;
	struct gpuvm_va *old = r->unmap->va;
	struct gpuvm_vm_bo *vm_bo = old->vm_bo;
	struct drv_va *prev = NULL, *next = NULL;
	int ret;

	printf("      REMAP  [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s%s%s\n",
	       old->addr, old->addr + old->range, bo_name(old->obj),
	       r->prev ? ", keeps prev" : "", r->next ? ", keeps next" : "");
	if (r->prev)
		prev = pool_take(job);
	if (r->next)
		next = pool_take(job);
	ret = (r->prev && !prev) || (r->next && !next) ? -ENOSPC :
	      gpuvm_va_remap(prev ? &prev->base : NULL,
			     next ? &next->base : NULL, r);
	if (ret) {
		pool_return(job, prev);
		pool_return(job, next);
		return ret;
	}
	if (vm_bo) {
		/* The pieces join the old VA's vm_bo before it leaves. */
		gpuvm_lock_lock(&old->obj->gpuva_lock);
		if (prev)
			gpuvm_va_link(&prev->base, vm_bo);
		if (next)
			gpuvm_va_link(&next->base, vm_bo);
		gpuvm_lock_unlock(&old->obj->gpuva_lock);
		gpuvm_va_unlink_defer(old);	/* takes gpuva_lock itself */
	}
	garbage_add(job, old);
	return 0;
}

static int drv_step_unmap(struct gpuvm_op *op, void *priv)
{
	struct bind_job *job = priv;
	struct gpuvm_va *va = op->unmap.va;

	printf("      UNMAP  [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s\n",
	       va->addr, va->addr + va->range, bo_name(va->obj));
	gpuvm_va_unmap(&op->unmap);
	/* May drop the vm_bo's last reference: it becomes a zombie. */
	gpuvm_va_unlink_defer(va);
	garbage_add(job, va);
	return 0;
}

static const struct gpuvm_ops drv_vm_ops = {
	.vm_free = drv_vm_free,
	.sm_step_map = drv_step_map,
	.sm_step_remap = drv_step_remap,
	.sm_step_unmap = drv_step_unmap,
};

/* ---------------------------------------------------------------------- */
/* The three steps of a bind job                                            */

static void job_add_map(struct bind_job *job, struct drv_bo *bo, uint64_t addr,
			uint64_t range, uint64_t offset)
{
	struct bind_op *op = &job->ops[job->nr_ops++];

	op->kind = BIND_MAP;
	op->bo = bo;
	op->addr = addr;
	op->range = range;
	op->offset = offset;
}

static void job_add_unmap(struct bind_job *job, uint64_t addr, uint64_t range)
{
	struct bind_op *op = &job->ops[job->nr_ops++];

	op->kind = BIND_UNMAP;
	op->addr = addr;
	op->range = range;
}

/* Step 1: everything that may allocate.  On error job_cleanup() undoes it. */
static int job_submit(struct bind_job *job)
{
	struct gpuvm *vm = &job->vm->base;
	unsigned long allocs = nr_allocs;
	unsigned int i, j;
	int ret;

	printf("  submit %s\n", job->name);
	for (i = 0; i < job->nr_ops; i++) {
		struct bind_op *op = &job->ops[i];
		struct gpuvm_vm_bo *pre;

		/* The worst case: the tree at run time is not known yet. */
		op->pool_size = op->kind == BIND_MAP ? GPUVM_MAP_MAX_NEW_VAS :
						       GPUVM_UNMAP_MAX_NEW_VAS;
		for (j = 0; j < op->pool_size; j++) {
			struct drv_va *va = gpuvm_zalloc(sizeof(*va));

			if (!va)
				return -ENOMEM;
			va->next = op->pool;
			op->pool = va;
		}
		if (op->kind != BIND_MAP)
			continue;

		/* A vm_bo, created here, adopted or replaced by the one in use. */
		pre = gpuvm_vm_bo_create(vm, &op->bo->base);
		if (!pre)
			return -ENOMEM;
		op->vm_bo = gpuvm_vm_bo_obtain_prealloc(pre);
		printf("    op %u: vm_bo of %s %s\n", i, op->bo->name,
		       op->vm_bo == pre ? "created" : "already there, reused");

		/* External objects go on the VM's extobj list, under its resv. */
		ret = gpuvm_resv_lock(gpuvm_resv(vm));
		if (ret)
			return ret;
		gpuvm_vm_bo_extobj_add(op->vm_bo);
		gpuvm_resv_unlock(gpuvm_resv(vm));
	}
	printf("    %lu allocation(s)\n", nr_allocs - allocs);
	return 0;
}

/* Step 2: apply the job.  Nothing here may allocate or free. */
static int job_run(struct bind_job *job)
{
	struct drv_vm *vm = job->vm;
	unsigned int i;
	int ret = 0;

	printf("  run %s\n", job->name);
	in_run_step = true;
	gpuvm_lock_lock(&vm->op_lock);
	for (i = 0; i < job->nr_ops && !ret; i++) {
		struct bind_op *op = &job->ops[i];

		job->cur = op;
		if (op->kind == BIND_MAP) {
			struct gpuvm_map_req req = {
				.map = { .addr = op->addr, .range = op->range,
					 .offset = op->offset,
					 .obj = &op->bo->base },
			};

			printf("    op %u: map [0x%08" PRIx64 ", 0x%08" PRIx64
			       ") -> %s+0x%" PRIx64 "\n", i, op->addr,
			       op->addr + op->range, op->bo->name, op->offset);
			ret = gpuvm_sm_map(&vm->base, job, &req);
		} else {
			printf("    op %u: unmap [0x%08" PRIx64 ", 0x%08" PRIx64
			       ")\n", i, op->addr, op->addr + op->range);
			ret = gpuvm_sm_unmap(&vm->base, job, op->addr, op->range);
		}
		printf("      used %u of %u pre-allocated VAs\n", op->pool_used,
		       op->pool_size);
	}
	gpuvm_lock_unlock(&vm->op_lock);

	/* The job is done with its vm_bos: drop them without freeing. */
	for (i = 0; i < job->nr_ops; i++) {
		struct bind_op *op = &job->ops[i];

		if (op->vm_bo && gpuvm_vm_bo_put_deferred(op->vm_bo))
			printf("    op %u: vm_bo of %s is now a zombie\n", i,
			       op->bo->name);
		op->vm_bo = NULL;
	}
	in_run_step = false;
	return ret;
}

static void free_va_list(struct drv_va *va)
{
	while (va) {
		struct drv_va *next = va->next;

		gpuvm_free(va);
		va = next;
	}
}

/* Step 3: free what the run step left behind (or what submit prepared). */
static void job_cleanup(struct bind_job *job)
{
	unsigned long live = (unsigned long)live_allocs;
	unsigned int i;

	for (i = 0; i < job->nr_ops; i++) {
		struct bind_op *op = &job->ops[i];

		/* Only set if the job never ran (submit or run failed). */
		gpuvm_vm_bo_put_deferred(op->vm_bo);
		op->vm_bo = NULL;
		free_va_list(op->pool);
		op->pool = NULL;
	}
	free_va_list(job->garbage);
	job->garbage = NULL;
	/* Zombie vm_bos: off the extobj list (under the VM resv), then freed. */
	gpuvm_vm_bo_deferred_cleanup(&job->vm->base);
	printf("  cleanup %s: %lu block(s) freed\n", job->name,
	       live - (unsigned long)live_allocs);
}

/* ---------------------------------------------------------------------- */

static unsigned int extobj_count(struct drv_vm *vm)
{
	struct gpuvm_vm_bo *vm_bo;
	unsigned int n = 0;

	if (gpuvm_resv_lock(gpuvm_resv(&vm->base)))
		return ~0u;
	gpuvm_list_for_each(vm_bo, &vm->base.extobj.list, extobj_link)
		n++;
	gpuvm_resv_unlock(gpuvm_resv(&vm->base));
	return n;
}

static int check_vm(struct drv_vm *vm, uint64_t want_vas,
		    unsigned int want_extobjs)
{
	struct gpuvm_va *va;
	unsigned int extobjs = extobj_count(vm);

	gpuvm_for_each_va(va, &vm->base)
		printf("    [0x%08" PRIx64 ", 0x%08" PRIx64 ") %s+0x%" PRIx64 "\n",
		       va->addr, va->addr + va->range, bo_name(va->obj),
		       va->offset);
	printf("    %" PRIu64 " VA(s), %u vm_bo(s) on the extobj list\n",
	       gpuvm_va_count(&vm->base), extobjs);
	if (gpuvm_check(&vm->base) || gpuvm_va_count(&vm->base) != want_vas ||
	    extobjs != want_extobjs) {
		fprintf(stderr, "FAIL: expected %" PRIu64 " VAs and %u extobjs\n",
			want_vas, want_extobjs);
		return -1;
	}
	return 0;
}

int main(void)
{
	struct gpuvm_init_args args = {
		.name = "immediate",
		.flags = GPUVM_IMMEDIATE_MODE | GPUVM_RESV_PROTECTED,
		.start = 1 * MiB,
		.range = (1ull << 32) - 1 * MiB,
		.ops = &drv_vm_ops,
	};
	struct drv_bo ext = { .name = "ext" }, priv = { .name = "priv" };
	struct bind_job jobs[3] = {
		{ .name = "job1" }, { .name = "job2" }, { .name = "job3" },
	};
	/* VAs and extobj vm_bos expected after each job has run */
	static const uint64_t want_vas[3] = { 2, 4, 0 };
	static const unsigned int want_extobjs_run[3] = { 1, 1, 1 };
	static const unsigned int want_extobjs_clean[3] = { 1, 1, 0 };
	struct drv_vm *vm;
	unsigned int i;
	int ret;

	gpuvm_set_warn_handler(on_warn, NULL);
	gpuvm_set_lock_checks(true);
	/* Install the hook before the library allocates anything. */
	gpuvm_set_allocator(&guarded_allocator);

	vm = gpuvm_zalloc(sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "FAIL: out of memory\n");
		return EXIT_FAILURE;
	}
	gpuvm_lock_init(&vm->op_lock, NULL);
	ret = gpuvm_init(&vm->base, &args);
	if (ret) {
		fprintf(stderr, "FAIL: gpuvm_init: %s\n", gpuvm_err_name(ret));
		return EXIT_FAILURE;
	}
	/* "ext" has its own resv (an external object), "priv" the VM's. */
	gpuvm_bo_init(&ext.base, NULL, NULL);
	gpuvm_bo_init(&priv.base, NULL, gpuvm_resv(&vm->base));
	printf("VM [0x%" PRIx64 ", 0x%" PRIx64 "), immediate mode, resv-protected;"
	       " ext is external: %d, priv is external: %d\n",
	       vm->base.mm_start, vm->base.mm_start + vm->base.mm_range,
	       gpuvm_is_extobj(&vm->base, &ext.base),
	       gpuvm_is_extobj(&vm->base, &priv.base));

	for (i = 0; i < 3; i++)
		jobs[i].vm = vm;
	/* job1: two plain maps */
	job_add_map(&jobs[0], &ext, 1 * MiB, 256 * KiB, 0);
	job_add_map(&jobs[0], &priv, 2 * MiB, 128 * KiB, 0);
	/* job2: a map splitting ext's VA (3 new VAs), an unmap cutting priv's */
	job_add_map(&jobs[1], &priv, 1 * MiB + 64 * KiB, 64 * KiB, 64 * KiB);
	job_add_unmap(&jobs[1], 2 * MiB, 64 * KiB);
	/* job3: unmap everything; both vm_bos lose their last VA */
	job_add_unmap(&jobs[2], args.start, args.range);

	/* A queue of binds: all submitted before the first one runs. */
	printf("\n== submit (may allocate)\n");
	for (i = 0; i < 3; i++) {
		ret = job_submit(&jobs[i]);
		if (ret) {
			fprintf(stderr, "FAIL: submit %s: %s\n", jobs[i].name,
				gpuvm_err_name(ret));
			goto fail;
		}
	}

	for (i = 0; i < 3; i++) {
		unsigned long allocs = nr_allocs;

		printf("\n== %s: run (no allocation allowed), then cleanup\n",
		       jobs[i].name);
		ret = job_run(&jobs[i]);
		if (ret) {
			fprintf(stderr, "FAIL: run %s: %s\n", jobs[i].name,
				gpuvm_err_name(ret));
			goto fail;
		}
		printf("    %lu allocation(s) during the run step\n",
		       nr_allocs - allocs);
		if (nr_allocs != allocs)
			goto fail;	/* unreachable: the hook aborts */
		/* Zombies are still on the extobj list until the cleanup. */
		if (check_vm(vm, want_vas[i], want_extobjs_run[i]))
			goto fail;
		job_cleanup(&jobs[i]);
		if (check_vm(vm, want_vas[i], want_extobjs_clean[i]))
			goto fail;
	}

	/* Everything the jobs created is gone; release the rest. */
	if (!gpuvm_list_empty(&ext.base.vm_bos) ||
	    !gpuvm_list_empty(&priv.base.vm_bos)) {
		fprintf(stderr, "FAIL: vm_bos left on the objects\n");
		return EXIT_FAILURE;
	}
	gpuvm_bo_fini(&ext.base);
	gpuvm_bo_fini(&priv.base);
	gpuvm_put(&vm->base);
	gpuvm_set_allocator(NULL);
	if (live_allocs) {
		fprintf(stderr, "FAIL: %ld block(s) leaked\n", live_allocs);
		return EXIT_FAILURE;
	}
	if (warnings) {
		fprintf(stderr, "FAIL: %d library warning(s)\n", warnings);
		return EXIT_FAILURE;
	}
	printf("\n%lu allocations in all, none in a run step\n", nr_allocs);
	printf("immediate_mode: OK\n");
	return EXIT_SUCCESS;

fail:
	/* Best effort; the exit status is what matters. */
	in_run_step = false;
	for (i = 0; i < 3; i++)
		job_cleanup(&jobs[i]);
	return EXIT_FAILURE;
}
