// SPDX-License-Identifier: GPL-2.0
/*
 * hostid.c - hostname and machine id, looked up once (lib/hostid.h).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "lib/hostid.h"

const char *gp_host_name(void)
{
	static char name[256];
	static bool done;

	if (!done) {
		if (gethostname(name, sizeof(name) - 1) || !name[0])
			strcpy(name, "localhost");
		name[sizeof(name) - 1] = '\0';
		done = true;
	}
	return name;
}

int gp_machine_id_parse(const char *text, char out[33])
{
	for (int i = 0; i < 32; i++) {
		if (!isxdigit((unsigned char)text[i]))
			return 0;
		out[i] = (char)tolower((unsigned char)text[i]);
	}
	if (text[32] && text[32] != '\n')
		return 0;
	out[32] = '\0';
	/* All zeros is systemd's "uninitialized" marker, not an identity. */
	return strspn(out, "0") != 32;
}

static bool read_id(const char *path, char out[33])
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 32)
		return false;
	buf[n] = '\0';
	return gp_machine_id_parse(buf, out);
}

const char *gp_host_machine_id(void)
{
	static char id[33];
	static bool done, ok;

	if (!done) {
		ok = read_id("/etc/machine-id", id) ||
		     read_id("/var/lib/dbus/machine-id", id);
		done = true;
	}
	return ok ? id : NULL;
}
