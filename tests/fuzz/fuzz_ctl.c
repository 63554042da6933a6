/* fuzz_ctl.c — netplugd's control requests: each input line is one request, handled by
 * np_ctl_handle() as the control socket does (ctl.c dispatch, model.c validation and
 * mutations, validate.c), against a data plane that does nothing (netplugd_fake.c).  Every
 * reply must be one JSON object with a boolean "ok"; every input starts and ends with no ports
 * and no networks. */
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplug/netplugd/netplugd.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static char sockdir[] = "/tmp/netplugd-fuzz-XXXXXX";

static void
remove_sockdir (void)
{
  rm_rf_at (AT_FDCWD, sockdir, NULL);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* port-add creates the socket's directory: keep that inside a private temp dir */
  if (!mkdtemp (sockdir))
    abort ();
  atexit (remove_sockdir);
  np.cfg.socket_dir = sockdir;
  np.nworkers = 2;
  log_init (NULL, LOG_FMT_TEXT, LOG_LVL_ERROR, NULL); /* refusals are logged at info */
  return 0;
}

static void
reset (void)
{
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    if (np.ports[i])
      assert (np_port_del (np.ports[i]->name, NULL) == 0);
  for (unsigned i = 0; i < NP_MAX_NETWORKS; i++)
    if (np.nets[i])
      assert (np_net_del (np.nets[i]->name, NULL) == 0);
  assert (np.nports == 0 && np.nnets == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  while (size > 0)
    {
      const char *nl = memchr (text, '\n', size);
      size_t l = nl ? (size_t) (nl - text) : size, olen = 0;
      char *out = np_ctl_handle (text, l, &olen);
      json_value *reply = json_parse (out, olen, NULL, 0);
      bool ok;
      assert (reply && json_typeof (reply) == JSON_OBJECT);
      assert (json_get_bool (json_get (reply, "ok"), &ok) == 0);
      assert (ok ? json_get (reply, "result") != NULL : json_string (json_get (json_get (reply, "error"), "msg")) != NULL);
      json_free (reply);
      free (out);
      text += l + (nl != NULL);
      size -= l + (nl != NULL);
    }
  reset ();
  return 0;
}
