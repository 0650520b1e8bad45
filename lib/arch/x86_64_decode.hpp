// arch/x86_64_decode.hpp — the shape of one x86-64 instruction.
//
// Not a disassembler: it finds where an instruction's parts lie (prefixes,
// REX / VEX / EVEX, opcode, ModRM, SIB, displacement, immediate) and how long
// it is, which is what rewriting a reference inside an instruction needs
// (arch/x86_64_far.cpp). It knows the encodings compilers emit in 64-bit
// mode: the one-byte map, 0F, 0F38 and 0F3A, VEX and EVEX. Bytes that do not
// decode (opcodes invalid in 64-bit mode, a truncated instruction) give
// nothing, never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace rtlink::x86_64 {

struct Instruction {
  enum class Encoding : uint8_t { Legacy, VEX2, VEX3, EVEX };
  uint8_t length = 0;
  uint8_t prefixes = 0;     // legacy prefix bytes before REX / VEX / the opcode
  uint8_t rex = 0;          // the REX byte, 0 if none (legacy encoding only)
  uint8_t rex_at = 0;       // its offset
  Encoding encoding = Encoding::Legacy;
  uint8_t vex_at = 0;       // offset of the VEX / EVEX prefix's first byte
  uint8_t map = 0;          // 0 one-byte, 1 0F, 2 0F38, 3 0F3A (or the VEX/EVEX map)
  uint8_t opcode = 0;       // the opcode byte in its map
  uint8_t opcode_at = 0;
  bool has_modrm = false;
  uint8_t modrm = 0, modrm_at = 0;
  uint8_t disp_at = 0, disp_size = 0;
  uint8_t imm_at = 0, imm_size = 0;
  bool operand_size_16 = false;  // 66 prefix
  bool address_size_32 = false;  // 67 prefix
  bool segment_fs_gs = false;    // 64 / 65 prefix
  bool rex_w = false;            // REX.W, VEX.W or EVEX.W
  // 16-bit operands: a 66 prefix without REX.W (which wins over it).
  bool operands_16() const { return operand_size_16 && !rex_w; }
  uint8_t r_ext = 0;             // 8 when REX.R / VEX.R / EVEX.R extends ModRM.reg
  int8_t v_reg = -1;             // VEX / EVEX .vvvv, the extra register, or -1

  uint8_t mod() const { return modrm >> 6; }
  uint8_t reg() const { return (modrm >> 3) & 7; }
  uint8_t rm() const { return modrm & 7; }
  // disp32(%rip)
  bool rip_relative() const { return has_modrm && mod() == 0 && rm() == 5; }
  // The ModRM reg field with REX.R / VEX.R: a register number 0-15.
  uint8_t reg_full() const { return uint8_t(reg() | r_ext); }
};

// Decodes the instruction at the start of `code`.
std::optional<Instruction> decode(std::span<const uint8_t> code);

} // namespace rtlink::x86_64
