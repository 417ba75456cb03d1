// SPDX-License-Identifier: MIT
/* The tool's table of objects by 64-bit id (idtable.h). */
#include "idtable.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int id_table_init(struct id_table *t, size_t key, size_t slots)
{
	t->slots = slots <= SIZE_MAX / sizeof(*t->slots) ?
		   calloc(slots, sizeof(*t->slots)) : NULL;
	if (!t->slots)
		return -ENOMEM;
	t->mask = slots - 1;
	t->count = 0;
	t->key = key;
	return 0;
}

void id_table_fini(struct id_table *t)
{
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

int id_table_insert(struct id_table *t, void *obj)
{
	if (4 * (t->count + 1) > 3 * (t->mask + 1)) {
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
	t->count++;
	return 0;
}
