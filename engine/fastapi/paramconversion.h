// Converting path and query strings to endpoint parameter types the way pydantic v1
// (under FastAPI 0.92) does, with its error texts for the 422 body.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loopscope::fastapi {

enum class ParamType : std::uint8_t { Any, Str, Int, Float, Bool };

struct ParamValue {
    ParamType type = ParamType::Any; // Any and Str carry text
    std::string text;
    std::int64_t intValue = 0;
    double floatValue = 0.0;
    bool boolValue = false;
};

// A bound of Query(ge=1), Path(lt=2.5): its value as written (int or float).
struct ParamLimit {
    bool isInt = true;
    std::int64_t intValue = 0;
    double floatValue = 0.0;
    double value() const { return isInt ? double(intValue) : floatValue; }
    std::string text() const; // as Python's str(): "1", "2.5"
};

// The constraints FastAPI's Query/Path/Header pass on to pydantic: gt/ge/lt/le for
// numbers, min_length/max_length (in characters) for strings.
struct ParamConstraints {
    std::optional<ParamLimit> gt, ge, lt, le;
    std::optional<std::int64_t> minLength, maxLength;
    bool empty() const { return !gt && !ge && !lt && !le && !minLength && !maxLength; }
};

// pydantic's error for a value that did not convert.
struct ParamError {
    std::string msg;  // "value is not a valid integer"
    std::string type; // "type_error.integer"
    std::optional<ParamLimit> limit = std::nullopt; // the ctx {"limit_value": ...} of a failed constraint
};

struct ParamConversion {
    std::optional<ParamValue> value;
    std::optional<ParamError> error;
};

class ParamConverter {
public:
    static ParamConversion convert(ParamType type, std::string_view text);
    // Converts, then checks the constraints as pydantic v1 does (numbers: gt or ge, then
    // lt, then le, the first failure only; strings: min_length, then max_length).
    static ParamConversion convert(ParamType type, std::string_view text, const ParamConstraints &constraints);

    // Python's int(str) (surrounding whitespace, sign, '_' between digits). Values beyond
    // 64 bits are refused (Python would keep a big int).
    static std::optional<std::int64_t> parseInt(std::string_view text);
    // Python's float(str): also "inf", "-Infinity", "nan", "1_0.5", ".5", "1.".
    static std::optional<double> parseFloat(std::string_view text);
    // pydantic v1's bool_validator over a string: 1/0, true/false, on/off, yes/no, t/f, y/n.
    static std::optional<bool> parseBool(std::string_view text);

    static ParamError missing() { return {"field required", "value_error.missing"}; }
};

} // namespace loopscope::fastapi
