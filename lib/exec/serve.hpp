// exec/serve.hpp — the loop of an out-of-process executor.
#pragma once

#include <rtlink/executor.hpp>

#include <cstdint>

namespace rtlink::protocol {

// Answers requests on `channel` with `ex` until Quit or the channel closes;
// the exit status the executor process should end with.
int serve(int64_t channel, Executor &ex);

} // namespace rtlink::protocol
