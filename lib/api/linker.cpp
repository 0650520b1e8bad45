// api/linker.cpp — rtlink::Linker: the verbs, each under the session lock.
// lookup() and purge_lookup_cache() share it; every other verb takes it alone.
#include "io/zstd.hpp"
#include "link/session.hpp"
#include "object/coff.hpp"
#include "object/detect.hpp"
#include "support/format.hpp"

#include <mutex>
#include <shared_mutex>

namespace rtlink {

Expected<std::unique_ptr<Linker>> Linker::create(LinkerOptions options) {
  auto reader = io::choose_reader(options.io);
  if (!reader)
    return reader.take_error();
  auto expand = max_expand(options.max_expand);
  if (!expand)
    return expand.take_error();
  options.max_expand = *expand;
  std::unique_ptr<Executor> ex = std::move(options.executor);
  if (!ex)
    ex = make_in_process_executor();
  // In-process, the range is reserved now; a remote executor is started in
  // the background and the range reserved in it at the first resolve.
  AddressSpace space;
  if (!ex->start_in_background()) {
    auto reserved = AddressSpace::reserve(*ex, options.reserve_size);
    if (!reserved)
      return reserved.take_error();
    space = *reserved;
  }
  auto session = std::make_unique<Session>(std::move(options), std::move(ex), space);
  session->reader = std::move(reader->reader);
  session->reader_name = reader->name;
  session->reader_note = reader->note;
  return std::unique_ptr<Linker>(new Linker(std::move(session)));
}

Linker::Linker(std::unique_ptr<Session> s) : session_(std::move(s)) {}
Linker::~Linker() = default;



// Every verb but lookup holds the lock alone; it first catches up with an
// executor that ended since the last verb (everything in it is gone).
#define EXCLUSIVE                                                                                  \
  std::unique_lock<std::shared_mutex> guard(session_->lock);                                      \
  session_->recover_if_lost()

namespace {

// Nothing throws across the API: an allocation that fails (a bogus count in
// a file asking for gigabytes, say) becomes an Error like any other.
template <class F> auto guarded(F &&f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc &) {
    return make_error("out of memory");
  } catch (const std::exception &e) {
    return make_error("internal error: ", e.what());
  }
}

} // namespace

void Linker::finalize() {
  EXCLUSIVE;  // after an executor's loss, nothing is loaded
  std::vector<Unit *> all;
  for (auto it = session_->units.rbegin(); it != session_->units.rend(); ++it)
    all.push_back(it->get());
  try {
    session_->run_finalizers(all, /*tables=*/false);
  } catch (...) {  // nothing throws across the API
  }
}

Error Linker::load(const std::string &path) {
  EXCLUSIVE;
  return guarded([&] { return session_->load(path); });
}
Error Linker::load(const std::vector<std::string> &paths) {
  EXCLUSIVE;
  return guarded([&] { return session_->load(paths); });
}
Error Linker::load_object(const std::string &path) {
  EXCLUSIVE;
  return guarded([&] { return session_->load_object_file(path); });
}
Error Linker::load_object_buffer(const std::string &name, std::span<const uint8_t> bytes) {
  EXCLUSIVE;
  return guarded([&] { return session_->load_object_buffer(name, bytes); });
}
Error Linker::load_archive(const std::string &path) {
  EXCLUSIVE;
  return guarded([&] { return session_->load_archive(path); });
}
Error Linker::load_library(const std::string &path) {
  EXCLUSIVE;
  return guarded([&] { return session_->load_library(path); });
}

SearchPathHandle Linker::add_search_path(const std::string &dir) {
  EXCLUSIVE;
  SearchPathHandle h = session_->next_search_handle++;
  session_->search_paths.emplace_back(h, dir);
  session_->library_dirs_changed = true;
  return h;
}
Error Linker::remove_search_path(SearchPathHandle handle) {
  EXCLUSIVE;
  auto &paths = session_->search_paths;
  for (auto it = paths.begin(); it != paths.end(); ++it)
    if (it->first == handle) {
      paths.erase(it);
      session_->library_dirs_changed = true;
      return Error::success();
    }
  return make_error("no search path has handle ", handle);
}
std::vector<std::string> Linker::search_paths() const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  std::vector<std::string> out;
  for (const auto &[h, d] : session_->search_paths)
    out.push_back(d);
  return out;
}
Expected<std::string> Linker::find_system_library(std::string_view name, bool static_only) const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  return session_->find_system_library(name, static_only);
}

Error Linker::require(std::string_view name) {
  EXCLUSIVE;
  return guarded([&] { return session_->require(name); });
}

Error Linker::define_symbol(const std::string &name, uint64_t address) {
  EXCLUSIVE;
  // "DLL!name": an import; the DLL part is matched without regard to case.
  size_t bang = name.find('!');
  std::string key = bang == std::string::npos ? name
                                              : import_key(name.substr(0, bang), name.substr(bang + 1));
  session_->host_symbols[key] = address;
  session_->purge_lookup_cache();
  return Error::success();
}

Error Linker::resolve() {
  EXCLUSIVE;
  return guarded([&] { return session_->resolve(); });
}

Expected<uint64_t> Linker::lookup(std::string_view name) const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  return session_->lookup(name);
}
void Linker::purge_lookup_cache() { session_->purge_lookup_cache(); }

Error Linker::unload(const std::string &path) {
  EXCLUSIVE;
  return guarded([&] { return session_->unload({path}); });
}
Error Linker::unload(const std::vector<std::string> &paths) {
  EXCLUSIVE;
  return guarded([&] { return session_->unload(paths); });
}

// A call that ended its executor says so, and the linker forgets what was
// loaded into it (the next verb starts a fresh one).
template <class T> Expected<T> Linker::after_call(Expected<T> r, std::string_view symbol) {
  std::unique_lock<std::shared_mutex> guard(session_->lock);
  session_->exit_status.reset();
  if (r)
    return r;
  if (std::optional<int> status = session_->executor->exiting()) {
    // The code called exit(n) in an executor process: as the C library ends
    // a program, its atexit handlers ran; now the units' finalizers, newest
    // first; then the executor ends with n.
    std::vector<Unit *> all;
    for (auto it = session_->units.rbegin(); it != session_->units.rend(); ++it)
      all.push_back(it->get());
    try {
      session_->run_finalizers(all, /*tables=*/false);
    } catch (...) {  // nothing throws across the API
    }
    session_->executor->finish_exit();
    (void)session_->recover_if_lost();
    session_->exit_status = status;
    return make_error("the loaded code called exit(", *status, ") while running ", symbol,
                      "; the executor ran its finalizers and ended: the units loaded into it "
                      "are gone (archives stay loaded), and the next use starts a fresh executor");
  }
  if (auto crash = session_->executor->take_crash()) {
    // Named before the units are forgotten: "boom+0x4 in x.obj".
    std::string where = session_->describe_address(crash->pc);
    (void)session_->recover_if_lost();
    return make_error(crash->what, " at ", where, " while running ", symbol,
                      "; the executor ended: the units loaded into it are gone (archives stay "
                      "loaded), and the next use starts a fresh executor");
  }
  if (session_->recover_if_lost())
    return make_error(r.error().message(), " while running ", symbol,
                      "; the units loaded into it are gone (archives stay loaded), and the next use starts a "
                      "fresh executor");
  return r;
}

namespace {

// What a call calls: the symbol's address, and its calling convention
// (its defining unit's) unless `conv` says otherwise.
Expected<std::pair<uint64_t, CallConv>> call_target(const Linker &l, Session &s,
                                                    std::string_view symbol,
                                                    std::optional<CallConv> conv) {
  auto addr = l.lookup(symbol);
  if (!addr)
    return addr.take_error();
  if (!conv) {
    std::shared_lock<std::shared_mutex> guard(s.lock);
    conv = s.calling_convention(symbol);
  }
  return std::pair(*addr, *conv);
}

} // namespace

Expected<int> Linker::call_main(std::string_view symbol, const std::vector<std::string> &argv) {
  auto t = call_target(*this, *session_, symbol, std::nullopt);
  if (!t)
    return t.take_error();
  return after_call(session_->executor->call_main(t->first, argv, t->second), symbol);
}
Expected<int> Linker::call_int(std::string_view symbol) {
  auto t = call_target(*this, *session_, symbol, std::nullopt);
  if (!t)
    return t.take_error();
  return after_call(session_->executor->call_int(t->first, t->second), symbol);
}

Expected<int64_t> Linker::call(std::string_view symbol, std::span<const CallArg> args,
                               std::optional<CallConv> conv) {
  auto t = call_target(*this, *session_, symbol, conv);
  if (!t)
    return t.take_error();
  return after_call(session_->executor->call(t->first, t->second, args), symbol);
}

Expected<double> Linker::call_double(std::string_view symbol, std::span<const CallArg> args,
                                     std::optional<CallConv> conv) {
  auto t = call_target(*this, *session_, symbol, conv);
  if (!t)
    return t.take_error();
  return after_call(session_->executor->call_double(t->first, t->second, args), symbol);
}

std::optional<int> Linker::exit_status() const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  return session_->exit_status;
}

Expected<SymbolInfo> Linker::describe(std::string_view name) const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  return session_->describe(name);
}

std::vector<SymbolInfo> Linker::symbols() const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  return session_->symbol_list();
}

std::vector<UndefinedInfo> Linker::undefined() const {
  std::unique_lock<std::shared_mutex> guard(session_->lock);  // host lookups fill the cache
  return session_->undefined_list();
}

std::vector<std::string> Linker::pending_symbols() const {
  std::unique_lock<std::shared_mutex> guard(session_->lock);  // archives are indexed on demand
  return session_->pending_list();
}

void Linker::set_trace(std::function<void(const std::string &)> sink) {
  EXCLUSIVE;
  session_->trace = std::move(sink);
  if (session_->trace && !session_->reader_note.empty())
    session_->trace(session_->reader_note);  // e.g. io_uring refused: threads read instead
  if (session_->trace && session_->reader_name != "mmap")
    session_->trace("files are read through " + io::reader_description(session_->reader_name));
}
const Stats &Linker::stats() const { return session_->stats; }
std::string Linker::reader() const { return session_->reader_name; }
Executor &Linker::executor() { return *session_->executor; }

MemoryUse Linker::memory_use() const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  return session_->memory_use();
}

std::vector<UnitInfo> Linker::units() const {
  std::shared_lock<std::shared_mutex> guard(session_->lock);
  std::vector<UnitInfo> out;
  for (const auto &u : session_->units) {
    UnitInfo info{u->lu.name, u->ready, u->block ? u->block->mem.base : 0,
                  u->block ? u->block->mem.size : 0, {}};
    for (const Unit *d : u->deps)
      info.depends_on.push_back(d->lu.name);
    out.push_back(std::move(info));
  }
  return out;
}

InputKind Linker::identify(std::span<const uint8_t> bytes) { return identify_input(bytes); }

} // namespace rtlink
