// The server's knobs, named after uvicorn's options where uvicorn has one.
#pragma once

#include <QHostAddress>

#include <cstdint>

namespace loopscope::http {

struct HttpServerSettings {
    QHostAddress address = QHostAddress(QHostAddress::LocalHost); // --host
    quint16 port = 0;                    // --port; 0 picks a free port
    int backlog = 2048;                  // --backlog
    int keepAliveTimeoutMs = 5000;       // --timeout-keep-alive (5 s)
    int limitConcurrency = 0;            // --limit-concurrency; 0 = no limit
    qsizetype maxHeaderBytes = 64 * 1024;        // request line + headers, else 431
    qsizetype maxBodyBytes = 64 * 1024 * 1024;   // request body, else 413
    bool reusePort = false;              // SO_REUSEPORT: N servers share one port (--workers)
    bool accessLog = true;               // uvicorn's access log lines
    // Request ids: start, start + step, start + 2*step... (workers use start = worker index,
    // step = worker count, so ids stay unique across workers).
    std::int64_t requestIdStart = 0;
    std::int64_t requestIdStep = 1;
    QByteArray serverHeader = "uvicorn"; // value of the `server` header; empty = none
};

} // namespace loopscope::http
