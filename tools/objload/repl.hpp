// objload's interactive loop: line editing, history and completion (libedit).
#pragma once

#include "commands.hpp"

namespace objload {

// Runs one line (commands separated by ';'), printing each result as text or
// JSON. Returns false if a command failed.
bool run_line(Commands &commands, const std::string &line, bool json);

// The REPL on a terminal: returns when the user quits or types Ctrl-D.
// `remote`: the executor is another process, and Ctrl-C during a command
// stops the call under way there instead of ending objload.
int run_repl(Commands &commands, bool json, bool remote);

} // namespace objload
