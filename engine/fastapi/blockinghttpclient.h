// BlockingHttpClient: one HTTP/1.1 request over a plain blocking socket, as `requests`
// does it. The caller releases the GIL around it (the profiler then sees the thread
// inside the native call, e.g. "requests.get").
#pragma once

#include "httpclientresponse.h"

#include <string>

namespace loopscope::fastapi {

class BlockingHttpClient {
public:
    enum class Failure { None, Connect, Timeout, Protocol };
    struct Result {
        Failure failure = Failure::None;
        std::string error; // what went wrong, for the exception message
        HttpClientResponse response;
    };
    // timeoutSeconds <= 0: wait as long as it takes.
    static Result fetch(const HttpClientTarget &target, const std::string &requestText, double timeoutSeconds);
};

} // namespace loopscope::fastapi
