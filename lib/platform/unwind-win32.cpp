// platform/unwind-win32.cpp — Windows unwinds through .pdata, registered with
// RtlAddFunctionTable: SEH and C++ exceptions then pass through loaded code.
// DWARF frame tables of ELF code have no use here, and there is no
// __cxa_atexit of loaded units to run.
#include "platform/platform.hpp"

#include <windows.h>

namespace rtlink::platform {

void register_eh_frame(uint64_t) {}
void deregister_eh_frame(uint64_t) {}
void run_atexit_handlers(uint64_t) {}

Error add_function_table(uint64_t table, uint32_t count, uint64_t base) {
  if (!RtlAddFunctionTable(reinterpret_cast<PRUNTIME_FUNCTION>(table), count, base))
    return make_error("RtlAddFunctionTable refused ", count, " entries");
  return Error::success();
}

void delete_function_table(uint64_t table) {
  RtlDeleteFunctionTable(reinterpret_cast<PRUNTIME_FUNCTION>(table));
}

} // namespace rtlink::platform
