// object/coff_import.cpp — short import members → a small LinkUnit.
//
// A short import member (the PE/COFF specification's "import library
// format", written by lib.exe and llvm-dlltool) is a 20-byte header followed
// by the symbol name and the DLL name. rtlink turns it into a unit with
//   .idata$5  an 8-byte cell, __imp_NAME, bound at resolve to the DLL's export
//             (an Abs64 edge to an import symbol "dll!name" or "dll!#ordinal");
//   .text     for code imports, NAME: `jmp *__imp_NAME(%rip)`.
// The export is the name the header's name type gives: the symbol itself,
// without its prefix, undecorated, the EXPORTAS name, or an ordinal.
#include "object/coff.hpp"
#include "support/format.hpp"

#include <llvm/BinaryFormat/COFF.h>

#include <cctype>
#include <cstring>

namespace rtlink {

using namespace llvm::COFF;

std::string import_key(std::string_view dll, std::string_view name) {
  std::string key(dll);
  for (char &c : key)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return key + "!" + std::string(name);
}

std::string import_key(std::string_view dll, uint16_t ordinal) {
  std::string number(1, '#');
  number += std::to_string(ordinal);
  return import_key(dll, number);
}

Expected<LinkUnit> parse_coff_import(std::string name, std::shared_ptr<const FileData> file,
                                     std::span<const uint8_t> bytes) {
  auto fail = [&](const auto &...parts) { return make_error(name, ": ", parts...); };
  constexpr size_t kHeader = 20;
  if (bytes.size() < kHeader)
    return fail("truncated import header (", bytes.size(), " bytes, need 20)");
  auto u16 = [&](size_t at) {
    uint16_t v;
    std::memcpy(&v, bytes.data() + at, 2);
    return v;
  };
  auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  };
  if (u16(0) != 0 || u16(2) != 0xffff)
    return fail("not an import member");
  if (u16(6) != IMAGE_FILE_MACHINE_AMD64)
    return fail("import for machine ", hex(u16(6)), " is not supported (x86-64 only)");
  uint32_t size = u32(12);
  if (size > bytes.size() - kHeader)
    return fail("import data (", size, " bytes) runs past the end of the member");
  const uint16_t ordinal_or_hint = u16(16);
  const uint16_t flags = u16(18);
  const unsigned type = flags & 3, name_type = (flags >> 2) & 7;

  // The strings: symbol, DLL, and for EXPORTAS the export name.
  std::string_view data(reinterpret_cast<const char *>(bytes.data()) + kHeader, size);
  std::vector<std::string_view> strings;
  for (size_t pos = 0; pos < data.size() && strings.size() < 3;) {
    size_t end = data.find('\0', pos);
    if (end == std::string_view::npos)
      return fail("import strings are not NUL-terminated");
    strings.push_back(data.substr(pos, end - pos));
    pos = end + 1;
  }
  if (strings.size() < 2 || strings[0].empty() || strings[1].empty())
    return fail("import member without a symbol or DLL name");
  std::string_view symbol = strings[0], dll = strings[1];

  LinkUnit u;
  u.name = name;
  u.file = std::move(file);
  u.format = Format::COFF;
  u.relocation_name = [](uint16_t t) {
    return t == IMAGE_REL_AMD64_ADDR64 ? std::string("import cell")
                                       : std::string("import stub (jmp *__imp_)");
  };

  std::string key;
  switch (name_type) {
  case IMPORT_ORDINAL: key = import_key(dll, ordinal_or_hint); break;
  case IMPORT_NAME: key = import_key(dll, symbol); break;
  case IMPORT_NAME_NOPREFIX:
  case IMPORT_NAME_UNDECORATE: {
    std::string_view n = symbol;
    if (!n.empty() && (n[0] == '?' || n[0] == '@' || n[0] == '_'))
      n.remove_prefix(1);
    if (name_type == IMPORT_NAME_UNDECORATE)
      n = n.substr(0, n.find('@'));
    key = import_key(dll, n);
    break;
  }
  case IMPORT_NAME_EXPORTAS:
    if (strings.size() < 3 || strings[2].empty())
      return fail("EXPORTAS import without an export name");
    key = import_key(dll, strings[2]);
    break;
  default: return fail("unknown import name type ", name_type);
  }
  if (type > IMPORT_CONST)
    return fail("unknown import type ", type);

  // .idata$5: the cell. .text: the stub, for code.
  const uint8_t zero[8] = {};
  u.add_section(".idata$5", zero, 8, Perm::RelRO);

  Symbol imp;
  imp.name = u.keep("__imp_" + std::string(symbol));
  imp.section = 0;
  imp.binding = Binding::Global;
  Symbol target;
  target.name = u.keep(std::move(key));
  target.is_import = true;
  target.binding = Binding::Global;
  u.symbols = {Symbol{}, imp, target};
  u.add_edge(0, Edge{0, 0, 2, IMAGE_REL_AMD64_ADDR64, EdgeKind::Abs64});

  if (type == IMPORT_CODE) {
    const uint8_t jmp[8] = {0xff, 0x25, 0, 0, 0, 0, 0xcc, 0xcc};  // jmp *disp32(%rip)
    uint32_t text = u.add_section(".text", jmp, 8, Perm::ReadExecute);
    u.add_edge(text, Edge{2, -4, 1, IMAGE_REL_AMD64_REL32, EdgeKind::PCRel32});
    Symbol code;
    code.name = symbol;
    code.section = text;
    code.binding = Binding::Global;
    code.is_function = true;
    u.symbols.push_back(code);
  }
  return u;
}

} // namespace rtlink
