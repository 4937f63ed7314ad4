# SPDX-License-Identifier: GPL-2.0
"""What the JSON schema checkers (check-ecs.py, check-ocsf.py) share.

gen_fixtures writes one "<case>\\t<format>\\t<line>" line per case; each
checker brings its own validate(event) -> [violation, ...] and this prints
one result line per case: PASS/FAIL STAGE/<case>.
"""
import json


def check_json_fixtures(fixtures, stage, validate, against):
    """Validate every fixture line; against names the schema ("ECS 9.4.0")."""
    n = 0
    for line in open(fixtures, encoding="utf-8", errors="strict"):
        case, _, text = line.rstrip("\n").split("\t", 2)
        n += 1
        try:
            ev = json.loads(text)
        except ValueError as e:
            print("FAIL %s/%s: invalid JSON: %s" % (stage, case, e))
            continue
        errs = validate(ev)
        if errs:
            print("FAIL %s/%s: %d violation(s) against %s: %s" %
                  (stage, case, len(errs), against, "; ".join(errs)))
        else:
            print("PASS %s/%s" % (stage, case))
    if n == 0:
        print("FAIL %s/fixtures: no fixture lines in %s" % (stage, fixtures))
