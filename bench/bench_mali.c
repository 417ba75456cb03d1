// SPDX-License-Identifier: MIT
/*
 * gpuvm-bench-mali: throughput of the Mali page-table code (bench/MALI.md).
 *
 * One region of --size bytes (1 GiB by default) at a 1 GiB-aligned GPU VA
 * is mapped and unmapped in page tables built from the simulator's memory,
 * for each descriptor format (AArch64 4K, Mali LPAE) and each walker kind
 * (non-coherent: PTE stores cleaned with pt_sync, as on most SoCs; coherent:
 * no cleaning).  Figures, per format and walker:
 *
 *   map4k    gpuvm_mali_pt_map() of the region with 4 KiB pages (the PA is
 *            4 KiB past a 2 MiB boundary, so no block can be used)
 *   unmap4k  gpuvm_mali_pt_unmap() of that whole mapping in one call
 *   leaf4k   the same mapping unmapped 1 MiB at a time: no table is ever
 *            wholly covered, so every leaf descriptor is cleared one by one
 *   map2m    gpuvm_mali_pt_map() with 2 MiB blocks (2 MiB-aligned PA)
 *   unmap2m  its unmap in one call
 *   leaf2m   the blocks unmapped half a level-2 table (512 MiB) at a time
 *   *+prep   the same with gpuvm_mali_pt_{map,unmap}_prepare() and
 *            gpuvm_mali_pt_reserve_fill() inside the timed part
 *   hal      the floor: one pt_write64() per PTE straight through the HAL,
 *            plus the pt_sync() per table and the final barrier a map does
 *   bulk     what a HAL operation storing a whole run of descriptors could
 *            reach: the same stores made directly into the simulator's
 *            memory with its visibility bookkeeping per table (a prototype
 *            reaching into src/mali/sim_internal.h; not a library path)
 *
 * Only the calls named above are timed; creating the page table, reserving
 * pages, mapping before an unmap, checking the result and tearing down are
 * not.  A run repeats its figure until the timed parts add up to at least
 * --min-time; the median of --runs runs is reported.  The machine's
 * memory-write bandwidth (plain 64-bit stores, and memset for reference)
 * is measured in the same process, in DRAM (--bw-size, larger than the L3)
 * and for a buffer the size of the region's level-3 tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>

/* Only for the "bulk" figure, a prototype of a range store in the HAL. */
#include "mali/sim_internal.h"

#include "bench_util.h"

#ifndef BENCH_BUILDTYPE
#define BENCH_BUILDTYPE "unknown"
#endif
#ifndef BENCH_OPTIMIZATION
#define BENCH_OPTIMIZATION "unknown"
#endif

#define KIB		((uint64_t)1024)
#define MIB		(1024 * KIB)
#define GIB		(1024 * MIB)
#define PG		GPUVM_MALI_PT_PAGE_SIZE
#define BLK		GPUVM_MALI_PT_BLOCK_SIZE
#define PTE_BYTES	8u
#define MAX_RETRIES	10

/*
 * Address layout: the region at VA 64 GiB (1 GiB aligned: the whole region
 * hangs below one level-1 entry per GiB), mapped to PA 4 GiB; page-table
 * memory at PA 512 GiB; PTEs may point anywhere below it.
 */
#define VA_BASE		(64ull * GIB)
#define PA_BASE		(4ull * GIB)
#define POOL_BASE	(512ull * GIB)
#define OUT_END		POOL_BASE
#define IAS		48u
#define OAS		40u
#define PROT		(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static void G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("gpuvm-bench-mali: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* splitmix64: the sample addresses of the checks. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z;

	*s += 0x9e3779b97f4a7c15ull;
	z = *s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static volatile uint64_t bench_sink;

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

static struct {
	char *size;
	char *bw_size;
	char *formats;
	char *walkers;
	char *figures;
	int runs;
	double min_time_ms;
	int samples;
	int cpu;
	gboolean free_check;
	gboolean json;
	gboolean quick;
	gboolean quiet;
} opt = {
	.runs = 0,
	.min_time_ms = 0,
	.samples = 1024,
	.cpu = -2,
};

static const GOptionEntry option_entries[] = {
	{ "size", 's', 0, G_OPTION_ARG_STRING, &opt.size,
	  "Region size, a multiple of 4 MiB (K, M, G suffixes; default 1G)", "BYTES" },
	{ "runs", 'r', 0, G_OPTION_ARG_INT, &opt.runs,
	  "Runs per figure; the median is reported (default 5)", "R" },
	{ "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &opt.min_time_ms,
	  "Repeat a figure within a run until its timed parts reach this many ms (default 20)", "MS" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt.json,
	  "Print the results as JSON on stdout instead of a table", NULL },
	{ "quick", 'q', 0, G_OPTION_ARG_NONE, &opt.quick,
	  "For CI: 64 MiB region, 3 runs, 1 ms per run, 64 MiB bandwidth buffer", NULL },
	{ "formats", 'f', 0, G_OPTION_ARG_STRING, &opt.formats,
	  "Comma-separated subset of aarch64,lpae (default both)", "LIST" },
	{ "walkers", 'w', 0, G_OPTION_ARG_STRING, &opt.walkers,
	  "Comma-separated subset of noncoherent,coherent (default both)", "LIST" },
	{ "figures", 0, 0, G_OPTION_ARG_STRING, &opt.figures,
	  "Comma-separated subset of the figures (map4k, unmap4k, leaf4k, map2m, unmap2m, leaf2m, map4k+prep, unmap4k+prep, map2m+prep, unmap2m+prep, hal, bulk; default all)", "LIST" },
	{ "bw-size", 0, 0, G_OPTION_ARG_STRING, &opt.bw_size,
	  "Buffer of the DRAM bandwidth measurement (default 256M; the L3 is smaller)", "BYTES" },
	{ "samples", 0, 0, G_OPTION_ARG_INT, &opt.samples,
	  "Translations checked after every timed map and unmap (default 1024)", "K" },
	{ "free-check", 0, 0, G_OPTION_ARG_NONE, &opt.free_check,
	  "Keep the simulator's check of page-table pages rewritten after being freed (see MALI.md)", NULL },
	{ "cpu", 0, 0, G_OPTION_ARG_INT, &opt.cpu,
	  "Pin to this CPU (-1: do not pin; default: the last allowed CPU)", "CPU" },
	{ "quiet", 0, 0, G_OPTION_ARG_NONE, &opt.quiet,
	  "No progress messages on stderr", NULL },
	{ NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL },
};

static uint64_t parse_bytes(const char *s, const char *what)
{
	uint64_t v, mul = 1;
	char *end;

	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno || end == s)
		die("bad %s '%s'", what, s);
	switch (*end) {
	case 'k': case 'K': mul = KIB; end++; break;
	case 'm': case 'M': mul = MIB; end++; break;
	case 'g': case 'G': mul = GIB; end++; break;
	default: break;
	}
	if ((*end == 'i' || *end == 'I') && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	if (*end || !v || v > UINT64_MAX / mul)
		die("bad %s '%s'", what, s);
	return v * mul;
}

/* ------------------------------------------------------------------------ */
/* Run guard: a run during which this thread lost the CPU is repeated       */

/*
 * The page-table figures guard only their timed parts: each one is
 * bracketed by thread-CPU-time reads outside its wall-clock reads, and the
 * run is disturbed when the sums show less than 99% of the wall-clock time
 * on the CPU.  Untimed setup may be preempted without costing a repeat.
 */
static struct bench_guard timed_guard;	/* sums over the timed parts */

/* ------------------------------------------------------------------------ */
/* Memory-write bandwidth                                                   */

/*
 * Plain 64-bit stores of values shaped like descriptors (the value changes
 * with the index, so the compiler cannot turn the loop into memset).  The
 * compiler may vectorise it; the stores stay ordinary temporal ones.
 */
static __attribute__((noinline)) void store_pass(uint64_t *p, size_t n,
						 uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = v + ((uint64_t)i << 12);
}

static __attribute__((noinline)) void memset_pass(uint64_t *p, size_t n,
						  int c)
{
	memset(p, c, n * sizeof(*p));
}

struct bw_result {
	uint64_t bytes;		/* buffer size */
	double store_gbs;	/* median of the runs, GB/s (1e9 B/s) */
	double memset_gbs;
	int retries;
};

static struct bw_result bw_dram, bw_cache;

/* Median GB/s of @runs runs, each at least @min_ns of passes over @bytes. */
static void measure_bw(struct bw_result *out, uint64_t bytes, int runs,
		       uint64_t min_ns)
{
	size_t n = (size_t)(bytes / sizeof(uint64_t));
	double st[BENCH_MAX_RUNS], ms[BENCH_MAX_RUNS];
	uint64_t *buf;
	int run, kind;

	buf = aligned_alloc(4096, (size_t)bytes);
	if (!buf)
		die("out of memory (%" PRIu64 " bytes)", bytes);
	memset(buf, 1, (size_t)bytes);	/* fault it in */
	store_pass(buf, n, 1);
	memset(out, 0, sizeof(*out));
	out->bytes = bytes;
	for (kind = 0; kind < 2; kind++) {
		double *v = kind ? ms : st;

		for (run = 0; run < runs;) {
			struct bench_guard g;
			uint64_t t0, ns, passes = 0;

			bench_guard_begin(&g);
			t0 = bench_now_ns();
			do {
				if (kind)
					memset_pass(buf, n, (int)(passes & 0x7f));
				else
					store_pass(buf, n, passes);
				passes++;
				ns = bench_now_ns() - t0;
			} while (ns < min_ns);
			bench_sink += buf[passes % n];
			if (bench_guard_disturbed(&g) && out->retries < MAX_RETRIES) {
				out->retries++;
				continue;
			}
			v[run++] = (double)(passes * bytes) / (double)ns;
		}
	}
	out->store_gbs = bench_median(st, runs);
	out->memset_gbs = bench_median(ms, runs);
	free(buf);
}

/* ------------------------------------------------------------------------ */
/* HAL wrapper: counts page-table accesses, optionally drops the freed hook */

/*
 * The simulator's ops recover the simulator from the HAL pointer, so the
 * wrapper keeps the same struct gpuvm_mali_hal and only swaps its ops table
 * (a public member); the wrappers call the saved ops with the same pointer.
 */
static const struct gpuvm_mali_hal_ops *sim_ops;
static struct gpuvm_mali_hal_ops quiet_ops;	/* sim_ops, freed hook optional */
static struct gpuvm_mali_hal_ops count_ops;

struct hal_counts {
	uint64_t stores;	/* entries stored, by either store op */
	uint64_t calls;		/* pt_write64 and pt_write_range calls */
	uint64_t loads;
	uint64_t syncs;
	uint64_t sync_bytes;
	uint64_t barriers;
};

static struct hal_counts counts;
static bool in_timed;	/* between timed_begin() and timed_end() */

static void count_write64(struct gpuvm_mali_hal *hal, uint64_t pa, uint64_t v)
{
	counts.stores += in_timed;
	counts.calls += in_timed;
	sim_ops->pt_write64(hal, pa, v);
}

static void count_write_range(struct gpuvm_mali_hal *hal, uint64_t pa,
			      const uint64_t *v, size_t n)
{
	if (in_timed) {
		counts.stores += n;
		counts.calls++;
	}
	sim_ops->pt_write_range(hal, pa, v, n);
}

static uint64_t count_read64(struct gpuvm_mali_hal *hal, uint64_t pa)
{
	counts.loads += in_timed;
	return sim_ops->pt_read64(hal, pa);
}

static void count_sync(struct gpuvm_mali_hal *hal, uint64_t pa, size_t len)
{
	if (in_timed) {
		counts.syncs++;
		counts.sync_bytes += len;
	}
	sim_ops->pt_sync(hal, pa, len);
}

static void count_barrier(struct gpuvm_mali_hal *hal)
{
	counts.barriers += in_timed;
	sim_ops->barrier(hal);
}

/*
 * Bracket a timed part: @ns NULL means the call is untimed setup (nothing
 * is added and nothing counted).
 */
static uint64_t timed_cpu0;

static uint64_t timed_begin(const uint64_t *ns)
{
	in_timed = ns != NULL;
	if (in_timed)
		timed_cpu0 = bench_thread_cpu_ns();
	return bench_now_ns();
}

static void timed_end(uint64_t t0, uint64_t *ns)
{
	uint64_t t1 = bench_now_ns();

	in_timed = false;
	if (ns) {
		*ns += t1 - t0;
		timed_guard.wall += t1 - t0;
		timed_guard.cpu += bench_thread_cpu_ns() - timed_cpu0;
	}
}

static void hal_ops_init(struct gpuvm_mali_hal *hal)
{
	if (!sim_ops) {
		sim_ops = hal->ops;
		quiet_ops = *sim_ops;
		if (!opt.free_check)
			quiet_ops.pt_page_freed = NULL;
		count_ops = quiet_ops;
		count_ops.pt_write64 = count_write64;
		count_ops.pt_read64 = count_read64;
		if (sim_ops->pt_write_range)
			count_ops.pt_write_range = count_write_range;
		count_ops.pt_sync = count_sync;
		count_ops.barrier = count_barrier;
	}
	hal->ops = &quiet_ops;
}

/* ------------------------------------------------------------------------ */
/* One configuration: a simulator, its page-table memory, a page table      */

struct setup {
	enum gpuvm_mali_pt_format format;
	bool coherent;
	uint64_t size;
	struct gpuvm_mali_sim *sim;
	struct gpuvm_mali_hal *hal;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_pgtable *pt;	/* NULL between reps */
	struct gpuvm_mali_pt_reserve res;
	size_t pool_pages;
	uint64_t rng;
};

static const char *format_name(enum gpuvm_mali_pt_format f)
{
	return f == GPUVM_MALI_PT_AARCH64_4K ? "aarch64" : "lpae";
}

static const char *walker_name(bool coherent)
{
	return coherent ? "coherent" : "noncoherent";
}

static void setup_init(struct setup *s, enum gpuvm_mali_pt_format format,
		       bool coherent, uint64_t size)
{
	struct gpuvm_mali_pt_reserve empty = GPUVM_MALI_PT_RESERVE_INIT;
	struct gpuvm_mali_sim_config sc;
	uint64_t pa;
	size_t i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->format = format;
	s->coherent = coherent;
	s->size = size;
	s->res = empty;
	s->rng = 0x6d616c69ull;	/* "mali" */

	/* A Bifrost G52 (both formats); the walker as asked. */
	gpuvm_mali_sim_config_init(&sc, GPUVM_MALI_SIM_JM);
	if (coherent) {
		sc.visibility = GPUVM_MALI_SIM_VIS_COHERENT;
		sc.coherent_walk = true;
	}
	ret = gpuvm_mali_sim_create(&sc, &s->sim);
	if (ret)
		die("gpuvm_mali_sim_create: %d", ret);
	s->hal = gpuvm_mali_sim_hal(s->sim);
	hal_ops_init(s->hal);

	/*
	 * The pool holds the root, the worst case of a map of the region and
	 * a little slack; every page is touched once here so that no page
	 * fault lands in a timed part.
	 */
	ret = gpuvm_mali_ptmem_create(s->hal, &s->mem);
	if (ret)
		die("gpuvm_mali_ptmem_create: %d", ret);
	if (gpuvm_mali_ptmem_add_output_range(s->mem, 0, OUT_END))
		die("gpuvm_mali_ptmem_add_output_range failed");
	/* Level-3 tables, level-2 tables, one level-1 table, the root. */
	s->pool_pages = (size_t)(size / BLK + (size + GIB - 1) / GIB + 2 + 16);
	ret = gpuvm_mali_sim_add_memory(s->sim, POOL_BASE, s->pool_pages * PG);
	if (!ret)
		ret = gpuvm_mali_ptmem_add_pool(s->mem, POOL_BASE,
						s->pool_pages * PG);
	if (ret)
		die("page-table pool of %zu pages: %d", s->pool_pages, ret);
	for (i = 0; i < s->pool_pages; i++)
		if (gpuvm_mali_ptmem_alloc(s->mem, &pa))
			die("pool pre-fault failed at page %zu", i);
	for (i = 0; i < s->pool_pages; i++)
		gpuvm_mali_ptmem_free(s->mem, POOL_BASE + i * PG);
	gpuvm_mali_ptmem_flush_done(s->mem);
}

static void setup_fini(struct setup *s)
{
	gpuvm_mali_pt_reserve_release(&s->res);
	gpuvm_mali_pt_destroy(s->pt);
	gpuvm_mali_ptmem_flush_done(s->mem);
	gpuvm_mali_ptmem_destroy(s->mem);
	gpuvm_mali_sim_destroy(s->sim);
}

static void pt_new(struct setup *s)
{
	struct gpuvm_mali_pt_config pc = {
		.format = s->format, .ias = IAS, .oas = OAS,
		.coherent = s->coherent,
	};
	int ret = gpuvm_mali_pt_create(s->mem, &pc, &s->pt);

	if (ret)
		die("gpuvm_mali_pt_create: %d", ret);
}

/* Destroy the page table; the "flush" is complete at once. */
static void pt_drop(struct setup *s)
{
	gpuvm_mali_pt_reserve_release(&s->res);
	gpuvm_mali_pt_destroy(s->pt);
	s->pt = NULL;
	gpuvm_mali_ptmem_flush_done(s->mem);
}

/* ------------------------------------------------------------------------ */
/* Checks (never timed)                                                     */

/*
 * What the GPU would translate @va to: an independent walk over the
 * simulator's GPU-visible memory (so it also proves the stores were made
 * visible).  Both formats start at level 0 with a 48-bit VA.
 */
static int gpu_walk(struct setup *s, uint64_t va, uint64_t *desc,
		    unsigned int *level)
{
	uint64_t table = gpuvm_mali_pt_root(s->pt), d;
	unsigned int lvl;

	for (lvl = 0; lvl <= 3; lvl++) {
		uint64_t slot = table + ((va >> (12 + 9 * (3 - lvl))) & 511) * 8;

		if (gpuvm_mali_sim_mem_read64(s->sim, slot, &d))
			return -EFAULT;
		if (!(d & GPUVM_MALI_PTE_VALID))
			return -ENOENT;
		if (lvl < 3 && (d & GPUVM_MALI_PTE_TYPE_MASK) ==
			       GPUVM_MALI_PTE_TYPE_TABLE) {
			table = d & GPUVM_MALI_PTE_ADDR_MASK;
			continue;
		}
		*desc = d;
		*level = lvl;
		return 0;
	}
	return -ENOENT;
}

/*
 * Check @samples translations of the region (its first and last page
 * among them) through gpuvm_mali_pt_lookup() and the GPU's view, against
 * a mapping of the region to @pa with @level leaves, or against nothing
 * (@pa == UINT64_MAX).  Exit on any mismatch.
 */
static void check_region(struct setup *s, uint64_t pa, unsigned int level,
			 unsigned int samples, const char *what)
{
	uint64_t npages = s->size / PG, k, leaf = level == 3 ? PG : BLK;
	struct gpuvm_mali_sim_stats st;
	bool mapped = pa != UINT64_MAX;

	for (k = 0; k < samples; k++) {
		uint64_t off, va, want_leaf_pa, want, gdesc = 0;
		struct gpuvm_mali_pt_entry e;
		unsigned int glevel = 0;
		int ret, gret;

		if (k == 0)
			off = 0;
		else if (k == 1)
			off = s->size - PG;
		else
			off = (rng_next(&s->rng) % npages) * PG;
		va = VA_BASE + off;
		ret = gpuvm_mali_pt_lookup(s->pt, va, &e);
		gret = gpu_walk(s, va, &gdesc, &glevel);
		if (!mapped) {
			if (ret != -ENOENT || gret != -ENOENT)
				die("%s: VA 0x%" PRIx64 " still translates (lookup %d, GPU view %d)",
				    what, va, ret, gret);
			continue;
		}
		want_leaf_pa = (pa + off) & ~(leaf - 1);
		want = gpuvm_mali_pt_leaf_desc(s->format, level, want_leaf_pa,
					       PROT);
		if (ret || e.level != level || e.pa != pa + off ||
		    e.desc != want || e.prot != PROT)
			die("%s: VA 0x%" PRIx64 ": lookup %d level %u PA 0x%" PRIx64
			    " desc 0x%" PRIx64 ", expected level %u PA 0x%" PRIx64
			    " desc 0x%" PRIx64, what, va, ret, e.level, e.pa,
			    e.desc, level, pa + off, want);
		if (gret || glevel != level || gdesc != want)
			die("%s: VA 0x%" PRIx64 ": the GPU sees %d level %u desc 0x%" PRIx64
			    ", expected 0x%" PRIx64, what, va, gret, glevel,
			    gdesc, want);
	}
	if (samples < (unsigned int)opt.samples)
		return;		/* the full check below costs a cache scan */
	gpuvm_mali_sim_stats(s->sim, &st);
	if (st.pending_pte_lines)
		die("%s: %" PRIu64 " page-table lines not visible to the GPU",
		    what, st.pending_pte_lines);
	if (gpuvm_mali_sim_violation_count(s->sim)) {
		const struct gpuvm_mali_sim_violation *v =
			gpuvm_mali_sim_violation_get(s->sim, 0);

		die("%s: simulator violation %s: %s", what,
		    v ? gpuvm_mali_sim_violation_name(v->code) : "?",
		    v ? v->msg : "(not stored)");
	}
}

/* ------------------------------------------------------------------------ */
/* The operations                                                           */

enum fig {
	F_MAP4K,
	F_UNMAP4K,
	F_LEAF4K,
	F_MAP2M,
	F_UNMAP2M,
	F_LEAF2M,
	F_MAP4K_PREP,
	F_UNMAP4K_PREP,
	F_MAP2M_PREP,
	F_UNMAP2M_PREP,
	F_HAL,
	F_BULK,
	NFIG
};

static const struct fig_info {
	const char *name;
	const char *label;
	bool small;		/* 4 KiB pages */
	bool map;		/* the timed part maps (else it unmaps) */
	bool prep;		/* prepare + reserve inside the timed part */
} figs[NFIG] = {
	[F_MAP4K]        = { "map4k",        "map 4K",              true,  true,  false },
	[F_UNMAP4K]      = { "unmap4k",      "unmap 4K",            true,  false, false },
	[F_LEAF4K]       = { "leaf4k",       "unmap 4K by 1 MiB",   true,  false, false },
	[F_MAP2M]        = { "map2m",        "map 2M",              false, true,  false },
	[F_UNMAP2M]      = { "unmap2m",      "unmap 2M",            false, false, false },
	[F_LEAF2M]       = { "leaf2m",       "unmap 2M by 512 MiB", false, false, false },
	[F_MAP4K_PREP]   = { "map4k+prep",   "map 4K +prep",        true,  true,  true },
	[F_UNMAP4K_PREP] = { "unmap4k+prep", "unmap 4K +prep",      true,  false, true },
	[F_MAP2M_PREP]   = { "map2m+prep",   "map 2M +prep",        false, true,  true },
	[F_UNMAP2M_PREP] = { "unmap2m+prep", "unmap 2M +prep",      false, false, true },
	[F_HAL]          = { "hal",          "HAL store floor",     true,  true,  false },
	[F_BULK]         = { "bulk",         "bulk store proto",    true,  true,  false },
};

static uint64_t region_pa(bool small)
{
	/* 4 KiB past a 2 MiB boundary: gpuvm_mali_pt_get_pgsize() never
	 * picks a block, whatever the VA. */
	return PA_BASE + (small ? PG : 0);
}

static uint64_t leaves_of(uint64_t size, bool small)
{
	return size / (small ? PG : BLK);
}

/* Map the region (timed into *@ns unless @ns is NULL). */
static void map_region(struct setup *s, bool small, bool prep_timed,
		       uint64_t *ns)
{
	uint64_t pa = region_pa(small), t0;
	size_t need = 0;
	int ret;

	if (!prep_timed) {
		ret = gpuvm_mali_pt_map_prepare(s->pt, VA_BASE, pa, s->size,
						PROT, &need);
		if (!ret)
			ret = gpuvm_mali_pt_reserve_fill(&s->res, s->mem, need);
		if (ret)
			die("map prepare: %d", ret);
		t0 = timed_begin(ns);
		ret = gpuvm_mali_pt_map(s->pt, VA_BASE, pa, s->size, PROT,
					&s->res);
		timed_end(t0, ns);
	} else {
		t0 = timed_begin(ns);
		ret = gpuvm_mali_pt_map_prepare(s->pt, VA_BASE, pa, s->size,
						PROT, &need);
		if (!ret)
			ret = gpuvm_mali_pt_reserve_fill(&s->res, s->mem, need);
		if (!ret)
			ret = gpuvm_mali_pt_map(s->pt, VA_BASE, pa, s->size,
						PROT, &s->res);
		timed_end(t0, ns);
	}
	if (ret)
		die("gpuvm_mali_pt_map: %d", ret);
	if (s->res.count)
		die("map left %zu of %zu reserved pages", s->res.count, need);
}

/*
 * Check what preparing or applying the unmap of [@va, @va + @len) reported:
 * an aligned range needs no page and neither widens the lock nor touches
 * more than itself.
 */
static void unmap_check(uint64_t va, uint64_t len, size_t need,
			const struct gpuvm_mali_pt_range *r)
{
	if (need || r->start != va || r->end != va + len)
		die("unmap of an aligned range split a block or widened the lock");
}

/*
 * Unmap the region in pieces of @piece bytes, timed into *@ns: one timed
 * part for the whole sequence, so the clock reads do not weigh on each
 * piece (a piece of 1 MiB takes a few hundred ns).  Without @prep_timed the
 * pieces are all prepared first, untimed: an aligned unmap needs no page,
 * so preparing one piece does not depend on the others being unmapped.
 */
static void unmap_region(struct setup *s, uint64_t piece, bool prep_timed,
			 uint64_t *ns)
{
	struct gpuvm_mali_pt_range lock, touched;
	uint64_t off, len, t0;
	size_t need = 0;
	bool bad = false;
	int ret = 0;

	if (!prep_timed) {
		for (off = 0; off < s->size; off += len) {
			len = MIN(piece, s->size - off);
			ret = gpuvm_mali_pt_unmap_prepare(s->pt, VA_BASE + off,
							  len, &need, &lock);
			if (!ret)
				ret = gpuvm_mali_pt_reserve_fill(&s->res,
								 s->mem, need);
			if (ret)
				die("unmap prepare: %d", ret);
			unmap_check(VA_BASE + off, len, need, &lock);
		}
	}
	t0 = timed_begin(ns);
	for (off = 0; off < s->size && !ret; off += len) {
		uint64_t va = VA_BASE + off;

		len = MIN(piece, s->size - off);
		if (prep_timed) {
			ret = gpuvm_mali_pt_unmap_prepare(s->pt, va, len, &need,
							  &lock);
			if (!ret)
				ret = gpuvm_mali_pt_reserve_fill(&s->res,
								 s->mem, need);
			if (ret)
				break;
			/* checked below, after the clock */
			bad |= need || lock.start != va || lock.end != va + len;
		}
		ret = gpuvm_mali_pt_unmap(s->pt, va, len, &s->res, &touched);
		bad |= touched.start != va || touched.end != va + len;
	}
	timed_end(t0, ns);
	if (ret)
		die("gpuvm_mali_pt_unmap: %d", ret);
	if (bad)
		die("unmap of an aligned range split a block or widened the lock");
}

/*
 * The floor: the stores a 4 KiB map makes to its level-3 tables, straight
 * through the HAL, with a pt_sync() per table (non-coherent) and one
 * barrier, on the pool's pages while no page table is live.
 */
static void hal_floor(struct setup *s, uint64_t *ns)
{
	uint64_t n = leaves_of(s->size, true), pa = region_pa(true), i, t0;
	struct gpuvm_mali_hal *hal = s->hal;
	uint64_t desc = gpuvm_mali_pt_leaf_desc(s->format, 3, pa, PROT);

	t0 = timed_begin(ns);
	for (i = 0; i < n; i += GPUVM_MALI_PT_ENTRIES) {
		uint64_t table = POOL_BASE + (i / GPUVM_MALI_PT_ENTRIES) * PG, j;

		for (j = 0; j < GPUVM_MALI_PT_ENTRIES; j++)
			hal->ops->pt_write64(hal, table + j * 8,
					     desc + ((i + j) << 12));
		if (!s->coherent)
			hal->ops->pt_sync(hal, table, PG);
	}
	if (hal->ops->barrier)
		hal->ops->barrier(hal);
	timed_end(t0, ns);
}

/*
 * The stores of hal_floor() as a range operation of the simulator would
 * make them: straight into the CPU view of the table, the 64-byte lines of
 * the page marked not yet visible in one go (non-coherent), then the same
 * pt_sync() per table and barrier.
 */
static void bulk_floor(struct setup *s, uint64_t *ns)
{
	uint64_t n = leaves_of(s->size, true), pa = region_pa(true), i, t0;
	uint64_t desc = gpuvm_mali_pt_leaf_desc(s->format, 3, pa, PROT);
	struct gpuvm_mali_hal *hal = s->hal;
	struct gpuvm_mali_sim *sim = s->sim;

	t0 = timed_begin(ns);
	for (i = 0; i < n; i += GPUVM_MALI_PT_ENTRIES) {
		uint64_t table = POOL_BASE + (i / GPUVM_MALI_PT_ENTRIES) * PG, j;
		struct sim_region *r = gpuvm_sim_region_find(sim, table);
		struct sim_chunk *c = gpuvm_sim_chunk_back(sim, r, table, "bench");
		uint64_t idx = (table - c->pa) / 8;
		uint64_t *dst = &c->cpu[idx];

		for (j = 0; j < GPUVM_MALI_PT_ENTRIES; j++)
			dst[j] = desc + ((i + j) << 12);
		if (c->cpu != c->mem) {
			/* A page is 64 lines, marked in one call. */
			gpuvm_sim_mark_pending(sim, c, idx / SIM_LINE_ENTRIES,
					 (idx + GPUVM_MALI_PT_ENTRIES - 1) /
					 SIM_LINE_ENTRIES);
			hal->ops->pt_sync(hal, table, PG);
		}
	}
	if (hal->ops->barrier)
		hal->ops->barrier(hal);
	timed_end(t0, ns);
}

/*
 * One repetition of figure @f: untimed setup, the timed part (added to
 * *@ns), an untimed check (--samples translations when @full, else a few),
 * teardown.
 */
static void run_rep(struct setup *s, enum fig f, uint64_t *ns, bool full)
{
	unsigned int samples = full ? (unsigned int)opt.samples : 16;
	const struct fig_info *fi = &figs[f];
	unsigned int level = fi->small ? 3 : 2;
	uint64_t pa = region_pa(fi->small);
	uint64_t piece;

	if (f == F_HAL || f == F_BULK) {
		if (f == F_HAL)
			hal_floor(s, ns);
		else
			bulk_floor(s, ns);
		return;
	}
	pt_new(s);
	if (fi->map) {
		map_region(s, fi->small, fi->prep, ns);
		check_region(s, pa, level, samples, fi->name);
	} else {
		map_region(s, fi->small, false, NULL);
		check_region(s, pa, level, samples, "map before unmap");
		if (f == F_LEAF4K)
			piece = MIB;	/* half a level-3 table's span */
		else if (f == F_LEAF2M)
			piece = MIN(512 * MIB, s->size / 2);
		else
			piece = s->size;
		unmap_region(s, piece, fi->prep, ns);
		check_region(s, UINT64_MAX, level, samples, fi->name);
	}
	pt_drop(s);
}

/* ------------------------------------------------------------------------ */
/* Results                                                                  */

struct result {
	enum gpuvm_mali_pt_format format;
	bool coherent;
	enum fig fig;
	uint64_t leaves;	/* PTEs per repetition */
	uint64_t reps;		/* repetitions per run */
	double runs[BENCH_MAX_RUNS];	/* ns per PTE of each run */
	int nruns;
	int retries;
	double ns_per_pte;	/* median */
	struct hal_counts per_rep;	/* HAL accesses of one repetition */
	size_t tables;		/* table pages after a map, root included */
};

#define MAX_RESULTS (2 * 2 * NFIG)
static struct result results[MAX_RESULTS];
static int nresults;

/* Count the HAL accesses of one repetition (untimed, counting wrapper). */
static void count_rep(struct setup *s, enum fig f, struct result *r)
{
	uint64_t dummy = 0;

	memset(&counts, 0, sizeof(counts));
	s->hal->ops = &count_ops;
	run_rep(s, f, &dummy, true);
	s->hal->ops = &quiet_ops;
	r->per_rep = counts;
}

static void bench_fig(struct setup *s, enum fig f, int runs)
{
	struct result *r = &results[nresults++];
	uint64_t min_ns = (uint64_t)(opt.min_time_ms * 1e6), ns, i, t0, total;
	int run;

	memset(r, 0, sizeof(*r));
	r->format = s->format;
	r->coherent = s->coherent;
	r->fig = f;
	r->leaves = leaves_of(s->size, figs[f].small);

	/*
	 * Two warm-up repetitions; the second sets how many a run needs:
	 * enough for --min-time of timed parts, but no more than fit in five
	 * times that of wall-clock time, setup included (an unmap of whole
	 * tables takes microseconds after a map of milliseconds).
	 */
	ns = 0;
	run_rep(s, f, &ns, true);
	ns = 0;
	t0 = bench_now_ns();
	run_rep(s, f, &ns, true);
	total = MAX(1, bench_now_ns() - t0);
	r->reps = ns ? (min_ns + ns - 1) / ns : 1;
	r->reps = MAX(1, MIN(r->reps, 5 * min_ns / total));
	count_rep(s, f, r);
	if (figs[f].map && f != F_HAL && f != F_BULK) {
		pt_new(s);
		map_region(s, figs[f].small, false, NULL);
		r->tables = gpuvm_mali_pt_count_tables(s->pt);
		pt_drop(s);
	}

	for (run = 0; run < runs;) {
		memset(&timed_guard, 0, sizeof(timed_guard));
		ns = 0;
		for (i = 0; i < r->reps; i++)
			run_rep(s, f, &ns, i == 0);
		if ((double)timed_guard.cpu < 0.99 * (double)timed_guard.wall &&
		    r->retries < MAX_RETRIES) {
			r->retries++;
			continue;
		}
		r->runs[r->nruns++] = (double)ns / (double)(r->reps * r->leaves);
		run++;
	}
	r->ns_per_pte = bench_median(r->runs, r->nruns);
}

/* ------------------------------------------------------------------------ */
/* Background load (as bench_core.c): other work on the machine meanwhile   */

static struct bench_sysload load_begin;
static double background_load = -1;	/* fraction of all CPUs */
static double steal_fraction = -1;

/* ------------------------------------------------------------------------ */
/* Output                                                                   */

static int pinned_cpu = -1;
static uint64_t region_size;
static int nruns_cfg;

/* The 4 KiB map must write descriptors at this fraction of DRAM bandwidth. */
#define TARGET_FRACTION 0.25

/* Descriptor bytes (8 per leaf PTE) per second, in GB/s. */
static double desc_gbs(const struct result *r)
{
	return PTE_BYTES / r->ns_per_pte;
}

static void print_json(void)
{
	char model[256];
	struct utsname u;
	int i, j;

	bench_cpu_model(model, sizeof(model));
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	printf("{\n  \"tool\": \"gpuvm-bench-mali\",\n  \"machine\": {\n    \"cpu\": ");
	bench_json_str(model);
	printf(",\n    \"online_cpus\": %ld,\n    \"pinned_cpu\": %d,\n    \"kernel\": ",
	       sysconf(_SC_NPROCESSORS_ONLN), pinned_cpu);
	bench_json_str(u.release);
	printf(",\n    \"compiler\": ");
	bench_json_str("gcc " __VERSION__);
	printf(",\n    \"buildtype\": \"%s\",\n    \"optimization\": \"%s\",\n",
	       BENCH_BUILDTYPE, BENCH_OPTIMIZATION);
	printf("    \"background_load\": %.4f,\n    \"steal\": %.4f\n  },\n",
	       background_load, steal_fraction);
	printf("  \"config\": { \"size\": %" PRIu64 ", \"runs\": %d, \"min_time_ms\": %g, "
	       "\"samples\": %d, \"free_check\": %s },\n", region_size, nruns_cfg,
	       opt.min_time_ms, opt.samples, opt.free_check ? "true" : "false");
	printf("  \"bandwidth\": {\n");
	printf("    \"dram\": { \"bytes\": %" PRIu64 ", \"store_gbs\": %.3f, \"memset_gbs\": %.3f, \"retries\": %d },\n",
	       bw_dram.bytes, bw_dram.store_gbs, bw_dram.memset_gbs, bw_dram.retries);
	printf("    \"cache\": { \"bytes\": %" PRIu64 ", \"store_gbs\": %.3f, \"memset_gbs\": %.3f, \"retries\": %d },\n",
	       bw_cache.bytes, bw_cache.store_gbs, bw_cache.memset_gbs, bw_cache.retries);
	printf("    \"limit\": \"dram.store_gbs\"\n  },\n");
	printf("  \"target\": { \"figure\": \"map4k\", \"fraction_of_dram_store\": %.2f },\n",
	       TARGET_FRACTION);
	printf("  \"results\": [");
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		const struct hal_counts *c = &r->per_rep;

		printf("%s\n    { \"format\": \"%s\", \"walker\": \"%s\", \"figure\": \"%s\", "
		       "\"ptes\": %" PRIu64 ", \"reps_per_run\": %" PRIu64 ", \"retries\": %d, "
		       "\"ns_per_pte\": %.4f, \"ptes_per_s\": %.0f, \"desc_gbs\": %.3f, "
		       "\"fraction_dram\": %.4f, \"fraction_cache\": %.4f, "
		       "\"hal\": { \"stores\": %" PRIu64 ", \"store_calls\": %" PRIu64
		       ", \"loads\": %" PRIu64
		       ", \"syncs\": %" PRIu64 ", \"sync_bytes\": %" PRIu64
		       ", \"barriers\": %" PRIu64 " }, \"tables\": %zu, \"runs\": [",
		       i ? "," : "", format_name(r->format),
		       walker_name(r->coherent), figs[r->fig].name, r->leaves,
		       r->reps, r->retries, r->ns_per_pte, 1e9 / r->ns_per_pte,
		       desc_gbs(r), desc_gbs(r) / bw_dram.store_gbs,
		       desc_gbs(r) / bw_cache.store_gbs, c->stores, c->calls, c->loads,
		       c->syncs, c->sync_bytes, c->barriers, r->tables);
		for (j = 0; j < r->nruns; j++)
			printf("%s%.4f", j ? ", " : "", r->runs[j]);
		printf("] }");
	}
	printf("\n  ]\n}\n");
}

static void print_size(uint64_t v, char *buf, size_t len)
{
	if (v % GIB == 0)
		snprintf(buf, len, "%" PRIu64 " GiB", v / GIB);
	else if (v % MIB == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", v / MIB);
	else
		snprintf(buf, len, "%" PRIu64 " KiB", v / KIB);
}

static void print_table(void)
{
	char sz[32], bsz[32], csz[32];
	int i, retries = bw_dram.retries + bw_cache.retries;
	bool any_wholesale = false;

	print_size(region_size, sz, sizeof(sz));
	print_size(bw_dram.bytes, bsz, sizeof(bsz));
	print_size(bw_cache.bytes, csz, sizeof(csz));
	printf("\nlibgpuvm Mali page tables, %s region, median of %d runs (%s, -O%s)\n",
	       sz, nruns_cfg, BENCH_BUILDTYPE, BENCH_OPTIMIZATION);
	printf("memory-write bandwidth, plain stores: DRAM (%s) %.2f GB/s, "
	       "cache-resident (%s) %.2f GB/s\n", bsz, bw_dram.store_gbs, csz,
	       bw_cache.store_gbs);
	printf("                        memset:       DRAM %.2f GB/s, cache-resident %.2f GB/s\n",
	       bw_dram.memset_gbs, bw_cache.memset_gbs);
	printf("%%DRAM, %%cache: descriptor bytes (8 per PTE) per second over the plain-store bandwidth\n\n");
	printf("%-8s %-11s %-20s %8s %8s %8s %7s %6s %6s %7s %7s %6s\n", "format",
	       "walker", "operation", "PTEs", "ns/PTE", "MPTE/s", "GB/s", "%DRAM",
	       "%cache", "st/PTE", "cl/PTE", "ld/PTE");
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		bool wholesale = r->fig != F_BULK &&
				 2 * r->per_rep.stores < r->leaves;
		char label[40];

		retries += r->retries;
		snprintf(label, sizeof(label), "%s%s", figs[r->fig].label,
			 wholesale ? " *" : "");
		any_wholesale |= wholesale;
		printf("%-8s %-11s %-20s %8" PRIu64 " %8.3f %8.1f %7.3f %6.1f %6.1f %7.3f %7.3f %6.3f\n",
		       format_name(r->format), walker_name(r->coherent),
		       label, r->leaves, r->ns_per_pte,
		       1e3 / r->ns_per_pte, desc_gbs(r),
		       100 * desc_gbs(r) / bw_dram.store_gbs,
		       100 * desc_gbs(r) / bw_cache.store_gbs,
		       (double)r->per_rep.stores / (double)r->leaves,
		       (double)r->per_rep.calls / (double)r->leaves,
		       (double)r->per_rep.loads / (double)r->leaves);
	}
	if (any_wholesale)
		printf("* the leaves go by clearing the table entries above them (few stores):\n"
		       "  PTEs/s counts leaves unmapped, not descriptors written\n");
	printf("st/PTE: entries stored through the HAL (pt_write64 or pt_write_range),\n"
	       "cl/PTE: those store calls, ld/PTE: pt_read64 calls, in the timed part per PTE "
	       "(bulk: its stores bypass the HAL)\n");
	printf("\ntarget: map 4K at >= %.0f%% of the DRAM plain-store bandwidth (%.2f GB/s):",
	       100 * TARGET_FRACTION, bw_dram.store_gbs);
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];

		if (r->fig != F_MAP4K)
			continue;
		printf("\n  %-8s %-11s %5.1f%%  %s", format_name(r->format),
		       walker_name(r->coherent),
		       100 * desc_gbs(r) / bw_dram.store_gbs,
		       desc_gbs(r) / bw_dram.store_gbs >= TARGET_FRACTION ?
		       "met" : "NOT met");
	}
	printf("\n\nother work on the machine meanwhile: %.1f%% of all CPUs (steal %.1f%%); "
	       "runs repeated because disturbed: %d\n", 100 * background_load,
	       100 * steal_fraction, retries);
}

/* ------------------------------------------------------------------------ */

/* Parse a comma-separated list of two names into two flags. */
static void parse_pair(const char *list, const char *a, const char *b,
		       bool out[2])
{
	gchar **tok = g_strsplit(list, ",", -1);
	int i;

	out[0] = out[1] = false;
	for (i = 0; tok[i]; i++) {
		if (!strcmp(tok[i], a))
			out[0] = true;
		else if (!strcmp(tok[i], b))
			out[1] = true;
		else if (*tok[i])
			die("unknown '%s' (%s, %s)", tok[i], a, b);
	}
	g_strfreev(tok);
	if (!out[0] && !out[1])
		die("empty list '%s'", list);
}

static bool want_fig[NFIG];

static void parse_figures(const char *list)
{
	gchar **tok;
	int i, f;

	for (f = 0; f < NFIG; f++)
		want_fig[f] = !list;
	if (!list)
		return;
	tok = g_strsplit(list, ",", -1);
	for (i = 0; tok[i]; i++) {
		if (!*tok[i])
			continue;
		for (f = 0; f < NFIG; f++)
			if (!strcmp(tok[i], figs[f].name))
				break;
		if (f == NFIG)
			die("unknown figure '%s'", tok[i]);
		want_fig[f] = true;
	}
	g_strfreev(tok);
}

int main(int argc, char **argv)
{
	static const enum gpuvm_mali_pt_format fmts[2] = {
		GPUVM_MALI_PT_AARCH64_4K, GPUVM_MALI_PT_LPAE,
	};
	GOptionContext *ctx;
	GError *err = NULL;
	bool want_fmt[2], want_walker[2];
	uint64_t bw_bytes, cache_bytes;
	int runs, fi, wi, f;

	ctx = g_option_context_new("- benchmark the Mali page-table code");
	g_option_context_set_summary(ctx,
		"Maps and unmaps a region with 4 KiB pages and 2 MiB blocks in page\n"
		"tables in the simulator's memory, and compares the rate at which\n"
		"descriptors are written with the machine's memory-write bandwidth\n"
		"(bench/MALI.md).  Without options: a 1 GiB region, 5 runs.");
	g_option_context_add_main_entries(ctx, option_entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		die("%s", err->message);
	g_option_context_free(ctx);
	if (argc > 1)
		die("unexpected argument '%s'", argv[1]);

	region_size = parse_bytes(opt.size ? opt.size : opt.quick ? "64M" : "1G",
				  "--size");
	if (region_size % (4 * MIB) || region_size > 256 * GIB)
		die("--size must be a multiple of 4 MiB, at most 256 GiB");
	bw_bytes = parse_bytes(opt.bw_size ? opt.bw_size : opt.quick ? "64M" : "256M",
			       "--bw-size");
	if (bw_bytes % 4096)
		die("--bw-size must be a multiple of 4 KiB");
	runs = opt.runs ? opt.runs : opt.quick ? 3 : 5;
	if (runs < 1 || runs > BENCH_MAX_RUNS)
		die("--runs must be in 1..%d", BENCH_MAX_RUNS);
	nruns_cfg = runs;
	if (opt.min_time_ms <= 0)
		opt.min_time_ms = opt.quick ? 1 : 20;
	if (opt.samples < 2)
		die("--samples must be at least 2");
	parse_pair(opt.formats ? opt.formats : "aarch64,lpae", "aarch64", "lpae",
		   want_fmt);
	parse_pair(opt.walkers ? opt.walkers : "noncoherent,coherent",
		   "noncoherent", "coherent", want_walker);

	parse_figures(opt.figures);

	bench_quiet = opt.quiet;
	pinned_cpu = bench_pin_cpu(opt.cpu, "gpuvm-bench-mali");
	bench_progress("gpuvm-bench-mali: %s build (-O%s), region %" PRIu64 " MiB, %d runs, CPU %d\n",
		 BENCH_BUILDTYPE, BENCH_OPTIMIZATION, region_size / MIB, runs,
		 pinned_cpu);
	bench_sysload_read(&load_begin);

	/* The level-3 tables of a 4 KiB mapping of the region: 8 B per page. */
	cache_bytes = MAX(64 * KIB, region_size / PG * PTE_BYTES);
	measure_bw(&bw_dram, bw_bytes, runs, opt.quick ? 20000000 : 100000000);
	measure_bw(&bw_cache, cache_bytes, runs, opt.quick ? 5000000 : 20000000);
	bench_progress("bandwidth: DRAM %.2f GB/s (memset %.2f), cache %.2f GB/s (memset %.2f)\n",
		 bw_dram.store_gbs, bw_dram.memset_gbs, bw_cache.store_gbs,
		 bw_cache.memset_gbs);

	for (fi = 0; fi < 2; fi++) {
		for (wi = 0; wi < 2; wi++) {
			struct setup s;

			if (!want_fmt[fi] || !want_walker[wi])
				continue;
			setup_init(&s, fmts[fi], wi == 1, region_size);
			bench_progress("%s/%s:", format_name(fmts[fi]), walker_name(wi == 1));
			for (f = 0; f < NFIG; f++) {
				if (!want_fig[f])
					continue;
				bench_fig(&s, (enum fig)f, runs);
				bench_progress(" %s %.2f", figs[f].name,
					 results[nresults - 1].ns_per_pte);
			}
			bench_progress(" ns/PTE\n");
			setup_fini(&s);
		}
	}
	bench_sysload_since(&load_begin, &background_load, &steal_fraction);

	if (opt.json)
		print_json();
	else
		print_table();
	g_free(opt.size);
	g_free(opt.bw_size);
	g_free(opt.formats);
	g_free(opt.walkers);
	g_free(opt.figures);
	return 0;
}
