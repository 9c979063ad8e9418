#include "responsedata.h"

#include "httpstatus.h"

#include <algorithm>
#include <cctype>

namespace loopscope::fastapi {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

ValidationIssue ValidationIssue::at(std::string where, std::string name, std::string msg, std::string type)
{
    ValidationIssue issue;
    issue.loc.push_back(JsonNode::fromString(std::move(where)));
    issue.loc.push_back(JsonNode::fromString(std::move(name)));
    issue.msg = std::move(msg);
    issue.type = std::move(type);
    return issue;
}

ValidationIssue ValidationIssue::at(std::string where, std::string name, const ParamError &error)
{
    ValidationIssue issue = at(std::move(where), std::move(name), error.msg, error.type);
    if (error.limit) {
        JsonNode ctx = JsonNode::makeObject();
        ctx.set("limit_value", error.limit->isInt ? JsonNode::fromInt(error.limit->intValue)
                                                  : JsonNode::fromFloat(error.limit->floatValue));
        issue.ctx = std::move(ctx);
    }
    return issue;
}

ResponseData ResponseData::make(std::string body, int status, std::string_view mediaType, const HeaderList &headers)
{
    ResponseData r;
    r.status = status;
    bool haveLength = false;
    bool haveType = false;
    for (const auto &[name, value] : headers) {
        std::string n = lower(name);
        haveLength = haveLength || n == "content-length";
        haveType = haveType || n == "content-type";
        r.headers.emplace_back(std::move(n), value);
    }
    if (!haveLength && !(status < 200 || status == 204 || status == 304))
        r.headers.emplace_back("content-length", std::to_string(body.size()));
    if (!mediaType.empty() && !haveType) {
        std::string type(mediaType);
        if (type.rfind("text/", 0) == 0)
            type += "; charset=utf-8";
        r.headers.emplace_back("content-type", std::move(type));
    }
    r.body = std::move(body);
    return r;
}

ResponseData ResponseData::json(std::string jsonText, int status, const HeaderList &headers)
{
    return make(std::move(jsonText), status, "application/json", headers);
}

ResponseData ResponseData::plainText(std::string text, int status, const HeaderList &headers)
{
    return make(std::move(text), status, "text/plain", headers);
}

ResponseData ResponseData::html(std::string text, int status, const HeaderList &headers)
{
    return make(std::move(text), status, "text/html", headers);
}

ResponseData ResponseData::httpException(int status, const JsonNode &detail, const HeaderList &headers)
{
    JsonNode body = JsonNode::makeObject();
    body.set("detail", detail);
    std::string text;
    if (!body.dump(text))
        return internalServerError();
    return json(std::move(text), status, headers);
}

ResponseData ResponseData::notFound()
{
    return httpException(404, JsonNode::fromString("Not Found"));
}

ResponseData ResponseData::methodNotAllowed(std::string_view allow)
{
    return httpException(405, JsonNode::fromString("Method Not Allowed"), {{"allow", std::string(allow)}});
}

std::string ResponseData::validationBody(const std::vector<ValidationIssue> &issues)
{
    JsonArray detail;
    for (const auto &issue : issues) {
        JsonNode entry = JsonNode::makeObject();
        entry.set("loc", JsonNode::makeArray(issue.loc));
        entry.set("msg", JsonNode::fromString(issue.msg));
        entry.set("type", JsonNode::fromString(issue.type));
        if (issue.ctx)
            entry.set("ctx", *issue.ctx);
        detail.push_back(std::move(entry));
    }
    JsonNode body = JsonNode::makeObject();
    body.set("detail", JsonNode::makeArray(std::move(detail)));
    return body.dump();
}

ResponseData ResponseData::validationError(const std::vector<ValidationIssue> &issues)
{
    return json(validationBody(issues), 422);
}

ResponseData ResponseData::redirect(std::string location)
{
    // RedirectResponse sets location after the base headers.
    ResponseData r = make(std::string(), 307, {});
    r.headers.emplace_back("location", std::move(location));
    return r;
}

ResponseData ResponseData::internalServerError()
{
    return plainText("Internal Server Error", 500);
}

ResponseData ResponseData::badBody()
{
    return httpException(400, JsonNode::fromString("There was an error parsing the body"));
}

const std::string *ResponseData::header(std::string_view name) const
{
    const std::string n = lower(name);
    for (const auto &h : headers)
        if (h.first == n)
            return &h.second;
    return nullptr;
}

} // namespace loopscope::fastapi
