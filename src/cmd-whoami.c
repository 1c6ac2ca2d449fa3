/* agentlogs whoami: who this machine is logged in as, and where. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "sync/account.h"
#include "sync/auth-session.h"
#include "util/log.h"

static int
cmd_whoami_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct auth_session s;
	char err[ERRLEN], machine[UUID_STRLEN];
	int rc;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		cmd_print_usage(&cmd_whoami_entry, stdout);
		printf("\nPrints the GitHub login (or e-mail), the user id, this machine's id and "
		    "the cloud.\nExit status 1 when logged out.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return cmd_usage_error(&cmd_whoami_entry, "unexpected argument '%s'", argv[1]);
	if ((rc = auth_session_load(ctx->home, &s, err)) == 1) {
		fprintf(stderr, "%s: not logged in (agentlogs login)\n", log_progname());
		return EXIT_FAIL;
	}
	if (rc < 0)
		return cmd_fail("%s", err);
	if (account_machine_id(ctx->home, machine, err) != 0) {
		auth_session_free(&s);
		return cmd_fail("%s", err);
	}
	printf("user:    %s\n", s.user_name != NULL ? s.user_name :
	    s.email != NULL ? s.email : "-");
	if (s.user_name != NULL && s.email != NULL)
		printf("email:   %s\n", s.email);
	printf("id:      %s\nmachine: %s\ncloud:   %s\n", s.user_id, machine, s.url);
	auth_session_free(&s);
	return EXIT_OK;
}

const struct cmd_entry cmd_whoami_entry = {
	.name = "whoami",
	.usage = "",
	.summary = "show the cloud user, this machine and the cloud URL",
	.exec = cmd_whoami_exec,
};
