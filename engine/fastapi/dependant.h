// Dependant: what FastAPI's get_dependant() learns from an endpoint's (or a dependency's)
// signature — which parameters come from the path, the query, headers or the body,
// which are Depends(...) sub-dependencies, Request or BackgroundTasks — in declaration
// order, so that solving a request follows FastAPI's order exactly.
#pragma once

#include "paramconversion.h"

#include "lang/value.h"

#include <string>
#include <vector>

namespace loopscope::lang {
class ThreadState;
}

namespace loopscope::fastapi {

struct DependantParam {
    enum class Kind { Path, Query, Header, Body, Dependency, Request, BackgroundTasks, Response };
    enum class BodyType { Any, Dict, List, Scalar, Model }; // Model: a pydantic BaseModel subclass

    Kind kind = Kind::Query;
    std::string name;          // the parameter's name (keyword used for the call)
    std::string alias;         // where it is read from (query key, header name)
    ParamType type = ParamType::Any; // a sequence's element type
    bool sequence = false;           // `List[int] = Query(...)`: every value of a repeated key
    ParamConstraints constraints;    // Query(ge=1), Path(max_length=3), ...
    BodyType bodyType = BodyType::Any;
    bool required = true;
    lang::Value defaultValue;
    int dependency = -1;       // Kind::Dependency: index into Dependant::dependencies
    lang::Value model;         // BodyType::Model: the model class
};

struct Dependant {
    lang::Value call;
    std::string name;          // function name (for traces and errors)
    std::string paramName;     // the parent's parameter this dependency fills
    bool isAsync = false;
    bool isGenerator = false;
    bool isAsyncGenerator = false;
    bool useCache = true;
    std::vector<DependantParam> params;
    std::vector<Dependant> dependencies;

    // Body parameters in the whole tree (FastAPI embeds them by name when more than one).
    int countBodyParams() const;
};

class DependantBuilder {
public:
    // Reads `call`'s signature (with the GIL held). pathParamNames are the route
    // template's parameters. False with `error` set for what Loopscope cannot serve.
    static bool build(lang::ThreadState &ts, const lang::Value &call, const std::vector<std::string> &pathParamNames,
                      Dependant &out, std::string &error, int depth = 0);
};

} // namespace loopscope::fastapi
