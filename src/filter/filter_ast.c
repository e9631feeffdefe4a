/* filter_ast.c - the filter's expression tree: make, join and free nodes. */
#include <stdlib.h>

#include "filter/filter_ast.h"
#include "filter/filter_cmpeval.h"

struct fnode *fnode_new(enum fnode_kind kind)
{
	struct fnode *n = calloc(1, sizeof(*n));

	if (n)
		n->kind = kind;
	return n;
}

struct fnode *fnode_join(enum fnode_kind kind, struct fnode *a, struct fnode *b)
{
	struct fnode *n;

	if (kind != FN_NOT && (!a || !b))
		return a ? a : b;
	n = fnode_new(kind);
	if (!n) {
		fnode_free(a);
		fnode_free(b);
		return NULL;
	}
	n->a = a;
	n->b = b;
	return n;
}

void fnode_free(struct fnode *n)
{
	if (!n)
		return;
	fnode_free(n->a);
	fnode_free(n->b);
	if (n->kind == FN_PORT)
		free(n->u.ports);
	else if (n->kind == FN_PROCESS)
		free(n->u.name);
	else if (n->kind == FN_CMP)
		filter_cmp_free(n->u.cmp);
	else if (n->kind == FN_UNIT || n->kind == FN_CONTAINER)
		free(n->u.text);
	else if (n->kind == FN_CGROUP && n->u.cg) {
		free(n->u.cg->path);
		free(n->u.cg->ids);
		free(n->u.cg);
	}
	free(n);
}
