#include "jsonnode.h"

#include "jsonwriter.h"

namespace loopscope::fastapi {

void JsonNode::set(std::string key, JsonNode value)
{
    if (!object) {
        kind = Kind::Object;
        object = std::make_shared<JsonObject>();
    }
    for (auto &member : *object) {
        if (member.first == key) {
            member.second = std::move(value);
            return;
        }
    }
    object->emplace_back(std::move(key), std::move(value));
}

const JsonNode *JsonNode::find(std::string_view key) const
{
    if (kind != Kind::Object || !object)
        return nullptr;
    for (const auto &member : *object)
        if (member.first == key)
            return &member.second;
    return nullptr;
}

bool JsonNode::dump(std::string &out) const
{
    switch (kind) {
    case Kind::Null: JsonWriter::appendNull(out); return true;
    case Kind::Bool: JsonWriter::appendBool(out, boolValue); return true;
    case Kind::Int: JsonWriter::appendInt(out, intValue); return true;
    case Kind::Float: return JsonWriter::appendFloat(out, floatValue);
    case Kind::String: JsonWriter::appendString(out, stringValue); return true;
    case Kind::Array: {
        out += '[';
        bool first = true;
        if (array) {
            for (const auto &item : *array) {
                if (!first)
                    out += ',';
                first = false;
                if (!item.dump(out))
                    return false;
            }
        }
        out += ']';
        return true;
    }
    case Kind::Object: {
        out += '{';
        bool first = true;
        if (object) {
            for (const auto &[key, value] : *object) {
                if (!first)
                    out += ',';
                first = false;
                JsonWriter::appendString(out, key);
                out += ':';
                if (!value.dump(out))
                    return false;
            }
        }
        out += '}';
        return true;
    }
    }
    return false;
}

std::string JsonNode::dump() const
{
    std::string out;
    if (!dump(out))
        return {};
    return out;
}

} // namespace loopscope::fastapi
