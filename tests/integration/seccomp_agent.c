/* seccomp_agent — a minimal seccomp agent for tests/integration/seccomp.bats.
 * `seccomp_agent SOCKET STATEFILE ERRNO` listens on SOCKET, accepts one connection from the runtime,
 * receives the notify fd (SCM_RIGHTS) and the containerProcessState JSON, writes the JSON to
 * STATEFILE, then answers every notification with -ERRNO until the notify fd hangs up. */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  char buf[65536];
  union { char b[CMSG_SPACE (sizeof (int))]; struct cmsghdr al; } u;
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
  int lfd, cfd, nfd = -1, err;
  ssize_t n, m;
  FILE *f;

  if (argc != 4 || strlen (argv[1]) >= sizeof sa.sun_path)
    {
      fprintf (stderr, "usage: seccomp_agent SOCKET STATEFILE ERRNO\n");
      return 2;
    }
  err = atoi (argv[3]);
  strcpy (sa.sun_path, argv[1]);
  lfd = socket (AF_UNIX, SOCK_STREAM, 0);
  if (lfd < 0 || bind (lfd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (lfd, 1) < 0)
    {
      perror ("seccomp_agent: listen");
      return 1;
    }
  cfd = accept (lfd, NULL, NULL);
  if (cfd < 0)
    return 1;
  n = recvmsg (cfd, &mh, 0);
  if (n <= 0)
    {
      fprintf (stderr, "seccomp_agent: no message\n");
      return 1;
    }
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&nfd, CMSG_DATA (c), sizeof nfd);
  while (n < (ssize_t) sizeof buf - 1 && (m = read (cfd, buf + n, sizeof buf - 1 - (size_t) n)) > 0)
    n += m;
  buf[n] = '\0';
  close (cfd);
  f = fopen (argv[2], "w");
  if (f == NULL)
    return 1;
  fprintf (f, "%s\n%s\n", buf, nfd >= 0 ? "fd: received" : "fd: missing");
  fclose (f);
  if (nfd < 0)
    return 1;

  for (;;)
    {
      struct seccomp_notif *req;
      struct seccomp_notif_resp *resp;
      struct pollfd p = { .fd = nfd, .events = POLLIN };
      if (poll (&p, 1, 30000) <= 0 || (p.revents & (POLLHUP | POLLERR)))
        break;
      if (seccomp_notify_alloc (&req, &resp) < 0)
        return 1;
      if (seccomp_notify_receive (nfd, req) == 0)
        {
          resp->id = req->id;
          resp->val = 0;
          resp->error = -err;
          resp->flags = 0;
          seccomp_notify_respond (nfd, resp);
        }
      seccomp_notify_free (req, resp);
    }
  return 0;
}
