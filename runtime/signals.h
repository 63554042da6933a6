/* signals.h — signal names for `kill`: "KILL", "SIGKILL", "9", "SIGRTMIN+3" are all accepted. */
#ifndef CNF_SIGNALS_H
#define CNF_SIGNALS_H

/* Returns the signal number, or -1 if the name/number is not a signal. */
int signal_parse (const char *s);
/* "SIGTERM" for 15; NULL if unknown (realtime signals give NULL). */
const char *signal_name (int sig);

#endif
