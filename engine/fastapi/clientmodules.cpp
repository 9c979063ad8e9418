#include "clientmodules.h"

#include "asynchttprequest.h"
#include "blockinghttpclient.h"
#include "httpstatus.h"
#include "jsonreader.h"
#include "threadstatecache.h"
#include "urlcodec.h"
#include "valueencoder.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/objects.h"
#include "lang/threadstate.h"
#include "runtime/eventloop.h"
#include "runtime/future.h"

namespace loopscope::fastapi {

using lang::CallArgs;
using lang::ThreadState;
using lang::Value;

namespace {

enum class Flavor { Requests, Httpx };

bool present(const Value &v) { return !v.isNotFound() && !v.isNone(); }

Value typeError(ThreadState &ts, std::string msg)
{
    return ts.raise(lang::typeValue(lang::types().TypeError), std::move(msg));
}

// --- the response object --------------------------------------------------------------------

class ClientResponseObject : public lang::NativeObject {
public:
    using lang::NativeObject::NativeObject;
    Flavor flavor = Flavor::Requests;
    HttpClientResponse response;
    std::string url;
    std::string method;
};

Value responseType();

ClientResponseObject *castResponse(const Value &v)
{
    if (!v.isKind(lang::ObjKind::Native) || v.ptr()->type() != responseType().as<lang::TypeObject>())
        return nullptr;
    return v.as<ClientResponseObject>();
}

Value internalModule(ThreadState &ts)
{
    return ts.interpreter().importModule(ts, "_loopscope_clients");
}

Value exceptionClass(ThreadState &ts, const char *name)
{
    Value m = internalModule(ts);
    if (m.isError())
        return m;
    return lang::getAttr(ts, m, name);
}

Value raiseClient(ThreadState &ts, const char *cls, std::string message)
{
    Value type = exceptionClass(ts, cls);
    if (type.isError())
        return type;
    return ts.raise(type, std::move(message));
}

Value decodeJson(ThreadState &ts, const std::string &text, Flavor flavor)
{
    JsonParseResult parsed = JsonReader::parse(text);
    if (parsed.value)
        return ValueEncoder::fromJson(ts, *parsed.value);
    const std::string msg = parsed.error ? parsed.error->message() : std::string("invalid UTF-8");
    return raiseClient(ts, flavor == Flavor::Requests ? "requests.JSONDecodeError" : "httpx.JSONDecodeError", msg);
}

Value responseType()
{
    static const Value t = [] {
        lang::NativeTypeSpec spec;
        spec.name = "Response";
        spec.module = "requests.models";
        spec.methods.emplace_back("json", [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *r = castResponse(a[0]);
            return decodeJson(ts, r->response.body, r->flavor);
        });
        spec.methods.emplace_back("raise_for_status", [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *r = castResponse(a[0]);
            const int s = r->response.status;
            if (s < 400)
                return r->flavor == Flavor::Httpx ? a[0] : Value::none();
            const std::string phrase(HttpStatus::phrase(s));
            if (r->flavor == Flavor::Requests) {
                const char *kind = s < 500 ? "Client Error" : "Server Error";
                return raiseClient(ts, "requests.HTTPError",
                                   std::to_string(s) + " " + kind + ": " + phrase + " for url: " + r->url);
            }
            const char *kind = s < 500 ? "Client error" : "Server error";
            return raiseClient(ts, "httpx.HTTPStatusError",
                               std::string(kind) + " '" + std::to_string(s) + " " + phrase + "' for url '" + r->url + "'");
        });
        spec.hooks.getattr = [](ThreadState &, const Value &self, std::string_view name) -> Value {
            auto *r = castResponse(self);
            if (!r)
                return Value::notFound();
            const HttpClientResponse &resp = r->response;
            if (name == "status_code")
                return Value::fromInt(resp.status);
            if (name == "text")
                return Value::fromString(UrlCodec::utf8Lossy(resp.body));
            if (name == "content")
                return Value::fromObject(new lang::BytesObject(resp.body));
            if (name == "headers") {
                Value d = Value::dict();
                for (const auto &[k, v] : resp.headers)
                    lang::dictSet(d, k, Value::fromString(v));
                return d;
            }
            if (name == "url")
                return Value::fromString(r->url);
            if (name == "ok")
                return Value::fromBool(resp.status < 400);
            if (name == "is_success")
                return Value::fromBool(resp.status >= 200 && resp.status < 300);
            if (name == "is_error")
                return Value::fromBool(resp.status >= 400);
            if (name == "reason" || name == "reason_phrase")
                return Value::fromString(std::string(HttpStatus::phrase(resp.status)));
            if (name == "encoding")
                return Value::fromString(std::string_view("utf-8"));
            return Value::notFound();
        };
        spec.hooks.repr = [](ThreadState &, const Value &self) -> std::string {
            auto *r = castResponse(self);
            if (r->flavor == Flavor::Requests)
                return "<Response [" + std::to_string(r->response.status) + "]>";
            return "<Response [" + std::to_string(r->response.status) + " " +
                   std::string(HttpStatus::phrase(r->response.status)) + "]>";
        };
        Value type = lang::makeNativeType(std::move(spec));
        type.ptr()->makeImmortal();
        return type;
    }();
    return t;
}

Value makeResponse(Flavor flavor, HttpClientResponse response, std::string url, std::string method)
{
    auto *r = new ClientResponseObject(responseType().as<lang::TypeObject>());
    Value v = Value::fromObject(r);
    r->flavor = flavor;
    r->response = std::move(response);
    r->url = std::move(url);
    r->method = std::move(method);
    return v;
}

// --- building a request from Python arguments ----------------------------------------------------

struct PreparedRequest {
    std::string method;
    std::string url;
    HttpClientTarget target;
    std::string text;
    double timeout = 0;
};

bool appendParams(ThreadState &ts, const Value &params, std::string &url)
{
    if (!present(params))
        return true;
    if (!params.isDict()) {
        typeError(ts, "params must be a dict");
        return false;
    }
    std::string query;
    for (const auto &[k, v] : lang::asDict(params)->items()) {
        bool ok = true;
        const std::string key = lang::str(ts, k, &ok);
        if (!ok)
            return false;
        std::string value;
        if (v.isBool())
            value = v.asBool() ? "true" : "false"; // httpx's primitive_value_to_str
        else
            value = lang::str(ts, v, &ok);
        if (!ok)
            return false;
        if (!query.empty())
            query += '&';
        query += UrlCodec::quote(key, "") + "=" + UrlCodec::quote(value, "");
    }
    if (query.empty())
        return true;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += query;
    return true;
}

bool prepare(ThreadState &ts, Flavor flavor, std::string method, const Value &urlValue, const CallArgs &a,
             double defaultTimeout, const std::string &baseUrl, PreparedRequest &out)
{
    if (!urlValue.isStr()) {
        typeError(ts, "url must be a str");
        return false;
    }
    out.method = std::move(method);
    out.url = urlValue.asString();
    if (!baseUrl.empty() && out.url.rfind("http://", 0) != 0 && out.url.rfind("https://", 0) != 0) {
        std::string base = baseUrl;
        if (!base.empty() && base.back() == '/' && !out.url.empty() && out.url.front() == '/')
            base.pop_back();
        out.url = base + out.url;
    }
    if (!appendParams(ts, a.keyword("params"), out.url))
        return false;
    std::string error;
    if (!HttpClientTarget::fromUrl(out.url, out.target, error)) {
        raiseClient(ts, flavor == Flavor::Requests ? "requests.InvalidURL" : "httpx.UnsupportedProtocol", error);
        return false;
    }
    HeaderList headers;
    const Value h = a.keyword("headers");
    if (present(h)) {
        if (!h.isDict()) {
            typeError(ts, "headers must be a dict");
            return false;
        }
        for (const auto &[k, v] : lang::asDict(h)->items())
            headers.emplace_back(lang::str(ts, k), lang::str(ts, v));
    }
    std::string body;
    const Value json = a.keyword("json");
    const Value data = flavor == Flavor::Requests ? a.keyword("data") : a.keyword("content");
    if (present(json)) {
        if (!ValueEncoder::encode(ts, json, body, false))
            return false;
        headers.emplace_back("Content-Type", "application/json");
    } else if (present(data)) {
        if (data.isStr()) {
            body = data.asString();
        } else if (data.isKind(lang::ObjKind::Bytes)) {
            body = data.as<lang::BytesObject>()->value;
        } else if (data.isDict()) {
            std::string url;
            if (!appendParams(ts, data, url))
                return false;
            body = url.empty() ? std::string() : url.substr(1);
            headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        } else {
            typeError(ts, "data must be str, bytes or dict");
            return false;
        }
    }
    out.timeout = defaultTimeout;
    const Value timeout = a.keyword("timeout");
    if (!timeout.isNotFound()) {
        if (timeout.isNone())
            out.timeout = 0;
        else if (timeout.isInt() || timeout.isFloat())
            out.timeout = timeout.asDouble();
    }
    const char *agent = flavor == Flavor::Requests ? "python-requests/2.28.1" : "python-httpx/0.23.3";
    out.text = out.target.requestText(out.method, headers, body, agent);
    return true;
}

// The native-call names the profiler reports while a blocking request runs.
const char *blockingCallName(Flavor flavor, const std::string &method)
{
    if (flavor == Flavor::Requests) {
        if (method == "GET") return "requests.get";
        if (method == "POST") return "requests.post";
        if (method == "PUT") return "requests.put";
        if (method == "DELETE") return "requests.delete";
        if (method == "PATCH") return "requests.patch";
        if (method == "HEAD") return "requests.head";
        return "requests.request";
    }
    if (method == "GET") return "httpx.get";
    if (method == "POST") return "httpx.post";
    return "httpx.request";
}

Value blockingRequest(ThreadState &ts, Flavor flavor, std::string method, const Value &url, const CallArgs &a,
                      double defaultTimeout, const std::string &baseUrl = {})
{
    PreparedRequest req;
    if (!prepare(ts, flavor, std::move(method), url, a, defaultTimeout, baseUrl, req))
        return Value::error();
    BlockingHttpClient::Result result;
    {
        lang::GilRelease unlock(ts, blockingCallName(flavor, req.method));
        result = BlockingHttpClient::fetch(req.target, req.text, req.timeout);
    }
    switch (result.failure) {
    case BlockingHttpClient::Failure::None: break;
    case BlockingHttpClient::Failure::Connect:
        return raiseClient(ts, flavor == Flavor::Requests ? "requests.ConnectionError" : "httpx.ConnectError", result.error);
    case BlockingHttpClient::Failure::Timeout:
        return raiseClient(ts, flavor == Flavor::Requests ? "requests.ReadTimeout" : "httpx.ReadTimeout", result.error);
    case BlockingHttpClient::Failure::Protocol:
        return raiseClient(ts, flavor == Flavor::Requests ? "requests.ConnectionError" : "httpx.RemoteProtocolError",
                           result.error);
    }
    return makeResponse(flavor, std::move(result.response), req.url, req.method);
}

Value asyncRequest(ThreadState &ts, std::string method, const Value &url, const CallArgs &a, double defaultTimeout,
                   const std::string &baseUrl)
{
    runtime::EventLoop *loop = runtime::EventLoop::current();
    if (!loop)
        return ts.raise(lang::typeValue(lang::types().RuntimeError), "no running event loop");
    PreparedRequest req;
    if (!prepare(ts, Flavor::Httpx, std::move(method), url, a, defaultTimeout, baseUrl, req))
        return Value::error();
    Value future = runtime::FutureObject::create(ts, loop);
    if (future.isError())
        return future;
    auto interp = ts.interpreter().shared_from_this();
    const std::string fullUrl = req.url;
    const std::string m = req.method;
    AsyncHttpRequest::start(req.target, std::move(req.text), req.timeout,
                            [future, fullUrl, m, interp](AsyncHttpRequest::Failure failure, std::string error,
                                                         HttpClientResponse response) {
                                ThreadState &lts = ThreadStateCache::forCurrentThread(*interp, "loop");
                                GilScope gil(lts);
                                auto *p = runtime::FutureObject::from(future);
                                if (p->done()) // cancelled meanwhile
                                    return;
                                if (failure == AsyncHttpRequest::Failure::None) {
                                    p->setResult(lts, makeResponse(Flavor::Httpx, std::move(response), fullUrl, m));
                                    return;
                                }
                                const char *cls = failure == AsyncHttpRequest::Failure::Timeout ? "httpx.ReadTimeout"
                                                  : failure == AsyncHttpRequest::Failure::Connect
                                                      ? "httpx.ConnectError"
                                                      : "httpx.RemoteProtocolError";
                                Value type = exceptionClass(lts, cls);
                                if (type.isError()) {
                                    p->setException(lts, lts.fetchException());
                                    return;
                                }
                                Value exc = lang::call(lts, type, {Value::fromString(error)});
                                if (exc.isError())
                                    exc = lts.fetchException();
                                p->setException(lts, exc);
                            });
    return future;
}

// --- httpx clients ----------------------------------------------------------------------------------

class ClientObject : public lang::NativeObject {
public:
    using lang::NativeObject::NativeObject;
    bool async = true;
    std::string baseUrl;
    double timeout = 5.0; // httpx's default
};

Value clientType(bool async);

ClientObject *castClient(const Value &v)
{
    if (!v.isKind(lang::ObjKind::Native))
        return nullptr;
    if (v.ptr()->type() != clientType(true).as<lang::TypeObject>() &&
        v.ptr()->type() != clientType(false).as<lang::TypeObject>())
        return nullptr;
    return v.as<ClientObject>();
}

Value doneFuture(ThreadState &ts, Value result)
{
    runtime::EventLoop *loop = runtime::EventLoop::current();
    if (!loop)
        return ts.raise(lang::typeValue(lang::types().RuntimeError), "no running event loop");
    Value f = runtime::FutureObject::create(ts, loop);
    if (f.isError())
        return f;
    runtime::FutureObject::from(f)->setResult(ts, std::move(result));
    return f;
}

Value clientType(bool async)
{
    auto build = [](bool isAsync) {
        lang::NativeTypeSpec spec;
        spec.name = isAsync ? "AsyncClient" : "Client";
        spec.module = "httpx";
        for (const char *m : {"get", "post", "put", "patch", "delete", "head", "options"}) {
            std::string method(m);
            for (auto &c : method)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            spec.methods.emplace_back(m, [method](ThreadState &ts, const CallArgs &a) -> Value {
                auto *c = castClient(a[0]);
                const Value url = a.arg(1, "url");
                if (c->async)
                    return asyncRequest(ts, method, url, a, c->timeout, c->baseUrl);
                return blockingRequest(ts, Flavor::Httpx, method, url, a, c->timeout, c->baseUrl);
            });
        }
        spec.methods.emplace_back("request", [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *c = castClient(a[0]);
            const Value method = a.arg(1, "method");
            if (!method.isStr())
                return typeError(ts, "method must be a str");
            std::string m = method.asString();
            for (auto &ch : m)
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            const Value url = a.arg(2, "url");
            if (c->async)
                return asyncRequest(ts, m, url, a, c->timeout, c->baseUrl);
            return blockingRequest(ts, Flavor::Httpx, m, url, a, c->timeout, c->baseUrl);
        });
        if (isAsync) {
            spec.methods.emplace_back("__aenter__", [](ThreadState &ts, const CallArgs &a) { return doneFuture(ts, a[0]); });
            spec.methods.emplace_back("__aexit__", [](ThreadState &ts, const CallArgs &) { return doneFuture(ts, Value::none()); });
            spec.methods.emplace_back("aclose", [](ThreadState &ts, const CallArgs &) { return doneFuture(ts, Value::none()); });
        } else {
            spec.methods.emplace_back("__enter__", [](ThreadState &, const CallArgs &a) { return a[0]; });
            spec.methods.emplace_back("__exit__", [](ThreadState &, const CallArgs &) { return Value::none(); });
            spec.methods.emplace_back("close", [](ThreadState &, const CallArgs &) { return Value::none(); });
        }
        spec.construct = [isAsync](ThreadState &ts, const CallArgs &a) -> Value {
            auto *c = new ClientObject(clientType(isAsync).as<lang::TypeObject>());
            Value v = Value::fromObject(c);
            c->async = isAsync;
            const Value base = a.keyword("base_url");
            if (base.isStr())
                c->baseUrl = base.asString();
            const Value timeout = a.keyword("timeout");
            if (!timeout.isNotFound()) {
                if (timeout.isNone())
                    c->timeout = 0;
                else if (timeout.isInt() || timeout.isFloat())
                    c->timeout = timeout.asDouble();
                else
                    return typeError(ts, "timeout must be a number or None");
            }
            return v;
        };
        Value t = lang::makeNativeType(std::move(spec));
        t.ptr()->makeImmortal();
        return t;
    };
    static const Value asyncType = build(true);
    static const Value syncType = build(false);
    return async ? asyncType : syncType;
}

// --- modules -----------------------------------------------------------------------------------------

Value buildInternal(ThreadState &ts)
{
    lang::Interpreter &interp = ts.interpreter();
    const auto &t = lang::types();
    Value m = lang::makeModule("_loopscope_clients");
    auto def = [&](const char *key, const char *name, Value base, const char *module) {
        Value cls = interp.newExceptionType(name, base, module);
        lang::moduleSet(m, key, cls);
        return cls;
    };
    // requests.exceptions
    Value reqBase = def("requests.RequestException", "RequestException", lang::typeValue(t.OSError), "requests.exceptions");
    Value reqConn = def("requests.ConnectionError", "ConnectionError", reqBase, "requests.exceptions");
    Value reqTimeout = def("requests.Timeout", "Timeout", reqBase, "requests.exceptions");
    def("requests.ReadTimeout", "ReadTimeout", reqTimeout, "requests.exceptions");
    def("requests.ConnectTimeout", "ConnectTimeout", reqConn, "requests.exceptions");
    def("requests.HTTPError", "HTTPError", reqBase, "requests.exceptions");
    def("requests.InvalidURL", "InvalidURL", reqBase, "requests.exceptions");
    def("requests.JSONDecodeError", "JSONDecodeError", lang::typeValue(t.ValueError), "requests.exceptions");
    // httpx
    Value hxBase = def("httpx.HTTPError", "HTTPError", lang::typeValue(t.Exception), "httpx");
    Value hxReq = def("httpx.RequestError", "RequestError", hxBase, "httpx");
    Value hxTransport = def("httpx.TransportError", "TransportError", hxReq, "httpx");
    Value hxTimeout = def("httpx.TimeoutException", "TimeoutException", hxTransport, "httpx");
    def("httpx.ReadTimeout", "ReadTimeout", hxTimeout, "httpx");
    Value hxNet = def("httpx.NetworkError", "NetworkError", hxTransport, "httpx");
    def("httpx.ConnectError", "ConnectError", hxNet, "httpx");
    Value hxProto = def("httpx.ProtocolError", "ProtocolError", hxTransport, "httpx");
    def("httpx.RemoteProtocolError", "RemoteProtocolError", hxProto, "httpx");
    def("httpx.UnsupportedProtocol", "UnsupportedProtocol", hxTransport, "httpx");
    def("httpx.HTTPStatusError", "HTTPStatusError", hxBase, "httpx");
    def("httpx.JSONDecodeError", "JSONDecodeError", lang::typeValue(t.ValueError), "httpx");
    return m;
}

Value copyNames(ThreadState &ts, Value target, const std::vector<std::pair<const char *, const char *>> &names)
{
    Value internal = internalModule(ts);
    if (internal.isError())
        return internal;
    for (const auto &[key, name] : names) {
        Value v = lang::getAttr(ts, internal, key);
        if (v.isError())
            return v;
        lang::moduleSet(target, name, v);
    }
    return target;
}

const std::vector<std::pair<const char *, const char *>> kRequestsExceptions = {
    {"requests.RequestException", "RequestException"}, {"requests.ConnectionError", "ConnectionError"},
    {"requests.Timeout", "Timeout"},                   {"requests.ReadTimeout", "ReadTimeout"},
    {"requests.ConnectTimeout", "ConnectTimeout"},     {"requests.HTTPError", "HTTPError"},
    {"requests.InvalidURL", "InvalidURL"},             {"requests.JSONDecodeError", "JSONDecodeError"},
};

Value buildRequests(ThreadState &ts)
{
    Value m = lang::makeModule("requests");
    for (const char *name : {"get", "post", "put", "delete", "patch", "head"}) {
        std::string method(name);
        for (auto &c : method)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        lang::moduleSet(m, name,
                        lang::makeNativeFunction(name, [method](ThreadState &t, const CallArgs &a) -> Value {
                            return blockingRequest(t, Flavor::Requests, method, a.arg(0, "url"), a, 0);
                        }, std::string("requests.") + name));
    }
    lang::moduleSet(m, "request", lang::makeNativeFunction("request", [](ThreadState &t, const CallArgs &a) -> Value {
        const Value method = a.arg(0, "method");
        if (!method.isStr())
            return typeError(t, "method must be a str");
        std::string up = method.asString();
        for (auto &c : up)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return blockingRequest(t, Flavor::Requests, up, a.arg(1, "url"), a, 0);
    }, "requests.request"));
    lang::moduleSet(m, "Response", responseType());
    Value exceptions = lang::makeModule("requests.exceptions");
    if (copyNames(ts, exceptions, kRequestsExceptions).isError())
        return Value::error();
    lang::moduleSet(m, "exceptions", exceptions);
    return copyNames(ts, m, kRequestsExceptions);
}

Value buildHttpx(ThreadState &ts)
{
    Value m = lang::makeModule("httpx");
    lang::moduleSet(m, "AsyncClient", clientType(true));
    lang::moduleSet(m, "Client", clientType(false));
    lang::moduleSet(m, "Response", responseType());
    for (const char *name : {"get", "post", "put", "delete", "patch"}) {
        std::string method(name);
        for (auto &c : method)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        lang::moduleSet(m, name,
                        lang::makeNativeFunction(name, [method](ThreadState &t, const CallArgs &a) -> Value {
                            return blockingRequest(t, Flavor::Httpx, method, a.arg(0, "url"), a, 5.0);
                        }, std::string("httpx.") + name));
    }
    return copyNames(ts, m,
                     {{"httpx.HTTPError", "HTTPError"},
                      {"httpx.RequestError", "RequestError"},
                      {"httpx.TransportError", "TransportError"},
                      {"httpx.TimeoutException", "TimeoutException"},
                      {"httpx.ReadTimeout", "ReadTimeout"},
                      {"httpx.NetworkError", "NetworkError"},
                      {"httpx.ConnectError", "ConnectError"},
                      {"httpx.ProtocolError", "ProtocolError"},
                      {"httpx.RemoteProtocolError", "RemoteProtocolError"},
                      {"httpx.UnsupportedProtocol", "UnsupportedProtocol"},
                      {"httpx.HTTPStatusError", "HTTPStatusError"}});
}

} // namespace

void ClientModules::registerModules(lang::Interpreter &interp)
{
    interp.registerModule("_loopscope_clients", buildInternal);
    interp.registerModule("requests", buildRequests);
    interp.registerModule("requests.exceptions", [](ThreadState &ts) -> Value {
        Value requests = ts.interpreter().importModule(ts, "requests");
        if (requests.isError())
            return requests;
        return lang::getAttr(ts, requests, "exceptions");
    });
    interp.registerModule("httpx", buildHttpx);
}

} // namespace loopscope::fastapi
