// json (dumps/loads as CPython prints and parses them) and functools (partial, wraps,
// reduce, lru_cache/cache as pass-through decorators).
#include "vm.h"
#include "lexer.h"
#include "parser.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <algorithm>

namespace loopscope::lang {

namespace {

struct DumpOptions {
    bool hasIndent = false;
    std::string indent;
    std::string itemSep = ", ";
    std::string keySep = ": ";
    bool sortKeys = false;
    bool ensureAscii = true;
    bool allowNan = true;
    Value defaultFn;
};

void appendEscaped(std::string &out, const std::string &s, bool ensureAscii)
{
    out.push_back('"');
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else if (c >= 0x80 && ensureAscii) {
                std::uint32_t cp = nextCodePoint(s, i);
                --i; // the loop steps past the sequence's last byte
                char buf[16];
                if (cp >= 0x10000) {
                    cp -= 0x10000;
                    std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
                } else {
                    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
                }
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

bool dumpValue(ThreadState &ts, const Value &v, const DumpOptions &o, int level, std::string &out, int depth = 0)
{
    if (depth > 500) {
        ts.raise(types().RecursionError, "maximum recursion depth exceeded while encoding a JSON object");
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
    if (v.isSmallInt() || v.isBigInt()) {
        out += repr(ts, v);
        return true;
    }
    if (v.isFloat()) {
        double d = v.asDouble();
        if (std::isnan(d) || std::isinf(d)) {
            if (!o.allowNan) {
                ts.raise(types().ValueError, "Out of range float values are not JSON compliant");
                return false;
            }
            out += std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
            return true;
        }
        out += floatRepr(d);
        return true;
    }
    if (v.isStr()) {
        appendEscaped(out, v.asString(), o.ensureAscii);
        return true;
    }
    auto newline = [&](int lvl) {
        out.push_back('\n');
        for (int i = 0; i < lvl; ++i)
            out += o.indent;
    };
    if (v.isList() || v.isTuple()) {
        std::vector<Value> items = v.isList() ? v.as<ListObject>()->items : v.as<TupleObject>()->items;
        if (items.empty()) {
            out += "[]";
            return true;
        }
        out.push_back('[');
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += o.hasIndent ? std::string(o.itemSep.substr(0, o.itemSep.find_last_not_of(' ') + 1)) : o.itemSep;
            if (o.hasIndent)
                newline(level + 1);
            if (!dumpValue(ts, items[i], o, level + 1, out, depth + 1))
                return false;
        }
        if (o.hasIndent)
            newline(level);
        out.push_back(']');
        return true;
    }
    if (v.isDict()) {
        auto items = v.as<DictObject>()->items();
        if (items.empty()) {
            out += "{}";
            return true;
        }
        std::vector<std::pair<std::string, Value>> kv;
        for (auto &[k, x] : items) {
            std::string key;
            if (k.isStr())
                key = k.asString();
            else if (k.isBool())
                key = k.asBool() ? "true" : "false";
            else if (k.isNone())
                key = "null";
            else if (k.isSmallInt() || k.isBigInt() || k.isFloat())
                key = k.isFloat() ? floatRepr(k.asDouble()) : repr(ts, k);
            else {
                ts.raise(types().TypeError, "keys must be str, int, float, bool or None, not " + typeName(k));
                return false;
            }
            kv.emplace_back(std::move(key), x);
        }
        if (o.sortKeys)
            std::stable_sort(kv.begin(), kv.end(), [](auto &a, auto &b) { return a.first < b.first; });
        out.push_back('{');
        for (std::size_t i = 0; i < kv.size(); ++i) {
            if (i)
                out += o.hasIndent ? std::string(o.itemSep.substr(0, o.itemSep.find_last_not_of(' ') + 1)) : o.itemSep;
            if (o.hasIndent)
                newline(level + 1);
            appendEscaped(out, kv[i].first, o.ensureAscii);
            out += o.keySep;
            if (!dumpValue(ts, kv[i].second, o, level + 1, out, depth + 1))
                return false;
        }
        if (o.hasIndent)
            newline(level);
        out.push_back('}');
        return true;
    }
    if (!o.defaultFn.isNone() && !o.defaultFn.isNotFound()) {
        Value r = call(ts, o.defaultFn, {v});
        if (r.isError())
            return false;
        return dumpValue(ts, r, o, level, out, depth + 1);
    }
    ts.raise(types().TypeError, "Object of type " + typeName(v) + " is not JSON serializable");
    return false;
}

struct JsonParser {
    ThreadState &ts;
    const std::string &s;
    std::size_t i = 0;
    bool failed = false;

    void ws()
    {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            ++i;
    }
    Value error(const std::string &msg)
    {
        if (!failed) {
            int line = 1, col = 1;
            for (std::size_t k = 0; k < i && k < s.size(); ++k) {
                if (s[k] == '\n') {
                    ++line;
                    col = 1;
                } else {
                    ++col;
                }
            }
            ts.raise(types().ValueError, msg + ": line " + std::to_string(line) + " column " + std::to_string(col) + " (char " + std::to_string(i) + ")");
            failed = true;
        }
        return Value::error();
    }
    Value parse(int depth = 0)
    {
        if (depth > 1000)
            return error("Too deeply nested");
        ws();
        if (i >= s.size())
            return error("Expecting value");
        char c = s[i];
        if (c == '{') {
            ++i;
            Value d = makeDict();
            ws();
            if (i < s.size() && s[i] == '}') {
                ++i;
                return d;
            }
            for (;;) {
                ws();
                if (i >= s.size() || s[i] != '"')
                    return error("Expecting property name enclosed in double quotes");
                Value k = parseString();
                if (k.isError())
                    return k;
                ws();
                if (i >= s.size() || s[i] != ':')
                    return error("Expecting ':' delimiter");
                ++i;
                Value v = parse(depth + 1);
                if (v.isError())
                    return v;
                d.as<DictObject>()->setStr(k, v);
                ws();
                if (i < s.size() && s[i] == ',') {
                    ++i;
                    continue;
                }
                if (i < s.size() && s[i] == '}') {
                    ++i;
                    return d;
                }
                return error("Expecting ',' delimiter");
            }
        }
        if (c == '[') {
            ++i;
            std::vector<Value> items;
            ws();
            if (i < s.size() && s[i] == ']') {
                ++i;
                return makeList({});
            }
            for (;;) {
                Value v = parse(depth + 1);
                if (v.isError())
                    return v;
                items.push_back(v);
                ws();
                if (i < s.size() && s[i] == ',') {
                    ++i;
                    continue;
                }
                if (i < s.size() && s[i] == ']') {
                    ++i;
                    return makeList(std::move(items));
                }
                return error("Expecting ',' delimiter");
            }
        }
        if (c == '"')
            return parseString();
        if (s.compare(i, 4, "null") == 0) {
            i += 4;
            return Value::none();
        }
        if (s.compare(i, 4, "true") == 0) {
            i += 4;
            return Value::trueValue();
        }
        if (s.compare(i, 5, "false") == 0) {
            i += 5;
            return Value::falseValue();
        }
        if (s.compare(i, 3, "NaN") == 0) {
            i += 3;
            return makeFloat(NAN);
        }
        if (s.compare(i, 8, "Infinity") == 0) {
            i += 8;
            return makeFloat(INFINITY);
        }
        if (s.compare(i, 9, "-Infinity") == 0) {
            i += 9;
            return makeFloat(-INFINITY);
        }
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t st = i;
            if (s[i] == '-')
                ++i;
            if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) {
                i = st;
                return error("Expecting value");
            }
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
                ++i;
            bool isFloat = false;
            if (i < s.size() && s[i] == '.') {
                isFloat = true;
                ++i;
                while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
                    ++i;
            }
            if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
                isFloat = true;
                ++i;
                if (i < s.size() && (s[i] == '+' || s[i] == '-'))
                    ++i;
                while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
                    ++i;
            }
            std::string num = s.substr(st, i - st);
            if (isFloat)
                return makeFloat(std::strtod(num.c_str(), nullptr));
            if (num.size() < 18)
                return Value::fromInt(std::stoll(num));
            return makeBigIntFromDecimal(num[0] == '-' ? num.substr(1) : num).isError() ? Value::error()
                   : num[0] == '-' ? unaryOp(ts, ast::UnaryOperator::USub, makeBigIntFromDecimal(num.substr(1)))
                                   : makeBigIntFromDecimal(num);
        }
        return error("Expecting value");
    }
    Value parseString()
    {
        ++i; // opening quote
        std::string out;
        while (i < s.size()) {
            char c = s[i++];
            if (c == '"')
                return makeStr(std::move(out));
            if (c == '\\') {
                if (i >= s.size())
                    break;
                char e = s[i++];
                switch (e) {
                case 'n': out.push_back('\n'); break;
                case 't': out.push_back('\t'); break;
                case 'r': out.push_back('\r'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case '/': out.push_back('/'); break;
                case '\\': out.push_back('\\'); break;
                case '"': out.push_back('"'); break;
                case 'u': {
                    if (i + 4 > s.size())
                        return error("Invalid \\uXXXX escape");
                    std::uint32_t cp = static_cast<std::uint32_t>(std::stoul(s.substr(i, 4), nullptr, 16));
                    i += 4;
                    if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
                        std::uint32_t lo = static_cast<std::uint32_t>(std::stoul(s.substr(i + 2, 4), nullptr, 16));
                        if (lo >= 0xDC00 && lo < 0xE000) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            i += 6;
                        }
                    }
                    appendUtf8(out, cp);
                    break;
                }
                default: return error("Invalid \\escape");
                }
                continue;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                --i;
                return error("Invalid control character at");
            }
            out.push_back(c);
        }
        return error("Unterminated string starting at");
    }
};

Value jsonDumps(ThreadState &ts, const CallArgs &a)
{
    if (a.size() < 1)
        return ts.raise(types().TypeError, "dumps() missing 1 required positional argument: 'obj'");
    DumpOptions o;
    Value indent = a.keyword("indent");
    if (!indent.isNotFound() && !indent.isNone()) {
        o.hasIndent = true;
        if (indent.isStr())
            o.indent = indent.asString();
        else
            o.indent = std::string(static_cast<std::size_t>(std::max<std::int64_t>(0, indent.asInt())), ' ');
        o.itemSep = ",";
    }
    Value seps = a.keyword("separators");
    if (!seps.isNotFound() && !seps.isNone()) {
        std::vector<Value> parts;
        if (!collect(ts, seps, parts) || parts.size() != 2 || !parts[0].isStr() || !parts[1].isStr())
            return ts.hasException() ? Value::error() : ts.raise(types().ValueError, "separators must be a pair of strings");
        o.itemSep = parts[0].asString();
        o.keySep = parts[1].asString();
    }
    Value sk = a.keyword("sort_keys");
    o.sortKeys = !sk.isNotFound() && truthy(ts, sk) == 1;
    Value ea = a.keyword("ensure_ascii");
    o.ensureAscii = ea.isNotFound() || truthy(ts, ea) == 1;
    Value an = a.keyword("allow_nan");
    o.allowNan = an.isNotFound() || truthy(ts, an) == 1;
    o.defaultFn = a.keyword("default");
    std::string out;
    if (!dumpValue(ts, a[0], o, 0, out))
        return Value::error();
    return makeStr(std::move(out));
}

Value jsonLoads(ThreadState &ts, const CallArgs &a)
{
    if (!a.checkCount(ts, "loads", 1, 1))
        return Value::error();
    std::string text;
    if (a[0].isStr())
        text = a[0].asString();
    else if (a[0].isKind(ObjKind::Bytes))
        text = a[0].as<BytesObject>()->value;
    else
        return ts.raise(types().TypeError, "the JSON object must be str, bytes or bytearray, not " + typeName(a[0]));
    JsonParser p{ts, text};
    Value v = p.parse();
    if (v.isError())
        return v;
    p.ws();
    if (p.i != text.size())
        return p.error("Extra data");
    return v;
}

} // namespace

Value jsonModule(ThreadState &)
{
    Value decodeError;
    static Value jde = [] {
        auto *t = new TypeObject("JSONDecodeError", types().ValueError, ObjKind::Exception);
        t->module = "json.decoder";
        Value v(t);
        t->makeImmortal();
        return v;
    }();
    return makeModule("json", {
        {"dumps", makeNativeFunction("dumps", jsonDumps, "json.dumps")},
        {"loads", makeNativeFunction("loads", jsonLoads, "json.loads")},
        {"JSONDecodeError", jde},
    });
}

// ---------------------------------------------------------------- functools
Value functoolsModule(ThreadState &)
{
    NativeTypeSpec spec;
    spec.name = "partial";
    spec.module = "functools";
    spec.methods.push_back({"__call__", [](ThreadState &ts, const CallArgs &a) -> Value {
                                auto *o = a[0].as<NativeObject>();
                                Value func = o->attrs.getStr("func");
                                Value args = o->attrs.getStr("args");
                                Value kw = o->attrs.getStr("keywords");
                                std::vector<Value> all = args.as<TupleObject>()->items;
                                all.insert(all.end(), a.positional.begin() + 1, a.positional.end());
                                std::vector<std::pair<Value, Value>> kwItems = kw.as<DictObject>()->items();
                                std::vector<KeywordArg> kws;
                                for (auto &k : kwItems) {
                                    bool overridden = false;
                                    for (auto &x : a.keywords)
                                        overridden = overridden || x.name == k.first.asString();
                                    if (!overridden)
                                        kws.push_back(KeywordArg{k.first.asString(), k.second});
                                }
                                kws.insert(kws.end(), a.keywords.begin(), a.keywords.end());
                                return call(ts, func, all, kws);
                            }});
    spec.hooks.repr = [](ThreadState &ts, const Value &self) {
        auto *o = self.as<NativeObject>();
        std::string s = "functools.partial(" + repr(ts, o->attrs.getStr("func"));
        for (auto &x : o->attrs.getStr("args").as<TupleObject>()->items)
            s += ", " + repr(ts, x);
        for (auto &kv : o->attrs.getStr("keywords").as<DictObject>()->items())
            s += ", " + kv.first.asString() + "=" + repr(ts, kv.second);
        return s + ")";
    };
    static Value partialType;
    static std::once_flag once;
    std::call_once(once, [&] {
        spec.construct = [](ThreadState &ts, const CallArgs &a) -> Value {
            if (a.size() < 1)
                return ts.raise(types().TypeError, "type 'partial' takes at least one argument");
            if (!isCallable(a[0]))
                return ts.raise(types().TypeError, "the first argument must be callable");
            auto *o = new NativeObject(partialType.as<TypeObject>());
            Value v(o);
            o->attrs.setStr("func", a[0]);
            o->attrs.setStr("args", makeTuple(std::vector<Value>(a.positional.begin() + 1, a.positional.end())));
            Value kw = makeDict();
            for (auto &k : a.keywords)
                kw.as<DictObject>()->setStr(k.name, k.value);
            o->attrs.setStr("keywords", kw);
            return v;
        };
        partialType = makeNativeType(std::move(spec));
        partialType.ptr()->makeImmortal();
    });
    auto wraps = makeNativeFunction("wraps", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "wraps", 1, 1))
            return Value::error();
        Value wrapped = a[0];
        return makeNativeFunction("decorator", [wrapped](ThreadState &ts, const CallArgs &b) -> Value {
            if (!b.checkCount(ts, "decorator", 1, 1))
                return Value::error();
            Value wrapper = b[0];
            for (const char *attr : {"__module__", "__name__", "__qualname__", "__doc__"}) {
                Value v = getAttrOpt(ts, wrapped, attr);
                if (v.isError())
                    ts.fetchException();
                else if (!v.isNotFound())
                    setAttr(ts, wrapper, attr, v);
                if (ts.hasException())
                    ts.fetchException();
            }
            setAttr(ts, wrapper, "__wrapped__", wrapped);
            if (ts.hasException())
                ts.fetchException();
            return wrapper;
        });
    }, "functools.wraps");
    auto reduce = makeNativeFunction("reduce", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "reduce", 2, 3))
            return Value::error();
        std::vector<Value> items;
        if (!collect(ts, a[1], items))
            return Value::error();
        std::size_t k = 0;
        Value acc;
        if (a.size() > 2)
            acc = a[2];
        else {
            if (items.empty())
                return ts.raise(types().TypeError, "reduce() of empty iterable with no initial value");
            acc = items[k++];
        }
        for (; k < items.size(); ++k) {
            acc = call(ts, a[0], {acc, items[k]});
            if (acc.isError())
                return acc;
        }
        return acc;
    }, "functools.reduce");
    auto passThrough = makeNativeFunction("lru_cache", [](ThreadState &, const CallArgs &a) -> Value {
        if (a.size() == 1 && isCallable(a[0]))
            return a[0];
        return makeNativeFunction("decorating_function", [](ThreadState &, const CallArgs &b) -> Value { return b.size() ? b[0] : Value::none(); });
    }, "functools.lru_cache");
    return makeModule("functools", {
        {"partial", partialType},
        {"wraps", wraps},
        {"reduce", reduce},
        {"lru_cache", passThrough},
        {"cache", passThrough},
    });
}

} // namespace loopscope::lang
