#!/bin/sh
# src/util/width-table.c is what src/util/gen-width-table.py writes from the
# Unicode 15 Character Database (Debian's unicode-data, which .ci/run
# installs): nobody edited the generated table by hand, and it follows the
# database it names.
. "$SRCDIR/tests/integration/lib.sh"
[ -f /usr/share/unicode/EastAsianWidth.txt ] || t_skip "no Unicode Character Database (apt install unicode-data)"
t_mktemp
python3 "$SRCDIR/src/util/gen-width-table.py" /usr/share/unicode >"$T_TMP/table.c" ||
	t_fail "gen-width-table.py failed"
cmp -s "$T_TMP/table.c" "$SRCDIR/src/util/width-table.c" ||
	t_fail "src/util/width-table.c differs from what gen-width-table.py writes: $(diff "$T_TMP/table.c" "$SRCDIR/src/util/width-table.c" | head -5)"
grep -q "Unicode 15" "$T_TMP/table.c" || t_fail "the database is not Unicode 15: $(head -n 1 "$T_TMP/table.c")"
echo "PASS: the width table is generated from the Unicode 15 database"
