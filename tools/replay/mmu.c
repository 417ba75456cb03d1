// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay --mmu: requests applied to Mali page tables, on the
 * simulated GPU (--mmu=sim) or on real hardware through UIO
 * (--mmu=uio:NAME), and checked through the GPU after each request.
 *
 * Physical memory (sim), all of it backed lazily by the simulator (a chunk
 * of host memory on the first store), so a carve-out costs nothing until
 * it is written:
 *   PT_BASE   the page-table window: pools are added to the page-table
 *             allocator on demand (PT_FIRST_POOL, then twice the last one,
 *             up to PT_MAX_POOL), or one pool of --mmu-pt-size bytes;
 *   BO_BASE   BO memory, the page tables' only output range; each BO gets
 *             one contiguous range, 2 MiB aligned when it is at least
 *             2 MiB so that 2 MiB-aligned mappings can become blocks.
 * UIO: the page-table map (map1) is split in two: page tables first
 * (--mmu-pt-size bytes, by default half of it), then BOs.
 *
 * BO sizes come from a pre-scan of the whole trace: the larger of the SIZE
 * of the BO's first "bo" line and the largest OFFSET + RANGE of the
 * trace's maps of that BO (at least one page).  The planner ignores BO
 * sizes, so every map it accepts fits in its BO's backing.
 *
 * Units: when every address, size and offset of the trace is a multiple
 * of 4 KiB the trace is replayed as is; otherwise (abstract traces with
 * small numbers) one trace unit is one 4 KiB page on the GPU.  The planner
 * is scale invariant, so stdout is the same.
 *
 * A request the planner accepts but the backend cannot apply (page-table
 * memory exhausted, a BO or VM beyond what the GPU can address) is a
 * backend failure: reported with the trace line, counted, and the run
 * ends with REPLAY_BACKEND_FAILED.  An allocation failure of the host
 * (ENOMEM with page-table memory left) stays "error ENOMEM", as without
 * --mmu.
 *
 * Verification after each request that may change the tables: every page
 * of the request's range, widened to 2 MiB (a block split rewrites the
 * whole block), plus a rolling sample that walks on through the VM from
 * where the previous one stopped, plus a full sweep every
 * --mmu-verify-every requests and at the end.  Pages are checked a leaf
 * (or a hole) at a time with gpuvm_mali_sim_probe(), which answers as the
 * GPU would through its TLB and walker cache, and against the library's
 * own walk; a few real GPU accesses per verification also take the fault
 * path (interrupt, fault handler, re-bind).
 */
#include "mmu.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/gpuvm.h>
#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_uio.h>

#include "idtable.h"
#include "trace_parse.h"

#define PG		0x1000ull
#define BLOCK		0x200000ull
#define GiB		(1ull << 30)
#define SIM_PA_BITS	48u
#define PT_BASE		GiB
#define PT_WINDOW	(63 * GiB)
#define PT_FIRST_POOL	(4ull << 20)
#define PT_MAX_POOL	GiB
#define BO_BASE		(64 * GiB)
#define BO_LIMIT	(1ull << SIM_PA_BITS)
#define SRC_ID		0x42

/* real GPU accesses (fault path included) per verification */
#define VERIFY_GPU_ACCESSES	8
/* leaves or holes the rolling sample checks after each request */
#define VERIFY_ROLL_STEPS	64
/* messages shown per kind of failure */
#define SHOW_MAX		20

struct bo_info {
	uint64_t id;		/* key of mmu_env.bos */
	uint64_t size;		/* trace units, from the bo line, or 0 */
	uint64_t need;		/* trace units, max OFFSET + RANGE of maps */
	uint64_t pa;		/* GPU bytes */
	uint64_t bytes;		/* GPU bytes; 0: could not be placed */
	uint64_t want;		/* GPU bytes it needs (UINT64_MAX: too many) */
};

struct mmu_env {
	struct mmu_options opts;
	unsigned int shift;
	struct gpuvm_mali_sim *sim;	/* sim mode */
	struct gpuvm_mali_uio *uio;	/* uio mode */
	struct gpuvm_mali_hal *hal;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_vm *vm;
	int as;

	const char *name;		/* the trace, for messages */
	unsigned long lineno;		/* the line being run */
	void (*flush)(void *priv);	/* before a message: mmu_env_set_flush() */
	void *flush_priv;

	struct id_table bos;		/* struct bo_info by id */
	struct bo_info **bo_order;	/* the same, by ascending id */
	uint64_t bo_base, bo_size;	/* the carve-out */
	uint64_t bo_limit;		/* room for BOs */

	/* page-table memory */
	uint64_t pt_next, pt_end;	/* room left for pools */
	uint64_t pt_pool;		/* size of the next pool */
	bool pt_fixed;			/* one pool, no growth */
	unsigned int pt_pools;
	uint64_t pt_bytes;		/* in the pools */
	bool pt_exhausted;		/* the request ran out of it */

	unsigned long backend_failed;
	unsigned long backend_first_line;

	unsigned long faults;		/* delivered by the irq path */
	uint64_t last_fault_addr;
	unsigned long ops;
	unsigned long checks_failed;
	unsigned long first_failed_line;
	unsigned long verifies, sweeps;
	uint64_t gpu_accesses;
	uint64_t pages_request[2], pages_rolling[2], pages_sweep[2];
	uint64_t roll_cursor;		/* where the rolling sample goes on */
	struct gpuvm_mali_vm_stats final;
	bool have_final;
	size_t pt_pages_peak;
	struct gpuvm_mali_sim_stats sim_final;
};

unsigned int mmu_env_shift(const struct mmu_env *env)
{
	return env->shift;
}

struct gpuvm_mali_vm *mmu_env_vm(struct mmu_env *env)
{
	return env->vm;
}

struct gpuvm_mali_sim *mmu_env_sim(struct mmu_env *env)
{
	return env->sim;
}

struct gpuvm_mali_ptmem *mmu_env_ptmem(struct mmu_env *env)
{
	return env->mem;
}

uint64_t mmu_env_bo_bytes(const struct mmu_env *env)
{
	return env->bo_size;
}

unsigned long mmu_env_first_failed_line(const struct mmu_env *env)
{
	return env->first_failed_line;
}

void mmu_env_count_ops(struct mmu_env *env, unsigned long n)
{
	env->ops += n;
}

/* ------------------------------------------------------------------------ */
/* Pre-scan                                                                 */

/* The pre-scan's record of BO @id, created on first use; NULL: no memory. */
static struct bo_info *bo_info_get(struct id_table *t, uint64_t id)
{
	struct bo_info *bi = id_table_lookup(t, id);

	if (!bi) {
		bi = calloc(1, sizeof(*bi));
		if (!bi)
			return NULL;
		bi->id = id;
		if (id_table_insert(t, bi)) {
			free(bi);
			return NULL;
		}
	}
	return bi;
}

static bool num(const char *s, uint64_t *v)
{
	return trace_parse_u64(s, v) == TRACE_NUM_OK;
}

/* Returns 0, or -ENOMEM. */
static int prescan_line(struct mmu_env *env, const struct trace_line *l,
			bool *unaligned)
{
	const char *cmd = l->tok[0];
	uint64_t v[4], id;
	unsigned int i, n = l->count - 1;
	struct bo_info *bi;

	if (n > 4)
		return 0;
	if (!strcmp(cmd, "vm") || !strcmp(cmd, "unmap") ||
	    !strcmp(cmd, "madvise") || !strcmp(cmd, "prefetch")) {
		for (i = 0; i < n; i++)
			if (num(l->tok[i + 1], &v[i]) && (v[i] & (PG - 1)))
				*unaligned = true;
	} else if (!strcmp(cmd, "bo") && n == 2) {
		if (trace_parse_dec_u64(l->tok[1], &id) != TRACE_NUM_OK ||
		    !num(l->tok[2], &v[0]) || !id || !v[0])
			return 0;
		if (v[0] & (PG - 1))
			*unaligned = true;
		bi = bo_info_get(&env->bos, id);
		if (!bi)
			return -ENOMEM;
		if (!bi->size)
			bi->size = v[0];
	} else if (!strcmp(cmd, "map") && n == 4) {
		if (!num(l->tok[1], &v[0]) || !num(l->tok[2], &v[1]) ||
		    trace_parse_dec_u64(l->tok[3], &id) != TRACE_NUM_OK ||
		    !num(l->tok[4], &v[3]))
			return 0;
		if ((v[0] | v[1] | v[3]) & (PG - 1))
			*unaligned = true;
		if (!id)
			return 0;
		bi = bo_info_get(&env->bos, id);
		if (!bi)
			return -ENOMEM;
		if (v[3] + v[1] < v[3])
			bi->need = UINT64_MAX;
		else if (v[3] + v[1] > bi->need)
			bi->need = v[3] + v[1];
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	uint64_t x = (*(struct bo_info *const *)a)->id;
	uint64_t y = (*(struct bo_info *const *)b)->id;

	return x < y ? -1 : x > y;
}

/*
 * Every line of @trace: the BOs' sizes (env->bos, then env->bo_order) and
 * whether the numbers are all multiples of 4 KiB (env->shift).  Returns 0,
 * or -ENOMEM.
 */
static int prescan(struct mmu_env *env, const char *trace, size_t len)
{
	const char *p = trace, *end = trace + len;
	bool unaligned = false;
	struct trace_line l;
	char *copy = NULL;	/* the line, split in place */
	size_t room = 0, i, k = 0;
	int ret = 0;

	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n >= room) {
			size_t want = n + 1 > 2 * room ? n + 1 : 2 * room;
			char *grown = realloc(copy, want);

			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			copy = grown;
			room = want;
		}
		memcpy(copy, p, n);
		copy[n] = '\0';
		trace_split(copy, &l);
		if (l.count > 0 && l.count <= TRACE_MAX_TOKENS)
			ret = prescan_line(env, &l, &unaligned);
		p += n + 1;
	}
	free(copy);
	env->shift = unaligned ? 12 : 0;
	if (ret)
		return ret;

	env->bo_order = malloc((env->bos.count ? env->bos.count : 1) *
			       sizeof(*env->bo_order));
	if (!env->bo_order)
		return -ENOMEM;
	for (i = 0; i < id_table_positions(&env->bos); i++)
		if (id_table_at(&env->bos, i))
			env->bo_order[k++] = id_table_at(&env->bos, i);
	qsort(env->bo_order, k, sizeof(*env->bo_order), cmp_id);
	return 0;
}

/* GPU bytes BO @bi needs: page-rounded, UINT64_MAX when beyond 2^64. */
static uint64_t bo_want(const struct mmu_env *env, const struct bo_info *bi)
{
	uint64_t units = bi->size > bi->need ? bi->size : bi->need;

	if (!units)
		units = 1;
	if (units > (UINT64_MAX >> env->shift) ||
	    (units << env->shift) > UINT64_MAX - PG)
		return UINT64_MAX;
	return ((units << env->shift) + PG - 1) & ~(PG - 1);
}

/*
 * Give every BO its backing in [@base, @base + env->bo_limit), in
 * ascending id order; a BO that does not fit gets none (a backend failure
 * when the trace first uses it).  Sets env->bo_base and env->bo_size.
 */
static void place_bos(struct mmu_env *env, uint64_t base)
{
	uint64_t end = base + env->bo_limit;
	uint64_t next = base;
	size_t i;

	for (i = 0; i < env->bos.count; i++) {
		struct bo_info *bi = env->bo_order[i];
		uint64_t bytes = bo_want(env, bi), at;

		bi->want = bytes;
		at = (next + (bytes >= BLOCK ? BLOCK : PG) - 1) &
		     ~((bytes >= BLOCK ? BLOCK : PG) - 1);
		if (bytes > end - base || at > end - bytes)
			continue;
		bi->pa = at;
		bi->bytes = bytes;
		next = at + bytes;
	}
	env->bo_base = base;
	env->bo_size = next - base;
}

/* ------------------------------------------------------------------------ */
/* Backend failures                                                         */

void mmu_env_set_flush(struct mmu_env *env, void (*flush)(void *priv),
		       void *priv)
{
	env->flush = flush;
	env->flush_priv = priv;
}

/* Everything printed on stdout so far comes out before a message. */
static void flush_output(const struct mmu_env *env)
{
	if (env->flush)
		env->flush(env->flush_priv);
	fflush(stdout);
}

static void __attribute__((format(printf, 2, 3))) backend_fail(struct mmu_env *env,
					     const char *fmt, ...)
{
	va_list ap;

	if (!env->backend_failed++)
		env->backend_first_line = env->lineno;
	if (env->backend_failed > SHOW_MAX)
		return;
	flush_output(env);
	fprintf(stderr, "gpuvm-replay: %s:%lu: the MMU backend cannot apply what the planner accepted: ",
		env->name, env->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (env->backend_failed == SHOW_MAX)
		fprintf(stderr, "gpuvm-replay: (further backend failures not shown)\n");
}

void mmu_env_set_line(struct mmu_env *env, const char *name,
		      unsigned long lineno)
{
	env->name = name;
	env->lineno = lineno;
	env->pt_exhausted = false;
}

unsigned long mmu_env_backend_failures(const struct mmu_env *env)
{
	return env->backend_failed;
}

bool mmu_env_check_apply(struct mmu_env *env, const char *what, int err)
{
	uint64_t kib;

	if (!err)
		return false;
	if (err == ENOMEM && !env->pt_exhausted)
		return false;	/* the host's allocation failure */
	if (err != ENOMEM) {
		backend_fail(env, "%s: %s", what, gpuvm_err_name(-err));
		return true;
	}
	kib = env->pt_bytes >> 10;
	if (env->uio)
		backend_fail(env, "%s: out of page-table memory: the UIO carve-out gives page tables %" PRIu64 " KiB (--mmu-pt-size)",
			     what, env->pt_bytes >> 10);
	else if (env->pt_fixed)
		backend_fail(env, "%s: out of page-table memory: --mmu-pt-size gives %" PRIu64 " KiB",
			     what, kib);
	else
		backend_fail(env, "%s: out of page-table memory: the simulator's %llu GiB page-table window is full",
			     what, PT_WINDOW >> 30);
	return true;
}

int mmu_env_bo_backing(struct mmu_env *env, uint64_t id, uint64_t *pa,
		       uint64_t *size)
{
	struct bo_info *bi = id_table_lookup(&env->bos, id);

	if (!bi)
		return ENOMEM;	/* the pre-scan saw no such BO: cannot be */
	if (!bi->bytes) {
		if (bi->want == UINT64_MAX)
			backend_fail(env, "BO %" PRIu64 " needs more than 2^64 bytes",
				     id);
		else
			backend_fail(env, "BO %" PRIu64 " (%" PRIu64 " MiB) does not fit in the %s BO memory (%" PRIu64 " MiB)",
				     id, bi->want >> 20,
				     env->sim ? "simulated" : "UIO carve-out's",
				     env->bo_limit >> 20);
		return ENOSPC;
	}
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

/* The page-table allocator is full: add the next pool, or say why not. */
static int grow_pt(struct gpuvm_mali_ptmem *mem, size_t npages, void *priv)
{
	struct mmu_env *env = priv;
	uint64_t need = (uint64_t)npages * PG, size = env->pt_pool;
	int ret;

	while (size < need && size < PT_MAX_POOL)
		size *= 2;
	if (size < need)
		size = (need + BLOCK - 1) & ~(BLOCK - 1);
	if (size > env->pt_end - env->pt_next)
		size = env->pt_end - env->pt_next;
	if (env->pt_fixed || size < need || !size) {
		env->pt_exhausted = true;
		return -ENOMEM;
	}
	ret = gpuvm_mali_ptmem_add_pool(mem, env->pt_next, size);
	if (ret)
		return ret;
	env->pt_next += size;
	env->pt_bytes += size;
	env->pt_pools++;
	env->pt_pool = size * 2 < PT_MAX_POOL ? size * 2 : PT_MAX_POOL;
	return 0;
}

/* The first pool, and growth from there unless its size was given. */
static int setup_pt(struct mmu_env *env, uint64_t base, uint64_t window)
{
	uint64_t first = env->opts.pt_size ? env->opts.pt_size : PT_FIRST_POOL;
	int ret;

	env->pt_next = base;
	env->pt_end = base + window;
	env->pt_pool = first;
	ret = grow_pt(env->mem, (size_t)(first / PG), env);
	if (ret)
		return ret;
	env->pt_fixed = env->opts.pt_size || env->uio;
	gpuvm_mali_ptmem_set_grow(env->mem, grow_pt, env);
	return 0;
}

static enum replay_status open_sim(struct mmu_env *env)
{
	struct gpuvm_mali_sim_config cfg;
	int ret;

	if (env->opts.pt_size > PT_WINDOW) {
		fprintf(stderr, "gpuvm-replay: --mmu-pt-size: at most %llu GiB with the simulator\n",
			PT_WINDOW >> 30);
		return REPLAY_TOOL_ERROR;
	}
	env->bo_limit = BO_LIMIT - BO_BASE;
	place_bos(env, BO_BASE);

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.mmu_features = (cfg.mmu_features & ~0xFF00u) | SIM_PA_BITS << 8;
	ret = gpuvm_mali_sim_create(&cfg, &env->sim);
	if (!ret)
		ret = gpuvm_mali_sim_add_memory(env->sim, PT_BASE, PT_WINDOW);
	if (!ret && env->bo_size)
		ret = gpuvm_mali_sim_add_memory(env->sim, BO_BASE,
						(env->bo_size + BLOCK - 1) &
						~(BLOCK - 1));
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
		ret = setup_pt(env, PT_BASE, PT_WINDOW);
	if (!ret)
		ret = gpuvm_mali_ptmem_add_output_range(env->mem, BO_BASE,
							env->bo_limit);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: cannot set up the simulated MMU: %s\n",
			strerror(-ret));
		return REPLAY_TOOL_ERROR;
	}
	return REPLAY_OK;
}

static enum replay_status open_uio(struct mmu_env *env, const char *name)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio_map map;
	uint64_t pt;
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
	/* Page tables first (--mmu-pt-size, or half), then BO memory. */
	pt = env->opts.pt_size;
	if (!pt) {
		pt = (map.len / 2) & ~(BLOCK - 1);
		if (!pt)
			pt = (map.len / 2) & ~(PG - 1);
	}
	if (!pt || pt >= (map.len & ~(PG - 1))) {
		fprintf(stderr, "gpuvm-replay: the UIO page-table map (%" PRIu64 " KiB) has no room for %s page tables and BOs (--mmu-pt-size)\n",
			map.len >> 10, pt ? "these" : "both");
		return REPLAY_TOOL_ERROR;
	}
	ret = gpuvm_mali_mmu_create(env->hal, NULL, &env->mmu);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: GPU probe failed: %s\n",
			strerror(-ret));
		return REPLAY_TOOL_ERROR;
	}
	env->bo_limit = (map.len & ~(PG - 1)) - pt;
	place_bos(env, map.bus_addr + pt);
	ret = gpuvm_mali_ptmem_create(env->hal, &env->mem);
	if (!ret)
		ret = setup_pt(env, map.bus_addr, pt);
	if (!ret)
		ret = gpuvm_mali_ptmem_add_output_range(env->mem,
							map.bus_addr + pt,
							env->bo_limit);
	if (ret) {
		fprintf(stderr, "gpuvm-replay: cannot set up page-table memory: %s\n",
			strerror(-ret));
		return REPLAY_TOOL_ERROR;
	}
	return REPLAY_OK;
}

static void env_free(struct mmu_env *env)
{
	size_t i;

	gpuvm_mali_vm_destroy(env->vm);
	gpuvm_mali_ptmem_destroy(env->mem);
	gpuvm_mali_mmu_destroy(env->mmu);
	gpuvm_mali_sim_destroy(env->sim);
	gpuvm_mali_uio_close(env->uio);
	for (i = 0; env->bos.slots && i < id_table_positions(&env->bos); i++)
		free(id_table_at(&env->bos, i));
	id_table_fini(&env->bos);
	free(env->bo_order);
	free(env);
}

enum replay_status mmu_env_open(const char *spec, const char *trace,
				size_t len, const struct mmu_options *opts,
				struct mmu_env **out)
{
	struct mmu_env *env = calloc(1, sizeof(*env));
	enum replay_status st;

	if (!env) {
		fprintf(stderr, "gpuvm-replay: out of memory\n");
		return REPLAY_TOOL_ERROR;
	}
	env->opts = *opts;
	env->name = "<trace>";
	env->as = -1;
	if (id_table_init(&env->bos, offsetof(struct bo_info, id), 64) ||
	    prescan(env, trace, len)) {
		fprintf(stderr, "gpuvm-replay: out of memory reading the trace's BOs\n");
		st = REPLAY_TOOL_ERROR;
	} else if (opts->pt_size % PG) {
		fprintf(stderr, "gpuvm-replay: --mmu-pt-size must be a multiple of 4 KiB\n");
		st = REPLAY_TOOL_ERROR;
	} else if (!strcmp(spec, "sim")) {
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

static void scratch_free(struct gpuvm *vm)
{
	(void)vm;
}

static const struct gpuvm_ops scratch_ops = { .vm_free = scratch_free };

/* Would the plain replay's gpuvm_init() accept this vm command? */
static bool core_accepts_vm(uint64_t start, uint64_t range,
			    uint64_t resv_start, uint64_t resv_range)
{
	struct gpuvm_init_args args;
	struct gpuvm scratch;

	memset(&args, 0, sizeof(args));
	args.name = "gpuvm-replay";
	args.start = start;
	args.range = range;
	args.reserve_start = resv_start;
	args.reserve_range = resv_range;
	args.ops = &scratch_ops;
	if (gpuvm_init(&scratch, &args))
		return false;
	gpuvm_put(&scratch);
	return true;
}

int mmu_env_vm_create(struct mmu_env *env, uint64_t start, uint64_t range,
		      uint64_t resv_start, uint64_t resv_range,
		      struct gpuvm **gv)
{
	struct gpuvm_mali_vm_config cfg;
	int ret = EINVAL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "gpuvm-replay";
	if (scale(env, start, &cfg.va_start) &&
	    scale(env, range, &cfg.va_range) &&
	    scale(env, resv_start, &cfg.reserve_start) &&
	    scale(env, resv_range, &cfg.reserve_range))
		ret = -gpuvm_mali_vm_create(env->mmu, env->mem, &cfg, &env->vm);
	if (!ret) {
		env->as = gpuvm_mali_vm_bind(env->vm);
		if (env->as < 0) {
			ret = -env->as;
			gpuvm_mali_vm_destroy(env->vm);
			env->vm = NULL;
		}
	}
	if (ret && !(ret == ENOMEM && !env->pt_exhausted) &&
	    core_accepts_vm(start, range, resv_start, resv_range))
		backend_fail(env, "vm: %s (the GPU has %u VA bits%s)",
			     gpuvm_err_name(-ret),
			     gpuvm_mali_mmu_info(env->mmu)->va_bits,
			     env->shift ? "; 1 trace unit = 4 KiB" : "");
	if (ret)
		return ret;
	*gv = gpuvm_mali_vm_gpuvm(env->vm);
	env->roll_cursor = cfg.va_start;
	return 0;
}

static bool full_sweep(struct mmu_env *env);

void mmu_env_vm_destroy(struct mmu_env *env)
{
	size_t used = 0;

	if (!env->vm)
		return;
	env->name = "end of trace";
	env->lineno = 0;
	full_sweep(env);
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

	env->gpu_accesses++;
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

/**
 * struct vctx - one verification
 * @env: the backend
 * @ok: nothing failed so far
 * @gpu_left: real GPU accesses still to plan
 * @gpu: the planned ones, made once every probe is done (a fault's
 *	re-bind flushes the TLB, which would hide a stale entry from a later
 *	probe)
 * @ngpu: how many
 * @steps: leaves or holes checked
 * @pages: 4 KiB pages checked, unmapped ones [0] and mapped ones [1]
 */
struct vctx {
	struct mmu_env *env;
	bool ok;
	unsigned int gpu_left;
	struct {
		uint64_t va;
		bool mapped;
		uint64_t want;
	} gpu[VERIFY_GPU_ACCESSES];
	unsigned int ngpu;
	uint64_t steps;
	uint64_t pages[2];
};

static void __attribute__((format(printf, 2, 3))) vfail(struct vctx *c, const char *fmt, ...)
{
	va_list ap;

	c->ok = false;
	if (!c->env->checks_failed++)
		c->env->first_failed_line = c->env->lineno ? c->env->lineno :
					    ULONG_MAX;
	if (c->env->checks_failed > SHOW_MAX)
		return;
	flush_output(c->env);
	fprintf(stderr, "gpuvm-replay: %s:%lu: check failed: ", c->env->name,
		c->env->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c->env->checks_failed == SHOW_MAX)
		fprintf(stderr, "gpuvm-replay: (further check failures not shown)\n");
}

/* A real GPU read of @va: it must translate to @want, or fault. */
static void check_page(struct vctx *c, uint64_t va, bool mapped, uint64_t want)
{
	uint64_t pa = 0;
	bool bad_fault, got;

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
}

/*
 * Every page of [@from, @to) must translate to @pa0 + (va - @from) when
 * @mapped, else fault: as the GPU sees it (probe) and as the library's own
 * walk sees it, one leaf or hole at a time.  Stops at the first mismatch
 * or when the step budget @limit (0: none) is used up; returns where it
 * stopped.
 */
static uint64_t check_span(struct vctx *c, uint64_t from, uint64_t to,
			   bool mapped, uint64_t pa0, uint64_t limit)
{
	struct mmu_env *env = c->env;
	struct gpuvm_mali_pgtable *pt = gpuvm_mali_vm_pgtable(env->vm);
	uint64_t va = from;

	if (c->gpu_left && from < to) {
		c->gpu_left--;
		c->gpu[c->ngpu].va = from;
		c->gpu[c->ngpu].mapped = mapped;
		c->gpu[c->ngpu].want = pa0;
		c->ngpu++;
	}
	while (va < to && (!limit || c->steps < limit)) {
		struct gpuvm_mali_pt_entry e;
		uint64_t want = pa0 + (va - from), pa = 0, step = PG;
		uint32_t fault = 0;
		int r = 1, cr;

		if (env->sim) {
			r = gpuvm_mali_sim_probe(env->sim, (unsigned int)env->as,
						 va, GPUVM_MALI_SIM_READ, &pa,
						 &fault, &step);
			if (mapped && r)
				vfail(c, "VA 0x%" PRIx64 ": the GPU faults (0x%x), expected PA 0x%" PRIx64,
				      va, fault, want);
			else if (mapped && pa != want)
				vfail(c, "VA 0x%" PRIx64 ": the GPU reads PA 0x%" PRIx64 ", expected 0x%" PRIx64,
				      va, pa, want);
			else if (!mapped && !r)
				vfail(c, "VA 0x%" PRIx64 ": the GPU reads PA 0x%" PRIx64 ", expected a fault",
				      va, pa);
		}
		cr = gpuvm_mali_pt_lookup(pt, va, &e);
		if (mapped && (cr || e.pa != want))
			vfail(c, "VA 0x%" PRIx64 ": the page-table walk gives %s 0x%" PRIx64 ", expected PA 0x%" PRIx64,
			      va, cr ? "error" : "PA", cr ? (uint64_t)-cr : e.pa,
			      want);
		else if (!mapped && cr != -ENOENT && cr != -ERANGE)
			vfail(c, "VA 0x%" PRIx64 ": the page-table walk found PA 0x%" PRIx64 ", expected nothing",
			      va, e.pa);
		if (!c->ok)
			return to;
		if (!cr && e.size - (va & (e.size - 1)) < step)
			step = e.size - (va & (e.size - 1));
		if (!env->sim && cr)
			step = to - va;	/* hardware: a hole's first page */
		c->steps++;
		if (step > to - va)
			step = to - va;
		c->pages[mapped] += step / PG;
		va += step;
	}
	return va;
}

/*
 * Check [@lo, @hi) of the VM: every VA (the reserved one faults) and every
 * gap.  Stops after @limit steps (0: none); returns where it stopped.
 */
static uint64_t verify_region(struct vctx *c, uint64_t lo, uint64_t hi,
			      uint64_t limit)
{
	struct gpuvm *gv = gpuvm_mali_vm_gpuvm(c->env->vm);
	const struct gpuvm_va *va;
	uint64_t cursor = lo, end, stop;

	if (hi <= lo)
		return hi;
	for (va = gpuvm_va_find_first(gv, lo, hi - lo);
	     va && va->addr < hi; va = gpuvm_va_next(va)) {
		const struct gpuvm_mali_bo *bo = NULL;
		uint64_t from = va->addr > cursor ? va->addr : cursor;

		if (va->addr > cursor) {
			stop = check_span(c, cursor, va->addr, false, 0, limit);
			if (stop < va->addr || !c->ok)
				return stop;
		}
		end = va->addr + va->range;
		if (!end || end > hi)
			end = hi;
		if (va->obj && va != &gv->kernel_alloc_node)
			bo = gpuvm_container_of(va->obj,
						const struct gpuvm_mali_bo,
						base);
		stop = check_span(c, from, end, bo != NULL,
				  bo ? bo->pa + va->offset + (from - va->addr) : 0,
				  limit);
		if (stop < end || !c->ok)
			return stop;
		cursor = end;
	}
	return check_span(c, cursor, hi, false, 0, limit);
}

/*
 * The real GPU accesses planned by the probes, now: the faulting ones
 * first, as their re-bind empties the TLB, so that the TLB is left holding
 * the mapped pages and a later request that fails to flush them shows.
 */
static void check_planned(struct vctx *c)
{
	unsigned int i, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < c->ngpu && c->ok; i++)
			if (c->gpu[i].mapped == pass)
				check_page(c, c->gpu[i].va, c->gpu[i].mapped,
					   c->gpu[i].want);
	c->ngpu = 0;
}

/* The simulator's violations, once, as a failed check. */
static void check_violations(struct vctx *c)
{
	size_t nviol;

	if (!c->env->sim)
		return;
	nviol = gpuvm_mali_sim_violation_count(c->env->sim);
	if (nviol) {
		const struct gpuvm_mali_sim_violation *v =
			gpuvm_mali_sim_violation_get(c->env->sim, 0);

		vfail(c, "the simulator logged %zu violation%s, the first: %s: %s",
		      nviol, nviol == 1 ? "" : "s",
		      v ? gpuvm_mali_sim_violation_name(v->code) : "?",
		      v ? v->msg : "?");
		gpuvm_mali_sim_violation_clear(c->env->sim);
	}
}

static bool full_sweep(struct mmu_env *env)
{
	struct gpuvm *gv = gpuvm_mali_vm_gpuvm(env->vm);
	struct vctx c = { .env = env, .ok = true,
			  .gpu_left = VERIFY_GPU_ACCESSES };

	verify_region(&c, gv->mm_start, gv->mm_start + gv->mm_range, 0);
	check_planned(&c);
	env->sweeps++;
	env->pages_sweep[0] += c.pages[0];
	env->pages_sweep[1] += c.pages[1];
	check_violations(&c);
	return c.ok;
}

/*
 * Widen a request's edge @at (its start, or its end when @up): a page
 * further, or to the 2 MiB block around @at when one BO mapping covers
 * that block's part outside the request -- it may have been a block entry
 * the request split into pages, all of them rewritten.
 */
static uint64_t widen(struct gpuvm *gv, uint64_t at, bool up)
{
	uint64_t block = at & ~(BLOCK - 1), out = up ? at : at - 1;
	const struct gpuvm_va *va;

	if (at == block)
		return up ? at + PG : at >= PG ? at - PG : 0;
	va = gpuvm_va_find_first(gv, out, 1);
	if (va && va->obj && va != &gv->kernel_alloc_node &&
	    (up ? va->addr + va->range - 1 >= block + BLOCK - 1 :
		  va->addr <= block))
		return up ? block + BLOCK : block;
	return up ? at + PG : at >= PG ? at - PG : 0;
}

bool mmu_env_verify(struct mmu_env *env, uint64_t lo, uint64_t range)
{
	struct vctx c = { .env = env, .ok = true,
			  .gpu_left = VERIFY_GPU_ACCESSES };
	uint64_t vm_lo, vm_hi, hi;
	struct gpuvm *gv;

	if (!env->vm)
		return true;
	gv = gpuvm_mali_vm_gpuvm(env->vm);
	vm_lo = gv->mm_start;
	vm_hi = gv->mm_start + gv->mm_range;
	env->verifies++;
	if (env->opts.verify_every &&
	    env->verifies % env->opts.verify_every == 0)
		return full_sweep(env);

	/* The request's range, one page more on each side or a whole block. */
	if (range) {
		hi = lo + range > lo ? lo + range : vm_hi;
		lo = widen(gv, lo, false);
		hi = widen(gv, hi, true);
		verify_region(&c, lo > vm_lo ? lo : vm_lo,
			      hi < vm_hi ? hi : vm_hi, 0);
		env->pages_request[0] += c.pages[0];
		env->pages_request[1] += c.pages[1];
	}

	/* The rolling sample goes on where it stopped, and wraps. */
	c.pages[0] = c.pages[1] = 0;
	c.steps = 0;
	c.gpu_left = 0;
	if (env->roll_cursor < vm_lo || env->roll_cursor >= vm_hi)
		env->roll_cursor = vm_lo;
	if (c.ok)
		env->roll_cursor = verify_region(&c, env->roll_cursor, vm_hi,
						 VERIFY_ROLL_STEPS);
	env->pages_rolling[0] += c.pages[0];
	env->pages_rolling[1] += c.pages[1];
	check_planned(&c);
	check_violations(&c);
	return c.ok;
}

/* ------------------------------------------------------------------------ */
/* Summary                                                                  */

enum replay_status mmu_env_close(struct mmu_env *env)
{
	enum replay_status st = REPLAY_OK;

	mmu_env_vm_destroy(env);
	if (env->sim) {
		struct vctx c = { .env = env, .ok = true };

		check_violations(&c);
		gpuvm_mali_sim_stats(env->sim, &env->sim_final);
	}
	if (env->checks_failed)
		st = REPLAY_CHECK_FAILED;
	else if (env->backend_failed)
		st = REPLAY_BACKEND_FAILED;

	if (!env->opts.quiet) {
		const struct gpuvm_mali_vm_stats *s = &env->final;

		fprintf(stderr, "gpuvm-replay: %s summary%s\n",
			env->sim ? "MMU (simulator)" : "MMU (UIO)",
			env->shift ? " (1 trace unit = 4 KiB)" : "");
		fprintf(stderr, "  requests        %" PRIu64 " applied, %" PRIu64 " failed, %lu the backend could not apply\n",
			s->requests, s->failed, env->backend_failed);
		fprintf(stderr, "  ops             %lu printed, %" PRIu64 " applied to page tables\n",
			env->ops, s->ops);
		fprintf(stderr, "  pages           %" PRIu64 " mapped, %" PRIu64 " unmapped, %" PRIu64 " kept\n",
			s->pages_mapped, s->pages_unmapped, s->pages_kept);
		fprintf(stderr, "  PT pages        %" PRIu64 " reserved, %" PRIu64 " used, %zu in use at the end; %u pool%s, %" PRIu64 " KiB (%s)\n",
			s->pt_pages_reserved, s->pt_pages_used,
			env->pt_pages_peak, env->pt_pools,
			env->pt_pools == 1 ? "" : "s", env->pt_bytes >> 10,
			env->pt_fixed ? "fixed: --mmu-pt-size" : "grown on demand");
		fprintf(stderr, "  flushes         %" PRIu64 "\n", s->flushes);
		fprintf(stderr, "  BO memory       %" PRIu64 " KiB for %zu BOs",
			env->bo_size >> 10, env->bos.count);
		if (env->sim)
			fprintf(stderr, "; %" PRIu64 " KiB of simulated memory backed (%" PRIu64 " KiB of host memory)",
				env->sim_final.backed_bytes >> 10,
				env->sim_final.host_bytes >> 10);
		fputc('\n', stderr);
		fprintf(stderr, "  verified        4 KiB pages, mapped + unmapped: %" PRIu64 " + %" PRIu64 " around the %lu requests, %" PRIu64 " + %" PRIu64 " by the rolling sample, %" PRIu64 " + %" PRIu64 " in %lu full sweeps (",
			env->pages_request[1], env->pages_request[0],
			env->verifies, env->pages_rolling[1],
			env->pages_rolling[0], env->pages_sweep[1],
			env->pages_sweep[0], env->sweeps);
		if (env->opts.verify_every)
			fprintf(stderr, "every %lu requests and ",
				env->opts.verify_every);
		fprintf(stderr, "at the end)\n");
		fprintf(stderr, "  checks          %lu failed; %" PRIu64 " GPU accesses, %lu expected GPU faults\n",
			env->checks_failed, env->gpu_accesses, env->faults);
	}
	env_free(env);
	return st;
}
