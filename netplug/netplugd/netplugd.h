/* netplugd.h — the forwarder's shared model: ports, networks, the per-worker data path and the
 * daemon state.  The control thread (the EAL main lcore) owns every mutation; workers only read
 * what the control thread publishes and take no locks.  Objects a worker may be looking at are
 * freed only after an RCU quiescent-state grace period (rte_rcu_qsbr), see fwd.c. */
#ifndef NETPLUGD_H
#define NETPLUGD_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include "lib/error.h"
#include "lib/json.h"
#include "validate.h"

#define NP_VERSION "0.1.0"
#define NP_PROTOCOL 1
#define NP_MAX_PORTS 1024
#define NP_MAX_NETWORKS 1024
#define NP_MAX_WORKERS 16
#define NP_BURST 32

enum np_port_type { NP_PORT_MEMIF, NP_PORT_VHOST, NP_PORT_TAP, NP_PORT_ETHDEV };
enum np_net_type { NP_NET_BRIDGE, NP_NET_XCONNECT };

/* Drop causes, counted per port per worker. */
enum np_drop
{
  NP_DROP_NO_NETWORK,  /* received on a port attached to nothing */
  NP_DROP_NO_BUFFER,   /* mbuf pool empty */
  NP_DROP_TX_FULL,     /* peer ring full / peer not connected */
  NP_DROP_BAD_DESC,    /* client descriptor outside its region or malformed */
  NP_DROP_TOO_BIG,     /* frame longer than what fits */
  NP_DROP_MAC_LIMIT,   /* learning refused: network MAC limit reached */
  NP_DROP_HAIRPIN,     /* destination is the ingress port */
  NP_DROP_PEER_DOWN,   /* xconnect peer absent */
  NP_DROP__COUNT
};
extern const char *const np_drop_names[NP_DROP__COUNT];

struct np_counters
{
  uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
  uint64_t drops[NP_DROP__COUNT];
} __rte_cache_aligned;

struct np_port;
struct np_network;

/* Data-path operations of one port kind.  rx fills up to n mbufs and returns how many.
 * tx takes ownership of all n mbufs (frees them) and returns how many were sent.
 * can_rx (optional, control thread): whether rx can return anything now; a kind that has it
 * calls np_fwd_publish_ports whenever its answer changes, and workers poll only ports that can. */
struct np_port_ops
{
  uint16_t (*rx) (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n);
  uint16_t (*tx) (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n);
  bool (*can_rx) (const struct np_port *p);
};

struct np_port
{
  /* desired state (persisted) */
  char name[NP_NAME_MAX + 1];
  enum np_port_type type;
  char *socket;   /* memif / vhost-user */
  bool vhost_server;
  uint32_t memif_id;
  uint32_t ring_size, buffer_size;
  char ifname[16]; /* tap */
  char *devargs;   /* ethdev */
  bool has_mac;
  uint8_t mac[6];
  uint16_t vlan;     /* access VLAN, or the native (untagged) VLAN of a trunk */
  bool trunk;        /* bridge trunk: 802.1Q-tagged frames carry their VLAN */
  char *owner_json; /* kept verbatim */
  char network[NP_NAME_MAX + 1];

  /* runtime */
  uint16_t id;       /* index in the port table */
  unsigned worker;   /* worker that polls it */
  const struct np_port_ops *ops;
  void *priv;        /* kind-specific */
  struct np_network *net; /* published to workers */
  struct np_counters ctr[NP_MAX_WORKERS];
};

/* The MAC table of a bridge: open addressing, lock-free single-key entries.  A key packs
 * vlan<<48 | mac; the value packs the port id and the last-seen time in seconds. */
struct np_mac_entry
{
  uint64_t key;   /* 0 = empty */
  uint64_t value; /* port id (16 bits) | seen (seconds, upper 48 bits) */
};

struct np_network
{
  char name[NP_NAME_MAX + 1];
  enum np_net_type type;
  uint32_t mac_limit;
  uint32_t aging;
  /* published member list: array of port ids, replaced as a whole (RCU) */
  struct np_members *members;
  struct np_mac_entry *macs; /* bridge only */
  uint32_t mac_slots;        /* power of two, >= 2 * mac_limit */
  uint32_t mac_count;        /* approximate, updated by workers with atomics */
};

struct np_members
{
  unsigned n;
  uint16_t ids[];
};

/* daemon configuration */
struct np_config
{
  char *lcores;       /* EAL -l; first is the control lcore */
  unsigned mem_mb;
  char *file_prefix;
  char *socket_dir;
  char *ctl_socket;
  char *state_file;
  char **allow;       /* PCI BDFs allowed for ethdev ports */
  char *metrics;      /* "unix:/path" or "tcp:127.0.0.1:port", NULL = off */
  bool huge;          /* use hugepages */
  unsigned mbufs;
};

struct np_daemon
{
  struct np_config cfg;
  struct np_port *ports[NP_MAX_PORTS];
  unsigned nports;
  struct np_network *nets[NP_MAX_NETWORKS];
  unsigned nnets;
  struct rte_mempool *pool;
  unsigned nworkers;
  unsigned worker_lcore[NP_MAX_WORKERS];
  bool restoring;
};
extern struct np_daemon np;

/* model.c: every control operation; on error nothing is changed. */
struct np_port *np_port_find (const char *name);
struct np_network *np_net_find (const char *name);
int np_port_add_json (const json_value *req, json_writer *out, cnf_err *err);
int np_port_del (const char *name, cnf_err *err);
/* Close and free every port at a clean stop (workers stopped); the state file is left as it is. */
void np_ports_release (void);
int np_net_add_json (const json_value *req, json_writer *out, cnf_err *err);
int np_net_del (const char *name, cnf_err *err);
int np_attach (const char *port, const char *net, int vlan, cnf_err *err);
int np_detach (const char *port, cnf_err *err);
void np_port_write (json_writer *w, const struct np_port *p);
void np_net_write (json_writer *w, const struct np_network *n);
void np_stats_write (json_writer *w, const struct np_port *only);
int np_state_save (cnf_err *err);
int np_state_restore (cnf_err *err);
const char *np_port_state (const struct np_port *p);
struct np_members *np_members_build (const struct np_network *n, const struct np_port *without,
                                     const struct np_port *with);

/* error codes of the protocol, carried in cnf_err->code */
enum { NP_E_INVALID = 1, NP_E_NOT_FOUND, NP_E_EXISTS, NP_E_BUSY, NP_E_LIMIT, NP_E_INTERNAL };

/* fwd.c */
int np_fwd_init (cnf_err *err);
int np_fwd_start (void);
void np_fwd_stop (void);
/* Publish the port set / a port's network / a network's members, then wait for every worker to
 * pass a quiescent state so that anything unpublished may be freed. */
void np_fwd_publish_ports (void);
void np_fwd_synchronize (void);
void np_fwd_worker_stats (json_writer *w);
double np_fwd_worker_busy (unsigned wid, unsigned *lcore);
void np_bridge_flush_port (struct np_network *n, uint16_t port_id);
uint32_t np_bridge_mac_count (const struct np_network *n);

/* memif.c */
int np_memif_port_open (struct np_port *p, cnf_err *err);
void np_memif_port_close (struct np_port *p);
bool np_memif_connected (const struct np_port *p);
/* vhost.c */
int np_vhost_port_open (struct np_port *p, cnf_err *err);
void np_vhost_port_close (struct np_port *p);
bool np_vhost_ready (const struct np_port *p);
/* tap.c */
int np_tap_port_open (struct np_port *p, cnf_err *err);
void np_tap_port_close (struct np_port *p);
/* ethdev.c / vhost.c (optional kinds) */
int np_ethdev_check (const char *devargs, cnf_err *err);
int np_ethdev_port_open (struct np_port *p, cnf_err *err);
void np_ethdev_port_close (struct np_port *p);

/* main.c: the control thread's event loop */
typedef void (*np_fd_cb) (int fd, uint32_t events, void *arg);
int np_loop_add (int fd, uint32_t events, np_fd_cb cb, void *arg);
void np_loop_del (int fd);

/* metrics.c */
int np_metrics_listen (const char *spec, cnf_err *err);
char *np_metrics_text (size_t *outlen);

/* ctl.c */
int np_ctl_listen (const char *path, cnf_err *err);
char *np_ctl_handle (const char *req, size_t len, size_t *outlen);

#endif
