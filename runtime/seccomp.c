/* seccomp.c — linux.seccomp through libseccomp.  Validation sees only the typed object; building
 * resolves syscall names against this libseccomp (unknown names are skipped, as runc does); loading
 * leaves no_new_privs to the caller (libseccomp would set it by default); the notify fd goes to the
 * agent as the runtime-spec "containerProcessState" message with the fd in SCM_RIGHTS. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/seccomp.h"

#define SECCOMP_PROFILE_DIR "/usr/local/share/cnfrun/seccomp"

/* libseccomp >= 2.6 has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV as a filter attribute. */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define HAVE_SCMP_WAITKILL 1
#endif

struct action_def
{
  const char *name;
  uint32_t value;       /* with errno/trace data 0 */
  unsigned api;         /* minimum seccomp_api_get() level */
  bool takes_errno;
};

static const struct action_def actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL, 1, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, 3, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, 1, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, 1, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), 1, true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), 1, true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, 1, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, 3, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, 5, false },
};

static const struct { const char *name; int op; } operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct { const char *name; uint32_t token; } archs[] = {
  { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
  { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
  { "SCMP_ARCH_X32", SCMP_ARCH_X32 },
  { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
  { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
  { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
  { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
  { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
  { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
  { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
  { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
  { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
  { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
  { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
  { "SCMP_ARCH_S390", SCMP_ARCH_S390 },
  { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
  { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
  { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
  { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
#ifdef SCMP_ARCH_LOONGARCH64
  { "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
#endif
#ifdef SCMP_ARCH_M68K
  { "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
#endif
#ifdef SCMP_ARCH_SH
  { "SCMP_ARCH_SH", SCMP_ARCH_SH },
  { "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB },
#endif
};

enum flag_id { FLAG_TSYNC, FLAG_SPEC_ALLOW, FLAG_LOG, FLAG_WAIT_KILLABLE_RECV };
static const struct { const char *name; enum flag_id id; unsigned api; } flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", FLAG_TSYNC, 2 },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", FLAG_SPEC_ALLOW, 4 },
  { "SECCOMP_FILTER_FLAG_LOG", FLAG_LOG, 3 },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", FLAG_WAIT_KILLABLE_RECV, 7 },
};

#define N_OF(a) (sizeof (a) / sizeof ((a)[0]))

/* The connection made by seccomp_listener_prepare (the process applies one filter, once). */
static int listener_fd = -1;

int
seccomp_listener_fd (void)
{
  return listener_fd;
}

int
seccomp_action_from_name (const char *name, uint32_t *out)
{
  for (size_t i = 0; name && i < N_OF (actions); i++)
    if (strcmp (actions[i].name, name) == 0)
      {
        *out = actions[i].value;
        return 0;
      }
  return -1;
}

int
seccomp_operator_from_name (const char *name, int *out)
{
  for (size_t i = 0; name && i < N_OF (operators); i++)
    if (strcmp (operators[i].name, name) == 0)
      {
        *out = operators[i].op;
        return 0;
      }
  return -1;
}

/* The table entry for an action value; ERRNO/TRACE match whatever data sits in the low 16 bits. */
static const struct action_def *
action_lookup (uint32_t action)
{
  for (size_t i = 0; i < N_OF (actions); i++)
    {
      uint32_t v = actions[i].takes_errno ? (action & 0xffff0000U) : action;
      if (v == actions[i].value)
        return &actions[i];
    }
  return NULL;
}

const char *
seccomp_action_name (uint32_t action)
{
  const struct action_def *a = action_lookup (action);
  return a ? a->name : NULL;
}

static const char *
operator_name (int op)
{
  for (size_t i = 0; i < N_OF (operators); i++)
    if (operators[i].op == op)
      return operators[i].name;
  return NULL;
}

static int
arch_token (const char *name, uint32_t *out)
{
  for (size_t i = 0; name && i < N_OF (archs); i++)
    if (strcmp (archs[i].name, name) == 0)
      {
        *out = archs[i].token;
        return 0;
      }
  return -1;
}

static bool
flag_supported (enum flag_id id)
{
  if (id == FLAG_WAIT_KILLABLE_RECV)
    {
#ifdef HAVE_SCMP_WAITKILL
      return seccomp_api_get () >= 7;
#else
      return false;
#endif
    }
  for (size_t i = 0; i < N_OF (flags); i++)
    if (flags[i].id == id)
      return seccomp_api_get () >= flags[i].api;
  return false;
}

static int
flag_lookup (const char *name)
{
  for (size_t i = 0; name && i < N_OF (flags); i++)
    if (strcmp (flags[i].name, name) == 0)
      return (int) flags[i].id;
  return -1;
}

/* The action value libseccomp wants, errno/trace data folded in.  Per the spec a missing errnoRet
 * means EPERM for SCMP_ACT_ERRNO (and 0 for SCMP_ACT_TRACE's message value). */
static uint32_t
resolve_action (uint32_t action, bool has_errno, uint32_t errno_ret)
{
  const struct action_def *a = action_lookup (action);
  if (a == NULL || !a->takes_errno)
    return action;
  if (!has_errno && (action & 0xffffU) != 0)
    return action; /* the parser folded the errno in already */
  if (!has_errno)
    errno_ret = a->value == SCMP_ACT_ERRNO (0) ? EPERM : 0;
  return a->value == SCMP_ACT_ERRNO (0) ? SCMP_ACT_ERRNO (errno_ret) : SCMP_ACT_TRACE (errno_ret);
}

static bool
uses_notify (const struct spec_seccomp *sc)
{
  for (size_t i = 0; i < sc->n_syscalls; i++)
    if (sc->syscalls[i].action == SCMP_ACT_NOTIFY)
      return true;
  return false;
}

static int
check_action (uint32_t action, bool has_errno, uint32_t errno_ret, const char *origin, const char *path,
              cnf_err *err)
{
  const struct action_def *a = action_lookup (action);
  if (a == NULL)
    return cnf_err_set (err, 0, "%s: %s: unknown seccomp action 0x%x", origin, path, action);
  if (seccomp_api_get () < a->api)
    return cnf_err_set (err, 0, "%s: %s: %s is not supported by this kernel/libseccomp (API level %u)", origin, path,
                        a->name, seccomp_api_get ());
  if (has_errno && !a->takes_errno)
    return cnf_err_set (err, 0, "%s: %s: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", origin,
                        path, a->name);
  if (has_errno && errno_ret > 0xffff)
    return cnf_err_set (err, 0, "%s: %s: errnoRet %u is out of range (0..65535)", origin, path, errno_ret);
  return 0;
}

int
seccomp_validate (const struct spec_seccomp *sc, const char *origin, cnf_err *err)
{
  char path[128];

  if (sc == NULL)
    return 0;
  if (origin == NULL)
    origin = "config.json";
  if (check_action (sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, origin,
                    ".linux.seccomp.defaultAction", err) < 0)
    return -1;
  if (sc->default_action == SCMP_ACT_NOTIFY)
    return cnf_err_set (err, 0, "%s: .linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action", origin);
  for (size_t i = 0; i < sc->n_architectures; i++)
    {
      uint32_t tok;
      if (arch_token (sc->architectures[i], &tok) < 0)
        {
          static const char *const newer[] = { "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB" };
          for (size_t k = 0; sc->architectures[i] && k < N_OF (newer); k++)
            if (strcmp (newer[k], sc->architectures[i]) == 0)
              return cnf_err_set (err, 0, "%s: .linux.seccomp.architectures[%zu]: %s is not supported by libseccomp "
                                  "%u.%u.%u", origin, i, newer[k], SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
          return cnf_err_set (err, 0, "%s: .linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", origin, i,
                              sc->architectures[i] ? sc->architectures[i] : "");
        }
    }
  for (size_t i = 0; i < sc->n_flags; i++)
    {
      int f = flag_lookup (sc->flags[i]);
      if (f < 0)
        return cnf_err_set (err, 0, "%s: .linux.seccomp.flags[%zu]: unknown flag \"%s\"", origin, i,
                            sc->flags[i] ? sc->flags[i] : "");
      if (!flag_supported ((enum flag_id) f))
        return cnf_err_set (err, 0, "%s: .linux.seccomp.flags[%zu]: %s is not supported by this build "
                            "(libseccomp %u.%u.%u, API level %u)", origin, i, sc->flags[i], SCMP_VER_MAJOR,
                            SCMP_VER_MINOR, SCMP_VER_MICRO, seccomp_api_get ());
    }
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *r = &sc->syscalls[i];
      snprintf (path, sizeof path, ".linux.seccomp.syscalls[%zu].action", i);
      if (check_action (r->action, r->has_errno_ret, r->errno_ret, origin, path, err) < 0)
        return -1;
      if (r->n_names == 0)
        return cnf_err_set (err, 0, "%s: .linux.seccomp.syscalls[%zu].names: must list at least one syscall", origin, i);
      for (size_t j = 0; j < r->n_names; j++)
        {
          if (r->names[j] == NULL || r->names[j][0] == '\0')
            return cnf_err_set (err, 0, "%s: .linux.seccomp.syscalls[%zu].names[%zu]: empty syscall name", origin, i, j);
          /* The agent only gets the fd after sendmsg() returns: a notify rule on it would hang init. */
          if (r->action == SCMP_ACT_NOTIFY && strcmp (r->names[j], "sendmsg") == 0)
            return cnf_err_set (err, 0, "%s: .linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY on sendmsg would "
                                "block the runtime handing the notify fd to the agent", origin, i, j);
        }
      for (size_t j = 0; j < r->n_args; j++)
        {
          if (r->args[j].index >= 6)
            return cnf_err_set (err, 0, "%s: .linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0..5)",
                                origin, i, j, r->args[j].index);
          if (operator_name (r->args[j].op) == NULL)
            return cnf_err_set (err, 0, "%s: .linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator %d", origin, i,
                                j, r->args[j].op);
        }
    }
  if (uses_notify (sc) && (sc->listener_path == NULL || sc->listener_path[0] == '\0'))
    return cnf_err_set (err, 0, "%s: .linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY", origin);
  if (sc->listener_path && sc->listener_path[0] != '\0')
    {
      if (sc->listener_path[0] != '/')
        return cnf_err_set (err, 0, "%s: .linux.seccomp.listenerPath: \"%s\" must be an absolute path", origin,
                            sc->listener_path);
      if (strlen (sc->listener_path) >= sizeof (((struct sockaddr_un *) 0)->sun_path))
        return cnf_err_set (err, 0, "%s: .linux.seccomp.listenerPath: too long for a Unix socket address", origin);
    }
  return 0;
}

static int
add_rule (scmp_filter_ctx ctx, uint32_t act, int nr, const char *name, const struct spec_seccomp_syscall *r,
          size_t idx, cnf_err *err)
{
  struct scmp_arg_cmp cmp[6];
  bool same_index = false;
  int rc;

  for (size_t j = 0; j < r->n_args && !same_index; j++)
    for (size_t k = j + 1; k < r->n_args; k++)
      if (r->args[j].index == r->args[k].index)
        same_index = true;

  if (!same_index)
    {
      /* Conditions on distinct arguments: one rule, all must hold (AND). */
      for (size_t j = 0; j < r->n_args; j++)
        cmp[j] = (struct scmp_arg_cmp) { .arg = r->args[j].index, .op = (enum scmp_compare) r->args[j].op,
                                         .datum_a = r->args[j].value, .datum_b = r->args[j].value_two };
      rc = seccomp_rule_add_array (ctx, act, nr, (unsigned) r->n_args, r->n_args ? cmp : NULL);
      if (rc < 0)
        return cnf_err_set (err, -rc, "seccomp: .linux.seccomp.syscalls[%zu]: add rule for %s", idx, name);
      return 0;
    }
  /* libseccomp cannot test one argument twice in a rule; like runc, each condition becomes its own
   * rule, so such a list matches when any of them holds (OR). */
  log_debug ("seccomp: syscalls[%zu] (%s) tests one argument more than once: conditions are ORed", idx, name);
  for (size_t j = 0; j < r->n_args; j++)
    {
      cmp[0] = (struct scmp_arg_cmp) { .arg = r->args[j].index, .op = (enum scmp_compare) r->args[j].op,
                                       .datum_a = r->args[j].value, .datum_b = r->args[j].value_two };
      rc = seccomp_rule_add_array (ctx, act, nr, 1, cmp);
      if (rc < 0)
        return cnf_err_set (err, -rc, "seccomp: .linux.seccomp.syscalls[%zu]: add rule for %s", idx, name);
    }
  return 0;
}

int
seccomp_build (const struct spec_seccomp *sc, void **ctx_out, cnf_err *err)
{
  scmp_filter_ctx ctx;
  uint32_t def;
  int rc;

  if (seccomp_validate (sc, "config.json", err) < 0)
    return -1;
  def = resolve_action (sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret);
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return cnf_err_set (err, 0, "seccomp: cannot initialise a filter with default action 0x%x", def);
  /* no_new_privs is process.noNewPrivileges' business, not the filter's. */
  rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0)
    goto fail_rc;
  for (size_t i = 0; i < sc->n_architectures; i++)
    {
      uint32_t tok = 0;
      arch_token (sc->architectures[i], &tok);
      rc = seccomp_arch_add (ctx, tok);
      if (rc < 0 && rc != -EEXIST)
        {
          cnf_err_set (err, -rc, "seccomp: .linux.seccomp.architectures[%zu]: add %s", i, sc->architectures[i]);
          goto fail;
        }
    }
  for (size_t i = 0; i < sc->n_flags; i++)
    {
      switch ((enum flag_id) flag_lookup (sc->flags[i]))
        {
        case FLAG_TSYNC:
          rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
          break;
        case FLAG_SPEC_ALLOW:
          rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_SSB, 1);
          break;
        case FLAG_LOG:
          rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_LOG, 1);
          break;
        case FLAG_WAIT_KILLABLE_RECV:
#ifdef HAVE_SCMP_WAITKILL
          rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_WAITKILL, 1);
#else
          rc = -EOPNOTSUPP;
#endif
          break;
        default:
          rc = -EINVAL;
        }
      if (rc < 0)
        {
          cnf_err_set (err, -rc, "seccomp: .linux.seccomp.flags[%zu]: set %s", i, sc->flags[i]);
          goto fail;
        }
    }
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *r = &sc->syscalls[i];
      uint32_t act = resolve_action (r->action, r->has_errno_ret, r->errno_ret);
      /* libseccomp refuses rules that repeat the default action; they would change nothing. */
      if (act == def)
        continue;
      for (size_t j = 0; j < r->n_names; j++)
        {
          int nr = seccomp_syscall_resolve_name (r->names[j]);
          if (nr == __NR_SCMP_ERROR)
            {
              log_debug ("seccomp: syscall \"%s\" is unknown to libseccomp %u.%u.%u: skipped", r->names[j],
                         SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
              continue;
            }
          if (add_rule (ctx, act, nr, r->names[j], r, i, err) < 0)
            goto fail;
        }
    }
  *ctx_out = ctx;
  return 0;

fail_rc:
  cnf_err_set (err, -rc, "seccomp: configure the filter");
fail:
  seccomp_release (ctx);
  return -1;
}

static int
listener_connect (const char *path, cnf_err *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof sa.sun_path)
    return cnf_err_set (err, ENAMETOOLONG, "seccomp: listenerPath \"%s\"", path);
  strcpy (sa.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cnf_err_set (err, errno, "seccomp: socket for listenerPath");
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "seccomp: connect to listenerPath \"%s\"", path);
    }
  return fd;
}

int
seccomp_listener_prepare (const struct spec_seccomp *sc, cnf_err *err)
{
  int fd;

  if (sc == NULL || !uses_notify (sc) || sc->listener_path == NULL || listener_fd >= 0)
    return 0;
  fd = listener_connect (sc->listener_path, err);
  if (fd < 0)
    return -1;
  listener_fd = fd;
  return 0;
}

/* The runtime-spec containerProcessState: {"ociVersion","fds":["seccompFd"],"pid","metadata","state"}. */
static char *
process_state_message (const struct spec_seccomp *sc, const char *state_json, size_t *len)
{
  json_writer *w = json_writer_new (false);
  json_value *st = NULL;
  int64_t pid = 0;

  if (state_json)
    st = json_parse (state_json, strlen (state_json), NULL, 0);
  if (st == NULL || json_get_int64 (json_get (st, "pid"), &pid) < 0 || pid <= 0)
    pid = getpid ();
  json_w_obj_open (w);
  json_w_kstr (w, "ociVersion", "1.3.0");
  json_w_key (w, "fds");
  json_w_arr_open (w);
  json_w_str (w, "seccompFd");
  json_w_arr_close (w);
  json_w_kint (w, "pid", pid);
  if (sc->listener_metadata)
    json_w_kstr (w, "metadata", sc->listener_metadata);
  json_w_key (w, "state");
  if (st)
    json_w_value (w, st);
  else
    {
      json_w_obj_open (w);
      json_w_obj_close (w);
    }
  json_w_obj_close (w);
  json_free (st);
  return json_writer_steal (w, len);
}

static int
send_notify_fd (int sock, int notify_fd, const char *msg, size_t len)
{
  union { char buf[CMSG_SPACE (sizeof (int))]; struct cmsghdr align; } u;
  struct iovec iov = { .iov_base = (void *) msg, .iov_len = len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c;
  ssize_t n;

  memset (u.buf, 0, sizeof u.buf);
  c = CMSG_FIRSTHDR (&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &notify_fd, sizeof (int));
  do
    n = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  /* The fd travelled with the first byte; the rest of a short write goes as plain data. */
  if ((size_t) n < len && write_all (sock, msg + n, len - (size_t) n) < 0)
    return -errno;
  return 0;
}

int
seccomp_apply (const struct spec_seccomp *sc, const char *state_json, cnf_err *err)
{
  scmp_filter_ctx ctx = NULL;
  cleanup_free char *msg = NULL;
  size_t msg_len = 0;
  int sock = -1, rc, nfd;
  bool notify;

  if (sc == NULL)
    return 0;
  if (seccomp_build (sc, (void **) &ctx, err) < 0)
    return -1;
  notify = uses_notify (sc);
  if (notify)
    {
      /* Everything the hand-over needs happens before the filter exists, except sendmsg/close. */
      msg = process_state_message (sc, state_json, &msg_len);
      if (listener_fd >= 0)
        sock = steal_fd (&listener_fd);
      else if ((sock = listener_connect (sc->listener_path, err)) < 0)
        goto fail;
    }
  rc = seccomp_load (ctx);
  if (rc < 0)
    {
      int nnp = prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
      if (rc == -EACCES && nnp == 0)
        cnf_err_set (err, -rc, "seccomp: load the filter (without noNewPrivileges this needs CAP_SYS_ADMIN)");
      else
        cnf_err_set (err, -rc, "seccomp: load the filter");
      goto fail;
    }
  if (notify)
    {
      nfd = seccomp_notify_fd (ctx);
      if (nfd < 0)
        {
          cnf_err_set (err, -nfd, "seccomp: get the notify fd");
          goto fail;
        }
      rc = send_notify_fd (sock, nfd, msg, msg_len);
      close (nfd);
      if (rc < 0)
        {
          cnf_err_set (err, -rc, "seccomp: send the notify fd to listenerPath \"%s\"", sc->listener_path);
          goto fail;
        }
      close (sock);
      sock = -1;
    }
  seccomp_release (ctx);
  return 0;

fail:
  if (sock >= 0)
    close (sock);
  seccomp_release (ctx);
  return -1;
}

/* Feature lists.  Built once from the tables and what this kernel/libseccomp accept. */
const char *const *
seccomp_supported_actions (void)
{
  static const char *list[N_OF (actions) + 1];
  if (list[0] == NULL)
    {
      size_t n = 0;
      for (size_t i = 0; i < N_OF (actions); i++)
        if (seccomp_api_get () >= actions[i].api)
          list[n++] = actions[i].name;
      list[n] = NULL;
    }
  return list;
}

const char *const *
seccomp_supported_operators (void)
{
  static const char *list[N_OF (operators) + 1];
  if (list[0] == NULL)
    for (size_t i = 0; i < N_OF (operators); i++)
      list[i] = operators[i].name;
  return list;
}

const char *const *
seccomp_supported_archs (void)
{
  static const char *list[N_OF (archs) + 1];
  if (list[0] == NULL)
    for (size_t i = 0; i < N_OF (archs); i++)
      list[i] = archs[i].name;
  return list;
}

const char *const *
seccomp_supported_flags (void)
{
  static const char *list[N_OF (flags) + 1];
  if (list[0] == NULL)
    {
      size_t n = 0;
      for (size_t i = 0; i < N_OF (flags); i++)
        if (flag_supported (flags[i].id))
          list[n++] = flags[i].name;
      list[n] = NULL;
    }
  return list;
}

const char *const *
seccomp_known_flags (void)
{
  static const char *list[N_OF (flags) + 1];
  if (list[0] == NULL)
    for (size_t i = 0; i < N_OF (flags); i++)
      list[i] = flags[i].name;
  return list;
}

#ifdef CNF_SECCOMP_SRCDIR
/* Is this program running from a build tree (config.status beside it or up to two levels up)? */
static bool
running_from_build_dir (void)
{
  char exe[PATH_MAX], probe[PATH_MAX + 32];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return false;
  exe[n] = '\0';
  for (int up = 0; up < 3; up++)
    {
      char *slash = strrchr (exe, '/');
      if (slash == NULL)
        return false;
      *slash = '\0';
      snprintf (probe, sizeof probe, "%s/config.status", exe[0] ? exe : "/");
      if (access (probe, F_OK) == 0)
        return true;
    }
  return false;
}
#endif

static int
try_profile (const char *dir, const char *name, char **json_text)
{
  cleanup_free char *path = NULL;
  size_t len;
  struct stat stb;

  if (dir == NULL || dir[0] == '\0')
    return -1;
  path = xasprintf ("%s/%s.json", dir, name);
  if (stat (path, &stb) < 0 || !S_ISREG (stb.st_mode))
    return -1;
  if (read_file_at (AT_FDCWD, path, json_text, &len, NULL) < 0)
    return -1;
  log_debug ("seccomp: profile %s from %s", name, path);
  return 0;
}

int
seccomp_profile_load (const char *name, char **json_text, cnf_err *err)
{
  const char *dirs[5];
  size_t n = 0;

  if (name == NULL || name[0] == '\0' || name[0] == '.' || strchr (name, '/') != NULL || strlen (name) > 64)
    return cnf_err_set (err, 0, "seccomp profile \"%s\": a profile is named by a plain word such as \"default\"",
                        name ? name : "");
  dirs[n++] = getenv ("CNFRUN_SECCOMP_PROFILES");
  dirs[n++] = SECCOMP_PROFILE_DIR;
  dirs[n++] = "/usr/share/cnfrun/seccomp";
#ifdef CNF_SECCOMP_SRCDIR
  if (running_from_build_dir ())
    dirs[n++] = CNF_SECCOMP_SRCDIR;
#endif
  for (size_t i = 0; i < n; i++)
    if (try_profile (dirs[i], name, json_text) == 0)
      return 0;
  return cnf_err_set (err, ENOENT, "seccomp profile \"%s\": no %s.json in $CNFRUN_SECCOMP_PROFILES or %s", name, name,
                      SECCOMP_PROFILE_DIR);
}
