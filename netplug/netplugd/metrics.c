/* metrics.c — Prometheus text exposition (version 0.0.4) over HTTP/1.0, on a Unix socket
 * ("unix:/path") or a loopback TCP port ("tcp:PORT", bound to 127.0.0.1 only).  Off unless
 * configured.  Served by the control thread: every scrape gets one response and is closed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

static void
add (char **buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
static void
add (char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
  va_list ap;
  for (;;)
    {
      va_start (ap, fmt);
      int n = vsnprintf (*buf + *len, *cap - *len, fmt, ap);
      va_end (ap);
      if (n >= 0 && (size_t) n < *cap - *len)
        {
          *len += n;
          return;
        }
      *cap = *cap * 2 + (n > 0 ? n : 0) + 256;
      *buf = xrealloc (*buf, *cap);
    }
}

char *
np_metrics_text (size_t *outlen)
{
  size_t len = 0, cap = 16384;
  char *b = xmalloc (cap);
  static const char *const fields[] = { "rx_packets", "rx_bytes", "tx_packets", "tx_bytes" };
  b[0] = 0;
  add (&b, &len, &cap, "# TYPE netplugd_ports gauge\nnetplugd_ports %u\n", np.nports);
  add (&b, &len, &cap, "# TYPE netplugd_networks gauge\nnetplugd_networks %u\n", np.nnets);
  for (int f = 0; f < 4; f++)
    {
      add (&b, &len, &cap, "# TYPE netplugd_port_%s_total counter\n", fields[f]);
      for (unsigned i = 0; i < NP_MAX_PORTS; i++)
        {
          struct np_port *p = np.ports[i];
          uint64_t s = 0;
          if (!p)
            continue;
          for (unsigned w = 0; w < NP_MAX_WORKERS; w++)
            s += f == 0 ? p->ctr[w].rx_packets : f == 1 ? p->ctr[w].rx_bytes : f == 2 ? p->ctr[w].tx_packets : p->ctr[w].tx_bytes;
          add (&b, &len, &cap, "netplugd_port_%s_total{port=\"%s\"} %llu\n", fields[f], p->name, (unsigned long long) s);
        }
    }
  add (&b, &len, &cap, "# TYPE netplugd_port_drops_total counter\n");
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    {
      struct np_port *p = np.ports[i];
      if (!p)
        continue;
      for (int d = 0; d < NP_DROP__COUNT; d++)
        {
          uint64_t s = 0;
          for (unsigned w = 0; w < NP_MAX_WORKERS; w++)
            s += p->ctr[w].drops[d];
          add (&b, &len, &cap, "netplugd_port_drops_total{port=\"%s\",cause=\"%s\"} %llu\n", p->name, np_drop_names[d],
               (unsigned long long) s);
        }
    }
  add (&b, &len, &cap, "# TYPE netplugd_port_up gauge\n");
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    if (np.ports[i])
      add (&b, &len, &cap, "netplugd_port_up{port=\"%s\"} %d\n", np.ports[i]->name,
           !strcmp (np_port_state (np.ports[i]), "up"));
  add (&b, &len, &cap, "# TYPE netplugd_network_macs gauge\n");
  for (unsigned i = 0; i < NP_MAX_NETWORKS; i++)
    if (np.nets[i])
      add (&b, &len, &cap, "netplugd_network_macs{network=\"%s\"} %u\n", np.nets[i]->name,
           np.nets[i]->type == NP_NET_BRIDGE ? np_bridge_mac_count (np.nets[i]) : 0);
  add (&b, &len, &cap, "# TYPE netplugd_worker_busy_ratio gauge\n");
  for (unsigned w = 0; w < np.nworkers; w++)
    {
      unsigned lcore;
      double ratio = np_fwd_worker_busy (w, &lcore);
      add (&b, &len, &cap, "netplugd_worker_busy_ratio{lcore=\"%u\"} %.4f\n", lcore, ratio);
    }
  *outlen = len;
  return b;
}

static void
on_scrape (int fd, uint32_t events, void *arg)
{
  char req[4096];
  ssize_t r = read (fd, req, sizeof req);
  (void) r; /* any request gets the metrics */
  size_t blen;
  char *body = np_metrics_text (&blen);
  char hdr[256];
  int h = snprintf (hdr, sizeof hdr,
                    "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %zu\r\n"
                    "Connection: close\r\n\r\n",
                    blen);
  struct timeval tv = { 2, 0 };
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (write_all (fd, hdr, h) >= 0)
    write_all (fd, body, blen);
  free (body);
  np_loop_del (fd);
  close (fd);
}

static void
on_metrics_accept (int fd, uint32_t events, void *arg)
{
  int c = accept4 (fd, NULL, NULL, SOCK_CLOEXEC); /* blocking: a scrape is one short exchange */
  if (c < 0)
    return;
  struct timeval tv = { 2, 0 };
  setsockopt (c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  np_loop_add (c, EPOLLIN, on_scrape, NULL);
}

int
np_metrics_listen (const char *spec, cnf_err *err)
{
  int fd;
  if (str_has_prefix (spec, "unix:"))
    {
      struct sockaddr_un sa = { .sun_family = AF_UNIX };
      const char *path = spec + 5;
      struct stat st;
      if (path[0] != '/' || strlen (path) >= sizeof sa.sun_path)
        return cnf_err_set (err, 0, "--metrics %s: an absolute path shorter than 108 bytes", spec);
      strcpy (sa.sun_path, path);
      if (lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
        unlink (path);
      fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || chmod (path, 0600) < 0 || listen (fd, 16) < 0)
        return cnf_err_set (err, errno, "--metrics %s", spec);
    }
  else if (str_has_prefix (spec, "tcp:"))
    {
      unsigned long long port;
      struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
      int one = 1;
      if (parse_u64 (spec + 4, &port) < 0 || port == 0 || port > 65535)
        return cnf_err_set (err, 0, "--metrics %s: tcp:PORT (bound to 127.0.0.1)", spec);
      sa.sin_port = htons ((uint16_t) port);
      fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd >= 0)
        setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (fd, 16) < 0)
        return cnf_err_set (err, errno, "--metrics %s", spec);
    }
  else
    return cnf_err_set (err, 0, "--metrics %s: unix:/path or tcp:PORT", spec);
  np_loop_add (fd, EPOLLIN, on_metrics_accept, NULL);
  log_info ("metrics on %s", spec);
  return 0;
}
