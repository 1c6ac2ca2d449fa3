/* STUB: to be written. */
#include "config.h"
#include "cmd.h"

static int
cmd_projects_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	return cmd_fail("projects: not implemented yet");
}

const struct cmd_entry cmd_projects_entry = {
	.name = "projects",
	.usage = "",
	.summary = "(not yet)",
	.exec = cmd_projects_exec,
};
