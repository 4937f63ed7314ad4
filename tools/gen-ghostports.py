#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gen-ghostports.py - the default ghost-port list and the IANA name table.

Usage:
    tools/gen-ghostports.py [--out DIR] [--explain] [IANA_CSV]
    tools/gen-ghostports.py --check [IANA_CSV]

IANA_CSV is IANA's "service-names-port-numbers.csv" (default:
../shared/data/iana-service-names-port-numbers.csv, relative to the top of the
tree).  Outputs (in DIR, default data/ of this tree):

  ghostports.csv      port,protos,name,description,reason
                      one row per selected ghost port in 0-1023
  iana-services.csv   port,proto,name
                      every registry entry with a service name and a port,
                      all ports 0-65535

--check regenerates into a temporary directory and compares with the
committed files: exit 0 if identical, 1 if stale (a diff is printed).
--explain prints to stderr, for every port 0-1023 with a name, why it was or
was not selected.

The output depends only on the input CSV and this file: same input,
byte-identical output (sorted rows, fixed line endings, no timestamps).

SELECTION RULES (what makes a well-known port a "ghost")
=========================================================
A ghost port is a port in 0-1023 that IANA still assigns to a service that no
longer exists.  A port is selected when ALL of these hold:

 R1 Candidate.  At least one registry entry at the port matches a rule in
    VENDOR_RULES (a curated list of defunct vendors and product lines,
    matched as regular expressions on "name description") or EXPLICIT (a
    curated list of service names of dead protocols, by name).  Each rule
    carries the reason fragment that ends up in the `reason` column.
 R2 Every named entry at the port is a candidate.  If the port is shared
    with a service that is not known to be dead (e.g. 888: cddbp), the port
    is a candidate only if that entry is also listed.  Alias entries ("This
    entry is an alias to ...") count as their target.
 R3 No RFC.  No entry at the port has "RFC" in its Reference column: a
    standards-track or published protocol may have implementations we do not
    know about.  (Example: 551 cybercash would match, but cites RFC1898.)
 R4 Assigned.  Entries without a service name ("Reserved", "Unassigned",
    "De-registered", "Removed") never make a port a ghost; a port with no
    named entry is not selected.
 R5 Not used.  The port is not in EXCLUDE, a hard list of ports that Linux
    or common software binds, that Debian's /etc/services (netbase) gives
    another meaning, or that are too widely used to be "dead" (ssh, http,
    sunrpc, ntp, syslog, ipp, rsync, kerberos, ...).  EXCLUDE wins over
    everything; it is checked last so --explain shows what it vetoed.

Port 666 (doom, alias mdqs) is deliberately KEPT: it was registered for id
Software's 1993 DOOM, maintained DOOM engines default to other ports
(Chocolate Doom 2342, Zandronum/Odamex 10666), and mdqs is dead; a bind to
666 on a Linux host today is someone choosing a "funny" number, which is
exactly what an audit should show.  It is audit-only like every default.

The `protos` column is the union of the transport protocols of the entries
at the port ("tcp+udp"), in the order tcp, udp, sctp, dccp.  `name` and
`description` come from the first non-alias entry at the port that has a
description (else the first non-alias entry).  `reason` is the rule's
fragment (or PORT_REASON's sentence for a port shared by several dead
services) followed by "; no RFC cited; no known Linux use."

IANA-SERVICES RULES
===================
Every entry with a service name, a port (a single number, or a range of at
most 16 ports, expanded) and a transport protocol of tcp, udp, sctp or dccp.
Entries with a port but an empty protocol column (old registrations such as
boe-cms 6400 or active-net 3322-3325) are recorded for tcp and udp, since
those registrations predate per-protocol assignment.  Rows are sorted by
port, then protocol in the order tcp, udp, sctp, dccp (the GP_PROTO_* bit
order), then canonical names before alias names, then registry order; the
first row for a (port, proto) is the name the reader shows.  Duplicate
(port, proto, name) rows are dropped.
"""

import argparse
import csv
import difflib
import io
import os
import re
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CSV = os.path.join(TOP, "..", "shared", "data",
                           "iana-service-names-port-numbers.csv")
DEFAULT_OUT = os.path.join(TOP, "data")

PROTO_ORDER = ("tcp", "udp", "sctp", "dccp")
MAX_RANGE = 16
SUFFIX = "; no RFC cited; no known Linux use."

# --------------------------------------------------------------------------
# R1a: defunct vendors and product lines.  (label, regex on "name desc",
# reason fragment).  Patterns are anchored tightly: a loose "digital" or
# "sun" would catch DICOM (104) or sunrpc (111), which EXCLUDE also vetoes.
# Wang, Prime and Apollo hold no port in 0-1023 in current registries; the
# rules stay so that a registry change is caught.
# --------------------------------------------------------------------------
VENDOR_RULES = [
    ("ICL", r"\bICL\b",
     "assigned to ICL's coNETion platform, discontinued after ICL became "
     "part of Fujitsu"),
    ("Xerox XNS", r"^xns-|\bXNS\b",
     "Xerox Network Systems (XNS) service; XNS was abandoned for TCP/IP "
     "around 1990"),
    ("Xerox PUP", r"^pup",
     "Xerox PARC Universal Packet (PUP) service, obsolete since the 1980s"),
    ("DEC", r"^dec[-_a-z]|^digital-|Digital Audit",
     "Digital Equipment Corp. service; DEC was bought by Compaq in 1998 and "
     "the product is gone"),
    ("Compaq", r"\bCompaq\b",
     "Compaq Tru64 UNIX Event Manager, retired with Tru64"),
    ("SCO", r"^sco",
     "SCO UNIX/OpenServer administration service; the SCO Group went "
     "bankrupt in 2007"),
    ("Novell", r"Novell|^ipx\b|^ndsauth\b|^ncp\b",
     "Novell NetWare service; NetWare's support ended in 2010 and Linux "
     "dropped ncpfs in 2018"),
    ("Banyan", r"^banyan-|^streettalk\b",
     "Banyan VINES service; VINES was discontinued around 1999"),
    ("SynOptics", r"^syno(p)?tics-",
     "SynOptics hub management port; SynOptics became Bay Networks, then "
     "Nortel, which went bankrupt"),
    ("Cabletron", r"\bCabletron\b",
     "Cabletron Spectrum management protocol; Cabletron was broken up in "
     "2000"),
    ("3Com", r"^3com-",
     "3Com product port; 3Com was absorbed by HP in 2010"),
    ("AppleTalk", r"AppleTalk|Appletalk|^at-",
     "AppleTalk-over-IP port; Apple dropped AppleTalk in Mac OS X 10.6 "
     "(2009) and netatalk does not use it"),
    ("AppleShare IP", r"^asip",
     "AppleShare IP service, discontinued by Apple in the early 2000s"),
    ("NeXT", r"NextStep",
     "NeXTSTEP window server port; NeXT was absorbed by Apple in 1997"),
    ("Unisys", r"\bUnisys\b",
     "Unisys 1990s network service with no surviving implementation"),
    ("Cray", r"\bCray\b",
     "Cray UNICOS service, retired with UNICOS"),
    ("Sun", r"\bSun (IPC|DR)\b",
     "Solaris-only service for retired Sun hardware/software"),
    ("Legent", r"\bLegent\b",
     "Legent Corporation product port; Legent was bought by Computer "
     "Associates in 1995"),
    ("Locus", r"\bLocus PC-Interface\b",
     "Locus Computing PC-Interface service; Locus merged away in 1995"),
    ("Encore", r"^erpc\b",
     "Encore Computer expedited RPC; Encore left the computer business in "
     "the 1990s"),
    ("Britton-Lee", r"Britton-Lee",
     "Britton-Lee IDM database machine port; the company is long gone"),
    ("Texas Instruments", r"Texas Instruments 914C",
     "Texas Instruments 914C/G terminal port; the terminal is long gone"),
    ("Insignia", r"Insignia Solutions",
     "Insignia SoftPC emulator port; SoftPC was discontinued in the 1990s"),
    ("Netopia", r"^timbuktu\b",
     "Timbuktu remote control (Farallon/Netopia), discontinued"),
    ("Micom", r"^micom-",
     "Micom product port; Micom was absorbed by Nortel in 1996"),
    ("Xyplex", r"^xyplex-",
     "Xyplex terminal server multiplexer, a 1990s product line"),
    ("GenRad", r"^genrad-",
     "GenRad multiplexer port, a 1980s product"),
    ("Network Innovations", r"Network Innovations",
     "Network Innovations product port, a 1980s vendor that no longer "
     "exists"),
    ("Sterling Software", r"Sterling Software",
     "Sterling Software status service; Sterling was bought by Computer "
     "Associates in 2000"),
    ("Opalis", r"^opalis-",
     "Opalis automation port; Opalis was bought by Microsoft in 2009 and "
     "the product renamed and reworked"),
    ("Qualcomm Eudora", r"^eudora-",
     "Eudora mail client settings port; Eudora was discontinued in 2006"),
    ("IBM NetView DM/6000", r"NetView DM/6000",
     "IBM NetView Distribution Manager/6000 for AIX, withdrawn"),
    ("Borland", r"^borland-",
     "Borland product port; the product and Borland itself are gone"),
    ("Wang", r"\bWang\b", "Wang Laboratories service; Wang is gone"),
    ("Prime", r"\bPrime Computer\b", "Prime Computer service; Prime is gone"),
    ("Apollo", r"\bApollo Computer\b",
     "Apollo Computer service; Apollo is gone"),
]

# --------------------------------------------------------------------------
# R1b: dead protocols and services, by exact service name.
# --------------------------------------------------------------------------
EXPLICIT = {
    # ARPANET-era services (1970s-80s); ended with the ARPANET in 1990.
    "rje": "ARPANET Remote Job Entry from the 1970s",
    "msp": "Message Send Protocol, marked historic by IANA",
    "nsw-fe": "ARPANET National Software Works front end (1970s-80s)",
    "msg-icp": "National Software Works MSG interprocess service (1970s-80s)",
    "msg-auth": "National Software Works MSG authentication (1970s-80s)",
    "mpm-flags": "1980 ARPANET Internet Message Protocol (MPM), never "
                 "deployed",
    "mpm": "1980 ARPANET Internet Message Protocol (MPM), never deployed",
    "mpm-snd": "1980 ARPANET Internet Message Protocol (MPM), never "
               "deployed",
    "netrjs-1": "ARPANET NETRJS remote job service from the 1970s",
    "netrjs-2": "ARPANET NETRJS remote job service from the 1970s",
    "netrjs-3": "ARPANET NETRJS remote job service from the 1970s",
    "netrjs-4": "ARPANET NETRJS remote job service from the 1970s",
    "mit-ml-dev": "MIT ML (ITS) device service from the 1970s",
    "su-mit-tg": "Stanford/MIT telnet gateway from the ARPANET era",
    "mit-dov": "MIT spooler for the Xerox Dover printer (1980s)",
    "tacnews": "ARPANET Terminal Access Controller news service",
    "csnet-ns": "CSNET mailbox name server; CSNET ended in 1991",
    "cso": "CCSO (ph/qi) name server, superseded by LDAP",
    # Early network management, superseded by SNMP (161).
    "hems": "HEMS monitoring protocol, superseded by SNMP in 1988",
    "sgmp": "SGMP, the predecessor of SNMP, obsolete since 1988",
    "sgmp-traps": "SGMP traps, the predecessor of SNMP, obsolete since 1988",
    "cmip-man": "CMIP over TCP (CMOT) manager, abandoned for SNMP",
    "cmip-agent": "CMIP over TCP (CMOT) agent, abandoned for SNMP",
    # DoD DNSIX audit, 1980s.
    "dnsix": "DoD DNSIX security attribute token map from the 1980s",
    "dn6-nlm-aud": "DoD DNSIX network level module audit from the 1980s",
    "dn6-smm-red": "DoD DNSIX session audit redirector from the 1980s",
    # Assorted dead protocols.
    "remote-kis": "Knowbot Information Service, a 1990s research system",
    "kis": "Knowbot Information Service, a 1990s research system",
    "srmp": "Spider Systems remote monitoring, a 1980s product",
    "imap3": "IMAP version 3, never deployed (IMAP4 is on 143)",
    "fln-spx": "rlogin with DEC SPX authentication, abandoned for Kerberos",
    "rsh-spx": "rsh with DEC SPX authentication, abandoned for Kerberos",
    "cdc": "DEC SPX certificate distribution center, abandoned for Kerberos",
    "set": "Visa/MasterCard Secure Electronic Transaction, abandoned around "
           "2002",
    "hyper-g": "Hyper-G hypermedia system (Graz, 1990s), superseded by the "
               "web",
    "photuris": "Photuris key management, experimental and replaced by IKE "
                "(500)",
    "mondex": "Mondex electronic cash, discontinued",
    "hmmp-ind": "HyperMedia Management Protocol indication, an abandoned "
                "pre-WBEM proposal",
    "hmmp-op": "HyperMedia Management Protocol operation, an abandoned "
               "pre-WBEM proposal",
    "rrp": "VeriSign Registry Registrar Protocol, replaced by EPP (700) in "
           "the early 2000s",
    "acap": "ACAP configuration access protocol, abandoned by the IETF and "
            "never deployed",
    "lanserver": "IBM LAN Server for OS/2, withdrawn",
    "hcp-wismar": "Hardware Control Protocol Wismar, a 1990s university "
                  "project with no published spec or implementation",
    "doom": "registered for id Software's 1993 DOOM; today's DOOM engines "
            "default to other ports",
    "mdqs": "MDQS batch queueing, a 1980s BRL system (alias at 666)",
    "cisco-tdp": "Cisco Tag Distribution Protocol, replaced by LDP (646)",
    "busboy": "BSD-era busboy service, no longer shipped anywhere",
    "garcon": "BSD-era garcon service, no longer shipped anywhere",
    "applix": "Applixware ac service, discontinued",
}

# Ports shared by several dead services: one sentence instead of the
# concatenated fragments (R1-R5 still decide whether the port is selected).
PORT_REASON = {
    105: "shared by the CCSO ph name server (superseded by LDAP) and the "
         "CSNET mailbox name server (CSNET ended in 1991)",
    666: "registered for id Software's 1993 DOOM and the 1980s MDQS batch "
         "system; today's DOOM engines default to other ports",
    998: "BSD-era busboy (tcp) and Xerox PUP ARP (udp), obsolete since the "
         "1980s",
    999: "BSD-era garcon, Applixware ac and the Xerox PUP router, all long "
         "gone",
}

# --------------------------------------------------------------------------
# R5: hard exclusions.  Never a ghost, whatever the rules above say.
# --------------------------------------------------------------------------
EXCLUDE = {
    1: "tcpmux, implemented by xinetd",
    7: "echo, inetd internal service", 9: "discard, inetd internal service",
    11: "systat, inetd", 13: "daytime, inetd", 17: "qotd, inetd",
    19: "chargen, inetd", 20: "ftp-data", 21: "ftp", 22: "ssh",
    23: "telnet", 25: "smtp", 37: "time, inetd/rdate", 43: "whois",
    49: "TACACS+ (tac_plus)", 53: "DNS", 67: "DHCP server",
    68: "DHCP client", 69: "tftp", 70: "gopher servers", 79: "finger",
    80: "http", 88: "kerberos", 102: "ISO-TSAP / Siemens S7 (snap7)",
    104: "DICOM (Orthanc, dcm4che)", 106: "poppassd in Debian's services",
    110: "pop3", 111: "sunrpc/rpcbind", 113: "ident (oidentd)",
    119: "nntp", 123: "ntp", 135: "DCE/RPC endpoint mapper (samba)",
    137: "netbios-ns (samba)", 138: "netbios-dgm (samba)",
    139: "netbios-ssn (samba)", 143: "imap", 161: "snmp", 162: "snmptrap",
    177: "xdmcp", 179: "bgp", 199: "smux (net-snmp)", 209: "qmtp",
    210: "z39.50 (yaz)", 319: "PTP event (linuxptp)",
    320: "PTP general (linuxptp)", 345: "pawserv in Debian's services",
    346: "zserv in Debian's services", 369: "Coda rpc2portmap",
    370: "Coda codaauth2", 371: "ClearCase", 389: "ldap",
    427: "SLP (OpenSLP)", 434: "Mobile IP", 443: "https", 444: "snpp",
    445: "SMB (samba)", 464: "kpasswd", 465: "smtps/submissions",
    487: "saft (sendfile)", 500: "isakmp/IKE", 502: "modbus",
    512: "exec/biff", 513: "login/who", 514: "shell/syslog",
    515: "lpd printer", 517: "talk", 518: "ntalk", 520: "RIP",
    521: "RIPng", 538: "gdomap (GNUstep)", 540: "uucp",
    543: "klogin", 544: "kshell", 546: "DHCPv6 client",
    547: "DHCPv6 server", 548: "AFP (netatalk)", 554: "rtsp",
    563: "nntps", 564: "9P (v9fs, diod)", 587: "submission",
    593: "http-rpc-epmap", 601: "reliable syslog (rsyslog)",
    607: "nqs in Debian's services", 614: "sshell", 623: "IPMI/RMCP",
    628: "qmqp", 631: "ipp (CUPS)", 636: "ldaps", 646: "LDP (FRR)",
    647: "DHCP failover (ISC dhcpd)", 655: "tinc", 657: "RMC (IBM RSCT)",
    660: "macOS Server admin", 694: "ha-cluster (heartbeat)",
    698: "OLSR (olsrd)", 705: "AgentX (net-snmp)", 706: "SILC",
    749: "kerberos-adm (kadmind)", 750: "kerberos-iv",
    751: "kerberos-master in Debian's services",
    752: "passwd-server in Debian's services", 754: "krb_prop (kpropd)",
    760: "krbupdate (kerberos)", 775: "moira_db", 777: "moira_update",
    779: "moira_ureg", 783: "spamd (SpamAssassin)", 802: "modbus/TLS",
    830: "NETCONF over SSH", 847: "DHCP failover (ISC dhcpd)",
    853: "DNS over TLS", 860: "iSCSI", 871: "supfilesrv",
    873: "rsync", 901: "SWAT (samba)", 902: "VMware", 903: "VMware",
    953: "rndc (BIND)", 989: "ftps-data", 990: "ftps", 992: "telnets",
    993: "imaps", 995: "pop3s", 1021: "RFC 3692 experiments",
    1022: "RFC 3692 experiments",
}


def die(msg):
    sys.stderr.write("gen-ghostports: %s\n" % msg)
    sys.exit(2)


def clean(text):
    """One line, single spaces, no boilerplate about replacement names."""
    text = " ".join(text.split())
    text = re.sub(r"\s*IANA assigned this well-formed service name as a "
                  r"replacement for .*$", "", text)
    return text


def read_registry(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        die("cannot read %s: %s" % (path, e.strerror))
    need = ("Service Name", "Port Number", "Transport Protocol",
            "Description", "Reference", "Assignment Notes")
    if not rows or any(k not in rows[0] for k in need):
        die("%s does not look like IANA's service-names CSV" % path)
    return rows


def parse_ports(text):
    """A list of ports for '123' or '100-110' (<= MAX_RANGE), else []."""
    text = text.strip()
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
    if not m:
        return []
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if hi < lo or hi > 65535 or hi - lo + 1 > MAX_RANGE:
        return []
    return list(range(lo, hi + 1))


def is_alias(row):
    return "This entry is an alias to" in row["Assignment Notes"]


def alias_target(row):
    m = re.search(r'alias to "([^"]+)"', row["Assignment Notes"])
    return m.group(1) if m else None


def services(rows):
    out = {}
    for idx, r in enumerate(rows):
        name = r["Service Name"].strip()
        if not name:
            continue
        ports = parse_ports(r["Port Number"])
        proto = r["Transport Protocol"].strip().lower()
        if proto == "":
            protos = ("tcp", "udp")
        elif proto in PROTO_ORDER:
            protos = (proto,)
        else:
            continue
        for port in ports:
            for p in protos:
                key = (port, PROTO_ORDER.index(p), 1 if is_alias(r) else 0,
                       idx, name)
                if (port, p, name) not in out:
                    out[(port, p, name)] = key
    ordered = sorted(out.items(), key=lambda kv: kv[1])
    return [(k[0], k[1], k[2]) for k, _ in ordered]


def rule_for(row):
    """(label, fragment) of the R1 rule matching this entry, or None."""
    name = row["Service Name"].strip()
    text = "%s %s" % (name, clean(row["Description"]))
    for label, rx, frag in VENDOR_RULES:
        if re.search(rx, text):
            return label, frag
    if name in EXPLICIT:
        return "explicit", EXPLICIT[name]
    return None


def ghosts(rows, explain=None):
    by_port = {}
    for r in rows:
        port = r["Port Number"].strip()
        if port.isdigit() and int(port) <= 1023:
            by_port.setdefault(int(port), []).append(r)

    def say(port, msg):
        if explain is not None:
            explain.write("%4d %s\n" % (port, msg))

    out = []
    for port in sorted(by_port):
        entries = by_port[port]
        named = [r for r in entries if r["Service Name"].strip()]
        if not named:                                   # R4
            continue
        names = {r["Service Name"].strip() for r in named}
        frags, bad = [], []
        for r in named:
            name = r["Service Name"].strip()
            hit = rule_for(r)
            if hit is None and is_alias(r) and alias_target(r) in names:
                continue            # R2: an alias follows its target
            if hit is None:
                bad.append(name)
                continue
            if hit[1] and hit[1] not in frags:
                frags.append(hit[1])
        if not frags:
            say(port, "no: no rule matches %s" % "/".join(sorted(names)))
            continue
        if bad:                                         # R2
            say(port, "no: shared with unlisted %s" % "/".join(sorted(bad)))
            continue
        refs = [r["Reference"] for r in entries if "RFC" in r["Reference"]]
        if refs:                                        # R3
            say(port, "no: cites %s" % refs[0])
            continue
        if port in EXCLUDE:                             # R5
            say(port, "no: excluded (%s)" % EXCLUDE[port])
            continue
        protos = {r["Transport Protocol"].strip().lower() for r in named}
        if "" in protos:
            protos = (protos - {""}) | {"tcp", "udp"}
        protos = "+".join(p for p in PROTO_ORDER if p in protos)
        canon = [r for r in named if not is_alias(r)] or named
        primary = next((r for r in canon if clean(r["Description"])),
                       canon[0])
        reason = PORT_REASON.get(port) or "; ".join(frags)
        row = (port, protos, primary["Service Name"].strip(),
               clean(primary["Description"]), reason + SUFFIX)
        say(port, "GHOST %s %s: %s" % (row[2], protos, row[4]))
        out.append(row)
    return out


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def generate(csv_path, outdir, explain=None):
    rows = read_registry(csv_path)
    g = ghosts(rows, explain)
    got = {r[0] for r in g}
    for must in (686, 886):
        if must not in got:
            die("port %d is not selected: rules or registry changed" % must)
    os.makedirs(outdir, exist_ok=True)
    write_csv(os.path.join(outdir, "ghostports.csv"),
              ("port", "protos", "name", "description", "reason"), g)
    write_csv(os.path.join(outdir, "iana-services.csv"),
              ("port", "proto", "name"), services(rows))
    return len(g)


def check(csv_path):
    stale = False
    with tempfile.TemporaryDirectory(prefix="gen-ghostports.") as tmp:
        generate(csv_path, tmp)
        for fn in ("ghostports.csv", "iana-services.csv"):
            new = os.path.join(tmp, fn)
            old = os.path.join(DEFAULT_OUT, fn)
            with open(new, encoding="utf-8") as f:
                a = f.read()
            try:
                with open(old, encoding="utf-8") as f:
                    b = f.read()
            except OSError:
                b = None
            if a == b:
                continue
            stale = True
            sys.stderr.write("gen-ghostports: data/%s is stale\n" % fn)
            if b is not None:
                sys.stdout.writelines(difflib.unified_diff(
                    b.splitlines(True), a.splitlines(True),
                    "data/" + fn, "regenerated/" + fn, n=1))
    return 1 if stale else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv", nargs="?", default=DEFAULT_CSV,
                    help="IANA service-names-port-numbers.csv")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed data/, exit 1 if stale")
    ap.add_argument("--explain", action="store_true",
                    help="print the decision for every named port 0-1023")
    a = ap.parse_args()
    if a.check:
        return check(a.csv)
    n = generate(a.csv, a.out, sys.stderr if a.explain else None)
    sys.stderr.write("gen-ghostports: %d ghost ports written to %s\n"
                     % (n, a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
