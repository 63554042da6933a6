/* ebpf.c — device access control on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program built
 * from linux.resources.devices plus the default devices, loaded and attached with the raw
 * bpf() syscall (no libbpf: the program is a straight line of compares, ~6 insns per rule).
 *
 * Semantics follow the OCI list: rules are read in order and the last one that matches a
 * request wins; nothing matching means deny.  So the program tests the rules last-to-first
 * and returns at the first match.  A rule matches when type and major/minor match (or are
 * wildcards) and the requested access is a subset of the rule's access. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"
#include "../lib/util.h"

#define R0 0
#define R1 1
#define R2 2 /* device type (BPF_DEVCG_DEV_*) */
#define R3 3 /* requested access (BPF_DEVCG_ACC_*) */
#define R4 4 /* major */
#define R5 5 /* minor */

static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return i;
}

/* The devices every container may use, as runc and crun allow them; /dev/net/tun is
 * included because CNFs use it for TAP interfaces. */
static const struct cg_device_rule default_rules[] = {
  { true, 'c', -1, -1, "m" },  { true, 'b', -1, -1, "m" },   /* mknod of anything; opening is what counts */
  { true, 'c', 1, 3, "rwm" },  /* /dev/null */
  { true, 'c', 1, 5, "rwm" },  /* /dev/zero */
  { true, 'c', 1, 7, "rwm" },  /* /dev/full */
  { true, 'c', 1, 8, "rwm" },  /* /dev/random */
  { true, 'c', 1, 9, "rwm" },  /* /dev/urandom */
  { true, 'c', 5, 0, "rwm" },  /* /dev/tty */
  { true, 'c', 5, 2, "rwm" },  /* /dev/ptmx */
  { true, 'c', 136, -1, "rwm" }, /* /dev/pts/N */
  { true, 'c', 10, 200, "rwm" }, /* /dev/net/tun */
};

size_t
cg_default_device_rules (const struct cg_device_rule **out)
{
  *out = default_rules;
  return sizeof default_rules / sizeof *default_rules;
}

static int
access_bits (const char *a, int *bits)
{
  *bits = 0;
  for (; a && *a; a++)
    switch (*a)
      {
      case 'r': *bits |= BPF_DEVCG_ACC_READ; break;
      case 'w': *bits |= BPF_DEVCG_ACC_WRITE; break;
      case 'm': *bits |= BPF_DEVCG_ACC_MKNOD; break;
      default: return -1;
      }
  return 0;
}

int
cg_devices_build (const struct cg_device_rule *rules, size_t n, struct bpf_insn_buf *out, cnf_err *err)
{
  const struct cg_device_rule *defs;
  size_t nd = cg_default_device_rules (&defs), total = n + nd, i, k = 0;
  bool unconditional = false;
  struct bpf_insn *p = xmalloc ((6 + total * 8 + 2) * sizeof *p);

  out->insns = NULL;
  out->n = 0;
  /* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } */
  p[k++] = insn (BPF_LDX | BPF_MEM | BPF_W, R2, R1, 0, 0);
  p[k++] = insn (BPF_ALU | BPF_AND | BPF_K, R2, 0, 0, 0xffff);
  p[k++] = insn (BPF_LDX | BPF_MEM | BPF_W, R3, R1, 0, 0);
  p[k++] = insn (BPF_ALU | BPF_RSH | BPF_K, R3, 0, 0, 16);
  p[k++] = insn (BPF_LDX | BPF_MEM | BPF_W, R4, R1, 4, 0);
  p[k++] = insn (BPF_LDX | BPF_MEM | BPF_W, R5, R1, 8, 0);
  /* The defaults come after the spec's rules, so a leading deny-all in the spec does not take
   * /dev/null away; iterate from the last rule to the first. */
  for (i = total; i > 0; i--)
    {
      const struct cg_device_rule *r = i - 1 >= n ? &defs[i - 1 - n] : &rules[i - 1];
      struct bpf_insn blk[8];
      size_t b = 0, j;
      int acc, type;
      if (access_bits (r->access, &acc) < 0)
        {
          free (p);
          return cnf_err_set (err, EINVAL, "linux.resources.devices[%zu].access \"%s\": only r, w and m are allowed",
                              i - 1, r->access);
        }
      if (acc == 0)
        acc = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD; /* absent access: all */
      switch (r->type)
        {
        case 'a': case 0: type = 0; break;
        case 'c': type = BPF_DEVCG_DEV_CHAR; break;
        case 'b': type = BPF_DEVCG_DEV_BLOCK; break;
        default:
          free (p);
          return cnf_err_set (err, EINVAL, "linux.resources.devices[%zu].type \"%c\": expected a, b or c", i - 1,
                              r->type);
        }
      /* Jumps are written with off = 0 and fixed below to land after the block. */
      if (type)
        blk[b++] = insn (BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0, type);
      if (acc != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD))
        {
          blk[b++] = insn (BPF_ALU | BPF_MOV | BPF_X, R1, R3, 0, 0);
          blk[b++] = insn (BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, ~acc & 7);
          blk[b++] = insn (BPF_JMP | BPF_JNE | BPF_K, R1, 0, 0, 0);
        }
      if (r->type != 'a' && r->major >= 0)
        blk[b++] = insn (BPF_JMP | BPF_JNE | BPF_K, R4, 0, 0, (int32_t) r->major);
      if (r->type != 'a' && r->minor >= 0)
        blk[b++] = insn (BPF_JMP | BPF_JNE | BPF_K, R5, 0, 0, (int32_t) r->minor);
      blk[b++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, r->allow ? 1 : 0);
      blk[b++] = insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
      for (j = 0; j < b; j++)
        if (blk[j].code == (BPF_JMP | BPF_JNE | BPF_K))
          blk[j].off = (int16_t) (b - j - 1);
      memcpy (p + k, blk, b * sizeof *blk);
      k += b;
      /* A rule that matches everything ends the program: the verifier rejects dead code. */
      if (b == 2)
        {
          unconditional = true;
          break;
        }
    }
  if (!unconditional)
    {
      p[k++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0); /* default deny */
      p[k++] = insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
  out->insns = p;
  out->n = k;
  return 0;
}

void
cg_devices_free (struct bpf_insn_buf *b)
{
  free (b->insns);
  b->insns = NULL;
  b->n = 0;
}

int
cg_devices_eval (const struct bpf_insn_buf *prog, char type, unsigned major, unsigned minor, const char *access)
{
  const struct bpf_insn *p = prog->insns;
  uint64_t reg[11] = { 0 };
  uint32_t ctx[3];
  int acc = 0;
  size_t pc = 0;
  access_bits (access, &acc);
  ctx[0] = (uint32_t) acc << 16 | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  ctx[1] = major;
  ctx[2] = minor;
  while (pc < prog->n)
    {
      const struct bpf_insn *i = &p[pc++];
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W: reg[i->dst_reg] = ctx[i->off / 4]; break;
        case BPF_ALU | BPF_AND | BPF_K: reg[i->dst_reg] = (uint32_t) (reg[i->dst_reg] & (uint32_t) i->imm); break;
        case BPF_ALU | BPF_RSH | BPF_K: reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] >> i->imm; break;
        case BPF_ALU | BPF_MOV | BPF_X: reg[i->dst_reg] = (uint32_t) reg[i->src_reg]; break;
        case BPF_ALU64 | BPF_MOV | BPF_K: reg[i->dst_reg] = (uint64_t) (int64_t) i->imm; break;
        case BPF_JMP | BPF_JNE | BPF_K:
          if (reg[i->dst_reg] != (uint64_t) (int64_t) i->imm)
            pc += i->off;
          break;
        case BPF_JMP | BPF_EXIT: return (int) reg[0];
        default: return -1;
        }
    }
  return -1;
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

int
cg_devices_apply (int cgfd, const struct cg_device_rule *rules, size_t n, cnf_err *err)
{
  struct bpf_insn_buf b;
  union bpf_attr a;
  char log[4096] = "";
  cleanup_close int pfd = -1;
  uint32_t old[64], nold = 64, i;

  if (cg_devices_build (rules, n, &b, err) < 0)
    return -1;
  memset (&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t) (uintptr_t) b.insns;
  a.insn_cnt = (uint32_t) b.n;
  a.license = (uint64_t) (uintptr_t) "Apache-2.0";
  /* Without a log first: with log_level 1 the verifier formats every instruction it visits
   * (a third of create's CPU time on the host).  The log is only wanted to explain a refusal. */
  pfd = sys_bpf (BPF_PROG_LOAD, &a);
  if (pfd < 0 && errno != ENOSYS && errno != EPERM)
    {
      int e = errno;
      a.log_buf = (uint64_t) (uintptr_t) log;
      a.log_size = sizeof log;
      a.log_level = 1;
      pfd = sys_bpf (BPF_PROG_LOAD, &a);
      if (pfd < 0)
        errno = e; /* the first refusal is the error; the log (maybe cut short) explains it */
    }
  cg_devices_free (&b);
  if (pfd < 0)
    {
      int e = errno;
      log[sizeof log - 1] = '\0';
      return cnf_err_set (err, e, "load the device-control eBPF program%s%s", log[0] ? ": " : "", log);
    }
  /* Programs attached earlier (by create, before an update) are replaced after the new one is
   * in: in between both apply, which is never more permissive than either. */
  memset (&a, 0, sizeof a);
  a.query.target_fd = (uint32_t) cgfd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uint64_t) (uintptr_t) old;
  a.query.prog_cnt = nold;
  if (sys_bpf (BPF_PROG_QUERY, &a) < 0)
    nold = 0;
  else
    nold = a.query.prog_cnt < 64 ? a.query.prog_cnt : 64;

  memset (&a, 0, sizeof a);
  a.target_fd = (uint32_t) cgfd;
  a.attach_bpf_fd = (uint32_t) pfd;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &a) < 0)
    return cnf_err_set (err, errno, "attach the device-control eBPF program to the cgroup");
  for (i = 0; i < nold; i++)
    {
      int ofd;
      memset (&a, 0, sizeof a);
      a.prog_id = old[i];
      ofd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &a);
      if (ofd < 0)
        continue;
      memset (&a, 0, sizeof a);
      a.target_fd = (uint32_t) cgfd;
      a.attach_bpf_fd = (uint32_t) ofd;
      a.attach_type = BPF_CGROUP_DEVICE;
      sys_bpf (BPF_PROG_DETACH, &a);
      close (ofd);
    }
  return 0;
}
