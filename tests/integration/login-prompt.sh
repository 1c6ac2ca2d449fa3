#!/bin/sh
# The password prompt on a real terminal (a pseudo-terminal, as sshd gives):
# "Password: ", nothing echoed, the line ended after the answer, logged in.
# A password longer than the prompt takes is refused as such, not cut short
# and sent, and the prompt's line is still ended.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com

# on_tty HOME PASSWORD ARG...: agentlogs ARG... on a terminal of its own,
# answering PASSWORD to the prompt; prints everything the terminal showed,
# then a line "exit N", then what was left unread on the terminal.
on_tty() {
	python3 - "$@" <<'PY'
import os, pty, select, sys, termios
home, password, args = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.environ["AGENTLOGS_HOME"] = home
    os.execv(os.environ["AGENTLOGS"], [os.environ["AGENTLOGS"]] + args)
seen, answered = b"", False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not answered and seen.endswith(b"Password: "):
        # Wait until echo is off, as a person would type only after the prompt.
        while termios.tcgetattr(fd)[3] & termios.ECHO:
            select.select([], [], [], 0.01)
        os.write(fd, password.encode() + b"\n")
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace").replace("\r\n", "\n"))
print("exit", os.waitstatus_to_exitcode(status))
PY
}

out=$(on_tty "$(y_home B)" "pw-ann@example.com" login --email ann@example.com) ||
	t_fail "running login on a terminal"
t_assert_contains "$out" "exit 0" "login on a terminal"
case $out in
"Password: 
Logged in to $S_URL as ann@example.com."*) ;;
*) t_fail "the terminal showed: $out" ;;
esac
case $out in *pw-ann*) t_fail "the password was echoed: $out" ;; esac
y_ok B whoami
t_assert_contains "$t_out" "ann@example.com"

long=$(python3 -c 'print("x" * 1100)')
out=$(on_tty "$(y_home B)" "$long" login --email ann@example.com) ||
	t_fail "running login with a long password"
t_assert_contains "$out" "exit 1" "login with a 1,100-byte password"
# The prompt's line is ended even with unread input behind the answer (a
# stream that wrote after reading without a seek lost this newline).
case $out in
"Password: 
agentlogs: "*) ;;
*) t_fail "the prompt's line was not ended: $out" ;;
esac
t_assert_contains "$out" "the password is longer than 1023 bytes"
case $out in *xxxx*) t_fail "the long password showed on the terminal: $out" ;; esac

echo "PASS: login-prompt"
