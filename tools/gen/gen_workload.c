// SPDX-License-Identifier: MIT
/*
 * gpuvm-gen-workload: write a realistic, Vulkan-driver-like VM_BIND trace
 * (trace format v1, docs/trace-format.md) for gpuvm-replay.
 *
 * The model is a userspace driver that owns a 48-bit GPU VA space:
 *
 *  - VA is handed out by a hole allocator that allocates from the top of
 *    the space downwards (the strategy of Mesa's util_vma_heap with
 *    alloc_high set): the holes are kept sorted from high to low, the first
 *    hole large enough wins and the block is placed at its top, aligned
 *    down.  Freeing merges a block with the holes on either side.
 *  - Buffers of 4 KiB to 256 MiB (up to 4 GiB with --large), sized and
 *    aligned to 2 MiB once they reach 2 MiB, are created ("bo" then "map")
 *    and destroyed ("bo-unmap") over time; the number of live buffers
 *    drifts between levels, like an application moving between scenes.
 *    A destroyed buffer's BO goes to a small BO cache and may back a later
 *    buffer of about the same size (a "map" with no new "bo").
 *  - Sparse resources reserve a range with a NULL mapping ("map A R 0 0");
 *    64 KiB tiles (or short runs of tiles) are bound to slices of memory
 *    pool BOs and unbound again by mapping them back to NULL; destroying
 *    the resource unmaps the whole range.
 *
 * Everything comes from one seeded generator: the same options give the
 * same bytes on every machine.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

#define PAGE (4 * KIB)
#define TILE (64 * KIB)
#define HUGE (2 * MIB)

/* The kernel-reserved region at the bottom of the VM. */
#define RESV_SIZE MIB

#define MAX_POOLS 16
#define MAX_RESERVATIONS 64
#define CACHE_SLOTS 64

static const char help_text[] =
"NAME\n"
"    gpuvm-gen-workload - write a realistic VM_BIND trace for gpuvm-replay\n"
"\n"
"SYNOPSIS\n"
"    gpuvm-gen-workload [OPTION]...\n"
"\n"
"DESCRIPTION\n"
"    Writes a trace (format version 1, see docs/trace-format.md) shaped like\n"
"    the binding traffic of a Vulkan driver: GPU virtual addresses are\n"
"    allocated from the top of a 48-bit space by a first-fit hole allocator\n"
"    (the way Mesa's util_vma_heap does with alloc_high), buffers of 4 KiB\n"
"    to 256 MiB (2 MiB aligned when at least 2 MiB) are created with 'bo'\n"
"    and 'map' and destroyed with 'bo-unmap', destroyed BOs are recycled\n"
"    through a BO cache, and sparse resources reserve NULL ranges in which\n"
"    64 KiB tiles are bound to memory pools and unbound again.\n"
"\n"
"    The output depends only on the options: the same seed gives the same\n"
"    trace, byte for byte, on every machine.  Every request is valid, so\n"
"    gpuvm-replay answers 'ok' to each of them.\n"
"\n"
"OPTIONS\n"
"    -s, --seed=N\n"
"        Seed of the pseudo-random generator (default 1).\n"
"\n"
"    -n, --commands=N\n"
"        Number of commands after the 'vm' line (default 10000).  Any\n"
"        number works; the trace has exactly that many.\n"
"\n"
"    -l, --large\n"
"        Scale test: buffers up to 4 GiB, and tens of GiB of BOs alive\n"
"        (--alive-max defaults to 48 GiB instead of 2 GiB).\n"
"\n"
"    --alive-max=SIZE\n"
"        Most bytes of buffers alive at any time.  SIZE is a number of\n"
"        bytes, optionally followed by K, M or G.\n"
"\n"
"    --bo-budget=SIZE\n"
"        Most bytes of all BOs the trace declares (0, the default: no\n"
"        limit).  Once reached, buffers are only created from the BO\n"
"        cache, so that the trace fits a small simulated memory.\n"
"\n"
"    --dump\n"
"        End the trace with a 'dump' command (counted in --commands).\n"
"\n"
"    --explain\n"
"        Follow each command with a comment saying what the driver did.\n"
"\n"
"    -o, --output=FILE\n"
"        Write to FILE instead of standard output.\n"
"\n"
"    -h, --help\n"
"        Print this help and exit.\n"
"\n"
"OUTPUT\n"
"    A few comment lines naming the options, 'vm 0x0 0x1000000000000 0x0\n"
"    0x100000' (the whole 48-bit space with its first MiB reserved), then\n"
"    the commands, then comments summarising the final state: buffers and\n"
"    bytes alive, sparse reservations and bound tiles.\n"
"\n"
"EXIT STATUS\n"
"    0 on success, 2 for a bad option, 1 when the output cannot be written\n"
"    or memory runs out.\n"
"\n"
"EXAMPLES\n"
"    gpuvm-gen-workload --seed=7 --commands=5000 > app.trace\n"
"    gpuvm-replay --mmu=sim --svg=app.svg app.trace > app.out\n"
"    gpuvm-gen-workload --large --commands=200000 -o big.trace\n"
"\n"
"SEE ALSO\n"
"    gpuvm-replay(1), docs/trace-format.md\n";

/* ---- pseudo-random numbers: xoshiro256** seeded by splitmix64 ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), n > 0 (rejection keeps it unbiased). */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = rng_next(r);
	while (x >= lim);
	return x % n;
}

/* Uniform in [lo, hi]. */
static uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* Log-uniform multiple of @unit in [lo, hi] (powers of two, lo >= unit). */
static uint64_t rng_log_size(struct rng *r, uint64_t lo, uint64_t hi,
			     uint64_t unit)
{
	unsigned int lo_bit = 63 - (unsigned int)__builtin_clzll(lo);
	unsigned int hi_bit = 63 - (unsigned int)__builtin_clzll(hi);
	unsigned int b = (unsigned int)rng_range(r, lo_bit, hi_bit);
	uint64_t base = UINT64_C(1) << b;
	uint64_t top = b == hi_bit ? base : 2 * base;
	uint64_t size = rng_range(r, base, top);

	size = (size + unit - 1) / unit * unit;
	return size > hi ? hi : size;
}

/* ---- VA heap: holes sorted high to low, allocation from the top ---- */

struct hole {
	uint64_t start, end; /* [start, end) */
};

struct heap {
	struct hole *h; /* h[0] is the highest hole */
	size_t n, cap;
	uint64_t free_bytes;
};

static void *xrealloc(void *p, size_t n, size_t size)
{
	void *q;

	if (n && size > SIZE_MAX / n) {
		fprintf(stderr, "gpuvm-gen-workload: out of memory\n");
		exit(1);
	}
	q = realloc(p, n * size);
	if (!q && n) {
		fprintf(stderr, "gpuvm-gen-workload: out of memory\n");
		exit(1);
	}
	return q;
}

static void heap_insert_at(struct heap *hp, size_t i, uint64_t start,
			   uint64_t end)
{
	if (hp->n == hp->cap) {
		hp->cap = hp->cap ? 2 * hp->cap : 16;
		hp->h = xrealloc(hp->h, hp->cap, sizeof(*hp->h));
	}
	memmove(&hp->h[i + 1], &hp->h[i], (hp->n - i) * sizeof(*hp->h));
	hp->h[i].start = start;
	hp->h[i].end = end;
	hp->n++;
}

static void heap_remove_at(struct heap *hp, size_t i)
{
	memmove(&hp->h[i], &hp->h[i + 1], (hp->n - i - 1) * sizeof(*hp->h));
	hp->n--;
}

static void heap_init(struct heap *hp, uint64_t start, uint64_t end)
{
	memset(hp, 0, sizeof(*hp));
	heap_insert_at(hp, 0, start, end);
	hp->free_bytes = end - start;
}

/*
 * The highest @align-aligned block of @size bytes in the highest hole that
 * has one.  Returns false when no hole fits.
 */
static bool heap_alloc(struct heap *hp, uint64_t size, uint64_t align,
		       uint64_t *addr)
{
	for (size_t i = 0; i < hp->n; i++) {
		struct hole *h = &hp->h[i];
		uint64_t a;

		if (h->end - h->start < size)
			continue;
		a = (h->end - size) & ~(align - 1);
		if (a < h->start)
			continue;

		if (a == h->start && a + size == h->end) {
			heap_remove_at(hp, i);
		} else if (a + size == h->end) {
			h->end = a;
		} else if (a == h->start) {
			h->start = a + size;
		} else {
			/* Middle: the upper rest goes first (high to low). */
			uint64_t hs = h->start;

			h->start = a + size;
			heap_insert_at(hp, i + 1, hs, a);
		}
		hp->free_bytes -= size;
		*addr = a;
		return true;
	}
	return false;
}

static void heap_free(struct heap *hp, uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	size_t i = 0;
	bool high_adj, low_adj;

	/* First hole below the block: holes before it lie above. */
	while (i < hp->n && hp->h[i].start >= end)
		i++;
	high_adj = i > 0 && hp->h[i - 1].start == end;
	low_adj = i < hp->n && hp->h[i].end == addr;

	if (high_adj && low_adj) {
		hp->h[i - 1].start = hp->h[i].start;
		heap_remove_at(hp, i);
	} else if (high_adj) {
		hp->h[i - 1].start = addr;
	} else if (low_adj) {
		hp->h[i].end = end;
	} else {
		heap_insert_at(hp, i, addr, end);
	}
	hp->free_bytes += size;
}

/* ---- the driver's objects ---- */

struct buffer {
	uint64_t addr, size, bo;
	unsigned int kind;
};

struct cached_bo {
	uint64_t id, size;
};

struct pool {
	uint64_t id, size;
};

struct reservation {
	uint64_t addr, size;
	uint32_t ntiles, nbound;
	uint8_t *bound; /* per tile: bound to a pool */
};

static const char *const kind_names[] = {
	"uniform buffer", "vertex buffer", "index buffer", "staging buffer",
	"descriptor heap", "command buffer", "image", "render target",
};

struct gen {
	struct rng rng;
	FILE *out;
	bool explain;
	bool large;
	uint64_t alive_max;
	uint64_t bo_budget;

	struct heap heap;
	uint64_t next_bo;
	uint64_t declared; /* bytes of all "bo" lines */

	struct buffer *bufs;
	size_t nbufs, capbufs;
	uint64_t alive_bytes;

	struct cached_bo cache[CACHE_SLOTS];
	size_t ncache;

	struct pool pools[MAX_POOLS];
	size_t npools;

	struct reservation resv[MAX_RESERVATIONS];
	size_t nresv;
	uint64_t tiles_bound;

	/* Scene model: live buffers drift toward a target that changes. */
	uint64_t target;
	uint64_t scene_left;

	uint64_t emitted;
	uint64_t total;
};

static void emit_explain(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit_explain(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->explain) {
		fputc('\n', g->out);
		return;
	}
	fputs("\t# ", g->out);
	va_start(ap, fmt);
	vfprintf(g->out, fmt, ap);
	va_end(ap);
	fputc('\n', g->out);
}

static uint64_t buffer_size(struct gen *g, unsigned int *kind)
{
	uint64_t p = rng_below(&g->rng, 1000);

	if (p < 550) {
		*kind = (unsigned int)rng_below(&g->rng, 4); /* small */
		return rng_log_size(&g->rng, PAGE, 64 * KIB, PAGE);
	}
	if (p < 850) {
		*kind = 3 + (unsigned int)rng_below(&g->rng, 4);
		return rng_log_size(&g->rng, 64 * KIB, HUGE, PAGE);
	}
	*kind = 6 + (unsigned int)rng_below(&g->rng, 2); /* images */
	if (!g->large) {
		if (p < 990)
			return rng_log_size(&g->rng, HUGE, 32 * MIB, HUGE);
		return rng_log_size(&g->rng, 32 * MIB, 256 * MIB, HUGE);
	}
	/* --large: one image in six is 256 MiB to 4 GiB. */
	if (p < 950)
		return rng_log_size(&g->rng, HUGE, 32 * MIB, HUGE);
	if (p < 975)
		return rng_log_size(&g->rng, 32 * MIB, 256 * MIB, HUGE);
	return rng_log_size(&g->rng, 256 * MIB, 4 * GIB, HUGE);
}

static uint64_t va_align(uint64_t size)
{
	if (size >= HUGE)
		return HUGE;
	if (size >= TILE)
		return TILE;
	return PAGE;
}

static void buffer_push(struct gen *g, const struct buffer *b)
{
	if (g->nbufs == g->capbufs) {
		g->capbufs = g->capbufs ? 2 * g->capbufs : 256;
		g->bufs = xrealloc(g->bufs, g->capbufs, sizeof(*g->bufs));
	}
	g->bufs[g->nbufs++] = *b;
	g->alive_bytes += b->size;
}

/* A cached BO of at least @size and less than twice it, or -1. */
static long cache_find(const struct gen *g, uint64_t size)
{
	for (size_t i = 0; i < g->ncache; i++)
		if (g->cache[i].size >= size && g->cache[i].size / 2 < size)
			return (long)i;
	return -1;
}

/*
 * Create a buffer, using at most @lines trace lines.  Returns the lines
 * written (0: nothing possible now).
 */
static uint64_t op_create(struct gen *g, uint64_t lines)
{
	struct buffer b;
	long c;
	uint64_t size = buffer_size(g, &b.kind);
	bool fresh;

	c = cache_find(g, size);
	if (c >= 0) {
		size = g->cache[c].size;
		fresh = false;
	} else {
		fresh = true;
		if (lines < 2)
			return 0;
		if (g->bo_budget && g->declared + size > g->bo_budget)
			return 0;
	}
	if (g->alive_bytes + size > g->alive_max)
		return 0;
	if (!heap_alloc(&g->heap, size, va_align(size), &b.addr))
		return 0;
	b.size = size;

	if (fresh) {
		b.bo = g->next_bo++;
		g->declared += size;
		fprintf(g->out, "bo %" PRIu64 " 0x%" PRIx64, b.bo, size);
		emit_explain(g, "new %s BO", kind_names[b.kind]);
	} else {
		b.bo = g->cache[c].id;
		g->cache[c] = g->cache[--g->ncache];
	}
	fprintf(g->out, "map 0x%" PRIx64 " 0x%" PRIx64 " %" PRIu64 " 0x0",
		b.addr, size, b.bo);
	emit_explain(g, "create %s (%s BO)", kind_names[b.kind],
		     fresh ? "new" : "cached");
	buffer_push(g, &b);
	return fresh ? 2 : 1;
}

static uint64_t op_destroy(struct gen *g)
{
	size_t i;
	struct buffer b;

	if (!g->nbufs)
		return 0;
	/* Half the time one of the newest: transient buffers die young. */
	if (rng_below(&g->rng, 2) && g->nbufs > 16)
		i = g->nbufs - 1 - (size_t)rng_below(&g->rng, 16);
	else
		i = (size_t)rng_below(&g->rng, g->nbufs);
	b = g->bufs[i];
	g->bufs[i] = g->bufs[--g->nbufs];
	g->alive_bytes -= b.size;

	fprintf(g->out, "bo-unmap %" PRIu64, b.bo);
	emit_explain(g, "destroy %s", kind_names[b.kind]);
	heap_free(&g->heap, b.addr, b.size);

	/* Into the BO cache; the oldest entry is dropped when it is full. */
	if (g->ncache == CACHE_SLOTS) {
		memmove(&g->cache[0], &g->cache[1],
			(CACHE_SLOTS - 1) * sizeof(g->cache[0]));
		g->ncache--;
	}
	g->cache[g->ncache].id = b.bo;
	g->cache[g->ncache].size = b.size;
	g->ncache++;
	return 1;
}

static uint64_t op_reserve(struct gen *g)
{
	struct reservation *r;
	uint64_t size, addr;

	if (g->nresv == MAX_RESERVATIONS)
		return 0;
	size = rng_log_size(&g->rng, MIB, 256 * MIB, TILE);
	if (!heap_alloc(&g->heap, size, va_align(size), &addr))
		return 0;
	r = &g->resv[g->nresv++];
	r->addr = addr;
	r->size = size;
	r->ntiles = (uint32_t)(size / TILE);
	r->nbound = 0;
	r->bound = calloc(r->ntiles, 1);
	if (!r->bound) {
		fprintf(stderr, "gpuvm-gen-workload: out of memory\n");
		exit(1);
	}
	fprintf(g->out, "map 0x%" PRIx64 " 0x%" PRIx64 " 0 0x0", addr, size);
	emit_explain(g, "sparse resource: NULL reservation of %" PRIu32
		     " tiles", r->ntiles);
	return 1;
}

static uint64_t op_unreserve(struct gen *g)
{
	size_t i;
	struct reservation *r;

	if (!g->nresv)
		return 0;
	i = (size_t)rng_below(&g->rng, g->nresv);
	r = &g->resv[i];
	fprintf(g->out, "unmap 0x%" PRIx64 " 0x%" PRIx64, r->addr, r->size);
	emit_explain(g, "destroy sparse resource (%" PRIu32 " tiles bound)",
		     r->nbound);
	heap_free(&g->heap, r->addr, r->size);
	g->tiles_bound -= r->nbound;
	free(r->bound);
	*r = g->resv[--g->nresv];
	return 1;
}

static uint64_t op_new_pool(struct gen *g, uint64_t lines)
{
	struct pool *p;
	uint64_t size;

	if (lines < 1 || g->npools == MAX_POOLS)
		return 0;
	size = rng_log_size(&g->rng, MIB, 64 * MIB, TILE);
	if (g->bo_budget && g->declared + size > g->bo_budget)
		return 0;
	p = &g->pools[g->npools++];
	p->id = g->next_bo++;
	p->size = size;
	g->declared += size;
	fprintf(g->out, "bo %" PRIu64 " 0x%" PRIx64, p->id, size);
	emit_explain(g, "memory pool for sparse tiles");
	return 1;
}

/* Bind a run of 1 to 16 tiles of a reservation to a pool slice. */
static uint64_t op_bind(struct gen *g, uint64_t lines)
{
	struct reservation *r;
	const struct pool *p;
	uint64_t first, n, slot, nslots;

	if (!g->nresv)
		return 0;
	if (!g->npools || (g->npools < MAX_POOLS && !rng_below(&g->rng, 64)))
		return op_new_pool(g, lines);

	r = &g->resv[rng_below(&g->rng, g->nresv)];
	p = &g->pools[rng_below(&g->rng, g->npools)];
	n = rng_below(&g->rng, 4) ? 1 : rng_range(&g->rng, 2, 16);
	if (n > r->ntiles)
		n = r->ntiles;
	nslots = p->size / TILE;
	if (n > nslots)
		n = nslots;
	first = rng_below(&g->rng, r->ntiles - n + 1);
	slot = rng_below(&g->rng, nslots - n + 1);
	for (uint64_t t = first; t < first + n; t++)
		if (!r->bound[t]) {
			r->bound[t] = 1;
			r->nbound++;
			g->tiles_bound++;
		}
	fprintf(g->out, "map 0x%" PRIx64 " 0x%" PRIx64 " %" PRIu64 " 0x%" PRIx64,
		r->addr + first * TILE, n * TILE, p->id, slot * TILE);
	emit_explain(g, "bind %" PRIu64 " tile(s) of a sparse resource", n);
	return 1;
}

/* Unbind a bound tile: map it back to NULL. */
static uint64_t op_unbind(struct gen *g)
{
	struct reservation *r = NULL;
	uint64_t t, start;

	if (!g->tiles_bound)
		return 0;
	/* A reservation with bound tiles, then one of them. */
	start = rng_below(&g->rng, g->nresv);
	for (size_t k = 0; k < g->nresv; k++) {
		r = &g->resv[(start + k) % g->nresv];
		if (r->nbound)
			break;
	}
	start = rng_below(&g->rng, r->ntiles);
	for (t = 0; t < r->ntiles; t++)
		if (r->bound[(start + t) % r->ntiles])
			break;
	t = (start + t) % r->ntiles;
	r->bound[t] = 0;
	r->nbound--;
	g->tiles_bound--;
	fprintf(g->out, "map 0x%" PRIx64 " 0x%" PRIx64 " 0 0x0",
		r->addr + t * TILE, TILE);
	emit_explain(g, "unbind a tile (back to NULL)");
	return 1;
}

/* Something harmless that is always possible and takes one line. */
static uint64_t op_prefetch(struct gen *g)
{
	fprintf(g->out, "prefetch 0x%" PRIx64 " 0x%" PRIx64,
		(UINT64_C(1) << 48) - HUGE, HUGE);
	emit_explain(g, "prefetch the top 2 MiB");
	return 1;
}

enum op { OP_CREATE, OP_DESTROY, OP_RESERVE, OP_UNRESERVE, OP_BIND,
	  OP_UNBIND, OP_COUNT };

static void new_scene(struct gen *g)
{
	uint64_t hi = g->large ? 2000 : 3000;

	g->target = rng_range(&g->rng, 100, hi);
	g->scene_left = rng_range(&g->rng, 1000, 20000);
}

static uint64_t step(struct gen *g, uint64_t lines)
{
	unsigned int w[OP_COUNT];
	unsigned int sum = 0, pick;
	bool below = g->nbufs < g->target;

	if (!g->scene_left--)
		new_scene(g);

	w[OP_CREATE] = below ? 60 : 20;
	w[OP_DESTROY] = g->nbufs ? (below ? 20 : 60) : 0;
	w[OP_RESERVE] = g->nresv < 8 ? 6 : 1;
	w[OP_UNRESERVE] = g->nresv > 4 ? 1 : 0;
	w[OP_BIND] = g->nresv ? 25 : 0;
	w[OP_UNBIND] = g->tiles_bound ? 18 : 0;
	for (int i = 0; i < OP_COUNT; i++)
		sum += w[i];
	pick = (unsigned int)rng_below(&g->rng, sum);
	for (int i = 0; i < OP_COUNT; i++) {
		if (pick >= w[i]) {
			pick -= w[i];
			continue;
		}
		switch (i) {
		case OP_CREATE:
			return op_create(g, lines);
		case OP_DESTROY:
			return op_destroy(g);
		case OP_RESERVE:
			return op_reserve(g);
		case OP_UNRESERVE:
			return op_unreserve(g);
		case OP_BIND:
			return op_bind(g, lines);
		default:
			return op_unbind(g);
		}
	}
	return 0;
}

static int parse_u64(const char *s, uint64_t *out, bool suffix)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	if (suffix && *end) {
		unsigned int shift = 0;

		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -EINVAL;
		}
		if (end[1] || v > (UINT64_MAX >> shift))
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "gpuvm-gen-workload: %s%s%s\n"
		"Try 'gpuvm-gen-workload --help'.\n", msg, arg ? ": " : "",
		arg ? arg : "");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "commands", required_argument, NULL, 'n' },
		{ "large", no_argument, NULL, 'l' },
		{ "alive-max", required_argument, NULL, 'A' },
		{ "bo-budget", required_argument, NULL, 'B' },
		{ "dump", no_argument, NULL, 'D' },
		{ "explain", no_argument, NULL, 'E' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g;
	uint64_t seed = 1, commands = 10000, alive_max = 0;
	bool dump = false;
	const char *output = NULL;
	int c;

	memset(&g, 0, sizeof(g));
	while ((c = getopt_long(argc, argv, "s:n:lo:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_u64(optarg, &seed, false))
				return usage_error("bad seed", optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &commands, false))
				return usage_error("bad number of commands", optarg);
			break;
		case 'l':
			g.large = true;
			break;
		case 'A':
			if (parse_u64(optarg, &alive_max, true) || !alive_max)
				return usage_error("bad --alive-max", optarg);
			break;
		case 'B':
			if (parse_u64(optarg, &g.bo_budget, true))
				return usage_error("bad --bo-budget", optarg);
			break;
		case 'D':
			dump = true;
			break;
		case 'E':
			g.explain = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(help_text, stdout);
			return 0;
		default:
			return usage_error("bad option", NULL);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);

	g.alive_max = alive_max ? alive_max : g.large ? 48 * GIB : 2 * GIB;
	g.out = output ? fopen(output, "w") : stdout;
	if (!g.out) {
		fprintf(stderr, "gpuvm-gen-workload: %s: %s\n", output,
			strerror(errno));
		return 1;
	}
	rng_seed(&g.rng, seed);
	heap_init(&g.heap, RESV_SIZE, UINT64_C(1) << 48);
	g.next_bo = 1;
	new_scene(&g);

	fprintf(g.out,
		"# Generated by gpuvm-gen-workload --seed=%" PRIu64
		" --commands=%" PRIu64 "%s --alive-max=%" PRIu64
		" --bo-budget=%" PRIu64 "%s\n"
		"# A Vulkan-style driver: VA from the top of a 48-bit space, buffers\n"
		"# created and destroyed (bo-unmap), sparse NULL reservations with\n"
		"# 64 KiB tiles bound and unbound.\n"
		"vm 0x0 0x%" PRIx64 " 0x0 0x%" PRIx64 "\n",
		seed, commands, g.large ? " --large" : "", g.alive_max,
		g.bo_budget, dump ? " --dump" : "", UINT64_C(1) << 48,
		RESV_SIZE);

	dump = dump && commands;
	if (dump)
		commands--;
	while (g.emitted < commands) {
		uint64_t left = commands - g.emitted;
		uint64_t n = step(&g, left);

		/* The last line, or a request that could not be met. */
		if (!n && (left == 1 || !rng_below(&g.rng, 8)))
			n = op_prefetch(&g);
		g.emitted += n;
	}
	if (dump)
		fputs("dump\n", g.out);

	{
		uint64_t resv_bytes = 0;

		for (size_t i = 0; i < g.nresv; i++)
			resv_bytes += g.resv[i].size;
		fprintf(g.out,
			"# end: %zu buffers alive (0x%" PRIx64 " bytes), "
			"%zu sparse reservations (0x%" PRIx64 " bytes), "
			"%" PRIu64 " tiles bound, 0x%" PRIx64
			" bytes of BOs declared\n",
			g.nbufs, g.alive_bytes, g.nresv, resv_bytes,
			g.tiles_bound, g.declared);
	}

	for (size_t i = 0; i < g.nresv; i++)
		free(g.resv[i].bound);
	free(g.bufs);
	free(g.heap.h);
	if (fflush(g.out) || ferror(g.out) || (output && fclose(g.out))) {
		fprintf(stderr, "gpuvm-gen-workload: write error\n");
		return 1;
	}
	return 0;
}
