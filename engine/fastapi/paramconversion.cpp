#include "paramconversion.h"

#include "jsonwriter.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace loopscope::fastapi {

namespace {

bool isPyWhitespace(char c)
{
    // str.strip()'s ASCII whitespace (it also strips \x1c-\x1f).
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           (c >= '\x1c' && c <= '\x1f');
}

std::string_view strip(std::string_view s)
{
    while (!s.empty() && isPyWhitespace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isPyWhitespace(s.back()))
        s.remove_suffix(1);
    return s;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Copies a run of digits where single '_' may separate digits; returns the index just
// past the run (== start when there is no digit).
std::size_t digitRun(std::string_view s, std::size_t i, std::string &out)
{
    const std::size_t start = i;
    while (i < s.size()) {
        if (isDigit(s[i])) {
            out += s[i++];
        } else if (s[i] == '_' && i > start && i + 1 < s.size() && isDigit(s[i - 1]) && isDigit(s[i + 1])) {
            ++i;
        } else {
            break;
        }
    }
    return i;
}

std::string lowerAscii(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

std::optional<std::int64_t> ParamConverter::parseInt(std::string_view text)
{
    if (text.size() > 4300) // pydantic's max_str_int
        return std::nullopt;
    std::string_view s = strip(text);
    std::string digits;
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        if (s[i] == '-')
            digits += '-';
        ++i;
    }
    const std::size_t before = digits.size();
    i = digitRun(s, i, digits);
    if (digits.size() == before || i != s.size())
        return std::nullopt;
    std::int64_t v = 0;
    auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (res.ec != std::errc() || res.ptr != digits.data() + digits.size())
        return std::nullopt;
    return v;
}

std::optional<double> ParamConverter::parseFloat(std::string_view text)
{
    std::string_view s = strip(text);
    std::string clean;
    std::size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        ++i;
    }
    const std::string word = lowerAscii(s.substr(i));
    if (word == "inf" || word == "infinity")
        return negative ? -HUGE_VAL : HUGE_VAL;
    if (word == "nan")
        return std::nan("");
    if (negative)
        clean += '-';
    const std::size_t intStart = clean.size();
    i = digitRun(s, i, clean);
    bool anyDigits = clean.size() > intStart;
    if (i < s.size() && s[i] == '.') {
        clean += '.';
        ++i;
        const std::size_t fracStart = clean.size();
        i = digitRun(s, i, clean);
        anyDigits = anyDigits || clean.size() > fracStart;
    }
    if (!anyDigits)
        return std::nullopt;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        clean += 'e';
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            clean += s[i++];
        const std::size_t expStart = clean.size();
        i = digitRun(s, i, clean);
        if (clean.size() == expStart)
            return std::nullopt;
    }
    if (i != s.size())
        return std::nullopt;
    return std::strtod(clean.c_str(), nullptr);
}

std::optional<bool> ParamConverter::parseBool(std::string_view text)
{
    const std::string v = lowerAscii(text);
    if (v == "1" || v == "on" || v == "t" || v == "true" || v == "y" || v == "yes")
        return true;
    if (v == "0" || v == "off" || v == "f" || v == "false" || v == "n" || v == "no")
        return false;
    return std::nullopt;
}

ParamConversion ParamConverter::convert(ParamType type, std::string_view text)
{
    ParamConversion result;
    ParamValue value;
    value.type = type;
    switch (type) {
    case ParamType::Any:
    case ParamType::Str:
        value.text = std::string(text);
        result.value = std::move(value);
        break;
    case ParamType::Int:
        if (auto v = parseInt(text)) {
            value.intValue = *v;
            result.value = std::move(value);
        } else {
            result.error = ParamError{"value is not a valid integer", "type_error.integer"};
        }
        break;
    case ParamType::Float:
        if (auto v = parseFloat(text)) {
            value.floatValue = *v;
            result.value = std::move(value);
        } else {
            result.error = ParamError{"value is not a valid float", "type_error.float"};
        }
        break;
    case ParamType::Bool:
        if (auto v = parseBool(text)) {
            value.boolValue = *v;
            result.value = std::move(value);
        } else {
            result.error = ParamError{"value could not be parsed to a boolean", "type_error.bool"};
        }
        break;
    }
    return result;
}

std::string ParamLimit::text() const
{
    return isInt ? std::to_string(intValue) : JsonWriter::floatRepr(floatValue);
}

ParamConversion ParamConverter::convert(ParamType type, std::string_view text, const ParamConstraints &c)
{
    ParamConversion out = convert(type, text);
    if (!out.value || c.empty())
        return out;
    const ParamValue &v = *out.value;
    auto fail = [&out](std::string msg, std::string type, const ParamLimit &limit) {
        out.value.reset();
        out.error = ParamError{std::move(msg), std::move(type), limit};
        return out;
    };
    if (type == ParamType::Int || type == ParamType::Float) {
        const double x = type == ParamType::Int ? double(v.intValue) : v.floatValue;
        if (c.gt && !(x > c.gt->value()))
            return fail("ensure this value is greater than " + c.gt->text(), "value_error.number.not_gt", *c.gt);
        if (!c.gt && c.ge && !(x >= c.ge->value()))
            return fail("ensure this value is greater than or equal to " + c.ge->text(), "value_error.number.not_ge", *c.ge);
        if (c.lt && !(x < c.lt->value()))
            return fail("ensure this value is less than " + c.lt->text(), "value_error.number.not_lt", *c.lt);
        if (c.le && !(x <= c.le->value()))
            return fail("ensure this value is less than or equal to " + c.le->text(), "value_error.number.not_le", *c.le);
    } else if (type == ParamType::Str || type == ParamType::Any) {
        std::int64_t chars = 0; // code points of the UTF-8 text
        for (unsigned char ch : v.text)
            chars += (ch & 0xC0) != 0x80;
        auto limit = [](std::int64_t n) { ParamLimit l; l.intValue = n; return l; };
        if (c.minLength && chars < *c.minLength)
            return fail("ensure this value has at least " + std::to_string(*c.minLength) + " characters",
                        "value_error.any_str.min_length", limit(*c.minLength));
        if (c.maxLength && chars > *c.maxLength)
            return fail("ensure this value has at most " + std::to_string(*c.maxLength) + " characters",
                        "value_error.any_str.max_length", limit(*c.maxLength));
    }
    return out;
}

} // namespace loopscope::fastapi
