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
#include <math.h>
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

static double seg_weight(uint64_t range)
{
	return 1.0 + log2(1.0 + (double)range / (double)PG);
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

int svg_write(const char *path, struct gpuvm *gv, struct gpuvm_mali_vm *mali,
	      unsigned int shift, uint64_t (*bo_id)(const struct gpuvm_bo *))
{
	struct gpuvm_mali_pgtable *pt = mali ? gpuvm_mali_vm_pgtable(mali) : NULL;
	double total = 0, x = LEFT, last_label = -1e9, scale;
	uint64_t seen[NPALETTE * 2];
	size_t n = 0, i, nseen = 0, j;
	unsigned long nblocks = 0, nvas = 0;
	struct seg *s;
	FILE *f;
	int err;

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
		total += seg_weight(s[i].range);
	scale = total > 0 ? (WIDTH - 2 * LEFT) / total : 0;
	for (i = 0; i < n; i++) {
		s[i].x = x;
		s[i].w = seg_weight(s[i].range) * scale;
		x += s[i].w;
	}

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"260\" viewBox=\"0 0 %.0f 260\" font-family=\"monospace\" font-size=\"10\">\n",
		WIDTH, WIDTH);
	fputs("<defs>\n"
	      "<pattern id=\"null\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#ddd\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#888\" stroke-width=\"2\"/></pattern>\n"
	      "<pattern id=\"resv\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"8\" height=\"8\" fill=\"#555\"/><path d=\"M0 0L8 8M8 0L0 8\" stroke=\"#999\" stroke-width=\"1\"/></pattern>\n"
	      "</defs>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"260\" fill=\"white\"/>\n",
		WIDTH);
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

	free(s);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "gpuvm-replay: %s: write error\n", path);
		return -1;
	}
	return 0;
}
