/* memif_proto.c — validation of memif control messages from untrusted clients (see memif_proto.h).
 * The order of the checks is the order of the reasons a client is told. */
#include <string.h>
#include "memif_proto.h"

const char *
memif_msg_check (const struct memif_handshake *h, const struct memif_msg *m, size_t len, bool truncated, bool has_fd)
{
  /* the pending connection exists from INIT until CONNECT */
  bool pending = h->got_init && !h->connected;
  if (truncated)
    return "oversized message";
  if (len != sizeof *m)
    return "short message";
  switch (m->type)
    {
    case MEMIF_MSG_TYPE_ACK:
      return NULL;
    case MEMIF_MSG_TYPE_INIT:
      {
        const struct memif_msg_init *in = &m->u.init;
        if (h->got_init || h->connected)
          return "unexpected init";
        if (in->version != MEMIF_VERSION)
          return "incompatible memif version";
        if (in->id != h->id)
          return "no such interface id";
        if (in->mode != MEMIF_INTERFACE_MODE_ETHERNET)
          return "only ethernet mode is supported";
        return NULL;
      }
    case MEMIF_MSG_TYPE_ADD_REGION:
      {
        const struct memif_msg_add_region *ar = &m->u.add_region;
        if (!pending)
          return "region before init";
        if (!has_fd)
          return "region without a file descriptor";
        if (ar->index != h->nregions || ar->index >= MEMIF_MAX_REGIONS)
          return "bad region index";
        if (ar->size == 0 || ar->size > MEMIF_MAX_REGION_SIZE)
          return "bad region size";
        return NULL;
      }
    case MEMIF_MSG_TYPE_ADD_RING:
      {
        const struct memif_msg_add_ring *ar = &m->u.add_ring;
        bool c2s = ar->flags & MEMIF_MSG_ADD_RING_FLAG_C2S;
        if (!pending)
          return "ring before init";
        if (ar->index >= MEMIF_MAX_RINGS || ar->index != (c2s ? h->nc2s : h->ns2c))
          return "bad ring index";
        if (ar->region >= h->nregions)
          return "ring in an unknown region";
        if (ar->log2_ring_size == 0 || ar->log2_ring_size > MEMIF_MAX_LOG2_RING)
          return "bad ring size";
        if (ar->private_hdr_size != 0)
          return "private headers are not supported";
        uint64_t need = sizeof (struct memif_ring) + sizeof (struct memif_desc) * (1ULL << ar->log2_ring_size);
        if (ar->offset % 64 || (uint64_t) ar->offset + need > h->region_size[ar->region])
          return "ring outside its region";
        return NULL;
      }
    case MEMIF_MSG_TYPE_CONNECT:
      if (!pending || h->nc2s == 0 || h->ns2c == 0)
        return "connect before rings";
      return NULL;
    case MEMIF_MSG_TYPE_DISCONNECT:
      return "client disconnected";
    default:
      return "unexpected message";
    }
}

void
memif_handshake_accept (struct memif_handshake *h, const struct memif_msg *m)
{
  switch (m->type)
    {
    case MEMIF_MSG_TYPE_INIT:
      h->got_init = true;
      break;
    case MEMIF_MSG_TYPE_ADD_REGION:
      h->region_size[h->nregions++] = m->u.add_region.size;
      break;
    case MEMIF_MSG_TYPE_ADD_RING:
      if (m->u.add_ring.flags & MEMIF_MSG_ADD_RING_FLAG_C2S)
        h->nc2s++;
      else
        h->ns2c++;
      break;
    case MEMIF_MSG_TYPE_CONNECT:
      h->connected = true;
      break;
    default:
      break;
    }
}

void
memif_handshake_reset (struct memif_handshake *h)
{
  uint32_t id = h->id;
  memset (h, 0, sizeof *h);
  h->id = id;
}
