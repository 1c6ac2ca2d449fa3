/* STUB: to be written. */
#include "config.h"
#include "cmd.h"

static int
cmd_log_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	return cmd_fail("log: not implemented yet");
}

const struct cmd_entry cmd_log_entry = {
	.name = "log",
	.usage = "",
	.summary = "(not yet)",
	.exec = cmd_log_exec,
};
