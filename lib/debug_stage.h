/* debug_stage.h — fault injection by SIGKILL at named stages, for the tests that prove a kill
 * at any point leaves nothing that the next cleanup (delete --force, CNI DEL) cannot remove.
 * Only builds configured with --enable-debug-stages (CNF_DEBUG_STAGES) honour it; in normal
 * builds every call compiles to nothing, so no environment variable can kill a production run.
 *
 * cnfrun create (CNFRUN_DEBUG_KILL_AT=STAGE, runtime/container.c):
 *   namespaces  the runtime parent, once stage-1 reported init's pid: every namespace exists,
 *               init waits for GO, its pid is not yet in the state file (init must notice the
 *               parent's death by itself).
 *   cgroup      the runtime parent, once init is in the cgroup and the state records pid and
 *               cgroup.
 *   hooks       the runtime parent, after the prestart and createRuntime hooks (netdevs moved:
 *               init then stays alive holding them for delete --force).
 *   mounts      the container init itself, once the rootfs and every mount are built: the
 *               parent, still running, must clean up as for any failed create.
 *   fifo        the runtime parent, once init reported READY and blocks on the exec fifo:
 *               a live init is left behind with the state still "creating".
 * netplug ADD (NETPLUG_DEBUG_KILL_AT=STAGE, netplug/cni/): the plugin process, at each step
 * np_step names (sriov: vf-config, move, addresses; ports: port-add) and at sriov's vf-saved
 * and the port modes' tap-move, which are kill points only (not counted as steps). */
#ifndef CNF_DEBUG_STAGE_H
#define CNF_DEBUG_STAGE_H

#ifdef CNF_DEBUG_STAGES
/* SIGKILL the calling process if getenv(env) equals stage (PID 1 of a pid namespace, immune to
 * its own SIGKILL, dies by _exit(137) instead); returns otherwise. */
void cnf_debug_kill_at (const char *env, const char *stage);
#define cnf_debug_stage(stage) cnf_debug_kill_at ("CNFRUN_DEBUG_KILL_AT", (stage))
#else
#define cnf_debug_kill_at(env, stage) ((void) 0)
#define cnf_debug_stage(stage) ((void) 0)
#endif

#endif
