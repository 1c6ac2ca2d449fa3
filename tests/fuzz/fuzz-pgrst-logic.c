/*
 * libFuzzer target: PostgREST's logic trees, the value of or=, and=, not.or=
 * or not.and=, on the table or on an embedding (sessions.or=, ...; the first
 * byte picks which) on a GET through the SQL builder. The input is the value
 * as it reaches the parser (after percent-decoding).
 * Beyond pgrst-check.h's checks: a tree either builds a statement whose
 * parentheses balance or fails with 400 PGRST100, and nothing nested deeper
 * than the limit is ever accepted.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgrst-query.h"
#include "pgrst-check.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pgrst_table tables[] = { { "turns", "user_id,id" }, { "sessions", "user_id,id" } };
static const struct pgrst_rel rels[] = {
	{ "turns", "user_id,session_id", "sessions", "user_id,id", "turns_session_fkey" },
};
static const char *const keys[] = {
	"or", "and", "not.or", "not.and",
	"sessions.or", "sessions.and", "sessions.not.or", "sessions.not.and",
};

/* The deepest '(' nesting of the statement; -1 when they do not balance. */
static int
depth_of(const char *sql)
{
	int d = 0, max = 0;

	for (; *sql != '\0'; sql++) {
		if (*sql == '\'' || *sql == '"') {
			const char *end = strchr(sql + 1, *sql);

			if (end == NULL)
				return -1;
			sql = end;
		} else if (*sql == '(' && ++d > max)
			max = d;
		else if (*sql == ')' && --d < 0)
			return -1;
	}
	return d == 0 ? max : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgrst_request r;
	struct pgrst_sql s;
	struct pgrst_error e;
	char *value, *encoded, *query;
	size_t i;

	if (size < 1 || memchr(data + 1, '\0', size - 1) != NULL)
		return 0;
	value = xstrndup((const char *)data + 1, size - 1);
	/* Percent-encode the whole value, so & and % reach the tree as they are. */
	encoded = xmalloc(3 * (size - 1) + 1);
	for (i = 0; i + 1 < size; i++)
		snprintf(encoded + 3 * i, 4, "%%%02X", (unsigned char)value[i]);
	encoded[3 * (size - 1)] = '\0';
	query = xprintf("select=id,sessions(id)&%s=%s", keys[data[0] % 8], encoded);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.name = "turns";
	r.query = query;
	r.tables = tables;
	r.ntables = 2;
	r.rels = rels;
	r.nrels = 1;
	r.max_rows = 1000;
	if (pgrst_build(&r, &s, &e) == 0) {
		check_sql(&s);
		/* SELECT ... FROM (SELECT ..., (SELECT ... FROM (SELECT ... WHERE <tree>)))
		 * wraps the tree in a few levels beyond its own: the tree's limit bounds
		 * the statement's depth. */
		if (depth_of(s.sql) < 0 || depth_of(s.sql) > 16 + 12)
			abort();
		pgrst_sql_free(&s);
	} else {
		check_error(&e);
		if (e.status != 400 || strcmp(e.code, "PGRST100") != 0)
			abort();
	}
	free(query);
	free(encoded);
	free(value);
	return 0;
}
