/* fuzz_cni.c — what netplug reads from the runtime before it touches anything: the CNI_*
 * environment and the network configuration on stdin, as netplug/cni/main.c takes them
 * (cni_env_load, np_config_parse, the prevResult an ADD starts from, the error reply).
 * Input: "NAME=VALUE" lines for the environment, an empty line, then the stdin bytes.  Only
 * the CNI_* variables of the spec are taken from the input; every input starts without them. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *const cni_vars[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH" };

/* Set the variables named in the env part ("K=V\n" lines; unknown names are ignored). */
static void
set_env (const char *env, size_t len)
{
  for (size_t i = 0; i < sizeof cni_vars / sizeof cni_vars[0]; i++)
    unsetenv (cni_vars[i]);
  while (len > 0)
    {
      const char *nl = memchr (env, '\n', len);
      size_t l = nl ? (size_t) (nl - env) : len;
      char *line = xasprintf ("%.*s", (int) l, env), *eq = strchr (line, '=');
      if (eq)
        {
          *eq = '\0';
          for (size_t i = 0; i < sizeof cni_vars / sizeof cni_vars[0]; i++)
            if (strcmp (line, cni_vars[i]) == 0)
              setenv (line, eq + 1, 1);
        }
      free (line);
      env += l + (nl != NULL);
      len -= l + (nl != NULL);
    }
}

/* VERSION: main.c answers with the asked version when it is supported. */
static void
version (const char *in, size_t len)
{
  json_value *v = json_parse (in, len, NULL, 0);
  const char *want = json_string (json_get (v, "cniVersion"));
  if (want && cni_version_supported (want))
    assert (cni_version_num (want) > 0);
  json_free (v);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data, *sep = memmem (text, size, "\n\n", 2);
  const char *in = sep ? sep + 2 : text + size;
  size_t in_len = sep ? size - (size_t) (in - text) : 0;
  struct cni_env env;
  struct np_config conf;
  cnf_err err = NULL;
  char *out;

  set_env (text, sep ? (size_t) (sep - text) : size);
  const char *cmd = getenv ("CNI_COMMAND");
  if (cmd && strcmp (cmd, "VERSION") == 0)
    {
      version (in, in_len);
      return 0;
    }
  if (cni_env_load (&env, &err) < 0)
    {
      assert (err && err->msg && err->code == CNI_ERR_INVALID_ENV);
      out = cni_error_json (NULL, err->code, err->msg, NULL);
      free (out);
      cnf_err_free (&err);
      cni_env_free (&env);
      return 0;
    }
  memset (&conf, 0, sizeof conf);
  if (np_config_parse (in, in_len, env.cmd, &conf, &err) < 0)
    {
      assert (err && err->msg);
      out = cni_error_json (conf.cni_version, err->code, err->msg, NULL);
      free (out);
      cnf_err_free (&err);
    }
  else
    {
      assert (conf.cni_version && cni_version_supported (conf.cni_version));
      if (conf.prev_result)
        { /* ADD starts its result from prevResult and answers in the config's version */
          struct cni_result r = { 0 };
          if (cni_result_from_json (conf.prev_result, &r, &err) == 0)
            {
              out = cni_result_to_string (&r, conf.cni_version);
              free (out);
              cni_result_free (&r);
            }
          cnf_err_free (&err);
        }
    }
  np_config_free (&conf);
  cni_env_free (&env);
  return 0;
}
