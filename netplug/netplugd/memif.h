/* memif.h — memif protocol 2.0 wire format (control messages, ring and descriptor layout), as
 * specified by the memif project and implemented by VPP and DPDK.  Written from the published
 * layout; "c2s" is the client-to-server direction (the spec's older name is S2M). */
#ifndef NETPLUGD_MEMIF_H
#define NETPLUGD_MEMIF_H

#include <stdint.h>

#define MEMIF_COOKIE 0x3E31F20
#define MEMIF_VERSION ((2 << 8) | 0)
#define MEMIF_NAME_SZ 32

enum
{
  MEMIF_MSG_TYPE_NONE,
  MEMIF_MSG_TYPE_ACK,
  MEMIF_MSG_TYPE_HELLO,
  MEMIF_MSG_TYPE_INIT,
  MEMIF_MSG_TYPE_ADD_REGION,
  MEMIF_MSG_TYPE_ADD_RING,
  MEMIF_MSG_TYPE_CONNECT,
  MEMIF_MSG_TYPE_CONNECTED,
  MEMIF_MSG_TYPE_DISCONNECT,
};
#define MEMIF_INTERFACE_MODE_ETHERNET 0

struct __attribute__ ((packed)) memif_msg_hello
{
  uint8_t name[MEMIF_NAME_SZ];
  uint16_t min_version, max_version;
  uint16_t max_region, max_c2s_ring, max_s2c_ring;
  uint8_t max_log2_ring_size;
};

struct __attribute__ ((packed)) memif_msg_init
{
  uint16_t version;
  uint32_t id;
  uint8_t mode;
  uint8_t secret[24];
  uint8_t name[MEMIF_NAME_SZ];
};

struct __attribute__ ((packed)) memif_msg_add_region
{
  uint16_t index;
  uint64_t size;
};

#define MEMIF_MSG_ADD_RING_FLAG_C2S 1
struct __attribute__ ((packed)) memif_msg_add_ring
{
  uint16_t flags;
  uint16_t index;
  uint16_t region;
  uint32_t offset;
  uint8_t log2_ring_size;
  uint16_t private_hdr_size;
};

struct __attribute__ ((packed)) memif_msg_connect
{
  uint8_t if_name[MEMIF_NAME_SZ];
};
struct __attribute__ ((packed)) memif_msg_connected
{
  uint8_t if_name[MEMIF_NAME_SZ];
};
struct __attribute__ ((packed)) memif_msg_disconnect
{
  uint32_t code;
  uint8_t string[96];
};

struct __attribute__ ((packed, aligned (128))) memif_msg
{
  uint16_t type;
  union __attribute__ ((packed))
  {
    struct memif_msg_hello hello;
    struct memif_msg_init init;
    struct memif_msg_add_region add_region;
    struct memif_msg_add_ring add_ring;
    struct memif_msg_connect connect;
    struct memif_msg_connected connected;
    struct memif_msg_disconnect disconnect;
  } u;
};

#define MEMIF_DESC_FLAG_NEXT 1
struct __attribute__ ((packed)) memif_desc
{
  uint16_t flags;
  uint16_t region;
  uint32_t length;
  uint32_t offset;
  uint32_t metadata;
};

#define MEMIF_RING_FLAG_MASK_INT 1
struct memif_ring
{
  uint32_t cookie;
  uint16_t flags;
  volatile uint16_t head;
  uint8_t pad0[56];
  volatile uint16_t tail;
  uint8_t pad1[62];
  struct memif_desc desc[];
};

#endif
