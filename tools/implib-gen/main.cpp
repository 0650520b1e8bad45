// implib-gen — import libraries and .def files from .def files, DLLs and
// objects; several libraries at once for DLLs that import from each other.
#include "implib/elf_stubs.hpp"
#include "implib/exports.hpp"
#include "implib/objects.hpp"

#include "io/file.hpp"
#include "io/output.hpp"
#include "json_output.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"

#include <llvm/Support/raw_ostream.h>
#include <nlohmann/json.hpp>

#include <llvm/Support/GlobPattern.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace rtlink;
using namespace rtlink::implib;

const char kUsage[] =
    "Usage: implib-gen [OPTION]... -o FILE --def FILE\n"
    "  or:  implib-gen [OPTION]... -o FILE --dll FILE\n"
    "  or:  implib-gen [OPTION]... -o FILE --dll-name NAME OBJECT...\n"
    "  or:  implib-gen [OPTION]... -o DIR NAME=INPUT... [NAME=INPUT...]...\n"
    "  or:  implib-gen [OPTION]... -o FILE --elf LIBRARY.so\n"
    "\n"
    "Writes an import library (and, with --def-out, the .def it describes) for a DLL,\n"
    "from a module-definition file, from the DLL itself, or from the objects that will\n"
    "be linked into it. With --elf, writes lazy-loading stubs for an ELF shared\n"
    "library instead. Any input may be compressed with zstd.\n"
    "\n"
    "Inputs:\n"
    "  --def FILE          a .def file: LIBRARY/NAME, EXPORTS with =internal,\n"
    "                      ==importname, @ordinal, NONAME, DATA, CONSTANT, PRIVATE,\n"
    "                      EXPORTAS (both lib.exe's and GNU dlltool's dialects)\n"
    "  --dll FILE          a PE32+ or PE32 DLL's export table (forwarders, exports by\n"
    "                      ordinal); an export outside code sections is DATA\n"
    "  OBJECT...           COFF objects and archives: the exports their .drectve\n"
    "                      directives ask for (-export:, /EXPORT:, as __declspec(dllexport)\n"
    "                      makes them); a lone .def or DLL here is read as with --def\n"
    "                      or --dll\n"
    "  --export-all        with OBJECT...: every external definition as well\n"
    "  NAME=INPUT...       several libraries at once, with -o DIR: the inputs of library\n"
    "                      NAME (objects, archives, a .def or a DLL, told apart by content;\n"
    "                      patterns such as rts/*.o are expanded here) up to the next\n"
    "                      NAME=; writes DIR/libNAME.dll.a (DIR/NAME.lib\n"
    "                      with --flavor=msvc) and DIR/NAME.def for NAME.dll, and reports\n"
    "                      which library imports what from which\n"
    "  --elf LIBRARY       an ELF shared library (x86-64 or aarch64): writes an archive\n"
    "                      of lazy-loading stubs, one per exported function, to link\n"
    "                      into a program (with ld, or objload) in place of the\n"
    "                      library; the first call through any of them loads the\n"
    "                      library with dlopen, and each finds its function with dlsym\n"
    "                      at its own first call. Data and thread-local exports get no\n"
    "                      stub (they are listed on standard error). If the library or\n"
    "                      a function cannot be found, the program's LABEL_stub_failure\n"
    "                      is called (LABEL: the soname with each character that is not\n"
    "                      a letter or digit made '_', libz_so_1 for libz.so.1), as\n"
    "                        void *(*LABEL_stub_failure)(const char *library,\n"
    "                            const char *function, const char *error);\n"
    "                      and what it returns is called instead; when it is not set or\n"
    "                      returns NULL, the error goes to standard error and the\n"
    "                      program aborts\n"
    "  --load-name NAME    with --elf: what dlopen is given (a path, or another name),\n"
    "                      instead of the library's soname\n"
    "\n"
    "Output:\n"
    "  -o, --output FILE   the import library to write (a directory with NAME=INPUT)\n"
    "  --dll-name NAME     the DLL the imports bind to: overrides LIBRARY and the DLL's\n"
    "                      own name; needed for objects and for a .def without LIBRARY\n"
    "  --flavor=FLAVOR     gnu (the default: GNU dlltool's .def dialect, libNAME.dll.a,\n"
    "                      for mingw's ld) or msvc (lib.exe's dialect, NAME.lib, for\n"
    "                      lld-link and link.exe); both write lib.exe's archive layout\n"
    "  --long              GNU dlltool's long format (stub objects with .text jump stubs\n"
    "                      and .idata$* pieces) instead of short import members, for\n"
    "                      toolchains that predate them (GNU flavor)\n"
    "  --delay             a delay-import library for GNU ld (x86-64, functions only):\n"
    "                      the DLL is loaded at the first call, through\n"
    "                      __delayLoadHelper2 (mingw's libmingwex)\n"
    "  --machine=MACHINE   x86-64 (the default for a .def), i386 or arm64; a DLL's or\n"
    "                      the objects' own machine must agree\n"
    "  --kill-at           i386: import stdcall functions by their names without @N\n"
    "  --def-out FILE      also write the .def the import library was made from\n"
    "  --json              print a manifest: the DLL, and each export's name, symbol,\n"
    "                      ordinal, hint, type (code, data, const) and name type; with\n"
    "                      --elf, the library, and each export's name, version, type\n"
    "                      (function, data, tls) and whether it has a stub\n"
    "  --allow-duplicates  keep the first of several exports of one name (else an error)\n"
    "  --max-expand=SIZE   the most a zstd-compressed input may expand to (bytes, or with\n"
    "                      K, M, G: 512M, 4G); 1G unless RTLINK_MAX_EXPAND says otherwise\n"
    "  -h, --help          print this help\n"
    "  --version           print the version\n"
    "\n"
    "Long options take --opt=VALUE or --opt VALUE. The output is the same, byte for byte,\n"
    "for the same inputs, wherever it is written and whenever. Nothing is written when an\n"
    "input is wrong; a file that is written is replaced whole (a device or FIFO is\n"
    "written into, a link's target written; -o - is standard output).\n"
    "Exit status: 0; 1 when an input is wrong or an output cannot be written; 2 for a\n"
    "usage error.\n";

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "implib-gen: %s\nTry 'implib-gen --help'.\n", msg.c_str());
  return 2;
}

int input_error(const std::string &msg) {
  std::fprintf(stderr, "implib-gen: %s\n", msg.c_str());
  return 1;
}

enum class LibFormat { Short, Long, Delay };

struct Config {
  LibFormat format = LibFormat::Short;
  std::string output, def, dll, dll_name, def_out, elf, load_name;
  bool msvc = false, json = false, allow_duplicates = false, export_all = false;
  uint64_t max_expand = 0;  // 0: RTLINK_MAX_EXPAND, else 1 GiB
  LibraryOptions lib;
  bool machine_given = false;
  Machine machine = Machine::X86_64;
  std::vector<std::string> inputs;  // objects, or NAME=INPUT groups
};

// One library to write: its exports and what its objects reference.
struct Library {
  std::string label;  // NAME of NAME=INPUT, or empty
  Module module;
  std::vector<Reference> references;
  std::string library_path, def_path;
};

bool exists(const std::string &p) {
  return rtlink::platform::is_file(p) || rtlink::platform::is_directory(p);
}

bool is_dir(const std::string &p) { return rtlink::platform::is_directory(p); }

Expected<Machine> parse_machine(const std::string &v) {
  if (v == "x86-64" || v == "x86_64" || v == "amd64" || v == "i386:x86-64")
    return Machine::X86_64;
  if (v == "i386" || v == "x86")
    return Machine::I386;
  if (v == "arm64" || v == "aarch64")
    return Machine::ARM64;
  return make_error("unknown --machine ", v, " (x86-64, i386, arm64)");
}

// An input's bytes; an empty file is no .def, DLL or object (an empty .def
// would make a library of nothing, and say nothing of it).
Expected<std::shared_ptr<const FileData>> read_input(const Config &c, const std::string &path,
                                                     bool prefault) {
  auto f = read_file(path, prefault, c.max_expand);
  if (f && (*f)->size() == 0)
    return make_error(path, ": empty input (0 bytes): not a .def, DLL or object");
  return f;
}

// Reads one .def, DLL or set of objects into `lib`.
Error read_def(const Config &c, const std::string &path, Library &lib) {
  auto f = read_input(c, path, true);
  if (!f)
    return f.take_error();
  std::string_view text(reinterpret_cast<const char *>((*f)->data()), (*f)->size());
  auto m = parse_def(text, path, DefOptions{c.machine, !c.msvc});
  if (!m)
    return m.take_error();
  lib.module = std::move(*m);
  return {};
}

Error read_dll(const Config &c, const std::string &path, Library &lib) {
  auto f = read_input(c, path, true);
  if (!f)
    return f.take_error();
  auto m = read_dll_exports(path, {reinterpret_cast<const char *>((*f)->data()), (*f)->size()});
  if (!m)
    return m.take_error();
  if (c.machine_given && m->machine != c.machine)
    return make_error(path, ": a ", machine_name(m->machine), " DLL, but --machine is ",
                      machine_name(c.machine));
  lib.module = std::move(*m);
  lib.module.mingw = !c.msvc;
  return {};
}

Error read_objects(const Config &c, const std::vector<std::string> &paths, Library &lib) {
  std::vector<std::shared_ptr<const FileData>> keep;
  std::vector<ObjectInput> inputs;
  for (const std::string &p : paths) {
    auto f = read_input(c, p, true);
    if (!f)
      return f.take_error();
    inputs.push_back({p, bytes_of(**f), *f});
  }
  auto scan = read_object_exports(inputs, ObjectScanOptions{c.export_all});
  if (!scan)
    return scan.take_error();
  if (c.machine_given && !paths.empty() && scan->module.machine != c.machine)
    return make_error(paths.front(), ": ", machine_name(scan->module.machine),
                      " objects, but --machine is ", machine_name(c.machine));
  lib.module = std::move(scan->module);
  lib.module.mingw = !c.msvc;
  lib.references = std::move(scan->references);
  return {};
}

// What a NAME=INPUT file is, by its first bytes.
enum class InputType { Def, Dll, Object };
Expected<InputType> input_type(const Config &c, const std::string &path) {
  auto f = read_input(c, path, false);
  if (!f)
    return f.take_error();
  auto b = bytes_of(**f);
  if (b.size() >= 2 && b[0] == 'M' && b[1] == 'Z')
    return InputType::Dll;
  if (b.size() >= 8 && (std::memcmp(b.data(), "!<arch>\n", 8) == 0 ||
                        std::memcmp(b.data(), "!<thin>\n", 8) == 0))
    return InputType::Object;
  if (b.size() >= 2) {
    uint16_t m = b[0] | b[1] << 8;
    if (m == 0x8664 || m == 0x14c || m == 0xaa64 || (m == 0 && b.size() >= 4 && b[2] == 0xff))
      return InputType::Object;
  }
  // Text is a .def; anything else binary goes to the object reader, which
  // says what it is not.
  if (std::memchr(b.data(), 0, std::min<size_t>(b.size(), 4096)))
    return InputType::Object;
  return InputType::Def;
}

// The files a pattern in an input's file name (*, ?, [a-z]) matches, in
// sorted order, as the shell's glob(3) gives them; a name without one is
// itself.
Expected<std::vector<std::string>> expand(const std::string &pattern) {
  if (pattern.find_first_of("*?[") == std::string::npos)
    return std::vector<std::string>{pattern};
  std::string file = std::filesystem::path(pattern).filename().string();
  std::string dir = pattern.substr(0, pattern.size() - file.size());
  if (dir.find_first_of("*?[") != std::string::npos)
    return make_error(pattern, ": only a file name may hold a pattern, not a directory");
  auto glob = llvm::GlobPattern::create(file);
  if (!glob)
    return make_error(pattern, ": not a pattern: ", llvm::toString(glob.takeError()));
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name[0] != '.' && glob->match(name))
      out.push_back(dir + name);
  }
  if (out.empty())
    return make_error(pattern, ": no file matches");
  std::sort(out.begin(), out.end());
  return out;
}

Error finish_module(const Config &c, Library &lib) {
  Module &m = lib.module;
  if (!c.dll_name.empty() && lib.label.empty())
    m.dll_name = module_file_name(c.dll_name, false);
  if (m.dll_name.empty())
    return make_error(lib.label.empty() ? (c.def.empty() ? c.inputs.front() : c.def) : lib.label,
                      ": no DLL name: ",
                      c.def.empty() ? "objects do not say which DLL they go into"
                                    : "the .def has no LIBRARY (or NAME) statement",
                      "; give it with --dll-name NAME");
  return check_exports(m, c.allow_duplicates);
}

nlohmann::ordered_json manifest(const Config &c, const Library &lib) {
  const Module &m = lib.module;
  nlohmann::ordered_json exports = nlohmann::ordered_json::array();
  const std::vector<ShortImport> plan = plan_short_imports(m, c.lib);
  for (size_t i = 0; i < m.exports.size(); ++i) {
    const Export &e = m.exports[i];
    nlohmann::ordered_json x;
    x["name"] = e.name;
    x["symbol"] = plan[i].symbol;
    x["ordinal"] = e.ordinal ? nlohmann::ordered_json(e.ordinal) : nlohmann::ordered_json(nullptr);
    uint32_t hint = e.noname || e.hint == 0 ? e.ordinal : e.hint;
    x["hint"] = e.noname ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(hint);
    x["type"] = kind_name(e.kind);
    x["name_type"] = import_name_type_name(plan[i].name_type);
    if (!e.internal.empty())
      x["internal"] = e.internal;
    if (!e.import_name.empty())
      x["import_name"] = e.import_name;
    if (!e.export_as.empty())
      x["export_as"] = e.export_as;
    if (!e.forwarder.empty())
      x["forwarder"] = e.forwarder;
    if (e.private_)
      x["private"] = true;
    exports.push_back(std::move(x));
  }
  nlohmann::ordered_json j;
  j["dll"] = m.dll_name;
  j["machine"] = machine_name(m.machine);
  j["flavor"] = c.msvc ? "msvc" : "gnu";
  j["library"] = lib.library_path;
  if (!lib.def_path.empty())
    j["def"] = lib.def_path;
  j["exports"] = std::move(exports);
  return j;
}

Error write_text(const std::string &path, const std::string &text) {
  return io::write_output(path, [&](llvm::raw_ostream &os) -> Error {
    os << text;
    return {};
  });
}

Error write_library(const Config &c, const Library &lib) {
  switch (c.format) {
  case LibFormat::Long:
    return write_long_library(lib.module, c.lib, lib.library_path);
  case LibFormat::Delay:
    return write_delay_library(lib.module, c.lib, lib.library_path);
  case LibFormat::Short:
    break;
  }
  return write_short_library(lib.module, c.lib, lib.library_path);
}

Error write_outputs(const Config &c, const Library &lib) {
  if (Error e = write_library(c, lib))
    return e;
  if (!lib.def_path.empty())
    return write_text(lib.def_path, write_def(lib.module));
  return {};
}

// Several libraries: which imports what from which.
struct Imports {
  std::map<size_t, std::set<std::string>> from;  // library index -> names
  size_t elsewhere = 0;  // references none of the libraries defines
};

std::vector<Imports> cross_imports(const std::vector<Library> &libs) {
  std::map<std::string, size_t> owner;  // export name -> library
  for (size_t i = 0; i < libs.size(); ++i)
    for (const Export &e : libs[i].module.exports)
      owner.emplace(e.name, i);
  std::vector<Imports> out(libs.size());
  for (size_t i = 0; i < libs.size(); ++i) {
    std::set<std::string> seen;
    for (const Reference &r : libs[i].references) {
      if (!seen.insert(r.name).second)
        continue;
      auto it = owner.find(r.name);
      if (it == owner.end())
        ++out[i].elsewhere;
      else if (it->second != i)
        out[i].from[it->second].insert(r.name);
    }
  }
  return out;
}

void report(const std::vector<Library> &libs) {
  std::vector<Imports> imports = cross_imports(libs);
  for (size_t i = 0; i < libs.size(); ++i) {
    const Library &l = libs[i];
    std::printf("%s: %zu exports -> %s, %s\n", l.module.dll_name.c_str(), l.module.exports.size(),
                l.library_path.c_str(), l.def_path.c_str());
    for (auto &[j, names] : imports[i].from) {
      std::string list;
      for (const std::string &n : names)
        list += (list.empty() ? "" : ", ") + n;
      std::printf("  imports from %s: %s\n", libs[j].module.dll_name.c_str(), list.c_str());
    }
    if (imports[i].elsewhere)
      std::printf("  %zu other references, to none of these libraries\n", imports[i].elsewhere);
  }
}

int run_multi(const Config &c) {
  if (!c.def.empty() || !c.dll.empty())
    return usage_error("--def and --dll do not go with NAME=INPUT (give the file as NAME=FILE)");
  if (!is_dir(c.output))
    return usage_error("with NAME=INPUT, -o names a directory, and " + c.output + " is not one");
  std::vector<Library> libs;
  std::vector<std::vector<std::string>> files;
  for (const std::string &a : c.inputs) {
    size_t eq = a.find('=');
    std::string pattern = a;
    if (eq != std::string::npos && eq > 0 && a.find('/') > eq && !exists(a)) {
      Library l;
      l.label = a.substr(0, eq);
      for (const Library &other : libs)
        if (other.label == l.label)
          return usage_error("library " + l.label + " is named twice");
      libs.push_back(std::move(l));
      files.emplace_back();
      pattern = a.substr(eq + 1);
    } else if (libs.empty()) {
      return usage_error(a + ": with several libraries every input follows a NAME=");
    }
    auto paths = expand(pattern);
    if (!paths)
      return input_error(paths.error().message());
    files.back().insert(files.back().end(), paths->begin(), paths->end());
  }
  for (size_t i = 0; i < libs.size(); ++i) {
    Library &l = libs[i];
    std::vector<std::string> objects;
    for (const std::string &p : files[i]) {
      auto t = input_type(c, p);
      if (!t)
        return input_error(t.error().message());
      if (*t == InputType::Object) {
        objects.push_back(p);
        continue;
      }
      if (files[i].size() != 1)
        return input_error(p + ": a .def or DLL must be the only input of library " + l.label);
      if (Error e = *t == InputType::Dll ? read_dll(c, p, l) : read_def(c, p, l))
        return input_error(e.message());
    }
    if (!objects.empty())
      if (Error e = read_objects(c, objects, l))
        return input_error(e.message());
    if (l.module.dll_name.empty() || !objects.empty())
      l.module.dll_name = l.label + ".dll";
    if (Error e = finish_module(c, l))
      return input_error(e.message());
    std::string dir = c.output + "/";
    l.library_path = dir + (c.msvc ? l.label + ".lib" : "lib" + l.label + ".dll.a");
    l.def_path = dir + l.label + ".def";
  }
  for (const Library &l : libs)
    if (Error e = write_outputs(c, l))
      return input_error(e.message());
  if (c.json) {
    std::vector<Imports> imports = cross_imports(libs);
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (size_t i = 0; i < libs.size(); ++i) {
      nlohmann::ordered_json m = manifest(c, libs[i]);
      nlohmann::ordered_json from = nlohmann::ordered_json::array();
      for (auto &[j, names] : imports[i].from)
        from.push_back({{"dll", libs[j].module.dll_name}, {"symbols", names}});
      m["imports"] = std::move(from);
      m["other_references"] = imports[i].elsewhere;
      all.push_back(std::move(m));
    }
    std::printf("%s\n", json_output::dump(nlohmann::ordered_json{{"libraries", all}}, 2).c_str());
  } else {
    report(libs);
  }
  return 0;
}

int run_single(Config c) {
  // A lone .def or DLL among the plain arguments is read as --def/--dll would.
  if (c.def.empty() && c.dll.empty() && c.inputs.size() == 1) {
    auto t = input_type(c, c.inputs.front());
    if (t && *t != InputType::Object) {
      (*t == InputType::Dll ? c.dll : c.def) = c.inputs.front();
      c.inputs.clear();
    }
  }
  int sources = !c.def.empty() + !c.dll.empty() + !c.inputs.empty();
  if (sources == 0)
    return usage_error("nothing to read: give --def FILE, --dll FILE or objects");
  if (sources > 1)
    return usage_error("give one of --def FILE, --dll FILE or objects");
  if (c.export_all && c.inputs.empty())
    return usage_error("--export-all goes with objects");
  Library lib;
  Error e = !c.def.empty()   ? read_def(c, c.def, lib)
            : !c.dll.empty() ? read_dll(c, c.dll, lib)
                             : read_objects(c, c.inputs, lib);
  if (e)
    return input_error(e.message());
  if (Error f = finish_module(c, lib))
    return input_error(f.message());
  lib.library_path = c.output;
  lib.def_path = c.def_out;
  if (lib.library_path.empty() && lib.def_path.empty() && !c.json)
    return usage_error("no output: give -o FILE (or --def-out FILE, or --json)");
  if (!lib.library_path.empty() && is_dir(lib.library_path))
    return usage_error(lib.library_path + " is a directory (-o DIR goes with NAME=INPUT)");
  if (!lib.library_path.empty()) {
    if (Error w = write_library(c, lib))
      return input_error(w.message());
  }
  if (!lib.def_path.empty())
    if (Error w = write_text(lib.def_path, write_def(lib.module)))
      return input_error(w.message());
  if (c.json)
    std::printf("%s\n", json_output::dump(manifest(c, lib), 2).c_str());
  return 0;
}

// --elf: lazy-loading stubs for an ELF shared library.
int run_elf(const Config &c, bool multi) {
  if (multi || !c.inputs.empty() || !c.def.empty() || !c.dll.empty())
    return usage_error("--elf reads one library; give no other inputs");
  if (!c.dll_name.empty() || !c.def_out.empty() || c.msvc || c.format != LibFormat::Short ||
      c.machine_given || c.lib.kill_at || c.export_all || c.allow_duplicates)
    return usage_error("with --elf, the options for DLLs (--dll-name, --def-out, --flavor, "
                       "--long, --delay, --machine, --kill-at, --export-all, "
                       "--allow-duplicates) do not apply");
  if (c.output.empty() && !c.json)
    return usage_error("no output: give -o FILE (or --json)");
  if (!c.output.empty() && is_dir(c.output))
    return usage_error(c.output + " is a directory: give -o FILE");
  auto f = read_input(c, c.elf, false);
  if (!f)
    return input_error(f.error().message());
  auto lib = read_shared_exports(c.elf, bytes_of(**f));
  if (!lib)
    return input_error(lib.error().message());
  if (!c.load_name.empty())
    lib->load_name = c.load_name;
  if (!c.output.empty())
    if (Error e = write_elf_stubs(*lib, c.output))
      return input_error(e.message());
  // What no stub stands for, said once: a program that uses any of it needs
  // the library itself at link time.
  std::vector<std::string> unstubbed;
  for (const SharedExport &e : lib->exports)
    if (!e.stubbed && e.kind != SharedExportKind::Function)
      unstubbed.push_back(e.name);
  if (!unstubbed.empty() && !c.output.empty()) {
    std::string list;
    const size_t shown = std::min<size_t>(unstubbed.size(), 12);
    for (size_t i = 0; i < shown; ++i)
      list += (i ? ", " : "") + unstubbed[i];
    if (shown < unstubbed.size())
      list += " and " + std::to_string(unstubbed.size() - shown) + " more (--json lists them)";
    std::fprintf(stderr,
                 "implib-gen: warning: %s: %zu data or thread-local export%s with no stub (a "
                 "program that uses one must link %s itself): %s\n",
                 c.elf.c_str(), unstubbed.size(), unstubbed.size() == 1 ? "" : "s",
                 lib->soname.c_str(), list.c_str());
  }
  if (c.json) {
    nlohmann::ordered_json exports = nlohmann::ordered_json::array();
    for (const SharedExport &e : lib->exports) {
      nlohmann::ordered_json x;
      x["name"] = e.name;
      x["version"] = e.version.empty() ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(e.version);
      x["type"] = shared_kind_name(e.kind);
      x["stub"] = e.stubbed;
      exports.push_back(std::move(x));
    }
    nlohmann::ordered_json j;
    j["soname"] = lib->soname;
    j["load_name"] = lib->load_name;
    j["machine"] = elf_machine_name(lib->machine);
    j["label"] = stub_label(lib->soname);
    j["library"] = c.output;
    j["exports"] = std::move(exports);
    std::printf("%s\n", json_output::dump(j, 2).c_str());
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  rtlink::platform::binary_output();
  Config c;
  bool multi = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    // --opt=VALUE or --opt VALUE
    std::string value;
    auto takes = [&](const char *opt) -> bool {
      size_t n = std::strlen(opt);
      if (a == opt) {
        if (i + 1 >= argc)
          throw std::string(std::string(opt) + " needs a value");
        value = argv[++i];
        return true;
      }
      if (a.size() > n && a.compare(0, n, opt) == 0 && a[n] == '=') {
        value = a.substr(n + 1);
        return true;
      }
      return false;
    };
    try {
      if (a == "-h" || a == "--help") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (a == "--version") {
        std::printf("implib-gen (rtlink) %s\n", RTLINK_VERSION);
        return 0;
      } else if (takes("-o") || takes("--output")) {
        c.output = value;
      } else if (takes("--def")) {
        c.def = value;
      } else if (takes("--dll")) {
        c.dll = value;
      } else if (takes("--elf")) {
        c.elf = value;
      } else if (takes("--load-name")) {
        c.load_name = value;
      } else if (takes("--dll-name")) {
        c.dll_name = value;
      } else if (takes("--def-out")) {
        c.def_out = value;
      } else if (takes("--max-expand")) {
        auto size = parse_size(value);
        if (!size)
          return usage_error("--max-expand needs a size (bytes, or a number with K, M, G or T), not '" +
                             value + "'");
        c.max_expand = *size;
      } else if (takes("--flavor")) {
        if (value != "gnu" && value != "msvc")
          return usage_error("unknown --flavor " + value + " (gnu, msvc)");
        c.msvc = value == "msvc";
        c.lib.msvc = c.msvc;
      } else if (takes("--machine") || takes("-m")) {
        auto m = parse_machine(value);
        if (!m)
          return usage_error(m.error().message());
        c.machine = *m;
        c.machine_given = true;
      } else if (a == "--kill-at" || a == "-k") {
        c.lib.kill_at = true;
      } else if (a == "--json") {
        c.json = true;
      } else if (a == "--allow-duplicates") {
        c.allow_duplicates = true;
      } else if (a == "--export-all" || a == "--export-all-symbols") {
        c.export_all = true;
      } else if (a == "--long") {
        c.format = LibFormat::Long;
      } else if (a == "--delay") {
        c.format = LibFormat::Delay;
      } else if (a.size() > 1 && a[0] == '-') {
        return usage_error("unknown option " + a);
      } else {
        size_t eq = a.find('=');
        if (eq != std::string::npos && eq > 0 && a.find('/') > eq && !exists(a))
          multi = true;
        c.inputs.push_back(a);
      }
    } catch (const std::string &msg) {
      return usage_error(msg);
    }
  }
  if (c.format != LibFormat::Short && c.msvc)
    return usage_error(std::string(c.format == LibFormat::Long ? "--long" : "--delay") +
                       " writes GNU dlltool's format, for GNU ld; lld-link and link.exe take "
                       "short import libraries (leave out --flavor=msvc)");
  if (c.lib.kill_at && c.machine_given && c.machine != Machine::I386)
    return usage_error("--kill-at is for i386 (stdcall names)");
  if (!c.elf.empty())
    return run_elf(c, multi);
  if (!c.load_name.empty())
    return usage_error("--load-name goes with --elf");
  if (multi) {
    if (c.output.empty())
      return usage_error("with NAME=INPUT, give -o DIR");
    if (!c.def_out.empty())
      return usage_error("with NAME=INPUT, the .def files are written into -o DIR");
    return run_multi(c);
  }
  return run_single(c);
}
