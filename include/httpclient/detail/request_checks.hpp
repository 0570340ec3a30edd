// What a request may contain, checked before any of it is buffered: the
// method, the request target, header names and values, and the host and
// port a connection or tunnel is given (with the Host value built from
// them). Python's http.client checks less; each stricter rule names its RFC.
#ifndef HTTPCLIENT_DETAIL_REQUEST_CHECKS_HPP
#define HTTPCLIENT_DETAIL_REQUEST_CHECKS_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/chars.hpp>
#include <httpclient/detail/idna.hpp>
#include <httpclient/detail/repr.hpp>
#include <httpclient/errors.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

inline std::string quoted_char(char c) {
    return python_repr(std::string_view(&c, 1), false);
}

// Python's message: URL can't contain control characters. '<url>' (found at least '<c>')
[[noreturn]] inline void throw_control_characters(std::string_view what, char c) {
    throw invalid_url("URL can't contain control characters. " + python_repr(what, false) + " (found at least " +
                      quoted_char(c) + ")");
}

inline void check_host_text(std::string_view host) {
    for (char c : host) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) throw_control_characters(host, c);
    }
    // Characters that would end the authority in a URL, or that only a
    // userinfo part contains: a host with them is a mistake or an attack.
    for (char c : host)
        if (c == '@' || c == '/' || c == '?' || c == '#' || c == '\\')
            throw invalid_url("invalid character in host: " + python_repr(host, false));
}

struct host_port {
    std::string host;
    std::uint16_t port;
};

// Python's _get_hostport (§1.3.2), stricter: the port is exactly 1*DIGIT in
// 0-65535, and an unbracketed IPv6 literal is taken whole instead of
// splitting at its last colon.
inline host_port parse_host_port(std::string_view text, std::optional<std::uint16_t> port,
                                 std::uint16_t default_port) {
    std::string_view host = text;
    std::uint16_t chosen = default_port;
    if (port) {
        chosen = *port;
    } else {
        const std::size_t colon = text.rfind(':');
        const std::size_t bracket = text.rfind(']');
        const bool bare_ipv6 = text.find(':') != colon && (text.empty() || text.front() != '[');
        if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket) && !bare_ipv6) {
            const std::string_view digits = text.substr(colon + 1);
            host = text.substr(0, colon);
            if (!digits.empty()) {
                unsigned value = 0;
                const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), value);
                bool all_digits = true;
                for (char c : digits) all_digits = all_digits && is_digit(c);
                if (!all_digits || r.ptr != digits.data() + digits.size() || r.ec != std::errc{} || value > 65535)
                    throw invalid_url("nonnumeric port: '" + std::string(digits) + "'");
                chosen = static_cast<std::uint16_t>(value);
            }
        }
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.find_first_of("[]") != std::string_view::npos)
        throw invalid_url("unbalanced brackets in host: " + python_repr(text, false));
    check_host_text(host);
    if (host.empty()) throw invalid_url("empty host");
    return {std::string(host), chosen};
}

// The host as it goes into Host and CONNECT: IDNA for non-ASCII names,
// brackets around IPv6 literals, and no zone id, which means nothing to the
// server (RFC 9110 §7.2, RFC 3986 §3.2.2).
inline std::string host_for_header(std::string_view host) {
    if (host.find(':') != std::string_view::npos) {
        const std::size_t zone = host.find('%');
        return "[" + std::string(host.substr(0, zone)) + "]";
    }
    auto ascii = idna_encode(host);
    if (!ascii) throw invalid_url("host is not valid UTF-8: " + python_repr(host, false));
    return *ascii;
}

inline std::string authority(std::string_view host, std::uint16_t port, std::uint16_t default_port) {
    std::string out = host_for_header(host);
    if (port != default_port) {
        out += ':';
        out += std::to_string(port);
    }
    return out;
}

inline void check_method(std::string_view method) {
    // RFC 9110 §9.1: method = token. Python rejects only C0 controls.
    if (!is_token(method))
        throw invalid_method("method must be a token (RFC 9110 §9.1): " + python_repr(method, false));
}

inline void check_target(std::string_view method, std::string_view url) {
    for (char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) throw_control_characters(url, c);
        if (u >= 0x80) throw invalid_url("URL can't contain non-ASCII characters: " + python_repr(url, false));
    }
    // RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT)
    // or asterisk-form (OPTIONS).
    if (url.front() == '/') return;
    if (url == "*" && iequals(method, "OPTIONS")) return;
    if (iequals(method, "CONNECT") && url.find('/') == std::string_view::npos) return;
    const std::size_t scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos && scheme_end > 0) return;
    throw invalid_url("request target must be an absolute path, an absolute URL, * for OPTIONS or "
                      "host:port for CONNECT: " + python_repr(url, false));
}

[[noreturn]] inline void throw_bad_name(std::string_view name) {
    throw invalid_header_name("Invalid header name " + python_repr(name));
}
[[noreturn]] inline void throw_bad_value(std::string_view value) {
    throw invalid_header_value("Invalid header value " + python_repr(value));
}

inline void check_header(std::string_view name, std::string_view value) {
    // RFC 9110 §5.1 and §5.5: a name is a token; a value has no CR, LF, NUL
    // or other control character but HTAB.
    if (!is_token(name)) throw_bad_name(name);
    if (!is_field_value(value)) throw_bad_value(value);
}

// The authority of an absolute-form target, for Host: the host and port
// without userinfo (RFC 9110 §7.2; Python copies the netloc as written,
// credentials included).
inline std::optional<std::string> host_from_absolute_url(std::string_view url, std::uint16_t default_port) {
    if (url.compare(0, 4, "http") != 0) return std::nullopt;
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    const std::string_view scheme = url.substr(0, scheme_end);
    std::string_view rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    // RFC 9110 §4.2.4: a sender must not generate userinfo in a target URI;
    // servers answer 400 and proxies may log the password.
    if (rest.find('@') != std::string_view::npos)
        throw invalid_url("URL must not contain userinfo (RFC 9110 §4.2.4): " + python_repr(url, false));
    if (rest.empty()) return std::nullopt;
    const std::uint16_t port_default = scheme == "https" ? 443 : (scheme == "http" ? 80 : default_port);
    const host_port hp = parse_host_port(rest, std::nullopt, port_default);
    return authority(hp.host, hp.port, port_default);
}

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_REQUEST_CHECKS_HPP
