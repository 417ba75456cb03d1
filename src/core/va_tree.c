/* SPDX-License-Identifier: MIT */
/*
 * The VA tree: an intrusive AVL tree of non-overlapping VAs keyed by start
 * address, threaded by a singly linked list in address order.
 *
 * Why this shape: the VAs of one VM never overlap, so the interval query the
 * kernel answers with an augmented red-black tree ("the lowest VA
 * intersecting [a, b]") is a plain ordered search here -- the first VA
 * whose end lies above a -- and needs no per-node subtree maximum.  AVL keeps
 * the tree lower than red-black does, which is what lookups pay for.  Nodes
 * carry no parent pointer: insert and remove record their root-to-leaf path
 * (at most GPUVM_TREE_MAX_DEPTH nodes) and rebalance along it.  The list has
 * only a forward link: the predecessor a removal needs falls out of the same
 * descent.  Together that is 24 bytes of linkage per VA instead of the
 * kernel's 56.
 *
 * Balance factor: height(right) - height(left), in {-1, 0, 1}.
 */
#include <stddef.h>

#include "internal.h"

/*
 * An AVL tree of height h holds at least F(h+2) - 1 nodes (Fibonacci), so a
 * height of 92 would need more nodes than fit in a 64-bit address space of
 * 96-byte VAs.
 */
#define GPUVM_TREE_MAX_DEPTH 92

struct tree_path {
	struct gpuvm_va **slot[GPUVM_TREE_MAX_DEPTH]; /* link to node[i] */
	struct gpuvm_va *node[GPUVM_TREE_MAX_DEPTH];
	int8_t dir[GPUVM_TREE_MAX_DEPTH]; /* -1 went left, +1 went right */
	int depth;
};

static inline void path_push(struct tree_path *p, struct gpuvm_va **slot,
			     int8_t dir)
{
	p->slot[p->depth] = slot;
	p->node[p->depth] = *slot;
	p->dir[p->depth] = dir;
	p->depth++;
}

/*
 * Rotate the subtree at @x, whose balance is +2 or -2, and return its new
 * root.  Sets *@shrunk to whether the subtree's height went down by one
 * (always the case after an insertion).
 */
static struct gpuvm_va *rebalance(struct gpuvm_va *x, bool *shrunk)
{
	struct gpuvm_va *y, *z;

	if (x->balance > 0) {
		y = x->node.right;
		if (y->balance >= 0) {
			/* single left rotation */
			x->node.right = y->node.left;
			y->node.left = x;
			if (y->balance == 0) {
				x->balance = 1;
				y->balance = -1;
				*shrunk = false;
			} else {
				x->balance = 0;
				y->balance = 0;
				*shrunk = true;
			}
			return y;
		}
		/* right-left double rotation */
		z = y->node.left;
		x->node.right = z->node.left;
		y->node.left = z->node.right;
		z->node.left = x;
		z->node.right = y;
		x->balance = z->balance > 0 ? -1 : 0;
		y->balance = z->balance < 0 ? 1 : 0;
		z->balance = 0;
		*shrunk = true;
		return z;
	}

	y = x->node.left;
	if (y->balance <= 0) {
		/* single right rotation */
		x->node.left = y->node.right;
		y->node.right = x;
		if (y->balance == 0) {
			x->balance = -1;
			y->balance = 1;
			*shrunk = false;
		} else {
			x->balance = 0;
			y->balance = 0;
			*shrunk = true;
		}
		return y;
	}
	/* left-right double rotation */
	z = y->node.right;
	x->node.left = z->node.right;
	y->node.right = z->node.left;
	z->node.right = x;
	z->node.left = y;
	x->balance = z->balance < 0 ? 1 : 0;
	y->balance = z->balance > 0 ? -1 : 0;
	z->balance = 0;
	*shrunk = true;
	return z;
}

int gpuvm_tree_insert(struct gpuvm_tree *t, struct gpuvm_va *va)
{
	struct tree_path p;
	struct gpuvm_va **slot = &t->root;
	struct gpuvm_va *pred = NULL, *succ = NULL;
	uint64_t end = gpuvm_va_end(va);
	bool shrunk;
	int i;

	p.depth = 0;
	while (*slot) {
		struct gpuvm_va *n = *slot;

		if (va->addr < n->addr) {
			succ = n;
			path_push(&p, slot, -1);
			slot = &n->node.left;
		} else {
			pred = n;
			path_push(&p, slot, 1);
			slot = &n->node.right;
		}
	}

	/* Disjoint and sorted: only the two neighbours can intersect. */
	if ((pred && gpuvm_va_end(pred) > va->addr) || (succ && succ->addr < end))
		return -EEXIST;

	va->node.left = NULL;
	va->node.right = NULL;
	va->balance = 0;
	*slot = va;

	if (pred) {
		va->node.next = pred->node.next;
		pred->node.next = va;
	} else {
		va->node.next = t->first;
		t->first = va;
	}
	t->count++;

	/* Walk up while the subtree we came from grew taller. */
	for (i = p.depth - 1; i >= 0; i--) {
		struct gpuvm_va *n = p.node[i];

		n->balance += p.dir[i];
		if (n->balance == 0)
			break;
		if (n->balance == 1 || n->balance == -1)
			continue;
		*p.slot[i] = rebalance(n, &shrunk);
		break;
	}
	return 0;
}

void gpuvm_tree_remove(struct gpuvm_tree *t, struct gpuvm_va *va)
{
	struct tree_path p;
	struct gpuvm_va **slot = &t->root;
	struct gpuvm_va *pred = NULL, *n;
	int i, k;

	p.depth = 0;
	while ((n = *slot) != va) {
		if (va->addr < n->addr) {
			path_push(&p, slot, -1);
			slot = &n->node.left;
		} else {
			pred = n;
			path_push(&p, slot, 1);
			slot = &n->node.right;
		}
	}

	/* The list predecessor is the left subtree's maximum, if any. */
	if (va->node.left) {
		pred = va->node.left;
		while (pred->node.right)
			pred = pred->node.right;
	}
	if (pred)
		pred->node.next = va->node.next;
	else
		t->first = va->node.next;

	if (!va->node.left || !va->node.right) {
		/* At most one child: it takes the VA's place. */
		*slot = va->node.left ? va->node.left : va->node.right;
	} else {
		/*
		 * Two children: the in-order successor s (the right subtree's
		 * minimum) moves into the VA's place.  The path records s's
		 * old position so that rebalancing starts where a node
		 * really went away.
		 */
		struct gpuvm_va **sslot;
		struct gpuvm_va *s;

		k = p.depth;
		path_push(&p, slot, 1);
		sslot = &va->node.right;
		while ((*sslot)->node.left) {
			path_push(&p, sslot, -1);
			sslot = &(*sslot)->node.left;
		}
		s = *sslot;
		*sslot = s->node.right;

		s->node.left = va->node.left;
		s->node.right = va->node.right;
		s->balance = va->balance;
		*slot = s;
		p.node[k] = s;
		if (k + 1 < p.depth)
			p.slot[k + 1] = &s->node.right;
	}

	va->node.left = NULL;
	va->node.right = NULL;
	va->node.next = NULL;
	va->balance = 0;
	t->count--;

	/* Walk up while the subtree we came from got shorter. */
	for (i = p.depth - 1; i >= 0; i--) {
		bool shrunk = true;

		n = p.node[i];
		n->balance -= p.dir[i];
		if (n->balance == 1 || n->balance == -1)
			break;
		if (n->balance != 0) {
			n = rebalance(n, &shrunk);
			*p.slot[i] = n;
		}
		if (!shrunk)
			break;
	}
}

struct gpuvm_va *gpuvm_tree_first_ending_after(const struct gpuvm_tree *t,
					       uint64_t addr)
{
	struct gpuvm_va *n = t->root, *found = NULL;

	/*
	 * Written so a compiler may select instead of branching: which child
	 * comes next is as good as random for a lookup, so a branch
	 * mispredicts about every other level.  (clang selects; gcc 12 still
	 * emits a branch here -- see bench/README.md.)
	 */
	while (n) {
		bool go_right = gpuvm_va_end(n) <= addr;

		found = go_right ? found : n;
		n = go_right ? n->node.right : n->node.left;
	}
	return found;
}

struct check_state {
	const struct gpuvm_va *expect_next; /* the list's element due next */
	const struct gpuvm_va *prev;	    /* last node visited in order */
	uint64_t visited;
	int err;
};

/* Returns the height of the subtree at @n, checking it on the way. */
static int check_subtree(const struct gpuvm_va *n, struct check_state *s,
			 int depth)
{
	int hl, hr;

	if (!n || s->err)
		return 0;
	if (depth >= GPUVM_TREE_MAX_DEPTH) {
		gpuvm_warn("tree deeper than %d levels", GPUVM_TREE_MAX_DEPTH);
		s->err = -EUCLEAN;
		return 0;
	}

	hl = check_subtree(n->node.left, s, depth + 1);
	if (s->err)
		return 0;

	if (n != s->expect_next) {
		gpuvm_warn("address list out of step with the tree at 0x%llx",
			   (unsigned long long)n->addr);
		s->err = -EUCLEAN;
		return 0;
	}
	if (s->prev && gpuvm_va_end(s->prev) > n->addr) {
		gpuvm_warn("VA 0x%llx+0x%llx overlaps or precedes VA 0x%llx+0x%llx",
			   (unsigned long long)n->addr,
			   (unsigned long long)n->range,
			   (unsigned long long)s->prev->addr,
			   (unsigned long long)s->prev->range);
		s->err = -EUCLEAN;
		return 0;
	}
	if (n->range == 0 || gpuvm_va_end(n) < n->addr) {
		gpuvm_warn("VA 0x%llx has a zero or overflowing range",
			   (unsigned long long)n->addr);
		s->err = -EUCLEAN;
		return 0;
	}
	s->prev = n;
	s->expect_next = n->node.next;
	s->visited++;

	hr = check_subtree(n->node.right, s, depth + 1);
	if (s->err)
		return 0;

	if (n->balance != hr - hl || hr - hl > 1 || hl - hr > 1) {
		gpuvm_warn("VA 0x%llx: balance %d but heights %d/%d",
			   (unsigned long long)n->addr, n->balance, hl, hr);
		s->err = -EUCLEAN;
		return 0;
	}
	return 1 + (hl > hr ? hl : hr);
}

int gpuvm_tree_check(const struct gpuvm_tree *t)
{
	struct check_state s = { .expect_next = t->first };

	check_subtree(t->root, &s, 0);
	if (s.err)
		return s.err;
	if (s.expect_next) {
		gpuvm_warn("address list has elements beyond the tree's last");
		return -EUCLEAN;
	}
	if (s.visited != t->count) {
		gpuvm_warn("tree holds %llu VAs but counts %llu",
			   (unsigned long long)s.visited,
			   (unsigned long long)t->count);
		return -EUCLEAN;
	}
	return 0;
}
