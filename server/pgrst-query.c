#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "json-keys.h"
#include "pgrst-query.h"
#include "pgrst-rel.h"
#include "util/strbuf.h"
#include "util/percent.h"
#include "util/xmalloc.h"

/* PostgreSQL's limit on a table's columns, so on an INSERT's. */
#define MAX_COLUMNS 1600

enum resolution { RES_NONE, RES_MERGE, RES_IGNORE };
enum filter_kind { F_CMP, F_IN, F_IS, F_TREE };

/* or=/and= nest at most this deep: a query string cannot exhaust the stack. */
#define MAX_TREE_DEPTH 16

struct logic;
struct query;

struct filter {
	char *col;
	int negate;
	enum filter_kind kind;
	const char *sql;	/* F_CMP: the operator; F_IS: NULL, TRUE, FALSE, UNKNOWN */
	char *value;		/* F_CMP: the value; F_IN: an array literal */
	struct logic *tree;	/* F_TREE: or=(...), and=(...) */
};

/* A node of a logic tree: a filter, or an and/or of nodes. */
struct logic {
	int is_or;
	int negate;
	struct filter *leaf;	/* NULL for an and/or */
	struct logic *kids;
	size_t nkids;
};

struct order {
	char *col;
	int desc;
	const char *nulls;	/* NULL, "NULLS FIRST" or "NULLS LAST" */
};

/*
 * A column in select= (name NULL for *), on_conflict= or columns=; in
 * select=, also an embedding: name is the related table, kids its columns.
 */
struct column {
	char *name;
	char *alias;
	int embed;
	int spread;		/* ...table(cols): its columns lifted into the outer row */
	int inner;		/* !inner, or table=not.is.null: only rows with a related row */
	int anti;		/* table=is.null: only rows without one */
	char *hint;		/* !<constraint>, !<column> or !<junction>: which relationship */
	struct column *kids;
	size_t nkids;
	/* name.col=..., name.order=, name.limit=, name.offset=, name.or=...: the
	 * embedded rows' own filters, order and range (NULL: none) */
	struct query *sub;
	struct pgrst_link link;	/* resolved before the SQL is built */
};

/* A query-string parameter on an embedding (sessions.title=eq.x), kept until select= is known. */
struct pending {
	char *key;
	char *value;
};

struct query {
	struct column *select;
	size_t nselect;
	struct filter *filters;
	size_t nfilters;
	struct order *order;
	size_t norder;
	struct column *conflict;
	size_t nconflict;
	struct column *columns;
	size_t ncolumns;
	long long limit, offset;
	int has_select, has_order, has_limit, has_offset, has_conflict, has_columns;
	int representation;
	int count_exact;	/* Prefer: count=exact */
	int count_planned;	/* Prefer: count=planned, or estimated with count_exact */
	int missing_default;	/* Prefer: missing=default */
	enum pgrst_accept accept;
	enum resolution resolution;
	const char *schema;
	int has_embed;		/* the outer table is then aliased pgrst_0 */
	int has_inner;		/* !inner, or a null filter on an embedding, anywhere */
	struct pending *pending;
	size_t npending;
};

struct params {
	char **v;
	int n;
	int cap;
};

/* Copies s for an error message: printable ASCII only, cut at 64 bytes. */
static const char *
clean(char *buf, size_t size, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 4 < size && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < len && n + 3 < size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int __attribute__((format(printf, 5, 6)))
fail(struct pgrst_error *e, int status, const char *code, const char *details,
    const char *fmt, ...)
{
	va_list ap;

	memset(e, 0, sizeof *e);
	e->status = status;
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	if (details != NULL)
		snprintf(e->details, sizeof e->details, "%s", details);
	return -1;
}

/* A query-string parameter that does not parse: PostgREST's PGRST100. */
static int
fail_parse(struct pgrst_error *e, const char *what, const char *key, const char *value,
    const char *details)
{
	char k[80], v[80];

	return fail(e, 400, "PGRST100", details, "failed to parse %s (%s=%s)", what,
	    clean(k, sizeof k, key, strlen(key)), clean(v, sizeof v, value, strlen(value)));
}

static int
param_add(struct params *p, char *value)
{
	if (p->n == p->cap) {
		p->cap = p->cap == 0 ? 8 : p->cap * 2;
		p->v = xreallocarray(p->v, (size_t)p->cap, sizeof *p->v);
	}
	p->v[p->n++] = value;
	return p->n;
}

static void
params_free(struct params *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

static int
ident_char(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

int
pgrst_ident_valid(const char *s)
{
	size_t n;

	if (s == NULL || !ident_char((unsigned char)s[0], 1))
		return 0;
	for (n = 1; s[n] != '\0'; n++) {
		if (!ident_char((unsigned char)s[n], 0))
			return 0;
	}
	return n <= PGRST_NAME_MAX;
}

/*
 * An identifier from s[0..len): spaces around it and one pair of double
 * quotes (supabase-js quotes columns=) are dropped. NULL when invalid.
 */
static char *
ident_from(const char *s, size_t len)
{
	char *id;

	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len == 0 || len > PGRST_NAME_MAX || memchr(s, '\0', len) != NULL)
		return NULL;
	id = xstrndup(s, len);
	if (!pgrst_ident_valid(id)) {
		free(id);
		return NULL;
	}
	return id;
}

static void
add_ident(struct strbuf *sb, const char *id)
{
	strbuf_addc(sb, '"');
	strbuf_adds(sb, id);
	strbuf_addc(sb, '"');
}

static void
add_qname(struct strbuf *sb, const char *schema, const char *name)
{
	add_ident(sb, schema);
	strbuf_addc(sb, '.');
	add_ident(sb, name);
}

static void columns_free(struct column *c, size_t n);
static void query_free(struct query *q);

static void
column_clear(struct column *c)
{
	free(c->name);
	free(c->alias);
	free(c->hint);
	columns_free(c->kids, c->nkids);
	if (c->sub != NULL) {
		query_free(c->sub);
		free(c->sub);
	}
}

static void
columns_free(struct column *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		column_clear(&c[i]);
	free(c);
}

static void logic_free(struct logic *l);

static void
filter_free(struct filter *f)
{
	free(f->col);
	free(f->value);
	if (f->tree != NULL) {
		logic_free(f->tree);
		free(f->tree);
	}
}

static void
logic_free(struct logic *l)
{
	size_t i;

	if (l->leaf != NULL) {
		filter_free(l->leaf);
		free(l->leaf);
	}
	for (i = 0; i < l->nkids; i++)
		logic_free(&l->kids[i]);
	free(l->kids);
	memset(l, 0, sizeof *l);
}

static void
query_free(struct query *q)
{
	size_t i;

	columns_free(q->select, q->nselect);
	for (i = 0; i < q->nfilters; i++)
		filter_free(&q->filters[i]);
	free(q->filters);
	for (i = 0; i < q->norder; i++)
		free(q->order[i].col);
	free(q->order);
	columns_free(q->conflict, q->nconflict);
	columns_free(q->columns, q->ncolumns);
	for (i = 0; i < q->npending; i++) {
		free(q->pending[i].key);
		free(q->pending[i].value);
	}
	free(q->pending);
	memset(q, 0, sizeof *q);
}

/* Calls fn on each comma-separated item of v; stops at the first failure. */
static int
each_item(const char *v, int (*fn)(const char *, size_t, void *), void *arg)
{
	const char *comma;

	for (;;) {
		comma = strchr(v, ',');
		if (fn(v, comma != NULL ? (size_t)(comma - v) : strlen(v), arg) != 0)
			return -1;
		if (comma == NULL)
			return 0;
		v = comma + 1;
	}
}

struct column_list {
	struct column **c;
	size_t *n;
	int aliases;	/* select=: alias:col and * */
};

static int
column_item(const char *s, size_t len, void *arg)
{
	struct column_list *l = arg;
	struct column col;
	const char *colon;

	memset(&col, 0, sizeof col);

	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (*l->n >= MAX_COLUMNS)
		return -1;
	if (l->aliases && len == 1 && *s == '*')
		goto add;
	colon = l->aliases ? memchr(s, ':', len) : NULL;
	if (colon != NULL) {
		if ((col.alias = ident_from(s, (size_t)(colon - s))) == NULL)
			return -1;
		len -= (size_t)(colon + 1 - s);
		s = colon + 1;
	}
	if ((col.name = ident_from(s, len)) == NULL) {
		free(col.alias);
		return -1;
	}
add:
	*l->c = xreallocarray(*l->c, *l->n + 1, sizeof **l->c);
	(*l->c)[(*l->n)++] = col;
	return 0;
}

static int
parse_columns(const char *v, struct column **c, size_t *n, int aliases)
{
	struct column_list l = { c, n, aliases };

	return each_item(v, column_item, &l);
}

/* The end of the select= item at s: the first comma outside parentheses. */
static const char *
select_item_end(const char *s, const char *end)
{
	int depth = 0;

	for (; s < end; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		else if (*s == ',' && depth == 0)
			break;
	}
	return s;
}

static int parse_select(const char *s, size_t len, struct column **c, size_t *n, int depth);

/*
 * !inner, !left or a hint into col; PostgREST takes a hint, a join type, or
 * a hint then a join type (sessions!sessions_commit_fkey!inner).
 */
static int
embed_bang(struct column *col, const char *s, size_t len)
{
	char *word = ident_from(s, len);

	if (word == NULL)
		return -1;
	if (strcmp(word, "inner") == 0 || strcmp(word, "left") == 0) {
		col->inner = word[0] == 'i';
		free(word);
		return 0;
	}
	if (col->hint != NULL) {
		free(word);
		return -1;
	}
	col->hint = word;
	return 0;
}

/* [alias:]table[!hint][!inner|!left](cols) or ...table(cols): an embedding, its columns parsed one level deeper. */
static int
embed_item(const char *s, size_t len, struct column **c, size_t *n, int depth)
{
	const char *open, *colon, *bang, *bang2, *name;
	struct column col;

	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	open = memchr(s, '(', len);
	if (depth >= PGRST_EMBED_DEPTH || *n >= MAX_COLUMNS || open == NULL || s[len - 1] != ')')
		return -1;
	memset(&col, 0, sizeof col);
	col.embed = 1;
	name = s;
	if (len > 3 && memcmp(s, "...", 3) == 0) {
		col.spread = 1;
		name = s + 3;
	} else if ((colon = memchr(s, ':', (size_t)(open - s))) != NULL) {
		if ((col.alias = ident_from(s, (size_t)(colon - s))) == NULL)
			return -1;
		name = colon + 1;
	}
	bang = memchr(name, '!', (size_t)(open - name));
	if ((col.name = ident_from(name, (size_t)((bang != NULL ? bang : open) - name))) == NULL)
		goto bad;
	if (bang != NULL) {
		bang2 = memchr(bang + 1, '!', (size_t)(open - bang - 1));
		if (embed_bang(&col, bang + 1, (size_t)((bang2 != NULL ? bang2 : open) - bang - 1)) != 0)
			goto bad;
		/* A second one is the join type after a hint. */
		if (bang2 != NULL && (col.hint == NULL ||
		    embed_bang(&col, bang2 + 1, (size_t)(open - bang2 - 1)) != 0))
			goto bad;
	}
	if (parse_select(open + 1, (size_t)(s + len - 1 - (open + 1)), &col.kids, &col.nkids,
	    depth + 1) != 0)
		goto bad;
	*c = xreallocarray(*c, *n + 1, sizeof **c);
	(*c)[(*n)++] = col;
	return 0;
bad:
	column_clear(&col);
	return -1;
}

/* select=: columns, aliases, * and embeddings, depth levels deep already. */
static int
parse_select(const char *s, size_t len, struct column **c, size_t *n, int depth)
{
	struct column_list l = { c, n, 1 };
	const char *end = s + len, *e;
	int rc;

	for (;;) {
		e = select_item_end(s, end);
		if (memchr(s, '(', (size_t)(e - s)) != NULL)
			rc = embed_item(s, (size_t)(e - s), c, n, depth);
		else
			rc = column_item(s, (size_t)(e - s), &l);
		if (rc != 0)
			return -1;
		if (e == end)
			return 0;
		s = e + 1;
	}
}

static int
order_item(const char *s, size_t len, void *arg)
{
	struct query *q = arg;
	struct order o = { NULL, 0, NULL };
	const char *dot = memchr(s, '.', len), *end = s + len, *word;
	size_t wlen;
	int stage = 0;	/* 0: direction or nulls may follow, 1: nulls only, 2: nothing */

	if ((o.col = ident_from(s, dot != NULL ? (size_t)(dot - s) : len)) == NULL)
		return -1;
	while (dot != NULL) {
		word = dot + 1;
		dot = memchr(word, '.', (size_t)(end - word));
		wlen = dot != NULL ? (size_t)(dot - word) : (size_t)(end - word);
		if (stage == 0 && wlen == 3 && memcmp(word, "asc", 3) == 0)
			stage = 1;
		else if (stage == 0 && wlen == 4 && memcmp(word, "desc", 4) == 0) {
			o.desc = 1;
			stage = 1;
		} else if (stage < 2 && wlen == 10 && memcmp(word, "nullsfirst", 10) == 0) {
			o.nulls = "NULLS FIRST";
			stage = 2;
		} else if (stage < 2 && wlen == 9 && memcmp(word, "nullslast", 9) == 0) {
			o.nulls = "NULLS LAST";
			stage = 2;
		} else {
			free(o.col);
			return -1;
		}
	}
	q->order = xreallocarray(q->order, q->norder + 1, sizeof *q->order);
	q->order[q->norder++] = o;
	return 0;
}

static int
parse_count(const char *v, long long *out)
{
	size_t i, n = strlen(v);

	if (n == 0 || n > 15)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
	}
	*out = strtoll(v, NULL, 10);
	return 0;
}

/*
 * in.(a,b,"c,d"): PostgREST's list grammar. Unquoted items run to the next
 * comma; quoted ones may hold commas and parentheses, with \ escaping the
 * next character. The result is a PostgreSQL array literal with every
 * element quoted, so none of them can read as NULL or as a nested array.
 */
static char *
in_list(const char *v)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(v), i;
	int first = 1;

	if (len < 2 || v[0] != '(' || v[len - 1] != ')')
		return NULL;
	v++;
	len -= 2;
	strbuf_addc(&sb, '{');
	if (len == 0)
		goto done;
	i = 0;
	for (;;) {
		if (!first)
			strbuf_addc(&sb, ',');
		first = 0;
		strbuf_addc(&sb, '"');
		if (i < len && v[i] == '"') {
			for (i++; i < len && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < len)
					i++;
				if (v[i] == '"' || v[i] == '\\')
					strbuf_addc(&sb, '\\');
				strbuf_addc(&sb, v[i]);
			}
			if (i >= len || (i + 1 < len && v[i + 1] != ',')) {
				strbuf_free(&sb);
				return NULL;
			}
			i++;
		} else {
			for (; i < len && v[i] != ','; i++) {
				if (v[i] == '"' || v[i] == '\\')
					strbuf_addc(&sb, '\\');
				strbuf_addc(&sb, v[i]);
			}
		}
		strbuf_addc(&sb, '"');
		if (i >= len)
			break;
		i++;	/* the comma */
	}
done:
	strbuf_addc(&sb, '}');
	return strbuf_detach(&sb);
}

static const struct {
	const char *name;
	const char *sql;
} cmp_ops[] = {
	{ "eq", "=" }, { "neq", "<>" }, { "gt", ">" }, { "gte", ">=" },
	{ "lt", "<" }, { "lte", "<=" }, { "like", "LIKE" }, { "ilike", "ILIKE" },
};

static const struct {
	const char *name;
	const char *sql;
} is_values[] = {
	{ "null", "NULL" }, { "true", "TRUE" }, { "false", "FALSE" }, { "unknown", "UNKNOWN" },
};

/* One column filter, <col>=[not.]<op>.<value>, into f. */
static int
parse_one_filter(struct filter *fp, const char *key, const char *value, struct pgrst_error *e)
{
	struct filter f;
	const char *v = value, *op, *dot;
	size_t oplen, i;
	char *p;

	memset(&f, 0, sizeof f);
	if ((f.col = ident_from(key, strlen(key))) == NULL)
		return fail_parse(e, "filter", key, value, "the column name is not an identifier");
	if (strncmp(v, "not.", 4) == 0) {
		f.negate = 1;
		v += 4;
	}
	if ((dot = strchr(v, '.')) == NULL) {
		free(f.col);
		return fail_parse(e, "filter", key, value, "expected <operator>.<value>");
	}
	op = v;
	oplen = (size_t)(dot - op);
	v = dot + 1;
	for (i = 0; i < sizeof cmp_ops / sizeof cmp_ops[0]; i++) {
		if (strlen(cmp_ops[i].name) == oplen && memcmp(cmp_ops[i].name, op, oplen) == 0)
			break;
	}
	if (i < sizeof cmp_ops / sizeof cmp_ops[0]) {
		f.kind = F_CMP;
		f.sql = cmp_ops[i].sql;
		f.value = xstrdup(v);
		/* PostgREST's like patterns use * because % is awkward in URLs. */
		if (f.sql[0] == 'L' || f.sql[0] == 'I') {
			for (p = f.value; *p != '\0'; p++) {
				if (*p == '*')
					*p = '%';
			}
		}
	} else if (oplen == 2 && memcmp(op, "in", 2) == 0) {
		f.kind = F_IN;
		if ((f.value = in_list(v)) == NULL) {
			free(f.col);
			return fail_parse(e, "filter", key, value, "expected in.(item,...)");
		}
	} else if (oplen == 2 && memcmp(op, "is", 2) == 0) {
		f.kind = F_IS;
		for (i = 0; i < sizeof is_values / sizeof is_values[0]; i++) {
			if (strcmp(v, is_values[i].name) == 0)
				f.sql = is_values[i].sql;
		}
		if (f.sql == NULL) {
			free(f.col);
			return fail_parse(e, "filter", key, value,
			    "is takes null, true, false or unknown");
		}
	} else {
		free(f.col);
		return fail_parse(e, "filter", key, value, "unknown operator");
	}
	*fp = f;
	return 0;
}

static void
add_filter_to(struct query *q, const struct filter *f)
{
	q->filters = xreallocarray(q->filters, q->nfilters + 1, sizeof *q->filters);
	q->filters[q->nfilters++] = *f;
}

static int
parse_filter(struct query *q, const char *key, const char *value, struct pgrst_error *e)
{
	struct filter f;

	if (parse_one_filter(&f, key, value, e) != 0)
		return -1;
	add_filter_to(q, &f);
	return 0;
}

/*
 * The end of one item of a logic tree's list starting at s: the next comma
 * outside parentheses and double quotes (a quoted value may hold both, \
 * escapes the next character), or end. NULL when parentheses or quotes do
 * not balance.
 */
static const char *
item_end(const char *s, const char *end)
{
	int depth = 0, quoted = 0;

	for (; s < end; s++) {
		if (quoted) {
			if (*s == '\\' && s + 1 < end)
				s++;
			else if (*s == '"')
				quoted = 0;
		} else if (*s == '"')
			quoted = 1;
		else if (*s == '(')
			depth++;
		else if (*s == ')' && --depth < 0)
			return NULL;
		else if (*s == ',' && depth == 0)
			return s;
	}
	return depth == 0 && !quoted ? end : NULL;
}

static int
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static int parse_group(struct logic *l, const char *s, size_t len, int depth, const char **why);

/*
 * One item: [not.]or(...), [not.]and(...), or <col>.[not.]<op>.<value> where
 * a double-quoted value ("a,b") loses its quotes. why says what is wrong.
 */
static int
parse_item(struct logic *l, const char *s, size_t len, int depth, const char **why)
{
	struct pgrst_error ignored;
	const char *dot;
	char *col, *value;
	size_t vlen;
	int rc;

	memset(l, 0, sizeof *l);
	if (starts(s, len, "not.or(") || starts(s, len, "not.and(")) {
		l->negate = 1;
		s += 4;
		len -= 4;
	}
	if (starts(s, len, "or(") || starts(s, len, "and(")) {
		l->is_or = s[0] == 'o';
		return parse_group(l, s + (l->is_or ? 2 : 3), len - (l->is_or ? 2 : 3), depth + 1,
		    why);
	}
	if ((dot = memchr(s, '.', len)) == NULL) {
		*why = "expected <column>.<operator>.<value>, or(...) or and(...)";
		return -1;
	}
	col = xstrndup(s, (size_t)(dot - s));
	vlen = len - (size_t)(dot + 1 - s);
	value = xstrndup(dot + 1, vlen);
	/* "a,b" as the whole value after the operator: the quotes only protect it. */
	dot = strchr(value, '.');
	if (dot != NULL && strncmp(value, "not.", 4) == 0)
		dot = strchr(dot + 1, '.');
	if (dot != NULL && dot[1] == '"' && strlen(dot + 1) >= 2 && value[strlen(value) - 1] == '"' &&
	    strncmp(value, "in.", 3) != 0 && strncmp(value, "not.in.", 7) != 0) {
		char *q = (char *)dot + 1;
		size_t ql = strlen(q);

		memmove(q, q + 1, ql - 2);
		q[ql - 2] = '\0';
	}
	l->leaf = xcalloc(1, sizeof *l->leaf);
	rc = parse_one_filter(l->leaf, col, value, &ignored);
	if (rc != 0) {
		free(l->leaf);
		l->leaf = NULL;
		*why = ignored.details[0] != '\0' ? "a filter in it does not parse" : "bad filter";
	}
	free(col);
	free(value);
	return rc;
}

/* (item,item,...) into l's kids, depth levels down. */
static int
parse_group(struct logic *l, const char *s, size_t len, int depth, const char **why)
{
	const char *end, *item, *next;

	if (depth > MAX_TREE_DEPTH) {
		*why = "or/and nest too deep";
		return -1;
	}
	if (len < 2 || s[0] != '(' || s[len - 1] != ')') {
		*why = "expected (item,...)";
		return -1;
	}
	end = s + len - 1;
	for (item = s + 1; item <= end; item = next + 1) {
		if ((next = item_end(item, end)) == NULL) {
			*why = "unbalanced parentheses or quotes";
			return -1;
		}
		if (next == item) {
			*why = "an empty item";
			return -1;
		}
		l->kids = xreallocarray(l->kids, l->nkids + 1, sizeof *l->kids);
		if (parse_item(&l->kids[l->nkids], item, (size_t)(next - item), depth, why) != 0) {
			logic_free(&l->kids[l->nkids]);
			return -1;
		}
		l->nkids++;
		if (next == end)
			break;
	}
	return 0;
}

/* or=(...), and=(...), not.or=(...), not.and=(...): one more ANDed filter. */
static int
parse_logic(struct query *q, const char *key, const char *value, struct pgrst_error *e)
{
	struct filter f;
	const char *why = NULL;

	memset(&f, 0, sizeof f);
	f.kind = F_TREE;
	f.tree = xcalloc(1, sizeof *f.tree);
	f.tree->negate = strncmp(key, "not.", 4) == 0;
	f.tree->is_or = strcmp(key + (f.tree->negate ? 4 : 0), "or") == 0;
	if (parse_group(f.tree, value, strlen(value), 1, &why) != 0) {
		filter_free(&f);
		return fail_parse(e, "logic tree", key, value, why);
	}
	add_filter_to(q, &f);
	return 0;
}

static int
once(int *seen, const char *key, const char *value, struct pgrst_error *e)
{
	if (*seen)
		return fail_parse(e, "query string", key, value, "this parameter may appear once");
	*seen = 1;
	return 0;
}

static int
parse_param(struct query *q, const char *key, const char *value, struct pgrst_error *e)
{
	if (strcmp(key, "select") == 0) {
		if (once(&q->has_select, key, value, e) != 0)
			return -1;
		if (parse_select(value, strlen(value), &q->select, &q->nselect, 0) != 0)
			return fail_parse(e, "select parameter", key, value,
			    "expected *, column, alias:column or [alias:]table[!hint](columns),"
			    " comma-separated");
	} else if (strcmp(key, "order") == 0) {
		if (once(&q->has_order, key, value, e) != 0)
			return -1;
		if (each_item(value, order_item, q) != 0)
			return fail_parse(e, "order", key, value,
			    "expected column[.asc|.desc][.nullsfirst|.nullslast]");
	} else if (strcmp(key, "limit") == 0) {
		if (once(&q->has_limit, key, value, e) != 0)
			return -1;
		if (parse_count(value, &q->limit) != 0)
			return fail_parse(e, "limit parameter", key, value, "expected a number");
	} else if (strcmp(key, "offset") == 0) {
		if (once(&q->has_offset, key, value, e) != 0)
			return -1;
		if (parse_count(value, &q->offset) != 0)
			return fail_parse(e, "offset parameter", key, value, "expected a number");
	} else if (strcmp(key, "on_conflict") == 0) {
		if (once(&q->has_conflict, key, value, e) != 0)
			return -1;
		if (parse_columns(value, &q->conflict, &q->nconflict, 0) != 0)
			return fail_parse(e, "on_conflict", key, value, "expected column names");
	} else if (strcmp(key, "columns") == 0) {
		if (once(&q->has_columns, key, value, e) != 0)
			return -1;
		if (parse_columns(value, &q->columns, &q->ncolumns, 0) != 0)
			return fail_parse(e, "columns", key, value, "expected column names");
	} else if (strcmp(key, "or") == 0 || strcmp(key, "and") == 0 ||
	    strcmp(key, "not.or") == 0 || strcmp(key, "not.and") == 0) {
		return parse_logic(q, key, value, e);
	} else if (strchr(key, '.') != NULL) {
		/* On an embedding: applied once select= is known (resolve_query). */
		q->pending = xreallocarray(q->pending, q->npending + 1, sizeof *q->pending);
		q->pending[q->npending].key = xstrdup(key);
		q->pending[q->npending++].value = xstrdup(value);
	} else
		return parse_filter(q, key, value, e);
	return 0;
}

static int
parse_query(struct query *q, const char *qs, struct pgrst_error *e)
{
	const char *seg, *amp, *eq;
	size_t len, count = 0;
	char *key, *value;
	int rc;

	if (qs == NULL)
		return 0;
	for (seg = qs; *seg != '\0'; seg = amp + 1) {
		amp = strchr(seg, '&');
		len = amp != NULL ? (size_t)(amp - seg) : strlen(seg);
		if (len > 0) {
			if (++count > PGRST_MAX_PARAMS)
				return fail(e, 400, "PGRST100", NULL,
				    "too many query parameters (at most %d)", PGRST_MAX_PARAMS);
			eq = memchr(seg, '=', len);
			key = percent_decode(seg, eq != NULL ? (size_t)(eq - seg) : len);
			value = eq != NULL ?
			    percent_decode(eq + 1, len - (size_t)(eq + 1 - seg)) : xstrdup("");
			if (key == NULL || value == NULL)
				rc = fail(e, 400, "PGRST100", NULL,
				    "failed to parse query string: it decodes to a NUL byte");
			else
				rc = parse_param(q, key, value, e);
			free(key);
			free(value);
			if (rc != 0)
				return -1;
		}
		if (amp == NULL)
			break;
	}
	return 0;
}

/* Prefer: comma-separated key=value; what we do not know is ignored, as PostgREST's lenient mode. */
static void
parse_prefer(struct query *q, const char *prefer)
{
	const char *p = prefer, *end;
	size_t len;

	if (p == NULL)
		return;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		end = p;
		while (*end != '\0' && *end != ',')
			end++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
#define PREF(s) (len == sizeof(s) - 1 && memcmp(p, s, len) == 0)
		if (PREF("return=representation"))
			q->representation = 1;
		else if (PREF("return=minimal") || PREF("return=headers-only"))
			q->representation = 0;
		else if (PREF("resolution=merge-duplicates"))
			q->resolution = RES_MERGE;
		else if (PREF("resolution=ignore-duplicates"))
			q->resolution = RES_IGNORE;
		else if (PREF("count=exact"))
			q->count_exact = 1;
		else if (PREF("count=planned"))
			q->count_planned = 1;
		else if (PREF("count=estimated"))
			q->count_exact = q->count_planned = 1;
		else if (PREF("missing=default"))
			q->missing_default = 1;
#undef PREF
		p = end;
	}
}

static void add_filter(struct strbuf *sb, const struct filter *f, int level, struct params *p);
static void add_conditions(struct strbuf *sb, const char *schema, const struct query *q,
    const struct column *c, size_t n, int level, struct params *p, int *count);

/* A column of the rows at level: embedded levels name their table, so a column
 * the embedded table lacks is an error, never the outer table's column. */
static void
add_column_at(struct strbuf *sb, const char *col, int level)
{
	if (level > 0)
		strbuf_addf(sb, "pgrst_%d.", level);
	add_ident(sb, col);
}

static void
add_logic(struct strbuf *sb, const struct logic *l, int level, struct params *p)
{
	size_t i;

	if (l->leaf != NULL) {
		add_filter(sb, l->leaf, level, p);
		return;
	}
	strbuf_adds(sb, l->negate ? "NOT (" : "(");
	for (i = 0; i < l->nkids; i++) {
		if (i > 0)
			strbuf_adds(sb, l->is_or ? " OR " : " AND ");
		add_logic(sb, &l->kids[i], level, p);
	}
	strbuf_addc(sb, ')');
}

/* " WHERE " before the first condition, " AND " before the others. */
static void
add_and(struct strbuf *sb, int *count)
{
	strbuf_adds(sb, (*count)++ == 0 ? " WHERE " : " AND ");
}

static void
add_where(struct strbuf *sb, const struct query *q, struct params *p)
{
	int count = 0;

	add_conditions(sb, q->schema, q, q->select, q->nselect, 0, p, &count);
}

static void
add_filter(struct strbuf *sb, const struct filter *f, int level, struct params *p)
{
	int n;

	if (f->kind == F_TREE) {
		add_logic(sb, f->tree, level, p);
		return;
	}
	if (f->negate)
		strbuf_adds(sb, "NOT (");
	add_column_at(sb, f->col, level);
	switch (f->kind) {
	case F_CMP:
		n = param_add(p, xstrdup(f->value));
		strbuf_addf(sb, " %s $%d", f->sql, n);
		break;
	case F_IN:
		n = param_add(p, xstrdup(f->value));
		strbuf_addf(sb, " = ANY($%d)", n);
		break;
	case F_IS:
		strbuf_addf(sb, " IS %s", f->sql);
		break;
	case F_TREE:
		break;
	}
	if (f->negate)
		strbuf_addc(sb, ')');
}

static void
add_order_at(struct strbuf *sb, const struct query *q, int level)
{
	size_t i;

	for (i = 0; i < q->norder; i++) {
		strbuf_adds(sb, i == 0 ? " ORDER BY " : ", ");
		add_column_at(sb, q->order[i].col, level);
		strbuf_adds(sb, q->order[i].desc ? " DESC" : " ASC");
		if (q->order[i].nulls != NULL)
			strbuf_addf(sb, " %s", q->order[i].nulls);
	}
}

static void
add_order(struct strbuf *sb, const struct query *q)
{
	add_order_at(sb, q, 0);
}

/* An embedding's own limit and offset (name.limit=, name.offset=). */
static void
add_range(struct strbuf *sb, const struct query *q, struct params *p)
{
	int n;

	if (q->has_limit) {
		n = param_add(p, xprintf("%lld", q->limit));
		strbuf_addf(sb, " LIMIT $%d", n);
	}
	if (q->has_offset) {
		n = param_add(p, xprintf("%lld", q->offset));
		strbuf_addf(sb, " OFFSET $%d", n);
	}
}

/* The next column of a comma-separated key at *s, quoted; advances *s. */
static void
add_key_column(struct strbuf *sb, const char **s)
{
	size_t n = strcspn(*s, ",");
	char *col = xstrndup(*s, n);

	add_ident(sb, col);
	free(col);
	*s += (*s)[n] == ',' ? n + 1 : n;
}

/* left.lcols[i] = right.rcols[i] for each column of two keys, in key order. */
static void
add_key_pairs(struct strbuf *sb, const char *left, const char *lcols, const char *right,
    const char *rcols)
{
	while (*lcols != '\0' && *rcols != '\0') {
		strbuf_adds(sb, left);
		strbuf_addc(sb, '.');
		add_key_column(sb, &lcols);
		strbuf_addf(sb, " = %s.", right);
		add_key_column(sb, &rcols);
		if (*lcols != '\0' && *rcols != '\0')
			strbuf_adds(sb, " AND ");
	}
}

/*
 * The join of an embedding: pgrst_<level+1> is the related table,
 * pgrst_<level> the one it is embedded in. Many-to-many goes through the
 * junction, pgrst_j<level+1>, in an EXISTS: a junction row never repeats an
 * embedded row.
 */
static void
add_join(struct strbuf *sb, const char *schema, const struct column *c, int level, int *count)
{
	const struct pgrst_rel *fk = c->link.fk;
	char in[24], out[24], junction[24];

	snprintf(in, sizeof in, "pgrst_%d", level + 1);
	snprintf(out, sizeof out, "pgrst_%d", level);
	add_and(sb, count);
	switch (c->link.card) {
	case PGRST_M2O:
		add_key_pairs(sb, in, fk->ref_cols, out, fk->cols);
		break;
	case PGRST_O2M:
		add_key_pairs(sb, in, fk->cols, out, fk->ref_cols);
		break;
	case PGRST_M2M:
		snprintf(junction, sizeof junction, "pgrst_j%d", level + 1);
		strbuf_adds(sb, "EXISTS (SELECT 1 FROM ");
		add_qname(sb, schema, fk->table);
		strbuf_addf(sb, " %s WHERE ", junction);
		add_key_pairs(sb, junction, c->link.fk2->cols, in, c->link.fk2->ref_cols);
		strbuf_adds(sb, " AND ");
		add_key_pairs(sb, junction, fk->cols, out, fk->ref_cols);
		strbuf_addc(sb, ')');
		break;
	}
}

/*
 * FROM the rows of an embedding related to the row of level, with its own
 * filters and its !inner and null-filtered embeddings' existence tests.
 */
static void
add_related(struct strbuf *sb, const char *schema, const struct column *c, int level,
    struct params *p)
{
	int count = 0;

	strbuf_adds(sb, " FROM ");
	add_qname(sb, schema, c->name);
	strbuf_addf(sb, " pgrst_%d", level + 1);
	add_join(sb, schema, c, level, &count);
	add_conditions(sb, schema, c->sub, c->kids, c->nkids, level + 1, p, &count);
}

/*
 * The conditions on the rows of level: the filters of q (may be NULL), then,
 * for each embedding among c that must (!inner, =not.is.null) or must not
 * (=is.null) have a related row, an existence test, nested as deep as they go.
 */
static void
add_conditions(struct strbuf *sb, const char *schema, const struct query *q,
    const struct column *c, size_t n, int level, struct params *p, int *count)
{
	size_t i;

	for (i = 0; q != NULL && i < q->nfilters; i++) {
		add_and(sb, count);
		add_filter(sb, &q->filters[i], level, p);
	}
	for (i = 0; i < n; i++) {
		if (!c[i].embed || (!c[i].inner && !c[i].anti))
			continue;
		add_and(sb, count);
		strbuf_adds(sb, c[i].anti ? "NOT EXISTS (SELECT 1" : "EXISTS (SELECT 1");
		add_related(sb, schema, &c[i], level, p);
		strbuf_addc(sb, ')');
	}
}

static void add_select_items(struct strbuf *sb, const char *schema, const struct column *c,
    size_t n, int level, struct params *p);

/*
 * ...table(cols): each column of the one related row (or null) as a column
 * of the outer row, a scalar subquery each.
 */
static void
add_spread(struct strbuf *sb, const char *schema, const struct column *c, int level,
    struct params *p)
{
	size_t i;

	for (i = 0; i < c->nkids; i++) {
		if (i > 0)
			strbuf_adds(sb, ", ");
		strbuf_adds(sb, "(SELECT ");
		add_column_at(sb, c->kids[i].name, level + 1);
		add_related(sb, schema, c, level, p);
		strbuf_adds(sb, ") AS ");
		add_ident(sb, c->kids[i].alias != NULL ? c->kids[i].alias : c->kids[i].name);
	}
}

/*
 * An embedding as PostgREST gives it: a correlated subquery in the select
 * list, one object (or null) through our foreign key, an array otherwise,
 * with the embedding's own filters, order, limit and offset. Run as the
 * caller, so row-level security filters it.
 */
static void
add_embed(struct strbuf *sb, const char *schema, const struct column *c, int level,
    struct params *p)
{
	int to_one = c->link.card == PGRST_M2O;

	if (c->spread) {
		add_spread(sb, schema, c, level, p);
		return;
	}
	strbuf_addf(sb, to_one ? "(SELECT row_to_json(pgrst_e%d.*) FROM (SELECT " :
	    "(SELECT coalesce(json_agg(pgrst_e%d.*), '[]') FROM (SELECT ", level + 1);
	add_select_items(sb, schema, c->kids, c->nkids, level + 1, p);
	add_related(sb, schema, c, level, p);
	if (c->sub != NULL) {
		add_order_at(sb, c->sub, level + 1);
		add_range(sb, c->sub, p);
	}
	strbuf_addf(sb, ") pgrst_e%d) AS ", level + 1);
	add_ident(sb, c->alias != NULL ? c->alias : c->name);
}

static void
add_select_items(struct strbuf *sb, const char *schema, const struct column *c, size_t n,
    int level, struct params *p)
{
	size_t i;

	if (n == 0) {
		strbuf_addc(sb, '*');
		return;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_adds(sb, ", ");
		if (c[i].embed) {
			add_embed(sb, schema, &c[i], level, p);
			continue;
		}
		if (c[i].name == NULL) {
			strbuf_addc(sb, '*');
			continue;
		}
		add_ident(sb, c[i].name);
		if (c[i].alias != NULL) {
			strbuf_adds(sb, " AS ");
			add_ident(sb, c[i].alias);
		}
	}
}

static void
add_select_list(struct strbuf *sb, const struct query *q, struct params *p)
{
	add_select_items(sb, q->schema, q->select, q->nselect, 0, p);
}

/* The outer table's alias, which embeddings' joins name. */
static void
add_outer_alias(struct strbuf *sb, const struct query *q)
{
	if (q->has_embed)
		strbuf_adds(sb, " pgrst_0");
}

/*
 * The rows as the body the client accepts, and their count. pgrst_t.* rather
 * than pgrst_t: a bare name would mean a selected column that happened to be
 * called so. The CSV is PostgREST's: the first row's keys as the header, then
 * each row's record text without its parentheses.
 */
static void
add_aggregate_head(struct strbuf *sb, const struct query *q)
{
	switch (q->accept) {
	case PGRST_ACCEPT_OBJECT:
		strbuf_adds(sb, "SELECT coalesce((json_agg(pgrst_t.*)->0)::text, 'null') AS body");
		break;
	case PGRST_ACCEPT_CSV:
		strbuf_adds(sb, "SELECT coalesce((SELECT string_agg(pgrst_k, ',')"
		    " FROM json_object_keys((array_agg(to_json(pgrst_t.*)))[1]) pgrst_k), '')"
		    " || E'\\n' || coalesce(string_agg(substring(pgrst_t::text, 2,"
		    " length(pgrst_t::text) - 2), E'\\n'), '') AS body");
		break;
	default:
		strbuf_adds(sb, "SELECT coalesce(json_agg(pgrst_t.*), '[]')::text AS body");
		break;
	}
	strbuf_adds(sb, ", count(*) AS n");
}

/* Wraps a write in a CTE so its RETURNING rows come back as a representation. */
static char *
representation(const struct query *q, char *write, struct params *p)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "WITH pgrst_w AS (");
	strbuf_adds(&sb, write);
	strbuf_adds(&sb, " RETURNING *) ");
	add_aggregate_head(&sb, q);
	strbuf_adds(&sb, " FROM (SELECT ");
	add_select_list(&sb, q, p);
	strbuf_adds(&sb, " FROM pgrst_w");
	add_outer_alias(&sb, q);
	add_order(&sb, q);
	strbuf_adds(&sb, ") pgrst_t");
	free(write);
	return strbuf_detach(&sb);
}

/* A statement of its own on the rows the filters match: head, then the table and filters. */
static void
side_statement(const struct pgrst_request *req, const char *schema, const struct query *q,
    const char *head, char **sql, char ***params, int *nparams)
{
	struct strbuf sb = STRBUF_INIT;
	struct params sp = { NULL, 0, 0 };

	strbuf_adds(&sb, head);
	add_qname(&sb, schema, req->name);
	add_outer_alias(&sb, q);
	add_where(&sb, q, &sp);
	*sql = strbuf_detach(&sb);
	*params = sp.v;
	*nparams = sp.n;
}

/* count=planned: the planner's row estimate of the matching rows. */
static void
add_count_plan(const struct pgrst_request *req, const char *schema, const struct query *q,
    struct pgrst_sql *out)
{
	side_statement(req, schema, q, "EXPLAIN (FORMAT JSON) SELECT 1 FROM ", &out->count_sql,
	    &out->count_params, &out->count_nparams);
	out->count_estimated = q->count_exact;
	out->max_rows = req->max_rows;
}

static int
build_get(const struct pgrst_request *req, const char *schema, const struct query *q,
    struct pgrst_sql *out, struct params *p, struct pgrst_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	long long limit = -1;
	int n;

	if (q->has_conflict || q->has_columns)
		return fail(e, 400, "PGRST100", NULL, "on_conflict and columns are for POST only");
	if (q->has_limit)
		limit = q->limit;
	if (req->max_rows > 0 && (limit < 0 || limit > req->max_rows))
		limit = req->max_rows;
	add_aggregate_head(&sb, q);
	if (q->count_planned)
		add_count_plan(req, schema, q, out);
	if (q->count_exact) {
		/* The rows the filters match, whatever the range: Content-Range's total. */
		strbuf_adds(&sb, ", (SELECT count(*) FROM ");
		add_qname(&sb, schema, req->name);
		add_outer_alias(&sb, q);
		add_where(&sb, q, p);
		strbuf_adds(&sb, ") AS total");
		out->has_total = 1;
	}
	strbuf_adds(&sb, " FROM (SELECT ");
	add_select_list(&sb, q, p);
	strbuf_adds(&sb, " FROM ");
	add_qname(&sb, schema, req->name);
	add_outer_alias(&sb, q);
	add_where(&sb, q, p);
	add_order(&sb, q);
	if (limit >= 0) {
		n = param_add(p, xprintf("%lld", limit));
		strbuf_addf(&sb, " LIMIT $%d", n);
	}
	if (q->has_offset) {
		n = param_add(p, xprintf("%lld", q->offset));
		strbuf_addf(&sb, " OFFSET $%d", n);
		out->offset = q->offset;
	}
	strbuf_adds(&sb, ") pgrst_t");
	out->sql = strbuf_detach(&sb);
	out->status = 200;
	out->returns_body = 1;
	return 0;
}

/* The body as a NUL-terminated copy, or NULL with e filled. */
static char *
body_copy(const struct pgrst_request *req, struct pgrst_error *e)
{
	const char *b = req->body;
	size_t n = b != NULL ? req->body_len : 0;

	while (n > 0 && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')) {
		b++;
		n--;
	}
	if (n == 0 || memchr(b, '\0', n) != NULL) {
		fail(e, 400, "PGRST102", NULL, "Empty or invalid json");
		return NULL;
	}
	return xstrndup(b, n);
}

static int
has_column(const struct column *c, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(c[i].name, name) == 0)
			return 1;
	}
	return 0;
}

/* The distinct keys of obj, each an identifier, in their first order. */
static int
object_keys(const cJSON *obj, const char *table, struct column **c, size_t *n,
    struct pgrst_error *e)
{
	const cJSON *item;
	char k[80], t[80];

	cJSON_ArrayForEach(item, obj) {
		if (!pgrst_ident_valid(item->string))
			return fail(e, 400, "PGRST204", NULL,
			    "Could not find the '%s' column of '%s' in the schema cache",
			    clean(k, sizeof k, item->string, strlen(item->string)),
			    clean(t, sizeof t, table, strlen(table)));
		if (has_column(*c, *n, item->string))
			continue;
		if (*n >= MAX_COLUMNS)
			return fail(e, 400, "PGRST102", NULL, "too many columns");
		*c = xreallocarray(*c, *n + 1, sizeof **c);
		memset(&(*c)[*n], 0, sizeof **c);
		(*c)[(*n)++].name = xstrdup(item->string);
	}
	return 0;
}

/* Whether obj has exactly the keys c[0..n), duplicates aside. */
static int
same_keys(const cJSON *obj, const struct column *c, size_t n)
{
	const cJSON *item;
	size_t i;

	cJSON_ArrayForEach(item, obj) {
		if (!has_column(c, n, item->string))
			return 0;
	}
	for (i = 0; i < n; i++) {
		if (cJSON_GetObjectItemCaseSensitive(obj, c[i].name) == NULL)
			return 0;
	}
	return 1;
}

/*
 * The columns a POST inserts: columns= when given (the body is then left to
 * PostgreSQL to check), else the keys of the objects, which must agree.
 */
static int
insert_columns(const struct pgrst_request *req, struct query *q, const char *body,
    struct pgrst_error *e)
{
	const cJSON *item;
	cJSON *json;
	int rc = 0;

	if (q->has_columns) {
		if (*body != '[' && *body != '{')
			return fail(e, 400, "PGRST102", NULL, "Empty or invalid json");
		return 0;
	}
	json = cJSON_ParseWithOpts(body, NULL, 1);
	if (cJSON_IsObject(json))
		rc = object_keys(json, req->name, &q->columns, &q->ncolumns, e);
	else if (cJSON_IsArray(json)) {
		cJSON_ArrayForEach(item, json) {
			if (!cJSON_IsObject(item)) {
				rc = fail(e, 400, "PGRST102", NULL,
				    "All array elements must be objects");
				break;
			}
			if (item == json->child)
				rc = object_keys(item, req->name, &q->columns, &q->ncolumns, e);
			else if (!same_keys(item, q->columns, q->ncolumns))
				rc = fail(e, 400, "PGRST102", NULL, "All object keys must match");
			if (rc != 0)
				break;
		}
	} else
		rc = fail(e, 400, "PGRST102", NULL, "Empty or invalid json");
	cJSON_Delete(json);
	return rc;
}

static void
add_column_list(struct strbuf *sb, const struct column *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_addc(sb, ',');
		add_ident(sb, c[i].name);
	}
}

/*
 * Prefer: missing=default: one VALUES row per object, where a column the
 * object lacks is DEFAULT (allowed there only, not in an expression) and the
 * others are read from the object through the table's row type, so the
 * types still come from the table. body is the parameter $n: a JSON array.
 */
static int
add_values_with_defaults(struct strbuf *sb, const char *schema, const char *table,
    const struct query *q, const char *body, int n, struct pgrst_error *e)
{
	cJSON *json = cJSON_ParseWithOpts(body, NULL, 1);
	const cJSON *row;
	size_t i, r = 0;

	if (!cJSON_IsArray(json) || cJSON_GetArraySize(json) == 0) {
		cJSON_Delete(json);
		return fail(e, 400, "PGRST102", NULL, "Empty or invalid json");
	}
	strbuf_adds(sb, " VALUES ");
	cJSON_ArrayForEach(row, json) {
		if (!cJSON_IsObject(row)) {
			cJSON_Delete(json);
			return fail(e, 400, "PGRST102", NULL, "All array elements must be objects");
		}
		strbuf_adds(sb, r > 0 ? ", (" : "(");
		for (i = 0; i < q->ncolumns; i++) {
			if (i > 0)
				strbuf_adds(sb, ", ");
			if (cJSON_GetObjectItemCaseSensitive(row, q->columns[i].name) == NULL) {
				strbuf_adds(sb, "DEFAULT");
				continue;
			}
			strbuf_adds(sb, "(jsonb_populate_record(NULL::");
			add_qname(sb, schema, table);
			strbuf_addf(sb, ", $%d::jsonb->%zu)).", n, r);
			add_ident(sb, q->columns[i].name);
		}
		strbuf_addc(sb, ')');
		r++;
	}
	cJSON_Delete(json);
	return 0;
}

static int
build_post(const struct pgrst_request *req, const char *schema, const struct pgrst_table *t,
    struct query *q, struct pgrst_sql *out, struct params *p, struct pgrst_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	char *body;
	size_t i;
	int n;

	if (q->nfilters > 0 || q->has_limit || q->has_offset)
		return fail(e, 400, "PGRST100", NULL,
		    "filters, limit and offset are not supported on POST");
	if (q->resolution == RES_MERGE && !q->has_conflict) {
		/* PostgREST's default conflict target is the primary key. */
		if (t->primary_key == NULL ||
		    parse_columns(t->primary_key, &q->conflict, &q->nconflict, 0) != 0)
			return fail(e, 400, "PGRST100", NULL,
			    "resolution=merge-duplicates needs on_conflict on this table");
		q->has_conflict = 1;
	}
	if ((body = body_copy(req, e)) == NULL)
		return -1;
	if (insert_columns(req, q, body, e) != 0) {
		free(body);
		return -1;
	}
	/* One jsonb array parameter however many rows: types come from the table. */
	if (*body == '{') {
		n = param_add(p, xprintf("[%s]", body));
		free(body);
	} else
		n = param_add(p, body);

	strbuf_adds(&sb, "INSERT INTO ");
	add_qname(&sb, schema, req->name);
	if (q->ncolumns > 0) {
		strbuf_adds(&sb, " (");
		add_column_list(&sb, q->columns, q->ncolumns);
		strbuf_adds(&sb, ")");
	}
	if (q->missing_default && q->has_columns) {
		if (add_values_with_defaults(&sb, schema, req->name, q, p->v[n - 1], n, e) != 0) {
			strbuf_free(&sb);
			return -1;
		}
	} else {
		strbuf_adds(&sb, " SELECT ");
		add_column_list(&sb, q->columns, q->ncolumns);
		strbuf_adds(&sb, q->ncolumns > 0 ? " FROM jsonb_populate_recordset(NULL::" :
		    "FROM jsonb_populate_recordset(NULL::");
		add_qname(&sb, schema, req->name);
		strbuf_addf(&sb, ", $%d::jsonb)", n);
	}
	if (q->resolution != RES_NONE) {
		strbuf_adds(&sb, " ON CONFLICT");
		if (q->has_conflict) {
			strbuf_adds(&sb, " (");
			add_column_list(&sb, q->conflict, q->nconflict);
			strbuf_adds(&sb, ")");
		}
		if (q->resolution == RES_MERGE && q->ncolumns > 0) {
			strbuf_adds(&sb, " DO UPDATE SET ");
			for (i = 0; i < q->ncolumns; i++) {
				if (i > 0)
					strbuf_adds(&sb, ", ");
				add_ident(&sb, q->columns[i].name);
				strbuf_adds(&sb, " = EXCLUDED.");
				add_ident(&sb, q->columns[i].name);
			}
		} else
			strbuf_adds(&sb, " DO NOTHING");
	}
	out->sql = strbuf_detach(&sb);
	if (q->representation) {
		out->sql = representation(q, out->sql, p);
		out->returns_body = 1;
	}
	out->status = 201;
	return 0;
}

/* Whether the filters are exactly the primary key's columns, each with eq (PUT). */
static int
put_filters_ok(const struct pgrst_table *t, const struct query *q)
{
	struct column *pk = NULL;
	size_t npk = 0, i, j;
	int ok;

	if (t->primary_key == NULL || parse_columns(t->primary_key, &pk, &npk, 0) != 0) {
		columns_free(pk, npk);
		return 0;
	}
	ok = q->nfilters == npk;
	for (i = 0; ok && i < q->nfilters; i++) {
		const struct filter *f = &q->filters[i];

		ok = f->kind == F_CMP && !f->negate && strcmp(f->sql, "=") == 0 &&
		    has_column(pk, npk, f->col);
		for (j = 0; ok && j < i; j++)
			ok = strcmp(q->filters[j].col, f->col) != 0;
	}
	columns_free(pk, npk);
	return ok;
}

/*
 * PUT: PostgREST's single upsert. The filters name the row by its whole
 * primary key (else 405 PGRST105); the body's first object is inserted, or
 * replaces the row with that key. The row is taken from the body only where
 * its key equals the URL's: a body naming another key writes nothing, which
 * the caller answers with 400 PGRST115 (must_write).
 */
static int
build_put(const struct pgrst_request *req, const char *schema, const struct pgrst_table *t,
    struct query *q, struct pgrst_sql *out, struct params *p, struct pgrst_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *json, *row;
	char *body, *one;
	size_t i;
	int n, rc;

	if (q->has_limit || q->has_offset)
		return fail(e, 400, "PGRST114", NULL,
		    "limit/offset querystring parameters are not allowed for PUT");
	if (q->has_conflict || q->has_columns)
		return fail(e, 400, "PGRST100", NULL, "on_conflict and columns are for POST only");
	if (!put_filters_ok(t, q))
		return fail(e, 405, "PGRST105", NULL,
		    "Filters must include all and only primary key columns with 'eq' operators");
	if ((body = body_copy(req, e)) == NULL)
		return -1;
	json = cJSON_ParseWithOpts(body, NULL, 1);
	free(body);
	row = cJSON_IsArray(json) ? cJSON_GetArrayItem(json, 0) : json;
	rc = cJSON_IsObject(row) ? object_keys(row, req->name, &q->columns, &q->ncolumns, e) :
	    fail(e, 400, "PGRST102", NULL, "Empty or invalid json");
	if (rc == 0 && q->ncolumns == 0)
		rc = fail(e, 400, "PGRST102", NULL, "PUT needs the row's columns");
	if (rc != 0 || (one = cJSON_PrintUnformatted(row)) == NULL) {
		cJSON_Delete(json);
		return -1;
	}
	cJSON_Delete(json);
	n = param_add(p, xprintf("[%s]", one));
	cJSON_free(one);
	strbuf_adds(&sb, "INSERT INTO ");
	add_qname(&sb, schema, req->name);
	strbuf_adds(&sb, " (");
	add_column_list(&sb, q->columns, q->ncolumns);
	strbuf_adds(&sb, ") SELECT ");
	add_column_list(&sb, q->columns, q->ncolumns);
	strbuf_adds(&sb, " FROM jsonb_populate_recordset(NULL::");
	add_qname(&sb, schema, req->name);
	strbuf_addf(&sb, ", $%d::jsonb)", n);
	add_where(&sb, q, p);
	strbuf_adds(&sb, " ON CONFLICT (");
	for (i = 0; i < q->nfilters; i++) {
		if (i > 0)
			strbuf_addc(&sb, ',');
		add_ident(&sb, q->filters[i].col);
	}
	strbuf_adds(&sb, ") DO UPDATE SET ");
	for (i = 0; i < q->ncolumns; i++) {
		if (i > 0)
			strbuf_adds(&sb, ", ");
		add_ident(&sb, q->columns[i].name);
		strbuf_adds(&sb, " = EXCLUDED.");
		add_ident(&sb, q->columns[i].name);
	}
	out->sql = strbuf_detach(&sb);
	if (q->representation) {
		out->sql = representation(q, out->sql, p);
		out->returns_body = 1;
	}
	out->must_write = 1;
	out->status = 201;
	/* Whether the row the filters name is there already (as the caller sees it). */
	side_statement(req, schema, q, "SELECT 1 FROM ", &out->exists_sql, &out->exists_params,
	    &out->exists_nparams);
	return 0;
}

static int
build_patch(const struct pgrst_request *req, const char *schema, struct query *q,
    struct pgrst_sql *out, struct params *p, struct pgrst_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *json;
	char *body;
	int n, rc;

	if ((body = body_copy(req, e)) == NULL)
		return -1;
	json = cJSON_ParseWithOpts(body, NULL, 1);
	if (!cJSON_IsObject(json))
		rc = fail(e, 400, "PGRST102", NULL, "PATCH takes one JSON object");
	else
		rc = object_keys(json, req->name, &q->columns, &q->ncolumns, e);
	cJSON_Delete(json);
	if (rc == 0 && q->ncolumns == 0)
		rc = fail(e, 400, "PGRST102", NULL, "PATCH needs at least one column to set");
	if (rc != 0) {
		free(body);
		return -1;
	}
	n = param_add(p, body);
	strbuf_adds(&sb, "UPDATE ");
	add_qname(&sb, schema, req->name);
	strbuf_adds(&sb, " SET (");
	add_column_list(&sb, q->columns, q->ncolumns);
	strbuf_adds(&sb, ") = (SELECT ");
	add_column_list(&sb, q->columns, q->ncolumns);
	strbuf_adds(&sb, " FROM jsonb_populate_record(NULL::");
	add_qname(&sb, schema, req->name);
	strbuf_addf(&sb, ", $%d::jsonb))", n);
	add_where(&sb, q, p);
	out->sql = strbuf_detach(&sb);
	return 0;
}

static int
build_delete(const struct pgrst_request *req, const char *schema, struct query *q,
    struct pgrst_sql *out, struct params *p)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "DELETE FROM ");
	add_qname(&sb, schema, req->name);
	add_where(&sb, q, p);
	out->sql = strbuf_detach(&sb);
	return 0;
}

static const struct pgrst_table *
find_table(const struct pgrst_request *req)
{
	size_t i;

	for (i = 0; i < req->ntables; i++) {
		if (req->tables[i].name != NULL && strcmp(req->tables[i].name, req->name) == 0)
			return &req->tables[i];
	}
	return NULL;
}

/*
 * Finds the relationship of each embedding of table (pgrst-rel.c); a spread
 * must be to-one and take plain columns.
 */
static int
resolve_embeds(const struct pgrst_request *req, struct query *q, const char *table,
    struct column *c, size_t n, int level, struct pgrst_error *e)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (!c[i].embed)
			continue;
		if (pgrst_link_find(req, q->schema, table, c[i].name, c[i].hint, &c[i].link, e) != 0)
			return -1;
		if (c[i].spread && c[i].link.card != PGRST_M2O) {
			fail(e, 400, "PGRST119", NULL, "A spread operation on '%s' is not possible",
			    c[i].name);
			snprintf(e->details, sizeof e->details, "'%s' and '%s' do not form a"
			    " many-to-one or one-to-one relationship", table, c[i].name);
			return -1;
		}
		for (k = 0; c[i].spread && k < c[i].nkids; k++) {
			if (c[i].kids[k].embed || c[i].kids[k].name == NULL)
				return fail(e, 400, "PGRST100", NULL, "a spread embedding ('%s') takes"
				    " named columns only, not * or embeddings", c[i].name);
		}
		if (level == 0)
			q->has_embed = 1;
		if (resolve_embeds(req, q, c[i].name, c[i].kids, c[i].nkids, level + 1, e) != 0)
			return -1;
	}
	return 0;
}

/* The embedding among c called name (its table's name or its alias), or NULL. */
static struct column *
find_embed(struct column *c, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i].embed && (strcmp(c[i].name, name) == 0 ||
		    (c[i].alias != NULL && strcmp(c[i].alias, name) == 0)))
			return &c[i];
	}
	return NULL;
}

/*
 * One parameter on an embedding, path.to.embedding.<field>=value: the
 * field is a column filter, order, limit, offset, or, and, not.or or
 * not.and, and applies to the embedded rows only. An embedding the select=
 * does not have is PostgREST's PGRST108.
 */
static int
apply_pending(struct query *q, const struct pending *pd, struct pgrst_error *e)
{
	char *copy = xstrdup(pd->key), *seg[PGRST_EMBED_DEPTH + 3], *dot, *field;
	struct column *c = q->select, *node = NULL;
	size_t nseg = 0, npath, i, n = q->nselect;
	int rc;

	for (seg[nseg++] = copy; (dot = strchr(seg[nseg - 1], '.')) != NULL; ) {
		*dot = '\0';
		if (nseg == sizeof seg / sizeof seg[0]) {
			free(copy);
			return fail_parse(e, "embedded parameter", pd->key, pd->value,
			    "the path goes deeper than the embeddings may");
		}
		seg[nseg++] = dot + 1;
	}
	field = seg[nseg - 1];
	npath = nseg - 1;
	/* sessions.not.or=(...): "not" belongs to the field. */
	if (nseg >= 3 && strcmp(seg[nseg - 2], "not") == 0 &&
	    (strcmp(field, "or") == 0 || strcmp(field, "and") == 0)) {
		seg[nseg - 2][3] = '.';
		field = seg[nseg - 2];
		npath--;
	}
	for (i = 0; i < npath; i++) {
		if (!pgrst_ident_valid(seg[i])) {
			free(copy);
			return fail_parse(e, "embedded parameter", pd->key, pd->value,
			    "an embedding's name is not an identifier");
		}
		if ((node = find_embed(c, n, seg[i])) == NULL) {
			fail(e, 400, "PGRST108", NULL,
			    "'%s' is not an embedded resource in this request", seg[i]);
			snprintf(e->hint, sizeof e->hint, "Verify that '%s' is included in the"
			    " 'select' query parameter.", seg[i]);
			free(copy);
			return -1;
		}
		c = node->kids;
		n = node->nkids;
	}
	if (strcmp(field, "select") == 0 || strcmp(field, "columns") == 0 ||
	    strcmp(field, "on_conflict") == 0) {
		free(copy);
		return fail_parse(e, "embedded parameter", pd->key, pd->value,
		    "select, columns and on_conflict apply to the whole request");
	}
	if (node->sub == NULL) {
		node->sub = xcalloc(1, sizeof *node->sub);
		node->sub->schema = q->schema;
	}
	rc = parse_param(node->sub, field, pd->value, e);
	free(copy);
	return rc;
}

/*
 * name=not.is.null and name=is.null on an embedding called name: PostgREST's
 * null filters on embeddings, rows with (as !inner) or without a related
 * row. Taken out of q's filters; any other operator there is PGRST120.
 */
static int
embed_null_filters(struct query *q, struct column *c, size_t n, struct pgrst_error *e)
{
	struct column *node;
	struct filter *f;
	size_t i, kept = 0;
	int rc = 0;

	for (i = 0; q != NULL && i < q->nfilters; i++) {
		f = &q->filters[i];
		if (rc != 0 || f->kind == F_TREE || (node = find_embed(c, n, f->col)) == NULL) {
			q->filters[kept++] = *f;
			continue;
		}
		if (f->kind != F_IS || strcmp(f->sql, "NULL") != 0) {
			rc = fail(e, 400, "PGRST120", "Only is null or not is null filters are allowed"
			    " on embedded resources", "Bad operator on the '%s' embedded resource",
			    f->col);
			q->filters[kept++] = *f;
			continue;
		}
		if (f->negate)
			node->inner = 1;
		else
			node->anti = 1;
		filter_free(f);
	}
	if (q != NULL)
		q->nfilters = kept;
	for (i = 0; rc == 0 && i < n; i++) {
		if (c[i].embed)
			rc = embed_null_filters(c[i].sub, c[i].kids, c[i].nkids, e);
	}
	return rc;
}

/* Whether an embedding at any depth filters the rows it is embedded in. */
static int
any_inner(const struct column *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i].embed && (c[i].inner || c[i].anti || any_inner(c[i].kids, c[i].nkids)))
			return 1;
	}
	return 0;
}

/* The embeddings, then what the query string says about them. */
static int
resolve_query(const struct pgrst_request *req, struct query *q, struct pgrst_error *e)
{
	size_t i;

	if (resolve_embeds(req, q, req->name, q->select, q->nselect, 0, e) != 0)
		return -1;
	for (i = 0; i < q->npending; i++) {
		if (apply_pending(q, &q->pending[i], e) != 0)
			return -1;
	}
	if (embed_null_filters(q, q->select, q->nselect, e) != 0)
		return -1;
	q->has_inner = any_inner(q->select, q->nselect);
	return 0;
}

static int
build_table(const struct pgrst_request *req, const char *schema, struct pgrst_sql *out,
    struct params *p, struct pgrst_error *e)
{
	const struct pgrst_table *t = find_table(req);
	struct query q;
	char name[80];
	int rc, get, post, patch, del, put;

	if (t == NULL || !pgrst_ident_valid(req->name))
		return fail(e, 404, "PGRST205", NULL,
		    "Could not find the table '%s.%s' in the schema cache", schema,
		    clean(name, sizeof name, req->name, strlen(req->name)));
	get = strcmp(req->method, "GET") == 0;
	post = strcmp(req->method, "POST") == 0;
	patch = strcmp(req->method, "PATCH") == 0;
	del = strcmp(req->method, "DELETE") == 0;
	put = strcmp(req->method, "PUT") == 0;
	if (!get && !post && !patch && !del && !put)
		return fail(e, 405, "PGRST117", NULL, "Unsupported HTTP method: %s",
		    clean(name, sizeof name, req->method, strlen(req->method)));

	memset(&q, 0, sizeof q);
	q.accept = req->accept;
	if (parse_query(&q, req->query, e) != 0) {
		query_free(&q);
		return -1;
	}
	parse_prefer(&q, req->prefer);
	q.schema = schema;
	if (resolve_query(req, &q, e) != 0)
		rc = -1;
	else if (q.has_inner && !get)
		rc = fail(e, 400, "PGRST100", NULL,
		    "!inner and null filters on embeddings are supported on GET only");
	else if ((patch || del) && q.nfilters == 0)
		rc = fail(e, 400, "21000", "Add a filter such as id=eq.<value>.",
		    "%s requires a WHERE clause", patch ? "UPDATE" : "DELETE");
	else if ((patch || del) && (q.has_limit || q.has_offset || q.has_conflict || q.has_columns))
		rc = fail(e, 400, "PGRST100", NULL,
		    "limit, offset, on_conflict and columns are not supported on %s", req->method);
	else if (get)
		rc = build_get(req, schema, &q, out, p, e);
	else if (post)
		rc = build_post(req, schema, t, &q, out, p, e);
	else if (put)
		rc = build_put(req, schema, t, &q, out, p, e);
	else if (patch)
		rc = build_patch(req, schema, &q, out, p, e);
	else
		rc = build_delete(req, schema, &q, out, p);
	if (rc == 0 && (patch || del)) {
		if (q.representation) {
			out->sql = representation(&q, out->sql, p);
			out->returns_body = 1;
		}
		out->status = q.representation ? 200 : 204;
	}
	query_free(&q);
	return rc;
}

/* A type from the caller's list, spliced after ::, so checked all the same. */
static int
type_valid(const char *t)
{
	size_t i;

	if (t == NULL || !ident_char((unsigned char)t[0], 1) || strlen(t) > 128)
		return 0;
	for (i = 0; t[i] != '\0'; i++) {
		if (!ident_char((unsigned char)t[i], 0) && strchr(" .,()[]", t[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * One named argument from the body parameter: jsonb and json as they are,
 * arrays element by element, anything else through its text form, which
 * every type's input function reads.
 */
static void
add_arg(struct strbuf *sb, const struct pgrst_arg *a, int n, int from_text)
{
	size_t tl = strlen(a->type);

	add_ident(sb, a->name);
	strbuf_adds(sb, " => ");
	if (from_text)	/* GET: every value is text, read by the type's input function */
		strbuf_addf(sb, "($%d::jsonb->>'%s')::%s", n, a->name, a->type);
	else if (strcmp(a->type, "jsonb") == 0)
		strbuf_addf(sb, "($%d::jsonb->'%s')", n, a->name);
	else if (strcmp(a->type, "json") == 0)
		strbuf_addf(sb, "($%d::jsonb->'%s')::json", n, a->name);
	else if (tl > 2 && strcmp(a->type + tl - 2, "[]") == 0)
		strbuf_addf(sb, "ARRAY(SELECT jsonb_array_elements_text($%d::jsonb->'%s'))::%s",
		    n, a->name, a->type);
	else
		strbuf_addf(sb, "($%d::jsonb->>'%s')::%s", n, a->name, a->type);
}

/* Whether the argument named name is among the body's keys. */
static int
has_key(char **keys, size_t nkeys, const char *name)
{
	size_t i;

	for (i = 0; i < nkeys; i++) {
		if (strcmp(keys[i], name) == 0)
			return 1;
	}
	return 0;
}

/*
 * GET /rpc/<fn>?a=1&b=x: the arguments as a JSON object of strings, so the
 * POST path reads them. NULL with e filled for a repeated name or a NUL.
 */
static char *
query_args(const char *qs, struct pgrst_error *e)
{
	cJSON *obj = cJSON_CreateObject();
	const char *seg, *amp, *eq;
	char *key, *value, *out = NULL, k[80];
	size_t len, count = 0;

	for (seg = qs != NULL ? qs : ""; *seg != '\0'; seg = amp + 1) {
		amp = strchr(seg, '&');
		len = amp != NULL ? (size_t)(amp - seg) : strlen(seg);
		if (len > 0) {
			eq = memchr(seg, '=', len);
			key = percent_decode(seg, eq != NULL ? (size_t)(eq - seg) : len);
			value = eq != NULL ?
			    percent_decode(eq + 1, len - (size_t)(eq + 1 - seg)) : xstrdup("");
			if (++count > PGRST_MAX_PARAMS)
				fail(e, 400, "PGRST100", NULL, "too many query parameters (at most %d)",
				    PGRST_MAX_PARAMS);
			else if (key == NULL || value == NULL)
				fail(e, 400, "PGRST100", NULL,
				    "failed to parse query string: it decodes to a NUL byte");
			else if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
				fail(e, 400, "PGRST100", NULL, "the argument %s appears twice",
				    clean(k, sizeof k, key, strlen(key)));
			else
				cJSON_AddStringToObject(obj, key, value);
			free(key);
			free(value);
			if (e->status != 0)
				goto out;
		}
		if (amp == NULL)
			break;
	}
	out = cJSON_PrintUnformatted(obj);
out:
	cJSON_Delete(obj);
	return out;
}

static int
build_rpc(const struct pgrst_request *req, const char *schema, struct pgrst_sql *out,
    struct params *p, struct pgrst_error *e)
{
	const struct pgrst_function *fn = NULL;
	struct strbuf sb = STRBUF_INIT;
	char name[80], *body, **keys;
	size_t i, k, nkeys;
	int n, first = 1, get;

	for (i = 0; i < req->nfunctions; i++) {
		if (req->functions[i].name != NULL && strcmp(req->functions[i].name, req->name) == 0)
			fn = &req->functions[i];
	}
	if (fn == NULL || !pgrst_ident_valid(req->name))
		return fail(e, 404, "PGRST202", NULL,
		    "Could not find the function %s.%s in the schema cache", schema,
		    clean(name, sizeof name, req->name, strlen(req->name)));
	for (i = 0; i < fn->nargs; i++) {
		if (!pgrst_ident_valid(fn->args[i].name) || !type_valid(fn->args[i].type))
			return fail(e, 500, "PGRSTX00", NULL,
			    "bad argument list configured for function %s", fn->name);
	}
	get = strcmp(req->method, "GET") == 0;
	if (!get && strcmp(req->method, "POST") != 0)
		return fail(e, 405, "PGRST101", NULL, "Only GET and POST are supported for functions");
	if (!get && req->query != NULL && req->query[0] != '\0')
		return fail(e, 400, "PGRST100", NULL,
		    "query parameters are not supported on functions called with POST");

	if (get) {
		if ((body = query_args(req->query, e)) == NULL)
			return -1;
	} else if (req->body == NULL || req->body_len == 0)
		body = xstrdup("{}");
	else if ((body = body_copy(req, e)) == NULL)
		return -1;
	/* Only the argument names are needed here: the body (a push may be
	 * megabytes) is checked and its keys read, never built as a tree. */
	if (json_keys_of_object(body, strlen(body), &keys, &nkeys) != 0) {
		free(body);
		return fail(e, 400, "PGRST102", NULL, "a function takes a JSON object of arguments");
	}
	/* Arguments it does not take: PostgREST finds no such function. */
	for (k = 0; k < nkeys; k++) {
		for (i = 0; i < fn->nargs; i++) {
			if (strcmp(fn->args[i].name, keys[k]) == 0)
				break;
		}
		if (i == fn->nargs) {
			fail(e, 404, "PGRST202", NULL,
			    "Could not find the function %s.%s(%s) in the schema cache", schema,
			    fn->name, clean(name, sizeof name, keys[k], strlen(keys[k])));
			json_keys_free(keys, nkeys);
			free(body);
			return -1;
		}
	}
	/* Bound only when an argument reads it: PostgreSQL refuses a spare parameter. */
	n = nkeys > 0 ? param_add(p, body) : 0;
	if (n == 0)
		free(body);
	strbuf_adds(&sb, fn->returns_set ?
	    "SELECT coalesce(json_agg(pgrst_r.*), '[]')::text AS body, count(*) AS n FROM " :
	    "SELECT coalesce(to_json(pgrst_r.*)::text, 'null') AS body FROM ");
	add_qname(&sb, schema, fn->name);
	strbuf_addc(&sb, '(');
	/* Only the arguments given, so the others take their defaults. */
	for (i = 0; i < fn->nargs; i++) {
		if (!has_key(keys, nkeys, fn->args[i].name))
			continue;
		if (!first)
			strbuf_adds(&sb, ", ");
		first = 0;
		add_arg(&sb, &fn->args[i], n, get);
	}
	strbuf_adds(&sb, ") pgrst_r");
	json_keys_free(keys, nkeys);
	out->sql = strbuf_detach(&sb);
	out->status = 200;
	out->returns_body = 1;
	return 0;
}

int
pgrst_build(const struct pgrst_request *req, struct pgrst_sql *out, struct pgrst_error *e)
{
	const char *schema = req->schema != NULL ? req->schema : "public";
	struct params p = { NULL, 0, 0 };
	int rc;

	memset(out, 0, sizeof *out);
	memset(e, 0, sizeof *e);
	if (!pgrst_ident_valid(schema))
		return fail(e, 500, "PGRSTX00", NULL, "bad schema configured");
	if (req->name == NULL || req->method == NULL)
		return fail(e, 404, "PGRST205", NULL, "Could not find the table in the schema cache");
	if (req->rpc)
		rc = build_rpc(req, schema, out, &p, e);
	else
		rc = build_table(req, schema, out, &p, e);
	if (rc != 0) {
		params_free(&p);
		free(out->sql);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->params = p.v;
	out->nparams = p.n;
	return 0;
}

void
pgrst_sql_free(struct pgrst_sql *s)
{
	int i;

	free(s->sql);
	for (i = 0; i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	free(s->count_sql);
	for (i = 0; i < s->count_nparams; i++)
		free(s->count_params[i]);
	free(s->count_params);
	free(s->exists_sql);
	for (i = 0; i < s->exists_nparams; i++)
		free(s->exists_params[i]);
	free(s->exists_params);
	memset(s, 0, sizeof *s);
}
