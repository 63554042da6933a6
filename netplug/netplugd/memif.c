/* memif.c — a native memif (shared-memory packet interface, protocol version 2.0) server.
 *
 * Why native and not DPDK's net_memif PMD: Debian's DPDK 22.11 is built with
 * RTE_MAX_ETHPORTS = 32, and netplugd must serve hundreds of ports; an ethdev per port cannot get
 * there.  Like VPP, netplugd therefore speaks the memif control protocol itself (one listening
 * AF_UNIX SOCK_SEQPACKET socket per port, at a real filesystem path so that it crosses network
 * namespaces) and drives the rings directly.  The wire format (128-byte messages, ring and
 * descriptor layout) follows the public memif specification as implemented by DPDK's
 * drivers/net/memif and VPP's memif plugin; no code was taken from either.
 *
 * Trust model: the client (container) owns and writes the shared memory.  netplugd is always the
 * server and works in copy mode: it maps the client's regions, and on every packet copies
 * between its own mbufs and the client's buffers after checking that each descriptor (region,
 * offset, length) lies inside a region it mapped.  Descriptors are read once into locals before
 * they are checked (the client may rewrite them concurrently), ring indexes that claim more
 * slots than the ring has are treated as an empty ring, and regions are sealed against
 * shrinking (F_SEAL_SHRINK) so that a client cannot make netplugd fault by truncating them.
 * Every field of every control message is validated before use. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include "lib/log.h"
#include "lib/util.h"
#include "memif_proto.h"
#include "netplugd.h"

struct mregion
{
  uint8_t *addr;
  uint64_t size;
  int fd;
};

struct mring
{
  struct memif_ring *ring;
  uint16_t size, mask;
  uint16_t last; /* c2s: next slot to consume; s2c: next slot to fill */
  int efd;
};

/* What the data path sees of a connected client; replaced as a whole (RCU). */
struct memif_conn
{
  unsigned nregions, nc2s, ns2c;
  struct mregion regions[MEMIF_MAX_REGIONS];
  struct mring c2s[MEMIF_MAX_RINGS], s2c[MEMIF_MAX_RINGS];
  unsigned rx_next;
};

struct memif_port
{
  struct np_port *port;
  int listen_fd, conn_fd;
  struct memif_handshake hs; /* what the client was granted (memif_proto.c checks against it) */
  struct memif_conn *pending; /* being built by the handshake */
  struct memif_conn *conn;    /* published, NULL when not connected */
  char peer_name[MEMIF_NAME_SZ + 1];
};

_Static_assert (sizeof (struct memif_msg) == 128, "memif message is 128 bytes");
_Static_assert (sizeof (struct memif_desc) == 16, "memif descriptor is 16 bytes");
_Static_assert (offsetof (struct memif_ring, tail) == 64, "memif ring tail on the second line");
_Static_assert (offsetof (struct memif_ring, desc) == 128, "memif descriptors on the third line");

/* ---------- data path ---------- */

static inline bool
desc_ok (const struct memif_conn *c, uint16_t region, uint32_t off, uint32_t len)
{
  return region < c->nregions && (uint64_t) off + len <= c->regions[region].size;
}

/* A descriptor read with exactly two loads: the client may rewrite it while we look, so every
 * field is checked and used from these copies only. */
struct desc_copy
{
  uint16_t flags, region;
  uint32_t length, offset;
};

static inline struct desc_copy
desc_read (const void *d) /* a struct memif_desc, 16-byte aligned in its ring */
{
  const uint64_t *w = d;
  uint64_t w0 = __atomic_load_n (&w[0], __ATOMIC_RELAXED), w1 = __atomic_load_n (&w[1], __ATOMIC_RELAXED);
  return (struct desc_copy){ .flags = (uint16_t) w0, .region = (uint16_t) (w0 >> 16), .length = (uint32_t) (w0 >> 32),
                             .offset = (uint32_t) w1 };
}

/* Copy a frame between an mbuf and a client buffer.  rte_memcpy is inlined for the small frames
 * that dominate packet rates; larger copies go to the C library, whose memcpy is chosen at run
 * time for this CPU (AVX2 where present) while rte_memcpy is fixed at DPDK's build baseline. */
static inline void
frame_copy (void *dst, const void *src, uint32_t len)
{
  if (len <= 256)
    rte_memcpy (dst, src, len);
  else
    memcpy (dst, src, len);
}

/* Slow path of memif_rx: a frame in several descriptors, or a descriptor that fails a check.
 * Consumes the whole chain from *cur; returns the frame length, or 0 after counting a drop. */
static uint32_t
rx_chain (const struct memif_conn *c, const struct mring *r, uint16_t *cur, uint16_t *avail, uint8_t *dst,
          uint32_t room, struct np_counters *ctr)
{
  const struct memif_ring *ring = r->ring;
  uint32_t total = 0;
  bool bad = false, big = false;
  struct desc_copy d;
  do
    {
      d = desc_read (&ring->desc[*cur & r->mask]);
      (*cur)++;
      (*avail)--;
      if (!desc_ok (c, d.region, d.offset, d.length))
        bad = true;
      else if (total + d.length > room)
        big = true;
      else if (!bad && !big)
        {
          frame_copy (dst + total, c->regions[d.region].addr + d.offset, d.length);
          total += d.length;
        }
    }
  while ((d.flags & MEMIF_DESC_FLAG_NEXT) && *avail);
  if (d.flags & MEMIF_DESC_FLAG_NEXT)
    bad = true; /* chain runs past head */
  if (bad || big || total == 0)
    {
      ctr->drops[bad || total == 0 ? NP_DROP_BAD_DESC : NP_DROP_TOO_BIG]++;
      return 0;
    }
  return total;
}

static uint16_t
memif_rx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct memif_port *mp = p->priv;
  struct memif_conn *c = __atomic_load_n (&mp->conn, __ATOMIC_ACQUIRE);
  struct np_counters *ctr = &p->ctr[wid];
  uint16_t got = 0;
  if (!c)
    return 0;
  struct mring *r = &c->c2s[c->rx_next];
  if (unlikely (c->nc2s > 1) && ++c->rx_next == c->nc2s)
    c->rx_next = 0;
  struct memif_ring *ring = r->ring;
  uint16_t cur = r->last, head = __atomic_load_n (&ring->head, __ATOMIC_ACQUIRE);
  uint16_t avail = (uint16_t) (head - cur);
  if (avail == 0)
    return 0;
  if (unlikely (avail > r->size))
    { /* corrupt index: ignore the ring this round */
      ctr->drops[NP_DROP_BAD_DESC]++;
      return 0;
    }
  /* allocate what the ring holds, not a whole burst: unused mbufs would go straight back */
  if (avail < n)
    n = avail;
  if (unlikely (rte_pktmbuf_alloc_bulk (np.pool, pkts, n) < 0))
    {
      ctr->drops[NP_DROP_NO_BUFFER]++;
      return 0;
    }
  const uint32_t room = rte_pktmbuf_tailroom (pkts[0]); /* the same for every fresh mbuf */
  struct desc_copy d = desc_read (&ring->desc[cur & r->mask]);
  while (avail && got < n)
    {
      struct rte_mbuf *m = pkts[got];
      uint8_t *dst = rte_pktmbuf_mtod (m, uint8_t *);
      uint32_t len = d.length;
      if (likely (!(d.flags & MEMIF_DESC_FLAG_NEXT) && len - 1 < room && desc_ok (c, d.region, d.offset, len)))
        {
          const uint8_t *src = c->regions[d.region].addr + d.offset;
          cur++;
          avail--;
          if (avail)
            { /* a prefetch never faults, so the next buffer may be touched before its check */
              d = desc_read (&ring->desc[cur & r->mask]);
              if (d.region < c->nregions)
                rte_prefetch0 (c->regions[d.region].addr + d.offset);
            }
          frame_copy (dst, src, len);
        }
      else
        {
          len = rx_chain (c, r, &cur, &avail, dst, room, ctr);
          if (avail)
            d = desc_read (&ring->desc[cur & r->mask]);
          if (!len)
            continue;
        }
      m->data_len = m->pkt_len = len;
      m->port = p->id;
      got++;
    }
  __atomic_store_n (&ring->tail, cur, __ATOMIC_RELEASE);
  r->last = cur;
  if (got < n)
    rte_pktmbuf_free_bulk (pkts + got, n - got);
  return got;
}

/* Slow path of memif_tx: a chained mbuf, or a frame longer than one client buffer.  Fills
 * descriptors from *slot; returns false (slot untouched) when the frame does not fit. */
static bool
tx_chain (const struct memif_conn *c, const struct mring *r, uint16_t *slot, uint16_t *free_slots,
          struct rte_mbuf *seg, struct np_counters *ctr)
{
  struct memif_ring *ring = r->ring;
  uint16_t s = *slot, f = *free_slots;
  uint32_t soff = 0;
  while (seg && f)
    {
      struct memif_desc *dp = &ring->desc[s & r->mask];
      struct desc_copy d = desc_read (dp);
      uint32_t doff = 0;
      if (d.length == 0 || !desc_ok (c, d.region, d.offset, d.length))
        {
          ctr->drops[NP_DROP_BAD_DESC]++;
          return false;
        }
      while (seg && doff < d.length)
        {
          uint32_t len = RTE_MIN (d.length - doff, (uint32_t) seg->data_len - soff);
          frame_copy (c->regions[d.region].addr + d.offset + doff, rte_pktmbuf_mtod_offset (seg, uint8_t *, soff), len);
          doff += len;
          soff += len;
          if (soff == seg->data_len)
            {
              seg = seg->next;
              soff = 0;
            }
        }
      dp->length = doff;
      dp->flags = seg ? MEMIF_DESC_FLAG_NEXT : 0;
      s++;
      f--;
    }
  if (seg) /* ring full mid-chain: roll back this frame */
    return false;
  *slot = s;
  *free_slots = f;
  return true;
}

static uint16_t
memif_tx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct memif_port *mp = p->priv;
  struct memif_conn *c = __atomic_load_n (&mp->conn, __ATOMIC_ACQUIRE);
  uint16_t sent = 0, i;
  if (!c || c->ns2c == 0)
    goto out;
  struct mring *r = &c->s2c[0];
  struct memif_ring *ring = r->ring;
  uint16_t slot = r->last, head = __atomic_load_n (&ring->head, __ATOMIC_ACQUIRE);
  uint16_t free_slots = (uint16_t) (head - slot);
  if (unlikely (free_slots > r->size))
    {
      p->ctr[wid].drops[NP_DROP_BAD_DESC]++;
      goto out;
    }
  for (i = 0; i < n && free_slots; i++)
    {
      struct rte_mbuf *m = pkts[i];
      struct memif_desc *dp = &ring->desc[slot & r->mask];
      struct desc_copy d = desc_read (dp);
      uint32_t len = m->data_len;
      if (i + 1 < n)
        rte_prefetch0 (rte_pktmbuf_mtod (pkts[i + 1], void *));
      if (likely (m->nb_segs == 1 && len <= d.length && desc_ok (c, d.region, d.offset, d.length)))
        {
          frame_copy (c->regions[d.region].addr + d.offset, rte_pktmbuf_mtod (m, uint8_t *), len);
          dp->length = len;
          dp->flags = 0;
          slot++;
          free_slots--;
        }
      else if (!tx_chain (c, r, &slot, &free_slots, m, &p->ctr[wid]))
        break;
      sent++;
    }
  if (slot != r->last)
    {
      __atomic_store_n (&ring->tail, slot, __ATOMIC_RELEASE);
      r->last = slot;
      if (!(ring->flags & MEMIF_RING_FLAG_MASK_INT) && r->efd >= 0)
        {
          uint64_t one = 1;
          if (write (r->efd, &one, sizeof one) < 0)
            { /* eventfd overflow only: the client is asleep with a full counter */
            }
        }
    }
out:
  rte_pktmbuf_free_bulk (pkts, n);
  return sent;
}

static const struct np_port_ops memif_ops = { .rx = memif_rx, .tx = memif_tx, .can_rx = np_memif_connected };

/* ---------- control channel ---------- */

static void conn_free (struct memif_conn *c);
static void memif_disconnect (struct memif_port *mp, const char *why);

static int
msg_send (int fd, uint16_t type, const void *body, size_t blen)
{
  struct memif_msg m;
  memset (&m, 0, sizeof m);
  m.type = type;
  if (blen)
    memcpy (&m.u, body, blen);
  return send (fd, &m, sizeof m, MSG_NOSIGNAL) == (ssize_t) sizeof m ? 0 : -1;
}

static void
send_disconnect (int fd, const char *why)
{
  struct memif_msg_disconnect d;
  memset (&d, 0, sizeof d);
  d.code = 1;
  snprintf ((char *) d.string, sizeof d.string, "%s", why);
  msg_send (fd, MEMIF_MSG_TYPE_DISCONNECT, &d, sizeof d);
}

/* Acts on a message memif_msg_check() accepted: maps regions, places rings, replies.
 * Returns NULL on success, else the reason to disconnect. */
static const char *
handle_msg (struct memif_port *mp, const struct memif_msg *m, int fd)
{
  struct np_port *p = mp->port;
  struct memif_conn *c = mp->pending;
  switch (m->type)
    {
    case MEMIF_MSG_TYPE_INIT:
      {
        const struct memif_msg_init *in = &m->u.init;
        memcpy (mp->peer_name, in->name, MEMIF_NAME_SZ);
        mp->peer_name[MEMIF_NAME_SZ] = 0;
        mp->pending = xzalloc (sizeof *mp->pending);
        for (unsigned i = 0; i < MEMIF_MAX_RINGS; i++)
          mp->pending->c2s[i].efd = mp->pending->s2c[i].efd = -1;
        return msg_send (mp->conn_fd, MEMIF_MSG_TYPE_ACK, NULL, 0) < 0 ? "send failed" : NULL;
      }
    case MEMIF_MSG_TYPE_ADD_REGION:
      {
        const struct memif_msg_add_region *ar = &m->u.add_region;
        struct stat st;
        void *addr;
        if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (uint64_t) st.st_size < ar->size)
          return "region file smaller than announced";
        /* a client that shrinks the file later would make our copies fault */
        int seals = fcntl (fd, F_GET_SEALS);
        if (seals < 0 || !(seals & F_SEAL_SHRINK))
          if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
            return "region is not sealed against shrinking";
        addr = mmap (NULL, ar->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (addr == MAP_FAILED)
          return "cannot map region";
        c->regions[c->nregions].addr = addr;
        c->regions[c->nregions].size = ar->size;
        c->regions[c->nregions].fd = fd;
        c->nregions++;
        return msg_send (mp->conn_fd, MEMIF_MSG_TYPE_ACK, NULL, 0) < 0 ? "send failed" : NULL;
      }
    case MEMIF_MSG_TYPE_ADD_RING:
      {
        const struct memif_msg_add_ring *ar = &m->u.add_ring;
        bool c2s = ar->flags & MEMIF_MSG_ADD_RING_FLAG_C2S;
        struct mring *r;
        r = c2s ? &c->c2s[c->nc2s++] : &c->s2c[c->ns2c++];
        r->ring = (struct memif_ring *) (c->regions[ar->region].addr + ar->offset);
        r->size = 1u << ar->log2_ring_size;
        r->mask = r->size - 1;
        r->efd = fd;
        return msg_send (mp->conn_fd, MEMIF_MSG_TYPE_ACK, NULL, 0) < 0 ? "send failed" : NULL;
      }
    case MEMIF_MSG_TYPE_CONNECT:
      {
        struct memif_msg_connected ok;
        for (unsigned i = 0; i < c->nc2s; i++)
          if (c->c2s[i].ring->cookie != MEMIF_COOKIE)
            return "bad ring cookie";
        for (unsigned i = 0; i < c->ns2c; i++)
          if (c->s2c[i].ring->cookie != MEMIF_COOKIE)
            return "bad ring cookie";
        /* start where the client's indexes are: c2s consume from tail, s2c fill from tail */
        for (unsigned i = 0; i < c->nc2s; i++)
          {
            c->c2s[i].last = __atomic_load_n (&c->c2s[i].ring->tail, __ATOMIC_ACQUIRE);
            /* the consumer of a ring owns its flags: we poll, so the client must not signal
             * the eventfd on every burst */
            c->c2s[i].ring->flags |= MEMIF_RING_FLAG_MASK_INT;
          }
        for (unsigned i = 0; i < c->ns2c; i++)
          c->s2c[i].last = __atomic_load_n (&c->s2c[i].ring->tail, __ATOMIC_ACQUIRE);
        memset (&ok, 0, sizeof ok);
        memcpy (ok.if_name, p->name, strnlen (p->name, sizeof ok.if_name - 1));
        if (msg_send (mp->conn_fd, MEMIF_MSG_TYPE_CONNECTED, &ok, sizeof ok) < 0)
          return "send failed";
        mp->pending = NULL;
        __atomic_store_n (&mp->conn, c, __ATOMIC_RELEASE);
        np_fwd_publish_ports (); /* workers start polling it */
        log_info ("memif %s: connected (%s, %u+%u rings)", p->name, mp->peer_name, c->nc2s, c->ns2c);
        return NULL;
      }
    default: /* ACK: nothing to do */
      return NULL;
    }
}

static void
on_conn (int fd, uint32_t events, void *arg)
{
  struct memif_port *mp = arg;
  struct memif_msg m;
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { &m, sizeof m };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  const char *why;
  int rfd = -1;
  ssize_t r;

  if (events & (EPOLLHUP | EPOLLERR))
    {
      memif_disconnect (mp, "hangup");
      return;
    }
  memset (&m, 0, sizeof m);
  r = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (r <= 0)
    {
      memif_disconnect (mp, r == 0 ? "closed" : "receive error");
      return;
    }
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN (sizeof (int)))
      memcpy (&rfd, CMSG_DATA (cm), sizeof (int));
  why = memif_msg_check (&mp->hs, &m, (size_t) r, mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC), rfd >= 0);
  if (!why)
    why = handle_msg (mp, &m, rfd);
  if (!why)
    memif_handshake_accept (&mp->hs, &m);
  if (why)
    {
      if (rfd >= 0 && !(mp->pending && mp->pending->nregions && mp->pending->regions[mp->pending->nregions - 1].fd == rfd))
        close (rfd);
      log_warn ("memif %s: %s", mp->port->name, why);
      send_disconnect (fd, why);
      memif_disconnect (mp, why);
      return;
    }
  /* fds of accepted regions/rings are owned by the connection; others (ack, init…) are closed */
  if (rfd >= 0 && m.type != MEMIF_MSG_TYPE_ADD_REGION && m.type != MEMIF_MSG_TYPE_ADD_RING)
    close (rfd);
}

static void
on_listen (int fd, uint32_t events, void *arg)
{
  struct memif_port *mp = arg;
  struct memif_msg_hello h;
  int c = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (c < 0)
    return;
  if (mp->conn_fd >= 0)
    {
      send_disconnect (c, "interface already connected");
      close (c);
      return;
    }
  memset (&h, 0, sizeof h);
  snprintf ((char *) h.name, sizeof h.name, "netplugd");
  h.min_version = h.max_version = MEMIF_VERSION;
  h.max_region = MEMIF_MAX_REGIONS - 1;
  h.max_c2s_ring = h.max_s2c_ring = MEMIF_MAX_RINGS - 1;
  h.max_log2_ring_size = MEMIF_MAX_LOG2_RING;
  if (msg_send (c, MEMIF_MSG_TYPE_HELLO, &h, sizeof h) < 0)
    {
      close (c);
      return;
    }
  mp->conn_fd = c;
  memif_handshake_reset (&mp->hs);
  np_loop_add (c, EPOLLIN, on_conn, mp);
}

static void
conn_free (struct memif_conn *c)
{
  if (!c)
    return;
  for (unsigned i = 0; i < c->nregions; i++)
    {
      munmap (c->regions[i].addr, c->regions[i].size);
      close (c->regions[i].fd);
    }
  for (unsigned i = 0; i < MEMIF_MAX_RINGS; i++)
    {
      if (c->c2s[i].efd >= 0)
        close (c->c2s[i].efd);
      if (c->s2c[i].efd >= 0)
        close (c->s2c[i].efd);
    }
  free (c);
}

static void
memif_disconnect (struct memif_port *mp, const char *why)
{
  struct memif_conn *c = mp->conn;
  if (mp->conn_fd >= 0)
    {
      np_loop_del (mp->conn_fd);
      close (mp->conn_fd);
      mp->conn_fd = -1;
    }
  if (c)
    {
      __atomic_store_n (&mp->conn, NULL, __ATOMIC_RELEASE);
      np_fwd_publish_ports (); /* unpolled, and no worker still copies to/from the regions */
      log_info ("memif %s: disconnected (%s)", mp->port->name, why);
    }
  conn_free (c);
  conn_free (mp->pending);
  mp->pending = NULL;
  memif_handshake_reset (&mp->hs);
}

int
np_memif_port_open (struct np_port *p, cnf_err *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  struct memif_port *mp;
  int fd;
  if (strlen (p->socket) >= sizeof sa.sun_path)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".socket: longer than %zu bytes", sizeof sa.sun_path - 1);
  strcpy (sa.sun_path, p->socket);
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cnf_err_set_code (err, NP_E_INTERNAL, errno, "socket");
  /* a stale socket file (previous run) is replaced; anything else is refused */
  struct stat st;
  if (lstat (p->socket, &st) == 0)
    {
      if (!S_ISSOCK (st.st_mode))
        {
          close (fd);
          return cnf_err_set_code (err, NP_E_EXISTS, 0, ".socket: %s exists and is not a socket", p->socket);
        }
      unlink (p->socket);
    }
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || chmod (p->socket, 0660) < 0 || listen (fd, 4) < 0)
    {
      int e = errno;
      close (fd);
      unlink (p->socket);
      return cnf_err_set_code (err, NP_E_INTERNAL, e, "bind %s", p->socket);
    }
  mp = xzalloc (sizeof *mp);
  mp->port = p;
  mp->listen_fd = fd;
  mp->conn_fd = -1;
  mp->hs.id = p->memif_id;
  p->priv = mp;
  p->ops = &memif_ops;
  np_loop_add (fd, EPOLLIN, on_listen, mp);
  return 0;
}

/* The port is already unpublished from the workers. */
void
np_memif_port_close (struct np_port *p)
{
  struct memif_port *mp = p->priv;
  if (!mp)
    return;
  if (mp->conn_fd >= 0)
    send_disconnect (mp->conn_fd, "interface deleted");
  memif_disconnect (mp, "port removed");
  np_loop_del (mp->listen_fd);
  close (mp->listen_fd);
  unlink (p->socket);
  free (mp);
  p->priv = NULL;
}

bool
np_memif_connected (const struct np_port *p)
{
  const struct memif_port *mp = p->priv;
  return mp && mp->conn;
}
