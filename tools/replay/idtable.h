/* SPDX-License-Identifier: MIT */
/*
 * The tool's table of objects by 64-bit id.  Traces number their BOs
 * densely from 1 as a rule (GEM handles are small integers too), so an id
 * below about twice the number of objects is kept in an array indexed by
 * id: a lookup is one load, with no probe that reads another object to
 * compare its id.  Other ids go to a hash table: open addressing with
 * linear probing, at most three quarters full, doubled when needed.
 * Neither part ever shrinks.  An entry is a pointer to the caller's
 * object, whose id sits at a fixed offset in it (so an entry costs one
 * pointer).  Used for the replay's BOs (replay.c) and for the --mmu
 * pre-scan's BO sizes (mmu.c).
 */
#ifndef GPUVM_REPLAY_IDTABLE_H
#define GPUVM_REPLAY_IDTABLE_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct id_table - objects by id
 * @dense: @dense_len pointers, the object with id i at [i] or NULL
 * @dense_len: ids below it may be in @dense (0: no array yet)
 * @slots: mask + 1 pointers to the other objects, NULL for a free slot
 * @mask: slots - 1 (a power of two minus 1)
 * @hashed: objects in @slots
 * @count: objects in the table
 * @key: offset of the object's uint64_t id in the object
 *
 * An id is put in @dense if it is below @dense_len, or can be made so by
 * growing the array no further than twice the objects counted plus 64
 * entries; else in @slots.  An object put in @slots stays there even once
 * @dense_len passes its id.
 */
struct id_table {
	void **dense;
	size_t dense_len;
	void **slots;
	size_t mask;
	size_t hashed;
	size_t count;
	size_t key;
};

/**
 * id_table_init() - an empty table
 * @t: the table
 * @key: offsetof() the uint64_t id in the objects it will hold
 * @slots: hash slots to start with (a power of two)
 *
 * Returns: 0, or -ENOMEM (then @t holds no memory).
 */
int id_table_init(struct id_table *t, size_t key, size_t slots);

/**
 * id_table_fini() - free the table's memory (not the objects)
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
	size_t i;
	void *obj;

	if (id < t->dense_len) {
		obj = t->dense[id];
		/* (a miss there may be an id hashed before the array grew) */
		if (obj || !t->hashed)
			return obj;
	} else if (!t->hashed) {
		return NULL;
	}
	i = id_table_home(t, id);
	while ((obj = t->slots[i]) && id_table_id(t, obj) != id)
		i = (i + 1) & t->mask;
	return obj;
}

/**
 * id_table_positions() - how many positions id_table_at() answers for
 * @t: the table
 *
 * Returns: the array's entries plus the hash slots.
 */
static inline size_t id_table_positions(const struct id_table *t)
{
	return t->dense_len + t->mask + 1;
}

/**
 * id_table_at() - what position @i holds: each object is at exactly one
 * position below id_table_positions()
 * @t: the table
 * @i: the position
 *
 * Returns: the object there, or NULL.
 */
static inline void *id_table_at(const struct id_table *t, size_t i)
{
	return i < t->dense_len ? t->dense[i] : t->slots[i - t->dense_len];
}

#endif
