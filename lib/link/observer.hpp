// link/observer.hpp — what a resolve's passes tell whoever watches the link.
//
// The link cache's recorder (cache::Recorder, cache.hpp) is the one watcher
// today: it keeps the fixups whose value would differ in another process and
// each block's bytes, and learns when the result is this process's alone.
// The passes that produce those (apply_fixups, create_tls_modules,
// resolve_ifuncs) are handed the observer; a resolve nobody watches hands
// them none.
#pragma once

#include "arch/arch.hpp"

#include <cstdint>
#include <string>

namespace rtlink {

struct Unit;
struct Block;

class LinkObserver {
public:
  virtual ~LinkObserver() = default;
  // Unit u's fixup of `kind` at f.P, applied, whose target is u's symbol j
  // (for a GOT or far-data cell holding j's address: Abs64, f.S the value).
  virtual void fixup(const Unit &u, uint32_t j, EdgeKind kind, const Fixup &f) = 0;
  // A block's bytes with every fixup applied, before they are placed.
  virtual void block(const Block &b, const uint8_t *image) = 0;
  // The result holds something of this process's (an IFUNC resolver's
  // answer, a TLS module): it means nothing in another.
  virtual void tied_to_process(std::string why) = 0;
};

} // namespace rtlink
