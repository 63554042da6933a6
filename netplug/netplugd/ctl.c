/* ctl.c — the control socket: a Unix stream socket (mode 0600) carrying one JSON request line
 * and one JSON reply line per connection (netplug/PROTOCOL.md).  Requests are dispatched to
 * model.c on the control thread, so control operations are serialised without locks. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <rte_version.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

#define CTL_MAX_REQ (64 * 1024)

struct ctl_client
{
  int fd;
  size_t len;
  char buf[CTL_MAX_REQ + 1];
};

static const char *
code_name (int code)
{
  switch (code)
    {
    case NP_E_INVALID:
      return "invalid";
    case NP_E_NOT_FOUND:
      return "not-found";
    case NP_E_EXISTS:
      return "exists";
    case NP_E_BUSY:
      return "busy";
    case NP_E_LIMIT:
      return "limit";
    default:
      return "internal";
    }
}

static char *
reply_error (const char *code, const char *msg, size_t *outlen)
{
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kbool (w, "ok", false);
  json_w_key (w, "error");
  json_w_obj_open (w);
  json_w_kstr (w, "code", code);
  json_w_kstr (w, "msg", msg);
  json_w_obj_close (w);
  json_w_obj_close (w);
  return json_writer_steal (w, outlen);
}

static const char *
req_str (const json_value *req, const char *key)
{
  return json_string (json_get (req, key));
}

/* Runs one operation; writes its result object into w.  Returns -1 with err on refusal. */
static int
dispatch (const char *op, const json_value *req, json_writer *w, cnf_err *err)
{
  if (!strcmp (op, "version"))
    {
      json_w_obj_open (w);
      json_w_kstr (w, "version", NP_VERSION);
      json_w_kint (w, "protocol", NP_PROTOCOL);
      json_w_kstr (w, "dpdk", rte_version ());
      json_w_obj_close (w);
      return 0;
    }
  if (!strcmp (op, "health"))
    {
      json_w_obj_open (w);
      json_w_kstr (w, "status", "ok");
      json_w_kuint (w, "ports", np.nports);
      json_w_kuint (w, "networks", np.nnets);
      json_w_kuint (w, "workers", np.nworkers);
      json_w_obj_close (w);
      return 0;
    }
  if (!strcmp (op, "port-add"))
    return np_port_add_json (req, w, err);
  if (!strcmp (op, "network-add"))
    return np_net_add_json (req, w, err);
  if (!strcmp (op, "port-list") || !strcmp (op, "network-list"))
    {
      bool ports = op[0] == 'p';
      json_w_obj_open (w);
      json_w_key (w, ports ? "ports" : "networks");
      json_w_arr_open (w);
      for (unsigned i = 0; i < (ports ? NP_MAX_PORTS : NP_MAX_NETWORKS); i++)
        {
          if (ports && np.ports[i])
            np_port_write (w, np.ports[i]);
          if (!ports && np.nets[i])
            np_net_write (w, np.nets[i]);
        }
      json_w_arr_close (w);
      json_w_obj_close (w);
      return 0;
    }
  if (!strcmp (op, "port-show") || !strcmp (op, "stats"))
    {
      const char *name = req_str (req, !strcmp (op, "stats") ? "port" : "name");
      struct np_port *p = name ? np_port_find (name) : NULL;
      if (!strcmp (op, "port-show") && !name)
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".name: a port name (string) is required");
      if (name && !p)
        return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no port %s", name);
      if (op[0] == 'p')
        np_port_write (w, p);
      else
        np_stats_write (w, p);
      return 0;
    }
  if (!strcmp (op, "port-del") || !strcmp (op, "network-del") || !strcmp (op, "detach"))
    {
      const char *name = req_str (req, op[0] == 'd' ? "port" : "name");
      int r;
      if (!name)
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".%s: a name (string) is required", op[0] == 'd' ? "port" : "name");
      r = op[0] == 'p' ? np_port_del (name, err) : op[0] == 'n' ? np_net_del (name, err) : np_detach (name, err);
      if (r < 0)
        return -1;
      json_w_obj_open (w);
      json_w_obj_close (w);
      return 0;
    }
  if (!strcmp (op, "attach"))
    {
      const char *port = req_str (req, "port"), *net = req_str (req, "network");
      json_value *v = json_get (req, "vlan");
      int64_t vlan = -1;
      if (!port || !net)
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".port and .network (strings) are required");
      if (v && !json_is_null (v) && (json_get_int64 (v, &vlan) < 0 || vlan < 1 || vlan > 4094))
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".vlan: an integer in 1..4094");
      if (np_attach (port, net, (int) vlan, err) < 0)
        return -1;
      json_w_obj_open (w);
      json_w_obj_close (w);
      return 0;
    }
  if (!strcmp (op, "xconnect"))
    {
      const char *a = req_str (req, "a"), *b = req_str (req, "b");
      struct np_port *pa, *pb;
      if (!a || !b)
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".a and .b (port names) are required");
      if (!(pa = np_port_find (a)))
        return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no port %s", a);
      if (!(pb = np_port_find (b)))
        return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no port %s", b);
      if (pa == pb)
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".b: a port cannot be cross-connected to itself");
      if (pa->network[0] || pb->network[0])
        return cnf_err_set_code (err, NP_E_BUSY, 0, "port %s is already attached", pa->network[0] ? a : b);
      cleanup_free char *name = xasprintf ("xc-%s-%s", a, b);
      if (!np_valid_name (name))
        { /* too long (CNI port names run to 56 characters): shorten, keep it unique with a hash */
          uint32_t h = 2166136261u;
          for (const char *q = name; *q; q++)
            h = (h ^ (uint8_t) *q) * 16777619u;
          free (name);
          name = xasprintf ("xc-%.25s-%.24s-%08x", a, b, h);
        }
      if (np_net_find (name))
        return cnf_err_set_code (err, NP_E_EXISTS, 0, "network %s already exists", name);
      json_writer *tmp = json_writer_new (false);
      json_w_obj_open (tmp);
      json_w_kstr (tmp, "name", name);
      json_w_kstr (tmp, "type", "xconnect");
      json_w_obj_close (tmp);
      size_t l;
      cleanup_free char *t = json_writer_steal (tmp, &l);
      json_value *nreq = json_parse (t, l, NULL, 0);
      int r = np_net_add_json (nreq, NULL, err);
      json_free (nreq);
      if (r < 0)
        return -1;
      if (np_attach (a, name, -1, err) < 0 || np_attach (b, name, -1, err) < 0)
        {
          np_detach (a, NULL);
          np_net_del (name, NULL);
          np_state_save (NULL);
          return -1;
        }
      np_net_write (w, np_net_find (name));
      return 0;
    }
  return cnf_err_set_code (err, NP_E_INVALID, 0, ".op: unknown operation %s", op);
}

char *
np_ctl_handle (const char *text, size_t len, size_t *outlen)
{
  char ebuf[256];
  cnf_err err = NULL;
  json_value *req = json_parse (text, len, ebuf, sizeof ebuf);
  const char *op;
  char *out;
  if (!req)
    return reply_error ("invalid", ebuf, outlen);
  if (json_typeof (req) != JSON_OBJECT)
    {
      json_free (req);
      return reply_error ("invalid", "request: must be a JSON object", outlen);
    }
  if (!(op = req_str (req, "op")))
    {
      json_free (req);
      return reply_error ("invalid", ".op: a string is required", outlen);
    }
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kbool (w, "ok", true);
  json_w_key (w, "result");
  if (dispatch (op, req, w, &err) < 0)
    {
      json_writer_free (w);
      out = reply_error (code_name (err ? err->code : 0), err && err->msg ? err->msg : "failed", outlen);
      log_info ("request %s refused: %s", op, err && err->msg ? err->msg : "failed");
      cnf_err_free (&err);
    }
  else
    {
      json_w_obj_close (w);
      out = json_writer_steal (w, outlen);
    }
  json_free (req);
  return out;
}

static void
client_done (struct ctl_client *c)
{
  np_loop_del (c->fd);
  close (c->fd);
  free (c);
}

static void
on_client (int fd, uint32_t events, void *arg)
{
  struct ctl_client *c = arg;
  ssize_t r = read (fd, c->buf + c->len, CTL_MAX_REQ + 1 - c->len);
  char *nl, *out;
  size_t olen;
  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (r > 0)
    c->len += r;
  c->buf[c->len < CTL_MAX_REQ ? c->len : CTL_MAX_REQ] = 0;
  nl = memchr (c->buf, '\n', c->len);
  if (!nl && c->len > CTL_MAX_REQ)
    out = reply_error ("invalid", "request larger than 64 KiB", &olen);
  else if (!nl && r > 0)
    return; /* wait for the rest */
  else if (!nl && c->len == 0)
    {
      client_done (c);
      return;
    }
  else
    out = np_ctl_handle (c->buf, nl ? (size_t) (nl - c->buf) : c->len, &olen);
  /* replies are written blocking: the client reads right after it wrote its line */
  out = xrealloc (out, olen + 1);
  out[olen] = '\n';
  {
    size_t off = 0;
    while (off < olen + 1)
      {
        ssize_t k = send (fd, out + off, olen + 1 - off, MSG_NOSIGNAL);
        if (k < 0 && errno == EAGAIN)
          {
            struct timeval tv2;
            fd_set ws;
            FD_ZERO (&ws);
            FD_SET (fd, &ws);
            tv2.tv_sec = 5;
            tv2.tv_usec = 0;
            if (select (fd + 1, NULL, &ws, NULL, &tv2) <= 0)
              break;
            continue;
          }
        if (k <= 0)
          break;
        off += k;
      }
  }
  free (out);
  client_done (c);
}

static void
on_accept (int fd, uint32_t events, void *arg)
{
  int c = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (c < 0)
    return;
  struct ctl_client *cl = xzalloc (sizeof *cl);
  cl->fd = c;
  np_loop_add (c, EPOLLIN, on_client, cl);
}

int
np_ctl_listen (const char *path, cnf_err *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  struct stat st;
  int fd;
  if (strlen (path) >= sizeof sa.sun_path)
    return cnf_err_set (err, 0, "control socket %s: path too long", path);
  strcpy (sa.sun_path, path);
  char *dir = xstrdup (path), *sl = strrchr (dir, '/');
  if (sl && sl != dir)
    {
      *sl = 0;
      if (mkdir_p_at (AT_FDCWD, dir, 0700, err) < 0)
        {
          free (dir);
          return -1;
        }
    }
  free (dir);
  if (lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    unlink (path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cnf_err_set (err, errno, "socket");
  mode_t old = umask (0177);
  int r = bind (fd, (struct sockaddr *) &sa, sizeof sa);
  umask (old);
  if (r < 0 || chmod (path, 0600) < 0 || listen (fd, 64) < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "control socket %s", path);
    }
  np_loop_add (fd, EPOLLIN, on_accept, NULL);
  return 0;
}
