/*
 * http-load: requests per second for one URL at a fixed concurrency.
 *
 *   http-load [-c CLIENTS] [-d SECONDS] [-H 'Name: value']... URL
 *
 * CLIENTS connections (default 50) each send GET URL again as soon as the
 * previous answer arrives, over keep-alive, for SECONDS (default 5) after a
 * one-second warm-up. Prints one line:
 *   50 clients, 5.0 s: 41234 requests, 8246.8 req/s, 0 errors, p50 5.9 ms, p99 12.1 ms
 * An answer other than 2xx counts as an error; any error makes the exit status 1.
 * One thread drives every connection through libcurl's multi interface, so
 * the client costs little next to the server it measures.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct client {
	CURL *easy;
	double started;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr, "usage: http-load [-c CLIENTS] [-d SECONDS] [-H 'Name: value']... URL\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct curl_slist *headers = NULL;
	struct client *clients;
	CURLM *multi;
	double *lat = NULL, t0, measure_from, measure_to;
	size_t nlat = 0, caplat = 0, requests = 0, errors = 0;
	int nclients = 50, seconds = 5, opt, running, i;

	while ((opt = getopt(argc, argv, "c:d:H:")) != -1) {
		switch (opt) {
		case 'c':
			nclients = atoi(optarg);
			break;
		case 'd':
			seconds = atoi(optarg);
			break;
		case 'H':
			headers = curl_slist_append(headers, optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || nclients < 1 || seconds < 1)
		usage();

	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)nclients);
	clients = calloc((size_t)nclients, sizeof *clients);
	if (clients == NULL)
		return 1;
	t0 = now();
	measure_from = t0 + 1.0;
	measure_to = measure_from + seconds;
	for (i = 0; i < nclients; i++) {
		CURL *e = curl_easy_init();
		curl_easy_setopt(e, CURLOPT_URL, argv[optind]);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(e, CURLOPT_PRIVATE, &clients[i]);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
		clients[i].easy = e;
		clients[i].started = now();
		curl_multi_add_handle(multi, e);
	}

	running = nclients;
	while (running > 0) {
		CURLMsg *m;
		int left;

		curl_multi_perform(multi, &running);
		while ((m = curl_multi_info_read(multi, &left)) != NULL) {
			struct client *c;
			long status = 0;
			double t = now();

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
			if (c->started >= measure_from && t <= measure_to) {
				requests++;
				if (m->data.result != CURLE_OK || status < 200 || status > 299)
					errors++;
				if (nlat == caplat) {
					caplat = caplat ? caplat * 2 : 4096;
					lat = realloc(lat, caplat * sizeof *lat);
					if (lat == NULL)
						return 1;
				}
				lat[nlat++] = (t - c->started) * 1000.0;
			}
			curl_multi_remove_handle(multi, m->easy_handle);
			if (t < measure_to) {
				c->started = t;
				curl_multi_add_handle(multi, m->easy_handle);
				running++;
			}
		}
		if (running > 0)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}

	qsort(lat, nlat, sizeof *lat, by_value);
	printf("%d clients, %d.0 s: %zu requests, %.1f req/s, %zu errors, p50 %.1f ms, p99 %.1f ms\n",
	    nclients, seconds, requests, (double)requests / seconds, errors,
	    nlat ? lat[nlat / 2] : 0.0, nlat ? lat[nlat * 99 / 100] : 0.0);

	for (i = 0; i < nclients; i++)
		curl_easy_cleanup(clients[i].easy);
	curl_multi_cleanup(multi);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	free(clients);
	free(lat);
	return errors == 0 && requests > 0 ? 0 : 1;
}
