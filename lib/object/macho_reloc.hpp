// object/macho_reloc.hpp — what a Mach-O CPU's relocation map gives the
// front end (macho.cpp): one per architecture (macho_x86_64.cpp,
// macho_aarch64.cpp), as elf_reloc.hpp is for ELF.
#pragma once

#include "object/edge_kind.hpp"
#include <rtlink/error.hpp>
#include <rtlink/executor.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace rtlink::macho {

// Subtractor: the first of a SUBTRACTOR/UNSIGNED pair (macho.cpp reads both).
// Addend: arm64's ADDEND, which gives the next relocation at its site its
// addend (in its symbol number field).
// Unsupported: a type the ABI defines that rtlink does not apply yet.
// Malformed: a known type with a pc-relative flag or length it never has.
enum class RelocClass { Edge, Subtractor, Addend, Unsupported, Malformed, Unknown };

// Where a relocation's addend comes from.
//  Bytes: the `width` bytes at the site (x86-64's every type, arm64's
//    UNSIGNED and SUBTRACTOR), to which `adjust` is added;
//  Prefix: an ADDEND just before it (arm64's BRANCH26, PAGE21, PAGEOFF12:
//    the instruction's field holds none), 0 without one;
//  None: always 0 (arm64's GOT, TLVP and POINTER_TO_GOT).
enum class AddendFrom { Bytes, Prefix, None };

// The pc-relative x86-64 types count from the end of the instruction, P + 4
// + `tail` (SIGNED_N: N bytes of immediate follow the displacement); the
// compiler has already folded -N into an extern relocation's bytes, so
// `adjust` is -4 for all of them, and `tail` matters only to a non-extern
// (section-relative) relocation, whose bytes hold the target's address in
// the object less that end.
struct Mapping {
  RelocClass cls;
  EdgeKind kind;
  unsigned width;      // bytes at the site
  int64_t adjust;
  unsigned tail;
  bool extern_only;    // GOT and thread-local types: a section has no cell
  AddendFrom addend = AddendFrom::Bytes;
  bool instruction = false;  // `kind` is refined by the instruction at the site
};

// A fixup in the thread-local variable thunk (its cell for the executor's
// TLS descriptor function).
struct ThunkEdge {
  uint64_t offset;
  EdgeKind kind;
  int64_t addend;
  uint16_t native;
};

struct Cpu {
  Arch arch;
  uint32_t cputype;
  const char *slice;  // the arch's name in a universal file (lipo's)
  Mapping (*map_relocation)(uint8_t type, bool pcrel, unsigned length);
  std::string (*relocation_name)(uint16_t type);
  // For a mapping with `instruction`: the kind the instruction word at the
  // site asks for, or what is wrong with it (the caller names the site).
  Expected<EdgeKind> (*instruction_kind)(EdgeKind kind, uint32_t insn);
  // The thread-local variable thunk (macho.cpp adds it to a unit with
  // __thread_vars): each variable's descriptor is {thunk, module, offset},
  // and code calls the thunk with the descriptor's address in the first
  // argument register for the variable's address there. The thunk hands
  // {module, offset} to the executor's TLS descriptor function, reached
  // through a GOT cell (`tlv_edges`), and adds the thread pointer.
  std::span<const uint8_t> tlv_thunk;
  std::span<const ThunkEdge> tlv_edges;
};

// The CPU of Mach-O `cputype`; null for one rtlink does not link.
const Cpu *cpu(uint32_t cputype);

// The `native` of an edge macho.cpp makes for an __eh_frame pointer the
// object left without a relocation (an address within the object).
constexpr uint16_t kImplicitPointer = 0xffff;

} // namespace rtlink::macho
