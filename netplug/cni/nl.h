/* nl.h — the rtnetlink operations netplug needs, on a socket bound to one network namespace:
 * look links up, move+rename in one RTM_NEWLINK, set name/MAC/MTU/up, altnames, addresses and
 * routes (libnl-route), and gratuitous ARP / unsolicited NA.  No `ip` calls anywhere. */
#ifndef NETPLUG_NL_H
#define NETPLUG_NL_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "netplug/cni/vfops.h"

struct nl_sock;

#define NP_MAX_ALTNAMES 8
struct np_link
{
  int ifindex;
  char name[16];
  uint8_t mac[6];
  int mtu;
  unsigned flags;
  int n_alt;
  char alt[NP_MAX_ALTNAMES][128];
};

/* A netlink route socket in the netns nsfd (-1: the current one). */
struct nl_sock *np_nl_open (int nsfd, cnf_err *err);
void np_nl_close (struct nl_sock *s);
/* Open /proc/self/ns/net, or a netns path. */
int np_netns_open (const char *path, cnf_err *err);

/* Look up by name (ifindex 0) or index; returns 0 found, 1 absent, -1 error. */
int np_link_get (struct nl_sock *s, int ifindex, const char *name, struct np_link *out, cnf_err *err);
/* One RTM_NEWLINK: move ifindex to netns nsfd, renaming it to newname (NULL keeps it). */
int np_link_move (struct nl_sock *s, int ifindex, int nsfd, const char *newname, cnf_err *err);
/* Set any of name/mac/mtu(>0)/up(-1 leave, 0 down, 1 up). */
int np_link_set (struct nl_sock *s, int ifindex, const char *name, const uint8_t *mac, int mtu, int up, cnf_err *err);
int np_link_altname (struct nl_sock *s, int ifindex, const char *alt, bool add, cnf_err *err);
int np_addr_add (struct nl_sock *s, int ifindex, const char *cidr, cnf_err *err);
/* Route: dst CIDR ("0.0.0.0/0" ok), gw may be NULL. */
int np_route_add (struct nl_sock *s, int ifindex, const char *dst, const char *gw, int mtu, int priority, int table,
                  cnf_err *err);
/* Send from the netns nsfd: a gratuitous ARP (IPv4) or an unsolicited NA (IPv6). */
int np_announce (int nsfd, int ifindex, const uint8_t mac[6], const char *cidr, cnf_err *err);
/* Read VF vf of PF pf (IFLA_VFINFO_LIST) — used by the netlink VF backend. */
int np_vf_get (struct nl_sock *s, const char *pf, int vf, struct vf_state *st, cnf_err *err);
/* Send one RTM_SETLINK on pf carrying a single IFLA_VF_INFO attribute built by the caller. */
int np_vf_set (struct nl_sock *s, const char *pf, int vf, int attr, const void *data, size_t len, bool in_vlan_list,
               cnf_err *err);
int np_format_mac (const uint8_t mac[6], char *buf, size_t len);

#endif
