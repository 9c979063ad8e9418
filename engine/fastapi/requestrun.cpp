#include "requestrun.h"

#include "jsonreader.h"
#include "paramresolver.h"
#include "threadstatecache.h"
#include "valueencoder.h"

#include "http/httpexchange.h"
#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/objects.h"
#include "lang/threadstate.h"
#include "runtime/asyncruntime.h"
#include "runtime/capacitylimiter.h"
#include "runtime/eventloop.h"
#include "runtime/future.h"
#include "trace/tracebuffer.h"

#include <algorithm>

namespace loopscope::fastapi {

using lang::ThreadState;
using lang::Value;

struct RequestRun::Solve {
    const Dependant *d = nullptr;
    std::size_t next = 0;
    KeywordList values;
    bool subFailed = false;
    std::function<void(ThreadState &, bool ok, KeywordList values)> done;
};

namespace {

std::vector<lang::KeywordArg> keywordArgs(const KeywordList &kwargs)
{
    std::vector<lang::KeywordArg> kw;
    kw.reserve(kwargs.size());
    for (const auto &[name, value] : kwargs)
        kw.push_back(lang::KeywordArg{name, value});
    return kw;
}

Value builtin(lang::ThreadState &ts, std::string_view name)
{
    return lang::dictGet(ts.interpreter().builtinsDict(), name);
}

bool isA(const Value &exc, lang::TypeObject *type) { return exc.isException() && lang::isInstance(exc, type); }

// pydantic v1 for a JSON body value of a scalar type.
bool convertBodyScalar(lang::ThreadState &ts, ParamType type, const Value &v, Value &out, ParamError &err)
{
    switch (type) {
    case ParamType::Any: out = v; return true;
    case ParamType::Str:
        if (v.isStr() || ((v.isInt() || v.isFloat()) && !v.isBool())) {
            out = v.isStr() ? v : lang::strValue(ts, v);
            return true;
        }
        err = {"str type expected", "type_error.str"};
        return false;
    case ParamType::Int:
        if (v.isInt() || v.isBool()) {
            out = Value::fromInt(v.asInt());
            return true;
        }
        if (v.isFloat()) {
            out = Value::fromInt(static_cast<std::int64_t>(v.asDouble()));
            return true;
        }
        if (v.isStr()) {
            if (auto i = ParamConverter::parseInt(v.asString())) {
                out = Value::fromInt(*i);
                return true;
            }
        }
        err = {"value is not a valid integer", "type_error.integer"};
        return false;
    case ParamType::Float:
        if (v.isInt() || v.isFloat() || v.isBool()) {
            out = Value::fromDouble(v.asDouble());
            return true;
        }
        if (v.isStr()) {
            if (auto f = ParamConverter::parseFloat(v.asString())) {
                out = Value::fromDouble(*f);
                return true;
            }
        }
        err = {"value is not a valid float", "type_error.float"};
        return false;
    case ParamType::Bool:
        if (v.isBool()) {
            out = v;
            return true;
        }
        if (v.isInt() && !v.isBool()) {
            bool ok = true;
            const auto i = v.asInt(&ok);
            if (ok && (i == 0 || i == 1)) {
                out = Value::fromBool(i == 1);
                return true;
            }
        }
        if (v.isStr()) {
            if (auto b = ParamConverter::parseBool(v.asString())) {
                out = Value::fromBool(*b);
                return true;
            }
        }
        err = {"value could not be parsed to a boolean", "type_error.bool"};
        return false;
    }
    return false;
}

Value paramValueToPython(const ParamValue &v)
{
    switch (v.type) {
    case ParamType::Int: return Value::fromInt(v.intValue);
    case ParamType::Float: return Value::fromDouble(v.floatValue);
    case ParamType::Bool: return Value::fromBool(v.boolValue);
    case ParamType::Any:
    case ParamType::Str: return Value::fromString(v.text);
    }
    return Value::none();
}

} // namespace

void RunRegistry::add(const std::shared_ptr<RequestRun> &run)
{
    std::lock_guard lock(m_mutex);
    m_runs.push_back(run);
}

void RunRegistry::remove(const RequestRun *run)
{
    std::shared_ptr<RequestRun> keep; // destroyed after the lock is released
    std::lock_guard lock(m_mutex);
    for (auto it = m_runs.begin(); it != m_runs.end(); ++it) {
        if (it->get() == run) {
            keep = std::move(*it);
            m_runs.erase(it);
            break;
        }
    }
}

void RunRegistry::clear(bool onLoopThread)
{
    std::vector<std::shared_ptr<RequestRun>> runs;
    {
        std::lock_guard lock(m_mutex);
        runs.swap(m_runs);
    }
    for (auto &run : runs)
        run->abandon(onLoopThread);
}

std::size_t RunRegistry::size() const
{
    std::lock_guard lock(m_mutex);
    return m_runs.size();
}

RequestRun::RequestRun(std::shared_ptr<const AppState> state, const Endpoint &endpoint, runtime::EventLoop *loop,
                       Options options, std::shared_ptr<http::HttpExchange> exchange, PathParams pathParams,
                       QueryItems query)
    : m_state(std::move(state)), m_endpoint(endpoint), m_loop(loop), m_options(std::move(options)),
      m_exchange(std::move(exchange)), m_requestId(m_exchange->id()), m_pathParams(std::move(pathParams)),
      m_query(std::move(query))
{
    for (const auto &[k, v] : m_exchange->headers())
        m_headers.emplace_back(k.toLower().toStdString(), v.toStdString());
}

RequestRun::~RequestRun() = default;

Value RequestRun::makeCoroutine(ThreadState &ts)
{
    if (auto registry = m_options.registry.lock())
        registry->add(shared_from_this());
    std::weak_ptr<RequestRun> weak = shared_from_this();
    return runtime::makeNativeCoroutine(ts, m_endpoint.dependant.name,
                                        [weak](ThreadState &t, const Value &sent, const Value *exc) {
                                            auto self = weak.lock();
                                            if (!self) // the app went away (shutdown)
                                                return lang::ResumeResult{lang::ResumeResult::Returned, Value::none()};
                                            return self->step(t, sent, exc);
                                        });
}

// The task's step: resumes what the request awaits; when that finishes, runs the
// pipeline on until it awaits something that suspends, or the request is over.
lang::ResumeResult RequestRun::step(ThreadState &ts, const Value &sent, const Value *exc)
{
    Value send = sent;
    Value thrown;
    bool haveThrown = exc != nullptr;
    if (haveThrown)
        thrown = *exc;
    if (!m_begun) {
        m_begun = true;
        begin(ts);
    }
    while (!m_inner.isNone()) {
        lang::ResumeResult r = haveThrown ? lang::throwInto(ts, m_inner, thrown) : lang::resume(ts, m_inner, send);
        haveThrown = false;
        send = Value::none();
        if (r.kind == lang::ResumeResult::Yielded)
            return r;
        m_inner = Value::none();
        Cont cont = std::move(m_cont);
        m_cont = nullptr;
        if (r.kind == lang::ResumeResult::Returned)
            cont(ts, std::move(r.value), Value::none());
        else
            cont(ts, Value::none(), ts.fetchException());
    }
    if (haveThrown && !m_done) {
        // Cancelled with nothing to forward it to.
        ts.restoreException(thrown);
        return {lang::ResumeResult::Raised, Value::none()};
    }
    return {lang::ResumeResult::Returned, Value::none()};
}

void RequestRun::awaitValue(ThreadState &ts, const Value &awaitable, Cont cont)
{
    Value it = lang::getAwaitable(ts, awaitable);
    if (it.isError()) {
        cont(ts, Value::none(), ts.fetchException());
        return;
    }
    m_inner = std::move(it);
    m_cont = std::move(cont);
}

void RequestRun::awaitSync(ThreadState &ts, Value fn, std::vector<Value> args, KeywordList kwargs,
                           runtime::CapacityLimiter *limiter, Cont cont)
{
    Value coro = runtime::runSyncCoroutine(ts, std::move(fn), std::move(args), std::move(kwargs), limiter);
    if (coro.isError()) {
        cont(ts, Value::none(), ts.fetchException());
        return;
    }
    awaitValue(ts, coro, std::move(cont));
}

runtime::CapacityLimiter *RequestRun::exitLimiter()
{
    // contextmanager_in_threadpool: "exit_limiter = CapacityLimiter(1)", a new one per
    // dependency exit, so exits never wait for the 40 tokens.
    if (!m_exitLimiter)
        m_exitLimiter = std::make_unique<runtime::CapacityLimiter>(m_loop, 1, runtime::CapacityLimiter::WakeOrder::Fifo,
                                                                   "exit_limiter");
    return m_exitLimiter.get();
}

void RequestRun::begin(ThreadState &ts)
{
    auto self = shared_from_this();
    std::weak_ptr<RequestRun> weak = self;
    m_exchange->setCompletionCallback([weak](bool) {
        // Loop thread, outside any step: wake the task waiting for the response to be out.
        auto self = weak.lock();
        if (!self)
            return;
        if (self->m_writtenFuture.isNone()) {
            self->m_writtenFuture = Value::trueValue(); // written before anyone waited
            return;
        }
        auto *f = runtime::FutureObject::from(self->m_writtenFuture);
        if (!f || f->done())
            return;
        ThreadState &lts = ThreadStateCache::forCurrentThread(*self->m_state->interp, "loop");
        GilScope gil(lts);
        f->setResult(lts, Value::none());
    });

    if (m_endpoint.bodyParams > 0 && !readBody(ts))
        return;

    auto root = std::make_shared<Solve>();
    root->d = &m_endpoint.dependant;
    root->done = [self](ThreadState &t, bool ok, KeywordList values) {
        if (self->m_failed)
            return;
        if (!ok || !self->m_issues.empty()) {
            self->failValidation(t);
            return;
        }
        self->runEndpoint(t, std::move(values));
    };
    advance(ts, root);
}

bool RequestRun::readBody(ThreadState &ts)
{
    const QByteArray &raw = m_exchange->body();
    if (raw.isEmpty())
        return true;
    const std::string body = raw.toStdString();
    // FastAPI reads JSON when the content type is absent or application/json / +json.
    std::string contentType;
    for (const auto &[k, v] : m_headers)
        if (k == "content-type" && contentType.empty())
            contentType = v;
    std::string mediaType = contentType.substr(0, contentType.find(';'));
    mediaType.erase(std::remove(mediaType.begin(), mediaType.end(), ' '), mediaType.end());
    std::transform(mediaType.begin(), mediaType.end(), mediaType.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool json = contentType.empty() || mediaType == "application/json" ||
                      (mediaType.rfind("application/", 0) == 0 && mediaType.size() >= 5 &&
                       mediaType.compare(mediaType.size() - 5, 5, "+json") == 0);
    m_bodyPresent = true;
    if (!json) {
        m_body = Value::fromObject(new lang::BytesObject(body));
        return true;
    }
    JsonParseResult parsed = JsonReader::parse(body);
    if (parsed.invalidEncoding) {
        respondNow(ResponseData::badBody());
        finish();
        return false;
    }
    if (parsed.error) {
        const JsonDecodeError &e = *parsed.error;
        ValidationIssue issue;
        issue.loc = {JsonNode::fromString("body"), JsonNode::fromInt(e.pos)};
        issue.msg = e.message();
        issue.type = "value_error.jsondecode";
        JsonNode ctx = JsonNode::makeObject();
        ctx.set("msg", JsonNode::fromString(e.msg));
        ctx.set("doc", JsonNode::fromString(body));
        ctx.set("pos", JsonNode::fromInt(e.pos));
        ctx.set("lineno", JsonNode::fromInt(e.lineno));
        ctx.set("colno", JsonNode::fromInt(e.colno));
        issue.ctx = std::move(ctx);
        respondNow(ResponseData::validationError({issue}));
        finish();
        return false;
    }
    m_body = ValueEncoder::fromJson(ts, *parsed.value);
    return true;
}

// FastAPI's solve_dependencies: sub-dependencies one by one (each solved, then called),
// then the dependant's own parameters.
void RequestRun::advance(ThreadState &ts, const std::shared_ptr<Solve> &s)
{
    if (m_failed)
        return;
    if (s->next >= s->d->dependencies.size()) {
        resolveOwnParams(ts, s);
        return;
    }
    const Dependant &sub = s->d->dependencies[s->next++];
    auto self = shared_from_this();
    auto subSolve = std::make_shared<Solve>();
    subSolve->d = &sub;
    subSolve->done = [self, s, &sub](ThreadState &t, bool ok, KeywordList subValues) {
        if (self->m_failed)
            return;
        if (!ok) {
            s->subFailed = true;
            self->advance(t, s);
            return;
        }
        if (sub.useCache) {
            for (const auto &[call, value] : self->m_cache) {
                if (call.is(sub.call)) {
                    s->values.emplace_back(sub.paramName, value);
                    self->advance(t, s);
                    return;
                }
            }
        }
        self->callDependency(t, sub, std::move(subValues), [self, s, &sub](ThreadState &t2, Value result, Value exc) {
            if (self->m_failed)
                return;
            if (!exc.isNone()) {
                self->fail(t2, std::move(exc));
                return;
            }
            self->m_cache.emplace_back(sub.call, result);
            s->values.emplace_back(sub.paramName, std::move(result));
            self->advance(t2, s);
        });
    };
    advance(ts, subSolve);
}

// A body typed with a pydantic model: the JSON object becomes model(**body); its
// ValidationError's errors become the 422's, under `loc` ("body", [param,] field...).
bool RequestRun::validateModel(ThreadState &ts, const Value &model, Value &v, const JsonArray &loc)
{
    auto issue = [&](JsonArray at, std::string msg, std::string type, std::optional<JsonNode> ctx = {}) {
        ValidationIssue i;
        i.loc = std::move(at);
        i.msg = std::move(msg);
        i.type = std::move(type);
        i.ctx = std::move(ctx);
        m_issues.push_back(std::move(i));
    };
    if (!v.isDict()) {
        issue(loc, "value is not a valid dict", "type_error.dict");
        return false;
    }
    std::vector<lang::KeywordArg> kwargs;
    for (const auto &[key, value] : lang::asDict(v)->items()) {
        if (!key.isStr()) {
            issue(loc, "value is not a valid dict", "type_error.dict");
            return false;
        }
        kwargs.push_back(lang::KeywordArg{key.asString(), value});
    }
    Value made = lang::call(ts, model, std::span<const Value>(), std::span<const lang::KeywordArg>(kwargs));
    if (!made.isError()) {
        v = made;
        return true;
    }
    const Value exc = ts.fetchException();
    // pydantic's own ValidationError (the model's module is loaded, so this is a lookup)
    const Value pydantic = ts.interpreter().importModule(ts, "pydantic");
    const Value validationError = pydantic.isError() ? pydantic : lang::getAttr(ts, pydantic, "ValidationError");
    Value errors = validationError.isType() && isA(exc, validationError.as<lang::TypeObject>())
                       ? lang::callMethod(ts, exc, "errors", {})
                       : Value::error();
    if (errors.isError() || !errors.isList()) {
        if (ts.hasException())
            ts.fetchException();
        fail(ts, exc); // not a validation failure: the model's own code raised
        return false;
    }
    for (const Value &e : lang::asList(errors)->items) {
        if (!e.isDict())
            continue;
        auto *d = lang::asDict(e);
        Value at, msg, type, ctx;
        d->get(ts, Value::fromString("loc"), at);
        d->get(ts, Value::fromString("msg"), msg);
        d->get(ts, Value::fromString("type"), type);
        d->get(ts, Value::fromString("ctx"), ctx);
        JsonArray full = loc;
        if (at.isTuple())
            for (const Value &part : lang::asTuple(at)->items)
                full.push_back(part.isInt() ? JsonNode::fromInt(part.asInt()) : JsonNode::fromString(lang::str(ts, part)));
        std::optional<JsonNode> ctxNode;
        if (!ctx.isNotFound() && !ctx.isError()) {
            JsonNode node;
            if (ValueEncoder::toJsonNode(ts, ctx, node))
                ctxNode = std::move(node);
        }
        if (ts.hasException())
            ts.fetchException();
        issue(std::move(full), msg.isStr() ? msg.asString() : std::string(), type.isStr() ? type.asString() : std::string(),
              std::move(ctxNode));
    }
    return false;
}

void RequestRun::resolveOwnParams(ThreadState &ts, const std::shared_ptr<Solve> &s)
{
    const Dependant &d = *s->d;
    const std::size_t issuesBefore = m_issues.size();

    // Path and query parameters: ParamResolver follows FastAPI's order (path, query).
    std::vector<ParamSpec> specs;
    std::vector<std::size_t> specParam;
    for (std::size_t i = 0; i < d.params.size(); ++i) {
        const auto &p = d.params[i];
        if (p.kind != DependantParam::Kind::Path && p.kind != DependantParam::Kind::Query)
            continue;
        specs.push_back(ParamSpec{p.alias,
                                  p.kind == DependantParam::Kind::Path ? ParamSpec::Source::Path : ParamSpec::Source::Query,
                                  p.type, p.required, p.sequence, p.constraints});
        specParam.push_back(i);
    }
    ResolvedParams resolved = ParamResolver::resolve(specs, m_pathParams, m_query);
    for (auto &issue : resolved.issues)
        m_issues.push_back(std::move(issue));
    for (std::size_t k = 0; k < specs.size(); ++k) {
        const auto &p = d.params[specParam[k]];
        if (resolved.sequences[k]) {
            std::vector<Value> items;
            for (const ParamValue &v : *resolved.sequences[k])
                items.push_back(paramValueToPython(v));
            s->values.emplace_back(p.name, lang::makeList(std::move(items)));
        } else if (resolved.values[k])
            s->values.emplace_back(p.name, paramValueToPython(*resolved.values[k]));
        else if (!p.required)
            s->values.emplace_back(p.name, p.defaultValue);
    }

    // Headers, then the body, then the special parameters.
    for (const auto &p : d.params) {
        if (p.kind != DependantParam::Kind::Header)
            continue;
        std::string key = p.alias;
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const std::string *found = nullptr;
        for (const auto &[k, v] : m_headers)
            if (k == key && !found)
                found = &v;
        if (!found) {
            if (p.required)
                m_issues.push_back(ValidationIssue::at("header", p.alias, "field required", "value_error.missing"));
            else
                s->values.emplace_back(p.name, p.defaultValue);
            continue;
        }
        ParamConversion c = ParamConverter::convert(p.type, *found, p.constraints);
        if (c.error)
            m_issues.push_back(ValidationIssue::at("header", p.alias, *c.error));
        else
            s->values.emplace_back(p.name, paramValueToPython(*c.value));
    }
    const bool embed = m_endpoint.bodyParams > 1;
    for (const auto &p : d.params) {
        if (p.kind != DependantParam::Kind::Body)
            continue;
        JsonArray loc{JsonNode::fromString("body")};
        if (embed)
            loc.push_back(JsonNode::fromString(p.alias));
        auto issue = [&](std::string msg, std::string type) {
            ValidationIssue i;
            i.loc = loc;
            i.msg = std::move(msg);
            i.type = std::move(type);
            m_issues.push_back(std::move(i));
        };
        Value v = Value::notFound();
        if (m_bodyPresent) {
            if (!embed) {
                v = m_body;
            } else if (m_body.isDict()) {
                Value item;
                lang::asDict(m_body)->get(ts, Value::fromString(p.alias), item);
                if (ts.hasException())
                    ts.fetchException();
                v = item;
            }
        }
        if (v.isNotFound() || v.isError()) {
            if (p.required)
                issue("field required", "value_error.missing");
            else
                s->values.emplace_back(p.name, p.defaultValue);
            continue;
        }
        switch (p.bodyType) {
        case DependantParam::BodyType::Dict:
            if (!v.isDict()) {
                issue("value is not a valid dict", "type_error.dict");
                continue;
            }
            break;
        case DependantParam::BodyType::List:
            if (!v.isList() && !v.isTuple()) {
                issue("value is not a valid list", "type_error.list");
                continue;
            }
            break;
        case DependantParam::BodyType::Scalar: {
            Value converted;
            ParamError err;
            if (!convertBodyScalar(ts, p.type, v, converted, err)) {
                issue(err.msg, err.type);
                continue;
            }
            v = converted;
            break;
        }
        case DependantParam::BodyType::Model:
            if (!validateModel(ts, p.model, v, loc))
                continue;
            break;
        case DependantParam::BodyType::Any: break;
        }
        s->values.emplace_back(p.name, v);
    }
    for (const auto &p : d.params) {
        switch (p.kind) {
        case DependantParam::Kind::Request:
            if (m_request.isNone()) {
                m_request = RequestObject::create(RunContext{m_state->interp, m_loop});
                auto *r = RequestObject::cast(m_request);
                r->method = m_exchange->method().toStdString();
                r->path = m_exchange->path().toStdString();
                r->rawQuery = m_exchange->queryString().toStdString();
                r->query = m_query;
                r->headers = m_headers;
                r->pathParams = m_pathParams;
                r->body = m_exchange->body().toStdString();
                const QByteArray host = m_exchange->request().header("host");
                r->host = host.isEmpty() ? "127.0.0.1:" + std::to_string(m_exchange->request().localPort)
                                         : host.toStdString();
                r->clientHost = m_exchange->request().peerAddress.toString().toStdString();
                r->clientPort = m_exchange->request().peerPort;
            }
            s->values.emplace_back(p.name, m_request);
            break;
        case DependantParam::Kind::BackgroundTasks:
            if (m_background.isNone())
                m_background = BackgroundTasksObject::create();
            s->values.emplace_back(p.name, m_background);
            break;
        case DependantParam::Kind::Response:
            if (m_responseParam.isNone()) {
                Value r;
                if (ResponseObject::render(ts, ResponseObject::Kind::Plain, Value::none(), 200, r))
                    m_responseParam = r;
                else
                    ts.fetchException();
            }
            s->values.emplace_back(p.name, m_responseParam);
            break;
        default: break;
        }
    }
    const bool ok = !s->subFailed && m_issues.size() == issuesBefore;
    auto done = std::move(s->done);
    done(ts, ok, std::move(s->values));
}


void RequestRun::callDependency(ThreadState &ts, const Dependant &d, KeywordList values, Cont done)
{
    auto self = shared_from_this();
    if (!d.isAsync && !d.isGenerator && !d.isAsyncGenerator) {
        // A `def` dependency: its own run_in_threadpool call (one token, then released).
        awaitSync(ts, d.call, {}, std::move(values), m_options.limiter, std::move(done));
        return;
    }
    const auto kw = keywordArgs(values);
    Value obj = lang::call(ts, d.call, {}, kw);
    if (obj.isError()) {
        done(ts, Value::none(), ts.fetchException());
        return;
    }
    if (d.isAsync) {
        awaitValue(ts, obj, std::move(done));
        return;
    }
    if (d.isGenerator) {
        // contextmanager_in_threadpool: __enter__ (the first next()) through the limiter.
        awaitSync(ts, builtin(ts, "next"), {obj}, {}, m_options.limiter,
                  [self, obj, done](ThreadState &t, Value result, Value exc) {
                      if (!exc.isNone()) {
                          if (isA(exc, lang::types().StopIteration))
                              exc = lang::makeException(lang::types().RuntimeError, "generator didn't yield");
                          done(t, Value::none(), std::move(exc));
                          return;
                      }
                      self->m_exits.push_back(ExitEntry{obj, false});
                      done(t, std::move(result), Value::none());
                  });
        return;
    }
    // An async generator: asynccontextmanager's __aenter__, the first __anext__().
    Value anext = lang::callMethod(ts, obj, "__anext__", {});
    if (anext.isError()) {
        done(ts, Value::none(), ts.fetchException());
        return;
    }
    awaitValue(ts, anext, [self, obj, done](ThreadState &t, Value result, Value exc) {
        if (!exc.isNone()) {
            if (isA(exc, lang::types().StopAsyncIteration))
                exc = lang::makeException(lang::types().RuntimeError, "generator didn't yield");
            done(t, Value::none(), std::move(exc));
            return;
        }
        self->m_exits.push_back(ExitEntry{obj, true});
        done(t, std::move(result), Value::none());
    });
}

void RequestRun::runEndpoint(ThreadState &ts, KeywordList values)
{
    const Dependant &d = m_endpoint.dependant;
    auto self = shared_from_this();
    Cont done = [self](ThreadState &t, Value result, Value exc) { self->endpointDone(t, std::move(result), std::move(exc)); };
    if (!d.isAsync) {
        // def endpoint: run_in_threadpool, the token held for the whole call.
        awaitSync(ts, d.call, {}, std::move(values), m_options.limiter, std::move(done));
        return;
    }
    const auto kw = keywordArgs(values);
    Value coro = lang::call(ts, d.call, {}, kw);
    if (coro.isError()) {
        done(ts, Value::none(), ts.fetchException());
        return;
    }
    awaitValue(ts, coro, std::move(done));
}

void RequestRun::endpointDone(ThreadState &ts, Value result, Value exc)
{
    if (m_failed)
        return;
    if (!exc.isNone()) {
        fail(ts, std::move(exc));
        return;
    }
    Value response = result;
    if (!ResponseObject::cast(result) && !m_endpoint.decl.responseModel.isNone()) {
        // serialize_response with a response_model: models to dicts, validated as the model
        // (which drops what it does not declare); a mismatch is a 500 with its traceback.
        Value pydantic = ts.interpreter().importModule(ts, "pydantic");
        Value check = pydantic.isError() ? pydantic : lang::getAttr(ts, pydantic, "_response_value");
        Value checked = check.isError() ? check : lang::call(ts, check, {m_endpoint.decl.responseModel, result});
        if (checked.isError()) {
            fail(ts, ts.fetchException());
            return;
        }
        result = checked;
    }
    if (!ResponseObject::cast(result)) {
        // serialize_response (jsonable_encoder) + actual_response_class(content, status_code)
        const int status = m_endpoint.decl.statusCode > 0
                               ? m_endpoint.decl.statusCode
                               : (m_endpoint.responseKind == ResponseObject::Kind::Redirect ? 307 : 200);
        Value content = result;
        if (m_endpoint.responseKind == ResponseObject::Kind::Json) {
            std::string text;
            if (!ValueEncoder::encode(ts, result, text, true)) {
                fail(ts, ts.fetchException());
                return;
            }
            response = ResponseObject::fromJsonText(std::move(text), status);
        } else if (!ResponseObject::render(ts, m_endpoint.responseKind, content, status, response)) {
            fail(ts, ts.fetchException());
            return;
        }
    }
    if (auto *r = ResponseObject::cast(response); r && r->background.isNone() && !m_background.isNone())
        r->background = m_background;
    sendResponse(ts, std::move(response));
}

namespace {

QByteArray headerBytes(const std::string &s)
{
    if (s == "content-length")
        return QByteArrayLiteral("content-length");
    if (s == "content-type")
        return QByteArrayLiteral("content-type");
    if (s == "application/json")
        return QByteArrayLiteral("application/json");
    return QByteArray::fromStdString(s);
}

} // namespace

http::HttpHeaders toHttpHeaders(const HeaderList &headers)
{
    http::HttpHeaders out;
    out.reserve(headers.size());
    for (const auto &[k, v] : headers)
        out.emplace_back(headerBytes(k), headerBytes(v));
    return out;
}

void RequestRun::sendResponse(ThreadState &ts, Value response)
{
    m_response = response;
    auto *r = ResponseObject::cast(response);
    if (r->kind != ResponseObject::Kind::Streaming) {
        m_responseStarted = true;
        m_exchange->respond(r->status, toHttpHeaders(r->headers), QByteArray::fromStdString(r->body));
        awaitWritten(ts);
        return;
    }
    Value content = r->content;
    Value anext = lang::getAttrOpt(ts, content, "__anext__");
    if (ts.hasException())
        ts.fetchException();
    m_streamAsync = lang::isAsyncGenerator(content) || (!anext.isNotFound() && !anext.isError());
    if (m_streamAsync) {
        m_streamIter = content;
    } else {
        m_streamIter = lang::getIter(ts, content);
        if (m_streamIter.isError()) {
            fail(ts, ts.fetchException());
            return;
        }
    }
    m_responseStarted = true;
    m_exchange->startStreaming(r->status, toHttpHeaders(r->headers));
    streamNext(ts);
}

void RequestRun::streamNext(ThreadState &ts)
{
    auto self = shared_from_this();
    Cont onChunk = [self](ThreadState &t, Value chunk, Value exc) {
        if (!exc.isNone()) {
            const bool end = isA(exc, self->m_streamAsync ? lang::types().StopAsyncIteration : lang::types().StopIteration);
            self->streamEnded(t, end ? Value::none() : exc);
            return;
        }
        std::string bytes;
        if (chunk.isStr()) {
            bytes = chunk.asString();
        } else if (chunk.isKind(lang::ObjKind::Bytes)) {
            bytes = chunk.as<lang::BytesObject>()->value;
        } else {
            self->streamEnded(t, lang::makeException(lang::types().AttributeError,
                                                     "'" + lang::typeName(chunk) + "' object has no attribute 'encode'"));
            return;
        }
        if (!self->m_exchange->writeChunk(QByteArray::fromStdString(bytes))) {
            self->streamEnded(t, Value::none()); // the client is gone
            return;
        }
        self->streamNext(t);
    };
    if (!m_streamAsync) {
        // iterate_in_threadpool: every next() is its own run_in_threadpool call.
        awaitSync(ts, builtin(ts, "next"), {m_streamIter}, {}, m_options.limiter, std::move(onChunk));
        return;
    }
    Value anext = lang::callMethod(ts, m_streamIter, "__anext__", {});
    if (anext.isError()) {
        streamEnded(ts, ts.fetchException());
        return;
    }
    awaitValue(ts, anext, std::move(onChunk));
}

void RequestRun::streamEnded(ThreadState &ts, Value exc)
{
    m_exchange->finish();
    if (!exc.isNone()) {
        // The response has started: uvicorn can only log the error and end it.
        m_failed = true;
        reportError(ts, exc);
        auto self = shared_from_this();
        runExits(ts, exc, [self](ThreadState &) { self->finish(); });
        return;
    }
    awaitWritten(ts);
}

// Waits (in the task) until the server has handed the last byte to the socket, then
// runs the background tasks: Starlette's `await self.background()` after the send.
void RequestRun::awaitWritten(ThreadState &ts)
{
    auto self = shared_from_this();
    Cont next = [self](ThreadState &t, Value, Value) { self->runBackground(t, 0); };
    if (m_writtenFuture.isTrueConst()) {
        next(ts, Value::none(), Value::none());
        return;
    }
    m_writtenFuture = runtime::FutureObject::create(ts, m_loop);
    if (m_writtenFuture.isError()) {
        ts.fetchException();
        m_writtenFuture = Value::none();
        next(ts, Value::none(), Value::none());
        return;
    }
    awaitValue(ts, m_writtenFuture, std::move(next));
}

void RequestRun::runBackground(ThreadState &ts, std::size_t index)
{
    auto self = shared_from_this();
    auto *r = ResponseObject::cast(m_response);
    auto *tasks = r ? BackgroundTasksObject::cast(r->background) : nullptr;
    if (!tasks || index >= tasks->tasks.size()) {
        runExits(ts, Value::none(), [self](ThreadState &) { self->finish(); });
        return;
    }
    const BackgroundTasksObject::Task task = tasks->tasks[index];
    lang::FunctionInfo info;
    const bool known = lang::functionInfo(task.func, info);
    const std::string name = known ? info.name : lang::typeName(task.func);
    trace::record(trace::EventKind::BackgroundBegin, m_requestId, trace::intern(name));
    Cont done = [self, index](ThreadState &t, Value, Value exc) {
        trace::record(trace::EventKind::BackgroundEnd, self->m_requestId);
        if (!exc.isNone()) {
            // Starlette stops at the first failing task; uvicorn logs it.
            self->reportError(t, exc);
            self->runExits(t, exc, [self](ThreadState &) { self->finish(); });
            return;
        }
        self->runBackground(t, index + 1);
    };
    if (known && info.isAsync && !info.isGenerator) {
        const auto kw = keywordArgs(task.kwargs);
        Value coro = lang::call(ts, task.func, task.args, kw);
        if (coro.isError()) {
            done(ts, Value::none(), ts.fetchException());
            return;
        }
        awaitValue(ts, coro, std::move(done));
        return;
    }
    awaitSync(ts, task.func, task.args, task.kwargs, m_options.limiter, std::move(done));
}

// The AsyncExitStack: generator dependencies exit newest first; a `def` one with its own
// exit limiter (not the 40 tokens), an async one in the task. With an exception, it is
// thrown into them.
void RequestRun::runExits(ThreadState &ts, Value exc, std::function<void(ThreadState &)> then)
{
    if (m_exits.empty()) {
        then(ts);
        return;
    }
    ExitEntry entry = m_exits.back();
    m_exits.pop_back();
    auto self = shared_from_this();
    Cont after = [self, exc, then, entry](ThreadState &t, Value, Value exitExc) {
        const bool finished =
            !exitExc.isNone() && isA(exitExc, entry.isAsync ? lang::types().StopAsyncIteration : lang::types().StopIteration);
        if (exitExc.isNone()) {
            if (exc.isNone())
                self->reportError(t, lang::makeException(lang::types().RuntimeError, "generator didn't stop"));
        } else if (!finished && !exitExc.is(exc)) {
            self->reportError(t, exitExc);
        }
        self->runExits(t, exc, then);
    };
    if (!entry.isAsync) {
        Value callable = exc.isNone() ? builtin(ts, "next") : lang::getAttr(ts, entry.gen, "throw");
        if (callable.isError()) {
            after(ts, Value::none(), ts.fetchException());
            return;
        }
        awaitSync(ts, callable, {exc.isNone() ? entry.gen : exc}, {}, exitLimiter(), std::move(after));
        return;
    }
    Value step = exc.isNone() ? lang::callMethod(ts, entry.gen, "__anext__", {})
                              : lang::callMethod(ts, entry.gen, "athrow", std::vector<Value>{exc});
    if (step.isError()) {
        after(ts, Value::none(), ts.fetchException());
        return;
    }
    awaitValue(ts, step, std::move(after));
}

void RequestRun::fail(ThreadState &ts, Value exc)
{
    if (m_failed)
        return;
    m_failed = true;
    auto self = shared_from_this();
    runExits(ts, exc, [self, exc](ThreadState &t) {
        int status = 0;
        Value detail;
        HeaderList headers;
        if (FastApiModule::readHttpException(t, exc, status, detail, headers)) {
            // FastAPI's http_exception_handler: JSONResponse({"detail": exc.detail}, ...)
            std::string body = "{\"detail\":";
            if (ValueEncoder::encode(t, detail, body, false)) {
                body += '}';
                self->respondNow(ResponseData::json(std::move(body), status, headers));
                self->finish();
                return;
            }
            Value encodeError = t.fetchException();
            self->respondNow(ResponseData::internalServerError());
            self->reportError(t, encodeError);
            self->finish();
            return;
        }
        // ServerErrorMiddleware: the 500 goes out first, then uvicorn logs the traceback.
        self->respondNow(ResponseData::internalServerError());
        self->reportError(t, exc);
        self->finish();
    });
}

void RequestRun::failValidation(ThreadState &ts)
{
    m_failed = true;
    Value exc = lang::makeException(lang::types().Exception, "RequestValidationError");
    auto self = shared_from_this();
    runExits(ts, exc, [self](ThreadState &) {
        self->respondNow(ResponseData::validationError(self->m_issues));
        self->finish();
    });
}

void RequestRun::respondNow(const ResponseData &data)
{
    if (m_responseStarted || !m_exchange)
        return;
    m_responseStarted = true;
    m_exchange->respond(data.status, toHttpHeaders(data.headers), QByteArray::fromStdString(data.body));
}

void RequestRun::reportError(ThreadState &ts, const Value &exc)
{
    const std::string text = "ERROR:    Exception in ASGI application\n" + lang::formatException(ts, exc);
    if (m_options.errorLog)
        m_options.errorLog(text, m_requestId);
    else
        ts.interpreter().write(ts, text, true);
}

void RequestRun::abandon(bool onLoopThread)
{
    if (onLoopThread) {
        // A task parked on "the response is written" would wait forever, its future and
        // it holding each other: let it run to its end.
        if (auto *f = runtime::FutureObject::from(m_writtenFuture); f && !f->done()) {
            ThreadState &ts = ThreadStateCache::forCurrentThread(*m_state->interp, "loop");
            GilScope gil(ts);
            f->setResult(ts, Value::none());
        }
    }
    m_done = true;
    m_failed = true;
    m_cont = nullptr;
    m_inner = Value::none();
    m_exits.clear();
    m_cache.clear();
    if (m_exchange) {
        m_exchange->setCompletionCallback(nullptr);
        m_exchange.reset();
    }
}

void RequestRun::finish()
{
    m_done = true;
    // Dropping the exchange tells the server the request's work is over.
    if (m_exchange) {
        m_exchange->setCompletionCallback(nullptr);
        m_exchange.reset();
    }
    // The task's step still holds its own reference until it returns.
    if (auto registry = m_options.registry.lock())
        registry->remove(this);
}

} // namespace loopscope::fastapi
