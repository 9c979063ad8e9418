#include "httpworkergroup.h"

#include "httpapplication.h"

#include "trace/tracebuffer.h"

#include <QMetaObject>
#include <QThread>

namespace loopscope::http {

struct HttpWorkerGroup::Worker {
    QThread thread;
    QObject *anchor = nullptr; // lives on `thread`: target for invokeMethod
    std::unique_ptr<HttpApplication> application;
    HttpServer *server = nullptr;
};

HttpWorkerGroup::HttpWorkerGroup(int workers, const HttpServerSettings &settings,
                                 ApplicationFactory factory, ServerSetup setup)
    : m_workers(qMax(1, workers))
    , m_settings(settings)
    , m_factory(std::move(factory))
    , m_setup(std::move(setup))
{
}

HttpWorkerGroup::~HttpWorkerGroup()
{
    stop();
}

HttpServer *HttpWorkerGroup::server(int index) const
{
    if (index < 0 || index >= int(m_threads.size()))
        return nullptr;
    return m_threads[size_t(index)]->server;
}

bool HttpWorkerGroup::start()
{
    if (!m_threads.empty())
        return true;
    m_port = m_settings.port;
    for (int i = 0; i < m_workers; ++i) {
        auto worker = std::make_unique<Worker>();
        Worker *w = worker.get();
        w->thread.setObjectName(QStringLiteral("loop-%1").arg(i));
        w->anchor = new QObject;
        w->anchor->moveToThread(&w->thread);
        w->thread.start();
        m_threads.push_back(std::move(worker));

        HttpServerSettings settings = m_settings;
        settings.port = m_port;
        settings.reusePort = m_workers > 1 || m_settings.reusePort;
        settings.requestIdStart = m_settings.requestIdStart + i * m_settings.requestIdStep;
        settings.requestIdStep = m_settings.requestIdStep * m_workers;
        bool ok = false;
        QString error;
        QMetaObject::invokeMethod(w->anchor, [&, i] {
            trace::setCurrentProcess(std::uint16_t(i));
            w->application = m_factory ? m_factory(i) : nullptr;
            w->server = new HttpServer(w->application.get(), settings);
            if (m_setup)
                m_setup(i, *w->server);
            ok = w->application && w->server->listen();
            error = w->application ? w->server->errorString() : QStringLiteral("no application");
        }, Qt::BlockingQueuedConnection);
        if (!ok) {
            m_error = error;
            stop();
            return false;
        }
        m_port = w->server->port();
    }
    return true;
}

void HttpWorkerGroup::stop()
{
    for (auto &w : m_threads) {
        if (w->thread.isRunning()) {
            QMetaObject::invokeMethod(w->anchor, [&w] {
                delete w->server;
                w->server = nullptr;
                w->application.reset();
                w->anchor->deleteLater(); // deleted as the thread finishes
            }, Qt::BlockingQueuedConnection);
            w->thread.quit();
            w->thread.wait();
        }
    }
    m_threads.clear();
}

} // namespace loopscope::http
