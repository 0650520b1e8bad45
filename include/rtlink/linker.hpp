// rtlink/linker.hpp — the C++ API.
//
// A Linker loads relocatable objects, static archives and shared libraries
// into a running process, resolves every symbol (references that go round a
// cycle between objects are normal), and hands back addresses to call.
//
//   auto linker = rtlink::Linker::create();
//   linker->load("rts.o"); linker->load("base.o");
//   if (auto err = linker->resolve()) { puts(err.message().c_str()); }
//   auto addr = linker->lookup("rts_main");
//
// Every call that fails returns an Error naming the file, member, section
// and symbol, and leaves the linker exactly as it was before the call.
//
// Threads: lookup() and purge_lookup_cache() may run concurrently with each
// other and with themselves. Every other call takes the linker exclusively:
// calls from several threads are safe, they run one at a time.
#pragma once

#include <rtlink/error.hpp>
#include <rtlink/executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

class Session;

struct LinkerOptions {
  // Where code runs; the host process when null.
  std::unique_ptr<Executor> executor;
  // Address space reserved once for everything this linker loads. At most
  // 2 GiB, so every pc-relative reference between loaded code fits. It is
  // placed below 2 GiB when it fits there (code built without -fPIC needs
  // that); 512 MiB always fits beside the heap of a host built without PIE,
  // which Linux places at random in the lowest GiB.
  uint64_t reserve_size = uint64_t(1) << 29;
  // Resolve what no loaded unit defines against the process's global scope
  // (dlsym(RTLD_DEFAULT)) after registered symbols and before loaded
  // libraries, as the program's own code binds (so data the executable
  // holds a copy of, such as stdout, is that one copy).
  bool search_process = true;
  // Record the resident set size after each phase in Stats (a /proc read
  // per phase; off unless asked for).
  bool measure_memory = false;
  // How files are read: "io_uring", "threads" (a pool doing pread), "iocp"
  // (Windows), or "mmap" (mapped, nothing copied). Empty: the RTLINK_IO
  // environment variable, else mmap. An unknown name makes create() fail;
  // when io_uring is refused (old kernel, seccomp) the pool reads instead,
  // and the trace says so.
  std::string io;
  // A directory for the link cache (created if missing; empty: no cache). A
  // first resolve looks there for the result of an identical earlier link —
  // the same inputs byte for byte, loaded in the same order, the same
  // libraries, host symbol names, options, executor and rtlink version — and
  // reuses it: its bytes are placed, rebased, bound to this process's
  // symbols, and its initializers run. Otherwise it links and stores the
  // result there. An entry that is cut short, corrupt or no longer fits is
  // ignored with a warning; several processes may share the directory.
  std::string cache_dir;
  // Where warnings go (an ignored cache entry, a cache that cannot be
  // written); stderr, prefixed "rtlink: warning: ", when not set.
  std::function<void(const std::string &)> warning;
  // The most a zstd-compressed input may expand to, in bytes; one that
  // expands further is an error naming it. 0: the RTLINK_MAX_EXPAND
  // environment variable (a size such as "512M" or "4G"), else 1 GiB. An
  // unreadable RTLINK_MAX_EXPAND makes create() fail.
  uint64_t max_expand = 0;
};

// What a file is, told by its content, never by its name.
enum class InputKind { Object, Archive, SharedLibrary, LinkerScript, Unknown };

// Time and memory spent per phase, accumulated over the linker's life.
struct PhaseStat {
  std::chrono::nanoseconds time{0};
  uint64_t rss_after = 0;  // bytes resident after the phase last ran (measure_memory)
};
struct Stats {
  // read: files; parse: objects into link units; load: their symbols into
  // the linker's table (COMDAT selection, duplicates); resolve: archive
  // members pulled, names bound; layout; fixup; run: initializers, calls.
  PhaseStat read, parse, load, resolve, layout, fixup, run;
  uint64_t units_loaded = 0;     // objects and archive members
  uint64_t members_pulled = 0;   // archive members pulled in on demand
  uint64_t edges_applied = 0;
  uint64_t got_cells = 0, stubs = 0;
  uint64_t thunks = 0;  // instructions rewritten to reach outside the range (arch/x86_64_far.hpp)
  uint64_t bytes_mapped = 0;     // memory committed for loaded code and data
  // Bytes read through the reader (LinkerOptions::io other than mmap): files
  // whole, archives as far as their index and the members pulled.
  uint64_t bytes_read = 0;
  // The link cache (LinkerOptions::cache_dir): resolves served from it, not
  // found there, stored there, and entries found but ignored (see warning).
  uint64_t cache_hits = 0, cache_misses = 0, cache_stores = 0, cache_rejected = 0;
};

// Where the linker's memory goes, as it stands (objload --stats prints it).
struct MemoryUse {
  // The pages placed for loaded code and data, by protection.
  uint64_t code = 0, rodata = 0, data = 0;
  // The link units: their sections, symbols, relocations and link state.
  uint64_t units = 0;
  // The global symbol table, the archives' lazy index, the COMDAT table.
  uint64_t tables = 0;
  // The input files, each once: mapped (shared with the page cache) or read.
  uint64_t inputs = 0;
};

struct UnitInfo {
  std::string name;  // "a.o", "libfoo.a(bar.o)"
  bool resolved = false;
  // The pages it lives in, shared with the other members of its archive
  // pulled in by the same resolve.
  uint64_t base = 0, size = 0;
  std::vector<std::string> depends_on;
};

// Where a symbol's address comes from.
struct SymbolInfo {
  std::string name;
  uint64_t address = 0;
  std::string defined_by;  // a unit ("rts.o", "libfoo.a(x.o)"), a library's path, "host", "process"
  CallConv conv = CallConv::SysV;  // how to call it
};

// A name a loaded, not yet resolved unit needs and no loaded unit defines.
struct UndefinedInfo {
  std::string name;
  std::vector<std::string> referenced_by;  // units
  std::string available_from;  // an archive member, "host", a library, "process", or empty
};

using SearchPathHandle = uint64_t;

class Linker {
public:
  static Expected<std::unique_ptr<Linker>> create(LinkerOptions options = {});
  ~Linker();
  Linker(const Linker &) = delete;
  Linker &operator=(const Linker &) = delete;

  // Any input: an object, an archive, a shared library or a GNU ld script
  // naming those (as glibc's libc.so and libm.so are). An archive or shared
  // library loaded already (by this path or another to the same file) is
  // not loaded again, and that is not an error (ld links it once); nor is
  // anything a linker script names that is loaded already. An object loaded
  // already is an error.
  Error load(const std::string &path);
  // Several inputs, read concurrently (through the reader `io` names), then
  // loaded in order; if one fails, none stays loaded.
  Error load(const std::vector<std::string> &paths);
  Error load_object(const std::string &path);
  // An object already in memory (a JIT's output). The bytes are copied (zstd data is decompressed).
  Error load_object_buffer(const std::string &name, std::span<const uint8_t> bytes);
  // Members are pulled in on demand by resolve(), through the symbol table.
  Error load_archive(const std::string &path);
  // dlopen; its symbols serve references no loaded unit defines.
  Error load_library(const std::string &path);

  SearchPathHandle add_search_path(const std::string &dir);
  Error remove_search_path(SearchPathHandle handle);
  std::vector<std::string> search_paths() const;
  // As GNU ld's -lNAME: in each of the search paths, then the system's
  // default directories (ld's order), libNAME.so, then libNAME.a; with
  // `static_only` (ld's -Bstatic) libNAME.a only. ":FILE" names the file.
  Expected<std::string> find_system_library(std::string_view name, bool static_only = false) const;

  // Asks the next resolve() to pull in the archive member that defines
  // `name`, as ld's -u does; an error if no loaded archive offers it.
  Error require(std::string_view name);

  // A host symbol offered to loaded code; it wins over libraries and the
  // process. "DLL!name" (or "DLL!#ordinal") binds a DLL import of that name
  // from an import library, the DLL name matched without regard to case.
  // COFF code calls host functions with the Microsoft x64 convention: offer
  // it __attribute__((ms_abi)) functions; on a POSIX host, COFF code reaches
  // only symbols offered here (never the process's own).
  Error define_symbol(const std::string &name, uint64_t address);

  // Resolves everything loaded since the last resolve: pulls archive members,
  // binds references, lays out, applies fixups, protects, registers unwind
  // information and runs initializers.
  Error resolve();

  // The address of a symbol defined by a resolved unit, a registered host
  // symbol, (with search_process) the process, or a loaded library.
  Expected<uint64_t> lookup(std::string_view name) const;
  void purge_lookup_cache();

  // Unloads an object (or every member pulled from an archive, or a library)
  // by the path it was loaded from: finalizers run, memory is freed. Refused
  // while another loaded unit still references it.
  Error unload(const std::string &path);
  // Several at once: references among them do not hold them back, so the
  // two halves of a cycle are unloaded together.
  Error unload(const std::vector<std::string> &paths);
  // Runs the atexit handlers and finalizers of everything loaded, newest
  // first, as destroying the linker would, and frees nothing: the code stays
  // loaded and callable, and its finalizers do not run again. For a host
  // about to exit, which may then leave the linker to the process's end
  // (objload does: freeing what the system takes back anyway costs time).
  void finalize();

  // Runs loaded code through the executor.
  Expected<int> call_main(std::string_view symbol, const std::vector<std::string> &argv);
  Expected<int> call_int(std::string_view symbol);
  // long SYMBOL(args...), with the symbol's calling convention unless `conv` says otherwise.
  Expected<int64_t> call(std::string_view symbol, std::span<const CallArg> args,
                         std::optional<CallConv> conv = std::nullopt);
  // double SYMBOL(args...), likewise.
  Expected<double> call_double(std::string_view symbol, std::span<const CallArg> args,
                               std::optional<CallConv> conv = std::nullopt);
  // When the last call failed because the loaded code called exit(n) in an
  // executor in another process: n. That process ran the code's atexit
  // handlers, then the units' finalizers, and ended with n; the units loaded
  // into it are gone. (In-process, exit(n) ends the host itself.)
  std::optional<int> exit_status() const;

  // What lookup() finds, and where it comes from.
  Expected<SymbolInfo> describe(std::string_view name) const;
  // The global definitions of resolved units, in load order.
  std::vector<SymbolInfo> symbols() const;
  // What the units loaded since the last resolve still need.
  std::vector<UndefinedInfo> undefined() const;
  // Names lookup() finds only after a resolve: what the units loaded since
  // the last one define, and what loaded archives offer from members nothing
  // has pulled in yet (require() pulls one). Sorted, for completion.
  std::vector<std::string> pending_symbols() const;

  // Lines saying what was loaded and what each reference resolved to.
  void set_trace(std::function<void(const std::string &)> sink);
  const Stats &stats() const;
  // The reader files go through: "mmap", "io_uring", "threads" or "iocp".
  std::string reader() const;
  std::vector<UnitInfo> units() const;
  MemoryUse memory_use() const;
  Executor &executor();

  static InputKind identify(std::span<const uint8_t> bytes);

private:
  template <class T> Expected<T> after_call(Expected<T> r, std::string_view symbol);
  explicit Linker(std::unique_ptr<Session> session);
  std::unique_ptr<Session> session_;
};

} // namespace rtlink
