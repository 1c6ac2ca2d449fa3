/* STUB */
#include "config.h"
#include "cmd.h"
static int
cmd_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	return cmd_fail("import: not implemented yet");
}
const struct cmd_entry cmd_import_entry = { .name = "import", .usage = "", .summary = "", .exec = cmd_import_exec };
