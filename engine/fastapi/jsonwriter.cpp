#include "jsonwriter.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace loopscope::fastapi {

std::string JsonWriter::floatRepr(double value)
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value < 0 ? "-inf" : "inf";

    // Shortest round-trip digits in scientific form, e.g. "1.2345e+16", then laid out
    // as CPython's float_repr_style 'short': exponent form when decpt <= -4 or > 16.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));

    bool negative = false;
    if (!sci.empty() && sci.front() == '-') {
        negative = true;
        sci.remove_prefix(1);
    }
    const auto ePos = sci.find('e');
    std::string_view mantissa = sci.substr(0, ePos);
    int exponent = 0;
    if (ePos != std::string_view::npos) {
        std::string_view expText = sci.substr(ePos + 1);
        if (!expText.empty() && expText.front() == '+')
            expText.remove_prefix(1);
        std::from_chars(expText.data(), expText.data() + expText.size(), exponent);
    }
    std::string digits;
    for (char c : mantissa)
        if (c != '.')
            digits += c;
    while (digits.size() > 1 && digits.back() == '0')
        digits.pop_back();

    std::string out;
    if (negative)
        out += '-';
    const int decpt = exponent + 1; // value = 0.DIGITS * 10^decpt
    const bool isZero = digits == "0";
    if (!isZero && (decpt <= -4 || decpt > 16)) {
        out += digits[0];
        if (digits.size() > 1) {
            out += '.';
            out.append(digits, 1);
        }
        const int e = decpt - 1;
        char ebuf[16];
        std::snprintf(ebuf, sizeof ebuf, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        out += ebuf;
        return out;
    }
    if (isZero) {
        out += "0.0";
        return out;
    }
    if (decpt <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-decpt), '0');
        out += digits;
    } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
        out += digits;
        out.append(static_cast<std::size_t>(decpt) - digits.size(), '0');
        out += ".0";
    } else {
        out.append(digits, 0, static_cast<std::size_t>(decpt));
        out += '.';
        out.append(digits, static_cast<std::size_t>(decpt));
    }
    return out;
}

void JsonWriter::appendString(std::string &out, std::string_view utf8)
{
    out += '"';
    for (char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
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
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

void JsonWriter::appendInt(std::string &out, std::int64_t value)
{
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, res.ptr);
}

bool JsonWriter::appendFloat(std::string &out, double value)
{
    if (!std::isfinite(value))
        return false;
    out += floatRepr(value);
    return true;
}

bool JsonWriter::appendFloatKey(std::string &out, double value)
{
    if (!std::isfinite(value))
        return false;
    out += '"';
    out += floatRepr(value);
    out += '"';
    return true;
}

} // namespace loopscope::fastapi
