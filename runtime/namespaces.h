/* namespaces.h — creating and joining Linux namespaces for a container, by syscalls only.
 * The order matters and is fixed here: join the paths given in config.json (the user
 * namespace first), then create a new user namespace (the parent writes its id maps), then
 * unshare every other new namespace, then write time namespace offsets before forking PID 1. */
#ifndef CNF_NAMESPACES_H
#define CNF_NAMESPACES_H

#include <sys/types.h>
#include "spec.h"

int ns_clone_flag (enum ns_type t);
/* CLONE_NEW* flags of the namespaces to create (present, no path), minus CLONE_NEWUSER. */
int ns_new_flags (const struct spec *s);
bool ns_new_user (const struct spec *s);
/* setns() into every namespace that has a path; the user namespace first. */
int ns_join_paths (const struct spec *s, cnf_err *err);
/* From the parent: write uid_map/gid_map of pid (the user namespace's first process). */
int ns_write_id_maps (pid_t pid, const struct spec *s, cnf_err *err);
/* In the process that unshared CLONE_NEWTIME, before it forks: linux.timeOffsets. */
int ns_write_time_offsets (const struct spec *s, cnf_err *err);
/* Join every namespace of a running container's init (for exec), through its pidfd. */
int ns_join_container (int pidfd, pid_t pid, cnf_err *err);

#endif
