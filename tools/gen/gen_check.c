// SPDX-License-Identifier: MIT
/*
 * gen_check: tests of gpuvm-gen-workload.
 *
 *   gen_check GEN REPLAY
 *
 * - the same seed gives the same bytes, another seed other bytes;
 * - --commands=N gives exactly N commands after "vm", for small and odd N;
 * - the trace replays (plain with --check, and with --mmu=sim under a BO
 *   budget the simulator can back) with exit status 0, "ok" for every
 *   request, and stdout identical in both modes;
 * - invariants of the final dump: VAs sorted and disjoint, inside the VM
 *   above the reserved MiB, 4 KiB aligned, buffers of 2 MiB or more 2 MiB
 *   aligned, and the bytes mapped with and without a BO equal to what the
 *   generator says is alive (buffers + bound tiles, NULL reservations
 *   - bound tiles);
 * - VA comes from the top of the 48-bit space;
 * - --large keeps tens of GiB alive with BOs above 256 MiB and none above
 *   4 GiB;
 * - gpuvm-replay --annotate on a generated trace: the plain output plus
 *   '#' lines echoing each command before its output.
 */
#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "split_lines.h"

static const char *gen_path;
static const char *replay_path;

/* Run argv (NULL-terminated); returns stdout, exit status in *status. */
static gchar *run(const char *const *argv, const char *input, int *status)
{
	GError *err = NULL;
	gchar *out = NULL, *errout = NULL;
	gint wait;
	gchar *in_path = NULL;
	const char *args[16];
	int i, n = 0;

	for (i = 0; argv[i]; i++)
		args[n++] = argv[i];
	if (input) {
		gint fd = g_file_open_tmp("gen_check-XXXXXX.trace", &in_path,
					  &err);

		ck_assert_msg(fd >= 0, "tmp file: %s", err ? err->message : "");
		close(fd);
		ck_assert(g_file_set_contents(in_path, input, -1, NULL));
		args[n++] = in_path;
	}
	args[n] = NULL;
	ck_assert_msg(g_spawn_sync(NULL, (gchar **)args, NULL,
				   G_SPAWN_DEFAULT, NULL, NULL, &out, &errout,
				   &wait, &err),
		      "spawn %s: %s", args[0], err ? err->message : "");
	*status = WIFEXITED(wait) ? WEXITSTATUS(wait) : -1;
	if (*status)
		fprintf(stderr, "%s exited %d:\n%s", args[0], *status, errout);
	if (in_path) {
		remove(in_path);
		g_free(in_path);
	}
	g_free(errout);
	return out;
}

static gchar *gen(const char *a1, const char *a2, const char *a3,
		  const char *a4)
{
	const char *argv[] = { gen_path, a1, a2, a3, a4, NULL };
	int status;
	gchar *out = run(argv, NULL, &status);

	ck_assert_int_eq(status, 0);
	return out;
}

/* Commands of a trace: lines that are neither blank nor comments. */
static long count_commands(const char *trace, long *before_vm)
{
	gchar **lines = split_lines(trace);
	long n = 0, vm = -1;

	for (int i = 0; lines[i]; i++) {
		const char *s = lines[i];

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (!strncmp(s, "vm ", 3) && vm < 0)
			vm = n;
		n++;
	}
	g_strfreev(lines);
	*before_vm = vm;
	return n;
}

START_TEST(test_deterministic)
{
	gchar *a = gen("--seed=42", "--commands=3000", NULL, NULL);
	gchar *b = gen("--seed=42", "--commands=3000", NULL, NULL);
	gchar *c = gen("--seed=43", "--commands=3000", NULL, NULL);
	gchar *d = gen("--seed=42", "--commands=3000", "--explain", NULL);
	gchar *e = gen("-s", "42", "-n", "3000");

	ck_assert_str_eq(a, b);
	ck_assert_str_eq(a, e);
	ck_assert_str_ne(a, c);
	/* --explain only adds comments. */
	ck_assert_str_ne(a, d);
	{
		long va, vd, na = count_commands(a, &va),
			     nd = count_commands(d, &vd);

		ck_assert_int_eq(na, nd);
	}
	g_free(a);
	g_free(b);
	g_free(c);
	g_free(d);
	g_free(e);
}
END_TEST

static const long lengths[] = { 0, 1, 2, 3, 7, 100, 1001 };

START_TEST(test_length)
{
	gchar *n = g_strdup_printf("--commands=%ld", lengths[_i]);
	gchar *t = gen("--seed=5", n, NULL, NULL);
	gchar *td = gen("--seed=5", n, "--dump", NULL);
	long vm, total = count_commands(t, &vm);

	ck_assert_int_eq(vm, 0);
	ck_assert_int_eq(total, lengths[_i] + 1);
	total = count_commands(td, &vm);
	ck_assert_int_eq(total, lengths[_i] + 1);
	if (lengths[_i])
		ck_assert(strstr(td, "\ndump\n"));
	g_free(n);
	g_free(t);
	g_free(td);
}
END_TEST

struct end_line {
	unsigned long bufs, resv, tiles;
	uint64_t alive, resv_bytes, declared;
};

static void parse_end(const char *trace, struct end_line *e)
{
	const char *p = strstr(trace, "# end: ");

	ck_assert_msg(p, "no '# end:' line");
	ck_assert_int_eq(sscanf(p, "# end: %lu buffers alive (0x%" SCNx64
				" bytes), %lu sparse reservations (0x%" SCNx64
				" bytes), %lu tiles bound, 0x%" SCNx64,
				&e->bufs, &e->alive, &e->resv, &e->resv_bytes,
				&e->tiles, &e->declared), 6);
}

/*
 * Check the replay's stdout: every request ended with "ok", and the final
 * dump satisfies the invariants.
 */
static void check_output(const char *trace, const char *out)
{
	gchar **lines = split_lines(out);
	struct end_line e;
	uint64_t prev_end = 1 << 20, with_bo = 0, null = 0;
	long oks = 0, vm, dumps = 0, vas = 0;
	long cmds = count_commands(trace, &vm);

	parse_end(trace, &e);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];
		uint64_t a, r, bo, off;

		ck_assert_msg(strncmp(l, "error", 5), "line %d: %s", i + 1, l);
		if (!strcmp(l, "ok"))
			oks++;
		else if (!strcmp(l, "end"))
			dumps++;
		if (strncmp(l, "va ", 3))
			continue;
		ck_assert_int_eq(sscanf(l, "va 0x%" SCNx64 " 0x%" SCNx64
					" %" SCNu64 " 0x%" SCNx64,
					&a, &r, &bo, &off), 4);
		vas++;
		ck_assert_msg(a >= prev_end, "%s overlaps or is unsorted", l);
		ck_assert_msg(a + r <= UINT64_C(1) << 48, "%s past 2^48", l);
		ck_assert_msg(!(a % 4096) && !(r % 4096), "%s unaligned", l);
		if (bo && !off && r >= (2 << 20))
			ck_assert_msg(!(a % (2 << 20)), "%s not 2 MiB aligned",
				      l);
		prev_end = a + r;
		if (bo)
			with_bo += r;
		else
			null += r;
	}
	g_strfreev(lines);
	/* Every command but dump ends with ok (vm included). */
	ck_assert_int_eq(dumps, 1);
	ck_assert_int_eq(oks, cmds - 1);
	ck_assert_uint_eq(with_bo, e.alive + (uint64_t)e.tiles * 65536);
	ck_assert_uint_eq(null, e.resv_bytes - (uint64_t)e.tiles * 65536);
	ck_assert(vas >= (long)e.bufs);
}

START_TEST(test_replay_plain)
{
	gchar *t = gen("--seed=11", "--commands=4000", "--dump", NULL);
	const char *argv[] = { replay_path, "--quiet", "--check", NULL };
	int status;
	gchar *out = run(argv, t, &status);

	ck_assert_int_eq(status, 0);
	check_output(t, out);
	g_free(out);
	g_free(t);
}
END_TEST

START_TEST(test_replay_mmu)
{
	/* A BO budget small enough for the simulator's memory. */
	gchar *t = gen("--seed=12", "--commands=3000", "--dump",
		       "--bo-budget=768M");
	const char *plain[] = { replay_path, "--quiet", NULL };
	const char *mmu[] = { replay_path, "--quiet", "--mmu=sim", NULL };
	int status;
	gchar *out_plain = run(plain, t, &status), *out_mmu;
	struct end_line e;

	ck_assert_int_eq(status, 0);
	out_mmu = run(mmu, t, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out_plain, out_mmu);
	check_output(t, out_mmu);
	parse_end(t, &e);
	ck_assert_uint_le(e.declared, UINT64_C(768) << 20);
	g_free(out_plain);
	g_free(out_mmu);
	g_free(t);
}
END_TEST

/* The first allocations come from the very top of the space. */
START_TEST(test_top_down)
{
	gchar *t = gen("--seed=3", "--commands=200", NULL, NULL);
	gchar **lines = split_lines(t);
	uint64_t highest = 0, lowest = UINT64_MAX;

	for (int i = 0; lines[i]; i++) {
		uint64_t a, r;

		if (sscanf(lines[i], "map 0x%" SCNx64 " 0x%" SCNx64, &a, &r) !=
		    2)
			continue;
		if (a + r > highest)
			highest = a + r;
		if (a < lowest)
			lowest = a;
	}
	g_strfreev(lines);
	ck_assert_uint_eq(highest, UINT64_C(1) << 48);
	/* 200 commands stay in the top few GiB of 256 TiB. */
	ck_assert_uint_gt(lowest, (UINT64_C(1) << 48) - (UINT64_C(64) << 30));
	g_free(t);
}
END_TEST

START_TEST(test_large)
{
	gchar *t = gen("--seed=1", "--commands=10000", "--large", "--dump");
	const char *argv[] = { replay_path, "--quiet", NULL };
	gchar **lines = split_lines(t);
	uint64_t biggest = 0;
	struct end_line e;
	int status;
	gchar *out;

	for (int i = 0; lines[i]; i++) {
		uint64_t id, size;

		if (sscanf(lines[i], "bo %" SCNu64 " 0x%" SCNx64, &id, &size) ==
		    2 && size > biggest)
			biggest = size;
	}
	g_strfreev(lines);
	ck_assert_uint_gt(biggest, UINT64_C(256) << 20);
	ck_assert_uint_le(biggest, UINT64_C(4) << 30);
	parse_end(t, &e);
	ck_assert_uint_ge(e.alive, UINT64_C(16) << 30);
	ck_assert_uint_le(e.alive, UINT64_C(48) << 30);
	ck_assert_uint_ge(e.declared, UINT64_C(64) << 30);
	out = run(argv, t, &status);
	ck_assert_int_eq(status, 0);
	check_output(t, out);
	g_free(out);
	g_free(t);
}
END_TEST

/*
 * gpuvm-replay --annotate on a generated trace: without its '#' lines the
 * output is the plain output, and each command line N of the trace is
 * echoed as "# line N: ..." right before its own output.
 */
START_TEST(test_annotate)
{
	gchar *t = gen("--seed=21", "--commands=500", "--explain", "--dump");
	const char *plain[] = { replay_path, "--quiet", NULL };
	const char *annot[] = { replay_path, "--quiet", "--annotate", NULL };
	gchar **tl = split_lines(t), **ol;
	GString *stripped = g_string_new(NULL);
	int status, i, k = 0;
	gchar *out_plain = run(plain, t, &status), *out_annot;

	ck_assert_int_eq(status, 0);
	out_annot = run(annot, t, &status);
	ck_assert_int_eq(status, 0);
	ol = split_lines(out_annot);
	for (i = 0; ol[i]; i++) {
		if (ol[i][0] != '#') {
			g_string_append(stripped, ol[i]);
			if (ol[i + 1])
				g_string_append_c(stripped, '\n');
		}
	}
	ck_assert_str_eq(stripped->str, out_plain);

	/* Every command of the trace, in order, with its line number. */
	for (i = 0; tl[i]; i++) {
		gchar *want, *cmd;

		if (!tl[i][0] || tl[i][0] == '#')
			continue;
		cmd = g_strdup(tl[i]);
		if (strchr(cmd, '\t'))
			*strchr(cmd, '\t') = '\0';
		want = g_strdup_printf("# line %d: %s", i + 1, cmd);
		while (ol[k] && strncmp(ol[k], want, strlen(want)))
			k++;
		ck_assert_msg(ol[k], "'%s' not echoed in order", want);
		/* Its output follows (no other echo in between). */
		ck_assert(ol[k + 1] && ol[k + 1][0] != '#');
		g_free(want);
		g_free(cmd);
	}
	g_strfreev(tl);
	g_strfreev(ol);
	g_string_free(stripped, TRUE);
	g_free(out_plain);
	g_free(out_annot);
	g_free(t);
}
END_TEST

START_TEST(test_bad_options)
{
	static const char *const bad[][3] = {
		{ "--seed=x", NULL, NULL },
		{ "--commands=-1", NULL, NULL },
		{ "--alive-max=0", NULL, NULL },
		{ "--bo-budget=3T", NULL, NULL },
		{ "--bogus", NULL, NULL },
		{ "extra", NULL, NULL },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *argv[] = { gen_path, bad[i][0], NULL };
		int status;
		gchar *out = run(argv, NULL, &status);

		ck_assert_int_eq(status, 2);
		ck_assert_str_eq(out, "");
		g_free(out);
	}
	{
		const char *argv[] = { gen_path, "--help", NULL };
		int status;
		gchar *out = run(argv, NULL, &status);

		ck_assert_int_eq(status, 0);
		ck_assert(strstr(out, "SYNOPSIS"));
		ck_assert(strstr(out, "--seed=N"));
		g_free(out);
	}
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("gen");
	SRunner *sr;
	int failed;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_check GEN REPLAY\n");
		return 99;
	}
	gen_path = argv[1];
	replay_path = argv[2];
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_deterministic);
	tcase_add_loop_test(tc, test_length, 0, G_N_ELEMENTS(lengths));
	tcase_add_test(tc, test_replay_plain);
	tcase_add_test(tc, test_replay_mmu);
	tcase_add_test(tc, test_top_down);
	tcase_add_test(tc, test_large);
	tcase_add_test(tc, test_annotate);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
