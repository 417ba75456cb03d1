/* SPDX-License-Identifier: MIT */
/*
 * Mali backend: GPU control over the HAL -- reset, power domains, cache
 * flushes, the GPU interrupt and exception names.  Every wait polls a
 * register (gpuvm_mali_gpu_poll()), so none needs an interrupt line.
 */
#include <errno.h>
#include <string.h>

#include <gpuvm/mali_gpu.h>

#include "gpu_internal.h"

#define ALL_ONES	0xFFFFFFFFu

int gpuvm_mali_gpu_poll(struct gpuvm_mali_hal *hal, uint32_t off, uint32_t mask,
	     uint32_t want, uint64_t timeout_us, uint32_t *last)
{
	uint64_t t0 = hal->ops->now_ns(hal);
	uint64_t limit_ns = timeout_us > UINT64_MAX / 1000u ? UINT64_MAX :
			    timeout_us * 1000u;
	unsigned int all_ones = 0;

	for (;;) {
		uint32_t v = gpuvm_mali_rd32(hal, off);

		if (last)
			*last = v;
		if (v == ALL_ONES) {
			if (++all_ones == 2)
				return -EIO;
		} else {
			all_ones = 0;
			if (mask ? (v & mask) == want : (v & want) != 0)
				return 0;
		}
		if (hal->ops->now_ns(hal) - t0 >= limit_ns)
			return -ETIMEDOUT;
		hal->ops->sleep_us(hal, GPUVM_MALI_GPU_POLL_US);
	}
}

/* ---------------------------------------------------------------------
 * Reset
 */

static int reset_step(struct gpuvm_mali_hal *hal, uint32_t cmd,
		      uint64_t timeout_us)
{
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_CMD, cmd);
	return gpuvm_mali_gpu_poll(hal, GPUVM_MALI_GPU_INT_RAWSTAT, 0,
			GPUVM_MALI_GPU_IRQ_RESET_COMPLETED, timeout_us, NULL);
}

GPUVM_EXPORT int gpuvm_mali_gpu_reset(struct gpuvm_mali_hal *hal,
				      const struct gpuvm_mali_gpu_info *info,
				      unsigned int flags)
{
	uint32_t soft, hard;
	int ret = -ETIMEDOUT;

	if (!hal || !info || (flags & ~GPUVM_MALI_GPU_RESET_HARD))
		return -EINVAL;
	soft = info->csf ? GPUVM_MALI_CSF_GPU_CMD_SOFT_RESET :
			   GPUVM_MALI_JM_GPU_CMD_SOFT_RESET;
	hard = info->csf ? GPUVM_MALI_CSF_GPU_CMD_HARD_RESET :
			   GPUVM_MALI_JM_GPU_CMD_HARD_RESET;

	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_INT_MASK, 0);
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_INT_CLEAR,
			GPUVM_MALI_GPU_IRQ_RESET_COMPLETED);
	if (!(flags & GPUVM_MALI_GPU_RESET_HARD))
		ret = reset_step(hal, soft, GPUVM_MALI_GPU_SOFT_RESET_TIMEOUT_US);
	if (ret == -ETIMEDOUT)
		ret = reset_step(hal, hard, GPUVM_MALI_GPU_HARD_RESET_TIMEOUT_US);
	if (ret)
		return ret;
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_INT_CLEAR, GPUVM_MALI_GPU_IRQ_MASK_ALL);
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_INT_MASK, GPUVM_MALI_GPU_IRQ_MASK_ERROR);
	return 0;
}

/* ---------------------------------------------------------------------
 * Power
 */

struct power_regs {
	uint32_t present, ready, pwron;
};

static const struct power_regs power_regs[] = {
	{ GPUVM_MALI_L2_PRESENT_LO, GPUVM_MALI_L2_READY_LO, GPUVM_MALI_L2_PWRON_LO },
	{ GPUVM_MALI_SHADER_PRESENT_LO, GPUVM_MALI_SHADER_READY_LO,
	  GPUVM_MALI_SHADER_PWRON_LO },
	{ GPUVM_MALI_TILER_PRESENT_LO, GPUVM_MALI_TILER_READY_LO,
	  GPUVM_MALI_TILER_PWRON_LO },
};

static int power_domain_on(struct gpuvm_mali_hal *hal,
			   const struct power_regs *r)
{
	uint32_t lo = gpuvm_mali_rd32(hal, r->present);
	uint32_t hi = gpuvm_mali_rd32(hal, r->present + 4);
	int ret;

	if (lo == ALL_ONES && hi == ALL_ONES)
		return -EIO;
	if (!lo && !hi)
		return 0;
	gpuvm_mali_wr32(hal, r->pwron, lo);
	if (hi)
		gpuvm_mali_wr32(hal, r->pwron + 4, hi);
	ret = lo ? gpuvm_mali_gpu_poll(hal, r->ready, lo, lo,
			    GPUVM_MALI_GPU_POWER_TIMEOUT_US, NULL) : 0;
	if (!ret && hi)
		ret = gpuvm_mali_gpu_poll(hal, r->ready + 4, hi, hi,
			       GPUVM_MALI_GPU_POWER_TIMEOUT_US, NULL);
	return ret;
}

GPUVM_EXPORT int gpuvm_mali_gpu_power_on(struct gpuvm_mali_hal *hal,
					 unsigned int domains)
{
	unsigned int i;
	int ret;

	if (!hal || !domains || (domains & ~(unsigned int)GPUVM_MALI_POWER_ALL))
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		if (!(domains & (1u << i)))
			continue;
		ret = power_domain_on(hal, &power_regs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Cache flush
 */

GPUVM_EXPORT int gpuvm_mali_gpu_cache_flush(struct gpuvm_mali_hal *hal,
					    const struct gpuvm_mali_gpu_info *info,
					    unsigned int flags)
{
	const uint32_t done = GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED;
	bool inv = flags & GPUVM_MALI_GPU_FLUSH_INVALIDATE;
	uint32_t cmd;
	int ret;

	if (!hal || !info || (flags & ~GPUVM_MALI_GPU_FLUSH_INVALIDATE))
		return -EINVAL;
	if (!info->csf)
		cmd = inv ? GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES :
			    GPUVM_MALI_JM_GPU_CMD_CLEAN_CACHES;
	else if (inv)
		cmd = GPUVM_MALI_CSF_GPU_CMD_FLUSH_ALL;
	else
		cmd = GPUVM_MALI_CSF_FLUSH_CACHES(GPUVM_MALI_CACHE_OP_CLEAN,
						  GPUVM_MALI_CACHE_OP_CLEAN,
						  GPUVM_MALI_CACHE_OP_NONE);
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_INT_CLEAR, done);
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_CMD, cmd);
	ret = gpuvm_mali_gpu_poll(hal, GPUVM_MALI_GPU_INT_RAWSTAT, 0, done,
		       GPUVM_MALI_GPU_FLUSH_TIMEOUT_US, NULL);
	if (ret)
		return ret;
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_INT_CLEAR, done);
	return 0;
}

/* ---------------------------------------------------------------------
 * GPU interrupt
 */

GPUVM_EXPORT int gpuvm_mali_gpu_handle_irq(struct gpuvm_mali_hal *hal,
					   struct gpuvm_mali_gpu_irq *out)
{
	uint32_t stat;

	if (!hal || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	stat = gpuvm_mali_rd32(hal, GPUVM_MALI_GPU_INT_STAT);
	if (stat == ALL_ONES)
		return -EIO;
	if (!stat)
		return 0;
	out->stat = stat;
	out->multiple_fault = stat & GPUVM_MALI_GPU_IRQ_MULTIPLE_FAULT;
	if (stat & GPUVM_MALI_GPU_IRQ_FAULT) {
		uint32_t st = gpuvm_mali_rd32(hal, GPUVM_MALI_GPU_FAULT_STATUS);

		out->fault = true;
		out->fault_status = st;
		out->exception_type = (uint8_t)GPUVM_MALI_FAULT_EXCEPTION_TYPE(st);
		out->access_type = (uint8_t)GPUVM_MALI_FAULT_ACCESS_TYPE(st);
		out->address_valid = st & GPUVM_MALI_GPU_FAULT_ADDRESS_VALID;
		out->source_id = (uint16_t)GPUVM_MALI_FAULT_SOURCE_ID(st);
		out->fault_address = gpuvm_mali_rd64(hal, GPUVM_MALI_GPU_FAULT_ADDR_LO);
		out->name = gpuvm_mali_exception_name(out->exception_type);
	}
	gpuvm_mali_wr32(hal, GPUVM_MALI_GPU_INT_CLEAR, stat);
	return 1;
}

/* ---------------------------------------------------------------------
 * Exception names
 */

GPUVM_EXPORT const char *gpuvm_mali_exception_name(uint32_t code)
{
	static const struct {
		uint8_t code;
		const char *name;
	} names[] = {
		{ GPUVM_MALI_EXC_OK, "OK" },
		{ GPUVM_MALI_EXC_DONE, "DONE" },
		{ 0x02, "INTERRUPTED" },
		{ GPUVM_MALI_EXC_STOPPED, "STOPPED" },
		{ GPUVM_MALI_EXC_TERMINATED, "TERMINATED" },
		{ 0x05, "KABOOM" },
		{ 0x06, "EUREKA" },
		{ GPUVM_MALI_EXC_ACTIVE, "ACTIVE" },
		{ GPUVM_MALI_EXC_JOB_CONFIG_FAULT, "JOB_CONFIG_FAULT" },
		{ GPUVM_MALI_EXC_JOB_POWER_FAULT, "JOB_POWER_FAULT" },
		{ GPUVM_MALI_EXC_JOB_READ_FAULT, "JOB_READ_FAULT" },
		{ GPUVM_MALI_EXC_JOB_WRITE_FAULT, "JOB_WRITE_FAULT" },
		{ GPUVM_MALI_EXC_JOB_AFFINITY_FAULT, "JOB_AFFINITY_FAULT" },
		{ GPUVM_MALI_EXC_JOB_BUS_FAULT, "JOB_BUS_FAULT" },
		{ 0x50, "INSTR_INVALID_PC" },
		{ 0x51, "INSTR_INVALID_ENC" },
		{ 0x52, "INSTR_TYPE_MISMATCH" },
		{ 0x53, "INSTR_OPERAND_FAULT" },
		{ 0x54, "INSTR_TLS_FAULT" },
		{ 0x55, "INSTR_BARRIER_FAULT" },
		{ 0x56, "INSTR_ALIGN_FAULT" },
		{ GPUVM_MALI_EXC_DATA_INVALID_FAULT, "DATA_INVALID_FAULT" },
		{ 0x59, "TILE_RANGE_FAULT" },
		{ 0x5A, "ADDR_RANGE_FAULT" },
		{ 0x5B, "IMPRECISE_FAULT" },
		{ 0x60, "OUT_OF_MEMORY" },
		{ 0x61, "OUT_OF_MEMORY_AFBC" },
	};
	uint32_t c = code & 0xFFu;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == c)
			return names[i].name;
	return gpuvm_mali_fault_name(c);
}
