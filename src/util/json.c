#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

/* Bytes that JSON requires escaped: control characters, '"' and '\'. */
static int
needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

void
json_add_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;

	strbuf_addc(sb, '"');
	for (;;) {
		for (run = p; *p != '\0' && !needs_escape(*p); p++)
			;
		strbuf_add(sb, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		switch (*p) {
		case '"':
			strbuf_add(sb, "\\\"", 2);
			break;
		case '\\':
			strbuf_add(sb, "\\\\", 2);
			break;
		case '\n':
			strbuf_add(sb, "\\n", 2);
			break;
		case '\r':
			strbuf_add(sb, "\\r", 2);
			break;
		case '\t':
			strbuf_add(sb, "\\t", 2);
			break;
		case '\b':
			strbuf_add(sb, "\\b", 2);
			break;
		case '\f':
			strbuf_add(sb, "\\f", 2);
			break;
		default:
			strbuf_addf(sb, "\\u%04x", *p);
			break;
		}
		p++;
	}
	strbuf_addc(sb, '"');
}

static void
add_number(struct strbuf *sb, double d)
{
	if (isnan(d) || isinf(d))
		strbuf_adds(sb, "null");
	else if (d == (double)(long long)d && fabs(d) < 1e15)
		strbuf_addf(sb, "%lld", (long long)d);
	else
		strbuf_addf(sb, "%.17g", d);
}

void
json_add(struct strbuf *sb, const cJSON *item)
{
	const cJSON *child;

	if (cJSON_IsString(item))
		json_add_string(sb, item->valuestring);
	else if (cJSON_IsNumber(item))
		add_number(sb, item->valuedouble);
	else if (cJSON_IsTrue(item))
		strbuf_add(sb, "true", 4);
	else if (cJSON_IsFalse(item))
		strbuf_add(sb, "false", 5);
	else if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
		int object = cJSON_IsObject(item);
		strbuf_addc(sb, object ? '{' : '[');
		for (child = item->child; child != NULL; child = child->next) {
			if (child != item->child)
				strbuf_addc(sb, ',');
			if (object) {
				json_add_string(sb, child->string != NULL ? child->string : "");
				strbuf_addc(sb, ':');
			}
			json_add(sb, child);
		}
		strbuf_addc(sb, object ? '}' : ']');
	} else if (cJSON_IsRaw(item) && item->valuestring != NULL)
		strbuf_adds(sb, item->valuestring);
	else
		strbuf_add(sb, "null", 4);
}
