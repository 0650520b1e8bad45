// objload — load objects, archives and shared libraries into this process,
// resolve them, and run a symbol (batch mode, --run), or keep a session open:
// a REPL on a terminal, commands from stdin otherwise, or from -c.
#include <rtlink/linker.hpp>

#include "commands.hpp"
#include "in_process.hpp"
#include "repl.hpp"

#include "platform/platform.hpp"
#include "support/format.hpp"
#include "support/words.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char kUsage[] =
    "Usage: objload [OPTION]... [--run SYMBOL [-- ARGS...]] FILE...\n"
    "  or:  objload [OPTION]... [--json] [-c 'COMMAND; ...'] [FILE...]\n"
    "\n"
    "Loads relocatable objects, static archives and shared libraries into this process,\n"
    "resolves every symbol, and calls one (--run), or keeps the session open for\n"
    "commands: a REPL when stdin is a terminal, else commands read from stdin, or those\n"
    "given with -c. FILE is told apart by its content: an ELF, COFF or Mach-O object (a\n"
    "universal file's x86-64 slice; Mach-O names without their '_': main is _main), an\n"
    "archive or import library (members pulled in on demand), a shared library (dlopen;\n"
    "a DLL with a Windows executor: LoadLibrary), or a GNU\n"
    "ld script naming those; any of them but a shared library may be compressed with zstd.\n"
    "\n"
    "  -L DIR           add DIR to the library search path (for every -l)\n"
    "  -l NAME          load libNAME.so or libNAME.a found along the search path,\n"
    "                   then the system's library directories (in each directory\n"
    "                   libNAME.so first, as ld); -l:FILE names the file. A library\n"
    "                   named twice is loaded once. With a Windows executor: along\n"
    "                   the search path only, libNAME.a, NAME.lib, libNAME.lib,\n"
    "                   libNAME.dll.a, NAME.dll.a, libNAME.dll, NAME.dll\n"
    "  -Bstatic, -static  the -l options after it find libNAME.a only\n"
    "  -Bdynamic        the -l options after it find libNAME.so, then libNAME.a (the default)\n"
    "  --run SYMBOL     after resolving, call SYMBOL and exit with what it returns;\n"
    "                   main is called as int main(int argc, char **argv) with\n"
    "                   argv[0] = \"objload\" and the ARGS after --, any other\n"
    "                   symbol as int SYMBOL(void)\n"
    "  --stats          print the time and memory each phase took, and where memory\n"
    "                   went (placed pages, link units, symbol tables, inputs), on stderr\n"
    "  --trace          say what was loaded and what each reference resolved to, on stderr\n"
    "  --executor=WHERE\n"
    "                   where loaded code runs: in-process (the default), child (a\n"
    "                   separate objload-executor process: a crash there is reported\n"
    "                   and objload goes on; Ctrl-C stops the call), or a command\n"
    "                   line that starts an executor, given --connect=HOST:PORT\n"
    "                   (e.g. \"/usr/lib/wine/wine64 objload-executor.exe\"); one that\n"
    "                   has not answered within RTLINK_EXECUTOR_TIMEOUT seconds (120)\n"
    "                   is stopped\n"
    "  --io=READER      how files are read: mmap (mapped, nothing copied; the default\n"
    "                   but on Windows), iocp (Windows's I/O completion port, its\n"
    "                   default), io_uring (Linux) or threads (read concurrently);\n"
    "                   RTLINK_IO says the same\n"
    "  --max-expand=SIZE\n"
    "                   the most a zstd-compressed input may expand to (bytes, or with\n"
    "                   K, M, G: 512M, 4G); 1G unless RTLINK_MAX_EXPAND says otherwise\n"
    "  --cache DIR      keep the result of the first link in DIR (created if missing), and\n"
    "                   reuse it when the same files (byte for byte, in the same order),\n"
    "                   libraries and options are linked again: the code is placed and\n"
    "                   bound to this process without parsing or linking anything; a\n"
    "                   damaged entry is ignored with a warning\n"
    "  -c COMMANDS      run these commands (separated by ';') after loading FILE..., then exit\n"
    "  --json           print each command's result as one JSON object per line\n"
    "  -h, --help       print this help\n"
    "  --version        print the version\n"
    "\n"
    "Commands (help lists them; a leading ':' is accepted): load, dll, path, find,\n"
    "resolve, lookup, call, reload (:r), unload, syms, undefined, info, trace,\n"
    "!COMMAND (a shell command), help, quit. In the REPL, Ctrl-C during a call ends\n"
    "objload when the code runs in-process (the default); with --executor=child it\n"
    "stops the call, and the session goes on with a fresh executor.\n"
    "\n"
    "Exit status: with --run, the value SYMBOL returned; with -c or commands from stdin,\n"
    "0 if every command succeeded, else 1; 2 for a load or link error of FILE...\n"
    "(diagnostics on stderr) or a usage error.\n";

// objload-executor (objload-executor.exe on Windows): beside objload
// (installed), or in the build tree's tools/objload-executor/; else whatever
// PATH finds.
std::string executor_path() {
  std::string dir = rtlink::platform::executable_dir();
  for (const std::string &p : {dir + "/objload-executor", dir + "/../objload-executor/objload-executor"})
    for (const std::string &file : {p, p + ".exe"})
      if (rtlink::platform::is_file(file))
        return file;
  return "objload-executor";
}

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "objload: %s\nTry 'objload --help'.\n", msg.c_str());
  return 2;
}

void print_stats(const rtlink::Linker &l, std::chrono::nanoseconds call_time) {
  const rtlink::Stats &s = l.stats();
  using rtlink::format_bytes;
  using rtlink::format_duration_ns;
  std::fprintf(stderr, "objload: %-8s %10s %12s\n", "phase", "time", "rss after");
  auto row = [&](const char *name, const rtlink::PhaseStat &p, std::chrono::nanoseconds extra) {
    std::fprintf(stderr, "objload: %-8s %10s %12s\n", name,
                 format_duration_ns(uint64_t((p.time + extra).count())).c_str(),
                 p.rss_after ? format_bytes(p.rss_after).c_str() : "-");  // never sampled
  };
  row("read", s.read, {});
  row("parse", s.parse, {});
  row("load", s.load, {});
  row("resolve", s.resolve, {});
  row("layout", s.layout, {});
  row("fixup", s.fixup, {});
  row("run", s.run, call_time);
  std::fprintf(stderr,
               "objload: %llu units (%llu pulled from archives), %llu edges, %llu GOT cells, "
               "%llu stubs, %llu rewritten instructions, %s mapped\n",
               (unsigned long long)s.units_loaded, (unsigned long long)s.members_pulled,
               (unsigned long long)s.edges_applied, (unsigned long long)s.got_cells,
               (unsigned long long)s.stubs, (unsigned long long)s.thunks,
               format_bytes(s.bytes_mapped).c_str());
  const rtlink::MemoryUse m = l.memory_use();
  std::fprintf(stderr,
               "objload: memory: %s placed (code %s, read-only %s, data %s), link units %s, "
               "symbol tables %s, inputs %s\n",
               format_bytes(m.code + m.rodata + m.data).c_str(), format_bytes(m.code).c_str(),
               format_bytes(m.rodata).c_str(), format_bytes(m.data).c_str(),
               format_bytes(m.units).c_str(), format_bytes(m.tables).c_str(),
               format_bytes(m.inputs).c_str());
  if (s.bytes_read)
    std::fprintf(stderr, "objload: %s read through the reader\n", format_bytes(s.bytes_read).c_str());
  if (s.cache_hits + s.cache_misses)
    std::fprintf(stderr, "objload: link cache: %llu hit, %llu missed (%llu ignored), %llu stored\n",
                 (unsigned long long)s.cache_hits, (unsigned long long)s.cache_misses,
                 (unsigned long long)s.cache_rejected, (unsigned long long)s.cache_stores);
}

// The loaded program may end objload itself, in-process, with exit(n): n is
// then objload's status, and what objload does after --run returns is done
// here, after the program's own atexit handlers (registered later, run
// earlier) — the C library's order: atexit handlers, then .fini_array.
struct ProgramExit {
  rtlink::Linker *linker = nullptr;
  bool stats = false, trace = false;
  std::string symbol;
  std::chrono::steady_clock::time_point start;
};
ProgramExit *g_program_exit = nullptr;  // set while the program runs in-process

void program_called_exit() {
  ProgramExit *p = g_program_exit;
  if (!p)
    return;
  g_program_exit = nullptr;
  auto call_time = std::chrono::steady_clock::now() - p->start;
  std::fflush(stdout);
  if (p->trace)
    std::fprintf(stderr, "objload: %s called exit\n", p->symbol.c_str());
  if (p->stats)
    print_stats(*p->linker, call_time);
  p->linker->finalize();  // the units' atexit handlers that are left, then their .fini_array
  std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
  struct Input {
    bool library;  // -l NAME
    std::string value;
    bool static_only = false;  // after -Bstatic: libNAME.a only
  };
  bool static_only = false;
  std::vector<std::string> dirs;
  std::vector<Input> inputs;
  std::vector<std::string> run_args{"objload"};
  std::string run, commands, io, cache, executor = "in-process";
  uint64_t max_expand = 0;
  bool stats = false, trace = false, json = false, have_commands = false;

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
      std::puts("objload (rtlink) " RTLINK_VERSION);
      return 0;
    } else if (a == "--executor" || a.rfind("--executor=", 0) == 0) {
      const char *v = value("--executor");
      if (!v || !*v)
        return usage_error("--executor needs in-process, child, or a command line");
      executor = v;
    } else if (a == "--io" || a.rfind("--io=", 0) == 0) {
      const char *v = value("--io");
      if (!v || !*v)
        return usage_error("--io needs a reader: mmap, iocp, io_uring or threads");
      io = v;
    } else if (a == "--max-expand" || a.rfind("--max-expand=", 0) == 0) {
      const char *v = value("--max-expand");
      auto size = rtlink::parse_size(v ? v : "");
      if (!size)
        return usage_error("--max-expand needs a size (bytes, or a number with K, M, G or T), not '" +
                           std::string(v ? v : "") + "'");
      max_expand = *size;
    } else if (a == "--cache" || a.rfind("--cache=", 0) == 0) {
      const char *v = value("--cache");
      if (!v || !*v)
        return usage_error("--cache needs a directory");
      cache = v;
    } else if (a == "--stats") {
      stats = true;
    } else if (a == "--trace") {
      trace = true;
    } else if (a == "--json") {
      json = true;
    } else if (a == "-c") {
      if (i + 1 >= argc)
        return usage_error("-c needs commands");
      commands = argv[++i];
      have_commands = true;
    } else if (a == "--") {
      for (++i; i < argc; ++i)
        run_args.push_back(argv[i]);
    } else if (a == "-Bstatic" || a == "-static") {
      static_only = true;
    } else if (a == "-Bdynamic") {
      static_only = false;
    } else if (a.rfind("-L", 0) == 0) {
      const char *v = value("-L");
      if (!v)
        return usage_error("-L needs a directory");
      dirs.push_back(v);
    } else if (a.rfind("-l", 0) == 0) {
      const char *v = value("-l");
      if (!v)
        return usage_error("-l needs a library name");
      inputs.push_back({true, v, static_only});
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
  const bool interactive = run.empty() && !have_commands && rtlink::platform::is_terminal(0);
  if (inputs.empty() && !run.empty())
    return usage_error("no input files");
  if (run_args.size() > 1 && run != "main")
    return usage_error("arguments after -- are passed to main; use --run main");
  if (!run.empty() && have_commands)
    return usage_error("--run and -c do not go together");

  rtlink::LinkerOptions options;
  options.measure_memory = stats;
  options.io = io;
  options.cache_dir = cache;
  // RTLINK_EXECUTOR_TIMEOUT: seconds an executor has to answer the handshake.
  int handshake_ms = rtlink::RemoteCommand{}.handshake_timeout_ms;
  if (const char *t = std::getenv("RTLINK_EXECUTOR_TIMEOUT"); t && executor != "in-process") {
    char *end = nullptr;
    long s = std::strtol(t, &end, 10);
    if (end == t || *end || s < 1 || s > 86400)
      return usage_error("RTLINK_EXECUTOR_TIMEOUT=" + std::string(t) +
                         ": expected whole seconds from 1 to 86400");
    handshake_ms = int(s * 1000);
  }
  options.max_expand = max_expand;
  if (executor == "in-process") {
    options.executor = rtlink::tools::make_tool_executor();  // (common/in_process.hpp)
  } else if (executor == "child") {
    options.executor =
        rtlink::make_remote_executor({{executor_path(), "--fd=3"}, false, 3, handshake_ms});
  } else {
    auto argv = rtlink::split_words(executor, "\"'");  // quotes keep blanks
    if (argv.empty())
      return usage_error("--executor: an empty command");
    options.executor = rtlink::make_remote_executor({argv, true, 3, handshake_ms});
  }
  const bool remote = executor != "in-process";
  if (remote) {
    // Ctrl-C stops the call under way in the executor, not objload.
    std::signal(SIGINT, [](int) { rtlink::stop_running_call(); });
  }
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

  auto report = [](const rtlink::Error &e) {
    std::fprintf(stderr, "objload: error: %s\n", e.message().c_str());
  };
  auto fail = [&](const rtlink::Error &e) {
    report(e);
    return 2;
  };
  // At a terminal, a file that fails is reported and the REPL starts anyway;
  // otherwise the files are read together (concurrently, with RTLINK_IO set)
  // and loaded in order.
  bool loaded = true;
  std::vector<std::string> paths, loaded_paths;
  for (const Input &in : inputs) {
    std::string path = in.value;
    if (in.library) {
      auto found = l.find_system_library(in.value, in.static_only);
      if (!found) {
        if (!interactive)
          return fail(found.error());
        report(found.error());
        loaded = false;
        continue;
      }
      path = *found;
      // Named again (-lm -lm, as ghc's link lines do): loaded once, as ld links it once.
      if (std::find(paths.begin(), paths.end(), path) != paths.end()) {
        if (trace)
          std::fprintf(stderr, "objload: skipped -l%s (%s): already loaded\n", in.value.c_str(),
                       path.c_str());
        continue;
      }
    }
    paths.push_back(path);
  }
  if (!interactive) {
    if (rtlink::Error e = l.load(paths))
      return fail(e);
    loaded_paths = paths;
  } else {
    for (const std::string &path : paths)
      if (rtlink::Error e = l.load(path)) {
        report(e);
        loaded = false;
      } else {
        loaded_paths.push_back(path);
      }
  }
  if (rtlink::Error e = loaded ? l.resolve() : rtlink::Error()) {
    if (stats)
      print_stats(l, {});
    if (!interactive)
      return fail(e);
    report(e);
  }

  if (run.empty()) {
    // A session: the REPL, -c, or commands from stdin.
    objload::Commands session(l);
    for (const std::string &path : loaded_paths)
      session.loaded(path);  // reload watches them
    int status = 0;
    if (have_commands) {
      status = objload::run_line(session, commands, json) ? 0 : 1;
    } else if (interactive) {
      status = objload::run_repl(session, json, remote);
    } else {
      std::string line;
      for (int c; !session.quit_requested() && (c = std::getchar()) != EOF;) {
        if (c != '\n') {
          line += char(c);
          continue;
        }
        if (!objload::run_line(session, line, json))
          status = 1;
        line.clear();
      }
      if (!line.empty() && !session.quit_requested() && !objload::run_line(session, line, json))
        status = 1;
    }
    if (stats)
      print_stats(l, {});
    return status;
  }

  int status = 0;
  std::chrono::nanoseconds call_time{0};
  {
    // What the program prints is not lost when it crashes (nor, with
    // --executor=child, in the executor, which does the same).
    rtlink::platform::flush_output_on_crash(nullptr);
    static ProgramExit on_exit;
    if (!remote) {
      on_exit = {&l, stats, trace, run, std::chrono::steady_clock::now()};
      std::atexit(program_called_exit);
      g_program_exit = &on_exit;
    }
    auto start = std::chrono::steady_clock::now();
    auto r = run == "main" ? l.call_main(run, run_args) : l.call_int(run);
    call_time = std::chrono::steady_clock::now() - start;
    g_program_exit = nullptr;  // it returned
    if (!r) {
      if (std::optional<int> exited = l.exit_status()) {
        // exit(n) in the executor: its atexit handlers and the units'
        // finalizers ran there, and it ended with n; so does objload.
        std::fflush(stdout);
        if (trace)
          std::fprintf(stderr, "objload: %s called exit(%d)\n", run.c_str(), *exited);
        if (stats)
          print_stats(l, call_time);
        return *exited;
      }
      return fail(r.error());
    }
    status = *r;
    std::fflush(stdout);  // what the code printed comes before what objload says of it
    if (trace)
      std::fprintf(stderr, "objload: %s returned %d\n", run.c_str(), status);
  }
  std::fflush(stdout);
  if (stats)
    print_stats(l, call_time);
  if (!remote) {
    // Finalizers run; the rest goes with the process, which takes back
    // pages and heap faster than freeing them one by one (kept reachable,
    // so a leak checker does not count it).
    l.finalize();
    static rtlink::Linker *left = linker->release();
    (void)left;
  }
  return status;
}
