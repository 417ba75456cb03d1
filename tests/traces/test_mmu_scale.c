// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay --mmu=sim at the scale of real applications, run in process
 * (the replay tool's own sources) so that a test can reach the simulator
 * between two trace lines:
 *
 *  - a generated Vulkan-style trace with tens of GiB of BOs replays with
 *    status 0 and prints exactly what the plain replay prints, while the
 *    simulator backs only the memory that was written;
 *  - page-table memory grows on demand, and with --mmu-pt-size fixed too
 *    small the run fails naming the option and the line;
 *  - a corrupted PTE in a mapping no later request touches is caught by
 *    the rolling sample or the next full sweep, and a skipped flush by the
 *    check right after the request, among tens of GiB of mappings.
 *
 *   test_mmu_scale GEN   (GEN: the gpuvm-gen-workload program)
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_sim.h>

#include "mmu.h"
#include "replay.h"
#include "trace_parse.h"

#define KiB	(1ull << 10)
#define MiB	(UINT64_C(1) << 20)
#define GiB	(UINT64_C(1) << 30)
#define PG	0x1000ull

static const char *gen_path;

/* --- running a trace -------------------------------------------------------- */

struct run;
typedef void (*hook_fn)(struct run *run, struct mmu_env *env);

/**
 * struct run - one replay and what came out of it
 * @out: stdout
 * @err: stderr
 * @status: the exit status the tool would give
 * @hook_line: line around which @before and @after run
 * @before: called before that line, or NULL
 * @after: called after it, or NULL
 * @priv: for the hooks
 * @bo_bytes, @backed, @pt_pages, @first_failed, @backend_failed: the
 *	backend's figures at the end
 */
struct run {
	GString *out;
	GString *err;
	int status;
	unsigned long hook_line;
	hook_fn before, after;
	uint64_t priv;
	uint64_t bo_bytes, backed;
	size_t pt_pages;
	unsigned long first_failed, backend_failed;
};

/* Replay @text, plain when @mo is NULL. */
static void replay_text(const char *text, const struct mmu_options *mo,
			struct run *run)
{
	struct replay_options opts = { .quiet = true };
	char *out = NULL, *err = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *saved = stderr, *outf, *in;
	enum replay_status st = REPLAY_OK, end;
	struct mmu_env *env = NULL;
	struct trace_reader rd;
	struct trace_line line;
	struct replay *r;

	outf = open_memstream(&out, &out_len);
	ck_assert_ptr_nonnull(outf);
	stderr = open_memstream(&err, &err_len);
	ck_assert_ptr_nonnull(stderr);
	if (mo) {
		st = mmu_env_open("sim", text, strlen(text), mo, &env);
		ck_assert_int_eq(st, REPLAY_OK);
		opts.mmu = env;
	}
	r = replay_create(outf, "scale", &opts);
	ck_assert_ptr_nonnull(r);
	in = fmemopen((void *)text, strlen(text), "r");
	ck_assert_ptr_nonnull(in);
	trace_reader_init(&rd, in);
	while (st == REPLAY_OK &&
	       trace_reader_next(&rd, &line) == TRACE_READ_LINE) {
		if (env && rd.lineno == run->hook_line && run->before)
			run->before(run, env);
		st = replay_exec(r, rd.lineno, &line);
		if (env && rd.lineno == run->hook_line && run->after)
			run->after(run, env);
	}
	trace_reader_release(&rd);
	fclose(in);
	end = replay_destroy(r);
	if (st == REPLAY_OK)
		st = end;
	if (env) {
		struct gpuvm_mali_sim_stats sst;

		gpuvm_mali_sim_stats(mmu_env_sim(env), &sst);
		run->backed = sst.backed_bytes;
		run->bo_bytes = mmu_env_bo_bytes(env);
		gpuvm_mali_ptmem_stats(mmu_env_ptmem(env), &run->pt_pages, NULL,
				       NULL);
		run->first_failed = mmu_env_first_failed_line(env);
		run->backend_failed = mmu_env_backend_failures(env);
		end = mmu_env_close(env);
		if (st == REPLAY_OK)
			st = end;
	}
	fflush(stderr);
	fclose(stderr);
	stderr = saved;
	run->status = (int)st;
	fclose(outf);
	run->out = g_string_new(out ? out : "");
	run->err = g_string_new(err ? err : "");
	free(out);
	free(err);
}

static void run_free(struct run *run)
{
	g_string_free(run->out, TRUE);
	g_string_free(run->err, TRUE);
}

static const struct mmu_options sim_opts = { .quiet = true,
					     .verify_every = 1000 };

/* --- traces ------------------------------------------------------------------ */

static char *generate(const char *args)
{
	gchar *cmd = g_strdup_printf("'%s' %s", gen_path, args), *out = NULL;
	GError *error = NULL;
	gint status = -1;

	ck_assert_msg(g_spawn_command_line_sync(cmd, &out, NULL, &status, &error),
		      "%s: %s", cmd, error ? error->message : "?");
	ck_assert_int_eq(status, 0);
	g_free(cmd);
	return out;
}

/*
 * A synthetic trace with 24 GiB in 1 GiB BOs mapped as blocks, @small
 * 64 KiB BOs 1 GiB apart (each needs its own L2 and L3 table) and @churn
 * pairs of map/unmap of 2 MiB + 64 KiB buffers elsewhere, which never
 * touch the first two kinds.
 */
#define STATIC_BASE	UINT64_C(0x100000000000)
#define SMALL_BASE	UINT64_C(0x200000000000)
#define CHURN_BASE	UINT64_C(0x7f0000000000)
#define BIG_BOS		24

static unsigned long churn_first_line;

static char *synthetic(unsigned int small, unsigned int churn)
{
	GString *t = g_string_new("vm 0x0 0x1000000000000 0x0 0x100000\n");
	unsigned int i;

	for (i = 1; i <= BIG_BOS; i++)
		g_string_append_printf(t, "bo %u 0x40000000\nmap 0x%" PRIx64 " 0x40000000 %u 0x0\n",
				       i, STATIC_BASE + i * GiB, i);
	for (i = 0; i < small; i++)
		g_string_append_printf(t, "map 0x%" PRIx64 " 0x10000 %u 0x%x\n",
				       SMALL_BASE + (uint64_t)i * GiB,
				       1000 + i % 8, (i / 8) * 0x10000);
	churn_first_line = 1 + 2 * BIG_BOS + small + 1;
	for (i = 0; i < churn; i++) {
		uint64_t a = CHURN_BASE + (i % 32) * 4 * MiB;

		g_string_append_printf(t, "map 0x%" PRIx64 " 0x210000 %u 0x0\nunmap 0x%" PRIx64 " 0x210000\n",
				       a, 2000 + i % 16, a);
	}
	return g_string_free(t, FALSE);
}

/* --- tests -------------------------------------------------------------------- */

/* Tens of GiB of BOs from the generator: same output, little memory. */
START_TEST(test_generated_large)
{
	char *text = generate("--seed=3 --commands=1500 --large");
	struct run plain = { 0 }, mmu = { 0 };

	replay_text(text, NULL, &plain);
	replay_text(text, &sim_opts, &mmu);
	ck_assert_int_eq(plain.status, 0);
	ck_assert_msg(mmu.status == 0, "status %d: %s", mmu.status,
		      mmu.err->str);
	ck_assert_str_eq(mmu.out->str, plain.out->str);
	ck_assert_uint_eq(mmu.err->len, 0);
	/* tens of GiB of BOs, a few MiB of simulated memory ever written */
	ck_assert_uint_ge(mmu.bo_bytes, 16 * GiB);
	ck_assert_uint_gt(mmu.backed, 0);
	ck_assert_uint_lt(mmu.backed, 64 * MiB);
	run_free(&plain);
	run_free(&mmu);
	g_free(text);
}
END_TEST

/* Page tables that need 8 MiB grow the 4 MiB first pool; a fixed one fails. */
START_TEST(test_pt_growth)
{
	char *text = synthetic(1000, 10);
	struct mmu_options fixed = sim_opts;
	struct run plain = { 0 }, mmu = { 0 }, small = { 0 };
	unsigned long line;

	replay_text(text, NULL, &plain);
	replay_text(text, &sim_opts, &mmu);
	ck_assert_int_eq(mmu.status, 0);
	ck_assert_str_eq(mmu.out->str, plain.out->str);
	ck_assert_uint_gt(mmu.pt_pages, 4 * MiB / PG);
	ck_assert_uint_ge(mmu.bo_bytes, BIG_BOS * GiB);

	fixed.pt_size = 256 * KiB;
	replay_text(text, &fixed, &small);
	ck_assert_int_eq(small.status, REPLAY_BACKEND_FAILED);
	ck_assert_uint_eq(small.pt_pages, 256 * KiB / PG);
	ck_assert_uint_gt(small.backend_failed, 0);
	ck_assert_uint_eq(small.first_failed, 0);
	ck_assert_msg(strstr(small.err->str, "gpuvm-replay: scale:") &&
		      strstr(small.err->str, ": the MMU backend cannot apply what the planner accepted: map: out of page-table memory: --mmu-pt-size gives 256 KiB"),
		      "%s", small.err->str);
	/* stdout agrees up to the first failure */
	line = strtoul(strstr(small.err->str, "scale:") + 6, NULL, 10);
	ck_assert_uint_ge(line, 2);
	ck_assert_uint_le(line, 2 * BIG_BOS + 1 + 1000);
	ck_assert_str_ne(small.out->str, plain.out->str);
	run_free(&plain);
	run_free(&mmu);
	run_free(&small);
	g_free(text);
}
END_TEST

/* Flip the output address of the first page of small BO mapping @priv. */
static void corrupt_pte(struct run *run, struct mmu_env *env)
{
	struct gpuvm_mali_sim *sim = mmu_env_sim(env);
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	struct gpuvm_mali_pgtable *pt = gpuvm_mali_vm_pgtable(mmu_env_vm(env));
	uint64_t va = SMALL_BASE + run->priv * GiB, table, desc = 0;
	struct gpuvm_mali_pt_entry e;
	unsigned int level;

	ck_assert_int_eq(gpuvm_mali_pt_lookup(pt, va, &e), 0);
	ck_assert_uint_eq(e.size, PG);
	/* walk down to the level-3 descriptor (48-bit VA: from level 0) */
	table = gpuvm_mali_pt_root(pt);
	for (level = 0; level < 3; level++) {
		ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, table +
					8 * GPUVM_MALI_PT_INDEX(va, level), &desc), 0);
		table = desc & GPUVM_MALI_PTE_ADDR_MASK;
	}
	table += 8 * GPUVM_MALI_PT_INDEX(va, 3);
	ck_assert_int_eq(gpuvm_mali_sim_mem_read64(sim, table, &desc), 0);
	ck_assert_uint_eq(desc, e.desc);
	hal->ops->pt_write64(hal, table, desc ^ (1ull << 20));
	hal->ops->pt_sync(hal, table, 8);
}

/*
 * Among 24 GiB of blocks and 1000 small mappings, one PTE goes bad in a
 * mapping no later request touches: caught within --mmu-verify-every
 * requests, by the rolling sample or the sweep.
 */
START_TEST(test_corrupt_pte)
{
	char *text = synthetic(1000, 600);
	struct mmu_options mo = sim_opts;
	struct run mmu = { 0 };
	gchar *want;

	mo.verify_every = 400;
	mmu.hook_line = churn_first_line + 301;
	mmu.after = corrupt_pte;
	mmu.priv = 700;
	replay_text(text, &mo, &mmu);
	ck_assert_int_eq(mmu.status, REPLAY_CHECK_FAILED);
	ck_assert_uint_gt(mmu.first_failed, mmu.hook_line);
	ck_assert_uint_le(mmu.first_failed, mmu.hook_line + mo.verify_every);
	want = g_strdup_printf("check failed: VA 0x%" PRIx64 ":",
			       SMALL_BASE + mmu.priv * GiB);
	ck_assert_msg(strstr(mmu.err->str, want), "%s", mmu.err->str);
	g_free(want);
	run_free(&mmu);
	g_free(text);
}
END_TEST

static bool drop_as_commands(struct gpuvm_mali_sim *sim, uint64_t index,
			     uint32_t offset, bool write, void *priv)
{
	const struct run *run = priv;

	(void)sim;
	(void)index;
	return write && offset == GPUVM_MALI_AS_REG((unsigned int)run->priv,
						    GPUVM_MALI_AS_COMMAND);
}

static void skip_flush_on(struct run *run, struct mmu_env *env)
{
	run->priv = (uint64_t)gpuvm_mali_vm_as(mmu_env_vm(env));
	gpuvm_mali_sim_set_reg_hook(mmu_env_sim(env), drop_as_commands, run);
}

static void skip_flush_off(struct run *run, struct mmu_env *env)
{
	(void)run;
	gpuvm_mali_sim_set_reg_hook(mmu_env_sim(env), NULL, NULL);
}

/* An unmap whose LOCK, FLUSH and UNLOCK never reach the GPU: caught at once. */
START_TEST(test_skipped_flush)
{
	char *text = synthetic(200, 600);
	struct run mmu = { 0 };

	mmu.hook_line = churn_first_line + 401;	/* an unmap */
	mmu.before = skip_flush_on;
	mmu.after = skip_flush_off;
	replay_text(text, &sim_opts, &mmu);
	ck_assert_int_eq(mmu.status, REPLAY_CHECK_FAILED);
	ck_assert_uint_eq(mmu.first_failed, mmu.hook_line);
	run_free(&mmu);
	g_free(text);
}
END_TEST

static Suite *scale_suite(void)
{
	Suite *s = suite_create("mmu_scale");
	TCase *tc = tcase_create("scale");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_generated_large);
	tcase_add_test(tc, test_pt_growth);
	tcase_add_test(tc, test_corrupt_pte);
	tcase_add_test(tc, test_skipped_flush);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: test_mmu_scale GEN\n");
		return 99;
	}
	gen_path = argv[1];
	sr = srunner_create(scale_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
