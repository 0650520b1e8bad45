// symdump's model: the symbols of one object (or archive member), with the
// letter nm gives each, and what nm cannot show (import and export details).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace symdump {

// What few symbols have: a stab, a version, import and export details, a
// source line. Held apart from Sym, so a listing's symbols stay small (a
// Sym was a dozen strings: making, sorting and freeing them was a third of
// symdump's time over LLVM's archives).
struct SymDetail {
  std::string stab;         // a Mach-O stab (-a): " SECT DESC TYPE", printed after its '-'
  // ELF --dynamic: the symbol's version, which `name` ends with as llvm-nm
  // prints it ("free@GLIBC_2.2.5"; "@@" for a definition's default version).
  std::string version;
  bool version_default = false;
  // Imports and exports.
  std::string dll;
  int64_t ordinal = -1, hint = -1;
  std::string name_type;    // "name", "ordinal", "noprefix", "undecorate", "exportas"
  std::string forwarder;
  std::string import_type;  // "code", "data", "const"
  std::vector<std::string> versions;  // ELF: the versions needed of a library
  // -l: where it is in the source (DWARF), when known.
  std::string source_file;
  uint32_t source_line = 0;
};

struct Sym {
  std::string name;
  uint64_t address = 0, size = 0;
  char type = '?';          // nm's letter
  bool defined = true, global = false, weak = false;
  bool absolute = false, common = false;
  std::string section;      // where known (and asked for: Options::sections)
  std::string_view elf_type;  // ELF: the symbol's type as nm's SysV format names it (FUNC, ...)
  std::string_view binding;  // "local", "global", "weak", "needed"

  // The details, made when first written.
  SymDetail &detail() {
    if (!detail_)
      detail_ = std::make_unique<SymDetail>();
    return *detail_;
  }
  // The details to read: empty ones where there are none.
  const SymDetail &info() const {
    static const SymDetail none;
    return detail_ ? *detail_ : none;
  }

private:
  std::unique_ptr<SymDetail> detail_;
};

// One listing: a file, or a member of an archive.
struct Listing {
  std::string file;    // the path given
  std::string member;  // the member's name, for an archive
  std::string arch;    // a universal binary's slice, when each is listed
  size_t member_index = 0;
  bool in_archive = false;
  bool wide = true;     // 16 hex digits for addresses, else 8
  bool ir = false;      // LLVM bitcode: no addresses (printed as dashes)
  bool had_symbols = true;  // the file has a symbol table at all
  std::vector<Sym> syms;
  std::string kind;     // "elf", "coff", "coff-import", "pe", "macho", ...
  std::string warning;  // said on stderr, the listing still printed
  // MinGW's long-format import libraries: which DLL a member imports from
  // is found through two other members of its archive (main.cpp,
  // gnu_import_dlls). An import member's .idata$7 refers to the head
  // symbol; the head member's .idata$2 (defining that symbol) names, at
  // offset 12, a symbol of the tail member, whose .idata$7 holds the name.
  std::string import_head;        // an import member: the head symbol it refers to
  std::string head_symbol, head_iname;  // the head member: its symbol, the name symbol it names
  std::vector<std::pair<std::string, std::string>> dll_names;  // the tail: name symbol, DLL
};

struct Options {
  bool extern_only = false, undefined_only = false, defined_only = false;
  bool dynamic = false;     // ELF: the dynamic symbol table
  bool debug_syms = false;  // also what only a debugger or the format uses (-a)
  bool exports = false, imports = false;
  bool line_numbers = false;  // -l: each symbol's source file and line
  // Each symbol's section name (Sym::section), which only --format=sysv and
  // json print: finding it costs a section lookup and a string a symbol.
  bool sections = true;
};

// Reads the symbols of the object in `bytes`, as llvm-nm does, into `out`;
// an error message if it is not an object symdump reads.
std::string read_object(const std::string &file, const char *bytes, size_t size,
                        const Options &opt, Listing &out);

} // namespace symdump
