// SPDX-License-Identifier: MIT
/*
 * Mali page-table memory and page tables (docs/mali-mmu.md section 3,
 * cases T13-T28, T35-T41, T49-T51 and a T59-like deferred-free check), on a
 * test-only HAL: a flat array of page-table memory indexed by bus address
 * that asserts every access is an aligned 64-bit one, counts stores and
 * tracks which entries were stored but not yet synced.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/mali_pgtable.h>

#include "../support.h"

#define PG	0x1000ull
#define BLK	0x200000ull
#define GIB	0x40000000ull

/* Page-table memory lives above 4 GiB; PTEs may point below it. */
#define MEM_BASE	0x100000000ull
#define MEM_PAGES	2048u
#define MEM_SIZE	(MEM_PAGES * PG)
#define OUT_BASE	0x0ull
#define OUT_SIZE	0x100000000ull

#define RW	(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE)
#define RWC	(RW | GPUVM_MALI_PT_CACHED)

/* --- test HAL ---------------------------------------------------------- */

struct thal {
	struct gpuvm_mali_hal hal;	/* first: the ops recover thal by cast */
	uint64_t *mem;
	uint8_t *dirty;			/* stored, not yet synced, per entry */
	size_t ndirty;
	unsigned long writes, reads, syncs, barriers, freed;
};

static struct thal *to_thal(struct gpuvm_mali_hal *hal)
{
	return (struct thal *)hal;
}

static size_t thal_index(uint64_t pa)
{
	/* check records every passing assertion: keep the hot path quiet */
	if (pa % 8)
		ck_abort_msg("unaligned page-table access %#llx",
			     (unsigned long long)pa);
	if (pa < MEM_BASE || pa >= MEM_BASE + MEM_SIZE)
		ck_abort_msg("page-table access outside the pool %#llx",
			     (unsigned long long)pa);
	return (size_t)((pa - MEM_BASE) / 8);
}

static void thal_write64(struct gpuvm_mali_hal *hal, uint64_t pa, uint64_t v)
{
	struct thal *t = to_thal(hal);
	size_t i = thal_index(pa);

	t->mem[i] = v;
	t->ndirty += !t->dirty[i];
	t->dirty[i] = 1;
	t->writes++;
}

static uint64_t thal_read64(struct gpuvm_mali_hal *hal, uint64_t pa)
{
	struct thal *t = to_thal(hal);

	t->reads++;
	return t->mem[thal_index(pa)];
}

static void thal_sync(struct gpuvm_mali_hal *hal, uint64_t pa, size_t len)
{
	struct thal *t = to_thal(hal);
	size_t i = thal_index(pa), n = len / 8, k;

	if (len % 8 || !len)
		ck_abort_msg("bad sync length %zu", len);
	thal_index(pa + len - 8);
	for (k = i; k < i + n; k++) {
		t->ndirty -= t->dirty[k];
		t->dirty[k] = 0;
	}
	t->syncs++;
}

static void thal_barrier(struct gpuvm_mali_hal *hal)
{
	to_thal(hal)->barriers++;
}

static void thal_freed(struct gpuvm_mali_hal *hal, uint64_t pa)
{
	if (pa % PG)
		ck_abort_msg("freed page %#llx misaligned",
			     (unsigned long long)pa);
	to_thal(hal)->freed++;
}

static const struct gpuvm_mali_hal_ops thal_ops = {
	.pt_write64 = thal_write64,
	.pt_read64 = thal_read64,
	.pt_sync = thal_sync,
	.barrier = thal_barrier,
	.pt_page_freed = thal_freed,
};

static void thal_init(struct thal *t)
{
	memset(t, 0, sizeof(*t));
	t->hal.ops = &thal_ops;
	/* Garbage, so that a page handed out without zeroing shows. */
	t->mem = malloc(MEM_SIZE);
	t->dirty = calloc(MEM_SIZE / 8, 1);
	ck_assert(t->mem && t->dirty);
	memset(t->mem, 0xA5, MEM_SIZE);
}

static void thal_fini(struct thal *t)
{
	free(t->mem);
	free(t->dirty);
}

static bool thal_all_synced(const struct thal *t)
{
	return t->ndirty == 0;
}

/* --- fixture ----------------------------------------------------------- */

struct fix {
	struct thal h;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_pgtable *pt;
	struct gpuvm_mali_pt_reserve res;
};

static void fix_init_pages(struct fix *f, enum gpuvm_mali_pt_format fmt,
			   unsigned int ias, bool coherent, unsigned int pages)
{
	struct gpuvm_mali_pt_config cfg = {
		.format = fmt, .ias = ias, .oas = 40, .coherent = coherent,
	};
	struct gpuvm_mali_pt_reserve empty = GPUVM_MALI_PT_RESERVE_INIT;

	thal_init(&f->h);
	f->res = empty;
	ck_assert_int_eq(gpuvm_mali_ptmem_create(&f->h.hal, &f->mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(f->mem, MEM_BASE,
						   pages * PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(f->mem, OUT_BASE,
							   OUT_SIZE), 0);
	ck_assert_int_eq(gpuvm_mali_pt_create(f->mem, &cfg, &f->pt), 0);
}

static void fix_init(struct fix *f, enum gpuvm_mali_pt_format fmt,
		     unsigned int ias, bool coherent)
{
	fix_init_pages(f, fmt, ias, coherent, MEM_PAGES);
}

static size_t used_pages(struct fix *f)
{
	size_t used;

	gpuvm_mali_ptmem_stats(f->mem, NULL, &used, NULL);
	return used;
}

static void fix_fini(struct fix *f)
{
	gpuvm_mali_pt_reserve_release(&f->res);
	gpuvm_mali_pt_destroy(f->pt);
	gpuvm_mali_ptmem_flush_done(f->mem);
	ck_assert_uint_eq(used_pages(f), 0);
	gpuvm_mali_ptmem_destroy(f->mem);
	thal_fini(&f->h);
}

/*
 * Map with exactly the pages map_prepare() asks for: the map must succeed
 * and consume all of them, and never more than the worst-case estimate.
 */
static void do_map(struct fix *f, uint64_t iova, uint64_t pa, uint64_t size,
		   unsigned int prot)
{
	size_t need = 99999;

	ck_assert_int_eq(gpuvm_mali_pt_map_prepare(f->pt, iova, pa, size, prot,
						   &need), 0);
	ck_assert_uint_le(need, gpuvm_mali_pt_map_reserve_pages(f->pt, iova,
								size));
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f->res, f->mem, need), 0);
	ck_assert_uint_eq(f->res.count, need);
	ck_assert_int_eq(gpuvm_mali_pt_map(f->pt, iova, pa, size, prot,
					   &f->res), 0);
	ck_assert_uint_eq(f->res.count, 0);
	if (!gpuvm_mali_pt_get_config(f->pt)->coherent)
		ck_assert(thal_all_synced(&f->h));
}

static void do_unmap(struct fix *f, uint64_t iova, uint64_t size,
		     struct gpuvm_mali_pt_range *touched)
{
	struct gpuvm_mali_pt_range lock, t;
	size_t need = 99999;

	ck_assert_int_eq(gpuvm_mali_pt_unmap_prepare(f->pt, iova, size, &need,
						     &lock), 0);
	ck_assert_uint_le(need, gpuvm_mali_pt_unmap_reserve_pages(iova, size));
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f->res, f->mem, need), 0);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f->pt, iova, size, &f->res, &t),
			 0);
	ck_assert_uint_eq(f->res.count, 0);
	ck_assert_uint_eq(t.start, lock.start);
	ck_assert_uint_eq(t.end, lock.end);
	ck_assert_uint_le(t.start, iova);
	ck_assert_uint_ge(t.end, iova + size);
	if (!gpuvm_mali_pt_get_config(f->pt)->coherent)
		ck_assert(thal_all_synced(&f->h));
	if (touched)
		*touched = t;
}

static uint64_t lookup_desc(struct fix *f, uint64_t iova, unsigned int *level)
{
	struct gpuvm_mali_pt_entry e;

	ck_assert_int_eq(gpuvm_mali_pt_lookup(f->pt, iova, &e), 0);
	if (level)
		*level = e.level;
	return e.desc;
}

/* Raw descriptor at @lvl on the walk to @iova (walking tables only). */
static uint64_t raw_entry(struct fix *f, uint64_t iova, unsigned int lvl)
{
	const struct gpuvm_mali_pt_config *cfg = gpuvm_mali_pt_get_config(f->pt);
	unsigned int l = cfg->format == GPUVM_MALI_PT_LPAE ? 0 :
			 4 - (cfg->ias - 12 + 8) / 9;
	uint64_t table = gpuvm_mali_pt_root(f->pt), d = 0;

	for (; l <= lvl; l++) {
		d = f->h.mem[(table + ((iova >> (12 + 9 * (3 - l))) & 511) * 8 -
			      MEM_BASE) / 8];
		table = d & GPUVM_MALI_PTE_ADDR_MASK;
	}
	return d;
}

/* --- descriptor encodings (T13-T22) ------------------------------------ */

START_TEST(test_desc_values)
{
	const enum gpuvm_mali_pt_format A = GPUVM_MALI_PT_AARCH64_4K;
	const enum gpuvm_mali_pt_format L = GPUVM_MALI_PT_LPAE;
	const unsigned int NX = GPUVM_MALI_PT_NOEXEC;
	const unsigned int RO = GPUVM_MALI_PT_READ;

	/* T13-T17 */
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 3, 0x80000000, RWC),
			  0x0000000080000F47ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 3, 0x80000000, RWC | NX),
			  0x0060000080000F47ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 3, 0x80000000,
			  RO | GPUVM_MALI_PT_CACHED | NX), 0x0060000080000FC7ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 3, 0x80000000, RW | NX),
			  0x0060000080000E43ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 3, 0x80000000, RW),
			  0x0000000080000E43ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 2, 0x80200000, RWC | NX),
			  0x0060000080200F45ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 1, 0x40000000, RWC),
			  0x0000000040000F45ull);
	/* T18 */
	ck_assert_uint_eq(gpuvm_mali_pt_table_desc(A, 0x80001000, true),
			  0x0000000080001003ull);
	ck_assert_uint_eq(gpuvm_mali_pt_table_desc(A, 0x80001000, false),
			  0x0080000080001003ull);
	ck_assert_uint_eq(gpuvm_mali_pt_table_desc(L, 0x80001000, false),
			  0x0080000080001003ull);
	/* T19-T21 */
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(L, 3, 0x80000000, RWC),
			  0x00000000800002C5ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(L, 3, 0x80000000, RW),
			  0x00000000800002C1ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(L, 3, 0x80000000,
			  RO | GPUVM_MALI_PT_CACHED), 0x0000000080000245ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(L, 3, 0x80000000,
			  RO | GPUVM_MALI_PT_CACHED | NX), 0x0060000080000245ull);
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(L, 2, 0x80200000, RWC),
			  0x00000000802002C5ull);
	/* MMIO picks MEMATTR slot 2 */
	ck_assert_uint_eq(gpuvm_mali_pt_leaf_desc(A, 3, 0x80000000,
			  RW | GPUVM_MALI_PT_MMIO) & 0x1C, 2 << 2);
}
END_TEST

/* The same values as written into real tables, and read back by lookup. */
START_TEST(test_desc_in_tables)
{
	struct gpuvm_mali_pt_entry e;
	struct fix f;
	unsigned int lvl;

	/* AArch64, non-coherent: tables tagged SW_SYNC (T18), T14, T17. */
	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	do_map(&f, 0x10000, 0x80000000, PG, RWC | GPUVM_MALI_PT_NOEXEC);
	ck_assert_uint_eq(lookup_desc(&f, 0x10000, &lvl), 0x0060000080000F47ull);
	ck_assert_uint_eq(lvl, 3);
	for (lvl = 0; lvl < 3; lvl++) {
		uint64_t d = raw_entry(&f, 0x10000, lvl);

		ck_assert_uint_eq(d & 0xFFFF000000000FFFull,
				  0x0080000000000003ull);
	}
	do_map(&f, 0x200000, 0x80200000, BLK, RWC | GPUVM_MALI_PT_NOEXEC);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 0x3FF008, &e), 0);
	ck_assert_uint_eq(e.desc, 0x0060000080200F45ull);
	ck_assert_uint_eq(e.level, 2);
	ck_assert_uint_eq(e.size, BLK);
	ck_assert_uint_eq(e.pa, 0x803FF008ull);
	ck_assert_uint_eq(e.prot, RWC | GPUVM_MALI_PT_NOEXEC);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 0x11000, &e), -ENOENT);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 1ull << 48, &e), -ERANGE);
	ck_assert_uint_gt(f.h.barriers, 0);
	fix_fini(&f);

	/* AArch64, coherent: untagged tables, no sync at all. */
	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, true);
	f.h.syncs = 0;
	do_map(&f, 0x10000, 0x80000000, PG, RWC);
	ck_assert_uint_eq(f.h.syncs, 0);
	ck_assert_uint_eq(lookup_desc(&f, 0x10000, NULL), 0x0000000080000F47ull);
	for (lvl = 0; lvl < 3; lvl++)
		ck_assert_uint_eq(raw_entry(&f, 0x10000, lvl) &
				  0xFFFF000000000FFFull, 0x3);
	fix_fini(&f);

	/* Mali LPAE: T19, T20, T21, table pointers type 0b11, tagged SW_SYNC. */
	fix_init(&f, GPUVM_MALI_PT_LPAE, 48, false);
	do_map(&f, 0x10000, 0x80000000, PG, RWC);
	do_map(&f, 0x11000, 0x80000000, PG, GPUVM_MALI_PT_READ |
	       GPUVM_MALI_PT_CACHED | GPUVM_MALI_PT_NOEXEC);
	do_map(&f, 0x200000, 0x80200000, BLK, RWC);
	ck_assert_uint_eq(lookup_desc(&f, 0x10000, &lvl), 0x00000000800002C5ull);
	ck_assert_uint_eq(lvl, 3);
	ck_assert_uint_eq(lookup_desc(&f, 0x11000, NULL), 0x0060000080000245ull);
	ck_assert_uint_eq(lookup_desc(&f, 0x200000, &lvl),
			  0x00000000802002C5ull);
	ck_assert_uint_eq(lvl, 2);
	for (lvl = 0; lvl < 3; lvl++)
		ck_assert_uint_eq(raw_entry(&f, 0x10000, lvl) &
				  0xFFFF000000000FFFull, 0x0080000000000003ull);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 0x11000, &e), 0);
	ck_assert_uint_eq(e.prot, GPUVM_MALI_PT_READ | GPUVM_MALI_PT_CACHED |
				  GPUVM_MALI_PT_NOEXEC);
	fix_fini(&f);
}
END_TEST

START_TEST(test_noaccess_prot)	/* T22 */
{
	struct fix f;
	unsigned long writes;
	size_t used;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 3), 0);
	used = used_pages(&f);
	writes = f.h.writes;
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000000, PG, 0,
					   &f.res), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000000, PG,
					   GPUVM_MALI_PT_CACHED |
					   GPUVM_MALI_PT_NOEXEC, &f.res),
			 -EINVAL);
	ck_assert_uint_eq(f.h.writes, writes);
	ck_assert_uint_eq(f.res.count, 3);
	ck_assert_uint_eq(used_pages(&f), used);
	/* Write-only is accepted (the GPU gets read-write, as io-pgtable). */
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000000, PG,
					   GPUVM_MALI_PT_WRITE, &f.res), 0);
	fix_fini(&f);
}
END_TEST

START_TEST(test_bad_args)
{
	struct fix f;
	unsigned long writes;
	size_t need;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 8), 0);
	writes = f.h.writes;
	/* misaligned or empty */
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10800, 0x80000000, PG, RW,
					   &f.res), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000800, PG, RW,
					   &f.res), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000000, 0x800,
					   RW, &f.res), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000000, 0, RW,
					   &f.res), -EINVAL);
	/* beyond ias / oas */
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, (1ull << 48) - PG, 0x80000000,
					   2 * PG, RW, &f.res), -ERANGE);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, UINT64_MAX - PG + 1,
					   0x80000000, 2 * PG, RW, &f.res),
			 -ERANGE);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 1ull << 40, PG, RW,
					   &f.res), -ERANGE);
	/* outside the output ranges: the page-table pool itself, or above */
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, MEM_BASE, PG, RW,
					   &f.res), -EPERM);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, OUT_SIZE - PG,
					   2 * PG, RW, &f.res), -EPERM);
	ck_assert_int_eq(gpuvm_mali_pt_map_prepare(f.pt, 0x10000, MEM_BASE, PG,
						   RW, &need), -EPERM);
	/* unmap */
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f.pt, 0x10800, PG, &f.res, NULL),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f.pt, 0x10000, 0, &f.res, NULL),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f.pt, 1ull << 48, PG, &f.res,
					     NULL), -ERANGE);
	ck_assert_uint_eq(f.h.writes, writes);
	/* unmapping a hole is fine and writes nothing */
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f.pt, 0x10000, BLK, &f.res, NULL),
			 0);
	ck_assert_uint_eq(f.h.writes, writes);
	ck_assert_uint_eq(f.res.count, 8);
	fix_fini(&f);
}
END_TEST

/* --- register values (T23-T28) ----------------------------------------- */

START_TEST(test_register_values)
{
	const enum gpuvm_mali_pt_format A = GPUVM_MALI_PT_AARCH64_4K;
	const enum gpuvm_mali_pt_format L = GPUVM_MALI_PT_LPAE;
	uint64_t v = 0x1234;
	struct fix f;

	ck_assert_int_eq(gpuvm_mali_pt_transtab_encode(L, 0x80000000, false,
						       &v), 0);
	ck_assert_uint_eq(v, 0x0000000080000007ull);
	ck_assert_int_eq(gpuvm_mali_pt_transtab_encode(L, 0x80000000, true,
						       &v), 0);
	ck_assert_uint_eq(v, 0x0000000080000017ull);
	ck_assert_int_eq(gpuvm_mali_pt_transtab_encode(A, 0x80000000, false,
						       &v), 0);
	ck_assert_uint_eq(v, 0x0000000080000000ull);
	v = 0x1234;
	ck_assert_int_eq(gpuvm_mali_pt_transtab_encode(A, 0x80000008, false,
						       &v), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_transtab_encode(L, 0x80000010, false,
						       &v), -EINVAL);
	ck_assert_uint_eq(v, 0x1234);

	ck_assert_uint_eq(gpuvm_mali_pt_transcfg_encode(A, 48, false),
			  0x00000000420001C6ull);
	ck_assert_uint_eq(gpuvm_mali_pt_transcfg_encode(A, 48, true),
			  0x00000000620001C6ull);
	ck_assert_uint_eq(gpuvm_mali_pt_transcfg_encode(A, 40, false),
			  0x00000000420003C6ull);
	ck_assert_uint_eq(gpuvm_mali_pt_transcfg_encode(A, 39, false),
			  0x0000000042000406ull);
	ck_assert_uint_eq(gpuvm_mali_pt_transcfg_encode(L, 48, false), 0);
	/* out-of-range widths never produce a garbled INA_BITS */
	ck_assert_uint_eq(gpuvm_mali_pt_transcfg_encode(A, 56, false), 1);
	ck_assert_uint_eq(gpuvm_mali_pt_transcfg_encode(A, 31, false), 1);

	ck_assert_uint_eq(gpuvm_mali_pt_memattr(A, false),
			  0x4C4C4C4C8C4C8F4Cull);
	ck_assert_uint_eq(gpuvm_mali_pt_memattr(A, true),
			  0x4C4C4C4C9C4C9F4Cull);
	ck_assert_uint_eq(gpuvm_mali_pt_memattr(L, false),
			  0x0000000000888D88ull);

	fix_init(&f, GPUVM_MALI_PT_LPAE, 48, true);
	ck_assert_uint_eq(gpuvm_mali_pt_transtab(f.pt),
			  gpuvm_mali_pt_root(f.pt) | 0x17);
	fix_fini(&f);
	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	ck_assert_uint_eq(gpuvm_mali_pt_transtab(f.pt),
			  gpuvm_mali_pt_root(f.pt));
	fix_fini(&f);
}
END_TEST

/* --- page-size splitter and reservation (T35-T41) ---------------------- */

START_TEST(test_get_pgsize)
{
	uint64_t n;

	ck_assert_uint_eq(gpuvm_mali_pt_get_pgsize(0x200000, 0x400000, &n),
			  BLK);
	ck_assert_uint_eq(n, 2);				/* T35 */
	ck_assert_uint_eq(gpuvm_mali_pt_get_pgsize(0x1000, 0x3FF000, &n), PG);
	ck_assert_uint_eq(n, 511);				/* T36 */
	ck_assert_uint_eq(gpuvm_mali_pt_get_pgsize(0x3FE00000, 0x400000, &n),
			  BLK);
	ck_assert_uint_eq(n, 1);				/* T37 */
	ck_assert_uint_eq(gpuvm_mali_pt_get_pgsize(0x40000000, 0x80000000,
						   &n), BLK);
	ck_assert_uint_eq(n, 512);				/* T38 */
	ck_assert_uint_eq(gpuvm_mali_pt_get_pgsize(0x200000, 0x3000, &n), PG);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(gpuvm_mali_pt_get_pgsize(0x1FF000, 0x3000, &n), PG);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(gpuvm_mali_pt_get_pgsize(0x1FE000, 0x1000, &n), PG);
	ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(test_t39_unaligned_pa)
{
	struct gpuvm_mali_pt_entry e;
	uint64_t l2;
	struct fix f;
	unsigned int i;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	do_map(&f, 0x1000000, 0x80001000, BLK, RWC);
	l2 = raw_entry(&f, 0x1000000, 2);
	for (i = 0; i < 512; i++) {
		ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 0x1000000 + i * PG,
						      &e), 0);
		ck_assert_uint_eq(e.level, 3);
		ck_assert_uint_eq(e.pa, 0x80001000 + i * PG);
		ck_assert_uint_eq(raw_entry(&f, 0x1000000 + i * PG, 2), l2);
	}
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(f.pt), 4);
	fix_fini(&f);
}
END_TEST

START_TEST(test_reserve_counts)
{
	struct fix f;
	size_t need;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	/* T40 */
	ck_assert_uint_eq(gpuvm_mali_pt_map_reserve_pages(f.pt, 0x1000000, BLK),
			  3);
	ck_assert_uint_eq(gpuvm_mali_pt_map_reserve_pages(f.pt, 0, 2 * GIB),
			  1027);
	ck_assert_uint_eq(gpuvm_mali_pt_map_reserve_pages(f.pt, 0x3FF000,
							  0x2000), 4);
	ck_assert_uint_eq(gpuvm_mali_pt_map_reserve_pages(f.pt, 0, 0), 0);
	/* a range that wraps past 2^64 counts up to the top, not around */
	ck_assert_uint_eq(gpuvm_mali_pt_map_reserve_pages(f.pt,
			  UINT64_MAX - 0xFFF, 0x2000), 3);
	/* T41 */
	ck_assert_uint_eq(gpuvm_mali_pt_unmap_reserve_pages(0x1000, 0x1000), 1);
	ck_assert_uint_eq(gpuvm_mali_pt_unmap_reserve_pages(0x1FF000, 0x2000),
			  2);
	ck_assert_uint_eq(gpuvm_mali_pt_unmap_reserve_pages(0x200000, BLK), 0);
	ck_assert_uint_eq(gpuvm_mali_pt_unmap_reserve_pages(0x201000, BLK), 2);

	/* exact needs: 2 MiB blocks need no level-3 table */
	ck_assert_int_eq(gpuvm_mali_pt_map_prepare(f.pt, 0, 0x40000000,
						   2 * GIB, RW, &need), 0);
	ck_assert_uint_eq(need, 3);
	ck_assert_int_eq(gpuvm_mali_pt_map_prepare(f.pt, 0x3FF000, 0x80000000,
						   0x2000, RW, &need), 0);
	ck_assert_uint_eq(need, 4);
	do_map(&f, 0x3FF000, 0x80000000, 0x2000, RW);
	ck_assert_int_eq(gpuvm_mali_pt_map_prepare(f.pt, 0x401000, 0x80000000,
						   BLK, RW, &need), 0);
	ck_assert_uint_eq(need, 1);
	fix_fini(&f);

	/* three-level AArch64 (ias 39): no level-1 tables */
	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 39, false);
	ck_assert_uint_eq(gpuvm_mali_pt_map_reserve_pages(f.pt, 0x1000000, BLK),
			  2);
	do_map(&f, 0x1000000, 0x80000000, PG, RW);
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(f.pt), 3);
	ck_assert_uint_eq(lookup_desc(&f, 0x1000000, NULL),
			  gpuvm_mali_pt_leaf_desc(GPUVM_MALI_PT_AARCH64_4K, 3,
						  0x80000000, RW));
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 1ull << 39, 0x80000000, PG,
					   RW, &f.res), -ERANGE);
	fix_fini(&f);
}
END_TEST

/* Too few reserved pages: -ENOMEM before any store. */
START_TEST(test_reserve_short)
{
	struct gpuvm_mali_pt_reserve other = GPUVM_MALI_PT_RESERVE_INIT;
	struct gpuvm_mali_ptmem *mem2;
	struct fix f;
	unsigned long writes;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 2), 0);
	writes = f.h.writes;
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000000, PG, RW,
					   &f.res), -ENOMEM);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x80000000, PG, RW,
					   NULL), -ENOMEM);
	ck_assert_uint_eq(f.h.writes, writes);
	ck_assert_uint_eq(f.res.count, 2);

	do_map(&f, 0x200000, 0x80200000, BLK, RW);
	gpuvm_mali_pt_reserve_release(&f.res);
	writes = f.h.writes;
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f.pt, 0x201000, PG, &f.res, NULL),
			 -ENOMEM);
	ck_assert_uint_eq(f.h.writes, writes);
	ck_assert_uint_eq(lookup_desc(&f, 0x201000, NULL),
			  gpuvm_mali_pt_leaf_desc(GPUVM_MALI_PT_AARCH64_4K, 2,
						  0x80200000, RW));

	/*
	 * A count whose array size overflows size_t is refused up front:
	 * no page is taken (and none handed back), the reservation is kept.
	 */
	{
		unsigned long freed = f.h.freed;
		size_t used = used_pages(&f);

		ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem,
				 SIZE_MAX / sizeof(uint64_t) + 2), -ENOMEM);
		ck_assert_uint_eq(f.h.freed, freed);
		ck_assert_uint_eq(used_pages(&f), used);
		ck_assert_uint_eq(f.res.count, 0);
	}

	/* a reservation from another allocator is refused */
	ck_assert_int_eq(gpuvm_mali_ptmem_create(&f.h.hal, &mem2), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem2, MEM_BASE +
						   MEM_SIZE - 4 * PG, 4 * PG),
			 0);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&other, mem2, 1), 0);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&other, f.mem, 2), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f.pt, 0x201000, PG, &other, NULL),
			 -EINVAL);
	ck_assert_uint_eq(f.h.writes, writes);
	gpuvm_mali_pt_reserve_release(&other);
	gpuvm_mali_ptmem_destroy(mem2);
	fix_fini(&f);
}
END_TEST

/* --- splitting and overlap (T49-T51) ----------------------------------- */

static void check_split(enum gpuvm_mali_pt_format fmt)
{
	const unsigned int prot = RWC | GPUVM_MALI_PT_NOEXEC;
	struct gpuvm_mali_pt_range t;
	struct gpuvm_mali_pt_entry e;
	struct fix f;
	size_t deferred;
	unsigned int i;

	fix_init(&f, fmt, 48, false);
	do_map(&f, 0x200000, 0x80200000, BLK, prot);
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(f.pt), 3);
	do_unmap(&f, 0x300000, PG, &t);
	ck_assert_uint_eq(t.start, 0x200000);
	ck_assert_uint_eq(t.end, 0x400000);
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(f.pt), 4);
	for (i = 0; i < 512; i++) {
		uint64_t va = 0x200000 + i * PG;

		if (va == 0x300000) {
			ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, va, &e),
					 -ENOENT);
			continue;
		}
		ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, va, &e), 0);
		ck_assert_uint_eq(e.level, 3);
		ck_assert_uint_eq(e.pa, 0x80200000 + i * PG);
		ck_assert_uint_eq(e.prot, prot);
		ck_assert_uint_eq(e.desc, gpuvm_mali_pt_leaf_desc(fmt, 3,
					  0x80200000 + i * PG, prot));
	}
	/* unmapping a range across two blocks splits both ends */
	do_map(&f, 0x400000, 0x80400000, 2 * BLK, prot);
	do_unmap(&f, 0x5FF000, 0x2000, &t);
	ck_assert_uint_eq(t.start, 0x400000);
	ck_assert_uint_eq(t.end, 0x800000);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 0x5FE000, &e), 0);
	ck_assert_uint_eq(e.pa, 0x805FE000);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 0x600000, &e), -ENOENT);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, 0x601000, &e), 0);
	ck_assert_uint_eq(e.pa, 0x80601000);
	/* an aligned unmap of a 2 MiB range of pages frees the L3 table */
	gpuvm_mali_ptmem_stats(f.mem, NULL, NULL, &deferred);
	ck_assert_uint_eq(deferred, 0);
	do_unmap(&f, 0x200000, BLK, &t);
	ck_assert_uint_eq(t.start, 0x200000);
	ck_assert_uint_eq(t.end, 0x400000);
	gpuvm_mali_ptmem_stats(f.mem, NULL, NULL, &deferred);
	ck_assert_uint_eq(deferred, 1);
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(f.pt), 5);
	fix_fini(&f);
}

START_TEST(test_t49_split)
{
	check_split(GPUVM_MALI_PT_AARCH64_4K);
	check_split(GPUVM_MALI_PT_LPAE);
}
END_TEST

/* A 1 GiB block (never made by map, but walkable) splits in two levels. */
START_TEST(test_split_gib_block)
{
	struct gpuvm_mali_pt_range t;
	struct gpuvm_mali_pt_entry e;
	uint64_t l1slot, l1;
	struct fix f;
	size_t need;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	/*
	 * Build L0 -> L1 with a 4K map in another GiB, then plant a 1 GiB
	 * block by hand in the empty slot of [GIB, 2 GIB).
	 */
	do_map(&f, 3 * GIB + BLK, 0x80000000, PG, RW);
	l1 = raw_entry(&f, GIB, 0) & GPUVM_MALI_PTE_ADDR_MASK;
	l1slot = l1 + 1 * 8;
	f.h.mem[(l1slot - MEM_BASE) / 8] = gpuvm_mali_pt_leaf_desc(
		GPUVM_MALI_PT_AARCH64_4K, 1, 0x40000000, RWC);
	ck_assert_int_eq(gpuvm_mali_pt_unmap_prepare(f.pt, GIB + 0x3000, PG,
						     &need, &t), 0);
	ck_assert_uint_eq(need, 2);
	ck_assert_uint_eq(t.start, GIB);
	ck_assert_uint_eq(t.end, 2 * GIB);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 2), 0);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(f.pt, GIB + 0x3000, PG, &f.res,
					     NULL), 0);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, GIB + 0x3000, &e), -ENOENT);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, GIB + 0x2000, &e), 0);
	ck_assert_uint_eq(e.level, 3);
	ck_assert_uint_eq(e.pa, 0x40002000);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, GIB + 0x3FE00000, &e), 0);
	ck_assert_uint_eq(e.level, 2);
	ck_assert_uint_eq(e.pa, 0x7FE00000);
	ck_assert_uint_eq(e.desc, 0x000000007FE00F45ull);
	fix_fini(&f);
}
END_TEST

START_TEST(test_t50_eexist)
{
	struct fix f;
	uint64_t *snap;
	unsigned long writes;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	do_map(&f, 0x10000, 0x80000000, PG, RW);
	do_map(&f, 0x400000, 0x80400000, BLK, RW);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 8), 0);
	snap = malloc(MEM_SIZE);
	ck_assert_ptr_nonnull(snap);
	memcpy(snap, f.h.mem, MEM_SIZE);
	writes = f.h.writes;
	/* same page; a range ending on it; a range starting on it */
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x90000000, PG, RW,
					   &f.res), -EEXIST);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x8000, 0x90000000, 0x9000,
					   RW, &f.res), -EEXIST);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000, 0x90000000, 0x10000,
					   RW, &f.res), -EEXIST);
	/* 4K inside a block, a block over a block, a range into a block */
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x456000, 0x90000000, PG, RW,
					   &f.res), -EEXIST);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x400000, 0x90000000, BLK, RW,
					   &f.res), -EEXIST);
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x200000, 0x90000000,
					   0x201000, RW, &f.res), -EEXIST);
	ck_assert_uint_eq(f.h.writes, writes);
	ck_assert(memcmp(snap, f.h.mem, MEM_SIZE) == 0);
	ck_assert_uint_eq(f.res.count, 8);
	free(snap);
	fix_fini(&f);
}
END_TEST

/*
 * T51 policy: a 2 MiB block over a level-3 table that still maps something
 * is refused with -EEXIST; over an empty one it replaces (and frees) it.
 */
START_TEST(test_t51_block_over_table)
{
	struct fix f;
	unsigned long writes;
	unsigned int lvl;
	size_t deferred, need;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	do_map(&f, 0x3FF000, 0x80000000, PG, RW);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 4), 0);
	writes = f.h.writes;
	ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x200000, 0x80200000, BLK, RW,
					   &f.res), -EEXIST);
	ck_assert_uint_eq(f.h.writes, writes);
	gpuvm_mali_pt_reserve_release(&f.res);

	do_unmap(&f, 0x3FF000, PG, NULL);
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(f.pt), 4);
	ck_assert_int_eq(gpuvm_mali_pt_map_prepare(f.pt, 0x200000, 0x80200000,
						   BLK, RW, &need), 0);
	ck_assert_uint_eq(need, 0);
	do_map(&f, 0x200000, 0x80200000, BLK, RW);
	lookup_desc(&f, 0x3FF000, &lvl);
	ck_assert_uint_eq(lvl, 2);
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(f.pt), 3);
	gpuvm_mali_ptmem_stats(f.mem, NULL, NULL, &deferred);
	ck_assert_uint_eq(deferred, 1);
	fix_fini(&f);
}
END_TEST

/* --- page-table memory ------------------------------------------------- */

/* T59-like: a page freed by an unmap is not reused before flush_done. */
START_TEST(test_deferred_free)
{
	struct fix f;
	size_t total, used, deferred;
	uint64_t pa;

	/* root + L1 + L2 + L3 fill a four-page pool */
	fix_init_pages(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false, 4);
	do_map(&f, 0x10000, 0x80000000, PG, RW);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(f.mem, &pa), -ENOMEM);
	/* Only the L3 table goes; L1 and L2 stay, as in io-pgtable. */
	do_unmap(&f, 0, 1ull << 39, NULL);
	gpuvm_mali_ptmem_stats(f.mem, &total, &used, &deferred);
	ck_assert_uint_eq(total, 4);
	ck_assert_uint_eq(used, 4);
	ck_assert_uint_eq(deferred, 1);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(f.mem, &pa), -ENOMEM);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 1), -ENOMEM);
	ck_assert_uint_eq(f.h.freed, 0);
	ck_assert_uint_eq(gpuvm_mali_ptmem_flush_done(f.mem), 1);
	ck_assert_uint_eq(f.h.freed, 1);
	ck_assert_uint_eq(gpuvm_mali_ptmem_flush_done(f.mem), 0);
	gpuvm_mali_ptmem_stats(f.mem, NULL, &used, &deferred);
	ck_assert_uint_eq(used, 3);
	ck_assert_uint_eq(deferred, 0);
	/* pages are zeroed again when handed out */
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(f.mem, &pa), 0);
	ck_assert_uint_eq(f.h.mem[(pa - MEM_BASE) / 8 + 17], 0);
	gpuvm_mali_ptmem_free(f.mem, pa);
	ck_assert_uint_eq(gpuvm_mali_ptmem_flush_done(f.mem), 1);
	do_map(&f, 0x10000, 0x80000000, PG, RW);
	ck_assert_uint_eq(lookup_desc(&f, 0x10000, NULL) & ~0xFFFull,
			  0x80000000);
	fix_fini(&f);
}
END_TEST

START_TEST(test_ptmem_ranges)
{
	struct gpuvm_mali_ptmem *mem;
	struct thal h;
	uint64_t pa;

	thal_init(&h);
	ts_warn_capture();
	ck_assert_int_eq(gpuvm_mali_ptmem_create(NULL, &mem), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(&h.hal, &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa), -ENOMEM);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, MEM_BASE + 8, PG),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, MEM_BASE, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, UINT64_MAX - PG + 1,
						   2 * PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, MEM_BASE, 2 * PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, MEM_BASE + PG, 2 * PG),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, MEM_BASE + 4 * PG,
						   2 * PG), 0);
	/* no output range yet: nothing may be mapped */
	ck_assert(!gpuvm_mali_ptmem_output_ok(mem, 0x80000000, PG));
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, MEM_BASE + PG,
							   PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, 0x80001000,
							   0x1000), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, 0x80000000,
							   0x1000), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, 0x80003000,
							   0x1000), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, 0x80003000, PG),
			 -EINVAL);
	ck_assert(gpuvm_mali_ptmem_output_ok(mem, 0x80000000, 0x2000));
	ck_assert(gpuvm_mali_ptmem_output_ok(mem, 0x80001000, 0x1000));
	ck_assert(!gpuvm_mali_ptmem_output_ok(mem, 0x80000000, 0x3000));
	ck_assert(!gpuvm_mali_ptmem_output_ok(mem, 0x7FFFF000, 0x2000));
	ck_assert(!gpuvm_mali_ptmem_output_ok(mem, 0x80000000, 0));
	ck_assert(gpuvm_mali_ptmem_output_ok(mem, 0x80003800, 0x800));

	/* four pages across two pools, all zeroed, then exhaustion */
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa), 0);
		ck_assert_uint_eq(h.mem[(pa - MEM_BASE) / 8 + 511], 0);
	}
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa), -ENOMEM);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_mali_ptmem_free(mem, MEM_BASE + 2 * PG);	/* not a pool page */
	gpuvm_mali_ptmem_free(mem, MEM_BASE + PG);
	gpuvm_mali_ptmem_free(mem, MEM_BASE + PG);	/* twice */
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa), -ENOMEM);
	ck_assert_uint_eq(gpuvm_mali_ptmem_flush_done(mem), 1);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa), 0);
	ck_assert_uint_eq(pa, MEM_BASE + PG);
	/* destroying with pages in use warns */
	gpuvm_mali_ptmem_destroy(mem);
	ck_assert_int_eq(ts_warn_count(), 3);
	gpuvm_set_warn_handler(NULL, NULL);
	thal_fini(&h);
}
END_TEST

/*
 * Every allocation of the set-up path fails in turn, transiently and
 * persistently: -ENOMEM, nothing changed, nothing leaked.
 */
static int setup_sweep(struct thal *h, struct gpuvm_mali_ptmem **mem,
		       struct gpuvm_mali_pgtable **pt,
		       struct gpuvm_mali_pt_reserve *res)
{
	struct gpuvm_mali_pt_config cfg = {
		.format = GPUVM_MALI_PT_AARCH64_4K, .ias = 48, .oas = 40,
	};
	size_t total, used;
	int ret;

	*mem = NULL;
	*pt = NULL;
	ret = gpuvm_mali_ptmem_create(&h->hal, mem);
	if (ret)
		return ret;
	ret = gpuvm_mali_ptmem_add_pool(*mem, MEM_BASE, 16 * PG);
	gpuvm_mali_ptmem_stats(*mem, &total, NULL, NULL);
	ck_assert_uint_eq(total, ret ? 0 : 16);
	if (ret)
		return ret;
	ret = gpuvm_mali_ptmem_add_pool(*mem, MEM_BASE + 32 * PG, 16 * PG);
	gpuvm_mali_ptmem_stats(*mem, &total, NULL, NULL);
	ck_assert_uint_eq(total, ret ? 16 : 32);
	if (ret)
		return ret;
	ret = gpuvm_mali_ptmem_add_output_range(*mem, 0, GIB);
	ck_assert(gpuvm_mali_ptmem_output_ok(*mem, 0, PG) == !ret);
	if (ret)
		return ret;
	ret = gpuvm_mali_ptmem_add_output_range(*mem, 2 * GIB, GIB);
	ck_assert(gpuvm_mali_ptmem_output_ok(*mem, 2 * GIB, PG) == !ret);
	if (ret)
		return ret;
	ret = gpuvm_mali_pt_create(*mem, &cfg, pt);
	gpuvm_mali_ptmem_stats(*mem, NULL, &used, NULL);
	ck_assert_uint_eq(used, ret ? 0 : 1);
	if (ret)
		return ret;
	ret = gpuvm_mali_pt_reserve_fill(res, *mem, 2);
	ck_assert_uint_eq(res->count, ret ? 0 : 2);
	if (ret)
		return ret;
	ret = gpuvm_mali_pt_reserve_fill(res, *mem, 5);
	gpuvm_mali_ptmem_stats(*mem, NULL, &used, NULL);
	ck_assert_uint_eq(res->count, ret ? 2 : 5);
	ck_assert_uint_eq(used, ret ? 3 : 6);
	if (ret)
		return ret;
	return gpuvm_mali_pt_map(*pt, 0x10000, 0x80000000, PG, RW, res);
}

START_TEST(test_alloc_fail_sweep)
{
	int persistent;

	for (persistent = 0; persistent < 2; persistent++) {
		unsigned long n;

		for (n = 1;; n++) {
			struct gpuvm_mali_pt_reserve res =
				GPUVM_MALI_PT_RESERVE_INIT;
			struct gpuvm_mali_pgtable *pt;
			struct gpuvm_mali_ptmem *mem;
			struct thal h;
			unsigned long failures;
			int ret;

			thal_init(&h);
			ts_alloc_install();
			ts_alloc_fail_at(n, persistent);
			ret = setup_sweep(&h, &mem, &pt, &res);
			failures = ts_alloc_failures();
			ts_alloc_fail_at(0, 0);
			if (failures)
				ck_assert_int_eq(ret, -ENOMEM);
			else
				ck_assert_int_eq(ret, 0);
			gpuvm_mali_pt_reserve_release(&res);
			gpuvm_mali_pt_destroy(pt);
			if (mem) {
				size_t used;

				gpuvm_mali_ptmem_flush_done(mem);
				gpuvm_mali_ptmem_stats(mem, NULL, &used, NULL);
				ck_assert_uint_eq(used, 0);
			}
			gpuvm_mali_ptmem_destroy(mem);
			ck_assert_int_eq(ts_alloc_live(), 0);
			ts_alloc_uninstall();
			thal_fini(&h);
			if (!failures)
				break;
			ck_assert_uint_lt(n, 100);
		}
		ck_assert_uint_ge(n, 7);
	}
}
END_TEST

/* Pool exhaustion during a reservation: all or nothing. */
START_TEST(test_pool_exhaustion)
{
	unsigned int pages;

	for (pages = 1; pages <= 4; pages++) {
		struct fix f;
		size_t used;
		unsigned long writes;
		int ret;

		fix_init_pages(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false, pages + 1);
		used = used_pages(&f);
		writes = f.h.writes;
		ret = gpuvm_mali_pt_reserve_fill(&f.res, f.mem, 3);
		if (pages < 3) {
			ck_assert_int_eq(ret, -ENOMEM);
			ck_assert_uint_eq(f.res.count, 0);
			ck_assert_uint_eq(used_pages(&f), used);
			ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000,
							   0x80000000, PG, RW,
							   &f.res), -ENOMEM);
			ck_assert_uint_eq(f.h.writes, writes);
		} else {
			ck_assert_int_eq(ret, 0);
			ck_assert_int_eq(gpuvm_mali_pt_map(f.pt, 0x10000,
							   0x80000000, PG, RW,
							   &f.res), 0);
		}
		fix_fini(&f);
	}
}
END_TEST

START_TEST(test_create_args)
{
	struct gpuvm_mali_pt_config cfg = {
		.format = GPUVM_MALI_PT_LPAE, .ias = 48, .oas = 44,
	};
	struct gpuvm_mali_pgtable *pt;
	struct fix f;

	fix_init(&f, GPUVM_MALI_PT_AARCH64_4K, 48, false);
	ck_assert_int_eq(gpuvm_mali_pt_create(f.mem, &cfg, &pt), -EINVAL);
	cfg.oas = 40;
	cfg.ias = 49;
	ck_assert_int_eq(gpuvm_mali_pt_create(f.mem, &cfg, &pt), -EINVAL);
	cfg.ias = 48;
	cfg.format = (enum gpuvm_mali_pt_format)7;
	ck_assert_int_eq(gpuvm_mali_pt_create(f.mem, &cfg, &pt), -EINVAL);
	cfg.format = GPUVM_MALI_PT_AARCH64_4K;
	cfg.oas = 48;
	ck_assert_int_eq(gpuvm_mali_pt_create(f.mem, &cfg, &pt), 0);
	ck_assert_uint_ne(gpuvm_mali_pt_root(pt), gpuvm_mali_pt_root(f.pt));
	gpuvm_mali_pt_destroy(pt);
	gpuvm_mali_pt_destroy(NULL);
	fix_fini(&f);
}
END_TEST

/* --- random map/unmap against a page-array model ----------------------- */

#define WIN_BASE	(GIB - 16 * BLK)	/* crosses a 1 GiB boundary */
#define WIN_PAGES	16384u			/* 64 MiB */

struct model_page {
	uint64_t pa;		/* 0: unmapped */
	unsigned int prot;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void verify_pages(struct fix *f, const struct model_page *m,
			 size_t first, size_t n)
{
	struct gpuvm_mali_pt_entry e;
	size_t i;

	for (i = first; i < first + n && i < WIN_PAGES; i++) {
		uint64_t va = WIN_BASE + i * PG;
		int ret = gpuvm_mali_pt_lookup(f->pt, va, &e);

		if (!m[i].pa) {
			if (ret != -ENOENT)
				ck_abort_msg("page %zu mapped (%d)", i, ret);
			continue;
		}
		if (ret || e.pa != m[i].pa || e.prot != m[i].prot)
			ck_abort_msg("page %zu: ret %d pa %#llx/%#llx prot %#x/%#x",
				     i, ret, (unsigned long long)e.pa,
				     (unsigned long long)m[i].pa, e.prot,
				     m[i].prot);
	}
}

static void run_random(enum gpuvm_mali_pt_format fmt, bool coherent,
		       unsigned int iters)
{
	static const unsigned int prots[] = {
		RW, RWC, GPUVM_MALI_PT_READ | GPUVM_MALI_PT_CACHED,
		RWC | GPUVM_MALI_PT_NOEXEC, RW | GPUVM_MALI_PT_MMIO,
	};
	struct model_page *m = calloc(WIN_PAGES, sizeof(*m));
	unsigned int it, maps = 0, blocks_seen = 0;
	struct fix f;

	ck_assert_ptr_nonnull(m);
	fix_init(&f, fmt, 48, coherent);
	for (it = 0; it < iters; it++) {
		uint64_t r = rng(), first, npages, va, size;
		size_t i;

		if (r & 1)
			npages = 1 + rng() % 64;
		else if (r & 2)
			npages = 1 + rng() % 2048;
		else
			npages = (1 + rng() % 4) * 512;
		first = rng() % WIN_PAGES;
		if (rng() & 1)
			first &= ~511ull;
		if (first + npages > WIN_PAGES)
			npages = WIN_PAGES - first;
		va = WIN_BASE + first * PG;
		size = npages * PG;

		if (rng() % 3) {
			unsigned int prot = prots[rng() % 5];
			uint64_t pa = (rng() % 0x300) * BLK + 0x40000000ull;
			bool busy = false;
			int ret, want;

			if (rng() & 1)
				pa += va % BLK;
			else
				pa += (rng() % 512) * PG;
			for (i = first; i < first + npages; i++)
				busy |= m[i].pa != 0;
			want = busy ? -EEXIST : 0;
			if (want) {
				unsigned long writes = f.h.writes;

				ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(
					&f.res, f.mem,
					gpuvm_mali_pt_map_reserve_pages(f.pt, va,
									size)),
					0);
				ret = gpuvm_mali_pt_map(f.pt, va, pa, size, prot,
							&f.res);
				ck_assert_int_eq(ret, want);
				ck_assert_uint_eq(f.h.writes, writes);
				gpuvm_mali_pt_reserve_release(&f.res);
			} else {
				struct gpuvm_mali_pt_entry e;

				do_map(&f, va, pa, size, prot);
				maps++;
				ck_assert_int_eq(gpuvm_mali_pt_lookup(f.pt, va, &e),
						 0);
				blocks_seen += e.level == 2;
				for (i = first; i < first + npages; i++) {
					m[i].pa = pa + (i - first) * PG;
					m[i].prot = prot;
				}
			}
		} else {
			struct gpuvm_mali_pt_range t;

			do_unmap(&f, va, size, &t);
			for (i = first; i < first + npages; i++)
				m[i].pa = 0;
			gpuvm_mali_ptmem_flush_done(f.mem);
		}
		verify_pages(&f, m, first >= 512 ? first - 512 : 0,
			     npages + 1024);
		if (it % 64 == 63) {
			size_t used, deferred;

			verify_pages(&f, m, 0, WIN_PAGES);
			gpuvm_mali_ptmem_stats(f.mem, NULL, &used, &deferred);
			ck_assert_uint_eq(used - deferred,
					  gpuvm_mali_pt_count_tables(f.pt));
		}
	}
	ck_assert_uint_gt(maps, iters / 8);
	if (iters >= 200)
		ck_assert_uint_gt(blocks_seen, 0);
	fix_fini(&f);
	free(m);
}

static unsigned int iterations(void)
{
	const char *env = getenv("GPUVM_TEST_ITERATIONS");
	long v = env ? strtol(env, NULL, 0) : 0;

	return v > 0 ? (unsigned int)v : 1500;
}

START_TEST(test_random_model)
{
	static const struct {
		enum gpuvm_mali_pt_format fmt;
		bool coherent;
	} cfgs[] = {
		{ GPUVM_MALI_PT_AARCH64_4K, false },
		{ GPUVM_MALI_PT_AARCH64_4K, true },
		{ GPUVM_MALI_PT_LPAE, false },
	};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		rng_state = 0x9E3779B97F4A7C15ull + i;
		run_random(cfgs[i].fmt, cfgs[i].coherent, iterations());
	}
}
END_TEST

/*
 * Issue 12.5: the three points where libgpuvm was compared with Linux's
 * io-pgtable-arm (7.2) and panthor, and what was decided.
 */

/* (a) A non-coherent walker's table descriptors carry SW_SYNC (bit 55) in
 * every format, as io-pgtable tags every table it installs. */
START_TEST(test_kernel_table_desc_sw_sync)
{
	static const enum gpuvm_mali_pt_format fmts[] = {
		GPUVM_MALI_PT_AARCH64_4K, GPUVM_MALI_PT_LPAE,
	};
	unsigned int i, lvl;

	for (i = 0; i < 2; i++) {
		struct fix f;

		ck_assert_uint_eq(gpuvm_mali_pt_table_desc(fmts[i], 0x80001000,
							   false),
				  0x0080000080001003ull);
		ck_assert_uint_eq(gpuvm_mali_pt_table_desc(fmts[i], 0x80001000,
							   true),
				  0x0000000080001003ull);
		fix_init(&f, fmts[i], 48, false);
		do_map(&f, 0x10000, 0x80000000, PG, RWC);
		for (lvl = 0; lvl < 3; lvl++)
			ck_assert_uint_eq(raw_entry(&f, 0x10000, lvl) &
					  0xFFFF000000000FFFull,
					  0x0080000000000003ull);
		/* The walk still reaches the leaf. */
		ck_assert_uint_eq(lookup_desc(&f, 0x10000, &lvl) &
				  GPUVM_MALI_PTE_ADDR_MASK, 0x80000000);
		ck_assert_uint_eq(lvl, 3);
		fix_fini(&f);
	}
}
END_TEST

/*
 * (b) Kept: AS_MEMATTR slots 0-3 are panthor's; slots 4-7, which no
 * descriptor selects (AttrIndx is 0, 1 or 2), are non-cacheable (0x4C)
 * where Linux 7.2 programs 0x8F/0x9F from a sign-extended MAIR term
 * (docs/differences.md).
 */
START_TEST(test_kernel_memattr_decision)
{
	static const uint64_t linux_nc = 0x8F8F8F8F8C4C8F4Cull;
	static const uint64_t linux_coh = 0x9F9F9F9F9C4C9F4Cull;
	static const enum gpuvm_mali_pt_format fmts[] = {
		GPUVM_MALI_PT_AARCH64_4K, GPUVM_MALI_PT_LPAE,
	};
	uint64_t nc = gpuvm_mali_pt_memattr(GPUVM_MALI_PT_AARCH64_4K, false);
	uint64_t coh = gpuvm_mali_pt_memattr(GPUVM_MALI_PT_AARCH64_4K, true);
	unsigned int i, lvl, prot;

	ck_assert_uint_eq(nc & 0xFFFFFFFFull, linux_nc & 0xFFFFFFFFull);
	ck_assert_uint_eq(coh & 0xFFFFFFFFull, linux_coh & 0xFFFFFFFFull);
	ck_assert_uint_eq(nc >> 32, 0x4C4C4C4Cull);
	ck_assert_uint_eq(coh >> 32, 0x4C4C4C4Cull);
	/* No descriptor can select a slot above 3. */
	for (i = 0; i < 2; i++)
		for (lvl = 1; lvl <= 3; lvl++)
			for (prot = 0; prot < 64; prot++) {
				uint64_t d = gpuvm_mali_pt_leaf_desc(fmts[i], lvl,
								     0x80000000,
								     prot);

				ck_assert_uint_lt((d >> GPUVM_MALI_PTE_ATTRIDX_SHIFT) &
						  7, 4);
			}
}
END_TEST

/*
 * (c) An unmap of a whole aligned 1 GiB (or 512 GiB) region leaves the
 * emptied level-1 and level-2 tables in place, as io-pgtable does when
 * panthor unmaps with 2 MiB/4 KiB pages; only level-3 tables go.
 */
static void check_unmap_keeps_tables(enum gpuvm_mali_pt_format fmt)
{
	struct fix f;
	size_t used;
	uint64_t l1, l2;
	unsigned int i;

	fix_init(&f, fmt, 48, false);
	/* 4 KiB pages in the first 2 MiB (an L3 table), blocks after. */
	do_map(&f, GIB, 0x80001000, BLK, RW);
	do_map(&f, GIB + BLK, 0x40000000, GIB - BLK, RW);
	used = used_pages(&f);
	l1 = raw_entry(&f, GIB, 1);
	l2 = raw_entry(&f, GIB, 2);
	do_unmap(&f, GIB, GIB, NULL);
	gpuvm_mali_ptmem_flush_done(f.mem);
	/* Only the L3 table went. */
	ck_assert_uint_eq(used_pages(&f), used - 1);
	ck_assert_uint_eq(raw_entry(&f, GIB, 1), l1);
	for (i = 0; i < 512; i++)
		ck_assert_uint_eq(raw_entry(&f, GIB + i * BLK, 2), 0);
	/* Mapping again reuses the kept tables: one new L3 table. */
	do_map(&f, GIB, 0x80001000, BLK, RW);
	ck_assert_uint_eq(used_pages(&f), used);
	ck_assert_uint_eq(raw_entry(&f, GIB, 1), l1);
	ck_assert_uint_ne(raw_entry(&f, GIB, 2), 0);
	ck_assert_uint_ne(l2, 0);

	/* The whole 512 GiB the level-0 entry covers: L1 and L2 stay. */
	used = used_pages(&f);
	do_unmap(&f, 0, 512 * GIB, NULL);
	gpuvm_mali_ptmem_flush_done(f.mem);
	ck_assert_uint_eq(used_pages(&f), used - 1);
	ck_assert_uint_eq(raw_entry(&f, GIB, 1), l1);
	ck_assert_uint_eq(raw_entry(&f, GIB, 2), 0);
	fix_fini(&f);
}

START_TEST(test_kernel_unmap_keeps_tables)
{
	check_unmap_keeps_tables(GPUVM_MALI_PT_AARCH64_4K);
	check_unmap_keeps_tables(GPUVM_MALI_PT_LPAE);
}
END_TEST

static Suite *pgtable_suite(void)
{
	Suite *s = suite_create("mali_pgtable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_desc_values);
	tcase_add_test(tc, test_desc_in_tables);
	tcase_add_test(tc, test_noaccess_prot);
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_register_values);
	tcase_add_test(tc, test_get_pgsize);
	tcase_add_test(tc, test_t39_unaligned_pa);
	tcase_add_test(tc, test_reserve_counts);
	tcase_add_test(tc, test_reserve_short);
	tcase_add_test(tc, test_t49_split);
	tcase_add_test(tc, test_split_gib_block);
	tcase_add_test(tc, test_t50_eexist);
	tcase_add_test(tc, test_t51_block_over_table);
	tcase_add_test(tc, test_deferred_free);
	tcase_add_test(tc, test_ptmem_ranges);
	tcase_add_test(tc, test_alloc_fail_sweep);
	tcase_add_test(tc, test_pool_exhaustion);
	tcase_add_test(tc, test_create_args);
	tcase_add_test(tc, test_random_model);
	tcase_add_test(tc, test_kernel_table_desc_sw_sync);
	tcase_add_test(tc, test_kernel_memattr_decision);
	tcase_add_test(tc, test_kernel_unmap_keeps_tables);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(pgtable_suite());
}
