// status.hpp: HTTP status codes, their reason phrases and descriptions.
//
// The counterpart of Python's http.HTTPStatus and of the names http.client
// re-exports from it: HTTP_PORT, HTTPS_PORT, `responses` and one global per
// status name. Everything is constexpr and every lookup is one bounds check
// and two array reads, because a client looks phrases up for every response
// it reads, with codes chosen by the peer.
#ifndef HTTPCLIENT_STATUS_HPP
#define HTTPCLIENT_STATUS_HPP

#include <httpclient/config.hpp>

#include <array>        // std::array, std::to_array: the tables
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t, std::uint16_t
#include <stdexcept>    // std::out_of_range: responses.at, Python's KeyError
#include <string_view>  // std::string_view: every phrase is a view of a literal

HTTPCLIENT_BEGIN_NAMESPACE

// http.client.HTTP_PORT and HTTPS_PORT. A port is 16 bits on the wire, so the
// type says so and converts to every integer type a socket API wants.
inline constexpr std::uint16_t http_port = 80;
inline constexpr std::uint16_t https_port = 443;

// Every member of Python's http.HTTPStatus, named in lower case.
//
// The enumerators also stand in for http.client's module globals:
// http.client.NOT_FOUND is httpclient::status::not_found. They are not
// repeated as namespace-scope constants, where names such as `found`, `gone`
// or `locked` would crowd everything else in namespace httpclient.
//
// `continue` is a keyword, hence `continue_`; name(status::continue_) is
// still "CONTINUE".
enum class status : int {
    // 1xx informational
    continue_ = 100,
    switching_protocols = 101,
    processing = 102,  // RFC 2518 (WebDAV)
    early_hints = 103,  // RFC 8297

    // 2xx success
    ok = 200,
    created = 201,
    accepted = 202,
    non_authoritative_information = 203,
    no_content = 204,
    reset_content = 205,
    partial_content = 206,
    multi_status = 207,  // RFC 4918
    already_reported = 208,  // RFC 5842
    im_used = 226,  // RFC 3229

    // 3xx redirection; 306 is reserved (RFC 9110 §15.4.7) and has no member
    multiple_choices = 300,
    moved_permanently = 301,
    found = 302,
    see_other = 303,
    not_modified = 304,
    use_proxy = 305,
    temporary_redirect = 307,
    permanent_redirect = 308,

    // 4xx client error
    bad_request = 400,
    unauthorized = 401,
    payment_required = 402,
    forbidden = 403,
    not_found = 404,
    method_not_allowed = 405,
    not_acceptable = 406,
    proxy_authentication_required = 407,
    request_timeout = 408,
    conflict = 409,
    gone = 410,
    length_required = 411,
    precondition_failed = 412,
    content_too_large = 413,
    uri_too_long = 414,
    unsupported_media_type = 415,
    range_not_satisfiable = 416,
    expectation_failed = 417,
    im_a_teapot = 418,  // RFC 2324
    misdirected_request = 421,
    unprocessable_content = 422,
    locked = 423,
    failed_dependency = 424,
    too_early = 425,  // RFC 8470
    upgrade_required = 426,
    precondition_required = 428,  // RFC 6585
    too_many_requests = 429,
    request_header_fields_too_large = 431,
    unavailable_for_legal_reasons = 451,  // RFC 7725

    // 5xx server error
    internal_server_error = 500,
    not_implemented = 501,
    bad_gateway = 502,
    service_unavailable = 503,
    gateway_timeout = 504,
    http_version_not_supported = 505,
    variant_also_negotiates = 506,  // RFC 2295
    insufficient_storage = 507,
    loop_detected = 508,
    not_extended = 510,  // RFC 2774
    network_authentication_required = 511,

    // Python keeps the names RFC 7231 used before RFC 9110 renamed these
    // codes, so code written against either spelling keeps compiling.
    request_entity_too_large = content_too_large,
    request_uri_too_long = uri_too_long,
    requested_range_not_satisfiable = range_not_satisfiable,
    unprocessable_entity = unprocessable_content,
};

namespace detail {

struct status_row {
    int code;
    std::string_view name;  // the Python member name, for name()
    std::string_view phrase;
    std::string_view description;
};

// One row per code, in ascending order, as CPython 3.15 defines them. The
// descriptions are 3.15's: 3.13 leaves fifteen of them empty and ends 418's
// with a full stop. Aliases have no row; they share their code's.
inline constexpr auto status_rows = std::to_array<status_row>({
    {100, "CONTINUE", "Continue", "Request received, please continue"},
    {101, "SWITCHING_PROTOCOLS", "Switching Protocols",
     "Switching to new protocol; obey Upgrade header"},
    {102, "PROCESSING", "Processing", "Server is processing the request"},
    {103, "EARLY_HINTS", "Early Hints", "Headers sent to prepare for the response"},

    {200, "OK", "OK", "Request fulfilled, document follows"},
    {201, "CREATED", "Created", "Document created, URL follows"},
    {202, "ACCEPTED", "Accepted", "Request accepted, processing continues off-line"},
    {203, "NON_AUTHORITATIVE_INFORMATION", "Non-Authoritative Information",
     "Request fulfilled from cache"},
    {204, "NO_CONTENT", "No Content", "Request fulfilled, nothing follows"},
    {205, "RESET_CONTENT", "Reset Content", "Clear input form for further input"},
    {206, "PARTIAL_CONTENT", "Partial Content", "Partial content follows"},
    {207, "MULTI_STATUS", "Multi-Status", "Response contains multiple statuses in the body"},
    {208, "ALREADY_REPORTED", "Already Reported", "Operation has already been reported"},
    {226, "IM_USED", "IM Used", "Request completed using instance manipulations"},

    {300, "MULTIPLE_CHOICES", "Multiple Choices", "Object has several resources -- see URI list"},
    {301, "MOVED_PERMANENTLY", "Moved Permanently", "Object moved permanently -- see URI list"},
    {302, "FOUND", "Found", "Object moved temporarily -- see URI list"},
    {303, "SEE_OTHER", "See Other", "Object moved -- see Method and URL list"},
    {304, "NOT_MODIFIED", "Not Modified", "Document has not changed since given time"},
    {305, "USE_PROXY", "Use Proxy",
     "You must use proxy specified in Location to access this resource"},
    {307, "TEMPORARY_REDIRECT", "Temporary Redirect", "Object moved temporarily -- see URI list"},
    {308, "PERMANENT_REDIRECT", "Permanent Redirect", "Object moved permanently -- see URI list"},

    {400, "BAD_REQUEST", "Bad Request", "Bad request syntax or unsupported method"},
    {401, "UNAUTHORIZED", "Unauthorized", "No permission -- see authorization schemes"},
    {402, "PAYMENT_REQUIRED", "Payment Required", "No payment -- see charging schemes"},
    {403, "FORBIDDEN", "Forbidden", "Request forbidden -- authorization will not help"},
    {404, "NOT_FOUND", "Not Found", "Nothing matches the given URI"},
    {405, "METHOD_NOT_ALLOWED", "Method Not Allowed",
     "Specified method is invalid for this resource"},
    {406, "NOT_ACCEPTABLE", "Not Acceptable", "URI not available in preferred format"},
    {407, "PROXY_AUTHENTICATION_REQUIRED", "Proxy Authentication Required",
     "You must authenticate with this proxy before proceeding"},
    {408, "REQUEST_TIMEOUT", "Request Timeout", "Request timed out; try again later"},
    {409, "CONFLICT", "Conflict", "Request conflict"},
    {410, "GONE", "Gone", "URI no longer exists and has been permanently removed"},
    {411, "LENGTH_REQUIRED", "Length Required", "Client must specify Content-Length"},
    {412, "PRECONDITION_FAILED", "Precondition Failed", "Precondition in headers is false"},
    {413, "CONTENT_TOO_LARGE", "Content Too Large", "Content is too large"},
    {414, "URI_TOO_LONG", "URI Too Long", "URI is too long"},
    {415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type", "Entity body in unsupported format"},
    {416, "RANGE_NOT_SATISFIABLE", "Range Not Satisfiable", "Cannot satisfy request range"},
    {417, "EXPECTATION_FAILED", "Expectation Failed", "Expect condition could not be satisfied"},
    {418, "IM_A_TEAPOT", "I'm a Teapot", "Server refuses to brew coffee because it is a teapot"},
    {421, "MISDIRECTED_REQUEST", "Misdirected Request", "Server is not able to produce a response"},
    {422, "UNPROCESSABLE_CONTENT", "Unprocessable Content",
     "Server is not able to process the contained instructions"},
    {423, "LOCKED", "Locked", "Resource of a method is locked"},
    {424, "FAILED_DEPENDENCY", "Failed Dependency", "Dependent action of the request failed"},
    {425, "TOO_EARLY", "Too Early", "Server refuses to process a request that might be replayed"},
    {426, "UPGRADE_REQUIRED", "Upgrade Required",
     "Server refuses to perform the request using the current protocol"},
    {428, "PRECONDITION_REQUIRED", "Precondition Required",
     "The origin server requires the request to be conditional"},
    {429, "TOO_MANY_REQUESTS", "Too Many Requests",
     "The user has sent too many requests in a given amount of time (\"rate limiting\")"},
    {431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request Header Fields Too Large",
     "The server is unwilling to process the request because its header fields are too large"},
    {451, "UNAVAILABLE_FOR_LEGAL_REASONS", "Unavailable For Legal Reasons",
     "The server is denying access to the resource as a consequence of a legal demand"},

    {500, "INTERNAL_SERVER_ERROR", "Internal Server Error", "Server got itself in trouble"},
    {501, "NOT_IMPLEMENTED", "Not Implemented", "Server does not support this operation"},
    {502, "BAD_GATEWAY", "Bad Gateway", "Invalid responses from another server/proxy"},
    {503, "SERVICE_UNAVAILABLE", "Service Unavailable",
     "The server cannot process the request due to a high load"},
    {504, "GATEWAY_TIMEOUT", "Gateway Timeout",
     "The gateway server did not receive a timely response"},
    {505, "HTTP_VERSION_NOT_SUPPORTED", "HTTP Version Not Supported", "Cannot fulfill request"},
    {506, "VARIANT_ALSO_NEGOTIATES", "Variant Also Negotiates",
     "Server has an internal configuration error"},
    {507, "INSUFFICIENT_STORAGE", "Insufficient Storage",
     "Server is not able to store the representation"},
    {508, "LOOP_DETECTED", "Loop Detected",
     "Server encountered an infinite loop while processing a request"},
    {510, "NOT_EXTENDED", "Not Extended", "Request does not meet the resource access policy"},
    {511, "NETWORK_AUTHENTICATION_REQUIRED", "Network Authentication Required",
     "The client needs to authenticate to gain network access"},
});

// The index below and the iteration order of `responses` both rely on the
// rows being strictly ascending, and a slot holds the row number in a byte.
constexpr bool status_rows_are_ordered() noexcept {
    for (std::size_t i = 0; i < status_rows.size(); ++i) {
        if (status_rows[i].code < 100) return false;
        if (i > 0 && status_rows[i - 1].code >= status_rows[i].code) return false;
    }
    return true;
}
static_assert(status_rows_are_ordered(), "status_rows must be ascending codes of 100 or more");
static_assert(status_rows.size() < 255, "a status_index slot holds a row number in one byte");

// Slot `code` holds 1 + the row number of that code, or 0 when there is no
// such code. 512 bytes buys lookups with no search for any code the peer sends.
inline constexpr std::size_t status_index_size =
    static_cast<std::size_t>(status_rows.back().code) + 1;

constexpr std::array<std::uint8_t, status_index_size> make_status_index() noexcept {
    std::array<std::uint8_t, status_index_size> index{};
    for (std::size_t i = 0; i < status_rows.size(); ++i)
        index[static_cast<std::size_t>(status_rows[i].code)] = static_cast<std::uint8_t>(i + 1);
    return index;
}

inline constexpr std::array<std::uint8_t, status_index_size> status_index = make_status_index();

// The single place that bounds-checks a code from outside, so that negative,
// huge and unassigned codes all end as slot 0 instead of an out-of-range read.
[[nodiscard]] constexpr std::size_t status_slot(int code) noexcept {
    if (code < 0 || static_cast<std::size_t>(code) >= status_index.size()) return 0;
    return status_index[static_cast<std::size_t>(code)];
}

// Unknown codes get this all-empty row rather than a null pointer: GCC cannot
// compare an object's address with nullptr in a constant expression when
// built with -fsanitize=undefined, which would break every static_assert.
inline constexpr status_row no_status_row{0, {}, {}, {}};

[[nodiscard]] constexpr const status_row& status_row_for(int code) noexcept {
    const std::size_t slot = status_slot(code);
    return slot == 0 ? no_status_row : status_rows[slot - 1];
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Per-code queries: HTTPStatus(code).phrase, .description, .name
// ---------------------------------------------------------------------------

// Codes that HTTPStatus does not define give an empty view, where Python's
// HTTPStatus(code) would raise ValueError: a status line may carry any three
// digits (RFC 9110 §15: a client must accept unknown codes), so "no phrase"
// is an ordinary answer and not an error.

[[nodiscard]] constexpr bool is_known(int code) noexcept {
    return detail::status_slot(code) != 0;
}
[[nodiscard]] constexpr bool is_known(status code) noexcept {
    return is_known(static_cast<int>(code));
}

[[nodiscard]] constexpr std::string_view phrase(int code) noexcept {
    return detail::status_row_for(code).phrase;
}
[[nodiscard]] constexpr std::string_view phrase(status code) noexcept {
    return phrase(static_cast<int>(code));
}

[[nodiscard]] constexpr std::string_view description(int code) noexcept {
    return detail::status_row_for(code).description;
}
[[nodiscard]] constexpr std::string_view description(status code) noexcept {
    return description(static_cast<int>(code));
}

// The Python member name, upper case as Python spells it ("NOT_FOUND"). An
// alias has the same value as its code, so, as in Python, it reports the
// current name: name(status::unprocessable_entity) is "UNPROCESSABLE_CONTENT".
[[nodiscard]] constexpr std::string_view name(status code) noexcept {
    return detail::status_row_for(static_cast<int>(code)).name;
}
// The name of a code given as a number; empty for an unknown code.
[[nodiscard]] constexpr std::string_view name(int code) noexcept { return detail::status_row_for(code).name; }

// Python's HTTPStatus is an IntEnum: response.status == HTTPStatus.OK
// holds. The same here: r.status() == httpclient::status::ok (either way
// round, and != too, through C++20's rewritten comparisons).
[[nodiscard]] constexpr bool operator==(int code, status s) noexcept { return code == static_cast<int>(s); }

// ---------------------------------------------------------------------------
// Classes of status (HTTPStatus.is_informational and friends, Python 3.12+)
// ---------------------------------------------------------------------------

// These test the range only, as Python's properties do, so they answer for
// unassigned codes too: is_client_error(499) is true. RFC 9110 §15 lets a
// client treat an unknown code as the x00 code of its class.

[[nodiscard]] constexpr bool is_informational(int code) noexcept {
    return code >= 100 && code <= 199;
}
[[nodiscard]] constexpr bool is_success(int code) noexcept { return code >= 200 && code <= 299; }
[[nodiscard]] constexpr bool is_redirect(int code) noexcept { return code >= 300 && code <= 399; }
// Python's spelling of is_redirect, for code ported line by line.
[[nodiscard]] constexpr bool is_redirection(int code) noexcept { return is_redirect(code); }
[[nodiscard]] constexpr bool is_client_error(int code) noexcept {
    return code >= 400 && code <= 499;
}
[[nodiscard]] constexpr bool is_server_error(int code) noexcept {
    return code >= 500 && code <= 599;
}

[[nodiscard]] constexpr bool is_informational(status code) noexcept {
    return is_informational(static_cast<int>(code));
}
[[nodiscard]] constexpr bool is_success(status code) noexcept {
    return is_success(static_cast<int>(code));
}
[[nodiscard]] constexpr bool is_redirect(status code) noexcept {
    return is_redirect(static_cast<int>(code));
}
[[nodiscard]] constexpr bool is_redirection(status code) noexcept {
    return is_redirect(static_cast<int>(code));
}
[[nodiscard]] constexpr bool is_client_error(status code) noexcept {
    return is_client_error(static_cast<int>(code));
}
[[nodiscard]] constexpr bool is_server_error(status code) noexcept {
    return is_server_error(static_cast<int>(code));
}

// ---------------------------------------------------------------------------
// responses: http.client.responses
// ---------------------------------------------------------------------------

// One (code, phrase) pair, what iterating over responses.items() gives in
// Python. Two plain members, so `for (auto [code, text] : responses)` works.
struct response_item {
    int code;
    std::string_view phrase;

    friend constexpr bool operator==(const response_item&, const response_item&) = default;
};

namespace detail {

constexpr std::array<response_item, status_rows.size()> make_response_items() noexcept {
    std::array<response_item, status_rows.size()> items{};
    for (std::size_t i = 0; i < status_rows.size(); ++i)
        items[i] = response_item{status_rows[i].code, status_rows[i].phrase};
    return items;
}

inline constexpr std::array<response_item, status_rows.size()> response_items =
    make_response_items();

// A separate, non-constexpr function so the throw stays off at()'s constant
// path; only an unknown code reaches it. The message carries the code, as
// Python's KeyError(code) does, and is built in a local buffer so this header
// need not pull in <string>.
[[noreturn]] inline void throw_unknown_status(int code) {
    constexpr std::string_view prefix = "httpclient::responses: no status code ";
    std::array<char, prefix.size() + 16> text{};  // room for "-2147483648" and the terminator
    std::size_t length = 0;
    for (char c : prefix) text[length++] = c;
    // Through long long so that -INT_MIN does not overflow.
    long long value = code;
    if (value < 0) {
        text[length++] = '-';
        value = -value;
    }
    std::array<char, 20> digits{};
    std::size_t count = 0;
    do {
        digits[count++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count != 0) text[length++] = digits[--count];
    throw std::out_of_range(text.data());
}

}  // namespace detail

// A constexpr, read-only stand-in for the dict http.client.responses: the 62
// codes of HTTPStatus mapped to their phrases, iterated in ascending code
// order. Indexing takes an int or a status, as Python's keys compare equal
// to both.
//
// One difference from Python, on purpose: operator[] on a code that is not
// in the table returns an empty view rather than failing, so looking up the
// phrase for whatever code a server sent needs no check first. at() keeps
// Python's behaviour and throws std::out_of_range (Python's KeyError);
// contains() is Python's `code in responses`.
class response_table {
public:
    using value_type = response_item;
    using size_type = std::size_t;
    using const_iterator = const response_item*;
    using iterator = const_iterator;

    [[nodiscard]] constexpr std::string_view operator[](int code) const noexcept {
        return phrase(code);
    }
    [[nodiscard]] constexpr std::string_view operator[](status code) const noexcept {
        return phrase(code);
    }

    [[nodiscard]] constexpr std::string_view at(int code) const {
        if (!is_known(code)) detail::throw_unknown_status(code);
        return phrase(code);
    }
    [[nodiscard]] constexpr std::string_view at(status code) const {
        return at(static_cast<int>(code));
    }

    [[nodiscard]] constexpr bool contains(int code) const noexcept { return is_known(code); }
    [[nodiscard]] constexpr bool contains(status code) const noexcept { return is_known(code); }

    [[nodiscard]] constexpr size_type size() const noexcept {
        return detail::response_items.size();
    }

    [[nodiscard]] constexpr const_iterator begin() const noexcept {
        return detail::response_items.data();
    }
    [[nodiscard]] constexpr const_iterator end() const noexcept {
        return detail::response_items.data() + detail::response_items.size();
    }
};

inline constexpr response_table responses{};

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_STATUS_HPP
