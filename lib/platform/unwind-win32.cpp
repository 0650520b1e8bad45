// platform/unwind-win32.cpp — Windows unwinds through .pdata (registered with
// RtlAddFunctionTable), not .eh_frame: DWARF frame tables of ELF code have no
// use here, and there is no __cxa_atexit of loaded units to run.
#include "platform/platform.hpp"

namespace rtlink::platform {

void register_eh_frame(uint64_t) {}
void deregister_eh_frame(uint64_t) {}
void run_atexit_handlers(uint64_t) {}

} // namespace rtlink::platform
