/* SPDX-License-Identifier: MIT */
/*
 * The simulated-GPU fixture the Mali test files share: one simulator per
 * test, reached through the file-scope `sim` and `hal`, its page-table
 * memory at PT_BASE, short register accessors and the access-trace getters.
 *
 * Include it once per test program, after "../support.h".  Everything is
 * static (and inline where a file may not use it), so each test program has
 * its own copy and no program needs all of it.
 */
#ifndef GPUVM_TESTS_MALI_SIM_FIXTURE_H
#define GPUVM_TESTS_MALI_SIM_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gpuvm/mali_hal.h>
#include <gpuvm/mali_regs.h>
#include <gpuvm/mali_sim.h>

#include "../support.h"

#define MiB		(1ull << 20)
/* Where the tests put the simulator memory that holds page tables. */
#define PT_BASE		0x80000000ull
/* Register @r of address space @as, e.g. REG(0, STATUS). */
#define REG(as, r)	GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_##r)

static struct gpuvm_mali_sim *sim;
static struct gpuvm_mali_hal *hal;

/* check fixtures: count every allocation, so finish can spot leaks */
static inline void fx_setup(void)
{
	ts_alloc_install();
}

static inline void fx_teardown(void)
{
	ts_alloc_uninstall();
}

/* The simulator of @cfg with @pt_bytes of memory at PT_BASE. */
static inline void fx_sim_create(const struct gpuvm_mali_sim_config *cfg,
				 uint64_t pt_bytes)
{
	ck_assert_int_eq(gpuvm_mali_sim_create(cfg, &sim), 0);
	ck_assert_int_eq(gpuvm_mali_sim_add_memory(sim, PT_BASE, pt_bytes), 0);
	hal = gpuvm_mali_sim_hal(sim);
}

/* The same with @family's default configuration. */
static inline void fx_sim_create_family(enum gpuvm_mali_sim_family family,
					uint64_t pt_bytes)
{
	struct gpuvm_mali_sim_config cfg;

	gpuvm_mali_sim_config_init(&cfg, family);
	fx_sim_create(&cfg, pt_bytes);
}

/* Destroy the simulator; everything the test allocated must be freed. */
static inline void fx_sim_destroy(void)
{
	gpuvm_mali_sim_destroy(sim);
	sim = NULL;
	hal = NULL;
	ck_assert_int_eq(ts_alloc_live(), 0);
}

static inline uint32_t rd(uint32_t off)
{
	return gpuvm_mali_rd32(hal, off);
}

static inline void wr(uint32_t off, uint32_t v)
{
	gpuvm_mali_wr32(hal, off, v);
}

/* Register accesses the simulator has traced so far. */
static inline uint64_t tcount(void)
{
	return gpuvm_mali_sim_trace_count(sim);
}

/* Traced access @i (it must exist). */
static inline struct gpuvm_mali_sim_trace_entry tget(uint64_t i)
{
	struct gpuvm_mali_sim_trace_entry e;

	ck_assert_int_eq(gpuvm_mali_sim_trace_get(sim, i, &e), 0);
	return e;
}

/* Print the first protocol violations the simulator logged, after @ctx. */
static inline void fx_dump_violations(const char *ctx)
{
	size_t i, n = gpuvm_mali_sim_violation_count(sim);

	for (i = 0; i < n && i < 8; i++) {
		const struct gpuvm_mali_sim_violation *v =
			gpuvm_mali_sim_violation_get(sim, i);

		if (v)
			fprintf(stderr, "%s: violation %s: %s\n", ctx,
				gpuvm_mali_sim_violation_name(v->code), v->msg);
	}
}

#endif /* GPUVM_TESTS_MALI_SIM_FIXTURE_H */
