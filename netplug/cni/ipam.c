/* ipam.c — delegating to IPAM plugins (see ipam.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/util.h"
#include "netplug/cni/ipam.h"

static char *
find_plugin (const char *cni_path, const char *type)
{
  cleanup_free char *copy = xstrdup (cni_path);
  char *save = NULL;
  for (char *d = strtok_r (copy, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      char *p = xasprintf ("%s/%s", d, type);
      if (access (p, X_OK) == 0)
        return p;
      free (p);
    }
  return NULL;
}

int
np_plugin_exec (const char *cni_path, const char *type, enum cni_cmd cmd, const char *stdin_data, char **out,
                cnf_err *err)
{
  *out = NULL;
  cleanup_free char *bin = find_plugin (cni_path ? cni_path : "", type);
  if (bin == NULL)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "plugin '%s' not found in CNI_PATH '%s'", type, cni_path ? cni_path : "");
  int in[2], outp[2];
  if (pipe2 (in, O_CLOEXEC) < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "pipe");
  if (pipe2 (outp, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return cnf_err_set_code (err, CNI_ERR_IO, errno, "pipe");
    }
  pid_t pid = fork ();
  if (pid < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "fork");
  if (pid == 0)
    {
      dup2 (in[0], 0);
      dup2 (outp[1], 1);
      setenv ("CNI_COMMAND", cni_cmd_name (cmd), 1);
      execl (bin, type, (char *) NULL);
      _exit (127);
    }
  close (in[0]);
  close (outp[1]);
  /* The config is small (well under the pipe buffer), but write and read interleaved anyway. */
  signal (SIGPIPE, SIG_IGN);
  size_t len = strlen (stdin_data), off = 0;
  char *buf = NULL;
  size_t blen = 0;
  struct pollfd pfd[2] = { { .fd = in[1], .events = POLLOUT }, { .fd = outp[0], .events = POLLIN } };
  while (pfd[1].fd >= 0)
    {
      if (pfd[0].fd >= 0 && off == len)
        {
          close (in[1]);
          pfd[0].fd = -1;
        }
      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (pfd[0].fd >= 0 && (pfd[0].revents & (POLLOUT | POLLERR | POLLHUP)))
        {
          ssize_t n = write (in[1], stdin_data + off, len - off);
          if (n > 0)
            off += n;
          else if (n < 0 && errno != EINTR && errno != EAGAIN)
            off = len;
        }
      if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          buf = xrealloc (buf, blen + 4097);
          ssize_t n = read (outp[0], buf + blen, 4096);
          if (n > 0)
            blen += n;
          else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            {
              close (outp[0]);
              pfd[1].fd = -1;
            }
        }
    }
  if (pfd[0].fd >= 0)
    close (in[1]);
  buf = xrealloc (buf, blen + 1);
  buf[blen] = '\0';
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    {
      *out = buf;
      return 0;
    }
  char eb[128];
  json_value *e = json_parse (buf, blen, eb, sizeof eb);
  int64_t code = CNI_ERR_IPAM;
  const char *msg = NULL, *details = NULL;
  if (e)
    {
      json_get_int64 (json_get (e, "code"), &code);
      msg = json_string (json_get (e, "msg"));
      details = json_string (json_get (e, "details"));
    }
  cnf_err_set_code (err, (int) code, 0, "%s %s: %s%s%s", type, cni_cmd_name (cmd),
                    msg ? msg : (WIFEXITED (status) ? "failed without an error object" : "killed by a signal"),
                    details ? ": " : "", details ? details : "");
  json_free (e);
  free (buf);
  return -1;
}

char *
np_config_with_version (const struct np_config *c, const char *version)
{
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  for (size_t i = 0; i < json_len (c->root); i++)
    {
      const char *k = json_key_at (c->root, i);
      json_w_key (w, k);
      if (strcmp (k, "cniVersion") == 0)
        json_w_str (w, version);
      else if (strcmp (k, "prevResult") == 0 && c->prev_result)
        {
          /* The result must speak the version the config now claims. */
          struct cni_result r;
          cnf_err e = NULL;
          if (cni_result_from_json (c->prev_result, &r, &e) == 0)
            {
              cni_result_write (w, &r, version);
              cni_result_free (&r);
            }
          else
            {
              cnf_err_free (&e);
              json_w_value (w, json_value_at (c->root, i));
            }
        }
      else
        json_w_value (w, json_value_at (c->root, i));
    }
  json_w_obj_close (w);
  return json_writer_steal (w, NULL);
}

/* The newest version plugin `type` supports that is not newer than want; NULL if none. */
static const char *
negotiate (const char *cni_path, const char *type, const char *want, cnf_err *err)
{
  cleanup_free char *out = NULL;
  cleanup_free char *in = xasprintf ("{\"cniVersion\":\"%s\"}", want);
  if (np_plugin_exec (cni_path, type, CNI_CMD_VERSION, in, &out, err) < 0)
    return NULL;
  char eb[128];
  json_value *v = json_parse (out, strlen (out), eb, sizeof eb);
  const json_value *sv = json_get (v, "supportedVersions");
  const char *best = NULL;
  int wn = cni_version_num (want);
  for (size_t i = 0; cni_supported_versions[i]; i++)
    {
      int n = cni_version_num (cni_supported_versions[i]);
      if (n > wn)
        break;
      for (size_t j = 0; j < json_len (sv); j++)
        if (json_string (json_at (sv, j)) && strcmp (json_string (json_at (sv, j)), cni_supported_versions[i]) == 0)
          best = cni_supported_versions[i];
    }
  json_free (v);
  return best;
}

static int
ipam_call (const struct np_config *c, const char *cni_path, enum cni_cmd cmd, char **out, cnf_err *err)
{
  cnf_err e = NULL;
  if (cmd == CNI_CMD_GC || cmd == CNI_CMD_STATUS)
    {
      const char *v = negotiate (cni_path, c->ipam_type, c->cni_version, &e);
      if (v == NULL || strcmp (v, "1.1.0") != 0)
        {
          cnf_err_free (&e);
          *out = NULL;
          return 0; /* the plugin predates GC/STATUS: nothing to forward */
        }
    }
  if (cmd == CNI_CMD_CHECK && c->prev_result)
    {
      /* Older IPAM plugins accept a newer config on CHECK but then fail to parse its
       * prevResult: speak their version from the start. */
      const char *v = negotiate (cni_path, c->ipam_type, c->cni_version, &e);
      if (v && strcmp (v, c->cni_version) != 0)
        {
          cleanup_free char *cfg = np_config_with_version (c, v);
          cnf_err_free (&e);
          return np_plugin_exec (cni_path, c->ipam_type, cmd, cfg, out, err);
        }
      cnf_err_free (&e);
    }
  if (np_plugin_exec (cni_path, c->ipam_type, cmd, c->raw, out, &e) == 0)
    return 0;
  if (e->code != CNI_ERR_INCOMPATIBLE_VERSION)
    {
      cnf_err_move (err, &e);
      return -1;
    }
  cnf_err_free (&e);
  const char *v = negotiate (cni_path, c->ipam_type, c->cni_version, err);
  if (v == NULL)
    return cnf_err_set_code (err, CNI_ERR_INCOMPATIBLE_VERSION, 0, "ipam %s supports no version up to %s", c->ipam_type, c->cni_version);
  cleanup_free char *cfg = np_config_with_version (c, v);
  return np_plugin_exec (cni_path, c->ipam_type, cmd, cfg, out, err);
}

int
np_ipam_add (const struct np_config *c, const char *cni_path, struct cni_result *res, cnf_err *err)
{
  cleanup_free char *out = NULL;
  if (ipam_call (c, cni_path, CNI_CMD_ADD, &out, err) < 0)
    return -1;
  if (cni_result_parse (out, strlen (out), res, err) < 0)
    return cnf_err_wrap (err, "ipam %s", c->ipam_type);
  return 0;
}

int
np_ipam_run (const struct np_config *c, const char *cni_path, enum cni_cmd cmd, cnf_err *err)
{
  cleanup_free char *out = NULL;
  return ipam_call (c, cni_path, cmd, &out, err);
}
