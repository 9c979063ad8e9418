// A complete (non-streaming) HTTP response as Starlette builds it: status, headers in
// Starlette's order (the caller's headers, then content-length, then content-type)
// and the body bytes. The server adds its own "date" and "server" headers.
#pragma once

#include "jsonnode.h"
#include "paramconversion.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loopscope::fastapi {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One entry of a 422 body: {"loc":[...],"msg":...,"type":...[,"ctx":{...}]}.
struct ValidationIssue {
    JsonArray loc; // strings and ints: ["query","i"], ["body",1]
    std::string msg;
    std::string type;
    std::optional<JsonNode> ctx;

    static ValidationIssue at(std::string where, std::string name, std::string msg, std::string type);
    // A failed conversion or constraint of parameter `name` (ctx {"limit_value": ...} for a constraint).
    static ValidationIssue at(std::string where, std::string name, const ParamError &error);
};

struct ResponseData {
    int status = 200;
    HeaderList headers; // names in lower case
    std::string body;

    // Starlette's Response.init_headers: `headers` first (lower-cased), then
    // content-length (unless given, or status < 200, 204, 304), then content-type
    // (unless given; "text/..." gets "; charset=utf-8"). An empty mediaType adds none.
    static ResponseData make(std::string body, int status, std::string_view mediaType,
                             const HeaderList &headers = {});
    static ResponseData json(std::string jsonText, int status = 200, const HeaderList &headers = {});
    static ResponseData plainText(std::string text, int status = 200, const HeaderList &headers = {});
    static ResponseData html(std::string text, int status = 200, const HeaderList &headers = {});

    // FastAPI's handlers: {"detail": ...} for HTTPException (default detail = phrase).
    static ResponseData httpException(int status, const JsonNode &detail, const HeaderList &headers = {});
    static ResponseData notFound();
    static ResponseData methodNotAllowed(std::string_view allow);
    static ResponseData validationError(const std::vector<ValidationIssue> &issues);
    static ResponseData redirect(std::string location); // 307, empty body
    // ServerErrorMiddleware's answer to an uncaught exception.
    static ResponseData internalServerError();
    // FastAPI's answer to an unreadable body.
    static ResponseData badBody();

    static std::string validationBody(const std::vector<ValidationIssue> &issues);
    const std::string *header(std::string_view name) const;
};

} // namespace loopscope::fastapi
