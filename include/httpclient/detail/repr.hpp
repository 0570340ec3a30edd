// Python's repr() of bytes and str, for debug output that reads exactly like
// http.client's ("send: b'GET / HTTP/1.1\r\n...'"), so users can diff the
// two.
#ifndef HTTPCLIENT_DETAIL_REPR_HPP
#define HTTPCLIENT_DETAIL_REPR_HPP

#include <httpclient/config.hpp>

#include <string>
#include <string_view>

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

// repr(bytes) when `bytes_prefix`, repr(str) of Latin-1 text otherwise.
inline std::string python_repr(std::string_view data, bool bytes_prefix = true) {
    // Python picks double quotes only when that avoids escaping a quote.
    const bool double_quotes =
        data.find('\'') != std::string_view::npos && data.find('"') == std::string_view::npos;
    const char quote = double_quotes ? '"' : '\'';
    std::string out;
    out.reserve(data.size() + 3);
    if (bytes_prefix) out += 'b';
    out += quote;
    static constexpr char hex[] = "0123456789abcdef";
    for (char c : data) {
        const auto u = static_cast<unsigned char>(c);
        if (c == quote || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else if (!bytes_prefix && u >= 0xa1 && u != 0xad) {
            // Printable Latin-1 letters stay as they are in a str repr; as
            // UTF-8, since that is what a terminal shows.
            out += static_cast<char>(0xc0 | (u >> 6));
            out += static_cast<char>(0x80 | (u & 0x3f));
        } else {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    out += quote;
    return out;
}

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_REPR_HPP
