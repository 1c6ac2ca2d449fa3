/*
 * Opt-in analytics over time: the person's choice kept in step between this
 * machine's config and their cloud profile, and the daily upload.
 *
 * The rule (README, agentlogs(1)): a choice made here (analytics --opt-in,
 * --opt-out, or config set analytics.opt-in) goes to the profile at once when
 * logged in, else at the next sync, before anything else. Right before each
 * upload an opted-in machine reads the profile; if the person opted out
 * anywhere, it sets analytics.opt-in = false and sends nothing. So opting out
 * on one machine stops every machine's uploads (and deletes what was
 * uploaded). Opting in is given on each machine that should share: an
 * opted-out machine never starts sending on its own, and makes no request
 * for analytics at all.
 *
 * What is kept in the store (sync_state): analytics_last_upload (Unix
 * seconds) and analytics_choice ("true" / "false": a choice not yet in the
 * profile).
 */
#ifndef AL_PRIVACY_ANALYTICS_DAILY_H
#define AL_PRIVACY_ANALYTICS_DAILY_H

struct store;
struct cloud;

/* An upload happens at most once per this many seconds. */
#define ANALYTICS_PERIOD (24 * 60 * 60)

/* What analytics_daily did. */
enum analytics_done {
	ANALYTICS_OFF,		/* opted out: nothing sent */
	ANALYTICS_NOT_DUE,	/* opted in, the last upload is less than a day old */
	ANALYTICS_SENT
};

/*
 * Records opt_in in home's config and as a choice for the profile; then, when
 * logged in, writes the profile. Returns 0 written to the profile, 1 kept for
 * the next sync (logged out, or the cloud unreachable: *why filled), -1 error.
 */
int analytics_choose(const char *home, struct store *st, int opt_in, char *why);

/* After a sync (logged in as user_id): the choice, the profile, then the upload when due. */
int analytics_daily(const char *home, struct store *st, struct cloud *c, const char *user_id,
    enum analytics_done *done, char *err);

/* The upload's JSON, with fresh noise: what analytics_daily would send now. */
char *analytics_upload_body(struct store *st, char *err);

#endif
