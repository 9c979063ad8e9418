// Writes JSON text exactly as Starlette's JSONResponse renders it:
// json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).
// Callers walk their own values and use these primitives; JsonNode (jsonnode.h) is one
// such walker.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loopscope::fastapi {

class JsonWriter {
public:
    // Python's repr(float): shortest round-trip digits, "1.0", "1e+16", "1e-05", "-0.0".
    // Also what str() of a float gives; NaN/inf give "nan"/"inf"/"-inf".
    static std::string floatRepr(double value);

    // A JSON string literal with ensure_ascii=False: only '"', '\\' and control
    // characters below 0x20 are escaped (\n \r \t \b \f, the rest as \u00XX).
    static void appendString(std::string &out, std::string_view utf8);
    static void appendInt(std::string &out, std::int64_t value);
    // False (nothing appended) for NaN and infinities: json.dumps(allow_nan=False)
    // raises "ValueError: Out of range float values are not JSON compliant".
    static bool appendFloat(std::string &out, double value);
    static void appendBool(std::string &out, bool value) { out += value ? "true" : "false"; }
    static void appendNull(std::string &out) { out += "null"; }

    // What json.dumps does with a non-string dict key: int → "1", float → repr,
    // True → "true", None → "null". Returns false for non-finite float keys.
    static bool appendFloatKey(std::string &out, double value);

    static constexpr std::string_view outOfRangeFloatMessage =
        "Out of range float values are not JSON compliant";
};

} // namespace loopscope::fastapi
