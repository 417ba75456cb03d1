// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay --svg.
 *
 * The address axis is piecewise: the VM range is cut into segments (each
 * VA, each gap between them, the reserved region) and every segment gets
 * a width growing with the logarithm of its size, so a 4 KiB mapping next
 * to a 100 GiB hole stays visible.  Within a segment the scale is linear.
 * Boundaries are labelled with their addresses (trace units).
 */
#include "svg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/mali_pgtable.h>

#define WIDTH		1200.0
#define LEFT		20.0
#define BAR_Y		60.0
#define BAR_H		60.0
#define PG		0x1000ull

/* Up to this many VAs, every VA and gap is drawn on its own. */
#define SVG_EXACT_MAX_VAS	256

enum seg_kind { SEG_GAP, SEG_VA, SEG_NULL, SEG_RESERVED };

struct seg {
	enum seg_kind kind;
	uint64_t addr, range;
	const struct gpuvm_va *va;
	double x, w;
};

/* A deterministic palette, indexed by BO id. */
static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
	"#b07aa1", "#ff9da7", "#9c755f", "#8cd17d", "#499894", "#d37295",
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

static const char *bo_colour(uint64_t id)
{
	return palette[(id - 1) % NPALETTE];
}

/*
 * log2() for the widths, computed here so that the tool needs libc only:
 * in double-double arithmetic (about 100 bits) and rounded once, which
 * gives the correctly rounded log2 (libm's differs from it in the last
 * bit for about 2 inputs in 10,000, too little to move a printed figure).
 * Dekker's exact product needs a * b + c evaluated as written, never
 * fused: meson.build passes -ffp-contract=off.
 */

/* a value hi + lo, |lo| at most half an ulp of hi */
struct dd {
	double hi, lo;
};

/* a + b exactly, when |a| >= |b| */
static struct dd quick_sum(double a, double b)
{
	double s = a + b;

	return (struct dd){ s, b - (s - a) };
}

/* a + b exactly */
static struct dd exact_sum(double a, double b)
{
	double s = a + b, v = s - a;

	return (struct dd){ s, (a - (s - v)) + (b - v) };
}

/* a * b exactly (Dekker: each factor cut in two 26-bit halves) */
static struct dd exact_prod(double a, double b)
{
	double p = a * b, ca = 134217729.0 * a, cb = 134217729.0 * b;
	double ah = ca - (ca - a), al = a - ah;
	double bh = cb - (cb - b), bl = b - bh;

	return (struct dd){ p, ((ah * bh - p) + ah * bl + al * bh) + al * bl };
}

static struct dd dd_add(struct dd x, struct dd y)
{
	struct dd s = exact_sum(x.hi, y.hi), t = exact_sum(x.lo, y.lo);

	s = quick_sum(s.hi, s.lo + t.hi);
	return quick_sum(s.hi, s.lo + t.lo);
}

static struct dd dd_mul(struct dd x, struct dd y)
{
	struct dd p = exact_prod(x.hi, y.hi);

	return quick_sum(p.hi, p.lo + (x.hi * y.lo + x.lo * y.hi));
}

/* x / y: three quotient digits, each from the remainder of the last */
static struct dd dd_div(struct dd x, struct dd y)
{
	double q1 = x.hi / y.hi, q2, q3;
	struct dd r = dd_add(x, dd_mul((struct dd){ -q1, 0 }, y));

	q2 = r.hi / y.hi;
	r = dd_add(r, dd_mul((struct dd){ -q2, 0 }, y));
	q3 = r.hi / y.hi;
	return dd_add(quick_sum(q1, q2), (struct dd){ q3, 0 });
}

/* log2(@x) for a finite @x >= 1 */
static double log2_of(double x)
{
	/* 1 / ln 2 to 107 bits */
	static const struct dd log2e = { 0x1.71547652b82fep+0,
					 0x1.777d0ffda0d24p-56 };
	struct dd u, t, sum, ln;
	double m = x;
	int e = 0, k;

	/* x = m * 2^e, m in [sqrt(1/2), sqrt(2)) */
	while (m >= 2.0) {
		m *= 0.5;
		e++;
	}
	if (m > 0x1.6a09e667f3bcdp+0) {
		m *= 0.5;
		e++;
	}
	/* ln m = 2 atanh(u) = 2 (u + u^3/3 + u^5/5 + ...), u = (m-1)/(m+1) */
	u = dd_div((struct dd){ m - 1.0, 0 }, exact_sum(m, 1.0));
	t = dd_mul(u, u);
	/* |u| < 0.1716: t^22 / 45 is below 2^-116 */
	sum = dd_div((struct dd){ 1.0, 0 }, (struct dd){ 45.0, 0 });
	for (k = 21; k >= 0; k--)
		sum = dd_add(dd_mul(sum, t),
			     dd_div((struct dd){ 1.0, 0 },
				    (struct dd){ 2.0 * k + 1, 0 }));
	ln = dd_mul((struct dd){ 2.0 * u.hi, 2.0 * u.lo }, sum);
	return dd_add((struct dd){ (double)e, 0 }, dd_mul(ln, log2e)).hi;
}

static double seg_weight(uint64_t range)
{
	return 1.0 + log2_of(1.0 + (double)range / (double)PG);
}

static struct seg *collect(struct gpuvm *gv, size_t *count)
{
	const struct gpuvm_va *va;
	uint64_t cursor = gv->mm_start, end = gv->mm_start + gv->mm_range;
	size_t n = 0, cap = 16;
	struct seg *s = malloc(cap * sizeof(*s));
	bool at_top = false;	/* a VA ends at 2^64 */

	if (!s)
		return NULL;
	gpuvm_for_each_va(va, gv) {
		if (n + 2 > cap) {
			struct seg *t = realloc(s, 2 * cap * sizeof(*s));

			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
			cap *= 2;
		}
		if (va->addr > cursor)
			s[n++] = (struct seg){ SEG_GAP, cursor, va->addr - cursor,
					       NULL, 0, 0 };
		s[n++] = (struct seg){
			va == &gv->kernel_alloc_node ? SEG_RESERVED :
			va->obj ? SEG_VA : SEG_NULL,
			va->addr, va->range, va, 0, 0 };
		cursor = va->addr + va->range;
		at_top = cursor == 0;
	}
	if (!at_top && end != cursor) {
		if (n + 1 > cap) {
			struct seg *t = realloc(s, (cap + 1) * sizeof(*s));

			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
		}
		s[n++] = (struct seg){ SEG_GAP, cursor, end - cursor, NULL,
				       0, 0 };
	}
	*count = n;
	return s;
}

/* The <svg> element, the NULL and reserved patterns, a white background. */
static void svg_begin(FILE *f, double height)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"10\">\n",
		WIDTH, height, WIDTH, height);
	fputs("<defs>\n"
	      "<pattern id=\"null\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#ddd\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#888\" stroke-width=\"2\"/></pattern>\n"
	      "<pattern id=\"resv\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"8\" height=\"8\" fill=\"#555\"/><path d=\"M0 0L8 8M8 0L0 8\" stroke=\"#999\" stroke-width=\"1\"/></pattern>\n"
	      "</defs>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n",
		WIDTH, height);
}

/* Draw the parts of @sg mapped by 2 MiB (or larger) blocks. */
static void draw_blocks(FILE *f, struct gpuvm_mali_pgtable *pt,
			const struct seg *sg, unsigned long *nblocks)
{
	uint64_t addr = sg->addr, end = sg->addr + sg->range;
	const uint64_t blk = 0x200000;
	struct gpuvm_mali_pt_entry e;

	while (addr < end) {
		uint64_t next;

		if (gpuvm_mali_pt_lookup(pt, addr, &e) == 0 && e.level < 3 &&
		    e.size) {
			uint64_t bs = addr & ~(e.size - 1);
			uint64_t lo = bs > sg->addr ? bs : sg->addr;
			uint64_t hi = bs + e.size < end ? bs + e.size : end;
			double x0 = sg->x + sg->w * (double)(lo - sg->addr) /
					    (double)sg->range;
			double x1 = sg->x + sg->w * (double)(hi - sg->addr) /
					    (double)sg->range;

			fprintf(f, "<rect class=\"huge\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"8\" fill=\"#222\"/>\n",
				x0, BAR_Y + BAR_H - 8, x1 - x0 > 0.5 ? x1 - x0 : 0.5);
			(*nblocks)++;
			next = bs + e.size;
		} else {
			/* No block here: skip to the next 2 MiB boundary. */
			next = (addr | (blk - 1)) + 1;
		}
		if (next <= addr)
			break;
		addr = next;
	}
}

/* Small VMs: one rectangle per VA and per gap. */
static void draw_exact(FILE *f, struct seg *s, size_t n, struct gpuvm *gv,
		       struct gpuvm_mali_pgtable *pt, unsigned int shift,
		       uint64_t (*bo_id)(const struct gpuvm_bo *))
{
	double total = 0, x = LEFT, last_label = -1e9, scale;
	uint64_t seen[NPALETTE * 2];
	size_t i, nseen = 0, j;
	unsigned long nblocks = 0, nvas = 0;

	for (i = 0; i < n; i++)
		total += seg_weight(s[i].range);
	scale = total > 0 ? (WIDTH - 2 * LEFT) / total : 0;
	for (i = 0; i < n; i++) {
		s[i].x = x;
		s[i].w = seg_weight(s[i].range) * scale;
		x += s[i].w;
	}

	svg_begin(f, 260);
	fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"13\">gpuvm-replay: VA space [0x%" PRIx64 ", +0x%" PRIx64 ") (compressed scale: width grows with log(size))</text>\n",
		LEFT, gv->mm_start >> shift, gv->mm_range >> shift);

	for (i = 0; i < n; i++) {
		const struct seg *sg = &s[i];
		uint64_t id;

		switch (sg->kind) {
		case SEG_GAP:
			fprintf(f, "<rect class=\"gap\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.0f\" fill=\"#f4f4f4\" stroke=\"#ccc\" stroke-width=\"0.5\"/>\n",
				sg->x, BAR_Y + BAR_H / 2 - 2, sg->w, 4.0);
			break;
		case SEG_RESERVED:
			fprintf(f, "<rect class=\"reserved\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.0f\" fill=\"url(#resv)\"><title>reserved 0x%" PRIx64 " +0x%" PRIx64 "</title></rect>\n",
				sg->x, BAR_Y, sg->w, BAR_H,
				sg->addr >> shift, sg->range >> shift);
			break;
		case SEG_NULL:
			nvas++;
			fprintf(f, "<rect class=\"va\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.0f\" fill=\"url(#null)\" stroke=\"#666\" stroke-width=\"0.5\"><title>NULL 0x%" PRIx64 " +0x%" PRIx64 "</title></rect>\n",
				sg->x, BAR_Y, sg->w, BAR_H,
				sg->addr >> shift, sg->range >> shift);
			break;
		case SEG_VA:
			nvas++;
			id = bo_id(sg->va->obj);
			fprintf(f, "<rect class=\"va\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"><title>BO %" PRIu64 " 0x%" PRIx64 " +0x%" PRIx64 " offset 0x%" PRIx64 "</title></rect>\n",
				sg->x, BAR_Y, sg->w, BAR_H, bo_colour(id), id,
				sg->addr >> shift, sg->range >> shift,
				sg->va->offset >> shift);
			if (sg->w > 30)
				fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" fill=\"white\">%" PRIu64 "</text>\n",
					sg->x + 3, BAR_Y + 14, id);
			if (pt)
				draw_blocks(f, pt, sg, &nblocks);
			for (j = 0; j < nseen && seen[j] != id; j++)
				;
			if (j == nseen && nseen < sizeof(seen) / sizeof(seen[0]))
				seen[nseen++] = id;
			break;
		}
		if (sg->x - last_label >= 70) {
			fprintf(f, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"#000\"/>\n",
				sg->x, BAR_Y + BAR_H, sg->x, BAR_Y + BAR_H + 6);
			fprintf(f, "<text x=\"%.2f\" y=\"%.0f\" transform=\"rotate(30 %.2f %.0f)\">0x%" PRIx64 "</text>\n",
				sg->x, BAR_Y + BAR_H + 16, sg->x,
				BAR_Y + BAR_H + 16, sg->addr >> shift);
			last_label = sg->x;
		}
	}

	/* Legend. */
	x = LEFT;
	for (j = 0; j < nseen && j < 12; j++) {
		fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"200\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%.0f\" y=\"210\">BO %" PRIu64 "</text>\n",
			x, bo_colour(seen[j]), x + 16, seen[j]);
		x += 80;
	}
	fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"225\" width=\"12\" height=\"12\" fill=\"url(#null)\"/><text x=\"%.0f\" y=\"235\">NULL (sparse)</text>\n",
		LEFT, LEFT + 16);
	fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"225\" width=\"12\" height=\"12\" fill=\"url(#resv)\"/><text x=\"%.0f\" y=\"235\">reserved</text>\n",
		LEFT + 130, LEFT + 146);
	fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"229\" width=\"12\" height=\"4\" fill=\"#f4f4f4\" stroke=\"#ccc\"/><text x=\"%.0f\" y=\"235\">gap (unmapped)</text>\n",
		LEFT + 230, LEFT + 246);
	if (pt)
		fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"229\" width=\"12\" height=\"8\" fill=\"#222\"/><text x=\"%.0f\" y=\"235\">2 MiB block mapping (rest: 4 KiB pages); %lu block%s</text>\n",
			LEFT + 360, LEFT + 376, nblocks, nblocks == 1 ? "" : "s");
	fprintf(f, "<text x=\"%.0f\" y=\"255\">%lu VA%s</text>\n", LEFT, nvas,
		nvas == 1 ? "" : "s");
	fputs("</svg>\n", f);
}

/*
 * Large VMs (more than SVG_EXACT_MAX_VAS VAs): the picture keeps a bounded
 * size whatever the VA count.
 *
 *  - Empty stretches longer than 1/64 of the mapped bytes (at most
 *    AGG_MAX_CUTS of them, the longest) are cut out and drawn as a break.
 *  - What is left forms clusters, drawn on a linear scale (each at least
 *    AGG_MIN_CLUSTER_PX wide) and divided into bins of about AGG_BIN_PX
 *    pixels, aligned to trace units.  A bin's height shows how much of it
 *    is mapped (BO-backed, then NULL, then reserved, stacked); its colour is
 *    the BO with the most bytes in it.  Its tooltip gives the exact
 *    figures.
 *  - The legend lists the BOs by footprint, the largest first, and says
 *    how many more there are.
 */
#define AGG_BIN_PX		2.0
#define AGG_BREAK_W		14.0
#define AGG_MAX_CUTS		48
#define AGG_MIN_CLUSTER_PX	4.0
#define AGG_HEIGHT		300.0
#define AGG_LEGEND_BOS		12
#define AGG_LABEL_PX		80.0

struct bin {
	uint64_t lo, range;	/* GPU bytes */
	uint64_t bo_bytes, null_bytes, resv_bytes, block_bytes;
	uint64_t top_id, top_bytes;
	unsigned long nvas;	/* VAs starting in the bin */
};

struct bo_bytes {
	uint64_t id, bytes;
	unsigned long nvas;
};

struct cluster {
	size_t first, last;	/* segments, inclusive */
	uint64_t lo, bytes;
	double x, w;
};

/* Growable arrays, all freed by draw_aggregated(). */
static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	q = realloc(*p, ncap * size);
	if (!q)
		return false;
	*p = q;
	*cap = ncap;
	return true;
}

static int cmp_id(const void *a, const void *b)
{
	const struct bo_bytes *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Largest footprint first; equal footprints by increasing id. */
static int cmp_footprint(const void *a, const void *b)
{
	const struct bo_bytes *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return cmp_id(a, b);
}

/* Sort by id and add up the entries of each id; returns the new count. */
static size_t reduce_by_id(struct bo_bytes *v, size_t n)
{
	size_t i, m = 0;

	if (n < 2)
		return n;	/* v may be NULL when n is 0 */
	qsort(v, n, sizeof(*v), cmp_id);
	for (i = 0; i < n; i++) {
		if (m && v[m - 1].id == v[i].id) {
			v[m - 1].bytes += v[i].bytes;
			v[m - 1].nvas += v[i].nvas;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

static int cmp_gap_size(const void *a, const void *b)
{
	const struct seg *const *x = a, *const *y = b;

	if ((*x)->range != (*y)->range)
		return (*x)->range > (*y)->range ? -1 : 1;
	return (*x)->addr < (*y)->addr ? -1 : 1;
}

/* a * i / n without overflow, for i <= n. */
static uint64_t mul_div(uint64_t a, uint64_t i, uint64_t n)
{
	return a / n * i + a % n * i / n;
}

/* Bytes of [lo, lo + range) mapped by 2 MiB (or larger) blocks. */
static uint64_t block_bytes(struct gpuvm_mali_pgtable *pt, uint64_t lo,
			    uint64_t range)
{
	uint64_t addr = lo, end = lo + range, sum = 0;
	struct gpuvm_mali_pt_entry e;

	while (addr < end) {
		uint64_t next;

		if (gpuvm_mali_pt_lookup(pt, addr, &e) == 0 && e.level < 3 &&
		    e.size) {
			next = (addr & ~(e.size - 1)) + e.size;
			sum += (next < end ? next : end) - addr;
		} else {
			next = (addr | (0x200000 - 1)) + 1;
		}
		if (next <= addr)
			break;
		addr = next;
	}
	return sum;
}

/* "256 MiB", "1.5 GiB", "4 KiB", "12 B". */
static void fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%" PRIu64 " %s", (uint64_t)v, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

/*
 * log2 of the bin granule of cluster @c: the lowest bit set in any of its
 * boundaries, at least @shift, lowered until the granule is at most @max
 * (but not below @shift).
 */
static unsigned int granule_shift(const struct seg *s, const struct cluster *c,
				  unsigned int shift, uint64_t max)
{
	uint64_t bits = 0;
	unsigned int g = 63;

	for (size_t i = c->first; i <= c->last; i++)
		bits |= s[i].addr | s[i].range;
	if (bits)
		g = (unsigned int)__builtin_ctzll(bits);
	while (g > shift && ((uint64_t)1 << g) > max)
		g--;
	return g < shift ? shift : g;
}

static const char *legend_colour(const struct bo_bytes *fp, size_t nlegend,
				 uint64_t id)
{
	for (size_t i = 0; i < nlegend; i++)
		if (fp[i].id == id)
			return palette[i % NPALETTE];
	return "#a0a0a0";
}

/* Close bin @b: find the BO with the most bytes among @c[0..n). */
static void bin_close(struct bin *b, struct bo_bytes *c, size_t n)
{
	n = reduce_by_id(c, n);
	b->top_id = 0;
	b->top_bytes = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].bytes > b->top_bytes) {
			b->top_id = c[i].id;
			b->top_bytes = c[i].bytes;
		}
}

static void draw_label(FILE *f, double x, uint64_t addr)
{
	fprintf(f, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"#000\"/>\n",
		x, BAR_Y + BAR_H, x, BAR_Y + BAR_H + 6);
	fprintf(f, "<text x=\"%.2f\" y=\"%.0f\" transform=\"rotate(30 %.2f %.0f)\">0x%" PRIx64 "</text>\n",
		x, BAR_Y + BAR_H + 16, x, BAR_Y + BAR_H + 16, addr);
}

/* A stacked part of a bin: @bytes of @total, drawn above *@y_bottom. */
static void draw_part(FILE *f, const char *cls, const char *fill, double x,
		      double w, uint64_t bytes, uint64_t total,
		      double *y_bottom)
{
	double h;

	if (!bytes)
		return;
	h = BAR_H * (double)bytes / (double)total;
	if (h < 1)
		h = 1;	/* whatever is there stays visible */
	if (h > *y_bottom - BAR_Y)
		h = *y_bottom - BAR_Y;
	*y_bottom -= h;
	fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>",
		cls, x, *y_bottom, w, h, fill);
}

static int draw_aggregated(FILE *f, struct seg *s, size_t n,
			   struct gpuvm *gv, struct gpuvm_mali_pgtable *pt,
			   unsigned int shift,
			   uint64_t (*bo_id)(const struct gpuvm_bo *))
{
	struct bo_bytes *fp = NULL, *contrib = NULL;
	size_t nfp = 0, capfp = 0, ncontrib = 0, capcontrib = 0;
	struct seg **gaps = NULL;
	struct cluster *cl = NULL;
	size_t ngaps = 0, ncuts, ncl = 0, i, j, nlegend, nbins_total = 0;
	uint64_t content = 0, rest_bytes = 0;
	unsigned long nvas = 0;
	bool *cut = NULL;
	double avail, x, last_label = -1e9, legend_x;
	int ret = -1;
	char size_buf[32];

	/* Footprint of each BO, and what is mapped at all. */
	for (i = 0; i < n; i++) {
		if (s[i].kind != SEG_GAP)
			content += s[i].range;
		if (s[i].kind == SEG_VA || s[i].kind == SEG_NULL)
			nvas++;
		if (s[i].kind != SEG_VA)
			continue;
		if (!grow((void **)&fp, &capfp, nfp + 1, sizeof(*fp)))
			goto out;
		fp[nfp++] = (struct bo_bytes){ bo_id(s[i].va->obj),
					       s[i].range, 1 };
	}
	nfp = reduce_by_id(fp, nfp);
	if (nfp)
		qsort(fp, nfp, sizeof(*fp), cmp_footprint);
	nlegend = nfp < AGG_LEGEND_BOS ? nfp : AGG_LEGEND_BOS;
	for (i = nlegend; i < nfp; i++)
		rest_bytes += fp[i].bytes;

	/* Which gaps to cut: the longest ones above 1/64 of the content. */
	gaps = malloc((n ? n : 1) * sizeof(*gaps));
	cut = calloc(n ? n : 1, sizeof(*cut));
	cl = malloc((AGG_MAX_CUTS + 1) * sizeof(*cl));
	if (!gaps || !cut || !cl)
		goto out;
	for (i = 0; i < n; i++)
		if (s[i].kind == SEG_GAP && s[i].range > content / 64)
			gaps[ngaps++] = &s[i];
	qsort(gaps, ngaps, sizeof(*gaps), cmp_gap_size);
	ncuts = ngaps < AGG_MAX_CUTS ? ngaps : AGG_MAX_CUTS;
	for (i = 0; i < ncuts; i++)
		cut[gaps[i] - s] = true;

	/* Clusters: the runs of segments between cuts. */
	for (i = 0; i < n; i++) {
		if (cut[i])
			continue;
		if (i == 0 || cut[i - 1]) {
			cl[ncl].first = i;
			cl[ncl].lo = s[i].addr;
			cl[ncl].bytes = 0;
			ncl++;
		}
		cl[ncl - 1].last = i;
		cl[ncl - 1].bytes += s[i].range;
	}
	avail = WIDTH - 2 * LEFT - (double)ncuts * AGG_BREAK_W -
		(double)ncl * AGG_MIN_CLUSTER_PX;
	{
		double total = 0;

		for (i = 0; i < ncl; i++)
			total += (double)cl[i].bytes;
		for (i = 0; i < ncl; i++)
			cl[i].w = AGG_MIN_CLUSTER_PX +
				  avail * (double)cl[i].bytes / total;
	}

	svg_begin(f, AGG_HEIGHT);
	fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"13\">gpuvm-replay: VA space [0x%" PRIx64 ", +0x%" PRIx64 "): %lu VAs, aggregated</text>\n",
		LEFT, gv->mm_start >> shift, gv->mm_range >> shift, nvas);
	fprintf(f, "<text x=\"%.0f\" y=\"38\">linear scale within each stretch; %zu empty stretch%s cut (zigzag); bar height: share of the bin mapped; colour: the BO with the most bytes in it</text>\n",
		LEFT, ncuts, ncuts == 1 ? "" : "es");

	x = LEFT;
	j = 0;	/* next cluster */
	for (i = 0; i < n;) {
		struct cluster *c;
		uint64_t units, nb, b, off;
		unsigned int gshift;
		size_t k;
		double bw;

		if (cut[i]) {
			const struct seg *g = &s[i];
			double y0 = BAR_Y - 4, y1 = BAR_Y + BAR_H + 4;

			fmt_size(size_buf, sizeof(size_buf), g->range);
			fprintf(f, "<g class=\"break\"><title>gap 0x%" PRIx64 " +0x%" PRIx64 " (%s, not to scale)</title>",
				g->addr >> shift, g->range >> shift, size_buf);
			fprintf(f, "<path d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2fL%.2f %.2fL%.2f %.2f\" stroke=\"#555\" fill=\"none\"/></g>\n",
				x + 3, y0, x + 6, y0 + 20, x + 2, y1 - 20,
				x + 5, y1, x + 9, y0, x + 12, y0 + 20,
				x + 8, y1 - 20, x + 11, y1);
			x += AGG_BREAK_W;
			i++;
			continue;
		}

		c = &cl[j++];
		c->x = x;
		fprintf(f, "<rect class=\"stretch\" x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" fill=\"#f4f4f4\" stroke=\"#ccc\" stroke-width=\"0.5\"/>\n",
			x, BAR_Y, c->w, BAR_H);
		draw_label(f, x, c->lo >> shift);
		last_label = x;

		/*
		 * Bins of whole granules: the largest power of two dividing
		 * every boundary of the stretch (trace units at least), no
		 * more than a sixteenth of a bin.
		 */
		nb = (uint64_t)(c->w / AGG_BIN_PX);
		if (nb < 1)
			nb = 1;
		gshift = granule_shift(s, c, shift, c->bytes / nb / 16);
		units = c->bytes >> gshift;
		if (nb > units)
			nb = units;
		bw = c->w / (double)nb;
		k = c->first;
		off = 0;	/* GPU bytes into segment k */
		for (b = 0; b < nb; b++) {
			struct bin bin = { 0 };
			uint64_t left, y_lo;
			double bx = x + bw * (double)b, yb = BAR_Y + BAR_H;

			bin.lo = c->lo + (mul_div(units, b, nb) << gshift);
			bin.range = (mul_div(units, b + 1, nb) -
				     mul_div(units, b, nb)) << gshift;
			left = bin.range;
			ncontrib = 0;
			y_lo = bin.lo;
			/* Walk the segments covering the bin. */
			while (left) {
				const struct seg *sg = &s[k];
				uint64_t take = sg->range - off;

				if (take > left)
					take = left;
				if (!off && (sg->kind == SEG_VA ||
					     sg->kind == SEG_NULL))
					bin.nvas++;
				switch (sg->kind) {
				case SEG_VA:
					bin.bo_bytes += take;
					if (!grow((void **)&contrib, &capcontrib,
						  ncontrib + 1,
						  sizeof(*contrib)))
						goto out;
					contrib[ncontrib++] = (struct bo_bytes){
						bo_id(sg->va->obj), take, 0 };
					if (pt)
						bin.block_bytes +=
							block_bytes(pt, y_lo,
								    take);
					break;
				case SEG_NULL:
					bin.null_bytes += take;
					break;
				case SEG_RESERVED:
					bin.resv_bytes += take;
					break;
				case SEG_GAP:
					break;
				}
				left -= take;
				y_lo += take;
				off += take;
				if (off == sg->range) {
					k++;
					off = 0;
				}
			}
			bin_close(&bin, contrib, ncontrib);
			nbins_total++;

			fprintf(f, "<g class=\"bin\"><title>0x%" PRIx64 " +0x%" PRIx64 ": %lu VAs; BO 0x%" PRIx64 ", NULL 0x%" PRIx64 ", reserved 0x%" PRIx64 "; most: ",
				bin.lo >> shift, bin.range >> shift, bin.nvas,
				bin.bo_bytes >> shift, bin.null_bytes >> shift,
				bin.resv_bytes >> shift);
			if (bin.top_bytes)
				fprintf(f, "BO %" PRIu64 " 0x%" PRIx64,
					bin.top_id, bin.top_bytes >> shift);
			else
				fputs("-", f);
			if (pt)
				fprintf(f, "; in 2 MiB blocks 0x%" PRIx64,
					bin.block_bytes >> shift);
			fputs("</title>", f);
			draw_part(f, "bo", legend_colour(fp, nlegend, bin.top_id),
				  bx, bw, bin.bo_bytes, bin.range, &yb);
			draw_part(f, "null", "url(#null)", bx, bw,
				  bin.null_bytes, bin.range, &yb);
			draw_part(f, "resv", "url(#resv)", bx, bw,
				  bin.resv_bytes, bin.range, &yb);
			if (pt && bin.block_bytes && 2 * bin.block_bytes >=
						     bin.bo_bytes)
				fprintf(f, "<rect class=\"huge\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"4\" fill=\"#222\"/>",
					bx, BAR_Y + BAR_H + 1, bw);
			fputs("</g>\n", f);
			if (bx - last_label >= AGG_LABEL_PX &&
			    x + c->w - bx >= AGG_LABEL_PX / 2) {
				draw_label(f, bx, bin.lo >> shift);
				last_label = bx;
			}
		}
		x += c->w;
		i = c->last + 1;
	}

	/* Legend: BOs by footprint. */
	fprintf(f, "<text x=\"%.0f\" y=\"186\">BOs by bytes mapped (%zu BO%s):</text>\n",
		LEFT, nfp, nfp == 1 ? "" : "s");
	for (i = 0; i < nlegend; i++) {
		double lx = LEFT + (double)(i % 6) * 190;
		double ly = 192 + (double)(i / 6) * 18;

		fmt_size(size_buf, sizeof(size_buf), fp[i].bytes);
		fprintf(f, "<g class=\"legend-bo\"><title>BO %" PRIu64 " 0x%" PRIx64 " in %lu VA%s</title><rect class=\"legend\" x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%.0f\" y=\"%.0f\">BO %" PRIu64 ": %s</text></g>\n",
			fp[i].id, fp[i].bytes >> shift, fp[i].nvas,
			fp[i].nvas == 1 ? "" : "s", lx, ly, palette[i % NPALETTE],
			lx + 16, ly + 10, fp[i].id, size_buf);
	}
	legend_x = LEFT;
	if (nfp > nlegend) {
		fmt_size(size_buf, sizeof(size_buf), rest_bytes);
		fprintf(f, "<g class=\"legend-more\"><rect class=\"legend\" x=\"%.0f\" y=\"228\" width=\"12\" height=\"12\" fill=\"#a0a0a0\"/><text x=\"%.0f\" y=\"238\">+%zu more BO%s (%s)</text></g>\n",
			LEFT, LEFT + 16, nfp - nlegend,
			nfp - nlegend == 1 ? "" : "s", size_buf);
		legend_x += 250;
	}
	fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"228\" width=\"12\" height=\"12\" fill=\"url(#null)\"/><text x=\"%.0f\" y=\"238\">NULL (sparse)</text>\n",
		legend_x, legend_x + 16);
	fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"228\" width=\"12\" height=\"12\" fill=\"url(#resv)\"/><text x=\"%.0f\" y=\"238\">reserved</text>\n",
		legend_x + 130, legend_x + 146);
	if (pt)
		fprintf(f, "<rect class=\"legend\" x=\"%.0f\" y=\"232\" width=\"12\" height=\"4\" fill=\"#222\"/><text x=\"%.0f\" y=\"238\">mostly 2 MiB blocks</text>\n",
			legend_x + 230, legend_x + 246);
	fprintf(f, "<text x=\"%.0f\" y=\"262\">%lu VA%s in %zu bins of %zu stretch%s; hover a bin for its exact figures (trace units)</text>\n",
		LEFT, nvas, nvas == 1 ? "" : "s", nbins_total, ncl,
		ncl == 1 ? "" : "es");
	fputs("</svg>\n", f);
	ret = 0;
out:
	free(fp);
	free(contrib);
	free(gaps);
	free(cut);
	free(cl);
	return ret;
}

int svg_write(const char *path, struct gpuvm *gv, struct gpuvm_mali_vm *mali,
	      unsigned int shift, uint64_t (*bo_id)(const struct gpuvm_bo *))
{
	struct gpuvm_mali_pgtable *pt = mali ? gpuvm_mali_vm_pgtable(mali) : NULL;
	size_t n = 0, i, nvas = 0;
	struct seg *s;
	FILE *f;
	int err, ret = 0;

	s = collect(gv, &n);
	if (!s) {
		fprintf(stderr, "gpuvm-replay: --svg: out of memory\n");
		return -1;
	}
	f = fopen(path, "w");
	if (!f) {
		err = errno;
		fprintf(stderr, "gpuvm-replay: %s: %s\n", path, strerror(err));
		free(s);
		return -1;
	}
	for (i = 0; i < n; i++)
		nvas += s[i].kind == SEG_VA || s[i].kind == SEG_NULL;
	if (nvas <= SVG_EXACT_MAX_VAS)
		draw_exact(f, s, n, gv, pt, shift, bo_id);
	else
		ret = draw_aggregated(f, s, n, gv, pt, shift, bo_id);

	free(s);
	if (ret) {
		fclose(f);
		fprintf(stderr, "gpuvm-replay: --svg: out of memory\n");
		return -1;
	}
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "gpuvm-replay: %s: write error\n", path);
		return -1;
	}
	return 0;
}
