/* signals.c — the signal name table (see signals.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "signals.h"
#include "../lib/util.h"

static const struct { const char *name; int sig; } table[] = {
  { "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT },   { "ILL", SIGILL },     { "TRAP", SIGTRAP },
  { "ABRT", SIGABRT }, { "IOT", SIGIOT },     { "BUS", SIGBUS },     { "FPE", SIGFPE },     { "KILL", SIGKILL },
  { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },   { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },
  { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CLD", SIGCHLD },   { "CONT", SIGCONT },
  { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },   { "URG", SIGURG },
  { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
  { "IO", SIGIO },     { "POLL", SIGPOLL },   { "PWR", SIGPWR },     { "SYS", SIGSYS },
};

int
signal_parse (const char *s)
{
  unsigned long long n;
  size_t i;
  if (s == NULL || *s == '\0')
    return -1;
  if (parse_u64 (s, &n) == 0)
    return n >= 1 && n <= (unsigned long long) SIGRTMAX ? (int) n : -1;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcasecmp (s, table[i].name) == 0)
      return table[i].sig;
  /* RTMIN, RTMIN+n, RTMAX, RTMAX-n */
  if (strncasecmp (s, "RTMIN", 5) == 0 || strncasecmp (s, "RTMAX", 5) == 0)
    {
      bool min = strncasecmp (s, "RTMIN", 5) == 0;
      const char *rest = s + 5;
      long long off = 0;
      int sig;
      if (*rest != '\0')
        {
          if ((min && *rest != '+') || (!min && *rest != '-') || parse_i64 (rest + 1, &off) < 0 || off < 0)
            return -1;
        }
      sig = min ? SIGRTMIN + (int) off : SIGRTMAX - (int) off;
      return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
    }
  return -1;
}

const char *
signal_name (int sig)
{
  static const char *const names[] = {
    [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP",
    [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",
    [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2", [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
    [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
    [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
    [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
    [SIGSYS] = "SIGSYS",
  };
  if (sig <= 0 || (size_t) sig >= sizeof names / sizeof names[0])
    return NULL;
  return names[sig];
}
