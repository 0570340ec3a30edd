// Tests for framing.hpp: decide_framing, one table row per rule.
//
// Each row is a real response head, parsed by response_head_parser, so the
// fields reach decide_framing exactly as they would from the wire (OWS
// trimmed, names as sent). The rules come from RFC 9112 §6.3 (message body
// length) and §9.3 (persistence), and from §3.1 and §3.2 of the behaviour
// reference, where Python's http.client is lenient and httpclient is not.
#include <httpclient/framing.hpp>
#include <httpclient/parser.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace hc = httpclient;
using hc::body_kind;
using hc::errc;

// ---------------------------------------------------------------------------
// A parsed head that stays where it is, so the header_view into its buffer
// stays valid.
// ---------------------------------------------------------------------------

class parsed_head {
public:
    parsed_head(std::string_view status_line, std::initializer_list<std::string_view> field_lines)
        : parsed_head(status_line, std::span<const std::string_view>(field_lines.begin(), field_lines.size())) {}

    parsed_head(std::string_view status_line, std::span<const std::string_view> field_lines) {
        buffer_.append(status_line).append("\r\n");
        for (std::string_view line : field_lines) buffer_.append(line).append("\r\n");
        buffer_.append("\r\n");
        result_ = parser_.parse(std::span<char>(buffer_.data(), buffer_.size()), ec_);
    }
    parsed_head(const parsed_head&) = delete;
    parsed_head& operator=(const parsed_head&) = delete;

    [[nodiscard]] bool ok() const { return result_ == hc::parse_result::complete && !ec_; }
    [[nodiscard]] std::error_code parse_error() const { return ec_; }
    [[nodiscard]] int status() const { return parser_.status(); }
    [[nodiscard]] int version() const { return parser_.version(); }
    [[nodiscard]] hc::header_view headers() const { return parser_.headers(); }

    hc::framing decide(std::string_view method, std::error_code& ec) const {
        return hc::decide_framing(method, status(), version(), headers(), ec);
    }

private:
    std::string buffer_;
    hc::response_head_parser parser_;
    hc::parse_result result_ = hc::parse_result::need_more;
    std::error_code ec_;
};

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

struct expectation {
    errc error{};  // errc{} when the framing is valid
    hc::framing result{};
};

constexpr expectation none(bool keep_alive) { return {{}, {body_kind::none, 0, keep_alive, false}}; }
constexpr expectation switched() { return {{}, {body_kind::none, 0, false, true}}; }
constexpr expectation length(std::uint64_t n, bool keep_alive) {
    return {{}, {body_kind::content_length, n, keep_alive, false}};
}
constexpr expectation chunked(bool keep_alive) { return {{}, {body_kind::chunked, 0, keep_alive, false}}; }
constexpr expectation until_close() { return {{}, {body_kind::until_close, 0, false, false}}; }
constexpr expectation fails(errc e) { return {e, {}}; }

// An extra check on what the parser handed over, for rows whose point is
// that the parser normalised a value before framing saw it.
struct parsed_value {
    std::string_view name;  // empty: no check
    std::string_view value;
};

struct row {
    std::string_view label;
    std::string_view method;
    std::string_view status_line;
    // A vector, not an initializer_list: the array behind a braced list
    // inside a table entry would not outlive the table's initialisation.
    std::vector<std::string_view> fields;
    expectation expected;
    parsed_value check{};
};

constexpr bool keep = true;
constexpr bool close = false;

// clang-format off
const std::vector<row>& table() {
    static const std::vector<row> rows = {
        // RFC 9112 §6.3 rule 1: HEAD, 1xx, 204 and 304 end at the head.
        {"HEAD with Content-Length", "HEAD", "HTTP/1.1 200 OK", {"Content-Length: 42"}, none(keep)},
        {"HEAD with Transfer-Encoding", "HEAD", "HTTP/1.1 200 OK", {"Transfer-Encoding: chunked"}, none(keep)},
        {"HEAD with CL and TE together", "HEAD", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked", "Content-Length: 42"}, none(keep)},
        {"HEAD with an invalid TE", "HEAD", "HTTP/1.1 200 OK", {"Transfer-Encoding: gzip"}, none(keep)},
        {"HEAD with Connection: close", "HEAD", "HTTP/1.1 200 OK",
         {"Content-Length: 42", "Connection: close"}, none(close)},
        {"HEAD on HTTP/1.0", "HEAD", "HTTP/1.0 200 OK", {"Content-Length: 42"}, none(close)},
        {"100 Continue", "GET", "HTTP/1.1 100 Continue", {}, none(keep)},
        {"103 Early Hints", "GET", "HTTP/1.1 103 Early Hints", {"Link: </style.css>; rel=preload"}, none(keep)},
        {"102 with Content-Length", "GET", "HTTP/1.1 102 Processing", {"Content-Length: 5"}, none(keep)},
        {"103 with Transfer-Encoding", "GET", "HTTP/1.1 103 Early Hints", {"Transfer-Encoding: chunked"}, none(keep)},
        {"204 with Content-Length", "GET", "HTTP/1.1 204 No Content", {"Content-Length: 10"}, none(keep)},
        {"204 with Transfer-Encoding", "GET", "HTTP/1.1 204 No Content", {"Transfer-Encoding: chunked"}, none(keep)},
        {"304 with Content-Length", "GET", "HTTP/1.1 304 Not Modified", {"Content-Length: 10"}, none(keep)},
        {"304 with Transfer-Encoding", "GET", "HTTP/1.1 304 Not Modified", {"Transfer-Encoding: chunked"}, none(keep)},
        {"304 with conflicting Content-Length", "GET", "HTTP/1.1 304 Not Modified",
         {"Content-Length: 3", "Content-Length: 5"}, none(keep)},

        // 101 and a 2xx to CONNECT: the connection is no longer HTTP.
        {"101 Switching Protocols", "GET", "HTTP/1.1 101 Switching Protocols",
         {"Connection: Upgrade", "Upgrade: websocket"}, switched()},
        {"101 with Content-Length", "GET", "HTTP/1.1 101 Switching Protocols", {"Content-Length: 5"}, switched()},
        {"CONNECT 200", "CONNECT", "HTTP/1.1 200 Connection established", {}, switched()},
        {"CONNECT 200 with Content-Length (ignored)", "CONNECT", "HTTP/1.1 200 OK", {"Content-Length: 10"}, switched()},
        {"CONNECT 200 with Transfer-Encoding (ignored)", "CONNECT", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked"}, switched()},
        {"CONNECT 204", "CONNECT", "HTTP/1.1 204 No Content", {}, switched()},
        {"CONNECT 299", "CONNECT", "HTTP/1.1 299 Whatever", {}, switched()},
        {"CONNECT 407 with Content-Length", "CONNECT", "HTTP/1.1 407 Proxy Authentication Required",
         {"Proxy-Authenticate: Basic realm=\"p\"", "Content-Length: 10"}, length(10, keep)},
        {"CONNECT 407 without framing", "CONNECT", "HTTP/1.1 407 Proxy Authentication Required", {}, until_close()},

        // RFC 9110 §8.6: Content-Length = 1*DIGIT.
        {"Content-Length 10", "GET", "HTTP/1.1 200 OK", {"Content-Length: 10"}, length(10, keep)},
        {"Content-Length 0", "GET", "HTTP/1.1 200 OK", {"Content-Length: 0"}, length(0, keep)},
        {"Content-Length with leading zeros", "GET", "HTTP/1.1 200 OK", {"Content-Length: 007"}, length(7, keep)},
        {"Content-Length all zeros", "GET", "HTTP/1.1 200 OK", {"Content-Length: 0000"}, length(0, keep)},
        {"Content-Length 2^64-1", "GET", "HTTP/1.1 200 OK", {"Content-Length: 18446744073709551615"},
         length(UINT64_C(18446744073709551615), keep)},
        {"Content-Length 2^64-1 with leading zeros", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 00018446744073709551615"}, length(UINT64_C(18446744073709551615), keep)},
        {"Content-Length 2^64", "GET", "HTTP/1.1 200 OK", {"Content-Length: 18446744073709551616"},
         fails(errc::bad_content_length)},
        {"Content-Length 2^64-1 + 10", "GET", "HTTP/1.1 200 OK", {"Content-Length: 18446744073709551625"},
         fails(errc::bad_content_length)},
        {"Content-Length 20 nines", "GET", "HTTP/1.1 200 OK", {"Content-Length: 99999999999999999999"},
         fails(errc::bad_content_length)},
        {"Content-Length +3", "GET", "HTTP/1.1 200 OK", {"Content-Length: +3"}, fails(errc::bad_content_length)},
        {"Content-Length -1", "GET", "HTTP/1.1 200 OK", {"Content-Length: -1"}, fails(errc::bad_content_length)},
        {"Content-Length 0x3", "GET", "HTTP/1.1 200 OK", {"Content-Length: 0x3"}, fails(errc::bad_content_length)},
        {"Content-Length with leading OWS (trimmed by the parser)", "GET", "HTTP/1.1 200 OK",
         {"Content-Length:  \t 3"}, length(3, keep), {"Content-Length", "3"}},
        {"Content-Length with trailing OWS (trimmed by the parser)", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 3 \t "}, length(3, keep), {"Content-Length", "3"}},
        {"Content-Length 3 3", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3 3"}, fails(errc::bad_content_length)},
        {"Content-Length 1_0", "GET", "HTTP/1.1 200 OK", {"Content-Length: 1_0"}, fails(errc::bad_content_length)},
        {"Content-Length 3.0", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3.0"}, fails(errc::bad_content_length)},
        {"Content-Length abc", "GET", "HTTP/1.1 200 OK", {"Content-Length: abc"}, fails(errc::bad_content_length)},
        {"Content-Length with Arabic-Indic digit", "GET", "HTTP/1.1 200 OK", {"Content-Length: \xd9\xa3"},
         fails(errc::bad_content_length)},
        {"Content-Length empty", "GET", "HTTP/1.1 200 OK", {"Content-Length:"}, fails(errc::bad_content_length),
         {"Content-Length", ""}},
        {"Content-Length blank", "GET", "HTTP/1.1 200 OK", {"Content-Length:   "}, fails(errc::bad_content_length),
         {"Content-Length", ""}},
        {"Content-Length only a comma", "GET", "HTTP/1.1 200 OK", {"Content-Length: ,"},
         fails(errc::bad_content_length)},
        {"Content-Length 3, abc", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3, abc"},
         fails(errc::bad_content_length)},
        // An empty element is not 1*DIGIT either, wherever it stands: a lone
        // empty value is rejected above, so it must be next to a valid one.
        {"Content-Length 3, (trailing comma)", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3,"},
         fails(errc::bad_content_length)},
        {"Content-Length , 3 (leading comma)", "GET", "HTTP/1.1 200 OK", {"Content-Length: , 3"},
         fails(errc::bad_content_length)},
        {"valid then empty Content-Length line", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 3", "Content-Length:"}, fails(errc::bad_content_length)},
        {"empty then valid Content-Length line", "GET", "HTTP/1.1 200 OK",
         {"Content-Length:", "Content-Length: 3"}, fails(errc::bad_content_length)},
        {"Content-Length 3, 3 (identical list)", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3, 3"}, length(3, keep)},
        {"Content-Length 3,3", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3,3"}, length(3, keep)},
        {"two Content-Length lines, both 3", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 3", "Content-Length: 3"}, length(3, keep)},
        {"Content-Length 3, 5", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3, 5"},
         fails(errc::conflicting_content_length)},
        {"two Content-Length lines, 3 then 5", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 3", "Content-Length: 5"}, fails(errc::conflicting_content_length)},
        {"two Content-Length lines, 5 then 3", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 5", "Content-Length: 3"}, fails(errc::conflicting_content_length)},
        {"Content-Length 3 and 03 are the same number", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 3", "Content-Length: 03"}, length(3, keep)},
        {"content-length in lower case", "GET", "HTTP/1.1 200 OK", {"content-length: 4"}, length(4, keep)},

        // RFC 9112 §6.1, §6.3 rules 3-4: Transfer-Encoding.
        {"TE chunked", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: chunked"}, chunked(keep)},
        {"TE Chunked", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: Chunked"}, chunked(keep)},
        {"TE CHUNKED, name in lower case", "GET", "HTTP/1.1 200 OK", {"transfer-encoding: CHUNKED"}, chunked(keep)},
        {"TE chunked with trailing OWS (trimmed by the parser)", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked \t"}, chunked(keep), {"Transfer-Encoding", "chunked"}},
        {"TE chunked with leading OWS (trimmed by the parser)", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding:\t chunked"}, chunked(keep), {"Transfer-Encoding", "chunked"}},
        {"TE chunked with empty list elements", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: , chunked ,"},
         chunked(keep)},
        {"TE split over two lines: gzip, then chunked", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: gzip", "Transfer-Encoding: chunked"}, fails(errc::unknown_transfer_coding)},
        {"TE gzip, chunked", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: gzip, chunked"},
         fails(errc::unknown_transfer_coding)},
        {"TE gzip", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: gzip"}, fails(errc::unknown_transfer_coding)},
        {"TE identity", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: identity"},
         fails(errc::unknown_transfer_coding)},
        {"TE chunked, gzip", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: chunked, gzip"},
         fails(errc::chunked_not_final)},
        {"TE chunked, chunked", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: chunked, chunked"},
         fails(errc::chunked_not_final)},
        {"TE chunked on two lines", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked", "Transfer-Encoding: chunked"}, fails(errc::chunked_not_final)},
        {"TE chunked, then gzip on a second line", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked", "Transfer-Encoding: gzip"}, fails(errc::chunked_not_final)},
        {"TE chunked;q=1", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: chunked;q=1"},
         fails(errc::bad_transfer_encoding)},
        {"TE chunk ed", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: chunk ed"},
         fails(errc::bad_transfer_encoding)},
        {"TE empty", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding:"}, fails(errc::bad_transfer_encoding),
         {"Transfer-Encoding", ""}},
        {"TE only a comma", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: ,"}, fails(errc::bad_transfer_encoding)},
        {"TE only commas and spaces", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: , ,\t,"},
         fails(errc::bad_transfer_encoding)},
        {"TE chunked and Content-Length", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked", "Content-Length: 5"}, fails(errc::content_length_with_chunked)},
        {"Content-Length and TE chunked", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 5", "Transfer-Encoding: chunked"}, fails(errc::content_length_with_chunked)},
        {"TE chunked and an invalid Content-Length", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked", "Content-Length: abc"}, fails(errc::content_length_with_chunked)},
        {"TE chunked and an empty Content-Length", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked", "Content-Length:"}, fails(errc::content_length_with_chunked)},
        {"TE chunked on HTTP/1.0", "GET", "HTTP/1.0 200 OK", {"Transfer-Encoding: chunked"},
         fails(errc::transfer_encoding_on_http10)},
        {"TE chunked on HTTP/1.0 with keep-alive", "GET", "HTTP/1.0 200 OK",
         {"Transfer-Encoding: chunked", "Connection: keep-alive"}, fails(errc::transfer_encoding_on_http10)},
        {"TE chunked and Content-Length on HTTP/1.0", "GET", "HTTP/1.0 200 OK",
         {"Transfer-Encoding: chunked", "Content-Length: 5"}, fails(errc::transfer_encoding_on_http10)},
        {"TE chunked with Connection: close", "GET", "HTTP/1.1 200 OK",
         {"Transfer-Encoding: chunked", "Connection: close"}, chunked(close)},

        // RFC 9112 §5.2: the parser replaces an obs-fold with SP before
        // framing interprets the value.
        {"TE chunked on an obs-fold line", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding:", " chunked"},
         chunked(keep), {"Transfer-Encoding", "chunked"}},
        {"TE gzip, folded chunked", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: gzip,", "\tchunked"},
         fails(errc::unknown_transfer_coding)},
        {"TE chunked, folded gzip", "GET", "HTTP/1.1 200 OK", {"Transfer-Encoding: chunked,", " gzip"},
         fails(errc::chunked_not_final)},
        {"Content-Length folded into 3 3", "GET", "HTTP/1.1 200 OK", {"Content-Length: 3", " 3"},
         fails(errc::bad_content_length)},
        {"Connection close on an obs-fold line", "GET", "HTTP/1.1 200 OK",
         {"Connection: keep-alive,", " close", "Content-Length: 1"}, length(1, close)},

        // RFC 9112 §6.3 rule 7 and §9.3: persistence.
        {"no Content-Length, no TE", "GET", "HTTP/1.1 200 OK", {}, until_close()},
        {"no framing, even with keep-alive", "GET", "HTTP/1.1 200 OK", {"Connection: keep-alive"}, until_close()},
        {"HTTP/1.1 persists by default", "GET", "HTTP/1.1 200 OK", {"Content-Length: 1"}, length(1, keep)},
        {"HTTP/1.2 reads as 1.1", "GET", "HTTP/1.2 200 OK", {"Content-Length: 1"}, length(1, keep)},
        {"Connection: close", "GET", "HTTP/1.1 200 OK", {"Content-Length: 1", "Connection: close"}, length(1, close)},
        {"Connection: CLOSE", "GET", "HTTP/1.1 200 OK", {"Content-Length: 1", "connection: CLOSE"}, length(1, close)},
        {"Connection: keep-alive, Close", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 1", "Connection: keep-alive, Close"}, length(1, close)},
        {"Connection: close in a second line", "GET", "HTTP/1.1 200 OK",
         {"Connection: keep-alive", "Content-Length: 1", "Connection: close"}, length(1, close)},
        {"Connection: closed-captioning is a token, not close", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 1", "Connection: closed-captioning"}, length(1, keep)},
        {"Connection: x-close", "GET", "HTTP/1.1 200 OK", {"Content-Length: 1", "Connection: x-close"},
         length(1, keep)},
        {"Connection: Upgrade on a 200", "GET", "HTTP/1.1 200 OK", {"Content-Length: 1", "Connection: Upgrade"},
         length(1, keep)},
        {"Proxy-Connection: close is not Connection on 1.1", "GET", "HTTP/1.1 200 OK",
         {"Content-Length: 1", "Proxy-Connection: close"}, length(1, keep)},
        {"HTTP/1.0 closes by default", "GET", "HTTP/1.0 200 OK", {"Content-Length: 1"}, length(1, close)},
        {"HTTP/1.0 Connection: keep-alive persists", "GET", "HTTP/1.0 200 OK",
         {"Content-Length: 1", "Connection: keep-alive"}, length(1, keep)},
        {"HTTP/1.0 Connection: Keep-Alive persists", "GET", "HTTP/1.0 200 OK",
         {"Content-Length: 1", "Connection: Keep-Alive"}, length(1, keep)},
        {"HTTP/1.0 keep-alive in a second Connection line", "GET", "HTTP/1.0 200 OK",
         {"Connection: foo", "Content-Length: 1", "Connection: bar, keep-alive"}, length(1, keep)},
        {"HTTP/1.0 keep-alive and close", "GET", "HTTP/1.0 200 OK",
         {"Content-Length: 1", "Connection: keep-alive, close"}, length(1, close)},
        {"HTTP/1.0 keep-alive-ish is not keep-alive", "GET", "HTTP/1.0 200 OK",
         {"Content-Length: 1", "Connection: keep-alive-ish"}, length(1, close)},
        {"HTTP/1.0 with only Keep-Alive: timeout=5", "GET", "HTTP/1.0 200 OK",
         {"Content-Length: 1", "Keep-Alive: timeout=5"}, length(1, close)},
        {"HTTP/1.0 with only Proxy-Connection: keep-alive", "GET", "HTTP/1.0 200 OK",
         {"Content-Length: 1", "Proxy-Connection: keep-alive"}, length(1, close)},
        {"HTTP/1.0 keep-alive but no length", "GET", "HTTP/1.0 200 OK", {"Connection: keep-alive"}, until_close()},
        {"HTTP/1.0 204", "GET", "HTTP/1.0 204 No Content", {}, none(close)},
        {"HTTP/1.0 204 with keep-alive", "GET", "HTTP/1.0 204 No Content", {"Connection: keep-alive"}, none(keep)},

        // Methods compare ASCII case-insensitively here (detail::iequals).
        // RFC 9110 §9.1 makes the method token case-sensitive, so these rows
        // record the header's current choice rather than an RFC rule.
        // RFC 9110 §9.1: methods are case-sensitive, so "head" is some other
        // method whose response may carry a body, and "connect" opens no tunnel.
        {"method head in lower case is not HEAD", "head", "HTTP/1.1 200 OK", {"Content-Length: 42"}, length(42, keep)},
        {"method Head is not HEAD", "Head", "HTTP/1.1 200 OK", {"Content-Length: 7"}, length(7, keep)},
        {"method connect in lower case is not CONNECT", "connect", "HTTP/1.1 200 OK", {}, until_close()},
        {"method HEADER is not HEAD", "HEADER", "HTTP/1.1 200 OK", {"Content-Length: 42"}, length(42, keep)},
        {"method POST with Content-Length", "POST", "HTTP/1.1 201 Created", {"Content-Length: 2"}, length(2, keep)},
    };
    return rows;
}
// clang-format on

std::string describe(body_kind k) {
    switch (k) {
        case body_kind::none: return "none";
        case body_kind::content_length: return "content_length";
        case body_kind::chunked: return "chunked";
        case body_kind::until_close: return "until_close";
    }
    return "?";
}

TEST_CASE("decide_framing: the rules, one row each", "[framing]") {
    for (const row& r : table()) {
        INFO("row: " << r.label);
        const parsed_head head(r.status_line, r.fields);
        {
            INFO("parse error: " << (head.parse_error() ? head.parse_error().message() : "none"));
            CHECK(head.ok());
        }
        if (!head.ok()) continue;
        std::size_t field_lines = 0;  // continuation lines join the field before them
        for (std::string_view line : r.fields) field_lines += line.empty() || hc::detail::is_ows(line[0]) ? 0 : 1;
        CHECK(head.headers().size() == field_lines);
        if (!r.check.name.empty()) {
            const auto value = head.headers().get(r.check.name);
            REQUIRE(value.has_value());
            CHECK(*value == r.check.value);
        }

        std::error_code ec = std::make_error_code(std::errc::io_error);  // must be cleared or replaced
        const hc::framing got = head.decide(r.method, ec);
        if (r.expected.error != errc{}) {
            INFO("expected error: " << hc::make_error_code(r.expected.error).message());
            INFO("got: " << (ec ? ec.message()
                                : "no error, kind " + describe(got.kind) + ", length " + std::to_string(got.length)));
            CHECK(ec == r.expected.error);
        } else {
            INFO("got error: " << (ec ? ec.message() : "none"));
            CHECK_FALSE(ec);
            const hc::framing& want = r.expected.result;
            INFO("kind " << describe(got.kind) << ", expected " << describe(want.kind));
            CHECK(got.kind == want.kind);
            CHECK(got.length == want.length);
            CHECK(got.keep_alive == want.keep_alive);
            CHECK(got.switched == want.switched);
            CHECK(got == want);
        }
    }
}

TEST_CASE("decide_framing: any Transfer-Encoding on HTTP/1.0 is an error", "[framing]") {
    // RFC 9112 §6.1 makes any TE on HTTP/1.0 faulty framing. The coding is
    // checked before the version, so a coding this client does not support
    // reports that instead; either way the response is refused.
    for (std::string_view value : {"gzip", "gzip, chunked", "chunked, gzip", "chunked;x=1", ","}) {
        const std::string line = "Transfer-Encoding: " + std::string(value);
        const parsed_head head("HTTP/1.0 200 OK", {std::string_view(line), "Content-Length: 4"});
        REQUIRE(head.ok());
        std::error_code ec;
        (void)head.decide("GET", ec);
        CAPTURE(value, ec.message());
        CHECK(ec);
        CHECK(&ec.category() == &hc::http_category());
        CHECK((ec == errc::transfer_encoding_on_http10 || ec == errc::unknown_transfer_coding ||
               ec == errc::chunked_not_final || ec == errc::bad_transfer_encoding));
    }
}

TEST_CASE("decide_framing: the table covers every framing error", "[framing]") {
    std::set<int> covered;
    for (const row& r : table())
        if (r.expected.error != errc{}) covered.insert(static_cast<int>(r.expected.error));
    for (errc e : {errc::bad_content_length, errc::conflicting_content_length, errc::content_length_with_chunked,
                   errc::chunked_not_final, errc::transfer_encoding_on_http10, errc::bad_transfer_encoding,
                   errc::unknown_transfer_coding}) {
        CAPTURE(static_cast<int>(e));
        CHECK(covered.count(static_cast<int>(e)) == 1);
    }
}

TEST_CASE("decide_framing: every error it reports has its own message", "[framing]") {
    std::set<int> used;
    for (const row& r : table())
        if (r.expected.error != errc{}) used.insert(static_cast<int>(r.expected.error));
    std::set<std::string> messages;
    for (int value : used) {
        const std::error_code ec = hc::make_error_code(static_cast<errc>(value));
        const std::string message = ec.message();
        CAPTURE(value, message);
        CHECK(std::string_view(ec.category().name()) == "httpclient");
        CHECK(!message.empty());
        CHECK(message != "unknown httpclient error");
        CHECK(messages.insert(message).second);
    }
    CHECK(messages.size() == used.size());
}

TEST_CASE("decide_framing: ec is cleared on success", "[framing]") {
    const parsed_head head("HTTP/1.1 200 OK", {"Content-Length: 3"});
    REQUIRE(head.ok());
    std::error_code ec = hc::make_error_code(errc::bad_content_length);
    const hc::framing f = head.decide("GET", ec);
    CHECK_FALSE(ec);
    CHECK(f == hc::framing{body_kind::content_length, 3, true, false});
}

TEST_CASE("decide_framing: an empty header_view", "[framing]") {
    const hc::header_view none;
    std::error_code ec;
    CHECK(hc::decide_framing("GET", 200, 11, none, ec) == hc::framing{body_kind::until_close, 0, false, false});
    CHECK_FALSE(ec);
    CHECK(hc::decide_framing("GET", 204, 11, none, ec) == hc::framing{body_kind::none, 0, true, false});
    CHECK(hc::decide_framing("GET", 304, 10, none, ec) == hc::framing{body_kind::none, 0, false, false});
    CHECK(hc::decide_framing("CONNECT", 200, 11, none, ec) == hc::framing{body_kind::none, 0, false, true});
}

TEST_CASE("decide_framing: every status class without framing headers", "[framing]") {
    // 1xx, 204, 304: no body. Any other status: until close.
    for (int code = 100; code <= 599; ++code) {
        const std::string line = "HTTP/1.1 " + std::to_string(code) + " X";
        const parsed_head head(line, {});
        REQUIRE(head.ok());
        std::error_code ec;
        const hc::framing f = head.decide("GET", ec);
        CAPTURE(code);
        REQUIRE_FALSE(ec);
        if (code == 101) {
            CHECK(f == hc::framing{body_kind::none, 0, false, true});
        } else if (code < 200 || code == 204 || code == 304) {
            CHECK(f == hc::framing{body_kind::none, 0, true, false});
        } else {
            CHECK(f == hc::framing{body_kind::until_close, 0, false, false});
        }
    }
}

TEST_CASE("decide_framing: CONNECT with every status", "[framing]") {
    for (int code = 100; code <= 599; ++code) {
        const std::string line = "HTTP/1.1 " + std::to_string(code) + " X";
        const parsed_head head(line, {"Content-Length: 4"});
        REQUIRE(head.ok());
        std::error_code ec;
        const hc::framing f = head.decide("CONNECT", ec);
        CAPTURE(code);
        REQUIRE_FALSE(ec);
        if (code == 101 || (code >= 200 && code < 300)) {
            CHECK(f.switched);
            CHECK_FALSE(f.keep_alive);
            CHECK(f.kind == body_kind::none);
        } else if (code < 200 || code == 304) {
            CHECK(f == hc::framing{body_kind::none, 0, true, false});
        } else {
            CHECK(f == hc::framing{body_kind::content_length, 4, true, false});
        }
    }
}

TEST_CASE("decide_framing: Content-Length overflow boundary, digit by digit", "[framing]") {
    // 2^64-1 = 18446744073709551615. Every last digit from 0 to 5 fits; 6 to
    // 9 does not. And a 21-digit number never fits unless it has a leading 0.
    for (char last = '0'; last <= '9'; ++last) {
        std::string value = "1844674407370955161";
        value += last;
        const std::string line = "Content-Length: " + value;
        const parsed_head head("HTTP/1.1 200 OK", {std::string_view(line)});
        REQUIRE(head.ok());
        std::error_code ec;
        const hc::framing f = head.decide("GET", ec);
        CAPTURE(value);
        if (last <= '5') {
            CHECK_FALSE(ec);
            CHECK(f.kind == body_kind::content_length);
            CHECK(f.length == UINT64_C(18446744073709551610) + static_cast<std::uint64_t>(last - '0'));
        } else {
            CHECK(ec == errc::bad_content_length);
        }
    }
}

}  // namespace
