/*
 * Screenshots ("visuals") travel apart from their rows: the bytes go to the
 * cloud's storage bucket `visuals` under <user_id>/<sha256>.<ext> before the
 * row that names them is pushed, and come down one by one when someone looks
 * at them (sync/visual-cache.h), checked against their sha256.
 */
#ifndef AL_SYNC_VISUALS_H
#define AL_SYNC_VISUALS_H

struct sync_ctx;

/* Uploads the files of pending visuals not yet in the cloud; sets their cloud_path. */
int visuals_upload(struct sync_ctx *sc, long *uploaded, char *err);

/*
 * Downloads the screenshot sha256 stored at cloud_path into
 * AGENTLOGS_HOME/dir/<sha256>.<ext> (dir relative to the home); *file is
 * its path (the caller frees it).
 */
int visuals_download_one(struct sync_ctx *sc, const char *sha256, const char *cloud_path,
    const char *dir, char **file, char *err);

#endif
