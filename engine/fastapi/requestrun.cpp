#include "requestrun.h"

#include "coroutinetask.h"
#include "jsonreader.h"
#include "paramresolver.h"
#include "threadpoolcall.h"
#include "threadstatecache.h"
#include "valueencoder.h"

#include "http/httpexchange.h"
#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/objects.h"
#include "lang/threadstate.h"
#include "runtime/eventloop.h"
#include "trace/tracebuffer.h"

#include <algorithm>

namespace loopscope::fastapi {

using lang::Value;

struct RequestRun::Solve {
    const Dependant *d = nullptr;
    std::size_t next = 0;
    KeywordList values;
    bool subFailed = false;
    std::function<void(bool ok, KeywordList values)> done;
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

http::HttpHeaders toHttpHeaders(const HeaderList &headers)
{
    http::HttpHeaders out;
    out.reserve(headers.size());
    for (const auto &[k, v] : headers)
        out.emplace_back(QByteArray::fromStdString(k), QByteArray::fromStdString(v));
    return out;
}

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

RequestRun::RequestRun(std::shared_ptr<const AppState> state, const Endpoint &endpoint, RunContext ctx,
                       Options options, std::shared_ptr<http::HttpExchange> exchange, PathParams pathParams,
                       QueryItems query)
    : m_state(std::move(state)), m_endpoint(endpoint), m_ctx(std::move(ctx)), m_options(std::move(options)),
      m_exchange(std::move(exchange)), m_pathParams(std::move(pathParams)), m_query(std::move(query))
{
    for (const auto &[k, v] : m_exchange->headers())
        m_headers.emplace_back(k.toLower().toStdString(), v.toStdString());
}

lang::ThreadState &RequestRun::loopTs() { return ThreadStateCache::forCurrentThread(*m_ctx.interp, "loop"); }

std::int64_t RequestRun::requestId() const { return m_exchange ? m_exchange->id() : -1; }

std::string RequestRun::taskLabel(const std::string &function) const
{
    return "Task-" + std::to_string(requestId() + 1) + " " + function;
}

void RequestRun::start()
{
    auto self = shared_from_this();
    m_exchange->setCompletionCallback([self](bool) {
        self->m_written = true;
        if (self->m_responseStarted)
            self->onWritten();
    });

    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());

    if (m_endpoint.bodyParams > 0 && !readBody())
        return;

    auto root = std::make_shared<Solve>();
    root->d = &m_endpoint.dependant;
    root->done = [self](bool ok, KeywordList values) {
        if (self->m_failed)
            return;
        if (!ok || !self->m_issues.empty()) {
            self->failValidation();
            return;
        }
        self->runEndpoint(std::move(values));
    };
    advance(root);
}

bool RequestRun::readBody()
{
    const QByteArray &raw = m_exchange->body();
    if (raw.isEmpty())
        return true;
    lang::ThreadState &ts = loopTs();
    const std::string body = raw.toStdString();
    // FastAPI reads JSON when the content type is absent or application/json / +json.
    const std::string contentType = [&] {
        for (const auto &[k, v] : m_headers)
            if (k == "content-type")
                return v;
        return std::string();
    }();
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

// Solves the sub-dependencies of s->d one by one (FastAPI's solve_dependencies), then
// its own parameters.
void RequestRun::advance(const std::shared_ptr<Solve> &s)
{
    if (m_failed)
        return;
    if (s->next >= s->d->dependencies.size()) {
        resolveOwnParams(s);
        return;
    }
    const Dependant &sub = s->d->dependencies[s->next++];
    auto self = shared_from_this();
    auto subSolve = std::make_shared<Solve>();
    subSolve->d = &sub;
    subSolve->done = [self, s, &sub](bool ok, KeywordList subValues) {
        if (self->m_failed)
            return;
        if (!ok) {
            s->subFailed = true;
            self->advance(s);
            return;
        }
        if (sub.useCache) {
            for (const auto &[call, value] : self->m_cache) {
                if (call.is(sub.call)) {
                    s->values.emplace_back(sub.paramName, value);
                    self->advance(s);
                    return;
                }
            }
        }
        self->callDependency(sub, std::move(subValues), [self, s, &sub](Value result, Value exc) {
            if (self->m_failed)
                return;
            if (!exc.isNone()) {
                self->fail(std::move(exc));
                return;
            }
            self->m_cache.emplace_back(sub.call, result);
            s->values.emplace_back(sub.paramName, std::move(result));
            self->advance(s);
        });
    };
    advance(subSolve);
}

void RequestRun::resolveOwnParams(const std::shared_ptr<Solve> &s)
{
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
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
                                  p.type, p.required});
        specParam.push_back(i);
    }
    ResolvedParams resolved = ParamResolver::resolve(specs, m_pathParams, m_query);
    for (auto &issue : resolved.issues)
        m_issues.push_back(std::move(issue));
    for (std::size_t k = 0; k < specs.size(); ++k) {
        const auto &p = d.params[specParam[k]];
        if (resolved.values[k])
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
        ParamConversion c = ParamConverter::convert(p.type, *found);
        if (c.error)
            m_issues.push_back(ValidationIssue::at("header", p.alias, c.error->msg, c.error->type));
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
        case DependantParam::BodyType::Any: break;
        }
        s->values.emplace_back(p.name, v);
    }
    for (const auto &p : d.params) {
        switch (p.kind) {
        case DependantParam::Kind::Request:
            if (m_request.isNone()) {
                m_request = RequestObject::create(m_ctx);
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
    done(ok, std::move(s->values));
}

void RequestRun::callDependency(const Dependant &d, KeywordList values, Completion done)
{
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());
    auto self = shared_from_this();

    if (!d.isAsync && !d.isGenerator && !d.isAsyncGenerator) {
        ThreadpoolCall::run(m_ctx, m_options.limiter, d.call, {}, std::move(values), requestId(), std::move(done));
        return;
    }
    const auto kw = keywordArgs(values);
    Value obj = lang::call(ts, d.call, {}, kw);
    if (obj.isError()) {
        done(Value::none(), ts.fetchException());
        return;
    }
    if (d.isAsync) {
        CoroutineTask::start(m_ctx, obj, requestId(), taskLabel(d.name), std::move(done), true);
        return;
    }
    const std::string name = d.name;
    if (d.isGenerator) {
        // contextmanager_in_threadpool: __enter__ (the first next()) through the limiter.
        Value next = builtin(ts, "next");
        ThreadpoolCall::run(m_ctx, m_options.limiter, next, {obj}, {}, requestId(),
                            [self, obj, name, done](Value result, Value exc) {
                                if (!exc.isNone()) {
                                    if (isA(exc, lang::types().StopIteration))
                                        exc = lang::makeException(lang::types().RuntimeError, "generator didn't yield");
                                    done(Value::none(), std::move(exc));
                                    return;
                                }
                                self->m_exits.push_back(ExitEntry{obj, false, name});
                                done(std::move(result), Value::none());
                            });
        return;
    }
    // An async generator: the first __anext__() on the loop.
    Value step = lang::callMethod(ts, obj, "__anext__", {});
    if (step.isError()) {
        done(Value::none(), ts.fetchException());
        return;
    }
    CoroutineTask::start(m_ctx, step, requestId(), taskLabel(name),
                         [self, obj, name, done](Value result, Value exc) {
                             if (!exc.isNone()) {
                                 if (isA(exc, lang::types().StopAsyncIteration))
                                     exc = lang::makeException(lang::types().RuntimeError, "generator didn't yield");
                                 done(Value::none(), std::move(exc));
                                 return;
                             }
                             self->m_exits.push_back(ExitEntry{obj, true, name});
                             done(std::move(result), Value::none());
                         },
                         true);
}

void RequestRun::runEndpoint(KeywordList values)
{
    const Dependant &d = m_endpoint.dependant;
    auto self = shared_from_this();
    Completion done = [self](Value result, Value exc) { self->endpointDone(std::move(result), std::move(exc)); };
    if (!d.isAsync) {
        // def endpoint: run_in_threadpool, the token held for the whole call.
        ThreadpoolCall::run(m_ctx, m_options.limiter, d.call, {}, std::move(values), requestId(), std::move(done));
        return;
    }
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());
    const auto kw = keywordArgs(values);
    Value coro = lang::call(ts, d.call, {}, kw);
    if (coro.isError()) {
        done(Value::none(), ts.fetchException());
        return;
    }
    CoroutineTask::start(m_ctx, coro, requestId(), taskLabel(d.name), std::move(done), true);
}

void RequestRun::endpointDone(Value result, Value exc)
{
    if (m_failed)
        return;
    if (!exc.isNone()) {
        fail(std::move(exc));
        return;
    }
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());
    Value response = result;
    if (!ResponseObject::cast(result)) {
        // serialize_response + actual_response_class(content, status_code=...)
        int status = m_endpoint.decl.statusCode > 0 ? m_endpoint.decl.statusCode
                                                    : (m_endpoint.responseKind == ResponseObject::Kind::Redirect ? 307 : 200);
        if (!ResponseObject::render(ts, m_endpoint.responseKind, result, status, response)) {
            fail(ts.fetchException());
            return;
        }
    }
    if (auto *r = ResponseObject::cast(response); r && r->background.isNone() && !m_background.isNone())
        r->background = m_background;
    sendResponse(std::move(response));
}

void RequestRun::sendResponse(Value response)
{
    m_response = response;
    auto *r = ResponseObject::cast(response);
    m_responseStarted = true;
    if (r->kind != ResponseObject::Kind::Streaming) {
        const ResponseData d = r->data();
        m_exchange->respond(d.status, toHttpHeaders(d.headers), QByteArray::fromStdString(d.body));
        if (m_written)
            onWritten();
        return;
    }
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    Value content = r->content;
    m_streamAsync = lang::isAsyncGenerator(content) || !lang::getAttrOpt(ts, content, "__anext__").isNotFound();
    if (ts.hasException())
        ts.fetchException();
    if (m_streamAsync) {
        m_streamIter = content;
    } else {
        m_streamIter = lang::getIter(ts, content);
        if (m_streamIter.isError()) {
            Value exc = ts.fetchException();
            m_responseStarted = false;
            fail(exc);
            return;
        }
    }
    m_exchange->startStreaming(r->status, toHttpHeaders(r->headers));
    streamNext();
}

void RequestRun::streamNext()
{
    auto self = shared_from_this();
    auto onChunk = [self](Value chunk, Value exc) {
        if (!exc.isNone()) {
            const bool end = isA(exc, self->m_streamAsync ? lang::types().StopAsyncIteration : lang::types().StopIteration);
            self->streamEnded(end ? Value::none() : exc);
            return;
        }
        std::string bytes;
        if (chunk.isStr()) {
            bytes = chunk.asString();
        } else if (chunk.isKind(lang::ObjKind::Bytes)) {
            bytes = chunk.as<lang::BytesObject>()->value;
        } else {
            self->streamEnded(lang::makeException(lang::types().AttributeError,
                                                  "'" + lang::typeName(chunk) + "' object has no attribute 'encode'"));
            return;
        }
        if (!self->m_exchange->writeChunk(QByteArray::fromStdString(bytes))) {
            self->streamEnded(Value::none()); // the client is gone
            return;
        }
        self->streamNext();
    };
    if (!m_streamAsync) {
        // iterate_in_threadpool: every next() is its own run_in_threadpool call.
        lang::ThreadState &ts = loopTs();
        Value next;
        {
            GilScope gil(ts);
            next = builtin(ts, "next");
        }
        ThreadpoolCall::run(m_ctx, m_options.limiter, next, {m_streamIter}, {}, requestId(), std::move(onChunk));
        return;
    }
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());
    Value step = lang::callMethod(ts, m_streamIter, "__anext__", {});
    if (step.isError()) {
        streamEnded(ts.fetchException());
        return;
    }
    CoroutineTask::start(m_ctx, step, requestId(), taskLabel("stream"), std::move(onChunk), false);
}

void RequestRun::streamEnded(Value exc)
{
    if (!exc.isNone()) {
        // The response has started: uvicorn can only log and end it.
        reportError(exc);
        m_failed = true;
        m_exchange->finish();
        auto self = shared_from_this();
        runExits(exc, [self]() { self->finish(); });
        return;
    }
    m_exchange->finish();
    if (m_written)
        onWritten();
}

void RequestRun::onWritten()
{
    if (m_afterStarted || m_failed)
        return;
    m_afterStarted = true;
    runBackground(0);
}

void RequestRun::runBackground(std::size_t index)
{
    auto self = shared_from_this();
    auto *r = ResponseObject::cast(m_response);
    auto *tasks = r ? BackgroundTasksObject::cast(r->background) : nullptr;
    if (!tasks || index >= tasks->tasks.size()) {
        runExits(Value::none(), [self]() { self->finish(); });
        return;
    }
    const BackgroundTasksObject::Task task = tasks->tasks[index];
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());
    lang::FunctionInfo info;
    const bool known = lang::functionInfo(task.func, info);
    const std::string name = known ? info.name : lang::typeName(task.func);
    trace::record(trace::EventKind::BackgroundBegin, requestId(), trace::intern(name));
    Completion done = [self, index](Value, Value exc) {
        trace::record(trace::EventKind::BackgroundEnd, self->requestId());
        if (!exc.isNone()) {
            // Starlette stops at the first failing task; uvicorn logs it.
            self->reportError(exc);
            self->runExits(exc, [self]() { self->finish(); });
            return;
        }
        self->runBackground(index + 1);
    };
    if (known && info.isAsync && !info.isGenerator) {
        const auto kw = keywordArgs(task.kwargs);
        Value coro = lang::call(ts, task.func, task.args, kw);
        if (coro.isError()) {
            done(Value::none(), ts.fetchException());
            return;
        }
        CoroutineTask::start(m_ctx, coro, requestId(), taskLabel(name), std::move(done), true);
        return;
    }
    ThreadpoolCall::run(m_ctx, m_options.limiter, task.func, task.args, task.kwargs, requestId(), std::move(done));
}

// The AsyncExitStack: generator dependencies exit newest first; a `def` one through its
// own unlimited token (not the 40), an async one on the loop. With an exception, it
// is thrown into them.
void RequestRun::runExits(Value exc, std::function<void()> then)
{
    if (m_exits.empty()) {
        then();
        return;
    }
    ExitEntry entry = m_exits.back();
    m_exits.pop_back();
    auto self = shared_from_this();
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());
    auto after = [self, exc, then, entry](Value, Value exitExc) {
        const bool finished = !exitExc.isNone() &&
                              isA(exitExc, entry.isAsync ? lang::types().StopAsyncIteration : lang::types().StopIteration);
        if (exitExc.isNone()) {
            if (exc.isNone())
                self->reportError(lang::makeException(lang::types().RuntimeError, "generator didn't stop"));
        } else if (!finished && !exitExc.is(exc)) {
            self->reportError(exitExc);
        }
        self->runExits(exc, then);
    };
    if (!entry.isAsync) {
        Value callable = exc.isNone() ? builtin(ts, "next") : lang::getAttr(ts, entry.gen, "throw");
        if (callable.isError()) {
            ts.fetchException();
            runExits(exc, then);
            return;
        }
        std::vector<Value> args{exc.isNone() ? entry.gen : exc};
        ThreadpoolCall::run(m_ctx, nullptr, callable, std::move(args), {}, requestId(), std::move(after));
        return;
    }
    Value step = exc.isNone() ? lang::callMethod(ts, entry.gen, "__anext__", {})
                              : lang::callMethod(ts, entry.gen, "athrow", std::vector<Value>{exc});
    if (step.isError()) {
        after(Value::none(), ts.fetchException());
        return;
    }
    CoroutineTask::start(m_ctx, step, requestId(), taskLabel(entry.name), std::move(after), true);
}

void RequestRun::fail(Value exc)
{
    if (m_failed)
        return;
    m_failed = true;
    auto self = shared_from_this();
    runExits(exc, [self, exc]() {
        lang::ThreadState &ts = self->loopTs();
        GilScope gil(ts);
        RequestScope attribution(ts, self->requestId());
        int status = 0;
        Value detail;
        HeaderList headers;
        if (FastApiModule::readHttpException(ts, exc, status, detail, headers)) {
            std::string body = "{\"detail\":";
            if (ValueEncoder::encode(ts, detail, body, false)) {
                body += '}';
                self->respondNow(ResponseData::json(std::move(body), status, headers));
                self->finish();
                return;
            }
            Value encodeError = ts.fetchException();
            self->respondNow(ResponseData::internalServerError());
            self->reportError(encodeError);
            self->finish();
            return;
        }
        self->respondNow(ResponseData::internalServerError());
        self->reportError(exc);
        self->finish();
    });
}

void RequestRun::failValidation()
{
    m_failed = true;
    Value exc = lang::makeException(lang::types().Exception, "RequestValidationError");
    auto self = shared_from_this();
    runExits(exc, [self]() {
        self->respondNow(ResponseData::validationError(self->m_issues));
        self->finish();
    });
}

void RequestRun::respondNow(const ResponseData &data)
{
    if (m_responseStarted)
        return;
    m_responseStarted = true;
    m_exchange->respond(data.status, toHttpHeaders(data.headers), QByteArray::fromStdString(data.body));
}

void RequestRun::reportError(const Value &exc)
{
    lang::ThreadState &ts = loopTs();
    GilScope gil(ts);
    RequestScope attribution(ts, requestId());
    const std::string text = "ERROR:    Exception in ASGI application\n" + lang::formatException(ts, exc);
    if (m_options.errorLog)
        m_options.errorLog(text, requestId());
    else
        ts.interpreter().write(ts, text, true);
}

void RequestRun::finish()
{
    // Dropping the exchange tells the server the request's work is over.
    m_exchange.reset();
    m_exits.clear();
    m_cache.clear();
}

} // namespace loopscope::fastapi
