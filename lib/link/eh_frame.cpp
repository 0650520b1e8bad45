// link/eh_frame.cpp — .eh_frame: checked at load, pruned of discarded FDEs.
//
// A loaded unit's .eh_frame is handed to the unwinder (__register_frame),
// which reads it only when an exception is thrown, possibly in the host. So
// its record structure is checked when the unit is loaded: every length lies
// inside the section, every FDE's CIE pointer names a CIE before it.
//
// When a unit's copy of an inline function is dropped (another unit's copy
// won), its .eh_frame still holds an FDE for it, pointing into a section that
// will never be loaded. As static linkers do, the FDE is cut out: the records
// are copied without it, CIE pointers of later FDEs recomputed, and the edges
// of the remaining records shifted to their new offsets.
#include "link/session.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace rtlink {

namespace {

uint32_t read32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

struct Record {
  uint64_t start, end, header;
  uint64_t cie;  // FDE: the start of its CIE; CIE: its own start
  bool is_cie;
};

// The records of one .eh_frame section, checked.
Expected<std::vector<Record>> records(const LinkUnit &lu, uint32_t index) {
  const Section &sec = lu.sections[index];
  std::vector<Record> out;
  std::unordered_set<uint64_t> cies;
  auto fail = [&](uint64_t at, const char *what) {
    return make_error(lu.site(index, at), ": malformed .eh_frame: ", what);
  };
  for (uint64_t pos = 0; pos < sec.size;) {
    if (sec.size - pos < 4)
      return fail(pos, "a record length is cut off by the end of the section");
    uint64_t len = read32(sec.bytes + pos), header = 4;
    if (len == 0)
      break;  // a terminator: the unwinder reads no further
    if (len == 0xffffffff)
      return fail(pos, "64-bit records are not supported");
    if (len < 4 || len > sec.size - pos - header)
      return fail(pos, "a record runs past the end of the section");
    uint64_t id_field = pos + header;
    uint32_t id = read32(sec.bytes + id_field);
    Record r{pos, pos + header + len, header, pos, id == 0};
    if (!r.is_cie) {
      if (id > id_field || !cies.count(id_field - id))
        return fail(pos, "an FDE's CIE pointer names no CIE before it");
      r.cie = id_field - id;
    } else {
      cies.insert(pos);
    }
    out.push_back(r);
    pos = r.end;
  }
  return out;
}

} // namespace

Error check_eh_frame(const LinkUnit &lu, uint32_t index) {
  if (!lu.sections[index].bytes)
    return Error::success();
  auto recs = records(lu, index);
  return recs ? Error::success() : recs.take_error();
}

Error prune_eh_frame(LinkUnit &lu, uint32_t index) {
  Section &sec = lu.sections[index];
  if (!sec.bytes)
    return Error::success();
  auto recs = records(lu, index);
  if (!recs)
    return recs.take_error();

  std::vector<const Edge *> by_offset;
  for (const Edge &e : lu.edges_of(sec))
    by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Edge *a, const Edge *b) { return a->offset < b->offset; });
  auto first_at_or_after = [&](uint64_t off) {
    return std::lower_bound(by_offset.begin(), by_offset.end(), off,
                            [](const Edge *e, uint64_t o) { return e->offset < o; });
  };
  // An FDE goes when its pc_begin (the word after the CIE pointer) refers to a
  // discarded section.
  auto dropped = [&](const Record &r) {
    if (r.is_cie)
      return false;
    auto it = first_at_or_after(r.start + r.header + 4);
    if (it == by_offset.end() || (*it)->offset != r.start + r.header + 4)
      return false;
    uint32_t t = (*it)->target;
    if (t >= lu.symbols.size())
      return false;
    uint32_t s = lu.symbols[t].section;
    return s < lu.sections.size() && lu.sections[s].discarded;
  };
  if (std::none_of(recs->begin(), recs->end(), dropped))
    return Error::success();

  auto out = std::make_unique<uint8_t[]>(sec.size);
  std::unordered_map<uint64_t, uint64_t> moved;  // old record start → new
  std::vector<Edge> edges;
  uint64_t w = 0;
  for (const Record &r : *recs) {
    if (dropped(r))
      continue;
    moved[r.start] = w;
    std::memcpy(out.get() + w, sec.bytes + r.start, r.end - r.start);
    if (!r.is_cie) {
      // The CIE pointer counts back from its own field to the CIE.
      uint32_t ptr = uint32_t(w + r.header - moved.at(r.cie));
      std::memcpy(out.get() + w + r.header, &ptr, 4);
    }
    for (auto it = first_at_or_after(r.start); it != by_offset.end() && (*it)->offset < r.end;
         ++it) {
      Edge m = **it;
      m.offset = m.offset - r.start + w;
      edges.push_back(m);
    }
    w += r.end - r.start;
  }
  sec.bytes = out.get();
  sec.size = w;
  lu.set_edges(index, edges);
  lu.owned.push_back(std::move(out));
  return Error::success();
}

} // namespace rtlink

namespace rtlink {

// The LSDAs of a .gcc_except_table section start where the unit's .eh_frame
// points (FDE augmentation data: a reference to the section plus an offset).
// Each begins: @LPStart encoding (and the value, unless omitted), @TType
// encoding, and unless omitted the type table's end as a ULEB128 offset.
std::optional<TypeTable> type_table_at(const LinkUnit &lu, uint32_t section, uint64_t offset) {
  const Section &sec = lu.sections[section];
  if (!sec.bytes)
    return std::nullopt;
  std::optional<TypeTable> best;
  for (const Section &eh : lu.sections) {
    if (eh.role != SectionRole::EHFrame || eh.discarded)
      continue;
    for (const Edge &e : lu.edges_of(eh)) {
      const Symbol &s = lu.symbols[e.target];
      if (s.section != section || (e.kind != EdgeKind::Abs32 && e.kind != EdgeKind::PCRel32 &&
                                   e.kind != EdgeKind::Abs64 && e.kind != EdgeKind::PCRel64))
        continue;
      const uint64_t start = s.value + uint64_t(e.addend);
      if (start >= sec.size || start > offset || (best && best->header > start))
        continue;
      uint64_t p = start;
      auto byte = [&]() -> int { return p < sec.size ? sec.bytes[p++] : -1; };
      int lp = byte();
      if (lp < 0)
        continue;
      if (lp != 0xff) {
        static const int sizes[16] = {8, -1, 2, 4, 8, -1, -1, -1, -1, -1, 2, 4, 8, -1, -1, -1};
        int n = sizes[lp & 0x0f];
        if (n < 0)
          continue;
        p += uint64_t(n);
      }
      const uint64_t enc_at = p;
      int enc = byte();
      if (enc < 0 || enc == 0xff)
        continue;
      uint64_t off = 0;
      unsigned shift = 0;
      int b;
      do {
        b = byte();
        if (b < 0 || shift > 56)
          break;
        off |= uint64_t(b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      if (b < 0 || (b & 0x80) || off > sec.size || p + off > sec.size)
        continue;
      TypeTable t{start, enc_at, uint8_t(enc), p, p + off};
      if (offset >= t.header_end && offset < t.base)
        best = t;
    }
  }
  return best;
}

} // namespace rtlink
