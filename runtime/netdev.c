/* netdev.c — linux.netDevices (see netdev.h).
 * The move itself is one RTM_NEWLINK carrying IFLA_NET_NS_FD and, for a rename, IFLA_IFNAME: the
 * device never appears in the container under its host name (no udev race, no name clash).
 * Work inside the container's netns goes through a netlink socket opened there: the calling
 * thread enters the netns only for socket() and returns at once; a socket keeps its netns. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include "netdev.h"
#include "procfs.h"
#include "../lib/log.h"
#include "../lib/util.h"

/* libnl is loaded when a container has netDevices, not linked: linked, its libraries and their
 * constructors cost every cnfrun call (create, its re-exec, start, delete) ~0.3 ms of CPU.
 * The headers still give the prototypes the pointers are checked against. */
#define NL_FUNCS(X) \
  X (nl_addr2str) X (nl_cache_free) X (nl_cache_get_first) X (nl_cache_get_next) X (nl_connect) \
  X (nl_geterror) X (nl_object_get) X (nl_socket_alloc) X (nl_socket_free) X (rtnl_addr_add) \
  X (rtnl_addr_alloc) X (rtnl_addr_alloc_cache) X (rtnl_addr_get_broadcast) X (rtnl_addr_get_family) \
  X (rtnl_addr_get_flags) X (rtnl_addr_get_ifindex) X (rtnl_addr_get_label) X (rtnl_addr_get_local) \
  X (rtnl_addr_get_prefixlen) X (rtnl_addr_get_scope) X (rtnl_addr_put) X (rtnl_addr_set_broadcast) \
  X (rtnl_addr_set_family) X (rtnl_addr_set_flags) X (rtnl_addr_set_ifindex) X (rtnl_addr_set_label) \
  X (rtnl_addr_set_local) X (rtnl_addr_set_prefixlen) X (rtnl_addr_set_scope) X (rtnl_link_alloc) \
  X (rtnl_link_change) X (rtnl_link_get_ifindex) X (rtnl_link_get_kernel) X (rtnl_link_get_name) \
  X (rtnl_link_put) X (rtnl_link_set_flags) X (rtnl_link_set_name) X (rtnl_link_set_ns_fd)

static struct
{
  bool tried;
  void *lib;
  char why[512]; /* why it could not be loaded */
#define NL_PTR(f) __typeof__ (f) *p_##f;
  NL_FUNCS (NL_PTR)
#undef NL_PTR
} nlf;

static int
nl_load (cnf_err *err)
{
  if (!nlf.tried)
    {
      bool ok = true;
      nlf.tried = true;
      /* libnl-route-3 pulls in libnl-3; dlsym on its handle searches both. */
      nlf.lib = cnf_dlopen ("libnl-route-3.so.200", nlf.why, sizeof nlf.why);
#define NL_SYM(f)                                                                                            \
  if (ok && (nlf.p_##f = (__typeof__ (nlf.p_##f)) dlsym (nlf.lib, #f)) == NULL)                              \
    {                                                                                                        \
      ok = false;                                                                                            \
      snprintf (nlf.why, sizeof nlf.why, "it has no symbol %s", #f);                                         \
    }
      if (nlf.lib)
        {
          NL_FUNCS (NL_SYM)
          if (!ok)
            {
              dlclose (nlf.lib);
              nlf.lib = NULL;
            }
        }
#undef NL_SYM
    }
  if (nlf.lib == NULL)
    return cnf_err_set (err, 0,
                        "linux.netDevices: cannot load libnl-route-3.so.200 (Debian package libnl-route-3-200): %s",
                        nlf.why);
  return 0;
}

#define NL_CALL(f) (*nlf.p_##f)
#define nl_addr2str NL_CALL (nl_addr2str)
#define nl_cache_free NL_CALL (nl_cache_free)
#define nl_cache_get_first NL_CALL (nl_cache_get_first)
#define nl_cache_get_next NL_CALL (nl_cache_get_next)
#define nl_connect NL_CALL (nl_connect)
#define nl_geterror NL_CALL (nl_geterror)
#define nl_object_get NL_CALL (nl_object_get)
#define nl_socket_alloc NL_CALL (nl_socket_alloc)
#define nl_socket_free NL_CALL (nl_socket_free)
#define rtnl_addr_add NL_CALL (rtnl_addr_add)
#define rtnl_addr_alloc NL_CALL (rtnl_addr_alloc)
#define rtnl_addr_alloc_cache NL_CALL (rtnl_addr_alloc_cache)
#define rtnl_addr_get_broadcast NL_CALL (rtnl_addr_get_broadcast)
#define rtnl_addr_get_family NL_CALL (rtnl_addr_get_family)
#define rtnl_addr_get_flags NL_CALL (rtnl_addr_get_flags)
#define rtnl_addr_get_ifindex NL_CALL (rtnl_addr_get_ifindex)
#define rtnl_addr_get_label NL_CALL (rtnl_addr_get_label)
#define rtnl_addr_get_local NL_CALL (rtnl_addr_get_local)
#define rtnl_addr_get_prefixlen NL_CALL (rtnl_addr_get_prefixlen)
#define rtnl_addr_get_scope NL_CALL (rtnl_addr_get_scope)
#define rtnl_addr_put NL_CALL (rtnl_addr_put)
#define rtnl_addr_set_broadcast NL_CALL (rtnl_addr_set_broadcast)
#define rtnl_addr_set_family NL_CALL (rtnl_addr_set_family)
#define rtnl_addr_set_flags NL_CALL (rtnl_addr_set_flags)
#define rtnl_addr_set_ifindex NL_CALL (rtnl_addr_set_ifindex)
#define rtnl_addr_set_label NL_CALL (rtnl_addr_set_label)
#define rtnl_addr_set_local NL_CALL (rtnl_addr_set_local)
#define rtnl_addr_set_prefixlen NL_CALL (rtnl_addr_set_prefixlen)
#define rtnl_addr_set_scope NL_CALL (rtnl_addr_set_scope)
#define rtnl_link_alloc NL_CALL (rtnl_link_alloc)
#define rtnl_link_change NL_CALL (rtnl_link_change)
#define rtnl_link_get_ifindex NL_CALL (rtnl_link_get_ifindex)
#define rtnl_link_get_kernel NL_CALL (rtnl_link_get_kernel)
#define rtnl_link_get_name NL_CALL (rtnl_link_get_name)
#define rtnl_link_put NL_CALL (rtnl_link_put)
#define rtnl_link_set_flags NL_CALL (rtnl_link_set_flags)
#define rtnl_link_set_name NL_CALL (rtnl_link_set_name)
#define rtnl_link_set_ns_fd NL_CALL (rtnl_link_set_ns_fd)

struct saved_addrs
{
  struct rtnl_addr **a;
  size_t n;
};

static void
saved_addrs_free (struct saved_addrs *s)
{
  size_t i;
  for (i = 0; i < s->n; i++)
    rtnl_addr_put (s->a[i]);
  free (s->a);
  s->a = NULL;
  s->n = 0;
}

int
netdev_check_name (const char *name, cnf_err *err)
{
  size_t len = name ? strlen (name) : 0;
  if (len == 0 || len >= IFNAMSIZ)
    return cnf_err_set (err, 0, "linux.netDevices: interface name \"%s\" must be 1..%d bytes", name ? name : "",
                        IFNAMSIZ - 1);
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0 || strpbrk (name, "/: \t\n"))
    return cnf_err_set (err, 0, "linux.netDevices: invalid interface name \"%s\"", name);
  return 0;
}

static struct nl_sock *
nl_open (cnf_err *err)
{
  struct nl_sock *sk = nl_socket_alloc ();
  int r;
  if (sk == NULL)
    {
      cnf_err_set (err, ENOMEM, "netlink: allocate a socket");
      return NULL;
    }
  r = nl_connect (sk, NETLINK_ROUTE);
  if (r < 0)
    {
      cnf_err_set (err, 0, "netlink: connect: %s", nl_geterror (r));
      nl_socket_free (sk);
      return NULL;
    }
  return sk;
}

/* A NETLINK_ROUTE socket living in the netns nsfd. */
static struct nl_sock *
nl_open_in (int nsfd, cnf_err *err)
{
  cleanup_close int self = -1;
  struct nl_sock *sk;
  self = procfs_open (-1, "ns/net", O_RDONLY | O_CLOEXEC, err);
  if (self < 0)
    return NULL;
  if (setns (nsfd, CLONE_NEWNET) < 0)
    {
      cnf_err_set (err, errno, "enter the container's network namespace");
      return NULL;
    }
  sk = nl_open (err);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      /* Staying in the container's netns would misplace everything that follows. */
      log_error ("cannot return to the runtime's network namespace: %s", strerror (errno));
      abort ();
    }
  return sk;
}

static int
link_get (struct nl_sock *sk, const char *name, struct rtnl_link **out, const char *where, cnf_err *err)
{
  int r = rtnl_link_get_kernel (sk, 0, name, out);
  if (r < 0)
    return cnf_err_set (err, 0, "linux.netDevices: \"%s\": %s%s", name,
                        r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV ? "no such device in the " : "lookup failed in the ",
                        where);
  return 0;
}

/* The permanent global addresses of ifindex (what the spec says must survive the move). */
static int
addrs_read (struct nl_sock *sk, int ifindex, struct saved_addrs *out, cnf_err *err)
{
  struct nl_cache *cache = NULL;
  struct nl_object *o;
  int r = rtnl_addr_alloc_cache (sk, &cache);
  out->a = NULL;
  out->n = 0;
  if (r < 0)
    return cnf_err_set (err, 0, "linux.netDevices: read addresses: %s", nl_geterror (r));
  for (o = nl_cache_get_first (cache); o; o = nl_cache_get_next (o))
    {
      struct rtnl_addr *a = (struct rtnl_addr *) o;
      int fam = rtnl_addr_get_family (a);
      if (rtnl_addr_get_ifindex (a) != ifindex || (fam != AF_INET && fam != AF_INET6))
        continue;
      if (rtnl_addr_get_scope (a) != RT_SCOPE_UNIVERSE || !(rtnl_addr_get_flags (a) & IFA_F_PERMANENT))
        continue;
      nl_object_get (o);
      out->a = xrealloc (out->a, (out->n + 1) * sizeof *out->a);
      out->a[out->n++] = a;
    }
  nl_cache_free (cache);
  return 0;
}

static int
addrs_add (struct nl_sock *sk, int ifindex, const char *name, const struct saved_addrs *s, cnf_err *err)
{
  size_t i;
  for (i = 0; i < s->n; i++)
    {
      struct rtnl_addr *n = rtnl_addr_alloc ();
      struct nl_addr *bc = rtnl_addr_get_broadcast (s->a[i]);
      char buf[128];
      int r;
      rtnl_addr_set_ifindex (n, ifindex);
      rtnl_addr_set_family (n, rtnl_addr_get_family (s->a[i]));
      rtnl_addr_set_local (n, rtnl_addr_get_local (s->a[i]));
      rtnl_addr_set_prefixlen (n, rtnl_addr_get_prefixlen (s->a[i]));
      rtnl_addr_set_scope (n, RT_SCOPE_UNIVERSE);
      if (bc)
        rtnl_addr_set_broadcast (n, bc);
      rtnl_addr_set_flags (n, rtnl_addr_get_flags (s->a[i])
                                  & (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR));
      if (rtnl_addr_get_label (s->a[i]) && rtnl_addr_get_family (s->a[i]) == AF_INET)
        {
          /* IPv4 labels carry the interface name ("eth1:0"); a renamed link gets the plain name. */
          rtnl_addr_set_label (n, name);
        }
      r = rtnl_addr_add (sk, n, NLM_F_REPLACE);
      nl_addr2str (rtnl_addr_get_local (s->a[i]), buf, sizeof buf);
      rtnl_addr_put (n);
      if (r < 0)
        return cnf_err_set (err, 0, "linux.netDevices: \"%s\": add address %s: %s", name, buf, nl_geterror (r));
    }
  return 0;
}

/* One RTM_NEWLINK: into the netns nsfd, named newname. */
static int
link_move (struct nl_sock *sk, struct rtnl_link *link, int nsfd, const char *newname, cnf_err *err)
{
  struct rtnl_link *ch = rtnl_link_alloc ();
  int r;
  rtnl_link_set_ns_fd (ch, nsfd);
  if (newname && strcmp (newname, rtnl_link_get_name (link)) != 0)
    rtnl_link_set_name (ch, newname);
  r = rtnl_link_change (sk, link, ch, 0);
  rtnl_link_put (ch);
  if (r < 0)
    return cnf_err_set (err, 0, "linux.netDevices: move \"%s\"%s%s: %s", rtnl_link_get_name (link),
                        newname ? " as " : "", newname ? newname : "", nl_geterror (r));
  return 0;
}

static int
link_set_up (struct nl_sock *sk, struct rtnl_link *link, cnf_err *err)
{
  struct rtnl_link *ch = rtnl_link_alloc ();
  int r;
  rtnl_link_set_flags (ch, IFF_UP);
  r = rtnl_link_change (sk, link, ch, 0);
  rtnl_link_put (ch);
  if (r < 0)
    return cnf_err_set (err, 0, "linux.netDevices: bring \"%s\" up: %s", rtnl_link_get_name (link), nl_geterror (r));
  return 0;
}

/* Move `from_name` out of src's netns into dst_nsfd as `to_name`, carrying its addresses; bring it
 * up if asked.  `where` names dst in messages. */
static int
move_one (struct nl_sock *src, struct nl_sock *dst, int dst_nsfd, const char *from_name, const char *to_name,
          bool up, const char *src_where, cnf_err *err)
{
  struct rtnl_link *link = NULL, *moved = NULL;
  struct saved_addrs sa = { NULL, 0 };
  int ret = -1;

  if (link_get (src, from_name, &link, src_where, err) < 0)
    return -1;
  if (addrs_read (src, rtnl_link_get_ifindex (link), &sa, err) < 0)
    goto out;
  if (link_move (src, link, dst_nsfd, to_name, err) < 0)
    goto out;
  /* Look it up again on the other side: the ifindex may differ there. */
  if (link_get (dst, to_name, &moved, "target namespace after the move", err) < 0)
    goto out;
  if (addrs_add (dst, rtnl_link_get_ifindex (moved), to_name, &sa, err) < 0)
    goto out;
  if (up && link_set_up (dst, moved, err) < 0)
    goto out;
  ret = 0;
out:
  saved_addrs_free (&sa);
  if (link)
    rtnl_link_put (link);
  if (moved)
    rtnl_link_put (moved);
  return ret;
}

void
netdev_moved_free (struct netdev_moved *d, size_t n)
{
  size_t i;
  for (i = 0; i < n && d; i++)
    {
      free (d[i].host_name);
      free (d[i].ct_name);
    }
  free (d);
}

/* Return devices [0, n) from the container (ct, ctfd) to the host (host, hostfd). */
static int
move_back (struct nl_sock *ct, struct nl_sock *host, int hostfd, const struct netdev_moved *d, size_t n, cnf_err *err)
{
  size_t i;
  int ret = 0;
  for (i = 0; i < n; i++)
    {
      cnf_err e = NULL;
      if (move_one (ct, host, hostfd, d[i].ct_name, d[i].host_name, false, "container", &e) < 0)
        {
          log_error ("return %s to the host: %s", d[i].ct_name, e ? e->msg : "?");
          if (ret == 0)
            cnf_err_move (err, &e);
          cnf_err_free (&e);
          ret = -1;
        }
    }
  return ret;
}

int
netdev_move_in (const struct spec *s, pid_t pid, struct netdev_moved **out, size_t *n, cnf_err *err)
{
  const struct spec_linux *l = &s->linux_;
  cleanup_close int ctfd = -1;
  cleanup_close int hostfd = -1;
  struct nl_sock *host = NULL, *ct = NULL;
  struct netdev_moved *d = NULL;
  size_t i, done = 0;
  int ret = -1;

  *out = NULL;
  *n = 0;
  if (!s->has_linux || l->n_net_devices == 0)
    return 0;
  if (!l->ns[NS_NET].present)
    return cnf_err_set (err, 0, "linux.netDevices needs a network namespace");
  if (nl_load (err) < 0)
    return -1;
  for (i = 0; i < l->n_net_devices; i++)
    if (netdev_check_name (l->net_devices[i].host_name, err) < 0
        || (l->net_devices[i].name && netdev_check_name (l->net_devices[i].name, err) < 0))
      return -1;

  ctfd = procfs_open (pid, "ns/net", O_RDONLY | O_CLOEXEC, err);
  if (ctfd < 0)
    return cnf_err_wrap (err, "linux.netDevices: the container's network namespace");
  hostfd = procfs_open (-1, "ns/net", O_RDONLY | O_CLOEXEC, err);
  if (hostfd < 0)
    return -1;
  host = nl_open (err);
  if (host == NULL)
    goto out;
  ct = nl_open_in (ctfd, err);
  if (ct == NULL)
    goto out;

  d = xzalloc (l->n_net_devices * sizeof *d);
  for (i = 0; i < l->n_net_devices; i++)
    {
      const struct spec_net_device *nd = &l->net_devices[i];
      const char *to = nd->name ? nd->name : nd->host_name;
      struct rtnl_link *probe = NULL;
      if (move_one (host, ct, ctfd, nd->host_name, to, true, "host", err) < 0)
        {
          /* Half-way (moved, then an address or "up" failed): return this one too. */
          if (rtnl_link_get_kernel (ct, 0, to, &probe) >= 0)
            {
              rtnl_link_put (probe);
              d[done].host_name = xstrdup (nd->host_name);
              d[done].ct_name = xstrdup (to);
              done++;
            }
          goto undo;
        }
      d[done].host_name = xstrdup (nd->host_name);
      d[done].ct_name = xstrdup (to);
      done++;
      log_debug ("netDevices: moved %s into the container as %s", nd->host_name, to);
    }
  *out = d;
  *n = done;
  d = NULL;
  ret = 0;
  goto out;
undo:
  {
    cnf_err e2 = NULL;
    move_back (ct, host, hostfd, d, done, &e2);
    cnf_err_free (&e2);
  }
out:
  netdev_moved_free (d, done);
  if (host)
    nl_socket_free (host);
  if (ct)
    nl_socket_free (ct);
  return ret;
}

int
netdev_move_out (int netns_fd, const struct netdev_moved *d, size_t n, cnf_err *err)
{
  cleanup_close int hostfd = -1;
  struct nl_sock *host = NULL, *ct = NULL;
  int ret = -1;
  size_t i;
  if (n == 0)
    return 0;
  if (netns_fd < 0)
    {
      /* The namespace is gone: the kernel destroyed virtual devices and returned physical ones
       * under their container names (or devN on a clash).  Renaming host links by name could hit
       * an unrelated interface, so nothing is touched. */
      for (i = 0; i < n; i++)
        log_info ("netDevices: the container's network namespace is gone; %s (host name %s) was not returned "
                  "by the runtime", d[i].ct_name, d[i].host_name);
      return 0;
    }
  if (nl_load (err) < 0)
    return -1;
  hostfd = procfs_open (-1, "ns/net", O_RDONLY | O_CLOEXEC, err);
  if (hostfd < 0)
    return -1;
  host = nl_open (err);
  if (host == NULL)
    goto out;
  ct = nl_open_in (netns_fd, err);
  if (ct == NULL)
    goto out;
  ret = move_back (ct, host, hostfd, d, n, err);
out:
  if (host)
    nl_socket_free (host);
  if (ct)
    nl_socket_free (ct);
  return ret;
}
