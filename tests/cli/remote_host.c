/* A C host with a remote linker (rtl_linker_new_remote): code runs in an
 * objload-executor process; a fault there fails the call, and the host goes
 * on with a fresh executor. argv: the executor, then the fixture directory. */
#include <rtlink/rtlink.h>

#include <stdio.h>
#include <string.h>

static int fail(rtl_linker *l, const char *what) {
  fprintf(stderr, "remote_host: %s: %s\n", what, rtl_last_error(l));
  return 1;
}

int main(int argc, char **argv) {
  char path[4096];
  int r = 0;
  if (argc != 3)
    return 2;
  rtl_linker *l = rtl_linker_new_remote(argv[1]);
  if (!l)
    return fail(NULL, "rtl_linker_new_remote");
  snprintf(path, sizeof path, "%s/rts.o", argv[2]);
  if (rtl_load(l, path))
    return fail(l, "load rts.o");
  snprintf(path, sizeof path, "%s/base.o", argv[2]);
  if (rtl_load(l, path) || rtl_resolve(l))
    return fail(l, "load base.o");
  if (rtl_call_int(l, "rts_main", &r))
    return fail(l, "call rts_main");
  printf("remote_host: rts_main() = %d\n", r);
  snprintf(path, sizeof path, "%s/crash.o", argv[2]);
  if (rtl_load(l, path) || rtl_resolve(l))
    return fail(l, "load crash.o");
  if (rtl_call_int(l, "boom", &r) == 0)
    return fail(l, "boom returned");
  printf("remote_host: boom: %s\n", rtl_last_error(l));
  snprintf(path, sizeof path, "%s/good.o", argv[2]);
  if (rtl_load(l, path) || rtl_resolve(l) || rtl_call_int(l, "good_answer", &r))
    return fail(l, "after the crash");
  printf("remote_host: good_answer() = %d, in a fresh executor\n", r);
  rtl_linker_free(l);
  return 0;
}
