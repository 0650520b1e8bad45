// objload/commands.cpp — load, dll, path, find, resolve, lookup, call,
// unload, syms, undefined, info, trace, help, quit.
#include "commands.hpp"
#include "platform/platform.hpp"

#include "support/format.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <cstdlib>

#include <llvm/Support/GlobPattern.h>

namespace objload {

using nlohmann::json;

namespace {

const char kCallUsage[] = "call SYMBOL [ARG...] [--ms|--sysv] [-> long|int|double|float]";

struct Help {
  const char *name, *usage, *text;
};

const Help kHelp[] = {
    {"load", "load PATH...", "Load objects, archives and shared libraries, told apart by content."},
    {"dll", "dll NAME|PATH", "Load a shared library: a path, or a name found along the search path "
                             "(libNAME.so) or by the system's loader."},
    {"path", "path add DIR | path remove DIR | path list",
     "The library search path, searched before the system's directories."},
    {"find", "find NAME", "Find libNAME.so or libNAME.a along the search path."},
    {"resolve", "resolve", "Resolve everything loaded since the last resolve: pull archive "
                           "members, bind, lay out, apply fixups, run initializers."},
    {"lookup", "lookup SYMBOL", "The symbol's address and what defines it."},
    {"call", kCallUsage,
     "Call SYMBOL as long SYMBOL(ARG...), or as returning what -> says: -> double prints "
     "the double it returned (call strtod \"2.5\" 0 -> double), -> float the float "
     "(call strtof \"2.5\" 0 -> float), -> int the int (eax, sign-extended). "
     "Arguments: integers (decimal or 0x hex), \"strings\" (passed as a pointer to a copy), "
     "doubles (1.5, 2e3), floats (1.5f: for a float parameter). What was loaded since the last resolve is resolved "
     "first, and the archive member that defines SYMBOL pulled in. The calling convention is "
     "the defining object's (Microsoft x64 for COFF) unless --ms or --sysv says otherwise. "
     "A long or int is printed in decimal and in hex. In-process (the default executor) a "
     "call cannot be stopped: Ctrl-C during it ends objload; with --executor=child, Ctrl-C "
     "stops the call and the session goes on with a fresh executor."},
    {"reload", "reload",
     "Unload the files loaded (by load or on the command line) that changed on disk since, "
     "and those whose code went with a lost executor (--executor=child after a crash), "
     "with the files whose units depend on theirs; load them again, in the same order, and "
     "resolve. :r says the same, as in GHCi."},
    {"unload", "unload PATH...", "Unload objects (all at once: the halves of a cycle go "
                                 "together), an archive's members, or a library."},
    {"syms", "syms [GLOB]", "The symbols resolved units define, with their addresses."},
    {"undefined", "undefined", "What the units loaded since the last resolve still need, and "
                               "where it is available."},
    {"info", "info", "Loaded units, memory in use, the executor."},
    {"trace", "trace on|off", "Say what is loaded and what each reference resolves to."},
    {"!", "!COMMAND", "Run COMMAND (the rest of the line, ';' included) with /bin/sh; "
                      "fails if it exits with a status other than 0."},
    {"help", "help [COMMAND]", "This help, or one command's."},
    {"quit", "quit", "Leave objload (also Ctrl-D)."},
};

json failure(const std::string &command, const std::string &message) {
  return {{"command", command}, {"ok", false}, {"error", message}};
}

json success(const std::string &command) { return {{"command", command}, {"ok", true}}; }

// The shortest text that reads back as `d`, with a point or an exponent
// (3.0, not 3): what GHCi shows for a Double.
template <typename Real> std::string format_real(Real d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (s.find_first_not_of("-0123456789") == std::string::npos)
    s += ".0";
  return s;
}

// A file's identity and last change (none if it cannot be read).
std::optional<rtlink::FileIdentity> identity_of(const std::string &path) {
  auto id = rtlink::platform::file_identity(path);
  return id ? std::optional<rtlink::FileIdentity>(*id) : std::nullopt;
}

// Whether a unit comes from the file `path`: the object, or a member of the archive.
bool unit_of(const std::string &unit, const std::string &path) {
  return unit == path || (unit.size() > path.size() + 1 && unit.starts_with(path) &&
                          unit[path.size()] == '(');
}

// "1 unit", "2 units".
std::string count(size_t n, const char *noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// "42", "-7", "0x2a" → integer; "1.5", "2e3" → double.
bool parse_number(const std::string &s, rtlink::CallArg &arg) {
  const char *b = s.data(), *e = s.data() + s.size();
  bool neg = !s.empty() && s[0] == '-';
  const char *digits = b + (neg ? 1 : 0);
  if (e - digits > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(digits + 2, e, v, 16);
    if (ec != std::errc() || p != e)
      return false;
    arg = {rtlink::CallArg::Int, neg ? uint64_t(-int64_t(v)) : v, {}};
    return true;
  }
  int64_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec == std::errc() && p == e) {
    arg = {rtlink::CallArg::Int, uint64_t(v), {}};
    return true;
  }
  char *end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  const char *stop = s.c_str() + s.size();
  // 1.5f: a float, whose bits fill the low half of the register a float
  // parameter is read from (xmm, s), the upper half zero.
  if (!s.empty() && end == stop - 1 && (*end == 'f' || *end == 'F') && end != s.c_str()) {
    float f = std::strtof(s.substr(0, s.size() - 1).c_str(), nullptr);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    arg = {rtlink::CallArg::Float, bits, {}};
    return true;
  }
  if (s.empty() || end != stop)
    return false;
  uint64_t bits;
  static_assert(sizeof bits == sizeof d);
  std::memcpy(&bits, &d, 8);
  arg = {rtlink::CallArg::Float, bits, {}};
  return true;
}

// A float result: the low half of the register a double is returned in.
float low_float(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  const uint32_t low = static_cast<uint32_t>(bits);
  float f;
  std::memcpy(&f, &low, 4);
  return f;
}

} // namespace

bool split_commands(const std::string &line, std::vector<std::vector<Token>> &commands,
                    std::string &error) {
  commands.clear();
  std::vector<Token> cur;
  size_t i = 0;
  auto finish = [&] {
    if (!cur.empty())
      commands.push_back(std::move(cur));
    cur.clear();
  };
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == ';' || c == '\n') {
      finish();
      ++i;
    } else if (cur.empty() && (c == '!' || line.compare(i, 2, ":!") == 0)) {
      // A shell command takes the rest of the line, ';' and quotes included.
      size_t bang = line.find('!', i), end = std::min(line.find('\n', i), line.size());
      cur.push_back({line.substr(i, bang + 1 - i)});
      size_t from = std::min(line.find_first_not_of(" \t", bang + 1), end);
      cur.push_back({line.substr(from, end - from), true});
      i = end;
    } else if (c == '"') {
      Token t{"", true};
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          char n = line[++i];
          t.text += n == 'n' ? '\n' : n == 't' ? '\t' : n;
        } else {
          t.text += line[i];
        }
      }
      if (i >= line.size()) {
        error = "unterminated string";
        return false;
      }
      ++i;
      cur.push_back(std::move(t));
    } else {
      Token t;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != ';' &&
             line[i] != '\r' && line[i] != '\n')
        t.text += line[i++];
      cur.push_back(std::move(t));
    }
  }
  finish();
  return true;
}

const std::vector<std::string> &Commands::names() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const Help &h : kHelp)
      v.push_back(h.name);
    v.push_back("exit");
    return v;
  }();
  return all;
}

std::vector<std::string> Commands::symbol_names() const {
  std::vector<std::string> out;
  for (const auto &s : l_.symbols())
    out.push_back(s.name);
  for (std::string &n : l_.pending_symbols())  // a lookup or a call resolves them
    out.push_back(std::move(n));
  return out;
}

// Before a lookup or a call, as GHCi links on demand: what was loaded since
// the last resolve is resolved, and the archive member that defines `symbol`
// is pulled in when a loaded archive offers it and nothing has pulled it yet.
// Says nothing unless that resolve fails (`error`). True if a member was pulled.
bool Commands::resolve_for(const std::string &symbol, std::string &error) {
  if (l_.lookup(symbol))
    return false;
  bool pending = false;
  for (const rtlink::UnitInfo &u : l_.units())
    pending |= !u.resolved;
  bool pulled = !l_.require(symbol);  // an error: no archive offers it
  if (!pending && !pulled)
    return false;  // the lookup's own error says it is nowhere
  if (rtlink::Error e = l_.resolve()) {
    error = "resolving what was loaded, to find " + symbol + ": " + e.message();
    return false;
  }
  note_linked();
  return pulled;
}

void Commands::loaded(const std::string &path) {
  std::erase_if(watched_, [&](const Watched &w) { return w.path == path; });
  watched_.push_back({path, identity_of(path)});
}

void Commands::note_linked() {
  const std::vector<rtlink::UnitInfo> units = l_.units();
  for (Watched &w : watched_)
    w.linked = w.linked || std::any_of(units.begin(), units.end(), [&](const rtlink::UnitInfo &u) {
                 return unit_of(u.name, w.path);
               });
}

// The files that changed on disk since they were loaded, those whose units
// went with a lost executor, and those whose units depend on theirs (they
// cannot stay without them), are unloaded at once, loaded again in their
// first order, and resolved.
json Commands::reload() {
  std::vector<rtlink::UnitInfo> units = l_.units();
  std::vector<bool> again(watched_.size());
  bool any = false;
  for (size_t i = 0; i < watched_.size(); ++i) {
    const bool lost = watched_[i].linked && std::none_of(units.begin(), units.end(),
                                                         [&](const rtlink::UnitInfo &u) {
                                                           return unit_of(u.name, watched_[i].path);
                                                         });
    any |= again[i] = lost || identity_of(watched_[i].path) != watched_[i].identity;
  }
  if (!any) {
    json r = success("reload");
    r["reloaded"] = json::array();
    return r;
  }
  // A unit of a file going again takes the units that depend on it along.
  auto going = [&](const std::string &unit) {
    for (size_t i = 0; i < watched_.size(); ++i)
      if (again[i] && unit_of(unit, watched_[i].path))
        return true;
    return false;
  };
  for (bool grew = true; grew;) {
    grew = false;
    for (const rtlink::UnitInfo &u : units) {
      if (going(u.name) || std::none_of(u.depends_on.begin(), u.depends_on.end(), going))
        continue;
      auto w = std::find_if(watched_.begin(), watched_.end(),
                            [&](const Watched &w) { return unit_of(u.name, w.path); });
      if (w == watched_.end())
        return failure("reload", "cannot reload: " + u.name +
                                     " depends on a file that changed, and was not loaded by a "
                                     "path to load again");
      again[size_t(w - watched_.begin())] = grew = true;
    }
  }
  std::vector<std::string> held, reloaded;
  for (size_t i = 0; i < watched_.size(); ++i) {
    if (!again[i])
      continue;
    reloaded.push_back(watched_[i].path);
    if (std::any_of(units.begin(), units.end(),
                    [&](const rtlink::UnitInfo &u) { return unit_of(u.name, watched_[i].path); }))
      held.push_back(watched_[i].path);
    else
      (void)l_.unload(watched_[i].path);  // an archive nothing was pulled from, or not loaded
  }
  json r = success("reload");
  r["reloaded"] = reloaded;
  if (rtlink::Error e = held.empty() ? rtlink::Error() : l_.unload(held))
    return failure("reload", e.message());
  for (const std::string &p : reloaded) {
    if (rtlink::Error e = l_.load(p))
      return failure("reload", e.message());
    loaded(p);
  }
  if (rtlink::Error e = l_.resolve())
    return failure("reload", e.message());
  r["units"] = l_.units().size();
  return r;
}

json Commands::run(const std::vector<Token> &tokens) {
  if (tokens.empty())
    return success("");
  note_linked();  // before a command that may lose the executor
  std::string cmd = tokens[0].text;
  if (!cmd.empty() && cmd[0] == ':')  // as in GHCi
    cmd.erase(0, 1);
  if (cmd == "r")  // GHCi's :r
    cmd = "reload";
  std::vector<std::string> args;
  for (size_t i = 1; i < tokens.size(); ++i)
    args.push_back(tokens[i].text);
  auto need = [&](size_t min, size_t max) -> std::string {
    if (args.size() >= min && args.size() <= max)
      return {};
    for (const Help &h : kHelp)
      if (cmd == h.name)
        return std::string("usage: ") + h.usage;
    return "wrong arguments";
  };

  if (cmd == "load") {
    if (auto u = need(1, SIZE_MAX); !u.empty())
      return failure(cmd, u);
    json loaded = json::array();
    for (const std::string &p : args) {
      if (rtlink::Error e = l_.load(p)) {
        json r = failure(cmd, e.message());
        r["loaded"] = loaded;
        return r;
      }
      loaded.push_back(p);
      this->loaded(p);
    }
    json r = success(cmd);
    r["loaded"] = loaded;
    return r;
  }
  if (cmd == "dll") {
    if (auto u = need(1, 1); !u.empty())
      return failure(cmd, u);
    std::string target = args[0];
    if (target.find('/') == std::string::npos && target.find(".so") == std::string::npos)
      if (auto found = l_.find_system_library(target);
          found && found->size() > 3 && found->substr(found->size() - 3) == ".so")
        target = *found;
    if (rtlink::Error e = l_.load_library(target))
      return failure(cmd, e.message());
    json r = success(cmd);
    r["library"] = target;
    return r;
  }
  if (cmd == "path") {
    if (args.empty() || (args[0] != "list" && args.size() != 2) ||
        (args[0] != "add" && args[0] != "remove" && args[0] != "list"))
      return failure(cmd, "usage: path add DIR | path remove DIR | path list");
    if (args[0] == "add") {
      if (paths_.count(args[1]))
        return failure(cmd, args[1] + " is on the search path already");
      paths_[args[1]] = l_.add_search_path(args[1]);
    } else if (args[0] == "remove") {
      auto it = paths_.find(args[1]);
      if (it == paths_.end())
        return failure(cmd, args[1] + " is not on the search path (path list shows it)");
      if (rtlink::Error e = l_.remove_search_path(it->second))
        return failure(cmd, e.message());
      paths_.erase(it);
    }
    json r = success(cmd);
    r["paths"] = l_.search_paths();
    r["list"] = args[0] == "list";
    return r;
  }
  if (cmd == "find") {
    if (auto u = need(1, 1); !u.empty())
      return failure(cmd, u);
    auto found = l_.find_system_library(args[0]);
    if (!found)
      return failure(cmd, found.error().message());
    json r = success(cmd);
    r["path"] = *found;
    return r;
  }
  if (cmd == "resolve") {
    if (auto u = need(0, 0); !u.empty())
      return failure(cmd, u);
    if (rtlink::Error e = l_.resolve())
      return failure(cmd, e.message());
    json r = success(cmd);
    r["units"] = l_.units().size();
    return r;
  }
  if (cmd == "lookup") {
    if (auto u = need(1, 1); !u.empty())
      return failure(cmd, u);
    std::string resolve_error;
    bool pulled = resolve_for(args[0], resolve_error);
    if (!resolve_error.empty())
      return failure(cmd, resolve_error);
    auto info = l_.describe(args[0]);
    if (!info)
      return failure(cmd, info.error().message());
    json r = success(cmd);
    r["pulled"] = pulled;
    r["symbol"] = info->name;
    r["address"] = rtlink::hex(info->address);
    r["defined_by"] = info->defined_by;
    return r;
  }
  if (cmd == "call") {
    if (args.empty())
      return failure(cmd, std::string("usage: ") + kCallUsage);
    std::optional<rtlink::CallConv> conv;
    std::vector<rtlink::CallArg> call_args;
    std::string type = "long";  // what SYMBOL returns
    for (size_t i = 2; i < tokens.size(); ++i) {
      const Token &t = tokens[i];
      if (!t.quoted && t.text.starts_with("->")) {
        type = t.text.size() > 2 ? t.text.substr(2) : i + 1 < tokens.size() ? tokens[++i].text : "";
        if (type != "long" && type != "int" && type != "double" && type != "float")
          return failure(cmd, "-> needs the result's type: long, int, double or float" +
                                  (type.empty() ? std::string() : ", not " + type));
      } else if (!t.quoted && t.text == "--ms") {
        conv = rtlink::CallConv::Microsoft;
      } else if (!t.quoted && t.text == "--sysv") {
        conv = rtlink::CallConv::SysV;
      } else if (t.quoted) {
        call_args.push_back({rtlink::CallArg::Bytes, 0, t.text});
      } else {
        rtlink::CallArg a;
        if (!parse_number(t.text, a))
          return failure(cmd, "argument " + std::to_string(i - 1) + " (" + t.text +
                                  ") is not a number; write strings in double quotes");
        call_args.push_back(a);
      }
    }
    std::string resolve_error;
    resolve_for(args[0], resolve_error);
    if (!resolve_error.empty())
      return failure(cmd, resolve_error);
    json r = success(cmd);
    r["symbol"] = args[0];
    r["type"] = type;
    if (type == "double" || type == "float") {
      auto result = l_.call_double(args[0], call_args, conv);
      if (!result)
        return failure(cmd, result.error().message());
      // null in JSON if not finite; "text" says which
      if (type == "float") {
        r["result"] = low_float(*result);
        r["text"] = format_real(low_float(*result));
      } else {
        r["result"] = *result;
        r["text"] = format_real(*result);
      }
      return r;
    }
    auto result = l_.call(args[0], call_args, conv);
    if (!result)
      return failure(cmd, result.error().message());
    // An int is eax: the upper half of rax is not the function's.
    int64_t value = type == "int" ? int64_t(int32_t(*result)) : *result;
    r["result"] = value;
    r["hex"] = rtlink::hex(type == "int" ? uint64_t(uint32_t(value)) : uint64_t(value));
    return r;
  }
  if (cmd == "unload") {
    if (auto u = need(1, SIZE_MAX); !u.empty())
      return failure(cmd, u);
    if (rtlink::Error e = l_.unload(args))
      return failure(cmd, e.message());
    std::erase_if(watched_, [&](const Watched &w) {
      return std::find(args.begin(), args.end(), w.path) != args.end();
    });
    json r = success(cmd);
    r["unloaded"] = args;
    return r;
  }
  if (cmd == "syms") {
    if (auto u = need(0, 1); !u.empty())
      return failure(cmd, u);
    // A shell pattern (*, ?, [a-z], \ quoting), matched by LLVM's
    // GlobPattern, as fnmatch(3) would.
    std::optional<llvm::GlobPattern> pattern;
    if (!args.empty()) {
      auto p = llvm::GlobPattern::create(args[0]);
      if (!p)
        return failure(cmd, args[0] + ": not a pattern: " + llvm::toString(p.takeError()));
      pattern = std::move(*p);
    }
    json list = json::array();
    for (const auto &s : l_.symbols())
      if (!pattern || pattern->match(s.name))
        list.push_back({{"name", s.name}, {"address", rtlink::hex(s.address)},
                        {"defined_by", s.defined_by}});
    json r = success(cmd);
    r["symbols"] = list;
    return r;
  }
  if (cmd == "undefined") {
    if (auto u = need(0, 0); !u.empty())
      return failure(cmd, u);
    json list = json::array();
    for (const auto &u : l_.undefined())
      list.push_back({{"name", u.name}, {"referenced_by", u.referenced_by},
                      {"available_from", u.available_from}});
    json r = success(cmd);
    r["undefined"] = list;
    return r;
  }
  if (cmd == "info") {
    if (auto u = need(0, 0); !u.empty())
      return failure(cmd, u);
    json units = json::array();
    for (const auto &u : l_.units())
      units.push_back({{"name", u.name}, {"resolved", u.resolved},
                       {"base", rtlink::hex(u.base)}, {"size", u.size}});
    json r = success(cmd);
    r["units"] = units;
    r["memory_mapped"] = l_.stats().bytes_mapped;
    r["executor"] = l_.executor().describe();
    r["executor_arch"] = rtlink::arch_name(l_.executor().arch());
    r["search_paths"] = l_.search_paths();
    return r;
  }
  if (cmd == "trace") {
    if (args.size() != 1 || (args[0] != "on" && args[0] != "off"))
      return failure(cmd, "usage: trace on|off");
    if (args[0] == "on")
      l_.set_trace([](const std::string &line) { std::fprintf(stderr, "trace: %s\n", line.c_str()); });
    else
      l_.set_trace(nullptr);
    json r = success(cmd);
    r["trace"] = args[0];
    return r;
  }
  if (cmd == "help") {
    if (auto u = need(0, 1); !u.empty())
      return failure(cmd, u);
    std::string name = args.empty() ? "" : args[0];
    if (name.size() > 1 && name[0] == ':')  // help :load
      name.erase(0, 1);
    if (name == "r")
      name = "reload";
    json list = json::array();
    for (const Help &h : kHelp)
      if (args.empty() || name == h.name)
        list.push_back({{"name", h.name}, {"usage", h.usage}, {"text", h.text}});
    if (list.empty())
      return failure(cmd, "no command named " + args[0] + " (help lists them)");
    json r = success(cmd);
    r["commands"] = list;
    r["detail"] = !args.empty();
    return r;
  }
  if (cmd == "reload") {
    if (auto u = need(0, 0); !u.empty())
      return failure(cmd, u);
    return reload();
  }
  if (cmd == "!") {
    const std::string &line = tokens.size() > 1 ? tokens[1].text : std::string();
    if (line.empty())
      return failure(cmd, "usage: !COMMAND");
    std::fflush(stdout);  // what objload printed comes first
    int status = std::system(line.c_str());
    json r = status == 0 ? success(cmd) : failure(cmd, "");
    r["shell_command"] = line;
    if (status == -1) {
      r["error"] = std::string("cannot run a shell: ") + std::strerror(errno);
    } else if (auto end = rtlink::platform::command_end(status); end.signal) {
      r["signal"] = end.signal;
      r["error"] = "the shell command was ended by signal " + std::to_string(end.signal);
    } else {
      r["status"] = end.status;
      if (end.status != 0)
        r["error"] = "the shell command exited with status " + std::to_string(end.status);
    }
    return r;
  }
  if (cmd == "quit" || cmd == "exit") {
    quit_ = true;
    return success("quit");
  }
  return failure(cmd, "unknown command " + cmd + " (help lists the commands)");
}

std::string Commands::render(const json &r) {
  const std::string cmd = r.value("command", "");
  if (!r.value("ok", false))
    return "error: " + r.value("error", "") + "\n";
  std::string out;
  if (cmd == "load") {
    for (const auto &p : r["loaded"])
      out += "loaded " + p.get<std::string>() + "\n";
  } else if (cmd == "dll") {
    out = "loaded " + r["library"].get<std::string>() + "\n";
  } else if (cmd == "path") {
    if (r["list"].get<bool>()) {
      for (const auto &p : r["paths"])
        out += p.get<std::string>() + "\n";
      if (r["paths"].empty())
        out = "(no search paths; the system's directories are searched)\n";
    }
  } else if (cmd == "find") {
    out = r["path"].get<std::string>() + "\n";
  } else if (cmd == "resolve") {
    out = "resolved (" + count(r["units"].get<size_t>(), "unit") + " loaded)\n";
  } else if (cmd == "lookup") {
    out = r["symbol"].get<std::string>() + " = " + r["address"].get<std::string>() + " (" +
          r["defined_by"].get<std::string>() + ")\n";
  } else if (cmd == "call") {
    out = r["symbol"].get<std::string>() + " returned " +
          (r.contains("text") ? r["text"].get<std::string>()
                              : std::to_string(r["result"].get<int64_t>()) + " (" +
                                    r["hex"].get<std::string>() + ")") +
          "\n";
  } else if (cmd == "reload") {
    for (const auto &p : r["reloaded"])
      out += "reloaded " + p.get<std::string>() + "\n";
    out += r["reloaded"].empty()
               ? "nothing changed on disk\n"
               : "resolved (" + count(r["units"].get<size_t>(), "unit") + " loaded)\n";
  } else if (cmd == "unload") {
    for (const auto &p : r["unloaded"])
      out += "unloaded " + p.get<std::string>() + "\n";
  } else if (cmd == "syms") {
    for (const auto &s : r["symbols"])
      out += s["address"].get<std::string>() + "  " + s["name"].get<std::string>() + "  (" +
             s["defined_by"].get<std::string>() + ")\n";
  } else if (cmd == "undefined") {
    for (const auto &u : r["undefined"]) {
      out += u["name"].get<std::string>() + "  referenced by";
      for (const auto &by : u["referenced_by"])
        out += " " + by.get<std::string>();
      std::string from = u["available_from"].get<std::string>();
      out += from.empty() ? "  (nowhere)\n" : "  (available from " + from + ")\n";
    }
    if (r["undefined"].empty())
      out = "nothing is undefined\n";
  } else if (cmd == "info") {
    for (const auto &u : r["units"])
      out += u["name"].get<std::string>() + "  " +
             (u["resolved"].get<bool>() ? "resolved at " + u["base"].get<std::string>()
                                        : std::string("loaded, not resolved")) +
             "\n";
    out += count(r["units"].size(), "unit") + ", " +
           rtlink::format_bytes(r["memory_mapped"].get<uint64_t>()) + " mapped, executor " +
           r["executor"].get<std::string>() + ", " + r["executor_arch"].get<std::string>() +
           "\n";
  } else if (cmd == "trace") {
    out = "trace " + r["trace"].get<std::string>() + "\n";
  } else if (cmd == "help") {
    for (const auto &h : r["commands"]) {
      out += "  " + h["usage"].get<std::string>() + "\n";
      if (r["detail"].get<bool>())
        out += "      " + h["text"].get<std::string>() + "\n";
    }
    if (!r["detail"].get<bool>())
      out += "A leading ':' is accepted (:load, :call). help COMMAND says more.\n";
  }
  return out;
}

} // namespace objload
