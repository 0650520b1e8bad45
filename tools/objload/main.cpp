// objload — load objects, archives and shared libraries into this process,
// resolve them, and run a symbol. The REPL arrives in a later issue; this is
// batch mode.
#include <rtlink/linker.hpp>

#include "support/format.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char kUsage[] =
    "usage: objload [-L DIR]... [-l NAME]... [--stats] [--trace] [--run SYMBOL [-- ARGS...]] FILE...\n"
    "\n"
    "Loads relocatable objects, static archives and shared libraries into this process,\n"
    "resolves every symbol, and optionally calls one. FILE is told apart by its content:\n"
    "an ELF object, an archive (members pulled in on demand), a shared library (dlopen),\n"
    "or a GNU ld script naming those.\n"
    "\n"
    "  -L DIR           add DIR to the library search path (for every -l)\n"
    "  -l NAME          load libNAME.so or libNAME.a found along the search path,\n"
    "                   then the system's library directories; -l:FILE names the file\n"
    "  --run SYMBOL     after resolving, call SYMBOL and exit with what it returns;\n"
    "                   main is called as int main(int argc, char **argv) with\n"
    "                   argv[0] = \"objload\" and the ARGS after --, any other\n"
    "                   symbol as int SYMBOL(void)\n"
    "  --stats          print the time and memory each phase took, on stderr\n"
    "  --trace          say what was loaded and what each reference resolved to, on stderr\n"
    "  -h, --help       print this help\n"
    "  --version        print the version\n"
    "\n"
    "Without --run, objload loads and resolves the files and exits 0 if they link.\n"
    "Exit status: the value SYMBOL returned; 2 for a load or link error (diagnostics\n"
    "on stderr) or a usage error.\n";

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "objload: %s\nTry 'objload --help'.\n", msg.c_str());
  return 2;
}

void print_stats(const rtlink::Stats &s, std::chrono::nanoseconds call_time) {
  using rtlink::format_bytes;
  using rtlink::format_duration_ns;
  std::fprintf(stderr, "objload: %-8s %10s %12s\n", "phase", "time", "rss after");
  auto row = [&](const char *name, const rtlink::PhaseStat &p, std::chrono::nanoseconds extra) {
    std::fprintf(stderr, "objload: %-8s %10s %12s\n", name,
                 format_duration_ns(uint64_t((p.time + extra).count())).c_str(),
                 format_bytes(p.rss_after).c_str());
  };
  row("read", s.read, {});
  row("parse", s.parse, {});
  row("resolve", s.resolve, {});
  row("layout", s.layout, {});
  row("fixup", s.fixup, {});
  row("run", s.run, call_time);
  std::fprintf(stderr,
               "objload: %llu units (%llu pulled from archives), %llu edges, %llu GOT cells, "
               "%llu stubs, %s mapped\n",
               (unsigned long long)s.units_loaded, (unsigned long long)s.members_pulled,
               (unsigned long long)s.edges_applied, (unsigned long long)s.got_cells,
               (unsigned long long)s.stubs, format_bytes(s.bytes_mapped).c_str());
}

} // namespace

int main(int argc, char **argv) {
  struct Input {
    bool library;  // -l NAME
    std::string value;
  };
  std::vector<std::string> dirs;
  std::vector<Input> inputs;
  std::vector<std::string> run_args{"objload"};
  std::string run;
  bool stats = false, trace = false;

  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *opt) -> const char * {
      size_t n = std::strlen(opt);
      if (a.size() > n && a.compare(0, n, opt) == 0)
        return argv[i] + n + (a[n] == '=' ? 1 : 0);
      if (i + 1 < argc)
        return argv[++i];
      return nullptr;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--version") {
      std::puts("objload (rtlink) 0.1.0");
      return 0;
    } else if (a == "--stats") {
      stats = true;
    } else if (a == "--trace") {
      trace = true;
    } else if (a == "--") {
      for (++i; i < argc; ++i)
        run_args.push_back(argv[i]);
    } else if (a.rfind("-L", 0) == 0) {
      const char *v = value("-L");
      if (!v)
        return usage_error("-L needs a directory");
      dirs.push_back(v);
    } else if (a.rfind("-l", 0) == 0) {
      const char *v = value("-l");
      if (!v)
        return usage_error("-l needs a library name");
      inputs.push_back({true, v});
    } else if (a.rfind("--run", 0) == 0 && (a.size() == 5 || a[5] == '=')) {
      const char *v = value("--run");
      if (!v || !*v)
        return usage_error("--run needs a symbol");
      run = v;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option " + a);
    } else {
      inputs.push_back({false, a});
    }
  }
  if (inputs.empty())
    return usage_error("no input files");
  if (run_args.size() > 1 && run != "main")
    return usage_error("arguments after -- are passed to main; use --run main");

  rtlink::LinkerOptions options;
  options.measure_memory = stats;
  auto linker = rtlink::Linker::create(std::move(options));
  if (!linker) {
    std::fprintf(stderr, "objload: %s\n", linker.error().message().c_str());
    return 2;
  }
  rtlink::Linker &l = **linker;
  if (trace)
    l.set_trace([](const std::string &line) { std::fprintf(stderr, "objload: %s\n", line.c_str()); });
  for (const std::string &d : dirs)
    l.add_search_path(d);

  auto fail = [](const rtlink::Error &e) {
    std::fprintf(stderr, "objload: error: %s\n", e.message().c_str());
    return 2;
  };
  for (const Input &in : inputs) {
    std::string path = in.value;
    if (in.library) {
      auto found = l.find_system_library(in.value);
      if (!found)
        return fail(found.error());
      path = *found;
    }
    if (rtlink::Error e = l.load(path))
      return fail(e);
  }
  if (rtlink::Error e = l.resolve()) {
    if (stats)
      print_stats(l.stats(), {});
    return fail(e);
  }

  int status = 0;
  std::chrono::nanoseconds call_time{0};
  if (!run.empty()) {
    auto start = std::chrono::steady_clock::now();
    auto r = run == "main" ? l.call_main(run, run_args) : l.call_int(run);
    call_time = std::chrono::steady_clock::now() - start;
    if (!r)
      return fail(r.error());
    status = *r;
    std::fflush(stdout);  // what the code printed comes before what objload says of it
    if (trace)
      std::fprintf(stderr, "objload: %s returned %d\n", run.c_str(), status);
  }
  std::fflush(stdout);
  if (stats)
    print_stats(l.stats(), call_time);
  return status;
}
