#include "pathtemplate.h"

namespace loopscope::fastapi {

namespace {

bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Length of an identifier at s[i], 0 if none.
std::size_t identAt(const std::string &s, std::size_t i)
{
    if (i >= s.size() || !isIdentStart(s[i]))
        return 0;
    std::size_t j = i + 1;
    while (j < s.size() && isIdentChar(s[j]))
        ++j;
    return j - i;
}

} // namespace

PathTemplate::PathTemplate(std::string path) : m_path(std::move(path))
{
    std::string literal;
    std::vector<std::string> seen;
    std::string duplicated;
    std::size_t i = 0;
    while (i < m_path.size()) {
        // Starlette's PARAM_REGEX: {name} or {name:convertor}; anything else is literal.
        if (m_path[i] == '{') {
            const std::size_t nameLen = identAt(m_path, i + 1);
            if (nameLen > 0) {
                std::size_t j = i + 1 + nameLen;
                std::string convName;
                bool ok = false;
                if (j < m_path.size() && m_path[j] == '}') {
                    ok = true;
                } else if (j < m_path.size() && m_path[j] == ':') {
                    const std::size_t convLen = identAt(m_path, j + 1);
                    if (convLen > 0 && j + 1 + convLen < m_path.size() && m_path[j + 1 + convLen] == '}') {
                        convName = m_path.substr(j + 1, convLen);
                        j += 1 + convLen;
                        ok = true;
                    }
                }
                if (ok) {
                    Part param;
                    param.isParam = true;
                    param.text = m_path.substr(i + 1, nameLen);
                    if (convName.empty() || convName == "str") {
                        param.convertor = Convertor::Str;
                    } else if (convName == "path") {
                        param.convertor = Convertor::Path;
                    } else if (convName == "int") {
                        param.convertor = Convertor::Int;
                    } else if (convName == "float") {
                        param.convertor = Convertor::Float;
                    } else if (m_error.empty()) {
                        m_error = "Unknown path convertor '" + convName + "'";
                    }
                    for (const auto &name : seen)
                        if (name == param.text && duplicated.empty())
                            duplicated = name;
                    seen.push_back(param.text);
                    if (!literal.empty()) {
                        m_parts.push_back(Part{false, literal, Convertor::Str});
                        literal.clear();
                    }
                    m_parts.push_back(std::move(param));
                    i = j + 1;
                    continue;
                }
            }
        }
        literal += m_path[i++];
    }
    if (!literal.empty())
        m_parts.push_back(Part{false, literal, Convertor::Str});
    if (!duplicated.empty() && m_error.empty())
        m_error = "Duplicated param name " + duplicated + " at path " + m_path;
}

std::vector<std::string> PathTemplate::paramNames() const
{
    std::vector<std::string> names;
    for (const auto &p : m_parts)
        if (p.isParam)
            names.push_back(p.text);
    return names;
}

std::optional<PathParams> PathTemplate::match(std::string_view decodedPath) const
{
    PathParams params;
    if (!matchFrom(0, decodedPath, 0, params))
        return std::nullopt;
    return params;
}

bool PathTemplate::matchFrom(std::size_t partIndex, std::string_view path, std::size_t pos,
                             PathParams &out) const
{
    if (partIndex == m_parts.size())
        return pos == path.size();
    const Part &part = m_parts[partIndex];
    if (!part.isParam) {
        if (path.substr(pos, part.text.size()) != part.text)
            return false;
        return matchFrom(partIndex + 1, path, pos + part.text.size(), out);
    }

    // Candidate lengths, longest first (the regexes are greedy; backtracking finds the
    // same overall match Python's re would).
    std::vector<std::size_t> lengths;
    const std::size_t rest = path.size() - pos;
    switch (part.convertor) {
    case Convertor::Str: {
        std::size_t n = 0;
        while (n < rest && path[pos + n] != '/')
            ++n;
        for (std::size_t len = n; len >= 1; --len)
            lengths.push_back(len);
        break;
    }
    case Convertor::Path:
        for (std::size_t len = rest + 1; len-- > 0;)
            lengths.push_back(len);
        break;
    case Convertor::Int: {
        std::size_t n = 0;
        while (n < rest && isDigit(path[pos + n]))
            ++n;
        for (std::size_t len = n; len >= 1; --len)
            lengths.push_back(len);
        break;
    }
    case Convertor::Float: {
        std::size_t n = 0;
        while (n < rest && isDigit(path[pos + n]))
            ++n;
        if (n > 0 && n + 1 < rest && path[pos + n] == '.' && isDigit(path[pos + n + 1])) {
            std::size_t f = n + 1;
            while (f < rest && isDigit(path[pos + f]))
                ++f;
            for (std::size_t len = f; len > n + 1; --len)
                lengths.push_back(len);
        }
        for (std::size_t len = n; len >= 1; --len)
            lengths.push_back(len);
        break;
    }
    }
    for (std::size_t len : lengths) {
        out.emplace_back(part.text, std::string(path.substr(pos, len)));
        if (matchFrom(partIndex + 1, path, pos + len, out))
            return true;
        out.pop_back();
    }
    return false;
}

} // namespace loopscope::fastapi
