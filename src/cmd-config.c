/* STUB: to be written. */
#include "config.h"
#include "cmd.h"

static int
cmd_config_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	return cmd_fail("config: not implemented yet");
}

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.usage = "",
	.summary = "(not yet)",
	.exec = cmd_config_exec,
};
