#include "fastapiobjects.h"

#include "clientmodules.h"
#include "httpstatus.h"
#include "jsonreader.h"
#include "valueencoder.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"
#include "runtime/eventloop.h"
#include "runtime/future.h"

#include <algorithm>
#include <cctype>
#include <mutex>

namespace loopscope {
extern const char *const kPydanticSource; // pydantic_module.py, compiled in
}

namespace loopscope::fastapi {

using lang::CallArgs;
using lang::ThreadState;
using lang::Value;

namespace {

// --- small helpers ---------------------------------------------------------------------

Value typeError(ThreadState &ts, std::string msg)
{
    return ts.raise(lang::typeValue(lang::types().TypeError), std::move(msg));
}

bool present(const Value &v) { return !v.isNotFound(); }

bool isEllipsis(const Value &v) { return v.isObject() && v.type() == lang::types().ellipsisType; }

// The call's arguments without a leading type object (in case the language passes the
// class to `construct` as CPython passes it to __new__).
CallArgs withoutType(const CallArgs &a, const Value &type)
{
    if (a.size() > 0 && a[0].is(type))
        return CallArgs{a.positional.subspan(1), a.keywords};
    return a;
}

Value makeBytes(std::string bytes) { return Value::fromObject(new lang::BytesObject(std::move(bytes))); }

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A dict of str -> str headers (or None) into a header list. False with exception set.
bool readHeaders(ThreadState &ts, const Value &v, HeaderList &out)
{
    if (!present(v) || v.isNone())
        return true;
    if (!v.isDict()) {
        typeError(ts, "headers must be a dict, not " + lang::typeName(v));
        return false;
    }
    for (const auto &[k, val] : lang::asDict(v)->items()) {
        bool ok = true;
        std::string name = lang::str(ts, k, &ok);
        if (!ok)
            return false;
        std::string value = lang::str(ts, val, &ok);
        if (!ok)
            return false;
        out.emplace_back(lower(std::move(name)), std::move(value));
    }
    return true;
}

Value headersDict(const HeaderList &headers)
{
    Value d = Value::dict();
    for (const auto &[k, v] : headers)
        lang::dictSet(d, k, Value::fromString(v));
    return d;
}

bool readInt(ThreadState &ts, const Value &v, const char *what, int &out)
{
    if (!v.isInt() || v.isBool()) {
        typeError(ts, std::string(what) + " must be an int, not " + lang::typeName(v));
        return false;
    }
    bool ok = true;
    const std::int64_t i = v.asInt(&ok);
    if (!ok || i < 0 || i > 999) {
        ts.raise(lang::typeValue(lang::types().ValueError), std::string(what) + " out of range");
        return false;
    }
    out = static_cast<int>(i);
    return true;
}

template<class T>
T *castTo(const Value &v, const Value &type)
{
    if (!v.isKind(lang::ObjKind::Native) || v.ptr()->type() != type.as<lang::TypeObject>())
        return nullptr;
    return v.as<T>();
}

Value immortalType(lang::NativeTypeSpec spec)
{
    Value t = lang::makeNativeType(std::move(spec));
    t.ptr()->makeImmortal();
    return t;
}

// A decorator that records a route on `app` and returns the function unchanged.
Value routeDecorator(ThreadState &ts, const Value &appValue, std::vector<std::string> methods, const CallArgs &a,
                     std::size_t pathIndex)
{
    const Value path = a.arg(pathIndex, "path");
    if (!path.isStr())
        return typeError(ts, "path must be a str");
    RouteDecl decl;
    decl.methods = std::move(methods);
    decl.path = AppObject::cast(appValue)->prefix + path.asString();
    const Value status = a.keyword("status_code");
    if (present(status) && !status.isNone() && !readInt(ts, status, "status_code", decl.statusCode))
        return Value::error();
    const Value rc = a.keyword("response_class");
    decl.responseClass = present(rc) ? rc : Value::none();
    const Value rm = a.keyword("response_model");
    decl.responseModel = present(rm) ? rm : Value::none();
    return lang::makeNativeFunction("decorator", [appValue, decl](ThreadState &ts2, const CallArgs &args) -> Value {
        if (args.size() != 1)
            return typeError(ts2, "decorator() takes exactly one argument (" + std::to_string(args.size()) + " given)");
        RouteDecl d = decl;
        d.endpoint = args[0];
        lang::FunctionInfo info;
        if (lang::functionInfo(args[0], info))
            d.line = info.firstLine;
        AppObject::cast(appValue)->routes.push_back(std::move(d));
        return args[0];
    });
}

Value methodsFrom(ThreadState &ts, const Value &v, std::vector<std::string> &out)
{
    if (!present(v) || v.isNone()) {
        out = {"GET"};
        return Value::none();
    }
    std::vector<Value> items;
    if (!lang::collect(ts, v, items))
        return Value::error();
    for (const auto &m : items) {
        if (!m.isStr())
            return typeError(ts, "methods must be strings");
        std::string up = m.asString();
        std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        out.push_back(std::move(up));
    }
    return Value::none();
}

} // namespace

// --- FastAPI --------------------------------------------------------------------------------

Value AppObject::type()
{
    static const Value t = [] {
        lang::NativeTypeSpec spec;
        spec.name = "FastAPI";
        spec.module = "fastapi.applications";
        for (const char *m : {"get", "post", "put", "delete", "patch", "head", "options"}) {
            std::string upper(m);
            std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            spec.methods.emplace_back(m, [upper](ThreadState &ts, const CallArgs &a) -> Value {
                return routeDecorator(ts, a[0], {upper}, a, 1);
            });
        }
        spec.methods.emplace_back("api_route", [](ThreadState &ts, const CallArgs &a) -> Value {
            std::vector<std::string> methods;
            if (methodsFrom(ts, a.keyword("methods"), methods).isError())
                return Value::error();
            return routeDecorator(ts, a[0], methods, a, 1);
        });
        spec.methods.emplace_back("add_api_route", [](ThreadState &ts, const CallArgs &a) -> Value {
            std::vector<std::string> methods;
            if (methodsFrom(ts, a.arg(3, "methods"), methods).isError())
                return Value::error();
            Value deco = routeDecorator(ts, a[0], methods, a, 1);
            if (deco.isError())
                return deco;
            const Value endpoint = a.arg(2, "endpoint");
            if (!present(endpoint))
                return typeError(ts, "add_api_route() missing 1 required positional argument: 'endpoint'");
            if (lang::call(ts, deco, {endpoint}).isError())
                return Value::error();
            return Value::none();
        });
        spec.methods.emplace_back("on_event", [](ThreadState &, const CallArgs &a) -> Value {
            const Value app = a[0];
            const Value kind = a.arg(1, "event_type");
            const bool startup = kind.isStr() && kind.asString() == "startup";
            return lang::makeNativeFunction("decorator", [app, startup](ThreadState &, const CallArgs &args) -> Value {
                if (args.size() == 1) {
                    auto *self = AppObject::cast(app);
                    (startup ? self->startupHandlers : self->shutdownHandlers).push_back(args[0]);
                    return args[0];
                }
                return Value::none();
            });
        });
        // Middleware is accepted and not applied (outside Loopscope's model).
        spec.methods.emplace_back("middleware", [](ThreadState &, const CallArgs &) -> Value {
            return lang::makeNativeFunction("decorator", [](ThreadState &, const CallArgs &args) -> Value {
                return args.size() > 0 ? args[0] : Value::none();
            });
        });
        spec.methods.emplace_back("add_middleware", [](ThreadState &, const CallArgs &) -> Value { return Value::none(); });
        // include_router(router, prefix=""): the router's routes as they are now, with the
        // prefixes in front (FastAPI copies them at this point too).
        spec.methods.emplace_back("include_router", [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *self = AppObject::cast(a[0]);
            auto *router = AppObject::cast(a.arg(1, "router"));
            if (!router)
                return typeError(ts, "include_router() needs an APIRouter");
            std::string prefix;
            const Value p = a.keyword("prefix");
            if (p.isStr())
                prefix = p.asString();
            for (RouteDecl decl : router->routes) {
                decl.path = prefix + decl.path;
                self->routes.push_back(std::move(decl));
            }
            return Value::none();
        });
        spec.construct = [](ThreadState &ts, const CallArgs &a) -> Value {
            Value v = AppObject::create();
            const Value prefix = a.keyword("prefix");
            if (prefix.isStr()) {
                if (!prefix.asString().empty() && (prefix.asString().front() != '/' || prefix.asString().back() == '/'))
                    return ts.raise(lang::typeValue(lang::types().AssertionError),
                                    "A path prefix must start with '/' and must not end with '/'");
                AppObject::cast(v)->prefix = prefix.asString();
            }
            return v;
        };
        return immortalType(std::move(spec));
    }();
    return t;
}

AppObject *AppObject::cast(const Value &v) { return castTo<AppObject>(v, type()); }

Value AppObject::create() { return Value::fromObject(new AppObject(type().as<lang::TypeObject>())); }

// --- Depends, Query/Path/Body/Header ---------------------------------------------------------

struct ObjectFactory {
    static Value depends(ThreadState &ts, const CallArgs &a)
    {
        auto *d = new DependsObject(DependsObject::type().as<lang::TypeObject>());
        Value v = Value::fromObject(d);
        const Value dep = a.arg(0, "dependency");
        d->dependency = present(dep) ? dep : Value::none();
        const Value cache = a.keyword("use_cache");
        if (present(cache)) {
            const int t = lang::truthy(ts, cache);
            if (t < 0)
                return Value::error();
            d->useCache = t == 1;
        }
        return v;
    }

    static Value marker(ThreadState &, const CallArgs &a, ParamMarker::Kind kind)
    {
        auto *m = new ParamMarker(ParamMarker::type().as<lang::TypeObject>());
        Value v = Value::fromObject(m);
        m->kind = kind;
        const Value def = a.arg(0, "default");
        m->required = !present(def) || isEllipsis(def);
        m->defaultValue = m->required ? Value::none() : def;
        const Value alias = a.keyword("alias");
        if (present(alias) && alias.isStr())
            m->alias = alias.asString();
        auto limit = [&a](const char *name, std::optional<ParamLimit> &out) {
            const Value x = a.keyword(name);
            if (!present(x) || x.isNone())
                return;
            ParamLimit l;
            if (x.isInt() && !x.isBool()) {
                l.intValue = x.asInt();
            } else if (x.isFloat()) {
                l.isInt = false;
                l.floatValue = x.asDouble();
            } else {
                return;
            }
            out = l;
        };
        limit("gt", m->constraints.gt);
        limit("ge", m->constraints.ge);
        limit("lt", m->constraints.lt);
        limit("le", m->constraints.le);
        for (auto [name, out] : {std::pair{"min_length", &m->constraints.minLength}, std::pair{"max_length", &m->constraints.maxLength}}) {
            const Value x = a.keyword(name);
            if (present(x) && x.isInt() && !x.isBool())
                *out = x.asInt();
        }
        return v;
    }
};

Value DependsObject::type()
{
    static const Value t = [] {
        lang::NativeTypeSpec spec;
        spec.name = "Depends";
        spec.module = "fastapi.params";
        spec.construct = [](ThreadState &ts, const CallArgs &a) -> Value {
            return ObjectFactory::depends(ts, withoutType(a, DependsObject::type()));
        };
        spec.hooks.repr = [](ThreadState &ts, const Value &self) {
            auto *d = DependsObject::cast(self);
            return "Depends(" + (d->dependency.isNone() ? std::string("NoneType") : lang::repr(ts, d->dependency)) + ")";
        };
        return immortalType(std::move(spec));
    }();
    return t;
}

DependsObject *DependsObject::cast(const Value &v) { return castTo<DependsObject>(v, type()); }

Value ParamMarker::type()
{
    static const Value t = [] {
        lang::NativeTypeSpec spec;
        spec.name = "Param";
        spec.module = "fastapi.params";
        return immortalType(std::move(spec));
    }();
    return t;
}

ParamMarker *ParamMarker::cast(const Value &v) { return castTo<ParamMarker>(v, type()); }

// --- BackgroundTasks ---------------------------------------------------------------------------

Value BackgroundTasksObject::type()
{
    static const Value t = [] {
        lang::NativeTypeSpec spec;
        spec.name = "BackgroundTasks";
        spec.module = "starlette.background";
        spec.methods.emplace_back("add_task", [](ThreadState &ts, const CallArgs &a) -> Value {
            if (a.size() < 2)
                return typeError(ts, "BackgroundTasks.add_task() missing 1 required positional argument: 'func'");
            Task task;
            task.func = a[1];
            for (std::size_t i = 2; i < a.size(); ++i)
                task.args.push_back(a[i]);
            for (const auto &kw : a.keywords)
                task.kwargs.emplace_back(std::string(kw.name), kw.value);
            BackgroundTasksObject::cast(a[0])->tasks.push_back(std::move(task));
            return Value::none();
        });
        spec.construct = [](ThreadState &, const CallArgs &) -> Value { return BackgroundTasksObject::create(); };
        return immortalType(std::move(spec));
    }();
    return t;
}

BackgroundTasksObject *BackgroundTasksObject::cast(const Value &v) { return castTo<BackgroundTasksObject>(v, type()); }

Value BackgroundTasksObject::create()
{
    return Value::fromObject(new BackgroundTasksObject(type().as<lang::TypeObject>()));
}

// --- Responses -------------------------------------------------------------------------------------

namespace {

const char *className(ResponseObject::Kind k)
{
    switch (k) {
    case ResponseObject::Kind::Plain: return "Response";
    case ResponseObject::Kind::Json: return "JSONResponse";
    case ResponseObject::Kind::Text: return "PlainTextResponse";
    case ResponseObject::Kind::Html: return "HTMLResponse";
    case ResponseObject::Kind::Streaming: return "StreamingResponse";
    case ResponseObject::Kind::Redirect: return "RedirectResponse";
    }
    return "Response";
}

const char *defaultMediaType(ResponseObject::Kind k)
{
    switch (k) {
    case ResponseObject::Kind::Json: return "application/json";
    case ResponseObject::Kind::Text: return "text/plain";
    case ResponseObject::Kind::Html: return "text/html";
    default: return "";
    }
}

// Response.render: str -> UTF-8, bytes as they are, None -> empty.
bool renderBytes(ThreadState &ts, const Value &content, std::string &out)
{
    if (!present(content) || content.isNone())
        return true;
    if (content.isStr()) {
        out = content.asString();
        return true;
    }
    if (content.isKind(lang::ObjKind::Bytes)) {
        out = content.as<lang::BytesObject>()->value;
        return true;
    }
    ts.raise(lang::typeValue(lang::types().AttributeError),
             "'" + lang::typeName(content) + "' object has no attribute 'encode'");
    return false;
}

// Builds a response object; `content` already resolved for the kind.
Value buildResponse(ThreadState &ts, ResponseObject::Kind kind, const Value &content, int status,
                    const Value &headers, const Value &mediaType, const Value &background);

} // namespace

Value buildResponseFor(ThreadState &ts, ResponseObject::Kind kind, const CallArgs &a)
{
    if (kind == ResponseObject::Kind::Redirect) {
        const Value url = a.arg(0, "url");
        if (!url.isStr())
            return typeError(ts, "RedirectResponse() missing 1 required positional argument: 'url'");
        int status = 307;
        const Value st = a.arg(1, "status_code");
        if (present(st) && !readInt(ts, st, "status_code", status))
            return Value::error();
        Value r = buildResponse(ts, kind, Value::none(), status, a.arg(2, "headers"), Value::notFound(),
                                a.arg(3, "background"));
        if (r.isError())
            return r;
        ResponseObject::cast(r)->headers.emplace_back(
            "location", UrlCodec::quote(url.asString(), ":/%#?=@[]!$&'()*+,;"));
        return r;
    }
    int status = 200;
    const Value st = a.arg(1, "status_code");
    if (present(st) && !readInt(ts, st, "status_code", status))
        return Value::error();
    return buildResponse(ts, kind, a.arg(0, "content"), status, a.arg(2, "headers"), a.arg(3, "media_type"),
                         a.arg(4, "background"));
}

namespace {

Value buildResponse(ThreadState &ts, ResponseObject::Kind kind, const Value &content, int status,
                    const Value &headers, const Value &mediaType, const Value &background)
{
    auto *r = new ResponseObject(ResponseObject::type(kind).as<lang::TypeObject>());
    Value v = Value::fromObject(r);
    r->kind = kind;
    r->status = status;
    r->mediaType = defaultMediaType(kind);
    if (present(mediaType) && mediaType.isStr())
        r->mediaType = mediaType.asString();
    r->background = present(background) ? background : Value::none();
    HeaderList given;
    if (!readHeaders(ts, headers, given))
        return Value::error();
    if (kind == ResponseObject::Kind::Streaming) {
        r->content = content;
        // init_headers without a body: no content-length.
        ResponseData d = ResponseData::make(std::string(), 100, r->mediaType, given);
        r->headers = std::move(d.headers);
        return v;
    }
    std::string body;
    if (kind == ResponseObject::Kind::Json) {
        if (!ValueEncoder::encode(ts, present(content) ? content : Value::none(), body, false))
            return Value::error();
    } else if (!renderBytes(ts, content, body)) {
        return Value::error();
    }
    ResponseData d = ResponseData::make(std::move(body), status, r->mediaType, given);
    r->headers = std::move(d.headers);
    r->body = std::move(d.body);
    return v;
}

Value makeResponseType(ResponseObject::Kind kind)
{
    lang::NativeTypeSpec spec;
    spec.name = className(kind);
    spec.module = "starlette.responses";
    spec.construct = [kind](ThreadState &ts, const CallArgs &a) -> Value {
        return buildResponseFor(ts, kind, withoutType(a, ResponseObject::type(kind)));
    };
    spec.hooks.getattr = [](ThreadState &, const Value &self, std::string_view name) -> Value {
        auto *r = ResponseObject::cast(self);
        if (!r)
            return Value::notFound();
        if (name == "status_code")
            return Value::fromInt(r->status);
        if (name == "body")
            return makeBytes(r->body);
        if (name == "headers")
            return headersDict(r->headers);
        if (name == "media_type")
            return r->mediaType.empty() ? Value::none() : Value::fromString(r->mediaType);
        if (name == "background")
            return r->background;
        if (name == "charset")
            return Value::fromString(std::string_view("utf-8"));
        return Value::notFound();
    };
    spec.hooks.setattr = [](ThreadState &ts, const Value &self, std::string_view name, const Value &v) -> bool {
        auto *r = ResponseObject::cast(self);
        if (!r)
            return false;
        if (name == "background") {
            r->background = v;
            return true;
        }
        if (name == "status_code" && v.isInt()) {
            int s = 200;
            if (readInt(ts, v, "status_code", s))
                r->status = s;
            return true;
        }
        return false;
    };
    return immortalType(std::move(spec));
}

} // namespace

Value ResponseObject::type(Kind kind)
{
    static const Value types[] = {makeResponseType(Kind::Plain),     makeResponseType(Kind::Json),
                                  makeResponseType(Kind::Text),      makeResponseType(Kind::Html),
                                  makeResponseType(Kind::Streaming), makeResponseType(Kind::Redirect)};
    return types[static_cast<int>(kind)];
}

ResponseObject *ResponseObject::cast(const Value &v)
{
    if (!v.isKind(lang::ObjKind::Native))
        return nullptr;
    for (int k = 0; k <= static_cast<int>(Kind::Redirect); ++k)
        if (v.ptr()->type() == type(static_cast<Kind>(k)).as<lang::TypeObject>())
            return v.as<ResponseObject>();
    return nullptr;
}

bool ResponseObject::kindOfClass(const Value &cls, Kind &kind)
{
    for (int k = 0; k <= static_cast<int>(Kind::Redirect); ++k) {
        if (cls.is(type(static_cast<Kind>(k)))) {
            kind = static_cast<Kind>(k);
            return true;
        }
    }
    return false;
}

bool ResponseObject::render(ThreadState &ts, Kind kind, const Value &content, int status, Value &out)
{
    if (kind == Kind::Redirect) {
        Value url = content;
        if (!url.isStr()) {
            typeError(ts, "RedirectResponse needs a str url");
            return false;
        }
        std::vector<Value> args{url, Value::fromInt(status)};
        out = buildResponseFor(ts, kind, CallArgs{args, {}});
        return !out.isError();
    }
    out = buildResponse(ts, kind, content, status, Value::notFound(), Value::notFound(), Value::notFound());
    return !out.isError();
}

Value ResponseObject::fromJsonText(std::string body, int status)
{
    auto *r = new ResponseObject(ResponseObject::type(Kind::Json).as<lang::TypeObject>());
    Value v = Value::fromObject(r);
    r->kind = Kind::Json;
    r->status = status;
    r->mediaType = defaultMediaType(Kind::Json);
    ResponseData d = ResponseData::make(std::move(body), status, r->mediaType, {});
    r->headers = std::move(d.headers);
    r->body = std::move(d.body);
    return v;
}

// --- Request -----------------------------------------------------------------------------------------

namespace {

Value urlType()
{
    static const Value t = [] {
        lang::NativeTypeSpec spec;
        spec.name = "URL";
        spec.module = "starlette.datastructures";
        return immortalType(std::move(spec));
    }();
    return t;
}

class UrlObject : public lang::NativeObject {
public:
    using lang::NativeObject::NativeObject;
};

Value makeUrl(const RequestObject &req)
{
    auto *u = new UrlObject(urlType().as<lang::TypeObject>());
    Value v = Value::fromObject(u);
    const std::string full = "http://" + req.host + UrlCodec::quote(req.path, "/") +
                             (req.rawQuery.empty() ? std::string() : "?" + req.rawQuery);
    u->attrs.setStr("path", Value::fromString(req.path));
    u->attrs.setStr("query", Value::fromString(req.rawQuery));
    u->attrs.setStr("scheme", Value::fromString(std::string_view("http")));
    const auto colon = req.host.rfind(':');
    u->attrs.setStr("hostname", Value::fromString(req.host.substr(0, colon)));
    u->attrs.setStr("_url", Value::fromString(full));
    return v;
}

// An already finished asyncio Future: `await request.json()` returns at once.
Value doneFuture(lang::ThreadState &ts, const RunContext &ctx, Value result, Value exception = Value::none())
{
    Value f = runtime::FutureObject::create(ts, ctx.loop ? ctx.loop : runtime::EventLoop::current());
    if (f.isError())
        return f;
    auto *fut = runtime::FutureObject::from(f);
    if (exception.isNone())
        fut->setResult(ts, std::move(result));
    else
        fut->setException(ts, std::move(exception));
    return f;
}

} // namespace

Value RequestObject::type()
{
    static const Value t = [] {
        lang::NativeTypeSpec spec;
        spec.name = "Request";
        spec.module = "starlette.requests";
        spec.methods.emplace_back("body", [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *r = RequestObject::cast(a[0]);
            return doneFuture(ts, r->ctx, makeBytes(r->body));
        });
        spec.methods.emplace_back("json", [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *r = RequestObject::cast(a[0]);
            JsonParseResult parsed = JsonReader::parse(r->body);
            if (parsed.value)
                return doneFuture(ts, r->ctx, ValueEncoder::fromJson(ts, *parsed.value));
            const std::string msg = parsed.error ? parsed.error->message() : std::string("invalid UTF-8");
            return doneFuture(ts, r->ctx, Value::none(), lang::makeException(lang::types().ValueError, msg));
        });
        spec.hooks.getattr = [](ThreadState &, const Value &self, std::string_view name) -> Value {
            auto *r = RequestObject::cast(self);
            if (!r)
                return Value::notFound();
            if (name == "method")
                return Value::fromString(r->method);
            if (name == "url")
                return makeUrl(*r);
            if (name == "headers")
                return headersDict(r->headers);
            if (name == "query_params") {
                Value d = Value::dict();
                for (const auto &[k, v] : r->query)
                    lang::dictSet(d, k, Value::fromString(v));
                return d;
            }
            if (name == "path_params") {
                Value d = Value::dict();
                for (const auto &[k, v] : r->pathParams)
                    lang::dictSet(d, k, Value::fromString(v));
                return d;
            }
            if (name == "client")
                return Value::tuple({Value::fromString(r->clientHost), Value::fromInt(r->clientPort)});
            return Value::notFound();
        };
        return immortalType(std::move(spec));
    }();
    return t;
}

RequestObject *RequestObject::cast(const Value &v) { return castTo<RequestObject>(v, type()); }

Value RequestObject::create(const RunContext &ctx)
{
    auto *r = new RequestObject(type().as<lang::TypeObject>());
    r->ctx = ctx;
    return Value::fromObject(r);
}

// --- modules ---------------------------------------------------------------------------------------------

namespace {

struct StatusCode {
    const char *name;
    int code;
};
const StatusCode kStatusCodes[] = {
#include "statuscodes.inc"
};

Value makeHttpExceptionType(ThreadState &ts)
{
    lang::Interpreter &interp = ts.interpreter();
    Value cls = interp.newExceptionType("HTTPException", lang::typeValue(lang::types().Exception), "fastapi.exceptions");
    auto *t = cls.as<lang::TypeObject>();
    t->construct = [t](ThreadState &ts2, const CallArgs &a0) -> Value {
        const CallArgs a = withoutType(a0, lang::typeValue(t));
        const Value status = a.arg(0, "status_code");
        if (!present(status))
            return typeError(ts2, "HTTPException.__init__() missing 1 required positional argument: 'status_code'");
        int code = 0;
        if (!readInt(ts2, status, "status_code", code))
            return Value::error();
        Value detail = a.arg(1, "detail");
        if (!present(detail) || detail.isNone()) {
            const std::string_view phrase = HttpStatus::phrase(code);
            if (phrase.empty())
                return ts2.raise(lang::typeValue(lang::types().ValueError),
                                 std::to_string(code) + " is not a valid HTTPStatus");
            detail = Value::fromString(phrase);
        }
        const Value headers = a.arg(2, "headers");
        auto *e = new lang::ExceptionObject(t);
        Value v = Value::fromObject(e);
        e->typeRef = lang::typeValue(t);
        e->args = Value::tuple(std::vector<Value>(a.positional.begin(), a.positional.end()));
        e->attrs.setStr("status_code", status);
        e->attrs.setStr("detail", detail);
        e->attrs.setStr("headers", present(headers) ? headers : Value::none());
        return v;
    };
    return cls;
}

Value buildInternalModule(ThreadState &ts)
{
    Value m = lang::makeModule("_loopscope_fastapi");
    auto set = [&](const char *name, Value v) { lang::moduleSet(m, name, std::move(v)); };
    set("FastAPI", AppObject::type());
    set("APIRouter", lang::makeNativeFunction("APIRouter", [](ThreadState &t, const CallArgs &a) -> Value {
        Value r = lang::call(t, AppObject::type(), {}, a.keywords);
        if (auto *router = AppObject::cast(r))
            router->isRouter = true;
        return r;
    }));
    set("Depends", lang::makeNativeFunction("Depends", [](ThreadState &t, const CallArgs &a) { return ObjectFactory::depends(t, a); }));
    set("Query", lang::makeNativeFunction("Query", [](ThreadState &t, const CallArgs &a) {
        return ObjectFactory::marker(t, a, ParamMarker::Kind::Query);
    }));
    set("Path", lang::makeNativeFunction("Path", [](ThreadState &t, const CallArgs &a) {
        return ObjectFactory::marker(t, a, ParamMarker::Kind::Path);
    }));
    set("Body", lang::makeNativeFunction("Body", [](ThreadState &t, const CallArgs &a) {
        return ObjectFactory::marker(t, a, ParamMarker::Kind::Body);
    }));
    set("Header", lang::makeNativeFunction("Header", [](ThreadState &t, const CallArgs &a) {
        return ObjectFactory::marker(t, a, ParamMarker::Kind::Header);
    }));
    set("BackgroundTasks", BackgroundTasksObject::type());
    set("Request", RequestObject::type());
    set("HTTPException", makeHttpExceptionType(ts));
    set("Response", ResponseObject::type(ResponseObject::Kind::Plain));
    set("JSONResponse", ResponseObject::type(ResponseObject::Kind::Json));
    set("PlainTextResponse", ResponseObject::type(ResponseObject::Kind::Text));
    set("HTMLResponse", ResponseObject::type(ResponseObject::Kind::Html));
    set("StreamingResponse", ResponseObject::type(ResponseObject::Kind::Streaming));
    set("RedirectResponse", ResponseObject::type(ResponseObject::Kind::Redirect));
    Value status = lang::makeModule("fastapi.status");
    for (const auto &sc : kStatusCodes)
        lang::moduleSet(status, sc.name, Value::fromInt(sc.code));
    set("status", status);
    return m;
}

// A module exposing some names of the internal module.
std::function<Value(ThreadState &)> reexport(std::string name, std::vector<const char *> names)
{
    return [name, names](ThreadState &ts) -> Value {
        Value internal = ts.interpreter().importModule(ts, "_loopscope_fastapi");
        if (internal.isError())
            return internal;
        Value m = lang::makeModule(name);
        for (const char *n : names) {
            Value v = lang::getAttr(ts, internal, n);
            if (v.isError())
                return v;
            lang::moduleSet(m, n, v);
        }
        return m;
    };
}

} // namespace

void FastApiModule::registerModules(lang::Interpreter &interp)
{
    ClientModules::registerModules(interp);
    interp.registerModule("_loopscope_fastapi", buildInternalModule);
    const std::vector<const char *> responses = {"Response", "JSONResponse", "PlainTextResponse", "HTMLResponse",
                                                 "StreamingResponse", "RedirectResponse"};
    interp.registerModule("fastapi", reexport("fastapi", {"FastAPI", "APIRouter", "Depends", "Query", "Path", "Body",
                                                          "Header", "BackgroundTasks", "Request", "HTTPException",
                                                          "Response", "status"}));
    interp.registerModule("fastapi.responses", reexport("fastapi.responses", responses));
    interp.registerModule("starlette.responses", reexport("starlette.responses", responses));
    interp.registerModule("fastapi.exceptions", reexport("fastapi.exceptions", {"HTTPException"}));
    interp.registerModule("starlette.exceptions", reexport("starlette.exceptions", {"HTTPException"}));
    interp.registerModule("fastapi.params", reexport("fastapi.params", {"Depends", "Query", "Path", "Body", "Header"}));
    interp.registerModule("fastapi.background", reexport("fastapi.background", {"BackgroundTasks"}));
    interp.registerModule("starlette.background", reexport("starlette.background", {"BackgroundTasks"}));
    interp.registerModule("fastapi.requests", reexport("fastapi.requests", {"Request"}));
    interp.registerModule("starlette.requests", reexport("starlette.requests", {"Request"}));
    auto statusModule = [](ThreadState &ts) -> Value {
        Value internal = ts.interpreter().importModule(ts, "_loopscope_fastapi");
        if (internal.isError())
            return internal;
        return lang::getAttr(ts, internal, "status");
    };
    interp.registerModule("fastapi.status", statusModule);
    interp.registerModule("starlette.status", statusModule);
    // pydantic v1's BaseModel, Field and ValidationError, written in the language itself.
    interp.registerModule("pydantic", [](ThreadState &ts) -> Value {
        return ts.interpreter().runBundledModule(ts, kPydanticSource, "pydantic");
    });
}

Value FastApiModule::httpExceptionType(ThreadState &ts)
{
    Value internal = ts.interpreter().importModule(ts, "_loopscope_fastapi");
    if (internal.isError())
        return internal;
    return lang::getAttr(ts, internal, "HTTPException");
}

bool FastApiModule::readHttpException(ThreadState &ts, const Value &exc, int &status, Value &detail,
                                      HeaderList &headers)
{
    Value cls = httpExceptionType(ts);
    if (cls.isError()) {
        ts.fetchException();
        return false;
    }
    if (!exc.isException() || !lang::isInstance(exc, cls.as<lang::TypeObject>()))
        return false;
    Value st = lang::getAttrOpt(ts, exc, "status_code");
    if (!st.isInt() || st.isBool())
        return false;
    bool ok = true;
    status = static_cast<int>(st.asInt(&ok));
    detail = lang::getAttrOpt(ts, exc, "detail");
    if (detail.isNotFound() || detail.isError())
        detail = Value::none();
    Value h = lang::getAttrOpt(ts, exc, "headers");
    if (h.isDict() && !readHeaders(ts, h, headers))
        ts.fetchException();
    if (ts.hasException())
        ts.fetchException();
    return ok;
}

} // namespace loopscope::fastapi
