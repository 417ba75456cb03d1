// SPDX-License-Identifier: MIT
/*
 * Allocation-failure sweep over the core and lock entry points that
 * test_alloc_fail.c does not reach (that file covers the five
 * *_ops_create() planners and gpuvm_vm_bo_create()/gpuvm_vm_bo_obtain() in
 * staged mode, with and without driver allocation hooks).
 *
 * One row per entry point (or per short sequence a driver calls as a unit).
 * Every row is run with allocation N failing, for N = 1, 2, ... until a
 * call gets through without an injected failure, once transiently (only
 * allocation N fails) and once persistently (N and every later one).  A
 * fresh environment is built for every call: a VM with ten external
 * objects, two VM-private ones and a sparse mapping, all linked, the
 * external ones on the extobj list and two of them evicted.  After a failed
 * call (and what its contract leaves to the caller, such as
 * gpuvm_exec_fini() after a locking error) the text dump of the VM, of
 * every object and of every reservation must equal the dump taken before
 * the call, and once the environment is torn down no allocation may be
 * left behind.  After the successful
 * call the row checks the result and undoes it, and the dump must again be
 * the one taken before.
 *
 * Rows marked as not allocating must succeed with every allocation
 * failing: the sweep ends at N = 1 with no allocation made.
 */
#include "support.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NEXT		10		/* external objects, mapped */
#define NPRIV		2		/* VM-private objects, mapped */
#define B_FREE		(NEXT + NPRIV)	/* an external object never mapped */
#define NBO		(B_FREE + 1)
#define SWEEP_LIMIT	200
#define ARRAY_SIZE(a)	((int)(sizeof(a) / sizeof((a)[0])))

enum env_mode { ENV_STAGED, ENV_PROTECTED, ENV_IMMEDIATE };

struct rec {
	struct rec *next;
	enum gpuvm_op_type type;
};

struct env {
	enum env_mode mode;
	struct ts_vm t;
	struct ts_bo bo[NBO];
	struct gpuvm_va *va[NEXT + NPRIV + 1];
	int nva;

	/* left by a row's call for its checks */
	struct gpuvm_exec exec;
	struct gpuvm_vm_exec vm_exec;
	struct gpuvm_vm_bo *vm_bo;
	struct ts_vm vm2;
	struct rec *recs;
	int nrecs;
	int nvalidated;

	/* an object whose reservation makes the first locker back off */
	struct gpuvm_bo dl_bo;
	struct gpuvm_resv dl_resv;
	struct gpuvm_exec *dl_holder;
	int dl_backoffs;
	int dl_slow;
};

/* ------------------------------------------------------------------------ */
/* A reservation lock that asks for one back-off, single-threaded           */

static struct env *dl_env(const struct gpuvm_resv *r)
{
	return gpuvm_container_of(r, struct env, dl_resv);
}

static int dl_lock(struct gpuvm_resv *r, struct gpuvm_exec *exec)
{
	struct env *e = dl_env(r);

	if (e->dl_holder)
		return e->dl_holder == exec ? -EALREADY : -EBUSY;
	if (e->dl_backoffs) {
		e->dl_backoffs--;
		return -EDEADLK;
	}
	e->dl_holder = exec;
	return 0;
}

static int dl_lock_slow(struct gpuvm_resv *r, struct gpuvm_exec *exec)
{
	struct env *e = dl_env(r);

	ck_assert_ptr_null(e->dl_holder);
	e->dl_holder = exec;
	e->dl_slow++;
	return 0;
}

static void dl_unlock(struct gpuvm_resv *r)
{
	struct env *e = dl_env(r);

	ck_assert_ptr_nonnull(e->dl_holder);
	e->dl_holder = NULL;
}

static bool dl_held(const struct gpuvm_resv *r)
{
	return dl_env(r)->dl_holder != NULL;
}

static int dl_reserve_fences(struct gpuvm_resv *r, unsigned int n)
{
	(void)r;
	(void)n;
	return 0;
}

static void dl_add_fence(struct gpuvm_resv *r, void *fence,
			 enum gpuvm_resv_usage usage)
{
	(void)r;
	(void)fence;
	(void)usage;
}

static const struct gpuvm_resv_ops dl_ops = {
	.lock = dl_lock,
	.lock_slow = dl_lock_slow,
	.unlock = dl_unlock,
	.held = dl_held,
	.reserve_fences = dl_reserve_fences,
	.add_fence = dl_add_fence,
};

/* ------------------------------------------------------------------------ */
/* VM callbacks: driver steps and validation that allocate                  */

static struct env *cur;

static int rec_step(struct gpuvm_op *op, void *priv)
{
	struct env *e = priv;
	struct rec *r = gpuvm_zalloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->type = op->type;
	r->next = e->recs;
	e->recs = r;
	e->nrecs++;
	return 0;
}

static void recs_free(struct env *e)
{
	while (e->recs) {
		struct rec *r = e->recs;

		e->recs = r->next;
		gpuvm_free(r);
	}
}

static int validate_alloc(struct gpuvm_vm_bo *vm_bo, struct gpuvm_exec *exec)
{
	void *scratch = gpuvm_zalloc(64);

	(void)exec;
	ck_assert(vm_bo->evicted);
	if (!scratch)
		return -ENOMEM;
	gpuvm_free(scratch);
	cur->nvalidated++;
	return 0;
}

static void sweep_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct ts_vm, vm)->freed++;
}

static const struct gpuvm_ops sweep_ops = {
	.vm_free = sweep_vm_free,
	.sm_step_map = rec_step,
	.sm_step_remap = rec_step,
	.sm_step_unmap = rec_step,
	.vm_bo_validate = validate_alloc,
};

/* ------------------------------------------------------------------------ */
/* Environment                                                              */

static bool is_ext(int i)
{
	return i < NEXT || i == B_FREE;
}

static void env_map(struct env *e, uint64_t addr, struct gpuvm_bo *obj)
{
	struct gpuvm_va *va = ts_va_new(addr, 10, obj, 0);
	struct gpuvm_vm_bo *vm_bo;

	ck_assert_int_eq(gpuvm_va_insert(&e->t.vm, va), 0);
	e->va[e->nva++] = va;
	if (!obj)
		return;
	if (gpuvm_immediate_mode(&e->t.vm)) {
		vm_bo = gpuvm_vm_bo_create(&e->t.vm, obj);
		ck_assert_ptr_nonnull(vm_bo);
		vm_bo = gpuvm_vm_bo_obtain_prealloc(vm_bo);
	} else {
		ck_assert_int_eq(gpuvm_vm_bo_obtain(&e->t.vm, obj, &vm_bo), 0);
	}
	gpuvm_va_link(va, vm_bo);
	if (gpuvm_is_extobj(&e->t.vm, obj))
		gpuvm_vm_bo_extobj_add(vm_bo);
	ck_assert(!gpuvm_vm_bo_put(vm_bo));
}

static void env_evict(struct env *e, int i)
{
	struct gpuvm_vm_bo *vm_bo = gpuvm_vm_bo_find(&e->t.vm, &e->bo[i].base);

	ck_assert_ptr_nonnull(vm_bo);
	gpuvm_vm_bo_evict(vm_bo, true);
	ck_assert(!gpuvm_vm_bo_put(vm_bo));
}

/*
 * VM [0, 1000) with [900, 1000) reserved; external object i mapped at
 * [20i, 20i + 10), private object j at [200 + 20j, +10), a sparse VA at
 * [300, 310).  Objects 2 and 5 are evicted (private object 0 in the
 * resv-protected VM, where evicted external objects join the evict list
 * only when gpuvm_prepare_objects() sees them).
 */
static void env_init(struct env *e, enum env_mode mode)
{
	static const uint32_t flags[] = {
		[ENV_STAGED] = 0,
		[ENV_PROTECTED] = GPUVM_RESV_PROTECTED,
		[ENV_IMMEDIATE] = GPUVM_IMMEDIATE_MODE,
	};
	struct gpuvm_init_args args = {
		.name = "sweep", .start = 0, .range = 1000,
		.reserve_start = 900, .reserve_range = 100,
		.ops = &sweep_ops,
	};
	int i;

	memset(e, 0, sizeof(*e));
	e->mode = mode;
	args.flags = flags[mode];
	ck_assert_int_eq(gpuvm_init(&e->t.vm, &args), 0);
	for (i = 0; i < NBO; i++) {
		if (is_ext(i))
			ts_bo_init(&e->bo[i], i);
		else
			ts_bo_init_resv(&e->bo[i], i, gpuvm_resv(&e->t.vm));
	}
	gpuvm_resv_init(&e->dl_resv, &dl_ops);
	gpuvm_bo_init(&e->dl_bo, NULL, &e->dl_resv);

	for (i = 0; i < NEXT; i++)
		env_map(e, 20 * (uint64_t)i, &e->bo[i].base);
	for (i = 0; i < NPRIV; i++)
		env_map(e, 200 + 20 * (uint64_t)i, &e->bo[NEXT + i].base);
	env_map(e, 300, NULL);
	if (mode == ENV_PROTECTED) {
		env_evict(e, NEXT);
	} else {
		env_evict(e, 2);
		env_evict(e, 5);
	}
	gpuvm_exec_init(&e->exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	cur = e;
}

static void env_fini(struct env *e)
{
	int i;

	gpuvm_exec_fini(&e->exec);
	for (i = 0; i < e->nva; i++) {
		gpuvm_va_unlink(e->va[i]);
		gpuvm_va_remove(e->va[i]);
		free(e->va[i]);
	}
	ck_assert_uint_eq(gpuvm_refcount(&e->t.vm), 1);
	gpuvm_put(&e->t.vm);
	ck_assert_int_eq(e->t.freed, 1);
	for (i = 0; i < NBO; i++) {
		ck_assert_int_eq(e->bo[i].refs, 1);
		gpuvm_bo_fini(&e->bo[i].base);
	}
	gpuvm_bo_fini(&e->dl_bo);
	gpuvm_resv_fini(&e->dl_resv);
	cur = NULL;
}

static void env_dump(struct env *e, struct ts_dump *d)
{
	int i;

	ts_dump_vm(d, &e->t.vm);
	ts_dump_bo(d, e->t.vm.r_obj);
	for (i = 0; i < NBO; i++) {
		ts_dump_printf(d, "object %d refs %d ", i, e->bo[i].refs);
		ts_dump_bo(d, &e->bo[i].base);
	}
	ts_dump_printf(d, "back-off object holder %p\n",
		       (void *)e->dl_holder);
	ts_dump_bo(d, &e->dl_bo);
	ts_dump_printf(d, "exec: %u objects, contended %p, prelocked %p\n",
		       e->exec.num_objects, (void *)e->exec.contended,
		       (void *)e->exec.prelocked);
}

/* Every object of the environment locked by @exec (shared resvs once). */
static void expect_locked(struct env *e, const struct gpuvm_exec *exec,
			  int first, int last, bool vm_resv)
{
	for (int i = first; i <= last; i++)
		ck_assert_msg(ts_resv_held_by(e->bo[i].base.resv, exec),
			      "object %d not locked", i);
	if (vm_resv)
		ck_assert(ts_resv_held_by(gpuvm_resv(&e->t.vm), exec));
}

/* ------------------------------------------------------------------------ */
/* The rows                                                                 */

struct row {
	const char *name;	/* the entry points the call exercises */
	enum env_mode mode;
	bool allocates;		/* false: succeeds with every allocation failing */
	int (*call)(struct env *e);
	/* after success: check the result and undo it */
	void (*ok)(struct env *e);
	/* after -ENOMEM: what the caller does next, and checks; may be NULL */
	void (*failed)(struct env *e, unsigned long n);
};

/* gpuvm_init ------------------------------------------------------------- */

static int call_init(struct env *e)
{
	struct gpuvm_init_args args = {
		.name = "second", .start = 0x1000, .range = 0x1000,
		.reserve_start = 0x1000, .reserve_range = 0x100,
		.ops = &ts_vm_ops,
	};

	return gpuvm_init(&e->vm2.vm, &args);
}

static void ok_init(struct env *e)
{
	ck_assert_uint_eq(gpuvm_refcount(&e->vm2.vm), 1);
	ck_assert_ptr_eq(gpuvm_va_find(&e->vm2.vm, 0x1000, 0x100),
			 &e->vm2.vm.kernel_alloc_node);
	gpuvm_put(&e->vm2.vm);
	ck_assert_int_eq(e->vm2.freed, 1);
}

/* gpuvm_sm_map / gpuvm_sm_unmap with allocating steps ------------------- */

/* map [5, 45): REMAP (prev) of object 0, UNMAP of 1, REMAP (next) of 2, MAP */
static int call_sm_map(struct env *e)
{
	struct gpuvm_map_req req = { .map = {
		.addr = 5, .range = 40, .obj = &e->bo[B_FREE].base } };

	return gpuvm_sm_map(&e->t.vm, e, &req);
}

static void ok_sm_map(struct env *e)
{
	static const enum gpuvm_op_type want[] = {
		GPUVM_OP_MAP, GPUVM_OP_REMAP, GPUVM_OP_UNMAP, GPUVM_OP_REMAP,
	};
	struct rec *r = e->recs;

	/* newest first */
	for (int i = 0; i < ARRAY_SIZE(want); i++, r = r->next) {
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->type, want[i]);
	}
	ck_assert_ptr_null(r);
	recs_free(e);
}

/* The walk stops at the failing step: only the earlier ones were made. */
static void failed_steps(struct env *e, unsigned long n)
{
	ck_assert_int_eq(e->nrecs, (int)n - 1);
	recs_free(e);
}

static int call_sm_unmap(struct env *e)
{
	return gpuvm_sm_unmap(&e->t.vm, e, 5, 40);
}

static void ok_sm_unmap(struct env *e)
{
	ck_assert_int_eq(e->nrecs, 3);
	ck_assert_int_eq(e->recs->type, GPUVM_OP_REMAP);
	recs_free(e);
}

/* immediate mode: gpuvm_vm_bo_create + gpuvm_vm_bo_obtain_prealloc ------ */

static int prealloc(struct env *e, int i)
{
	struct gpuvm_vm_bo *pre = gpuvm_vm_bo_create(&e->t.vm,
						     &e->bo[i].base);

	if (!pre)
		return -ENOMEM;
	e->vm_bo = gpuvm_vm_bo_obtain_prealloc(pre);
	return 0;
}

static int call_prealloc_new(struct env *e)
{
	return prealloc(e, B_FREE);
}

static int call_prealloc_existing(struct env *e)
{
	return prealloc(e, 3);
}

static void put_vm_bo(struct env *e)
{
	struct gpuvm_bo *obj = e->vm_bo->obj;

	gpuvm_lock_lock(&obj->gpuva_lock);
	gpuvm_vm_bo_put(e->vm_bo);
	gpuvm_lock_unlock(&obj->gpuva_lock);
	e->vm_bo = NULL;
}

static void ok_prealloc_new(struct env *e)
{
	ck_assert_ptr_eq(e->vm_bo->obj, &e->bo[B_FREE].base);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(e->vm_bo), 1);
	ck_assert_ptr_eq(gpuvm_list_first_entry(&e->bo[B_FREE].base.vm_bos,
						struct gpuvm_vm_bo, bo_link),
			 e->vm_bo);
	put_vm_bo(e);
}

static void ok_prealloc_existing(struct env *e)
{
	/* the existing vm_bo, with the linked VA's reference and ours */
	ck_assert_ptr_eq(e->vm_bo, e->va[3]->vm_bo);
	ck_assert_uint_eq(gpuvm_vm_bo_refcount(e->vm_bo), 2);
	put_vm_bo(e);
}

/* resv-protected: gpuvm_vm_bo_obtain + gpuvm_vm_bo_extobj_add ----------- */

static int call_obtain_extobj(struct env *e)
{
	int ret;

	gpuvm_resv_lock(gpuvm_resv(&e->t.vm));
	ret = gpuvm_vm_bo_obtain(&e->t.vm, &e->bo[B_FREE].base, &e->vm_bo);
	if (!ret)
		gpuvm_vm_bo_extobj_add(e->vm_bo);
	gpuvm_resv_unlock(gpuvm_resv(&e->t.vm));
	return ret;
}

static void ok_obtain_extobj(struct env *e)
{
	ck_assert_ptr_eq(gpuvm_list_last_entry(&e->t.vm.extobj.list,
					       struct gpuvm_vm_bo, extobj_link),
			 e->vm_bo);
	gpuvm_resv_lock(gpuvm_resv(&e->t.vm));
	ck_assert(gpuvm_vm_bo_put(e->vm_bo));
	gpuvm_resv_unlock(gpuvm_resv(&e->t.vm));
	e->vm_bo = NULL;
}

/* gpuvm_resv_reserve_fences --------------------------------------------- */

static unsigned int fence_cap;

static int call_reserve(struct env *e)
{
	struct gpuvm_resv *r = e->bo[4].base.resv;
	int ret;

	ck_assert_int_eq(gpuvm_resv_lock(r), 0);
	fence_cap = r->alloc_fences;
	ret = gpuvm_resv_reserve_fences(r, 3);
	gpuvm_resv_unlock(r);
	return ret;
}

static void ok_reserve(struct env *e)
{
	struct gpuvm_resv *r = e->bo[4].base.resv;

	/* The slots died with the unlock; the room stays. */
	ck_assert_uint_eq(r->max_fences, r->num_fences);
	ck_assert_uint_ge(r->alloc_fences, r->num_fences + 3);
}

static void failed_reserve(struct env *e, unsigned long n)
{
	(void)n;
	/* here not even the capacity changed */
	ck_assert_uint_eq(e->bo[4].base.resv->alloc_fences, fence_cap);
}

/* gpuvm_exec_lock_obj / prepare_obj / prepare_array / retry ------------- */

/* End the context as a caller does (freeing its array), start a new one. */
static void exec_reset(struct env *e)
{
	gpuvm_exec_fini(&e->exec);
	gpuvm_exec_init(&e->exec, GPUVM_EXEC_IGNORE_DUPLICATES);
}


static int call_lock_objs(struct env *e)
{
	int ret = 0;

	/* eleven objects: the tracking array grows from 8 to 16 */
	for (int i = 0; i < NBO && !ret; i++)
		if (is_ext(i))
			ret = gpuvm_exec_lock_obj(&e->exec, &e->bo[i].base);
	return ret;
}

static void ok_lock_objs(struct env *e)
{
	ck_assert_uint_eq(e->exec.num_objects, NEXT + 1);
	expect_locked(e, &e->exec, 0, NEXT - 1, false);
	exec_reset(e);
}

static void failed_exec(struct env *e, unsigned long n)
{
	(void)n;
	exec_reset(e);
}

static struct gpuvm_bo *all_objs[NBO];

static int call_prepare_array(struct env *e)
{
	for (int i = 0; i < NBO; i++)
		all_objs[i] = &e->bo[i].base;
	return gpuvm_exec_prepare_array(&e->exec, all_objs, NBO, 2);
}

static void ok_prepare_array(struct env *e)
{
	/* the private objects share the VM's resv: locked once */
	ck_assert_uint_eq(e->exec.num_objects, NEXT + 2);
	expect_locked(e, &e->exec, 0, NBO - 1, true);
	for (int i = 0; i < NBO; i++)
		ck_assert_uint_ge(e->bo[i].base.resv->max_fences, 2);
	exec_reset(e);
}

static int call_retry(struct env *e)
{
	int ret;

	e->dl_backoffs = 1;
	do {
		ret = gpuvm_exec_prepare_obj(&e->exec, &e->dl_bo, 1);
		if (!ret)
			ret = gpuvm_exec_prepare_array(&e->exec, all_objs,
						       NEXT, 1);
	} while (gpuvm_exec_retry(&e->exec, &ret));
	return ret;
}

static void ok_retry(struct env *e)
{
	ck_assert_int_eq(e->dl_slow, 1);
	ck_assert_ptr_eq(e->dl_holder, &e->exec);
	ck_assert_ptr_eq(e->exec.objects[0], &e->dl_bo);
	ck_assert_uint_eq(e->exec.num_objects, NEXT + 1);
	expect_locked(e, &e->exec, 0, NEXT - 1, false);
	exec_reset(e);
}

static int call_retry_setup(struct env *e)
{
	for (int i = 0; i < NBO; i++)
		all_objs[i] = &e->bo[i].base;
	return call_retry(e);
}

/* gpuvm_prepare_vm / prepare_objects / prepare_range ---------------------- */

static int call_prepare_vm_objects(struct env *e)
{
	int ret;

	do {
		ret = gpuvm_prepare_vm(&e->t.vm, &e->exec, 1);
		if (!ret)
			ret = gpuvm_prepare_objects(&e->t.vm, &e->exec, 1);
	} while (gpuvm_exec_retry(&e->exec, &ret));
	return ret;
}

static void ok_prepare_vm_objects(struct env *e)
{
	ck_assert_uint_eq(e->exec.num_objects, NEXT + 1);
	ck_assert_ptr_eq(e->exec.objects[0], e->t.vm.r_obj);
	expect_locked(e, &e->exec, 0, NEXT - 1, true);
	exec_reset(e);
}

static int call_prepare_range(struct env *e)
{
	int ret;

	do {
		ret = gpuvm_prepare_range(&e->t.vm, &e->exec, 0, 400, 1);
	} while (gpuvm_exec_retry(&e->exec, &ret));
	return ret;
}

static void ok_prepare_range(struct env *e)
{
	/* ten external objects and the VM's resv (the private ones') */
	ck_assert_uint_eq(e->exec.num_objects, NEXT + 1);
	expect_locked(e, &e->exec, 0, NEXT + NPRIV - 1, true);
	exec_reset(e);
}

/* gpuvm_exec_lock / lock_array / lock_range: nothing locked on error ------- */

static void vm_exec_init(struct env *e)
{
	memset(&e->vm_exec, 0, sizeof(e->vm_exec));
	e->vm_exec.vm = &e->t.vm;
	e->vm_exec.flags = GPUVM_EXEC_IGNORE_DUPLICATES;
	e->vm_exec.num_fences = 1;
}

static int call_exec_lock(struct env *e)
{
	vm_exec_init(e);
	return gpuvm_exec_lock(&e->vm_exec);
}

static void ok_exec_lock(struct env *e)
{
	ck_assert_uint_eq(e->vm_exec.exec.num_objects, NEXT + 1);
	expect_locked(e, &e->vm_exec.exec, 0, NEXT - 1, true);
	gpuvm_exec_unlock(&e->vm_exec);
}

static int call_exec_lock_array(struct env *e)
{
	struct gpuvm_bo *objs[] = { &e->bo[B_FREE].base, &e->bo[NEXT].base };

	vm_exec_init(e);
	return gpuvm_exec_lock_array(&e->vm_exec, objs, 2);
}

static void ok_exec_lock_array(struct env *e)
{
	ck_assert_uint_eq(e->vm_exec.exec.num_objects, NEXT + 2);
	ck_assert_ptr_null(e->vm_exec.extra.fn);
	expect_locked(e, &e->vm_exec.exec, 0, B_FREE, true);
	gpuvm_exec_unlock(&e->vm_exec);
}

static int call_exec_lock_range(struct env *e)
{
	vm_exec_init(e);
	return gpuvm_exec_lock_range(&e->vm_exec, 15, 200);
}

static void ok_exec_lock_range(struct env *e)
{
	/* objects 1..9 and the VM's resv (private object 0 at 200) */
	ck_assert_uint_eq(e->vm_exec.exec.num_objects, NEXT);
	ck_assert_uint_gt(e->vm_exec.exec.max_objects, 8);
	expect_locked(e, &e->vm_exec.exec, 1, NEXT, true);
	ck_assert(!ts_resv_locked(e->bo[0].base.resv));
	gpuvm_exec_unlock(&e->vm_exec);
}

/* gpuvm_sm_map_exec_lock / gpuvm_sm_unmap_exec_lock ------------------------ */

static int call_map_exec_lock(struct env *e)
{
	struct gpuvm_map_req req = { .map = {
		.addr = 5, .range = 40, .obj = &e->bo[B_FREE].base } };
	int ret;

	do {
		ret = gpuvm_sm_map_exec_lock(&e->t.vm, &e->exec, 1, &req);
	} while (gpuvm_exec_retry(&e->exec, &ret));
	return ret;
}

static void ok_map_exec_lock(struct env *e)
{
	ck_assert_uint_eq(e->exec.num_objects, 4);
	ck_assert_ptr_eq(e->exec.objects[0], &e->bo[B_FREE].base);
	expect_locked(e, &e->exec, 0, 2, false);
	ck_assert_uint_ge(e->bo[B_FREE].base.resv->max_fences, 1);
	exec_reset(e);
}

static int call_unmap_exec_lock(struct env *e)
{
	int ret;

	do {
		ret = gpuvm_sm_unmap_exec_lock(&e->t.vm, &e->exec, 5, 40);
	} while (gpuvm_exec_retry(&e->exec, &ret));
	return ret;
}

static void ok_unmap_exec_lock(struct env *e)
{
	ck_assert_uint_eq(e->exec.num_objects, 3);
	expect_locked(e, &e->exec, 0, 2, false);
	exec_reset(e);
}

/* gpuvm_validate with a validate callback that allocates ------------------ */

static int call_validate(struct env *e)
{
	e->nvalidated = 0;
	if (e->mode == ENV_PROTECTED) {
		int ret;

		gpuvm_resv_lock(gpuvm_resv(&e->t.vm));
		ret = gpuvm_validate(&e->t.vm, &e->exec);
		gpuvm_resv_unlock(gpuvm_resv(&e->t.vm));
		return ret;
	}
	return gpuvm_validate(&e->t.vm, &e->exec);
}

static void ok_validate(struct env *e)
{
	/* nothing was made resident: every vm_bo stays evicted and listed */
	ck_assert_int_eq(e->nvalidated, e->mode == ENV_PROTECTED ? 1 : 2);
}

static void failed_validate(struct env *e, unsigned long n)
{
	/* the walk stopped at the failing callback */
	ck_assert_int_eq(e->nvalidated, (int)n - 1);
}

static const struct row rows[] = {
	{ "gpuvm_init", ENV_STAGED, false, call_init, ok_init, NULL },
	{ "gpuvm_sm_map, steps allocate", ENV_STAGED, true,
	  call_sm_map, ok_sm_map, failed_steps },
	{ "gpuvm_sm_unmap, steps allocate", ENV_STAGED, true,
	  call_sm_unmap, ok_sm_unmap, failed_steps },
	{ "gpuvm_vm_bo_create + obtain_prealloc, new", ENV_IMMEDIATE, true,
	  call_prealloc_new, ok_prealloc_new, NULL },
	{ "gpuvm_vm_bo_create + obtain_prealloc, existing", ENV_IMMEDIATE,
	  true, call_prealloc_existing, ok_prealloc_existing, NULL },
	{ "gpuvm_vm_bo_obtain + extobj_add, resv-protected", ENV_PROTECTED,
	  true, call_obtain_extobj, ok_obtain_extobj, NULL },
	{ "gpuvm_resv_reserve_fences", ENV_STAGED, true,
	  call_reserve, ok_reserve, failed_reserve },
	{ "gpuvm_exec_lock_obj x11", ENV_STAGED, true,
	  call_lock_objs, ok_lock_objs, failed_exec },
	{ "gpuvm_exec_prepare_array (prepare_obj)", ENV_STAGED, true,
	  call_prepare_array, ok_prepare_array, failed_exec },
	{ "gpuvm_exec_retry after a back-off", ENV_STAGED, true,
	  call_retry_setup, ok_retry, failed_exec },
	{ "gpuvm_prepare_vm + prepare_objects", ENV_STAGED, true,
	  call_prepare_vm_objects, ok_prepare_vm_objects, failed_exec },
	{ "gpuvm_prepare_vm + prepare_objects, resv-protected", ENV_PROTECTED,
	  true, call_prepare_vm_objects, ok_prepare_vm_objects, failed_exec },
	{ "gpuvm_prepare_vm + prepare_objects, immediate", ENV_IMMEDIATE,
	  true, call_prepare_vm_objects, ok_prepare_vm_objects, failed_exec },
	{ "gpuvm_prepare_range", ENV_STAGED, true,
	  call_prepare_range, ok_prepare_range, failed_exec },
	{ "gpuvm_exec_lock", ENV_STAGED, true,
	  call_exec_lock, ok_exec_lock, NULL },
	{ "gpuvm_exec_lock, resv-protected", ENV_PROTECTED, true,
	  call_exec_lock, ok_exec_lock, NULL },
	{ "gpuvm_exec_lock_array", ENV_STAGED, true,
	  call_exec_lock_array, ok_exec_lock_array, NULL },
	{ "gpuvm_exec_lock_range", ENV_STAGED, true,
	  call_exec_lock_range, ok_exec_lock_range, NULL },
	{ "gpuvm_sm_map_exec_lock", ENV_STAGED, true,
	  call_map_exec_lock, ok_map_exec_lock, failed_exec },
	/* three objects: listed in the context, nothing allocated */
	{ "gpuvm_sm_unmap_exec_lock", ENV_STAGED, false,
	  call_unmap_exec_lock, ok_unmap_exec_lock, failed_exec },
	{ "gpuvm_validate, callback allocates", ENV_STAGED, true,
	  call_validate, ok_validate, failed_validate },
	{ "gpuvm_validate, callback allocates, resv-protected", ENV_PROTECTED,
	  true, call_validate, ok_validate, failed_validate },
};

/* ------------------------------------------------------------------------ */
/* The sweep                                                                */

static unsigned long sweep(const struct row *row, bool persistent)
{
	unsigned long n, made = 0;

	for (n = 1;; n++) {
		struct ts_dump before, after;
		unsigned long fails, calls;
		bool injected;
		struct env e;
		long live;
		int ret;

		ck_assert_msg(n < SWEEP_LIMIT, "%s: sweep does not end",
			      row->name);
		live = ts_alloc_live();
		env_init(&e, row->mode);
		ts_dump_init(&before);
		env_dump(&e, &before);
		fails = ts_alloc_failures();
		calls = ts_alloc_calls();
		ts_warn_capture();

		ts_alloc_fail_at(n, persistent);
		ret = row->call(&e);
		ts_alloc_fail_at(0, 0);

		injected = ts_alloc_failures() != fails;
		if (!injected) {
			ck_assert_msg(ret == 0, "%s: %s without a failure",
				      row->name, gpuvm_err_name(ret));
			made = ts_alloc_calls() - calls;
			row->ok(&e);
		} else {
			ck_assert_msg(ret == -ENOMEM,
				      "%s, allocation %lu (%s): returned %s",
				      row->name, n, persistent ? "persistent" :
				      "transient", gpuvm_err_name(ret));
			if (row->failed)
				row->failed(&e, n);
		}
		ck_assert_msg(ts_warn_count() == 0, "%s: warning from %s",
			      row->name, ts_warn_last_func());
		gpuvm_set_warn_handler(NULL, NULL);
		ts_dump_init(&after);
		env_dump(&e, &after);
		ts_dump_expect_eq(&before, &after, row->name, n);
		ts_dump_fini(&before);
		ts_dump_fini(&after);
		/*
		 * Leaks are counted once the environment is gone: a
		 * reservation keeps the fence room it made (freed with the
		 * object), as dma_resv does.
		 */
		env_fini(&e);
		ck_assert_msg(ts_alloc_live() == live,
			      "%s, allocation %lu (%s): %ld blocks leaked",
			      row->name, n, persistent ? "persistent" :
			      "transient", ts_alloc_live() - live);
		if (!injected)
			break;
	}
	/* every allocation of the successful call was failed once */
	ck_assert_uint_eq(n - 1, made);
	if (row->allocates)
		ck_assert_msg(made >= 1, "%s: nothing to fail", row->name);
	else
		ck_assert_msg(made == 0, "%s: allocated %lu", row->name, made);
	return made;
}

START_TEST(test_sweep)
{
	const struct row *row = &rows[_i];

	ts_alloc_install();
	ck_assert_uint_eq(sweep(row, false), sweep(row, true));
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

static Suite *alloc_sweep_suite(void)
{
	Suite *s = suite_create("alloc_sweep");
	TCase *tc = tcase_create("rows");

	tcase_add_loop_test(tc, test_sweep, 0, ARRAY_SIZE(rows));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* The environment links VAs and moves list entries without taking
	 * every lock the checks want; test_vm_bo_modes.c covers the checks. */
	gpuvm_set_lock_checks(false);
	return ts_run_suite(alloc_sweep_suite());
}
