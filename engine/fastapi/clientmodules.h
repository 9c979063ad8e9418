// The HTTP client modules endpoint files call: `requests` (blocking: a plain socket
// request with the GIL released, which blocks the event loop when called from an
// `async def`) and `httpx` (AsyncClient: non-blocking on the loop thread; get/post and
// Client: blocking like requests).
#pragma once

namespace loopscope::lang {
class Interpreter;
}

namespace loopscope::fastapi {

class ClientModules {
public:
    // Registers requests, requests.exceptions and httpx on an interpreter.
    static void registerModules(lang::Interpreter &interp);
};

} // namespace loopscope::fastapi
