/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend: register map and hardware constants.
 *
 * The numbers every part of the Mali backend shares -- the page-table code,
 * the UIO HAL, the simulator and the tests: register offsets in the GPU
 * register window, AS_COMMAND and GPU_CMD encodings, interrupt bits, the
 * TRANSCFG / TRANSTAB / MEMATTR fields, AS_FAULTSTATUS decoding and the
 * descriptor bits of the two page-table formats (Mali-LPAE and AArch64 4K).
 *
 * Values follow the public register descriptions of the Linux panfrost and
 * panthor drivers, io-pgtable-arm and Arm's kbase driver, as restated in
 * docs/mali-mmu.md, sections 2 and 3.  This header only defines
 * constants and constant-expression macros; it has no functions and needs
 * no locking.
 */
#ifndef GPUVM_MALI_REGS_H
#define GPUVM_MALI_REGS_H

#include <stdint.h>

/* ---------------------------------------------------------------------
 * GPU control block (the part the MMU backend needs)
 */

#define GPUVM_MALI_GPU_ID			0x000u	/**< GPU identification */
#define GPUVM_MALI_MMU_FEATURES			0x014u	/**< [7:0] VA bits, [15:8] PA bits */
#define GPUVM_MALI_AS_PRESENT			0x018u	/**< bitmask of AS slots */
#define GPUVM_MALI_JS_PRESENT			0x01Cu	/**< JM: job slots present */
#define GPUVM_MALI_CSF_ID			0x01Cu	/**< CSF: CSF identification */
#define GPUVM_MALI_GPU_INT_RAWSTAT		0x020u	/**< latched GPU events */
#define GPUVM_MALI_GPU_INT_CLEAR		0x024u	/**< write 1s to clear */
#define GPUVM_MALI_GPU_INT_MASK			0x028u	/**< 1 = enabled */
#define GPUVM_MALI_GPU_INT_STAT			0x02Cu	/**< RAWSTAT & MASK */
#define GPUVM_MALI_GPU_CMD			0x030u	/**< GPU command */
#define GPUVM_MALI_GPU_STATUS			0x034u	/**< GPU status */
#define GPUVM_MALI_GPU_FAULT_STATUS		0x03Cu	/**< GPU-level fault */
#define GPUVM_MALI_GPU_FAULT_ADDR_LO		0x040u	/**< GPU fault address */
#define GPUVM_MALI_GPU_FAULT_ADDR_HI		0x044u	/**< GPU fault address */
#define GPUVM_MALI_L2_PRESENT_LO		0x120u	/**< L2 slices present */
#define GPUVM_MALI_L2_PRESENT_HI		0x124u	/**< L2 slices present */
#define GPUVM_MALI_L2_READY_LO			0x160u	/**< L2 slices powered */
#define GPUVM_MALI_L2_READY_HI			0x164u	/**< L2 slices powered */
#define GPUVM_MALI_L2_PWRON_LO			0x1A0u	/**< power L2 slices on */
#define GPUVM_MALI_L2_PWRON_HI			0x1A4u	/**< power L2 slices on */
#define GPUVM_MALI_COHERENCY_FEATURES		0x300u	/**< supported protocols */
#define GPUVM_MALI_COHERENCY_PROTOCOL		0x304u	/**< CSF: selected protocol */
#define GPUVM_MALI_L2_MMU_CONFIG		0xF0Cu	/**< JM: MMU quirks */

/* MMU_FEATURES fields */
/**
 * GPUVM_MALI_MMU_VA_BITS() - virtual address bits of an MMU_FEATURES value
 * @f: an MMU_FEATURES value
 */
#define GPUVM_MALI_MMU_VA_BITS(f)		((unsigned int)((f) & 0xFFu))
/**
 * GPUVM_MALI_MMU_PA_BITS() - physical address bits of an MMU_FEATURES value
 * @f: an MMU_FEATURES value
 */
#define GPUVM_MALI_MMU_PA_BITS(f)		((unsigned int)(((f) >> 8) & 0xFFu))

/* GPU_ID fields (new format: arch >= 6, and every CSF GPU) */
/**
 * GPUVM_MALI_GPU_ARCH_MAJOR() - arch major
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_ARCH_MAJOR(id)		(((id) >> 28) & 0xFu)
/**
 * GPUVM_MALI_GPU_ARCH_MINOR() - arch minor
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_ARCH_MINOR(id)		(((id) >> 24) & 0xFu)
/**
 * GPUVM_MALI_GPU_ARCH_REV() - arch revision
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_ARCH_REV(id)		(((id) >> 20) & 0xFu)
/**
 * GPUVM_MALI_GPU_PRODUCT_MAJOR() - product major
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_PRODUCT_MAJOR(id)	(((id) >> 16) & 0xFu)
/**
 * GPUVM_MALI_GPU_VERSION_MAJOR() - version major
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_VERSION_MAJOR(id)	(((id) >> 12) & 0xFu)
/**
 * GPUVM_MALI_GPU_VERSION_MINOR() - version minor
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_VERSION_MINOR(id)	(((id) >> 4) & 0xFFu)
/**
 * GPUVM_MALI_GPU_VERSION_STATUS() - version status
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_VERSION_STATUS(id)	((id) & 0xFu)
/**
 * GPUVM_MALI_GPU_PRODUCT_ID() - old-format (Midgard) product id, GPU_ID[31:16]
 * @id: a GPU_ID value
 */
#define GPUVM_MALI_GPU_PRODUCT_ID(id)		(((id) >> 16) & 0xFFFFu)
/** GPUVM_MALI_CSF_MIN_ARCH - first architecture major with a CSF front end */
#define GPUVM_MALI_CSF_MIN_ARCH			10u

/* GPU_INT bits */
#define GPUVM_MALI_GPU_IRQ_FAULT		(1u << 0)	/**< GPU fault */
#define GPUVM_MALI_GPU_IRQ_MULTIPLE_FAULT	(1u << 7)	/**< JM: more faults */
#define GPUVM_MALI_GPU_IRQ_RESET_COMPLETED	(1u << 8)	/**< reset done */
#define GPUVM_MALI_GPU_IRQ_POWER_CHANGED	(1u << 9)	/**< one domain changed */
#define GPUVM_MALI_GPU_IRQ_POWER_CHANGED_ALL	(1u << 10)	/**< all domains settled */
#define GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED (1u << 17)	/**< cache flush done */

/* GPU_CMD, Job-Manager encoding */
#define GPUVM_MALI_JM_GPU_CMD_NOP		0x00u	/**< nothing */
#define GPUVM_MALI_JM_GPU_CMD_SOFT_RESET	0x01u	/**< soft reset */
#define GPUVM_MALI_JM_GPU_CMD_HARD_RESET	0x02u	/**< hard reset */
#define GPUVM_MALI_JM_GPU_CMD_PERFCNT_CLEAR	0x03u	/**< clear counters */
#define GPUVM_MALI_JM_GPU_CMD_PERFCNT_SAMPLE	0x04u	/**< sample counters */
#define GPUVM_MALI_JM_GPU_CMD_CYCLE_COUNT_START	0x05u	/**< start cycle counter */
#define GPUVM_MALI_JM_GPU_CMD_CYCLE_COUNT_STOP	0x06u	/**< stop cycle counter */
#define GPUVM_MALI_JM_GPU_CMD_CLEAN_CACHES	0x07u	/**< clean L2 */
#define GPUVM_MALI_JM_GPU_CMD_CLEAN_INV_CACHES	0x08u	/**< clean + invalidate L2 */

/* GPU_CMD, CSF encoding: type | payload << 8 */
/**
 * GPUVM_MALI_CSF_GPU_CMD() - build a CSF GPU_CMD from a type and a payload
 * @type: the command type (GPUVM_MALI_CSF_GPU_CMD_TYPE_*)
 * @payload: the command payload
 */
#define GPUVM_MALI_CSF_GPU_CMD(type, payload)	((uint32_t)(type) | ((uint32_t)(payload) << 8))
/**
 * GPUVM_MALI_CSF_GPU_CMD_TYPE() - command type
 * @cmd: a GPU_CMD value
 */
#define GPUVM_MALI_CSF_GPU_CMD_TYPE(cmd)	((cmd) & 0xFFu)
/**
 * GPUVM_MALI_CSF_GPU_CMD_PAYLOAD() - command payload
 * @cmd: a GPU_CMD value
 */
#define GPUVM_MALI_CSF_GPU_CMD_PAYLOAD(cmd)	((cmd) >> 8)
#define GPUVM_MALI_CSF_GPU_CMD_TYPE_NOP		0u	/**< nothing */
#define GPUVM_MALI_CSF_GPU_CMD_TYPE_RESET	1u	/**< payload 1 soft, 2 hard */
#define GPUVM_MALI_CSF_GPU_CMD_TYPE_FLUSH_CACHES 4u	/**< payload: cache ops */
#define GPUVM_MALI_CSF_RESET_SOFT		1u	/**< reset payload: soft */
#define GPUVM_MALI_CSF_RESET_HARD		2u	/**< reset payload: hard */
#define GPUVM_MALI_CSF_GPU_CMD_SOFT_RESET	0x101u	/**< soft reset */
#define GPUVM_MALI_CSF_GPU_CMD_HARD_RESET	0x201u	/**< hard reset */
/* 2-bit cache operation used for each FLUSH_CACHES field */
#define GPUVM_MALI_CACHE_OP_NONE		0u	/**< leave the cache alone */
#define GPUVM_MALI_CACHE_OP_CLEAN		1u	/**< write dirty lines back */
#define GPUVM_MALI_CACHE_OP_INV			2u	/**< drop lines */
#define GPUVM_MALI_CACHE_OP_CLEAN_INV		3u	/**< clean, then drop */
/**
 * GPUVM_MALI_CSF_FLUSH_CACHES() - CSF FLUSH_CACHES command for three cache ops
 * @l2: operation on the L2 cache (GPUVM_MALI_CACHE_OP_*)
 * @lsc: operation on the load/store caches
 * @other: operation on the other caches
 */
#define GPUVM_MALI_CSF_FLUSH_CACHES(l2, lsc, other) \
	GPUVM_MALI_CSF_GPU_CMD(GPUVM_MALI_CSF_GPU_CMD_TYPE_FLUSH_CACHES, \
			       (uint32_t)(l2) | ((uint32_t)(lsc) << 4) | \
			       ((uint32_t)(other) << 8))
/**
 * GPUVM_MALI_CSF_FLUSH_L2() - L2 op of a payload
 * @payload: the command payload
 */
#define GPUVM_MALI_CSF_FLUSH_L2(payload)	((payload) & 0x3u)
/**
 * GPUVM_MALI_CSF_FLUSH_LSC() - LSC op
 * @payload: the command payload
 */
#define GPUVM_MALI_CSF_FLUSH_LSC(payload)	(((payload) >> 4) & 0x3u)
/**
 * GPUVM_MALI_CSF_FLUSH_OTHER() - other-caches op
 * @payload: the command payload
 */
#define GPUVM_MALI_CSF_FLUSH_OTHER(payload)	(((payload) >> 8) & 0x3u)
#define GPUVM_MALI_CSF_GPU_CMD_FLUSH_PT		0x00000304u	/**< L2 clean+inv */
#define GPUVM_MALI_CSF_GPU_CMD_FLUSH_MEM	0x00003304u	/**< L2 + LSC clean+inv */
#define GPUVM_MALI_CSF_GPU_CMD_FLUSH_ALL	0x00023304u	/**< + other caches inv */

/* COHERENCY_FEATURES bits and COHERENCY_PROTOCOL values */
#define GPUVM_MALI_COHERENCY_FEATURE_ACE_LITE	(1u << 0)	/**< ACE-Lite supported */
#define GPUVM_MALI_COHERENCY_FEATURE_ACE	(1u << 1)	/**< ACE supported */
#define GPUVM_MALI_COHERENCY_ACE_LITE		0u	/**< protocol ACE-Lite */
#define GPUVM_MALI_COHERENCY_ACE		1u	/**< protocol ACE */
#define GPUVM_MALI_COHERENCY_NONE		31u	/**< no coherency */

/* ---------------------------------------------------------------------
 * MMU interrupt block
 */

#define GPUVM_MALI_MMU_INT_RAWSTAT		0x2000u	/**< latched MMU events */
#define GPUVM_MALI_MMU_INT_CLEAR		0x2004u	/**< write 1s to clear */
#define GPUVM_MALI_MMU_INT_MASK			0x2008u	/**< 1 = enabled */
#define GPUVM_MALI_MMU_INT_STAT			0x200Cu	/**< RAWSTAT & MASK */
/**
 * GPUVM_MALI_MMU_IRQ_FAULT() - MMU_INT bit for a page fault on AS @as
 * @as: the address-space slot (0-15)
 */
#define GPUVM_MALI_MMU_IRQ_FAULT(as)		(1u << (as))
/**
 * GPUVM_MALI_MMU_IRQ_BUS_FAULT() - JM: MMU_INT bit for a bus fault on AS @as
 * @as: the address-space slot (0-15)
 */
#define GPUVM_MALI_MMU_IRQ_BUS_FAULT(as)	(1u << (16 + (as)))
/**
 * GPUVM_MALI_MMU_IRQ_REQ_COMPLETE() - CSF: command-complete bit of AS @as
 * @as: the address-space slot (0-15)
 */
#define GPUVM_MALI_MMU_IRQ_REQ_COMPLETE(as)	(1u << (16 + (as)))
/** GPUVM_MALI_MMU_IRQ_CSF_MASK - the fault bits a CSF driver enables */
#define GPUVM_MALI_MMU_IRQ_CSF_MASK		0x0000FFFFu
/** GPUVM_MALI_MAX_AS - AS slots the interrupt layout can describe */
#define GPUVM_MALI_MAX_AS			16u

/* ---------------------------------------------------------------------
 * Per-address-space block
 */

#define GPUVM_MALI_AS_BASE			0x2400u	/**< AS0 block */
#define GPUVM_MALI_AS_STRIDE			0x40u	/**< bytes per AS block */
/**
 * GPUVM_MALI_AS() - byte offset of the register block of AS @n
 * @n: the address-space slot
 */
#define GPUVM_MALI_AS(n)			(GPUVM_MALI_AS_BASE + (uint32_t)(n) * GPUVM_MALI_AS_STRIDE)
/**
 * GPUVM_MALI_AS_REG() - byte offset of register @reg (an AS_* offset) of AS @n
 * @n: the address-space slot
 * @reg: a register offset within the AS block (GPUVM_MALI_AS_*)
 */
#define GPUVM_MALI_AS_REG(n, reg)		(GPUVM_MALI_AS(n) + (uint32_t)(reg))

#define GPUVM_MALI_AS_TRANSTAB_LO		0x00u	/**< root table (+LPAE mode) */
#define GPUVM_MALI_AS_TRANSTAB_HI		0x04u	/**< root table, high word */
#define GPUVM_MALI_AS_MEMATTR_LO		0x08u	/**< attribute slots 0-3 */
#define GPUVM_MALI_AS_MEMATTR_HI		0x0Cu	/**< attribute slots 4-7 */
#define GPUVM_MALI_AS_LOCKADDR_LO		0x10u	/**< lock region */
#define GPUVM_MALI_AS_LOCKADDR_HI		0x14u	/**< lock region, high word */
#define GPUVM_MALI_AS_COMMAND			0x18u	/**< write-only command */
#define GPUVM_MALI_AS_FAULTSTATUS		0x1Cu	/**< fault type/access/source */
#define GPUVM_MALI_AS_FAULTADDRESS_LO		0x20u	/**< faulting GPU VA */
#define GPUVM_MALI_AS_FAULTADDRESS_HI		0x24u	/**< faulting GPU VA, high */
#define GPUVM_MALI_AS_STATUS			0x28u	/**< bit0 AS_ACTIVE */
#define GPUVM_MALI_AS_TRANSCFG_LO		0x30u	/**< Bifrost+: translation config */
#define GPUVM_MALI_AS_TRANSCFG_HI		0x34u	/**< translation config, high */
#define GPUVM_MALI_AS_FAULTEXTRA_LO		0x38u	/**< secondary fault address */
#define GPUVM_MALI_AS_FAULTEXTRA_HI		0x3Cu	/**< secondary fault address, high */

#define GPUVM_MALI_AS_STATUS_ACTIVE		(1u << 0)	/**< command in progress */

/* AS_COMMAND values */
#define GPUVM_MALI_AS_COMMAND_NOP		0u	/**< nothing */
#define GPUVM_MALI_AS_COMMAND_UPDATE		1u	/**< load staged config */
#define GPUVM_MALI_AS_COMMAND_LOCK		2u	/**< lock LOCKADDR region */
#define GPUVM_MALI_AS_COMMAND_UNLOCK		3u	/**< invalidate region, unlock */
#define GPUVM_MALI_AS_COMMAND_FLUSH_PT		4u	/**< flush L2, then as UNLOCK */
#define GPUVM_MALI_AS_COMMAND_FLUSH_MEM		5u	/**< drain, flush L1+L2, UNLOCK */

/* AS_LOCKADDR: bits [5:0] = log2(size) - 1, bits [63:12] = base */
#define GPUVM_MALI_LOCKADDR_SIZE_MASK		0x3Fu	/**< encoded size field */
#define GPUVM_MALI_LOCKADDR_BASE_MASK		0xFFFFFFFFFFFFF000ull /**< base field */
#define GPUVM_MALI_LOCK_REGION_MIN_SHIFT	15u	/**< 32 KiB minimum region */
#define GPUVM_MALI_LOCK_REGION_MIN_SIZE		(1ull << 15)	/**< 32 KiB */

/* AS_TRANSCFG */
#define GPUVM_MALI_TRANSCFG_ADRMODE_MASK	0xFull	/**< address mode field */
#define GPUVM_MALI_TRANSCFG_ADRMODE_LEGACY	0x0ull	/**< Mali-LPAE via TRANSTAB */
#define GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED	0x1ull	/**< every access faults */
#define GPUVM_MALI_TRANSCFG_ADRMODE_IDENTITY	0x2ull	/**< PA = VA */
#define GPUVM_MALI_TRANSCFG_ADRMODE_AARCH64_4K	0x6ull	/**< AArch64, 4 KiB granule */
#define GPUVM_MALI_TRANSCFG_ADRMODE_AARCH64_64K	0x8ull	/**< AArch64, 64 KiB granule */
#define GPUVM_MALI_TRANSCFG_INA_BITS_SHIFT	6u	/**< 55 - input address bits */
#define GPUVM_MALI_TRANSCFG_INA_BITS_MASK	(0xFFull << 6)	/**< field, width inferred */
/**
 * GPUVM_MALI_TRANSCFG_INA_BITS() - INA_BITS field for @va_bits input bits
 * @va_bits: the number of input (VA) bits
 */
#define GPUVM_MALI_TRANSCFG_INA_BITS(va_bits)	((uint64_t)(55u - (va_bits)) << 6)
#define GPUVM_MALI_TRANSCFG_OUTA_BITS_SHIFT	14u	/**< output size field */
#define GPUVM_MALI_TRANSCFG_SL_CONCAT		(1ull << 22)	/**< unused */
#define GPUVM_MALI_TRANSCFG_PTW_MEMATTR_MASK	(3ull << 24)	/**< walker memory type */
#define GPUVM_MALI_TRANSCFG_PTW_MEMATTR_NC	(1ull << 24)	/**< non-cacheable */
#define GPUVM_MALI_TRANSCFG_PTW_MEMATTR_WB	(2ull << 24)	/**< write-back */
#define GPUVM_MALI_TRANSCFG_PTW_SH_MASK		(3ull << 28)	/**< walker shareability */
#define GPUVM_MALI_TRANSCFG_PTW_SH_NS		(0ull << 28)	/**< non-shareable */
#define GPUVM_MALI_TRANSCFG_PTW_SH_OS		(2ull << 28)	/**< outer-shareable */
#define GPUVM_MALI_TRANSCFG_PTW_SH_IS		(3ull << 28)	/**< inner-shareable */
#define GPUVM_MALI_TRANSCFG_PTW_RA		(1ull << 30)	/**< walks allocate in L2 */
#define GPUVM_MALI_TRANSCFG_DISABLE_HIER_AP	(1ull << 33)	/**< ignore APTable */
#define GPUVM_MALI_TRANSCFG_DISABLE_AF_FAULT	(1ull << 34)	/**< no access-flag faults */
#define GPUVM_MALI_TRANSCFG_WXN			(1ull << 35)	/**< writable => XN */
#define GPUVM_MALI_TRANSCFG_XREADABLE		(1ull << 36)	/**< exec implies read */

/* AS_TRANSTAB, Mali-LPAE (legacy) mode */
#define GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_MASK	0x3ull	/**< mode field */
#define GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_UNMAPPED 0x0ull	/**< every access faults */
#define GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_IDENTITY 0x2ull	/**< PA = VA */
#define GPUVM_MALI_LPAE_TRANSTAB_ADRMODE_TABLE	0x3ull	/**< table walk */
#define GPUVM_MALI_LPAE_TRANSTAB_READ_INNER	(1ull << 2)	/**< inner-cacheable walks */
#define GPUVM_MALI_LPAE_TRANSTAB_SHARE_OUTER	(1ull << 4)	/**< coherent walks */
#define GPUVM_MALI_LPAE_TRANSTAB_ADDR_MASK	0x0000FFFFFFFFF000ull /**< root PA */
/* AS_TRANSTAB, AArch64 mode */
#define GPUVM_MALI_AARCH64_TRANSTAB_ADDR_MASK	0xFFFFFFFFFFFFFFF0ull /**< root PA */

/* AS_MEMATTR: 8 one-byte slots, AArch64-mode byte layout */
/**
 * GPUVM_MALI_MEMATTR_SLOT() - byte @i of a 64-bit MEMATTR value
 * @memattr: a 64-bit MEMATTR value
 * @i: the slot (0-7)
 */
#define GPUVM_MALI_MEMATTR_SLOT(memattr, i)	((uint8_t)((memattr) >> (8 * (i))))
#define GPUVM_MALI_MEMATTR_ALLOC_W		(1u << 0)	/**< write-allocate */
#define GPUVM_MALI_MEMATTR_ALLOC_R		(1u << 1)	/**< read-allocate */
#define GPUVM_MALI_MEMATTR_ALLOC_IMPL		(2u << 2)	/**< impl.-defined policy */
#define GPUVM_MALI_MEMATTR_ALLOC_EXPLICIT	(3u << 2)	/**< use bits [1:0] */
#define GPUVM_MALI_MEMATTR_SH_MIDGARD_INNER	(0u << 4)	/**< GPU-internal */
#define GPUVM_MALI_MEMATTR_SH_CPU_INNER		(1u << 4)	/**< CPU inner */
#define GPUVM_MALI_MEMATTR_SH_CPU_INNER_COH	(2u << 4)	/**< + shader coherent */
#define GPUVM_MALI_MEMATTR_TYPE_MASK		(3u << 6)	/**< memory type field */
#define GPUVM_MALI_MEMATTR_TYPE_SHARED		(0u << 6)	/**< shared */
#define GPUVM_MALI_MEMATTR_TYPE_NC		(1u << 6)	/**< non-cacheable */
#define GPUVM_MALI_MEMATTR_TYPE_WB		(2u << 6)	/**< write-back */
#define GPUVM_MALI_MEMATTR_TYPE_FAULT		(3u << 6)	/**< accesses fault */
#define GPUVM_MALI_MEMATTR_AARCH64_NONCOHERENT	0x4C4C4C4C8C4C8F4Cull /**< panthor */
#define GPUVM_MALI_MEMATTR_AARCH64_COHERENT	0x4C4C4C4C9C4C9F4Cull /**< panthor */
#define GPUVM_MALI_MEMATTR_LPAE			0x0000000000888D88ull /**< io-pgtable */

/* AS_FAULTSTATUS */
/**
 * GPUVM_MALI_FAULT_EXCEPTION_TYPE() - exception type
 * @st: an AS_FAULTSTATUS value
 */
#define GPUVM_MALI_FAULT_EXCEPTION_TYPE(st)	((st) & 0xFFu)
/**
 * GPUVM_MALI_FAULT_ACCESS_TYPE() - access type
 * @st: an AS_FAULTSTATUS value
 */
#define GPUVM_MALI_FAULT_ACCESS_TYPE(st)	(((st) >> 8) & 0x3u)
#define GPUVM_MALI_FAULT_DECODER		(1u << 10)	/**< decoder (vs slave) fault */
/**
 * GPUVM_MALI_FAULT_SOURCE_ID() - requesting unit
 * @st: an AS_FAULTSTATUS value
 */
#define GPUVM_MALI_FAULT_SOURCE_ID(st)		((st) >> 16)
/**
 * GPUVM_MALI_FAULTSTATUS() - compose a FAULTSTATUS value
 * @type: the exception type
 * @access: the access type (GPUVM_MALI_ACCESS_*)
 * @source: the source id of the requesting unit
 */
#define GPUVM_MALI_FAULTSTATUS(type, access, source) \
	((uint32_t)(type) | ((uint32_t)(access) << 8) | ((uint32_t)(source) << 16))
#define GPUVM_MALI_ACCESS_ATOMIC		0u	/**< atomic (unknown on Midgard) */
#define GPUVM_MALI_ACCESS_EXECUTE		1u	/**< instruction fetch */
#define GPUVM_MALI_ACCESS_READ			2u	/**< read */
#define GPUVM_MALI_ACCESS_WRITE			3u	/**< write */

/* Exception types (level-indexed ones take the level 0-3) */
#define GPUVM_MALI_EXC_DELAYED_BUS_FAULT	0x80u	/**< JM; CSF GPU_BUS_FAULT */
#define GPUVM_MALI_EXC_GPU_SHAREABILITY_FAULT	0x88u	/**< shareability */
#define GPUVM_MALI_EXC_SYS_SHAREABILITY_FAULT	0x89u	/**< system shareability */
#define GPUVM_MALI_EXC_GPU_CACHEABILITY_FAULT	0x8Au	/**< cacheability */
/**
 * GPUVM_MALI_EXC_TRANSLATION_FAULT() - translation fault at level @l (0-4)
 * @l: the table level
 */
#define GPUVM_MALI_EXC_TRANSLATION_FAULT(l)	(0xC0u + (unsigned int)(l))
#define GPUVM_MALI_EXC_TRANSLATION_FAULT_IDENTITY 0xC7u	/**< JM */
/**
 * GPUVM_MALI_EXC_PERM_FAULT() - permission fault at level @l
 * @l: the table level
 */
#define GPUVM_MALI_EXC_PERM_FAULT(l)		(0xC8u + (unsigned int)(l))
/**
 * GPUVM_MALI_EXC_TRANSTAB_BUS_FAULT() - walker bus error at level @l
 * @l: the table level
 */
#define GPUVM_MALI_EXC_TRANSTAB_BUS_FAULT(l)	(0xD0u + (unsigned int)(l))
/**
 * GPUVM_MALI_EXC_ACCESS_FLAG() - access-flag fault at level @l
 * @l: the table level
 */
#define GPUVM_MALI_EXC_ACCESS_FLAG(l)		(0xD8u + (unsigned int)(l))
/**
 * GPUVM_MALI_EXC_ADDR_SIZE_FAULT_IN() - input address too large, level @l
 * @l: the table level
 */
#define GPUVM_MALI_EXC_ADDR_SIZE_FAULT_IN(l)	(0xE0u + (unsigned int)(l))
/**
 * GPUVM_MALI_EXC_ADDR_SIZE_FAULT_OUT() - output address too large, level @l
 * @l: the table level
 */
#define GPUVM_MALI_EXC_ADDR_SIZE_FAULT_OUT(l)	(0xE4u + (unsigned int)(l))
/**
 * GPUVM_MALI_EXC_MEM_ATTR_FAULT() - memory-attribute fault at level @l
 * @l: the table level
 */
#define GPUVM_MALI_EXC_MEM_ATTR_FAULT(l)	(0xE8u + (unsigned int)(l))
/**
 * GPUVM_MALI_EXC_MEM_ATTR_NONCACHE() - JM: non-cacheable attribute fault
 * @l: the table level
 */
#define GPUVM_MALI_EXC_MEM_ATTR_NONCACHE(l)	(0xECu + (unsigned int)(l))
/**
 * GPUVM_MALI_EXC_IS_MMU() - an exception type is an MMU fault ([7:6] = 0b11)
 * @t: an exception type (AS_FAULTSTATUS[7:0])
 */
#define GPUVM_MALI_EXC_IS_MMU(t)		(((t) & 0xC0u) == 0xC0u)
/**
 * GPUVM_MALI_EXC_IS_TRANSLATION() - panfrost's "may grow the heap" test
 * @t: an exception type (AS_FAULTSTATUS[7:0])
 */
#define GPUVM_MALI_EXC_IS_TRANSLATION(t)	(((t) & 0xF8u) == 0xC0u)
/**
 * GPUVM_MALI_EXC_CLASS() - fault class [5:3] (0 translation ... 5 mem attr)
 * @t: an exception type (AS_FAULTSTATUS[7:0])
 */
#define GPUVM_MALI_EXC_CLASS(t)			(((t) >> 3) & 0x7u)
/**
 * GPUVM_MALI_EXC_LEVEL() - table level of a level-indexed fault [2:0]
 * @t: an exception type (AS_FAULTSTATUS[7:0])
 */
#define GPUVM_MALI_EXC_LEVEL(t)			((t) & 0x7u)

/* ---------------------------------------------------------------------
 * Page-table descriptors (both formats: 512 x 64-bit entries per 4 KiB table)
 */

#define GPUVM_MALI_PT_ENTRIES			512u	/**< entries per table */
#define GPUVM_MALI_PT_LEVELS			4u	/**< L0..L3 */
/**
 * GPUVM_MALI_PT_LEVEL_SHIFT() - VA shift of the index at level @l (L0 = 39)
 * @l: the table level
 */
#define GPUVM_MALI_PT_LEVEL_SHIFT(l)		(39u - 9u * (unsigned int)(l))
/**
 * GPUVM_MALI_PT_INDEX() - table index of @va at level @l
 * @va: the virtual address
 * @l: the table level
 */
#define GPUVM_MALI_PT_INDEX(va, l)		((unsigned int)(((va) >> GPUVM_MALI_PT_LEVEL_SHIFT(l)) & 511u))
#define GPUVM_MALI_PTE_VALID			(1ull << 0)	/**< bit0 valid */
#define GPUVM_MALI_PTE_TYPE_MASK		0x3ull	/**< descriptor type */
#define GPUVM_MALI_PTE_TYPE_TABLE		0x3ull	/**< next-level table, L0-L2 */
#define GPUVM_MALI_PTE_TYPE_BLOCK		0x1ull	/**< AArch64 block (L1/L2) */
#define GPUVM_MALI_PTE_TYPE_PAGE		0x3ull	/**< AArch64 page (L3) */
#define GPUVM_MALI_PTE_OA_MASK			0x0000FFFFFFFFF000ull /**< bits [47:12] */
#define GPUVM_MALI_PTE_ATTRINDX_SHIFT		2u	/**< MEMATTR slot, [4:2] */
#define GPUVM_MALI_PTE_ATTRINDX_MASK		(7ull << 2)	/**< MEMATTR slot field */
/**
 * GPUVM_MALI_PTE_ATTRINDX() - AttrIndx field for MEMATTR slot @i
 * @i: the MEMATTR slot (0-7)
 */
#define GPUVM_MALI_PTE_ATTRINDX(i)		((uint64_t)(i) << 2)

/* Mali-LPAE */
#define GPUVM_MALI_LPAE_PTE_TYPE_ATE		0x1ull	/**< leaf at L1/L2/L3 */
#define GPUVM_MALI_LPAE_PTE_TYPE_INVALID	0x2ull	/**< kbase invalidation */
#define GPUVM_MALI_LPAE_PTE_READ		(1ull << 6)	/**< readable */
#define GPUVM_MALI_LPAE_PTE_WRITE		(1ull << 7)	/**< writable */
#define GPUVM_MALI_LPAE_PTE_SH_OUTER		(2ull << 8)	/**< outer-shareable */
#define GPUVM_MALI_LPAE_PTE_SH_INNER		(3ull << 8)	/**< inner-shareable */
#define GPUVM_MALI_LPAE_PTE_AF			(1ull << 10)	/**< access flag (kbase) */
#define GPUVM_MALI_LPAE_PTE_XN			(3ull << 53)	/**< io-pgtable XN bits */
#define GPUVM_MALI_LPAE_PTE_XN_KBASE		(1ull << 54)	/**< the bit the walker tests */

/* AArch64 4K stage 1 */
#define GPUVM_MALI_AARCH64_PTE_NS		(1ull << 5)	/**< non-secure */
#define GPUVM_MALI_AARCH64_PTE_AP_UNPRIV	(1ull << 6)	/**< AP[1]: must be set */
#define GPUVM_MALI_AARCH64_PTE_AP_RDONLY	(1ull << 7)	/**< AP[2]: read-only */
#define GPUVM_MALI_AARCH64_PTE_SH_OUTER		(2ull << 8)	/**< outer-shareable */
#define GPUVM_MALI_AARCH64_PTE_SH_INNER		(3ull << 8)	/**< inner-shareable */
#define GPUVM_MALI_AARCH64_PTE_AF		(1ull << 10)	/**< access flag */
#define GPUVM_MALI_AARCH64_PTE_NG		(1ull << 11)	/**< not global */
#define GPUVM_MALI_AARCH64_PTE_CONT		(1ull << 52)	/**< contiguous hint */
#define GPUVM_MALI_AARCH64_PTE_PXN		(1ull << 53)	/**< privileged XN */
#define GPUVM_MALI_AARCH64_PTE_UXN		(1ull << 54)	/**< unprivileged XN */
#define GPUVM_MALI_AARCH64_PTE_XN		(3ull << 53)	/**< both XN bits */
#define GPUVM_MALI_AARCH64_PTE_SW_SYNC		(1ull << 55)	/**< io-pgtable: synced table */
#define GPUVM_MALI_AARCH64_PTE_SW_MASK		(0xFull << 55)	/**< software bits 55-58 */
#define GPUVM_MALI_AARCH64_TABLE_PXN		(1ull << 59)	/**< PXNTable */
#define GPUVM_MALI_AARCH64_TABLE_UXN		(1ull << 60)	/**< UXNTable (XNTable) */
#define GPUVM_MALI_AARCH64_TABLE_AP_NO_EL0	(1ull << 61)	/**< APTable[0] */
#define GPUVM_MALI_AARCH64_TABLE_AP_RDONLY	(1ull << 62)	/**< APTable[1] */
#define GPUVM_MALI_AARCH64_TABLE_NS		(1ull << 63)	/**< NSTable */

#endif /* GPUVM_MALI_REGS_H */
