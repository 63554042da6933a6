/* vfops_fake.c — the recording fake VF backend: state and an operation log in a JSON file
 * (NETPLUG_VFOPS=fake:<file>), so tests can seed VF state and assert what was applied and
 * restored.  NETPLUG_FAKE_VF_FAIL=<op> makes that operation fail (rollback tests). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "lib/util.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/vfops.h"

struct fake
{
  char *file;
};

struct fake_db
{
  size_t n;
  char **keys;
  struct vf_state *st;
  size_t nlog;
  char **log;
};

static void
db_free (struct fake_db *db)
{
  for (size_t i = 0; i < db->n; i++)
    free (db->keys[i]);
  for (size_t i = 0; i < db->nlog; i++)
    free (db->log[i]);
  free (db->keys);
  free (db->st);
  free (db->log);
  memset (db, 0, sizeof (*db));
}

static int64_t
geti (const json_value *o, const char *k, int64_t d)
{
  int64_t v;
  return json_get_int64 (json_get (o, k), &v) == 0 ? v : d;
}

static void
default_state (struct vf_state *s)
{
  memset (s, 0, sizeof (*s));
  s->proto = 0x8100;
  s->spoofchk = 1;
  s->trust = 0;
}

static int
db_load (const char *file, struct fake_db *db, cnf_err *err)
{
  memset (db, 0, sizeof (*db));
  char eb[256];
  if (access (file, F_OK) < 0)
    return 0;
  json_value *root = json_parse_file (file, eb, sizeof eb);
  if (root == NULL)
    return cnf_err_set_code (err, CNI_ERR_IO, 0, "fake VF state %s: %s", file, eb);
  const json_value *vfs = json_get (root, "vfs");
  for (size_t i = 0; i < json_len (vfs); i++)
    {
      const json_value *o = json_value_at (vfs, i);
      db->keys = xrealloc (db->keys, (db->n + 1) * sizeof (char *));
      db->st = xrealloc (db->st, (db->n + 1) * sizeof (*db->st));
      db->keys[db->n] = xstrdup (json_key_at (vfs, i));
      struct vf_state *s = &db->st[db->n++];
      default_state (s);
      const char *mac = json_string (json_get (o, "mac"));
      if (mac)
        {
          unsigned m[6];
          if (sscanf (mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6)
            for (int k = 0; k < 6; k++)
              s->mac[k] = (uint8_t) m[k];
        }
      s->vlan = (int) geti (o, "vlan", 0);
      s->qos = (int) geti (o, "qos", 0);
      s->proto = (int) geti (o, "proto", 0x8100);
      s->spoofchk = (int) geti (o, "spoofchk", 1);
      s->trust = (int) geti (o, "trust", 0);
      s->link_state = (int) geti (o, "link_state", 0);
      s->min_tx_rate = (uint32_t) geti (o, "min_tx_rate", 0);
      s->max_tx_rate = (uint32_t) geti (o, "max_tx_rate", 0);
    }
  const json_value *log = json_get (root, "log");
  for (size_t i = 0; i < json_len (log); i++)
    if (json_string (json_at (log, i)))
      {
        db->log = xrealloc (db->log, (db->nlog + 1) * sizeof (char *));
        db->log[db->nlog++] = xstrdup (json_string (json_at (log, i)));
      }
  json_free (root);
  return 0;
}

static int
db_save (const char *file, struct fake_db *db, cnf_err *err)
{
  json_writer *w = json_writer_new (true);
  json_w_obj_open (w);
  json_w_key (w, "vfs");
  json_w_obj_open (w);
  for (size_t i = 0; i < db->n; i++)
    {
      const struct vf_state *s = &db->st[i];
      char mac[18];
      snprintf (mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", s->mac[0], s->mac[1], s->mac[2], s->mac[3], s->mac[4], s->mac[5]);
      json_w_key (w, db->keys[i]);
      json_w_obj_open (w);
      json_w_kstr (w, "mac", mac);
      json_w_kint (w, "vlan", s->vlan);
      json_w_kint (w, "qos", s->qos);
      json_w_kint (w, "proto", s->proto);
      json_w_kint (w, "spoofchk", s->spoofchk);
      json_w_kint (w, "trust", s->trust);
      json_w_kint (w, "link_state", s->link_state);
      json_w_kint (w, "min_tx_rate", s->min_tx_rate);
      json_w_kint (w, "max_tx_rate", s->max_tx_rate);
      json_w_obj_close (w);
    }
  json_w_obj_close (w);
  json_w_key (w, "log");
  json_w_arr_open (w);
  for (size_t i = 0; i < db->nlog; i++)
    json_w_str (w, db->log[i]);
  json_w_arr_close (w);
  json_w_obj_close (w);
  size_t len;
  cleanup_free char *text = json_writer_steal (w, &len);
  cleanup_free char *tmp = xasprintf ("%s.tmp", file);
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "open %s", tmp);
  if (write_all (fd, text, len) < 0 || write_all (fd, "\n", 1) < 0)
    {
      close (fd);
      return cnf_err_set_code (err, CNI_ERR_IO, errno, "write %s", tmp);
    }
  close (fd);
  if (rename (tmp, file) < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "rename %s", tmp);
  return 0;
}

static struct vf_state *
db_find (struct fake_db *db, const char *pf, int vf, bool create)
{
  cleanup_free char *key = xasprintf ("%s/%d", pf, vf);
  for (size_t i = 0; i < db->n; i++)
    if (strcmp (db->keys[i], key) == 0)
      return &db->st[i];
  if (!create)
    return NULL;
  db->keys = xrealloc (db->keys, (db->n + 1) * sizeof (char *));
  db->st = xrealloc (db->st, (db->n + 1) * sizeof (*db->st));
  db->keys[db->n] = steal_ptr (&key);
  default_state (&db->st[db->n]);
  return &db->st[db->n++];
}

/* Lock, load, apply fn, log, save, unlock. */
static int
with_db (struct fake *f, const char *op, const char *pf, int vf, const struct vf_state *in, struct vf_state *out,
         const char *logline, cnf_err *err)
{
  const char *fail = getenv ("NETPLUG_FAKE_VF_FAIL");
  if (fail && strcmp (fail, op) == 0)
    return cnf_err_set_code (err, CNI_ERR_NETLINK, EIO, "fake %s on %s vf %d", op, pf, vf);
  cleanup_free char *lock = xasprintf ("%s.lock", f->file);
  cleanup_close int lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lfd < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "open %s", lock);
  flock (lfd, LOCK_EX);
  struct fake_db db;
  if (db_load (f->file, &db, err) < 0)
    return -1;
  struct vf_state *s = db_find (&db, pf, vf, true);
  if (out)
    *out = *s;
  if (in)
    *s = *in;
  if (logline)
    {
      db.log = xrealloc (db.log, (db.nlog + 1) * sizeof (char *));
      db.log[db.nlog++] = xasprintf ("%s %s %d %s", op, pf, vf, logline);
    }
  int ret = (in || logline) ? db_save (f->file, &db, err) : 0;
  db_free (&db);
  return ret;
}

void *
vf_fake_open (const char *file, cnf_err *err)
{
  if (file == NULL || *file != '/')
    return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "NETPLUG_VFOPS=fake:<absolute path>"), NULL;
  struct fake *f = xzalloc (sizeof (*f));
  f->file = xstrdup (file);
  return f;
}

static void
fake_close (void *h)
{
  struct fake *f = h;
  if (f)
    free (f->file);
  free (f);
}

static int
fake_get (void *h, const char *pf, int vf, struct vf_state *st, cnf_err *err)
{
  return with_db (h, "get", pf, vf, NULL, st, NULL, err);
}

#define FAKE_SET(fn, op, ARGS, MUTATE, FMT, ...)                                        \
  static int fn ARGS                                                                   \
  {                                                                                    \
    struct vf_state cur;                                                               \
    if (with_db (h, "get", pf, vf, NULL, &cur, NULL, err) < 0)                         \
      return -1;                                                                       \
    MUTATE;                                                                            \
    cleanup_free char *line = xasprintf (FMT, __VA_ARGS__);                            \
    return with_db (h, op, pf, vf, &cur, NULL, line, err);                             \
  }

FAKE_SET (fake_set_mac, "set_mac", (void *h, const char *pf, int vf, const uint8_t mac[6], cnf_err *err),
          memcpy (cur.mac, mac, 6), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5])
FAKE_SET (fake_set_vlan, "set_vlan", (void *h, const char *pf, int vf, int vlan, int qos, int proto, cnf_err *err),
          (cur.vlan = vlan, cur.qos = qos, cur.proto = proto), "%d %d 0x%x", vlan, qos, proto)
FAKE_SET (fake_set_spoofchk, "set_spoofchk", (void *h, const char *pf, int vf, bool on, cnf_err *err),
          cur.spoofchk = on, "%s", on ? "on" : "off")
FAKE_SET (fake_set_trust, "set_trust", (void *h, const char *pf, int vf, bool on, cnf_err *err), cur.trust = on, "%s",
          on ? "on" : "off")
FAKE_SET (fake_set_link_state, "set_link_state", (void *h, const char *pf, int vf, int state, cnf_err *err),
          cur.link_state = state, "%d", state)
FAKE_SET (fake_set_rate, "set_rate", (void *h, const char *pf, int vf, uint32_t min, uint32_t max, cnf_err *err),
          (cur.min_tx_rate = min, cur.max_tx_rate = max), "%u %u", min, max)

const struct vf_ops vf_ops_fake = {
  .name = "fake",
  .get = fake_get,
  .set_mac = fake_set_mac,
  .set_vlan = fake_set_vlan,
  .set_spoofchk = fake_set_spoofchk,
  .set_trust = fake_set_trust,
  .set_link_state = fake_set_link_state,
  .set_rate = fake_set_rate,
  .close = fake_close,
};
