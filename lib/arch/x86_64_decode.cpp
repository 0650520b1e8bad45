// arch/x86_64_decode.cpp — instruction lengths and parts, from the opcode
// maps of the Intel SDM volume 2 (appendix A), 64-bit mode only.
//
// An instruction is: legacy prefixes, then REX or a VEX (C4/C5) or EVEX (62)
// prefix, then the opcode (after 0F, 0F 38 or 0F 3A escapes in legacy
// encoding), then ModRM (and SIB, displacement) if the opcode has one, then
// an immediate whose size the opcode gives. The tables below say, per map,
// which opcodes have ModRM and how large their immediate is.
#include "arch/x86_64_decode.hpp"

#include <array>

namespace rtlink::x86_64 {

namespace {

// Immediate sizes. `Z` is 4 bytes (2 with a 66 prefix); `V` is 4, or 8 with
// REX.W (mov $imm, %reg: B8+r); `M` is a memory offset (8, or 4 with 67);
// `G` depends on the ModRM reg field (F6/F7: only TEST has one).
enum Imm : uint8_t { N = 0, B1 = 1, W2 = 2, W3 = 3, Z = 4, V = 5, M = 6, G = 7, Bad = 8 };

struct OneByte {
  bool modrm;
  Imm imm;
};

constexpr std::array<OneByte, 256> one_byte_map() {
  std::array<OneByte, 256> t{};
  for (auto &e : t)
    e = {false, N};
  // The eight ALU groups 00-3F: r/m forms have ModRM, then AL,imm8 and eAX,immZ.
  for (int base = 0; base < 0x40; base += 8) {
    for (int k = 0; k < 4; ++k)
      t[base + k] = {true, N};
    t[base + 4] = {false, B1};
    t[base + 5] = {false, Z};
  }
  for (int op : {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f})
    t[op] = {false, Bad};
  t[0x60] = t[0x61] = {false, Bad};
  t[0x63] = {true, N};   // movsxd
  t[0x68] = {false, Z};  // push imm
  t[0x69] = {true, Z};   // imul r, r/m, imm
  t[0x6a] = {false, B1};
  t[0x6b] = {true, B1};
  for (int op = 0x70; op <= 0x7f; ++op)
    t[op] = {false, B1};  // jcc rel8
  t[0x80] = {true, B1};
  t[0x81] = {true, Z};
  t[0x82] = {false, Bad};
  t[0x83] = {true, B1};
  for (int op = 0x84; op <= 0x8f; ++op)
    t[op] = {true, N};  // test, xchg, mov, lea, mov sreg, pop r/m
  t[0x9a] = {false, Bad};
  for (int op = 0xa0; op <= 0xa3; ++op)
    t[op] = {false, M};  // mov moffs
  t[0xa8] = {false, B1};
  t[0xa9] = {false, Z};
  for (int op = 0xb0; op <= 0xb7; ++op)
    t[op] = {false, B1};
  for (int op = 0xb8; op <= 0xbf; ++op)
    t[op] = {false, V};
  t[0xc0] = t[0xc1] = {true, B1};
  t[0xc2] = {false, W2};
  t[0xc6] = {true, B1};
  t[0xc7] = {true, Z};
  t[0xc8] = {false, W3};  // enter imm16, imm8
  t[0xca] = {false, W2};
  t[0xcd] = {false, B1};
  t[0xce] = {false, Bad};
  for (int op = 0xd0; op <= 0xd3; ++op)
    t[op] = {true, N};
  t[0xd4] = t[0xd5] = t[0xd6] = {false, Bad};
  for (int op = 0xd8; op <= 0xdf; ++op)
    t[op] = {true, N};  // x87
  for (int op = 0xe0; op <= 0xe7; ++op)
    t[op] = {false, B1};  // loop, jrcxz, in, out
  t[0xe8] = t[0xe9] = {false, Z};  // call, jmp rel32
  t[0xea] = {false, Bad};
  t[0xeb] = {false, B1};
  t[0xf6] = t[0xf7] = {true, G};
  t[0xfe] = t[0xff] = {true, N};
  return t;
}

constexpr auto kOneByte = one_byte_map();

// 0F xx: ModRM for all but these.
constexpr bool map1_has_modrm(uint8_t op) {
  switch (op) {
  case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b: case 0x0e:
  case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x37:
  case 0x77: case 0xa0: case 0xa1: case 0xa2: case 0xa8: case 0xa9: case 0xaa:
    return false;
  default:
    return !(op >= 0x80 && op <= 0x8f) && !(op >= 0xc8 && op <= 0xcf);
  }
}

// 0F xx with an 8-bit immediate (VEX / EVEX map 1 too).
constexpr bool map1_imm8(uint8_t op) {
  return (op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac || op == 0xba || op == 0xc2 ||
         op == 0xc4 || op == 0xc5 || op == 0xc6;
}

bool is_legacy_prefix(uint8_t b) {
  switch (b) {
  case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
  case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
    return true;
  default:
    return false;
  }
}

} // namespace

std::optional<Instruction> decode(std::span<const uint8_t> code) {
  Instruction in;
  size_t p = 0;
  auto have = [&](size_t n) { return p + n <= code.size() && p + n <= 15; };
  // Legacy prefixes; a REX followed by another prefix is ignored by the CPU.
  for (;;) {
    if (!have(1))
      return std::nullopt;
    uint8_t b = code[p];
    if (is_legacy_prefix(b)) {
      in.operand_size_16 |= b == 0x66;
      in.address_size_32 |= b == 0x67;
      in.segment_fs_gs |= b == 0x64 || b == 0x65;
      in.rex = 0;
      ++p;
      in.prefixes = uint8_t(p);
      continue;
    }
    if ((b & 0xf0) == 0x40) {
      in.rex = b;
      in.rex_at = uint8_t(p);
      ++p;
      continue;
    }
    break;
  }
  if (in.rex && size_t(in.rex_at) + 1 != p)
    in.rex = 0;
  in.rex_w = (in.rex & 8) != 0;
  in.r_ext = uint8_t((in.rex & 4) << 1);
  uint8_t b = code[p];
  bool vex_like = false;
  if (b == 0xc4 || b == 0xc5 || b == 0x62) {
    if (in.rex)
      return std::nullopt;  // REX before VEX/EVEX is invalid
    in.vex_at = uint8_t(p);
    vex_like = true;
    if (b == 0xc5) {
      if (!have(3))
        return std::nullopt;
      in.encoding = Instruction::Encoding::VEX2;
      in.map = 1;
      in.r_ext = (code[p + 1] & 0x80) ? 0 : 8;
      in.v_reg = int8_t((~code[p + 1] >> 3) & 15);
      p += 2;
    } else if (b == 0xc4) {
      if (!have(4))
        return std::nullopt;
      in.encoding = Instruction::Encoding::VEX3;
      in.map = code[p + 1] & 0x1f;
      in.rex_w = (code[p + 2] & 0x80) != 0;
      in.r_ext = (code[p + 1] & 0x80) ? 0 : 8;
      in.v_reg = int8_t((~code[p + 2] >> 3) & 15);
      p += 3;
    } else {
      if (!have(5))
        return std::nullopt;
      in.encoding = Instruction::Encoding::EVEX;
      in.map = code[p + 1] & 0x07;
      in.rex_w = (code[p + 2] & 0x80) != 0;
      in.r_ext = (code[p + 1] & 0x80) ? 0 : 8;
      in.v_reg = int8_t((~code[p + 2] >> 3) & 15);
      p += 4;
    }
    if (in.map < 1 || in.map > 6 || in.map == 4)
      return std::nullopt;
  } else if (b == 0x0f) {
    if (!have(2))
      return std::nullopt;
    ++p;
    in.map = 1;
    if (code[p] == 0x38 || code[p] == 0x3a) {
      in.map = code[p] == 0x38 ? 2 : 3;
      ++p;
    }
  }
  if (!have(1))
    return std::nullopt;
  in.opcode_at = uint8_t(p);
  in.opcode = code[p++];

  unsigned imm = 0;
  if (vex_like) {
    // Every VEX / EVEX instruction has ModRM but vzeroupper / vzeroall.
    in.has_modrm = !(in.map == 1 && in.opcode == 0x77 && in.encoding != Instruction::Encoding::EVEX);
    if (in.map == 3 || (in.map == 1 && map1_imm8(in.opcode)))
      imm = 1;
  } else if (in.map == 0) {
    const OneByte &e = kOneByte[in.opcode];
    switch (e.imm) {
    case Bad: return std::nullopt;
    case N: break;
    case B1: imm = 1; break;
    case W2: imm = 2; break;
    case W3: imm = 3; break;
    case Z: imm = in.operands_16() ? 2 : 4; break;
    case V: imm = in.rex_w ? 8 : in.operands_16() ? 2 : 4; break;
    case M: imm = in.address_size_32 ? 4 : 8; break;
    case G: break;  // decided by ModRM below
    }
    // E8 / E9 take a 32-bit displacement whatever the operand size.
    if (in.opcode == 0xe8 || in.opcode == 0xe9)
      imm = 4;
    in.has_modrm = e.modrm;
  } else if (in.map == 1) {
    in.has_modrm = map1_has_modrm(in.opcode);
    if (in.opcode >= 0x80 && in.opcode <= 0x8f)
      imm = 4;  // jcc rel32
    else if (map1_imm8(in.opcode) || in.opcode == 0x0f)  // 0F 0F: 3DNow!'s suffix byte
      imm = 1;
  } else {
    in.has_modrm = true;
    imm = in.map == 3 ? 1 : 0;
  }

  if (in.has_modrm) {
    if (!have(1))
      return std::nullopt;
    in.modrm_at = uint8_t(p);
    in.modrm = code[p++];
    if (in.mod() != 3) {
      unsigned disp = in.mod() == 1 ? 1 : in.mod() == 2 ? 4 : 0;
      if (in.rm() == 4) {
        if (!have(1))
          return std::nullopt;
        uint8_t sib = code[p++];
        if (in.mod() == 0 && (sib & 7) == 5)
          disp = 4;
      } else if (in.mod() == 0 && in.rm() == 5) {
        disp = 4;  // RIP-relative
      }
      in.disp_at = uint8_t(p);
      in.disp_size = uint8_t(disp);
      p += disp;
    }
    if (!vex_like && in.map == 0 && (in.opcode == 0xf6 || in.opcode == 0xf7) && in.reg() <= 1)
      imm = in.opcode == 0xf6 ? 1 : in.operands_16() ? 2 : 4;
  }
  in.imm_at = uint8_t(p);
  in.imm_size = uint8_t(imm);
  p += imm;
  if (p > code.size() || p > 15)
    return std::nullopt;
  in.length = uint8_t(p);
  return in;
}

} // namespace rtlink::x86_64
