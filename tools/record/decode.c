// SPDX-License-Identifier: MIT
/*
 * gpuvm-record's decoder (see decode.h and docs/recording.md).
 *
 * Every request is read the way the DRM core reads it: min(_IOC_SIZE,
 * our size) bytes, the rest zero.  Arrays behind user pointers are read
 * element by element, min(stride, element size) bytes each, through
 * rec_ctx.read (process_vm_readv on this process), so a bad pointer is an
 * error code, never a fault; the whole array is read once to validate it
 * before anything of it is recorded.  What cannot be decoded is written to
 * the trace as a comment.
 */
#include "decode.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "uapi.h"

#define REC_DEFAULT_VA_BITS 48
#define REC_NOUVEAU_VA_END (1ull << 47)
#define REC_PVR_VA_END (1ull << 40)
#define REC_PANFROST_VA_START 0x2000000ull
#define REC_PANFROST_VA_SIZE (0x100000000ull - 0x2000000ull)
#define REC_PAGE 4096ull
/* more elements than any driver accepts in one call */
#define REC_MAX_ELEMS (1u << 24)

static const char *const driver_names[REC_DRV_COUNT] = {
	[REC_DRV_NONE] = "none",
	[REC_DRV_PANTHOR] = "panthor",
	[REC_DRV_XE] = "xe",
	[REC_DRV_NOUVEAU] = "nouveau",
	[REC_DRV_MSM] = "msm",
	[REC_DRV_ASAHI] = "asahi",
	[REC_DRV_PVR] = "powervr",
	[REC_DRV_PANFROST] = "panfrost",
};

enum rec_driver rec_driver_from_name(const char *name)
{
	for (int d = REC_DRV_PANTHOR; d < REC_DRV_COUNT; d++)
		if (!strcmp(name, driver_names[d]))
			return (enum rec_driver)d;
	return REC_DRV_NONE;
}

const char *rec_driver_name(enum rec_driver drv)
{
	return drv < REC_DRV_COUNT ? driver_names[drv] : "none";
}

int rec_read_self(void *dst, uint64_t addr, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!addr || addr + len < addr)
		return -EFAULT;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* ------------------------------------------------------------------------ */
/* u32 -> u64 map                                                           */

static size_t map_slot(const struct rec_map *m, uint32_t key)
{
	return (size_t)(key * 2654435761u) & (m->cap - 1);
}

static bool map_get(const struct rec_map *m, uint32_t key, uint64_t *val)
{
	if (!m->cap)
		return false;
	for (size_t i = map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i])
			return false;
		if (m->keys[i] == key) {
			if (val)
				*val = m->vals[i];
			return true;
		}
	}
}

static int map_put(struct rec_map *m, uint32_t key, uint64_t val);

static int map_grow(struct rec_map *m)
{
	struct rec_map n = { 0 };

	n.cap = m->cap ? m->cap * 2 : 16;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	n.used = calloc(n.cap, 1);
	if (!n.keys || !n.vals || !n.used) {
		free(n.keys);
		free(n.vals);
		free(n.used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			map_put(&n, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	free(m->used);
	*m = n;
	return 0;
}

static int map_put(struct rec_map *m, uint32_t key, uint64_t val)
{
	size_t i;

	if ((m->count + 1) * 4 > m->cap * 3 && map_grow(m))
		return -ENOMEM;
	for (i = map_slot(m, key); m->used[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
	}
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = val;
	m->count++;
	return 0;
}

static void map_del(struct rec_map *m, uint32_t key)
{
	size_t i, j;

	if (!m->cap)
		return;
	for (i = map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i])
			return;
		if (m->keys[i] == key)
			break;
	}
	/* backward-shift deletion keeps every probe chain unbroken */
	m->used[i] = 0;
	m->count--;
	for (j = (i + 1) & (m->cap - 1); m->used[j]; j = (j + 1) & (m->cap - 1)) {
		size_t home = map_slot(m, m->keys[j]);
		bool stays = i <= j ? (home > i && home <= j)
				    : (home > i || home <= j);

		if (stays)
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		m->used[i] = 1;
		m->used[j] = 0;
		i = j;
	}
}

static void map_free(struct rec_map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------------ */
/* trace text                                                               */

static void vm_append(struct rec_vm *vm, const char *s, size_t n)
{
	if (vm->len + n > vm->cap) {
		size_t cap = vm->cap ? vm->cap : 1024;
		char *b;

		while (cap < vm->len + n)
			cap *= 2;
		b = realloc(vm->buf, cap);
		if (!b) {
			vm->lost++;
			return;
		}
		vm->buf = b;
		vm->cap = cap;
	}
	memcpy(vm->buf + vm->len, s, n);
	vm->len += n;
}

static void __attribute__((format(printf, 2, 3)))
vm_printf(struct rec_vm *vm, const char *fmt, ...)
{
	char line[320];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	vm_append(vm, line, (size_t)n);
}

#define X "0x%" PRIx64

static void vm_header(struct rec_ctx *ctx, struct rec_vm *vm)
{
	vm_printf(vm, "# gpuvm-record trace (format v1)\n# driver: %s\n# pid: %ld\n",
		  rec_driver_name(vm->file->drv), (long)ctx->pid);
	vm_append(vm, "# command: ", 11);
	if (ctx->cmdline)
		vm_append(vm, ctx->cmdline, strlen(ctx->cmdline));
	vm_printf(vm, "\n# time: %s\n# vm: id %" PRIu32 " on file descriptor %d\n",
		  ctx->time ? ctx->time : "unknown", vm->id, vm->file->fd);
}

static void vm_line(struct rec_vm *vm, uint64_t start, uint64_t range,
		    uint64_t resv, uint64_t resv_range)
{
	/* what the replay accepts: an end of at most 2^64, the reserved
	 * region inside; a driver's own numbers always are */
	if (!range || (start && range > 0 - start)) {
		vm_printf(vm, "# gpuvm-record: VA range " X " + " X " unusable, "
			  "default [0, 2^48) instead\n", start, range);
		start = 0;
		range = 1ull << REC_DEFAULT_VA_BITS;
	}
	if (resv_range && (resv < start || resv - start > range - 1 ||
			   resv_range > range - (resv - start))) {
		vm_printf(vm, "# gpuvm-record: reserved range " X " + " X
			  " outside the VM, left out\n", resv, resv_range);
		resv_range = 0;
	}
	if (resv_range)
		snprintf(vm->vm_line, sizeof(vm->vm_line),
			 "vm " X " " X " " X " " X "\n", start, range, resv,
			 resv_range);
	else
		snprintf(vm->vm_line, sizeof(vm->vm_line), "vm " X " " X "\n",
			 start, range);
	vm_append(vm, vm->vm_line, strlen(vm->vm_line));
}

static void vm_free(struct rec_vm *vm)
{
	map_free(&vm->bo_ids);
	free(vm->buf);
	free(vm->path);
	free(vm);
}

void rec_flush_vm(struct rec_ctx *ctx, struct rec_vm *vm)
{
	if (vm->lost) {
		char note[96];
		int n = snprintf(note, sizeof(note),
				 "# gpuvm-record: %lu lines lost (out of memory)\n",
				 vm->lost);

		vm->lost = 0;
		vm_append(vm, note, (size_t)n);
	}
	if (vm->len && ctx->sink)
		ctx->sink(ctx, vm, vm->buf, vm->len);
	vm->len = 0;
}

void rec_flush_all(struct rec_ctx *ctx)
{
	for (struct rec_file *f = ctx->files; f; f = f->next)
		for (struct rec_vm *vm = f->vms; vm; vm = vm->next)
			rec_flush_vm(ctx, vm);
}

static struct rec_vm *vm_find(struct rec_file *f, uint32_t id)
{
	for (struct rec_vm *vm = f->vms; vm; vm = vm->next)
		if (vm->id == id)
			return vm;
	return NULL;
}

static void vm_destroy(struct rec_ctx *ctx, struct rec_vm *vm)
{
	struct rec_vm **pp = &vm->file->vms;

	rec_flush_vm(ctx, vm);
	while (*pp != vm)
		pp = &(*pp)->next;
	*pp = vm->next;
	vm_free(vm);
}

/*
 * A new VM @id on @f; @per_file: the driver has one VM per file, whose name
 * takes a number of its own.  The header goes in, not the vm line.  A VM
 * of the same id still known (its destroy was missed) is closed first.
 */
static struct rec_vm *vm_new(struct rec_ctx *ctx, struct rec_file *f,
			     uint32_t id, bool per_file)
{
	struct rec_vm *vm = vm_find(f, id);

	if (vm)
		vm_destroy(ctx, vm);
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->file = f;
	vm->id = id;
	vm->name_id = per_file ? ++ctx->next_name_id : id;
	vm->next = f->vms;
	f->vms = vm;
	vm_header(ctx, vm);
	return vm;
}

/* Where a note about @f goes when there is no VM to hand. */
static struct rec_vm *note_vm(struct rec_file *f, struct rec_vm *vm)
{
	return vm ? vm : f->vms;
}

#define NOTE(f, vm, ...)						\
	do {								\
		struct rec_vm *note_to_ = note_vm((f), (vm));		\
		if (note_to_)						\
			vm_printf(note_to_, "# gpuvm-record: " __VA_ARGS__); \
	} while (0)

/*
 * The trace's BO id of GEM handle @handle, given out on first appearance
 * with its `bo` line (or a comment when the size is unknown).
 */
static uint32_t bo_id(struct rec_vm *vm, uint32_t handle)
{
	uint64_t id, size;

	if (map_get(&vm->bo_ids, handle, &id))
		return (uint32_t)id;
	id = ++vm->next_bo;
	if (map_put(&vm->bo_ids, handle, id))
		vm->lost++;
	if (map_get(&vm->file->bo_size, handle, &size) && size)
		vm_printf(vm, "bo %" PRIu64 " " X " # GEM handle %" PRIu32 "\n",
			  id, size, handle);
	else
		vm_printf(vm, "# bo %" PRIu64 ": GEM handle %" PRIu32
			  ", size unknown (created before recording, or imported)\n",
			  id, handle);
	return (uint32_t)id;
}

/* A BO id for an object of the driver's own or a userptr range. */
static uint32_t own_bo_id(struct rec_vm *vm)
{
	return ++vm->next_bo;
}

/* ------------------------------------------------------------------------ */
/* reading user memory                                                      */

/*
 * Read the ioctl argument into @dst (@size bytes), as the DRM core does.
 * Returns false (after a note) when it cannot be read.
 */
static bool read_arg(struct rec_ctx *ctx, struct rec_file *f,
		     unsigned long request, uint64_t arg, void *dst,
		     size_t size, const char *what)
{
	size_t usize = _IOC_SIZE(request);
	size_t n = usize < size ? usize : size;
	int err;

	memset(dst, 0, size);
	err = ctx->read(dst, arg, n);
	if (err) {
		NOTE(f, NULL, "%s: argument at " X " unreadable (%s), not recorded\n",
		     what, arg, strerror(-err));
		return false;
	}
	if (usize < size)
		NOTE(f, NULL, "%s: short argument (%zu of %zu bytes), the rest read as zero\n",
		     what, usize, size);
	return true;
}

typedef void (*elem_fn)(struct rec_ctx *ctx, struct rec_vm *vm,
			const void *elem);

/*
 * Run @fn on each of the @count elements of @stride bytes at @addr (each
 * read as min(@stride, @size) bytes, the rest zero), after checking that
 * the whole array can be read.  @min_stride: the smallest stride the
 * driver accepts.
 */
static void for_each_elem(struct rec_ctx *ctx, struct rec_vm *vm,
			  const char *what, uint64_t addr, uint64_t count,
			  uint64_t stride, size_t min_stride, size_t size,
			  elem_fn fn)
{
	unsigned char elem[128];
	size_t n = stride < size ? (size_t)stride : size;
	int err = 0;
	uint64_t i;

	if (!count)
		return;
	if (stride < min_stride || count > REC_MAX_ELEMS ||
	    (count - 1) > (UINT64_MAX - addr) / stride) {
		vm_printf(vm, "# gpuvm-record: %s: malformed array (count %" PRIu64
			  ", stride %" PRIu64 ", at " X "), not recorded\n",
			  what, count, stride, addr);
		return;
	}
	for (i = 0; i < count && !err; i++)
		err = ctx->read(elem, addr + i * stride, n);
	if (err) {
		vm_printf(vm, "# gpuvm-record: %s: element %" PRIu64 " of %" PRIu64
			  " at " X " unreadable (%s), not recorded\n",
			  what, i - 1, count, addr + (i - 1) * stride,
			  strerror(-err));
		return;
	}
	for (i = 0; i < count; i++) {
		memset(elem, 0, size);
		err = ctx->read(elem, addr + i * stride, n);
		if (err) {
			vm_printf(vm, "# gpuvm-record: %s: element %" PRIu64
				  " became unreadable, the rest not recorded\n",
				  what, i);
			return;
		}
		fn(ctx, vm, elem);
	}
}

/*
 * A query's answer at @addr (@size bytes) holds the VA bits in the low byte
 * of the @width-byte field at @off (little endian): remember them.
 */
static void learn_va_bits(struct rec_ctx *ctx, struct rec_file *f,
			  uint64_t addr, uint64_t size, size_t off, size_t width)
{
	uint64_t v = 0;

	if (!addr || size < off + width || ctx->read(&v, addr + off, width))
		return;
	v &= width == 4 ? 0xff : UINT64_MAX;
	if (v && v <= 64)
		f->va_bits = (unsigned)v;
}

static unsigned va_bits(const struct rec_file *f)
{
	return f->va_bits ? f->va_bits : REC_DEFAULT_VA_BITS;
}

static uint64_t bits_range(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : 1ull << bits;
}

/* The VM of a per-file-VM driver, created with a default range if new. */
static struct rec_vm *file_vm(struct rec_ctx *ctx, struct rec_file *f)
{
	struct rec_vm *vm = f->vms;
	uint64_t start = 0, size = bits_range(REC_DEFAULT_VA_BITS);

	if (vm)
		return vm;
	vm = vm_new(ctx, f, 0, true);
	if (!vm)
		return NULL;
	switch (f->drv) {
	case REC_DRV_PANFROST:
		vm_printf(vm, "# panfrost: one VM per file, 32 MiB to 4 GiB\n");
		start = REC_PANFROST_VA_START;
		size = REC_PANFROST_VA_SIZE;
		break;
	case REC_DRV_MSM:
		if (f->va_start_known && f->va_size_known && f->va_size) {
			vm_printf(vm, "# msm: one VM per file, range from MSM_PARAM_VA_START/VA_SIZE\n");
			start = f->va_start;
			size = f->va_size;
		} else {
			vm_printf(vm, "# msm: one VM per file, VA range not seen: default [0, 2^48)\n");
		}
		break;
	default:
		vm_printf(vm, "# VM created before recording started: default range [0, 2^48)\n");
		break;
	}
	vm_line(vm, start, size, 0, 0);
	return vm;
}

/* A VM the application names by id but that was created unseen. */
static struct rec_vm *id_vm(struct rec_ctx *ctx, struct rec_file *f,
			    uint32_t id)
{
	struct rec_vm *vm = vm_find(f, id);

	if (vm)
		return vm;
	vm = vm_new(ctx, f, id, false);
	if (!vm)
		return NULL;
	vm_printf(vm, "# VM created before recording started: default range [0, 2^%u)\n",
		  va_bits(f));
	vm_line(vm, 0, bits_range(va_bits(f)), 0, 0);
	return vm;
}

/* ------------------------------------------------------------------------ */
/* panthor                                                                  */

static void panthor_op(struct rec_ctx *ctx, struct rec_vm *vm, const void *e)
{
	const struct rec_panthor_vm_bind_op *op = e;
	uint32_t type = op->flags & REC_PANTHOR_BIND_TYPE_MASK;

	(void)ctx;
	switch (type) {
	case REC_PANTHOR_BIND_TYPE_MAP:
		if (op->flags & REC_PANTHOR_BIND_MAP_SPARSE) {
			if (!vm->sparse_bo) {
				vm->sparse_bo = own_bo_id(vm);
				vm_printf(vm, "# bo %" PRIu32 ": panthor's per-file dummy object, "
					  "mapped cyclically from offset 0 by sparse maps\n",
					  vm->sparse_bo);
			}
			vm_printf(vm, "map " X " " X " %" PRIu32 " 0x0 # sparse\n",
				  op->va, op->size, vm->sparse_bo);
			break;
		}
		{
			uint32_t id = bo_id(vm, op->bo_handle);

			vm_printf(vm, "map " X " " X " %" PRIu32 " " X "%s%s%s%s\n",
				  op->va, op->size, id, op->bo_offset,
				  op->flags & 7 ? " #" : "",
				  op->flags & REC_PANTHOR_BIND_MAP_READONLY ? " readonly" : "",
				  op->flags & REC_PANTHOR_BIND_MAP_NOEXEC ? " noexec" : "",
				  op->flags & REC_PANTHOR_BIND_MAP_UNCACHED ? " uncached" : "");
		}
		break;
	case REC_PANTHOR_BIND_TYPE_UNMAP:
		vm_printf(vm, "unmap " X " " X "\n", op->va, op->size);
		break;
	case REC_PANTHOR_BIND_TYPE_SYNC_ONLY:
		vm_printf(vm, "# sync-only op\n");
		break;
	default:
		vm_printf(vm, "# gpuvm-record: unknown op type 0x%" PRIx32 ", skipped\n",
			  type >> 28);
		break;
	}
}

static void panthor(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
		    unsigned long req, uint64_t arg)
{
	switch (cmd) {
	case REC_PANTHOR_DEV_QUERY: {
		struct rec_panthor_dev_query q;

		if (read_arg(ctx, f, req, arg, &q, sizeof(q), "DEV_QUERY") &&
		    q.type == REC_PANTHOR_QUERY_GPU_INFO)
			learn_va_bits(ctx, f, q.pointer, q.size,
				      REC_PANTHOR_GPU_INFO_MMU_FEATURES, 4);
		return;
	}
	case REC_PANTHOR_VM_CREATE: {
		struct rec_panthor_vm_create c;
		struct rec_vm *vm;
		uint64_t full = bits_range(va_bits(f));

		if (!read_arg(ctx, f, req, arg, &c, sizeof(c), "VM_CREATE"))
			return;
		vm = vm_new(ctx, f, c.id, false);
		if (!vm)
			return;
		vm_printf(vm, "# panthor: user VA [0, " X "), kernel VA above it; %u VA bits (%s)\n",
			  c.user_va_range, va_bits(f),
			  f->va_bits ? "from DEV_QUERY" : "default");
		if (c.user_va_range && c.user_va_range < full)
			vm_line(vm, 0, full, c.user_va_range, full - c.user_va_range);
		else
			vm_line(vm, 0, full, 0, 0);
		return;
	}
	case REC_PANTHOR_VM_BIND: {
		struct rec_panthor_vm_bind b;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &b, sizeof(b), "VM_BIND"))
			return;
		vm = id_vm(ctx, f, b.vm_id);
		if (!vm)
			return;
		if (b.flags & REC_PANTHOR_BIND_ASYNC)
			vm_printf(vm, "# VM_BIND async: %" PRIu32 " ops queued\n",
				  b.ops.count);
		for_each_elem(ctx, vm, "VM_BIND", b.ops.array, b.ops.count,
			      b.ops.stride, sizeof(struct rec_panthor_vm_bind_op),
			      sizeof(struct rec_panthor_vm_bind_op), panthor_op);
		return;
	}
	default:
		return;
	}
}

/* ------------------------------------------------------------------------ */
/* xe                                                                       */

static void xe_op(struct rec_ctx *ctx, struct rec_vm *vm, const void *e)
{
	const struct rec_xe_vm_bind_op *op = e;
	uint32_t id;

	(void)ctx;
	switch (op->op) {
	case REC_XE_BIND_OP_MAP:
		if (op->flags & REC_XE_BIND_FLAG_NULL) {
			vm_printf(vm, "map " X " " X " 0 0x0 # NULL binding\n",
				  op->addr, op->range);
			break;
		}
		if (!op->obj) {
			/* no GEM object: a CPU address mirror (SVM) range */
			vm_printf(vm, "map " X " " X " 0 0x0 # no object (CPU address mirror)\n",
				  op->addr, op->range);
			break;
		}
		id = bo_id(vm, op->obj);
		vm_printf(vm, "map " X " " X " %" PRIu32 " " X "%s\n", op->addr,
			  op->range, id, op->obj_offset,
			  op->flags & REC_XE_BIND_FLAG_READONLY ? " # readonly" : "");
		break;
	case REC_XE_BIND_OP_UNMAP:
		vm_printf(vm, "unmap " X " " X "\n", op->addr, op->range);
		break;
	case REC_XE_BIND_OP_MAP_USERPTR:
		id = own_bo_id(vm);
		if (op->range)
			vm_printf(vm, "bo %" PRIu32 " " X " # userptr " X "\n",
				  id, op->range, op->obj_offset);
		vm_printf(vm, "map " X " " X " %" PRIu32 " 0x0 # userptr " X "\n",
			  op->addr, op->range, id, op->obj_offset);
		break;
	case REC_XE_BIND_OP_UNMAP_ALL:
		id = bo_id(vm, op->obj);
		vm_printf(vm, "bo-unmap %" PRIu32 "\n", id);
		break;
	case REC_XE_BIND_OP_PREFETCH:
		vm_printf(vm, "prefetch " X " " X " # region %" PRIu32 "\n",
			  op->addr, op->range, op->prefetch_mem_region_instance);
		break;
	default:
		vm_printf(vm, "# gpuvm-record: unknown xe op %" PRIu32 ", skipped\n",
			  op->op);
		break;
	}
}

static void xe(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
	       unsigned long req, uint64_t arg)
{
	switch (cmd) {
	case REC_XE_DEVICE_QUERY: {
		struct rec_xe_device_query q;

		if (read_arg(ctx, f, req, arg, &q, sizeof(q), "DEVICE_QUERY") &&
		    q.query == REC_XE_QUERY_CONFIG)
			learn_va_bits(ctx, f, q.data, q.size,
				      REC_XE_CONFIG_VA_BITS_OFFSET, 8);
		return;
	}
	case REC_XE_VM_CREATE: {
		struct rec_xe_vm_create c;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &c, sizeof(c), "VM_CREATE"))
			return;
		vm = vm_new(ctx, f, c.vm_id, false);
		if (!vm)
			return;
		vm_printf(vm, "# xe: flags 0x%" PRIx32 "; %u VA bits (%s)\n", c.flags,
			  va_bits(f), f->va_bits ? "from DEVICE_QUERY" : "default");
		vm_line(vm, 0, bits_range(va_bits(f)), 0, 0);
		return;
	}
	case REC_XE_VM_BIND: {
		struct rec_xe_vm_bind b;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &b, sizeof(b), "VM_BIND"))
			return;
		vm = id_vm(ctx, f, b.vm_id);
		if (!vm)
			return;
		if (b.exec_queue_id)
			vm_printf(vm, "# VM_BIND on bind queue %" PRIu32 "\n",
				  b.exec_queue_id);
		if (b.num_binds == 1)
			xe_op(ctx, vm, &b.bind);
		else
			for_each_elem(ctx, vm, "VM_BIND", b.vector_of_binds,
				      b.num_binds, sizeof(struct rec_xe_vm_bind_op),
				      sizeof(struct rec_xe_vm_bind_op),
				      sizeof(struct rec_xe_vm_bind_op), xe_op);
		return;
	}
	default:
		return;
	}
}

/* ------------------------------------------------------------------------ */
/* nouveau                                                                  */

static void nouveau_op(struct rec_ctx *ctx, struct rec_vm *vm, const void *e)
{
	const struct rec_nouveau_vm_bind_op *op = e;
	bool sparse = op->flags & REC_NOUVEAU_BIND_SPARSE;

	(void)ctx;
	if (op->op == REC_NOUVEAU_BIND_OP_MAP && sparse) {
		vm_printf(vm, "# sparse region " X " " X " (kept outside GPUVM)\n",
			  op->addr, op->range);
	} else if (op->op == REC_NOUVEAU_BIND_OP_MAP) {
		uint32_t id = bo_id(vm, op->handle);

		vm_printf(vm, "map " X " " X " %" PRIu32 " " X "\n", op->addr,
			  op->range, id, op->bo_offset);
	} else if (op->op == REC_NOUVEAU_BIND_OP_UNMAP) {
		vm_printf(vm, "unmap " X " " X "%s\n", op->addr, op->range,
			  sparse ? " # sparse region removed" : "");
	} else {
		vm_printf(vm, "# gpuvm-record: unknown nouveau op %" PRIu32 ", skipped\n",
			  op->op);
	}
}

static void nouveau(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
		    unsigned long req, uint64_t arg)
{
	switch (cmd) {
	case REC_NOUVEAU_VM_INIT: {
		struct rec_nouveau_vm_init in;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &in, sizeof(in), "VM_INIT"))
			return;
		vm = vm_new(ctx, f, 0, true);
		if (!vm)
			return;
		vm_printf(vm, "# nouveau: one VM per file, 47 VA bits, kernel-managed region reserved\n");
		vm_line(vm, 0, REC_NOUVEAU_VA_END, in.kernel_managed_addr,
			in.kernel_managed_size);
		return;
	}
	case REC_NOUVEAU_VM_BIND: {
		struct rec_nouveau_vm_bind b;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &b, sizeof(b), "VM_BIND"))
			return;
		vm = file_vm(ctx, f);
		if (!vm)
			return;
		if (b.flags & REC_NOUVEAU_BIND_RUN_ASYNC)
			vm_printf(vm, "# VM_BIND async: %" PRIu32 " ops queued\n",
				  b.op_count);
		for_each_elem(ctx, vm, "VM_BIND", b.op_ptr, b.op_count,
			      sizeof(struct rec_nouveau_vm_bind_op),
			      sizeof(struct rec_nouveau_vm_bind_op),
			      sizeof(struct rec_nouveau_vm_bind_op), nouveau_op);
		return;
	}
	default:
		return;
	}
}

/* ------------------------------------------------------------------------ */
/* msm                                                                      */

static void msm_op(struct rec_ctx *ctx, struct rec_vm *vm, const void *e)
{
	const struct rec_msm_vm_bind_op *op = e;

	(void)ctx;
	switch (op->op) {
	case REC_MSM_BIND_OP_MAP: {
		uint32_t id = bo_id(vm, op->handle);

		vm_printf(vm, "map " X " " X " %" PRIu32 " " X "\n", op->iova,
			  op->range, id, op->obj_offset);
		break;
	}
	case REC_MSM_BIND_OP_MAP_NULL:
		vm_printf(vm, "map " X " " X " 0 0x0 # MAP_NULL\n", op->iova,
			  op->range);
		break;
	case REC_MSM_BIND_OP_UNMAP:
		vm_printf(vm, "unmap " X " " X "\n", op->iova, op->range);
		break;
	default:
		vm_printf(vm, "# gpuvm-record: unknown msm op %" PRIu32 ", skipped\n",
			  op->op);
		break;
	}
}

static void msm(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
		unsigned long req, uint64_t arg)
{
	switch (cmd) {
	case REC_MSM_GET_PARAM: {
		struct rec_msm_param p;

		if (!read_arg(ctx, f, req, arg, &p, sizeof(p), "GET_PARAM"))
			return;
		if (p.param == REC_MSM_PARAM_VA_START) {
			f->va_start = p.value;
			f->va_start_known = true;
		} else if (p.param == REC_MSM_PARAM_VA_SIZE) {
			f->va_size = p.value;
			f->va_size_known = true;
		}
		return;
	}
	case REC_MSM_VM_BIND: {
		struct rec_msm_vm_bind b;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &b, sizeof(b), "VM_BIND"))
			return;
		vm = file_vm(ctx, f);
		if (!vm)
			return;
		if (b.queue_id)
			vm_printf(vm, "# VM_BIND on submit queue %" PRIu32 "\n",
				  b.queue_id);
		if (b.nr_ops == 1)
			msm_op(ctx, vm, &b.op);
		else
			for_each_elem(ctx, vm, "VM_BIND", b.ops, b.nr_ops,
				      b.op_stride,
				      offsetof(struct rec_msm_vm_bind_op, flags),
				      sizeof(struct rec_msm_vm_bind_op), msm_op);
		return;
	}
	default:
		return;
	}
}

/* ------------------------------------------------------------------------ */
/* asahi                                                                    */

static void asahi_op(struct rec_ctx *ctx, struct rec_vm *vm, const void *e)
{
	const struct rec_asahi_gem_bind_op *op = e;

	(void)ctx;
	if (op->flags & REC_ASAHI_BIND_UNBIND) {
		vm_printf(vm, "unmap " X " " X "\n", op->addr, op->range);
	} else {
		uint32_t id = bo_id(vm, op->handle);

		vm_printf(vm, "map " X " " X " %" PRIu32 " " X "%s\n", op->addr,
			  op->range, id, op->offset,
			  op->flags & REC_ASAHI_BIND_SINGLE_PAGE ?
			  " # single page repeated" : "");
	}
}

static void asahi(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
		  unsigned long req, uint64_t arg)
{
	switch (cmd) {
	case REC_ASAHI_GET_PARAMS: {
		struct rec_asahi_get_params p;
		uint64_t range[2];

		if (!read_arg(ctx, f, req, arg, &p, sizeof(p), "GET_PARAMS"))
			return;
		if (!p.param_group && p.pointer &&
		    p.size >= offsetof(struct rec_asahi_params_global, vm_end) + 8 &&
		    !ctx->read(range, p.pointer +
			       offsetof(struct rec_asahi_params_global, vm_start),
			       sizeof(range)) &&
		    range[1] > range[0]) {
			f->va_start = range[0];
			f->va_size = range[1] - range[0];
			f->va_start_known = f->va_size_known = true;
		}
		return;
	}
	case REC_ASAHI_VM_CREATE: {
		struct rec_asahi_vm_create c;
		struct rec_vm *vm;
		uint64_t start = 0, size = bits_range(REC_DEFAULT_VA_BITS);

		if (!read_arg(ctx, f, req, arg, &c, sizeof(c), "VM_CREATE"))
			return;
		vm = vm_new(ctx, f, c.vm_id, false);
		if (!vm)
			return;
		if (f->va_start_known && f->va_size_known) {
			start = f->va_start;
			size = f->va_size;
		}
		vm_printf(vm, "# asahi: VA range %s, kernel range [" X ", " X ") reserved\n",
			  f->va_start_known ? "from GET_PARAMS" : "not seen: default [0, 2^48)",
			  c.kernel_start, c.kernel_end);
		if (c.kernel_end > c.kernel_start && c.kernel_start >= start &&
		    c.kernel_end - start <= size)
			vm_line(vm, start, size, c.kernel_start,
				c.kernel_end - c.kernel_start);
		else
			vm_line(vm, start, size, 0, 0);
		return;
	}
	case REC_ASAHI_VM_BIND: {
		struct rec_asahi_vm_bind b;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &b, sizeof(b), "VM_BIND"))
			return;
		vm = id_vm(ctx, f, b.vm_id);
		if (!vm)
			return;
		for_each_elem(ctx, vm, "VM_BIND", b.userptr, b.num_binds, b.stride,
			      sizeof(struct rec_asahi_gem_bind_op),
			      sizeof(struct rec_asahi_gem_bind_op), asahi_op);
		return;
	}
	default:
		return;
	}
}

/* ------------------------------------------------------------------------ */
/* powervr                                                                  */

static void pvr(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
		unsigned long req, uint64_t arg)
{
	switch (cmd) {
	case REC_PVR_CREATE_VM_CONTEXT: {
		struct rec_pvr_vm_context c;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &c, sizeof(c), "CREATE_VM_CONTEXT"))
			return;
		vm = vm_new(ctx, f, c.handle, false);
		if (!vm)
			return;
		vm_printf(vm, "# powervr: 40 VA bits (default)\n");
		vm_line(vm, 0, REC_PVR_VA_END, 0, 0);
		return;
	}
	case REC_PVR_VM_MAP: {
		struct rec_pvr_vm_map m;
		struct rec_vm *vm;
		uint32_t id;

		if (!read_arg(ctx, f, req, arg, &m, sizeof(m), "VM_MAP") ||
		    !(vm = id_vm(ctx, f, m.vm_context_handle)))
			return;
		id = bo_id(vm, m.handle);
		vm_printf(vm, "map " X " " X " %" PRIu32 " " X "\n", m.device_addr,
			  m.size, id, m.offset);
		return;
	}
	case REC_PVR_VM_UNMAP: {
		struct rec_pvr_vm_unmap u;
		struct rec_vm *vm;

		if (!read_arg(ctx, f, req, arg, &u, sizeof(u), "VM_UNMAP") ||
		    !(vm = id_vm(ctx, f, u.vm_context_handle)))
			return;
		vm_printf(vm, "unmap " X " " X "\n", u.device_addr, u.size);
		return;
	}
	default:
		return;
	}
}

/* ------------------------------------------------------------------------ */
/* panfrost                                                                 */

static void panfrost(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
		     unsigned long req, uint64_t arg)
{
	struct rec_panfrost_create_bo b;
	struct rec_vm *vm;
	uint64_t size;
	uint32_t id;

	if (cmd != REC_PANFROST_CREATE_BO ||
	    !read_arg(ctx, f, req, arg, &b, sizeof(b), "CREATE_BO") ||
	    !(vm = file_vm(ctx, f)))
		return;
	size = ((uint64_t)b.size + REC_PAGE - 1) & ~(REC_PAGE - 1);
	map_put(&f->bo_size, b.handle, size);
	map_put(&f->pf_va, b.handle, b.offset);
	id = bo_id(vm, b.handle);
	vm_printf(vm, "map " X " " X " %" PRIu32 " 0x0%s\n", b.offset, size, id,
		  b.flags & REC_PANFROST_BO_HEAP ? " # heap, grown on fault" : "");
}

/* ------------------------------------------------------------------------ */

/*
 * Requests whose whole effect is one field: a GEM create gives a handle
 * its size, a VM destroy closes the trace of a VM id (at offset 0).
 */
enum simple_kind { SIMPLE_BO, SIMPLE_DESTROY };

struct simple_req {
	enum rec_driver drv;
	unsigned cmd;
	enum simple_kind kind;
	const char *what;
	size_t size, handle_off, size_off;
};

#define BO_REQ(d, c, type, h, sz) \
	{ d, c, SIMPLE_BO, #c, sizeof(type), offsetof(type, h), offsetof(type, sz) }
#define DESTROY_REQ(d, c, type) \
	{ d, c, SIMPLE_DESTROY, #c, sizeof(type), 0, 0 }

static const struct simple_req simple_reqs[] = {
	BO_REQ(REC_DRV_PANTHOR, REC_PANTHOR_BO_CREATE, struct rec_panthor_bo_create, handle, size),
	BO_REQ(REC_DRV_XE, REC_XE_GEM_CREATE, struct rec_xe_gem_create, handle, size),
	BO_REQ(REC_DRV_NOUVEAU, REC_NOUVEAU_GEM_NEW, struct rec_nouveau_gem_new, info.handle, info.size),
	BO_REQ(REC_DRV_MSM, REC_MSM_GEM_NEW, struct rec_msm_gem_new, handle, size),
	BO_REQ(REC_DRV_ASAHI, REC_ASAHI_GEM_CREATE, struct rec_asahi_gem_create, handle, size),
	BO_REQ(REC_DRV_PVR, REC_PVR_CREATE_BO, struct rec_pvr_create_bo, handle, size),
	DESTROY_REQ(REC_DRV_PANTHOR, REC_PANTHOR_VM_DESTROY, struct rec_panthor_vm_destroy),
	DESTROY_REQ(REC_DRV_XE, REC_XE_VM_DESTROY, struct rec_xe_vm_destroy),
	DESTROY_REQ(REC_DRV_ASAHI, REC_ASAHI_VM_DESTROY, struct rec_asahi_vm_destroy),
	DESTROY_REQ(REC_DRV_PVR, REC_PVR_DESTROY_VM_CONTEXT, struct rec_pvr_vm_context),
};
/* the largest of simple_reqs[] fits simple()'s buffer */
_Static_assert(sizeof(struct rec_xe_gem_create) <= 64, "simple buffer");
_Static_assert(offsetof(struct rec_panthor_vm_destroy, id) == 0, "id first");
_Static_assert(offsetof(struct rec_xe_vm_destroy, vm_id) == 0, "id first");
_Static_assert(offsetof(struct rec_asahi_vm_destroy, vm_id) == 0, "id first");
_Static_assert(offsetof(struct rec_pvr_vm_context, handle) == 0, "id first");

/* Handle @cmd if it is one of simple_reqs[]; false if it is not. */
static bool simple(struct rec_ctx *ctx, struct rec_file *f, unsigned cmd,
		   unsigned long req, uint64_t arg)
{
	for (size_t i = 0; i < sizeof(simple_reqs) / sizeof(simple_reqs[0]); i++) {
		const struct simple_req *s = &simple_reqs[i];
		unsigned char buf[64];
		uint32_t handle;
		uint64_t size;
		struct rec_vm *vm;

		if (s->drv != f->drv || s->cmd != cmd)
			continue;
		if (!read_arg(ctx, f, req, arg, buf, s->size, s->what))
			return true;
		memcpy(&handle, buf + s->handle_off, sizeof(handle));
		if (s->kind == SIMPLE_BO) {
			memcpy(&size, buf + s->size_off, sizeof(size));
			map_put(&f->bo_size, handle, size);
		} else if ((vm = vm_find(f, handle))) {
			vm_destroy(ctx, vm);
		}
		return true;
	}
	return false;
}

static void gem_close(struct rec_ctx *ctx, struct rec_file *f,
		      unsigned long req, uint64_t arg)
{
	struct rec_gem_close c;
	uint64_t va, size;

	if (!read_arg(ctx, f, req, arg, &c, sizeof(c), "GEM_CLOSE"))
		return;
	if (f->drv == REC_DRV_PANFROST && map_get(&f->pf_va, c.handle, &va) &&
	    map_get(&f->bo_size, c.handle, &size) && f->vms)
		vm_printf(f->vms, "unmap " X " " X " # GEM handle %" PRIu32 " closed\n",
			  va, size, c.handle);
	map_del(&f->pf_va, c.handle);
	map_del(&f->bo_size, c.handle);
	for (struct rec_vm *vm = f->vms; vm; vm = vm->next)
		map_del(&vm->bo_ids, c.handle);
}

void rec_decode(struct rec_ctx *ctx, struct rec_file *f,
		unsigned long request, uint64_t arg)
{
	unsigned nr = _IOC_NR(request);

	if (_IOC_TYPE(request) != REC_DRM_TYPE)
		return;
	if (nr == REC_DRM_NR_GEM_CLOSE) {
		gem_close(ctx, f, request, arg);
	} else if (nr >= REC_DRM_COMMAND_BASE) {
		unsigned cmd = nr - REC_DRM_COMMAND_BASE;

		switch (simple(ctx, f, cmd, request, arg) ? REC_DRV_NONE : f->drv) {
		case REC_DRV_PANTHOR:
			panthor(ctx, f, cmd, request, arg);
			break;
		case REC_DRV_XE:
			xe(ctx, f, cmd, request, arg);
			break;
		case REC_DRV_NOUVEAU:
			nouveau(ctx, f, cmd, request, arg);
			break;
		case REC_DRV_MSM:
			msm(ctx, f, cmd, request, arg);
			break;
		case REC_DRV_ASAHI:
			asahi(ctx, f, cmd, request, arg);
			break;
		case REC_DRV_PVR:
			pvr(ctx, f, cmd, request, arg);
			break;
		case REC_DRV_PANFROST:
			panfrost(ctx, f, cmd, request, arg);
			break;
		default:
			break;
		}
	}
	for (struct rec_vm *vm = f->vms; vm; vm = vm->next)
		if (vm->len && vm->len >= ctx->flush_threshold)
			rec_flush_vm(ctx, vm);
}

struct rec_file *rec_file_new(struct rec_ctx *ctx, enum rec_driver drv, int fd)
{
	struct rec_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->drv = drv;
	f->fd = fd;
	f->refs = 1;
	f->next = ctx->files;
	ctx->files = f;
	return f;
}

void rec_file_close(struct rec_ctx *ctx, struct rec_file *f)
{
	struct rec_file **pp = &ctx->files;

	while (f->vms) {
		vm_printf(f->vms, "# file closed: the VM is gone\n");
		vm_destroy(ctx, f->vms);
	}
	while (*pp && *pp != f)
		pp = &(*pp)->next;
	if (*pp)
		*pp = f->next;
	map_free(&f->bo_size);
	map_free(&f->pf_va);
	free(f);
}

void rec_after_fork(struct rec_ctx *ctx)
{
	for (struct rec_file *f = ctx->files; f; f = f->next) {
		for (struct rec_vm *vm = f->vms; vm; vm = vm->next) {
			vm->len = 0;
			vm->lost = 0;
			free(vm->path);
			vm->path = NULL;
			map_free(&vm->bo_ids);
			vm->next_bo = 0;
			vm->sparse_bo = 0;
			vm_header(ctx, vm);
			vm_printf(vm, "# forked: what was bound before the fork is in the parent's trace\n");
			vm_append(vm, vm->vm_line, strlen(vm->vm_line));
		}
	}
}

void rec_free_all(struct rec_ctx *ctx)
{
	while (ctx->files) {
		struct rec_file *f = ctx->files;

		while (f->vms) {
			struct rec_vm *vm = f->vms;

			f->vms = vm->next;
			vm_free(vm);
		}
		ctx->files = f->next;
		map_free(&f->bo_size);
		map_free(&f->pf_va);
		free(f);
	}
}
