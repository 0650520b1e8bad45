// exec/serve.cpp — the executor's side of the protocol: answer the
// controller's requests by doing them with the in-process executor, until
// the controller says Quit or closes the channel.
#include "exec/protocol.hpp"
#include "exec/serve.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"

#include <algorithm>

namespace rtlink::protocol {

const char *op_name(Op op) {
  switch (op) {
  case Op::Hello: return "hello";
  case Op::Reserve: return "reserve";
  case Op::Release: return "release";
  case Op::Commit: return "commit";
  case Op::Decommit: return "decommit";
  case Op::Write: return "write";
  case Op::Protect: return "protect";
  case Op::LookupProcess: return "lookup-process";
  case Op::LoadLibrary: return "load-library";
  case Op::UnloadLibrary: return "unload-library";
  case Op::LookupLibrary: return "lookup-library";
  case Op::LookupImport: return "lookup-import";
  case Op::RegisterEhFrame: return "register-eh-frame";
  case Op::DeregisterEhFrame: return "deregister-eh-frame";
  case Op::RunFunctions: return "run-functions";
  case Op::RunAtexit: return "run-atexit";
  case Op::CallMain: return "call-main";
  case Op::CallInt: return "call-int";
  case Op::Call: return "call";
  case Op::Ping: return "ping";
  case Op::Quit: return "quit";
  case Op::RegisterFunctionTables: return "register-function-tables";
  case Op::DeregisterFunctionTables: return "deregister-function-tables";
  case Op::SetLibraryDirs: return "set-library-dirs";
  case Op::IsCode: return "is-code";
  case Op::TlsCreate: return "tls-create";
  case Op::TlsCreateStatic: return "tls-create-static";
  case Op::TlsDestroy: return "tls-destroy";
  case Op::RuntimeFunctions: return "runtime-functions";
  case Op::CallDouble: return "call-double";
  }
  return "?";
}

namespace {

// A reply: ok + results, or the error's text.
Writer ok(Op op) {
  Writer w(op);
  w.u8(1);
  return w;
}

Writer failed(Op op, const std::string &why) {
  Writer w(op);
  w.u8(0).str(why);
  return w;
}

Writer status(Op op, const Error &e) { return e ? failed(op, e.message()) : ok(op); }

Writer optional_address(Op op, const std::optional<uint64_t> &a) {
  Writer w = ok(op);
  w.u8(a ? 1 : 0).u64(a ? *a : 0);
  return w;
}

// A list: u32 count, then the names.
std::vector<uint64_t> read_addresses(Reader &in) {
  uint32_t n = in.u32();
  std::vector<uint64_t> addrs;
  for (uint32_t i = 0; i < n && in.ok(); ++i)
    addrs.push_back(in.u64());
  return addrs;
}

std::vector<std::string> read_names(Reader &in) {
  uint32_t n = in.u32();
  std::vector<std::string> names;
  for (uint32_t i = 0; i < n && in.ok(); ++i)
    names.push_back(in.str());
  return names;
}

// A list of (found, address).
Writer addresses(Op op, const std::vector<std::optional<uint64_t>> &found) {
  Writer w = ok(op);
  for (const auto &a : found)
    w.u8(a ? 1 : 0).u64(a ? *a : 0);
  return w;
}

// A request's payload read whole and nothing after it.
bool complete(const Reader &in) { return in.ok() && in.at_end(); }

bool read_conv(Reader &in, CallConv &conv) {
  uint8_t c = in.u8();
  conv = CallConv(c);
  return in.ok() && c <= uint8_t(CallConv::AAPCS64);
}

// What this channel's controller reserved: the only memory it may write,
// commit, protect or give back (the executor's own is not its to change);
// and which of those pages are writable now (committed and not protected
// otherwise since), so that a write elsewhere is refused, not a fault.
struct Reservations {
  struct Range {
    uint64_t base, size;
    std::vector<bool> writable;  // per page
  };
  uint64_t page = 4096;
  std::vector<Range> ranges;
  Range *find(uint64_t a, uint64_t size) {
    for (Range &r : ranges)
      if (a >= r.base && a - r.base <= r.size && size <= r.size - (a - r.base))
        return &r;
    return nullptr;
  }
  bool inside(uint64_t a, uint64_t size) { return find(a, size) != nullptr; }
  void mark(uint64_t a, uint64_t size, bool writable) {
    if (Range *r = find(a, size))
      for (uint64_t p = (a - r->base) / page; p * page < a - r->base + size; ++p)
        r->writable[p] = writable;
  }
  bool can_write(uint64_t a, uint64_t size) {
    Range *r = find(a, size);
    if (!r)
      return false;
    for (uint64_t p = (a - r->base) / page; p * page < a - r->base + size; ++p)
      if (!r->writable[p])
        return false;
    return true;
  }
};

Writer outside(Op op, uint64_t a, uint64_t size) {
  return failed(op, std::string(op_name(op)) + " of " + std::to_string(size) + " bytes at " +
                        hex(a) + ": not in memory this controller reserved" +
                        (op == Op::Write ? " and made writable" : ""));
}

// Every request is read whole and checked before anything is done: a
// malformed one (short, with bytes left over, an unknown value) is answered
// "a malformed ... request" and changes nothing.
Writer handle(Executor &ex, Op op, Reader &in, Reservations &mine) {
  switch (op) {
  case Op::Hello: {
    uint32_t magic = in.u32();
    uint16_t version = in.u16();
    if (!complete(in) || magic != kMagic)
      return failed(op, "not an rtlink controller");
    Writer w = ok(op);
    w.u32(kMagic).u16(kVersion).u8(platform::os_kind()).u8(uint8_t(sizeof(void *)))
        .u32(uint32_t(ex.page_size())).u64(platform::process_id()).u8(uint8_t(ex.arch()));
    (void)version;  // the controller compares versions and says what differs
    return w;
  }
  case Op::Ping:
    if (!in.at_end())
      break;
    return ok(op);
  case Op::Reserve: {
    uint64_t size = in.u64();
    bool low = in.u8();
    if (!complete(in))
      break;
    auto r = ex.reserve(size, low);
    if (!r)
      return failed(op, r.error().message());
    mine.page = ex.page_size();
    mine.ranges.push_back({*r, size, std::vector<bool>((size + mine.page - 1) / mine.page)});
    Writer w = ok(op);
    w.u64(*r);
    return w;
  }
  case Op::Release: {
    uint64_t base = in.u64(), size = in.u64();
    if (!complete(in))
      break;
    auto it = std::find_if(mine.ranges.begin(), mine.ranges.end(), [&](const auto &r) {
      return r.base == base && r.size == size;
    });
    if (it == mine.ranges.end())
      return outside(op, base, size);
    mine.ranges.erase(it);
    return status(op, ex.release(base, size));
  }
  case Op::Commit: {
    uint64_t a = in.u64(), size = in.u64();
    if (!complete(in))
      break;
    if (!mine.inside(a, size))
      return outside(op, a, size);
    Error e = ex.commit(a, size);
    if (!e)
      mine.mark(a, size, true);
    return status(op, e);
  }
  case Op::Decommit: {
    uint64_t a = in.u64(), size = in.u64();
    if (!complete(in))
      break;
    if (!mine.inside(a, size))
      return outside(op, a, size);
    mine.mark(a, size, false);
    return status(op, ex.decommit(a, size));
  }
  case Op::Write: {
    uint64_t a = in.u64();
    std::span<const uint8_t> b = in.bytes();  // u32 length, then the bytes
    if (!complete(in))
      break;
    if (!mine.can_write(a, b.size()))
      return outside(op, a, b.size());
    return status(op, ex.write(a, b));
  }
  case Op::Protect: {
    uint64_t a = in.u64(), size = in.u64();
    uint8_t prot = in.u8();
    if (!complete(in))
      break;
    if (prot > uint8_t(Protection::ReadExecute))
      return failed(op, "unknown protection " + std::to_string(prot));
    if (!mine.inside(a, size))
      return outside(op, a, size);
    Error e = ex.protect(a, size, Protection(prot));
    if (!e)
      mine.mark(a, size, Protection(prot) == Protection::ReadWrite);
    return status(op, e);
  }
  case Op::TlsCreate: {
    uint64_t image = in.u64(), image_size = in.u64(), size = in.u64(), align = in.u64();
    if (!complete(in))
      break;
    auto m = ex.create_tls_module(image, image_size, size, align);
    if (!m)
      return failed(op, m.error().message());
    Writer w = ok(op);
    w.u64(*m);
    return w;
  }
  case Op::TlsCreateStatic: {
    uint64_t size = in.u64(), align = in.u64();
    std::span<const uint8_t> image = in.bytes();
    if (!complete(in))
      break;
    if (image.size() > size)
      return failed(op, "a thread-local template of " + std::to_string(image.size()) +
                            " bytes for a block of " + std::to_string(size));
    auto m = ex.create_static_tls_module(image, size, align);
    if (!m)
      return failed(op, m.error().message());
    Writer w = ok(op);
    w.u64(m->module).u64(uint64_t(m->offset));
    return w;
  }
  case Op::TlsDestroy: {
    uint64_t m = in.u64();
    if (!complete(in))
      break;
    return status(op, ex.destroy_tls_module(m));
  }
  case Op::RuntimeFunctions: {
    if (!in.at_end())
      break;
    auto f = ex.runtime_functions();
    if (!f)
      return failed(op, f.error().message());
    Writer w = ok(op);
    for (uint64_t a : *f)
      w.u64(a);
    return w;
  }
  case Op::IsCode: {
    std::vector<uint64_t> addrs = read_addresses(in);
    if (!complete(in))
      break;
    std::vector<std::optional<uint64_t>> answers;
    for (const std::optional<bool> &c : ex.is_code(addrs))
      answers.push_back(c ? std::optional<uint64_t>(*c ? 1 : 0) : std::nullopt);
    return addresses(op, answers);
  }
  case Op::LookupProcess: {
    std::vector<std::string> names = read_names(in);
    if (!complete(in))
      break;
    return addresses(op, ex.lookup_process_symbols(names));
  }
  case Op::LoadLibrary: {
    std::string path = in.str();
    if (!complete(in) || path.empty())
      break;
    auto h = ex.load_library(path);
    if (!h)
      return failed(op, h.error().message());
    Writer w = ok(op);
    w.u64(*h);
    return w;
  }
  case Op::UnloadLibrary: {
    uint64_t h = in.u64();
    if (!complete(in))
      break;
    return status(op, ex.unload_library(h));
  }
  case Op::LookupLibrary: {
    uint64_t h = in.u64();
    std::vector<std::string> names = read_names(in);
    if (!complete(in))
      break;
    return addresses(op, ex.lookup_library_symbols(h, names));
  }
  case Op::LookupImport: {
    std::string dll = in.str(), name = in.str();
    bool by_ordinal = in.u8();
    uint16_t ordinal = in.u16();
    if (!complete(in))
      break;
    return optional_address(op, ex.lookup_import(dll, name, by_ordinal ? std::optional<uint16_t>(ordinal)
                                                                         : std::nullopt));
  }
  case Op::RegisterEhFrame:
  case Op::DeregisterEhFrame:
  case Op::RunAtexit: {
    std::vector<uint64_t> addrs = read_addresses(in);
    if (!complete(in))
      break;
    if (op == Op::RegisterEhFrame)
      return status(op, ex.register_eh_frames(addrs));
    if (op == Op::DeregisterEhFrame)
      return status(op, ex.deregister_eh_frames(addrs));
    return status(op, ex.run_atexit_batch(addrs));
  }
  case Op::RunFunctions: {
    CallConv conv;
    if (!read_conv(in, conv))
      break;
    uint32_t n = in.u32();
    std::vector<uint64_t> fns;
    for (uint32_t i = 0; i < n && in.ok(); ++i)
      fns.push_back(in.u64());
    if (!complete(in))
      break;
    return status(op, ex.run_functions(fns, conv));
  }
  case Op::CallMain: {
    uint64_t a = in.u64();
    CallConv conv;
    if (!read_conv(in, conv))
      break;
    uint32_t n = in.u32();
    std::vector<std::string> argv;
    for (uint32_t i = 0; i < n && in.ok(); ++i)
      argv.push_back(in.str());
    if (!complete(in))
      break;
    auto r = ex.call_main(a, argv, conv);
    if (!r)
      return failed(op, r.error().message());
    Writer w = ok(op);
    w.u32(uint32_t(*r));
    return w;
  }
  case Op::CallInt: {
    uint64_t a = in.u64();
    CallConv conv;
    if (!read_conv(in, conv) || !complete(in))
      break;
    auto r = ex.call_int(a, conv);
    if (!r)
      return failed(op, r.error().message());
    Writer w = ok(op);
    w.u32(uint32_t(*r));
    return w;
  }
  case Op::Call:
  case Op::CallDouble: {
    uint64_t a = in.u64();
    CallConv conv;
    if (!read_conv(in, conv))
      break;
    uint32_t n = in.u32();
    std::vector<CallArg> args;
    for (uint32_t i = 0; i < n && in.ok(); ++i) {
      CallArg c;
      uint8_t kind = in.u8();
      if (kind > CallArg::Bytes)
        return failed(op, "unknown argument kind " + std::to_string(kind));
      c.kind = CallArg::Kind(kind);
      c.bits = in.u64();
      c.bytes = in.str();
      args.push_back(std::move(c));
    }
    if (!complete(in))
      break;
    uint64_t bits;
    if (op == Op::CallDouble) {
      auto r = ex.call_double(a, conv, args);
      if (!r)
        return failed(op, r.error().message());
      std::memcpy(&bits, &*r, 8);
    } else {
      auto r = ex.call(a, conv, args);
      if (!r)
        return failed(op, r.error().message());
      bits = uint64_t(*r);
    }
    Writer w = ok(op);
    w.u64(bits);
    return w;
  }
  case Op::Quit:
    if (!in.at_end())
      break;
    return ok(op);
  case Op::RegisterFunctionTables: {
    uint32_t n = in.u32();
    std::vector<Executor::FunctionTable> tables;
    for (uint32_t i = 0; i < n && in.ok(); ++i) {
      Executor::FunctionTable t;
      t.table = in.u64();
      t.count = in.u32();
      t.base = in.u64();
      tables.push_back(t);
    }
    if (!complete(in))
      break;
    return status(op, ex.register_function_tables(tables));
  }
  case Op::SetLibraryDirs: {
    std::vector<std::string> dirs = read_names(in);
    if (!complete(in))
      break;
    return status(op, ex.set_library_dirs(dirs));
  }
  case Op::DeregisterFunctionTables: {
    uint32_t n = in.u32();
    std::vector<uint64_t> tables;
    for (uint32_t i = 0; i < n && in.ok(); ++i)
      tables.push_back(in.u64());
    if (!complete(in))
      break;
    return status(op, ex.deregister_function_tables(tables));
  }
  }
  return failed(op, std::string("a malformed ") + op_name(op) + " request");
}

// Loaded code that calls exit(n) during a call: the C library runs the
// atexit handlers registered since the executor started (the program's),
// then this, which answers the call with "exited with n" and serves the
// controller's requests (the loaded units' finalizers) until it lets go;
// exit then goes on, flushes the output and ends the process with n.
// What one channel's serving knows: whether the controller said Hello, and
// what it reserved. Kept for the channel, so that serving it again from
// inside exit goes on where the loop left off.
struct Served {
  bool greeted = false;
  Reservations mine;
};

struct ExitWatch {
  int64_t channel = -1;
  Executor *ex = nullptr;
  Served *served = nullptr;  // the watched channel's
  Op call{};  // the call under way, or 0
};
ExitWatch g_watch;

int serve_loop(int64_t channel, Executor &ex, Served &served);

void program_exits(int status) {
  if (g_watch.call == Op{} || !g_watch.ex)
    return;  // not during a call: the executor's own end
  Writer w(g_watch.call);
  w.u8(2).u32(uint32_t(status));
  g_watch.call = Op{};
  if (platform::channel_send(g_watch.channel, w.finish()))
    return;
  if (g_watch.served)
    (void)serve_loop(g_watch.channel, *g_watch.ex, *g_watch.served);
}

// An exception nothing handled (Windows; POSIX says it with the signal):
// the call under way is answered "crashed", with what and where.
void program_crashes(const char *what, uint64_t pc) {
  if (g_watch.call == Op{} || !g_watch.ex)
    return;
  Writer w(g_watch.call);
  w.u8(3).str(what).u64(pc);
  g_watch.call = Op{};
  (void)platform::channel_send(g_watch.channel, w.finish());
}

bool is_call(Op op) {
  return op == Op::CallMain || op == Op::CallInt || op == Op::Call || op == Op::CallDouble;
}

} // namespace

Error receive_into(int64_t channel, std::vector<uint8_t> &buf, size_t from, size_t size) {
  constexpr size_t kStep = size_t(1) << 20;
  buf.resize(from);
  while (buf.size() < size) {
    const size_t at = buf.size(), next = std::min(size, at + kStep);
    buf.resize(next);
    if (Error e = platform::channel_recv(channel, buf.data() + at, next - at))
      return e;
  }
  return {};
}

int serve(int64_t channel, Executor &ex) {
  if (!g_watch.ex) {
    // Before any loaded code registers atexit handlers, so this runs after them.
    g_watch.channel = channel;
    g_watch.ex = &ex;
    (void)platform::on_process_exit(program_exits);
    platform::flush_output_on_crash(program_crashes);
  }
  Served served;
  if (channel == g_watch.channel)
    g_watch.served = &served;
  int status = serve_loop(channel, ex, served);
  if (g_watch.served == &served)
    g_watch.served = nullptr;
  return status;
}

namespace {

int serve_loop(int64_t channel, Executor &ex, Served &served) {
  bool &greeted = served.greeted;
  Reservations &mine = served.mine;
  std::vector<uint8_t> msg;
  for (;;) {
    uint8_t head[4];
    if (platform::channel_recv(channel, head, 4))
      return 0;  // the controller went away: nothing left to do
    uint32_t n = uint32_t(head[0]) | uint32_t(head[1]) << 8 | uint32_t(head[2]) << 16 |
                 uint32_t(head[3]) << 24;
    if (n == 0 || n > kMaxMessage)
      return 3;
    // A write's bytes go straight into the executor's pages, prefaulted,
    // rather than through a buffer and a second copy.
    uint8_t first[13];
    if (n >= 13) {
      if (platform::channel_recv(channel, first, 1))
        return 0;
      if (Op(first[0]) == Op::Write) {
        if (platform::channel_recv(channel, first + 1, 12))
          return 0;
        Reader h(std::span<const uint8_t>(first + 1, 12));
        uint64_t addr = h.u64();
        uint32_t len = h.u32();
        uint8_t *to =
            greeted && len == n - 13 && mine.can_write(addr, len) ? ex.direct_view(addr) : nullptr;
        if (to) {
          ex.prefault(addr, len);
          if (platform::channel_recv(channel, to, len))
            return 0;
          if (platform::channel_send(channel, ok(Op::Write).finish()))
            return 0;
          continue;
        }
        msg.assign(first, first + 13);
        if (receive_into(channel, msg, 13, n))
          return 0;
      } else {
        msg.assign(first, first + 1);
        if (receive_into(channel, msg, 1, n))
          return 0;
      }
    } else if (receive_into(channel, msg, 0, n)) {
      return 0;
    }
    Op op = Op(msg[0]);
    Reader in(std::span<const uint8_t>(msg).subspan(1));
    if (is_call(op))
      g_watch.call = op;
    // Nothing but the handshake before the handshake.
    Writer reply = greeted || op == Op::Hello
                       ? handle(ex, op, in, mine)
                       : failed(op, std::string(op_name(op)) + " before the handshake (Hello)");
    if (op == Op::Hello && reply.finish()[5] == 1)
      greeted = true;
    g_watch.call = Op{};
    if (platform::channel_send(channel, reply.finish()))
      return 0;
    if (op == Op::Quit)
      return 0;
  }
}

} // namespace

} // namespace rtlink::protocol
