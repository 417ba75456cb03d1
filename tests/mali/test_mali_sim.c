// SPDX-License-Identifier: MIT
/*
 * The simulated Mali MMU, driven only through the HAL: page tables are
 * built by hand with pt_write64() from the descriptor values of
 * docs/test-cases.md (T13-T21), address spaces are enabled with register writes
 * and AS_COMMAND_UPDATE, and the GPU side is exercised with
 * gpuvm_mali_sim_access().  Its vectors are marked "Tn".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>

#include "../support.h"
#include "sim_fixture.h"

/* AArch64 tables (T18 puts the L2 table at 0x80001000). */
#define A64_L0			0x80003000ull
#define A64_L1			0x80002000ull
#define A64_L2			0x80001000ull
#define A64_L3			0x80004000ull
/* Mali-LPAE tables */
#define LP_L0			0x80010000ull
#define LP_L1			0x80011000ull
#define LP_L2			0x80012000ull
#define LP_L3			0x80013000ull

#define TRANSCFG_VA48		0x00000000420001C6ull	/* T25 */
#define MEMATTR_A64		0x4C4C4C4C8C4C8F4Cull	/* T27 */
#define MEMATTR_LPAE		0x0000000000888D88ull	/* T28 */

/* A simulator with 1 MiB of page-table memory. */
static void start_cfg(const struct gpuvm_mali_sim_config *cfg)
{
	fx_sim_create(cfg, MiB);
}

static void start(enum gpuvm_mali_sim_family family)
{
	fx_sim_create_family(family, MiB);
}

static void pte(uint64_t pa, uint64_t v)
{
	hal->ops->pt_write64(hal, pa, v);
}

static uint64_t now(void)
{
	return hal->ops->now_ns(hal);
}

/* The drivers' wait_ready: 10 us polls, 100 ms timeout (virtual time). */
static int wait_ready(unsigned int as)
{
	uint64_t t0 = now();

	while (rd(REG(as, STATUS)) & GPUVM_MALI_AS_STATUS_ACTIVE) {
		if (now() - t0 >= 100000000ull)
			return -ETIMEDOUT;
		hal->ops->sleep_us(hal, 10);
	}
	return 0;
}

static void as_cmd(unsigned int as, uint32_t cmd)
{
	ck_assert_int_eq(wait_ready(as), 0);
	wr(REG(as, COMMAND), cmd);
	ck_assert_int_eq(wait_ready(as), 0);
}

static void as_enable(unsigned int as, uint64_t transtab, uint64_t memattr,
		      uint64_t transcfg)
{
	gpuvm_mali_wr64(hal, REG(as, TRANSTAB_LO), transtab);
	gpuvm_mali_wr64(hal, REG(as, MEMATTR_LO), memattr);
	gpuvm_mali_wr64(hal, REG(as, TRANSCFG_LO), transcfg);
	as_cmd(as, GPUVM_MALI_AS_COMMAND_UPDATE);
}

static void as_lock(unsigned int as, uint64_t lockaddr)
{
	ck_assert_int_eq(wait_ready(as), 0);
	gpuvm_mali_wr64(hal, REG(as, LOCKADDR_LO), lockaddr);
	as_cmd(as, GPUVM_MALI_AS_COMMAND_LOCK);
}

/* CSF GPU_CONTROL cache flush: command, poll bit 17, clear it. */
static int gpu_flush(uint32_t cmd)
{
	unsigned int reads = 0;

	wr(GPUVM_MALI_GPU_CMD, cmd);
	while (!(rd(GPUVM_MALI_GPU_INT_RAWSTAT) &
		 GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED)) {
		if (++reads > 1000)
			return -ETIMEDOUT;
	}
	wr(GPUVM_MALI_GPU_INT_CLEAR, GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	return (int)reads;
}

/* Acknowledge a latched fault: clear its IRQ bits and UNLOCK (un-stall). */
static void fault_ack(unsigned int as)
{
	wr(GPUVM_MALI_MMU_INT_CLEAR, GPUVM_MALI_MMU_IRQ_FAULT(as) |
	   GPUVM_MALI_MMU_IRQ_BUS_FAULT(as));
	as_cmd(as, GPUVM_MALI_AS_COMMAND_UNLOCK);
}

static int gaccess(unsigned int as, uint64_t va, enum gpuvm_mali_sim_access_kind k,
		  uint64_t *pa)
{
	return gpuvm_mali_sim_access(sim, as, va, k, 0, pa);
}

/* Expect a freshly latched fault with FAULTSTATUS @status at @va. */
static void expect_fault(unsigned int as, uint64_t va,
			 enum gpuvm_mali_sim_access_kind k, uint32_t status)
{
	ck_assert_int_eq(gaccess(as, va, k, NULL), GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(as, FAULTSTATUS)), status);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(as, FAULTADDRESS_LO)), va);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(as, FAULTEXTRA_LO)), 0);
	ck_assert(rd(GPUVM_MALI_MMU_INT_RAWSTAT) & GPUVM_MALI_MMU_IRQ_FAULT(as));
	fault_ack(as);
}

static void expect_ok(unsigned int as, uint64_t va,
		      enum gpuvm_mali_sim_access_kind k, uint64_t want)
{
	uint64_t pa = 0;

	if (gaccess(as, va, k, &pa) != GPUVM_MALI_SIM_OK)
		ck_abort_msg("VA 0x%llx: FAULTSTATUS 0x%x", (unsigned long long)va,
			     rd(REG(as, FAULTSTATUS)));
	ck_assert_uint_eq(pa, want);
}

static size_t nviol(enum gpuvm_mali_sim_violation_code code)
{
	return gpuvm_mali_sim_violation_count_code(sim, code);
}

/*
 * AArch64 4K tables, 48-bit VA:
 *   0x10000  T13 RW cached exec        -> 0x80000000
 *   0x11000  T15 RO cached no-exec     -> 0x80000000
 *   0x12000  T14 RW cached no-exec     -> 0x80000000
 *   0x13000  T16 RW uncached no-exec   -> 0x80000000
 *   0x200000 T17 2M block              -> 0x80200000
 *   0x40000000 1G block                -> 0x40000000
 */
static void build_a64(void)
{
	pte(A64_L0, 0x0000000080002003ull);		/* T18 coherent form */
	pte(A64_L1, 0x0080000080001003ull);		/* T18 non-coherent form */
	pte(A64_L1 + 8, 0x0000000040000F45ull);		/* 1G block */
	pte(A64_L2, A64_L3 | 3);
	pte(A64_L2 + 8, 0x0060000080200F45ull);		/* T17 */
	pte(A64_L3 + 16 * 8, 0x0000000080000F47ull);	/* T13 */
	pte(A64_L3 + 17 * 8, 0x0060000080000FC7ull);	/* T15 */
	pte(A64_L3 + 18 * 8, 0x0060000080000F47ull);	/* T14 */
	pte(A64_L3 + 19 * 8, 0x0060000080000E43ull);	/* T16 */
	hal->ops->barrier(hal);
}

static void enable_a64(unsigned int as)
{
	as_enable(as, A64_L0, MEMATTR_A64, TRANSCFG_VA48);
}

/*
 * Mali-LPAE tables:
 *   0x10000  T19 RW cached             -> 0x80000000
 *   0x11000  T20 RO cached no-exec     -> 0x80000000
 *   0x12000  0b11 at L3 (invalid for LPAE)
 *   0x200000 T21 2M block              -> 0x80200000
 *   0x8000000000 0b01 at L0 (invalid)
 */
static void build_lpae(void)
{
	pte(LP_L0, LP_L1 | 3);
	pte(LP_L0 + 8, 0x0000000080000001ull);
	pte(LP_L1, LP_L2 | 3);
	pte(LP_L2, LP_L3 | 3);
	pte(LP_L2 + 8, 0x00000000802002C5ull);		/* T21 */
	pte(LP_L3 + 16 * 8, 0x00000000800002C5ull);	/* T19 */
	pte(LP_L3 + 17 * 8, 0x0060000080000245ull);	/* T20 */
	pte(LP_L3 + 18 * 8, 0x0000000080000007ull);
	hal->ops->barrier(hal);
}

/* ---------------------------------------------------------------------- */

START_TEST(test_create)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_hal other = { 0 };
	struct gpuvm_mali_sim *s = NULL;
	uint64_t v;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.mmu_features = 0x2818;	/* 24-bit VA */
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.as_present = 0;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	cfg.as_present = 0x10001;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.formats = 0;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	/* the documented capacity limits */
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.tlb_capacity = 65537;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.busy_reads = 1000001;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.flush_reads = 1000001;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.ptw_cache_lines = (1u << 20) + 1;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.trace_capacity = (1u << 24) + 1;
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &s), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_create(NULL, &s), -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(ts_alloc_live(), 0);

	start(GPUVM_MALI_SIM_CSF);
	ck_assert_ptr_eq(gpuvm_mali_sim_from_hal(hal), sim);
	ck_assert_ptr_null(gpuvm_mali_sim_from_hal(&other));
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, 0x1000800, 0x1000), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, 0x1000000, 0), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, 1ull << 48, 0x1000), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, PT_BASE + MiB - 0x1000,
						   0x2000), -EEXIST);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, PT_BASE + MiB, 0x2000), 0);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, PT_BASE + MiB + 8, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, 0x1000, &v), -EFAULT);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, PT_BASE + 4, &v), -EINVAL);
	ck_assert_uint_eq(now(), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_create_nomem)
{
	struct gpuvm_mali_sim_config cfg;
	unsigned long n;
	int ret = -ENOMEM;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	for (n = 1; ret == -ENOMEM; n++) {
		ts_alloc_fail_at(n, 0);
		ret = gpuvm_mali_sim_create(&cfg, &sim);
		if (ret == -ENOMEM)
			ck_assert_int_eq(ts_alloc_live(), 0);
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_gt(n, 3);
	for (ret = -ENOMEM, n = 1; ret == -ENOMEM; n++) {
		long live = ts_alloc_live();

		ts_alloc_fail_at(n, 0);
		ret = gpuvm_mali_sim_add_memory(sim, PT_BASE, MiB);
		if (ret == -ENOMEM)
			ck_assert_int_eq(ts_alloc_live(), live);
	}
	ck_assert_int_eq(ret, 0);
	ts_alloc_fail_at(0, 0);
	fx_sim_destroy();
}
END_TEST

/* T25/T26/T33/T34 and the read-only ID registers. */
START_TEST(test_registers)
{
	start(GPUVM_MALI_SIM_CSF);
	ck_assert_uint_eq(GPUVM_MALI_AS_REG(3, GPUVM_MALI_AS_COMMAND), 0x24D8);
	ck_assert_uint_eq(GPUVM_MALI_AS_REG(3, GPUVM_MALI_AS_STATUS), 0x24E8);
	ck_assert_uint_eq(GPUVM_MALI_AS_REG(3, GPUVM_MALI_AS_TRANSCFG_LO), 0x24F0);
	ck_assert_uint_eq(GPUVM_MALI_AS_REG(3, GPUVM_MALI_AS_LOCKADDR_LO), 0x24D0);
	ck_assert_uint_eq(GPUVM_MALI_AS_REG(3, GPUVM_MALI_AS_FAULTSTATUS), 0x24DC);
	ck_assert_uint_eq(GPUVM_MALI_AS_REG(3, GPUVM_MALI_AS_FAULTADDRESS_LO), 0x24E0);
	ck_assert_uint_eq(GPUVM_MALI_AS(15), 0x27C0);
	ck_assert_uint_eq(GPUVM_MALI_CSF_FLUSH_CACHES(3, 0, 0), 0x304);
	ck_assert_uint_eq(GPUVM_MALI_CSF_FLUSH_CACHES(3, 3, 0), 0x3304);
	ck_assert_uint_eq(GPUVM_MALI_CSF_FLUSH_CACHES(3, 3, 2), 0x23304);
	ck_assert_uint_eq(GPUVM_MALI_TRANSCFG_PTW_MEMATTR_WB | GPUVM_MALI_TRANSCFG_PTW_RA |
			  GPUVM_MALI_TRANSCFG_ADRMODE_AARCH64_4K |
			  GPUVM_MALI_TRANSCFG_INA_BITS(48), 0x420001C6);
	ck_assert_uint_eq(GPUVM_MALI_TRANSCFG_PTW_MEMATTR_WB | GPUVM_MALI_TRANSCFG_PTW_RA |
			  GPUVM_MALI_TRANSCFG_PTW_SH_OS |
			  GPUVM_MALI_TRANSCFG_ADRMODE_AARCH64_4K |
			  GPUVM_MALI_TRANSCFG_INA_BITS(48), 0x620001C6);
	ck_assert_uint_eq(GPUVM_MALI_TRANSCFG_INA_BITS(40) | 0x42000006, 0x420003C6);
	ck_assert_uint_eq(GPUVM_MALI_TRANSCFG_INA_BITS(39) | 0x42000006, 0x42000406);
	ck_assert_uint_eq(GPUVM_MALI_FAULTSTATUS(GPUVM_MALI_EXC_TRANSLATION_FAULT(3),
						 GPUVM_MALI_ACCESS_READ, 0), 0x2C3);

	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0xA8670000u);
	ck_assert_uint_eq(GPUVM_MALI_GPU_ARCH_MAJOR(0xA8670000u), 10);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_FEATURES), 0x2830);
	ck_assert_uint_eq(rd(GPUVM_MALI_AS_PRESENT), 0xFF);
	ck_assert_uint_eq(rd(GPUVM_MALI_COHERENCY_FEATURES), 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_COHERENCY_PROTOCOL), GPUVM_MALI_COHERENCY_NONE);
	wr(GPUVM_MALI_COHERENCY_PROTOCOL, GPUVM_MALI_COHERENCY_ACE_LITE);
	ck_assert_uint_eq(rd(GPUVM_MALI_COHERENCY_PROTOCOL), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 0);
	wr(GPUVM_MALI_L2_PWRON_LO, 1);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 1);

	/* Staged registers read back; the walker is unaffected until UPDATE. */
	gpuvm_mali_wr64(hal, REG(3, TRANSTAB_LO), 0x0000001280000000ull);
	gpuvm_mali_wr64(hal, REG(3, MEMATTR_LO), MEMATTR_A64);
	gpuvm_mali_wr64(hal, REG(3, TRANSCFG_LO), TRANSCFG_VA48);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(3, TRANSTAB_LO)), 0x0000001280000000ull);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(3, MEMATTR_LO)), MEMATTR_A64);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(3, TRANSCFG_LO)), TRANSCFG_VA48);
	ck_assert_uint_eq(rd(REG(3, STATUS)), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);

	wr(GPUVM_MALI_GPU_ID, 1);			/* read-only */
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0xA8670000u);
	wr(REG(3, FAULTSTATUS), 1);			/* read-only */
	(void)rd(REG(3, COMMAND));			/* write-only */
	(void)rd(REG(8, STATUS));			/* AS 8 absent */
	(void)rd(0x1002);				/* misaligned */
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_REGISTER), 4 + 1);
	ck_assert_str_eq(gpuvm_mali_sim_violation_name(GPUVM_MALI_SIM_V_BAD_REGISTER),
			 "BAD_REGISTER");
	ck_assert_str_eq(gpuvm_mali_sim_violation_name(0), "UNKNOWN");
	gpuvm_mali_sim_violation_clear(sim);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	ck_assert_ptr_null(gpuvm_mali_sim_violation_get(sim, 0));
	fx_sim_destroy();
}
END_TEST

/* T42: translations through the TLB and the walker. */
START_TEST(test_translate_a64)
{
	struct gpuvm_mali_sim_as_stats st;
	uint64_t pa;
	uint32_t fault;

	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	enable_a64(1);

	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.tlb_misses, 1);
	ck_assert_uint_eq(st.tlb_hits, 0);
	ck_assert_uint_eq(st.tlb_entries, 1);
	expect_ok(1, 0x10ABC, GPUVM_MALI_SIM_WRITE, 0x80000ABC);
	expect_ok(1, 0x10008, GPUVM_MALI_SIM_EXEC, 0x80000008);
	expect_ok(1, 0x10010, GPUVM_MALI_SIM_ATOMIC, 0x80000010);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.tlb_misses, 1);
	ck_assert_uint_eq(st.tlb_hits, 3);

	expect_ok(1, 0x11234, GPUVM_MALI_SIM_READ, 0x80000234);
	expect_ok(1, 0x12000, GPUVM_MALI_SIM_WRITE, 0x80000000);
	expect_ok(1, 0x13000, GPUVM_MALI_SIM_WRITE, 0x80000000);
	expect_ok(1, 0x212345, GPUVM_MALI_SIM_READ, 0x80212345);
	expect_ok(1, 0x3FFFF8, GPUVM_MALI_SIM_WRITE, 0x803FFFF8);
	expect_ok(1, 0x40001234, GPUVM_MALI_SIM_EXEC, 0x40001234);
	expect_ok(1, 0x7FFFFFF0, GPUVM_MALI_SIM_READ, 0x7FFFFFF0);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.tlb_entries, 6);
	ck_assert_uint_eq(st.faults, 0);

	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x212345, GPUVM_MALI_SIM_READ,
						    &pa, &fault), 0);
	ck_assert_uint_eq(pa, 0x80212345);
	ck_assert_uint_eq(fault, 0);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x11000, GPUVM_MALI_SIM_WRITE,
						    &pa, &fault), 1);
	ck_assert_uint_eq(fault, 0xCB);
	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, 1, 0x10000, 0x400000), 0);
	/* The AS on which nothing was enabled is unmapped. */
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 2, 0x10000, GPUVM_MALI_SIM_READ,
						    &pa, &fault), 1);
	ck_assert_uint_eq(fault, 0xC0);
	ck_assert_int_eq(gaccess(9, 0x10000, GPUVM_MALI_SIM_READ, NULL), -EINVAL);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* T43 then T44 and T52 on a JM GPU: stale TLB, then the proper sequence. */
START_TEST(test_stale_tlb_then_flush)
{
	static const struct { uint32_t off; uint32_t val; } want[] = {
		{ GPUVM_MALI_AS(1) + GPUVM_MALI_AS_LOCKADDR_LO, 0x0001000E },
		{ GPUVM_MALI_AS(1) + GPUVM_MALI_AS_LOCKADDR_HI, 0 },
		{ GPUVM_MALI_AS(1) + GPUVM_MALI_AS_COMMAND, GPUVM_MALI_AS_COMMAND_LOCK },
		{ GPUVM_MALI_AS(1) + GPUVM_MALI_AS_COMMAND, GPUVM_MALI_AS_COMMAND_FLUSH_PT },
	};
	struct gpuvm_mali_sim_trace_entry e;
	struct gpuvm_mali_sim_as_stats st;
	uint64_t pa, mark, i;
	unsigned int w = 0;

	start(GPUVM_MALI_SIM_JM);
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);

	/* Unmap without any flush: the TLB still translates. */
	pte(A64_L3 + 16 * 8, 0);
	hal->ops->barrier(hal);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x10000, GPUVM_MALI_SIM_READ,
						    &pa, NULL), 1);
	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, 1, 0x10000, 0x1000), 1);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_STALE_TLB), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_get(sim, 0)->code,
			  GPUVM_MALI_SIM_V_STALE_TLB);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_get(sim, 0)->addr, 0x10000);
	gpuvm_mali_sim_violation_clear(sim);

	/* JM commit: LOCK (0x10000, 0x1000) + FLUSH_PT (T52). */
	mark = gpuvm_mali_sim_trace_count(sim);
	as_lock(1, 0x1000E);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_FLUSH_PT);
	for (i = mark; i < gpuvm_mali_sim_trace_count(sim); i++) {
		ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, i, &e), 0);
		ck_assert_uint_eq(e.index, i);
		if (!e.write) {
			ck_assert_uint_eq(e.offset, GPUVM_MALI_AS(1) + GPUVM_MALI_AS_STATUS);
			continue;
		}
		ck_assert_uint_lt(w, 4);
		ck_assert_uint_eq(e.offset, want[w].off);
		ck_assert_uint_eq(e.value, want[w].val);
		w++;
	}
	ck_assert_uint_eq(w, 4);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, NULL, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, 1, 0x10000, 0x4000), 0);

	/* T44: now it faults, with the exact encoding, on RAWSTAT bit 1. */
	ck_assert_int_eq(gaccess(1, 0x10000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(1, FAULTSTATUS)), 0x000002C3);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(1, FAULTADDRESS_LO)), 0x10000);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT), 0x2);

	/* The AS is stalled: later faults are counted, not latched. */
	ck_assert_int_eq(gaccess(1, 0x11000, GPUVM_MALI_SIM_WRITE, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(gaccess(1, 0x12000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(1, FAULTSTATUS)), 0x000002C3);
	/* Clearing alone does not un-stall; an UNLOCK afterwards does. */
	wr(GPUVM_MALI_MMU_INT_CLEAR, 0x00020002);
	ck_assert_int_eq(gaccess(1, 0x12000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.faults, 1);
	ck_assert_uint_eq(st.secondary_faults, 3);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	expect_ok(1, 0x12000, GPUVM_MALI_SIM_READ, 0x80000000);
	expect_fault(1, 0x10000, GPUVM_MALI_SIM_WRITE, 0x000003C3);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* T46, T47, T48 and the other AArch64 fault types. */
START_TEST(test_faults_a64)
{
	uint64_t memattr = 0x4C4C4C4C8CC88F4Cull;	/* slot 2 = FAULT type */

	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	pte(A64_L3 + 20 * 8, 0x0000000080000B47ull);	/* AF clear */
	pte(A64_L3 + 21 * 8, 0x0000000080000F4Bull);	/* AttrIndx 2 */
	pte(A64_L3 + 22 * 8, 0x0000010000000F47ull);	/* PA 2^40 */
	pte(A64_L3 + 23 * 8, 0x0000000080000F45ull);	/* 0b01 at L3 */
	pte(A64_L3 + 24 * 8, 0x0000000080000F07ull);	/* AP[1] clear */
	pte(A64_L3 + 25 * 8, 0x0010000080000F47ull);	/* bit 52 */
	hal->ops->barrier(hal);
	as_enable(1, A64_L0, memattr, TRANSCFG_VA48);

	expect_fault(1, 0x11000, GPUVM_MALI_SIM_WRITE, 0x000003CB);	/* T46 */
	expect_fault(1, 0x12000, GPUVM_MALI_SIM_EXEC, 0x000001CB);	/* T47 */
	expect_fault(1, 0x11000, GPUVM_MALI_SIM_ATOMIC, 0x000000CB);
	expect_fault(1, 1ull << 48, GPUVM_MALI_SIM_READ, 0x000002E0);	/* T48 */
	expect_fault(1, 0x14000, GPUVM_MALI_SIM_READ, 0x000002DB);
	expect_fault(1, 0x15000, GPUVM_MALI_SIM_READ, 0x000002EB);
	expect_fault(1, 0x16000, GPUVM_MALI_SIM_READ, 0x000002E7);
	expect_fault(1, 0x17000, GPUVM_MALI_SIM_READ, 0x000002C3);
	expect_fault(1, 0x18000, GPUVM_MALI_SIM_READ, 0x000002CB);
	expect_fault(1, 0x30000, GPUVM_MALI_SIM_READ, 0x000002C3);	/* empty L3 slot */
	expect_fault(1, 0x400000, GPUVM_MALI_SIM_READ, 0x000002C2);	/* empty L2 slot */
	expect_fault(1, 0x80000000, GPUVM_MALI_SIM_READ, 0x000002C1);	/* empty L1 slot */
	expect_fault(1, 1ull << 39, GPUVM_MALI_SIM_READ, 0x000002C0);	/* empty L0 slot */
	/* SOURCE_ID lands in [31:16]. */
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, 1, 0x12000, GPUVM_MALI_SIM_EXEC,
					       0x42, NULL), GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(1, FAULTSTATUS)), 0x004201CB);
	fault_ack(1);
	/* Contiguous bit is only reported in strict mode. */
	expect_ok(1, 0x19000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_CONT_BIT), 0);

	/* AS2 never enabled: unmapped. AS3 identity. */
	expect_fault(2, 0x10000, GPUVM_MALI_SIM_READ, 0x000002C0);
	as_enable(3, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_IDENTITY);
	expect_ok(3, 0x123456, GPUVM_MALI_SIM_WRITE, 0x123456);
	/* Disable (T29): TRANSTAB 0, MEMATTR 0, TRANSCFG UNMAPPED, UPDATE. */
	as_enable(3, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	expect_fault(3, 0x123456, GPUVM_MALI_SIM_READ, 0x000002C0);

	/* DISABLE_AF_FAULT lets the AF-clear page through. */
	as_enable(1, A64_L0, memattr, TRANSCFG_VA48 | GPUVM_MALI_TRANSCFG_DISABLE_AF_FAULT);
	expect_ok(1, 0x14000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* A 39-bit configuration walks three levels from L1. */
START_TEST(test_a64_39bit)
{
	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	/* Root = the L1 table; INA_BITS for 39 bits. */
	as_enable(1, A64_L1, MEMATTR_A64, 0x42000406);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	expect_ok(1, 0x40000010, GPUVM_MALI_SIM_READ, 0x40000010);
	expect_fault(1, 1ull << 39, GPUVM_MALI_SIM_READ, 0x000002E0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* Mali-LPAE walk on a JM GPU (T19-T21, T23, T28). */
START_TEST(test_lpae)
{
	start(GPUVM_MALI_SIM_JM);
	build_lpae();
	as_enable(0, LP_L0 | 7, MEMATTR_LPAE, GPUVM_MALI_TRANSCFG_ADRMODE_LEGACY);

	expect_ok(0, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	expect_ok(0, 0x10004, GPUVM_MALI_SIM_WRITE, 0x80000004);
	expect_ok(0, 0x10008, GPUVM_MALI_SIM_EXEC, 0x80000008);
	expect_ok(0, 0x10008, GPUVM_MALI_SIM_ATOMIC, 0x80000008);
	expect_ok(0, 0x11010, GPUVM_MALI_SIM_READ, 0x80000010);
	expect_ok(0, 0x212345, GPUVM_MALI_SIM_READ, 0x80212345);
	expect_fault(0, 0x11000, GPUVM_MALI_SIM_WRITE, 0x000003CB);
	expect_fault(0, 0x11000, GPUVM_MALI_SIM_EXEC, 0x000001CB);
	expect_fault(0, 0x11000, GPUVM_MALI_SIM_ATOMIC, 0x000000CB);
	expect_fault(0, 0x12000, GPUVM_MALI_SIM_READ, 0x000002C3);
	expect_fault(0, 0x13000, GPUVM_MALI_SIM_READ, 0x000002C3);
	expect_fault(0, 0x8000000000ull, GPUVM_MALI_SIM_READ, 0x000002C0);
	expect_fault(0, 0x400000, GPUVM_MALI_SIM_READ, 0x000002C2);
	/* LPAE TRANSTAB mode 0 = unmapped, 2 = identity. */
	as_enable(0, 0, 0, 0);
	expect_fault(0, 0x10000, GPUVM_MALI_SIM_READ, 0x000002C0);
	as_enable(0, 2, 0, 0);
	expect_ok(0, 0x10000, GPUVM_MALI_SIM_READ, 0x10000);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* A Midgard-like GPU without TRANSCFG. */
START_TEST(test_lpae_only)
{
	struct gpuvm_mali_sim_config cfg;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.gpu_id = 0x08600000;
	cfg.formats = GPUVM_MALI_SIM_FMT_LPAE;
	start_cfg(&cfg);
	build_lpae();
	gpuvm_mali_wr64(hal, REG(0, TRANSTAB_LO), LP_L0 | 7);
	gpuvm_mali_wr64(hal, REG(0, MEMATTR_LO), MEMATTR_LPAE);
	as_cmd(0, GPUVM_MALI_AS_COMMAND_UPDATE);
	expect_ok(0, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	wr(REG(0, TRANSCFG_LO), 6);
	ck_assert_uint_eq(rd(REG(0, TRANSCFG_LO)), 0);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_REGISTER), 2);
	fx_sim_destroy();
}
END_TEST

/* T45: CSF, non-coherent walker, LOCK + edit + UNLOCK without L2 flush. */
START_TEST(test_stale_ptw)
{
	struct gpuvm_mali_sim_stats gst;
	struct gpuvm_mali_sim_as_stats st;
	uint64_t pa;

	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_gt(gst.ptw_lines, 0);

	as_lock(1, 0x1000E);
	ck_assert_int_eq(gaccess(1, 0x10000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_STALLED);
	pte(A64_L3 + 16 * 8, 0x0000000080005F47ull);
	hal->ops->barrier(hal);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.stalls, 1);
	ck_assert_uint_eq(st.tlb_entries, 0);

	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, 1, 0x10000, 0x1000), 1);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_STALE_PTW), 1);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_STALE_TLB), 0);
	/* The walker reads the old line from the cache. */
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x10000, GPUVM_MALI_SIM_READ,
						    &pa, NULL), 0);
	ck_assert_uint_eq(pa, 0x80005000);
	gpuvm_mali_sim_violation_clear(sim);

	/* Proper CSF sequence: LOCK, GPU_CMD flush (bit 17), UNLOCK. */
	as_lock(1, 0x1000E);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_CSF_GPU_CMD_FLUSH_PT), 2);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, NULL, NULL), 1);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, 1, 0x10000, 0x1000), 0);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80005000);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.cache_flushes, 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* A coherent walker has no line cache: LOCK + edit + UNLOCK suffices. */
START_TEST(test_coherent_walk)
{
	struct gpuvm_mali_sim_config cfg;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.coherent_walk = true;
	cfg.visibility = GPUVM_MALI_SIM_VIS_COHERENT;
	start_cfg(&cfg);
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	as_lock(1, 0x1000E);
	pte(A64_L3 + 16 * 8, 0x0000000080005F47ull);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, 1, 0x10000, 0x1000), 0);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80005000);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* T1-T11 LOCKADDR values; canonical and panthor forms select one region. */
START_TEST(test_lock_region)
{
	static const struct {
		uint64_t lockaddr, base;
		unsigned int log2;
	} v[] = {
		{ 0x000000000000000Eull, 0x0, 15 },		/* T1 */
		{ 0x000000000000400Eull, 0x0, 15 },		/* T2 panthor */
		{ 0x000000000000800Eull, 0x8000, 15 },		/* T3 */
		{ 0x000000000001000Full, 0x10000, 16 },		/* T4 */
		{ 0x0000000000040010ull, 0x40000, 17 },		/* T5 */
		{ 0x0000000000000015ull, 0x0, 22 },		/* T6 */
		{ 0x0000000001000014ull, 0x1000000, 21 },	/* T7 */
		{ 0x0000000040000014ull, 0x40000000, 21 },	/* T8 */
		{ 0x0000000000000016ull, 0x0, 23 },		/* T9 */
		{ 0x00007FFFFFFF800Eull, 0x7FFFFFFF8000ull, 15 },/* T10 */
		{ 0x00007FFFFFFFC00Eull, 0x7FFFFFFF8000ull, 15 },/* T10 panthor */
		{ 0x000000000000003Full, 0x0, 64 },		/* T11 */
		{ 0x000000000000002Full, 0x0, 48 },		/* kbase cap */
		{ 0x0000000000010FCFull, 0x10000, 16 },		/* [11:6] ignored */
	};
	uint64_t base;
	unsigned int i, log2;

	start(GPUVM_MALI_SIM_JM);
	build_a64();
	enable_a64(1);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		as_lock(1, v[i].lockaddr);
		ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, &base, &log2), 1);
		ck_assert_uint_eq(base, v[i].base);
		ck_assert_uint_eq(log2, v[i].log2);
		as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
		ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, &base, &log2), 0);
	}
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);

	/* Too small: logged, treated as 32 KiB. */
	as_lock(1, 0x1000B);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_LOCK_TOO_SMALL), 1);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, &base, &log2), 1);
	ck_assert_uint_eq(base, 0x10000);
	ck_assert_uint_eq(log2, 15);
	/* Accesses inside stall, outside go through. */
	ck_assert_int_eq(gaccess(1, 0x17FFF, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_STALLED);
	expect_ok(1, 0x200000, GPUVM_MALI_SIM_READ, 0x80200000);
	/* DOUBLE_LOCK keeps the first region; UPDATE while locked is logged. */
	as_lock(1, 0x3F);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_DOUBLE_LOCK), 1);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, &base, &log2), 1);
	ck_assert_uint_eq(log2, 15);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UPDATE);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_UPDATE_WHILE_LOCKED), 1);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	/* Not strict: FLUSH without LOCK is silent and uses LOCKADDR. */
	as_cmd(1, GPUVM_MALI_AS_COMMAND_FLUSH_MEM);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_FLUSH_WITHOUT_LOCK), 0);
	wr(REG(1, COMMAND), 9);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_COMMAND), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 4);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_strict)
{
	struct gpuvm_mali_sim_config cfg;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.strict = true;
	start_cfg(&cfg);
	build_a64();
	pte(A64_L3 + 25 * 8, 0x0010000080000F47ull);
	hal->ops->barrier(hal);
	enable_a64(1);
	expect_ok(1, 0x19000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_CONT_BIT), 1);
	gpuvm_mali_wr64(hal, REG(1, LOCKADDR_LO), 0x3F);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_FLUSH_PT);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_FLUSH_WITHOUT_LOCK), 1);
	ck_assert_int_eq(gpuvm_mali_sim_violation_get(sim, 1)->as, 1);
	/* The whole-AS flush emptied the TLB. */
	{
		struct gpuvm_mali_sim_as_stats st;

		ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
		ck_assert_uint_eq(st.tlb_entries, 0);
	}
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 2);
	fx_sim_destroy();
}
END_TEST

/* AS_ACTIVE for busy_reads reads; effects land when it falls. */
START_TEST(test_busy_status)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_as_stats st;
	const struct gpuvm_mali_sim_violation *v;
	uint64_t idx;
	unsigned int i;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_JM);
	cfg.busy_reads = 3;
	start_cfg(&cfg);
	build_a64();

	/* UPDATE not waited for: accesses still see the old (unmapped) AS. */
	gpuvm_mali_wr64(hal, REG(1, TRANSTAB_LO), A64_L0);
	gpuvm_mali_wr64(hal, REG(1, MEMATTR_LO), MEMATTR_A64);
	gpuvm_mali_wr64(hal, REG(1, TRANSCFG_LO), TRANSCFG_VA48);
	wr(REG(1, COMMAND), GPUVM_MALI_AS_COMMAND_UPDATE);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x10000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(rd(REG(1, STATUS)), 1);
	ck_assert_uint_eq(rd(REG(1, STATUS)), 0);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);

	/* A command while busy is dropped. */
	gpuvm_mali_wr64(hal, REG(1, LOCKADDR_LO), 0x1000E);
	wr(REG(1, COMMAND), GPUVM_MALI_AS_COMMAND_LOCK);
	ck_assert_uint_eq(rd(REG(1, STATUS)), 1);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, NULL, NULL), 0);
	idx = gpuvm_mali_sim_trace_count(sim);
	wr(REG(1, COMMAND), GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_CMD_WHILE_BUSY), 1);
	v = gpuvm_mali_sim_violation_get(sim, 0);
	ck_assert_uint_eq(v->trace_index, idx);
	ck_assert_int_eq(v->as, 1);
	ck_assert_int_eq(wait_ready(1), 0);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, NULL, NULL), 1);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, NULL, NULL), 0);

	/* Injected: the next command is busy for 7 reads, then back to 3. */
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.busy_reads, 3 + 3 + 3);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_BUSY, 1, 7), 0);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_NOP);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_NOP);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.busy_reads, 9 + 7 + 3);
	ck_assert_uint_eq(st.commands, 5);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 1);
	fx_sim_destroy();
}
END_TEST

/* busy_random draws 0..busy_reads per command, deterministically. */
START_TEST(test_busy_random)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_as_stats st;
	unsigned int i, n, max = 0;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.busy_reads = 5;
	cfg.busy_random = true;
	cfg.seed = 1234;
	start_cfg(&cfg);
	for (i = 0; i < 64; i++) {
		wr(REG(2, COMMAND), GPUVM_MALI_AS_COMMAND_NOP);
		for (n = 0; rd(REG(2, STATUS)); n++)
			;
		ck_assert_uint_le(n, 5);
		if (n > max)
			max = n;
	}
	ck_assert_uint_eq(max, 5);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 2, &st), 0);
	ck_assert_uint_lt(st.busy_reads, 64 * 5);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* Staged vs active registers; only one half written before UPDATE. */
START_TEST(test_update_staging)
{
	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	enable_a64(1);
	gpuvm_mali_wr64(hal, REG(1, TRANSCFG_LO), GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UPDATE);
	expect_fault(1, 0x10000, GPUVM_MALI_SIM_READ, 0x000002C0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);

	wr(REG(1, TRANSTAB_LO), (uint32_t)A64_L0);
	gpuvm_mali_wr64(hal, REG(1, TRANSCFG_LO), TRANSCFG_VA48);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UPDATE);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_UPDATE_HALF_WRITTEN), 1);
	ck_assert_ptr_nonnull(strstr(gpuvm_mali_sim_violation_get(sim, 0)->msg,
				     "TRANSTAB"));
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);

	/* CSF has no Mali-LPAE walker; an AArch64 root must be 16-byte aligned. */
	gpuvm_mali_sim_violation_clear(sim);
	as_enable(1, A64_L0, MEMATTR_A64, GPUVM_MALI_TRANSCFG_ADRMODE_LEGACY);
	as_enable(1, A64_L0 | 8, MEMATTR_A64, TRANSCFG_VA48);	/* T24 */
	as_enable(1, A64_L0, MEMATTR_A64, GPUVM_MALI_TRANSCFG_ADRMODE_AARCH64_64K);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_CONFIG), 3);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 3);
	fx_sim_destroy();
}
END_TEST

/* T54: AS_ACTIVE stuck; wait_ready gives up after 100 ms of virtual time. */
START_TEST(test_stuck)
{
	uint64_t t0;

	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	enable_a64(1);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK, 1, 1), 0);
	t0 = now();
	ck_assert_int_eq(wait_ready(1), -ETIMEDOUT);
	ck_assert_uint_ge(now() - t0, 100000000ull);
	ck_assert_uint_le(now() - t0, 100000000ull + 10000);
	/* A command now is a protocol error and is dropped. */
	wr(REG(1, COMMAND), GPUVM_MALI_AS_COMMAND_UPDATE);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_CMD_WHILE_BUSY), 1);
	ck_assert_uint_eq(rd(REG(1, STATUS)), 1);
	/* Other ASes are unaffected. */
	ck_assert_uint_eq(rd(REG(2, STATUS)), 0);

	/* A GPU soft reset recovers. */
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT) &
			  GPUVM_MALI_GPU_IRQ_RESET_COMPLETED,
			  GPUVM_MALI_GPU_IRQ_RESET_COMPLETED);
	ck_assert_uint_eq(rd(REG(1, STATUS)), 0);

	/* Releasing a stuck AS lets its pending command complete. */
	enable_a64(1);
	as_lock(1, 0x1000E);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK, 1, 1), 0);
	wr(REG(1, COMMAND), GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_CMD_WHILE_BUSY), 2);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK, 1, 0), 0);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, NULL, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK, 9, 1),
			 -EINVAL);
	fx_sim_destroy();
}
END_TEST

/* T58-like: uio_pdrv_genirq line semantics, spurious and missed events. */
START_TEST(test_irq)
{
	struct gpuvm_mali_sim_stats gst;
	uint32_t events = 0;
	uint64_t t0;

	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	enable_a64(1);
	wr(GPUVM_MALI_MMU_INT_CLEAR, 0xFFFFFFFF);
	wr(GPUVM_MALI_MMU_INT_MASK, GPUVM_MALI_MMU_IRQ_CSF_MASK);

	t0 = now();
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 0);
	ck_assert_uint_eq(now() - t0, 1000000);

	/* A fault raises one event and disables the line. */
	ck_assert_int_eq(gaccess(1, 0x30000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 1);
	ck_assert_uint_eq(events, 1);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert(!gst.irq_enabled);
	/* A second AS faults while the line is disabled: no new event. */
	ck_assert_int_eq(gaccess(2, 0x30000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_STAT), 0x6);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT) & 0xFFFF, 0x6);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 0);
	/* CSF: command completion bits 16+n are latched but masked. */
	as_cmd(4, GPUVM_MALI_AS_COMMAND_NOP);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT), 0x00100006);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_STAT), 0x6);

	/* Re-arming before clearing re-triggers at once. */
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.irq_events, 2);
	ck_assert_uint_eq(gst.irq_retriggers, 1);
	ck_assert(!gst.irq_enabled);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 1);
	ck_assert_uint_eq(events, 2);

	/* Clear, then re-arm: quiet. */
	wr(GPUVM_MALI_MMU_INT_CLEAR, 0x6);
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.irq_events, 2);
	ck_assert_uint_eq(gst.irq_retriggers, 1);
	ck_assert(gst.irq_enabled);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 0);

	/* Spurious interrupt: an event with STAT = 0. */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ, 0, 0), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ, 0, 0),
			 -EBUSY);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 1);
	ck_assert_uint_eq(events, 3);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_STAT), 0);
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);

	/* Missed events: the counter jumps. */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_EVENT_JUMP, 0, 5), 0);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 1);
	ck_assert_uint_eq(events, 8);
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);

	/* Unmasking a pending fault raises an event too. */
	wr(GPUVM_MALI_MMU_INT_MASK, 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 3, 0x2C3, 0x1000, false), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 3, 0x2C3, 0x2000, false), 1);
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 3, 0x2C3, 0x2000, true), -EINVAL);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 0);
	wr(GPUVM_MALI_MMU_INT_MASK, GPUVM_MALI_MMU_IRQ_CSF_MASK);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 1);
	ck_assert_uint_eq(events, 9);
	ck_assert_uint_eq(rd(REG(3, FAULTSTATUS)), 0x2C3);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(3, FAULTADDRESS_LO)), 0x1000);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* Root table in unbacked memory: TRANSTAB_BUS_FAULT_0 (JM: bus-fault bit). */
START_TEST(test_transtab_bus_fault)
{
	struct gpuvm_mali_sim_as_stats st;

	start(GPUVM_MALI_SIM_JM);
	as_enable(2, 0x90000000, MEMATTR_A64, TRANSCFG_VA48);
	ck_assert_int_eq(gaccess(2, 0x10000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(2, FAULTSTATUS)), 0x000002D0);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT), 0x00040000);
	/* The stall holds until both bits of the AS are clear (T57 mask). */
	wr(GPUVM_MALI_MMU_INT_CLEAR, 0x00040004);
	as_cmd(2, GPUVM_MALI_AS_COMMAND_UNLOCK);
	/* Next-level table unbacked: level 1. */
	build_a64();
	pte(A64_L0 + 8, 0x00000000A0000003ull);
	hal->ops->barrier(hal);
	as_enable(2, A64_L0, MEMATTR_A64, TRANSCFG_VA48);
	ck_assert_int_eq(gaccess(2, 1ull << 39, GPUVM_MALI_SIM_WRITE, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(2, FAULTSTATUS)), 0x000003D1);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 2, &st), 0);
	ck_assert_uint_eq(st.faults, 2);
	/* LPAE root unbacked. */
	as_enable(3, 0x90000000 | 7, MEMATTR_LPAE, 0);
	ck_assert_int_eq(gaccess(3, 0x10000, GPUVM_MALI_SIM_EXEC, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(3, FAULTSTATUS)), 0x000001D0);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT), 0x000C0000);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_transtab_bus_fault_csf)
{
	start(GPUVM_MALI_SIM_CSF);
	as_enable(2, 0x90000000, MEMATTR_A64, TRANSCFG_VA48);
	wr(GPUVM_MALI_MMU_INT_CLEAR, 0xFFFFFFFF);
	ck_assert_int_eq(gaccess(2, 0x10000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_uint_eq(rd(REG(2, FAULTSTATUS)), 0x000002D0);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT), 0x00000004);
	fx_sim_destroy();
}
END_TEST

/* T59: a freed table rewritten before the flush is caught; after, it is not. */
START_TEST(test_pt_freed)
{
	const struct gpuvm_mali_sim_violation *v;

	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);

	/* Unmap the L3 table, free it and reuse it at once. */
	as_lock(1, 0x14);
	pte(A64_L2, 0);
	hal->ops->barrier(hal);
	hal->ops->pt_page_freed(hal, A64_L3);
	pte(A64_L3 + 16 * 8, 0);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH), 1);
	v = gpuvm_mali_sim_violation_get(sim, 0);
	ck_assert_uint_eq(v->addr, A64_L3);
	/* The second store to the reused frame is not reported again. */
	pte(A64_L3 + 17 * 8, 0);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH), 1);
	hal->ops->barrier(hal);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_CSF_GPU_CMD_FLUSH_ALL), 2);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	gpuvm_mali_sim_violation_clear(sim);

	/* Deferred free: the same frame reused after the flush is fine. */
	build_a64();
	as_lock(1, 0x14);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_CSF_GPU_CMD_FLUSH_ALL), 2);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	as_lock(1, 0x14);
	pte(A64_L2, 0);
	hal->ops->barrier(hal);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_CSF_GPU_CMD_FLUSH_ALL), 2);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	hal->ops->pt_page_freed(hal, A64_L3);
	pte(A64_L3 + 16 * 8, 0);
	hal->ops->barrier(hal);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);

	hal->ops->pt_page_freed(hal, 0x1000);
	hal->ops->pt_page_freed(hal, PT_BASE + 8);
	pte(0x1000, 1);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, 0x1000), 0);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_PT_ACCESS), 4);
	fx_sim_destroy();
}
END_TEST

/* Reset: everything back to unmapped, interrupts and locks cleared. */
START_TEST(test_reset)
{
	struct gpuvm_mali_sim_as_stats st;
	struct gpuvm_mali_sim_stats gst;

	start(GPUVM_MALI_SIM_JM);
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	wr(GPUVM_MALI_MMU_INT_MASK, 0xFFFFFFFF);
	ck_assert_int_eq(gaccess(2, 0x10000, GPUVM_MALI_SIM_READ, NULL),
			 GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);
	as_lock(1, 0x3F);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT), 0x4);

	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT),
			  GPUVM_MALI_GPU_IRQ_RESET_COMPLETED);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_MASK), 0);
	ck_assert_uint_eq(rd(REG(2, FAULTSTATUS)), 0);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(1, TRANSTAB_LO)), 0);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, REG(1, TRANSCFG_LO)), 0);
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 1, NULL, NULL), 0);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.tlb_entries, 0);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.ptw_lines, 0);
	ck_assert_uint_eq(gst.resets, 1);
	/* JM reset values: TRANSCFG 0 = legacy, TRANSTAB 0 = unmapped. */
	expect_fault(1, 0x10000, GPUVM_MALI_SIM_READ, 0x000002C0);
	/* Reprogram and go again. */
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_GPU_RESET, 0, 0), 0);
	expect_fault(1, 0x10000, GPUVM_MALI_SIM_READ, 0x000002C0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

START_TEST(test_power_off)
{
	start(GPUVM_MALI_SIM_CSF);
	wr(GPUVM_MALI_MMU_INT_MASK, 0xFFFF);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 1), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0xFFFFFFFFu);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_FEATURES), 0xFFFFFFFFu);
	ck_assert_uint_eq(rd(REG(0, STATUS)), 0xFFFFFFFFu);
	wr(GPUVM_MALI_L2_PWRON_LO, 1);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 0), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_ID), 0xA8670000u);
	ck_assert_uint_eq(rd(GPUVM_MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_MMU_INT_MASK), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, 99, 0, 0), -EINVAL);
	fx_sim_destroy();
}
END_TEST

/* CPU visibility: write-combined needs a barrier. */
START_TEST(test_visibility_wc)
{
	struct gpuvm_mali_sim_stats gst;
	uint64_t v;

	start(GPUVM_MALI_SIM_CSF);
	build_a64();
	enable_a64(1);
	pte(A64_L3 + 20 * 8, 0x0000000080007F47ull);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, A64_L3 + 20 * 8), 0x0000000080007F47ull);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, A64_L3 + 20 * 8, &v), 0);
	ck_assert_uint_eq(v, 0);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 1);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x14000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	/* A command issued now sees an unsynced PTE. */
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_UNSYNCED_PTE), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_get(sim, 0)->addr, A64_L3 + 0x80);
	hal->ops->barrier(hal);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 0);
	expect_ok(1, 0x14000, GPUVM_MALI_SIM_READ, 0x80007000);
	/*
	 * pt_sync also publishes on a WC mapping.  Entry 24 is in another
	 * 64-byte line: the walker still caches the line of entry 20.
	 */
	pte(A64_L3 + 24 * 8, 0x0000000080008F47ull);
	hal->ops->pt_sync(hal, A64_L3 + 24 * 8, 8);
	expect_ok(1, 0x18000, GPUVM_MALI_SIM_READ, 0x80008000);
	pte(A64_L3 + 21 * 8, 0x0000000080009F47ull);
	hal->ops->pt_sync(hal, A64_L3 + 21 * 8, 8);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x15000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 0);
	expect_fault(1, 0x15000, GPUVM_MALI_SIM_READ, 0x000002C3);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 1);
	fx_sim_destroy();
}
END_TEST

/* Cached mapping: only pt_sync of the line publishes. */
START_TEST(test_visibility_cached)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_stats gst;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.visibility = GPUVM_MALI_SIM_VIS_CACHED;
	start_cfg(&cfg);
	build_a64();
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x10000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	hal->ops->pt_sync(hal, PT_BASE, 0x10000);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 0);
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);

	/* Entry 32: a line the walker has not cached yet. */
	pte(A64_L3 + 32 * 8, 0x0000000080007F47ull);
	hal->ops->barrier(hal);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x20000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	/* Syncing a neighbouring line does not help. */
	hal->ops->pt_sync(hal, A64_L3 + 0x40, 0x40);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x20000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	hal->ops->pt_sync(hal, A64_L3 + 32 * 8, 8);
	expect_ok(1, 0x20000, GPUVM_MALI_SIM_READ, 0x80007000);
	hal->ops->pt_sync(hal, PT_BASE + MiB - 8, 16);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_PT_ACCESS), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 1);
	fx_sim_destroy();
}
END_TEST

/* Coherent mapping: immediately visible. */
START_TEST(test_visibility_coherent)
{
	struct gpuvm_mali_sim_config cfg;
	uint64_t v;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.visibility = GPUVM_MALI_SIM_VIS_COHERENT;
	start_cfg(&cfg);
	pte(A64_L3, 0x1234);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, A64_L3, &v), 0);
	ck_assert_uint_eq(v, 0x1234);
	fx_sim_destroy();
}
END_TEST

/* GPU_CMD cache flushes: completion after flush_reads reads, hang, family. */
START_TEST(test_gpu_flush)
{
	struct gpuvm_mali_sim_stats gst;
	unsigned int i;

	start(GPUVM_MALI_SIM_CSF);
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD_FLUSH_MEM);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0x00020000);
	wr(GPUVM_MALI_GPU_INT_CLEAR, 0x00020000);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0);

	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_FLUSH_HANG, 0, 1), 0);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_CSF_GPU_CMD_FLUSH_PT), -ETIMEDOUT);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_FLUSH_HANG, 0, 0), 0);
	for (i = 0; i < 3; i++)
		(void)rd(GPUVM_MALI_GPU_INT_RAWSTAT);
	ck_assert_uint_eq(rd(GPUVM_MALI_GPU_INT_RAWSTAT), 0x00020000);
	wr(GPUVM_MALI_GPU_INT_CLEAR, 0x00020000);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.cache_flushes, 2);
	/* JM encodings are not CSF commands. */
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_GPU_CMD), 1);
	fx_sim_destroy();

	/* JM: CLEAN_INV_CACHES drops the walker's lines. */
	start(GPUVM_MALI_SIM_JM);
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_gt(gst.ptw_lines, 0);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_JM_GPU_CMD_CLEAN_CACHES), 2);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_gt(gst.ptw_lines, 0);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES), 2);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.ptw_lines, 0);
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_CSF_GPU_CMD_FLUSH_PT);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_GPU_CMD), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 1);
	/*
	 * A clean-only flush issued while a clean+invalidate is still in
	 * progress does not cancel the pending invalidate.
	 */
	expect_ok(1, 0x11000, GPUVM_MALI_SIM_READ, 0x80000000);	/* walks */
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_gt(gst.ptw_lines, 0);
	wr(GPUVM_MALI_GPU_CMD, GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_JM_GPU_CMD_CLEAN_CACHES), 2);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.ptw_lines, 0);
	fx_sim_destroy();
}
END_TEST

/* T53: the register trace of a CSF AS enable; ring eviction. */
START_TEST(test_trace)
{
	static const uint32_t regs[] = {
		GPUVM_MALI_AS_TRANSTAB_LO, GPUVM_MALI_AS_TRANSTAB_HI,
		GPUVM_MALI_AS_MEMATTR_LO, GPUVM_MALI_AS_MEMATTR_HI,
		GPUVM_MALI_AS_TRANSCFG_LO, GPUVM_MALI_AS_TRANSCFG_HI,
	};
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_trace_entry e;
	uint64_t mark, i;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.trace_capacity = 16;
	start_cfg(&cfg);
	build_a64();
	hal->ops->sleep_us(hal, 5);
	mark = gpuvm_mali_sim_trace_count(sim);
	enable_a64(2);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, mark + i, &e), 0);
		ck_assert(e.write);
		ck_assert_uint_eq(e.offset, GPUVM_MALI_AS(2) + regs[i]);
		ck_assert_uint_eq(e.time_ns, 5000);
	}
	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, mark + 6, &e), 0);
	ck_assert(!e.write);
	ck_assert_uint_eq(e.offset, GPUVM_MALI_AS(2) + GPUVM_MALI_AS_STATUS);
	ck_assert_uint_eq(e.value, 0);
	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, mark + 7, &e), 0);
	ck_assert(e.write);
	ck_assert_uint_eq(e.offset, GPUVM_MALI_AS(2) + GPUVM_MALI_AS_COMMAND);
	ck_assert_uint_eq(e.value, GPUVM_MALI_AS_COMMAND_UPDATE);
	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, mark + 8, &e), 0);
	ck_assert_uint_eq(e.value, 1);		/* busy */
	ck_assert_uint_eq(gpuvm_mali_sim_trace_count(sim), mark + 11);
	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, mark + 11, &e), -ENOENT);
	for (i = 0; i < 20; i++)
		(void)rd(GPUVM_MALI_GPU_ID);
	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, mark, &e), -ENOENT);
	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, mark + 31 - 16, &e), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* TLB capacity: LRU eviction forces a walk. */
START_TEST(test_tlb_capacity)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_as_stats st;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.tlb_capacity = 2;
	start_cfg(&cfg);
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	expect_ok(1, 0x11000, GPUVM_MALI_SIM_READ, 0x80000000);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);	/* hit */
	expect_ok(1, 0x12000, GPUVM_MALI_SIM_READ, 0x80000000);	/* evicts 0x11000 */
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);	/* hit */
	expect_ok(1, 0x11000, GPUVM_MALI_SIM_READ, 0x80000000);	/* miss */
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 1, &st), 0);
	ck_assert_uint_eq(st.tlb_entries, 2);
	ck_assert_uint_eq(st.tlb_hits, 2);
	ck_assert_uint_eq(st.tlb_misses, 4);
	fx_sim_destroy();
}
END_TEST

/*
 * Virtual time never runs backwards: an endless wait (UINT64_MAX, "forever"
 * for the UIO HAL) or sleep ends at the end of time instead of wrapping.
 */
START_TEST(test_clock_saturates)
{
	uint32_t events = 0;

	start(GPUVM_MALI_SIM_JM);
	hal->ops->sleep_us(hal, 5);
	ck_assert_uint_eq(now(), 5000);
	ck_assert_int_eq(hal->ops->irq_wait(hal, UINT64_MAX, &events), 0);
	ck_assert_uint_eq(now(), UINT64_MAX);
	hal->ops->sleep_us(hal, 10);
	ck_assert_uint_eq(now(), UINT64_MAX);
	hal->ops->sleep_us(hal, UINT64_MAX);
	ck_assert_uint_eq(now(), UINT64_MAX);
	fx_sim_destroy();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* pt_write_range: the stores of as many pt_write64 calls, in one call */

/* Cached mapping: a range store stays invisible until its lines are synced. */
START_TEST(test_range_visibility)
{
	static const uint64_t leaves[4] = {
		0x0000000080007F47ull, 0x0000000080008F47ull,
		0x0000000080009F47ull, 0x000000008000AF47ull,
	};
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_stats gst;
	unsigned int i;
	uint64_t v;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.visibility = GPUVM_MALI_SIM_VIS_CACHED;
	start_cfg(&cfg);
	ck_assert_ptr_nonnull(hal->ops->pt_write_range);
	build_a64();
	hal->ops->pt_sync(hal, PT_BASE, 0x10000);
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);

	/* Entries 38-41: two 64-byte lines, neither cached by the walker. */
	hal->ops->pt_write_range(hal, A64_L3 + 38 * 8, leaves, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(hal->ops->pt_read64(hal, A64_L3 + (38 + i) * 8),
				  leaves[i]);
		ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, A64_L3 + (38 + i) * 8,
							   &v), 0);
		ck_assert_uint_eq(v, 0);
	}
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 2);
	hal->ops->barrier(hal);		/* no help on a cached mapping */
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x26000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x28000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	/* Syncing the first line publishes entries 38 and 39 only. */
	hal->ops->pt_sync(hal, A64_L3 + 38 * 8, 8);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 1);
	expect_ok(1, 0x27000, GPUVM_MALI_SIM_READ, 0x80008000);
	ck_assert_int_eq(gpuvm_mali_sim_walk_oracle(sim, 1, 0x28000, GPUVM_MALI_SIM_READ,
						    NULL, NULL), 1);
	/* A command now sees the other line unsynced, as per entry. */
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_UNSYNCED_PTE), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_get(sim, 0)->addr,
			  A64_L3 + 0x140);
	hal->ops->pt_sync(hal, A64_L3 + 40 * 8, 16);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 0);
	expect_ok(1, 0x29000, GPUVM_MALI_SIM_READ, 0x8000A000);

	/* Nothing stored: no line pending, no violation. */
	hal->ops->pt_write_range(hal, A64_L3, leaves, 0);
	hal->ops->pt_write_range(hal, 0x1000, leaves, 0);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 1);
	fx_sim_destroy();
}
END_TEST

/* Is the entry at @pa what the GPU sees (published), given what was stored? */
static bool published(uint64_t pa, uint64_t stored)
{
	uint64_t v;

	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, pa, &v), 0);
	ck_assert(v == 0 || v == stored);
	return v == stored;
}

/*
 * pt_sync publishes exactly the lines of its range, whichever words of the
 * dirty map and whichever chunks they span: 512 lines stored across a
 * chunk boundary, then synced in pieces starting and ending inside words,
 * a whole word, and the rest.
 */
START_TEST(test_range_sync_runs)
{
	const uint64_t base = PT_BASE + 0x8c000;	/* chunk edge at +0x4000 */
	const unsigned int lines = 512;
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_stats gst;
	static uint64_t v[512 * 8];
	unsigned int i;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.visibility = GPUVM_MALI_SIM_VIS_CACHED;
	start_cfg(&cfg);
	for (i = 0; i < lines * 8; i++)
		v[i] = 0x80000F47ull + ((uint64_t)i << 12);
	hal->ops->pt_write_range(hal, base, v, lines * 8);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, lines);

	/* Lines 30..200 (ends inside dirty-map words), 256..319 (a word). */
	hal->ops->pt_sync(hal, base + 30 * 64 + 8, 171 * 64 - 16);
	hal->ops->pt_sync(hal, base + 256 * 64, 64 * 64);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, lines - 171 - 64);
	for (i = 0; i < lines; i++) {
		bool want = (i >= 30 && i <= 200) || (i >= 256 && i < 320);

		ck_assert_int_eq(published(base + i * 64, v[i * 8]), want);
		ck_assert_int_eq(published(base + i * 64 + 56, v[i * 8 + 7]),
				 want);
	}
	/* The rest, across the chunk boundary (line 256); again: no-op. */
	hal->ops->pt_sync(hal, base, lines * 64);
	hal->ops->pt_sync(hal, base, lines * 64);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 0);
	for (i = 0; i < lines * 8; i++)
		ck_assert(published(base + i * 8, v[i]));
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* Coherent and write-combined mappings behave as with pt_write64. */
START_TEST(test_range_visibility_wc_coherent)
{
	static const uint64_t vals[3] = { 0x11, 0x22, 0x33 };
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_sim_stats gst;
	uint64_t v;

	gpuvm_mali_sim_config_init(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.visibility = GPUVM_MALI_SIM_VIS_COHERENT;
	start_cfg(&cfg);
	hal->ops->pt_write_range(hal, A64_L3 + 8, vals, 3);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, A64_L3 + 24, &v), 0);
	ck_assert_uint_eq(v, 0x33);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 0);
	fx_sim_destroy();

	start(GPUVM_MALI_SIM_CSF);
	/* Across a page boundary: the last line of one frame, the next's first. */
	hal->ops->pt_write_range(hal, A64_L3 - 8, vals, 3);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, A64_L3 - 8, &v), 0);
	ck_assert_uint_eq(v, 0);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 2);
	hal->ops->barrier(hal);
	gpuvm_mali_sim_stats(sim, &gst);
	ck_assert_uint_eq(gst.pending_pte_lines, 0);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, A64_L3 - 8, &v), 0);
	ck_assert_uint_eq(v, 0x11);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, A64_L3 + 8, &v), 0);
	ck_assert_uint_eq(v, 0x33);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	fx_sim_destroy();
}
END_TEST

/* Bad ranges: one violation per bad entry, the good entries still land. */
START_TEST(test_range_bad)
{
	static const uint64_t vals[4] = { 1, 2, 3, 4 };
	const struct gpuvm_mali_sim_violation *v;

	start(GPUVM_MALI_SIM_CSF);
	/* Runs off the end of backed memory after two entries. */
	hal->ops->pt_write_range(hal, PT_BASE + MiB - 16, vals, 4);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_BASE + MiB - 16), 1);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_BASE + MiB - 8), 2);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_PT_ACCESS), 2);
	v = gpuvm_mali_sim_violation_get(sim, 1);
	ck_assert_uint_eq(v->addr, PT_BASE + MiB + 8);
	/* Misaligned and unbacked: every entry. */
	hal->ops->pt_write_range(hal, PT_BASE + 4, vals, 3);
	hal->ops->pt_write_range(hal, 0x1000, vals, 2);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_BAD_PT_ACCESS), 7);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_BASE), 0);
	gpuvm_mali_sim_violation_clear(sim);

	/* A freed frame still in use, rewritten by a range: reported once. */
	build_a64();
	enable_a64(1);
	expect_ok(1, 0x10000, GPUVM_MALI_SIM_READ, 0x80000000);
	as_lock(1, 0x14);
	pte(A64_L2, 0);
	hal->ops->barrier(hal);
	hal->ops->pt_page_freed(hal, A64_L3);
	hal->ops->pt_write_range(hal, A64_L3 + 16 * 8, vals, 4);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_get(sim, 0)->addr, A64_L3);
	hal->ops->pt_write_range(hal, A64_L3 + 16 * 8, vals, 4);
	ck_assert_uint_eq(nviol(GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH), 1);
	hal->ops->barrier(hal);
	ck_assert_int_eq(gpu_flush(GPUVM_MALI_CSF_GPU_CMD_FLUSH_ALL), 2);
	as_cmd(1, GPUVM_MALI_AS_COMMAND_UNLOCK);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 1);
	fx_sim_destroy();
}
END_TEST

/* The simulator's ops without pt_write_range: a HAL that lacks it. */
static struct gpuvm_mali_hal_ops no_range_ops;

/* Map and unmap the same sequence through the library on @h. */
static void pt_sequence(struct gpuvm_mali_hal *h, enum gpuvm_mali_pt_format fmt,
			bool coherent)
{
	static const struct {
		bool map;
		uint64_t va, pa, size;
		unsigned int prot;
	} ops[] = {
		/* 4 KiB pages over several tables, a table filled in two runs */
		{ true, 0x40000000ull, 0x1000ull, 0x600000ull, 3 },
		/* 2 MiB blocks, and blocks next to pages in one call */
		{ true, 0x80000000ull, 0x200000ull, 0x800000ull, 7 },
		{ true, 0x90100000ull, 0x10100000ull, 0x500000ull, 1 },
		/* split blocks, clear pages, empty a table */
		{ false, 0x80100000ull, 0, 0x3000ull, 0 },
		{ false, 0x40001000ull, 0, 0x1ff000ull, 0 },
		{ false, 0x40200000ull, 0, 0x200000ull, 0 },
		/* a block over the emptied table, pages into a used table */
		{ true, 0x40200000ull, 0x400000ull, 0x200000ull, 3 },
		{ true, 0x40002000ull, 0x7000ull, 0x3000ull, 11 },
		/* a 1 GiB block split by a page-sized hole */
		{ true, 0x100000000ull, 0x40000000ull, 0x40000000ull, 3 },
		{ false, 0x100201000ull, 0, 0x1000ull, 0 },
	};
	struct gpuvm_mali_pt_config cfg = {
		.format = fmt, .ias = 48, .oas = 40, .coherent = coherent,
	};
	struct gpuvm_mali_pt_reserve res = { 0 };
	struct gpuvm_mali_pgtable *pt;
	struct gpuvm_mali_ptmem *mem;
	unsigned int i;

	ck_assert_int_eq(gpuvm_mali_ptmem_create(h, &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, MiB), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, 0, PT_BASE), 0);
	ck_assert_int_eq(gpuvm_mali_pt_create(mem, &cfg, &pt), 0);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t need;

		if (ops[i].map) {
			ck_assert_int_eq(gpuvm_mali_pt_map_prepare(pt, ops[i].va,
				ops[i].pa, ops[i].size, ops[i].prot, &need), 0);
			ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem,
								    need), 0);
			ck_assert_int_eq(gpuvm_mali_pt_map(pt, ops[i].va,
				ops[i].pa, ops[i].size, ops[i].prot, &res), 0);
		} else {
			ck_assert_int_eq(gpuvm_mali_pt_unmap_prepare(pt,
				ops[i].va, ops[i].size, &need, NULL), 0);
			ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem,
								    need), 0);
			ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, ops[i].va,
				ops[i].size, &res, NULL), 0);
		}
		ck_assert_uint_eq(res.count, 0);
		gpuvm_mali_ptmem_flush_done(mem);
	}
	gpuvm_mali_pt_reserve_release(&res);
	/* Destroying only reads: the tables stay in the simulator's memory. */
	gpuvm_mali_pt_destroy(pt);
	gpuvm_mali_ptmem_destroy(mem);
}

/*
 * A HAL without pt_write_range gets the very same page-table memory from
 * the same sequence, and neither run makes the simulator see a violation.
 */
START_TEST(test_range_equivalence)
{
	static const struct {
		enum gpuvm_mali_pt_format fmt;
		bool coherent;
	} cfgs[] = {
		{ GPUVM_MALI_PT_AARCH64_4K, false },
		{ GPUVM_MALI_PT_AARCH64_4K, true },
		{ GPUVM_MALI_PT_LPAE, false },
	};
	struct gpuvm_mali_sim *sims[2];
	struct gpuvm_mali_sim_stats gst;
	unsigned int c, k;
	uint64_t pa, a, b, nonzero = 0;

	for (c = 0; c < 3; c++) {
		for (k = 0; k < 2; k++) {
			start(GPUVM_MALI_SIM_CSF);
			if (k) {
				no_range_ops = *hal->ops;
				no_range_ops.pt_write_range = NULL;
				hal->ops = &no_range_ops;
			}
			pt_sequence(hal, cfgs[c].fmt, cfgs[c].coherent);
			gpuvm_mali_sim_stats(sim, &gst);
			ck_assert_uint_eq(gst.pending_pte_lines, 0);
			ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
			sims[k] = sim;
		}
		for (pa = PT_BASE; pa < PT_BASE + MiB; pa += 8) {
			/* check records passing assertions: test quietly */
			if (gpuvm_mali_sim_mem_read64(sims[0], pa, &a) ||
			    gpuvm_mali_sim_mem_read64(sims[1], pa, &b))
				ck_abort_msg("PA 0x%llx not readable",
					     (unsigned long long)pa);
			if (a != b)
				ck_abort_msg("config %u: PA 0x%llx: 0x%llx with the range op, 0x%llx without",
					     c, (unsigned long long)pa,
					     (unsigned long long)a,
					     (unsigned long long)b);
			nonzero += a != 0;
		}
		gpuvm_mali_sim_destroy(sims[0]);
		sim = sims[1];
		fx_sim_destroy();
	}
	ck_assert_uint_gt(nonzero, 3 * 512);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("mali_sim");
	TCase *tc;

	tc = tcase_create("setup");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_create_nomem);
	tcase_add_test(tc, test_registers);
	tcase_add_test(tc, test_trace);
	tcase_add_test(tc, test_power_off);
	tcase_add_test(tc, test_clock_saturates);
	suite_add_tcase(s, tc);

	tc = tcase_create("translation");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_translate_a64);
	tcase_add_test(tc, test_faults_a64);
	tcase_add_test(tc, test_a64_39bit);
	tcase_add_test(tc, test_lpae);
	tcase_add_test(tc, test_lpae_only);
	tcase_add_test(tc, test_transtab_bus_fault);
	tcase_add_test(tc, test_transtab_bus_fault_csf);
	tcase_add_test(tc, test_tlb_capacity);
	suite_add_tcase(s, tc);

	tc = tcase_create("coherence");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_stale_tlb_then_flush);
	tcase_add_test(tc, test_stale_ptw);
	tcase_add_test(tc, test_coherent_walk);
	tcase_add_test(tc, test_pt_freed);
	tcase_add_test(tc, test_visibility_wc);
	tcase_add_test(tc, test_visibility_cached);
	tcase_add_test(tc, test_visibility_coherent);
	suite_add_tcase(s, tc);

	tc = tcase_create("range store");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_range_visibility);
	tcase_add_test(tc, test_range_sync_runs);
	tcase_add_test(tc, test_range_visibility_wc_coherent);
	tcase_add_test(tc, test_range_bad);
	tcase_add_test(tc, test_range_equivalence);
	suite_add_tcase(s, tc);

	tc = tcase_create("commands");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_lock_region);
	tcase_add_test(tc, test_strict);
	tcase_add_test(tc, test_busy_status);
	tcase_add_test(tc, test_busy_random);
	tcase_add_test(tc, test_update_staging);
	tcase_add_test(tc, test_stuck);
	tcase_add_test(tc, test_gpu_flush);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_irq);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(sim_suite());
}
