#include "routetable.h"

#include "urlcodec.h"

#include <algorithm>

namespace loopscope::fastapi {

int RouteTable::add(std::vector<std::string> methods, std::string path, int endpoint)
{
    for (auto &m : methods)
        std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    m_routes.push_back(Route{std::move(methods), PathTemplate(std::move(path)), endpoint});
    return static_cast<int>(m_routes.size()) - 1;
}

RouteMatch RouteTable::match(std::string_view method, std::string_view decodedPath) const
{
    RouteMatch result;
    int partial = -1;
    for (std::size_t i = 0; i < m_routes.size(); ++i) {
        const Route &route = m_routes[i];
        auto params = route.path.match(decodedPath);
        if (!params)
            continue;
        const bool methodOk = route.methods.empty() ||
                              std::find(route.methods.begin(), route.methods.end(), method) != route.methods.end();
        if (methodOk) {
            result.kind = RouteMatch::Kind::Found;
            result.route = static_cast<int>(i);
            result.params = std::move(*params);
            return result;
        }
        if (partial < 0)
            partial = static_cast<int>(i);
    }
    if (partial >= 0) {
        result.kind = RouteMatch::Kind::MethodNotAllowed;
        result.route = partial;
        for (const auto &m : m_routes[static_cast<std::size_t>(partial)].methods) {
            if (!result.allow.empty())
                result.allow += ", ";
            result.allow += m;
        }
        return result;
    }
    if (decodedPath != "/") {
        std::string other(decodedPath);
        if (!other.empty() && other.back() == '/') {
            while (!other.empty() && other.back() == '/')
                other.pop_back();
        } else {
            other += '/';
        }
        for (const auto &route : m_routes) {
            if (route.path.match(other)) {
                result.kind = RouteMatch::Kind::RedirectSlash;
                result.redirectPath = other;
                return result;
            }
        }
    }
    result.kind = RouteMatch::Kind::NotFound;
    return result;
}

std::string RouteTable::redirectLocation(std::string_view host, std::string_view decodedPath,
                                         std::string_view rawQuery)
{
    std::string url = "http://";
    url += host;
    url += decodedPath;
    if (!rawQuery.empty()) {
        url += '?';
        url += rawQuery;
    }
    return UrlCodec::quote(url, ":/%#?=@[]!$&'()*+,;");
}

} // namespace loopscope::fastapi
