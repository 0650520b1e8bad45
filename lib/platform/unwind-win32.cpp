// platform/unwind-win32.cpp — Windows unwinds through .pdata, registered with
// RtlAddFunctionTable: SEH and C++ exceptions then pass through loaded code.
// DWARF frame tables of ELF code have no use here.
//
// The end of a unit: a COFF unit's atexit and _onexit (global destructors of
// C++, from MinGW's and MSVC's compilers alike) come here through a few bytes
// of the unit's own that add its __dso_handle (link/runtime.cpp), not to the
// C runtime's list, which would run them at the process's exit, after their
// pages are gone, or never. run_atexit_handlers runs a unit's, newest first,
// at its unload and at the Linker's end.
//
// A C++ throw of MSVC-ABI code comes here the same way (rtlink_cxx_throw).
#include "platform/platform.hpp"

#include <windows.h>

#include <algorithm>
#include <vector>

namespace {
struct AtExit {
  void (*fn)(void);
  void *dso;
};
SRWLOCK g_atexit_lock = SRWLOCK_INIT;  // (std::mutex: not in the win32 thread model)
struct Locked {
  Locked() { AcquireSRWLockExclusive(&g_atexit_lock); }
  ~Locked() { ReleaseSRWLockExclusive(&g_atexit_lock); }
};
std::vector<AtExit> g_atexit;

// atexit(fn): 0, or -1 if it cannot; _onexit(fn): fn, or 0.
intptr_t rtlink_unit_atexit(void (*fn)(void), void *dso, int onexit) {
  try {
    Locked g;
    g_atexit.push_back({fn, dso});
  } catch (...) {
    return onexit ? 0 : -1;
  }
  return onexit ? reinterpret_cast<intptr_t>(fn) : 0;
}

// A C++ throw of MSVC-ABI code: _CxxThrowException(object, throw_info)
// raises exception 0xE06D7363 with four arguments, the last the image base
// the throw info's RVAs (its copy constructor, catchable types) are
// relative to. The C runtime's own asks the loader for it
// (RtlPcToFileHeader), which knows only modules it loaded: for loaded code
// it answers 0 and the catch search reads from RVAs off 0. Each COFF unit's
// _CxxThrowException is a few bytes passing its __ImageBase here
// (link/runtime.cpp); the rest is the runtime's own: the frame handler
// (__CxxFrameHandler3, from msvcrt or vcruntime) finds catch blocks through
// the registered function tables and their base. `throw;` comes with no
// object and no throw info, as in the runtime's: its frame handler then
// rethrows the exception being handled.
[[noreturn]] void rtlink_cxx_throw(void *object, const void *throw_info, uint64_t image_base) {
  constexpr DWORD kCxxException = 0xE06D7363;  // 0xE0000000 | "msc"
  constexpr ULONG_PTR kMagic = 0x19930520, kPureMagic = 0x01994000;
  constexpr uint32_t kPure = 8;  // the throw info's attributes: thrown by /clr:pure code
  ULONG_PTR args[4] = {kMagic, reinterpret_cast<ULONG_PTR>(object),
                       reinterpret_cast<ULONG_PTR>(throw_info), ULONG_PTR(image_base)};
  if (throw_info && (*static_cast<const uint32_t *>(throw_info) & kPure))
    args[0] = kPureMagic;
  RaiseException(kCxxException, EXCEPTION_NONCONTINUABLE, 4, args);
  for (;;)  // a noncontinuable exception does not return
    RaiseException(STATUS_NONCONTINUABLE_EXCEPTION, EXCEPTION_NONCONTINUABLE, 0, nullptr);
}
} // namespace

namespace rtlink::platform {

void register_eh_frame(uint64_t) {}
void deregister_eh_frame(uint64_t) {}

void run_atexit_handlers(uint64_t dso_handle) {
  void *dso = reinterpret_cast<void *>(dso_handle);
  for (;;) {
    void (*fn)(void) = nullptr;
    {
      Locked g;
      for (size_t i = g_atexit.size(); i-- > 0;)
        if (g_atexit[i].dso == dso) {
          fn = g_atexit[i].fn;
          g_atexit.erase(g_atexit.begin() + std::ptrdiff_t(i));
          break;
        }
    }
    if (!fn)
      return;
    fn();  // may register more: they run too
  }
}

RuntimeFunctions runtime_functions() {
  return {0, 0, 0, reinterpret_cast<uint64_t>(&rtlink_unit_atexit),
          reinterpret_cast<uint64_t>(&rtlink_cxx_throw)};
}

// A unit's .pdata sections are many tables (GCC gives each COMDAT function
// its own .pdata$NAME), all relative to one base, the range's start. The
// system does not look a pc up in whichever table holds it: wine takes the
// first table whose span [base, base + its last EndAddress) covers the pc
// and searches only that one, so a function of a later table is not found
// and its frame is unwound as a leaf's — registers restored wrong. So the
// system gets one table per base: every registered entry, sorted, made anew
// at each change (the new one added before the old one goes, so an unwind
// in another thread always finds a table).
namespace {
struct Registered {
  uint64_t table;
  uint32_t count;
  uint64_t base;
};
std::vector<Registered> g_tables;
struct Merged {
  uint64_t base;
  std::vector<RUNTIME_FUNCTION> entries;
};
std::vector<Merged *> g_merged;

Error rebuild_tables() {
  std::vector<Merged *> next;
  for (const Registered &r : g_tables) {
    auto it = std::find_if(next.begin(), next.end(), [&](Merged *m) { return m->base == r.base; });
    if (it == next.end()) {
      next.push_back(new Merged{r.base, {}});
      it = next.end() - 1;
    }
    const auto *e = reinterpret_cast<const RUNTIME_FUNCTION *>(r.table);
    (*it)->entries.insert((*it)->entries.end(), e, e + r.count);
  }
  for (size_t i = 0; i < next.size(); ++i) {
    Merged *m = next[i];
    std::sort(m->entries.begin(), m->entries.end(),
              [](const RUNTIME_FUNCTION &a, const RUNTIME_FUNCTION &b) {
                return a.BeginAddress < b.BeginAddress;
              });
    if (!RtlAddFunctionTable(m->entries.data(), DWORD(m->entries.size()), m->base)) {
      for (size_t k = 0; k < next.size(); ++k) {
        if (k < i)
          RtlDeleteFunctionTable(next[k]->entries.data());
        delete next[k];
      }
      return make_error("RtlAddFunctionTable refused ", m->entries.size(), " entries");
    }
  }
  for (Merged *m : g_merged) {
    RtlDeleteFunctionTable(m->entries.data());
    delete m;
  }
  g_merged = std::move(next);
  return Error::success();
}
} // namespace

Error add_function_tables(std::span<const Executor::FunctionTable> tables) {
  Locked g;
  const size_t before = g_tables.size();
  for (const Executor::FunctionTable &t : tables)
    g_tables.push_back({t.table, t.count, t.base});
  Error e = rebuild_tables();
  if (e)
    g_tables.resize(before);
  return e;
}

void delete_function_tables(std::span<const uint64_t> tables) {
  Locked g;
  std::erase_if(g_tables, [&](const Registered &r) {
    return std::find(tables.begin(), tables.end(), r.table) != tables.end();
  });
  (void)rebuild_tables();
}

} // namespace rtlink::platform
