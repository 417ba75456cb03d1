// SPDX-License-Identifier: MIT
/*
 * gpuvm-bench-replay: the replay tool's main job at the size of a real
 * application.  Generates a Vulkan-style trace with gpuvm-gen-workload,
 * replays it plainly and with --mmu=sim (alternating, --runs times each),
 * and reports for each mode the wall time, CPU time and peak RSS of the
 * replay process (wait4()), with medians and spread; checks that the two
 * modes print the same bytes and that every run exits with status 0.
 *
 *   gpuvm-bench-replay [--commands=N] [--seed=S] [--runs=R] [--quick]
 *                      [--plain-only] [--gen=PATH] [--replay=PATH]
 *                      [--ref=PROGRAM] [--cpu=CPU] [--keep=DIR]
 *
 * --plain-only runs the plain replay alone (R times), for the whole-process
 * figures: its wall time and peak RSS.  --ref=PROGRAM adds a reference
 * replayer, run as "PROGRAM TRACE" alternated with the plain replay (ref,
 * plain, ref, plain, ...); its output must be the same bytes, and the
 * medians are compared ("plain / ref").  Every program runs pinned to one
 * CPU (--cpu; default the last one allowed): on this project's virtual
 * machines the two CPUs can differ in speed for minutes at a time, which
 * made unpinned runs bimodal.
 *
 * Exit status 0 when every run succeeded and the outputs agree, 1 if not,
 * 2 for a bad command line or a program that cannot be run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#ifndef BENCH_GEN_PATH
#define BENCH_GEN_PATH "gpuvm-gen-workload"
#endif
#ifndef BENCH_REPLAY_PATH
#define BENCH_REPLAY_PATH "gpuvm-replay"
#endif

#define MAX_RUNS 64

struct sample {
	double wall, user, sys;
	long rss_kib;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Run @argv with stdout to @out (NULL: /dev/null) and stderr to /dev/null;
 * fill @s.  Returns the exit status, or -1 when it could not run.
 */
static int run(char *const argv[], const char *out, struct sample *s)
{
	struct rusage ru;
	double t0 = now();
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(out ? out : "/dev/null",
			  O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	s->wall = now() - t0;
	s->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	s->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	s->rss_kib = ru.ru_maxrss;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, minimum and maximum of @n values picked by @field. */
static void stats(const struct sample *s, int n, size_t field, double *med,
		  double *lo, double *hi)
{
	double v[MAX_RUNS];
	int i;

	for (i = 0; i < n; i++) {
		const char *p = (const char *)&s[i] + field;

		v[i] = field == offsetof(struct sample, rss_kib) ?
		       (double)*(const long *)p : *(const double *)p;
	}
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*lo = v[0];
	*hi = v[n - 1];
}

static void report(const char *mode, const struct sample *s, int n)
{
	double m, lo, hi;

	printf("%-10s", mode);
	stats(s, n, offsetof(struct sample, wall), &m, &lo, &hi);
	printf("  wall %8.1f ms [%.1f..%.1f]", m * 1e3, lo * 1e3, hi * 1e3);
	stats(s, n, offsetof(struct sample, user), &m, &lo, &hi);
	printf("  user %7.2f s", m);
	stats(s, n, offsetof(struct sample, sys), &m, &lo, &hi);
	printf("  sys %5.2f s", m);
	stats(s, n, offsetof(struct sample, rss_kib), &m, &lo, &hi);
	printf("  peak RSS %7.2f MiB [%.2f..%.2f]\n", m / 1024, lo / 1024,
	       hi / 1024);
}

/* Are the files @a and @b byte for byte the same? */
static bool same_files(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	char ba[65536], bb[65536];
	bool same = fa && fb;
	size_t na, nb;

	while (same) {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na))
			same = false;
		if (!na)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gpuvm-bench-replay [--commands=N] [--seed=S] [--runs=R] [--quick]\n"
		"                          [--plain-only] [--gen=PATH] [--replay=PATH]\n"
		"                          [--ref=PROGRAM] [--cpu=CPU] [--keep=DIR]\n"
		"  --commands  trace length after the vm line (default 200000)\n"
		"  --seed      generator seed (default 1)\n"
		"  --runs      runs of each mode, alternating (default 3, at most %d)\n"
		"  --quick     20000 commands, one run of each\n"
		"  --plain-only  the plain replay only (no --mmu=sim runs)\n"
		"  --ref       also run PROGRAM TRACE before each plain run and compare\n"
		"  --cpu       pin every run to CPU (-1: do not pin; default: the last allowed)\n"
		"  --keep      write the trace and outputs into DIR and keep them\n",
		MAX_RUNS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "commands", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "plain-only", no_argument, NULL, 'o' },
		{ "gen", required_argument, NULL, 'g' },
		{ "replay", required_argument, NULL, 'p' },
		{ "keep", required_argument, NULL, 'k' },
		{ "ref", required_argument, NULL, 'f' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *gen = BENCH_GEN_PATH, *replay = BENCH_REPLAY_PATH;
	const char *keep = NULL, *ref = NULL;
	unsigned long commands = 200000, seed = 1;
	struct sample plain[MAX_RUNS], mmu[MAX_RUNS], refs[MAX_RUNS], gs;
	char dir[] = "/tmp/gpuvm-bench-replay-XXXXXX";
	char trace[4200], out_plain[4200], out_mmu[4200], out_ref[4200];
	char ncmd[64], nseed[64];
	int runs = 3, opt, i, bad = 0, st, cpu = -2;
	bool plain_only = false;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			commands = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'q':
			commands = 20000;
			runs = 1;
			break;
		case 'o':
			plain_only = true;
			break;
		case 'g':
			gen = optarg;
			break;
		case 'p':
			replay = optarg;
			break;
		case 'k':
			keep = optarg;
			break;
		case 'f':
			ref = optarg;
			break;
		case 'c':
			cpu = atoi(optarg);
			if (cpu < -1) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || runs < 1 || runs > MAX_RUNS || !commands) {
		usage(stderr);
		return 2;
	}
	/* the children inherit it */
	cpu = bench_pin_cpu(cpu, "gpuvm-bench-replay");
	if (!keep && !mkdtemp(dir)) {
		perror("gpuvm-bench-replay: mkdtemp");
		return 2;
	}
	snprintf(trace, sizeof(trace), "%s/workload.trace", keep ? keep : dir);
	snprintf(out_plain, sizeof(out_plain), "%s/plain.out", keep ? keep : dir);
	snprintf(out_mmu, sizeof(out_mmu), "%s/mmu.out", keep ? keep : dir);
	snprintf(out_ref, sizeof(out_ref), "%s/ref.out", keep ? keep : dir);
	snprintf(ncmd, sizeof(ncmd), "--commands=%lu", commands);
	snprintf(nseed, sizeof(nseed), "--seed=%lu", seed);

	{
		char *argv_gen[] = { (char *)gen, nseed, ncmd, NULL };

		st = run(argv_gen, trace, &gs);
		if (st) {
			fprintf(stderr, "gpuvm-bench-replay: %s failed (%d)\n",
				gen, st);
			return 2;
		}
	}
	printf("trace: %lu commands, seed %lu, generated in %.2f s; ",
	       commands, seed, gs.wall);
	if (cpu >= 0)
		printf("runs pinned to CPU %d\n", cpu);
	else
		printf("runs not pinned\n");
	fflush(stdout);

	for (i = 0; i < runs; i++) {
		char *argv_plain[] = { (char *)replay, "--quiet", trace, NULL };
		char *argv_mmu[] = { (char *)replay, "--mmu=sim", trace, NULL };

		/* alternate, so that a change of machine load hits both */
		if (ref) {
			char *argv_ref[] = { (char *)ref, trace, NULL };

			st = run(argv_ref, i ? NULL : out_ref, &refs[i]);
			if (st) {
				fprintf(stderr, "gpuvm-bench-replay: %s exited with %d\n",
					ref, st);
				bad = 1;
			}
			printf("run %d: ref %.4f s %.2f MiB\n", i + 1, refs[i].wall,
			       refs[i].rss_kib / 1024.0);
		}
		st = run(argv_plain, i ? NULL : out_plain, &plain[i]);
		if (st) {
			fprintf(stderr, "gpuvm-bench-replay: plain replay exited with %d\n",
				st);
			bad = 1;
		}
		if (plain_only) {
			printf("run %d: plain %.4f s %.2f MiB\n", i + 1,
			       plain[i].wall, plain[i].rss_kib / 1024.0);
			fflush(stdout);
			continue;
		}
		st = run(argv_mmu, i ? NULL : out_mmu, &mmu[i]);
		if (st) {
			fprintf(stderr, "gpuvm-bench-replay: --mmu=sim replay exited with %d\n",
				st);
			bad = 1;
		}
		printf("run %d: plain %.2f s %.1f MiB, --mmu=sim %.2f s %.1f MiB\n",
		       i + 1, plain[i].wall, plain[i].rss_kib / 1024.0,
		       mmu[i].wall, mmu[i].rss_kib / 1024.0);
		fflush(stdout);
	}
	report("plain", plain, runs);
	if (ref) {
		double pw, rw, pm, rm, lo, hi;

		report("ref", refs, runs);
		stats(plain, runs, offsetof(struct sample, wall), &pw, &lo, &hi);
		stats(refs, runs, offsetof(struct sample, wall), &rw, &lo, &hi);
		stats(plain, runs, offsetof(struct sample, rss_kib), &pm, &lo, &hi);
		stats(refs, runs, offsetof(struct sample, rss_kib), &rm, &lo, &hi);
		printf("plain / ref: wall %.3fx, peak RSS %.3fx (medians)\n",
		       pw / rw, pm / rm);
		if (same_files(out_plain, out_ref)) {
			printf("stdout of ref: identical\n");
		} else {
			printf("stdout of ref: DIFFERENT (%s, %s)\n", out_plain,
			       out_ref);
			bad = 1;
			keep = dir;
		}
	}
	if (plain_only) {
		printf("stdout: not compared (plain only)\n");
	} else {
		report("--mmu=sim", mmu, runs);
		if (same_files(out_plain, out_mmu)) {
			printf("stdout: identical\n");
		} else {
			printf("stdout: DIFFERENT (%s, %s)\n", out_plain, out_mmu);
			bad = 1;
			keep = dir;
		}
	}
	if (!keep) {
		unlink(trace);
		unlink(out_plain);
		unlink(out_mmu);
		unlink(out_ref);
		rmdir(dir);
	}
	return bad;
}
