#include "object/link_unit.hpp"
#include "support/demangle.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <cstring>

namespace rtlink {

const uint8_t *LinkUnit::own(std::span<const uint8_t> bytes) {
  auto copy = std::make_unique<uint8_t[]>(bytes.empty() ? 1 : bytes.size());
  if (!bytes.empty())
    std::memcpy(copy.get(), bytes.data(), bytes.size());
  owned.push_back(std::move(copy));
  return owned.back().get();
}

uint32_t LinkUnit::add_section(std::string_view name, std::span<const uint8_t> bytes,
                               uint64_t align, Perm perm) {
  Section s;
  s.name = name;
  s.bytes = own(bytes);
  s.size = bytes.size();
  s.align = uint32_t(align);  // (the linker's own sections: a few words)
  s.perm = perm;
  s.role = SectionRole::Normal;
  sections.push_back(std::move(s));
  return uint32_t(sections.size() - 1);
}

void LinkUnit::move_edges_to_end(Section &s) {
  const uint32_t from = s.first_edge;
  s.first_edge = uint32_t(edges.size());
  edges.reserve(edges.size() + s.edge_count + 1);
  for (uint32_t i = 0; i < s.edge_count; ++i)
    edges.push_back(edges[from + i]);
}

void LinkUnit::set_edges(uint32_t section, std::span<const Edge> es) {
  Section &s = sections[section];
  if (es.size() > s.edge_count) {
    s.first_edge = uint32_t(edges.size());
    edges.insert(edges.end(), es.begin(), es.end());
  } else {
    std::copy(es.begin(), es.end(), edges.begin() + s.first_edge);
  }
  s.edge_count = uint32_t(es.size());
  for (const Edge &e : es)
    tls_edges = tls_edges || tls_edge(e.kind);
}

void LinkUnit::unread_input(bool copied, uint64_t page,
                            std::vector<std::span<const uint8_t>> &out) const {
  if (!file || name_tables.empty() || !file->mapped() || !file->size())
    return;
  // The pages that hold a byte still read, marked in a bitmap (a split-section
  // object has tens of thousands of sections: no sort); the first and last
  // pages may hold another member's bytes too, and stay.
  const uint8_t *const begin = file->data(), *const end = begin + file->size();
  const uint64_t base = reinterpret_cast<uint64_t>(begin) / page * page;
  const uint64_t pages = (reinterpret_cast<uint64_t>(end) - 1) / page - base / page + 1;
  std::vector<bool> read(pages, false);
  read.front() = read.back() = true;
  auto mark = [&](const uint8_t *b, uint64_t n) {
    if (!n)
      return;
    const uint64_t from = (reinterpret_cast<uint64_t>(b) - base) / page;
    const uint64_t to = (reinterpret_cast<uint64_t>(b) + n - 1 - base) / page;
    for (uint64_t p = from; p <= to; ++p)
      read[p] = true;
  };
  for (std::span<const uint8_t> t : name_tables)
    mark(t.data(), t.size());
  if (!copied)
    for (const Section &s : sections)
      if (s.bytes >= begin && s.bytes < end)  // (not bytes the unit owns)
        mark(s.bytes, s.size);
  for (uint64_t p = 0; p < pages;) {
    if (read[p]) {
      ++p;
      continue;
    }
    uint64_t q = p;
    while (q < pages && !read[q])
      ++q;
    out.emplace_back(reinterpret_cast<const uint8_t *>(base + p * page), size_t((q - p) * page));
    p = q;
  }
}

// As lld says it: the symbol the site lies in, when one does — the
// smallest that covers it, or else (no sizes: COFF) the nearest function
// before it — then the section and offset.
std::string LinkUnit::site(uint32_t section, uint64_t offset) const {
  std::string_view sec = section < sections.size() ? sections[section].name : "?";
  const Symbol *in = nullptr;
  const Symbol *before = nullptr;
  for (const Symbol &s : symbols) {
    if (s.section != section || s.is_section || s.name.empty() || s.value > offset ||
        s.name.substr(0, 2) == ".L")
      continue;
    if (s.size && offset - s.value < s.size) {
      if (!in || s.size < in->size)
        in = &s;
    } else if (s.is_function && !s.size && (!before || s.value > before->value)) {
      before = &s;
    }
  }
  if (!in)
    in = before;
  std::string where = std::string(sec) + "+" + hex(offset);
  if (in)
    where = (in->is_function ? "function " : "") + demangled_or_same(in->name) + ": " + where;
  return name + ":(" + where + ")";
}

std::string LinkUnit::symbol_name(uint32_t index) const {
  if (index >= symbols.size())
    return "symbol #" + std::to_string(index);
  const Symbol &s = symbols[index];
  if (s.is_section && s.section < sections.size())
    return "section " + std::string(sections[s.section].name);
  return display_name(s.name);
}

} // namespace rtlink
