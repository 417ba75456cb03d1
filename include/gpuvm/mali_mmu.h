/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend, layer 4: GPU discovery, address spaces, MMU
 * maintenance and MMU faults.
 *
 * This layer talks to the GPU's MMU through the HAL (gpuvm/mali_hal.h):
 *
 *  - gpuvm_mali_gpu_probe() decodes GPU_ID, MMU_FEATURES, AS_PRESENT and
 *    COHERENCY_FEATURES and picks the page-table format and the flush
 *    strategy (AS commands on Job-Manager GPUs, GPU_CMD cache flushes on
 *    CSF GPUs);
 *  - gpuvm_mali_lockaddr() encodes an AS_LOCKADDR lock region in the
 *    canonical (fully aligned) form;
 *  - struct gpuvm_mali_mmu owns the address-space slots: it binds clients
 *    (one per GPU VM) to slots, evicting the least recently used idle
 *    client when every slot is taken, programs and disables slots, and
 *    brackets page-table edits with the lock / flush / unlock sequences;
 *  - gpuvm_mali_mmu_handle_irq() and gpuvm_mali_mmu_irq_loop_once() service
 *    the MMU interrupt and hand decoded faults to a user callback.
 *
 * Every AS command waits for AS_STATUS.AS_ACTIVE to clear before and after
 * it is issued (poll every 10 us, give up after 100 ms).  A timeout, a CSF
 * cache flush that never completes, or a polled status register reading
 * 0xFFFFFFFF twice in a row (the GPU is powered off or the bus errors; a
 * single such read is retried) leaves the MMU in the "needs reset" state:
 * every later call that would touch an address space fails with -EIO,
 * without writing AS_COMMAND, until the caller has reset the GPU and called
 * gpuvm_mali_mmu_reset_done().
 *
 * Locking: a struct gpuvm_mali_mmu is not thread-safe.  The caller
 * serialises every call on one MMU and its clients (the Mali backend does
 * so with its device lock), including the interrupt handler.
 */
#ifndef GPUVM_MALI_MMU_H
#define GPUVM_MALI_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/mali_hal.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_regs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- discovery ----------------------------------------------------------- */

/**
 * struct gpuvm_mali_gpu_info - what gpuvm_mali_gpu_probe() found
 * @gpu_id: raw GPU_ID
 * @mmu_features: raw MMU_FEATURES
 * @as_present: AS_PRESENT limited to the 16 slots the interrupt layout can
 *	describe
 * @coherency_features: raw COHERENCY_FEATURES (bit0 ACE-Lite, bit1 ACE)
 * @new_format: GPU_ID uses the architecture layout (arch >= 6, every CSF
 *	GPU); false for old-format Midgard ids
 * @product_id: old format: GPU_ID[31:16] (0x0860 for a T860); 0 otherwise
 * @arch_major: architecture major (new format; 4 for old-format Midgard)
 * @arch_minor: architecture minor (new format only)
 * @arch_rev: architecture revision (new format only)
 * @product_major: product major (new format only)
 * @version_major: GPU_ID[15:12]
 * @version_minor: GPU_ID[11:4]
 * @version_status: GPU_ID[3:0]
 * @va_bits: GPU virtual address bits, MMU_FEATURES[7:0]
 * @pa_bits: bus address bits, MMU_FEATURES[15:8]
 * @csf: Command-Stream Front end (arch_major >= 10): caches are flushed
 *	with GPU_CMD FLUSH_CACHES and an explicit UNLOCK; otherwise Job
 *	Manager: AS_COMMAND LOCK + FLUSH_PT/FLUSH_MEM
 * @has_transcfg: the AS blocks have AS_TRANSCFG (new-format GPUs)
 * @aarch64: the MMU walks AArch64 4K tables (every new-format GPU)
 * @format: the page-table format to use: AArch64 4K when @aarch64,
 *	otherwise Mali-LPAE (Midgard)
 */
struct gpuvm_mali_gpu_info {
	uint32_t gpu_id;
	uint32_t mmu_features;
	uint32_t as_present;
	uint32_t coherency_features;
	bool new_format;
	uint32_t product_id;
	unsigned int arch_major;
	unsigned int arch_minor;
	unsigned int arch_rev;
	unsigned int product_major;
	unsigned int version_major;
	unsigned int version_minor;
	unsigned int version_status;
	unsigned int va_bits;
	unsigned int pa_bits;
	bool csf;
	bool has_transcfg;
	bool aarch64;
	enum gpuvm_mali_pt_format format;
};

/**
 * gpuvm_mali_gpu_decode() - decode register values without touching hardware
 * @gpu_id: GPU_ID
 * @mmu_features: MMU_FEATURES
 * @as_present: AS_PRESENT
 * @coherency_features: COHERENCY_FEATURES
 * @info: receives the decoded values
 *
 * Returns: 0; -ENODEV when @gpu_id is 0 or 0xFFFFFFFF (GPU powered off or
 * not there), when no AS slot among the first 16 is present, or when the
 * VA or PA width is outside 32..48 bits.
 *
 * Locking: none; a pure function, safe from any thread.
 *
 * On failure @info is not written.
 */
GPUVM_EXPORT int gpuvm_mali_gpu_decode(uint32_t gpu_id, uint32_t mmu_features,
				       uint32_t as_present,
				       uint32_t coherency_features,
				       struct gpuvm_mali_gpu_info *info);

/**
 * gpuvm_mali_gpu_probe() - read and decode the identification registers
 * @hal: the GPU
 * @info: receives the decoded values
 *
 * Reads GPU_ID, MMU_FEATURES, AS_PRESENT and COHERENCY_FEATURES (in that
 * order) and decodes them with gpuvm_mali_gpu_decode().
 *
 * Returns: 0, or -ENODEV as gpuvm_mali_gpu_decode() (a powered-off GPU
 * reads 0xFFFFFFFF); -EINVAL for a NULL argument.
 *
 * Locking: the caller serialises use of @hal.
 *
 * On failure @info is not written.
 */
GPUVM_EXPORT int gpuvm_mali_gpu_probe(struct gpuvm_mali_hal *hal,
				      struct gpuvm_mali_gpu_info *info);

/* --- lock regions -------------------------------------------------------- */

/**
 * gpuvm_mali_lockaddr() - AS_LOCKADDR value covering [@start, @start + @size)
 * @start: first VA
 * @size: bytes; a range running past 2^64 is treated as ending at 2^64
 * @value: receives the value
 *
 * The region is the smallest naturally aligned power of two, at least
 * 32 KiB, containing the range; the value is its base (fully aligned: the
 * canonical form) ORed with log2(region size) - 1.  A range needing the
 * whole 64-bit space encodes 0x3F.
 *
 * Returns: 0, or -EINVAL when @size is 0 (there is nothing to lock) or
 * @value is NULL.
 *
 * On failure @value is not written.
 */
GPUVM_EXPORT int gpuvm_mali_lockaddr(uint64_t start, uint64_t size,
				     uint64_t *value);

/* --- faults -------------------------------------------------------------- */

/**
 * struct gpuvm_mali_fault - one decoded MMU fault
 * @as: the address-space slot that faulted
 * @client: the client bound to @as when the fault was handled, or NULL
 * @bus_fault: Job Manager: reported on the bus-fault bit 16 + @as (the
 *	page-fault bit may have been set too)
 * @status: raw AS_FAULTSTATUS
 * @exception_type: AS_FAULTSTATUS[7:0]
 * @access_type: AS_FAULTSTATUS[9:8], a GPUVM_MALI_ACCESS_* value
 * @decoder_fault: AS_FAULTSTATUS bit 10
 * @source_id: AS_FAULTSTATUS[31:16], the requesting unit
 * @address: AS_FAULTADDRESS, the faulting GPU VA
 * @extra: AS_FAULTEXTRA (0 on GPUs without it)
 * @name: gpuvm_mali_fault_name() of @exception_type
 */
struct gpuvm_mali_fault {
	unsigned int as;
	struct gpuvm_mali_as_client *client;
	bool bus_fault;
	uint32_t status;
	uint8_t exception_type;
	uint8_t access_type;
	bool decoder_fault;
	uint16_t source_id;
	uint64_t address;
	uint64_t extra;
	const char *name;
};

/**
 * typedef gpuvm_mali_fault_fn - receives each MMU fault
 * @fault: the decoded fault, valid during the call
 * @priv: the pointer given to gpuvm_mali_mmu_set_fault_handler()
 *
 * Called from gpuvm_mali_mmu_handle_irq() after the fault bits have been
 * cleared and while the AS is masked.  The callback must not call back into
 * the MMU; it typically records the fault and lets the caller rebind or
 * unbind the client afterwards.
 */
typedef void (*gpuvm_mali_fault_fn)(const struct gpuvm_mali_fault *fault,
				    void *priv);

/**
 * gpuvm_mali_fault_name() - name of an AS_FAULTSTATUS exception type
 * @exception_type: AS_FAULTSTATUS[7:0]
 *
 * Returns: "TRANSLATION_FAULT_3", "PERM_FAULT_1", "GPU_BUS_FAULT", ...;
 * "UNKNOWN" for a code the MMU does not report.  Thread-safe.
 */
GPUVM_EXPORT const char *gpuvm_mali_fault_name(uint32_t exception_type);

/**
 * gpuvm_mali_access_name() - name of an AS_FAULTSTATUS access type
 * @access_type: AS_FAULTSTATUS[9:8]
 *
 * Returns: "ATOMIC", "EXECUTE", "READ" or "WRITE" ("UNKNOWN" above 3).
 *
 * Locking: none; safe from any thread.
 */
GPUVM_EXPORT const char *gpuvm_mali_access_name(uint32_t access_type);

/* --- the MMU -------------------------------------------------------------- */

/** struct gpuvm_mali_mmu - the GPU's address-space slots (opaque) */
struct gpuvm_mali_mmu;

/**
 * struct gpuvm_mali_as_client - a user of an address-space slot (a GPU VM)
 * @transtab: AS_TRANSTAB to program (gpuvm_mali_pt_transtab())
 * @memattr: AS_MEMATTR to program (gpuvm_mali_pt_memattr())
 * @transcfg: AS_TRANSCFG to program (gpuvm_mali_pt_transcfg_encode());
 *	ignored on GPUs without TRANSCFG
 * @active_jobs: work in flight on the GPU that uses this client; the
 *	client is never evicted while it is non-zero.  The caller maintains it.
 * @as: the slot the client is bound to, or -1 (read-only for the caller)
 * @last_used: LRU stamp (private)
 * @updating: an update window is open (private)
 * @upd_locked: the open window holds a hardware lock region (private)
 * @upd_start: start of the open window's range (private)
 * @upd_size: size of the open window's range (private)
 *
 * Initialise with gpuvm_mali_as_client_init().  The configuration fields
 * may be changed only while the client is unbound.
 */
struct gpuvm_mali_as_client {
	uint64_t transtab;
	uint64_t memattr;
	uint64_t transcfg;
	unsigned int active_jobs;
	int as;
	uint64_t last_used;
	bool updating;
	bool upd_locked;
	uint64_t upd_start;
	uint64_t upd_size;
};

/**
 * gpuvm_mali_as_client_init() - initialise an unbound client
 * @client: the client
 * @transtab: AS_TRANSTAB value
 * @memattr: AS_MEMATTR value
 * @transcfg: AS_TRANSCFG value
 *
 * Locking: none; the client is not bound yet.
 */
GPUVM_EXPORT void gpuvm_mali_as_client_init(struct gpuvm_mali_as_client *client,
					    uint64_t transtab, uint64_t memattr,
					    uint64_t transcfg);

/**
 * struct gpuvm_mali_mmu_stats - counters since create
 * @irqs: interrupts received by gpuvm_mali_mmu_irq_loop_once()
 * @spurious_irqs: interrupts with MMU_INT_STAT == 0
 * @missed_irqs: events the HAL's counter skipped (it advanced by more than
 *	one between two interrupts)
 * @faults: faults delivered to the callback
 * @evictions: clients evicted from their slot by gpuvm_mali_mmu_bind()
 * @timeouts: AS_ACTIVE or cache-flush timeouts
 * @busy_polls: AS_STATUS reads that found AS_ACTIVE set
 */
struct gpuvm_mali_mmu_stats {
	uint64_t irqs;
	uint64_t spurious_irqs;
	uint64_t missed_irqs;
	uint64_t faults;
	uint64_t evictions;
	uint64_t timeouts;
	uint64_t busy_polls;
};

/** GPUVM_MALI_MMU_POLL_US - AS_STATUS / cache-flush poll interval */
#define GPUVM_MALI_MMU_POLL_US		10u
/** GPUVM_MALI_MMU_TIMEOUT_US - AS_STATUS / cache-flush timeout (100 ms) */
#define GPUVM_MALI_MMU_TIMEOUT_US	100000u

/**
 * gpuvm_mali_mmu_create() - take charge of a GPU's address spaces
 * @hal: the GPU (must outlive the MMU)
 * @info: what gpuvm_mali_gpu_probe() found (copied), or NULL to probe now
 * @out: receives the MMU
 *
 * Clears every MMU interrupt and enables the fault interrupts of the
 * present slots (JM: page and bus fault bits; CSF: bits 0-15 only).  The
 * slots are assumed unmapped (the GPU's reset state).
 *
 * Returns: 0; -EINVAL (NULL argument); -ENODEV (probe failed); -ENOMEM.
 *
 * Locking: the caller serialises use of @hal while the GPU is probed.
 *
 * On failure nothing is allocated and *@out is not written.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_create(struct gpuvm_mali_hal *hal,
				       const struct gpuvm_mali_gpu_info *info,
				       struct gpuvm_mali_mmu **out);

/**
 * gpuvm_mali_mmu_destroy() - forget the MMU; NULL is ignored
 * @mmu: the MMU
 *
 * Writes no register: unbind the clients first if the slots must be left
 * unmapped.  Bound clients are marked unbound.
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 */
GPUVM_EXPORT void gpuvm_mali_mmu_destroy(struct gpuvm_mali_mmu *mmu);

/**
 * gpuvm_mali_mmu_info() - the GPU description the MMU uses
 * @mmu: the MMU
 *
 * Returns: the description, valid until destroy.
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 */
GPUVM_EXPORT const struct gpuvm_mali_gpu_info *
gpuvm_mali_mmu_info(const struct gpuvm_mali_mmu *mmu);

/**
 * gpuvm_mali_mmu_set_fault_handler() - choose who hears about faults
 * @mmu: the MMU
 * @fn: the callback, or NULL to only count faults
 * @priv: passed to @fn
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 */
GPUVM_EXPORT void gpuvm_mali_mmu_set_fault_handler(struct gpuvm_mali_mmu *mmu,
						   gpuvm_mali_fault_fn fn,
						   void *priv);

/**
 * gpuvm_mali_mmu_needs_reset() - has an operation timed out?
 * @mmu: the MMU
 *
 * Returns: true once AS_ACTIVE stayed set or a cache flush did not
 * complete within 100 ms, or the registers read 0xFFFFFFFF (powered off);
 * every AS operation then fails with -EIO until
 * gpuvm_mali_mmu_reset_done().
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 */
GPUVM_EXPORT bool gpuvm_mali_mmu_needs_reset(const struct gpuvm_mali_mmu *mmu);

/**
 * gpuvm_mali_mmu_reset_done() - the caller has reset the GPU
 * @mmu: the MMU
 *
 * Every client becomes unbound (the reset unmapped all slots; the next
 * gpuvm_mali_mmu_bind() reprograms one), open update windows are
 * forgotten, the faulty-slot mask is dropped, the MMU interrupts are
 * cleared and re-enabled, and the "needs reset" state ends.
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 */
GPUVM_EXPORT void gpuvm_mali_mmu_reset_done(struct gpuvm_mali_mmu *mmu);

/**
 * gpuvm_mali_mmu_stats() - read the counters
 * @mmu: the MMU
 * @st: receives them
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 */
GPUVM_EXPORT void gpuvm_mali_mmu_stats(const struct gpuvm_mali_mmu *mmu,
				       struct gpuvm_mali_mmu_stats *st);

/**
 * gpuvm_mali_mmu_faulty_mask() - slots whose fault interrupt is masked
 * @mmu: the MMU
 *
 * Returns: bit n set when AS n faulted and has not been re-enabled since.
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 */
GPUVM_EXPORT uint32_t gpuvm_mali_mmu_faulty_mask(const struct gpuvm_mali_mmu *mmu);

/**
 * gpuvm_mali_mmu_wait_ready() - wait for AS_STATUS.AS_ACTIVE to clear
 * @mmu: the MMU
 * @as: the slot
 *
 * Polls AS_STATUS every 10 us (HAL sleep_us) for up to 100 ms of HAL time.
 * A read of 0xFFFFFFFF never counts as idle; two in a row end the wait.
 *
 * Returns: 0; -ETIMEDOUT (the MMU now needs a reset); -EIO (it already
 * did, or AS_STATUS read 0xFFFFFFFF twice in a row: the GPU is powered off
 * and the MMU now needs a reset); -EINVAL (slot not present).
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 *
 * -ETIMEDOUT and -EIO leave the MMU needing a reset
 * (gpuvm_mali_mmu_needs_reset()); -EINVAL changes nothing.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_wait_ready(struct gpuvm_mali_mmu *mmu,
					   unsigned int as);

/**
 * gpuvm_mali_mmu_as_enable() - program a slot and make it live
 * @mmu: the MMU
 * @as: the slot
 * @transtab: AS_TRANSTAB
 * @memattr: AS_MEMATTR
 * @transcfg: AS_TRANSCFG (not written on GPUs without it)
 *
 * If the slot was marked faulty, its interrupt bits are cleared and
 * unmasked first.  Then: TRANSTAB, MEMATTR, TRANSCFG (LO then HI each),
 * wait for AS_ACTIVE to clear, AS_COMMAND UPDATE, wait.  No flush: the
 * slot must be unmapped or freshly disabled.  Low-level: slots handed out
 * by gpuvm_mali_mmu_bind() are programmed by it.
 *
 * Returns: 0; -EBUSY (a lock region is held on the slot: UPDATE would be
 * illegal); -ETIMEDOUT; -EIO (needs reset); -EINVAL (slot not present).
 *
 * -ETIMEDOUT and -EIO leave the MMU needing a reset and the slot in an
 * unknown state; -EBUSY and -EINVAL change nothing.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_as_enable(struct gpuvm_mali_mmu *mmu,
					  unsigned int as, uint64_t transtab,
					  uint64_t memattr, uint64_t transcfg);

/**
 * gpuvm_mali_mmu_as_disable() - flush a slot and leave it unmapped
 * @mmu: the MMU
 * @as: the slot
 *
 * Writes back and invalidates the GPU caches (JM: LOCK of the whole space
 * then FLUSH_MEM; CSF: GPU_CMD 0x23304 and wait for completion), then
 * TRANSTAB = 0, MEMATTR = 0, TRANSCFG = UNMAPPED (where present) and
 * UPDATE.  Low-level: use gpuvm_mali_mmu_unbind() for bound clients.
 *
 * Returns: as gpuvm_mali_mmu_as_enable().
 *
 * -ETIMEDOUT and -EIO leave the MMU needing a reset and the slot in an
 * unknown state; -EBUSY and -EINVAL change nothing.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_as_disable(struct gpuvm_mali_mmu *mmu,
					   unsigned int as);

/**
 * gpuvm_mali_mmu_bind() - give a client a live slot
 * @mmu: the MMU
 * @client: the client
 *
 * A bound client keeps its slot (re-enabled when it faulted since).
 * Otherwise the lowest free present slot is taken; when none is free the
 * least recently bound/used client with no active jobs and no open update
 * window is evicted (its slot disabled, as gpuvm_mali_mmu_as_disable())
 * and the slot reused.  The slot is then enabled with the client's
 * configuration.  Each successful call marks the client most recently used.
 *
 * Returns: the slot number (>= 0); -EBUSY (every slot's client is busy,
 * or @client has an update window open); -ETIMEDOUT; -EIO (needs reset);
 * -EINVAL (NULL argument).
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 *
 * -EBUSY and -EINVAL change nothing; -ETIMEDOUT and -EIO leave the MMU
 * needing a reset (an evicted client has lost its slot).
 */
GPUVM_EXPORT int gpuvm_mali_mmu_bind(struct gpuvm_mali_mmu *mmu,
				     struct gpuvm_mali_as_client *client);

/**
 * gpuvm_mali_mmu_unbind() - take a client off its slot
 * @mmu: the MMU
 * @client: the client; nothing happens when it is not bound
 *
 * Disables the slot as gpuvm_mali_mmu_as_disable().  The client is
 * unbound even when that fails.
 *
 * Returns: 0; -EBUSY (an update window is open); -ETIMEDOUT; -EIO.
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 *
 * -EBUSY changes nothing; after -ETIMEDOUT or -EIO the client is unbound
 * all the same and the MMU needs a reset.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_unbind(struct gpuvm_mali_mmu *mmu,
				       struct gpuvm_mali_as_client *client);

/** GPUVM_MALI_MMU_UPDATE_MEM - end_update also writes back data caches */
#define GPUVM_MALI_MMU_UPDATE_MEM	(1u << 0)

/**
 * gpuvm_mali_mmu_begin_update() - open a page-table update window
 * @mmu: the MMU
 * @client: the client whose tables are about to change
 * @start: first VA the edits touch
 * @size: bytes (0: no edit, nothing is locked or flushed)
 *
 * CSF, bound client: locks the region (AS_LOCKADDR in canonical form,
 * AS_COMMAND LOCK, wait), so GPU accesses to it stall while the tables are
 * half edited.  Job Manager, or an unbound client: only records the range.
 * Edit the tables, then call gpuvm_mali_mmu_end_update().  A client with
 * an open window cannot be bound, unbound or evicted.
 *
 * Returns: 0; -EBUSY (a window is already open); -ETIMEDOUT; -EIO (needs
 * reset); -EINVAL.
 *
 * -EBUSY and -EINVAL change nothing; after -ETIMEDOUT or -EIO no window is
 * open and the MMU needs a reset.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_begin_update(struct gpuvm_mali_mmu *mmu,
					     struct gpuvm_mali_as_client *client,
					     uint64_t start, uint64_t size);

/**
 * gpuvm_mali_mmu_end_update() - make the edits visible and close the window
 * @mmu: the MMU
 * @client: the client
 * @mem: page-table memory whose deferred frees this flush covers, or NULL
 * @flags: GPUVM_MALI_MMU_UPDATE_MEM to write back the data caches too
 *
 * Orders the page-table stores before the MMIO writes (HAL barrier), then,
 * when the client is bound and the range is not empty:
 *  - CSF: GPU_CMD FLUSH_CACHES 0x304 (0x3304 with UPDATE_MEM), poll
 *    GPU_INT_RAWSTAT for CLEAN_CACHES_COMPLETED, clear it, AS_COMMAND
 *    UNLOCK, wait;
 *  - JM: wait, AS_LOCKADDR, AS_COMMAND LOCK, wait, FLUSH_PT (FLUSH_MEM with
 *    UPDATE_MEM), wait.
 * On success, gpuvm_mali_ptmem_flush_done(@mem) releases the page-table
 * pages the edits freed (only pass @mem when no other update window on
 * tables from @mem is open).  The window is closed even on failure.
 *
 * Returns: 0; -ETIMEDOUT (the MMU now needs a reset; @mem is not
 * drained); -EIO (needs reset, already or now because the registers read
 * 0xFFFFFFFF; @mem is not drained); -EINVAL (no window open).
 */
GPUVM_EXPORT int gpuvm_mali_mmu_end_update(struct gpuvm_mali_mmu *mmu,
					   struct gpuvm_mali_as_client *client,
					   struct gpuvm_mali_ptmem *mem,
					   unsigned int flags);

/**
 * gpuvm_mali_mmu_handle_irq() - service pending MMU faults (one pass)
 * @mmu: the MMU
 *
 * Reads MMU_INT_STAT; 0 means a spurious interrupt and nothing else is
 * touched.  Otherwise each faulting slot, lowest first: reads
 * AS_FAULTSTATUS, AS_FAULTADDRESS (and AS_FAULTEXTRA where present),
 * clears its MMU_INT bits (JM: page and bus bit together), marks it faulty
 * and calls the fault handler; then MMU_INT_MASK drops the faulty slots
 * and MMU_INT_STAT is read again until it is 0.  A faulty slot stays
 * masked until it is enabled again (gpuvm_mali_mmu_bind() of its client,
 * gpuvm_mali_mmu_as_enable(), or gpuvm_mali_mmu_reset_done()).
 *
 * Returns: the number of faults delivered; -ENODEV when the registers read
 * 0xFFFFFFFF (powered off; the MMU then needs a reset).
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 *
 * On -ENODEV nothing is cleared and the MMU needs a reset.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_handle_irq(struct gpuvm_mali_mmu *mmu);

/**
 * gpuvm_mali_mmu_irq_loop_once() - wait for one MMU interrupt and service it
 * @mmu: the MMU
 * @timeout_us: how long to wait
 *
 * HAL irq_wait; counts events the HAL's counter skipped; handles the
 * interrupt (gpuvm_mali_mmu_handle_irq(), which clears the sources);
 * only then re-arms the line with HAL irq_rearm, so a cleared source
 * cannot re-trigger.  An interrupted wait (-EINTR) counts as a timeout.
 *
 * Returns: 1 when an interrupt was serviced, 0 on timeout, or a negative
 * errno from the HAL or gpuvm_mali_mmu_handle_irq().
 *
 * Locking: the caller serialises every call on the MMU and its clients (see
 * the file description).
 *
 * On failure the interrupt line may still be disabled; the MMU state is as
 * gpuvm_mali_mmu_handle_irq() leaves it.
 */
GPUVM_EXPORT int gpuvm_mali_mmu_irq_loop_once(struct gpuvm_mali_mmu *mmu,
					      uint64_t timeout_us);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_MMU_H */
