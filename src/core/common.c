/* SPDX-License-Identifier: MIT */
/*
 * Process-wide hooks shared by every layer: allocation, warnings, errno names,
 * the library's version.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/version.h>

#include "internal.h"

/*
 * Blocks up to this size are zeroed by hand: glibc's calloc() bypasses its
 * per-thread cache (malloc() and free() use it up to 1 KiB), which makes
 * every small calloc() and the free() of what it returned take the slow
 * path.  Larger blocks keep calloc(), which knows when fresh pages are
 * zero already.
 */
#define ZALLOC_BY_HAND_MAX 1024

static void *default_zalloc(size_t size, void *priv)
{
	void *p;

	(void)priv;
	if (size > ZALLOC_BY_HAND_MAX)
		return calloc(1, size);
	p = malloc(size);
	/* Keep the compiler from turning malloc() + memset() into calloc(). */
#if defined(__GNUC__) || defined(__clang__)
	__asm__("" : "+r"(p));
#endif
	return p ? memset(p, 0, size) : NULL;
}

static void *default_alloc(size_t size, void *priv)
{
	(void)priv;
	return malloc(size);
}

static void default_free(void *ptr, void *priv)
{
	(void)priv;
	free(ptr);
}

static struct gpuvm_allocator allocator = {
	.zalloc = default_zalloc,
	.free = default_free,
	.alloc = default_alloc,
};

GPUVM_EXPORT void gpuvm_set_allocator(const struct gpuvm_allocator *a)
{
	if (a && a->zalloc && a->free) {
		allocator = *a;
	} else {
		allocator.zalloc = default_zalloc;
		allocator.free = default_free;
		allocator.priv = NULL;
		allocator.alloc = default_alloc;
	}
}

GPUVM_EXPORT void *gpuvm_zalloc(size_t size)
{
	return allocator.zalloc(size, allocator.priv);
}

void *gpuvm_alloc_uninit(size_t size)
{
	if (allocator.alloc)
		return allocator.alloc(size, allocator.priv);
	return allocator.zalloc(size, allocator.priv);
}

GPUVM_EXPORT void gpuvm_free(void *ptr)
{
	if (ptr)
		allocator.free(ptr, allocator.priv);
}

#ifndef GPUVM_NO_LOCK_CHECKS
bool gpuvm_lock_checks = true;
#endif

GPUVM_EXPORT void gpuvm_set_lock_checks(bool enable)
{
#ifndef GPUVM_NO_LOCK_CHECKS
	gpuvm_lock_checks = enable;
#else
	(void)enable;
#endif
}

static gpuvm_warn_fn warn_fn;
static void *warn_priv;

GPUVM_EXPORT void gpuvm_set_warn_handler(gpuvm_warn_fn fn, void *priv)
{
	warn_fn = fn;
	warn_priv = priv;
}

void gpuvm_warn_func(const char *func, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (warn_fn)
		warn_fn(func, msg, warn_priv);
	else
		fprintf(stderr, "libgpuvm: warning: %s: %s\n", func, msg);
}

#define ERRNO_NAME(e) { e, #e }

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	ERRNO_NAME(EPERM),	ERRNO_NAME(ENOENT),	ERRNO_NAME(ESRCH),
	ERRNO_NAME(EINTR),	ERRNO_NAME(EIO),	ERRNO_NAME(ENXIO),
	ERRNO_NAME(E2BIG),	ERRNO_NAME(ENOEXEC),	ERRNO_NAME(EBADF),
	ERRNO_NAME(EAGAIN),	ERRNO_NAME(ENOMEM),	ERRNO_NAME(EACCES),
	ERRNO_NAME(EFAULT),	ERRNO_NAME(EBUSY),	ERRNO_NAME(EEXIST),
	ERRNO_NAME(ENODEV),	ERRNO_NAME(ENOTDIR),	ERRNO_NAME(EISDIR),
	ERRNO_NAME(EINVAL),	ERRNO_NAME(EMFILE),	ERRNO_NAME(ENOSPC),
	ERRNO_NAME(ESPIPE),	ERRNO_NAME(EROFS),	ERRNO_NAME(EPIPE),
	ERRNO_NAME(EDOM),	ERRNO_NAME(ERANGE),	ERRNO_NAME(EDEADLK),
	ERRNO_NAME(ENOSYS),	ERRNO_NAME(EOPNOTSUPP),	ERRNO_NAME(ETIMEDOUT),
	ERRNO_NAME(EALREADY),	ERRNO_NAME(EINPROGRESS),
	ERRNO_NAME(EOVERFLOW),	ERRNO_NAME(ECANCELED),
	ERRNO_NAME(EPROTO),	ERRNO_NAME(ENODATA),
#ifdef EUCLEAN
	ERRNO_NAME(EUCLEAN),
#endif
#ifdef ENOTRECOVERABLE
	ERRNO_NAME(ENOTRECOVERABLE),
#endif
};

GPUVM_EXPORT const char *gpuvm_version(void)
{
	return GPUVM_VERSION;
}

GPUVM_EXPORT const char *gpuvm_err_name(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "EUNKNOWN";
}
