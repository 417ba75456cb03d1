// SPDX-License-Identifier: MIT
/*
 * Fuzz target: Mali page tables, applied on the simulated GPU.
 *
 * The input picks a GPU and page-table format, then runs a sequence of
 * page-table updates on a window of WIN_PAGES 4 KiB pages (three 2 MiB
 * regions straddling a 1 GiB boundary, so that two level-2 tables are
 * used), each inside an MMU update window of a bound address space:
 *
 *   byte 0          bit 0: Mali LPAE (Midgard-like JM GPU), else AArch64 4K;
 *                   bit 1: CSF GPU (AArch64 only); bit 2: coherent walker
 *                   and tables; bit 3: cached (non-coherent) table memory
 *   then steps      OP START(2) LEN PA PROT
 *
 * OP % 8: map (0-2), unmap (3, 4), unmap + map again with another PA and
 * protection in one update window (5), an invalid request (6) and a request
 * given one reserved table page too few (7).  START and LEN are in pages;
 * LEN's low two bits choose a scale (a few pages, up to 64, whole 2 MiB
 * blocks, anything), START's bit 15 aligns START to 2 MiB.  PA picks a
 * 2 MiB region of the output range and, with bit 7, the same offset in it
 * as the VA (so 2 MiB blocks are used where both are aligned).
 *
 * A page model (bus address and protection of every page) says what each
 * request must return (-EEXIST when any page of a map is mapped; unmap
 * always succeeds) and is checked after every step, on the pages the step
 * touched and one page around them (every page every 16th step and at the
 * end):
 *  - gpuvm_mali_pt_lookup(): same address and protection, or -ENOENT;
 *  - the simulator's walker over GPU-visible memory (walk oracle): reads
 *    translate to the same address, unmapped pages fault;
 *  - on the eight pages at each end of the range and every 16th page:
 *    writes fault exactly on read-only pages, instruction fetches exactly
 *    on NOEXEC pages, and the GPU's read path (TLB, walker line cache)
 *    translates mapped pages correctly;
 *  - gpuvm_mali_sim_check_coherent(): nothing stale after the flush;
 *  - map_prepare()/unmap_prepare() predict the exact table pages taken and
 *    stay within the *_reserve_pages() bounds; the lock region covers the
 *    request; table pages in use equal the tables reachable;
 *  - invalid requests and short reservations fail with their error and
 *    write nothing;
 *  - the simulator logs no protocol violation.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>

#include "fuzz.h"
#include "support.h"

#define PG		0x1000ull
#define BLK		0x200000ull
#define WIN_BLOCKS	3
#define WIN_PAGES	(WIN_BLOCKS * 512)
#define WIN_BASE	((1ull << 30) - BLK)	/* crosses 1 GiB */
#define PT_BASE		0x80000000ull
#define PT_SIZE		(512ull << 10)
#define OUT_BASE	0x100000000ull
#define OUT_REGIONS	16
#define OUT_SIZE	((OUT_REGIONS + WIN_BLOCKS) * BLK)
#define MAX_STEPS	200

#define R	GPUVM_MALI_PT_READ
#define W	GPUVM_MALI_PT_WRITE
#define C	GPUVM_MALI_PT_CACHED

static const unsigned int prots[8] = {
	R | W, R | W | C, R | C, R | W | C | GPUVM_MALI_PT_NOEXEC,
	R | W | GPUVM_MALI_PT_MMIO, R, R | GPUVM_MALI_PT_NOEXEC,
	R | W | GPUVM_MALI_PT_NOEXEC,
};

struct mpage {
	uint64_t pa;		/* 0: unmapped */
	unsigned int prot;
};

struct env {
	struct gpuvm_mali_sim *sim;
	struct gpuvm_mali_hal *hal;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_pgtable *pt;
	struct gpuvm_mali_as_client client;
	enum gpuvm_mali_pt_format fmt;
	unsigned int ias;
	int as;
	struct mpage m[WIN_PAGES];
	unsigned long blocks;	/* 2 MiB leaves seen */
};

static uint64_t va_of(size_t page)
{
	return WIN_BASE + (uint64_t)page * PG;
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */

static void check_page(struct env *e, size_t i, bool deep)
{
	const struct mpage *m = &e->m[i];
	uint64_t va = va_of(i), pa = 0;
	struct gpuvm_mali_pt_entry x;
	uint32_t fault = 0;
	int ret = gpuvm_mali_pt_lookup(e->pt, va, &x);

	if (!m->pa) {
		FZ_EQ(ret, -ENOENT);
		FZ_EQ(gpuvm_mali_sim_walk_oracle(e->sim, (unsigned int)e->as,
						 va + 8, GPUVM_MALI_SIM_READ,
						 NULL, &fault), 1);
		FZ_REQUIRE(fault != 0);
		return;
	}
	FZ_EQ(ret, 0);
	/* this page translates to the model's address, same protection */
	FZ_EQ(x.pa, m->pa);
	FZ_EQ(x.prot, m->prot);
	FZ_REQUIRE(x.size == PG || x.size == BLK);
	FZ_EQ(x.level, x.size == BLK ? 2 : 3);
	if (x.size == BLK && !(va & (BLK - 1)))
		e->blocks++;

	/* the GPU walker, memory only */
	FZ_EQ(gpuvm_mali_sim_walk_oracle(e->sim, (unsigned int)e->as, va + 0x18,
					 GPUVM_MALI_SIM_READ, &pa, &fault), 0);
	FZ_EQ(pa, m->pa + 0x18);
	if (!deep)
		return;
	FZ_EQ(gpuvm_mali_sim_walk_oracle(e->sim, (unsigned int)e->as, va,
					 GPUVM_MALI_SIM_WRITE, NULL, NULL),
	      !(m->prot & W));
	FZ_EQ(gpuvm_mali_sim_walk_oracle(e->sim, (unsigned int)e->as, va,
					 GPUVM_MALI_SIM_EXEC, NULL, NULL),
	      !!(m->prot & GPUVM_MALI_PT_NOEXEC));
	/* and the real read path: TLB, line cache, walker */
	pa = 0;
	FZ_EQ(gpuvm_mali_sim_access(e->sim, (unsigned int)e->as, va + 0x20,
				    GPUVM_MALI_SIM_READ, 1, &pa),
	      GPUVM_MALI_SIM_OK);
	FZ_EQ(pa, m->pa + 0x20);
}

/* pages [first, first + n) and one page around them */
static void check_range(struct env *e, size_t first, size_t n, bool deep)
{
	size_t lo = first ? first - 1 : 0, hi = first + n + 1, i;
	size_t used = 0, deferred = 0;

	if (hi > WIN_PAGES)
		hi = WIN_PAGES;
	/*
	 * Every page is looked up and walked; the deep checks (permissions,
	 * the GPU read path) cover the eight pages at each end, where splits
	 * and merges happen, and every 16th page in between.
	 */
	for (i = lo; i < hi; i++)
		check_page(e, i, deep && (i < lo + 8 || i + 8 >= hi ||
					  !(i % 16)));
	if (deep)
		FZ_EQ(gpuvm_mali_sim_check_coherent(e->sim, (unsigned int)e->as,
						    va_of(lo), (hi - lo) * PG),
		      0);
	gpuvm_mali_ptmem_stats(e->mem, NULL, &used, &deferred);
	FZ_EQ(used - deferred, gpuvm_mali_pt_count_tables(e->pt));
	FZ_EQ(gpuvm_mali_sim_violation_count(e->sim), 0);
}

/* ------------------------------------------------------------------------ */
/* Updates                                                                  */

static bool busy(const struct env *e, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; i++)
		if (e->m[i].pa)
			return true;
	return false;
}

/* map inside an open window; returns the error, checks the page count */
static int map_one(struct env *e, size_t first, size_t n, uint64_t pa,
		   unsigned int prot, bool short_res)
{
	struct gpuvm_mali_pt_reserve res = GPUVM_MALI_PT_RESERVE_INIT;
	uint64_t va = va_of(first), size = n * PG;
	size_t need = 0, bound = gpuvm_mali_pt_map_reserve_pages(e->pt, va, size);
	int want = busy(e, first, n) ? -EEXIST : 0, ret;
	size_t i;

	FZ_EQ(gpuvm_mali_pt_map_prepare(e->pt, va, pa, size, prot, &need),
	      want);
	if (!want)
		FZ_REQUIRE(need <= bound);
	if (short_res) {
		if (want || !need)
			return 1;	/* nothing to shorten */
		need--;
		want = -ENOMEM;
	}
	FZ_EQ(gpuvm_mali_pt_reserve_fill(&res, e->mem, need), 0);
	ret = gpuvm_mali_pt_map(e->pt, va, pa, size, prot, &res);
	FZ_EQ(ret, want);
	FZ_EQ(res.taken, ret ? 0 : need);
	gpuvm_mali_pt_reserve_release(&res);
	if (!ret)
		for (i = first; i < first + n; i++) {
			e->m[i].pa = pa + (i - first) * PG;
			e->m[i].prot = prot;
		}
	return ret;
}

static int unmap_one(struct env *e, size_t first, size_t n, bool short_res)
{
	struct gpuvm_mali_pt_reserve res = GPUVM_MALI_PT_RESERVE_INIT;
	struct gpuvm_mali_pt_range lock, touched;
	uint64_t va = va_of(first), size = n * PG;
	size_t need = 0, i;
	int want = 0, ret;

	FZ_EQ(gpuvm_mali_pt_unmap_prepare(e->pt, va, size, &need, &lock), 0);
	FZ_REQUIRE(need <= gpuvm_mali_pt_unmap_reserve_pages(va, size));
	/* the lock covers the request, widened to whole blocks at most */
	FZ_REQUIRE(lock.start <= va && lock.end >= va + size);
	FZ_REQUIRE(lock.start >= (va & ~(BLK - 1)) &&
		   lock.end <= ((va + size + BLK - 1) & ~(BLK - 1)));
	if (short_res) {
		if (!need)
			return 1;
		need--;
		want = -ENOMEM;
	}
	FZ_EQ(gpuvm_mali_pt_reserve_fill(&res, e->mem, need), 0);
	ret = gpuvm_mali_pt_unmap(e->pt, va, size, &res, &touched);
	FZ_EQ(ret, want);
	FZ_EQ(res.taken, ret ? 0 : need);
	gpuvm_mali_pt_reserve_release(&res);
	if (!ret) {
		FZ_REQUIRE(touched.start >= lock.start &&
			   touched.end <= lock.end);
		for (i = first; i < first + n; i++)
			e->m[i].pa = 0;
	}
	return ret;
}

static void window_open(struct env *e, size_t first, size_t n)
{
	uint64_t lo = va_of(first) & ~(BLK - 1);
	uint64_t hi = (va_of(first + n) + BLK - 1) & ~(BLK - 1);

	/* whole blocks: an unmap may split the block around its ends */
	FZ_EQ(gpuvm_mali_mmu_begin_update(e->mmu, &e->client, lo, hi - lo), 0);
}

static void window_close(struct env *e)
{
	FZ_EQ(gpuvm_mali_mmu_end_update(e->mmu, &e->client, e->mem, 0), 0);
}

/* An invalid request of kind @k: its error, and no store at all. */
static void invalid(struct env *e, unsigned int k, size_t first, size_t n,
		    uint64_t pa)
{
	struct gpuvm_mali_pt_reserve res = GPUVM_MALI_PT_RESERVE_INIT;
	uint64_t va = va_of(first), size = n * PG;
	size_t tables = gpuvm_mali_pt_count_tables(e->pt), need;
	unsigned int prot = R | W;
	int want;

	switch (k % 6) {
	case 0:		/* no size */
		size = 0;
		want = -EINVAL;
		break;
	case 1:		/* misaligned VA */
		va += 0x800;
		want = -EINVAL;
		break;
	case 2:		/* misaligned PA (map only) */
		pa += 0x10;
		want = -EINVAL;
		break;
	case 3:		/* neither read nor write (map only) */
		prot = GPUVM_MALI_PT_CACHED;
		want = -EINVAL;
		break;
	case 4:		/* beyond the input address size */
		va = (1ull << e->ias) - PG;
		size = 2 * PG;
		want = -ERANGE;
		break;
	default:	/* outside the output ranges (map only) */
		pa = OUT_BASE + OUT_SIZE + (pa & (BLK - 1));
		want = -EPERM;
		break;
	}
	FZ_EQ(gpuvm_mali_pt_reserve_fill(&res, e->mem, 8), 0);
	FZ_EQ(gpuvm_mali_pt_map(e->pt, va, pa, size, prot, &res), want);
	FZ_EQ(gpuvm_mali_pt_map_prepare(e->pt, va, pa, size, prot, &need),
	      want);
	if (k % 6 <= 1 || k % 6 == 4) {
		FZ_EQ(gpuvm_mali_pt_unmap(e->pt, va, size, &res, NULL), want);
		FZ_EQ(gpuvm_mali_pt_unmap_prepare(e->pt, va, size, &need, NULL),
		      want);
	}
	FZ_EQ(res.taken, 0);
	gpuvm_mali_pt_reserve_release(&res);
	FZ_EQ(gpuvm_mali_pt_count_tables(e->pt), tables);
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                    */

static void env_start(struct env *e, unsigned int cfg_byte)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_pt_config pcfg;
	const struct gpuvm_mali_gpu_info *info;
	bool lpae = cfg_byte & 1, coherent = cfg_byte & 4;

	if (lpae) {
		/* a Midgard-like JM GPU: LPAE only, 39-bit VA */
		gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
		cfg.gpu_id = 0x08600000;
		cfg.mmu_features = 0x2827;
		cfg.formats = GPUVM_MALI_SIM_FMT_LPAE;
	} else {
		gpuvm_mali_sim_config_init(&cfg, (cfg_byte & 2) ?
					   GPUVM_MALI_SIM_CSF :
					   GPUVM_MALI_SIM_JM);
	}
	cfg.trace_capacity = 0;
	cfg.coherent_walk = coherent;
	cfg.strict = true;
	if (coherent)
		cfg.visibility = GPUVM_MALI_SIM_VIS_COHERENT;
	else if (cfg_byte & 8)
		cfg.visibility = GPUVM_MALI_SIM_VIS_CACHED;

	FZ_EQ(gpuvm_mali_sim_create(&cfg, &e->sim), 0);
	FZ_EQ(gpuvm_mali_sim_add_memory(e->sim, PT_BASE, PT_SIZE), 0);
	e->hal = gpuvm_mali_sim_hal(e->sim);
	FZ_EQ(gpuvm_mali_mmu_create(e->hal, NULL, &e->mmu), 0);
	info = gpuvm_mali_mmu_info(e->mmu);
	FZ_EQ(info->format, lpae ? GPUVM_MALI_PT_LPAE : GPUVM_MALI_PT_AARCH64_4K);
	FZ_EQ(gpuvm_mali_ptmem_create(e->hal, &e->mem), 0);
	FZ_EQ(gpuvm_mali_ptmem_add_pool(e->mem, PT_BASE, PT_SIZE), 0);
	FZ_EQ(gpuvm_mali_ptmem_add_output_range(e->mem, OUT_BASE, OUT_SIZE), 0);

	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.format = info->format;
	pcfg.ias = info->va_bits;
	pcfg.oas = info->pa_bits;
	pcfg.coherent = coherent;
	e->fmt = pcfg.format;
	e->ias = pcfg.ias;
	FZ_EQ(gpuvm_mali_pt_create(e->mem, &pcfg, &e->pt), 0);
	gpuvm_mali_as_client_init(&e->client, gpuvm_mali_pt_transtab(e->pt),
				  gpuvm_mali_pt_memattr(pcfg.format, coherent),
				  gpuvm_mali_pt_transcfg_encode(pcfg.format,
								pcfg.ias,
								coherent));
	e->as = gpuvm_mali_mmu_bind(e->mmu, &e->client);
	FZ_REQUIRE(e->as >= 0);
}

static void env_stop(struct env *e)
{
	FZ_EQ(gpuvm_mali_sim_violation_count(e->sim), 0);
	FZ_EQ(gpuvm_mali_mmu_unbind(e->mmu, &e->client), 0);
	gpuvm_mali_pt_destroy(e->pt);
	gpuvm_mali_ptmem_flush_done(e->mem);
	gpuvm_mali_ptmem_destroy(e->mem);
	gpuvm_mali_mmu_destroy(e->mmu);
	FZ_EQ(gpuvm_mali_sim_violation_count(e->sim), 0);
	gpuvm_mali_sim_destroy(e->sim);
}

/* ------------------------------------------------------------------------ */
/* Steps                                                                    */

static void step(struct env *e, struct fz_bytes *in, unsigned int nstep)
{
	unsigned int op = fz_u8(in) % 8, start = fz_u16(in), len = fz_u8(in);
	unsigned int pab = fz_u8(in), prot = prots[fz_u8(in) % 8];
	size_t first = (start & 0x7fff) % WIN_PAGES, n;
	uint64_t pa;

	switch (len & 3) {
	case 0:
		n = 1 + (len >> 2) % 8;
		break;
	case 1:
		n = 1 + (len >> 2) % 64;
		break;
	case 2:
		n = 512 * (1 + (len >> 2) % WIN_BLOCKS);
		break;
	default:
		n = 1 + ((len >> 2) * 29) % WIN_PAGES;
		break;
	}
	if (start & 0x8000)
		first &= ~(size_t)511;
	if (first + n > WIN_PAGES)
		n = WIN_PAGES - first;
	pa = OUT_BASE + (uint64_t)(pab & 0x7f) % OUT_REGIONS * BLK;
	if (pab & 0x80)
		pa += va_of(first) & (BLK - 1);
	else
		pa += (uint64_t)((pab * 37) % 512) * PG;

	switch (op) {
	case 0: case 1: case 2:
		window_open(e, first, n);
		map_one(e, first, n, pa, prot, false);
		window_close(e);
		break;
	case 3: case 4:
		window_open(e, first, n);
		unmap_one(e, first, n, false);
		window_close(e);
		break;
	case 5:
		window_open(e, first, n);
		unmap_one(e, first, n, false);
		FZ_EQ(map_one(e, first, n, pa ^ BLK, prot, false), 0);
		window_close(e);
		break;
	case 6:
		invalid(e, pab ^ len, first, n, pa);
		break;
	default:
		window_open(e, first, n);
		if (pab & 1)
			map_one(e, first, n, pa, prot, true);
		else
			unmap_one(e, first, n, true);
		window_close(e);
		break;
	}
	if (nstep % 16 == 15)
		check_range(e, 0, WIN_PAGES, false);
	else
		check_range(e, first, n, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct env *e = calloc(1, sizeof(*e));
	struct fz_bytes in;
	unsigned int n = 0;

	FZ_REQUIRE(e);
	ts_alloc_install();
	fz_bytes_init(&in, data, size);
	env_start(e, fz_u8(&in));
	check_range(e, 0, WIN_PAGES, false);
	while (fz_more(&in) && n < MAX_STEPS)
		step(e, &in, n++);
	check_range(e, 0, WIN_PAGES, true);

	/* everything off again: no table page lost */
	window_open(e, 0, WIN_PAGES);
	unmap_one(e, 0, WIN_PAGES, false);
	window_close(e);
	check_range(e, 0, WIN_PAGES, true);
	env_stop(e);
	FZ_EQ(ts_alloc_live(), 0);
	ts_alloc_uninstall();
	free(e);
	return 0;
}
