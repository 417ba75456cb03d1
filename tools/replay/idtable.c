// SPDX-License-Identifier: MIT
/* The tool's table of objects by 64-bit id (idtable.h). */
#include "idtable.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The array never grows past this many entries per object, plus 64. */
#define DENSE_PER_OBJECT 2
#define DENSE_SLACK 64

int id_table_init(struct id_table *t, size_t key, size_t slots)
{
	t->dense = NULL;
	t->dense_len = 0;
	t->hashed = 0;
	t->count = 0;
	t->key = key;
	t->mask = 0;
	t->slots = slots <= SIZE_MAX / sizeof(*t->slots) ?
		   calloc(slots, sizeof(*t->slots)) : NULL;
	if (!t->slots)
		return -ENOMEM;
	t->mask = slots - 1;
	return 0;
}

void id_table_fini(struct id_table *t)
{
	free(t->dense);
	t->dense = NULL;
	t->dense_len = 0;
	free(t->slots);
	t->slots = NULL;
}

/* Put @obj in the first free slot from its home slot on. */
static void place(struct id_table *t, void *obj)
{
	size_t i = id_table_home(t, id_table_id(t, obj));

	while (t->slots[i])
		i = (i + 1) & t->mask;
	t->slots[i] = obj;
}

/*
 * Make the array cover @id if that keeps it within its bound.  Returns 1
 * if @id is covered, 0 if it belongs in the hash table, -ENOMEM.
 */
static int dense_cover(struct id_table *t, uint64_t id)
{
	size_t bound = DENSE_PER_OBJECT * (t->count + 1) + DENSE_SLACK;
	size_t len = t->dense_len ? t->dense_len : DENSE_SLACK;
	void **grown;

	if (id < t->dense_len)
		return 1;
	if (id >= bound)
		return 0;
	while (len <= id)
		len *= 2;
	/* (a byte size beyond size_t is refused before calloc() sees it) */
	grown = len <= SIZE_MAX / sizeof(*grown) ?
		calloc(len, sizeof(*grown)) : NULL;
	if (!grown)
		return -ENOMEM;
	if (t->dense_len)
		memcpy(grown, t->dense, t->dense_len * sizeof(*grown));
	free(t->dense);
	t->dense = grown;
	t->dense_len = len;
	return 1;
}

int id_table_insert(struct id_table *t, void *obj)
{
	uint64_t id = id_table_id(t, obj);
	int ret = dense_cover(t, id);

	if (ret < 0)
		return ret;
	if (ret) {
		t->dense[id] = obj;
		t->count++;
		return 0;
	}
	if (4 * (t->hashed + 1) > 3 * (t->mask + 1)) {
		void **old = t->slots;
		size_t n = t->mask + 1, i;
		void **grown = n <= SIZE_MAX / 2 / sizeof(*grown) ?
			       calloc(2 * n, sizeof(*grown)) : NULL;

		if (!grown)
			return -ENOMEM;
		t->slots = grown;
		t->mask = 2 * n - 1;
		for (i = 0; i < n; i++)
			if (old[i])
				place(t, old[i]);
		free(old);
	}
	place(t, obj);
	t->hashed++;
	t->count++;
	return 0;
}
