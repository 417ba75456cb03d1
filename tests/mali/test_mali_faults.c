// SPDX-License-Identifier: MIT
/*
 * Hardware-fault sweep on the simulated Mali MMU.
 *
 * For every GPU kind (CSF, Job Manager, Midgard), every operation of the
 * backend (AS enable and disable, map, unmap, protection change, madvise,
 * an explicit flush window) and every hardware fault (AS_ACTIVE stuck,
 * cache flush that never completes, MMU fault latched mid-sequence, a GPU
 * access mid-sequence, spurious and missed interrupts, one register read
 * of 0xFFFFFFFF, power lost), the fault is raised at each register access
 * of the operation in turn, through the simulator's register hook.  After
 * each run:
 *
 *  - the result is 0 or a clear errno (-ETIMEDOUT, -EIO), the one the
 *    fault implies, and the MMU needs a reset exactly when it failed;
 *  - the CPU-side page tables and the VA tree are exactly the state before
 *    the operation or exactly the state after it (the state after it when
 *    it succeeded, and the VM is then unusable until a reset when the
 *    tables moved on but the flush failed);
 *  - while a reset is needed, further requests fail with -EIO without
 *    touching a register;
 *  - once the fault is cleared (interrupts serviced, or GPU reset and
 *    gpuvm_mali_mmu_reset_done()), the GPU's walker and TLB translate every
 *    page of the window as the CPU-side tables say, the simulator logged
 *    no protocol violation, and the VM takes a new request.
 *
 * The expected old and new states come from a fault-free run of the same
 * operation on an identical fixture.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_vm.h>

#include "../support.h"
#include "sim_fixture.h"

#define PG		0x1000ull
#define PT_SIZE		(256 * 1024ull)
#define BUF_BASE	0x90000000ull	/* never read by the GPU: not backed */
#define BUF_SIZE	(2 * MiB)

#define WIN		0x40000000ull
#define NP		48		/* pages of the window checked */
#define SRC_ID		5
#define SLOT		0u		/* the only VM always gets slot 0 */

#define RW	(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE | GPUVM_MALI_PT_CACHED)
#define RO	(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_NOEXEC)

/* a translation fault at level 1 on a read */
#define FAULT_STATUS	(0xC1u | (GPUVM_MALI_ACCESS_READ << 8) | \
			 ((uint32_t)SRC_ID << 16))

enum gpu_kind { GPU_CSF, GPU_JM, GPU_MIDGARD, GPU_N };

enum op_kind {
	OP_ENABLE,	/* gpuvm_mali_vm_bind() of an unbound VM */
	OP_DISABLE,	/* gpuvm_mali_vm_unbind() */
	OP_MAP,		/* a map that splits two mappings */
	OP_UNMAP,	/* an unmap that splits two mappings */
	OP_PROT,	/* the same mapping again, read-only */
	OP_MADVISE,	/* split a sparse mapping: no register access */
	OP_FLUSH,	/* begin/end_update with UPDATE_MEM: FLUSH_MEM */
	OP_N
};

enum fault_kind {
	F_STUCK,	/* AS_ACTIVE reads 1 forever from the k-th AS_STATUS read */
	F_FLUSH_HANG,	/* GPU cache flushes stop completing at the k-th read */
	F_MMU_FAULT,	/* a translation fault latched at the k-th access */
	F_GPU_ACCESS,	/* the GPU reads a changing page at the k-th access */
	F_SPURIOUS,	/* an interrupt with nothing pending at the k-th access */
	F_MISSED,	/* a fault whose interrupt events were partly missed */
	F_BUS_ERROR,	/* the k-th read returns 0xFFFFFFFF, once */
	F_POWER_OFF,	/* the GPU loses power before the k-th access */
	F_N
};

static const char *const gpu_names[GPU_N] = { "CSF", "JM", "Midgard" };
static const char *const op_names[OP_N] = {
	"enable", "disable", "map", "unmap", "prot", "madvise", "flush",
};
static const char *const fault_names[F_N] = {
	"stuck", "flush-hang", "mmu-fault", "gpu-access", "spurious-irq",
	"missed-irq", "bus-error", "power-off",
};

/*
 * What the k of a fault counts: AS_STATUS reads for a stuck AS (AS_ACTIVE
 * is the busy bit of a command: it sticks while the driver polls for one),
 * reads for the faults of a read, every access for the others.
 */
enum step_kind { STEP_STATUS, STEP_READ, STEP_ACCESS };

static enum step_kind step_of(enum fault_kind f)
{
	if (f == F_STUCK)
		return STEP_STATUS;
	if (f == F_FLUSH_HANG || f == F_BUS_ERROR)
		return STEP_READ;
	return STEP_ACCESS;
}

static const char *const step_names[] = { "AS_STATUS read", "read", "access" };

/* --- fixture ------------------------------------------------------------ */

static struct gpuvm_mali_mmu *mmu;
static struct gpuvm_mali_ptmem *mem;
static struct gpuvm_mali_vm *vm;
static struct gpuvm_mali_bo bos[2];
static int nfaults;

static char ctx[128];	/* the case being run, for failure messages */

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			ck_abort_msg("%s: '%s' failed", ctx, #cond);	\
	} while (0)

#define CHECK_INT(a, b)							\
	do {								\
		long long chk_a_ = (a), chk_b_ = (b);			\
		if (chk_a_ != chk_b_)					\
			ck_abort_msg("%s: '%s == %s' failed: %lld vs %lld", \
				     ctx, #a, #b, chk_a_, chk_b_);	\
	} while (0)

static void on_fault(const struct gpuvm_mali_fault *f, void *priv)
{
	(void)f;
	(void)priv;
	nfaults++;
}

static bool under_valgrind(void)
{
	return getenv("GPUVM_UNDER_VALGRIND") != NULL;
}

static void sim_cfg(struct gpuvm_mali_sim_config *cfg, enum gpu_kind kind)
{
	gpuvm_mali_sim_config_init(cfg, kind == GPU_CSF ? GPUVM_MALI_SIM_CSF :
				   GPUVM_MALI_SIM_JM);
	if (kind == GPU_MIDGARD) {
		cfg->gpu_id = 0x08600000;
		cfg->mmu_features = 0x2827;
		cfg->formats = GPUVM_MALI_SIM_FMT_LPAE;
	}
	cfg->tlb_capacity = 64;
	cfg->trace_capacity = 0;
}

static void check_no_violation(void)
{
	if (gpuvm_mali_sim_violation_count(sim))
		fx_dump_violations(ctx);
	CHECK_INT(gpuvm_mali_sim_violation_count(sim), 0);
}

/* Run one interrupt cycle so that the MMU has seen the event counter. */
static void prime_irq(void)
{
	CHECK_INT(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ,
					0, 0), 0);
	CHECK_INT(gpuvm_mali_mmu_irq_loop_once(mmu, 0), 1);
}

/* Every page of the window that translates is read once by the GPU. */
static void warm(void)
{
	unsigned int i;

	for (i = 0; i < NP; i++) {
		uint64_t va = WIN + i * PG, pa;

		if (gpuvm_mali_sim_walk_oracle(sim, SLOT, va,
					       GPUVM_MALI_SIM_READ, NULL,
					       NULL) == 0)
			CHECK_INT(gpuvm_mali_sim_access(sim, SLOT, va,
							GPUVM_MALI_SIM_READ,
							SRC_ID, &pa),
				  GPUVM_MALI_SIM_OK);
	}
}

/*
 * The state every operation starts from: [0, 16) -> bo0 RW, [16, 24) ->
 * bo1 RO, a sparse mapping [32, 40) (pages of the window); bound to slot 0
 * (except for the enable case) with a warm TLB and walker cache.
 */
static void start(enum gpu_kind kind, enum op_kind op)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_vm_config vcfg;

	sim_cfg(&cfg, kind);
	CHECK_INT(gpuvm_mali_sim_create(&cfg, &sim), 0);
	CHECK_INT(gpuvm_mali_sim_add_memory(sim, PT_BASE, PT_SIZE), 0);
	hal = gpuvm_mali_sim_hal(sim);
	CHECK_INT(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
	gpuvm_mali_mmu_set_fault_handler(mmu, on_fault, NULL);
	nfaults = 0;

	CHECK_INT(gpuvm_mali_ptmem_create(hal, &mem), 0);
	CHECK_INT(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, PT_SIZE), 0);
	CHECK_INT(gpuvm_mali_ptmem_add_output_range(mem, BUF_BASE, BUF_SIZE), 0);

	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.name = "faults";
	vcfg.va_start = 0x100000;
	vcfg.va_range = 0x100000000ull;
	CHECK_INT(gpuvm_mali_vm_create(mmu, mem, &vcfg, &vm), 0);
	CHECK_INT(gpuvm_mali_bo_init(&bos[0], BUF_BASE, 64 * PG, NULL), 0);
	CHECK_INT(gpuvm_mali_bo_init(&bos[1], BUF_BASE + MiB, 64 * PG, NULL), 0);

	CHECK_INT(gpuvm_mali_vm_map(vm, WIN, 16 * PG, &bos[0], 0, RW), 0);
	CHECK_INT(gpuvm_mali_vm_map(vm, WIN + 16 * PG, 8 * PG, &bos[1], 0, RO),
		  0);
	CHECK_INT(gpuvm_mali_vm_map(vm, WIN + 32 * PG, 8 * PG, NULL, 0, RW), 0);
	if (op != OP_ENABLE) {
		CHECK_INT(gpuvm_mali_vm_bind(vm), (int)SLOT);
		warm();
	}
	prime_irq();
	check_no_violation();
}

static void finish(void)
{
	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	check_no_violation();
	gpuvm_mali_vm_destroy(vm);
	vm = NULL;
	gpuvm_mali_bo_fini(&bos[0]);
	gpuvm_mali_bo_fini(&bos[1]);
	gpuvm_mali_ptmem_destroy(mem);
	mem = NULL;
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	gpuvm_mali_sim_destroy(sim);
	sim = NULL;
	CHECK_INT(ts_alloc_live(), 0);
}

/* --- operations --------------------------------------------------------- */

static int run_op(enum op_kind op)
{
	struct gpuvm_mali_as_client *c;
	int ret;

	switch (op) {
	case OP_ENABLE:
		ret = gpuvm_mali_vm_bind(vm);
		return ret > 0 ? 0 : ret;
	case OP_DISABLE:
		return gpuvm_mali_vm_unbind(vm);
	case OP_MAP:
		return gpuvm_mali_vm_map(vm, WIN + 12 * PG, 8 * PG, &bos[1],
					 16 * PG, RW);
	case OP_UNMAP:
		return gpuvm_mali_vm_unmap(vm, WIN + 4 * PG, 16 * PG);
	case OP_PROT:
		return gpuvm_mali_vm_map(vm, WIN, 16 * PG, &bos[0], 0, RO);
	case OP_MADVISE:
		return gpuvm_mali_vm_madvise(vm, WIN + 34 * PG, 2 * PG);
	case OP_FLUSH:
		c = gpuvm_mali_vm_client(vm);
		ret = gpuvm_mali_mmu_begin_update(mmu, c, WIN, 16 * PG);
		if (ret)
			return ret;
		return gpuvm_mali_mmu_end_update(mmu, c, mem,
						 GPUVM_MALI_MMU_UPDATE_MEM);
	case OP_N:
		break;
	}
	ck_abort_msg("bad op %d", (int)op);
	return -EINVAL;
}

/* --- snapshots of the CPU-side state ------------------------------------ */

#define SNAP_VAS	16

struct snap {
	int lookup[NP];
	uint64_t pa[NP];
	uint64_t desc[NP];
	unsigned int prot[NP];
	size_t tables;
	unsigned int nvas;
	struct {
		uint64_t addr, range, offset;
		const struct gpuvm_bo *obj;
	} va[SNAP_VAS];
};

static void take_snap(struct snap *s)
{
	struct gpuvm_mali_pgtable *pt = gpuvm_mali_vm_pgtable(vm);
	struct gpuvm_va *va;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < NP; i++) {
		struct gpuvm_mali_pt_entry e;

		memset(&e, 0, sizeof(e));
		s->lookup[i] = gpuvm_mali_pt_lookup(pt, WIN + i * PG, &e);
		if (!s->lookup[i]) {
			s->pa[i] = e.pa;
			s->desc[i] = e.desc;
		}
		s->prot[i] = gpuvm_mali_vm_prot(vm, WIN + i * PG);
	}
	s->tables = gpuvm_mali_pt_count_tables(pt);
	gpuvm_for_each_va(va, gpuvm_mali_vm_gpuvm(vm)) {
		CHECK(s->nvas < SNAP_VAS);
		s->va[s->nvas].addr = va->addr;
		s->va[s->nvas].range = va->range;
		s->va[s->nvas].offset = va->offset;
		s->va[s->nvas].obj = va->obj;
		s->nvas++;
	}
}

static bool snap_eq(const struct snap *a, const struct snap *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* --- the fault, raised from the register hook --------------------------- */

struct arm {
	enum fault_kind fault;
	enum op_kind op;
	bool csf;
	long k;			/* fire at this step of the op */
	long steps[3];		/* seen so far, by enum step_kind */
	bool fired;
	bool locked;		/* a lock region was held at the access */
	bool rawstat_after;	/* GPU_INT_RAWSTAT read at or after firing */
	int inj_ret;		/* what the injection returned */
	int access_res;		/* F_GPU_ACCESS: result and address */
	uint64_t access_pa;
};

#define ACCESS_PAGE	13	/* changed by map, unmap and prot */

static void fire(struct arm *a)
{
	int r;

	a->fired = true;
	switch (a->fault) {
	case F_STUCK:
		a->inj_ret = gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK,
						   SLOT, 1);
		break;
	case F_FLUSH_HANG:
		a->inj_ret = gpuvm_mali_sim_inject(sim,
						   GPUVM_MALI_SIM_INJ_FLUSH_HANG,
						   0, 1);
		break;
	case F_MMU_FAULT:
		a->inj_ret = gpuvm_mali_sim_inject_fault(sim, SLOT, FAULT_STATUS,
							 WIN + 40 * PG, false);
		break;
	case F_MISSED:
		r = gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_EVENT_JUMP, 0, 3);
		a->inj_ret = r ? r : gpuvm_mali_sim_inject_fault(sim, SLOT,
							FAULT_STATUS,
							WIN + 41 * PG, false);
		break;
	case F_GPU_ACCESS:
		a->access_pa = 0;
		a->access_res = gpuvm_mali_sim_access(sim, SLOT,
						      WIN + ACCESS_PAGE * PG,
						      GPUVM_MALI_SIM_READ,
						      SRC_ID, &a->access_pa);
		/* (the access let a finished LOCK take effect first) */
		a->locked = gpuvm_mali_sim_lock_region(sim, SLOT, NULL,
						       NULL) == 1;
		a->inj_ret = 0;
		break;
	case F_SPURIOUS:
		a->inj_ret = gpuvm_mali_sim_inject(sim,
						   GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ,
						   0, 0);
		break;
	case F_POWER_OFF:
		a->inj_ret = gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF,
						   0, 1);
		break;
	case F_BUS_ERROR:
	case F_N:
		a->inj_ret = 0;
		break;
	}
}

static bool hook(struct gpuvm_mali_sim *s, uint64_t index, uint32_t offset,
		 bool write, void *priv)
{
	struct arm *a = priv;
	enum step_kind sk = step_of(a->fault);
	bool status = !write &&
		      offset == GPUVM_MALI_AS_REG(SLOT, GPUVM_MALI_AS_STATUS);
	bool counts = sk == STEP_ACCESS || (sk == STEP_READ && !write) ||
		      (sk == STEP_STATUS && status);
	bool fail = false;

	(void)s;
	(void)index;
	if (!a->fired && counts && a->steps[sk] == a->k) {
		fire(a);
		fail = a->fault == F_BUS_ERROR;
	}
	if (a->fired && !write && offset == GPUVM_MALI_GPU_INT_RAWSTAT)
		a->rawstat_after = true;
	a->steps[STEP_ACCESS]++;
	if (!write)
		a->steps[STEP_READ]++;
	if (status)
		a->steps[STEP_STATUS]++;
	return fail;
}

/* The fault-free run: register accesses of the op, states before/after. */
struct dry {
	long steps[3];		/* by enum step_kind */
	struct snap old, new;
};

static void dry_run(enum gpu_kind kind, enum op_kind op, struct dry *d)
{
	struct arm a;

	snprintf(ctx, sizeof(ctx), "%s %s dry run", gpu_names[kind],
		 op_names[op]);
	start(kind, op);
	memset(&a, 0, sizeof(a));
	a.fault = F_N;
	a.k = -1;
	take_snap(&d->old);
	gpuvm_mali_sim_set_reg_hook(sim, hook, &a);
	CHECK_INT(run_op(op), 0);
	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	take_snap(&d->new);
	memcpy(d->steps, a.steps, sizeof(d->steps));
	CHECK(!gpuvm_mali_mmu_needs_reset(mmu));
	if (op == OP_MADVISE)
		CHECK_INT(d->steps[STEP_ACCESS], 0);
	else
		CHECK(d->steps[STEP_STATUS] > 0);
	/* the operations that edit tables do change them */
	if (op == OP_MAP || op == OP_UNMAP || op == OP_PROT || op == OP_MADVISE)
		CHECK(!snap_eq(&d->old, &d->new));
	else
		CHECK(snap_eq(&d->old, &d->new));
	finish();
}

/* --- checks after the fault ---------------------------------------------- */

/* The GPU's view of the window matches the CPU-side tables. */
static void verify_gpu_view(const struct snap *s)
{
	unsigned int i;

	for (i = 0; i < NP; i++) {
		uint64_t va = WIN + i * PG, pa = 0;
		uint32_t exc = 0;
		int r = gpuvm_mali_sim_walk_oracle(sim, SLOT, va,
						   GPUVM_MALI_SIM_READ, &pa,
						   &exc);

		if (s->lookup[i]) {
			CHECK_INT(r, 1);
			CHECK_INT(exc & 0xF8, 0xC0);	/* translation fault */
			continue;
		}
		CHECK_INT(r, 0);
		CHECK_INT(pa, s->pa[i]);
		pa = 0;
		CHECK_INT(gpuvm_mali_sim_access(sim, SLOT, va,
						GPUVM_MALI_SIM_READ, SRC_ID,
						&pa), GPUVM_MALI_SIM_OK);
		CHECK_INT(pa, s->pa[i]);
	}
	CHECK_INT(gpuvm_mali_sim_check_coherent(sim, SLOT, WIN, NP * PG), 0);
}

/* Was the GPU access made mid-operation consistent with old or new? */
static void check_access(const struct arm *a, const struct dry *d)
{
	const unsigned int p = ACCESS_PAGE;
	bool changing_slot = a->op == OP_ENABLE || a->op == OP_DISABLE;

	switch (a->access_res) {
	case GPUVM_MALI_SIM_OK:
		CHECK((!d->old.lookup[p] && a->access_pa == d->old.pa[p]) ||
		      (!d->new.lookup[p] && a->access_pa == d->new.pa[p]));
		break;
	case GPUVM_MALI_SIM_STALLED:
		/* only inside a lock region */
		CHECK(a->locked);
		break;
	case GPUVM_MALI_SIM_FAULT:
		CHECK(d->old.lookup[p] || d->new.lookup[p] || changing_slot);
		break;
	default:
		ck_abort_msg("%s: access returned %d", ctx, a->access_res);
	}
}

/* While a reset is needed, requests fail without touching a register. */
static void check_refused(void)
{
	uint64_t t0 = gpuvm_mali_sim_trace_count(sim);
	struct snap before, after;

	take_snap(&before);
	CHECK_INT(gpuvm_mali_vm_map(vm, WIN + 44 * PG, 2 * PG, &bos[0], 0, RW),
		  -EIO);
	CHECK_INT(gpuvm_mali_vm_unmap(vm, WIN, PG), -EIO);
	CHECK_INT(gpuvm_mali_vm_bind(vm), -EIO);
	CHECK_INT(gpuvm_mali_mmu_begin_update(mmu, gpuvm_mali_vm_client(vm),
					      WIN, PG), -EIO);
	CHECK_INT(gpuvm_mali_mmu_as_enable(mmu, 1, 0, 0, 0), -EIO);
	CHECK_INT(gpuvm_mali_mmu_as_disable(mmu, 1), -EIO);
	CHECK_INT(gpuvm_mali_sim_trace_count(sim), t0);
	take_snap(&after);
	CHECK(snap_eq(&before, &after));
}

/* Reset the GPU as a driver would, with the fault removed. */
static void reset_gpu(void)
{
	CHECK_INT(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK, SLOT,
					0), 0);
	CHECK_INT(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_FLUSH_HANG, 0,
					0), 0);
	CHECK_INT(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 0),
		  0);
	CHECK_INT(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_GPU_RESET, 0, 0),
		  0);
	gpuvm_mali_mmu_reset_done(mmu);
	CHECK(!gpuvm_mali_mmu_needs_reset(mmu));
	CHECK_INT(gpuvm_mali_mmu_faulty_mask(mmu), 0);
}

/* Service interrupts until none is pending; returns the cycles run. */
static int drain_irqs(void)
{
	int n = 0, r;

	while ((r = gpuvm_mali_mmu_irq_loop_once(mmu, 0)) == 1) {
		n++;
		CHECK(n < 8);
	}
	CHECK_INT(r, 0);
	return n;
}

static void sweep_one(enum gpu_kind kind, enum op_kind op,
		      enum fault_kind fault, long k, const struct dry *d)
{
	struct gpuvm_mali_mmu_stats st0, st1;
	struct snap after;
	struct arm a;
	int ret, expect;
	bool was_old, was_new;

	snprintf(ctx, sizeof(ctx), "%s %s %s at %s %ld", gpu_names[kind],
		 op_names[op], fault_names[fault], step_names[step_of(fault)], k);
	start(kind, op);
	take_snap(&after);
	CHECK(snap_eq(&after, &d->old));
	gpuvm_mali_mmu_stats(mmu, &st0);
	nfaults = 0;

	memset(&a, 0, sizeof(a));
	a.fault = fault;
	a.op = op;
	a.csf = kind == GPU_CSF;
	a.k = k;
	gpuvm_mali_sim_set_reg_hook(sim, hook, &a);
	ret = run_op(op);
	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	CHECK(a.fired);
	CHECK_INT(a.inj_ret, 0);

	/* the error the fault implies */
	switch (fault) {
	case F_STUCK:
		expect = -ETIMEDOUT;
		break;
	case F_FLUSH_HANG:
		/* only a CSF GPU_CMD flush polled after the hang can fail */
		expect = a.rawstat_after ? -ETIMEDOUT : 0;
		CHECK(a.csf || !a.rawstat_after);
		break;
	case F_POWER_OFF:
		expect = -EIO;
		break;
	default:
		/* faults, interrupts and a single bad read are survivable */
		expect = 0;
		break;
	}
	CHECK_INT(ret, expect);
	CHECK_INT(gpuvm_mali_mmu_needs_reset(mmu), ret != 0);

	/* the tables and the tree: old or new, never in between */
	take_snap(&after);
	was_old = snap_eq(&after, &d->old);
	was_new = snap_eq(&after, &d->new);
	CHECK(was_old || was_new);
	if (!ret)
		CHECK(was_new);
	if (ret && !was_old)
		CHECK(!gpuvm_mali_vm_usable(vm));
	CHECK_INT(gpuvm_check(gpuvm_mali_vm_gpuvm(vm)), 0);
	if (fault == F_GPU_ACCESS)
		check_access(&a, d);

	if (ret) {
		check_refused();
		reset_gpu();
		CHECK(gpuvm_mali_vm_usable(vm));
		CHECK_INT(gpuvm_mali_vm_as(vm), -1);
	} else {
		/* a hang that hit no flush: flushes complete again */
		CHECK_INT(gpuvm_mali_sim_inject(sim,
						GPUVM_MALI_SIM_INJ_FLUSH_HANG,
						0, 0), 0);
		/* the flush really happened: no stale TLB or walker line */
		if (gpuvm_mali_vm_as(vm) >= 0)
			CHECK_INT(gpuvm_mali_sim_check_coherent(sim, SLOT, WIN,
								NP * PG), 0);
		drain_irqs();
		gpuvm_mali_mmu_stats(mmu, &st1);
		switch (fault) {
		case F_MMU_FAULT:
			CHECK_INT(nfaults, 1);
			CHECK_INT(st1.missed_irqs - st0.missed_irqs, 0);
			break;
		case F_MISSED:
			CHECK_INT(nfaults, 1);
			CHECK_INT(st1.missed_irqs - st0.missed_irqs, 2);
			break;
		case F_SPURIOUS:
			CHECK_INT(nfaults, 0);
			CHECK_INT(st1.spurious_irqs - st0.spurious_irqs, 1);
			break;
		case F_GPU_ACCESS:
			CHECK_INT(nfaults, a.access_res == GPUVM_MALI_SIM_FAULT);
			break;
		default:
			CHECK_INT(nfaults, 0);
			CHECK_INT(st1.irqs - st0.irqs, 0);
			break;
		}
	}

	/* rebind (re-enabling a faulty slot) and look through the GPU */
	CHECK_INT(gpuvm_mali_vm_bind(vm), (int)SLOT);
	CHECK_INT(gpuvm_mali_mmu_faulty_mask(mmu), 0);
	verify_gpu_view(&after);

	/* the VM takes requests again */
	CHECK_INT(gpuvm_mali_vm_map(vm, WIN + 44 * PG, 2 * PG, &bos[0], 32 * PG,
				    RW), 0);
	take_snap(&after);
	CHECK_INT(after.lookup[44], 0);
	CHECK_INT(after.pa[44], BUF_BASE + 32 * PG);
	verify_gpu_view(&after);
	CHECK_INT(drain_irqs(), 0);
	finish();
}

/*
 * An operation without register access (madvise) runs with every fault
 * armed beforehand: it succeeds and touches no register; then the GPU is
 * reset and the view checked.
 */
static void sweep_no_hw(enum gpu_kind kind, enum op_kind op,
			enum fault_kind fault, const struct dry *d)
{
	struct snap after;
	struct arm a;
	uint64_t t0;

	snprintf(ctx, sizeof(ctx), "%s %s with %s armed", gpu_names[kind],
		 op_names[op], fault_names[fault]);
	start(kind, op);
	memset(&a, 0, sizeof(a));
	a.fault = fault;
	a.op = op;
	fire(&a);
	CHECK_INT(a.inj_ret, 0);
	t0 = gpuvm_mali_sim_trace_count(sim);
	CHECK_INT(run_op(op), 0);
	CHECK_INT(gpuvm_mali_sim_trace_count(sim), t0);
	take_snap(&after);
	CHECK(snap_eq(&after, &d->new));
	reset_gpu();
	CHECK_INT(gpuvm_mali_vm_bind(vm), (int)SLOT);
	verify_gpu_view(&after);
	finish();
}

static void sweep(enum gpu_kind kind, enum op_kind op)
{
	/* under valgrind every third step, a different third per fault */
	const long stride = under_valgrind() ? 3 : 1;
	struct dry d;
	int f;

	dry_run(kind, op, &d);
	for (f = 0; f < F_N; f++) {
		enum fault_kind fault = (enum fault_kind)f;
		long n = d.steps[step_of(fault)];
		long k;

		if (!d.steps[STEP_ACCESS]) {
			sweep_no_hw(kind, op, fault, &d);
			continue;
		}
		for (k = f % stride; k < n; k += stride)
			sweep_one(kind, op, fault, k, &d);
	}
}

START_TEST(test_sweep)
{
	enum gpu_kind kind = (enum gpu_kind)(_i / OP_N);
	enum op_kind op = (enum op_kind)(_i % OP_N);

	sweep(kind, op);
}
END_TEST

/* --- the register hook itself -------------------------------------------- */

struct hook_log {
	uint64_t first;
	unsigned int calls;
	uint64_t fail_index;
};

static bool log_hook(struct gpuvm_mali_sim *s, uint64_t index,
		     uint32_t offset, bool write, void *priv)
{
	struct hook_log *l = priv;

	(void)s;
	(void)offset;
	(void)write;
	if (!l->calls++)
		l->first = index;
	return index == l->fail_index;
}

/* numbering, a failed read, a lost write, removal */
START_TEST(test_reg_hook)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_trace_entry e;
	struct hook_log l;
	uint64_t t0;

	snprintf(ctx, sizeof(ctx), "reg hook");
	sim_cfg(&cfg, GPU_JM);
	cfg.trace_capacity = 16;
	CHECK_INT(gpuvm_mali_sim_create(&cfg, &sim), 0);
	hal = gpuvm_mali_sim_hal(sim);
	memset(&l, 0, sizeof(l));
	t0 = gpuvm_mali_sim_trace_count(sim);
	l.fail_index = t0 + 1;
	gpuvm_mali_sim_set_reg_hook(sim, log_hook, &l);

	/* access t0 reads GPU_ID; t0 + 1 reads it again, failed */
	CHECK_INT(gpuvm_mali_rd32(hal, GPUVM_MALI_GPU_ID), 0x72120000u);
	CHECK_INT(gpuvm_mali_rd32(hal, GPUVM_MALI_GPU_ID), 0xFFFFFFFFu);
	CHECK_INT(l.first, t0);
	CHECK_INT(l.calls, 2);
	CHECK_INT(gpuvm_mali_sim_trace_get(sim, t0 + 1, &e), 0);
	CHECK_INT(e.value, 0xFFFFFFFFu);
	CHECK(!e.write);

	/* t0 + 2 writes MMU_INT_MASK; t0 + 3 writes it again, lost */
	l.fail_index = t0 + 3;
	gpuvm_mali_wr32(hal, GPUVM_MALI_MMU_INT_MASK, 0x3);
	gpuvm_mali_wr32(hal, GPUVM_MALI_MMU_INT_MASK, 0x1);
	CHECK_INT(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK), 0x3);
	CHECK_INT(l.calls, 5);

	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	l.fail_index = gpuvm_mali_sim_trace_count(sim);
	CHECK_INT(gpuvm_mali_rd32(hal, GPUVM_MALI_GPU_ID), 0x72120000u);
	CHECK_INT(l.calls, 5);
	check_no_violation();
	gpuvm_mali_sim_destroy(sim);
	sim = NULL;
	CHECK_INT(ts_alloc_live(), 0);
}
END_TEST

/*
 * A polled status register that reads 0xFFFFFFFF is no status: a single
 * such read is retried, two in a row end the wait with -EIO at once (no
 * 100 ms timeout) and the MMU needs a reset.  In particular a CSF cache
 * flush does not "complete" on a powered-off GPU.
 */
START_TEST(test_all_ones_poll)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_as_client c;
	uint64_t ns0;

	snprintf(ctx, sizeof(ctx), "all-ones poll");
	sim_cfg(&cfg, GPU_CSF);
	CHECK_INT(gpuvm_mali_sim_create(&cfg, &sim), 0);
	hal = gpuvm_mali_sim_hal(sim);
	CHECK_INT(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
	ts_warn_capture();
	gpuvm_mali_as_client_init(&c, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	CHECK_INT(gpuvm_mali_mmu_bind(mmu, &c), 0);
	CHECK_INT(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0x1000), 0);
	CHECK_INT(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 1),
		  0);
	ns0 = hal->ops->now_ns(hal);
	CHECK_INT(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0), -EIO);
	/* one retry: one poll interval, not the 100 ms timeout */
	CHECK(hal->ops->now_ns(hal) - ns0 <= 2 * GPUVM_MALI_MMU_POLL_US * 1000u);
	CHECK(gpuvm_mali_mmu_needs_reset(mmu));
	CHECK_INT(ts_warn_count(), 1);
	CHECK_INT(gpuvm_mali_mmu_wait_ready(mmu, 0), -EIO);

	CHECK_INT(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 0),
		  0);
	gpuvm_mali_mmu_reset_done(mmu);
	CHECK_INT(gpuvm_mali_mmu_wait_ready(mmu, 0), 0);
	CHECK_INT(gpuvm_mali_mmu_bind(mmu, &c), 0);
	check_no_violation();
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	gpuvm_mali_sim_destroy(sim);
	sim = NULL;
	CHECK_INT(ts_alloc_live(), 0);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("mali_faults");
	TCase *tc;

	tc = tcase_create("hook");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_reg_hook);
	tcase_add_test(tc, test_all_ones_poll);
	suite_add_tcase(s, tc);

	tc = tcase_create("sweep");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, test_sweep, 0, GPU_N * OP_N);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return ts_run_suite(faults_suite());
}
