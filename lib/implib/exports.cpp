// implib/exports.cpp — checks on an export list, the names an import library
// gives each export, and the .def writer.
#include "implib/exports.hpp"

#include <unordered_map>

namespace rtlink::implib {

const char *machine_name(Machine m) {
  switch (m) {
  case Machine::X86_64:
    return "x86-64";
  case Machine::I386:
    return "i386";
  case Machine::ARM64:
    return "arm64";
  }
  return "?";
}

const char *kind_name(ExportKind k) {
  switch (k) {
  case ExportKind::Code:
    return "code";
  case ExportKind::Data:
    return "data";
  case ExportKind::Const:
    return "const";
  }
  return "?";
}

Error check_exports(Module &m, bool keep_first) {
  // Keys point into the exports' own names: nothing is copied or moved
  // until the list is known to be sound.
  std::unordered_map<std::string_view, size_t> by_name;
  std::unordered_map<uint32_t, size_t> by_ordinal;
  by_name.reserve(m.exports.size());
  std::vector<bool> dropped(m.exports.size());
  bool any_dropped = false;
  for (size_t i = 0; i < m.exports.size(); ++i) {
    const Export &e = m.exports[i];
    auto [it, fresh] = by_name.emplace(e.name, i);
    if (!fresh) {
      if (keep_first) {
        dropped[i] = any_dropped = true;
        continue;
      }
      return make_error(e.origin, ": export ", e.name, " is listed twice (first at ",
                        m.exports[it->second].origin, "); --allow-duplicates keeps the first");
    }
    if (e.ordinal != 0) {
      if (e.ordinal > 65535)
        return make_error(e.origin, ": export ", e.name, ": ordinal ", e.ordinal,
                          " is out of range (1 to 65535)");
      auto [o, new_ordinal] = by_ordinal.emplace(e.ordinal, i);
      if (!new_ordinal)
        return make_error(e.origin, ": export ", e.name, " has ordinal ", e.ordinal,
                          ", which export ", m.exports[o->second].name, " (",
                          m.exports[o->second].origin, ") already has");
    }
    if (e.noname && e.ordinal == 0)
      return make_error(e.origin, ": export ", e.name, " is NONAME but has no ordinal");
  }
  if (any_dropped) {
    size_t out = 0;
    for (size_t i = 0; i < m.exports.size(); ++i)
      if (!dropped[i]) {
        if (out != i)  // never move an export onto itself
          m.exports[out] = std::move(m.exports[i]);
        ++out;
      }
    m.exports.resize(out);
  }
  return {};
}

std::string symbol_name(const Module &m, const Export &e) {
  if (m.machine != Machine::I386)
    return e.name;
  // i386 C names carry a leading underscore. Already decorated: C++ (?),
  // fastcall (@), and in lib.exe's dialect any name with an @ (a stdcall
  // name is written _foo@4 there; GNU's foo@4 gets its underscore).
  const std::string &n = e.name;
  if (n.starts_with("?") || n.starts_with("@") || n.find("@@") != std::string::npos)
    return n;
  if (!m.mingw && n.find('@') != std::string::npos)
    return n;
  return "_" + n;
}

namespace {

bool needs_quotes(const std::string &s) {
  if (s.empty())
    return true;
  for (char c : s)
    if (c == ' ' || c == '\t' || c == '=' || c == ',' || c == ';' || c == '"')
      return true;
  for (const char *k : {"NAME", "LIBRARY", "EXPORTS", "HEAPSIZE", "STACKSIZE", "VERSION",
                        "DESCRIPTION", "SECTIONS", "IMPORTS", "CODE", "DATA", "STUB", "NONAME",
                        "PRIVATE", "CONSTANT", "EXPORTAS", "BASE"})
    if (s == k)
      return true;
  return s[0] == '@' && s.find_first_not_of("0123456789", 1) == std::string::npos;
}

std::string quoted(const std::string &s) { return needs_quotes(s) ? "\"" + s + "\"" : s; }

} // namespace

std::string write_def(const Module &m) {
  std::string out;
  out += m.is_exe ? "NAME " : "LIBRARY ";
  out += quoted(m.dll_name);
  if (m.image_base)  // decimal: llvm-dlltool reads no hex here
    out += " BASE=" + std::to_string(m.image_base);
  out += "\nEXPORTS\n";
  for (const Export &e : m.exports) {
    out += "  ";
    out += quoted(e.name);
    if (!e.internal.empty())
      out += '=' + quoted(e.internal);
    if (e.ordinal)
      out += " @" + std::to_string(e.ordinal);
    if (e.noname)
      out += " NONAME";
    if (e.kind == ExportKind::Data)
      out += " DATA";
    else if (e.kind == ExportKind::Const)
      out += " CONSTANT";
    if (e.private_)
      out += " PRIVATE";
    if (!e.import_name.empty())
      out += " ==" + quoted(e.import_name);
    if (!e.export_as.empty())
      out += " EXPORTAS " + quoted(e.export_as);
    if (!e.forwarder.empty())
      out += " ; forwarded to " + e.forwarder;
    out += "\n";
  }
  return out;
}

} // namespace rtlink::implib
