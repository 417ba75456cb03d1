/* SPDX-License-Identifier: MIT */
/*
 * Private state of the simulated Mali MMU, shared by sim.c (registers,
 * memory, commands, interrupts, injection) and sim_walk.c (walker, TLB,
 * line cache, accesses and the coherence checks).
 */
#ifndef GPUVM_MALI_SIM_INTERNAL_H
#define GPUVM_MALI_SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/list.h>
#include <gpuvm/mali_sim.h>

#include "sim_gpu.h"

#define SIM_PAGE_SHIFT		12
#define SIM_PAGE_SIZE		(1ull << SIM_PAGE_SHIFT)
#define SIM_LINE_SHIFT		6
#define SIM_LINE_BYTES		64u
#define SIM_LINE_ENTRIES	8u
#define SIM_PTW_WAYS		8u
#define SIM_WHOLE_AS_LOG2	64u

/*
 * Physical memory is backed lazily, in chunks allocated on the first store
 * (or freed-frame report) that lands in them; an unbacked chunk reads as
 * zero.  A region finds its chunks through a two-level directory whose
 * leaves are allocated on demand too, so adding a carve-out costs only the
 * top level, whatever its size.
 */
#define SIM_CHUNK_SHIFT		16
#define SIM_CHUNK_BYTES		(1ull << SIM_CHUNK_SHIFT)
#define SIM_CHUNK_WORDS		(SIM_CHUNK_BYTES / 8)
#define SIM_CHUNK_LINES		(SIM_CHUNK_BYTES / SIM_LINE_BYTES)
#define SIM_DIR_SHIFT		12	/* chunks per directory leaf: 2^12 */
#define SIM_DIR_ENTRIES		(1ull << SIM_DIR_SHIFT)

/*
 * One chunk: what the GPU reads, what the CPU wrote (the same array when
 * coherent), per-line "stored but not visible" bits and per-frame "reported
 * freed, not rewritten" bits.  A chunk with pending lines is on the
 * simulator's dirty list.
 */
struct sim_chunk {
	uint64_t pa;			/* bus address of the first byte */
	struct gpuvm_list dirty_link;	/* on sim->dirty_chunks */
	unsigned int ndirty;		/* lines set in @dirty */
	uint32_t freed;			/* bit per 4 KiB frame */
	uint64_t *cpu;
	uint64_t dirty[SIM_CHUNK_LINES / 64];
	uint64_t mem[];			/* SIM_CHUNK_WORDS, then cpu's if not coherent */
};

/* A carve-out: a bus address range and the directory of its chunks. */
struct sim_region {
	uint64_t base;
	uint64_t size;
	struct sim_chunk ***dir;	/* leaves of SIM_DIR_ENTRIES chunks */
	uint64_t nleaves;
};

/* Where a walker read looks. */
enum sim_view {
	SIM_VIEW_ORACLE,	/* memory only */
	SIM_VIEW_PEEK,		/* line cache when it holds the line, else memory */
	SIM_VIEW_FILL,		/* as PEEK, and fill the line cache on a miss */
};

enum sim_mode {
	SIM_MODE_UNMAPPED,
	SIM_MODE_IDENTITY,
	SIM_MODE_LPAE,
	SIM_MODE_AARCH64,
};

/* One translation: a walk result or a TLB entry. */
struct sim_xlate {
	uint32_t fault;		/* exception type, 0 when translated */
	enum sim_mode mode;
	unsigned int level;	/* level of the leaf (or of the fault) */
	unsigned int shift;	/* log2 of the size the leaf maps */
	uint64_t va_base;	/* first VA of the leaf */
	uint64_t pa_base;	/* its output address */
	uint64_t leaf;		/* leaf descriptor (0 in identity mode) */
	uint64_t tbl_attr;	/* table attribute bits gathered on the way */
	uint64_t tables[4];	/* tables read, root first */
	unsigned int ntables;
};

struct sim_tlb_entry {
	bool valid;
	uint64_t lru;
	struct sim_xlate x;
};

struct sim_ptw_line {
	uint64_t gen;		/* valid while it equals sim->ptw_gen */
	uint64_t pa;
	uint64_t lru;
	uint64_t v[SIM_LINE_ENTRIES];
};

struct sim_as {
	/* staged registers and which 32-bit halves were written since UPDATE */
	uint64_t transtab, memattr, transcfg;
	unsigned int halves;
	/* active configuration, loaded by UPDATE */
	uint64_t a_transtab, a_memattr, a_transcfg;
	uint64_t lockaddr;

	bool locked;
	uint64_t lock_base;
	unsigned int lock_log2;

	/* the command in flight */
	bool pending;
	uint32_t cmd;
	uint64_t cmd_base;
	unsigned int cmd_log2;
	unsigned int busy_left;
	bool stuck;
	bool busy_override;
	unsigned int busy_next;

	/* fault latch */
	bool stalled;
	uint32_t faultstatus;
	uint64_t faultaddress;
	uint64_t faultextra;

	struct sim_tlb_entry *tlb;
	struct gpuvm_mali_sim_as_stats st;
};

struct gpuvm_mali_sim {
	struct gpuvm_mali_hal hal;
	struct gpuvm_mali_sim_config cfg;
	unsigned int va_bits;
	unsigned int pa_bits;
	uint64_t rng;
	uint64_t lru_clock;
	uint64_t now_ns;
	bool powered_off;

	struct sim_region *regions;
	unsigned int nregions;
	uint64_t pending_lines;
	struct gpuvm_list dirty_chunks;	/* chunks with pending lines */
	uint64_t chunks;		/* chunks backed */
	uint64_t dir_leaves;		/* directory leaves allocated */
	bool no_backing;		/* injected: backing allocations fail */

	struct sim_ptw_line *ptw;	/* sets * SIM_PTW_WAYS, or NULL */
	uint64_t ptw_gen;		/* bumped to invalidate every line */
	unsigned int ptw_sets;

	struct sim_as as[GPUVM_MALI_MAX_AS];

	/* GPU control */
	uint32_t gpu_rawstat, gpu_mask;
	uint32_t coherency_protocol, l2_mmu_config;
	bool flush_pending, flush_inv, flush_hang;
	unsigned int flush_left;

	/* MMU interrupt and its UIO endpoint */
	uint32_t mmu_rawstat, mmu_mask;
	bool irq_enabled;
	uint64_t irq_seen;

	/* reset, power and job model (sim_gpu.c) */
	struct sim_gpu gpu;

	struct gpuvm_mali_sim_stats st;

	/* register trace */
	uint64_t trace_count;
	gpuvm_mali_sim_reg_hook_fn reg_hook;
	void *reg_hook_priv;
	struct gpuvm_mali_sim_trace_entry *trace;

	/* violation log */
	struct gpuvm_mali_sim_violation *viol;
	size_t nviol, viol_cap, viol_lost;
};

/* sim.c */
void gpuvm_sim_violation(struct gpuvm_mali_sim *sim,
		   enum gpuvm_mali_sim_violation_code code, int as,
		   uint64_t addr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
struct sim_region *gpuvm_sim_region_find(struct gpuvm_mali_sim *sim, uint64_t pa);
struct sim_chunk *gpuvm_sim_chunk_find(const struct sim_region *r, uint64_t pa);
struct sim_chunk *gpuvm_sim_chunk_back(struct gpuvm_mali_sim *sim,
				 struct sim_region *r, uint64_t pa,
				 const char *what);
void gpuvm_sim_mark_pending(struct gpuvm_mali_sim *sim, struct sim_chunk *c,
		      uint64_t first, uint64_t last);
void gpuvm_sim_as_settle(struct gpuvm_mali_sim *sim, unsigned int as);
bool gpuvm_sim_as_present(const struct gpuvm_mali_sim *sim, unsigned int as);
int gpuvm_sim_latch_fault(struct gpuvm_mali_sim *sim, unsigned int as,
		    uint32_t status, uint64_t va, bool bus);
void gpuvm_sim_gpu_reset(struct gpuvm_mali_sim *sim);

/* sim_walk.c */
static inline bool sim_ptw_valid(const struct gpuvm_mali_sim *sim,
				 const struct sim_ptw_line *l)
{
	return l->gen == sim->ptw_gen;
}

enum sim_mode gpuvm_sim_mode_of(const struct gpuvm_mali_sim *sim, uint64_t transtab,
			  uint64_t transcfg);
void gpuvm_sim_walk(struct gpuvm_mali_sim *sim, unsigned int as, uint64_t va,
	      enum sim_view view, struct sim_xlate *x);
uint32_t gpuvm_sim_check_perm(const struct gpuvm_mali_sim *sim, unsigned int as,
			const struct sim_xlate *x, unsigned int kind);
void gpuvm_sim_tlb_flush_all(struct gpuvm_mali_sim *sim, unsigned int as);
void gpuvm_sim_tlb_flush_region(struct gpuvm_mali_sim *sim, unsigned int as,
			  uint64_t base, unsigned int log2);
void gpuvm_sim_ptw_invalidate(struct gpuvm_mali_sim *sim);
bool gpuvm_sim_frame_referenced(const struct gpuvm_mali_sim *sim, uint64_t frame);
bool gpuvm_sim_range_overlaps(uint64_t base, unsigned int log2, uint64_t first,
			 uint64_t last);

#endif /* GPUVM_MALI_SIM_INTERNAL_H */
