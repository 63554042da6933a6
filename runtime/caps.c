/* caps.c — apply process.capabilities (see caps.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "caps.h"
#include "../lib/util.h"

static const char *const set_names[CAP_SET__COUNT] = { "bounding", "effective", "inheritable", "permitted", "ambient" };

int
caps_last_cap (void)
{
  static int last = -1;
  if (last < 0)
    {
      /* cap_max_bits() asks the kernel (PR_CAPBSET_READ probing / cap_last_cap). */
      last = (int) cap_max_bits () - 1;
      if (last < 0)
        last = CAP_LAST_CAP;
    }
  return last;
}

/* "CAP_NET_ADMIN" from libcap's table (a number for one libcap does not know). */
static const char *
cap_label (int cap, char *buf, size_t len)
{
  char *n = cap_to_name ((cap_value_t) cap);
  size_t i;
  if (n && strncmp (n, "cap_", 4) == 0)
    {
      for (i = 0; n[i] && i + 1 < len; i++)
        buf[i] = (char) toupper ((unsigned char) n[i]);
      buf[i] = '\0';
    }
  else
    snprintf (buf, len, "capability %d", cap);
  cap_free (n);
  return buf;
}

int
caps_validate (const struct spec_caps *c, cnf_err *err)
{
  int last = caps_last_cap ();
  int s;
  size_t i;
  for (s = 0; s < CAP_SET__COUNT; s++)
    for (i = 0; i < c->n_caps[s]; i++)
      if (c->caps[s][i] < 0 || c->caps[s][i] > last)
        {
          char buf[48];
          return cnf_err_set (err, 0, "capabilities.%s: %s is not known to the running kernel (last is %d)",
                              set_names[s], cap_label (c->caps[s][i], buf, sizeof buf), last);
        }
  return 0;
}

static bool
in_set (const struct spec_caps *c, int set, int cap)
{
  size_t i;
  for (i = 0; i < c->n_caps[set]; i++)
    if (c->caps[set][i] == cap)
      return true;
  return false;
}

int
caps_apply (const struct spec_caps *c, cnf_err *err)
{
  int last, cap;
  size_t i;
  cap_t cur = NULL, want = NULL;
  int ret = -1;

  if (caps_validate (c, err) < 0)
    return -1;
  last = caps_last_cap ();

  /* After setresuid() with keepcaps the effective set is empty: raise it back from the
   * permitted set so that CAP_SETPCAP is available for the bounding-set drops. */
  cur = cap_get_proc ();
  if (cur == NULL)
    return cnf_err_set (err, errno, "capabilities: read the current sets");
  {
    cap_value_t v;
    for (v = 0; v <= last; v++)
      {
        cap_flag_value_t fv = CAP_CLEAR;
        if (cap_get_flag (cur, v, CAP_PERMITTED, &fv) == 0 && fv == CAP_SET)
          cap_set_flag (cur, CAP_EFFECTIVE, 1, &v, CAP_SET);
      }
    if (cap_set_proc (cur) < 0)
      {
        cnf_err_set (err, errno, "capabilities: raise the effective set");
        goto out;
      }
  }

  for (cap = 0; cap <= last; cap++)
    {
      if (in_set (c, CAP_SET_BOUNDING, cap))
        continue;
      if (cap_drop_bound ((cap_value_t) cap) < 0 && errno != EINVAL)
        {
          char buf[48];
          cnf_err_set (err, errno, "capabilities: drop %s from the bounding set", cap_label (cap, buf, sizeof buf));
          goto out;
        }
    }

  want = cap_init ();
  if (want == NULL)
    {
      cnf_err_set (err, errno, "capabilities: cap_init");
      goto out;
    }
  {
    static const struct { int set; cap_flag_t flag; } map[] = {
      { CAP_SET_EFFECTIVE, CAP_EFFECTIVE }, { CAP_SET_PERMITTED, CAP_PERMITTED }, { CAP_SET_INHERITABLE, CAP_INHERITABLE },
    };
    size_t m;
    for (m = 0; m < sizeof map / sizeof map[0]; m++)
      for (i = 0; i < c->n_caps[map[m].set]; i++)
        {
          cap_value_t v = (cap_value_t) c->caps[map[m].set][i];
          if (cap_set_flag (want, map[m].flag, 1, &v, CAP_SET) < 0)
            {
              cnf_err_set (err, errno, "capabilities: cap_set_flag");
              goto out;
            }
        }
  }
  if (cap_set_proc (want) < 0)
    {
      cnf_err_set (err, errno, "capabilities: set effective/permitted/inheritable (effective must be within permitted)");
      goto out;
    }

  /* Ambient last: each one must already be permitted and inheritable. */
  if (cap_reset_ambient () < 0 && errno != EINVAL)
    {
      cnf_err_set (err, errno, "capabilities: clear the ambient set");
      goto out;
    }
  for (i = 0; i < c->n_caps[CAP_SET_AMBIENT]; i++)
    {
      int v = c->caps[CAP_SET_AMBIENT][i];
      if (cap_set_ambient ((cap_value_t) v, CAP_SET) < 0)
        {
          char buf[48];
          cnf_err_set (err, errno, "capabilities: raise ambient %s (it must also be permitted and inheritable)",
                       cap_label (v, buf, sizeof buf));
          goto out;
        }
    }
  ret = 0;
out:
  if (cur)
    cap_free (cur);
  if (want)
    cap_free (want);
  return ret;
}
