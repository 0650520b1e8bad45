// rtlink/executor.hpp — the seam between linking and running.
//
// Linking (parsing, resolving, layout, fixups) happens in the controller, the
// process that owns the rtlink::Linker. The Executor is the process the code
// runs in: it only reserves and writes memory, sets protections, finds
// symbols in its own process, registers unwind tables, runs initializers and
// calls functions. Addresses are plain integers so the executor can be
// another process; the in-process executor is the host itself.
#pragma once

#include <rtlink/error.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

enum class Protection : uint8_t { None, Read, ReadWrite, ReadExecute };

// The instruction set loaded code is for, and the executor runs.
enum class Arch : uint8_t { X86_64 = 1, AArch64 = 2 };
// "x86-64", "aarch64".
const char *arch_name(Arch arch);

// How loaded code is called: System V for x86-64 ELF code, Microsoft x64 for
// x86-64 COFF code (its arguments in rcx, rdx, r8, r9, with 32 bytes of
// shadow space), AAPCS64 for aarch64 code (x0-x7, d0-d7).
enum class CallConv : uint8_t { SysV, Microsoft, AAPCS64 };

// An argument of a call: an integer (or pointer), a double, or bytes the
// executor copies into its own memory and passes a pointer to (a string,
// with its terminating NUL).
struct CallArg {
  enum Kind : uint8_t { Int, Float, Bytes } kind = Int;
  uint64_t bits = 0;  // Int: the value; Float: the double's bits
  std::string bytes;  // Bytes
};

// The executor's own functions loaded code calls (Executor::runtime_functions).
using RuntimeFunctions = std::array<uint64_t, 5>;

class Executor {
public:
  virtual ~Executor() = default;

  // "in-process", or how to reach a remote one.
  virtual std::string describe() const = 0;
  virtual uint64_t page_size() const = 0;
  // The calling convention of the executor's own process: its functions,
  // libraries and DLL exports (Microsoft in a Windows process).
  virtual CallConv native_convention() const { return CallConv::SysV; }
  // The instruction set of the executor's process: only units for it load.
  virtual Arch arch() const { return Arch::X86_64; }

  // Reserves `size` bytes of inaccessible address space. With `low`, the
  // range is sought below 2 GiB first, so code built without -fPIC reaches it
  // with 32-bit absolute addresses; it falls back to anywhere.
  virtual Expected<uint64_t> reserve(uint64_t size, bool low) = 0;
  virtual Error release(uint64_t base, uint64_t size) = 0;
  // Makes pages inside a reservation readable and writable (zero-filled).
  virtual Error commit(uint64_t addr, uint64_t size) = 0;
  // Returns pages to the reservation: inaccessible, their memory given back.
  virtual Error decommit(uint64_t addr, uint64_t size) = 0;
  virtual Error write(uint64_t addr, std::span<const uint8_t> bytes) = 0;
  // Where the controller may write committed memory directly, when it shares
  // the executor's address space; null otherwise (then write() is used).
  virtual uint8_t *direct_view(uint64_t addr) { (void)addr; return nullptr; }
  // A hint: these committed pages are about to be written.
  virtual void prefault(uint64_t addr, uint64_t size) { (void)addr, (void)size; }
  // Maps `size` bytes of a file at `offset` (both page multiples) over
  // committed pages at `addr`, copy-on-write: what is written there stays in
  // this process. The link cache maps a cached block's bytes this way; an
  // executor that cannot says so, and the bytes are written instead.
  virtual Error map_file(uint64_t addr, uint64_t size, const std::string &path, uint64_t offset) {
    (void)addr, (void)size, (void)offset;
    return make_error(path, ": this executor does not map files");
  }
  // Never writable and executable at once: ReadExecute drops write access.
  virtual Error protect(uint64_t addr, uint64_t size, Protection prot) = 0;
  // Writes `bytes` (if any) at `addr`, then gives each range its protection:
  // a block's bytes and its segments in one go (a remote executor sends them
  // all, then takes the replies).
  struct ProtectRange {
    uint64_t addr, size;
    Protection prot;
  };
  virtual Error place(uint64_t addr, std::span<const uint8_t> bytes,
                      std::span<const ProtectRange> ranges) {
    if (!bytes.empty())
      if (Error e = write(addr, bytes))
        return e;
    for (const ProtectRange &r : ranges)
      if (Error e = protect(r.addr, r.size, r.prot))
        return e;
    return Error::success();
  }

  // The executor's own process: what dlsym(RTLD_DEFAULT) finds.
  virtual std::optional<uint64_t> lookup_process_symbol(std::string_view name) = 0;
  // Thread-local storage of a loaded unit (its template at `image`, the
  // first `image_size` bytes initialised, `size` in all): a module handle
  // for {module, offset} pairs.
  virtual Expected<uint64_t> create_tls_module(uint64_t image, uint64_t image_size,
                                               uint64_t size, uint64_t align) {
    (void)image, (void)image_size, (void)size, (void)align;
    return make_error("this executor has no thread-local storage for loaded code");
  }
  // A module whose block lies at one offset from every thread's pointer
  // (initial- and local-exec code needs that): each thread's block starts as
  // `image` (the template, relocated) followed by zeros to `size`. Returns
  // the module and the block's offset from the thread pointer.
  struct StaticTls {
    uint64_t module;
    int64_t offset;
  };
  virtual Expected<StaticTls> create_static_tls_module(std::span<const uint8_t> image,
                                                       uint64_t size, uint64_t align) {
    (void)image, (void)size, (void)align;
    return make_error("this executor has no static thread-local storage for loaded code");
  }
  virtual Error destroy_tls_module(uint64_t module) {
    (void)module;
    return Error::success();
  }
  // Functions of the executor's own that loaded code calls, by address (0
  // where it has none): 0 __tls_get_addr's stand-in, 1 the TLS descriptor
  // function, 2 __cxa_thread_atexit's stand-in, 3 what a COFF unit's atexit
  // and _onexit call, `int f(void (*fn)(void), void *dso, int onexit)` in
  // the Windows convention (registers fn with the unit; returns 0, or fn for
  // _onexit), so that run_atexit_handlers(dso) runs them; 4 what MSVC-ABI
  // code's _CxxThrowException calls, `void f(void *object, const void
  // *throw_info, uint64_t image_base)` in the Windows convention (raises the
  // C++ exception with the base the throw info is relative to).
  virtual Expected<RuntimeFunctions> runtime_functions() {
    return make_error("this executor has no runtime functions for loaded code");
  }
  // Whether each address lies in code (an executable mapping of the
  // process: a function) or not (data); unknown where it cannot tell.
  virtual std::vector<std::optional<bool>> is_code(std::span<const uint64_t> addrs) {
    return std::vector<std::optional<bool>>(addrs.size());
  }
  // dlopen / LoadLibrary; the handle is opaque.
  virtual Expected<uint64_t> load_library(const std::string &path) = 0;
  virtual Error unload_library(uint64_t handle) = 0;
  virtual std::optional<uint64_t> lookup_library_symbol(uint64_t handle,
                                                        std::string_view name) = 0;

  // .eh_frame of a loaded unit, terminated by a zero word.
  virtual Error register_eh_frame(uint64_t addr) = 0;
  virtual Error deregister_eh_frame(uint64_t addr) = 0;

  // Calls each `void f(void)` in order (initializers, finalizers).
  virtual Error run_functions(std::span<const uint64_t> functions, CallConv conv) = 0;
  // Runs the __cxa_atexit registrations made with this __dso_handle.
  virtual Error run_atexit_handlers(uint64_t dso_handle) = 0;
  // int main(int argc, char **argv)
  virtual Expected<int> call_main(uint64_t addr, const std::vector<std::string> &argv,
                                  CallConv conv) = 0;
  // int f(void)
  virtual Expected<int> call_int(uint64_t addr, CallConv conv) = 0;
  // long f(args...): up to 6 integer and 8 floating-point arguments (System V),
  // or 8 arguments in all (Microsoft x64); the integer result (rax).
  virtual Expected<int64_t> call(uint64_t addr, CallConv conv, std::span<const CallArg> args) = 0;
  // double f(args...): the same arguments, the floating-point result (xmm0, d0).
  virtual Expected<double> call_double(uint64_t addr, CallConv conv,
                                       std::span<const CallArg> args) = 0;

  // A DLL's export, for an import bound at load (LoadLibrary/GetProcAddress on
  // Windows); an executor without DLLs finds none. `ordinal` is set for an
  // import by ordinal.
  virtual std::optional<uint64_t> lookup_import(const std::string &dll, std::string_view name,
                                                std::optional<uint16_t> ordinal) {
    (void)dll, (void)name, (void)ordinal;
    return std::nullopt;
  }
  // Several at once, for an executor a round trip away; by default one by
  // one. Eh-frames and atexit handlers are taken in the order given.
  virtual std::vector<std::optional<uint64_t>> lookup_process_symbols(
      std::span<const std::string> names) {
    std::vector<std::optional<uint64_t>> out;
    for (const std::string &n : names)
      out.push_back(lookup_process_symbol(n));
    return out;
  }
  virtual std::vector<std::optional<uint64_t>> lookup_library_symbols(
      uint64_t handle, std::span<const std::string> names) {
    std::vector<std::optional<uint64_t>> out;
    for (const std::string &n : names)
      out.push_back(lookup_library_symbol(handle, n));
    return out;
  }
  virtual Error register_eh_frames(std::span<const uint64_t> addrs) {
    for (size_t i = 0; i < addrs.size(); ++i)
      if (Error e = register_eh_frame(addrs[i])) {
        while (i-- > 0)
          (void)deregister_eh_frame(addrs[i]);
        return e;
      }
    return Error();
  }
  virtual Error deregister_eh_frames(std::span<const uint64_t> addrs) {
    Error first;
    for (uint64_t a : addrs)
      if (Error e = deregister_eh_frame(a); e && !first)
        first = std::move(e);
    return first;
  }
  virtual Error run_atexit_batch(std::span<const uint64_t> dso_handles) {
    for (uint64_t h : dso_handles)
      if (Error e = run_atexit_handlers(h))
        return e;
    return Error();
  }
  // Directories where load_library and imports look for a library given by
  // name, before the system's own places (AddDllDirectory on Windows); the
  // whole list each time. Absolute paths.
  virtual Error set_library_dirs(std::span<const std::string> dirs) {
    (void)dirs;
    return Error();
  }
  // A COFF unit's .pdata: `count` RUNTIME_FUNCTION entries at `table`, their
  // RVAs relative to `base` (RtlAddFunctionTable on Windows, so SEH and C++
  // exceptions unwind through loaded code; nothing to do elsewhere).
  struct FunctionTable {
    uint64_t table;
    uint32_t count;
    uint64_t base;
  };
  virtual Error register_function_tables(std::span<const FunctionTable> tables) {
    (void)tables;
    return Error();
  }
  virtual Error deregister_function_tables(std::span<const uint64_t> tables) {
    (void)tables;
    return Error();
  }
  // Starts a remote executor now, without waiting for it (the Linker then
  // reserves its range at the first resolve, and the executor starts while
  // the controller parses); false for an executor with nothing to start.
  virtual bool start_in_background() { return false; }
  // True once after the executor ended without being asked to (a fault in
  // loaded code, a kill): what was loaded into it is gone, and the next
  // request starts a fresh one. The in-process executor is never lost.
  virtual bool take_loss() { return false; }
  // How the executor's last call ended when the code raised an exception
  // nothing handled, where the executor can say it (the Windows executor):
  // what ("access violation reading 0x0") and the instruction's address.
  struct Crash {
    std::string what;
    uint64_t pc;
  };
  virtual std::optional<Crash> take_crash() { return std::nullopt; }
  // True when the executor's process ends with the executor object (one the
  // linker started): destroying the linker then runs finalizers and atexit
  // handlers there, and leaves the rest (unwind tables, pages) to its end.
  virtual bool ends_with_linker() const { return false; }
  // The loaded code called exit(status) during the last call, in an
  // executor in another process: there, the C library ran the atexit
  // handlers, and the executor waits inside exit, serving requests (the
  // units' finalizers), until finish_exit() lets it end with that status.
  // Never set in-process (exit ends the host itself).
  virtual std::optional<int> exiting() const { return std::nullopt; }
  // Lets an exiting executor end (its output flushed, its status `status`);
  // it then counts as lost (take_loss), with everything loaded into it.
  virtual void finish_exit() {}
  // An empty round trip (to measure the channel).
  virtual Error ping() { return Error(); }
};

// The host process itself. `process_libraries` are libraries the process is
// taken to hold without having them loaded yet (objload's C++ library, which
// it links in statically, as a C++ program would have libstdc++.so): the
// first time a name is not found in the process, they are opened into it
// (for good, as a dlopen with RTLD_GLOBAL), one at a time in order, until it
// is. One that does not open is passed over.
std::unique_ptr<Executor> make_in_process_executor(std::vector<std::string> process_libraries = {});

// Another process, started on first use: `argv` with the protocol channel as
// its descriptor `fd` (objload-executor --fd=3), or with `tcp`, `argv` plus
// --connect=127.0.0.1:PORT (for a program that cannot inherit a descriptor,
// such as a Windows executor under wine). What the loaded code prints goes to
// the controller's own stdout and stderr, which the executor inherits.
// An executor has `handshake_timeout_ms` to connect (with `tcp`) and then as
// long again to answer the handshake; one that has not is stopped and the
// start fails, saying so (wine's first start in a new prefix takes seconds:
// the default allows minutes).
struct RemoteCommand {
  std::vector<std::string> argv;
  bool tcp = false;
  int fd = 3;
  int handshake_timeout_ms = 120000;
};
std::unique_ptr<Executor> make_remote_executor(RemoteCommand command);

// Stops the remote call under way, if any (its executor is killed; the call
// fails with how it ended: "interrupted: executor terminated by signal 9
// (SIGKILL)"). Safe in a signal handler: objload's Ctrl-C.
void stop_running_call();

} // namespace rtlink
