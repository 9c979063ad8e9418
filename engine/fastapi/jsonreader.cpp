#include "jsonreader.h"

#include "lang/utf8.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace loopscope::fastapi {

std::string JsonDecodeError::message() const
{
    return msg + ": line " + std::to_string(lineno) + " column " + std::to_string(colno) +
           " (char " + std::to_string(pos) + ")";
}

namespace {

struct Failure {
    std::string msg;
    std::size_t at; // byte offset
};

// Follows CPython's json scanner (Modules/_json.c) step by step so that errors land
// on the same positions.
class Parser {
public:
    explicit Parser(std::string_view s) : m_s(s) {}

    std::optional<Failure> failure;

    std::size_t skipWs(std::size_t i) const
    {
        while (i < m_s.size() && (m_s[i] == ' ' || m_s[i] == '\t' || m_s[i] == '\n' || m_s[i] == '\r'))
            ++i;
        return i;
    }

    // scan_once: returns false with failure set, or "no value here" (StopIteration)
    // reported as failure "Expecting value" at `i`.
    bool value(std::size_t i, JsonNode &out, std::size_t &end, int depth)
    {
        if (depth > 1000)
            return fail("Expecting value", i); // RecursionError in Python; keep it an error
        if (i >= m_s.size())
            return fail("Expecting value", i);
        const char c = m_s[i];
        if (c == '"') {
            std::string text;
            if (!string(i + 1, text, end))
                return false;
            out = JsonNode::fromString(std::move(text));
            return true;
        }
        if (c == '{')
            return object(i + 1, out, end, depth + 1);
        if (c == '[')
            return array(i + 1, out, end, depth + 1);
        if (m_s.substr(i, 4) == "null") {
            out = JsonNode::null();
            end = i + 4;
            return true;
        }
        if (m_s.substr(i, 4) == "true") {
            out = JsonNode::fromBool(true);
            end = i + 4;
            return true;
        }
        if (m_s.substr(i, 5) == "false") {
            out = JsonNode::fromBool(false);
            end = i + 5;
            return true;
        }
        if (m_s.substr(i, 3) == "NaN") {
            out = JsonNode::fromFloat(std::nan(""));
            end = i + 3;
            return true;
        }
        if (m_s.substr(i, 8) == "Infinity") {
            out = JsonNode::fromFloat(HUGE_VAL);
            end = i + 8;
            return true;
        }
        if (m_s.substr(i, 9) == "-Infinity") {
            out = JsonNode::fromFloat(-HUGE_VAL);
            end = i + 9;
            return true;
        }
        return number(i, out, end);
    }

    bool number(std::size_t i, JsonNode &out, std::size_t &end)
    {
        // (-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?
        std::size_t j = i;
        if (j < m_s.size() && m_s[j] == '-')
            ++j;
        if (j >= m_s.size() || !isDigit(m_s[j]))
            return fail("Expecting value", i);
        if (m_s[j] == '0') {
            ++j;
        } else {
            while (j < m_s.size() && isDigit(m_s[j]))
                ++j;
        }
        bool isFloat = false;
        if (j + 1 < m_s.size() && m_s[j] == '.' && isDigit(m_s[j + 1])) {
            isFloat = true;
            j += 2;
            while (j < m_s.size() && isDigit(m_s[j]))
                ++j;
        }
        if (j < m_s.size() && (m_s[j] == 'e' || m_s[j] == 'E')) {
            std::size_t k = j + 1;
            if (k < m_s.size() && (m_s[k] == '+' || m_s[k] == '-'))
                ++k;
            if (k < m_s.size() && isDigit(m_s[k])) {
                while (k < m_s.size() && isDigit(m_s[k]))
                    ++k;
                isFloat = true;
                j = k;
            }
        }
        const std::string text(m_s.substr(i, j - i));
        end = j;
        if (!isFloat) {
            std::int64_t v = 0;
            auto res = std::from_chars(text.data(), text.data() + text.size(), v);
            if (res.ec == std::errc() && res.ptr == text.data() + text.size()) {
                out = JsonNode::fromInt(v);
                return true;
            }
            // Beyond 64 bits: Python keeps a big int; Loopscope keeps the nearest float.
        }
        out = JsonNode::fromFloat(std::strtod(text.c_str(), nullptr));
        return true;
    }

    bool string(std::size_t i, std::string &out, std::size_t &end)
    {
        const std::size_t begin = i - 1;
        while (true) {
            if (i >= m_s.size())
                return fail("Unterminated string starting at", begin);
            const auto c = static_cast<unsigned char>(m_s[i]);
            if (c == '"') {
                end = i + 1;
                return true;
            }
            if (c < 0x20)
                return fail("Invalid control character at", i);
            if (c != '\\') {
                out += static_cast<char>(c);
                ++i;
                continue;
            }
            ++i;
            if (i >= m_s.size())
                return fail("Unterminated string starting at", begin);
            const char e = m_s[i];
            switch (e) {
            case '"': out += '"'; ++i; continue;
            case '\\': out += '\\'; ++i; continue;
            case '/': out += '/'; ++i; continue;
            case 'b': out += '\b'; ++i; continue;
            case 'f': out += '\f'; ++i; continue;
            case 'n': out += '\n'; ++i; continue;
            case 'r': out += '\r'; ++i; continue;
            case 't': out += '\t'; ++i; continue;
            case 'u': break;
            default: return fail("Invalid \\escape", i - 1);
            }
            std::uint32_t cp = 0;
            if (!hex4(i + 1, cp))
                return fail("Invalid \\uXXXX escape", i);
            i += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < m_s.size() && m_s[i] == '\\' && m_s[i + 1] == 'u') {
                std::uint32_t low = 0;
                if (!hex4(i + 2, low))
                    return fail("Invalid \\uXXXX escape", i + 1);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                }
            }
            // A lone surrogate cannot live in UTF-8 text; U+FFFD stands in for it.
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            lang::appendUtf8(out, cp);
        }
    }

    bool object(std::size_t i, JsonNode &out, std::size_t &end, int depth)
    {
        JsonNode obj = JsonNode::makeObject();
        i = skipWs(i);
        if (i < m_s.size() && m_s[i] == '}') {
            out = std::move(obj);
            end = i + 1;
            return true;
        }
        while (true) {
            if (i >= m_s.size() || m_s[i] != '"')
                return fail("Expecting property name enclosed in double quotes", i);
            std::string key;
            if (!string(i + 1, key, i))
                return false;
            i = skipWs(i);
            if (i >= m_s.size() || m_s[i] != ':')
                return fail("Expecting ':' delimiter", i);
            i = skipWs(i + 1);
            JsonNode member;
            if (!value(i, member, i, depth))
                return false;
            obj.set(std::move(key), std::move(member));
            i = skipWs(i);
            if (i < m_s.size() && m_s[i] == '}') {
                out = std::move(obj);
                end = i + 1;
                return true;
            }
            if (i >= m_s.size() || m_s[i] != ',')
                return fail("Expecting ',' delimiter", i);
            i = skipWs(i + 1);
        }
    }

    bool array(std::size_t i, JsonNode &out, std::size_t &end, int depth)
    {
        JsonNode arr = JsonNode::makeArray();
        i = skipWs(i);
        if (i < m_s.size() && m_s[i] == ']') {
            out = std::move(arr);
            end = i + 1;
            return true;
        }
        while (true) {
            JsonNode item;
            if (!value(i, item, i, depth))
                return false;
            arr.array->push_back(std::move(item));
            i = skipWs(i);
            if (i < m_s.size() && m_s[i] == ']') {
                out = std::move(arr);
                end = i + 1;
                return true;
            }
            if (i >= m_s.size() || m_s[i] != ',')
                return fail("Expecting ',' delimiter", i);
            i = skipWs(i + 1);
        }
    }

private:
    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    bool hex4(std::size_t i, std::uint32_t &cp) const
    {
        if (i + 4 > m_s.size())
            return false;
        cp = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char h = m_s[i + k];
            cp <<= 4;
            if (h >= '0' && h <= '9')
                cp |= static_cast<std::uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
                cp |= static_cast<std::uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                cp |= static_cast<std::uint32_t>(h - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    bool fail(std::string msg, std::size_t at)
    {
        if (!failure)
            failure = Failure{std::move(msg), at};
        return false;
    }

    std::string_view m_s;
};

JsonDecodeError makeError(std::string_view doc, const Failure &f)
{
    JsonDecodeError e;
    e.msg = f.msg;
    int pos = 0;
    int lineno = 1;
    int lastNewlinePos = -1;
    for (std::size_t b = 0; b < f.at && b < doc.size(); ++b) {
        const auto c = static_cast<unsigned char>(doc[b]);
        if ((c & 0xC0) == 0x80)
            continue; // continuation byte: same character
        if (c == '\n') {
            ++lineno;
            lastNewlinePos = pos;
        }
        ++pos;
    }
    e.pos = pos;
    e.lineno = lineno;
    e.colno = pos - lastNewlinePos;
    return e;
}

} // namespace

JsonParseResult JsonReader::parse(std::string_view utf8)
{
    JsonParseResult result;
    if (lang::findInvalidUtf8(utf8) != std::string_view::npos) {
        result.invalidEncoding = true;
        return result;
    }
    // json.loads(bytes) decodes with utf-8-sig when the body starts with a BOM.
    if (utf8.substr(0, 3) == "\xEF\xBB\xBF")
        utf8.remove_prefix(3);
    Parser parser(utf8);
    JsonNode node;
    std::size_t end = 0;
    const std::size_t start = parser.skipWs(0);
    if (!parser.value(start, node, end, 0)) {
        result.error = makeError(utf8, *parser.failure);
        return result;
    }
    end = parser.skipWs(end);
    if (end != utf8.size()) {
        result.error = makeError(utf8, Failure{"Extra data", end});
        return result;
    }
    result.value = std::move(node);
    return result;
}

} // namespace loopscope::fastapi
