/* SPDX-License-Identifier: GPL-2.0 */
/*
 * notify.h - tell systemd (Type=notify) when the daemon is ready, reloading
 * or stopping.  The protocol is one datagram to $NOTIFY_SOCKET, spoken
 * here directly so static builds, which have no libsystemd, do it too.
 */
#ifndef GP_NOTIFY_H
#define GP_NOTIFY_H

/*
 * Send state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...", several
 * joined by '\n').  1 sent, 0 not run by systemd (no NOTIFY_SOCKET), -1
 * failed (errno set): never fatal, the service manager times out instead.
 */
int gp_notify(const char *state);


#endif /* GP_NOTIFY_H */
