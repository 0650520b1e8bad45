// symdump -l/--line-numbers: where a symbol is in the source, from the
// object's DWARF through LLVM's symbolizer, by llvm-nm's rules: a function
// ('t'/'T') by the line of its address, other definitions by their
// variable's declaration, an undefined symbol ('U') by the line of the first
// call or reference to it (its first relocation in a code section).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace llvm::object {
class ObjectFile;
class SymbolRef;
} // namespace llvm::object

namespace symdump {

struct SourceLine {
  std::string file;  // empty: none known
  uint32_t line = 0;
};

// One per listing (the symbolizer keeps what it read of the object's DWARF).
class LineFinder {
public:
  explicit LineFinder(const llvm::object::ObjectFile &obj);
  ~LineFinder();
  // `type` is the symbol's nm letter. A failure of the DWARF reader is said
  // in `error` (the symbol then has no line).
  SourceLine find(const llvm::object::SymbolRef &sym, char type, std::string &error);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace symdump
