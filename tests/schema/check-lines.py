#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Well-formedness of ghostport's line formats on every fixture.

    check-lines.py cef|syslog|text FIXTURES STAGE

FIXTURES holds "<case>\\t<format>\\t<line>" lines (gen_fixtures FORMAT),
hostile comm/exe/argv/parent included.  One result line per case.
Every line: valid UTF-8, no control character (the line's own newline
aside).  CEF: the header has 8 '|'-separated fields with only \\| and \\\\
escapes, the extension splits into key=value pairs whose values hold no
unescaped '=' (CEF rules), keys are unique.  syslog: the RFC 5424 header,
one SD-ELEMENT whose PARAM-VALUEs escape '"', '\\' and ']', SD-NAMEs of at
most 32 printable ASCII characters without '=', ' ', ']', '"', unique.
text: exactly one line.
"""
import re
import sys

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SDNAME = re.compile(r'^[!#-<>-\\^-~]{1,32}$')   # 33..126 minus = ] "
CEFKEY = re.compile(r'^[A-Za-z0-9_]+$')


def check_cef(line):
    errs = []
    fields, cur, i = [], "", 0
    while i < len(line) and len(fields) < 7:
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            if line[i + 1] not in "\\|":
                errs.append("header: bad escape \\%s" % line[i + 1])
            cur += line[i + 1]
            i += 2
            continue
        if c == "|":
            fields.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if len(fields) != 7 or fields[0] != "CEF:0":
        return errs + ["header: %d fields, %r" % (len(fields), fields[:1])]
    ext = line[i:]
    # key=value pairs: a key starts after a space and ends at an unescaped '='
    keys, pos = [], 0
    tokens = re.split(r"(?<!\\)((?:^| )[A-Za-z0-9_]+=)", ext)
    if tokens[0] != "":
        errs.append("extension: text before the first key: %r" % tokens[0][:40])
    for k, v in zip(tokens[1::2], tokens[2::2]):
        k = k.strip()[:-1]
        keys.append(k)
        j = 0
        while j < len(v):
            if v[j] == "\\":
                if j + 1 >= len(v) or v[j + 1] not in "\\=nr":
                    errs.append("%s: bad escape in %r" % (k, v[:60]))
                j += 2
                continue
            if v[j] == "=":
                errs.append("%s: unescaped '=' in %r" % (k, v[:60]))
            j += 1
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        errs.append("duplicate keys %s" % sorted(dup))
    return errs


def check_syslog(line):
    m = re.match(r"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) ", line)
    if not m:
        return ["RFC 5424 header does not parse"]
    s = line[m.end():]
    if s.startswith("- "):
        return []
    if not s.startswith("["):
        return ["no structured data"]
    m2 = re.match(r"^\[([^ \]=\"]+)", s)
    if not m2:
        return ["bad SD-ID"]
    i = m2.end()
    errs, names = [], []
    while i < len(s) and s[i] == " ":
        eq = s.find("=", i)
        name = s[i + 1:eq]
        if not SDNAME.match(name):
            errs.append("bad SD-NAME %r" % name)
        names.append(name)
        if s[eq + 1] != '"':
            return errs + ["%s: value not quoted" % name]
        j = eq + 2
        while j < len(s) and s[j] != '"':
            if s[j] == "\\":
                j += 2
                continue
            if s[j] == "]":
                errs.append("%s: unescaped ']'" % name)
            j += 1
        if j >= len(s):
            return errs + ["%s: unterminated value" % name]
        i = j + 1
    if i >= len(s) or s[i] != "]":
        errs.append("SD-ELEMENT not closed at %r" % s[i:i + 20])
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        errs.append("duplicate params %s" % sorted(dup))
    return errs


def main():
    fmt, fixtures, stage = sys.argv[1:4]
    n = 0
    raw = open(fixtures, "rb").read()
    for bline in raw.split(b"\n"):
        if not bline:
            continue
        n += 1
        case = bline.split(b"\t", 1)[0].decode("ascii", "replace")
        try:
            text = bline.decode("utf-8").split("\t", 2)[2]
        except (UnicodeDecodeError, IndexError) as e:
            print("FAIL %s/%s: not UTF-8 or not a fixture line: %s" % (stage, case, e))
            continue
        errs = []
        if CONTROL.search(text):
            errs.append("control character at %d" % CONTROL.search(text).start())
        if fmt == "cef":
            errs += check_cef(text)
        elif fmt == "syslog":
            errs += check_syslog(text)
        if errs:
            print("FAIL %s/%s: %s" % (stage, case, "; ".join(errs)))
        else:
            print("PASS %s/%s" % (stage, case))
    if n == 0:
        print("FAIL %s/fixtures: no fixture lines" % stage)


if __name__ == "__main__":
    main()
