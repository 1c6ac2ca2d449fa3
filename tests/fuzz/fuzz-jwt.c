/*
 * libFuzzer target: jwt_verify on arbitrary tokens. A token can only pass
 * with a valid MAC, which the fuzzer will not find, so an input starting
 * with 'S' is instead taken as claims JSON, signed, and verified: that
 * reaches the payload and time checks. Whatever verifies must be an object
 * whose exp is in the future.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "jwt.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char secret[] = "fuzz-secret-fuzz-secret-fuzz-secret!";
#define NOW 1700000000LL

static void
check_claims(const cJSON *c)
{
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(c, "exp");

	if (!cJSON_IsObject(c) || !cJSON_IsNumber(exp) || !(exp->valuedouble > (double)NOW))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERRLEN], *s = malloc(size + 1), *token;
	const cJSON *exp, *nbf;
	cJSON *claims, *got;

	memcpy(s, data, size);
	s[size] = '\0';
	if (size > 0 && s[0] == 'S' && (claims = cJSON_Parse(s + 1)) != NULL) {
		token = jwt_sign(claims, secret, sizeof secret - 1);
		if (token == NULL)
			abort();
		got = jwt_verify(token, secret, sizeof secret - 1, NOW, err);
		if (got != NULL)
			check_claims(got);
		/* An object with a future exp and no nbf must verify, if it fits. */
		exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
		nbf = cJSON_GetObjectItemCaseSensitive(claims, "nbf");
		/* (JSON has no infinity: cJSON prints 1e999 as null.) */
		if (got == NULL && cJSON_IsObject(claims) && cJSON_IsNumber(exp) &&
		    isfinite(exp->valuedouble) && exp->valuedouble > (double)NOW && nbf == NULL &&
		    strlen(token) <= JWT_MAX_LEN)
			abort();
		cJSON_Delete(got);
		cJSON_Delete(claims);
		free(token);
	} else if ((got = jwt_verify(s, secret, sizeof secret - 1, NOW, err)) != NULL) {
		check_claims(got);
		cJSON_Delete(got);
	} else if (strstr(err, "token") == NULL && strstr(err, "signature") == NULL &&
	    strstr(err, "algorithm") == NULL)
		abort();
	free(s);
	return 0;
}
