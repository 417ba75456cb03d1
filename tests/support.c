/* SPDX-License-Identifier: MIT */
#include "support.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lock/lock_internal.h"

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

void ts_bo_init_resv(struct ts_bo *bo, int id, struct gpuvm_resv *resv)
{
	static const struct gpuvm_bo_ops ops = {
		.get = ts_bo_get,
		.put = ts_bo_put,
	};

	memset(bo, 0, sizeof(*bo));
	gpuvm_bo_init(&bo->base, &ops, resv);
	bo->refs = 1;
	bo->id = id;
}

void ts_bo_init(struct ts_bo *bo, int id)
{
	ts_bo_init_resv(bo, id, NULL);
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

/* --- state dumps ---------------------------------------------------------- */

void ts_dump_init(struct ts_dump *d)
{
	d->cap = 256;
	d->len = 0;
	d->buf = malloc(d->cap);
	REQUIRE(d->buf);
	d->buf[0] = '\0';
}

void ts_dump_fini(struct ts_dump *d)
{
	free(d->buf);
	d->buf = NULL;
	d->len = 0;
	d->cap = 0;
}

void ts_dump_printf(struct ts_dump *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
		va_end(ap);
		REQUIRE(n >= 0);
		if ((size_t)n < d->cap - d->len)
			break;
		d->cap = 2 * (d->cap + (size_t)n);
		d->buf = realloc(d->buf, d->cap);
		REQUIRE(d->buf);
	}
	d->len += (size_t)n;
}

static void dump_bo_list(struct ts_dump *d, const char *name,
			 const struct gpuvm_list *head, size_t link_off)
{
	const struct gpuvm_list *l;

	ts_dump_printf(d, "%s:", name);
	for (l = head->next; l != head; l = l->next) {
		const struct gpuvm_vm_bo *vm_bo = (const void *)
			((const char *)l - link_off);

		ts_dump_printf(d, " %p", (const void *)vm_bo);
	}
	ts_dump_printf(d, "\n");
}

void ts_dump_vm(struct ts_dump *d, const struct gpuvm *vm)
{
	const struct gpuvm_va *va;

	ts_dump_printf(d, "vm %p flags %#x [%#llx +%#llx) refs %u vas %llu\n",
		       (const void *)vm, vm->flags,
		       (unsigned long long)vm->mm_start,
		       (unsigned long long)vm->mm_range, gpuvm_refcount(vm),
		       (unsigned long long)gpuvm_va_count(vm));
	gpuvm_for_each_va(va, vm) {
		ts_dump_printf(d, "  va %p [%#llx +%#llx) obj %p off %#llx "
			       "flags %#x", (const void *)va,
			       (unsigned long long)va->addr,
			       (unsigned long long)va->range,
			       (const void *)va->obj,
			       (unsigned long long)va->offset, va->flags);
		if (va->vm_bo)
			ts_dump_printf(d, " vm_bo %p refs %u%s",
				       (const void *)va->vm_bo,
				       gpuvm_vm_bo_refcount(va->vm_bo),
				       va->vm_bo->evicted ? " evicted" : "");
		ts_dump_printf(d, "\n");
	}
	dump_bo_list(d, "  extobj", &vm->extobj.list,
		     offsetof(struct gpuvm_vm_bo, extobj_link));
	dump_bo_list(d, "  evict", &vm->evict.list,
		     offsetof(struct gpuvm_vm_bo, evict_link));
	REQ_INT(gpuvm_check(vm), 0);
}

/* The ops table of the default reservation lock. */
static const struct gpuvm_resv_ops *default_resv_ops(void)
{
	struct gpuvm_resv r;
	const struct gpuvm_resv_ops *ops;

	gpuvm_resv_init(&r, NULL);
	ops = r.ops;
	gpuvm_resv_fini(&r);
	return ops;
}

void ts_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

bool ts_resv_locked(const struct gpuvm_resv *r)
{
	return __atomic_load_n(&r->state, __ATOMIC_RELAXED) & GPUVM_LW_LOCKED;
}

uint64_t ts_resv_holder_stamp(const struct gpuvm_resv *r)
{
	return gpuvm_lw_stamp(__atomic_load_n(&r->state, __ATOMIC_RELAXED));
}

bool ts_resv_held_by(const struct gpuvm_resv *r, const struct gpuvm_exec *exec)
{
	return ts_resv_locked(r) &&
	       ts_resv_holder_stamp(r) == (exec ? exec->stamp : 0);
}

void ts_dump_bo(struct ts_dump *d, const struct gpuvm_bo *bo)
{
	const struct gpuvm_vm_bo *vm_bo;
	const struct gpuvm_va *va;

	ts_dump_printf(d, "bo %p resv %p", (const void *)bo,
		       (const void *)bo->resv);
	/* only the default implementation's fields mean anything */
	if (bo->resv->ops == default_resv_ops())
		ts_dump_printf(d, " locked %d fences %u",
			       ts_resv_locked(bo->resv),
			       bo->resv->num_fences);
	ts_dump_printf(d, "\n");
	gpuvm_bo_for_each_vm_bo(vm_bo, bo) {
		ts_dump_printf(d, "  vm_bo %p vm %p refs %u%s vas:",
			       (const void *)vm_bo, (const void *)vm_bo->vm,
			       gpuvm_vm_bo_refcount(vm_bo),
			       vm_bo->evicted ? " evicted" : "");
		gpuvm_vm_bo_for_each_va(va, vm_bo)
			ts_dump_printf(d, " %p", (const void *)va);
		ts_dump_printf(d, "\n");
	}
}

void ts_dump_expect_eq(const struct ts_dump *before,
		       const struct ts_dump *after, const char *what,
		       unsigned long n)
{
	const char *a = before->buf, *b = after->buf;
	const char *la = a, *lb = b;
	int line = 1;

	if (!strcmp(a, b))
		return;
	/* report the first line that differs */
	while (*a && *a == *b) {
		if (*a == '\n') {
			line++;
			la = a + 1;
			lb = b + 1;
		}
		a++;
		b++;
	}
	ck_abort_msg("%s, failure %lu: state changed at line %d:\n"
		     "before: %.*s\nafter:  %.*s", what, n, line,
		     (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}

/* FNV-1a over 64-bit words */
static uint64_t hash_word(uint64_t h, uint64_t w)
{
	for (int i = 0; i < 8; i++) {
		h ^= (w >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

void ts_dump_mali_sim(struct ts_dump *d, struct gpuvm_mali_sim *sim,
		      uint64_t base, uint64_t size)
{
	struct gpuvm_mali_hal *hal = gpuvm_mali_sim_hal(sim);
	uint64_t gpu_h = 0xcbf29ce484222325ull, cpu_h = gpu_h, pa, v;
	struct gpuvm_mali_sim_stats st;
	size_t gpu_nz = 0, cpu_nz = 0;

	for (pa = base; pa < base + size; pa += 8) {
		REQ_INT(gpuvm_mali_sim_mem_read64(sim, pa, &v), 0);
		gpu_h = hash_word(gpu_h, v);
		gpu_nz += v != 0;
		v = hal->ops->pt_read64(hal, pa);
		cpu_h = hash_word(cpu_h, v);
		cpu_nz += v != 0;
	}
	gpuvm_mali_sim_stats(sim, &st);
	ts_dump_printf(d, "sim [%#llx +%#llx) gpu %016llx/%zu cpu %016llx/%zu\n"
		       "  regs %llu violations %zu irq %llu/%d flushes %llu "
		       "ptw %llu/%llu drains %llu resets %llu pending %llu\n",
		       (unsigned long long)base, (unsigned long long)size,
		       (unsigned long long)gpu_h, gpu_nz,
		       (unsigned long long)cpu_h, cpu_nz,
		       (unsigned long long)gpuvm_mali_sim_trace_count(sim),
		       gpuvm_mali_sim_violation_count(sim),
		       (unsigned long long)st.irq_events, st.irq_enabled,
		       (unsigned long long)st.cache_flushes,
		       (unsigned long long)st.ptw_lines,
		       (unsigned long long)st.ptw_invalidates,
		       (unsigned long long)st.mem_drains,
		       (unsigned long long)st.resets,
		       (unsigned long long)st.pending_pte_lines);
}

void ts_dump_mali_ptmem(struct ts_dump *d, const struct gpuvm_mali_ptmem *mem)
{
	size_t total, used, deferred;

	gpuvm_mali_ptmem_stats(mem, &total, &used, &deferred);
	ts_dump_printf(d, "ptmem %p pages %zu used %zu deferred %zu\n",
		       (const void *)mem, total, used, deferred);
}

/* --- recorded ops -------------------------------------------------------- */

void ts_op_rec_old(struct ts_op_rec *r, struct gpuvm_va *va)
{
	r->va = va;
	r->old.addr = va->addr;
	r->old.range = va->range;
	r->old.obj = va->obj;
	r->old.offset = va->offset;
}

const char *ts_op_record(struct ts_op_rec *r, const struct gpuvm_op *op)
{
	memset(r, 0, sizeof(*r));
	r->type = op->type;
	switch (op->type) {
	case GPUVM_OP_MAP:
		r->map = op->map;
		return NULL;
	case GPUVM_OP_UNMAP:
		if (!op->unmap.va)
			return "UNMAP without VA";
		ts_op_rec_old(r, op->unmap.va);
		r->keep = op->unmap.keep;
		return NULL;
	case GPUVM_OP_REMAP:
		if (!op->remap.unmap || !op->remap.unmap->va)
			return "REMAP without the VA it splits";
		if (!op->remap.prev && !op->remap.next)
			return "REMAP without piece";
		ts_op_rec_old(r, op->remap.unmap->va);
		r->keep = op->remap.unmap->keep;
		if (op->remap.prev) {
			r->has_prev = true;
			r->prev = *op->remap.prev;
		}
		if (op->remap.next) {
			r->has_next = true;
			r->next = *op->remap.next;
		}
		return NULL;
	case GPUVM_OP_PREFETCH:
		if (!op->prefetch.va)
			return "PREFETCH without VA";
		ts_op_rec_old(r, op->prefetch.va);
		return NULL;
	default:
		return "unknown op type";
	}
}

bool ts_op_map_eq(const struct gpuvm_op_map *a, const struct gpuvm_op_map *b)
{
	return a->addr == b->addr && a->range == b->range &&
	       a->obj == b->obj && a->offset == b->offset;
}
