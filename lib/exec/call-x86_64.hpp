// exec/call-x86_64.hpp — calling loaded code with arguments chosen at run time.
//
// System V assigns integer and floating-point arguments to registers by
// class (rdi, rsi, rdx, rcx, r8, r9; xmm0..xmm7), each class counted apart,
// so one call through a prototype taking 6 integers and 8 doubles places up
// to that many arguments of each class where any such function expects them.
// The Microsoft convention assigns them by position (the first four in rcx,
// rdx, r8, r9 or xmm0..xmm3 by type, the rest on the stack, where type no
// longer matters): one prototype per mix of types in the first four.
#pragma once

#include <rtlink/error.hpp>
#include <rtlink/executor.hpp>

#include <span>

namespace rtlink {

// `addr` is a function of this process. Bytes arguments must already have
// been turned into pointers (Int) by the caller.
Expected<int64_t> call_with_args(uint64_t addr, CallConv conv, std::span<const CallArg> args);

} // namespace rtlink
