#include "fastapiapp.h"

#include "requestrun.h"
#include "threadstatecache.h"

#include "http/httpexchange.h"
#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/objects.h"
#include "lang/threadstate.h"
#include "runtime/asyncruntime.h"
#include "runtime/eventloop.h"
#include "trace/tracebuffer.h"

namespace loopscope::fastapi {

using lang::Value;

namespace {

void respondWith(http::HttpExchange &exchange, const ResponseData &data)
{
    exchange.respond(data.status, toHttpHeaders(data.headers), QByteArray::fromStdString(data.body));
}

} // namespace

FastApiApp::FastApiApp() : m_runs(std::make_shared<RunRegistry>()) {}

FastApiApp::~FastApiApp()
{
    // Requests still running (the server stopped under them) end here.
    m_runs->clear(false);
}

void FastApiApp::dropRunningRequests()
{
    m_runs->clear(true);
}

std::size_t FastApiApp::runningRequests() const
{
    return m_runs->size();
}

Value FastApiApp::findApp(lang::ThreadState &, const Value &module)
{
    if (!module.isModule())
        return Value::none();
    Value globals = module.as<lang::ModuleObject>()->dict;
    if (!globals.isDict())
        return Value::none();
    Value app = lang::dictGet(globals, "app");
    if (!app.isNotFound() && AppObject::cast(app) && !AppObject::cast(app)->isRouter)
        return app;
    for (const auto &[key, value] : lang::asDict(globals)->items())
        if (AppObject::cast(value) && !AppObject::cast(value)->isRouter)
            return value;
    return Value::none();
}

bool FastApiApp::load(lang::ThreadState &ts, const Value &module, std::string *error)
{
    auto fail = [&](std::string message) {
        if (error)
            *error = std::move(message);
        return false;
    };
    Value appValue = findApp(ts, module);
    auto *app = AppObject::cast(appValue);
    if (!app)
        return fail("no FastAPI application found (expected `app = FastAPI()` at module level)");

    auto state = std::make_shared<AppState>();
    state->interp = ts.interpreter().shared_from_this();
    state->app = appValue;
    for (const RouteDecl &decl : app->routes) {
        Endpoint ep;
        ep.decl = decl;
        PathTemplate tpl(decl.path);
        if (!tpl.isValid())
            return fail(tpl.error());
        std::string why;
        if (!DependantBuilder::build(ts, decl.endpoint, tpl.paramNames(), ep.dependant, why))
            return fail("route " + decl.path + ": " + why);
        if (!decl.responseClass.isNone() && !ResponseObject::kindOfClass(decl.responseClass, ep.responseKind))
            return fail("route " + decl.path + ": unsupported response_class");
        ep.bodyParams = ep.dependant.countBodyParams();
        const int index = static_cast<int>(state->endpoints.size());
        state->endpoints.push_back(std::move(ep));
        state->routes.add(decl.methods, decl.path, index);
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state = std::move(state);
    return true;
}

bool FastApiApp::isLoaded() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_state != nullptr;
}

std::shared_ptr<const AppState> FastApiApp::current() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_state;
}

std::vector<EndpointInfo> FastApiApp::endpoints() const
{
    std::vector<EndpointInfo> out;
    auto state = current();
    if (!state)
        return out;
    for (const auto &ep : state->endpoints) {
        for (const auto &method : ep.decl.methods) {
            EndpointInfo info;
            info.method = method;
            info.path = ep.decl.path;
            info.function = ep.dependant.name;
            info.isAsync = ep.dependant.isAsync;
            info.line = ep.decl.line;
            out.push_back(std::move(info));
        }
    }
    return out;
}

void FastApiApp::handle(std::shared_ptr<http::HttpExchange> exchange)
{
    auto state = current();
    runtime::EventLoop *loop = runtime::EventLoop::current();
    if (!state || !loop) {
        respondWith(*exchange, ResponseData::internalServerError());
        return;
    }
    const std::int64_t request = exchange->id();
    const std::string path = exchange->path().toStdString();
    const std::string method = exchange->method().toStdString();
    const RouteMatch match = state->routes.match(method, path);
    switch (match.kind) {
    case RouteMatch::Kind::NotFound:
        respondWith(*exchange, ResponseData::notFound());
        return;
    case RouteMatch::Kind::MethodNotAllowed:
        respondWith(*exchange, ResponseData::methodNotAllowed(match.allow));
        return;
    case RouteMatch::Kind::RedirectSlash: {
        QByteArray host = exchange->request().header("host");
        if (host.isEmpty())
            host = "127.0.0.1:" + QByteArray::number(exchange->request().localPort);
        respondWith(*exchange, ResponseData::redirect(RouteTable::redirectLocation(
                                   host.toStdString(), match.redirectPath, exchange->queryString().toStdString())));
        return;
    }
    case RouteMatch::Kind::Found: break;
    }

    const Route &route = state->routes.routes()[static_cast<std::size_t>(match.route)];
    const Endpoint &endpoint = state->endpoints[static_cast<std::size_t>(route.endpoint)];
    RequestRun::Options options;
    options.limiter = m_limiter;
    options.errorLog = m_errorLog;
    options.registry = m_runs;
    QueryItems query = UrlCodec::parseQuery(exchange->queryString().toStdString());
    auto keep = exchange;
    auto run = std::make_shared<RequestRun>(state, endpoint, loop, std::move(options), std::move(exchange),
                                            match.params, std::move(query));
    // uvicorn runs each request as a task (loop.create_task(run_asgi)): its first step
    // comes on a later loop iteration; until then the request waits for the loop.
    lang::ThreadState &ts = ThreadStateCache::forCurrentThread(*state->interp, "loop");
    GilScope gil(ts);
    trace::record(trace::EventKind::RequestQueued, request);
    Value coro = run->makeCoroutine(ts);
    Value task = coro.isError() ? coro : runtime::createTask(ts, coro, request);
    if (task.isError()) {
        Value exc = ts.fetchException();
        respondWith(*keep, ResponseData::internalServerError());
        if (m_errorLog)
            m_errorLog("ERROR:    Exception in ASGI application\n" + lang::formatException(ts, exc), request);
    }
}

} // namespace loopscope::fastapi
