/* SPDX-License-Identifier: MIT */
/*
 * The tool's table of objects by 64-bit id: open addressing with linear
 * probing, at most three quarters full (the slots are a visible part of
 * the tool's peak memory on traces with many BOs; a hit takes about two
 * probes at that load), doubled when needed, never shrunk.  An entry
 * is a pointer to the caller's object, whose id sits at a fixed offset in
 * it (so a slot costs one pointer).  Used for the replay's BOs (replay.c)
 * and for the --mmu pre-scan's BO sizes (mmu.c).
 */
#ifndef GPUVM_REPLAY_IDTABLE_H
#define GPUVM_REPLAY_IDTABLE_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct id_table - objects by id
 * @slots: mask + 1 pointers to objects, NULL for a free slot
 * @mask: slots - 1 (a power of two minus 1)
 * @count: objects in the table
 * @key: offset of the object's uint64_t id in the object
 */
struct id_table {
	void **slots;
	size_t mask;
	size_t count;
	size_t key;
};

/**
 * id_table_init() - an empty table
 * @t: the table
 * @key: offsetof() the uint64_t id in the objects it will hold
 * @slots: slots to start with (a power of two)
 *
 * Returns: 0, or -ENOMEM (then @t holds no memory).
 */
int id_table_init(struct id_table *t, size_t key, size_t slots);

/**
 * id_table_fini() - free the slots (not the objects)
 * @t: the table
 */
void id_table_fini(struct id_table *t);

/**
 * id_table_insert() - add @obj, whose id is not in the table yet
 * @t: the table
 * @obj: the object
 *
 * Returns: 0, or -ENOMEM when the table had to grow and could not (then it
 * is unchanged).
 */
int id_table_insert(struct id_table *t, void *obj);

static inline uint64_t id_table_id(const struct id_table *t, const void *obj)
{
	return *(const uint64_t *)(const void *)((const char *)obj + t->key);
}

/* Home slot of @id: the top bits of a multiplicative hash. */
static inline size_t id_table_home(const struct id_table *t, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;
}

/**
 * id_table_lookup() - the object with @id
 * @t: the table
 * @id: the id
 *
 * Returns: the object, or NULL when there is none.
 */
static inline void *id_table_lookup(const struct id_table *t, uint64_t id)
{
	size_t i = id_table_home(t, id);
	void *obj;

	while ((obj = t->slots[i]) && id_table_id(t, obj) != id)
		i = (i + 1) & t->mask;
	return obj;
}

#endif
