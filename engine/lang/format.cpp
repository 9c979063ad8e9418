// Formatting: format specs (f-strings, format(), str.format) and printf-style `%`.
#include "vm.h"

#include "bigint.h"
#include "interpreter.h"
#include "parser.h"
#include "utf8.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace loopscope::lang {

Value toIntValue(ThreadState &ts, const Value &v);
Value toFloatValue(ThreadState &ts, const Value &v);

namespace {

struct Spec {
    std::string fill = " ";
    char align = 0;
    char sign = '-';
    bool alt = false;
    bool zero = false;
    int width = -1;
    char grouping = 0;
    int precision = -1;
    char type = 0;
};

bool parseSpec(std::string_view s, Spec &sp)
{
    std::size_t i = 0;
    auto isAlign = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
    // fill may be a multi-byte character
    std::size_t firstLen = 1;
    if (!s.empty())
        firstLen = utf8Length(static_cast<unsigned char>(s[0]));
    if (s.size() > firstLen && isAlign(s[firstLen])) {
        sp.fill = std::string(s.substr(0, firstLen));
        sp.align = s[firstLen];
        i = firstLen + 1;
    } else if (!s.empty() && isAlign(s[0])) {
        sp.align = s[0];
        i = 1;
    }
    if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' '))
        sp.sign = s[i++];
    if (i < s.size() && s[i] == '#') {
        sp.alt = true;
        ++i;
    }
    if (i < s.size() && s[i] == '0') {
        sp.zero = true;
        ++i;
    }
    if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        sp.width = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            sp.width = std::min(sp.width * 10 + (s[i++] - '0'), 100000000);
    }
    if (i < s.size() && (s[i] == ',' || s[i] == '_'))
        sp.grouping = s[i++];
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i])))
            return false;
        sp.precision = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            sp.precision = std::min(sp.precision * 10 + (s[i++] - '0'), 100000000);
    }
    if (i < s.size())
        sp.type = s[i++];
    return i == s.size();
}

std::string group(const std::string &digits, char sep, int every = 3)
{
    std::string out;
    int n = 0;
    for (std::size_t i = digits.size(); i-- > 0;) {
        out.push_back(digits[i]);
        if (++n % every == 0 && i > 0)
            out.push_back(sep);
    }
    return std::string(out.rbegin(), out.rend());
}

std::string pad(const std::string &body, const std::string &signPrefix, const Spec &sp, char defaultAlign)
{
    std::size_t len = codePointCount(body) + codePointCount(signPrefix);
    char align = sp.align ? sp.align : (sp.zero ? '=' : defaultAlign);
    std::string fill = sp.align ? sp.fill : (sp.zero ? "0" : sp.fill);
    if (sp.width < 0 || static_cast<std::size_t>(sp.width) <= len)
        return signPrefix + body;
    std::size_t total = sp.width - len;
    auto rep = [&](std::size_t n) {
        std::string r;
        for (std::size_t k = 0; k < n; ++k)
            r += fill;
        return r;
    };
    switch (align) {
    case '<': return signPrefix + body + rep(total);
    case '^': return rep(total / 2) + signPrefix + body + rep(total - total / 2);
    case '=': return signPrefix + rep(total) + body;
    default: return rep(total) + signPrefix + body;
    }
}

std::string signFor(bool neg, char sign)
{
    if (neg)
        return "-";
    if (sign == '+')
        return "+";
    if (sign == ' ')
        return " ";
    return "";
}

// A string's precision in a format spec counts characters (code points), not bytes.
void truncateCodePoints(std::string &s, int precision)
{
    if (precision < 0)
        return;
    std::size_t i = 0;
    for (int n = 0; i < s.size() && n < precision; ++n)
        i += utf8Length(static_cast<unsigned char>(s[i]));
    if (i < s.size())
        s.resize(i);
}

std::string formatFloatBody(double d, char type, int precision, bool alt, bool &isNeg)
{
    isNeg = std::signbit(d) && !std::isnan(d);
    double a = std::fabs(d);
    if (std::isinf(a))
        return (type >= 'A' && type <= 'Z') ? "INF" : "inf";
    if (std::isnan(a))
        return (type >= 'A' && type <= 'Z') ? "NAN" : "nan";
    char buf[512];
    switch (type) {
    case 'f':
    case 'F':
        std::snprintf(buf, sizeof buf, alt ? "%#.*f" : "%.*f", precision < 0 ? 6 : precision, a);
        return buf;
    case 'e':
    case 'E':
        std::snprintf(buf, sizeof buf, type == 'e' ? (alt ? "%#.*e" : "%.*e") : (alt ? "%#.*E" : "%.*E"), precision < 0 ? 6 : precision, a);
        return buf;
    case 'g':
    case 'G': {
        int p = precision < 0 ? 6 : (precision == 0 ? 1 : precision);
        std::snprintf(buf, sizeof buf, type == 'g' ? (alt ? "%#.*g" : "%.*g") : (alt ? "%#.*G" : "%.*G"), p, a);
        return buf;
    }
    case '%': {
        std::snprintf(buf, sizeof buf, "%.*f", precision < 0 ? 6 : precision, a * 100.0);
        return std::string(buf) + "%";
    }
    default: {
        // no type: like repr when no precision, else like 'g' but at least one digit after the point
        if (precision < 0) {
            std::string r = floatRepr(a);
            return r;
        }
        int p = precision == 0 ? 1 : precision;
        std::snprintf(buf, sizeof buf, "%.*g", p, a);
        std::string s = buf;
        if (s.find_first_of(".en") == std::string::npos)
            s += ".0";
        // CPython writes exponents with at least two digits, as printf does
        return s;
    }
    }
}

} // namespace

Value formatWithSpec(ThreadState &ts, const Value &v, std::string_view specText)
{
    if (v.isInstanceLike()) {
        Value m = v.type()->lookup("__format__");
        if (!m.isNotFound())
            return call(ts, m, {v, makeStr(std::string(specText))});
        if (specText.empty())
            return strValue(ts, v);
        return ts.raise(types().TypeError, "unsupported format string passed to " + typeName(v) + ".__format__");
    }
    Spec sp;
    if (!parseSpec(specText, sp))
        return ts.raise(types().ValueError, "Invalid format specifier '" + std::string(specText) + "' for object of type '" + typeName(v) + "'");
    bool isIntV = v.isSmallInt() || v.isBigInt() || v.isBool();
    if (v.isBool() && sp.type == 0 && specText.empty())
        return makeStr(v.asBool() ? "True" : "False");
    if (isIntV && (sp.type == 0 || std::strchr("bcdoxXn", sp.type))) {
        if (sp.precision >= 0)
            return ts.raise(types().ValueError, "Precision not allowed in integer format specifier");
        BigInt b = v.isBigInt() ? *v.as<BigIntObject>()->value : BigInt(v.asInt());
        bool neg = b.isNegative();
        BigInt mag = neg ? b.negated() : b;
        std::string digits, prefix;
        switch (sp.type) {
        case 'b': digits = mag.toString(2); prefix = sp.alt ? "0b" : ""; break;
        case 'o': digits = mag.toString(8); prefix = sp.alt ? "0o" : ""; break;
        case 'x': digits = mag.toString(16); prefix = sp.alt ? "0x" : ""; break;
        case 'X': {
            digits = mag.toString(16);
            for (auto &c : digits)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            prefix = sp.alt ? "0X" : "";
            break;
        }
        case 'c': {
            std::int64_t cp = v.asInt();
            std::string s;
            if (cp < 0x80)
                s.push_back(static_cast<char>(cp));
            else {
                Value ch = call(ts, ts.interpreter().builtinsDict().as<DictObject>()->getStr("chr"), {v});
                if (ch.isError())
                    return ch;
                s = ch.asString();
            }
            return makeStr(pad(s, "", sp, '<'));
        }
        default: digits = mag.toString(10); break;
        }
        if (sp.grouping)
            digits = group(digits, sp.grouping, (sp.type == 'x' || sp.type == 'X' || sp.type == 'b' || sp.type == 'o') ? 4 : 3);
        if (sp.zero && !sp.align && sp.grouping && sp.width > 0) {
            // zero padding participates in grouping
            std::string raw = (sp.type == 'x' || sp.type == 'X' || sp.type == 'b' || sp.type == 'o') ? digits : mag.toString(10);
            std::string sign = signFor(neg, sp.sign) + prefix;
            std::string plain;
            for (char c : raw)
                if (c != sp.grouping)
                    plain.push_back(c);
            while (true) {
                std::string g = group(plain, sp.grouping);
                if (static_cast<int>(g.size() + sign.size()) >= sp.width)
                    return makeStr(sign + g);
                plain = "0" + plain;
            }
        }
        return makeStr(pad(digits, signFor(neg, sp.sign) + prefix, sp, '>'));
    }
    if ((isIntV || v.isFloat()) && (sp.type == 0 || std::strchr("eEfFgGn%", sp.type))) {
        double d = v.asDouble();
        char type = sp.type == 'n' ? 'g' : sp.type;
        if (isIntV && type == 0)
            type = 'g';
        bool neg;
        std::string body = formatFloatBody(d, type, sp.precision, sp.alt, neg);
        if (sp.grouping) {
            std::size_t dot = body.find_first_of(".eE%");
            std::string ip = body.substr(0, dot), rest = dot == std::string::npos ? "" : body.substr(dot);
            if (!ip.empty() && std::isdigit(static_cast<unsigned char>(ip[0])))
                body = group(ip, sp.grouping) + rest;
        }
        return makeStr(pad(body, signFor(neg, sp.sign), sp, '>'));
    }
    if (v.isStr() || (!isIntV && !v.isFloat() && (sp.type == 0 || sp.type == 's'))) {
        if (sp.type != 0 && sp.type != 's')
            return ts.raise(types().ValueError, std::string("Unknown format code '") + sp.type + "' for object of type '" + typeName(v) + "'");
        if (sp.sign != '-')
            return ts.raise(types().ValueError, "Sign not allowed in string format specifier");
        if (sp.align == '=')
            return ts.raise(types().ValueError, "'=' alignment not allowed in string format specifier");
        Value sv = strValue(ts, v);
        if (sv.isError())
            return sv;
        std::string s = sv.asString();
        truncateCodePoints(s, sp.precision);
        Spec sp2 = sp;
        if (sp2.zero && !sp2.align) {
            sp2.zero = false;
            sp2.align = '<';
            sp2.fill = "0";
        }
        return makeStr(pad(s, "", sp2, '<'));
    }
    return ts.raise(types().ValueError, std::string("Unknown format code '") + sp.type + "' for object of type '" + typeName(v) + "'");
}

// printf-style formatting: "%s %d %5.2f %r %x %%" % args
Value percentFormat(ThreadState &ts, const std::string &fmt, const Value &args)
{
    std::vector<Value> items;
    bool isMapping = args.isDict();
    if (args.isTuple())
        items = args.as<TupleObject>()->items;
    else
        items.push_back(args);
    std::size_t next = 0;
    std::string out;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        char c = fmt[i];
        if (c != '%') {
            out.push_back(c);
            continue;
        }
        ++i;
        if (i >= fmt.size())
            return ts.raise(types().ValueError, "incomplete format");
        if (fmt[i] == '%') {
            out.push_back('%');
            continue;
        }
        Value arg;
        bool haveArg = false;
        if (fmt[i] == '(') {
            std::size_t close = fmt.find(')', i);
            if (close == std::string::npos)
                return ts.raise(types().ValueError, "incomplete format key");
            std::string key = fmt.substr(i + 1, close - i - 1);
            if (!isMapping)
                return ts.raise(types().TypeError, "format requires a mapping");
            arg = args.as<DictObject>()->getStr(key);
            if (arg.isNotFound()) {
                Value exc = makeException(types().KeyError, "");
                exc.as<ExceptionObject>()->args = makeTuple({makeStr(key)});
                return ts.raise(exc);
            }
            haveArg = true;
            i = close + 1;
        }
        std::string flags;
        while (i < fmt.size() && std::strchr("-+ #0", fmt[i]))
            flags.push_back(fmt[i++]);
        std::string width, prec;
        bool hasPrec = false;
        while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])))
            width.push_back(fmt[i++]);
        if (i < fmt.size() && fmt[i] == '*') {
            if (next >= items.size())
                return ts.raise(types().TypeError, "not enough arguments for format string");
            width = std::to_string(items[next++].asInt());
            ++i;
        }
        if (i < fmt.size() && fmt[i] == '.') {
            hasPrec = true;
            ++i;
            while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])))
                prec.push_back(fmt[i++]);
        }
        if (i >= fmt.size())
            return ts.raise(types().ValueError, "incomplete format");
        char conv = fmt[i];
        if (!haveArg) {
            if (isMapping && !args.isTuple()) {
                arg = args;
            } else {
                if (next >= items.size())
                    return ts.raise(types().TypeError, "not enough arguments for format string");
                arg = items[next++];
            }
        }
        auto toInt = [](const std::string &digits) {
            long long v = 0;
            for (char ch : digits)
                v = std::min<long long>(v * 10 + (ch - '0'), 1 << 30);
            return static_cast<int>(v);
        };
        if (toInt(width) > 100000000 || toInt(prec) > 100000000)
            return ts.raise(types().MemoryError, "");
        Spec sp;
        sp.width = width.empty() ? -1 : toInt(width);
        sp.precision = hasPrec ? (prec.empty() ? 0 : toInt(prec)) : -1;
        sp.align = flags.find('-') != std::string::npos ? '<' : '>';
        sp.zero = flags.find('0') != std::string::npos && sp.align != '<';
        if (sp.zero)
            sp.align = 0;
        sp.sign = flags.find('+') != std::string::npos ? '+' : flags.find(' ') != std::string::npos ? ' ' : '-';
        sp.alt = flags.find('#') != std::string::npos;
        std::string piece;
        switch (conv) {
        case 's':
        case 'r':
        case 'a': {
            Value s = conv == 's' ? strValue(ts, arg) : reprValue(ts, arg);
            if (s.isError())
                return s;
            std::string str = s.asString();
            truncateCodePoints(str, sp.precision); // '%.3s' keeps three characters, not bytes
            Spec s2 = sp;
            s2.zero = false;
            if (!s2.align)
                s2.align = '>';
            piece = pad(str, "", s2, '>');
            break;
        }
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            if (!(arg.isSmallInt() || arg.isBigInt() || arg.isBool() || arg.isFloat())) {
                if (conv == 'd' || conv == 'i' || conv == 'u')
                    return ts.raise(types().TypeError, std::string("%") + conv + " format: a real number is required, not " + typeName(arg));
                return ts.raise(types().TypeError, std::string("%") + conv + " format: an integer is required, not " + typeName(arg));
            }
            Value iv = toIntValue(ts, arg);
            if (iv.isError())
                return iv;
            sp.type = (conv == 'i' || conv == 'u') ? 'd' : conv;
            sp.precision = -1;
            Value r = formatWithSpec(ts, iv, "");
            (void)r;
            BigInt b = iv.isBigInt() ? *iv.as<BigIntObject>()->value : BigInt(iv.asInt());
            bool neg = b.isNegative();
            std::string digits = (neg ? b.negated() : b).toString(conv == 'x' || conv == 'X' ? 16 : conv == 'o' ? 8 : 10);
            if (conv == 'X')
                for (auto &ch : digits)
                    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            std::string prefix = sp.alt ? (conv == 'x' ? "0x" : conv == 'X' ? "0X" : conv == 'o' ? "0o" : "") : "";
            if (hasPrec && !prec.empty() && digits.size() < static_cast<std::size_t>(toInt(prec)))
                digits = std::string(toInt(prec) - digits.size(), '0') + digits;
            piece = pad(digits, signFor(neg, sp.sign) + prefix, sp, '>');
            break;
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G': {
            if (!(arg.isSmallInt() || arg.isBigInt() || arg.isBool() || arg.isFloat()))
                return ts.raise(types().TypeError, "must be real number, not " + typeName(arg));
            bool neg;
            std::string body = formatFloatBody(arg.asDouble(), conv, sp.precision, sp.alt, neg);
            piece = pad(body, signFor(neg, sp.sign), sp, '>');
            break;
        }
        case 'c': {
            if (arg.isStr())
                piece = arg.asString();
            else
                piece = std::string(1, static_cast<char>(arg.asInt()));
            break;
        }
        default:
            return ts.raise(types().ValueError, std::string("unsupported format character '") + conv + "' (0x" + [&] {
                char b[8];
                std::snprintf(b, sizeof b, "%x", static_cast<unsigned char>(conv));
                return std::string(b);
            }() + ") at index " + std::to_string(i));
        }
        out += piece;
    }
    if (!isMapping && next < items.size())
        return ts.raise(types().TypeError, "not all arguments converted during string formatting");
    return makeStr(std::move(out));
}

// str.format: "{} {name} {0!r:>10} {x.attr} {y[0]} {{}}"
Value strFormat(ThreadState &ts, const std::string &fmt, const CallArgs &a, std::size_t firstArg)
{
    std::string out;
    std::size_t autoIdx = 0;
    bool usedAuto = false, usedManual = false;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        char c = fmt[i];
        if (c == '{') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
                out.push_back('{');
                ++i;
                continue;
            }
            // find the matching close brace (nested braces in the spec)
            int depth = 1;
            std::size_t j = i + 1;
            while (j < fmt.size() && depth > 0) {
                if (fmt[j] == '{')
                    ++depth;
                else if (fmt[j] == '}')
                    --depth;
                if (depth > 0)
                    ++j;
            }
            if (j >= fmt.size())
                return ts.raise(types().ValueError, "expected '}' before end of string");
            std::string field = fmt.substr(i + 1, j - i - 1);
            i = j;
            std::string spec;
            int conv = 0;
            std::size_t colon = std::string::npos;
            int d2 = 0;
            for (std::size_t k = 0; k < field.size(); ++k) {
                if (field[k] == '[')
                    ++d2;
                else if (field[k] == ']')
                    --d2;
                else if (field[k] == ':' && d2 == 0) {
                    colon = k;
                    break;
                }
            }
            if (colon != std::string::npos) {
                spec = field.substr(colon + 1);
                field = field.substr(0, colon);
            }
            std::size_t bang = field.find('!');
            if (bang != std::string::npos) {
                if (bang + 1 < field.size())
                    conv = field[bang + 1];
                field = field.substr(0, bang);
            }
            // the first name part
            std::size_t endName = field.find_first_of(".[");
            std::string head = field.substr(0, endName);
            Value v;
            if (head.empty()) {
                if (usedManual)
                    return ts.raise(types().ValueError, "cannot switch from manual field specification to automatic field numbering");
                usedAuto = true;
                std::size_t idx = firstArg + autoIdx++;
                if (idx >= a.size())
                    return ts.raise(types().IndexError, "Replacement index " + std::to_string(idx - firstArg) + " out of range for positional args tuple");
                v = a[idx];
            } else if (std::isdigit(static_cast<unsigned char>(head[0]))) {
                if (usedAuto)
                    return ts.raise(types().ValueError, "cannot switch from automatic field numbering to manual field specification");
                usedManual = true;
                std::size_t idx = firstArg + std::stoul(head);
                if (idx >= a.size())
                    return ts.raise(types().IndexError, "Replacement index " + head + " out of range for positional args tuple");
                v = a[idx];
            } else {
                v = a.keyword(head);
                if (v.isNotFound()) {
                    Value exc = makeException(types().KeyError, "");
                    exc.as<ExceptionObject>()->args = makeTuple({makeStr(head)});
                    return ts.raise(exc);
                }
            }
            std::size_t k = endName;
            while (k != std::string::npos && k < field.size()) {
                if (field[k] == '.') {
                    std::size_t e = field.find_first_of(".[", k + 1);
                    std::string attr = field.substr(k + 1, e == std::string::npos ? std::string::npos : e - k - 1);
                    v = getAttr(ts, v, attr);
                    if (v.isError())
                        return v;
                    k = e;
                } else {
                    std::size_t e = field.find(']', k);
                    std::string key = field.substr(k + 1, e - k - 1);
                    Value kv = !key.empty() && std::isdigit(static_cast<unsigned char>(key[0])) ? Value::fromInt(std::stoll(key)) : makeStr(key);
                    v = getItem(ts, v, kv);
                    if (v.isError())
                        return v;
                    k = e == std::string::npos ? e : e + 1;
                }
            }
            if (conv == 'r' || conv == 'a')
                v = reprValue(ts, v);
            else if (conv == 's')
                v = strValue(ts, v);
            if (v.isError())
                return v;
            if (spec.find('{') != std::string::npos) {
                Value sv = strFormat(ts, spec, a, firstArg);
                if (sv.isError())
                    return sv;
                spec = sv.asString();
            }
            Value r = formatWithSpec(ts, v, spec);
            if (r.isError())
                return r;
            out += r.asString();
        } else if (c == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
                out.push_back('}');
                ++i;
                continue;
            }
            return ts.raise(types().ValueError, "Single '}' encountered in format string");
        } else {
            out.push_back(c);
        }
    }
    return makeStr(std::move(out));
}

} // namespace loopscope::lang
