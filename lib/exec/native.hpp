// exec/native.hpp — what the executor does that depends on the instruction
// set it runs on: calling loaded code in this instruction set's conventions,
// and making code written into memory visible to instruction fetch. One file
// per instruction set defines these (exec/call-x86_64.cpp,
// exec/call-aarch64.cpp), picked by meson from host_machine.cpu_family().
//
// x86-64: System V assigns integer and floating-point arguments to registers
// by class (rdi, rsi, rdx, rcx, r8, r9; xmm0..xmm7), each class counted
// apart, so one call through a prototype taking 6 integers and 8 doubles
// places up to that many arguments of each class where any such function
// expects them. The Microsoft convention assigns them by position (the first
// four in rcx, rdx, r8, r9 or xmm0..xmm3 by type, the rest on the stack,
// where type no longer matters): one prototype per mix of types in the first
// four.
//
// aarch64: AAPCS64 counts its classes apart as System V does (x0..x7,
// d0..d7): one prototype taking 8 integers and 8 doubles.
#pragma once

#include <rtlink/error.hpp>
#include <rtlink/executor.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace rtlink {

// The instruction set this process runs (the executor's arch(), and what its
// handshake says).
Arch native_arch();

// A convention's name, for messages: "System V", "Microsoft x64", "AAPCS64".
inline const char *convention_name(CallConv conv) {
  switch (conv) {
  case CallConv::SysV: return "System V";
  case CallConv::Microsoft: return "Microsoft x64";
  case CallConv::AAPCS64: return "AAPCS64";
  }
  return "an unknown";
}

// The convention of a process's own functions: AAPCS64 on aarch64; on
// x86-64, Microsoft x64 in a Windows process and System V elsewhere.
inline CallConv native_convention_of(Arch arch, bool windows) {
  if (arch == Arch::AArch64)
    return CallConv::AAPCS64;
  return windows ? CallConv::Microsoft : CallConv::SysV;
}

// `conv` is one of the conventions this instruction set has (`ok`), or an
// error naming it, the instruction set and `accepted`.
inline Error refuse_unless(bool ok, CallConv conv, Arch arch, const char *accepted) {
  if (ok)
    return Error::success();
  return make_error("cannot call with the ", convention_name(conv), " convention on ",
                    arch_name(arch), " (", accepted, ")");
}

inline double as_double(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

// The arguments of a convention that counts integers and doubles apart
// (System V, AAPCS64), each class in order, the rest zero; an error when a
// class has more than its NI or ND registers.
template <size_t NI, size_t ND> struct ArgsByClass {
  int64_t i[NI] = {};
  double d[ND] = {};
};
template <size_t NI, size_t ND>
Expected<ArgsByClass<NI, ND>> args_by_class(std::span<const CallArg> args) {
  ArgsByClass<NI, ND> out;
  size_t ni = 0, nd = 0;
  for (const CallArg &a : args)
    (a.kind == CallArg::Float ? nd : ni)++;
  if (ni > NI || nd > ND)
    return make_error("at most ", NI, " integer and ", ND,
                      " floating-point arguments can be passed (", ni, " and ", nd, " given)");
  ni = nd = 0;
  for (const CallArg &a : args) {
    if (a.kind == CallArg::Float)
      out.d[nd++] = as_double(a.bits);
    else
      out.i[ni++] = int64_t(a.bits);
  }
  return out;
}

// Calls of functions of this process with a convention this instruction set
// has; any other convention is refused (nothing is called), naming it and
// the instruction set. `call_with_args` and `call_double_with_args` (the
// same, for a function returning double): Bytes arguments must already have
// been turned into pointers (Int) by the caller.
Error call_void(uint64_t addr, CallConv conv);                        // void f(void)
Expected<int> call_int(uint64_t addr, CallConv conv);                 // int f(void)
Expected<int> call_main(uint64_t addr, int argc, char **argv, CallConv conv);
Expected<int64_t> call_with_args(uint64_t addr, CallConv conv, std::span<const CallArg> args);
Expected<double> call_double_with_args(uint64_t addr, CallConv conv, std::span<const CallArg> args);

// Code was written at [addr, addr + size) and is about to run: the
// instruction cache is made coherent with what was written (nothing to do on
// x86-64, whose caches are; aarch64 cleans and invalidates the lines).
void sync_instruction_cache(uint64_t addr, uint64_t size);

} // namespace rtlink
