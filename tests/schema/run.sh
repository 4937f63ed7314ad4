#!/bin/bash
# tests/schema/run.sh - the JSON SIEM formats against their official schemas
# (part of the unit stage): every fixture of build/tests/schema/gen_fixtures
# (each verdict, folded, drop notice, bound device, hostile comm/exe) must
# pass check-ecs.py (Elastic's @elastic/ecs definitions, fetched by
# tools/install-deps.sh --test) and check-ocsf.py (the OCSF version the ocsf
# format declares, from $GP_OCSF_DIR, default /work/shared/data/ocsf).
# CEF, syslog and text lines are checked for well-formedness by
# check-lines.py.  Result lines: PASS/FAIL/SKIP
# unit/schema/{ecs,ocsf-<version>,cef,syslog,text}/<case>.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
GEN=$BUILD/tests/schema/gen_fixtures
ECS_FLAT=${GP_ECS_FLAT:-$ROOT/build/cache/npm/node_modules/@elastic/ecs/generated/ecs_flat.js}
OCSF_DIR=${GP_OCSF_DIR:-/work/shared/data/ocsf}
tmp=$(mktemp -d /tmp/gp-schema.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# gen FORMAT: the fixtures of FORMAT into $tmp/FORMAT.
gen() {
	"$GEN" "$1" >"$tmp/$1" 2>"$tmp/$1.err" ||
		echo "FAIL unit/schema/$1/generate: $(head -c 300 "$tmp/$1.err")"
}

# check NAME SCRIPT ARGS...: tests/schema/SCRIPT prints the result lines;
# a FAIL unit/schema/NAME/validator line if it breaks.
check() {
	local name=$1 script=$2
	shift 2
	python3 "$ROOT/tests/schema/$script" "$@" ||
		echo "FAIL unit/schema/$name/validator: $script exited with status $?"
}

if [ ! -x "$GEN" ]; then
	echo "FAIL unit/schema/build: $GEN not built (make unit)"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "SKIP unit/schema/all: python3 not installed"
	exit 0
fi

# ECS
if ! command -v node >/dev/null; then
	echo "SKIP unit/schema/ecs: node not installed (tools/install-deps.sh --test)"
elif [ ! -f "$ECS_FLAT" ]; then
	echo "SKIP unit/schema/ecs: $ECS_FLAT missing (tools/install-deps.sh --test fetches @elastic/ecs)"
else
	gen ecs
	check ecs check-ecs.py "$ECS_FLAT" "$tmp/ecs" unit/schema/ecs
fi

# OCSF: the version the format declares, strictly.
gen ocsf
ver=$(head -n1 "$tmp/ocsf" | cut -f3 | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["version"])' 2>/dev/null)
if [ -z "$ver" ]; then
	echo "FAIL unit/schema/ocsf: no metadata.version in the first fixture"
elif [ ! -f "$OCSF_DIR/$ver/dictionary.json" ]; then
	echo "SKIP unit/schema/ocsf-$ver: no OCSF $ver schema in $OCSF_DIR (set GP_OCSF_DIR)"
else
	check ocsf check-ocsf.py "$OCSF_DIR/$ver" "$tmp/ocsf" "unit/schema/ocsf-$ver"
fi

# CEF, RFC 5424 and text: well formed on every fixture (hostile bytes too).
for f in cef syslog text; do
	gen $f
	check $f check-lines.py $f "$tmp/$f" "unit/schema/$f"
done
exit 0
