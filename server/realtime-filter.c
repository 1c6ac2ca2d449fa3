#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realtime-filter.h"
#include "util/xmalloc.h"

#define IDENT_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
#define MAX_COLUMN 63		/* PostgreSQL's NAMEDATALEN - 1 */

/* (a,b) -> {"a","b"}: each element quoted, so commas and braces inside stay values. */
static char *
array_literal(const char *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	strbuf_adds(&sb, "{\"");
	for (p = v + 1; p < v + n - 1; p++) {
		if (*p == ',')
			strbuf_adds(&sb, "\",\"");
		else {
			if (*p == '"' || *p == '\\')
				strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, *p);
		}
	}
	strbuf_adds(&sb, "\"}");
	return strbuf_detach(&sb);
}

int
rt_filter_parse(const char *f, struct rt_filter *out, char *why, size_t whylen)
{
	static const char *const ops[][2] = {
		{ "eq", "=" }, { "neq", "<>" }, { "lt", "<" }, { "lte", "<=" },
		{ "gt", ">" }, { "gte", ">=" }, { "in", "=" },
	};
	const char *eqs = strchr(f, '='), *dot, *v;
	struct strbuf sb = STRBUF_INIT;
	size_t i, collen, oplen;

	memset(out, 0, sizeof *out);
	collen = eqs != NULL ? (size_t)(eqs - f) : 0;
	if (collen == 0 || collen > MAX_COLUMN || strspn(f, IDENT_CHARS) != collen ||
	    (dot = strchr(eqs, '.')) == NULL) {
		snprintf(why, whylen, "Error parsing `filter` params: expected column=op.value");
		return -1;
	}
	oplen = (size_t)(dot - eqs - 1);
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strlen(ops[i][0]) == oplen && strncmp(eqs + 1, ops[i][0], oplen) == 0)
			break;
	}
	if (i == sizeof ops / sizeof ops[0]) {
		snprintf(why, whylen, "Error parsing `filter` params: unknown operator "
		    "(eq, neq, lt, lte, gt, gte, in)");
		return -1;
	}
	v = dot + 1;
	out->in = strcmp(ops[i][0], "in") == 0;
	if (out->in) {
		size_t n = strlen(v);

		if (n < 2 || v[0] != '(' || v[n - 1] != ')') {
			snprintf(why, whylen, "Error parsing `filter` params: in needs (a,b,...)");
			return -1;
		}
		out->param = array_literal(v, n);
	} else
		out->param = xstrdup(v);
	strbuf_addf(&sb, "t.\"%.*s\" %s", (int)collen, f, ops[i][1]);
	out->sql = strbuf_detach(&sb);
	/* A nudge is matched on the change feed's own user_id and id. */
	if (strcmp(ops[i][0], "eq") == 0 && collen == 7 && strncmp(f, "user_id", 7) == 0)
		out->col = RT_FILTER_USER_ID;
	else if (strcmp(ops[i][0], "eq") == 0 && collen == 2 && strncmp(f, "id", 2) == 0)
		out->col = RT_FILTER_ID;
	else
		out->col = RT_FILTER_OTHER;
	out->value = xstrdup(v);
	return 0;
}

void
rt_filter_sql(const struct rt_filter *f, int n, struct strbuf *sb)
{
	if (f->in)
		strbuf_addf(sb, "%s any($%d)", f->sql, n);
	else
		strbuf_addf(sb, "%s $%d", f->sql, n);
}

void
rt_filter_copy(struct rt_filter *dst, const struct rt_filter *src)
{
	dst->col = src->col;
	dst->in = src->in;
	dst->value = src->value != NULL ? xstrdup(src->value) : NULL;
	dst->sql = src->sql != NULL ? xstrdup(src->sql) : NULL;
	dst->param = src->param != NULL ? xstrdup(src->param) : NULL;
}

void
rt_filter_free(struct rt_filter *f)
{
	free(f->value);
	free(f->sql);
	free(f->param);
	memset(f, 0, sizeof *f);
}
