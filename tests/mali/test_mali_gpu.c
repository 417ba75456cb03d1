// SPDX-License-Identifier: MIT
/*
 * GPU control and the Job Manager against the simulator: the exact register
 * sequences of reset, power-on, cache flush, GPU interrupt, job submission
 * and completion; WRITE_VALUE jobs and chains through the MMU (the write
 * lands in the buffer, an unmapped write faults, a skipped flush writes
 * through a stale TLB entry); every injected hardware fault ends in a clear
 * errno; CSF keeps its MMU-only bring-up.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/gpuvm.h>

#include "../support.h"
#include "sim_fixture.h"

#define PG		0x1000ull
#define BUF_BASE	0x90000000ull
#define BO_VA		0x40000000ull
#define HOLE_VA		0x40600000ull
#define DESC_OFF	0x1000ull	/* job descriptors inside the BO */
#define DATA_OFF	0x2000ull	/* what the jobs write */

#define JS(j, r)	GPUVM_MALI_JS_REG(j, GPUVM_MALI_JS_##r)
#define RW (GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE | GPUVM_MALI_PT_NOEXEC)

static struct gpuvm_mali_gpu_info info;
static struct gpuvm_mali_mmu *mmu;
static struct gpuvm_mali_ptmem *mem;
static struct gpuvm_mali_vm *vm;
static struct gpuvm_mali_bo bo, bo2;
static int as;

/* A simulator of @family with the given model timings, probed. */
static void start(enum gpuvm_mali_sim_family family, unsigned int reset_reads,
		  unsigned int power_reads, unsigned int job_reads)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_gpu_config g;

	gpuvm_mali_sim_config_init(&cfg, family);
	cfg.trace_capacity = 1u << 16;
	fx_sim_create(&cfg, MiB);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, BUF_BASE, MiB), 0);
	gpuvm_mali_sim_gpu_config_init(&g);
	g.reset_reads = reset_reads;
	g.power_reads = power_reads;
	g.job_reads = job_reads;
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_probe(hal, &info), 0);
}

/* Reset, power, MMU, VM bound to a slot, a 64 KiB BO mapped at BO_VA. */
static void start_vm(enum gpuvm_mali_sim_family family)
{
	struct gpuvm_mali_vm_config vcfg;

	start(family, 2, 2, 1);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, family == GPUVM_MALI_SIM_JM ?
						  GPUVM_MALI_POWER_ALL :
						  GPUVM_MALI_POWER_L2), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, &info, &mmu), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, MiB), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, BUF_BASE, 2 * MiB), 0);
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.name = "gpu-test";
	vcfg.va_start = 16 * MiB;
	vcfg.va_range = (1ull << 32) - 16 * MiB;
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &vcfg, &vm), 0);
	as = gpuvm_mali_vm_bind(vm);
	ck_assert_int_ge(as, 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, BUF_BASE, 64 * 1024, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo2, BUF_BASE + 64 * 1024, 64 * 1024,
					    NULL), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, BO_VA, 64 * 1024, &bo, 0, RW), 0);
}

static void finish(void)
{
	if (vm) {
		gpuvm_mali_vm_destroy(vm);
		gpuvm_mali_bo_fini(&bo);
		gpuvm_mali_bo_fini(&bo2);
		gpuvm_mali_ptmem_destroy(mem);
		vm = NULL;
		mem = NULL;
	}
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	fx_sim_destroy();
}

/* --- register sequences ------------------------------------------------- */

/*
 * One expected step: a write of @value to @off; a read of @off (any value);
 * or a poll: reads of @off until (value & @mask) == @value.
 */
struct step {
	char kind;		/* 'W', 'R' or 'P' */
	uint32_t off;
	uint32_t value;
	uint32_t mask;
};

#define W(o, v)		{ 'W', (o), (v), 0 }
#define R(o)		{ 'R', (o), 0, 0 }
#define P(o, m, v)	{ 'P', (o), (v), (m) }

/* The accesses [from, tcount()) must be exactly @steps. */
static void expect_seq(uint64_t from, const struct step *steps, size_t n)
{
	uint64_t i = from, end = tcount();
	size_t s;

	for (s = 0; s < n; s++) {
		struct gpuvm_mali_sim_trace_entry e;
		bool w = steps[s].kind == 'W';

		ck_assert_msg(i < end, "trace ends before step %zu", s);
		ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, i, &e), 0);
		ck_assert_msg(e.write == w && e.offset == steps[s].off &&
			      (!w || e.value == steps[s].value),
			      "step %zu: want %c 0x%x=0x%x, got %c 0x%x=0x%x", s,
			      steps[s].kind, steps[s].off, steps[s].value,
			      e.write ? 'W' : 'R', e.offset, e.value);
		while (steps[s].kind == 'P' &&
		       (e.value & steps[s].mask) != steps[s].value) {
			ck_assert_msg(++i < end, "poll of step %zu never ends", s);
			ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, i, &e), 0);
			ck_assert(!e.write && e.offset == steps[s].off);
		}
		i++;
	}
	ck_assert_msg(i == end, "%llu extra accesses",
		      (unsigned long long)(end - i));
}

/* Reads of @off in [from, tcount()). */
static unsigned int count_reads(uint64_t from, uint32_t off)
{
	unsigned int n = 0;
	uint64_t i;

	for (i = from; i < tcount(); i++) {
		struct gpuvm_mali_sim_trace_entry e = tget(i);

		n += !e.write && e.offset == off;
	}
	return n;
}

static size_t nviol(enum gpuvm_mali_sim_violation_code c)
{
	return gpuvm_mali_sim_violation_count_code(sim, c);
}

/* The accesses since @t0 are one reset with GPU_CMD @cmd. */
static void expect_reset(uint64_t t0, uint32_t cmd)
{
	const uint32_t done = GPUVM_MALI_GPU_IRQ_RESET_COMPLETED;
	const struct step seq[] = {
		W(GPUVM_MALI_GPU_INT_MASK, 0),
		W(GPUVM_MALI_GPU_INT_CLEAR, done),
		W(GPUVM_MALI_GPU_CMD, cmd),
		P(GPUVM_MALI_GPU_INT_RAWSTAT, done, done),
		W(GPUVM_MALI_GPU_INT_CLEAR, GPUVM_MALI_GPU_IRQ_MASK_ALL),
		W(GPUVM_MALI_GPU_INT_MASK, GPUVM_MALI_GPU_IRQ_MASK_ERROR),
	};

	expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
}

/* --- reset -------------------------------------------------------------- */

START_TEST(test_reset_trace)
{
	uint64_t t0;

	start(GPUVM_MALI_SIM_JM, 3, 0, 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), 0);
	expect_reset(t0, GPUVM_MALI_JM_GPU_CMD_SOFT_RESET);
	/* 3 reads still resetting, the 4th completes it. */
	ck_assert_uint_eq(count_reads(t0, GPUVM_MALI_GPU_INT_RAWSTAT), 4);

	/* Hard reset only. */
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, GPUVM_MALI_GPU_RESET_HARD), 0);
	expect_reset(t0, GPUVM_MALI_JM_GPU_CMD_HARD_RESET);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_reset(NULL, &info, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, NULL, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 2), -EINVAL);
	ck_assert_uint_eq(tcount(), t0);	/* no register touched */
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

START_TEST(test_reset_csf)
{
	uint64_t t0;

	start(GPUVM_MALI_SIM_CSF, 1, 0, 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), 0);
	expect_reset(t0, GPUVM_MALI_CSF_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* While the GPU resets, the hardware answers 0 and ignores writes. */
START_TEST(test_reset_state_machine)
{
	start(GPUVM_MALI_SIM_JM, 2, 0, 0);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_ALL), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0xF);
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_TILER_PWRTRANS_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(JS(0, STATUS)), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_PRESENT_LO), 0xF);
	wr(GPUVM_MALI_L2_PWRON_LO, 1);		/* ignored */
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_HARD_RESET); /* ignored */
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT) &
			  GPUVM_MALI_GPU_IRQ_RESET_COMPLETED, 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_STAT), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT),
			  GPUVM_MALI_GPU_IRQ_RESET_COMPLETED);
	/* After it: every domain off, the PWRON written during it lost. */
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

static bool release_reset(struct gpuvm_mali_sim *s, uint64_t index,
			  uint32_t offset, bool write, void *priv)
{
	(void)index;
	(void)priv;
	if (write && offset == GPUVM_MALI_GPU_CMD)
		gpuvm_mali_sim_gpu_inject(s, GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK, 0, 0);
	return false;
}

START_TEST(test_reset_stuck)
{
	uint64_t t0, ns;

	start(GPUVM_MALI_SIM_JM, 0, 0, 0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK,
						   0, 1), 0);
	t0 = tcount();
	ns = hal->ops->now_ns(hal);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), -ETIMEDOUT);
	/* Soft reset for 10 ms, then hard reset for 100 ms. */
	ck_assert_uint_ge(hal->ops->now_ns(hal) - ns,
			  (GPUVM_MALI_GPU_SOFT_RESET_TIMEOUT_US +
			   GPUVM_MALI_GPU_HARD_RESET_TIMEOUT_US) * 1000ull);
	{
		struct gpuvm_mali_sim_trace_entry e;
		uint64_t i;
		int cmds = 0;

		for (i = t0; i < tcount(); i++) {
			ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, i, &e), 0);
			if (e.write && e.offset == GPUVM_MALI_GPU_CMD)
				ck_assert_uint_eq(e.value, ++cmds);
		}
		ck_assert_int_eq(cmds, 2);
	}
	/* The soft reset hangs but the hard one completes. */
	gpuvm_mali_sim_set_reg_hook(sim, release_reset, NULL);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), 0);
	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	/* Powered off: all ones. */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 1), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), -EIO);
	finish();
}
END_TEST

/* --- power -------------------------------------------------------------- */

START_TEST(test_power_trace)
{
	uint64_t t0;

	start(GPUVM_MALI_SIM_JM, 0, 2, 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_ALL), 0);
	{
		const struct step seq[] = {
			R(GPUVM_MALI_L2_PRESENT_LO), R(GPUVM_MALI_L2_PRESENT_HI),
			W(GPUVM_MALI_L2_PWRON_LO, 1),
			P(GPUVM_MALI_L2_READY_LO, 1, 1),
			R(GPUVM_MALI_SHADER_PRESENT_LO), R(GPUVM_MALI_SHADER_PRESENT_HI),
			W(GPUVM_MALI_SHADER_PWRON_LO, 0xF),
			P(GPUVM_MALI_SHADER_READY_LO, 0xF, 0xF),
			R(GPUVM_MALI_TILER_PRESENT_LO), R(GPUVM_MALI_TILER_PRESENT_HI),
			W(GPUVM_MALI_TILER_PWRON_LO, 1),
			P(GPUVM_MALI_TILER_READY_LO, 1, 1),
		};
		expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
	}
	/* 2 reads in transition, then ready. */
	ck_assert_uint_eq(count_reads(t0, GPUVM_MALI_L2_READY_LO), 3);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT),
			  GPUVM_MALI_GPU_IRQ_POWER_CHANGED |
			  GPUVM_MALI_GPU_IRQ_POWER_CHANGED_ALL);
	/* Already on: written again, ready at once. */
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_SHADER), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

START_TEST(test_power_hi_and_transitions)
{
	struct gpuvm_mali_sim_gpu_config g;
	uint64_t t0;

	start(GPUVM_MALI_SIM_JM, 0, 1, 0);
	gpuvm_mali_sim_gpu_config_init(&g);
	g.shader_present = 0x300000003ull;
	g.power_reads = 1;
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), 0);
	/* Cores wait for the L2: in transition, not ready. */
	wr(GPUVM_MALI_SHADER_PWRON_LO, 3);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_PWRTRANS_LO), 3);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_L2 |
						 GPUVM_MALI_POWER_SHADER), 0);
	{
		const struct step seq[] = {
			R(GPUVM_MALI_L2_PRESENT_LO), R(GPUVM_MALI_L2_PRESENT_HI),
			W(GPUVM_MALI_L2_PWRON_LO, 1),
			P(GPUVM_MALI_L2_READY_LO, 1, 1),
			R(GPUVM_MALI_SHADER_PRESENT_LO), R(GPUVM_MALI_SHADER_PRESENT_HI),
			W(GPUVM_MALI_SHADER_PWRON_LO, 3),
			W(GPUVM_MALI_SHADER_PWRON_HI, 3),
			P(GPUVM_MALI_SHADER_READY_LO, 3, 3),
			P(GPUVM_MALI_SHADER_READY_HI, 3, 3),
		};
		expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
	}
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_PWRTRANS_HI), 0);
	/* Power off: cores go at once; L2 off takes cores and tiler with it. */
	wr(GPUVM_MALI_SHADER_PWROFF_HI, 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_HI), 2);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_TILER), 0);
	wr(GPUVM_MALI_L2_PWROFF_LO, 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_TILER_READY_LO), 0);
	wr(GPUVM_MALI_TILER_PWROFF_LO, 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	/* Write-only and read-only power registers are reported. */
	(void)rd(GPUVM_MALI_L2_PWRON_LO);
	wr(GPUVM_MALI_L2_READY_LO, 1);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_REGISTER), 2);
	finish();
}
END_TEST

START_TEST(test_power_stuck)
{
	uint64_t t0;

	start(GPUVM_MALI_SIM_JM, 0, 0, 0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_POWER_STUCK,
						   0, GPUVM_MALI_POWER_SHADER), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_ALL), -ETIMEDOUT);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_PWRTRANS_LO), 0xF);
	/* The tiler was never touched. */
	ck_assert_uint_eq(count_reads(t0, GPUVM_MALI_TILER_PRESENT_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_TILER_READY_LO), 0);
	/* Released: the pending transition ends. */
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_POWER_STUCK,
						   0, 0), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_ALL), 0);
	/* L2 power that never comes. */
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), 0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_POWER_STUCK,
						   0, GPUVM_MALI_POWER_L2), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_L2), -ETIMEDOUT);
	/* Bad arguments, powered off. */
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(NULL, 1), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, 8), -EINVAL);
	ck_assert_uint_eq(tcount(), t0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 1), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_L2), -EIO);
	finish();
}
END_TEST

static bool fail_ready_reads(struct gpuvm_mali_sim *s, uint64_t index,
			     uint32_t offset, bool write, void *priv)
{
	(void)s;
	(void)index;
	(void)priv;
	return !write && offset == GPUVM_MALI_L2_READY_LO;
}

static bool fail_present_hi(struct gpuvm_mali_sim *s, uint64_t index,
			    uint32_t offset, bool write, void *priv)
{
	(void)s;
	(void)index;
	(void)priv;
	return !write && offset == GPUVM_MALI_L2_PRESENT_HI;
}

START_TEST(test_power_bus_errors)
{
	start(GPUVM_MALI_SIM_JM, 0, 0, 0);
	/* READY reading all ones twice: -EIO, not "ready". */
	gpuvm_mali_sim_set_reg_hook(sim, fail_ready_reads, NULL);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_L2), -EIO);
	/* Only the high half all ones: a real value, the domain is powered. */
	gpuvm_mali_sim_set_reg_hook(sim, fail_present_hi, NULL);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_L2), -ETIMEDOUT);
	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	finish();
}
END_TEST

/* A domain with nothing present is skipped: no PWRON write, no poll. */
START_TEST(test_power_absent_domain)
{
	struct gpuvm_mali_sim_config cfg;
	uint64_t t0;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.l2_present = 0;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &sim), 0);
	hal = gpuvm_mali_sim_hal(sim);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_L2), 0);
	{
		const struct step seq[] = {
			R(GPUVM_MALI_L2_PRESENT_LO), R(GPUVM_MALI_L2_PRESENT_HI),
		};
		expect_seq(t0, seq, 2);
	}
	finish();
}
END_TEST

/* --- cache flush, GPU interrupt, names ------------------------------------ */

START_TEST(test_cache_flush)
{
	static const struct {
		enum gpuvm_mali_sim_family fam;
		unsigned int flags;
		uint32_t cmd;
	} c[] = {
		{ GPUVM_MALI_SIM_JM, 0, GPUVM_MALI_JM_GPU_CMD_CLEAN_CACHES },
		{ GPUVM_MALI_SIM_JM, GPUVM_MALI_GPU_FLUSH_INVALIDATE,
		  GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES },
		{ GPUVM_MALI_SIM_CSF, 0, 0x1104 },
		{ GPUVM_MALI_SIM_CSF, GPUVM_MALI_GPU_FLUSH_INVALIDATE, 0x23304 },
	};
	const uint32_t done = GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED;
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t t0;

		start(c[i].fam, 0, 0, 0);
		t0 = tcount();
		ck_assert_int_eq(gpuvm_mali_gpu_cache_flush(hal, &info, c[i].flags), 0);
		{
			const struct step seq[] = {
				W(GPUVM_MALI_GPU_INT_CLEAR, done),
				W(GPUVM_MALI_GPU_CMD, c[i].cmd),
				P(GPUVM_MALI_GPU_INT_RAWSTAT, done, done),
				W(GPUVM_MALI_GPU_INT_CLEAR, done),
			};
			expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
		}
		ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
		ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_FLUSH_HANG,
						       0, 1), 0);
		ck_assert_int_eq(gpuvm_mali_gpu_cache_flush(hal, &info, 0), -ETIMEDOUT);
		t0 = tcount();
		ck_assert_int_eq(gpuvm_mali_gpu_cache_flush(hal, &info, 2), -EINVAL);
		ck_assert_int_eq(gpuvm_mali_gpu_cache_flush(NULL, &info, 0), -EINVAL);
		ck_assert_int_eq(gpuvm_mali_gpu_cache_flush(hal, NULL, 0), -EINVAL);
		ck_assert_uint_eq(tcount(), t0);
		finish();
	}
}
END_TEST

START_TEST(test_gpu_irq)
{
	struct gpuvm_mali_gpu_irq irq;
	uint32_t st = GPUVM_MALI_FAULTSTATUS(GPUVM_MALI_EXC_DELAYED_BUS_FAULT,
					     GPUVM_MALI_ACCESS_WRITE, 0x77) |
		      GPUVM_MALI_GPU_FAULT_ADDRESS_VALID;
	uint64_t t0;

	start(GPUVM_MALI_SIM_JM, 0, 0, 0);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_handle_irq(hal, &irq), 0);
	{
		const struct step seq[] = { R(GPUVM_MALI_GPU_INT_STAT) };

		expect_seq(t0, seq, 1);
	}
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject_fault(sim, st, 0x123456789ull), 0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject_fault(sim, 0x88, 0), 1);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_handle_irq(hal, &irq), 1);
	{
		const struct step seq[] = {
			R(GPUVM_MALI_GPU_INT_STAT), R(GPUVM_MALI_GPU_FAULT_STATUS),
			R(GPUVM_MALI_GPU_FAULT_ADDR_LO), R(GPUVM_MALI_GPU_FAULT_ADDR_HI),
			W(GPUVM_MALI_GPU_INT_CLEAR, GPUVM_MALI_GPU_IRQ_FAULT |
			  GPUVM_MALI_GPU_IRQ_MULTIPLE_FAULT),
		};
		expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
	}
	ck_assert(irq.fault && irq.multiple_fault && irq.address_valid);
	ck_assert_uint_eq(irq.fault_status, st);
	ck_assert_uint_eq(irq.exception_type, 0x80);
	ck_assert_uint_eq(irq.access_type, GPUVM_MALI_ACCESS_WRITE);
	ck_assert_uint_eq(irq.source_id, 0x77);
	ck_assert_uint_eq(irq.fault_address, 0x123456789ull);
	ck_assert_str_eq(irq.name, "GPU_BUS_FAULT");
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0);
	/* An enabled non-fault event is reported and cleared without reads. */
	wr(GPUVM_MALI_GPU_INT_MASK, GPUVM_MALI_GPU_IRQ_MASK_ALL);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_L2), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_handle_irq(hal, &irq), 1);
	ck_assert(!irq.fault);
	ck_assert_uint_eq(irq.stat, GPUVM_MALI_GPU_IRQ_POWER_CHANGED |
			  GPUVM_MALI_GPU_IRQ_POWER_CHANGED_ALL);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_gpu_handle_irq(NULL, &irq), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_gpu_handle_irq(hal, NULL), -EINVAL);
	ck_assert_uint_eq(tcount(), t0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject_fault(NULL, 0, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 1), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_handle_irq(hal, &irq), -EIO);
	finish();
}
END_TEST

START_TEST(test_exception_names)
{
	ck_assert_str_eq(gpuvm_mali_exception_name(0x01), "DONE");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x04), "TERMINATED");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x08), "ACTIVE");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x40), "JOB_CONFIG_FAULT");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x58), "DATA_INVALID_FAULT");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x61), "OUT_OF_MEMORY_AFBC");
	ck_assert_str_eq(gpuvm_mali_exception_name(0xC3), "TRANSLATION_FAULT_3");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x1C8), "PERM_FAULT_0");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x80), "GPU_BUS_FAULT");
	ck_assert_str_eq(gpuvm_mali_exception_name(0x30), "UNKNOWN");
}
END_TEST

/* --- job descriptors ------------------------------------------------------- */

/* @call fails with @err and leaves the descriptor words as they were. */
#define REJECT(call, err) do {						\
		memcpy(keep, d, sizeof(d));				\
		ck_assert_int_eq((call), (err));			\
		ck_assert_mem_eq(d, keep, sizeof(d));			\
	} while (0)

START_TEST(test_write_value_encode)
{
	struct gpuvm_mali_write_value wv = {
		.address = 0x40002000, .type = GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64,
		.value = 0x1122334455667788ull, .next = 0x400010C0, .index = 1,
	};
	uint64_t d[GPUVM_MALI_JOB_DESC_WORDS], keep[GPUVM_MALI_JOB_DESC_WORDS];
	const uint64_t v7[GPUVM_MALI_JOB_DESC_WORDS] = {
		0, 0, 0x00010005ull, 0x400010C0, 0x40002000, 7,
		0x1122334455667788ull, 0,
	};

	ck_assert_int_eq(gpuvm_mali_job_write_value(7, &wv, d), 0);
	ck_assert_mem_eq(d, v7, sizeof(d));
	ck_assert_int_eq(gpuvm_mali_job_write_value(5, &wv, d), 0);
	ck_assert_mem_eq(d, v7, sizeof(d));
	/* v9: no "Is 64b" bit, 128-byte alignment of the next job. */
	REJECT(gpuvm_mali_job_write_value(9, &wv, d), -EINVAL);
	wv.next = 0x40001100;
	ck_assert_int_eq(gpuvm_mali_job_write_value(9, &wv, d), 0);
	ck_assert_uint_eq(d[2], 0x00010004ull);
	ck_assert_uint_eq(d[3], 0x40001100);
	ck_assert_uint_eq(gpuvm_mali_job_desc_align(4), 64);
	ck_assert_uint_eq(gpuvm_mali_job_desc_align(9), 128);
	ck_assert_uint_eq(gpuvm_mali_job_desc_align(10), 0);
	ck_assert_uint_eq(gpuvm_mali_job_desc_align(8), 0);
	ck_assert_uint_eq(gpuvm_mali_job_desc_align(3), 0);

	REJECT(gpuvm_mali_job_write_value(10, &wv, d), -EOPNOTSUPP);
	REJECT(gpuvm_mali_job_write_value(3, &wv, d), -EOPNOTSUPP);
	REJECT(gpuvm_mali_job_write_value(7, NULL, d), -EINVAL);
	REJECT(gpuvm_mali_job_write_value(7, &wv, NULL), -EINVAL);
	wv.type = 8;
	REJECT(gpuvm_mali_job_write_value(7, &wv, d), -EINVAL);
	wv.type = 0;
	REJECT(gpuvm_mali_job_write_value(7, &wv, d), -EINVAL);
	wv.type = GPUVM_MALI_WRITE_VALUE_IMMEDIATE_32;
	wv.address = 0x40002002;
	REJECT(gpuvm_mali_job_write_value(7, &wv, d), -EINVAL);
	wv.type = GPUVM_MALI_WRITE_VALUE_IMMEDIATE_16;
	ck_assert_int_eq(gpuvm_mali_job_write_value(7, &wv, d), 0);
	ck_assert_uint_eq(d[5], 5);
	wv.index = 0;
	REJECT(gpuvm_mali_job_write_value(7, &wv, d), -EINVAL);
	wv.index = 1;
	wv.type = GPUVM_MALI_WRITE_VALUE_IMMEDIATE_8;
	wv.address = 0x40002003;
	ck_assert_int_eq(gpuvm_mali_job_write_value(7, &wv, d), 0);
	wv.type = GPUVM_MALI_WRITE_VALUE_ZERO;
	REJECT(gpuvm_mali_job_write_value(7, &wv, d), -EINVAL);
	wv.address = 0x40002000;
	wv.type = GPUVM_MALI_WRITE_VALUE_CYCLE_COUNTER;
	ck_assert_int_eq(gpuvm_mali_job_write_value(7, &wv, d), 0);
	wv.type = GPUVM_MALI_WRITE_VALUE_SYSTEM_TIMESTAMP;
	ck_assert_int_eq(gpuvm_mali_job_write_value(7, &wv, d), 0);
}
END_TEST

/* --- jobs on the simulated GPU ----------------------------------------------- */

/* Store a descriptor at BO offset @off (the CPU's view) and make it visible. */
static void put_desc(uint64_t off, const uint64_t *d)
{
	gpuvm_mali_pt_wr_range(hal, BUF_BASE + off, d, GPUVM_MALI_JOB_DESC_WORDS);
	hal->ops->pt_sync(hal, BUF_BASE + off, GPUVM_MALI_JOB_DESC_WORDS * 8);
	hal->ops->barrier(hal);
}

static void put_wv(uint64_t off, uint64_t va, uint32_t type, uint64_t value,
		   uint64_t next)
{
	struct gpuvm_mali_write_value wv = {
		.address = va, .type = type, .value = value, .next = next, .index = 1,
	};
	uint64_t d[GPUVM_MALI_JOB_DESC_WORDS];

	ck_assert_int_eq(gpuvm_mali_job_write_value(info.arch_major, &wv, d), 0);
	put_desc(off, d);
}

/* The CPU's view of the BO word at @off. */
static uint64_t cpu_word(uint64_t off)
{
	return hal->ops->pt_read64(hal, BUF_BASE + off);
}

static int submit(unsigned int slot, uint64_t head)
{
	struct gpuvm_mali_job_submit s = {
		.slot = slot, .head = head, .as = (unsigned int)as,
		.config = GPUVM_MALI_JS_CONFIG_DEFAULT,
	};

	return gpuvm_mali_job_submit(hal, &info, &s);
}

START_TEST(test_job_write_value)
{
	struct gpuvm_mali_job_result res;
	uint64_t t0, head = BO_VA + DESC_OFF;

	start_vm(GPUVM_MALI_SIM_JM);
	put_wv(DESC_OFF, BO_VA + DATA_OFF, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64,
	       0xC0FFEE0012345678ull, 0);
	t0 = tcount();
	ck_assert_int_eq(submit(1, head), 0);
	{
		const struct step seq[] = {
			R(GPUVM_MALI_JS_PRESENT),
			R(GPUVM_MALI_SHADER_PRESENT_LO), R(GPUVM_MALI_SHADER_PRESENT_HI),
			R(JS(1, COMMAND_NEXT)),
			W(GPUVM_MALI_JOB_INT_CLEAR, 0x20002),
			W(JS(1, HEAD_NEXT_LO), (uint32_t)head),
			W(JS(1, HEAD_NEXT_HI), 0),
			W(JS(1, AFFINITY_NEXT_LO), 0xF),
			W(JS(1, AFFINITY_NEXT_HI), 0),
			W(JS(1, CONFIG_NEXT), (uint32_t)as | GPUVM_MALI_JS_CONFIG_DEFAULT),
			W(JS(1, COMMAND_NEXT), GPUVM_MALI_JS_COMMAND_START),
		};
		expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
	}
	ck_assert_uint_eq(cpu_word(DATA_OFF), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 1, 1000, &res), 0);
	{
		const struct step seq[] = {
			P(GPUVM_MALI_JOB_INT_RAWSTAT, 0x20002, 0x2),
			W(GPUVM_MALI_JOB_INT_CLEAR, 0x2),
		};
		expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
	}
	/* 1 read to start (job_reads 1), the next runs the job. */
	ck_assert_uint_eq(count_reads(t0, GPUVM_MALI_JOB_INT_RAWSTAT), 2);
	ck_assert(!res.failed);
	ck_assert_uint_eq(res.js_status, GPUVM_MALI_EXC_DONE);
	ck_assert_str_eq(res.name, "DONE");
	/* The value is in the BO, as the CPU and the memory see it. */
	ck_assert_uint_eq(cpu_word(DATA_OFF), 0xC0FFEE0012345678ull);
	{
		uint64_t v;

		ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, BUF_BASE + DATA_OFF, &v), 0);
		ck_assert_uint_eq(v, 0xC0FFEE0012345678ull);
	}
	ck_assert_uint_eq(rd(JS(1, STATUS)), GPUVM_MALI_EXC_DONE);
	ck_assert_uint_eq(rd(JS(1, HEAD_LO)), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_JS_STATE), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

START_TEST(test_job_chain)
{
	struct gpuvm_mali_job_result res;
	uint64_t d = BO_VA + DATA_OFF;

	start_vm(GPUVM_MALI_SIM_JM);
	/* 4 jobs: 8, 16 and 32-bit immediates into one word, then a 64-bit. */
	put_wv(DESC_OFF, d + 1, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_8, 0x1AB,
	       BO_VA + DESC_OFF + 0x40);
	put_wv(DESC_OFF + 0x40, d + 2, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_16,
	       0x12345, BO_VA + DESC_OFF + 0x80);
	put_wv(DESC_OFF + 0x80, d + 4, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_32,
	       0x1DEADBEEFull, BO_VA + DESC_OFF + 0xC0);
	put_wv(DESC_OFF + 0xC0, d + 8, GPUVM_MALI_WRITE_VALUE_ZERO, 0,
	       BO_VA + DESC_OFF + 0x100);
	put_wv(DESC_OFF + 0x100, d + 16, GPUVM_MALI_WRITE_VALUE_SYSTEM_TIMESTAMP, 0,
	       BO_VA + DESC_OFF + 0x140);
	put_wv(DESC_OFF + 0x140, d + 24, GPUVM_MALI_WRITE_VALUE_CYCLE_COUNTER, 0, 0);
	gpuvm_mali_pt_wr_range(hal, BUF_BASE + DATA_OFF + 8,
			       (const uint64_t[]){ 0xFFFFFFFFFFFFFFFFull }, 1);
	hal->ops->barrier(hal);
	ck_assert_int_eq(submit(0, BO_VA + DESC_OFF), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 1000, &res), 0);
	ck_assert_uint_eq(cpu_word(DATA_OFF), 0xDEADBEEF2345AB00ull);
	ck_assert_uint_eq(cpu_word(DATA_OFF + 8), 0);
	ck_assert_uint_ne(cpu_word(DATA_OFF + 16), 0);
	ck_assert_uint_ne(cpu_word(DATA_OFF + 24), 0);
	ck_assert_uint_eq(rd(JS(0, TAIL_LO)), (uint32_t)(BO_VA + DESC_OFF + 0x140));
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

START_TEST(test_job_unmapped_fault)
{
	struct gpuvm_mali_job_result res;
	struct gpuvm_mali_mmu_stats st;
	uint64_t t0, head = BO_VA + DESC_OFF;

	start_vm(GPUVM_MALI_SIM_JM);
	put_wv(DESC_OFF, HOLE_VA + 8, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64, 1, 0);
	ck_assert_int_eq(submit(2, head), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 2, 1000, &res), 1);
	{
		const struct step seq[] = {
			P(GPUVM_MALI_JOB_INT_RAWSTAT, 0x40004, 0x40000),
			R(JS(2, STATUS)), R(JS(2, HEAD_LO)), R(JS(2, HEAD_HI)),
			R(JS(2, TAIL_LO)), R(JS(2, TAIL_HI)),
			W(GPUVM_MALI_JOB_INT_CLEAR, 0x40000),
		};
		expect_seq(t0, seq, sizeof(seq) / sizeof(seq[0]));
	}
	ck_assert(res.failed);
	ck_assert(GPUVM_MALI_EXC_IS_TRANSLATION(res.js_status));
	ck_assert_str_eq(res.name, gpuvm_mali_fault_name(res.js_status));
	ck_assert_uint_eq(res.head, head);
	ck_assert_uint_eq(res.tail, head);
	/* The MMU fault: the same exception, the write, the VA. */
	ck_assert_int_eq(gpuvm_mali_mmu_handle_irq(mmu), 1);
	gpuvm_mali_mmu_stats(mmu, &st);
	ck_assert_uint_eq(rd(GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_FAULTADDRESS_LO)),
			  (uint32_t)(HOLE_VA + 8));
	{
		uint32_t fs = rd(GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_FAULTSTATUS));

		ck_assert_uint_eq(GPUVM_MALI_FAULT_EXCEPTION_TYPE(fs), res.js_status);
		ck_assert_uint_eq(GPUVM_MALI_FAULT_ACCESS_TYPE(fs), GPUVM_MALI_ACCESS_WRITE);
		ck_assert_uint_eq(GPUVM_MALI_FAULT_SOURCE_ID(fs),
				  GPUVM_MALI_SIM_JOB_SOURCE_ID);
	}
	ck_assert_uint_eq(gpuvm_mali_mmu_faulty_mask(mmu), 1u << as);
	/* Rebind, and the slot works again. */
	ck_assert_int_eq(gpuvm_mali_vm_bind(vm), as);
	put_wv(DESC_OFF, BO_VA + DATA_OFF, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_32, 9, 0);
	ck_assert_int_eq(submit(2, head), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 2, 1000, &res), 0);
	ck_assert_uint_eq(cpu_word(DATA_OFF), 9);
	finish();
}
END_TEST

/* Drop AS_COMMAND writes while *priv is true: a driver that skips the flush. */
static bool drop_as_commands(struct gpuvm_mali_sim *s, uint64_t index,
			     uint32_t offset, bool write, void *priv)
{
	(void)s;
	(void)index;
	return *(bool *)priv && write && offset >= GPUVM_MALI_AS_BASE &&
	       offset % GPUVM_MALI_AS_STRIDE == GPUVM_MALI_AS_COMMAND;
}

START_TEST(test_job_stale_tlb)
{
	struct gpuvm_mali_job_result res;
	uint64_t head = BO_VA + DESC_OFF, target = BO_VA + 0x8000;
	bool drop = false;

	start_vm(GPUVM_MALI_SIM_JM);
	/* The descriptors stay in the first page; the target page moves. */
	put_wv(DESC_OFF, target, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64, 1, 0);
	ck_assert_int_eq(submit(0, head), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 1000, &res), 0);
	ck_assert_uint_eq(cpu_word(0x8000), 1);

	/* Remap the target page to bo2 without the flush commands. */
	gpuvm_mali_sim_set_reg_hook(sim, drop_as_commands, &drop);
	drop = true;
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, target, PG), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, target, PG, &bo2, 0, RW), 0);
	drop = false;
	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, (unsigned int)as, target, PG), 1);
	gpuvm_mali_sim_violation_clear(sim);
	put_wv(DESC_OFF, target, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64, 2, 0);
	ck_assert_int_eq(submit(0, head), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 1000, &res), 0);
	/* The GPU wrote through the stale translation: the old page changed. */
	ck_assert_uint_eq(cpu_word(0x8000), 2);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, bo2.pa), 0);

	/* With the flush, the write lands in the new page. */
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, target, PG), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(vm, target, PG, &bo2, 0, RW), 0);
	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, (unsigned int)as, target, PG), 0);
	put_wv(DESC_OFF, target, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64, 3, 0);
	ck_assert_int_eq(submit(0, head), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 1000, &res), 0);
	ck_assert_uint_eq(cpu_word(0x8000), 2);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, bo2.pa), 3);
	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, target, PG), 0);
	finish();
}
END_TEST

START_TEST(test_job_hang_and_stop)
{
	struct gpuvm_mali_job_result res;
	uint64_t head = BO_VA + DESC_OFF, ns, t0;

	start_vm(GPUVM_MALI_SIM_JM);
	put_wv(DESC_OFF, BO_VA + DATA_OFF, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64, 5, 0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_JOB_HANG,
						   1, 1), 0);
	ck_assert_int_eq(submit(1, head), 0);
	ns = hal->ops->now_ns(hal);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 1, 5000, &res), -ETIMEDOUT);
	ck_assert_uint_ge(hal->ops->now_ns(hal) - ns, 5000000ull);
	ck_assert_uint_eq(rd(JS(1, STATUS)), GPUVM_MALI_EXC_ACTIVE);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_JS_STATE), 1u << 1);
	/* A soft stop is ignored by the hung chain; a hard stop ends it. */
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_stop(hal, 1, false), 0);
	{
		const struct step seq[] = {
			W(JS(1, COMMAND), GPUVM_MALI_JS_COMMAND_SOFT_STOP),
		};
		expect_seq(t0, seq, 1);
	}
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 1, 100, &res), -ETIMEDOUT);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_stop(hal, 1, true), 0);
	{
		const struct step seq[] = {
			W(JS(1, COMMAND), GPUVM_MALI_JS_COMMAND_HARD_STOP),
		};
		expect_seq(t0, seq, 1);
	}
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 1, 100, &res), 1);
	ck_assert_uint_eq(res.js_status, GPUVM_MALI_EXC_TERMINATED);
	ck_assert_str_eq(res.name, "TERMINATED");
	ck_assert_uint_eq(res.head, head);
	ck_assert_uint_eq(cpu_word(DATA_OFF), 0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_JOB_HANG,
						   1, 0), 0);

	/* A slow chain soft-stopped; _0/_1 variants only hit their chain. */
	{
		struct gpuvm_mali_sim_gpu_config g;

		gpuvm_mali_sim_gpu_config_init(&g);
		g.job_reads = 100;
		ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), 0);
	}
	ck_assert_int_eq(submit(1, head), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_JS_STATE), 1u << 1);
	wr(JS(1, COMMAND), 6);		/* SOFT_STOP_1: chain flag is 0 */
	wr(JS(1, COMMAND), GPUVM_MALI_JS_COMMAND_NOP);
	ck_assert_uint_eq(rd(JS(1, STATUS)), GPUVM_MALI_EXC_ACTIVE);
	wr(JS(1, COMMAND), 4);		/* SOFT_STOP_0 */
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 1, 100, &res), 1);
	ck_assert_uint_eq(res.js_status, GPUVM_MALI_EXC_STOPPED);
	/* A timeout whose nanoseconds overflow is a long wait, not none. */
	ck_assert_int_eq(submit(1, head), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 1, UINT64_MAX / 1000 + 1, &res), 0);
	ck_assert_uint_eq(cpu_word(DATA_OFF), 5);
	/* Stop of an idle slot: nothing. */
	ck_assert_int_eq(gpuvm_mali_job_stop(hal, 1, true), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_RAWSTAT), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_stop(NULL, 1, true), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_job_stop(hal, 16, true), -EINVAL);
	ck_assert_uint_eq(tcount(), t0);
	/* A reset ends a running chain. */
	ck_assert_int_eq(submit(1, head), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_JS_STATE), 1u << 1);
	ck_assert_int_eq(gpuvm_mali_gpu_reset(hal, &info, 0), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_JS_STATE), 0);
	gpuvm_mali_mmu_reset_done(mmu);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

START_TEST(test_job_submit_errors)
{
	struct gpuvm_mali_job_submit s = {
		.slot = 0, .head = BO_VA + DESC_OFF, .as = 0,
		.config = GPUVM_MALI_JS_CONFIG_DEFAULT,
	};
	struct gpuvm_mali_job_result res;
	struct gpuvm_mali_gpu_info csf = { .csf = true, .arch_major = 10 };
	uint64_t t0;

	start(GPUVM_MALI_SIM_JM, 0, 0, 5);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_submit(NULL, &info, &s), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, NULL, &s), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &csf, &s), -EOPNOTSUPP);
	s.slot = 16;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EINVAL);
	s.slot = 0;
	s.as = 16;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EINVAL);
	s.as = 8;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EINVAL);
	s.as = 0;
	s.head = 0;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EINVAL);
	s.head = BO_VA + 0x20;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EINVAL);
	s.head = BO_VA;
	s.config = 1;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EINVAL);
	s.config = 0;
	ck_assert_uint_eq(tcount(), t0);	/* nothing read or written */
	s.slot = 3;				/* JS_PRESENT is 0x7 */
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EINVAL);
	s.slot = 0;
	s.affinity = 1;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), 0);
	/* Queued in NEXT (nothing has read a job register since): busy. */
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EBUSY);
	{
		const struct step seq[] = {
			R(GPUVM_MALI_JS_PRESENT), R(JS(0, COMMAND_NEXT)),
		};
		expect_seq(t0, seq, 2);
	}
	/* NOP in COMMAND_NEXT takes it back. */
	wr(JS(0, COMMAND_NEXT), GPUVM_MALI_JS_COMMAND_NOP);
	ck_assert_uint_eq(rd(JS(0, COMMAND_NEXT)), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 100, &res), -ETIMEDOUT);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_job_wait(NULL, 0, 100, &res), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 16, 100, &res), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 100, NULL), -EINVAL);
	ck_assert_uint_eq(tcount(), t0);
	/* Powered off: -EIO at the first read. */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 1), 0);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EIO);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 100, &res), -EIO);
	finish();
}
END_TEST

static bool fail_offset(struct gpuvm_mali_sim *s, uint64_t index,
			uint32_t offset, bool write, void *priv)
{
	const uint32_t *offs = priv;

	(void)s;
	(void)index;
	return !write && (offset == offs[0] || offset == offs[1]);
}

START_TEST(test_job_submit_bus_errors)
{
	struct gpuvm_mali_job_submit s = {
		.slot = 0, .head = BO_VA, .as = 0, .config = 0,
	};
	uint32_t off[2] = { GPUVM_MALI_SHADER_PRESENT_LO, GPUVM_MALI_SHADER_PRESENT_HI };

	start(GPUVM_MALI_SIM_JM, 0, 0, 0);
	gpuvm_mali_sim_set_reg_hook(sim, fail_offset, off);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EIO);
	off[0] = off[1] = GPUVM_MALI_SHADER_PRESENT_HI;
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), 0);
	wr(JS(0, COMMAND_NEXT), GPUVM_MALI_JS_COMMAND_NOP);
	off[0] = off[1] = JS(0, COMMAND_NEXT);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EIO);
	gpuvm_mali_sim_set_reg_hook(sim, NULL, NULL);
	finish();
}
END_TEST

/* Run a one-job chain written with raw descriptor words; return JS_STATUS. */
static uint32_t run_raw(const uint64_t *d, uint64_t affinity, uint32_t config)
{
	struct gpuvm_mali_job_submit s = {
		.slot = 0, .head = BO_VA + DESC_OFF, .affinity = affinity,
		.as = (unsigned int)as, .config = config,
	};
	struct gpuvm_mali_job_result res;
	int ret;

	put_desc(DESC_OFF, d);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), 0);
	ret = gpuvm_mali_job_wait(hal, 0, 1000, &res);
	ck_assert_int_ge(ret, 0);
	return res.js_status;
}

START_TEST(test_job_model_faults)
{
	uint64_t d[GPUVM_MALI_JOB_DESC_WORDS] = { 0 };
	struct gpuvm_mali_gpu_irq irq;

	start_vm(GPUVM_MALI_SIM_JM);
	d[GPUVM_MALI_JOB_W_CONTROL] = GPUVM_MALI_JOB_CONTROL_IS_64B |
				      GPUVM_MALI_JOB_TYPE_NULL << 1 | 1u << 16;
	ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_DONE);
	/* Cores: none present in the affinity, none ready, no L2. */
	ck_assert_uint_eq(run_raw(d, 0x100, 0), GPUVM_MALI_EXC_JOB_AFFINITY_FAULT);
	wr(GPUVM_MALI_SHADER_PWROFF_LO, 0xF);
	ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_JOB_POWER_FAULT);
	wr(GPUVM_MALI_L2_PWROFF_LO, 1);
	ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_JOB_POWER_FAULT);
	ck_assert_int_eq(gpuvm_mali_gpu_power_on(hal, GPUVM_MALI_POWER_ALL), 0);
	/* Descriptors: 32-bit header, other job types, bad payloads. */
	d[GPUVM_MALI_JOB_W_CONTROL] &= ~(uint64_t)GPUVM_MALI_JOB_CONTROL_IS_64B;
	ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_JOB_CONFIG_FAULT);
	d[GPUVM_MALI_JOB_W_CONTROL] = GPUVM_MALI_JOB_CONTROL_IS_64B | 4u << 1;
	ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_JOB_CONFIG_FAULT);
	d[GPUVM_MALI_JOB_W_CONTROL] = GPUVM_MALI_JOB_CONTROL_IS_64B |
				      GPUVM_MALI_JOB_TYPE_WRITE_VALUE << 1;
	d[GPUVM_MALI_JOB_W_ADDRESS] = BO_VA + DATA_OFF;
	d[GPUVM_MALI_JOB_W_TYPE] = 9;
	ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_DATA_INVALID_FAULT);
	d[GPUVM_MALI_JOB_W_TYPE] = GPUVM_MALI_WRITE_VALUE_IMMEDIATE_32;
	d[GPUVM_MALI_JOB_W_ADDRESS] = BO_VA + DATA_OFF + 2;
	ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_DATA_INVALID_FAULT);
	/* A sub-word write whose read faults. */
	d[GPUVM_MALI_JOB_W_ADDRESS] = HOLE_VA;
	ck_assert(GPUVM_MALI_EXC_IS_TRANSLATION(run_raw(d, 0, 0)));
	ck_assert_int_eq(gpuvm_mali_mmu_handle_irq(mmu), 1);
	ck_assert_int_eq(gpuvm_mali_vm_bind(vm), as);
	/* A job in an AS that is not present (written by hand). */
	wr(JS(0, HEAD_NEXT_LO), (uint32_t)(BO_VA + DESC_OFF));
	wr(JS(0, HEAD_NEXT_HI), 0);
	wr(JS(0, AFFINITY_NEXT_LO), 0xF);
	wr(JS(0, AFFINITY_NEXT_HI), 0);
	wr(JS(0, CONFIG_NEXT), 9);
	ck_assert_uint_eq(rd(JS(0, CONFIG_NEXT)), 9);
	ck_assert_uint_eq(rd(JS(0, HEAD_NEXT_LO)), (uint32_t)(BO_VA + DESC_OFF));
	ck_assert_uint_eq(rd(JS(0, HEAD_NEXT_HI)), 0);
	ck_assert_uint_eq(rd(JS(0, AFFINITY_NEXT_LO)), 0xF);
	ck_assert_uint_eq(rd(JS(0, AFFINITY_NEXT_HI)), 0);
	wr(JS(0, COMMAND_NEXT), GPUVM_MALI_JS_COMMAND_START);
	ck_assert_uint_eq(rd(JS(0, STATUS)), GPUVM_MALI_EXC_ACTIVE);
	ck_assert_uint_eq(rd(JS(0, STATUS)), GPUVM_MALI_EXC_JOB_CONFIG_FAULT);
	ck_assert_uint_eq(rd(JS(0, CONFIG)), 9);
	ck_assert_uint_eq(rd(JS(0, AFFINITY_LO)), 0xF);
	ck_assert_uint_eq(rd(JS(0, AFFINITY_HI)), 0);
	ck_assert_uint_eq(rd(JS(0, HEAD_HI)), 0);
	ck_assert_uint_eq(rd(JS(0, TAIL_HI)), 0);
	wr(GPUVM_MALI_JOB_INT_MASK, 0xFFFFFFFF);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_MASK), 0xFFFFFFFF);
	ck_assert_uint_eq(rd(GPUVM_MALI_JOB_INT_STAT), 0x10000);
	wr(GPUVM_MALI_JOB_INT_CLEAR, 0x10000);
	/* A write to memory nothing backs: JOB_BUS_FAULT and GPU_FAULT. */
	{
		struct gpuvm_mali_bo far;

		ck_assert_int_eq(gpuvm_mali_bo_init(&far, BUF_BASE + MiB, PG, NULL), 0);
		ck_assert_int_eq(gpuvm_mali_vm_map(vm, BO_VA + 0x100000, PG, &far, 0, RW), 0);
		d[GPUVM_MALI_JOB_W_ADDRESS] = BO_VA + 0x100000;
		d[GPUVM_MALI_JOB_W_TYPE] = GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64;
		ck_assert_uint_eq(run_raw(d, 0, 0), GPUVM_MALI_EXC_JOB_BUS_FAULT);
		ck_assert_int_eq(gpuvm_mali_gpu_handle_irq(hal, &irq), 1);
		ck_assert(irq.fault && irq.address_valid);
		ck_assert_uint_eq(irq.exception_type, GPUVM_MALI_EXC_DELAYED_BUS_FAULT);
		ck_assert_uint_eq(irq.access_type, GPUVM_MALI_ACCESS_WRITE);
		ck_assert_uint_eq(irq.fault_address, BUF_BASE + MiB);
		ck_assert_int_eq(gpuvm_mali_vm_unmap(vm, BO_VA + 0x100000, PG), 0);
		gpuvm_mali_bo_fini(&far);
	}
	/* Bad JS commands are reported; absent slots are bad registers. */
	gpuvm_mali_sim_violation_clear(sim);
	wr(JS(0, COMMAND), GPUVM_MALI_JS_COMMAND_START);
	wr(JS(0, COMMAND_NEXT), 2);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_COMMAND), 2);
	(void)rd(JS(3, STATUS));
	wr(JS(3, COMMAND), 0);
	(void)rd(JS(0, COMMAND));
	wr(JS(0, STATUS), 0);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_REGISTER), 4);
	finish();
}
END_TEST

/* A job whose target is in a locked region waits for the unlock. */
START_TEST(test_job_stall)
{
	struct gpuvm_mali_job_result res;
	uint64_t lock;

	start_vm(GPUVM_MALI_SIM_JM);
	put_wv(DESC_OFF, BO_VA + DATA_OFF, GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64, 7, 0);
	ck_assert_int_eq(gpuvm_mali_lockaddr(BO_VA, 64 * 1024, &lock), 0);
	gpuvm_mali_wr64(hal, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_LOCKADDR_LO), lock);
	wr(GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_COMMAND), GPUVM_MALI_AS_COMMAND_LOCK);
	ck_assert_int_eq(gpuvm_mali_mmu_wait_ready(mmu, (unsigned int)as), 0);
	ck_assert_int_eq(submit(0, BO_VA + DESC_OFF), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 100, &res), -ETIMEDOUT);
	ck_assert_uint_eq(cpu_word(DATA_OFF), 0);
	wr(GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_COMMAND), GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_int_eq(gpuvm_mali_mmu_wait_ready(mmu, (unsigned int)as), 0);
	ck_assert_int_eq(gpuvm_mali_job_wait(hal, 0, 100, &res), 0);
	ck_assert_uint_eq(cpu_word(DATA_OFF), 7);
	finish();
}
END_TEST

/* --- simulator parameters, CSF ------------------------------------------------ */

START_TEST(test_sim_gpu_args)
{
	struct gpuvm_mali_sim_gpu_config g;
	uint64_t v;

	start(GPUVM_MALI_SIM_JM, 0, 0, 0);
	gpuvm_mali_sim_gpu_config_init(&g);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(NULL, &g), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, NULL), -EINVAL);
	g.shader_present = 0;
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), -EINVAL);
	g.shader_present = 1;
	g.tiler_present = 0;
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), -EINVAL);
	g.tiler_present = 1;
	g.reset_reads = 1000001;
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), -EINVAL);
	g.reset_reads = 0;
	g.power_reads = 1000001;
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), -EINVAL);
	g.power_reads = 0;
	g.job_reads = 1000001;
	ck_assert_int_eq(gpuvm_mali_sim_gpu_configure(sim, &g), -EINVAL);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_PRESENT_LO), 0xF);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(NULL, GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK,
						   0, 1), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, 0, 0, 1), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK,
						   0, 2), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_POWER_STUCK,
						   0, 8), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_JOB_HANG,
						   3, 1), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_JOB_HANG,
						   0, 2), -EINVAL);
	/* GPU stores to memory. */
	ck_assert_int_eq(gpuvm_mali_sim_mem_write64(NULL, BUF_BASE, 1), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_mem_write64(sim, BUF_BASE + 4, 1), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_mem_write64(sim, 0x1000, 1), -EFAULT);
	/* A CPU store not yet visible keeps the CPU's view of its line. */
	hal->ops->pt_write64(hal, BUF_BASE, 5);
	ck_assert_int_eq(gpuvm_mali_sim_mem_write64(sim, BUF_BASE + 8, 6), 0);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, BUF_BASE + 8), 0);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, BUF_BASE + 8, &v), 0);
	ck_assert_uint_eq(v, 6);
	hal->ops->barrier(hal);
	/* A reset that was stuck completes once released. */
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK,
						   0, 1), 0);
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK,
						   0, 0), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT),
			  GPUVM_MALI_GPU_IRQ_RESET_COMPLETED);
	finish();
}
END_TEST

/*
 * CSF: reset, L2 power, MMU and a mapping the GPU translates; no job slots,
 * so no GPU write without the MCU firmware.
 */
START_TEST(test_csf_mmu_bringup)
{
	struct gpuvm_mali_job_submit s = { .slot = 0, .head = BO_VA };
	uint64_t pa = 0;

	start_vm(GPUVM_MALI_SIM_CSF);
	ck_assert(info.csf);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_SHADER_READY_LO), 0);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, (unsigned int)as, BO_VA + 0x1234,
					       GPUVM_MALI_SIM_WRITE, 1, &pa),
			 GPUVM_MALI_SIM_OK);
	ck_assert_uint_eq(pa, BUF_BASE + 0x1234);
	ck_assert_int_eq(gpuvm_mali_gpu_cache_flush(hal, &info,
						    GPUVM_MALI_GPU_FLUSH_INVALIDATE), 0);
	ck_assert_int_eq(gpuvm_mali_job_submit(hal, &info, &s), -EOPNOTSUPP);
	ck_assert_int_eq(gpuvm_mali_sim_gpu_inject(sim, GPUVM_MALI_SIM_GPU_INJ_JOB_HANG,
						   0, 1), -EINVAL);
	ck_assert_uint_eq(rd(GPUVM_MALI_JS_PRESENT), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	/* The job registers are not there on a CSF GPU. */
	(void)rd(GPUVM_MALI_JOB_INT_RAWSTAT);
	wr(JS(0, COMMAND_NEXT), 1);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_REGISTER), 2);
	finish();
}
END_TEST

static Suite *gpu_suite(void)
{
	Suite *s = suite_create("mali_gpu");
	TCase *tc = tcase_create("control");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_reset_trace);
	tcase_add_test(tc, test_reset_csf);
	tcase_add_test(tc, test_reset_state_machine);
	tcase_add_test(tc, test_reset_stuck);
	tcase_add_test(tc, test_power_trace);
	tcase_add_test(tc, test_power_hi_and_transitions);
	tcase_add_test(tc, test_power_stuck);
	tcase_add_test(tc, test_power_bus_errors);
	tcase_add_test(tc, test_power_absent_domain);
	tcase_add_test(tc, test_cache_flush);
	tcase_add_test(tc, test_gpu_irq);
	tcase_add_test(tc, test_exception_names);
	tcase_add_test(tc, test_sim_gpu_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("jobs");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_write_value_encode);
	tcase_add_test(tc, test_job_write_value);
	tcase_add_test(tc, test_job_chain);
	tcase_add_test(tc, test_job_unmapped_fault);
	tcase_add_test(tc, test_job_stale_tlb);
	tcase_add_test(tc, test_job_hang_and_stop);
	tcase_add_test(tc, test_job_submit_errors);
	tcase_add_test(tc, test_job_submit_bus_errors);
	tcase_add_test(tc, test_job_model_faults);
	tcase_add_test(tc, test_job_stall);
	tcase_add_test(tc, test_csf_mmu_bringup);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(gpu_suite());
}
