// implib/coff_object.cpp — a COFF object writer for the handful of sections,
// symbols and relocations an import stub needs, and the archive around them.
#include "implib/coff_object.hpp"
#include "io/output.hpp"

#include <llvm/Object/ArchiveWriter.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <cctype>
#include <cstdio>

namespace rtlink::implib {

void put16(std::string &out, uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}

void put32(std::string &out, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xff);
}

namespace {

// An 8-byte name field: the name itself, or "/N" (sections) or a string
// table offset (symbols) for longer ones.
void put_name(std::string &out, const std::string &name, std::string &strings, bool section,
              bool in_strings = false) {
  if (name.size() <= 8 && !in_strings) {
    out += name;
    out.append(8 - name.size(), '\0');
    return;
  }
  uint32_t off = static_cast<uint32_t>(strings.size() + 4);
  strings += name;
  strings += '\0';
  if (section) {
    std::string n(1, '/');
    n += std::to_string(off);
    out += n;
    out.append(8 - n.size(), '\0');
  } else {
    put32(out, 0);
    put32(out, off);
  }
}

} // namespace

int CoffObject::section(std::string name, uint32_t flags, std::string data) {
  sections_.push_back({std::move(name), flags, std::move(data), {}});
  return static_cast<int>(sections_.size());
}

uint32_t CoffObject::symbol(std::string name, int section, uint32_t value, bool external) {
  symbols_.push_back({std::move(name), section, value, external ? kClassExternal : kClassStatic});
  return records_++;
}

uint32_t CoffObject::symbol_of_class(std::string name, int section, uint8_t storage_class,
                                     bool in_strings) {
  symbols_.push_back({std::move(name), section, 0, storage_class, in_strings});
  return records_++;
}

uint32_t CoffObject::weak_external(std::string name, uint32_t fallback, bool in_strings) {
  symbols_.push_back({std::move(name), 0, 0, kClassWeak, in_strings, fallback});
  const uint32_t index = records_;
  records_ += 2;
  return index;
}

uint32_t CoffObject::section_symbol(int section) {
  return symbol(sections_[section - 1].name, section, 0, false);
}

void CoffObject::relocate(int section, uint32_t offset, uint32_t sym, uint16_t type) {
  sections_[section - 1].relocs.push_back({offset, sym, type});
}

std::string CoffObject::bytes() const {
  const uint32_t header = 20, section_headers = 40 * uint32_t(sections_.size());
  // Layout: headers, then each section's bytes followed by its relocations,
  // then the symbol table and the string table.
  std::vector<uint32_t> raw_at(sections_.size()), relocs_at(sections_.size());
  uint32_t at = header + section_headers;
  for (size_t i = 0; i < sections_.size(); ++i) {
    raw_at[i] = sections_[i].data.empty() ? 0 : at;
    at += static_cast<uint32_t>(sections_[i].data.size());
    relocs_at[i] = sections_[i].relocs.empty() ? 0 : at;
    at += 10 * static_cast<uint32_t>(sections_[i].relocs.size());
  }
  const uint32_t symtab = at;

  std::string strings, out;
  put16(out, machine_);
  put16(out, static_cast<uint16_t>(sections_.size()));
  put32(out, 0);  // no timestamp: the same inputs give the same bytes
  put32(out, symtab);
  put32(out, records_);
  put16(out, 0);
  put16(out, mark_32bit_ && machine_ == 0x14c ? 0x0100 : 0);  // i386: IMAGE_FILE_32BIT_MACHINE
  for (size_t i = 0; i < sections_.size(); ++i) {
    const Section &s = sections_[i];
    put_name(out, s.name, strings, true);
    put32(out, 0);  // VirtualSize
    put32(out, 0);  // VirtualAddress
    put32(out, static_cast<uint32_t>(s.data.size()));
    put32(out, raw_at[i]);
    put32(out, relocs_at[i]);
    put32(out, 0);  // line numbers
    put16(out, static_cast<uint16_t>(s.relocs.size()));
    put16(out, 0);
    put32(out, s.flags);
  }
  for (const Section &s : sections_) {
    out += s.data;
    for (const Reloc &r : s.relocs) {
      put32(out, r.offset);
      put32(out, r.symbol);
      put16(out, r.type);
    }
  }
  for (const Symbol &s : symbols_) {
    put_name(out, s.name, strings, false, s.in_strings);
    put32(out, s.value);
    put16(out, static_cast<uint16_t>(s.section));
    put16(out, 0);  // type
    out += static_cast<char>(s.storage_class);
    const bool weak = s.weak_fallback != UINT32_MAX;
    out += static_cast<char>(weak ? 1 : 0);  // auxiliary records
    if (weak) {
      put32(out, s.weak_fallback);
      put32(out, 3);  // IMAGE_WEAK_EXTERN_SEARCH_ALIAS
      out.append(10, '\0');
    }
  }
  put32(out, static_cast<uint32_t>(strings.size() + 4));
  out += strings;
  return out;
}

uint16_t coff_machine_number(Machine m) {
  switch (m) {
  case Machine::I386:
    return 0x14c;
  case Machine::ARM64:
    return 0xaa64;
  case Machine::X86_64:
    break;
  }
  return 0x8664;
}

Error write_gnu_archive(const std::string &path, const std::vector<ArchiveMemberBytes> &members) {
  std::vector<llvm::NewArchiveMember> m;
  m.reserve(members.size());
  for (const ArchiveMemberBytes &b : members) {
    llvm::NewArchiveMember n(llvm::MemoryBufferRef(b.bytes, b.name));
    n.MemberName = b.name;
    m.push_back(std::move(n));
  }
  return io::write_output(path, [&](llvm::raw_ostream &os) -> Error {
    std::string warnings;
    llvm::Error e = llvm::writeArchiveToStream(
        os, m, llvm::SymtabWritingMode::NormalSymtab, llvm::object::Archive::K_GNU,
        /*Deterministic=*/true, /*Thin=*/false, std::nullopt,
        [&](llvm::Error w) { warnings += llvm::toString(std::move(w)); });
    if (e)
      return make_error(path, ": ", llvm::toString(std::move(e)));
    if (!warnings.empty())
      return make_error(path, ": ", warnings);
    return {};
  });
}

ImportTarget import_target(Machine m) {
  switch (m) {
  case Machine::I386:
    return {coff_machine_number(m), 4, kI386Dir32NB};
  case Machine::ARM64:
    return {coff_machine_number(m), 8, kArm64Addr32NB};
  case Machine::X86_64:
    break;
  }
  return {coff_machine_number(m), 8, kAmd64Addr32NB};
}

std::string le_bytes(uint64_t v, unsigned width) {
  std::string s;
  for (unsigned i = 0; i < width; ++i)
    s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string tail_object(Machine m, const std::string &dll_name, const std::string &iname) {
  const unsigned pointer = m == Machine::I386 ? 4 : 8;
  const uint32_t data_rw = kScnData | kScnRead | kScnWrite;
  const uint32_t align = pointer == 8 ? kAlign8 : kAlign4;
  CoffObject o(coff_machine_number(m));
  o.section(".idata$4", data_rw | align, zeros(pointer));
  o.section(".idata$5", data_rw | align, zeros(pointer));
  std::string name = dll_name + '\0';
  if (name.size() % 2)
    name += '\0';
  int i7 = o.section(".idata$7", data_rw | kAlign2, name);
  o.symbol(iname, i7, 0, true);
  return o.bytes();
}

std::string label_of(const std::string &dll_name) {
  std::string out;
  for (char c : dll_name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string import_binding_name(const Module &m, const Export &e, const LibraryOptions &opt) {
  if (!e.export_as.empty())
    return e.export_as;
  if (!e.import_name.empty())
    return e.import_name;
  std::string n = e.name;
  if (m.machine == Machine::I386 && opt.kill_at && !n.starts_with("?")) {
    size_t at = n.find('@', 1);
    if (at != std::string::npos)
      n.resize(at);
  }
  return n;
}

std::string hint_name_entry(const Module &m, const Export &e, const LibraryOptions &opt) {
  std::string s = le_bytes(import_hint(e), 2) + import_binding_name(m, e, opt);
  s += '\0';
  if (s.size() % 2)
    s += '\0';
  return s;
}

std::string stub_member_name(const std::string &label, unsigned n) {
  char member[32];
  std::snprintf(member, sizeof member, "_s%05u.o", n);
  return label + member;
}

uint16_t import_hint(const Export &e) {
  return static_cast<uint16_t>(e.noname || e.hint == 0 ? e.ordinal : e.hint);
}

} // namespace rtlink::implib
