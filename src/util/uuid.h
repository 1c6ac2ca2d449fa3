/* UUIDs as 36-character lowercase strings. */
#ifndef AL_UUID_H
#define AL_UUID_H

#include <stddef.h>

#define UUID_STRLEN 37 /* 36 characters and the terminator */

/* The namespace under which every deterministic agentlogs id is derived. */
extern const char AL_UUID_NAMESPACE[];

/* RFC 9562 UUIDv5 (SHA-1) of name in namespace ns (a UUID string). Returns -1 on a bad ns. */
int uuid_v5(char out[UUID_STRLEN], const char *ns, const char *name, size_t namelen);
/* UUIDv5 in the agentlogs namespace of the concatenation of the given NULL-terminated parts,
 * joined with ':'. */
void uuid_v5_join(char out[UUID_STRLEN], const char *first, ...);
void uuid_v4(char out[UUID_STRLEN]);
int uuid_valid(const char *s);

#endif
