// Helpers for the HTTP suites: an application made of a lambda, a raw test client on
// the test's own event loop, and a small response splitter.
#pragma once

#include "http/httpapplication.h"
#include "http/httpexchange.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QTcpSocket>
#include <QTest>

#include <functional>
#include <memory>
#include <vector>

namespace loopscope::http::test {

// Runs the event loop until `predicate` holds (polled every millisecond) or `ms` pass.
// Unlike QTest::qWaitFor, which sleeps 10 ms between rounds of events, this keeps a
// server on the test's thread responsive.
template<typename Predicate>
bool waitUntil(Predicate predicate, int ms = 5000)
{
    if (predicate())
        return true;
    QEventLoop loop;
    QTimer poll;
    QElapsedTimer clock;
    clock.start();
    bool ok = false;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (predicate()) {
            ok = true;
            loop.quit();
        } else if (clock.elapsed() >= ms) {
            loop.quit();
        }
    });
    poll.start(1);
    loop.exec();
    return ok;
}

class LambdaApp : public HttpApplication {
public:
    using Handler = std::function<void(std::shared_ptr<HttpExchange>)>;
    explicit LambdaApp(Handler h = {}) : m_handler(std::move(h)) {}
    void handle(std::shared_ptr<HttpExchange> exchange) override
    {
        ++handled;
        if (m_handler)
            m_handler(std::move(exchange));
        else
            exchange->respond(200, {{"content-type", "text/plain"}}, exchange->request().target);
    }
    void setHandler(Handler h) { m_handler = std::move(h); }
    int handled = 0;

private:
    Handler m_handler;
};

struct ParsedResponse {
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    QByteArray header(QByteArrayView name) const { return headerValue(headers, name); }
};

// Splits complete responses off the front of `data` (content-length or chunked bodies).
inline std::vector<ParsedResponse> parseResponses(QByteArray data)
{
    std::vector<ParsedResponse> out;
    for (;;) {
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end < 0)
            return out;
        const QList<QByteArray> lines = data.left(end).split('\n');
        ParsedResponse r;
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        r.status = statusLine.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                r.headers.emplace_back(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
        }
        qsizetype pos = end + 4;
        if (r.header("transfer-encoding") == "chunked") {
            for (;;) {
                const qsizetype lineEnd = data.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    return out;
                bool ok = false;
                const qsizetype size = data.mid(pos, lineEnd - pos).toLongLong(&ok, 16);
                if (!ok || data.size() < lineEnd + 2 + size + 2)
                    return out;
                pos = lineEnd + 2 + size + 2;
                if (size == 0)
                    break;
                r.body += data.mid(lineEnd + 2, size);
            }
        } else if (r.status / 100 != 1) {
            const qsizetype length = r.header("content-length").toLongLong();
            if (data.size() < pos + length)
                return out;
            r.body = data.mid(pos, length);
            pos += length;
        }
        data = data.mid(pos);
        if (r.status >= 200)
            out.push_back(std::move(r));
    }
}

// A raw client on the test's event loop.
class Peer : public QObject {
public:
    explicit Peer(quint16 port)
    {
        connect(&socket, &QTcpSocket::readyRead, this, [this] { received += socket.readAll(); });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { closed = true; });
        socket.connectToHost(QHostAddress::LocalHost, port);
        (void)waitUntil([this] { return socket.state() == QAbstractSocket::ConnectedState; }, 3000);
    }
    bool connected() const { return socket.state() == QAbstractSocket::ConnectedState; }
    void send(const QByteArray &bytes) { socket.write(bytes); socket.flush(); }
    std::vector<ParsedResponse> responses() const { return parseResponses(received); }
    bool waitResponses(std::size_t n, int ms = 5000)
    {
        return waitUntil([&] { return responses().size() >= n; }, ms);
    }
    bool waitClosed(int ms = 5000)
    {
        return waitUntil([&] { return closed; }, ms);
    }

    QTcpSocket socket;
    QByteArray received;
    bool closed = false;
};

inline QByteArray get(const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

} // namespace loopscope::http::test
