#!/bin/sh
# gp-min-results: 20
# gp-timeout: 420
# Squatters already there (issue 18) on a Debian kernel: tests/e2e/gp_scan
# (sockets bound before ghostport, in another netns, two holders, passed
# on; `ghostport scan --json` with and without the daemon; a reload adding
# a held port; --close-existing closing one and sparing an exempt one; a
# forced SOCK_DESTROY failure).  The diag modules come from modules.txt.
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}
GP=/gp/bin/ghostport
T=/gp/bin/gp_scan

gp_need_binaries gp_scan "$S/scan" || exit 0
mkdir -p /tmp/gp-scan
"$T" --ghostport "$GP" --prefix "$S/scan" --dir /tmp/gp-scan
rc=$?
[ $rc -le 1 ] || { echo "FAIL $S/scan/exit: gp_scan exit status $rc"; "$GP" unload >/dev/null 2>&1; }
exit 0
