// SPDX-License-Identifier: MIT
/*
 * What lets the Mali backend run at the scale of real applications: the
 * simulator's lazily backed memory (a carve-out costs nothing until it is
 * written, which the backed_bytes counter shows), gpuvm_mali_sim_probe()
 * (a side-effect-free translation that says how far it holds), and
 * page-table memory that grows on demand (gpuvm_mali_ptmem_set_grow()).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_sim_gpu.h>
#include <gpuvm/mali_vm.h>

#include "../support.h"

#define PG	0x1000ull
#define KiB	(1ull << 10)
#define MiB	(1ull << 20)
#define GiB	(1ull << 30)
#define CHUNK	(64 * KiB)
#define RW	(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE)

static void setup(void)
{
	ts_alloc_install();
}

static void teardown(void)
{
	ts_alloc_uninstall();
}

static struct gpuvm_mali_sim *new_sim(enum gpuvm_mali_sim_visibility vis)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim *sim;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.visibility = vis;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &sim), 0);
	return sim;
}

static uint64_t backed(struct gpuvm_mali_sim *sim)
{
	struct gpuvm_mali_sim_stats st;

	gpuvm_mali_sim_stats(sim, &st);
	return st.backed_bytes;
}

static uint64_t mem(struct gpuvm_mali_sim *sim, uint64_t pa)
{
	uint64_t v = 0xdead;

	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, pa, &v), 0);
	return v;
}

/* --- lazy memory ---------------------------------------------------------- */

/* 64 GiB of carve-out: nothing backed until written, 64 KiB per chunk. */
START_TEST(test_lazy_backing)
{
	struct gpuvm_mali_sim *sim = new_sim(GPUVM_MALI_SIM_VIS_WC);
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	struct gpuvm_mali_sim_stats st;
	uint64_t base = GiB, far = base + 63 * GiB + 5 * PG;

	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, base, 64 * GiB), 0);
	ck_assert_uint_eq(backed(sim), 0);
	/* reads of untouched memory are zero and back nothing */
	ck_assert_uint_eq(mem(sim, far), 0);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, far), 0);
	ck_assert_uint_eq(backed(sim), 0);

	hal->ops->pt_write64(hal, far, 0x1234);
	ck_assert_uint_eq(backed(sim), CHUNK);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, far), 0x1234);
	ck_assert_uint_eq(mem(sim, far), 0);	/* write-combined: not yet */
	hal->ops->barrier(hal);
	ck_assert_uint_eq(mem(sim, far), 0x1234);

	/* same chunk: nothing more; another chunk: one more */
	hal->ops->pt_write64(hal, far + PG, 1);
	ck_assert_uint_eq(backed(sim), CHUNK);
	hal->ops->pt_write64(hal, base, 2);
	ck_assert_uint_eq(backed(sim), 2 * CHUNK);
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_ge(st.host_bytes, 2 * 2 * CHUNK);
	ck_assert_uint_lt(st.host_bytes, 4 * MiB);
	ck_assert_uint_eq(st.pending_pte_lines, 2);

	/* a sync over unbacked and backed chunks publishes what is there */
	hal->ops->pt_sync(hal, base, (size_t)(3 * CHUNK));
	ck_assert_uint_eq(mem(sim, base), 2);
	ck_assert_uint_eq(backed(sim), 2 * CHUNK);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

/* A range store across a chunk boundary, cached visibility. */
START_TEST(test_lazy_range)
{
	struct gpuvm_mali_sim *sim = new_sim(GPUVM_MALI_SIM_VIS_CACHED);
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	uint64_t descs[1024], pa = GiB + CHUNK - PG;
	size_t i;

	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, GiB, GiB), 0);
	for (i = 0; i < 1024; i++)
		descs[i] = i + 1;
	hal->ops->pt_write_range(hal, pa, descs, 1024);
	ck_assert_uint_eq(backed(sim), 2 * CHUNK);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, pa + 1023 * 8), 1024);
	ck_assert_uint_eq(mem(sim, pa), 0);
	hal->ops->barrier(hal);		/* cached: a barrier is not enough */
	ck_assert_uint_eq(mem(sim, pa), 0);
	hal->ops->pt_sync(hal, pa, sizeof(descs));
	for (i = 0; i < 1024; i += 100)
		ck_assert_uint_eq(mem(sim, pa + i * 8), i + 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

/* Coherent: one copy per chunk, stores visible at once. */
START_TEST(test_lazy_coherent)
{
	struct gpuvm_mali_sim *sim = new_sim(GPUVM_MALI_SIM_VIS_COHERENT);
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	struct gpuvm_mali_sim_stats st;

	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, GiB, 16 * GiB), 0);
	hal->ops->pt_write64(hal, 2 * GiB, 7);
	ck_assert_uint_eq(mem(sim, 2 * GiB), 7);
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_eq(st.backed_bytes, CHUNK);
	ck_assert_uint_lt(st.host_bytes, 2 * CHUNK);
	ck_assert_uint_eq(st.pending_pte_lines, 0);
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

/* No host memory: the store is dropped and logged; reads stay zero. */
START_TEST(test_no_backing)
{
	struct gpuvm_mali_sim *sim = new_sim(GPUVM_MALI_SIM_VIS_WC);
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	uint64_t two[2] = { 5, 6 };
	uint64_t v;

	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, GiB, GiB), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_NO_BACKING,
					       0, 2), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_NO_BACKING,
					       0, 1), 0);
	hal->ops->pt_write64(hal, GiB, 1);
	hal->ops->pt_write_range(hal, GiB + 8, two, 2);
	hal->ops->pt_page_freed(hal, GiB + PG);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count_code(sim,
					GPUVM_MALI_SIM_V_BAD_PT_ACCESS), 3);
	ck_assert_ptr_nonnull(strstr(gpuvm_mali_sim_violation_get(sim, 0)->msg,
				     "no host memory"));
	ck_assert_uint_eq(hal->ops->pt_read64(hal, GiB), 0);
	ck_assert_uint_eq(backed(sim), 0);

	/* memory already backed still works */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_NO_BACKING,
					       0, 0), 0);
	hal->ops->pt_write64(hal, GiB, 1);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_NO_BACKING,
					       0, 1), 0);
	hal->ops->pt_write64(hal, GiB + 8, 9);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, GiB + 8), 9);
	ck_assert_uint_eq(backed(sim), CHUNK);

	/* a GPU store (a job's write) that cannot be backed stores nothing */
	ck_assert_int_eq(gpuvm_mali_sim_mem_write64(sim, GiB + 2 * CHUNK, 7),
			 -ENOMEM);
	ck_assert_uint_eq(backed(sim), CHUNK);
	ck_assert_int_eq(gpuvm_mali_sim_mem_write64(sim, GiB + 16, 7), 0);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, GiB + 16, &v), 0);
	ck_assert_uint_eq(v, 7);
	/* the CPU has a store pending in that line, so it reads its own copy
	 * of the line (0 at +16) until a flush; another
	 * line of the backed chunk shows the GPU's store at once */
	ck_assert_uint_eq(hal->ops->pt_read64(hal, GiB + 16), 0);
	ck_assert_int_eq(gpuvm_mali_sim_mem_write64(sim, GiB + 128, 8), 0);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, GiB + 128), 8);
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

/* UNSYNCED_PTE names the lowest pending line of every chunk. */
START_TEST(test_unsynced_lowest)
{
	struct gpuvm_mali_sim *sim = new_sim(GPUVM_MALI_SIM_VIS_CACHED);
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	const struct gpuvm_mali_sim_violation *v;

	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, GiB, GiB), 0);
	hal->ops->pt_write64(hal, GiB + 10 * CHUNK + 0x100, 1);
	hal->ops->pt_write64(hal, GiB + 3 * CHUNK + 0x840, 1);
	hal->ops->pt_write64(hal, GiB + 7 * CHUNK, 1);
	hal->ops->write32(hal, GPUVM_MALI_GPU_CMD,
			  GPUVM_MALI_CSF_GPU_CMD(GPUVM_MALI_CSF_GPU_CMD_TYPE_FLUSH_CACHES,
						 0x3));
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 1);
	v = gpuvm_mali_sim_violation_get(sim, 0);
	ck_assert_int_eq(v->code, GPUVM_MALI_SIM_V_UNSYNCED_PTE);
	ck_assert_uint_eq(v->addr, GiB + 3 * CHUNK + 0x840);
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

/* --- probe ------------------------------------------------------------------ */

#define PT_BASE		0x80000000ull
#define BUF		0x100000000ull
#define WIN		0x40000000ull

struct env {
	struct gpuvm_mali_sim *sim;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_vm *vm;
	struct gpuvm_mali_bo bo;
	unsigned int as;
};

static void env_init(struct env *e)
{
	struct gpuvm_mali_vm_config vcfg;
	int as;

	memset(e, 0, sizeof(*e));
	e->sim = new_sim(GPUVM_MALI_SIM_VIS_WC);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(e->sim, PT_BASE, 16 * MiB), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_create(gpuvm_mali_sim_hal(e->sim), NULL,
					       &e->mmu), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(gpuvm_mali_sim_hal(e->sim),
						 &e->mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(e->mem, PT_BASE, 16 * MiB), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(e->mem, BUF, GiB), 0);
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.name = "scale";
	vcfg.va_start = MiB;
	vcfg.va_range = 1ull << 40;
	ck_assert_int_eq(gpuvm_mali_vm_create(e->mmu, e->mem, &vcfg, &e->vm), 0);
	as = gpuvm_mali_vm_bind(e->vm);
	ck_assert_int_ge(as, 0);
	e->as = (unsigned int)as;
	ck_assert_int_eq(gpuvm_mali_bo_init(&e->bo, BUF, 64 * MiB, NULL), 0);
}

static void env_fini(struct env *e)
{
	gpuvm_mali_vm_destroy(e->vm);
	gpuvm_mali_bo_fini(&e->bo);
	gpuvm_mali_ptmem_destroy(e->mem);
	gpuvm_mali_mmu_destroy(e->mmu);
	gpuvm_mali_sim_destroy(e->sim);
}

static int probe(struct env *e, uint64_t va, uint64_t *pa, uint64_t *span)
{
	uint32_t fault = 0;
	int r = gpuvm_mali_sim_probe(e->sim, e->as, va, GPUVM_MALI_SIM_READ, pa,
				     &fault, span);

	ck_assert_int_eq(r == 1, fault != 0);
	return r;
}

/* A block, pages and holes: one probe each, with the span they hold. */
START_TEST(test_probe_spans)
{
	struct gpuvm_mali_sim_as_stats before, after;
	uint64_t pa = 0, span = 0;
	struct env e;

	env_init(&e);
	ck_assert_int_eq(gpuvm_mali_vm_map(e.vm, WIN, 2 * MiB, &e.bo, 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(e.vm, WIN + 4 * MiB, 3 * PG, &e.bo,
					   8 * PG, RW), 0);
	gpuvm_mali_sim_as_stats(e.sim, e.as, &before);

	ck_assert_int_eq(probe(&e, WIN + 5 * PG + 7, &pa, &span), 0);
	ck_assert_uint_eq(pa, BUF + 5 * PG);
	ck_assert_uint_eq(span, 2 * MiB - 5 * PG);
	ck_assert_int_eq(probe(&e, WIN + 4 * MiB + PG, &pa, &span), 0);
	ck_assert_uint_eq(pa, BUF + 9 * PG);
	ck_assert_uint_eq(span, PG);
	/* the rest of that L3 table is a hole of pages */
	ck_assert_int_eq(probe(&e, WIN + 4 * MiB + 3 * PG, NULL, &span), 1);
	ck_assert_uint_eq(span, PG);
	/* an empty L2 entry: 2 MiB of hole; an empty L1 entry: 1 GiB */
	ck_assert_int_eq(probe(&e, WIN + 2 * MiB, NULL, &span), 1);
	ck_assert_uint_eq(span, 2 * MiB);
	ck_assert_int_eq(probe(&e, 8 * GiB + 3 * MiB, NULL, &span), 1);
	ck_assert_uint_eq(span, 1 * GiB - 3 * MiB);
	ck_assert_int_eq(probe(&e, 1ull << 40, NULL, NULL), 1);
	/* beyond the VA bits: a page at a time, up to the end of 2^64 */
	ck_assert_int_eq(probe(&e, ~0ull, NULL, &span), 1);
	ck_assert_uint_eq(span, PG);

	/* nothing changed: no TLB fill, no fault latched, no counter */
	gpuvm_mali_sim_as_stats(e.sim, e.as, &after);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	ck_assert_int_eq(gpuvm_mali_sim_probe(e.sim, 99, WIN, GPUVM_MALI_SIM_READ,
					      NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_probe(NULL, 0, WIN, GPUVM_MALI_SIM_READ,
					      NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_probe(e.sim, e.as, WIN, 7, NULL, NULL,
					      NULL), -EINVAL);
	env_fini(&e);
}
END_TEST

/* Write back and invalidate the GPU's caches (the walker's lines), not the TLB. */
static void l2_invalidate(struct gpuvm_mali_sim *sim)
{
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	unsigned int reads = 0;

	hal->ops->barrier(hal);
	hal->ops->write32(hal, GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD_FLUSH_PT);
	while (!(hal->ops->read32(hal, GPUVM_MALI_GPU_INT_RAWSTAT) &
		 GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED))
		ck_assert_uint_lt(++reads, 100);
	hal->ops->write32(hal, GPUVM_MALI_GPU_INT_CLEAR,
			  GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
}

/*
 * The probe answers as the TLB does: a stale block entry wins over the
 * tables, and a second entry for the same page shortens the span.
 */
START_TEST(test_probe_tlb)
{
	struct gpuvm_mali_pt_reserve res =
		(struct gpuvm_mali_pt_reserve)GPUVM_MALI_PT_RESERVE_INIT;
	struct gpuvm_mali_pgtable *pt;
	uint64_t pa = 0, span = 0;
	struct env e;

	env_init(&e);
	pt = gpuvm_mali_vm_pgtable(e.vm);
	ck_assert_int_eq(gpuvm_mali_vm_map(e.vm, WIN, 2 * MiB, &e.bo, 0, RW), 0);
	/* pages first, one of them in the TLB */
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, e.mem, 4), 0);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, WIN, 2 * MiB, NULL, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_pt_map(pt, WIN, BUF + 2 * MiB, 2 * MiB - PG,
					   RW, &res), 0);
	gpuvm_mali_pt_reserve_release(&res);
	gpuvm_mali_sim_hal(e.sim)->ops->barrier(gpuvm_mali_sim_hal(e.sim));
	ck_assert_int_eq(gpuvm_mali_sim_access(e.sim, e.as, WIN + 8 * PG,
					       GPUVM_MALI_SIM_READ, 1, &pa),
			 GPUVM_MALI_SIM_OK);
	ck_assert_uint_eq(pa, BUF + 2 * MiB + 8 * PG);
	/* the tables are a block again, behind the TLB's back */
	ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, WIN, 2 * MiB - PG, NULL, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_pt_map(pt, WIN, BUF, 2 * MiB, RW, NULL), 0);
	l2_invalidate(e.sim);

	/* walk: the block, cut where the TLB's page entry begins */
	ck_assert_int_eq(probe(&e, WIN + PG, &pa, &span), 0);
	ck_assert_uint_eq(pa, BUF + PG);
	ck_assert_uint_eq(span, 7 * PG);
	/* TLB: the stale page */
	ck_assert_int_eq(probe(&e, WIN + 8 * PG, &pa, &span), 0);
	ck_assert_uint_eq(pa, BUF + 2 * MiB + 8 * PG);
	ck_assert_uint_eq(span, PG);
	/* a block entry in the TLB too: the page is held by two entries */
	ck_assert_int_eq(gpuvm_mali_sim_access(e.sim, e.as, WIN + 16 * PG,
					       GPUVM_MALI_SIM_READ, 1, &pa),
			 GPUVM_MALI_SIM_OK);
	ck_assert_int_eq(probe(&e, WIN + 8 * PG, NULL, &span), 0);
	ck_assert_uint_eq(span, PG);
	ck_assert_int_eq(probe(&e, WIN + 9 * PG, &pa, &span), 0);
	ck_assert_uint_eq(pa, BUF + 9 * PG);
	ck_assert_uint_eq(span, 2 * MiB - 9 * PG);
	/* after a flush the TLB agrees with the tables again */
	ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, WIN, 2 * MiB, NULL, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_pt_map(pt, WIN, BUF, 2 * MiB, RW, NULL), 0);
	env_fini(&e);
}
END_TEST

/* --- page-table memory that grows ------------------------------------------ */

struct grower {
	uint64_t next;
	uint64_t pool;
	int ret;
	unsigned int calls;
	size_t asked;
};

static int grow(struct gpuvm_mali_ptmem *mem, size_t npages, void *priv)
{
	struct grower *g = priv;
	int ret;

	g->calls++;
	g->asked = npages;
	if (g->ret)
		return g->ret;
	if (!g->pool)
		return 0;	/* says yes, adds nothing */
	ret = gpuvm_mali_ptmem_add_pool(mem, g->next, g->pool);
	g->next += g->pool;
	return ret;
}

static void pages(struct gpuvm_mali_ptmem *mem, size_t *total, size_t *used)
{
	gpuvm_mali_ptmem_stats(mem, total, used, NULL);
}

START_TEST(test_ptmem_grow)
{
	struct gpuvm_mali_sim *sim = new_sim(GPUVM_MALI_SIM_VIS_WC);
	struct gpuvm_mali_pt_reserve res =
		(struct gpuvm_mali_pt_reserve)GPUVM_MALI_PT_RESERVE_INIT;
	struct grower g = { .next = PT_BASE + 2 * PG, .pool = 4 * PG };
	struct gpuvm_mali_ptmem *mem;
	uint64_t pa[3];
	size_t total, used;

	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, PT_BASE, GiB), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(gpuvm_mali_sim_hal(sim), &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, 2 * PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[0]), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[1]), 0);
	/* no callback: full is full */
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[2]), -ENOMEM);

	gpuvm_mali_ptmem_set_grow(mem, grow, &g);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[2]), 0);
	ck_assert_uint_eq(g.calls, 1);
	ck_assert_uint_eq(g.asked, 1);
	ck_assert_uint_eq(pa[2], PT_BASE + 2 * PG);
	pages(mem, &total, &used);
	ck_assert_uint_eq(total, 6);
	ck_assert_uint_eq(used, 3);

	/* a reservation of 10 pages grows twice: 3 free, +4, +4 */
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem, 10), 0);
	ck_assert_uint_eq(g.calls, 3);
	pages(mem, &total, &used);
	ck_assert_uint_eq(total, 14);
	ck_assert_uint_eq(used, 13);
	gpuvm_mali_pt_reserve_release(&res);

	/* the callback refuses: its errno, nothing taken, pools kept */
	g.ret = -ENOSPC;
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem, 20), -ENOSPC);
	ck_assert_uint_eq(res.count, 0);
	pages(mem, &total, &used);
	ck_assert_uint_eq(total, 14);
	ck_assert_uint_eq(used, 3);
	/* it says yes but adds nothing: -ENOMEM, no endless loop */
	g.ret = 0;
	g.pool = 0;
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem, 20), -ENOMEM);
	ck_assert_uint_eq(res.count, 0);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem, 11), 0);
	gpuvm_mali_pt_reserve_release(&res);
	g.ret = -EIO;
	pages(mem, &total, &used);
	while (used < total) {
		uint64_t p;

		ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &p), 0);
		pages(mem, NULL, &used);
	}
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[0]), -EIO);

	/* deferred pages in two pools, freed out of order, all drained */
	gpuvm_mali_ptmem_free(mem, PT_BASE + 9 * PG);
	gpuvm_mali_ptmem_free(mem, PT_BASE + PG);
	gpuvm_mali_ptmem_free(mem, PT_BASE + 4 * PG);
	ck_assert_uint_eq(gpuvm_mali_ptmem_flush_done(mem), 3);
	ck_assert_uint_eq(gpuvm_mali_ptmem_flush_done(mem), 0);
	pages(mem, &total, &used);
	ck_assert_uint_eq(used, total - 3);
	/* the hint wraps: the freed pages come back */
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[0]), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[1]), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa[2]), 0);
	ck_assert_uint_eq(pa[0] + pa[1] + pa[2], 3 * PT_BASE + 14 * PG);
	gpuvm_mali_ptmem_set_grow(mem, NULL, NULL);
	ts_warn_capture();
	gpuvm_mali_ptmem_destroy(mem);	/* pages still in use: one warning */
	ck_assert_int_eq(ts_warn_count(), 1);
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

/* A VM on a tiny pool that grows: requests never see the limit. */
START_TEST(test_vm_on_growing_pool)
{
	struct gpuvm_mali_sim *sim = new_sim(GPUVM_MALI_SIM_VIS_WC);
	struct grower g = { .next = PT_BASE + PG, .pool = 2 * PG };
	struct gpuvm_mali_vm_config vcfg;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_vm *vm;
	struct gpuvm_mali_bo bo;
	size_t total, used;
	uint64_t pa, i;

	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, PT_BASE, GiB), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_create(gpuvm_mali_sim_hal(sim), NULL,
					       &mmu), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(gpuvm_mali_sim_hal(sim), &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, BUF, GiB), 0);
	gpuvm_mali_ptmem_set_grow(mem, grow, &g);
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.name = "grow";
	vcfg.va_start = MiB;
	vcfg.va_range = 1ull << 44;
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &vcfg, &vm), 0);
	ck_assert_int_ge(gpuvm_mali_vm_bind(vm), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, BUF, MiB, NULL), 0);
	/* one page each 1 GiB apart: an L2 and an L3 table per map */
	for (i = 1; i <= 64; i++)
		ck_assert_int_eq(gpuvm_mali_vm_map(vm, i * GiB, PG, &bo, 0, RW), 0);
	ck_assert_uint_gt(g.calls, 10);
	pages(mem, &total, &used);
	ck_assert_uint_ge(total, 129);
	ck_assert_int_eq(gpuvm_mali_vm_translate(vm, 64 * GiB, &pa), 0);
	ck_assert_uint_eq(pa, BUF);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	gpuvm_mali_vm_destroy(vm);
	gpuvm_mali_bo_fini(&bo);
	gpuvm_mali_ptmem_destroy(mem);
	gpuvm_mali_mmu_destroy(mmu);
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

static Suite *scale_suite(void)
{
	Suite *s = suite_create("mali_scale");
	TCase *tc = tcase_create("scale");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lazy_backing);
	tcase_add_test(tc, test_lazy_range);
	tcase_add_test(tc, test_lazy_coherent);
	tcase_add_test(tc, test_no_backing);
	tcase_add_test(tc, test_unsynced_lowest);
	tcase_add_test(tc, test_probe_spans);
	tcase_add_test(tc, test_probe_tlb);
	tcase_add_test(tc, test_ptmem_grow);
	tcase_add_test(tc, test_vm_on_growing_pool);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(scale_suite());
}
