/* SPDX-License-Identifier: MIT */
/*
 * Simulated Mali MMU, part 2: the translation model.
 *
 * A GPU access looks in the AS's TLB and, on a miss, walks the tables of
 * the active configuration.  Walker reads go through a 64-byte line cache
 * (the GPU L2 holding page-table lines) unless the walker is coherent.
 * Only UPDATE, UNLOCK/FLUSH_* over the locked region and reset drop TLB
 * entries; only an L2 invalidate (FLUSH_PT/FLUSH_MEM, a GPU_CMD flush with
 * the L2 INV bit) drops cached lines.  The oracle walks memory directly,
 * so comparing the two shows what a missing flush leaves behind.
 */
#include <errno.h>
#include <string.h>

#include "sim_internal.h"

#define ADDR_SIZE_MAX_BITS	48u

bool gpuvm_sim_range_overlaps(uint64_t base, unsigned int log2, uint64_t first,
			      uint64_t last)
{
	uint64_t end;

	if (log2 >= SIM_WHOLE_AS_LOG2)
		return true;
	end = base + ((1ull << log2) - 1);
	return first <= end && base <= last;
}

/* ---------------------------------------------------------------------
 * Walker line cache
 */

void gpuvm_sim_ptw_invalidate(struct gpuvm_mali_sim *sim)
{
	if (!sim->ptw)
		return;
	/* every line's generation is now old: no memset of the whole cache */
	sim->ptw_gen++;
	sim->st.ptw_invalidates++;
}

static struct sim_ptw_line *sim_ptw_lookup(struct gpuvm_mali_sim *sim,
					   uint64_t line_pa)
{
	struct sim_ptw_line *set;
	unsigned int w;

	set = &sim->ptw[((line_pa >> SIM_LINE_SHIFT) % sim->ptw_sets) * SIM_PTW_WAYS];
	for (w = 0; w < SIM_PTW_WAYS; w++)
		if (sim_ptw_valid(sim, &set[w]) && set[w].pa == line_pa)
			return &set[w];
	return NULL;
}

static void sim_ptw_fill(struct gpuvm_mali_sim *sim, uint64_t line_pa,
			 const uint64_t *v)
{
	struct sim_ptw_line *set, *victim;
	unsigned int w;

	set = &sim->ptw[((line_pa >> SIM_LINE_SHIFT) % sim->ptw_sets) * SIM_PTW_WAYS];
	victim = &set[0];
	for (w = 0; w < SIM_PTW_WAYS; w++) {
		if (!sim_ptw_valid(sim, &set[w])) {
			victim = &set[w];
			break;
		}
		if (set[w].lru < victim->lru)
			victim = &set[w];
	}
	victim->gen = sim->ptw_gen;
	victim->pa = line_pa;
	victim->lru = ++sim->lru_clock;
	memcpy(victim->v, v, sizeof(victim->v));
}

/* Read one descriptor as the walker would; false when @pa is unbacked. */
static bool sim_ptw_read(struct gpuvm_mali_sim *sim, uint64_t pa,
			 enum sim_view view, uint64_t *value)
{
	uint64_t line_pa = pa & ~(uint64_t)(SIM_LINE_BYTES - 1);
	static const uint64_t zero_line[SIM_LINE_ENTRIES];
	unsigned int slot = (unsigned int)((pa & (SIM_LINE_BYTES - 1)) / 8);
	const struct sim_chunk *c;
	struct sim_region *r;

	if (view != SIM_VIEW_ORACLE && sim->ptw) {
		struct sim_ptw_line *l = sim_ptw_lookup(sim, line_pa);

		if (l) {
			if (view == SIM_VIEW_FILL)
				l->lru = ++sim->lru_clock;
			*value = l->v[slot];
			return true;
		}
	}
	r = gpuvm_sim_region_find(sim, pa);
	if (!r)
		return false;
	c = gpuvm_sim_chunk_find(r, pa);
	*value = c ? c->mem[(pa - c->pa) / 8] : 0;
	if (view == SIM_VIEW_FILL && sim->ptw)
		sim_ptw_fill(sim, line_pa,
			     c ? &c->mem[(line_pa - c->pa) / 8] : zero_line);
	return true;
}

/* ---------------------------------------------------------------------
 * Walker
 */

enum sim_mode gpuvm_sim_mode_of(const struct gpuvm_mali_sim *sim, uint64_t transtab,
				uint64_t transcfg)
{
	uint64_t adr = GPUVM_MALI_TRANSCFG_ADRMODE_LEGACY;

	if (sim->cfg.formats & GPUVM_MALI_SIM_FMT_AARCH64)
		adr = transcfg & GPUVM_MALI_TRANSCFG_ADRMODE_MASK;
	switch (adr) {
	case GPUVM_MALI_TRANSCFG_ADRMODE_LEGACY:
		if (!(sim->cfg.formats & GPUVM_MALI_SIM_FMT_LPAE))
			return SIM_MODE_UNMAPPED;
		switch (transtab & GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_MASK) {
		case GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_IDENTITY:
			return SIM_MODE_IDENTITY;
		case GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_TABLE:
			return SIM_MODE_LPAE;
		default:
			return SIM_MODE_UNMAPPED;
		}
	case GPUVM_MALI_TRANSCFG_ADRMODE_IDENTITY:
		return SIM_MODE_IDENTITY;
	case GPUVM_MALI_TRANSCFG_ADRMODE_AARCH64_4K:
		return SIM_MODE_AARCH64;
	default:
		return SIM_MODE_UNMAPPED;
	}
}

/* Input address bits of an AArch64 configuration (INA_BITS 0: MMU_FEATURES). */
static unsigned int sim_aarch64_ia(const struct gpuvm_mali_sim *sim,
				   uint64_t transcfg)
{
	unsigned int ina = (unsigned int)((transcfg & GPUVM_MALI_TRANSCFG_INA_BITS_MASK) >>
					  GPUVM_MALI_TRANSCFG_INA_BITS_SHIFT);
	unsigned int ia = ina ? (ina < 55 ? 55 - ina : 0) : sim->va_bits;

	if (ia > ADDR_SIZE_MAX_BITS)
		ia = ADDR_SIZE_MAX_BITS;
	if (ia < 21)
		ia = 21;
	return ia;
}

static void sim_fault(struct sim_xlate *x, uint32_t type, unsigned int level)
{
	x->fault = type;
	x->level = level;
}

void gpuvm_sim_walk(struct gpuvm_mali_sim *sim, unsigned int as, uint64_t va,
		    enum sim_view view, struct sim_xlate *x)
{
	const struct sim_as *a = &sim->as[as];
	uint64_t pa_limit = 1ull << sim->pa_bits;
	unsigned int level, start, ia;
	uint64_t table;
	bool lpae;

	memset(x, 0, sizeof(*x));
	x->mode = gpuvm_sim_mode_of(sim, a->a_transtab, a->a_transcfg);
	switch (x->mode) {
	case SIM_MODE_UNMAPPED:
		sim_fault(x, GPUVM_MALI_EXC_TRANSLATION_FAULT(0), 0);
		return;
	case SIM_MODE_IDENTITY:
		x->shift = SIM_PAGE_SHIFT;
		x->va_base = va & ~(SIM_PAGE_SIZE - 1);
		x->pa_base = x->va_base;
		x->level = 3;
		return;
	case SIM_MODE_LPAE:
		lpae = true;
		ia = sim->va_bits;
		start = 0;
		table = a->a_transtab & GPUVM_MALI_LPAE_TRANSTAB_ADDR_MASK;
		break;
	case SIM_MODE_AARCH64:
	default:
		lpae = false;
		ia = sim_aarch64_ia(sim, a->a_transcfg);
		start = 4 - (ia - SIM_PAGE_SHIFT + 8) / 9;
		table = a->a_transtab & GPUVM_MALI_AARCH64_TRANSTAB_ADDR_MASK &
			((1ull << ADDR_SIZE_MAX_BITS) - 1);
		break;
	}
	if (ia < 64 && va >> ia) {
		sim_fault(x, GPUVM_MALI_EXC_ADDR_SIZE_FAULT_IN(0), 0);
		return;
	}

	for (level = start; level < GPUVM_MALI_PT_LEVELS; level++) {
		unsigned int shift = GPUVM_MALI_PT_LEVEL_SHIFT(level);
		uint64_t pte, type, oa;

		if (x->ntables < 4)
			x->tables[x->ntables++] = table & ~(SIM_PAGE_SIZE - 1);
		if (!sim_ptw_read(sim, table + 8ull * GPUVM_MALI_PT_INDEX(va, level),
				  view, &pte)) {
			sim_fault(x, GPUVM_MALI_EXC_TRANSTAB_BUS_FAULT(level), level);
			return;
		}
		type = pte & GPUVM_MALI_PTE_TYPE_MASK;
		if (!lpae && view == SIM_VIEW_FILL && sim->cfg.strict &&
		    (pte & GPUVM_MALI_PTE_VALID) &&
		    (pte & GPUVM_MALI_AARCH64_PTE_CONT))
			gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_CONT_BIT, (int)as, va,
					    "AS%u: descriptor 0x%llx at level %u has the contiguous bit",
					    as, (unsigned long long)pte, level);
		oa = pte & GPUVM_MALI_PTE_OA_MASK;

		if (type == GPUVM_MALI_PTE_TYPE_TABLE && level < 3) {
			if (oa >= pa_limit) {
				sim_fault(x, GPUVM_MALI_EXC_ADDR_SIZE_FAULT_OUT(level),
					  level);
				return;
			}
			if (!lpae)
				x->tbl_attr |= pte & (GPUVM_MALI_AARCH64_TABLE_PXN |
						      GPUVM_MALI_AARCH64_TABLE_UXN |
						      GPUVM_MALI_AARCH64_TABLE_AP_NO_EL0 |
						      GPUVM_MALI_AARCH64_TABLE_AP_RDONLY);
			table = oa;
			continue;
		}
		/*
		 * Leaves: Mali-LPAE uses 0b01 at L1-L3; AArch64 uses 0b01
		 * blocks at L1/L2 and 0b11 pages at L3.  Anything else
		 * (invalid, a 0b01 at L0, LPAE 0b11 at L3, AArch64 0b01 at
		 * L3) is a translation fault at this level.
		 */
		if (lpae ? (type != GPUVM_MALI_LPAE_PTE_TYPE_ATE || level == 0) :
			   (level == 0 ||
			    type != (level == 3 ? GPUVM_MALI_PTE_TYPE_PAGE :
						  GPUVM_MALI_PTE_TYPE_BLOCK))) {
			sim_fault(x, GPUVM_MALI_EXC_TRANSLATION_FAULT(level), level);
			return;
		}
		x->level = level;
		x->shift = shift;
		x->leaf = pte;
		x->va_base = va & ~((1ull << shift) - 1);
		x->pa_base = oa & ~((1ull << shift) - 1);
		if (x->pa_base >= pa_limit)
			sim_fault(x, GPUVM_MALI_EXC_ADDR_SIZE_FAULT_OUT(level), level);
		return;
	}
}

uint32_t gpuvm_sim_check_perm(const struct gpuvm_mali_sim *sim, unsigned int as,
			      const struct sim_xlate *x, unsigned int kind)
{
	const struct sim_as *a = &sim->as[as];
	bool rd, wr, xn, write = kind == GPUVM_MALI_SIM_WRITE ||
				 kind == GPUVM_MALI_SIM_ATOMIC;
	uint64_t leaf = x->leaf;
	uint8_t attr;

	switch (x->mode) {
	case SIM_MODE_LPAE:
		rd = leaf & GPUVM_MALI_LPAE_PTE_READ;
		wr = leaf & GPUVM_MALI_LPAE_PTE_WRITE;
		xn = leaf & GPUVM_MALI_LPAE_PTE_XN_KBASE;
		break;
	case SIM_MODE_AARCH64:
		if (!(leaf & GPUVM_MALI_AARCH64_PTE_AF) &&
		    !(a->a_transcfg & GPUVM_MALI_TRANSCFG_DISABLE_AF_FAULT))
			return GPUVM_MALI_EXC_ACCESS_FLAG(x->level);
		attr = GPUVM_MALI_MEMATTR_SLOT(a->a_memattr,
					       (leaf & GPUVM_MALI_PTE_ATTRINDX_MASK) >>
					       GPUVM_MALI_PTE_ATTRINDX_SHIFT);
		if ((attr & GPUVM_MALI_MEMATTR_TYPE_MASK) == GPUVM_MALI_MEMATTR_TYPE_FAULT)
			return GPUVM_MALI_EXC_MEM_ATTR_FAULT(x->level);
		rd = leaf & GPUVM_MALI_AARCH64_PTE_AP_UNPRIV;
		wr = rd && !(leaf & GPUVM_MALI_AARCH64_PTE_AP_RDONLY);
		xn = leaf & GPUVM_MALI_AARCH64_PTE_UXN;
		if (!(a->a_transcfg & GPUVM_MALI_TRANSCFG_DISABLE_HIER_AP)) {
			if (x->tbl_attr & GPUVM_MALI_AARCH64_TABLE_AP_NO_EL0)
				rd = wr = false;
			if (x->tbl_attr & GPUVM_MALI_AARCH64_TABLE_AP_RDONLY)
				wr = false;
			if (x->tbl_attr & GPUVM_MALI_AARCH64_TABLE_UXN)
				xn = true;
		}
		if (wr && (a->a_transcfg & GPUVM_MALI_TRANSCFG_WXN))
			xn = true;
		/* AP[1] clear: no access at all, whatever the kind. */
		if (!rd)
			return GPUVM_MALI_EXC_PERM_FAULT(x->level);
		break;
	default:
		return 0;
	}
	if (kind == GPUVM_MALI_SIM_EXEC)
		return xn ? GPUVM_MALI_EXC_PERM_FAULT(x->level) : 0;
	if ((kind != GPUVM_MALI_SIM_WRITE && !rd) || (write && !wr))
		return GPUVM_MALI_EXC_PERM_FAULT(x->level);
	return 0;
}

/* ---------------------------------------------------------------------
 * TLB
 */

void gpuvm_sim_tlb_flush_all(struct gpuvm_mali_sim *sim, unsigned int as)
{
	memset(sim->as[as].tlb, 0, sim->cfg.tlb_capacity *
	       sizeof(*sim->as[as].tlb));
}

void gpuvm_sim_tlb_flush_region(struct gpuvm_mali_sim *sim, unsigned int as,
				uint64_t base, unsigned int log2)
{
	struct sim_tlb_entry *tlb = sim->as[as].tlb;
	unsigned int i;

	for (i = 0; i < sim->cfg.tlb_capacity; i++) {
		const struct sim_xlate *x = &tlb[i].x;

		if (tlb[i].valid &&
		    gpuvm_sim_range_overlaps(base, log2, x->va_base,
					     x->va_base + ((1ull << x->shift) - 1)))
			tlb[i].valid = false;
	}
}

static struct sim_tlb_entry *sim_tlb_lookup(struct gpuvm_mali_sim *sim,
					    unsigned int as, uint64_t va)
{
	struct sim_tlb_entry *tlb = sim->as[as].tlb;
	unsigned int i;

	for (i = 0; i < sim->cfg.tlb_capacity; i++)
		if (tlb[i].valid &&
		    (va & ~((1ull << tlb[i].x.shift) - 1)) == tlb[i].x.va_base)
			return &tlb[i];
	return NULL;
}

static void sim_tlb_insert(struct gpuvm_mali_sim *sim, unsigned int as,
			   const struct sim_xlate *x)
{
	struct sim_tlb_entry *tlb = sim->as[as].tlb, *victim = &tlb[0];
	unsigned int i;

	for (i = 0; i < sim->cfg.tlb_capacity; i++) {
		if (!tlb[i].valid) {
			victim = &tlb[i];
			break;
		}
		if (tlb[i].lru < victim->lru)
			victim = &tlb[i];
	}
	victim->valid = true;
	victim->lru = ++sim->lru_clock;
	victim->x = *x;
}

bool gpuvm_sim_frame_referenced(const struct gpuvm_mali_sim *sim, uint64_t frame)
{
	unsigned int as, i, j;

	for (as = 0; as < GPUVM_MALI_MAX_AS; as++) {
		const struct sim_tlb_entry *tlb = sim->as[as].tlb;

		if (!tlb)
			continue;
		for (i = 0; i < sim->cfg.tlb_capacity; i++) {
			if (!tlb[i].valid)
				continue;
			for (j = 0; j < tlb[i].x.ntables; j++)
				if (tlb[i].x.tables[j] == frame)
					return true;
		}
	}
	for (i = 0; sim->ptw && i < sim->ptw_sets * SIM_PTW_WAYS; i++)
		if (sim_ptw_valid(sim, &sim->ptw[i]) &&
		    (sim->ptw[i].pa & ~(SIM_PAGE_SIZE - 1)) == frame)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * Accesses, oracle, coherence check
 */

static bool sim_kind_valid(unsigned int kind)
{
	return kind <= GPUVM_MALI_SIM_WRITE;
}

static uint64_t sim_xlate_pa(const struct sim_xlate *x, uint64_t va)
{
	return x->pa_base | (va & ((1ull << x->shift) - 1));
}

GPUVM_EXPORT int gpuvm_mali_sim_access(struct gpuvm_mali_sim *sim, unsigned int as,
				       uint64_t va,
				       enum gpuvm_mali_sim_access_kind kind,
				       uint16_t source_id, uint64_t *pa)
{
	struct sim_tlb_entry *e;
	struct sim_xlate walk;
	const struct sim_xlate *x;
	struct sim_as *a;
	uint32_t fault;

	if (!sim || !gpuvm_sim_as_present(sim, as) || !sim_kind_valid(kind))
		return -EINVAL;
	a = &sim->as[as];
	gpuvm_sim_as_settle(sim, as);
	if (a->stalled) {
		a->st.secondary_faults++;
		return GPUVM_MALI_SIM_FAULT;
	}
	if (a->locked && gpuvm_sim_range_overlaps(a->lock_base, a->lock_log2, va, va)) {
		a->st.stalls++;
		return GPUVM_MALI_SIM_STALLED;
	}

	e = sim_tlb_lookup(sim, as, va);
	if (e) {
		a->st.tlb_hits++;
		e->lru = ++sim->lru_clock;
		x = &e->x;
		fault = gpuvm_sim_check_perm(sim, as, x, kind);
	} else {
		a->st.tlb_misses++;
		gpuvm_sim_walk(sim, as, va, SIM_VIEW_FILL, &walk);
		x = &walk;
		fault = walk.fault;
		if (!fault)
			fault = gpuvm_sim_check_perm(sim, as, x, kind);
		if (!fault && x->mode != SIM_MODE_IDENTITY)
			sim_tlb_insert(sim, as, x);
	}
	if (fault) {
		bool bus = (fault & ~3u) == GPUVM_MALI_EXC_TRANSTAB_BUS_FAULT(0);

		gpuvm_sim_latch_fault(sim, as,
				      GPUVM_MALI_FAULTSTATUS(fault, kind, source_id),
				      va, bus);
		return GPUVM_MALI_SIM_FAULT;
	}
	if (pa)
		*pa = sim_xlate_pa(x, va);
	return GPUVM_MALI_SIM_OK;
}

GPUVM_EXPORT int gpuvm_mali_sim_walk_oracle(struct gpuvm_mali_sim *sim, unsigned int as,
					    uint64_t va,
					    enum gpuvm_mali_sim_access_kind kind,
					    uint64_t *pa, uint32_t *fault)
{
	struct sim_xlate x;
	uint32_t f;

	if (!sim || !gpuvm_sim_as_present(sim, as) || !sim_kind_valid(kind))
		return -EINVAL;
	gpuvm_sim_walk(sim, as, va, SIM_VIEW_ORACLE, &x);
	f = x.fault;
	if (!f)
		f = gpuvm_sim_check_perm(sim, as, &x, kind);
	if (fault)
		*fault = f;
	if (f)
		return 1;
	if (pa)
		*pa = sim_xlate_pa(&x, va);
	return 0;
}

static bool sim_xlate_same(const struct sim_xlate *x, const struct sim_xlate *y,
			   uint64_t va)
{
	if (x->fault || y->fault)
		return x->fault == y->fault;
	return sim_xlate_pa(x, va) == sim_xlate_pa(y, va) &&
	       x->leaf == y->leaf && x->tbl_attr == y->tbl_attr;
}

#define SIM_STALE_LOG_MAX 16

GPUVM_EXPORT long gpuvm_mali_sim_check_coherent(struct gpuvm_mali_sim *sim, unsigned int as,
						uint64_t va, uint64_t size)
{
	uint64_t page, last;
	unsigned int logged = 0;
	long stale = 0;

	if (!sim || !gpuvm_sim_as_present(sim, as))
		return -EINVAL;
	if (!size)
		return 0;
	gpuvm_sim_as_settle(sim, as);
	page = va & ~(SIM_PAGE_SIZE - 1);
	last = va + (size - 1);
	if (last < va)
		last = UINT64_MAX;
	for (;;) {
		struct sim_tlb_entry *e = sim_tlb_lookup(sim, as, page);
		struct sim_xlate o, v;
		bool bad = false;

		gpuvm_sim_walk(sim, as, page, SIM_VIEW_ORACLE, &o);
		if (e && !sim_xlate_same(&e->x, &o, page)) {
			bad = true;
			if (logged++ < SIM_STALE_LOG_MAX)
				gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_STALE_TLB,
						    (int)as, page,
						    "AS%u VA 0x%llx: TLB gives PA 0x%llx, memory %s 0x%llx",
						    as, (unsigned long long)page,
						    (unsigned long long)sim_xlate_pa(&e->x, page),
						    o.fault ? "faults" : "gives PA",
						    (unsigned long long)(o.fault ? o.fault :
								   sim_xlate_pa(&o, page)));
		}
		if (sim->ptw) {
			gpuvm_sim_walk(sim, as, page, SIM_VIEW_PEEK, &v);
			if (!sim_xlate_same(&v, &o, page)) {
				bad = true;
				if (logged++ < SIM_STALE_LOG_MAX)
					gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_STALE_PTW,
							    (int)as, page,
							    "AS%u VA 0x%llx: cached table lines give %s 0x%llx, memory %s 0x%llx",
							    as, (unsigned long long)page,
							    v.fault ? "fault" : "PA",
							    (unsigned long long)(v.fault ? v.fault :
									   sim_xlate_pa(&v, page)),
						      o.fault ? "fault" : "PA",
						      (unsigned long long)(o.fault ? o.fault :
									   sim_xlate_pa(&o, page)));
			}
		}
		stale += bad;
		if (last - page < SIM_PAGE_SIZE)
			break;
		page += SIM_PAGE_SIZE;
	}
	return stale;
}

/*
 * One pass over the TLB for a probe of @va: the entry an access would hit
 * (the first valid one holding @va), whether another entry holds @va too,
 * and the lowest start of an entry above @va.
 */
struct sim_tlb_scan {
	const struct sim_tlb_entry *hit;
	bool shadowed;
	uint64_t next;
};

static void sim_tlb_scan(const struct gpuvm_mali_sim *sim, unsigned int as,
			 uint64_t va, struct sim_tlb_scan *sc)
{
	const struct sim_tlb_entry *tlb = sim->as[as].tlb;
	unsigned int i;

	sc->hit = NULL;
	sc->shadowed = false;
	sc->next = UINT64_MAX;
	for (i = 0; i < sim->cfg.tlb_capacity; i++) {
		const struct sim_xlate *t = &tlb[i].x;

		if (!tlb[i].valid)
			continue;
		if (t->va_base > va) {
			if (t->va_base < sc->next)
				sc->next = t->va_base;
		} else if ((va & ~((1ull << t->shift) - 1)) == t->va_base) {
			if (sc->hit)
				sc->shadowed = true;
			else
				sc->hit = &tlb[i];
		}
	}
}

/*
 * How far from @va (page aligned) the translation stays uniform: to the
 * end of @x's leaf or of the hole its fault lies in, cut where another TLB
 * entry could answer for part of it.
 */
static uint64_t sim_probe_span(const struct sim_tlb_scan *sc,
			       const struct sim_xlate *x, uint64_t va)
{
	unsigned int shift = SIM_PAGE_SHIFT;
	uint64_t span;

	if (sc->shadowed)
		return SIM_PAGE_SIZE;
	if (!x->fault && x->mode != SIM_MODE_IDENTITY)
		shift = x->shift;
	else if (x->fault && x->mode != SIM_MODE_UNMAPPED &&
		 (x->fault & ~3u) == GPUVM_MALI_EXC_TRANSLATION_FAULT(0))
		shift = GPUVM_MALI_PT_LEVEL_SHIFT(x->level);
	span = (va | ((1ull << shift) - 1)) - va + 1;
	if (sc->next != UINT64_MAX && sc->next - va < span)
		span = sc->next - va;
	return span;
}

GPUVM_EXPORT int gpuvm_mali_sim_probe(struct gpuvm_mali_sim *sim, unsigned int as,
				      uint64_t va,
				      enum gpuvm_mali_sim_access_kind kind,
				      uint64_t *pa, uint32_t *fault,
				      uint64_t *span)
{
	struct sim_tlb_scan sc;
	struct sim_xlate walk;
	const struct sim_xlate *x;
	uint32_t f;

	if (!sim || !gpuvm_sim_as_present(sim, as) || !sim_kind_valid(kind))
		return -EINVAL;
	va &= ~(SIM_PAGE_SIZE - 1);
	sim_tlb_scan(sim, as, va, &sc);
	if (sc.hit) {
		x = &sc.hit->x;
	} else {
		gpuvm_sim_walk(sim, as, va, SIM_VIEW_PEEK, &walk);
		x = &walk;
	}
	f = x->fault;
	if (!f)
		f = gpuvm_sim_check_perm(sim, as, x, kind);
	if (span)
		*span = sim_probe_span(&sc, x, va);
	if (fault)
		*fault = f;
	if (f)
		return 1;
	if (pa)
		*pa = sim_xlate_pa(x, va);
	return 0;
}
