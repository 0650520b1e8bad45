// implib/coff_archive.cpp — the short import library's archive: its
// members as given, the two linker members from the symbols they were given
// with (see coff_archive.hpp for the layout).
#include "implib/coff_archive.hpp"
#include "implib/coff_object.hpp"  // put16, put32

#include <algorithm>
#include <charconv>
#include <limits>

namespace rtlink::implib {
namespace {

// `s` left-aligned in `width` columns, padded with spaces.
void field(std::string &out, std::string_view s, size_t width) {
  out += s;
  out.append(width - s.size(), ' ');
}

void number_field(std::string &out, uint64_t v, size_t width, int base = 10) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, base);
  field(out, std::string_view(buf, size_t(r.ptr - buf)), width);
}

// A member header: the name field as given, no time, owner or group.
void header(std::string &out, std::string_view name, unsigned mode, uint64_t size) {
  field(out, name, 16);
  field(out, "0", 12);
  field(out, "0", 6);
  field(out, "0", 6);
  number_field(out, mode, 8, 8);
  number_field(out, size, 10);
  out += "`\n";
}

void be32(std::string &out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xff);
}

constexpr size_t kHeader = 60;

} // namespace

void CoffArchive::member(std::string_view name, std::string_view bytes) {
  members_.push_back({std::string(name), data_.size(), bytes.size()});
  data_ += bytes;
}

void CoffArchive::symbol(std::string_view prefix, std::string_view name) {
  const auto at = static_cast<uint32_t>(names_.size());
  names_ += prefix;
  names_ += name;
  symbols_.push_back({at, static_cast<uint32_t>(names_.size() - at),
                      static_cast<uint32_t>(members_.size() - 1)});
}

Expected<std::string> CoffArchive::bytes() const {
  // The second linker member numbers members in 16 bits.
  const bool gnu = members_.size() > 0xfffe;
  auto name_of = [&](uint32_t s) {
    return std::string_view(names_).substr(symbols_[s].name_at, symbols_[s].name_size);
  };

  // Long member names, each written once. An import library's members all
  // have the DLL's name, so the last one looked up is the likely one.
  std::string long_names;
  std::vector<std::pair<std::string_view, uint64_t>> long_at;
  std::vector<uint64_t> name_at(members_.size(), std::numeric_limits<uint64_t>::max());
  for (size_t i = 0; i < members_.size(); ++i) {
    const std::string &n = members_[i].name;
    if (n.size() < 16 && n.find('/') == std::string::npos)
      continue;
    auto it = !long_at.empty() && long_at.back().first == n
                  ? long_at.end() - 1
                  : std::find_if(long_at.begin(), long_at.end(),
                                 [&](const auto &p) { return p.first == n; });
    if (it == long_at.end()) {
      long_at.emplace_back(n, long_names.size());
      long_names += n;
      long_names += gnu ? std::string_view("/\n") : std::string_view("\0", 1);
      it = long_at.end() - 1;
    }
    name_at[i] = it->second;
  }

  // Which symbols are listed: in the COFF layout a name once, for the first
  // member that defines it; `sorted` is the second linker member's order.
  std::vector<uint32_t> listed, sorted;
  if (gnu) {
    listed.resize(symbols_.size());
    for (uint32_t s = 0; s < symbols_.size(); ++s)
      listed[s] = s;
  } else {
    std::vector<std::pair<std::string_view, uint32_t>> by_name(symbols_.size());
    for (uint32_t s = 0; s < symbols_.size(); ++s)
      by_name[s] = {name_of(s), s};
    std::sort(by_name.begin(), by_name.end());
    std::vector<bool> first(symbols_.size(), false);
    sorted.reserve(by_name.size());
    for (size_t i = 0; i < by_name.size(); ++i)
      if (i == 0 || by_name[i].first != by_name[i - 1].first) {
        first[by_name[i].second] = true;
        sorted.push_back(by_name[i].second);
      }
    listed.reserve(sorted.size());
    for (uint32_t s = 0; s < symbols_.size(); ++s)
      if (first[s])
        listed.push_back(s);
  }

  uint64_t strings = 0;
  for (uint32_t s : listed)
    strings += symbols_[s].name_size + 1;
  // A GNU symbol table with no symbols still has a string table, of three
  // NULs (what older tools expect of an archive of objects).
  const bool empty_gnu_table = gnu && listed.empty();
  if (empty_gnu_table)
    strings = 3;
  const uint64_t first_size = 4 + 4 * uint64_t(listed.size()) + strings;
  const uint64_t first_padded = first_size + (first_size & 1);
  uint64_t second_size = 0;
  if (!gnu) {
    second_size = 4 + 4 * uint64_t(members_.size()) + 4;
    for (uint32_t s : sorted)
      second_size += 2 + symbols_[s].name_size + 1;
  }
  const uint64_t second_padded = second_size + (second_size & 1);
  const uint64_t long_padded = long_names.size() + (long_names.size() & 1);

  uint64_t at = 8 + kHeader + first_padded;
  if (!gnu)
    at += kHeader + second_padded;
  if (!long_names.empty())
    at += kHeader + long_padded;
  std::vector<uint64_t> member_at(members_.size());
  for (size_t i = 0; i < members_.size(); ++i) {
    member_at[i] = at;
    at += kHeader + members_[i].size + (members_[i].size & 1);
  }
  if (!members_.empty() && member_at.back() > std::numeric_limits<uint32_t>::max())
    return make_error("the import library would be larger than its symbol table can "
                      "address (4 GiB)");

  std::string out;
  out.reserve(at);
  out += "!<arch>\n";
  header(out, "/", 0, first_padded);
  be32(out, static_cast<uint32_t>(listed.size()));
  for (uint32_t s : listed)
    be32(out, static_cast<uint32_t>(member_at[symbols_[s].member]));
  for (uint32_t s : listed) {
    out += name_of(s);
    out += '\0';
  }
  if (empty_gnu_table)
    out.append(3, '\0');
  out.append(first_padded - first_size, '\0');
  if (!gnu) {
    header(out, "/", 0, second_padded);
    put32(out, static_cast<uint32_t>(members_.size()));
    for (uint64_t m : member_at)
      put32(out, static_cast<uint32_t>(m));
    put32(out, static_cast<uint32_t>(sorted.size()));
    for (uint32_t s : sorted)
      put16(out, static_cast<uint16_t>(symbols_[s].member + 1));
    for (uint32_t s : sorted) {
      out += name_of(s);
      out += '\0';
    }
    out.append(second_padded - second_size, '\0');
  }
  if (!long_names.empty()) {
    field(out, "//", 48);
    number_field(out, long_padded, 10);
    out += "`\n";
    out += long_names;
    out.append(long_padded - long_names.size(), '\n');
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    const Member &m = members_[i];
    std::string name;
    if (name_at[i] == std::numeric_limits<uint64_t>::max()) {
      name = m.name + '/';
    } else {
      name = '/';
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, name_at[i]);
      name.append(buf, r.ptr);
    }
    header(out, name, 0644, m.size);
    out.append(data_, m.data_at, m.size);
    if (m.size & 1)
      out += '\n';
  }
  return out;
}

} // namespace rtlink::implib
