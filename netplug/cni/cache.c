/* cache.c — attachment cache and device locks (see cache.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/util.h"
#include "netplug/cni/cache.h"
#include "netplug/cni/cni.h"

const char *
np_cache_dir (void)
{
  const char *d = getenv ("NETPLUG_CACHE_DIR");
  return (d && *d) ? d : "/var/lib/cni/netplug";
}

static char *
entry_name (const char *cid, const char *ifname)
{
  return xasprintf ("%s-%s.json", cid, ifname);
}

static int
open_dir (cnf_err *err)
{
  const char *d = np_cache_dir ();
  if (mkdir_p_at (AT_FDCWD, d, 0700, err) < 0)
    return cnf_err_wrap (err, "cache"), -1;
  int fd = open (d, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "open %s", d);
  return fd;
}

int
np_cache_write (json_writer *w, const char *cid, const char *ifname, const char *devinfo, const char *config,
                const char *result11, cnf_err *err)
{
  if (devinfo)
    json_w_kstr (w, "devinfo", devinfo);
  json_w_kstr (w, "config", config);
  if (result11)
    json_w_kstr (w, "result", result11);
  else
    json_w_kbool (w, "pending", true);
  json_w_obj_close (w);
  cleanup_free char *text = json_writer_steal (w, NULL);
  cleanup_close int dfd = open_dir (err);
  if (dfd < 0)
    return -1;
  cleanup_free char *name = entry_name (cid, ifname);
  size_t len = strlen (text);
  if ((result11 ? write_file_atomic_at (dfd, name, text, len, 0600, err)
                : write_file_replace_at (dfd, name, text, len, 0600, err))
      < 0)
    {
      if (*err)
        (*err)->code = CNI_ERR_IO;
      return -1;
    }
  return 0;
}

int
np_cache_read (const char *cid, const char *ifname, json_value **out, cnf_err *err)
{
  *out = NULL;
  cleanup_free char *path = xasprintf ("%s/%s-%s.json", np_cache_dir (), cid, ifname);
  char eb[256];
  if (access (path, F_OK) < 0 && errno == ENOENT)
    return 0;
  *out = json_parse_file (path, eb, sizeof eb);
  if (*out == NULL)
    return cnf_err_set_code (err, CNI_ERR_IO, 0, "cache %s: %s", path, eb);
  return 0;
}

int
np_cache_remove (const char *cid, const char *ifname)
{
  cleanup_free char *path = xasprintf ("%s/%s-%s.json", np_cache_dir (), cid, ifname);
  if (unlink (path) < 0 && errno != ENOENT)
    return -1;
  return 0;
}

int
np_cache_foreach (int (*fn) (const char *file, json_value *entry, void *arg), void *arg, cnf_err *err)
{
  cleanup_dir DIR *d = opendir (np_cache_dir ());
  if (d == NULL)
    return errno == ENOENT ? 0 : cnf_err_set_code (err, CNI_ERR_IO, errno, "opendir %s", np_cache_dir ());
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (!str_has_suffix (de->d_name, ".json") || de->d_name[0] == '.')
        continue;
      cleanup_free char *path = xasprintf ("%s/%s", np_cache_dir (), de->d_name);
      char eb[256];
      json_value *v = json_parse_file (path, eb, sizeof eb);
      if (v == NULL)
        continue;
      fn (de->d_name, v, arg);
      json_free (v);
    }
  return 0;
}

int
np_lock (const char *key, cnf_err *err)
{
  cleanup_free char *dir = xasprintf ("%s/locks", np_cache_dir ());
  if (mkdir_p_at (AT_FDCWD, dir, 0700, err) < 0)
    return -1;
  cleanup_free char *path = xasprintf ("%s/%s.lock", dir, key);
  for (char *p = path + strlen (dir) + 1; *p; p++)
    if (*p == '/')
      *p = '_';
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "open %s", path);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return cnf_err_set_code (err, CNI_ERR_IO, e, "flock %s", path);
      }
  return fd;
}
