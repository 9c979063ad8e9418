// EngineSettings, EndpointInfo, SourceError: the plain data the host's API speaks.
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

namespace loopscope::host {

// One running engine's knobs, named after the FastAPI/uvicorn setting each one mirrors.
struct EngineSettings {
    int threads = 40;                 // AnyIO's default CapacityLimiter tokens
    bool limiterLifo = false;         // AnyIO 3.x woke the newest waiter first
    int defaultExecutorThreads = 0;   // asyncio's default executor; 0 = min(32, cpu + 4)
    bool gil = true;                  // false = free-threaded (3.13t)
    double switchInterval = 0.005;    // sys.getswitchinterval()
    int workers = 1;                  // uvicorn --workers: simulated processes
    double keepAliveTimeout = 5.0;    // uvicorn --timeout-keep-alive
    double slowCallbackDuration = 0.1; // asyncio debug's slow_callback_duration
    int limitConcurrency = 0;         // uvicorn --limit-concurrency; 0 = none
    QString bindAddress = QStringLiteral("127.0.0.1");
    quint16 port = 0;                 // 0 = ephemeral
    bool accessLog = true;            // uvicorn's access log through Engine::logLine
    int cpuCount = 0;                 // os.cpu_count() the app sees; 0 = this machine's
};

struct EndpointInfo {
    QString method;   // "GET"
    QString path;     // "/items/{item_id}"
    QString function; // "read_item"
    bool isAsync = false;
    int line = 0;
};

// A compile error, an import-time exception or a static-check warning, with its span.
struct SourceError {
    QString message;   // one line: "SyntaxError: expected ':'", "NameError: name 'x' is not defined"
    int line = 0, column = 0, endLine = 0, endColumn = 0; // 1-based lines, 0-based columns; 0 = unknown
    QString traceback; // the full CPython-style text (File "x", line N ...)
};

} // namespace loopscope::host

Q_DECLARE_METATYPE(loopscope::host::EndpointInfo)
Q_DECLARE_METATYPE(loopscope::host::SourceError)
