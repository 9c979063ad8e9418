// A parsed JSON document in plain C++ (request bodies), and its rendering back to
// text as Starlette's JSONResponse would (jsonwriter.h). Objects keep their keys in
// first-insertion order with the last value winning, like a Python dict from json.loads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace loopscope::fastapi {

struct JsonNode;
using JsonArray = std::vector<JsonNode>;
using JsonObject = std::vector<std::pair<std::string, JsonNode>>;

struct JsonNode {
    enum class Kind : std::uint8_t { Null, Bool, Int, Float, String, Array, Object };

    Kind kind = Kind::Null;
    bool boolValue = false;
    std::int64_t intValue = 0;
    double floatValue = 0.0;
    std::string stringValue;
    // Array elements or object members (only one is used, per kind).
    std::shared_ptr<JsonArray> array;
    std::shared_ptr<JsonObject> object;

    static JsonNode null() { return {}; }
    static JsonNode fromBool(bool v) { JsonNode n; n.kind = Kind::Bool; n.boolValue = v; return n; }
    static JsonNode fromInt(std::int64_t v) { JsonNode n; n.kind = Kind::Int; n.intValue = v; return n; }
    static JsonNode fromFloat(double v) { JsonNode n; n.kind = Kind::Float; n.floatValue = v; return n; }
    static JsonNode fromString(std::string v)
    {
        JsonNode n;
        n.kind = Kind::String;
        n.stringValue = std::move(v);
        return n;
    }
    static JsonNode makeArray(JsonArray items = {})
    {
        JsonNode n;
        n.kind = Kind::Array;
        n.array = std::make_shared<JsonArray>(std::move(items));
        return n;
    }
    static JsonNode makeObject(JsonObject members = {})
    {
        JsonNode n;
        n.kind = Kind::Object;
        n.object = std::make_shared<JsonObject>(std::move(members));
        return n;
    }
    // Sets a member: replaces an existing key in place (dict semantics), else appends.
    void set(std::string key, JsonNode value);
    const JsonNode *find(std::string_view key) const;

    // Compact JSON as json.dumps(separators=(",", ":"), ensure_ascii=False); false if a
    // float is NaN or infinite (allow_nan=False), leaving `out` unspecified.
    bool dump(std::string &out) const;
    std::string dump() const;
};

} // namespace loopscope::fastapi
