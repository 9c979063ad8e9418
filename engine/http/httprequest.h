// One parsed HTTP request, as the application sees it (the parts of an ASGI scope).
#pragma once

#include "httpheaders.h"

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <cstdint>

namespace loopscope::http {

class HttpRequest {
public:
    QByteArray method;       // "GET"
    QByteArray target;       // as received: "/items/a%20b?i=1"
    QByteArray rawPath;      // target without the query, not decoded: "/items/a%20b"
    QByteArray queryString;  // after '?', not decoded: "i=1"
    HttpHeaders headers;     // names lower-cased, in arrival order
    QByteArray body;
    int httpMajor = 1;
    int httpMinor = 1;
    bool keepAlive = true;   // what the client asked for (version + Connection header)

    QHostAddress peerAddress;
    quint16 peerPort = 0;
    quint16 localPort = 0;

    // The percent-decoded path, as ASGI's scope["path"] ("/items/a b").
    QString path() const;
    // "1.1" / "1.0"
    QByteArray httpVersion() const;
    QByteArray header(QByteArrayView name) const { return headerValue(headers, name); }
    // The burst client's index for this request when it tags requests
    // (BurstPlan::tagRequests, header "x-loopscope-request"); -1 otherwise.
    std::int64_t clientRequestId() const;

    // Empties it for the next request on the same connection, keeping the peer (building
    // a new HttpRequest would allocate a fresh QHostAddress for every request).
    void reset();

    // Splits `target` into rawPath and queryString (absolute-form targets keep only the path).
    void splitTarget();
};

} // namespace loopscope::http
