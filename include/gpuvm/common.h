/* SPDX-License-Identifier: MIT */
/*
 * Things every libgpuvm layer shares: the export macro, the allocator hook
 * that makes out-of-memory testable, the warning hook that stands in for the
 * kernel's WARN(), and errno names.
 */
#ifndef GPUVM_COMMON_H
#define GPUVM_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GPUVM_BUILDING_LIBRARY) && defined(__GNUC__)
#define GPUVM_EXPORT __attribute__((visibility("default")))
#else
/** GPUVM_EXPORT - marks a symbol as part of the public ABI */
#define GPUVM_EXPORT
#endif

/**
 * struct gpuvm_allocator - memory allocator used by every libgpuvm layer
 * @zalloc: return @size bytes of zero-filled memory, or NULL
 * @free: release memory returned by @zalloc (never called with NULL)
 * @priv: passed back to the functions
 * @alloc: optional: return @size bytes whose contents do not matter, or
 *	NULL; if this member is NULL the library uses @zalloc instead (it asks
 *	for such memory only where it writes everything it reads, e.g. op
 *	blocks)
 *
 * The library allocates only through this hook (op lists, vm_bos, page-table
 * bookkeeping), so a test can make the Nth allocation fail and check that the
 * call returned -ENOMEM and changed nothing.  It sees only the library's
 * allocations: a driver that wants to prove a path allocates nothing (an
 * immediate-mode run step) routes its own through gpuvm_zalloc() too.
 */
struct gpuvm_allocator {
	void *(*zalloc)(size_t size, void *priv);
	void (*free)(void *ptr, void *priv);
	void *priv;
	void *(*alloc)(size_t size, void *priv);
};

/**
 * gpuvm_set_allocator() - replace the process-wide allocator
 * @a: the allocator, copied; NULL restores the default (calloc/free)
 *
 * Not thread-safe: call it while no other thread uses libgpuvm, and never
 * while memory allocated by the previous allocator is still live unless both
 * allocators can free each other's memory.
 */
GPUVM_EXPORT void gpuvm_set_allocator(const struct gpuvm_allocator *a);

/**
 * gpuvm_zalloc() - allocate zeroed memory through the current allocator
 * @size: bytes wanted
 *
 * Returns: the memory, or NULL on failure.  Drivers may use this for objects
 * the library frees (ops returned by an op_alloc hook, for instance).
 *
 * Locking: none; safe from any thread.
 */
GPUVM_EXPORT void *gpuvm_zalloc(size_t size);

/**
 * gpuvm_free() - release memory from the allocator; NULL is ignored
 * @ptr: memory from gpuvm_zalloc(), or NULL
 *
 * Locking: none; safe from any thread.
 */
GPUVM_EXPORT void gpuvm_free(void *ptr);

/**
 * typedef gpuvm_warn_fn - receives a misuse report
 * @func: the libgpuvm function that detected the problem
 * @msg: what is wrong, one line without a trailing newline
 * @priv: the pointer given to gpuvm_set_warn_handler()
 */
typedef void (*gpuvm_warn_fn)(const char *func, const char *msg, void *priv);

/**
 * gpuvm_set_warn_handler() - route misuse reports (the kernel's WARNs)
 * @fn: handler, or NULL for the default, which prints to stderr
 * @priv: passed to @fn
 *
 * A warning never changes what the call does: as in the kernel, the call
 * carries on.  Tests install a handler to assert that a warning happened.
 *
 * Locking: not thread-safe: install the handler before other threads use
 * libgpuvm.
 */
GPUVM_EXPORT void gpuvm_set_warn_handler(gpuvm_warn_fn fn, void *priv);

/**
 * gpuvm_set_lock_checks() - turn the "required lock not held" checks on or off
 * @enable: the new setting
 *
 * Functions that need a lock held by the caller (the object's BO list lock,
 * a reservation lock) check it through the lock's held() callback and report
 * a miss through the warning hook, naming the function -- the kernel's
 * lockdep assertions.  On by default; a build with -DGPUVM_NO_LOCK_CHECKS
 * compiles them out.  Single-threaded code that deliberately skips locking
 * (planner unit tests) may turn them off.  Not thread-safe.
 */
GPUVM_EXPORT void gpuvm_set_lock_checks(bool enable);

/**
 * gpuvm_version() - version of the libgpuvm library the program runs with
 *
 * It may differ from GPUVM_VERSION (gpuvm/version.h), the version of the
 * headers the program was compiled with, when the shared library was
 * upgraded since.
 *
 * Returns: the version as a static string, "MAJOR.MINOR.MICRO".
 */
GPUVM_EXPORT const char *gpuvm_version(void);

/**
 * gpuvm_err_name() - symbolic name of an errno value
 * @err: an errno value, positive or negative (-EINVAL and EINVAL both work)
 *
 * Returns: "EINVAL", "ENOMEM", ...; "EUNKNOWN" for a value it does not know.
 *
 * Locking: none; safe from any thread.
 */
GPUVM_EXPORT const char *gpuvm_err_name(int err);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_COMMON_H */
