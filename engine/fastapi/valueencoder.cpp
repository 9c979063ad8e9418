#include "valueencoder.h"

#include "jsonreader.h"
#include "jsonwriter.h"

#include "lang/native.h"
#include "lang/objects.h"
#include "lang/threadstate.h"

namespace loopscope::fastapi {

using lang::Value;

namespace {

constexpr int kMaxDepth = 500;

Value raiseValueError(lang::ThreadState &ts, std::string msg)
{
    return ts.raise(lang::typeValue(lang::types().ValueError), std::move(msg));
}

bool encodeKey(lang::ThreadState &ts, const Value &key, std::string &out)
{
    if (key.isStr()) {
        JsonWriter::appendString(out, key.asString());
        return true;
    }
    if (key.isBool()) {
        out += key.asBool() ? "\"true\"" : "\"false\"";
        return true;
    }
    if (key.isNone()) {
        out += "\"null\"";
        return true;
    }
    if (key.isInt()) {
        out += '"';
        out += lang::str(ts, key);
        out += '"';
        return true;
    }
    if (key.isFloat()) {
        if (!JsonWriter::appendFloatKey(out, key.asDouble())) {
            raiseValueError(ts, std::string(JsonWriter::outOfRangeFloatMessage));
            return false;
        }
        return true;
    }
    ts.raise(lang::typeValue(lang::types().TypeError),
             "keys must be str, int, float, bool or None, not " + lang::typeName(key));
    return false;
}

bool encodeValue(lang::ThreadState &ts, const Value &v, std::string &out, int depth, bool jsonable)
{
    if (depth > kMaxDepth) {
        ts.raise(lang::typeValue(lang::types().RecursionError), "maximum recursion depth exceeded while encoding a JSON object");
        return false;
    }
    if (v.isNone()) {
        out += "null";
        return true;
    }
    if (v.isBool()) {
        out += v.asBool() ? "true" : "false";
        return true;
    }
    if (v.isInt()) {
        bool ok = true;
        const std::int64_t i = v.asInt(&ok);
        if (ok)
            JsonWriter::appendInt(out, i);
        else
            out += lang::str(ts, v); // big ints print their digits
        return true;
    }
    if (v.isFloat()) {
        if (!JsonWriter::appendFloat(out, v.asDouble())) {
            raiseValueError(ts, std::string(JsonWriter::outOfRangeFloatMessage));
            return false;
        }
        return true;
    }
    if (v.isStr()) {
        JsonWriter::appendString(out, v.asString());
        return true;
    }
    if (jsonable && v.isKind(lang::ObjKind::Bytes)) {
        // jsonable_encoder decodes bytes as UTF-8.
        JsonWriter::appendString(out, v.as<lang::BytesObject>()->value);
        return true;
    }
    auto encodeSeq = [&](const std::vector<Value> &items) {
        out += '[';
        bool first = true;
        for (const auto &item : items) {
            if (!first)
                out += ',';
            first = false;
            if (!encodeValue(ts, item, out, depth + 1, jsonable))
                return false;
        }
        out += ']';
        return true;
    };
    if (v.isList()) {
        std::vector<Value> items;
        {
            auto *l = lang::asList(v);
            lang::ContainerGuard g(l->lock);
            items = l->items;
        }
        return encodeSeq(items);
    }
    if (v.isTuple())
        return encodeSeq(lang::asTuple(v)->items);
    if (jsonable && (v.isSet() || v.isKind(lang::ObjKind::Range) || v.isGenerator() || v.isKind(lang::ObjKind::Iterator))) {
        std::vector<Value> items;
        if (!lang::collect(ts, v, items))
            return false;
        return encodeSeq(items);
    }
    auto encodeDict = [&](const std::vector<std::pair<Value, Value>> &items) {
        out += '{';
        bool first = true;
        for (const auto &[key, value] : items) {
            if (!first)
                out += ',';
            first = false;
            if (!encodeKey(ts, key, out))
                return false;
            out += ':';
            if (!encodeValue(ts, value, out, depth + 1, jsonable))
                return false;
        }
        out += '}';
        return true;
    };
    if (v.isDict())
        return encodeDict(lang::asDict(v)->items());
    if (jsonable && v.isKind(lang::ObjKind::Instance)) {
        // jsonable_encoder falls back to vars(obj) for plain objects.
        return encodeDict(v.as<lang::InstanceObject>()->attrs.items());
    }
    ts.raise(lang::typeValue(lang::types().TypeError),
             "Object of type " + lang::typeName(v) + " is not JSON serializable");
    return false;
}

} // namespace

bool ValueEncoder::encode(lang::ThreadState &ts, const Value &value, std::string &out, bool jsonable)
{
    return encodeValue(ts, value, out, 0, jsonable);
}

bool ValueEncoder::toJsonNode(lang::ThreadState &ts, const Value &value, JsonNode &out)
{
    std::string text;
    if (!encode(ts, value, text))
        return false;
    // The text is valid JSON by construction; reading it back keeps one walker.
    JsonParseResult parsed = JsonReader::parse(text);
    if (!parsed.value)
        return false;
    out = std::move(*parsed.value);
    return true;
}

Value ValueEncoder::fromJson(lang::ThreadState &ts, const JsonNode &node)
{
    switch (node.kind) {
    case JsonNode::Kind::Null: return Value::none();
    case JsonNode::Kind::Bool: return Value::fromBool(node.boolValue);
    case JsonNode::Kind::Int: return Value::fromInt(node.intValue);
    case JsonNode::Kind::Float: return Value::fromDouble(node.floatValue);
    case JsonNode::Kind::String: return Value::fromString(node.stringValue);
    case JsonNode::Kind::Array: {
        std::vector<Value> items;
        if (node.array)
            for (const auto &item : *node.array)
                items.push_back(fromJson(ts, item));
        return Value::list(std::move(items));
    }
    case JsonNode::Kind::Object: {
        Value d = Value::dict();
        if (node.object)
            for (const auto &[key, item] : *node.object)
                lang::dictSet(d, key, fromJson(ts, item));
        return d;
    }
    }
    return Value::none();
}

} // namespace loopscope::fastapi
