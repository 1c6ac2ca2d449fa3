#!/bin/sh
# tests/compat/install.sh DIR: installs the pinned supabase-js (package.json,
# package-lock.json beside this script) with `npm ci` into DIR/node_modules,
# outside the source tree. Does nothing when DIR already holds this lock's
# install. tests/integration/compat-supabase-js.sh finds it through
# $AGENTLOGS_COMPAT_MODULES=DIR.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
if [ -d "$dir/node_modules/@supabase/supabase-js" ] &&
	cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
	exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "$0: npm is not installed" >&2; exit 1; }
cp "$here/package.json" "$here/package-lock.json" "$dir/"
cd "$dir"
# No install scripts: the packages need none, and nothing from the registry runs here.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
