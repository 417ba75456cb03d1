/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend, layer 1: the hardware access layer (HAL).
 *
 * Everything the Mali backend does to hardware goes through this small
 * interface: 32-bit register access in the GPU register window, writes and
 * reads of page-table memory by bus (physical) address, the MMU interrupt,
 * and time.  Two implementations ship with libgpuvm:
 *
 *  - gpuvm/mali_uio.h: a real GPU through /dev/uioN (register window = UIO
 *    map 0, page-table memory = a physically contiguous carve-out);
 *  - gpuvm/mali_sim.h: a simulated Mali MMU with virtual time, which the
 *    tests and the demo run on.
 *
 * Page-table memory is addressed by bus address so that the simulator can
 * track what the GPU may already have cached; an implementation translates
 * it to its CPU mapping.  The HAL never allocates page-table pages: the
 * page-table memory layer (gpuvm/mali_pgtable.h) does, from pools it is
 * given.
 */
#ifndef GPUVM_MALI_HAL_H
#define GPUVM_MALI_HAL_H

#include <stddef.h>
#include <stdint.h>

#include <gpuvm/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gpuvm_mali_hal;

/**
 * struct gpuvm_mali_hal_ops - what a HAL implements
 * @read32: read the 32-bit register at byte @offset of the register window
 * @write32: write the 32-bit register at byte @offset
 * @pt_write64: store a 64-bit page-table entry at bus address @pa (8-byte
 *	aligned) in one aligned 64-bit store; visible to the GPU after
 *	@barrier (write-combined mappings) or @pt_sync (cached mappings)
 * @pt_read64: load the 64-bit page-table entry at bus address @pa
 * @pt_sync: make [@pa, @pa + @len) of page-table memory visible to the GPU
 *	(cache clean on a cached mapping; may be a no-op)
 * @barrier: order earlier register and page-table writes before later ones
 * @irq_wait: wait up to @timeout_us for the MMU interrupt.  Returns 1 and
 *	sets *@events to the implementation's cumulative event count when an
 *	interrupt arrived, 0 on timeout, or a negative errno
 * @irq_rearm: re-enable the interrupt line after handling an event
 *	(0 or a negative errno)
 * @now_ns: a monotonic clock in nanoseconds
 * @sleep_us: sleep (or, simulated, advance time) for @us microseconds
 * @pt_page_freed: optional: a page-table page at @pa was returned to its
 *	pool (the simulator checks it is no longer reachable by the GPU)
 * @pt_write_range: optional: store the @count entries of @descs at bus
 *	addresses @pa, @pa + 8, ... (@pa 8-byte aligned), each in one aligned
 *	64-bit store, in ascending order.  The result, its visibility to the
 *	GPU and any error reporting are exactly those of @count calls of
 *	@pt_write64 (none when @count is 0); only the per-entry call overhead
 *	goes.  When NULL the
 *	library makes those @count calls itself (see gpuvm_mali_pt_wr_range())
 */
struct gpuvm_mali_hal_ops {
	uint32_t (*read32)(struct gpuvm_mali_hal *hal, uint32_t offset);
	void (*write32)(struct gpuvm_mali_hal *hal, uint32_t offset,
			uint32_t value);
	void (*pt_write64)(struct gpuvm_mali_hal *hal, uint64_t pa,
			   uint64_t value);
	uint64_t (*pt_read64)(struct gpuvm_mali_hal *hal, uint64_t pa);
	void (*pt_sync)(struct gpuvm_mali_hal *hal, uint64_t pa, size_t len);
	void (*barrier)(struct gpuvm_mali_hal *hal);
	int (*irq_wait)(struct gpuvm_mali_hal *hal, uint64_t timeout_us,
			uint32_t *events);
	int (*irq_rearm)(struct gpuvm_mali_hal *hal);
	uint64_t (*now_ns)(struct gpuvm_mali_hal *hal);
	void (*sleep_us)(struct gpuvm_mali_hal *hal, uint64_t us);
	void (*pt_page_freed)(struct gpuvm_mali_hal *hal, uint64_t pa);
	void (*pt_write_range)(struct gpuvm_mali_hal *hal, uint64_t pa,
			       const uint64_t *descs, size_t count);
};

/**
 * struct gpuvm_mali_hal - a HAL instance, embedded in the implementation's
 * structure (recover it with gpuvm_container_of())
 */
struct gpuvm_mali_hal {
	const struct gpuvm_mali_hal_ops *ops;	/**< the implementation */
};

/**
 * gpuvm_mali_rd32() - read a register through @hal
 * @hal: the HAL
 * @offset: register offset in the GPU window
 *
 * Returns: the register value.
 *
 * Locking: none inside; the caller serialises accesses the hardware needs
 * serialised (the HAL ops are called directly).
 */
static inline uint32_t gpuvm_mali_rd32(struct gpuvm_mali_hal *hal,
				       uint32_t offset)
{
	return hal->ops->read32(hal, offset);
}

/**
 * gpuvm_mali_wr32() - write a register through @hal
 * @hal: the HAL
 * @offset: register offset in the GPU window
 * @value: the value
 *
 * Locking: none inside; the caller serialises accesses the hardware needs
 * serialised (the HAL ops are called directly).
 */
static inline void gpuvm_mali_wr32(struct gpuvm_mali_hal *hal, uint32_t offset,
				   uint32_t value)
{
	hal->ops->write32(hal, offset, value);
}

/**
 * gpuvm_mali_wr64() - write a LO/HI register pair, LO first (as the drivers do)
 * @hal: the HAL
 * @offset: offset of the LO half
 * @value: the value (LO written first)
 *
 * Locking: none inside; the caller serialises accesses the hardware needs
 * serialised (the HAL ops are called directly).
 */
static inline void gpuvm_mali_wr64(struct gpuvm_mali_hal *hal, uint32_t offset,
				   uint64_t value)
{
	hal->ops->write32(hal, offset, (uint32_t)value);
	hal->ops->write32(hal, offset + 4, (uint32_t)(value >> 32));
}

/**
 * gpuvm_mali_rd64() - read a LO/HI register pair (LO first)
 * @hal: the HAL
 * @offset: offset of the LO half
 *
 * Returns: the 64-bit value (HI << 32 | LO).
 *
 * Locking: none inside; the caller serialises accesses the hardware needs
 * serialised (the HAL ops are called directly).
 */
static inline uint64_t gpuvm_mali_rd64(struct gpuvm_mali_hal *hal,
				       uint32_t offset)
{
	uint64_t lo = hal->ops->read32(hal, offset);

	return lo | (uint64_t)hal->ops->read32(hal, offset + 4) << 32;
}

/**
 * gpuvm_mali_pt_wr_range() - store @count page-table entries from @descs at
 * bus addresses @pa, @pa + 8, ... through @hal
 * @hal: the HAL
 * @pa: bus address of the first descriptor (8-byte aligned)
 * @descs: the descriptors
 * @count: how many
 *
 * One @pt_write_range call when the HAL has it, else @count @pt_write64
 * calls in ascending order: the same stores either way.
 *
 * Locking: none inside; the caller serialises accesses the hardware needs
 * serialised (the HAL ops are called directly).
 */
static inline void gpuvm_mali_pt_wr_range(struct gpuvm_mali_hal *hal,
					  uint64_t pa, const uint64_t *descs,
					  size_t count)
{
	size_t i;

	if (!count)
		return;
	if (hal->ops->pt_write_range) {
		hal->ops->pt_write_range(hal, pa, descs, count);
		return;
	}
	for (i = 0; i < count; i++)
		hal->ops->pt_write64(hal, pa + i * 8, descs[i]);
}

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_HAL_H */
