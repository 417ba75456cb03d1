/* SPDX-License-Identifier: MIT */
/*
 * Page-table memory: 4 KiB pages out of physically contiguous pools, a
 * deferred-free state drained after the covering flush, the output ranges
 * PTEs may point at, and per-update reservations.
 *
 * Each pool keeps two bitmaps: "used" (allocated, including deferred) and
 * "deferred" (freed, waiting for a flush).  Freeing therefore never needs
 * memory, and a deferred page can never be handed out again before
 * gpuvm_mali_ptmem_flush_done().  Searches go a bitmap word at a time, and
 * a drain only looks at the words between the lowest and the highest
 * deferred page of each pool.  When every pool is full, the grow callback
 * (if any) may add one.
 */
#include <errno.h>
#include <string.h>

#include <gpuvm/mali_pgtable.h>

#include "../core/internal.h"

#define PG GPUVM_MALI_PT_PAGE_SIZE

struct ptmem_pool {
	uint64_t base;
	size_t npages;
	size_t nused;
	size_t hint;		/* where the next search starts */
	size_t ndeferred;
	size_t dlo, dhi;	/* words of @deferred that may be non-zero */
	uint64_t *used;
	uint64_t *deferred;
};

struct ptmem_range {
	uint64_t base;
	uint64_t end;
};

struct gpuvm_mali_ptmem {
	struct gpuvm_mali_hal *hal;
	struct ptmem_pool *pools;
	size_t npools;
	struct ptmem_range *out;
	size_t nout;
	size_t ndeferred;
	gpuvm_mali_ptmem_grow_fn grow;
	void *grow_priv;
};

static bool bit_test(const uint64_t *map, size_t i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

static void bit_set(uint64_t *map, size_t i)
{
	map[i / 64] |= 1ull << (i % 64);
}

static void bit_clear(uint64_t *map, size_t i)
{
	map[i / 64] &= ~(1ull << (i % 64));
}

static bool ranges_overlap(uint64_t a, uint64_t aend, uint64_t b,
			   uint64_t bend)
{
	return a < bend && b < aend;
}

/* A page-aligned, non-empty range whose end does not wrap. */
static bool range_valid(uint64_t base, uint64_t size)
{
	return size && !(base % PG) && !(size % PG) && base + size > base;
}

/* Does [base, end) overlap one of the page-table pools? */
static bool overlaps_pool(const struct gpuvm_mali_ptmem *mem, uint64_t base,
			  uint64_t end)
{
	size_t i;

	for (i = 0; i < mem->npools; i++)
		if (ranges_overlap(base, end, mem->pools[i].base,
				   mem->pools[i].base + mem->pools[i].npages * PG))
			return true;
	return false;
}

GPUVM_EXPORT int gpuvm_mali_ptmem_create(struct gpuvm_mali_hal *hal,
					 struct gpuvm_mali_ptmem **out)
{
	struct gpuvm_mali_ptmem *mem;

	if (!hal || !out)
		return -EINVAL;
	mem = gpuvm_zalloc(sizeof(*mem));
	if (!mem)
		return -ENOMEM;
	mem->hal = hal;
	*out = mem;
	return 0;
}

GPUVM_EXPORT void gpuvm_mali_ptmem_destroy(struct gpuvm_mali_ptmem *mem)
{
	size_t i, live = 0;

	if (!mem)
		return;
	for (i = 0; i < mem->npools; i++) {
		live += mem->pools[i].nused;
		gpuvm_free(mem->pools[i].used);
		gpuvm_free(mem->pools[i].deferred);
	}
	live -= mem->ndeferred;
	if (live)
		gpuvm_warn("%zu page-table pages still in use", live);
	gpuvm_free(mem->pools);
	gpuvm_free(mem->out);
	gpuvm_free(mem);
}

GPUVM_EXPORT int gpuvm_mali_ptmem_add_pool(struct gpuvm_mali_ptmem *mem,
					   uint64_t base, uint64_t size)
{
	struct ptmem_pool *pools, *p;
	uint64_t *used, *deferred;
	size_t npages, words, i;

	if (!mem || !range_valid(base, size) ||
	    overlaps_pool(mem, base, base + size))
		return -EINVAL;
	for (i = 0; i < mem->nout; i++)
		if (ranges_overlap(base, base + size, mem->out[i].base,
				   mem->out[i].end))
			return -EINVAL;

	npages = (size_t)(size / PG);
	words = (npages + 63) / 64;
	used = gpuvm_zalloc(words * sizeof(*used));
	deferred = gpuvm_zalloc(words * sizeof(*deferred));
	pools = gpuvm_zalloc((mem->npools + 1) * sizeof(*pools));
	if (!used || !deferred || !pools) {
		gpuvm_free(used);
		gpuvm_free(deferred);
		gpuvm_free(pools);
		return -ENOMEM;
	}
	if (mem->npools)
		memcpy(pools, mem->pools, mem->npools * sizeof(*pools));
	p = &pools[mem->npools];
	p->base = base;
	p->npages = npages;
	p->used = used;
	p->deferred = deferred;
	gpuvm_free(mem->pools);
	mem->pools = pools;
	mem->npools++;
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_ptmem_add_output_range(struct gpuvm_mali_ptmem *mem,
						   uint64_t base, uint64_t size)
{
	struct ptmem_range *out;

	if (!mem || !range_valid(base, size) ||
	    overlaps_pool(mem, base, base + size))
		return -EINVAL;
	out = gpuvm_zalloc((mem->nout + 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	if (mem->nout)
		memcpy(out, mem->out, mem->nout * sizeof(*out));
	out[mem->nout].base = base;
	out[mem->nout].end = base + size;
	gpuvm_free(mem->out);
	mem->out = out;
	mem->nout++;
	return 0;
}

GPUVM_EXPORT bool gpuvm_mali_ptmem_output_ok(const struct gpuvm_mali_ptmem *mem,
					     uint64_t pa, uint64_t size)
{
	uint64_t cur = pa, end = pa + size;
	size_t i;

	if (!mem || !size || end < pa)
		return false;
	/* Walk forward through the union of the (unsorted) ranges. */
	while (cur < end) {
		bool advanced = false;

		for (i = 0; i < mem->nout; i++) {
			if (mem->out[i].base <= cur && cur < mem->out[i].end) {
				cur = mem->out[i].end;
				advanced = true;
				break;
			}
		}
		if (!advanced)
			return false;
	}
	return true;
}

/*
 * Find and mark a free page of @p without zeroing it, a word at a time,
 * in the order of a page-by-page search from the hint.
 */
static bool pool_take(struct ptmem_pool *p, uint64_t *pa)
{
	size_t words = (p->npages + 63) / 64, n, w, k;

	for (n = 0; n <= words; n++) {
		uint64_t free_bits;

		w = (p->hint / 64 + n) % words;
		free_bits = ~p->used[w];
		if (w == words - 1 && p->npages % 64)
			free_bits &= (1ull << (p->npages % 64)) - 1;
		/* from the hint on first; the hint's word again at the end */
		if (n == 0)
			free_bits &= ~0ull << (p->hint % 64);
		if (!free_bits)
			continue;
		k = w * 64 + (size_t)__builtin_ctzll(free_bits);
		bit_set(p->used, k);
		p->nused++;
		p->hint = (k + 1) % p->npages;
		*pa = p->base + k * PG;
		return true;
	}
	return false;
}

static int ptmem_take(struct gpuvm_mali_ptmem *mem, uint64_t *pa)
{
	size_t i;

	for (i = 0; i < mem->npools; i++) {
		struct ptmem_pool *p = &mem->pools[i];

		if (p->nused < p->npages && pool_take(p, pa))
			return 0;
	}
	return -ENOMEM;
}

/*
 * Out of pages: ask the grow callback, if any, for @npages more.
 * Returns 0 when the pools now hold more pages than before.
 */
static int ptmem_grow(struct gpuvm_mali_ptmem *mem, size_t npages)
{
	size_t before, after;
	int ret;

	if (!mem->grow)
		return -ENOMEM;
	gpuvm_mali_ptmem_stats(mem, &before, NULL, NULL);
	ret = mem->grow(mem, npages, mem->grow_priv);
	gpuvm_mali_ptmem_stats(mem, &after, NULL, NULL);
	if (ret < 0)
		return ret;
	return after > before ? 0 : -ENOMEM;
}

static struct ptmem_pool *ptmem_find(struct gpuvm_mali_ptmem *mem,
				     uint64_t pa, size_t *idx)
{
	size_t i;

	for (i = 0; i < mem->npools; i++) {
		struct ptmem_pool *p = &mem->pools[i];

		if (pa >= p->base && pa - p->base < p->npages * PG) {
			*idx = (size_t)((pa - p->base) / PG);
			return p;
		}
	}
	return NULL;
}

/* Return an allocated, non-deferred page straight to its pool. */
static void ptmem_give_back(struct gpuvm_mali_ptmem *mem, uint64_t pa)
{
	struct ptmem_pool *p;
	size_t k;

	p = ptmem_find(mem, pa, &k);
	if (!p || !bit_test(p->used, k) || bit_test(p->deferred, k)) {
		gpuvm_warn("page %#llx is not an allocated page-table page",
			   (unsigned long long)pa);
		return;
	}
	bit_clear(p->used, k);
	p->nused--;
	if (mem->hal->ops->pt_page_freed)
		mem->hal->ops->pt_page_freed(mem->hal, pa);
}

GPUVM_EXPORT int gpuvm_mali_ptmem_alloc(struct gpuvm_mali_ptmem *mem,
					uint64_t *pa)
{
	struct gpuvm_mali_hal *hal = mem->hal;
	uint64_t page, off;
	int ret;

	ret = ptmem_take(mem, &page);
	while (ret) {
		ret = ptmem_grow(mem, 1);
		if (ret)
			return ret;
		ret = ptmem_take(mem, &page);
	}
	for (off = 0; off < PG; off += 8)
		hal->ops->pt_write64(hal, page + off, 0);
	hal->ops->pt_sync(hal, page, PG);
	*pa = page;
	return 0;
}

GPUVM_EXPORT void gpuvm_mali_ptmem_free(struct gpuvm_mali_ptmem *mem,
					uint64_t pa)
{
	struct ptmem_pool *p;
	size_t k;

	p = ptmem_find(mem, pa, &k);
	if (!p || pa % PG || !bit_test(p->used, k) ||
	    bit_test(p->deferred, k)) {
		gpuvm_warn("freeing %#llx, which is not an allocated page-table page",
			   (unsigned long long)pa);
		return;
	}
	bit_set(p->deferred, k);
	if (!p->ndeferred || k / 64 < p->dlo)
		p->dlo = k / 64;
	if (!p->ndeferred || k / 64 > p->dhi)
		p->dhi = k / 64;
	p->ndeferred++;
	mem->ndeferred++;
}

GPUVM_EXPORT size_t gpuvm_mali_ptmem_flush_done(struct gpuvm_mali_ptmem *mem)
{
	size_t i, w, drained = 0;

	if (!mem->ndeferred)
		return 0;
	for (i = 0; i < mem->npools; i++) {
		struct ptmem_pool *p = &mem->pools[i];

		for (w = p->dlo; p->ndeferred && w <= p->dhi; w++) {
			while (p->deferred[w]) {
				size_t k = w * 64 +
					   (size_t)__builtin_ctzll(p->deferred[w]);

				bit_clear(p->deferred, k);
				p->ndeferred--;
				mem->ndeferred--;
				drained++;
				ptmem_give_back(mem, p->base + k * PG);
			}
		}
	}
	return drained;
}

GPUVM_EXPORT void gpuvm_mali_ptmem_set_grow(struct gpuvm_mali_ptmem *mem,
					    gpuvm_mali_ptmem_grow_fn fn,
					    void *priv)
{
	mem->grow = fn;
	mem->grow_priv = priv;
}

GPUVM_EXPORT struct gpuvm_mali_hal *
gpuvm_mali_ptmem_hal(const struct gpuvm_mali_ptmem *mem)
{
	return mem->hal;
}

GPUVM_EXPORT void gpuvm_mali_ptmem_stats(const struct gpuvm_mali_ptmem *mem,
					 size_t *total, size_t *used,
					 size_t *deferred)
{
	size_t i, t = 0, u = 0;

	for (i = 0; i < mem->npools; i++) {
		t += mem->pools[i].npages;
		u += mem->pools[i].nused;
	}
	if (total)
		*total = t;
	if (used)
		*used = u;
	if (deferred)
		*deferred = mem->ndeferred;
}

GPUVM_EXPORT int gpuvm_mali_pt_reserve_fill(struct gpuvm_mali_pt_reserve *res,
					    struct gpuvm_mali_ptmem *mem,
					    size_t npages)
{
	uint64_t *pages = res->pages;
	size_t cap = res->cap, n = res->count;
	int ret = 0;

	if (!mem || (res->mem && res->mem != mem))
		return -EINVAL;
	if (npages <= res->count)
		return 0;
	if (npages > cap) {
		if (npages > SIZE_MAX / sizeof(*pages))
			return -ENOMEM;
		pages = gpuvm_zalloc(npages * sizeof(*pages));
		if (!pages)
			return -ENOMEM;
		if (res->count)
			memcpy(pages, res->pages, res->count * sizeof(*pages));
		cap = npages;
	}
	while (n < npages) {
		ret = ptmem_take(mem, &pages[n]);
		if (!ret) {
			n++;
			continue;
		}
		ret = ptmem_grow(mem, npages - n);
		if (ret)
			break;
	}
	if (ret) {
		while (n > res->count)
			ptmem_give_back(mem, pages[--n]);
		if (pages != res->pages)
			gpuvm_free(pages);
		return ret;
	}
	if (pages != res->pages)
		gpuvm_free(res->pages);
	res->mem = mem;
	res->pages = pages;
	res->cap = cap;
	res->count = n;
	return 0;
}

GPUVM_EXPORT void gpuvm_mali_pt_reserve_release(struct gpuvm_mali_pt_reserve *res)
{
	while (res->count)
		ptmem_give_back(res->mem, res->pages[--res->count]);
	gpuvm_free(res->pages);
	res->pages = NULL;
	res->cap = 0;
	res->taken = 0;
	res->mem = NULL;
}
