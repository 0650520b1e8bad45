/* rtlink.h — the C API of rtlink, for hosts in any language (C99).
 *
 * Load relocatable objects, static archives and shared libraries into this
 * process, resolve them (references that go round a cycle between objects
 * are normal), and look up what to call:
 *
 *   rtl_linker *l = rtl_linker_new();
 *   if (rtl_load_object(l, "rts.o") || rtl_load_object(l, "base.o") || rtl_resolve(l))
 *     fprintf(stderr, "%s\n", rtl_last_error(l));
 *   int (*rts_main)(void) = (int (*)(void))rtl_lookup(l, "rts_main");
 *
 * Functions that can fail return 0 on success and nonzero on failure;
 * rtl_last_error(l) then says what failed, naming the file or symbol. A call
 * that fails leaves the linker as it was. No C++ exception crosses this API,
 * and nothing in it aborts or exits the process.
 *
 * Threads: rtl_lookup and rtl_purge_lookup_cache may run concurrently on one
 * linker; other calls on one linker run one at a time. rtl_last_error is the
 * linker's last failure, whichever thread made it.
 */
#ifndef RTLINK_H
#define RTLINK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtl_linker rtl_linker;
typedef uint64_t rtl_search_path;

/* A linker that runs code in this process; NULL if it could not reserve its
 * address range (rtl_last_error(NULL) says why). */
rtl_linker *rtl_linker_new(void);
/* A linker whose code runs in another process: `executor_command` is the
 * command line of an executor ("/usr/local/bin/objload-executor", or
 * "/usr/lib/wine/wine64 objload-executor.exe"), started on first use and
 * given --connect=127.0.0.1:PORT to reach this process. rtl_lookup then
 * gives addresses in that process (to pass along, not to call here): call
 * with rtl_call_int. A fault there fails the call with how the executor
 * ended; what was loaded is gone, and the next call starts a fresh one. */
rtl_linker *rtl_linker_new_remote(const char *executor_command);
/* A linker like rtl_linker_new's that keeps the result of its first link in
 * the directory `cache_dir` (made if missing) and reuses it when the same
 * files, byte for byte, are linked again (see LinkerOptions::cache_dir in
 * rtlink/linker.hpp). An entry that cannot be used is reported on stderr,
 * "rtlink: warning: ...", and the link is done in full. */
rtl_linker *rtl_linker_new_cached(const char *cache_dir);
/* Unloads everything (finalizers run) and frees the linker. NULL is allowed. */
void rtl_linker_free(rtl_linker *l);

/* Any input, told apart by content: object, archive, shared library, or a
 * GNU ld script naming those. */
int rtl_load(rtl_linker *l, const char *path);
int rtl_load_object(rtl_linker *l, const char *path);
/* An object already in memory (a JIT's output); the bytes are copied (zstd data is decompressed). */
int rtl_load_object_buffer(rtl_linker *l, const char *name, const void *bytes, size_t size);
int rtl_load_archive(rtl_linker *l, const char *path);
int rtl_load_library(rtl_linker *l, const char *path);

int rtl_add_search_path(rtl_linker *l, const char *dir, rtl_search_path *handle);
int rtl_remove_search_path(rtl_linker *l, rtl_search_path handle);
/* libNAME.so or libNAME.a along the search paths and the system's; *path
 * stays valid until the next call on this linker. */
int rtl_find_system_library(rtl_linker *l, const char *name, const char **path);

/* A host symbol offered to loaded code ("DLL!name" for a DLL import). */
int rtl_define_symbol(rtl_linker *l, const char *name, void *address);

int rtl_resolve(rtl_linker *l);
/* The symbol's address; NULL when it is not found (rtl_last_error says why). */
void *rtl_lookup(rtl_linker *l, const char *symbol);
/* Calls `int symbol(void)` where the linker runs code (here, or in its
 * executor process); its value in *result (if not NULL). */
int rtl_call_int(rtl_linker *l, const char *symbol, int *result);

/* An argument of rtl_call and rtl_call_double. */
enum rtl_arg_kind {
  RTL_ARG_INT = 0,    /* `i`: an integer or an address where the code runs */
  RTL_ARG_DOUBLE = 1, /* `d`: a double */
  RTL_ARG_FLOAT = 2,  /* `d`, passed as a float */
  RTL_ARG_BYTES = 3   /* `bytes`, `size` of them, copied to where the code runs,
                         passed as a pointer to the copy */
};
typedef struct rtl_arg {
  int kind; /* enum rtl_arg_kind */
  int64_t i;
  double d;
  const void *bytes;
  size_t size;
} rtl_arg;
/* Calls `long symbol(args...)` (rtl_call) or `double symbol(args...)`
 * (rtl_call_double) where the linker runs code, in the symbol's calling
 * convention (Microsoft x64 for COFF code); the value in *result (if not
 * NULL). At most System V's registers' worth of arguments (6 integer and 8
 * floating-point), AAPCS64's (8 and 8), or 8 in all for Microsoft x64; more
 * is an error. A float result is the low half of a double result's bits. */
int rtl_call(rtl_linker *l, const char *symbol, const rtl_arg *args, size_t count,
             int64_t *result);
int rtl_call_double(rtl_linker *l, const char *symbol, const rtl_arg *args, size_t count,
                    double *result);
int rtl_unload_object(rtl_linker *l, const char *path);
/* Several at once: the two halves of a cycle go together. */
int rtl_unload_objects(rtl_linker *l, const char *const *paths, size_t count);
/* Runs the atexit handlers and finalizers of everything loaded, as
 * rtl_linker_free would, and frees nothing: for a host about to exit, which
 * need not free the linker then. */
void rtl_finalize(rtl_linker *l);
void rtl_purge_lookup_cache(rtl_linker *l);

/* What the last failing call on `l` said; "" if none failed. With l == NULL,
 * why rtl_linker_new returned NULL (per thread). */
const char *rtl_last_error(const rtl_linker *l);

#ifdef __cplusplus
}
#endif

#endif /* RTLINK_H */
