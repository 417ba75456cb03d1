// SPDX-License-Identifier: MIT
/*
 * svg_check: gpuvm-replay --svg must write a well-formed SVG with one VA
 * rectangle per VA of the final VM, or, for large VMs, bins whose figures
 * match the VM exactly.
 *
 *   svg_check [--plain] [--expect SVG] REPLAY TRACE
 *   svg_check [--plain] --synth=N REPLAY
 *
 * Runs "REPLAY --quiet [--mmu=sim] --svg=TMP -" on TRACE followed by a
 * "dump" line, counts the VAs of that last dump and checks that TMP starts
 * with "<svg", ends with "</svg>", has balanced tags, is under 2,000,000
 * bytes and
 *  - for a small VM: has exactly that many elements of class "va" (and,
 *    with --expect, is byte for byte the file SVG);
 *  - for a large one (elements of class "bin"): bins and breaks tile the VM
 *    in address order, breaks lie on empty stretches, each bin's VA count,
 *    BO / NULL / reserved bytes and dominant BO are what the dump says,
 *    and the legend lists the BOs with the largest footprint in order,
 *    then "+N more" for the rest.
 * --synth=N replays a generated trace of N VAs in a few far apart clusters
 * instead of TRACE.  Exit status 0 on success, 1 on mismatch, 99 when the
 * check cannot run.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "split_lines.h"
#include <glib/gstdio.h>

/* Count the "va" lines of the last dump in @out. */
static long last_dump_vas(const char *out)
{
	gchar **lines = split_lines(out);
	long i, n = 0, end = -1;

	for (i = 0; lines[i]; i++)
		if (!strcmp(lines[i], "end"))
			end = i;
	for (i = end - 1; i >= 0 && !strncmp(lines[i], "va ", 3); i--)
		n++;
	g_strfreev(lines);
	return end < 0 ? -1 : n;
}

/* Minimal well-formedness: every open tag is closed, in order. */
static bool balanced(const char *s)
{
	GPtrArray *stack = g_ptr_array_new_with_free_func(g_free);
	const char *p = s;
	bool ok = true;

	while (ok && (p = strchr(p, '<'))) {
		const char *gt = strchr(p, '>');
		size_t n;

		if (!gt) {
			ok = false;
			break;
		}
		if (p[1] == '/') {
			n = strcspn(p + 2, " >");
			ok = stack->len > 0 &&
			     !strncmp(g_ptr_array_index(stack, stack->len - 1),
				      p + 2, n) &&
			     strlen(g_ptr_array_index(stack, stack->len - 1)) == n;
			if (ok)
				g_ptr_array_remove_index(stack, stack->len - 1);
		} else if (gt[-1] != '/') {
			n = strcspn(p + 1, " />");
			g_ptr_array_add(stack, g_strndup(p + 1, n));
		}
		p = gt + 1;
	}
	ok = ok && stack->len == 0;
	g_ptr_array_free(stack, TRUE);
	return ok;
}

static long count(const char *s, const char *needle)
{
	long n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

struct dva {
	uint64_t addr, range, bo;
};

struct vm_desc {
	uint64_t start, range, resv, resv_range;
	struct dva *va;
	size_t nva;
};

/* Last address of [a, a + r), r > 0 (no overflow at the top of 2^64). */
static uint64_t last_of(uint64_t a, uint64_t r)
{
	return a + (r - 1);
}

static uint64_t overlap(uint64_t a, uint64_t ar, uint64_t b, uint64_t br)
{
	uint64_t lo, hi;

	if (!ar || !br)
		return 0;
	lo = a > b ? a : b;
	hi = last_of(a, ar) < last_of(b, br) ? last_of(a, ar) : last_of(b, br);
	return lo <= hi ? hi - lo + 1 : 0;
}

/* The vm line of @trace and the VAs of the last dump of @out. */
static bool parse_vm(const char *trace, const char *out, struct vm_desc *vm)
{
	gchar **lines = split_lines(trace);
	long i, end = -1, first;
	bool ok = false;

	memset(vm, 0, sizeof(*vm));
	for (i = 0; lines[i]; i++)
		if (sscanf(lines[i], "vm 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64
			   " 0x%" SCNx64, &vm->start, &vm->range, &vm->resv,
			   &vm->resv_range) >= 2) {
			ok = true;
			break;
		}
	g_strfreev(lines);
	if (!ok)
		return false;

	lines = split_lines(out);
	for (i = 0; lines[i]; i++)
		if (!strcmp(lines[i], "end"))
			end = i;
	for (first = end; first > 0 && !strncmp(lines[first - 1], "va ", 3);)
		first--;
	vm->nva = end < 0 ? 0 : (size_t)(end - first);
	vm->va = g_new0(struct dva, vm->nva ? vm->nva : 1);
	for (i = first; i < end; i++) {
		struct dva *d = &vm->va[i - first];
		uint64_t off;

		if (sscanf(lines[i], "va 0x%" SCNx64 " 0x%" SCNx64 " %" SCNu64
			   " 0x%" SCNx64, &d->addr, &d->range, &d->bo,
			   &off) != 4)
			ok = false;
	}
	g_strfreev(lines);
	return ok && end >= 0;
}

/* Index of the first VA ending after @addr (VAs sorted, disjoint). */
static size_t first_va_after(const struct vm_desc *vm, uint64_t addr)
{
	size_t lo = 0, hi = vm->nva;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (last_of(vm->va[mid].addr, vm->va[mid].range) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct bin_fig {
	unsigned long nvas;
	uint64_t bo, null, resv, top_id, top_bytes;
};

static int cmp_u64_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* What a bin over [lo, lo + r) must say, from the dump. */
static void bin_expected(const struct vm_desc *vm, uint64_t lo, uint64_t r,
			 struct bin_fig *e)
{
	GArray *per_bo = g_array_new(FALSE, FALSE, 2 * sizeof(uint64_t));
	size_t i;

	memset(e, 0, sizeof(*e));
	for (i = first_va_after(vm, lo); i < vm->nva; i++) {
		const struct dva *d = &vm->va[i];
		uint64_t o = overlap(d->addr, d->range, lo, r);

		if (!o)
			break;
		if (d->addr >= lo)
			e->nvas++;
		if (d->bo) {
			uint64_t pair[2] = { d->bo, o };

			e->bo += o;
			g_array_append_vals(per_bo, pair, 1);
		} else {
			e->null += o;
		}
	}
	e->resv = overlap(vm->resv, vm->resv_range, lo, r);
	g_array_sort(per_bo, cmp_u64_pair);
	for (i = 0; i < per_bo->len;) {
		uint64_t *p = &g_array_index(per_bo, uint64_t, 2 * i);
		uint64_t id = p[0], sum = 0;

		while (i < per_bo->len &&
		       g_array_index(per_bo, uint64_t, 2 * i) == id)
			sum += g_array_index(per_bo, uint64_t, 2 * i++ + 1);
		if (sum > e->top_bytes) {
			e->top_id = id;
			e->top_bytes = sum;
		}
	}
	g_array_free(per_bo, TRUE);
}

struct footprint {
	uint64_t id, bytes;
	unsigned long nvas;
};

static int cmp_footprint(const void *a, const void *b)
{
	const struct footprint *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Per-BO bytes of the dump, largest first.  Returns the BO count. */
static size_t footprints(const struct vm_desc *vm, struct footprint **out)
{
	GHashTable *h = g_hash_table_new(g_int64_hash, g_int64_equal);
	struct footprint *fp = g_new0(struct footprint, vm->nva + 1);
	size_t n = 0;

	for (size_t i = 0; i < vm->nva; i++) {
		struct footprint *f;

		if (!vm->va[i].bo)
			continue;
		f = g_hash_table_lookup(h, &vm->va[i].bo);
		if (!f) {
			f = &fp[n++];
			f->id = vm->va[i].bo;
			g_hash_table_insert(h, &f->id, f);
		}
		f->bytes += vm->va[i].range;
		f->nvas++;
	}
	g_hash_table_destroy(h);
	qsort(fp, n, sizeof(*fp), cmp_footprint);
	*out = fp;
	return n;
}

/* The checks of an aggregated picture; prints the first problem. */
static bool check_aggregated(const char *svg, const struct vm_desc *vm)
{
	const char *p = svg;
	uint64_t next = vm->start;
	unsigned long nbins = 0, nbreaks = 0, header_vas = 0;
	struct footprint *fp;
	size_t nfp = footprints(vm, &fp), k = 0;
	bool ok = false;
	const char *h = strstr(svg, "): ");

	if (!h || sscanf(h, "): %lu VAs, aggregated", &header_vas) != 1 ||
	    header_vas != vm->nva) {
		printf("the header does not give the VA count %zu\n", vm->nva);
		goto out;
	}
	while ((p = strstr(p, "<g class=\""))) {
		uint64_t lo, r;

		p += strlen("<g class=\"");
		if (!strncmp(p, "bin\"><title>", 12)) {
			struct bin_fig got = { 0 }, want;
			char top[32] = "";
			int n = sscanf(p + 12, "0x%" SCNx64 " +0x%" SCNx64
				       ": %lu VAs; BO 0x%" SCNx64 ", NULL 0x%"
				       SCNx64 ", reserved 0x%" SCNx64
				       "; most: %31[^<;]", &lo, &r, &got.nvas,
				       &got.bo, &got.null, &got.resv, top);

			if (n != 7) {
				printf("bin %lu: unreadable title\n", nbins);
				goto out;
			}
			if (sscanf(top, "BO %" SCNu64 " 0x%" SCNx64, &got.top_id,
				   &got.top_bytes) != 2 && strcmp(top, "-")) {
				printf("bin %lu: bad dominant BO '%s'\n", nbins,
				       top);
				goto out;
			}
			bin_expected(vm, lo, r, &want);
			if (memcmp(&got, &want, sizeof(got))) {
				printf("bin 0x%" PRIx64 " +0x%" PRIx64 ": says %lu VAs, BO 0x%" PRIx64 ", NULL 0x%" PRIx64 ", reserved 0x%" PRIx64 ", top %" PRIu64 " 0x%" PRIx64 "; the dump: %lu, 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", %" PRIu64 " 0x%" PRIx64 "\n",
				       lo, r, got.nvas, got.bo, got.null,
				       got.resv, got.top_id, got.top_bytes,
				       want.nvas, want.bo, want.null, want.resv,
				       want.top_id, want.top_bytes);
				goto out;
			}
			nbins++;
		} else if (!strncmp(p, "break\"><title>gap ", 18)) {
			if (sscanf(p + 18, "0x%" SCNx64 " +0x%" SCNx64, &lo,
				   &r) != 2) {
				printf("unreadable break\n");
				goto out;
			}
			k = first_va_after(vm, lo);
			if ((k < vm->nva &&
			     overlap(vm->va[k].addr, vm->va[k].range, lo, r)) ||
			    overlap(vm->resv, vm->resv_range, lo, r)) {
				printf("break 0x%" PRIx64 " +0x%" PRIx64 " is not empty\n",
				       lo, r);
				goto out;
			}
			nbreaks++;
		} else {
			continue;
		}
		if (lo != next || !r) {
			printf("0x%" PRIx64 " +0x%" PRIx64 " follows 0x%" PRIx64 "\n",
			       lo, r, next);
			goto out;
		}
		next = lo + r;
	}
	if (next != vm->start + vm->range) {
		printf("bins and breaks end at 0x%" PRIx64 ", not at the VM's end\n",
		       next);
		goto out;
	}
	if (!nbins || nbins > 600) {
		printf("%lu bins\n", nbins);
		goto out;
	}

	/* Legend: the largest footprints, in order, then "+N more". */
	p = svg;
	for (k = 0; (p = strstr(p, "<g class=\"legend-bo\"><title>BO ")); k++) {
		struct footprint got;

		p += strlen("<g class=\"legend-bo\"><title>BO ");
		if (sscanf(p, "%" SCNu64 " 0x%" SCNx64 " in %lu VA", &got.id,
			   &got.bytes, &got.nvas) != 3 || k >= nfp ||
		    got.id != fp[k].id || got.bytes != fp[k].bytes ||
		    got.nvas != fp[k].nvas) {
			printf("legend entry %zu is not BO %" PRIu64 " 0x%" PRIx64 "\n",
			       k, k < nfp ? fp[k].id : 0,
			       k < nfp ? fp[k].bytes : 0);
			goto out;
		}
	}
	if (k != (nfp < 12 ? nfp : 12)) {
		printf("the legend lists %zu of %zu BOs\n", k, nfp);
		goto out;
	}
	p = strstr(svg, "<g class=\"legend-more\">");
	if (nfp > k) {
		gchar *more = g_strdup_printf(">+%zu more BO", nfp - k);

		ok = p && strstr(p, more);
		if (!ok)
			printf("no \"+%zu more\" line\n", nfp - k);
		g_free(more);
		if (!ok)
			goto out;
	} else if (p) {
		printf("a \"+N more\" line with every BO listed\n");
		goto out;
	}
	printf("ok: %zu VAs in %lu bins, %lu breaks, %zu BOs\n", vm->nva,
	       nbins, nbreaks, nfp);
	ok = true;
out:
	g_free(fp);
	return ok;
}

/*
 * A trace of @n VAs in six clusters far apart: mostly small VAs of up to
 * 64 pages, one in fifty of 2 to 32 MiB, one in ten NULL, small gaps
 * between some of them; 300 BOs, the big VAs on BOs 1 to 8.
 */
static gchar *synth_trace(unsigned long n)
{
	static const uint64_t base[] = {
		0x10000000, 0x4000000000, 0x100000000000, 0x500000000000,
		0x800000000000, 0xfff000000000,
	};
	GString *t = g_string_new("vm 0x0 0x1000000000000 0x0 0x100000\n");
	uint64_t x = 0x9e3779b97f4a7c15ull, cursor = 0;
	unsigned long i, per = n / 6 + 1;

	for (i = 0; i < n; i++) {
		uint64_t size, bo;

		if (i % per == 0)
			cursor = base[i / per];
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x % 50 == 0) {
			size = (1 + (x >> 8) % 16) << 21;
			bo = 1 + (x >> 16) % 8;
		} else {
			size = (1 + (x >> 8) % 64) << 12;
			bo = (x >> 16) % 10 ? 1 + (x >> 24) % 300 : 0;
		}
		if ((x >> 32) % 10 < 3)
			cursor += (1 + (x >> 40) % 16) << 12;
		g_string_append_printf(t, "map 0x%" PRIx64 " 0x%" PRIx64
				       " %" PRIu64 " 0x0\n", cursor, size, bo);
		cursor += size;
	}
	return g_string_free(t, FALSE);
}

int main(int argc, char **argv)
{
	gchar *trace = NULL, *input, *out = NULL, *err = NULL, *svg = NULL;
	gchar *svg_path, *svg_arg, *in_path, *expect = NULL;
	const char *expect_path = NULL;
	unsigned long synth = 0;
	bool plain = false;
	GError *error = NULL;
	const char *args[8];
	gint status, fd;
	long vas, rects;
	int i = 0, ret = 1;
	struct vm_desc vm = { 0 };
	gsize len;

	for (; argc > 1 && !strncmp(argv[1], "--", 2); argc--, argv++) {
		if (!strcmp(argv[1], "--plain"))
			plain = true;
		else if (!strcmp(argv[1], "--expect") && argc > 2) {
			expect_path = argv[2];
			argc--;
			argv++;
		}
		else if (!strncmp(argv[1], "--synth=", 8))
			synth = strtoul(argv[1] + 8, NULL, 10);
		else
			break;
	}
	if (argc != (synth ? 2 : 3) || (synth && expect_path)) {
		fprintf(stderr, "usage: svg_check [--plain] [--expect SVG] REPLAY TRACE\n"
				"       svg_check [--plain] --synth=N REPLAY\n");
		return 99;
	}
	if (synth) {
		trace = synth_trace(synth);
	} else if (!g_file_get_contents(argv[2], &trace, &len, &error)) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	if (expect_path &&
	    !g_file_get_contents(expect_path, &expect, &len, &error)) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	input = g_strconcat(trace, "\ndump\n", NULL);
	fd = g_file_open_tmp("svg_check-XXXXXX.trace", &in_path, &error);
	if (fd < 0) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	close(fd);
	g_file_set_contents(in_path, input, -1, NULL);
	fd = g_file_open_tmp("svg_check-XXXXXX.svg", &svg_path, &error);
	if (fd < 0) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	close(fd);
	svg_arg = g_strconcat("--svg=", svg_path, NULL);

	args[i++] = argv[1];
	args[i++] = "--quiet";
	if (!plain)
		args[i++] = "--mmu=sim";
	args[i++] = svg_arg;
	args[i++] = in_path;
	args[i] = NULL;
	if (!g_spawn_sync(NULL, (gchar **)args, NULL, G_SPAWN_DEFAULT, NULL,
			  NULL, &out, &err, &status, &error)) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	if (!g_spawn_check_wait_status(status, NULL)) {
		printf("gpuvm-replay failed\n--- stderr ---\n%s", err);
		goto out;
	}
	vas = last_dump_vas(out);
	if (!g_file_get_contents(svg_path, &svg, &len, &error)) {
		printf("no SVG written: %s\n", error->message);
		goto out;
	}
	if (expect && strcmp(svg, expect)) {
		printf("the SVG differs from %s\n", expect_path);
		goto out;
	}
	g_strchomp(svg);
	rects = count(svg, "class=\"va\"");
	if (strncmp(svg, "<svg", 4))
		printf("the SVG does not start with <svg\n");
	else if (!g_str_has_suffix(svg, "</svg>"))
		printf("the SVG does not end with </svg>\n");
	else if (!balanced(svg))
		printf("the SVG's tags are not balanced\n");
	else if (len >= 2000000)
		printf("the SVG has %zu bytes (2,000,000 at most)\n", len);
	else if (strstr(svg, "<g class=\"bin\">")) {
		if (!parse_vm(trace, out, &vm))
			printf("cannot read the trace's vm line or the dump\n");
		else if (rects)
			printf("%ld VA rectangles in an aggregated picture\n",
			       rects);
		else if (check_aggregated(svg, &vm))
			ret = 0;
	} else if (vas < 0 || rects != vas)
		printf("%ld VA rectangles, the final dump lists %ld VAs\n",
		       rects, vas);
	else {
		ret = 0;
		printf("ok: %ld VAs drawn\n", vas);
	}
out:
	g_unlink(svg_path);
	g_unlink(in_path);
	g_free(vm.va);
	g_free(svg);
	g_free(expect);
	g_free(out);
	g_free(err);
	g_free(trace);
	g_free(input);
	g_free(svg_path);
	g_free(svg_arg);
	g_free(in_path);
	g_clear_error(&error);
	return ret;
}
