/* state.c — the per-container state store (see state.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "state.h"
#include "procfs.h"
#include "../lib/util.h"

#define STATE_FILE "state.json"

static const char *const status_names[] = { "creating", "created", "running", "paused", "stopped" };

const char *
state_status_name (enum cnf_status s)
{
  return (unsigned) s <= ST_STOPPED ? status_names[s] : "unknown";
}

static int
status_from_name (const char *n)
{
  int i;
  for (i = 0; n && i <= ST_STOPPED; i++)
    if (strcmp (n, status_names[i]) == 0)
      return i;
  return ST_STOPPED;
}

int
state_check_id (const char *id, cnf_err *err)
{
  const char *p;
  size_t n = id ? strlen (id) : 0;
  if (n == 0)
    return cnf_err_set (err, EINVAL, "container id cannot be empty");
  if (n > 1024 || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return cnf_err_set (err, EINVAL, "invalid container id \"%s\"", id);
  for (p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '+'
          || *p == '-' || *p == '.'))
      return cnf_err_set (err, EINVAL, "invalid container id \"%s\": only [A-Za-z0-9_+.-] are allowed", id);
  return 0;
}

static int
open_root (const char *root, bool create, cnf_err *err)
{
  int fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create)
    {
      if (mkdir_p_at (AT_FDCWD, root, 0700, err) < 0)
        return cnf_err_wrap (err, "--root");
      fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (fd < 0)
    return cnf_err_set (err, errno, "--root: open %s", root);
  return fd;
}

static int
lock_dir (struct cnf_state *st, cnf_err *err)
{
  if (flock (st->dirfd, LOCK_EX) < 0)
    return cnf_err_set (err, errno, "lock state of container \"%s\"", st->id);
  st->lockfd = st->dirfd;
  return 0;
}

int
state_create_dir (const char *root, const char *id, struct cnf_state *st, cnf_err *err)
{
  cleanup_close int rfd = -1;
  *st = (struct cnf_state){ .dirfd = -1, .lockfd = -1 };
  if (state_check_id (id, err) < 0)
    return -1;
  rfd = open_root (root, true, err);
  if (rfd < 0)
    return -1;
  if (mkdirat (rfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return cnf_err_set (err, EEXIST, "container with id \"%s\" already exists", id);
      return cnf_err_set (err, errno, "create state dir %s/%s", root, id);
    }
  st->id = xstrdup (id);
  st->status = ST_CREATING;
  st->owner = geteuid ();
  st->dirfd = openat (rfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (st->dirfd < 0)
    {
      int e = errno;
      unlinkat (rfd, id, AT_REMOVEDIR);
      return cnf_err_set (err, e, "open state dir %s/%s", root, id);
    }
  return lock_dir (st, err);
}

/* The message clients match ("does not exist"), with ENOENT kept for callers but not printed. */
static int
not_exist (const char *id, cnf_err *err)
{
  cnf_err_set (err, 0, "container \"%s\" does not exist", id);
  if (*err)
    (*err)->sys_errno = ENOENT;
  return -1;
}

static char *
dup_str (const json_value *obj, const char *key)
{
  return xstrdup (json_string (json_get (obj, key)));
}

/* The fields of state.json.  A field that is missing or of the wrong type is left unset: the
 * callers treat unset fields as "not recorded" (delete --force must still work). */
int
state_parse (const char *buf, size_t len, struct cnf_state *st, cnf_err *err)
{
  json_value *doc, *v;
  char perr[256];
  size_t i;
  int64_t n;
  uint64_t u;

  doc = json_parse (buf, len, perr, sizeof perr);
  if (doc == NULL)
    {
      cnf_err_set (err, 0, "state of container \"%s\" is corrupt: %s", st->id ? st->id : "?", perr);
      /* Kept for callers (delete --force) but not printed. */
      if (*err)
        (*err)->sys_errno = EBADMSG;
      return -1;
    }
  if (json_get_int64 (json_get (doc, "pid"), &n) == 0)
    st->pid = (pid_t) n;
  if (json_get_uint64 (json_get (doc, "pid_start"), &u) == 0)
    st->pid_start = u;
  st->status = status_from_name (json_string (json_get (doc, "status")));
  st->bundle = dup_str (doc, "bundle");
  st->rootfs = dup_str (doc, "rootfs");
  st->created = dup_str (doc, "created");
  if (json_get_int64 (json_get (doc, "owner"), &n) == 0)
    st->owner = (uid_t) n;
  st->cgroup_path = dup_str (doc, "cgroup_path");
  json_get_bool (json_get (doc, "systemd_cgroup"), &st->systemd_cgroup);
  st->systemd_unit = dup_str (doc, "systemd_unit");
  v = json_get (doc, "netdevs");
  st->n_netdevs = json_len (v);
  if (st->n_netdevs)
    {
      st->netdevs = xzalloc (st->n_netdevs * sizeof *st->netdevs);
      for (i = 0; i < st->n_netdevs; i++)
        {
          st->netdevs[i].host_name = dup_str (json_at (v, i), "host");
          st->netdevs[i].ct_name = dup_str (json_at (v, i), "container");
        }
    }
  v = json_get (doc, "annotations");
  if (v && json_typeof (v) == JSON_OBJECT && json_len (v) > 0)
    {
      /* Keep an independent copy: re-parse the subtree's text. */
      json_writer *w = json_writer_new (false);
      size_t l;
      const char *t;
      json_w_value (w, v);
      t = json_writer_text (w, &l);
      st->annotations = json_parse (t, l, NULL, 0);
      json_writer_free (w);
    }
  json_free (doc);
  return 0;
}

static int
load (const char *root, const char *id, struct cnf_state *st, bool lock, cnf_err *err)
{
  cleanup_close int rfd = -1;
  cleanup_free char *buf = NULL;
  size_t len;

  *st = (struct cnf_state){ .dirfd = -1, .lockfd = -1 };
  if (state_check_id (id, err) < 0)
    return -1;
  rfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0 && errno == ENOENT)
    return not_exist (id, err);
  if (rfd < 0)
    return cnf_err_set (err, errno, "--root: open %s", root);
  st->dirfd = openat (rfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (st->dirfd < 0)
    {
      if (errno == ENOENT)
        return not_exist (id, err);
      return cnf_err_set (err, errno, "open state of container \"%s\"", id);
    }
  st->id = xstrdup (id);
  if (lock && lock_dir (st, err) < 0)
    goto fail;
  if (read_file_at (st->dirfd, STATE_FILE, &buf, &len, err) < 0)
    {
      if ((*err)->sys_errno == ENOENT)
        {
          /* create was interrupted before its first save: a bare "creating" container,
           * which delete --force can still remove. */
          cnf_err_free (err);
          st->status = ST_CREATING;
          return 0;
        }
      cnf_err_wrap (err, "state of container \"%s\"", id);
      goto fail;
    }
  if (state_parse (buf, len, st, err) < 0)
    goto fail;
  return 0;
fail:
  state_free (st);
  return -1;
}

int
state_load (const char *root, const char *id, struct cnf_state *st, cnf_err *err)
{
  return load (root, id, st, true, err);
}

int
state_load_nolock (const char *root, const char *id, struct cnf_state *st, cnf_err *err)
{
  return load (root, id, st, false, err);
}

int
state_save (struct cnf_state *st, cnf_err *err)
{
  json_writer *w = json_writer_new (false);
  cleanup_free char *text = NULL;
  size_t len, i;
  json_w_obj_open (w);
  json_w_kstr (w, "id", st->id);
  json_w_kint (w, "pid", st->pid);
  json_w_kuint (w, "pid_start", st->pid_start);
  json_w_kstr (w, "status", state_status_name (st->status));
  json_w_kstr (w, "bundle", st->bundle);
  json_w_kstr (w, "rootfs", st->rootfs);
  json_w_kstr (w, "created", st->created);
  json_w_kint (w, "owner", st->owner);
  json_w_kstr (w, "cgroup_path", st->cgroup_path);
  json_w_kbool (w, "systemd_cgroup", st->systemd_cgroup);
  json_w_kstr (w, "systemd_unit", st->systemd_unit);
  json_w_key (w, "netdevs");
  json_w_arr_open (w);
  for (i = 0; i < st->n_netdevs; i++)
    {
      json_w_obj_open (w);
      json_w_kstr (w, "host", st->netdevs[i].host_name);
      json_w_kstr (w, "container", st->netdevs[i].ct_name);
      json_w_obj_close (w);
    }
  json_w_arr_close (w);
  if (st->annotations)
    {
      json_w_key (w, "annotations");
      json_w_value (w, st->annotations);
    }
  json_w_obj_close (w);
  text = json_writer_steal (w, &len);
  if (write_file_replace_at (st->dirfd, STATE_FILE, text, len, 0600, err) < 0)
    return cnf_err_wrap (err, "save state of container \"%s\"", st->id);
  return 0;
}

/* Field 22 (starttime) and the state letter of /proc/<pid>/stat. */
static int
read_pid_stat (pid_t pid, unsigned long long *start, char *state)
{
  cnf_err err = NULL;
  char buf[1024], *p;
  ssize_t n;
  int fd = procfs_open (pid, "stat", O_RDONLY, &err), i;
  if (fd < 0)
    {
      cnf_err_free (&err);
      return -1;
    }
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return -1;
  p += 2;
  *state = *p;
  /* fields after ")": 3=state ... 22=starttime, i.e. 19 spaces further. */
  for (i = 0; i < 19 && p; i++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (p == NULL)
    return -1;
  *start = strtoull (p, NULL, 10);
  return 0;
}

bool
state_pid_alive (const struct cnf_state *st)
{
  unsigned long long start;
  char s;
  if (st->pid <= 0)
    return false;
  if (read_pid_stat (st->pid, &start, &s) < 0)
    return false;
  if (st->pid_start != 0 && start != st->pid_start)
    return false;
  return s != 'Z' && s != 'X';
}

unsigned long long
state_pid_start_of (pid_t pid)
{
  unsigned long long start = 0;
  char s;
  if (read_pid_stat (pid, &start, &s) < 0)
    return 0;
  return start;
}

enum cnf_status
state_refresh (struct cnf_state *st)
{
  struct stat sb;
  if (st->status == ST_CREATING)
    return st->status;
  if (!state_pid_alive (st))
    return st->status = ST_STOPPED;
  if (fstatat (st->dirfd, "exec.fifo", &sb, AT_SYMLINK_NOFOLLOW) == 0)
    return st->status = ST_CREATED;
  if (st->cgroup_path)
    {
      char path[4096], buf[8] = "";
      int fd;
      snprintf (path, sizeof path, "%s/cgroup.freeze", st->cgroup_path);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd >= 0)
        {
          ssize_t n = read (fd, buf, sizeof buf - 1);
          close (fd);
          if (n > 0 && buf[0] == '1')
            return st->status = ST_PAUSED;
        }
    }
  return st->status = ST_RUNNING;
}

int
state_destroy (const char *root, struct cnf_state *st, cnf_err *err)
{
  cleanup_close int rfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return errno == ENOENT ? 0 : cnf_err_set (err, errno, "--root: open %s", root);
  return rm_rf_at (rfd, st->id, err);
}

void
state_free (struct cnf_state *st)
{
  size_t i;
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->cgroup_path);
  free (st->systemd_unit);
  json_free (st->annotations);
  for (i = 0; i < st->n_netdevs; i++)
    {
      free (st->netdevs[i].host_name);
      free (st->netdevs[i].ct_name);
    }
  free (st->netdevs);
  if (st->dirfd >= 0)
    close (st->dirfd); /* also drops the flock */
  *st = (struct cnf_state){ .dirfd = -1, .lockfd = -1 };
}

char *
state_to_oci_json (const struct cnf_state *st, bool pretty)
{
  json_writer *w = json_writer_new (pretty);
  json_w_obj_open (w);
  json_w_kstr (w, "ociVersion", OCI_SPEC_VERSION);
  json_w_kstr (w, "id", st->id);
  json_w_kint (w, "pid", st->status == ST_STOPPED ? 0 : st->pid);
  json_w_kstr (w, "status", state_status_name (st->status));
  json_w_kstr (w, "bundle", st->bundle ? st->bundle : "");
  json_w_kstr (w, "rootfs", st->rootfs ? st->rootfs : "");
  json_w_kstr (w, "created", st->created ? st->created : "");
  json_w_kint (w, "owner", st->owner);
  json_w_key (w, "annotations");
  if (st->annotations)
    json_w_value (w, st->annotations);
  else
    {
      json_w_obj_open (w);
      json_w_obj_close (w);
    }
  json_w_obj_close (w);
  return json_writer_steal (w, NULL);
}

int
state_write_aux (struct cnf_state *st, const char *name, const char *data, size_t len, cnf_err *err)
{
  return write_file_replace_at (st->dirfd, name, data, len, 0600, err);
}

int
state_read_aux (struct cnf_state *st, const char *name, char **data, size_t *len, cnf_err *err)
{
  return read_file_at (st->dirfd, name, data, len, err);
}
