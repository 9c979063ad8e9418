// A response read by Loopscope's HTTP clients (requests, httpx): status line, headers
// and body, incrementally parsed (content-length, chunked, or until the server closes).
#pragma once

#include "responsedata.h"

#include <string>
#include <string_view>

namespace loopscope::fastapi {

struct HttpClientResponse {
    int status = 0;
    std::string reason;
    HeaderList headers; // names lower-cased
    std::string body;

    enum class Parse { NeedMore, Complete, Invalid };
    // Parses what has arrived so far; `eof`: the server closed the connection.
    static Parse parse(std::string_view raw, bool eof, HttpClientResponse &out);
    const std::string *header(std::string_view name) const;
};

// One request's target, split from "http://host:port/path?query".
struct HttpClientTarget {
    std::string host;
    int port = 80;
    std::string pathAndQuery = "/";
    std::string hostHeader;
    // False with `error` for what the clients cannot fetch (https, bad URLs).
    static bool fromUrl(std::string_view url, HttpClientTarget &out, std::string &error);
    // "GET /x HTTP/1.1\r\nHost: ...\r\n...\r\n\r\nbody"
    std::string requestText(std::string_view method, const HeaderList &headers, std::string_view body,
                            std::string_view userAgent) const;
};

} // namespace loopscope::fastapi
