/* SPDX-License-Identifier: MIT */
/*
 * Simulated Mali MMU, part 1: creation, physical memory and CPU visibility,
 * the register window, AS and GPU commands, the interrupt line with
 * uio_pdrv_genirq semantics, virtual time, the violation log, the register
 * trace and failure injection.  The walker, TLB and line cache live in
 * sim_walk.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/list.h>

#include "sim_internal.h"

#define SIM_DEFAULT_TLB		64u
#define SIM_DEFAULT_PTW_LINES	4096u
#define SIM_MAX_BUSY_READS	1000000u
#define SIM_PA_LIMIT_BITS	48u

/* Halves bits in struct sim_as.halves: register r (0..2), half h (0..1). */
#define HALF_BIT(r, h)		(1u << ((r) * 2 + (h)))

static const struct gpuvm_mali_hal_ops sim_hal_ops;

static struct gpuvm_mali_sim *to_sim(struct gpuvm_mali_hal *hal)
{
	return gpuvm_container_of(hal, struct gpuvm_mali_sim, hal);
}

/* ---------------------------------------------------------------------
 * Violation log and register trace
 */

void gpuvm_sim_violation(struct gpuvm_mali_sim *sim,
		   enum gpuvm_mali_sim_violation_code code, int as,
		   uint64_t addr, const char *fmt, ...)
{
	struct gpuvm_mali_sim_violation *v;
	va_list ap;

	if (sim->nviol == sim->viol_cap) {
		size_t cap = sim->viol_cap ? sim->viol_cap * 2 : 16;
		struct gpuvm_mali_sim_violation *n;

		n = gpuvm_zalloc(cap * sizeof(*n));
		if (!n) {
			sim->viol_lost++;
			return;
		}
		if (sim->nviol)
			memcpy(n, sim->viol, sim->nviol * sizeof(*n));
		gpuvm_free(sim->viol);
		sim->viol = n;
		sim->viol_cap = cap;
	}
	v = &sim->viol[sim->nviol++];
	v->code = code;
	v->trace_index = sim->trace_count;
	v->as = as;
	v->addr = addr;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
}

static void sim_trace(struct gpuvm_mali_sim *sim, uint32_t offset,
		      uint32_t value, bool write)
{
	if (sim->trace) {
		struct gpuvm_mali_sim_trace_entry *e;

		e = &sim->trace[sim->trace_count % sim->cfg.trace_capacity];
		e->index = sim->trace_count;
		e->time_ns = sim->now_ns;
		e->offset = offset;
		e->value = value;
		e->write = write;
	}
	sim->trace_count++;
}

/* ---------------------------------------------------------------------
 * Physical memory and CPU visibility
 */

struct sim_region *gpuvm_sim_region_find(struct gpuvm_mali_sim *sim, uint64_t pa)
{
	unsigned int i;

	for (i = 0; i < sim->nregions; i++) {
		struct sim_region *r = &sim->regions[i];

		if (pa >= r->base && pa - r->base < r->size)
			return r;
	}
	return NULL;
}

struct sim_chunk *gpuvm_sim_chunk_find(const struct sim_region *r, uint64_t pa)
{
	uint64_t idx = (pa - r->base) >> SIM_CHUNK_SHIFT;
	struct sim_chunk **leaf = r->dir[idx >> SIM_DIR_SHIFT];

	return leaf ? leaf[idx & (SIM_DIR_ENTRIES - 1)] : NULL;
}

/* Index of the word at @pa in its chunk's arrays. */
static size_t sim_chunk_word(const struct sim_region *r, uint64_t pa)
{
	return (size_t)(((pa - r->base) & (SIM_CHUNK_BYTES - 1)) / 8);
}

static uint64_t sim_mem_word(const struct sim_region *r, uint64_t pa)
{
	const struct sim_chunk *c = gpuvm_sim_chunk_find(r, pa);

	return c ? c->mem[sim_chunk_word(r, pa)] : 0;
}

/*
 * The chunk holding @pa, backed now if it was not.  Backing memory models
 * the GPU's RAM, not libgpuvm's own structures: it comes from calloc(), not
 * the libgpuvm allocator, because a store cannot fail.  When the host has
 * no memory left (or GPUVM_MALI_SIM_INJ_NO_BACKING says so) the caller's
 * access is dropped and logged as BAD_PT_ACCESS: returns NULL.
 */
struct sim_chunk *gpuvm_sim_chunk_back(struct gpuvm_mali_sim *sim,
				 struct sim_region *r, uint64_t pa,
				 const char *what)
{
	uint64_t idx = (pa - r->base) >> SIM_CHUNK_SHIFT;
	struct sim_chunk ***leaf = &r->dir[idx >> SIM_DIR_SHIFT];
	struct sim_chunk *c = *leaf ? (*leaf)[idx & (SIM_DIR_ENTRIES - 1)] : NULL;
	bool coherent = sim->cfg.visibility == GPUVM_MALI_SIM_VIS_COHERENT;

	if (c)
		return c;
	if (!sim->no_backing && !*leaf) {
		*leaf = calloc(SIM_DIR_ENTRIES, sizeof(**leaf));
		if (*leaf)
			sim->dir_leaves++;
	}
	if (!sim->no_backing && *leaf)
		c = calloc(1, sizeof(*c) +
			   (coherent ? 1 : 2) * SIM_CHUNK_WORDS * sizeof(uint64_t));
	if (!c) {
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_PT_ACCESS, -1, pa,
			      "%s at PA 0x%llx: no host memory to back it",
			      what, (unsigned long long)pa);
		return NULL;
	}
	c->pa = r->base + (idx << SIM_CHUNK_SHIFT);
	gpuvm_list_init(&c->dirty_link);
	c->cpu = coherent ? c->mem : c->mem + SIM_CHUNK_WORDS;
	(*leaf)[idx & (SIM_DIR_ENTRIES - 1)] = c;
	sim->chunks++;
	return c;
}

/* The bits of dirty-map word @w that lines @first..@last cover. */
static inline uint64_t sim_lines_mask(uint64_t w, uint64_t first, uint64_t last)
{
	uint64_t lo = w == first / 64 ? first % 64 : 0;
	uint64_t hi = w == last / 64 ? last % 64 : 63;

	return (~0ull >> (63 - hi)) & (~0ull << lo);
}

/*
 * Publish the pending lines among @first..@last of @c: a dirty-map word at
 * a time, each run of consecutive pending lines with one copy (a leaf
 * table cleared whole is one 4 KiB copy instead of 64 of one line).
 */
static void sim_publish_lines(struct gpuvm_mali_sim *sim, struct sim_chunk *c,
			      uint64_t first, uint64_t last)
{
	uint64_t w, bits, run, start, n;
	const bool listed = c->ndirty != 0;

	for (w = first / 64; w <= last / 64 && c->ndirty; w++) {
		bits = c->dirty[w] & sim_lines_mask(w, first, last);
		while (bits) {
			start = (uint64_t)__builtin_ctzll(bits);
			run = bits >> start;
			n = ~run ? (uint64_t)__builtin_ctzll(~run) : 64 - start;
			memcpy(&c->mem[(w * 64 + start) * SIM_LINE_ENTRIES],
			       &c->cpu[(w * 64 + start) * SIM_LINE_ENTRIES],
			       n * SIM_LINE_BYTES);
			run = n == 64 ? ~0ull : ((1ull << n) - 1) << start;
			bits &= ~run;
			c->dirty[w] &= ~run;
			sim->pending_lines -= n;
			c->ndirty -= (unsigned int)n;
		}
	}
	if (listed && !c->ndirty)
		gpuvm_list_del(&c->dirty_link);
}

static void sim_publish_all(struct gpuvm_mali_sim *sim)
{
	while (!gpuvm_list_empty(&sim->dirty_chunks)) {
		struct sim_chunk *c = gpuvm_list_first_entry(&sim->dirty_chunks,
							     struct sim_chunk,
							     dirty_link);

		/* (takes @c off the list once its last line is published) */
		sim_publish_lines(sim, c, 0, SIM_CHUNK_LINES - 1);
	}
}

/* Bus address of the first pending line of @c. */
static uint64_t sim_chunk_first_pending(const struct sim_chunk *c)
{
	unsigned int w = 0;

	while (!c->dirty[w])
		w++;
	return c->pa + (w * 64 + (uint64_t)__builtin_ctzll(c->dirty[w])) *
		       SIM_LINE_BYTES;
}

/* Report a page-table store the GPU cannot see yet (UNSYNCED_PTE). */
static void sim_check_unsynced(struct gpuvm_mali_sim *sim, int as,
			       const char *what)
{
	struct sim_chunk *c;
	uint64_t pa = UINT64_MAX;

	if (!sim->pending_lines)
		return;
	gpuvm_list_for_each(c, &sim->dirty_chunks, dirty_link) {
		uint64_t first = sim_chunk_first_pending(c);

		if (first < pa)
			pa = first;
	}
	gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_UNSYNCED_PTE, as, pa,
		      "%s with %llu page-table line(s) not visible, first at PA 0x%llx",
		      what, (unsigned long long)sim->pending_lines,
		      (unsigned long long)pa);
}

static void sim_free_regions(struct gpuvm_mali_sim *sim)
{
	unsigned int i;
	uint64_t l, k;

	for (i = 0; i < sim->nregions; i++) {
		struct sim_region *r = &sim->regions[i];

		for (l = 0; l < r->nleaves; l++) {
			if (!r->dir[l])
				continue;
			for (k = 0; k < SIM_DIR_ENTRIES; k++)
				free(r->dir[l][k]);
			free(r->dir[l]);
		}
		gpuvm_free(r->dir);
	}
	gpuvm_free(sim->regions);
	sim->regions = NULL;
	sim->nregions = 0;
	sim->chunks = 0;
	sim->dir_leaves = 0;
	sim->pending_lines = 0;
	gpuvm_list_init(&sim->dirty_chunks);
	sim->ptw_gen = 1;
}

GPUVM_EXPORT int gpuvm_mali_sim_add_memory(struct gpuvm_mali_sim *sim,
					   uint64_t pa_base, uint64_t size)
{
	struct sim_region *regions, *r;
	uint64_t nchunks;
	unsigned int i;

	if (!sim || !size || (pa_base | size) & (SIM_PAGE_SIZE - 1))
		return -EINVAL;
	if (pa_base >= (1ull << SIM_PA_LIMIT_BITS) ||
	    size > (1ull << SIM_PA_LIMIT_BITS) - pa_base)
		return -EINVAL;
	for (i = 0; i < sim->nregions; i++) {
		r = &sim->regions[i];
		if (pa_base < r->base + r->size && r->base < pa_base + size)
			return -EEXIST;
	}

	regions = gpuvm_zalloc((sim->nregions + 1) * sizeof(*regions));
	if (!regions)
		return -ENOMEM;
	r = &regions[sim->nregions];
	nchunks = (size + SIM_CHUNK_BYTES - 1) >> SIM_CHUNK_SHIFT;
	r->base = pa_base;
	r->size = size;
	r->nleaves = (nchunks + SIM_DIR_ENTRIES - 1) >> SIM_DIR_SHIFT;
	r->dir = gpuvm_zalloc((size_t)r->nleaves * sizeof(*r->dir));
	if (!r->dir) {
		gpuvm_free(regions);
		return -ENOMEM;
	}
	if (sim->nregions)
		memcpy(regions, sim->regions, sim->nregions * sizeof(*regions));
	gpuvm_free(sim->regions);
	sim->regions = regions;
	sim->nregions++;
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_sim_mem_read64(struct gpuvm_mali_sim *sim,
					   uint64_t pa, uint64_t *value)
{
	struct sim_region *r;

	if (!sim || !value || (pa & 7))
		return -EINVAL;
	r = gpuvm_sim_region_find(sim, pa);
	if (!r)
		return -EFAULT;
	*value = sim_mem_word(r, pa);
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_sim_mem_write64(struct gpuvm_mali_sim *sim,
					    uint64_t pa, uint64_t value)
{
	struct sim_region *r;
	struct sim_chunk *c;
	size_t idx;

	if (!sim || (pa & 7))
		return -EINVAL;
	r = gpuvm_sim_region_find(sim, pa);
	if (!r)
		return -EFAULT;
	/* A GPU store backs its chunk like any first store does. */
	c = gpuvm_sim_chunk_back(sim, r, pa, "GPU store");
	if (!c)
		return -ENOMEM;
	idx = sim_chunk_word(r, pa);
	c->mem[idx] = value;
	/* The CPU sees it too unless it has a store of its own pending there. */
	if (!(c->dirty[idx / SIM_LINE_ENTRIES / 64] &
	      (1ull << (idx / SIM_LINE_ENTRIES % 64))))
		c->cpu[idx] = value;
	return 0;
}

/* Locate the entry at @pa for a CPU page-table access, or log why not. */
static struct sim_region *sim_pt_region(struct gpuvm_mali_sim *sim,
					uint64_t pa, const char *what)
{
	struct sim_region *r = (pa & 7) ? NULL : gpuvm_sim_region_find(sim, pa);

	if (!r)
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_PT_ACCESS, -1, pa,
			      "%s at %s PA 0x%llx", what,
			      (pa & 7) ? "misaligned" : "unbacked",
			      (unsigned long long)pa);
	return r;
}

/*
 * A CPU store to frame @frame of chunk @c is about to land: a frame
 * reported freed is being reused, which is wrong while the GPU may still
 * hold it (PT_FREED_BEFORE_FLUSH).
 */
static void sim_frame_rewrite(struct gpuvm_mali_sim *sim, struct sim_chunk *c,
			      unsigned int frame)
{
	uint64_t fpa;

	if (!(c->freed & (1u << frame)))
		return;
	fpa = c->pa + ((uint64_t)frame << SIM_PAGE_SHIFT);
	c->freed &= ~(1u << frame);
	if (gpuvm_sim_frame_referenced(sim, fpa))
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH, -1, fpa,
			      "page-table frame 0x%llx rewritten while the GPU may still use it",
			      (unsigned long long)fpa);
}

/* Lines [@first, @last] of @c hold CPU stores the GPU cannot see yet. */
void gpuvm_sim_mark_pending(struct gpuvm_mali_sim *sim, struct sim_chunk *c,
		      uint64_t first, uint64_t last)
{
	uint64_t w, fresh;
	unsigned int n;

	/* A dirty-map word at a time: the lines not pending yet become so. */
	for (w = first / 64; w <= last / 64; w++) {
		fresh = sim_lines_mask(w, first, last) & ~c->dirty[w];
		if (!fresh)
			continue;
		n = (unsigned int)__builtin_popcountll(fresh);
		c->dirty[w] |= fresh;
		if (!c->ndirty)
			gpuvm_list_add_tail(&sim->dirty_chunks, &c->dirty_link);
		c->ndirty += n;
		sim->pending_lines += n;
	}
}

/* One 64-bit CPU store to page-table memory; @what names the HAL call. */
static void sim_pt_store(struct gpuvm_mali_sim *sim, uint64_t pa,
			 uint64_t value, const char *what)
{
	struct sim_region *r = sim_pt_region(sim, pa, what);
	struct sim_chunk *c = r ? gpuvm_sim_chunk_back(sim, r, pa, what) : NULL;
	size_t idx;

	if (!c)
		return;
	idx = sim_chunk_word(r, pa);
	sim_frame_rewrite(sim, c, (unsigned int)(idx / (SIM_PAGE_SIZE / 8)));
	c->cpu[idx] = value;
	if (c->cpu != c->mem)
		gpuvm_sim_mark_pending(sim, c, idx / SIM_LINE_ENTRIES,
				 idx / SIM_LINE_ENTRIES);
}

static void sim_pt_write64(struct gpuvm_mali_hal *hal, uint64_t pa,
			   uint64_t value)
{
	sim_pt_store(to_sim(hal), pa, value, "pt_write64");
}

/*
 * The same stores as @count sim_pt_write64() calls.  A range inside one
 * region is copied a frame at a time (the freed-frame check runs before
 * the frame's first store, as it would per entry); anything else, which
 * logs a violation per bad entry, goes entry by entry.
 */
static void sim_pt_write_range(struct gpuvm_mali_hal *hal, uint64_t pa,
			       const uint64_t *descs, size_t count)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);
	struct sim_region *r;
	uint64_t end;
	size_t i;

	if (!count)
		return;
	r = (pa & 7) ? NULL : gpuvm_sim_region_find(sim, pa);
	if (!r || count > (r->size - (pa - r->base)) / 8) {
		for (i = 0; i < count; i++)
			sim_pt_store(sim, pa + i * 8, descs[i], "pt_write_range");
		return;
	}
	end = pa + count * 8;
	while (pa < end) {
		uint64_t stop = (pa | (SIM_PAGE_SIZE - 1)) + 1;
		struct sim_chunk *c = gpuvm_sim_chunk_back(sim, r, pa,
						     "pt_write_range");
		size_t idx = sim_chunk_word(r, pa), n;

		if (stop > end)
			stop = end;
		n = (size_t)(stop - pa) / 8;
		if (c) {
			sim_frame_rewrite(sim, c, (unsigned int)(idx / (SIM_PAGE_SIZE / 8)));
			memcpy(&c->cpu[idx], descs, n * 8);
			if (c->cpu != c->mem)
				gpuvm_sim_mark_pending(sim, c, idx / SIM_LINE_ENTRIES,
						 (idx + n - 1) / SIM_LINE_ENTRIES);
		}
		descs += n;
		pa = stop;
	}
}

static uint64_t sim_pt_read64(struct gpuvm_mali_hal *hal, uint64_t pa)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);
	struct sim_region *r = sim_pt_region(sim, pa, "pt_read64");
	struct sim_chunk *c = r ? gpuvm_sim_chunk_find(r, pa) : NULL;

	return c ? c->cpu[sim_chunk_word(r, pa)] : 0;
}

static void sim_pt_sync(struct gpuvm_mali_hal *hal, uint64_t pa, size_t len)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);
	uint64_t cur, end;
	struct sim_region *r;

	if (!len)
		return;
	r = gpuvm_sim_region_find(sim, pa);
	if (!r || len > r->size - (pa - r->base)) {
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_PT_ACCESS, -1, pa,
			      "pt_sync of 0x%zx bytes at PA 0x%llx leaves backed memory",
			      len, (unsigned long long)pa);
		return;
	}
	/* A chunk at a time, in runs of lines; unbacked chunks hold nothing. */
	cur = pa & ~(uint64_t)(SIM_LINE_BYTES - 1);
	end = pa + len;
	while (cur < end) {
		struct sim_chunk *c = gpuvm_sim_chunk_find(r, cur);
		uint64_t stop = r->base + ((((cur - r->base) >> SIM_CHUNK_SHIFT) + 1)
					   << SIM_CHUNK_SHIFT);

		if (stop > end)
			stop = end;
		if (c && c->ndirty)
			sim_publish_lines(sim, c, (cur - c->pa) / SIM_LINE_BYTES,
					  (stop - 1 - c->pa) / SIM_LINE_BYTES);
		cur = (stop + SIM_LINE_BYTES - 1) & ~(uint64_t)(SIM_LINE_BYTES - 1);
	}
}

static void sim_barrier(struct gpuvm_mali_hal *hal)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);

	if (sim->cfg.visibility == GPUVM_MALI_SIM_VIS_WC)
		sim_publish_all(sim);
}

static void sim_pt_page_freed(struct gpuvm_mali_hal *hal, uint64_t pa)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);
	struct sim_region *r = gpuvm_sim_region_find(sim, pa);
	struct sim_chunk *c;

	if (!r || (pa & (SIM_PAGE_SIZE - 1))) {
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_PT_ACCESS, -1, pa,
			      "pt_page_freed of %s PA 0x%llx",
			      r ? "misaligned" : "unbacked",
			      (unsigned long long)pa);
		return;
	}
	c = gpuvm_sim_chunk_back(sim, r, pa, "pt_page_freed");
	if (c)
		c->freed |= 1u << (sim_chunk_word(r, pa) / (SIM_PAGE_SIZE / 8));
}

/* ---------------------------------------------------------------------
 * Interrupt line (uio_pdrv_genirq: the line is disabled by each event)
 */

/* Advance virtual time, stopping at the end of time rather than wrapping. */
static void sim_advance_us(struct gpuvm_mali_sim *sim, uint64_t us)
{
	if (us > (UINT64_MAX - sim->now_ns) / 1000)
		sim->now_ns = UINT64_MAX;
	else
		sim->now_ns += us * 1000;
	gpuvm_simg_time_passed(sim, us);
}

static void sim_irq_update(struct gpuvm_mali_sim *sim)
{
	if (sim->irq_enabled && (sim->mmu_rawstat & sim->mmu_mask)) {
		sim->st.irq_events++;
		sim->irq_enabled = false;
	}
}

static int sim_irq_wait(struct gpuvm_mali_hal *hal, uint64_t timeout_us,
			uint32_t *events)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);

	if (sim->st.irq_events == sim->irq_seen) {
		sim_advance_us(sim, timeout_us);
		/* The GPU may have raised one meanwhile (sim_gpu.c). */
		if (sim->st.irq_events == sim->irq_seen)
			return 0;
	}
	sim->irq_seen = sim->st.irq_events;
	if (events)
		*events = (uint32_t)sim->st.irq_events;
	return 1;
}

static int sim_irq_rearm(struct gpuvm_mali_hal *hal)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);

	if (sim->irq_enabled)
		return 0;
	sim->irq_enabled = true;
	sim_irq_update(sim);
	if (!sim->irq_enabled)
		sim->st.irq_retriggers++;
	return 0;
}

static uint64_t sim_now_ns(struct gpuvm_mali_hal *hal)
{
	return to_sim(hal)->now_ns;
}

static void sim_sleep_us(struct gpuvm_mali_hal *hal, uint64_t us)
{
	sim_advance_us(to_sim(hal), us);
}

/* ---------------------------------------------------------------------
 * Faults
 */

bool gpuvm_sim_as_present(const struct gpuvm_mali_sim *sim, unsigned int as)
{
	return as < GPUVM_MALI_MAX_AS && (sim->cfg.as_present >> as) & 1;
}

static uint32_t sim_as_irq_bits(const struct gpuvm_mali_sim *sim,
				unsigned int as)
{
	uint32_t bits = GPUVM_MALI_MMU_IRQ_FAULT(as);

	if (sim->cfg.family == GPUVM_MALI_SIM_JM)
		bits |= GPUVM_MALI_MMU_IRQ_BUS_FAULT(as);
	return bits;
}

int gpuvm_sim_latch_fault(struct gpuvm_mali_sim *sim, unsigned int as,
		    uint32_t status, uint64_t va, bool bus)
{
	struct sim_as *a = &sim->as[as];

	if (a->stalled) {
		a->st.secondary_faults++;
		return 1;
	}
	a->stalled = true;
	a->faultstatus = status;
	a->faultaddress = va;
	a->faultextra = 0;
	a->st.faults++;
	if (bus && sim->cfg.family == GPUVM_MALI_SIM_JM)
		sim->mmu_rawstat |= GPUVM_MALI_MMU_IRQ_BUS_FAULT(as);
	else
		sim->mmu_rawstat |= GPUVM_MALI_MMU_IRQ_FAULT(as);
	sim_irq_update(sim);
	return 0;
}

/* A completed UNLOCK/FLUSH releases the stall once the IRQ bits are clear. */
static void sim_release_stall(struct gpuvm_mali_sim *sim, unsigned int as)
{
	if (!(sim->mmu_rawstat & sim_as_irq_bits(sim, as)))
		sim->as[as].stalled = false;
}

/* ---------------------------------------------------------------------
 * AS commands
 */

/* Decode LOCKADDR into a region (log2 64 = the whole AS). */
static bool sim_decode_lock(const struct gpuvm_mali_sim *sim, uint64_t v,
			    uint64_t *base, unsigned int *log2)
{
	unsigned int l = (unsigned int)(v & GPUVM_MALI_LOCKADDR_SIZE_MASK) + 1;
	bool small = l < GPUVM_MALI_LOCK_REGION_MIN_SHIFT;

	if (small)
		l = GPUVM_MALI_LOCK_REGION_MIN_SHIFT;
	if (l > sim->va_bits) {
		*base = 0;
		*log2 = SIM_WHOLE_AS_LOG2;
	} else {
		*base = v & ~((1ull << l) - 1);
		*log2 = l;
	}
	return !small;
}

static void sim_as_apply(struct gpuvm_mali_sim *sim, unsigned int as)
{
	struct sim_as *a = &sim->as[as];

	a->pending = false;
	switch (a->cmd) {
	case GPUVM_MALI_AS_COMMAND_UPDATE:
		a->a_transtab = a->transtab;
		a->a_memattr = a->memattr;
		a->a_transcfg = a->transcfg;
		a->halves = 0;
		gpuvm_sim_tlb_flush_all(sim, as);
		a->stalled = false;
		break;
	case GPUVM_MALI_AS_COMMAND_LOCK:
		if (!a->locked) {
			a->locked = true;
			a->lock_base = a->cmd_base;
			a->lock_log2 = a->cmd_log2;
		}
		break;
	case GPUVM_MALI_AS_COMMAND_UNLOCK:
		if (a->locked)
			gpuvm_sim_tlb_flush_region(sim, as, a->lock_base, a->lock_log2);
		a->locked = false;
		sim_release_stall(sim, as);
		break;
	case GPUVM_MALI_AS_COMMAND_FLUSH_PT:
	case GPUVM_MALI_AS_COMMAND_FLUSH_MEM:
		gpuvm_sim_ptw_invalidate(sim);
		if (a->locked)
			gpuvm_sim_tlb_flush_region(sim, as, a->lock_base, a->lock_log2);
		else
			gpuvm_sim_tlb_flush_region(sim, as, a->cmd_base, a->cmd_log2);
		a->locked = false;
		if (a->cmd == GPUVM_MALI_AS_COMMAND_FLUSH_MEM)
			sim->st.mem_drains++;
		sim_release_stall(sim, as);
		break;
	default:
		break;
	}
	if (sim->cfg.family == GPUVM_MALI_SIM_CSF) {
		sim->mmu_rawstat |= GPUVM_MALI_MMU_IRQ_REQ_COMPLETE(as);
		sim_irq_update(sim);
	}
}

void gpuvm_sim_as_settle(struct gpuvm_mali_sim *sim, unsigned int as)
{
	struct sim_as *a = &sim->as[as];

	if (a->pending && !a->busy_left && !a->stuck)
		sim_as_apply(sim, as);
}

static bool sim_as_active(const struct sim_as *a)
{
	return a->stuck || (a->pending && a->busy_left);
}

static uint64_t sim_rand(struct gpuvm_mali_sim *sim)
{
	uint64_t x = sim->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sim->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static void sim_check_update(struct gpuvm_mali_sim *sim, unsigned int as)
{
	static const char *const names[] = { "TRANSTAB", "MEMATTR", "TRANSCFG" };
	struct sim_as *a = &sim->as[as];
	uint64_t adr = a->transcfg & GPUVM_MALI_TRANSCFG_ADRMODE_MASK;
	bool has_transcfg = sim->cfg.formats & GPUVM_MALI_SIM_FMT_AARCH64;
	unsigned int r;

	if (a->locked)
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_UPDATE_WHILE_LOCKED, (int)as,
			      a->lock_base, "UPDATE on AS%u with a region locked",
			      as);
	for (r = 0; r < 3; r++) {
		unsigned int h = a->halves & (HALF_BIT(r, 0) | HALF_BIT(r, 1));

		if (h && h != (HALF_BIT(r, 0) | HALF_BIT(r, 1)))
			gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_UPDATE_HALF_WRITTEN,
				      (int)as, 0,
				      "UPDATE on AS%u with only the %s half of %s written",
				      as, (h & HALF_BIT(r, 0)) ? "LO" : "HI",
				      names[r]);
	}
	if (!has_transcfg)
		adr = GPUVM_MALI_TRANSCFG_ADRMODE_LEGACY;
	if (adr == GPUVM_MALI_TRANSCFG_ADRMODE_LEGACY) {
		if (!(sim->cfg.formats & GPUVM_MALI_SIM_FMT_LPAE))
			gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_CONFIG, (int)as, 0,
				      "AS%u: legacy (Mali-LPAE) mode not supported",
				      as);
		else if ((a->transtab & GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_MASK) == 1)
			gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_CONFIG, (int)as,
				      a->transtab,
				      "AS%u: reserved LPAE TRANSTAB mode 1", as);
	} else if (adr == GPUVM_MALI_TRANSCFG_ADRMODE_AARCH64_4K) {
		if (a->transtab & ~GPUVM_MALI_AARCH64_TRANSTAB_ADDR_MASK)
			gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_CONFIG, (int)as,
				      a->transtab,
				      "AS%u: AArch64 TRANSTAB 0x%llx has low bits set",
				      as, (unsigned long long)a->transtab);
	} else if (adr != GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED &&
		   adr != GPUVM_MALI_TRANSCFG_ADRMODE_IDENTITY) {
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_CONFIG, (int)as, 0,
			      "AS%u: unsupported ADRMODE %llu", as,
			      (unsigned long long)adr);
	}
}

static void sim_as_command(struct gpuvm_mali_sim *sim, unsigned int as,
			   uint32_t cmd)
{
	struct sim_as *a = &sim->as[as];
	unsigned int busy;

	gpuvm_sim_as_settle(sim, as);
	if (sim_as_active(a)) {
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_CMD_WHILE_BUSY, (int)as, cmd,
			      "AS%u COMMAND %u written while AS_ACTIVE; dropped",
			      as, cmd);
		return;
	}
	switch (cmd) {
	case GPUVM_MALI_AS_COMMAND_NOP:
		break;
	case GPUVM_MALI_AS_COMMAND_UPDATE:
		sim_check_update(sim, as);
		sim_check_unsynced(sim, (int)as, "UPDATE");
		break;
	case GPUVM_MALI_AS_COMMAND_LOCK:
		if (a->locked)
			gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_DOUBLE_LOCK, (int)as,
				      a->lockaddr,
				      "LOCK on AS%u while a region is locked", as);
		if (!sim_decode_lock(sim, a->lockaddr, &a->cmd_base, &a->cmd_log2))
			gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_LOCK_TOO_SMALL, (int)as,
				      a->lockaddr,
				      "AS%u LOCKADDR 0x%llx encodes less than 32 KiB",
				      as, (unsigned long long)a->lockaddr);
		break;
	case GPUVM_MALI_AS_COMMAND_UNLOCK:
		sim_check_unsynced(sim, (int)as, "UNLOCK");
		break;
	case GPUVM_MALI_AS_COMMAND_FLUSH_PT:
	case GPUVM_MALI_AS_COMMAND_FLUSH_MEM:
		sim_check_unsynced(sim, (int)as, "FLUSH");
		if (!a->locked) {
			if (sim->cfg.strict)
				gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_FLUSH_WITHOUT_LOCK,
					      (int)as, a->lockaddr,
					      "AS%u FLUSH without LOCK", as);
			sim_decode_lock(sim, a->lockaddr, &a->cmd_base,
					&a->cmd_log2);
		}
		break;
	default:
		gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_COMMAND, (int)as, cmd,
			      "AS%u: unknown COMMAND %u", as, cmd);
		return;
	}

	if (a->busy_override) {
		busy = a->busy_next;
		a->busy_override = false;
	} else if (sim->cfg.busy_random) {
		busy = (unsigned int)(sim_rand(sim) % (sim->cfg.busy_reads + 1ull));
	} else {
		busy = sim->cfg.busy_reads;
	}
	a->st.commands++;
	a->cmd = cmd;
	a->pending = true;
	a->busy_left = busy;
	gpuvm_sim_as_settle(sim, as);
}

static uint32_t sim_as_status(struct gpuvm_mali_sim *sim, unsigned int as)
{
	struct sim_as *a = &sim->as[as];

	if (a->stuck || (a->pending && a->busy_left)) {
		if (!a->stuck)
			a->busy_left--;
		a->st.busy_reads++;
		return GPUVM_MALI_AS_STATUS_ACTIVE;
	}
	gpuvm_sim_as_settle(sim, as);
	return 0;
}

/* ---------------------------------------------------------------------
 * GPU commands, reset
 */

static void sim_reset_state(struct gpuvm_mali_sim *sim)
{
	unsigned int i;

	for (i = 0; i < GPUVM_MALI_MAX_AS; i++) {
		struct sim_as *a = &sim->as[i];
		struct sim_tlb_entry *tlb = a->tlb;
		struct gpuvm_mali_sim_as_stats st = a->st;

		memset(a, 0, sizeof(*a));
		a->tlb = tlb;
		a->st = st;
		if (tlb)
			gpuvm_sim_tlb_flush_all(sim, i);
	}
	gpuvm_sim_ptw_invalidate(sim);
	sim->gpu_rawstat = 0;
	sim->gpu_mask = 0;
	sim->coherency_protocol = GPUVM_MALI_COHERENCY_NONE;
	sim->l2_mmu_config = 0;
	sim->flush_pending = false;
	sim->mmu_rawstat = 0;
	sim->mmu_mask = 0;
	gpuvm_simg_reset_state(sim);
}

void gpuvm_sim_gpu_reset(struct gpuvm_mali_sim *sim)
{
	sim_reset_state(sim);
	sim->st.resets++;
	sim->gpu_rawstat |= GPUVM_MALI_GPU_IRQ_RESET_COMPLETED;
}

static void sim_flush_complete(struct gpuvm_mali_sim *sim)
{
	sim->flush_pending = false;
	if (sim->flush_inv)
		gpuvm_sim_ptw_invalidate(sim);
	sim->gpu_rawstat |= GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED;
	sim->st.cache_flushes++;
}

static void sim_flush_start(struct gpuvm_mali_sim *sim, bool inv)
{
	sim_check_unsynced(sim, -1, "cache flush");
	/* A flush issued before the last one completed does not cancel it. */
	sim->flush_inv = inv || (sim->flush_pending && sim->flush_inv);
	sim->flush_pending = true;
	sim->flush_left = sim->cfg.flush_reads;
	if (!sim->flush_left && !sim->flush_hang)
		sim_flush_complete(sim);
}

static void sim_gpu_command(struct gpuvm_mali_sim *sim, uint32_t cmd)
{
	if (sim->cfg.family == GPUVM_MALI_SIM_JM) {
		/* Resets are sim_gpu.c's (gpuvm_simg_write()). */
		switch (cmd) {
		case GPUVM_MALI_JM_GPU_CMD_CLEAN_CACHES:
			sim_flush_start(sim, false);
			return;
		case GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES:
			sim_flush_start(sim, true);
			return;
		case GPUVM_MALI_JM_GPU_CMD_NOP:
		case GPUVM_MALI_JM_GPU_CMD_PERFCNT_CLEAR:
		case GPUVM_MALI_JM_GPU_CMD_PERFCNT_SAMPLE:
		case GPUVM_MALI_JM_GPU_CMD_CYCLE_COUNT_START:
		case GPUVM_MALI_JM_GPU_CMD_CYCLE_COUNT_STOP:
			return;
		default:
			break;
		}
	} else {
		uint32_t payload = GPUVM_MALI_CSF_GPU_CMD_PAYLOAD(cmd);

		switch (GPUVM_MALI_CSF_GPU_CMD_TYPE(cmd)) {
		case GPUVM_MALI_CSF_GPU_CMD_TYPE_NOP:
			return;
		case GPUVM_MALI_CSF_GPU_CMD_TYPE_RESET:
			break;	/* valid resets went to gpuvm_simg_write() */
		case GPUVM_MALI_CSF_GPU_CMD_TYPE_FLUSH_CACHES:
			if (payload <= 0x3FF) {
				sim_flush_start(sim, GPUVM_MALI_CSF_FLUSH_L2(payload) &
						GPUVM_MALI_CACHE_OP_INV);
				return;
			}
			break;
		default:
			break;
		}
	}
	gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_GPU_CMD, -1, cmd,
		      "GPU_CMD 0x%x is not a %s command", cmd,
		      sim->cfg.family == GPUVM_MALI_SIM_JM ? "JM" : "CSF");
}

static uint32_t sim_gpu_rawstat(struct gpuvm_mali_sim *sim)
{
	if (sim->flush_pending && !sim->flush_hang) {
		if (sim->flush_left)
			sim->flush_left--;
		else
			sim_flush_complete(sim);
	}
	return sim->gpu_rawstat;
}

/* ---------------------------------------------------------------------
 * Register window
 */

static void sim_bad_reg(struct gpuvm_mali_sim *sim, uint32_t offset,
			const char *what)
{
	gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_REGISTER, -1, offset,
		      "%s register 0x%x", what, offset);
}

static uint32_t sim_as_read(struct gpuvm_mali_sim *sim, unsigned int as,
			    uint32_t reg, uint32_t offset)
{
	struct sim_as *a = &sim->as[as];
	bool transcfg = sim->cfg.formats & GPUVM_MALI_SIM_FMT_AARCH64;

	switch (reg) {
	case GPUVM_MALI_AS_TRANSTAB_LO:
		return (uint32_t)a->transtab;
	case GPUVM_MALI_AS_TRANSTAB_HI:
		return (uint32_t)(a->transtab >> 32);
	case GPUVM_MALI_AS_MEMATTR_LO:
		return (uint32_t)a->memattr;
	case GPUVM_MALI_AS_MEMATTR_HI:
		return (uint32_t)(a->memattr >> 32);
	case GPUVM_MALI_AS_LOCKADDR_LO:
		return (uint32_t)a->lockaddr;
	case GPUVM_MALI_AS_LOCKADDR_HI:
		return (uint32_t)(a->lockaddr >> 32);
	case GPUVM_MALI_AS_FAULTSTATUS:
		return a->faultstatus;
	case GPUVM_MALI_AS_FAULTADDRESS_LO:
		return (uint32_t)a->faultaddress;
	case GPUVM_MALI_AS_FAULTADDRESS_HI:
		return (uint32_t)(a->faultaddress >> 32);
	case GPUVM_MALI_AS_STATUS:
		return sim_as_status(sim, as);
	case GPUVM_MALI_AS_TRANSCFG_LO:
		if (transcfg)
			return (uint32_t)a->transcfg;
		break;
	case GPUVM_MALI_AS_TRANSCFG_HI:
		if (transcfg)
			return (uint32_t)(a->transcfg >> 32);
		break;
	case GPUVM_MALI_AS_FAULTEXTRA_LO:
		return (uint32_t)a->faultextra;
	case GPUVM_MALI_AS_FAULTEXTRA_HI:
		return (uint32_t)(a->faultextra >> 32);
	default:
		break;
	}
	sim_bad_reg(sim, offset, "read of unreadable");
	return 0;
}

static void sim_set_half(uint64_t *reg, unsigned int half, uint32_t value)
{
	if (half)
		*reg = (*reg & 0xFFFFFFFFull) | (uint64_t)value << 32;
	else
		*reg = (*reg & ~0xFFFFFFFFull) | value;
}

static void sim_as_write(struct gpuvm_mali_sim *sim, unsigned int as,
			 uint32_t reg, uint32_t offset, uint32_t value)
{
	struct sim_as *a = &sim->as[as];
	unsigned int half = (reg >> 2) & 1;

	switch (reg) {
	case GPUVM_MALI_AS_TRANSTAB_LO:
	case GPUVM_MALI_AS_TRANSTAB_HI:
		sim_set_half(&a->transtab, half, value);
		a->halves |= HALF_BIT(0, half);
		return;
	case GPUVM_MALI_AS_MEMATTR_LO:
	case GPUVM_MALI_AS_MEMATTR_HI:
		sim_set_half(&a->memattr, half, value);
		a->halves |= HALF_BIT(1, half);
		return;
	case GPUVM_MALI_AS_TRANSCFG_LO:
	case GPUVM_MALI_AS_TRANSCFG_HI:
		if (!(sim->cfg.formats & GPUVM_MALI_SIM_FMT_AARCH64))
			break;
		sim_set_half(&a->transcfg, half, value);
		a->halves |= HALF_BIT(2, half);
		return;
	case GPUVM_MALI_AS_LOCKADDR_LO:
	case GPUVM_MALI_AS_LOCKADDR_HI:
		sim_set_half(&a->lockaddr, half, value);
		return;
	case GPUVM_MALI_AS_COMMAND:
		sim_as_command(sim, as, value);
		return;
	default:
		break;
	}
	sim_bad_reg(sim, offset, "write to unwritable");
}

static uint32_t sim_reg_read(struct gpuvm_mali_sim *sim, uint32_t offset)
{
	uint32_t v;

	if (gpuvm_simg_read(sim, offset, &v))
		return v;
	if (offset >= GPUVM_MALI_AS_BASE &&
	    offset < GPUVM_MALI_AS(GPUVM_MALI_MAX_AS)) {
		unsigned int as = (offset - GPUVM_MALI_AS_BASE) / GPUVM_MALI_AS_STRIDE;

		if (!gpuvm_sim_as_present(sim, as)) {
			sim_bad_reg(sim, offset, "read of absent AS");
			return 0;
		}
		return sim_as_read(sim, as, offset % GPUVM_MALI_AS_STRIDE, offset);
	}
	switch (offset) {
	case GPUVM_MALI_GPU_ID:
		return sim->cfg.gpu_id;
	case GPUVM_MALI_MMU_FEATURES:
		return sim->cfg.mmu_features;
	case GPUVM_MALI_AS_PRESENT:
		return sim->cfg.as_present;
	case GPUVM_MALI_JS_PRESENT:
		return sim->cfg.family == GPUVM_MALI_SIM_JM ? 0x7 : 0;
	case GPUVM_MALI_GPU_INT_RAWSTAT:
		return sim_gpu_rawstat(sim);
	case GPUVM_MALI_GPU_INT_MASK:
		return sim->gpu_mask;
	case GPUVM_MALI_GPU_INT_STAT:
		return sim_gpu_rawstat(sim) & sim->gpu_mask;
	case GPUVM_MALI_GPU_STATUS:
		return 0;
	case GPUVM_MALI_COHERENCY_FEATURES:
		return sim->cfg.coherency_features;
	case GPUVM_MALI_COHERENCY_PROTOCOL:
		return sim->coherency_protocol;
	case GPUVM_MALI_L2_MMU_CONFIG:
		return sim->l2_mmu_config;
	case GPUVM_MALI_MMU_INT_RAWSTAT:
		return sim->mmu_rawstat;
	case GPUVM_MALI_MMU_INT_MASK:
		return sim->mmu_mask;
	case GPUVM_MALI_MMU_INT_STAT:
		return sim->mmu_rawstat & sim->mmu_mask;
	default:
		break;
	}
	sim_bad_reg(sim, offset, "read of unknown or write-only");
	return 0;
}

static void sim_reg_write(struct gpuvm_mali_sim *sim, uint32_t offset,
			  uint32_t value)
{
	if (gpuvm_simg_write(sim, offset, value))
		return;
	if (offset >= GPUVM_MALI_AS_BASE &&
	    offset < GPUVM_MALI_AS(GPUVM_MALI_MAX_AS)) {
		unsigned int as = (offset - GPUVM_MALI_AS_BASE) / GPUVM_MALI_AS_STRIDE;

		if (!gpuvm_sim_as_present(sim, as)) {
			sim_bad_reg(sim, offset, "write to absent AS");
			return;
		}
		sim_as_write(sim, as, offset % GPUVM_MALI_AS_STRIDE, offset, value);
		return;
	}
	switch (offset) {
	case GPUVM_MALI_GPU_INT_CLEAR:
		sim->gpu_rawstat &= ~value;
		return;
	case GPUVM_MALI_GPU_INT_MASK:
		sim->gpu_mask = value;
		return;
	case GPUVM_MALI_GPU_CMD:
		sim_gpu_command(sim, value);
		return;
	case GPUVM_MALI_COHERENCY_PROTOCOL:
		sim->coherency_protocol = value;
		return;
	case GPUVM_MALI_L2_MMU_CONFIG:
		sim->l2_mmu_config = value;
		return;
	case GPUVM_MALI_MMU_INT_CLEAR:
		sim->mmu_rawstat &= ~value;
		return;
	case GPUVM_MALI_MMU_INT_MASK:
		sim->mmu_mask = value;
		sim_irq_update(sim);
		return;
	default:
		break;
	}
	sim_bad_reg(sim, offset, "write to unknown or read-only");
}

/* Run the register hook, if any; true when it fails this access. */
static bool sim_hook_fails(struct gpuvm_mali_sim *sim, uint32_t offset,
			   bool write)
{
	if (!sim->reg_hook)
		return false;
	return sim->reg_hook(sim, sim->trace_count, offset, write,
			     sim->reg_hook_priv);
}

static uint32_t sim_read32(struct gpuvm_mali_hal *hal, uint32_t offset)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);
	uint32_t v;

	if (offset & 3) {
		sim_bad_reg(sim, offset, "misaligned read of");
		v = 0;
	} else if (sim_hook_fails(sim, offset, false) || sim->powered_off) {
		v = 0xFFFFFFFFu;
	} else {
		v = sim_reg_read(sim, offset);
	}
	sim_trace(sim, offset, v, false);
	return v;
}

static void sim_write32(struct gpuvm_mali_hal *hal, uint32_t offset,
			uint32_t value)
{
	struct gpuvm_mali_sim *sim = to_sim(hal);

	if (offset & 3)
		sim_bad_reg(sim, offset, "misaligned write to");
	else if (!sim_hook_fails(sim, offset, true) && !sim->powered_off)
		sim_reg_write(sim, offset, value);
	sim_trace(sim, offset, value, true);
}

static const struct gpuvm_mali_hal_ops sim_hal_ops = {
	.read32 = sim_read32,
	.write32 = sim_write32,
	.pt_write64 = sim_pt_write64,
	.pt_read64 = sim_pt_read64,
	.pt_sync = sim_pt_sync,
	.barrier = sim_barrier,
	.irq_wait = sim_irq_wait,
	.irq_rearm = sim_irq_rearm,
	.now_ns = sim_now_ns,
	.sleep_us = sim_sleep_us,
	.pt_page_freed = sim_pt_page_freed,
	.pt_write_range = sim_pt_write_range,
};

/* ---------------------------------------------------------------------
 * Creation
 */

GPUVM_EXPORT void gpuvm_mali_sim_config_init(struct gpuvm_mali_sim_config *cfg,
					     enum gpuvm_mali_sim_family family)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->family = family;
	if (family == GPUVM_MALI_SIM_CSF) {
		cfg->gpu_id = 0xA8670000u;
		cfg->formats = GPUVM_MALI_SIM_FMT_AARCH64;
	} else {
		cfg->gpu_id = 0x72120000u;
		cfg->formats = GPUVM_MALI_SIM_FMT_LPAE | GPUVM_MALI_SIM_FMT_AARCH64;
	}
	cfg->mmu_features = 0x2830;
	cfg->as_present = 0xFF;
	cfg->coherency_features = GPUVM_MALI_COHERENCY_FEATURE_ACE_LITE;
	cfg->l2_present = 1;
	cfg->ptw_cache = true;
	cfg->busy_reads = 2;
	cfg->flush_reads = 2;
	cfg->visibility = GPUVM_MALI_SIM_VIS_WC;
	cfg->trace_capacity = 256;
}

static bool sim_config_valid(const struct gpuvm_mali_sim_config *cfg)
{
	unsigned int va = GPUVM_MALI_MMU_VA_BITS(cfg->mmu_features);
	unsigned int pa = GPUVM_MALI_MMU_PA_BITS(cfg->mmu_features);

	if (va < 32 || va > 48 || pa < 32 || pa > 48)
		return false;
	if (!cfg->as_present || (cfg->as_present >> GPUVM_MALI_MAX_AS))
		return false;
	if (cfg->family != GPUVM_MALI_SIM_JM && cfg->family != GPUVM_MALI_SIM_CSF)
		return false;
	if (!cfg->formats || (cfg->formats & ~(GPUVM_MALI_SIM_FMT_LPAE |
					       GPUVM_MALI_SIM_FMT_AARCH64)))
		return false;
	if (cfg->visibility != GPUVM_MALI_SIM_VIS_WC &&
	    cfg->visibility != GPUVM_MALI_SIM_VIS_CACHED &&
	    cfg->visibility != GPUVM_MALI_SIM_VIS_COHERENT)
		return false;
	if (cfg->busy_reads > SIM_MAX_BUSY_READS ||
	    cfg->flush_reads > SIM_MAX_BUSY_READS)
		return false;
	if (cfg->tlb_capacity > 65536 || cfg->ptw_cache_lines > (1u << 20) ||
	    cfg->trace_capacity > (1u << 24))
		return false;
	return true;
}

GPUVM_EXPORT int gpuvm_mali_sim_create(const struct gpuvm_mali_sim_config *cfg,
				       struct gpuvm_mali_sim **out)
{
	struct gpuvm_mali_sim *sim;
	unsigned int i;

	if (!cfg || !out || !sim_config_valid(cfg))
		return -EINVAL;
	sim = gpuvm_zalloc(sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->hal.ops = &sim_hal_ops;
	sim->cfg = *cfg;
	if (!sim->cfg.tlb_capacity)
		sim->cfg.tlb_capacity = SIM_DEFAULT_TLB;
	if (!sim->cfg.ptw_cache_lines)
		sim->cfg.ptw_cache_lines = SIM_DEFAULT_PTW_LINES;
	sim->va_bits = GPUVM_MALI_MMU_VA_BITS(cfg->mmu_features);
	sim->pa_bits = GPUVM_MALI_MMU_PA_BITS(cfg->mmu_features);
	sim->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ull;
	gpuvm_list_init(&sim->dirty_chunks);
	sim->irq_enabled = true;
	gpuvm_simg_init(sim);

	for (i = 0; i < GPUVM_MALI_MAX_AS; i++) {
		if (!gpuvm_sim_as_present(sim, i))
			continue;
		sim->as[i].tlb = gpuvm_zalloc(sim->cfg.tlb_capacity *
					      sizeof(*sim->as[i].tlb));
		if (!sim->as[i].tlb)
			goto nomem;
	}
	if (sim->cfg.ptw_cache && !sim->cfg.coherent_walk) {
		sim->ptw_sets = (sim->cfg.ptw_cache_lines + SIM_PTW_WAYS - 1) /
				SIM_PTW_WAYS;
		sim->ptw = gpuvm_zalloc((size_t)sim->ptw_sets * SIM_PTW_WAYS *
					sizeof(*sim->ptw));
		if (!sim->ptw)
			goto nomem;
	}
	if (sim->cfg.trace_capacity) {
		sim->trace = gpuvm_zalloc(sim->cfg.trace_capacity *
					  sizeof(*sim->trace));
		if (!sim->trace)
			goto nomem;
	}
	sim_reset_state(sim);
	*out = sim;
	return 0;

nomem:
	gpuvm_mali_sim_destroy(sim);
	return -ENOMEM;
}

GPUVM_EXPORT void gpuvm_mali_sim_destroy(struct gpuvm_mali_sim *sim)
{
	unsigned int i;

	if (!sim)
		return;
	for (i = 0; i < GPUVM_MALI_MAX_AS; i++)
		gpuvm_free(sim->as[i].tlb);
	gpuvm_free(sim->ptw);
	gpuvm_free(sim->trace);
	gpuvm_free(sim->viol);
	sim_free_regions(sim);
	gpuvm_free(sim);
}

GPUVM_EXPORT struct gpuvm_mali_hal *gpuvm_mali_sim_hal(struct gpuvm_mali_sim *sim)
{
	return &sim->hal;
}

GPUVM_EXPORT struct gpuvm_mali_sim *gpuvm_mali_sim_from_hal(struct gpuvm_mali_hal *hal)
{
	if (!hal || hal->ops != &sim_hal_ops)
		return NULL;
	return to_sim(hal);
}

/* ---------------------------------------------------------------------
 * Inspection
 */

GPUVM_EXPORT int gpuvm_mali_sim_lock_region(struct gpuvm_mali_sim *sim, unsigned int as,
					    uint64_t *base, unsigned int *log2)
{
	struct sim_as *a;

	if (!sim || !gpuvm_sim_as_present(sim, as))
		return -EINVAL;
	a = &sim->as[as];
	if (!a->locked)
		return 0;
	if (base)
		*base = a->lock_base;
	if (log2)
		*log2 = a->lock_log2;
	return 1;
}

GPUVM_EXPORT int gpuvm_mali_sim_as_stats(struct gpuvm_mali_sim *sim, unsigned int as,
					 struct gpuvm_mali_sim_as_stats *st)
{
	unsigned int i;

	if (!sim || !st || !gpuvm_sim_as_present(sim, as))
		return -EINVAL;
	*st = sim->as[as].st;
	st->tlb_entries = 0;
	for (i = 0; i < sim->cfg.tlb_capacity; i++)
		st->tlb_entries += sim->as[as].tlb[i].valid;
	return 0;
}

GPUVM_EXPORT void gpuvm_mali_sim_stats(struct gpuvm_mali_sim *sim,
				       struct gpuvm_mali_sim_stats *st)
{
	unsigned int i;

	*st = sim->st;
	st->irq_enabled = sim->irq_enabled;
	st->pending_pte_lines = sim->pending_lines;
	st->backed_bytes = sim->chunks * SIM_CHUNK_BYTES;
	st->host_bytes = sim->chunks * (sizeof(struct sim_chunk) +
					(sim->cfg.visibility == GPUVM_MALI_SIM_VIS_COHERENT ?
					 1 : 2) * SIM_CHUNK_BYTES) +
			 sim->dir_leaves * SIM_DIR_ENTRIES * sizeof(void *);
	st->ptw_lines = 0;
	for (i = 0; sim->ptw && i < sim->ptw_sets * SIM_PTW_WAYS; i++)
		st->ptw_lines += sim_ptw_valid(sim, &sim->ptw[i]);
}

GPUVM_EXPORT size_t gpuvm_mali_sim_violation_count(struct gpuvm_mali_sim *sim)
{
	return sim->nviol + sim->viol_lost;
}

GPUVM_EXPORT size_t gpuvm_mali_sim_violation_count_code(struct gpuvm_mali_sim *sim,
					enum gpuvm_mali_sim_violation_code code)
{
	size_t i, n = 0;

	for (i = 0; i < sim->nviol; i++)
		n += sim->viol[i].code == code;
	return n;
}

GPUVM_EXPORT const struct gpuvm_mali_sim_violation *
gpuvm_mali_sim_violation_get(struct gpuvm_mali_sim *sim, size_t i)
{
	return i < sim->nviol ? &sim->viol[i] : NULL;
}

GPUVM_EXPORT void gpuvm_mali_sim_violation_clear(struct gpuvm_mali_sim *sim)
{
	sim->nviol = 0;
	sim->viol_lost = 0;
}

GPUVM_EXPORT const char *gpuvm_mali_sim_violation_name(enum gpuvm_mali_sim_violation_code code)
{
	switch (code) {
	case GPUVM_MALI_SIM_V_CMD_WHILE_BUSY:		return "CMD_WHILE_BUSY";
	case GPUVM_MALI_SIM_V_UPDATE_WHILE_LOCKED:	return "UPDATE_WHILE_LOCKED";
	case GPUVM_MALI_SIM_V_UPDATE_HALF_WRITTEN:	return "UPDATE_HALF_WRITTEN";
	case GPUVM_MALI_SIM_V_LOCK_TOO_SMALL:		return "LOCK_TOO_SMALL";
	case GPUVM_MALI_SIM_V_DOUBLE_LOCK:		return "DOUBLE_LOCK";
	case GPUVM_MALI_SIM_V_FLUSH_WITHOUT_LOCK:	return "FLUSH_WITHOUT_LOCK";
	case GPUVM_MALI_SIM_V_UNSYNCED_PTE:		return "UNSYNCED_PTE";
	case GPUVM_MALI_SIM_V_STALE_TLB:		return "STALE_TLB";
	case GPUVM_MALI_SIM_V_STALE_PTW:		return "STALE_PTW";
	case GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH:	return "PT_FREED_BEFORE_FLUSH";
	case GPUVM_MALI_SIM_V_BAD_REGISTER:		return "BAD_REGISTER";
	case GPUVM_MALI_SIM_V_BAD_COMMAND:		return "BAD_COMMAND";
	case GPUVM_MALI_SIM_V_BAD_GPU_CMD:		return "BAD_GPU_CMD";
	case GPUVM_MALI_SIM_V_BAD_CONFIG:		return "BAD_CONFIG";
	case GPUVM_MALI_SIM_V_BAD_PT_ACCESS:		return "BAD_PT_ACCESS";
	case GPUVM_MALI_SIM_V_CONT_BIT:			return "CONT_BIT";
	}
	return "UNKNOWN";
}

GPUVM_EXPORT uint64_t gpuvm_mali_sim_trace_count(struct gpuvm_mali_sim *sim)
{
	return sim->trace_count;
}

GPUVM_EXPORT int gpuvm_mali_sim_trace_get(struct gpuvm_mali_sim *sim, uint64_t index,
					  struct gpuvm_mali_sim_trace_entry *out)
{
	if (!sim->trace || index >= sim->trace_count ||
	    sim->trace_count - index > sim->cfg.trace_capacity)
		return -ENOENT;
	*out = sim->trace[index % sim->cfg.trace_capacity];
	return 0;
}

/* ---------------------------------------------------------------------
 * Failure injection
 */

GPUVM_EXPORT int gpuvm_mali_sim_inject(struct gpuvm_mali_sim *sim,
				       enum gpuvm_mali_sim_injection what,
				       unsigned int as, uint64_t arg)
{
	switch (what) {
	case GPUVM_MALI_SIM_INJ_AS_STUCK:
		if (!gpuvm_sim_as_present(sim, as) || arg > 1)
			return -EINVAL;
		sim->as[as].stuck = arg;
		if (!arg)
			gpuvm_sim_as_settle(sim, as);
		return 0;
	case GPUVM_MALI_SIM_INJ_AS_BUSY:
		if (!gpuvm_sim_as_present(sim, as) || arg > SIM_MAX_BUSY_READS)
			return -EINVAL;
		sim->as[as].busy_override = true;
		sim->as[as].busy_next = (unsigned int)arg;
		return 0;
	case GPUVM_MALI_SIM_INJ_FLUSH_HANG:
		if (arg > 1)
			return -EINVAL;
		sim->flush_hang = arg;
		return 0;
	case GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ:
	case GPUVM_MALI_SIM_INJ_EVENT_JUMP:
		if (what == GPUVM_MALI_SIM_INJ_EVENT_JUMP && (!arg || arg > UINT32_MAX))
			return -EINVAL;
		if (!sim->irq_enabled)
			return -EBUSY;
		sim->st.irq_events += what == GPUVM_MALI_SIM_INJ_EVENT_JUMP ? arg : 1;
		sim->irq_enabled = false;
		return 0;
	case GPUVM_MALI_SIM_INJ_POWER_OFF:
		if (arg > 1)
			return -EINVAL;
		if (sim->powered_off && !arg)
			sim_reset_state(sim);
		sim->powered_off = arg;
		return 0;
	case GPUVM_MALI_SIM_INJ_GPU_RESET:
		gpuvm_sim_gpu_reset(sim);
		return 0;
	case GPUVM_MALI_SIM_INJ_NO_BACKING:
		if (arg > 1)
			return -EINVAL;
		sim->no_backing = arg;
		return 0;
	}
	return -EINVAL;
}

GPUVM_EXPORT void gpuvm_mali_sim_set_reg_hook(struct gpuvm_mali_sim *sim,
					      gpuvm_mali_sim_reg_hook_fn fn,
					      void *priv)
{
	sim->reg_hook = fn;
	sim->reg_hook_priv = priv;
}

GPUVM_EXPORT int gpuvm_mali_sim_inject_fault(struct gpuvm_mali_sim *sim, unsigned int as,
					     uint32_t faultstatus, uint64_t va, bool bus)
{
	if (!gpuvm_sim_as_present(sim, as) || (bus && sim->cfg.family != GPUVM_MALI_SIM_JM))
		return -EINVAL;
	return gpuvm_sim_latch_fault(sim, as, faultstatus, va, bus);
}
