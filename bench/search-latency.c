/*
 * bench/search-latency STORE QUERIES RUNS: the latency of `agentlogs search`'s
 * query (store/search.c, search_run, 20 hits with their snippets, as the
 * command asks) on STORE, for each line of QUERIES ("words" or
 * "words<TAB>project"), RUNS times after one warm-up run, in wall-clock and
 * CPU time; then the search index's size against the store's. Prints one line per query and the
 * figures; bench/search runs it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/internal.h"
#include "store/search.h"
#include "util/log.h"

#define MAXRUNS 10000

static int
consume(const struct search_hit *h, void *arg)
{
	*(size_t *)arg += strlen(h->snippet);	/* the snippet is read, as printing would */
	return 0;
}

/* Wall-clock time (what a person waits), or this process's CPU time. */
static double
now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

int
main(int argc, char **argv)
{
	char err[ERRLEN], line[1024];
	double *all = NULL, *all_cpu = NULL;
	size_t nall = 0, cap = 0;
	long long index_bytes = 0, total_bytes = 0;
	struct store *st;
	FILE *f;
	int runs;

	if (argc != 4 || (runs = atoi(argv[3])) < 1 || runs > MAXRUNS) {
		fprintf(stderr, "usage: search-latency STORE QUERIES RUNS\n");
		return 2;
	}
	if ((st = store_open(argv[1], err)) == NULL || (f = fopen(argv[2], "r")) == NULL) {
		fprintf(stderr, "search-latency: %s\n", st == NULL ? err : argv[2]);
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		struct search_query q = { .limit = 20 };
		double t[MAXRUNS], cpu[MAXRUNS], t0, c0;
		char *tab;
		size_t bytes = 0;
		int r, n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((tab = strchr(line, '\t')) != NULL) {
			*tab = '\0';
			q.project = tab + 1;
		}
		q.text = line;
		for (r = -1; r < runs; r++) {
			t0 = now_ms(CLOCK_MONOTONIC);
			c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			n = search_run(st, &q, consume, &bytes, err);
			if (r >= 0) {
				t[r] = now_ms(CLOCK_MONOTONIC) - t0;
				cpu[r] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			}
			if (n < 0) {
				fprintf(stderr, "search-latency: '%s': %s\n", line, err);
				return 1;
			}
		}
		qsort(t, (size_t)runs, sizeof t[0], by_value);
		qsort(cpu, (size_t)runs, sizeof cpu[0], by_value);
		printf("  %-28s %s%-12s %3d hits  min %6.2f  p50 %6.2f  max %6.2f ms  cpu p50 %6.2f ms\n",
		    q.text, q.project != NULL ? "in " : "", q.project != NULL ? q.project : "", n,
		    t[0], pct(t, (size_t)runs, 0.5), t[runs - 1], pct(cpu, (size_t)runs, 0.5));
		if (nall + (size_t)runs > cap) {
			cap = (nall + (size_t)runs) * 2;
			all = realloc(all, cap * sizeof *all);
			all_cpu = realloc(all_cpu, cap * sizeof *all_cpu);
		}
		memcpy(all + nall, t, (size_t)runs * sizeof *t);
		memcpy(all_cpu + nall, cpu, (size_t)runs * sizeof *cpu);
		nall += (size_t)runs;
	}
	fclose(f);
	if (nall == 0) {
		fprintf(stderr, "search-latency: no query in %s\n", argv[2]);
		return 1;
	}
	qsort(all, nall, sizeof *all, by_value);
	qsort(all_cpu, nall, sizeof *all_cpu, by_value);
	printf("latency      min %.2f ms   p50 %.2f ms   p99 %.2f ms   max %.2f ms   (%zu searches)\n",
	    all[0], pct(all, nall, 0.5), pct(all, nall, 0.99), all[nall - 1], nall);
	/* What a busy machine cannot inflate: the CPU the searches themselves took. */
	printf("cpu          min %.2f ms   p50 %.2f ms   p99 %.2f ms   max %.2f ms\n", all_cpu[0],
	    pct(all_cpu, nall, 0.5), pct(all_cpu, nall, 0.99), all_cpu[nall - 1]);
	if (store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", err) != 0 ||
	    store_query_int(st, &index_bytes, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE"
	    " 'turn\\_search%' ESCAPE '\\' OR name LIKE 'commit\\_search%' ESCAPE '\\'", err) != 0 ||
	    store_query_int(st, &total_bytes, "SELECT page_count * page_size FROM pragma_page_count,"
	    " pragma_page_size", err) != 0) {
		fprintf(stderr, "search-latency: %s\n", err);
		return 1;
	}
	printf("size         store %.1f MB, search index %.1f MB: %.1f%% of the store,"
	    " adds %.1f%% to the rest\n", total_bytes / 1048576.0, index_bytes / 1048576.0,
	    100.0 * (double)index_bytes / (double)total_bytes,
	    100.0 * (double)index_bytes / (double)(total_bytes - index_bytes));
	printf("figures %.3f %.3f %.1f\n", pct(all, nall, 0.5), pct(all, nall, 0.99),
	    100.0 * (double)index_bytes / (double)(total_bytes - index_bytes));
	free(all);
	free(all_cpu);
	store_close(st);
	return 0;
}
