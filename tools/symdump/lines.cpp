// symdump/lines.cpp — see lines.hpp.
#include "lines.hpp"
#include "relocations.hpp"

#include <llvm/DebugInfo/DIContext.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
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
