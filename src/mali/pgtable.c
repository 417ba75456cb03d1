/* SPDX-License-Identifier: MIT */
/*
 * Mali page tables: AArch64 4 KiB stage 1 and legacy Mali LPAE.
 *
 * The tables themselves are the only state: every walk reads descriptors
 * back through the HAL, so there is no shadow copy to keep in sync.  Each
 * update runs twice over the same walk, first in "check" mode, which reads
 * only, detects every error and counts the table pages the update will
 * take, then in "apply" mode, which cannot fail.
 */
#include <errno.h>

#include <gpuvm/mali_pgtable.h>

#include "../core/internal.h"

#define PG	GPUVM_MALI_PT_PAGE_SIZE
#define BLK	GPUVM_MALI_PT_BLOCK_SIZE
#define GIB	0x40000000ull
#define NENT	GPUVM_MALI_PT_ENTRIES
#define ADDR	GPUVM_MALI_PTE_ADDR_MASK

/* AS_TRANSTAB bits of the LPAE format. */
#define LPAE_TRANSTAB_ADRMODE_TABLE	0x3ull
#define LPAE_TRANSTAB_READ_INNER	0x4ull
#define LPAE_TRANSTAB_SHARE_OUTER	0x10ull

/* AS_TRANSCFG fields of the AArch64 format. */
#define TRANSCFG_ADRMODE_AARCH64_4K	6ull
#define TRANSCFG_INA_BITS_SHIFT		6
#define TRANSCFG_PTW_MEMATTR_WB		(2ull << 24)
#define TRANSCFG_PTW_SH_OS		(2ull << 28)
#define TRANSCFG_PTW_RA			(1ull << 30)

struct gpuvm_mali_pgtable {
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_hal *hal;
	struct gpuvm_mali_pt_config cfg;
	unsigned int start_level;
	uint64_t root;
};

enum pte_kind { PTE_NONE, PTE_TABLE, PTE_LEAF, PTE_BAD };

static unsigned int lvl_shift(unsigned int lvl)
{
	return 12 + 9 * (3 - lvl);
}

static uint64_t lvl_size(unsigned int lvl)
{
	return 1ull << lvl_shift(lvl);
}

static uint64_t lvl_slot(uint64_t table, unsigned int lvl, uint64_t va)
{
	return table + ((va >> lvl_shift(lvl)) & (NENT - 1)) * 8;
}

static uint64_t rd(struct gpuvm_mali_pgtable *pt, uint64_t pa)
{
	return pt->hal->ops->pt_read64(pt->hal, pa);
}

static void wr(struct gpuvm_mali_pgtable *pt, uint64_t pa, uint64_t v)
{
	pt->hal->ops->pt_write64(pt->hal, pa, v);
}

/* Store @count entries from @v at @pa, @pa + 8, ... (one HAL call if it can). */
static void wr_range(struct gpuvm_mali_pgtable *pt, uint64_t pa,
		     const uint64_t *v, size_t count)
{
	gpuvm_mali_pt_wr_range(pt->hal, pa, v, count);
}

/* Order the page-table stores before later MMIO (HALs may omit barrier). */
static void pt_barrier(struct gpuvm_mali_pgtable *pt)
{
	if (pt->hal->ops->barrier)
		pt->hal->ops->barrier(pt->hal);
}

/* Clean [pa, pa + len) towards a non-coherent walker. */
static void sync_range(struct gpuvm_mali_pgtable *pt, uint64_t pa, uint64_t len)
{
	if (!pt->cfg.coherent)
		pt->hal->ops->pt_sync(pt->hal, pa, (size_t)len);
}

static enum pte_kind pte_kind(const struct gpuvm_mali_pgtable *pt,
			      unsigned int lvl, uint64_t d)
{
	uint64_t type = d & GPUVM_MALI_PTE_TYPE_MASK;

	if (!(d & GPUVM_MALI_PTE_VALID))
		return PTE_NONE;
	if (lvl < 3 && type == GPUVM_MALI_PTE_TYPE_TABLE)
		return PTE_TABLE;
	if (lvl == 0)
		return PTE_BAD;
	if (pt->cfg.format == GPUVM_MALI_PT_AARCH64_4K)
		return (lvl == 3) == (type == GPUVM_MALI_PTE_TYPE_PAGE) ?
		       PTE_LEAF : PTE_BAD;
	return type == GPUVM_MALI_PTE_TYPE_BLOCK ? PTE_LEAF : PTE_BAD;
}

GPUVM_EXPORT uint64_t gpuvm_mali_pt_leaf_desc(enum gpuvm_mali_pt_format format,
					      unsigned int level, uint64_t pa,
					      unsigned int prot)
{
	uint64_t d = pa & ADDR, idx;

	if (format == GPUVM_MALI_PT_AARCH64_4K) {
		d |= GPUVM_MALI_PTE_AF | GPUVM_MALI_PTE_NG |
		     GPUVM_MALI_PTE_AP_UNPRIV;
		if ((prot & GPUVM_MALI_PT_READ) && !(prot & GPUVM_MALI_PT_WRITE))
			d |= GPUVM_MALI_PTE_AP_RDONLY;
		d |= level == 3 ? GPUVM_MALI_PTE_TYPE_PAGE :
				  GPUVM_MALI_PTE_TYPE_BLOCK;
		d |= (prot & GPUVM_MALI_PT_CACHED) ? GPUVM_MALI_PTE_SH_INNER :
						     GPUVM_MALI_PTE_SH_OUTER;
	} else {
		/* Mali LPAE: the block type at every level, outer shareable. */
		d |= GPUVM_MALI_PTE_TYPE_BLOCK | GPUVM_MALI_PTE_SH_OUTER;
		if (prot & GPUVM_MALI_PT_READ)
			d |= GPUVM_MALI_PTE_LPAE_READ;
		if (prot & GPUVM_MALI_PT_WRITE)
			d |= GPUVM_MALI_PTE_LPAE_WRITE;
	}
	if (prot & GPUVM_MALI_PT_MMIO)
		idx = GPUVM_MALI_PTE_ATTRIDX_DEV;
	else if (prot & GPUVM_MALI_PT_CACHED)
		idx = GPUVM_MALI_PTE_ATTRIDX_CACHE;
	else
		idx = GPUVM_MALI_PTE_ATTRIDX_NC;
	d |= idx << GPUVM_MALI_PTE_ATTRIDX_SHIFT;
	if (prot & GPUVM_MALI_PT_NOEXEC)
		d |= GPUVM_MALI_PTE_XN;
	return d;
}

GPUVM_EXPORT uint64_t gpuvm_mali_pt_table_desc(enum gpuvm_mali_pt_format format,
					       uint64_t pa, bool coherent)
{
	uint64_t d = (pa & ADDR) | GPUVM_MALI_PTE_TYPE_TABLE;

	/* io-pgtable tags every table it cleaned, whatever the format. */
	(void)format;
	if (!coherent)
		d |= GPUVM_MALI_PTE_SW_SYNC;
	return d;
}

/* Same attributes as leaf @d, as a leaf of @lvl at @pa (block splitting). */
static uint64_t leaf_relevel(const struct gpuvm_mali_pgtable *pt, uint64_t d,
			     unsigned int lvl, uint64_t pa)
{
	uint64_t attrs = d & ~(ADDR | GPUVM_MALI_PTE_TYPE_MASK);
	uint64_t type = GPUVM_MALI_PTE_TYPE_BLOCK;

	if (pt->cfg.format == GPUVM_MALI_PT_AARCH64_4K && lvl == 3)
		type = GPUVM_MALI_PTE_TYPE_PAGE;
	return attrs | (pa & ADDR) | type;
}

static unsigned int leaf_prot(const struct gpuvm_mali_pgtable *pt, uint64_t d)
{
	uint64_t idx = (d >> GPUVM_MALI_PTE_ATTRIDX_SHIFT) & 7;
	unsigned int prot = 0;

	if (pt->cfg.format == GPUVM_MALI_PT_AARCH64_4K) {
		prot |= GPUVM_MALI_PT_READ;
		if (!(d & GPUVM_MALI_PTE_AP_RDONLY))
			prot |= GPUVM_MALI_PT_WRITE;
	} else {
		if (d & GPUVM_MALI_PTE_LPAE_READ)
			prot |= GPUVM_MALI_PT_READ;
		if (d & GPUVM_MALI_PTE_LPAE_WRITE)
			prot |= GPUVM_MALI_PT_WRITE;
	}
	if (d & GPUVM_MALI_PTE_XN)
		prot |= GPUVM_MALI_PT_NOEXEC;
	if (idx == GPUVM_MALI_PTE_ATTRIDX_CACHE)
		prot |= GPUVM_MALI_PT_CACHED;
	else if (idx == GPUVM_MALI_PTE_ATTRIDX_DEV)
		prot |= GPUVM_MALI_PT_MMIO;
	return prot;
}

GPUVM_EXPORT uint64_t gpuvm_mali_pt_get_pgsize(uint64_t addr, uint64_t size,
					       uint64_t *count)
{
	uint64_t to_blk = (0 - addr) & (BLK - 1);
	uint64_t to_gib, len;

	if (to_blk || size < BLK) {
		/* Small pages up to the next 2 MiB boundary (or the end). */
		len = to_blk && to_blk < size ? to_blk : size;
		*count = len / PG;
		return PG;
	}
	to_gib = (0 - addr) & (GIB - 1);
	if (!to_gib)
		to_gib = GIB;
	*count = (to_gib < size ? to_gib : size) / BLK;
	return BLK;
}

/* --- creation, teardown, inspection ------------------------------------ */

GPUVM_EXPORT int gpuvm_mali_pt_create(struct gpuvm_mali_ptmem *mem,
				      const struct gpuvm_mali_pt_config *cfg,
				      struct gpuvm_mali_pgtable **out)
{
	struct gpuvm_mali_pgtable *pt;
	unsigned int max_oas, levels;
	int ret;

	if (!mem || !cfg || !out)
		return -EINVAL;
	if (cfg->format != GPUVM_MALI_PT_AARCH64_4K &&
	    cfg->format != GPUVM_MALI_PT_LPAE)
		return -EINVAL;
	max_oas = cfg->format == GPUVM_MALI_PT_LPAE ? 40 : 48;
	if (cfg->ias < 32 || cfg->ias > 48 || cfg->oas < 32 ||
	    cfg->oas > max_oas)
		return -EINVAL;

	pt = gpuvm_zalloc(sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->mem = mem;
	pt->hal = gpuvm_mali_ptmem_hal(mem);
	pt->cfg = *cfg;
	if (cfg->format == GPUVM_MALI_PT_LPAE)
		levels = 4;
	else
		levels = (cfg->ias - 12 + 8) / 9;
	pt->start_level = 4 - levels;
	ret = gpuvm_mali_ptmem_alloc(mem, &pt->root);
	if (ret) {
		gpuvm_free(pt);
		return ret;
	}
	*out = pt;
	return 0;
}

/* Free @table and every table below it to the deferred list. */
static void free_subtree(struct gpuvm_mali_pgtable *pt, uint64_t table,
			 unsigned int lvl)
{
	unsigned int i;

	if (lvl < 3) {
		for (i = 0; i < NENT; i++) {
			uint64_t d = rd(pt, table + i * 8);

			if (pte_kind(pt, lvl, d) == PTE_TABLE)
				free_subtree(pt, d & ADDR, lvl + 1);
		}
	}
	gpuvm_mali_ptmem_free(pt->mem, table);
}

GPUVM_EXPORT void gpuvm_mali_pt_destroy(struct gpuvm_mali_pgtable *pt)
{
	if (!pt)
		return;
	free_subtree(pt, pt->root, pt->start_level);
	gpuvm_free(pt);
}

GPUVM_EXPORT uint64_t gpuvm_mali_pt_root(const struct gpuvm_mali_pgtable *pt)
{
	return pt->root;
}

GPUVM_EXPORT const struct gpuvm_mali_pt_config *
gpuvm_mali_pt_get_config(const struct gpuvm_mali_pgtable *pt)
{
	return &pt->cfg;
}

static size_t count_subtree(struct gpuvm_mali_pgtable *pt, uint64_t table,
			    unsigned int lvl)
{
	size_t n = 1;
	unsigned int i;

	if (lvl == 3)
		return n;
	for (i = 0; i < NENT; i++) {
		uint64_t d = rd(pt, table + i * 8);

		if (pte_kind(pt, lvl, d) == PTE_TABLE)
			n += count_subtree(pt, d & ADDR, lvl + 1);
	}
	return n;
}

GPUVM_EXPORT size_t gpuvm_mali_pt_count_tables(struct gpuvm_mali_pgtable *pt)
{
	return count_subtree(pt, pt->root, pt->start_level);
}

/* Is [va, va + size) a valid, non-empty, page-aligned range within ias? */
static int va_check(const struct gpuvm_mali_pgtable *pt, uint64_t va,
		    uint64_t size)
{
	if (!size || va % PG || size % PG)
		return -EINVAL;
	if (va + size < va || va + size > 1ull << pt->cfg.ias)
		return -ERANGE;
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_pt_lookup(struct gpuvm_mali_pgtable *pt,
				      uint64_t iova,
				      struct gpuvm_mali_pt_entry *out)
{
	uint64_t table = pt->root;
	unsigned int lvl;

	if (iova >= 1ull << pt->cfg.ias)
		return -ERANGE;
	for (lvl = pt->start_level; lvl <= 3; lvl++) {
		uint64_t d = rd(pt, lvl_slot(table, lvl, iova));

		switch (pte_kind(pt, lvl, d)) {
		case PTE_TABLE:
			table = d & ADDR;
			continue;
		case PTE_LEAF:
			out->desc = d;
			out->level = lvl;
			out->size = lvl_size(lvl);
			out->pa = (d & ADDR & ~(out->size - 1)) |
				  (iova & (out->size - 1));
			out->prot = leaf_prot(pt, d);
			return 0;
		default:
			return -ENOENT;
		}
	}
	return -ENOENT;
}

/* --- reservation ------------------------------------------------------- */

GPUVM_EXPORT size_t gpuvm_mali_pt_map_reserve_pages(const struct gpuvm_mali_pgtable *pt,
						    uint64_t iova, uint64_t size)
{
	uint64_t last = iova + size - 1;
	size_t n = 0;
	unsigned int lvl;

	if (!size)
		return 0;
	if (last < iova)
		last = UINT64_MAX;	/* wraps: the map fails with -ERANGE */
	/* A table at level lvl covers one entry of level lvl - 1. */
	for (lvl = pt->start_level + 1; lvl <= 3; lvl++)
		n += (size_t)((last >> lvl_shift(lvl - 1)) -
			      (iova >> lvl_shift(lvl - 1)) + 1);
	return n;
}

GPUVM_EXPORT size_t gpuvm_mali_pt_unmap_reserve_pages(uint64_t iova,
						      uint64_t size)
{
	uint64_t end = iova + size;
	bool head = iova % BLK, tail = end % BLK;

	if (!size)
		return 0;
	if (head && tail && iova / BLK == (end - 1) / BLK)
		return 1;
	return (size_t)head + (size_t)tail;
}

static int reserve_check(struct gpuvm_mali_pgtable *pt,
			 struct gpuvm_mali_pt_reserve *res, size_t need)
{
	if (res && res->mem && res->mem != pt->mem)
		return -EINVAL;
	if (need > (res ? res->count : 0))
		return -ENOMEM;
	return 0;
}

/* What take_page() stores into a new table. */
static const uint64_t zero_table[NENT];

/* Take a reserved page as it is: the caller writes all of it. */
static uint64_t take_raw(struct gpuvm_mali_pt_reserve *res)
{
	res->taken++;
	return res->pages[--res->count];
}

/* Take a reserved page and zero it. */
static uint64_t take_page(struct gpuvm_mali_pgtable *pt,
			  struct gpuvm_mali_pt_reserve *res)
{
	uint64_t pa = take_raw(res);

	wr_range(pt, pa, zero_table, NENT);
	sync_range(pt, pa, PG);
	return pa;
}

/* Point @slot at @table: store, clean (non-coherent: tagged SW_SYNC). */
static void install_table(struct gpuvm_mali_pgtable *pt, uint64_t slot,
			  uint64_t table)
{
	wr(pt, slot, gpuvm_mali_pt_table_desc(pt->cfg.format, table,
					      pt->cfg.coherent));
	sync_range(pt, slot, 8);
}

/* --- map --------------------------------------------------------------- */

struct map_ctx {
	bool apply;
	unsigned int prot;
	size_t need;			/* check: table pages to take */
	uint64_t vtable[4];		/* check: region of a table to be made */
	uint64_t attr[4];		/* leaf descriptor of each level, PA 0 */
	uint64_t fresh;			/* apply: last leaf table taken, or ~0 */
	unsigned int fresh_next;	/* its slots from here on are still 0 */
	struct gpuvm_mali_pt_reserve *res;
};

/* Check mode: a table at @lvl covering @va does not exist yet. */
static void map_need_table(struct map_ctx *c, unsigned int lvl, uint64_t va)
{
	uint64_t region = va >> lvl_shift(lvl - 1);

	if (c->vtable[lvl] != region) {
		c->vtable[lvl] = region;
		c->need++;
	}
}

/* Does the level-3 table at @table map anything? */
static bool table_in_use(struct gpuvm_mali_pgtable *pt, uint64_t table)
{
	unsigned int i;

	for (i = 0; i < NENT; i++)
		if (rd(pt, table + i * 8) & GPUVM_MALI_PTE_VALID)
			return true;
	return false;
}

/*
 * Apply mode: a new table at @table (taken as it is) gets the @count
 * leaves of level @tlvl from slot @idx on and zeros elsewhere, built in
 * @buf and stored with one range store and one clean, and only then is installed in @slot: the GPU never
 * sees it half written.
 */
static void map_fresh(struct gpuvm_mali_pgtable *pt, struct map_ctx *c,
		      uint64_t slot, uint64_t table, unsigned int tlvl,
		      unsigned int idx, uint64_t pa, unsigned int count,
		      uint64_t buf[NENT])
{
	uint64_t attr = c->attr[tlvl], size = lvl_size(tlvl);
	unsigned int i;

	for (i = 0; i < idx; i++)
		buf[i] = 0;
	for (i = 0; i < count; i++)
		buf[idx + i] = attr | ((pa + i * size) & ADDR);
	for (i = idx + count; i < NENT; i++)
		buf[i] = 0;
	wr_range(pt, table, buf, NENT);
	sync_range(pt, table, PG);
	install_table(pt, slot, table);
	c->fresh = table;
	c->fresh_next = idx + count;
}

/*
 * Write @count leaves of level @tlvl for [@iova, ...) -> [@pa, ...), all in
 * one table (gpuvm_mali_pt_get_pgsize() guarantees it).
 */
static int map_run(struct gpuvm_mali_pgtable *pt, struct map_ctx *c,
		   uint64_t iova, uint64_t pa, unsigned int tlvl,
		   uint64_t count)
{
	uint64_t table = pt->root, slot = 0, first, size = lvl_size(tlvl), i;
	uint64_t buf[NENT], attr = c->attr[tlvl];
	unsigned int lvl, idx = (unsigned int)((iova >> lvl_shift(tlvl)) &
					       (NENT - 1));
	bool empty;

	for (lvl = pt->start_level; lvl < tlvl; lvl++) {
		uint64_t d;

		slot = lvl_slot(table, lvl, iova);
		d = rd(pt, slot);
		switch (pte_kind(pt, lvl, d)) {
		case PTE_TABLE:
			table = d & ADDR;
			break;
		case PTE_NONE:
			if (!c->apply) {
				/* Every table from lvl + 1 down is new. */
				for (lvl++; lvl <= tlvl; lvl++)
					map_need_table(c, lvl, iova);
				return 0;
			}
			if (lvl + 1 == tlvl) {
				/* The leaves' own table: written whole. */
				map_fresh(pt, c, slot, take_raw(c->res), tlvl,
					  idx, pa, (unsigned int)count, buf);
				return 0;
			}
			table = take_page(pt, c->res);
			install_table(pt, slot, table);
			break;
		default:
			return -EEXIST;	/* a leaf already covers iova */
		}
	}

	first = table + idx * 8;
	if (!c->apply) {
		for (i = 0; i < count; i++) {
			uint64_t d = rd(pt, first + i * 8);
			enum pte_kind k = pte_kind(pt, tlvl, d);

			if (k == PTE_TABLE && !table_in_use(pt, d & ADDR))
				continue;
			if (k != PTE_NONE)
				return -EEXIST;
		}
		return 0;
	}

	/*
	 * The check found every slot empty or (above level 3) pointing at an
	 * empty table, which goes.  Only such tables need reading for: none
	 * at level 3, none in the part of a table this call took that it has
	 * not written yet.
	 */
	empty = tlvl == 3 || (table == c->fresh && idx >= c->fresh_next);
	for (i = 0; i < count; i++) {
		buf[i] = attr | ((pa + i * size) & ADDR);
		if (!empty) {
			uint64_t d = rd(pt, first + i * 8);

			if (pte_kind(pt, tlvl, d) == PTE_TABLE)
				gpuvm_mali_ptmem_free(pt->mem, d & ADDR);
		}
	}
	wr_range(pt, first, buf, (size_t)count);
	if (table == c->fresh && idx + count > c->fresh_next)
		c->fresh_next = idx + (unsigned int)count;
	sync_range(pt, first, count * 8);
	return 0;
}

static int map_walk(struct gpuvm_mali_pgtable *pt, struct map_ctx *c,
		    uint64_t iova, uint64_t pa, uint64_t size)
{
	while (size) {
		uint64_t count, pgsize, len;
		int ret;

		pgsize = gpuvm_mali_pt_get_pgsize(iova | pa, size, &count);
		ret = map_run(pt, c, iova, pa, pgsize == BLK ? 2 : 3, count);
		if (ret)
			return ret;
		len = pgsize * count;
		iova += len;
		pa += len;
		size -= len;
	}
	return 0;
}

static int map_check(struct gpuvm_mali_pgtable *pt, uint64_t iova,
		     uint64_t pa, uint64_t size, unsigned int prot,
		     struct map_ctx *c)
{
	unsigned int i;
	int ret;

	if (!(prot & (GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE)))
		return -EINVAL;
	ret = va_check(pt, iova, size);
	if (ret)
		return ret;
	if (pa % PG)
		return -EINVAL;
	if (pa + size < pa || pa + size > 1ull << pt->cfg.oas)
		return -ERANGE;
	if (!gpuvm_mali_ptmem_output_ok(pt->mem, pa, size))
		return -EPERM;

	c->apply = false;
	c->prot = prot;
	c->need = 0;
	c->fresh = UINT64_MAX;
	c->fresh_next = NENT;
	for (i = 0; i < 4; i++) {
		c->vtable[i] = UINT64_MAX;
		c->attr[i] = i ? gpuvm_mali_pt_leaf_desc(pt->cfg.format, i, 0,
							 prot) : 0;
	}
	return map_walk(pt, c, iova, pa, size);
}

GPUVM_EXPORT int gpuvm_mali_pt_map_prepare(struct gpuvm_mali_pgtable *pt,
					   uint64_t iova, uint64_t pa,
					   uint64_t size, unsigned int prot,
					   size_t *npages)
{
	struct map_ctx c;
	int ret;

	ret = map_check(pt, iova, pa, size, prot, &c);
	if (!ret && npages)
		*npages = c.need;
	return ret;
}

GPUVM_EXPORT int gpuvm_mali_pt_map(struct gpuvm_mali_pgtable *pt,
				   uint64_t iova, uint64_t pa, uint64_t size,
				   unsigned int prot,
				   struct gpuvm_mali_pt_reserve *res)
{
	struct map_ctx c;
	int ret;

	ret = map_check(pt, iova, pa, size, prot, &c);
	if (ret)
		return ret;
	ret = reserve_check(pt, res, c.need);
	if (ret)
		return ret;
	c.apply = true;
	c.res = res;
	ret = map_walk(pt, &c, iova, pa, size);
	if (ret)
		gpuvm_warn("map failed after its check (%d)", ret);
	pt_barrier(pt);
	return ret;
}

/* --- unmap ------------------------------------------------------------- */

struct unmap_ctx {
	bool apply;
	size_t need;			/* check: pages for block splits */
	uint64_t lo, hi;		/* range touched */
	struct gpuvm_mali_pt_reserve *res;
};

/* Pages needed to split a leaf of @lvl so that [s, e) can be cleared. */
static size_t split_need(unsigned int lvl, uint64_t s, uint64_t e)
{
	uint64_t csize = lvl_size(lvl + 1), va, ce;
	size_t n = 1;

	if (lvl + 1 == 3)
		return n;
	for (va = s; va < e; va = ce) {
		ce = (va | (csize - 1)) + 1;
		if (ce > e)
			ce = e;
		if (va % csize || ce % csize)
			n += split_need(lvl + 1, va, ce);
	}
	return n;
}

static void unmap_walk(struct gpuvm_mali_pgtable *pt, struct unmap_ctx *c,
		       unsigned int lvl, uint64_t table, uint64_t s,
		       uint64_t e);

/*
 * Replace the leaf @d of @lvl in @slot by a next-level table that maps the
 * same pages except [s, e).  The new table is complete before it becomes
 * visible.
 */
static void split_leaf(struct gpuvm_mali_pgtable *pt, struct unmap_ctx *c,
		       unsigned int lvl, uint64_t slot, uint64_t d, uint64_t s,
		       uint64_t e)
{
	uint64_t csize = lvl_size(lvl + 1);
	uint64_t start = s & ~(lvl_size(lvl) - 1);
	uint64_t table = take_raw(c->res), buf[NENT];
	unsigned int i;

	for (i = 0; i < NENT; i++) {
		uint64_t cs = start + i * csize;

		if (cs >= s && cs + csize <= e)
			buf[i] = 0;	/* inside the hole */
		else
			buf[i] = leaf_relevel(pt, d, lvl + 1,
					      (d & ADDR) + i * csize);
	}
	wr_range(pt, table, buf, NENT);
	if (lvl + 1 < 3)
		unmap_walk(pt, c, lvl + 1, table, s, e);
	sync_range(pt, table, PG);
	install_table(pt, slot, table);
}

/* Clear the @n slots from @first with one range store and clean them. */
static void clear_run(struct gpuvm_mali_pgtable *pt, uint64_t first, size_t n)
{
	wr_range(pt, first, zero_table, n);
	sync_range(pt, first, n * 8);
}

static void unmap_walk(struct gpuvm_mali_pgtable *pt, struct unmap_ctx *c,
		       unsigned int lvl, uint64_t table, uint64_t s,
		       uint64_t e)
{
	uint64_t esize = lvl_size(lvl), va, ee, run = 0;
	size_t nrun = 0;	/* slots from @run to clear, all non-empty */

	if (lvl == 3) {
		/*
		 * Level-3 entries are all whole (the range is page aligned)
		 * and the check pass has nothing to find there.  Applying,
		 * they are all cleared: one range store of zeros, without
		 * reading them first (an entry this library did not map is
		 * already zero, and storing zero there changes nothing).
		 */
		if (c->apply)
			clear_run(pt, lvl_slot(table, lvl, s), (size_t)((e - s) / PG));
		return;
	}
	for (va = s; va < e; va = ee) {
		uint64_t estart = va & ~(esize - 1);
		uint64_t slot = lvl_slot(table, lvl, va);
		uint64_t d;
		enum pte_kind k;
		bool whole;

		ee = estart + esize < e ? estart + esize : e;
		whole = va == estart && ee == estart + esize;
		if (whole && !c->apply) {
			/*
			 * The check pass only looks for partial entries, which
			 * can only be the first and the last: skip to the last.
			 */
			uint64_t last = (e - 1) & ~(esize - 1);

			if (last > estart)
				ee = last;
			continue;
		}
		d = rd(pt, slot);
		k = pte_kind(pt, lvl, d);
		if (k == PTE_NONE || !whole) {
			/* The run of entries to clear ends here. */
			if (nrun)
				clear_run(pt, run, nrun);
			nrun = 0;
		}
		if (k == PTE_NONE)
			continue;
		/*
		 * Tables are freed only whole 2 MiB entries at a time: the
		 * level-1 and level-2 tables an unmap empties stay, as with
		 * io-pgtable driven by panthor's 4 KiB/2 MiB page sizes.
		 */
		if (k == PTE_TABLE && (!whole || lvl < 2)) {
			unmap_walk(pt, c, lvl + 1, d & ADDR, va, ee);
			continue;
		}
		if (k == PTE_LEAF && !whole) {
			if (estart < c->lo)
				c->lo = estart;
			if (estart + esize > c->hi)
				c->hi = estart + esize;
			if (c->apply)
				split_leaf(pt, c, lvl, slot, d, va, ee);
			else
				c->need += split_need(lvl, va, ee);
			continue;
		}
		/* A whole entry, or a malformed one: clear it. */
		if (!whole) {
			if (estart < c->lo)
				c->lo = estart;
			if (estart + esize > c->hi)
				c->hi = estart + esize;
		}
		if (!c->apply)
			continue;
		/*
		 * Consecutive entries to clear go out as one range store
		 * (leaf by leaf, a store call and a cache clean per PTE
		 * dominated unmapping: bench/HISTORY.md).  Every entry from
		 * @run on was visited and is in the run.
		 */
		if (!nrun)
			run = slot;
		nrun++;
		if (k == PTE_TABLE) {
			/* Unhook the table before its pages go. */
			clear_run(pt, run, nrun);
			nrun = 0;
			free_subtree(pt, d & ADDR, lvl + 1);
		}
	}
	if (nrun)
		clear_run(pt, run, nrun);
}

/* Hand the touched range of @c to the caller (@out may be NULL). */
static void unmap_report(const struct unmap_ctx *c,
			 struct gpuvm_mali_pt_range *out)
{
	if (out) {
		out->start = c->lo;
		out->end = c->hi;
	}
}

static int unmap_check(struct gpuvm_mali_pgtable *pt, uint64_t iova,
		       uint64_t size, struct unmap_ctx *c)
{
	int ret = va_check(pt, iova, size);

	if (ret)
		return ret;
	c->apply = false;
	c->need = 0;
	c->lo = iova;
	c->hi = iova + size;
	unmap_walk(pt, c, pt->start_level, pt->root, iova, iova + size);
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_pt_unmap_prepare(struct gpuvm_mali_pgtable *pt,
					     uint64_t iova, uint64_t size,
					     size_t *npages,
					     struct gpuvm_mali_pt_range *lock)
{
	struct unmap_ctx c;
	int ret;

	ret = unmap_check(pt, iova, size, &c);
	if (ret)
		return ret;
	if (npages)
		*npages = c.need;
	unmap_report(&c, lock);
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_pt_unmap(struct gpuvm_mali_pgtable *pt,
				     uint64_t iova, uint64_t size,
				     struct gpuvm_mali_pt_reserve *res,
				     struct gpuvm_mali_pt_range *touched)
{
	struct unmap_ctx c;
	int ret;

	ret = unmap_check(pt, iova, size, &c);
	if (ret)
		return ret;
	ret = reserve_check(pt, res, c.need);
	if (ret)
		return ret;
	c.apply = true;
	c.res = res;
	unmap_walk(pt, &c, pt->start_level, pt->root, iova, iova + size);
	pt_barrier(pt);
	unmap_report(&c, touched);
	return 0;
}

/* --- register values --------------------------------------------------- */

GPUVM_EXPORT int gpuvm_mali_pt_transtab_encode(enum gpuvm_mali_pt_format format,
					       uint64_t root, bool coherent,
					       uint64_t *out)
{
	if (root >> 48)
		return -EINVAL;
	if (format == GPUVM_MALI_PT_AARCH64_4K) {
		if (root & 0xF)
			return -EINVAL;
		*out = root;
		return 0;
	}
	if (root % PG)
		return -EINVAL;
	*out = root | LPAE_TRANSTAB_READ_INNER | LPAE_TRANSTAB_ADRMODE_TABLE |
	       (coherent ? LPAE_TRANSTAB_SHARE_OUTER : 0);
	return 0;
}

GPUVM_EXPORT uint64_t gpuvm_mali_pt_transtab(const struct gpuvm_mali_pgtable *pt)
{
	uint64_t v = 0;

	gpuvm_mali_pt_transtab_encode(pt->cfg.format, pt->root,
				      pt->cfg.coherent, &v);
	return v;
}

GPUVM_EXPORT uint64_t gpuvm_mali_pt_transcfg_encode(enum gpuvm_mali_pt_format format,
						    unsigned int ias,
						    bool coherent)
{
	uint64_t v;

	if (format == GPUVM_MALI_PT_LPAE)
		return 0;
	if (ias < 32 || ias > 48)
		return 1;	/* ADRMODE_UNMAPPED: nothing translates */
	v = TRANSCFG_ADRMODE_AARCH64_4K | TRANSCFG_PTW_MEMATTR_WB |
	    TRANSCFG_PTW_RA |
	    ((uint64_t)(55 - ias) << TRANSCFG_INA_BITS_SHIFT);
	if (coherent)
		v |= TRANSCFG_PTW_SH_OS;
	return v;
}

GPUVM_EXPORT uint64_t gpuvm_mali_pt_memattr(enum gpuvm_mali_pt_format format,
					    bool coherent)
{
	if (format == GPUVM_MALI_PT_LPAE)
		return GPUVM_MALI_PT_MEMATTR_LPAE;
	return coherent ? GPUVM_MALI_PT_MEMATTR_AARCH64_COHERENT :
			  GPUVM_MALI_PT_MEMATTR_AARCH64;
}
