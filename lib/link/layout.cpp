// link/layout.cpp — memory and addresses for each unit of a batch.
//
// A unit gets one run of pages in the reserved range, in three segments:
//   text   (read-execute): code sections, then jump stubs
//   rodata (read-only):    read-only data, .eh_frame + a zero terminator,
//                          GOT cells, then .data.rel.ro (written by fixups)
//   data   (read-write):   data, then zero-fill (.bss), then COMMON symbols
// Sections whose name is a C identifier stay together, so __start_NAME and
// __stop_NAME bracket all of them.
#include "arch/x86_64.hpp"
#include "link/session.hpp"
#include "support/format.hpp"

#include <cctype>

namespace rtlink {

namespace {

uint64_t align_to(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

bool c_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

} // namespace

Error Session::layout(const std::vector<Unit *> &batch) {
  const uint64_t page = executor->page_size();
  for (Unit *u : batch) {
    LinkUnit &lu = u->lu;
    const size_t n = lu.sections.size();
    std::vector<uint64_t> off(n, UINT64_MAX);
    uint64_t cur = 0;
    auto loaded = [&](uint32_t i) {
      return lu.sections[i].role != SectionRole::Skip && !lu.sections[i].discarded;
    };
    auto place_one = [&](uint32_t i) {
      cur = align_to(cur, lu.sections[i].align);
      off[i] = cur;
      cur += lu.sections[i].size;
    };
    auto place = [&](auto &&pred) {
      for (uint32_t i = 0; i < n; ++i) {
        if (!loaded(i) || off[i] != UINT64_MAX || !pred(lu.sections[i]))
          continue;
        place_one(i);
        if (c_identifier(lu.sections[i].name))
          for (uint32_t k = i + 1; k < n; ++k)
            if (loaded(k) && off[k] == UINT64_MAX && lu.sections[k].name == lu.sections[i].name)
              place_one(k);
      }
    };
    auto not_eh = [](const Section &s) { return s.role != SectionRole::EHFrame; };

    u->text.offset = 0;
    u->text.prot = Protection::ReadExecute;
    place([&](const Section &s) { return s.perm == Perm::ReadExecute && not_eh(s); });
    cur = align_to(cur, 8);
    uint64_t stubs_off = cur;
    cur += u->stub_symbols.size() * x86_64::kStubSize;
    u->text.size = cur;
    cur = align_to(cur, page);

    u->rodata.offset = cur;
    u->rodata.prot = Protection::Read;
    place([&](const Section &s) { return s.perm == Perm::Read && not_eh(s); });
    uint64_t eh_off = UINT64_MAX;
    for (uint32_t i = 0; i < n; ++i)
      if (loaded(i) && lu.sections[i].role == SectionRole::EHFrame) {
        place_one(i);
        if (eh_off == UINT64_MAX)
          eh_off = off[i];
      }
    uint64_t eh_end = cur;
    if (eh_off != UINT64_MAX)
      cur += 4;  // the zero length word that ends .eh_frame for the unwinder
    cur = align_to(cur, 8);
    uint64_t got_off = cur;
    cur += u->got_symbols.size() * 8;
    place([&](const Section &s) { return s.perm == Perm::RelRO && not_eh(s); });
    u->rodata.size = cur - u->rodata.offset;
    cur = align_to(cur, page);

    u->data.offset = cur;
    u->data.prot = Protection::ReadWrite;
    place([&](const Section &s) { return s.perm == Perm::ReadWrite && s.bytes && not_eh(s); });
    place([&](const Section &s) { return s.perm == Perm::ReadWrite && not_eh(s); });
    std::vector<uint64_t> common_off;
    for (const CommonAlloc &c : u->commons) {
      cur = align_to(cur, c.align);
      common_off.push_back(cur);
      cur += c.size;
    }
    u->data.size = cur - u->data.offset;
    uint64_t total = std::max(align_to(cur, page), page);

    auto mem = space.allocate(*executor, total);
    if (!mem)
      return make_error(lu.name, ": ", mem.error().message());
    u->mem = *mem;
    stats.bytes_mapped += total;
    const uint64_t base = u->mem.base;
    u->section_addr.assign(n, 0);
    for (uint32_t i = 0; i < n; ++i)
      if (off[i] != UINT64_MAX) {
        u->section_addr[i] = base + off[i];
        if (c_identifier(lu.sections[i].name)) {
          auto [it, fresh] = u->named_ranges.try_emplace(
              lu.sections[i].name, base + off[i], base + off[i] + lu.sections[i].size);
          if (!fresh) {
            it->second.first = std::min(it->second.first, base + off[i]);
            it->second.second = std::max(it->second.second, base + off[i] + lu.sections[i].size);
          }
        }
      }
    u->stubs_base = base + stubs_off;
    u->got_base = base + got_off;
    if (eh_off != UINT64_MAX) {
      u->eh_frame = base + eh_off;
      u->eh_frame_size = eh_end - eh_off + 4;
    }
    for (size_t c = 0; c < u->commons.size(); ++c)
      u->commons[c].addr = base + common_off[c];
  }
  return Error::success();
}

Error Session::compute_addresses(const std::vector<Unit *> &batch) {
  for (Unit *u : batch) {
    const LinkUnit &lu = u->lu;
    u->addr.assign(lu.symbols.size(), 0);
    for (uint32_t j = 0; j < lu.symbols.size(); ++j) {
      const Target &t = u->targets[j];
      uint64_t &a = u->addr[j];
      switch (t.kind) {
      case Target::Own: a = u->section_addr[lu.symbols[j].section] + lu.symbols[j].value; break;
      case Target::Absolute: a = t.value; break;
      case Target::GOTBase: a = u->got_base; break;
      case Target::DSOHandle: a = u->dso_handle(); break;
      case Target::SectionStart: a = u->named_ranges.at(t.name).first; break;
      case Target::SectionStop: a = u->named_ranges.at(t.name).second; break;
      case Target::Common: a = u->commons[t.index].addr; break;
      case Target::Other:
      case Target::Unbound: break;
      }
    }
  }
  // Names bound to other units, now that every unit has its addresses.
  for (Unit *u : batch)
    for (uint32_t j = 0; j < u->targets.size(); ++j)
      if (u->targets[j].kind == Target::Other)
        u->addr[j] = u->targets[j].unit->addr[u->targets[j].index];
  return Error::success();
}

} // namespace rtlink
