// symdump — symbol tables of objects, archives, import libraries and images,
// as llvm-nm prints them (the default output is the same), or as JSON; and
// what nm does not show: a DLL's exports and imports, an import member's DLL,
// ordinal or hint and name type.
//
// Files and archive members are read in parallel, one thread per core; the
// output keeps the order of the inputs.
#include "json_output.hpp"
#include "platform/platform.hpp"
#include "symbols.hpp"

#include "io/file.hpp"
#include "object/archive.hpp"
#include "support/format.hpp"
#include "support/parallel.hpp"

#include <llvm/ADT/StringRef.h>
#include <llvm/BinaryFormat/Magic.h>
#include <llvm/Demangle/Demangle.h>
#include <llvm/Object/MachOUniversal.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace {

using symdump::Listing;
using symdump::Sym;

const char kUsage[] =
    "Usage: symdump [OPTION]... FILE...\n"
    "\n"
    "Lists the symbols of ELF, COFF and Mach-O objects (and universal binaries), LLVM\n"
    "bitcode, archives (GNU, BSD, thin, MSVC, Darwin), import libraries, and PE images, as\n"
    "llvm-nm does; a DLL without a symbol table lists its exports. A FILE compressed\n"
    "with zstd is read as what it contains.\n"
    "\n"
    "  -g, --extern-only      only external (global) symbols\n"
    "  -u, --undefined-only   only undefined symbols\n"
    "  -U, --defined-only     only defined symbols\n"
    "  -W, --no-weak          no weak symbols\n"
    "  -a, --debug-syms       also the symbols only debuggers and the format use (ELF\n"
    "                         section and file symbols, COFF section symbols and .file\n"
    "                         records, Mach-O stabs)\n"
    "  -C, --demangle         demangle C++ names (Itanium and Microsoft)\n"
    "      --no-demangle      do not demangle (the default; the last of the two counts)\n"
    "  -S, --print-size       print each symbol's size\n"
    "  -A, --print-file-name  start each line with the file (and member) name\n"
    "  -p, --no-sort          keep the symbol table's order\n"
    "  -n, --numeric-sort     sort by address\n"
    "  -r, --reverse-sort     reverse the order\n"
    "      --size-sort        sort by size\n"
    "  -D, --dynamic          an ELF shared object's dynamic symbols, with their versions\n"
    "                         (free@GLIBC_2.2.5; @@ for a definition's default version)\n"
    "  -l, --line-numbers     each symbol's source file and line, from the DWARF debug\n"
    "                         information (a function's line, a variable's declaration,\n"
    "                         an undefined symbol's first use in code), as llvm-nm -l\n"
    "  -t, --radix=RADIX      addresses and sizes in x (hexadecimal, the default), d\n"
    "                         (decimal) or o (octal)\n"
    "  -f, --format=FORMAT    bsd (the default), posix, sysv, just-symbols, or json\n"
    "  -B                     the same as --format=bsd\n"
    "  -j                     the same as --format=just-symbols\n"
    "  -P                     the same as --format=posix\n"
    "      --export-symbols   the names all inputs define globally, in one list (sorted\n"
    "                         unless asked otherwise), each once, with no file names: a\n"
    "                         list for a linker's export file\n"
    "      --print-armap      print an archive's symbol table first\n"
    "      --quiet            do not say \"no symbols\" of a file without any\n"
    "      --exports          a PE image's or a Mach-O dylib's exports (the default for a\n"
    "                         DLL without a symbol table)\n"
    "      --max-expand=SIZE  the most a zstd-compressed FILE may expand to (bytes, or\n"
    "                         with K, M, G: 512M, 4G); 1G unless RTLINK_MAX_EXPAND says\n"
    "                         otherwise\n"
    "      --imports          a PE image's imports; the libraries (and versions) an ELF\n"
    "                         shared object needs; the dylibs a Mach-O image loads\n"
    "  -h, --help             print this help\n"
    "  -V, --version          print the version\n"
    "\n"
    "The JSON format (docs/symdump-json.md) is one document: files, their members, and\n"
    "each symbol's name, type, value, section, binding and size, for imports and\n"
    "exports its DLL, ordinal, hint, name type and forwarder, and with -D its version.\n"
    "Exit status: 0, or 1 if any file could not be read (the others are still listed).\n";

enum class Format { BSD, Posix, SysV, JustSymbols, JSON };
enum class Sort { Name, Numeric, Size, None };
enum class Radix { Hex, Decimal, Octal };

struct Config {
  symdump::Options opt;
  bool demangle = false, print_size = false, print_file = false, reverse = false;
  bool print_armap = false, no_weak = false, export_symbols = false, quiet = false;
  Radix radix = Radix::Hex;
  uint64_t max_expand = 0;  // 0: RTLINK_MAX_EXPAND, else 1 GiB
  Format format = Format::BSD;
  Sort sort = Sort::Name;
  std::vector<std::string> files;
};

// One unit of work: a file, or one member of an archive.
struct Job {
  size_t file;  // index into the inputs
  std::shared_ptr<const rtlink::FileData> data;
  std::shared_ptr<rtlink::ArchiveReader> archive;
  size_t member = 0;
  Listing listing;
  std::string error;
  bool skip = false;  // an archive member that is not an object
  std::string out, err;  // what it prints (text formats), made by the worker
  std::span<const uint8_t> slice;  // a universal binary's slice
  std::string arch;                // its architecture, when every slice is listed
};

struct FileResult {
  std::string error;  // the file could not be opened or read as a whole
  std::vector<size_t> jobs;
  std::shared_ptr<rtlink::ArchiveReader> archive;  // until its last member is printed
  bool is_archive = false;
};

bool shown(const Config &c, const Sym &s) {
  if (c.opt.undefined_only && s.defined)
    return false;
  if (c.opt.defined_only && !s.defined)
    return false;
  if (c.opt.extern_only && !s.global)
    return false;
  if (c.no_weak && s.weak)
    return false;
  return true;
}

bool undefined_letter(char t) { return t == 'U' || t == 'w' || t == 'v'; }

std::string display_name(const Config &c, const std::string &name) {
  if (!c.demangle)
    return name;
  std::string d = llvm::demangle(name);
  return d;
}

void sort_symbols(const Config &c, std::vector<Sym> &syms) {
  // The order is found on indices and the symbols moved once: a Sym is a
  // dozen strings, and std::sort moved each some log n times (a fifth of
  // symdump's time over LLVM's archives). std::sort makes the same moves
  // whatever it sorts, so ties come out as they did.
  auto by = [&](auto key) {
    std::vector<uint32_t> order(syms.size());
    for (uint32_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return c.reverse ? key(syms[b]) < key(syms[a]) : key(syms[a]) < key(syms[b]);
    });
    std::vector<Sym> sorted;
    sorted.reserve(syms.size());
    for (uint32_t i : order)
      sorted.push_back(std::move(syms[i]));
    syms = std::move(sorted);
  };
  switch (c.sort) {
  case Sort::None:
    if (c.reverse)
      std::reverse(syms.begin(), syms.end());
    break;
  case Sort::Name:
    by([](const Sym &s) { return std::make_tuple(std::cref(s.name), s.size, s.address); });
    break;
  case Sort::Numeric:
    by([](const Sym &s) {
      return std::make_tuple(!undefined_letter(s.type), s.address, std::cref(s.name), s.size);
    });
    break;
  case Sort::Size:
    by([](const Sym &s) { return std::make_tuple(s.size, std::cref(s.name), s.address); });
    break;
  }
}

// "%016" PRIx64 / "%08" PRIx64, without printf's cost per line.
void append_hex(std::string &out, uint64_t v, bool wide) {
  char buf[16];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  for (int pad = (wide ? 16 : 8) - n; pad > 0; --pad)
    out += '0';
  while (n)
    out += buf[--n];
}

// An address or a size in the radix asked for, as llvm-nm prints it:
// `width` digits, zero-padded (0: as many as it takes); decimal as a signed
// number, as llvm-nm's printf format has it.
void append_value(std::string &out, uint64_t v, int width, Radix radix) {
  if (radix == Radix::Hex && width) {
    append_hex(out, v, width == 16);
    return;
  }
  char buf[32];
  switch (radix) {
  case Radix::Hex: std::snprintf(buf, sizeof buf, "%" PRIx64, v); break;
  case Radix::Decimal: std::snprintf(buf, sizeof buf, "%0*" PRId64, width, int64_t(v)); break;
  case Radix::Octal: std::snprintf(buf, sizeof buf, "%0*" PRIo64, width, v); break;
  }
  out += buf;
}

// s padded with blanks to `width` on the left or the right.
void append_padded(std::string &out, std::string_view s, size_t width, bool left) {
  if (!left && s.size() < width)
    out.append(width - s.size(), ' ');
  out += s;
  if (left && s.size() < width)
    out.append(width - s.size(), ' ');
}

// -l: a tab, then where the symbol is in the source, as llvm-nm prints it.
void append_source(std::string &out, const Sym &s) {
  if (!s.info().source_file.empty())
    out += '\t' + s.info().source_file + ':' + std::to_string(s.info().source_line);
}

std::string text_listing(const Config &c, const Listing &l, const std::string &archive,
                         bool label) {
  std::string out;
  // The SysV format heads every listing with its name (and columns); an
  // archive member or a universal binary's slice is labelled before that.
  const bool sysv = c.format == Format::SysV;
  if (label && !c.print_file && (!sysv || l.in_archive || !l.arch.empty())) {
    out += "\n" + (l.in_archive ? l.member : l.file);
    if (!l.arch.empty())
      out += " (for architecture " + l.arch + ")";
    out += ":\n";
  }
  if (sysv && !c.print_file) {
    out += "\n\nSymbols from " + (l.in_archive ? l.member : l.file) + ":\n\n";
    out += l.wide ? "Name                  Value           Class        Type         Size             Line  Section\n"
                  : "Name                  Value   Class        Type         Size     Line  Section\n";
  }
  std::string prefix;
  if (c.print_file) {
    if (!l.arch.empty())
      prefix = "(for architecture " + l.arch + "):";
    if (c.format == Format::Posix && l.in_archive)
      prefix += archive + "[" + l.member + "]: ";
    else if (l.in_archive)
      prefix += archive + ":" + l.member + ": ";
    else
      prefix += l.file + ": ";
  }
  const int width = l.wide ? 16 : 8;
  const std::string blanks(width, ' ');
  for (const Sym &s : l.syms) {
    if (!shown(c, s))
      continue;
    std::string name = display_name(c, s.name);
    // Undefined-only on Mach-O: names alone, as llvm-nm prints them.
    if (c.format == Format::JustSymbols || (c.opt.undefined_only && l.kind == "macho" &&
                                            c.format != Format::Posix)) {
      out += prefix + name + "\n";
      continue;
    }
    const bool size_first = c.sort == Sort::Size && !c.print_size;  // the size in its place
    bool undef = undefined_letter(s.type);
    if (c.format == Format::Posix) {
      out += prefix + name + ' ' + s.type + ' ';
      if (l.ir && !undef)  // bitcode: no address
        out += std::string(blanks.size(), '-');
      else
        append_value(out, s.address, 0, c.radix);
      out += ' ';
      append_value(out, s.size, 0, c.radix);
      append_source(out, s);
      out += '\n';
      continue;
    }
    if (sysv) {
      out += prefix;
      append_padded(out, name, 20, true);
      out += '|';
      if (undef || (l.kind == "macho" && s.type == 'I'))
        out += blanks;
      else if (l.ir)
        out += std::string(blanks.size(), '-');
      else
        append_value(out, s.address, width, c.radix);
      out += "|   ";
      out += s.type;
      out += "  |";
      append_padded(out, s.elf_type, 18, false);
      out += '|';
      if (undef)
        out += blanks;
      else
        append_value(out, s.size, width, c.radix);
      out += "|     |";
      if (l.kind == "elf")  // (llvm-nm names no other format's sections)
        out += s.absolute ? "*ABS*" : s.common ? "*COM*" : !s.defined ? "*UND*" : s.section;
      append_source(out, s);
      out += '\n';
      continue;
    }
    out += prefix;
    if (undef)
      out += blanks;
    else if (l.ir && !size_first)
      out += std::string(blanks.size(), '-');  // bitcode has no addresses yet
    else
      append_value(out, s.address, width, c.radix);
    out += ' ';
    if (c.print_size) {
      if (undef)
        out += blanks;
      else
        append_value(out, s.size, width, c.radix);
      out += ' ';
    }
    out += s.type;
    out += s.info().stab;
    out += ' ';
    out += name;
    for (size_t v = 0; v < s.info().versions.size(); ++v)  // --imports: versions needed
      out += (v ? "," : " (") + s.info().versions[v] + (v + 1 == s.info().versions.size() ? ")" : "");
    append_source(out, s);
    out += '\n';
  }
  return out;
}

nlohmann::json json_symbol(const Config &c, const Sym &s) {
  const symdump::SymDetail &d = s.info();
  // A versioned name (--dynamic) is the name alone here, the version apart.
  const std::string bare = d.version.empty() ? s.name
                           : s.name.substr(0, s.name.size() - d.version.size() -
                                                  (d.version_default ? 2 : 1));
  nlohmann::json j = {{"name", display_name(c, bare)},
                      {"type", std::string(1, s.type)},
                      {"value", s.address},
                      {"section", s.section.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.section)},
                      {"binding", s.binding},
                      {"defined", s.defined}};
  j["size"] = s.size ? nlohmann::json(s.size) : nlohmann::json(nullptr);
  if (c.demangle && j["name"] != bare)
    j["mangled"] = bare;
  if (!d.version.empty()) {
    j["version"] = d.version;
    j["version_default"] = d.version_default;
  }
  if (!d.dll.empty())
    j["dll"] = d.dll;
  if (d.ordinal >= 0)
    j["ordinal"] = d.ordinal;
  if (d.hint >= 0)
    j["hint"] = d.hint;
  if (!d.name_type.empty())
    j["name_type"] = d.name_type;
  if (!d.forwarder.empty())
    j["forwarder"] = d.forwarder;
  if (!d.import_type.empty())
    j["import_type"] = d.import_type;
  if (!d.versions.empty())
    j["versions"] = d.versions;
  if (!d.source_file.empty())
    j["source"] = {{"file", d.source_file}, {"line", d.source_line}};
  return j;
}

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "symdump: %s\nTry 'symdump --help'.\n", msg.c_str());
  return 2;
}

bool set_format(Config &c, const std::string &v) {
  if (v == "bsd") c.format = Format::BSD;
  else if (v == "posix") c.format = Format::Posix;
  else if (v == "sysv") c.format = Format::SysV;
  else if (v == "just-symbols") c.format = Format::JustSymbols;
  else if (v == "json") c.format = Format::JSON;
  else return false;
  return true;
}

bool set_radix(Config &c, const std::string &v) {
  if (v == "x") c.radix = Radix::Hex;
  else if (v == "d") c.radix = Radix::Decimal;
  else if (v == "o") c.radix = Radix::Octal;
  else return false;
  return true;
}

const char kFormats[] = "bsd, posix, sysv, just-symbols, json";
const char kRadixes[] = "x (hexadecimal), d (decimal), o (octal)";

// --export-symbols: the names defined in every input, sorted as asked and
// each once (as llvm-nm: equal by the sort's key, which for the default
// order is the name).
void print_export_symbols(const Config &c, std::vector<Sym> &syms) {
  auto key = [&](const Sym &s) {
    switch (c.sort) {
    case Sort::Numeric: return std::make_tuple(s.address, std::cref(s.name), s.size);
    case Sort::Size:  // (without -S llvm-nm has no addresses then)
      return std::make_tuple(s.size, std::cref(s.name), c.print_size ? s.address : 0);
    default: return std::make_tuple(uint64_t(0), std::cref(s.name), uint64_t(0));
    }
  };
  if (c.sort != Sort::None)
    std::sort(syms.begin(), syms.end(), [&](const Sym &a, const Sym &b) {
      return c.reverse ? key(b) < key(a) : key(a) < key(b);
    });
  syms.erase(std::unique(syms.begin(), syms.end(),
                         [&](const Sym &a, const Sym &b) { return key(a) == key(b); }),
             syms.end());
  std::string out;
  for (const Sym &s : syms)
    out += s.name + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

// MinGW's long-format import members name no DLL themselves: each refers to
// its library's head symbol, whose member names the tail's DLL name symbol
// (symbols.hpp, Listing::import_head). Every defined global of an import
// member is given its DLL, as a short import member's symbols are.
void gnu_import_dlls(std::vector<Listing *> &members) {
  std::map<std::string, std::string> dll_of_name, name_of_head;
  for (const Listing *l : members) {
    for (const auto &[sym, dll] : l->dll_names)
      dll_of_name.emplace(sym, dll);
    if (!l->head_symbol.empty())
      name_of_head.emplace(l->head_symbol, l->head_iname);
  }
  if (dll_of_name.empty())
    return;
  for (Listing *l : members) {
    if (l->import_head.empty())
      continue;
    auto head = name_of_head.find(l->import_head);
    if (head == name_of_head.end())
      continue;
    auto dll = dll_of_name.find(head->second);
    if (dll == dll_of_name.end())
      continue;
    for (Sym &s : l->syms)
      if (s.defined && s.global)
        s.detail().dll = dll->second;
  }
}

} // namespace

int main(int argc, char **argv) {
  rtlink::platform::binary_output();
  Config c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto flag = [&](char f) -> bool {
      switch (f) {
      case 'g': c.opt.extern_only = true; return true;
      case 'W': c.no_weak = true; return true;
      case 'a': c.opt.debug_syms = true; return true;
      case 'B': c.format = Format::BSD; return true;
      case 'u': c.opt.undefined_only = true; return true;
      case 'U': c.opt.defined_only = true; return true;
      case 'C': c.demangle = true; return true;
      case 'S': c.print_size = true; return true;
      case 'A': case 'o': c.print_file = true; return true;
      case 'p': c.sort = Sort::None; return true;
      case 'n': case 'v': c.sort = Sort::Numeric; return true;
      case 'r': c.reverse = true; return true;
      case 'D': c.opt.dynamic = true; return true;
      case 'l': c.opt.line_numbers = true; return true;
      case 'j': c.format = Format::JustSymbols; return true;
      case 'P': c.format = Format::Posix; return true;
      default: return false;
      }
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--version" || a == "-V") {
      std::puts("symdump (rtlink) " RTLINK_VERSION);
      return 0;
    } else if (a == "--extern-only") { c.opt.extern_only = true;
    } else if (a == "--undefined-only") { c.opt.undefined_only = true;
    } else if (a == "--defined-only") { c.opt.defined_only = true;
    } else if (a == "--demangle") { c.demangle = true;
    } else if (a == "--no-demangle") { c.demangle = false;
    } else if (a == "--no-weak") { c.no_weak = true;
    } else if (a == "--debug-syms") { c.opt.debug_syms = true;
    } else if (a == "--export-symbols") { c.export_symbols = true;
    } else if (a == "--quiet") { c.quiet = true;
    } else if (a == "--print-size") { c.print_size = true;
    } else if (a == "--print-file-name") { c.print_file = true;
    } else if (a == "--no-sort") { c.sort = Sort::None;
    } else if (a == "--numeric-sort") { c.sort = Sort::Numeric;
    } else if (a == "--reverse-sort") { c.reverse = true;
    } else if (a == "--size-sort") { c.sort = Sort::Size;
    } else if (a == "--dynamic") { c.opt.dynamic = true;
    } else if (a == "--line-numbers") { c.opt.line_numbers = true;
    } else if (a == "--print-armap") { c.print_armap = true;
    } else if (a == "--exports") { c.opt.exports = true;
    } else if (a == "--imports") { c.opt.imports = true;
    } else if (a.rfind("--max-expand", 0) == 0) {
      std::string v = a.size() > 12 && a[12] == '=' ? a.substr(13) : (i + 1 < argc ? argv[++i] : "");
      auto size = rtlink::parse_size(v);
      if (!size)
        return usage_error("--max-expand needs a size (bytes, or a number with K, M, G or T), not '" + v + "'");
      c.max_expand = *size;
    } else if (a == "--format" || a.rfind("--format=", 0) == 0) {
      std::string v = a.size() > 8 ? a.substr(9) : (i + 1 < argc ? argv[++i] : "");
      if (!set_format(c, v))
        return usage_error("unknown --format " + v + " (" + kFormats + ")");
    } else if (a == "--radix" || a.rfind("--radix=", 0) == 0) {
      std::string v = a.size() > 7 ? a.substr(8) : (i + 1 < argc ? argv[++i] : "");
      if (!set_radix(c, v))
        return usage_error("unknown --radix " + v + " (" + kRadixes + ")");
    } else if (a == "-") {
      return usage_error("reading standard input is not supported");
    } else if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      for (size_t k = 1; k < a.size(); ++k) {
        // -f FORMAT and -t RADIX take the rest of the group, or the next argument.
        if (a[k] == 'f' || a[k] == 't') {
          std::string v = k + 1 < a.size() ? a.substr(k + 1) : (i + 1 < argc ? argv[++i] : "");
          if (a[k] == 'f' && !set_format(c, v))
            return usage_error("unknown -f " + v + " (" + kFormats + ")");
          if (a[k] == 't' && !set_radix(c, v))
            return usage_error("unknown -t " + v + " (" + kRadixes + ")");
          break;
        }
        if (!flag(a[k]))
          return usage_error(std::string("unknown option -") + a[k]);
      }
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option " + a);
    } else {
      c.files.push_back(a);
    }
  }
  if (c.files.empty())
    c.files.push_back("a.out");  // as nm does
  if (c.export_symbols)  // (as llvm-nm)
    c.opt.extern_only = c.opt.defined_only = true;
  c.opt.sections = c.format == Format::SysV || c.format == Format::JSON;
  std::vector<Sym> exported;  // --export-symbols: every input's, in order

  // Files are taken a window at a time (a few files, or a few hundred
  // members): opened, read on every core, printed, and let go before the next
  // window opens, so memory stays bounded however many inputs there are.
  constexpr size_t kWindowFiles = 16, kWindowJobs = 256;
  std::vector<FileResult> files(c.files.size());
  const bool multiple = c.files.size() > 1;
  bool failed = false;
  bool size_warning = false;  // once: Mach-O records no sizes
  nlohmann::json doc = {{"files", nlohmann::json::array()}};
  for (size_t f0 = 0, f1; f0 < c.files.size(); f0 = f1) {
    // Open this window's files; list the jobs (files, or archive members).
    std::vector<Job> jobs;
    for (f1 = f0; f1 < c.files.size() &&
                  (f1 == f0 || (jobs.size() < kWindowJobs && f1 - f0 < kWindowFiles));
         ++f1) {
      const size_t f = f1;
      auto data = rtlink::read_file(c.files[f], /*prefault=*/false, c.max_expand);
      if (!data) {
        std::string m = data.error().message();
        files[f].error = m.substr(m.find(": ") + 2);
        continue;
      }
      std::span<const uint8_t> bytes = rtlink::bytes_of(**data);
      llvm::StringRef s(reinterpret_cast<const char *>(bytes.data()), bytes.size());
      if (llvm::identify_magic(s) == llvm::file_magic::macho_universal_binary) {
        // As llvm-nm: the slice for this machine's architecture alone; if there
        // is none, every slice, each labelled with its architecture.
        auto ub = llvm::object::MachOUniversalBinary::create(
            llvm::MemoryBufferRef(s, c.files[f]));
        if (!ub) {
          files[f].error = llvm::toString(ub.takeError());
          continue;
        }
        std::vector<std::pair<std::string, std::span<const uint8_t>>> slices;
        for (const auto &o : (*ub)->objects()) {
          uint64_t off = o.getOffset(), size = o.getSize();
          if (off > bytes.size() || size > bytes.size() - off)
            continue;  // reported below if nothing is left
          slices.emplace_back(o.getArchFlagName(), bytes.subspan(off, size));
        }
        auto host = std::find_if(slices.begin(), slices.end(),
                                 [](const auto &sl) { return sl.first == "x86_64"; });
        if (host != slices.end())
          slices = {std::make_pair(std::string(), host->second)};
        if (slices.empty()) {
          files[f].error = "no slice of this universal binary lies within the file";
          continue;
        }
        for (auto &[arch, slice] : slices) {
          Job j;
          j.file = f;
          j.data = *data;
          j.slice = slice;
          j.arch = arch;
          files[f].jobs.push_back(jobs.size());
          jobs.push_back(std::move(j));
        }
      } else if (llvm::identify_magic(s) == llvm::file_magic::archive) {
        auto ar = rtlink::ArchiveReader::open(c.files[f], *data);
        if (!ar) {
          std::string m = ar.error().message();
          files[f].error = m.substr(m.find(": ") + 2);
          continue;
        }
        files[f].archive = std::move(*ar);
        files[f].is_archive = true;
        for (size_t m = 0; m < files[f].archive->member_count(); ++m) {
          Job j;
          j.file = f;
          j.data = *data;
          j.archive = files[f].archive;
          j.member = m;
          files[f].jobs.push_back(jobs.size());
          jobs.push_back(std::move(j));
        }
      } else {
        Job j;
        j.file = f;
        j.data = *data;
        files[f].jobs.push_back(jobs.size());
        jobs.push_back(std::move(j));
      }
    }

    // What is printed, in order: file errors and archive maps, and each job's
    // text. Workers read jobs on every core; whoever finishes a job prints all
    // that is ready from the cursor on, so output streams in input order and
    // each job's text is freed once printed.
    struct Piece {
      bool is_job;
      size_t job;
      std::string out, err;
    };
    std::vector<Piece> pieces;
    for (size_t f = f0; f < f1; ++f) {
      const FileResult &fr = files[f];
      if (!fr.error.empty()) {
        pieces.push_back({false, 0, "", "symdump: error: " + c.files[f] + ": " + fr.error + "\n"});
        failed = true;
        continue;
      }
      if (fr.archive && c.print_armap && c.format != Format::JSON && fr.archive->has_symbol_table()) {
        std::string map;
        rtlink::Error e = fr.archive->for_each_symbol([&](std::string_view name, uint32_t m) {
          map += std::string(name) + " in " + fr.archive->member(m).name + "\n";
        }, /*as_listed=*/true);
        pieces.push_back({false, 0, map.empty() ? "" : "Archive map\n" + map + "\n",
                          e ? "symdump: error: " + e.message() + "\n" : ""});
        failed |= bool(e);
      }
      for (size_t k : fr.jobs)
        pieces.push_back({true, k, "", ""});
    }

    auto run_job = [&](Job &j) {
      Listing &l = j.listing;
      l.file = c.files[j.file];
      const char *bytes;
      size_t size;
      if (j.archive) {
        const auto &m = j.archive->member(j.member);
        l.in_archive = true;
        l.member = m.name;
        l.member_index = j.member;
        bytes = reinterpret_cast<const char *>(m.bytes.data());
        size = m.bytes.size();
        if (llvm::identify_magic(llvm::StringRef(bytes, size)) == llvm::file_magic::unknown) {
          j.skip = true;  // not an object (a text member, say): nothing to list
          return;
        }
      } else if (!j.slice.empty()) {
        bytes = reinterpret_cast<const char *>(j.slice.data());
        size = j.slice.size();
        l.arch = j.arch;
      } else {
        bytes = reinterpret_cast<const char *>(j.data->data());
        size = j.data->size();
      }
      j.error = symdump::read_object(l.file, bytes, size, c.opt, l);
      if (!j.error.empty()) {
        std::string where = l.in_archive ? l.file + "(" + l.member + ")" : l.file;
        j.err = "symdump: error: " + where + ": " + j.error + "\n";
        return;
      }
      if (!l.warning.empty())
        j.err = "symdump: warning: " + l.warning + "\n";
      if (c.export_symbols) {
        std::erase_if(l.syms, [&](const Sym &s) { return !shown(c, s); });
        return;
      }
      // Sorted by size with sizes not printed apart, llvm-nm prints no
      // addresses: in the BSD format the size stands in the address's place,
      // in the sort as in the output; the others print addresses as 0.
      if (c.sort == Sort::Size && !c.print_size && c.format != Format::JSON)
        for (Sym &sym : l.syms)
          sym.address = c.format == Format::BSD ? sym.size : 0;
      sort_symbols(c, l.syms);
      if (c.format == Format::JSON)
        return;
      j.out = text_listing(c, l, l.file, l.in_archive || multiple || !l.arch.empty());
      if (!l.had_symbols && l.syms.empty() && !c.quiet) {
        std::string who = !l.in_archive             ? l.file
                          : c.format == Format::Posix ? l.file + "[" + l.member + "]"
                                                      : l.file + ":" + l.member;
        j.err += who + ": no symbols\n";
      }
      l.syms.clear();
      l.syms.shrink_to_fit();
    };

    std::vector<std::atomic<bool>> done(jobs.size());
    std::mutex print_lock;
    size_t cursor = 0;
    auto print_ready = [&] {
      std::lock_guard<std::mutex> g(print_lock);
      for (; cursor < pieces.size(); ++cursor) {
        Piece &p = pieces[cursor];
        std::string *out = &p.out, *err = &p.err;
        if (p.is_job) {
          if (!done[p.job].load(std::memory_order_acquire))
            return;
          Job &j = jobs[p.job];
          out = &j.out;
          err = &j.err;
          failed |= !j.error.empty();
          if ((c.print_size || c.sort == Sort::Size || c.format == Format::SysV) &&
              j.listing.kind == "macho" && j.slice.empty() &&
              !size_warning) {  // (llvm-nm says nothing of a universal binary's slices)
            size_warning = true;
            std::fflush(stdout);
            std::fprintf(stderr, "symdump: warning: sizes with %s for Mach-O files are always zero.\n",
                         j.listing.in_archive ? "-print-size" : "--print-size");
          }
        }
        if (p.is_job && c.export_symbols) {
          Job &j = jobs[p.job];
          std::move(j.listing.syms.begin(), j.listing.syms.end(), std::back_inserter(exported));
          std::vector<Sym>().swap(j.listing.syms);
        }
        if (c.format != Format::JSON && !out->empty())
          std::fwrite(out->data(), 1, out->size(), stdout);
        if (!err->empty()) {
          std::fflush(stdout);
          std::fputs(err->c_str(), stderr);
        }
        std::string().swap(*out);
        // Printed: let go of its file, so a run over many files keeps only
        // those still being read mapped (JSON still needs every listing, but
        // those hold copies, not the file).
        if (p.is_job) {
          Job &j = jobs[p.job];
          j.data.reset();
          j.archive.reset();
          FileResult &fr = files[j.file];
          if (!fr.jobs.empty() && fr.jobs.back() == p.job)
            fr.archive.reset();
        }
      }
    };
    rtlink::parallel_for(jobs.size(), [&](size_t k) {
      run_job(jobs[k]);
      done[k].store(true, std::memory_order_release);
      print_ready();
    });
    print_ready();

    // JSON: one document, printed once everything is read.
    if (c.format == Format::JSON && !c.export_symbols)
      for (size_t f = f0; f < f1; ++f) {
        const FileResult &fr = files[f];
        if (!fr.error.empty())
          continue;
        if (fr.is_archive) {
          std::vector<Listing *> members;
          for (size_t k : fr.jobs)
            if (!jobs[k].skip && jobs[k].error.empty())
              members.push_back(&jobs[k].listing);
          gnu_import_dlls(members);
        }
        nlohmann::json jfile = {{"file", c.files[f]},
                                {"archive", fr.is_archive},
                                {"members", nlohmann::json::array()}};
        for (size_t k : fr.jobs) {
          const Job &j = jobs[k];
          const Listing &l = j.listing;
          if (j.skip || !j.error.empty())
            continue;
          nlohmann::json member = {{"name", l.in_archive ? nlohmann::json(l.member) : nlohmann::json(nullptr)},
                                   {"kind", l.kind},
                                   {"symbols", nlohmann::json::array()}};
          if (l.in_archive)
            member["index"] = l.member_index;
          for (const Sym &sym : l.syms)
            if (shown(c, sym))
              member["symbols"].push_back(json_symbol(c, sym));
          jfile["members"].push_back(std::move(member));
        }
        doc["files"].push_back(std::move(jfile));
      }
  }

  if (c.export_symbols)
    print_export_symbols(c, exported);
  else if (c.format == Format::JSON)
    std::puts(json_output::dump(std::move(doc), 1).c_str());
  return failed ? 1 : 0;
}
