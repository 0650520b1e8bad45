#include "object/detect.hpp"

#include <llvm/ADT/StringRef.h>
#include <llvm/BinaryFormat/Magic.h>

#include <cctype>

namespace rtlink {

InputKind identify_input(std::span<const uint8_t> bytes) {
  llvm::StringRef s(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  switch (llvm::identify_magic(s)) {
  case llvm::file_magic::elf_relocatable:
  case llvm::file_magic::coff_object:
  case llvm::file_magic::coff_import_library:
  case llvm::file_magic::macho_object:
  case llvm::file_magic::macho_universal_binary: return InputKind::Object;  // (the front end
                                                                            // picks the slice)
  case llvm::file_magic::elf_shared_object:
  case llvm::file_magic::pecoff_executable: return InputKind::SharedLibrary;  // a DLL: LoadLibrary's
  case llvm::file_magic::archive: return InputKind::Archive;
  default: break;
  }
  // A Mach-O header too short for LLVM to tell: the front end says what is wrong.
  if (bytes.size() >= 4 && bytes[0] == 0xcf && bytes[1] == 0xfa && bytes[2] == 0xed &&
      bytes[3] == 0xfe)
    return InputKind::Object;
  // A GNU ld script is text naming GROUP or INPUT.
  size_t n = std::min<size_t>(bytes.size(), 4096);
  for (size_t i = 0; i < n; ++i)
    if (bytes[i] == 0)
      return InputKind::Unknown;
  if (s.take_front(n).contains("GROUP") || s.take_front(n).contains("INPUT"))
    return InputKind::LinkerScript;
  return InputKind::Unknown;
}

Expected<std::vector<std::string>> ld_script_inputs(const std::string &path,
                                                    std::span<const uint8_t> text) {
  // Tokens: words, '(' and ')'; comments /* ... */ are skipped.
  std::vector<std::string> tokens;
  std::string_view s(reinterpret_cast<const char *>(text.data()), text.size());
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++i;
    } else if (s.compare(i, 2, "/*") == 0) {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos)
        return make_error(path, ": unterminated comment in linker script");
      i = end + 2;
    } else if (c == '(' || c == ')') {
      tokens.emplace_back(1, c);
      ++i;
    } else {
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != '(' &&
             s[j] != ')' && s[j] != ',')
        ++j;
      tokens.emplace_back(s.substr(i, j - i));
      i = j;
    }
  }
  std::vector<std::string> inputs;
  std::vector<bool> lists;  // per open parenthesis: does it hold input files?
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string &t = tokens[i];
    if ((t == "GROUP" || t == "INPUT" || t == "AS_NEEDED") && i + 1 < tokens.size() &&
        tokens[i + 1] == "(") {
      lists.push_back(true);
      ++i;
    } else if (t == "(") {
      lists.push_back(false);  // OUTPUT_FORMAT(...) and the like
    } else if (t == ")") {
      if (!lists.empty())
        lists.pop_back();
    } else if (!lists.empty() && lists.back()) {
      inputs.push_back(t);
    }
  }
  if (inputs.empty())
    return make_error(path, ": linker script names no input files (GROUP or INPUT)");
  return inputs;
}

} // namespace rtlink
