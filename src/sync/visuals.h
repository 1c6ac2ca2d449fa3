/*
 * Screenshots ("visuals") travel apart from their rows: the bytes go to the
 * cloud's storage bucket `visuals` under <user_id>/<sha256>.<ext> before the
 * row that names them is pushed, and come down into AGENTLOGS_HOME/visual-cache
 * after a pull, checked against their sha256.
 */
#ifndef AL_SYNC_VISUALS_H
#define AL_SYNC_VISUALS_H

struct sync_ctx;

/* Uploads the files of pending visuals not yet in the cloud; sets their cloud_path. */
int visuals_upload(struct sync_ctx *sc, long *uploaded, char *err);

/* Downloads the files of synced visuals missing here. */
int visuals_download(struct sync_ctx *sc, long *downloaded, char *err);

#endif
