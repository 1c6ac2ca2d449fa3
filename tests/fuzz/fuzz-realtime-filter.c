/*
 * libFuzzer target: the postgres_changes filter parser (column=op.value) on
 * arbitrary text. A filter it accepts must become SQL that names exactly the
 * column written, quoted, with one of the seven operators, and a bound value
 * equal to what followed "op.": for in, an array literal whose elements,
 * read back, are the list's comma-separated items. A filter it refuses gets
 * a one-line reason.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "realtime-filter.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the array literal {"a","b"} back into "a,b"; -1 when it is not one. */
static int
unquote_array(const char *lit, struct strbuf *out)
{
	const char *p = lit;

	if (*p++ != '{')
		return -1;
	for (;;) {
		if (*p++ != '"')
			return -1;
		while (*p != '"') {
			if (*p == '\0')
				return -1;
			if (*p == '\\')
				p++;
			if (*p == '\0')
				return -1;
			strbuf_addc(out, *p++);
		}
		p++;
		if (*p == '}')
			return p[1] == '\0' ? 0 : -1;
		if (*p++ != ',')
			return -1;
		strbuf_addc(out, ',');
	}
}

static void
check_accepted(const char *f, const struct rt_filter *r)
{
	static const char *const ops[] = { "eq", "neq", "lt", "lte", "gt", "gte", "in" };
	static const char *const sqlops[] = { "=", "<>", "<", "<=", ">", ">=", "=" };
	const char *eqs = strchr(f, '='), *dot = strchr(eqs, '.');
	size_t collen = (size_t)(eqs - f), i;
	struct strbuf want = STRBUF_INIT, sql = STRBUF_INIT, back = STRBUF_INIT;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strlen(ops[i]) == (size_t)(dot - eqs - 1) &&
		    strncmp(eqs + 1, ops[i], strlen(ops[i])) == 0)
			break;
	}
	if (i == sizeof ops / sizeof ops[0] || collen == 0 ||
	    strspn(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") < collen)
		abort();
	strbuf_addf(&want, "t.\"%.*s\" %s", (int)collen, f, sqlops[i]);
	if (strcmp(r->sql, want.buf) != 0 || strcmp(r->value, dot + 1) != 0 ||
	    r->in != (i == 6))
		abort();
	if (r->in) {
		size_t n = strlen(dot + 1);

		if (unquote_array(r->param, &back) != 0 || n < 2 ||
		    strncmp(back.buf != NULL ? back.buf : "", dot + 2, n - 2) != 0 ||
		    back.len != n - 2)
			abort();
	} else if (strcmp(r->param, dot + 1) != 0)
		abort();
	rt_filter_sql(r, 7, &sql);
	if (strstr(sql.buf, r->in ? " any($7)" : " $7") == NULL)
		abort();
	strbuf_free(&want);
	strbuf_free(&sql);
	strbuf_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_filter r, copy;
	char why[256], *f = malloc(size + 1);

	if (f == NULL)
		return 0;
	memcpy(f, data, size);
	f[size] = '\0';
	why[0] = '\0';
	if (rt_filter_parse(f, &r, why, sizeof why) == 0) {
		check_accepted(f, &r);
		rt_filter_copy(&copy, &r);
		if (strcmp(copy.sql, r.sql) != 0 || strcmp(copy.param, r.param) != 0)
			abort();
		rt_filter_free(&copy);
		rt_filter_free(&r);
	} else if (why[0] == '\0' || strchr(why, '\n') != NULL)
		abort();
	free(f);
	return 0;
}
