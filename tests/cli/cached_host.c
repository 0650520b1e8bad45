/* A C host with a link cache (rtl_linker_new_cached): run twice over the same
 * directory, the second run restores the link. argv: the cache directory,
 * then the fixture directory. */
#include <rtlink/rtlink.h>

#include <stdio.h>

int main(int argc, char **argv) {
  char path[4096];
  int r = 0;
  if (argc != 3)
    return 2;
  rtl_linker *l = rtl_linker_new_cached(argv[1]);
  if (!l) {
    fprintf(stderr, "cached_host: %s\n", rtl_last_error(NULL));
    return 1;
  }
  snprintf(path, sizeof path, "%s/rts.o", argv[2]);
  int failed = rtl_load(l, path);
  snprintf(path, sizeof path, "%s/base.o", argv[2]);
  failed = failed || rtl_load(l, path) || rtl_resolve(l) || rtl_call_int(l, "rts_main", &r);
  if (failed) {
    fprintf(stderr, "cached_host: %s\n", rtl_last_error(l));
    return 1;
  }
  printf("cached_host: rts_main() = %d\n", r);
  rtl_finalize(l);
  if (rtl_call_int(l, "rts_main", &r) || r != 42)  /* finalized, still callable */
    return 1;
  rtl_linker_free(l);
  if (rtl_linker_new_cached("") || !rtl_last_error(NULL)[0])
    return 1;
  printf("cached_host: %s\n", rtl_last_error(NULL));
  return 0;
}
