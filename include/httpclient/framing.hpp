// framing.hpp: how long a response's body is, and whether the connection
// can carry another request afterwards (RFC 9112 §6.3 and §9.3).
//
// One pure function over the request method and the parsed head, so every
// rule is a row in a test table. Where Python's http.client guesses (the
// first of two Content-Length values, a substring search for "close", TE on
// HTTP/1.0), this refuses or takes the stricter reading, as §3 of the
// behaviour reference and the RFCs ask.
#ifndef HTTPCLIENT_FRAMING_HPP
#define HTTPCLIENT_FRAMING_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/chars.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/headers.hpp>

#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

HTTPCLIENT_BEGIN_NAMESPACE

enum class body_kind {
    none,            // the message ends with its head
    content_length,  // exactly `length` bytes follow
    chunked,         // the chunked transfer coding (RFC 9112 §7.1)
    until_close,     // everything until the server closes the connection
};

struct framing {
    body_kind kind = body_kind::none;
    std::uint64_t length = 0;  // for body_kind::content_length
    // The connection may carry another request once this body is read.
    bool keep_alive = false;
    // The connection stopped being HTTP: a 101 Switching Protocols, or a
    // 2xx answer to CONNECT (RFC 9110 §9.3.6), after which it is a tunnel.
    bool switched = false;

    friend bool operator==(const framing&, const framing&) = default;
};

namespace detail {

// Calls f(element) for each element of a comma-separated list spread over
// every field line named `name` (RFC 9110 §5.3, §5.6.1), with OWS trimmed and
// empty elements skipped. Stops early when f returns false.
template <class F>
constexpr void for_each_list_element(const header_view& fields, std::string_view name, F&& f) {
    for (field fl : fields) {
        if (!iequals(fl.name, name)) continue;
        std::string_view rest = fl.value;
        for (;;) {
            const std::size_t comma = rest.find(',');
            const std::string_view element = trim_ows(rest.substr(0, comma));
            if (!element.empty() && !f(element)) return;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
}

constexpr bool has_connection_option(const header_view& fields, std::string_view option) {
    bool found = false;
    for_each_list_element(fields, "connection", [&](std::string_view element) {
        found = iequals(element, option);
        return !found;
    });
    return found;
}

// Content-Length = 1*DIGIT (RFC 9110 §8.6), at most 2^64 - 1.
constexpr bool parse_content_length(std::string_view text, std::uint64_t& out) noexcept {
    if (text.empty()) return false;
    std::uint64_t value = 0;
    for (char c : text) {
        if (!is_digit(c)) return false;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
        value = value * 10 + digit;
    }
    out = value;
    return true;
}

}  // namespace detail

// Decide the framing of a response to `method` with this status, version
// (10 or 11) and these fields. On a framing error ec is set and the result
// must not be used: the response cannot be delimited, so the connection
// must be closed (RFC 9112 §6.3 rule 5).
[[nodiscard]] inline framing decide_framing(std::string_view method, int status, int version,
                                               const header_view& fields, std::error_code& ec) {
    ec.clear();
    framing result;

    const bool close_requested = detail::has_connection_option(fields, "close");
    // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 persists
    // only with the "keep-alive" option (Appendix C.2.2). Keep-Alive and
    // Proxy-Connection fields alone do not count.
    result.keep_alive = !close_requested &&
                        (version >= 11 || detail::has_connection_option(fields, "keep-alive"));

    // Rule 1: HEAD, 1xx, 204 and 304 end at the head, whatever CL or TE say.
    // Rule 2: a 2xx to CONNECT turns the connection into a tunnel.
    // Methods are case-sensitive (RFC 9110 §9.1): "head" is not HEAD, and a
    // server may well answer it with a body.
    if (status == 101 || (method == "CONNECT" && status >= 200 && status < 300)) {
        result.switched = true;
        result.keep_alive = false;
        return result;
    }
    if (method == "HEAD" || (status >= 100 && status < 200) || status == 204 ||
        status == 304)
        return result;

    bool has_transfer_encoding = false;
    bool chunked_last = false;
    errc te_error{};
    detail::for_each_list_element(fields, "transfer-encoding", [&](std::string_view coding) {
        has_transfer_encoding = true;
        if (chunked_last) {
            // Something follows chunked: it is no longer the final coding
            // (RFC 9112 §6.1), or it was applied twice.
            te_error = errc::chunked_not_final;
            return false;
        }
        if (detail::iequals(coding, "chunked")) {
            chunked_last = true;
        } else if (detail::is_token(coding)) {
            // gzip, compress, deflate or anything else: this client decodes
            // no transfer coding but chunked, and reading until close would
            // hand the caller bytes it cannot interpret.
            te_error = errc::unknown_transfer_coding;
            return false;
        } else {
            te_error = errc::bad_transfer_encoding;
            return false;
        }
        return true;
    });
    // RFC 9112 §6.1: TE in an HTTP/1.0 message means the framing is faulty,
    // whatever codings it names.
    if (version < 11 && fields.contains("transfer-encoding")) {
        ec = make_error_code(errc::transfer_encoding_on_http10);
        return result;
    }
    if (!has_transfer_encoding && fields.contains("transfer-encoding"))
        te_error = errc::bad_transfer_encoding;  // present, but an empty list
    if (te_error != errc{}) {
        ec = make_error_code(te_error);
        return result;
    }

    // Content-Length is not a list field, but a repeated value may arrive
    // as several lines or as "3, 3" (RFC 9110 §8.6). Every element must be
    // 1*DIGIT and all must agree; an empty element is an error too.
    bool has_content_length = false;
    std::uint64_t length = 0;
    errc cl_error{};
    for (field fl : fields) {
        if (!detail::iequals(fl.name, "content-length")) continue;
        std::string_view rest = fl.value;
        for (;;) {
            const std::size_t comma = rest.find(',');
            std::uint64_t value = 0;
            if (!detail::parse_content_length(detail::trim_ows(rest.substr(0, comma)), value)) {
                cl_error = errc::bad_content_length;
            } else if (has_content_length && value != length) {
                cl_error = errc::conflicting_content_length;
            } else {
                has_content_length = true;
                length = value;
            }
            if (cl_error != errc{} || comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        if (cl_error != errc{}) break;
    }

    if (has_transfer_encoding) {
        // RFC 9112 §6.3 rule 3: CL beside TE may be smuggling; we refuse it
        // rather than guess which of the two the server meant.
        if (has_content_length || cl_error != errc{}) {
            ec = make_error_code(errc::content_length_with_chunked);
            return result;
        }
        result.kind = body_kind::chunked;
        return result;
    }
    if (cl_error != errc{}) {
        ec = make_error_code(cl_error);
        return result;
    }
    if (has_content_length) {
        result.kind = body_kind::content_length;
        result.length = length;
        return result;
    }
    // Rule 7: no framing at all, so the body runs to the close, and the
    // connection cannot be reused.
    result.kind = body_kind::until_close;
    result.keep_alive = false;
    return result;
}

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_FRAMING_HPP
