// What a burst sends: the client side of `loopscope bench` (--path, --requests,
// --connections, --extra, --keep-alive, --rate, --duration).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

// The header BurstPlan::tagRequests adds.
#define LOOPSCOPE_REQUEST_HEADER "x-loopscope-request"

namespace loopscope::http {

// One more request, sent `at` seconds after the burst starts on its own new connection.
struct ExtraRequest {
    double at = 0;
    std::string path;
};

struct BurstPlan {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    std::string method = "GET";
    // "{i}" is replaced by the request's index ("/x?i={i}" -> "/x?i=7").
    std::string pathTemplate = "/";
    std::vector<std::pair<std::string, std::string>> headers; // sent with every request
    std::string body;                                         // sent with every request

    // N requests over C connections; each connection sends its next request only once
    // the previous response is complete (HTTP/1.1 without pipelining, like httpx).
    int requests = 1;
    int connections = 1;
    // > 0: closed loop for this many seconds instead of N requests.
    double duration = 0;
    // > 0: open loop at R requests/s (request i is due at i/R s; latency is timed from
    // that intended time, like wrk2). Sends `requests`, or rate*duration with a duration.
    double rate = 0;
    std::vector<ExtraRequest> extras;
    // off: a new connection per request (and `Connection: close`).
    bool keepAlive = true;
    // A browser: at most 6 connections to the host; requests queue in order.
    bool browserLike = false;
    // Seconds from connect (or send) to the end of the response before it is an error.
    double timeout = 30;
    // Client threads (1 or 2 is plenty: each drives its connections with epoll).
    int threads = 1;
    // How much of each response body a RequestRecord keeps.
    std::size_t keepBodyBytes = 4096;
    // Sends "x-loopscope-request: <id>" with every request, so the server side can tell
    // which of the client's requests it is reading (HttpRequest::clientRequestId()).
    bool tagRequests = false;
    // How many RequestRecords a burst keeps; past that, finished requests only count in
    // the summary (latency percentiles then come from a log-bucket histogram). Of the
    // requests a stop() left unsent, at most 10,000 are kept as "cancelled" records.
    std::int64_t maxRecords = 1'000'000;

    int effectiveConnections() const
    {
        int c = connections < 1 ? 1 : connections;
        return browserLike && c > 6 ? 6 : c;
    }
    // Requests the plan sends besides extras; -1 when it runs until `duration` ends.
    std::int64_t plannedRequests() const
    {
        if (rate > 0 && duration > 0)
            return std::int64_t(rate * duration + 0.5);
        if (duration > 0)
            return -1;
        return requests < 0 ? 0 : requests;
    }
};

// "/x?i={i}" with index 7 -> "/x?i=7"
std::string substitutePath(const std::string &pathTemplate, std::int64_t index);

} // namespace loopscope::http
