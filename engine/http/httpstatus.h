// Reason phrases (as Python's http.HTTPStatus spells them, which uvicorn's log uses)
// and the cached `date` header value.
#pragma once

#include <QByteArray>

namespace loopscope::http {

// "OK", "Not Found", ...; "" for an unknown code.
QByteArray reasonPhrase(int status);
// RFC 7231 IMF-fixdate of the current second ("Sat, 21 Nov 2026 13:10:21 GMT"),
// formatted once per second per thread.
QByteArray httpDate();

} // namespace loopscope::http
