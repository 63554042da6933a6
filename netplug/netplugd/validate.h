/* validate.h — checks of control-request fields; each returns true/0 when the value is acceptable. */
#ifndef NETPLUGD_VALIDATE_H
#define NETPLUGD_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#define NP_NAME_MAX 63

/* 1-63 characters of [A-Za-z0-9_.:-], not "." or "..". */
bool np_valid_name (const char *s);
/* A kernel interface name: 1-15 bytes, no '/', ':' or whitespace. */
bool np_valid_ifname (const char *s);
/* "aa:bb:cc:dd:ee:ff", unicast only; 0 on success. */
int np_parse_mac (const char *s, uint8_t mac[6]);
/* 0 when path is an absolute, normalised path strictly below dir and shorter than 108 bytes. */
int np_socket_path_ok (const char *dir, const char *path);

#endif
