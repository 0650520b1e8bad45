// tools/common/in_process.hpp — the executor objload and objload-executor run
// loaded code in (their own process).
//
// Both link their C++ library in statically on Linux (meson.build: the
// dynamic loader would bind libstdc++.so's relocations at every start).
// Loaded code still finds libstdc++.so and libm.so (which came with it, and
// which C code such as sqlite's takes from the process) there, as in a C++
// program: they are opened the first time a name is not found.
#pragma once

#include <rtlink/executor.hpp>

#include <memory>

namespace rtlink::tools {

inline std::unique_ptr<Executor> make_tool_executor() {
#ifdef _WIN32
  return make_in_process_executor();
#else
  return make_in_process_executor({"libm.so.6", "libstdc++.so.6"});
#endif
}

} // namespace rtlink::tools
