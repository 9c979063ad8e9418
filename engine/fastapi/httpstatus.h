// Reason phrases as Python's http.HTTPStatus has them (HTTPException's default detail).
#pragma once

#include <string_view>

namespace loopscope::fastapi {

class HttpStatus {
public:
    // "Not Found" for 404, "I'm a Teapot" for 418; empty for unknown codes.
    static std::string_view phrase(int code);
};

} // namespace loopscope::fastapi
