/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm locks: the two lock classes GPUVM relies on, each behind an ops
 * table so a driver can plug in its own, with a default implementation
 * (atomics, and pthreads to sleep).
 *
 *  - struct gpuvm_lock: a plain mutex.  Each buffer object has one guarding
 *    its vm_bo list and its vm_bos' VA lists in immediate mode (the kernel's
 *    GEM gpuva.lock).
 *
 *  - struct gpuvm_resv: a reservation lock (the kernel's dma_resv): a mutex
 *    that can be taken for many objects at once by one execution context
 *    without deadlock, plus fence slots.  Objects that share a resv (the
 *    VM-private ones) are locked together.
 *
 *  - struct gpuvm_exec: an execution context locking a set of objects (the
 *    kernel's drm_exec).  Deadlock avoidance is wait-die: every context gets a
 *    unique stamp when it starts (a thread takes them 64 at a time, so
 *    stamps follow the order of starts within a thread and nearly across
 *    threads); a context that finds a lock held by an older one backs off
 *    (-EDEADLK), drops everything, waits for that lock and tries again with
 *    its old stamp, so it eventually becomes the oldest and wins.
 *    A context waiting on a younger holder just waits.  Waits therefore
 *    always go from older to younger and can never form a cycle.
 *
 * Typical use, the loop runs again after a back-off:
 *
 *	struct gpuvm_exec exec;
 *	int ret;
 *
 *	gpuvm_exec_init(&exec, GPUVM_EXEC_IGNORE_DUPLICATES);
 *	do {
 *		ret = gpuvm_exec_prepare_obj(&exec, a, 1);
 *		if (!ret)
 *			ret = gpuvm_exec_prepare_obj(&exec, b, 1);
 *	} while (gpuvm_exec_retry(&exec, &ret));
 *	if (!ret) {
 *		... everything is locked, one fence slot reserved on each ...
 *	}
 *	gpuvm_exec_fini(&exec);	// unlocks all
 */
#ifndef GPUVM_LOCK_H
#define GPUVM_LOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gpuvm_bo;
struct gpuvm_exec;

/* ------------------------------------------------------------------------ */
/* Plain lock                                                               */

struct gpuvm_lock;

/**
 * struct gpuvm_lock_ops - a pluggable mutex
 * @lock: acquire (blocking)
 * @unlock: release
 * @held: is it held by the calling thread?  Optional: without it the
 *	library's "lock not held" checks are skipped for this lock.
 */
struct gpuvm_lock_ops {
	void (*lock)(struct gpuvm_lock *l);
	void (*unlock)(struct gpuvm_lock *l);
	bool (*held)(const struct gpuvm_lock *l);
};

/**
 * struct gpuvm_lock - a mutex behind an ops table
 *
 * The default implementation uses @state and @owner; a custom one may use
 * @priv and ignore the rest.  The default owns no pthread object: @state is
 * one atomic word (0: free; otherwise held, with a bit saying whether a
 * thread may be waiting), taken with one compare-and-swap and released with
 * one exchange.  Waiting threads sleep in a process-wide table of condition
 * variables chosen by the lock's address.
 */
struct gpuvm_lock {
	const struct gpuvm_lock_ops *ops;	/**< implementation */
	void *priv;				/**< for custom implementations */
	uint64_t state;				/**< default: lock word (private) */
	const void *owner;			/**< default: holder's thread token, or NULL */
};

/**
 * gpuvm_lock_init() - initialise @l with @ops, or the default if
 * @l: the lock
 * @ops: the implementation, or NULL for the default
 * @ops is NULL
 */
GPUVM_EXPORT void gpuvm_lock_init(struct gpuvm_lock *l,
				  const struct gpuvm_lock_ops *ops);

/**
 * gpuvm_lock_fini() - release what gpuvm_lock_init() set up; @l unlocked
 * @l: an unlocked lock
 */
GPUVM_EXPORT void gpuvm_lock_fini(struct gpuvm_lock *l);

/**
 * gpuvm_lock_lock() - acquire @l
 * @l: the lock
 */
GPUVM_EXPORT void gpuvm_lock_lock(struct gpuvm_lock *l);

/**
 * gpuvm_lock_unlock() - release @l
 * @l: the lock, held by the caller
 */
GPUVM_EXPORT void gpuvm_lock_unlock(struct gpuvm_lock *l);

/**
 * gpuvm_lock_held() - true if the calling thread holds @l, or if the
 * implementation cannot tell (no held callback)
 * @l: the lock
 *
 * Returns: true if the calling thread holds @l (as far as the implementation
 * can tell).
 */
GPUVM_EXPORT bool gpuvm_lock_held(const struct gpuvm_lock *l);

/* ------------------------------------------------------------------------ */
/* Reservation lock                                                         */

/** enum gpuvm_resv_usage - how a fence uses the reserved objects */
enum gpuvm_resv_usage {
	GPUVM_RESV_USAGE_KERNEL,	/**< kernel-internal work (moves, clears) */
	GPUVM_RESV_USAGE_WRITE,		/**< implicit-sync writer */
	GPUVM_RESV_USAGE_READ,		/**< implicit-sync reader */
	GPUVM_RESV_USAGE_BOOKKEEP,	/**< not for implicit sync */
};

struct gpuvm_resv;

/**
 * struct gpuvm_resv_ops - a pluggable reservation lock
 * @lock: acquire for @exec (NULL: a plain blocking lock outside any
 *	context).  Returns 0; -EALREADY if @exec already holds it; -EDEADLK
 *	if @exec must back off (drop all its locks, then call @lock_slow);
 *	or another negative errno.
 * @lock_slow: acquire for @exec, which holds nothing, waiting as long as
 *	needed.  Returns 0 or a negative errno.
 * @unlock: release.
 * @held: held by the calling thread?  Optional (checks skipped without it).
 * @reserve_fences: make room for @n more fences (lock held).  0 or -ENOMEM.
 * @add_fence: add @fence with @usage into a reserved slot (lock held).
 */
struct gpuvm_resv_ops {
	int (*lock)(struct gpuvm_resv *r, struct gpuvm_exec *exec);
	int (*lock_slow)(struct gpuvm_resv *r, struct gpuvm_exec *exec);
	void (*unlock)(struct gpuvm_resv *r);
	bool (*held)(const struct gpuvm_resv *r);
	int (*reserve_fences)(struct gpuvm_resv *r, unsigned int n);
	void (*add_fence)(struct gpuvm_resv *r, void *fence,
			  enum gpuvm_resv_usage usage);
};

/** struct gpuvm_resv_fence - a fence stored by the default implementation */
struct gpuvm_resv_fence {
	void *fence;			/**< the driver's fence (not referenced) */
	enum gpuvm_resv_usage usage;	/**< how it was added */
};

/**
 * struct gpuvm_resv - a reservation lock behind an ops table
 *
 * The default implementation keeps fences as opaque pointers in a growing
 * array; it does not reference-count or signal them.  Its lock is one
 * atomic word, @state: 0 when free; otherwise a held bit, a bit saying
 * whether a thread may be waiting, and the holding context's stamp
 * (struct gpuvm_exec, 0 for gpuvm_resv_lock()) in the bits from bit 2 up.
 * The wait-die decisions read nothing else, and an uncontended lock or
 * unlock is one atomic instruction.  Waiting threads sleep in a
 * process-wide table of condition variables chosen by the lock's address;
 * the default resv owns no pthread object.
 */
struct gpuvm_resv {
	const struct gpuvm_resv_ops *ops;	/**< implementation */
	void *priv;				/**< for custom implementations */
	uint64_t state;				/**< default: lock word (private) */
	const void *owner;			/**< default: holder's thread token, or NULL */
	struct gpuvm_resv_fence *fences;	/**< default: fences added */
	unsigned int num_fences;		/**< default: used slots */
	unsigned int max_fences;		/**< default: reserved slots */
	unsigned int alloc_fences;		/**< default: slots allocated */
};

/**
 * gpuvm_resv_init() - initialise @r with @ops, or the default if NULL
 * @r: the reservation lock
 * @ops: the implementation, or NULL for the default
 */
GPUVM_EXPORT void gpuvm_resv_init(struct gpuvm_resv *r,
				  const struct gpuvm_resv_ops *ops);

/**
 * gpuvm_resv_fini() - release @r (unlocked); frees the default fence array
 * @r: an unlocked reservation lock
 */
GPUVM_EXPORT void gpuvm_resv_fini(struct gpuvm_resv *r);

/**
 * gpuvm_resv_lock() - plain blocking lock outside any context
 * @r: the reservation lock
 *
 * Returns: 0 or the implementation's error.
 *
 * On failure the lock is not held.
 */
GPUVM_EXPORT int gpuvm_resv_lock(struct gpuvm_resv *r);

/**
 * gpuvm_resv_unlock() - release a lock taken by gpuvm_resv_lock()
 * @r: the reservation lock, held by the caller
 */
GPUVM_EXPORT void gpuvm_resv_unlock(struct gpuvm_resv *r);

/**
 * gpuvm_resv_held() - true if the calling thread holds @r, or if the
 * implementation cannot tell
 * @r: the reservation lock
 *
 * Returns: true if the calling thread holds @r.
 */
GPUVM_EXPORT bool gpuvm_resv_held(const struct gpuvm_resv *r);

/**
 * gpuvm_resv_reserve_fences() - make room for @n more fences; lock held
 * (a lock check warns otherwise)
 * @r: a reservation lock the caller holds
 * @n: slots to reserve
 *
 * The slots last while the lock is held: the default implementation drops
 * the unused ones on unlock (keeping the memory), so a context reserves
 * again each time it locks, as with the kernel's dma_resv.
 *
 * Returns: 0 or -ENOMEM.
 *
 * On failure the reserved slots are as before.
 */
GPUVM_EXPORT int gpuvm_resv_reserve_fences(struct gpuvm_resv *r, unsigned int n);

/**
 * gpuvm_resv_add_fence() - add @fence with @usage; lock held (a lock check
 * warns otherwise) and a slot reserved since it was taken (a missing slot
 * is reported through the warning hook and the fence dropped)
 * @r: a reservation lock the caller holds
 * @fence: the fence
 * @usage: how the fence uses the object
 */
GPUVM_EXPORT void gpuvm_resv_add_fence(struct gpuvm_resv *r, void *fence,
				       enum gpuvm_resv_usage usage);

/* ------------------------------------------------------------------------ */
/* Execution context                                                        */

/** Locking an object twice (or two sharing a resv) is not an error. */
#define GPUVM_EXEC_IGNORE_DUPLICATES (1u << 0)

/** Objects a struct gpuvm_exec lists without allocating. */
#define GPUVM_EXEC_INLINE_OBJECTS 4

/**
 * struct gpuvm_exec - a set of objects locked together
 *
 * Every locked object is listed once (the first of objects sharing a resv)
 * and holds a reference while locked.  The first GPUVM_EXEC_INLINE_OBJECTS
 * are listed in the context itself (no allocation), so a context must not
 * be moved or copied while it holds objects.
 */
struct gpuvm_exec {
	uint32_t flags;			/**< GPUVM_EXEC_* */
	uint64_t stamp;			/**< wait-die age; smaller is older */
	struct gpuvm_bo **objects;	/**< locked objects, in locking order */
	unsigned int num_objects;	/**< entries in @objects */
	unsigned int max_objects;	/**< private: capacity of @objects */
	struct gpuvm_bo *contended;	/**< private: object we backed off for */
	struct gpuvm_bo *prelocked;	/**< private: locked by the slow path */
	/** private: @objects' storage until more are locked */
	struct gpuvm_bo *inline_objects[GPUVM_EXEC_INLINE_OBJECTS];
};

/**
 * gpuvm_exec_init() - start a context; it gets a new stamp
 * @exec: the context
 * @flags: GPUVM_EXEC_*
 *
 * Locking: none; the context belongs to the calling thread.
 */
GPUVM_EXPORT void gpuvm_exec_init(struct gpuvm_exec *exec, uint32_t flags);

/**
 * gpuvm_exec_fini() - unlock every object and release the context
 * @exec: the context
 */
GPUVM_EXPORT void gpuvm_exec_fini(struct gpuvm_exec *exec);

/**
 * gpuvm_exec_lock_obj() - lock @obj's resv in @exec
 * @exec: the context
 * @obj: the object to lock
 *
 * Returns: 0; -EALREADY if already locked here and
 * GPUVM_EXEC_IGNORE_DUPLICATES is not set; -EDEADLK if the context must back
 * off (let gpuvm_exec_retry() handle it); -ENOMEM; or the lock's error.
 *
 * On failure @obj is not locked by this call; what @exec held before stays
 * held (after -EDEADLK, gpuvm_exec_retry() drops it).
 */
GPUVM_EXPORT int gpuvm_exec_lock_obj(struct gpuvm_exec *exec,
				     struct gpuvm_bo *obj);

/**
 * gpuvm_exec_prepare_obj() - lock @obj and reserve @num_fences fence slots
 * (@num_fences may be 0: lock only)
 * @exec: the context
 * @obj: the object
 * @num_fences: fence slots to reserve (0: lock only)
 *
 * Returns: as gpuvm_exec_lock_obj(), or -ENOMEM from the reservation.
 *
 * On failure @obj is not added; what @exec held before stays held.
 */
GPUVM_EXPORT int gpuvm_exec_prepare_obj(struct gpuvm_exec *exec,
					struct gpuvm_bo *obj,
					unsigned int num_fences);

/**
 * gpuvm_exec_prepare_array() - gpuvm_exec_prepare_obj() on @n objects
 * @exec: the context
 * @objs: the objects
 * @n: how many
 * @num_fences: fence slots to reserve on each (0: lock only)
 *
 * Returns: 0 or the first error.
 *
 * On failure the objects before the failing one stay locked in @exec;
 * gpuvm_exec_retry() or gpuvm_exec_fini() releases them.
 */
GPUVM_EXPORT int gpuvm_exec_prepare_array(struct gpuvm_exec *exec,
					  struct gpuvm_bo **objs,
					  unsigned int n,
					  unsigned int num_fences);

/**
 * gpuvm_exec_retry() - end of one locking attempt
 * @exec: the context
 * @ret: the attempt's result; updated if backing off fails
 *
 * If *@ret is -EDEADLK, unlocks everything, waits for the contended object
 * (locking it first), and returns true: run the locking code again.
 * Otherwise returns false and leaves *@ret as it is.
 *
 * Returns: true if the attempt backed off and must run again, false when it
 * is over (*@ret holds its result).
 */
GPUVM_EXPORT bool gpuvm_exec_retry(struct gpuvm_exec *exec, int *ret);

/**
 * gpuvm_exec_unlock_all() - unlock every object, keeping the context
 * @exec: the context
 */
GPUVM_EXPORT void gpuvm_exec_unlock_all(struct gpuvm_exec *exec);

/**
 * gpuvm_exec_for_each_locked() - walk the locked objects (struct gpuvm_bo *)
 * @exec: the struct gpuvm_exec
 * @i: an unsigned int, the index
 * @obj: a struct gpuvm_bo pointer, the cursor
 */
#define gpuvm_exec_for_each_locked(exec, i, obj)                          \
	for ((i) = 0; (i) < (exec)->num_objects &&                         \
		      ((obj) = (exec)->objects[(i)], 1); (i)++)

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_LOCK_H */
