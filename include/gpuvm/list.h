/* SPDX-License-Identifier: MIT */
/*
 * Intrusive doubly linked list used throughout libgpuvm.
 *
 * A list is a circular chain of struct gpuvm_list nodes with one node acting
 * as the head.  Elements embed a struct gpuvm_list and are recovered with
 * gpuvm_container_of():
 *
 *	struct job { int id; struct gpuvm_list link; };
 *	struct gpuvm_list jobs;
 *	struct job *j, *tmp;
 *
 *	gpuvm_list_init(&jobs);
 *	gpuvm_list_add_tail(&jobs, &some_job->link);
 *	gpuvm_list_for_each(j, &jobs, link)
 *		printf("%d\n", j->id);
 *	gpuvm_list_for_each_safe(j, tmp, &jobs, link)
 *		gpuvm_list_del(&j->link);	// removal-safe walk
 *
 * A node that is on no list should be initialised with gpuvm_list_init() so
 * that gpuvm_list_empty() on it (i.e. "is it linked?") is meaningful.
 */
#ifndef GPUVM_LIST_H
#define GPUVM_LIST_H

#include <stdbool.h>
#include <stddef.h>

/**
 * gpuvm_container_of() - recover the structure embedding @ptr
 * @ptr: pointer to the embedded member
 * @type: type of the embedding structure
 * @member: name of the member within @type
 */
#define gpuvm_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/** struct gpuvm_list - a list head or a node embedded in a list element */
struct gpuvm_list {
	struct gpuvm_list *next; /**< following node (the head at the end) */
	struct gpuvm_list *prev; /**< preceding node (the head at the start) */
};

/**
 * gpuvm_list_init() - make @l an empty list (or an unlinked node)
 * @l: the head or node
 *
 * Locking: none inside; the caller protects the list.
 */
static inline void gpuvm_list_init(struct gpuvm_list *l)
{
	l->next = l;
	l->prev = l;
}

/**
 * gpuvm_list_empty() - true if the list @l has no element (node unlinked)
 * @l: the list head
 *
 * Returns: true if the list has no node.
 *
 * Locking: none inside; the caller protects the list.
 */
static inline bool gpuvm_list_empty(const struct gpuvm_list *l)
{
	return l->next == l;
}

/**
 * gpuvm_list_add_tail() - append @n to the list headed by @head
 * @head: the list head
 * @n: the node to append
 *
 * Locking: none inside; the caller protects the list.
 */
static inline void gpuvm_list_add_tail(struct gpuvm_list *head,
				       struct gpuvm_list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

/**
 * gpuvm_list_add() - insert @n right after @pos (at the front if @pos is the head)
 * @pos: the node to insert after
 * @n: the node to insert
 *
 * Locking: none inside; the caller protects the list.
 */
static inline void gpuvm_list_add(struct gpuvm_list *pos, struct gpuvm_list *n)
{
	n->prev = pos;
	n->next = pos->next;
	pos->next->prev = n;
	pos->next = n;
}

/**
 * gpuvm_list_del() - unlink @n from its list and leave it as an empty node
 * @n: the node to unlink
 *
 * Locking: none inside; the caller protects the list.
 */
static inline void gpuvm_list_del(struct gpuvm_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	gpuvm_list_init(n);
}

/**
 * gpuvm_list_splice_tail_init() - move every element of @from to the tail of @to,
 * leaving @from empty
 * @to: the destination list head
 * @from: the list to move; empty afterwards
 *
 * Locking: none inside; the caller protects the list.
 */
static inline void gpuvm_list_splice_tail_init(struct gpuvm_list *to,
					       struct gpuvm_list *from)
{
	if (gpuvm_list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	gpuvm_list_init(from);
}

/**
 * gpuvm_list_entry() - the element that embeds node @ptr as @member
 * @ptr: the struct gpuvm_list node
 * @type: the type of the containing structure
 * @member: the name of the member within @type
 */
#define gpuvm_list_entry(ptr, type, member) gpuvm_container_of(ptr, type, member)

/**
 * gpuvm_list_first_entry() - first element of a non-empty list
 * @head: the list head (not empty)
 * @type: the type of the containing structure
 * @member: the name of the member within @type
 */
#define gpuvm_list_first_entry(head, type, member) \
	gpuvm_list_entry((head)->next, type, member)

/**
 * gpuvm_list_last_entry() - last element of a non-empty list
 * @head: the list head (not empty)
 * @type: the type of the containing structure
 * @member: the name of the member within @type
 */
#define gpuvm_list_last_entry(head, type, member) \
	gpuvm_list_entry((head)->prev, type, member)

/**
 * gpuvm__list_elem() - internal helper of the iteration macros: the element
 * embedding @node, its type taken from the iterator variable @var itself
 */
#define gpuvm__list_elem(node, var, member) \
	gpuvm_container_of(node, __typeof__(*(var)), member)

/**
 * gpuvm_list_for_each() - walk the elements of @head in order
 * @pos: a pointer to @type, the cursor
 * @head: the list head
 * @member: the name of the member within @type
 */
#define gpuvm_list_for_each(pos, head, member)                            \
	for (pos = gpuvm__list_elem((head)->next, pos, member);            \
	     &pos->member != (head);                                       \
	     pos = gpuvm__list_elem(pos->member.next, pos, member))

/**
 * gpuvm_list_for_each_reverse() - walk the elements of @head backwards
 * @pos: a pointer to @type, the cursor
 * @head: the list head
 * @member: the name of the member within @type
 */
#define gpuvm_list_for_each_reverse(pos, head, member)                    \
	for (pos = gpuvm__list_elem((head)->prev, pos, member);            \
	     &pos->member != (head);                                       \
	     pos = gpuvm__list_elem(pos->member.prev, pos, member))

/**
 * gpuvm_list_for_each_safe() - walk @head in order; the body may unlink or
 * free @pos (@tmp holds the successor)
 * @pos: a pointer to @type, the cursor
 * @tmp: a pointer to @type, used internally
 * @head: the list head
 * @member: the name of the member within @type
 */
#define gpuvm_list_for_each_safe(pos, tmp, head, member)                   \
	for (pos = gpuvm__list_elem((head)->next, pos, member),            \
	     tmp = gpuvm__list_elem(pos->member.next, pos, member);        \
	     &pos->member != (head);                                       \
	     pos = tmp, tmp = gpuvm__list_elem(pos->member.next, pos, member))

#endif /* GPUVM_LIST_H */
