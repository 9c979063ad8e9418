#include "paramresolver.h"

namespace loopscope::fastapi {

namespace {

const std::string *lookup(const std::vector<std::pair<std::string, std::string>> &items, const std::string &name)
{
    // Starlette's multidicts answer the last value for a repeated key.
    const std::string *found = nullptr;
    for (const auto &[key, value] : items)
        if (key == name)
            found = &value;
    return found;
}

// List[int] = Query(...): every value of the key, each converted; pydantic's errors
// point at the item ("query", name, index).
void resolveSequence(const ParamSpec &spec, const QueryItems &query, std::size_t index, ResolvedParams &out)
{
    std::vector<ParamValue> values;
    bool any = false;
    int position = 0;
    for (const auto &[key, text] : query) {
        if (key != spec.name)
            continue;
        any = true;
        ParamConversion c = ParamConverter::convert(spec.type, text);
        if (c.error) {
            ValidationIssue issue = ValidationIssue::at("query", spec.name, *c.error);
            issue.loc.push_back(JsonNode::fromInt(position));
            out.issues.push_back(std::move(issue));
        } else {
            values.push_back(std::move(*c.value));
        }
        ++position;
    }
    if (any) {
        out.sequences[index] = std::move(values);
    } else if (spec.required) {
        const ParamError e = ParamConverter::missing();
        out.issues.push_back(ValidationIssue::at("query", spec.name, e.msg, e.type));
    }
}

} // namespace

ResolvedParams ParamResolver::resolve(const std::vector<ParamSpec> &specs, const PathParams &pathParams,
                                      const QueryItems &query)
{
    ResolvedParams out;
    out.values.resize(specs.size());
    out.sequences.resize(specs.size());
    // FastAPI validates all path parameters first, then all query parameters.
    for (auto source : {ParamSpec::Source::Path, ParamSpec::Source::Query}) {
        for (std::size_t i = 0; i < specs.size(); ++i) {
            const ParamSpec &spec = specs[i];
            if (spec.source != source)
                continue;
            const char *where = source == ParamSpec::Source::Path ? "path" : "query";
            if (spec.sequence && source == ParamSpec::Source::Query) {
                resolveSequence(spec, query, i, out);
                continue;
            }
            const std::string *text =
                lookup(source == ParamSpec::Source::Path ? pathParams : query, spec.name);
            if (!text) {
                if (spec.required) {
                    const ParamError e = ParamConverter::missing();
                    out.issues.push_back(ValidationIssue::at(where, spec.name, e.msg, e.type));
                }
                continue;
            }
            ParamConversion c = ParamConverter::convert(spec.type, *text, spec.constraints);
            if (c.error)
                out.issues.push_back(ValidationIssue::at(where, spec.name, *c.error));
            else
                out.values[i] = std::move(c.value);
        }
    }
    return out;
}

} // namespace loopscope::fastapi
