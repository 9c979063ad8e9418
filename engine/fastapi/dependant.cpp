#include "dependant.h"

#include "fastapiobjects.h"

#include "lang/native.h"
#include "lang/objects.h"
#include "lang/threadstate.h"

#include <algorithm>

namespace loopscope::fastapi {

using lang::Value;

int Dependant::countBodyParams() const
{
    int n = 0;
    for (const auto &p : params)
        if (p.kind == DependantParam::Kind::Body)
            ++n;
    for (const auto &d : dependencies)
        n += d.countBodyParams();
    return n;
}

namespace {

// `X | None`, Optional[X] and Union[X, ...] read as their first type other than None (a
// parameter converts to one type here).
Value withoutNone(const Value &annotation)
{
    std::vector<Value> members;
    if (!lang::unionArgs(annotation, &members))
        return annotation;
    const Value none = lang::typeValue(lang::types().none);
    for (const Value &m : members)
        if (!m.is(none))
            return m;
    return annotation;
}

bool scalarType(const Value &annotationIn, ParamType &type)
{
    const Value annotation = withoutNone(annotationIn);
    const auto &t = lang::types();
    if (annotation.is(lang::typeValue(t.int_))) {
        type = ParamType::Int;
        return true;
    }
    if (annotation.is(lang::typeValue(t.float_))) {
        type = ParamType::Float;
        return true;
    }
    if (annotation.is(lang::typeValue(t.bool_))) {
        type = ParamType::Bool;
        return true;
    }
    if (annotation.is(lang::typeValue(t.str))) {
        type = ParamType::Str;
        return true;
    }
    return false;
}

// list, list[X], List[X]: the element type (Any when not a scalar or not given).
bool sequenceType(const Value &annotationIn, ParamType &element)
{
    const Value annotation = withoutNone(annotationIn);
    element = ParamType::Any;
    if (annotation.is(lang::typeValue(lang::types().list)))
        return true;
    Value origin, args;
    if (!lang::genericAlias(annotation, &origin, &args) || !origin.is(lang::typeValue(lang::types().list)))
        return false;
    const auto &items = args.as<lang::TupleObject>()->items;
    if (items.size() == 1 && !scalarType(items[0], element))
        element = ParamType::Any;
    return true;
}

// A class deriving from pydantic's BaseModel (the `pydantic` module's own class).
bool isPydanticModel(const Value &annotation)
{
    if (!annotation.isType())
        return false;
    for (const lang::TypeObject *t = annotation.as<lang::TypeObject>(); t; t = t->base)
        if (t->name == "BaseModel" && t->module == "pydantic.main")
            return true;
    return false;
}

DependantParam::BodyType bodyTypeOf(const Value &annotationIn)
{
    const Value annotation = withoutNone(annotationIn);
    if (isPydanticModel(annotation))
        return DependantParam::BodyType::Model;
    const auto &t = lang::types();
    ParamType element;
    if (sequenceType(annotation, element))
        return DependantParam::BodyType::List;
    if (annotation.is(lang::typeValue(t.dict)))
        return DependantParam::BodyType::Dict;
    if (annotation.is(lang::typeValue(t.list)))
        return DependantParam::BodyType::List;
    ParamType p;
    if (scalarType(annotation, p))
        return DependantParam::BodyType::Scalar;
    return DependantParam::BodyType::Any;
}

// A body parameter of this annotation (notFound: none).
void makeBody(DependantParam &dp, const Value &annotation)
{
    dp.kind = DependantParam::Kind::Body;
    dp.bodyType = annotation.isNotFound() ? DependantParam::BodyType::Any : bodyTypeOf(annotation);
    if (dp.bodyType == DependantParam::BodyType::Model)
        dp.model = withoutNone(annotation);
}

} // namespace

bool DependantBuilder::build(lang::ThreadState &ts, const Value &call, const std::vector<std::string> &pathParamNames,
                             Dependant &out, std::string &error, int depth)
{
    if (depth > 32) {
        error = "dependencies nest too deeply (a dependency cycle?)";
        return false;
    }
    out.call = call;
    lang::FunctionInfo info;
    if (!lang::functionInfo(call, info)) {
        // A class or a native callable: called without parameters.
        out.name = lang::typeName(call);
        if (call.isType())
            out.name = call.as<lang::TypeObject>()->name;
        return true;
    }
    out.name = info.name;
    out.isAsync = info.isAsync && !info.isGenerator;
    out.isGenerator = info.isGenerator && !info.isAsync;
    out.isAsyncGenerator = info.isGenerator && info.isAsync;

    for (const auto &p : info.params) {
        if (p.kind == lang::ParamInfo::VarPositional || p.kind == lang::ParamInfo::VarKeyword)
            continue;
        DependantParam dp;
        dp.name = p.name;
        dp.alias = p.name;
        dp.required = !p.hasDefault;
        dp.defaultValue = p.hasDefault ? p.defaultValue : Value::none();
        const Value annotation = p.hasAnnotation ? p.annotation : Value::notFound();

        if (p.hasDefault) {
            if (auto *dep = DependsObject::cast(p.defaultValue)) {
                Value depCall = dep->dependency.isNone() ? annotation : dep->dependency;
                if (depCall.isNotFound() || depCall.isNone()) {
                    error = "Depends() for parameter '" + p.name + "' has no dependency";
                    return false;
                }
                Dependant sub;
                sub.paramName = p.name;
                sub.useCache = dep->useCache;
                if (!build(ts, depCall, pathParamNames, sub, error, depth + 1))
                    return false;
                dp.kind = DependantParam::Kind::Dependency;
                dp.dependency = static_cast<int>(out.dependencies.size());
                out.dependencies.push_back(std::move(sub));
                out.params.push_back(std::move(dp));
                continue;
            }
        }
        if (!annotation.isNotFound()) {
            if (annotation.is(RequestObject::type())) {
                dp.kind = DependantParam::Kind::Request;
                out.params.push_back(std::move(dp));
                continue;
            }
            if (annotation.is(BackgroundTasksObject::type())) {
                dp.kind = DependantParam::Kind::BackgroundTasks;
                out.params.push_back(std::move(dp));
                continue;
            }
            if (annotation.is(ResponseObject::type(ResponseObject::Kind::Plain))) {
                dp.kind = DependantParam::Kind::Response;
                out.params.push_back(std::move(dp));
                continue;
            }
        }
        ParamType scalar = ParamType::Any;
        const bool isScalar = annotation.isNotFound() || scalarType(annotation, scalar);
        dp.type = scalar;
        if (p.hasDefault) {
            if (auto *marker = ParamMarker::cast(p.defaultValue)) {
                dp.required = marker->required;
                dp.defaultValue = marker->defaultValue;
                dp.constraints = marker->constraints;
                if (!marker->alias.empty())
                    dp.alias = marker->alias;
                switch (marker->kind) {
                case ParamMarker::Kind::Query:
                    dp.kind = DependantParam::Kind::Query;
                    if (ParamType element; !annotation.isNotFound() && sequenceType(annotation, element)) {
                        dp.sequence = true;
                        dp.type = element;
                    }
                    break;
                case ParamMarker::Kind::Path:
                    dp.kind = DependantParam::Kind::Path;
                    dp.required = true;
                    break;
                case ParamMarker::Kind::Header:
                    dp.kind = DependantParam::Kind::Header;
                    if (marker->alias.empty()) {
                        std::replace(dp.alias.begin(), dp.alias.end(), '_', '-');
                    }
                    break;
                case ParamMarker::Kind::Body: makeBody(dp, annotation); break;
                }
                out.params.push_back(std::move(dp));
                continue;
            }
        }
        if (std::find(pathParamNames.begin(), pathParamNames.end(), p.name) != pathParamNames.end()) {
            dp.kind = DependantParam::Kind::Path;
            dp.required = true;
        } else if (isScalar) {
            dp.kind = DependantParam::Kind::Query;
        } else {
            makeBody(dp, annotation);
        }
        out.params.push_back(std::move(dp));
    }
    return true;
}

} // namespace loopscope::fastapi
