/* SPDX-License-Identifier: MIT */
/*
 * The fake UIO device the UIO HAL tests share: a temporary directory
 * holding a sysfs-like tree (<tmp>/class/uio) and a device directory
 * (<tmp>/dev), made afresh for each test by fx_uio_setup() and removed by
 * fx_uio_teardown(), with helpers to create its directories and files.
 *
 * Include it once per test program, after "../support.h"; everything is
 * static.
 */
#ifndef GPUVM_TESTS_MALI_UIO_FIXTURE_H
#define GPUVM_TESTS_MALI_UIO_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpuvm/mali_uio.h>

#include "../support.h"

/* Physical addresses the fake devices report for their maps. */
#define REG_ADDR	0xfb000000ull
#define PT_ADDR		0x80000000ull

/* Small root buffers keep every derived path well inside PATH_MAX. */
static char tmp[256];		/* this test's directory */
static char sys_root[320];	/* <tmp>/class/uio */
static char dev_root[320];	/* <tmp>/dev */
static long ps;			/* the system page size */

static void xmkdir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Make the directory named by @fmt (it may exist already). */
static void xmkdir(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST,
		      "mkdir %s: %s", path, strerror(errno));
}

/* Write @len bytes of @data to @path (created or truncated). */
static inline void put_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static inline void put_str(const char *path, const char *s)
{
	put_bytes(path, s, strlen(s));
}

/* nftw() callback: remove one entry of a tree, deepest first. */
static inline int rm_entry(const char *path, const struct stat *st, int flag,
			   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * Make a new directory from the template @tmpl (ending in XXXXXX) with an
 * empty class/uio and dev below it, and start counting allocations and
 * capturing warnings.
 */
static inline void fx_uio_setup(const char *tmpl)
{
	ps = sysconf(_SC_PAGESIZE);
	ck_assert_uint_lt(strlen(tmpl), sizeof(tmp));
	strcpy(tmp, tmpl);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(sys_root, sizeof(sys_root), "%s/class/uio", tmp);
	snprintf(dev_root, sizeof(dev_root), "%s/dev", tmp);
	xmkdir("%s/class", tmp);
	xmkdir("%s", sys_root);
	xmkdir("%s", dev_root);
	ts_alloc_install();
	ts_warn_capture();
}

/* Check that nothing leaked, stop counting, remove the directory. */
static inline void fx_uio_teardown(void)
{
	ck_assert_int_eq(ts_alloc_live(), 0);
	ts_alloc_uninstall();
	gpuvm_set_warn_handler(NULL, NULL);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* GPUVM_TESTS_MALI_UIO_FIXTURE_H */
