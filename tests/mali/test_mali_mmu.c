// SPDX-License-Identifier: MIT
/*
 * Layer 4 of the Mali backend against the simulator: GPU discovery, the
 * lock-region encoding, AS enable/disable, the page-table update windows
 * (exact register traces), AS_ACTIVE and flush timeouts, slot allocation
 * with LRU eviction, and the MMU interrupt path.  The vectors of
 * docs/test-cases.md are marked "Tn".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_sim.h>

#include "../support.h"
#include "sim_fixture.h"

#define PG		0x1000ull
#define BUF_BASE	0x90000000ull

static struct gpuvm_mali_mmu *mmu;

/* A simulator with 1 MiB of page tables and 1 MiB of buffers, its MMU. */
static void start_cfg(const struct gpuvm_mali_sim_config *cfg)
{
	fx_sim_create(cfg, MiB);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, BUF_BASE, MiB), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &mmu), 0);
}

static void sim_cfg(struct gpuvm_mali_sim_config *cfg,
		    enum gpuvm_mali_sim_family family)
{
	gpuvm_mali_sim_config_init(cfg, family);
	cfg->trace_capacity = 4096;
}

static void start(enum gpuvm_mali_sim_family family)
{
	struct gpuvm_mali_sim_config cfg;

	sim_cfg(&cfg, family);
	start_cfg(&cfg);
}

static void finish(void)
{
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	fx_sim_destroy();
}

/* --- trace matching ---------------------------------------------------- */

/* One step of an expected trace: a write, or a poll of AS_STATUS. */
struct step {
	bool poll;		/* >= 1 reads of @off, the last with bit0 clear */
	uint32_t off;
	uint32_t value;
};

#define W(o, v)		{ false, (o), (v) }
#define POLL(as)	{ true, REG(as, STATUS), 0 }

/* The trace [from, tcount()) must be exactly @steps. */
static void expect_trace(uint64_t from, const struct step *steps, size_t n)
{
	uint64_t i = from, end = tcount();
	size_t s;

	for (s = 0; s < n; s++) {
		struct gpuvm_mali_sim_trace_entry e;

		ck_assert_msg(i < end, "trace ends before step %zu", s);
		e = tget(i);
		if (steps[s].poll) {
			ck_assert_msg(!e.write && e.offset == steps[s].off,
				      "step %zu: expected poll of 0x%x, got %s 0x%x",
				      s, steps[s].off, e.write ? "write" : "read",
				      e.offset);
			while (e.value & GPUVM_MALI_AS_STATUS_ACTIVE) {
				ck_assert(++i < end);
				e = tget(i);
				ck_assert(!e.write && e.offset == steps[s].off);
			}
			i++;
			continue;
		}
		ck_assert_msg(e.write && e.offset == steps[s].off &&
			      e.value == steps[s].value,
			      "step %zu: expected write 0x%x=0x%x, got %s 0x%x=0x%x",
			      s, steps[s].off, steps[s].value,
			      e.write ? "write" : "read", e.offset, e.value);
		i++;
	}
	ck_assert_msg(i == end, "%llu extra accesses",
		      (unsigned long long)(end - i));
}

/* Index of the first write of @value to @off in [from, tcount()), or -1. */
static long find_write(uint64_t from, uint32_t off, uint32_t value)
{
	uint64_t i;

	for (i = from; i < tcount(); i++) {
		struct gpuvm_mali_sim_trace_entry e = tget(i);

		if (e.write && e.offset == off && e.value == value)
			return (long)i;
	}
	return -1;
}

static size_t count_writes(uint64_t from, uint32_t off)
{
	size_t n = 0;
	uint64_t i;

	for (i = from; i < tcount(); i++) {
		struct gpuvm_mali_sim_trace_entry e = tget(i);

		if (e.write && e.offset == off)
			n++;
	}
	return n;
}

/* --- fault recorder ---------------------------------------------------- */

static struct gpuvm_mali_fault faults[8];
static int nfaults;

static void on_fault(const struct gpuvm_mali_fault *f, void *priv)
{
	(void)priv;
	if (nfaults < 8)
		faults[nfaults] = *f;
	nfaults++;
}

/* ---------------------------------------------------------------------- */

/* T1-T12 */
START_TEST(test_lockaddr)
{
	static const struct {
		uint64_t start, size, want;
	} t[] = {
		{ 0x0, 0x1000, 0x000000000000000Eull },			/* T1 */
		{ 0x4000, 0x1000, 0x000000000000000Eull },		/* T2 */
		{ 0x8000, 0x8000, 0x000000000000800Eull },		/* T3 */
		{ 0x10000, 0x10000, 0x000000000001000Full },		/* T4 */
		{ 0x4F000, 0x2000, 0x0000000000040010ull },		/* T5 */
		{ 0x1FF000, 0x2000, 0x0000000000000015ull },		/* T6 */
		{ 0x1000000, 0x200000, 0x0000000001000014ull },		/* T7 */
		{ 0x40000000, 0x200000, 0x0000000040000014ull },	/* T8 */
		{ 0x200000, 0x400000, 0x0000000000000016ull },		/* T9 */
		{ 0x7FFFFFFFF000, 0x1000, 0x00007FFFFFFF800Eull },	/* T10 */
		{ 0x0, UINT64_MAX, 0x000000000000003Full },		/* T11 */
		{ 0x1000, UINT64_MAX, 0x000000000000003Full },	/* wraps */
		{ 1ull << 47, 1ull << 47, 0x0000800000000000ull | 46 },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(gpuvm_mali_lockaddr(t[i].start, t[i].size, &v), 0);
		ck_assert_msg(v == t[i].want, "case %zu: 0x%llx", i,
			      (unsigned long long)v);
	}
	/* T12 */
	ck_assert_int_eq(gpuvm_mali_lockaddr(0x1000, 0, &v), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_lockaddr(0x1000, 0x1000, NULL), -EINVAL);
}
END_TEST

/* T12 through the update window: no LOCKADDR, no LOCK, no flush. */
START_TEST(test_empty_update)
{
	struct gpuvm_mali_as_client c;
	int f;

	for (f = 0; f < 2; f++) {
		uint64_t t0;

		start(f ? GPUVM_MALI_SIM_CSF : GPUVM_MALI_SIM_JM);
		gpuvm_mali_as_client_init(&c, 0, 0,
					  GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
		ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
		t0 = tcount();
		ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0), 0);
		ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0),
				 -EBUSY);
		ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0), 0);
		ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0),
				 -EINVAL);
		ck_assert_uint_eq(tcount(), t0);
		ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
		finish();
	}
}
END_TEST

/* T30-T34 */
START_TEST(test_decode)
{
	struct gpuvm_mali_gpu_info i;

	/* T31: Valhall CSF G610 */
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0xA8670000, 0x2830, 0xFF, 1, &i), 0);
	ck_assert(i.new_format);
	ck_assert_uint_eq(i.arch_major, 10);
	ck_assert_uint_eq(i.arch_minor, 8);
	ck_assert_uint_eq(i.arch_rev, 6);
	ck_assert_uint_eq(i.product_major, 7);
	ck_assert(i.csf);
	ck_assert(i.aarch64 && i.has_transcfg);
	ck_assert_int_eq(i.format, GPUVM_MALI_PT_AARCH64_4K);
	/* T30 */
	ck_assert_uint_eq(i.va_bits, 48);
	ck_assert_uint_eq(i.pa_bits, 40);
	ck_assert_uint_eq(i.as_present, 0xFF);

	/* T32: Midgard T860 */
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x08600000, 0x2827, 0xFF, 0, &i), 0);
	ck_assert(!i.new_format);
	ck_assert_uint_eq(i.product_id, 0x0860);
	ck_assert(!i.csf);
	ck_assert(!i.aarch64 && !i.has_transcfg);
	ck_assert_int_eq(i.format, GPUVM_MALI_PT_LPAE);
	ck_assert_uint_eq(i.va_bits, 39);	/* T30 */
	ck_assert_uint_eq(i.pa_bits, 40);

	/* Bifrost G52: new format, Job Manager, AArch64 */
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0x72120000, 0x2830, 0xFF, 0, &i), 0);
	ck_assert(i.new_format && !i.csf && i.aarch64);
	ck_assert_uint_eq(i.arch_major, 7);
	ck_assert_uint_eq(i.version_major, 0);

	/* powered off / absent */
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0xFFFFFFFF, 0x2830, 0xFF, 0, &i), -ENODEV);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0, 0x2830, 0xFF, 0, &i), -ENODEV);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0xA8670000, 0x2830, 0, 0, &i), -ENODEV);
	ck_assert_int_eq(gpuvm_mali_gpu_decode(0xA8670000, 0xFFFF, 1, 0, &i), -ENODEV);

	/* T33, T34 */
	ck_assert_uint_eq(REG(3, COMMAND), 0x24D8);
	ck_assert_uint_eq(REG(3, STATUS), 0x24E8);
	ck_assert_uint_eq(REG(3, TRANSCFG_LO), 0x24F0);
	ck_assert_uint_eq(REG(3, LOCKADDR_LO), 0x24D0);
	ck_assert_uint_eq(GPUVM_MALI_CSF_FLUSH_CACHES(3, 0, 0), 0x304);
	ck_assert_uint_eq(GPUVM_MALI_CSF_FLUSH_CACHES(3, 3, 0), 0x3304);
	ck_assert_uint_eq(GPUVM_MALI_CSF_FLUSH_CACHES(3, 3, 2), 0x23304);

	ck_assert_str_eq(gpuvm_mali_fault_name(0xC3), "TRANSLATION_FAULT_3");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xC7), "TRANSLATION_FAULT_IDENTITY");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xCB), "PERM_FAULT_3");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xD0), "TRANSTAB_BUS_FAULT_0");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xD9), "ACCESS_FLAG_1");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xE0), "ADDR_SIZE_FAULT_IN");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xE6), "ADDR_SIZE_FAULT_OUT_2");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xEA), "MEM_ATTR_FAULT_2");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xEF), "MEM_ATTR_NONCACHE_3");
	ck_assert_str_eq(gpuvm_mali_fault_name(0x80), "GPU_BUS_FAULT");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xC5), "UNKNOWN");
	ck_assert_str_eq(gpuvm_mali_fault_name(0xF0), "UNKNOWN");
	ck_assert_str_eq(gpuvm_mali_fault_name(0x04), "UNKNOWN");
	ck_assert_str_eq(gpuvm_mali_access_name(3), "WRITE");
	ck_assert_str_eq(gpuvm_mali_access_name(4), "UNKNOWN");
}
END_TEST

/* T31/T32 through the simulator's registers; powered-off GPU. */
START_TEST(test_probe)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_gpu_info i;

	start(GPUVM_MALI_SIM_CSF);
	ts_warn_capture();
	ck_assert_int_eq(gpuvm_mali_gpu_probe(hal, &i), 0);
	ck_assert(i.csf && i.aarch64);
	ck_assert_uint_eq(i.gpu_id, 0xA8670000);
	ck_assert_uint_eq(gpuvm_mali_mmu_info(mmu)->as_present, 0xFF);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK), 0xFF);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_POWER_OFF, 0, 1), 0);
	ck_assert_int_eq(gpuvm_mali_gpu_probe(hal, &i), -ENODEV);
	ck_assert_int_eq(gpuvm_mali_mmu_handle_irq(mmu), -ENODEV);
	ck_assert(gpuvm_mali_mmu_needs_reset(mmu));
	gpuvm_mali_mmu_destroy(mmu);
	mmu = NULL;
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &mmu), -ENODEV);
	gpuvm_mali_sim_destroy(sim);
	sim = NULL;

	sim_cfg(&cfg, GPUVM_MALI_SIM_JM);
	cfg.gpu_id = 0x08600000;
	cfg.mmu_features = 0x2827;
	cfg.formats = GPUVM_MALI_SIM_FMT_LPAE;
	start_cfg(&cfg);
	ck_assert(!gpuvm_mali_mmu_info(mmu)->csf);
	ck_assert_int_eq(gpuvm_mali_mmu_info(mmu)->format, GPUVM_MALI_PT_LPAE);
	/* JM: page and bus fault bits of every present slot */
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK), 0x00FF00FF);
	finish();
}
END_TEST

/* T53: CSF enable; T29: disable */
START_TEST(test_enable_disable_trace)
{
	const uint64_t tt = 0x80000000ull, ma = 0x4C4C4C4C8C4C8F4Cull;
	const uint64_t tc = 0x420001C6ull;
	struct gpuvm_mali_as_client c;
	uint64_t t0;

	start(GPUVM_MALI_SIM_CSF);
	gpuvm_mali_as_client_init(&c, tt, ma, tc);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
	{
		const struct step s[] = {
			W(REG(0, TRANSTAB_LO), 0x80000000), W(REG(0, TRANSTAB_HI), 0),
			W(REG(0, MEMATTR_LO), 0x8C4C8F4C), W(REG(0, MEMATTR_HI), 0x4C4C4C4C),
			W(REG(0, TRANSCFG_LO), 0x420001C6), W(REG(0, TRANSCFG_HI), 0),
			POLL(0), W(REG(0, COMMAND), GPUVM_MALI_AS_COMMAND_UPDATE),
			POLL(0),
		};
		expect_trace(t0, s, sizeof(s) / sizeof(s[0]));
	}
	ck_assert_int_eq(c.as, 0);
	/* binding again keeps the slot and touches no register */
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
	ck_assert_uint_eq(tcount(), t0);

	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &c), 0);
	ck_assert_int_eq(c.as, -1);
	{
		const uint32_t done = GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED;
		long i = find_write(t0, GPUVM_MALI_GPU_CMD, 0x23304);
		const struct step s[] = {
			W(REG(0, TRANSTAB_LO), 0), W(REG(0, TRANSTAB_HI), 0),
			W(REG(0, MEMATTR_LO), 0), W(REG(0, MEMATTR_HI), 0),
			W(REG(0, TRANSCFG_LO), 1), W(REG(0, TRANSCFG_HI), 0),
			W(REG(0, COMMAND), GPUVM_MALI_AS_COMMAND_UPDATE),
			POLL(0),
		};
		uint64_t j;

		ck_assert_int_ge(i, 0);
		/* after the flush: RAWSTAT polls, clear bit17, one STATUS poll */
		for (j = (uint64_t)i + 1; ; j++) {
			struct gpuvm_mali_sim_trace_entry e = tget(j);

			if (e.write) {
				ck_assert_uint_eq(e.offset, GPUVM_MALI_GPU_INT_CLEAR);
				ck_assert_uint_eq(e.value, done);
				break;
			}
			ck_assert_uint_eq(e.offset, GPUVM_MALI_GPU_INT_RAWSTAT);
		}
		j++;
		ck_assert_uint_eq(tget(j).offset, REG(0, STATUS));
		expect_trace(j + 1, s, sizeof(s) / sizeof(s[0]));
	}
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* T52: JM commit of (0x10000, 0x1000) */
START_TEST(test_jm_update_trace)
{
	struct gpuvm_mali_as_client c;
	uint64_t t0;

	start(GPUVM_MALI_SIM_JM);
	gpuvm_mali_as_client_init(&c, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0x1000), 0);
	ck_assert_uint_eq(tcount(), t0);	/* JM locks after the edits */
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0), 0);
	{
		const struct step s[] = {
			POLL(0),
			W(REG(0, LOCKADDR_LO), 0x0001000E), W(REG(0, LOCKADDR_HI), 0),
			W(REG(0, COMMAND), GPUVM_MALI_AS_COMMAND_LOCK), POLL(0),
			W(REG(0, COMMAND), GPUVM_MALI_AS_COMMAND_FLUSH_PT), POLL(0),
		};
		expect_trace(t0, s, sizeof(s) / sizeof(s[0]));
	}
	/* UPDATE_MEM selects FLUSH_MEM */
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0x1000), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL,
						   GPUVM_MALI_MMU_UPDATE_MEM), 0);
	ck_assert_int_ge(find_write(t0, REG(0, COMMAND),
				    GPUVM_MALI_AS_COMMAND_FLUSH_MEM), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* CSF window: LOCK at begin, stalls accesses, flush + UNLOCK at end. */
START_TEST(test_csf_update_trace)
{
	const uint32_t done = GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED;
	struct gpuvm_mali_as_client c;
	uint64_t t0, base;
	unsigned int log2;
	long i;

	start(GPUVM_MALI_SIM_CSF);
	gpuvm_mali_as_client_init(&c, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x4F000, 0x2000), 0);
	{
		const struct step s[] = {
			POLL(0),
			W(REG(0, LOCKADDR_LO), 0x00040010), W(REG(0, LOCKADDR_HI), 0),
			W(REG(0, COMMAND), GPUVM_MALI_AS_COMMAND_LOCK), POLL(0),
		};
		expect_trace(t0, s, sizeof(s) / sizeof(s[0]));
	}
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 0, &base, &log2), 1);
	ck_assert_uint_eq(base, 0x40000);
	ck_assert_uint_eq(log2, 17);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, 0, 0x50000, GPUVM_MALI_SIM_READ,
					       0, NULL), GPUVM_MALI_SIM_STALLED);
	/* neither eviction nor UPDATE may happen inside the window */
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &c), -EBUSY);
	ts_warn_capture();
	ck_assert_int_eq(gpuvm_mali_mmu_as_enable(mmu, 0, 0, 0, 1), -EBUSY);
	ck_assert_int_eq(ts_warn_count(), 1);

	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0), 0);
	i = find_write(t0, GPUVM_MALI_GPU_CMD, 0x304);
	ck_assert_int_ge(i, 0);
	ck_assert_int_gt(find_write((uint64_t)i, GPUVM_MALI_GPU_INT_CLEAR, done), i);
	ck_assert_int_gt(find_write((uint64_t)i, REG(0, COMMAND),
				    GPUVM_MALI_AS_COMMAND_UNLOCK), i);
	ck_assert_uint_eq(tget(tcount() - 1).offset, REG(0, STATUS));
	ck_assert_int_eq(gpuvm_mali_sim_lock_region(sim, 0, NULL, NULL), 0);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_GPU_INT_RAWSTAT) & done, 0);

	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0, 0x1000), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL,
						   GPUVM_MALI_MMU_UPDATE_MEM), 0);
	ck_assert_int_ge(find_write(t0, GPUVM_MALI_GPU_CMD, 0x3304), 0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* T54: AS_ACTIVE stuck */
START_TEST(test_stuck)
{
	struct gpuvm_mali_sim_as_stats as0, as1;
	struct gpuvm_mali_as_client c, d;
	struct gpuvm_mali_mmu_stats st;
	uint64_t t0, ns0;

	start(GPUVM_MALI_SIM_CSF);
	ts_warn_capture();
	gpuvm_mali_as_client_init(&c, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	gpuvm_mali_as_client_init(&d, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_AS_STUCK, 0, 1), 0);
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 0, &as0), 0);
	ns0 = hal->ops->now_ns(hal);
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0x1000),
			 -ETIMEDOUT);
	ck_assert_uint_ge(hal->ops->now_ns(hal) - ns0, 100000000ull);
	ck_assert_uint_le(hal->ops->now_ns(hal) - ns0, 100000000ull + 10000);
	ck_assert(gpuvm_mali_mmu_needs_reset(mmu));
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert(!c.updating);
	/* the poll found the slot busy: no command was accepted */
	ck_assert_int_eq(gpuvm_mali_sim_as_stats(sim, 0, &as1), 0);
	ck_assert_uint_eq(as1.commands, as0.commands);
	ck_assert_uint_eq(count_writes(tcount() - 100, REG(0, COMMAND)), 0);

	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0x1000), -EIO);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &d), -EIO);
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &c), -EIO);
	ck_assert_int_eq(gpuvm_mali_mmu_as_enable(mmu, 1, 0, 0, 1), -EIO);
	ck_assert_int_eq(gpuvm_mali_mmu_as_disable(mmu, 1), -EIO);
	ck_assert_int_eq(gpuvm_mali_mmu_wait_ready(mmu, 1), -EIO);
	ck_assert_uint_eq(tcount(), t0);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count_code(sim,
				GPUVM_MALI_SIM_V_CMD_WHILE_BUSY), 0);
	gpuvm_mali_mmu_stats(mmu, &st);
	ck_assert_uint_eq(st.timeouts, 1);
	ck_assert_uint_ge(st.busy_polls, 10000);

	/* after a GPU reset the MMU works again */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_GPU_RESET, 0, 0), 0);
	gpuvm_mali_mmu_reset_done(mmu);
	ck_assert(!gpuvm_mali_mmu_needs_reset(mmu));
	ck_assert_int_eq(c.as, -1);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &d), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 1);
	ck_assert_int_eq(gpuvm_mali_mmu_wait_ready(mmu, 9), -EINVAL);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* CSF: a cache flush that never completes */
START_TEST(test_flush_hang)
{
	struct gpuvm_mali_as_client c;
	uint64_t ns0;

	start(GPUVM_MALI_SIM_CSF);
	ts_warn_capture();
	gpuvm_mali_as_client_init(&c, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0x1000), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_FLUSH_HANG, 0, 1), 0);
	ns0 = hal->ops->now_ns(hal);
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, NULL, 0), -ETIMEDOUT);
	ck_assert_uint_ge(hal->ops->now_ns(hal) - ns0, 100000000ull);
	ck_assert_uint_le(hal->ops->now_ns(hal) - ns0, 100000000ull + 10000);
	ck_assert(gpuvm_mali_mmu_needs_reset(mmu));
	ck_assert(!c.updating);
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, 0x10000, 0x1000), -EIO);
	ck_assert_int_eq(ts_warn_count(), 1);
	finish();
}
END_TEST

/* T60: AS_PRESENT 0x3, three clients */
START_TEST(test_lru)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_as_client a, b, c;
	struct gpuvm_mali_mmu_stats st;
	uint64_t t0;
	long dis, en;

	sim_cfg(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.as_present = 0x3;
	start_cfg(&cfg);
	gpuvm_mali_as_client_init(&a, 0x80000000, 0x4C4C4C4C8C4C8F4Cull, 0x420001C6);
	gpuvm_mali_as_client_init(&b, 0x80001000, 0x4C4C4C4C8C4C8F4Cull, 0x420001C6);
	gpuvm_mali_as_client_init(&c, 0x80002000, 0x4C4C4C4C8C4C8F4Cull, 0x420001C6);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &a), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &b), 1);

	/* a is least recently used: c takes AS0, disabled first */
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 0);
	ck_assert_int_eq(a.as, -1);
	dis = find_write(t0, REG(0, TRANSCFG_LO), 1);
	en = find_write(t0, REG(0, TRANSTAB_LO), 0x80002000);
	ck_assert_int_ge(dis, 0);
	ck_assert_int_gt(en, dis);
	ck_assert_uint_eq(count_writes(t0, REG(0, COMMAND)), 2);	/* 2x UPDATE */

	/* using b makes c the oldest */
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &b), 1);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &a), 0);
	ck_assert_int_eq(c.as, -1);

	/* busy clients are never evicted */
	a.active_jobs = 1;
	b.active_jobs = 1;
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), -EBUSY);
	ck_assert_uint_eq(tcount(), t0);
	b.active_jobs = 0;
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), 1);
	ck_assert_int_eq(b.as, -1);

	/* a client in an update window is busy too */
	a.active_jobs = 0;
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &a, 0, PG), 0);
	c.active_jobs = 1;
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &b), -EBUSY);
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &a, NULL, 0), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &b), 0);

	gpuvm_mali_mmu_stats(mmu, &st);
	ck_assert_uint_eq(st.evictions, 4);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* T57: JM, RAWSTAT 0x00010002 */
START_TEST(test_irq_jm_order)
{
	struct gpuvm_mali_as_client a, b;
	uint64_t t0, i;
	uint32_t clears[4];
	int n = 0;

	start(GPUVM_MALI_SIM_JM);
	gpuvm_mali_mmu_set_fault_handler(mmu, on_fault, NULL);
	nfaults = 0;
	gpuvm_mali_as_client_init(&a, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	gpuvm_mali_as_client_init(&b, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &a), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &b), 1);
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 1,
			GPUVM_MALI_FAULTSTATUS(0xC1, 3, 0x55), 0x123000, false), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 0,
			GPUVM_MALI_FAULTSTATUS(0xD2, 2, 7), 0x456000, true), 0);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_RAWSTAT), 0x00010002);

	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 1000), 1);
	for (i = t0; i < tcount(); i++) {
		struct gpuvm_mali_sim_trace_entry e = tget(i);

		if (e.write && e.offset == GPUVM_MALI_MMU_INT_CLEAR && n < 4)
			clears[n++] = e.value;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(clears[0], 0x00010001);
	ck_assert_uint_eq(clears[1], 0x00020002);
	ck_assert_int_eq(nfaults, 2);
	ck_assert_uint_eq(faults[0].as, 0);
	ck_assert(faults[0].bus_fault);
	ck_assert(faults[0].client == &a);
	ck_assert_uint_eq(faults[0].exception_type, 0xD2);
	ck_assert_uint_eq(faults[0].access_type, GPUVM_MALI_ACCESS_READ);
	ck_assert_uint_eq(faults[0].source_id, 7);
	ck_assert_uint_eq(faults[0].address, 0x456000);
	ck_assert_str_eq(faults[0].name, "TRANSTAB_BUS_FAULT_2");
	ck_assert_uint_eq(faults[1].as, 1);
	ck_assert(!faults[1].bus_fault);
	ck_assert_uint_eq(faults[1].exception_type, 0xC1);
	ck_assert_uint_eq(faults[1].access_type, GPUVM_MALI_ACCESS_WRITE);
	ck_assert_uint_eq(faults[1].source_id, 0x55);
	ck_assert_uint_eq(faults[1].address, 0x123000);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(gpuvm_mali_mmu_faulty_mask(mmu), 0x3);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK), 0x00FC00FC);

	/* rebinding re-enables the slot and unmasks it */
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &a), 0);
	ck_assert_uint_eq(gpuvm_mali_mmu_faulty_mask(mmu), 0x2);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK), 0x00FD00FD);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* T58, spurious interrupts, missed events, masked faulty AS, CSF bits */
START_TEST(test_irq_loop)
{
	struct gpuvm_mali_as_client a;
	struct gpuvm_mali_sim_stats ss;
	struct gpuvm_mali_mmu_stats st;
	uint64_t t0;

	start(GPUVM_MALI_SIM_CSF);
	ts_warn_capture();
	gpuvm_mali_mmu_set_fault_handler(mmu, on_fault, NULL);
	nfaults = 0;
	gpuvm_mali_as_client_init(&a, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &a), 0);

	/* nothing pending: timeout */
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 0);

	/* spurious: one read of MMU_INT_STAT, no write, re-armed */
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ, 0, 0), 0);
	t0 = tcount();
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 1);
	ck_assert_uint_eq(tcount(), t0 + 1);
	ck_assert_uint_eq(tget(t0).offset, GPUVM_MALI_MMU_INT_STAT);
	gpuvm_mali_sim_stats(sim, &ss);
	ck_assert(ss.irq_enabled);
	ck_assert_int_eq(nfaults, 0);

	/* a real fault: delivered once, cleared before the re-arm */
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, 0, 0x20000, GPUVM_MALI_SIM_READ,
					       3, NULL), GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 1);
	ck_assert_int_eq(nfaults, 1);
	ck_assert_uint_eq(faults[0].status, 0x000302C0);	/* unmapped: level 0 */
	ck_assert_uint_eq(faults[0].address, 0x20000);
	gpuvm_mali_sim_stats(sim, &ss);
	ck_assert_uint_eq(ss.irq_retriggers, 0);
	ck_assert(ss.irq_enabled);
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 0);

	/* the slot stays stalled until a flush: a new fault is suppressed */
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 0, 0xC3, 0x5000, false), 1);
	/* after an update window (UNLOCK) a new fault latches but stays masked */
	ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &a, 0, PG), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &a, NULL, 0), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject_fault(sim, 0, 0xC3, 0x5000, false), 0);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_RAWSTAT) & 0xFFFF, 1);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_STAT), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 0);
	ck_assert_int_eq(nfaults, 1);
	/* re-enabling clears the stale bit before unmasking */
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &a), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 0);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK), 0xFF);

	/* CSF: REQ_COMPLETE bits 16+ are never enabled nor cleared */
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK) >> 16, 0);

	/* the event counter jumps by 3: two interrupts missed */
	ck_assert_int_eq(ts_warn_count(), 0);
	ck_assert_int_eq(gpuvm_mali_sim_inject(sim, GPUVM_MALI_SIM_INJ_EVENT_JUMP, 0, 3), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 1);
	gpuvm_mali_mmu_stats(mmu, &st);
	ck_assert_uint_eq(st.missed_irqs, 2);
	ck_assert_uint_eq(st.irqs, 3);
	ck_assert_uint_eq(st.spurious_irqs, 2);
	ck_assert_uint_eq(st.faults, 1);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* Two slots fault at once: one wakeup, ascending order; unbacked root. */
START_TEST(test_irq_two_slots)
{
	struct gpuvm_mali_as_client a, b, x;

	start(GPUVM_MALI_SIM_CSF);
	gpuvm_mali_mmu_set_fault_handler(mmu, on_fault, NULL);
	nfaults = 0;
	gpuvm_mali_as_client_init(&x, 0, 0, GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	gpuvm_mali_as_client_init(&a, 0xA0000000ull,
				  GPUVM_MALI_MEMATTR_AARCH64_NONCOHERENT, 0x420001C6);
	gpuvm_mali_as_client_init(&b, 0xA0000000ull,
				  GPUVM_MALI_MEMATTR_AARCH64_NONCOHERENT, 0x420001C6);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &a), 0);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &x), 1);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &b), 2);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, 2, 0x7000, GPUVM_MALI_SIM_WRITE,
					       1, NULL), GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, 0, 0x9000, GPUVM_MALI_SIM_EXEC,
					       2, NULL), GPUVM_MALI_SIM_FAULT);
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 1);
	ck_assert_int_eq(nfaults, 2);
	ck_assert_uint_eq(faults[0].as, 0);
	ck_assert(faults[0].client == &a);
	ck_assert_str_eq(faults[0].name, "TRANSTAB_BUS_FAULT_0");
	ck_assert_uint_eq(faults[0].access_type, GPUVM_MALI_ACCESS_EXECUTE);
	ck_assert_uint_eq(faults[0].address, 0x9000);
	ck_assert_uint_eq(faults[1].as, 2);
	ck_assert(faults[1].client == &b);
	ck_assert_uint_eq(faults[1].access_type, GPUVM_MALI_ACCESS_WRITE);
	ck_assert_uint_eq(faults[1].address, 0x7000);
	ck_assert_uint_eq(gpuvm_mali_mmu_faulty_mask(mmu), 0x5);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_MASK), 0xFA);
	ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 100), 0);
	/* unbinding a faulty slot is allowed; it stays masked until reused */
	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &b), 0);
	ck_assert_uint_eq(gpuvm_mali_mmu_faulty_mask(mmu), 0x5);
	ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &x), 1);
	ck_assert_int_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}
END_TEST

/* T42/T44 end to end: page tables in simulator memory, map, access, unmap */
static void full_flow(const struct gpuvm_mali_sim_config *cfg)
{
	struct gpuvm_mali_pt_reserve res = GPUVM_MALI_PT_RESERVE_INIT;
	const unsigned int prot = GPUVM_MALI_PT_READ | GPUVM_MALI_PT_WRITE |
				  GPUVM_MALI_PT_CACHED;
	const struct gpuvm_mali_gpu_info *info;
	struct gpuvm_mali_pt_config pcfg;
	struct gpuvm_mali_ptmem *mem;
	struct gpuvm_mali_pgtable *pt;
	struct gpuvm_mali_as_client c;
	struct gpuvm_mali_pt_range touched;
	uint64_t pa, va = 0x10000;
	size_t deferred;
	int as, i, r;

	start_cfg(cfg);
	gpuvm_mali_mmu_set_fault_handler(mmu, on_fault, NULL);
	nfaults = 0;
	info = gpuvm_mali_mmu_info(mmu);

	ck_assert_int_eq(gpuvm_mali_ptmem_create(hal, &mem), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_pool(mem, PT_BASE, MiB), 0);
	ck_assert_int_eq(gpuvm_mali_ptmem_add_output_range(mem, BUF_BASE, MiB), 0);
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.format = info->format;
	pcfg.ias = info->va_bits;
	pcfg.oas = info->pa_bits;
	pcfg.coherent = false;
	ck_assert_int_eq(gpuvm_mali_pt_create(mem, &pcfg, &pt), 0);
	gpuvm_mali_as_client_init(&c, gpuvm_mali_pt_transtab(pt),
				  gpuvm_mali_pt_memattr(pcfg.format, false),
				  gpuvm_mali_pt_transcfg_encode(pcfg.format,
								pcfg.ias, false));
	/* occupy AS0 with another client first, so a non-zero slot is used */
	{
		struct gpuvm_mali_as_client other;

		gpuvm_mali_as_client_init(&other, 0, 0,
					  GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
		ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &other), 0);
		as = gpuvm_mali_mmu_bind(mmu, &c);
		ck_assert_int_eq(as, 1);
		ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &other), 0);
	}

	for (i = 0; i < 2; i++) {
		/* map one page inside an update window */
		ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem,
				gpuvm_mali_pt_map_reserve_pages(pt, va, PG)), 0);
		ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, va, PG), 0);
		ck_assert_int_eq(gpuvm_mali_pt_map(pt, va, BUF_BASE + 0x3000, PG,
						   prot, &res), 0);
		ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, mem, 0), 0);
		gpuvm_mali_pt_reserve_release(&res);

		pa = 0;
		r = gpuvm_mali_sim_access(sim, (unsigned int)as, va + 0x10,
					  GPUVM_MALI_SIM_READ, 9, &pa);
		ck_assert_int_eq(r, GPUVM_MALI_SIM_OK);
		ck_assert_uint_eq(pa, BUF_BASE + 0x3010);
		ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, (unsigned int)as,
							       va, PG), 0);

		/* T44: unmap in a window, the access faults */
		ck_assert_int_eq(gpuvm_mali_pt_reserve_fill(&res, mem,
				gpuvm_mali_pt_unmap_reserve_pages(va, PG)), 0);
		ck_assert_int_eq(gpuvm_mali_mmu_begin_update(mmu, &c, va, PG), 0);
		ck_assert_int_eq(gpuvm_mali_pt_unmap(pt, va, PG, &res, &touched), 0);
		ck_assert_int_eq(gpuvm_mali_mmu_end_update(mmu, &c, mem, 0), 0);
		gpuvm_mali_pt_reserve_release(&res);
		ck_assert_int_eq(gpuvm_mali_sim_check_coherent(sim, (unsigned int)as,
							       va, PG), 0);
		gpuvm_mali_ptmem_stats(mem, NULL, NULL, &deferred);
		ck_assert_uint_eq(deferred, 0);

		r = gpuvm_mali_sim_access(sim, (unsigned int)as, va + 0x10,
					  GPUVM_MALI_SIM_READ, 9, NULL);
		ck_assert_int_eq(r, GPUVM_MALI_SIM_FAULT);
		ck_assert_uint_eq(gpuvm_mali_rd32(hal, REG(as, FAULTSTATUS)),
				  0x000902C3);
		/* CSF: bits 16+ are command-completion events, not faults */
		ck_assert_uint_eq(gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_INT_RAWSTAT) &
				  (info->csf ? 0xFFFFu : 0xFFFFFFFFu), 1u << as);

		ck_assert_int_eq(gpuvm_mali_mmu_irq_loop_once(mmu, 1000), 1);
		ck_assert_int_eq(nfaults, i + 1);
		ck_assert_uint_eq(faults[i].as, (unsigned int)as);
		ck_assert(faults[i].client == &c);
		ck_assert_uint_eq(faults[i].status, 0x000902C3);
		ck_assert_uint_eq(faults[i].exception_type, 0xC3);
		ck_assert_uint_eq(faults[i].access_type, GPUVM_MALI_ACCESS_READ);
		ck_assert_uint_eq(faults[i].source_id, 9);
		ck_assert_uint_eq(faults[i].address, va + 0x10);
		ck_assert_str_eq(faults[i].name, "TRANSLATION_FAULT_3");
		ck_assert_uint_eq(gpuvm_mali_mmu_faulty_mask(mmu), 1u << as);

		/* the fault is handled: re-enable the slot and go again */
		ck_assert_int_eq(gpuvm_mali_mmu_bind(mmu, &c), as);
		ck_assert_uint_eq(gpuvm_mali_mmu_faulty_mask(mmu), 0);
	}
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);

	ck_assert_int_eq(gpuvm_mali_mmu_unbind(mmu, &c), 0);
	ck_assert_int_eq(gpuvm_mali_sim_access(sim, (unsigned int)as, va,
					       GPUVM_MALI_SIM_READ, 0, NULL),
			 GPUVM_MALI_SIM_FAULT);
	gpuvm_mali_pt_destroy(pt);
	gpuvm_mali_ptmem_flush_done(mem);
	gpuvm_mali_ptmem_destroy(mem);
	ck_assert_uint_eq(gpuvm_mali_sim_violation_count(sim), 0);
	finish();
}

START_TEST(test_full_flow_csf)
{
	struct gpuvm_mali_sim_config cfg;

	sim_cfg(&cfg, GPUVM_MALI_SIM_CSF);
	full_flow(&cfg);
}
END_TEST

START_TEST(test_full_flow_jm)
{
	struct gpuvm_mali_sim_config cfg;

	sim_cfg(&cfg, GPUVM_MALI_SIM_JM);
	cfg.busy_random = true;
	cfg.busy_reads = 5;
	cfg.seed = 42;
	full_flow(&cfg);
}
END_TEST

START_TEST(test_full_flow_midgard)
{
	struct gpuvm_mali_sim_config cfg;

	sim_cfg(&cfg, GPUVM_MALI_SIM_JM);
	cfg.gpu_id = 0x08600000;
	cfg.mmu_features = 0x2827;
	cfg.formats = GPUVM_MALI_SIM_FMT_LPAE;
	full_flow(&cfg);
}
END_TEST

START_TEST(test_full_flow_cached)
{
	struct gpuvm_mali_sim_config cfg;

	sim_cfg(&cfg, GPUVM_MALI_SIM_CSF);
	cfg.visibility = GPUVM_MALI_SIM_VIS_CACHED;
	cfg.strict = true;
	full_flow(&cfg);
}
END_TEST

/* Allocation failure in create leaves nothing behind. */
START_TEST(test_create_nomem)
{
	struct gpuvm_mali_sim_config cfg;
	struct gpuvm_mali_mmu *m = NULL;

	sim_cfg(&cfg, GPUVM_MALI_SIM_CSF);
	ck_assert_int_eq(gpuvm_mali_sim_create(&cfg, &sim), 0);
	hal = gpuvm_mali_sim_hal(sim);
	ts_alloc_fail_at(1, 0);
	ck_assert_int_eq(gpuvm_mali_mmu_create(hal, NULL, &m), -ENOMEM);
	ts_alloc_fail_at(0, 0);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(gpuvm_mali_mmu_create(NULL, NULL, &m), -EINVAL);
	gpuvm_mali_mmu_destroy(NULL);
	finish();
}
END_TEST

static Suite *mmu_suite(void)
{
	Suite *s = suite_create("mali_mmu");
	TCase *tc;

	tc = tcase_create("encode");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_lockaddr);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_create_nomem);
	suite_add_tcase(s, tc);

	tc = tcase_create("sequences");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_empty_update);
	tcase_add_test(tc, test_enable_disable_trace);
	tcase_add_test(tc, test_jm_update_trace);
	tcase_add_test(tc, test_csf_update_trace);
	tcase_add_test(tc, test_stuck);
	tcase_add_test(tc, test_flush_hang);
	tcase_add_test(tc, test_lru);
	suite_add_tcase(s, tc);

	tc = tcase_create("irq");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_irq_jm_order);
	tcase_add_test(tc, test_irq_loop);
	tcase_add_test(tc, test_irq_two_slots);
	suite_add_tcase(s, tc);

	tc = tcase_create("flow");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_full_flow_csf);
	tcase_add_test(tc, test_full_flow_jm);
	tcase_add_test(tc, test_full_flow_midgard);
	tcase_add_test(tc, test_full_flow_cached);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(mmu_suite());
}
