// A route path such as "/items/{item_id}" or "/files/{p:path}", matched as Starlette's
// compile_path() regex would: "{x}" and "{x:str}" match [^/]+, "{x:path}" .*,
// "{x:int}" [0-9]+, "{x:float}" [0-9]+(\.[0-9]+)?; everything else is literal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loopscope::fastapi {

using PathParams = std::vector<std::pair<std::string, std::string>>;

class PathTemplate {
public:
    enum class Convertor : std::uint8_t { Str, Path, Int, Float };

    struct Part {
        bool isParam = false;
        std::string text; // literal text, or the parameter's name
        Convertor convertor = Convertor::Str;
    };

    // Parses the template; error() says what is wrong ("Unknown path convertor 'x'",
    // "Duplicated param name x at path /a/{x}/{x}").
    explicit PathTemplate(std::string path = "/");

    const std::string &path() const { return m_path; }
    const std::string &error() const { return m_error; }
    bool isValid() const { return m_error.empty(); }
    const std::vector<Part> &parts() const { return m_parts; }
    std::vector<std::string> paramNames() const;

    // The parameters by name if `decodedPath` matches the whole template.
    std::optional<PathParams> match(std::string_view decodedPath) const;

private:
    bool matchFrom(std::size_t part, std::string_view path, std::size_t pos, PathParams &out) const;

    std::string m_path;
    std::string m_error;
    std::vector<Part> m_parts;
};

} // namespace loopscope::fastapi
