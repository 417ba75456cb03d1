/* SPDX-License-Identifier: MIT */
/* Helpers shared by gpuvm-bench-core and gpuvm-bench-mali (bench_util.h). */
#include "bench_util.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool bench_quiet;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t bench_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(const double *v, int n)
{
	double tmp[BENCH_MAX_RUNS];

	memcpy(tmp, v, (size_t)n * sizeof(*v));
	qsort(tmp, (size_t)n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

void bench_cpu_model(char *out, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(out, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(out, size, "%s", colon);
			break;
		}
	}
	fclose(f);
}

void bench_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

void bench_progress(const char *fmt, ...)
{
	va_list ap;

	if (bench_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

int bench_pin_cpu(int cpu, const char *tool)
{
#ifdef CPU_SET
	cpu_set_t set;
	int i;

	if (cpu == -1)
		return -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	if (cpu < -1) {
		for (i = CPU_SETSIZE - 1; i >= 0; i--)
			if (CPU_ISSET(i, &set))
				break;
		cpu = i;
	}
	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "%s: cannot pin to CPU %d: %s\n", tool, cpu,
			strerror(errno));
		return -1;
	}
	return cpu;
#else
	(void)cpu;
	(void)tool;
	return -1;
#endif
}

void bench_guard_begin(struct bench_guard *g)
{
	g->wall = bench_now_ns();
	g->cpu = bench_thread_cpu_ns();
}

bool bench_guard_disturbed(const struct bench_guard *g)
{
	uint64_t cpu = bench_thread_cpu_ns() - g->cpu;
	uint64_t wall = bench_now_ns() - g->wall;

	return (double)cpu < 0.99 * (double)wall;
}

void bench_sysload_read(struct bench_sysload *s)
{
	unsigned long long v[10] = { 0 }, ut = 0, st = 0, cut = 0, cst = 0;
	FILE *f = fopen("/proc/stat", "r");
	char line[1024];
	int i;

	memset(s, 0, sizeof(*s));
	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7], &v[8], &v[9]) >= 8) {
			/* user nice system idle iowait irq softirq steal */
			s->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
			for (i = 0; i < 8; i++)
				s->total += v[i];
			s->steal = v[7];
		}
		fclose(f);
	}
	f = fopen("/proc/self/stat", "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			/* utime, stime, cutime and cstime (children such as
			 * gpuvm-bench-core's memory probe) are fields 14 to
			 * 17; the command name (field 2) ends at the last ')'. */
			char *p = strrchr(line, ')');

			if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
					&ut, &st, &cut, &cst) == 4)
				s->own = ut + st + cut + cst;
		}
		fclose(f);
	}
}

void bench_sysload_since(const struct bench_sysload *begin, double *load,
			 double *steal)
{
	struct bench_sysload e;
	uint64_t total, busy, own;

	bench_sysload_read(&e);
	total = e.total - begin->total;
	if (!total)
		return;
	busy = e.busy - begin->busy;
	own = e.own - begin->own;
	*load = (double)(busy - (own < busy ? own : busy)) / (double)total;
	*steal = (double)(e.steal - begin->steal) / (double)total;
}
