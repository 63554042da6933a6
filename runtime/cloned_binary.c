/* cloned_binary.c — re-exec from a sealed memfd (see cloned_binary.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cloned_binary.h"
#include "../lib/util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int
cloned_binary_is_sealed (void)
{
  int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals;
  if (fd < 0)
    return 0;
  seals = fcntl (fd, F_GET_SEALS);
  close (fd);
  return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

/* How much of the binary exec needs: up to the end of the furthest program segment.  What
 * follows (debug info, symbol tables, section headers) is never mapped; leaving it out makes
 * the copy a quarter of an unstripped build.  Anything unexpected: the whole file. */
static off_t
exec_extent (int fd, off_t size)
{
  ElfW (Ehdr) eh;
  ElfW (Phdr) ph[64];
  off_t end;
  size_t i;
  if (pread (fd, &eh, sizeof eh, 0) != (ssize_t) sizeof eh || memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0
      || eh.e_phentsize != sizeof ph[0] || eh.e_phnum == 0 || eh.e_phnum > 64)
    return size;
  if (pread (fd, ph, eh.e_phnum * sizeof ph[0], eh.e_phoff) != (ssize_t) (eh.e_phnum * sizeof ph[0]))
    return size;
  end = (off_t) (eh.e_phoff + eh.e_phnum * sizeof ph[0]);
  for (i = 0; i < eh.e_phnum; i++)
    if (ph[i].p_filesz && (off_t) (ph[i].p_offset + ph[i].p_filesz) > end)
      end = (off_t) (ph[i].p_offset + ph[i].p_filesz);
  return end < size ? end : size;
}

int
cloned_binary_ensure (char **argv, char **envp, cnf_err *err)
{
  cleanup_close int src = -1;
  int mfd;
  struct stat st;
  off_t off = 0, len;

  if (cloned_binary_is_sealed ())
    return 0;
  src = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (src < 0)
    return cnf_err_set (err, errno, "open /proc/self/exe");
  if (fstat (src, &st) < 0)
    return cnf_err_set (err, errno, "stat /proc/self/exe");
  len = exec_extent (src, st.st_size);
  /* MFD_EXEC is needed where vm.memfd_noexec is set (6.3+); older kernels reject the flag. */
  mfd = memfd_create ("cnfrun", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("cnfrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return cnf_err_set (err, errno, "memfd_create");
  while (off < len)
    {
      ssize_t n = sendfile (mfd, src, NULL, len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int e = n < 0 ? errno : EIO;
          close (mfd);
          return cnf_err_set (err, e, "copy cnfrun into a memfd");
        }
      off += n;
    }
  if (fcntl (mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0)
    {
      int e = errno;
      close (mfd);
      return cnf_err_set (err, e, "seal the memfd copy of cnfrun");
    }
  syscall (SYS_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
  {
    int e = errno;
    close (mfd);
    return cnf_err_set (err, e, "re-exec cnfrun from its sealed memfd");
  }
}
