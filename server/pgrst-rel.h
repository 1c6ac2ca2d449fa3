/*
 * Which relationship an embedding goes through, as PostgREST's findRel
 * (src/PostgREST/Plan.hs, v12) picks it from the schema cache: a foreign
 * key of the outer table (many-to-one), one of the embedded table's to the
 * outer one (one-to-many), or a junction table holding a key to each whose
 * primary key includes both keys' columns (many-to-many). A hint narrows
 * them: a constraint name, a column of a single-column key (either side),
 * or a junction table's name. None: 400 PGRST200; several: 300 PGRST201
 * with PostgREST's details (one object per candidate) and hint.
 */
#ifndef AL_SERVER_PGRST_REL_H
#define AL_SERVER_PGRST_REL_H

#include "pgrst-query.h"

enum pgrst_cardinality { PGRST_M2O, PGRST_O2M, PGRST_M2M };

struct pgrst_link {
	enum pgrst_cardinality card;
	/* M2O: origin's key to target; O2M: target's key to origin; M2M: the
	 * junction's key to origin. */
	const struct pgrst_rel *fk;
	const struct pgrst_rel *fk2;	/* M2M: the junction's key to target */
};

/* 0 with out set, or -1 with e filled. hint may be NULL. */
int pgrst_link_find(const struct pgrst_request *req, const char *schema, const char *origin,
    const char *target, const char *hint, struct pgrst_link *out, struct pgrst_error *e);

#endif
