/*
 * libFuzzer target: a PostgREST request through the SQL builder. The input is
 * method, name, query string and Prefer header separated by NUL bytes, then
 * the body (which may itself hold NULs); a name "rpc/<fn>" is a function call.
 * Beyond not crashing, every statement built must keep what came from the
 * request out of its text: quoted identifiers are identifiers, string
 * literals are our own, and the parameters match the $n it uses.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "pgrst-query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pgrst_table tables[] = {
	{ "turns", "user_id,id" }, { "sessions", "user_id,id" }, { "notes", NULL },
};
static const struct pgrst_arg push_args[] = { { "payload", "jsonb" } };
static const struct pgrst_arg pull_args[] = {
	{ "cursor_txid", "text" }, { "cursor_id", "uuid" }, { "page_size", "integer" },
	{ "ids", "uuid[]" }, { "doc", "json" },
};
static const struct pgrst_function functions[] = {
	{ "push_batch", push_args, 1, 0 }, { "pull_changes", pull_args, 5, 1 },
};

/* Text between quotes that the builder itself may write. */
static int
own_literal(const char *s, size_t n)
{
	char buf[PGRST_NAME_MAX + 1];

	if ((n == 2 && memcmp(s, "[]", 2) == 0) || (n == 4 && memcmp(s, "null", 4) == 0))
		return 1;
	if (n == 0 || n > PGRST_NAME_MAX)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return pgrst_ident_valid(buf);	/* an argument name in ->'name' */
}

static void
check_sql(const struct pgrst_sql *s)
{
	const char *p = s->sql, *end;
	char buf[PGRST_NAME_MAX + 1], *num;
	unsigned char *used;
	long k;
	int i;

	if (s->sql == NULL || strchr(s->sql, ';') != NULL || strstr(s->sql, "--") != NULL ||
	    strstr(s->sql, "/*") != NULL)
		abort();
	if (s->status != 200 && s->status != 201 && s->status != 204)
		abort();
	used = calloc((size_t)s->nparams + 1, 1);
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
			if (num == p + 1 || k < 1 || k > s->nparams)
				abort();
			used[k] = 1;
		}
	}
	/* PostgreSQL refuses a parameter the statement never reads. */
	for (i = 1; i <= s->nparams; i++) {
		if (!used[i] || s->params[i - 1] == NULL)
			abort();
	}
	free(used);
}

static void
check_error(const struct pgrst_error *e)
{
	cJSON *o;
	char *j;

	if (e->status < 400 || e->status > 599 || e->code[0] == '\0' || e->message[0] == '\0')
		abort();
	j = pgrst_error_json(e);
	if ((o = cJSON_Parse(j)) == NULL)
		abort();
	cJSON_Delete(o);
	free(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *field[4] = { "", "", "", "" };
	char *copy = malloc(size + 1);
	struct pgrst_request r;
	struct pgrst_sql s;
	struct pgrst_error e;
	size_t at = 0, i;
	char *nul;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i < 4 && at <= size; i++) {
		field[i] = copy + at;
		nul = memchr(copy + at, '\0', size - at);
		at = nul != NULL ? (size_t)(nul - copy) + 1 : size + 1;
	}
	memset(&r, 0, sizeof r);
	r.method = field[0];
	r.name = field[1];
	if (strncmp(r.name, "rpc/", 4) == 0) {
		r.rpc = 1;
		r.name += 4;
	}
	r.query = field[2];
	r.prefer = field[3];
	if (at <= size) {
		r.body = copy + at;
		r.body_len = size - at;
	}
	r.tables = tables;
	r.ntables = sizeof tables / sizeof tables[0];
	r.functions = functions;
	r.nfunctions = sizeof functions / sizeof functions[0];
	r.max_rows = size % 2 == 0 ? 1000 : 0;

	if (pgrst_build(&r, &s, &e) == 0) {
		check_sql(&s);
		pgrst_sql_free(&s);
	} else
		check_error(&e);
	free(copy);
	return 0;
}
