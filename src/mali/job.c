/* SPDX-License-Identifier: MIT */
/*
 * Mali backend: Job-Manager job descriptors and job slots.  The descriptor
 * layout is the one Mesa's panfrost genxml gives for v5-v7 (64-byte
 * aligned, "Is 64b" header bit) and v9 (128-byte aligned, every job 64-bit):
 *
 *   word 0  exception status | first incomplete task << 32
 *   word 1  fault pointer
 *   word 2  [0] is 64b (v4-v7), [7:1] type, [8] barrier, [31:16] index,
 *           [47:32] dependency 1, [63:48] dependency 2
 *   word 3  next job
 *   word 4  WRITE_VALUE: address
 *   word 5  WRITE_VALUE: type (low 32 bits)
 *   word 6  WRITE_VALUE: immediate value
 */
#include <errno.h>
#include <string.h>

#include <gpuvm/mali_gpu.h>

#include "gpu_internal.h"

#define ALL_ONES	0xFFFFFFFFu

GPUVM_EXPORT unsigned int gpuvm_mali_job_desc_align(unsigned int arch_major)
{
	if (arch_major >= 4 && arch_major <= 7)
		return 64;
	if (arch_major == 9)
		return 128;
	return 0;
}

unsigned int gpuvm_mali_job_write_size(uint32_t type)
{
	switch (type) {
	case GPUVM_MALI_WRITE_VALUE_IMMEDIATE_8:
		return 1;
	case GPUVM_MALI_WRITE_VALUE_IMMEDIATE_16:
		return 2;
	case GPUVM_MALI_WRITE_VALUE_IMMEDIATE_32:
		return 4;
	case GPUVM_MALI_WRITE_VALUE_CYCLE_COUNTER:
	case GPUVM_MALI_WRITE_VALUE_SYSTEM_TIMESTAMP:
	case GPUVM_MALI_WRITE_VALUE_ZERO:
	case GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64:
		return 8;
	default:
		return 0;
	}
}

GPUVM_EXPORT int gpuvm_mali_job_write_value(unsigned int arch_major,
					    const struct gpuvm_mali_write_value *wv,
					    uint64_t desc[GPUVM_MALI_JOB_DESC_WORDS])
{
	unsigned int align = gpuvm_mali_job_desc_align(arch_major);
	unsigned int size;
	uint64_t control;

	if (!wv || !desc)
		return -EINVAL;
	if (!align)
		return -EOPNOTSUPP;
	size = gpuvm_mali_job_write_size(wv->type);
	if (!size || !wv->index || (wv->address & (size - 1)) ||
	    (wv->next & (align - 1)))
		return -EINVAL;

	control = (uint64_t)GPUVM_MALI_JOB_TYPE_WRITE_VALUE << 1 |
		  (uint64_t)wv->index << 16;
	if (arch_major <= 7)
		control |= GPUVM_MALI_JOB_CONTROL_IS_64B;
	memset(desc, 0, GPUVM_MALI_JOB_DESC_WORDS * sizeof(*desc));
	desc[GPUVM_MALI_JOB_W_CONTROL] = control;
	desc[GPUVM_MALI_JOB_W_NEXT] = wv->next;
	desc[GPUVM_MALI_JOB_W_ADDRESS] = wv->address;
	desc[GPUVM_MALI_JOB_W_TYPE] = wv->type;
	desc[GPUVM_MALI_JOB_W_VALUE] = wv->value;
	return 0;
}

static uint32_t js(unsigned int slot, uint32_t reg)
{
	return GPUVM_MALI_JS_REG(slot, reg);
}

GPUVM_EXPORT int gpuvm_mali_job_submit(struct gpuvm_mali_hal *hal,
				       const struct gpuvm_mali_gpu_info *info,
				       const struct gpuvm_mali_job_submit *s)
{
	unsigned int align;
	uint64_t affinity;
	uint32_t present, next;

	if (!hal || !info || !s)
		return -EINVAL;
	align = gpuvm_mali_job_desc_align(info->arch_major);
	if (info->csf || !align)
		return -EOPNOTSUPP;
	if (s->slot >= GPUVM_MALI_MAX_JS || s->as >= GPUVM_MALI_MAX_AS ||
	    !((info->as_present >> s->as) & 1u) || !s->head ||
	    (s->head & (align - 1)) || (s->config & GPUVM_MALI_JS_CONFIG_AS_MASK))
		return -EINVAL;
	present = gpuvm_mali_rd32(hal, GPUVM_MALI_JS_PRESENT);
	if (present == ALL_ONES)
		return -EIO;
	if (!((present >> s->slot) & 1u))
		return -EINVAL;
	affinity = s->affinity;
	if (!affinity) {
		affinity = gpuvm_mali_rd64(hal, GPUVM_MALI_SHADER_PRESENT_LO);
		if (affinity == UINT64_MAX)
			return -EIO;
	}
	next = gpuvm_mali_rd32(hal, js(s->slot, GPUVM_MALI_JS_COMMAND_NEXT));
	if (next == ALL_ONES)
		return -EIO;
	if (next)
		return -EBUSY;

	gpuvm_mali_wr32(hal, GPUVM_MALI_JOB_INT_CLEAR,
			GPUVM_MALI_JOB_IRQ_DONE(s->slot) |
			GPUVM_MALI_JOB_IRQ_FAILED(s->slot));
	gpuvm_mali_wr64(hal, js(s->slot, GPUVM_MALI_JS_HEAD_NEXT_LO), s->head);
	gpuvm_mali_wr64(hal, js(s->slot, GPUVM_MALI_JS_AFFINITY_NEXT_LO), affinity);
	gpuvm_mali_wr32(hal, js(s->slot, GPUVM_MALI_JS_CONFIG_NEXT),
			s->as | s->config);
	gpuvm_mali_wr32(hal, js(s->slot, GPUVM_MALI_JS_COMMAND_NEXT),
			GPUVM_MALI_JS_COMMAND_START);
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_job_wait(struct gpuvm_mali_hal *hal, unsigned int slot,
				     uint64_t timeout_us,
				     struct gpuvm_mali_job_result *res)
{
	uint32_t done, failed, raw = 0;
	int ret;

	if (!hal || !res || slot >= GPUVM_MALI_MAX_JS)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	done = GPUVM_MALI_JOB_IRQ_DONE(slot);
	failed = GPUVM_MALI_JOB_IRQ_FAILED(slot);
	ret = gpuvm_mali_gpu_poll(hal, GPUVM_MALI_JOB_INT_RAWSTAT, 0, done | failed,
		       timeout_us, &raw);
	if (ret)
		return ret;
	if (raw & failed) {
		res->failed = true;
		res->js_status = gpuvm_mali_rd32(hal, js(slot, GPUVM_MALI_JS_STATUS));
		res->head = gpuvm_mali_rd64(hal, js(slot, GPUVM_MALI_JS_HEAD_LO));
		res->tail = gpuvm_mali_rd64(hal, js(slot, GPUVM_MALI_JS_TAIL_LO));
	} else {
		res->js_status = GPUVM_MALI_EXC_DONE;
	}
	res->name = gpuvm_mali_exception_name(res->js_status);
	gpuvm_mali_wr32(hal, GPUVM_MALI_JOB_INT_CLEAR, raw & (done | failed));
	return res->failed ? 1 : 0;
}

GPUVM_EXPORT int gpuvm_mali_job_stop(struct gpuvm_mali_hal *hal, unsigned int slot,
				     bool hard)
{
	if (!hal || slot >= GPUVM_MALI_MAX_JS)
		return -EINVAL;
	gpuvm_mali_wr32(hal, js(slot, GPUVM_MALI_JS_COMMAND),
			hard ? GPUVM_MALI_JS_COMMAND_HARD_STOP :
			       GPUVM_MALI_JS_COMMAND_SOFT_STOP);
	return 0;
}
