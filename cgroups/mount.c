/* mount.c — where the unified hierarchy is mounted (from /proc/self/mountinfo; a pure v2 host
 * has it at /sys/fs/cgroup, a hybrid one elsewhere) and which cgroup we run in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "../lib/util.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape (char *s)
{
  char *o = s;
  while (*s)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
        {
          *o++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
          s += 4;
        }
      else
        *o++ = *s++;
    }
  *o = '\0';
}

int
cg_find_mount (char **mount, cnf_err *err)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/mountinfo", "re");
  char *line = NULL, *best = NULL;
  size_t cap = 0;
  *mount = NULL;
  if (f == NULL)
    return cnf_err_set (err, errno, "open /proc/self/mountinfo");
  while (getline (&line, &cap, f) > 0)
    {
      char *sep = strstr (line, " - ");
      char *fields[6] = { 0 }, *save = NULL, *t;
      int n = 0;
      if (sep == NULL || strncmp (sep + 3, "cgroup2 ", 8) != 0)
        continue;
      for (t = strtok_r (line, " ", &save); t && n < 6; t = strtok_r (NULL, " ", &save))
        fields[n++] = t;
      if (n < 5)
        continue;
      unescape (fields[4]);
      /* Prefer the conventional places if several are mounted (a later mount wins otherwise). */
      if (best == NULL || strcmp (fields[4], "/sys/fs/cgroup") == 0 || strcmp (fields[4], "/sys/fs/cgroup/unified") == 0)
        {
          free (best);
          best = xstrdup (fields[4]);
        }
    }
  free (line);
  if (best == NULL)
    return cnf_err_set (err, ENOENT, "no cgroup v2 (cgroup2) file system is mounted (see /proc/self/mountinfo)");
  *mount = best;
  return 0;
}

int
cg_own_cgroup (char **rel, cnf_err *err)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/cgroup", "re");
  char *line = NULL;
  size_t cap = 0;
  *rel = NULL;
  if (f == NULL)
    return cnf_err_set (err, errno, "open /proc/self/cgroup");
  while (getline (&line, &cap, f) > 0)
    if (strncmp (line, "0::", 3) == 0)
      {
        line[strcspn (line, "\n")] = '\0';
        *rel = xstrdup (line[3] ? line + 3 : "/");
        break;
      }
  free (line);
  if (*rel == NULL)
    return cnf_err_set (err, ENOENT, "/proc/self/cgroup has no cgroup v2 entry");
  return 0;
}

bool
cg_words_have (const char *list, const char *word)
{
  size_t n = strlen (word);
  const char *t = list;
  while (t && *t)
    {
      t += strspn (t, " \n");
      if (strncmp (t, word, n) == 0 && (t[n] == ' ' || t[n] == '\n' || t[n] == '\0'))
        return true;
      t += strcspn (t, " \n");
    }
  return false;
}

bool
cg_file_has_word (int dirfd, const char *name, const char *word)
{
  cleanup_free char *buf = NULL;
  size_t len;
  if (read_file_at (dirfd, name, &buf, &len, NULL) < 0)
    return false;
  return cg_words_have (buf, word);
}
