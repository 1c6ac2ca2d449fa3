/*
 * parse-floor: the cost of reading and parsing a transcript corpus, nothing more.
 *
 *   parse-floor DIR...
 *
 * Walks each DIR for *.jsonl files, reads every line with getline(3) and parses it with
 * cJSON_ParseWithLengthOpts(), then frees it.  A line holding several JSON objects glued
 * together ({...}{...}) is parsed object by object, continuing where the previous parse
 * ended.  This is the floor under any importer that parses every record with cJSON.
 *
 * Prints one line: "files N lines N objects N bytes N errors N seconds S".
 * Build: cc -O2 parse-floor.c $(pkg-config --cflags --libs libcjson) -o parse-floor
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

static unsigned long long n_files, n_lines, n_objects, n_bytes, n_errors;
static char *line;
static size_t line_cap;

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
parse_line(const char *p, size_t len)
{
	const char *end = p + len;

	for (;;) {
		const char *stop = NULL;
		cJSON *item;

		while (p < end && is_space(*p))
			p++;
		if (p == end)
			return;
		item = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
		if (item == NULL) {
			n_errors++;
			return;
		}
		n_objects++;
		cJSON_Delete(item);
		if (stop == NULL || stop <= p)
			return;
		p = stop;
	}
}

static int
visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);
	ssize_t len;
	FILE *f;

	(void)st;
	(void)ftw;
	if (type != FTW_F || n < 6 || strcmp(path + n - 6, ".jsonl") != 0)
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "parse-floor: %s: %s\n", path, strerror(errno));
		n_errors++;
		return 0;
	}
	n_files++;
	while ((len = getline(&line, &line_cap, f)) != -1) {
		n_lines++;
		n_bytes += (unsigned long long)len;
		parse_line(line, (size_t)len);
	}
	if (ferror(f)) {
		fprintf(stderr, "parse-floor: %s: read error\n", path);
		n_errors++;
	}
	fclose(f);
	return 0;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: parse-floor DIR...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i < argc; i++) {
		if (nftw(argv[i], visit, 32, FTW_PHYS) != 0) {
			fprintf(stderr, "parse-floor: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(line);
	printf("files %llu lines %llu objects %llu bytes %llu errors %llu seconds %.3f\n",
	    n_files, n_lines, n_objects, n_bytes, n_errors,
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
