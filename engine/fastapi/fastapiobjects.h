// The Python-visible objects of the fastapi/starlette modules, as native objects:
// the FastAPI application (its route declarations), Depends, Query/Path/Body markers,
// BackgroundTasks, the Response family and Request.
#pragma once

#include "responsedata.h"
#include "runcontext.h"
#include "pathtemplate.h"
#include "urlcodec.h"

#include "lang/objects.h"

#include <string>
#include <vector>

namespace loopscope::fastapi {

// One @app.get(...)-style declaration, in declaration order.
struct RouteDecl {
    std::vector<std::string> methods;
    std::string path;
    lang::Value endpoint;
    int statusCode = 0;        // 0 = the response class's default (200)
    lang::Value responseClass; // None = JSONResponse
    lang::Value responseModel; // response_model=; None = none
    int line = 0;              // the endpoint's first line
};

class AppObject : public lang::NativeObject {
public:
    static lang::Value type();
    static AppObject *cast(const lang::Value &v);
    static lang::Value create();

    std::vector<RouteDecl> routes;
    std::string prefix;     // APIRouter(prefix=...)
    bool isRouter = false;  // an APIRouter (never served by itself)
    std::vector<lang::Value> startupHandlers;
    std::vector<lang::Value> shutdownHandlers;

private:
    using lang::NativeObject::NativeObject;
};

class DependsObject : public lang::NativeObject {
public:
    static lang::Value type();
    static DependsObject *cast(const lang::Value &v);

    lang::Value dependency; // None: the parameter's annotation is the dependency
    bool useCache = true;

private:
    using lang::NativeObject::NativeObject;
    friend struct ObjectFactory;
};

// Query(...), Path(...), Body(...), Header(...) used as a parameter default.
class ParamMarker : public lang::NativeObject {
public:
    enum class Kind { Query, Path, Body, Header };
    static lang::Value type();
    static ParamMarker *cast(const lang::Value &v);

    Kind kind = Kind::Query;
    bool required = true;      // default was ... or missing
    lang::Value defaultValue;  // when not required
    std::string alias;
    ParamConstraints constraints; // ge=, max_length=, ...

private:
    using lang::NativeObject::NativeObject;
    friend struct ObjectFactory;
};

class BackgroundTasksObject : public lang::NativeObject {
public:
    struct Task {
        lang::Value func;
        std::vector<lang::Value> args;
        KeywordList kwargs;
    };
    static lang::Value type();
    static BackgroundTasksObject *cast(const lang::Value &v);
    static lang::Value create();

    std::vector<Task> tasks;

private:
    using lang::NativeObject::NativeObject;
};

class ResponseObject : public lang::NativeObject {
public:
    enum class Kind { Plain, Json, Text, Html, Streaming, Redirect };
    // The classes: Response, JSONResponse, PlainTextResponse, HTMLResponse,
    // StreamingResponse, RedirectResponse (one native type each).
    static lang::Value type(Kind kind);
    static ResponseObject *cast(const lang::Value &v);
    // Kind of a response class value (for response_class=...), false if it is none.
    static bool kindOfClass(const lang::Value &cls, Kind &kind);
    // Builds a response of `kind` from an endpoint's raw return value (FastAPI's
    // actual_response_class(content, status_code=...)). False with an exception in ts.
    // A JSONResponse around JSON text already encoded (serialize_response's result).
    static lang::Value fromJsonText(std::string body, int status);
    static bool render(lang::ThreadState &ts, Kind kind, const lang::Value &content, int status, lang::Value &out);

    Kind kind = Kind::Plain;
    int status = 200;
    HeaderList headers;     // caller's headers (lower-cased) followed by computed ones
    std::string body;
    std::string mediaType;
    lang::Value background; // a BackgroundTasks (or None)
    lang::Value content;    // Streaming: the iterator / async iterator


private:
    using lang::NativeObject::NativeObject;
    friend struct ObjectFactory;
};

class RequestObject : public lang::NativeObject {
public:
    static lang::Value type();
    static lang::Value create(const RunContext &ctx);
    static RequestObject *cast(const lang::Value &v);

    RunContext ctx;
    std::string method;
    std::string path;        // decoded
    std::string rawQuery;
    QueryItems query;
    HeaderList headers;      // lower-cased names
    PathParams pathParams;
    std::string body;
    std::string host;        // "127.0.0.1:8000"
    std::string clientHost;
    int clientPort = 0;

private:
    using lang::NativeObject::NativeObject;
};

// Registers fastapi, fastapi.responses, fastapi.exceptions, fastapi.params,
// fastapi.background, fastapi.requests, fastapi.status, starlette.responses,
// starlette.exceptions, starlette.background, starlette.requests, starlette.status on an
// interpreter, and the client modules requests / httpx (ClientModules).
// fastapi.concurrency / starlette.concurrency come from the runtime
// (runtime::registerRuntimeModules).
class FastApiModule {
public:
    static void registerModules(lang::Interpreter &interp);
    // The interpreter's HTTPException class (created by the first import of fastapi).
    static lang::Value httpExceptionType(lang::ThreadState &ts);
    // Reads status_code / detail / headers of an HTTPException instance.
    static bool readHttpException(lang::ThreadState &ts, const lang::Value &exc, int &status, lang::Value &detail,
                                  HeaderList &headers);
};

} // namespace loopscope::fastapi
