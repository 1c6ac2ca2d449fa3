/* STUB: to be written. */
#include "config.h"
#include "cmd.h"

static int
cmd_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	return cmd_fail("show: not implemented yet");
}

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = "",
	.summary = "(not yet)",
	.exec = cmd_show_exec,
};
