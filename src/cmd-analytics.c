/* STUB: to be written. */
#include "config.h"
#include "cmd.h"

static int
cmd_analytics_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	return cmd_fail("analytics: not implemented yet");
}

const struct cmd_entry cmd_analytics_entry = {
	.name = "analytics",
	.usage = "",
	.summary = "(not yet)",
	.exec = cmd_analytics_exec,
};
