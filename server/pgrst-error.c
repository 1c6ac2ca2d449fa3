#include "config.h"

#include <ctype.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "pgrst-error.h"
#include "util/log.h"

/*
 * PostgREST's table (docs/references/errors.rst), first match wins: whole
 * codes before the classes they belong to. What no row names is 400.
 */
static const struct {
	const char *prefix;
	int status;
} sqlstate_status[] = {
	{ "23503", 409 },	/* foreign_key_violation */
	{ "23505", 409 },	/* unique_violation */
	{ "25006", 405 },	/* read_only_sql_transaction */
	{ "53400", 500 },	/* configuration_limit_exceeded */
	{ "P0001", 400 },	/* raise_exception */
	{ "42883", 404 },	/* undefined_function */
	{ "42P01", 404 },	/* undefined_table */
	{ "42P17", 500 },	/* invalid_object_definition: infinite recursion in a policy */
	{ "08", 503 }, { "09", 500 }, { "0L", 403 }, { "0P", 403 }, { "25", 500 },
	{ "28", 403 }, { "2D", 500 }, { "38", 500 }, { "39", 500 }, { "3B", 500 },
	{ "40", 500 }, { "53", 503 }, { "54", 500 }, { "55", 500 }, { "57", 500 },
	{ "58", 500 }, { "F0", 500 }, { "HV", 500 }, { "P0", 500 }, { "XX", 500 },
};

int
pgrst_sqlstate_status(const char *sqlstate, int authenticated)
{
	size_t i;
	int n;

	if (sqlstate == NULL || strlen(sqlstate) != 5)
		return 500;
	if (strcmp(sqlstate, "42501") == 0)
		return authenticated ? 403 : 401;
	/* RAISE SQLSTATE 'PT402' chooses the status itself. */
	if (sqlstate[0] == 'P' && sqlstate[1] == 'T' && isdigit((unsigned char)sqlstate[2]) &&
	    isdigit((unsigned char)sqlstate[3]) && isdigit((unsigned char)sqlstate[4])) {
		n = (sqlstate[2] - '0') * 100 + (sqlstate[3] - '0') * 10 + (sqlstate[4] - '0');
		if (n >= 100 && n <= 599)
			return n;
	}
	for (i = 0; i < sizeof sqlstate_status / sizeof sqlstate_status[0]; i++) {
		if (strncmp(sqlstate, sqlstate_status[i].prefix,
		    strlen(sqlstate_status[i].prefix)) == 0)
			return sqlstate_status[i].status;
	}
	return 400;
}

static void
add_nullable(cJSON *o, const char *name, const char *value)
{
	if (value != NULL)
		cJSON_AddStringToObject(o, name, value);
	else
		cJSON_AddNullToObject(o, name);
}

char *
pgrst_error_body(const char *code, const char *message, const char *details,
    const char *hint)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	/* PostgREST's key order, which clients' snapshot tests see. */
	add_nullable(o, "code", code);
	add_nullable(o, "details", details);
	add_nullable(o, "hint", hint);
	add_nullable(o, "message", message);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatalx("out of memory");
	return s;
}

char *
pgrst_error_json(const struct pgrst_error *e)
{
	cJSON *o;
	char *s;

	if (e->details_json[0] == '\0')
		return pgrst_error_body(e->code, e->message,
		    e->details[0] != '\0' ? e->details : NULL, e->hint[0] != '\0' ? e->hint : NULL);
	o = cJSON_CreateObject();
	add_nullable(o, "code", e->code);
	cJSON_AddRawToObject(o, "details", e->details_json);
	add_nullable(o, "hint", e->hint[0] != '\0' ? e->hint : NULL);
	add_nullable(o, "message", e->message);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatalx("out of memory");
	return s;
}
