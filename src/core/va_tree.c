/* SPDX-License-Identifier: MIT */
/*
 * The VA tree: an intrusive AVL tree of non-overlapping VAs keyed by start
 * address, with parent pointers.
 *
 * Why this shape: the VAs of one VM never overlap, so the interval query the
 * kernel answers with an augmented red-black tree ("the lowest VA
 * intersecting [a, b]") is a plain ordered search here -- the first VA
 * whose end lies above a -- and needs no per-node subtree maximum.  AVL keeps
 * the tree lower than red-black does, which is what lookups pay for.
 *
 * Parent pointers let a removal start at the node itself instead of
 * descending from the root to find it, let a REMAP put its pieces where the
 * old VA was (gpuvm_tree_replace(), gpuvm_tree_insert_after()) without any
 * descent, and give the in-order successor (gpuvm_va_next()) that iteration
 * uses, so no separate address list is kept.  Linkage is 24 bytes per VA,
 * against the kernel's 56 (rb node, list node, subtree maximum).
 *
 * Balance factor: height(right) - height(left), in {-1, 0, 1}.
 */
#include <stddef.h>

#include "internal.h"

#define L 0
#define R 1

static inline struct gpuvm_va *child(const struct gpuvm_va *n, int side)
{
	return n->node.child[side];
}

/*
 * Where a parent link goes: @c's, or a scratch slot when @c is NULL.  Whether
 * a child is NULL is as good as random in rotations and removals, so a
 * select and an unconditional store beat a branch that mispredicts.
 */
#define parent_slot(c, scratch) ((c) ? &(c)->node.parent : &(scratch))

/* Keep the scratch store: without it gcc turns the select back into a branch. */
#if defined(__GNUC__) || defined(__clang__)
#define keep_scratch(scratch) __asm__("" : : "m"(scratch))
#else
#define keep_scratch(scratch) ((void)(scratch))
#endif

static inline void set_child(struct gpuvm_va *n, int side, struct gpuvm_va *c)
{
	struct gpuvm_va *scratch;

	n->node.child[side] = c;
	*parent_slot(c, scratch) = n;
	keep_scratch(scratch);
}

/* Which side of its parent @n hangs from (meaningless at the root). */
static inline int side_of(const struct gpuvm_va *n)
{
	return child(n->node.parent, R) == n;
}

/* Make @to take @from's place under @from's parent (or as the root). */
static inline void replace_link(struct gpuvm_tree *t, struct gpuvm_va *from,
				struct gpuvm_va *to)
{
	struct gpuvm_va *p = from->node.parent, *scratch;

	*parent_slot(to, scratch) = p;
	keep_scratch(scratch);
	if (!p)
		t->root = to;
	else
		p->node.child[child(p, R) == from] = to;
}

static inline struct gpuvm_va *leftmost(struct gpuvm_va *n)
{
	while (child(n, L))
		n = child(n, L);
	return n;
}

/*
 * Rotate the subtree at @x, whose balance is +2 or -2, and return its new
 * root, linked in @x's place.  Sets *@shrunk to whether the subtree's height
 * went down by one (always the case after an insertion).
 */
static struct gpuvm_va *rebalance(struct gpuvm_tree *t, struct gpuvm_va *x,
				  bool *shrunk)
{
	const int s = x->balance > 0 ? R : L;	/* the heavy side */
	const int8_t sign = s == R ? 1 : -1;
	struct gpuvm_va *y = child(x, s), *z;

	if (y->balance != -sign) {
		/* single rotation: y comes up */
		replace_link(t, x, y);
		set_child(x, s, child(y, !s));
		set_child(y, !s, x);
		if (y->balance == 0) {
			x->balance = sign;
			y->balance = (int8_t)-sign;
			*shrunk = false;
		} else {
			x->balance = 0;
			y->balance = 0;
			*shrunk = true;
		}
		return y;
	}

	/* double rotation: y's inner child z comes up */
	z = child(y, !s);
	replace_link(t, x, z);
	set_child(x, s, child(z, !s));
	set_child(y, !s, child(z, s));
	set_child(z, !s, x);
	set_child(z, s, y);
	x->balance = z->balance == sign ? (int8_t)-sign : 0;
	y->balance = z->balance == -sign ? sign : 0;
	z->balance = 0;
	*shrunk = true;
	return z;
}

/* @n was just linked as a leaf: walk up while the subtree grew taller. */
static void retrace_insert(struct gpuvm_tree *t, struct gpuvm_va *n)
{
	struct gpuvm_va *p;
	bool shrunk;

	for (p = n->node.parent; p; n = p, p = n->node.parent) {
		p->balance += child(p, R) == n ? 1 : -1;
		if (p->balance == 0)
			return;
		if (p->balance == 1 || p->balance == -1)
			continue;
		rebalance(t, p, &shrunk);
		return;
	}
}

/* Make @va a leaf under @p on @side (NULL @p: the root) and rebalance. */
static void link_leaf(struct gpuvm_tree *t, struct gpuvm_va *p, int side,
		      struct gpuvm_va *va)
{
	va->node.child[L] = NULL;
	va->node.child[R] = NULL;
	va->node.parent = p;
	va->balance = 0;
	if (p)
		p->node.child[side] = va;
	else
		t->root = va;
	/* Relaxed atomic: gpuvm_refcount() reads the count without the lock. */
	__atomic_store_n(&t->count, t->count + 1, __ATOMIC_RELAXED);
	t->gen += 2;
	retrace_insert(t, va);
}

static inline struct gpuvm_va *rightmost(struct gpuvm_va *n)
{
	while (child(n, R))
		n = child(n, R);
	return n;
}

/*
 * The finger: what a change just learnt about the neighbourhood it touched,
 * recorded for the planner's next lookup (gpuvm_tree_first_ending_after_
 * branchy()).  Drivers apply plans in address order, and a map or unmap
 * request usually starts where the last change ended, so that lookup then
 * needs no descent.  Every change bumps @gen, which invalidates the finger
 * unless the change records a new one.
 */
static inline void finger_set(struct gpuvm_tree *t, uint64_t lo,
			      struct gpuvm_va *va, struct gpuvm_va *next,
			      bool next_known)
{
	t->finger = va;
	t->finger_next = next;
	t->finger_lo = lo;
	t->finger_last = next_known && next ? gpuvm_va_end(next) - 1 : UINT64_MAX;
	t->finger_next_known = next_known;
	t->finger_gen = t->gen;
}

/* @va was just linked between @pred and @succ (valid if @succ_known). */
static inline void finger_inserted(struct gpuvm_tree *t, struct gpuvm_va *pred,
				   struct gpuvm_va *va, struct gpuvm_va *succ,
				   bool succ_known)
{
	finger_set(t, pred ? gpuvm_va_end(pred) : 0, va, succ, succ_known);
}

/*
 * The finger's answer to "the first VA ending after @addr", if it has one:
 * true with *@va set (NULL: none); false, *@va untouched, if a descent
 * must find it.
 * The range the finger answers for is one unsigned comparison (below
 * finger_lo wraps above): a branch on addr >= finger_lo alone was a coin
 * toss, mispredicted on about every other insert of a random build, where
 * this test is nearly always false.
 */
static inline bool finger_answer(const struct gpuvm_tree *t, uint64_t addr,
				 struct gpuvm_va **va)
{
	struct gpuvm_va *f = t->finger;

	if (t->finger_gen != t->gen ||
	    addr - t->finger_lo > t->finger_last - t->finger_lo)
		return false;
	if (!f || addr < gpuvm_va_end(f)) {
		*va = f;
		return true;
	}
	if (!t->finger_next_known)
		return false;
	*va = t->finger_next;
	return true;
}

/*
 * Link @va between @pred and @succ, in-order neighbours of @t (either may be
 * NULL at an end): the slot is pred's right child if that is empty, else
 * succ's left child, which then is.
 */
static void link_between(struct gpuvm_tree *t, struct gpuvm_va *pred,
			 struct gpuvm_va *succ, struct gpuvm_va *va)
{
	if (!pred) {
		t->first = va;
		link_leaf(t, succ, L, va);
	} else if (!child(pred, R)) {
		link_leaf(t, pred, R, va);
	} else {
		link_leaf(t, succ, L, va);
	}
	finger_inserted(t, pred, va, succ, true);
}

/*
 * Insert @va just before @succ (NULL: after the last VA) without a search,
 * if that is where it belongs and it intersects neither neighbour.  Returns
 * false, having changed nothing, otherwise.
 */
static bool insert_before(struct gpuvm_tree *t, struct gpuvm_va *succ,
			  struct gpuvm_va *va)
{
	struct gpuvm_va *pred, *n;

	if (succ && succ->addr < gpuvm_va_end(va))
		return false;
	if (t->finger_gen == t->gen && t->finger_next_known &&
	    t->finger_next == succ) {
		/*
		 * The last insert was succ's predecessor (maps in order); a
		 * known next comes only from an insert, so the finger is set.
		 */
		pred = t->finger;
	} else if (succ && child(succ, L)) {
		pred = rightmost(child(succ, L));
	} else if (succ) {
		/* the nearest ancestor succ lies right of */
		for (n = succ, pred = n->node.parent; pred && child(pred, L) == n;
		     n = pred, pred = n->node.parent)
			;
	} else {
		pred = t->root ? rightmost(t->root) : NULL;
	}
	if (pred && gpuvm_va_end(pred) > va->addr)
		return false;
	link_between(t, pred, succ, va);
	return true;
}

void gpuvm_tree_set_hint(struct gpuvm_tree *t, uint64_t addr,
			 struct gpuvm_va *succ)
{
	/*
	 * Planners may run concurrently (they only read the tree), so the
	 * hint is three relaxed atomics: a mixed set still names VAs of the
	 * unchanged tree, and insert_before() checks where it puts a VA.
	 */
	__atomic_store_n(&t->hint, succ, __ATOMIC_RELAXED);
	__atomic_store_n(&t->hint_addr, addr, __ATOMIC_RELAXED);
	__atomic_store_n(&t->hint_gen, t->gen, __ATOMIC_RELAXED);
}

int gpuvm_tree_insert(struct gpuvm_tree *t, struct gpuvm_va *va)
{
	struct gpuvm_va *n = t->root, *p = NULL, *pred = NULL, *succ = NULL;
	int side = L;
	bool known;

	/*
	 * The successor may be known already: for the MAP of the plan just
	 * made (the hint), or from the last change next door (the finger),
	 * as for the MAP after the REMAP or UNMAPs of its plan.  A VA ending
	 * after va->addr that is not its successor overlaps it, and
	 * insert_before() says so.  One call site keeps it inlined.
	 */
	if (__atomic_load_n(&t->hint_gen, __ATOMIC_RELAXED) == t->gen &&
	    __atomic_load_n(&t->hint_addr, __ATOMIC_RELAXED) == va->addr) {
		succ = __atomic_load_n(&t->hint, __ATOMIC_RELAXED);
		known = true;
	} else {
		known = finger_answer(t, va->addr, &succ);
	}
	if (known && insert_before(t, succ, va))
		return 0;
	succ = NULL;

	while (n) {
		p = n;
		if (va->addr < n->addr) {
			succ = n;
			side = L;
		} else {
			pred = n;
			side = R;
		}
		n = child(n, side);
	}

	/* Disjoint and sorted: only the two neighbours can intersect. */
	if ((pred && gpuvm_va_end(pred) > va->addr) ||
	    (succ && succ->addr < gpuvm_va_end(va)))
		return -EEXIST;

	if (!pred)
		t->first = va;
	link_leaf(t, p, side, va);
	finger_inserted(t, pred, va, succ, true);
	return 0;
}

void gpuvm_tree_insert_after(struct gpuvm_tree *t, struct gpuvm_va *anchor,
			     struct gpuvm_va *va)
{
	/* Without a right child the slot is there, and succ is not needed. */
	if (child(anchor, R)) {
		link_between(t, anchor, leftmost(child(anchor, R)), va);
	} else {
		link_leaf(t, anchor, R, va);
		finger_inserted(t, anchor, va, NULL, false);
	}
}

void gpuvm_tree_replace(struct gpuvm_tree *t, struct gpuvm_va *old,
			struct gpuvm_va *va)
{
	t->gen += 2;
	replace_link(t, old, va);
	set_child(va, L, child(old, L));
	set_child(va, R, child(old, R));
	va->balance = old->balance;
	if (t->first == old)
		t->first = va;

	old->node.child[L] = NULL;
	old->node.child[R] = NULL;
	old->node.parent = NULL;
	old->balance = 0;
	finger_set(t, va->addr, va, NULL, false);
}

void gpuvm_tree_remove(struct gpuvm_tree *t, struct gpuvm_va *va)
{
	struct gpuvm_va *n, *p, *succ;
	uint64_t lo = va->addr;
	int side;	/* the side of n whose subtree got shorter */

	/*
	 * The finger afterwards: [lo, end of succ) lies before the end of the
	 * successor.  When the finger named @va, the gap before it joins in:
	 * removing a run of VAs in order keeps the whole hole known.
	 */
	if (t->finger_gen == t->gen && t->finger == va)
		lo = t->finger_lo;
	if (child(va, R)) {
		succ = leftmost(child(va, R));
	} else {
		for (n = va, succ = n->node.parent; succ && child(succ, R) == n;
		     n = succ, succ = n->node.parent)
			;
	}
	t->gen += 2;
	if (t->first == va)
		t->first = succ;

	if (child(va, L) && child(va, R)) {
		/*
		 * Two children: the in-order successor s (the right subtree's
		 * minimum, which has no left child) takes the VA's place.
		 * Rebalancing starts where s was taken from.
		 */
		struct gpuvm_va *s = succ;

		if (s->node.parent == va) {
			n = s;
			side = R;
		} else {
			n = s->node.parent;
			side = L;
			set_child(n, L, child(s, R));
			set_child(s, R, child(va, R));
		}
		replace_link(t, va, s);
		set_child(s, L, child(va, L));
		s->balance = va->balance;
	} else {
		/* At most one child: it takes the VA's place. */
		struct gpuvm_va *c = child(va, L) ? child(va, L) : child(va, R);

		n = va->node.parent;
		side = n ? side_of(va) : L;
		replace_link(t, va, c);
	}

	va->node.child[L] = NULL;
	va->node.child[R] = NULL;
	va->node.parent = NULL;
	va->balance = 0;
	__atomic_store_n(&t->count, t->count - 1, __ATOMIC_RELAXED);
	finger_set(t, lo, succ, NULL, false);

	/* Walk up while the subtree we came from got shorter. */
	while (n) {
		bool shrunk = true;

		n->balance -= side == R ? 1 : -1;
		if (n->balance == 1 || n->balance == -1)
			return;
		p = n->node.parent;
		side = p ? side_of(n) : L;
		if (n->balance != 0) {
			rebalance(t, n, &shrunk);
			if (!shrunk)
				return;
		}
		n = p;
	}
}

struct gpuvm_va *gpuvm_tree_first_ending_after(const struct gpuvm_tree *t,
					       uint64_t addr)
{
	struct gpuvm_va *n = t->root, *found = NULL;

	/*
	 * Branch-free descent: which child comes next is as good as random
	 * for a lookup, so a branch would mispredict about every other level.
	 * Indexing the children by the comparison is what makes gcc select
	 * (setcc + indexed load + cmov) instead of branching; independent
	 * lookups then overlap their cache misses.
	 */
	while (n) {
		const int right = gpuvm_va_end(n) <= addr;

		found = right ? found : n;
		n = n->node.child[right];
	}
	return found;
}

struct gpuvm_va *gpuvm_tree_first_ending_after_branchy(const struct gpuvm_tree *t,
						       uint64_t addr)
{
	struct gpuvm_va *n = t->root, *found = NULL;

	/* Where the last change left the finger: no descent. */
	if (finger_answer(t, addr, &found))
		return found;

	/*
	 * The same search with a branch per level.  The planner uses this
	 * one: each of its lookups feeds dependent work (the walk, the steps),
	 * and letting the processor run ahead down the predicted child is
	 * worth more there than never flushing the pipeline (bench/HISTORY.md).
	 */
	while (n) {
		/*
		 * Fetch both children now: the one the branch does not
		 * predict is then already on its way when it turns out to be
		 * the right one (about 10% off an insert at N = 1e6).
		 */
		gpuvm_prefetch_(child(n, L));
		gpuvm_prefetch_(child(n, R));
		if (gpuvm_va_end(n) > addr) {
			found = n;
			n = child(n, L);
		} else {
			n = child(n, R);
		}
	}
	return found;
}

struct check_state {
	const struct gpuvm_va *prev;	/* last node visited in order */
	uint64_t visited;
	int err;
};

/* Returns the height of the subtree at @n, checking it on the way. */
static int check_subtree(const struct gpuvm_va *n, const struct gpuvm_va *parent,
			 struct check_state *s, int depth)
{
	int hl, hr;

	if (!n || s->err)
		return 0;
	if (depth >= GPUVM_TREE_MAX_HEIGHT) {
		gpuvm_warn("tree deeper than %d levels", GPUVM_TREE_MAX_HEIGHT);
		s->err = -EUCLEAN;
		return 0;
	}
	/* Correct parent links are what gpuvm_va_next() needs to see all. */
	if (n->node.parent != parent) {
		gpuvm_warn("VA 0x%llx has a wrong parent link",
			   (unsigned long long)n->addr);
		s->err = -EUCLEAN;
		return 0;
	}

	hl = check_subtree(child(n, L), n, s, depth + 1);
	if (s->err)
		return 0;

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
	s->visited++;

	hr = check_subtree(child(n, R), n, s, depth + 1);
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
	struct check_state s = { 0 };

	check_subtree(t->root, NULL, &s, 0);
	if (s.err)
		return s.err;
	if (s.visited != t->count) {
		gpuvm_warn("tree holds %llu VAs but counts %llu",
			   (unsigned long long)s.visited,
			   (unsigned long long)t->count);
		return -EUCLEAN;
	}
	if (t->first != (t->root ? leftmost(t->root) : NULL)) {
		gpuvm_warn("the first VA is not the tree's leftmost");
		return -EUCLEAN;
	}
	return 0;
}
