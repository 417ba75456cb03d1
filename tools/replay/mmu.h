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

#include <gpuvm/mali_vm.h>

#include "replay.h"

struct mmu_env;

/**
 * mmu_env_open() - bring the backend up for one trace
 * @spec: "sim" or "uio:NAME"
 * @trace: the whole trace text (pre-scanned for BO sizes and alignment)
 * @len: its length
 * @quiet: no summary at the end
 * @out: receives the backend
 *
 * Prints a message on stderr when it fails.
 * Returns: REPLAY_OK or REPLAY_TOOL_ERROR.
 */
enum replay_status mmu_env_open(const char *spec, const char *trace,
				size_t len, bool quiet, struct mmu_env **out);

/**
 * mmu_env_close() - print the summary, tear everything down, free @env
 *
 * The VM must already be gone (mmu_env_vm_destroy()).
 * Returns: REPLAY_OK, or REPLAY_CHECK_FAILED when a check failed or the
 * simulator logged a violation.
 */
enum replay_status mmu_env_close(struct mmu_env *env);

/** mmu_env_shift() - trace units are 1 << shift bytes on the GPU (0 or 12) */
unsigned int mmu_env_shift(const struct mmu_env *env);

/**
 * mmu_env_vm_create() - create the Mali VM (the trace's vm command)
 *
 * Arguments in trace units.  Returns: 0 or a positive errno (printed by
 * the caller as the vm command's error).
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
 * Returns: 0 or a positive errno (ENOMEM: out of carve-out).
 */
int mmu_env_bo_backing(struct mmu_env *env, uint64_t id, uint64_t *pa,
		       uint64_t *size);

/** mmu_env_count_ops() - account @n ops printed for a request */
void mmu_env_count_ops(struct mmu_env *env, unsigned long n);

/**
 * mmu_env_verify() - check every VA and gap of the VM through the GPU
 * @env: the backend
 * @name: trace name, for messages
 * @lineno: the line just run, for messages
 * @whole: check the whole VM; otherwise the request's range
 *	[@lo, @lo + @range) and one page around it are checked when the tree
 *	has more than 64 VAs, except every 256th call, which checks all
 * @lo: start of the request (GPU bytes)
 * @range: its size (0: the whole VM)
 *
 * Returns: true when everything matched.
 */
bool mmu_env_verify(struct mmu_env *env, const char *name,
		    unsigned long lineno, bool whole, uint64_t lo,
		    uint64_t range);

#endif
