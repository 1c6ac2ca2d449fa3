#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "util/uuid.h"
#include "util/xmalloc.h"

/* UUIDv5(NameSpace_URL, "https://agentlogs.dev/ids"): fixed forever, ids depend on it. */
const char AL_UUID_NAMESPACE[] = "2b1bbf99-738c-5e92-a614-d78443f6f89e";

int
uuid_v5(char out[UUID_STRLEN], const char *ns, const char *name, size_t namelen)
{
	uuid_t nsu, u;

	if (uuid_parse(ns, nsu) != 0)
		return -1;
	uuid_generate_sha1(u, nsu, name, namelen);
	uuid_unparse_lower(u, out);
	return 0;
}

void
uuid_v5_join(char out[UUID_STRLEN], const char *first, ...)
{
	va_list ap;
	const char *part;
	size_t len = 0, cap = 128;
	char *buf = xmalloc(cap);

	va_start(ap, first);
	for (part = first; part != NULL; part = va_arg(ap, const char *)) {
		size_t n = strlen(part);
		if (len + n + 2 > cap) {
			cap = (len + n + 2) * 2;
			buf = xrealloc(buf, cap);
		}
		if (part != first)
			buf[len++] = ':';
		memcpy(buf + len, part, n);
		len += n;
	}
	va_end(ap);
	uuid_v5(out, AL_UUID_NAMESPACE, buf, len);
	free(buf);
}

void
uuid_v4(char out[UUID_STRLEN])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

int
uuid_valid(const char *s)
{
	uuid_t u;

	return strlen(s) == 36 && uuid_parse(s, u) == 0;
}
