// link/fixup.cpp — section bytes, stubs, GOT cells and edges, assembled in
// the controller's memory, then written through the executor and protected.
// Pages are read-write while written and then read-execute or read-only:
// never writable and executable at once.
#include "arch/x86_64.hpp"
#include "link/session.hpp"
#include "support/format.hpp"

#include <cstring>

namespace rtlink {

Error Session::apply_fixups(const std::vector<Unit *> &batch) {
  for (Unit *u : batch) {
    const LinkUnit &lu = u->lu;
    const uint64_t base = u->mem.base;
    // Everything up to the last initialised byte; zero fill after it is
    // already zero in freshly committed pages.
    uint64_t extent = u->text.size;
    extent = std::max(extent, u->got_base - base + u->got_symbols.size() * 8);
    if (u->eh_frame)
      extent = std::max(extent, u->eh_frame - base + u->eh_frame_size);
    for (uint32_t i = 0; i < lu.sections.size(); ++i)
      if (u->section_addr[i] && lu.sections[i].bytes)
        extent = std::max(extent, u->section_addr[i] - base + lu.sections[i].size);
    std::vector<uint8_t> image(extent, 0);

    for (uint32_t i = 0; i < lu.sections.size(); ++i) {
      const Section &s = lu.sections[i];
      if (u->section_addr[i] && s.bytes && s.size)
        std::memcpy(image.data() + (u->section_addr[i] - base), s.bytes, s.size);
    }
    for (size_t c = 0; c < u->got_symbols.size(); ++c) {
      uint64_t v = u->addr[u->got_symbols[c]];
      std::memcpy(image.data() + (u->got_base - base) + c * 8, &v, 8);
    }
    for (size_t k = 0; k < u->stub_symbols.size(); ++k) {
      uint64_t at = u->stubs_base + k * x86_64::kStubSize;
      uint64_t cell = u->got_base + uint64_t(u->got_cell[u->stub_symbols[k]]) * 8;
      x86_64::write_stub(image.data() + (at - base), at, cell);
    }

    for (uint32_t i = 0; i < lu.sections.size(); ++i) {
      const Section &s = lu.sections[i];
      if (s.role == SectionRole::Skip || s.discarded)
        continue;
      const uint64_t sec_addr = u->section_addr[i];
      uint8_t *sec_bytes = image.data() + (sec_addr - base);
      for (const Edge &e : s.edges) {
        x86_64::Fixup f;
        f.S = u->addr[e.target];
        if (e.kind == EdgeKind::Branch32 && u->stub[e.target] >= 0)
          f.S = u->stubs_base + uint64_t(u->stub[e.target]) * x86_64::kStubSize;
        f.A = e.addend;
        f.P = sec_addr + e.offset;
        f.GOT = u->got_base;
        f.G = u->got_cell[e.target] >= 0 ? u->got_base + uint64_t(u->got_cell[e.target]) * 8 : 0;
        std::string overflow = x86_64::apply(e.kind, sec_bytes + e.offset, f);
        if (overflow.empty())
          continue;
        std::string msg = lu.site(i, e.offset) + ": relocation " + lu.relocation_name(e.native) +
                          " against " + quote(lu.symbol_name(e.target)) + " (at " + hex(f.S) +
                          ") is out of range: " + overflow;
        if (!space.contains(f.S))
          msg += "; the target lies outside the loaded range, and code that refers to it "
                 "this way must be compiled with -fPIC";
        else if (!space.below_2g() &&
                 (e.kind == EdgeKind::Abs32 || e.kind == EdgeKind::Abs32S))
          msg += "; the reserved range could not be placed below 2 GiB, which code built "
                 "without -fPIC needs";
        return Error(msg);
      }
      stats.edges_applied += s.edges.size();
    }

    collect_init_fini(*u, image.data());
    if (Error e = executor->write(base, image))
      return e;
    for (const Segment *seg : {&u->text, &u->rodata, &u->data})
      if (seg->size)
        if (Error e = executor->protect(base + seg->offset,
                                        (seg->size + executor->page_size() - 1) &
                                            ~(executor->page_size() - 1),
                                        seg->prot))
          return e;
  }
  return Error::success();
}

} // namespace rtlink
