// link/eh_frame.cpp — dropping the FDEs of discarded COMDAT copies.
//
// When a unit's copy of an inline function is dropped (another unit's copy
// won), its .eh_frame still holds an FDE for it, pointing into a section
// that will never be loaded. As static linkers do, the FDE is cut out: the
// records are copied without it, CIE pointers of later FDEs recomputed, and
// the edges of the remaining records shifted to their new offsets.
#include "link/session.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace rtlink {

namespace {

uint32_t read32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

} // namespace

Error prune_eh_frame(LinkUnit &lu, uint32_t index) {
  Section &sec = lu.sections[index];
  if (!sec.bytes)
    return Error::success();
  auto fail = [&](uint64_t at, const char *what) {
    return make_error(lu.site(index, at), ": ", what);
  };
  std::vector<const Edge *> by_offset;
  for (const Edge &e : sec.edges)
    by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Edge *a, const Edge *b) { return a->offset < b->offset; });
  auto edge_at = [&](uint64_t off) -> const Edge * {
    auto it = std::lower_bound(by_offset.begin(), by_offset.end(), off,
                               [](const Edge *e, uint64_t o) { return e->offset < o; });
    return it != by_offset.end() && (*it)->offset == off ? *it : nullptr;
  };

  struct Record {
    uint64_t start, end, header;
    bool keep, cie;
  };
  std::vector<Record> records;
  bool dropping = false;
  for (uint64_t pos = 0; pos + 4 <= sec.size;) {
    uint64_t len = read32(sec.bytes + pos), header = 4;
    if (len == 0)
      break;  // a terminator
    if (len == 0xffffffff)
      return fail(pos, "64-bit .eh_frame records are not supported");
    uint64_t end = pos + header + len;
    if (end > sec.size || len < 4)
      return fail(pos, "an .eh_frame record runs past the end of the section");
    bool cie = read32(sec.bytes + pos + header) == 0;
    bool keep = true;
    if (!cie) {
      const Edge *pc = edge_at(pos + header + 4);
      if (pc && pc->target < lu.symbols.size()) {
        uint32_t s = lu.symbols[pc->target].section;
        keep = !(s < lu.sections.size() && lu.sections[s].discarded);
      }
    }
    dropping |= !keep;
    records.push_back({pos, end, header, keep, cie});
    pos = end;
  }
  if (!dropping)
    return Error::success();

  auto out = std::make_unique<uint8_t[]>(sec.size);
  std::unordered_map<uint64_t, uint64_t> moved;  // old record start → new
  std::vector<Edge> edges;
  uint64_t w = 0;
  for (const Record &r : records) {
    if (!r.keep)
      continue;
    moved[r.start] = w;
    std::memcpy(out.get() + w, sec.bytes + r.start, r.end - r.start);
    if (!r.cie) {
      // The CIE pointer counts back from its own field to the CIE.
      uint64_t field = r.start + r.header;
      uint64_t cie = field - read32(sec.bytes + field);
      auto it = moved.find(cie);
      if (it == moved.end())
        return fail(r.start, "an FDE points at no CIE before it");
      uint32_t ptr = uint32_t(w + r.header - it->second);
      std::memcpy(out.get() + w + r.header, &ptr, 4);
    }
    for (const Edge &e : sec.edges)
      if (e.offset >= r.start && e.offset < r.end) {
        Edge m = e;
        m.offset = e.offset - r.start + w;
        edges.push_back(m);
      }
    w += r.end - r.start;
  }
  sec.bytes = out.get();
  sec.size = w;
  sec.edges = std::move(edges);
  lu.owned.push_back(std::move(out));
  return Error::success();
}

} // namespace rtlink
