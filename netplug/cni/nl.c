/* nl.c — rtnetlink operations in one netns (see nl.h). */
#include <net/if.h>
#include <net/if_arp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include "lib/util.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/nl.h"

#ifndef RTM_NEWLINKPROP
#define RTM_NEWLINKPROP 108
#define RTM_DELLINKPROP 109
#endif

int
np_format_mac (const uint8_t m[6], char *buf, size_t len)
{
  return snprintf (buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int
nlerr (cnf_err *err, int ret, const char *what, const char *arg)
{
  return cnf_err_set_code (err, CNI_ERR_NETLINK, 0, "%s %s: %s", what, arg, nl_geterror (ret < 0 ? -ret : ret));
}

int
np_netns_open (const char *path, cnf_err *err)
{
  int fd = open (path ? path : "/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cnf_err_set_code (err, errno == ENOENT ? CNI_ERR_UNKNOWN_CONTAINER : CNI_ERR_IO, errno, "open netns %s",
                             path ? path : "/proc/self/ns/net");
  return fd;
}

/* Run with the calling thread inside nsfd: used to create sockets that stay bound to it. */
static int
enter_ns (int nsfd, int *saved, cnf_err *err)
{
  *saved = -1;
  if (nsfd < 0)
    return 0;
  *saved = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (*saved < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "open own netns");
  if (setns (nsfd, CLONE_NEWNET) < 0)
    {
      close (*saved);
      *saved = -1;
      return cnf_err_set_code (err, CNI_ERR_IO, errno, "setns");
    }
  return 0;
}

static void
leave_ns (int saved)
{
  if (saved < 0)
    return;
  if (setns (saved, CLONE_NEWNET) < 0)
    abort (); /* continuing in the wrong netns would configure the wrong host */
  close (saved);
}

struct nl_sock *
np_nl_open (int nsfd, cnf_err *err)
{
  int saved;
  if (enter_ns (nsfd, &saved, err) < 0)
    return NULL;
  struct nl_sock *s = nl_socket_alloc ();
  int ret = s ? nl_connect (s, NETLINK_ROUTE) : -NLE_NOMEM;
  leave_ns (saved);
  if (ret < 0)
    {
      nl_socket_free (s);
      nlerr (err, ret, "netlink socket", "");
      return NULL;
    }
  return s;
}

void
np_nl_close (struct nl_sock *s)
{
  if (s)
    nl_socket_free (s);
}

struct getlink_ctx
{
  struct np_link *link;
  int want_vf;
  struct vf_state *vf;
  bool found, vf_found;
};

static void
parse_vf (struct nlattr *list, struct getlink_ctx *c)
{
  struct nlattr *info;
  int rem;
  nla_for_each_nested (info, list, rem)
    {
      struct nlattr *tb[IFLA_VF_MAX + 1];
      if (nla_type (info) != IFLA_VF_INFO || nla_parse_nested (tb, IFLA_VF_MAX, info, NULL) < 0 || !tb[IFLA_VF_MAC])
        continue;
      struct ifla_vf_mac *m = nla_data (tb[IFLA_VF_MAC]);
      if ((int) m->vf != c->want_vf)
        continue;
      struct vf_state *s = c->vf;
      memset (s, 0, sizeof (*s));
      memcpy (s->mac, m->mac, 6);
      s->proto = 0x8100;
      s->spoofchk = s->trust = -1;
      if (tb[IFLA_VF_VLAN])
        {
          struct ifla_vf_vlan *v = nla_data (tb[IFLA_VF_VLAN]);
          s->vlan = v->vlan;
          s->qos = v->qos;
        }
      if (tb[IFLA_VF_VLAN_LIST])
        {
          struct nlattr *vi;
          int r2;
          nla_for_each_nested (vi, tb[IFLA_VF_VLAN_LIST], r2)
            if (nla_type (vi) == IFLA_VF_VLAN_INFO)
              {
                struct ifla_vf_vlan_info *v = nla_data (vi);
                s->vlan = v->vlan;
                s->qos = v->qos;
                s->proto = ntohs (v->vlan_proto);
                break;
              }
        }
      if (tb[IFLA_VF_SPOOFCHK])
        {
          struct ifla_vf_spoofchk *v = nla_data (tb[IFLA_VF_SPOOFCHK]);
          s->spoofchk = v->setting == (uint32_t) -1 ? -1 : (int) v->setting;
        }
      if (tb[IFLA_VF_TRUST])
        {
          struct ifla_vf_trust *v = nla_data (tb[IFLA_VF_TRUST]);
          s->trust = v->setting == (uint32_t) -1 ? -1 : (int) v->setting;
        }
      if (tb[IFLA_VF_LINK_STATE])
        s->link_state = ((struct ifla_vf_link_state *) nla_data (tb[IFLA_VF_LINK_STATE]))->link_state;
      if (tb[IFLA_VF_RATE])
        {
          struct ifla_vf_rate *v = nla_data (tb[IFLA_VF_RATE]);
          s->min_tx_rate = v->min_tx_rate;
          s->max_tx_rate = v->max_tx_rate;
        }
      c->vf_found = true;
    }
}

static int
getlink_cb (struct nl_msg *msg, void *arg)
{
  struct getlink_ctx *c = arg;
  struct nlmsghdr *h = nlmsg_hdr (msg);
  if (h->nlmsg_type != RTM_NEWLINK)
    return NL_OK;
  struct ifinfomsg *ifi = nlmsg_data (h);
  struct nlattr *tb[IFLA_MAX + 1];
  if (nlmsg_parse (h, sizeof (*ifi), tb, IFLA_MAX, NULL) < 0)
    return NL_SKIP;
  struct np_link *l = c->link;
  memset (l, 0, sizeof (*l));
  l->ifindex = ifi->ifi_index;
  l->flags = ifi->ifi_flags;
  if (tb[IFLA_IFNAME])
    snprintf (l->name, sizeof l->name, "%s", nla_get_string (tb[IFLA_IFNAME]));
  if (tb[IFLA_ADDRESS] && nla_len (tb[IFLA_ADDRESS]) >= 6)
    memcpy (l->mac, nla_data (tb[IFLA_ADDRESS]), 6);
  if (tb[IFLA_MTU])
    l->mtu = (int) nla_get_u32 (tb[IFLA_MTU]);
  if (tb[IFLA_PROP_LIST])
    {
      struct nlattr *a;
      int rem;
      nla_for_each_nested (a, tb[IFLA_PROP_LIST], rem)
        if (nla_type (a) == IFLA_ALT_IFNAME && l->n_alt < NP_MAX_ALTNAMES)
          snprintf (l->alt[l->n_alt++], sizeof l->alt[0], "%s", (char *) nla_data (a));
    }
  if (c->vf && tb[IFLA_VFINFO_LIST])
    parse_vf (tb[IFLA_VFINFO_LIST], c);
  c->found = true;
  return NL_OK;
}

static int
ack_cb (struct nl_msg *msg, void *arg)
{
  *(bool *) arg = true;
  return NL_STOP;
}

static int
getlink (struct nl_sock *s, int ifindex, const char *name, struct getlink_ctx *c, cnf_err *err)
{
  /* With an ACK the reply is complete when the ACK arrives: nothing stays queued. */
  struct nl_msg *msg = nlmsg_alloc_simple (RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  nlmsg_append (msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  if (ifindex <= 0 && name)
    nla_put_string (msg, IFLA_IFNAME, name);
  nla_put_u32 (msg, IFLA_EXT_MASK, c->vf ? RTEXT_FILTER_VF : 0);
  int ret = nl_send_auto (s, msg);
  nlmsg_free (msg);
  if (ret < 0)
    return nlerr (err, ret, "RTM_GETLINK", name ? name : "");
  struct nl_cb *sock_cb = nl_socket_get_cb (s); /* takes a reference */
  struct nl_cb *cb = nl_cb_clone (sock_cb);
  nl_cb_put (sock_cb);
  bool done = false;
  nl_cb_set (cb, NL_CB_VALID, NL_CB_CUSTOM, getlink_cb, c);
  nl_cb_set (cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &done);
  do
    ret = nl_recvmsgs (s, cb);
  while (ret >= 0 && !done);
  nl_cb_put (cb);
  if (ret == -NLE_OBJ_NOTFOUND || ret == -NLE_NODEV)
    return 1;
  if (ret < 0)
    return nlerr (err, ret, "RTM_GETLINK", name ? name : "");
  return c->found ? 0 : 1;
}

int
np_link_get (struct nl_sock *s, int ifindex, const char *name, struct np_link *out, cnf_err *err)
{
  struct getlink_ctx c = { .link = out };
  return getlink (s, ifindex, name, &c, err);
}

static int
send_sync (struct nl_sock *s, struct nl_msg *msg, const char *what, const char *arg, cnf_err *err)
{
  int ret = nl_send_sync (s, msg);
  if (ret < 0)
    {
      cnf_err_set_code (err, CNI_ERR_NETLINK, 0, "%s %s: %s", what, arg ? arg : "", nl_geterror (-ret));
      return -1;
    }
  return 0;
}

int
np_link_move (struct nl_sock *s, int ifindex, int nsfd, const char *newname, cnf_err *err)
{
  struct nl_msg *msg = nlmsg_alloc_simple (RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  nlmsg_append (msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  nla_put_u32 (msg, IFLA_NET_NS_FD, (uint32_t) nsfd);
  if (newname)
    nla_put_string (msg, IFLA_IFNAME, newname);
  return send_sync (s, msg, "move link to netns as", newname, err);
}

int
np_link_set (struct nl_sock *s, int ifindex, const char *name, const uint8_t *mac, int mtu, int up, cnf_err *err)
{
  struct nl_msg *msg = nlmsg_alloc_simple (RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  if (up >= 0)
    {
      ifi.ifi_change = IFF_UP;
      ifi.ifi_flags = up ? IFF_UP : 0;
    }
  nlmsg_append (msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  if (name)
    nla_put_string (msg, IFLA_IFNAME, name);
  if (mac)
    nla_put (msg, IFLA_ADDRESS, 6, mac);
  if (mtu > 0)
    nla_put_u32 (msg, IFLA_MTU, (uint32_t) mtu);
  char what[32];
  snprintf (what, sizeof what, "set link %d", ifindex);
  return send_sync (s, msg, what, name, err);
}

int
np_link_altname (struct nl_sock *s, int ifindex, const char *alt, bool add, cnf_err *err)
{
  struct nl_msg *msg = nlmsg_alloc_simple (add ? RTM_NEWLINKPROP : RTM_DELLINKPROP, NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_APPEND : 0));
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  nlmsg_append (msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  struct nlattr *n = nla_nest_start (msg, IFLA_PROP_LIST);
  nla_put_string (msg, IFLA_ALT_IFNAME, alt);
  nla_nest_end (msg, n);
  return send_sync (s, msg, add ? "add altname" : "delete altname", alt, err);
}

int
np_addr_add (struct nl_sock *s, int ifindex, const char *cidr, cnf_err *err)
{
  struct nl_addr *local = NULL;
  int ret = nl_addr_parse (cidr, AF_UNSPEC, &local);
  if (ret < 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "address %s: %s", cidr, nl_geterror (-ret));
  struct rtnl_addr *a = rtnl_addr_alloc ();
  rtnl_addr_set_ifindex (a, ifindex);
  rtnl_addr_set_local (a, local);
  if (nl_addr_get_family (local) == AF_INET6)
    rtnl_addr_set_flags (a, IFA_F_NODAD); /* announce at once; the IPAM owns uniqueness */
  ret = rtnl_addr_add (s, a, 0);
  rtnl_addr_put (a);
  nl_addr_put (local);
  if (ret < 0 && ret != -NLE_EXIST)
    return cnf_err_set_code (err, CNI_ERR_NETLINK, 0, "add address %s: %s", cidr, nl_geterror (-ret));
  return 0;
}

int
np_route_add (struct nl_sock *s, int ifindex, const char *dst, const char *gw, int mtu, int priority, int table,
              cnf_err *err)
{
  struct nl_addr *d = NULL, *g = NULL;
  int ret = nl_addr_parse (dst, AF_UNSPEC, &d);
  if (ret < 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "route %s: %s", dst, nl_geterror (-ret));
  if (gw && (ret = nl_addr_parse (gw, nl_addr_get_family (d), &g)) < 0)
    {
      nl_addr_put (d);
      return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "route %s via %s: %s", dst, gw, nl_geterror (-ret));
    }
  struct rtnl_route *r = rtnl_route_alloc ();
  rtnl_route_set_family (r, nl_addr_get_family (d));
  rtnl_route_set_dst (r, d);
  rtnl_route_set_table (r, table > 0 ? (uint32_t) table : RT_TABLE_MAIN);
  rtnl_route_set_protocol (r, RTPROT_BOOT);
  rtnl_route_set_scope (r, g ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  rtnl_route_set_type (r, RTN_UNICAST);
  if (priority > 0)
    rtnl_route_set_priority (r, (uint32_t) priority);
  if (mtu > 0)
    rtnl_route_set_metric (r, RTAX_MTU, (uint32_t) mtu);
  struct rtnl_nexthop *nh = rtnl_route_nh_alloc ();
  rtnl_route_nh_set_ifindex (nh, ifindex);
  if (g)
    rtnl_route_nh_set_gateway (nh, g);
  rtnl_route_add_nexthop (r, nh);
  ret = rtnl_route_add (s, r, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_route_put (r);
  nl_addr_put (d);
  if (g)
    nl_addr_put (g);
  if (ret < 0 && ret != -NLE_EXIST)
    return cnf_err_set_code (err, CNI_ERR_NETLINK, 0, "add route %s%s%s: %s", dst, gw ? " via " : "", gw ? gw : "",
                             nl_geterror (-ret));
  return 0;
}

int
np_announce (int nsfd, int ifindex, const uint8_t mac[6], const char *cidr, cnf_err *err)
{
  char ip[64];
  snprintf (ip, sizeof ip, "%s", cidr);
  char *slash = strchr (ip, '/');
  if (slash)
    *slash = '\0';
  bool v6 = strchr (ip, ':') != NULL;
  int saved;
  if (enter_ns (nsfd, &saved, err) < 0)
    return -1;
  int fd = v6 ? socket (AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6) : socket (AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons (ETH_P_ARP));
  int e = errno;
  leave_ns (saved);
  if (fd < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, e, "announce socket");
  int ret = 0;
  if (!v6)
    {
      struct __attribute__ ((packed))
      {
        uint16_t htype, ptype;
        uint8_t hlen, plen;
        uint16_t op;
        uint8_t sha[6], spa[4], tha[6], tpa[4];
      } arp = { htons (ARPHRD_ETHER), htons (ETH_P_IP), 6, 4, htons (ARPOP_REQUEST), { 0 }, { 0 }, { 0 }, { 0 } };
      memcpy (arp.sha, mac, 6);
      if (inet_pton (AF_INET, ip, arp.spa) != 1)
        ret = cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "announce: bad address %s", ip);
      else
        {
          memcpy (arp.tpa, arp.spa, 4);
          struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons (ETH_P_ARP), .sll_ifindex = ifindex, .sll_halen = 6 };
          memset (ll.sll_addr, 0xff, 6);
          if (sendto (fd, &arp, sizeof arp, 0, (struct sockaddr *) &ll, sizeof ll) < 0)
            ret = cnf_err_set_code (err, CNI_ERR_IO, errno, "gratuitous ARP for %s", ip);
        }
    }
  else
    {
      struct __attribute__ ((packed))
      {
        struct nd_neighbor_advert na;
        uint8_t opt_type, opt_len, lladdr[6];
      } pkt;
      memset (&pkt, 0, sizeof pkt);
      pkt.na.nd_na_type = ND_NEIGHBOR_ADVERT;
      pkt.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
      pkt.opt_type = ND_OPT_TARGET_LINKADDR;
      pkt.opt_len = 1;
      memcpy (pkt.lladdr, mac, 6);
      int hops = 255;
      setsockopt (fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
      setsockopt (fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex);
      struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t) ifindex };
      if (inet_pton (AF_INET6, ip, &pkt.na.nd_na_target) != 1)
        ret = cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "announce: bad address %s", ip);
      else
        {
          inet_pton (AF_INET6, "ff02::1", &dst.sin6_addr);
          if (sendto (fd, &pkt, sizeof pkt, 0, (struct sockaddr *) &dst, sizeof dst) < 0)
            ret = cnf_err_set_code (err, CNI_ERR_IO, errno, "unsolicited NA for %s", ip);
        }
    }
  close (fd);
  return ret;
}

int
np_vf_get (struct nl_sock *s, const char *pf, int vf, struct vf_state *st, cnf_err *err)
{
  struct np_link l;
  struct getlink_ctx c = { .link = &l, .want_vf = vf, .vf = st };
  int r = getlink (s, 0, pf, &c, err);
  if (r < 0)
    return -1;
  if (r > 0)
    return cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "PF %s: no such link", pf);
  if (!c.vf_found)
    return cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "PF %s: VF %d not in IFLA_VFINFO_LIST", pf, vf);
  return 0;
}

int
np_vf_set (struct nl_sock *s, const char *pf, int vf, int attr, const void *data, size_t len, bool in_vlan_list,
           cnf_err *err)
{
  struct np_link l;
  int r = np_link_get (s, 0, pf, &l, err);
  if (r != 0)
    return r < 0 ? -1 : cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "PF %s: no such link", pf);
  struct nl_msg *msg = nlmsg_alloc_simple (RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = l.ifindex };
  nlmsg_append (msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  struct nlattr *list = nla_nest_start (msg, IFLA_VFINFO_LIST);
  struct nlattr *info = nla_nest_start (msg, IFLA_VF_INFO);
  if (in_vlan_list)
    {
      struct nlattr *vl = nla_nest_start (msg, IFLA_VF_VLAN_LIST);
      nla_put (msg, attr, (int) len, data);
      nla_nest_end (msg, vl);
    }
  else
    nla_put (msg, attr, (int) len, data);
  nla_nest_end (msg, info);
  nla_nest_end (msg, list);
  char what[64];
  snprintf (what, sizeof what, "VF %d attr %d on", vf, attr);
  return send_sync (s, msg, what, pf, err);
}
