// link/tls.cpp — thread-local storage of loaded ELF units (and Mach-O's
// __thread variables, whose descriptors object/macho.cpp makes {module,
// offset} pairs: DTPMod64 and DTPOff64 below).
//
// Each unit with .tdata / .tbss gets a block layout of its own (the TLS
// sections in order, each aligned), a template (.tdata's bytes, laid out in
// the block's read-only segment as they lie in the block, so relocations
// inside .tdata are applied to it once) and a module in the executor
// (platform/tls-posix.cpp), which gives each thread its block on first use.
// Loaded code reaches its variables the ways shared objects do:
//  - general dynamic: `lea x@tlsgd(%rip), %rdi; call __tls_get_addr`, with a
//    {module, offset} pair for x (TLSIndexPCRel32);
//  - local dynamic: the unit's {module, 0} pair, then x@dtpoff (DTPOff32/64);
//  - TLS descriptors: a four-cell descriptor {function, &pair, module,
//    offset}; the executor's function returns the offset from the thread
//    pointer and preserves every other register;
//  - DTPMOD64 / DTPOFF64 in data: the module and the offset;
//  - initial exec: `mov x@gottpoff(%rip), %reg`, a cell holding x's offset
//    from the thread pointer (TPOffPCRel32); local exec: that offset in the
//    instruction (TPOff32) or in data (TPOff64).
// The last two need x at one offset from every thread's pointer: the unit
// that defines x then gets a static block, a slice of the C library's
// static TLS area (platform/static_tls-linux.cpp), made with its template
// already relocated, before any code is fixed up; the other models reach the
// same block through its module. A unit loaded earlier with a dynamic block
// cannot become static. `__tls_get_addr` of ELF units binds to the
// executor's stand-in. A link with thread-local storage is not stored in the
// link cache (modules are this process's).
#include "link/cache.hpp"
#include "link/session.hpp"
#include "support/format.hpp"

#include <cstring>

namespace rtlink {

namespace {

// The cell an edge kind reaches, by the x86-64 kind that names it: an
// AArch64 descriptor's three instructions reach one descriptor, as x86-64's
// one instruction does; initial exec's two, one offset cell.
EdgeKind tls_cell_class(EdgeKind k) {
  switch (k) {
  case EdgeKind::A64TLSDescPage21:
  case EdgeKind::A64TLSDescLd64Lo12:
  case EdgeKind::A64TLSDescAddLo12: return EdgeKind::TLSDescPCRel32;
  case EdgeKind::A64TLSIEPage21:
  case EdgeKind::A64TLSIELd64Lo12: return EdgeKind::TPOffPCRel32;
  default: return k;
  }
}

bool has_cell(EdgeKind k) {
  k = tls_cell_class(k);
  return k == EdgeKind::TLSIndexPCRel32 || k == EdgeKind::TLSModulePCRel32 ||
         k == EdgeKind::TLSDescPCRel32 || k == EdgeKind::TPOffPCRel32;
}

unsigned cell_words(EdgeKind k) {
  return k == EdgeKind::TLSDescPCRel32 ? 4 : k == EdgeKind::TPOffPCRel32 ? 1 : 2;
}

uint64_t align_to(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

} // namespace

uint64_t Unit::tls_cell(EdgeKind kind, uint32_t symbol) const {
  kind = tls_cell_class(kind);
  for (const TlsCell &c : tls_cells)
    if (c.kind == kind && (kind == EdgeKind::TLSModulePCRel32 || c.symbol == symbol))
      return tls_cells_base + uint64_t(c.word) * 8;
  return 0;
}

Error Session::plan_tls(Unit &u) {
  const LinkUnit &lu = u.lu;
  u.tls_offset.assign(lu.sections.size(), 0);
  // The block: .tdata sections first (the template), then .tbss.
  for (int pass = 0; pass < 2; ++pass)
    for (uint32_t i = 0; i < lu.sections.size(); ++i) {
      const Section &s = lu.sections[i];
      if (!s.tls || s.role == SectionRole::Skip || s.discarded || (pass == 0) != (s.bytes != nullptr))
        continue;
      u.tls_size = align_to(u.tls_size, s.align);
      u.tls_offset[i] = u.tls_size;
      u.tls_size += s.size;
      u.tls_align = std::max(u.tls_align, uint64_t(s.align));
      if (pass == 0)
        u.tls_image_size = u.tls_size;
    }
  // Most units reach no thread-local storage: their edges are not walked
  // (the GHC job's 297,000: 2% of its time).
  if (!lu.tls_edges)
    return Error::success();
  std::string errors;
  for (uint32_t i = 0; i < lu.sections.size(); ++i) {
    const Section &sec = lu.sections[i];
    if (sec.role == SectionRole::Skip || sec.discarded)
      continue;
    for (const Edge &e : lu.edges_of(sec)) {
      if (!tls_edge(e.kind))
        continue;
      if (e.kind != EdgeKind::TLSModulePCRel32) {
        auto [d, k] = u.definition(e.target);
        const Symbol &s = d->lu.symbols[k];
        const bool loaded_tls = d->targets[k].kind == Target::Own && s.section < d->lu.sections.size() &&
                                d->lu.sections[s.section].tls;
        auto fail = [&](std::string_view why) {
          if (errors.size() < 4000)
            append_line(errors, lu.site(i, e.offset) + ": relocation " +
                                    lu.relocation_name(e.native) + " against " +
                                    quote(lu.symbol_name(e.target)) + ": " + std::string(why));
        };
        if (!loaded_tls) {
          fail("not a thread-local variable of a loaded object (loaded code reaches only those)");
          continue;
        }
        if (static_tls_edge(e.kind)) {
          // Initial or local exec: x's unit needs a static block.
          Unit *def = const_cast<Unit *>(d);
          if (def->ready && !def->tls_static) {
            fail("initial- or local-exec access to a variable of " + def->lu.name +
                 ", whose thread-local storage was made per thread on demand when it was loaded "
                 "(its code uses the dynamic models); load both in one resolve, or build this "
                 "with -fPIC");
            continue;
          }
          def->tls_static = true;
        }
      }
      if (!has_cell(e.kind) || u.tls_cell(e.kind, e.target))
        continue;
      u.tls_cells.push_back({tls_cell_class(e.kind), e.target, u.tls_words});
      u.tls_words += cell_words(tls_cell_class(e.kind));
      // tls_cell() finds cells by address; make it non-zero before layout.
      u.tls_cells_base = 8;
    }
  }
  if (!errors.empty())
    return Error(errors);
  return Error::success();
}

uint64_t Session::tp_offset(const Unit &u, uint32_t j) const {
  return uint64_t(u.definition(j).first->tls_tp_offset) + u.addr[j];
}

Expected<std::vector<uint8_t>> Session::relocated_template(const Unit &u) const {
  const LinkUnit &lu = u.lu;
  std::vector<uint8_t> t(u.tls_image_size, 0);
  for (uint32_t i = 0; i < lu.sections.size(); ++i) {
    const Section &s = lu.sections[i];
    if (!s.tls || !s.bytes || s.role == SectionRole::Skip || s.discarded)
      continue;
    std::memcpy(t.data() + u.tls_offset[i], s.bytes, s.size);
    for (const Edge &e : lu.edges_of(s)) {
      if (static_tls_edge(e.kind) || e.kind == EdgeKind::DTPMod64)
        return make_error(lu.site(i, e.offset), ": relocation ", lu.relocation_name(e.native),
                          " in the initial value of a thread-local variable of a static block "
                          "(reached by initial- or local-exec code) is not supported");
      Fixup f;
      if (Error err = edge_values(u, i, e, f))
        return err;
      if (Error err = apply_edge(u, i, e, f, e.kind, t.data() + u.tls_offset[i] + e.offset))
        return err;
    }
  }
  return t;
}

Error Session::create_tls_modules(const std::vector<Unit *> &batch, LinkObserver *observer) {
  // Descriptors in any unit, whether or not it has variables of its own.
  for (Unit *u : batch)
    for (const Unit::TlsCell &c : u->tls_cells)
      if (c.kind == EdgeKind::TLSDescPCRel32 && !tls_descriptor) {
        tls_descriptor = runtime_function(1);
        if (!tls_descriptor)
          return make_error(u->lu.name, ": TLS descriptors, and the executor has no function "
                                        "for them");
      }
  // Dynamic blocks first: a static block's template may hold their modules.
  for (int pass = 0; pass < 2; ++pass)
    for (Unit *u : batch) {
      if (!u->tls_size || u->tls_static != (pass == 1))
        continue;
      if (observer)
        observer->tied_to_process("thread-local storage (its modules are this process's)");
      if (!u->tls_static) {
        auto m = executor->create_tls_module(u->tls_image, u->tls_image_size, u->tls_size,
                                             u->tls_align);
        if (!m)
          return make_error(u->lu.name, ": ", m.error().message());
        u->tls_module = *m;
        continue;
      }
      auto t = relocated_template(*u);
      if (!t)
        return t.take_error();
      auto m = executor->create_static_tls_module(*t, u->tls_size, u->tls_align);
      if (!m)
        return make_error(u->lu.name, ": initial- or local-exec thread-local storage (",
                          u->tls_size, " bytes): ", m.error().message());
      u->tls_module = m->module;
      u->tls_tp_offset = m->offset;
      if (trace)
        trace(u->lu.name + ": thread-local block of " + std::to_string(u->tls_size) +
              " bytes in the C library's static TLS area, at the thread pointer " +
              (m->offset < 0 ? "- " + hex(uint64_t(-m->offset)) : "+ " + hex(uint64_t(m->offset))));
    }
  return Error::success();
}

void Session::destroy_tls_modules(const std::vector<Unit *> &units) {
  for (Unit *u : units)
    if (u->tls_module) {
      (void)executor->destroy_tls_module(u->tls_module);
      u->tls_module = 0;
    }
}

void Session::write_tls_cells(const Unit &u, uint8_t *image, uint64_t base) const {
  auto put = [&](uint64_t at, uint64_t v) { std::memcpy(image + (at - base), &v, 8); };
  for (const Unit::TlsCell &c : u.tls_cells) {
    const uint64_t at = u.tls_cells_base + uint64_t(c.word) * 8;
    uint64_t module = u.tls_module, offset = 0;
    if (c.kind != EdgeKind::TLSModulePCRel32) {
      auto [d, k] = u.definition(c.symbol);
      module = d->tls_module;
      offset = u.addr[c.symbol];
    }
    if (c.kind == EdgeKind::TPOffPCRel32) {
      put(at, tp_offset(u, c.symbol));
    } else if (c.kind == EdgeKind::TLSDescPCRel32) {
      put(at, tls_descriptor);
      put(at + 8, at + 16);
      put(at + 16, module);
      put(at + 24, offset);
    } else {
      put(at, module);
      put(at + 8, offset);
    }
  }
}

} // namespace rtlink
