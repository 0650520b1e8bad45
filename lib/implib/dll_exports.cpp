// implib/dll_exports.cpp — a DLL's export table, as an export list.
//
// The PE headers are read here rather than through LLVM's COFFObjectFile,
// which checks every data directory when it opens an image: a DLL whose
// export table is cut short would be refused as "unexpected end of file"
// before anything could say which table is short, and a damaged debug
// directory would stop an export table that is whole. Reading the three
// export tables here also takes one pass for a 20,000-export DLL, where
// ExportDirectoryEntryRef looks each name up by a scan of the name table.
#include "implib/exports.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace rtlink::implib {
namespace {

uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }
uint16_t le16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }
uint64_t le64(const uint8_t *p) { return le32(p) | uint64_t(le32(p + 4)) << 32; }

std::string basename(const std::string &path) {
  size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct PeSection {
  uint32_t va, vsize, raw, raw_size, flags;
};

constexpr uint32_t kScnCode = 0x20, kScnExecute = 0x20000000;

class PeImage {
public:
  PeImage(std::string_view bytes)
      : b_(reinterpret_cast<const uint8_t *>(bytes.data())), size_(bytes.size()) {}

  // Bytes at an RVA, or null when they are not all in the file.
  const uint8_t *at(uint32_t rva, uint64_t len) const {
    for (const PeSection &s : sections) {
      uint32_t span = std::max(s.vsize, s.raw_size);
      if (rva < s.va || rva - s.va >= span)
        continue;
      uint64_t off = uint64_t(rva - s.va);
      if (off + len > s.raw_size || uint64_t(s.raw) + off + len > size_)
        return nullptr;
      return b_ + s.raw + off;
    }
    return nullptr;
  }

  // A NUL-terminated string at an RVA, within its section's bytes in the file.
  bool string_at(uint32_t rva, std::string &out) const {
    for (const PeSection &s : sections) {
      if (rva < s.va || rva - s.va >= std::max(s.vsize, s.raw_size))
        continue;
      uint64_t off = uint64_t(s.raw) + (rva - s.va);
      uint64_t end = std::min<uint64_t>(uint64_t(s.raw) + s.raw_size, size_);
      if (off >= end)
        return false;
      const uint8_t *p = b_ + off, *e = b_ + end;
      const uint8_t *nul = std::find(p, e, uint8_t(0));
      if (nul == e)
        return false;
      out.assign(reinterpret_cast<const char *>(p), nul - p);
      return true;
    }
    return false;
  }

  ExportKind kind_at(uint32_t rva) const {
    for (const PeSection &s : sections)
      if (rva >= s.va && rva - s.va < std::max(s.vsize, s.raw_size))
        return (s.flags & (kScnCode | kScnExecute)) ? ExportKind::Code : ExportKind::Data;
    return ExportKind::Data;
  }

  // Reads the headers; an empty string when they are sound, else what is wrong.
  std::string read() {
    if (size_ < 2 || b_[0] != 'M' || b_[1] != 'Z')
      return "not a DLL (no PE image here: it does not start with 'MZ')";
    if (size_ < 0x40)
      return "truncated PE image: the DOS header is cut short";
    uint32_t pe = le32(b_ + 0x3c);
    if (uint64_t(pe) + 24 > size_)
      return "truncated PE image: the PE header is past the end of the file";
    if (std::memcmp(b_ + pe, "PE\0\0", 4) != 0)
      return "not a DLL (an MZ executable without a PE header)";
    machine = le16(b_ + pe + 4);
    uint16_t nsec = le16(b_ + pe + 6), opt_size = le16(b_ + pe + 20);
    characteristics = le16(b_ + pe + 22);
    uint64_t opt = uint64_t(pe) + 24;
    if (opt + opt_size > size_ || opt_size < 2)
      return "truncated PE image: the optional header runs past the end of the file";
    uint16_t magic = le16(b_ + opt);
    uint64_t dirs;
    uint32_t ndirs;
    if (magic == 0x20b && opt_size >= 112) {
      image_base = le64(b_ + opt + 24);
      ndirs = le32(b_ + opt + 108);
      dirs = opt + 112;
    } else if (magic == 0x10b && opt_size >= 96) {
      image_base = le32(b_ + opt + 28);
      ndirs = le32(b_ + opt + 92);
      dirs = opt + 96;
    } else {
      return "not a DLL (its optional header is neither PE32 nor PE32+)";
    }
    if (ndirs >= 1 && dirs + 8 <= opt + opt_size) {
      export_rva = le32(b_ + dirs);
      export_size = le32(b_ + dirs + 4);
    }
    uint64_t table = opt + opt_size;
    if (table + uint64_t(nsec) * 40 > size_)
      return "truncated PE image: the section table runs past the end of the file";
    for (uint16_t i = 0; i < nsec; ++i) {
      const uint8_t *h = b_ + table + 40 * i;
      sections.push_back({le32(h + 12), le32(h + 8), le32(h + 20), le32(h + 16), le32(h + 36)});
    }
    return {};
  }

  uint16_t machine = 0, characteristics = 0;
  uint64_t image_base = 0;
  uint32_t export_rva = 0, export_size = 0;
  std::vector<PeSection> sections;

private:
  const uint8_t *b_;
  size_t size_;
};

} // namespace

Expected<Module> read_dll_exports(const std::string &file, std::string_view bytes) {
  auto fail = [&](const auto &...what) { return make_error(file, ": ", what...); };
  PeImage pe(bytes);
  if (std::string bad = pe.read(); !bad.empty())
    return fail(bad);
  if (!(pe.characteristics & 0x2000))  // IMAGE_FILE_DLL
    return fail("not a DLL: an executable (IMAGE_FILE_DLL is not set)");

  Module m;
  switch (pe.machine) {
  case 0x8664:
    m.machine = Machine::X86_64;
    break;
  case 0x14c:
    m.machine = Machine::I386;
    break;
  case 0xaa64:
    m.machine = Machine::ARM64;
    break;
  default: {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04x", pe.machine);
    return fail("machine ", hex, " is not one implib-gen writes import libraries for "
                "(x86-64, i386, arm64)");
  }
  }
  m.image_base = pe.image_base;
  m.dll_name = basename(file);

  if (pe.export_rva == 0 || pe.export_size == 0)
    return m;  // a DLL that exports nothing
  const uint32_t dir_lo = pe.export_rva, dir_hi = dir_lo + pe.export_size;

  const uint8_t *hdr = pe.at(dir_lo, 40);
  if (!hdr)
    return fail("truncated export table: its directory at RVA ", dir_lo,
                " is not within the file");
  const uint32_t name_rva = le32(hdr + 12), base = le32(hdr + 16);
  const uint32_t n_addresses = le32(hdr + 20), n_names = le32(hdr + 24);
  const uint32_t addresses_rva = le32(hdr + 28), names_rva = le32(hdr + 32);
  const uint32_t ordinals_rva = le32(hdr + 36);

  auto table = [&](uint32_t rva, uint64_t count, unsigned width, const char *what,
                   const uint8_t *&out) -> Error {
    if (count == 0)
      return {};
    out = pe.at(rva, count * width);
    if (!out)
      return fail("truncated export table: its ", what, " (", count, " entries at RVA ", rva,
                  ") is not within the file");
    return {};
  };
  auto string_at = [&](uint32_t rva, std::string &out) { return pe.string_at(rva, out); };

  if (name_rva) {
    std::string dll;
    if (!string_at(name_rva, dll))
      return fail("truncated export table: the DLL name at RVA ", name_rva,
                  " is not within the file");
    if (!dll.empty())
      m.dll_name = dll;
  }
  if (n_addresses > 65536)
    return fail("export table: its address table has ", n_addresses,
                " entries, more ordinals than there are (ordinals are out of range past 65535)");
  const uint8_t *addresses = nullptr, *names = nullptr, *ordinals = nullptr;
  if (Error e = table(addresses_rva, n_addresses, 4, "address table", addresses))
    return e;
  if (Error e = table(names_rva, n_names, 4, "name pointer table", names))
    return e;
  if (Error e = table(ordinals_rva, n_names, 2, "ordinal table", ordinals))
    return e;

  // An export without a name is imported by ordinal; importers still need a
  // symbol for it: DLLSTEM_ordinal_N ("shlwapi_ordinal_12"), which no two
  // DLLs share.
  std::string unnamed_prefix;
  for (char c : m.dll_name.substr(0, m.dll_name.rfind('.')))
    unnamed_prefix += static_cast<char>(std::isalnum(static_cast<unsigned char>(c))
                                            ? std::tolower(static_cast<unsigned char>(c))
                                            : '_');
  unnamed_prefix += "_ordinal_";

  // Each address table slot's name and hint (its index in the name table).
  std::vector<std::string> slot_name(n_addresses);
  std::vector<uint32_t> slot_hint(n_addresses);
  for (uint32_t i = 0; i < n_names; ++i) {
    uint16_t slot = le16(ordinals + 2 * i);
    if (slot >= n_addresses)
      return fail("export table: name ", i, " refers to ordinal ", uint32_t(base) + slot,
                  ", past the last (", base + n_addresses - 1, ")");
    uint32_t rva = le32(names + 4 * i);
    if (!string_at(rva, slot_name[slot]))
      return fail("truncated export table: export name ", i, " at RVA ", rva,
                  " is not within the file");
    slot_hint[slot] = i;
  }

  for (uint32_t slot = 0; slot < n_addresses; ++slot) {
    uint32_t rva = le32(addresses + 4 * slot);
    if (rva == 0)
      continue;  // a gap in the ordinals (lld-link leaves ordinal 0 empty this way)
    if (uint64_t(base) + slot == 0 || uint64_t(base) + slot > 65535)
      return fail("export table: address table entry ", slot, " has ordinal ",
                  uint64_t(base) + slot, ", out of range (1 to 65535)");
    Export e;
    e.ordinal = base + slot;
    e.origin = file;
    if (slot_name[slot].empty()) {
      e.noname = true;
      e.name = unnamed_prefix + std::to_string(e.ordinal);
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
      e.kind = pe.kind_at(rva);
    }
    m.exports.push_back(std::move(e));
  }
  return m;
}

} // namespace rtlink::implib
