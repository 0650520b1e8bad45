// implib/short_library.cpp — short import libraries, written by LLVM
// Object's writeImportLibrary (what llvm-dlltool and llvm-lib use): three
// descriptor objects, then one 20-byte-header import member per export.
#include "implib/coff_object.hpp"
#include "io/output.hpp"

#include <llvm/BinaryFormat/COFF.h>
#include <llvm/Object/COFFImportFile.h>
#include <llvm/Support/Error.h>

namespace rtlink::implib {

llvm::COFF::MachineTypes coff_machine(Machine m) {
  switch (m) {
  case Machine::I386:
    return llvm::COFF::IMAGE_FILE_MACHINE_I386;
  case Machine::ARM64:
    return llvm::COFF::IMAGE_FILE_MACHINE_ARM64;
  case Machine::X86_64:
    break;
  }
  return llvm::COFF::IMAGE_FILE_MACHINE_AMD64;
}

Error write_short_library(const Module &m, const LibraryOptions &opt, const std::string &path) {
  std::vector<llvm::object::COFFShortExport> exports;
  exports.reserve(m.exports.size());
  for (const Export &e : m.exports) {
    llvm::object::COFFShortExport x;
    x.Name = symbol_name(m, e);  // SymbolName left empty: the same
    if (opt.kill_at && m.machine == Machine::I386 && !x.Name.starts_with("?")) {
      // Import foo for _foo@4: the member's name type says to drop the
      // prefix and the @N (IMPORT_NAME_UNDECORATE).
      size_t at = x.Name.find('@', 1);
      if (at != std::string::npos) {
        x.SymbolName = x.Name;
        x.Name.resize(at);
      }
    }
    x.ImportName = e.import_name;
    x.ExportAs = e.export_as;
    // For an import by name the member's number is the hint: the export's
    // index in the DLL's name table when it is known, else its ordinal.
    x.Ordinal = import_hint(e);
    x.Noname = e.noname;
    x.Data = e.kind == ExportKind::Data;
    x.Constant = e.kind == ExportKind::Const;
    x.Private = e.private_;
    exports.push_back(std::move(x));
  }
  // LLVM writes the library to a file of its own naming; io/output puts it
  // where `path` says (a device, a link's target, a file replaced whole).
  return io::write_output_file(path, [&](const std::string &to) -> Error {
    if (llvm::Error e = llvm::object::writeImportLibrary(m.dll_name, to, exports,
                                                         coff_machine(m.machine), !opt.msvc))
      return make_error(path, ": ", llvm::toString(std::move(e)));
    return {};
  });
}

} // namespace rtlink::implib
