#include "urlcodec.h"

#include <cstdio>

namespace loopscope::fastapi {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Decodes bytes as UTF-8 with errors='replace'.
std::string repairUtf8(const std::string &bytes)
{
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        int extra = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        bool ok = true;
        for (int k = 0; k < extra; ++k, ++j) {
            if (j >= n) {
                ok = false;
                break;
            }
            const auto cc = static_cast<unsigned char>(bytes[j]);
            const unsigned low = k == 0 ? lo : 0x80;
            const unsigned high = k == 0 ? hi : 0xBF;
            if (cc < low || cc > high) {
                ok = false;
                break;
            }
        }
        if (ok) {
            out.append(bytes, i, static_cast<std::size_t>(extra) + 1);
            i += static_cast<std::size_t>(extra) + 1;
        } else {
            // Python replaces the maximal valid prefix with one U+FFFD.
            out += "\xEF\xBF\xBD";
            i = j > i + 1 ? j : i + 1;
        }
    }
    return out;
}

} // namespace

std::string UrlCodec::unquote(std::string_view text, bool plusAsSpace)
{
    std::string bytes;
    bytes.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            const int h = hexValue(text[i + 1]);
            const int l = hexValue(text[i + 2]);
            if (h >= 0 && l >= 0) {
                bytes += static_cast<char>(h * 16 + l);
                i += 2;
                continue;
            }
        }
        bytes += (plusAsSpace && c == '+') ? ' ' : c;
    }
    return repairUtf8(bytes);
}

QueryItems UrlCodec::parseQuery(std::string_view query)
{
    QueryItems items;
    std::size_t start = 0;
    while (start <= query.size()) {
        std::size_t amp = query.find('&', start);
        if (amp == std::string_view::npos)
            amp = query.size();
        const std::string_view field = query.substr(start, amp - start);
        start = amp + 1;
        if (field.empty())
            continue;
        const auto eq = field.find('=');
        const std::string_view name = field.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view() : field.substr(eq + 1);
        items.emplace_back(unquote(name, true), unquote(value, true));
    }
    return items;
}

std::string UrlCodec::quote(std::string_view text, std::string_view safe)
{
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '_' || c == '.' || c == '-' || c == '~';
        if (unreserved || (c < 0x80 && safe.find(ch) != std::string_view::npos)) {
            out += ch;
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

std::string UrlCodec::utf8Lossy(std::string_view bytes)
{
    return repairUtf8(std::string(bytes));
}

std::pair<std::string, std::string> UrlCodec::splitTarget(std::string_view target)
{
    const auto q = target.find('?');
    const std::string_view rawPath = target.substr(0, q);
    std::string query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
    return {unquote(rawPath), std::move(query)};
}

} // namespace loopscope::fastapi
