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
  /* Calls with arguments: the C library's own functions, in the executor. */
  {
    rtl_arg text = {RTL_ARG_BYTES, 0, 0, "2.5e-1 rest", sizeof "2.5e-1 rest"};
    rtl_arg none = {RTL_ARG_INT, 0, 0, NULL, 0};
    rtl_arg strtod_args[2] = {text, none};
    rtl_arg pow_args[2] = {{RTL_ARG_DOUBLE, 0, 1.5, NULL, 0}, {RTL_ARG_DOUBLE, 0, 2, NULL, 0}};
    rtl_arg labs_args[1] = {{RTL_ARG_INT, -77, 0, NULL, 0}};
    rtl_arg bad[1] = {{9, 0, 0, NULL, 0}};
    double d = 0;
    int64_t n = 0;
    if (rtl_call_double(l, "strtod", strtod_args, 2, &d))
      return fail(l, "call strtod");
    printf("remote_host: strtod(\"2.5e-1 rest\") = %g\n", d);
    if (rtl_call_double(l, "pow", pow_args, 2, &d))
      return fail(l, "call pow");
    printf("remote_host: pow(1.5, 2) = %g\n", d);
    if (rtl_call(l, "labs", labs_args, 1, &n))
      return fail(l, "call labs");
    printf("remote_host: labs(-77) = %lld\n", (long long)n);
    if (rtl_call(l, "labs", bad, 1, &n) == 0)
      return fail(l, "an unknown argument kind was taken");
    printf("remote_host: bad argument: %s\n", rtl_last_error(l));
  }
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
