/* SPDX-License-Identifier: MIT */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long alloc_calls, alloc_failures, fail_at;
static int fail_persistent;
static long alloc_live;

static void *ts_zalloc(size_t size, void *priv)
{
	(void)priv;
	alloc_calls++;
	if (fail_at && (alloc_calls == fail_at ||
			(fail_persistent && alloc_calls > fail_at))) {
		alloc_failures++;
		return NULL;
	}
	void *p = calloc(1, size);
	if (p)
		alloc_live++;
	return p;
}

static void ts_free(void *ptr, void *priv)
{
	(void)priv;
	alloc_live--;
	free(ptr);
}

void ts_alloc_install(void)
{
	static const struct gpuvm_allocator a = {
		.zalloc = ts_zalloc,
		.free = ts_free,
	};

	alloc_calls = 0;
	alloc_failures = 0;
	alloc_live = 0;
	fail_at = 0;
	fail_persistent = 0;
	gpuvm_set_allocator(&a);
}

void ts_alloc_uninstall(void)
{
	gpuvm_set_allocator(NULL);
}

void ts_alloc_fail_at(unsigned long n, int persistent)
{
	fail_at = n ? alloc_calls + n : 0;
	fail_persistent = persistent;
}

unsigned long ts_alloc_calls(void)
{
	return alloc_calls;
}

long ts_alloc_live(void)
{
	return alloc_live;
}

unsigned long ts_alloc_failures(void)
{
	return alloc_failures;
}

static int warn_count;
static char warn_func[128];

static void ts_warn(const char *func, const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
	warn_count++;
	snprintf(warn_func, sizeof(warn_func), "%s", func);
}

void ts_warn_capture(void)
{
	warn_count = 0;
	warn_func[0] = '\0';
	gpuvm_set_warn_handler(ts_warn, NULL);
}

int ts_warn_count(void)
{
	return warn_count;
}

const char *ts_warn_last_func(void)
{
	return warn_func;
}

static void ts_vm_free(struct gpuvm *vm)
{
	struct ts_vm *t = gpuvm_container_of(vm, struct ts_vm, vm);

	t->freed++;
}

const struct gpuvm_ops ts_vm_ops = {
	.vm_free = ts_vm_free,
};

void ts_vm_init(struct ts_vm *t, uint64_t start, uint64_t range,
		uint64_t rstart, uint64_t rrange, const struct gpuvm_ops *ops)
{
	struct gpuvm_init_args args = {
		.name = "test",
		.start = start,
		.range = range,
		.reserve_start = rstart,
		.reserve_range = rrange,
		.ops = ops ? ops : &ts_vm_ops,
	};

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(gpuvm_init(&t->vm, &args), 0);
}

static void ts_bo_get(struct gpuvm_bo *bo)
{
	gpuvm_container_of(bo, struct ts_bo, base)->refs++;
}

static void ts_bo_put(struct gpuvm_bo *bo)
{
	gpuvm_container_of(bo, struct ts_bo, base)->refs--;
}

void ts_bo_init(struct ts_bo *bo, int id)
{
	static const struct gpuvm_bo_ops ops = {
		.get = ts_bo_get,
		.put = ts_bo_put,
	};

	memset(bo, 0, sizeof(*bo));
	gpuvm_bo_init(&bo->base, &ops, NULL);
	bo->refs = 1;
	bo->id = id;
}

struct gpuvm_va *ts_va_new(uint64_t addr, uint64_t range,
			   struct gpuvm_bo *obj, uint64_t offset)
{
	struct gpuvm_va *va = calloc(1, sizeof(*va));

	ck_assert_ptr_nonnull(va);
	va->addr = addr;
	va->range = range;
	va->obj = obj;
	va->offset = offset;
	return va;
}

void ts_vm_drain(struct gpuvm *vm)
{
	struct gpuvm_va *va, *next;

	gpuvm_for_each_va_safe(va, next, vm) {
		if (va == &vm->kernel_alloc_node)
			continue;
		gpuvm_va_unlink(va);
		gpuvm_va_remove(va);
		free(va);
	}
}

int ts_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
