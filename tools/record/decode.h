/* SPDX-License-Identifier: MIT */
/*
 * gpuvm-record's decoder: turns successful DRM ioctls into trace format v1
 * lines, one text per GPU VM.  It holds no lock and does no file I/O: the
 * caller (preload.c, or the fuzz target) serialises calls and receives the
 * text through rec_ctx.sink.
 */
#ifndef GPUVM_RECORD_DECODE_H
#define GPUVM_RECORD_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** enum rec_driver - the drivers gpuvm-record understands */
enum rec_driver {
	REC_DRV_NONE = 0,
	REC_DRV_PANTHOR,
	REC_DRV_XE,
	REC_DRV_NOUVEAU,
	REC_DRV_MSM,
	REC_DRV_ASAHI,
	REC_DRV_PVR,
	REC_DRV_PANFROST,
	REC_DRV_COUNT,
};

/** struct rec_map - open-addressing hash map, u32 key to u64 value */
struct rec_map {
	uint32_t *keys;
	uint64_t *vals;
	uint8_t *used;
	size_t cap;   /* power of two, or 0 */
	size_t count;
};

struct rec_file;

/** struct rec_vm - one GPU VM, one trace */
struct rec_vm {
	struct rec_vm *next;
	struct rec_file *file;
	uint32_t id;          /* the uAPI's VM id (0 for per-file VMs) */
	unsigned long name_id;/* the vmID of the file name */
	char *buf;            /* text not yet given to the sink */
	size_t len, cap;
	unsigned long lost;   /* lines dropped for lack of memory */
	char *path;           /* the sink's file, once created */
	uint32_t next_bo;     /* last BO id given out */
	uint32_t sparse_bo;   /* panthor: the dummy object's id, 0 = none yet */
	struct rec_map bo_ids;/* GEM handle -> BO id of this trace */
	char vm_line[100];    /* the trace's vm line, for a forked child */
};

/** struct rec_file - one open DRM file (shared by dup'ed descriptors) */
struct rec_file {
	struct rec_file *next;
	enum rec_driver drv;
	int fd;               /* the descriptor it was first seen on */
	unsigned refs;        /* descriptors referring to it */
	struct rec_vm *vms;
	struct rec_map bo_size;  /* handle -> size, for BOs created here */
	struct rec_map pf_va;    /* panfrost: handle -> GPU address */
	unsigned va_bits;        /* learned from a device query, or 0 */
	uint64_t va_start, va_size; /* msm / asahi, when va_known */
	bool va_start_known, va_size_known;
};

struct rec_ctx;

/** rec_sink_fn - receives a VM's text; called with @len > 0 */
typedef void (*rec_sink_fn)(struct rec_ctx *ctx, struct rec_vm *vm,
			    const char *text, size_t len);
/** rec_read_fn - copies @len bytes at user address @addr; 0 or -errno */
typedef int (*rec_read_fn)(void *dst, uint64_t addr, size_t len);

/** struct rec_ctx - the process's recording state */
struct rec_ctx {
	struct rec_file *files;
	rec_sink_fn sink;
	rec_read_fn read;
	pid_t pid;
	const char *cmdline;   /* for the header */
	const char *time;      /* for the header */
	unsigned long next_name_id; /* per-file VMs */
	size_t flush_threshold;/* give text to the sink past this many bytes */
};

/** rec_driver_from_name() - the driver of DRM_IOCTL_VERSION name @name */
enum rec_driver rec_driver_from_name(const char *name);
/** rec_driver_name() - the driver's name as used in file names */
const char *rec_driver_name(enum rec_driver drv);

/** rec_read_self() - rec_read_fn reading this process with process_vm_readv */
int rec_read_self(void *dst, uint64_t addr, size_t len);

/** rec_file_new() - start tracking a DRM file of driver @drv on @fd */
struct rec_file *rec_file_new(struct rec_ctx *ctx, enum rec_driver drv, int fd);
/** rec_file_close() - the file's last descriptor is gone: flush, free */
void rec_file_close(struct rec_ctx *ctx, struct rec_file *f);

/**
 * rec_decode() - record a request that returned 0
 * @ctx: the recording state
 * @f: the DRM file it was made on
 * @request: the ioctl request (type 'd')
 * @arg: the argument pointer the application passed
 */
void rec_decode(struct rec_ctx *ctx, struct rec_file *f,
		unsigned long request, uint64_t arg);

/** rec_flush_all() - give every VM's pending text to the sink */
void rec_flush_all(struct rec_ctx *ctx);
/** rec_flush_vm() - give @vm's pending text to the sink */
void rec_flush_vm(struct rec_ctx *ctx, struct rec_vm *vm);
/** rec_after_fork() - in a child: drop the parent's text, start new traces */
void rec_after_fork(struct rec_ctx *ctx);
/** rec_free_all() - free everything without flushing */
void rec_free_all(struct rec_ctx *ctx);

#endif
