// link/linker_names.cpp — the names the linker itself defines for each
// unit, by format, as a static linker does for a shared object or an image:
// one table, read by bind (resolve.cpp) and by the archive search (a name
// the linker defines never pulls a member).
#include "link/session.hpp"

#include <iterator>

namespace rtlink {

namespace {

enum class Role : uint8_t {
  GOTBase,       // the unit's GOT
  DSOHandle,     // the unit's 8-byte __dso_handle slot
  SectionStart,  // __start_SEC / __stop_SEC: the unit's loaded SEC sections
  SectionStop,
  ImageBase,     // the start of the reserved range (COFF's image-relative base)
  Executor,      // a function of the executor (Executor::runtime_functions())
};

// The formats that get a name.
constexpr uint8_t kELF = 1, kCOFF = 2, kMachO = 4;

struct LinkerName {
  std::string_view name;
  bool prefix;      // the name starts so (the rest is a section's name)
  uint8_t formats;  // kELF | kCOFF | kMachO
  Role role;
  int function = -1;         // Executor: the index into runtime_functions()
  bool loaded_wins = false;  // a loaded definition of the name is bound instead
};

constexpr LinkerName kNames[] = {
    {"_GLOBAL_OFFSET_TABLE_", false, kELF | kCOFF, Role::GOTBase},
    // Mach-O's ___dso_handle, as the unit names it (without its '_').
    {"__dso_handle", false, kELF | kCOFF | kMachO, Role::DSOHandle},
    {"__start_", true, kELF | kCOFF, Role::SectionStart},
    {"__stop_", true, kELF | kCOFF, Role::SectionStop},
    {"__ImageBase", false, kELF | kCOFF, Role::ImageBase},
    {"__image_base__", false, kELF | kCOFF, Role::ImageBase},
    // ELF code's thread-local storage is the executor's (tls.cpp).
    {"__tls_get_addr", false, kELF, Role::Executor, 0, true},
    {"__cxa_thread_atexit", false, kELF, Role::Executor, 2, true},
    {"__cxa_thread_atexit_impl", false, kELF, Role::Executor, 2, true},
    // Mach-O thread-local variables' thunk calls the executor's TLS
    // descriptor function (object/macho.cpp).
    {"__rtlink_tls_descriptor", false, kMachO, Role::Executor, 1},
    // What the unit runtime code of COFF units calls (runtime.cpp).
    {Session::kCoffAtexit, false, kCOFF, Role::Executor, 3},
    {Session::kCoffCxxThrow, false, kCOFF, Role::Executor, 4},
};

bool has_loaded_section(const LinkUnit &lu, std::string_view name) {
  for (const Section &s : lu.sections)
    if (s.role != SectionRole::Skip && !s.discarded && s.name == name)
      return true;
  return false;
}

const LinkerName *find(std::string_view n, Format format) {
  if (n.empty() || n[0] != '_')  // all of them start with '_': most names are out at once
    return nullptr;
  const uint8_t bit = format == Format::ELF ? kELF : format == Format::COFF ? kCOFF : kMachO;
  for (const LinkerName &l : kNames)
    if ((l.formats & bit) &&
        (l.prefix ? n.substr(0, l.name.size()) == l.name : n == l.name))
      return &l;
  return nullptr;
}

} // namespace

bool Session::linker_defined(std::string_view name, Format format) {
  const LinkerName *l = find(name, format);
  return l && l->role != Role::Executor;
}

int Session::executor_function(std::string_view name) {
  for (const LinkerName &l : kNames)
    if (l.role == Role::Executor && l.name == name)
      return l.function;
  return -1;
}

bool Session::bind_linker_name(const Unit &u, const Symbol &s, Target &t, bool &missing) {
  const LinkerName *l = find(s.name, u.lu.format);
  if (!l || (l->loaded_wins && globals.count(s.name)))
    return false;
  switch (l->role) {
  case Role::GOTBase: t.kind = Target::GOTBase; return true;
  case Role::DSOHandle: t.kind = Target::DSOHandle; return true;
  case Role::SectionStart:
  case Role::SectionStop: {
    std::string_view section = s.name.substr(l->name.size());
    if (!has_loaded_section(u.lu, section))
      return false;  // bound by name like any other (a loaded definition, or missing)
    t.kind = l->role == Role::SectionStart ? Target::SectionStart : Target::SectionStop;
    t.index = uint32_t(l->name.size());  // the section's name follows
    return true;
  }
  case Role::ImageBase:
    t.kind = Target::Absolute;
    t.value = space.base();
    return true;
  case Role::Executor:
    t.kind = Target::Absolute;
    t.value = runtime_function(l->function);
    missing = !t.value;
    return true;
  }
  return false;
}

} // namespace rtlink
