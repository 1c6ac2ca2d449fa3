/*
 * The one table of configuration keys, and the validation derived from it.
 * Adding a key: add an entry here, describe it in man/agentlogs-config.5
 * (test-options fails until you do), read it with config_get*().
 */
/* <config.h>: "config.h" would find src/config/config.h beside this file. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/options.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static const char *const storage_choices[] = { "local", "cloud", NULL };
static const char *const sync_conflicts_choices[] = { "auto", "manual", NULL };
/* ui/image-protocol.h's choices, auto first. */
static const char *const visuals_protocol_choices[] = {
	"auto", "kitty", "sixel", "symbols", "none", NULL
};
/* ui/layout.h's split modes, in their order. */
static const char *const ui_split_choices[] = { "auto", "side", "stacked", NULL };

/* redact.patterns: compiled as the redactor does (src/privacy/redact.c), so what it refuses is refused here. */
static int
valid_regex(const char *value, char *err)
{
	regex_t re;
	char msg[128];
	int rc;

	if (*value == '\0')
		return 0;
	if ((rc = regcomp(&re, value, REG_EXTENDED | REG_NEWLINE)) != 0) {
		regerror(rc, &re, msg, sizeof msg);
		return seterr(err, "invalid value for redact.patterns: not a POSIX extended"
		    " regular expression (%s)", msg);
	}
	regfree(&re);
	return 0;
}

const struct option_def options_table[] = {
	{ .name = "storage",
	  .type = OPTION_ENUM,
	  .choices = storage_choices,
	  .default_value = "cloud",
	  .help = "cloud: sync with the configured cloud once logged in; local: never contact it."
	},
	{ .name = "continuous-sync",
	  .type = OPTION_BOOLEAN,
	  .default_value = "true",
	  .help = "When logged in to a cloud, sync in the background as new commits are imported."
	},
	{ .name = "cloud.url",
	  .type = OPTION_URL,
	  .default_value = "",
	  .help = "Base URL of the cloud service; empty when none is configured."
	},
	{ .name = "cloud.anon-key",
	  .type = OPTION_STRING,
	  .default_value = "",
	  .help = "Public (anonymous) API key of the cloud service."
	},
	{ .name = "sync.conflicts",
	  .type = OPTION_ENUM,
	  .choices = sync_conflicts_choices,
	  .default_value = "auto",
	  .help = "auto: the last write wins and the losing version is kept for review; "
	      "manual: ask."
	},
	{ .name = "theme",
	  .type = OPTION_STRING,
	  .charset = "a-z0-9-",
	  .default_value = "default",
	  .help = "Colour theme: the name of a themes/NAME.theme file."
	},
	{ .name = "analytics.opt-in",
	  .type = OPTION_BOOLEAN,
	  .default_value = "false",
	  .help = "Send anonymous usage statistics (see 'agentlogs analytics')."
	},
	{ .name = "ui.preview",
	  .type = OPTION_BOOLEAN,
	  .default_value = "true",
	  .help = "The browser shows the preview pane (v toggles it and remembers)."
	},
	{ .name = "ui.split",
	  .type = OPTION_ENUM,
	  .choices = ui_split_choices,
	  .default_value = "auto",
	  .help = "Preview beside the list (side), below it (stacked), or beside it from 160 "
	      "columns (auto); V cycles and remembers."
	},
	{ .name = "ui.preview-size",
	  .type = OPTION_NUMBER,
	  .minimum = 20,
	  .maximum = 80,
	  .default_value = "50",
	  .help = "The preview pane's share of the screen, in percent; [ and ] change it by 5."
	},
	{ .name = "ui.mouse",
	  .type = OPTION_BOOLEAN,
	  .default_value = "true",
	  .help = "The browser takes clicks and the wheel (Shift selects text meanwhile)."
	},
	{ .name = "import.idle-minutes",
	  .type = OPTION_NUMBER,
	  .minimum = 1,
	  .maximum = 10080,
	  .default_value = "30",
	  .help = "A transcript untouched this long has its last commit closed as session_end."
	},
	{ .name = "visuals.cache-mb",
	  .type = OPTION_NUMBER,
	  .minimum = 1,
	  .maximum = 1048576,
	  .default_value = "200",
	  .help = "Screenshots fetched from the cloud are kept up to this many MB; the least "
	      "recently viewed go first."
	},
	{ .name = "visuals.cache-days",
	  .type = OPTION_NUMBER,
	  .minimum = 1,
	  .maximum = 36500,
	  .default_value = "30",
	  .help = "A screenshot fetched from the cloud and not viewed for this many days is "
	      "removed (it is fetched again when next viewed)."
	},
	{ .name = "visuals.protocol",
	  .type = OPTION_ENUM,
	  .choices = visuals_protocol_choices,
	  .default_value = "auto",
	  .help = "How the browser draws screenshots: kitty graphics, sixel, symbols (Unicode "
	      "blocks), none (named only, not fetched on view), or auto (from the terminal)."
	},
	{ .name = "e2e",
	  .type = OPTION_BOOLEAN,
	  .default_value = "false",
	  .help = "End-to-end encryption: content is sealed with the key of 'agentlogs key' "
	      "before it leaves the machine."
	},
	{ .name = "redact.enabled",
	  .type = OPTION_BOOLEAN,
	  .default_value = "true",
	  .help = "Secrets in what goes to the cloud are replaced with [REDACTED:KIND]; the "
	      "local store keeps them."
	},
	{ .name = "redact.patterns",
	  .type = OPTION_STRING,
	  .default_value = "",
	  .help = "More secrets to redact: a POSIX extended regular expression (join several "
	      "with |).",
	  .check_set = valid_regex
	},
	{ .name = "redact.allow",
	  .type = OPTION_STRING,
	  .default_value = "",
	  .help = "Comma-separated values never redacted (test keys, known false positives)."
	},
	{ .name = NULL }
};

/* Boolean words, true then false, so the index's parity is the value. */
static const char *const bool_words[] = {
	"true", "false", "yes", "no", "on", "off", "1", "0", NULL
};

size_t
options_count(void)
{
	size_t n = 0;

	while (options_table[n].name != NULL)
		n++;
	return n;
}

const struct option_def *
options_find(const char *name)
{
	const struct option_def *od;

	for (od = options_table; od->name != NULL; od++) {
		if (strcmp(od->name, name) == 0)
			return od;
	}
	return NULL;
}

const char *
options_type_name(enum option_type type)
{
	switch (type) {
	case OPTION_STRING:
		return "string";
	case OPTION_ENUM:
		return "enum";
	case OPTION_BOOLEAN:
		return "boolean";
	case OPTION_NUMBER:
		return "number";
	case OPTION_URL:
		return "url";
	}
	return "unknown";
}

char *
options_describe(const struct option_def *od)
{
	struct strbuf sb = STRBUF_INIT;
	const char *const *c;

	switch (od->type) {
	case OPTION_STRING:
		if (od->charset != NULL)
			strbuf_addf(&sb, "[%s]+", od->charset);
		break;
	case OPTION_ENUM:
		for (c = od->choices; *c != NULL; c++)
			strbuf_addf(&sb, "%s%s", c == od->choices ? "" : "|", *c);
		break;
	case OPTION_BOOLEAN:
		break;
	case OPTION_NUMBER:
		strbuf_addf(&sb, "%ld..%ld", od->minimum, od->maximum);
		break;
	case OPTION_URL:
		strbuf_adds(&sb, "http:// or https://, or empty");
		break;
	}
	return strbuf_detach(&sb);
}

int
options_parse_bool(const char *value)
{
	size_t i;

	for (i = 0; bool_words[i] != NULL; i++) {
		if (strcasecmp(value, bool_words[i]) == 0)
			return i % 2 == 0;
	}
	return -1;
}

/* True when c matches the bracket expression set ("a-z0-9-": ranges and literals). */
static int
charset_match(const char *set, char c)
{
	const char *p;

	for (p = set; *p != '\0'; p++) {
		if (p[1] == '-' && p[2] != '\0') {
			if (c >= p[0] && c <= p[2])
				return 1;
			p += 2;
		} else if (c == *p)
			return 1;
	}
	return 0;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if (iscntrl((unsigned char)*s))
			return 1;
	}
	return 0;
}

/* The value as quoted in messages: at most 40 bytes, control characters as '?'. */
static void
display_value(const char *value, char out[48])
{
	size_t i;

	for (i = 0; value[i] != '\0' && i < 40; i++)
		out[i] = iscntrl((unsigned char)value[i]) ? '?' : value[i];
	if (value[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

/* "a or b", "a, b or c". */
static void
join_choices(struct strbuf *sb, const char *const *choices)
{
	const char *const *c;

	for (c = choices; *c != NULL; c++) {
		if (c != choices)
			strbuf_adds(sb, c[1] == NULL ? " or " : ", ");
		strbuf_adds(sb, *c);
	}
}

/* What a valid value looks like, completing "expected ...". */
static char *
expectation(const struct option_def *od)
{
	struct strbuf sb = STRBUF_INIT;

	switch (od->type) {
	case OPTION_STRING:
		if (od->charset != NULL)
			strbuf_addf(&sb, "one or more characters from [%s]", od->charset);
		else
			strbuf_adds(&sb, "text without control characters");
		break;
	case OPTION_ENUM:
		join_choices(&sb, od->choices);
		break;
	case OPTION_BOOLEAN:
		strbuf_adds(&sb, "true or false (or yes/no, on/off, 1/0)");
		break;
	case OPTION_NUMBER:
		strbuf_addf(&sb, "a number from %ld to %ld", od->minimum, od->maximum);
		break;
	case OPTION_URL:
		strbuf_adds(&sb, "an http:// or https:// URL, or an empty value");
		break;
	}
	return strbuf_detach(&sb);
}

static int
valid_string(const struct option_def *od, const char *value)
{
	const char *p;

	if (has_control(value))
		return 0;
	if (od->charset == NULL)
		return 1;
	if (*value == '\0')
		return 0;
	for (p = value; *p != '\0'; p++) {
		if (!charset_match(od->charset, *p))
			return 0;
	}
	return 1;
}

/* A scheme, then a host that is not empty; no spaces or control characters anywhere. */
static int
valid_url(const char *value)
{
	const char *rest, *p;

	if (*value == '\0')
		return 1;
	if (strncasecmp(value, "http://", 7) == 0)
		rest = value + 7;
	else if (strncasecmp(value, "https://", 8) == 0)
		rest = value + 8;
	else
		return 0;
	if (*rest == '\0' || *rest == '/' || *rest == '?' || *rest == '#')
		return 0;
	for (p = value; *p != '\0'; p++) {
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return 0;
	}
	return 1;
}

/* Decimal digits only (an optional sign): strtol alone would take " 12" and "0x1". */
static int
parse_number(const char *value, long *out)
{
	const char *p = value;
	char *end;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*out = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

int
options_validate(const struct option_def *od, const char *value, char **normalized,
    char *err)
{
	const char *const *c;
	const char *stored = NULL;
	char *owned = NULL, *expected, shown[48];
	long n;
	int b;

	switch (od->type) {
	case OPTION_STRING:
		if (valid_string(od, value))
			stored = value;
		break;
	case OPTION_ENUM:
		for (c = od->choices; *c != NULL && stored == NULL; c++) {
			if (strcasecmp(value, *c) == 0)
				stored = *c;
		}
		break;
	case OPTION_BOOLEAN:
		if ((b = options_parse_bool(value)) != -1)
			stored = b ? "true" : "false";
		break;
	case OPTION_NUMBER:
		if (parse_number(value, &n) == 0 && n >= od->minimum && n <= od->maximum)
			stored = owned = xprintf("%ld", n);
		break;
	case OPTION_URL:
		if (valid_url(value))
			stored = value;
		break;
	}
	if (stored == NULL) {
		expected = expectation(od);
		display_value(value, shown);
		seterr(err, "invalid value '%s' for %s: expected %s", shown, od->name,
		    expected);
		free(expected);
		return -1;
	}
	if (normalized != NULL)
		*normalized = owned != NULL ? owned : xstrdup(stored);
	else
		free(owned);
	return 0;
}
