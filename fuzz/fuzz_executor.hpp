// fuzz/fuzz_executor.hpp — the in-process executor with nothing run.
//
// A fuzzed object may have initializers, IFUNC resolvers and unwind tables
// anywhere: running them would test the input's code, not rtlink. So this
// executor does what the in-process one does with memory and symbol
// lookups, and refuses to call anything, to load libraries or to register
// frames (libgcc would read them at the next unwind).
#pragma once

#include <rtlink/executor.hpp>
#include <rtlink/linker.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>
#include <vector>
#include <string>
#include <unistd.h>

namespace rtlink::fuzz {

class NoRunExecutor final : public Executor {
public:
  NoRunExecutor() : in_(make_in_process_executor()) {}
  // What a fuzzed controller reserved and never released goes with the
  // executor (a real one's process ends), or thousands of inputs would use
  // up the address space.
  ~NoRunExecutor() override {
    for (auto [base, size] : reserved_)
      (void)in_->release(base, size);
  }
  std::string describe() const override { return "in process, nothing run (fuzzing)"; }
  uint64_t page_size() const override { return in_->page_size(); }
  // At most 64 MiB a reservation (what fuzz_linker asks for): a fuzzed
  // controller's gigabytes, committed and written, would test only mmap.
  Expected<uint64_t> reserve(uint64_t size, bool low) override {
    if (size > (64u << 20))
      return make_error("fuzzing: a reservation above 64 MiB is refused");
    auto r = in_->reserve(size, low);
    if (r)
      reserved_.emplace_back(*r, size);
    return r;
  }
  Error release(uint64_t base, uint64_t size) override {
    std::erase(reserved_, std::pair{base, size});
    return in_->release(base, size);
  }
  Error commit(uint64_t a, uint64_t size) override { return in_->commit(a, size); }
  Error decommit(uint64_t a, uint64_t size) override { return in_->decommit(a, size); }
  Error write(uint64_t a, std::span<const uint8_t> b) override { return in_->write(a, b); }
  uint8_t *direct_view(uint64_t a) override { return in_->direct_view(a); }
  Error protect(uint64_t a, uint64_t size, Protection p) override { return in_->protect(a, size, p); }
  std::optional<uint64_t> lookup_process_symbol(std::string_view name) override {
    return in_->lookup_process_symbol(name);
  }
  Expected<uint64_t> load_library(const std::string &) override { return refuse(); }
  Error unload_library(uint64_t) override { return Error(); }
  std::optional<uint64_t> lookup_library_symbol(uint64_t, std::string_view) override {
    return std::nullopt;
  }
  Error register_eh_frame(uint64_t) override { return Error(); }
  Error deregister_eh_frame(uint64_t) override { return Error(); }
  Error run_functions(std::span<const uint64_t> fns, CallConv) override {
    return fns.empty() ? Error() : refuse();
  }
  Error run_atexit_handlers(uint64_t) override { return Error(); }
  Expected<int> call_main(uint64_t, const std::vector<std::string> &, CallConv) override {
    return refuse();
  }
  Expected<int> call_int(uint64_t, CallConv) override { return refuse(); }
  Expected<int64_t> call(uint64_t, CallConv, std::span<const CallArg>) override { return refuse(); }
  Expected<double> call_double(uint64_t, CallConv, std::span<const CallArg>) override {
    return refuse();
  }

private:
  static Error refuse() { return make_error("nothing is run or loaded while fuzzing"); }
  std::unique_ptr<Executor> in_;
  std::vector<std::pair<uint64_t, uint64_t>> reserved_;
};

// A linker that runs nothing, in a small range, not searching the process
// (thousands of inputs a second).
inline std::unique_ptr<Linker> fuzz_linker() {
  LinkerOptions o;
  o.executor = std::make_unique<NoRunExecutor>();
  o.reserve_size = 64 << 20;
  o.max_expand = 64 << 20;  // a zstd bomb is refused at once, not after 1 GiB
  auto l = Linker::create(std::move(o));
  if (!l) {
    std::fprintf(stderr, "fuzz: %s\n", l.error().message().c_str());
    std::abort();
  }
  return std::move(*l);
}

// Bytes into a file of this process's own (made once per `which`),
// rewritten each time: archives, scripts and cache entries are read by path.
inline std::string write_file(const char *which, const uint8_t *data, size_t size) {
  static std::map<std::string, std::string> paths;
  std::string &path = paths[which];
  if (path.empty()) {
    std::string t = std::string("/tmp/rtlink-fuzz-") + which + "-XXXXXX";
    int fd = mkstemp(t.data());
    if (fd < 0)
      std::abort();
    close(fd);
    path = t;
  }
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    std::abort();
  if (size)
    std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

// The input as a file.
inline std::string as_file(const uint8_t *data, size_t size) {
  return write_file("input", data, size);
}

} // namespace rtlink::fuzz
