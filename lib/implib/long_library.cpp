// implib/long_library.cpp — GNU dlltool's long import-library format, for
// toolchains that predate short import members: the import table itself is
// made of pieces that GNU ld sorts into place by section name and member name.
//
//   LABEL_h.o       .idata$2: the import descriptor (ILT, name, IAT by RVA);
//                   empty .idata$4/.idata$5 that mark where this DLL's lists begin
//   LABEL_sNNNNN.o  per export: .idata$5 (IAT cell, __imp_NAME), .idata$4 (ILT
//                   entry), .idata$6 (hint and name), a .text jump stub (NAME)
//                   for code, and .idata$7, which pulls in the head
//   LABEL_t.o       the zero entries that end the ILT and IAT, and the DLL's
//                   name in .idata$7
//
// h < s < t: GNU ld sorts .idata$N by member name within a library.
// LABEL comes from the DLL's name, never from the output path, so the same
// inputs give the same library wherever it is written.
#include "implib/coff_object.hpp"

namespace rtlink::implib {

Error write_long_library(const Module &m, const LibraryOptions &opt, const std::string &path) {
  const ImportTarget t = import_target(m.machine);
  const uint16_t machine = t.machine;
  const std::string label = label_of(m.dll_name);
  const std::string head_sym = "_head_" + label, iname = "__" + label + "_iname";
  const uint32_t data_rw = kScnData | kScnRead | kScnWrite;
  const uint32_t ptr_align = t.pointer == 8 ? kAlign8 : kAlign4;
  std::vector<ArchiveMemberBytes> members;

  {  // the head: the import descriptor
    CoffObject o(machine);
    int desc = o.section(".idata$2", data_rw | kAlign4, zeros(20));
    int ilt = o.section(".idata$4", data_rw | ptr_align);
    int iat = o.section(".idata$5", data_rw | ptr_align);
    uint32_t ilt_sym = o.section_symbol(ilt), iat_sym = o.section_symbol(iat);
    o.symbol(head_sym, desc, 0, true);
    uint32_t name_sym = o.symbol(iname, 0, 0, true);
    o.relocate(desc, 0, ilt_sym, t.addr32nb);    // OriginalFirstThunk
    o.relocate(desc, 12, name_sym, t.addr32nb);  // Name
    o.relocate(desc, 16, iat_sym, t.addr32nb);   // FirstThunk
    members.push_back({label + "_h.o", o.bytes()});
  }

  unsigned n = 0;
  for (const Export &e : m.exports) {
    if (e.private_)
      continue;
    CoffObject o(machine);
    const std::string sym = symbol_name(m, e);
    const bool code = e.kind == ExportKind::Code;
    int text = o.section(".text", kScnCode | kScnExecute | kScnRead | kAlign4);
    int i7 = o.section(".idata$7", data_rw | kAlign4, zeros(4));
    int i5 = o.section(".idata$5", data_rw | ptr_align);
    int i4 = o.section(".idata$4", data_rw | ptr_align);
    uint32_t head = o.symbol(head_sym, 0, 0, true);
    o.relocate(i7, 0, head, t.addr32nb);
    if (e.noname) {
      uint64_t flag = t.pointer == 8 ? uint64_t(1) << 63 : uint64_t(1) << 31;
      o.data(i5) = le_bytes(flag | e.ordinal, t.pointer);
      o.data(i4) = o.data(i5);
    } else {
      int i6 = o.section(".idata$6", data_rw | kAlign2,
                         hint_name_entry(m, e, opt));
      uint32_t hn = o.section_symbol(i6);
      o.data(i5) = zeros(t.pointer);
      o.data(i4) = zeros(t.pointer);
      o.relocate(i5, 0, hn, t.addr32nb);
      o.relocate(i4, 0, hn, t.addr32nb);
    }
    uint32_t imp = o.symbol("__imp_" + sym, i5, 0, true);
    if (code) {
      // jmp *__imp_NAME
      switch (m.machine) {
      case Machine::X86_64:
        o.data(text) = std::string("\xff\x25\0\0\0\0\x90\x90", 8);
        o.relocate(text, 2, imp, kAmd64Rel32);
        break;
      case Machine::I386:
        o.data(text) = std::string("\xff\x25\0\0\0\0\x90\x90", 8);
        o.relocate(text, 2, imp, kI386Dir32);
        break;
      case Machine::ARM64:
        // adrp x16, __imp_NAME; ldr x16, [x16, :lo12:__imp_NAME]; br x16
        o.data(text) = le_bytes(0x90000010, 4) + le_bytes(0xf9400210, 4) + le_bytes(0xd61f0200, 4);
        o.relocate(text, 0, imp, kArm64PageBaseRel21);
        o.relocate(text, 4, imp, kArm64PageOffset12L);
        break;
      }
      o.symbol(sym, text, 0, true);
    } else if (e.kind == ExportKind::Const) {
      o.symbol(sym, i5, 0, true);  // CONSTANT: the name is the cell itself
    }
    members.push_back({stub_member_name(label, n++), o.bytes()});
  }

  members.push_back({label + "_t.o", tail_object(m.machine, m.dll_name, iname)});
  return write_gnu_archive(path, members);
}

} // namespace rtlink::implib
