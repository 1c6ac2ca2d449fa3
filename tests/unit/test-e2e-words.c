/*
 * The master key as words (privacy/e2e-words.h): the rule makes 2048
 * distinct four-letter words; a key goes to 26 words and back; the words of
 * two fixed keys match those computed independently (Python's hashlib and the
 * rule written out again); any one word changed, two words swapped, a word
 * that is not one, or a word too many or too few is refused; key parsing takes
 * the words or the base64url form and gives the same key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "privacy/e2e-keyfile.h"
#include "privacy/e2e-words.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static int
cmp_words(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
words_are_distinct_and_pronounceable(void **state)
{
	static char all[E2E_WORD_COUNT][5];
	unsigned i;

	(void)state;
	for (i = 0; i < E2E_WORD_COUNT; i++) {
		e2e_word(i, all[i]);
		assert_int_equal(strlen(all[i]), 4);
		/* consonant, vowel, consonant, vowel */
		assert_null(strchr("aeiou", all[i][0]));
		assert_non_null(strchr("aeiou", all[i][1]));
		assert_null(strchr("aeiou", all[i][2]));
		assert_non_null(strchr("aeiou", all[i][3]));
		assert_int_equal(e2e_word_number(all[i], 4), (int)i);
	}
	qsort(all, E2E_WORD_COUNT, sizeof all[0], cmp_words);
	for (i = 1; i < E2E_WORD_COUNT; i++)
		assert_true(strcmp(all[i - 1], all[i]) < 0);
	assert_int_equal(e2e_word_number("baba", 4), -1);	/* b is no second consonant */
	assert_int_equal(e2e_word_number("bad", 3), -1);
	assert_int_equal(e2e_word_number("BADA", 4), 0);
}

static void
known_keys(void **state)
{
	unsigned char zero[E2E_KEY_BYTES] = { 0 }, counting[E2E_KEY_BYTES];
	char *w;
	int i;

	(void)state;
	for (i = 0; i < E2E_KEY_BYTES; i++)
		counting[i] = (unsigned char)i;
	w = e2e_words_encode(zero);
	assert_string_equal(w, "bada bada bada bada bada bada bada bada bada bada bada bada bada"
	    " bada bada bada bada bada bada bada bada bada bada boki kido telo");
	free(w);
	w = e2e_words_encode(counting);
	assert_string_equal(w, "bada bida maki bida jado bata fade fali bisa kado hata done bala"
	    " mila hodi mare dena riki beni gede rami bora lido vodo bomi kili");
	free(w);
}

static void
round_trip(void **state)
{
	unsigned char key[E2E_KEY_BYTES], back[E2E_KEY_BYTES];
	char err[ERRLEN], *w;
	int n, i;

	(void)state;
	srand(15);
	for (n = 0; n < 500; n++) {
		for (i = 0; i < E2E_KEY_BYTES; i++)
			key[i] = (unsigned char)(rand() >> 7);
		w = e2e_words_encode(key);
		assert_int_equal(strlen(w), E2E_WORDS * 5 - 1);
		memset(back, 0, sizeof back);
		assert_int_equal(e2e_words_decode(w, back, err), 0);
		assert_memory_equal(key, back, sizeof key);
		free(w);
	}
}

/* The words of key with word number `at` replaced by `with` (or swapped with the next when with is NULL). */
static char *
changed(const char *words, int at, const char *with)
{
	char *out = strdup(words), tmp[5];

	if (with != NULL)
		memcpy(out + at * 5, with, 4);
	else {
		memcpy(tmp, out + at * 5, 4);
		memmove(out + at * 5, out + (at + 1) * 5, 4);
		memcpy(out + (at + 1) * 5, tmp, 4);
	}
	return out;
}

static void
changed_words_refused(void **state)
{
	unsigned char key[E2E_KEY_BYTES], back[E2E_KEY_BYTES];
	char err[ERRLEN], *w, *bad, other[5];
	int at, n;

	(void)state;
	for (n = 0; n < E2E_KEY_BYTES; n++)
		key[n] = (unsigned char)(n * 37 + 11);
	w = e2e_words_encode(key);
	for (at = 0; at < E2E_WORDS; at++) {
		/* The next word in the list, and one far away: a slip and a wrong word. */
		for (n = 1; n <= 1024; n += 1023) {
			e2e_word((unsigned)((e2e_word_number(w + at * 5, 4) + n) % E2E_WORD_COUNT),
			    other);
			bad = changed(w, at, other);
			err[0] = '\0';
			assert_int_equal(e2e_words_decode(bad, back, err), -1);
			assert_non_null(strstr(err, "checksum does not match"));
			free(bad);
		}
		if (at + 1 < E2E_WORDS && memcmp(w + at * 5, w + (at + 1) * 5, 4) != 0) {
			bad = changed(w, at, NULL);
			assert_int_equal(e2e_words_decode(bad, back, err), -1);
			free(bad);
		}
	}
	bad = changed(w, 7, "bcda");
	assert_int_equal(e2e_words_decode(bad, back, err), -1);
	assert_string_equal(err, "word 8 (\"bcda\") is not one of the key's words");
	free(bad);
	bad = strdup(w);
	bad[strlen(bad) - 5] = '\0';
	assert_int_equal(e2e_words_decode(bad, back, err), -1);
	assert_string_equal(err, "25 words where a key has 26");
	free(bad);
	free(w);
}

static void
parse_either_form(void **state)
{
	unsigned char raw[E2E_KEY_BYTES];
	struct e2e_key from_text, from_words, k;
	struct strbuf loose = STRBUF_INIT;
	char err[ERRLEN], *text, *w, *p;
	int i;

	(void)state;
	for (i = 0; i < E2E_KEY_BYTES; i++)
		raw[i] = (unsigned char)(255 - i * 3);
	assert_int_equal(e2e_key_set(&k, raw), 0);
	text = e2e_key_text(&k);
	w = e2e_words_encode(raw);
	assert_int_equal(e2e_key_parse(text, &from_text, err), 0);
	assert_int_equal(e2e_key_parse(w, &from_words, err), 0);
	assert_memory_equal(from_text.key, raw, sizeof raw);
	assert_memory_equal(from_words.key, raw, sizeof raw);
	assert_string_equal(from_words.check, k.check);
	/* The key file's form: a key then more lines. */
	p = xprintf("%s\nprevious %s\n", text, text);
	assert_int_equal(e2e_key_parse(p, &from_text, err), 0);
	assert_memory_equal(from_text.key, raw, sizeof raw);
	free(p);
	/* base64url has a hyphen of its own: still a key, not words. */
	memset(raw, 0xfb, sizeof raw);
	assert_int_equal(e2e_key_set(&k, raw), 0);
	p = e2e_key_text(&k);
	assert_non_null(strchr(p, '-'));
	assert_int_equal(e2e_key_parse(p, &from_text, err), 0);
	assert_memory_equal(from_text.key, raw, sizeof raw);
	free(p);
	for (i = 0; i < E2E_KEY_BYTES; i++)
		raw[i] = (unsigned char)(255 - i * 3);
	/* Upper case, hyphens, a tab and a trailing newline, as someone might type them. */
	for (p = w; *p != '\0'; p++)
		strbuf_addc(&loose, *p == ' ' ? (p - w) % 10 == 4 ? '-' : '\t' : (char)(*p - 32));
	strbuf_adds(&loose, "\n");
	assert_int_equal(e2e_key_parse(loose.buf, &from_words, err), 0);
	assert_memory_equal(from_words.key, raw, sizeof raw);
	w[3] = w[3] == 'a' ? 'e' : 'a';
	assert_int_equal(e2e_key_parse(w, &from_words, err), -1);
	assert_non_null(strstr(err, "checksum"));
	strbuf_free(&loose);
	free(text);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_are_distinct_and_pronounceable),
		cmocka_unit_test(known_keys),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(changed_words_refused),
		cmocka_unit_test(parse_either_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
