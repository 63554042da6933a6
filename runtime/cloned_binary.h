/* cloned_binary.h — CVE-2019-5736 defence.  Before a command creates or enters a container,
 * cnfrun re-executes itself from a sealed memfd copy of its own binary, so that no process
 * inside a container can ever open the host's cnfrun binary for writing through /proc/<pid>/exe.
 * CNFRUN_NO_REEXEC is NOT honoured: the protection is not optional. */
#ifndef CNF_CLONED_BINARY_H
#define CNF_CLONED_BINARY_H

#include "../lib/error.h"

/* Returns 0 if already running from a sealed memfd; otherwise execs and never returns,
 * or returns -1 with err set. */
int cloned_binary_ensure (char **argv, char **envp, cnf_err *err);
/* 1 if /proc/self/exe is a sealed memfd. */
int cloned_binary_is_sealed (void);

#endif
