// exec/call-aarch64.cpp — the executor on aarch64 (exec/native.hpp): AAPCS64
// calls, with arguments chosen at run time, and instruction-cache
// maintenance after code is written.
#include "exec/native.hpp"

namespace rtlink {

namespace {

Error refuse(CallConv conv) {
  return refuse_unless(conv == CallConv::AAPCS64, conv, Arch::AArch64, "AAPCS64 only");
}

// Integers in x0..x7 and doubles in d0..d7, each class counted apart: a
// function taking fewer of either finds its own where this call put them.
// R is the result's type: int64_t (x0) or double (d0).
template <class R>
using AapcsFn = R (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                      double, double, double, double, double, double, double, double);

template <class R>
Expected<R> call_args(uint64_t addr, CallConv conv, std::span<const CallArg> args) {
  if (Error e = refuse(conv))
    return e;
  auto a = args_by_class<8, 8>(args);
  if (!a)
    return a.take_error();
  const int64_t *i = a->i;
  const double *d = a->d;
  return reinterpret_cast<AapcsFn<R>>(addr)(i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7], d[0],
                                            d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
}

} // namespace

Arch native_arch() { return Arch::AArch64; }

Error call_void(uint64_t addr, CallConv conv) {
  if (Error e = refuse(conv))
    return e;
  reinterpret_cast<void (*)()>(addr)();
  return Error::success();
}

Expected<int> call_int(uint64_t addr, CallConv conv) {
  if (Error e = refuse(conv))
    return e;
  return reinterpret_cast<int (*)()>(addr)();
}

Expected<int> call_main(uint64_t addr, int argc, char **argv, CallConv conv) {
  if (Error e = refuse(conv))
    return e;
  return reinterpret_cast<int (*)(int, char **)>(addr)(argc, argv);
}

Expected<int64_t> call_with_args(uint64_t addr, CallConv conv, std::span<const CallArg> args) {
  return call_args<int64_t>(addr, conv, args);
}

Expected<double> call_double_with_args(uint64_t addr, CallConv conv, std::span<const CallArg> args) {
  return call_args<double>(addr, conv, args);
}

// Instruction fetch does not see stores by itself: the data cache lines are
// cleaned to the point of unification and the instruction cache lines
// invalidated (what the compiler's builtin does on Linux, from user space).
void sync_instruction_cache(uint64_t addr, uint64_t size) {
  __builtin___clear_cache(reinterpret_cast<char *>(addr), reinterpret_cast<char *>(addr + size));
}

} // namespace rtlink
