/* The redactor the config asks for: kept apart so redact.c needs no config (bench/redact). */
#include "config.h"

#include "config/config.h"
#include "privacy/redact.h"

struct redactor *
redactor_from_config(const struct config *cfg, char *err)
{
	struct redactor *r = redactor_new(config_get(cfg, "redact.patterns"),
	    config_get(cfg, "redact.allow"), err);

	if (r != NULL)
		redactor_set_enabled(r, config_get_bool(cfg, "redact.enabled"));
	return r;
}
