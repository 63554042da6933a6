/* fuzz_memif.c — the memif control messages a container (an untrusted memif client) sends
 * netplugd, through the checks netplugd applies (netplug/netplugd/memif_proto.c).
 * Input: records of one flag byte (bit 0: an fd came with the message, bit 1: the kernel
 * truncated it) and up to 128 message bytes; a refused message ends that client's connection,
 * as in netplugd, and the next record starts a new one.  Whatever is accepted must keep every
 * ring inside an announced region and every count inside its table. */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "netplug/netplugd/memif_proto.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_accepted (const struct memif_handshake *h, const struct memif_msg *m)
{
  assert (h->nregions <= MEMIF_MAX_REGIONS && h->nc2s <= MEMIF_MAX_RINGS && h->ns2c <= MEMIF_MAX_RINGS);
  if (m->type == MEMIF_MSG_TYPE_ADD_REGION)
    assert (h->region_size[h->nregions - 1] > 0 && h->region_size[h->nregions - 1] <= MEMIF_MAX_REGION_SIZE);
  if (m->type == MEMIF_MSG_TYPE_ADD_RING)
    {
      const struct memif_msg_add_ring *r = &m->u.add_ring;
      uint64_t slots = 1ULL << r->log2_ring_size;
      assert (r->region < h->nregions && r->log2_ring_size <= MEMIF_MAX_LOG2_RING);
      /* the ring header and every descriptor lie inside the region memif.c maps */
      assert ((uint64_t) r->offset + sizeof (struct memif_ring) + slots * sizeof (struct memif_desc)
              <= h->region_size[r->region]);
      assert (r->offset % 64 == 0);
    }
  if (m->type == MEMIF_MSG_TYPE_CONNECT)
    assert (h->nc2s > 0 && h->ns2c > 0 && h->nregions > 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct memif_handshake h = { .id = 0 };
  while (size > 0)
    {
      uint8_t flags = data[0];
      size_t n = size - 1 < sizeof (struct memif_msg) ? size - 1 : sizeof (struct memif_msg);
      struct memif_msg m;
      memset (&m, 0, sizeof m);
      memcpy (&m, data + 1, n);
      data += 1 + n;
      size -= 1 + n;
      const char *why = memif_msg_check (&h, &m, n, flags & 2, flags & 1);
      if (why)
        {
          assert (*why);
          memif_handshake_reset (&h);
          continue;
        }
      memif_handshake_accept (&h, &m);
      check_accepted (&h, &m);
    }
  return 0;
}
