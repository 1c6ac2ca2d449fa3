/*
 * PostgREST's error answers: the JSON body {"code","details","hint","message"}
 * and the HTTP status it gives each PostgreSQL SQLSTATE.
 */
#ifndef AL_SERVER_PGRST_ERROR_H
#define AL_SERVER_PGRST_ERROR_H

#define PGRST_TEXT_MAX 512
#define PGRST_JSON_MAX 2048

struct pgrst_error {
	int status;			/* HTTP */
	char code[16];			/* "PGRST100", "21000", ... */
	char message[PGRST_TEXT_MAX];
	char details[PGRST_TEXT_MAX];	/* "" answers null */
	char hint[PGRST_TEXT_MAX];	/* "" answers null */
	/* details as JSON (PGRST201's array of candidates), in place of details */
	char details_json[PGRST_JSON_MAX];
};

/* The JSON body; a NULL argument answers null. */
char *pgrst_error_body(const char *code, const char *message, const char *details,
    const char *hint);
char *pgrst_error_json(const struct pgrst_error *e);

/*
 * The HTTP status PostgREST answers for a SQLSTATE. authenticated says the
 * request carried a user's token: insufficient_privilege is then 403, else 401.
 */
int pgrst_sqlstate_status(const char *sqlstate, int authenticated);

#endif
