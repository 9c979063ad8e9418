// Methods of the built-in types (str, list, dict, set, int, float, generators...) and
// the constructors behind int(), str(), list(), dict(), range(), type()...
#include "vm.h"

#include "bigint.h"
#include "lexer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

namespace loopscope::lang {

Value toIntValue(ThreadState &ts, const Value &v);
Value toFloatValue(ThreadState &ts, const Value &v);
Value parseIntString(ThreadState &ts, const std::string &text, int base);
bool sortValues(ThreadState &ts, std::vector<Value> &items, const Value &key, bool reverse);
Value strFormat(ThreadState &ts, const std::string &fmt, const CallArgs &a, std::size_t firstArg);

namespace {

Value typeErr(ThreadState &ts, std::string m) { return ts.raise(types().TypeError, std::move(m)); }

void method(TypeObject *t, const char *name, NativeFn fn)
{
    auto v = makeNativeFunction(name, std::move(fn), t->name + "." + name);
    v.ptr()->makeImmortal();
    t->dict.as<DictObject>()->setStr(name, v);
}

bool argStr(ThreadState &ts, const CallArgs &a, std::size_t i, const char *fname, std::string &out)
{
    if (!a[i].isStr()) {
        ts.raise(types().TypeError, std::string(fname) + " arg must be None or str");
        return false;
    }
    out = a[i].asString();
    return true;
}

// --- UTF-8 helpers
std::vector<std::string> codePoints(const std::string &s)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t len = utf8Length(static_cast<unsigned char>(s[i]));
        out.push_back(s.substr(i, len));
        i += len;
    }
    return out;
}

std::int64_t cpIndexOfByte(const std::string &s, std::size_t byte)
{
    std::int64_t n = 0;
    for (std::size_t i = 0; i < byte && i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
            ++n;
    return n;
}

bool isSpaceByte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string stripChars(const std::string &s, const std::string *chars, bool left, bool right)
{
    std::size_t a = 0, b = s.size();
    auto strip = [&](char c) { return chars ? chars->find(c) != std::string::npos : isSpaceByte(c); };
    if (left)
        while (a < b && strip(s[a]))
            ++a;
    if (right)
        while (b > a && strip(s[b - 1]))
            --b;
    return s.substr(a, b - a);
}

std::vector<std::uint32_t> decodeUtf8(const std::string &s)
{
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < s.size();)
        out.push_back(nextCodePoint(s, i));
    return out;
}


// Case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
std::uint32_t cpLower(std::uint32_t c)
{
    if (c < 0x80)
        return static_cast<std::uint32_t>(std::tolower(static_cast<int>(c)));
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 0x20;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F)
        return ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) ? (c % 2 == 1 ? c + 1 : c) : (c % 2 == 0 ? c + 1 : c);
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 0x20;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    return c;
}

std::uint32_t cpUpper(std::uint32_t c)
{
    if (c < 0x80)
        return static_cast<std::uint32_t>(std::toupper(static_cast<int>(c)));
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return c - 0x20;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F)
        return ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) ? (c % 2 == 0 ? c - 1 : c) : (c % 2 == 1 ? c - 1 : c);
    if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2)
        return c - 0x20;
    if (c == 0x3C2)
        return 0x3A3;
    if (c >= 0x430 && c <= 0x44F)
        return c - 0x20;
    if (c >= 0x450 && c <= 0x45F)
        return c - 0x50;
    return c;
}

bool cpIsAlpha(std::uint32_t c)
{
    if (c < 0x80)
        return std::isalpha(static_cast<int>(c));
    return cpLower(c) != c || cpUpper(c) != c || c == 0xDF;
}

// str.isupper()/str.islower(): at least one cased character and none of the other case.
bool isAllCased(const std::string &s, bool upper)
{
    bool any = false;
    for (unsigned char c : s) {
        if (upper ? std::islower(c) : std::isupper(c))
            return false;
        any = any || (upper ? std::isupper(c) : std::islower(c));
    }
    return any;
}

std::string lowerAscii(std::string s)
{
    std::string out;
    for (auto cp : decodeUtf8(s))
        appendUtf8(out, cpLower(cp));
    return out;
}

std::string upperAscii(std::string s)
{
    std::string out;
    for (auto cp : decodeUtf8(s))
        appendUtf8(out, cpUpper(cp));
    return out;
}

Value splitImpl(ThreadState &ts, const CallArgs &a, bool fromRight)
{
    const std::string &s = a[0].asString();
    Value sepV = a.arg(1, "sep");
    Value maxV = a.arg(2, "maxsplit");
    std::int64_t maxsplit = maxV.isNotFound() ? -1 : maxV.asInt();
    std::vector<Value> out;
    if (sepV.isNotFound() || sepV.isNone()) {
        std::vector<std::string> parts;
        if (!fromRight) {
            std::size_t i = 0;
            while (i < s.size()) {
                while (i < s.size() && isSpaceByte(s[i]))
                    ++i;
                if (i >= s.size())
                    break;
                if (maxsplit >= 0 && static_cast<std::int64_t>(parts.size()) == maxsplit) {
                    std::string rest = s.substr(i);
                    while (!rest.empty() && isSpaceByte(rest.back()))
                        rest.pop_back();
                    parts.push_back(rest);
                    break;
                }
                std::size_t j = i;
                while (j < s.size() && !isSpaceByte(s[j]))
                    ++j;
                parts.push_back(s.substr(i, j - i));
                i = j;
            }
        } else {
            std::size_t i = s.size();
            while (i > 0) {
                while (i > 0 && isSpaceByte(s[i - 1]))
                    --i;
                if (i == 0)
                    break;
                if (maxsplit >= 0 && static_cast<std::int64_t>(parts.size()) == maxsplit) {
                    std::string rest = s.substr(0, i);
                    std::size_t k = 0;
                    while (k < rest.size() && isSpaceByte(rest[k]))
                        ++k;
                    parts.push_back(rest.substr(k));
                    break;
                }
                std::size_t j = i;
                while (j > 0 && !isSpaceByte(s[j - 1]))
                    --j;
                parts.push_back(s.substr(j, i - j));
                i = j;
            }
            std::reverse(parts.begin(), parts.end());
        }
        for (auto &p : parts)
            out.push_back(makeStr(p));
        return makeList(std::move(out));
    }
    if (!sepV.isStr())
        return typeErr(ts, "must be str or None, not " + typeName(sepV));
    const std::string &sep = sepV.asString();
    if (sep.empty())
        return ts.raise(types().ValueError, "empty separator");
    std::vector<std::string> parts;
    if (!fromRight) {
        std::size_t start = 0;
        for (;;) {
            if (maxsplit >= 0 && static_cast<std::int64_t>(parts.size()) == maxsplit)
                break;
            std::size_t p = s.find(sep, start);
            if (p == std::string::npos)
                break;
            parts.push_back(s.substr(start, p - start));
            start = p + sep.size();
        }
        parts.push_back(s.substr(start));
    } else {
        std::size_t end = s.size();
        std::vector<std::string> rev;
        for (;;) {
            if (maxsplit >= 0 && static_cast<std::int64_t>(rev.size()) == maxsplit)
                break;
            if (end < sep.size())
                break;
            std::size_t p = s.rfind(sep, end - sep.size());
            if (p == std::string::npos)
                break;
            rev.push_back(s.substr(p + sep.size(), end - p - sep.size()));
            end = p;
        }
        rev.push_back(s.substr(0, end));
        parts.assign(rev.rbegin(), rev.rend());
    }
    for (auto &p : parts)
        out.push_back(makeStr(p));
    return makeList(std::move(out));
}

// start/end arguments of find/count/startswith in code points, returned as byte offsets
void rangeArgs(const CallArgs &a, std::size_t first, const std::string &s, std::size_t &b0, std::size_t &b1)
{
    std::int64_t n = static_cast<std::int64_t>(codePointCount(s));
    std::int64_t st = 0, en = n;
    if (a.size() > first && !a[first].isNone())
        st = a[first].asInt();
    if (a.size() > first + 1 && !a[first + 1].isNone())
        en = a[first + 1].asInt();
    if (st < 0)
        st = std::max<std::int64_t>(0, st + n);
    if (en < 0)
        en = std::max<std::int64_t>(0, en + n);
    st = std::min(st, n);
    en = std::min(en, n);
    auto toByte = [&](std::int64_t cp) {
        std::size_t i = 0;
        std::int64_t k = 0;
        while (i < s.size() && k < cp) {
            i += utf8Length(static_cast<unsigned char>(s[i]));
            ++k;
        }
        return i;
    };
    b0 = toByte(st);
    b1 = std::max(b0, toByte(en));
}

// str.find/index/count(sub[, start[, end]]): the part of the string searched, and the byte
// offset it starts at; false with a TypeError set where the arguments do not fit.
bool searchedSlice(ThreadState &ts, const CallArgs &a, const char *name, std::string &slice, std::size_t &b0)
{
    if (!a.checkCount(ts, name, 2, 4))
        return false;
    if (!a[1].isStr()) {
        typeErr(ts, "must be str, not " + typeName(a[1]));
        return false;
    }
    const std::string &s = a[0].asString();
    std::size_t b1;
    rangeArgs(a, 2, s, b0, b1);
    slice = s.substr(b0, b1 - b0);
    return true;
}

Value padImpl(ThreadState &ts, const CallArgs &a, int mode, const char *name)
{
    if (!a.checkCount(ts, name, 2, 3))
        return Value::error();
    const std::string &s = a[0].asString();
    std::int64_t width = a[1].asInt();
    std::string fill = " ";
    if (a.size() > 2) {
        if (!a[2].isStr() || codePointCount(a[2].asString()) != 1)
            return typeErr(ts, "The fill character must be exactly one character long");
        fill = a[2].asString();
    }
    std::int64_t len = static_cast<std::int64_t>(codePointCount(s));
    if (width <= len)
        return a[0];
    std::int64_t total = width - len;
    std::int64_t left = mode == 0 ? 0 : mode == 1 ? total : (total / 2 + (total & width & 1));
    std::int64_t right = total - left;
    std::string out;
    for (std::int64_t i = 0; i < left; ++i)
        out += fill;
    out += s;
    for (std::int64_t i = 0; i < right; ++i)
        out += fill;
    return makeStr(std::move(out));
}

bool allChars(const std::string &s, int (*pred)(int))
{
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (c >= 0x80 || !pred(c))
            return false;
    return true;
}

ListObject *selfList(const CallArgs &a) { return a[0].as<ListObject>(); }
DictObject *selfDict(const CallArgs &a) { return a[0].as<DictObject>(); }

Value keyError(ThreadState &ts, const Value &key)
{
    Value exc = makeException(types().KeyError, "");
    exc.as<ExceptionObject>()->args = makeTuple({key});
    return ts.raise(exc);
}

Value viewType(int kind)
{
    static Value t[3];
    static std::once_flag once;
    std::call_once(once, [] {
        const char *names[3] = {"dict_keys", "dict_values", "dict_items"};
        for (int k = 0; k < 3; ++k) {
            NativeTypeSpec spec;
            spec.name = names[k];
            auto list = [](const Value &self) { return self.as<NativeObject>()->attrs.getStr("_list"); };
            spec.methods.push_back({"__iter__", [list](ThreadState &ts, const CallArgs &a) { return getIter(ts, list(a[0])); }});
            spec.methods.push_back({"__len__", [list](ThreadState &, const CallArgs &a) {
                                        return Value::fromInt(static_cast<std::int64_t>(list(a[0]).as<ListObject>()->items.size()));
                                    }});
            spec.methods.push_back({"__contains__", [list](ThreadState &ts, const CallArgs &a) -> Value {
                                        int r = containsOp(ts, list(a[0]), a[1]);
                                        return r < 0 ? Value::error() : Value::fromBool(r != 0);
                                    }});
            spec.methods.push_back({"__reversed__", [list](ThreadState &ts, const CallArgs &a) {
                                        std::vector<Value> items = list(a[0]).as<ListObject>()->items;
                                        std::reverse(items.begin(), items.end());
                                        return getIter(ts, makeList(std::move(items)));
                                    }});
            std::string n = names[k];
            spec.hooks.repr = [n, list](ThreadState &ts, const Value &self) { return n + "(" + repr(ts, list(self)) + ")"; };
            t[k] = makeNativeType(std::move(spec));
            t[k].ptr()->makeImmortal();
        }
    });
    return t[kind];
}

Value makeView(int kind, std::vector<Value> items)
{
    auto *o = new NativeObject(viewType(kind).as<TypeObject>());
    Value v(o);
    o->attrs.setStr("_list", makeList(std::move(items)));
    return v;
}

} // namespace

Value makeStopIteration(const Value &v)
{
    Value e = makeException(types().StopIteration, "");
    if (!v.isNone())
        e.as<ExceptionObject>()->args = makeTuple({v});
    return e;
}

static Value resumeToValue(ThreadState &ts, const ResumeResult &r)
{
    if (r.kind == ResumeResult::Yielded)
        return r.value;
    if (r.kind == ResumeResult::Returned)
        return ts.raise(makeStopIteration(r.value));
    return Value::error();
}

void initBuiltinMethods(CoreTypes &t)
{
    // ---------------------------------------------------------------- str
    TypeObject *S = t.str;
    method(S, "upper", [](ThreadState &, const CallArgs &a) { return makeStr(upperAscii(a[0].asString())); });
    method(S, "lower", [](ThreadState &, const CallArgs &a) { return makeStr(lowerAscii(a[0].asString())); });
    method(S, "casefold", [](ThreadState &, const CallArgs &a) { return makeStr(lowerAscii(a[0].asString())); });
    method(S, "swapcase", [](ThreadState &, const CallArgs &a) {
        std::string s = a[0].asString();
        for (auto &c : s)
            c = std::isupper(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return makeStr(std::move(s));
    });
    auto stripFn = [](bool l, bool r, const char *name) {
        return [l, r, name](ThreadState &ts, const CallArgs &a) -> Value {
            if (!a.checkCount(ts, name, 1, 2))
                return Value::error();
            if (a.size() > 1 && !a[1].isNone()) {
                std::string chars;
                if (!argStr(ts, a, 1, name, chars))
                    return Value::error();
                return makeStr(stripChars(a[0].asString(), &chars, l, r));
            }
            return makeStr(stripChars(a[0].asString(), nullptr, l, r));
        };
    };
    method(S, "strip", stripFn(true, true, "strip"));
    method(S, "lstrip", stripFn(true, false, "lstrip"));
    method(S, "rstrip", stripFn(false, true, "rstrip"));
    method(S, "split", [](ThreadState &ts, const CallArgs &a) { return splitImpl(ts, a, false); });
    method(S, "rsplit", [](ThreadState &ts, const CallArgs &a) { return splitImpl(ts, a, true); });
    method(S, "splitlines", [](ThreadState &, const CallArgs &a) {
        const std::string &s = a[0].asString();
        bool keep = a.size() > 1 && a[1].asBool();
        Value kv = a.keyword("keepends");
        if (!kv.isNotFound())
            keep = kv.asBool();
        std::vector<Value> out;
        std::size_t i = 0, start = 0;
        while (i < s.size()) {
            if (s[i] == '\n' || s[i] == '\r') {
                std::size_t eol = i;
                if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')
                    ++i;
                ++i;
                out.push_back(makeStr(s.substr(start, (keep ? i : eol) - start)));
                start = i;
            } else {
                ++i;
            }
        }
        if (start < s.size())
            out.push_back(makeStr(s.substr(start)));
        return makeList(std::move(out));
    });
    method(S, "join", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "join", 2, 2))
            return Value::error();
        std::vector<Value> items;
        if (!collect(ts, a[1], items))
            return Value::error();
        const std::string &sep = a[0].asString();
        std::string out;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!items[i].isStr())
                return typeErr(ts, "sequence item " + std::to_string(i) + ": expected str instance, " + typeName(items[i]) + " found");
            if (i)
                out += sep;
            out += items[i].asString();
        }
        return makeStr(std::move(out));
    });
    method(S, "replace", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "replace", 3, 4))
            return Value::error();
        if (!a[1].isStr() || !a[2].isStr())
            return typeErr(ts, "replace() argument 1 must be str, not " + typeName(a[1].isStr() ? a[2] : a[1]));
        const std::string &s = a[0].asString(), &from = a[1].asString(), &to = a[2].asString();
        std::int64_t count = a.size() > 3 ? a[3].asInt() : -1;
        std::string out;
        if (from.empty()) {
            auto cps = codePoints(s);
            std::int64_t n = 0;
            for (std::size_t i = 0; i <= cps.size(); ++i) {
                if (count < 0 || n < count) {
                    out += to;
                    ++n;
                }
                if (i < cps.size())
                    out += cps[i];
            }
            return makeStr(std::move(out));
        }
        std::size_t pos = 0;
        std::int64_t n = 0;
        for (;;) {
            std::size_t p = s.find(from, pos);
            if (p == std::string::npos || (count >= 0 && n >= count)) {
                out += s.substr(pos);
                break;
            }
            out += s.substr(pos, p - pos);
            out += to;
            pos = p + from.size();
            ++n;
        }
        return makeStr(std::move(out));
    });
    auto startsEnds = [](bool ends) {
        return [ends](ThreadState &ts, const CallArgs &a) -> Value {
            const char *name = ends ? "endswith" : "startswith";
            if (!a.checkCount(ts, name, 2, 4))
                return Value::error();
            const std::string &s = a[0].asString();
            std::size_t b0, b1;
            rangeArgs(a, 2, s, b0, b1);
            std::string sub = s.substr(b0, b1 - b0);
            std::vector<Value> cands;
            if (a[1].isTuple())
                cands = a[1].as<TupleObject>()->items;
            else
                cands.push_back(a[1]);
            for (auto &c : cands) {
                if (!c.isStr())
                    return typeErr(ts, std::string(name) + " first arg must be str or a tuple of str, not " + typeName(c));
                const std::string &p = c.asString();
                if (p.size() <= sub.size() && (ends ? sub.compare(sub.size() - p.size(), p.size(), p) == 0 : sub.compare(0, p.size(), p) == 0))
                    return Value::trueValue();
            }
            return Value::falseValue();
        };
    };
    method(S, "startswith", startsEnds(false));
    method(S, "endswith", startsEnds(true));
    auto findFn = [](bool rev, bool raise, const char *name) {
        return [rev, raise, name](ThreadState &ts, const CallArgs &a) -> Value {
            std::string sub;
            std::size_t b0;
            if (!searchedSlice(ts, a, name, sub, b0))
                return Value::error();
            std::size_t p = rev ? sub.rfind(a[1].asString()) : sub.find(a[1].asString());
            if (p == std::string::npos) {
                if (raise)
                    return ts.raise(types().ValueError, "substring not found");
                return Value::smallInt(-1);
            }
            return Value::fromInt(cpIndexOfByte(a[0].asString(), b0 + p));
        };
    };
    method(S, "find", findFn(false, false, "find"));
    method(S, "rfind", findFn(true, false, "rfind"));
    method(S, "index", findFn(false, true, "index"));
    method(S, "rindex", findFn(true, true, "rindex"));
    method(S, "count", [](ThreadState &ts, const CallArgs &a) -> Value {
        std::string sub;
        std::size_t b0;
        if (!searchedSlice(ts, a, "count", sub, b0))
            return Value::error();
        const std::string &needle = a[1].asString();
        if (needle.empty())
            return Value::fromInt(static_cast<std::int64_t>(codePointCount(sub) + 1));
        std::int64_t n = 0;
        for (std::size_t p = sub.find(needle); p != std::string::npos; p = sub.find(needle, p + needle.size()))
            ++n;
        return Value::fromInt(n);
    });
    method(S, "isdigit", [](ThreadState &, const CallArgs &a) { return Value::fromBool(allChars(a[0].asString(), ::isdigit)); });
    method(S, "isdecimal", [](ThreadState &, const CallArgs &a) { return Value::fromBool(allChars(a[0].asString(), ::isdigit)); });
    method(S, "isnumeric", [](ThreadState &, const CallArgs &a) { return Value::fromBool(allChars(a[0].asString(), ::isdigit)); });
    method(S, "isalpha", [](ThreadState &, const CallArgs &a) { return Value::fromBool(allChars(a[0].asString(), ::isalpha)); });
    method(S, "isalnum", [](ThreadState &, const CallArgs &a) { return Value::fromBool(allChars(a[0].asString(), ::isalnum)); });
    method(S, "isspace", [](ThreadState &, const CallArgs &a) { return Value::fromBool(allChars(a[0].asString(), ::isspace)); });
    method(S, "isidentifier", [](ThreadState &, const CallArgs &a) {
        const std::string &s = a[0].asString();
        bool ok = !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0]));
        for (unsigned char c : s)
            ok = ok && (std::isalnum(c) || c == '_' || c >= 0x80);
        return Value::fromBool(ok);
    });
    method(S, "isascii", [](ThreadState &, const CallArgs &a) { return Value::fromBool(a[0].as<StrObject>()->isAscii()); });
    method(S, "expandtabs", [](ThreadState &, const CallArgs &a) {
        std::int64_t tab = a.size() > 1 ? a[1].asInt() : 8;
        std::string out;
        std::int64_t col = 0;
        for (char c : a[0].asString()) {
            if (c == '\t') {
                std::int64_t n = tab > 0 ? tab - (col % tab) : 0;
                out.append(static_cast<std::size_t>(n), ' ');
                col += n;
            } else {
                out.push_back(c);
                col = (c == '\n' || c == '\r') ? 0 : col + ((static_cast<unsigned char>(c) & 0xC0) != 0x80);
            }
        }
        return makeStr(std::move(out));
    });
    method(S, "isupper", [](ThreadState &, const CallArgs &a) { return Value::fromBool(isAllCased(a[0].asString(), true)); });
    method(S, "islower", [](ThreadState &, const CallArgs &a) { return Value::fromBool(isAllCased(a[0].asString(), false)); });
    method(S, "title", [](ThreadState &, const CallArgs &a) {
        std::string out;
        bool prevCased = false;
        for (auto cp : decodeUtf8(a[0].asString())) {
            if (cpIsAlpha(cp)) {
                appendUtf8(out, prevCased ? cpLower(cp) : cpUpper(cp));
                prevCased = true;
            } else {
                appendUtf8(out, cp);
                prevCased = false;
            }
        }
        return makeStr(std::move(out));
    });
    method(S, "capitalize", [](ThreadState &, const CallArgs &a) {
        std::string s = lowerAscii(a[0].asString());
        if (!s.empty())
            s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
        return makeStr(std::move(s));
    });
    method(S, "zfill", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "zfill", 2, 2))
            return Value::error();
        std::string s = a[0].asString();
        std::int64_t w = a[1].asInt();
        std::int64_t len = static_cast<std::int64_t>(codePointCount(s));
        if (w <= len)
            return a[0];
        std::string sign;
        if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
            sign = s.substr(0, 1);
            s.erase(0, 1);
        }
        return makeStr(sign + std::string(w - len, '0') + s);
    });
    method(S, "center", [](ThreadState &ts, const CallArgs &a) { return padImpl(ts, a, 2, "center"); });
    method(S, "ljust", [](ThreadState &ts, const CallArgs &a) { return padImpl(ts, a, 0, "ljust"); });
    method(S, "rjust", [](ThreadState &ts, const CallArgs &a) { return padImpl(ts, a, 1, "rjust"); });
    method(S, "encode", [](ThreadState &, const CallArgs &a) { return Value(new BytesObject(a[0].asString())); });
    method(S, "partition", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "partition", 2, 2) || !a[1].isStr())
            return ts.hasException() ? Value::error() : typeErr(ts, "must be str");
        const std::string &s = a[0].asString(), &sep = a[1].asString();
        std::size_t p = s.find(sep);
        if (p == std::string::npos)
            return makeTuple({a[0], makeStr(""), makeStr("")});
        return makeTuple({makeStr(s.substr(0, p)), a[1], makeStr(s.substr(p + sep.size()))});
    });
    method(S, "rpartition", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "rpartition", 2, 2) || !a[1].isStr())
            return ts.hasException() ? Value::error() : typeErr(ts, "must be str");
        const std::string &s = a[0].asString(), &sep = a[1].asString();
        std::size_t p = s.rfind(sep);
        if (p == std::string::npos)
            return makeTuple({makeStr(""), makeStr(""), a[0]});
        return makeTuple({makeStr(s.substr(0, p)), a[1], makeStr(s.substr(p + sep.size()))});
    });
    method(S, "removeprefix", [](ThreadState &, const CallArgs &a) {
        const std::string &s = a[0].asString(), &p = a[1].asString();
        return s.compare(0, p.size(), p) == 0 ? makeStr(s.substr(p.size())) : a[0];
    });
    method(S, "removesuffix", [](ThreadState &, const CallArgs &a) {
        const std::string &s = a[0].asString(), &p = a[1].asString();
        return !p.empty() && s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0 ? makeStr(s.substr(0, s.size() - p.size())) : a[0];
    });
    method(S, "format", [](ThreadState &ts, const CallArgs &a) { return strFormat(ts, a[0].asString(), a, 1); });
    method(S, "__len__", [](ThreadState &, const CallArgs &a) { return Value::fromInt(static_cast<std::int64_t>(codePointCount(a[0].asString()))); });
    S->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() == 0)
            return makeStr("");
        if (a.size() >= 2 && a[0].isKind(ObjKind::Bytes))
            return makeStr(a[0].as<BytesObject>()->value);
        return strValue(ts, a[0]);
    };

    // ---------------------------------------------------------------- bytes
    method(t.bytes, "decode", [](ThreadState &, const CallArgs &a) { return makeStr(a[0].as<BytesObject>()->value); });
    t.bytes->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() == 0)
            return Value(new BytesObject(""));
        if (a[0].isStr())
            return Value(new BytesObject(a[0].asString()));
        if (a[0].isSmallInt())
            return Value(new BytesObject(std::string(static_cast<std::size_t>(std::max<std::int64_t>(0, a[0].smallValue())), '\0')));
        std::vector<Value> items;
        if (!collect(ts, a[0], items))
            return Value::error();
        std::string out;
        for (auto &x : items)
            out.push_back(static_cast<char>(x.asInt()));
        return Value(new BytesObject(std::move(out)));
    };

    // ---------------------------------------------------------------- list
    TypeObject *L = t.list;
    method(L, "append", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "append", 2, 2))
            return Value::error();
        return listAppend(a[0], a[1]);
    });
    method(L, "extend", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "extend", 2, 2))
            return Value::error();
        std::vector<Value> items;
        if (!collect(ts, a[1], items))
            return Value::error();
        auto *l = selfList(a);
        ContainerGuard g(l->lock);
        l->items.insert(l->items.end(), items.begin(), items.end());
        return Value::none();
    });
    method(L, "pop", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "pop", 1, 2))
            return Value::error();
        auto *l = selfList(a);
        ContainerGuard g(l->lock);
        if (l->items.empty())
            return ts.raise(types().IndexError, "pop from empty list");
        std::int64_t n = static_cast<std::int64_t>(l->items.size());
        std::int64_t i = a.size() > 1 ? a[1].asInt() : n - 1;
        if (i < 0)
            i += n;
        if (i < 0 || i >= n)
            return ts.raise(types().IndexError, "pop index out of range");
        Value v = l->items[i];
        l->items.erase(l->items.begin() + i);
        return v;
    });
    method(L, "insert", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "insert", 3, 3))
            return Value::error();
        auto *l = selfList(a);
        ContainerGuard g(l->lock);
        std::int64_t n = static_cast<std::int64_t>(l->items.size());
        std::int64_t i = a[1].asInt();
        if (i < 0)
            i = std::max<std::int64_t>(0, i + n);
        i = std::min(i, n);
        l->items.insert(l->items.begin() + i, a[2]);
        return Value::none();
    });
    method(L, "index", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "index", 2, 4))
            return Value::error();
        std::vector<Value> items = selfList(a)->items;
        std::int64_t n = static_cast<std::int64_t>(items.size());
        std::int64_t st = a.size() > 2 ? a[2].asInt() : 0, en = a.size() > 3 ? a[3].asInt() : n;
        if (st < 0)
            st = std::max<std::int64_t>(0, st + n);
        if (en < 0)
            en = std::max<std::int64_t>(0, en + n);
        for (std::int64_t i = st; i < std::min(en, n); ++i) {
            int e = equals(ts, items[i], a[1]);
            if (e < 0)
                return Value::error();
            if (e)
                return Value::fromInt(i);
        }
        return ts.raise(types().ValueError, repr(ts, a[1]) + " is not in list");
    });
    method(L, "count", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "count", 2, 2))
            return Value::error();
        std::vector<Value> items = selfList(a)->items;
        std::int64_t n = 0;
        for (auto &x : items) {
            int e = equals(ts, x, a[1]);
            if (e < 0)
                return Value::error();
            n += e;
        }
        return Value::fromInt(n);
    });
    method(L, "remove", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "remove", 2, 2))
            return Value::error();
        auto *l = selfList(a);
        std::vector<Value> items = l->items;
        for (std::size_t i = 0; i < items.size(); ++i) {
            int e = equals(ts, items[i], a[1]);
            if (e < 0)
                return Value::error();
            if (e) {
                ContainerGuard g(l->lock);
                if (i < l->items.size())
                    l->items.erase(l->items.begin() + i);
                return Value::none();
            }
        }
        return ts.raise(types().ValueError, "list.remove(x): x not in list");
    });
    method(L, "reverse", [](ThreadState &, const CallArgs &a) -> Value {
        auto *l = selfList(a);
        ContainerGuard g(l->lock);
        std::reverse(l->items.begin(), l->items.end());
        return Value::none();
    });
    method(L, "copy", [](ThreadState &, const CallArgs &a) -> Value {
        auto *l = selfList(a);
        ContainerGuard g(l->lock);
        return makeList(l->items);
    });
    method(L, "clear", [](ThreadState &, const CallArgs &a) -> Value {
        auto *l = selfList(a);
        std::vector<Value> old;
        {
            ContainerGuard g(l->lock);
            old.swap(l->items);
        }
        return Value::none();
    });
    method(L, "sort", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() != 1)
            return typeErr(ts, "sort() takes no positional arguments");
        if (!a.onlyKeywords(ts, "sort", {"key", "reverse"}))
            return Value::error();
        auto *l = selfList(a);
        std::vector<Value> items = l->items;
        Value rev = a.keyword("reverse");
        int r = rev.isNotFound() ? 0 : truthy(ts, rev);
        if (r < 0 || !sortValues(ts, items, a.keyword("key"), r != 0))
            return Value::error();
        ContainerGuard g(l->lock);
        l->items.swap(items);
        return Value::none();
    });
    L->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "list", 0, 1))
            return Value::error();
        std::vector<Value> items;
        if (a.size() && !collect(ts, a[0], items))
            return Value::error();
        return makeList(std::move(items));
    };
    t.tuple->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "tuple", 0, 1))
            return Value::error();
        if (a.size() && a[0].isTuple())
            return a[0];
        std::vector<Value> items;
        if (a.size() && !collect(ts, a[0], items))
            return Value::error();
        return makeTuple(std::move(items));
    };
    method(t.tuple, "index", [](ThreadState &ts, const CallArgs &a) -> Value {
        auto &items = a[0].as<TupleObject>()->items;
        for (std::size_t i = 0; i < items.size(); ++i) {
            int e = equals(ts, items[i], a[1]);
            if (e < 0)
                return Value::error();
            if (e)
                return Value::fromInt(static_cast<std::int64_t>(i));
        }
        return ts.raise(types().ValueError, "tuple.index(x): x not in tuple");
    });
    method(t.tuple, "count", [](ThreadState &ts, const CallArgs &a) -> Value {
        std::int64_t n = 0;
        for (auto &x : a[0].as<TupleObject>()->items) {
            int e = equals(ts, x, a[1]);
            if (e < 0)
                return Value::error();
            n += e;
        }
        return Value::fromInt(n);
    });

    // ---------------------------------------------------------------- dict
    TypeObject *D = t.dict;
    method(D, "get", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "get", 2, 3))
            return Value::error();
        Value out;
        if (!selfDict(a)->get(ts, a[1], out))
            return Value::error();
        if (out.isNotFound())
            return a.size() > 2 ? a[2] : Value::none();
        return out;
    });
    method(D, "keys", [](ThreadState &, const CallArgs &a) { return makeView(0, selfDict(a)->keys()); });
    method(D, "values", [](ThreadState &, const CallArgs &a) {
        std::vector<Value> v;
        for (auto &kv : selfDict(a)->items())
            v.push_back(kv.second);
        return makeView(1, std::move(v));
    });
    method(D, "items", [](ThreadState &, const CallArgs &a) {
        std::vector<Value> v;
        for (auto &kv : selfDict(a)->items())
            v.push_back(makeTuple({kv.first, kv.second}));
        return makeView(2, std::move(v));
    });
    method(D, "setdefault", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "setdefault", 2, 3))
            return Value::error();
        Value out;
        if (!selfDict(a)->get(ts, a[1], out))
            return Value::error();
        if (!out.isNotFound())
            return out;
        Value d = a.size() > 2 ? a[2] : Value::none();
        if (!selfDict(a)->set(ts, a[1], d))
            return Value::error();
        return d;
    });
    method(D, "update", [](ThreadState &ts, const CallArgs &a) -> Value {
        auto *d = selfDict(a);
        if (a.size() > 1) {
            const Value &src = a[1];
            if (src.isDict()) {
                for (auto &kv : src.as<DictObject>()->items())
                    if (!d->set(ts, kv.first, kv.second))
                        return Value::error();
            } else {
                std::vector<Value> pairs;
                if (!collect(ts, src, pairs))
                    return Value::error();
                for (auto &p : pairs) {
                    std::vector<Value> kv;
                    if (!collect(ts, p, kv))
                        return Value::error();
                    if (kv.size() != 2)
                        return ts.raise(types().ValueError, "dictionary update sequence element has length " + std::to_string(kv.size()) + "; 2 is required");
                    if (!d->set(ts, kv[0], kv[1]))
                        return Value::error();
                }
            }
        }
        for (auto &k : a.keywords)
            d->setStr(k.name, k.value);
        return Value::none();
    });
    method(D, "pop", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "pop", 2, 3))
            return Value::error();
        Value out;
        if (!selfDict(a)->get(ts, a[1], out))
            return Value::error();
        if (out.isNotFound()) {
            if (a.size() > 2)
                return a[2];
            return keyError(ts, a[1]);
        }
        bool found;
        selfDict(a)->remove(ts, a[1], found);
        return out;
    });
    method(D, "popitem", [](ThreadState &ts, const CallArgs &a) -> Value {
        auto items = selfDict(a)->items();
        if (items.empty())
            return ts.raise(types().KeyError, "popitem(): dictionary is empty");
        auto kv = items.back();
        bool found;
        selfDict(a)->remove(ts, kv.first, found);
        return makeTuple({kv.first, kv.second});
    });
    method(D, "copy", [](ThreadState &ts, const CallArgs &a) -> Value {
        Value d = makeDict();
        for (auto &kv : selfDict(a)->items())
            d.as<DictObject>()->set(ts, kv.first, kv.second);
        return d;
    });
    method(D, "clear", [](ThreadState &, const CallArgs &a) -> Value {
        selfDict(a)->clear();
        return Value::none();
    });
    {
        Value fk = makeNativeFunction("fromkeys", [](ThreadState &ts, const CallArgs &a) -> Value {
            // a[0] is the class
            std::vector<Value> keys;
            if (a.size() < 2 || !collect(ts, a[1], keys))
                return ts.hasException() ? Value::error() : typeErr(ts, "fromkeys expected at least 1 argument, got 0");
            Value d = makeDict();
            Value v = a.size() > 2 ? a[2] : Value::none();
            for (auto &k : keys)
                if (!d.as<DictObject>()->set(ts, k, v))
                    return Value::error();
            return d;
        });
        D->dict.as<DictObject>()->setStr("fromkeys", Value(new StaticMethodObject(fk, true)));
    }
    D->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        Value d = makeDict();
        if (a.size() > 1)
            return typeErr(ts, "dict expected at most 1 argument, got " + std::to_string(a.size()));
        if (a.size() == 1) {
            Value upd = types().dict->lookup("update");
            Value r = call(ts, upd, {d, a[0]});
            if (r.isError())
                return r;
        }
        for (auto &k : a.keywords)
            d.as<DictObject>()->setStr(k.name, k.value);
        return d;
    };

    // ---------------------------------------------------------------- set
    TypeObject *St = t.set;
    auto table = [](const CallArgs &a) { return &a[0].as<SetObject>()->table; };
    method(St, "add", [table](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "add", 2, 2) || !table(a)->set(ts, a[1], Value::none()))
            return Value::error();
        return Value::none();
    });
    method(St, "discard", [table](ThreadState &ts, const CallArgs &a) -> Value {
        bool found;
        if (!table(a)->remove(ts, a[1], found))
            return Value::error();
        return Value::none();
    });
    method(St, "remove", [table](ThreadState &ts, const CallArgs &a) -> Value {
        bool found;
        if (!table(a)->remove(ts, a[1], found))
            return Value::error();
        if (!found)
            return keyError(ts, a[1]);
        return Value::none();
    });
    method(St, "pop", [table](ThreadState &ts, const CallArgs &a) -> Value {
        auto keys = table(a)->keys();
        if (keys.empty())
            return ts.raise(types().KeyError, "pop from an empty set");
        bool found;
        table(a)->remove(ts, keys.front(), found);
        return keys.front();
    });
    method(St, "clear", [table](ThreadState &, const CallArgs &a) -> Value {
        table(a)->clear();
        return Value::none();
    });
    method(St, "copy", [table](ThreadState &ts, const CallArgs &a) -> Value {
        auto *s = new SetObject();
        Value sv(s);
        for (auto &k : table(a)->keys())
            s->table.set(ts, k, Value::none());
        return sv;
    });
    method(St, "update", [table](ThreadState &ts, const CallArgs &a) -> Value {
        for (std::size_t i = 1; i < a.size(); ++i) {
            std::vector<Value> items;
            if (!collect(ts, a[i], items))
                return Value::error();
            for (auto &x : items)
                if (!table(a)->set(ts, x, Value::none()))
                    return Value::error();
        }
        return Value::none();
    });
    auto setBin = [](ast::Operator op) {
        return [op](ThreadState &ts, const CallArgs &a) -> Value {
            auto *other = new SetObject();
            Value ov(other);
            std::vector<Value> items;
            if (a.size() > 1 && !collect(ts, a[1], items))
                return Value::error();
            for (auto &x : items)
                if (!other->table.set(ts, x, Value::none()))
                    return Value::error();
            return binaryOp(ts, op, a[0], ov, false);
        };
    };
    method(St, "union", setBin(ast::Operator::BitOr));
    method(St, "intersection", setBin(ast::Operator::BitAnd));
    method(St, "difference", setBin(ast::Operator::Sub));
    method(St, "symmetric_difference", setBin(ast::Operator::BitXor));
    method(St, "issubset", [table](ThreadState &ts, const CallArgs &a) -> Value {
        for (auto &k : table(a)->keys()) {
            int c = containsOp(ts, a[1], k);
            if (c < 0)
                return Value::error();
            if (!c)
                return Value::falseValue();
        }
        return Value::trueValue();
    });
    method(St, "issuperset", [table](ThreadState &ts, const CallArgs &a) -> Value {
        std::vector<Value> items;
        if (!collect(ts, a[1], items))
            return Value::error();
        for (auto &k : items) {
            Value o;
            if (!table(a)->get(ts, k, o))
                return Value::error();
            if (o.isNotFound())
                return Value::falseValue();
        }
        return Value::trueValue();
    });
    St->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        auto *s = new SetObject();
        Value sv(s);
        std::vector<Value> items;
        if (a.size() && !collect(ts, a[0], items))
            return Value::error();
        for (auto &x : items)
            if (!s->table.set(ts, x, Value::none()))
                return Value::error();
        return sv;
    };

    // ---------------------------------------------------------------- numbers
    t.int_->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "int", 0, 2))
            return Value::error();
        if (a.size() == 0)
            return Value::smallInt(0);
        Value base = a.arg(1, "base");
        if (!base.isNotFound()) {
            if (!a[0].isStr())
                return typeErr(ts, "int() can't convert non-string with explicit base");
            return parseIntString(ts, a[0].asString(), static_cast<int>(base.asInt()));
        }
        return toIntValue(ts, a[0]);
    };
    method(t.int_, "bit_length", [](ThreadState &, const CallArgs &a) -> Value {
        if (a[0].isBigInt())
            return Value::fromInt(static_cast<std::int64_t>(a[0].as<BigIntObject>()->value->bitLength()));
        std::uint64_t x = static_cast<std::uint64_t>(std::llabs(a[0].asInt()));
        std::int64_t n = 0;
        while (x) {
            ++n;
            x >>= 1;
        }
        return Value::fromInt(n);
    });
    method(t.int_, "conjugate", [](ThreadState &, const CallArgs &a) { return a[0]; });
    t.bool_->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "bool", 0, 1))
            return Value::error();
        if (a.size() == 0)
            return Value::falseValue();
        int r = truthy(ts, a[0]);
        if (r < 0)
            return Value::error();
        return Value::fromBool(r != 0);
    };
    t.float_->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "float", 0, 1))
            return Value::error();
        if (a.size() == 0)
            return makeFloat(0.0);
        return toFloatValue(ts, a[0]);
    };
    method(t.float_, "is_integer", [](ThreadState &, const CallArgs &a) {
        double d = a[0].asDouble();
        return Value::fromBool(std::isfinite(d) && d == std::floor(d));
    });
    method(t.float_, "conjugate", [](ThreadState &, const CallArgs &a) { return a[0]; });
    t.range->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() < 1 || a.size() > 3)
            return typeErr(ts, a.size() == 0 ? "range expected at least 1 argument, got 0" : "range expected at most 3 arguments, got " + std::to_string(a.size()));
        std::int64_t v[3] = {0, 0, 1};
        for (std::size_t i = 0; i < a.size(); ++i) {
            const Value &x = a[i];
            if (!(x.isSmallInt() || x.isBool() || x.isBigInt()))
                return typeErr(ts, "'" + typeName(x) + "' object cannot be interpreted as an integer");
            bool ok;
            v[i] = x.asInt(&ok);
            if (!ok)
                return ts.raise(types().OverflowError, "Python int too large to convert to C ssize_t");
        }
        if (a.size() == 1)
            return Value(new RangeObject(0, v[0], 1));
        if (v[2] == 0)
            return ts.raise(types().ValueError, "range() arg 3 must not be zero");
        return Value(new RangeObject(v[0], v[1], a.size() == 3 ? v[2] : 1));
    };
    t.slice->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "slice", 1, 3))
            return Value::error();
        if (a.size() == 1)
            return Value(new SliceObject(Value::none(), a[0], Value::none()));
        return Value(new SliceObject(a[0], a[1], a.size() > 2 ? a[2] : Value::none()));
    };
    t.type->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() == 1)
            return typeValue(a[0].type());
        return typeErr(ts, "type() takes 1 argument (creating classes with type() is not supported)");
    };
    t.object->construct = nullptr;
    t.property->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "property", 1, 2))
            return Value::error();
        auto *p = new PropertyObject(a[0]);
        Value pv(p);
        if (a.size() > 1)
            p->setter = a[1];
        return pv;
    };
    method(t.property, "setter", [](ThreadState &, const CallArgs &a) -> Value {
        auto *p = new PropertyObject(a[0].as<PropertyObject>()->getter);
        Value pv(p);
        p->setter = a[1];
        return pv;
    });
    method(t.property, "getter", [](ThreadState &, const CallArgs &a) -> Value {
        auto *p = new PropertyObject(a[1]);
        Value pv(p);
        p->setter = a[0].as<PropertyObject>()->setter;
        return pv;
    });
    t.staticmethod->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "staticmethod", 1, 1))
            return Value::error();
        return Value(new StaticMethodObject(a[0], false));
    };
    t.classmethod->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "classmethod", 1, 1))
            return Value::error();
        return Value(new StaticMethodObject(a[0], true));
    };

    // ---------------------------------------------------------------- generators and coroutines
    for (TypeObject *g : {t.generator, t.coroutine}) {
        method(g, "send", [](ThreadState &ts, const CallArgs &a) -> Value {
            if (!a.checkCount(ts, "send", 2, 2))
                return Value::error();
            return resumeToValue(ts, resume(ts, a[0], a[1]));
        });
        method(g, "throw", [](ThreadState &ts, const CallArgs &a) -> Value {
            if (!a.checkCount(ts, "throw", 2, 4))
                return Value::error();
            Value exc = a[1];
            if (a.size() > 2 && a[1].isType() && !a[2].isNone()) {
                exc = call(ts, a[1], {a[2]});
                if (exc.isError())
                    return exc;
            }
            return resumeToValue(ts, throwInto(ts, a[0], exc));
        });
        method(g, "close", [](ThreadState &ts, const CallArgs &a) -> Value {
            ResumeResult r = close(ts, a[0]);
            if (r.kind == ResumeResult::Raised)
                return Value::error();
            return Value::none();
        });
    }
    method(t.generator, "__next__", [](ThreadState &ts, const CallArgs &a) { return resumeToValue(ts, resume(ts, a[0], Value::none())); });
    method(t.generator, "__iter__", [](ThreadState &, const CallArgs &a) { return a[0]; });
    method(t.coroutine, "__await__", [](ThreadState &, const CallArgs &a) { return a[0]; });
    TypeObject *AG = t.asyncGenerator;
    method(AG, "__aiter__", [](ThreadState &, const CallArgs &a) { return a[0]; });
    method(AG, "__anext__", [](ThreadState &, const CallArgs &a) { return Value(new AsyncGenStep(a[0], Value::none(), Value::none(), false)); });
    method(AG, "asend", [](ThreadState &, const CallArgs &a) { return Value(new AsyncGenStep(a[0], a.size() > 1 ? a[1] : Value::none(), Value::none(), false)); });
    method(AG, "athrow", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() < 2)
            return typeErr(ts, "athrow expected at least 1 argument, got 0");
        Value e = exceptionFromTypeOrInstance(ts, a[1]);
        if (e.isError())
            return e;
        return Value(new AsyncGenStep(a[0], Value::none(), e, false));
    });
    method(AG, "aclose", [](ThreadState &, const CallArgs &a) {
        Value e = makeException(types().GeneratorExit, "");
        return Value(new AsyncGenStep(a[0], Value::none(), e, true));
    });
    // AsyncGenStep objects are awaitable iterators; their type is `iterator`
    method(t.iterator, "__iter__", [](ThreadState &, const CallArgs &a) { return a[0]; });
    method(t.iterator, "__next__", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a[0].isKind(ObjKind::Iterator))
            return typeErr(ts, "'" + typeName(a[0]) + "' object is not an iterator");
        Value v = iterNext(ts, a[0]);
        if (v.isNotFound())
            return ts.raise(types().StopIteration);
        return v;
    });
    method(t.iterator, "__await__", [](ThreadState &, const CallArgs &a) { return a[0]; });
    method(t.iterator, "send", [](ThreadState &ts, const CallArgs &a) { return resumeToValue(ts, resume(ts, a[0], a.size() > 1 ? a[1] : Value::none())); });

    // ---------------------------------------------------------------- exceptions
    method(t.BaseException, "with_traceback", [](ThreadState &, const CallArgs &a) { return a[0]; });
    method(t.BaseException, "add_note", [](ThreadState &, const CallArgs &) { return Value::none(); });
}

} // namespace loopscope::lang
