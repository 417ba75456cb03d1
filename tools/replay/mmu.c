// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay --mmu: requests applied to Mali page tables, on the
 * simulated GPU (--mmu=sim) or on real hardware through UIO
 * (--mmu=uio:NAME), and checked through the GPU after each request.
 *
 * Physical memory (sim):
 *   PT_POOL_BASE   page-table pool (PT_POOL_SIZE)
 *   BO_BASE        BO carve-out, registered as the page tables' only
 *                  output range; each BO gets one contiguous range in it,
 *                  2 MiB aligned when the BO is at least 2 MiB so that
 *                  2 MiB-aligned mappings can become blocks.
 * UIO: the page-table map (map1) is split in two halves, the first one
 * for page tables, the second one for BOs.
 *
 * BO sizes come from a pre-scan of the whole trace: the SIZE of the BO's
 * first "bo" line wherever it is, else the largest OFFSET + RANGE of the
 * trace's maps of that BO (at least one page).
 *
 * Units: when every address, size and offset of the trace is a multiple
 * of 4 KiB the trace is replayed as is; otherwise (abstract traces with
 * small numbers) one trace unit is one 4 KiB page on the GPU.  The planner
 * is scale invariant, so stdout is the same.
 */
#include "mmu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <gpuvm/gpuvm.h>
#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_uio.h>

#include "trace_parse.h"

#define PG		0x1000ull
#define BLOCK		0x200000ull
#define PT_POOL_BASE	0x100000000ull
#define PT_POOL_SIZE	(8ull << 20)
#define BO_BASE		0x200000000ull
#define BO_MAX_TOTAL	(1ull << 30)	/* simulated BO memory, at most */
#define SRC_ID		0x42

/* pages of a VA checked one by one; beyond, a sample */
#define VERIFY_FULL_PAGES	64
#define VERIFY_SAMPLES		32
/*
 * Bigger trees are checked in full only every VERIFY_FULL_EVERY requests
 * and at the end; in between, only around the request's range.
 */
#define VERIFY_FULL_VAS		64
#define VERIFY_FULL_EVERY	256

struct bo_info {
	uint64_t size;		/* trace units, from the bo line, or 0 */
	uint64_t need;		/* trace units, max OFFSET + RANGE of maps */
	uint64_t pa;		/* GPU bytes */
	uint64_t bytes;		/* GPU bytes */
};

struct mmu_env {
	bool quiet;
	unsigned int shift;
	struct gpuvm_mali_sim *sim;	/* sim mode */
	struct gpuvm_mali_uio *uio;	/* uio mode */
	struct gpuvm_mali_hal *hal;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_vm *vm;
	int as;

	GHashTable *bos;		/* uint64 id -> struct bo_info */
	uint64_t bo_base, bo_size;	/* the carve-out */

	unsigned long faults;		/* delivered by the irq path */
	uint64_t last_fault_addr;
	unsigned long ops;
	unsigned long checks, checks_failed;
	unsigned long verifies, partial;
	struct gpuvm_mali_vm_stats final;
	bool have_final;
	size_t pt_pages_peak;
};

unsigned int mmu_env_shift(const struct mmu_env *env)
{
	return env->shift;
}

struct gpuvm_mali_vm *mmu_env_vm(struct mmu_env *env)
{
	return env->vm;
}

void mmu_env_count_ops(struct mmu_env *env, unsigned long n)
{
	env->ops += n;
}

/* ------------------------------------------------------------------------ */
/* Pre-scan                                                                 */

static struct bo_info *bo_info_get(GHashTable *h, uint64_t id)
{
	struct bo_info *bi = g_hash_table_lookup(h, &id);
	uint64_t *key;

	if (!bi) {
		key = g_new(uint64_t, 1);
		*key = id;
		bi = g_new0(struct bo_info, 1);
		g_hash_table_insert(h, key, bi);
	}
	return bi;
}

static bool num(const char *s, uint64_t *v)
{
	return trace_parse_u64(s, v) == TRACE_NUM_OK;
}

static void prescan_line(struct mmu_env *env, const struct trace_line *l,
			 bool *unaligned)
{
	const char *cmd = l->tok[0];
	uint64_t v[4], id;
	unsigned int i, n = l->count - 1;
	struct bo_info *bi;

	if (n > 4)
		return;
	if (!strcmp(cmd, "vm") || !strcmp(cmd, "unmap") ||
	    !strcmp(cmd, "madvise") || !strcmp(cmd, "prefetch")) {
		for (i = 0; i < n; i++)
			if (num(l->tok[i + 1], &v[i]) && (v[i] & (PG - 1)))
				*unaligned = true;
	} else if (!strcmp(cmd, "bo") && n == 2) {
		if (trace_parse_dec_u64(l->tok[1], &id) != TRACE_NUM_OK ||
		    !num(l->tok[2], &v[0]) || !id || !v[0])
			return;
		if (v[0] & (PG - 1))
			*unaligned = true;
		bi = bo_info_get(env->bos, id);
		if (!bi->size)
			bi->size = v[0];
	} else if (!strcmp(cmd, "map") && n == 4) {
		if (!num(l->tok[1], &v[0]) || !num(l->tok[2], &v[1]) ||
		    trace_parse_dec_u64(l->tok[3], &id) != TRACE_NUM_OK ||
		    !num(l->tok[4], &v[3]))
			return;
		if ((v[0] | v[1] | v[3]) & (PG - 1))
			*unaligned = true;
		if (!id)
			return;
		bi = bo_info_get(env->bos, id);
		if (v[3] + v[1] < v[3])
			bi->need = UINT64_MAX;
		else if (v[3] + v[1] > bi->need)
			bi->need = v[3] + v[1];
	}
}

static void prescan(struct mmu_env *env, const char *trace, size_t len)
{
	const char *p = trace, *end = trace + len;
	bool unaligned = false;
	struct trace_line l;
	char *copy;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		copy = g_strndup(p, n);
		trace_split(copy, &l);
		if (l.count > 0 && l.count <= TRACE_MAX_TOKENS)
			prescan_line(env, &l, &unaligned);
		g_free(copy);
		p += n + 1;
	}
	env->shift = unaligned ? 12 : 0;
}

static gint cmp_id(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Give every BO its backing in [@base, @base + @size). */
static enum replay_status place_bos(struct mmu_env *env, uint64_t base,
				    uint64_t size)
{
	GHashTableIter it;
	gpointer key, value;
	uint64_t next = base, max_units = UINT64_MAX >> env->shift;
	GList *ids, *i;

	/* Deterministic layout: ascending BO ids. */
	ids = NULL;
	g_hash_table_iter_init(&it, env->bos);
	while (g_hash_table_iter_next(&it, &key, &value))
		ids = g_list_prepend(ids, key);
	ids = g_list_sort(ids, cmp_id);
	for (i = ids; i; i = i->next) {
		uint64_t id = *(uint64_t *)i->data;
		struct bo_info *bi = g_hash_table_lookup(env->bos, &id);
		uint64_t units = bi->size ? bi->size : bi->need;
		uint64_t bytes, align;

		if (!units)
			units = 1;
		if (units > max_units || (units << env->shift) > size) {
			fprintf(stderr, "gpuvm-replay: BO %" PRIu64 " is too large for the %s BO memory (%" PRIu64 " MiB)\n",
				id, env->sim ? "simulated" : "UIO", size >> 20);
			g_list_free(ids);
			return REPLAY_TOOL_ERROR;
		}
		bytes = ((units << env->shift) + PG - 1) & ~(PG - 1);
		align = bytes >= BLOCK ? BLOCK : PG;
		next = (next + align - 1) & ~(align - 1);
		if (next - base + bytes > size) {
			fprintf(stderr, "gpuvm-replay: the trace's BOs need more than the %" PRIu64 " MiB of %s BO memory\n",
				size >> 20, env->sim ? "simulated" : "UIO");
			g_list_free(ids);
			return REPLAY_TOOL_ERROR;
		}
		bi->pa = next;
		bi->bytes = bytes;
		next += bytes;
	}
	g_list_free(ids);
	env->bo_base = base;
	env->bo_size = next - base;
	return REPLAY_OK;
}

int mmu_env_bo_backing(struct mmu_env *env, uint64_t id, uint64_t *pa,
		       uint64_t *size)
{
	struct bo_info *bi = g_hash_table_lookup(env->bos, &id);

	if (!bi || !bi->bytes)
		return ENOMEM;	/* the pre-scan saw no such BO */
	*pa = bi->pa;
	*size = bi->bytes;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                    */

static void on_fault(const struct gpuvm_mali_fault *f, void *priv)
{
	struct mmu_env *env = priv;

	env->faults++;
	env->last_fault_addr = f->address;
}

static uint64_t bo_total(struct mmu_env *env)
{
	GHashTableIter it;
	gpointer value;
	uint64_t total = 0, max_units = UINT64_MAX >> env->shift;

	g_hash_table_iter_init(&it, env->bos);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct bo_info *bi = value;
		uint64_t units = bi->size ? bi->size : bi->need;

		if (units > max_units)
			return UINT64_MAX;
		units <<= env->shift;
		/* page rounding plus alignment slack */
		units = ((units + PG - 1) & ~(PG - 1)) +
			(units >= BLOCK ? BLOCK : 0);
		if (total + units < total)
			return UINT64_MAX;
		total += units;
	}
	return total;
}

static enum replay_status open_sim(struct mmu_env *env)
{
	struct gpuvm_mali_sim_config cfg;
	uint64_t need = bo_total(env), carve;
	int ret;

	if (need > BO_MAX_TOTAL) {
		fprintf(stderr, "gpuvm-replay: the trace's BOs need more than %llu MiB of simulated memory (declare smaller BOs)\n",
			BO_MAX_TOTAL >> 20);
		return REPLAY_TOOL_ERROR;
	}
	carve = (need + BLOCK - 1) & ~(BLOCK - 1);
	if (!carve)
		carve = BLOCK;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	ret = gpuvm_mali_sim_create(&cfg, &env->sim);
	if (!ret)
		ret = gpuvm_mali_sim_add_memory(env->sim, PT_POOL_BASE,
						PT_POOL_SIZE);
	if (!ret)
		ret = gpuvm_mali_sim_add_memory(env->sim, BO_BASE, carve);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: cannot set up the simulator: %s\n",
			strerror(-ret));
		return REPLAY_TOOL_ERROR;
	}
	env->hal = gpuvm_mali_sim_hal(env->sim);
	ret = gpuvm_mali_mmu_create(env->hal, NULL, &env->mmu);
	if (!ret)
		ret = gpuvm_mali_ptmem_create(env->hal, &env->mem);
	if (!ret)
		ret = gpuvm_mali_ptmem_add_pool(env->mem, PT_POOL_BASE,
						PT_POOL_SIZE);
	if (!ret)
		ret = gpuvm_mali_ptmem_add_output_range(env->mem, BO_BASE,
							carve);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: cannot set up the simulated MMU: %s\n",
			strerror(-ret));
		return REPLAY_TOOL_ERROR;
	}
	return place_bos(env, BO_BASE, carve);
}

static enum replay_status open_uio(struct mmu_env *env, const char *name)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio_map map;
	uint64_t half;
	int ret;

	gpuvm_mali_uio_config_init(&cfg, name);
	ret = gpuvm_mali_uio_open(&cfg, &env->uio);
	if (ret) {
		const char *why = gpuvm_mali_uio_last_error();

		if (ret == -ENOENT)
			fprintf(stderr, "gpuvm-replay: no UIO device named '%s' (%s)\n",
				name, why && *why ? why : strerror(-ret));
		else
			fprintf(stderr, "gpuvm-replay: cannot open UIO device '%s': %s\n",
				name, why && *why ? why : strerror(-ret));
		env->uio = NULL;
		return REPLAY_TOOL_ERROR;
	}
	env->hal = gpuvm_mali_uio_hal(env->uio);
	ret = gpuvm_mali_uio_get_map(env->uio, GPUVM_MALI_UIO_PT, &map);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: UIO device '%s' has no page-table map\n",
			name);
		return REPLAY_TOOL_ERROR;
	}
	/* First half: page tables; second half: BO memory. */
	half = (map.len / 2) & ~(BLOCK - 1);
	if (!half)
		half = (map.len / 2) & ~(PG - 1);
	if (!half) {
		fprintf(stderr, "gpuvm-replay: UIO page-table map too small\n");
		return REPLAY_TOOL_ERROR;
	}
	ret = gpuvm_mali_mmu_create(env->hal, NULL, &env->mmu);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: GPU probe failed: %s\n",
			strerror(-ret));
		return REPLAY_TOOL_ERROR;
	}
	ret = gpuvm_mali_ptmem_create(env->hal, &env->mem);
	if (!ret)
		ret = gpuvm_mali_ptmem_add_pool(env->mem, map.bus_addr, half);
	if (!ret)
		ret = gpuvm_mali_ptmem_add_output_range(env->mem,
							map.bus_addr + half,
							map.len - half);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: cannot set up page-table memory: %s\n",
			strerror(-ret));
		return REPLAY_TOOL_ERROR;
	}
	return place_bos(env, map.bus_addr + half,
			 (map.len - half) & ~(PG - 1));
}

static void env_free(struct mmu_env *env)
{
	gpuvm_mali_vm_destroy(env->vm);
	gpuvm_mali_ptmem_destroy(env->mem);
	gpuvm_mali_mmu_destroy(env->mmu);
	gpuvm_mali_sim_destroy(env->sim);
	gpuvm_mali_uio_close(env->uio);
	g_hash_table_destroy(env->bos);
	g_free(env);
}

enum replay_status mmu_env_open(const char *spec, const char *trace,
				size_t len, bool quiet, struct mmu_env **out)
{
	struct mmu_env *env = g_new0(struct mmu_env, 1);
	enum replay_status st;

	env->quiet = quiet;
	env->as = -1;
	env->bos = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
					 g_free);
	prescan(env, trace, len);

	if (!strcmp(spec, "sim")) {
		st = open_sim(env);
	} else if (!strncmp(spec, "uio:", 4) && spec[4]) {
		st = open_uio(env, spec + 4);
	} else {
		fprintf(stderr, "gpuvm-replay: --mmu takes 'sim' or 'uio:NAME', not '%s'\n",
			spec);
		st = REPLAY_TOOL_ERROR;
	}
	if (st != REPLAY_OK) {
		env_free(env);
		return st;
	}
	gpuvm_mali_mmu_set_fault_handler(env->mmu, on_fault, env);
	*out = env;
	return REPLAY_OK;
}

/* ------------------------------------------------------------------------ */
/* The VM                                                                   */

static bool scale(const struct mmu_env *env, uint64_t v, uint64_t *out)
{
	if (v > (UINT64_MAX >> env->shift))
		return false;
	*out = v << env->shift;
	return true;
}

int mmu_env_vm_create(struct mmu_env *env, uint64_t start, uint64_t range,
		      uint64_t resv_start, uint64_t resv_range,
		      struct gpuvm **gv)
{
	struct gpuvm_mali_vm_config cfg;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "gpuvm-replay";
	if (!scale(env, start, &cfg.va_start) ||
	    !scale(env, range, &cfg.va_range) ||
	    !scale(env, resv_start, &cfg.reserve_start) ||
	    !scale(env, resv_range, &cfg.reserve_range))
		return EINVAL;
	ret = gpuvm_mali_vm_create(env->mmu, env->mem, &cfg, &env->vm);
	if (ret)
		return -ret;
	env->as = gpuvm_mali_vm_bind(env->vm);
	if (env->as < 0) {
		ret = env->as;
		gpuvm_mali_vm_destroy(env->vm);
		env->vm = NULL;
		return -ret;
	}
	*gv = gpuvm_mali_vm_gpuvm(env->vm);
	return 0;
}

void mmu_env_vm_destroy(struct mmu_env *env)
{
	size_t used = 0;

	if (!env->vm)
		return;
	gpuvm_mali_vm_stats(env->vm, &env->final);
	env->have_final = true;
	gpuvm_mali_ptmem_stats(env->mem, NULL, &used, NULL);
	env->pt_pages_peak = used;
	gpuvm_mali_vm_destroy(env->vm);
	env->vm = NULL;
}

/* ------------------------------------------------------------------------ */
/* Verification                                                             */

/*
 * One read of @va: through the simulated GPU (a fault goes through the
 * MMU interrupt path and the slot is re-enabled), or, on hardware, the
 * CPU-side walk.  Returns true when it translated.
 */
static bool gpu_read(struct mmu_env *env, uint64_t va, uint64_t *pa,
		     bool *bad_fault)
{
	unsigned long before = env->faults;
	int r;

	*bad_fault = false;
	if (!env->sim)
		return gpuvm_mali_vm_translate(env->vm, va, pa) == 0;

	r = gpuvm_mali_sim_access(env->sim, (unsigned int)env->as, va,
				  GPUVM_MALI_SIM_READ, SRC_ID, pa);
	if (r == GPUVM_MALI_SIM_OK)
		return true;
	if (gpuvm_mali_mmu_handle_irq(env->mmu) != 1 ||
	    env->faults != before + 1 || env->last_fault_addr != va)
		*bad_fault = true;
	if (gpuvm_mali_vm_bind(env->vm) != env->as)
		*bad_fault = true;
	return false;
}

struct vctx {
	struct mmu_env *env;
	const char *name;
	unsigned long lineno;
	bool ok;
};

static void G_GNUC_PRINTF(2, 3) vfail(struct vctx *c, const char *fmt, ...)
{
	va_list ap;

	c->ok = false;
	c->env->checks_failed++;
	if (c->env->checks_failed > 20)
		return;
	fflush(stdout);
	fprintf(stderr, "gpuvm-replay: %s:%lu: check failed: ", c->name,
		c->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c->env->checks_failed == 20)
		fprintf(stderr, "gpuvm-replay: (further check failures not shown)\n");
}

/* @va must translate to @want, or fault when !@mapped. */
static void check_page(struct vctx *c, uint64_t va, bool mapped, uint64_t want)
{
	uint64_t pa = 0, cpa = 0;
	bool bad_fault, got;
	int cret;

	c->env->checks++;
	got = gpu_read(c->env, va, &pa, &bad_fault);
	if (bad_fault)
		vfail(c, "GPU fault at 0x%" PRIx64 " not reported as expected by the MMU irq path",
		      va);
	if (mapped && !got)
		vfail(c, "VA 0x%" PRIx64 " faulted, expected PA 0x%" PRIx64,
		      va, want);
	else if (mapped && pa != want)
		vfail(c, "VA 0x%" PRIx64 " -> PA 0x%" PRIx64 ", expected 0x%" PRIx64,
		      va, pa, want);
	else if (!mapped && got)
		vfail(c, "VA 0x%" PRIx64 " translated to 0x%" PRIx64 ", expected a fault",
		      va, pa);

	cret = gpuvm_mali_vm_translate(c->env->vm, va, &cpa);
	if (mapped && (cret || cpa != want))
		vfail(c, "page-table walk of VA 0x%" PRIx64 " disagrees", va);
	else if (!mapped && cret != -ENOENT)
		vfail(c, "page-table walk of VA 0x%" PRIx64 " found a mapping", va);
}

/* Pages of [@addr, @addr + @range): all of them, or a sample. */
static void check_range(struct vctx *c, uint64_t addr, uint64_t range,
			const struct gpuvm_mali_bo *bo, uint64_t offset)
{
	uint64_t pages = range / PG, i, step, pg;

	if (!pages)
		return;
	if (pages <= VERIFY_FULL_PAGES) {
		for (i = 0; i < pages; i++)
			check_page(c, addr + i * PG, bo != NULL,
				   bo ? bo->pa + offset + i * PG : 0);
		return;
	}
	step = pages / VERIFY_SAMPLES;
	for (i = 0; i < VERIFY_SAMPLES; i++) {
		pg = i * step;
		check_page(c, addr + pg * PG, bo != NULL,
			   bo ? bo->pa + offset + pg * PG : 0);
	}
	pg = pages - 1;
	check_page(c, addr + pg * PG, bo != NULL,
		   bo ? bo->pa + offset + pg * PG : 0);
}

/* A gap: its first and last page must fault. */
static void check_gap(struct vctx *c, uint64_t from, uint64_t to)
{
	if (to <= from)
		return;
	check_page(c, from, false, 0);
	if (to - from > PG)
		check_page(c, to - PG, false, 0);
}

static bool overlaps(uint64_t a, uint64_t b, uint64_t lo, uint64_t hi)
{
	/* [a, b) against [lo, hi]; b == 0 means 2^64 */
	return (b == 0 || b > lo) && a <= hi;
}

bool mmu_env_verify(struct mmu_env *env, const char *name,
		    unsigned long lineno, bool whole, uint64_t lo,
		    uint64_t range)
{
	struct vctx c = { .env = env, .name = name, .lineno = lineno,
			  .ok = true };
	struct gpuvm *gv;
	const struct gpuvm_va *va;
	uint64_t cursor, hi, nvas = 0;
	size_t nviol;

	if (!env->vm)
		return true;
	gv = gpuvm_mali_vm_gpuvm(env->vm);

	/* Around the request: one page on each side, inclusive end. */
	hi = range && lo + range - 1 >= lo ? lo + range - 1 : UINT64_MAX;
	hi = hi + PG > hi ? hi + PG : UINT64_MAX;
	lo = lo >= PG ? lo - PG : 0;
	if (++env->verifies % VERIFY_FULL_EVERY == 0)
		whole = true;
	if (!whole) {
		gpuvm_for_each_va(va, gv)
			if (++nvas > VERIFY_FULL_VAS)
				break;
		whole = nvas <= VERIFY_FULL_VAS;
	}
	if (whole) {
		lo = 0;
		hi = UINT64_MAX;
	} else {
		env->partial++;
	}

	cursor = gv->mm_start;
	gpuvm_for_each_va(va, gv) {
		const struct gpuvm_mali_bo *bo = NULL;

		if (!overlaps(cursor, va->addr + va->range, lo, hi)) {
			cursor = va->addr + va->range;
			continue;
		}
		check_gap(&c, cursor, va->addr);
		if (va->obj && va != &gv->kernel_alloc_node)
			bo = gpuvm_container_of(va->obj,
						const struct gpuvm_mali_bo,
						base);
		if (bo)
			check_range(&c, va->addr, va->range, bo, va->offset);
		else
			check_gap(&c, va->addr, va->addr + va->range);
		cursor = va->addr + va->range;
	}
	if (overlaps(cursor, gv->mm_start + gv->mm_range, lo, hi))
		check_gap(&c, cursor, gv->mm_start + gv->mm_range);

	if (env->sim) {
		nviol = gpuvm_mali_sim_violation_count(env->sim);
		if (nviol) {
			const struct gpuvm_mali_sim_violation *v =
				gpuvm_mali_sim_violation_get(env->sim, 0);

			vfail(&c, "the simulator logged %zu violation%s, the first: %s: %s",
			      nviol, nviol == 1 ? "" : "s",
			      v ? gpuvm_mali_sim_violation_name(v->code) : "?",
			      v ? v->msg : "?");
		}
	}
	return c.ok;
}

/* ------------------------------------------------------------------------ */
/* Summary                                                                  */

enum replay_status mmu_env_close(struct mmu_env *env)
{
	enum replay_status st = REPLAY_OK;
	size_t nviol = 0;

	if (env->vm)
		mmu_env_verify(env, "end of trace", 0, true, 0, 0);
	mmu_env_vm_destroy(env);
	if (env->sim)
		nviol = gpuvm_mali_sim_violation_count(env->sim);
	if (nviol || env->checks_failed)
		st = REPLAY_CHECK_FAILED;

	if (!env->quiet) {
		const struct gpuvm_mali_vm_stats *s = &env->final;

		fprintf(stderr, "gpuvm-replay: %s summary%s\n",
			env->sim ? "MMU (simulator)" : "MMU (UIO)",
			env->shift ? " (1 trace unit = 4 KiB)" : "");
		fprintf(stderr, "  requests        %" PRIu64 " applied, %" PRIu64 " failed\n",
			s->requests, s->failed);
		fprintf(stderr, "  ops             %lu printed, %" PRIu64 " applied to page tables\n",
			env->ops, s->ops);
		fprintf(stderr, "  pages           %" PRIu64 " mapped, %" PRIu64 " unmapped, %" PRIu64 " kept\n",
			s->pages_mapped, s->pages_unmapped, s->pages_kept);
		fprintf(stderr, "  PT pages        %" PRIu64 " reserved, %" PRIu64 " used, %zu in use at the end\n",
			s->pt_pages_reserved, s->pt_pages_used,
			env->pt_pages_peak);
		fprintf(stderr, "  flushes         %" PRIu64 "\n", s->flushes);
		fprintf(stderr, "  BO memory       %" PRIu64 " KiB for %u BOs\n",
			env->bo_size >> 10, g_hash_table_size(env->bos));
		fprintf(stderr, "  checks          %lu done, %lu failed (%lu expected GPU faults); %lu of %lu verifications around the request only\n",
			env->checks, env->checks_failed, env->faults,
			env->partial, env->verifies);
		if (env->sim)
			fprintf(stderr, "  violations      %zu\n", nviol);
	}
	env_free(env);
	return st;
}
