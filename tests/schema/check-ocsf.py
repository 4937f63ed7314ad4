#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validate ghostport's OCSF lines against the OCSF schema files.

    check-ocsf.py SCHEMA_DIR FIXTURES STAGE

SCHEMA_DIR is one version of the schema as ocsf-schema lays it out
(version.json, dictionary.json, categories.json, events/, objects/,
profiles/, includes/; /work/shared/data/ocsf/<version>); FIXTURES holds
"<case>\\t<format>\\t<line>" lines (gen_fixtures ocsf).  One result line per
case: PASS/FAIL STAGE/<case>.

Read the way the official tooling reads it: a class's attributes are its
own plus those of the class it extends and of every $include (profiles
included there mark their attributes with the profile); an attribute's
type, enum and array-ness come from dictionary.json unless the class or
object overrides them; objects are resolved the same way (extends,
$include).  Checks:
  * metadata.version is this schema's version; class_uid/category_uid
    name a class of the schema; type_uid = class_uid * 100 + activity_id;
    class_name, category_name and each enum's sibling (activity_name,
    severity, status, action, ...) carry the enum's caption (free text only
    for 99 Other);
  * every attribute is defined for the class (or its object), is of the
    right type (scalar types through dictionary "types"), arrays where
    is_array, enums within their values;
  * required attributes present (in the event and in every object present),
    at_least_one / just_one constraints;
  * attributes of a profile only when metadata.profiles lists it; every
    listed profile is one the class has, or one that an object the event
    uses includes (process includes container);
  * strings carry no control characters (docs/siem.md).
"""
import ipaddress
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from fixtures import check_json_fixtures  # noqa: E402

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Checked structurally (validate()), not against the include's placeholder
# enums (classification.json lists only Base Event's 0).
STRUCTURAL = {"class_uid", "category_uid", "type_uid"}


def merge_attr(base, over):
    """An attribute definition with another's on top; enums are merged
    item by item (as the OCSF compiler does: 0 Unknown and 99 Other come
    from the dictionary or an include, the rest from the class)."""
    a = dict(base)
    a.update(over)
    if "enum" in base and "enum" in over:
        a["enum"] = dict(base["enum"], **over["enum"])
    return a


class Schema:
    def __init__(self, root):
        self.root = root
        # Objects the shared subset lacks, copied verbatim from the same
        # tag into the repository (tests/schema/ocsf-extra/<version>).
        self.extra = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  "ocsf-extra", os.path.basename(root.rstrip("/")))
        self.dict = self.load("dictionary.json")
        self.attrs = self.dict["attributes"]
        self.types = self.dict["types"]["attributes"]
        self.version = self.load("version.json")["version"]
        self.categories = self.load("categories.json")["attributes"]
        self.classes = {}
        for dirpath, _, files in os.walk(os.path.join(root, "events")):
            for f in files:
                c = json.load(open(os.path.join(dirpath, f)))
                self.classes[c["name"]] = c

    def load(self, rel):
        return json.load(open(os.path.join(self.root, rel)))

    def merged(self, spec, kind):
        """Attributes of a class or object: extends, own, $include."""
        out = {}
        if spec.get("extends"):
            parent = (self.classes[spec["extends"]] if kind == "class"
                      else self.load("objects/%s.json" % spec["extends"]))
            out.update(self.merged(parent, kind))
        attrs = spec.get("attributes", {})
        for inc in attrs.get("$include", []):
            f = self.load(inc)
            profile = f.get("name") if f.get("meta") == "profile" else None
            for k, v in f.get("attributes", {}).items():
                a = merge_attr(out.get(k, {}), v)
                if profile:
                    a["_profile"] = profile
                out[k] = a
        for k, v in attrs.items():
            if k == "$include":
                continue
            out[k] = merge_attr(out.get(k, {}), v)
        return out

    def resolve(self, name, over):
        """The dictionary's definition of an attribute with the class's or
        object's overrides on top."""
        return merge_attr(self.attrs.get(name, {}), over)

    def category_of(self, c):
        """A class's category: its own, or the one of the class it extends."""
        while not c.get("category") and c.get("extends"):
            c = self.classes[c["extends"]]
        return c.get("category", "other")

    def class_by_uid(self, uid):
        for c in self.classes.values():
            if "uid" not in c and c["name"] != "base_event":
                continue    # abstract (network): no events of its own
            catname = self.category_of(c)
            cat = dict(self.categories.get(catname, {}), name=catname)
            full = cat.get("uid", 0) * 1000 + c.get("uid", 0)
            if full == uid:
                return c, cat
        return None, None

    def object_spec(self, name):
        for root in (self.root, self.extra):
            path = os.path.join(root or "", "objects", name + ".json")
            if root and os.path.exists(path):
                return json.load(open(path))
        return None


def base_type(schema, t):
    """integer_t, string_t, ... for a scalar type (port_t -> integer_t)."""
    seen = 0
    while t in schema.types and schema.types[t].get("type") and seen < 5:
        t = schema.types[t]["type"]
        seen += 1
    return t


def check_scalar(schema, path, v, t, errs):
    bt = base_type(schema, t)
    ok = {
        "string_t": lambda x: isinstance(x, str),
        "integer_t": lambda x: isinstance(x, int) and not isinstance(x, bool),
        "long_t": lambda x: isinstance(x, int) and not isinstance(x, bool),
        "float_t": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
        "boolean_t": lambda x: isinstance(x, bool),
        "json_t": lambda x: True,
    }.get(bt)
    if ok is None:
        errs.append("%s: type %s (%s) not known to this validator" % (path, t, bt))
        return
    if not ok(v):
        errs.append("%s: %r is not %s (%s)" % (path, v, t, bt))
        return
    if t == "ip_t":
        try:
            ipaddress.ip_address(v)
        except ValueError:
            errs.append("%s: %r is not an IP address" % (path, v))
    if t == "port_t" and not 0 <= v <= 65535:
        errs.append("%s: %r out of port range" % (path, v))
    if isinstance(v, str) and CONTROL.search(v):
        errs.append("%s: control character in %r" % (path, v))


def check_enums(schema, path, obj, attrs, errs):
    for k, v in obj.items():
        a = attrs.get(k)
        if not a or "enum" not in a or not isinstance(v, int) or k in STRUCTURAL:
            continue
        enum = a["enum"]
        if str(v) not in enum:
            errs.append("%s%s: %r not among %s" % (path, k, v, sorted(enum, key=int)))
            continue
        sib = a.get("sibling")
        if sib and sib in obj and v != 99 and obj[sib] != enum[str(v)]["caption"]:
            errs.append("%s%s: %r, but %s=%d is %r" % (path, sib, obj[sib], k, v,
                                                      enum[str(v)]["caption"]))


def check_object(schema, path, obj, attrs, profiles, errs, depth=0, seen=None):
    """obj against the merged attribute specs attrs (class or object).
    seen collects the profiles that objects of the event carry (an object
    may include a profile, e.g. process includes container)."""
    if seen is not None and depth > 0:
        seen.update(a["_profile"] for a in attrs.values() if a.get("_profile"))
    for k, a in attrs.items():
        if a.get("requirement") == "required" and k not in obj and \
                (not a.get("_profile") or a["_profile"] in profiles):
            errs.append("%s%s: required, missing" % (path, k))
    for k, v in obj.items():
        if k not in attrs:
            errs.append("%s%s: not an attribute of this %s" % (path, k, "class" if depth == 0 else "object"))
            continue
        a = schema.resolve(k, attrs[k])
        prof = attrs[k].get("_profile")
        if prof and prof not in profiles:
            errs.append("%s%s: attribute of profile %r, which metadata.profiles does not list" %
                        (path, k, prof))
        if a.get("is_array"):
            if not isinstance(v, list):
                errs.append("%s%s: must be an array" % (path, k))
                continue
            items = v
        else:
            if isinstance(v, list):
                errs.append("%s%s: must not be an array" % (path, k))
                continue
            items = [v]
        for x in items:
            t = a.get("type", "?")
            if t == "object_t" or not t.endswith("_t"):
                # object_t + object_type, or the object's name as the type
                ot = a.get("object_type") if t == "object_t" else t
                if not isinstance(x, dict):
                    errs.append("%s%s: must be an object (%s)" % (path, k, ot))
                    continue
                if ot == "object":
                    continue    # free-form (unmapped)
                spec = schema.object_spec(ot)
                if spec is None:
                    errs.append("%s%s: object %s not in the schema subset" % (path, k, ot))
                    continue
                oattrs = schema.merged(spec, "object")
                check_object(schema, "%s%s." % (path, k), x, oattrs, profiles, errs, depth + 1, seen)
                check_constraints(spec, "%s%s." % (path, k), x, errs)
            else:
                check_scalar(schema, path + k, x, t, errs)
    check_enums(schema, path, obj, {k: schema.resolve(k, a) for k, a in attrs.items()}, errs)


def check_constraints(spec, path, obj, errs):
    c = spec.get("constraints", {})
    if c.get("at_least_one") and not any(k in obj for k in c["at_least_one"]):
        errs.append("%s: needs at least one of %s" % (path or "event", c["at_least_one"]))
    if c.get("just_one") and sum(k in obj for k in c["just_one"]) != 1:
        errs.append("%s: needs exactly one of %s" % (path or "event", c["just_one"]))


def validate(schema, ev):
    errs = []
    md = ev.get("metadata", {})
    if md.get("version") != schema.version:
        errs.append("metadata.version: %r, validating against %s" % (md.get("version"), schema.version))
    cls, cat = schema.class_by_uid(ev.get("class_uid"))
    if cls is None:
        return errs + ["class_uid %r: no such class in this schema subset" % ev.get("class_uid")]
    attrs = schema.merged(cls, "class")
    profiles = md.get("profiles", [])
    class_profiles = set(cls.get("profiles", []))
    c = cls
    while c.get("extends"):
        c = schema.classes[c["extends"]]
        class_profiles.update(c.get("profiles", []))
    class_profiles.update(a["_profile"] for a in attrs.values() if a.get("_profile"))
    seen = set()
    check_object(schema, "", ev, attrs, profiles, errs, 0, seen)
    for p in profiles:
        if p not in class_profiles and p not in seen:
            errs.append("metadata.profiles: %r is not a profile of %s or of an object it uses" %
                        (p, cls["caption"]))
    if ev.get("class_name") not in (None, cls["caption"]):
        errs.append("class_name: %r, class %s is %r" % (ev["class_name"], ev["class_uid"], cls["caption"]))
    cat_uid = cat.get("uid", 0)
    if ev.get("category_uid") != cat_uid:
        errs.append("category_uid: %r, class %s is in %r" % (ev.get("category_uid"), ev["class_uid"], cat_uid))
    if cat["name"] != "other" and ev.get("category_name") not in (None, cat.get("caption")):
        errs.append("category_name: %r, not %r" % (ev.get("category_name"), cat.get("caption")))
    if ev.get("type_uid") != ev.get("class_uid", 0) * 100 + ev.get("activity_id", -1):
        errs.append("type_uid: %r != class_uid * 100 + activity_id" % ev.get("type_uid"))
    c = cls
    while c:
        check_constraints(c, "", ev, errs)
        c = schema.classes.get(c.get("extends")) if c.get("extends") else None
    return errs


def main():
    root, fixtures, stage = sys.argv[1:4]
    schema = Schema(root)
    check_json_fixtures(fixtures, stage, lambda ev: validate(schema, ev),
                        "OCSF %s" % schema.version)


if __name__ == "__main__":
    main()
