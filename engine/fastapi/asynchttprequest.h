// AsyncHttpRequest: one HTTP/1.1 request made from the loop thread without blocking it
// (httpx.AsyncClient): a QTcpSocket owned by the loop thread, one connection per
// request ("Connection: close"), completion delivered on the loop thread.
#pragma once

#include "httpclientresponse.h"

#include <functional>
#include <string>

namespace loopscope::fastapi {

class AsyncHttpRequest {
public:
    enum class Failure { None, Connect, Timeout, Protocol };
    using Done = std::function<void(Failure failure, std::string error, HttpClientResponse response)>;

    // Starts the request on the calling thread (which must run a Qt event loop: the
    // engine's loop thread). timeoutSeconds <= 0: no timeout.
    static void start(const HttpClientTarget &target, std::string requestText, double timeoutSeconds, Done done);
};

} // namespace loopscope::fastapi
