/*
 * The screenshots of a turn in the conversation: one line each,
 * "▣ image 1 (PNG 1280x720, 84 KB)" when the file is here, "(PNG, in the
 * cloud)" when it is not yet; i opens the one under the cursor with
 * $AGENTLOGS_OPEN or xdg-open, fetching it first (sync/visual-cache.h).
 */
#ifndef AL_UI_TURN_IMAGES_H
#define AL_UI_TURN_IMAGES_H

struct textbuf;
struct tui;

/* Image lines carry tag TURN_IMAGE_TAG(k), k from 0; tool calls use tags >= 0. */
#define TURN_IMAGE_TAG(k) (-2 - (k))
#define TURN_IMAGE_OF_TAG(tag) (-2 - (tag))

/* Adds a line for each screenshot of turn turn_id to tb. */
void turn_images_render(struct tui *t, struct textbuf *tb, const char *turn_id, int cols);

/* Opens the screenshot of the line tagged tag in turn turn_id (a message when none). */
void turn_images_open(struct tui *t, const char *turn_id, int tag);

#endif
