// arch/far.hpp — the plan for an instruction that reaches an address outside
// the reserved range with a field too short for it (code built without
// -fPIC, or as PIE, reaching the process's data). Each arch with such
// fields plans its own (ArchBackend::plan_far: arch/x86_64_far.hpp,
// arch/aarch64_far.hpp) and writes its thunks (ArchBackend::write_far);
// link/got_stubs.cpp gives plans their cells, stubs and thunk space, and
// link/fixup.cpp writes them.
#pragma once

#include "object/edge_kind.hpp"
#include <rtlink/error.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rtlink {

struct FarPlan {
  enum Kind : uint8_t {
    Stub,          // the field points at a jump stub (a branch, or a function's address)
    LoadFromCell,  // the instruction becomes one that loads the address from the
                   // cell: `opcode_size` bytes of `opcode` go at `opcode_at`
                   // (none: only the field changes), and the field then refers
                   // to the cell, as `field_kind` if set, addend `cell_field_addend`
    Thunk,         // `code` runs instead of the instruction
  };
  Kind kind = Stub;
  uint32_t start = 0, length = 0;  // the instruction, within its section
  uint32_t opcode_at = 0;
  uint32_t opcode = 0;  // little-endian, opcode_size bytes
  uint8_t opcode_size = 1;
  int64_t cell_field_addend = 0;
  std::optional<EdgeKind> field_kind;
  std::vector<uint8_t> code;   // Thunk: its bytes, with holes for:
  int32_t cell_disp = -1;      //   the cell's address (how: the arch's write_far)
  int32_t imm64 = -1;          //   a 64-bit S + A, little-endian
  int32_t back = -1;           //   the jump back to the instruction's end
  bool call_thunk = false;     // x86-64: the site calls the thunk (and is padded with nops)
  bool uses_cell = false;      // the cell holds S + cell_addend
  int64_t cell_addend = 0;
  // Stub: right only if the target is a function (a 32-bit address in data,
  // or in an instruction that cannot take a 64-bit one); if it is not, the
  // reference is refused for this reason.
  bool only_if_code = false;
  std::string refusal;
};

// Plans the rewrite of the instruction whose field at `site` refers, by
// `kind` with addend `addend`, to an address outside the range. `starts`
// are offsets where instructions begin (symbols of the section, nearest
// first). `executable` false: a data section.
using FarPlanner = Expected<FarPlan> (*)(std::span<const uint8_t> section, bool executable,
                                         std::span<const uint64_t> starts, uint64_t site,
                                         EdgeKind kind, int64_t addend);

} // namespace rtlink
