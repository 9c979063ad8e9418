#include "httpclientresponse.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace loopscope::fastapi {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace

const std::string *HttpClientResponse::header(std::string_view name) const
{
    const std::string n = lower(name);
    for (const auto &h : headers)
        if (h.first == n)
            return &h.second;
    return nullptr;
}

HttpClientResponse::Parse HttpClientResponse::parse(std::string_view raw, bool eof, HttpClientResponse &out)
{
    const auto headEnd = raw.find("\r\n\r\n");
    if (headEnd == std::string_view::npos)
        return eof ? Parse::Invalid : Parse::NeedMore;
    std::string_view head = raw.substr(0, headEnd);
    std::string_view rest = raw.substr(headEnd + 4);

    out = HttpClientResponse();
    const auto lineEnd = head.find("\r\n");
    std::string_view statusLine = head.substr(0, lineEnd);
    // HTTP/1.1 200 OK
    const auto sp1 = statusLine.find(' ');
    if (sp1 == std::string_view::npos || statusLine.substr(0, 5) != "HTTP/")
        return Parse::Invalid;
    std::string_view codeText = statusLine.substr(sp1 + 1, 3);
    if (std::from_chars(codeText.data(), codeText.data() + codeText.size(), out.status).ec != std::errc())
        return Parse::Invalid;
    if (statusLine.size() > sp1 + 5)
        out.reason = std::string(statusLine.substr(sp1 + 5));
    std::string_view lines = lineEnd == std::string_view::npos ? std::string_view() : head.substr(lineEnd + 2);
    while (!lines.empty()) {
        const auto e = lines.find("\r\n");
        std::string_view line = lines.substr(0, e);
        lines = e == std::string_view::npos ? std::string_view() : lines.substr(e + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        out.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }

    if (out.status / 100 == 1 || out.status == 204 || out.status == 304)
        return Parse::Complete;
    const std::string *te = out.header("transfer-encoding");
    if (te && lower(*te).find("chunked") != std::string::npos) {
        std::string body;
        std::string_view r = rest;
        while (true) {
            const auto e = r.find("\r\n");
            if (e == std::string_view::npos)
                return eof ? Parse::Invalid : Parse::NeedMore;
            std::string_view sizeText = r.substr(0, e);
            sizeText = sizeText.substr(0, sizeText.find(';'));
            sizeText = trim(sizeText);
            std::size_t size = 0;
            if (std::from_chars(sizeText.data(), sizeText.data() + sizeText.size(), size, 16).ec != std::errc())
                return Parse::Invalid;
            r.remove_prefix(e + 2);
            if (size == 0) {
                out.body = std::move(body);
                return Parse::Complete; // trailers are ignored
            }
            if (r.size() < size + 2)
                return eof ? Parse::Invalid : Parse::NeedMore;
            body.append(r.substr(0, size));
            r.remove_prefix(size + 2);
        }
    }
    if (const std::string *cl = out.header("content-length")) {
        std::size_t length = 0;
        if (std::from_chars(cl->data(), cl->data() + cl->size(), length).ec != std::errc())
            return Parse::Invalid;
        if (rest.size() < length)
            return eof ? Parse::Invalid : Parse::NeedMore;
        out.body = std::string(rest.substr(0, length));
        return Parse::Complete;
    }
    if (!eof)
        return Parse::NeedMore;
    out.body = std::string(rest);
    return Parse::Complete;
}

bool HttpClientTarget::fromUrl(std::string_view url, HttpClientTarget &out, std::string &error)
{
    out = HttpClientTarget();
    std::string_view u = url;
    if (u.substr(0, 8) == "https://") {
        error = "https is not supported by Loopscope's clients: " + std::string(url);
        return false;
    }
    if (u.substr(0, 7) != "http://") {
        error = "Request URL is missing an 'http://' or 'https://' protocol.";
        return false;
    }
    u.remove_prefix(7);
    const auto slash = u.find_first_of("/?");
    std::string_view authority = u.substr(0, slash);
    if (slash != std::string_view::npos) {
        out.pathAndQuery = std::string(u.substr(slash));
        if (out.pathAndQuery.front() == '?')
            out.pathAndQuery = "/" + out.pathAndQuery;
    }
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    if (authority.empty()) {
        error = "Invalid URL '" + std::string(url) + "': No host supplied";
        return false;
    }
    out.hostHeader = std::string(authority);
    std::string_view host = authority;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        host = authority.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
        if (close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':') {
            std::string_view p = authority.substr(close + 2);
            std::from_chars(p.data(), p.data() + p.size(), out.port);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        std::string_view p = authority.substr(colon + 1);
        if (std::from_chars(p.data(), p.data() + p.size(), out.port).ec != std::errc() || out.port <= 0 ||
            out.port > 65535) {
            error = "Invalid port in URL '" + std::string(url) + "'";
            return false;
        }
    }
    out.host = std::string(host);
    return true;
}

std::string HttpClientTarget::requestText(std::string_view method, const HeaderList &headers, std::string_view body,
                                          std::string_view userAgent) const
{
    std::string text;
    text += method;
    text += ' ';
    text += pathAndQuery;
    text += " HTTP/1.1\r\n";
    bool haveHost = false, haveAgent = false, haveAccept = false, haveType = false;
    for (const auto &[k, v] : headers) {
        const std::string n = lower(k);
        haveHost = haveHost || n == "host";
        haveAgent = haveAgent || n == "user-agent";
        haveAccept = haveAccept || n == "accept";
        haveType = haveType || n == "content-type";
    }
    if (!haveHost)
        text += "Host: " + hostHeader + "\r\n";
    if (!haveAccept)
        text += "Accept: */*\r\n";
    text += "Accept-Encoding: identity\r\n";
    if (!haveAgent)
        text += "User-Agent: " + std::string(userAgent) + "\r\n";
    text += "Connection: close\r\n";
    for (const auto &[k, v] : headers) {
        const std::string n = lower(k);
        if (n == "connection" || n == "content-length" || n == "accept-encoding")
            continue;
        text += k + ": " + v + "\r\n";
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    (void)haveType;
    text += "\r\n";
    text += body;
    return text;
}

} // namespace loopscope::fastapi
