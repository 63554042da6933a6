/* fuzz_spec.c — config.json as cnfrun reads it: spec_load_buf() parses and validates the whole
 * document (including what libseccomp checks); a refusal must carry a message, an acceptance
 * must hold what container_create relies on.  An accepted document then goes through the pure
 * builders the container init runs later (mount options, CPU and node lists, scheduler and I/O
 * priority values), which must either accept it or refuse it with a message. */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "runtime/cpuset_mask.h"
#include "runtime/mount_options.h"
#include "runtime/process.h"
#include "runtime/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* r < 0 must come with a message; frees it. */
static void
refused_cleanly (int r, cnf_err *err)
{
  assert (r >= 0 ? *err == NULL : *err != NULL && (*err)->msg != NULL);
  cnf_err_free (err);
}

static void
cpu_list (const char *list, const char *what)
{
  struct cpu_mask m = { NULL, 0, 0 };
  cnf_err err = NULL;
  if (list == NULL)
    return;
  int r = cpu_mask_parse (list, what, &m, &err);
  refused_cleanly (r, &err);
  if (r == 0)
    free (cpu_mask_format (&m));
  cpu_mask_free (&m);
}

static void
late_checks (const struct spec *s)
{
  cnf_err err = NULL;
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      struct mount_opts o;
      memset (&o, 0, sizeof o);
      refused_cleanly (mount_options_parse (s->mounts[i].options, s->mounts[i].n_options, &o, &err), &err);
      mount_opts_free (&o);
    }
  if (s->has_process)
    {
      struct process_sched_attr a;
      int v;
      if (s->process.scheduler.present)
        refused_cleanly (process_sched_attr_build (&s->process.scheduler, &a, &err), &err);
      if (s->process.io_priority.present)
        refused_cleanly (process_ioprio_value (&s->process.io_priority, &v, &err), &err);
      cpu_list (s->process.exec_cpu_affinity.initial, "execCPUAffinity.initial");
      cpu_list (s->process.exec_cpu_affinity.final, "execCPUAffinity.final");
    }
  if (s->has_linux && s->linux_.memory_policy.present)
    {
      struct process_mempolicy mp;
      refused_cleanly (process_mempolicy_build (&s->linux_.memory_policy, &mp, &err), &err);
      process_mempolicy_free (&mp);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct spec *s = NULL;
  cnf_err err = NULL;
  if (spec_load_buf ("config.json", (const char *) data, size, &s, &err) < 0)
    {
      assert (s == NULL && err != NULL && err->msg != NULL && strncmp (err->msg, "config.json: ", 13) == 0);
      cnf_err_free (&err);
      return 0;
    }
  assert (err == NULL && s != NULL);
  assert (s->root_path != NULL && s->root_path[0] != '\0');
  for (size_t i = 0; i < s->n_mounts; i++)
    assert (s->mounts[i].destination != NULL);
  if (s->has_process)
    { /* spec.h: args is NULL-terminated with >= 1 element */
      assert (s->process.args != NULL && s->process.n_args >= 1 && s->process.args[s->process.n_args] == NULL);
      for (size_t i = 0; i < s->process.n_args; i++)
        assert (s->process.args[i] != NULL);
    }
  late_checks (s);
  spec_free (s);
  return 0;
}
