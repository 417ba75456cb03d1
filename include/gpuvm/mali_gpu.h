/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend: GPU control and the Job Manager, over the HAL.
 *
 * What a bring-up needs before the GPU can use a mapping, and the smallest
 * piece of GPU work that proves it did:
 *
 *  - gpuvm_mali_gpu_reset(): soft reset (hard reset when the soft one does
 *    not complete), waiting for RESET_COMPLETED in GPU_INT_RAWSTAT;
 *  - gpuvm_mali_gpu_power_on(): L2, shader cores and tiler through the
 *    *_PWRON registers, waiting for *_READY to match *_PRESENT;
 *  - gpuvm_mali_gpu_cache_flush(): GPU_CMD cache clean (and invalidate),
 *    waiting for CLEAN_CACHES_COMPLETED;
 *  - gpuvm_mali_gpu_handle_irq(): GPU interrupt decoding (GPU_FAULT with
 *    GPU_FAULTSTATUS and GPU_FAULTADDRESS, the other events by bit);
 *  - Job-Manager GPUs (Midgard, Bifrost, Valhall-JM): a WRITE_VALUE job
 *    descriptor (gpuvm_mali_job_write_value()), submission of a job chain
 *    to a job slot (gpuvm_mali_job_submit()), completion and JS_STATUS
 *    decoding (gpuvm_mali_job_wait()), soft and hard stop.
 *
 * Interrupts are polled: every wait reads the RAWSTAT register of its block
 * every GPUVM_MALI_GPU_POLL_US of HAL time, so only the MMU interrupt needs
 * a line (the UIO device's).  CSF GPUs (arch_major >= 10) have no job slots:
 * their work goes through the MCU firmware's command-stream interfaces,
 * which libgpuvm does not drive; the job functions return -EOPNOTSUPP there
 * (see docs/bringup.md).
 *
 * Register values follow the Linux panfrost and panthor drivers' register
 * descriptions; the job descriptor layouts follow Mesa's panfrost genxml
 * (v5, v6, v7 and v9).
 *
 * Locking: none.  The caller serialises every call on one GPU (the same
 * lock as for its struct gpuvm_mali_mmu).
 */
#ifndef GPUVM_MALI_GPU_H
#define GPUVM_MALI_GPU_H

#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/mali_hal.h>
#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_regs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Registers (GPU control block, power, job control)
 */

#define GPUVM_MALI_SHADER_PRESENT_LO	0x100u	/**< shader cores present */
#define GPUVM_MALI_SHADER_PRESENT_HI	0x104u	/**< shader cores present, high */
#define GPUVM_MALI_TILER_PRESENT_LO	0x110u	/**< tiler present */
#define GPUVM_MALI_TILER_PRESENT_HI	0x114u	/**< tiler present, high */
#define GPUVM_MALI_SHADER_READY_LO	0x140u	/**< shader cores powered */
#define GPUVM_MALI_SHADER_READY_HI	0x144u	/**< shader cores powered, high */
#define GPUVM_MALI_TILER_READY_LO	0x150u	/**< tiler powered */
#define GPUVM_MALI_TILER_READY_HI	0x154u	/**< tiler powered, high */
#define GPUVM_MALI_SHADER_PWRON_LO	0x180u	/**< power shader cores on */
#define GPUVM_MALI_SHADER_PWRON_HI	0x184u	/**< power shader cores on, high */
#define GPUVM_MALI_TILER_PWRON_LO	0x190u	/**< power the tiler on */
#define GPUVM_MALI_TILER_PWRON_HI	0x194u	/**< power the tiler on, high */
#define GPUVM_MALI_SHADER_PWROFF_LO	0x1C0u	/**< power shader cores off */
#define GPUVM_MALI_SHADER_PWROFF_HI	0x1C4u	/**< power shader cores off, high */
#define GPUVM_MALI_TILER_PWROFF_LO	0x1D0u	/**< power the tiler off */
#define GPUVM_MALI_TILER_PWROFF_HI	0x1D4u	/**< power the tiler off, high */
#define GPUVM_MALI_L2_PWROFF_LO		0x1E0u	/**< power L2 slices off */
#define GPUVM_MALI_L2_PWROFF_HI		0x1E4u	/**< power L2 slices off, high */
#define GPUVM_MALI_SHADER_PWRTRANS_LO	0x200u	/**< shader cores in transition */
#define GPUVM_MALI_SHADER_PWRTRANS_HI	0x204u	/**< shader cores in transition, high */
#define GPUVM_MALI_TILER_PWRTRANS_LO	0x210u	/**< tiler in transition */
#define GPUVM_MALI_TILER_PWRTRANS_HI	0x214u	/**< tiler in transition, high */
#define GPUVM_MALI_L2_PWRTRANS_LO	0x220u	/**< L2 slices in transition */
#define GPUVM_MALI_L2_PWRTRANS_HI	0x224u	/**< L2 slices in transition, high */

/** GPUVM_MALI_GPU_IRQ_MASK_ERROR - the GPU_INT bits enabled after a reset */
#define GPUVM_MALI_GPU_IRQ_MASK_ERROR \
	(GPUVM_MALI_GPU_IRQ_FAULT | GPUVM_MALI_GPU_IRQ_MULTIPLE_FAULT)
/** GPUVM_MALI_GPU_IRQ_MASK_ALL - every GPU_INT bit gpuvm_mali_gpu_reset() clears */
#define GPUVM_MALI_GPU_IRQ_MASK_ALL	0x00030781u

/* GPU_FAULTSTATUS fields */
#define GPUVM_MALI_GPU_FAULT_ADDRESS_VALID (1u << 10)	/**< FAULTADDRESS is meaningful */
#define GPUVM_MALI_GPU_FAULT_JASID_VALID   (1u << 11)	/**< JASID is meaningful */
/** GPUVM_MALI_GPU_FAULT_JASID() - address space of the job that faulted */
#define GPUVM_MALI_GPU_FAULT_JASID(st)	(((st) >> 12) & 0xFu)

/* Job control block */
#define GPUVM_MALI_JOB_INT_RAWSTAT	0x1000u	/**< latched job events */
#define GPUVM_MALI_JOB_INT_CLEAR	0x1004u	/**< write 1s to clear */
#define GPUVM_MALI_JOB_INT_MASK		0x1008u	/**< 1 = enabled */
#define GPUVM_MALI_JOB_INT_STAT		0x100Cu	/**< RAWSTAT & MASK */
#define GPUVM_MALI_JOB_INT_JS_STATE	0x1010u	/**< bit n: slot n active; 16+n: NEXT queued */
/** GPUVM_MALI_JOB_IRQ_DONE() - JOB_INT bit: the chain on slot @j completed */
#define GPUVM_MALI_JOB_IRQ_DONE(j)	(1u << (j))
/** GPUVM_MALI_JOB_IRQ_FAILED() - JOB_INT bit: the chain on slot @j failed */
#define GPUVM_MALI_JOB_IRQ_FAILED(j)	(1u << (16 + (j)))
/** GPUVM_MALI_MAX_JS - job slots the interrupt layout can describe */
#define GPUVM_MALI_MAX_JS		16u

#define GPUVM_MALI_JS_BASE		0x1800u	/**< job slot 0 block */
#define GPUVM_MALI_JS_STRIDE		0x80u	/**< bytes per slot block */
/** GPUVM_MALI_JS_REG() - byte offset of register @reg (a JS_* offset) of slot @n */
#define GPUVM_MALI_JS_REG(n, reg) \
	(GPUVM_MALI_JS_BASE + (uint32_t)(n) * GPUVM_MALI_JS_STRIDE + (uint32_t)(reg))
#define GPUVM_MALI_JS_HEAD_LO		0x00u	/**< current job */
#define GPUVM_MALI_JS_HEAD_HI		0x04u	/**< current job, high */
#define GPUVM_MALI_JS_TAIL_LO		0x08u	/**< last job started */
#define GPUVM_MALI_JS_TAIL_HI		0x0Cu	/**< last job started, high */
#define GPUVM_MALI_JS_AFFINITY_LO	0x10u	/**< cores of the current chain */
#define GPUVM_MALI_JS_AFFINITY_HI	0x14u	/**< cores, high */
#define GPUVM_MALI_JS_CONFIG		0x18u	/**< config of the current chain */
#define GPUVM_MALI_JS_COMMAND		0x20u	/**< command on the current chain */
#define GPUVM_MALI_JS_STATUS		0x24u	/**< exception code of the slot */
#define GPUVM_MALI_JS_HEAD_NEXT_LO	0x40u	/**< next chain's first job */
#define GPUVM_MALI_JS_HEAD_NEXT_HI	0x44u	/**< next chain's first job, high */
#define GPUVM_MALI_JS_AFFINITY_NEXT_LO	0x50u	/**< next chain's cores */
#define GPUVM_MALI_JS_AFFINITY_NEXT_HI	0x54u	/**< next chain's cores, high */
#define GPUVM_MALI_JS_CONFIG_NEXT	0x58u	/**< next chain's config */
#define GPUVM_MALI_JS_COMMAND_NEXT	0x60u	/**< START queues the next chain */

/* JS_CONFIG bits; [3:0] is the address space */
#define GPUVM_MALI_JS_CONFIG_AS_MASK		0xFu		/**< address space */
#define GPUVM_MALI_JS_CONFIG_START_FLUSH_CLEAN	(1u << 8)	/**< clean caches first */
#define GPUVM_MALI_JS_CONFIG_START_FLUSH_CLEAN_INV (3u << 8)	/**< + invalidate */
#define GPUVM_MALI_JS_CONFIG_START_MMU		(1u << 10)	/**< MMU barrier first */
#define GPUVM_MALI_JS_CONFIG_JOB_CHAIN_FLAG	(1u << 11)	/**< chain tag for _0/_1 stops */
#define GPUVM_MALI_JS_CONFIG_END_FLUSH_CLEAN	(1u << 12)	/**< clean caches after */
#define GPUVM_MALI_JS_CONFIG_END_FLUSH_CLEAN_INV (3u << 12)	/**< + invalidate */
#define GPUVM_MALI_JS_CONFIG_ENABLE_FLUSH_REDUCTION (1u << 14) /**< skip redundant flushes */
#define GPUVM_MALI_JS_CONFIG_DISABLE_DESCRIPTOR_WR_BK (1u << 15) /**< no header write-back */
/** GPUVM_MALI_JS_CONFIG_THREAD_PRI() - thread priority field */
#define GPUVM_MALI_JS_CONFIG_THREAD_PRI(n)	((uint32_t)(n) << 16)
/** GPUVM_MALI_JS_CONFIG_DEFAULT - what panfrost uses (without the AS) */
#define GPUVM_MALI_JS_CONFIG_DEFAULT \
	(GPUVM_MALI_JS_CONFIG_START_FLUSH_CLEAN_INV | \
	 GPUVM_MALI_JS_CONFIG_END_FLUSH_CLEAN_INV | \
	 GPUVM_MALI_JS_CONFIG_START_MMU | GPUVM_MALI_JS_CONFIG_THREAD_PRI(8))

/* JS_COMMAND / JS_COMMAND_NEXT values */
#define GPUVM_MALI_JS_COMMAND_NOP	0u	/**< nothing */
#define GPUVM_MALI_JS_COMMAND_START	1u	/**< NEXT only: start the chain */
#define GPUVM_MALI_JS_COMMAND_SOFT_STOP	2u	/**< stop at a job boundary */
#define GPUVM_MALI_JS_COMMAND_HARD_STOP	3u	/**< stop now */

/* Exception codes (JS_STATUS, GPU_FAULTSTATUS[7:0]); MMU codes are 0xC0+ */
#define GPUVM_MALI_EXC_OK		0x00u	/**< idle, nothing to report */
#define GPUVM_MALI_EXC_DONE		0x01u	/**< chain completed */
#define GPUVM_MALI_EXC_STOPPED		0x03u	/**< soft-stopped */
#define GPUVM_MALI_EXC_TERMINATED	0x04u	/**< hard-stopped */
#define GPUVM_MALI_EXC_ACTIVE		0x08u	/**< running */
#define GPUVM_MALI_EXC_JOB_CONFIG_FAULT	0x40u	/**< bad job descriptor */
#define GPUVM_MALI_EXC_JOB_POWER_FAULT	0x41u	/**< started on unpowered hardware */
#define GPUVM_MALI_EXC_JOB_READ_FAULT	0x42u	/**< descriptor read failed */
#define GPUVM_MALI_EXC_JOB_WRITE_FAULT	0x43u	/**< descriptor write failed */
#define GPUVM_MALI_EXC_JOB_AFFINITY_FAULT 0x44u	/**< no core in the affinity */
#define GPUVM_MALI_EXC_JOB_BUS_FAULT	0x48u	/**< bus error on a job access */
#define GPUVM_MALI_EXC_DATA_INVALID_FAULT 0x58u	/**< bad payload */

/* ---------------------------------------------------------------------
 * GPU control
 */

/** GPUVM_MALI_GPU_POLL_US - interval of every register poll here */
#define GPUVM_MALI_GPU_POLL_US			10u
/** GPUVM_MALI_GPU_SOFT_RESET_TIMEOUT_US - wait for a soft reset (panfrost: 10 ms) */
#define GPUVM_MALI_GPU_SOFT_RESET_TIMEOUT_US	10000u
/** GPUVM_MALI_GPU_HARD_RESET_TIMEOUT_US - wait for a hard reset (100 ms) */
#define GPUVM_MALI_GPU_HARD_RESET_TIMEOUT_US	100000u
/** GPUVM_MALI_GPU_POWER_TIMEOUT_US - wait per power domain (panfrost: 20 ms) */
#define GPUVM_MALI_GPU_POWER_TIMEOUT_US		20000u
/** GPUVM_MALI_GPU_FLUSH_TIMEOUT_US - wait for a cache flush (100 ms) */
#define GPUVM_MALI_GPU_FLUSH_TIMEOUT_US		100000u

/** GPUVM_MALI_GPU_RESET_HARD - gpuvm_mali_gpu_reset(): hard reset only */
#define GPUVM_MALI_GPU_RESET_HARD	(1u << 0)

/**
 * gpuvm_mali_gpu_reset() - reset the GPU and wait for RESET_COMPLETED
 * @hal: the GPU
 * @info: what gpuvm_mali_gpu_probe() found (selects the GPU_CMD encoding)
 * @flags: 0, or GPUVM_MALI_GPU_RESET_HARD
 *
 * GPU_INT_MASK = 0, GPU_INT_CLEAR = RESET_COMPLETED, GPU_CMD = soft reset
 * (JM 0x01, CSF 0x101), then GPU_INT_RAWSTAT is polled for RESET_COMPLETED
 * for up to GPUVM_MALI_GPU_SOFT_RESET_TIMEOUT_US.  When it does not come,
 * GPU_CMD = hard reset (JM 0x02, CSF 0x201) and up to
 * GPUVM_MALI_GPU_HARD_RESET_TIMEOUT_US more (with the flag: only this
 * step).  On success GPU_INT_CLEAR = GPUVM_MALI_GPU_IRQ_MASK_ALL and
 * GPU_INT_MASK = GPUVM_MALI_GPU_IRQ_MASK_ERROR.  A reset leaves every AS
 * unmapped and every power domain off: call gpuvm_mali_mmu_reset_done() on
 * the MMU and power the GPU on again.
 *
 * Return: 0; -EINVAL (NULL argument or unknown flag); -ETIMEDOUT (no
 * RESET_COMPLETED after the hard reset either); -EIO (GPU_INT_RAWSTAT read
 * 0xFFFFFFFF twice in a row: powered off).
 */
GPUVM_EXPORT int gpuvm_mali_gpu_reset(struct gpuvm_mali_hal *hal,
				      const struct gpuvm_mali_gpu_info *info,
				      unsigned int flags);

/**
 * enum gpuvm_mali_power_domain - power domains, as a bit mask
 * @GPUVM_MALI_POWER_L2: the L2 cache slices (L2_PWRON / L2_READY)
 * @GPUVM_MALI_POWER_SHADER: the shader cores (SHADER_PWRON / SHADER_READY)
 * @GPUVM_MALI_POWER_TILER: the tiler (TILER_PWRON / TILER_READY)
 */
enum gpuvm_mali_power_domain {
	GPUVM_MALI_POWER_L2 = 1u << 0,
	GPUVM_MALI_POWER_SHADER = 1u << 1,
	GPUVM_MALI_POWER_TILER = 1u << 2,
};

/** GPUVM_MALI_POWER_ALL - every domain */
#define GPUVM_MALI_POWER_ALL \
	(GPUVM_MALI_POWER_L2 | GPUVM_MALI_POWER_SHADER | GPUVM_MALI_POWER_TILER)

/**
 * gpuvm_mali_gpu_power_on() - power domains on and wait until they are ready
 * @hal: the GPU
 * @domains: GPUVM_MALI_POWER_* bits; handled in the order L2, shader, tiler
 *
 * For each domain: read *_PRESENT (LO, HI); when it is 0 the domain is
 * skipped; otherwise write *_PWRON_LO with the low half (and *_PWRON_HI
 * with the high half when it is not 0) and poll *_READY (LO, then HI) until
 * it covers every present bit, for up to GPUVM_MALI_GPU_POWER_TIMEOUT_US.
 * On CSF GPUs the MCU firmware normally powers the shader cores; bring-up
 * without firmware powers the L2 only.
 *
 * Return: 0; -EINVAL (NULL @hal, no domain, or an unknown bit);
 * -ETIMEDOUT (a domain did not become ready; later ones are not touched);
 * -EIO (a register read 0xFFFFFFFF twice in a row).
 */
GPUVM_EXPORT int gpuvm_mali_gpu_power_on(struct gpuvm_mali_hal *hal,
					 unsigned int domains);

/** GPUVM_MALI_GPU_FLUSH_INVALIDATE - gpuvm_mali_gpu_cache_flush(): also invalidate */
#define GPUVM_MALI_GPU_FLUSH_INVALIDATE	(1u << 0)

/**
 * gpuvm_mali_gpu_cache_flush() - clean (and invalidate) the GPU caches
 * @hal: the GPU
 * @info: what gpuvm_mali_gpu_probe() found (selects the GPU_CMD encoding)
 * @flags: 0 (clean) or GPUVM_MALI_GPU_FLUSH_INVALIDATE (clean + invalidate)
 *
 * GPU_INT_CLEAR = CLEAN_CACHES_COMPLETED, GPU_CMD = the flush (JM:
 * CLEAN_CACHES 0x07 or CLEAN_INV_CACHES 0x08; CSF: FLUSH_CACHES with L2 and
 * load/store caches cleaned, or cleaned and invalidated plus the other
 * caches invalidated: 0x1104 or 0x23304), poll GPU_INT_RAWSTAT for
 * CLEAN_CACHES_COMPLETED for up to GPUVM_MALI_GPU_FLUSH_TIMEOUT_US, then
 * GPU_INT_CLEAR = CLEAN_CACHES_COMPLETED.
 *
 * Return: 0; -EINVAL (NULL argument or unknown flag); -ETIMEDOUT; -EIO
 * (GPU_INT_RAWSTAT read 0xFFFFFFFF twice in a row).
 */
GPUVM_EXPORT int gpuvm_mali_gpu_cache_flush(struct gpuvm_mali_hal *hal,
					    const struct gpuvm_mali_gpu_info *info,
					    unsigned int flags);

/**
 * struct gpuvm_mali_gpu_irq - one decoded pass over the GPU interrupt
 * @stat: the GPU_INT_STAT bits that were pending (and are now cleared)
 * @fault: GPU_FAULT was pending; the fields below are valid
 * @multiple_fault: more than one fault happened since the last clear
 * @fault_status: raw GPU_FAULTSTATUS
 * @exception_type: GPU_FAULTSTATUS[7:0]
 * @access_type: GPU_FAULTSTATUS[9:8] (see gpuvm_mali_access_name())
 * @address_valid: GPU_FAULTSTATUS bit 10: @fault_address is meaningful
 * @source_id: GPU_FAULTSTATUS[31:16]
 * @fault_address: GPU_FAULTADDRESS (HI:LO)
 * @name: gpuvm_mali_exception_name() of @exception_type
 */
struct gpuvm_mali_gpu_irq {
	uint32_t stat;
	bool fault;
	bool multiple_fault;
	uint32_t fault_status;
	uint8_t exception_type;
	uint8_t access_type;
	bool address_valid;
	uint16_t source_id;
	uint64_t fault_address;
	const char *name;
};

/**
 * gpuvm_mali_gpu_handle_irq() - read, decode and clear the GPU interrupt
 * @hal: the GPU
 * @out: receives the decoded state (zeroed when nothing is pending)
 *
 * Reads GPU_INT_STAT; when GPU_FAULT is set reads GPU_FAULT_STATUS,
 * GPU_FAULT_ADDR_LO and GPU_FAULT_ADDR_HI; then writes the pending bits to
 * GPU_INT_CLEAR.  Nothing is written when GPU_INT_STAT is 0.  Only the bits
 * enabled in GPU_INT_MASK are seen (gpuvm_mali_gpu_reset() enables the
 * fault bits).
 *
 * Return: 1 when something was pending, 0 when not; -EINVAL (NULL
 * argument); -EIO (GPU_INT_STAT read 0xFFFFFFFF: powered off).
 */
GPUVM_EXPORT int gpuvm_mali_gpu_handle_irq(struct gpuvm_mali_hal *hal,
					   struct gpuvm_mali_gpu_irq *out);

/**
 * gpuvm_mali_exception_name() - name of a JS_STATUS / GPU_FAULTSTATUS code
 * @code: the exception code (bits [7:0] are used when it is larger)
 *
 * Job codes ("DONE", "TERMINATED", "JOB_CONFIG_FAULT", ...), the GPU bus
 * and shareability codes, and the MMU codes as gpuvm_mali_fault_name()
 * names them.  Thread-safe.
 *
 * Return: a static string; "UNKNOWN" for a code without a name.
 */
GPUVM_EXPORT const char *gpuvm_mali_exception_name(uint32_t code);

/* ---------------------------------------------------------------------
 * Job Manager: job descriptors
 */

#define GPUVM_MALI_JOB_TYPE_NULL	1u	/**< does nothing */
#define GPUVM_MALI_JOB_TYPE_WRITE_VALUE	2u	/**< writes one value */

/* Write Value Type (Mesa genxml): what a WRITE_VALUE job stores */
#define GPUVM_MALI_WRITE_VALUE_CYCLE_COUNTER	1u	/**< 64-bit cycle count */
#define GPUVM_MALI_WRITE_VALUE_SYSTEM_TIMESTAMP	2u	/**< 64-bit timestamp */
#define GPUVM_MALI_WRITE_VALUE_ZERO		3u	/**< 64-bit zero */
#define GPUVM_MALI_WRITE_VALUE_IMMEDIATE_8	4u	/**< low 8 bits of the value */
#define GPUVM_MALI_WRITE_VALUE_IMMEDIATE_16	5u	/**< low 16 bits */
#define GPUVM_MALI_WRITE_VALUE_IMMEDIATE_32	6u	/**< low 32 bits */
#define GPUVM_MALI_WRITE_VALUE_IMMEDIATE_64	7u	/**< the whole value */

/** GPUVM_MALI_JOB_DESC_WORDS - 64-bit words of a WRITE_VALUE job descriptor */
#define GPUVM_MALI_JOB_DESC_WORDS	8u
/* Word layout: header words 0-3, payload words 4-6 (Mesa genxml) */
#define GPUVM_MALI_JOB_W_CONTROL	2u	/**< type, barrier, index, deps */
#define GPUVM_MALI_JOB_W_NEXT		3u	/**< next job in the chain */
#define GPUVM_MALI_JOB_W_ADDRESS	4u	/**< WRITE_VALUE target VA */
#define GPUVM_MALI_JOB_W_TYPE		5u	/**< WRITE_VALUE type */
#define GPUVM_MALI_JOB_W_VALUE		6u	/**< WRITE_VALUE immediate */
/** GPUVM_MALI_JOB_CONTROL_IS_64B - header bit 128: 64-bit descriptor (v4-v7) */
#define GPUVM_MALI_JOB_CONTROL_IS_64B	(1u << 0)
/** GPUVM_MALI_JOB_CONTROL_TYPE() - the job type field of header word 4 */
#define GPUVM_MALI_JOB_CONTROL_TYPE(w)	(((w) >> 1) & 0x7Fu)

/**
 * gpuvm_mali_job_desc_align() - alignment a job descriptor needs
 * @arch_major: the GPU's architecture major (gpuvm_mali_gpu_info)
 *
 * Return: 128 for Valhall (arch 9), 64 before; 0 for CSF (arch >= 10) or
 * an architecture below 4, which have no Job-Manager descriptors.
 */
GPUVM_EXPORT unsigned int gpuvm_mali_job_desc_align(unsigned int arch_major);

/**
 * struct gpuvm_mali_write_value - one WRITE_VALUE job
 * @address: GPU VA written; aligned to the size written (8 bytes for the
 *	64-bit types)
 * @type: GPUVM_MALI_WRITE_VALUE_*
 * @value: the immediate (IMMEDIATE_* types)
 * @next: GPU VA of the next job in the chain, 0 to end it
 * @index: job index in the chain (1 for the first job; 0 is not allowed)
 */
struct gpuvm_mali_write_value {
	uint64_t address;
	uint32_t type;
	uint64_t value;
	uint64_t next;
	uint16_t index;
};

/**
 * gpuvm_mali_job_write_value() - encode a WRITE_VALUE job descriptor
 * @arch_major: the GPU's architecture major: 4-7 (Midgard, Bifrost; the
 *	"Is 64b" header bit is set) or 9 (Valhall-JM)
 * @wv: the job
 * @desc: receives GPUVM_MALI_JOB_DESC_WORDS little-endian 64-bit words: the
 *	job header (exception status 0, fault pointer 0, type 2, index,
 *	no dependencies, next) then the payload (address, type, value), then
 *	a zero word.  Store them at a GPU address aligned to
 *	gpuvm_mali_job_desc_align() and make them visible to the GPU.
 *
 * Return: 0; -EINVAL (NULL argument, unknown type, index 0, address not
 * aligned to the size written, or @next not aligned); -EOPNOTSUPP
 * (architecture without Job-Manager descriptors: below 4, 8, or CSF).
 * @desc is unchanged on error.
 */
GPUVM_EXPORT int gpuvm_mali_job_write_value(unsigned int arch_major,
					    const struct gpuvm_mali_write_value *wv,
					    uint64_t desc[GPUVM_MALI_JOB_DESC_WORDS]);

/* ---------------------------------------------------------------------
 * Job Manager: job slots
 */

/**
 * struct gpuvm_mali_job_submit - a job chain for a job slot
 * @slot: job slot (a bit of JS_PRESENT)
 * @head: GPU VA of the first job descriptor
 * @affinity: cores the chain may run on (0: every shader core,
 *	SHADER_PRESENT)
 * @as: address space the chain runs in (bound and enabled)
 * @config: JS_CONFIG bits other than the AS, e.g. GPUVM_MALI_JS_CONFIG_DEFAULT
 */
struct gpuvm_mali_job_submit {
	unsigned int slot;
	uint64_t head;
	uint64_t affinity;
	unsigned int as;
	uint32_t config;
};

/**
 * gpuvm_mali_job_submit() - queue a job chain on a job slot and start it
 * @hal: the GPU
 * @info: what gpuvm_mali_gpu_probe() found
 * @s: the chain
 *
 * Reads JS_PRESENT (and SHADER_PRESENT when @s->affinity is 0) and
 * JS_COMMAND_NEXT of the slot, which must read 0 (nothing queued).  Then:
 * JOB_INT_CLEAR = the slot's done and failed bits, JS_HEAD_NEXT (LO, HI),
 * JS_AFFINITY_NEXT (LO, HI), JS_CONFIG_NEXT = @s->as | @s->config,
 * JS_COMMAND_NEXT = START.
 *
 * Return: 0; -EINVAL (NULL argument, slot or AS not present, head 0 or not
 * aligned to gpuvm_mali_job_desc_align(), AS bits in @s->config);
 * -EOPNOTSUPP (a CSF GPU: no job slots); -EBUSY (a chain is already queued
 * in the slot's NEXT registers); -EIO (a register read 0xFFFFFFFF).
 */
GPUVM_EXPORT int gpuvm_mali_job_submit(struct gpuvm_mali_hal *hal,
				       const struct gpuvm_mali_gpu_info *info,
				       const struct gpuvm_mali_job_submit *s);

/**
 * struct gpuvm_mali_job_result - how a job chain ended
 * @failed: the slot's failed bit was set (else its done bit)
 * @js_status: JS_STATUS (read on failure; GPUVM_MALI_EXC_DONE otherwise)
 * @head: JS_HEAD on failure: the job that failed (0 otherwise)
 * @tail: JS_TAIL on failure: the last job started (0 otherwise)
 * @name: gpuvm_mali_exception_name() of @js_status
 */
struct gpuvm_mali_job_result {
	bool failed;
	uint32_t js_status;
	uint64_t head;
	uint64_t tail;
	const char *name;
};

/**
 * gpuvm_mali_job_wait() - wait for the chain on a slot to complete or fail
 * @hal: the GPU
 * @slot: the job slot (0-15)
 * @timeout_us: how long to wait (HAL time)
 * @res: receives the outcome
 *
 * Polls JOB_INT_RAWSTAT every GPUVM_MALI_GPU_POLL_US for the slot's done
 * or failed bit.  On failure reads JS_STATUS, JS_HEAD (LO, HI) and JS_TAIL
 * (LO, HI).  Then JOB_INT_CLEAR = the bits seen.
 *
 * Return: 0 when the chain completed; 1 when it failed (see @res);
 * -EINVAL (NULL argument, slot above 15); -ETIMEDOUT (neither bit came:
 * stop the chain with gpuvm_mali_job_stop() or reset the GPU); -EIO
 * (JOB_INT_RAWSTAT read 0xFFFFFFFF twice in a row).
 */
GPUVM_EXPORT int gpuvm_mali_job_wait(struct gpuvm_mali_hal *hal, unsigned int slot,
				     uint64_t timeout_us,
				     struct gpuvm_mali_job_result *res);

/**
 * gpuvm_mali_job_stop() - stop the chain running on a slot
 * @hal: the GPU
 * @slot: the job slot (0-15)
 * @hard: true: JS_COMMAND = HARD_STOP (the chain ends now, JS_STATUS
 *	TERMINATED); false: SOFT_STOP (at the next job boundary, STOPPED)
 *
 * Only writes JS_COMMAND; the chain then ends with its failed bit, which
 * gpuvm_mali_job_wait() reports.
 *
 * Return: 0; -EINVAL (NULL @hal or slot above 15).
 */
GPUVM_EXPORT int gpuvm_mali_job_stop(struct gpuvm_mali_hal *hal, unsigned int slot,
				     bool hard);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_GPU_H */
