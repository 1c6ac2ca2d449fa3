/*
 * The analytics requests to the cloud: the person's choice in their profile
 * (user_profiles.analytics_opt_in), the day's upload (analytics_uploads) and
 * its removal on opting out. user_id is a UUID from the login: safe in a URL.
 */
#ifndef AL_PRIVACY_ANALYTICS_CLOUD_H
#define AL_PRIVACY_ANALYTICS_CLOUD_H

struct cloud;

/* *opt_in = the profile's choice (0 when the profile has no row). */
int analytics_profile_read(struct cloud *c, const char *user_id, int *opt_in, char *err);
/* Records the choice in the profile; opting out also deletes the person's uploads. */
int analytics_profile_write(struct cloud *c, const char *user_id, int opt_in, char *err);
/* Upserts today's row (one per person per day) with body, the upload's JSON. */
int analytics_upload_send(struct cloud *c, const char *body, char *err);

#endif
