// SPDX-License-Identifier: MIT
/*
 * A test "kernel" for gpuvm-record: an LD_PRELOAD library placed after the
 * recorder that answers DRM ioctls on fake device files (any file whose
 * name starts with "fakedrm-DRIVER", e.g. fakedrm-panthor), the way the
 * drivers' uAPIs describe: DRM_IOCTL_VERSION names DRIVER, creates fill in
 * handles and ids (a closed GEM handle is given out again, lowest first),
 * queries fill in VA ranges, everything else returns 0.  Other descriptors
 * go to the next ioctl().  fake_drm_fail_next(ERR) makes the calling
 * thread's next fake ioctl fail with ERR without touching its argument.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uapi.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_FILES 16
#define MAX_HANDLES 1024

struct fake_file {
	dev_t dev;
	ino_t ino;
	unsigned char used[MAX_HANDLES];
	uint32_t next_vm;
	uint64_t next_va;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_file files[MAX_FILES];
static int nfiles;
static __thread int fail_err;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int (*next_ioctl)(int, unsigned long, ...);

static void init(void)
{
	next_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
}

EXPORT void fake_drm_fail_next(int err);
EXPORT void fake_drm_fail_next(int err)
{
	fail_err = err;
}

/* The driver name of a fake device descriptor, or 0 if it is not one. */
static int fake_name(int fd, char *name, size_t size)
{
	char link[64], path[4096];
	const char *base, *p;
	ssize_t n;
	size_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(base, "fakedrm-", 8))
		return 0;
	p = base + 8;
	len = strcspn(p, ".");
	if (len >= size)
		len = size - 1;
	memcpy(name, p, len);
	name[len] = '\0';
	return 1;
}

static struct fake_file *file_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return NULL;
	for (int i = 0; i < nfiles; i++)
		if (files[i].dev == st.st_dev && files[i].ino == st.st_ino)
			return &files[i];
	if (nfiles == MAX_FILES)
		return NULL;
	files[nfiles].dev = st.st_dev;
	files[nfiles].ino = st.st_ino;
	files[nfiles].next_va = 0x2000000;
	return &files[nfiles++];
}

static uint32_t new_handle(struct fake_file *f)
{
	for (uint32_t h = 1; h < MAX_HANDLES; h++) {
		if (!f->used[h]) {
			f->used[h] = 1;
			return h;
		}
	}
	return 0;
}

static int answer(const char *drv, struct fake_file *f, unsigned long req,
		  void *arg)
{
	unsigned nr = _IOC_NR(req);

	if (nr == REC_DRM_NR_VERSION) {
		struct rec_drm_version *v = arg;
		size_t len = strlen(drv);

		if (v->name && v->name_len)
			memcpy(v->name, drv, len < v->name_len ? len : v->name_len);
		v->name_len = len;
		return 0;
	}
	if (nr == REC_DRM_NR_GEM_CLOSE) {
		struct rec_gem_close *c = arg;

		if (!c->handle || c->handle >= MAX_HANDLES || !f->used[c->handle])
			return -EINVAL;
		f->used[c->handle] = 0;
		return 0;
	}
	if (!strcmp(drv, "panthor")) {
		switch (req) {
		case REC_IOCTL_PANTHOR_DEV_QUERY: {
			struct rec_panthor_dev_query *q = arg;

			if (q->type == REC_PANTHOR_QUERY_GPU_INFO && q->pointer &&
			    q->size >= 28) {
				uint32_t mmu = 0x2830; /* 48 VA bits */

				memcpy((char *)(uintptr_t)q->pointer + 24, &mmu, 4);
			}
			return 0;
		}
		case REC_IOCTL_PANTHOR_VM_CREATE: {
			struct rec_panthor_vm_create *c = arg;

			c->id = ++f->next_vm;
			if (!c->user_va_range)
				c->user_va_range = 1ull << 47;
			return 0;
		}
		case REC_IOCTL_PANTHOR_BO_CREATE:
			((struct rec_panthor_bo_create *)arg)->handle = new_handle(f);
			return 0;
		}
	} else if (!strcmp(drv, "xe")) {
		switch (req) {
		case REC_IOCTL_XE_DEVICE_QUERY: {
			struct rec_xe_device_query *q = arg;
			uint64_t cfg[5] = { 4, 0, 0, 0, 48 };

			if (q->query == REC_XE_QUERY_CONFIG) {
				if (q->data && q->size >= sizeof(cfg))
					memcpy((void *)(uintptr_t)q->data, cfg, sizeof(cfg));
				q->size = sizeof(cfg);
			}
			return 0;
		}
		case REC_IOCTL_XE_VM_CREATE:
			((struct rec_xe_vm_create *)arg)->vm_id = ++f->next_vm;
			return 0;
		case REC_IOCTL_XE_GEM_CREATE:
			((struct rec_xe_gem_create *)arg)->handle = new_handle(f);
			return 0;
		}
	} else if (!strcmp(drv, "nouveau")) {
		if (req == REC_IOCTL_NOUVEAU_GEM_NEW)
			((struct rec_nouveau_gem_new *)arg)->info.handle = new_handle(f);
	} else if (!strcmp(drv, "msm")) {
		if (req == REC_IOCTL_MSM_GET_PARAM) {
			struct rec_msm_param *p = arg;

			if (p->param == REC_MSM_PARAM_VA_START)
				p->value = 0x100000000ull;
			else if (p->param == REC_MSM_PARAM_VA_SIZE)
				p->value = 0x1000000000ull;
		} else if (req == REC_IOCTL_MSM_GEM_NEW) {
			((struct rec_msm_gem_new *)arg)->handle = new_handle(f);
		}
	} else if (!strcmp(drv, "asahi")) {
		switch (req) {
		case REC_IOCTL_ASAHI_GET_PARAMS: {
			struct rec_asahi_get_params *p = arg;
			struct rec_asahi_params_global g;

			memset(&g, 0, sizeof(g));
			g.vm_start = 0x1000000;
			g.vm_end = 0x10000000000ull;
			if (p->pointer)
				memcpy((void *)(uintptr_t)p->pointer, &g,
				       p->size < sizeof(g) ? p->size : sizeof(g));
			return 0;
		}
		case REC_IOCTL_ASAHI_VM_CREATE:
			((struct rec_asahi_vm_create *)arg)->vm_id = ++f->next_vm;
			return 0;
		case REC_IOCTL_ASAHI_GEM_CREATE:
			((struct rec_asahi_gem_create *)arg)->handle = new_handle(f);
			return 0;
		}
	} else if (!strcmp(drv, "powervr")) {
		if (req == REC_IOCTL_PVR_CREATE_BO)
			((struct rec_pvr_create_bo *)arg)->handle = new_handle(f);
		else if (req == REC_IOCTL_PVR_CREATE_VM_CONTEXT)
			((struct rec_pvr_vm_context *)arg)->handle = ++f->next_vm;
	} else if (!strcmp(drv, "panfrost")) {
		if (req == REC_IOCTL_PANFROST_CREATE_BO) {
			struct rec_panfrost_create_bo *b = arg;

			b->handle = new_handle(f);
			b->offset = f->next_va;
			f->next_va += ((uint64_t)b->size + 4095) & ~4095ull;
		}
	}
	return 0;
}

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	char drv[32];
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fake_name(fd, drv, sizeof(drv))) {
		pthread_once(&once, init);
		return next_ioctl(fd, request, arg);
	}
	if (_IOC_TYPE(request) != REC_DRM_TYPE) {
		errno = ENOTTY;
		return -1;
	}
	if (fail_err) {
		errno = fail_err;
		fail_err = 0;
		return -1;
	}
	pthread_mutex_lock(&lock);
	{
		struct fake_file *f = file_of(fd);

		ret = f ? answer(drv, f, request, arg) : -ENOMEM;
	}
	pthread_mutex_unlock(&lock);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}
