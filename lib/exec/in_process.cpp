// exec/in_process.cpp — the executor that is the host process itself.
#include "exec/native.hpp"
#include "platform/platform.hpp"
#include <rtlink/executor.hpp>

#include <cstring>
#include <mutex>

namespace rtlink {

namespace {

// Calls `f` with the arguments, Bytes turned into pointers to copies that
// live for the call.
template <class F> auto with_pointers(std::span<const CallArg> args, F &&f) {
  std::vector<std::string> copies;
  copies.reserve(args.size());
  std::vector<CallArg> plain(args.begin(), args.end());
  for (CallArg &a : plain)
    if (a.kind == CallArg::Bytes) {
      copies.push_back(a.bytes);
      a.kind = CallArg::Int;
      a.bits = reinterpret_cast<uint64_t>(copies.back().c_str());
    }
  return f(std::span<const CallArg>(plain));
}

class InProcessExecutor final : public Executor {
public:
  explicit InProcessExecutor(std::vector<std::string> process_libraries)
      : process_libraries_(std::move(process_libraries)) {}
  std::string describe() const override { return "in-process"; }
  uint64_t page_size() const override { return platform::page_size(); }
  CallConv native_convention() const override {
    return native_convention_of(native_arch(), platform::os_kind() == 2);
  }
  Arch arch() const override { return native_arch(); }
  Expected<uint64_t> reserve(uint64_t size, bool low) override {
    return platform::reserve(size, low);
  }
  Error release(uint64_t base, uint64_t size) override { return platform::release(base, size); }
  Error commit(uint64_t addr, uint64_t size) override { return platform::commit(addr, size); }
  Error decommit(uint64_t addr, uint64_t size) override { return platform::decommit(addr, size); }
  Error write(uint64_t addr, std::span<const uint8_t> bytes) override {
    if (!bytes.empty())
      std::memcpy(reinterpret_cast<void *>(addr), bytes.data(), bytes.size());
    return Error::success();
  }
  uint8_t *direct_view(uint64_t addr) override { return reinterpret_cast<uint8_t *>(addr); }
  void prefault(uint64_t addr, uint64_t size) override { platform::prefault(addr, size); }
  Error map_file(uint64_t addr, uint64_t size, const std::string &path, uint64_t offset) override {
    return platform::map_file_at(addr, size, path, offset);
  }
  // Code runs only from pages made read-execute, after whatever wrote them
  // (write, the controller through direct_view, process_vm_writev, a file
  // mapped copy-on-write by map_file, which maps pages writable and never
  // executable): this is where the instruction cache is made to see it.
  Error protect(uint64_t addr, uint64_t size, Protection prot) override {
    if (Error e = platform::protect(addr, size, prot))
      return e;
    if (prot == Protection::ReadExecute)
      sync_instruction_cache(addr, size);
    return Error::success();
  }
  Expected<uint64_t> create_tls_module(uint64_t image, uint64_t image_size, uint64_t size,
                                       uint64_t align) override {
    return platform::create_tls_module(image, image_size, size, align);
  }
  Expected<StaticTls> create_static_tls_module(std::span<const uint8_t> image, uint64_t size,
                                               uint64_t align) override {
    auto m = platform::create_static_tls_module(image, size, align);
    if (!m)
      return m.take_error();
    return StaticTls{m->module, m->offset};
  }
  Error destroy_tls_module(uint64_t module) override {
    platform::destroy_tls_module(module);
    return Error::success();
  }
  Expected<RuntimeFunctions> runtime_functions() override {
    return platform::runtime_functions();
  }
  std::vector<std::optional<bool>> is_code(std::span<const uint64_t> addrs) override {
    std::vector<std::optional<bool>> out;
    for (uint64_t a : addrs)
      out.push_back(platform::is_code_address(a));
    return out;
  }
  std::optional<uint64_t> lookup_process_symbol(std::string_view name) override {
    if (auto a = platform::process_symbol(name))
      return a;
    std::lock_guard<std::mutex> g(opening_);
    while (opened_ < process_libraries_.size()) {
      (void)platform::open_into_process(process_libraries_[opened_++]);
      if (auto a = platform::process_symbol(name))
        return a;
    }
    return std::nullopt;
  }
  Expected<uint64_t> load_library(const std::string &path) override {
    return platform::open_library(path);
  }
  Error unload_library(uint64_t handle) override { return platform::close_library(handle); }
  std::optional<uint64_t> lookup_library_symbol(uint64_t handle, std::string_view name) override {
    return platform::library_symbol(handle, name);
  }
  std::optional<uint64_t> lookup_import(const std::string &dll, std::string_view name,
                                        std::optional<uint16_t> ordinal) override {
    return platform::import_symbol(dll, name, ordinal);
  }
  Error set_library_dirs(std::span<const std::string> dirs) override {
    return platform::set_library_dirs(dirs);
  }
  Error register_function_tables(std::span<const FunctionTable> tables) override {
    return platform::add_function_tables(tables);
  }
  Error deregister_function_tables(std::span<const uint64_t> tables) override {
    platform::delete_function_tables(tables);
    return Error::success();
  }
  Error register_eh_frame(uint64_t addr) override {
    platform::register_eh_frame(addr);
    return Error::success();
  }
  Error deregister_eh_frame(uint64_t addr) override {
    platform::deregister_eh_frame(addr);
    return Error::success();
  }
  Error run_functions(std::span<const uint64_t> functions, CallConv conv) override {
    for (uint64_t f : functions)
      if (Error e = rtlink::call_void(f, conv))
        return e;
    return Error::success();
  }
  Error run_atexit_handlers(uint64_t dso_handle) override {
    platform::run_atexit_handlers(dso_handle);
    return Error::success();
  }
  Expected<int> call_main(uint64_t addr, const std::vector<std::string> &argv,
                          CallConv conv) override {
    std::vector<std::string> copies(argv);
    std::vector<char *> ptrs;
    for (std::string &s : copies)
      ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
    return rtlink::call_main(addr, int(copies.size()), ptrs.data(), conv);
  }
  Expected<int64_t> call(uint64_t addr, CallConv conv, std::span<const CallArg> args) override {
    return with_pointers(args, [&](std::span<const CallArg> plain) {
      return call_with_args(addr, conv, plain);
    });
  }
  Expected<double> call_double(uint64_t addr, CallConv conv,
                               std::span<const CallArg> args) override {
    return with_pointers(args, [&](std::span<const CallArg> plain) {
      return call_double_with_args(addr, conv, plain);
    });
  }
  Expected<int> call_int(uint64_t addr, CallConv conv) override {
    return rtlink::call_int(addr, conv);
  }

private:
  std::vector<std::string> process_libraries_;
  size_t opened_ = 0;  // of process_libraries_
  std::mutex opening_;
};

} // namespace

std::unique_ptr<Executor> make_in_process_executor(std::vector<std::string> process_libraries) {
  return std::make_unique<InProcessExecutor>(std::move(process_libraries));
}

} // namespace rtlink
