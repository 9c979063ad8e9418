// The application's routes in registration order and Starlette's Router lookup:
// the first full match handles the request; a path match with another method gives
// 405 (allow: that route's methods); otherwise, when the path with or without a
// trailing slash would match, a 307 redirect; otherwise 404.
#pragma once

#include "pathtemplate.h"

#include <string>
#include <string_view>
#include <vector>

namespace loopscope::fastapi {

struct Route {
    std::vector<std::string> methods; // upper case, e.g. {"GET"}
    PathTemplate path;
    int endpoint = -1;                // caller's index (e.g. into its endpoint list)
};

struct RouteMatch {
    enum class Kind { Found, NotFound, MethodNotAllowed, RedirectSlash };
    Kind kind = Kind::NotFound;
    int route = -1;            // Found: index into routes()
    PathParams params;         // Found
    std::string allow;         // MethodNotAllowed: "GET, POST"
    std::string redirectPath;  // RedirectSlash: the decoded path to redirect to
};

class RouteTable {
public:
    // Returns the new route's index.
    int add(std::vector<std::string> methods, std::string path, int endpoint);
    const std::vector<Route> &routes() const { return m_routes; }
    void clear() { m_routes.clear(); }

    RouteMatch match(std::string_view method, std::string_view decodedPath) const;

    // Location header value of a slash redirect: "http://HOST/path?query", quoted as
    // Starlette's RedirectResponse does.
    static std::string redirectLocation(std::string_view host, std::string_view decodedPath,
                                        std::string_view rawQuery);

private:
    std::vector<Route> m_routes;
};

} // namespace loopscope::fastapi
