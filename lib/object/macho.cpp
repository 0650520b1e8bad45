// object/macho.cpp — 64-bit Mach-O x86-64 and arm64 relocatable objects → LinkUnit.
//
// LLVM's MachOObjectFile reads the header and load commands (and checks that
// they fit the file); its universal reader, a fat file's slice table. The
// section data, relocation tables, symbol table and string table are
// bounds-checked here before they are read, and every symbol and section
// index a relocation names is checked against its table.
//
// What Mach-O adds to the link unit:
//  - names with a leading '_', dropped here: the unit holds C names, so that
//    `main` finds `_main`, `_strlen` binds to the process's `strlen`, and
//    Mach-O and ELF units link to each other (docs/architecture.md);
//  - sections with addresses: a symbol's value is an address, made an offset
//    here; a non-extern relocation names a section (1-based) and its bytes
//    hold the target's address in the object, so each section gets a section
//    symbol (after the file's symbols: index nsyms + section) that such an
//    edge targets, with the address made an offset into it;
//  - implicit addends, read from the section bytes (macho_x86_64.cpp), or
//    for an arm64 instruction from an ADDEND record before its relocation
//    (macho_aarch64.cpp, which also reads the instruction for its kind);
//  - SUBTRACTOR/UNSIGNED pairs (A - B + addend): a pc-relative edge to A when
//    B lies in the section being fixed, a NegDelta edge to B when A does;
//  - __eh_frame pointers that clang leaves without relocations (the
//    assembler resolved them against the sections' addresses in the object):
//    each FDE's pc_begin and LSDA, and a CIE's personality, get an edge here
//    so they follow the sections wherever the layout puts them;
//  - __thread variables through descriptors and a thunk of the unit's own
//    (thread_local_variables below).
// `.subsections_via_symbols` is ignored: a section is one piece, kept whole.
#include "object/macho.hpp"
#include "object/macho_aarch64.hpp"
#include "object/macho_x86_64.hpp"
#include "support/format.hpp"

#include <llvm/BinaryFormat/MachO.h>
#include <llvm/Object/MachO.h>
#include <llvm/Object/MachOUniversal.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <unordered_map>

namespace rtlink {

using namespace llvm::MachO;

namespace {

constexpr uint64_t kMaxAlignment = uint64_t(1) << 30;
constexpr uint64_t kNlistSize = 16, kRelocSize = 8;

template <class T> T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint32_t load_be32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

bool is_fat(std::span<const uint8_t> b) {
  return b.size() >= 4 && (load_be32(b.data()) == FAT_MAGIC || load_be32(b.data()) == FAT_MAGIC_64);
}

std::string_view fixed(const char (&field)[16]) { return {field, strnlen(field, 16)}; }

struct RawSymbol {
  std::string_view name;  // as the file has it
  uint8_t type = 0, sect = 0;
  uint16_t desc = 0;
  uint64_t value = 0;
};

// The symbol table and its names, checked against the file. Errors name the
// table or the symbol, not the file.
Expected<std::vector<RawSymbol>> read_symbols(const llvm::object::MachOObjectFile &obj,
                                              std::span<const uint8_t> bytes) {
  const symtab_command st = obj.getSymtabLoadCommand();
  const uint64_t n = bytes.size();
  if (st.nsyms && (st.symoff > n || st.nsyms > (n - st.symoff) / kNlistSize))
    return make_error("symbol table of ", st.nsyms, " entries at ", hex(st.symoff),
                      " runs past the end of the file (", hex(n), ")");
  if (st.stroff > n || st.strsize > n - st.stroff)
    return make_error("string table at ", hex(st.stroff), " size ", hex(st.strsize),
                      " runs past the end of the file (", hex(n), ")");
  const char *strings = reinterpret_cast<const char *>(bytes.data()) + st.stroff;
  std::vector<RawSymbol> out(st.nsyms);
  for (uint32_t i = 0; i < st.nsyms; ++i) {
    const uint8_t *p = bytes.data() + st.symoff + uint64_t(i) * kNlistSize;
    RawSymbol &s = out[i];
    const uint32_t strx = load<uint32_t>(p);
    s.type = p[4];
    s.sect = p[5];
    s.desc = load<uint16_t>(p + 6);
    s.value = load<uint64_t>(p + 8);
    if (strx == 0 && st.strsize == 0)
      continue;
    if (strx >= st.strsize)
      return make_error("symbol #", i, ": name offset ", hex(strx),
                        " lies past the string table (", st.strsize, " bytes)");
    const size_t len = strnlen(strings + strx, st.strsize - strx);
    if (len == st.strsize - strx)
      return make_error("symbol #", i, ": its name runs past the end of the string table");
    s.name = {strings + strx, len};
  }
  return out;
}

// A Mach-O file's header, checked: x86-64 or arm64, 64-bit, an object.
Expected<std::unique_ptr<llvm::object::MachOObjectFile>> open_object(
    std::span<const uint8_t> bytes, std::string_view name) {
  if (bytes.size() < sizeof(mach_header_64))
    return make_error("truncated Mach-O header (", bytes.size(), " bytes, need ",
                      sizeof(mach_header_64), ")");
  const uint32_t magic = load<uint32_t>(bytes.data());
  if (magic == MH_MAGIC || magic == MH_CIGAM)
    return make_error("32-bit Mach-O objects are not supported (x86-64 and arm64 only)");
  if (magic != MH_MAGIC_64)
    return make_error("not a little-endian 64-bit Mach-O file");
  const auto cpu = load<uint32_t>(bytes.data() + 4);
  if (!macho::cpu(cpu))
    return make_error("Mach-O CPU type ", hex(cpu), " is not supported (x86-64 and arm64 are)");
  if (Error e = check_macho_commands(bytes))
    return e;
  llvm::MemoryBufferRef ref(
      llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()),
      llvm::StringRef(name.data(), name.size()));
  auto created = llvm::object::MachOObjectFile::create(ref, true, true);
  if (!created)
    return make_error("bad Mach-O object: ", llvm::toString(created.takeError()));
  if (const uint32_t type = (*created)->getHeader64().filetype; type != MH_OBJECT)
    return make_error("not a relocatable object (Mach-O file type ", type,
                      type == MH_EXECUTE ? ": an executable"
                      : type == MH_DYLIB ? ": a dylib, which only Apple's loader loads"
                      : type == MH_BUNDLE ? ": a bundle"
                                          : "",
                      ")");
  return std::move(*created);
}

// DWARF's pointer encodings (the low nibble: the size; 0x70: what it is
// relative to) as __eh_frame uses them.
constexpr uint8_t kOmit = 0xff, kPCRel = 0x10;

// The edges an __eh_frame section needs where the object has no relocation
// (see the top of the file). `addr` gives each section's address in the
// object; `nsyms` where the section symbols start.
Error eh_frame_edges(LinkUnit &u, uint32_t index, const std::vector<uint64_t> &addr,
                     uint32_t nsyms) {
  Section &sec = u.sections[index];
  const uint8_t *b = sec.bytes;
  const uint64_t size = sec.size;
  auto fail = [&](uint64_t at, const auto &...parts) {
    return make_error(u.site(index, at), ": malformed __eh_frame: ", parts...);
  };
  std::vector<uint64_t> has_edge;
  for (const Edge &e : u.edges_of(sec))
    has_edge.push_back(e.offset);
  std::sort(has_edge.begin(), has_edge.end());
  auto uleb = [&](uint64_t &pos, uint64_t end, uint64_t &v) {
    v = 0;
    for (unsigned shift = 0; pos < end; shift += 7) {
      uint8_t c = b[pos++];
      if (shift < 64)
        v |= uint64_t(c & 0x7f) << shift;
      if (!(c & 0x80))
        return true;
    }
    return false;
  };
  // The pointer of encoding `enc` at `pos`: an edge unless a relocation has one.
  auto pointer = [&](uint64_t &pos, uint64_t end, uint8_t enc) -> Error {
    if (enc == kOmit)
      return Error::success();
    unsigned width;
    switch (enc & 0x0f) {
    case 0x00:
    case 0x04:
    case 0x0c: width = 8; break;
    case 0x03:
    case 0x0b: width = 4; break;
    default: return fail(pos, "pointer encoding ", hex(enc), " is not supported");
    }
    if ((enc & 0x70) != kPCRel && (enc & 0x70) != 0)
      return fail(pos, "pointer encoding ", hex(enc), " is not supported");
    if (end - pos < width)
      return fail(pos, "a pointer runs past the end of its record");
    const uint64_t at = pos;
    pos += width;
    if (std::binary_search(has_edge.begin(), has_edge.end(), at))
      return Error::success();
    int64_t v = width == 8 ? load<int64_t>(b + at) : int64_t(load<int32_t>(b + at));
    if (width == 4 && (enc & 0x0f) == 0x03)
      v = int64_t(load<uint32_t>(b + at));
    const bool pcrel = (enc & 0x70) == kPCRel;
    const uint64_t target = pcrel ? addr[index] + at + uint64_t(v) : uint64_t(v);
    for (uint32_t t = 0; t < u.sections.size(); ++t) {
      if (target < addr[t] || target - addr[t] >= u.sections[t].size)
        continue;
      if (u.sections[t].role == SectionRole::Skip)
        break;
      EdgeKind kind = pcrel ? (width == 8 ? EdgeKind::PCRel64 : EdgeKind::PCRel32)
                            : (width == 8 ? EdgeKind::Abs64 : EdgeKind::Abs32);
      u.add_edge(index, Edge{at, int64_t(target - addr[t]), nsyms + t,
                             macho::kImplicitPointer, kind});
      return Error::success();
    }
    return fail(at, "a pointer to ", hex(target), " lies in no loaded section");
  };
  struct Cie {
    uint8_t fde = 0, lsda = kOmit;
    bool z = false;
  };
  std::unordered_map<uint64_t, Cie> cies;
  for (uint64_t pos = 0; pos < size;) {
    if (size - pos < 4)
      return fail(pos, "a record length is cut off by the end of the section");
    const uint64_t len = load<uint32_t>(b + pos);
    if (len == 0)
      break;
    if (len == 0xffffffff)
      return fail(pos, "64-bit records are not supported");
    if (len < 4 || len > size - pos - 4)
      return fail(pos, "a record runs past the end of the section");
    const uint64_t id_at = pos + 4, end = pos + 4 + len;
    const uint32_t id = load<uint32_t>(b + id_at);
    uint64_t p = id_at + 4;
    if (id == 0) {  // a CIE: version, augmentation, alignments, return register
      Cie c;
      if (p >= end)
        return fail(pos, "a CIE is cut short");
      const uint8_t version = b[p++];
      const uint64_t aug = p;
      while (p < end && b[p])
        ++p;
      if (p >= end)
        return fail(pos, "a CIE's augmentation string has no end");
      std::string_view augmentation(reinterpret_cast<const char *>(b + aug), p - aug);
      ++p;
      uint64_t ignored;
      if (!uleb(p, end, ignored) || !uleb(p, end, ignored))
        return fail(pos, "a CIE is cut short");
      if (version == 1) {
        if (p >= end)
          return fail(pos, "a CIE is cut short");
        ++p;
      } else if (!uleb(p, end, ignored)) {
        return fail(pos, "a CIE is cut short");
      }
      c.z = !augmentation.empty() && augmentation[0] == 'z';
      if (c.z) {
        uint64_t aug_len;
        if (!uleb(p, end, aug_len))
          return fail(pos, "a CIE is cut short");
        for (char a : augmentation.substr(1)) {
          if (a == 'R' || a == 'L' || a == 'P') {
            if (p >= end)
              return fail(pos, "a CIE's augmentation data is cut short");
            const uint8_t enc = b[p++];
            if (a == 'R')
              c.fde = enc;
            else if (a == 'L')
              c.lsda = enc;
            else if (Error e = pointer(p, end, enc))  // the personality
              return e;
          } else if (a != 'S' && a != 'B') {
            break;  // unknown: the rest cannot be read (nor is it a pointer we know)
          }
        }
      }
      cies[pos] = c;
    } else {
      if (id > id_at || !cies.count(id_at - id))
        return fail(pos, "an FDE's CIE pointer names no CIE before it");
      const Cie &c = cies[id_at - id];
      if (Error e = pointer(p, end, c.fde))  // pc_begin
        return e;
      p += (c.fde & 0x0f) == 0x03 || (c.fde & 0x0f) == 0x0b ? 4 : 8;  // pc_range
      if (c.z && c.lsda != kOmit) {
        uint64_t aug_len;
        if (p > end || !uleb(p, end, aug_len))
          return fail(pos, "an FDE is cut short");
        if (aug_len)
          if (Error e = pointer(p, end, c.lsda))
            return e;
      }
    }
    pos = end;
  }
  return Error::success();
}

// Thread-local variables. Each __thread_vars descriptor is {__tlv_bootstrap,
// 0, the variable's initial value in __thread_data or __thread_bss}; code
// loads the descriptor's address (X86_64_RELOC_TLV, arm64's TLVP_LOAD pair:
// a cell) and calls its first word with it in %rdi or x0. Here the second
// word becomes the module of the unit's thread-local block (DTPMod64) and the
// third the variable's offset in it (DTPOff64), so that {module, offset} is
// what __tls_get_addr takes, and
// `__tlv_bootstrap` the unit's thunk, which hands that pair to the executor's
// TLS descriptor function (macho_x86_64.cpp, macho_aarch64.cpp; link/tls.cpp
// gives each thread its block).
Error thread_local_variables(LinkUnit &u, const std::vector<section_64> &raw,
                             const macho::Cpu &cpu) {
  bool any = false;
  for (uint32_t i = 0; i < raw.size(); ++i) {
    if ((raw[i].flags & SECTION_TYPE) != S_THREAD_LOCAL_VARIABLES ||
        u.sections[i].role == SectionRole::Skip)
      continue;
    Section &s = u.sections[i];
    if (s.size % 24 || (s.size && !s.bytes))
      return make_error(u.site(i, 0), ": thread-local variable descriptors of ", s.size,
                        " bytes (a multiple of 24 expected)");
    std::vector<Edge> more;
    std::vector<bool> initialised(s.size / 24);
    for (Edge &e : u.edges_of(s)) {
      if (e.offset % 24 == 16 && e.kind == EdgeKind::Abs64) {
        const Symbol &init = u.symbols[e.target];
        if (init.section >= u.sections.size() || !u.sections[init.section].tls)
          return make_error(u.site(i, e.offset), ": a thread-local variable's initial value ",
                            u.symbol_name(e.target), " lies outside __thread_data and __thread_bss");
        e.kind = EdgeKind::DTPOff64;
        u.tls_edges = true;
        more.push_back(Edge{e.offset - 8, 0, e.target, e.native, EdgeKind::DTPMod64});
        initialised[e.offset / 24] = true;
      } else if (e.offset % 24 != 0 || e.kind != EdgeKind::Abs64) {
        return make_error(u.site(i, e.offset), ": relocation ", u.relocation_name(e.native),
                          " in a thread-local variable descriptor, where none belongs");
      }
    }
    for (size_t d = 0; d < initialised.size(); ++d)
      if (!initialised[d])
        return make_error(u.site(i, d * 24), ": a thread-local variable descriptor without "
                                             "its initial value");
    for (const Edge &e : more)
      u.add_edge(i, e);
    any = true;
  }
  if (!any)
    return Error::success();
  // The thunk, and its cell for the executor's function (link/linker_names.cpp).
  const uint32_t thunk =
      u.add_section("__TEXT,__rtlink_tlv_thunk", cpu.tlv_thunk, 16, Perm::ReadExecute);
  Symbol function;
  function.name = "__rtlink_tls_descriptor";
  function.binding = Binding::Global;
  u.symbols.push_back(function);
  for (const macho::ThunkEdge &e : cpu.tlv_edges)
    u.add_edge(thunk, Edge{e.offset, e.addend, uint32_t(u.symbols.size() - 1), e.native, e.kind});
  // `__tlv_bootstrap` (the descriptors' first word) is the thunk.
  for (Symbol &sym : u.symbols)
    if (sym.name == "_tlv_bootstrap" && !sym.defined()) {
      sym.section = thunk;
      sym.value = 0;
      sym.binding = Binding::Local;
      sym.is_function = true;
    }
  return Error::success();
}

} // namespace

const macho::Cpu *macho::cpu(uint32_t cputype) {
  switch (cputype) {
  case CPU_TYPE_X86_64: return &macho_x86_64::kCpu;
  case CPU_TYPE_ARM64: return &macho_aarch64::kCpu;
  default: return nullptr;
  }
}

bool is_macho(std::span<const uint8_t> bytes) {
  return is_fat(bytes) || (bytes.size() >= 4 && load<uint32_t>(bytes.data()) == MH_MAGIC_64);
}

std::string_view macho_c_name(std::string_view name) {
  return !name.empty() && name[0] == '_' ? name.substr(1) : name;
}

Expected<LinkUnit> parse_macho_object(std::string name, std::shared_ptr<const FileData> file,
                                      std::span<const uint8_t> bytes) {
  auto fail = [&](const auto &...parts) { return make_error(name, ": ", parts...); };

  // A universal file: its x86-64 slice, or without one its arm64 slice.
  if (is_fat(bytes)) {
    llvm::MemoryBufferRef ref(
        llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()), name);
    auto fat = llvm::object::MachOUniversalBinary::create(ref);
    if (!fat)
      return fail("bad universal (fat) file: ", llvm::toString(fat.takeError()));
    std::string arches;
    for (const auto &slice : (*fat)->objects())
      arches += (arches.empty() ? "" : ", ") + slice.getArchFlagName();
    for (const macho::Cpu *want : {&macho_x86_64::kCpu, &macho_aarch64::kCpu})
      for (const auto &slice : (*fat)->objects()) {
        if (slice.getCPUType() != want->cputype)
          continue;
        const uint64_t off = slice.getOffset(), size = slice.getSize();
        if (off > bytes.size() || size > bytes.size() - off)
          return fail("the ", want->slice, " slice at ", hex(off), " size ", hex(size),
                      " runs past the end of the file (", hex(bytes.size()), ")");
        if (is_fat(bytes.subspan(off, size)))  // (it could be the file itself)
          return fail("the ", want->slice, " slice at ", hex(off), " is a universal file itself");
        return parse_macho_object(std::move(name), std::move(file), bytes.subspan(off, size));
      }
    return fail("universal file has no x86_64 or arm64 slice (it has ",
                arches.empty() ? std::string("none") : arches, ")");
  }

  auto opened = open_object(bytes, name);
  if (!opened)
    return fail(opened.error().message());
  const llvm::object::MachOObjectFile &obj = **opened;
  const macho::Cpu &cpu = *macho::cpu(load<uint32_t>(bytes.data() + 4));

  LinkUnit u;
  u.name = name;
  u.file = std::move(file);
  u.format = Format::MachO;
  u.arch = cpu.arch;
  u.relocation_name = cpu.relocation_name;

  // Sections: index i is Mach-O section ordinal i + 1.
  std::vector<section_64> raw;
  for (const llvm::object::SectionRef &sr : obj.sections())
    raw.push_back(obj.getSection64(sr.getRawDataRefImpl()));
  const uint32_t nsect = uint32_t(raw.size());
  u.sections.resize(nsect);
  std::vector<uint64_t> addr(nsect);
  for (uint32_t i = 0; i < nsect; ++i) {
    const section_64 &h = raw[i];
    Section &s = u.sections[i];
    const std::string_view seg = fixed(h.segname), sect = fixed(h.sectname);
    s.name = u.keep(std::string(seg) + "," + std::string(sect));
    addr[i] = h.addr;
    const uint32_t type = h.flags & SECTION_TYPE;
    const bool zero_fill =
        type == S_ZEROFILL || type == S_GB_ZEROFILL || type == S_THREAD_LOCAL_ZEROFILL;
    if (!zero_fill && h.size && (h.offset > bytes.size() || h.size > bytes.size() - h.offset))
      return fail("section ", s.name, ": data at offset ", hex(h.offset), " size ", hex(h.size),
                  " runs past the end of the file (", hex(bytes.size()), ")");
    if (h.addr + h.size < h.addr)
      return fail("section ", s.name, ": its address range wraps around");
    // Not loaded: debug info, the linker's compact unwind (the unwinder
    // here reads __eh_frame), LLVM's embedded bitcode.
    if ((h.flags & S_ATTR_DEBUG) || seg == "__DWARF" || seg == "__LD" || seg == "__LLVM" ||
        sect == "__compact_unwind")
      continue;
    if (type == S_THREAD_LOCAL_VARIABLE_POINTERS || type == S_THREAD_LOCAL_INIT_FUNCTION_POINTERS)
      return make_error("thread-local variables initialised at run time (C++ thread_local) in "
                        "Mach-O objects are not supported yet: section ", s.name, " in ", name);
    if (type == S_NON_LAZY_SYMBOL_POINTERS || type == S_LAZY_SYMBOL_POINTERS ||
        type == S_SYMBOL_STUBS || type == S_LAZY_DYLIB_SYMBOL_POINTERS)
      return fail("section ", s.name, ": sections of the indirect symbol table (type ", type,
                  ") are not supported");
    if (h.align > 30)
      return fail("section ", s.name, ": alignment 2^", h.align, " is larger than 1 GiB");
    s.align = uint64_t(1) << h.align;
    s.size = h.size;
    if (!zero_fill && h.size)
      s.bytes = bytes.data() + h.offset;
    if (h.flags & (S_ATTR_PURE_INSTRUCTIONS | S_ATTR_SOME_INSTRUCTIONS))
      s.perm = Perm::ReadExecute;
    else if (seg == "__TEXT")
      s.perm = Perm::Read;
    else if ((seg == "__DATA" && sect == "__const") || seg == "__DATA_CONST")
      s.perm = Perm::RelRO;
    else
      s.perm = Perm::ReadWrite;
    // A thread's variables start as __thread_data, then __thread_bss's zeros.
    s.tls = type == S_THREAD_LOCAL_REGULAR || type == S_THREAD_LOCAL_ZEROFILL;
    if (type == S_MOD_INIT_FUNC_POINTERS)
      s.role = SectionRole::InitArray;
    else if (type == S_MOD_TERM_FUNC_POINTERS)
      s.role = SectionRole::FiniArray;
    else if (sect == "__eh_frame")
      s.role = SectionRole::EHFrame;
    else
      s.role = SectionRole::Normal;
  }

  // Symbols, indexed as in the file, then a section symbol per section.
  auto raw_syms = read_symbols(obj, bytes);
  if (!raw_syms)
    return fail(raw_syms.error().message());
  const uint32_t nsyms = uint32_t(raw_syms->size());
  u.symbols.resize(size_t(nsyms) + nsect);
  for (uint32_t j = 0; j < nsyms; ++j) {
    const RawSymbol &r = (*raw_syms)[j];
    Symbol &s = u.symbols[j];
    if (r.type & N_STAB)
      continue;  // debugging information: an unusable slot (kUndefined, no name)
    s.name = macho_c_name(r.name);
    s.value = r.value;
    const bool ext = r.type & N_EXT;
    auto label = [&] { return r.name.empty() ? '#' + std::to_string(j) : quote(r.name); };
    switch (r.type & N_TYPE) {
    case N_UNDF:
      if (ext && r.value) {  // common: the value is its size, n_desc its alignment
        s.section = kCommon;
        s.size = r.value;
        const unsigned log2 = (r.desc >> 8) & 0x0f;
        s.value = log2 ? uint64_t(1) << log2 : s.size >= 16 ? 16 : std::bit_ceil(s.size);
        s.binding = Binding::Global;
      } else {
        s.section = kUndefined;
        s.value = 0;
        s.binding = (r.desc & N_WEAK_REF) ? Binding::Weak : Binding::Global;
      }
      continue;
    case N_ABS: s.section = kAbsolute; break;
    case N_SECT: {
      if (r.sect == NO_SECT || r.sect > nsect)
        return fail("symbol ", label(), ": section ordinal ", unsigned(r.sect),
                    " out of range (", nsect, " sections)");
      const uint32_t sec = r.sect - 1u;
      // Mach-O values are addresses; up to one past the end (an end symbol).
      if (r.value < raw[sec].addr || r.value - raw[sec].addr > raw[sec].size)
        return fail("symbol ", label(), ": address ", hex(r.value), " lies outside its section ",
                    u.sections[sec].name, " (", hex(raw[sec].addr), " size ", hex(raw[sec].size),
                    ")");
      s.section = sec;
      s.value = r.value - raw[sec].addr;
      s.is_function = u.sections[sec].perm == Perm::ReadExecute;
      // The arm64 assembler's name for a section's start (ltmpN), which a
      // reference to a temporary label there names: a section symbol, so
      // that messages name the section, or the function that starts there.
      s.is_section = !ext && s.value == 0 && r.name.starts_with("ltmp");
      break;
    }
    default:  // N_PBUD, N_INDR
      return fail("symbol ", label(), ": ",
                  (r.type & N_TYPE) == N_INDR ? "indirect (N_INDR)" : "prebound (N_PBUD)",
                  " symbols are not supported");
    }
    // Private externals (hidden visibility) link between units as globals.
    s.binding = !ext ? Binding::Local : (r.desc & N_WEAK_DEF) ? Binding::Weak : Binding::Global;
  }
  for (uint32_t i = 0; i < nsect; ++i) {
    Symbol &s = u.symbols[nsyms + i];
    s.section = i;
    s.is_section = true;
  }

  // Relocations, with their implicit addends.
  using macho::AddendFrom;
  using macho::RelocClass;
  for (uint32_t i = 0; i < nsect; ++i) {
    Section &s = u.sections[i];
    const section_64 &h = raw[i];
    if (!h.nreloc || s.role == SectionRole::Skip)
      continue;
    if (h.reloff > bytes.size() || h.nreloc > (bytes.size() - h.reloff) / kRelocSize)
      return fail("section ", s.name, ": ", h.nreloc, " relocations at ", hex(h.reloff),
                  " run past the end of the file");
    if (!s.bytes)
      return fail("section ", s.name, ": relocations in a zero-fill section");
    struct Reloc {
      uint32_t offset, symbolnum;
      bool pcrel, ext;
      unsigned length;
      uint8_t type;
    };
    auto reloc = [&](uint32_t k) {
      const uint8_t *p = bytes.data() + h.reloff + uint64_t(k) * kRelocSize;
      const uint32_t w = load<uint32_t>(p + 4);
      return Reloc{load<uint32_t>(p), w & 0xffffff, bool((w >> 24) & 1), bool((w >> 27) & 1),
                   (w >> 25) & 3, uint8_t(w >> 28)};
    };
    // The symbol a relocation names: a symbol of the file, or (not extern) a
    // section's symbol.
    auto target_of = [&](const Reloc &r, uint32_t &t) -> Error {
      auto where = [&] { return u.site(i, r.offset); };
      const std::string what = cpu.relocation_name(r.type);
      if (r.ext) {
        if (r.symbolnum >= nsyms)
          return make_error(where(), ": relocation ", what, " refers to symbol #", r.symbolnum,
                            ", past the symbol table (", nsyms, " symbols)");
        if ((*raw_syms)[r.symbolnum].type & N_STAB)
          return make_error(where(), ": relocation ", what, " refers to symbol #", r.symbolnum,
                            ", a debugging symbol");
        t = r.symbolnum;
      } else {
        if (r.symbolnum == 0 || r.symbolnum > nsect)
          return make_error(where(), ": relocation ", what, " refers to section #", r.symbolnum,
                            r.symbolnum ? ", past the section table (" + std::to_string(nsect) +
                                              " sections)"
                                        : " (absolute relocations are not supported)");
        t = nsyms + r.symbolnum - 1;
      }
      return Error::success();
    };
    // arm64's ADDEND: the addend of the next relocation, at the same site.
    std::optional<Reloc> prefix;
    auto lone_prefix = [&] {
      return make_error(u.site(i, prefix->offset), ": relocation ",
                        cpu.relocation_name(prefix->type),
                        " is not followed by a BRANCH26, PAGE21 or PAGEOFF12 of the same site");
    };
    for (uint32_t k = 0; k < h.nreloc; ++k) {
      const uint32_t word0 = load<uint32_t>(bytes.data() + h.reloff + uint64_t(k) * kRelocSize);
      if (word0 & R_SCATTERED)
        return fail("section ", s.name, ": relocation #", k,
                    " is scattered, which 64-bit objects never are");
      const Reloc r = reloc(k);
      auto where = [&] { return u.site(i, r.offset); };
      const std::string what = cpu.relocation_name(r.type);
      const macho::Mapping m = cpu.map_relocation(r.type, r.pcrel, r.length);
      switch (m.cls) {
      case RelocClass::Unknown:
        return make_error(where(), ": unknown relocation type ", unsigned(r.type));
      case RelocClass::Malformed:
        return make_error(where(), ": relocation ", what, " with pcrel ", int(r.pcrel),
                          " and length ", 1u << r.length, " is malformed");
      case RelocClass::Addend:
        if (prefix)
          return lone_prefix();
        if (r.ext)
          return make_error(where(), ": relocation ", what, " names a symbol; it holds a number");
        prefix = r;
        continue;
      case RelocClass::Unsupported: {
        uint32_t t = 0;
        if (Error e = target_of(r, t))
          return e;
        return make_error(where(), ": relocation ", what, " against ", u.symbol_name(t),
                          " is not supported yet");
      }
      default: break;
      }
      if (prefix && (m.addend != AddendFrom::Prefix || prefix->offset != r.offset))
        return lone_prefix();
      if (r.offset > s.size || s.size - r.offset < m.width)
        return make_error(where(), ": relocation ", what, " runs past the end of section ",
                          s.name, " (size ", hex(s.size), ")");
      int64_t content = 0;
      if (m.addend == AddendFrom::Prefix && prefix)  // 24 bits, signed
        content = int64_t(int32_t(prefix->symbolnum << 8) >> 8);
      else if (m.addend != AddendFrom::Bytes)
        content = 0;
      else if (m.width == 8)
        content = load<int64_t>(s.bytes + r.offset);
      else if (m.kind == EdgeKind::Abs32)
        content = int64_t(load<uint32_t>(s.bytes + r.offset));
      else
        content = load<int32_t>(s.bytes + r.offset);
      prefix.reset();
      if (m.extern_only && !r.ext)
        return make_error(where(), ": relocation ", what, " must name a symbol, not a section");
      uint32_t target = 0;
      if (Error e = target_of(r, target))
        return e;
      EdgeKind kind = m.kind;
      if (m.instruction) {
        auto by_insn = cpu.instruction_kind(m.kind, load<uint32_t>(s.bytes + r.offset));
        if (!by_insn)
          return make_error(where(), ": relocation ", what, " against ", u.symbol_name(target),
                            ": ", by_insn.error().message());
        kind = *by_insn;
      }

      if (m.cls == RelocClass::Subtractor) {
        // SUBTRACTOR B, then UNSIGNED A at the same site: A - B + addend.
        const Reloc a = k + 1 < h.nreloc ? reloc(k + 1) : Reloc{};
        static_assert(ARM64_RELOC_UNSIGNED == X86_64_RELOC_UNSIGNED);
        if (k + 1 >= h.nreloc || a.type != X86_64_RELOC_UNSIGNED || a.offset != r.offset ||
            a.length != r.length || a.pcrel)
          return make_error(where(), ": relocation ", what, " is not followed by an ",
                            cpu.relocation_name(X86_64_RELOC_UNSIGNED),
                            " of the same site and length");
        ++k;
        const Symbol &minus = u.symbols[target];
        if (minus.section >= nsect)
          return make_error(where(), ": relocation ", what, " subtracts ", u.symbol_name(target),
                            ", which is not defined in a section of this object");
        uint32_t plus = 0;
        if (Error e = target_of(a, plus))
          return e;
        if (!a.ext)
          content = int64_t(uint64_t(content) - addr[plus - nsyms]);
        const Symbol &ps = u.symbols[plus];
        const bool wide = m.width == 8;
        if (minus.section == i) {  // B - P is known: A + addend - P
          const int64_t addend = int64_t(uint64_t(content) + r.offset - minus.value);
          u.add_edge(i, Edge{r.offset, addend, plus, uint16_t(r.type),
                             wide ? EdgeKind::PCRel64 : EdgeKind::PCRel32});
        } else if (ps.section == i) {  // A - P is known: P - B + addend
          const int64_t addend = int64_t(uint64_t(content) - r.offset + ps.value);
          u.add_edge(i, Edge{r.offset, addend, target, uint16_t(r.type),
                             wide ? EdgeKind::NegDelta64 : EdgeKind::NegDelta32});
        } else {
          return make_error(where(), ": relocation ", what, " pair ", u.symbol_name(plus),
                            " - ", u.symbol_name(target), ": neither lies in section ", s.name,
                            ", which rtlink requires");
        }
        continue;
      }

      // Addends wrap as the fixup's arithmetic does (the bytes are the file's).
      int64_t addend = int64_t(uint64_t(content) + uint64_t(m.adjust));
      if (!r.ext) {  // the bytes hold an address in the object
        const uint64_t section_start = addr[target - nsyms];
        if (r.pcrel)  // content = T - (P + 4 + tail)
          addend = int64_t(addr[i] + r.offset + uint64_t(content) - section_start);
        else
          addend = int64_t(uint64_t(content) - section_start);
      }
      u.add_edge(i, Edge{r.offset, addend, target, uint16_t(r.type), kind});
    }
    if (prefix)
      return lone_prefix();
  }

  for (uint32_t i = 0; i < nsect; ++i)
    if (u.sections[i].role == SectionRole::EHFrame && u.sections[i].bytes)
      if (Error e = eh_frame_edges(u, i, addr, nsyms))
        return e;
  if (Error e = thread_local_variables(u, raw, cpu))
    return e;
  return u;
}

Error for_each_macho_global(std::span<const uint8_t> bytes,
                            const std::function<void(std::string_view)> &fn) {
  if (bytes.size() < 4 || load<uint32_t>(bytes.data()) != MH_MAGIC_64)
    return Error::success();
  auto obj = open_object(bytes, "");
  if (!obj)
    return obj.take_error();
  auto syms = read_symbols(**obj, bytes);
  if (!syms)
    return syms.take_error();
  for (const RawSymbol &s : *syms) {
    const uint8_t t = s.type & N_TYPE;
    if ((s.type & N_STAB) || !(s.type & N_EXT))
      continue;
    if (t == N_SECT || t == N_ABS || (t == N_UNDF && s.value))
      fn(s.name);
  }
  return Error::success();
}

Error check_macho_commands(std::span<const uint8_t> bytes) {
  if (bytes.size() < 28)
    return Error::success();  // too short for LLVM to take as Mach-O either
  const uint32_t magic = load<uint32_t>(bytes.data());
  const bool is64 = magic == MH_MAGIC_64 || magic == MH_CIGAM_64;
  if (!is64 && magic != MH_MAGIC && magic != MH_CIGAM)
    return Error::success();
  const bool swap = magic == MH_CIGAM || magic == MH_CIGAM_64;
  auto field = [&](size_t at) {
    uint32_t v = load<uint32_t>(bytes.data() + at);
    return swap ? __builtin_bswap32(v) : v;
  };
  const uint64_t ncmds = field(16), sizeofcmds = field(20);
  const uint64_t header = is64 ? sizeof(mach_header_64) : sizeof(mach_header);
  const uint64_t room = bytes.size() > header ? bytes.size() - header : 0;
  if (sizeofcmds > room || ncmds * 8 > sizeofcmds)  // a load command is 8 bytes at least
    return make_error("bad Mach-O header: ", ncmds, " load commands in ", sizeofcmds,
                      " bytes, where the file has ", room, " after the header");
  return Error::success();
}

} // namespace rtlink
