// SPDX-License-Identifier: MIT
/*
 * Corners of the Mali backend the scenario tests do not reach: the rarely
 * read or written registers of the simulator, its GPU commands of both
 * families, its configuration checks and inspection calls, the violation
 * log growing past its first block, fault names, lock-region arithmetic,
 * page-table creation limits, the page-table memory pool's refusals and
 * the VM layer's argument checks and unbind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_vm.h>

#include "../support.h"
#include "sim_fixture.h"

static void setup(void)
{
	fx_setup();
	ts_warn_capture();
}

static void teardown(void)
{
	gpuvm_set_warn_handler(NULL, NULL);
	fx_teardown();
}

/* A simulator with 4 MiB of page-table memory. */
static void start_cfg(const struct gpuvm_mali_sim_config *cfg)
{
	fx_sim_create(cfg, 4 * MiB);
}

static void start(enum gpuvm_mali_sim_family family)
{
	fx_sim_create_family(family, 4 * MiB);
}

/* Violations of @code logged since the last clear; clears the log. */
static size_t take(enum gpuvm_mali_sim_violation_code code)
{
	size_t n = gpuvm_mali_sim_violation_count_code(sim, code);

	gpuvm_mali_sim_violation_clear(sim);
	return n;
}

/* ------------------------------------------------------------------------ */
/* Simulator: registers                                                     */

START_TEST(test_sim_id_registers)
{
	struct gpuvm_mali_sim_config cfg;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.l2_present = 0x0000000300000005ull;
	cfg.coherency_features = 0x5;
	start_cfg(&cfg);

	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0x72120000u);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_FEATURES), 0x2830);
	ck_assert_uint_eq(rd(GPUVM_MALI_AS_PRESENT), 0xFF);
	/* a JM GPU has three job slots */
	ck_assert_uint_eq(rd(GPUVM_MALI_JS_PRESENT), 0x7);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_PRESENT_LO), 0x5);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_PRESENT_HI), 0x3);
	ck_assert_uint_eq(rd(GPUVM_MALI_COHERENCY_FEATURES), 0x5);
	/* GPU-level status and fault registers read as zero */
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_STATUS), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_FAULT_STATUS), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_FAULT_ADDR_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_FAULT_ADDR_HI), 0);

	/* L2_READY follows L2_PWRON, limited to the slices present */
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_HI), 0);
	wr(GPUVM_MALI_L2_PWRON_LO, 0xFFFFFFFFu);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 0x5);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_HI), 0);
	wr(GPUVM_MALI_L2_PWRON_HI, 0x6);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_HI), 0x2);
	wr(GPUVM_MALI_L2_PWRON_HI, 0x1);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_HI), 0x3);

	/* read-write configuration registers keep what was written */
	wr(GPUVM_MALI_L2_MMU_CONFIG, 0x00ABC000u);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_MMU_CONFIG), 0x00ABC000u);
	wr(GPUVM_MALI_COHERENCY_PROTOCOL, 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_COHERENCY_PROTOCOL), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();

	/* a CSF GPU has no job slots */
	start(GPUVM_MALI_SIM_CSF);
	ck_assert_uint_eq(rd(GPUVM_MALI_JS_PRESENT), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0xA8670000u);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_sim_gpu_irq_mask)
{
	start(GPUVM_MALI_SIM_JM);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_MASK), 0);
	/* a cache clean completes after flush_reads reads of RAWSTAT */
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_CLEAN_CACHES);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_STAT), 0);
	wr(GPUVM_MALI_GPU_INT_MASK, GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_MASK),
			  GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	/* INT_STAT reads count as polls too: the flush finishes */
	(void)rd(GPUVM_MALI_GPU_INT_STAT);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_STAT),
			  GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	ck_assert_uint_ne(rd(GPUVM_MALI_GPU_INT_RAWSTAT) &
			  GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED, 0);
	/* masked off, STAT is empty while RAWSTAT still has it */
	wr(GPUVM_MALI_GPU_INT_MASK, 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_STAT), 0);
	ck_assert_uint_ne(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0);
	wr(GPUVM_MALI_GPU_INT_CLEAR, GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT) &
			  GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED, 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_sim_as_registers)
{
	struct gpuvm_mali_sim_config cfg;

	start(GPUVM_MALI_SIM_JM);
	/* LOCKADDR reads back both halves */
	gpuvm_mali_wr64(hal, REG(3, LOCKADDR_LO), 0x0000001234567000ull | 14);
	ck_assert_uint_eq(rd(REG(3, LOCKADDR_LO)), 0x34567000u | 14);
	ck_assert_uint_eq(rd(REG(3, LOCKADDR_HI)), 0x12);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(3, LOCKADDR_LO)),
			  0x0000001234567000ull | 14);
	/* TRANSCFG exists with AArch64 support */
	gpuvm_mali_wr64(hal, REG(3, TRANSCFG_LO), 0x12345678000001C6ull);
	ck_assert_uint_eq(rd(REG(3, TRANSCFG_HI)), 0x12345678u);
	ck_assert_uint_eq(rd(REG(3, TRANSCFG_LO)), 0x1C6);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();

	/* a Midgard-like GPU (LPAE only) has no TRANSCFG register */
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.formats = GPUVM_MALI_SIM_FMT_LPAE;
	start_cfg(&cfg);
	ck_assert_uint_eq(rd(REG(0, TRANSCFG_LO)), 0);
	ck_assert_uint_eq(rd(REG(0, TRANSCFG_HI)), 0);
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_REGISTER), 2);
	wr(REG(0, TRANSCFG_LO), 0x1C6);
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_REGISTER), 1);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_sim_bad_registers)
{
	struct gpuvm_mali_sim_config cfg;
	const struct gpuvm_mali_sim_violation *v;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.as_present = 0x0F;
	start_cfg(&cfg);

	/* absent address spaces: reads give 0, writes are dropped */
	ck_assert_uint_eq(rd(REG(4, STATUS)), 0);
	v = gpuvm_mali_sim_violation_get(sim, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->code, GPUVM_MALI_SIM_V_BAD_REGISTER);
	ck_assert_uint_eq(v->addr, REG(4, STATUS));
	wr(REG(15, TRANSTAB_LO), 0x1000);
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_REGISTER), 2);

	/* unknown and write-only registers */
	ck_assert_uint_eq(rd(0x0F00), 0);			/* unknown */
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_CMD), 0);		/* write-only */
	ck_assert_uint_eq(rd(REG(0, COMMAND)), 0);		/* write-only */
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_REGISTER), 3);
	/* read-only registers and holes */
	wr(GPUVM_MALI_GPU_ID, 0);
	wr(REG(0, STATUS), 0);
	wr(REG(0, FAULTSTATUS), 0);
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_REGISTER), 3);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0xA8670000u);

	/* a misaligned write is reported and goes nowhere */
	wr(GPUVM_MALI_MMU_INT_MASK + 1, 0xFF);
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_REGISTER), 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_MASK), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* The violation log grows in blocks; entries survive each growth. */
START_TEST(test_sim_violation_log_grows)
{
	unsigned int i;

	start(GPUVM_MALI_SIM_JM);
	/* a violation that cannot be stored is still counted */
	for (i = 0; i < 16; i++)
		(void)rd(0x0D00);
	ts_alloc_fail_at(1, 1);
	(void)rd(0x0D04);
	ts_alloc_fail_at(0, 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 17);
	ck_assert_ptr_nonnull(gpuvm_mali_sim_violation_get(sim, 15));
	ck_assert_ptr_null(gpuvm_mali_sim_violation_get(sim, 16));
	gpuvm_mali_sim_violation_clear(sim);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);

	for (i = 0; i < 40; i++)
		(void)rd(0x0D00 + 4 * (i % 16));
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 40);
	for (i = 0; i < 40; i++) {
		const struct gpuvm_mali_sim_violation *v =
			gpuvm_mali_sim_violation_get(sim, i);

		ck_assert_ptr_nonnull(v);
		ck_assert_int_eq(v->code, GPUVM_MALI_SIM_V_BAD_REGISTER);
		ck_assert_uint_eq(v->addr, 0x0D00 + 4 * (i % 16));
		ck_assert_int_eq(v->as, -1);
		ck_assert_ptr_nonnull(strstr(v->msg, "register 0x"));
	}
	ck_assert_ptr_null(gpuvm_mali_sim_violation_get(sim, 40));
	fx_sim_destroy();
}
END_TEST

START_TEST(test_sim_violation_names)
{
	static const struct {
		enum gpuvm_mali_sim_violation_code code;
		const char *name;
	} names[] = {
		{ GPUVM_MALI_SIM_V_CMD_WHILE_BUSY, "CMD_WHILE_BUSY" },
		{ GPUVM_MALI_SIM_V_UPDATE_WHILE_LOCKED, "UPDATE_WHILE_LOCKED" },
		{ GPUVM_MALI_SIM_V_UPDATE_HALF_WRITTEN, "UPDATE_HALF_WRITTEN" },
		{ GPUVM_MALI_SIM_V_LOCK_TOO_SMALL, "LOCK_TOO_SMALL" },
		{ GPUVM_MALI_SIM_V_DOUBLE_LOCK, "DOUBLE_LOCK" },
		{ GPUVM_MALI_SIM_V_FLUSH_WITHOUT_LOCK, "FLUSH_WITHOUT_LOCK" },
		{ GPUVM_MALI_SIM_V_UNSYNCED_PTE, "UNSYNCED_PTE" },
		{ GPUVM_MALI_SIM_V_STALE_TLB, "STALE_TLB" },
		{ GPUVM_MALI_SIM_V_STALE_PTW, "STALE_PTW" },
		{ GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH, "PT_FREED_BEFORE_FLUSH" },
		{ GPUVM_MALI_SIM_V_BAD_REGISTER, "BAD_REGISTER" },
		{ GPUVM_MALI_SIM_V_BAD_COMMAND, "BAD_COMMAND" },
		{ GPUVM_MALI_SIM_V_BAD_GPU_CMD, "BAD_GPU_CMD" },
		{ GPUVM_MALI_SIM_V_BAD_CONFIG, "BAD_CONFIG" },
		{ GPUVM_MALI_SIM_V_BAD_PT_ACCESS, "BAD_PT_ACCESS" },
		{ GPUVM_MALI_SIM_V_CONT_BIT, "CONT_BIT" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_str_eq(gpuvm_mali_sim_violation_name(names[i].code),
				 names[i].name);
	ck_assert_str_eq(gpuvm_mali_sim_violation_name(0), "UNKNOWN");
	ck_assert_str_eq(gpuvm_mali_sim_violation_name(
				 (enum gpuvm_mali_sim_violation_code)999),
			 "UNKNOWN");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Simulator: GPU commands                                                  */

START_TEST(test_sim_jm_commands)
{
	static const uint32_t harmless[] = {
		GPUVM_MALI_JM_GPU_CMD_NOP,
		GPUVM_MALI_JM_GPU_CMD_PERFCNT_CLEAR,
		GPUVM_MALI_JM_GPU_CMD_PERFCNT_SAMPLE,
		GPUVM_MALI_JM_GPU_CMD_CYCLE_COUNT_START,
		GPUVM_MALI_JM_GPU_CMD_CYCLE_COUNT_STOP,
	};
	struct gpuvm_mali_sim_stats st;
	unsigned int i;

	start(GPUVM_MALI_SIM_JM);
	for (i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
		wr(GPUVM_MALI_GPU_CMD, harmless[i]);
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_eq(st.cache_flushes, 0);
	ck_assert_uint_eq(st.resets, 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0);

	/* a CSF-encoded command is not a JM one */
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD_FLUSH_PT);
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_GPU_CMD), 1);
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_eq(st.cache_flushes, 0);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_sim_csf_commands)
{
	struct gpuvm_mali_sim_stats st;

	start(GPUVM_MALI_SIM_CSF);
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD(GPUVM_MALI_CSF_GPU_CMD_TYPE_NOP, 0));
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_eq(st.resets, 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);

	/* reset payloads other than soft and hard */
	wr(GPUVM_MALI_GPU_CMD,
	   GPUVM_MALI_CSF_GPU_CMD(GPUVM_MALI_CSF_GPU_CMD_TYPE_RESET, 3));
	wr(GPUVM_MALI_GPU_CMD,
	   GPUVM_MALI_CSF_GPU_CMD(GPUVM_MALI_CSF_GPU_CMD_TYPE_RESET, 0));
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_GPU_CMD), 2);
	/* a flush payload with bits beyond the three cache ops */
	wr(GPUVM_MALI_GPU_CMD,
	   GPUVM_MALI_CSF_GPU_CMD(GPUVM_MALI_CSF_GPU_CMD_TYPE_FLUSH_CACHES, 0x400));
	/* an unknown command type */
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD(7, 0));
	ck_assert_uint_eq(take(GPUVM_MALI_SIM_V_BAD_GPU_CMD), 2);
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_eq(st.resets, 0);
	ck_assert_uint_eq(st.cache_flushes, 0);

	/* the soft reset payload resets */
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD_SOFT_RESET);
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_eq(st.resets, 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* flush_reads 0: a flush completes at once, without a poll. */
START_TEST(test_sim_flush_immediate)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_stats st;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.flush_reads = 0;
	start_cfg(&cfg);
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES);
	gpuvm_mali_sim_stats(sim, &st);
	ck_assert_uint_eq(st.cache_flushes, 1);
	ck_assert_uint_ne(rd(GPUVM_MALI_GPU_INT_RAWSTAT) &
			  GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED, 0);
	fx_sim_destroy();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Simulator: configuration and inspection                                  */

START_TEST(test_sim_config_rejected)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim *s = (struct gpuvm_mali_sim *)&cfg;

#define REJECT(field, value)						\
	do {								\
		gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);	\
		cfg.field = value;					\
		s = (struct gpuvm_mali_sim *)&cfg;			\
		ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL); \
		ck_assert_ptr_eq(s, (struct gpuvm_mali_sim *)&cfg);	\
	} while (0)

	REJECT(mmu_features, 0x281F);		/* 31 VA bits */
	REJECT(mmu_features, 0x2831);		/* 49 VA bits */
	REJECT(mmu_features, 0x1F30);		/* 31 PA bits */
	REJECT(mmu_features, 0x3130);		/* 49 PA bits */
	REJECT(as_present, 0);
	REJECT(as_present, 0x10000);
	REJECT(family, (enum gpuvm_mali_sim_family)2);
	REJECT(formats, 0);
	REJECT(formats, 4);
	REJECT(visibility, (enum gpuvm_mali_sim_visibility)3);
	REJECT(busy_reads, 1000001);
	REJECT(flush_reads, 1000001);
	REJECT(tlb_capacity, 65537);
	REJECT(ptw_cache_lines, (1u << 20) + 1);
	REJECT(trace_capacity, (1u << 24) + 1);
#undef REJECT
	ck_assert_int_eq(gpuvm_mali_sim_create(NULL, &s), -EINVAL);
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, NULL), -EINVAL);

	/* the limits themselves are accepted */
	cfg.mmu_features = 0x3020;
	cfg.as_present = 0x8000;
	cfg.busy_reads = 1000000;
	cfg.tlb_capacity = 65536;
	cfg.visibility = GPUVM_MALI_SIM_VIS_COHERENT;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), 0);
	gpuvm_mali_sim_destroy(s);
	ck_assert_int_eq(ts_alloc_live(), 0);
}
END_TEST

START_TEST(test_sim_inspection_rejects)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_as_stats ast;
	struct gpuvm_mali_sim_trace_entry e;
	uint64_t base = 7;
	unsigned int log2 = 7;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.as_present = 0x3;
	cfg.trace_capacity = 0;
	start_cfg(&cfg);

	ck_assert_int_eq(gpuvm_mali_sim_lock_region(NULL, 0, &base, &log2), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 2, &base, &log2), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, &base, &log2), 0);
	ck_assert_uint_eq(base, 7);
	ck_assert_uint_eq(log2, 7);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 2, &ast), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &ast), 0);
	ck_assert_uint_eq(ast.tlb_entries, 0);

	/* without a trace ring nothing is recorded, but accesses count */
	(void)rd(GPUVM_MALI_GPU_ID);
	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, 0, &e), -ENOENT);

	/* injection arguments out of range */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_BUSY,
					       1, 1000001), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_BUSY,
					       2, 1), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_FLUSH_HANG,
					       0, 2), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_EVENT_JUMP,
					       0, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_EVENT_JUMP,
					       0, 1ull << 32), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF,
					       0, 2), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, (enum gpuvm_mali_sim_injection)99,
					       0, 0), -EINVAL);
	/* powering on a powered GPU changes nothing */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF,
					       0, 0), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0x72120000u);
	/* a bus fault only exists on JM; AS 2 is absent */
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 2, 0xC1, 0x1000, false),
			 -EINVAL);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* MMU: decoding, names, argument checks                                    */

START_TEST(test_mmu_decode_rejects)
{
	struct gpuvm_mali_gpu_info info;

	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000u, 0x2830, 0xFF, 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0, 0x2830, 0xFF, 0, &info), -ENODEV);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0xFFFFFFFFu, 0x2830, 0xFF, 0, &info),
			 -ENODEV);
	/* no address space among the 16 possible ones */
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000u, 0x2830, 0xFFFF0000u, 0,
					       &info), -ENODEV);
	/* VA and PA widths outside 32..48 bits */
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000u, 0x281F, 0xFF, 0, &info),
			 -ENODEV);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000u, 0x2831, 0xFF, 0, &info),
			 -ENODEV);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000u, 0x1F30, 0xFF, 0, &info),
			 -ENODEV);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000u, 0x3130, 0xFF, 0, &info),
			 -ENODEV);
	/* the widest and narrowest accepted widths; bits above AS 15 dropped */
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000u, 0x3020, 0x1FFFFu, 0,
					       &info), 0);
	ck_assert_uint_eq(info.va_bits, 32);
	ck_assert_uint_eq(info.pa_bits, 48);
	ck_assert_uint_eq(info.as_present, 0xFFFF);
	ck_assert_int_eq(gpuvm_mali_gpu_probe(NULL, &info), -EINVAL);
}
END_TEST

START_TEST(test_mmu_fault_names)
{
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_DELAYED_BUS_FAULT),
			 "GPU_BUS_FAULT");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_GPU_SHAREABILITY_FAULT),
			 "GPU_SHAREABILITY_FAULT");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_SYS_SHAREABILITY_FAULT),
			 "SYSTEM_SHAREABILITY_FAULT");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_GPU_CACHEABILITY_FAULT),
			 "GPU_CACHEABILITY_FAULT");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_TRANSLATION_FAULT(4)),
			 "TRANSLATION_FAULT_4");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_TRANSLATION_FAULT_IDENTITY),
			 "TRANSLATION_FAULT_IDENTITY");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_ADDR_SIZE_FAULT_IN(0)),
			 "ADDR_SIZE_FAULT_IN");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_ADDR_SIZE_FAULT_OUT(2)),
			 "ADDR_SIZE_FAULT_OUT_2");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_MEM_ATTR_FAULT(1)),
			 "MEM_ATTR_FAULT_1");
	ck_assert_str_eq(gpuvm_mali_fault_name(GPUVM_MALI_EXC_MEM_ATTR_NONCACHE(3)),
			 "MEM_ATTR_NONCACHE_3");
	/* holes in the MMU range and codes outside it */
	ck_assert_str_eq(gpuvm_mali_fault_name(0xC5), "UNKNOWN");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xCC), "UNKNOWN");	/* PERM lvl 4 */
	ck_assert_str_eq(gpuvm_mali_fault_name(0xF0), "UNKNOWN");	/* class 6 */
	ck_assert_str_eq(gpuvm_mali_fault_name(0xFF), "UNKNOWN");
	ck_assert_str_eq(gpuvm_mali_fault_name(0x40), "UNKNOWN");
	ck_assert_str_eq(gpuvm_mali_fault_name(0x1C0), "UNKNOWN");
}
END_TEST

START_TEST(test_mmu_lockaddr_whole_space)
{
	uint64_t v = 0;

	/* [0, 2^64 - 1): the region covers everything */
	ck_assert_int_eq(gpuvm_mali_lockaddr(0, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 63);
	/* a size running past the top is clamped to it */
	ck_assert_int_eq(gpuvm_mali_lockaddr(1ull << 47, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 63);
	/* the 32 KiB minimum, aligned down */
	ck_assert_int_eq(gpuvm_mali_lockaddr(0x12345000ull, 0x1000, &v), 0);
	ck_assert_uint_eq(v, 0x12340000ull | 14);
	ck_assert_int_eq(gpuvm_mali_lockaddr(0, 0, &v), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_lockaddr(0, 1, NULL), -EINVAL);
}
END_TEST

static struct gpuvm_mali_mmu *mmu;

static void mmu_start(enum gpuvm_mali_sim_family family)
{
	start(family);
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
}

static void mmu_finish(void)
{
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	fx_sim_destroy();
}

START_TEST(test_mmu_client_rejects)
{
	struct gpuvm_mali_as_client c;
	int as;

	mmu_start(GPUVM_MALI_SIM_CSF);
	gpuvm_mali_as_client_init(&c, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(NULL, &c), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(NULL, &c), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(NULL, &c, 0, 0x1000), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, NULL, 0, 0x1000), -EINVAL);
	/* end_update without a begin */
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(NULL, &c, NULL, 0), -EINVAL);
	/* unbinding an unbound client is a no-op */
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &c), 0);
	ck_assert_int_eq(c.as, -1);

	as = gpuvm_mali_mmu_bind(mmu, &c);
	ck_assert_int_ge(as, 0);
	/* CSF: begin_update locks the region; the slot cannot be disabled */
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x100000, 0x1000), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), -EBUSY);
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0, 0x1000), -EBUSY);
	ck_assert_int_eq(gpuvm_mali_mmu_as_disable(mmu, (unsigned int)as), -EBUSY);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, (unsigned int)as, NULL, NULL), 1);
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0), 0);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, (unsigned int)as, NULL, NULL), 0);
	/* rebinding a bound, healthy client keeps its slot */
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), as);
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &c), as);
	ck_assert_int_eq(c.as, -1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	mmu_finish();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Page tables and their memory                                             */

#define PG		0x1000ull
#define OUT_BASE	0x10000000ull

static struct gpuvm_mali_ptmem *mem;

/* The simulator as HAL, 64 page-table pages, 1 GiB of output range. */
static void pt_start(void)
{
	start(GPUVM_MALI_SIM_JM);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, 64 * PG), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, OUT_BASE,
							   0x40000000ull), 0);
}

static void pt_finish(void)
{
	gpuvm_mali_ptmem_destroy(mem);
	mem = NULL;
	fx_sim_destroy();
}

static struct gpuvm_mali_pgtable *pt_new(enum gpuvm_mali_pt_format format,
					 unsigned int ias)
{
	struct gpuvm_mali_pt_config cfg = { format, ias, 40, false };
	struct gpuvm_mali_pgtable *pt;

	ck_assert_int_eq(gpuvm_mali_pt_create(mem, &cfg, &pt), 0);
	return pt;
}

/* Map with a reservation sized by map_prepare. */
static void pt_map(struct gpuvm_mali_pgtable *pt, uint64_t va, uint64_t pa,
		   uint64_t size, unsigned int prot)
{
	struct gpuvm_mali_pt_reserve res = GPUVM_MALI_PT_RESERVE_INIT;
	size_t n = 0;

	ck_assert_int_eq(gpuvm_mali_pt_map_prepare(pt, va, pa, size, prot, &n), 0);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem, n), 0);
	ck_assert_int_eq(gpuvm_mali_pt_map(pt, va, pa, size, prot, &res), 0);
	gpuvm_mali_pt_reserve_release(&res);
}

static uint64_t pt_rd(uint64_t pa)
{
	return hal->ops->pt_read64(hal, pa);
}

static void pt_wr(uint64_t pa, uint64_t v)
{
	hal->ops->pt_write64(hal, pa, v);
	hal->ops->pt_sync(hal, pa, 8);
}

START_TEST(test_pt_create_rejects)
{
	struct gpuvm_mali_pt_config cfg = { GPUVM_MALI_PT_AARCH64_4K, 48, 48, false };
	struct gpuvm_mali_pgtable *pt = NULL;
	struct gpuvm_mali_ptmem *empty;

	pt_start();
	ck_assert_int_eq(gpuvm_mali_pt_create(NULL, &cfg, &pt), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_create(mem, NULL, &pt), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_create(mem, &cfg, NULL), -EINVAL);
#define PT_REJECT(f, i, o)						\
	do {								\
		struct gpuvm_mali_pt_config c_ = { (f), (i), (o), false }; \
		ck_assert_int_eq(gpuvm_mali_pt_create(mem, &c_, &pt), -EINVAL); \
	} while (0)
	PT_REJECT((enum gpuvm_mali_pt_format)2, 48, 40);
	PT_REJECT(GPUVM_MALI_PT_AARCH64_4K, 31, 40);
	PT_REJECT(GPUVM_MALI_PT_AARCH64_4K, 49, 40);
	PT_REJECT(GPUVM_MALI_PT_AARCH64_4K, 48, 31);
	PT_REJECT(GPUVM_MALI_PT_AARCH64_4K, 48, 49);
	PT_REJECT(GPUVM_MALI_PT_LPAE, 48, 41);
#undef PT_REJECT
	ck_assert_ptr_null(pt);

	/* the largest output sizes of both formats are accepted */
	ck_assert_int_eq(gpuvm_mali_pt_create(mem, &cfg, &pt), 0);
	gpuvm_mali_pt_destroy(pt);
	cfg.format = GPUVM_MALI_PT_LPAE;
	cfg.oas = 40;
	ck_assert_int_eq(gpuvm_mali_pt_create(mem, &cfg, &pt), 0);
	gpuvm_mali_pt_destroy(pt);

	/* no page for the root: nothing is left allocated */
	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &empty), 0);
	pt = NULL;
	ck_assert_int_eq(gpuvm_mali_pt_create(empty, &cfg, &pt), -ENOMEM);
	ck_assert_ptr_null(pt);
	gpuvm_mali_ptmem_destroy(empty);
	pt_finish();
}
END_TEST

/*
 * Descriptors the library never writes (a block at level 0, a level-3
 * entry of the wrong type) translate nothing, and an unmap that touches
 * them clears them whole and reports their whole range as touched.
 */
START_TEST(test_pt_malformed_entries)
{
	struct gpuvm_mali_pt_reserve res = GPUVM_MALI_PT_RESERVE_INIT;
	struct gpuvm_mali_pgtable *pt;
	struct gpuvm_mali_pt_entry e;
	struct gpuvm_mali_pt_range r;
	uint64_t root, l1, l2, l3, d;
	const uint64_t l0_span = 1ull << 39;
	size_t n = 99;

	pt_start();
	pt = pt_new(GPUVM_MALI_PT_AARCH64_4K, 48);
	root = gpuvm_mali_pt_root(pt);

	/* a block descriptor in L0 slot 1 */
	pt_wr(root + 8, OUT_BASE | GPUVM_MALI_PTE_TYPE_BLOCK);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(pt, l0_span + 0x5000, &e), -ENOENT);
	ck_assert_int_eq(gpuvm_mali_pt_unmap_prepare(pt, l0_span + 0x5000, PG,
						     &n, &r), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(r.start, l0_span);
	ck_assert_uint_eq(r.end, 2 * l0_span);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, l0_span + 0x5000, PG, &res, &r), 0);
	ck_assert_uint_eq(r.start, l0_span);
	ck_assert_uint_eq(r.end, 2 * l0_span);
	ck_assert_uint_eq(pt_rd(root + 8), 0);

	/* a level-3 entry with the block type */
	pt_map(pt, 0x3000, OUT_BASE + 0x7000, PG, GPUVM_MALI_PT_READ);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(pt, 0x3000, &e), 0);
	ck_assert_uint_eq(e.pa, OUT_BASE + 0x7000);
	ck_assert_uint_eq(e.prot, GPUVM_MALI_PT_READ);
	l1 = pt_rd(root) & 0xFFFFFFFFF000ull;
	l2 = pt_rd(l1) & 0xFFFFFFFFF000ull;
	l3 = pt_rd(l2) & 0xFFFFFFFFF000ull;
	d = pt_rd(l3 + 3 * 8);
	ck_assert_uint_eq(d, e.desc);
	pt_wr(l3 + 3 * 8, d & ~2ull);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(pt, 0x3000, &e), -ENOENT);
	ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, 0x3000, PG, &res, &r), 0);
	ck_assert_uint_eq(r.start, 0x3000);
	ck_assert_uint_eq(r.end, 0x4000);
	ck_assert_uint_eq(pt_rd(l3 + 3 * 8), 0);
	gpuvm_mali_pt_reserve_release(&res);
	gpuvm_mali_pt_destroy(pt);
	pt_finish();
}
END_TEST

/* LPAE: a table descriptor at level 3 is malformed; write-only leaves. */
START_TEST(test_pt_lpae_corners)
{
	struct gpuvm_mali_pgtable *pt;
	struct gpuvm_mali_pt_entry e;
	uint64_t t, d;
	unsigned int lvl;

	pt_start();
	pt = pt_new(GPUVM_MALI_PT_LPAE, 48);
	pt_map(pt, 0x200000, OUT_BASE, PG, GPUVM_MALI_PT_WRITE);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(pt, 0x200000, &e), 0);
	ck_assert_uint_eq(e.prot, GPUVM_MALI_PT_WRITE);
	ck_assert_uint_eq(e.desc & GPUVM_MALI_PTE_LPAE_READ, 0);
	ck_assert_uint_ne(e.desc & GPUVM_MALI_PTE_LPAE_WRITE, 0);
	ck_assert_uint_eq(e.level, 3);

	/* four levels from L0: VA 0x200000 is slot 0, 0, 1, 0 */
	t = gpuvm_mali_pt_root(pt);
	for (lvl = 0; lvl < 3; lvl++)
		t = pt_rd(t + (lvl == 2 ? 8 : 0)) & 0xFFFFFFFFF000ull;
	d = pt_rd(t);
	ck_assert_uint_eq(d, e.desc);
	pt_wr(t, d | GPUVM_MALI_PTE_TYPE_TABLE);
	ck_assert_int_eq(gpuvm_mali_pt_lookup(pt, 0x200000, &e), -ENOENT);
	/* the lookup range is checked against ias */
	ck_assert_int_eq(gpuvm_mali_pt_lookup(pt, 1ull << 48, &e), -ERANGE);
	gpuvm_mali_pt_destroy(pt);
	pt_finish();
}
END_TEST

START_TEST(test_pt_helpers_rejects)
{
	uint64_t v = 1;

	/* roots beyond 48 bits have no TRANSTAB encoding */
	ck_assert_int_eq(gpuvm_mali_pt_transtab_encode(GPUVM_MALI_PT_AARCH64_4K,
						       1ull << 48, false, &v), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_transtab_encode(GPUVM_MALI_PT_LPAE,
						       1ull << 48, false, &v), -EINVAL);
	ck_assert_uint_eq(v, 1);
	ck_assert_uint_eq(gpuvm_mali_pt_unmap_reserve_pages(0x1000, 0), 0);
}
END_TEST

START_TEST(test_ptmem_rejects)
{
	struct gpuvm_mali_pt_reserve res = GPUVM_MALI_PT_RESERVE_INIT;
	struct gpuvm_mali_ptmem *other;
	uint64_t pa;

	pt_start();
	ck_assert_int_eq(gpuvm_mali_ptmem_create(NULL, &other), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, NULL), -EINVAL);

	/* pools: empty, unaligned, wrapping, overlapping a pool or output */
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE + 64 * PG, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE + 64 * PG + 8, PG),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE + 64 * PG, PG + 8),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, UINT64_MAX - PG + 1, PG),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE + 63 * PG, 2 * PG),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, OUT_BASE + PG, PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(NULL, PT_BASE + 64 * PG, PG),
			 -EINVAL);
	/* output ranges may not cover page-table pages */
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, PT_BASE, PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, 0, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(NULL, 0, PG), -EINVAL);

	ck_assert(!gpuvm_mali_ptmem_output_ok(NULL, OUT_BASE, PG));
	ck_assert(!gpuvm_mali_ptmem_output_ok(mem, OUT_BASE, 0));
	ck_assert(!gpuvm_mali_ptmem_output_ok(mem, UINT64_MAX - PG + 1, 2 * PG));
	ck_assert(gpuvm_mali_ptmem_output_ok(mem, OUT_BASE, PG));

	/* freeing a page that was never handed out is refused */
	gpuvm_mali_ptmem_free(mem, PT_BASE + 5 * PG);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_int_eq(gpuvm_mali_ptmem_alloc(mem, &pa), 0);
	gpuvm_mali_ptmem_free(mem, pa + 8);
	ck_assert_int_eq(ts_warn_count(), 2);
	gpuvm_mali_ptmem_free(mem, pa);
	ck_assert_int_eq(ts_warn_count(), 2);

	/* a reservation belongs to the memory it was filled from */
	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &other), 0);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem, 2), 0);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, other, 3), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, NULL, 3), -EINVAL);
	ck_assert_uint_eq(res.count, 2);
	/* asking for fewer than held keeps them */
	ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem, 1), 0);
	ck_assert_uint_eq(res.count, 2);
	gpuvm_mali_pt_reserve_release(&res);
	gpuvm_mali_ptmem_destroy(other);
	pt_finish();
}
END_TEST

/* ------------------------------------------------------------------------ */
/* VMs on page tables                                                       */

#define VA_BASE		0x40000000ull

static struct gpuvm_mali_vm *mvm;

/* pt_start() plus an MMU and a VM of 4 GiB at 1 MiB, unbound. */
static void vm_start(void)
{
	struct gpuvm_mali_vm_config vcfg;

	pt_start();
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.name = "edges";
	vcfg.va_start = 0x100000;
	vcfg.va_range = 0x100000000ull;
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &vcfg, &mvm), 0);
}

static void vm_finish(void)
{
	gpuvm_mali_vm_destroy(mvm);
	mvm = NULL;
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	pt_finish();
}

START_TEST(test_vm_create_rejects)
{
	struct gpuvm_mali_vm_config c;
	struct gpuvm_mali_vm *v = NULL;
	struct gpuvm_mali_ptmem *empty;

	pt_start();
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
	memset(&c, 0, sizeof(c));
	c.va_start = 0x100000;
	c.va_range = 0x100000;
	ck_assert_int_eq(gpuvm_mali_vm_create(NULL, mem, &c, &v), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, NULL, &c, &v), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, NULL, &v), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &c, NULL), -EINVAL);
#define VM_REJECT(field, value)						\
	do {								\
		struct gpuvm_mali_vm_config c_ = c;			\
		c_.field = (value);					\
		ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &c_, &v), -EINVAL); \
	} while (0)
	VM_REJECT(va_range, 0);
	VM_REJECT(va_start, 0x100800);
	VM_REJECT(va_range, 0x100800);
	VM_REJECT(va_start, UINT64_MAX - 0xFFFFF);		/* wraps */
	VM_REJECT(reserve_start, 0x100010);
	VM_REJECT(reserve_range, 0x10);
	VM_REJECT(default_prot, GPUVM_MALI_PT_NOEXEC);		/* no access */
	VM_REJECT(default_prot, GPUVM_MALI_PT_READ | (1u << 9));
	VM_REJECT(va_start, 1ull << 48);			/* beyond 48 VA bits */
#undef VM_REJECT
	ck_assert_ptr_null(v);

	/* no page for the root table: nothing stays allocated */
	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &empty), 0);
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, empty, &c, &v), -ENOMEM);
	ck_assert_ptr_null(v);
	gpuvm_mali_ptmem_destroy(empty);
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	pt_finish();
}
END_TEST

START_TEST(test_vm_bo_init_rejects)
{
	struct gpuvm_mali_bo bo;

	ck_assert_int_eq(gpuvm_mali_bo_init(NULL, OUT_BASE, PG, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, OUT_BASE, 0, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, OUT_BASE + 8, PG, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, OUT_BASE, PG + 8, NULL), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, UINT64_MAX - PG + 1, 2 * PG, NULL),
			 -EINVAL);
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, OUT_BASE, PG, NULL), 0);
	ck_assert_uint_eq(bo.pa, OUT_BASE);
	ck_assert_uint_eq(bo.size, PG);
	gpuvm_mali_bo_fini(&bo);
	gpuvm_mali_bo_fini(NULL);
}
END_TEST

/* Unbind gives the slot back; the tables stay and a rebind uses them. */
START_TEST(test_vm_unbind_rebind)
{
	struct gpuvm_mali_bo bo;
	uint64_t pa = 0;
	int as;

	vm_start();
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, OUT_BASE, 4 * PG, NULL), 0);
	/* mapping while unbound only edits the tables */
	ck_assert_int_eq(gpuvm_mali_vm_map(mvm, VA_BASE, 4 * PG, &bo, 0,
					   GPUVM_MALI_VM_PROT_DEFAULT), 0);
	ck_assert_int_eq(gpuvm_mali_vm_unbind(mvm), 0);
	as = gpuvm_mali_vm_bind(mvm);
	ck_assert_int_ge(as, 0);
	ck_assert_int_eq(gpuvm_mali_vm_as(mvm), as);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, (unsigned int)as, VA_BASE + PG + 8,
					       GPUVM_MALI_SIM_READ, 0, &pa),
			 GPUVM_MALI_SIM_OK);
	ck_assert_uint_eq(pa, OUT_BASE + PG + 8);

	ck_assert_int_eq(gpuvm_mali_vm_unbind(mvm), as);
	ck_assert_int_eq(gpuvm_mali_vm_as(mvm), -1);
	/* the slot no longer points at the tables */
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(as, TRANSTAB_LO)), 0);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(as, TRANSCFG_LO)),
			  GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_vm_unbind(mvm), 0);
	/* the translation is still in the tables */
	ck_assert_int_eq(gpuvm_mali_vm_translate(mvm, VA_BASE + 3 * PG, &pa), 0);
	ck_assert_uint_eq(pa, OUT_BASE + 3 * PG);
	ck_assert_int_eq(gpuvm_mali_vm_translate(mvm, VA_BASE + 3 * PG, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(mvm, VA_BASE, 4 * PG), 0);
	vm_finish();
	gpuvm_mali_bo_fini(&bo);
}
END_TEST

START_TEST(test_vm_request_rejects)
{
	struct gpuvm_mali_vm_stats st;
	struct gpuvm_mali_bo far, bo;

	vm_start();
	ck_assert_int_eq(gpuvm_mali_bo_init(&bo, OUT_BASE, 4 * PG, NULL), 0);
	/* an object whose end is beyond the 40 PA bits */
	ck_assert_int_eq(gpuvm_mali_bo_init(&far, (1ull << 40) - PG, 2 * PG, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_vm_map(NULL, VA_BASE, PG, &bo, 0,
					   GPUVM_MALI_PT_READ), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(NULL, VA_BASE, PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_madvise(NULL, VA_BASE, PG), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(mvm, VA_BASE, 2 * PG, &far, 0,
					   GPUVM_MALI_PT_READ), -ERANGE);
	/* an offset past the object, a range past its end */
	ck_assert_int_eq(gpuvm_mali_vm_map(mvm, VA_BASE, PG, &bo, 5 * PG,
					   GPUVM_MALI_PT_READ), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_map(mvm, VA_BASE, 2 * PG, &bo, 3 * PG,
					   GPUVM_MALI_PT_READ), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(mvm, VA_BASE, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_vm_madvise(mvm, VA_BASE + 8, PG), -EINVAL);
	gpuvm_mali_vm_stats(mvm, &st);
	ck_assert_uint_eq(st.failed, 5);
	ck_assert_uint_eq(st.requests, 0);
	ck_assert_uint_eq(st.pages_mapped, 0);
	ck_assert_int_eq(gpuvm_mali_vm_translate(mvm, VA_BASE, NULL), -ENOENT);

	/* prot of a mapped page, of a hole */
	ck_assert_int_eq(gpuvm_mali_vm_map(mvm, VA_BASE, PG, &bo, 0,
					   GPUVM_MALI_PT_READ), 0);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(mvm, VA_BASE), GPUVM_MALI_PT_READ);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(mvm, VA_BASE + PG), 0);
	ck_assert_int_eq(gpuvm_mali_vm_unmap(mvm, VA_BASE, PG), 0);
	vm_finish();
	gpuvm_mali_bo_fini(&far);
	gpuvm_mali_bo_fini(&bo);
}
END_TEST

/* The reserved region has no protection and cannot be looked up as a VA. */
START_TEST(test_vm_reserved_prot)
{
	struct gpuvm_mali_vm_config c;
	struct gpuvm_mali_vm *v;

	pt_start();
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
	memset(&c, 0, sizeof(c));
	c.va_start = 0x100000;
	c.va_range = 0x10000000;
	c.reserve_start = 0x200000;
	c.reserve_range = 0x100000;
	ck_assert_int_eq(gpuvm_mali_vm_create(mmu, mem, &c, &v), 0);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(v, 0x200000), 0);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(v, 0x2FF000), 0);
	ck_assert_uint_eq(gpuvm_mali_vm_prot(v, 0x100000), 0);
	ck_assert_uint_eq(gpuvm_va_count(gpuvm_mali_vm_gpuvm(v)), 0);
	gpuvm_mali_vm_destroy(v);
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	pt_finish();
}
END_TEST

static Suite *edges_suite(void)
{
	Suite *s = suite_create("mali_edges");
	TCase *tc;

	tc = tcase_create("sim");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sim_id_registers);
	tcase_add_test(tc, test_sim_gpu_irq_mask);
	tcase_add_test(tc, test_sim_as_registers);
	tcase_add_test(tc, test_sim_bad_registers);
	tcase_add_test(tc, test_sim_violation_log_grows);
	tcase_add_test(tc, test_sim_violation_names);
	tcase_add_test(tc, test_sim_jm_commands);
	tcase_add_test(tc, test_sim_csf_commands);
	tcase_add_test(tc, test_sim_flush_immediate);
	tcase_add_test(tc, test_sim_config_rejected);
	tcase_add_test(tc, test_sim_inspection_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("mmu");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mmu_decode_rejects);
	tcase_add_test(tc, test_mmu_fault_names);
	tcase_add_test(tc, test_mmu_lockaddr_whole_space);
	tcase_add_test(tc, test_mmu_client_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("pgtable");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pt_create_rejects);
	tcase_add_test(tc, test_pt_malformed_entries);
	tcase_add_test(tc, test_pt_lpae_corners);
	tcase_add_test(tc, test_pt_helpers_rejects);
	tcase_add_test(tc, test_ptmem_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("vm");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vm_create_rejects);
	tcase_add_test(tc, test_vm_bo_init_rejects);
	tcase_add_test(tc, test_vm_unbind_rebind);
	tcase_add_test(tc, test_vm_request_rejects);
	tcase_add_test(tc, test_vm_reserved_prot);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(edges_suite());
}
