// Tests for status.hpp.
//
// The expected table below is typed out again from Appendix A of the
// semantics reference (the 3.13 table with the 3.15 descriptions), not taken
// from the header, so a slip in either one shows up as a mismatch. Each
// property is a constexpr function checked twice: by static_assert, which
// proves it holds in constant evaluation, and by a test case, which proves it
// at run time and names the failing code.
#include <httpclient/status.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace {

namespace hc = httpclient;
using hc::status;

struct expected_status {
    int code;
    status value;
    std::string_view name;
    std::string_view phrase;
    std::string_view description;
};

// clang-format off
constexpr std::array<expected_status, 62> expected{{
    {100, status::continue_, "CONTINUE", "Continue", "Request received, please continue"},
    {101, status::switching_protocols, "SWITCHING_PROTOCOLS", "Switching Protocols", "Switching to new protocol; obey Upgrade header"},
    {102, status::processing, "PROCESSING", "Processing", "Server is processing the request"},
    {103, status::early_hints, "EARLY_HINTS", "Early Hints", "Headers sent to prepare for the response"},
    {200, status::ok, "OK", "OK", "Request fulfilled, document follows"},
    {201, status::created, "CREATED", "Created", "Document created, URL follows"},
    {202, status::accepted, "ACCEPTED", "Accepted", "Request accepted, processing continues off-line"},
    {203, status::non_authoritative_information, "NON_AUTHORITATIVE_INFORMATION", "Non-Authoritative Information", "Request fulfilled from cache"},
    {204, status::no_content, "NO_CONTENT", "No Content", "Request fulfilled, nothing follows"},
    {205, status::reset_content, "RESET_CONTENT", "Reset Content", "Clear input form for further input"},
    {206, status::partial_content, "PARTIAL_CONTENT", "Partial Content", "Partial content follows"},
    {207, status::multi_status, "MULTI_STATUS", "Multi-Status", "Response contains multiple statuses in the body"},
    {208, status::already_reported, "ALREADY_REPORTED", "Already Reported", "Operation has already been reported"},
    {226, status::im_used, "IM_USED", "IM Used", "Request completed using instance manipulations"},
    {300, status::multiple_choices, "MULTIPLE_CHOICES", "Multiple Choices", "Object has several resources -- see URI list"},
    {301, status::moved_permanently, "MOVED_PERMANENTLY", "Moved Permanently", "Object moved permanently -- see URI list"},
    {302, status::found, "FOUND", "Found", "Object moved temporarily -- see URI list"},
    {303, status::see_other, "SEE_OTHER", "See Other", "Object moved -- see Method and URL list"},
    {304, status::not_modified, "NOT_MODIFIED", "Not Modified", "Document has not changed since given time"},
    {305, status::use_proxy, "USE_PROXY", "Use Proxy", "You must use proxy specified in Location to access this resource"},
    {307, status::temporary_redirect, "TEMPORARY_REDIRECT", "Temporary Redirect", "Object moved temporarily -- see URI list"},
    {308, status::permanent_redirect, "PERMANENT_REDIRECT", "Permanent Redirect", "Object moved permanently -- see URI list"},
    {400, status::bad_request, "BAD_REQUEST", "Bad Request", "Bad request syntax or unsupported method"},
    {401, status::unauthorized, "UNAUTHORIZED", "Unauthorized", "No permission -- see authorization schemes"},
    {402, status::payment_required, "PAYMENT_REQUIRED", "Payment Required", "No payment -- see charging schemes"},
    {403, status::forbidden, "FORBIDDEN", "Forbidden", "Request forbidden -- authorization will not help"},
    {404, status::not_found, "NOT_FOUND", "Not Found", "Nothing matches the given URI"},
    {405, status::method_not_allowed, "METHOD_NOT_ALLOWED", "Method Not Allowed", "Specified method is invalid for this resource"},
    {406, status::not_acceptable, "NOT_ACCEPTABLE", "Not Acceptable", "URI not available in preferred format"},
    {407, status::proxy_authentication_required, "PROXY_AUTHENTICATION_REQUIRED", "Proxy Authentication Required", "You must authenticate with this proxy before proceeding"},
    {408, status::request_timeout, "REQUEST_TIMEOUT", "Request Timeout", "Request timed out; try again later"},
    {409, status::conflict, "CONFLICT", "Conflict", "Request conflict"},
    {410, status::gone, "GONE", "Gone", "URI no longer exists and has been permanently removed"},
    {411, status::length_required, "LENGTH_REQUIRED", "Length Required", "Client must specify Content-Length"},
    {412, status::precondition_failed, "PRECONDITION_FAILED", "Precondition Failed", "Precondition in headers is false"},
    {413, status::content_too_large, "CONTENT_TOO_LARGE", "Content Too Large", "Content is too large"},
    {414, status::uri_too_long, "URI_TOO_LONG", "URI Too Long", "URI is too long"},
    {415, status::unsupported_media_type, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type", "Entity body in unsupported format"},
    {416, status::range_not_satisfiable, "RANGE_NOT_SATISFIABLE", "Range Not Satisfiable", "Cannot satisfy request range"},
    {417, status::expectation_failed, "EXPECTATION_FAILED", "Expectation Failed", "Expect condition could not be satisfied"},
    {418, status::im_a_teapot, "IM_A_TEAPOT", "I'm a Teapot", "Server refuses to brew coffee because it is a teapot"},
    {421, status::misdirected_request, "MISDIRECTED_REQUEST", "Misdirected Request", "Server is not able to produce a response"},
    {422, status::unprocessable_content, "UNPROCESSABLE_CONTENT", "Unprocessable Content", "Server is not able to process the contained instructions"},
    {423, status::locked, "LOCKED", "Locked", "Resource of a method is locked"},
    {424, status::failed_dependency, "FAILED_DEPENDENCY", "Failed Dependency", "Dependent action of the request failed"},
    {425, status::too_early, "TOO_EARLY", "Too Early", "Server refuses to process a request that might be replayed"},
    {426, status::upgrade_required, "UPGRADE_REQUIRED", "Upgrade Required", "Server refuses to perform the request using the current protocol"},
    {428, status::precondition_required, "PRECONDITION_REQUIRED", "Precondition Required", "The origin server requires the request to be conditional"},
    {429, status::too_many_requests, "TOO_MANY_REQUESTS", "Too Many Requests", "The user has sent too many requests in a given amount of time (\"rate limiting\")"},
    {431, status::request_header_fields_too_large, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request Header Fields Too Large", "The server is unwilling to process the request because its header fields are too large"},
    {451, status::unavailable_for_legal_reasons, "UNAVAILABLE_FOR_LEGAL_REASONS", "Unavailable For Legal Reasons", "The server is denying access to the resource as a consequence of a legal demand"},
    {500, status::internal_server_error, "INTERNAL_SERVER_ERROR", "Internal Server Error", "Server got itself in trouble"},
    {501, status::not_implemented, "NOT_IMPLEMENTED", "Not Implemented", "Server does not support this operation"},
    {502, status::bad_gateway, "BAD_GATEWAY", "Bad Gateway", "Invalid responses from another server/proxy"},
    {503, status::service_unavailable, "SERVICE_UNAVAILABLE", "Service Unavailable", "The server cannot process the request due to a high load"},
    {504, status::gateway_timeout, "GATEWAY_TIMEOUT", "Gateway Timeout", "The gateway server did not receive a timely response"},
    {505, status::http_version_not_supported, "HTTP_VERSION_NOT_SUPPORTED", "HTTP Version Not Supported", "Cannot fulfill request"},
    {506, status::variant_also_negotiates, "VARIANT_ALSO_NEGOTIATES", "Variant Also Negotiates", "Server has an internal configuration error"},
    {507, status::insufficient_storage, "INSUFFICIENT_STORAGE", "Insufficient Storage", "Server is not able to store the representation"},
    {508, status::loop_detected, "LOOP_DETECTED", "Loop Detected", "Server encountered an infinite loop while processing a request"},
    {510, status::not_extended, "NOT_EXTENDED", "Not Extended", "Request does not meet the resource access policy"},
    {511, status::network_authentication_required, "NETWORK_AUTHENTICATION_REQUIRED", "Network Authentication Required", "The client needs to authenticate to gain network access"},
}};
// clang-format on

// A std::array of 62 accepts fewer initialisers and zero-fills the rest, so
// prove the table is really 62 distinct codes before anything counts on it.
constexpr bool expected_is_complete() {
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (expected[i].code < 100 || expected[i].name.empty() || expected[i].phrase.empty() ||
            expected[i].description.empty())
            return false;
        if (i > 0 && expected[i - 1].code >= expected[i].code) return false;
    }
    return true;
}
static_assert(expected_is_complete());

constexpr bool in_expected(int code) {
    for (const expected_status& row : expected)
        if (row.code == code) return true;
    return false;
}

// Every lookup route agrees with one expected row.
constexpr bool row_matches(const expected_status& row) {
    return static_cast<int>(row.value) == row.code && hc::is_known(row.code) &&
           hc::is_known(row.value) && hc::phrase(row.code) == row.phrase &&
           hc::phrase(row.value) == row.phrase && hc::description(row.code) == row.description &&
           hc::description(row.value) == row.description && hc::name(row.value) == row.name &&
           hc::responses[row.code] == row.phrase && hc::responses[row.value] == row.phrase &&
           hc::responses.at(row.code) == row.phrase && hc::responses.at(row.value) == row.phrase &&
           hc::responses.contains(row.code) && hc::responses.contains(row.value);
}

constexpr bool every_row_matches() {
    for (const expected_status& row : expected)
        if (!row_matches(row)) return false;
    return true;
}
static_assert(every_row_matches());

// The other direction: nothing is known that the table does not list.
constexpr int count_known(int first, int last) {
    int n = 0;
    for (int code = first; code <= last; ++code)
        if (hc::is_known(code)) ++n;
    return n;
}
constexpr bool known_exactly_the_expected_codes(int first, int last) {
    for (int code = first; code <= last; ++code)
        if (hc::is_known(code) != in_expected(code)) return false;
    return true;
}
static_assert(count_known(0, 1000) == 62);
static_assert(known_exactly_the_expected_codes(-100, 1100));

// Codes HTTPStatus lacks, including the edges of the header's 512-slot index
// and values far outside it, where a careless lookup would read past the end.
constexpr std::array<int, 24> unknown_codes{{
    0, 99, 306, 599, 600, -1, 100000,
    104, 199, 209, 225, 227, 309, 399, 419, 420, 427, 430, 452, 509, 512, 1000,
    std::numeric_limits<int>::min(), std::numeric_limits<int>::max(),
}};

constexpr bool unknown_is_empty(int code) {
    return !hc::is_known(code) && hc::phrase(code).empty() && hc::description(code).empty() &&
           !hc::is_known(static_cast<status>(code)) &&
           hc::phrase(static_cast<status>(code)).empty() &&
           hc::description(static_cast<status>(code)).empty() &&
           hc::name(static_cast<status>(code)).empty() && hc::responses[code].empty() &&
           hc::responses[static_cast<status>(code)].empty() && !hc::responses.contains(code);
}

constexpr bool every_unknown_is_empty() {
    for (int code : unknown_codes)
        if (!unknown_is_empty(code)) return false;
    return true;
}
static_assert(every_unknown_is_empty());

// Iteration yields the 62 pairs in ascending order, exactly the table's.
constexpr bool iteration_matches() {
    std::size_t i = 0;
    for (auto [code, text] : hc::responses) {
        if (i >= expected.size()) return false;
        if (code != expected[i].code || text != expected[i].phrase) return false;
        ++i;
    }
    return i == expected.size() && hc::responses.size() == expected.size() &&
           static_cast<std::size_t>(hc::responses.end() - hc::responses.begin()) == expected.size();
}
static_assert(iteration_matches());

// The hundreds digit decides the class, for every code 100..599 whether known
// or not, and nothing outside 100..599 is in any class.
constexpr bool classes_match(int first, int last) {
    for (int code = first; code <= last; ++code) {
        const int cls = (code >= 100 && code <= 599) ? code / 100 : 0;
        if (hc::is_informational(code) != (cls == 1)) return false;
        if (hc::is_success(code) != (cls == 2)) return false;
        if (hc::is_redirect(code) != (cls == 3)) return false;
        if (hc::is_redirection(code) != (cls == 3)) return false;
        if (hc::is_client_error(code) != (cls == 4)) return false;
        if (hc::is_server_error(code) != (cls == 5)) return false;
    }
    return true;
}
static_assert(classes_match(-200, 1200));

constexpr bool every_row_in_its_class() {
    for (const expected_status& row : expected) {
        const int cls = row.code / 100;
        if (hc::is_informational(row.value) != (cls == 1)) return false;
        if (hc::is_success(row.value) != (cls == 2)) return false;
        if (hc::is_redirect(row.value) != (cls == 3)) return false;
        if (hc::is_redirection(row.value) != (cls == 3)) return false;
        if (hc::is_client_error(row.value) != (cls == 4)) return false;
        if (hc::is_server_error(row.value) != (cls == 5)) return false;
    }
    return true;
}
static_assert(every_row_in_its_class());

// Spot checks written out, so a reader sees the API at a glance.
static_assert(std::is_same_v<std::underlying_type_t<status>, int>);
static_assert(std::is_same_v<decltype(hc::http_port), const std::uint16_t>);
static_assert(std::is_same_v<decltype(hc::https_port), const std::uint16_t>);
static_assert(hc::http_port == 80);
static_assert(hc::https_port == 443);

static_assert(hc::responses[404] == "Not Found");
static_assert(hc::responses[status::ok] == "OK");
static_assert(hc::responses.at(418) == "I'm a Teapot");
static_assert(hc::responses.contains(451));
static_assert(!hc::responses.contains(306));
static_assert(hc::responses.size() == 62);
static_assert(*hc::responses.begin() == hc::response_item{100, "Continue"});
static_assert(*(hc::responses.end() - 1) ==
              hc::response_item{511, "Network Authentication Required"});
static_assert(noexcept(hc::responses[404]));
static_assert(!noexcept(hc::responses.at(404)));

static_assert(static_cast<int>(status::continue_) == 100);
static_assert(hc::name(status::continue_) == "CONTINUE");
static_assert(hc::name(status::im_a_teapot) == "IM_A_TEAPOT");
static_assert(hc::phrase(status::unprocessable_content) == "Unprocessable Content");
static_assert(hc::description(418) == "Server refuses to brew coffee because it is a teapot");
static_assert(hc::description(102) == "Server is processing the request");

// Python's aliases: same value, same phrase and description, and the name of
// the current member (HTTPStatus.UNPROCESSABLE_ENTITY.name is
// 'UNPROCESSABLE_CONTENT').
static_assert(status::request_entity_too_large == status::content_too_large);
static_assert(status::request_uri_too_long == status::uri_too_long);
static_assert(status::requested_range_not_satisfiable == status::range_not_satisfiable);
static_assert(status::unprocessable_entity == status::unprocessable_content);
static_assert(static_cast<int>(status::request_entity_too_large) == 413);
static_assert(static_cast<int>(status::request_uri_too_long) == 414);
static_assert(static_cast<int>(status::requested_range_not_satisfiable) == 416);
static_assert(static_cast<int>(status::unprocessable_entity) == 422);
static_assert(hc::name(status::request_entity_too_large) == "CONTENT_TOO_LARGE");
static_assert(hc::name(status::request_uri_too_long) == "URI_TOO_LONG");
static_assert(hc::name(status::requested_range_not_satisfiable) == "RANGE_NOT_SATISFIABLE");
static_assert(hc::name(status::unprocessable_entity) == "UNPROCESSABLE_CONTENT");
static_assert(hc::responses[status::request_entity_too_large] == "Content Too Large");
static_assert(hc::responses[status::request_uri_too_long] == "URI Too Long");
static_assert(hc::responses[status::requested_range_not_satisfiable] == "Range Not Satisfiable");
static_assert(hc::responses[status::unprocessable_entity] == "Unprocessable Content");
static_assert(hc::description(status::unprocessable_entity) ==
              "Server is not able to process the contained instructions");

}  // namespace

TEST_CASE("every HTTPStatus code has its phrase, description and name", "[status]") {
    for (const expected_status& row : expected) {
        INFO("code " << row.code);
        REQUIRE(static_cast<int>(row.value) == row.code);
        REQUIRE(hc::is_known(row.code));
        REQUIRE(hc::is_known(row.value));
        REQUIRE(hc::phrase(row.code) == row.phrase);
        REQUIRE(hc::phrase(row.value) == row.phrase);
        REQUIRE(hc::description(row.code) == row.description);
        REQUIRE(hc::description(row.value) == row.description);
        REQUIRE(hc::name(row.value) == row.name);
    }
    REQUIRE(every_row_matches());
}

TEST_CASE("exactly the 62 codes are known", "[status]") {
    REQUIRE(count_known(0, 1000) == 62);
    for (int code = -100; code <= 1100; ++code) {
        INFO("code " << code);
        REQUIRE(hc::is_known(code) == in_expected(code));
    }
}

TEST_CASE("unknown codes give empty views", "[status]") {
    for (int code : unknown_codes) {
        INFO("code " << code);
        REQUIRE_FALSE(hc::is_known(code));
        REQUIRE(hc::phrase(code).empty());
        REQUIRE(hc::description(code).empty());
        REQUIRE(hc::name(static_cast<status>(code)).empty());
        REQUIRE(hc::phrase(static_cast<status>(code)).empty());
        REQUIRE(hc::description(static_cast<status>(code)).empty());
        REQUIRE(hc::responses[code].empty());
        REQUIRE(hc::responses[static_cast<status>(code)].empty());
        REQUIRE_FALSE(hc::responses.contains(code));
        REQUIRE_FALSE(hc::responses.contains(static_cast<status>(code)));
    }
    REQUIRE(every_unknown_is_empty());
}

TEST_CASE("the aliases share their code's entry", "[status]") {
    REQUIRE(static_cast<int>(status::request_entity_too_large) == 413);
    REQUIRE(static_cast<int>(status::request_uri_too_long) == 414);
    REQUIRE(static_cast<int>(status::requested_range_not_satisfiable) == 416);
    REQUIRE(static_cast<int>(status::unprocessable_entity) == 422);

    REQUIRE(hc::phrase(status::request_entity_too_large) == "Content Too Large");
    REQUIRE(hc::phrase(status::request_uri_too_long) == "URI Too Long");
    REQUIRE(hc::phrase(status::requested_range_not_satisfiable) == "Range Not Satisfiable");
    REQUIRE(hc::phrase(status::unprocessable_entity) == "Unprocessable Content");

    REQUIRE(hc::description(status::request_entity_too_large) == "Content is too large");
    REQUIRE(hc::description(status::request_uri_too_long) == "URI is too long");
    REQUIRE(hc::description(status::requested_range_not_satisfiable) ==
            "Cannot satisfy request range");
    REQUIRE(hc::description(status::unprocessable_entity) ==
            "Server is not able to process the contained instructions");

    REQUIRE(hc::name(status::request_entity_too_large) == "CONTENT_TOO_LARGE");
    REQUIRE(hc::name(status::request_uri_too_long) == "URI_TOO_LONG");
    REQUIRE(hc::name(status::requested_range_not_satisfiable) == "RANGE_NOT_SATISFIABLE");
    REQUIRE(hc::name(status::unprocessable_entity) == "UNPROCESSABLE_CONTENT");

    REQUIRE(hc::responses.at(status::unprocessable_entity) == "Unprocessable Content");
    REQUIRE(hc::responses.contains(status::request_uri_too_long));
}

TEST_CASE("responses behaves like http.client.responses", "[status]") {
    REQUIRE(hc::responses[404] == "Not Found");
    REQUIRE(hc::responses[status::ok] == "OK");
    REQUIRE(hc::responses[418] == "I'm a Teapot");
    REQUIRE(hc::responses.contains(404));
    REQUIRE(hc::responses.contains(status::early_hints));
    REQUIRE_FALSE(hc::responses.contains(999));
    REQUIRE(hc::responses.size() == 62);

    SECTION("at() finds known codes and throws for the rest, like KeyError") {
        REQUIRE(hc::responses.at(404) == "Not Found");
        REQUIRE(hc::responses.at(status::bad_gateway) == "Bad Gateway");
        for (int code : unknown_codes) {
            INFO("code " << code);
            REQUIRE_THROWS_AS(hc::responses.at(code), std::out_of_range);
        }
        REQUIRE_THROWS_AS(hc::responses.at(static_cast<status>(306)), std::out_of_range);
        // The message names the code, as KeyError(code) does.
        REQUIRE_THROWS_WITH(hc::responses.at(999), Catch::Contains("999"));
        REQUIRE_THROWS_WITH(hc::responses.at(-1), Catch::EndsWith(" -1"));
        REQUIRE_THROWS_WITH(hc::responses.at(std::numeric_limits<int>::min()),
                            Catch::EndsWith(" -2147483648"));
        REQUIRE_THROWS_WITH(hc::responses.at(std::numeric_limits<int>::max()),
                            Catch::EndsWith(" 2147483647"));
        REQUIRE_THROWS_WITH(hc::responses.at(0), Catch::EndsWith(" 0"));
    }

    SECTION("iteration gives (code, phrase) in ascending code order") {
        std::size_t i = 0;
        int previous = 0;
        for (auto [code, text] : hc::responses) {
            INFO("position " << i << ", code " << code);
            REQUIRE(i < expected.size());
            REQUIRE(code > previous);
            REQUIRE(code == expected[i].code);
            REQUIRE(text == expected[i].phrase);
            REQUIRE(text == hc::responses[code]);
            previous = code;
            ++i;
        }
        REQUIRE(i == 62);
        REQUIRE(hc::responses.begin()->code == 100);
        REQUIRE((hc::responses.end() - 1)->code == 511);
        REQUIRE(iteration_matches());
    }
}

TEST_CASE("status classes follow the hundreds digit", "[status]") {
    REQUIRE_FALSE(hc::is_informational(99));
    REQUIRE(hc::is_informational(100));
    REQUIRE(hc::is_informational(199));
    REQUIRE_FALSE(hc::is_informational(200));
    REQUIRE(hc::is_success(200));
    REQUIRE(hc::is_success(299));
    REQUIRE_FALSE(hc::is_success(300));
    REQUIRE(hc::is_redirect(300));
    REQUIRE(hc::is_redirect(399));
    REQUIRE(hc::is_redirection(306));
    REQUIRE_FALSE(hc::is_redirect(400));
    REQUIRE(hc::is_client_error(400));
    REQUIRE(hc::is_client_error(499));
    REQUIRE_FALSE(hc::is_client_error(500));
    REQUIRE(hc::is_server_error(500));
    REQUIRE(hc::is_server_error(599));
    REQUIRE_FALSE(hc::is_server_error(600));
    REQUIRE_FALSE(hc::is_server_error(-500));
    REQUIRE_FALSE(hc::is_informational(std::numeric_limits<int>::min()));
    REQUIRE_FALSE(hc::is_server_error(std::numeric_limits<int>::max()));

    REQUIRE(hc::is_informational(status::continue_));
    REQUIRE(hc::is_success(status::no_content));
    REQUIRE(hc::is_redirect(status::permanent_redirect));
    REQUIRE(hc::is_client_error(status::im_a_teapot));
    REQUIRE(hc::is_server_error(status::network_authentication_required));
    REQUIRE_FALSE(hc::is_success(status::found));

    REQUIRE(classes_match(-200, 1200));
    REQUIRE(every_row_in_its_class());
}

TEST_CASE("module constants", "[status]") {
    REQUIRE(hc::http_port == 80);
    REQUIRE(hc::https_port == 443);
}
