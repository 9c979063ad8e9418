// What happened to one request of a burst. Times are seconds from the burst start
// (-1 when it never got there).
#pragma once

#include <cstdint>
#include <string>

namespace loopscope::http {

struct RequestRecord {
    std::int64_t id = -1;        // the request index ({i}); extras follow the planned requests
    std::string path;
    int connection = -1;         // index of the TCP connection it went over (per burst)
    bool extra = false;
    double intended = -1;        // rate mode: when it was due
    double connectStart = -1;    // a new connection was opened for it
    double sent = -1;            // last byte of the request handed to the socket
    double firstByte = -1;       // first byte of the response
    double done = -1;            // last byte of the response
    int status = 0;
    std::int64_t bytes = 0;      // response body bytes
    std::string body;            // first BurstPlan::keepBodyBytes of the body
    bool bodyTruncated = false;
    std::string error;           // "refused", "reset", "timeout", "closed", "cancelled", ...

    bool ok() const { return error.empty() && status > 0; }
    // Seconds from when it was sent (rate mode: due) to its last byte; -1 if it failed.
    double latency() const
    {
        if (!ok() || done < 0)
            return -1;
        const double from = intended >= 0 ? intended : sent;
        return done - from;
    }
};

} // namespace loopscope::http
