// objload/repl.cpp — what the REPL on every system and objload's batch
// modes share: running one line of commands (repl-posix.cpp and
// repl-win32.cpp read the lines).
#include "repl.hpp"
#include "json_output.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace objload {

bool run_line(Commands &commands, const std::string &line, bool json) {
  std::vector<std::vector<Token>> parsed;
  std::string error;
  if (!split_commands(line, parsed, error)) {
    nlohmann::json r = {{"command", ""}, {"ok", false}, {"error", error}};
    std::fputs(json ? (json_output::dump(r) + "\n").c_str() : Commands::render(r).c_str(), stdout);
    std::fflush(stdout);
    return false;
  }
  bool ok = true;
  for (const auto &tokens : parsed) {
    nlohmann::json r = commands.run(tokens);
    ok &= r.value("ok", false);
    std::string out = json ? json_output::dump(r) + "\n" : Commands::render(r);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    if (commands.quit_requested())
      break;
  }
  return ok;
}

} // namespace objload
