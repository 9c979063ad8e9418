// Header lists as HTTP carries them: ordered name/value pairs, names compared
// case-insensitively. Request header names are stored lower-case (as ASGI passes them).
#pragma once

#include <QByteArray>

#include <utility>
#include <vector>

namespace loopscope::http {

using HttpHeader = std::pair<QByteArray, QByteArray>;
using HttpHeaders = std::vector<HttpHeader>;

// The first value of `name` (any case), or an empty array.
QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name);
bool hasHeader(const HttpHeaders &headers, QByteArrayView name);

} // namespace loopscope::http
