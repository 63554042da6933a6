/* cache.h — the per-(containerID, ifname) attachment cache under /var/lib/cni/netplug
 * (NETPLUG_CACHE_DIR overrides it) and the per-device flock that serialises two pods
 * racing for one VF.  Entries are JSON objects written atomically. */
#ifndef NETPLUG_CACHE_H
#define NETPLUG_CACHE_H

#include <stdbool.h>

#include "lib/error.h"
#include "lib/json.h"

const char *np_cache_dir (void);
/* Finish the entry object opened in w (taking w): devinfo (when set), the plugin config, and
 * either the result (the final entry of an ADD, fsynced) or "pending": true (an entry written
 * during an ADD, which only has to survive the plugin being killed: the page cache does), then
 * write it atomically. */
int np_cache_write (json_writer *w, const char *cid, const char *ifname, const char *devinfo, const char *config,
                    const char *result11, cnf_err *err);
/* Read the entry: 0 and *out set, 0 and *out NULL when absent, -1 on I/O error. */
int np_cache_read (const char *cid, const char *ifname, json_value **out, cnf_err *err);
int np_cache_remove (const char *cid, const char *ifname);
/* Call fn for every entry (parsed); fn's return < 0 is ignored (GC is best-effort). */
int np_cache_foreach (int (*fn) (const char *file, json_value *entry, void *arg), void *arg, cnf_err *err);
/* Take an exclusive lock named key (a PCI address or port name); returns the fd to close. */
int np_lock (const char *key, cnf_err *err);

#endif
