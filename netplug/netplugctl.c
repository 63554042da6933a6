/* netplugctl — command-line client of netplugd's control socket (netplug/PROTOCOL.md).
 * Builds one request from the command words and --options, prints the reply for humans, or
 * verbatim with --json.  Exit status: 0 ok, 1 refused by netplugd, 2 usage or connection error. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/json.h"
#include "lib/util.h"

static const char *const numeric[] = { "memif_id", "ring_size", "buffer_size", "vlan", "mac_limit", "aging", NULL };

static void
usage (FILE *f)
{
  fprintf (f, "Usage: netplugctl [--socket PATH] [--json] COMMAND\n"
              "  version | health | stats [PORT]\n"
              "  port add NAME --type memif|tap|vhost-user|ethdev [--socket P] [--memif-id N] [--ifname IF]\n"
              "           [--devargs D] [--mac M] [--network NET] [--vlan V] [--role R] [--ring-size N] [--buffer-size N]\n"
              "  port del NAME | port list | port show NAME\n"
              "  network add NAME [--type bridge|xconnect] [--mac-limit N] [--aging S] | network del NAME | network list\n"
              "  attach PORT NETWORK [--vlan V] | detach PORT | xconnect A B\n"
              "  raw JSON            send a request line as is\n");
}

static bool
is_numeric_key (const char *k)
{
  for (int i = 0; numeric[i]; i++)
    if (!strcmp (k, numeric[i]))
      return true;
  return false;
}

static char *
roundtrip (const char *path, const char *req, size_t len)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd;
  char *buf = NULL;
  size_t cap = 0, n = 0;
  if (strlen (path) >= sizeof sa.sun_path)
    return NULL;
  strcpy (sa.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      fprintf (stderr, "netplugctl: connect %s: %s\n", path, strerror (errno));
      return NULL;
    }
  /* netplugd may answer (and close) before reading an oversized request: still read the reply */
  if (write_all (fd, req, len) < 0 || write_all (fd, "\n", 1) < 0)
    fprintf (stderr, "netplugctl: write: %s\n", strerror (errno));
  for (;;)
    {
      if (cap - n < 4096)
        buf = xrealloc (buf, cap = cap * 2 + 8192);
      ssize_t r = read (fd, buf + n, cap - n - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      n += r;
      if (memchr (buf + n - r, '\n', r))
        break;
    }
  close (fd);
  if (!buf || n == 0)
    {
      fprintf (stderr, "netplugctl: no reply from netplugd\n");
      free (buf);
      return NULL;
    }
  buf[n] = 0;
  return buf;
}

static const char *
s_or (const json_value *o, const char *k, const char *dflt)
{
  const char *s = json_string (json_get (o, k));
  return s ? s : dflt;
}

static unsigned long long
u_of (const json_value *o, const char *k)
{
  uint64_t v = 0;
  json_get_uint64 (json_get (o, k), &v);
  return (unsigned long long) v;
}

static void
print_port_row (const json_value *p)
{
  const json_value *st = json_get (p, "stats");
  const char *where = s_or (p, "socket", s_or (p, "ifname", s_or (p, "devargs", "-")));
  printf ("%-20s %-10s %-8s %-16s %10llu %10llu  %s\n", s_or (p, "name", "?"), s_or (p, "type", "?"), s_or (p, "state", "?"),
          s_or (p, "network", "-"), u_of (st, "rx_packets"), u_of (st, "tx_packets"), where);
}

static void
print_human (const char *cmd, const json_value *res)
{
  if (!strcmp (cmd, "port-list"))
    {
      json_value *a = json_get (res, "ports");
      printf ("%-20s %-10s %-8s %-16s %10s %10s  %s\n", "NAME", "TYPE", "STATE", "NETWORK", "RX", "TX", "ENDPOINT");
      for (size_t i = 0; i < json_len (a); i++)
        print_port_row (json_at (a, i));
      return;
    }
  if (!strcmp (cmd, "network-list"))
    {
      json_value *a = json_get (res, "networks");
      printf ("%-20s %-9s %6s  %s\n", "NAME", "TYPE", "MACS", "PORTS");
      for (size_t i = 0; i < json_len (a); i++)
        {
          json_value *n = json_at (a, i), *ps = json_get (n, "ports");
          printf ("%-20s %-9s %6llu  ", s_or (n, "name", "?"), s_or (n, "type", "?"), u_of (n, "macs"));
          for (size_t j = 0; j < json_len (ps); j++)
            printf ("%s%s", j ? "," : "", json_string (json_at (ps, j)));
          printf ("\n");
        }
      return;
    }
  if (!strcmp (cmd, "stats"))
    {
      json_value *ps = json_get (res, "ports"), *ws = json_get (res, "workers");
      printf ("%-20s %12s %12s %12s %12s %10s\n", "PORT", "RX-PKTS", "RX-BYTES", "TX-PKTS", "TX-BYTES", "DROPS");
      for (size_t i = 0; i < json_len (ps); i++)
        {
          json_value *s = json_value_at (ps, i), *d = json_get (s, "drops");
          unsigned long long drops = 0;
          for (size_t j = 0; j < json_len (d); j++)
            {
              uint64_t v = 0;
              json_get_uint64 (json_value_at (d, j), &v);
              drops += v;
            }
          printf ("%-20s %12llu %12llu %12llu %12llu %10llu\n", json_key_at (ps, i), u_of (s, "rx_packets"),
                  u_of (s, "rx_bytes"), u_of (s, "tx_packets"), u_of (s, "tx_bytes"), drops);
        }
      for (size_t i = 0; i < json_len (ws); i++)
        {
          json_value *w = json_at (ws, i);
          double b = 0;
          json_get_double (json_get (w, "busy_ratio"), &b);
          printf ("worker lcore %llu: busy %.1f%%, rx %llu, tx %llu\n", u_of (w, "lcore"), b * 100, u_of (w, "rx"), u_of (w, "tx"));
        }
      return;
    }
  if (!strcmp (cmd, "port-add"))
    {
      printf ("port %s added (%s)\n", s_or (res, "name", "?"), s_or (res, "state", "?"));
      return;
    }
  if (!strcmp (cmd, "port-show"))
    {
      json_writer *w = json_writer_new (true);
      json_w_value (w, res);
      printf ("%s\n", json_writer_text (w, NULL));
      json_writer_free (w);
      return;
    }
  if (!strcmp (cmd, "version"))
    {
      printf ("netplugd %s, protocol %llu, %s\n", s_or (res, "version", "?"), u_of (res, "protocol"), s_or (res, "dpdk", "?"));
      return;
    }
  if (!strcmp (cmd, "health"))
    {
      printf ("%s: %llu ports, %llu networks, %llu workers\n", s_or (res, "status", "?"), u_of (res, "ports"),
              u_of (res, "networks"), u_of (res, "workers"));
      return;
    }
  printf ("ok\n");
}

int
main (int argc, char **argv)
{
  const char *sock = getenv ("NETPLUGD_SOCKET") ? getenv ("NETPLUGD_SOCKET") : "/run/netplugd/ctl.sock";
  bool as_json = false;
  int i = 1;
  signal (SIGPIPE, SIG_IGN);
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++)
    {
      if (!strcmp (argv[i], "--json"))
        as_json = true;
      else if (!strcmp (argv[i], "--socket") && i + 1 < argc)
        sock = argv[++i];
      else if (!strcmp (argv[i], "--help"))
        {
          usage (stdout);
          return 0;
        }
      else
        {
          usage (stderr);
          return 2;
        }
    }
  if (i >= argc)
    {
      usage (stderr);
      return 2;
    }
  char op[64];
  const char *pos_keys[3] = { NULL, NULL, NULL };
  const char *w1 = argv[i++];
  cleanup_free char *raw = NULL;
  if (!strcmp (w1, "raw"))
    {
      if (i >= argc)
        {
          usage (stderr);
          return 2;
        }
      raw = xstrdup (argv[i]);
      snprintf (op, sizeof op, "raw");
    }
  else if (!strcmp (w1, "port") || !strcmp (w1, "network"))
    {
      if (i >= argc)
        {
          usage (stderr);
          return 2;
        }
      snprintf (op, sizeof op, "%s-%s", w1, argv[i++]);
      pos_keys[0] = "name";
    }
  else
    {
      snprintf (op, sizeof op, "%s", w1);
      if (!strcmp (w1, "attach"))
        pos_keys[0] = "port", pos_keys[1] = "network";
      else if (!strcmp (w1, "detach") || !strcmp (w1, "stats"))
        pos_keys[0] = "port";
      else if (!strcmp (w1, "xconnect"))
        pos_keys[0] = "a", pos_keys[1] = "b";
    }
  size_t len;
  char *req;
  if (raw)
    {
      req = steal_ptr (&raw);
      len = strlen (req);
    }
  else
    {
      json_writer *w = json_writer_new (false);
      int npos = 0;
      json_w_obj_open (w);
      json_w_kstr (w, "op", op);
      for (; i < argc; i++)
        {
          if (!strncmp (argv[i], "--", 2) && i + 1 < argc)
            {
              char key[64];
              snprintf (key, sizeof key, "%s", argv[i] + 2);
              for (char *p = key; *p; p++)
                if (*p == '-')
                  *p = '_';
              unsigned long long u;
              if (is_numeric_key (key) && parse_u64 (argv[i + 1], &u) == 0)
                json_w_kuint (w, key, u);
              else
                json_w_kstr (w, key, argv[i + 1]);
              i++;
            }
          else if (npos < 2 && pos_keys[npos])
            json_w_kstr (w, pos_keys[npos++], argv[i]);
          else
            {
              fprintf (stderr, "netplugctl: unexpected argument %s\n", argv[i]);
              json_writer_free (w);
              return 2;
            }
        }
      json_w_obj_close (w);
      req = json_writer_steal (w, &len);
    }
  cleanup_free char *reply = roundtrip (sock, req, len);
  free (req);
  if (!reply)
    return 2;
  char ebuf[256];
  json_value *r = json_parse (reply, strlen (reply), ebuf, sizeof ebuf);
  bool ok = false;
  if (!r || json_get_bool (json_get (r, "ok"), &ok) < 0)
    {
      fprintf (stderr, "netplugctl: bad reply: %s\n", r ? "no .ok" : ebuf);
      json_free (r);
      return 2;
    }
  if (as_json)
    fputs (reply, stdout);
  else if (!ok)
    {
      json_value *e = json_get (r, "error");
      fprintf (stderr, "netplugctl: %s: %s\n", s_or (e, "code", "?"), s_or (e, "msg", "?"));
    }
  else
    print_human (op, json_get (r, "result"));
  json_free (r);
  return ok ? 0 : 1;
}
