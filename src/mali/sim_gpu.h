/* SPDX-License-Identifier: MIT */
/*
 * Private state of the simulated GPU's reset, power and job model
 * (sim_gpu.c), embedded in struct gpuvm_mali_sim.  sim.c calls the hooks
 * below from its register dispatch, its reset and its creation.
 */
#ifndef GPUVM_MALI_SIM_GPU_INTERNAL_H
#define GPUVM_MALI_SIM_GPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/mali_sim_gpu.h>

#define SIMG_DOMAINS	3u	/* L2, shader, tiler */
#define SIMG_SLOTS	3u	/* JS_PRESENT 0x7 */

struct gpuvm_mali_sim;

struct simg_domain {
	uint64_t ready;
	uint64_t trans;
	unsigned int left;
};

struct simg_slot {
	bool active;
	uint64_t head, tail, affinity;
	uint32_t config, status;
	unsigned int left;
	bool queued;
	uint64_t next_head, next_affinity;
	uint32_t next_config;
	bool hang;
};

struct sim_gpu {
	struct gpuvm_mali_sim_gpu_config cfg;
	bool resetting, reset_stuck;
	unsigned int reset_left;
	struct simg_domain dom[SIMG_DOMAINS];
	unsigned int power_stuck;
	uint32_t fault_status;
	uint64_t fault_address;
	uint32_t job_rawstat, job_mask;
	struct simg_slot js[SIMG_SLOTS];
};

/* Creation: the default model. */
void gpuvm_simg_init(struct gpuvm_mali_sim *sim);
/* Part of the GPU's reset state (keeps the configuration and injections). */
void gpuvm_simg_reset_state(struct gpuvm_mali_sim *sim);
/* Register hooks: true when the access was handled here (*@v is the value). */
bool gpuvm_simg_read(struct gpuvm_mali_sim *sim, uint32_t offset, uint32_t *v);
bool gpuvm_simg_write(struct gpuvm_mali_sim *sim, uint32_t offset, uint32_t value);
/* @us of virtual time passed (a HAL sleep, an interrupt wait): jobs run. */
void gpuvm_simg_time_passed(struct gpuvm_mali_sim *sim, uint64_t us);

#endif /* GPUVM_MALI_SIM_GPU_INTERNAL_H */
