// implib/dll_exports.cpp — a DLL's export table, as an export list.
//
// LLVM's COFFObjectFile reads the PE headers and maps RVAs to file bytes with
// bounds checks; the export directory's three tables are read here, so that a
// table that runs past the file is named as such, and a 20,000-export DLL is
// read in one pass (ExportDirectoryEntryRef finds each name by a scan of the
// whole name table).
#include "implib/exports.hpp"

#include <llvm/BinaryFormat/COFF.h>
#include <llvm/Object/COFF.h>
#include <llvm/Support/Endian.h>
#include <llvm/Support/Error.h>

#include <algorithm>

namespace rtlink::implib {
namespace {

using namespace llvm;
using namespace llvm::object;

uint32_t le32(const uint8_t *p) { return support::endian::read32le(p); }
uint16_t le16(const uint8_t *p) { return support::endian::read16le(p); }

std::string basename(const std::string &path) {
  size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

Expected<Module> read_dll_exports(const std::string &file, std::string_view bytes) {
  auto fail = [&](const auto &...what) { return make_error(file, ": ", what...); };
  MemoryBufferRef buf(StringRef(bytes.data(), bytes.size()), file);
  if (bytes.size() < 2 || bytes[0] != 'M' || bytes[1] != 'Z')
    return fail("not a DLL (no PE image here: it does not start with 'MZ')");
  auto obj = ObjectFile::createCOFFObjectFile(buf);
  if (!obj)
    return fail("not a readable PE image: ", toString(obj.takeError()));
  const COFFObjectFile &pe = **obj;
  if (!pe.getPE32Header() && !pe.getPE32PlusHeader())
    return fail("not a DLL (a COFF object, not a PE image)");
  if (!(pe.getCharacteristics() & COFF::IMAGE_FILE_DLL))
    return fail("not a DLL: an executable (IMAGE_FILE_DLL is not set)");

  Module m;
  switch (pe.getMachine()) {
  case COFF::IMAGE_FILE_MACHINE_AMD64:
    m.machine = Machine::X86_64;
    break;
  case COFF::IMAGE_FILE_MACHINE_I386:
    m.machine = Machine::I386;
    break;
  case COFF::IMAGE_FILE_MACHINE_ARM64:
    m.machine = Machine::ARM64;
    break;
  default: {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04x", pe.getMachine());
    return fail("machine ", hex, " is not one implib-gen writes import libraries for "
                "(x86-64, i386, arm64)");
  }
  }
  m.image_base = pe.getImageBase();
  m.dll_name = basename(file);

  const data_directory *dir = pe.getDataDirectory(COFF::EXPORT_TABLE);
  if (!dir || dir->RelativeVirtualAddress == 0 || dir->Size == 0)
    return m;  // a DLL that exports nothing
  const uint32_t dir_lo = dir->RelativeVirtualAddress, dir_hi = dir_lo + dir->Size;

  ArrayRef<uint8_t> hdr;
  if (llvm::Error e = pe.getRvaAndSizeAsBytes(dir_lo, sizeof(export_directory_table_entry), hdr)) {
    consumeError(std::move(e));
    return fail("truncated export table: its directory at RVA ", dir_lo,
                " is not within the file");
  }
  const uint32_t name_rva = le32(hdr.data() + 12), base = le32(hdr.data() + 16);
  const uint32_t n_addresses = le32(hdr.data() + 20), n_names = le32(hdr.data() + 24);
  const uint32_t addresses_rva = le32(hdr.data() + 28), names_rva = le32(hdr.data() + 32);
  const uint32_t ordinals_rva = le32(hdr.data() + 36);

  auto table = [&](uint32_t rva, uint64_t count, unsigned width, const char *what,
                   ArrayRef<uint8_t> &out) -> rtlink::Error {
    if (count == 0)
      return {};
    llvm::Error bad = count * width > UINT32_MAX
                          ? llvm::make_error<llvm::StringError>("too big", llvm::inconvertibleErrorCode())
                          : pe.getRvaAndSizeAsBytes(rva, count * width, out);
    if (bad) {
      consumeError(std::move(bad));
      return fail("truncated export table: its ", what, " (", count, " entries at RVA ", rva,
                  ") runs past the end of the file");
    }
    return {};
  };
  // A string at an RVA, bounded by the section that holds it.
  auto string_at = [&](uint32_t rva, std::string &out) -> bool {
    uintptr_t p;
    if (llvm::Error e = pe.getRvaPtr(rva, p)) {
      consumeError(std::move(e));
      return false;
    }
    const char *s = reinterpret_cast<const char *>(p);
    const char *end = bytes.data() + bytes.size();
    if (s < bytes.data() || s >= end)
      return false;
    const char *nul = std::find(s, end, '\0');
    if (nul == end)
      return false;
    out.assign(s, nul);
    return true;
  };

  if (name_rva) {
    std::string dll;
    if (!string_at(name_rva, dll))
      return fail("truncated export table: the DLL name at RVA ", name_rva,
                  " is not within the file");
    if (!dll.empty())
      m.dll_name = dll;
  }
  if (uint64_t(base) + n_addresses > 65536 || (n_addresses && base == 0))
    return fail("export table: ordinals ", base, " to ", uint64_t(base) + n_addresses - 1,
                " are out of range (1 to 65535)");
  ArrayRef<uint8_t> addresses, names, ordinals;
  if (rtlink::Error e = table(addresses_rva, n_addresses, 4, "address table", addresses))
    return e;
  if (rtlink::Error e = table(names_rva, n_names, 4, "name pointer table", names))
    return e;
  if (rtlink::Error e = table(ordinals_rva, n_names, 2, "ordinal table", ordinals))
    return e;

  // Each address table slot's name and hint (its index in the name table).
  std::vector<std::string> slot_name(n_addresses);
  std::vector<uint32_t> slot_hint(n_addresses);
  for (uint32_t i = 0; i < n_names; ++i) {
    uint16_t slot = le16(ordinals.data() + 2 * i);
    if (slot >= n_addresses)
      return fail("export table: name ", i, " refers to ordinal ", uint32_t(base) + slot,
                  ", past the last (", base + n_addresses - 1, ")");
    uint32_t rva = le32(names.data() + 4 * i);
    if (!string_at(rva, slot_name[slot]))
      return fail("truncated export table: export name ", i, " at RVA ", rva,
                  " is not within the file");
    slot_hint[slot] = i;
  }

  // What each RVA is: code, data, read-only data, by its section.
  std::vector<const coff_section *> sections;
  for (const SectionRef &s : pe.sections())
    sections.push_back(pe.getCOFFSection(s));
  auto kind_at = [&](uint32_t rva) {
    for (const coff_section *c : sections) {
      uint32_t size = std::max<uint32_t>(c->VirtualSize, c->SizeOfRawData);
      if (rva >= c->VirtualAddress && rva - c->VirtualAddress < size)
        return (c->Characteristics & (COFF::IMAGE_SCN_CNT_CODE | COFF::IMAGE_SCN_MEM_EXECUTE))
                   ? ExportKind::Code
                   : ExportKind::Data;
    }
    return ExportKind::Data;
  };

  for (uint32_t slot = 0; slot < n_addresses; ++slot) {
    uint32_t rva = le32(addresses.data() + 4 * slot);
    if (rva == 0)
      continue;  // a gap in the ordinals
    Export e;
    e.ordinal = base + slot;
    e.origin = file;
    if (slot_name[slot].empty()) {
      e.noname = true;
      e.name = "#" + std::to_string(e.ordinal);  // how an unnamed export is shown
    } else {
      e.name = std::move(slot_name[slot]);
      e.hint = slot_hint[slot];
    }
    if (rva >= dir_lo && rva < dir_hi) {
      // Inside the export directory: a forwarder string such as "NTDLL.RtlFoo".
      if (!string_at(rva, e.forwarder))
        return fail("truncated export table: the forwarder of ", e.name, " at RVA ", rva,
                    " is not within the file");
      e.kind = ExportKind::Code;
    } else {
      e.kind = kind_at(rva);
    }
    m.exports.push_back(std::move(e));
  }
  return m;
}

} // namespace rtlink::implib
