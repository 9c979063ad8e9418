#include "httprequest.h"

#include <QUrl>

namespace loopscope::http {

QString HttpRequest::path() const
{
    return QUrl::fromPercentEncoding(rawPath);
}

QByteArray HttpRequest::httpVersion() const
{
    return QByteArray::number(httpMajor) + '.' + QByteArray::number(httpMinor);
}

std::int64_t HttpRequest::clientRequestId() const
{
    const QByteArray value = header("x-loopscope-request");
    if (value.isEmpty())
        return -1;
    bool ok = false;
    const qint64 id = value.trimmed().toLongLong(&ok);
    return ok && id >= 0 ? id : -1;
}

void HttpRequest::splitTarget()
{
    QByteArray t = target;
    // absolute-form ("http://host:port/path?q"): keep the path part only
    if (!t.startsWith('/')) {
        const qsizetype scheme = t.indexOf("://");
        if (scheme >= 0) {
            const qsizetype slash = t.indexOf('/', scheme + 3);
            t = slash >= 0 ? t.mid(slash) : QByteArrayLiteral("/");
        }
    }
    const qsizetype q = t.indexOf('?');
    if (q >= 0) {
        rawPath = t.left(q);
        queryString = t.mid(q + 1);
    } else {
        rawPath = t;
        queryString.clear();
    }
    const qsizetype hash = queryString.indexOf('#');
    if (hash >= 0)
        queryString.truncate(hash);
}

void HttpRequest::reset()
{
    method.clear();
    target.clear();
    rawPath.clear();
    queryString.clear();
    headers.clear();
    body.clear();
    httpMajor = 1;
    httpMinor = 1;
    keepAlive = true;
}

} // namespace loopscope::http
