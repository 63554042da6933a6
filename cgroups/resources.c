/* resources.c — lifetime of struct cg_resources. */
#include <stdlib.h>
#include "resources.h"

void
cg_resources_free (struct cg_resources *r)
{
  size_t i;
  if (r == NULL)
    return;
  free (r->devices);
  free (r->cpus);
  free (r->mems);
  for (i = 0; i < r->n_hugepages; i++)
    free (r->hugepages[i].page_size);
  free (r->hugepages);
  free (r->weight_devices);
  free (r->throttle_read_bps);
  free (r->throttle_write_bps);
  free (r->throttle_read_iops);
  free (r->throttle_write_iops);
  for (i = 0; i < r->n_rdma; i++)
    free (r->rdma[i].device);
  free (r->rdma);
  for (i = 0; i < r->n_unified; i++)
    {
      free (r->unified[i].key);
      free (r->unified[i].value);
    }
  free (r->unified);
  *r = (struct cg_resources){ 0 };
}
