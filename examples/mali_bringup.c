// SPDX-License-Identifier: MIT
/*
 * mali_bringup.c - first contact with a Mali GPU: from reset to the first
 * GPU write through the MMU, and the fault when the mapping is gone.
 *
 * Usage:
 *   example_mali_bringup --sim          the built-in simulated GPU (CSF)
 *   example_mali_bringup --sim-jm       the simulated GPU, Job Manager
 *   example_mali_bringup --uio NAME     a real GPU behind /dev/uioN, found by
 *                                       its UIO name (e.g. "mali-mmu", see
 *                                       docs/bringup.md for the overlay)
 *
 * What it does, in the order a driver does it:
 *  1. open the GPU: the simulator, or a UIO device whose map 0 is the
 *     register window and map 1 a carve-out (first half for page tables,
 *     second half for a buffer);
 *  2. probe it: GPU_ID decoded, VA/PA bits, address-space slots, CSF or JM,
 *     page-table format;
 *  3. reset it (soft, hard if the soft reset does not complete) and power
 *     it on: L2, shader cores and tiler on a Job-Manager GPU, the L2 only on
 *     a CSF GPU (its MCU firmware powers the cores);
 *  4. create the MMU layer, a page-table memory pool and a Mali VM, and
 *     bind the VM to an address-space (AS) slot;
 *  5. map a buffer object (read-write), plus a read-only alias of its first
 *     pages, and print the translation of a few addresses: through the
 *     page tables as the CPU wrote them (gpuvm_mali_vm_translate()) and, on
 *     the simulator, as the GPU sees them (gpuvm_mali_sim_access(), which
 *     goes through the TLB and the table walker);
 *  6. Job-Manager GPUs: the first GPU write.  A WRITE_VALUE job descriptor
 *     goes into the buffer, job slot 0 runs it in the VM's address space,
 *     and the value is read back through the CPU's view of the buffer.
 *     Then the target page is unmapped and the same job submitted again:
 *     the MMU interrupt reports the translation fault (status, access,
 *     address), the slot is disabled as panfrost does with a fault it cannot
 *     handle, and the job's failure status is decoded.  CSF GPUs: no job
 *     slots; what a first write needs there is printed instead;
 *  7. simulator only: make the GPU read an unmapped address and write the
 *     read-only alias directly (gpuvm_mali_sim_access()), run the MMU
 *     interrupt handling once for each and print the decoded faults, then
 *     rebind the slot (a fault leaves it stalled).
 *
 * Job and GPU events are polled (JOB_INT_RAWSTAT, GPU_INT_RAWSTAT); only the
 * MMU interrupt comes through the UIO device's interrupt line.
 *
 * Exit status: 0 success; 1 a step failed; 2 the GPU is not available (no
 * such UIO device, or the GPU reads as powered off) or bad usage.  On a
 * machine without the UIO device -- a CI runner, a PC -- "--uio mali-mmu"
 * therefore prints why and exits with 2, which scripts can tell apart from
 * a real failure.  CI runs "--sim" and "--sim-jm".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/gpuvm.h>

#define EXIT_NO_DEVICE	2

#define KiB		((uint64_t)0x400)
#define MiB		((uint64_t)0x100000)

/* Simulator memory: page tables and buffer memory, disjoint. */
#define SIM_PT_BASE	((uint64_t)0x80000000)
#define SIM_PT_SIZE	(2 * MiB)
#define SIM_BUF_BASE	((uint64_t)0x90000000)
#define SIM_BUF_SIZE	(4 * MiB)

/* The VM and where the buffer goes in it. */
#define VM_START	(16 * MiB)
#define VM_RANGE	((uint64_t)1 << 32)
#define BO_VA		((uint64_t)0x40000000)	/* 2 MiB aligned */
#define ALIAS_VA	((uint64_t)0x40800000)	/* read-only alias */
#define ALIAS_SIZE	(16 * KiB)
#define HOLE_VA		((uint64_t)0x40600000)	/* never mapped */
#define SOURCE_ID	0x42
#define DESC_OFF	0x1000u		/* job descriptor, in the buffer */
#define DATA_OFF	0x2000u		/* what the job writes, another page */
#define JOB_VALUE	((uint64_t)0x0123456789ABCDEF)
#define JOB_SLOT	0
#define JOB_TIMEOUT_US	100000u

#define RW (GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE | GPUVM_MALI_PT_NOEXEC | \
	    GPUVM_MALI_PT_CACHED)
#define RO (GPUVM_MALI_PT_READ | GPUVM_MALI_PT_NOEXEC | GPUVM_MALI_PT_CACHED)

struct bringup {
	struct gpuvm_mali_sim *sim;	/* simulator mode */
	struct gpuvm_mali_uio *uio;	/* UIO mode */
	struct gpuvm_mali_hal *hal;	/* either way: how registers are reached */
	struct gpuvm_mali_gpu_info info;
	struct gpuvm_mali_mmu *mmu;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_vm *vm;
	struct gpuvm_mali_bo bo;
	bool bo_ready;
	uint64_t pt_base, pt_size;	/* page-table pool */
	uint64_t buf_base, buf_size;	/* memory the buffer may use */
	int as;

	/* filled by the fault callback */
	struct gpuvm_mali_fault fault;
	int nr_faults;
};

static int warnings;

static void on_warn(const char *func, const char *msg, void *priv)
{
	(void)priv;
	fprintf(stderr, "libgpuvm warning in %s: %s\n", func, msg);
	warnings++;
}

/*
 * Called from the MMU interrupt handling with the fault already decoded and
 * cleared; it must not call back into the MMU, so only record it.
 */
static void on_fault(const struct gpuvm_mali_fault *fault, void *priv)
{
	struct bringup *b = priv;

	b->fault = *fault;
	b->nr_faults++;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "FAIL: %s: %s (%d)\n", what, gpuvm_err_name(err), err);
	return EXIT_FAILURE;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s --sim | --sim-jm | --uio NAME\n", prog);
}

/* ---------------------------------------------------------------------- */
/* Step 1: the GPU                                                          */

static int open_sim(struct bringup *b, enum gpuvm_mali_sim_family family)
{
	struct gpuvm_mali_sim_gpu_config gcfg;
	struct gpuvm_mali_sim_config cfg;
	int ret;

	/* A Valhall G610 (CSF) or a Bifrost G52 (JM), in their reset state. */
	gpuvm_mali_sim_config_init(&cfg, family);

	ret = gpuvm_mali_sim_create(&cfg, &b->sim);
	if (ret)
		return fail("gpuvm_mali_sim_create", ret);
	/* Resets, power transitions and job starts that take a while. */
	gpuvm_mali_sim_gpu_config_init(&gcfg);
	gcfg.reset_reads = 3;
	gcfg.power_reads = 2;
	gcfg.job_reads = 2;
	ret = gpuvm_mali_sim_gpu_configure(b->sim, &gcfg);
	if (ret)
		return fail("gpuvm_mali_sim_gpu_configure", ret);
	/* The simulator has no memory until we give it some. */
	ret = gpuvm_mali_sim_add_memory(b->sim, SIM_PT_BASE, SIM_PT_SIZE);
	if (!ret)
		ret = gpuvm_mali_sim_add_memory(b->sim, SIM_BUF_BASE, SIM_BUF_SIZE);
	if (ret)
		return fail("gpuvm_mali_sim_add_memory", ret);
	b->hal = gpuvm_mali_sim_hal(b->sim);
	b->pt_base = SIM_PT_BASE;
	b->pt_size = SIM_PT_SIZE;
	b->buf_base = SIM_BUF_BASE;
	b->buf_size = SIM_BUF_SIZE;
	printf("opened the simulated GPU (%s)\n",
	       family == GPUVM_MALI_SIM_CSF ? "CSF" : "Job Manager");
	return 0;
}

static int open_uio(struct bringup *b, const char *name)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio_map map;
	uint64_t half;
	int ret;

	gpuvm_mali_uio_config_init(&cfg, name);
	ret = gpuvm_mali_uio_open(&cfg, &b->uio);
	if (ret) {
		/* The usual outcome on a machine without the device. */
		fprintf(stderr, "no usable UIO device named '%s': %s (%s)\n",
			name, gpuvm_mali_uio_last_error(), gpuvm_err_name(ret));
		fprintf(stderr, "see docs/bringup.md; use --sim to run on the simulator\n");
		b->uio = NULL;
		return EXIT_NO_DEVICE;
	}
	b->hal = gpuvm_mali_uio_hal(b->uio);
	ret = gpuvm_mali_uio_get_map(b->uio, GPUVM_MALI_UIO_PT, &map);
	if (ret)
		return fail("UIO device has no page-table map", ret);
	/* First half of the carve-out: page tables; second half: the buffer. */
	half = (map.len / 2) & ~(4 * KiB - 1);
	if (half < 64 * KiB) {
		fprintf(stderr, "FAIL: UIO carve-out too small (%" PRIu64 " bytes)\n",
			map.len);
		return EXIT_FAILURE;
	}
	b->pt_base = map.bus_addr;
	b->pt_size = half;
	b->buf_base = map.bus_addr + half;
	b->buf_size = (map.len - half) & ~(4 * KiB - 1);
	printf("opened /dev/uio%d: carve-out at 0x%" PRIx64 ", %" PRIu64 " KiB\n",
	       gpuvm_mali_uio_index(b->uio), map.bus_addr, map.len / KiB);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Step 2: identify the GPU                                                 */

static int probe(struct bringup *b)
{
	const struct gpuvm_mali_gpu_info *i = &b->info;
	int ret;

	/* Reads GPU_ID, MMU_FEATURES, AS_PRESENT, COHERENCY_FEATURES. */
	ret = gpuvm_mali_gpu_probe(b->hal, &b->info);
	if (ret == -ENODEV) {
		fprintf(stderr, "no GPU answers (powered off or not there): "
			"GPU_ID reads 0x%08" PRIx32 "\n", b->info.gpu_id);
		return EXIT_NO_DEVICE;
	}
	if (ret)
		return fail("gpuvm_mali_gpu_probe", ret);

	printf("GPU_ID             0x%08" PRIx32 "\n", i->gpu_id);
	if (i->new_format)
		printf("  architecture     %u.%u.%u, product major %u\n",
		       i->arch_major, i->arch_minor, i->arch_rev,
		       i->product_major);
	else
		printf("  product id       0x%04" PRIx32 " (legacy Midgard "
		       "format)\n", i->product_id);
	printf("  version          r%up%u, status %u\n", i->version_major,
	       i->version_minor, i->version_status);
	printf("MMU_FEATURES       0x%08" PRIx32 ": %u-bit VA, %u-bit PA\n",
	       i->mmu_features, i->va_bits, i->pa_bits);
	printf("AS_PRESENT         0x%08" PRIx32 ": %d address spaces\n",
	       i->as_present, __builtin_popcount(i->as_present));
	printf("COHERENCY_FEATURES 0x%08" PRIx32 "\n", i->coherency_features);
	printf("front end          %s\n", i->csf ?
	       "CSF (command stream; panthor-style flushes)" :
	       "Job Manager (panfrost-style flushes)");
	printf("page tables        %s%s\n",
	       i->format == GPUVM_MALI_PT_LPAE ? "Mali LPAE" : "AArch64 4K",
	       i->has_transcfg ? ", AS_TRANSCFG present" : "");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Step 3: reset and power                                                  */

static void show_pair(struct bringup *b, const char *name, uint32_t lo_off)
{
	printf("  %-16s 0x%016" PRIx64 "\n", name, gpuvm_mali_rd64(b->hal, lo_off));
}

static int reset_and_power(struct bringup *b)
{
	unsigned int domains = b->info.csf ? GPUVM_MALI_POWER_L2 :
					     GPUVM_MALI_POWER_ALL;
	int ret;

	/*
	 * GPU_CMD soft reset, poll GPU_INT_RAWSTAT for RESET_COMPLETED (hard
	 * reset if it does not come), then clear the events and enable the
	 * fault ones.  Every AS is unmapped and every domain off afterwards.
	 */
	ret = gpuvm_mali_gpu_reset(b->hal, &b->info, 0);
	if (ret)
		return fail("gpuvm_mali_gpu_reset", ret);
	printf("GPU reset          done (RESET_COMPLETED)\n");
	/* *_PWRON = *_PRESENT, poll *_READY: L2 first, then cores, tiler. */
	ret = gpuvm_mali_gpu_power_on(b->hal, domains);
	if (ret)
		return fail("gpuvm_mali_gpu_power_on", ret);
	printf("powered on         %s\n", b->info.csf ?
	       "L2 (the MCU firmware powers the shader cores on CSF)" :
	       "L2, shader cores, tiler");
	show_pair(b, "L2_READY", GPUVM_MALI_L2_READY_LO);
	show_pair(b, "SHADER_PRESENT", GPUVM_MALI_SHADER_PRESENT_LO);
	show_pair(b, "SHADER_READY", GPUVM_MALI_SHADER_READY_LO);
	if (!b->info.csf)
		show_pair(b, "TILER_READY", GPUVM_MALI_TILER_READY_LO);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Steps 4 and 5: MMU, VM, mapping                                          */

static int setup_vm(struct bringup *b)
{
	struct gpuvm_mali_vm_config vcfg;
	int ret;

	/* Clears and enables the MMU interrupts; info is what we probed. */
	ret = gpuvm_mali_mmu_create(b->hal, &b->info, &b->mmu);
	if (ret)
		return fail("gpuvm_mali_mmu_create", ret);
	gpuvm_mali_mmu_set_fault_handler(b->mmu, on_fault, b);

	/*
	 * Page tables come from a pool; page-table entries may only point
	 * into the "output ranges", so the GPU can never be given its own
	 * tables or memory we did not hand out.
	 */
	ret = gpuvm_mali_ptmem_create(b->hal, &b->mem);
	if (ret)
		return fail("gpuvm_mali_ptmem_create", ret);
	ret = gpuvm_mali_ptmem_add_pool(b->mem, b->pt_base, b->pt_size);
	if (ret)
		return fail("gpuvm_mali_ptmem_add_pool", ret);
	ret = gpuvm_mali_ptmem_add_output_range(b->mem, b->buf_base, b->buf_size);
	if (ret)
		return fail("gpuvm_mali_ptmem_add_output_range", ret);
	printf("page-table pool    [0x%" PRIx64 ", 0x%" PRIx64 "), buffers in "
	       "[0x%" PRIx64 ", 0x%" PRIx64 ")\n", b->pt_base,
	       b->pt_base + b->pt_size, b->buf_base, b->buf_base + b->buf_size);

	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.name = "bringup";
	vcfg.va_start = VM_START;
	vcfg.va_range = VM_RANGE - VM_START;
	ret = gpuvm_mali_vm_create(b->mmu, b->mem, &vcfg, &b->vm);
	if (ret)
		return fail("gpuvm_mali_vm_create", ret);

	/* Program an AS slot with the VM's page tables. */
	b->as = gpuvm_mali_vm_bind(b->vm);
	if (b->as < 0)
		return fail("gpuvm_mali_vm_bind", b->as);
	printf("VM [0x%" PRIx64 ", 0x%" PRIx64 ") bound to AS %d\n", vcfg.va_start,
	       vcfg.va_start + vcfg.va_range, b->as);
	return 0;
}

static int map_buffer(struct bringup *b)
{
	uint64_t size = b->buf_size < 2 * MiB ? b->buf_size : 2 * MiB;
	int ret;

	ret = gpuvm_mali_bo_init(&b->bo, b->buf_base, size, NULL);
	if (ret)
		return fail("gpuvm_mali_bo_init", ret);
	b->bo_ready = true;

	ret = gpuvm_mali_vm_map(b->vm, BO_VA, size, &b->bo, 0, RW);
	if (ret)
		return fail("gpuvm_mali_vm_map (read-write)", ret);
	printf("mapped  [0x%" PRIx64 ", 0x%" PRIx64 ") -> bus 0x%" PRIx64
	       ", read-write\n", BO_VA, BO_VA + size, b->bo.pa);

	ret = gpuvm_mali_vm_map(b->vm, ALIAS_VA, ALIAS_SIZE, &b->bo, 0, RO);
	if (ret)
		return fail("gpuvm_mali_vm_map (read-only)", ret);
	printf("mapped  [0x%" PRIx64 ", 0x%" PRIx64 ") -> bus 0x%" PRIx64
	       ", read-only alias\n", ALIAS_VA, ALIAS_VA + ALIAS_SIZE, b->bo.pa);
	return 0;
}

/*
 * Print how @va translates and check it: @want is the expected bus address,
 * or UINT64_MAX when @va must not be mapped.
 */
static int show_walk(struct bringup *b, uint64_t va, uint64_t want)
{
	uint64_t pa = 0, gpu_pa = 0;
	int ret, r;

	ret = gpuvm_mali_vm_translate(b->vm, va, &pa);
	if (ret == 0)
		printf("  0x%010" PRIx64 " -> 0x%010" PRIx64 " (prot 0x%x)", va, pa,
		       gpuvm_mali_vm_prot(b->vm, va));
	else
		printf("  0x%010" PRIx64 " -> %s", va, gpuvm_err_name(ret));

	if (want == UINT64_MAX ? ret != -ENOENT : ret != 0 || pa != want) {
		printf("\n");
		fprintf(stderr, "FAIL: 0x%" PRIx64 " should %s\n", va,
			want == UINT64_MAX ? "be unmapped" : "be mapped");
		return EXIT_FAILURE;
	}
	if (!b->sim || want == UINT64_MAX) {
		printf("\n");
		return 0;
	}
	/* The same through the simulated GPU: TLB, walker, line cache. */
	r = gpuvm_mali_sim_access(b->sim, (unsigned int)b->as, va,
				  GPUVM_MALI_SIM_READ, SOURCE_ID, &gpu_pa);
	printf(", GPU read: %s 0x%010" PRIx64 "\n",
	       r == GPUVM_MALI_SIM_OK ? "ok" : "FAILED", gpu_pa);
	if (r != GPUVM_MALI_SIM_OK || gpu_pa != pa) {
		fprintf(stderr, "FAIL: the GPU does not see 0x%" PRIx64
			" as the CPU wrote it (%d)\n", va, r);
		return EXIT_FAILURE;
	}
	return 0;
}

static int show_walks(struct bringup *b)
{
	const uint64_t pa = b->bo.pa, size = b->bo.size;

	printf("translations (page tables%s):\n",
	       b->sim ? ", then a GPU read" : "");
	if (show_walk(b, BO_VA, pa) ||
	    show_walk(b, BO_VA + 0x1234, pa + 0x1234) ||
	    show_walk(b, BO_VA + size - 8, pa + size - 8) ||
	    show_walk(b, ALIAS_VA + 0x2010, pa + 0x2010) ||
	    show_walk(b, HOLE_VA, UINT64_MAX) ||
	    show_walk(b, ALIAS_VA + ALIAS_SIZE, UINT64_MAX))
		return EXIT_FAILURE;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Step 6: the first GPU write (Job-Manager GPUs)                           */

/* Store 64-bit words into the buffer through the CPU's view of it. */
static void cpu_store(struct bringup *b, uint64_t off, const uint64_t *w,
		      size_t n)
{
	gpuvm_mali_pt_wr_range(b->hal, b->bo.pa + off, w, n);
	b->hal->ops->pt_sync(b->hal, b->bo.pa + off, n * 8);
	b->hal->ops->barrier(b->hal);
}

static uint64_t cpu_load(struct bringup *b, uint64_t off)
{
	return b->hal->ops->pt_read64(b->hal, b->bo.pa + off);
}

/* Submit the descriptor at DESC_OFF on JOB_SLOT in the VM's slot. */
static int submit_job(struct bringup *b)
{
	struct gpuvm_mali_job_submit s = {
		.slot = JOB_SLOT,
		.head = BO_VA + DESC_OFF,
		.affinity = 0,			/* every shader core present */
		.as = (unsigned int)b->as,
		.config = GPUVM_MALI_JS_CONFIG_DEFAULT,
	};
	int ret = gpuvm_mali_job_submit(b->hal, &b->info, &s);

	if (ret)
		return fail("gpuvm_mali_job_submit", ret);
	printf("  submitted the chain at 0x%" PRIx64 " to job slot %d, AS %d\n",
	       s.head, JOB_SLOT, b->as);
	return 0;
}

static int first_write(struct bringup *b)
{
	struct gpuvm_mali_write_value wv = {
		.address = BO_VA + DATA_OFF,
		.type = GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64,
		.value = JOB_VALUE,
		.next = 0,
		.index = 1,
	};
	uint64_t desc[GPUVM_MALI_JOB_DESC_WORDS], zero = 0;
	struct gpuvm_mali_job_result res;
	int ret;

	printf("first GPU write:\n");
	ret = gpuvm_mali_job_write_value(b->info.arch_major, &wv, desc);
	if (ret)
		return fail("gpuvm_mali_job_write_value", ret);
	cpu_store(b, DATA_OFF, &zero, 1);
	cpu_store(b, DESC_OFF, desc, GPUVM_MALI_JOB_DESC_WORDS);
	printf("  WRITE_VALUE job at 0x%" PRIx64 ": 0x%" PRIx64 " -> 0x%" PRIx64
	       "\n", BO_VA + DESC_OFF, JOB_VALUE, wv.address);
	ret = submit_job(b);
	if (ret)
		return ret;
	/* Polls JOB_INT_RAWSTAT for the slot's done or failed bit. */
	ret = gpuvm_mali_job_wait(b->hal, JOB_SLOT, JOB_TIMEOUT_US, &res);
	if (ret < 0)
		return fail("gpuvm_mali_job_wait", ret);
	printf("  job slot %d: %s (JS_STATUS 0x%02" PRIx32 ")\n", JOB_SLOT,
	       res.name, res.js_status);
	if (ret) {
		fprintf(stderr, "FAIL: the job failed at 0x%" PRIx64 "\n", res.head);
		return EXIT_FAILURE;
	}
	printf("  the CPU reads 0x%" PRIx64 " at bus 0x%" PRIx64 "\n",
	       cpu_load(b, DATA_OFF), b->bo.pa + DATA_OFF);
	if (cpu_load(b, DATA_OFF) != JOB_VALUE) {
		fprintf(stderr, "FAIL: the GPU's write did not land in the buffer\n");
		return EXIT_FAILURE;
	}
	return 0;
}

/*
 * Unmap the target page and run the same job again: the MMU faults, the
 * driver disables the slot (the job then fails), and both are decoded.
 */
static int write_fault(struct bringup *b)
{
	const struct gpuvm_mali_fault *f = &b->fault;
	struct gpuvm_mali_job_result res;
	struct gpuvm_mali_gpu_irq irq;
	int before = b->nr_faults, ret;

	printf("unmap the target page and write again:\n");
	ret = gpuvm_mali_vm_unmap(b->vm, BO_VA + DATA_OFF, 4 * KiB);
	if (ret)
		return fail("gpuvm_mali_vm_unmap", ret);
	ret = submit_job(b);
	if (ret)
		return ret;
	/* The MMU interrupt (the UIO line): decoded by the fault callback. */
	ret = gpuvm_mali_mmu_irq_loop_once(b->mmu, JOB_TIMEOUT_US);
	if (ret != 1)
		return fail("gpuvm_mali_mmu_irq_loop_once", ret < 0 ? ret : -ETIMEDOUT);
	if (b->nr_faults != before + 1) {
		fprintf(stderr, "FAIL: %d MMU fault(s), expected 1\n",
			b->nr_faults - before);
		return EXIT_FAILURE;
	}
	printf("  MMU fault: AS %u, %s (0x%02x) on %s at VA 0x%" PRIx64
	       ", source 0x%x, FAULTSTATUS 0x%08" PRIx32 "\n", f->as, f->name,
	       f->exception_type, gpuvm_mali_access_name(f->access_type),
	       f->address, f->source_id, f->status);
	if (f->as != (unsigned int)b->as || f->address != BO_VA + DATA_OFF ||
	    f->access_type != GPUVM_MALI_ACCESS_WRITE ||
	    !GPUVM_MALI_EXC_IS_TRANSLATION(f->exception_type)) {
		fprintf(stderr, "FAIL: not the fault the unmapped write causes\n");
		return EXIT_FAILURE;
	}
	/*
	 * Disable the slot, as panfrost does with a fault it cannot handle:
	 * the stalled job then fails instead of waiting forever.
	 */
	ret = gpuvm_mali_vm_unbind(b->vm);
	if (ret)
		return fail("gpuvm_mali_vm_unbind", ret);
	ret = gpuvm_mali_job_wait(b->hal, JOB_SLOT, JOB_TIMEOUT_US, &res);
	if (ret < 0)
		return fail("gpuvm_mali_job_wait", ret);
	printf("  job slot %d: %s (JS_STATUS 0x%02" PRIx32 "), failing job 0x%"
	       PRIx64 "\n", JOB_SLOT, res.name, res.js_status, res.head);
	if (ret != 1 || res.head != BO_VA + DESC_OFF ||
	    (b->sim && res.js_status != f->exception_type)) {
		fprintf(stderr, "FAIL: the job should have failed with the fault\n");
		return EXIT_FAILURE;
	}
	/* GPU_FAULT: none expected (the fault was the MMU's). */
	ret = gpuvm_mali_gpu_handle_irq(b->hal, &irq);
	if (ret < 0)
		return fail("gpuvm_mali_gpu_handle_irq", ret);
	printf("  GPU interrupt: %s\n", !ret ? "nothing pending" :
	       irq.fault ? irq.name : "events only");
	/* Back to normal: the slot reprogrammed, the page mapped again. */
	ret = gpuvm_mali_vm_bind(b->vm);
	if (ret < 0)
		return fail("gpuvm_mali_vm_bind", ret);
	b->as = ret;
	ret = gpuvm_mali_vm_map(b->vm, BO_VA + DATA_OFF, 4 * KiB, &b->bo,
				DATA_OFF, RW);
	if (ret)
		return fail("gpuvm_mali_vm_map", ret);
	return 0;
}

static int jobs(struct bringup *b)
{
	int ret;

	if (b->info.csf) {
		printf("first GPU write: not on a CSF GPU without its MCU firmware\n"
		       "  (no job slots: work goes through the firmware's command\n"
		       "  stream interfaces; see docs/bringup.md, \"CSF GPUs\")\n");
		return 0;
	}
	ret = first_write(b);
	if (!ret)
		ret = write_fault(b);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Step 7: faults, driven from the simulated GPU                            */

/*
 * Simulator: make the GPU do one access that must fault, service the MMU
 * interrupt once, print the decoded fault and rebind the slot.
 */
static int provoke_fault(struct bringup *b, uint64_t va,
			 enum gpuvm_mali_sim_access_kind kind,
			 uint8_t want_class)
{
	const struct gpuvm_mali_fault *f = &b->fault;
	int before = b->nr_faults;
	int r, ret;

	r = gpuvm_mali_sim_access(b->sim, (unsigned int)b->as, va, kind,
				  SOURCE_ID, NULL);
	if (r != GPUVM_MALI_SIM_FAULT) {
		fprintf(stderr, "FAIL: access at 0x%" PRIx64 " did not fault (%d)\n",
			va, r);
		return EXIT_FAILURE;
	}
	/* Wait for the interrupt (it is already raised) and handle it. */
	ret = gpuvm_mali_mmu_irq_loop_once(b->mmu, 1000);
	if (ret != 1)
		return fail("gpuvm_mali_mmu_irq_loop_once", ret < 0 ? ret : -ETIMEDOUT);
	if (b->nr_faults != before + 1) {
		fprintf(stderr, "FAIL: %d fault(s) reported, expected 1\n",
			b->nr_faults - before);
		return EXIT_FAILURE;
	}
	printf("  AS %u: %s (0x%02x) on %s at VA 0x%" PRIx64 ", source 0x%x, "
	       "FAULTSTATUS 0x%08" PRIx32 "%s\n", f->as, f->name,
	       f->exception_type, gpuvm_mali_access_name(f->access_type),
	       f->address, f->source_id, f->status,
	       f->client == gpuvm_mali_vm_client(b->vm) ? ", our VM" : "");
	if (f->as != (unsigned int)b->as || f->address != va ||
	    f->access_type != (uint8_t)kind || f->source_id != SOURCE_ID ||
	    (f->exception_type & 0xF8) != want_class) {
		fprintf(stderr, "FAIL: the fault is not the one provoked\n");
		return EXIT_FAILURE;
	}
	/* The slot is stalled and masked until it is enabled again. */
	printf("  faulty slots 0x%" PRIx32 ", rebinding", gpuvm_mali_mmu_faulty_mask(b->mmu));
	ret = gpuvm_mali_vm_bind(b->vm);
	if (ret != b->as) {
		printf("\n");
		return fail("gpuvm_mali_vm_bind after the fault", ret);
	}
	printf(" -> faulty slots 0x%" PRIx32 "\n", gpuvm_mali_mmu_faulty_mask(b->mmu));
	return 0;
}

static int faults(struct bringup *b)
{
	int ret;

	if (!b->sim) {
		/* Real GPU: nothing runs on it, so no fault is expected. */
		printf("waiting 100 ms for an MMU interrupt (no GPU work "
		       "submitted, none expected)\n");
		ret = gpuvm_mali_mmu_irq_loop_once(b->mmu, 100000);
		if (ret < 0)
			return fail("gpuvm_mali_mmu_irq_loop_once", ret);
		printf("  %s\n", ret ? "an interrupt came" : "none");
		if (b->nr_faults)
			printf("  last fault: %s at 0x%" PRIx64 "\n",
			       b->fault.name, b->fault.address);
		return 0;
	}

	printf("faults:\n");
	/* A read of a VA nothing maps: a translation fault (0xC0-0xC7). */
	ret = provoke_fault(b, HOLE_VA, GPUVM_MALI_SIM_READ, 0xC0);
	if (ret)
		return ret;
	/* A write through the read-only alias: a permission fault (0xC8-0xCF). */
	ret = provoke_fault(b, ALIAS_VA, GPUVM_MALI_SIM_WRITE, 0xC8);
	if (ret)
		return ret;
	/* The slot works again. */
	return show_walk(b, BO_VA + 0x1234, b->bo.pa + 0x1234);
}

/* ---------------------------------------------------------------------- */

static void teardown(struct bringup *b)
{
	/* Unmaps everything, unbinds (flush + disable the slot), frees tables. */
	gpuvm_mali_vm_destroy(b->vm);
	if (b->bo_ready)
		gpuvm_mali_bo_fini(&b->bo);
	gpuvm_mali_ptmem_destroy(b->mem);
	gpuvm_mali_mmu_destroy(b->mmu);
	gpuvm_mali_sim_destroy(b->sim);
	gpuvm_mali_uio_close(b->uio);
}

int main(int argc, char **argv)
{
	struct bringup b;
	int ret;

	memset(&b, 0, sizeof(b));
	gpuvm_set_warn_handler(on_warn, NULL);

	if (argc == 2 && !strcmp(argv[1], "--sim")) {
		ret = open_sim(&b, GPUVM_MALI_SIM_CSF);
	} else if (argc == 2 && !strcmp(argv[1], "--sim-jm")) {
		ret = open_sim(&b, GPUVM_MALI_SIM_JM);
	} else if (argc == 3 && !strcmp(argv[1], "--uio")) {
		ret = open_uio(&b, argv[2]);
	} else {
		usage(argv[0]);
		return EXIT_NO_DEVICE;
	}

	if (!ret)
		ret = probe(&b);
	if (!ret)
		ret = reset_and_power(&b);
	if (!ret)
		ret = setup_vm(&b);
	if (!ret)
		ret = map_buffer(&b);
	if (!ret)
		ret = show_walks(&b);
	if (!ret)
		ret = jobs(&b);
	if (!ret)
		ret = faults(&b);

	if (!ret && b.sim && gpuvm_mali_sim_violation_count(b.sim)) {
		/* The simulator checks the driver's register protocol too. */
		const struct gpuvm_mali_sim_violation *v =
			gpuvm_mali_sim_violation_get(b.sim, 0);

		fprintf(stderr, "FAIL: %zu protocol violation(s), first: %s: %s\n",
			gpuvm_mali_sim_violation_count(b.sim),
			v ? gpuvm_mali_sim_violation_name(v->code) : "?",
			v ? v->msg : "?");
		ret = EXIT_FAILURE;
	}
	teardown(&b);
	if (!ret && warnings) {
		fprintf(stderr, "FAIL: %d library warning(s)\n", warnings);
		ret = EXIT_FAILURE;
	}
	if (!ret)
		printf("mali_bringup: OK\n");
	return ret;
}
