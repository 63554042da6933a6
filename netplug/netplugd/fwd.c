/* fwd.c — the data path: worker lcores that poll their ports in bursts and switch frames by
 * network (L2 bridge with learning, or cross-connect).
 *
 * Concurrency contract: workers take no locks.  The control thread publishes three kinds of
 * pointers with release stores — each worker's port set, each port's network, each network's
 * member list — and before freeing anything it unpublished it waits for every worker to report
 * a quiescent state (rte_rcu_qsbr_synchronize); workers report once per poll loop.
 * A port is polled (rx) by exactly one worker and transmitted to only by that worker: a frame
 * switched by another worker is handed over through the port's MPSC rte_ring (only created when
 * there is more than one worker), so port tx rings never see two producers.
 * Bridge MAC tables are lock-free open-addressing tables (see np_mac_entry); concurrent learners
 * claim empty slots with a CAS. */
#include <errno.h>
#include <string.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

const char *const np_drop_names[NP_DROP__COUNT] = {
  [NP_DROP_NO_NETWORK] = "no-network", [NP_DROP_NO_BUFFER] = "no-buffer", [NP_DROP_TX_FULL] = "tx-full",
  [NP_DROP_BAD_DESC] = "bad-descriptor", [NP_DROP_TOO_BIG] = "too-big", [NP_DROP_MAC_LIMIT] = "mac-limit",
  [NP_DROP_HAIRPIN] = "hairpin", [NP_DROP_PEER_DOWN] = "peer-down",
};

/* What one worker polls.  Ports that cannot receive (a memif port without a client) are left
 * out of rx, so that idle ports cost nothing; handoff rings are drained even for those. */
struct np_portset
{
  unsigned nrx, ndrain;
  struct np_port *rx[NP_MAX_PORTS];    /* owned by this worker and able to receive */
  struct np_port *drain[NP_MAX_PORTS]; /* owned, with a handoff ring (several workers) */
};

struct np_txbuf
{
  uint16_t n;
  struct rte_mbuf *m[NP_BURST];
};

struct np_worker
{
  unsigned wid, lcore;
  struct np_portset *set; /* RCU-published */
  volatile bool stop;
  uint64_t busy_cycles, idle_cycles, rx, tx;
  uint16_t ndirty;
  uint16_t dirty[NP_MAX_PORTS];
  struct np_txbuf txb[NP_MAX_PORTS];
} __rte_cache_aligned;

static struct np_worker *workers[NP_MAX_WORKERS];
static struct np_port *dp_ports[NP_MAX_PORTS];   /* RCU-published by id */
static struct rte_ring *handoff[NP_MAX_PORTS];   /* multi-worker only */
static struct rte_rcu_qsbr *qsv;
static uint64_t tsc_hz;

static inline uint64_t
mac_key (const struct rte_ether_addr *a, uint16_t vlan)
{
  uint64_t k = 0;
  memcpy (&k, a->addr_bytes, 6);
  return k | ((uint64_t) vlan << 48) | (1ULL << 62); /* bit 62: never 0 for a used slot */
}
#define MAC_TOMB (1ULL << 63)

/* Seconds are read from the TSC on different cores (workers and the control thread), which a VM
 * may not keep in lockstep: an entry stamped "in the future" is fresh, not expired. */
static inline bool
mac_expired (uint64_t seen, uint64_t now_s, uint32_t aging)
{
  return seen == 0 || (int64_t) (now_s - seen) > (int64_t) aging;
}

static inline uint64_t
hash64 (uint64_t k)
{
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}

/* Lookup: the port id, or -1 when absent or aged out. */
static inline int
mac_lookup (struct np_network *n, uint64_t key, uint64_t now_s)
{
  struct np_mac_entry *t = __atomic_load_n (&n->macs, __ATOMIC_ACQUIRE);
  uint32_t mask = n->mac_slots - 1, i = hash64 (key) & mask, probe;
  for (probe = 0; probe < 16; probe++, i = (i + 1) & mask)
    {
      uint64_t k = __atomic_load_n (&t[i].key, __ATOMIC_ACQUIRE);
      if (k == 0)
        return -1;
      if (k == key)
        {
          uint64_t v = __atomic_load_n (&t[i].value, __ATOMIC_RELAXED);
          if (mac_expired (v >> 16, now_s, n->aging))
            return -1;
          return (int) (v & 0xffff);
        }
    }
  return -1;
}

/* Learn src on port id.  Returns false when the MAC limit refused it. */
static inline bool
mac_learn (struct np_network *n, uint64_t key, uint16_t id, uint64_t now_s)
{
  struct np_mac_entry *t = __atomic_load_n (&n->macs, __ATOMIC_ACQUIRE);
  uint32_t mask = n->mac_slots - 1, i = hash64 (key) & mask, probe;
  uint64_t nv = (now_s << 16) | id;
  for (probe = 0; probe < 16; probe++, i = (i + 1) & mask)
    {
      uint64_t k = __atomic_load_n (&t[i].key, __ATOMIC_ACQUIRE);
      if (k == key)
        {
          uint64_t v = __atomic_load_n (&t[i].value, __ATOMIC_RELAXED);
          if (v != nv) /* write only on change: keeps the line shared between cores */
            {
              if (mac_expired (v >> 16, now_s, n->aging)) /* was aged: counts again */
                {
                  if (__atomic_load_n (&n->mac_count, __ATOMIC_RELAXED) >= n->mac_limit)
                    return false;
                }
              __atomic_store_n (&t[i].value, nv, __ATOMIC_RELAXED);
            }
          return true;
        }
      if (k == 0)
        {
          if (__atomic_load_n (&n->mac_count, __ATOMIC_RELAXED) >= n->mac_limit)
            return false;
          uint64_t expect = 0;
          if (__atomic_compare_exchange_n (&t[i].key, &expect, key, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            {
              __atomic_store_n (&t[i].value, nv, __ATOMIC_RELAXED);
              __atomic_fetch_add (&n->mac_count, 1, __ATOMIC_RELAXED);
              return true;
            }
          if (expect == key)
            return true;
        }
    }
  return false;
}

uint32_t
np_bridge_mac_count (const struct np_network *n)
{
  uint64_t now_s = rte_get_tsc_cycles () / tsc_hz + 1;
  uint32_t i, c = 0;
  if (!n->macs)
    return 0;
  for (i = 0; i < n->mac_slots; i++)
    {
      uint64_t k = n->macs[i].key, v = n->macs[i].value;
      if (k && !(k & MAC_TOMB) && !mac_expired (v >> 16, now_s, n->aging))
        c++;
    }
  return c;
}

/* Control thread: forget every MAC that points at port_id (detach/removal), and expired ones.
 * Entries become tombstones; the table is rebuilt when tombstones pile up. */
void
np_bridge_flush_port (struct np_network *n, uint16_t port_id)
{
  uint64_t now_s = rte_get_tsc_cycles () / tsc_hz + 1;
  uint32_t i, tombs = 0, live = 0;
  if (!n->macs)
    return;
  for (i = 0; i < n->mac_slots; i++)
    {
      struct np_mac_entry *e = &n->macs[i];
      uint64_t k = __atomic_load_n (&e->key, __ATOMIC_ACQUIRE);
      if (k == 0)
        continue;
      if (k & MAC_TOMB)
        {
          tombs++;
          continue;
        }
      uint64_t v = __atomic_load_n (&e->value, __ATOMIC_RELAXED);
      if (v == 0)
        { /* a worker claimed the slot and has not stamped it yet (nor counted it) */
          live++;
          continue;
        }
      if ((v & 0xffff) == port_id || mac_expired (v >> 16, now_s, n->aging))
        {
          __atomic_store_n (&e->key, k | MAC_TOMB, __ATOMIC_RELEASE);
          __atomic_fetch_sub (&n->mac_count, 1, __ATOMIC_RELAXED);
          tombs++;
        }
      else
        live++;
    }
  if (tombs > n->mac_slots / 4)
    {
      struct np_mac_entry *nt = rte_zmalloc ("np_macs", sizeof *nt * n->mac_slots, RTE_CACHE_LINE_SIZE);
      struct np_mac_entry *old = n->macs;
      uint32_t mask = n->mac_slots - 1;
      if (!nt)
        return;
      for (i = 0; i < n->mac_slots; i++)
        {
          uint64_t k = old[i].key;
          if (k == 0 || (k & MAC_TOMB))
            continue;
          uint32_t j = hash64 (k) & mask;
          while (nt[j].key)
            j = (j + 1) & mask;
          nt[j] = old[i];
        }
      __atomic_store_n (&n->macs, nt, __ATOMIC_RELEASE);
      np_fwd_synchronize ();
      __atomic_store_n (&n->mac_count, live, __ATOMIC_RELAXED);
      rte_free (old);
    }
}

static inline void
buf_push (struct np_worker *w, uint16_t dst, struct rte_mbuf *m);

/* Transmit n frames on port p, which this worker owns (it polls it): counts and frees. */
static void
port_send (struct np_worker *w, struct np_port *p, struct rte_mbuf **pkts, uint16_t n)
{
  struct np_counters *c = &p->ctr[w->wid];
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n; i++)
    bytes += rte_pktmbuf_pkt_len (pkts[i]);
  uint16_t sent = p->ops->tx (p, w->wid, pkts, n);
  c->tx_packets += sent;
  if (sent == n)
    c->tx_bytes += bytes;
  else
    c->drops[NP_DROP_TX_FULL] += n - sent;
  w->tx += sent;
}

/* Send n frames towards port id: directly when this worker owns it, else through its handoff
 * ring to the owner. */
static void
send_to (struct np_worker *w, uint16_t id, struct rte_mbuf **pkts, uint16_t n)
{
  struct np_port *p = __atomic_load_n (&dp_ports[id], __ATOMIC_ACQUIRE);
  if (unlikely (!p))
    {
      rte_pktmbuf_free_bulk (pkts, n);
      return;
    }
  if (p->worker != w->wid && handoff[id])
    {
      uint16_t sent = rte_ring_mp_enqueue_burst (handoff[id], (void **) pkts, n, NULL);
      if (sent < n)
        {
          p->ctr[w->wid].drops[NP_DROP_TX_FULL] += n - sent;
          rte_pktmbuf_free_bulk (pkts + sent, n - sent);
        }
      return;
    }
  port_send (w, p, pkts, n);
}

static void
flush_one (struct np_worker *w, uint16_t id)
{
  struct np_txbuf *b = &w->txb[id];
  uint16_t n = b->n;
  b->n = 0;
  if (n)
    send_to (w, id, b->m, n);
}

static inline void
buf_push (struct np_worker *w, uint16_t dst, struct rte_mbuf *m)
{
  struct np_txbuf *b = &w->txb[dst];
  if (b->n == 0)
    w->dirty[w->ndirty++] = dst;
  b->m[b->n++] = m;
  if (b->n == NP_BURST)
    flush_one (w, dst);
}

/* May port p emit a frame of VLAN v?  Access ports: only their VLAN; trunks: any. */
static inline bool
vlan_member (const struct np_port *p, uint16_t v)
{
  return p->vlan == v || p->trunk;
}

/* Queue m (VLAN v) to port d, tagging it when d is a trunk and v is not its native VLAN.
 * A frame shared by several destinations (flood) is copied before it is tagged. */
static inline void
push_vlan (struct np_worker *w, struct np_port *in, struct np_port *d, struct rte_mbuf *m, uint16_t v)
{
  if (d->trunk && v != d->vlan)
    {
      if (rte_mbuf_refcnt_read (m) > 1)
        {
          struct rte_mbuf *c = rte_pktmbuf_copy (m, np.pool, 0, UINT32_MAX);
          rte_pktmbuf_free (m); /* our reference to the shared frame */
          if (!c)
            {
              in->ctr[w->wid].drops[NP_DROP_NO_BUFFER]++;
              return;
            }
          m = c;
        }
      m->vlan_tci = v;
      if (rte_vlan_insert (&m) < 0)
        {
          in->ctr[w->wid].drops[NP_DROP_TOO_BIG]++;
          rte_pktmbuf_free (m);
          return;
        }
    }
  buf_push (w, d->id, m);
}

static inline void
flood (struct np_worker *w, struct np_port *in, const struct np_members *mem, struct rte_mbuf *m, uint16_t v)
{
  struct np_port *dsts[NP_MAX_PORTS];
  unsigned i, k = 0;
  for (i = 0; i < mem->n; i++)
    {
      uint16_t id = mem->ids[i];
      struct np_port *p = dp_ports[id];
      if (id == in->id || !p || !vlan_member (p, v))
        continue;
      dsts[k++] = p;
    }
  if (k == 0)
    {
      in->ctr[w->wid].drops[NP_DROP_HAIRPIN]++;
      rte_pktmbuf_free (m);
      return;
    }
  /* tx copies or transmits without modifying the frame, so the destinations share it */
  if (k > 1)
    rte_mbuf_refcnt_update (m, (int16_t) (k - 1));
  for (i = 0; i < k; i++)
    push_vlan (w, in, dsts[i], m, v);
}

static void
switch_burst (struct np_worker *w, struct np_port *in, struct rte_mbuf **pkts, uint16_t n, uint64_t now_s)
{
  struct np_network *net = __atomic_load_n (&in->net, __ATOMIC_ACQUIRE);
  struct np_counters *c = &in->ctr[w->wid];
  struct np_members *mem;
  uint16_t i;
  if (!net || !(mem = __atomic_load_n (&net->members, __ATOMIC_ACQUIRE)))
    {
      c->drops[NP_DROP_NO_NETWORK] += n;
      rte_pktmbuf_free_bulk (pkts, n);
      return;
    }
  if (net->type == NP_NET_XCONNECT)
    {
      int peer = -1;
      for (i = 0; i < mem->n; i++)
        if (mem->ids[i] != in->id)
          peer = mem->ids[i];
      if (peer < 0 || !dp_ports[peer])
        {
          c->drops[NP_DROP_PEER_DOWN] += n;
          rte_pktmbuf_free_bulk (pkts, n);
          return;
        }
      if (w->txb[peer].n == 0)
        send_to (w, (uint16_t) peer, pkts, n); /* nothing queued before it: no reordering */
      else
        for (i = 0; i < n; i++)
          buf_push (w, (uint16_t) peer, pkts[i]);
      return;
    }
  /* consecutive frames of a burst usually share addresses: remember the last source learned
   * and the last destination resolved within this burst.  On an access port, a frame whose
   * destination and source repeat those of the last frame forwarded to one access port goes
   * the same way without parsing or lookups (fp_d: that port, or -1). */
  uint64_t last_src = 0, last_dst = 0, fp_a = 0;
  uint32_t fp_b = 0;
  int last_d = -1, fp_d = -1;
  for (i = 0; i < n; i++)
    {
      struct rte_mbuf *m = pkts[i];
      if (i + 1 < n)
        rte_prefetch0 (rte_pktmbuf_mtod (pkts[i + 1], void *));
      if (unlikely (rte_pktmbuf_data_len (m) < RTE_ETHER_HDR_LEN))
        {
          c->drops[NP_DROP_BAD_DESC]++;
          rte_pktmbuf_free (m);
          continue;
        }
      struct rte_ether_hdr *eh = rte_pktmbuf_mtod (m, struct rte_ether_hdr *);
      uint64_t a;
      uint32_t b;
      memcpy (&a, eh, sizeof a); /* destination and the first two bytes of the source */
      memcpy (&b, (const uint8_t *) eh + sizeof a, sizeof b);
      if (fp_d >= 0 && a == fp_a && b == fp_b)
        {
          buf_push (w, (uint16_t) fp_d, m);
          continue;
        }
      uint16_t v = in->vlan;
      bool refused = false;
      if (in->trunk && eh->ether_type == rte_cpu_to_be_16 (RTE_ETHER_TYPE_VLAN))
        {
          if (rte_vlan_strip (m) < 0)
            {
              c->drops[NP_DROP_BAD_DESC]++;
              rte_pktmbuf_free (m);
              continue;
            }
          v = m->vlan_tci & 0xfff;
          eh = rte_pktmbuf_mtod (m, struct rte_ether_hdr *);
        }
      if (!rte_is_multicast_ether_addr (&eh->src_addr))
        {
          uint64_t sk = mac_key (&eh->src_addr, v);
          if (sk != last_src)
            {
              if (mac_learn (net, sk, in->id, now_s))
                last_src = sk;
              else
                {
                  c->drops[NP_DROP_MAC_LIMIT]++;
                  refused = true;
                }
            }
        }
      if (rte_is_multicast_ether_addr (&eh->dst_addr))
        {
          flood (w, in, mem, m, v);
          continue;
        }
      uint64_t dk = mac_key (&eh->dst_addr, v);
      int d;
      if (dk == last_dst)
        d = last_d;
      else
        {
          d = mac_lookup (net, dk, now_s);
          last_dst = dk;
          last_d = d;
        }
      struct np_port *dp = d < 0 ? NULL : dp_ports[d];
      if (!dp)
        flood (w, in, mem, m, v);
      else if (d == in->id)
        {
          c->drops[NP_DROP_HAIRPIN]++;
          rte_pktmbuf_free (m);
        }
      else if (!in->trunk && !dp->trunk)
        { /* access to access: same VLAN by the MAC key */
          buf_push (w, (uint16_t) d, m);
          if (!refused) /* a refused source is counted on every frame */
            {
              fp_a = a;
              fp_b = b;
              fp_d = d;
            }
        }
      else
        push_vlan (w, in, dp, m, v);
    }
}

static struct np_portset empty_set;

static int
worker_main (void *arg)
{
  struct np_worker *w = arg;
  struct rte_mbuf *pkts[NP_BURST];
  rte_rcu_qsbr_thread_register (qsv, w->wid);
  rte_rcu_qsbr_thread_online (qsv, w->wid);
  log_info ("worker %u polling on lcore %u", w->wid, w->lcore);
  /* the clock in seconds (for MAC aging) changes once a second: divide only then */
  uint64_t t0 = rte_get_tsc_cycles (), now_s = 0, next_s = 0;
  while (!w->stop)
    {
      uint64_t got = 0;
      if (unlikely (t0 >= next_s))
        {
          now_s = t0 / tsc_hz + 1;
          next_s = now_s * tsc_hz;
        }
      struct np_portset *set = __atomic_load_n (&w->set, __ATOMIC_ACQUIRE);
      unsigned i;
      if (unlikely (!set))
        set = &empty_set;
      for (i = 0; i < set->ndrain; i++)
        {
          struct np_port *p = set->drain[i];
          uint16_t n = rte_ring_sc_dequeue_burst (handoff[p->id], (void **) pkts, NP_BURST, NULL);
          if (n)
            port_send (w, p, pkts, n);
        }
      for (i = 0; i < set->nrx; i++)
        {
          struct np_port *p = set->rx[i];
          uint16_t n = p->ops->rx (p, w->wid, pkts, NP_BURST);
          if (!n)
            continue;
          got += n;
          struct np_counters *c = &p->ctr[w->wid];
          uint64_t bytes = 0;
          for (uint16_t j = 0; j < n; j++)
            bytes += rte_pktmbuf_pkt_len (pkts[j]);
          c->rx_packets += n;
          c->rx_bytes += bytes;
          switch_burst (w, p, pkts, n, now_s);
        }
      while (w->ndirty)
        flush_one (w, w->dirty[--w->ndirty]);
      w->rx += got;
      rte_rcu_qsbr_quiescent (qsv, w->wid);
      uint64_t t1 = rte_get_tsc_cycles ();
      if (got)
        w->busy_cycles += t1 - t0;
      else
        w->idle_cycles += t1 - t0;
      t0 = t1;
    }
  rte_rcu_qsbr_thread_offline (qsv, w->wid);
  rte_rcu_qsbr_thread_unregister (qsv, w->wid);
  return 0;
}

int
np_fwd_init (cnf_err *err)
{
  unsigned lcore, i = 0;
  size_t sz;
  tsc_hz = rte_get_tsc_hz ();
  RTE_LCORE_FOREACH_WORKER (lcore)
  {
    if (i >= NP_MAX_WORKERS)
      break;
    np.worker_lcore[i++] = lcore;
  }
  np.nworkers = i;
  if (np.nworkers == 0)
    return cnf_err_set (err, 0, "lcores: need at least two (one control, one worker)");
  sz = rte_rcu_qsbr_get_memsize (np.nworkers);
  qsv = rte_zmalloc ("np_qsbr", sz, RTE_CACHE_LINE_SIZE);
  if (!qsv || rte_rcu_qsbr_init (qsv, np.nworkers) < 0)
    return cnf_err_set (err, ENOMEM, "rcu init");
  for (i = 0; i < np.nworkers; i++)
    {
      workers[i] = rte_zmalloc ("np_worker", sizeof (struct np_worker), RTE_CACHE_LINE_SIZE);
      if (!workers[i])
        return cnf_err_set (err, ENOMEM, "worker %u", i);
      workers[i]->wid = i;
      workers[i]->lcore = np.worker_lcore[i];
    }
  return 0;
}

int
np_fwd_start (void)
{
  for (unsigned i = 0; i < np.nworkers; i++)
    if (rte_eal_remote_launch (worker_main, workers[i], workers[i]->lcore) < 0)
      return -1;
  return 0;
}

void
np_fwd_stop (void)
{
  for (unsigned i = 0; i < np.nworkers; i++)
    workers[i]->stop = true;
  rte_eal_mp_wait_lcore ();
}

void
np_fwd_synchronize (void)
{
  rte_rcu_qsbr_synchronize (qsv, RTE_QSBR_THRID_INVALID);
}

/* Rebuild every worker's port set and the id table from np.ports (and each port's can_rx). */
void
np_fwd_publish_ports (void)
{
  struct np_portset *old[NP_MAX_WORKERS];
  struct rte_ring *dead[NP_MAX_PORTS];
  unsigned i, ndead = 0;
  for (i = 0; i < NP_MAX_PORTS; i++)
    {
      struct np_port *p = np.ports[i];
      if (p && np.nworkers > 1 && !handoff[i])
        {
          char name[32];
          snprintf (name, sizeof name, "np_h%u_%p", i, (void *) p);
          handoff[i] = rte_ring_create (name, 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
        }
      __atomic_store_n (&dp_ports[i], p, __ATOMIC_RELEASE);
    }
  for (unsigned wi = 0; wi < np.nworkers; wi++)
    {
      struct np_portset *s = xzalloc (sizeof *s);
      for (i = 0; i < NP_MAX_PORTS; i++)
        {
          struct np_port *p = np.ports[i];
          if (!p || p->worker != wi || !p->ops)
            continue;
          if (!p->ops->can_rx || p->ops->can_rx (p))
            s->rx[s->nrx++] = p;
          if (handoff[i])
            s->drain[s->ndrain++] = p;
        }
      old[wi] = __atomic_exchange_n (&workers[wi]->set, s, __ATOMIC_ACQ_REL);
    }
  np_fwd_synchronize ();
  for (unsigned wi = 0; wi < np.nworkers; wi++)
    free (old[wi]);
  /* handoff rings of removed ports: drain after the grace period */
  for (i = 0; i < NP_MAX_PORTS; i++)
    if (!np.ports[i] && handoff[i])
      {
        dead[ndead++] = handoff[i];
        handoff[i] = NULL;
      }
  if (ndead)
    {
      np_fwd_synchronize ();
      for (i = 0; i < ndead; i++)
        {
          struct rte_mbuf *m;
          while (rte_ring_dequeue (dead[i], (void **) &m) == 0)
            rte_pktmbuf_free (m);
          rte_ring_free (dead[i]);
        }
    }
}

double
np_fwd_worker_busy (unsigned wid, unsigned *lcore)
{
  struct np_worker *k = workers[wid];
  uint64_t b = k->busy_cycles, idle = k->idle_cycles;
  *lcore = k->lcore;
  return b + idle ? (double) b / (double) (b + idle) : 0.0;
}

void
np_fwd_worker_stats (json_writer *w)
{
  json_w_arr_open (w);
  for (unsigned i = 0; i < np.nworkers; i++)
    {
      struct np_worker *k = workers[i];
      uint64_t b = k->busy_cycles, idle = k->idle_cycles;
      json_w_obj_open (w);
      json_w_kuint (w, "lcore", k->lcore);
      json_w_key (w, "busy_ratio");
      json_w_double (w, b + idle ? (double) b / (double) (b + idle) : 0.0);
      json_w_kuint (w, "rx", k->rx);
      json_w_kuint (w, "tx", k->tx);
      json_w_obj_close (w);
    }
  json_w_arr_close (w);
}
