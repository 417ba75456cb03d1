// SPDX-License-Identifier: MIT
/*
 * Bad input to the Mali backend (docs/bad-input.md): every rejected input
 * returns its errno and changes nothing.  Each row runs on a fresh
 * environment -- a simulated CSF GPU (48-bit VA, 40-bit PA), its MMU,
 * page-table memory with one pool and one output range, and a bound VM
 * holding a 2 MiB block and some 4 KiB pages -- whose dump (VAs, objects,
 * page counts, the page tables as the GPU and the CPU see them, register
 * accesses, the simulator's and the VM's counters, the reservation) is
 * taken before and after the call and must be identical.  A page waits on
 * the deferred list throughout, and must still be waiting.  A rejected call
 * allocates nothing (every allocation fails during it; see late_check() for
 * the few found bad after allocating, which must free it all) and logs no
 * simulator violation.  A rejected VM request counts in the VM's "failed"
 * counter, which is checked on its own.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_vm.h>

#include "../support.h"

#define PG		0x1000ull
#define MiB		(1ull << 20)
#define PT_BASE		0x80000000ull
#define PT_SIZE		(32 * PG)
#define BUF_BASE	0x90000000ull
#define BUF_SIZE	(16 * MiB)
#define WIN		0x40000000ull
#define VA_START	0x100000ull
#define VA_RANGE	0x100000000ull
#define ARRAY_SIZE(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define RW		(GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE)

struct menv {
	struct gpuvm_mali_sim *sim;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_vm *vm;
	struct gpuvm_mali_bo bo[4];	/* in range, too high, outside, spare */
	struct gpuvm_mali_pt_reserve res;
	struct gpuvm_mali_vm *vm2;
	struct gpuvm_mali_pgtable *pt2;
};

enum { B_OK, B_HIGH, B_OUTSIDE, B_SPARE };

/*
 * Leave a page on the deferred list, as a page table destroyed before its
 * address space was flushed does: the GPU may still walk it, so no
 * rejected call may hand it out again.
 */
static void deferred_page(struct menv *e)
{
	const struct gpuvm_mali_pt_config pcfg = {
		.format = GPUVM_MALI_PT_AARCH64_4K, .ias = 48, .oas = 40,
	};
	struct gpuvm_mali_pgtable *pt;
	size_t deferred;

	ck_assert_int_eq(gpuvm_mali_pt_create(e->mem, &pcfg, &pt), 0);
	gpuvm_mali_pt_destroy(pt);
	gpuvm_mali_ptmem_stats(e->mem, NULL, NULL, &deferred);
	ck_assert_uint_eq(deferred, 1);
}

static void env_init(struct menv *e)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_vm_config vcfg;

	memset(e, 0, sizeof(*e));
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
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.va_start = VA_START;
	vcfg.va_range = VA_RANGE;
	vcfg.reserve_start = VA_START;
	vcfg.reserve_range = MiB;
	ck_assert_int_eq(gpuvm_mali_vm_create(e->mmu, e->mem, &vcfg, &e->vm),
			 0);
	ck_assert_int_ge(gpuvm_mali_vm_bind(e->vm), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&e->bo[B_OK], BUF_BASE, 4 * MiB,
					    NULL), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&e->bo[B_HIGH],
					    (1ull << 40) - 2 * PG, 4 * PG,
					    NULL), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&e->bo[B_OUTSIDE], 0xA0000000ull,
					    4 * PG, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&e->bo[B_SPARE], BUF_BASE, PG,
					    NULL), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(e->vm, WIN, 2 * MiB, &e->bo[B_OK],
					   0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(e->vm, WIN + 4 * MiB, 8 * PG,
					   &e->bo[B_OK], 2 * MiB, RW), 0);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&e->res, e->mem, 2), 0);
	deferred_page(e);
}

static void env_fini(struct menv *e)
{
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(e->sim), 0);
	gpuvm_mali_pt_reserve_release(&e->res);
	gpuvm_mali_vm_destroy(e->vm2);
	if (e->pt2)
		gpuvm_mali_pt_destroy(e->pt2);
	gpuvm_mali_vm_destroy(e->vm);
	for (int i = 0; i < ARRAY_SIZE(e->bo); i++)
		gpuvm_mali_bo_fini(&e->bo[i]);
	gpuvm_mali_ptmem_destroy(e->mem);
	gpuvm_mali_mmu_destroy(e->mmu);
	gpuvm_mali_sim_destroy(e->sim);
}

static void env_dump(struct menv *e, struct ts_dump *d)
{
	struct gpuvm_mali_vm_stats st;

	ts_dump_vm(d, gpuvm_mali_vm_gpuvm(e->vm));
	for (int i = 0; i < ARRAY_SIZE(e->bo); i++) {
		ts_dump_printf(d, "mali bo %d pa %#llx size %#llx ", i,
			       (unsigned long long)e->bo[i].pa,
			       (unsigned long long)e->bo[i].size);
		ts_dump_bo(d, &e->bo[i].base);
	}
	ts_dump_mali_ptmem(d, e->mem);
	ts_dump_mali_sim(d, e->sim, PT_BASE, PT_SIZE);
	gpuvm_mali_vm_stats(e->vm, &st);
	ts_dump_printf(d, "vm as %d usable %d requests %llu ops %llu "
		       "mapped %llu unmapped %llu reserved %llu used %llu "
		       "flushes %llu\n", gpuvm_mali_vm_as(e->vm),
		       gpuvm_mali_vm_usable(e->vm),
		       (unsigned long long)st.requests,
		       (unsigned long long)st.ops,
		       (unsigned long long)st.pages_mapped,
		       (unsigned long long)st.pages_unmapped,
		       (unsigned long long)st.pt_pages_reserved,
		       (unsigned long long)st.pt_pages_used,
		       (unsigned long long)st.flushes);
	ts_dump_printf(d, "reservation count %zu taken %zu; vm2 %p pt2 %p\n",
		       e->res.count, e->res.taken, (void *)e->vm2,
		       (void *)e->pt2);
}

static uint64_t vm_failed(struct menv *e)
{
	struct gpuvm_mali_vm_stats st;

	gpuvm_mali_vm_stats(e->vm, &st);
	return st.failed;
}

/* --- the rows ------------------------------------------------------------- */

enum kind {
	K_MAP, K_UNMAP, K_MADVISE, K_VM_CREATE, K_BO_INIT, K_ADD_POOL,
	K_ADD_OUTPUT, K_PT_MAP, K_PT_UNMAP, K_PT_LOOKUP, K_PT_CREATE,
	K_RESERVE, K_ADD_MEMORY, K_MEM_READ, K_AS_ENABLE, K_TRANSTAB,
	K_LOCKADDR, K_DECODE, K_NULL_VM,
};

/*
 * One rejected input.  a, b, c, d are the call's numeric arguments in the
 * order of the API (addresses, sizes, offsets, prot, object index, ...).
 */
struct bad {
	const char *what;
	enum kind kind;
	int want;
	uint64_t a, b, c, d;
};

static const struct bad rows[] = {
	/* gpuvm_mali_vm_map(vm, addr, range, bo[d], offset c, prot b2) */
	{ "vm_map: zero range", K_MAP, -EINVAL, WIN + 8 * MiB, 0, 0, B_OK },
	{ "vm_map: unaligned address", K_MAP, -EINVAL, WIN + 8 * MiB + 0x800,
	  PG, 0, B_OK },
	{ "vm_map: unaligned range", K_MAP, -EINVAL, WIN + 8 * MiB, 0x1800, 0,
	  B_OK },
	{ "vm_map: unaligned offset", K_MAP, -EINVAL, WIN + 8 * MiB, PG, 0x10,
	  B_OK },
	{ "vm_map: offset past the object", K_MAP, -EINVAL, WIN + 8 * MiB, PG,
	  4 * MiB, B_OK },
	{ "vm_map: range past the object", K_MAP, -EINVAL, WIN + 8 * MiB,
	  2 * PG, 4 * MiB - PG, B_OK },
	{ "vm_map: below the VA space", K_MAP, -EINVAL, 0, PG, 0, B_OK },
	{ "vm_map: past the VA space", K_MAP, -EINVAL, VA_START + VA_RANGE -
	  PG, 2 * PG, 0, B_OK },
	{ "vm_map: wraps past 2^64", K_MAP, -EINVAL, UINT64_MAX - PG + 1,
	  2 * PG, 0, B_OK },
	{ "vm_map: overlaps the reserved region", K_MAP, -EINVAL,
	  VA_START + MiB - PG, 2 * PG, 0, B_OK },
	{ "vm_map: bus addresses beyond the PA bits", K_MAP, -ERANGE,
	  WIN + 8 * MiB, 4 * PG, 0, B_HIGH },
	{ "vm_map: bus addresses outside the output ranges", K_MAP, -EPERM,
	  WIN + 8 * MiB, 4 * PG, 0, B_OUTSIDE },
	{ "vm_map: NULL vm", K_NULL_VM, -EINVAL, 0 },
	{ "vm_unmap: NULL vm", K_NULL_VM, -EINVAL, 1 },
	{ "vm_madvise: NULL vm", K_NULL_VM, -EINVAL, 2 },
	/* prot rows: a = addr, b = range, c = prot */
	{ "vm_map: no READ or WRITE", K_MAP, -EINVAL, WIN + 8 * MiB, PG,
	  GPUVM_MALI_PT_NOEXEC | GPUVM_MALI_PT_CACHED, 100 },
	{ "vm_map: unknown prot bit", K_MAP, -EINVAL, WIN + 8 * MiB, PG,
	  RW | (1u << 8), 100 },
	/* gpuvm_mali_vm_unmap / madvise(vm, a, b) */
	{ "vm_unmap: zero range", K_UNMAP, -EINVAL, WIN, 0 },
	{ "vm_unmap: unaligned address", K_UNMAP, -EINVAL, WIN + 0x10, PG },
	{ "vm_unmap: unaligned range", K_UNMAP, -EINVAL, WIN, 0x10 },
	{ "vm_unmap: outside the VA space", K_UNMAP, -EINVAL,
	  VA_START + VA_RANGE, PG },
	{ "vm_unmap: overlaps the reserved region", K_UNMAP, -EINVAL,
	  VA_START, PG },
	{ "vm_madvise: zero range", K_MADVISE, -EINVAL, WIN, 0 },
	{ "vm_madvise: unaligned address", K_MADVISE, -EINVAL, WIN + 8, PG },
	{ "vm_madvise: outside the VA space", K_MADVISE, -EINVAL, 0, PG },
	/* gpuvm_mali_vm_create: a = va_start, b = va_range, c = reserve
	 * start, d = reserve range; prot 100 marks the bad-prot row */
	{ "vm_create: zero range", K_VM_CREATE, -EINVAL, 0x100000, 0 },
	{ "vm_create: unaligned start", K_VM_CREATE, -EINVAL, 0x100010, MiB },
	{ "vm_create: unaligned range", K_VM_CREATE, -EINVAL, 0x100000,
	  MiB + 8 },
	{ "vm_create: wraps past 2^64", K_VM_CREATE, -EINVAL,
	  UINT64_MAX - PG + 1, 2 * PG },
	{ "vm_create: beyond the MMU's VA bits", K_VM_CREATE, -EINVAL,
	  (1ull << 48) - MiB, 2 * MiB },
	{ "vm_create: unaligned reserved region", K_VM_CREATE, -EINVAL,
	  0x100000, MiB, 0x100010, PG },
	{ "vm_create: reserved region outside the space", K_VM_CREATE,
	  -EINVAL, 0x100000, MiB, 0x400000, PG },
	{ "vm_create: no READ or WRITE by default", K_VM_CREATE, -EINVAL,
	  0x100000, MiB, 0, 100 },
	/* gpuvm_mali_bo_init(spare, a, b) */
	{ "bo_init: zero size", K_BO_INIT, -EINVAL, BUF_BASE, 0 },
	{ "bo_init: unaligned bus address", K_BO_INIT, -EINVAL, BUF_BASE + 4,
	  PG },
	{ "bo_init: unaligned size", K_BO_INIT, -EINVAL, BUF_BASE, PG + 4 },
	{ "bo_init: wraps past 2^64", K_BO_INIT, -EINVAL, UINT64_MAX - PG + 1,
	  2 * PG },
	/* gpuvm_mali_ptmem_add_pool / add_output_range(mem, a, b) */
	{ "ptmem_add_pool: unaligned base", K_ADD_POOL, -EINVAL,
	  0xC0000010, PG },
	{ "ptmem_add_pool: zero size", K_ADD_POOL, -EINVAL, 0xC0000000, 0 },
	{ "ptmem_add_pool: unaligned size", K_ADD_POOL, -EINVAL, 0xC0000000,
	  PG + 8 },
	{ "ptmem_add_pool: wraps past 2^64", K_ADD_POOL, -EINVAL,
	  UINT64_MAX - PG + 1, 2 * PG },
	{ "ptmem_add_pool: overlaps a pool", K_ADD_POOL, -EINVAL,
	  PT_BASE + PT_SIZE - PG, 2 * PG },
	{ "ptmem_add_pool: overlaps an output range", K_ADD_POOL, -EINVAL,
	  BUF_BASE + MiB, PG },
	{ "ptmem_add_output_range: unaligned base", K_ADD_OUTPUT, -EINVAL,
	  0xC0000010, PG },
	{ "ptmem_add_output_range: zero size", K_ADD_OUTPUT, -EINVAL,
	  0xC0000000, 0 },
	{ "ptmem_add_output_range: wraps past 2^64", K_ADD_OUTPUT, -EINVAL,
	  UINT64_MAX - PG + 1, 2 * PG },
	{ "ptmem_add_output_range: overlaps a pool", K_ADD_OUTPUT, -EINVAL,
	  PT_BASE, PG },
	/* gpuvm_mali_pt_map(pt, iova a, pa b, size c, prot d) */
	{ "pt_map: no READ or WRITE", K_PT_MAP, -EINVAL, WIN + 8 * MiB,
	  BUF_BASE, PG, GPUVM_MALI_PT_NOEXEC },
	{ "pt_map: unaligned iova", K_PT_MAP, -EINVAL, WIN + 8 * MiB + 8,
	  BUF_BASE, PG, RW },
	{ "pt_map: unaligned pa", K_PT_MAP, -EINVAL, WIN + 8 * MiB,
	  BUF_BASE + 8, PG, RW },
	{ "pt_map: zero size", K_PT_MAP, -EINVAL, WIN + 8 * MiB, BUF_BASE, 0,
	  RW },
	{ "pt_map: unaligned size", K_PT_MAP, -EINVAL, WIN + 8 * MiB,
	  BUF_BASE, 0x800, RW },
	{ "pt_map: iova beyond ias", K_PT_MAP, -ERANGE, 1ull << 48, BUF_BASE,
	  PG, RW },
	{ "pt_map: pa beyond oas", K_PT_MAP, -ERANGE, WIN + 8 * MiB,
	  (1ull << 40) - PG, 2 * PG, RW },
	{ "pt_map: pa outside the output ranges", K_PT_MAP, -EPERM,
	  WIN + 8 * MiB, 0xA0000000ull, PG, RW },
	{ "pt_map: pa inside a page-table pool", K_PT_MAP, -EPERM,
	  WIN + 8 * MiB, PT_BASE, PG, RW },
	{ "pt_map: a leaf already there", K_PT_MAP, -EEXIST, WIN + 4 * MiB,
	  BUF_BASE, 16 * PG, RW },
	{ "pt_map: 2 MiB block over a used table", K_PT_MAP, -EEXIST,
	  WIN + 4 * MiB, BUF_BASE, 2 * MiB, RW },
	{ "pt_map: reservation from another allocator", K_PT_MAP, -EINVAL,
	  WIN + 8 * MiB, BUF_BASE, PG, 100 },
	/* gpuvm_mali_pt_unmap(pt, a, b) */
	{ "pt_unmap: unaligned iova", K_PT_UNMAP, -EINVAL, WIN + 8, PG },
	{ "pt_unmap: zero size", K_PT_UNMAP, -EINVAL, WIN, 0 },
	{ "pt_unmap: beyond ias", K_PT_UNMAP, -ERANGE, (1ull << 48) - PG,
	  2 * PG },
	{ "pt_unmap: block split without reserved pages", K_PT_UNMAP, -ENOMEM,
	  WIN + PG, PG, 1 },
	{ "pt_lookup: beyond ias", K_PT_LOOKUP, -ERANGE, 1ull << 48 },
	{ "pt_lookup: nothing mapped", K_PT_LOOKUP, -ENOENT, WIN + 8 * MiB },
	/* gpuvm_mali_pt_create(mem, {format a, ias b, oas c}) */
	{ "pt_create: unknown format", K_PT_CREATE, -EINVAL, 7, 48, 40 },
	{ "pt_create: ias below 32", K_PT_CREATE, -EINVAL,
	  GPUVM_MALI_PT_AARCH64_4K, 31, 40 },
	{ "pt_create: ias above 48", K_PT_CREATE, -EINVAL,
	  GPUVM_MALI_PT_AARCH64_4K, 49, 40 },
	{ "pt_create: oas below 32", K_PT_CREATE, -EINVAL,
	  GPUVM_MALI_PT_AARCH64_4K, 48, 31 },
	{ "pt_create: LPAE oas above 40", K_PT_CREATE, -EINVAL,
	  GPUVM_MALI_PT_LPAE, 48, 41 },
	{ "pt_reserve_fill: no allocator", K_RESERVE, -EINVAL, 4 },
	/* gpuvm_mali_sim_add_memory(sim, a, b) */
	{ "sim_add_memory: unaligned base", K_ADD_MEMORY, -EINVAL,
	  0xC0000010, PG },
	{ "sim_add_memory: zero size", K_ADD_MEMORY, -EINVAL, 0xC0000000, 0 },
	{ "sim_add_memory: beyond 2^48", K_ADD_MEMORY, -EINVAL,
	  (1ull << 48) - PG, 2 * PG },
	{ "sim_add_memory: overlaps memory", K_ADD_MEMORY, -EEXIST,
	  PT_BASE + PT_SIZE - PG, 2 * PG },
	{ "sim_mem_read64: unaligned", K_MEM_READ, -EINVAL, PT_BASE + 4 },
	{ "sim_mem_read64: unbacked", K_MEM_READ, -EFAULT, BUF_BASE },
	/* gpuvm_mali_mmu_as_enable(mmu, a, ...) */
	{ "mmu_as_enable: slot not present", K_AS_ENABLE, -EINVAL, 9 },
	{ "mmu_as_enable: slot beyond 16", K_AS_ENABLE, -EINVAL, 16 },
	/* gpuvm_mali_pt_transtab_encode(format a, root b) */
	{ "pt_transtab_encode: root beyond 48 bits", K_TRANSTAB, -EINVAL,
	  GPUVM_MALI_PT_AARCH64_4K, 1ull << 48 },
	{ "pt_transtab_encode: AArch64 root not 16-byte aligned", K_TRANSTAB,
	  -EINVAL, GPUVM_MALI_PT_AARCH64_4K, PT_BASE + 8 },
	{ "pt_transtab_encode: LPAE root not page aligned", K_TRANSTAB,
	  -EINVAL, GPUVM_MALI_PT_LPAE, PT_BASE + 16 },
	{ "lockaddr: zero size", K_LOCKADDR, -EINVAL, WIN, 0 },
	/* gpuvm_mali_gpu_decode(gpu_id a, mmu_features b, as_present c) */
	{ "gpu_decode: GPU_ID 0", K_DECODE, -ENODEV, 0, 0x2830, 0xff },
	{ "gpu_decode: GPU_ID all ones", K_DECODE, -ENODEV, UINT32_MAX,
	  0x2830, 0xff },
	{ "gpu_decode: no address space", K_DECODE, -ENODEV, 0xA8670000,
	  0x2830, 0 },
	{ "gpu_decode: VA bits below 32", K_DECODE, -ENODEV, 0xA8670000,
	  0x281f, 0xff },
	{ "gpu_decode: PA bits above 48", K_DECODE, -ENODEV, 0xA8670000,
	  0x3130, 0xff },
};

static int call(struct menv *e, const struct bad *b)
{
	struct gpuvm_mali_pgtable *pt = gpuvm_mali_vm_pgtable(e->vm);
	struct gpuvm_mali_pt_reserve other =
		(struct gpuvm_mali_pt_reserve)GPUVM_MALI_PT_RESERVE_INIT;
	struct gpuvm_mali_vm_config vcfg;
	struct gpuvm_mali_pt_config pcfg;
	struct gpuvm_mali_gpu_info info;
	struct gpuvm_mali_pt_entry ent;
	uint64_t v;

	switch (b->kind) {
	case K_MAP:
		if (b->d == 100)
			return gpuvm_mali_vm_map(e->vm, b->a, b->b,
						 &e->bo[B_OK], 0,
						 (unsigned int)b->c);
		return gpuvm_mali_vm_map(e->vm, b->a, b->b, &e->bo[b->d], b->c,
					 RW);
	case K_NULL_VM:
		if (b->a == 0)
			return gpuvm_mali_vm_map(NULL, WIN, PG, &e->bo[B_OK], 0,
						 RW);
		if (b->a == 1)
			return gpuvm_mali_vm_unmap(NULL, WIN, PG);
		return gpuvm_mali_vm_madvise(NULL, WIN, PG);
	case K_UNMAP:
		return gpuvm_mali_vm_unmap(e->vm, b->a, b->b);
	case K_MADVISE:
		return gpuvm_mali_vm_madvise(e->vm, b->a, b->b);
	case K_VM_CREATE:
		memset(&vcfg, 0, sizeof(vcfg));
		vcfg.va_start = b->a;
		vcfg.va_range = b->b;
		vcfg.reserve_start = b->c;
		vcfg.reserve_range = b->d;
		if (b->d == 100) {
			vcfg.reserve_range = 0;
			vcfg.default_prot = GPUVM_MALI_PT_NOEXEC;
		}
		return gpuvm_mali_vm_create(e->mmu, e->mem, &vcfg, &e->vm2);
	case K_BO_INIT:
		return gpuvm_mali_bo_init(&e->bo[B_SPARE], b->a, b->b, NULL);
	case K_ADD_POOL:
		return gpuvm_mali_ptmem_add_pool(e->mem, b->a, b->b);
	case K_ADD_OUTPUT:
		return gpuvm_mali_ptmem_add_output_range(e->mem, b->a, b->b);
	case K_PT_MAP:
		if (b->d == 100) {
			/* a reservation whose allocator is not the table's */
			other.mem = (struct gpuvm_mali_ptmem *)&other;
			return gpuvm_mali_pt_map(pt, b->a, b->b, b->c, RW,
						 &other);
		}
		return gpuvm_mali_pt_map(pt, b->a, b->b, b->c,
					 (unsigned int)b->d, &e->res);
	case K_PT_UNMAP:
		return gpuvm_mali_pt_unmap(pt, b->a, b->b, b->c ? NULL : &e->res,
					   NULL);
	case K_PT_LOOKUP:
		return gpuvm_mali_pt_lookup(pt, b->a, &ent);
	case K_PT_CREATE:
		memset(&pcfg, 0, sizeof(pcfg));
		pcfg.format = (enum gpuvm_mali_pt_format)b->a;
		pcfg.ias = (unsigned int)b->b;
		pcfg.oas = (unsigned int)b->c;
		return gpuvm_mali_pt_create(e->mem, &pcfg, &e->pt2);
	case K_RESERVE:
		return gpuvm_mali_pt_reserve_fill(&e->res, NULL, b->a);
	case K_ADD_MEMORY:
		return gpuvm_mali_sim_add_memory(e->sim, b->a, b->b);
	case K_MEM_READ:
		return gpuvm_mali_sim_mem_read64(e->sim, b->a, &v);
	case K_AS_ENABLE:
		return gpuvm_mali_mmu_as_enable(e->mmu, (unsigned int)b->a, 0,
						0, 0);
	case K_TRANSTAB:
		return gpuvm_mali_pt_transtab_encode(
			(enum gpuvm_mali_pt_format)b->a, b->b, false, &v);
	case K_LOCKADDR:
		return gpuvm_mali_lockaddr(b->a, b->b, &v);
	case K_DECODE:
		return gpuvm_mali_gpu_decode((uint32_t)b->a, (uint32_t)b->b,
					     (uint32_t)b->c, 0, &info);
	}
	ck_abort_msg("bad row");
	return 0;
}

/*
 * Inputs found bad only after the call allocated its bookkeeping (freed
 * again before it returns): bus addresses beyond the PA bits or outside
 * the output ranges (seen once the plan is made), and a reserved region
 * outside the VA space (gpuvm_init() checks it, on the allocated VM).
 */
static bool late_check(const struct bad *b)
{
	return (b->kind == K_MAP && (b->want == -ERANGE || b->want == -EPERM)) ||
	       (b->kind == K_VM_CREATE && b->c == 0x400000);
}

START_TEST(test_bad_input)
{
	const struct bad *b = &rows[_i];
	struct ts_dump before, after;
	unsigned long calls;
	uint64_t failed0;
	struct menv e;
	long live;
	int ret;

	ts_alloc_install();
	env_init(&e);
	ts_dump_init(&before);
	env_dump(&e, &before);
	failed0 = vm_failed(&e);
	calls = ts_alloc_calls();
	live = ts_alloc_live();
	if (!late_check(b))
		ts_alloc_fail_at(1, true);
	ret = call(&e, b);
	ts_alloc_fail_at(0, 0);
	ck_assert_msg(ret == b->want, "%s: returned %s, want %s", b->what,
		      gpuvm_err_name(ret), gpuvm_err_name(b->want));
	if (late_check(b))
		ck_assert_msg(ts_alloc_live() == live, "%s: leaked", b->what);
	else
		ck_assert_msg(ts_alloc_calls() == calls, "%s: allocated",
			      b->what);
	ck_assert_uint_eq(vm_failed(&e), failed0 +
			  (b->kind <= K_MADVISE ? 1 : 0));
	ck_assert_ptr_null(e.vm2);
	ck_assert_ptr_null(e.pt2);
	ts_dump_init(&after);
	env_dump(&e, &after);
	ts_dump_expect_eq(&before, &after, b->what, 0);
	ts_dump_fini(&before);
	ts_dump_fini(&after);
	env_fini(&e);
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
}
END_TEST

/* The object a rejected gpuvm_mali_bo_init() was given is not written. */
START_TEST(test_bo_init_untouched)
{
	struct gpuvm_mali_bo bo;
	unsigned char snap[sizeof(bo)];

	memset(&bo, 0x5a, sizeof(bo));
	memcpy(snap, &bo, sizeof(bo));
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, BUF_BASE, 0, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, BUF_BASE + 4, PG, NULL),
			 -EINVAL);
	ck_assert(!memcmp(snap, &bo, sizeof(bo)));
	ck_assert_int_eq(gpuvm_mali_bo_init(NULL, BUF_BASE, PG, NULL),
			 -EINVAL);
}
END_TEST

static Suite *mali_bad_input_suite(void)
{
	Suite *s = suite_create("mali_bad_input");
	TCase *tc = tcase_create("rows");

	tcase_add_loop_test(tc, test_bad_input, 0, ARRAY_SIZE(rows));
	tcase_add_test(tc, test_bo_init_untouched);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(mali_bad_input_suite());
}
