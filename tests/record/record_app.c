// SPDX-License-Identifier: MIT
/*
 * The application side of the gpuvm-record tests: runs one scenario of
 * DRM ioctls against the fake devices of fake_drm.c (in DIR), through the
 * real interposition path (gpuvm-record -- record_app SCENARIO DIR).  It
 * checks what an application must see (handles, return values, errno)
 * and exits non-zero when something differs; test_record.c checks the
 * traces.  The layout each scenario means is written beside it.
 *
 *   record_app SCENARIO DIR
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi.h"

static const char *devdir;
static const char *self;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "record_app: %s:%d: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			exit(1);					\
		}							\
	} while (0)

static int open_dev(const char *drv)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/fakedrm-%s", devdir, drv);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	return fd;
}

/* an ioctl that must succeed and leave errno alone */
static void ok(int fd, unsigned long req, void *arg)
{
	errno = EXDEV;
	CHECK(ioctl(fd, req, arg) == 0);
	CHECK(errno == EXDEV);
}

/* an ioctl the fake fails with @err: the recorder must pass it through */
static void fails(int fd, unsigned long req, void *arg, int err)
{
	void (*fail_next)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "fake_drm_fail_next");

	CHECK(fail_next);
	fail_next(err);
	errno = 0;
	CHECK(ioctl(fd, req, arg) == -1);
	CHECK(errno == err);
}

static void gem_close(int fd, uint32_t handle)
{
	struct rec_gem_close c = { .handle = handle };

	ok(fd, REC_IOCTL_GEM_CLOSE, &c);
}

/* ---- panthor ----------------------------------------------------------- */

static uint32_t panthor_vm(int fd, uint64_t user_va)
{
	struct rec_panthor_vm_create c = { .user_va_range = user_va };

	ok(fd, REC_IOCTL_PANTHOR_VM_CREATE, &c);
	CHECK(c.id);
	return c.id;
}

static uint32_t panthor_bo(int fd, uint64_t size)
{
	struct rec_panthor_bo_create b = { .size = size };

	ok(fd, REC_IOCTL_PANTHOR_BO_CREATE, &b);
	CHECK(b.handle);
	return b.handle;
}

static struct rec_panthor_vm_bind_op pop(uint32_t flags, uint32_t h,
					 uint64_t off, uint64_t va, uint64_t size)
{
	struct rec_panthor_vm_bind_op o = {
		.flags = flags, .bo_handle = h, .bo_offset = off, .va = va,
		.size = size,
	};
	return o;
}

static void panthor_bind(int fd, uint32_t vm, uint32_t flags,
			 struct rec_panthor_vm_bind_op *ops, uint32_t n)
{
	struct rec_panthor_vm_bind b = {
		.vm_id = vm, .flags = flags,
		.ops = { sizeof(*ops), n, (uint64_t)(uintptr_t)ops },
	};

	ok(fd, REC_IOCTL_PANTHOR_VM_BIND, &b);
}

static void panthor_map1(int fd, uint32_t vm, uint32_t h, uint64_t va,
			 uint64_t size)
{
	struct rec_panthor_vm_bind_op o = pop(REC_PANTHOR_BIND_TYPE_MAP, h, 0, va, size);

	panthor_bind(fd, vm, 0, &o, 1);
}

/*
 * vm 1 (2^48, user VA 2^47): bo 1 at 0x100000 with 0x104000-0x108000
 * punched out, bo 2 at 0x200000, the sparse dummy (bo 3) at 0x400000,
 * handle 2 reused after close (bo 4) at 0x300000; vm 2: bo 1 at 0x1000000.
 */
static void scenario_panthor(void)
{
	int fd = open_dev("panthor");
	uint32_t gpu_info[32] = { 0 };
	struct rec_panthor_dev_query q = {
		.type = REC_PANTHOR_QUERY_GPU_INFO, .size = sizeof(gpu_info),
		.pointer = (uint64_t)(uintptr_t)gpu_info,
	};
	struct rec_panthor_vm_bind_op ops[4], bad[2];
	struct rec_panthor_vm_bind b;
	uint32_t vm, vm2, h1, h2, h3;
	unsigned char *pages;

	ok(fd, REC_IOCTL_PANTHOR_DEV_QUERY, &q);
	CHECK(gpu_info[6] == 0x2830);
	vm = panthor_vm(fd, 1ull << 47);
	h1 = panthor_bo(fd, 0x10000);
	h2 = panthor_bo(fd, 0x4000);
	ops[0] = pop(REC_PANTHOR_BIND_TYPE_MAP | REC_PANTHOR_BIND_MAP_READONLY,
		     h1, 0, 0x100000, 0x10000);
	ops[1] = pop(REC_PANTHOR_BIND_TYPE_MAP, h2, 0, 0x200000, 0x4000);
	ops[2] = pop(REC_PANTHOR_BIND_TYPE_UNMAP, 0, 0, 0x104000, 0x4000);
	ops[3] = pop(REC_PANTHOR_BIND_TYPE_SYNC_ONLY, 0, 0, 0, 0);
	panthor_bind(fd, vm, 0, ops, 4);

	/* a failed bind is not recorded, and the failure passes through */
	ops[0] = pop(REC_PANTHOR_BIND_TYPE_MAP, h1, 0, 0x900000, 0x10000);
	b = (struct rec_panthor_vm_bind){ vm, 0, { sizeof(ops[0]), 1,
		(uint64_t)(uintptr_t)ops } };
	fails(fd, REC_IOCTL_PANTHOR_VM_BIND, &b, EINVAL);

	ops[0] = pop(REC_PANTHOR_BIND_TYPE_MAP | REC_PANTHOR_BIND_MAP_SPARSE |
		     REC_PANTHOR_BIND_MAP_NOEXEC, 0, 0, 0x400000, 0x20000);
	panthor_bind(fd, vm, REC_PANTHOR_BIND_ASYNC, ops, 1);

	gem_close(fd, h2);
	h3 = panthor_bo(fd, 0x8000);
	CHECK(h3 == h2);	/* the fake gives the handle out again */
	panthor_map1(fd, vm, h3, 0x300000, 0x8000);

	/* malformed requests the fake accepts: noted, never a crash */
	b = (struct rec_panthor_vm_bind){ vm, 0, { 40, 1, (uint64_t)(uintptr_t)bad } };
	memset(bad, 0, sizeof(bad));
	ok(fd, REC_IOCTL_PANTHOR_VM_BIND, &b);		/* short stride */
	b.ops = (struct rec_panthor_obj_array){ 48, 1u << 30, (uint64_t)(uintptr_t)bad };
	ok(fd, REC_IOCTL_PANTHOR_VM_BIND, &b);		/* bogus count */
	b.ops = (struct rec_panthor_obj_array){ 48, 2, 0x10 };
	ok(fd, REC_IOCTL_PANTHOR_VM_BIND, &b);		/* bogus pointer */
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(pages != MAP_FAILED);
	CHECK(!mprotect(pages + 4096, 4096, PROT_NONE));
	memset(pages, 0, 4096);
	b.ops = (struct rec_panthor_obj_array){ 48, 2,
		(uint64_t)(uintptr_t)(pages + 4096 - 48) };
	ok(fd, REC_IOCTL_PANTHOR_VM_BIND, &b);		/* runs into a hole */
	ok(fd, _IOWR('d', REC_DRM_COMMAND_BASE + REC_PANTHOR_VM_BIND, uint64_t), &b);
	munmap(pages, 8192);

	vm2 = panthor_vm(fd, 0);
	panthor_map1(fd, vm2, h1, 0x1000000, 0x10000);
	{
		struct rec_panthor_vm_destroy d = { .id = vm2 };

		ok(fd, REC_IOCTL_PANTHOR_VM_DESTROY, &d);
	}
	close(fd);
}

/* ---- xe ---------------------------------------------------------------- */

static struct rec_xe_vm_bind_op xop(uint32_t op, uint32_t flags, uint32_t obj,
				    uint64_t off, uint64_t addr, uint64_t range)
{
	struct rec_xe_vm_bind_op o = {
		.op = op, .flags = flags, .obj = obj, .obj_offset = off,
		.addr = addr, .range = range,
	};
	return o;
}

/*
 * vm 1 (2^48): bo 1 at 0x100000 (0x108000-0x110000 unmapped), a NULL
 * binding at 0x300000, userptr bo 3 at 0x400000, an object-less (CPU
 * address mirror) range at 0x500000; bo 2 mapped at 0x200000 then removed
 * by UNMAP_ALL.
 */
static void scenario_xe(void)
{
	int fd = open_dev("xe");
	uint64_t cfg[5] = { 0 };
	struct rec_xe_device_query q = {
		.query = REC_XE_QUERY_CONFIG, .size = sizeof(cfg),
		.data = (uint64_t)(uintptr_t)cfg,
	};
	struct rec_xe_vm_create c = { 0 };
	struct rec_xe_gem_create g1 = { .size = 0x20000 }, g2 = { .size = 0x10000 };
	struct rec_xe_vm_bind_op ops[4];
	struct rec_xe_vm_bind b;

	ok(fd, REC_IOCTL_XE_DEVICE_QUERY, &q);
	CHECK(cfg[4] == 48);
	ok(fd, REC_IOCTL_XE_VM_CREATE, &c);
	ok(fd, REC_IOCTL_XE_GEM_CREATE, &g1);
	ok(fd, REC_IOCTL_XE_GEM_CREATE, &g2);
	memset(&b, 0, sizeof(b));
	b.vm_id = c.vm_id;
	b.num_binds = 1;
	b.bind = xop(REC_XE_BIND_OP_MAP, 0, g1.handle, 0, 0x100000, 0x20000);
	ok(fd, REC_IOCTL_XE_VM_BIND, &b);

	ops[0] = xop(REC_XE_BIND_OP_MAP, 0, g2.handle, 0, 0x200000, 0x10000);
	ops[1] = xop(REC_XE_BIND_OP_MAP, REC_XE_BIND_FLAG_NULL, 0, 0, 0x300000, 0x10000);
	ops[2] = xop(REC_XE_BIND_OP_MAP_USERPTR, 0, 0, 0x7f0000000000ull, 0x400000, 0x8000);
	ops[3] = xop(REC_XE_BIND_OP_PREFETCH, 0, 0, 0, 0x100000, 0x20000);
	memset(&b, 0, sizeof(b));
	b.vm_id = c.vm_id;
	b.exec_queue_id = 7;
	b.num_binds = 4;
	b.vector_of_binds = (uint64_t)(uintptr_t)ops;
	ok(fd, REC_IOCTL_XE_VM_BIND, &b);

	memset(&b, 0, sizeof(b));
	b.vm_id = c.vm_id;
	b.num_binds = 1;
	b.bind = xop(REC_XE_BIND_OP_UNMAP, 0, 0, 0, 0x108000, 0x8000);
	ok(fd, REC_IOCTL_XE_VM_BIND, &b);
	b.bind = xop(REC_XE_BIND_OP_UNMAP_ALL, 0, g2.handle, 0, 0, 0);
	ok(fd, REC_IOCTL_XE_VM_BIND, &b);
	b.bind = xop(REC_XE_BIND_OP_MAP, 0, 0, 0, 0x500000, 0x10000);
	ok(fd, REC_IOCTL_XE_VM_BIND, &b);
	b.bind = xop(REC_XE_BIND_OP_UNMAP, 0, 0, 0, 0x100000, 0x100000);
	fails(fd, REC_IOCTL_XE_VM_BIND, &b, ENOSPC);

	/* a bogus vector: noted */
	b.num_binds = 3;
	b.vector_of_binds = 0x10;
	ok(fd, REC_IOCTL_XE_VM_BIND, &b);
	close(fd);
}

/* ---- nouveau ----------------------------------------------------------- */

/* vm (2^47, kernel region reserved): bo 1 at 0x2000000 and 0x2020000 */
static void scenario_nouveau(void)
{
	int fd = open_dev("nouveau");
	struct rec_nouveau_vm_init in = { 0x7f00000000ull, 0x100000000ull };
	struct rec_nouveau_gem_new g = { .info = { .size = 0x40000 } };
	struct rec_nouveau_vm_bind_op ops[3] = {
		{ .op = REC_NOUVEAU_BIND_OP_MAP, .flags = REC_NOUVEAU_BIND_SPARSE,
		  .addr = 0x1000000, .range = 0x100000 },
		{ .op = REC_NOUVEAU_BIND_OP_MAP, .addr = 0x1000000,
		  .bo_offset = 0x10000, .range = 0x20000 },
		{ .op = REC_NOUVEAU_BIND_OP_MAP, .addr = 0x2000000, .range = 0x40000 },
	};
	struct rec_nouveau_vm_bind b = { .op_count = 3,
		.op_ptr = (uint64_t)(uintptr_t)ops };

	ok(fd, REC_IOCTL_NOUVEAU_VM_INIT, &in);
	ok(fd, REC_IOCTL_NOUVEAU_GEM_NEW, &g);
	ops[1].handle = ops[2].handle = g.info.handle;
	ok(fd, REC_IOCTL_NOUVEAU_VM_BIND, &b);
	ops[0] = (struct rec_nouveau_vm_bind_op){ .op = REC_NOUVEAU_BIND_OP_UNMAP,
		.addr = 0x2010000, .range = 0x10000 };
	ops[1] = (struct rec_nouveau_vm_bind_op){ .op = REC_NOUVEAU_BIND_OP_UNMAP,
		.flags = REC_NOUVEAU_BIND_SPARSE, .addr = 0x1000000, .range = 0x100000 };
	b.op_count = 2;
	b.flags = REC_NOUVEAU_BIND_RUN_ASYNC;
	ok(fd, REC_IOCTL_NOUVEAU_VM_BIND, &b);
	b.op_count = 1u << 30;	/* bogus count: noted */
	ok(fd, REC_IOCTL_NOUVEAU_VM_BIND, &b);
	close(fd);
}

/* ---- msm --------------------------------------------------------------- */

/* vm [4 GiB, +64 GiB): bo 1 at 0x100100000 minus a hole, a NULL map */
static void scenario_msm(void)
{
	int fd = open_dev("msm");
	struct rec_msm_param p1 = { .pipe = 0x10, .param = REC_MSM_PARAM_VA_START };
	struct rec_msm_param p2 = { .pipe = 0x10, .param = REC_MSM_PARAM_VA_SIZE };
	struct rec_msm_gem_new g = { .size = 0x10000 };
	struct rec_msm_vm_bind_op ops[2] = {
		{ .op = REC_MSM_BIND_OP_MAP_NULL, .iova = 0x100200000ull, .range = 0x4000 },
		{ .op = REC_MSM_BIND_OP_UNMAP, .iova = 0x100104000ull, .range = 0x4000 },
	};
	struct rec_msm_vm_bind b;

	ok(fd, REC_IOCTL_MSM_GET_PARAM, &p1);
	ok(fd, REC_IOCTL_MSM_GET_PARAM, &p2);
	CHECK(p1.value == 0x100000000ull && p2.value == 0x1000000000ull);
	ok(fd, REC_IOCTL_MSM_GEM_NEW, &g);
	memset(&b, 0, sizeof(b));
	b.nr_ops = 1;
	b.op = (struct rec_msm_vm_bind_op){ .op = REC_MSM_BIND_OP_MAP,
		.handle = g.handle, .iova = 0x100100000ull, .range = 0x10000 };
	ok(fd, REC_IOCTL_MSM_VM_BIND, &b);
	memset(&b, 0, sizeof(b));
	b.nr_ops = 2;
	b.op_stride = sizeof(ops[0]);
	b.ops = (uint64_t)(uintptr_t)ops;
	ok(fd, REC_IOCTL_MSM_VM_BIND, &b);
	close(fd);
}

/* ---- asahi ------------------------------------------------------------- */

/* vm [16 MiB, 1 TiB), kernel range reserved: bo 1 at 0x2000000, 0x3000000 */
static void scenario_asahi(void)
{
	int fd = open_dev("asahi");
	static struct rec_asahi_params_global params;
	struct rec_asahi_get_params gp = { .pointer = (uint64_t)(uintptr_t)&params,
		.size = sizeof(params) };
	struct rec_asahi_vm_create c = { 0xf000000000ull, 0x10000000000ull, 0, 0 };
	struct rec_asahi_gem_create g = { .size = 0x8000 };
	struct rec_asahi_gem_bind_op ops[2];
	struct rec_asahi_vm_bind b;
	struct rec_asahi_vm_destroy d;

	ok(fd, REC_IOCTL_ASAHI_GET_PARAMS, &gp);
	CHECK(params.vm_start == 0x1000000);
	ok(fd, REC_IOCTL_ASAHI_VM_CREATE, &c);
	ok(fd, REC_IOCTL_ASAHI_GEM_CREATE, &g);
	ops[0] = (struct rec_asahi_gem_bind_op){ REC_ASAHI_BIND_READ | REC_ASAHI_BIND_WRITE,
		g.handle, 0, 0x8000, 0x2000000 };
	ops[1] = (struct rec_asahi_gem_bind_op){ REC_ASAHI_BIND_READ | REC_ASAHI_BIND_SINGLE_PAGE,
		g.handle, 0, 0x10000, 0x3000000 };
	b = (struct rec_asahi_vm_bind){ c.vm_id, 2, sizeof(ops[0]), 0,
		(uint64_t)(uintptr_t)ops };
	ok(fd, REC_IOCTL_ASAHI_VM_BIND, &b);
	ops[0] = (struct rec_asahi_gem_bind_op){ REC_ASAHI_BIND_UNBIND, 0, 0, 0x4000, 0x2004000 };
	b.num_binds = 1;
	ok(fd, REC_IOCTL_ASAHI_VM_BIND, &b);
	d = (struct rec_asahi_vm_destroy){ c.vm_id, 0 };
	ok(fd, REC_IOCTL_ASAHI_VM_DESTROY, &d);
	close(fd);
}

/* ---- powervr ----------------------------------------------------------- */

/* vm (2^40): bo 1 at 0x9000000, offset 0x4000 */
static void scenario_powervr(void)
{
	int fd = open_dev("powervr");
	struct rec_pvr_create_bo bo = { .size = 0x10000 };
	struct rec_pvr_vm_context c = { 0 };
	struct rec_pvr_vm_map m;
	struct rec_pvr_vm_unmap u;

	ok(fd, REC_IOCTL_PVR_CREATE_BO, &bo);
	ok(fd, REC_IOCTL_PVR_CREATE_VM_CONTEXT, &c);
	m = (struct rec_pvr_vm_map){ c.handle, 0, 0x8000000, bo.handle, 0, 0, 0x10000 };
	ok(fd, REC_IOCTL_PVR_VM_MAP, &m);
	m = (struct rec_pvr_vm_map){ c.handle, 0, 0x9000000, bo.handle, 0, 0x4000, 0x4000 };
	ok(fd, REC_IOCTL_PVR_VM_MAP, &m);
	u = (struct rec_pvr_vm_unmap){ c.handle, 0, 0x8000000, 0x10000 };
	ok(fd, REC_IOCTL_PVR_VM_UNMAP, &u);
	fails(fd, REC_IOCTL_PVR_VM_UNMAP, &u, ENOENT);
	ok(fd, REC_IOCTL_PVR_DESTROY_VM_CONTEXT, &c);
	close(fd);
}

/* ---- panfrost ---------------------------------------------------------- */

/* vm [32 MiB, 4 GiB): bo 2 at 0x2003000, bo 3 (handle 1 again) at 0x2013000 */
static void scenario_panfrost(void)
{
	int fd = open_dev("panfrost");
	struct rec_panfrost_create_bo b1 = { .size = 0x3000 };
	struct rec_panfrost_create_bo b2 = { .size = 0x10000 };
	struct rec_panfrost_create_bo b3 = { .size = 0x800, .flags = REC_PANFROST_BO_HEAP };

	ok(fd, REC_IOCTL_PANFROST_CREATE_BO, &b1);
	ok(fd, REC_IOCTL_PANFROST_CREATE_BO, &b2);
	CHECK(b1.offset == 0x2000000 && b2.offset == 0x2003000);
	gem_close(fd, b1.handle);
	ok(fd, REC_IOCTL_PANFROST_CREATE_BO, &b3);
	CHECK(b3.handle == b1.handle);
	close(fd);
}

/* ---- several threads --------------------------------------------------- */

#define THREADS 4
static int thread_fd;
static uint32_t shared_vm;

/*
 * Each thread maps 8 BOs of its own into the shared VM at
 * 0x10000000 * (t + 1) + i * 0x10000 and unmaps the even ones; and builds
 * a VM of its own: a BO at 0x100000, its upper half unmapped.
 */
static void *thread_main(void *p)
{
	unsigned t = (unsigned)(uintptr_t)p;
	uint64_t base = 0x10000000ull * (t + 1);
	struct rec_panthor_vm_bind_op op;
	uint32_t own, h;

	for (unsigned i = 0; i < 8; i++)
		panthor_map1(thread_fd, shared_vm, panthor_bo(thread_fd, 0x10000),
			     base + i * 0x10000, 0x10000);
	for (unsigned i = 0; i < 8; i += 2) {
		op = pop(REC_PANTHOR_BIND_TYPE_UNMAP, 0, 0, base + i * 0x10000, 0x10000);
		panthor_bind(thread_fd, shared_vm, 0, &op, 1);
	}
	own = panthor_vm(thread_fd, 1ull << 47);
	h = panthor_bo(thread_fd, 0x20000);
	panthor_map1(thread_fd, own, h, 0x100000, 0x20000);
	op = pop(REC_PANTHOR_BIND_TYPE_UNMAP, 0, 0, 0x110000, 0x10000);
	panthor_bind(thread_fd, own, 0, &op, 1);
	return NULL;
}

static void scenario_threads(void)
{
	pthread_t th[THREADS];

	thread_fd = open_dev("panthor");
	shared_vm = panthor_vm(thread_fd, 1ull << 47);
	for (unsigned t = 0; t < THREADS; t++)
		CHECK(!pthread_create(&th[t], NULL, thread_main, (void *)(uintptr_t)t));
	for (unsigned t = 0; t < THREADS; t++)
		CHECK(!pthread_join(th[t], NULL));
	close(thread_fd);
}

/* ---- fork and exec ----------------------------------------------------- */

/* parent: bo 1 at 0x100000 and 0x300000; child: bo 1 at 0x200000 */
static void scenario_fork(void)
{
	int fd = open_dev("panthor");
	uint32_t vm = panthor_vm(fd, 1ull << 47);
	uint32_t h = panthor_bo(fd, 0x10000);
	int status;
	pid_t pid;

	panthor_map1(fd, vm, h, 0x100000, 0x10000);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		panthor_map1(fd, vm, h, 0x200000, 0x10000);
		exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	panthor_map1(fd, vm, h, 0x300000, 0x10000);
	close(fd);
}

/* before exec: bo 1 at 0x100000; after (same pid): bo 1 at 0x500000 */
static void scenario_exec(void)
{
	int fd = open_dev("panthor");
	uint32_t vm = panthor_vm(fd, 1ull << 47);

	panthor_map1(fd, vm, panthor_bo(fd, 0x10000), 0x100000, 0x10000);
	execl(self, self, "exec-child", devdir, (char *)NULL);
	CHECK(!"exec failed");
}

static void scenario_exec_child(void)
{
	int fd = open_dev("panthor");
	uint32_t vm = panthor_vm(fd, 1ull << 47);

	panthor_map1(fd, vm, panthor_bo(fd, 0x10000), 0x500000, 0x10000);
	/* no close: the trace is written at exit */
}

/* leaves with _exit(): only --sync has written the map (bo 1 at 0x100000) */
static void scenario_crash(void)
{
	int fd = open_dev("panthor");
	uint32_t vm = panthor_vm(fd, 1ull << 47);

	panthor_map1(fd, vm, panthor_bo(fd, 0x10000), 0x100000, 0x10000);
	_exit(0);
}

/*
 * Nothing for descriptors that are not DRM devices or of other drivers;
 * descriptors of one open file share it: one trace, bo 1 at 0x100000;
 * replacing a descriptor with dup2() forgets it.
 */
static void scenario_other(void)
{
	char path[4096];
	int plain, other, a, b;
	struct rec_panthor_vm_create c = { 0 };
	uint32_t vm, h;

	snprintf(path, sizeof(path), "%s/plain-file", devdir);
	plain = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	CHECK(plain >= 0);
	errno = 0;
	CHECK(ioctl(plain, REC_IOCTL_PANTHOR_VM_CREATE, &c) == -1);
	CHECK(errno == ENOTTY);
	close(plain);
	other = open_dev("i915");
	ok(other, REC_IOCTL_PANTHOR_VM_CREATE, &c);
	close(other);

	a = open_dev("panthor");
	errno = 0;
	CHECK(ioctl(a, 0x5401 /* TCGETS */, &c) == -1 && errno == ENOTTY);
	b = fcntl(a, F_DUPFD_CLOEXEC, 10);
	CHECK(b >= 0);
	vm = panthor_vm(a, 1ull << 47);
	h = panthor_bo(b, 0x10000);
	close(a);
	panthor_map1(b, vm, h, 0x100000, 0x10000);
	close(b);

	/* dup2 over the last descriptor of a file ends its VM (vm 2, empty) */
	a = open_dev("panthor");
	plain = open(path, O_RDWR | O_CLOEXEC);
	CHECK(plain >= 0);
	vm = panthor_vm(a, 1ull << 47);
	CHECK(vm == 2);
	CHECK(dup2(plain, a) == a);
	errno = 0;
	CHECK(ioctl(a, REC_IOCTL_PANTHOR_VM_CREATE, &c) == -1 && errno == ENOTTY);
	CHECK(close_range((unsigned)a, (unsigned)a, 0) == 0);
	close(plain);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} scenarios[] = {
		{ "panthor", scenario_panthor }, { "xe", scenario_xe },
		{ "nouveau", scenario_nouveau }, { "msm", scenario_msm },
		{ "asahi", scenario_asahi }, { "powervr", scenario_powervr },
		{ "panfrost", scenario_panfrost }, { "threads", scenario_threads },
		{ "fork", scenario_fork }, { "exec", scenario_exec },
		{ "exec-child", scenario_exec_child }, { "other", scenario_other },
		{ "crash", scenario_crash },
	};

	if (argc != 3) {
		fprintf(stderr, "usage: record_app SCENARIO DIR\n");
		return 2;
	}
	self = argv[0];
	devdir = argv[2];
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (!strcmp(argv[1], scenarios[i].name)) {
			scenarios[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "record_app: unknown scenario %s\n", argv[1]);
	return 2;
}
