/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend, layers 2 and 3: page-table memory and page tables.
 *
 * Page-table memory (struct gpuvm_mali_ptmem) hands out 4 KiB pages from one
 * or more physically contiguous pools of known bus address (the UIO map1
 * carve-out, or the simulator's memory).  Pages freed while the GPU may
 * still walk them go to a deferred list that is drained only by
 * gpuvm_mali_ptmem_flush_done(), called once the flush covering the change
 * has completed.  The memory layer also holds the physical ranges the user
 * allows page-table entries to point at: a page table refuses to map
 * anything outside them.
 *
 * Page tables (struct gpuvm_mali_pgtable) build the two formats the Mali MMU
 * walks -- AArch64 4 KiB-granule stage 1 and the legacy Mali LPAE format --
 * with 4 KiB and 2 MiB pages chosen like the panfrost/panthor page-size
 * splitter.  For the same map and unmap requests every descriptor, leaf or
 * table, is bit-for-bit what Linux's io-pgtable-arm (checked against 7.2)
 * writes for panthor/panfrost: a non-coherent walker's table descriptors
 * carry the SW_SYNC tag in both formats, and an unmap frees a level-3 table
 * only with its whole 2 MiB entry, keeping the level-1 and level-2 tables it
 * empties.  (AS_MEMATTR differs in slots no descriptor selects: see
 * gpuvm_mali_pt_memattr() and docs/differences.md.)
 * Every update is two-phase: the caller first reserves the table pages an
 * update may need (struct gpuvm_mali_pt_reserve), then the update checks
 * everything before it writes anything, so it either succeeds completely or
 * fails without touching the tables.  A partial unmap of a 2 MiB block
 * splits the block into 4 KiB pages minus the hole; the caller learns the
 * VA range it must lock and flush (the whole block).
 *
 * All page-table memory accesses go through the HAL (gpuvm/mali_hal.h) by
 * bus address as aligned 64-bit stores and loads.
 *
 * Neither object locks: the caller serialises all calls on one ptmem and
 * the page tables built from it (the Mali backend does so with its device
 * lock).
 */
#ifndef GPUVM_MALI_PGTABLE_H
#define GPUVM_MALI_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/mali_hal.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- descriptor and register constants --------------------------------- */

/** GPUVM_MALI_PT_PAGE_SIZE - size of a page-table page and of a small page */
#define GPUVM_MALI_PT_PAGE_SIZE		0x1000ull
/** GPUVM_MALI_PT_BLOCK_SIZE - size of a level-2 block (large page) */
#define GPUVM_MALI_PT_BLOCK_SIZE	0x200000ull
/** GPUVM_MALI_PT_ENTRIES - descriptors per table */
#define GPUVM_MALI_PT_ENTRIES		512u

/** GPUVM_MALI_PTE_VALID - descriptor bit 0: the entry is valid */
#define GPUVM_MALI_PTE_VALID		(1ull << 0)
/** GPUVM_MALI_PTE_TYPE_MASK - descriptor type field, bits [1:0] */
#define GPUVM_MALI_PTE_TYPE_MASK	0x3ull
/** GPUVM_MALI_PTE_TYPE_TABLE - next-level table (both formats, L0-L2) */
#define GPUVM_MALI_PTE_TYPE_TABLE	0x3ull
/** GPUVM_MALI_PTE_TYPE_BLOCK - block (AArch64 L1/L2) or any leaf (LPAE) */
#define GPUVM_MALI_PTE_TYPE_BLOCK	0x1ull
/** GPUVM_MALI_PTE_TYPE_PAGE - AArch64 level-3 page */
#define GPUVM_MALI_PTE_TYPE_PAGE	0x3ull
/** GPUVM_MALI_PTE_ATTRIDX_SHIFT - MEMATTR slot index field, bits [4:2] */
#define GPUVM_MALI_PTE_ATTRIDX_SHIFT	2
/** GPUVM_MALI_PTE_ATTRIDX_NC - MEMATTR slot of uncached mappings */
#define GPUVM_MALI_PTE_ATTRIDX_NC	0ull
/** GPUVM_MALI_PTE_ATTRIDX_CACHE - MEMATTR slot of cached mappings */
#define GPUVM_MALI_PTE_ATTRIDX_CACHE	1ull
/** GPUVM_MALI_PTE_ATTRIDX_DEV - MEMATTR slot of MMIO mappings */
#define GPUVM_MALI_PTE_ATTRIDX_DEV	2ull
/** GPUVM_MALI_PTE_AP_UNPRIV - AArch64 AP[1], always set for Mali */
#define GPUVM_MALI_PTE_AP_UNPRIV	(1ull << 6)
/** GPUVM_MALI_PTE_AP_RDONLY - AArch64 AP[2]: read-only */
#define GPUVM_MALI_PTE_AP_RDONLY	(1ull << 7)
/** GPUVM_MALI_PTE_LPAE_READ - Mali LPAE read permission */
#define GPUVM_MALI_PTE_LPAE_READ	(1ull << 6)
/** GPUVM_MALI_PTE_LPAE_WRITE - Mali LPAE write permission */
#define GPUVM_MALI_PTE_LPAE_WRITE	(1ull << 7)
/** GPUVM_MALI_PTE_SH_OUTER - shareability outer (bits [9:8] = 0b10) */
#define GPUVM_MALI_PTE_SH_OUTER		(2ull << 8)
/** GPUVM_MALI_PTE_SH_INNER - shareability inner (bits [9:8] = 0b11) */
#define GPUVM_MALI_PTE_SH_INNER		(3ull << 8)
/** GPUVM_MALI_PTE_AF - AArch64 access flag */
#define GPUVM_MALI_PTE_AF		(1ull << 10)
/** GPUVM_MALI_PTE_NG - AArch64 not-global */
#define GPUVM_MALI_PTE_NG		(1ull << 11)
/** GPUVM_MALI_PTE_XN - execute-never (PXN | UXN; both bits for LPAE too) */
#define GPUVM_MALI_PTE_XN		(3ull << 53)
/** GPUVM_MALI_PTE_SW_SYNC - table descriptor cleaned to memory (non-coherent) */
#define GPUVM_MALI_PTE_SW_SYNC		(1ull << 55)
/** GPUVM_MALI_PTE_ADDR_MASK - output address field, bits [47:12] */
#define GPUVM_MALI_PTE_ADDR_MASK	0x0000FFFFFFFFF000ull

/**
 * GPUVM_MALI_PT_MEMATTR_AARCH64 - AS_MEMATTR, AArch64, non-coherent: slots
 * 0-3 as panthor programs them, 4-7 (never selected) non-cacheable
 */
#define GPUVM_MALI_PT_MEMATTR_AARCH64		0x4C4C4C4C8C4C8F4Cull
/** GPUVM_MALI_PT_MEMATTR_AARCH64_COHERENT - AS_MEMATTR, AArch64, coherent */
#define GPUVM_MALI_PT_MEMATTR_AARCH64_COHERENT	0x4C4C4C4C9C4C9F4Cull
/** GPUVM_MALI_PT_MEMATTR_LPAE - AS_MEMATTR for Mali LPAE (io-pgtable) */
#define GPUVM_MALI_PT_MEMATTR_LPAE		0x0000000000888D88ull

/* --- page-table memory ------------------------------------------------- */

/** struct gpuvm_mali_ptmem - page-table page allocator (opaque) */
struct gpuvm_mali_ptmem;

/**
 * gpuvm_mali_ptmem_create() - create a page-table memory allocator
 * @hal: the HAL through which pages are zeroed and freed pages reported
 * @out: receives the allocator
 *
 * The allocator starts with no pool and no output range; add them with
 * gpuvm_mali_ptmem_add_pool() and gpuvm_mali_ptmem_add_output_range().
 *
 * Returns: 0, -EINVAL (NULL argument) or -ENOMEM.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 *
 * On failure nothing is allocated and *@out is not written.
 */
GPUVM_EXPORT int gpuvm_mali_ptmem_create(struct gpuvm_mali_hal *hal,
					 struct gpuvm_mali_ptmem **out);

/**
 * gpuvm_mali_ptmem_destroy() - free the allocator's bookkeeping
 * @mem: the allocator, or NULL
 *
 * Destroy every page table built from @mem first.  Pages still on the
 * deferred list are dropped without being reported; pages still in use are
 * reported through the warning hook.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT void gpuvm_mali_ptmem_destroy(struct gpuvm_mali_ptmem *mem);

/**
 * gpuvm_mali_ptmem_add_pool() - give the allocator a physically contiguous pool
 * @mem: the allocator
 * @base: bus address of the pool, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 *
 * Returns: 0, -EINVAL (misaligned, empty, wrapping, or overlapping another
 * pool or an output range) or -ENOMEM.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 *
 * On failure the pools are unchanged.
 */
GPUVM_EXPORT int gpuvm_mali_ptmem_add_pool(struct gpuvm_mali_ptmem *mem,
					   uint64_t base, uint64_t size);

/**
 * typedef gpuvm_mali_ptmem_grow_fn - asked for more page-table memory
 * @mem: the allocator, all of whose pools are in use
 * @npages: pages the current allocation or reservation still lacks (a
 *	hint: adding more saves later calls)
 * @priv: the pointer given to gpuvm_mali_ptmem_set_grow()
 *
 * Called from gpuvm_mali_ptmem_alloc() and gpuvm_mali_pt_reserve_fill()
 * (and so from the VM requests) when no pool has a free page.  It may add
 * pools with gpuvm_mali_ptmem_add_pool(); nothing else on @mem.
 *
 * Returns: 0 after adding memory; a negative errno when there is none to
 * add, which the allocation then returns (a return of 0 without a new
 * page counts as -ENOMEM).
 */
typedef int (*gpuvm_mali_ptmem_grow_fn)(struct gpuvm_mali_ptmem *mem,
					size_t npages, void *priv);

/**
 * gpuvm_mali_ptmem_set_grow() - let the allocator grow on demand
 * @mem: the allocator
 * @fn: called when every pool is exhausted, or NULL (the default: an
 *	allocation then fails with -ENOMEM)
 * @priv: passed to @fn
 *
 * Pools added by @fn stay, even when the allocation that asked for them
 * fails later for another reason.
 */
GPUVM_EXPORT void gpuvm_mali_ptmem_set_grow(struct gpuvm_mali_ptmem *mem,
					    gpuvm_mali_ptmem_grow_fn fn,
					    void *priv);

/**
 * gpuvm_mali_ptmem_add_output_range() - allow PTEs to point into a range
 * @mem: the allocator
 * @base: first bus address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 *
 * Page tables built from @mem map only physical addresses inside the union
 * of the registered ranges; with none registered every map is refused.  A
 * range may not overlap a page-table pool: a GPU mapping of its own page
 * tables would let GPU work rewrite them.
 *
 * Returns: 0, -EINVAL (misaligned, empty, wrapping, overlaps a pool) or
 * -ENOMEM.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 *
 * On failure the output ranges are unchanged.
 */
GPUVM_EXPORT int gpuvm_mali_ptmem_add_output_range(struct gpuvm_mali_ptmem *mem,
						   uint64_t base, uint64_t size);

/**
 * gpuvm_mali_ptmem_output_ok() - may PTEs map [@pa, @pa + @size)?
 * @mem: the allocator
 * @pa: first bus address
 * @size: bytes (0 is never allowed)
 *
 * Returns: true when the whole range lies in the registered output ranges.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT bool gpuvm_mali_ptmem_output_ok(const struct gpuvm_mali_ptmem *mem,
					     uint64_t pa, uint64_t size);

/**
 * gpuvm_mali_ptmem_alloc() - allocate one zeroed page-table page
 * @mem: the allocator
 * @pa: receives the page's bus address
 *
 * The page is zeroed with 64-bit stores through the HAL and synced.  Pages
 * on the deferred list are never handed out.
 *
 * Returns: 0 or -ENOMEM (every pool exhausted).
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 *
 * On failure nothing is allocated.
 */
GPUVM_EXPORT int gpuvm_mali_ptmem_alloc(struct gpuvm_mali_ptmem *mem,
					uint64_t *pa);

/**
 * gpuvm_mali_ptmem_free() - return a page once the GPU can no longer see it
 * @mem: the allocator
 * @pa: a page from gpuvm_mali_ptmem_alloc() or a reservation
 *
 * The page goes to the deferred list; gpuvm_mali_ptmem_flush_done() makes it
 * allocatable again.  Freeing a page that is not allocated warns and does
 * nothing.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT void gpuvm_mali_ptmem_free(struct gpuvm_mali_ptmem *mem,
					uint64_t pa);

/**
 * gpuvm_mali_ptmem_flush_done() - drain the deferred list
 * @mem: the allocator
 *
 * Call once the MMU flush covering every change that freed a page has
 * completed (after UNLOCK on CSF, after FLUSH_PT on JM).  When several
 * address spaces share @mem, every one of them must have been flushed.
 * Each returned page is reported to the HAL's pt_page_freed hook, if set.
 *
 * Returns: the number of pages returned to the pools.
 */
GPUVM_EXPORT size_t gpuvm_mali_ptmem_flush_done(struct gpuvm_mali_ptmem *mem);

/**
 * gpuvm_mali_ptmem_hal() - the HAL @mem was created with
 * @mem: the allocator
 *
 * Returns: the HAL.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT struct gpuvm_mali_hal *
gpuvm_mali_ptmem_hal(const struct gpuvm_mali_ptmem *mem);

/**
 * gpuvm_mali_ptmem_stats() - page counts, for tests and debugging
 * @mem: the allocator
 * @total: receives the number of pages in all pools, or NULL
 * @used: receives pages allocated (including deferred ones), or NULL
 * @deferred: receives pages waiting on the deferred list, or NULL
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT void gpuvm_mali_ptmem_stats(const struct gpuvm_mali_ptmem *mem,
					 size_t *total, size_t *used,
					 size_t *deferred);

/* --- reservations ------------------------------------------------------ */

/**
 * struct gpuvm_mali_pt_reserve - table pages set aside for one update
 * @mem: the allocator the pages came from (set by the first fill)
 * @pages: bus addresses of the pages held; the first @count are valid
 * @count: pages held
 * @cap: capacity of @pages
 * @taken: pages consumed by page-table updates since the last release
 *
 * Zero-initialise (GPUVM_MALI_PT_RESERVE_INIT), fill with
 * gpuvm_mali_pt_reserve_fill() before taking the page-table lock window,
 * pass to gpuvm_mali_pt_map()/gpuvm_mali_pt_unmap(), and release the unused
 * pages with gpuvm_mali_pt_reserve_release().  Held pages are not zeroed;
 * a page table zeroes a page when it takes it.
 */
struct gpuvm_mali_pt_reserve {
	struct gpuvm_mali_ptmem *mem;
	uint64_t *pages;
	size_t count;
	size_t cap;
	size_t taken;
};

/** GPUVM_MALI_PT_RESERVE_INIT - initialiser of an empty reservation */
#define GPUVM_MALI_PT_RESERVE_INIT { NULL, NULL, 0, 0, 0 }

/**
 * gpuvm_mali_pt_reserve_fill() - make @res hold at least @npages pages
 * @res: the reservation
 * @mem: the allocator to take them from (must match earlier fills)
 * @npages: pages wanted in total
 *
 * All or nothing: on failure @res and the pools are as before.
 *
 * Returns: 0, -EINVAL (@mem differs from the reservation's) or -ENOMEM
 * (bookkeeping allocation failed or the pools are exhausted).
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT int gpuvm_mali_pt_reserve_fill(struct gpuvm_mali_pt_reserve *res,
					    struct gpuvm_mali_ptmem *mem,
					    size_t npages);

/**
 * gpuvm_mali_pt_reserve_release() - give unused pages back, empty @res
 * @res: the reservation
 *
 * The pages were never visible to the GPU, so they return to their pools
 * at once (reported through pt_page_freed).  @res is left ready for reuse.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT void gpuvm_mali_pt_reserve_release(struct gpuvm_mali_pt_reserve *res);

/* --- page tables ------------------------------------------------------- */

/** enum gpuvm_mali_pt_format - page-table format */
enum gpuvm_mali_pt_format {
	/** @GPUVM_MALI_PT_AARCH64_4K: AArch64 4 KiB granule, stage 1 */
	GPUVM_MALI_PT_AARCH64_4K = 0,
	/** @GPUVM_MALI_PT_LPAE: legacy Mali LPAE (Midgard, Bifrost legacy) */
	GPUVM_MALI_PT_LPAE = 1,
};

/** GPUVM_MALI_PT_READ - the GPU may read */
#define GPUVM_MALI_PT_READ	(1u << 0)
/** GPUVM_MALI_PT_WRITE - the GPU may write */
#define GPUVM_MALI_PT_WRITE	(1u << 1)
/** GPUVM_MALI_PT_NOEXEC - the GPU may not execute */
#define GPUVM_MALI_PT_NOEXEC	(1u << 2)
/** GPUVM_MALI_PT_CACHED - cacheable memory (MEMATTR slot 1) */
#define GPUVM_MALI_PT_CACHED	(1u << 3)
/** GPUVM_MALI_PT_MMIO - device memory (MEMATTR slot 2; wins over CACHED) */
#define GPUVM_MALI_PT_MMIO	(1u << 4)

/**
 * struct gpuvm_mali_pt_config - shape of a page table
 * @format: descriptor format
 * @ias: input (GPU VA) bits, 32..48
 * @oas: output (bus address) bits, 32..48 (LPAE: at most 40)
 * @coherent: the GPU walks page tables coherently with the CPU (no sync
 *	after PTE stores; AArch64 table descriptors then carry no SW_SYNC tag)
 */
struct gpuvm_mali_pt_config {
	enum gpuvm_mali_pt_format format;
	unsigned int ias;
	unsigned int oas;
	bool coherent;
};

/** struct gpuvm_mali_pgtable - one GPU address space's page table (opaque) */
struct gpuvm_mali_pgtable;

/**
 * struct gpuvm_mali_pt_range - a VA range [@start, @end)
 * @start: first address
 * @end: one past the last address
 */
struct gpuvm_mali_pt_range {
	uint64_t start;
	uint64_t end;
};

/**
 * struct gpuvm_mali_pt_entry - what gpuvm_mali_pt_lookup() found
 * @pa: bus address the looked-up VA translates to (page offset included)
 * @desc: the leaf descriptor
 * @prot: GPUVM_MALI_PT_* flags decoded from @desc
 * @level: level of the leaf (3 for 4 KiB, 2 for 2 MiB, 1 for 1 GiB)
 * @size: bytes the leaf maps
 */
struct gpuvm_mali_pt_entry {
	uint64_t pa;
	uint64_t desc;
	unsigned int prot;
	unsigned int level;
	uint64_t size;
};

/**
 * gpuvm_mali_pt_create() - create an empty page table
 * @mem: page-table memory; the root page is allocated from it
 * @cfg: format and sizes, copied
 * @out: receives the page table
 *
 * AArch64 uses ceil((ias - 12) / 9) levels (ias 39: three levels from L1);
 * Mali LPAE always walks four levels from L0, as io-pgtable does.
 *
 * Returns: 0, -EINVAL (bad configuration) or -ENOMEM.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 *
 * On failure nothing is allocated and *@out is not written.
 */
GPUVM_EXPORT int gpuvm_mali_pt_create(struct gpuvm_mali_ptmem *mem,
				      const struct gpuvm_mali_pt_config *cfg,
				      struct gpuvm_mali_pgtable **out);

/**
 * gpuvm_mali_pt_destroy() - free a page table and every table page it holds
 * @pt: the page table, or NULL
 *
 * The pages go to the deferred list: disable the address space (or flush
 * it) before calling gpuvm_mali_ptmem_flush_done().
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT void gpuvm_mali_pt_destroy(struct gpuvm_mali_pgtable *pt);

/**
 * gpuvm_mali_pt_root() - bus address of the root table
 * @pt: the page table
 *
 * Returns: the root page's bus address.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_pt_root(const struct gpuvm_mali_pgtable *pt);

/**
 * gpuvm_mali_pt_get_config() - the configuration @pt was created with
 * @pt: the page table
 *
 * Returns: a pointer valid as long as @pt.
 *
 * Locking: none; safe from any thread.
 */
GPUVM_EXPORT const struct gpuvm_mali_pt_config *
gpuvm_mali_pt_get_config(const struct gpuvm_mali_pgtable *pt);

/**
 * gpuvm_mali_pt_leaf_desc() - the leaf descriptor io-pgtable would write
 * @format: descriptor format
 * @level: 3 (4 KiB page), 2 (2 MiB block) or 1 (1 GiB block)
 * @pa: output address, aligned to the leaf size
 * @prot: GPUVM_MALI_PT_* flags (READ and/or WRITE required by callers)
 *
 * Returns: the descriptor.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_pt_leaf_desc(enum gpuvm_mali_pt_format format,
					      unsigned int level, uint64_t pa,
					      unsigned int prot);

/**
 * gpuvm_mali_pt_table_desc() - a table descriptor as installed
 * @format: descriptor format
 * @pa: bus address of the next-level table
 * @coherent: coherent walker; otherwise the descriptor carries the
 *	SW_SYNC tag (bit 55) set once the table was cleaned to memory, in
 *	both formats, as io-pgtable sets it (the walker ignores the bit)
 *
 * Returns: the descriptor.
 *
 * Locking: none; a pure function, safe from any thread.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_pt_table_desc(enum gpuvm_mali_pt_format format,
					       uint64_t pa, bool coherent);

/**
 * gpuvm_mali_pt_get_pgsize() - page size for the next piece of a mapping
 * @addr: IOVA | PA of the piece (so both must be aligned for a large page)
 * @size: bytes left, a non-zero multiple of 4 KiB
 * @count: receives the number of pages of the returned size to use
 *
 * 2 MiB pages when @addr is 2 MiB aligned and at least 2 MiB remain, never
 * crossing a 1 GiB boundary in one piece; otherwise 4 KiB pages up to the
 * next 2 MiB boundary.  A piece never crosses a table boundary.
 *
 * Returns: 0x1000 or 0x200000.
 *
 * Locking: none; a pure function, safe from any thread.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_pt_get_pgsize(uint64_t addr, uint64_t size,
					       uint64_t *count);

/**
 * gpuvm_mali_pt_map_reserve_pages() - worst-case table pages for a map
 * @pt: the page table (its number of levels matters)
 * @iova: first VA
 * @size: bytes
 *
 * One page per level-1, level-2 and level-3 table region the range touches
 * (512 GiB, 1 GiB and 2 MiB regions; the root is never counted), as panthor
 * reserves.  Never less than what gpuvm_mali_pt_map() takes.
 *
 * Returns: the page count (0 for @size 0).
 *
 * Locking: none; reads only the page tables' configuration.
 */
GPUVM_EXPORT size_t gpuvm_mali_pt_map_reserve_pages(const struct gpuvm_mali_pgtable *pt,
						    uint64_t iova, uint64_t size);

/**
 * gpuvm_mali_pt_unmap_reserve_pages() - worst-case table pages for an unmap
 * @iova: first VA
 * @size: bytes
 *
 * One level-3 page per end of the range that is not 2 MiB aligned (a 2 MiB
 * block there may need splitting); one only when both ends fall in the
 * same 2 MiB region.  Never less than what gpuvm_mali_pt_unmap() takes on a
 * table holding 4 KiB pages and 2 MiB blocks only.
 *
 * Returns: 0, 1 or 2.
 */
GPUVM_EXPORT size_t gpuvm_mali_pt_unmap_reserve_pages(uint64_t iova,
						      uint64_t size);

/**
 * gpuvm_mali_pt_map_prepare() - check a map and count the pages it needs
 * @pt: the page table
 * @iova: first VA, 4 KiB aligned
 * @pa: first bus address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @prot: GPUVM_MALI_PT_* flags
 * @npages: receives the exact number of table pages the map would take
 *
 * Changes nothing.  Returns what gpuvm_mali_pt_map() would return given
 * enough reserved pages.
 *
 * Returns: 0, or a negative errno with nothing changed (see above).
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT int gpuvm_mali_pt_map_prepare(struct gpuvm_mali_pgtable *pt,
					   uint64_t iova, uint64_t pa,
					   uint64_t size, unsigned int prot,
					   size_t *npages);

/**
 * gpuvm_mali_pt_map() - map [@iova, @iova + @size) to @pa
 * @pt: the page table
 * @iova: first VA, 4 KiB aligned
 * @pa: first bus address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @prot: GPUVM_MALI_PT_* flags
 * @res: reserved table pages (may be NULL if none are needed)
 *
 * Uses 2 MiB blocks wherever IOVA and PA are both 2 MiB aligned, 4 KiB
 * pages elsewhere (gpuvm_mali_pt_get_pgsize()).  Everything is checked
 * before the first store, so a failure leaves the tables untouched.  A
 * 2 MiB block over a level-3 table is installed only when that table maps
 * nothing (the empty table is then freed to the deferred list); otherwise
 * the map fails with -EEXIST (io-pgtable would silently drop the 4 KiB
 * mappings).  The caller locks and flushes [@iova, @iova + @size).
 *
 * Returns: 0;
 * -EINVAL: neither READ nor WRITE in @prot, misaligned or zero size, or @res
 *	from another allocator;
 * -ERANGE: the VA range exceeds ias or the PA range exceeds oas;
 * -EPERM: the PA range is not inside the registered output ranges;
 * -EEXIST: a valid leaf (or a non-empty level-3 table under a 2 MiB
 *	block) already covers part of the range;
 * -ENOMEM: @res holds fewer pages than needed.
 */
GPUVM_EXPORT int gpuvm_mali_pt_map(struct gpuvm_mali_pgtable *pt,
				   uint64_t iova, uint64_t pa, uint64_t size,
				   unsigned int prot,
				   struct gpuvm_mali_pt_reserve *res);

/**
 * gpuvm_mali_pt_unmap_prepare() - check an unmap, count pages, find the region
 * @pt: the page table
 * @iova: first VA, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @npages: receives the exact number of table pages the unmap would take
 *	(block splits), or NULL
 * @lock: receives the VA range the update touches (the request widened to
 *	any block it splits), or NULL
 *
 * Changes nothing.
 *
 * Returns: 0, -EINVAL or -ERANGE as gpuvm_mali_pt_unmap().
 */
GPUVM_EXPORT int gpuvm_mali_pt_unmap_prepare(struct gpuvm_mali_pgtable *pt,
					     uint64_t iova, uint64_t size,
					     size_t *npages,
					     struct gpuvm_mali_pt_range *lock);

/**
 * gpuvm_mali_pt_unmap() - unmap [@iova, @iova + @size)
 * @pt: the page table
 * @iova: first VA, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @res: reserved table pages for block splits (may be NULL if none needed)
 * @touched: receives the VA range the caller must have locked and must
 *	flush, or NULL
 *
 * Clears every leaf in the range (holes are skipped); a table entirely
 * covered is cleared and its subtree freed to the deferred list; a block
 * partly covered is replaced by a next-level table mapping the rest of the
 * block to the same physical pages.  Tables left empty are kept.  A failure
 * leaves the tables untouched.
 *
 * Returns: 0; -EINVAL (misaligned or zero size, @res from another
 * allocator); -ERANGE (beyond ias); -ENOMEM (@res too small).
 */
GPUVM_EXPORT int gpuvm_mali_pt_unmap(struct gpuvm_mali_pgtable *pt,
				     uint64_t iova, uint64_t size,
				     struct gpuvm_mali_pt_reserve *res,
				     struct gpuvm_mali_pt_range *touched);

/**
 * gpuvm_mali_pt_lookup() - translate one VA by walking the tables
 * @pt: the page table
 * @iova: the VA
 * @out: receives the leaf found
 *
 * Returns: 0, -ENOENT (no valid leaf) or -ERANGE (beyond ias).
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 *
 * On failure the output is not written; the tables are never changed.
 */
GPUVM_EXPORT int gpuvm_mali_pt_lookup(struct gpuvm_mali_pgtable *pt,
				      uint64_t iova,
				      struct gpuvm_mali_pt_entry *out);

/**
 * gpuvm_mali_pt_count_tables() - table pages reachable from the root
 * @pt: the page table
 *
 * Returns: the number of table pages, the root included.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT size_t gpuvm_mali_pt_count_tables(struct gpuvm_mali_pgtable *pt);

/* --- register values --------------------------------------------------- */

/**
 * gpuvm_mali_pt_transtab_encode() - AS_TRANSTAB for a root table
 * @format: descriptor format
 * @root: bus address of the root table
 * @coherent: coherent walker (LPAE: sets SHARE_OUTER)
 * @out: receives the register value
 *
 * AArch64: the root itself, whose low 4 bits must be zero.  LPAE: root |
 * READ_INNER | ADRMODE_TABLE (| SHARE_OUTER); the root must be 4 KiB aligned.
 *
 * Returns: 0 or -EINVAL (misaligned root or beyond 48 bits).
 *
 * Locking: none; a pure function, safe from any thread.
 *
 * On failure @value is not written.
 */
GPUVM_EXPORT int gpuvm_mali_pt_transtab_encode(enum gpuvm_mali_pt_format format,
					       uint64_t root, bool coherent,
					       uint64_t *out);

/**
 * gpuvm_mali_pt_transtab() - AS_TRANSTAB value for @pt
 * @pt: the page table
 *
 * Returns: the register value.
 *
 * Locking: the caller serialises every call on the page-table memory and
 * the page tables built from it.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_pt_transtab(const struct gpuvm_mali_pgtable *pt);

/**
 * gpuvm_mali_pt_transcfg_encode() - AS_TRANSCFG for a format
 * @format: descriptor format
 * @ias: VA bits, 32 to 48 as for gpuvm_mali_pt_create() (AArch64
 *	INA_BITS = 55 - ias)
 * @coherent: coherent walker (PTW_SH outer-shareable)
 *
 * Returns: AArch64: ADRMODE_AARCH64_4K | INA_BITS | PTW_MEMATTR_WB | PTW_RA
 * (| PTW_SH_OS); LPAE: 0 (legacy mode; Midgard has no TRANSCFG).  An @ias
 * outside 32..48 gives 1 (ADRMODE_UNMAPPED), never a garbled value.
 *
 * Locking: none; a pure function, safe from any thread.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_pt_transcfg_encode(enum gpuvm_mali_pt_format format,
						    unsigned int ias,
						    bool coherent);

/**
 * gpuvm_mali_pt_memattr() - AS_MEMATTR matching the descriptors' AttrIndx
 * @format: descriptor format
 * @coherent: coherent walker (AArch64: write-back slots CPU-inner shareable)
 *
 * AArch64 slots 0-3 equal what Linux 7.2's panthor programs.  Descriptors
 * select slots 0-2 only; slots 4-7 are non-cacheable (0x4C) where the
 * kernel's value has 0x8F/0x9F, an artefact of a sign-extended 32-bit shift
 * in its MAIR (docs/differences.md).
 *
 * Returns: one of the GPUVM_MALI_PT_MEMATTR_* values.
 *
 * Locking: none; a pure function, safe from any thread.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_pt_memattr(enum gpuvm_mali_pt_format format,
					    bool coherent);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_PGTABLE_H */
