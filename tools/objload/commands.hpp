// objload's commands: the same for the REPL, stdin scripts and -c.
//
// Each command produces one result: a JSON object (what --json prints, one
// per line) from which the text output is also made, so both always agree.
#pragma once

#include <rtlink/linker.hpp>

#include <nlohmann/json.hpp>

#include "support/file_identity.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace objload {

struct Token {
  std::string text;
  bool quoted = false;  // "a string" (a call argument passed as a pointer), a shell command
};

// Splits a line into commands (at unquoted ';' and at newlines) and each
// into tokens; a command that begins with '!' (or ':!') is a shell command,
// whose second token is the rest of the line up to a newline, ';' included.
// Returns false with `error` set on an unterminated quote.
bool split_commands(const std::string &line, std::vector<std::vector<Token>> &commands,
                    std::string &error);

class Commands {
public:
  explicit Commands(rtlink::Linker &linker) : l_(linker) {}

  // Runs one command; the result has "command" and "ok", and on failure "error".
  nlohmann::json run(const std::vector<Token> &tokens);
  // The text a person reads for a result.
  static std::string render(const nlohmann::json &result);

  static const std::vector<std::string> &names();
  bool quit_requested() const { return quit_; }
  std::vector<std::string> symbol_names() const;  // for completion
  // A file loaded outside the commands (objload's FILE arguments), which
  // reload watches as it watches what load loads.
  void loaded(const std::string &path);

private:
  bool resolve_for(const std::string &symbol, std::string &error);
  nlohmann::json reload();
  // What a file on disk was when it was loaded: reload loads it again when
  // that changes.
  struct Watched {
    std::string path;
    std::optional<rtlink::FileIdentity> identity;  // none: it could not be read
    bool linked = false;  // it has had units since it was loaded (gone: the executor was lost)
  };
  // Marks the watched files that have units now.
  void note_linked();
  std::vector<Watched> watched_;  // in load order
  rtlink::Linker &l_;
  std::map<std::string, rtlink::SearchPathHandle> paths_;
  bool quit_ = false;
};

} // namespace objload
