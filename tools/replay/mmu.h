/* SPDX-License-Identifier: MIT */
/*
 * gpuvm-replay --mmu: the Mali page-table backend of the replay tool.
 *
 * Owns the simulated (or UIO) GPU, its MMU, the page-table memory, the
 * physical backing of the trace's BOs and the struct gpuvm_mali_vm, and
 * checks after each request that the GPU sees what the VA tree says.
 */
#ifndef GPUVM_REPLAY_MMU_H
#define GPUVM_REPLAY_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_vm.h>

#include "replay.h"

struct mmu_env;

/**
 * struct mmu_options - --mmu switches
 * @quiet: no summary at the end
 * @pt_size: page-table memory in bytes, fixed (--mmu-pt-size); 0: the
 *	simulator grows it on demand, UIO gives it half the carve-out
 * @verify_every: a full sweep every this many verifications (0: only at
 *	the end)
 */
struct mmu_options {
	bool quiet;
	uint64_t pt_size;
	unsigned long verify_every;
};

/**
 * mmu_env_open() - bring the backend up for one trace
 * @spec: "sim" or "uio:NAME"
 * @trace: the whole trace text (pre-scanned for BO sizes and alignment)
 * @len: its length
 * @opts: switches (copied)
 * @out: receives the backend
 *
 * Prints a message on stderr when it fails.
 * Returns: REPLAY_OK or REPLAY_TOOL_ERROR.
 */
enum replay_status mmu_env_open(const char *spec, const char *trace,
				size_t len, const struct mmu_options *opts,
				struct mmu_env **out);

/**
 * mmu_env_set_flush() - what to call before a message on stderr
 * @env: the backend
 * @flush: writes out what the caller has formatted for stdout (NULL: only
 *         fflush(stdout))
 * @priv: passed to @flush
 *
 * The replay session buffers its output; this keeps the backend's
 * messages after the lines they follow.
 */
void mmu_env_set_flush(struct mmu_env *env, void (*flush)(void *priv),
		       void *priv);

/** mmu_env_set_line() - the trace line being run, for messages */
void mmu_env_set_line(struct mmu_env *env, const char *name,
		      unsigned long lineno);

/**
 * mmu_env_check_apply() - judge the backend's answer to a request the
 * planner accepted
 * @env: the backend
 * @what: the command, for the message
 * @err: what the Mali VM returned (positive errno, 0 when it worked)
 *
 * An allocation failure of the host (ENOMEM with page-table memory left)
 * is an ordinary "error ENOMEM".  Anything else is a backend failure:
 * reported on stderr with the trace line and counted, and the run ends
 * with REPLAY_BACKEND_FAILED.
 * Returns: true for a backend failure.
 */
bool mmu_env_check_apply(struct mmu_env *env, const char *what, int err);

/** mmu_env_backend_failures() - backend failures so far */
unsigned long mmu_env_backend_failures(const struct mmu_env *env);

/**
 * mmu_env_close() - full sweep, summary, tear everything down, free @env
 *
 * The VM is destroyed here if the replay did not do it.
 * Returns: REPLAY_OK; REPLAY_CHECK_FAILED when a check failed or the
 * simulator logged a violation; else REPLAY_BACKEND_FAILED when the
 * backend could not apply a request the planner accepted.
 */
enum replay_status mmu_env_close(struct mmu_env *env);

/** mmu_env_shift() - trace units are 1 << shift bytes on the GPU (0 or 12) */
unsigned int mmu_env_shift(const struct mmu_env *env);

/**
 * mmu_env_vm_create() - create the Mali VM (the trace's vm command)
 *
 * Arguments in trace units.  A VM the plain replay would create but the
 * GPU cannot hold is a backend failure (reported and counted).
 * Returns: 0 or a positive errno (printed by the caller as the vm
 * command's error).
 */
int mmu_env_vm_create(struct mmu_env *env, uint64_t start, uint64_t range,
		      uint64_t resv_start, uint64_t resv_range,
		      struct gpuvm **gv);

/** mmu_env_vm_destroy() - destroy the Mali VM, if any */
void mmu_env_vm_destroy(struct mmu_env *env);

/** mmu_env_vm() - the Mali VM, or NULL */
struct gpuvm_mali_vm *mmu_env_vm(struct mmu_env *env);

/**
 * mmu_env_bo_backing() - physical backing of BO @id (GPU bytes)
 *
 * Returns: 0, or ENOSPC (a backend failure, reported and counted) when
 * the BO did not fit in BO memory.
 */
int mmu_env_bo_backing(struct mmu_env *env, uint64_t id, uint64_t *pa,
		       uint64_t *size);

/** mmu_env_sim() - the simulator, or NULL on hardware (for tests) */
struct gpuvm_mali_sim *mmu_env_sim(struct mmu_env *env);

/** mmu_env_ptmem() - the page-table memory (for tests) */
struct gpuvm_mali_ptmem *mmu_env_ptmem(struct mmu_env *env);

/** mmu_env_bo_bytes() - bytes of BO memory the trace's BOs were given */
uint64_t mmu_env_bo_bytes(const struct mmu_env *env);

/**
 * mmu_env_first_failed_line() - the line whose verification failed first:
 * 0 when none did, ULONG_MAX for the sweep at the end of the trace
 */
unsigned long mmu_env_first_failed_line(const struct mmu_env *env);

/** mmu_env_count_ops() - account @n ops printed for a request */
void mmu_env_count_ops(struct mmu_env *env, unsigned long n);

/**
 * mmu_env_verify() - check the VM through the GPU after a request
 * @env: the backend
 * @lo: start of the request (GPU bytes)
 * @range: its size (0: it changed nothing)
 *
 * Checks every page of [@lo, @lo + @range) widened to whole 2 MiB blocks,
 * then the next stretch of the rolling sample; every
 * mmu_options.verify_every calls, the whole VM instead.  Failures are
 * reported with the line given to mmu_env_set_line().
 * Returns: true when everything matched.
 */
bool mmu_env_verify(struct mmu_env *env, uint64_t lo, uint64_t range);

#endif
