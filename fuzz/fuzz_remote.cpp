// The controller's side of the protocol: the input is what an executor
// answers. A stand-in executor (sh) answers the handshake properly, then
// sends the input whatever it is asked, and closes the channel; the
// controller makes its usual requests in turn. Every reply is read within
// its bounds: a request fails, or the executor counts as lost — never a
// crash, never a wait for ever.
#include "exec/protocol.hpp"
#include "fuzz_executor.hpp"

#include <cstring>

namespace {

std::string hello_file() {
  rtlink::protocol::Writer w(rtlink::protocol::Op::Hello);
  w.u8(1).u32(rtlink::protocol::kMagic).u16(rtlink::protocol::kVersion).u8(1).u8(8).u32(4096).u64(0)
      .u8(uint8_t(rtlink::Arch::X86_64));
  std::vector<uint8_t> &m = w.finish();
  return rtlink::fuzz::write_file("hello", m.data(), m.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string hello = hello_file();
  const std::string replies = rtlink::fuzz::as_file(data, size);
  rtlink::RemoteCommand cmd;
  cmd.argv = {"/bin/sh", "-c", "cat '" + hello + "' '" + replies + "' >&3; exec 3>&-"};
  cmd.fd = 3;
  cmd.handshake_timeout_ms = 5000;
  auto ex = rtlink::make_remote_executor(std::move(cmd));
  (void)ex->page_size();  // the handshake
  (void)ex->native_convention();
  if (auto r = ex->reserve(1 << 20, false))
    (void)ex->commit(*r, 4096);
  std::vector<std::string> names{"strlen", "no_such_symbol"};
  (void)ex->lookup_process_symbols(names);
  (void)ex->runtime_functions();
  uint64_t addrs[] = {0x1000, 0x2000};
  (void)ex->is_code(addrs);
  (void)ex->lookup_import("kernel32.dll", "GetTickCount", std::nullopt);
  (void)ex->call_int(0x1000, rtlink::CallConv::SysV);  // replies "exited", "crashed" too
  (void)ex->take_crash();
  (void)ex->take_loss();
  (void)ex->ping();
  return 0;
}
