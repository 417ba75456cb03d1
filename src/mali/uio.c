/* SPDX-License-Identifier: MIT */
/*
 * Mali HAL over Linux UIO (uio_pdrv_genirq): device discovery through sysfs,
 * mmap of the register window and the page-table carve-out, and the
 * interrupt through read()/write() of /dev/uioN.
 *
 * Rules followed throughout:
 *  - device memory is touched only by single aligned volatile loads and
 *    stores (32-bit for registers, 64-bit for page-table entries), never by
 *    the string functions;
 *  - the interrupt file is read and written 4 bytes at a time (the kernel
 *    rejects any other length with -EINVAL);
 *  - every sysfs value is parsed strictly, and a failure leaves a message for
 *    gpuvm_mali_uio_last_error().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gpuvm/list.h>
#include <gpuvm/mali_uio.h>

#include "../core/internal.h"

#define UIO_DEFAULT_SYSFS "/sys/class/uio"
#define UIO_DEFAULT_DEV "/dev"

/* sysfs attributes we read are short; anything longer is malformed. */
#define UIO_ATTR_MAX 256

struct uio_region {
	bool present;
	struct gpuvm_mali_uio_map info;
	void *mmap_base;	/* what mmap() returned */
	size_t mmap_len;	/* what was passed to mmap() */
};

struct gpuvm_mali_uio {
	struct gpuvm_mali_hal hal;
	int index;
	int fd;
	long page_size;
	bool pt_cached;
	size_t dcache_line;	/* arm64 cached page tables only */
	struct uio_region regs;
	struct uio_region pt;
};

static _Thread_local char uio_error[512];

static void uio_set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void uio_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(uio_error, sizeof(uio_error), fmt, ap);
	va_end(ap);
}

GPUVM_EXPORT const char *gpuvm_mali_uio_last_error(void)
{
	return uio_error;
}

/* --- barriers and cache maintenance ---------------------------------- */

/*
 * A full barrier between earlier and later accesses to normal and device
 * memory.  __atomic_thread_fence() alone is only "dmb ish" on Arm, which
 * does not reach device memory in the outer-shareable / non-shareable
 * domains, so Arm gets "dsb sy" (what the kernel's mb() is).  Elsewhere the
 * sequentially consistent fence is a full hardware barrier (mfence on x86,
 * which orders uncached and write-combined accesses too).
 */
static inline void uio_full_barrier(void)
{
#if defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
	__asm__ __volatile__("dsb sy" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__asm__ __volatile__("" ::: "memory");
#endif
}

/*
 * Make completed stores visible before later accesses: "dsb st" on Arm (the
 * kernel's wmb()), the full fence elsewhere.
 */
static inline void uio_store_barrier(void)
{
#if defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
	__asm__ __volatile__("dsb st" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__asm__ __volatile__("" ::: "memory");
#endif
}

#if defined(__aarch64__)
/* Smallest data cache line, from CTR_EL0.DminLine (log2 of 4-byte words). */
static size_t uio_dcache_line(void)
{
	uint64_t ctr;

	__asm__ __volatile__("mrs %0, ctr_el0" : "=r"(ctr));
	return (size_t)4 << ((ctr >> 16) & 0xf);
}

/* Clean [p, p + len) to the point of coherency, then wait for it. */
static void uio_dcache_clean(uintptr_t p, size_t len, size_t line)
{
	uintptr_t end = p + len;

	for (p &= ~(uintptr_t)(line - 1); p < end; p += line)
		__asm__ __volatile__("dc cvac, %0" : : "r"(p) : "memory");
	__asm__ __volatile__("dsb sy" ::: "memory");
}
#endif

/* --- HAL ops ---------------------------------------------------------- */

static struct gpuvm_mali_uio *to_uio(struct gpuvm_mali_hal *hal)
{
	return gpuvm_container_of(hal, struct gpuvm_mali_uio, hal);
}

/*
 * Is [off, off + size) inside the @size-aligned part of region @r?  The
 * alignment is that of the address, not of @off: a region may start at a
 * sub-page offset (maps/mapX/offset) that is not itself aligned, and the CPU
 * address (like the bus address) is the page base plus that offset.
 */
static bool uio_in_range(const struct uio_region *r, uint64_t off,
			 uint64_t size)
{
	uint64_t len = r->info.len;

	return len >= size && off <= len - size &&
	       !((r->info.sysfs_offset + off) & (size - 1));
}

static uint32_t uio_read32(struct gpuvm_mali_hal *hal, uint32_t offset)
{
	struct gpuvm_mali_uio *uio = to_uio(hal);
	const struct uio_region *r = &uio->regs;

	if (!r->present || !uio_in_range(r, offset, 4)) {
		gpuvm_warn("register read at 0x%x outside the %llu-byte register window or unaligned",
			   offset, (unsigned long long)(r->present ? r->info.len : 0));
		return 0xFFFFFFFFu;
	}
	return *(volatile uint32_t *)((volatile char *)r->info.cpu + offset);
}

static void uio_write32(struct gpuvm_mali_hal *hal, uint32_t offset,
			uint32_t value)
{
	struct gpuvm_mali_uio *uio = to_uio(hal);
	const struct uio_region *r = &uio->regs;

	if (!r->present || !uio_in_range(r, offset, 4)) {
		gpuvm_warn("register write of 0x%x at 0x%x outside the %llu-byte register window or unaligned; dropped",
			   value, offset,
			   (unsigned long long)(r->present ? r->info.len : 0));
		return;
	}
	*(volatile uint32_t *)((volatile char *)r->info.cpu + offset) = value;
}

/*
 * CPU address of the 8 aligned bytes at bus address @pa of page-table
 * memory, or NULL (with a warning naming @func) when @pa is not usable.
 */
static volatile uint64_t *uio_pt_ptr(struct gpuvm_mali_uio *uio, uint64_t pa,
				     const char *func)
{
	const struct uio_region *r = &uio->pt;

	if (!r->present) {
		gpuvm_warn_func(func, "page-table access at 0x%llx but no page-table map is open",
				(unsigned long long)pa);
		return NULL;
	}
	if (pa < r->info.bus_addr || !uio_in_range(r, pa - r->info.bus_addr, 8)) {
		gpuvm_warn_func(func, "page-table access at 0x%llx outside [0x%llx, 0x%llx) or not 8-byte aligned",
				(unsigned long long)pa,
				(unsigned long long)r->info.bus_addr,
				(unsigned long long)(r->info.bus_addr + r->info.len));
		return NULL;
	}
	return (volatile uint64_t *)((volatile char *)r->info.cpu +
				     (pa - r->info.bus_addr));
}

static void uio_pt_write64(struct gpuvm_mali_hal *hal, uint64_t pa,
			   uint64_t value)
{
	volatile uint64_t *p = uio_pt_ptr(to_uio(hal), pa, __func__);

	if (p)
		*p = value;
}

/*
 * The same stores as @count uio_pt_write64() calls: when the whole range
 * is inside the page-table map and aligned, plain 64-bit stores in order
 * (no memcpy: it may tear entries or use accesses device memory refuses);
 * otherwise entry by entry, each bad one warned about.
 */
static void uio_pt_write_range(struct gpuvm_mali_hal *hal, uint64_t pa,
			       const uint64_t *descs, size_t count)
{
	struct gpuvm_mali_uio *uio = to_uio(hal);
	const struct uio_region *r = &uio->pt;
	volatile uint64_t *p;
	uint64_t off;
	size_t i;

	if (!count)
		return;
	off = pa - r->info.bus_addr;
	if (!r->present || pa < r->info.bus_addr ||
	    !uio_in_range(r, off, 8) ||
	    count - 1 > (r->info.len - off - 8) / 8) {
		for (i = 0; i < count; i++) {
			p = uio_pt_ptr(uio, pa + i * 8, __func__);
			if (p)
				*p = descs[i];
		}
		return;
	}
	p = (volatile uint64_t *)((volatile char *)r->info.cpu + off);
	for (i = 0; i < count; i++)
		p[i] = descs[i];
}

static uint64_t uio_pt_read64(struct gpuvm_mali_hal *hal, uint64_t pa)
{
	volatile uint64_t *p = uio_pt_ptr(to_uio(hal), pa, __func__);

	return p ? *p : 0;
}

static void uio_pt_sync(struct gpuvm_mali_hal *hal, uint64_t pa, size_t len)
{
	struct gpuvm_mali_uio *uio = to_uio(hal);
	const struct uio_region *r = &uio->pt;

	if (!len)
		return;
	if (!r->present || pa < r->info.bus_addr ||
	    pa - r->info.bus_addr > r->info.len ||
	    len > r->info.len - (pa - r->info.bus_addr)) {
		gpuvm_warn("sync of [0x%llx, +0x%zx) outside the page-table map",
			   (unsigned long long)pa, len);
		uio_full_barrier();
		return;
	}
	if (!uio->pt_cached) {
		/* Uncached / write-combined: drain the stores. */
		uio_store_barrier();
		return;
	}
#if defined(__aarch64__)
	uio_dcache_clean((uintptr_t)r->info.cpu + (uintptr_t)(pa - r->info.bus_addr),
			 len, uio->dcache_line);
#else
	/* Cache-coherent DMA (x86 and friends): ordering is all we need. */
	uio_full_barrier();
#endif
}

static void uio_barrier(struct gpuvm_mali_hal *hal)
{
	(void)hal;
	uio_full_barrier();
}

static uint64_t uio_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int uio_irq_wait(struct gpuvm_mali_hal *hal, uint64_t timeout_us,
			uint32_t *events)
{
	struct gpuvm_mali_uio *uio = to_uio(hal);
	bool forever = timeout_us == UINT64_MAX;
	uint64_t deadline = 0;

	if (!forever) {
		uint64_t now = uio_clock_ns();

		if (timeout_us > (UINT64_MAX - now) / 1000u)
			forever = true;
		else
			deadline = now + timeout_us * 1000u;
	}

	for (;;) {
		struct pollfd pfd = { .fd = uio->fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		int32_t count;
		ssize_t n;
		int ret;

		if (!forever) {
			uint64_t now = uio_clock_ns();
			uint64_t left = deadline > now ? deadline - now : 0;

			ts.tv_sec = (time_t)(left / 1000000000u);
			ts.tv_nsec = (long)(left % 1000000000u);
			tsp = &ts;
		}
		ret = ppoll(&pfd, 1, tsp, NULL);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (ret == 0)
			return 0;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		if (!(pfd.revents & POLLIN))
			return -EIO;	/* POLLERR / POLLHUP: device gone */

		/* Exactly 4 bytes: UIO rejects any other length. */
		n = read(uio->fd, &count, sizeof(count));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return -errno;
		}
		if (n != (ssize_t)sizeof(count))
			return -EIO;
		if (events)
			*events = (uint32_t)count;
		return 1;
	}
}

static int uio_irq_rearm(struct gpuvm_mali_hal *hal)
{
	struct gpuvm_mali_uio *uio = to_uio(hal);
	const int32_t one = 1;
	ssize_t n;

	do {
		n = write(uio->fd, &one, sizeof(one));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(one) ? 0 : -EIO;
}

static uint64_t uio_now_ns(struct gpuvm_mali_hal *hal)
{
	(void)hal;
	return uio_clock_ns();
}

static void uio_sleep_us(struct gpuvm_mali_hal *hal, uint64_t us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(us / 1000000u),
		.tv_nsec = (long)(us % 1000000u) * 1000,
	};

	(void)hal;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const struct gpuvm_mali_hal_ops uio_hal_ops = {
	.read32 = uio_read32,
	.write32 = uio_write32,
	.pt_write64 = uio_pt_write64,
	.pt_read64 = uio_pt_read64,
	.pt_sync = uio_pt_sync,
	.barrier = uio_barrier,
	.irq_wait = uio_irq_wait,
	.irq_rearm = uio_irq_rearm,
	.now_ns = uio_now_ns,
	.sleep_us = uio_sleep_us,
	.pt_write_range = uio_pt_write_range,
};

/* --- sysfs ------------------------------------------------------------ */

/* snprintf into a PATH_MAX buffer; -ENAMETOOLONG when it does not fit. */
static int uio_path(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int uio_path(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX) {
		uio_set_error("path longer than %d bytes: %.100s...", PATH_MAX - 1,
			      buf);
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * Read a whole small sysfs attribute into @buf (NUL-terminated, *@len set to
 * the byte count, which may include embedded NULs).  A missing file is
 * -EINVAL (the sysfs tree is not what UIO creates); other failures return
 * the errno.
 */
static int uio_read_attr(const char *path, char *buf, size_t *len)
{
	size_t got = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		uio_set_error("%s: %s", path, strerror(err));
		return err == ENOENT || err == ENOTDIR ? -EINVAL : -err;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, UIO_ATTR_MAX - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			close(fd);
			uio_set_error("%s: read: %s", path, strerror(err));
			return -err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == UIO_ATTR_MAX) {
			close(fd);
			uio_set_error("%s: longer than %d bytes", path,
				      UIO_ATTR_MAX - 1);
			return -EINVAL;
		}
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return 0;
}

/* Strip one trailing newline; false if what is left is not a clean line. */
static bool uio_one_line(char *buf, size_t *len)
{
	if (*len && buf[*len - 1] == '\n')
		buf[--*len] = '\0';
	if (!*len || strlen(buf) != *len)
		return false;
	return !strchr(buf, '\n');
}

/* Parse "[0x]HEX\n?" with at most 16 digits. */
static bool uio_parse_hex(char *buf, size_t len, uint64_t *out)
{
	const char *p = buf;
	uint64_t v = 0;
	int digits = 0;

	if (!uio_one_line(buf, &len))
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; *p; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned int)(*p - 'A' + 10);
		else
			return false;
		if (++digits > 16)
			return false;
		v = v << 4 | d;
	}
	if (!digits)
		return false;
	*out = v;
	return true;
}

static int uio_read_hex(const char *path, uint64_t *out)
{
	char buf[UIO_ATTR_MAX + 1];
	size_t len;
	int err;

	err = uio_read_attr(path, buf, &len);
	if (err)
		return err;
	if (!uio_parse_hex(buf, len, out)) {
		uio_set_error("%s: not a hexadecimal number", path);
		return -EINVAL;
	}
	return 0;
}

/* Read and check maps/map<X>/{addr,size,offset} of uio<N>. */
static int uio_read_map(const char *sysfs, int n, int x, long page_size,
			struct gpuvm_mali_uio_map *m)
{
	char path[PATH_MAX];
	uint64_t pmask = (uint64_t)page_size - 1;
	struct stat st;
	int err;

	err = uio_path(path, "%s/uio%d/maps/map%d", sysfs, n, x);
	if (err)
		return err;
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		uio_set_error("%s: no such map directory (the device has no map %d)",
			      path, x);
		return -EINVAL;
	}

	err = uio_path(path, "%s/uio%d/maps/map%d/addr", sysfs, n, x);
	if (!err)
		err = uio_read_hex(path, &m->sysfs_addr);
	if (err)
		return err;
	if (m->sysfs_addr & pmask) {
		uio_set_error("%s: 0x%llx is not aligned to the %ld-byte page size",
			      path, (unsigned long long)m->sysfs_addr, page_size);
		return -EINVAL;
	}

	err = uio_path(path, "%s/uio%d/maps/map%d/size", sysfs, n, x);
	if (!err)
		err = uio_read_hex(path, &m->sysfs_size);
	if (err)
		return err;
	if (!m->sysfs_size || (m->sysfs_size & pmask) ||
	    m->sysfs_size > (uint64_t)SIZE_MAX ||
	    m->sysfs_size > UINT64_MAX - m->sysfs_addr) {
		uio_set_error("%s: 0x%llx is not a non-zero multiple of the %ld-byte page size",
			      path, (unsigned long long)m->sysfs_size, page_size);
		return -EINVAL;
	}

	err = uio_path(path, "%s/uio%d/maps/map%d/offset", sysfs, n, x);
	if (!err)
		err = uio_read_hex(path, &m->sysfs_offset);
	if (err)
		return err;
	if (m->sysfs_offset > pmask || m->sysfs_offset >= m->sysfs_size) {
		uio_set_error("%s: 0x%llx is not a sub-page offset inside the map",
			      path, (unsigned long long)m->sysfs_offset);
		return -EINVAL;
	}

	m->index = x;
	m->bus_addr = m->sysfs_addr + m->sysfs_offset;
	m->len = m->sysfs_size - m->sysfs_offset;
	return 0;
}

/* "uio<decimal>" -> the number, or -1. */
static int uio_entry_index(const char *name)
{
	long v = 0;
	const char *p;

	if (strncmp(name, "uio", 3) || !name[3])
		return -1;
	if (name[3] == '0' && name[4])
		return -1;	/* no leading zeros: the kernel never makes them */
	for (p = name + 3; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	return (int)v;
}

/*
 * Find the lowest uio<N> under @sysfs whose name is @name.  Returns N,
 * -ENOENT, -EINVAL when nothing matched but a name file could not be parsed
 * (that device might have been the one), or another negative errno.
 */
static int uio_find_by_name(const char *sysfs, const char *name)
{
	char path[PATH_MAX], buf[UIO_ATTR_MAX + 1];
	char bad[PATH_MAX] = "";
	int found = -1, bad_err = 0;
	struct dirent *de;
	DIR *dir;

	dir = opendir(sysfs);
	if (!dir) {
		int err = errno;

		uio_set_error("%s: %s", sysfs, strerror(err));
		return err == ENOENT || err == ENOTDIR ? -ENOENT : -err;
	}
	while ((de = readdir(dir))) {
		int n = uio_entry_index(de->d_name);
		size_t len;
		int err;

		if (n < 0 || (found >= 0 && n >= found))
			continue;
		err = uio_path(path, "%s/uio%d/name", sysfs, n);
		if (err) {
			closedir(dir);
			return err;
		}
		err = uio_read_attr(path, buf, &len);
		if (!err && !uio_one_line(buf, &len)) {
			uio_set_error("%s: not a single line of text", path);
			err = -EINVAL;
		}
		if (err) {
			if (!bad_err) {
				bad_err = err;
				snprintf(bad, sizeof(bad), "%s", uio_error);
			}
			continue;
		}
		if (!strcmp(buf, name))
			found = n;
	}
	closedir(dir);
	if (found >= 0)
		return found;
	if (bad_err) {
		uio_set_error("no UIO device named \"%s\" under %s, and %s",
			      name, sysfs, bad);
		return bad_err;
	}
	uio_set_error("no UIO device named \"%s\" under %s", name, sysfs);
	return -ENOENT;
}

/* --- open / close ----------------------------------------------------- */

/* mmap() map @r->info.index, already read from sysfs, of the open device. */
static int uio_map_region(struct gpuvm_mali_uio *uio, struct uio_region *r)
{
	int x = r->info.index;
	void *p;

	r->mmap_len = (size_t)r->info.sysfs_size;
	p = mmap(NULL, r->mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, uio->fd,
		 (off_t)x * uio->page_size);
	if (p == MAP_FAILED) {
		int err = errno;

		uio_set_error("mmap of uio%d map %d (0x%zx bytes at file offset 0x%lx): %s",
			      uio->index, x, r->mmap_len,
			      (long)x * uio->page_size, strerror(err));
		return -err;
	}
	r->mmap_base = p;
	r->info.cpu = (volatile char *)p + r->info.sysfs_offset;
	r->present = true;
	return 0;
}

static void uio_unmap_region(struct uio_region *r)
{
	if (r->present)
		munmap(r->mmap_base, r->mmap_len);
	r->present = false;
}

GPUVM_EXPORT void gpuvm_mali_uio_config_init(struct gpuvm_mali_uio_config *cfg,
					     const char *name)
{
	*cfg = (struct gpuvm_mali_uio_config){
		.name = name,
		.index = -1,
		.sysfs_root = UIO_DEFAULT_SYSFS,
		.dev_root = UIO_DEFAULT_DEV,
		.reg_map = 0,
		.pt_map = 1,
		.pt_cached = false,
	};
}

static bool uio_map_index_ok(int x)
{
	return x == GPUVM_MALI_UIO_NO_MAP ||
	       (x >= 0 && x < GPUVM_MALI_UIO_MAX_MAPS);
}

static int uio_check_config(const struct gpuvm_mali_uio_config *cfg)
{
	if (!cfg->name && cfg->index < 0) {
		uio_set_error("neither a device name nor an index given");
		return -EINVAL;
	}
	if (cfg->name && (!cfg->name[0] || strchr(cfg->name, '\n'))) {
		uio_set_error("device name must be non-empty and without newlines");
		return -EINVAL;
	}
	if (!uio_map_index_ok(cfg->reg_map) || !uio_map_index_ok(cfg->pt_map)) {
		uio_set_error("map indices must be %d or 0..%d",
			      GPUVM_MALI_UIO_NO_MAP, GPUVM_MALI_UIO_MAX_MAPS - 1);
		return -EINVAL;
	}
	if (cfg->reg_map >= 0 && cfg->reg_map == cfg->pt_map) {
		uio_set_error("register and page-table maps are both map %d",
			      cfg->reg_map);
		return -EINVAL;
	}
#if defined(__arm__)
	if (cfg->pt_cached && cfg->pt_map >= 0) {
		uio_set_error("32-bit Arm user space cannot clean caches to the point of coherency; use an uncached page-table map");
		return -EOPNOTSUPP;
	}
#endif
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_uio_open(const struct gpuvm_mali_uio_config *cfg,
				     struct gpuvm_mali_uio **out)
{
	const char *sysfs, *dev;
	struct gpuvm_mali_uio *uio;
	char path[PATH_MAX];
	struct stat st;
	int n, err;

	uio_error[0] = '\0';
	if (!cfg || !out) {
		uio_set_error("NULL configuration or result pointer");
		return -EINVAL;
	}
	err = uio_check_config(cfg);
	if (err)
		return err;
	sysfs = cfg->sysfs_root ? cfg->sysfs_root : UIO_DEFAULT_SYSFS;
	dev = cfg->dev_root ? cfg->dev_root : UIO_DEFAULT_DEV;

	if (cfg->name) {
		n = uio_find_by_name(sysfs, cfg->name);
		if (n < 0)
			return n;
	} else {
		n = cfg->index;
		err = uio_path(path, "%s/uio%d", sysfs, n);
		if (err)
			return err;
		if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
			uio_set_error("%s: no such UIO device", path);
			return -ENOENT;
		}
	}

	uio = gpuvm_zalloc(sizeof(*uio));
	if (!uio) {
		uio_set_error("out of memory");
		return -ENOMEM;
	}
	uio->hal.ops = &uio_hal_ops;
	uio->index = n;
	uio->pt_cached = cfg->pt_cached;
	uio->page_size = sysconf(_SC_PAGESIZE);
	if (uio->page_size <= 0 || (uio->page_size & (uio->page_size - 1))) {
		uio_set_error("unusable page size %ld", uio->page_size);
		err = -EINVAL;
		goto fail_free;
	}
#if defined(__aarch64__)
	uio->dcache_line = uio_dcache_line();
#endif

	/* All of sysfs is checked before the device is touched. */
	if (cfg->reg_map >= 0) {
		err = uio_read_map(sysfs, n, cfg->reg_map, uio->page_size,
				   &uio->regs.info);
		if (err)
			goto fail_free;
	}
	if (cfg->pt_map >= 0) {
		err = uio_read_map(sysfs, n, cfg->pt_map, uio->page_size,
				   &uio->pt.info);
		if (err)
			goto fail_free;
	}

	err = uio_path(path, "%s/uio%d", dev, n);
	if (err)
		goto fail_free;
	/*
	 * O_RDWR: re-arming writes.  O_NONBLOCK: a read after a spurious
	 * wake-up returns -EAGAIN instead of blocking past the timeout.
	 */
	uio->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (uio->fd < 0) {
		err = -errno;
		uio_set_error("%s: %s", path, strerror(-err));
		goto fail_free;
	}

	if (cfg->reg_map >= 0) {
		err = uio_map_region(uio, &uio->regs);
		if (err)
			goto fail_close;
	}
	if (cfg->pt_map >= 0) {
		err = uio_map_region(uio, &uio->pt);
		if (err)
			goto fail_unmap;
	}
	uio_error[0] = '\0';	/* drop notes about other devices' names */
	*out = uio;
	return 0;

fail_unmap:
	uio_unmap_region(&uio->regs);
fail_close:
	close(uio->fd);
fail_free:
	gpuvm_free(uio);
	return err;
}

GPUVM_EXPORT void gpuvm_mali_uio_close(struct gpuvm_mali_uio *uio)
{
	if (!uio)
		return;
	uio_unmap_region(&uio->pt);
	uio_unmap_region(&uio->regs);
	close(uio->fd);
	gpuvm_free(uio);
}

GPUVM_EXPORT struct gpuvm_mali_hal *gpuvm_mali_uio_hal(struct gpuvm_mali_uio *uio)
{
	return &uio->hal;
}

GPUVM_EXPORT struct gpuvm_mali_uio *gpuvm_mali_uio_from_hal(struct gpuvm_mali_hal *hal)
{
	if (!hal || hal->ops != &uio_hal_ops)
		return NULL;
	return to_uio(hal);
}

GPUVM_EXPORT int gpuvm_mali_uio_get_map(const struct gpuvm_mali_uio *uio,
					enum gpuvm_mali_uio_region region,
					struct gpuvm_mali_uio_map *out)
{
	const struct uio_region *r;

	switch (region) {
	case GPUVM_MALI_UIO_REGS:
		r = &uio->regs;
		break;
	case GPUVM_MALI_UIO_PT:
		r = &uio->pt;
		break;
	default:
		return -EINVAL;
	}
	if (!r->present)
		return -ENOENT;
	*out = r->info;
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_uio_index(const struct gpuvm_mali_uio *uio)
{
	return uio->index;
}

GPUVM_EXPORT int gpuvm_mali_uio_fd(const struct gpuvm_mali_uio *uio)
{
	return uio->fd;
}
