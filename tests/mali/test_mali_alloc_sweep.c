// SPDX-License-Identifier: MIT
/*
 * Allocation-failure sweep over every Mali backend entry point that
 * allocates: one row per entry point, each called with allocation N
 * failing, N = 1, 2, ... until a call gets through without an injected
 * failure, once transiently (only allocation N fails) and once persistently
 * (N and every later one).  A fresh environment is built for every call: a
 * simulated CSF GPU, its MMU, page-table memory and a bound VM holding a
 * 2 MiB block, some 4 KiB pages and a sparse mapping.
 *
 * A failed call must return -ENOMEM and change nothing: the dump of the VM
 * (VAs, vm_bos, objects), the page-table memory's page counts, the page
 * tables as both the GPU and the CPU see them, the register-access count
 * and the simulator's counters, the VM's counters (except "failed", which
 * must go up by one for a failed request) and the process's open file
 * descriptors must equal the dump taken before, and once the environment
 * is torn down no allocation may be left.  Rows whose successful call can
 * be undone compare the dump after undoing it too.
 *
 * Page-table pages come from pools, not from the allocator; running out of
 * them is swept separately (the "pages" cases): every reservation or pool
 * too small by one page or more must fail with -ENOMEM and change nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_uio.h>
#include <gpuvm/mali_vm.h>

#include "../support.h"

#define PG		0x1000ull
#define MiB		(1ull << 20)
#define PT_BASE		0x80000000ull
#define PT_SIZE		(64 * PG)
#define BUF_BASE	0x90000000ull
#define BUF_SIZE	(16 * MiB)
#define WIN		0x40000000ull
#define SWEEP_LIMIT	200
#define ARRAY_SIZE(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define RW		(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE)

struct menv {
	struct gpuvm_mali_sim *sim;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_vm *vm;
	struct gpuvm_mali_bo bo[2];

	/* made by a row */
	struct gpuvm_mali_sim *sim2;
	struct gpuvm_mali_ptmem *mem2;
	struct gpuvm_mali_pgtable *pt2;
	struct gpuvm_mali_mmu *mmu2;
	struct gpuvm_mali_vm *vm2;
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_pt_reserve res;
	char tree[256];
	uint64_t failed0;
};

/* --- environment --------------------------------------------------------- */

static void vm_config(struct gpuvm_mali_vm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->name = "sweep";
	c->va_start = 0x100000;
	c->va_range = 0x100000000ull;
	c->reserve_start = 0x100000;
	c->reserve_range = 0x100000;
}

static void env_init(struct menv *e)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_vm_config vcfg;

	memset(e, 0, sizeof(*e));
	e->res = (struct gpuvm_mali_pt_reserve)GPUVM_MALI_PT_RESERVE_INIT;
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &e->sim), 0);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(e->sim, PT_BASE, PT_SIZE),
			 0);
	ck_assert_int_eq(gpuvm_mali_mmu_create(gpuvm_mali_sim_hal(e->sim),
					       NULL, &e->mmu), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(gpuvm_mali_sim_hal(e->sim),
						 &e->mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(e->mem, PT_BASE, PT_SIZE),
			 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(e->mem, BUF_BASE,
							   BUF_SIZE), 0);
	vm_config(&vcfg);
	ck_assert_int_eq(gpuvm_mali_vm_create(e->mmu, e->mem, &vcfg, &e->vm),
			 0);
	ck_assert_int_ge(gpuvm_mali_vm_bind(e->vm), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&e->bo[0], BUF_BASE, 4 * MiB,
					    NULL), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&e->bo[1], BUF_BASE + 4 * MiB,
					    4 * MiB, NULL), 0);

	/* a 2 MiB block, 4 KiB pages of another object, a sparse mapping */
	ck_assert_int_eq(gpuvm_mali_vm_map(e->vm, WIN, 2 * MiB, &e->bo[0], 0,
					   RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(e->vm, WIN + 4 * MiB, 16 * PG,
					   &e->bo[1], PG, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(e->vm, WIN + 8 * MiB, MiB, NULL, 0,
					   RW), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void env_fini(struct menv *e)
{
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(e->sim), 0);
	gpuvm_mali_pt_reserve_release(&e->res);
	gpuvm_mali_vm_destroy(e->vm2);
	gpuvm_mali_vm_destroy(e->vm);
	gpuvm_mali_bo_fini(&e->bo[0]);
	gpuvm_mali_bo_fini(&e->bo[1]);
	if (e->pt2) {
		gpuvm_mali_pt_destroy(e->pt2);
		gpuvm_mali_ptmem_flush_done(e->mem);
	}
	gpuvm_mali_ptmem_destroy(e->mem2);
	gpuvm_mali_ptmem_destroy(e->mem);
	gpuvm_mali_mmu_destroy(e->mmu2);
	gpuvm_mali_mmu_destroy(e->mmu);
	gpuvm_mali_uio_close(e->uio);
	gpuvm_mali_sim_destroy(e->sim2);
	gpuvm_mali_sim_destroy(e->sim);
	if (e->tree[0])
		nftw(e->tree, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void env_dump(struct menv *e, struct ts_dump *d)
{
	struct gpuvm_mali_vm_stats st;

	ts_dump_vm(d, gpuvm_mali_vm_gpuvm(e->vm));
	ts_dump_bo(d, &e->bo[0].base);
	ts_dump_bo(d, &e->bo[1].base);
	ts_dump_mali_ptmem(d, e->mem);
	ts_dump_mali_sim(d, e->sim, PT_BASE, PT_SIZE);
	gpuvm_mali_vm_stats(e->vm, &st);
	ts_dump_printf(d, "vm as %d usable %d requests %llu ops %llu "
		       "mapped %llu unmapped %llu kept %llu reserved %llu "
		       "used %llu flushes %llu\n", gpuvm_mali_vm_as(e->vm),
		       gpuvm_mali_vm_usable(e->vm),
		       (unsigned long long)st.requests,
		       (unsigned long long)st.ops,
		       (unsigned long long)st.pages_mapped,
		       (unsigned long long)st.pages_unmapped,
		       (unsigned long long)st.pages_kept,
		       (unsigned long long)st.pt_pages_reserved,
		       (unsigned long long)st.pt_pages_used,
		       (unsigned long long)st.flushes);
	ts_dump_printf(d, "reservation mem %p count %zu cap %zu taken %zu",
		       (void *)e->res.mem, e->res.count, e->res.cap,
		       e->res.taken);
	for (size_t i = 0; i < e->res.count; i++)
		ts_dump_printf(d, " %#llx", (unsigned long long)e->res.pages[i]);
	ts_dump_printf(d, "\n");
	if (e->mem2)
		ts_dump_mali_ptmem(d, e->mem2);
	ts_dump_printf(d, "objects sim2 %p mem2 %p pt2 %p mmu2 %p vm2 %p "
		       "uio %p fds %d\n", (void *)e->sim2, (void *)e->mem2,
		       (void *)e->pt2, (void *)e->mmu2, (void *)e->vm2,
		       (void *)e->uio, count_fds());
}

static uint64_t vm_failed(struct menv *e)
{
	struct gpuvm_mali_vm_stats st;

	gpuvm_mali_vm_stats(e->vm, &st);
	return st.failed;
}

/* --- rows ---------------------------------------------------------------- */

struct row {
	const char *name;
	/* optional: more set-up, before the dump and the injection */
	void (*setup)(struct menv *e);
	int (*call)(struct menv *e);
	/* success: check, and return true if the call was undone */
	bool (*ok)(struct menv *e);
	/* -ENOMEM: extra checks; may be NULL */
	void (*failed)(struct menv *e);
};

/* gpuvm_mali_sim_create */

static int call_sim_create(struct menv *e)
{
	struct gpuvm_mali_sim_config cfg;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.trace_capacity = 16;
	return gpuvm_mali_sim_create(&cfg, &e->sim2);
}

static bool ok_sim_create(struct menv *e)
{
	ck_assert_uint_eq(gpuvm_mali_sim_trace_count(e->sim2), 0);
	gpuvm_mali_sim_destroy(e->sim2);
	e->sim2 = NULL;
	return true;
}

/* gpuvm_mali_sim_add_memory, on a second simulator that has memory */

static void setup_sim2(struct menv *e)
{
	struct gpuvm_mali_sim_config cfg;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &e->sim2), 0);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(e->sim2, 0x10000, PG), 0);
}

static int call_add_memory(struct menv *e)
{
	return gpuvm_mali_sim_add_memory(e->sim2, 0x20000, 4 * PG);
}

static bool ok_add_memory(struct menv *e)
{
	uint64_t v = 1;

	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(e->sim2, 0x23ff8, &v), 0);
	ck_assert_uint_eq(v, 0);
	return false;
}

static void failed_add_memory(struct menv *e)
{
	uint64_t v;

	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(e->sim2, 0x20000, &v),
			 -EFAULT);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(e->sim2, 0x10000, &v), 0);
}

/* gpuvm_mali_ptmem_create / add_pool / add_output_range */

static int call_ptmem_create(struct menv *e)
{
	return gpuvm_mali_ptmem_create(gpuvm_mali_sim_hal(e->sim), &e->mem2);
}

static bool ok_ptmem_create(struct menv *e)
{
	gpuvm_mali_ptmem_destroy(e->mem2);
	e->mem2 = NULL;
	return true;
}

static void setup_mem2(struct menv *e)
{
	ck_assert_int_eq(call_ptmem_create(e), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(e->mem2, 0xA0000000ull,
						   8 * PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(e->mem2,
							   0xB0000000ull, PG),
			 0);
}

static int call_add_pool(struct menv *e)
{
	return gpuvm_mali_ptmem_add_pool(e->mem2, 0xA0100000ull, 100 * PG);
}

static bool ok_add_pool(struct menv *e)
{
	size_t total;

	gpuvm_mali_ptmem_stats(e->mem2, &total, NULL, NULL);
	ck_assert_uint_eq(total, 108);
	return false;
}

static int call_add_output(struct menv *e)
{
	return gpuvm_mali_ptmem_add_output_range(e->mem2, 0xC0000000ull, MiB);
}

static bool ok_add_output(struct menv *e)
{
	ck_assert(gpuvm_mali_ptmem_output_ok(e->mem2, 0xC0000000ull, MiB));
	return false;
}

static void failed_add_output(struct menv *e)
{
	ck_assert(!gpuvm_mali_ptmem_output_ok(e->mem2, 0xC0000000ull, PG));
	ck_assert(gpuvm_mali_ptmem_output_ok(e->mem2, 0xB0000000ull, PG));
}

/* gpuvm_mali_pt_reserve_fill, growing a reservation that holds pages */

static void setup_reserve(struct menv *e)
{
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&e->res, e->mem, 3), 0);
}

static int call_reserve(struct menv *e)
{
	return gpuvm_mali_pt_reserve_fill(&e->res, e->mem, 9);
}

static bool ok_reserve(struct menv *e)
{
	ck_assert_uint_eq(e->res.count, 9);
	return false;
}

/* gpuvm_mali_pt_create */

static int call_pt_create(struct menv *e)
{
	const struct gpuvm_mali_pt_config cfg = {
		.format = GPUVM_MALI_PT_AARCH64_4K, .ias = 39, .oas = 40,
	};

	return gpuvm_mali_pt_create(e->mem, &cfg, &e->pt2);
}

static bool ok_pt_create(struct menv *e)
{
	ck_assert_uint_eq(gpuvm_mali_pt_count_tables(e->pt2), 1);
	return false;
}

/* gpuvm_mali_mmu_create, with the GPU description given (no probe) */

static int call_mmu_create(struct menv *e)
{
	return gpuvm_mali_mmu_create(gpuvm_mali_sim_hal(e->sim),
				     gpuvm_mali_mmu_info(e->mmu), &e->mmu2);
}

static bool ok_mmu_create(struct menv *e)
{
	ck_assert_uint_eq(gpuvm_mali_mmu_info(e->mmu2)->as_present,
			  gpuvm_mali_mmu_info(e->mmu)->as_present);
	/* not undone: creating an MMU programs its interrupt mask */
	return false;
}

/* gpuvm_mali_uio_open, on a fake sysfs tree and device file */

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup_uio(struct menv *e)
{
	const char *tmpdir = getenv("TMPDIR");
	char d[512], buf[64];
	long ps = sysconf(_SC_PAGESIZE);
	int fd;

	snprintf(e->tree, sizeof(e->tree), "%s/gpuvm-sweep-XXXXXX",
		 tmpdir && strlen(tmpdir) < 128 ? tmpdir : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(e->tree));
	snprintf(d, sizeof(d), "%s/uio0", e->tree);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	put_file(d, "name", "mali-mmu\n");
	snprintf(d, sizeof(d), "%s/uio0/maps", e->tree);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	for (int x = 0; x < 2; x++) {
		snprintf(d, sizeof(d), "%s/uio0/maps/map%d", e->tree, x);
		ck_assert_int_eq(mkdir(d, 0755), 0);
		snprintf(buf, sizeof(buf), "0x%llx\n", x ? 0x80000000ull :
			 0xfb000000ull);
		put_file(d, "addr", buf);
		snprintf(buf, sizeof(buf), "0x%lx\n", x ? 4 * ps : ps);
		put_file(d, "size", buf);
		put_file(d, "offset", "0x0\n");
	}
	snprintf(d, sizeof(d), "%s/dev", e->tree);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	snprintf(d, sizeof(d), "%s/dev/uio0", e->tree);
	fd = open(d, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 5 * ps), 0);
	close(fd);
}

static int call_uio_open(struct menv *e)
{
	struct gpuvm_mali_uio_config cfg;
	char dev[300];

	snprintf(dev, sizeof(dev), "%s/dev", e->tree);
	gpuvm_mali_uio_config_init(&cfg, "mali-mmu");
	cfg.sysfs_root = e->tree;
	cfg.dev_root = dev;
	return gpuvm_mali_uio_open(&cfg, &e->uio);
}

static bool ok_uio_open(struct menv *e)
{
	ck_assert_int_eq(gpuvm_mali_uio_index(e->uio), 0);
	gpuvm_mali_uio_close(e->uio);
	e->uio = NULL;
	return true;
}

static void failed_uio_open(struct menv *e)
{
	ck_assert_ptr_null(e->uio);
	ck_assert_str_ne(gpuvm_mali_uio_last_error(), "");
}

/* gpuvm_mali_vm_create */

static int call_vm_create(struct menv *e)
{
	struct gpuvm_mali_vm_config vcfg;

	vm_config(&vcfg);
	return gpuvm_mali_vm_create(e->mmu, e->mem, &vcfg, &e->vm2);
}

static bool ok_vm_create(struct menv *e)
{
	ck_assert_int_eq(gpuvm_mali_vm_as(e->vm2), -1);
	return false;
}

/* gpuvm_mali_vm_map / unmap / madvise on the populated VM */

static void setup_request(struct menv *e)
{
	e->failed0 = vm_failed(e);
}

static void failed_request(struct menv *e)
{
	ck_assert_uint_eq(vm_failed(e), e->failed0 + 1);
	ck_assert(gpuvm_mali_vm_usable(e->vm));
}

/* a fresh range: 4 KiB pages, then a 2 MiB block */
static int call_map_new(struct menv *e)
{
	return gpuvm_mali_vm_map(e->vm, WIN + 12 * MiB - 4 * PG,
				 2 * MiB + 4 * PG, &e->bo[1],
				 2 * MiB - 4 * PG, RW);
}

static bool ok_map_new(struct menv *e)
{
	uint64_t pa;

	ck_assert_int_eq(gpuvm_mali_vm_translate(e->vm, WIN + 12 * MiB, &pa),
			 0);
	ck_assert_uint_eq(pa, BUF_BASE + 6 * MiB);
	return false;
}

/* the middle of the 2 MiB block replaced: REMAP prev and next, MAP */
static int call_map_split(struct menv *e)
{
	return gpuvm_mali_vm_map(e->vm, WIN + MiB, 4 * PG, &e->bo[1], 0, RW);
}

static bool ok_map_split(struct menv *e)
{
	uint64_t pa;

	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(e->vm)), 5);
	ck_assert_int_eq(gpuvm_mali_vm_translate(e->vm, WIN + MiB, &pa), 0);
	ck_assert_uint_eq(pa, BUF_BASE + 4 * MiB);
	ck_assert_int_eq(gpuvm_mali_vm_translate(e->vm, WIN + MiB + 4 * PG,
						 &pa), 0);
	ck_assert_uint_eq(pa, BUF_BASE + MiB + 4 * PG);
	return false;
}

/* a hole punched in the block and the end of the 4 KiB mapping */
static int call_unmap(struct menv *e)
{
	return gpuvm_mali_vm_unmap(e->vm, WIN + MiB, 4 * MiB + 4 * PG);
}

static bool ok_unmap(struct menv *e)
{
	ck_assert_int_eq(gpuvm_mali_vm_translate(e->vm, WIN + MiB, NULL),
			 -ENOENT);
	ck_assert_int_eq(gpuvm_mali_vm_translate(e->vm, WIN + MiB - PG, NULL),
			 0);
	ck_assert_int_eq(gpuvm_mali_vm_translate(e->vm, WIN + 5 * MiB + 4 * PG,
						 NULL), 0 - ENOENT);
	return false;
}

static int call_madvise(struct menv *e)
{
	return gpuvm_mali_vm_madvise(e->vm, WIN + 8 * MiB + 64 * PG, 64 * PG);
}

static bool ok_madvise(struct menv *e)
{
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(e->vm)), 5);
	return false;
}

static const struct row rows[] = {
	{ "gpuvm_mali_sim_create", NULL, call_sim_create, ok_sim_create,
	  NULL },
	{ "gpuvm_mali_sim_add_memory", setup_sim2, call_add_memory,
	  ok_add_memory, failed_add_memory },
	{ "gpuvm_mali_ptmem_create", NULL, call_ptmem_create,
	  ok_ptmem_create, NULL },
	{ "gpuvm_mali_ptmem_add_pool", setup_mem2, call_add_pool, ok_add_pool,
	  NULL },
	{ "gpuvm_mali_ptmem_add_output_range", setup_mem2, call_add_output,
	  ok_add_output, failed_add_output },
	{ "gpuvm_mali_pt_reserve_fill", setup_reserve, call_reserve,
	  ok_reserve, NULL },
	{ "gpuvm_mali_pt_create", NULL, call_pt_create, ok_pt_create, NULL },
	{ "gpuvm_mali_mmu_create", NULL, call_mmu_create, ok_mmu_create,
	  NULL },
	{ "gpuvm_mali_uio_open", setup_uio, call_uio_open, ok_uio_open,
	  failed_uio_open },
	{ "gpuvm_mali_vm_create", NULL, call_vm_create, ok_vm_create, NULL },
	{ "gpuvm_mali_vm_map, new range", setup_request, call_map_new,
	  ok_map_new, failed_request },
	{ "gpuvm_mali_vm_map, splitting a block", setup_request,
	  call_map_split, ok_map_split, failed_request },
	{ "gpuvm_mali_vm_unmap", setup_request, call_unmap, ok_unmap,
	  failed_request },
	{ "gpuvm_mali_vm_madvise", setup_request, call_madvise, ok_madvise,
	  failed_request },
};

/* --- the allocator sweep --------------------------------------------------- */

static unsigned long sweep(const struct row *row, bool persistent)
{
	unsigned long n, made = 0;

	for (n = 1;; n++) {
		struct ts_dump before, after;
		unsigned long fails, calls;
		bool injected, compare = true;
		struct menv e;
		long live;
		int ret;

		ck_assert_msg(n < SWEEP_LIMIT, "%s: sweep does not end",
			      row->name);
		live = ts_alloc_live();
		env_init(&e);
		if (row->setup)
			row->setup(&e);
		ts_dump_init(&before);
		env_dump(&e, &before);
		fails = ts_alloc_failures();
		calls = ts_alloc_calls();

		ts_alloc_fail_at(n, persistent);
		ret = row->call(&e);
		ts_alloc_fail_at(0, 0);

		injected = ts_alloc_failures() != fails;
		if (!injected) {
			ck_assert_msg(ret == 0, "%s: %s without a failure",
				      row->name, gpuvm_err_name(ret));
			made = ts_alloc_calls() - calls;
			compare = row->ok(&e);
		} else {
			ck_assert_msg(ret == -ENOMEM,
				      "%s, allocation %lu (%s): returned %s",
				      row->name, n, persistent ? "persistent" :
				      "transient", gpuvm_err_name(ret));
			if (row->failed)
				row->failed(&e);
		}
		if (compare) {
			ts_dump_init(&after);
			env_dump(&e, &after);
			ts_dump_expect_eq(&before, &after, row->name, n);
			ts_dump_fini(&after);
		}
		ts_dump_fini(&before);
		env_fini(&e);
		ck_assert_msg(ts_alloc_live() == live,
			      "%s, allocation %lu (%s): %ld blocks leaked",
			      row->name, n, persistent ? "persistent" :
			      "transient", ts_alloc_live() - live);
		if (!injected)
			break;
	}
	ck_assert_uint_eq(n - 1, made);
	ck_assert_msg(made >= 1, "%s: nothing to fail", row->name);
	return made;
}

START_TEST(test_sweep)
{
	const struct row *row = &rows[_i];

	ck_assert_uint_eq(sweep(row, false), sweep(row, true));
	ck_assert_int_eq(ts_alloc_live(), 0);
}
END_TEST

/* --- running out of page-table pages ----------------------------------------- */

/*
 * gpuvm_mali_pt_map() and gpuvm_mali_pt_unmap() with a reservation one page
 * short, two pages short, ...: -ENOMEM, tables and reservation untouched.
 */
START_TEST(test_pt_reserve_short)
{
	struct gpuvm_mali_pgtable *pt;
	size_t need, k;
	struct menv e;

	env_init(&e);
	pt = gpuvm_mali_vm_pgtable(e.vm);
	for (int unmap = 0; unmap < 2; unmap++) {
		uint64_t iova = unmap ? WIN + MiB : WIN + 64 * MiB - 4 * PG;
		uint64_t size = unmap ? 4 * PG : 2 * MiB + 8 * PG;

		if (unmap)
			ck_assert_int_eq(gpuvm_mali_pt_unmap_prepare(pt, iova, size,
								     &need, NULL), 0);
		else
			ck_assert_int_eq(gpuvm_mali_pt_map_prepare(pt, iova,
								   BUF_BASE, size,
								   RW, &need), 0);
		ck_assert_uint_ge(need, 1);
		for (k = 0; k < need; k++) {
			struct ts_dump before, after;
			int ret;

			gpuvm_mali_pt_reserve_release(&e.res);
			if (k)
				ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&e.res,
									    e.mem, k), 0);
			ts_dump_init(&before);
			env_dump(&e, &before);
			if (unmap)
				ret = gpuvm_mali_pt_unmap(pt, iova, size, &e.res,
							  NULL);
			else
				ret = gpuvm_mali_pt_map(pt, iova, BUF_BASE, size,
							RW, &e.res);
			ck_assert_int_eq(ret, -ENOMEM);
			ts_dump_init(&after);
			env_dump(&e, &after);
			ts_dump_expect_eq(&before, &after, unmap ?
					  "gpuvm_mali_pt_unmap" :
					  "gpuvm_mali_pt_map", k);
			ts_dump_fini(&before);
			ts_dump_fini(&after);
		}
		/* with exactly what it needs it goes through */
		ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&e.res, e.mem, need),
				 0);
		if (unmap)
			ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, iova, size, &e.res,
							     NULL), 0);
		else
			ck_assert_int_eq(gpuvm_mali_pt_map(pt, iova, BUF_BASE, size,
							   RW, &e.res), 0);
		ck_assert_uint_eq(e.res.taken, need);
		gpuvm_mali_pt_reserve_release(&e.res);
		/* the edits were made outside the VM: undo them there too */
		if (unmap)
			ck_assert_int_eq(gpuvm_mali_pt_map(pt, iova,
							   BUF_BASE + MiB, size,
							   RW, NULL), 0);
		else
			ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, iova, size, NULL,
							     NULL), 0);
	}
	/* the tables were changed behind the simulated TLB's back: no GPU
	 * access was made, so nothing can be stale */
	env_fini(&e);
}
END_TEST

/*
 * A VM request when the pool has fewer free pages than the request
 * reserves: every shortfall gives -ENOMEM and changes nothing.
 */
START_TEST(test_vm_pool_short)
{
	const struct row *row = &rows[_i + ARRAY_SIZE(rows) - 4];
	size_t total, used, need = 0, free_pages, k;

	for (k = 0;; k++) {
		struct gpuvm_mali_pt_reserve hog =
			(struct gpuvm_mali_pt_reserve)GPUVM_MALI_PT_RESERVE_INIT;
		struct gpuvm_mali_vm_stats st0, st;
		struct ts_dump before, after;
		struct menv e;
		int ret;

		env_init(&e);
		gpuvm_mali_vm_stats(e.vm, &st0);
		gpuvm_mali_ptmem_stats(e.mem, &total, &used, NULL);
		free_pages = total - used;
		ck_assert_uint_gt(free_pages, k);
		/* leave exactly k pages free */
		ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&hog, e.mem,
							    free_pages - k), 0);
		row->setup(&e);
		ts_dump_init(&before);
		env_dump(&e, &before);
		ret = row->call(&e);
		gpuvm_mali_vm_stats(e.vm, &st);
		if (ret == 0) {
			need = st.pt_pages_reserved - st0.pt_pages_reserved;
			ck_assert_uint_eq(need, k);
			ts_dump_fini(&before);
			gpuvm_mali_pt_reserve_release(&hog);
			env_fini(&e);
			break;
		}
		ck_assert_msg(ret == -ENOMEM, "%s, %zu pages free: %s",
			      row->name, k, gpuvm_err_name(ret));
		row->failed(&e);
		ts_dump_init(&after);
		env_dump(&e, &after);
		ts_dump_expect_eq(&before, &after, row->name, k);
		ts_dump_fini(&before);
		ts_dump_fini(&after);
		gpuvm_mali_pt_reserve_release(&hog);
		env_fini(&e);
	}
	/* madvise needs no table page: it goes through with none free */
	if (row->call == call_madvise)
		ck_assert_uint_eq(need, 0);
	else
		ck_assert_uint_ge(need, 1);
}
END_TEST

static void setup(void)
{
	ts_alloc_install();
}

static void teardown(void)
{
	ts_alloc_uninstall();
}

static Suite *mali_alloc_sweep_suite(void)
{
	Suite *s = suite_create("mali_alloc_sweep");
	TCase *tc = tcase_create("rows");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_sweep, 0, ARRAY_SIZE(rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("pages");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pt_reserve_short);
	tcase_add_loop_test(tc, test_vm_pool_short, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(mali_alloc_sweep_suite());
}
