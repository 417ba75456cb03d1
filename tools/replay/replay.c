// SPDX-License-Identifier: MIT
/*
 * The driver model behind gpuvm-replay.
 *
 * Every planning command goes through the same steps, as a kernel driver's
 * VM_BIND path does (docs/semantics.md section 6):
 *
 *  1. plan with the op-list API (the tree is not touched);
 *  2. pre-allocate everything applying needs: the new VA structures
 *     (gpuvm_op_list_count_new_vas()) and, for a map of a BO, the vm_bo;
 *     a failure here prints "error ENOMEM" and changes nothing;
 *  3. print the ops;
 *  4. apply them in order (this cannot fail any more), then drop the extra
 *     vm_bo reference and free the list.
 *
 * The tool's own structures (VAs, BOs) come from gpuvm_zalloc() too, in
 * chunks (pool_alloc()), or each on its own with --fail-alloc, which then
 * reaches every allocation point of a command.
 *
 * With --mmu (mmu.c) the VM is a Mali VM: map, unmap and madvise are
 * planned with the core only to print the ops, and applied by
 * gpuvm_mali_vm_map() / _unmap() / _madvise(), which keep page tables and
 * tree in step; the op lines are held back until the Mali VM accepted the
 * request.  bo-unmap unmaps the planned VAs one by one through the Mali VM
 * (not atomic: the Mali VM has no bo-unmap request yet); prefetch only
 * reads.  Trace numbers may be scaled to 4 KiB pages (r->shift) and printed
 * back.
 */
#include "replay.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * x86-64: hex numbers formatted 16 digits at a time with SSE2 (always
 * there); elsewhere, or built with -DREPLAY_SCALAR_HEX, a byte at a time.
 */
#if defined(__SSE2__) && defined(__x86_64__) && !defined(REPLAY_SCALAR_HEX)
#define REPLAY_SSE2_HEX 1
#include <emmintrin.h>
#endif

#include <gpuvm/gpuvm.h>
#include <gpuvm/mali_vm.h>

#include "idtable.h"
#include "mmu.h"
#include "svg.h"

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */

/**
 * struct replay_obj - the libgpuvm object of a trace BO
 * @id: the BO's id, printed with every op naming the object
 * @refs: references libgpuvm holds (its vm_bos, locking contexts)
 * @mali: @mbo was set up for the Mali VM (then kept to the end)
 * @mbo: what libgpuvm sees: @mbo.base, and the Mali part only with --mmu
 *
 * Without --mmu a BO has one only while libgpuvm uses it: a map creates
 * it, and the last put gives it back for the next BO that needs one
 * (replay_obj_put()).  Of the tens of thousands of BOs a trace declares
 * only a few thousand are mapped at any time, and these objects, not the
 * rest of the tool, were most of its peak memory and page faults
 * (bench/HISTORY.md).  The record then also ends after @mbo.base
 * (OBJ_RECORD_PLAIN): the Mali part is never touched.
 */
struct replay_obj {
	uint64_t id;
	unsigned int refs;
	bool mali;
	struct gpuvm_mali_bo mbo;
};

_Static_assert(sizeof(struct gpuvm_va) % 16 == 0 &&
	       sizeof(struct gpuvm_vm_bo) % 16 == 0,
	       "zero_record() clears whole 16-byte blocks");
_Static_assert(offsetof(struct gpuvm_mali_bo, base) == 0,
	       "a plain record keeps the leading part of struct gpuvm_mali_bo");

/* Bytes of an object record without and with the Mali part. */
#define OBJ_RECORD_PLAIN \
	((offsetof(struct replay_obj, mbo) + sizeof(struct gpuvm_bo) + 15) & ~(size_t)15)
#define OBJ_RECORD_MALI sizeof(struct replay_obj)

/**
 * struct replay_bo - a buffer object of the trace
 * @id: the trace's BO id (> 0); key of replay.bos
 * @obj: its libgpuvm object, or NULL while it has none
 * @declared: a "bo" command named it (a second one is EEXIST)
 *
 * The planner has no use for the "bo" command's SIZE (checked, not kept).
 */
struct replay_bo {
	uint64_t id;
	struct replay_obj *obj;
	bool declared;
};

/*
 * The tool's own small records (BOs, their objects, VA structures, vm_bos)
 * are carved from 64 KiB chunks: they are freed only at the end (freed
 * ones wait on a free list for reuse, see record_alloc()), so they need no
 * allocator header each and lie densely.
 * Tens of thousands of BO records are most of what the tool touches, and
 * every new page costs a fault (bench/HISTORY.md).  --fail-alloc turns this
 * off (replay_options.no_pools) so that each record is an allocation of
 * its own that can fail.
 */
#define POOL_CHUNK 65536

struct pool_chunk {
	struct pool_chunk *next;
	/* the records follow, 16-byte aligned */
};

#define POOL_CHUNK_HEAD ((sizeof(struct pool_chunk) + 15) & ~(size_t)15)

struct pool {
	struct pool_chunk *chunks;	/* newest first */
	char *next, *end;		/* free part of the newest */
};

/** struct replay_vm - the VM, with the proof that vm_free ran */
struct replay_vm {
	struct gpuvm base;
	bool freed;
};

enum vm_state {
	VM_NONE,	/* no vm command yet */
	VM_READY,	/* gpuvm_init() succeeded */
	VM_FAILED,	/* gpuvm_init() failed; the trace cannot go on */
};

/* Longest output line: a remap with two pieces (217 bytes). */
#define LINE_MAX_CHARS 256
/* Output is written to the stream once this much is formatted. */
#define OUT_CHUNK 65536

struct replay {
	FILE *out;
	char *obuf;			/* OUT_CHUNK + LINE_MAX_CHARS bytes */
	size_t olen;			/* bytes formatted into obuf */
	const char *name;
	struct replay_options opts;
	unsigned long lineno;

	enum vm_state state;
	unsigned long vm_lineno;	/* line of the vm command */
	struct replay_vm vm;
	struct gpuvm *gv;		/* &vm.base, or the Mali VM's */
	unsigned int shift;		/* --mmu: GPU bytes = units << shift */
	bool holding;			/* --mmu: op lines held back... */
	char *pending;			/* ...here (pending_len bytes) */
	size_t pending_len, pending_cap;
	unsigned long nops;		/* op lines printed for the command */
	uint64_t req_addr, req_range;	/* --mmu: GPU range of the request */

	struct id_table bos;		/* struct replay_bo by id */
	struct gpuvm_bo_ops bo_ops;	/* of every object: leads back here */
	/* records given back, for reuse (record_free()) */
	struct free_link *free_objs;	/* objects libgpuvm let go of */
	struct free_link *free_vm_bos;	/* vm_bos libgpuvm freed */
	struct free_link *free_vas;	/* VA structures */
	struct pool pool;		/* BO, object and VA records */

	unsigned long warnings;		/* libgpuvm warnings seen */
};

static struct replay_obj *to_replay_obj(const struct gpuvm_bo *obj)
{
	return gpuvm_container_of(obj, struct replay_obj, mbo.base);
}

static void replay_obj_get(struct gpuvm_bo *obj)
{
	to_replay_obj(obj)->refs++;
}

static void obj_release(struct replay *r, struct replay_obj *o);

/*
 * The last put gives a plain object back: libgpuvm no longer refers to it
 * (a put is its last touch, as in the kernel), and nothing else keeps it.
 */
static void replay_obj_put(struct gpuvm_bo *obj)
{
	struct replay_obj *o = to_replay_obj(obj);

	if (--o->refs == 0 && !o->mali)
		obj_release(gpuvm_container_of(obj->ops, struct replay, bo_ops), o);
}

static void replay_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct replay_vm, base)->freed = true;
}

/* A record on one of the tool's free lists (its first bytes). */
struct free_link {
	struct free_link *next;
};

/*
 * Zero a record of @size bytes, a multiple of 16 (a VA, a vm_bo, an
 * object).  On x86-64 with 16-byte stores: gcc 12 makes a memset() of 96
 * bytes a "rep stos", whose start-up cost was a third of finish_plan()'s
 * samples, where it takes a VA from the free list (perf annotate).
 */
static inline void zero_record(void *rec, size_t size)
{
#ifdef REPLAY_SSE2_HEX
	__m128i z = _mm_setzero_si128();
	char *p = rec;
	size_t i;

	/*
	 * Hide that @z is zero, or gcc recognises the loop as a memset() and
	 * emits the "rep stos" again.
	 */
	__asm__("" : "+x"(z));
	for (i = 0; i < size; i += 16)
		_mm_storeu_si128((__m128i *)(void *)(p + i), z);
#else
	memset(rec, 0, size);
#endif
}

static void *pool_alloc(struct replay *r, size_t size);

/*
 * A zeroed record of @size bytes (a multiple of 16): the last one given
 * back to @list, else a new one (pool_alloc()); NULL when out of memory.
 */
static void *record_alloc(struct replay *r, struct free_link **list,
			  size_t size)
{
	struct free_link *f = *list;

	if (!f)
		return pool_alloc(r, size);
	*list = f->next;
	zero_record(f, size);
	return f;
}

/*
 * Give back @rec, a record of record_alloc(): onto @list, linked through its
 * first bytes, or with no_pools (--fail-alloc) to the allocator at once.
 */
static void record_free(struct replay *r, struct free_link **list, void *rec)
{
	struct free_link *f = rec;

	if (r->opts.no_pools) {
		gpuvm_free(rec);
		return;
	}
	f->next = *list;
	*list = f;
}

/*
 * vm_bos come and go with every BO mapped and unmapped: the VM's hooks keep
 * the freed ones for the next, as a driver's slab cache would.
 */
static struct gpuvm_vm_bo *replay_vm_bo_alloc(struct gpuvm *vm)
{
	struct replay *r = gpuvm_container_of(vm, struct replay, vm.base);

	return record_alloc(r, &r->free_vm_bos, sizeof(struct gpuvm_vm_bo));
}

static void replay_vm_bo_free(struct gpuvm_vm_bo *vm_bo)
{
	struct replay *r = gpuvm_container_of(vm_bo->vm, struct replay, vm.base);

	record_free(r, &r->free_vm_bos, vm_bo);
}

static const struct gpuvm_ops replay_vm_ops = {
	.vm_free = replay_vm_free,
	.vm_bo_alloc = replay_vm_bo_alloc,
	.vm_bo_free = replay_vm_bo_free,
};

static uint64_t bo_id(const struct gpuvm_bo *obj)
{
	return obj ? to_replay_obj(obj)->id : 0;
}

/* ------------------------------------------------------------------------ */
/* Diagnostics                                                              */

static void __attribute__((format(printf, 3, 0))) vreport(struct replay *r, const char *what,
					const char *fmt, va_list ap)
{
	/* Whatever was printed so far comes out before the message. */
	replay_flush(r);
	fprintf(stderr, "gpuvm-replay: %s:%lu: %s", r->name, r->lineno, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static enum replay_status __attribute__((format(printf, 2, 3)))
tool_error(struct replay *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(r, "", fmt, ap);
	va_end(ap);
	return REPLAY_TOOL_ERROR;
}

static enum replay_status __attribute__((format(printf, 2, 3)))
internal_error(struct replay *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(r, "internal error: ", fmt, ap);
	va_end(ap);
	return REPLAY_INTERNAL_ERROR;
}

static void replay_warn(const char *func, const char *msg, void *priv)
{
	struct replay *r = priv;

	r->warnings++;
	if (r->opts.quiet)
		return;
	replay_flush(r);
	fprintf(stderr, "gpuvm-replay: %s:%lu: libgpuvm warning: %s: %s\n",
		r->name, r->lineno, func, msg);
}

/* ------------------------------------------------------------------------ */
/* Output: formatted into one buffer, written OUT_CHUNK bytes at a time     */

#ifndef REPLAY_SSE2_HEX
#define HEX_ROW(h) h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" \
		   h "8" h "9" h "a" h "b" h "c" h "d" h "e" h "f"
/* "00" "01" ... "ff": the two hex digits of every byte */
static const char hex_pairs[] =
	HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3")
	HEX_ROW("4") HEX_ROW("5") HEX_ROW("6") HEX_ROW("7")
	HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b")
	HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");
#endif

#define DEC_ROW(d) d "0" d "1" d "2" d "3" d "4" d "5" d "6" d "7" d "8" d "9"
/* "00" "01" ... "99" */
static const char dec_pairs[] =
	DEC_ROW("0") DEC_ROW("1") DEC_ROW("2") DEC_ROW("3") DEC_ROW("4")
	DEC_ROW("5") DEC_ROW("6") DEC_ROW("7") DEC_ROW("8") DEC_ROW("9");

/* Copy the string literal @lit to @p and advance @p past it. */
#define PUT_LIT(p, lit) \
	((p) = (char *)memcpy((p), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)

/* Number of hex digits of @v (1 for 0). */
static unsigned int hex_len(uint64_t v)
{
	return v ? (67u - (unsigned int)__builtin_clzll(v)) / 4 : 1;
}

#ifdef REPLAY_SSE2_HEX
/*
 * "0x" and @v in lower-case hex without leading zeros; returns the end.
 * Stores all 16 digits, the significant ones first: up to 15 bytes past
 * the end are scratch (the line buffers have the room).
 */
static char *put_hex(char *p, uint64_t v)
{
	unsigned int n = hex_len(v);
	const __m128i nibble = _mm_set1_epi8(0x0f);
	__m128i x, d, letter;

	/* the most significant byte first in memory */
	x = _mm_cvtsi64_si128((long long)__builtin_bswap64(v << 4 * (16 - n)));
	/* high and low nibble of each byte, in that order */
	d = _mm_unpacklo_epi8(_mm_and_si128(_mm_srli_epi64(x, 4), nibble),
			      _mm_and_si128(x, nibble));
	/* '0' + d, and 39 more for a..f */
	letter = _mm_and_si128(_mm_cmpgt_epi8(d, _mm_set1_epi8(9)),
			       _mm_set1_epi8(39));
	d = _mm_add_epi8(d, _mm_add_epi8(letter, _mm_set1_epi8('0')));
	p[0] = '0';
	p[1] = 'x';
	_mm_storeu_si128((__m128i *)(void *)(p + 2), d);
	return p + 2 + n;
}
#else
/* "0x" and @v in lower-case hex without leading zeros; returns the end. */
static char *put_hex(char *p, uint64_t v)
{
	unsigned int n = hex_len(v);
	char *end = p + 2 + n;

	p[0] = '0';
	p[1] = 'x';
	p = end;
	for (; n >= 2; n -= 2) {
		p -= 2;
		memcpy(p, &hex_pairs[2 * (v & 0xff)], 2);
		v >>= 8;
	}
	if (n)
		p[-1] = "0123456789abcdef"[v];
	return end;
}
#endif

/* @v in decimal; returns the end. */
static char *put_dec(char *p, uint64_t v)
{
	char tmp[20], *q = tmp + sizeof(tmp);
	size_t n;

	while (v >= 100) {
		q -= 2;
		memcpy(q, &dec_pairs[2 * (v % 100)], 2);
		v /= 100;
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, &dec_pairs[2 * v], 2);
	} else {
		*--q = (char)('0' + v);
	}
	n = (size_t)(tmp + sizeof(tmp) - q);
	memcpy(p, q, n);
	return p + n;
}

/*
 * Where the next output line is formatted: at the end of the output buffer,
 * or at the end of r->pending while the op lines are held back (--mmu,
 * which made room for them: plan_print_pending()).  There is room
 * for LINE_MAX_CHARS bytes.
 */
static char *out_line(struct replay *r)
{
	return r->holding ? r->pending + r->pending_len : r->obuf + r->olen;
}

void replay_flush(struct replay *r)
{
	if (r->olen)
		fwrite(r->obuf, 1, r->olen, r->out);
	r->olen = 0;
	fflush(r->out);
}

/* mmu_env_set_flush()'s callback: the backend is about to print. */
static void replay_flush_cb(void *priv)
{
	replay_flush(priv);
}

/* The line formatted at out_line() ends at @end (past its newline). */
static void out_done(struct replay *r, char *end)
{
	if (r->holding) {
		r->pending_len = (size_t)(end - r->pending);
		return;
	}
	r->olen = (size_t)(end - r->obuf);
	if (r->olen >= OUT_CHUNK)
		replay_flush(r);
}

void replay_write(struct replay *r, const char *s, size_t n)
{
	if (r->olen + n > OUT_CHUNK)
		replay_flush(r);
	if (n > OUT_CHUNK) {
		fwrite(s, 1, n, r->out);
		return;
	}
	memcpy(r->obuf + r->olen, s, n);
	r->olen += n;
	if (r->olen >= OUT_CHUNK)
		replay_flush(r);
}

/* A line made of @a and @b (both short: a keyword, an errno name). */
static void out_words(struct replay *r, const char *a, const char *b)
{
	char *p = out_line(r);
	size_t na = strlen(a), nb = strlen(b);

	memcpy(p, a, na);
	memcpy(p + na, b, nb);
	p[na + nb] = '\n';
	out_done(r, p + na + nb + 1);
}

/* A line of fixed text: "ok", "end" */
#define print_line(r, lit) out_text((r), lit "\n", sizeof(lit))

static void out_text(struct replay *r, const char *s, size_t n)
{
	char *p = out_line(r);

	memcpy(p, s, n);
	out_done(r, p + n);
}

static void print_error(struct replay *r, int err)
{
	out_words(r, "error ", gpuvm_err_name(err));
}

/* "ADDR RANGE BO OFFSET" of a mapping, the four separated by @sep */
static char *put_mapping(char *p, unsigned int sh, uint64_t addr,
			 uint64_t range, const struct gpuvm_bo *obj,
			 uint64_t offset, char sep)
{
	p = put_hex(p, addr >> sh);
	*p++ = sep;
	p = put_hex(p, range >> sh);
	*p++ = sep;
	p = put_dec(p, bo_id(obj));
	*p++ = sep;
	return put_hex(p, offset >> sh);
}

/* "A:R:BO:OFF" or "-" for a remap piece */
static char *put_piece(char *p, unsigned int sh,
		       const struct gpuvm_op_map *piece)
{
	if (!piece) {
		*p++ = '-';
		return p;
	}
	return put_mapping(p, sh, piece->addr, piece->range, piece->obj,
			   piece->offset, ':');
}

/* "ADDR RANGE" of a VA */
static char *put_va(char *p, unsigned int sh, const struct gpuvm_va *va)
{
	p = put_hex(p, va->addr >> sh);
	*p++ = ' ';
	return put_hex(p, va->range >> sh);
}

/* Format the line of @op at @p (room for LINE_MAX_CHARS); returns its end. */
static char *format_op(char *p, unsigned int sh, const struct gpuvm_op *op)
{
	switch (op->type) {
	case GPUVM_OP_MAP:
		PUT_LIT(p, "map ");
		p = put_mapping(p, sh, op->map.addr, op->map.range,
				op->map.obj, op->map.offset, ' ');
		break;
	case GPUVM_OP_REMAP:
		PUT_LIT(p, "remap ");
		p = put_va(p, sh, op->remap.unmap->va);
		if (op->remap.unmap->keep)
			PUT_LIT(p, " keep=1 prev=");
		else
			PUT_LIT(p, " keep=0 prev=");
		p = put_piece(p, sh, op->remap.prev);
		PUT_LIT(p, " next=");
		p = put_piece(p, sh, op->remap.next);
		break;
	case GPUVM_OP_UNMAP:
		PUT_LIT(p, "unmap ");
		p = put_va(p, sh, op->unmap.va);
		if (op->unmap.keep)
			PUT_LIT(p, " keep=1");
		else
			PUT_LIT(p, " keep=0");
		break;
	case GPUVM_OP_PREFETCH:
		PUT_LIT(p, "prefetch ");
		p = put_va(p, sh, op->prefetch.va);
		break;
	default:
		PUT_LIT(p, "driver-op");
		break;
	}
	*p++ = '\n';
	return p;
}

/* Print the lines of every op of @ops (held back while r->holding). */
static void print_ops(struct replay *r, const struct gpuvm_op_list *ops)
{
	const struct gpuvm_op *op;
	char *p;

	if (r->holding) {
		gpuvm_op_list_for_each(op, ops) {
			out_done(r, format_op(out_line(r), r->shift, op));
			r->nops++;
		}
		return;
	}
	/* straight into the output buffer */
	p = r->obuf + r->olen;
	gpuvm_op_list_for_each(op, ops) {
		p = format_op(p, r->shift, op);
		r->nops++;
		if ((size_t)(p - r->obuf) >= OUT_CHUNK) {
			r->olen = (size_t)(p - r->obuf);
			replay_flush(r);
			p = r->obuf;
		}
	}
	r->olen = (size_t)(p - r->obuf);
}

/* ------------------------------------------------------------------------ */
/* Buffer objects                                                           */

/*
 * @size zeroed bytes (a multiple of 8, at most a chunk's), from the pool or,
 * with no_pools, the allocator; NULL when out of memory.  pool_free_record()
 * gives them back.
 */
static void *pool_alloc(struct replay *r, size_t size)
{
	struct pool *pl = &r->pool;
	void *rec;

	if (r->opts.no_pools)
		return gpuvm_zalloc(size);
	if ((size_t)(pl->end - pl->next) < size) {
		struct pool_chunk *c = gpuvm_zalloc(POOL_CHUNK);

		if (!c)
			return NULL;
		c->next = pl->chunks;
		pl->chunks = c;
		pl->next = (char *)c + POOL_CHUNK_HEAD;
		pl->end = (char *)c + POOL_CHUNK;
	}
	rec = pl->next;
	pl->next += size;
	/* an undone record may be carved again */
	if (size % 16 == 0)
		zero_record(rec, size);
	else
		memset(rec, 0, size);
	return rec;
}

/*
 * Free a record of @size bytes from pool_alloc(): only with no_pools, or
 * the one carved last (a creation undone); the rest go with the pool.
 */
static void pool_free_record(struct replay *r, void *rec, size_t size)
{
	if (r->opts.no_pools)
		gpuvm_free(rec);
	else if ((char *)rec + size == r->pool.next)
		r->pool.next = rec;
}

static void pool_fini(struct replay *r)
{
	struct pool_chunk *c, *next;

	for (c = r->pool.chunks; c; c = next) {
		next = c->next;
		gpuvm_free(c);
	}
	memset(&r->pool, 0, sizeof(r->pool));
}

static struct replay_bo *bo_lookup(struct replay *r, uint64_t id)
{
	return id_table_lookup(&r->bos, id);
}

/* Finish @o (unused) and free its record. */
static void obj_free(struct replay *r, struct replay_obj *o)
{
	if (o->mali) {
		gpuvm_mali_bo_fini(&o->mbo);
		pool_free_record(r, o, OBJ_RECORD_MALI);
	} else {
		gpuvm_bo_fini(&o->mbo.base);
		pool_free_record(r, o, OBJ_RECORD_PLAIN);
	}
}

/* Detach plain object @o, which libgpuvm let go of, from its BO; keep it. */
static void obj_release(struct replay *r, struct replay_obj *o)
{
	struct replay_bo *bo = bo_lookup(r, o->id);

	bo->obj = NULL;
	gpuvm_bo_fini(&o->mbo.base);
	record_free(r, &r->free_objs, o);
}

/*
 * The libgpuvm object of @bo, created if it has none (plain mode); NULL when
 * out of memory.
 */
static struct gpuvm_bo *bo_obj(struct replay *r, struct replay_bo *bo)
{
	struct replay_obj *o = bo->obj;

	if (o)
		return &o->mbo.base;
	o = record_alloc(r, &r->free_objs, OBJ_RECORD_PLAIN);
	if (!o)
		return NULL;
	gpuvm_bo_init(&o->mbo.base, &r->bo_ops, NULL);
	o->id = bo->id;
	bo->obj = o;
	return &o->mbo.base;
}

/* With --mmu: the Mali object of BO @id, kept to the end.  0 or -errno. */
static int bo_mali_obj(struct replay *r, uint64_t id, struct replay_obj **out)
{
	struct replay_obj *o = pool_alloc(r, OBJ_RECORD_MALI);
	uint64_t pa = 0, size = 0;
	int ret;

	if (!o)
		return -ENOMEM;
	ret = mmu_env_bo_backing(r->opts.mmu, id, &pa, &size);
	if (!ret)
		ret = -gpuvm_mali_bo_init(&o->mbo, pa, size, &r->bo_ops);
	if (ret) {
		pool_free_record(r, o, OBJ_RECORD_MALI);
		return ret;
	}
	o->mali = true;
	o->id = id;
	*out = o;
	return 0;
}

/* The BO with @id, created on first use (a map may name an undeclared BO). */
static int bo_get_or_create(struct replay *r, uint64_t id,
			    struct replay_bo **out)
{
	struct replay_bo *bo = bo_lookup(r, id);
	struct replay_obj *o = NULL;
	int ret;

	if (!bo) {
		/* A Mali BO has its backing, and so its object, from the start. */
		if (r->opts.mmu) {
			ret = bo_mali_obj(r, id, &o);
			if (ret)
				return ret;
		}
		bo = pool_alloc(r, sizeof(*bo));
		if (!bo) {
			if (o)
				obj_free(r, o);
			return -ENOMEM;
		}
		bo->id = id;
		bo->obj = o;
		/* The table's own memory: a host-memory failure like the rest. */
		if (id_table_insert(&r->bos, bo)) {
			pool_free_record(r, bo, sizeof(*bo));
			if (o)
				obj_free(r, o);
			return -ENOMEM;
		}
	}
	*out = bo;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Plans                                                                    */

/* Enough pre-allocated VAs for any single plan the planner documents. */
#define PLAN_INLINE_VAS 4

/**
 * struct plan - one planned request and what applying it needs
 * @ops: the op list
 * @vm_bo: an extra vm_bo reference held while applying, or NULL
 * @exec: the reservation locks of the objects the plan touches, held from
 *	before planning until the plan is released (staged mode: they are
 *	the objects' BO list locks, which obtain/link/unlink need)
 * @vas: pre-allocated VA structures (@inline_vas or heap)
 * @nvas: how many were allocated
 * @used: how many were consumed by applying
 * @inline_vas: storage for @vas for the common, small plans
 */
struct plan {
	struct gpuvm_op_list ops;
	struct gpuvm_vm_bo *vm_bo;
	struct gpuvm_exec exec;
	struct gpuvm_va **vas;
	unsigned int nvas;
	unsigned int used;
	struct gpuvm_va *inline_vas[PLAN_INLINE_VAS];
};

static void plan_init(struct plan *p)
{
	gpuvm_op_list_init(&p->ops);
	p->vm_bo = NULL;
	gpuvm_exec_init(&p->exec, GPUVM_EXEC_IGNORE_DUPLICATES);
	p->vas = p->inline_vas;
	p->nvas = 0;
	p->used = 0;
}

/* VA structures: freed ones are handed out again zeroed (record_alloc()). */
static struct gpuvm_va *va_alloc(struct replay *r)
{
	return record_alloc(r, &r->free_vas, sizeof(struct gpuvm_va));
}

static void va_free(struct replay *r, struct gpuvm_va *va)
{
	if (va)
		record_free(r, &r->free_vas, va);
}

/* Free the unused VAs, drop the vm_bo reference, free the ops, unlock. */
static void plan_release(struct replay *r, struct plan *p)
{
	unsigned int i;

	for (i = p->used; i < p->nvas; i++)
		va_free(r, p->vas[i]);
	if (p->vas != p->inline_vas)
		gpuvm_free(p->vas);
	p->vas = p->inline_vas;
	p->nvas = 0;
	p->used = 0;

	gpuvm_vm_bo_put(p->vm_bo);
	p->vm_bo = NULL;

	gpuvm_op_list_clear(r->gv, &p->ops);
	gpuvm_exec_fini(&p->exec);
}

/*
 * Lock the objects of a plan just made (@ret: what *_ops_create()
 * returned): the request's object, then those of the VAs the plan removes.
 * Planning first spares the tree walk a locking pass before planning would
 * make; the tree cannot change in between, this thread being its only user.
 * Returns @ret, or the locking error (the list is released with the plan).
 */
static int plan_lock(struct plan *p, int ret)
{
	if (ret)
		return ret;
	do {
		ret = gpuvm_op_list_exec_lock(&p->exec, 0, &p->ops);
	} while (gpuvm_exec_retry(&p->exec, &ret));
	return ret;
}

static int plan_alloc_vas(struct replay *r, struct plan *p,
			  unsigned int count)
{
	unsigned int i;

	if (count > PLAN_INLINE_VAS) {
		p->vas = gpuvm_zalloc(count * sizeof(*p->vas));
		if (!p->vas) {
			p->vas = p->inline_vas;
			return -ENOMEM;
		}
	}
	for (i = 0; i < count; i++) {
		p->vas[i] = va_alloc(r);
		if (!p->vas[i])
			return -ENOMEM;
		p->nvas++;
	}
	return 0;
}

static struct gpuvm_va *plan_take_va(struct plan *p)
{
	if (p->used == p->nvas)
		return NULL;
	return p->vas[p->used++];
}

static enum replay_status apply_map(struct replay *r, struct plan *p,
				    const struct gpuvm_op *op)
{
	struct gpuvm_va *va = plan_take_va(p);
	int ret;

	if (!va)
		return internal_error(r, "gpuvm_op_list_count_new_vas() counted too few VAs");

	ret = gpuvm_va_map(r->gv, va, &op->map);
	if (ret) {
		va_free(r, va);
		return internal_error(r, "gpuvm_va_map() failed: %s",
				      gpuvm_err_name(ret));
	}

	if (op->map.obj) {
		if (!p->vm_bo || p->vm_bo->obj != op->map.obj)
			return internal_error(r, "MAP of BO %" PRIu64 " that the request did not name",
					      bo_id(op->map.obj));
		gpuvm_va_link(va, p->vm_bo);
	}
	return REPLAY_OK;
}

static enum replay_status apply_remap(struct replay *r, struct plan *p,
				      const struct gpuvm_op *op)
{
	struct gpuvm_va *old = op->remap.unmap->va;
	struct gpuvm_vm_bo *vm_bo = old->vm_bo;
	struct gpuvm_va *prev = NULL, *next = NULL;
	int ret;

	if (op->remap.prev) {
		prev = plan_take_va(p);
		if (!prev)
			return internal_error(r, "gpuvm_op_list_count_new_vas() counted too few VAs");
	}
	if (op->remap.next) {
		next = plan_take_va(p);
		if (!next)
			return internal_error(r, "gpuvm_op_list_count_new_vas() counted too few VAs");
	}

	ret = gpuvm_va_remap(prev, next, &op->remap);
	if (ret) {
		va_free(r, prev);
		va_free(r, next);
		return internal_error(r, "gpuvm_va_remap() failed: %s",
				      gpuvm_err_name(ret));
	}

	/*
	 * The pieces join the old VA's vm_bo before the old VA leaves it, so
	 * the vm_bo cannot die in between; prev first, then next.
	 */
	if (vm_bo) {
		if (prev)
			gpuvm_va_link(prev, vm_bo);
		if (next)
			gpuvm_va_link(next, vm_bo);
	}
	gpuvm_va_unlink(old);
	va_free(r, old);
	return REPLAY_OK;
}

static void apply_unmap(struct replay *r, const struct gpuvm_op *op)
{
	struct gpuvm_va *va = op->unmap.va;

	gpuvm_va_unmap(&op->unmap);
	gpuvm_va_unlink(va);
	va_free(r, va);
}

static enum replay_status plan_apply(struct replay *r, struct plan *p)
{
	enum replay_status st = REPLAY_OK;
	struct gpuvm_op *op;

	gpuvm_op_list_for_each(op, &p->ops) {
		switch (op->type) {
		case GPUVM_OP_MAP:
			st = apply_map(r, p, op);
			break;
		case GPUVM_OP_REMAP:
			st = apply_remap(r, p, op);
			break;
		case GPUVM_OP_UNMAP:
			apply_unmap(r, op);
			break;
		default:
			st = internal_error(r, "unexpected op type %d in a plan to apply",
					    (int)op->type);
			break;
		}
		if (st != REPLAY_OK)
			return st;
	}
	if (p->used != p->nvas)
		return internal_error(r, "gpuvm_op_list_count_new_vas() counted %u VAs, %u used",
				      p->nvas, p->used);
	return REPLAY_OK;
}

/**
 * finish_plan() - steps 2 to 4 for a planned request
 * @r: the session
 * @p: the plan; p->vm_bo may already hold a reference (bo-unmap)
 * @plan_ret: what planning (the *_ops_create() call) and locking returned
 * @obj: the object to obtain a vm_bo for, or NULL
 * @apply: false for a prefetch (printed, never applied)
 */
static enum replay_status finish_plan(struct replay *r, struct plan *p,
				      int plan_ret, struct gpuvm_bo *obj,
				      bool apply)
{
	enum replay_status st = REPLAY_OK;
	int ret;

	if (plan_ret) {
		/* Planning or locking failed: nothing was applied. */
		plan_release(r, p);
		print_error(r, plan_ret);
		return REPLAY_OK;
	}

	if (apply) {
		ret = plan_alloc_vas(r, p, gpuvm_op_list_count_new_vas(&p->ops));
		if (!ret && obj)
			ret = gpuvm_vm_bo_obtain(r->gv, obj, &p->vm_bo);
		if (ret) {
			plan_release(r, p);
			print_error(r, ret);
			return REPLAY_OK;
		}
	}

	print_ops(r, &p->ops);

	if (apply)
		st = plan_apply(r, p);
	if (st != REPLAY_OK)
		return st;

	plan_release(r, p);
	print_line(r, "ok");
	return REPLAY_OK;
}

/* ------------------------------------------------------------------------ */
/* --mmu: the Mali VM applies map and unmap requests itself                 */

/* Trace units to GPU bytes; false when that overflows. */
static bool scale(const struct replay *r, uint64_t *v)
{
	if (*v > (UINT64_MAX >> r->shift))
		return false;
	*v <<= r->shift;
	return true;
}

/*
 * Format the plan's ops into r->pending, printed once applying worked.
 * Returns 0, or -ENOMEM when there is no room for them (nothing held).
 */
static int plan_print_pending(struct replay *r, struct plan *p)
{
	const struct gpuvm_op *op;
	size_t lines = 1;	/* one spare */

	gpuvm_op_list_for_each(op, &p->ops)
		lines++;
	if (lines > r->pending_cap / LINE_MAX_CHARS) {
		size_t want = 2 * r->pending_cap / LINE_MAX_CHARS;
		char *buf;

		if (want < lines)
			want = lines;
		buf = want <= SIZE_MAX / LINE_MAX_CHARS ?
		      realloc(r->pending, want * LINE_MAX_CHARS) : NULL;
		if (!buf)
			return -ENOMEM;
		r->pending = buf;
		r->pending_cap = want * LINE_MAX_CHARS;
	}
	r->pending_len = 0;
	r->holding = true;
	print_ops(r, &p->ops);
	return 0;
}

/*
 * --mmu mode: the core's plan @p (result @ret) only supplies the op lines,
 * held back until the Mali VM accepts the request; release it, locks
 * included, before the Mali VM plans and locks the same request itself.
 * Returns @ret.
 */
static int plan_hand_over(struct replay *r, struct plan *p, int ret)
{
	if (!ret)
		ret = plan_print_pending(r, p);
	plan_release(r, p);
	return ret;
}

/* Print the held-back ops and "ok", or "error NAME" alone. */
static enum replay_status finish_pending(struct replay *r, int ret)
{
	bool held = r->holding;

	r->holding = false;
	if (ret) {
		r->nops = 0;	/* not printed after all */
		print_error(r, ret);
		return REPLAY_OK;
	}
	if (held)
		replay_write(r, r->pending, r->pending_len);
	print_line(r, "ok");
	return REPLAY_OK;
}

/*
 * bo-unmap: print the core planner's ops, then unmap each VA through the
 * Mali VM, in link order (the planner's order).
 */
static enum replay_status bo_unmap_mmu(struct replay *r, struct plan *p,
				       int plan_ret)
{
	struct gpuvm_mali_vm *vm = mmu_env_vm(r->opts.mmu);
	const struct gpuvm_op *op;
	uint64_t *ranges = NULL, lo = 0, hi = 0;
	size_t n = 0, i;
	int ret = plan_ret;

	if (!ret) {
		gpuvm_op_list_for_each(op, &p->ops)
			n++;
		ranges = malloc(2 * (n ? n : 1) * sizeof(*ranges));
		if (!ranges)
			ret = -ENOMEM;
	}
	if (!ret) {
		n = 0;
		gpuvm_op_list_for_each(op, &p->ops) {
			if (op->type != GPUVM_OP_UNMAP)
				continue;
			ranges[2 * n] = op->unmap.va->addr;
			ranges[2 * n + 1] = op->unmap.va->range;
			/* verified afterwards: the span of the VAs */
			if (!n || ranges[2 * n] < lo)
				lo = ranges[2 * n];
			if (!n || ranges[2 * n] + ranges[2 * n + 1] > hi)
				hi = ranges[2 * n] + ranges[2 * n + 1];
			n++;
		}
		r->req_addr = lo;
		r->req_range = hi - lo;
		ret = plan_print_pending(r, p);
	}
	plan_release(r, p);
	for (i = 0; !ret && i < n; i++) {
		ret = -gpuvm_mali_vm_unmap(vm, ranges[2 * i],
					   ranges[2 * i + 1]);
		if (ret && i == 0)
			mmu_env_check_apply(r->opts.mmu, "bo-unmap", ret);
		if (ret && i > 0) {
			free(ranges);
			r->holding = false;
			return internal_error(r, "bo-unmap: unmapping VA %zu of %zu failed: %s",
					      i + 1, n, gpuvm_err_name(ret));
		}
	}
	free(ranges);
	return finish_pending(r, ret);
}

/* ------------------------------------------------------------------------ */
/* Arguments                                                                */

static enum replay_status arg_u64(struct replay *r, const struct trace_line *l,
				  unsigned int i, const char *what,
				  uint64_t *out)
{
	if (l->num_ok & (1u << i)) {
		*out = l->val[i];
		return REPLAY_OK;
	}
	switch (trace_parse_u64(l->tok[i], out)) {
	case TRACE_NUM_OK:
		return REPLAY_OK;
	case TRACE_NUM_OVERFLOW:
		return tool_error(r, "%s: %s '%s' does not fit in 64 bits",
				  l->tok[0], what, l->tok[i]);
	default:
		return tool_error(r, "%s: bad number '%s' for %s (decimal, or hexadecimal with 0x)",
				  l->tok[0], l->tok[i], what);
	}
}

static enum replay_status arg_bo_id(struct replay *r, const struct trace_line *l,
				    unsigned int i, uint64_t *out)
{
	if (l->dec_ok & (1u << i)) {
		*out = l->val[i];
		return REPLAY_OK;
	}
	switch (trace_parse_dec_u64(l->tok[i], out)) {
	case TRACE_NUM_OK:
		return REPLAY_OK;
	case TRACE_NUM_OVERFLOW:
		return tool_error(r, "%s: BO id '%s' does not fit in 64 bits",
				  l->tok[0], l->tok[i]);
	default:
		return tool_error(r, "%s: bad BO id '%s' (BO ids are decimal)",
				  l->tok[0], l->tok[i]);
	}
}

/* Parse the arguments at @first.. as numbers, named by @names. */
static enum replay_status args_u64(struct replay *r, const struct trace_line *l,
				   unsigned int first, const char *const *names,
				   unsigned int n, uint64_t *out)
{
	enum replay_status st;
	unsigned int i;

	for (i = 0; i < n; i++) {
		st = arg_u64(r, l, first + i, names[i], &out[i]);
		if (st != REPLAY_OK)
			return st;
	}
	return REPLAY_OK;
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                 */

static enum replay_status cmd_vm(struct replay *r, const struct trace_line *l)
{
	static const char *const names[] = {
		"START", "RANGE", "RESV_ADDR", "RESV_RANGE"
	};
	uint64_t v[4] = { 0, 0, 0, 0 };
	struct gpuvm_init_args args;
	enum replay_status st;
	int ret;

	if (r->state != VM_NONE)
		return tool_error(r, "second vm command (the first one is at line %lu)",
				  r->vm_lineno);
	if (l->count != 3 && l->count != 5)
		return tool_error(r, "vm takes 2 or 4 arguments (%s), got %u",
				  "START RANGE [RESV_ADDR RESV_RANGE]",
				  l->count - 1);

	st = args_u64(r, l, 1, names, l->count - 1, v);
	if (st != REPLAY_OK)
		return st;

	memset(&args, 0, sizeof(args));
	args.name = "gpuvm-replay";
	args.start = v[0];
	args.range = v[1];
	args.reserve_start = v[2];
	args.reserve_range = v[3];
	args.ops = &replay_vm_ops;

	r->vm_lineno = r->lineno;
	if (r->opts.mmu) {
		ret = mmu_env_vm_create(r->opts.mmu, v[0], v[1], v[2], v[3],
					&r->gv);
		if (ret) {
			r->state = VM_FAILED;
			print_error(r, ret);
			/* the plain replay would go on with a VM: stop */
			return mmu_env_backend_failures(r->opts.mmu) ?
			       REPLAY_BACKEND_FAILED : REPLAY_OK;
		}
		r->state = VM_READY;
		print_line(r, "ok");
		return REPLAY_OK;
	}
	ret = gpuvm_init(&r->vm.base, &args);
	if (ret) {
		r->state = VM_FAILED;
		print_error(r, ret);
		return REPLAY_OK;
	}
	r->state = VM_READY;
	r->gv = &r->vm.base;
	print_line(r, "ok");
	return REPLAY_OK;
}

static enum replay_status cmd_bo(struct replay *r, const struct trace_line *l)
{
	struct replay_bo *bo;
	enum replay_status st;
	uint64_t id, size;
	int ret;

	st = arg_bo_id(r, l, 1, &id);
	if (st == REPLAY_OK)
		st = arg_u64(r, l, 2, "SIZE", &size);
	if (st != REPLAY_OK)
		return st;

	if (id == 0 || size == 0) {
		print_error(r, EINVAL);
		return REPLAY_OK;
	}
	bo = bo_lookup(r, id);
	if (bo && bo->declared) {
		print_error(r, EEXIST);
		return REPLAY_OK;
	}
	ret = bo_get_or_create(r, id, &bo);
	if (ret) {
		print_error(r, ret);
		return REPLAY_OK;
	}
	bo->declared = true;
	print_line(r, "ok");
	return REPLAY_OK;
}

static enum replay_status cmd_map(struct replay *r, const struct trace_line *l)
{
	struct gpuvm_map_req req;
	struct replay_bo *bo = NULL;
	enum replay_status st;
	struct plan p;
	uint64_t addr, range, id, offset;
	int ret;

	st = arg_u64(r, l, 1, "ADDR", &addr);
	if (st == REPLAY_OK)
		st = arg_u64(r, l, 2, "RANGE", &range);
	if (st == REPLAY_OK)
		st = arg_bo_id(r, l, 3, &id);
	if (st == REPLAY_OK)
		st = arg_u64(r, l, 4, "OFFSET", &offset);
	if (st != REPLAY_OK)
		return st;

	if (id) {
		ret = bo_get_or_create(r, id, &bo);
		if (!ret && !bo_obj(r, bo))
			ret = -ENOMEM;
		if (ret) {
			print_error(r, ret);
			return REPLAY_OK;
		}
	}

	if (r->opts.mmu && (!scale(r, &addr) || !scale(r, &range) ||
			    !scale(r, &offset))) {
		/* Beyond 2^64 on the GPU: outside the VM for sure. */
		print_error(r, EINVAL);
		return REPLAY_OK;
	}

	r->req_addr = addr;
	r->req_range = range;
	memset(&req, 0, sizeof(req));
	req.map.addr = addr;
	req.map.range = range;
	req.map.offset = offset;
	req.map.obj = bo ? &bo->obj->mbo.base : NULL;

	plan_init(&p);
	ret = plan_lock(&p, gpuvm_sm_map_ops_create(r->gv, &req, &p.ops));
	if (r->opts.mmu) {
		ret = plan_hand_over(r, &p, ret);
		if (!ret) {
			ret = -gpuvm_mali_vm_map(mmu_env_vm(r->opts.mmu), addr,
						 range, bo ? &bo->obj->mbo : NULL,
						 offset,
						 GPUVM_MALI_VM_PROT_DEFAULT);
			mmu_env_check_apply(r->opts.mmu, "map", ret);
		}
		return finish_pending(r, ret);
	}
	return finish_plan(r, &p, ret, req.map.obj, true);
}

static enum replay_status cmd_unmap(struct replay *r, const struct trace_line *l)
{
	static const char *const names[] = { "ADDR", "RANGE" };
	enum replay_status st;
	struct plan p;
	uint64_t v[2];
	int ret;

	st = args_u64(r, l, 1, names, 2, v);
	if (st != REPLAY_OK)
		return st;
	if (r->opts.mmu && (!scale(r, &v[0]) || !scale(r, &v[1]))) {
		print_error(r, EINVAL);
		return REPLAY_OK;
	}
	r->req_addr = v[0];
	r->req_range = v[1];

	plan_init(&p);
	ret = plan_lock(&p, gpuvm_sm_unmap_ops_create(r->gv, v[0], v[1],
						       &p.ops));
	if (r->opts.mmu) {
		ret = plan_hand_over(r, &p, ret);
		if (!ret) {
			ret = -gpuvm_mali_vm_unmap(mmu_env_vm(r->opts.mmu),
						   v[0], v[1]);
			mmu_env_check_apply(r->opts.mmu, "unmap", ret);
		}
		return finish_pending(r, ret);
	}
	return finish_plan(r, &p, ret, NULL, true);
}

static enum replay_status cmd_madvise(struct replay *r,
				      const struct trace_line *l)
{
	static const char *const names[] = { "ADDR", "RANGE" };
	struct gpuvm_map_req req;
	enum replay_status st;
	struct plan p;
	uint64_t v[2];
	int ret;

	st = args_u64(r, l, 1, names, 2, v);
	if (st != REPLAY_OK)
		return st;

	if (r->opts.mmu && (!scale(r, &v[0]) || !scale(r, &v[1]))) {
		print_error(r, EINVAL);
		return REPLAY_OK;
	}

	r->req_addr = v[0];
	r->req_range = v[1];
	memset(&req, 0, sizeof(req));
	req.map.addr = v[0];
	req.map.range = v[1];

	/* madvise only splits VAs without object: nothing to lock. */
	plan_init(&p);
	ret = gpuvm_madvise_ops_create(r->gv, &req, &p.ops);
	if (r->opts.mmu) {
		ret = plan_hand_over(r, &p, ret);
		if (!ret) {
			ret = -gpuvm_mali_vm_madvise(mmu_env_vm(r->opts.mmu),
						     v[0], v[1]);
			mmu_env_check_apply(r->opts.mmu, "madvise", ret);
		}
		return finish_pending(r, ret);
	}
	return finish_plan(r, &p, ret, NULL, true);
}

static enum replay_status cmd_prefetch(struct replay *r,
				       const struct trace_line *l)
{
	static const char *const names[] = { "ADDR", "RANGE" };
	enum replay_status st;
	struct plan p;
	uint64_t v[2];
	int ret;

	st = args_u64(r, l, 1, names, 2, v);
	if (st != REPLAY_OK)
		return st;

	if (r->opts.mmu && r->shift && v[1]) {
		/*
		 * Only RANGE 0 and an end past 2^64 are errors; the VM lies
		 * far below 2^64 on the GPU, so clamping keeps the plan.
		 */
		if (v[0] + v[1] - 1 < v[0]) {
			print_error(r, EINVAL);
			return REPLAY_OK;
		}
		if (!scale(r, &v[0])) {
			print_line(r, "ok");
			return REPLAY_OK;
		}
		if (!scale(r, &v[1]) || v[0] + v[1] - 1 < v[0])
			v[1] = v[0] ? 0 - v[0] : UINT64_MAX;
	}

	plan_init(&p);
	ret = gpuvm_prefetch_ops_create(r->gv, v[0], v[1], &p.ops);
	return finish_plan(r, &p, ret, NULL, false);
}

static enum replay_status cmd_bo_unmap(struct replay *r,
				       const struct trace_line *l)
{
	struct replay_bo *bo;
	enum replay_status st;
	struct plan p;
	uint64_t id;
	int ret;

	st = arg_bo_id(r, l, 1, &id);
	if (st != REPLAY_OK)
		return st;

	plan_init(&p);
	/*
	 * BO 0, a BO never seen and one without object (never mapped, or no
	 * longer) have no vm_bo: an empty plan.
	 */
	bo = id ? bo_lookup(r, id) : NULL;
	if (bo && bo->obj) {
		struct gpuvm_bo *obj = &bo->obj->mbo.base;

		do {
			ret = gpuvm_exec_lock_obj(&p.exec, obj);
		} while (gpuvm_exec_retry(&p.exec, &ret));
		if (ret)
			return finish_plan(r, &p, ret, NULL, true);
		p.vm_bo = gpuvm_vm_bo_find(r->gv, obj);
	}
	if (!p.vm_bo) {
		plan_release(r, &p);
		print_line(r, "ok");
		return REPLAY_OK;
	}

	/* The find reference keeps the vm_bo alive while its VAs go. */
	ret = gpuvm_bo_unmap_ops_create(p.vm_bo, &p.ops);
	if (r->opts.mmu)
		return bo_unmap_mmu(r, &p, ret);
	return finish_plan(r, &p, ret, NULL, true);
}

static enum replay_status cmd_dump(struct replay *r, const struct trace_line *l)
{
	const struct gpuvm_va *reserved = &r->gv->kernel_alloc_node;
	const struct gpuvm_va *va;

	(void)l;
	gpuvm_for_each_va(va, r->gv) {
		char *p = out_line(r);

		if (va == reserved)
			continue;
		PUT_LIT(p, "va ");
		p = put_mapping(p, r->shift, va->addr, va->range, va->obj,
				va->offset, ' ');
		*p++ = '\n';
		out_done(r, p);
	}
	print_line(r, "end");
	return REPLAY_OK;
}

/**
 * struct command - a trace command
 * @name: its keyword
 * @args: number of arguments (vm checks its own, variable, count)
 * @usage: the argument list, for messages
 * @run: the handler; the argument count has been checked
 */
struct command {
	const char *name;
	unsigned int args;
	const char *usage;
	enum replay_status (*run)(struct replay *r, const struct trace_line *l);
};

static const struct command commands[] = {
	{ "vm",       2, "START RANGE [RESV_ADDR RESV_RANGE]", cmd_vm },
	{ "bo",       2, "BO SIZE",                 cmd_bo },
	{ "map",      4, "ADDR RANGE BO OFFSET",    cmd_map },
	{ "unmap",    2, "ADDR RANGE",              cmd_unmap },
	{ "madvise",  2, "ADDR RANGE",              cmd_madvise },
	{ "prefetch", 2, "ADDR RANGE",              cmd_prefetch },
	{ "bo-unmap", 1, "BO",                      cmd_bo_unmap },
	{ "dump",     0, "",                        cmd_dump },
};

/* strcmp() == 0 for keywords of a few bytes, inline (no library call). */
static bool same_word(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].name[0] == name[0] &&
		    same_word(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Session                                                                  */

struct replay *replay_create(FILE *out, const char *name,
			     const struct replay_options *opts)
{
	struct replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->obuf = malloc(OUT_CHUNK + LINE_MAX_CHARS);
	if (!r->obuf) {
		free(r);
		return NULL;
	}
	r->out = out;
	r->name = name;
	r->opts = *opts;
	r->shift = opts->mmu ? mmu_env_shift(opts->mmu) : 0;
	r->state = VM_NONE;
	r->bo_ops.get = replay_obj_get;
	r->bo_ops.put = replay_obj_put;
	/* 1024 slots to start with; doubled as needed */
	if (id_table_init(&r->bos, offsetof(struct replay_bo, id), 1024)) {
		free(r->obuf);
		free(r);
		return NULL;
	}
	gpuvm_set_warn_handler(replay_warn, r);
	if (opts->mmu)
		mmu_env_set_flush(opts->mmu, replay_flush_cb, r);
	return r;
}

enum replay_status replay_exec(struct replay *r, unsigned long lineno,
			       const struct trace_line *line)
{
	const struct command *cmd;
	enum replay_status st;

	r->lineno = lineno;
	if (line->count == 0)
		return REPLAY_OK;

	cmd = find_command(line->tok[0]);
	if (!cmd)
		return tool_error(r, "unknown command '%s'", line->tok[0]);

	if (cmd->run != cmd_vm) {
		if (r->state == VM_NONE)
			return tool_error(r, "%s before the vm command", cmd->name);
		if (r->state == VM_FAILED)
			return tool_error(r, "%s without a VM (the vm command at line %lu failed)",
					  cmd->name, r->vm_lineno);
		if (line->count - 1 != cmd->args && !cmd->args)
			return tool_error(r, "%s takes no arguments, got %u",
					  cmd->name, line->count - 1);
		if (line->count - 1 != cmd->args)
			return tool_error(r, "%s takes %u argument%s (%s), got %u",
					  cmd->name, cmd->args,
					  cmd->args == 1 ? "" : "s", cmd->usage,
					  line->count - 1);
	}

	r->nops = 0;
	r->req_addr = 0;
	r->req_range = 0;
	if (r->opts.mmu)
		mmu_env_set_line(r->opts.mmu, r->name, lineno);
	st = cmd->run(r, line);
	if (st != REPLAY_OK)
		return st;

	if (r->opts.mmu && r->state == VM_READY) {
		mmu_env_count_ops(r->opts.mmu, r->nops);
		/* After each request that may change the page tables. */
		if (cmd->run != cmd_prefetch && cmd->run != cmd_dump &&
		    cmd->run != cmd_bo)
			mmu_env_verify(r->opts.mmu, r->req_addr, r->req_range);
	}

	if (r->opts.check && r->state == VM_READY && gpuvm_check(r->gv))
		return internal_error(r, "gpuvm_check() failed after this command");
	return REPLAY_OK;
}

/* Remove every VA but the reserved one, as a driver's VM teardown does. */
static void drain_vm(struct replay *r)
{
	struct gpuvm_va *reserved = &r->gv->kernel_alloc_node;
	struct gpuvm_va *va, *next;

	gpuvm_for_each_va_safe(va, next, r->gv) {
		if (va == reserved)
			continue;
		if (va->obj) {
			struct gpuvm_bo *obj = va->obj;

			/*
			 * Staged mode: the object's resv guards its VA lists.
			 * The unlink may drop the last vm_bo, and with it the
			 * object: hold it until unlocked, as a driver holds
			 * a GEM reference.
			 */
			obj->ops->get(obj);
			gpuvm_resv_lock(obj->resv);
			gpuvm_va_unlink(va);
			gpuvm_resv_unlock(obj->resv);
			obj->ops->put(obj);
		}
		gpuvm_va_remove(va);
		va_free(r, va);
	}
}

enum replay_status replay_destroy(struct replay *r)
{
	enum replay_status st = REPLAY_OK;
	size_t i;

	replay_flush(r);
	if (r->opts.svg && r->state == VM_READY &&
	    svg_write(r->opts.svg, r->gv,
		      r->opts.mmu ? mmu_env_vm(r->opts.mmu) : NULL, r->shift,
		      bo_id))
		st = REPLAY_TOOL_ERROR;

	if (r->opts.mmu) {
		/* The Mali VM unmaps and unlinks everything itself. */
		mmu_env_vm_destroy(r->opts.mmu);
	} else if (r->state == VM_READY) {
		uint32_t refs;

		drain_vm(r);
		refs = gpuvm_refcount(&r->vm.base);
		gpuvm_put(&r->vm.base);
		if (!r->vm.freed)
			st = internal_error(r, "VM not freed at the end: %u references were left",
					    refs);
	}

	for (i = 0; i < id_table_positions(&r->bos); i++) {
		struct replay_bo *bo = id_table_at(&r->bos, i);

		if (bo && bo->obj && bo->obj->refs)
			st = internal_error(r, "BO %" PRIu64 " still has %u references at the end",
					    bo->id, bo->obj->refs);
	}
	for (i = 0; i < id_table_positions(&r->bos); i++) {
		struct replay_bo *bo = id_table_at(&r->bos, i);

		if (!bo)
			continue;
		if (bo->obj)
			obj_free(r, bo->obj);
		pool_free_record(r, bo, sizeof(*bo));
	}
	id_table_fini(&r->bos);
	/*
	 * The free lists' records go with the pool (no_pools freed each at
	 * once); given back objects are finished already.
	 */
	r->free_objs = NULL;
	r->free_vm_bos = NULL;

	if (r->warnings)
		st = internal_error(r, "libgpuvm issued %lu warning%s", r->warnings,
				    r->warnings == 1 ? "" : "s");

	r->free_vas = NULL;
	pool_fini(r);
	gpuvm_set_warn_handler(NULL, NULL);
	replay_flush(r);
	if (r->opts.mmu)
		mmu_env_set_flush(r->opts.mmu, NULL, NULL);
	free(r->pending);
	free(r->obuf);
	free(r);
	return st;
}
