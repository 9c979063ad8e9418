// uvicorn --workers N: N servers, each on its own loop thread with its own application,
// sharing one port through SO_REUSEPORT (the kernel spreads connections over them).
// For hosts that run their own loop threads, the same is done by giving each HttpServer
// settings.reusePort = true and the first server's port.
#pragma once

#include "httpserver.h"
#include "httpserversettings.h"

#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace loopscope::http {

class HttpApplication;

class HttpWorkerGroup {
public:
    // Called on worker `index`'s thread; the application lives and dies there.
    using ApplicationFactory = std::function<std::unique_ptr<HttpApplication>(int index)>;
    // Called on worker `index`'s thread once its server exists (e.g. to set a log callback).
    using ServerSetup = std::function<void(int index, HttpServer &server)>;

    HttpWorkerGroup(int workers, const HttpServerSettings &settings, ApplicationFactory factory,
                    ServerSetup setup = {});
    ~HttpWorkerGroup();
    HttpWorkerGroup(const HttpWorkerGroup &) = delete;
    HttpWorkerGroup &operator=(const HttpWorkerGroup &) = delete;

    // Starts the threads and the servers; false with errorString() if one cannot listen.
    bool start();
    // Stops accepting, closes the servers on their threads, joins the threads.
    void stop();

    int workers() const { return m_workers; }
    quint16 port() const { return m_port; }
    QString errorString() const { return m_error; }
    // For posting work to a worker's loop (QMetaObject::invokeMethod(server, ...)).
    HttpServer *server(int index) const;

private:
    struct Worker;
    int m_workers;
    HttpServerSettings m_settings;
    ApplicationFactory m_factory;
    ServerSetup m_setup;
    std::vector<std::unique_ptr<Worker>> m_threads;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace loopscope::http
