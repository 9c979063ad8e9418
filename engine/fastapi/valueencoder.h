// ValueEncoder: what FastAPI does with an endpoint's return value — jsonable_encoder()
// then Starlette's JSONResponse.render (json.dumps, compact, ensure_ascii=False,
// allow_nan=False) — and the way back for request bodies (json.loads into Values).
#pragma once

#include "jsonnode.h"

#include "lang/value.h"

#include <string>

namespace loopscope::lang {
class ThreadState;
}

namespace loopscope::fastapi {

class ValueEncoder {
public:
    // Appends the JSON text of `value` to `out`. On failure returns false with a Python
    // exception set in ts (ValueError "Out of range float values are not JSON
    // compliant", TypeError for keys or objects JSON cannot hold).
    // jsonable=false: json.dumps alone (JSONResponse(content)), which refuses sets and
    // plain objects that jsonable_encoder would convert.
    static bool encode(lang::ThreadState &ts, const lang::Value &value, std::string &out, bool jsonable = true);
    // A plain-C++ copy of a JSON-able value (for error bodies built in C++).
    static bool toJsonNode(lang::ThreadState &ts, const lang::Value &value, JsonNode &out);
    // json.loads' result as Values: dicts, lists, str, int, float, bool, None.
    static lang::Value fromJson(lang::ThreadState &ts, const JsonNode &node);
};

} // namespace loopscope::fastapi
