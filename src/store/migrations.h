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

/* The insert triggers on turns that keep the analytics figures (v14), and their removal. */
extern const char turn_insert_triggers_sql[];
extern const char turn_insert_triggers_drop_sql[];
extern const char tool_totals_triggers_sql[];
extern const char tool_totals_triggers_drop_sql[];

#endif
