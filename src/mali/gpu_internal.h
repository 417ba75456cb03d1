/* SPDX-License-Identifier: MIT */
/*
 * Shared by gpu.c (GPU control), job.c (job slots) and sim_gpu.c (the
 * simulated job slots): the register poll and the WRITE_VALUE sizes.
 */
#ifndef GPUVM_MALI_GPU_INTERNAL_H
#define GPUVM_MALI_GPU_INTERNAL_H

#include <stdint.h>

#include <gpuvm/mali_hal.h>

/*
 * Read @off until (value & @mask) is @want (@mask != 0) or, with @mask 0,
 * until (value & @want) is not 0; every GPUVM_MALI_GPU_POLL_US for up to
 * @timeout_us of HAL time.  0xFFFFFFFF never ends the wait (a powered-off
 * GPU or a bus error, not a value); two in a row give up.  The last value
 * read goes to *@last when @last is not NULL.  Returns 0, -ETIMEDOUT or -EIO.
 */
int gpuvm_mali_gpu_poll(struct gpuvm_mali_hal *hal, uint32_t off, uint32_t mask,
	     uint32_t want, uint64_t timeout_us, uint32_t *last);

/* Bytes a WRITE_VALUE job of @type stores (1-8), 0 for an unknown type. */
unsigned int gpuvm_mali_job_write_size(uint32_t type);

#endif /* GPUVM_MALI_GPU_INTERNAL_H */
