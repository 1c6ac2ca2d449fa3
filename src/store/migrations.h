/* The local schema's history: numbered migrations, each applied once. */
#ifndef AL_MIGRATIONS_H
#define AL_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int migrations_count;

#endif
