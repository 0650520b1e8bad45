// link/session.hpp — the state behind one rtlink::Linker, and the passes
// that work on it. The header is the table of contents:
//
//   session.cpp      a unit's link state, the session's end, rollback and
//                    recovery after a lost executor
//   symbols.cpp      adding and removing units: the global symbol table,
//                    COMDAT groups
//   load.cpp         the load verbs: objects, archives, scripts, libraries,
//                    -l names and their search
//   unload.cpp       unload: finalizers, atexit handlers, tables, pages
//   externals.cpp    what the process, libraries and DLLs define (lookups
//                    through the executor, batched and cached)
//   resolve.cpp      resolve(): pulls archive members (a fixpoint), binds
//                    every reference, then runs the passes below in order
//   got_stubs.cpp    GOT cells and jump stubs, decided before layout; code
//                    reaching outside the range rewritten (arch/x86_64_far)
//   ifunc.cpp        IFUNC resolvers, called once their code is placed
//   tls.cpp          thread-local storage: block layout, modules, cells
//   layout.cpp       blocks, segments and addresses inside the reserved range
//   fixup.cpp        edge kinds → bytes (through the unit's ArchBackend,
//                    arch/arch.hpp), veneers, write, protect
//   eh_frame.cpp     checking .eh_frame; dropping FDEs of discarded COMDAT copies
//   initializers.cpp init/fini order (.init_array, .ctors and priorities)
//   gnu_imports.cpp  MinGW (GNU dlltool) import members: cells bound to DLLs
//   coff_imports.cpp __imp_ cells a unit makes, calls through them, auto-import
//   linker_names.cpp the names the linker defines, per format (__dso_handle,
//                    __start_X, __ImageBase, the executor's functions)
//   runtime.cpp      what the linker itself provides (__chkstk)
//   diagnostics.cpp  undefined-symbol reports and their suggestions
//   inspect.cpp      what is loaded, defined and still needed (for tools)
//   address_space.cpp the reserved range and its page allocator
//   cache.cpp        the link cache: the key, its recorder (a LinkObserver,
//                    observer.hpp), storing, restoring (cache.hpp and
//                    cache_entry.cpp: entries and their files)
#pragma once

#include "arch/arch.hpp"
#include "arch/far.hpp"
#include "io/reader.hpp"
#include "link/address_space.hpp"
#include "link/observer.hpp"
#include "support/hash.hpp"
#include "object/archive.hpp"
#include "object/link_unit.hpp"
#include <rtlink/linker.hpp>

#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rtlink {

struct Unit;
namespace cache {
class Recorder;
class Entry;
}
namespace io {
class PartialFile;
}

// Where a symbol's address comes from once resolve() has bound it.
struct Target {
  enum Kind : uint8_t {
    Unbound,
    Own,          // a section of this unit: section address + value
    Other,        // a symbol defined by another unit (or this one, by name)
    Absolute,     // a known address: SHN_ABS, a host symbol, weak undefined (0)
    GOTBase,      // _GLOBAL_OFFSET_TABLE_
    DSOHandle,    // __dso_handle
    SectionStart, // __start_NAME
    SectionStop,  // __stop_NAME
    Common,       // a COMMON allocation owned by this unit
    CellOf,       // __imp_X: the GOT cell of symbol `index` (X) of this unit
    StubVia,      // X called where only __imp_X (symbol `index`) exists: a stub
                  // of this unit that jumps through that cell
    UnitRuntime,  // atexit & co. (runtime.cpp): code of this unit's own that
                  // calls the C library's function (symbol `index`) with the
                  // unit's __dso_handle; `value` says which
  };
  Kind kind = Unbound;
  // Other: the symbol; Common: the allocation; SectionStart / SectionStop:
  // the length of the prefix ("__start_") before the section's name in the
  // symbol's own (24 bytes a Target, one per symbol, where a view of the
  // name made it 48).
  uint32_t index = 0;
  Unit *unit = nullptr;  // Other
  uint64_t value = 0;    // Absolute
};
static_assert(sizeof(void *) != 8 || sizeof(Target) == 24);

struct CommonAlloc {
  std::string_view name;
  uint64_t size, align, addr = 0;
};

// A segment of a block: its pages share one protection.
struct Segment {
  uint64_t offset = 0, size = 0;  // within the block; offsets are page aligned
  Protection prot = Protection::Read;
};

// One run of pages holding the units of one resolve that are unloaded
// together: an object on its own, or the members pulled from one archive.
// [text | read-only | read-write], each segment protected once.
struct Block {
  Allocation mem;
  Segment text, rodata, data;
  uint64_t initialised = 0;  // bytes from the base up to the last non-zero-fill byte
  std::vector<Unit *> units;
};

struct Unit {
  uint64_t id = 0;
  std::string path;  // what unload() matches: the object, or its archive
  LinkUnit lu;
  bool ready = false;
  // Linker::require's: undefined references only, no code, so of no
  // instruction set until resolve gives it the executor's.
  bool references_only = false;
  int32_t archive = -1;  // index into Session::archives, for members
  // Symbols past this index were added by a resolve (see bind) and go when
  // its link state is cleared.
  size_t base_symbols = 0;
  uint32_t member = 0;

  // --- set by resolve(); cleared if it fails ---
  std::vector<Target> targets;        // per symbol
  std::vector<uint8_t> referenced;    // per symbol: some loaded edge uses it
  std::vector<int32_t> got_cell;      // per symbol: cell index or -1
  std::vector<int32_t> stub;          // per symbol: stub index or -1
  std::vector<uint32_t> got_symbols;  // cell → symbol
  std::vector<uint32_t> stub_symbols; // stub → symbol
  std::vector<uint8_t> via_stub;      // per symbol: every edge goes through its stub (an IFUNC)
  // Code that reaches outside the range with a 32-bit field, rewritten
  // (got_stubs.cpp plans, fixup.cpp writes; arch/far.hpp and the arch's
  // planner, such as arch/x86_64_far.hpp, say how).
  struct FarRef {
    uint32_t section;
    uint64_t offset;       // the edge's
    uint32_t target;
    int64_t addend;        // the edge's
    int32_t cell = -1;     // into far_cells
    uint64_t thunk = 0;    // offset in the unit's thunk area
    FarPlan plan;
  };
  std::vector<FarRef> far_refs;       // by section, then offset
  std::vector<std::pair<uint32_t, uint64_t>> runtime_code;  // UnitRuntime symbol, thunk offset
  // Thread-local storage (tls.cpp): the block's layout (per section, its
  // offset in the block), the template (.tdata, in the read-only segment),
  // the executor's module, and the cells GD / LD / TLSDESC / IE code
  // reaches (after the far cells): {module, offset} pairs, 4-cell
  // descriptors and offsets from the thread pointer. A block that initial-
  // or local-exec code reaches is static: in the C library's static TLS
  // area, at tls_tp_offset from every thread's pointer.
  std::vector<uint64_t> tls_offset;
  uint64_t tls_size = 0, tls_align = 1, tls_image = 0, tls_image_size = 0, tls_module = 0;
  bool tls_static = false;
  int64_t tls_tp_offset = 0;
  struct TlsCell {
    EdgeKind kind;  // TLSIndexPCRel32, TLSModulePCRel32, TLSDescPCRel32 or TPOffPCRel32
    uint32_t symbol;
    uint32_t word;  // its first cell, counted from tls_cells_base
  };
  std::vector<TlsCell> tls_cells;
  uint32_t tls_words = 0;
  uint64_t tls_cells_base = 0;
  uint64_t tls_cell(EdgeKind kind, uint32_t symbol) const;
  std::vector<std::pair<uint32_t, int64_t>> far_cells;  // (symbol, addend): after the GOT cells
  uint64_t thunks_size = 0, thunks_base = 0;
  const FarRef *far_ref(uint32_t section, uint64_t offset) const;
  std::vector<CommonAlloc> commons;
  std::vector<uint64_t> section_addr;
  std::vector<uint64_t> addr;         // per symbol
  std::map<std::string_view, std::pair<uint64_t, uint64_t>> named_ranges;  // __start/__stop
  Block *block = nullptr;
  uint64_t got_base = 0, stubs_base = 0, eh_frame = 0, eh_frame_size = 0;
  // COFF: its .pdata sections (RUNTIME_FUNCTION tables), registered with the executor.
  std::vector<Executor::FunctionTable> function_tables;
  uint64_t dso_slot = 0;  // an 8-byte slot of its own: the unit's __dso_handle
  std::vector<uint64_t> finalizers;   // in the order they run
  struct InitEntry {
    int32_t priority;
    std::string_view key;
    bool key_descending;
    uint64_t fn;
    CallConv conv;
  };
  std::vector<InitEntry> init_entries;  // until start_units runs the batch's
  std::vector<Unit *> deps;
  std::vector<uint64_t> libraries;    // handles of the libraries its references bound to

  uint64_t dso_handle() const { return dso_slot; }
  // Where symbol j's binding ends: following names bound to other units
  // (Target::Other) to the unit and symbol that define it.
  std::pair<const Unit *, uint32_t> definition(uint32_t j) const;
  const ArchBackend &arch() const { return arch_backend(lu.arch); }
  CallConv conv() const { return arch().convention(lu.format); }
  uint64_t stub_address(uint32_t j) const { return stubs_base + uint64_t(stub[j]) * arch().stub_size; }
  void clear_link_state();
};

struct LoadedArchive {
  std::shared_ptr<ArchiveReader> reader;
  std::vector<Unit *> pulled;  // per member
  // Its symbol table (or, without one, what its members define), read and
  // checked at load: index_archives puts it in `lazy`, and gives it back.
  std::vector<ArchiveReader::IndexSymbol> index;
  void give_back_index() { std::vector<ArchiveReader::IndexSymbol>().swap(index); }
  // Read through the AsyncReader in parts: members are read as they are pulled.
  std::shared_ptr<const io::PartialFile> partial;
};

struct LoadedLibrary {
  std::string path;
  uint64_t handle;
};

struct GlobalDef {
  Unit *unit;
  uint32_t sym;
};

struct GlobalEntry {
  GlobalDef def;
  uint8_t strength;  // 1 weak, 2 common, 3 strong
  std::vector<GlobalDef> shadowed;
};

struct LazyMember {
  uint32_t archive;
  uint32_t member;
};

// What the session held before a verb, so a failure can go back to it.
struct Checkpoint {
  size_t units, archives, libraries;
};

class Session {
public:
  Session(LinkerOptions options, std::unique_ptr<Executor> executor, AddressSpace space);
  ~Session();

  // --- the verbs (api/linker.cpp takes the locks) ---
  Error load(const std::string &path);
  Error load(const std::vector<std::string> &paths);
  Error load_data(const std::string &given, std::shared_ptr<const FileData> file);
  void rollback(const Checkpoint &cp);
  // After the executor ended by itself: forgets every unit, archive and
  // library (they lived in it) without asking it anything, and reserves the
  // address space again in a fresh one. True if it had ended.
  bool recover_if_lost();
  // Finalizers, atexit handlers and unwind tables of these units (newest
  // first); each runs once. `tables`: false leaves the unwind tables (the
  // code stays callable: Linker::finalize).
  void run_finalizers(const std::vector<Unit *> &newest_first, bool tables = true);
  Error load_object_file(const std::string &path);
  Error load_object_buffer(const std::string &name, std::span<const uint8_t> bytes);
  Error load_archive(const std::string &path);
  Expected<std::shared_ptr<const FileData>> read_input(const std::string &given);
  Error load_object_data(const std::string &given, std::shared_ptr<const FileData> file,
                         std::string key = {});
  Error load_archive_data(const std::string &given, std::shared_ptr<const FileData> file);
  Error load_library(const std::string &path);
  Error require(std::string_view name);
  Error resolve();
  Expected<uint64_t> lookup(std::string_view name);
  // How to call a symbol: by the format of the unit that defines it.
  CallConv calling_convention(std::string_view name) const;
  // inspect.cpp
  Expected<SymbolInfo> describe(std::string_view name);
  std::vector<SymbolInfo> symbol_list() const;
  std::vector<UndefinedInfo> undefined_list();
  std::vector<std::string> pending_list();
  Error unload(const std::vector<std::string> &paths);
  Expected<std::string> find_system_library(std::string_view name, bool static_only = false) const;
  // A file loaded already: an object (not a member), an archive, a library.
  bool loaded_already(const std::string &path) const;
  void purge_lookup_cache();

  LinkerOptions options;
  // GNU ld scripts whose inputs are being loaded, outermost first: (as
  // named, absolute path), to refuse one that names itself.
  std::vector<std::pair<std::string, std::string>> scripts_open;
  std::unique_ptr<io::AsyncReader> reader;  // null: files are mapped
  std::string reader_name, reader_note;
  std::unique_ptr<Executor> executor;
  AddressSpace space;
  Stats stats;
  std::function<void(const std::string &)> trace;
  uint64_t next_search_handle = 1;
  // The search paths changed since the executor was told (see send_library_dirs).
  bool library_dirs_changed = false;
  // Tells the executor the search paths (absolute), if they changed: before
  // it loads a library or binds an import.
  Error send_library_dirs();
  std::vector<std::pair<SearchPathHandle, std::string>> search_paths;
  std::unordered_map<std::string, uint64_t> host_symbols;
  // The last call's loaded code called exit(n) in an executor process (see
  // Executor::exiting): n.
  std::optional<int> exit_status;
  mutable std::shared_mutex lock;  // exclusive for every verb but lookup

  std::vector<std::unique_ptr<Unit>> units;
  std::vector<std::unique_ptr<Block>> blocks;
  std::vector<std::unique_ptr<LoadedArchive>> archives;  // null once unloaded
  std::vector<LoadedLibrary> libraries;
  NameMap<GlobalEntry> globals;  // support/hash.hpp
  // Each COMDAT signature's kept copy: its unit and the group's index there.
  struct ComdatOwner {
    Unit *unit;
    uint32_t group;
  };
  NameMap<ComdatOwner> comdats;
  // Which archive member defines a name (the first archive to offer it
  // wins). Filled at the first verb that needs it, not at load: a resolve
  // served by the link cache never does.
  NameMap<LazyMember> lazy;
  size_t lazy_indexed = 0;  // archives[0, lazy_indexed) are in `lazy`
  void index_archives();

  // What COMDAT LARGEST takeovers changed in earlier units, so a failed
  // resolve can put it back (see add_unit).
  struct Takeover {
    Unit *owner;
    uint32_t group;  // its index in the owner
    std::string_view signature;
    std::vector<uint32_t> sections;
    std::vector<std::pair<uint32_t, Symbol>> symbols;  // index, as it was
  };
  std::vector<Takeover> takeovers;
  void undo_takeovers(size_t keep);

  // --- session.cpp ---
  // Checks a parsed unit against the tables, then adds it; on error nothing changed.
  Expected<Unit *> add_unit(LinkUnit lu, std::string path, int32_t archive, uint32_t member);
  // Takes a unit out of every table (for unload and for rollback).
  void remove_unit(Unit *u);
  static bool offers(const Symbol &s);
  static uint8_t strength(const Symbol &s);  // 1 weak, 2 common, 3 strong
  void link_global(Unit *u, uint32_t j) { link_global(u, j, u->lu.symbols[j].name); }
  void link_global(Unit *u, uint32_t j, const NameKey &name);  // its name, hashed
  void unlink_global(Unit *u, uint32_t j);
  // A member's unit, parsed on its own (its bytes read already); changes
  // nothing, so several threads may parse at once.
  Expected<LinkUnit> parse_member(uint32_t archive, uint32_t member) const;
  // The pages of these units' mapped inputs that are no longer read
  // (LinkUnit::unread_input), given back in one call.
  static void give_back_unread(std::span<const LinkUnit *const> units, bool copied);
  struct ParsedMember {
    std::optional<Expected<LinkUnit>> unit;
    std::exception_ptr thrown;  // what parse_member threw instead
  };
  // Parses (unless `parsed` is given: its result) and adds a member.
  Expected<Unit *> pull_member(uint32_t archive, uint32_t member, ParsedMember *parsed = nullptr);
  // The members these units' references would pull now, each once, in the
  // order a pull would meet them (a pull changes the tables, so it may
  // take fewer). With `wanting`, also each unit's symbols that want a
  // member now (wants_archive_member), by index, a list per unit: the only
  // ones that can still want one once members are pulled, as pulling only
  // adds definitions.
  std::vector<LazyMember> members_wanted(std::span<Unit *const> units,
                                         std::vector<std::vector<uint32_t>> *wanting = nullptr) const;
  // The archive member that would define what `s` (of `u`) needs, if one does.
  std::optional<LazyMember> member_for(const Unit &u, const Symbol &s) const;
  // Reads, in one batch, those of these members (a round's, members_wanted)
  // that lie in archives read in parts (pull_member reads any other one it
  // needs on its own).
  Error read_members_for(std::span<const LazyMember> wanted);
  std::string describe_def(const GlobalDef &d) const;

  // --- session.cpp: symbols from outside the range, cached ---
  struct External {
    enum From : uint8_t { Host, Process, Library };
    uint64_t address;
    uint64_t library;  // the handle of the loaded library it came from; 0 otherwise
    From from;
  };
  // Where it came from, in words: "host", "process", or the library's path.
  std::string describe_external(const External &x) const;
  // Registered host symbols, then the process's global scope (with
  // options.search_process: what the program's own code binds to, so
  // copy-relocated data such as stdout is the one copy), then the loaded
  // libraries in load order. COFF code on a POSIX host reaches only
  // registered host symbols (they must be ms_abi functions): `host_only`.
  std::optional<External> lookup_external(std::string_view name, bool host_only = false);
  // Asks the executor, in one request for the process and one per library,
  // for every name the batch references and nothing loaded defines; the
  // answers go into the lookup cache that lookup_external reads.
  void prefetch_externals(const std::vector<Unit *> &batch);
  // The same for these names (not looked up yet, not registered host symbols).
  void prefetch_names(std::vector<std::string> names);
  // An import symbol "dll!name": a registered host symbol, or the executor's DLLs.
  std::optional<uint64_t> lookup_import(std::string_view key);
  bool wants_archive_member(const Unit &u, const Symbol &s) const;                    // resolve.cpp
  static bool is_runtime_symbol(std::string_view name);                // runtime.cpp
  // atexit, at_quick_exit, pthread_atfork, __stack_chk_fail_local: what
  // glibc keeps in libc_nonshared.a, given by rtlink to each unit (its
  // index in that list, or -1), and the C library function each calls.
  static int unit_runtime_function(std::string_view name, Format format);  // runtime.cpp
  // Whether code of this format reaches only registered host symbols: COFF
  // code (the Microsoft convention) where the executor's own process calls
  // with another; in a Windows process it binds to DLL exports as ELF code
  // binds to a library's symbols.
  bool host_only(Format format) const {
    return format == Format::COFF && executor->native_convention() != CallConv::Microsoft;
  }
  // Whether units get that function: ELF's always; COFF's where the
  // executor has the function their code calls.
  bool unit_runtime_applies(int function) const;  // runtime.cpp
  // The names COFF units' code calls: the executor's atexit registrar, its
  // C++ throw (Executor::runtime_functions 3 and 4).
  static constexpr std::string_view kCoffAtexit = "__rtlink_unit_atexit";
  static constexpr std::string_view kCoffCxxThrow = "__rtlink_cxx_throw";
  // Which of Executor::runtime_functions a name is (-1: none of them).
  static int executor_function(std::string_view name);  // linker_names.cpp
  // A name the linker defines for each unit of this format (linker_names.cpp):
  // never pulled from an archive.
  static bool linker_defined(std::string_view name, Format format);
  // Binds `s` of `u` when the linker defines its name; `missing` when that
  // is the executor's and it has none.
  bool bind_linker_name(const Unit &u, const Symbol &s, Target &t, bool &missing);
  // Symbols bind adds to a unit for DLL imports (coff_imports.cpp): pairs
  // of (the unit's symbol, the symbol added for it).
  struct ImportBindings {
    std::vector<std::pair<uint32_t, uint32_t>> cells;         // (__imp_X, X): the unit makes the cell
    std::vector<std::pair<uint32_t, uint32_t>> via;           // (X, __imp_X): a stub through it
    std::vector<std::pair<uint32_t, uint32_t>> auto_imports;  // (X, "dll!X"): the import itself
  };
  ImportBindings bind_import_names(Unit &u, std::string &errors);
  static std::string_view unit_runtime_callee(int function);           // runtime.cpp
 // runtime.cpp
  Expected<Unit *> add_runtime_unit();                                 // runtime.cpp
  Error bind_gnu_imports(const std::vector<Unit *> &batch);            // gnu_imports.cpp
  Expected<std::optional<std::string>> delay_import_of(const Unit &u) const;  // gnu_imports.cpp
  Expected<std::string_view> dll_name_at(std::string_view iname) const;       // gnu_imports.cpp
  Expected<const LinkUnit *> head_member(std::string_view head) const;        // gnu_imports.cpp
  static void rebind_cell(Unit &u, uint32_t cell, const std::string &key);    // gnu_imports.cpp

  // --- the passes (one file each) ---
  Error bind(const std::vector<Unit *> &batch);                 // resolve.cpp
  Error plan_got_and_stubs(const std::vector<Unit *> &batch);   // got_stubs.cpp
  struct FarEdge {
    uint32_t section;
    const Edge *edge;
    uint64_t address;  // of its target
  };
  template <class MakeStub>
  void plan_far(Unit &u, const std::vector<FarEdge> &far,
                MakeStub &&stub, std::string &errors) const;          // got_stubs.cpp
  Error layout(const std::vector<Unit *> &batch);               // layout.cpp
  Error layout_block(const std::vector<Unit *> &group);         // layout.cpp
  void free_blocks(const std::vector<Unit *> &units);           // layout.cpp
  Error compute_addresses(const std::vector<Unit *> &batch);    // layout.cpp
  // The passes a watcher of the link (link/observer.hpp: the cache's recorder)
  // is handed to; null when none watches.
  Error apply_fixups(const std::vector<Unit *> &batch, LinkObserver *observer);  // fixup.cpp
  // The blocks' bytes: copied, fixed up (fix_unit, unit by unit) and placed.
  Error make_blocks(std::span<Block *const> blocks, LinkObserver *observer);  // fixup.cpp
  Error fix_unit(Unit &u, uint8_t *image, uint64_t base, LinkObserver *observer,
                 uint64_t &edges);  // fixup.cpp
  // Edge e of section i of u: the values of its fixup expression; then
  // applied at `site` as `kind` (an error names the site if it overflows).
  Error edge_values(const Unit &u, uint32_t i, const Edge &e, Fixup &f) const;
  Error apply_edge(const Unit &u, uint32_t i, const Edge &e, const Fixup &f,
                   EdgeKind kind, uint8_t *site) const;
  // The IFUNC definitions of the batch: each resolver called, the result
  // written into every cell that holds the function.
  Error resolve_ifuncs(const std::vector<Unit *> &batch, LinkObserver *observer);  // ifunc.cpp
  // Thread-local storage (tls.cpp): the block layout and cells of a unit
  // (before layout); the executor's modules (after it); their end.
  Error plan_tls(Unit &u);
  Error create_tls_modules(const std::vector<Unit *> &batch, LinkObserver *observer);
  void destroy_tls_modules(const std::vector<Unit *> &units);
  void write_tls_cells(const Unit &u, uint8_t *image, uint64_t base) const;
  // Symbol j of u, a variable of a static block: its offset from the thread
  // pointer.
  uint64_t tp_offset(const Unit &u, uint32_t j) const;
  // A static block's first bytes in every thread: .tdata with its
  // relocations applied.
  Expected<std::vector<uint8_t>> relocated_template(const Unit &u) const;
  // The executor's (Executor::runtime_functions): 0 __tls_get_addr's
  // stand-in, 1 the TLS descriptor function, 2 __cxa_thread_atexit's
  // stand-in, 3 COFF units' atexit registrar, 4 their C++ throw (0 where
  // it has none).
  uint64_t runtime_function(int which) const;  // runtime.cpp
  mutable std::optional<RuntimeFunctions> runtime_functions_;  // asked once per executor
  uint64_t tls_descriptor = 0;  // the executor's TLS descriptor function, once asked
  // Symbol j of u names an IFUNC not resolved yet: its definition.
  static const Unit *pending_ifunc(const Unit &u, uint32_t j, uint32_t &def);  // ifunc.cpp
  Error write_thunk(const Unit &u, const Unit::FarRef &far, uint8_t *thunk, uint8_t *insn,
                   uint64_t sec_addr, uint64_t cell, LinkObserver *observer);  // fixup.cpp
  // The ending a resolve and a restore from the link cache share
  // (resolve.cpp): once the blocks are placed, the units' unwind tables
  // registered (an error leaves none registered); once the units are the
  // session's, start_units runs the initializers in `order`.
  Error register_unwind(const std::vector<Unit *> &batch);
  Error start_units(const std::vector<Unit *> &batch, const std::vector<Unit::InitEntry> &order);
  std::vector<Unit::InitEntry> initializer_order(const std::vector<Unit *> &batch) const;
  Error run_in_order(const std::vector<Unit::InitEntry> &entries);
  // The bytes of a block (none when they were written in place), then its
  // segments' protections: one request to a remote executor.
  Error place_block(const Block &b, std::span<const uint8_t> bytes);  // fixup.cpp

  // --- cache.cpp: the link cache (LinkerOptions::cache_dir) ---
  // What identifies this link: every input, option and version that
  // changes its result. Empty when the cache does not apply (not a first
  // resolve).
  std::string cache_key();
  // Serves the batch from the cache: true if it did (the batch's units are
  // replaced by the cached ones, resolved, initializers run into `init`).
  // An entry that cannot be used is reported through warn() and left alone.
  bool restore_from_cache(const std::string &key, Error &init);
  void store_in_cache(const std::string &key, cache::Recorder &recorder);
  Error find_cached_names(const cache::Entry &e, std::vector<uint64_t> &found);
  std::vector<std::unique_ptr<Unit>> cached_units(const cache::Entry &e,
                                                  std::vector<std::unique_ptr<Block>> &placed);
  void adopt_cached_units(std::vector<std::unique_ptr<Unit>> made,
                          std::vector<std::unique_ptr<Block>> &placed);
  void warn(const std::string &message) const;
  std::string describe_address(uint64_t a) const;  // inspect.cpp
  MemoryUse memory_use() const;                    // inspect.cpp
  Error undefined_report(const std::vector<std::pair<Unit *, uint32_t>> &missing) const; // diagnostics.cpp

private:
  mutable std::mutex cache_lock_;
  mutable std::unordered_map<std::string, External> cache_;
  uint64_t next_unit_id_ = 1;
  friend class Linker;
};

// eh_frame.cpp: checks the record structure of an .eh_frame section, and
// drops the FDEs whose function lies in a discarded section.
Error check_eh_frame(const LinkUnit &lu, uint32_t section);
// The type table of the LSDA (in a .gcc_except_table section) that holds
// `offset`, found through the unit's .eh_frame: where its @TType encoding
// byte is, the encoding, and the table's end (`base`, entries lie below it).
struct TypeTable {
  uint64_t header, encoding_at;
  uint8_t encoding;
  uint64_t header_end, base;
};
std::optional<TypeTable> type_table_at(const LinkUnit &lu, uint32_t section, uint64_t offset);
Error prune_eh_frame(LinkUnit &lu, uint32_t section);

// initializers.cpp: reads the init/fini arrays of a unit out of its fixed-up
// bytes (`image` starts at the unit's base).
void collect_init_fini(Unit &u, const uint8_t *image, uint64_t image_base);

} // namespace rtlink
