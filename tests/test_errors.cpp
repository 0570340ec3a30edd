// Tests for errors.hpp.
//
// The exception classes must keep the shape of Python's http.client
// hierarchy (§1.2 of the semantics reference), because callers port
// `except BadStatusLine:` to `catch (httpclient::bad_status_line&)` and
// expect the same things to be caught. The shape is proved at compile time;
// the texts, which Python users read in logs, are checked at run time
// against the strings Python 3.13 prints.
#include <httpclient/errors.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace {

namespace hc = httpclient;

// ---------------------------------------------------------------------------
// The hierarchy, pair by pair
// ---------------------------------------------------------------------------

template <class Base, class Derived>
constexpr bool derives = std::is_base_of_v<Base, Derived>;

// The root: HTTPException is an Exception, here a std::runtime_error.
static_assert(derives<std::runtime_error, hc::http_exception>);
static_assert(derives<std::exception, hc::http_exception>);
// http.client.error is an alias of HTTPException, not a subclass.
static_assert(std::is_same_v<hc::error, hc::http_exception>);

// Direct subclasses of HTTPException.
static_assert(derives<hc::http_exception, hc::not_connected>);
static_assert(derives<hc::http_exception, hc::invalid_url>);
static_assert(derives<hc::http_exception, hc::unknown_protocol>);
static_assert(derives<hc::http_exception, hc::unknown_transfer_encoding>);
static_assert(derives<hc::http_exception, hc::unimplemented_file_mode>);
static_assert(derives<hc::http_exception, hc::incomplete_read>);
static_assert(derives<hc::http_exception, hc::improper_connection_state>);
static_assert(derives<hc::http_exception, hc::bad_status_line>);
static_assert(derives<hc::http_exception, hc::line_too_long>);
static_assert(derives<hc::http_exception, hc::protocol_error>);

// ImproperConnectionState and its three subclasses.
static_assert(derives<hc::improper_connection_state, hc::cannot_send_request>);
static_assert(derives<hc::improper_connection_state, hc::cannot_send_header>);
static_assert(derives<hc::improper_connection_state, hc::response_not_ready>);
static_assert(derives<hc::http_exception, hc::cannot_send_request>);
static_assert(derives<hc::http_exception, hc::cannot_send_header>);
static_assert(derives<hc::http_exception, hc::response_not_ready>);

// Siblings stay siblings: none of these is caught by another's handler.
static_assert(!derives<hc::improper_connection_state, hc::bad_status_line>);
static_assert(!derives<hc::bad_status_line, hc::line_too_long>);
static_assert(!derives<hc::bad_status_line, hc::incomplete_read>);
static_assert(!derives<hc::cannot_send_request, hc::response_not_ready>);
static_assert(!derives<hc::improper_connection_state, hc::not_connected>);

// RemoteDisconnected: a BadStatusLine (so an HTTPException) and a
// ConnectionResetError (so a ConnectionError).
static_assert(derives<hc::bad_status_line, hc::remote_disconnected>);
static_assert(derives<hc::http_exception, hc::remote_disconnected>);
static_assert(derives<std::runtime_error, hc::remote_disconnected>);
static_assert(derives<hc::connection_reset_error, hc::remote_disconnected>);
static_assert(derives<hc::connection_error, hc::remote_disconnected>);
static_assert(derives<hc::connection_error, hc::connection_reset_error>);
// A connection_reset_error in general is not an HTTP exception.
static_assert(!derives<hc::http_exception, hc::connection_reset_error>);
static_assert(!derives<hc::bad_status_line, hc::connection_reset_error>);
// Only one std::exception base, or catch (std::exception&) is ambiguous.
static_assert(!derives<std::exception, hc::connection_error>);
static_assert(std::has_virtual_destructor_v<hc::connection_error>);

// timeout_error is Python's socket.timeout (TimeoutError, an OSError): a
// std::system_error, not an HTTP exception.
static_assert(derives<std::system_error, hc::timeout_error>);
static_assert(derives<std::runtime_error, hc::timeout_error>);
static_assert(!derives<hc::http_exception, hc::timeout_error>);
static_assert(!derives<hc::connection_error, hc::timeout_error>);

// ValueError family: std::invalid_argument, never an http_exception.
static_assert(derives<std::invalid_argument, hc::value_error>);
static_assert(derives<std::logic_error, hc::value_error>);
static_assert(derives<hc::value_error, hc::invalid_header_name>);
static_assert(derives<hc::value_error, hc::invalid_header_value>);
static_assert(derives<hc::value_error, hc::invalid_method>);
static_assert(!derives<hc::http_exception, hc::value_error>);
static_assert(!derives<hc::value_error, hc::http_exception>);

// Python lets most of these take an argument, but nothing should convert
// silently from a string into an exception.
static_assert(!std::is_convertible_v<std::string, hc::http_exception>);
static_assert(!std::is_convertible_v<std::string_view, hc::bad_status_line>);
static_assert(!std::is_convertible_v<std::string, hc::unknown_protocol>);

// ---------------------------------------------------------------------------
// The error-code layer
// ---------------------------------------------------------------------------

static_assert(std::is_error_code_enum_v<hc::errc>);
static_assert(!std::is_error_condition_enum_v<hc::errc>);
static_assert(std::is_convertible_v<hc::errc, std::error_code>);

// Every enumerator, typed out here rather than derived from the header, so
// an enumerator added there without a message shows up as a gap.
constexpr hc::errc all_errc[] = {
    hc::errc::end_of_stream,
    hc::errc::timeout,
    hc::errc::truncated,
    hc::errc::bad_status_line,
    hc::errc::unknown_protocol,
    hc::errc::status_line_too_long,
    hc::errc::header_line_too_long,
    hc::errc::too_many_headers,
    hc::errc::head_too_large,
    hc::errc::bad_field_name,
    hc::errc::whitespace_before_colon,
    hc::errc::missing_colon,
    hc::errc::bare_cr,
    hc::errc::bad_field_value,
    hc::errc::obs_fold_at_start,
    hc::errc::bad_content_length,
    hc::errc::conflicting_content_length,
    hc::errc::content_length_with_chunked,
    hc::errc::chunked_not_final,
    hc::errc::transfer_encoding_on_http10,
    hc::errc::bad_transfer_encoding,
    hc::errc::unknown_transfer_coding,
    hc::errc::bad_chunk_size,
    hc::errc::chunk_size_overflow,
    hc::errc::chunk_size_line_too_long,
    hc::errc::bad_chunk_extension,
    hc::errc::chunk_extension_too_long,
    hc::errc::missing_chunk_crlf,
    hc::errc::trailer_line_too_long,
    hc::errc::too_many_trailers,
    hc::errc::trailers_too_large,
    hc::errc::bad_trailer,
    hc::errc::incomplete_message,
    hc::errc::unsolicited_data,
    hc::errc::too_many_interim_responses,
};

// Value 0 means "no error" to std::error_code, so no enumerator may be 0,
// and the values run without gaps from 1.
constexpr bool errc_values_dense() {
    int expected = 1;
    for (hc::errc e : all_errc)
        if (static_cast<int>(e) != expected++) return false;
    return true;
}
static_assert(errc_values_dense());

constexpr std::string_view unknown_message = "unknown httpclient error";

TEST_CASE("errc: the category is named httpclient and is one object", "[errors][errc]") {
    const std::error_category& cat = hc::http_category();
    CHECK(std::string_view(cat.name()) == "httpclient");
    CHECK(&cat == &hc::http_category());
    const std::error_code ec = hc::make_error_code(hc::errc::bad_status_line);
    CHECK(&ec.category() == &cat);
    CHECK(ec.value() == static_cast<int>(hc::errc::bad_status_line));
    CHECK(static_cast<bool>(ec));
}

TEST_CASE("errc: every enumerator has its own non-empty message", "[errors][errc]") {
    std::set<std::string> seen;
    for (hc::errc e : all_errc) {
        const std::error_code ec = hc::make_error_code(e);
        const std::string message = ec.message();
        CAPTURE(static_cast<int>(e), message);
        CHECK(!message.empty());
        CHECK(message != unknown_message);
        CHECK(seen.insert(message).second);
    }
    CHECK(seen.size() == std::size(all_errc));
}

TEST_CASE("errc: values outside the enumeration get the fallback message", "[errors][errc]") {
    const std::error_category& cat = hc::http_category();
    CHECK(cat.message(0) == unknown_message);
    CHECK(cat.message(static_cast<int>(hc::errc::too_many_interim_responses) + 1) == unknown_message);
    CHECK(cat.message(-1) == unknown_message);
}

TEST_CASE("errc: implicit conversion and comparison with std::error_code", "[errors][errc]") {
    std::error_code ec = hc::errc::timeout;
    CHECK(ec == hc::errc::timeout);
    CHECK(ec != hc::errc::end_of_stream);
    CHECK(ec == hc::make_error_code(hc::errc::timeout));
    CHECK(ec.message() == "timed out");

    ec = hc::errc::end_of_stream;
    CHECK(ec == hc::errc::end_of_stream);
    CHECK(static_cast<bool>(ec));
}

TEST_CASE("errc: timeout is equivalent to std::errc::timed_out", "[errors][errc]") {
    const std::error_code ec = hc::errc::timeout;
    CHECK(ec == std::errc::timed_out);
    CHECK(ec.default_error_condition() == std::errc::timed_out);
    CHECK(ec.default_error_condition().category() == std::generic_category());
    // A system timeout is not mistaken for ours, and ours matches no other
    // generic condition.
    CHECK(std::make_error_code(std::errc::timed_out) != hc::errc::timeout);
    CHECK(ec != std::errc::connection_reset);
    CHECK(ec != std::errc::broken_pipe);
}

TEST_CASE("errc: the other codes keep their own condition", "[errors][errc]") {
    for (hc::errc e : all_errc) {
        if (e == hc::errc::timeout) continue;
        const std::error_code ec = hc::make_error_code(e);
        CAPTURE(static_cast<int>(e));
        const std::error_condition cond = ec.default_error_condition();
        CHECK(&cond.category() == &hc::http_category());
        CHECK(cond.value() == static_cast<int>(e));
        CHECK(ec != std::errc::timed_out);
    }
}

// ---------------------------------------------------------------------------
// The exception layer
// ---------------------------------------------------------------------------

TEST_CASE("http_exception and its alias error", "[errors][exceptions]") {
    const hc::http_exception plain("got more than 100 headers");
    CHECK(std::string_view(plain.what()) == "got more than 100 headers");
    const hc::http_exception empty;
    CHECK(std::string_view(empty.what()).empty());

    bool caught = false;
    try {
        throw hc::error("boom");
    } catch (const hc::http_exception& e) {
        caught = std::string_view(e.what()) == "boom";
    }
    CHECK(caught);
}

TEST_CASE("exceptions with no arguments have empty text", "[errors][exceptions]") {
    CHECK(std::string_view(hc::not_connected().what()).empty());
    CHECK(std::string_view(hc::cannot_send_header().what()).empty());
    CHECK(std::string_view(hc::response_not_ready().what()).empty());
}

TEST_CASE("improper_connection_state subclasses carry the state", "[errors][exceptions]") {
    CHECK(std::string_view(hc::cannot_send_request("Request-sent").what()) == "Request-sent");
    CHECK(std::string_view(hc::response_not_ready("Idle").what()) == "Idle");
    CHECK(std::string_view(hc::cannot_send_header("Request-started").what()) == "Request-started");

    bool caught = false;
    try {
        throw hc::cannot_send_request("Request-sent");
    } catch (const hc::improper_connection_state& e) {
        caught = std::string_view(e.what()) == "Request-sent";
    }
    CHECK(caught);
}

TEST_CASE("line_too_long names the kind of line and the limit", "[errors][exceptions]") {
    const hc::line_too_long header("header line");
    CHECK(std::string_view(header.what()) == "got more than 65536 bytes when reading header line");
    CHECK(header.line_type() == "header line");

    CHECK(std::string_view(hc::line_too_long("status line").what()) ==
          "got more than 65536 bytes when reading status line");
    CHECK(std::string_view(hc::line_too_long("chunk size").what()) ==
          "got more than 65536 bytes when reading chunk size");
    CHECK(std::string_view(hc::line_too_long("trailer line").what()) ==
          "got more than 65536 bytes when reading trailer line");
    CHECK(std::string_view(hc::line_too_long("header line", 1024).what()) ==
          "got more than 1024 bytes when reading header line");
}

TEST_CASE("incomplete_read formats like Python and keeps its parts", "[errors][exceptions]") {
    SECTION("with the expected count") {
        const hc::incomplete_read e("1234567", 3);
        CHECK(std::string_view(e.what()) == "IncompleteRead(7 bytes read, 3 more expected)");
        CHECK(e.partial() == "1234567");
        REQUIRE(e.expected().has_value());
        CHECK(*e.expected() == 3u);
    }
    SECTION("without it") {
        const hc::incomplete_read e(std::string(55, 'x'));
        CHECK(std::string_view(e.what()) == "IncompleteRead(55 bytes read)");
        CHECK(e.partial() == std::string(55, 'x'));
        CHECK_FALSE(e.expected().has_value());
    }
    SECTION("nothing read, a large expected count") {
        const hc::incomplete_read e("", UINT64_C(18446744073709551615));
        CHECK(std::string_view(e.what()) ==
              "IncompleteRead(0 bytes read, 18446744073709551615 more expected)");
        CHECK(e.partial().empty());
    }
    SECTION("expected 0 is still shown") {
        const hc::incomplete_read e("ab", 0);
        CHECK(std::string_view(e.what()) == "IncompleteRead(2 bytes read, 0 more expected)");
    }
    SECTION("partial may hold any byte") {
        const std::string bytes("a\0b\r\n", 5);
        const hc::incomplete_read e(bytes, 1);
        CHECK(e.partial() == bytes);
        CHECK(std::string_view(e.what()) == "IncompleteRead(5 bytes read, 1 more expected)");
    }
}

TEST_CASE("bad_status_line keeps the line; an empty one shows as ''", "[errors][exceptions]") {
    const hc::bad_status_line e("HTTP/1.1 200OK\r\n");
    CHECK(e.line() == "HTTP/1.1 200OK\r\n");
    // what() is the repr of the line, so control bytes never reach a log raw.
    CHECK(std::string_view(e.what()) == "'HTTP/1.1 200OK\\r\\n'");
    CHECK(std::string_view(hc::bad_status_line(std::string_view("\0\x1b[2J", 5)).what()) == "'\\x00\\x1b[2J'");

    const hc::bad_status_line empty("");
    CHECK(empty.line() == "''");
    CHECK(std::string_view(empty.what()) == "''");
}

TEST_CASE("remote_disconnected is a bad_status_line and a connection_reset_error",
          "[errors][exceptions]") {
    const hc::remote_disconnected e;
    CHECK(std::string_view(e.what()) == "Remote end closed connection without response");
    CHECK(e.line() == "''");
    CHECK(e.code() == std::errc::connection_reset);

    const hc::remote_disconnected custom("peer went away");
    CHECK(std::string_view(custom.what()) == "peer went away");
    CHECK(custom.line() == "''");

    // Through each base, the same object answers the same way.
    const hc::bad_status_line& as_bad = e;
    CHECK(std::string_view(as_bad.what()) == "Remote end closed connection without response");
    const std::exception& as_std = e;
    CHECK(std::string_view(as_std.what()) == "Remote end closed connection without response");
    const hc::connection_error& as_conn = e;
    CHECK(as_conn.code() == std::errc::connection_reset);
    CHECK(hc::connection_reset_error{}.code() == std::errc::connection_reset);
}

// Throws a remote_disconnected and reports which handler caught it.
template <class Handler>
std::string catch_remote_disconnected_as() {
    try {
        throw hc::remote_disconnected();
    } catch (const Handler& e) {
        if constexpr (std::is_base_of_v<std::exception, Handler>)
            return e.what();
        else
            return e.code().message();
    } catch (...) {
        return "<not caught by this handler>";
    }
}

TEST_CASE("remote_disconnected is caught by every base at run time", "[errors][exceptions]") {
    const std::string text = "Remote end closed connection without response";
    // catch (std::exception&) must not be ambiguous: one std::exception base.
    CHECK(catch_remote_disconnected_as<std::exception>() == text);
    CHECK(catch_remote_disconnected_as<std::runtime_error>() == text);
    CHECK(catch_remote_disconnected_as<hc::http_exception>() == text);
    CHECK(catch_remote_disconnected_as<hc::bad_status_line>() == text);
    CHECK(catch_remote_disconnected_as<hc::remote_disconnected>() == text);
    const std::string reset = std::make_error_code(std::errc::connection_reset).message();
    CHECK(catch_remote_disconnected_as<hc::connection_reset_error>() == reset);
    CHECK(catch_remote_disconnected_as<hc::connection_error>() == reset);
    CHECK(catch_remote_disconnected_as<hc::improper_connection_state>() == "<not caught by this handler>");
    CHECK(catch_remote_disconnected_as<hc::line_too_long>() == "<not caught by this handler>");
}

TEST_CASE("std::exception catches remote_disconnected first when listed first",
          "[errors][exceptions]") {
    int which = 0;
    try {
        throw hc::remote_disconnected();
    } catch (const std::exception&) {
        which = 1;
    } catch (const hc::connection_reset_error&) {
        which = 2;
    }
    CHECK(which == 1);

    try {
        throw hc::remote_disconnected();
    } catch (const hc::connection_reset_error&) {
        which = 3;
    } catch (const std::exception&) {
        which = 4;
    }
    CHECK(which == 3);
}

TEST_CASE("unknown_protocol keeps the version", "[errors][exceptions]") {
    const hc::unknown_protocol e("HTTP/2");
    CHECK(e.version() == "HTTP/2");
    CHECK(std::string_view(e.what()) == "HTTP/2");
}

TEST_CASE("protocol_error carries its code and says which rule", "[errors][exceptions]") {
    const std::error_code code = hc::make_error_code(hc::errc::conflicting_content_length);
    const hc::protocol_error bare(code);
    CHECK(bare.code() == hc::errc::conflicting_content_length);
    CHECK(std::string_view(bare.what()) == code.message());
    CHECK(std::string_view(bare.what()) == "conflicting Content-Length values");

    const hc::protocol_error detailed(hc::make_error_code(hc::errc::bare_cr), "X: a\\x0db");
    CHECK(detailed.code() == hc::errc::bare_cr);
    CHECK(std::string_view(detailed.what()) == "carriage return not followed by line feed: X: a\\x0db");

    bool caught = false;
    try {
        throw hc::protocol_error(hc::make_error_code(hc::errc::bad_chunk_size));
    } catch (const hc::http_exception& e) {
        caught = std::string_view(e.what()) == "invalid chunk size";
    }
    CHECK(caught);
}

TEST_CASE("timeout_error carries errc::timeout, which is std::errc::timed_out", "[errors][exceptions]") {
    const hc::timeout_error plain;
    CHECK(plain.code() == hc::errc::timeout);
    CHECK(plain.code() == std::errc::timed_out);
    // std::system_error appends the code's message to the text it is given,
    // so only the start of what() is ours.
    CHECK(std::string_view(plain.what()).substr(0, 9) == "timed out");

    const hc::timeout_error where("timed out connecting to example.com:80");
    CHECK(where.code() == hc::errc::timeout);
    CHECK(std::string_view(where.what()).find("timed out connecting to example.com:80") == 0);

    int which = 0;
    try {
        throw hc::timeout_error();
    } catch (const hc::http_exception&) {
        which = 1;
    } catch (const std::system_error& e) {
        which = e.code() == std::errc::timed_out ? 2 : 3;
    }
    CHECK(which == 2);
}

TEST_CASE("value_error family is std::invalid_argument", "[errors][exceptions]") {
    const hc::invalid_header_name name("Invalid header name 'a b'");
    CHECK(std::string_view(name.what()) == "Invalid header name 'a b'");

    int which = 0;
    try {
        throw hc::invalid_header_value("Invalid header value 'x\\r\\n'");
    } catch (const hc::http_exception&) {
        which = 1;
    } catch (const std::invalid_argument& e) {
        which = std::string_view(e.what()) == "Invalid header value 'x\\r\\n'" ? 2 : 3;
    }
    CHECK(which == 2);

    try {
        throw hc::invalid_method("method can't contain control characters");
    } catch (const hc::value_error&) {
        which = 4;
    }
    CHECK(which == 4);
}

TEST_CASE("the other HTTPException subclasses keep their message", "[errors][exceptions]") {
    CHECK(std::string_view(hc::invalid_url("nonnumeric port: 'x'").what()) == "nonnumeric port: 'x'");
    CHECK(std::string_view(hc::unknown_transfer_encoding().what()).empty());
    CHECK(std::string_view(hc::unimplemented_file_mode().what()).empty());
}

}  // namespace
