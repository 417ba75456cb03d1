/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend, layer 5: libgpuvm VMs applied to Mali page tables.
 *
 * A struct gpuvm_mali_vm owns a libgpuvm VM (struct gpuvm, staged mode), a
 * page table built from a caller-supplied page-table memory allocator and
 * an address-space client of a struct gpuvm_mali_mmu.  Each request
 * (gpuvm_mali_vm_map(), gpuvm_mali_vm_unmap()) runs in this order:
 *
 *  1. lock the reservation of every object the plan touches (exec loop);
 *  2. plan it with the op-list planner (gpuvm_sm_*_ops_create());
 *  3. validate it and pre-allocate everything applying it needs: the VA
 *     structures, the vm_bo, and the page-table pages of every page-table
 *     change of the whole plan (one reservation);
 *  4. open one MMU update window over the union of the VA ranges whose
 *     page-table entries change, unmap the UNMAP ops and the holes of the
 *     REMAP ops, map the MAP op's range, close the window (flush; the
 *     page-table pages the edits freed become reusable only then);
 *  5. apply the ops to the VA tree, link/unlink the vm_bos, unlock.
 *
 * Any failure before step 4 returns the error with nothing changed: VA
 * tree, page tables, reference counts.
 *
 * Keeping entries: the parts of a REMAP outside the request (prev, next)
 * keep their page-table entries untouched.  When the planner marks an UNMAP
 * or a REMAP "keep" (same object at a contiguous offset) and the old mapping
 * has the same protection as the new one, the part of the old mapping
 * inside the request is left untouched too (it already maps the right
 * pages), so re-mapping an identical range writes no entry and needs no
 * flush.
 *
 * Objects: a struct gpuvm_mali_bo is backed by one physically contiguous
 * bus-address range, which must lie inside the output ranges registered
 * with the page-table memory.  Scatter-gather objects are not supported.
 *
 * Mappings without object (NULL @bo, "sparse") are tracked in the VA tree
 * but left unmapped in the page tables: GPU accesses to them fault.
 *
 * Hardware failure: if opening the update window fails, nothing changes.
 * If closing it fails (AS_ACTIVE or a cache flush timed out, or the
 * registers read 0xFFFFFFFF: the MMU needs a reset), the page tables hold
 * the complete new state but the GPU may not have seen it (stale TLB
 * entries); the VA tree is updated to match the tables, the error is
 * returned and the VM is unusable until the GPU is reset: every request
 * and gpuvm_mali_vm_bind() fail with -EIO, without touching a register,
 * until gpuvm_mali_mmu_reset_done() has been called; then the VM takes
 * requests again and the next bind programs a slot with the complete
 * tables.  An internal page-table error in the middle of the window (which
 * the pre-checks make impossible) would leave the tables half updated: the
 * VM is then unusable for good.
 *
 * Addresses, sizes and object offsets are multiples of 4 KiB.
 *
 * Locking: a Mali VM is not thread-safe.  The caller serialises every call
 * on one VM, on the MMU it uses and on the page-table memory it shares with
 * other VMs.  The objects' reservation locks are taken by the requests
 * themselves; the caller must not hold them.
 */
#ifndef GPUVM_MALI_VM_H
#define GPUVM_MALI_VM_H

#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/core.h>
#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_pgtable.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct gpuvm_mali_bo - a buffer object the Mali VM can map
 * @base: the libgpuvm part (reservation, vm_bo list)
 * @pa: bus address of the backing memory, 4 KiB aligned
 * @size: bytes of backing memory, a non-zero multiple of 4 KiB
 *
 * The backing is physically contiguous: offset o of the object is at bus
 * address @pa + o.  Initialise with gpuvm_mali_bo_init().
 */
struct gpuvm_mali_bo {
	struct gpuvm_bo base;
	uint64_t pa;
	uint64_t size;
};

/**
 * gpuvm_mali_bo_init() - initialise a Mali buffer object
 * @bo: the object
 * @pa: bus address of its backing, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB not wrapping past 2^64
 * @ops: reference hooks for gpuvm_bo_init() (kept by pointer), or NULL
 *
 * The object gets its own reservation lock.
 *
 * Returns: 0, or -EINVAL (NULL @bo, misaligned or empty range); @bo is not
 * initialised on error.
 */
GPUVM_EXPORT int gpuvm_mali_bo_init(struct gpuvm_mali_bo *bo, uint64_t pa,
				    uint64_t size,
				    const struct gpuvm_bo_ops *ops);

/**
 * gpuvm_mali_bo_fini() - release what gpuvm_mali_bo_init() set up
 * @bo: the object; it must no longer be mapped in any VM
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT void gpuvm_mali_bo_fini(struct gpuvm_mali_bo *bo);

/** GPUVM_MALI_VM_PROT_DEFAULT - use the VM's default protection */
#define GPUVM_MALI_VM_PROT_DEFAULT	(1u << 31)

/**
 * struct gpuvm_mali_vm_config - shape of a Mali VM
 * @name: debug name (kept by pointer), or NULL
 * @va_start: first GPU VA managed, 4 KiB aligned
 * @va_range: bytes managed, a non-zero multiple of 4 KiB; the space must
 *	end at or below 2^(the MMU's VA bits)
 * @reserve_start: start of a region requests may not touch (4 KiB aligned)
 * @reserve_range: its size, 0 for none
 * @default_prot: GPUVM_MALI_PT_* flags used when a request passes
 *	GPUVM_MALI_VM_PROT_DEFAULT (0 means READ | WRITE | NOEXEC | CACHED)
 * @coherent: the GPU walks page tables coherently with the CPU (only when
 *	the platform really is I/O coherent)
 */
struct gpuvm_mali_vm_config {
	const char *name;
	uint64_t va_start;
	uint64_t va_range;
	uint64_t reserve_start;
	uint64_t reserve_range;
	unsigned int default_prot;
	bool coherent;
};

/**
 * struct gpuvm_mali_vm_stats - counters since create
 * @requests: requests that completed successfully
 * @failed: requests that returned an error
 * @ops: planned ops applied (MAP, REMAP, UNMAP)
 * @pages_mapped: 4 KiB pages of new page-table mappings
 * @pages_unmapped: 4 KiB pages whose mappings were removed
 * @pages_kept: 4 KiB pages inside a request left untouched (keep)
 * @pt_pages_reserved: page-table pages reserved for requests
 * @pt_pages_used: reserved pages the page-table edits consumed
 * @flushes: update windows closed (each one lock/flush/unlock sequence
 *	on a bound client)
 */
struct gpuvm_mali_vm_stats {
	uint64_t requests;
	uint64_t failed;
	uint64_t ops;
	uint64_t pages_mapped;
	uint64_t pages_unmapped;
	uint64_t pages_kept;
	uint64_t pt_pages_reserved;
	uint64_t pt_pages_used;
	uint64_t flushes;
};

/** struct gpuvm_mali_vm - a GPU VM on a Mali MMU (opaque) */
struct gpuvm_mali_vm;

/**
 * gpuvm_mali_vm_create() - create a Mali VM
 * @mmu: the MMU whose address spaces the VM will use (must outlive it)
 * @mem: page-table memory (must outlive the VM); it decides which bus
 *	addresses the VM may map (its output ranges)
 * @cfg: the VM's shape (copied)
 * @out: receives the VM
 *
 * Creates an empty page table in the MMU's format, VA and PA widths, and
 * an unbound address-space client for it.  The VM is not bound to a slot:
 * call gpuvm_mali_vm_bind() before the GPU uses it.
 *
 * Returns: 0; -EINVAL (NULL argument, bad range, VA space beyond the MMU's
 * VA bits, bad default protection); -ENOMEM.
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 *
 * On failure nothing is allocated and *@out is not written.
 */
GPUVM_EXPORT int gpuvm_mali_vm_create(struct gpuvm_mali_mmu *mmu,
				      struct gpuvm_mali_ptmem *mem,
				      const struct gpuvm_mali_vm_config *cfg,
				      struct gpuvm_mali_vm **out);

/**
 * gpuvm_mali_vm_destroy() - tear a Mali VM down; NULL is ignored
 * @vm: the VM
 *
 * Removes every mapping (unlinking it from its object under the object's
 * reservation, which the caller must not hold), unbinds the address-space
 * client (flushing and disabling its slot), frees the page tables and,
 * when the unbind succeeded, drains the page-table memory's deferred list.
 * When the MMU needs a reset the freed pages stay deferred until the
 * caller drains them after the reset.  The struct gpuvm is released with
 * gpuvm_put(); the VM's memory goes when its last reference does.
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT void gpuvm_mali_vm_destroy(struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_bind() - make the VM live on an address-space slot
 * @vm: the VM
 *
 * gpuvm_mali_mmu_bind() of the VM's client: keeps its slot (re-enabling
 * it after a fault) or takes one, evicting an idle client if needed.
 *
 * Returns: the slot (>= 0) or a negative errno from gpuvm_mali_mmu_bind();
 * -EIO when the VM is unusable (see gpuvm_mali_vm_usable()).
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 *
 * On failure the VM stays unbound (see gpuvm_mali_mmu_bind() for the MMU's
 * state).
 */
GPUVM_EXPORT int gpuvm_mali_vm_bind(struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_unbind() - take the VM off its slot (flush and disable)
 * @vm: the VM
 *
 * Returns: 0 or a negative errno from gpuvm_mali_mmu_unbind().
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 *
 * -EBUSY changes nothing; after any other error the VM is unbound all the
 * same (see gpuvm_mali_mmu_unbind()).
 */
GPUVM_EXPORT int gpuvm_mali_vm_unbind(struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_as() - the slot the VM is bound to
 * @vm: the VM
 *
 * Returns: the slot, or -1 when unbound.
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 *
 * It cannot fail.
 */
GPUVM_EXPORT int gpuvm_mali_vm_as(const struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_map() - map [@addr, @addr + @range) to @bo at @offset
 * @vm: the VM
 * @addr: first GPU VA
 * @range: bytes
 * @bo: the object, or NULL for a mapping without object (tracked, left
 *	unmapped in the page tables)
 * @offset: offset in @bo of @addr
 * @prot: GPUVM_MALI_PT_* flags (READ and/or WRITE required), or
 *	GPUVM_MALI_VM_PROT_DEFAULT
 *
 * Whatever the range overlapped is replaced (split/merge plan): the parts
 * of overlapped mappings outside the range stay mapped as before.
 *
 * Returns: 0;
 * -EINVAL: misaligned or zero range, range not valid for the VM (outside
 *	it, or touching the reserved region), @offset + @range past the end
 *	of @bo, no READ or WRITE in @prot;
 * -ERANGE: the bus addresses exceed the MMU's PA bits;
 * -EPERM: the bus addresses are outside the output ranges of the
 *	page-table memory;
 * -ENOMEM: an allocation (VAs, vm_bo, op list, page-table pages, locking
 *	context) failed;
 * -EBUSY, -ETIMEDOUT, -EIO from opening the update window.
 * All of these change nothing.  -ETIMEDOUT or -EIO from closing the window
 * (or -EIO from an impossible page-table error) means the request was
 * applied to the tables and the tree but maybe not seen by the GPU, and
 * the VM is unusable (any request returns -EIO) until the MMU has been
 * reset (gpuvm_mali_mmu_reset_done()).
 */
GPUVM_EXPORT int gpuvm_mali_vm_map(struct gpuvm_mali_vm *vm, uint64_t addr,
				   uint64_t range, struct gpuvm_mali_bo *bo,
				   uint64_t offset, unsigned int prot);

/**
 * gpuvm_mali_vm_unmap() - unmap [@addr, @addr + @range)
 * @vm: the VM
 * @addr: first GPU VA
 * @range: bytes
 *
 * Mappings partly inside the range are split; their parts outside keep
 * their page-table entries.  Holes inside the range are fine.
 *
 * Returns: as gpuvm_mali_vm_map() (without the object checks).
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT int gpuvm_mali_vm_unmap(struct gpuvm_mali_vm *vm, uint64_t addr,
				     uint64_t range);

/**
 * gpuvm_mali_vm_madvise() - split the object-less mappings at the edges of
 * [@addr, @addr + @range), as gpuvm_madvise_ops_create() plans it
 * @vm: the VM
 * @addr: start, 4 KiB aligned
 * @range: size, 4 KiB aligned, > 0
 *
 * Only mappings without object change, and they have no page-table entries,
 * so no entry is written and no flush is issued; the new pieces keep the
 * split mapping's protection, the parts inside the range get none.  Not
 * thread-safe: serialise calls on @vm.
 *
 * Returns: 0; -EINVAL for a zero, unaligned or invalid range; -ENOMEM with
 * nothing changed; -EIO once the VM is unusable.
 */
GPUVM_EXPORT int gpuvm_mali_vm_madvise(struct gpuvm_mali_vm *vm, uint64_t addr,
				       uint64_t range);

/**
 * gpuvm_mali_vm_translate() - walk the VM's page tables for one VA
 * @vm: the VM
 * @va: GPU VA
 * @pa: receives the bus address (page offset included); may be NULL
 *
 * Reads the tables as the CPU wrote them (not what the GPU has cached).
 *
 * Returns: 0, -ENOENT (not mapped) or -ERANGE (beyond the VA bits).
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 *
 * On failure the outputs are not written.
 */
GPUVM_EXPORT int gpuvm_mali_vm_translate(struct gpuvm_mali_vm *vm, uint64_t va,
					 uint64_t *pa);

/**
 * gpuvm_mali_vm_prot() - protection of the mapping covering @va
 * @vm: the VM
 * @va: GPU VA
 *
 * Returns: the GPUVM_MALI_PT_* flags the mapping was created with, or 0
 * when no mapping (or only the reserved region) covers @va.
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 *
 * It cannot fail.
 */
GPUVM_EXPORT unsigned int gpuvm_mali_vm_prot(const struct gpuvm_mali_vm *vm,
					     uint64_t va);

/**
 * gpuvm_mali_vm_gpuvm() - the libgpuvm VM, to iterate or dump its VAs
 * @vm: the VM
 *
 * The caller must not change it (only read).
 *
 * Returns: the struct gpuvm, valid as long as @vm.
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT struct gpuvm *gpuvm_mali_vm_gpuvm(struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_pgtable() - the VM's page table
 * @vm: the VM
 *
 * Returns: the page table, for lookups and statistics only.
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT struct gpuvm_mali_pgtable *gpuvm_mali_vm_pgtable(struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_client() - the VM's address-space client
 * @vm: the VM
 *
 * Returns: the client (e.g. to maintain active_jobs, or to recognise the
 * VM in a fault callback).
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT struct gpuvm_mali_as_client *gpuvm_mali_vm_client(struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_usable() - may the VM still take requests?
 * @vm: the VM
 *
 * Returns: false after a failure that left the page tables and the GPU's
 * view possibly out of step (see gpuvm_mali_vm_map()), until the MMU has
 * been reset (gpuvm_mali_mmu_reset_done()); false for good after a
 * page-table error in the middle of an update.
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT bool gpuvm_mali_vm_usable(const struct gpuvm_mali_vm *vm);

/**
 * gpuvm_mali_vm_stats() - read the counters
 * @vm: the VM
 * @st: receives them
 *
 * Locking: the caller serialises every call on the VM, its MMU and its
 * page-table memory (see the file description).
 */
GPUVM_EXPORT void gpuvm_mali_vm_stats(const struct gpuvm_mali_vm *vm,
				      struct gpuvm_mali_vm_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_VM_H */
