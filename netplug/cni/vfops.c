/* vfops.c — backend choice and the apply/restore sequence shared by every backend. */
#include <string.h>
#include "lib/util.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/vfops.h"

int
vf_open (struct vf_handle *vh, cnf_err *err)
{
  const char *sel = getenv ("NETPLUG_VFOPS");
  memset (vh, 0, sizeof (*vh));
  if (sel && str_has_prefix (sel, "fake:"))
    {
      vh->ops = &vf_ops_fake;
      vh->h = vf_fake_open (sel + 5, err);
      return vh->h ? 0 : -1;
    }
  if (sel && *sel && strcmp (sel, "netlink") != 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "NETPLUG_VFOPS: unknown backend '%s'", sel);
  vh->ops = &vf_ops_netlink;
  vh->h = NULL;
  return 0;
}

void
vf_close (struct vf_handle *vh)
{
  if (vh->ops && vh->ops->close)
    vh->ops->close (vh->h);
  memset (vh, 0, sizeof (*vh));
}

enum { STEP_MAC, STEP_VLAN, STEP_SPOOF, STEP_TRUST, STEP_LINK, STEP_RATE, N_STEPS };

static bool
wanted (const struct vf_want *w, int step)
{
  switch (step)
    {
    case STEP_MAC: return w->mac;
    case STEP_VLAN: return w->vlan;
    case STEP_SPOOF: return w->spoofchk;
    case STEP_TRUST: return w->trust;
    case STEP_LINK: return w->link_state;
    case STEP_RATE: return w->rate;
    }
  return false;
}

static int
do_step (struct vf_handle *vh, const char *pf, int vf, int step, const struct vf_state *s, cnf_err *err)
{
  const struct vf_ops *o = vh->ops;
  switch (step)
    {
    case STEP_MAC: return o->set_mac (vh->h, pf, vf, s->mac, err);
    case STEP_VLAN: return o->set_vlan (vh->h, pf, vf, s->vlan, s->qos, s->proto ? s->proto : 0x8100, err);
    case STEP_SPOOF: return s->spoofchk < 0 ? 0 : o->set_spoofchk (vh->h, pf, vf, s->spoofchk, err);
    case STEP_TRUST: return s->trust < 0 ? 0 : o->set_trust (vh->h, pf, vf, s->trust, err);
    case STEP_LINK: return o->set_link_state (vh->h, pf, vf, s->link_state, err);
    case STEP_RATE: return o->set_rate (vh->h, pf, vf, s->min_tx_rate, s->max_tx_rate, err);
    }
  return 0;
}

int
vf_apply (struct vf_handle *vh, const char *pf, int vf, const struct vf_want *want, const struct vf_state *saved,
          cnf_err *err)
{
  for (int s = 0; s < N_STEPS; s++)
    {
      if (!wanted (want, s))
        continue;
      if (do_step (vh, pf, vf, s, &want->v, err) < 0)
        {
          for (int u = s - 1; u >= 0; u--)
            if (wanted (want, u))
              {
                cnf_err ignore = NULL;
                do_step (vh, pf, vf, u, saved, &ignore);
                cnf_err_free (&ignore);
              }
          return cnf_err_wrap (err, "VF %d of %s", vf, pf);
        }
    }
  return 0;
}

int
vf_restore (struct vf_handle *vh, const char *pf, int vf, const struct vf_want *want, const struct vf_state *saved,
            cnf_err *err)
{
  int ret = 0;
  for (int s = N_STEPS - 1; s >= 0; s--)
    if (wanted (want, s) && do_step (vh, pf, vf, s, saved, err) < 0)
      ret = -1;
  return ret;
}
