/*
 * Laplace noise for the aggregates `agentlogs analytics` uploads (the
 * differential-privacy mechanism): a draw from Laplace(0, scale), whose
 * density is exp(-|x| / scale) / (2 scale). Its uniform source is
 * libsodium's randombytes; tests give a seeded stream instead so their
 * statistics cannot flake.
 */
#ifndef AL_PRIVACY_LAPLACE_H
#define AL_PRIVACY_LAPLACE_H

#include <stddef.h>

/* Fills buf with n uniformly random bytes. */
struct noise_source {
	void (*fill)(void *arg, void *buf, size_t n);
	void *arg;
};

/* The system's source: libsodium's randombytes_buf. -1 when libsodium cannot start. */
int noise_source_system(struct noise_source *src);

/* A uniform double in the open interval (0, 1), from 52 random bits. */
double noise_uniform(const struct noise_source *src);

/* One draw from Laplace(0, scale); 0 for scale <= 0. */
double laplace_draw(const struct noise_source *src, double scale);

#endif
