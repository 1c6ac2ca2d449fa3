/*
 * Getting a commit out of the browser: its id, git hash or first prompt to
 * the clipboard through OSC 52 (the terminal's clipboard, which works over
 * ssh and through tmux), and the commit as Markdown (export/export.h) in
 * $PAGER or $EDITOR, piped to a shell command, or exported to a file.
 * Commands run on the terminal with curses suspended; the Markdown given to
 * them is a temporary copy, removed when they return.
 */
#ifndef AL_UI_HANDOFF_H
#define AL_UI_HANDOFF_H

#include "ui/actions.h"

struct tui;

/* Whether a is a hand-off action (ACT_COPY_ID ... ACT_EXPORT). */
int handoff_action(enum action a);
/* Does a for the commit the views name (ui/view.h's commit_id), with a message. */
void handoff_run(struct tui *t, enum action a);

#endif
