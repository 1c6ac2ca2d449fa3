/*
 * The visuals table as the sync and the browser see it: which screenshots
 * still have to go up to the cloud's storage, where one went, and which a
 * turn holds. (The table visuals_missing, of the pulls that downloaded every
 * screenshot, is no longer written.)
 */
#ifndef AL_STORE_VISUAL_ROWS_H
#define AL_STORE_VISUAL_ROWS_H

struct store;

/* One visual; nonzero stops the walk and is returned. */
typedef int (*visual_cb)(const char *id, const char *sha256, const char *path, void *arg);

/*
 * The live pending visuals with a local file and no cloud copy yet: cb gets
 * their id, sha256 and path (relative to the home).
 */
int visuals_to_upload(struct store *st, visual_cb cb, void *arg, char *err);

/* Records where a visual's bytes went in the cloud (a new local version). */
int visuals_set_cloud_path(struct store *st, const char *id, const char *cloud_path,
    char *err);

/*
 * The live visuals of one turn, by time pasted then id (a turn's are pasted
 * at once, so their order is stable but not the paste order): cb gets their
 * id, sha256 and a path whose extension names the type (the cloud's, else
 * the local one).
 */
int visuals_of_turn(struct store *st, const char *turn_id, visual_cb cb, void *arg, char *err);

#endif
