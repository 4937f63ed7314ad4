// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ghostport.conf: a full valid config to exact rules,
 * each kind of error with its FILE:LINE:COL line, and hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "policy/config.h"
#include "policy/digest.h"
#include "event/iana.h"
#include "policy/policy.h"
#include "policy/portlist.h"

static struct gp_config cfg;
static char err[8192];

static int parse(const char *text)
{
	return gp_config_parse("t.conf", text, strlen(text), &cfg, err,
			       sizeof(err));
}

/* Parse must fail with exactly this (first) line. */
static void fails_with(const char *text, const char *line)
{
	char first[1024];
	size_t n;

	assert_int_equal(parse(text), -1);
	n = strcspn(err, "\n");
	assert_true(n < sizeof(first));
	memcpy(first, err, n);
	first[n] = '\0';
	assert_string_equal(first, line);
}

static void test_full_config(void **state)
{
	static const char text[] =
		"# a full config\n"
		"include_builtin: false\n"
		"source: fentry\n"
		"all: true\n"
		"enforce: true\n"
		"deny_with: cgroup\n"
		"default_errno: EACCES\n"
		"ring_size: 8M\n"
		"fold_window: 250ms\n"
		"rules:\n"
		"  - ports: \"686,886\"\n"
		"    protocols: [tcp, udp]\n"
		"    action: deny\n"
		"    errno: EADDRINUSE\n"
		"  - ports: [1000-1002, \"2000\"]\n"
		"    action: audit\n"
		"  - ports: 3000/sctp\n"
		"    action: deny\n"
		"exempt:\n"
		"  uids: [0, \"root\"]\n"
		"  gids: [0]\n"
		"  executables: [\"/bin/sh\"]\n"
		"outputs: [\"json@file:/var/log/ghostport.json\", \"syslog@tls://siem.example:6514\"]\n"
		"tls: { ca: /etc/ssl/ca.pem, cert: /etc/ssl/c.pem, key: /etc/ssl/k.pem }\n"
		"spool: { dir: /var/spool/ghostport, max: 64M }\n";
	struct stat st;
	unsigned port;

	(void)state;
	assert_int_equal(parse(text), 0);
	assert_false(cfg.include_builtin);
	assert_string_equal(cfg.source, "fentry");
	assert_true(cfg.all);
	assert_true(cfg.enforce);
	assert_int_equal(cfg.deny_with, GP_DENY_CGROUP);
	assert_int_equal(cfg.default_errno, EACCES);
	assert_int_equal(cfg.ring_bytes, 8 << 20);
	assert_int_equal(cfg.fold_window_ns, 250000000ULL);
	assert_int_equal(gp_config_conf_flags(&cfg), GP_CONF_ALL | GP_CONF_ENFORCE);

	assert_int_equal(cfg.rules[686],
			 GP_RULE_AUDIT(GP_PROTO_TCP | GP_PROTO_UDP) |
			 (GP_PROTO_TCP | GP_PROTO_UDP) << GP_RULE_DENY_SHIFT |
			 EADDRINUSE << GP_RULE_ERRNO_SHIFT);
	assert_int_equal(cfg.rules[886], cfg.rules[686]);
	for (port = 1000; port <= 1002; port++)
		assert_int_equal(cfg.rules[port], GP_PROTO_ALL);
	assert_int_equal(cfg.rules[2000], GP_PROTO_ALL);
	/* No errno on the rule: default_errno. */
	assert_int_equal(cfg.rules[3000],
			 GP_PROTO_SCTP | GP_PROTO_SCTP << GP_RULE_DENY_SHIFT |
			 EACCES << GP_RULE_ERRNO_SHIFT);
	assert_int_equal(cfg.n_listed, 7);
	assert_int_equal(cfg.n_denied, 3);
	assert_int_equal(cfg.rules[999], 0);
	assert_int_equal(cfg.rules[1003], 0);

	assert_int_equal(cfg.exempt.n_uids, 2);
	assert_int_equal(cfg.exempt.uids[0], 0);
	assert_int_equal(cfg.exempt.uids[1], 0);
	assert_int_equal(cfg.exempt.n_gids, 1);
	assert_int_equal(cfg.exempt.n_exes, 1);
	assert_int_equal(stat("/bin/sh", &st), 0);
	assert_int_equal(cfg.exempt.exes[0].ino, st.st_ino);

	assert_int_equal(cfg.n_outputs, 2);
	assert_string_equal(cfg.outputs[0], "json@file:/var/log/ghostport.json");
	assert_string_equal(cfg.outputs[1], "syslog@tls://siem.example:6514");
	assert_string_equal(cfg.tls_ca, "/etc/ssl/ca.pem");
	assert_string_equal(cfg.tls_cert, "/etc/ssl/c.pem");
	assert_string_equal(cfg.tls_key, "/etc/ssl/k.pem");
	assert_string_equal(cfg.spool_dir, "/var/spool/ghostport");
	assert_int_equal(cfg.spool_max, 64ULL << 20);
	assert_int_equal(strlen(cfg.digest), 64);
	gp_config_free(&cfg);
}

static void test_builtin(void **state)
{
	static __u32 def[GP_NR_PORTS];
	unsigned port;

	(void)state;
	gp_ghost_default_rules(def);
	/* Default: the built-in list, audit only. */
	assert_int_equal(parse("include_builtin: true\n"), 0);
	assert_memory_equal(cfg.rules, def, sizeof(def));
	assert_int_equal(cfg.n_denied, 0);
	gp_config_free(&cfg);
	/* builtin_action: deny: every built-in port with the default errno. */
	assert_int_equal(parse("builtin_action: deny\ndefault_errno: EADDRINUSE\n"
			       "rules: [{ports: 40000, action: audit}]\n"), 0);
	for (port = 1; port < GP_NR_PORTS; port++) {
		if (!def[port])
			continue;
		assert_int_equal(GP_RULE_DENY(cfg.rules[port]), def[port]);
		assert_int_equal(GP_RULE_ERRNO(cfg.rules[port]), EADDRINUSE);
	}
	assert_int_equal(cfg.rules[40000], GP_PROTO_ALL);
	gp_config_free(&cfg);
}

static void test_empty_is_default(void **state)
{
	static const char *const empties[] = {
		"", "# only a comment\n", "---\n", "---\n...\n", "\n\n  \n",
	};
	struct gp_config *d = malloc(sizeof(*d));
	size_t i;

	(void)state;
	assert_non_null(d);
	gp_config_defaults(d);
	for (i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		assert_int_equal(parse(empties[i]), 0);
		assert_string_equal(cfg.digest, d->digest);
		assert_true(cfg.include_builtin);
		assert_false(cfg.enforce);
		assert_int_equal(cfg.fold_window_ns, 5000000000ULL);
		assert_int_equal(cfg.n_outputs, 0);
		assert_memory_equal(cfg.rules, d->rules, sizeof(d->rules));
	}
	free(d);
}

/* Same policy, different spelling: same digest; and the command line's
 * functions give it too. */
static void test_digest(void **state)
{
	static __u32 rules[GP_NR_PORTS];
	char a[65], b[65], cli[65];
	char e[256];

	(void)state;
	assert_int_equal(parse("include_builtin: false\nenforce: true\n"
			       "rules: [{ports: \"686,886\", action: deny}]\n"), 0);
	strcpy(a, cfg.digest);
	assert_int_equal(parse("# other words\nrules:\n"
			       "  - {action: deny, ports: 886}\n"
			       "  - {ports: [686], action: deny}\n"
			       "enforce: true\ninclude_builtin: false\n"), 0);
	strcpy(b, cfg.digest);
	assert_string_equal(a, b);
	assert_int_equal(gp_deny_parse("686,886", rules, EPERM, e, sizeof(e)), 0);
	assert_int_equal(gp_policy_digest(rules, NULL, GP_CONF_ENFORCE,
					  GP_DENY_AUTO, cli), 0);
	assert_string_equal(a, cli);
	/* A different errno is a different policy. */
	assert_int_equal(parse("include_builtin: false\nenforce: true\n"
			       "rules: [{ports: \"686,886\", action: deny, errno: EACCES}]\n"), 0);
	assert_string_not_equal(a, cfg.digest);
	/* And so is enforce off. */
	assert_int_equal(parse("include_builtin: false\n"
			       "rules: [{ports: \"686,886\", action: deny}]\n"), 0);
	assert_string_not_equal(a, cfg.digest);
}

static void test_errors(void **state)
{
	(void)state;
	fails_with("enforc: true\n",
		   "t.conf:1:1: unknown key \"enforc\" (did you mean \"enforce\"?)");
	fails_with("colour: red\n", "t.conf:1:1: unknown key \"colour\"");
	fails_with("enforce: true\nall: false\nenforce: false\n",
		   "t.conf:3:1: duplicate key \"enforce\" (first given at line 1)");
	fails_with("enforce: \"true\"\n",
		   "t.conf:1:10: enforce: expected true or false, got \"true\"");
	fails_with("enforce: yes\n",
		   "t.conf:1:10: enforce: expected true or false, got \"yes\"");
	fails_with("all: [true]\n",
		   "t.conf:1:6: all: expected true or false, got a list");
	fails_with("source: ebpf\n",
		   "t.conf:1:9: source: expected auto, fentry, kprobe, cgroup or kmod, got \"ebpf\"");
	fails_with("deny_with: selinux\n",
		   "t.conf:1:12: deny_with: expected auto, lsm or cgroup, got \"selinux\"");
	fails_with("default_errno: ENOPE\n",
		   "t.conf:1:16: default_errno: expected an errno such as EPERM, EACCES or EADDRINUSE (or a number 1..255), got \"ENOPE\"");
	fails_with("default_errno: 300\n",
		   "t.conf:1:16: default_errno: expected an errno such as EPERM, EACCES or EADDRINUSE (or a number 1..255), got \"300\"");
	fails_with("ring_size: 4X\n",
		   "t.conf:1:12: ring_size: expected a size such as 4M, 512K or 65536 (bytes, 4K..1G), got \"4X\"");
	fails_with("ring_size: 2G\n",
		   "t.conf:1:12: ring_size: expected a size such as 4M, 512K or 65536 (bytes, 4K..1G), got \"2G\"");
	fails_with("ring_size: -4M\n",
		   "t.conf:1:12: ring_size: expected a size such as 4M, 512K or 65536 (bytes, 4K..1G), got \"-4M\"");
	fails_with("fold_window: 5\n",
		   "t.conf:1:14: fold_window: expected a duration such as 5s, 500ms or 1m (0 turns it off, at most 1h), got \"5\"");
	fails_with("fold_window: 2h\n",
		   "t.conf:1:14: fold_window: expected a duration such as 5s, 500ms or 1m (0 turns it off, at most 1h), got \"2h\"");
	fails_with("rules:\n  - ports: \"70000\"\n",
		   "t.conf:2:12: rules[0]: bad port list item 1 \"70000\": port above 65535");
	fails_with("rules:\n  - ports: 0x50\n",
		   "t.conf:2:12: rules[0]: bad port list item 1 \"0x50\": hex is not accepted, ports are decimal");
	fails_with("rules:\n  - ports: 1010-1000\n",
		   "t.conf:2:12: rules[0]: bad port list item 1 \"1010-1000\": range start above end");
	fails_with("rules:\n  - protocols: [tcp]\n",
		   "t.conf:2:5: rules[0]: a rule needs \"ports\"");
	fails_with("rules:\n  - ports: 686\n    protocols: [tcp, icmp]\n",
		   "t.conf:3:22: rules[0].protocols[1]: expected tcp, udp, sctp, other (= raw) or all, got \"icmp\"");
	fails_with("rules:\n  - ports: 686/udp\n    protocols: tcp\n",
		   "t.conf:2:12: rules[0]: give protocols either in ports (\"686/tcp\") or in \"protocols\", not both");
	fails_with("rules:\n  - ports: 686\n    action: block\n",
		   "t.conf:3:13: rules[0].action: expected audit or deny, got \"block\"");
	fails_with("rules:\n  - ports: 686\n    errno: EACCES\n",
		   "t.conf:3:12: rules[0].errno: an errno is only for \"action: deny\"");
	fails_with("rules:\n  - ports: 686\n    port: 1\n",
		   "t.conf:3:5: rules[0]: unknown key \"port\" (did you mean \"ports\"?)");
	fails_with("rules: {ports: 686}\n",
		   "t.conf:1:8: rules: expected a list of rules, got a mapping");
	fails_with("rules: [686]\n",
		   "t.conf:1:9: rules[0]: expected a rule (a mapping with ports, protocols, action, errno), got \"686\"");
	fails_with("exempt:\n  uids: [nosuchuser-gp]\n",
		   "t.conf:2:10: exempt.uids[0]: unknown user \"nosuchuser-gp\"");
	fails_with("exempt:\n  executables: [/nonexistent/gp]\n",
		   "t.conf:2:17: exempt.executables[0]: executable \"/nonexistent/gp\": No such file or directory");
	fails_with("exempt:\n  uid: [0]\n",
		   "t.conf:2:3: exempt: unknown key \"uid\" (did you mean \"uids\"?)");
	fails_with("outputs: [json]\n",
		   "t.conf:1:11: outputs[0]: expected FORMAT@DEST, e.g. json@file:/var/log/ghostport.json, got \"json\"");
	fails_with("tls: {ca: relative.pem}\n",
		   "t.conf:1:11: tls.ca: expected an absolute path, got \"relative.pem\"");
	fails_with("tls: {cert: /c.pem}\n",
		   "t.conf:1:6: tls: \"cert\" and \"key\" go together");
	fails_with("spool: {max: 10K}\n",
		   "t.conf:1:14: spool.max: expected a size such as 4M, 512K or 65536 (bytes, 1M..1T), got \"10K\"");
	fails_with("- a\n- b\n",
		   "t.conf:1:1: expected a mapping of settings (include_builtin: ..., rules: ...), got a list");
	fails_with("enforce: true\n  all: false\n",
		   "t.conf:2:6: invalid YAML: mapping values are not allowed in this context");
	fails_with("? [a]\n: 1\n", "t.conf:1:3: expected a key name, got a list");
	fails_with("builtin_action: deny\ninclude_builtin: false\n",
		   "t.conf:1:17: builtin_action: needs \"include_builtin: true\"");
}

/* Every problem is reported, one line each, in file order. */
static void test_all_errors_listed(void **state)
{
	char *p;
	int lines = 1;

	(void)state;
	assert_int_equal(parse("fold_window: x\nenforce: 1\nrules:\n  - ports: 0\n"
			       "bogus: 1\n"), -1);
	for (p = err; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	assert_true(strstr(err, "t.conf:1:14: fold_window") == err);
	assert_non_null(strstr(err, "\nt.conf:2:10: enforce"));
	assert_non_null(strstr(err, "\nt.conf:4:12: rules[0]"));
	assert_non_null(strstr(err, "\nt.conf:5:1: unknown key \"bogus\""));
}

static void test_hostile_structure(void **state)
{
	char *deep;
	size_t i;

	(void)state;
	fails_with("a: &x 1\n",
		   "t.conf:1:4: anchors (&x) are not allowed in the config");
	fails_with("rules: &r []\nexempt: *r\n",
		   "t.conf:1:8: anchors (&r) are not allowed in the config");
	fails_with("enforce: !!bool true\n",
		   "t.conf:1:10: tags (tag:yaml.org,2002:bool) are not allowed in the config");
	fails_with("enforce: true\n---\nenforce: false\n",
		   "t.conf:2:1: a second YAML document: the config is one document");
	fails_with("outputs: [\"a\\0b@x\"]\n",
		   "t.conf:1:11: control character 0x00 in a string");
	fails_with("outputs: [\"json@\\e[31mred\"]\n",
		   "t.conf:1:11: control character 0x1b in a string");
	/* Billion laughs: refused at the first anchor, nothing expanded. */
	fails_with("a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n",
		   "t.conf:1:4: anchors (&a) are not allowed in the config");
	/* 10000-deep flow nesting. */
	deep = malloc(40000);
	assert_non_null(deep);
	strcpy(deep, "rules: ");
	for (i = 0; i < 10000; i++)
		deep[7 + i] = '[';
	for (i = 0; i < 10000; i++)
		deep[10007 + i] = ']';
	deep[20007] = '\0';
	fails_with(deep,
		   "t.conf:1:15: nesting deeper than 8 levels: not a ghostport config");
	/* The same in block style. */
	{
		size_t pos = 0;

		for (i = 0; i < 200; i++)
			pos += (size_t)sprintf(deep + pos, "%*sk%zu:\n",
					       (int)i, "", i);
		assert_int_equal(parse(deep), -1);
		assert_non_null(strstr(err, "nesting deeper than 8 levels"));
	}
	free(deep);
}

static void test_hostile_bytes(void **state)
{
	static const char nul[] = "enforce: true\nall: f\0alse\n";
	static const char bad_utf8[] = "# caf\xc3\xa9 ok\nsource: \"k\xff\"\n";
	static const char overlong[] = "source: \"\xc0\xaf\"\n";
	static const char surrogate[] = "source: \"\xed\xa0\x80\"\n";
	char junk[4096];
	unsigned seed = 7;
	size_t i;

	(void)state;
	assert_int_equal(gp_config_parse("t.conf", nul, sizeof(nul) - 1, &cfg,
					 err, sizeof(err)), -1);
	assert_string_equal(err, "t.conf:2:7: NUL byte: this is not a text file");
	assert_int_equal(parse(bad_utf8), -1);
	/* Column in characters: the é before it on line 1 is one. */
	assert_string_equal(err,
			    "t.conf:2:11: invalid UTF-8 (byte 0xff): the file must be UTF-8 text");
	assert_int_equal(parse(overlong), -1);
	assert_non_null(strstr(err, "t.conf:1:10: invalid UTF-8 (byte 0xc0)"));
	assert_int_equal(parse(surrogate), -1);
	assert_non_null(strstr(err, "t.conf:1:10: invalid UTF-8 (byte 0xed)"));
	/* Random binary: refused, whatever it is, without a crash. */
	for (int round = 0; round < 200; round++) {
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (char)rand_r(&seed);
		assert_int_equal(gp_config_parse("t.conf", junk, sizeof(junk),
						 &cfg, err, sizeof(err)), -1);
		assert_true(strncmp(err, "t.conf:", 7) == 0);
		assert_null(strchr(err, '\n'));
	}
	/* Printable junk is refused as YAML or by the schema. */
	for (int round = 0; round < 200; round++) {
		for (i = 0; i < 512; i++)
			junk[i] = (char)(0x20 + rand_r(&seed) % 95);
		junk[0] = 'x';	/* not '#': a comment alone is valid */
		junk[512] = '\0';
		assert_int_equal(parse(junk), -1);
		assert_true(strncmp(err, "t.conf:", 7) == 0);
	}
}

static void test_files(void **state)
{
	char path[] = "/tmp/gp-test-config-XXXXXX";
	FILE *f;
	int fd;
	size_t i;

	(void)state;
	assert_int_equal(gp_config_load("/nonexistent/ghostport.conf", &cfg, err,
					sizeof(err)), -1);
	assert_string_equal(err,
			    "/nonexistent/ghostport.conf: cannot open: No such file or directory");
	assert_int_equal(gp_config_load("/tmp", &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: not a regular file");

	/* 2 MiB of valid-looking YAML: refused before it is parsed. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (i = 0; i < (2u << 20) / 16; i++)
		fputs("# padding......\n", f);
	fclose(f);
	assert_int_equal(gp_config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ": 2097152 bytes: larger than the 1048576 bytes a config may have"));

	/* A small valid file loads. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("enforce: true\nrules:\n  - {ports: 686, action: deny}\n", f);
	fclose(f);
	assert_int_equal(gp_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.enforce);
	assert_int_equal(GP_RULE_DENY(cfg.rules[686]), GP_PROTO_ALL);
	gp_config_free(&cfg);
	unlink(path);
}

/* The packaged default config is valid and means the defaults. */
static void test_packaged_config(void **state)
{
	struct gp_config *d = malloc(sizeof(*d));

	(void)state;
	assert_non_null(d);
	gp_config_defaults(d);
	if (access("packaging/ghostport.conf", R_OK)) {
		free(d);
		skip();
	}
	if (gp_config_load("packaging/ghostport.conf", &cfg, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(cfg.digest, d->digest);
	assert_int_equal(cfg.fold_window_ns, d->fold_window_ns);
	assert_int_equal(cfg.ring_bytes, 4 << 20);
	assert_int_equal(cfg.n_outputs, 0);
	assert_int_equal(gp_exempt_count(&cfg.exempt), 0);
	gp_config_free(&cfg);
	free(d);
}

/* Empty lists are "none" where a list of things is optional. */
static void test_empty_lists(void **state)
{
	(void)state;
	assert_int_equal(parse("rules: []\noutputs: []\nexempt: {uids: [], executables: []}\n"), 0);
	assert_int_equal(cfg.n_outputs, 0);
	fails_with("rules: [{ports: []}]\n",
		   "t.conf:1:17: rules[0].ports: expected ports such as \"686,886\" or \"1000-1010\", got an empty list");
	fails_with("rules: [{ports: 1, protocols: []}]\n",
		   "t.conf:1:31: rules[0].protocols: expected a list of protocols, got an empty list");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_empty_is_default),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_all_errors_listed),
		cmocka_unit_test(test_hostile_structure),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_packaged_config),
		cmocka_unit_test(test_empty_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
