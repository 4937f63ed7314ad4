/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostid.h - the host identity every event carries: hostname and machine id.
 *
 * Looked up once and cached (the run loop sets gp_record.hostname and
 * machine_id from these, and outputs use them for their syslog headers), so
 * a renamed host shows up after a restart, not mid-stream.
 */
#ifndef GP_HOSTID_H
#define GP_HOSTID_H

/* gethostname(), or "localhost" if that fails.  Never NULL. */
const char *gp_host_name(void);

/*
 * /etc/machine-id (32 lowercase hex digits, as systemd writes it), falling
 * back to /var/lib/dbus/machine-id; NULL when neither holds a valid id.
 */
const char *gp_host_machine_id(void);

/* Validate and copy a machine id read from a file: 1 if valid. */
int gp_machine_id_parse(const char *text, char out[33]);

#endif /* GP_HOSTID_H */
