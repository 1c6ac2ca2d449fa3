#!/bin/sh
# agentlogs config: get/set/unset/list, validation, warnings, keeping the
# lines it does not own, file mode and help. Needs $AGENTLOGS (the binary).
set -u
. "${SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
: "${AGENTLOGS:?AGENTLOGS must name the agentlogs binary}"

t_mktemp
AGENTLOGS_HOME=$T_TMP/home
export AGENTLOGS_HOME
cfg=$AGENTLOGS_HOME/config

# ok ARG...: `agentlogs config ARG...` must succeed without a word on stderr.
ok() {
	t_run "$AGENTLOGS" config "$@"
	t_assert_eq 0 "$t_rc" "exit status of config $*"
	t_assert_eq "" "$t_err" "stderr of config $*"
}

# fails STATUS STDERR ARG...: must exit STATUS with exactly STDERR's first line.
fails() {
	status=$1 msg=$2
	shift 2
	t_run "$AGENTLOGS" config "$@"
	t_assert_eq "$status" "$t_rc" "exit status of config $*"
	t_assert_eq "" "$t_out" "stdout of config $*"
	t_assert_eq "$msg" "$(printf '%s\n' "$t_err" | head -n 1)" "stderr of config $*"
}

expect_get() {
	ok get "$1"
	t_assert_eq "$2" "$t_out" "value of $1"
}

# Defaults, with no home directory at all; reading creates nothing.
expect_get storage cloud
expect_get continuous-sync true
expect_get cloud.url ""
expect_get cloud.anon-key ""
expect_get sync.conflicts auto
expect_get theme default
expect_get analytics.opt-in false
expect_get import.idle-minutes 30
[ ! -e "$AGENTLOGS_HOME" ] || t_fail "config get created $AGENTLOGS_HOME"
ok unset storage
[ ! -e "$cfg" ] || t_fail "config unset created $cfg"

# set, then get: values come back normalized.
ok set storage local
expect_get storage local
ok set continuous-sync off
expect_get continuous-sync false
ok set analytics.opt-in YES
expect_get analytics.opt-in true
ok set import.idle-minutes 10080
expect_get import.idle-minutes 10080
ok set import.idle-minutes 1
expect_get import.idle-minutes 1
ok set import.idle-minutes 060
expect_get import.idle-minutes 60
ok set cloud.url https://example.supabase.co
expect_get cloud.url https://example.supabase.co
ok set theme solarized-dark
expect_get theme solarized-dark
ok set cloud.anon-key 'key with "quotes" # and \ backslash'
expect_get cloud.anon-key 'key with "quotes" # and \ backslash'
t_assert_eq -rw------- "$(ls -l "$cfg" | cut -c1-10)" "mode of $cfg"
[ "$(ls -ld "$AGENTLOGS_HOME" | cut -c1-10)" = drwx------ ] ||
    t_fail "home directory is not mode 0700"

# Rejected values: exit 1, one line on stderr, the file untouched.
cp "$cfg" "$T_TMP/before"
bad() {
	fails 1 "agentlogs: invalid value '$2' for $1: expected $3" set "$1" "$2"
	cmp -s "$cfg" "$T_TMP/before" || t_fail "a rejected value changed $cfg"
}
range="a number from 1 to 10080"
bad import.idle-minutes 0 "$range"
bad import.idle-minutes 10081 "$range"
bad import.idle-minutes abc "$range"
bad import.idle-minutes 12x "$range"
bad import.idle-minutes -5 "$range"
bad import.idle-minutes "" "$range"
bad storage s3 "local or cloud"
bad sync.conflicts never "auto or manual"
bad continuous-sync maybe "true or false (or yes/no, on/off, 1/0)"
bad cloud.url ftp://example.com "an http:// or https:// URL, or an empty value"
bad cloud.url example.com "an http:// or https:// URL, or an empty value"
bad theme "My Theme" "one or more characters from [a-z0-9-]"
bad theme "" "one or more characters from [a-z0-9-]"

# redact.patterns is refused at once when it is no regular expression (not
# only at push): one line naming the key, the file untouched; a good one is kept.
for re in '(unclosed' 'a[b' 'x{2,1}' '*lead'; do
	t_run "$AGENTLOGS" config set redact.patterns "$re"
	t_assert_eq 1 "$t_rc" "exit status of config set redact.patterns '$re'"
	t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l | tr -d ' ')" "lines of stderr for '$re'"
	t_assert_contains "$t_err" "agentlogs: invalid value for redact.patterns: not a POSIX extended regular expression (" \
	    "stderr of config set redact.patterns '$re'"
	cmp -s "$cfg" "$T_TMP/before" || t_fail "a bad redact.patterns '$re' changed $cfg"
done
ok set redact.patterns 'tok_[0-9]{8}|internal-[a-z]+'
expect_get redact.patterns 'tok_[0-9]{8}|internal-[a-z]+'
ok unset redact.patterns
cp "$cfg" "$T_TMP/before"

# Unknown keys: exit 1 for every subcommand.
unknown="agentlogs: unknown config key 'foo' (see 'agentlogs config list')"
fails 1 "$unknown" get foo
fails 1 "$unknown" set foo bar
fails 1 "$unknown" unset foo
cmp -s "$cfg" "$T_TMP/before" || t_fail "an unknown key changed $cfg"

# list shows every key, and the default of those that differ.
ok list
t_assert_eq 19 "$(printf '%s\n' "$t_out" | wc -l | tr -d ' ')" "lines of config list"
t_assert_contains "$t_out" "storage             = local  # default: cloud"
t_assert_contains "$t_out" "import.idle-minutes = 60  # default: 30"
t_assert_contains "$t_out" 'cloud.anon-key      = "key with \"quotes\" # and \\ backslash"'
line=$(printf '%s\n' "$t_out" | grep '^sync.conflicts ')
t_assert_eq "sync.conflicts      = auto" "$line" "unchanged key in config list"
ok list --json
t_assert_contains "$t_out" '{"key":"import.idle-minutes","value":60,"default":30,"type":"number","set":true}'
t_assert_contains "$t_out" '{"key":"continuous-sync","value":false,"default":true,"type":"boolean","set":true}'
t_assert_contains "$t_out" '{"key":"sync.conflicts","value":"auto","default":"auto","type":"enum","set":false}'
t_assert_eq 19 "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" \
	"keys in config list --json"

# unset reverts to the default and removes the line.
ok unset storage
expect_get storage cloud
grep -q '^set storage' "$cfg" && t_fail "config unset left a storage line"
ok unset storage

# The file is the person's: comments, other directives, unknown keys and
# trailing comments survive a set; only the key's own line changes.
cat >"$cfg" <<'EOF'
# my agentlogs settings

bind main <Enter> view-diff
set theme = dark   # keep me
color cursor white blue bold
set foo = bar
	set import.idle-minutes = 45
EOF
ok set theme light
ok set sync.conflicts manual
ok unset import.idle-minutes
cat >"$T_TMP/want" <<'EOF'
# my agentlogs settings

bind main <Enter> view-diff
set theme = light # keep me
color cursor white blue bold
set foo = bar
set sync.conflicts = manual
EOF
cmp -s "$T_TMP/want" "$cfg" || t_fail "config set did not keep the other lines: $(cat "$cfg")"

# Problems in the file warn with file:line and never stop the command.
printf 'set storage = s3\nset import.idle-minutes = "7\n' >>"$cfg"
t_run "$AGENTLOGS" config get storage
t_assert_eq 0 "$t_rc" "exit status with a bad file"
t_assert_eq cloud "$t_out" "storage with a bad value in the file"
t_assert_contains "$t_err" "agentlogs: warning: $cfg:6: unknown config key 'foo'"
t_assert_contains "$t_err" "agentlogs: warning: $cfg:8: invalid value 's3' for storage: expected local or cloud; using 'cloud'"
t_assert_contains "$t_err" "agentlogs: warning: $cfg:9: unterminated quoted value"
t_assert_eq 3 "$(printf '%s\n' "$t_err" | wc -l | tr -d ' ')" "warning lines"

# Help comes from the option table: every key, its range and default.
ok --help
t_assert_contains "$t_out" "usage: agentlogs config get KEY"
for key in storage continuous-sync cloud.url cloud.anon-key sync.conflicts theme \
    analytics.opt-in import.idle-minutes; do
	t_assert_contains "$t_out" "  $key " "config --help"
done
t_assert_contains "$t_out" "number, 1..10080; default 30"
t_assert_contains "$t_out" "enum, local|cloud; default cloud"
t_run "$AGENTLOGS" help config
t_assert_eq 0 "$t_rc" "agentlogs help config"
t_assert_contains "$t_out" "import.idle-minutes"
for sub in get set unset list; do
	ok "$sub" --help
	t_assert_contains "$t_out" "usage: agentlogs config $sub"
done

# Usage errors exit 2.
usage() {
	t_run "$AGENTLOGS" config "$@"
	t_assert_eq 2 "$t_rc" "exit status of config $*"
	t_assert_contains "$t_err" "usage: agentlogs config" "stderr of config $*"
}
usage
usage frobnicate
usage get
usage get storage theme
usage set storage
usage list extra
usage --bogus
usage get --json storage
usage list --bogus

# Every key is documented in the man page.
man=${SRCDIR:-$(dirname "$0")/../..}/man/agentlogs-config.5
rm -f "$cfg"
ok list
for key in $(printf '%s\n' "$t_out" | cut -d' ' -f1); do
	grep -q "^\.B $(printf '%s' "$key" | sed 's/-/\\\\-/g')\$" "$man" ||
	    t_fail "$key is missing from agentlogs-config(5)"
done

exit 0
