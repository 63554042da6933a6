/* validate.c — pure checks of untrusted control-request fields (names, MACs, socket paths,
 * interface names).  No DPDK here, so that the unit tests exercise them directly. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"
#include "validate.h"

bool
np_valid_name (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  if (n == 0 || n > NP_NAME_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = s[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
            || c == ':' || c == '-'))
        return false;
    }
  return strcmp (s, ".") && strcmp (s, "..");
}

int
np_parse_mac (const char *s, uint8_t mac[6])
{
  if (!s || strlen (s) != 17)
    return -1;
  for (int i = 0; i < 17; i++)
    {
      char c = s[i];
      bool hex = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
      if (i % 3 == 2 ? c != ':' : !hex)
        return -1;
    }
  for (int i = 0; i < 6; i++)
    mac[i] = (uint8_t) strtoul (s + 3 * i, NULL, 16);
  if (mac[0] & 1)
    return -1; /* multicast */
  return 0;
}

/* 0 when path is an absolute, normalised path strictly below dir and fits a sun_path. */
int
np_socket_path_ok (const char *dir, const char *path)
{
  size_t dl = strlen (dir);
  while (dl > 1 && dir[dl - 1] == '/')
    dl--;
  if (!path || path[0] != '/' || strlen (path) >= 108)
    return -1;
  if (strncmp (path, dir, dl) != 0 || path[dl] != '/' || path[dl + 1] == 0)
    return -1;
  if (strstr (path, "//") || strstr (path, "/./") || strstr (path, "/../") || str_has_suffix (path, "/..")
      || str_has_suffix (path, "/.") || str_has_suffix (path, "/"))
    return -1;
  return 0;
}

bool
np_valid_ifname (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  if (n == 0 || n > 15 || !strcmp (s, ".") || !strcmp (s, ".."))
    return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] == 0x7f)
      return false;
  return true;
}

