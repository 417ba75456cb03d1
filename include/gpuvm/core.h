/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm core: the GPU virtual-address manager.
 *
 * Overview
 * --------
 * A struct gpuvm manages the GPU VA space [mm_start, mm_start + mm_range).
 * Every mapping in it is a struct gpuvm_va, which drivers embed in their own
 * mapping structure and recover with gpuvm_container_of().  The VAs never
 * overlap; they live in a balanced tree (lookups in O(log n)) threaded by an
 * address-ordered list (next in O(1)).  An optional kernel-reserved region is
 * kept in the tree as a VA without object that requests may not touch.
 *
 * Split and merge
 * ---------------
 * A bind request is not applied directly: the planner turns it into a
 * sequence of operations against the VAs it overlaps, exactly as Linux's
 * drm_gpuvm does (docs/semantics.md gives every rule; docs/differences.md
 * lists where libgpuvm deviates):
 *
 *   map      [REMAP(prev only)]? UNMAP* [REMAP(next only)]? MAP
 *            or REMAP(prev + next) MAP when one VA encloses the request;
 *   unmap    [REMAP]? UNMAP* [REMAP]?
 *   madvise  split object-less VAs at the request's edges (REMAP + MAP)
 *   prefetch one PREFETCH per VA intersecting the range
 *   bo-unmap one UNMAP per VA linked to a vm_bo, in link order.
 *
 * REMAP removes one VA and re-creates the parts of it outside the request
 * (prev, next).  UNMAP and REMAP carry a "keep" hint: the old mapping is
 * backed by the same object at a contiguous offset, so page-table entries may
 * be kept.  Nothing is ever merged.
 *
 * The plan comes either as step callbacks (gpuvm_sm_map(), called while
 * walking; the driver usually updates the tree inside the callback) or as an
 * op list (gpuvm_sm_map_ops_create()) that the driver applies later, in
 * order, before planning the next request.
 *
 * Pre-allocation
 * --------------
 * Applying a plan needs new VA structures: at most GPUVM_MAP_MAX_NEW_VAS for
 * a map, GPUVM_UNMAP_MAX_NEW_VAS for an unmap and GPUVM_MADVISE_MAX_NEW_VAS for
 * a madvise; gpuvm_op_list_count_new_vas() gives the exact figure for a list.
 * Allocate them (and obtain the vm_bo) before the first change, and applying
 * with gpuvm_va_map()/gpuvm_va_remap()/gpuvm_va_unmap() never allocates.
 *
 * Locking
 * -------
 * The VA tree has no lock of its own: every call on one VM that reads or
 * changes its VAs must be serialised by the caller (a VM mutex).  Reference
 * counts are atomic.  A BO's vm_bo list and each vm_bo's VA list are protected
 * by the BO's list lock, which the caller holds.
 *
 * Errors
 * ------
 * Functions return 0 or a negative errno.  A rejected call changes nothing.
 * A range of size 0 is rejected with -EINVAL everywhere a request is made,
 * where the kernel would accept it and build degenerate VAs.
 */
#ifndef GPUVM_CORE_H
#define GPUVM_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/list.h>
#include <gpuvm/lock.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gpuvm;
struct gpuvm_bo;
struct gpuvm_vm_bo;
struct gpuvm_op;

/* ------------------------------------------------------------------------ */
/* Flags                                                                    */

/** enum gpuvm_va_flags - bits of gpuvm_va.flags (the driver owns them) */
enum gpuvm_va_flags {
	/** @GPUVM_VA_INVALIDATED: the backing object was invalidated */
	GPUVM_VA_INVALIDATED = 1u << 0,
	/** @GPUVM_VA_SPARSE: informational, a sparse (object-less) mapping */
	GPUVM_VA_SPARSE = 1u << 1,
	/** @GPUVM_VA_USERBITS: first bit free for the driver */
	GPUVM_VA_USERBITS = 1u << 2,
};

/** enum gpuvm_flags - bits of gpuvm.flags */
enum gpuvm_flags {
	/** @GPUVM_RESV_PROTECTED: extobj/evict lists under the VM's resv lock */
	GPUVM_RESV_PROTECTED = 1u << 0,
	/** @GPUVM_IMMEDIATE_MODE: tree updated in the job-run path (panthor) */
	GPUVM_IMMEDIATE_MODE = 1u << 1,
	/** @GPUVM_USERBITS: first bit free for the driver */
	GPUVM_USERBITS = 1u << 2,
};

/** Most new VA structures applying one map plan needs (MAP, prev, next). */
#define GPUVM_MAP_MAX_NEW_VAS 3
/** Most new VA structures applying one unmap plan needs (two pieces). */
#define GPUVM_UNMAP_MAX_NEW_VAS 2
/** Most new VA structures applying one madvise plan needs (2 REMAPs, 2 MAPs). */
#define GPUVM_MADVISE_MAX_NEW_VAS 4

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */

/**
 * struct gpuvm_va_node - tree linkage of a VA (library-private)
 *
 * Never write these fields; gpuvm_va_next() and the iteration macros read
 * them.
 */
struct gpuvm_va_node {
	struct gpuvm_va *child[2];	/**< private: left [0] and right [1] child */
	struct gpuvm_va *parent;	/**< private: parent, NULL at the root */
};

/**
 * struct gpuvm_va - one GPU VA mapping, embedded in the driver's structure
 *
 * Zero the structure (or the embedding one) before first use.  @vm is set by
 * gpuvm_va_insert() and left set by gpuvm_va_remove(); @vm_bo by
 * gpuvm_va_link().  @obj may be NULL for a mapping without backing object
 * (sparse/NULL mappings); @offset is still meaningful then.
 *
 * The fields a tree descent reads (@addr, @range, the children) come first
 * and share 32 bytes, so one lookup step touches one cache line.
 */
struct gpuvm_va {
	uint64_t addr;			/**< first address */
	uint64_t range;			/**< size in bytes (any unit) */
	struct gpuvm_va_node node;	/**< private: tree linkage */
	struct gpuvm *vm;		/**< VM it was last inserted into */
	struct gpuvm_vm_bo *vm_bo;	/**< vm_bo it is linked to, or NULL */
	struct gpuvm_bo *obj;		/**< backing object, or NULL */
	uint64_t offset;		/**< offset of @addr in @obj */
	struct gpuvm_list bo_link;	/**< node in the vm_bo's VA list */
	uint32_t flags;			/**< enum gpuvm_va_flags and driver bits */
	int8_t balance;			/**< private: tree balance factor */
	uint8_t in_tree;		/**< private: non-zero while inserted */
};

/**
 * struct gpuvm_bo_ops - reference hooks of a buffer object
 * @get: take a reference on the embedding object (may be NULL)
 * @put: drop a reference taken with @get (may be NULL)
 *
 * A vm_bo holds one reference on its object for its whole life.
 */
struct gpuvm_bo_ops {
	void (*get)(struct gpuvm_bo *bo);
	void (*put)(struct gpuvm_bo *bo);
};

/**
 * struct gpuvm_bo - what libgpuvm needs of a buffer object (a GEM object),
 * embedded in the driver's buffer object
 *
 * Initialise with gpuvm_bo_init(), release with gpuvm_bo_fini().  @resv is
 * the object's reservation lock: its own (@own_resv) or one it shares.  An
 * object whose @resv is not the VM's is "external" (gpuvm_is_extobj()).
 *
 * The "BO list lock" guards @vm_bos and the VA lists of those vm_bos: it is
 * @gpuva_lock for a VM in GPUVM_IMMEDIATE_MODE and @resv otherwise (all VMs
 * an object is mapped into must agree on the mode).
 */
struct gpuvm_bo {
	const struct gpuvm_bo_ops *ops;	/**< reference hooks, or NULL */
	struct gpuvm_resv *resv;	/**< reservation lock */
	struct gpuvm_list vm_bos;	/**< its vm_bos, in creation order */
	struct gpuvm_lock gpuva_lock;	/**< list lock in immediate mode */
	struct gpuvm_resv own_resv;	/**< @resv unless shared */
};

/**
 * gpuvm_bo_init() - initialise the libgpuvm part of a buffer object
 * @bo: the object
 * @ops: reference hooks (kept by pointer), or NULL
 * @shared_resv: a reservation lock to share (the VM's, for a VM-private
 *	object), or NULL to use the object's own default one
 *
 * The object's own resv and its gpuva_lock use the default
 * implementations; a driver that wants its own re-initialises them with
 * gpuvm_resv_init() / gpuvm_lock_init() before first use.
 */
GPUVM_EXPORT void gpuvm_bo_init(struct gpuvm_bo *bo,
				const struct gpuvm_bo_ops *ops,
				struct gpuvm_resv *shared_resv);

/**
 * gpuvm_bo_fini() - release what gpuvm_bo_init() set up
 * @bo: the object, with no vm_bo left
 *
 * The object must have no vm_bo left (a warning is given otherwise).
 *
 * Locking: nothing may use the object any more.
 */
GPUVM_EXPORT void gpuvm_bo_fini(struct gpuvm_bo *bo);

/**
 * struct gpuvm_vm_bo - the association of one VM and one buffer object
 *
 * There is at most one per (VM, object) pair reachable from the object's
 * list; gpuvm_vm_bo_obtain() guarantees it.  It holds a reference on both,
 * and every VA linked to it holds a reference on it.
 */
struct gpuvm_vm_bo {
	struct gpuvm *vm;		/**< the VM (counted reference) */
	struct gpuvm_bo *obj;		/**< the object (counted reference) */
	uint32_t refcount;		/**< private: use get/put */
	bool evicted;			/**< needs re-validation */
	struct gpuvm_list vas;		/**< linked VAs, in link order */
	struct gpuvm_list bo_link;	/**< node in obj->vm_bos */
	struct gpuvm_list extobj_link;	/**< node in the VM's extobj list */
	struct gpuvm_list evict_link;	/**< node in the VM's evict list */
	struct gpuvm_vm_bo *defer_next;	/**< private: next zombie to clean up */
};

/* ------------------------------------------------------------------------ */
/* Operations                                                               */

/** enum gpuvm_op_type - kind of a planned operation */
enum gpuvm_op_type {
	GPUVM_OP_MAP = 0,	/**< create a mapping (struct gpuvm_op_map) */
	GPUVM_OP_REMAP = 1,	/**< split an existing VA (struct gpuvm_op_remap) */
	GPUVM_OP_UNMAP = 2,	/**< remove an existing VA (struct gpuvm_op_unmap) */
	GPUVM_OP_PREFETCH = 3,	/**< prefetch a VA (struct gpuvm_op_prefetch) */
	GPUVM_OP_DRIVER = 4,	/**< never generated; for driver-defined ops */
};

/** struct gpuvm_op_map - a mapping to create */
struct gpuvm_op_map {
	uint64_t addr;		/**< first address */
	uint64_t range;		/**< size */
	uint64_t offset;	/**< offset in @obj */
	struct gpuvm_bo *obj;	/**< backing object, or NULL */
};

/** struct gpuvm_op_unmap - an existing VA to remove */
struct gpuvm_op_unmap {
	struct gpuvm_va *va;	/**< the VA (live until the op is applied) */
	bool keep;		/**< same object at a contiguous offset as the request */
};

/**
 * struct gpuvm_op_remap - split of one existing VA
 *
 * @unmap removes the VA; @prev and @next (at least one non-NULL when
 * generated by the planner) re-create its parts before and after the
 * request, with the old VA's object.
 */
struct gpuvm_op_remap {
	struct gpuvm_op_map *prev;	/**< part before the request, or NULL */
	struct gpuvm_op_map *next;	/**< part after the request, or NULL */
	struct gpuvm_op_unmap *unmap;	/**< the VA being split, and keep */
};

/** struct gpuvm_op_prefetch - a VA to prefetch */
struct gpuvm_op_prefetch {
	struct gpuvm_va *va;	/**< the VA */
};

/**
 * struct gpuvm_op - one planned operation
 *
 * REMAP pointers point into @remap_storage of the same op, so a REMAP op is a
 * single allocation.  Drivers that embed ops (see gpuvm_ops.op_alloc) must
 * keep the whole structure.
 */
struct gpuvm_op {
	struct gpuvm_list link;		/**< node in a struct gpuvm_op_list */
	enum gpuvm_op_type type;	/**< which member of the union is valid */
	/**
	 * @list_owned: private: stored inside its op list (no op hooks);
	 * zero in an op the driver allocates (a zeroed one), which
	 * gpuvm_op_list_clear() then frees on its own
	 */
	uint8_t list_owned;
	union {
		struct gpuvm_op_map map;
		struct gpuvm_op_remap remap;
		struct gpuvm_op_unmap unmap;
		struct gpuvm_op_prefetch prefetch;
	};
	/** @remap_storage: private: what @remap points to */
	struct {
		struct gpuvm_op_map prev;
		struct gpuvm_op_map next;
		struct gpuvm_op_unmap unmap;
	} remap_storage;
};

struct gpuvm_op_block;

/** Ops a struct gpuvm_op_list holds without allocating (see there). */
#define GPUVM_OP_LIST_INLINE 2

/**
 * struct gpuvm_op_list - an ordered list of planned operations
 *
 * Filled by the *_ops_create() functions and emptied by
 * gpuvm_op_list_clear().  Ops must be applied in order.  Without op_alloc
 * and op_free hooks the ops belong to the list: the first
 * GPUVM_OP_LIST_INLINE live inside it (most plans have one or two ops, so
 * planning them allocates nothing), the rest in blocks the library
 * allocates for the list (four blocks of 7 ops, then twice as many per
 * block up to 224, so a long list takes few allocations).  Past the blocks
 * of 7 a list first takes the VM's spare block: gpuvm_op_list_clear()
 * keeps the largest block of a long list for the next one instead of
 * freeing it (the VM frees it when it goes), so a driver that keeps
 * planning long lists stops allocating their larger blocks.  Such ops are
 * freed only by gpuvm_op_list_clear(), and the list must not be moved or
 * copied while it holds any (its list head points into it anyway).
 */
struct gpuvm_op_list {
	struct gpuvm_list ops;	/**< struct gpuvm_op, linked by gpuvm_op.link */
	struct gpuvm_op_block *blocks;	/**< private: storage beyond @inline_ops */
	unsigned int inline_used;	/**< private: how many @inline_ops are used */
	/** @inline_ops: private: storage of the first ops */
	struct gpuvm_op inline_ops[GPUVM_OP_LIST_INLINE];
};

/**
 * gpuvm_op_list_for_each() - walk @list's ops (struct gpuvm_op *@op) in order
 * @op: a struct gpuvm_op pointer, the cursor
 * @list: the struct gpuvm_op_list
 */
#define gpuvm_op_list_for_each(op, list) \
	gpuvm_list_for_each(op, &(list)->ops, link)

/**
 * gpuvm_op_list_for_each_safe() - same, the body may remove @op
 * @op: a struct gpuvm_op pointer, the cursor
 * @tmp: a struct gpuvm_op pointer, used internally
 * @list: the struct gpuvm_op_list
 */
#define gpuvm_op_list_for_each_safe(op, tmp, list) \
	gpuvm_list_for_each_safe(op, tmp, &(list)->ops, link)

/**
 * gpuvm_op_list_for_each_reverse() - walk @list's ops backwards (unwinding)
 * @op: a struct gpuvm_op pointer, the cursor
 * @list: the struct gpuvm_op_list
 */
#define gpuvm_op_list_for_each_reverse(op, list) \
	gpuvm_list_for_each_reverse(op, &(list)->ops, link)

/** struct gpuvm_map_req - a map request (a struct so it can grow) */
struct gpuvm_map_req {
	struct gpuvm_op_map map;	/**< the mapping asked for */
};

/**
 * struct gpuvm_ops - callbacks of a VM (a const table the VM points to)
 *
 * Only @vm_free is mandatory.
 */
struct gpuvm_ops {
	/** @vm_free: free the VM's embedding structure after the last put */
	void (*vm_free)(struct gpuvm *vm);
	/** @op_alloc: allocate a zeroed op (to embed ops), or NULL */
	struct gpuvm_op *(*op_alloc)(struct gpuvm *vm);
	/** @op_free: free an op; gpuvm_free() is used if NULL */
	void (*op_free)(struct gpuvm *vm, struct gpuvm_op *op);
	/** @vm_bo_alloc: allocate a zeroed vm_bo (to embed vm_bos), or NULL */
	struct gpuvm_vm_bo *(*vm_bo_alloc)(struct gpuvm *vm);
	/** @vm_bo_free: free a vm_bo; gpuvm_free() is used if NULL */
	void (*vm_bo_free)(struct gpuvm_vm_bo *vm_bo);
	/**
	 * @vm_bo_validate: make an evicted vm_bo's object resident again
	 * (gpuvm_validate()); typically ends with gpuvm_vm_bo_evict(false)
	 */
	int (*vm_bo_validate)(struct gpuvm_vm_bo *vm_bo, struct gpuvm_exec *exec);
	/** @sm_step_map: the MAP step of gpuvm_sm_map() */
	int (*sm_step_map)(struct gpuvm_op *op, void *priv);
	/** @sm_step_remap: a REMAP step of gpuvm_sm_map()/gpuvm_sm_unmap() */
	int (*sm_step_remap)(struct gpuvm_op *op, void *priv);
	/** @sm_step_unmap: an UNMAP step of gpuvm_sm_map()/gpuvm_sm_unmap() */
	int (*sm_step_unmap)(struct gpuvm_op *op, void *priv);
};

/**
 * struct gpuvm_tree - the VA tree of a VM (library-private)
 */
struct gpuvm_tree {
	struct gpuvm_va *root;	/**< private: tree root */
	struct gpuvm_va *first;	/**< lowest VA, where address order starts */
	uint64_t count;		/**< private: number of VAs, reserved one included */
	uint64_t gen;		/**< private: changes with every insert/removal */
	/**
	 * @hint: private: the VA following the gap the last map plan found
	 * (NULL: the end), valid while @gen equals @hint_gen, so that applying
	 * the plan's MAP needs no second search (gpuvm_tree_insert())
	 */
	struct gpuvm_va *hint;
	uint64_t hint_gen;	/**< private: @gen when @hint was recorded */
	uint64_t hint_addr;	/**< private: the planned MAP's address */
	/**
	 * @finger: private: what the last insert or removal left known about
	 * its neighbourhood, valid while @gen equals @finger_gen: every address
	 * in [@finger_lo, end of @finger) lies before the end of @finger (NULL:
	 * the end of the tree) and after the end of its predecessor, and, if
	 * @finger_next_known, @finger_next is @finger's successor (NULL: none).
	 * The planner's lookups answer from it without a descent.
	 */
	struct gpuvm_va *finger;
	struct gpuvm_va *finger_next;	/**< private: see @finger */
	uint64_t finger_lo;		/**< private: see @finger */
	uint64_t finger_gen;		/**< private: @gen when @finger was recorded */
	/**
	 * @finger_last: private: no address above it is in the finger: the
	 * end of @finger_next minus one if @finger_next_known and it is not
	 * NULL, else all ones (a bound only; the finger still tests @finger)
	 */
	uint64_t finger_last;
	bool finger_next_known;		/**< private: see @finger */
};

/**
 * struct gpuvm_bo_list - a VM's list of vm_bos (extobj or evict), private
 */
struct gpuvm_bo_list {
	struct gpuvm_list list;		/**< the vm_bos */
	struct gpuvm_list *local_list;	/**< walk in progress (unprotected mode) */
	uint64_t lock;			/**< guards both unless RESV_PROTECTED (a lock word) */
};

/**
 * struct gpuvm - a GPU VA space, embedded in the driver's VM structure
 *
 * Initialise with gpuvm_init(), release with gpuvm_put().  Read-only for the
 * driver after init, except @name.
 */
struct gpuvm {
	const char *name;		/**< debug name ("unknown" if NULL) */
	uint32_t flags;			/**< enum gpuvm_flags */
	uint32_t refcount;		/**< private: use get/put */
	uint64_t mm_start;		/**< first address managed */
	uint64_t mm_range;		/**< size of the managed space */
	const struct gpuvm_ops *ops;	/**< callbacks */
	struct gpuvm_bo *r_obj;		/**< object whose resv is the VM's */
	struct gpuvm_va kernel_alloc_node; /**< the reserved region, if any */
	struct gpuvm_tree tree;		/**< private: the VAs */
	struct gpuvm_bo_list extobj;	/**< vm_bos of external objects */
	struct gpuvm_bo_list evict;	/**< vm_bos needing validation */
	struct gpuvm_vm_bo *bo_defer;	/**< private: zombies (lock-free stack) */
	/** @op_block_spare: private: op storage kept for the next long list */
	struct gpuvm_op_block *op_block_spare;
	struct gpuvm_bo own_r_obj;	/**< private: r_obj if none was given */
};

/**
 * struct gpuvm_init_args - arguments of gpuvm_init()
 */
struct gpuvm_init_args {
	const char *name;		/**< debug name, kept by pointer; may be NULL */
	uint32_t flags;			/**< enum gpuvm_flags */
	uint64_t start;			/**< first address of the VA space */
	uint64_t range;			/**< size of the VA space, > 0 */
	uint64_t reserve_start;		/**< kernel-reserved region start */
	uint64_t reserve_range;		/**< its size; 0 for no reserved region */
	const struct gpuvm_ops *ops;	/**< callbacks, vm_free mandatory */
	/**
	 * @r_obj: the object whose resv serves as the VM's (referenced for the
	 * VM's life), or NULL for a private one embedded in the VM, whose
	 * reference hooks count on the VM: an execution context holding it
	 * keeps the VM alive until it unlocks.  Objects sharing that resv
	 * (VM-private ones) hold their own VM reference if they need it.
	 */
	struct gpuvm_bo *r_obj;
};

/* ------------------------------------------------------------------------ */
/* VM                                                                       */

/**
 * gpuvm_init() - initialise a VM
 * @vm: the VM, any content
 * @args: the arguments
 *
 * The VM starts with one reference, owned by the caller.  The reserved region,
 * if any, is inserted as a VA without object; it takes no reference.
 *
 * Returns: 0, or -EINVAL if @args->ops or its vm_free is NULL, the range is 0
 * or start + range overflows 64 bits, or the reserved region overflows or
 * does not lie inside the VA space.  @vm is untouched on error.
 *
 * Locking: none; nothing else uses @vm yet.
 */
GPUVM_EXPORT int gpuvm_init(struct gpuvm *vm, const struct gpuvm_init_args *args);

/**
 * gpuvm_get() - take a reference on @vm (the caller already holds one)
 * @vm: the VM
 *
 * Returns: @vm.
 *
 * Locking: none (atomic).
 */
GPUVM_EXPORT struct gpuvm *gpuvm_get(struct gpuvm *vm);

/**
 * gpuvm_put() - drop a reference; NULL is ignored
 * @vm: the VM, or NULL
 *
 * On the last reference the VM is torn down (warning if VAs, extobjs or
 * evicted vm_bos remain, which cannot happen if references are balanced) and
 * ops->vm_free() is called.
 *
 * Locking: none; may be called from any context.
 */
GPUVM_EXPORT void gpuvm_put(struct gpuvm *vm);

/**
 * gpuvm_refcount() - the current reference count (for tests and debugging)
 * @vm: the VM
 *
 * Returns: the number of references held on @vm.
 *
 * Locking: none (atomic read).
 */
GPUVM_EXPORT uint32_t gpuvm_refcount(const struct gpuvm *vm);

/**
 * gpuvm_range_valid() - may a request cover [@addr, @addr + @range)?
 * @vm: the VM
 * @addr: first address of the range
 * @range: its size
 *
 * True iff the end does not overflow 64 bits (an end of exactly 2^64
 * overflows), the range lies inside the VA space and does not intersect the
 * reserved region (touching it is fine).  A range of 0 passes, as in the
 * kernel; the request functions reject it separately.
 *
 * Returns: true if a request may cover the range, false otherwise.
 *
 * Locking: none; the VA space and the reserved region never change after
 * gpuvm_init().
 */
GPUVM_EXPORT bool gpuvm_range_valid(const struct gpuvm *vm, uint64_t addr,
				    uint64_t range);

/**
 * gpuvm_interval_empty() - true iff no VA (reserved region included)
 * intersects [@addr, @addr + @range); no validation
 * @vm: the VM
 * @addr: first address
 * @range: size of the interval
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: true if nothing is mapped there, false otherwise.
 */
GPUVM_EXPORT bool gpuvm_interval_empty(const struct gpuvm *vm, uint64_t addr,
				       uint64_t range);

/**
 * gpuvm_is_extobj() - true iff @obj is non-NULL and its resv is not the VM's
 * @vm: the VM
 * @obj: the object, or NULL
 *
 * Returns: true for an external object, false otherwise.
 *
 * Locking: none; the resv pointers it compares do not change.
 */
GPUVM_EXPORT bool gpuvm_is_extobj(const struct gpuvm *vm,
				  const struct gpuvm_bo *obj);

/**
 * gpuvm_resv() - the VM's reservation lock (its r_obj's)
 * @vm: the VM
 *
 * Returns: the reservation lock of @vm's r_obj.
 */
static inline struct gpuvm_resv *gpuvm_resv(const struct gpuvm *vm)
{
	return vm->r_obj->resv;
}

/**
 * gpuvm_resv_protected() - is GPUVM_RESV_PROTECTED set?
 * @vm: the VM
 *
 * Returns: true if @vm has GPUVM_RESV_PROTECTED.
 *
 * Locking: none; safe from any thread.
 */
static inline bool gpuvm_resv_protected(const struct gpuvm *vm)
{
	return vm->flags & GPUVM_RESV_PROTECTED;
}

/**
 * gpuvm_immediate_mode() - is GPUVM_IMMEDIATE_MODE set?
 * @vm: the VM
 *
 * Returns: true if @vm has GPUVM_IMMEDIATE_MODE.
 *
 * Locking: none; safe from any thread.
 */
static inline bool gpuvm_immediate_mode(const struct gpuvm *vm)
{
	return vm->flags & GPUVM_IMMEDIATE_MODE;
}

/**
 * gpuvm_va_count() - number of VAs in @vm, the reserved region excluded
 * @vm: the VM
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: the number of VAs inserted in @vm, the reserved region not
 * counted.
 */
GPUVM_EXPORT uint64_t gpuvm_va_count(const struct gpuvm *vm);

/**
 * gpuvm_check() - verify the VM's internal invariants
 * @vm: the VM
 *
 * Checks the tree's order and balance, that the address list is the in-order
 * walk, that no VAs overlap, that every VA lies in the VA space (the reserved
 * one aside), that the reserved region is present when configured and that
 * the counts agree.  Meant for tests and debug builds; O(n).
 *
 * Returns: 0, or -EUCLEAN after reporting the first violation through the
 * warning hook.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * On failure nothing is changed; the VM is corrupt and should not be used
 * further.
 */
GPUVM_EXPORT int gpuvm_check(const struct gpuvm *vm);

/* ------------------------------------------------------------------------ */
/* VA tree                                                                  */

/**
 * gpuvm_va_insert() - insert @va, whose addr/range/obj/offset are set
 * @vm: the VM to insert into
 * @va: the VA, not inserted anywhere
 *
 * Returns: 0 (the VA holds a reference on the VM and @va->vm is set),
 * -EINVAL if the range is 0 or not valid (gpuvm_range_valid()), -EEXIST if it
 * intersects an existing VA, -EBUSY if @va is already inserted.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * On failure nothing changes.
 */
GPUVM_EXPORT int gpuvm_va_insert(struct gpuvm *vm, struct gpuvm_va *va);

/**
 * gpuvm_va_remove() - remove @va from its VM and drop its VM reference
 * @va: an inserted VA
 *
 * Warns and does nothing for the reserved region or a VA not inserted.
 * @va->vm stays set.
 *
 * Locking: the caller serialises calls on the VA's VM.
 */
GPUVM_EXPORT void gpuvm_va_remove(struct gpuvm_va *va);

/**
 * gpuvm_va_init_from_op() - copy addr, range, obj and offset from @op
 * @va: the VA to fill
 * @op: the MAP (or REMAP piece) to copy from
 *
 * Locking: none; @va is not inserted yet.
 */
GPUVM_EXPORT void gpuvm_va_init_from_op(struct gpuvm_va *va,
					const struct gpuvm_op_map *op);

/**
 * gpuvm_va_find_first() - lowest VA intersecting [@addr, @addr + @range)
 * @vm: the VM
 * @addr: first address of the interval
 * @range: its size
 *
 * No validation, as in the kernel: the interval is the closed
 * [@addr, @addr + @range - 1] in wrapping arithmetic.  The reserved region
 * counts.  Returns NULL if none.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: the VA, or NULL if nothing intersects.
 */
GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_first(const struct gpuvm *vm,
						  uint64_t addr, uint64_t range);

/**
 * gpuvm_va_find() - the VA of exactly [@addr, @addr + @range), or NULL
 * @vm: the VM
 * @addr: first address of the VA
 * @range: its exact size
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: the VA, or NULL.
 */
GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find(const struct gpuvm *vm,
					    uint64_t addr, uint64_t range);

/**
 * gpuvm_va_find_prev() - the kernel's drm_gpuva_find_prev(), quirk included
 * @vm: the VM
 * @start: the address the previous VA should end at
 *
 * NULL if (@start - 1, 1) is not a valid range; else the lowest VA
 * intersecting [@start - 1, @start] -- which is a VA starting at @start when
 * nothing covers @start - 1.  See gpuvm_va_find_prev_strict().
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: the VA, or NULL.
 */
GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_prev(const struct gpuvm *vm,
						 uint64_t start);

/**
 * gpuvm_va_find_next() - the kernel's drm_gpuva_find_next(), quirks included
 * @vm: the VM
 * @end: the address the next VA should start at
 *
 * NULL if (@end, 1) is not a valid range; else the lowest VA intersecting
 * [@end, @end + 1].  See gpuvm_va_find_next_strict().
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: the VA, or NULL.
 */
GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_next(const struct gpuvm *vm,
						 uint64_t end);

/**
 * gpuvm_va_find_prev_strict() - the VA ending exactly at @start, or NULL
 * @vm: the VM
 * @start: the end address looked for
 *
 * No validation; like every lookup it may return the reserved region.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: the VA ending at @start, or NULL.
 */
GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_prev_strict(const struct gpuvm *vm,
							uint64_t start);

/**
 * gpuvm_va_find_next_strict() - the VA starting exactly at @end, or NULL
 * @vm: the VM
 * @end: the start address looked for
 *
 * No validation; like every lookup it may return the reserved region.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: the VA starting at @end, or NULL.
 */
GPUVM_EXPORT struct gpuvm_va *gpuvm_va_find_next_strict(const struct gpuvm *vm,
							uint64_t end);

/** gpuvm_prefetch_() - private: a prefetch hint where the compiler has one */
#if defined(__GNUC__) || defined(__clang__)
#define gpuvm_prefetch_(p) __builtin_prefetch(p)
#else
#define gpuvm_prefetch_(p) ((void)(p))
#endif

/**
 * gpuvm_va_next() - the VA following @va (inserted) in address order, or NULL
 * @va: an inserted VA
 *
 * The in-order successor in the tree: the leftmost VA of the right subtree,
 * else the nearest ancestor reached from its left.  Amortised over a whole
 * walk that is one step per VA.  Going down, it prefetches the right child of
 * every VA it passes: a walk in address order comes back to each of them
 * and then goes right, so the misses of a long walk overlap instead of
 * forming one chain.
 *
 * Locking: the caller serialises calls on the VA's VM.
 *
 * Returns: the next VA in address order, or NULL after the last.
 */
static inline struct gpuvm_va *gpuvm_va_next(const struct gpuvm_va *va)
{
	const struct gpuvm_va *n = va->node.child[1];
	struct gpuvm_va *p;

	if (n) {
		while (n->node.child[0]) {
			gpuvm_prefetch_(n->node.child[1]);
			n = n->node.child[0];
		}
		gpuvm_prefetch_(n->node.child[1]);
		return (struct gpuvm_va *)n;
	}
	for (n = va, p = va->node.parent; p && p->node.child[1] == n;
	     n = p, p = p->node.parent)
		;
	return p;
}

/**
 * gpuvm_va_invalidate() - set or clear GPUVM_VA_INVALIDATED
 * @va: the VA
 * @invalidate: true to set the flag, false to clear it
 *
 * Locking: the driver's, whichever protects the VA's flags.
 */
static inline void gpuvm_va_invalidate(struct gpuvm_va *va, bool invalidate)
{
	if (invalidate)
		va->flags |= GPUVM_VA_INVALIDATED;
	else
		va->flags &= ~(uint32_t)GPUVM_VA_INVALIDATED;
}

/**
 * gpuvm_va_invalidated() - test GPUVM_VA_INVALIDATED
 * @va: the VA
 *
 * Returns: true if GPUVM_VA_INVALIDATED is set.
 *
 * Locking: the driver's, whichever protects the VA's flags.
 */
static inline bool gpuvm_va_invalidated(const struct gpuvm_va *va)
{
	return va->flags & GPUVM_VA_INVALIDATED;
}

/**
 * GPUVM_TREE_MAX_HEIGHT - private: more levels than a VA tree can have (an
 * AVL tree of height h holds at least F(h + 2) - 1 nodes, Fibonacci: more
 * 96-byte VAs than a 64-bit address space holds for h = 92)
 */
#define GPUVM_TREE_MAX_HEIGHT 92

/**
 * struct gpuvm_va_walk_ - private: where gpuvm_for_each_va() stands
 *
 * The walk keeps the VAs it went left of on its own stack, so the next VA
 * after one without right child is popped, not searched for up the parent
 * links: the addresses the loop visits next are known before the VAs are
 * read, and the processor can fetch them ahead (bench/HISTORY.md).
 */
struct gpuvm_va_walk_ {
	struct gpuvm_va *cur;	/**< the VA visited, NULL at the end */
	unsigned int depth;	/**< entries of @up in use */
	/** @up: the VAs left of which the walk went down, deepest last */
	struct gpuvm_va *up[GPUVM_TREE_MAX_HEIGHT];
};

/**
 * gpuvm_va_walk_down_() - private: @w to the leftmost VA under @n
 * @w: the walk
 * @n: a VA
 */
static inline void gpuvm_va_walk_down_(struct gpuvm_va_walk_ *w,
				       struct gpuvm_va *n)
{
	while (n->node.child[0]) {
		/* Never taken in a valid tree; bounds a damaged one. */
		if (w->depth < GPUVM_TREE_MAX_HEIGHT)
			w->up[w->depth++] = n;
		n = n->node.child[0];
	}
	w->cur = n;
}

/**
 * gpuvm_va_walk_start_() - private: @w at the first VA of @t
 * @w: the walk
 * @t: the tree
 *
 * Returns: @w.
 */
static inline struct gpuvm_va_walk_ *
gpuvm_va_walk_start_(struct gpuvm_va_walk_ *w, const struct gpuvm_tree *t)
{
	w->depth = 0;
	w->cur = NULL;
	if (t->root)
		gpuvm_va_walk_down_(w, t->root);
	return w;
}

/**
 * gpuvm_va_walk_from_() - private: @w at the first VA of @t ending above
 * @addr (NULL: none)
 * @w: the walk
 * @t: the tree
 * @addr: the address
 *
 * The descent records each VA it goes left of: storing always and counting
 * only those keeps the search free of a branch on the direction.
 *
 * Returns: @w.
 */
static inline struct gpuvm_va_walk_ *
gpuvm_va_walk_from_(struct gpuvm_va_walk_ *w, const struct gpuvm_tree *t,
		    uint64_t addr)
{
	struct gpuvm_va *n = t->root;

	w->depth = 0;
	while (n && w->depth < GPUVM_TREE_MAX_HEIGHT) {
		const int right = n->addr + n->range <= addr;

		w->up[w->depth] = n;
		w->depth += !right;
		n = n->node.child[right];
	}
	w->cur = w->depth ? w->up[--w->depth] : NULL;
	return w;
}

/**
 * gpuvm_va_walk_next_() - private: @w to the next VA in address order
 * @w: the walk, not at the end
 */
static inline void gpuvm_va_walk_next_(struct gpuvm_va_walk_ *w)
{
	struct gpuvm_va *r = w->cur->node.child[1];

	if (r)
		gpuvm_va_walk_down_(w, r);
	else
		w->cur = w->depth ? w->up[--w->depth] : NULL;
}

/** GPUVM_CAT_() - private: paste after expanding (unique loop names) */
#define GPUVM_CAT_(a, b) GPUVM_CAT2_(a, b)
/** GPUVM_CAT2_() - private: helper of GPUVM_CAT_() */
#define GPUVM_CAT2_(a, b) a##b

/**
 * gpuvm_for_each_va() - every VA of @vm in address order, the reserved
 * region included; the body must not change the tree (no VA inserted or
 * removed: gpuvm_for_each_va_safe() lets it remove @va)
 * @va: a struct gpuvm_va pointer, the cursor
 * @vm: the struct gpuvm, evaluated once
 *
 * The loop keeps its state (struct gpuvm_va_walk_, under 1 KiB) in a
 * variable of its own, named after the line, so loops may nest.  @va is
 * left at the VA the body broke out at, or NULL after the last.
 */
#define gpuvm_for_each_va(va, vm)                                           \
	for (struct gpuvm_va_walk_ GPUVM_CAT_(gpuvm_w_, __LINE__),           \
	     *GPUVM_CAT_(gpuvm_wp_, __LINE__) = gpuvm_va_walk_start_(          \
		&GPUVM_CAT_(gpuvm_w_, __LINE__), &(vm)->tree);                 \
	     ((va) = GPUVM_CAT_(gpuvm_wp_, __LINE__)->cur) != NULL;            \
	     gpuvm_va_walk_next_(GPUVM_CAT_(gpuvm_wp_, __LINE__)))

/**
 * gpuvm_for_each_va_safe() - same; the body may remove (and free) @va
 * @va: a struct gpuvm_va pointer, the cursor
 * @next_: a struct gpuvm_va pointer, used internally
 * @vm: the struct gpuvm
 */
#define gpuvm_for_each_va_safe(va, next_, vm)                              \
	for (va = (vm)->tree.first, next_ = va ? gpuvm_va_next(va) : NULL; \
	     va; va = next_, next_ = va ? gpuvm_va_next(va) : NULL)

/**
 * gpuvm_for_each_va_range() - the VAs intersecting [@start, @end), in address
 * order; the body must not change the tree (no VA inserted or removed)
 * @va: a struct gpuvm_va pointer, the cursor
 * @vm: the struct gpuvm, evaluated once
 * @start: first address of the range, evaluated once
 * @end: end of the range (exclusive), evaluated at every step; as in the
 *	kernel, an @end that wrapped to 0 visits nothing
 *
 * Walks as gpuvm_for_each_va() does, from the first VA ending above
 * @start.  @va is left at the first VA at or beyond @end, or NULL.
 */
#define gpuvm_for_each_va_range(va, vm, start, end)                        \
	for (struct gpuvm_va_walk_ GPUVM_CAT_(gpuvm_w_, __LINE__),           \
	     *GPUVM_CAT_(gpuvm_wp_, __LINE__) = gpuvm_va_walk_from_(           \
		&GPUVM_CAT_(gpuvm_w_, __LINE__), &(vm)->tree, (start));        \
	     ((va) = GPUVM_CAT_(gpuvm_wp_, __LINE__)->cur) != NULL &&          \
	     (va)->addr < (end);                                               \
	     gpuvm_va_walk_next_(GPUVM_CAT_(gpuvm_wp_, __LINE__)))

/**
 * gpuvm_for_each_va_range_safe() - same; the body may remove @va and insert
 * VAs elsewhere (the walk goes on from the successor fetched before the body)
 * @va: a struct gpuvm_va pointer, the cursor
 * @next_: a struct gpuvm_va pointer, used internally
 * @vm: the struct gpuvm
 * @start: first address of the range
 * @end: end of the range (exclusive)
 */
#define gpuvm_for_each_va_range_safe(va, next_, vm, start, end)            \
	for (va = gpuvm_va_find_first(vm, start, (end) - (start));          \
	     va && va->addr < (end) && ((next_ = gpuvm_va_next(va)), 1);     \
	     va = next_)

/* ------------------------------------------------------------------------ */
/* Applying ops                                                             */

/**
 * gpuvm_va_map() - apply a MAP: init @va from @op and insert it
 * @vm: the VM the MAP was planned on
 * @va: storage for the new VA (zeroed, not inserted)
 * @op: the MAP
 *
 * Returns: the result of gpuvm_va_insert() (the kernel drops it).
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * On failure @va is not inserted and nothing changed.
 */
GPUVM_EXPORT int gpuvm_va_map(struct gpuvm *vm, struct gpuvm_va *va,
			      const struct gpuvm_op_map *op);

/**
 * gpuvm_va_remap() - apply a REMAP: remove the old VA, insert the pieces
 * @prev: storage for op->prev (may be NULL when op->prev is NULL)
 * @next: storage for op->next (may be NULL when op->next is NULL)
 * @op: the REMAP
 *
 * Links and flags are not touched: link the pieces to the old VA's vm_bo,
 * then unlink the old VA (see gpuvm_va_link()).
 *
 * Returns: 0, or -EINVAL if a piece is given no storage, or the error of
 * inserting a piece, in which case the old VA is back and nothing changed.
 *
 * Locking: the caller serialises calls on the VA's VM (its VM lock).
 */
GPUVM_EXPORT int gpuvm_va_remap(struct gpuvm_va *prev, struct gpuvm_va *next,
				const struct gpuvm_op_remap *op);

/**
 * gpuvm_va_unmap() - apply an UNMAP: remove op->va from its VM
 * @op: the UNMAP (or the unmap part of a REMAP)
 *
 * Locking: the caller serialises calls on the VA's VM.
 */
GPUVM_EXPORT void gpuvm_va_unmap(const struct gpuvm_op_unmap *op);

/**
 * gpuvm_op_remap_to_unmap_range() - the hole a REMAP leaves
 * @op: the REMAP
 * @start: receives the first address of the hole (may be NULL)
 * @range: receives its size (may be NULL)
 *
 * Locking: none; reads the op and the old VA, which stays alive until the
 * op is applied.
 */
GPUVM_EXPORT void gpuvm_op_remap_to_unmap_range(const struct gpuvm_op_remap *op,
						uint64_t *start, uint64_t *range);

/* ------------------------------------------------------------------------ */
/* Planning                                                                 */

/**
 * gpuvm_sm_map() - plan a map, calling the VM's sm_step_* callbacks
 * @vm: the VM
 * @priv: passed to the callbacks
 * @req: the request
 *
 * The callbacks get the ops of the split/merge plan in order; the op they
 * get lives only during the call.  They may apply it to the tree at once
 * (the walk tolerates removal of the current VA and insertion of pieces).
 *
 * Returns: 0; -EINVAL if a callback is missing, the range is 0 or invalid
 * (no callback made); or the first non-zero callback return, which stops
 * the walk (steps already done are not undone).
 *
 * Locking: the caller serialises calls on @vm (its VM lock); the callbacks
 * take the locks their changes need (see docs/locking.md).
 *
 * On failure before the first callback nothing changed; after a failing
 * callback the steps before it stay applied.
 */
GPUVM_EXPORT int gpuvm_sm_map(struct gpuvm *vm, void *priv,
			      const struct gpuvm_map_req *req);

/**
 * gpuvm_sm_unmap() - plan an unmap of [@addr, @addr + @range) through the
 * sm_step_remap/sm_step_unmap callbacks
 * @vm: the VM
 * @priv: passed to the callbacks
 * @addr: first address to unmap
 * @range: size of the range
 *
 * Returns: as gpuvm_sm_map() (sm_step_map is not needed).
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * On failure before the first callback nothing changed; after a failing
 * callback the steps before it stay applied.
 */
GPUVM_EXPORT int gpuvm_sm_unmap(struct gpuvm *vm, void *priv, uint64_t addr,
				uint64_t range);

/**
 * gpuvm_sm_map_ops_create() - plan a map as an op list
 * @vm: the VM (not changed)
 * @req: the request
 * @list: receives the ops; any content on entry (it is initialised)
 *
 * Returns: 0; -EINVAL for a zero or invalid range; -ENOMEM.  On any error
 * @list is left empty and nothing is leaked.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 */
GPUVM_EXPORT int gpuvm_sm_map_ops_create(struct gpuvm *vm,
					 const struct gpuvm_map_req *req,
					 struct gpuvm_op_list *list);

/**
 * gpuvm_madvise_ops_create() - plan a madvise split as an op list
 * @vm: the VM (not changed)
 * @req: the request
 * @list: receives the ops; any content on entry (it is initialised)
 *
 * Splits the VAs without object at the request's edges (REMAP + MAP of the
 * part inside); VAs with an object are left alone; no UNMAP is ever planned.
 * The list may be empty.  MAPs of a part inside the request have no object
 * and offset 0; only a final MAP of the whole request (planned after a
 * REMAP that ends the walk) carries @req's object and offset, as the kernel
 * does.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: 0; -EINVAL for a zero or invalid range; -ENOMEM.  On any error
 * @list is left empty and nothing is leaked.
 */
GPUVM_EXPORT int gpuvm_madvise_ops_create(struct gpuvm *vm,
					  const struct gpuvm_map_req *req,
					  struct gpuvm_op_list *list);

/**
 * gpuvm_sm_unmap_ops_create() - plan an unmap as an op list
 * @vm: the VM (not changed)
 * @addr: first address to unmap
 * @range: size of the range
 * @list: receives the ops; any content on entry (it is initialised)
 *
 * Returns: as gpuvm_sm_map_ops_create().
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * On failure @list is empty and the VM unchanged.
 */
GPUVM_EXPORT int gpuvm_sm_unmap_ops_create(struct gpuvm *vm, uint64_t addr,
					   uint64_t range,
					   struct gpuvm_op_list *list);

/**
 * gpuvm_prefetch_ops_create() - one PREFETCH per VA intersecting the range
 * @vm: the VM (not changed)
 * @addr: first address of the range
 * @range: its size
 * @list: receives the ops; any content on entry (it is initialised)
 *
 * The VAs without object and the reserved region are listed too; the range
 * is not checked against the VA space (as in the kernel).
 *
 * Returns: 0; -EINVAL if @range is 0; -ENOMEM with @list empty.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * On failure @list is empty and the VM unchanged.
 */
GPUVM_EXPORT int gpuvm_prefetch_ops_create(struct gpuvm *vm, uint64_t addr,
					   uint64_t range,
					   struct gpuvm_op_list *list);

/**
 * gpuvm_bo_unmap_ops_create() - one UNMAP (keep false) per VA linked to
 * @vm_bo: the vm_bo whose VAs to unmap
 * @list: receives the ops; any content on entry (it is initialised)
 * @vm_bo, in link order; the caller holds the object's list lock
 *
 * Returns: 0, or -ENOMEM with @list empty.
 *
 * Locking: the object's BO list lock, and the VM lock of the VM the ops will
 * be applied to.
 *
 * On failure @list is empty and nothing changed.
 */
GPUVM_EXPORT int gpuvm_bo_unmap_ops_create(struct gpuvm_vm_bo *vm_bo,
					   struct gpuvm_op_list *list);

/**
 * gpuvm_op_list_init() - make @list an empty op list
 * @list: the list, any content
 *
 * Locking: none.
 */
GPUVM_EXPORT void gpuvm_op_list_init(struct gpuvm_op_list *list);

/**
 * gpuvm_op_list_clear() - free every op of @list (through ops->op_free if
 * set) and leave it empty
 * @vm: the VM the list was planned on (for ops->op_free)
 * @list: the list
 *
 * An op the driver appended itself (a GPUVM_OP_DRIVER one, allocated zeroed
 * with gpuvm_zalloc(), or with op_alloc when the VM has op hooks) is freed
 * the same way.
 *
 * Locking: none; the list belongs to the caller.
 */
GPUVM_EXPORT void gpuvm_op_list_clear(struct gpuvm *vm,
				      struct gpuvm_op_list *list);

/**
 * gpuvm_op_list_count_new_vas() - how many new VA structures applying @list
 * needs: one per MAP, one per REMAP piece
 * @list: a planned op list
 *
 * Returns: the number of VA structures to pre-allocate.
 *
 * Locking: none; the list belongs to the caller.
 */
GPUVM_EXPORT unsigned int gpuvm_op_list_count_new_vas(const struct gpuvm_op_list *list);

/* ------------------------------------------------------------------------ */
/* vm_bo                                                                    */

/**
 * gpuvm_vm_bo_create() - allocate a vm_bo for (@vm, @obj), on no list
 * @vm: the VM
 * @obj: the object
 *
 * Refcount 1; takes a reference on @vm and @obj.  Use gpuvm_vm_bo_obtain()
 * to get the unique vm_bo of the pair.
 *
 * Returns: the vm_bo, or NULL on allocation failure or NULL @obj.
 *
 * Locking: none.  On failure no reference is taken.
 */
GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_create(struct gpuvm *vm,
						    struct gpuvm_bo *obj);

/**
 * gpuvm_vm_bo_find() - the vm_bo of (@vm, @obj) with a new reference, or NULL
 * @vm: the VM
 * @obj: the object
 *
 * Caller holds @obj's list lock.
 *
 * Returns: the vm_bo with a new reference, or NULL if (@vm, @obj) has none.
 */
GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_find(struct gpuvm *vm,
						  struct gpuvm_bo *obj);

/**
 * gpuvm_vm_bo_obtain() - staged mode: find the vm_bo of (@vm, @obj) or
 * create it and append it to @obj's list
 * @vm: the VM
 * @obj: the object
 * @out: receives the vm_bo, with a reference owned by the caller
 *
 * Caller holds @obj's list lock.  It may allocate under that lock, which
 * immediate mode forbids: there it warns (use gpuvm_vm_bo_create() and
 * gpuvm_vm_bo_obtain_prealloc()).
 *
 * Returns: 0, -EINVAL for a NULL @obj, or -ENOMEM (nothing changed).
 */
GPUVM_EXPORT int gpuvm_vm_bo_obtain(struct gpuvm *vm, struct gpuvm_bo *obj,
				    struct gpuvm_vm_bo **out);

/**
 * gpuvm_vm_bo_refcount() - the current reference count (tests, debugging)
 * @vm_bo: the vm_bo
 *
 * Returns: the number of references held on @vm_bo, one per linked VA
 * among them, as the kernel counts them (the VAs share one reference of
 * the counter, so the VA list is walked).
 *
 * Locking: the BO list lock, or no link or unlink of @vm_bo meanwhile.
 */
GPUVM_EXPORT uint32_t gpuvm_vm_bo_refcount(const struct gpuvm_vm_bo *vm_bo);

/**
 * gpuvm_vm_bo_get() - take a reference (the caller already holds one)
 * @vm_bo: the vm_bo
 *
 * Returns: @vm_bo.
 *
 * Locking: none (atomic).
 */
GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_get(struct gpuvm_vm_bo *vm_bo);

/**
 * gpuvm_vm_bo_put() - drop a reference; NULL is ignored
 * @vm_bo: the vm_bo, or NULL
 *
 * The last put removes the vm_bo from every list, frees it and drops its
 * references on the VM and the object.  Caller holds the object's list lock
 * when the put may be the last, and with GPUVM_RESV_PROTECTED the VM's resv
 * too (the extobj and evict lists are changed).
 *
 * Returns: true iff the vm_bo was destroyed.
 */
GPUVM_EXPORT bool gpuvm_vm_bo_put(struct gpuvm_vm_bo *vm_bo);

/**
 * gpuvm_va_link() - append @va to @vm_bo's VA list, taking a vm_bo reference
 * @va: an inserted VA (its vm is set)
 * @vm_bo: the vm_bo of the VA's VM and object
 *
 * A VA without object is left alone.  A VA whose object is not @vm_bo's is
 * reported through the warning hook and linked all the same (as in the
 * kernel).  Caller holds the object's list lock.  The reference counts as
 * one in gpuvm_vm_bo_refcount(), as in the kernel, but the linked VAs of a
 * vm_bo share one atomic reference: only the first link makes an atomic
 * read-modify-write.
 */
GPUVM_EXPORT void gpuvm_va_link(struct gpuvm_va *va, struct gpuvm_vm_bo *vm_bo);

/**
 * gpuvm_va_unlink() - remove @va from its vm_bo's list and put the vm_bo
 * @va: the VA
 *
 * A VA without object (or not linked) is left alone.  Caller holds the
 * object's list lock.  Only the unlink of the last linked VA drops the
 * shared reference (gpuvm_va_link()) and may destroy the vm_bo.
 *
 * Locking: with GPUVM_RESV_PROTECTED, also the VM's resv when the vm_bo may
 * be destroyed (see gpuvm_vm_bo_put()).
 */
GPUVM_EXPORT void gpuvm_va_unlink(struct gpuvm_va *va);

/**
 * gpuvm_vm_bo_for_each_va() - the VAs linked to @vm_bo, in link order
 * @va: a struct gpuvm_va pointer, the cursor
 * @vm_bo: the struct gpuvm_vm_bo
 */
#define gpuvm_vm_bo_for_each_va(va, vm_bo) \
	gpuvm_list_for_each(va, &(vm_bo)->vas, bo_link)

/**
 * gpuvm_vm_bo_for_each_va_safe() - same; the body may unlink @va
 * @va: a struct gpuvm_va pointer, the cursor
 * @tmp: a struct gpuvm_va pointer, used internally
 * @vm_bo: the struct gpuvm_vm_bo
 */
#define gpuvm_vm_bo_for_each_va_safe(va, tmp, vm_bo) \
	gpuvm_list_for_each_safe(va, tmp, &(vm_bo)->vas, bo_link)

/**
 * gpuvm_bo_for_each_vm_bo() - the vm_bos of @obj, in creation order
 * @vm_bo: a struct gpuvm_vm_bo pointer, the cursor
 * @obj: the object (struct gpuvm_bo)
 */
#define gpuvm_bo_for_each_vm_bo(vm_bo, obj) \
	gpuvm_list_for_each(vm_bo, &(obj)->vm_bos, bo_link)

/* ------------------------------------------------------------------------ */
/* vm_bo: immediate mode, extobj and evict lists                            */

/**
 * gpuvm_vm_bo_obtain_prealloc() - immediate mode: adopt a pre-allocated
 * vm_bo, or return the existing one
 * @pre: from gpuvm_vm_bo_create(), refcount 1, on no list
 *
 * Takes the object's gpuva_lock itself (the caller must not hold it).  If
 * (VM, object) already has a vm_bo, a reference is taken on it and @pre is
 * destroyed (vm_bo_free called, VM and object references dropped) after the
 * lock is released; otherwise @pre joins the object's list.  Never fails.
 * Warns on a VM without GPUVM_IMMEDIATE_MODE.
 *
 * Returns: the vm_bo, with one reference owned by the caller.
 */
GPUVM_EXPORT struct gpuvm_vm_bo *gpuvm_vm_bo_obtain_prealloc(struct gpuvm_vm_bo *pre);

/**
 * gpuvm_vm_bo_put_deferred() - immediate mode: drop a reference without
 * destroying
 * @vm_bo: the vm_bo, or NULL
 *
 * Safe where destruction is not (the job-run / fence-signalling path): on the
 * last reference the vm_bo becomes a zombie -- off the object's list (and,
 * unless GPUVM_RESV_PROTECTED, off the extobj and evict lists), pushed on
 * the VM's deferred list -- and gpuvm_vm_bo_deferred_cleanup() frees it
 * later.  Takes the object's gpuva_lock itself (caller must not hold it).
 *
 * Returns: true iff it became a zombie; false for NULL.
 */
GPUVM_EXPORT bool gpuvm_vm_bo_put_deferred(struct gpuvm_vm_bo *vm_bo);

/**
 * gpuvm_vm_bo_deferred_cleanup() - destroy every zombie of @vm
 * @vm: the VM
 *
 * In GPUVM_RESV_PROTECTED mode takes the VM's resv (so the caller must not
 * hold it) to take the zombies off the extobj and evict lists.  Then frees
 * each (vm_bo_free) and drops its VM and object references, newest first.
 *
 * Locking: not from the fence-signalling path.
 */
GPUVM_EXPORT void gpuvm_vm_bo_deferred_cleanup(struct gpuvm *vm);

/**
 * gpuvm_va_unlink_defer() - immediate mode: unlink @va, deferring the
 * vm_bo's destruction as gpuvm_vm_bo_put_deferred() does
 * @va: the VA
 *
 * Takes the object's gpuva_lock itself.  A VA without object is left alone.
 */
GPUVM_EXPORT void gpuvm_va_unlink_defer(struct gpuvm_va *va);

/**
 * gpuvm_vm_bo_extobj_add() - put @vm_bo on its VM's extobj list if its
 * object is external (idempotent)
 * @vm_bo: the vm_bo
 *
 * GPUVM_RESV_PROTECTED: the caller holds the VM's resv.  A vm_bo leaves the
 * list only when it is destroyed.
 *
 * Locking: without GPUVM_RESV_PROTECTED the list's own mutex is taken
 * inside.
 */
GPUVM_EXPORT void gpuvm_vm_bo_extobj_add(struct gpuvm_vm_bo *vm_bo);

/**
 * gpuvm_vm_bo_evict() - mark @vm_bo as needing validation (or not)
 * @vm_bo: the vm_bo
 * @evict: true to mark it evicted, false to clear the mark
 *
 * The caller holds the object's resv.  Sets @vm_bo->evicted and adds it to
 * (or removes it from) the VM's evict list -- except for an external object
 * of a GPUVM_RESV_PROTECTED VM, whose list entry gpuvm_prepare_objects()
 * updates later under the VM's resv.
 *
 * Locking: the object's resv; without GPUVM_RESV_PROTECTED the evict list's
 * mutex is taken inside, with it the list is not touched for an external
 * object.
 */
GPUVM_EXPORT void gpuvm_vm_bo_evict(struct gpuvm_vm_bo *vm_bo, bool evict);

/**
 * gpuvm_bo_evict() - gpuvm_vm_bo_evict() on every vm_bo of @obj; the caller
 * holds the object's resv and its BO list lock
 * @obj: the object
 * @evict: true to mark every vm_bo evicted, false to clear
 */
GPUVM_EXPORT void gpuvm_bo_evict(struct gpuvm_bo *obj, bool evict);

/* ------------------------------------------------------------------------ */
/* Locking a bind job                                                       */

/**
 * struct gpuvm_vm_exec - lock a VM's objects for a job
 * @exec: the context (owned by the call; unlock with gpuvm_exec_unlock())
 * @vm: the VM
 * @flags: GPUVM_EXEC_* for @exec (GPUVM_EXEC_IGNORE_DUPLICATES, normally)
 * @num_fences: fence slots to reserve on each object (0: lock only)
 * @extra: optional step run inside the locking loop; @extra.fn returns 0 or
 *	a negative errno (-EDEADLK from a gpuvm_exec_* call is retried)
 */
struct gpuvm_vm_exec {
	struct gpuvm_exec exec;
	struct gpuvm *vm;
	uint32_t flags;
	unsigned int num_fences;
	struct {
		int (*fn)(struct gpuvm_vm_exec *vm_exec);
		void *priv;
	} extra;
};

/**
 * gpuvm_prepare_vm() - lock the VM's resv in @exec, reserving @n fences
 * @vm: the VM
 * @exec: the locking context
 * @n: fence slots to reserve (0: lock only)
 *
 * Locking: the resv is locked in @exec; on failure @exec keeps what it held
 * before.
 *
 * Returns: 0, or the error of gpuvm_exec_prepare_obj() (-EDEADLK: retry the
 * loop).
 */
GPUVM_EXPORT int gpuvm_prepare_vm(struct gpuvm *vm, struct gpuvm_exec *exec,
				  unsigned int n);

/**
 * gpuvm_prepare_objects() - lock every external object of @vm in @exec,
 * reserving @n fences on each
 * @vm: the VM
 * @exec: the locking context
 * @n: fence slots to reserve on each (0: lock only)
 *
 * GPUVM_RESV_PROTECTED: the caller holds the VM's resv (lock it in @exec
 * first); zombies are skipped; an evicted vm_bo is (re)put on the evict list.
 * Otherwise the list is walked without holding its lock across the locking.
 * Two walks of one VM's list must not run at once.
 *
 * Returns: 0 or the first error (-EDEADLK: retry the loop).
 *
 * On failure the objects locked before the error stay in @exec
 * (gpuvm_exec_retry() or gpuvm_exec_fini() releases them).
 */
GPUVM_EXPORT int gpuvm_prepare_objects(struct gpuvm *vm, struct gpuvm_exec *exec,
				       unsigned int n);

/**
 * gpuvm_prepare_range() - lock the objects of every VA intersecting
 * [@addr, @addr + @range) in @exec, reserving @n fences on each
 * @vm: the VM
 * @exec: the locking context
 * @addr: first address of the range
 * @range: its size
 * @n: fence slots to reserve on each (0: lock only)
 *
 * VAs without object (the reserved region included) are skipped.
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: 0, or the first locking error (-EDEADLK: retry the loop); the
 * objects locked before it stay in @exec.
 *
 * On failure the tree is unchanged.
 */
GPUVM_EXPORT int gpuvm_prepare_range(struct gpuvm *vm, struct gpuvm_exec *exec,
				     uint64_t addr, uint64_t range,
				     unsigned int n);

/**
 * gpuvm_exec_lock() - lock the VM's resv, every external object and what
 * @vm_exec: the job: vm, flags, num_fences and extra set; exec is initialised here
 * @vm_exec->extra adds, retrying until all are locked
 *
 * Returns: 0 with everything locked (gpuvm_exec_unlock() later), or a
 * negative errno with nothing locked.
 *
 * Locking: takes the resvs itself; the caller holds none of them.
 *
 * On failure nothing stays locked and @vm_exec->exec is finished.
 */
GPUVM_EXPORT int gpuvm_exec_lock(struct gpuvm_vm_exec *vm_exec);

/**
 * gpuvm_exec_lock_array() - gpuvm_exec_lock() plus @objs[0..@n)
 * @vm_exec: as for gpuvm_exec_lock()
 * @objs: the extra objects
 * @n: how many
 *
 * Uses @vm_exec->extra for itself and leaves it cleared.
 *
 * Returns: as gpuvm_exec_lock().
 */
GPUVM_EXPORT int gpuvm_exec_lock_array(struct gpuvm_vm_exec *vm_exec,
				       struct gpuvm_bo **objs, unsigned int n);

/**
 * gpuvm_exec_lock_range() - lock only the objects of the VAs intersecting
 * the range (not the VM's resv)
 * @vm_exec: the job (vm, flags, num_fences)
 * @addr: first address of the range
 * @range: its size
 *
 * Locking: the VM lock (the VAs are read); takes the resvs itself.
 *
 * Returns: 0 with the objects locked, or a negative errno with nothing
 * locked.
 *
 * On failure nothing stays locked and the tree is unchanged.
 */
GPUVM_EXPORT int gpuvm_exec_lock_range(struct gpuvm_vm_exec *vm_exec,
				       uint64_t addr, uint64_t range);

/**
 * gpuvm_exec_unlock() - unlock everything a gpuvm_exec_lock*() locked
 * @vm_exec: a job locked by gpuvm_exec_lock*()
 */
GPUVM_EXPORT void gpuvm_exec_unlock(struct gpuvm_vm_exec *vm_exec);

/**
 * gpuvm_validate() - call ops->vm_bo_validate for every evicted vm_bo
 * @vm: the VM
 * @exec: the context holding the objects' resvs
 *
 * The objects are locked in @exec.  GPUVM_RESV_PROTECTED: zombies are
 * skipped and a vm_bo no longer evicted after its callback leaves the list.
 * Otherwise the callback must take it off (gpuvm_vm_bo_evict(false)).
 *
 * Returns: 0, -EOPNOTSUPP without a vm_bo_validate callback, or the first
 * callback error.
 */
GPUVM_EXPORT int gpuvm_validate(struct gpuvm *vm, struct gpuvm_exec *exec);

/**
 * gpuvm_exec_validate() - gpuvm_validate() on @vm_exec's VM and context
 * @vm_exec: a locked job
 *
 * Returns: as gpuvm_validate().
 *
 * On failure the vm_bos validated before the error stay validated; the
 * objects stay locked.
 */
GPUVM_EXPORT int gpuvm_exec_validate(struct gpuvm_vm_exec *vm_exec);

/**
 * gpuvm_exec_add_fence() - add @fence to every object locked in @exec:
 * with @extobj_usage on external objects, @private_usage on the others
 * (the VM's resv included); slots must have been reserved
 * @vm: the VM
 * @exec: the context holding the locks
 * @fence: the fence (opaque to libgpuvm)
 * @private_usage: usage on the VM's resv and private objects
 * @extobj_usage: usage on external objects
 */
GPUVM_EXPORT void gpuvm_exec_add_fence(struct gpuvm *vm, struct gpuvm_exec *exec,
				       void *fence,
				       enum gpuvm_resv_usage private_usage,
				       enum gpuvm_resv_usage extobj_usage);

/**
 * gpuvm_vm_exec_add_fence() - gpuvm_exec_add_fence() on @vm_exec's VM and context
 * @vm_exec: a locked job
 * @fence: the fence
 * @private_usage: usage on the VM's resv and private objects
 * @extobj_usage: usage on external objects
 */
GPUVM_EXPORT void gpuvm_vm_exec_add_fence(struct gpuvm_vm_exec *vm_exec,
					  void *fence,
					  enum gpuvm_resv_usage private_usage,
					  enum gpuvm_resv_usage extobj_usage);

/**
 * gpuvm_sm_map_exec_lock() - lock exactly the objects a map plan touches
 * @vm: the VM (not changed)
 * @exec: the context
 * @num_fences: fence slots to reserve on the request's object
 * @req: the request
 *
 * Prepares the request's object (if any) with @num_fences, then locks the
 * object of every VA the plan would UNMAP or REMAP.  Call it for every op of
 * a job inside one locking loop before changing the tree.
 *
 * Returns: 0, -EINVAL for a zero or invalid range, or a locking error.
 *
 * On failure the tree is unchanged; the objects locked before the error
 * stay in @exec until gpuvm_exec_retry() or gpuvm_exec_fini().
 */
GPUVM_EXPORT int gpuvm_sm_map_exec_lock(struct gpuvm *vm, struct gpuvm_exec *exec,
					unsigned int num_fences,
					const struct gpuvm_map_req *req);

/**
 * gpuvm_sm_unmap_exec_lock() - same for an unmap plan
 * @vm: the VM (not changed)
 * @exec: the context
 * @addr: first address to unmap
 * @range: size of the range
 *
 * Locking: the caller serialises calls on @vm (its VM lock).
 *
 * Returns: 0, -EINVAL for a zero or invalid range (nothing locked), or a
 * locking error (-EDEADLK: retry the loop).
 *
 * On failure the tree is unchanged; the objects locked before the error
 * stay in @exec until gpuvm_exec_retry() or gpuvm_exec_fini().
 */
GPUVM_EXPORT int gpuvm_sm_unmap_exec_lock(struct gpuvm *vm,
					  struct gpuvm_exec *exec,
					  uint64_t addr, uint64_t range);

/**
 * gpuvm_op_list_exec_lock() - lock the objects of a plan already made
 * @exec: the context
 * @num_fences: fence slots to reserve on the object of each MAP op
 * @list: an op list from one of the *_ops_create() functions (not changed)
 *
 * Plan first, then lock: the same objects in the same order as
 * gpuvm_sm_map_exec_lock() or gpuvm_sm_unmap_exec_lock() would lock for the
 * request @list was planned from, without walking the tree a second time.
 * The object of every MAP op is prepared with @num_fences first; then, in
 * list order, the object of the VA each REMAP or UNMAP op removes and each
 * PREFETCH op names is locked.  Ops without object and driver ops lock
 * nothing.
 *
 * The plan describes the tree as it was when planned: the caller keeps the
 * tree unchanged (its VM lock held) from planning until the list has been
 * applied or cleared, including across gpuvm_exec_retry() rounds.
 *
 * Returns: 0, or a locking error (-EDEADLK: retry the loop; -EALREADY for
 * an object met twice without GPUVM_EXEC_IGNORE_DUPLICATES; -ENOMEM).
 *
 * On failure @list is unchanged; the objects locked before the error stay
 * in @exec until gpuvm_exec_retry() or gpuvm_exec_fini().
 */
GPUVM_EXPORT int gpuvm_op_list_exec_lock(struct gpuvm_exec *exec,
					 unsigned int num_fences,
					 const struct gpuvm_op_list *list);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_CORE_H */
