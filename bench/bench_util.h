/* SPDX-License-Identifier: MIT */
/*
 * What both benchmark programs need around their workloads: clocks, the
 * median of runs, CPU pinning, the "was this run preempted" guard, how busy
 * the rest of the machine was, progress messages and JSON strings.
 */
#ifndef GPUVM_BENCH_UTIL_H
#define GPUVM_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most runs per figure (--runs). */
#define BENCH_MAX_RUNS 64

/* CLOCK_MONOTONIC and this thread's CPU time, in ns. */
uint64_t bench_now_ns(void);
uint64_t bench_thread_cpu_ns(void);

/* Median of @v[0..@n), 1 <= @n <= BENCH_MAX_RUNS; @v is left as it is. */
double bench_median(const double *v, int n);

/* The CPU's model name from /proc/cpuinfo, or "unknown". */
void bench_cpu_model(char *out, size_t size);

/* Print @s on stdout as a JSON string. */
void bench_json_str(const char *s);

/* --quiet: bench_progress() prints nothing. */
extern bool bench_quiet;

/* A progress message on stderr, unless bench_quiet. */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Pin the process to @cpu (-1: do not pin; below -1: the last CPU it may
 * run on).  Returns the CPU pinned to, or -1; a failure is reported on
 * stderr, naming @tool, and the run goes on unpinned.
 */
int bench_pin_cpu(int cpu, const char *tool);

/*
 * Was a run preempted?  bench_guard_begin() at its start; afterwards
 * bench_guard_disturbed() is true when the thread got less than 99% of the
 * wall-clock time since as CPU time (the pinned CPU was shared).
 */
struct bench_guard {
	uint64_t wall;
	uint64_t cpu;
};

void bench_guard_begin(struct bench_guard *g);
bool bench_guard_disturbed(const struct bench_guard *g);

/* CPU time counters of the machine and of this process (and its children). */
struct bench_sysload {
	uint64_t busy;		/* all CPUs, clock ticks */
	uint64_t total;
	uint64_t steal;
	uint64_t own;		/* this process and its waited-for children */
};

void bench_sysload_read(struct bench_sysload *s);

/*
 * Since @begin: the fraction of all CPUs busy with other work than this
 * process (*@load) and the fraction stolen by the hypervisor (*@steal).
 * Both are left alone if no time passed.
 */
void bench_sysload_since(const struct bench_sysload *begin, double *load,
			 double *steal);

#endif
