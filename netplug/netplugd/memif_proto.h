/* memif_proto.h — the rules netplugd applies to the memif control messages of untrusted
 * clients, as pure functions of the handshake so far: no sockets, no mappings.  memif.c checks
 * every received message here before acting on it and records it here once its side effects
 * succeeded; tests/fuzz/fuzz_memif.c drives the same functions with arbitrary messages. */
#ifndef NETPLUGD_MEMIF_PROTO_H
#define NETPLUGD_MEMIF_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memif.h"

#define MEMIF_MAX_REGIONS 16
#define MEMIF_MAX_RINGS 16
#define MEMIF_MAX_LOG2_RING 14
#define MEMIF_MAX_REGION_SIZE (4ULL << 30)

/* What one client connection has been granted so far. */
struct memif_handshake
{
  uint32_t id;                 /* the port's interface id (set by the owner, kept on reset) */
  bool got_init, connected;
  unsigned nregions, nc2s, ns2c;
  uint64_t region_size[MEMIF_MAX_REGIONS]; /* as announced (the file is checked to be at least this) */
};

/* NULL when a received message may be acted on in state h, else the reason to disconnect.
 * len is what recvmsg returned, truncated that MSG_TRUNC or MSG_CTRUNC was set, has_fd that
 * an fd came with it. */
const char *memif_msg_check (const struct memif_handshake *h, const struct memif_msg *m, size_t len, bool truncated,
                             bool has_fd);
/* Record a checked message whose side effects (mapping, reply) succeeded. */
void memif_handshake_accept (struct memif_handshake *h, const struct memif_msg *m);
/* Back to "no client" (the interface id is kept). */
void memif_handshake_reset (struct memif_handshake *h);

#endif
