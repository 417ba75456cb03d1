/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm Mali backend: the HAL for a real GPU driven through Linux UIO.
 *
 * The GPU node is handed to uio_pdrv_genirq ("generic-uio"), which gives
 * user space:
 *
 *  - /sys/class/uio/uioN/name, used to find the device;
 *  - /sys/class/uio/uioN/maps/mapX/{addr,size,offset} for every memory
 *    region: map 0 is the GPU register window, and (recommended) map 1 is a
 *    "no-map" reserved carve-out that holds the page tables;
 *  - /dev/uioN: mmap() with offset X * page size maps region X; a 4-byte
 *    read() waits for the interrupt and returns the event count; a 4-byte
 *    write() of 1 re-enables the interrupt line.
 *
 * gpuvm_mali_uio_open() finds and maps the device and returns a handle whose
 * struct gpuvm_mali_hal (gpuvm_mali_uio_hal()) drives it.  Device memory is
 * only ever touched with single aligned volatile 32-bit (registers) or 64-bit
 * (page-table entries) accesses, never memset()/memcpy(), which may use
 * instructions that fault on Device memory.
 *
 * The sysfs and /dev roots are parameters, so the same code runs in tests on
 * a fake sysfs tree and a regular file (or FIFO) standing in for /dev/uioN.
 *
 * Thread safety: the HAL ops may be called from several threads as long as
 * the callers serialise what the hardware needs serialised; irq_wait and
 * irq_rearm share the file descriptor and should be used by one thread.
 */
#ifndef GPUVM_MALI_UIO_H
#define GPUVM_MALI_UIO_H

#include <stdbool.h>
#include <stdint.h>

#include <gpuvm/common.h>
#include <gpuvm/mali_hal.h>

#ifdef __cplusplus
extern "C" {
#endif

/** GPUVM_MALI_UIO_NO_MAP - a map index meaning "this region is not used" */
#define GPUVM_MALI_UIO_NO_MAP (-1)

/** GPUVM_MALI_UIO_MAX_MAPS - UIO devices have at most this many maps */
#define GPUVM_MALI_UIO_MAX_MAPS 5

/**
 * struct gpuvm_mali_uio_config - what gpuvm_mali_uio_open() looks for
 * @name: the device's UIO name (the contents of /sys/class/uio/uioN/name
 *	with the trailing newline removed, e.g. the DT "linux,uio-name"
 *	"mali-mmu"); NULL to select the device by @index instead.  When
 *	several devices carry the name, the lowest N wins.
 * @index: N of uioN, used only when @name is NULL (-1 = unset)
 * @sysfs_root: the directory holding the uioN entries; NULL means
 *	"/sys/class/uio"
 * @dev_root: the directory holding the uioN device files; NULL means "/dev"
 * @reg_map: the map holding the GPU register window (default 0), or
 *	GPUVM_MALI_UIO_NO_MAP for a node that only carries an interrupt (the
 *	register accessors then warn and read as 0xFFFFFFFF)
 * @pt_map: the map holding page-table memory (default 1), or
 *	GPUVM_MALI_UIO_NO_MAP when page tables live elsewhere
 * @pt_cached: the page-table map is CPU-cacheable (a UIO_MEM_IOVA region or
 *	a coherent walker), so pt_sync must clean the written lines to the
 *	point of coherency.  False (the default) for the uncached or
 *	write-combined mapping uio_pdrv_genirq gives every "reg" region.
 *	See gpuvm_mali_uio_open() for what each architecture does.
 *
 * Initialise with gpuvm_mali_uio_config_init() and then set what differs,
 * so that new fields get their defaults.
 */
struct gpuvm_mali_uio_config {
	const char *name;
	int index;
	const char *sysfs_root;
	const char *dev_root;
	int reg_map;
	int pt_map;
	bool pt_cached;
};

/**
 * struct gpuvm_mali_uio_map - one mapped UIO region, as seen by the library
 * @index: the map number X of maps/mapX
 * @sysfs_addr: the page-aligned physical base read from maps/mapX/addr
 * @sysfs_size: the page-rounded length read from maps/mapX/size
 * @sysfs_offset: the sub-page offset read from maps/mapX/offset
 * @bus_addr: bus (physical) address of the region's first byte,
 *	@sysfs_addr + @sysfs_offset
 * @len: bytes usable from @bus_addr, @sysfs_size - @sysfs_offset
 * @cpu: the CPU address of @bus_addr in this process.  Device memory: use
 *	only aligned volatile 32/64-bit accesses, never memset()/memcpy().
 */
struct gpuvm_mali_uio_map {
	int index;
	uint64_t sysfs_addr;
	uint64_t sysfs_size;
	uint64_t sysfs_offset;
	uint64_t bus_addr;
	uint64_t len;
	volatile void *cpu;
};

/** enum gpuvm_mali_uio_region - the regions gpuvm_mali_uio_get_map() knows */
enum gpuvm_mali_uio_region {
	GPUVM_MALI_UIO_REGS = 0,	/**< the register window (@reg_map) */
	GPUVM_MALI_UIO_PT = 1,		/**< page-table memory (@pt_map) */
};

/**
 * struct gpuvm_mali_uio - an open UIO device (opaque): the file descriptor,
 * the mapped regions and the embedded struct gpuvm_mali_hal
 */
struct gpuvm_mali_uio;

/**
 * gpuvm_mali_uio_config_init() - fill @cfg with the defaults
 * @cfg: the configuration to initialise
 * @name: the UIO name to look for (may be NULL, then set @cfg->index)
 *
 * Defaults: index -1, sysfs_root "/sys/class/uio", dev_root "/dev",
 * reg_map 0, pt_map 1, pt_cached false.
 *
 * Locking: none; a pure function, safe from any thread.
 */
GPUVM_EXPORT void gpuvm_mali_uio_config_init(struct gpuvm_mali_uio_config *cfg,
					     const char *name);

/**
 * gpuvm_mali_uio_open() - find, open and map a UIO device
 * @cfg: what to open
 * @out: receives the handle on success (left untouched on failure)
 *
 * Finds the device (by name, scanning @cfg->sysfs_root/uio<N>/name, or by
 * index), reads and validates maps/mapX/{addr,size,offset} of the register
 * and page-table maps, opens @cfg->dev_root/uio<N> read-write and maps map X
 * at file offset X * sysconf(_SC_PAGESIZE) with MAP_SHARED.
 *
 * A sysfs value must be hexadecimal (an optional "0x" prefix, at most 16
 * digits, at most one trailing newline); addr must be page-aligned, size a
 * non-zero page multiple, offset below both the page size and size -- the
 * kernel would refuse to map anything else.
 *
 * Page-table coherency (@cfg->pt_cached): on arm64 pt_sync cleans each
 * written cache line to the point of coherency ("dc cvac", permitted at EL0
 * by Linux) and then issues "dsb sy"; on 32-bit Arm user space cannot clean
 * to the point of coherency, so a cached page-table map is refused with
 * -EOPNOTSUPP; on other architectures (x86: DMA snoops the caches) pt_sync
 * is a full memory and compiler barrier.
 *
 * On failure gpuvm_mali_uio_last_error() says what went wrong.
 *
 * Returns: 0; -ENOENT when no device has the name or index (or the device
 * file is missing); -EINVAL for a bad @cfg or malformed or missing sysfs
 * content (including a map directory that does not exist, or a name file
 * that cannot be parsed when no device matched); -EOPNOTSUPP as above;
 * -ENOMEM; -ENAMETOOLONG for paths that do not fit PATH_MAX; or the
 * negative errno of a failing open()/mmap()/read of sysfs.
 *
 * Locking: none; each call opens its own handle
 * (gpuvm_mali_uio_last_error() is per thread).
 */
GPUVM_EXPORT int gpuvm_mali_uio_open(const struct gpuvm_mali_uio_config *cfg,
				     struct gpuvm_mali_uio **out);

/**
 * gpuvm_mali_uio_close() - unmap and close a device opened with
 * gpuvm_mali_uio_open()
 * @uio: the handle; NULL is ignored
 *
 * The HAL returned by gpuvm_mali_uio_hal() must no longer be in use.
 *
 * Locking: the caller makes sure no other thread uses the handle meanwhile.
 */
GPUVM_EXPORT void gpuvm_mali_uio_close(struct gpuvm_mali_uio *uio);

/**
 * gpuvm_mali_uio_last_error() - why the calling thread's last
 * gpuvm_mali_uio_open() failed
 *
 * Returns: a one-line message naming the file and the problem, or "" after a
 * successful open.  The string is per-thread and valid until the thread's
 * next gpuvm_mali_uio_open().
 */
GPUVM_EXPORT const char *gpuvm_mali_uio_last_error(void);

/**
 * gpuvm_mali_uio_hal() - the hardware-access layer of an open device
 * @uio: the handle
 *
 * Returns: the HAL, valid until gpuvm_mali_uio_close().  Its ops:
 * read32/write32 access the register map with single aligned volatile
 * 32-bit accesses (out of range or unaligned: a warning, reads give
 * 0xFFFFFFFF and writes are dropped); pt_write64/pt_read64 translate a bus
 * address inside the page-table map to its CPU address and do one aligned
 * volatile 64-bit access (out of range or unaligned: a warning, reads give
 * 0); pt_write_range does the same checks as that many pt_write64 calls
 * and, for a range wholly inside the map, stores each entry with one
 * aligned volatile 64-bit store in ascending order (a warning per bad entry
 * otherwise); pt_sync makes page-table writes visible to the GPU; barrier
 * is a full barrier ("dsb sy" on Arm); irq_wait polls the device file then read()s
 * exactly 4 bytes of event count (a timeout of UINT64_MAX waits forever);
 * irq_rearm write()s a 4-byte 1; now_ns reads CLOCK_MONOTONIC; sleep_us
 * uses nanosleep().  pt_page_freed is not implemented (NULL).
 */
GPUVM_EXPORT struct gpuvm_mali_hal *gpuvm_mali_uio_hal(struct gpuvm_mali_uio *uio);

/**
 * gpuvm_mali_uio_from_hal() - the device behind a HAL
 * @hal: a HAL
 *
 * Returns: the handle if @hal came from gpuvm_mali_uio_hal(), else NULL.
 *
 * Locking: none; safe from any thread.
 */
GPUVM_EXPORT struct gpuvm_mali_uio *gpuvm_mali_uio_from_hal(struct gpuvm_mali_hal *hal);

/**
 * gpuvm_mali_uio_get_map() - describe the register or page-table region
 * @uio: the handle
 * @region: GPUVM_MALI_UIO_REGS or GPUVM_MALI_UIO_PT
 * @out: receives the description
 *
 * The page-table memory layer uses the GPUVM_MALI_UIO_PT region
 * ([@out->bus_addr, @out->bus_addr + @out->len)) as its pool.
 *
 * Returns: 0, -ENOENT when that region was not requested (map index
 * GPUVM_MALI_UIO_NO_MAP), or -EINVAL for a bad @region.
 *
 * Locking: the caller makes sure no other thread uses the handle meanwhile.
 *
 * On failure the output is not written.
 */
GPUVM_EXPORT int gpuvm_mali_uio_get_map(const struct gpuvm_mali_uio *uio,
					enum gpuvm_mali_uio_region region,
					struct gpuvm_mali_uio_map *out);

/**
 * gpuvm_mali_uio_index() - N of the /dev/uioN that was opened
 * @uio: the handle
 *
 * Returns: N of /dev/uioN.
 *
 * Locking: the caller makes sure no other thread uses the handle meanwhile.
 *
 * It cannot fail.
 */
GPUVM_EXPORT int gpuvm_mali_uio_index(const struct gpuvm_mali_uio *uio);

/**
 * gpuvm_mali_uio_fd() - the device's file descriptor
 * @uio: the handle
 *
 * For adding the interrupt to an event loop (it polls readable when an
 * interrupt arrived).  It is opened O_RDWR | O_NONBLOCK | O_CLOEXEC and owned
 * by @uio: do not close it.  A reader must consume exactly 4 bytes.
 *
 * Returns: the file descriptor of /dev/uioN (owned by @uio).
 *
 * It cannot fail.
 */
GPUVM_EXPORT int gpuvm_mali_uio_fd(const struct gpuvm_mali_uio *uio);

#ifdef __cplusplus
}
#endif

#endif /* GPUVM_MALI_UIO_H */
