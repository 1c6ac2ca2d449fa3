/*
 * The master key as words (issue 15: "shown once as words or base64"), for
 * writing down or reading out: 26 words of 4 letters, each carrying 11 bits,
 * 286 bits in all: the key's 256, then 30 bits of its SHA-256 as a checksum,
 * so a mistyped or swapped word is caught (but for a chance of 1 in 2^30)
 * instead of importing a wrong key.
 *
 * The 2048 words are not a stored list but made by a rule: consonant, vowel,
 * consonant, vowel ("bako", "zite"), the first consonant one of 16, the
 * second one of 8, the vowels one of 4 each (16 x 4 x 8 x 4 = 2048). Every
 * word is pronounceable, the same length, and decodes without a table.
 */
#ifndef AL_PRIVACY_E2E_WORDS_H
#define AL_PRIVACY_E2E_WORDS_H

#include "privacy/e2e.h"

#define E2E_WORDS 26
#define E2E_WORD_COUNT 2048

/* Word number i (0..2047) into out (4 letters and a NUL). */
void e2e_word(unsigned i, char out[5]);

/* The number of a word, or -1 when it is not one. */
int e2e_word_number(const char *word, size_t len);

/* The key's 32 bytes as 26 words separated by spaces, newly allocated. */
char *e2e_words_encode(const unsigned char key[E2E_KEY_BYTES]);

/*
 * Words (the first line of text) back into the key's bytes: 0, or -1 with
 * err naming the first word that is not one, a wrong count, or a checksum
 * that does not match. Spaces, tabs and hyphens separate words; letters may
 * be upper case.
 */
int e2e_words_decode(const char *text, unsigned char key[E2E_KEY_BYTES], char *err);

/* Whether text's first line looks like words rather than base64url (it is longer). */
int e2e_words_look_like(const char *text);

#endif
