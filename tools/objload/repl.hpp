// objload's interactive loop: line editing, history and completion (libedit).
#pragma once

#include "commands.hpp"

namespace objload {

// Runs one line (commands separated by ';'), printing each result as text or
// JSON. Returns false if a command failed.
bool run_line(Commands &commands, const std::string &line, bool json);

// The REPL on a terminal: returns when the user quits or types Ctrl-D.
int run_repl(Commands &commands, bool json);

} // namespace objload
