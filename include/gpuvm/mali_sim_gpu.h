/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend: the simulated GPU's reset, power and job model.
 *
 * Extends the simulator of gpuvm/mali_sim.h (same object, same register
 * window, same virtual time) with what a bring-up drives before and after
 * the MMU:
 *
 *  - a reset state machine: a reset command (JM GPU_CMD 0x01/0x02, CSF
 *    0x101/0x201) keeps the GPU resetting for @reset_reads reads of
 *    GPU_INT_RAWSTAT; meanwhile every *_READY and *_PWRTRANS register and
 *    every job register reads 0 and writes other than GPU_INT_CLEAR and
 *    GPU_INT_MASK are ignored.  Then the GPU is in its reset state (every
 *    AS unmapped, every domain off) and RESET_COMPLETED is raised;
 *  - power domains L2, shader cores and tiler: a *_PWRON write puts the
 *    present bits it names in transition (*_PWRTRANS) for @power_reads
 *    reads of the domain's *_READY, then they are ready and POWER_CHANGED
 *    and POWER_CHANGED_ALL are raised.  Shader cores and the tiler wait for
 *    the L2 to be ready.  *_PWROFF takes bits out at once (L2 off takes
 *    the cores and tiler with it);
 *  - Job-Manager job slots (JS_PRESENT 0x7): JS_COMMAND_NEXT = START moves
 *    the NEXT registers into the slot when it is idle; the chain starts
 *    @job_reads steps later and then runs one job per step.  A step is a
 *    read of JOB_INT_RAWSTAT, JOB_INT_STAT, JOB_INT_JS_STATE or JS_STATUS,
 *    or each 10 us of virtual time passing (HAL sleep_us(), an irq_wait()
 *    that waits; at most 1024 steps per call), so a chain also runs while
 *    the program waits for the MMU interrupt.
 *    Jobs read their descriptor and write their value through the
 *    simulated MMU (gpuvm_mali_sim_access(): the TLB, the walker, fault
 *    latching), so a stale TLB entry makes the GPU write to the old page.
 *    NULL and WRITE_VALUE jobs run; other types fail with JOB_CONFIG_FAULT.
 *    A chain ends with JS_STATUS DONE and the slot's done bit, or with the
 *    exception code, JS_HEAD at the failing job and the failed bit:
 *    an MMU fault on a job access (latched in the AS as by
 *    gpuvm_mali_sim_access(), source id GPUVM_MALI_SIM_JOB_SOURCE_ID) ends
 *    the chain with the MMU exception type -- on hardware the access stalls
 *    until the driver disables the AS, after which the job fails with that
 *    code; the simulator ends it at once.  A job access to unbacked
 *    memory fails with JOB_BUS_FAULT and raises GPU_FAULT (GPU_FAULTSTATUS
 *    0x80 | access << 8 | ADDRESS_VALID, GPU_FAULTADDRESS = the bus
 *    address).  Without the L2 ready a chain fails with JOB_POWER_FAULT,
 *    with no present core in its affinity with JOB_AFFINITY_FAULT, with no
 *    ready one with JOB_POWER_FAULT.  Job headers are not written back;
 *  - CSF GPUs have no job slots (JS_PRESENT reads 0 and the job registers
 *    are not there): their reset, power and flush model is the same.
 *
 * Job and GPU interrupts are latched in JOB_INT_RAWSTAT and GPU_INT_RAWSTAT
 * only: the simulated interrupt line (irq_wait) carries the MMU interrupt,
 * as the UIO device does.
 *
 * Locking: as gpuvm/mali_sim.h.
 */
#ifndef GPUVM_MALI_SIM_GPU_H
#define GPUVM_MALI_SIM_GPU_H

#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/mali_sim.h>

#ifdef __cplusplus
extern "C" {
#endif

/** GPUVM_MALI_SIM_JOB_SOURCE_ID - FAULTSTATUS source id of job accesses (arbitrary) */
#define GPUVM_MALI_SIM_JOB_SOURCE_ID	0x0100u

/**
 * struct gpuvm_mali_sim_gpu_config - the GPU model's parameters
 * @shader_present: SHADER_PRESENT (non-zero)
 * @tiler_present: TILER_PRESENT (non-zero)
 * @reset_reads: GPU_INT_RAWSTAT reads a reset lasts (at most 1000000)
 * @power_reads: *_READY reads a power transition lasts (at most 1000000)
 * @job_reads: job-register reads before a started chain runs (at most
 *	1000000)
 */
struct gpuvm_mali_sim_gpu_config {
	uint64_t shader_present;
	uint64_t tiler_present;
	unsigned int reset_reads;
	unsigned int power_reads;
	unsigned int job_reads;
};

/**
 * gpuvm_mali_sim_gpu_config_init() - the model every simulator starts with
 * @cfg: receives it: four shader cores (0xF), one tiler, and resets, power
 *	transitions and job starts that take effect at once (0 reads)
 *
 * Thread-safe.
 */
GPUVM_EXPORT void gpuvm_mali_sim_gpu_config_init(struct gpuvm_mali_sim_gpu_config *cfg);

/**
 * gpuvm_mali_sim_gpu_configure() - change the GPU model's parameters
 * @sim: the simulator
 * @cfg: the parameters (copied); ready bits beyond the new present masks
 *	are dropped
 *
 * Return: 0; -EINVAL (NULL argument, a present mask of 0, a count above
 * 1000000).
 */
GPUVM_EXPORT int gpuvm_mali_sim_gpu_configure(struct gpuvm_mali_sim *sim,
					      const struct gpuvm_mali_sim_gpu_config *cfg);

/**
 * enum gpuvm_mali_sim_gpu_injection - hardware faults of the GPU model
 * @GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK: @arg 1: resets never complete (the
 *	GPU stays resetting); @arg 0: they complete again (a stuck one
 *	then completes after @reset_reads more GPU_INT_RAWSTAT reads)
 * @GPUVM_MALI_SIM_GPU_INJ_POWER_STUCK: @arg: GPUVM_MALI_POWER_* domains
 *	whose transitions never end (0: none; pending ones end normally)
 * @GPUVM_MALI_SIM_GPU_INJ_JOB_HANG: @arg 1: the chain on job slot @slot
 *	(and every later one) never progresses and ignores SOFT_STOP (a
 *	HARD_STOP or a reset still ends it); @arg 0: it runs again
 */
enum gpuvm_mali_sim_gpu_injection {
	GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK = 1,
	GPUVM_MALI_SIM_GPU_INJ_POWER_STUCK,
	GPUVM_MALI_SIM_GPU_INJ_JOB_HANG,
};

/**
 * gpuvm_mali_sim_gpu_inject() - cause a GPU-model hardware fault
 * @sim: the simulator
 * @what: the fault
 * @slot: job slot for GPUVM_MALI_SIM_GPU_INJ_JOB_HANG (ignored otherwise)
 * @arg: see enum gpuvm_mali_sim_gpu_injection
 *
 * Return: 0; -EINVAL (NULL @sim, unknown @what, bad @arg, or a slot that
 * is not present).
 */
GPUVM_EXPORT int gpuvm_mali_sim_gpu_inject(struct gpuvm_mali_sim *sim,
					   enum gpuvm_mali_sim_gpu_injection what,
					   unsigned int slot, uint64_t arg);

/**
 * gpuvm_mali_sim_gpu_inject_fault() - raise GPU_FAULT as the hardware would
 * @sim: the simulator
 * @status: GPU_FAULTSTATUS to latch
 * @address: GPU_FAULTADDRESS to latch
 *
 * When GPU_FAULT is already raised the new fault only sets MULTIPLE_FAULT
 * (the first one stays latched).
 *
 * Return: 0 when latched, 1 when only MULTIPLE_FAULT was set; -EINVAL
 * (NULL @sim).
 */
GPUVM_EXPORT int gpuvm_mali_sim_gpu_inject_fault(struct gpuvm_mali_sim *sim,
						 uint32_t status, uint64_t address);

/**
 * gpuvm_mali_sim_mem_write64() - a GPU store to simulated memory
 * @sim: the simulator
 * @pa: 8-byte aligned bus address
 * @value: the value
 *
 * Lands in memory as the GPU's writes do, so gpuvm_mali_sim_mem_read64()
 * and the CPU's view (HAL pt_read64()) both see it, except where the CPU
 * has its own store to the same 64-byte line not yet visible to the GPU.
 * The first store to a 64 KiB chunk backs it (gpuvm_mali_sim_add_memory()).
 *
 * Return: 0; -EINVAL (NULL @sim or misaligned @pa); -EFAULT (outside
 * every carve-out); -ENOMEM when the host cannot back the chunk (also
 * logged as BAD_PT_ACCESS; nothing is stored).
 */
GPUVM_EXPORT int gpuvm_mali_sim_mem_write64(struct gpuvm_mali_sim *sim,
					    uint64_t pa, uint64_t value);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_SIM_GPU_H */
