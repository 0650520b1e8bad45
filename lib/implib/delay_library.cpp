// implib/delay_library.cpp — delay-import libraries for GNU ld (x86-64).
// The DLL is loaded at the first call into it, by __delayLoadHelper2 (in
// mingw's libmingwex), which also fills in the called import's cell.
//
//   LABEL_h.o       the delay import descriptor, the DLL's handle, and
//                   __tailMerge_LABEL: saves the argument registers (integer
//                   and vector), calls __delayLoadHelper2(descriptor, cell),
//                   restores them and jumps to what it returned; with unwind
//                   information (.pdata/.xdata) so exceptions pass through it
//   LABEL_sNNNNN.o  per function: NAME jumps through its cell, which first
//                   points at the stub's own second half: lea rax, cell; jmp
//                   __tailMerge_LABEL
//   LABEL_t.o       the ends of the lists and the DLL's name
//
// A data export cannot be delay-loaded (its address is wanted before any
// call has loaded the DLL): it is refused by name.
#include "implib/coff_object.hpp"


namespace rtlink::implib {
namespace {

std::string bytes(std::initializer_list<uint8_t> b) { return std::string(b.begin(), b.end()); }

} // namespace

Error write_delay_library(const Module &m, const LibraryOptions &opt, const std::string &path) {
  if (m.machine != Machine::X86_64)
    return make_error(path, ": --delay writes x86-64 libraries only, and ", m.dll_name, " is ",
                      machine_name(m.machine));
  for (const Export &e : m.exports)
    if (!e.private_ && e.kind != ExportKind::Code)
      return make_error(e.origin, ": export ", e.name, " is ", kind_name(e.kind),
                        ": data cannot be imported from a delay-loaded DLL (its address is "
                        "needed before a call loads the DLL); mark it PRIVATE, or use an "
                        "import library without --delay");

  const std::string label = label_of(m.dll_name);
  const std::string tail_merge = "__tailMerge_" + label, iname = "__" + label + "_iname";
  const uint32_t data_rw = kScnData | kScnRead | kScnWrite;
  const uint32_t data_ro = kScnData | kScnRead;
  std::vector<ArchiveMemberBytes> members;

  {  // the head
    CoffObject o(0x8664);
    // __tailMerge: the frame holds 32 bytes of home space, xmm0-3 and
    // rcx, rdx, r8, r9 (0x80 bytes), +8 to keep rsp 16-byte aligned.
    std::string code;
    code += bytes({0x48, 0x81, 0xec, 0x88, 0x00, 0x00, 0x00});  // sub rsp, 0x88
    code += bytes({0x66, 0x0f, 0x7f, 0x44, 0x24, 0x20});        // movdqa [rsp+0x20], xmm0
    code += bytes({0x66, 0x0f, 0x7f, 0x4c, 0x24, 0x30});        // movdqa [rsp+0x30], xmm1
    code += bytes({0x66, 0x0f, 0x7f, 0x54, 0x24, 0x40});        // movdqa [rsp+0x40], xmm2
    code += bytes({0x66, 0x0f, 0x7f, 0x5c, 0x24, 0x50});        // movdqa [rsp+0x50], xmm3
    code += bytes({0x48, 0x89, 0x4c, 0x24, 0x60});              // mov [rsp+0x60], rcx
    code += bytes({0x48, 0x89, 0x54, 0x24, 0x68});              // mov [rsp+0x68], rdx
    code += bytes({0x4c, 0x89, 0x44, 0x24, 0x70});              // mov [rsp+0x70], r8
    code += bytes({0x4c, 0x89, 0x4c, 0x24, 0x78});              // mov [rsp+0x78], r9
    code += bytes({0x48, 0x89, 0xc2});                          // mov rdx, rax (the cell)
    const uint32_t lea_at = static_cast<uint32_t>(code.size()) + 3;
    code += bytes({0x48, 0x8d, 0x0d, 0, 0, 0, 0});              // lea rcx, [rip+descriptor]
    const uint32_t call_at = static_cast<uint32_t>(code.size()) + 1;
    code += bytes({0xe8, 0, 0, 0, 0});                          // call __delayLoadHelper2
    code += bytes({0x66, 0x0f, 0x6f, 0x44, 0x24, 0x20});        // movdqa xmm0, [rsp+0x20]
    code += bytes({0x66, 0x0f, 0x6f, 0x4c, 0x24, 0x30});        // movdqa xmm1, [rsp+0x30]
    code += bytes({0x66, 0x0f, 0x6f, 0x54, 0x24, 0x40});        // movdqa xmm2, [rsp+0x40]
    code += bytes({0x66, 0x0f, 0x6f, 0x5c, 0x24, 0x50});        // movdqa xmm3, [rsp+0x50]
    code += bytes({0x48, 0x8b, 0x4c, 0x24, 0x60});              // mov rcx, [rsp+0x60]
    code += bytes({0x48, 0x8b, 0x54, 0x24, 0x68});              // mov rdx, [rsp+0x68]
    code += bytes({0x4c, 0x8b, 0x44, 0x24, 0x70});              // mov r8, [rsp+0x70]
    code += bytes({0x4c, 0x8b, 0x4c, 0x24, 0x78});              // mov r9, [rsp+0x78]
    code += bytes({0x48, 0x81, 0xc4, 0x88, 0x00, 0x00, 0x00});  // add rsp, 0x88
    code += bytes({0xff, 0xe0});                                // jmp rax
    const uint32_t code_size = static_cast<uint32_t>(code.size());
    int text = o.section(".text", kScnCode | kScnExecute | kScnRead | kAlign16, code);
    int data = o.section(".data", data_rw | kAlign8, zeros(8));  // the DLL's handle
    // UNWIND_INFO: version 1, a 7-byte prolog, two slots: UWOP_ALLOC_LARGE
    // (op 1, info 0) at offset 7, then the size / 8 (0x88 / 8 = 17).
    int xdata = o.section(".xdata", data_ro | kAlign4, bytes({0x01, 0x07, 0x02, 0x00, 0x07, 0x01,
                                                              0x11, 0x00}));
    int pdata = o.section(".pdata", data_ro | kAlign4, le_bytes(0, 4) + le_bytes(code_size, 4) + le_bytes(0, 4));
    // The descriptor: attributes (1: RVAs), name, module handle, IAT, INT,
    // bound IAT, unload IAT, timestamp.
    int desc = o.section(".rdata", data_ro | kAlign4, le_bytes(1, 4) + zeros(28));
    int i5 = o.section(".idata$5", data_rw | kAlign8);
    int i4 = o.section(".idata$4", data_rw | kAlign8);
    uint32_t text_sym = o.section_symbol(text), data_sym = o.section_symbol(data);
    uint32_t xdata_sym = o.section_symbol(xdata), desc_sym = o.section_symbol(desc);
    uint32_t i5_sym = o.section_symbol(i5), i4_sym = o.section_symbol(i4);
    o.symbol(tail_merge, text, 0, true);
    o.symbol("__DELAY_IMPORT_DESCRIPTOR_" + label, desc, 0, true);
    uint32_t helper = o.symbol("__delayLoadHelper2", 0, 0, true);
    uint32_t name = o.symbol(iname, 0, 0, true);
    o.relocate(text, lea_at, desc_sym, kAmd64Rel32);
    o.relocate(text, call_at, helper, kAmd64Rel32);
    o.relocate(pdata, 0, text_sym, kAmd64Addr32NB);
    o.relocate(pdata, 4, text_sym, kAmd64Addr32NB);
    o.relocate(pdata, 8, xdata_sym, kAmd64Addr32NB);
    o.relocate(desc, 4, name, kAmd64Addr32NB);
    o.relocate(desc, 8, data_sym, kAmd64Addr32NB);
    o.relocate(desc, 12, i5_sym, kAmd64Addr32NB);
    o.relocate(desc, 16, i4_sym, kAmd64Addr32NB);
    members.push_back({label + "_h.o", o.bytes()});
  }

  unsigned n = 0;
  for (const Export &e : m.exports) {
    if (e.private_)
      continue;
    CoffObject o(0x8664);
    const std::string sym = symbol_name(m, e);
    // jmp *cell; lea rax, cell; jmp __tailMerge
    std::string code = bytes({0xff, 0x25, 0, 0, 0, 0, 0x48, 0x8d, 0x05, 0, 0, 0, 0, 0xe9, 0, 0, 0,
                              0, 0x90, 0x90});
    int text = o.section(".text", kScnCode | kScnExecute | kScnRead | kAlign4, code);
    int i5 = o.section(".idata$5", data_rw | kAlign8, le_bytes(6, 8));  // first: the lea above
    int i4 = o.section(".idata$4", data_rw | kAlign8, zeros(8));
    uint32_t text_sym = o.section_symbol(text);
    uint32_t imp = o.symbol("__imp_" + sym, i5, 0, true);
    o.symbol(sym, text, 0, true);
    uint32_t merge = o.symbol(tail_merge, 0, 0, true);
    // COFF's REL32 counts from the end of its field: the fields hold 0.
    o.relocate(text, 2, imp, kAmd64Rel32);
    o.relocate(text, 9, imp, kAmd64Rel32);
    o.relocate(text, 14, merge, kAmd64Rel32);
    o.relocate(i5, 0, text_sym, kAmd64Addr64);
    if (e.noname) {
      o.data(i4) = le_bytes((uint64_t(1) << 63) | e.ordinal, 8);
    } else {
      int i6 = o.section(".idata$6", data_rw | kAlign2, hint_name_entry(m, e, opt));
      o.relocate(i4, 0, o.section_symbol(i6), kAmd64Addr32NB);
    }
    members.push_back({stub_member_name(label, n++), o.bytes()});
  }

  members.push_back({label + "_t.o", tail_object(m.machine, m.dll_name, iname)});
  return write_gnu_archive(path, members);
}

} // namespace rtlink::implib
