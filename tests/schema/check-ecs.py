#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validate ghostport's ECS lines against Elastic's own field definitions.

    check-ecs.py ECS_FLAT_JS FIXTURES STAGE

ECS_FLAT_JS is generated/ecs_flat.js of the npm package @elastic/ecs (read
through node); FIXTURES holds "<case>\\t<format>\\t<line>" lines
(gen_fixtures ecs).  One result line per case: PASS/FAIL STAGE/<case>.

Checks, per field of the flattened event:
  * it is an ECS field, or under ghostport.* (our custom field set, which
    must not collide with an ECS one);
  * its JSON type matches the ECS type (keyword/text -> string, long ->
    integer, ip -> an IP address, date -> RFC 3339, boolean, ...);
  * array-ness: arrays exactly where ECS normalizes to an array;
  * allowed values (event.kind, category, type, outcome), and event.type
    among the expected types of the event's categories;
  * fields ECS requires (@timestamp, ecs.version) are present, and
    ecs.version is the version of these definitions;
  * strings carry no control characters (docs/siem.md: replaced by U+FFFD,
    the raw bytes in *_hex).
"""
import ipaddress
import json
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from fixtures import check_json_fixtures  # noqa: E402

STRING_TYPES = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text"}
INT_TYPES = {"long", "integer", "short", "byte", "unsigned_long"}
FLOAT_TYPES = {"float", "half_float", "scaled_float", "double"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def load_ecs(path):
    js = ("process.stdout.write(JSON.stringify(require(process.argv[1]).EcsFlat))")
    out = subprocess.run(["node", "-e", js, path], check=True, capture_output=True)
    return json.loads(out.stdout)


def flatten(obj, prefix=""):
    """Dotted field names of nested objects; arrays and scalars are leaves."""
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict):
            yield from flatten(v, name + ".")
        else:
            yield name, v


def check_value(name, v, ftype):
    if ftype in STRING_TYPES:
        return None if isinstance(v, str) else "is not a string"
    if ftype in INT_TYPES:
        return None if isinstance(v, int) and not isinstance(v, bool) else "is not an integer"
    if ftype in FLOAT_TYPES:
        return None if isinstance(v, (int, float)) and not isinstance(v, bool) else "is not a number"
    if ftype == "boolean":
        return None if isinstance(v, bool) else "is not a boolean"
    if ftype == "ip":
        try:
            ipaddress.ip_address(v)
            return None
        except (ValueError, TypeError):
            return "is not an IP address"
    if ftype == "date":
        return None if isinstance(v, str) and RFC3339.match(v) else "is not an RFC 3339 date"
    if ftype in ("object", "flattened", "nested"):
        return None
    return "has ECS type %s, not checked by this validator" % ftype


def validate(ev, ecs, ecs_version):
    errs = []
    fields = dict(flatten(ev))
    for name, spec in ecs.items():
        if spec.get("required") and name not in fields:
            errs.append("%s: required by ECS, missing" % name)
    if fields.get("ecs.version") != ecs_version:
        errs.append("ecs.version: %r, but the definitions are ECS %s" %
                    (fields.get("ecs.version"), ecs_version))
    for name, v in fields.items():
        if isinstance(v, str) and CONTROL.search(v):
            errs.append("%s: control character in %r" % (name, v))
        if isinstance(v, list):
            for x in v:
                if isinstance(x, str) and CONTROL.search(x):
                    errs.append("%s: control character in %r" % (name, x))
        if name.startswith("ghostport."):
            continue
        spec = ecs.get(name)
        if spec is None:
            errs.append("%s: not an ECS field" % name)
            continue
        is_array = "array" in spec.get("normalize", [])
        if is_array and not isinstance(v, list):
            errs.append("%s: ECS normalizes it to an array, got %r" % (name, v))
            continue
        if not is_array and isinstance(v, list):
            errs.append("%s: ECS defines a single value, got an array" % name)
            continue
        for x in (v if isinstance(v, list) else [v]):
            e = check_value(name, x, spec["type"])
            if e:
                errs.append("%s: %r %s (ECS type %s)" % (name, x, e, spec["type"]))
            allowed = spec.get("allowed_values")
            if allowed and x not in [a["name"] for a in allowed]:
                errs.append("%s: %r not among ECS's allowed values" % (name, x))
    # event.type must be expected by one of the event's categories.
    cats = fields.get("event.category") or []
    types = fields.get("event.type") or []
    if cats and isinstance(cats, list) and isinstance(types, list):
        expected = set()
        for a in ecs["event.category"].get("allowed_values", []):
            if a["name"] in cats:
                expected.update(a.get("expected_event_types", []))
        for t in types:
            if t not in expected:
                errs.append("event.type %r is not an expected type for event.category %s" % (t, cats))
    return errs


def main():
    flat_js, fixtures, stage = sys.argv[1:4]
    ecs = load_ecs(flat_js)
    if any(n.startswith("ghostport.") or n == "ghostport" for n in ecs):
        print("FAIL %s/custom-namespace: ghostport.* collides with ECS fields" % stage)
    pkg = json.load(open(flat_js.rsplit("/generated/", 1)[0] + "/package.json"))
    ecs_version = pkg["version"]
    check_json_fixtures(fixtures, stage,
                        lambda ev: validate(ev, ecs, ecs_version),
                        "ECS %s" % ecs_version)


if __name__ == "__main__":
    main()
