// Resolves an endpoint's path and query parameters from a request the way FastAPI's
// request_params_to_args does: declaration order, last value of a repeated query key
// (every value, for a sequence), an empty value counts as given, errors for every bad or
// missing parameter.
#pragma once

#include "paramconversion.h"
#include "pathtemplate.h"
#include "responsedata.h"
#include "urlcodec.h"

#include <optional>
#include <string>
#include <vector>

namespace loopscope::fastapi {

struct ParamSpec {
    enum class Source : std::uint8_t { Path, Query };
    std::string name;
    Source source = Source::Query;
    ParamType type = ParamType::Any; // a sequence's element type
    bool required = true; // no default
    bool sequence = false; // every value of a repeated query key, as a list
    ParamConstraints constraints = {};
};

struct ResolvedParams {
    // One per spec: the converted value, or nullopt where the default applies.
    std::vector<std::optional<ParamValue>> values;
    // One per spec: a sequence spec's values when the key was given.
    std::vector<std::optional<std::vector<ParamValue>>> sequences;
    std::vector<ValidationIssue> issues;
};

class ParamResolver {
public:
    static ResolvedParams resolve(const std::vector<ParamSpec> &specs, const PathParams &pathParams,
                                  const QueryItems &query);
};

} // namespace loopscope::fastapi
