// arch/arch.hpp — the seam between the linker and the CPU.
//
// Every generic pass (got_stubs.cpp, layout.cpp, fixup.cpp, runtime.cpp, the
// link cache) reaches the instruction set only through an ArchBackend: the
// unit knows its Arch (the front end reads it from the file), and
// arch_backend() gives what the passes need. Adding an architecture is a
// backend file here (arch/NAME.cpp: its fixups, stub, unit runtime code), a
// relocation map per format (object/elf_NAME.cpp), its edge kinds in
// object/edge_kind.hpp, and the executor's per-arch file (exec/call-NAME.cpp,
// picked by meson from cpu_family()). The controller carries every backend:
// an x86-64 objload links aarch64 code into an aarch64 executor.
#pragma once

#include "arch/far.hpp"
#include "object/edge_kind.hpp"
#include "object/link_unit.hpp"
#include <rtlink/executor.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rtlink {

// The values of the fixup expression (see object/edge_kind.hpp).
struct Fixup {
  uint64_t S;    // target
  int64_t A;     // addend
  uint64_t P;    // site
  uint64_t GOT;  // GOT base of the unit
  uint64_t G;    // target's GOT cell (0 when it has none)
  uint64_t IB = 0;  // image base
  uint64_t SB = 0;  // start of the target's section
  uint16_t SI = 0;  // the target's section index + 1
  uint64_t Z = 0;   // the target's size
};

// The outcome of a fixup: empty on success, else the value that did not fit.
struct Overflow {
  unsigned bits = 0;        // 0: it fit
  const char *how = "";     // "signed", "unsigned", "signed or unsigned", "aligned"
  uint64_t value = 0;
  explicit operator bool() const { return bits != 0; }
  std::string describe() const;  // "value 0x... does not fit in 32 bits signed"
};

struct ArchBackend {
  Arch arch;
  // A jump to the address a cell holds, `stub_size` bytes, written at `at`
  // (its address `stub`): calls leave the range through it, and on an
  // arch whose branches are short it is the veneer a far call goes through.
  uint64_t stub_size;
  void (*write_stub)(uint8_t *at, uint64_t stub, uint64_t cell);
  // Writes the fixup at `loc`; on an overflow nothing is written.
  Overflow (*apply)(EdgeKind kind, uint8_t *loc, const Fixup &f);
  // The edge kind of a direct call or jump (Branch32, A64Branch26), and how
  // far it reaches either way. A branch to another unit that lies further
  // goes through the unit's stub for its target (decided in fixup.cpp, after
  // layout; the stubs are planned before it for every such target when the
  // reach is shorter than the reserved range).
  EdgeKind branch;
  uint64_t branch_reach;
  // The stack probe Windows code calls (empty: none).
  std::span<const uint8_t> (*stack_probe)();
  // How code of this arch in this format is called.
  CallConv (*convention)(Format format);
  // The unit runtime code (link/runtime.cpp): `function` is the index into
  // its table; the code passes the unit's __dso_handle (`dso`) or image base
  // the way the callee wants it, then jumps through `cell`. At most
  // kUnitRuntimeSize bytes.
  std::vector<uint8_t> (*unit_runtime_code)(int function, uint64_t at, uint64_t dso,
                                            uint64_t image_base, uint64_t cell);
  // Far references (arch/far.hpp): code whose field cannot reach an address
  // outside the range from everywhere in it (`far_reference`), planned
  // (`plan_far`) and written (`write_far`: the thunk's holes, and the jump
  // to the thunk in the instruction's place). Null where none are.
  bool (*far_reference)(EdgeKind kind, uint64_t target, uint64_t base, uint64_t size);
  FarPlanner plan_far;
  Overflow (*write_far)(const FarPlan &p, uint8_t *thunk, uint64_t thunk_at, uint8_t *insn,
                        uint64_t insn_at, uint64_t cell);
};

constexpr uint64_t kUnitRuntimeSize = 24;

// The backend for `arch`; every Arch has one.
const ArchBackend &arch_backend(Arch arch);

} // namespace rtlink
