// exec/remote.cpp — the controller's side of an out-of-process executor.
//
// The executor is started on first use and spoken to through the protocol
// of exec/protocol.hpp. When it ends without being asked to (a fault in
// loaded code, a kill), the request that was under way fails with how it
// ended ("executor terminated by signal 11 (SIGSEGV)"), take_loss() says so
// once, and the next request starts a fresh executor.
#include "exec/native.hpp"
#include "exec/protocol.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"
#include <rtlink/executor.hpp>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>

namespace rtlink {
namespace {

using protocol::Op;
using protocol::Reader;
using protocol::Writer;

// The executor of the current call, for a signal handler that stops it
// (objload's Ctrl-C): 0 when no call is under way.
std::atomic<int64_t> g_calling_pid{0};
// The executor stop_running_call killed, so its end is told as an interruption.
std::atomic<int64_t> g_stopped_pid{0};

// How long an executor whose channel closed has to end by itself before it
// is killed (its own exit status says more than our kill would).
constexpr int kGraceMs = 2000;

class RemoteExecutor final : public Executor {
public:
  explicit RemoteExecutor(RemoteCommand cmd) : cmd_(std::move(cmd)) {}

  ~RemoteExecutor() override {
    if (alive_) {
      Writer w(Op::Quit);
      (void)platform::channel_send(child_.channel, w.finish());
      platform::channel_close(child_.channel);
      // Its atexit handlers may take long; one that never answered the
      // handshake has 2 s.
      (void)platform::reap_child(child_.pid, hello_pending_ ? kGraceMs : -1);
    }
  }

  bool ends_with_linker() const override { return true; }

  std::string describe() const override {
    std::string how = cmd_.argv.empty() ? "?" : cmd_.argv.front();
    if (alive_)
      how += ", pid " + std::to_string(child_.pid);
    return "out of process (" + how + ")";
  }

  uint64_t page_size() const override {
    auto *self = const_cast<RemoteExecutor *>(this);
    std::lock_guard<std::mutex> one_at_a_time(self->mu_);
    (void)self->ready();
    return page_;
  }
  CallConv native_convention() const override {
    auto *self = const_cast<RemoteExecutor *>(this);
    std::lock_guard<std::mutex> one_at_a_time(self->mu_);
    (void)self->ready();
    return native_convention_of(arch_, os_ == uint8_t(protocol::Os::Windows));
  }
  // What the handshake said (this controller's own until it is read).
  Arch arch() const override {
    auto *self = const_cast<RemoteExecutor *>(this);
    std::lock_guard<std::mutex> one_at_a_time(self->mu_);
    (void)self->ready();
    return arch_;
  }

  Expected<uint64_t> reserve(uint64_t size, bool low) override {
    Writer w(Op::Reserve);
    w.u64(size).u8(low);
    return address(w);
  }
  Error release(uint64_t base, uint64_t size) override { return range(Op::Release, base, size); }
  Error commit(uint64_t addr, uint64_t size) override { return range(Op::Commit, addr, size); }
  Error decommit(uint64_t addr, uint64_t size) override { return range(Op::Decommit, addr, size); }
  Error write(uint64_t addr, std::span<const uint8_t> bytes) override {
    return place(addr, bytes, {});
  }
  Error protect(uint64_t addr, uint64_t size, Protection prot) override {
    Writer w(Op::Protect);
    w.u64(addr).u64(size).u8(uint8_t(prot));
    return status(w);
  }
  Error place(uint64_t addr, std::span<const uint8_t> bytes,
              std::span<const ProtectRange> ranges) override {
    // Every request sent, then every reply taken, in order: one round trip.
    std::lock_guard<std::mutex> one_at_a_time(mu_);
    if (Error e = ready())
      return e;
    std::vector<Op> replies;
    if (!bytes.empty() && write_directly_) {
      // One copy from this process's memory into the executor's, not a
      // message through the channel; where the system refuses, messages.
      if (Error e = platform::write_process_memory(child_.pid, addr, bytes))
        write_directly_ = false;
      else
        bytes = {};
    }
    if (!bytes.empty()) {
      // The header, then the bytes straight from the caller's buffer (a
      // block of code and data: megabytes, not copied into the message).
      Writer w(Op::Write);
      w.u64(addr).u32(uint32_t(bytes.size()));
      std::vector<uint8_t> &head = w.finish();
      uint32_t total = uint32_t(head.size() - 4 + bytes.size());
      std::memcpy(head.data(), &total, 4);
      if (platform::channel_send(child_.channel, head) ||
          platform::channel_send(child_.channel, bytes))
        return gone();
      replies.push_back(Op::Write);
    }
    for (const ProtectRange &r : ranges) {
      Writer w(Op::Protect);
      w.u64(r.addr).u64(r.size).u8(uint8_t(r.prot));
      if (platform::channel_send(child_.channel, w.finish()))
        return gone();
      replies.push_back(Op::Protect);
    }
    Error first;
    for (Op op : replies) {
      auto r = receive(op, false);
      if (!r && !first)
        first = r.take_error();
      if (!alive_)
        break;  // gone: no more replies to take
    }
    return first;
  }
  std::vector<std::optional<bool>> is_code(std::span<const uint64_t> addrs) override {
    Writer w(Op::IsCode);
    w.u32(uint32_t(addrs.size()));
    for (uint64_t a : addrs)
      w.u64(a);
    std::vector<std::optional<bool>> out;
    for (const std::optional<uint64_t> &c : addresses(w, addrs.size()))
      out.push_back(c ? std::optional<bool>(*c != 0) : std::nullopt);
    return out;
  }
  std::optional<uint64_t> lookup_process_symbol(std::string_view name) override {
    std::string n(name);
    return lookup_process_symbols({&n, 1}).front();
  }
  std::vector<std::optional<uint64_t>> lookup_process_symbols(
      std::span<const std::string> names) override {
    Writer w(Op::LookupProcess);
    w.u32(uint32_t(names.size()));
    for (const std::string &n : names)
      w.str(n);
    return addresses(w, names.size());
  }
  Expected<uint64_t> create_tls_module(uint64_t image, uint64_t image_size, uint64_t size,
                                       uint64_t align) override {
    Writer w(Op::TlsCreate);
    w.u64(image).u64(image_size).u64(size).u64(align);
    return address(w);
  }
  Expected<StaticTls> create_static_tls_module(std::span<const uint8_t> image, uint64_t size,
                                               uint64_t align) override {
    Writer w(Op::TlsCreateStatic);
    w.u64(size).u64(align).bytes(image);
    auto r = request(w);
    if (!r)
      return r.take_error();
    Reader in(*r);
    StaticTls s;
    s.module = in.u64();
    s.offset = int64_t(in.u64());
    if (!in.ok())
      return make_error("the executor sent a short reply");
    return s;
  }
  Error destroy_tls_module(uint64_t module) override {
    Writer w(Op::TlsDestroy);
    w.u64(module);
    return status(w);
  }
  Expected<RuntimeFunctions> runtime_functions() override {
    Writer w(Op::RuntimeFunctions);
    auto r = request(w);
    if (!r)
      return r.take_error();
    Reader in(*r);
    RuntimeFunctions f;
    for (uint64_t &a : f)
      a = in.u64();
    if (!in.ok())
      return make_error("the executor sent a short reply");
    return f;
  }
  Expected<uint64_t> load_library(const std::string &path) override {
    Writer w(Op::LoadLibrary);
    w.str(path);
    return address(w);
  }
  Error unload_library(uint64_t handle) override {
    Writer w(Op::UnloadLibrary);
    w.u64(handle);
    return status(w);
  }
  std::optional<uint64_t> lookup_library_symbol(uint64_t handle, std::string_view name) override {
    std::string n(name);
    return lookup_library_symbols(handle, {&n, 1}).front();
  }
  std::vector<std::optional<uint64_t>> lookup_library_symbols(
      uint64_t handle, std::span<const std::string> names) override {
    Writer w(Op::LookupLibrary);
    w.u64(handle).u32(uint32_t(names.size()));
    for (const std::string &n : names)
      w.str(n);
    return addresses(w, names.size());
  }
  std::optional<uint64_t> lookup_import(const std::string &dll, std::string_view name,
                                        std::optional<uint16_t> ordinal) override {
    Writer w(Op::LookupImport);
    w.str(dll).str(name).u8(ordinal ? 1 : 0).u16(ordinal ? *ordinal : 0);
    return optional_address(w);
  }
  Error register_eh_frame(uint64_t addr) override { return register_eh_frames({&addr, 1}); }
  Error deregister_eh_frame(uint64_t addr) override { return deregister_eh_frames({&addr, 1}); }
  Error register_eh_frames(std::span<const uint64_t> addrs) override {
    return list(Op::RegisterEhFrame, addrs, false);
  }
  Error deregister_eh_frames(std::span<const uint64_t> addrs) override {
    return list(Op::DeregisterEhFrame, addrs, false);
  }
  Error set_library_dirs(std::span<const std::string> dirs) override {
    Writer w(Op::SetLibraryDirs);
    w.u32(uint32_t(dirs.size()));
    for (const std::string &d : dirs)
      w.str(d);
    return status(w);
  }
  Error register_function_tables(std::span<const FunctionTable> tables) override {
    if (tables.empty())
      return {};
    Writer w(Op::RegisterFunctionTables);
    w.u32(uint32_t(tables.size()));
    for (const FunctionTable &t : tables)
      w.u64(t.table).u32(t.count).u64(t.base);
    return status(w);
  }
  Error deregister_function_tables(std::span<const uint64_t> tables) override {
    return list(Op::DeregisterFunctionTables, tables, false);
  }
  Error run_atexit_batch(std::span<const uint64_t> handles) override {
    return list(Op::RunAtexit, handles, true);
  }
  Error run_functions(std::span<const uint64_t> functions, CallConv conv) override {
    if (functions.empty())
      return {};
    Writer w(Op::RunFunctions);
    w.u8(uint8_t(conv)).u32(uint32_t(functions.size()));
    for (uint64_t f : functions)
      w.u64(f);
    return status(w, true);
  }
  Error run_atexit_handlers(uint64_t dso_handle) override { return run_atexit_batch({&dso_handle, 1}); }
  Expected<int> call_main(uint64_t addr, const std::vector<std::string> &argv,
                          CallConv conv) override {
    Writer w(Op::CallMain);
    w.u64(addr).u8(uint8_t(conv)).u32(uint32_t(argv.size()));
    for (const std::string &a : argv)
      w.str(a);
    auto r = request(w, true);
    if (!r)
      return r.take_error();
    Reader in(*r);
    return int(in.u32());
  }
  Expected<int> call_int(uint64_t addr, CallConv conv) override {
    Writer w(Op::CallInt);
    w.u64(addr).u8(uint8_t(conv));
    auto r = request(w, true);
    if (!r)
      return r.take_error();
    Reader in(*r);
    return int(in.u32());
  }
  Expected<int64_t> call(uint64_t addr, CallConv conv, std::span<const CallArg> args) override {
    auto r = call_bits(Op::Call, addr, conv, args);
    if (!r)
      return r.take_error();
    return int64_t(*r);
  }
  Expected<double> call_double(uint64_t addr, CallConv conv,
                               std::span<const CallArg> args) override {
    auto r = call_bits(Op::CallDouble, addr, conv, args);
    if (!r)
      return r.take_error();
    return as_double(*r);
  }

  bool start_in_background() override {
    std::lock_guard<std::mutex> one_at_a_time(mu_);
    return alive_ || !begin();
  }

  std::optional<int> exiting() const override { return exiting_; }

  void finish_exit() override {
    std::lock_guard<std::mutex> one_at_a_time(mu_);
    if (!exiting_ || !alive_)
      return;
    exiting_.reset();
    Writer w(Op::Quit);
    (void)platform::channel_send(child_.channel, w.finish());
    platform::channel_close(child_.channel);
    (void)platform::reap_child(child_.pid, -1);  // exit flushes its output and ends it
    alive_ = false;
    lost_ = true;  // what was loaded into it is gone
  }

  bool take_loss() override {
    bool l = lost_;
    lost_ = false;
    return l;
  }
  std::optional<Crash> take_crash() override {
    std::lock_guard<std::mutex> one_at_a_time(mu_);
    return std::exchange(crash_, std::nullopt);
  }

  Error ping() override {
    Writer w(Op::Ping);
    return status(w);
  }

private:
  // A running executor whose handshake has been read (under mu_).
  Error ready() {
    if (!alive_)
      return start();
    if (hello_pending_)
      return finish_hello();
    return {};
  }

  Error start() {
    if (Error e = begin())
      return e;
    return finish_hello();
  }

  // Starts the process and sends the handshake; its answer is read with the
  // first request, so the executor starts while the controller parses.
  Error begin() {
    auto child =
        cmd_.tcp ? platform::spawn_and_accept(cmd_.argv, cmd_.handshake_timeout_ms)
                 : platform::spawn_with_socket(cmd_.argv, cmd_.fd, cmd_.handshake_timeout_ms);
    if (!child)
      return child.take_error();
    child_ = *child;
    alive_ = true;
    Writer w(Op::Hello);
    w.u32(protocol::kMagic).u16(protocol::kVersion);
    if (platform::channel_send(child_.channel, w.finish())) {
      lost_ = false;
      return abandon("the executor (" + cmd_.argv.front() + ") did not start: it " +
                     platform::reap_child(child_.pid, kGraceMs));
    }
    hello_pending_ = true;
    return {};
  }

  Error finish_hello() {
    hello_pending_ = false;
    if (!platform::channel_wait(child_.channel, cmd_.handshake_timeout_ms)) {
      lost_ = false;
      return abandon("the executor (" + cmd_.argv.front() + ") did not answer the handshake within " +
                     std::to_string(cmd_.handshake_timeout_ms / 1000) +
                     " s (RTLINK_EXECUTOR_TIMEOUT sets objload's limit)");
    }
    auto r = receive(Op::Hello, false);
    if (!r) {
      lost_ = false;  // nothing was loaded into it
      return make_error("the executor (", cmd_.argv.front(), ") did not start: ",
                        r.error().message());
    }
    Reader in(*r);
    uint32_t magic = in.u32();
    uint16_t version = in.u16();
    uint8_t os = in.u8(), pointer = in.u8();
    uint32_t page = in.u32();
    uint64_t pid = in.u64();
    uint8_t arch = in.u8();
    if (magic != protocol::kMagic)
      return abandon("the executor (" + cmd_.argv.front() + ") did not answer as one");
    if (version != protocol::kVersion)
      return abandon("the executor speaks protocol version " + std::to_string(version) +
                     ", this controller " + std::to_string(protocol::kVersion));
    if (!in.ok())
      return abandon("the executor (" + cmd_.argv.front() + ") did not answer as one");
    if (pointer != 8)
      return abandon("the executor is a " + std::to_string(pointer * 8) +
                     "-bit process; rtlink loads 64-bit code");
    if (arch != uint8_t(Arch::X86_64) && arch != uint8_t(Arch::AArch64))
      return abandon("the executor (" + cmd_.argv.front() +
                     ") runs an instruction set this objload does not know (" +
                     std::to_string(arch) + ")");
    if (os < uint8_t(protocol::Os::Linux) || os > uint8_t(protocol::Os::Other))
      return abandon("the executor says its OS is " + std::to_string(os) +
                     ", which this controller does not know");
    if (page < 4096 || page > (1u << 30) || (page & (page - 1)))
      return abandon("the executor says its page size is " + std::to_string(page) +
                     ", not a power of two from 4096 to 1 GiB");
    os_ = os;
    page_ = page;
    arch_ = Arch(arch);
    // The process we started is the executor itself (not a launcher such as
    // wine, whose process ids are its own) and runs this controller's
    // instruction set (not emulated by qemu-user, which is the same process
    // but whose addresses are the emulated program's, not its own): its
    // pages can be written directly.
    write_directly_ = pid == uint64_t(child_.pid) && arch_ == native_arch();
    return {};
  }

  Error abandon(const std::string &why) {
    platform::channel_close(child_.channel);
    (void)platform::reap_child(child_.pid, 0);
    alive_ = false;
    return Error(why);
  }

  // Sends a request, returns the reply's results (after the ok byte). One
  // request at a time: lookups may come from several threads, and wait while
  // a call runs.
  Expected<std::vector<uint8_t>> request(Writer &w, bool running_code = false) {
    std::lock_guard<std::mutex> one_at_a_time(mu_);
    if (Error e = ready())
      return e;
    return exchange(w, running_code);
  }

  Expected<std::vector<uint8_t>> exchange(Writer &w, bool running_code) {
    crash_.reset();  // only the last request's
    std::vector<uint8_t> &msg = w.finish();
    Op op = Op(msg[4]);
    if (Error e = platform::channel_send(child_.channel, msg))
      return gone();
    return receive(op, running_code);
  }

  // The executor is gone: say how it ended.
  Error gone() {
    g_calling_pid = 0;
    platform::channel_close(child_.channel);
    // It closed the channel or died: how it ended is its own status, unless
    // it lingers (then it is killed, and says so).
    std::string how = platform::reap_child(child_.pid, kGraceMs);
    alive_ = false;
    lost_ = true;
    bool stopped = g_stopped_pid.exchange(0) == child_.pid;
    return make_error(stopped ? "interrupted: executor " : "executor ", how);
  }

  Expected<std::vector<uint8_t>> receive(Op op, bool running_code) {
    if (running_code)
      g_calling_pid = child_.pid;
    uint8_t head[4];
    Error e = platform::channel_recv(child_.channel, head, 4);
    std::vector<uint8_t> body;
    if (!e) {
      uint32_t n = uint32_t(head[0]) | uint32_t(head[1]) << 8 | uint32_t(head[2]) << 16 |
                   uint32_t(head[3]) << 24;
      if (n < 2 || n > protocol::kMaxMessage) {
        g_calling_pid = 0;
        return abandon("the executor sent a malformed reply to " +
                       std::string(protocol::op_name(op)));
      }
      e = protocol::receive_into(child_.channel, body, 0, n);
    }
    g_calling_pid = 0;
    if (e)
      return gone();
    if (Op(body[0]) != op)
      return abandon("the executor answered another request than " +
                     std::string(protocol::op_name(op)));
    if (body[1] == 2) {
      // The loaded code called exit(n): the executor waits inside exit for
      // what the linker still runs there (finish_exit lets it go).
      Reader in(std::span<const uint8_t>(body).subspan(2));
      exiting_ = int(in.u32());
      return make_error("the loaded code called exit(", *exiting_, ")");
    }
    if (body[1] == 3) {
      // An exception nothing handled: the executor ends (remote loss).
      Reader in(std::span<const uint8_t>(body).subspan(2));
      Crash c;
      c.what = in.str();
      c.pc = in.u64();
      Error how = gone();
      if (!in.ok())
        return how;
      crash_ = c;
      return make_error(c.what, " at ", hex(c.pc));
    }
    if (body[1] != 1) {
      Reader in(std::span<const uint8_t>(body).subspan(2));
      std::string why = in.str();
      return Error(in.ok() ? why : "the executor failed without saying why");
    }
    body.erase(body.begin(), body.begin() + 2);
    return body;
  }

  // Call or CallDouble: the result's 64 bits (rax, or the double's).
  Expected<uint64_t> call_bits(Op op, uint64_t addr, CallConv conv, std::span<const CallArg> args) {
    Writer w(op);
    w.u64(addr).u8(uint8_t(conv)).u32(uint32_t(args.size()));
    for (const CallArg &a : args)
      w.u8(uint8_t(a.kind)).u64(a.bits).str(a.bytes);
    return address(w, true);
  }

  Error status(Writer &w, bool running_code = false) {
    auto r = request(w, running_code);
    return r ? Error() : r.take_error();
  }
  // A request answered with a u64 (an address, a call's result).
  Expected<uint64_t> address(Writer &w, bool running_code = false) {
    auto r = request(w, running_code);
    if (!r)
      return r.take_error();
    Reader in(*r);
    uint64_t a = in.u64();
    if (!in.ok())
      return make_error("the executor sent a short reply");
    return a;
  }
  Error range(Op op, uint64_t addr, uint64_t size) {
    Writer w(op);
    w.u64(addr).u64(size);
    return status(w);
  }
  Error list(Op op, std::span<const uint64_t> values, bool running_code) {
    if (values.empty())
      return {};
    Writer w(op);
    w.u32(uint32_t(values.size()));
    for (uint64_t v : values)
      w.u64(v);
    return status(w, running_code);
  }
  std::vector<std::optional<uint64_t>> addresses(Writer &w, size_t n) {
    std::vector<std::optional<uint64_t>> out(n);
    auto r = request(w);
    if (!r)
      return out;
    Reader in(*r);
    for (size_t i = 0; i < n; ++i) {
      bool found = in.u8();
      uint64_t a = in.u64();
      if (in.ok() && found)
        out[i] = a;
    }
    return out;
  }
  std::optional<uint64_t> optional_address(Writer &w) {
    auto r = request(w);
    if (!r)
      return std::nullopt;
    Reader in(*r);
    bool found = in.u8();
    uint64_t a = in.u64();
    if (!in.ok() || !found)
      return std::nullopt;
    return a;
  }

  RemoteCommand cmd_;
  std::mutex mu_;
  platform::Child child_;
  bool alive_ = false, lost_ = false, hello_pending_ = false;
  bool write_directly_ = false;  // a block's bytes go by write_process_memory
  std::optional<int> exiting_;   // the loaded code called exit(n) in a call
  uint8_t os_ = 0;
  Arch arch_ = native_arch();
  std::optional<Crash> crash_;  // how the last call ended, if it crashed
  uint64_t page_ = 4096;
};

} // namespace

std::unique_ptr<Executor> make_remote_executor(RemoteCommand command) {
  return std::make_unique<RemoteExecutor>(std::move(command));
}

void stop_running_call() {
  int64_t pid = g_calling_pid.load();
  if (pid > 0) {
    g_stopped_pid = pid;
    platform::stop_child(pid);
  }
}

} // namespace rtlink
