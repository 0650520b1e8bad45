// symdump/lines.cpp — see lines.hpp.
#include "lines.hpp"
#include "relocations.hpp"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/DebugInfo/DIContext.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFFormValue.h>
#include <llvm/DebugInfo/DWARF/DWARFUnit.h>
#include <llvm/DebugInfo/Symbolize/Symbolize.h>
#include <llvm/Object/COFF.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>

namespace symdump {

using namespace llvm;
using namespace llvm::object;

struct LineFinder::Impl {
  const ObjectFile &obj;
  symbolize::LLVMSymbolizer symbolizer;
  std::string unreadable;  // why the DWARF is not given to the symbolizer
};

namespace {

// Whether a DWARF 5 line table's entry formats name only forms LLVM knows.
// Its reader of a prologue jumps through a table by the form's number, form
// 0 included: a directory or file entry of form 0 sends it to no code at all
// (llvm-nm -l and llvm-dwarfdump end by SIGSEGV). DW_FORM_indirect is refused
// too: the form it reads from the entry may be 0. Only the entry formats are
// read here, and the directories between them skipped; anything else wrong
// in the prologue LLVM's reader says itself. Empty: the formats are known.
std::string unknown_line_form(const DWARFObject &dwarf, uint64_t offset, bool little) {
  DataExtractor data(dwarf.getLineSection().Data, little, 8);
  DataExtractor::Cursor at(offset);
  uint64_t length = data.getU32(at);
  dwarf::DwarfFormat format = dwarf::DWARF32;
  if (length == 0xffffffff) {
    format = dwarf::DWARF64;
    data.getU64(at);
  }
  uint16_t version = data.getU16(at);
  if (!at || version != 5) {
    consumeError(at.takeError());
    return {};
  }
  uint8_t address_size = data.getU8(at);
  data.getU8(at);                                  // segment selector size
  data.skip(at, format == dwarf::DWARF64 ? 8 : 4); // header length
  data.skip(at, 5);  // instruction length, operations, is_stmt, line base, range
  uint8_t opcode_base = data.getU8(at);
  data.skip(at, opcode_base > 1 ? opcode_base - 1 : 0);
  const dwarf::FormParams params{version, address_size, format};
  std::string said;
  // One list of entry formats and its entries; false: stop reading.
  auto entries = [&](const char *what) {
    uint8_t count = data.getU8(at);
    std::vector<dwarf::Form> forms;
    for (uint8_t i = 0; i < count && at; ++i) {
      data.getULEB128(at);  // content type
      auto form = static_cast<dwarf::Form>(data.getULEB128(at));
      if (!at)
        break;
      if (form == 0 || form == dwarf::DW_FORM_indirect ||
          dwarf::FormEncodingString(form).empty()) {
        said = "the line table at offset " + std::to_string(offset) +
               " of .debug_line gives its " + what + " the form " +
               std::to_string(static_cast<unsigned>(form)) +
               (form == dwarf::DW_FORM_indirect ? " (DW_FORM_indirect), which its reader cannot check"
                                                : ", which is no DWARF form");
        return false;
      }
      forms.push_back(form);
    }
    uint64_t n = data.getULEB128(at);
    for (uint64_t i = 0; i < n && at; ++i)
      for (dwarf::Form form : forms) {
        uint64_t o = at.tell();
        if (!DWARFFormValue::skipValue(form, data, &o, params))
          return false;
        data.skip(at, o - at.tell());
      }
    return static_cast<bool>(at);
  };
  if (entries("directories"))
    entries("files");
  consumeError(at.takeError());
  return said;
}

// What in the object LLVM's readers would fall over: relocation tables that
// do not read (see above); DWARF whose DIEs do not read cleanly, whose units
// the symbolizer's lookup of a variable walks through null pointers (llvm-nm
// -l ends by SIGSEGV). All found by fuzz_symdump.
std::string unreadable_units(const ObjectFile &obj) {
  if (std::string bad = unreadable_relocations(obj); !bad.empty())
    return bad;
  // Every DIE read once, here; anything LLVM's reader says of them (a unit
  // whose DIEs run past its end, an abbreviation that is not there) leaves
  // the DWARF to no one.
  std::string said;
  auto note = [&](Error e) {
    std::string message = toString(std::move(e));
    if (said.empty())
      said = message;
  };
  auto context = DWARFContext::create(obj, DWARFContext::ProcessDebugRelocations::Process,
                                      nullptr, "", note, note);
  for (const auto &unit : context->info_section_units()) {
    if (!unit->getUnitDIE(false))
      return "the DWARF unit at offset " + std::to_string(unit->getOffset()) +
             " of .debug_info does not read";
    if (!said.empty())
      return "the DWARF does not read: " + said;
    if (auto lines = dwarf::toSectionOffset(unit->getUnitDIE(false).find(dwarf::DW_AT_stmt_list)))
      if (std::string bad = unknown_line_form(context->getDWARFObj(), *lines, obj.isLittleEndian());
          !bad.empty())
        return bad;
  }
  return {};
}

} // namespace

LineFinder::LineFinder(const ObjectFile &obj)
    : impl_(new Impl{obj, {}, unreadable_units(obj)}) {}
LineFinder::~LineFinder() = default;

namespace {

template <class T> T *value_or_error(Expected<T> &r, std::string &error) {
  if (r)
    return &*r;
  error = toString(r.takeError());
  return nullptr;
}

} // namespace

SourceLine LineFinder::find(const SymbolRef &sym, char type, std::string &error) {
  if (!impl_->unreadable.empty()) {
    error = impl_->unreadable;
    return {};
  }
  const ObjectFile &obj = impl_->obj;
  auto &symbolizer = impl_->symbolizer;
  uint64_t section = SectionedAddress::UndefSection;
  auto sec = sym.getSection();
  if (!sec) {
    consumeError(sec.takeError());
    return {};
  }
  if (*sec != obj.section_end())
    section = (*sec)->getIndex();
  auto address = sym.getAddress();
  if (!address) {
    consumeError(address.takeError());
    return {};
  }
  SourceLine out;
  if (type == 'U') {
    // The first reference from code: a relocation in a section of code.
    for (const SectionRef relocs : obj.sections()) {
      if (relocs.relocations().empty())
        continue;
      auto target = relocs.getRelocatedSection();
      if (!target) {
        consumeError(target.takeError());
        continue;
      }
      if (*target == obj.section_end() || !(*target)->isText())
        continue;
      for (const RelocationRef r : relocs.relocations()) {
        if (r.getSymbol() != symbol_iterator(sym))
          continue;
        auto info = symbolizer.symbolizeCode(obj, {(*target)->getAddress() + r.getOffset(), section});
        const DILineInfo *i = value_or_error(info, error);
        if (!i || i->FileName == DILineInfo::BadString)
          return {};
        return {i->FileName, i->Line};
      }
    }
    return {};
  }
  if (type == 't' || type == 'T') {
    auto info = symbolizer.symbolizeCode(obj, {*address, section});
    const DILineInfo *i = value_or_error(info, error);
    if (!i || i->FileName == DILineInfo::BadString)
      return {};
    return {i->FileName, i->Line};
  }
  auto global = symbolizer.symbolizeData(obj, {*address, section});
  const DIGlobal *g = value_or_error(global, error);
  if (!g || g->DeclFile.empty())
    return {};
  return {g->DeclFile, static_cast<uint32_t>(g->DeclLine)};
}

} // namespace symdump
