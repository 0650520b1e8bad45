// platform/unwind-posix.cpp — libgcc's frame registry and the C++ ABI's
// per-DSO atexit list.
#include "platform/platform.hpp"

extern "C" {
void __register_frame(void *begin);
void __deregister_frame(void *begin);
void __cxa_finalize(void *dso_handle);
}

namespace rtlink::platform {

// `addr` is the start of a whole .eh_frame, ended by a zero length word.
void register_eh_frame(uint64_t addr) { __register_frame(reinterpret_cast<void *>(addr)); }
void deregister_eh_frame(uint64_t addr) { __deregister_frame(reinterpret_cast<void *>(addr)); }

// Runs (and forgets) what __cxa_atexit registered with this __dso_handle.
void run_atexit_handlers(uint64_t dso_handle) {
  run_thread_local_destructors(dso_handle);  // as exit runs them: thread_local first
  __cxa_finalize(reinterpret_cast<void *>(dso_handle));
}

// COFF code in a POSIX process unwinds nowhere the system knows of: its
// .pdata has no reader here.
Error add_function_tables(std::span<const Executor::FunctionTable>) { return Error::success(); }
void delete_function_tables(std::span<const uint64_t>) {}

} // namespace rtlink::platform
