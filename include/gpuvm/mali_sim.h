/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend: a simulated Mali MMU behind the HAL.
 *
 * The simulator is a struct gpuvm_mali_hal (gpuvm_mali_sim_hal() returns
 * it), so the backend drives it exactly as it drives a real GPU: 32-bit
 * register accesses, page-table stores by bus address, an interrupt line
 * with uio_pdrv_genirq semantics, and a clock.  Time is virtual: sleep_us()
 * advances it and nothing else does, so 100 ms timeouts run instantly and
 * always end at the same instant.
 *
 * What it models:
 *
 *  - the register window: GPU control subset, MMU interrupt block, and per
 *    address space the staged TRANSTAB/MEMATTR/TRANSCFG (loaded into the
 *    active copies only by AS_COMMAND_UPDATE), LOCKADDR, COMMAND, STATUS
 *    (AS_ACTIVE stays set for a configurable number of reads and the
 *    command takes effect when it falls) and the fault registers;
 *  - physical memory: carve-outs added with gpuvm_mali_sim_add_memory();
 *    everything else is unbacked and a walker read of it is a
 *    TRANSTAB_BUS_FAULT;
 *  - CPU visibility of page-table stores (write-combined, cached or
 *    coherent mappings), a per-AS TLB and a page-table-walker line cache,
 *    so that a missing barrier, cache clean, L2 flush or TLB invalidate
 *    changes what the GPU sees;
 *  - the Mali-LPAE and AArch64-4K walkers with the hardware fault codes,
 *    fault latching, the AS stall and the interrupt bits.
 *
 * Protocol mistakes (a command while AS_ACTIVE, UPDATE with a lock held,
 * a PTE store not yet visible when a command is issued, ...) do not stop
 * the simulation: they are appended to a violation log that tests read.
 * Every register access is numbered; the violation names the access that
 * caused it, and an optional ring keeps the most recent accesses.
 *
 * The GPU's reset and power state machines and its Job-Manager job slots
 * are described in gpuvm/mali_sim_gpu.h.
 *
 * Locking: a simulator is not thread-safe; use one from one thread at a
 * time (the HAL callbacks included).  Different simulators are independent.
 */
#ifndef GPUVM_MALI_SIM_H
#define GPUVM_MALI_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/mali_hal.h>
#include <gpuvm/mali_regs.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gpuvm_mali_sim;

/**
 * enum gpuvm_mali_sim_family - GPU front end, which selects the GPU_CMD
 * encoding and the meaning of MMU_INT bits 16-31
 * @GPUVM_MALI_SIM_JM: Job Manager (panfrost); bits 16+n are bus faults
 * @GPUVM_MALI_SIM_CSF: Command Stream Front end (panthor); bits 16+n are
 *	command-completion events
 */
enum gpuvm_mali_sim_family {
	GPUVM_MALI_SIM_JM = 0,
	GPUVM_MALI_SIM_CSF = 1,
};

/**
 * enum gpuvm_mali_sim_visibility - how CPU page-table stores reach the GPU
 * @GPUVM_MALI_SIM_VIS_WC: write-combined mapping: a store is visible after
 *	the next barrier() (or a pt_sync() covering it)
 * @GPUVM_MALI_SIM_VIS_CACHED: cached, non-coherent mapping: visible only
 *	after a pt_sync() covering it
 * @GPUVM_MALI_SIM_VIS_COHERENT: visible immediately
 */
enum gpuvm_mali_sim_visibility {
	GPUVM_MALI_SIM_VIS_WC = 0,
	GPUVM_MALI_SIM_VIS_CACHED = 1,
	GPUVM_MALI_SIM_VIS_COHERENT = 2,
};

/** GPUVM_MALI_SIM_FMT_LPAE - the GPU walks Mali-LPAE tables (TRANSCFG legacy) */
#define GPUVM_MALI_SIM_FMT_LPAE		(1u << 0)
/** GPUVM_MALI_SIM_FMT_AARCH64 - the GPU walks AArch64 4K tables (has TRANSCFG) */
#define GPUVM_MALI_SIM_FMT_AARCH64	(1u << 1)

/**
 * struct gpuvm_mali_sim_config - what the simulated GPU looks like
 * @gpu_id: GPU_ID register value
 * @mmu_features: MMU_FEATURES value; [7:0] VA bits (32-48), [15:8] PA bits
 *	(32-48)
 * @as_present: AS_PRESENT value; bits 0-15 only, at least one set
 * @coherency_features: COHERENCY_FEATURES value
 * @l2_present: L2_PRESENT value (L2_READY follows L2_PWRON writes)
 * @family: JM or CSF
 * @formats: GPUVM_MALI_SIM_FMT_* the walker supports; without AArch64 the
 *	AS has no TRANSCFG register (Midgard)
 * @coherent_walk: the walker snoops CPU caches: no page-table line cache
 * @ptw_cache: model the walker's 64-byte line cache (ignored when
 *	@coherent_walk)
 * @ptw_cache_lines: line-cache capacity in lines (8-way LRU; 0: 4096;
 *	at most 2^20)
 * @tlb_capacity: TLB entries per AS (LRU; 0: 64; at most 65536)
 * @busy_reads: AS_STATUS reads that return AS_ACTIVE after each command
 *	(at most 1000000)
 * @busy_random: draw each command's busy count from 0..@busy_reads
 *	(deterministic generator seeded with @seed)
 * @seed: seed for @busy_random
 * @flush_reads: GPU_INT_RAWSTAT (or GPU_INT_STAT) reads that still show a
 *	cache flush in progress; the next read completes it (at most
 *	1000000)
 * @visibility: how pt_write64() and pt_write_range() stores reach the GPU
 * @strict: also report FLUSH_WITHOUT_LOCK and descriptors with the
 *	contiguous bit (both legal but never done by the drivers)
 * @trace_capacity: register accesses kept in the trace ring (0: none;
 *	at most 2^24)
 */
struct gpuvm_mali_sim_config {
	uint32_t gpu_id;
	uint32_t mmu_features;
	uint32_t as_present;
	uint32_t coherency_features;
	uint64_t l2_present;
	enum gpuvm_mali_sim_family family;
	unsigned int formats;
	bool coherent_walk;
	bool ptw_cache;
	unsigned int ptw_cache_lines;
	unsigned int tlb_capacity;
	unsigned int busy_reads;
	bool busy_random;
	uint64_t seed;
	unsigned int flush_reads;
	enum gpuvm_mali_sim_visibility visibility;
	bool strict;
	unsigned int trace_capacity;
};

/**
 * gpuvm_mali_sim_config_init() - fill @cfg with a typical GPU of @family
 * @cfg: the configuration to fill
 * @family: GPUVM_MALI_SIM_JM (a Bifrost G52: GPU_ID 0x72120000, LPAE and
 *	AArch64) or GPUVM_MALI_SIM_CSF (a Valhall G610: GPU_ID 0xA8670000,
 *	AArch64 only)
 *
 * Both get MMU_FEATURES 0x2830 (48-bit VA, 40-bit PA), AS_PRESENT 0xFF,
 * ACE-Lite, a non-coherent walker with a line cache, write-combined
 * visibility, 2 busy reads per command, 2 reads per cache flush, strict
 * mode off and a 256-entry trace ring.  Thread-safe.
 */
GPUVM_EXPORT void gpuvm_mali_sim_config_init(struct gpuvm_mali_sim_config *cfg,
					     enum gpuvm_mali_sim_family family);

/**
 * gpuvm_mali_sim_create() - create a simulated GPU in its reset state
 * @cfg: the configuration (copied)
 * @out: receives the simulator
 *
 * The simulator starts with no memory, every AS unmapped, interrupts
 * masked and the interrupt line enabled, at virtual time 0.
 * Returns: 0; -EINVAL for a bad configuration (see the field comments);
 * -ENOMEM.
 *
 * Locking: a simulator is used by one thread at a time.
 *
 * On failure nothing is allocated and *@out is not written.
 */
GPUVM_EXPORT int gpuvm_mali_sim_create(const struct gpuvm_mali_sim_config *cfg,
				       struct gpuvm_mali_sim **out);

/**
 * gpuvm_mali_sim_destroy() - free a simulator and its memory; NULL is ignored
 * @sim: the simulator, or NULL
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT void gpuvm_mali_sim_destroy(struct gpuvm_mali_sim *sim);

/**
 * gpuvm_mali_sim_hal() - the HAL the backend drives
 * @sim: the simulator
 *
 * Returns: the embedded struct gpuvm_mali_hal, valid until destroy.
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT struct gpuvm_mali_hal *gpuvm_mali_sim_hal(struct gpuvm_mali_sim *sim);

/**
 * gpuvm_mali_sim_from_hal() - the simulator behind a HAL
 * @hal: a HAL returned by gpuvm_mali_sim_hal()
 *
 * Returns: the simulator, or NULL when @hal is not a simulator.
 *
 * Locking: none; safe from any thread.
 */
GPUVM_EXPORT struct gpuvm_mali_sim *gpuvm_mali_sim_from_hal(struct gpuvm_mali_hal *hal);

/**
 * gpuvm_mali_sim_add_memory() - back [@pa_base, @pa_base + @size) with
 * zeroed 4 KiB frames (a carve-out for page tables or buffers)
 * @sim: the simulator
 * @pa_base: bus address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB; the range must lie below
 *	2^48 and not overlap an existing carve-out
 *
 * The frames are backed lazily: host memory is taken 64 KiB at a time
 * when a store (or a freed-page report) first lands in it, and memory
 * never written reads as zero without costing anything, so a carve-out
 * may be far larger than the host's memory (see
 * gpuvm_mali_sim_stats(), backed_bytes).  Backing comes from the C
 * library, not the libgpuvm allocator: a store cannot fail.  If the host
 * runs out, the store is dropped and logged as BAD_PT_ACCESS.
 *
 * Returns: 0; -EINVAL for a bad range; -EEXIST on overlap; -ENOMEM.
 *
 * Locking: a simulator is used by one thread at a time.
 *
 * On failure the memory map is unchanged.
 */
GPUVM_EXPORT int gpuvm_mali_sim_add_memory(struct gpuvm_mali_sim *sim,
					   uint64_t pa_base, uint64_t size);

/**
 * gpuvm_mali_sim_mem_read64() - what the GPU would read at @pa right now
 * (memory, ignoring the CPU's not-yet-visible stores and the line cache)
 * @sim: the simulator
 * @pa: 8-byte aligned bus address
 * @value: receives the value
 *
 * Returns: 0; -EINVAL when @pa is misaligned; -EFAULT when unbacked.
 *
 * Locking: a simulator is used by one thread at a time.
 *
 * On failure the output is not written.
 */
GPUVM_EXPORT int gpuvm_mali_sim_mem_read64(struct gpuvm_mali_sim *sim,
					   uint64_t pa, uint64_t *value);

/**
 * enum gpuvm_mali_sim_access_kind - what a simulated GPU access does; the
 * values are the FAULTSTATUS ACCESS_TYPE codes
 */
enum gpuvm_mali_sim_access_kind {
	GPUVM_MALI_SIM_ATOMIC = GPUVM_MALI_ACCESS_ATOMIC,	/**< read + write */
	GPUVM_MALI_SIM_EXEC = GPUVM_MALI_ACCESS_EXECUTE,	/**< instruction fetch */
	GPUVM_MALI_SIM_READ = GPUVM_MALI_ACCESS_READ,		/**< load */
	GPUVM_MALI_SIM_WRITE = GPUVM_MALI_ACCESS_WRITE,		/**< store */
};

/**
 * enum gpuvm_mali_sim_result - outcome of gpuvm_mali_sim_access()
 * @GPUVM_MALI_SIM_OK: translated
 * @GPUVM_MALI_SIM_STALLED: the VA is inside the AS's lock region; retry
 *	after UNLOCK
 * @GPUVM_MALI_SIM_FAULT: faulted (newly latched, or the AS is already
 *	stalled on an earlier fault)
 */
enum gpuvm_mali_sim_result {
	GPUVM_MALI_SIM_OK = 0,
	GPUVM_MALI_SIM_STALLED = 1,
	GPUVM_MALI_SIM_FAULT = 2,
};

/**
 * gpuvm_mali_sim_access() - perform one GPU memory access
 * @sim: the simulator
 * @as: address space slot
 * @va: GPU virtual address
 * @kind: read, write, execute or atomic
 * @source_id: SOURCE_ID reported in FAULTSTATUS[31:16] on a fault
 * @pa: receives the bus address on GPUVM_MALI_SIM_OK (may be NULL)
 *
 * Goes through the TLB, then the walker (and its line cache), as the GPU
 * does, using the AS's active configuration.  A fault on an AS without a
 * latched fault latches FAULTSTATUS = type | access << 8 | source << 16,
 * FAULTADDRESS = @va, FAULTEXTRA = 0, sets MMU_INT_RAWSTAT bit @as (JM
 * TRANSTAB bus faults: bit 16 + @as) and stalls the AS: until that bit is
 * cleared and an UNLOCK/FLUSH_PT/FLUSH_MEM completes, or an UPDATE
 * completes, every access returns GPUVM_MALI_SIM_FAULT and is counted as
 * a secondary fault.
 * Returns: an enum gpuvm_mali_sim_result, or -EINVAL for an AS that is not
 * present or an unknown @kind.
 *
 * On -EINVAL nothing changes; a fault is a result, not a failure.
 */
GPUVM_EXPORT int gpuvm_mali_sim_access(struct gpuvm_mali_sim *sim, unsigned int as,
				       uint64_t va,
				       enum gpuvm_mali_sim_access_kind kind,
				       uint16_t source_id, uint64_t *pa);

/**
 * gpuvm_mali_sim_walk_oracle() - translate through memory only
 * @sim: the simulator
 * @as: address space slot
 * @va: GPU virtual address
 * @kind: access kind used for the permission checks
 * @pa: receives the bus address when it translates (may be NULL)
 * @fault: receives the exception type (0 when it translates; may be NULL)
 *
 * Walks the active configuration through GPU-visible memory, ignoring the
 * TLB and the line cache, and changes nothing (no latching, no counters).
 * Returns: 0 when it translates, 1 when it faults, -EINVAL for a bad AS
 * or kind.
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT int gpuvm_mali_sim_walk_oracle(struct gpuvm_mali_sim *sim, unsigned int as,
					    uint64_t va,
					    enum gpuvm_mali_sim_access_kind kind,
					    uint64_t *pa, uint32_t *fault);

/**
 * gpuvm_mali_sim_probe() - how the GPU would translate @va now, and how far
 * that answer holds
 * @sim: the simulator
 * @as: address space slot
 * @va: GPU virtual address (rounded down to 4 KiB)
 * @kind: access kind used for the permission checks
 * @pa: receives the bus address of @va when it translates (may be NULL)
 * @fault: receives the exception type, 0 when it translates (may be NULL)
 * @span: receives the bytes from @va over which the answer is uniform:
 *	every page of [@va, @va + *@span) translates to the next bus address
 *	(or faults the same way); at least 4 KiB (may be NULL)
 *
 * Looks where an access would look -- the TLB, then a walk through the
 * line cache and memory -- but changes nothing: no fill, no fault latched,
 * no counter.  The AS's stall and lock region are ignored.  With @span, a
 * check can cover every page of a large range at the cost of one probe per
 * leaf (or per hole) instead of one per page.
 * Returns: 0 when it translates, 1 when it faults, -EINVAL for a bad AS
 * or kind.
 */
GPUVM_EXPORT int gpuvm_mali_sim_probe(struct gpuvm_mali_sim *sim, unsigned int as,
				      uint64_t va,
				      enum gpuvm_mali_sim_access_kind kind,
				      uint64_t *pa, uint32_t *fault,
				      uint64_t *span);

/**
 * gpuvm_mali_sim_check_coherent() - compare the GPU's cached view with
 * memory over a VA range
 * @sim: the simulator
 * @as: address space slot
 * @va: first address (rounded down to 4 KiB)
 * @size: bytes (rounded up to whole pages; keep it to what a test touched)
 *
 * For every 4 KiB page: a TLB entry that disagrees with the oracle (other
 * output address or descriptor, or the oracle faults) is STALE_TLB; a walk
 * through the line cache that disagrees with the oracle is STALE_PTW.  Each
 * stale page is logged (at most 16 entries per call).
 * Returns: the number of stale pages (0 = coherent), or -EINVAL.
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT long gpuvm_mali_sim_check_coherent(struct gpuvm_mali_sim *sim, unsigned int as,
						uint64_t va, uint64_t size);

/**
 * gpuvm_mali_sim_lock_region() - the lock region an AS currently holds
 * @sim: the simulator
 * @as: address space slot
 * @base: receives the region base (may be NULL)
 * @log2: receives log2 of the region size; 64 means the whole AS (may be
 *	NULL)
 *
 * Returns: 1 when locked, 0 when not, -EINVAL for a bad AS.
 *
 * On failure the outputs are not written.
 */
GPUVM_EXPORT int gpuvm_mali_sim_lock_region(struct gpuvm_mali_sim *sim, unsigned int as,
					    uint64_t *base, unsigned int *log2);

/**
 * struct gpuvm_mali_sim_as_stats - per-AS counters (since create; a GPU
 * reset does not clear them)
 * @commands: AS commands accepted
 * @busy_reads: AS_STATUS reads that returned AS_ACTIVE
 * @tlb_hits: accesses served by the TLB
 * @tlb_misses: accesses that walked
 * @tlb_entries: entries currently in the TLB
 * @stalls: accesses refused because of the lock region
 * @faults: faults latched
 * @secondary_faults: faults suppressed because one was already latched
 */
struct gpuvm_mali_sim_as_stats {
	uint64_t commands;
	uint64_t busy_reads;
	uint64_t tlb_hits;
	uint64_t tlb_misses;
	uint64_t tlb_entries;
	uint64_t stalls;
	uint64_t faults;
	uint64_t secondary_faults;
};

/**
 * gpuvm_mali_sim_as_stats() - read the counters of one AS
 * @sim: the simulator
 * @as: address space slot
 * @st: receives the counters
 *
 * Returns: 0, or -EINVAL for a bad AS.
 *
 * Locking: a simulator is used by one thread at a time.
 *
 * On failure the output is not written.
 */
GPUVM_EXPORT int gpuvm_mali_sim_as_stats(struct gpuvm_mali_sim *sim, unsigned int as,
					 struct gpuvm_mali_sim_as_stats *st);

/**
 * struct gpuvm_mali_sim_stats - GPU-wide counters and interrupt state
 * @irq_events: the UIO event counter
 * @irq_enabled: the interrupt line is enabled (re-armed)
 * @irq_retriggers: events raised by a re-arm while MMU_INT_STAT was set
 * @cache_flushes: GPU_CMD cache flushes completed
 * @ptw_lines: lines currently in the walker cache
 * @ptw_invalidates: walker-cache invalidations (L2 invalidate / FLUSH_*)
 * @mem_drains: FLUSH_MEM commands completed
 * @resets: GPU resets (commanded or injected)
 * @pending_pte_lines: 64-byte lines with stores the GPU cannot see yet
 * @backed_bytes: bytes of the carve-outs backed by host memory so far:
 *	memory is backed in 64 KiB chunks on the first store (or freed-page
 *	report) that lands in them; memory never written costs nothing
 * @host_bytes: host memory the backing takes (the chunks, a second copy
 *	of each for the CPU's view unless coherent, their directories)
 */
struct gpuvm_mali_sim_stats {
	uint64_t irq_events;
	bool irq_enabled;
	uint64_t irq_retriggers;
	uint64_t cache_flushes;
	uint64_t ptw_lines;
	uint64_t ptw_invalidates;
	uint64_t mem_drains;
	uint64_t resets;
	uint64_t pending_pte_lines;
	uint64_t backed_bytes;
	uint64_t host_bytes;
};

/**
 * gpuvm_mali_sim_stats() - read the GPU-wide counters
 * @sim: the simulator
 * @st: receives them
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT void gpuvm_mali_sim_stats(struct gpuvm_mali_sim *sim,
				       struct gpuvm_mali_sim_stats *st);

/**
 * enum gpuvm_mali_sim_violation_code - protocol errors the simulator detects
 * @GPUVM_MALI_SIM_V_CMD_WHILE_BUSY: AS_COMMAND written while AS_ACTIVE; the
 *	command was dropped
 * @GPUVM_MALI_SIM_V_UPDATE_WHILE_LOCKED: UPDATE with a lock region held
 * @GPUVM_MALI_SIM_V_UPDATE_HALF_WRITTEN: UPDATE after writing only one half
 *	of TRANSTAB, MEMATTR or TRANSCFG
 * @GPUVM_MALI_SIM_V_LOCK_TOO_SMALL: LOCKADDR size below 32 KiB (treated as
 *	32 KiB)
 * @GPUVM_MALI_SIM_V_DOUBLE_LOCK: LOCK while a region is locked (the old
 *	region stays)
 * @GPUVM_MALI_SIM_V_FLUSH_WITHOUT_LOCK: strict: FLUSH_PT/FLUSH_MEM without
 *	a LOCK (LOCKADDR is used as is)
 * @GPUVM_MALI_SIM_V_UNSYNCED_PTE: an AS command or cache flush was issued
 *	while a page-table store was not yet visible to the GPU
 * @GPUVM_MALI_SIM_V_STALE_TLB: check_coherent: a TLB entry disagrees with
 *	memory
 * @GPUVM_MALI_SIM_V_STALE_PTW: check_coherent: the walker's line cache
 *	disagrees with memory
 * @GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH: a page-table frame reported
 *	freed was rewritten while a TLB entry or cached line still used it
 * @GPUVM_MALI_SIM_V_BAD_REGISTER: access to an unknown, read-only or
 *	write-only register, or to an AS that is not present
 * @GPUVM_MALI_SIM_V_BAD_COMMAND: unknown AS_COMMAND value
 * @GPUVM_MALI_SIM_V_BAD_GPU_CMD: GPU_CMD value unknown for the family
 * @GPUVM_MALI_SIM_V_BAD_CONFIG: UPDATE loaded an address mode the GPU does
 *	not support, or a misaligned AArch64 TRANSTAB
 * @GPUVM_MALI_SIM_V_BAD_PT_ACCESS: page-table access to an unbacked or
 *	misaligned bus address
 * @GPUVM_MALI_SIM_V_CONT_BIT: strict: the walker met a descriptor with the
 *	contiguous bit (52), which the drivers never set
 */
enum gpuvm_mali_sim_violation_code {
	GPUVM_MALI_SIM_V_CMD_WHILE_BUSY = 1,
	GPUVM_MALI_SIM_V_UPDATE_WHILE_LOCKED,
	GPUVM_MALI_SIM_V_UPDATE_HALF_WRITTEN,
	GPUVM_MALI_SIM_V_LOCK_TOO_SMALL,
	GPUVM_MALI_SIM_V_DOUBLE_LOCK,
	GPUVM_MALI_SIM_V_FLUSH_WITHOUT_LOCK,
	GPUVM_MALI_SIM_V_UNSYNCED_PTE,
	GPUVM_MALI_SIM_V_STALE_TLB,
	GPUVM_MALI_SIM_V_STALE_PTW,
	GPUVM_MALI_SIM_V_PT_FREED_BEFORE_FLUSH,
	GPUVM_MALI_SIM_V_BAD_REGISTER,
	GPUVM_MALI_SIM_V_BAD_COMMAND,
	GPUVM_MALI_SIM_V_BAD_GPU_CMD,
	GPUVM_MALI_SIM_V_BAD_CONFIG,
	GPUVM_MALI_SIM_V_BAD_PT_ACCESS,
	GPUVM_MALI_SIM_V_CONT_BIT,
};

/**
 * struct gpuvm_mali_sim_violation - one logged protocol error
 * @code: what went wrong
 * @trace_index: number of the register access being handled when it was
 *	detected (the count of accesses before it, see
 *	gpuvm_mali_sim_trace_count())
 * @as: the AS concerned, or -1
 * @addr: a VA or PA that illustrates it (0 when none)
 * @msg: one line of text
 */
struct gpuvm_mali_sim_violation {
	enum gpuvm_mali_sim_violation_code code;
	uint64_t trace_index;
	int as;
	uint64_t addr;
	char msg[112];
};

/**
 * gpuvm_mali_sim_violation_count() - violations logged since the last clear
 * @sim: the simulator
 *
 * Returns: how many there are (entries that could not be stored for lack
 * of memory are counted but not kept).
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT size_t gpuvm_mali_sim_violation_count(struct gpuvm_mali_sim *sim);

/**
 * gpuvm_mali_sim_violation_count_code() - logged violations of one kind
 * @sim: the simulator
 * @code: the kind
 *
 * Returns: how many stored entries have @code.
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT size_t gpuvm_mali_sim_violation_count_code(struct gpuvm_mali_sim *sim,
					enum gpuvm_mali_sim_violation_code code);

/**
 * gpuvm_mali_sim_violation_get() - a logged violation
 * @sim: the simulator
 * @i: index, oldest first
 *
 * Returns: the entry, valid until the next violation or clear; NULL when
 * @i is out of range.
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT const struct gpuvm_mali_sim_violation *
gpuvm_mali_sim_violation_get(struct gpuvm_mali_sim *sim, size_t i);

/**
 * gpuvm_mali_sim_violation_clear() - empty the violation log
 * @sim: the simulator
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT void gpuvm_mali_sim_violation_clear(struct gpuvm_mali_sim *sim);

/**
 * gpuvm_mali_sim_violation_name() - symbolic name of a violation code
 * @code: the code
 *
 * Returns: "CMD_WHILE_BUSY", ...; "UNKNOWN" for other values.  Thread-safe.
 */
GPUVM_EXPORT const char *gpuvm_mali_sim_violation_name(enum gpuvm_mali_sim_violation_code code);

/**
 * struct gpuvm_mali_sim_trace_entry - one register access
 * @index: its number (0 = the first access after create)
 * @time_ns: virtual time of the access
 * @offset: register offset
 * @value: value written, or value returned by the read
 * @write: true for a write
 */
struct gpuvm_mali_sim_trace_entry {
	uint64_t index;
	uint64_t time_ns;
	uint32_t offset;
	uint32_t value;
	bool write;
};

/**
 * gpuvm_mali_sim_trace_count() - register accesses since create
 * @sim: the simulator
 *
 * Returns: the number of the next access.
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT uint64_t gpuvm_mali_sim_trace_count(struct gpuvm_mali_sim *sim);

/**
 * gpuvm_mali_sim_trace_get() - a recent register access
 * @sim: the simulator
 * @index: its number
 * @out: receives it
 *
 * Returns: 0; -ENOENT when @index has not happened yet or has left the
 * ring (config trace_capacity).
 *
 * Locking: a simulator is used by one thread at a time.
 *
 * On failure the output is not written.
 */
GPUVM_EXPORT int gpuvm_mali_sim_trace_get(struct gpuvm_mali_sim *sim, uint64_t index,
					  struct gpuvm_mali_sim_trace_entry *out);

/**
 * enum gpuvm_mali_sim_injection - failures gpuvm_mali_sim_inject() can cause
 * @GPUVM_MALI_SIM_INJ_AS_STUCK: @arg 1: AS_ACTIVE of @as reads 1 forever
 *	and its pending command never completes; @arg 0: release it (a
 *	GPU reset releases it too)
 * @GPUVM_MALI_SIM_INJ_AS_BUSY: the next command on @as stays busy for
 *	@arg reads instead of the configured count
 * @GPUVM_MALI_SIM_INJ_FLUSH_HANG: @arg 1: GPU_CMD cache flushes never
 *	complete; @arg 0: they complete again (a hung one completes too)
 * @GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ: one interrupt event with MMU_INT_STAT
 *	unchanged (the line must be enabled; it is disabled afterwards)
 * @GPUVM_MALI_SIM_INJ_EVENT_JUMP: the event counter advances by @arg (>= 1)
 *	in one interrupt, as if events were missed
 * @GPUVM_MALI_SIM_INJ_POWER_OFF: @arg 1: registers read 0xFFFFFFFF and
 *	writes are lost; @arg 0: powered again, in the reset state
 * @GPUVM_MALI_SIM_INJ_GPU_RESET: reset the GPU now (as a reset command)
 * @GPUVM_MALI_SIM_INJ_NO_BACKING: @arg 1: backing memory that was never
 *	written fails, as when the host is out of memory (the store is
 *	dropped and logged as BAD_PT_ACCESS); @arg 0: it works again
 */
enum gpuvm_mali_sim_injection {
	GPUVM_MALI_SIM_INJ_AS_STUCK = 1,
	GPUVM_MALI_SIM_INJ_AS_BUSY,
	GPUVM_MALI_SIM_INJ_FLUSH_HANG,
	GPUVM_MALI_SIM_INJ_SPURIOUS_IRQ,
	GPUVM_MALI_SIM_INJ_EVENT_JUMP,
	GPUVM_MALI_SIM_INJ_POWER_OFF,
	GPUVM_MALI_SIM_INJ_GPU_RESET,
	GPUVM_MALI_SIM_INJ_NO_BACKING,
};

/**
 * gpuvm_mali_sim_inject() - cause a failure
 * @sim: the simulator
 * @what: the failure
 * @as: AS slot for the per-AS injections (ignored by the others)
 * @arg: see enum gpuvm_mali_sim_injection
 *
 * Returns: 0; -EINVAL for an unknown injection, a bad AS or argument;
 * -EBUSY for a spurious interrupt while the line is disabled.
 *
 * Locking: a simulator is used by one thread at a time.
 *
 * On failure nothing is injected.
 */
GPUVM_EXPORT int gpuvm_mali_sim_inject(struct gpuvm_mali_sim *sim,
				       enum gpuvm_mali_sim_injection what,
				       unsigned int as, uint64_t arg);

/**
 * gpuvm_mali_sim_inject_fault() - latch a fault as if the GPU had raised it
 * @sim: the simulator
 * @as: address space slot
 * @faultstatus: AS_FAULTSTATUS value to latch
 * @va: AS_FAULTADDRESS value
 * @bus: JM only: report it on the bus-fault bit 16 + @as
 *
 * Follows the latching rules of gpuvm_mali_sim_access() (a second fault on
 * a stalled AS is only counted).
 * Returns: 0 when latched, 1 when suppressed, -EINVAL for a bad AS or
 * @bus on a CSF GPU.
 *
 * Locking: a simulator is used by one thread at a time.
 *
 * On -EINVAL nothing is latched.
 */
GPUVM_EXPORT int gpuvm_mali_sim_inject_fault(struct gpuvm_mali_sim *sim, unsigned int as,
					     uint32_t faultstatus, uint64_t va, bool bus);

/**
 * typedef gpuvm_mali_sim_reg_hook_fn - called before every register access
 * @sim: the simulator
 * @index: the access's number (gpuvm_mali_sim_trace_count() before it)
 * @offset: register offset
 * @write: true for a write
 * @priv: the pointer given to gpuvm_mali_sim_set_reg_hook()
 *
 * Lets a test make something happen at an exact point of a register
 * sequence: the hook may call gpuvm_mali_sim_inject(),
 * gpuvm_mali_sim_inject_fault() and gpuvm_mali_sim_access() (never the
 * HAL), and their effect is seen by the access itself.  Misaligned
 * accesses do not reach the hook.
 *
 * Returns: true to fail the access as a bus error would: a read returns
 * 0xFFFFFFFF, a write is lost (both are still traced); false to let it
 * proceed.
 */
typedef bool (*gpuvm_mali_sim_reg_hook_fn)(struct gpuvm_mali_sim *sim,
					   uint64_t index, uint32_t offset,
					   bool write, void *priv);

/**
 * gpuvm_mali_sim_set_reg_hook() - install or remove the register hook
 * @sim: the simulator
 * @fn: the hook, or NULL to remove it
 * @priv: passed to @fn
 *
 * Locking: a simulator is used by one thread at a time.
 */
GPUVM_EXPORT void gpuvm_mali_sim_set_reg_hook(struct gpuvm_mali_sim *sim,
					      gpuvm_mali_sim_reg_hook_fn fn,
					      void *priv);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_SIM_H */
