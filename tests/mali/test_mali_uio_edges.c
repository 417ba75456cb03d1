// SPDX-License-Identifier: MIT
/*
 * Corners of the UIO HAL's sys_root parsing and argument checks that the main
 * UIO test does not reach: upper-case hexadecimal, a "0x" without digits,
 * directory entries that only look like devices, a name attribute that
 * cannot be read, paths longer than PATH_MAX, page-table syncs far outside
 * the map, and handing the HAL something that is not a UIO HAL.  Each test
 * builds its own fake sys_root tree and device file under $TMPDIR.
 */
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

#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_uio.h>

#include "../support.h"
#include "uio_fixture.h"

static void writef(const char *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Create the file named by @fmt with contents @text. */
static void writef(const char *text, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	put_str(p, text);
}

/* maps/map@x of uio@n with the attribute texts given. */
static void map_files(int n, int x, const char *addr, const char *size,
		      const char *offset)
{
	xmkdir("%s/uio%d/maps", sys_root, n);
	xmkdir("%s/uio%d/maps/map%d", sys_root, n, x);
	writef(addr, "%s/uio%d/maps/map%d/addr", sys_root, n, x);
	writef(size, "%s/uio%d/maps/map%d/size", sys_root, n, x);
	writef(offset, "%s/uio%d/maps/map%d/offset", sys_root, n, x);
}

/* uio@n named @name with one register page (map 0) and one PT page (map 1). */
static void device(int n, const char *name, const char *reg_addr)
{
	char sz[32], pt[32], p[PATH_MAX];
	int fd;

	xmkdir("%s/uio%d", sys_root, n);
	writef(name, "%s/uio%d/name", sys_root, n);
	snprintf(sz, sizeof(sz), "0x%lx\n", ps);
	snprintf(pt, sizeof(pt), "0x%llx\n", PT_ADDR);
	map_files(n, 0, reg_addr, sz, "0x0\n");
	map_files(n, 1, pt, sz, "0x0\n");
	snprintf(p, sizeof(p), "%s/uio%d", dev_root, n);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 2 * ps), 0);
	close(fd);
}

static void cfg_name(struct gpuvm_mali_uio_config *cfg, const char *name)
{
	gpuvm_mali_uio_config_init(cfg, name);
	cfg->sysfs_root = sys_root;
	cfg->dev_root = dev_root;
}

static int open_err(const struct gpuvm_mali_uio_config *cfg)
{
	struct gpuvm_mali_uio *uio = NULL;
	int err = gpuvm_mali_uio_open(cfg, &uio);

	ck_assert_ptr_null(uio);
	ck_assert_int_lt(err, 0);
	ck_assert_str_ne(gpuvm_mali_uio_last_error(), "");
	return err;
}

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	char tmpl[sizeof(tmp)];

	snprintf(tmpl, sizeof(tmpl), "%s/gpuvm-uio-edges-XXXXXX",
		 t && strlen(t) < 128 ? t : "/tmp");
	fx_uio_setup(tmpl);
}

/* The kernel prints lower case; upper case and "0X" parse the same. */
START_TEST(test_upper_case_hex)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio_map m;
	struct gpuvm_mali_uio *uio = NULL;

	device(0, "mali-mmu\n", "0XFB00A000\n");
	cfg_name(&cfg, "mali-mmu");
	ck_assert_int_eq(gpuvm_mali_uio_open(&cfg, &uio), 0);
	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, GPUVM_MALI_UIO_REGS, &m), 0);
	ck_assert_uint_eq(m.sysfs_addr, 0xFB00A000ull);
	ck_assert_uint_eq(m.bus_addr, 0xFB00A000ull);
	ck_assert_int_eq(gpuvm_mali_uio_index(uio), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* "0x" alone, or a digit that is not hexadecimal, is not an address. */
START_TEST(test_hex_without_digits)
{
	struct gpuvm_mali_uio_config cfg;

	device(0, "mali-mmu\n", "0x\n");
	cfg_name(&cfg, "mali-mmu");
	ck_assert_int_eq(open_err(&cfg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(gpuvm_mali_uio_last_error(), "map0/addr"));
	device(0, "mali-mmu\n", "0xFG\n");
	ck_assert_int_eq(open_err(&cfg), -EINVAL);
}
END_TEST

/*
 * Entries that are not "uio<decimal that fits an int>" are skipped, even
 * when they are directories with a matching name file.
 */
START_TEST(test_not_device_entries)
{
	static const char *const fake[] = {
		"uio", "uio99999999999", "uio1x", "uio-1", "uio01", "uiox",
	};
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio = NULL;
	unsigned int i;

	for (i = 0; i < sizeof(fake) / sizeof(fake[0]); i++) {
		xmkdir("%s/%s", sys_root, fake[i]);
		writef("mali-mmu\n", "%s/%s/name", sys_root, fake[i]);
	}
	cfg_name(&cfg, "mali-mmu");
	ck_assert_int_eq(open_err(&cfg), -ENOENT);

	device(7, "mali-mmu\n", "0xfb000000\n");
	ck_assert_int_eq(gpuvm_mali_uio_open(&cfg, &uio), 0);
	ck_assert_int_eq(gpuvm_mali_uio_index(uio), 7);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/*
 * A name attribute that cannot be read (here a directory: read() fails
 * with EISDIR) does not hide a later match, and is the error reported
 * when nothing matches.
 */
START_TEST(test_unreadable_name)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio = NULL;

	xmkdir("%s/uio0", sys_root);
	xmkdir("%s/uio0/name", sys_root);
	cfg_name(&cfg, "mali-mmu");
	ck_assert_int_eq(open_err(&cfg), -EISDIR);
	ck_assert_ptr_nonnull(strstr(gpuvm_mali_uio_last_error(), "read"));

	device(3, "mali-mmu\n", "0xfb000000\n");
	ck_assert_int_eq(gpuvm_mali_uio_open(&cfg, &uio), 0);
	ck_assert_int_eq(gpuvm_mali_uio_index(uio), 3);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* A sys_root root so long that the derived paths do not fit PATH_MAX. */
START_TEST(test_path_too_long)
{
	struct gpuvm_mali_uio_config cfg;
	char *root = malloc(PATH_MAX);

	ck_assert_ptr_nonnull(root);
	memset(root, 'a', PATH_MAX - 4);
	root[0] = '/';
	root[PATH_MAX - 4] = '\0';
	gpuvm_mali_uio_config_init(&cfg, NULL);
	cfg.index = 0;
	cfg.sysfs_root = root;
	cfg.dev_root = dev_root;
	ck_assert_int_eq(open_err(&cfg), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(gpuvm_mali_uio_last_error(), "path longer"));

	/* by name: the directory itself cannot be opened */
	cfg_name(&cfg, "mali-mmu");
	cfg.sysfs_root = root;
	ck_assert_int_eq(open_err(&cfg), -ENAMETOOLONG);
	free(root);
}
END_TEST

START_TEST(test_sync_far_outside)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio = NULL;
	struct gpuvm_mali_hal *hal;

	device(0, "mali-mmu\n", "0xfb000000\n");
	cfg_name(&cfg, "mali-mmu");
	ck_assert_int_eq(gpuvm_mali_uio_open(&cfg, &uio), 0);
	hal = gpuvm_mali_uio_hal(uio);
	hal->ops->pt_sync(hal, PT_ADDR, 8);
	ck_assert_int_eq(ts_warn_count(), 0);
	hal->ops->pt_sync(hal, PT_ADDR + 16 * (uint64_t)ps, 8);
	ck_assert_int_eq(ts_warn_count(), 1);
	hal->ops->pt_sync(hal, PT_ADDR - 8, 8);
	ck_assert_int_eq(ts_warn_count(), 2);
	/* an empty sync is nothing, wherever it is */
	hal->ops->pt_sync(hal, 0, 0);
	ck_assert_int_eq(ts_warn_count(), 2);
	gpuvm_mali_uio_close(uio);
}
END_TEST

START_TEST(test_from_other_hal)
{
	struct gpuvm_mali_sim_config scfg;
	struct gpuvm_mali_sim *sim;

	gpuvm_mali_sim_config_init(&scfg, GPUVM_MALI_SIM_CSF);
	ck_assert_int_eq(gpuvm_mali_sim_create(&scfg, &sim), 0);
	ck_assert_ptr_null(gpuvm_mali_uio_from_hal(gpuvm_mali_sim_hal(sim)));
	ck_assert_ptr_null(gpuvm_mali_uio_from_hal(NULL));
	gpuvm_mali_sim_destroy(sim);
}
END_TEST

static Suite *uio_edges_suite(void)
{
	Suite *s = suite_create("mali_uio_edges");
	TCase *tc = tcase_create("uio");

	tcase_add_checked_fixture(tc, setup, fx_uio_teardown);
	tcase_add_test(tc, test_upper_case_hex);
	tcase_add_test(tc, test_hex_without_digits);
	tcase_add_test(tc, test_not_device_entries);
	tcase_add_test(tc, test_unreadable_name);
	tcase_add_test(tc, test_path_too_long);
	tcase_add_test(tc, test_sync_far_outside);
	tcase_add_test(tc, test_from_other_hal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(uio_edges_suite());
}
