/* debug_stage.c — see debug_stage.h.  Empty unless configured with --enable-debug-stages. */
#include "debug_stage.h"

#ifdef CNF_DEBUG_STAGES
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
cnf_debug_kill_at (const char *env, const char *stage)
{
  const char *want = getenv (env);
  if (want == NULL || strcmp (want, stage) != 0)
    return;
  /* Nothing is flushed or cleaned up: that is the point. */
  kill (getpid (), SIGKILL);
  /* Still here: PID 1 of a pid namespace ignores SIGKILL sent from inside it (the container
   * init).  _exit runs no cleanup either, so the effect on everything else is the same. */
  _exit (128 + SIGKILL);
}
#endif
