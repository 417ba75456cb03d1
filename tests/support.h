/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the check-based tests: a failing allocator that counts
 * allocations and leaks, a warning recorder, and small VM fixtures.
 */
#ifndef GPUVM_TEST_SUPPORT_H
#define GPUVM_TEST_SUPPORT_H

#include <check.h>
#include <stdint.h>

#include <gpuvm/gpuvm.h>

/* --- counting / failing allocator ------------------------------------- */

/** Install the test allocator (counts every allocation and free). */
void ts_alloc_install(void);
/** Restore the default allocator. */
void ts_alloc_uninstall(void);
/**
 * Make allocation number @n (1-based, counted from now) fail; with
 * @persistent, every allocation from the @n-th on fails.  n == 0 disables.
 */
void ts_alloc_fail_at(unsigned long n, int persistent);
/** Allocations made since install (successful or not). */
unsigned long ts_alloc_calls(void);
/** Blocks currently live (allocated and not freed). */
long ts_alloc_live(void);
/** Number of allocations that were failed on purpose. */
unsigned long ts_alloc_failures(void);

/* --- warnings ---------------------------------------------------------- */

/** Record warnings instead of printing them; resets the count. */
void ts_warn_capture(void);
/** Warnings recorded since ts_warn_capture(). */
int ts_warn_count(void);
/** Function name of the last warning, or "". */
const char *ts_warn_last_func(void);

/* --- running and asserting -------------------------------------------- */

/** Run every test of @s (check's default fork mode); 0 if all passed. */
int ts_run_suite(Suite *s);

/*
 * Assertions for hot loops: check's ck_assert_* report every passing check
 * to the parent process in fork mode, which makes loops of millions of
 * checks slow; these call check only when they fail.
 */
#define REQUIRE(cond)							\
	do {								\
		if (!(cond))						\
			ck_abort_msg("assertion '%s' failed", #cond);	\
	} while (0)

#define REQ_CMP(a, op, b)						\
	do {								\
		unsigned long long req_a_ = (a), req_b_ = (b);		\
		if (!(req_a_ op req_b_))				\
			ck_abort_msg("'%s %s %s' failed: 0x%llx vs 0x%llx", \
				     #a, #op, #b, req_a_, req_b_);	\
	} while (0)

#define REQ_INT(a, b)							\
	do {								\
		long long req_a_ = (a), req_b_ = (b);			\
		if (req_a_ != req_b_)					\
			ck_abort_msg("'%s == %s' failed: %lld vs %lld",	\
				     #a, #b, req_a_, req_b_);		\
	} while (0)

#define REQ_PTR(a, b)							\
	do {								\
		const void *req_a_ = (a), *req_b_ = (b);		\
		if (req_a_ != req_b_)					\
			ck_abort_msg("'%s == %s' failed: %p vs %p",	\
				     #a, #b, req_a_, req_b_);		\
	} while (0)

/* --- state dumps ------------------------------------------------------- */

/*
 * A failed call must change nothing.  The tests prove it by dumping, as
 * text, everything the call could have touched before and after it and
 * comparing the two.  The buffer grows with plain malloc, so dumping never
 * shows up in the test allocator's counts or consumes an injected failure.
 */

/** struct ts_dump - a growing text buffer */
struct ts_dump {
	char *buf;	/**< NUL-terminated text */
	size_t len;	/**< bytes used, NUL excluded */
	size_t cap;	/**< bytes allocated */
};

/** Make @d an empty dump. */
void ts_dump_init(struct ts_dump *d);
/** Free @d's text; @d may be initialised again. */
void ts_dump_fini(struct ts_dump *d);
/** Append formatted text to @d. */
void ts_dump_printf(struct ts_dump *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Append the state of @vm: flags, range, refcount, every VA in address
 * order (identity, addr, range, object, offset, flags, vm_bo with its
 * refcount and evicted bit), then the extobj and evict lists in list order.
 */
void ts_dump_vm(struct ts_dump *d, const struct gpuvm *vm);

/**
 * Append the state of object @bo: its vm_bos in list order (VM, refcount,
 * evicted, linked VAs in link order) and, for the default reservation
 * lock, whether it is held and how many fences it carries.  The fence
 * array's capacity is left out: like dma_resv, a reservation may keep the
 * room it made even when the call that made it fails later.
 */
void ts_dump_bo(struct ts_dump *d, const struct gpuvm_bo *bo);

/** Sleep @ms milliseconds (resumed after signals). */
void ts_sleep_ms(unsigned int ms);

/** Whether the default reservation lock @r is held (by anyone). */
bool ts_resv_locked(const struct gpuvm_resv *r);

/**
 * The stamp of the context holding the default reservation lock @r, as its
 * lock word records it (0: free, or held outside any context).
 */
uint64_t ts_resv_holder_stamp(const struct gpuvm_resv *r);

/**
 * Whether the default reservation lock @r is held by the context @exec
 * (by its stamp, which the lock word records; NULL: outside any context).
 */
bool ts_resv_held_by(const struct gpuvm_resv *r, const struct gpuvm_exec *exec);

/**
 * Fail the test with the first differing line unless @before and @after
 * hold the same text; @what names the call, @n the injected failure.
 */
void ts_dump_expect_eq(const struct ts_dump *before,
		       const struct ts_dump *after, const char *what,
		       unsigned long n);

/**
 * Append what the simulated GPU shows: a hash and the non-zero word count
 * of [@base, @base + @size) as the GPU sees it and as the CPU sees it
 * (through the HAL), the register-access count, the violation count and
 * the GPU-wide counters.  Reading through the HAL does not change the
 * simulator's state.
 */
void ts_dump_mali_sim(struct ts_dump *d, struct gpuvm_mali_sim *sim,
		      uint64_t base, uint64_t size);

/** Append @mem's page counts (total, used, deferred). */
void ts_dump_mali_ptmem(struct ts_dump *d, const struct gpuvm_mali_ptmem *mem);

/* --- VM fixtures ------------------------------------------------------- */

/** A test VM: counts vm_free calls. */
struct ts_vm {
	struct gpuvm vm;
	int freed;
};

/** The ops every test VM uses unless it needs step callbacks. */
extern const struct gpuvm_ops ts_vm_ops;

/**
 * Initialise @t as [start, start + range) with an optional reserved region
 * and the given ops (NULL: ts_vm_ops).  Fails the test on error.
 */
void ts_vm_init(struct ts_vm *t, uint64_t start, uint64_t range,
		uint64_t rstart, uint64_t rrange, const struct gpuvm_ops *ops);

/** A test buffer object with a reference count. */
struct ts_bo {
	struct gpuvm_bo base;
	int refs;
	int id;
};

/** Initialise @bo with id @id, one reference, its own resv. */
void ts_bo_init(struct ts_bo *bo, int id);

/** Same, sharing @resv (a VM's, for a VM-private object). */
void ts_bo_init_resv(struct ts_bo *bo, int id, struct gpuvm_resv *resv);

/** Allocate a zeroed VA with malloc (freed by the test with free()). */
struct gpuvm_va *ts_va_new(uint64_t addr, uint64_t range,
			   struct gpuvm_bo *obj, uint64_t offset);

/**
 * Remove and free (with free()) every VA of @vm except the reserved one,
 * unlinking linked VAs first.
 */
void ts_vm_drain(struct gpuvm *vm);

/* --- recorded ops -------------------------------------------------------- */

/**
 * An op copied into plain values, so that plans can be compared after the
 * VAs they name have been split, removed or freed.
 */
struct ts_op_rec {
	enum gpuvm_op_type type;
	struct gpuvm_va *va;		/**< UNMAP, REMAP, PREFETCH: the old VA */
	struct gpuvm_op_map old;	/**< its addr/range/obj/offset then */
	bool keep;			/**< UNMAP, REMAP */
	bool has_prev, has_next;	/**< REMAP: which pieces there are */
	struct gpuvm_op_map prev, next;	/**< REMAP: the pieces */
	struct gpuvm_op_map map;	/**< MAP */
};

/**
 * Record @op in @r (zeroing the rest).  Returns NULL, or what is malformed
 * about @op (no VA, a REMAP without unmap or pieces, an unknown type); the
 * caller fails in its own way (check assertion, fuzzer abort).
 */
const char *ts_op_record(struct ts_op_rec *r, const struct gpuvm_op *op);

/** Record @va as @r's old VA: the pointer and its fields as they are now. */
void ts_op_rec_old(struct ts_op_rec *r, struct gpuvm_va *va);

/** Do two op maps name the same range, object and offset? */
bool ts_op_map_eq(const struct gpuvm_op_map *a, const struct gpuvm_op_map *b);

#endif
