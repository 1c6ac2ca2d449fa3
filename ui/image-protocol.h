/*
 * How the browser draws a screenshot (visuals.protocol): in the terminal's
 * own pixels through the kitty graphics protocol or sixel, in Unicode blocks
 * (symbols: any UTF-8 terminal), or not at all (none: the file is only
 * named, i opens it). auto decides from the environment, as chafa's terminal
 * database does (TERM, TERM_PROGRAM, VTE_VERSION...), and knows a few
 * terminals it does not: kitty itself (KITTY_WINDOW_ID), ghostty; inside
 * tmux or screen, which pass neither protocol on without their own setup, it
 * takes symbols.
 */
#ifndef AL_UI_IMAGE_PROTOCOL_H
#define AL_UI_IMAGE_PROTOCOL_H

enum image_protocol {
	IMAGE_PROTOCOL_NONE,
	IMAGE_PROTOCOL_SYMBOLS,
	IMAGE_PROTOCOL_KITTY,
	IMAGE_PROTOCOL_SIXEL,
};

/*
 * The protocol for setting (auto, kitty, sixel, symbols or none; anything
 * else counts as auto) in the environment envp (NULL-terminated NAME=VALUE
 * strings, like environ). Without libchafa, kitty and sixel cannot be
 * written: symbols (which then draws nothing) instead.
 */
enum image_protocol image_protocol_choose(const char *setting, char *const *envp);

/* "none", "symbols", "kitty", "sixel". */
const char *image_protocol_name(enum image_protocol p);

#endif
