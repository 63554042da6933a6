/* spec_parse.c — config.json (runtime-spec 1.3) into struct spec, validated in full before the
 * caller does anything: types, ranges, names, and the cross-field rules runc enforces (user
 * namespace mappings, time offsets need a time namespace, hostname needs a UTS namespace,
 * namespaced sysctls, ...).  The first problem is reported as "origin: .json.path: what". */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

#include "../lib/util.h"
#include "seccomp.h"
#include "spec.h"
#include "spec_internal.h"

/* ---------------------------------------------------------------- freeing */

static void
kv_free (struct cg_kv *kv, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (kv[i].key);
      free (kv[i].value);
    }
  free (kv);
}

void
spec_process_free (struct spec_process *p)
{
  if (p == NULL)
    return;
  free (p->cwd);
  strv_free (p->args);
  strv_free (p->env);
  free (p->user.additional_gids);
  free (p->user.username);
  for (int i = 0; i < CAP_SET__COUNT; i++)
    free (p->caps.caps[i]);
  for (size_t i = 0; i < p->n_rlimits; i++)
    free (p->rlimits[i].name);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
  free (p->exec_cpu_affinity.initial);
  free (p->exec_cpu_affinity.final);
  memset (p, 0, sizeof *p);
}

static void
seccomp_free (struct spec_seccomp *sc)
{
  if (sc == NULL)
    return;
  strv_free (sc->architectures);
  strv_free (sc->flags);
  free (sc->listener_path);
  free (sc->listener_metadata);
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      strv_free (sc->syscalls[i].names);
      free (sc->syscalls[i].args);
    }
  free (sc->syscalls);
  free (sc);
}

static void
linux_free (struct spec_linux *l)
{
  for (int i = 0; i < NS__COUNT; i++)
    free (l->ns[i].path);
  free (l->uid_mappings);
  free (l->gid_mappings);
  for (size_t i = 0; i < l->n_devices; i++)
    free (l->devices[i].path);
  free (l->devices);
  free (l->cgroups_path);
  cg_resources_free (&l->resources);
  free (l->rootfs_propagation);
  strv_free (l->masked_paths);
  strv_free (l->readonly_paths);
  free (l->mount_label);
  kv_free (l->sysctl, l->n_sysctl);
  seccomp_free (l->seccomp);
  strv_free (l->personality_flags);
  free (l->intel_rdt_clos_id);
  for (size_t i = 0; i < l->n_net_devices; i++)
    {
      free (l->net_devices[i].host_name);
      free (l->net_devices[i].name);
    }
  free (l->net_devices);
  free (l->memory_policy.nodes);
}

void
spec_free (struct spec *s)
{
  if (s == NULL)
    return;
  free (s->oci_version);
  free (s->root_path);
  free (s->hostname);
  free (s->domainname);
  spec_process_free (&s->process);
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      struct spec_mount *m = &s->mounts[i];
      free (m->destination);
      free (m->source);
      free (m->type);
      strv_free (m->options);
      free (m->uid_mappings);
      free (m->gid_mappings);
    }
  free (s->mounts);
  for (int k = 0; k < HOOK__COUNT; k++)
    {
      for (size_t i = 0; i < s->n_hooks[k]; i++)
        {
          free (s->hooks[k][i].path);
          strv_free (s->hooks[k][i].args);
          strv_free (s->hooks[k][i].env);
        }
      free (s->hooks[k]);
    }
  kv_free (s->annotations, s->n_annotations);
  linux_free (&s->linux_);
  json_free (s->doc);
  free (s);
}

const char *
spec_annotation (const struct spec *s, const char *key)
{
  if (s == NULL || key == NULL)
    return NULL;
  for (size_t i = 0; i < s->n_annotations; i++)
    if (strcmp (s->annotations[i].key, key) == 0)
      return s->annotations[i].value;
  return NULL;
}

/* ---------------------------------------------------------------- helpers */

/* An array member: its length in *n, 0 if absent; each element must have type t. */
static int
rd_array_of (struct spec_pctx *c, const json_value *obj, const char *key, json_type t, const json_value **out, size_t *n)
{
  int r = spec_rd_type (c, obj, key, JSON_ARRAY, out);
  *n = 0;
  if (r <= 0)
    return r;
  *n = json_len (*out);
  for (size_t i = 0; i < *n; i++)
    if (json_typeof (json_at (*out, i)) != t)
      {
        size_t saved = spec_push_key (c, key);
        spec_push_idx (c, i);
        spec_type_fail (c, spec_type_word (t), json_at (*out, i));
        spec_pop (c, saved);
        return -1;
      }
  return 1;
}

static int
require_abs (struct spec_pctx *c, const char *key, const char *p)
{
  if (p[0] != '/')
    return spec_fail_at (c, key, "must be an absolute path, not \"%s\"", p);
  return 0;
}

static int
rd_name (struct spec_pctx *c, const json_value *obj, const char *key, const struct spec_name *table, const char *what,
         bool required, long *out)
{
  const json_value *v;
  int r = spec_rd_type (c, obj, key, JSON_STRING, &v);
  if (r < 0)
    return -1;
  if (r == 0)
    return required ? spec_fail_at (c, key, "missing") : 0;
  if (spec_name_lookup (table, json_string (v), out) < 0)
    return spec_fail_at (c, key, "unknown %s \"%s\"", what, json_string (v));
  return 1;
}

static int
parse_id_mappings (struct spec_pctx *c, const json_value *obj, const char *key, struct spec_id_mapping **out, size_t *n)
{
  const json_value *a;
  size_t len, saved;
  int r = rd_array_of (c, obj, key, JSON_OBJECT, &a, &len);
  if (r <= 0)
    return r;
  if (len > 340)
    return spec_fail_at (c, key, "at most 340 mappings are possible (kernel limit), not %zu", len);
  saved = spec_push_key (c, key);
  free (*out);
  *out = xzalloc ((len ? len : 1) * sizeof **out);
  *n = len;
  for (size_t i = 0; i < len; i++)
    {
      const json_value *m = json_at (a, i);
      struct spec_id_mapping *e = &(*out)[i];
      size_t s2 = spec_push_idx (c, i);
      static const char *const keys[] = { "containerID", "hostID", "size" };
      uint32_t *dst[] = { &e->container_id, &e->host_id, &e->size };
      for (int k = 0; k < 3; k++)
        {
          r = spec_rd_u32 (c, m, keys[k], dst[k]);
          if (r < 0)
            return -1;
          if (r == 0)
            return spec_fail_at (c, keys[k], "missing");
        }
      if (e->size == 0)
        return spec_fail_at (c, "size", "must be greater than zero");
      if ((uint64_t) e->container_id + e->size - 1 > UINT32_MAX || (uint64_t) e->host_id + e->size - 1 > UINT32_MAX)
        return spec_fail (c, "range overflows 32-bit ids");
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 1;
}

/* ---------------------------------------------------------------- process */

static int
parse_caps (struct spec_pctx *c, const json_value *obj, struct spec_caps *caps)
{
  static const char *const sets[CAP_SET__COUNT]
      = { [CAP_SET_BOUNDING] = "bounding", [CAP_SET_EFFECTIVE] = "effective", [CAP_SET_INHERITABLE] = "inheritable",
          [CAP_SET_PERMITTED] = "permitted", [CAP_SET_AMBIENT] = "ambient" };
  for (int s = 0; s < CAP_SET__COUNT; s++)
    {
      const json_value *a;
      size_t n, saved;
      if (rd_array_of (c, obj, sets[s], JSON_STRING, &a, &n) < 0)
        return -1;
      if (a == NULL)
        continue;
      caps->present[s] = true;
      free (caps->caps[s]);
      caps->caps[s] = xzalloc ((n ? n : 1) * sizeof (int));
      caps->n_caps[s] = 0;
      saved = spec_push_key (c, sets[s]);
      for (size_t i = 0; i < n; i++)
        {
          const char *name = json_string (json_at (a, i));
          int cap = spec_cap_from_name (name);
          bool dup = false;
          if (cap < 0)
            {
              spec_push_idx (c, i);
              return spec_fail (c, "unknown capability \"%s\"", name);
            }
          for (size_t j = 0; j < caps->n_caps[s]; j++)
            dup |= caps->caps[s][j] == cap;
          if (!dup)
            caps->caps[s][caps->n_caps[s]++] = cap;
        }
      spec_pop (c, saved);
    }
  return 0;
}

static int
parse_rlimits (struct spec_pctx *c, const json_value *obj, struct spec_process *p)
{
  const json_value *a;
  size_t n, saved;
  int x = rd_array_of (c, obj, "rlimits", JSON_OBJECT, &a, &n);
  if (x <= 0)
    return x;
  saved = spec_push_key (c, "rlimits");
  p->rlimits = xzalloc ((n ? n : 1) * sizeof *p->rlimits);
  for (size_t i = 0; i < n; i++)
    {
      const json_value *r = json_at (a, i);
      struct spec_rlimit *rl = &p->rlimits[p->n_rlimits];
      long res;
      size_t s2 = spec_push_idx (c, i);
      if (rd_name (c, r, "type", spec_rlimit_names, "rlimit", true, &res) < 0)
        return -1;
      for (size_t j = 0; j < p->n_rlimits; j++)
        if (p->rlimits[j].resource == (int) res)
          return spec_fail_at (c, "type", "duplicate rlimit \"%s\"", spec_rlimit_name ((int) res));
      rl->resource = (int) res;
      rl->name = xstrdup (spec_rlimit_name ((int) res));
      p->n_rlimits++;
      if ((x = spec_rd_u64 (c, r, "soft", UINT64_MAX, &rl->soft)) <= 0)
        return x < 0 ? -1 : spec_fail_at (c, "soft", "missing");
      if ((x = spec_rd_u64 (c, r, "hard", UINT64_MAX, &rl->hard)) <= 0)
        return x < 0 ? -1 : spec_fail_at (c, "hard", "missing");
      if (rl->soft > rl->hard)
        return spec_fail_at (c, "soft", "soft limit %llu exceeds the hard limit %llu", (unsigned long long) rl->soft,
                             (unsigned long long) rl->hard);
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 0;
}

static int
parse_scheduler (struct spec_pctx *c, const json_value *obj, struct spec_scheduler *sc)
{
  const json_value *v, *a;
  size_t saved, n;
  long policy;
  int64_t nice = 0, prio = 0;
  int r = spec_rd_type (c, obj, "scheduler", JSON_OBJECT, &v);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "scheduler");
  sc->present = true;
  if (json_string (spec_member (v, "policy")) && strcmp (json_string (spec_member (v, "policy")), "SCHED_ISO") == 0)
    return spec_fail_at (c, "policy", "SCHED_ISO is not implemented by Linux");
  if (rd_name (c, v, "policy", spec_sched_policies, "scheduler policy", true, &policy) < 0)
    return -1;
  sc->policy = (int) policy;
  if (spec_rd_i64 (c, v, "nice", INT32_MIN, INT32_MAX, &nice) < 0)
    return -1;
  if (nice < -20 || nice > 19)
    return spec_fail_at (c, "nice", "must be between -20 and 19");
  sc->nice = (int) nice;
  if (spec_rd_i64 (c, v, "priority", INT32_MIN, INT32_MAX, &prio) < 0)
    return -1;
  if (prio != 0 && policy != SCHED_FIFO && policy != SCHED_RR)
    return spec_fail_at (c, "priority", "only SCHED_FIFO and SCHED_RR take a priority");
  if ((policy == SCHED_FIFO || policy == SCHED_RR) && (prio < 1 || prio > 99))
    return spec_fail_at (c, "priority", "must be between 1 and 99 for SCHED_FIFO and SCHED_RR");
  sc->priority = (uint32_t) prio;
  if (rd_array_of (c, v, "flags", JSON_STRING, &a, &n) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      long f;
      const char *name = json_string (json_at (a, i));
      if (spec_name_lookup (spec_sched_flags, name, &f) < 0)
        {
          spec_push_key (c, "flags");
          spec_push_idx (c, i);
          return spec_fail (c, "unknown scheduler flag \"%s\"", name);
        }
      sc->flags |= (uint64_t) f;
    }
  if (spec_rd_u64 (c, v, "runtime", UINT64_MAX, &sc->runtime) < 0
      || spec_rd_u64 (c, v, "deadline", UINT64_MAX, &sc->deadline) < 0
      || spec_rd_u64 (c, v, "period", UINT64_MAX, &sc->period) < 0)
    return -1;
  if (policy != SCHED_DEADLINE && (sc->runtime || sc->deadline || sc->period))
    return spec_fail (c, "runtime, deadline and period are only for SCHED_DEADLINE");
  if (policy == SCHED_DEADLINE)
    {
      if (sc->runtime == 0)
        return spec_fail_at (c, "runtime", "SCHED_DEADLINE needs a runtime greater than zero");
      if (sc->deadline && sc->runtime > sc->deadline)
        return spec_fail_at (c, "runtime", "must not exceed the deadline");
      if (sc->period && sc->deadline > sc->period)
        return spec_fail_at (c, "deadline", "must not exceed the period");
    }
  spec_pop (c, saved);
  return 1;
}

static int
parse_user (struct spec_pctx *c, const json_value *obj, struct spec_user *u)
{
  const json_value *v, *a;
  size_t saved, n;
  uint32_t mask;
  int r = spec_rd_type (c, obj, "user", JSON_OBJECT, &v);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "user");
  if (spec_rd_u32 (c, v, "uid", &u->uid) < 0 || spec_rd_u32 (c, v, "gid", &u->gid) < 0)
    return -1;
  r = spec_rd_u32 (c, v, "umask", &mask);
  if (r < 0)
    return -1;
  if (r > 0)
    {
      if (mask > 0777)
        return spec_fail_at (c, "umask", "must be at most 0777 (511)");
      u->has_umask = true;
      u->umask = mask;
    }
  if (rd_array_of (c, v, "additionalGids", JSON_NUMBER, &a, &n) < 0)
    return -1;
  if (a)
    {
      size_t s2 = spec_push_key (c, "additionalGids");
      u->additional_gids = xzalloc ((n ? n : 1) * sizeof (uint32_t));
      for (size_t i = 0; i < n; i++)
        {
          uint64_t g;
          size_t s3 = spec_push_idx (c, i);
          if (spec_val_u64 (c, json_at (a, i), UINT32_MAX, &g) < 0)
            return -1;
          u->additional_gids[i] = (uint32_t) g;
          spec_pop (c, s3);
        }
      u->n_additional_gids = n;
      spec_pop (c, s2);
    }
  if (spec_rd_str (c, v, "username", &u->username) < 0)
    return -1;
  spec_pop (c, saved);
  return 1;
}

/* The body of a process object; c's path points at it. */
static int
parse_process_obj (struct spec_pctx *c, const json_value *v, struct spec_process *p)
{
  const json_value *o, *a;
  size_t saved, n;
  int r;
  int64_t oom;

  if (spec_rd_bool (c, v, "terminal", &p->terminal) < 0)
    return -1;
  if ((r = spec_rd_type (c, v, "consoleSize", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r > 0)
    {
      saved = spec_push_key (c, "consoleSize");
      if ((r = spec_rd_u32 (c, o, "height", &p->console_height)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "height", "missing");
      if ((r = spec_rd_u32 (c, o, "width", &p->console_width)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "width", "missing");
      p->has_console_size = true;
      spec_pop (c, saved);
    }
  if (parse_user (c, v, &p->user) < 0)
    return -1;

  /* args: a non-empty array of strings. */
  a = spec_member (v, "args");
  if (a == NULL || json_typeof (a) != JSON_ARRAY || json_len (a) == 0)
    return spec_fail_at (c, "args", "must be a non-empty array of strings");
  if (spec_rd_strv (c, v, "args", &p->args, &p->n_args) < 0)
    return -1;

  if (spec_rd_strv (c, v, "env", &p->env, &p->n_env) < 0)
    return -1;
  for (size_t i = 0; i < p->n_env; i++)
    {
      const char *eq = strchr (p->env[i], '=');
      if (eq == NULL || eq == p->env[i])
        {
          spec_push_key (c, "env");
          spec_push_idx (c, i);
          return spec_fail (c, "\"%s\" is not NAME=VALUE", p->env[i]);
        }
    }
  if ((r = spec_rd_str (c, v, "cwd", &p->cwd)) < 0)
    return -1;
  if (r == 0 || p->cwd[0] == '\0')
    return spec_fail_at (c, "cwd", "missing");
  if (require_abs (c, "cwd", p->cwd) < 0)
    return -1;

  if ((r = spec_rd_type (c, v, "capabilities", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r > 0)
    {
      saved = spec_push_key (c, "capabilities");
      if (parse_caps (c, o, &p->caps) < 0)
        return -1;
      spec_pop (c, saved);
    }
  if (parse_rlimits (c, v, p) < 0)
    return -1;
  if (spec_rd_bool (c, v, "noNewPrivileges", &p->no_new_privileges) < 0
      || spec_rd_str (c, v, "apparmorProfile", &p->apparmor_profile) < 0
      || spec_rd_str (c, v, "selinuxLabel", &p->selinux_label) < 0)
    return -1;
  if ((r = spec_rd_i64 (c, v, "oomScoreAdj", -1000, 1000, &oom)) < 0)
    return -1;
  if (r > 0)
    {
      p->has_oom_score_adj = true;
      p->oom_score_adj = (int) oom;
    }
  if (parse_scheduler (c, v, &p->scheduler) < 0)
    return -1;

  if ((r = spec_rd_type (c, v, "ioPriority", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r > 0)
    {
      long cls;
      int64_t prio = 0;
      saved = spec_push_key (c, "ioPriority");
      if (rd_name (c, o, "class", spec_ioprio_classes, "I/O priority class", true, &cls) < 0)
        return -1;
      if (spec_rd_i64 (c, o, "priority", 0, 7, &prio) < 0)
        return -1;
      p->io_priority.present = true;
      p->io_priority.class = (int) cls;
      p->io_priority.priority = (int) prio;
      spec_pop (c, saved);
    }

  if ((r = spec_rd_type (c, v, "execCPUAffinity", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r > 0)
    {
      saved = spec_push_key (c, "execCPUAffinity");
      if (spec_rd_str (c, o, "initial", &p->exec_cpu_affinity.initial) < 0
          || spec_rd_str (c, o, "final", &p->exec_cpu_affinity.final) < 0)
        return -1;
      if (p->exec_cpu_affinity.initial && !spec_valid_id_list (p->exec_cpu_affinity.initial))
        return spec_fail_at (c, "initial", "invalid CPU list \"%s\"", p->exec_cpu_affinity.initial);
      if (p->exec_cpu_affinity.final && !spec_valid_id_list (p->exec_cpu_affinity.final))
        return spec_fail_at (c, "final", "invalid CPU list \"%s\"", p->exec_cpu_affinity.final);
      spec_pop (c, saved);
    }
  (void) n;
  return 0;
}

/* ---------------------------------------------------------------- mounts, hooks */

static int
parse_mounts (struct spec_pctx *c, const json_value *doc, struct spec *s)
{
  const json_value *a;
  size_t n, saved;
  if (rd_array_of (c, doc, "mounts", JSON_OBJECT, &a, &n) < 0)
    return -1;
  if (a == NULL)
    return 0;
  saved = spec_push_key (c, "mounts");
  s->mounts = xzalloc ((n ? n : 1) * sizeof *s->mounts);
  for (size_t i = 0; i < n; i++)
    {
      const json_value *m = json_at (a, i);
      struct spec_mount *mt = &s->mounts[i];
      size_t s2 = spec_push_idx (c, i);
      int r;
      s->n_mounts = i + 1;
      if ((r = spec_rd_str (c, m, "destination", &mt->destination)) < 0)
        return -1;
      if (r == 0 || mt->destination[0] == '\0')
        return spec_fail_at (c, "destination", "missing");
      if (require_abs (c, "destination", mt->destination) < 0)
        return -1;
      if (spec_rd_str (c, m, "source", &mt->source) < 0 || spec_rd_str (c, m, "type", &mt->type) < 0
          || spec_rd_strv (c, m, "options", &mt->options, &mt->n_options) < 0)
        return -1;
      if (parse_id_mappings (c, m, "uidMappings", &mt->uid_mappings, &mt->n_uid_mappings) < 0
          || parse_id_mappings (c, m, "gidMappings", &mt->gid_mappings, &mt->n_gid_mappings) < 0)
        return -1;
      if ((mt->n_uid_mappings > 0) != (mt->n_gid_mappings > 0))
        return spec_fail_at (c, mt->n_uid_mappings ? "gidMappings" : "uidMappings",
                             "an idmapped mount needs both uidMappings and gidMappings");
      if (mt->n_uid_mappings > 0)
        {
          bool bind = mt->type && strcmp (mt->type, "bind") == 0;
          for (size_t k = 0; k < mt->n_options; k++)
            bind |= strcmp (mt->options[k], "bind") == 0 || strcmp (mt->options[k], "rbind") == 0;
          if (!bind)
            return spec_fail_at (c, "uidMappings", "idmapped mounts are only supported for bind mounts");
        }
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 0;
}

static const char *const hook_names[HOOK__COUNT] = {
  [HOOK_PRESTART] = "prestart",           [HOOK_CREATE_RUNTIME] = "createRuntime",
  [HOOK_CREATE_CONTAINER] = "createContainer", [HOOK_START_CONTAINER] = "startContainer",
  [HOOK_POSTSTART] = "poststart",         [HOOK_POSTSTOP] = "poststop",
};

static int
parse_hooks (struct spec_pctx *c, const json_value *doc, struct spec *s)
{
  const json_value *h;
  size_t saved;
  int r = spec_rd_type (c, doc, "hooks", JSON_OBJECT, &h);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "hooks");
  for (int k = 0; k < HOOK__COUNT; k++)
    {
      const json_value *a;
      size_t n, s2;
      if (rd_array_of (c, h, hook_names[k], JSON_OBJECT, &a, &n) < 0)
        return -1;
      if (a == NULL)
        continue;
      s2 = spec_push_key (c, hook_names[k]);
      s->hooks[k] = xzalloc ((n ? n : 1) * sizeof (struct spec_hook));
      for (size_t i = 0; i < n; i++)
        {
          const json_value *o = json_at (a, i);
          struct spec_hook *hk = &s->hooks[k][i];
          int64_t t;
          size_t s3 = spec_push_idx (c, i);
          s->n_hooks[k] = i + 1;
          if ((r = spec_rd_str (c, o, "path", &hk->path)) < 0)
            return -1;
          if (r == 0 || hk->path[0] == '\0')
            return spec_fail_at (c, "path", "missing");
          if (require_abs (c, "path", hk->path) < 0)
            return -1;
          if (spec_rd_strv (c, o, "args", &hk->args, NULL) < 0 || spec_rd_strv (c, o, "env", &hk->env, NULL) < 0)
            return -1;
          if ((r = spec_rd_i64 (c, o, "timeout", INT32_MIN, INT32_MAX, &t)) < 0)
            return -1;
          if (r > 0 && t <= 0)
            return spec_fail_at (c, "timeout", "must be greater than zero");
          hk->timeout = r > 0 ? (int) t : 0;
          spec_pop (c, s3);
        }
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 0;
}

/* ---------------------------------------------------------------- linux */

static int
parse_namespaces (struct spec_pctx *c, const json_value *lx, struct spec_linux *l)
{
  const json_value *a;
  size_t n, saved;
  int x = rd_array_of (c, lx, "namespaces", JSON_OBJECT, &a, &n);
  if (x <= 0)
    return x;
  saved = spec_push_key (c, "namespaces");
  for (size_t i = 0; i < n; i++)
    {
      const json_value *o = json_at (a, i);
      char *type = NULL, *path = NULL;
      int t, r;
      size_t s2 = spec_push_idx (c, i);
      if ((r = spec_rd_str (c, o, "type", &type)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "type", "missing");
      t = spec_ns_from_name (type);
      if (t < 0)
        {
          spec_fail_at (c, "type", "unknown namespace type \"%s\"", type);
          free (type);
          return -1;
        }
      if (l->ns[t].present)
        {
          spec_fail_at (c, "type", "duplicate namespace type \"%s\"", type);
          free (type);
          return -1;
        }
      free (type);
      if (spec_rd_str (c, o, "path", &path) < 0)
        return -1;
      if (path && path[0] == '\0')
        {
          free (path);
          path = NULL;
        }
      if (path && path[0] != '/')
        {
          require_abs (c, "path", path);
          free (path);
          return -1;
        }
      l->ns[t].present = true;
      l->ns[t].path = path;
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 0;
}

static int
parse_time_offsets (struct spec_pctx *c, const json_value *lx, struct spec_linux *l)
{
  const json_value *o;
  size_t saved;
  int r = spec_rd_type (c, lx, "timeOffsets", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "timeOffsets");
  for (size_t i = 0; i < json_len (o); i++)
    {
      const char *clock = json_key_at (o, i);
      const json_value *v = json_value_at (o, i);
      struct spec_time_offset *to;
      uint32_t ns = 0;
      size_t s2;
      if (strcmp (clock, "monotonic") == 0)
        to = &l->time_monotonic;
      else if (strcmp (clock, "boottime") == 0)
        to = &l->time_boottime;
      else
        return spec_fail_at (c, clock, "unknown clock (expected \"monotonic\" or \"boottime\")");
      s2 = spec_push_key (c, clock);
      if (json_typeof (v) != JSON_OBJECT)
        return spec_type_fail (c, "an object", v);
      if (spec_rd_i64 (c, v, "secs", INT64_MIN, INT64_MAX, &to->secs) < 0 || spec_rd_u32 (c, v, "nanosecs", &ns) < 0)
        return -1;
      if (ns >= 1000000000u)
        return spec_fail_at (c, "nanosecs", "must be less than 1000000000");
      to->nanosecs = ns;
      to->present = true;
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 1;
}

static int
parse_devices (struct spec_pctx *c, const json_value *lx, struct spec_linux *l)
{
  const json_value *a;
  size_t n, saved;
  if (rd_array_of (c, lx, "devices", JSON_OBJECT, &a, &n) < 0)
    return -1;
  if (a == NULL)
    return 0;
  saved = spec_push_key (c, "devices");
  l->devices = xzalloc ((n ? n : 1) * sizeof *l->devices);
  for (size_t i = 0; i < n; i++)
    {
      const json_value *o = json_at (a, i);
      struct spec_device *d = &l->devices[i];
      char *type = NULL;
      int r;
      size_t s2 = spec_push_idx (c, i);
      l->n_devices = i + 1;
      if ((r = spec_rd_str (c, o, "path", &d->path)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "path", "missing");
      if (require_abs (c, "path", d->path) < 0)
        return -1;
      if ((r = spec_rd_str (c, o, "type", &type)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "type", "missing");
      if (strlen (type) != 1 || strchr ("cbup", type[0]) == NULL)
        {
          spec_fail_at (c, "type", "unknown device type \"%s\" (expected c, b, u or p)", type);
          free (type);
          return -1;
        }
      d->type = type[0];
      free (type);
      if ((r = spec_rd_i64 (c, o, "major", 0, UINT32_MAX, &d->major)) < 0)
        return -1;
      if (r == 0 && d->type != 'p')
        return spec_fail_at (c, "major", "missing (required for type %c)", d->type);
      if ((r = spec_rd_i64 (c, o, "minor", 0, UINT32_MAX, &d->minor)) < 0)
        return -1;
      if (r == 0 && d->type != 'p')
        return spec_fail_at (c, "minor", "missing (required for type %c)", d->type);
      if ((r = spec_rd_u32 (c, o, "fileMode", &d->file_mode)) < 0)
        return -1;
      d->has_file_mode = r > 0;
      if (d->has_file_mode && d->file_mode > 07777)
        return spec_fail_at (c, "fileMode", "must be permission bits (at most 07777)");
      if ((r = spec_rd_u32 (c, o, "uid", &d->uid)) < 0)
        return -1;
      d->has_uid = r > 0;
      if ((r = spec_rd_u32 (c, o, "gid", &d->gid)) < 0)
        return -1;
      d->has_gid = r > 0;
      for (size_t j = 0; j < i; j++)
        if (strcmp (l->devices[j].path, d->path) == 0)
          return spec_fail_at (c, "path", "duplicate device \"%s\"", d->path);
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 0;
}

static bool
valid_ifname (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n >= 16 || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (; *s; s++)
    if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
      return false;
  return true;
}

static int
parse_net_devices (struct spec_pctx *c, const json_value *lx, struct spec_linux *l)
{
  const json_value *o;
  size_t saved, n;
  int r = spec_rd_type (c, lx, "netDevices", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "netDevices");
  n = json_len (o);
  l->net_devices = xzalloc ((n ? n : 1) * sizeof *l->net_devices);
  for (size_t i = 0; i < n; i++)
    {
      const char *host = json_key_at (o, i);
      const json_value *v = json_value_at (o, i);
      struct spec_net_device *d = &l->net_devices[i];
      size_t s2 = spec_push_key (c, host);
      l->n_net_devices = i + 1;
      d->host_name = xstrdup (host);
      if (!valid_ifname (host))
        return spec_fail (c, "invalid network interface name \"%s\"", host);
      if (json_typeof (v) != JSON_OBJECT)
        return spec_type_fail (c, "an object", v);
      if (spec_rd_str (c, v, "name", &d->name) < 0)
        return -1;
      if (d->name && d->name[0] == '\0')
        {
          free (d->name);
          d->name = NULL;
        }
      if (d->name && !valid_ifname (d->name))
        return spec_fail_at (c, "name", "invalid network interface name \"%s\"", d->name);
      for (size_t j = 0; j < i; j++)
        {
          const char *a = l->net_devices[j].name ? l->net_devices[j].name : l->net_devices[j].host_name;
          const char *b = d->name ? d->name : d->host_name;
          /* "net%d" is a template the kernel completes with a free number. */
          if (strcmp (a, b) == 0 && strstr (b, "%d") == NULL)
            return spec_fail (c, "two devices would be named \"%s\" in the container", b);
        }
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 1;
}

static int
parse_memory_policy (struct spec_pctx *c, const json_value *lx, struct spec_memory_policy *mp)
{
  const json_value *o, *a;
  size_t saved, n;
  long mode;
  int r = spec_rd_type (c, lx, "memoryPolicy", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "memoryPolicy");
  if (rd_name (c, o, "mode", spec_mpol_modes, "memory policy mode", true, &mode) < 0)
    return -1;
  mp->present = true;
  mp->mode = (int) mode;
  if (spec_rd_str (c, o, "nodes", &mp->nodes) < 0)
    return -1;
  if (mp->nodes && mp->nodes[0] == '\0')
    {
      free (mp->nodes);
      mp->nodes = NULL;
    }
  if (mp->nodes && !spec_valid_id_list (mp->nodes))
    return spec_fail_at (c, "nodes", "invalid node list \"%s\"", mp->nodes);
  if (rd_array_of (c, o, "flags", JSON_STRING, &a, &n) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      long f;
      const char *name = json_string (json_at (a, i));
      if (spec_name_lookup (spec_mpol_flags, name, &f) < 0)
        {
          spec_push_key (c, "flags");
          spec_push_idx (c, i);
          return spec_fail (c, "unknown memory policy flag \"%s\"", name);
        }
      mp->flags |= (unsigned) f;
    }
  {
    const char *mname = spec_name_of (spec_mpol_modes, mode);
    bool no_nodes = strcmp (mname, "MPOL_DEFAULT") == 0 || strcmp (mname, "MPOL_LOCAL") == 0;
    bool needs_nodes = !no_nodes && strcmp (mname, "MPOL_PREFERRED") != 0;
    long fstatic = 0, frel = 0;
    spec_name_lookup (spec_mpol_flags, "MPOL_F_STATIC_NODES", &fstatic);
    spec_name_lookup (spec_mpol_flags, "MPOL_F_RELATIVE_NODES", &frel);
    if (no_nodes && mp->nodes)
      return spec_fail_at (c, "nodes", "must be empty for %s", mname);
    if (no_nodes && mp->flags)
      return spec_fail_at (c, "flags", "must be empty for %s", mname);
    if (needs_nodes && mp->nodes == NULL)
      return spec_fail_at (c, "nodes", "required for %s", mname);
    long fbal = 0;
    spec_name_lookup (spec_mpol_flags, "MPOL_F_NUMA_BALANCING", &fbal);
    if ((mp->flags & (unsigned) fstatic) && (mp->flags & (unsigned) frel))
      return spec_fail_at (c, "flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are mutually exclusive");
    if ((mp->flags & (unsigned) fbal) && strcmp (mname, "MPOL_BIND") != 0 && strcmp (mname, "MPOL_PREFERRED_MANY") != 0)
      return spec_fail_at (c, "flags", "MPOL_F_NUMA_BALANCING needs MPOL_BIND or MPOL_PREFERRED_MANY");
  }
  spec_pop (c, saved);
  return 1;
}

static int
parse_personality (struct spec_pctx *c, const json_value *lx, struct spec_linux *l)
{
  const json_value *o;
  size_t saved;
  long dom;
  int r = spec_rd_type (c, lx, "personality", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "personality");
  if (rd_name (c, o, "domain", spec_personality_domains, "personality domain", true, &dom) < 0)
    return -1;
  l->has_personality = true;
  l->personality = (unsigned long) dom;
  if (spec_rd_strv (c, o, "flags", &l->personality_flags, &l->n_personality_flags) < 0)
    return -1;
  /* runtime-spec defines no flag names yet; refuse what would be silently ignored. */
  if (l->n_personality_flags > 0)
    {
      spec_push_key (c, "flags");
      spec_push_idx (c, 0);
      return spec_fail (c, "unsupported personality flag \"%s\"", l->personality_flags[0]);
    }
  spec_pop (c, saved);
  return 1;
}

static bool
action_takes_errno (uint32_t act)
{
  long e = 0, t = 0;
  spec_name_lookup (spec_seccomp_actions, "SCMP_ACT_ERRNO", &e);
  spec_name_lookup (spec_seccomp_actions, "SCMP_ACT_TRACE", &t);
  return act == (uint32_t) e || act == (uint32_t) t;
}

static int
parse_seccomp (struct spec_pctx *c, const json_value *lx, struct spec_linux *l)
{
  const json_value *o, *a;
  size_t saved, n;
  long act, notify = 0;
  struct spec_seccomp *sc;
  int r = spec_rd_type (c, lx, "seccomp", JSON_OBJECT, &o);
  bool uses_notify = false;
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "seccomp");
  sc = l->seccomp = xzalloc (sizeof *sc);
  spec_name_lookup (spec_seccomp_actions, "SCMP_ACT_NOTIFY", &notify);
  if (rd_name (c, o, "defaultAction", spec_seccomp_actions, "seccomp action", true, &act) < 0)
    return -1;
  sc->default_action = (uint32_t) act;
  if (act == notify)
    return spec_fail_at (c, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  if ((r = spec_rd_u32 (c, o, "defaultErrnoRet", &sc->default_errno_ret)) < 0)
    return -1;
  sc->has_default_errno_ret = r > 0;
  if (r > 0 && !action_takes_errno (sc->default_action))
    return spec_fail_at (c, "defaultErrnoRet", "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno");
  if (spec_rd_strv (c, o, "architectures", &sc->architectures, &sc->n_architectures) < 0)
    return -1;
  for (size_t i = 0; i < sc->n_architectures; i++)
    if (spec_name_lookup (spec_seccomp_archs, sc->architectures[i], NULL) < 0)
      {
        spec_push_key (c, "architectures");
        spec_push_idx (c, i);
        return spec_fail (c, "unknown seccomp architecture \"%s\"", sc->architectures[i]);
      }
  if (spec_rd_strv (c, o, "flags", &sc->flags, &sc->n_flags) < 0)
    return -1;
  for (size_t i = 0; i < sc->n_flags; i++)
    if (spec_name_lookup (spec_seccomp_flags, sc->flags[i], NULL) < 0)
      {
        spec_push_key (c, "flags");
        spec_push_idx (c, i);
        return spec_fail (c, "unknown seccomp flag \"%s\"", sc->flags[i]);
      }
  if (spec_rd_str (c, o, "listenerPath", &sc->listener_path) < 0
      || spec_rd_str (c, o, "listenerMetadata", &sc->listener_metadata) < 0)
    return -1;
  if (rd_array_of (c, o, "syscalls", JSON_OBJECT, &a, &n) < 0)
    return -1;
  if (a)
    {
      size_t s2 = spec_push_key (c, "syscalls");
      sc->syscalls = xzalloc ((n ? n : 1) * sizeof *sc->syscalls);
      for (size_t i = 0; i < n; i++)
        {
          const json_value *so = json_at (a, i), *args;
          struct spec_seccomp_syscall *sy = &sc->syscalls[i];
          size_t s3 = spec_push_idx (c, i), na;
          sc->n_syscalls = i + 1;
          if ((r = spec_rd_strv (c, so, "names", &sy->names, &sy->n_names)) < 0)
            return -1;
          if (r == 0 || sy->n_names == 0)
            return spec_fail_at (c, "names", "must be a non-empty array of strings");
          if (rd_name (c, so, "action", spec_seccomp_actions, "seccomp action", true, &act) < 0)
            return -1;
          sy->action = (uint32_t) act;
          uses_notify |= act == notify;
          if ((r = spec_rd_u32 (c, so, "errnoRet", &sy->errno_ret)) < 0)
            return -1;
          sy->has_errno_ret = r > 0;
          if (r > 0 && !action_takes_errno (sy->action))
            return spec_fail_at (c, "errnoRet", "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno");
          if (rd_array_of (c, so, "args", JSON_OBJECT, &args, &na) < 0)
            return -1;
          if (args)
            {
              size_t s4 = spec_push_key (c, "args");
              sy->args = xzalloc ((na ? na : 1) * sizeof *sy->args);
              sy->n_args = na;
              for (size_t k = 0; k < na; k++)
                {
                  const json_value *ao = json_at (args, k);
                  struct spec_seccomp_arg *ar = &sy->args[k];
                  uint64_t idx;
                  long op;
                  size_t s5 = spec_push_idx (c, k);
                  if ((r = spec_rd_u64 (c, ao, "index", 5, &idx)) <= 0)
                    return r < 0 ? -1 : spec_fail_at (c, "index", "missing");
                  ar->index = (unsigned) idx;
                  if ((r = spec_rd_u64 (c, ao, "value", UINT64_MAX, &ar->value)) <= 0)
                    return r < 0 ? -1 : spec_fail_at (c, "value", "missing");
                  if (spec_rd_u64 (c, ao, "valueTwo", UINT64_MAX, &ar->value_two) < 0)
                    return -1;
                  if (rd_name (c, ao, "op", spec_seccomp_operators, "seccomp operator", true, &op) < 0)
                    return -1;
                  ar->op = (int) op;
                  spec_pop (c, s5);
                }
              spec_pop (c, s4);
            }
          spec_pop (c, s3);
        }
      spec_pop (c, s2);
    }
  if (uses_notify && (sc->listener_path == NULL || sc->listener_path[0] == '\0'))
    return spec_fail_at (c, "listenerPath", "required when a rule uses SCMP_ACT_NOTIFY");
  spec_pop (c, saved);
  return 1;
}

static int
parse_propagation (struct spec_pctx *c, const char *key, const char *v, unsigned long *flags)
{
  static const struct
  {
    const char *name;
    unsigned long flags;
  } t[] = {
    { "shared", MS_SHARED },           { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE },             { "rslave", MS_SLAVE | MS_REC },
    { "private", MS_PRIVATE },         { "rprivate", MS_PRIVATE | MS_REC },
    { "unbindable", MS_UNBINDABLE },   { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp (t[i].name, v) == 0)
      {
        *flags = t[i].flags;
        return 0;
      }
  return spec_fail_at (c, key, "unknown propagation \"%s\"", v);
}

/* sysctls that are namespaced, and which namespace they need (runc's rules).  Keys may be
 * written with '/' as well as '.'; -2 for a key that tries to leave /proc/sys. */
static int
sysctl_namespace (const char *raw)
{
  char key[256];
  size_t n = strlen (raw);
  if (n == 0 || n >= sizeof key)
    return -2;
  for (size_t i = 0; i <= n; i++)
    key[i] = raw[i] == '/' ? '.' : raw[i];
  if (key[0] == '.' || key[n - 1] == '.' || strstr (raw, "/../") || strstr (raw, "/./") || str_has_prefix (raw, "../")
      || str_has_suffix (raw, "/..") || strcmp (raw, "..") == 0)
    return -2;
  static const char *const ipc_keys[]
      = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
          "kernel.shmmni", "kernel.shm_rmid_forced" };
  for (size_t i = 0; i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
    if (strcmp (key, ipc_keys[i]) == 0)
      return NS_IPC;
  if (str_has_prefix (key, "fs.mqueue."))
    return NS_IPC;
  if (str_has_prefix (key, "net."))
    return NS_NET;
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    return NS_UTS;
  return -1;
}

static int
parse_linux (struct spec_pctx *c, const json_value *lx, struct spec *s)
{
  struct spec_linux *l = &s->linux_;
  const json_value *o;
  int r;

  if (parse_namespaces (c, lx, l) < 0)
    return -1;
  if (parse_id_mappings (c, lx, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0
      || parse_id_mappings (c, lx, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0)
    return -1;
  if (parse_time_offsets (c, lx, l) < 0)
    return -1;
  if (parse_devices (c, lx, l) < 0)
    return -1;
  if (spec_rd_str (c, lx, "cgroupsPath", &l->cgroups_path) < 0)
    return -1;
  if ((r = spec_rd_type (c, lx, "resources", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r > 0)
    {
      size_t saved = spec_push_key (c, "resources");
      r = spec_parse_resources (o, c->origin, c->path, &l->resources, c->err);
      spec_pop (c, saved);
      if (r < 0)
        return -1;
      l->has_resources = true;
    }
  if ((r = spec_rd_str (c, lx, "rootfsPropagation", &l->rootfs_propagation)) < 0)
    return -1;
  if (r > 0 && l->rootfs_propagation[0] == '\0')
    {
      free (l->rootfs_propagation);
      l->rootfs_propagation = NULL;
    }
  if (l->rootfs_propagation
      && parse_propagation (c, "rootfsPropagation", l->rootfs_propagation, &l->rootfs_propagation_flags) < 0)
    return -1;
  if (spec_rd_strv (c, lx, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0
      || spec_rd_strv (c, lx, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths) < 0)
    return -1;
  for (int k = 0; k < 2; k++)
    {
      char **v = k ? l->readonly_paths : l->masked_paths;
      size_t n = k ? l->n_readonly_paths : l->n_masked_paths;
      for (size_t i = 0; i < n; i++)
        if (v[i][0] != '/')
          {
            spec_push_key (c, k ? "readonlyPaths" : "maskedPaths");
            spec_push_idx (c, i);
            return spec_fail (c, "must be an absolute path, not \"%s\"", v[i]);
          }
    }
  if (spec_rd_str (c, lx, "mountLabel", &l->mount_label) < 0)
    return -1;
  if (spec_rd_kv (c, lx, "sysctl", &l->sysctl, &l->n_sysctl) < 0)
    return -1;
  if (parse_seccomp (c, lx, l) < 0)
    return -1;
  if (parse_personality (c, lx, l) < 0)
    return -1;
  if ((r = spec_rd_type (c, lx, "intelRdt", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r > 0)
    {
      spec_rd_str (c, o, "closID", &l->intel_rdt_clos_id);
      return spec_fail_at (c, "intelRdt", "Intel RDT is not supported by cnfrun");
    }
  if (parse_net_devices (c, lx, l) < 0)
    return -1;
  if (parse_memory_policy (c, lx, &l->memory_policy) < 0)
    return -1;
  return 0;
}

/* Rules that tie several members together, checked once everything parsed. */
static int
cross_checks (struct spec_pctx *c, struct spec *s)
{
  struct spec_linux *l = &s->linux_;
  size_t saved;

  if (s->hostname && s->hostname[0] && !l->ns[NS_UTS].present)
    return spec_fail_at (c, "hostname", "cannot set the hostname without a new UTS namespace");
  if (s->domainname && s->domainname[0] && !l->ns[NS_UTS].present)
    return spec_fail_at (c, "domainname", "cannot set the domainname without a new UTS namespace");

  saved = spec_push_key (c, "linux");
  if (l->ns[NS_USER].present && l->ns[NS_USER].path == NULL)
    {
      if (l->n_uid_mappings == 0)
        return spec_fail_at (c, "uidMappings", "required when a new user namespace is created");
      if (l->n_gid_mappings == 0)
        return spec_fail_at (c, "gidMappings", "required when a new user namespace is created");
    }
  if (!l->ns[NS_USER].present && (l->n_uid_mappings || l->n_gid_mappings))
    return spec_fail_at (c, l->n_uid_mappings ? "uidMappings" : "gidMappings",
                         "mappings given but linux.namespaces has no user namespace");
  if (l->time_monotonic.present || l->time_boottime.present)
    {
      if (!l->ns[NS_TIME].present)
        return spec_fail_at (c, "timeOffsets", "requires a time namespace in linux.namespaces");
      if (l->ns[NS_TIME].path)
        return spec_fail_at (c, "timeOffsets", "cannot be set when joining an existing time namespace");
    }
  if ((l->n_masked_paths || l->n_readonly_paths) && !l->ns[NS_MNT].present)
    return spec_fail_at (c, l->n_masked_paths ? "maskedPaths" : "readonlyPaths",
                         "requires a mount namespace in linux.namespaces");
  if (l->n_net_devices && (!l->ns[NS_NET].present))
    return spec_fail_at (c, "netDevices", "requires a network namespace in linux.namespaces");
  for (size_t i = 0; i < l->n_sysctl; i++)
    {
      int ns = sysctl_namespace (l->sysctl[i].key);
      size_t s2 = spec_push_key (c, "sysctl");
      if (ns == -2)
        return spec_fail_at (c, l->sysctl[i].key, "invalid sysctl name");
      if (ns < 0)
        return spec_fail_at (c, l->sysctl[i].key, "sysctl \"%s\" is not namespaced: refusing to change the host",
                             l->sysctl[i].key);
      if (!l->ns[ns].present)
        return spec_fail_at (c, l->sysctl[i].key, "needs a %s namespace in linux.namespaces", spec_ns_name (ns));
      if (ns == NS_UTS && strcmp (l->sysctl[i].key + 7, "hostname") == 0)
        return spec_fail_at (c, l->sysctl[i].key, "not allowed: set .hostname instead");
      spec_pop (c, s2);
    }
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      const struct spec_mount *m = &s->mounts[i];
      for (size_t k = 0; k < m->n_options; k++)
        if ((strcmp (m->options[k], "idmap") == 0 || strcmp (m->options[k], "ridmap") == 0) && m->n_uid_mappings == 0
            && !l->ns[NS_USER].present)
          {
            spec_pop (c, saved);
            spec_push_key (c, "mounts");
            spec_push_idx (c, i);
            spec_push_key (c, "options");
            spec_push_idx (c, k);
            return spec_fail (c, "\"%s\" without uidMappings/gidMappings needs a user namespace", m->options[k]);
          }
    }
  spec_pop (c, saved);
  return 0;
}

/* ---------------------------------------------------------------- entry points */

static int
check_oci_version (struct spec_pctx *c, const char *v)
{
  const char *p = v;
  unsigned long major;
  char *end;
  if (*p < '0' || *p > '9')
    return spec_fail_at (c, "ociVersion", "\"%s\" is not a semantic version", v);
  errno = 0;
  major = strtoul (p, &end, 10);
  if (errno || *end != '.' || end[1] < '0' || end[1] > '9')
    return spec_fail_at (c, "ociVersion", "\"%s\" is not a semantic version", v);
  if (major != 1)
    return spec_fail_at (c, "ociVersion", "unsupported version \"%s\": cnfrun implements 1.x (up to 1.3.0)", v);
  return 0;
}

static int
parse_doc (struct spec_pctx *c, const json_value *doc, struct spec *s)
{
  const json_value *o;
  int r;

  if (json_typeof (doc) != JSON_OBJECT)
    return spec_type_fail (c, "an object", doc);
  if ((r = spec_rd_str (c, doc, "ociVersion", &s->oci_version)) < 0)
    return -1;
  if (r == 0)
    return spec_fail_at (c, "ociVersion", "missing");
  if (check_oci_version (c, s->oci_version) < 0)
    return -1;

  if ((r = spec_rd_type (c, doc, "root", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r == 0)
    return spec_fail_at (c, "root", "missing");
  {
    size_t saved = spec_push_key (c, "root");
    if ((r = spec_rd_str (c, o, "path", &s->root_path)) < 0)
      return -1;
    if (r == 0 || s->root_path[0] == '\0')
      return spec_fail_at (c, "path", "missing");
    if (spec_rd_bool (c, o, "readonly", &s->root_readonly) < 0)
      return -1;
    spec_pop (c, saved);
  }

  if ((r = spec_rd_type (c, doc, "process", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r == 0)
    return spec_fail_at (c, "process", "missing");
  {
    size_t saved = spec_push_key (c, "process");
    if (parse_process_obj (c, o, &s->process) < 0)
      return -1;
    s->has_process = true;
    spec_pop (c, saved);
  }

  if (spec_rd_str (c, doc, "hostname", &s->hostname) < 0 || spec_rd_str (c, doc, "domainname", &s->domainname) < 0)
    return -1;
  /* sethostname(2)/setdomainname(2) take at most 64 bytes. */
  if (s->hostname && strlen (s->hostname) > 64)
    return spec_fail_at (c, "hostname", "longer than 64 bytes");
  if (s->domainname && strlen (s->domainname) > 64)
    return spec_fail_at (c, "domainname", "longer than 64 bytes");
  if (parse_mounts (c, doc, s) < 0 || parse_hooks (c, doc, s) < 0)
    return -1;
  if (spec_rd_kv (c, doc, "annotations", &s->annotations, &s->n_annotations) < 0)
    return -1;
  for (size_t i = 0; i < s->n_annotations; i++)
    if (s->annotations[i].key[0] == '\0')
      return spec_fail_at (c, "annotations", "keys must not be empty");

  if ((r = spec_rd_type (c, doc, "linux", JSON_OBJECT, &o)) < 0)
    return -1;
  if (r > 0)
    {
      size_t saved = spec_push_key (c, "linux");
      if (parse_linux (c, o, s) < 0)
        return -1;
      s->has_linux = true;
      spec_pop (c, saved);
    }
  if (cross_checks (c, s) < 0)
    return -1;
  /* What only libseccomp knows (architectures and flags of this build, errno ranges). */
  return seccomp_validate (s->linux_.seccomp, c->origin, c->err);
}

static int
load_parsed (const char *origin, json_value *doc, struct spec **out, cnf_err *err)
{
  struct spec_pctx c;
  struct spec *s = xzalloc (sizeof *s);
  s->doc = doc;
  spec_pctx_init (&c, origin, NULL, err);
  if (parse_doc (&c, doc, s) < 0)
    {
      spec_free (s);
      *out = NULL;
      return -1;
    }
  *out = s;
  return 0;
}

int
spec_load_buf (const char *origin, const char *buf, size_t len, struct spec **out, cnf_err *err)
{
  char eb[256];
  json_value *doc;
  *out = NULL;
  doc = json_parse (buf, len, eb, sizeof eb);
  if (doc == NULL)
    return cnf_err_set (err, 0, "%s: %s", origin ? origin : "config.json", eb);
  return load_parsed (origin ? origin : "config.json", doc, out, err);
}

static const char *
base_name (const char *path)
{
  const char *b = strrchr (path, '/');
  return b ? b + 1 : path;
}

int
spec_load_file (const char *path, struct spec **out, cnf_err *err)
{
  char eb[256];
  json_value *doc;
  *out = NULL;
  doc = json_parse_file (path, eb, sizeof eb);
  if (doc == NULL)
    return cnf_err_set (err, 0, "%s: %s", base_name (path), eb);
  return load_parsed (base_name (path), doc, out, err);
}

int
spec_load_process_file (const char *path, struct spec_process *out, cnf_err *err)
{
  char eb[256];
  struct spec_pctx c;
  json_value *doc;
  int r;
  memset (out, 0, sizeof *out);
  doc = json_parse_file (path, eb, sizeof eb);
  if (doc == NULL)
    return cnf_err_set (err, 0, "%s: %s", path, eb);
  spec_pctx_init (&c, path, NULL, err);
  if (json_typeof (doc) != JSON_OBJECT)
    r = spec_type_fail (&c, "an object", doc);
  else
    r = parse_process_obj (&c, doc, out);
  json_free (doc);
  if (r < 0)
    {
      spec_process_free (out);
      return -1;
    }
  return 0;
}
