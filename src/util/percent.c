#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/percent.h"
#include "util/xmalloc.h"

char *
percent_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;
	size_t i;
	int c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%' && len - i > 2 && hex_value((unsigned char)s[i + 1]) >= 0 &&
		    hex_value((unsigned char)s[i + 2]) >= 0) {
			c = hex_value((unsigned char)s[i + 1]) << 4 |
			    hex_value((unsigned char)s[i + 2]);
			i += 2;
		} else if (c == '+')
			c = ' ';
		if (c == '\0') {
			free(out);
			return NULL;
		}
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

char *
percent_query_value(const char *query, const char *name)
{
	size_t nlen = strlen(name), len;
	const char *p = query, *end, *v;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len >= nlen && memcmp(p, name, nlen) == 0 && (len == nlen || p[nlen] == '=')) {
			v = len == nlen ? p + len : p + nlen + 1;
			return percent_decode(v, len - (size_t)(v - p));
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

void
percent_encode(struct strbuf *sb, const char *s, size_t len, const char *also_safe)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr("-._~", c) != NULL) ||
		    (c != '\0' && also_safe != NULL && strchr(also_safe, c) != NULL))
			strbuf_addc(sb, (char)c);
		else {
			strbuf_addc(sb, '%');
			strbuf_addc(sb, digits[c >> 4]);
			strbuf_addc(sb, digits[c & 15]);
		}
	}
}
