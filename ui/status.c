#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ui/status.h"
#include "util/text.h"

void
status_since(time_t then, time_t now, char *out, size_t size)
{
	long long d = (long long)now - (long long)then;

	if (then == 0)
		snprintf(out, size, "never");
	else if (d < 5)
		snprintf(out, size, "just now");
	else if (d < 60)
		snprintf(out, size, "%llds ago", d);
	else if (d < 3600)
		snprintf(out, size, "%lldm ago", d / 60);
	else if (d < 86400)
		snprintf(out, size, "%lldh ago", d / 3600);
	else
		snprintf(out, size, "%lldd ago", d / 86400);
}

static enum color_role
state_role(enum sync_state s)
{
	switch (s) {
	case SYNC_LIVE:
		return ROLE_STATUS_LIVE;
	case SYNC_SYNCING:
	case SYNC_POLLING:	/* working, but no realtime: amber like a sync under way */
		return ROLE_STATUS_SYNCING;
	case SYNC_OFFLINE:
		return ROLE_STATUS_OFFLINE;
	case SYNC_LOCAL:
		break;
	}
	return ROLE_STATUS_LOCAL;
}

void
status_bar(struct rline *l, const struct sync_status *s, time_t now, const char *position,
    const char *note, int cols)
{
	char buf[64], ago[32];
	int right = position != NULL ? (int)text_width(position) + 2 : 0;

	rline_reset(l);
	l->fill = ROLE_STATUS;
	/* A daemon's figures say so: it syncs, not this browser (ui/daemon-peer.h). */
	rline_addf(l, state_role(s->state), " %s%s ", s->daemon > 0 ? "daemon " : "",
	    sync_state_name(s->state));
	if (note != NULL) {
		rline_raw(l, ROLE_STATUS, " ");
		rline_add(l, ROLE_STATUS_SYNCING, note, -(cols - right - l->width));
	} else if (s->state == SYNC_LOCAL && s->user[0] == '\0') {
		rline_raw(l, ROLE_STATUS, " ");
		rline_add(l, ROLE_STATUS, "this machine only", -(cols - right - l->width));
	} else {
		snprintf(buf, sizeof buf, " \xe2\x86\x91%lld", s->pending);	/* ↑ */
		rline_raw(l, ROLE_STATUS, buf);
		/* Held conflicts need a decision; settled ones only a look, quieter. */
		snprintf(buf, sizeof buf, " !%lld", s->held);
		rline_raw(l, s->held > 0 ? ROLE_STATUS_ERROR : ROLE_STATUS, buf);
		if (s->settled > 0) {
			snprintf(buf, sizeof buf, " ~%lld", s->settled);
			rline_raw(l, ROLE_STATUS_REVIEW, buf);
		}
		status_since(s->last_sync, now, ago, sizeof ago);
		snprintf(buf, sizeof buf, "  synced %s", ago);
		if (l->width + (int)text_width(buf) <= cols - right)
			rline_raw(l, ROLE_STATUS, buf);
	}
	if (s->last_error[0] != '\0' && cols - right - l->width > 12) {
		rline_raw(l, ROLE_STATUS, "  ");
		rline_add(l, ROLE_STATUS_ERROR, s->last_error, -(cols - right - l->width));
	}
	if (position != NULL)
		rline_right(l, ROLE_STATUS, position, cols - 1);
	rline_pad(l, ROLE_STATUS, cols);
}

void
header_bar(struct rline *l, const char *user, const char *machine, const char *filter,
    const char *views, int cols)
{
	char *sep = " \xc2\xb7 ";	/* · */

	rline_reset(l);
	l->fill = ROLE_HEADER;
	rline_raw(l, ROLE_HEADER, " ");
	rline_add(l, ROLE_HEADER, user != NULL && *user != '\0' ? user : "local only",
	    -(cols - l->width));
	if (machine != NULL && *machine != '\0' && cols - l->width > 8) {
		rline_raw(l, ROLE_HEADER, sep);
		rline_add(l, ROLE_HEADER, machine, -(cols - l->width));
	}
	if (cols - l->width > 8) {
		rline_raw(l, ROLE_HEADER, sep);
		rline_add(l, ROLE_HEADER, filter != NULL ? filter : "all projects",
		    -(cols - l->width));
	}
	if (views != NULL && cols - l->width > 8) {
		rline_raw(l, ROLE_HEADER, sep);
		rline_add(l, ROLE_HEADER, views, -(cols - l->width));
	}
	rline_pad(l, ROLE_HEADER, cols);
}
