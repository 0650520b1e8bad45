/* A complete rtlink host in C: the guide (docs/c-api.md) walks through it,
 * and the test suite builds and runs it with pkg-config.
 *
 *   cc host.c $(pkg-config --cflags --libs rtlink) -o host
 *   ./host DIR     (DIR holds rts.o and base.o, built from fixtures/)
 */
#include <rtlink/rtlink.h>

#include <stdio.h>
#include <string.h>

/* A host function loaded code may call, offered by name (rts.o and base.o
 * happen not to). */
static long host_log(long value) { return value; }

static int fail(rtl_linker *l, const char *what) {
  fprintf(stderr, "host: %s: %s\n", what, rtl_last_error(l));
  rtl_linker_free(l);
  return 1;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  char rts[4096], base[4096];
  snprintf(rts, sizeof rts, "%s/rts.o", dir);
  snprintf(base, sizeof base, "%s/base.o", dir);

  rtl_linker *l = rtl_linker_new();
  if (!l) {
    fprintf(stderr, "host: %s\n", rtl_last_error(NULL));
    return 1;
  }
  if (rtl_define_symbol(l, "host_log", (void *)host_log))
    return fail(l, "define_symbol");

  /* Two objects that call each other: load both, then resolve once. */
  if (rtl_load_object(l, rts) || rtl_load_object(l, base))
    return fail(l, "load");
  if (rtl_resolve(l))
    return fail(l, "resolve");

  int (*rts_main)(void) = (int (*)(void))rtl_lookup(l, "rts_main");
  if (!rts_main)
    return fail(l, "lookup rts_main");
  printf("host: rts_main() = %d\n", rts_main());

  /* Errors are values: a failed call says what and leaves the linker as it was. */
  if (!rtl_lookup(l, "no_such_symbol"))
    printf("host: as expected: %s\n", rtl_last_error(l));

  /* A system library by name; its members are pulled in on demand. */
  const char *sqlite;
  if (rtl_find_system_library(l, "sqlite3", &sqlite) == 0) {
    int (*version)(void) = (int (*)(void))rtl_lookup(l, "sqlite3_libversion_number");
    printf("host: found %s; sqlite3_libversion_number is %s\n", sqlite,
           version ? "reachable through the process" : "not loaded");
  }

  /* The two halves of the cycle are unloaded together. */
  const char *both[] = {rts, base};
  if (rtl_unload_object(l, base) == 0)
    return fail(l, "unload base.o alone should be refused");
  printf("host: refused: %s\n", rtl_last_error(l));
  if (rtl_unload_objects(l, both, 2))
    return fail(l, "unload");
  printf("host: unloaded; rts_main %s\n", rtl_lookup(l, "rts_main") ? "still there" : "gone");

  rtl_linker_free(l);
  return 0;
}
