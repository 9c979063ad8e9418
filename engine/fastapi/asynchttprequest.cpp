#include "asynchttprequest.h"

#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace loopscope::fastapi {

namespace {

struct Pending {
    QTcpSocket *socket = nullptr;
    QTimer *timer = nullptr;
    std::string request;
    std::string raw;
    AsyncHttpRequest::Done done;
    bool finished = false;

    void complete(AsyncHttpRequest::Failure failure, std::string error, HttpClientResponse response = {})
    {
        if (finished)
            return;
        finished = true;
        if (timer)
            timer->stop();
        AsyncHttpRequest::Done cb = std::move(done);
        socket->disconnect();
        socket->abort();
        socket->deleteLater();
        if (timer)
            timer->deleteLater();
        cb(failure, std::move(error), std::move(response));
    }

    void parse(bool eof)
    {
        HttpClientResponse response;
        switch (HttpClientResponse::parse(raw, eof, response)) {
        case HttpClientResponse::Parse::Complete:
            complete(AsyncHttpRequest::Failure::None, {}, std::move(response));
            break;
        case HttpClientResponse::Parse::Invalid:
            complete(AsyncHttpRequest::Failure::Protocol,
                     raw.empty() ? "Server disconnected without sending a response." : "invalid HTTP response");
            break;
        case HttpClientResponse::Parse::NeedMore: break;
        }
    }
};

} // namespace

void AsyncHttpRequest::start(const HttpClientTarget &target, std::string requestText, double timeoutSeconds, Done done)
{
    auto p = std::make_shared<Pending>();
    p->socket = new QTcpSocket();
    p->request = std::move(requestText);
    p->done = std::move(done);
    QTcpSocket *s = p->socket;
    QObject::connect(s, &QTcpSocket::connected, s, [p]() {
        p->socket->write(p->request.data(), static_cast<qint64>(p->request.size()));
    });
    QObject::connect(s, &QTcpSocket::readyRead, s, [p]() {
        const QByteArray chunk = p->socket->readAll();
        p->raw.append(chunk.constData(), static_cast<std::size_t>(chunk.size()));
        p->parse(false);
    });
    QObject::connect(s, &QTcpSocket::disconnected, s, [p]() {
        const QByteArray chunk = p->socket->readAll();
        p->raw.append(chunk.constData(), static_cast<std::size_t>(chunk.size()));
        p->parse(true);
    });
    QObject::connect(s, &QTcpSocket::errorOccurred, s, [p](QAbstractSocket::SocketError err) {
        if (err == QAbstractSocket::RemoteHostClosedError) {
            const QByteArray chunk = p->socket->readAll();
            p->raw.append(chunk.constData(), static_cast<std::size_t>(chunk.size()));
            p->parse(true);
            return;
        }
        const bool connecting = p->raw.empty();
        p->complete(connecting ? Failure::Connect : Failure::Protocol,
                    (connecting ? "All connection attempts failed: " : "") + p->socket->errorString().toStdString());
    });
    if (timeoutSeconds > 0) {
        p->timer = new QTimer();
        p->timer->setSingleShot(true);
        QObject::connect(p->timer, &QTimer::timeout, p->timer, [p]() { p->complete(Failure::Timeout, "timed out"); });
        p->timer->start(static_cast<int>(timeoutSeconds * 1000));
    }
    s->connectToHost(QString::fromStdString(target.host), static_cast<quint16>(target.port));
}

} // namespace loopscope::fastapi
