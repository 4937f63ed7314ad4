#!/bin/bash
# check-layers.sh - `make check-layers`: every userspace file includes only
# its own stage and the stages below it, so the data path reads bottom-up:
#
#   lib <- event <- policy <- source            <- daemon <- cmd <- main.c, run.c
#                         \<- scan (squatters) <-/
#               \<- format <- output (and daemon, cmd)
#
# A back-edge is fixed by moving code to the stage that owns it, never by
# adding it to this table.  Prints one line per violation; exit 1 if any.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT/userspace" || exit 2

# stage -> the stages its files may include (besides itself).
declare -A MAY=(
	[lib]=""
	[event]="lib"
	[policy]="lib event"
	[source]="lib event policy"
	[format]="lib event"
	[output]="lib event format"
	[scan]="lib event policy"
	[daemon]="lib event policy source scan format output"
	[cmd]="lib event policy source scan format output daemon"
	[top]="lib event policy source scan format output daemon cmd"
)
# Headers from outside userspace/: the event ABI is for everyone; the BPF
# skeleton and the module's ioctls belong to the sources that load them.
declare -A OUTSIDE=(
	[ghostport_abi.h]="*"
	[ghostport_bpf.h]="source"
	[ghostport.skel.h]="source"
	[ghostport_kmod.h]="source"
)

bad=0
complain() { echo "check-layers: $*"; bad=1; }

for f in $(find . -name '*.[ch]' | sed 's#^\./##' | sort); do
	case $f in
		*/*) stage=${f%%/*};;
		*) stage=top;;
	esac
	if [ -z "${MAY[$stage]+x}" ]; then
		complain "$f: folder '$stage' is not a stage in tools/check-layers.sh"
		continue
	fi
	while IFS=: read -r line inc; do
		inc=${inc#*\"}; inc=${inc%%\"*}
		case $inc in
			*/*)
				to=${inc%%/*}
				if [ ! -f "$inc" ]; then
					complain "$f:$line: \"$inc\" does not exist"
				elif [ -z "${MAY[$to]+x}" ] || [ "$to" = top ]; then
					complain "$f:$line: \"$inc\" is not in a stage"
				elif [ "$to" != "$stage" ] &&
				     ! [[ " ${MAY[$stage]} " == *" $to "* ]]; then
					complain "$f:$line: $stage/ may not include $inc ($to/ is not below $stage/)"
				fi;;
			run.h)
				[ "$stage" = top ] || complain "$f:$line: only main.c and run.c include run.h";;
			*)
				who=${OUTSIDE[$inc]:-}
				if [ -z "$who" ]; then
					complain "$f:$line: \"$inc\": include userspace headers as \"stage/file.h\""
				elif [ "$who" != "*" ] && [ "$who" != "$stage" ]; then
					complain "$f:$line: only $who/ includes \"$inc\""
				fi;;
		esac
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | cut -d: -f1,2)
done
exit $bad
