// exec/call-x86_64.cpp — the executor on x86-64 (exec/native.hpp): System V
// and Microsoft x64 calls, with arguments chosen at run time.
#include "exec/native.hpp"

#include <type_traits>
#include <utility>

namespace rtlink {

namespace {

// The compiler makes Microsoft x64 calls (rcx, rdx, ...; shadow space) through these.
using MsVoidFn = void(__attribute__((ms_abi)) *)();
using MsIntFn = int(__attribute__((ms_abi)) *)();
using MsMainFn = int(__attribute__((ms_abi)) *)(int, char **);

Error refuse(CallConv conv) {
  return refuse_unless(conv == CallConv::SysV || conv == CallConv::Microsoft, conv, Arch::X86_64,
                       "System V or Microsoft x64 only");
}

// R is the result's type: int64_t (rax) or double (xmm0).
template <class R>
using SysVFn = R (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double, double, double,
                     double, double, double, double, double);

template <class R> R call_sysv(uint64_t addr, const ArgsByClass<6, 8> &a) {
  const int64_t *i = a.i;
  const double *d = a.d;
  return reinterpret_cast<SysVFn<R>>(addr)(i[0], i[1], i[2], i[3], i[4], i[5], d[0], d[1], d[2],
                                           d[3], d[4], d[5], d[6], d[7]);
}

// Position k of the first four is an integer (I) or a double (D); positions
// 4..7 go on the stack as 8-byte values of either kind.
template <class R, class A, class B, class C, class E>
R ms4(uint64_t addr, const uint64_t *v) {
  using Fn = R(__attribute__((ms_abi)) *)(A, B, C, E, uint64_t, uint64_t, uint64_t, uint64_t);
  auto arg = [&](auto tag, int k) {
    if constexpr (std::is_same_v<decltype(tag), double>)
      return as_double(v[k]);
    else
      return int64_t(v[k]);
  };
  return reinterpret_cast<Fn>(addr)(arg(A{}, 0), arg(B{}, 1), arg(C{}, 2), arg(E{}, 3), v[4], v[5],
                                    v[6], v[7]);
}

template <class R, unsigned Mask> R ms_dispatch(uint64_t addr, const uint64_t *v) {
  using T0 = std::conditional_t<(Mask & 1) != 0, double, int64_t>;
  using T1 = std::conditional_t<(Mask & 2) != 0, double, int64_t>;
  using T2 = std::conditional_t<(Mask & 4) != 0, double, int64_t>;
  using T3 = std::conditional_t<(Mask & 8) != 0, double, int64_t>;
  return ms4<R, T0, T1, T2, T3>(addr, v);
}

template <class R, unsigned... M>
R ms_table(unsigned mask, uint64_t addr, const uint64_t *v, std::integer_sequence<unsigned, M...>) {
  using Fn = R (*)(uint64_t, const uint64_t *);
  static constexpr Fn table[] = {&ms_dispatch<R, M>...};
  return table[mask](addr, v);
}

template <class R> R call_ms(uint64_t addr, std::span<const CallArg> args) {
  uint64_t v[8] = {};
  unsigned mask = 0;
  for (size_t k = 0; k < args.size(); ++k) {
    v[k] = args[k].bits;
    if (k < 4 && args[k].kind == CallArg::Float)
      mask |= 1u << k;
  }
  return ms_table<R>(mask, addr, v, std::make_integer_sequence<unsigned, 16>{});
}

template <class R>
Expected<R> call_args(uint64_t addr, CallConv conv, std::span<const CallArg> args) {
  if (Error e = refuse(conv))
    return e;
  if (conv == CallConv::Microsoft) {
    if (args.size() > 8)
      return make_error("at most 8 arguments can be passed (", args.size(), " given)");
    return call_ms<R>(addr, args);
  }
  auto a = args_by_class<6, 8>(args);
  if (!a)
    return a.take_error();
  return call_sysv<R>(addr, *a);
}

} // namespace

Arch native_arch() { return Arch::X86_64; }

Error call_void(uint64_t addr, CallConv conv) {
  if (Error e = refuse(conv))
    return e;
  if (conv == CallConv::Microsoft)
    reinterpret_cast<MsVoidFn>(addr)();
  else
    reinterpret_cast<void (*)()>(addr)();
  return Error::success();
}

Expected<int> call_int(uint64_t addr, CallConv conv) {
  if (Error e = refuse(conv))
    return e;
  if (conv == CallConv::Microsoft)
    return reinterpret_cast<MsIntFn>(addr)();
  return reinterpret_cast<int (*)()>(addr)();
}

Expected<int> call_main(uint64_t addr, int argc, char **argv, CallConv conv) {
  if (Error e = refuse(conv))
    return e;
  if (conv == CallConv::Microsoft)
    return reinterpret_cast<MsMainFn>(addr)(argc, argv);
  return reinterpret_cast<int (*)(int, char **)>(addr)(argc, argv);
}

Expected<int64_t> call_with_args(uint64_t addr, CallConv conv, std::span<const CallArg> args) {
  return call_args<int64_t>(addr, conv, args);
}

Expected<double> call_double_with_args(uint64_t addr, CallConv conv, std::span<const CallArg> args) {
  return call_args<double>(addr, conv, args);
}

// x86-64 keeps instruction fetch coherent with stores by itself.
void sync_instruction_cache(uint64_t, uint64_t) {}

} // namespace rtlink
