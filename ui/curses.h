/*
 * The one place curses comes from (htop's ProvideCurses.h): the wide-character
 * ncursesw, so UTF-8 text and double-width characters are drawn as such.
 */
#ifndef AL_UI_CURSES_H
#define AL_UI_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#endif
