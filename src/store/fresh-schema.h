/*
 * A new store's schema in one step: the objects that migrations.c's list
 * leaves behind, as SQLite keeps them (sqlite_master), created at once
 * instead of migrated through every version (ALTER TABLE makes SQLite re-read
 * the whole schema each time). Generated from that list; tests/unit/
 * test-migrations checks that both ways give the same store.
 */
#ifndef AL_STORE_FRESH_SCHEMA_H
#define AL_STORE_FRESH_SCHEMA_H

/* The migration the script stands for: a store created for another version migrates. */
extern const int fresh_schema_version;
/* The statements, in the order the migrations made them; without schema_migrations' rows. */
extern const char fresh_schema_sql[];

#endif
