/* Unit tests of runtime/safe_path: a temp tree whose symlinks point outside it (absolute, "..",
 * dangling, magic links); resolution and creation must stay inside the tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "runtime/safe_path.h"
#include "lib/util.h"

static char top[64], root[96], outside[96];
static int rootfd = -1;

static void
xsymlink (const char *target, const char *rel)
{
  char p[256];
  snprintf (p, sizeof p, "%s/%s", root, rel);
  assert_int_equal (symlink (target, p), 0);
}

static int
setup (void **state)
{
  char p[256];
  strcpy (top, "/tmp/cnfrun-safepath-XXXXXX");
  assert_non_null (mkdtemp (top));
  snprintf (root, sizeof root, "%s/root", top);
  snprintf (outside, sizeof outside, "%s/outside", top);
  assert_int_equal (mkdir (root, 0755), 0);
  assert_int_equal (mkdir (outside, 0755), 0);
  snprintf (p, sizeof p, "%s/etc", root);
  assert_int_equal (mkdir (p, 0755), 0);
  snprintf (p, sizeof p, "%s/dev", root);
  assert_int_equal (mkdir (p, 0755), 0);
  xsymlink (outside, "abs");                 /* absolute, to a real dir outside the root */
  xsymlink ("../../../../../../..", "up");    /* climbs out */
  xsymlink ("/nonexistent-cnfrun-sp", "dangling");
  xsymlink ("/", "slash");
  xsymlink ("../outside", "rel");            /* relative escape: ../outside from the root */
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true (rootfd >= 0);
  return 0;
}

static int
teardown (void **state)
{
  close (rootfd);
  rm_rf_at (AT_FDCWD, top, NULL);
  return 0;
}

/* fd and root-relative path name the same inode, and nothing appeared outside. */
static void
assert_inside (int fd, const char *rel)
{
  struct stat a, b;
  char p[256];
  snprintf (p, sizeof p, "%s/%s", root, rel);
  assert_int_equal (fstat (fd, &a), 0);
  assert_int_equal (lstat (p, &b), 0);
  assert_int_equal (a.st_ino, b.st_ino);
  assert_int_equal (a.st_dev, b.st_dev);
}

static void
assert_outside_empty (void)
{
  char p[256];
  int n = 0;
  DIR *d = opendir (outside);
  struct dirent *e;
  assert_non_null (d);
  while ((e = readdir (d)))
    if (strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
      n++;
  closedir (d);
  assert_int_equal (n, 0);
  snprintf (p, sizeof p, "/nonexistent-cnfrun-sp");
  assert_int_equal (access (p, F_OK), -1);
}

static void
test_resolve_stays_inside (void **state)
{
  int fd;
  fd = safe_openat (rootfd, "/up/etc", O_PATH, 0, NULL);
  assert_true (fd >= 0);
  assert_inside (fd, "etc");
  close (fd);
  fd = safe_openat (rootfd, "../../../etc", O_PATH, 0, NULL);
  assert_true (fd >= 0);
  assert_inside (fd, "etc");
  close (fd);
  fd = safe_openat (rootfd, "slash/etc", O_PATH, 0, NULL);
  assert_true (fd >= 0);
  assert_inside (fd, "etc");
  close (fd);
  fd = safe_openat (rootfd, "/", O_PATH, 0, NULL);
  assert_true (fd >= 0);
  assert_inside (fd, ".");
  close (fd);
  /* "abs" points at the real outside dir; inside the root it names <root><outside>, absent. */
  fd = safe_openat (rootfd, "abs", O_PATH, 0, NULL);
  assert_int_equal (fd, -1);
  assert_int_equal (errno, ENOENT);
  /* Refusing symlinks altogether. */
  fd = safe_openat (rootfd, "slash/etc", O_PATH, SAFE_NO_SYMLINKS, NULL);
  assert_int_equal (fd, -1);
  assert_int_equal (errno, ELOOP);
}

static void
test_magic_links_refused (void **state)
{
  int self = open ("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
  cnf_err err = NULL;
  assert_true (self >= 0);
  fd = safe_openat (self, "root/etc", O_PATH, 0, &err);
  assert_int_equal (fd, -1);
  assert_int_equal (errno, ELOOP);
  assert_non_null (err);
  cnf_err_free (&err);
  close (self);
}

static void
test_mkpath_through_symlinks (void **state)
{
  char rel[256];
  cnf_err err = NULL;
  int fd;
  struct stat st;

  /* Absolute symlink: the directories are created under the root, at root<outside>/a/b. */
  fd = safe_mkpath (rootfd, "/abs/a/b", false, 0755, 0, &err);
  assert_true (fd >= 0);
  snprintf (rel, sizeof rel, "%s/a/b", outside + 1);
  assert_inside (fd, rel);
  assert_int_equal (fstat (fd, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  close (fd);
  assert_outside_empty ();

  /* A climbing symlink lands at the root. */
  fd = safe_mkpath (rootfd, "up/up/c", false, 0755, 0, &err);
  assert_true (fd >= 0);
  assert_inside (fd, "c");
  close (fd);

  /* Relative escape "../outside" resolves to <root>/outside. */
  fd = safe_mkpath (rootfd, "rel/file", true, 0755, 0, &err);
  assert_true (fd >= 0);
  assert_inside (fd, "outside/file");
  assert_int_equal (fstat (fd, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  close (fd);
  assert_outside_empty ();

  /* Existing targets are returned as they are. */
  fd = safe_mkpath (rootfd, "/etc", false, 0755, 0, &err);
  assert_true (fd >= 0);
  assert_inside (fd, "etc");
  close (fd);
  fd = safe_mkpath (rootfd, "/", false, 0755, 0, &err);
  assert_true (fd >= 0);
  assert_inside (fd, ".");
  close (fd);
  assert_null (err);
}

static void
test_mkpath_dangling_inside (void **state)
{
  cnf_err err = NULL;
  int fd = safe_mkpath (rootfd, "dangling/z", false, 0755, 0, &err);
  /* A dangling link is followed as the root would: its target is created inside the root. */
  assert_true (fd >= 0);
  assert_inside (fd, "nonexistent-cnfrun-sp/z");
  close (fd);
  /* The /etc/resolv.conf case: a dangling relative link to a file in a missing directory. */
  {
    char p[256];
    struct stat st;
    snprintf (p, sizeof p, "%s/etc/resolv.conf", root);
    assert_int_equal (symlink ("../run/x/resolv.conf", p), 0);
    fd = safe_mkpath (rootfd, "/etc/resolv.conf", true, 0755, 0, &err);
    assert_true (fd >= 0);
    assert_inside (fd, "run/x/resolv.conf");
    assert_int_equal (fstat (fd, &st), 0);
    assert_true (S_ISREG (st.st_mode));
    close (fd);
  }
  /* ...but not when symlinks are refused. */
  fd = safe_mkpath (rootfd, "dangling/w", false, 0755, SAFE_NO_SYMLINKS, &err);
  assert_int_equal (fd, -1);
  assert_non_null (err);
  cnf_err_free (&err);
  assert_outside_empty ();
}

static void
test_open_parent (void **state)
{
  char name[64];
  cnf_err err = NULL;
  int fd = safe_open_parent (rootfd, "/dev/null", true, SAFE_NO_SYMLINKS, name, sizeof name, &err);
  assert_true (fd >= 0);
  assert_string_equal (name, "null");
  assert_inside (fd, "dev");
  close (fd);
  /* A /dev that is a symlink (CVE-2026-41579-style) is refused when symlinks are. */
  fd = safe_open_parent (rootfd, "/slash/dev/null", true, SAFE_NO_SYMLINKS, name, sizeof name, &err);
  assert_int_equal (fd, -1);
  assert_non_null (err);
  cnf_err_free (&err);
  fd = safe_open_parent (rootfd, "/dev/..", false, 0, name, sizeof name, &err);
  assert_int_equal (fd, -1);
  cnf_err_free (&err);
  fd = safe_open_parent (rootfd, "/new/dir/leaf/", true, 0, name, sizeof name, &err);
  assert_true (fd >= 0);
  assert_string_equal (name, "leaf");
  assert_inside (fd, "new/dir");
  close (fd);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_resolve_stays_inside, setup, teardown),
    cmocka_unit_test_setup_teardown (test_magic_links_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mkpath_through_symlinks, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mkpath_dangling_inside, setup, teardown),
    cmocka_unit_test_setup_teardown (test_open_parent, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
