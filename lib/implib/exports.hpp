// implib/exports.hpp — what a DLL exports, whatever it was read from (a .def
// file, a DLL's export table, objects' export directives), and the writers
// of import libraries and .def files that take it.
//
// Which part is whose: the .def parser, the export readers (DLLs, objects),
// the .def writer and the import library writers are rtlink's.
#pragma once

#include <rtlink/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink::implib {

enum class Machine { X86_64, I386, ARM64 };
enum class ExportKind { Code, Data, Const };

// "x86-64", "i386", "arm64"
const char *machine_name(Machine m);
const char *kind_name(ExportKind k);

struct Export {
  std::string name;         // the exported name, as importers see it (undecorated on i386)
  std::string internal;     // ext=internal: the DLL's own symbol, when it differs
  std::string import_name;  // ==NAME: the DLL export the import binds to
  std::string export_as;    // EXPORTAS NAME
  std::string forwarder;    // from a DLL: "other.func" or "other.#3"
  uint32_t ordinal = 0;     // 0: none given
  uint32_t hint = 0;        // from a DLL: the index in its name table
  bool noname = false;      // imported by ordinal only
  bool private_ = false;    // listed in the .def, left out of the import library
  ExportKind kind = ExportKind::Code;
  std::string origin;       // where it was read: "a.def:4", "rts.o", "rts.dll"
};

struct Module {
  std::string dll_name;    // "base.dll"
  bool mingw = true;       // i386: names are undecorated (GNU dialect), see symbol_name
  bool is_exe = false;     // NAME rather than LIBRARY
  uint64_t image_base = 0; // BASE=, 0 when absent
  Machine machine = Machine::X86_64;
  std::vector<Export> exports;
};

// A module name as link.exe takes it: one without an extension gets .dll
// (.exe for a .def's NAME).
std::string module_file_name(std::string name, bool exe);

// What the .def parser is told. `mingw`: the GNU dialect (dlltool's), where a
// name such as foo@4 is undecorated; else lib.exe's, where it is decorated.
struct DefOptions {
  Machine machine = Machine::X86_64;
  bool mingw = true;
};

// The whole .def grammar: NAME/LIBRARY (with BASE=), EXPORTS entries with
// =internal, ==importname, @ordinal, NONAME, DATA, CONSTANT, PRIVATE,
// EXPORTAS; HEAPSIZE, STACKSIZE, VERSION, DESCRIPTION, STUB accepted and
// ignored (they describe the DLL, not its imports); SECTIONS and IMPORTS
// refused. Errors read "file:line:column: what was expected".
Expected<Module> parse_def(std::string_view text, const std::string &file,
                           const DefOptions &opt);

// A PE32+ or PE32 DLL's export table: names, ordinals, unnamed exports
// (NONAME, named DLLSTEM_ordinal_N for importers),
// forwarders; an export in a section without code is DATA.
Expected<Module> read_dll_exports(const std::string &file, std::string_view bytes);

// Several exports of the same name are an error naming both places, unless
// `keep_first`, when the later ones are dropped. Also checks ordinals.
Error check_exports(Module &m, bool keep_first);

// The .def that describes `m` (what gendef writes for a DLL).
std::string write_def(const Module &m);

struct LibraryOptions {
  bool msvc = false;   // --flavor=msvc: lib.exe's archive layout; else GNU's
  bool kill_at = false;  // i386: import stdcall names without @N
};

// The writers write `path` as io/output.hpp says: a regular file is
// replaced whole (through a temporary file renamed over it, its mode kept)
// or left untouched when they fail; a device or FIFO is written into, a
// link's target is written, "-" is standard output.
// The short import library: one import member per export.
Error write_short_library(const Module &m, const LibraryOptions &opt, const std::string &path);
// GNU dlltool's long format: a head and a tail object, and per export an
// object with its jump stub and .idata$4/5/6/7 pieces.
Error write_long_library(const Module &m, const LibraryOptions &opt, const std::string &path);
// A delay-import library for GNU ld: the first call through an import goes
// through __delayLoadHelper2, which loads the DLL and fills in the cell.
Error write_delay_library(const Module &m, const LibraryOptions &opt, const std::string &path);

// How the short import library imports an export: by what its import
// member records (PE/COFF's import name types, in their order), or, for an
// ==NAME served by another export's import, as weak aliases of that import.
enum class ImportNameType { Ordinal, Name, NoPrefix, Undecorate, ExportAs, Alias };
// "ordinal", "name", "noprefix", "undecorate", "exportas", "alias"
const char *import_name_type_name(ImportNameType t);

struct ShortImport {
  std::string symbol;     // what importers use (symbol_name)
  ImportNameType name_type = ImportNameType::Name;
  std::string imported;   // ExportAs: the name imported; Alias: the symbol aliased
  bool renamed = false;   // an ==NAME: its member comes after the others'
};

// One per export of `m`, in order; a PRIVATE export is planned as if it were
// not, though the library leaves it out. The rules are llvm-dlltool's and
// llvm-lib's (LLVM 19), whose libraries implib-gen's are byte for byte.
std::vector<ShortImport> plan_short_imports(const Module &m, const LibraryOptions &opt);

// The symbol an export is known by in the import library: the name, with the
// i386 C prefix (an underscore) where the name is not already decorated.
std::string symbol_name(const Module &m, const Export &e);

} // namespace rtlink::implib
