/*
 * What a push would redact, marked in a pane's wrapped lines: the browser
 * shows in ROLE_REDACTED what would go up as [REDACTED:KIND].
 */
#ifndef AL_UI_REDACT_MARKS_H
#define AL_UI_REDACT_MARKS_H

#include "privacy/redact.h"
#include "ui/draw.h"

/*
 * Marks in tb (lines wrapped to cols) what r finds, on the text as it was
 * before the wrap: each run of lines the wrap cut inside a word is scanned
 * as one text, after each line's indent (spaces, thinking's "│"), so a key
 * over any number of lines is marked on all of them. spans is scratch
 * space. Nothing when r is NULL.
 */
void redact_marks(const struct redactor *r, struct redact_spans *spans, struct textbuf *tb,
    int cols);

#endif
