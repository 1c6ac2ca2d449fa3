/*
 * What the pgrst-query fuzz targets check of a built statement: beyond not
 * crashing, what came from the request stays out of its text: quoted
 * identifiers are identifiers, string literals are our own, and the
 * parameters match the $n it uses. Errors are PostgREST-shaped JSON.
 * Included by fuzz-pgrst-query.c and fuzz-pgrst-logic.c.
 */
#ifndef AL_FUZZ_PGRST_CHECK_H
#define AL_FUZZ_PGRST_CHECK_H

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "pgrst-query.h"

/* Text between quotes that the builder itself may write. */
static int
own_literal(const char *s, size_t n)
{
	char buf[PGRST_NAME_MAX + 1];

	if ((n == 2 && memcmp(s, "[]", 2) == 0) || (n == 4 && memcmp(s, "null", 4) == 0))
		return 1;
	/* The CSV body's separators: '', ',' and E'\n'. */
	if (n == 0 || (n == 1 && s[0] == ',') || (n == 2 && memcmp(s, "\\n", 2) == 0))
		return 1;
	if (n == 0 || n > PGRST_NAME_MAX)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return pgrst_ident_valid(buf);	/* an argument name in ->'name' */
}

static void
check_statement(const char *sql, char *const *params, int nparams)
{
	const char *p = sql, *end;
	char buf[PGRST_NAME_MAX + 1], *num;
	unsigned char *used;
	long k;
	int i;

	if (sql == NULL || strchr(sql, ';') != NULL || strstr(sql, "--") != NULL ||
	    strstr(sql, "/*") != NULL)
		abort();
	used = calloc((size_t)nparams + 1, 1);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\'') {
			if ((end = strchr(p + 1, *p)) == NULL)
				abort();
			if (*p == '"') {
				if ((size_t)(end - p - 1) > PGRST_NAME_MAX)
					abort();
				memcpy(buf, p + 1, (size_t)(end - p - 1));
				buf[end - p - 1] = '\0';
				if (!pgrst_ident_valid(buf))
					abort();
			} else if (!own_literal(p + 1, (size_t)(end - p - 1)))
				abort();
			p = end;
		} else if (*p == '$') {
			k = strtol(p + 1, &num, 10);
			if (num == p + 1 || k < 1 || k > nparams)
				abort();
			used[k] = 1;
		}
	}
	/* PostgreSQL refuses a parameter the statement never reads. */
	for (i = 1; i <= nparams; i++) {
		if (!used[i] || params[i - 1] == NULL)
			abort();
	}
	free(used);
}

/* The statement, and the count=planned one when there is one. */
static void
check_sql(const struct pgrst_sql *s)
{
	if (s->status != 200 && s->status != 201 && s->status != 204)
		abort();
	check_statement(s->sql, s->params, s->nparams);
	if (s->count_sql != NULL)
		check_statement(s->count_sql, s->count_params, s->count_nparams);
	if (s->exists_sql != NULL)
		check_statement(s->exists_sql, s->exists_params, s->exists_nparams);
}

static void
check_error(const struct pgrst_error *e)
{
	cJSON *o;
	char *j;

	/* 300 only for PostgREST's ambiguous embedding (Multiple Choices). */
	if ((e->status < 400 && !(e->status == 300 && strcmp(e->code, "PGRST201") == 0)) ||
	    e->status > 599 || e->code[0] == '\0' || e->message[0] == '\0')
		abort();
	j = pgrst_error_json(e);
	if ((o = cJSON_Parse(j)) == NULL)
		abort();
	cJSON_Delete(o);
	free(j);
}

#endif
