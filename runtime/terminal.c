/* terminal.c — the container's pty (see terminal.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "terminal.h"
#include "../lib/log.h"
#include "../lib/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

int
terminal_connect_socket (const char *path, cnf_err *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd;
  if (strlen (path) >= sizeof sa.sun_path)
    return cnf_err_set (err, 0, "--console-socket \"%s\": path too long (max %zu bytes)", path,
                        sizeof sa.sun_path - 1);
  strcpy (sa.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cnf_err_set (err, errno, "--console-socket: socket");
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "--console-socket: connect to \"%s\"", path);
    }
  return fd;
}

int
terminal_send_fd (int sock, int fd, const char *name, cnf_err *err)
{
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen (name) };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c;
  ssize_t r;
  memset (cbuf, 0, sizeof cbuf);
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return cnf_err_set (err, errno, "send the pty master over the console socket");
  return 0;
}

int
terminal_setup (int console_fd, const struct spec_process *p, cnf_err *err)
{
  cleanup_close int master = -1;
  cleanup_close int slave = -1;
  int unlock = 0;

  master = open ("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return cnf_err_set (err, errno, "terminal: open the container's /dev/pts/ptmx (is devpts mounted?)");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return cnf_err_set (err, errno, "terminal: unlock the pty");
  /* Open the peer through the master: no path lookup a container could redirect. */
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    {
      unsigned n;
      char name[64];
      if (ioctl (master, TIOCGPTN, &n) < 0)
        return cnf_err_set (err, errno, "terminal: TIOCGPTN");
      snprintf (name, sizeof name, "/dev/pts/%u", n);
      slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
      if (slave < 0)
        return cnf_err_set (err, errno, "terminal: open %s", name);
    }
  if (p->has_console_size && (p->console_width || p->console_height))
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height, .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return cnf_err_set (err, errno, "terminal: set the console size");
    }
  /* The process owns its terminal, as with a login; devpts may refuse in a user namespace. */
  if (fchown (slave, p->user.uid, (gid_t) -1) < 0)
    log_debug ("terminal: fchown the pty to %u: %s", p->user.uid, strerror (errno));

  if (terminal_send_fd (console_fd, master, "/dev/ptmx", err) < 0)
    return -1;

  if (setsid () < 0 && errno != EPERM)
    return cnf_err_set (err, errno, "terminal: setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return cnf_err_set (err, errno, "terminal: make the pty the controlling terminal");
  if (dup2 (slave, 0) < 0 || dup2 (slave, 1) < 0 || dup2 (slave, 2) < 0)
    return cnf_err_set (err, errno, "terminal: make the pty stdin/stdout/stderr");
  return 0;
}
