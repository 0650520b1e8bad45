/* implib/elf_stub_resolve.c — the part of every lazy-loading stub archive
 * (implib-gen --elf) that is the same for every library, with
 * elf_stub_enter-ARCH.S: compiled at build time by clang for each
 * architecture the stubs are written for, with no headers (this file
 * declares the little of the C library it calls), and carried inside
 * librtlink as the bytes of ELF relocatable objects (embed_objects.py).
 *
 * A stub archive's library object (implib/elf_stubs.cpp) holds a
 * `struct stub_library` (below) whose first field is the failure callback the
 * program may set; each function's stub jumps through its slot when the slot
 * is filled, and otherwise enters __rtlink_stub_enter with the library in one
 * scratch register and the slot's index in another. The entry saves every
 * register that may carry an argument, calls __rtlink_stub_resolve, restores
 * them and jumps to the function, which returns to the stub's caller.
 *
 * __rtlink_stub_resolve and __rtlink_stub_enter are hidden and weak: several
 * stub archives linked into one program share the first copy, and neither is
 * exported from a shared library the stubs are linked into. */

typedef unsigned long size_t;

struct stub_library {
  /* Called when the library cannot be loaded or lacks the function:
   * (library, function, what dlerror said). What it returns is called
   * instead (and kept); when it returns 0, or is not set, the message is
   * written to standard error and the program aborts. */
  void *(*on_failure)(const char *library, const char *function, const char *error);
  void *handle;            /* dlopen's, once loaded */
  const char *soname;      /* what dlopen is given: the soname, or --load-name */
  const char *names;       /* the functions' names, each ending in NUL */
  const unsigned *offsets; /* where each name starts in `names` */
  size_t count;
  void *slots[];           /* one per function: 0 until resolved */
};

extern void *dlopen(const char *file, int mode);
extern void *dlsym(void *handle, const char *name);
extern char *dlerror(void);
extern int dlclose(void *handle);
extern long write(int fd, const void *buffer, size_t size);
extern void abort(void);

enum { RTLD_LAZY = 1, RTLD_GLOBAL = 0x100 }; /* glibc's, on x86-64 and aarch64 */

/* The parts of one line, written in one call: threads that fail at once
 * print whole lines, not their parts interleaved. */
static void say(const char *const *parts, size_t n) {
  char line[1024];
  size_t at = 0;
  for (size_t i = 0; i < n; ++i)
    for (const char *c = parts[i]; *c && at < sizeof line - 1; ++c)
      line[at++] = *c;
  line[at++] = '\n';
  write(2, line, at);
}

__attribute__((visibility("hidden"), weak)) void *
__rtlink_stub_resolve(struct stub_library *lib, size_t index) {
  const char *name = lib->names + lib->offsets[index];
  const char *error = 0;
  void *address = 0;
  void *handle = __atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE);
  if (!handle) {
    /* As the library would be if the program had been linked against it:
     * lazy binding, its symbols global. Threads that race here each open it;
     * the first to store keeps its handle and the others give theirs back. */
    void *opened = dlopen(lib->soname, RTLD_LAZY | RTLD_GLOBAL);
    if (!opened) {
      error = dlerror();
    } else {
      void *none = 0;
      if (__atomic_compare_exchange_n(&lib->handle, &none, opened, 0, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE)) {
        handle = opened;
      } else {
        handle = none;
        dlclose(opened);
      }
    }
  }
  if (handle) {
    dlerror();
    address = dlsym(handle, name);
    if (!address)
      error = dlerror();
  }
  if (!address && lib->on_failure)
    address = lib->on_failure(lib->soname, name, error ? error : "no address");
  if (!address) {
    const char *parts[] = {lib->soname, ": cannot call ", name, ": ",
                           error ? error : "no address"};
    say(parts, sizeof parts / sizeof parts[0]);
    abort();
  }
  __atomic_store_n(&lib->slots[index], address, __ATOMIC_RELEASE);
  return address;
}
