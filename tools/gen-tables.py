#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gen-tables.py - data/*.csv to the C tables declared in userspace/event/iana.h.

Usage: tools/gen-tables.py --out build/gen/ghost_table.c data

Reads DATADIR/ghostports.csv (port,protos,name,description,reason) and
DATADIR/iana-services.csv (port,proto,name), both written by
tools/gen-ghostports.py, and writes one C file defining

    const struct gp_ghost   gp_ghost_table[];   const size_t gp_ghost_count;
    const struct gp_service gp_service_table[]; const size_t gp_service_count;

gp_ghost_table is sorted by port (ports unique); gp_service_table by
(port, proto bit), keeping the CSV's order inside one (port, proto), so the
first entry of a run is the preferred name.  All strings live in one
deduplicated string table; every byte outside printable ASCII (and '"', '\\',
'?') is written as a three-digit octal escape, so any input bytes are safe.
The output is deterministic and written atomically (temp file + rename).
Malformed input is an error (exit 1), never silently skipped.
"""

import argparse
import csv
import os
import sys

# Must match GP_PROTO_* in include/ghostport_abi.h and GP_IANA_* in userspace/event/iana.h.
PROTO_BITS = {
    "tcp": ("GP_IANA_TCP", 1 << 0),
    "udp": ("GP_IANA_UDP", 1 << 1),
    "sctp": ("GP_IANA_SCTP", 1 << 2),
    "dccp": ("GP_IANA_DCCP", 1 << 4),
}
# Ghost rules use the blocklist bits: dccp has none and counts as "other".
GHOST_BITS = {
    "tcp": "GP_PROTO_TCP",
    "udp": "GP_PROTO_UDP",
    "sctp": "GP_PROTO_SCTP",
    "dccp": "GP_PROTO_OTHER",
    "other": "GP_PROTO_OTHER",
}


class InputError(Exception):
    pass


def c_string(data):
    """A C string literal for a bytes object; safe for any byte value."""
    out = ['"']
    for b in data:
        if 0x20 <= b < 0x7f and b not in (0x22, 0x5c, 0x3f):
            out.append(chr(b))
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


class StrTab:
    def __init__(self):
        self.off = {}
        self.items = []
        self.size = 0

    def add(self, s):
        b = s.encode("utf-8")
        if b"\0" in b:
            raise InputError("NUL byte in %r" % s)
        if b not in self.off:
            self.off[b] = self.size
            self.items.append(b)
            self.size += len(b) + 1
        return self.off[b]


def read_csv(path, header):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise InputError("%s: %s" % (path, e))
    if not rows or tuple(rows[0]) != header:
        raise InputError("%s: header is not %s" % (path, ",".join(header)))
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise InputError("%s:%d: %d fields, want %d"
                             % (path, n, len(r), len(header)))
        out.append((n, r))
    return out


def port_of(path, n, text):
    if not text.isdigit() or int(text) > 65535:
        raise InputError("%s:%d: bad port %r" % (path, n, text))
    return int(text)


def load(datadir):
    gpath = os.path.join(datadir, "ghostports.csv")
    spath = os.path.join(datadir, "iana-services.csv")
    ghosts = []
    seen = set()
    for n, (port, protos, name, desc, reason) in read_csv(
            gpath, ("port", "protos", "name", "description", "reason")):
        p = port_of(gpath, n, port)
        if p in seen:
            raise InputError("%s:%d: port %d listed twice" % (gpath, n, p))
        seen.add(p)
        bits = []
        for proto in protos.split("+"):
            if proto not in GHOST_BITS:
                raise InputError("%s:%d: bad protocol %r" % (gpath, n, proto))
            if GHOST_BITS[proto] not in bits:
                bits.append(GHOST_BITS[proto])
        if not name or not reason.strip():
            raise InputError("%s:%d: empty name or reason" % (gpath, n))
        ghosts.append((p, bits, name, desc, reason))
    ghosts.sort(key=lambda g: g[0])

    services = []
    for n, (port, proto, name) in read_csv(spath, ("port", "proto", "name")):
        p = port_of(spath, n, port)
        if proto not in PROTO_BITS:
            raise InputError("%s:%d: bad protocol %r" % (spath, n, proto))
        if not name:
            raise InputError("%s:%d: empty name" % (spath, n))
        services.append((p, PROTO_BITS[proto][1], PROTO_BITS[proto][0], name))
    services.sort(key=lambda s: (s[0], s[1]))       # stable: keeps CSV order
    return ghosts, services


def render(ghosts, services):
    st = StrTab()
    g_rows = []
    for port, bits, name, desc, reason in ghosts:
        g_rows.append("\t{ %d, %s, S(%d), S(%d), S(%d) },"
                      % (port, "|".join(bits), st.add(name), st.add(desc),
                         st.add(reason)))
    s_rows = []
    for port, _bit, macro, name in services:
        s_rows.append("\t{ %d, %s, S(%d) }," % (port, macro, st.add(name)))

    out = []
    out.append("/* Generated by tools/gen-tables.py from data/ghostports.csv "
               "and data/iana-services.csv.  Do not edit. */")
    out.append("#include <stddef.h>")
    out.append("#include <stdint.h>")
    out.append('#include "event/iana.h"')
    out.append("")
    out.append("/* %d strings, %d bytes */" % (len(st.items), st.size))
    out.append("static const char gp_strtab[] =")
    if st.items:
        for b in st.items:
            out.append("\t%s" % c_string(b + b"\0"))
    else:
        out.append('\t""')
    out.append(";")
    out.append("#define S(off) (gp_strtab + (off))")
    out.append("")
    c_table(out, "gp_ghost", g_rows, "\t{ 0, 0, NULL, NULL, NULL },")
    out.append("")
    c_table(out, "gp_service", s_rows, "\t{ 0, 0, NULL },")
    out.append("#undef S")
    out.append("")
    return "\n".join(out)


def c_table(out, name, rows, empty_row):
    """const struct NAME NAME_table[] = { ROWS }; and NAME_count.

    An empty table gets one placeholder row: C has no empty arrays."""
    out.append("const struct %s %s_table[%d] = {" % (name, name, max(len(rows), 1)))
    out.extend(rows or [empty_row])
    out.append("};")
    out.append("const size_t %s_count = %d;" % (name, len(rows)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="C file to write")
    ap.add_argument("datadir", help="directory holding the CSV files")
    a = ap.parse_args()
    try:
        ghosts, services = load(a.datadir)
    except InputError as e:
        sys.stderr.write("gen-tables: %s\n" % e)
        return 1
    text = render(ghosts, services)
    d = os.path.dirname(a.out)
    if d:
        os.makedirs(d, exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
