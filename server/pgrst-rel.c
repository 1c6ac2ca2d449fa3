#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "pgrst-rel.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/* More than this many candidates is as ambiguous as two; the error lists these. */
#define MAX_CANDIDATES 16

static const char *
table_pk(const struct pgrst_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->ntables; i++) {
		if (req->tables[i].name != NULL && strcmp(req->tables[i].name, name) == 0)
			return req->tables[i].primary_key;
	}
	return NULL;
}

/* Whether the comma-separated list has col. */
static int
list_has(const char *list, const char *col)
{
	size_t n = strlen(col);

	while (list != NULL && *list != '\0') {
		if (strncmp(list, col, n) == 0 && (list[n] == ',' || list[n] == '\0'))
			return 1;
		list = strchr(list, ',');
		if (list != NULL)
			list++;
	}
	return 0;
}

/* Whether every column of the comma-separated cols is in the list pk. */
static int
all_in(const char *cols, const char *pk)
{
	char *copy = xstrdup(cols), *save = NULL, *c;
	int ok = 1;

	for (c = strtok_r(copy, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save))
		ok &= list_has(pk, c);
	free(copy);
	return ok;
}

/* PostgREST's addM2MRels: both keys' columns are part of the junction's primary key. */
static int
is_junction(const struct pgrst_request *req, const struct pgrst_rel *a,
    const struct pgrst_rel *b)
{
	const char *pk;

	if (a == b || strcmp(a->table, b->table) != 0 || strcmp(a->constraint, b->constraint) == 0)
		return 0;
	pk = table_pk(req, a->table);
	return pk != NULL && all_in(a->cols, pk) && all_in(b->cols, pk);
}

/* A key of one column named hint, on either side (`clients!client_id`, `clients!id`). */
static int
single_column(const struct pgrst_rel *r, const char *hint)
{
	return strchr(r->cols, ',') == NULL && (strcmp(r->cols, hint) == 0 ||
	    strcmp(r->ref_cols, hint) == 0);
}

static int
hint_matches(const struct pgrst_link *l, const char *hint)
{
	if (hint == NULL)
		return 1;
	if (l->card == PGRST_M2M)
		return strcmp(l->fk->table, hint) == 0;
	return strcmp(l->fk->constraint, hint) == 0 || single_column(l->fk, hint);
}

static void
add_candidate(struct pgrst_link *c, size_t *n, enum pgrst_cardinality card,
    const struct pgrst_rel *fk, const struct pgrst_rel *fk2, const char *hint)
{
	struct pgrst_link l = { card, fk, fk2 };

	if (*n < MAX_CANDIDATES && hint_matches(&l, hint))
		c[(*n)++] = l;
}

/* "(a, b)": PostgREST's fmtEls of a key's columns. */
static void
add_columns(struct strbuf *sb, const char *table, const char *cols)
{
	const char *p;

	strbuf_adds(sb, table);
	strbuf_addc(sb, '(');
	for (p = cols; *p != '\0'; p++) {
		if (*p == ',')
			strbuf_adds(sb, ", ");
		else
			strbuf_addc(sb, *p);
	}
	strbuf_addc(sb, ')');
}

/* One candidate as PostgREST's compressedRel describes it. */
static cJSON *
describe(const struct pgrst_link *l, const char *origin, const char *target)
{
	static const char *const cards[] = { "many-to-one", "one-to-many", "many-to-many" };
	struct strbuf sb = STRBUF_INIT;
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "cardinality", cards[l->card]);
	s = xprintf("%s with %s", origin, target);
	cJSON_AddStringToObject(o, "embedding", s);
	free(s);
	if (l->card == PGRST_M2M) {
		strbuf_addf(&sb, "%s using ", l->fk->table);
		add_columns(&sb, l->fk->constraint, l->fk->cols);
		strbuf_adds(&sb, " and ");
		add_columns(&sb, l->fk2->constraint, l->fk2->cols);
	} else {
		/* The origin's columns first, whichever side holds the key. */
		strbuf_addf(&sb, "%s using ", l->fk->constraint);
		add_columns(&sb, origin, l->card == PGRST_M2O ? l->fk->cols : l->fk->ref_cols);
		strbuf_adds(&sb, " and ");
		add_columns(&sb, target, l->card == PGRST_M2O ? l->fk->ref_cols : l->fk->cols);
	}
	s = strbuf_detach(&sb);
	cJSON_AddStringToObject(o, "relationship", s);
	free(s);
	return o;
}

static int
ambiguous(const struct pgrst_link *c, size_t n, const char *origin, const char *target,
    struct pgrst_error *e)
{
	struct strbuf hint = STRBUF_INIT;
	cJSON *details = cJSON_CreateArray();
	char *json;
	size_t i;

	memset(e, 0, sizeof *e);
	e->status = 300;
	snprintf(e->code, sizeof e->code, "PGRST201");
	snprintf(e->message, sizeof e->message, "Could not embed because more than one"
	    " relationship was found for '%s' and '%s'", origin, target);
	strbuf_addf(&hint, "Try changing '%s' to one of the following: ", target);
	for (i = 0; i < n; i++) {
		cJSON_AddItemToArray(details, describe(&c[i], origin, target));
		strbuf_addf(&hint, "%s'%s!%s'", i > 0 ? ", " : "", target,
		    c[i].card == PGRST_M2M ? c[i].fk->table : c[i].fk->constraint);
		/* Only whole entries: drop the last one that does not fit. */
		json = cJSON_PrintUnformatted(details);
		if (json != NULL && strlen(json) < sizeof e->details_json)
			snprintf(e->details_json, sizeof e->details_json, "%s", json);
		cJSON_free(json);
	}
	strbuf_adds(&hint, ". Find the desired relationship in the 'details' key.");
	snprintf(e->hint, sizeof e->hint, "%s", hint.buf);
	strbuf_free(&hint);
	cJSON_Delete(details);
	return -1;
}

int
pgrst_link_find(const struct pgrst_request *req, const char *schema, const char *origin,
    const char *target, const char *hint, struct pgrst_link *out, struct pgrst_error *e)
{
	struct pgrst_link c[MAX_CANDIDATES];
	const struct pgrst_rel *r, *r2;
	size_t i, j, n = 0;

	for (i = 0; i < req->nrels; i++) {
		r = &req->rels[i];
		if (strcmp(r->table, origin) == 0 && strcmp(r->ref_table, target) == 0)
			add_candidate(c, &n, PGRST_M2O, r, NULL, hint);
		if (strcmp(r->ref_table, origin) == 0 && strcmp(r->table, target) == 0)
			add_candidate(c, &n, PGRST_O2M, r, NULL, hint);
		if (strcmp(r->ref_table, origin) != 0)
			continue;
		for (j = 0; j < req->nrels; j++) {
			r2 = &req->rels[j];
			if (strcmp(r2->ref_table, target) == 0 && is_junction(req, r, r2))
				add_candidate(c, &n, PGRST_M2M, r, r2, hint);
		}
	}
	if (n == 1) {
		*out = c[0];
		return 0;
	}
	if (n > 1)
		return ambiguous(c, n, origin, target, e);
	memset(e, 0, sizeof *e);
	e->status = 400;
	snprintf(e->code, sizeof e->code, "PGRST200");
	snprintf(e->message, sizeof e->message,
	    "Could not find a relationship between '%s' and '%s' in the schema cache", origin,
	    target);
	snprintf(e->details, sizeof e->details, "Searched for a foreign key relationship between"
	    " '%s' and '%s'%s%s%s in the schema '%s', but no matches were found.", origin, target,
	    hint != NULL ? " using the hint '" : "", hint != NULL ? hint : "",
	    hint != NULL ? "'" : "", schema);
	return -1;
}
