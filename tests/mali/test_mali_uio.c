/* SPDX-License-Identifier: MIT */
/*
 * The UIO HAL on a fake device: a temporary directory holds a sysfs-like
 * tree (class/uio/uioN/{name,maps/mapX/{addr,size,offset}}) and a dev/
 * directory whose uioN is either
 *
 *  - a regular file laid out like the UIO mmap space: map X lives at file
 *    offset X * page size (T56), so the real mmap() code works on it and
 *    what the HAL stores can be read back with pread(); or
 *  - a FIFO, standing in for the interrupt side: writing 4 bytes into it is
 *    an "interrupt" with that event count, an empty FIFO times out, and what
 *    irq_rearm writes can be read back.  (A FIFO cannot be mmapped, so those
 *    devices are opened without maps, like a node that only carries an IRQ.)
 *
 * T55 is a kernel-side rule (uio_read() rejects any length but 4 with
 * -EINVAL).  A FIFO does not enforce it, so the tests check that the HAL
 * never asks for more: two counts written at once come back as two waits,
 * and a short (2-byte) read is reported as -EIO instead of being accepted.
 * The rearm write is checked to be one 4-byte value 1; "poll after event"
 * is the wait returning 1 at once when data is pending.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <gpuvm/mali_uio.h>

#include "../support.h"
#include "uio_fixture.h"

#define PT_PAGES 4

/* --- fake tree helpers ------------------------------------------------ */

/* Path of sysfs attribute @attr of map @x of uio@n (attr NULL: the dir). */
static const char *map_path(int n, int x, const char *attr)
{
	static char path[PATH_MAX];

	if (attr)
		snprintf(path, sizeof(path), "%s/uio%d/maps/map%d/%s", sys_root,
			 n, x, attr);
	else
		snprintf(path, sizeof(path), "%s/uio%d/maps/map%d", sys_root,
			 n, x);
	return path;
}

/* uio@n with name file contents @name (NULL: no name file). */
static void fake_uio(int n, const char *name)
{
	char path[PATH_MAX];

	xmkdir("%s/uio%d", sys_root, n);
	xmkdir("%s/uio%d/maps", sys_root, n);
	if (name) {
		snprintf(path, sizeof(path), "%s/uio%d/name", sys_root, n);
		put_str(path, name);
	}
}

/* maps/map@x of uio@n in the format the kernel prints ("0x%..\n"). */
static void fake_map(int n, int x, uint64_t addr, uint64_t size,
		     uint64_t offset)
{
	char buf[64];

	xmkdir("%s", map_path(n, x, NULL));
	snprintf(buf, sizeof(buf), "0x%016llx\n", (unsigned long long)addr);
	put_str(map_path(n, x, "addr"), buf);
	snprintf(buf, sizeof(buf), "0x%016llx\n", (unsigned long long)size);
	put_str(map_path(n, x, "size"), buf);
	snprintf(buf, sizeof(buf), "0x%llx\n", (unsigned long long)offset);
	put_str(map_path(n, x, "offset"), buf);
}

static const char *dev_path(int n)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/uio%d", dev_root, n);
	return path;
}

/* A regular file big enough for map 0 (page 0) and map 1 (pages 1..). */
static void fake_devfile(int n)
{
	int fd = open(dev_path(n), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, ps * (1 + PT_PAGES)), 0);
	close(fd);
}

/* The standard device: uio0 "mali-mmu", map0 = 1 page, map1 = 4 pages. */
static void fake_standard(void)
{
	fake_uio(0, "mali-mmu\n");
	fake_map(0, 0, REG_ADDR, (uint64_t)ps, 0);
	fake_map(0, 1, PT_ADDR, (uint64_t)ps * PT_PAGES, 0);
	fake_devfile(0);
}

static void cfg_init(struct gpuvm_mali_uio_config *cfg, const char *name)
{
	gpuvm_mali_uio_config_init(cfg, name);
	cfg->sysfs_root = sys_root;
	cfg->dev_root = dev_root;
}

static struct gpuvm_mali_uio *open_ok(const struct gpuvm_mali_uio_config *cfg)
{
	struct gpuvm_mali_uio *uio = NULL;
	int err = gpuvm_mali_uio_open(cfg, &uio);

	ck_assert_msg(err == 0, "open: %s (%s)", gpuvm_err_name(err),
		      gpuvm_mali_uio_last_error());
	ck_assert_ptr_nonnull(uio);
	ck_assert_str_eq(gpuvm_mali_uio_last_error(), "");
	return uio;
}

static struct gpuvm_mali_uio *open_standard(void)
{
	struct gpuvm_mali_uio_config cfg;

	cfg_init(&cfg, "mali-mmu");
	return open_ok(&cfg);
}

static uint32_t file_rd32(int n, off_t off)
{
	uint32_t v = 0;
	int fd = open(dev_path(n), O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &v, sizeof(v), off), sizeof(v));
	close(fd);
	return v;
}

static uint64_t file_rd64(int n, off_t off)
{
	uint64_t v = 0;
	int fd = open(dev_path(n), O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &v, sizeof(v), off), sizeof(v));
	close(fd);
	return v;
}

static void file_wr32(int n, off_t off, uint32_t v)
{
	int fd = open(dev_path(n), O_WRONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, &v, sizeof(v), off), sizeof(v));
	close(fd);
}

/* Is the whole fake device file of uio@n still zero? */
static bool file_all_zero(int n)
{
	size_t len = (size_t)ps * (1 + PT_PAGES);
	unsigned char *buf = malloc(len);
	bool zero = true;
	int fd = open(dev_path(n), O_RDONLY | O_CLOEXEC);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	for (size_t i = 0; i < len; i++)
		zero = zero && !buf[i];
	free(buf);
	return zero;
}

/* Open with @cfg and expect @want, with a non-empty error naming @needle. */
static void expect_open_err(const struct gpuvm_mali_uio_config *cfg, int want,
			    const char *needle)
{
	struct gpuvm_mali_uio *uio = NULL;
	int err = gpuvm_mali_uio_open(cfg, &uio);

	ck_assert_msg(err == want, "open gave %s, want %s (%s)",
		      gpuvm_err_name(err), gpuvm_err_name(want),
		      gpuvm_mali_uio_last_error());
	ck_assert_ptr_null(uio);
	ck_assert_str_ne(gpuvm_mali_uio_last_error(), "");
	if (needle)
		ck_assert_msg(strstr(gpuvm_mali_uio_last_error(), needle),
			      "error \"%s\" does not mention \"%s\"",
			      gpuvm_mali_uio_last_error(), needle);
}

/*
 * One base directory per test case, made and removed outside the forked
 * test processes so that a failing test (which never reaches its checked
 * teardown) leaves nothing behind; each test works in its own subdirectory.
 */
static char base[128];

static void base_setup(void)
{
	snprintf(base, sizeof(base), "%s/gpuvm-uio-XXXXXX",
		 getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 64 ?
		 getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
}

static void base_teardown(void)
{
	nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	char tmpl[sizeof(base) + 16];

	snprintf(tmpl, sizeof(tmpl), "%s/t-XXXXXX", base);
	fx_uio_setup(tmpl);
}

/* --- discovery -------------------------------------------------------- */

START_TEST(test_open_by_name)
{
	struct gpuvm_mali_uio_map m;
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;

	fake_standard();
	uio = open_standard();
	ck_assert_int_eq(gpuvm_mali_uio_index(uio), 0);
	ck_assert_int_ge(gpuvm_mali_uio_fd(uio), 0);
	hal = gpuvm_mali_uio_hal(uio);
	ck_assert_ptr_nonnull(hal);
	ck_assert_ptr_eq(gpuvm_mali_uio_from_hal(hal), uio);
	ck_assert_ptr_null(hal->ops->pt_page_freed);

	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, GPUVM_MALI_UIO_REGS, &m), 0);
	ck_assert_int_eq(m.index, 0);
	ck_assert_uint_eq(m.sysfs_addr, REG_ADDR);
	ck_assert_uint_eq(m.bus_addr, REG_ADDR);
	ck_assert_uint_eq(m.len, (uint64_t)ps);
	ck_assert_ptr_nonnull((void *)m.cpu);

	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, GPUVM_MALI_UIO_PT, &m), 0);
	ck_assert_int_eq(m.index, 1);
	ck_assert_uint_eq(m.bus_addr, PT_ADDR);
	ck_assert_uint_eq(m.sysfs_size, (uint64_t)ps * PT_PAGES);
	ck_assert_uint_eq(m.sysfs_offset, 0);
	ck_assert_uint_eq(m.len, (uint64_t)ps * PT_PAGES);
	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, (enum gpuvm_mali_uio_region)7,
						&m), -EINVAL);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_mali_uio_close(uio);
	gpuvm_mali_uio_close(NULL);
}
END_TEST

START_TEST(test_open_by_index)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio;

	fake_standard();
	cfg_init(&cfg, NULL);
	cfg.index = 0;
	uio = open_ok(&cfg);
	ck_assert_int_eq(gpuvm_mali_uio_index(uio), 0);
	gpuvm_mali_uio_close(uio);

	cfg.index = 3;
	expect_open_err(&cfg, -ENOENT, "uio3");
}
END_TEST

START_TEST(test_open_wrong_name)
{
	struct gpuvm_mali_uio_config cfg;

	fake_standard();
	cfg_init(&cfg, "mali-gpu");
	expect_open_err(&cfg, -ENOENT, "mali-gpu");
	/* A prefix of the real name is not the name. */
	cfg_init(&cfg, "mali");
	expect_open_err(&cfg, -ENOENT, NULL);

	/* A missing sysfs root means no UIO devices at all. */
	cfg_init(&cfg, "mali-mmu");
	cfg.sysfs_root = tmp;		/* has class/ and dev/ only */
	expect_open_err(&cfg, -ENOENT, NULL);
	strcat(sys_root, "/nonexistent");
	cfg.sysfs_root = sys_root;
	expect_open_err(&cfg, -ENOENT, NULL);

	/* The defaults point at the real system; no such device there. */
	gpuvm_mali_uio_config_init(&cfg, "gpuvm-test-no-such-uio-device");
	ck_assert_str_eq(cfg.sysfs_root, "/sys/class/uio");
	ck_assert_str_eq(cfg.dev_root, "/dev");
	ck_assert_int_eq(cfg.reg_map, 0);
	ck_assert_int_eq(cfg.pt_map, 1);
	ck_assert_int_eq(cfg.index, -1);
	expect_open_err(&cfg, -ENOENT, NULL);
}
END_TEST

START_TEST(test_open_lowest_match)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio;
	char path[PATH_MAX];

	/* Non-matching and oddly named entries are skipped. */
	fake_uio(0, "other\n");
	fake_uio(10, "mali-mmu\n");
	fake_map(10, 0, REG_ADDR, (uint64_t)ps, 0);
	fake_devfile(10);
	fake_uio(2, "mali-mmu");	/* no trailing newline is fine too */
	fake_map(2, 0, REG_ADDR, (uint64_t)ps, 0);
	fake_devfile(2);
	xmkdir("%s/uio01", sys_root);
	xmkdir("%s/uiox", sys_root);
	xmkdir("%s/other", sys_root);

	/* uio7 is a symlink, as /sys/class/uio entries are. */
	xmkdir("%s/devices", tmp);
	xmkdir("%s/devices/uio7", tmp);
	xmkdir("%s/devices/uio7/maps", tmp);
	snprintf(path, sizeof(path), "%s/devices/uio7/name", tmp);
	put_str(path, "mali-irq\n");
	snprintf(path, sizeof(path), "%s/uio7", sys_root);
	ck_assert_int_eq(symlink("../../devices/uio7", path), 0);
	fake_devfile(7);

	cfg_init(&cfg, "mali-mmu");
	cfg.pt_map = GPUVM_MALI_UIO_NO_MAP;
	uio = open_ok(&cfg);
	ck_assert_int_eq(gpuvm_mali_uio_index(uio), 2);
	gpuvm_mali_uio_close(uio);

	cfg_init(&cfg, "mali-irq");
	cfg.reg_map = GPUVM_MALI_UIO_NO_MAP;
	cfg.pt_map = GPUVM_MALI_UIO_NO_MAP;
	uio = open_ok(&cfg);
	ck_assert_int_eq(gpuvm_mali_uio_index(uio), 7);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* --- malformed sysfs and bad configurations --------------------------- */

enum defect {
	D_ADDR_NOT_HEX,
	D_ADDR_EMPTY,
	D_ADDR_TRAILING,
	D_ADDR_TWO_NEWLINES,
	D_ADDR_NUL,
	D_ADDR_TOO_LONG,
	D_ADDR_UNALIGNED,
	D_ADDR_MISSING,
	D_SIZE_ZERO,
	D_SIZE_NOT_PAGES,
	D_SIZE_MISSING,
	D_SIZE_OVERFLOW,
	D_OFFSET_GARBAGE,
	D_OFFSET_PAGE,
	D_OFFSET_MISSING,
	D_MAP1_MISSING,
	D_NAME_GARBAGE,
	D_NAME_MISSING,
	D_NAME_EMPTY,
	D_NAME_HUGE,
	D_COUNT
};

static const struct {
	const char *what;
	const char *needle;	/* the error message must mention it */
} defects[D_COUNT] = {
	[D_ADDR_NOT_HEX] = { "addr 0xfz", "map1/addr" },
	[D_ADDR_EMPTY] = { "addr empty", "map1/addr" },
	[D_ADDR_TRAILING] = { "addr with trailing garbage", "map1/addr" },
	[D_ADDR_TWO_NEWLINES] = { "addr with two newlines", "map1/addr" },
	[D_ADDR_NUL] = { "addr with a NUL", "map1/addr" },
	[D_ADDR_TOO_LONG] = { "addr with 17 digits", "map1/addr" },
	[D_ADDR_UNALIGNED] = { "addr not page-aligned", "map0/addr" },
	[D_ADDR_MISSING] = { "addr missing", "map1/addr" },
	[D_SIZE_ZERO] = { "size 0", "map1/size" },
	[D_SIZE_NOT_PAGES] = { "size not a page multiple", "map0/size" },
	[D_SIZE_MISSING] = { "size missing", "map1/size" },
	[D_SIZE_OVERFLOW] = { "addr + size overflows", "map1/size" },
	[D_OFFSET_GARBAGE] = { "offset garbage", "map1/offset" },
	[D_OFFSET_PAGE] = { "offset >= page size", "map1/offset" },
	[D_OFFSET_MISSING] = { "offset missing", "map0/offset" },
	[D_MAP1_MISSING] = { "map1 directory missing", "map1" },
	[D_NAME_GARBAGE] = { "name with a second line", "uio0/name" },
	[D_NAME_MISSING] = { "name missing", "uio0/name" },
	[D_NAME_EMPTY] = { "name empty", "uio0/name" },
	[D_NAME_HUGE] = { "name longer than a sysfs line", "uio0/name" },
};

START_TEST(test_malformed_sysfs)
{
	struct gpuvm_mali_uio_config cfg;
	char path[PATH_MAX], big[600];

	fake_standard();
	snprintf(path, sizeof(path), "%s/uio0/name", sys_root);
	switch (_i) {
	case D_ADDR_NOT_HEX:
		put_str(map_path(0, 1, "addr"), "0xfz\n");
		break;
	case D_ADDR_EMPTY:
		put_str(map_path(0, 1, "addr"), "\n");
		break;
	case D_ADDR_TRAILING:
		put_str(map_path(0, 1, "addr"), "0x80000000 junk\n");
		break;
	case D_ADDR_TWO_NEWLINES:
		put_str(map_path(0, 1, "addr"), "0x80000000\n\n");
		break;
	case D_ADDR_NUL:
		put_bytes(map_path(0, 1, "addr"), "0x8\0000000000\n",
			  sizeof("0x8\0000000000\n") - 1);
		break;
	case D_ADDR_TOO_LONG:
		put_str(map_path(0, 1, "addr"), "0x10000000000000000\n");
		break;
	case D_ADDR_UNALIGNED:
		snprintf(big, sizeof(big), "0x%llx\n",
			 (unsigned long long)REG_ADDR + 0x10);
		put_str(map_path(0, 0, "addr"), big);
		break;
	case D_ADDR_MISSING:
		unlink(map_path(0, 1, "addr"));
		break;
	case D_SIZE_ZERO:
		put_str(map_path(0, 1, "size"), "0x0\n");
		break;
	case D_SIZE_NOT_PAGES:
		snprintf(big, sizeof(big), "0x%lx\n", ps + ps / 2);
		put_str(map_path(0, 0, "size"), big);
		break;
	case D_SIZE_MISSING:
		unlink(map_path(0, 1, "size"));
		break;
	case D_SIZE_OVERFLOW:
		snprintf(big, sizeof(big), "0x%llx\n",
			 (unsigned long long)(UINT64_MAX & ~(uint64_t)(ps - 1)));
		put_str(map_path(0, 1, "size"), big);
		break;
	case D_OFFSET_GARBAGE:
		put_str(map_path(0, 1, "offset"), "garbage\n");
		break;
	case D_OFFSET_PAGE:
		snprintf(big, sizeof(big), "0x%lx\n", ps);
		put_str(map_path(0, 1, "offset"), big);
		break;
	case D_OFFSET_MISSING:
		unlink(map_path(0, 0, "offset"));
		break;
	case D_MAP1_MISSING:
		unlink(map_path(0, 1, "addr"));
		unlink(map_path(0, 1, "size"));
		unlink(map_path(0, 1, "offset"));
		rmdir(map_path(0, 1, NULL));
		break;
	case D_NAME_GARBAGE:
		put_str(path, "mali-mmu\ngarbage\n");
		break;
	case D_NAME_MISSING:
		unlink(path);
		break;
	case D_NAME_EMPTY:
		put_str(path, "\n");
		break;
	case D_NAME_HUGE:
		memset(big, 'm', sizeof(big));
		put_bytes(path, big, sizeof(big));
		break;
	}
	cfg_init(&cfg, "mali-mmu");
	ck_assert_msg(defects[_i].what, "case %d has no description", (int)_i);
	expect_open_err(&cfg, -EINVAL, defects[_i].needle);
}
END_TEST

START_TEST(test_malformed_other_device)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio;

	/* A broken name elsewhere does not hide a device that matches. */
	fake_standard();
	fake_uio(1, "broken\nname\n");
	uio = open_standard();
	gpuvm_mali_uio_close(uio);

	/* It only matters when nothing matched. */
	cfg_init(&cfg, "absent");
	expect_open_err(&cfg, -EINVAL, "uio1/name");

	/* By index, map directories are still checked. */
	cfg_init(&cfg, NULL);
	cfg.index = 1;
	expect_open_err(&cfg, -EINVAL, "map0");
}
END_TEST

START_TEST(test_bad_config)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio = NULL;

	fake_standard();
	cfg_init(&cfg, NULL);
	expect_open_err(&cfg, -EINVAL, NULL);		/* no name, no index */
	cfg_init(&cfg, "");
	expect_open_err(&cfg, -EINVAL, NULL);
	cfg_init(&cfg, "mali-mmu");
	cfg.pt_map = 0;
	expect_open_err(&cfg, -EINVAL, "map 0");	/* same map twice */
	cfg_init(&cfg, "mali-mmu");
	cfg.pt_map = GPUVM_MALI_UIO_MAX_MAPS;
	expect_open_err(&cfg, -EINVAL, NULL);
	cfg_init(&cfg, "mali-mmu");
	cfg.reg_map = -2;
	expect_open_err(&cfg, -EINVAL, NULL);
	ck_assert_int_eq(gpuvm_mali_uio_open(NULL, &uio), -EINVAL);
	ck_assert_int_eq(gpuvm_mali_uio_open(&cfg, NULL), -EINVAL);
	ck_assert_ptr_null(uio);
}
END_TEST

START_TEST(test_device_file_errors)
{
	struct gpuvm_mali_uio_config cfg;

	fake_standard();
	cfg_init(&cfg, "mali-mmu");

	/* /dev/uio0 missing. */
	unlink(dev_path(0));
	expect_open_err(&cfg, -ENOENT, "dev/uio0");

	/* open() errors come back as they are. */
	xmkdir("%s", dev_path(0));
	expect_open_err(&cfg, -EISDIR, "dev/uio0");
	rmdir(dev_path(0));

	/* mmap() errors too: a FIFO cannot be mapped. */
	ck_assert_int_eq(mkfifo(dev_path(0), 0600), 0);
	expect_open_err(&cfg, -ENODEV, "mmap");
	unlink(dev_path(0));

	/* Map 1 too large for the address space: map 0 is undone. */
	fake_devfile(0);
	fake_map(0, 1, PT_ADDR, 0x7fffffff0000ull, 0);
	{
		struct gpuvm_mali_uio *uio = NULL;
		int err = gpuvm_mali_uio_open(&cfg, &uio);

		/* ENOMEM natively, EINVAL under valgrind */
		ck_assert_msg(err == -ENOMEM || err == -EINVAL, "got %s",
			      gpuvm_err_name(err));
		ck_assert_ptr_null(uio);
		ck_assert_ptr_nonnull(strstr(gpuvm_mali_uio_last_error(),
					     "map 1"));
	}
	ck_assert_int_eq(ts_alloc_live(), 0);
}
END_TEST

START_TEST(test_alloc_failure)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio *uio = NULL;

	fake_standard();
	cfg_init(&cfg, "mali-mmu");
	ts_alloc_fail_at(1, 0);
	ck_assert_int_eq(gpuvm_mali_uio_open(&cfg, &uio), -ENOMEM);
	ck_assert_ptr_null(uio);
	ck_assert_uint_eq(ts_alloc_failures(), 1);
	ck_assert_int_eq(ts_alloc_live(), 0);
	uio = open_ok(&cfg);
	ck_assert_int_eq(ts_alloc_live(), 1);
	gpuvm_mali_uio_close(uio);
	ck_assert_int_eq(ts_alloc_live(), 0);
}
END_TEST

/* --- register window -------------------------------------------------- */

START_TEST(test_registers)
{
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;

	fake_standard();
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);

	gpuvm_mali_wr32(hal, 0x10, 0xdeadbeef);
	ck_assert_uint_eq(file_rd32(0, 0x10), 0xdeadbeef);
	gpuvm_mali_wr32(hal, (uint32_t)ps - 4, 0x12345678);
	ck_assert_uint_eq(file_rd32(0, ps - 4), 0x12345678);
	/* Nothing spilled into map 1's page. */
	ck_assert_uint_eq(file_rd32(0, ps), 0);

	file_wr32(0, 0x24, 0xcafef00d);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, 0x24), 0xcafef00d);

	/* 64-bit pairs: LO at the offset, HI 4 bytes up. */
	gpuvm_mali_wr64(hal, 0x400, 0x0123456789abcdefull);
	ck_assert_uint_eq(file_rd32(0, 0x400), 0x89abcdef);
	ck_assert_uint_eq(file_rd32(0, 0x404), 0x01234567);
	ck_assert_uint_eq(gpuvm_mali_rd64(hal, 0x400), 0x0123456789abcdefull);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

START_TEST(test_register_bounds)
{
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;

	fake_standard();
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);

	ck_assert_uint_eq(gpuvm_mali_rd32(hal, (uint32_t)ps), 0xFFFFFFFFu);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "uio_read32");
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, (uint32_t)ps - 2), 0xFFFFFFFFu);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, 0xFFFFFFFFu), 0xFFFFFFFFu);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, 2), 0xFFFFFFFFu);	/* unaligned */
	ck_assert_int_eq(ts_warn_count(), 4);

	gpuvm_mali_wr32(hal, (uint32_t)ps, 1);
	gpuvm_mali_wr32(hal, 6, 0xffffffff);
	ck_assert_int_eq(ts_warn_count(), 6);
	ck_assert_str_eq(ts_warn_last_func(), "uio_write32");
	ck_assert_uint_eq(file_rd32(0, ps), 0);
	ck_assert_uint_eq(file_rd32(0, 4), 0);
	ck_assert_uint_eq(file_rd32(0, 8), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

START_TEST(test_irq_only_node)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio_map m;
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;

	/* No maps at all: register and page-table accesses warn. */
	fake_uio(0, "mali-gpu-irq\n");
	fake_devfile(0);
	cfg_init(&cfg, "mali-gpu-irq");
	cfg.reg_map = GPUVM_MALI_UIO_NO_MAP;
	cfg.pt_map = GPUVM_MALI_UIO_NO_MAP;
	uio = open_ok(&cfg);
	hal = gpuvm_mali_uio_hal(uio);
	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, GPUVM_MALI_UIO_REGS, &m),
			 -ENOENT);
	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, GPUVM_MALI_UIO_PT, &m),
			 -ENOENT);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, 0), 0xFFFFFFFFu);
	gpuvm_mali_wr32(hal, 0, 5);
	hal->ops->pt_write64(hal, PT_ADDR, 5);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_ADDR), 0);
	hal->ops->pt_sync(hal, PT_ADDR, 8);
	ck_assert_int_eq(ts_warn_count(), 5);
	ck_assert_uint_eq(file_rd64(0, 0), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* --- page-table memory ------------------------------------------------ */

START_TEST(test_pt_map_offset)
{
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;
	uint64_t last = PT_ADDR + (uint64_t)ps * PT_PAGES - 8;

	/* T56: map 1 is mmapped at file offset 1 * page size. */
	fake_standard();
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);

	hal->ops->pt_write64(hal, PT_ADDR, 0x1122334455667788ull);
	ck_assert_uint_eq(file_rd64(0, ps), 0x1122334455667788ull);
	ck_assert_uint_eq(file_rd64(0, 0), 0);		/* not in map 0 */
	hal->ops->pt_write64(hal, PT_ADDR + 0x18, 0x3ull);
	ck_assert_uint_eq(file_rd64(0, ps + 0x18), 0x3ull);
	hal->ops->pt_write64(hal, last, 0xfeedfacecafebeefull);
	ck_assert_uint_eq(file_rd64(0, ps * (1 + PT_PAGES) - 8),
			  0xfeedfacecafebeefull);

	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_ADDR),
			  0x1122334455667788ull);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, last), 0xfeedfacecafebeefull);
	hal->ops->pt_sync(hal, PT_ADDR, 8);
	hal->ops->pt_sync(hal, PT_ADDR, (size_t)ps * PT_PAGES);
	hal->ops->pt_sync(hal, last, 8);
	hal->ops->pt_sync(hal, last + 8, 0);
	hal->ops->barrier(hal);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

START_TEST(test_pt_bounds)
{
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;
	uint64_t end = PT_ADDR + (uint64_t)ps * PT_PAGES;

	fake_standard();
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);

	hal->ops->pt_write64(hal, PT_ADDR + 4, ~0ull);		/* unaligned */
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_str_eq(ts_warn_last_func(), "uio_pt_write64");
	hal->ops->pt_write64(hal, PT_ADDR - 8, ~0ull);		/* below */
	hal->ops->pt_write64(hal, end, ~0ull);			/* above */
	hal->ops->pt_write64(hal, REG_ADDR, ~0ull);		/* other map */
	hal->ops->pt_write64(hal, UINT64_MAX - 7, ~0ull);
	ck_assert_int_eq(ts_warn_count(), 5);
	ck_assert(file_all_zero(0));

	ck_assert_uint_eq(hal->ops->pt_read64(hal, end), 0);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_ADDR + 1), 0);
	ck_assert_int_eq(ts_warn_count(), 7);
	ck_assert_str_eq(ts_warn_last_func(), "uio_pt_read64");

	hal->ops->pt_sync(hal, end - 8, 16);
	hal->ops->pt_sync(hal, PT_ADDR - 8, 8);
	hal->ops->pt_sync(hal, PT_ADDR, SIZE_MAX);
	ck_assert_int_eq(ts_warn_count(), 10);
	ck_assert_str_eq(ts_warn_last_func(), "uio_pt_sync");
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* pt_write_range: the stores and warnings of as many pt_write64 calls. */
START_TEST(test_pt_range)
{
	static const uint64_t v[3] = {
		0x1111111111111111ull, 0x2222222222222222ull,
		0x3333333333333333ull,
	};
	static const uint64_t zero[3];
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;
	uint64_t end = PT_ADDR + (uint64_t)ps * PT_PAGES;
	size_t fend = (size_t)ps * (1 + PT_PAGES);

	fake_standard();
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);
	ck_assert_ptr_nonnull(hal->ops->pt_write_range);

	/* Inside the map, up to its last entry: plain stores, no warning. */
	hal->ops->pt_write_range(hal, PT_ADDR + 8, v, 3);
	ck_assert_uint_eq(file_rd64(0, ps + 8), v[0]);
	ck_assert_uint_eq(file_rd64(0, ps + 24), v[2]);
	ck_assert_uint_eq(file_rd64(0, ps + 32), 0);
	hal->ops->pt_write_range(hal, end - 16, v, 2);
	ck_assert_uint_eq(file_rd64(0, fend - 16), v[0]);
	ck_assert_uint_eq(file_rd64(0, fend - 8), v[1]);
	hal->ops->pt_write_range(hal, end, v, 0);	/* nothing to store */
	ck_assert_int_eq(ts_warn_count(), 0);
	hal->ops->pt_write_range(hal, PT_ADDR + 8, zero, 3);
	hal->ops->pt_write_range(hal, end - 16, zero, 2);
	ck_assert(file_all_zero(0));

	/* Off the end: the entry inside lands, each one outside warns. */
	hal->ops->pt_write_range(hal, end - 8, v, 3);
	ck_assert_uint_eq(file_rd64(0, fend - 8), v[0]);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_str_eq(ts_warn_last_func(), "uio_pt_write_range");
	/* Below the start: the first entry warns, the second lands. */
	hal->ops->pt_write_range(hal, PT_ADDR - 8, v, 2);
	ck_assert_uint_eq(file_rd64(0, ps), v[1]);
	ck_assert_int_eq(ts_warn_count(), 3);
	/* Unaligned, another map, the top of the address space: all warn. */
	hal->ops->pt_write_range(hal, PT_ADDR + 4, v, 2);
	hal->ops->pt_write_range(hal, REG_ADDR, v, 3);
	hal->ops->pt_write_range(hal, UINT64_MAX - 7, v, 1);
	ck_assert_int_eq(ts_warn_count(), 9);
	ck_assert_uint_eq(file_rd64(0, 0), 0);
	ck_assert_uint_eq(file_rd64(0, ps + 8), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

START_TEST(test_sub_page_offset)
{
	struct gpuvm_mali_uio_config cfg;
	struct gpuvm_mali_uio_map m;
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;

	/* Regions that start inside their first page (maps/mapX/offset). */
	fake_standard();
	fake_map(0, 0, REG_ADDR, (uint64_t)ps, 0x40);
	fake_map(0, 1, PT_ADDR, (uint64_t)ps * PT_PAGES, 0x100);
	cfg_init(&cfg, "mali-mmu");
	cfg.pt_cached = true;
	uio = open_ok(&cfg);
	hal = gpuvm_mali_uio_hal(uio);

	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, GPUVM_MALI_UIO_REGS, &m), 0);
	ck_assert_uint_eq(m.bus_addr, REG_ADDR + 0x40);
	ck_assert_uint_eq(m.len, (uint64_t)ps - 0x40);
	gpuvm_mali_wr32(hal, 0, 0xa5a5a5a5);
	ck_assert_uint_eq(file_rd32(0, 0x40), 0xa5a5a5a5);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, (uint32_t)ps - 0x40), 0xFFFFFFFFu);
	ck_assert_int_eq(ts_warn_count(), 1);

	ck_assert_int_eq(gpuvm_mali_uio_get_map(uio, GPUVM_MALI_UIO_PT, &m), 0);
	ck_assert_uint_eq(m.sysfs_addr, PT_ADDR);
	ck_assert_uint_eq(m.sysfs_offset, 0x100);
	ck_assert_uint_eq(m.bus_addr, PT_ADDR + 0x100);
	ck_assert_uint_eq(m.len, (uint64_t)ps * PT_PAGES - 0x100);
	hal->ops->pt_write64(hal, PT_ADDR + 0x100, 0x77);
	ck_assert_uint_eq(file_rd64(0, ps + 0x100), 0x77);
	hal->ops->pt_write64(hal, PT_ADDR, 0x77);		/* before the region */
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert_uint_eq(file_rd64(0, ps), 0);
	/* Cached page tables: pt_sync does cache maintenance (or a fence). */
	hal->ops->pt_sync(hal, PT_ADDR + 0x100, 64);
	ck_assert_int_eq(ts_warn_count(), 2);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/*
 * A region whose sub-page offset is not a multiple of the access size:
 * alignment is that of the bus (and CPU) address, not of the offset into
 * the region, so no access is ever made through a misaligned pointer.
 */
START_TEST(test_sub_page_offset_unaligned)
{
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;

	fake_standard();
	fake_map(0, 0, REG_ADDR, (uint64_t)ps, 0x2);
	fake_map(0, 1, PT_ADDR, (uint64_t)ps * PT_PAGES, 0x4);
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);

	/* register 0 sits at bus REG_ADDR + 2: refused */
	gpuvm_mali_wr32(hal, 0, 0xa5a5a5a5);
	ck_assert_int_eq(ts_warn_count(), 1);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, 0), 0xFFFFFFFFu);
	ck_assert_int_eq(ts_warn_count(), 2);
	ck_assert(file_all_zero(0));
	/* register 2 sits at bus REG_ADDR + 4: fine */
	gpuvm_mali_wr32(hal, 2, 0x5a5a5a5a);
	ck_assert_uint_eq(file_rd32(0, 4), 0x5a5a5a5a);
	ck_assert_uint_eq(gpuvm_mali_rd32(hal, 2), 0x5a5a5a5a);

	/* PT_ADDR + 0xC is 8 bytes into the region but not 8-byte aligned */
	hal->ops->pt_write64(hal, PT_ADDR + 0xC, ~0ull);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_ADDR + 0xC), 0);
	ck_assert_int_eq(ts_warn_count(), 4);
	/* PT_ADDR + 8 is aligned, 4 bytes into the region */
	hal->ops->pt_write64(hal, PT_ADDR + 8, 0x1122334455667788ull);
	ck_assert_uint_eq(file_rd64(0, ps + 8), 0x1122334455667788ull);
	ck_assert_uint_eq(hal->ops->pt_read64(hal, PT_ADDR + 8),
			  0x1122334455667788ull);
	ck_assert_int_eq(ts_warn_count(), 4);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* --- interrupt -------------------------------------------------------- */

START_TEST(test_irq_regular_file)
{
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;
	uint32_t events = 0;

	/*
	 * A regular file is always readable: the wait returns at once with
	 * the 4 bytes at the file position (here register 0), and the rearm
	 * writes its 4-byte 1 at the next position.
	 */
	fake_standard();
	file_wr32(0, 0, 7);
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000000, &events), 1);
	ck_assert_uint_eq(events, 7);
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);
	ck_assert_uint_eq(file_rd32(0, 4), 1);
	ck_assert_uint_eq(file_rd32(0, 8), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* An interrupt-only device whose /dev/uio0 is a FIFO. */
static struct gpuvm_mali_uio *open_fifo(void)
{
	struct gpuvm_mali_uio_config cfg;

	fake_uio(0, "mali-mmu\n");
	ck_assert_int_eq(mkfifo(dev_path(0), 0600), 0);
	cfg_init(&cfg, "mali-mmu");
	cfg.reg_map = GPUVM_MALI_UIO_NO_MAP;
	cfg.pt_map = GPUVM_MALI_UIO_NO_MAP;
	return open_ok(&cfg);
}

static void fifo_put(const void *data, size_t len)
{
	int fd = open(dev_path(0), O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_irq_fifo)
{
	struct gpuvm_mali_uio *uio = open_fifo();
	struct gpuvm_mali_hal *hal = gpuvm_mali_uio_hal(uio);
	const int32_t two[2] = { 3, 5 };
	uint32_t events = 0;
	uint64_t t0, t1;
	int32_t got[2];
	int fd;

	/* Nothing pending: the wait times out after the timeout. */
	t0 = hal->ops->now_ns(hal);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 20000, &events), 0);
	t1 = hal->ops->now_ns(hal);
	ck_assert_uint_ge(t1 - t0, 20000000u);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 0, &events), 0);

	/* Two counts at once come back one 4-byte read at a time (T55). */
	fifo_put(two, sizeof(two));
	ck_assert_int_eq(hal->ops->irq_wait(hal, 0, &events), 1);
	ck_assert_uint_eq(events, 3);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, NULL), 1);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), 0);
	ck_assert_uint_eq(events, 3);

	/* A short read is an error, not an event. */
	fifo_put("\1\0", 2);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 1000, &events), -EIO);

	/* Rearm: exactly one 4-byte write of 1 (T55 "returns 4"). */
	ck_assert_int_eq(hal->ops->irq_rearm(hal), 0);
	fd = open(dev_path(0), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, got, sizeof(got)), 4);
	ck_assert_int_eq(got[0], 1);
	close(fd);
	ck_assert_int_eq(ts_warn_count(), 0);
	gpuvm_mali_uio_close(uio);
}
END_TEST

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

START_TEST(test_irq_eintr)
{
	struct gpuvm_mali_uio *uio = open_fifo();
	struct gpuvm_mali_hal *hal = gpuvm_mali_uio_hal(uio);
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { .tv_usec = 5000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	uint32_t events = 0;
	uint64_t t0, t1;

	/* A signal without SA_RESTART does not end the wait early. */
	alarms = 0;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	t0 = hal->ops->now_ns(hal);
	ck_assert_int_eq(hal->ops->irq_wait(hal, 50000, &events), 0);
	t1 = hal->ops->now_ns(hal);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	ck_assert_int_eq(alarms, 1);
	ck_assert_uint_ge(t1 - t0, 50000000u);
	gpuvm_mali_uio_close(uio);
}
END_TEST

static void *late_irq(void *arg)
{
	const int32_t count = 42;

	(void)arg;
	usleep(20000);
	fifo_put(&count, sizeof(count));
	return NULL;
}

START_TEST(test_irq_forever)
{
	struct gpuvm_mali_uio *uio = open_fifo();
	struct gpuvm_mali_hal *hal = gpuvm_mali_uio_hal(uio);
	uint32_t events = 0;
	pthread_t th;

	/* UINT64_MAX waits without a timeout until the interrupt. */
	ck_assert_int_eq(pthread_create(&th, NULL, late_irq, NULL), 0);
	ck_assert_int_eq(hal->ops->irq_wait(hal, UINT64_MAX, &events), 1);
	ck_assert_uint_eq(events, 42);
	pthread_join(th, NULL);

	/* Huge finite timeouts do not overflow into an immediate return. */
	ck_assert_int_eq(pthread_create(&th, NULL, late_irq, NULL), 0);
	ck_assert_int_eq(hal->ops->irq_wait(hal, UINT64_MAX - 1, &events), 1);
	pthread_join(th, NULL);
	gpuvm_mali_uio_close(uio);
}
END_TEST

/* --- time ------------------------------------------------------------- */

START_TEST(test_time)
{
	struct gpuvm_mali_uio *uio;
	struct gpuvm_mali_hal *hal;
	uint64_t t0, t1;

	fake_standard();
	uio = open_standard();
	hal = gpuvm_mali_uio_hal(uio);
	t0 = hal->ops->now_ns(hal);
	hal->ops->sleep_us(hal, 2000);
	t1 = hal->ops->now_ns(hal);
	ck_assert_uint_ge(t1 - t0, 2000000u);
	hal->ops->sleep_us(hal, 0);
	ck_assert_uint_ge(hal->ops->now_ns(hal), t1);
	gpuvm_mali_uio_close(uio);
}
END_TEST

static Suite *uio_suite(void)
{
	Suite *s = suite_create("mali_uio");
	TCase *tc;

	tc = tcase_create("discovery");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, setup, fx_uio_teardown);
	tcase_add_test(tc, test_open_by_name);
	tcase_add_test(tc, test_open_by_index);
	tcase_add_test(tc, test_open_wrong_name);
	tcase_add_test(tc, test_open_lowest_match);
	tcase_add_loop_test(tc, test_malformed_sysfs, 0, D_COUNT);
	tcase_add_test(tc, test_malformed_other_device);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_device_file_errors);
	tcase_add_test(tc, test_alloc_failure);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, setup, fx_uio_teardown);
	tcase_add_test(tc, test_registers);
	tcase_add_test(tc, test_register_bounds);
	tcase_add_test(tc, test_irq_only_node);
	tcase_add_test(tc, test_pt_map_offset);
	tcase_add_test(tc, test_pt_bounds);
	tcase_add_test(tc, test_pt_range);
	tcase_add_test(tc, test_sub_page_offset);
	tcase_add_test(tc, test_sub_page_offset_unaligned);
	suite_add_tcase(s, tc);

	tc = tcase_create("irq_time");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, setup, fx_uio_teardown);
	tcase_add_test(tc, test_irq_regular_file);
	tcase_add_test(tc, test_irq_fifo);
	tcase_add_test(tc, test_irq_eintr);
	tcase_add_test(tc, test_irq_forever);
	tcase_add_test(tc, test_time);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run_suite(uio_suite());
}
