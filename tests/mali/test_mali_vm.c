// SPDX-License-Identifier: MIT
/*
 * Layer 5 of the Mali backend against the simulator: libgpuvm VMs whose
 * requests are applied to Mali page tables.  Every check goes through the
 * simulated GPU (gpuvm_mali_sim_access(): TLB, walker, line cache), faults
 * are decoded through the MMU interrupt path, and the simulator's
 * violation log must stay empty.
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
#define BLK		(2 * MiB)
#define PT_SIZE		(2 * MiB)
#define BUF_BASE	0x90000000ull
#define BUF_SIZE	(12 * MiB)

/* the test VA window: two 2 MiB regions, 2 MiB aligned */
#define WIN		0x40000000ull
#define WIN_SIZE	(4 * MiB)
#define WIN_PAGES	(WIN_SIZE / PG)

#define NBOS		3
#define SRC_ID		7

#define RW	(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE | GPUVM_MALI_PT_CACHED)
#define RO	(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_NOEXEC)

static struct gpuvm_mali_mmu *mmu;
static struct gpuvm_mali_ptmem *mem;
static struct gpuvm_mali_vm *vm;
static struct gpuvm_mali_bo bos[NBOS];
static int as;

static struct gpuvm_mali_fault last_fault;
static int nfaults;

static void on_fault(const struct gpuvm_mali_fault *f, void *priv)
{
	(void)priv;
	last_fault = *f;
	nfaults++;
}

enum cfg_kind { CFG_CSF, CFG_JM, CFG_MIDGARD, CFG_NKINDS };

static void sim_cfg(struct gpuvm_mali_sim_config *cfg, enum cfg_kind kind)
{
	gpuvm_mali_sim_config_init(cfg, kind == CFG_CSF ? GPUVM_MALI_SIM_CSF :
				   GPUVM_MALI_SIM_JM);
	if (kind == CFG_JM) {
		cfg->busy_random = true;
		cfg->busy_reads = 4;
		cfg->seed = 11;
	} else if (kind == CFG_MIDGARD) {
		cfg->gpu_id = 0x08600000;
		cfg->mmu_features = 0x2827;
		cfg->formats = GPUVM_MALI_SIM_FMT_LPAE;
	}
	cfg->tlb_capacity = 32;
}

static void start(enum cfg_kind kind)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_vm_config vcfg;
	int i;

	sim_cfg(&cfg, kind);
	fx_sim_create(&cfg, PT_SIZE);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, BUF_BASE, BUF_SIZE), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
	gpuvm_mali_mmu_set_fault_handler(mmu, on_fault, NULL);
	nfaults = 0;

	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, PT_SIZE), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, BUF_BASE,
							   BUF_SIZE), 0);

	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.name = "test";
	vcfg.va_start = 0x100000;
	vcfg.va_range = 0x100000000ull;
	vcfg.reserve_start = 0x100000;
	vcfg.reserve_range = 0x100000;
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &vcfg, &vm), 0);
	ck_assert_int_eq(gpuvm_mali_vm_as(vm), -1);
	as = gpuvm_mali_vm_bind(vm);
	ck_assert_int_ge(as, 0);
	ck_assert_int_eq(gpuvm_mali_vm_as(vm), as);

	/* two 4 MiB objects (2 MiB aligned) and a small one */
	ck_assert_int_eq(gpuvm_mali_bo_init(&bos[0], BUF_BASE, 4 * MiB, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bos[1], BUF_BASE + 4 * MiB,
					    4 * MiB, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bos[2], BUF_BASE + 8 * MiB + 0x7000,
					    64 * PG, NULL), 0);
	for (i = 0; i < NBOS; i++)
		ck_assert_ptr_eq(bos[i].base.resv, &bos[i].base.own_resv);
}

static void finish(void)
{
	int i;

	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	gpuvm_mali_vm_destroy(vm);
	vm = NULL;
	for (i = 0; i < NBOS; i++)
		gpuvm_mali_bo_fini(&bos[i]);
	gpuvm_mali_ptmem_destroy(mem);
	mem = NULL;
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}

/*
 * One GPU read at @va.  A fault is serviced through the interrupt handler
 * (its decoded report checked) and the slot re-enabled, so the AS is never
 * left stalled.  Returns true when it translated, with *@pa set.
 */
static bool gpu_read(uint64_t va, uint64_t *pa)
{
	int r, before = nfaults;

	r = gpuvm_mali_sim_access(sim, (unsigned int)as, va, GPUVM_MALI_SIM_READ,
				  SRC_ID, pa);
	if (r == GPUVM_MALI_SIM_OK)
		return true;
	ck_assert_int_eq(r, GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(gpuvm_mali_mmu_handle_irq(mmu), 1);
	ck_assert_int_eq(nfaults, before + 1);
	ck_assert_uint_eq(last_fault.as, (unsigned int)as);
	ck_assert_ptr_eq(last_fault.client, gpuvm_mali_vm_client(vm));
	ck_assert_uint_eq(last_fault.address, va);
	ck_assert_uint_eq(last_fault.access_type, GPUVM_MALI_ACCESS_READ);
	ck_assert_uint_eq(last_fault.source_id, SRC_ID);
	/* a translation fault at some level (0xC0-0xC7) */
	ck_assert_uint_eq(last_fault.exception_type & 0xF8, 0xC0);
	ck_assert_int_eq(gpuvm_mali_vm_bind(vm), as);
	return false;
}

/* @va must translate to @pa, through the GPU and the CPU-side walk. */
static void expect_pa(uint64_t va, uint64_t want)
{
	uint64_t pa = 0, cpa = 0;

	ck_assert_msg(gpu_read(va, &pa), "va 0x%llx faulted",
		      (unsigned long long)va);
	ck_assert_msg(pa == want, "va 0x%llx -> 0x%llx, want 0x%llx",
		      (unsigned long long)va, (unsigned long long)pa,
		      (unsigned long long)want);
	ck_assert_int_eq(gpuvm_mali_vm_translate(vm, va, &cpa), 0);
	ck_assert_uint_eq(cpa, want);
}

static void expect_fault(uint64_t va)
{
	uint64_t pa;

	ck_assert_msg(!gpu_read(va, &pa), "va 0x%llx translated to 0x%llx",
		      (unsigned long long)va, (unsigned long long)pa);
	ck_assert_int_eq(gpuvm_mali_vm_translate(vm, va, NULL), -ENOENT);
}

static void expect_clean(void)
{
	long stale = gpuvm_mali_sim_check_coherent(sim, (unsigned int)as, WIN,
						   WIN_SIZE);

	if (stale || gpuvm_mali_sim_violation_count(sim))
		fx_dump_violations("test_mali_vm");
	ck_assert_int_eq(stale, 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	ck_assert_int_eq(gpuvm_check(gpuvm_mali_vm_gpuvm(vm)), 0);
}

/* --- snapshots: tree, tables, references, memory ------------------------ */

#define SNAP_VAS	64

struct snap {
	uint64_t pa[WIN_PAGES];
	uint64_t nvas;
	struct {
		uint64_t addr, range, offset;
		struct gpuvm_bo *obj;
		unsigned int prot;
	} va[SNAP_VAS];
	uint32_t refs[NBOS];
	size_t pt_used;
	long live;
};

static void take_snap(struct snap *s)
{
	struct gpuvm *g = gpuvm_mali_vm_gpuvm(vm);
	struct gpuvm_vm_bo *vb;
	struct gpuvm_va *va;
	uint64_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < WIN_PAGES; i++)
		if (gpuvm_mali_vm_translate(vm, WIN + i * PG, &s->pa[i]))
			s->pa[i] = UINT64_MAX;
	gpuvm_for_each_va(va, g) {
		ck_assert_uint_lt(s->nvas, SNAP_VAS);
		s->va[s->nvas].addr = va->addr;
		s->va[s->nvas].range = va->range;
		s->va[s->nvas].offset = va->offset;
		s->va[s->nvas].obj = va->obj;
		s->va[s->nvas].prot = gpuvm_mali_vm_prot(vm, va->addr);
		s->nvas++;
	}
	for (i = 0; i < NBOS; i++)
		gpuvm_bo_for_each_vm_bo(vb, &bos[i].base)
			s->refs[i] += gpuvm_vm_bo_refcount(vb) + 1000;
	gpuvm_mali_ptmem_stats(mem, NULL, &s->pt_used, NULL);
	s->live = ts_alloc_live();
}

static void same_snap(const struct snap *a, const struct snap *b)
{
	ck_assert_int_eq(memcmp(a, b, sizeof(*a)), 0);
}

/* --- basic cases -------------------------------------------------------- */

static void basic(enum cfg_kind kind)
{
	struct gpuvm_mali_vm_stats st;
	uint64_t i;

	start(kind);
	/* map 8 pages of bo1 at offset 3 pages */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 4 * PG, 8 * PG, &bos[1],
					   3 * PG, RW), 0);
	for (i = 0; i < 8; i++)
		expect_pa(WIN + (4 + i) * PG + 0x123,
			  bos[1].pa + (3 + i) * PG + 0x123);
	expect_fault(WIN + 3 * PG);
	expect_fault(WIN + 12 * PG);
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 1);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(vm, WIN + 4 * PG), RW);
	gpuvm_mali_vm_stats(vm, &st);
	ck_assert_uint_eq(st.requests, 1);
	ck_assert_uint_eq(st.pages_mapped, 8);
	ck_assert_uint_eq(st.flushes, 1);
	ck_assert_uint_ge(st.pt_pages_used, 1);
	expect_clean();
	finish();
}

START_TEST(test_basic)
{
	basic((enum cfg_kind)_i);
}
END_TEST

/* a map over the middle of an existing one: REMAP prev + next, MAP */
START_TEST(test_overlap)
{
	struct gpuvm_mali_vm_stats st;
	uint64_t i;

	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 16 * PG, &bos[0], 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 4 * PG, 4 * PG, &bos[2],
					   10 * PG, RO), 0);
	for (i = 0; i < 16; i++) {
		uint64_t want = (i >= 4 && i < 8) ? bos[2].pa + (6 + i) * PG :
			       bos[0].pa + i * PG;

		expect_pa(WIN + i * PG, want);
	}
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 3);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(vm, WIN), RW);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(vm, WIN + 5 * PG), RO);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(vm, WIN + 12 * PG), RW);
	/* a map straddling the two pieces: REMAP next + UNMAP + REMAP prev */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 2 * PG, 8 * PG, &bos[1],
					   0, RW), 0);
	for (i = 0; i < 16; i++) {
		uint64_t want = (i >= 2 && i < 10) ? bos[1].pa + (i - 2) * PG :
			       bos[0].pa + i * PG;

		expect_pa(WIN + i * PG, want);
	}
	gpuvm_mali_vm_stats(vm, &st);
	ck_assert_uint_eq(st.requests, 3);
	ck_assert_uint_eq(st.pages_unmapped, 4 + 8);
	expect_clean();
	finish();
}
END_TEST

/* unmap the middle: the hole faults, the rest still translates */
START_TEST(test_unmap_middle)
{
	uint64_t i;

	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 16 * PG, &bos[0], PG, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN + 5 * PG, 3 * PG), 0);
	for (i = 0; i < 16; i++) {
		if (i >= 5 && i < 8)
			expect_fault(WIN + i * PG);
		else
			expect_pa(WIN + i * PG, bos[0].pa + (i + 1) * PG);
	}
	ck_assert_str_eq(last_fault.name, "TRANSLATION_FAULT_3");
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 2);
	/* unmapping a hole is fine and changes nothing */
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN + 5 * PG, 3 * PG), 0);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN, 16 * PG), 0);
	for (i = 0; i < 16; i++)
		expect_fault(WIN + i * PG);
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 0);
	expect_clean();
	finish();
}
END_TEST

/* T49-like: 4 KiB unmapped out of a 2 MiB block */
START_TEST(test_block_split)
{
	struct gpuvm_mali_pt_entry e;
	struct gpuvm_mali_vm_stats st;
	uint64_t i, t, t0;
	int nlock = 0;

	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, BLK, &bos[1], 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(gpuvm_mali_vm_pgtable(vm),
					      WIN + 0x5000, &e), 0);
	ck_assert_uint_eq(e.level, 2);
	expect_pa(WIN + 0x5000, bos[1].pa + 0x5000);
	expect_pa(WIN + BLK - PG, bos[1].pa + BLK - PG);

	gpuvm_mali_vm_stats(vm, &st);
	t0 = gpuvm_mali_sim_trace_count(sim);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN + 0x5000, PG), 0);
	/* the whole block was locked: base | log2(2 MiB) - 1 */
	for (t = t0; t < gpuvm_mali_sim_trace_count(sim); t++) {
		struct gpuvm_mali_sim_trace_entry e3;

		ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, t, &e3), 0);
		if (e3.write && e3.offset == GPUVM_MALI_AS_REG(as,
						GPUVM_MALI_AS_LOCKADDR_LO)) {
			ck_assert_uint_eq(e3.value, (uint32_t)(WIN | 0x14));
			nlock++;
		}
	}
	ck_assert_int_eq(nlock, 1);
	expect_fault(WIN + 0x5000);
	for (i = 0; i < BLK / PG; i += 37)
		if (i != 5)
			expect_pa(WIN + i * PG, bos[1].pa + i * PG);
	expect_pa(WIN + 0x4000, bos[1].pa + 0x4000);
	expect_pa(WIN + 0x6000, bos[1].pa + 0x6000);
	expect_pa(WIN + BLK - PG, bos[1].pa + BLK - PG);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(gpuvm_mali_vm_pgtable(vm),
					      WIN + 0x6000, &e), 0);
	ck_assert_uint_eq(e.level, 3);
	{
		struct gpuvm_mali_vm_stats st2;

		gpuvm_mali_vm_stats(vm, &st2);
		ck_assert_uint_eq(st2.pt_pages_used - st.pt_pages_used, 1);
		ck_assert_uint_eq(st2.pages_unmapped - st.pages_unmapped, 1);
	}
	/* map the hole again with the same page: 4 KiB page back in */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 0x5000, PG, &bos[1],
					   0x5000, RW), 0);
	expect_pa(WIN + 0x5000, bos[1].pa + 0x5000);
	/* unmap the whole block range, then a block can come back */
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN, BLK), 0);
	expect_fault(WIN);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, BLK, &bos[0], BLK, RW), 0);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(gpuvm_mali_vm_pgtable(vm),
					      WIN + 0x5000, &e), 0);
	ck_assert_uint_eq(e.level, 2);
	expect_pa(WIN + 0x5000, bos[0].pa + BLK + 0x5000);
	expect_clean();
	finish();
}
END_TEST

/* identical re-map and a "keep" split: no entry written, no flush */
START_TEST(test_keep)
{
	struct gpuvm_mali_vm_stats a, b;
	uint64_t i;

	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 16 * PG, &bos[0], 0, RW), 0);
	expect_pa(WIN + 3 * PG, bos[0].pa + 3 * PG);
	gpuvm_mali_vm_stats(vm, &a);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 16 * PG, &bos[0], 0, RW), 0);
	gpuvm_mali_vm_stats(vm, &b);
	ck_assert_uint_eq(b.pages_kept - a.pages_kept, 16);
	ck_assert_uint_eq(b.pages_mapped, a.pages_mapped);
	ck_assert_uint_eq(b.pages_unmapped, a.pages_unmapped);
	ck_assert_uint_eq(b.flushes, a.flushes);

	/* the middle again, same object and offset: REMAP with keep */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 4 * PG, 4 * PG, &bos[0],
					   4 * PG, RW), 0);
	gpuvm_mali_vm_stats(vm, &a);
	ck_assert_uint_eq(a.pages_kept - b.pages_kept, 4);
	ck_assert_uint_eq(a.flushes, b.flushes);
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 3);

	/* same pages, other protection: rewritten */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 4 * PG, 4 * PG, &bos[0],
					   4 * PG, RO), 0);
	gpuvm_mali_vm_stats(vm, &b);
	ck_assert_uint_eq(b.pages_kept, a.pages_kept);
	ck_assert_uint_eq(b.pages_mapped - a.pages_mapped, 4);
	ck_assert_uint_eq(b.flushes - a.flushes, 1);
	for (i = 0; i < 16; i++)
		expect_pa(WIN + i * PG, bos[0].pa + i * PG);
	expect_clean();
	finish();
}
END_TEST

/* rejected requests change nothing */
START_TEST(test_invalid)
{
	struct gpuvm_mali_bo outside;
	struct snap *s0, *s1;

	s0 = malloc(sizeof(*s0));
	s1 = malloc(sizeof(*s1));
	ck_assert_ptr_nonnull(s0);
	ck_assert_ptr_nonnull(s1);
	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 8 * PG, &bos[2], 0, RW), 0);
	take_snap(s0);

	/* past the end of the object */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 8 * PG, &bos[2], 60 * PG, RW),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 65 * PG, &bos[2], 0, RW),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, PG, &bos[2], 64 * PG, RW),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, PG, &bos[2], UINT64_MAX & ~(PG - 1),
					   RW), -EINVAL);
	/* no access */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, PG, &bos[2], 0, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, PG, &bos[2], 0,
					   GPUVM_MALI_PT_NOEXEC), -EINVAL);
	/* misaligned, empty, outside the VM, in the reserved region */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 1, PG, &bos[2], 0, RW), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 0, &bos[2], 0, RW), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, PG, &bos[2], 1, RW), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, 0x100000, PG, &bos[2], 0, RW),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, 0x200000000ull, PG, &bos[2], 0, RW),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN + 8, PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, 0x100000, PG), -EINVAL);
	/* memory outside the output ranges */
	ck_assert_int_eq(gpuvm_mali_bo_init(&outside, BUF_BASE + BUF_SIZE,
					    4 * PG, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 4 * PG, &outside, 0, RW),
			 -EPERM);
	take_snap(s1);
	same_snap(s0, s1);
	gpuvm_mali_bo_fini(&outside);
	ck_assert_int_eq(gpuvm_mali_bo_init(&outside, 1, PG, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_bo_init(&outside, 0, 0, NULL), -EINVAL);

	expect_pa(WIN, bos[2].pa);
	expect_clean();
	finish();
	free(s0);
	free(s1);
}
END_TEST

/* mappings without object are tracked but fault */
START_TEST(test_sparse)
{
	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 8 * PG, &bos[0], 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 2 * PG, 2 * PG, NULL, 0, RW),
			 0);
	expect_pa(WIN + PG, bos[0].pa + PG);
	expect_fault(WIN + 2 * PG);
	expect_fault(WIN + 3 * PG);
	expect_pa(WIN + 4 * PG, bos[0].pa + 4 * PG);
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 3);
	/* a map over the sparse mapping */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 3 * PG, PG, &bos[1], 0, RW),
			 0);
	expect_fault(WIN + 2 * PG);
	expect_pa(WIN + 3 * PG, bos[1].pa);
	expect_clean();
	finish();
}
END_TEST

/* madvise splits the object-less mapping only, writes no entry, no flush */
START_TEST(test_madvise)
{
	struct gpuvm_mali_vm_stats before, after;
	struct gpuvm *gv;
	struct gpuvm_va *va;
	uint64_t want[][2] = {
		{ WIN, 4 * PG },
		{ WIN + 4 * PG, PG },
		{ WIN + 5 * PG, 2 * PG },
		{ WIN + 7 * PG, PG },
		{ WIN + 8 * PG, 4 * PG },
	};
	unsigned int i = 0;

	start((enum cfg_kind)_i);
	gv = gpuvm_mali_vm_gpuvm(vm);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 4 * PG, &bos[0], 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 4 * PG, 4 * PG, NULL, 0, RW),
			 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 8 * PG, 4 * PG, &bos[1], 0,
					   RW), 0);
	gpuvm_mali_vm_stats(vm, &before);

	/* [WIN+5, WIN+7) inside the sparse mapping: REMAP + MAP */
	ck_assert_int_eq(gpuvm_mali_vm_madvise(vm, WIN + 5 * PG, 2 * PG), 0);
	/* over the whole window: the BO mappings are left alone */
	ck_assert_int_eq(gpuvm_mali_vm_madvise(vm, WIN + 2 * PG, 8 * PG), 0);
	gpuvm_mali_vm_stats(vm, &after);
	ck_assert_uint_eq(after.flushes, before.flushes);
	ck_assert_uint_eq(after.pages_mapped, before.pages_mapped);

	gpuvm_for_each_va(va, gv) {
		if (va == &gv->kernel_alloc_node)
			continue;
		ck_assert_uint_lt(i, 5);
		ck_assert_uint_eq(va->addr, want[i][0]);
		ck_assert_uint_eq(va->range, want[i][1]);
		ck_assert_int_eq(!va->obj, i >= 1 && i <= 3);
		i++;
	}
	ck_assert_uint_eq(i, 5);
	ck_assert_int_eq(gpuvm_check(gv), 0);

	expect_pa(WIN + 3 * PG, bos[0].pa + 3 * PG);
	expect_fault(WIN + 5 * PG);
	expect_pa(WIN + 8 * PG, bos[1].pa);
	ck_assert_int_eq(gpuvm_mali_vm_madvise(vm, WIN + 1, PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_madvise(vm, WIN, 0), -EINVAL);
	expect_clean();
	finish();
}
END_TEST

/* two VMs on one MMU and one page-table memory, sharing an object */
START_TEST(test_two_vms)
{
	struct gpuvm_mali_vm_config vcfg;
	struct gpuvm_mali_vm *vm2;
	uint64_t pa;
	int as2;

	start((enum cfg_kind)_i);
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.va_start = WIN;
	vcfg.va_range = WIN_SIZE;
	vcfg.default_prot = RO;
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &vcfg, &vm2), 0);
	as2 = gpuvm_mali_vm_bind(vm2);
	ck_assert_int_ge(as2, 0);
	ck_assert_int_ne(as2, as);

	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 4 * PG, &bos[2], 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm2, WIN + PG, 4 * PG, &bos[2], 8 * PG,
					   GPUVM_MALI_VM_PROT_DEFAULT), 0);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(vm2, WIN + PG), RO);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, (unsigned int)as2, WIN + PG,
					       GPUVM_MALI_SIM_READ, 1, &pa),
			 GPUVM_MALI_SIM_OK);
	ck_assert_uint_eq(pa, bos[2].pa + 8 * PG);
	/* read-only: a write faults with a permission fault */
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, (unsigned int)as2, WIN + PG,
					       GPUVM_MALI_SIM_WRITE, 1, &pa),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(gpuvm_mali_mmu_handle_irq(mmu), 1);
	ck_assert_ptr_eq(last_fault.client, gpuvm_mali_vm_client(vm2));
	ck_assert_uint_eq(last_fault.access_type, GPUVM_MALI_ACCESS_WRITE);
	ck_assert_uint_eq(last_fault.exception_type & 0xF8, 0xC8);
	expect_pa(WIN + PG, bos[2].pa + PG);

	gpuvm_mali_vm_destroy(vm2);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, (unsigned int)as2, WIN + PG,
					       GPUVM_MALI_SIM_READ, 1, &pa),
			 GPUVM_MALI_SIM_FAULT);
	expect_pa(WIN + 3 * PG, bos[2].pa + 3 * PG);
	expect_clean();
	finish();
}
END_TEST

/* --- allocation failures ------------------------------------------------ */

/* page-table memory runs out: -ENOMEM, nothing changed */
START_TEST(test_pool_exhausted)
{
	const uint64_t pool = 0xA0000000ull;
	struct gpuvm_mali_vm_config vcfg;
	struct gpuvm_mali_ptmem *mem2;
	struct gpuvm_mali_vm *vm2;
	size_t used;
	int as2;

	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, pool, 2 * PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &mem2), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem2, pool, 2 * PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem2, BUF_BASE,
							   BUF_SIZE), 0);
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.va_start = WIN;
	vcfg.va_range = WIN_SIZE;
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem2, &vcfg, &vm2), 0);
	as2 = gpuvm_mali_vm_bind(vm2);
	ck_assert_int_ge(as2, 0);
	/* the root plus one page: a first map needs at least two more */
	ck_assert_int_eq(gpuvm_mali_vm_map(vm2, WIN, PG, &bos[0], 0, RW),
			 -ENOMEM);
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm2)), 0);
	ck_assert_int_eq(gpuvm_mali_vm_translate(vm2, WIN, NULL), -ENOENT);
	gpuvm_mali_ptmem_stats(mem2, NULL, &used, NULL);
	ck_assert_uint_eq(used, 1);
	ck_assert(gpuvm_mali_vm_usable(vm2));
	/* the vm_bo obtained for the request is gone again */
	ck_assert(gpuvm_list_empty(&bos[0].base.vm_bos));
	gpuvm_mali_vm_destroy(vm2);
	gpuvm_mali_ptmem_stats(mem2, NULL, &used, NULL);
	ck_assert_uint_eq(used, 0);
	gpuvm_mali_ptmem_destroy(mem2);
	finish();
}
END_TEST

typedef int (*req_fn)(void);

static int req_map_over(void)
{
	/* REMAP prev + next of the block mapping, new tables needed */
	return gpuvm_mali_vm_map(vm, WIN + 0x3000, 6 * PG, &bos[1], 0, RW);
}

static int req_map_new_region(void)
{
	return gpuvm_mali_vm_map(vm, WIN + BLK, BLK, &bos[0], BLK, RW);
}

static int req_unmap_split(void)
{
	/* splits the block, and removes the small mapping */
	return gpuvm_mali_vm_unmap(vm, WIN + BLK - 4 * PG, 12 * PG);
}

static void fail_sweep(req_fn fn)
{
	struct snap *s0, *s1;
	unsigned long n;
	int ret;

	s0 = malloc(sizeof(*s0));
	s1 = malloc(sizeof(*s1));
	ck_assert_ptr_nonnull(s0);
	ck_assert_ptr_nonnull(s1);
	for (n = 1;; n++) {
		take_snap(s0);
		ts_alloc_fail_at(n, 0);
		ret = fn();
		ts_alloc_fail_at(0, 0);
		if (!ret)
			break;
		ck_assert_int_eq(ret, -ENOMEM);
		take_snap(s1);
		same_snap(s0, s1);
		ck_assert(gpuvm_mali_vm_usable(vm));
		ck_assert_int_eq(gpuvm_check(gpuvm_mali_vm_gpuvm(vm)), 0);
		ck_assert_uint_lt(n, 1000);
	}
	ck_assert_uint_gt(n, 1);
	free(s0);
	free(s1);
}

START_TEST(test_alloc_fail)
{
	uint64_t i;

	start((enum cfg_kind)_i);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, BLK, &bos[0], 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + BLK, 8 * PG, &bos[2], 0, RW),
			 0);

	fail_sweep(req_map_over);
	for (i = 0; i < 12; i++) {
		uint64_t want = (i >= 3 && i < 9) ? bos[1].pa + (i - 3) * PG :
			       bos[0].pa + i * PG;

		expect_pa(WIN + i * PG, want);
	}
	fail_sweep(req_unmap_split);
	expect_pa(WIN + BLK - 5 * PG, bos[0].pa + BLK - 5 * PG);
	expect_fault(WIN + BLK - 4 * PG);
	expect_fault(WIN + BLK + 7 * PG);
	fail_sweep(req_map_new_region);
	expect_pa(WIN + BLK + 5 * PG, bos[0].pa + BLK + 5 * PG);
	expect_clean();
	finish();
}
END_TEST

/* --- hardware failure --------------------------------------------------- */

START_TEST(test_stuck)
{
	enum cfg_kind kind = (enum cfg_kind)_i;
	int ret;

	start(kind);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN, 4 * PG, &bos[0], 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK,
					       (unsigned int)as, 1), 0);
	ret = gpuvm_mali_vm_map(vm, WIN + 8 * PG, 4 * PG, &bos[0], 0, RW);
	ck_assert_int_eq(ret, -ETIMEDOUT);
	ck_assert(gpuvm_mali_mmu_needs_reset(mmu));
	if (kind == CFG_CSF) {
		/* the lock failed before any edit: nothing changed */
		ck_assert(gpuvm_mali_vm_usable(vm));
		ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 1);
		ck_assert_int_eq(gpuvm_mali_vm_translate(vm, WIN + 8 * PG, NULL),
				 -ENOENT);
		ck_assert_int_eq(gpuvm_mali_vm_map(vm, WIN + 8 * PG, 4 * PG,
						   &bos[0], 0, RW), -EIO);
	} else {
		/* the flush failed after the edits: the VM is unusable */
		ck_assert(!gpuvm_mali_vm_usable(vm));
		ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(vm)), 2);
		ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, WIN, PG), -EIO);
		ck_assert_int_eq(gpuvm_mali_vm_bind(vm), -EIO);
	}
	ck_assert_int_eq(gpuvm_check(gpuvm_mali_vm_gpuvm(vm)), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_GPU_RESET,
					       0, 0), 0);
	gpuvm_mali_mmu_reset_done(mmu);
	gpuvm_mali_sim_violation_clear(sim);
	finish();
}
END_TEST

/* --- randomized model --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static unsigned long iterations(void)
{
	const char *s = getenv("GPUVM_TEST_ITERATIONS");
	unsigned long n = 300;

	if (s && *s)
		n = strtoul(s, NULL, 0);
	if (getenv("GPUVM_UNDER_VALGRIND"))
		n /= 10;
	return n ? n : 1;
}

/* model: the bus address of each window page, UINT64_MAX when unmapped */
static uint64_t model[WIN_PAGES];

static void check_model(void)
{
	uint64_t i, pa;

	for (i = 0; i < WIN_PAGES; i++) {
		uint64_t va = WIN + i * PG;

		if (model[i] == UINT64_MAX) {
			ck_assert_msg(!gpu_read(va, &pa),
				      "va 0x%llx maps 0x%llx, want a fault",
				      (unsigned long long)va,
				      (unsigned long long)pa);
		} else {
			pa = 0;
			ck_assert_msg(gpu_read(va, &pa) && pa == model[i],
				      "va 0x%llx -> 0x%llx, want 0x%llx",
				      (unsigned long long)va,
				      (unsigned long long)pa,
				      (unsigned long long)model[i]);
		}
	}
	expect_clean();
}

static void random_run(enum cfg_kind kind, uint64_t seed)
{
	unsigned long it, n = iterations(), nfailed = 0;
	struct gpuvm_mali_vm_stats st;
	uint64_t i;

	start(kind);
	rng_state = seed;
	for (i = 0; i < WIN_PAGES; i++)
		model[i] = UINT64_MAX;

	for (it = 0; it < n; it++) {
		uint64_t first, npages, off = 0;
		struct gpuvm_mali_bo *bo = NULL;
		unsigned int prot = rnd_below(4) ? RW : RO;
		uint64_t kind_r = rnd_below(10);
		bool map = rnd_below(3) != 0;
		bool fail;
		int ret;

		if (kind_r < 2) {
			/* whole 2 MiB regions: blocks */
			first = rnd_below(2) * (BLK / PG);
			npages = (first ? 1 : 1 + rnd_below(2)) * (BLK / PG);
		} else {
			first = rnd_below(WIN_PAGES);
			npages = 1 + rnd_below(kind_r < 4 ? 600 : 24);
			if (first + npages > WIN_PAGES)
				npages = WIN_PAGES - first;
		}
		/* now and then an allocation fails: all or nothing */
		fail = rnd_below(8) == 0;
		if (fail)
			ts_alloc_fail_at(1 + rnd_below(6), 0);
		if (map) {
			uint64_t pick = rnd_below(NBOS + 1);

			if (pick < NBOS)
				bo = &bos[pick];
			if (bo && npages * PG > bo->size)
				bo = &bos[rnd_below(2)];
			if (bo) {
				uint64_t slack = bo->size / PG - npages;

				if (npages * PG > bo->size)
					npages = bo->size / PG;
				slack = bo->size / PG - npages;
				if (kind_r < 2 && bo != &bos[2])
					off = rnd_below(slack / (BLK / PG) + 1) * BLK;
				else
					off = rnd_below(slack + 1) * PG;
			}
			ret = gpuvm_mali_vm_map(vm, WIN + first * PG, npages * PG,
						bo, off, prot);
		} else {
			ret = gpuvm_mali_vm_unmap(vm, WIN + first * PG,
						  npages * PG);
		}
		ts_alloc_fail_at(0, 0);
		if (fail && ret == -ENOMEM) {
			nfailed++;
			check_model();
			continue;
		}
		ck_assert_msg(ret == 0, "request %lu failed: %d", it, ret);
		for (i = first; i < first + npages; i++)
			model[i] = bo ? bo->pa + off + (i - first) * PG :
				   UINT64_MAX;
		check_model();
	}
	gpuvm_mali_vm_stats(vm, &st);
	if (getenv("GPUVM_TEST_VERBOSE"))
		fprintf(stderr, "cfg %d seed %llx: %llu requests, %llu ops, "
			"%llu mapped, %llu unmapped, %llu kept, %llu pt pages, "
			"%llu flushes, %d faults, %lu failed\n", (int)kind,
			(unsigned long long)seed,
			(unsigned long long)st.requests,
			(unsigned long long)st.ops,
			(unsigned long long)st.pages_mapped,
			(unsigned long long)st.pages_unmapped,
			(unsigned long long)st.pages_kept,
			(unsigned long long)st.pt_pages_used,
			(unsigned long long)st.flushes, nfaults, nfailed);
	ck_assert_uint_eq(st.requests, n - nfailed);
	ck_assert_uint_eq(st.failed, nfailed);
	finish();
}

START_TEST(test_random)
{
	static const uint64_t seeds[] = { 0x1234567ull, 0xfeedbeefull,
					  0xc0ffee11ull };
	unsigned int s;

	for (s = 0; s < 3; s++)
		random_run((enum cfg_kind)_i, seeds[s]);
}
END_TEST

/*
 * Destroying a VM unlinks each VA under its object's resv; the vm_bo's
 * reference on the object may be the last one, and the object must not be
 * freed before its resv is unlocked (issue 12.1 audit).
 */
struct heap_bo {
	struct gpuvm_mali_bo bo;
	int refs;
};

static int heap_bo_freed, heap_bo_freed_locked;

static void heap_bo_get(struct gpuvm_bo *obj)
{
	gpuvm_container_of(obj, struct heap_bo, bo.base)->refs++;
}

static void heap_bo_put(struct gpuvm_bo *obj)
{
	struct heap_bo *h = gpuvm_container_of(obj, struct heap_bo, bo.base);

	if (--h->refs)
		return;
	if (ts_resv_locked(&obj->own_resv))
		heap_bo_freed_locked++;
	heap_bo_freed++;
	gpuvm_mali_bo_fini(&h->bo);
	free(h);
}

START_TEST(test_destroy_drops_last_bo_ref)
{
	static const struct gpuvm_bo_ops ops = {
		.get = heap_bo_get,
		.put = heap_bo_put,
	};
	struct heap_bo *h = calloc(1, sizeof(*h));

	ck_assert_ptr_nonnull(h);
	start(CFG_CSF);
	h->refs = 1;
	ck_assert_int_eq(gpuvm_mali_bo_init(&h->bo, BUF_BASE, 16 * PG, &ops), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, 0x400000, 16 * PG, &h->bo, 0,
					   GPUVM_MALI_VM_PROT_DEFAULT), 0);
	heap_bo_freed = heap_bo_freed_locked = 0;
	heap_bo_put(&h->bo.base);	/* only the VM holds it now */
	ck_assert_int_eq(heap_bo_freed, 0);
	gpuvm_mali_vm_destroy(vm);
	vm = NULL;
	ck_assert_int_eq(heap_bo_freed, 1);
	ck_assert_int_eq(heap_bo_freed_locked, 0);
	finish();	/* the rest; the VM is gone already */
}
END_TEST

static Suite *vm_suite(void)
{
	Suite *s = suite_create("mali_vm");
	TCase *tc;

	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, test_basic, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_overlap, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_unmap_middle, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_block_split, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_keep, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_invalid, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_sparse, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_madvise, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_two_vms, 0, CFG_NKINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, test_alloc_fail, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_pool_exhausted, 0, CFG_NKINDS);
	tcase_add_loop_test(tc, test_stuck, 0, CFG_MIDGARD);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_random, 0, CFG_NKINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifetime");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_destroy_drops_last_bo_ref);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(vm_suite());
}
