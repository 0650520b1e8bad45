// arch/x86_64_far.cpp — rewriting instructions that reach outside the range
// (see x86_64_far.hpp for the forms and why).
//
// Register numbers are the encoding's: 0 rax, 1 rcx, 2 rdx, 3 rbx, 4 rsp,
// 5 rbp, 6 rsi, 7 rdi, 8-15 r8-r15.
#include "arch/x86_64_far.hpp"

#include "arch/x86_64_decode.hpp"
#include "support/bytes.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

namespace rtlink::x86_64 {

namespace {

constexpr uint8_t kRsp = 4, kR11 = 11;

std::string bytes_of(std::span<const uint8_t> b) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    if (!s.empty())
      s += ' ';
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

void put32(std::vector<uint8_t> &out, int32_t v) {
  uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}

// mov disp32(%rip), %reg64; returns the offset of disp32 in `out`.
int32_t emit_load_cell(std::vector<uint8_t> &out, uint8_t reg) {
  out.push_back(uint8_t(0x48 | ((reg >> 3) << 2)));  // REX.W (+R)
  out.push_back(0x8b);
  out.push_back(uint8_t(((reg & 7) << 3) | 5));
  int32_t at = int32_t(out.size());
  put32(out, 0);
  return at;
}

// jmp rel32 back to the instruction's end; returns the rel32's offset.
int32_t emit_jump_back(std::vector<uint8_t> &out) {
  out.push_back(0xe9);
  int32_t at = int32_t(out.size());
  put32(out, 0);
  return at;
}

// ModRM (and SIB / disp8) for the memory operand (%base), reg field `reg`.
void emit_base_operand(std::vector<uint8_t> &out, uint8_t reg, uint8_t base) {
  uint8_t r = uint8_t((reg & 7) << 3), b = base & 7;
  if (b == 4) {         // rsp / r12 as a base needs a SIB byte
    out.push_back(uint8_t(r | 4));
    out.push_back(0x24);
  } else if (b == 5) {  // rbp / r13 with mod 00 would mean disp32: use disp8 0
    out.push_back(uint8_t(0x40 | r | 5));
    out.push_back(0);
  } else {
    out.push_back(uint8_t(r | b));
  }
}

// One-byte opcodes with ModRM whose reg field selects the operation, not a register.
bool one_byte_group(uint8_t op) {
  return (op >= 0x80 && op <= 0x83) || op == 0x8f || op == 0xc0 || op == 0xc1 || op == 0xc6 ||
         op == 0xc7 || (op >= 0xd0 && op <= 0xdf) || op == 0xf6 || op == 0xf7 || op == 0xfe ||
         op == 0xff;
}

// Legacy 0F and 0F 38 opcodes whose reg field is a general register.
bool map1_gpr_reg(uint8_t op) {
  return (op >= 0x40 && op <= 0x4f) || op == 0x2c || op == 0x2d || op == 0xa3 ||
         op == 0xa4 || op == 0xa5 || op == 0xab || op == 0xac || op == 0xad || op == 0xaf ||
         (op >= 0xb0 && op <= 0xb8) || (op >= 0xbb && op <= 0xc1) || op == 0xc3;
}
bool map2_gpr_reg(uint8_t op) { return op == 0xf0 || op == 0xf1 || op == 0xf6; }
// VEX opcodes with a general register in reg or vvvv: BMI1/2 (map 2),
// vcvt*2si (map 1).
bool vex_gpr(uint8_t map, uint8_t op) {
  return (map == 2 && op >= 0xf2 && op <= 0xf7) || (map == 1 && (op == 0x2c || op == 0x2d));
}
// One-byte opcodes on 8-bit registers: without REX, reg 4 is %ah, not %rsp.
bool one_byte_8bit(uint8_t op) {
  return (op < 0x40 && (op & 7) <= 2 && (op & 1) == 0) || op == 0x84 || op == 0x86 ||
         op == 0x88 || op == 0x8a;
}

// Registers an instruction uses without naming them in ModRM.
std::vector<uint8_t> implicit_registers(const Instruction &in) {
  bool legacy = in.encoding == Instruction::Encoding::Legacy;
  if (legacy && in.map == 0 && (in.opcode == 0xf6 || in.opcode == 0xf7) && in.reg() >= 4)
    return {0, 2};  // mul, imul, div, idiv: rdx:rax
  if (legacy && in.map == 0 && (in.opcode == 0xd2 || in.opcode == 0xd3))
    return {1};  // shifts by %cl
  if (legacy && in.map == 1 && (in.opcode == 0xa5 || in.opcode == 0xad))
    return {1};  // shld / shrd by %cl
  if (legacy && in.map == 1 && (in.opcode == 0xb0 || in.opcode == 0xb1))
    return {0};  // cmpxchg
  if (legacy && in.map == 1 && in.opcode == 0xc7)
    return {0, 1, 2, 3};  // cmpxchg8b / 16b
  if (!legacy && in.map == 2 && in.opcode >= 0xf5 && in.opcode <= 0xf7)
    return {2};  // mulx, pdep, pext...: rdx
  return {};
}

// The instruction's bytes up to its ModRM with the base register's
// extension bit cleared (REX.B, or VEX / EVEX's inverted B set), then ModRM
// for (%base), then its immediate.
void emit_with_base(std::vector<uint8_t> &out, std::span<const uint8_t> insn, const Instruction &in,
                    uint8_t base) {
  size_t head = out.size();
  out.insert(out.end(), insn.begin(), insn.begin() + in.modrm_at);
  switch (in.encoding) {
  case Instruction::Encoding::Legacy:
    if (in.rex)
      out[head + in.rex_at] = uint8_t(in.rex & ~3u);  // X, B: no index, the base is ours
    break;
  case Instruction::Encoding::VEX2: break;  // B is 0 already
  case Instruction::Encoding::VEX3: out[head + in.vex_at + 1] |= 0x60; break;  // ~X, ~B
  case Instruction::Encoding::EVEX: out[head + in.vex_at + 1] |= 0x60; break;  // ~B, ~X
  }
  emit_base_operand(out, in.reg(), base);
  out.insert(out.end(), insn.begin() + in.imm_at, insn.begin() + in.imm_at + in.imm_size);
}

// The generic thunk: a register the instruction does not use holds the
// operand's address (put there by `load_address`, which returns the offset of
// its disp32 to the cell), saved below the red zone and restored after.
template <class Refuse, class LoadAddress>
Expected<FarPlan> with_borrowed_register(std::span<const uint8_t> insn, const Instruction &in,
                                         FarPlan plan, Refuse &&refuse, LoadAddress &&load_address) {
  const bool legacy = in.encoding == Instruction::Encoding::Legacy;
  const uint8_t op = in.opcode;
  // Any other instruction: a borrowed register as the base.
  std::vector<uint8_t> busy = implicit_registers(in);
  if (in.map == 0 && legacy && one_byte_group(op)) {
    // the reg field is part of the opcode
  } else {
    busy.push_back(in.reg_full());
  }
  if (in.v_reg >= 0)
    busy.push_back(uint8_t(in.v_reg));
  int scratch = -1;
  for (uint8_t r : {6, 7, 3, 1, 2, 0})
    if (std::find(busy.begin(), busy.end(), r) == busy.end()) {
      scratch = r;
      break;
    }
  if (scratch < 0)
    return refuse("leaves no register free to hold the address");
  const uint8_t x = uint8_t(scratch);
  static const uint8_t below_red_zone[] = {0x48, 0x8d, 0x64, 0x24, 0x80};  // lea -128(%rsp), %rsp
  static const uint8_t above_red_zone[] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
  append(plan.code, below_red_zone, sizeof below_red_zone);
  plan.code.push_back(uint8_t(0x50 | x));  // push
  plan.cell_disp = load_address(plan.code, x);
  emit_with_base(plan.code, insn, in, x);
  plan.code.push_back(uint8_t(0x58 | x));  // pop
  append(plan.code, above_red_zone, sizeof above_red_zone);
  plan.back = emit_jump_back(plan.code);
  return plan;
}

Expected<FarPlan> plan_instruction(std::span<const uint8_t> insn, const Instruction &in,
                                   uint64_t start, uint64_t site, EdgeKind kind, int64_t A) {
  FarPlan plan;
  plan.start = uint32_t(start);
  plan.length = in.length;
  const uint64_t field = site - start;
  const bool legacy = in.encoding == Instruction::Encoding::Legacy;
  auto refuse = [&](const std::string &why) {
    return make_error("the instruction (", bytes_of(insn), ") ", why);
  };

  // A function's address: a stub will do where nothing else can.
  auto stub_if_code = [&](const std::string &why) {
    plan.kind = FarPlan::Stub;
    plan.only_if_code = true;
    plan.refusal = "the instruction (" + bytes_of(insn) + ") " + why;
    return plan;
  };
  if ((kind == EdgeKind::Abs32 || kind == EdgeKind::Abs32S) && field == in.disp_at &&
      in.disp_size == 4 && !in.rip_relative()) {
    // sym+A(base, index, scale): the borrowed register gets base + index *
    // scale (lea with the displacement 0), then the address from the cell.
    if (in.address_size_32 || in.segment_fs_gs)
      return refuse("uses 32-bit addressing or an %fs / %gs segment");
    const bool sib = in.rm() == 4;
    const uint8_t sib_byte = sib ? insn[in.modrm_at + 1] : 0;
    if (sib && (sib_byte & 7) == 4 && !(in.rex & 1) && in.encoding == Instruction::Encoding::Legacy)
      return refuse("addresses memory relative to %rsp");
    if (in.encoding != Instruction::Encoding::Legacy)
      return refuse("uses a 32-bit absolute address in a VEX or EVEX memory operand");
    plan.kind = FarPlan::Thunk;
    plan.uses_cell = true;
    plan.cell_addend = A;
    auto load_address = [&](std::vector<uint8_t> &out, uint8_t x) {
      out.push_back(uint8_t(0x48 | (in.rex & 3)));  // REX.W, and the operand's X, B
      out.push_back(0x8d);                            // lea 0(base, index, scale), x
      out.push_back(uint8_t((in.modrm & 0xc7) | ((x & 7) << 3)));
      if (sib)
        out.push_back(sib_byte);
      out.insert(out.end(), 4, 0);
      out.push_back(uint8_t(0x48 | ((x >> 3) << 2)));  // add cell(%rip), x
      out.push_back(0x03);
      out.push_back(uint8_t(((x & 7) << 3) | 5));
      int32_t at = int32_t(out.size());
      out.insert(out.end(), 4, 0);
      return at;
    };
    return with_borrowed_register(insn, in, std::move(plan), refuse, load_address);
  }
  if (kind == EdgeKind::Abs32 || kind == EdgeKind::Abs32S) {
    if (field != in.imm_at || in.imm_size != 4)
      return refuse("uses a 32-bit absolute address as a memory operand, which cannot reach it");
    // mov $imm32, %r32 (B8+r) and mov $imm32, %r64 (REX.W C7 /0): movabs.
    int reg = -1;
    if (legacy && in.map == 0 && in.opcode >= 0xb8 && in.opcode <= 0xbf && !in.operands_16())
      reg = (in.opcode & 7) | ((in.rex & 1) << 3);
    else if (legacy && in.map == 0 && in.opcode == 0xc7 && in.mod() == 3 && in.reg() == 0 &&
             !in.operands_16())
      reg = in.rm() | ((in.rex & 1) << 3);
    // add / sub / cmp / and / or / xor / adc / sbb $imm32, %r64 (81 /op, or
    // 05-3D on %rax): the address in a borrowed register, then the same
    // operation register to register, with the same flags.
    int alu = -1, target = -1;
    if (legacy && in.map == 0 && in.rex_w && in.opcode == 0x81 && in.mod() == 3) {
      alu = in.reg();
      target = in.rm() | ((in.rex & 1) << 3);
    } else if (legacy && in.map == 0 && in.rex_w && (in.opcode & 0xc7) == 0x05 && in.opcode < 0x40) {
      alu = in.opcode >> 3;
      target = 0;
    }
    // movq $imm32, mem (REX.W C7 /0): movabs into a borrowed register, then
    // mov it to the same operand (a %rsp-relative one 136 bytes further: the
    // thunk moved the stack pointer by that much).
    if (legacy && in.map == 0 && in.opcode == 0xc7 && in.reg() == 0 && in.mod() != 3 &&
        in.rex_w && !in.rip_relative() && !in.address_size_32 && !in.segment_fs_gs) {
      const bool sib = in.rm() == 4;
      const uint8_t sib_byte = sib ? insn[in.modrm_at + 1] : 0;
      std::vector<uint8_t> busy;
      const bool no_base = in.mod() == 0 && ((sib && (sib_byte & 7) == 5) || (!sib && in.rm() == 5));
      if (!no_base)
        busy.push_back(uint8_t((sib ? sib_byte & 7 : in.rm()) | ((in.rex & 1) << 3)));
      if (sib && (((sib_byte >> 3) & 7) | ((in.rex & 2) << 2)) != 4)
        busy.push_back(uint8_t(((sib_byte >> 3) & 7) | ((in.rex & 2) << 2)));
      const bool rsp_base = sib && !no_base && (sib_byte & 7) == 4 && !(in.rex & 1);
      int x = -1;
      for (int r : {6, 7, 3, 1, 2, 0})
        if (std::find(busy.begin(), busy.end(), r) == busy.end()) {
          x = r;
          break;
        }
      plan.kind = FarPlan::Thunk;
      static const uint8_t below[] = {0x48, 0x8d, 0x64, 0x24, 0x80};
      static const uint8_t above[] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
      append(plan.code, below, sizeof below);
      plan.code.push_back(uint8_t(0x50 | x));
      plan.code.push_back(0x48);
      plan.code.push_back(uint8_t(0xb8 | x));
      plan.imm64 = int32_t(plan.code.size());
      plan.code.insert(plan.code.end(), 8, 0);
      plan.code.push_back(uint8_t(0x48 | (in.rex & 3)));  // mov %x, mem
      plan.code.push_back(0x89);
      uint8_t modrm = uint8_t((in.modrm & 0xc7) | (x << 3));
      if (rsp_base) {
        int64_t disp = in.mod() == 1 ? int8_t(insn[in.disp_at])
                     : in.mod() == 2 ? int32_t(insn[in.disp_at] | insn[in.disp_at + 1] << 8 |
                                               insn[in.disp_at + 2] << 16 | uint32_t(insn[in.disp_at + 3]) << 24)
                                     : 0;
        disp += 136;
        plan.code.push_back(uint8_t((modrm & 0x3f) | 0x80));  // mod 10: disp32
        plan.code.push_back(sib_byte);
        put32(plan.code, int32_t(disp));
      } else {
        plan.code.insert(plan.code.end(), insn.begin() + in.modrm_at + 0, insn.begin() + in.modrm_at + 1);
        plan.code.back() = modrm;
        plan.code.insert(plan.code.end(), insn.begin() + in.modrm_at + 1, insn.begin() + in.imm_at);
      }
      plan.code.push_back(uint8_t(0x58 | x));
      append(plan.code, above, sizeof above);
      plan.back = emit_jump_back(plan.code);
      return plan;
    }
    if (alu >= 0 && target != kRsp) {
      plan.kind = FarPlan::Thunk;
      int x = -1;
      for (int r : {6, 7, 3, 1, 2, 0})
        if (r != target) {
          x = r;
          break;
        }
      static const uint8_t below_red_zone[] = {0x48, 0x8d, 0x64, 0x24, 0x80};
      static const uint8_t above_red_zone[] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
      append(plan.code, below_red_zone, sizeof below_red_zone);
      plan.code.push_back(uint8_t(0x50 | x));          // push x
      plan.code.push_back(0x48);                       // movabs $S+A, x
      plan.code.push_back(uint8_t(0xb8 | x));
      plan.imm64 = int32_t(plan.code.size());
      plan.code.insert(plan.code.end(), 8, 0);
      plan.code.push_back(uint8_t(0x48 | ((target >> 3) & 1)));  // OP %x, %target
      plan.code.push_back(uint8_t((alu << 3) | 1));
      plan.code.push_back(uint8_t(0xc0 | (x << 3) | (target & 7)));
      plan.code.push_back(uint8_t(0x58 | x));          // pop x
      append(plan.code, above_red_zone, sizeof above_red_zone);
      plan.back = emit_jump_back(plan.code);
      return plan;
    }
    if (reg < 0) {
      if (A != 0)  // a stub stands for the function's start only
        return refuse("takes a 32-bit absolute address past a function's start");
      return stub_if_code("takes a 32-bit absolute address, which cannot hold it");
    }
    plan.kind = FarPlan::Thunk;
    plan.code.push_back(uint8_t(0x48 | (reg >> 3)));
    plan.code.push_back(uint8_t(0xb8 | (reg & 7)));
    plan.imm64 = int32_t(plan.code.size());
    plan.code.insert(plan.code.end(), 8, 0);
    plan.back = emit_jump_back(plan.code);
    return plan;
  }

  // PCRel32 from here on.
  if (legacy && field == in.imm_at && in.imm_size == 4 &&
      ((in.map == 0 && (in.opcode == 0xe8 || in.opcode == 0xe9)) ||
       (in.map == 1 && in.opcode >= 0x80 && in.opcode <= 0x8f))) {
    plan.kind = FarPlan::Stub;  // a call or jump: through a stub, like calls
    return plan;
  }
  if (!in.rip_relative() || field != in.disp_at)
    return refuse("has the reference where no rip-relative operand is");
  if (in.address_size_32)
    return refuse("uses 32-bit addressing (a 67 prefix)");
  if (in.segment_fs_gs)
    return refuse("has an %fs or %gs segment override");
  plan.uses_cell = true;
  // The operand's address is the end of the instruction plus disp32, where
  // disp32 = S + A - P: S + A + (end - P). The cell holds it.
  plan.cell_addend = A + int64_t(in.length - in.disp_at);

  const uint8_t op = in.opcode;
  if (legacy && in.map == 0 && op == 0x8d) {
    if (!in.rex_w)
      return refuse("computes an address narrower than 64 bits");
    plan.kind = FarPlan::LoadFromCell;
    plan.opcode_at = uint32_t(start + in.opcode_at);
    plan.opcode = 0x8b;
    plan.cell_field_addend = -int64_t(in.length - in.disp_at);
    return plan;
  }
  plan.kind = FarPlan::Thunk;

  // A load into a general register (mov, movzx, movsx, movsxd), 32 or 64
  // bits wide: the register is free to hold the address first.
  const bool load = legacy && !in.operands_16() &&
                    ((in.map == 0 && op == 0x8b) || (in.map == 0 && op == 0x63 && in.rex_w) ||
                     (in.map == 1 && (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf)));
  if (load && in.reg_full() != kRsp) {
    const uint8_t d = in.reg_full();
    plan.cell_disp = emit_load_cell(plan.code, d);
    plan.code.insert(plan.code.end(), insn.begin(), insn.begin() + in.prefixes);
    uint8_t rex = uint8_t((in.rex ? in.rex : 0x40) & ~3u);  // no X, B
    rex |= uint8_t(d >> 3);                                  // B: the base is d
    if (in.rex || rex != 0x40)
      plan.code.push_back(rex);
    size_t escapes = in.rex ? in.rex_at + 1u : in.prefixes;
    plan.code.insert(plan.code.end(), insn.begin() + escapes, insn.begin() + in.modrm_at);
    emit_base_operand(plan.code, d, d);
    plan.back = emit_jump_back(plan.code);
    return plan;
  }

  // call *sym(%rip) / jmp *sym(%rip): through %r11. A call calls the thunk
  // (the return address stays in the caller, whose unwind information covers
  // it), and the thunk jumps on.
  if (legacy && in.map == 0 && op == 0xff && (in.reg() == 2 || in.reg() == 4)) {
    plan.cell_disp = emit_load_cell(plan.code, kR11);
    plan.code.push_back(0x41);
    plan.code.push_back(0xff);
    plan.code.push_back(0x23);  // jmp *(%r11)
    plan.call_thunk = in.reg() == 2;
    return plan;
  }
  if (legacy && in.map == 0 && ((op == 0xff && in.reg() >= 2) || op == 0x8f))
    return refuse("moves the stack pointer (push, pop, call or jmp far)");
  // The thunk moves the stack pointer: an instruction that names it would see
  // another value.
  const bool names_rsp =
      legacy ? in.reg_full() == kRsp &&
                   ((in.map == 0 && !one_byte_group(op) && (in.rex || !one_byte_8bit(op))) ||
                    (in.map == 1 && map1_gpr_reg(op)) || (in.map == 2 && map2_gpr_reg(op)))
             : vex_gpr(in.map, op) && (in.reg_full() == kRsp || in.v_reg == kRsp);
  if (names_rsp)
    return refuse("uses %rsp as an operand");

  return with_borrowed_register(insn, in, std::move(plan), refuse, emit_load_cell);
}

} // namespace

Expected<FarPlan> plan_far_reference(std::span<const uint8_t> section, bool executable,
                                     std::span<const uint64_t> starts, uint64_t site,
                                     EdgeKind kind, int64_t addend) {
  if (!executable) {
    if (addend != 0)  // a stub stands for the function's start only
      return make_error("a 32-bit field in data holds an address past its start (addend ",
                        addend, "), and no stub can stand for that");
    FarPlan plan;
    plan.kind = FarPlan::Stub;
    plan.only_if_code = true;
    plan.refusal = "a 32-bit field in data cannot hold its address";
    return plan;
  }
  // The reason from the nearest start that reached the site, which is the
  // most likely to have decoded the code as the compiler laid it out.
  std::optional<Error> why;
  for (uint64_t from : starts) {
    if (from > site)
      continue;
    uint64_t p = from;
    while (p <= site) {
      auto in = decode(section.subspan(p));
      if (!in)
        break;
      if (p + in->length > site) {
        auto plan = plan_instruction(section.subspan(p, in->length), *in, p, site, kind, addend);
        if (plan)
          return plan;
        if (!why)
          why = plan.take_error();
        break;
      }
      p += in->length;
    }
  }
  if (why)
    return std::move(*why);
  return make_error("no instruction could be decoded around it");
}

// A 32-bit field reaches S from every address in the range?
bool far_reference(EdgeKind kind, uint64_t target, uint64_t base, uint64_t size) {
  const int64_t lim = int64_t(1) << 31;
  switch (kind) {
  case EdgeKind::Abs32: return target >= (uint64_t(1) << 32);
  case EdgeKind::Abs32S: return int64_t(target) < -lim || int64_t(target) >= lim;
  case EdgeKind::PCRel32: {
    const int64_t lo = int64_t(target - base);
    const int64_t hi = int64_t(target - (base + size));
    return !(lo < lim - 16 && hi >= -lim + 16);
  }
  case EdgeKind::ImageRel32: return !(target >= base && target - base < (uint64_t(1) << 32));
  default: return false;
  }
}

Overflow write_far(const FarPlan &p, uint8_t *thunk, uint64_t thunk_at, uint8_t *insn,
                   uint64_t insn_at, uint64_t cell) {
  auto rel32 = [&](int32_t off, uint64_t to) {
    int32_t v = int32_t(int64_t(to) - int64_t(thunk_at + uint64_t(off) + 4));
    std::memcpy(thunk + off, &v, 4);
  };
  if (p.cell_disp >= 0)
    rel32(p.cell_disp, cell);
  if (p.back >= 0)
    rel32(p.back, insn_at + p.length);
  // In the instruction's place, a jump (or call) to the thunk padded: after
  // a call the thunk returns to the next byte (nops); after a jump, never.
  insn[0] = p.call_thunk ? 0xe8 : 0xe9;
  int32_t jump = int32_t(int64_t(thunk_at) - int64_t(insn_at + 5));
  std::memcpy(insn + 1, &jump, 4);
  std::memset(insn + 5, p.call_thunk ? 0x90 : 0xcc, p.length - 5);
  return {};
}

} // namespace rtlink::x86_64
