// URL pieces as uvicorn and Starlette see them: the percent-decoded path
// (urllib.parse.unquote), query strings (parse_qsl(keep_blank_values=True)) and
// quoting for the Location header of slash redirects (urllib.parse.quote).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loopscope::fastapi {

using QueryItems = std::vector<std::pair<std::string, std::string>>;

class UrlCodec {
public:
    // urllib.parse.unquote: %XX decoded, invalid escapes kept, bytes read as UTF-8 with
    // invalid sequences replaced by U+FFFD. '+' stays '+' unless plusAsSpace.
    static std::string unquote(std::string_view text, bool plusAsSpace = false);
    // urllib.parse.parse_qsl(qs, keep_blank_values=True): '&'-separated, '+' is space.
    static QueryItems parseQuery(std::string_view query);
    // urllib.parse.quote(text, safe=...) over UTF-8 bytes.
    static std::string quote(std::string_view text, std::string_view safe = "/");
    // Bytes as UTF-8 text, invalid sequences replaced by U+FFFD (errors='replace').
    static std::string utf8Lossy(std::string_view bytes);
    // Splits a request target "/a/b?x=1" into the decoded path and the raw query.
    static std::pair<std::string, std::string> splitTarget(std::string_view target);
};

} // namespace loopscope::fastapi
