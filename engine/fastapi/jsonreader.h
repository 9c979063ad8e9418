// Parses request bodies as Python's json.loads does, including its error texts and
// positions ("Expecting value: line 1 column 1 (char 0)"), which FastAPI puts into the
// 422 body of a malformed JSON request.
#pragma once

#include "jsonnode.h"

#include <optional>
#include <string>
#include <string_view>

namespace loopscope::fastapi {

struct JsonDecodeError {
    std::string msg; // "Expecting value"
    int pos = 0;     // in characters (code points), as Python's str index
    int lineno = 1;
    int colno = 1;
    // "Expecting value: line 1 column 1 (char 0)", str(JSONDecodeError)
    std::string message() const;
};

struct JsonParseResult {
    std::optional<JsonNode> value;
    std::optional<JsonDecodeError> error;
    // The body is not valid UTF-8 (json.loads raises UnicodeDecodeError, which FastAPI
    // turns into 400 "There was an error parsing the body").
    bool invalidEncoding = false;
};

class JsonReader {
public:
    static JsonParseResult parse(std::string_view utf8);
};

} // namespace loopscope::fastapi
