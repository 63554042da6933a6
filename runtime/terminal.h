/* terminal.h — process.terminal with --console-socket, as runc does it: the container opens a
 * pty from its own devpts, sends the master over the console socket with SCM_RIGHTS and keeps the
 * slave as its controlling terminal and stdio. */
#ifndef CNF_TERMINAL_H
#define CNF_TERMINAL_H

#include "spec.h"
#include "../lib/error.h"

/* In the container after pivot: open the container's /dev/pts/ptmx (fallback /dev/ptmx), unlock,
 * set the console size, send the master fd over the connected unix socket console_fd, make the
 * slave the controlling tty (setsid + TIOCSCTTY) and stdin/stdout/stderr. */
int terminal_setup (int console_fd, const struct spec_process *p, cnf_err *err);
/* Host side: connect to --console-socket PATH (SOCK_STREAM, CLOEXEC); returns the fd. */
int terminal_connect_socket (const char *path, cnf_err *err);
/* Send fd with SCM_RIGHTS and `name` as the payload (what runc's clients read). */
int terminal_send_fd (int sock, int fd, const char *name, cnf_err *err);

#endif
