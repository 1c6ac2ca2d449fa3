/*
 * Secrets known by what surrounds them rather than by their own shape:
 * private key blocks, the password of a URL, and values assigned to names
 * such as API_KEY or "password". The text is often JSON inside JSON (a tool's
 * input or result), so a quote may come escaped (\") and a newline as "\n".
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "privacy/redact-rules.h"

/* Where a private key block may end, at the most: bigger ones are not keys. */
#define PEM_MAX (64 * 1024)

static const char *
find(const char *t, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);

	if (from >= len)
		return NULL;
	return memmem(t + from, len - from, needle, n);
}

size_t
redact_pem_at(const char *t, size_t len, size_t i)
{
	const char *head_end, *end, *label;
	size_t limit = len - i > PEM_MAX ? i + PEM_MAX : len, j;

	if (len - i < 30 || memcmp(t + i, "-----BEGIN ", 11) != 0)
		return 0;
	/* The label, capitals and spaces: "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", ... */
	for (j = i + 11; j < len && j < i + 80 && (RCLASS(t[j], RC_UPPER) || t[j] == ' '); j++)
		;
	if (len - j < 5 || memcmp(t + j, "-----", 5) != 0)
		return 0;
	head_end = t + j;
	label = find(t, (size_t)(head_end - t), i + 11, "PRIVATE KEY");
	if (label == NULL)
		return 0;
	if ((end = find(t, limit, (size_t)(head_end - t) + 5, "-----END ")) != NULL &&
	    (end = find(t, limit, (size_t)(end - t) + 9, "-----")) != NULL)
		return (size_t)(end - t) + 5;
	/* Cut short (a tool showed its first lines): up to where the key's characters stop. */
	j = (size_t)(head_end - t) + 5;
	while (j < limit && (RCLASS(t[j], RC_B64) || t[j] == '=' || t[j] == '\n' ||
	    t[j] == '\r' || t[j] == '\\' || t[j] == ' ' || t[j] == ':' || t[j] == '-'))
		j++;
	return j;
}

/* A password that only stands for one: "***", "xxxx", "$PASS", "<password>", "{pw}", "%s". */
static int
placeholder(const char *v, size_t n)
{
	size_t k;

	if (n == 0 || strchr("$<{[", v[0]) != NULL || (n == 2 && v[0] == '%'))
		return 1;
	for (k = 0; k < n && (v[k] == 'x' || v[k] == 'X' || v[k] == '.' || v[k] == '*'); k++)
		;
	return k == n;
}

static int
url_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && strchr("/?#@\"'<>\\`", c) == NULL;
}

/* "hooks.slack.com/services/T.../B.../..." after "https://" at host. */
static void
slack_webhook(const char *t, size_t len, size_t host, struct redact_spans *out)
{
	static const char path[] = "hooks.slack.com/services/";
	size_t j = host + sizeof path - 1;

	if (len - host < sizeof path + 20 || memcmp(t + host, path, sizeof path - 1) != 0)
		return;
	while (j < len && (RCLASS(t[j], RC_ALPHA | RC_DIGIT) || t[j] == '/'))
		j++;
	if (j - host >= sizeof path + 20)
		redact_add(out, host + sizeof path - 1, j, "SLACK_WEBHOOK");
}

void
redact_url_at(const char *t, size_t len, size_t i, struct redact_spans *out)
{
	size_t host = i + 3, j, colon = 0;

	/* A scheme before: "postgres", "mongodb+srv", "https". */
	if (i < 2 || !RCLASS(t[i - 1], RC_ALPHA | RC_DIGIT))
		return;
	slack_webhook(t, len, host, out);
	for (j = host; j < len && url_char((unsigned char)t[j]); j++) {
		if (t[j] == ':' && colon == 0)
			colon = j;
	}
	/* user:password@host, the password not empty and not a stand-in. */
	if (j >= len || t[j] != '@' || colon == 0 || j + 1 >= len ||
	    !RCLASS(t[j + 1], RC_ALPHA | RC_DIGIT) || placeholder(t + colon + 1, j - colon - 1) ||
	    memmem(t + host, j - host, REDACT_OPEN, sizeof REDACT_OPEN - 1) != NULL)
		return;
	redact_add(out, colon + 1, j, "URL_PASSWORD");
}

/*
 * The words that make a name a secret's: "DB_PASSWORD", "apiKey",
 * "client-secret", "GITHUB_TOKEN", "aws_secret_access_key". The short ones
 * only with another word ("SMTP_PASS", "api_key"): alone, "PASS" is a test
 * result and "key" a dictionary's.
 */
static const struct secret_word {
	const char *word;
	unsigned char len, alone;
} secret_words[] = {
	{ "password", 8, 1 }, { "passwd", 6, 1 }, { "passphrase", 10, 1 }, { "secret", 6, 1 },
	{ "token", 5, 1 }, { "apikey", 6, 1 }, { "credentials", 11, 1 }, { "credential", 10, 1 },
	{ "pwd", 3, 0 }, { "pass", 4, 0 }, { "key", 3, 0 },
};
#define NWORDS (sizeof secret_words / sizeof secret_words[0])

/* Whether name[0, n) has a secret word as a segment (split at _ - . and lowercase-uppercase). */
static const char *
secret_name(const char *name, size_t n)
{
	const struct secret_word *found = NULL;
	size_t s = 0, e, k, segments = 0;
	char c;

	while (s < n) {
		for (e = s + 1; e < n && name[e] != '_' && name[e] != '-' && name[e] != '.' &&
		    !(RCLASS(name[e], RC_UPPER) && !RCLASS(name[e - 1], RC_UPPER)); e++)
			;
		segments++;
		/* Most segments are no secret word by length (3 to 11) or first letter (p s t a c k). */
		c = name[s] | 0x20;
		for (k = 0; found == NULL && e - s >= 3 && e - s <= 11 && (c == 'p' || c == 's' ||
		    c == 't' || c == 'a' || c == 'c' || c == 'k') && k < NWORDS; k++) {
			if (secret_words[k].len == e - s && (name[s] | 0x20) == secret_words[k].word[0] &&
			    strncasecmp(name + s, secret_words[k].word, e - s) == 0)
				found = &secret_words[k];
		}
		s = e;
		while (s < n && (name[s] == '_' || name[s] == '-' || name[s] == '.'))
			s++;
	}
	return found != NULL && (found->alone || segments > 1) ? found->word : NULL;
}

static int
name_char(unsigned char c)
{
	return RCLASS(c, RC_WORD) || c == '-' || c == '.';
}

/* A word and its length, for lists compared without a strlen a call. */
struct word {
	const char *s;
	size_t n;
};
#define W(lit) { lit, sizeof lit - 1 }

/* The shortest word of the lists below ("foo"): a random value's many short segments stop here. */
#define SHORTEST_WORD 3

/* Whether v[0, n) is one of words (a NULL-ended list of lower-case words), in any case. */
static int
one_of(const struct word *words, const char *v, size_t n)
{
	if (n < SHORTEST_WORD)
		return 0;
	for (; words->s != NULL; words++) {
		if (words->n == n && (v[0] | 0x20) == words->s[0] && strncasecmp(v, words->s, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * A value made of a stand-in's words ("test-key", "phc_development_key",
 * "your_api_key_here"): whole segments, split at _ - . and lower-upper, so
 * that "Test1234!" still counts.
 */
static int
stand_in(const char *v, size_t n)
{
	static const struct word words[] = {
		W("test"), W("example"), W("dummy"), W("fake"), W("placeholder"), W("sample"),
		W("development"), W("your"), W("changeme"), W("demo"), W("mock"), W("foo"),
		W("here"), { NULL, 0 }
	};
	size_t s = 0, e;

	while (s < n) {
		for (e = s + 1; e < n && v[e] != '_' && v[e] != '-' && v[e] != '.' &&
		    !(RCLASS(v[e], RC_UPPER) && !RCLASS(v[e - 1], RC_UPPER)); e++)
			;
		if (one_of(words, v + s, e - s))
			return 1;
		for (s = e; s < n && (v[s] == '_' || v[s] == '-' || v[s] == '.'); s++)
			;
	}
	return 0;
}

/* The value's words that are not secrets but types, stand-ins or code. */
static int
not_a_value(const char *v, size_t n, int loose)
{
	static const struct word words[] = {
		W("true"), W("false"), W("null"), W("none"), W("undefined"), W("string"),
		W("required"), W("optional"), W("secret"), W("password"), W("token"),
		W("redacted"), W("changeme"), W("example"), { NULL, 0 }
	};
	size_t k, digits = 0, ident = 0;

	if (placeholder(v, n) || memmem(v, n, REDACT_OPEN, sizeof REDACT_OPEN - 1) != NULL ||
	    stand_in(v, n) || one_of(words, v, n))
		return 1;
	for (k = 0; k < n; k++) {
		if (v[k] == '(' || v[k] == ')' || v[k] == ' ')
			return 1;
		digits += RCLASS(v[k], RC_DIGIT) != 0;
		ident += RCLASS(v[k], RC_ALPHA) != 0 || v[k] == '_' || v[k] == '.';
	}
	/* A number (max_tokens=4096), or a name in code (token = response.data.token). */
	return !loose && (digits == n || ident == n);
}

/*
 * Where a value stops, [c][0] in quotes, [c][1] bare: a backslash (an
 * escaped newline or quote) or a line's end always; bare, also at a space or
 * the punctuation that follows a value in code and shell.
 */
static const unsigned char value_stop[256][2] = {
	['\\'] = { 1, 1 }, ['\n'] = { 1, 1 }, ['\r'] = { 1, 1 },
	[' '] = { 0, 1 }, ['\t'] = { 0, 1 }, [','] = { 0, 1 }, [';'] = { 0, 1 }, ['&'] = { 0, 1 },
	['}'] = { 0, 1 }, [']'] = { 0, 1 }, [')'] = { 0, 1 }, ['\''] = { 0, 1 }, ['"'] = { 0, 1 },
	['`'] = { 0, 1 }, ['<'] = { 0, 1 }, ['>'] = { 0, 1 },
};

/* The name just before t[i] (its start in *start, past an optional closing quote), or 0 long. */
static size_t
name_before(const char *t, size_t i, size_t *start, int *quoted)
{
	size_t e = i, s;

	while (e > 0 && t[e - 1] == ' ')
		e--;
	*quoted = e > 0 && (t[e - 1] == '"' || t[e - 1] == '\'');
	if (*quoted)
		e--;
	if (*quoted && e > 0 && t[e - 1] == '\\')
		e--;
	for (s = e; s > 0 && name_char((unsigned char)t[s - 1]); s--)
		;
	/* "\nAPI_KEY=": the n of an escaped newline (or tab) is not the name's. */
	if (s > 0 && t[s - 1] == '\\' && s < e && (t[s] == 'n' || t[s] == 't' || t[s] == 'r'))
		s++;
	*start = s;
	return e - s;
}

void
redact_assignment_at(const char *t, size_t len, size_t i, struct redact_spans *out)
{
	size_t ns, n, v, e;
	const char *word;
	int quoted, env, q = 0;

	if ((t[i] == '=' && ((i + 1 < len && t[i + 1] == '=') ||
	    (i > 0 && strchr("=!<>+-*/|&", t[i - 1]) != NULL))) || i + 1 >= len)
		return;
	n = name_before(t, i, &ns, &quoted);
	if (n < 3 || n > 64 || (word = secret_name(t + ns, n)) == NULL)
		return;
	/* NAME=value, the .env way: an upper-case name right against its value. */
	env = t[i] == '=' && !quoted && ns + n == i;
	for (e = ns; env && e < ns + n; e++)
		env = !RCLASS(t[e], RC_ALPHA) || RCLASS(t[e], RC_UPPER);
	v = i + 1;
	while (v < len && t[v] == ' ' && !env)
		v++;
	if (v < len && t[v] == '\\' && v + 1 < len && t[v + 1] == '"')
		v++;
	if (v < len && (t[v] == '"' || t[v] == '\'' || t[v] == '`'))
		q = t[v++];
	/* A value stops at its quote, a space, a backslash (an escaped newline or quote), ... */
	for (e = v; e < len && t[e] != q && !value_stop[(unsigned char)t[e]][q == 0]; e++)
		;
	if (q == 0 && !env && t[i] == ':' && e - v < 12)
		return;	/* "key: value" prose or YAML without quotes: only a long value */
	if (e - v < (env ? 1u : 8u) || e - v > 512 || not_a_value(t + v, e - v, env || q != 0))
		return;
	if (strcmp(word, "password") == 0 || strcmp(word, "passwd") == 0 ||
	    strcmp(word, "pass") == 0 || strcmp(word, "pwd") == 0 ||
	    strcmp(word, "passphrase") == 0)
		redact_add(out, v, e, "PASSWORD");
	else if (e - v == 40 && strncasecmp(t + ns, "aws", 3) == 0)
		redact_add(out, v, e, "AWS_SECRET_KEY");
	else
		redact_add(out, v, e, "SECRET");
}
