// SPDX-License-Identifier: MIT
/*
 * Fuzz target: gpuvm-record's decoder (tools/record/decode.c) fed
 * arbitrary ioctl sequences, as if each had returned 0.
 *
 * Input: byte 0 picks the driver; a 16-bit length and that many bytes of
 * "user memory" follow; then records until the end: a byte picking the
 * request (the driver's requests, GEM_CLOSE, unknown numbers), a byte
 * giving _IOC_SIZE, and that many argument bytes.  In each argument the
 * 64-bit fields that are user pointers are turned into addresses inside
 * the user memory (value modulo its length + 1) unless their top bit is
 * set (then they stay: bogus addresses).  The user memory and every
 * argument end at a PROT_NONE page, so a read past what the request says
 * it holds is an error code, which the decoder would note.
 *
 * Checks: nothing crashes or leaks (sanitizers); an argument is never
 * read past its _IOC_SIZE (no "argument ... unreadable" note); every
 * trace text is whole lines and starts, after comments, with a vm line;
 * and gpuvm-replay runs each trace without a tool error or a libgpuvm
 * failure (requests may fail: the fuzzer's requests are nonsense).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode.h"
#include "fuzz.h"
#include "replay.h"
#include "trace_parse.h"
#include "uapi.h"

#define MEM_MAX 8192
#define MAX_TRACES 64

struct req {
	unsigned long request;
	unsigned ptr_off[2]; /* offsets of user-pointer fields, 0 = none */
};

static const struct req panthor_reqs[] = {
	{ REC_IOCTL_PANTHOR_DEV_QUERY, { 8 } },
	{ REC_IOCTL_PANTHOR_VM_CREATE, { 0 } },
	{ REC_IOCTL_PANTHOR_VM_DESTROY, { 0 } },
	{ REC_IOCTL_PANTHOR_VM_BIND, { 16 } },
	{ REC_IOCTL_PANTHOR_BO_CREATE, { 0 } },
};
static const struct req xe_reqs[] = {
	{ REC_IOCTL_XE_DEVICE_QUERY, { 16 } },
	{ REC_IOCTL_XE_GEM_CREATE, { 0 } },
	{ REC_IOCTL_XE_VM_CREATE, { 0 } },
	{ REC_IOCTL_XE_VM_DESTROY, { 0 } },
	{ REC_IOCTL_XE_VM_BIND, { 24 } },
};
static const struct req nouveau_reqs[] = {
	{ REC_IOCTL_NOUVEAU_VM_INIT, { 0 } },
	{ REC_IOCTL_NOUVEAU_VM_BIND, { 32 } },
	{ REC_IOCTL_NOUVEAU_GEM_NEW, { 0 } },
};
static const struct req msm_reqs[] = {
	{ REC_IOCTL_MSM_GET_PARAM, { 0 } },
	{ REC_IOCTL_MSM_GEM_NEW, { 0 } },
	{ REC_IOCTL_MSM_VM_BIND, { 48 } },
};
static const struct req asahi_reqs[] = {
	{ REC_IOCTL_ASAHI_GET_PARAMS, { 8 } },
	{ REC_IOCTL_ASAHI_VM_CREATE, { 0 } },
	{ REC_IOCTL_ASAHI_VM_DESTROY, { 0 } },
	{ REC_IOCTL_ASAHI_VM_BIND, { 16 } },
	{ REC_IOCTL_ASAHI_GEM_CREATE, { 0 } },
};
static const struct req pvr_reqs[] = {
	{ REC_IOCTL_PVR_CREATE_BO, { 0 } },
	{ REC_IOCTL_PVR_CREATE_VM_CONTEXT, { 0 } },
	{ REC_IOCTL_PVR_DESTROY_VM_CONTEXT, { 0 } },
	{ REC_IOCTL_PVR_VM_MAP, { 0 } },
	{ REC_IOCTL_PVR_VM_UNMAP, { 0 } },
};
static const struct req panfrost_reqs[] = {
	{ REC_IOCTL_PANFROST_CREATE_BO, { 0 } },
};

static const struct {
	const struct req *reqs;
	size_t n;
} drivers[REC_DRV_COUNT] = {
	[REC_DRV_PANTHOR] = { panthor_reqs, 5 },
	[REC_DRV_XE] = { xe_reqs, 5 },
	[REC_DRV_NOUVEAU] = { nouveau_reqs, 3 },
	[REC_DRV_MSM] = { msm_reqs, 3 },
	[REC_DRV_ASAHI] = { asahi_reqs, 5 },
	[REC_DRV_PVR] = { pvr_reqs, 5 },
	[REC_DRV_PANFROST] = { panfrost_reqs, 1 },
};

/* the traces the sink received, one growing text each */
static struct {
	char *text;
	size_t len;
} traces[MAX_TRACES];
static unsigned ntraces;

static void sink(struct rec_ctx *ctx, struct rec_vm *vm, const char *text,
		 size_t len)
{
	unsigned i;

	(void)ctx;
	FZ_REQUIRE(len > 0 && text[len - 1] == '\n');
	FZ_REQUIRE(!memmem(text, len, "argument at", 11));
	if (!vm->path) {
		char name[16];

		if (ntraces == MAX_TRACES)
			return;
		snprintf(name, sizeof(name), "%u", ntraces++);
		vm->path = strdup(name);
		FZ_REQUIRE(vm->path);
	}
	i = (unsigned)atoi(vm->path);
	traces[i].text = realloc(traces[i].text, traces[i].len + len);
	FZ_REQUIRE(traces[i].text);
	memcpy(traces[i].text + traces[i].len, text, len);
	traces[i].len += len;
}

/* A region of @len bytes ending right before a PROT_NONE page. */
static uint8_t *guarded(size_t len, void **map, size_t *map_len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t body = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
	uint8_t *p;

	*map_len = body + (size_t)page;
	p = mmap(NULL, *map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FZ_REQUIRE(p != MAP_FAILED);
	FZ_REQUIRE(!mprotect(p + body, (size_t)page, PROT_NONE));
	*map = p;
	return p + body - len;
}

/* Replay trace @i: no tool error, no libgpuvm failure, vm first. */
static void check_trace(unsigned i)
{
	struct replay_options opts = { .quiet = true, .check = true };
	struct trace_reader rd;
	struct trace_line line;
	struct replay *r;
	bool seen_vm = false;
	FILE *in, *out, *saved = stderr;
	char *err = NULL;
	size_t err_len = 0;

	in = fmemopen(traces[i].text, traces[i].len, "r");
	out = fopen("/dev/null", "w");
	FZ_REQUIRE(in && out);
	stderr = open_memstream(&err, &err_len);
	FZ_REQUIRE(stderr);
	r = replay_create(out, "record", &opts);
	FZ_REQUIRE(r);
	trace_reader_init(&rd, in);
	for (;;) {
		enum trace_read_status rs = trace_reader_next(&rd, &line);

		if (rs == TRACE_READ_EOF)
			break;
		FZ_EQ(rs, TRACE_READ_LINE);
		if (!line.count)
			continue;
		if (!seen_vm)
			FZ_REQUIRE(!strcmp(line.tok[0], "vm"));
		seen_vm = true;
		FZ_EQ(replay_exec(r, rd.lineno, &line), REPLAY_OK);
	}
	FZ_EQ(replay_destroy(r), REPLAY_OK);
	trace_reader_release(&rd);
	fclose(stderr);
	stderr = saved;
	free(err);
	fclose(in);
	fclose(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_bytes in;
	struct rec_ctx ctx = {
		.sink = sink, .read = rec_read_self, .pid = 1,
		.cmdline = "fuzz", .time = "now", .flush_threshold = 512,
	};
	enum rec_driver drv;
	struct rec_file *f;
	void *mem_map, *arg_map;
	size_t mem_map_len, arg_map_len, mem_len;
	uint8_t *mem;

	fz_bytes_init(&in, data, size);
	drv = (enum rec_driver)(1 + fz_u8(&in) % (REC_DRV_COUNT - 1));
	mem_len = fz_u16(&in) % MEM_MAX;
	mem = guarded(mem_len, &mem_map, &mem_map_len);
	for (size_t i = 0; i < mem_len; i++)
		mem[i] = (uint8_t)fz_u8(&in);
	f = rec_file_new(&ctx, drv, 3);
	FZ_REQUIRE(f);

	while (fz_more(&in)) {
		unsigned pick = fz_u8(&in), usize = fz_u8(&in);
		size_t nreq = drivers[drv].n;
		unsigned long request;
		const struct req *rq = NULL;
		uint8_t *arg;

		if (pick % (nreq + 2) < nreq) {
			rq = &drivers[drv].reqs[pick % (nreq + 2)];
			request = rq->request;
		} else if (pick % (nreq + 2) == nreq) {
			request = REC_IOCTL_GEM_CLOSE;
		} else {
			request = _IO('d', REC_DRM_COMMAND_BASE + (pick >> 2));
		}
		/* the size the application claims, whatever the struct's */
		request = (request & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
			  ((unsigned long)usize << _IOC_SIZESHIFT);
		arg = guarded(usize, &arg_map, &arg_map_len);
		for (unsigned i = 0; i < usize; i++)
			arg[i] = (uint8_t)fz_u8(&in);
		for (unsigned k = 0; rq && k < 2 && rq->ptr_off[k]; k++) {
			unsigned off = rq->ptr_off[k];
			uint64_t v;

			if (off + 8 > usize)
				continue;
			memcpy(&v, arg + off, 8);
			if (!(v >> 63)) {
				v = (uint64_t)(uintptr_t)mem + v % (mem_len + 1);
				memcpy(arg + off, &v, 8);
			}
		}
		rec_decode(&ctx, f, request, (uint64_t)(uintptr_t)arg);
		munmap(arg_map, arg_map_len);
	}
	rec_file_close(&ctx, f);
	rec_flush_all(&ctx);
	rec_free_all(&ctx);
	munmap(mem_map, mem_map_len);

	for (unsigned i = 0; i < ntraces; i++) {
		check_trace(i);
		free(traces[i].text);
		traces[i].text = NULL;
		traces[i].len = 0;
	}
	ntraces = 0;
	return 0;
}
