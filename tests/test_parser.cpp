// Tests for parser.hpp: the incremental response-head parser.
//
// Every input goes through run(), which parses the same bytes four ways and
// insists that they agree:
//   (a) whole, in one call;
//   (b) byte by byte, over a growing prefix of one buffer;
//   (c) split once at every position: the prefix [0, k), then everything;
//   (d) moved: before every call the bytes so far are copied into a fresh
//       buffer and the old one is wiped and freed, because the parser keeps
//       offsets, not pointers, and must never look at an old buffer again.
// The outcome compared is the result, the error code, the version, status,
// reason, head size and the exact list of fields. Modes (b) to (d) also check
// that a result, once reached, never changes.
//
// The expected values are written out by hand from RFC 9112 and from the
// rules in the behaviour reference (§1.5.2, §1.5.4, §1.8, §3.2), never taken
// from the parser itself.
//
// This file is also compiled with -DHTTPCLIENT_DISABLE_SIMD, so that the
// scalar scanner runs everything below too.
#include <httpclient/parser.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <utility>
#include <vector>

namespace {

namespace hc = httpclient;
using hc::errc;
using hc::parse_result;
using namespace std::string_view_literals;

// ---------------------------------------------------------------------------
// Printing, so that a failure shows the bytes involved
// ---------------------------------------------------------------------------

std::string escape(std::string_view s, std::size_t limit = 240) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
        const auto u = static_cast<unsigned char>(s[i]);
        switch (s[i]) {
            case '\r': out += "\\r"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            default:
                if (u >= 0x20 && u < 0x7f) {
                    out += s[i];
                } else {
                    out += "\\x";
                    out += hex[u >> 4];
                    out += hex[u & 15];
                }
        }
    }
    if (s.size() > limit) out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

const char* to_string(parse_result r) {
    switch (r) {
        case parse_result::need_more: return "need_more";
        case parse_result::complete: return "complete";
        case parse_result::error: return "error";
    }
    return "?";
}

std::string describe(const std::error_code& ec) { return ec ? ec.message() : std::string("no error"); }

// A field copied out of the buffer, so outcomes of different buffers compare.
struct fld {
    std::string name;
    std::string value;
    friend bool operator==(const fld&, const fld&) = default;
};

std::ostream& operator<<(std::ostream& os, const fld& f) {
    return os << '"' << escape(f.name) << "\": \"" << escape(f.value) << '"';
}

using field_list = std::vector<fld>;

struct outcome {
    parse_result result = parse_result::need_more;
    std::error_code error;
    int version = 0;
    int status = 0;
    std::string reason;
    std::size_t head_size = 0;
    field_list fields;
    friend bool operator==(const outcome&, const outcome&) = default;
};

std::ostream& operator<<(std::ostream& os, const outcome& o) {
    os << to_string(o.result) << " (" << describe(o.error) << "), version " << o.version << ", status "
       << o.status << ", reason \"" << escape(o.reason) << "\", head_size " << o.head_size << ", "
       << o.fields.size() << " fields {";
    for (std::size_t i = 0; i < o.fields.size() && i < 24; ++i) os << (i ? ", " : "") << o.fields[i];
    if (o.fields.size() > 24) os << ", ...";
    return os << '}';
}

std::string to_text(const outcome& o) {
    std::ostringstream os;
    os << o;
    return os.str();
}

std::error_code code(errc e) { return hc::make_error_code(e); }

// ---------------------------------------------------------------------------
// The four-way runner
// ---------------------------------------------------------------------------

bool inside(std::string_view view, const char* begin, std::size_t size) {
    const std::less_equal<const char*> le;
    return le(begin, view.data()) && le(view.data() + view.size(), begin + size);
}

// Copies what the parser holds after a call that returned `r`, and checks the
// invariants that hold whatever the input: on success every view lies in the
// head, inside the buffer passed last; the error code returned matches
// error(); complete() matches the result.
outcome snapshot(const hc::response_head_parser& p, parse_result r, const std::error_code& ec,
                 const char* buf, std::size_t size, std::string_view mode, std::string& problems) {
    outcome o;
    o.result = r;
    o.error = ec;
    o.version = p.version();
    o.status = p.status();
    o.head_size = p.head_size();
    o.reason = std::string(p.reason());
    for (const hc::field f : p.headers()) o.fields.push_back({std::string(f.name), std::string(f.value)});

    auto problem = [&](std::string_view what) {
        if (problems.size() < 2000) problems += std::string(mode) + ": " + std::string(what) + "\n";
    };
    if (p.complete() != (r == parse_result::complete)) problem("complete() disagrees with the result");
    if (r == parse_result::error) {
        if (!ec) problem("error result without an error code");
        if (ec != p.error()) problem("returned code differs from error()");
    } else if (ec) {
        problem("error code set without an error result");
    }
    if (r == parse_result::complete) {
        if (o.head_size > size) problem("head_size beyond the buffer");
        if (!inside(p.reason(), buf, o.head_size)) problem("reason outside the head");
        if (p.status_line().data() != buf) problem("status_line() does not start the buffer");
        if (!inside(p.status_line(), buf, o.head_size)) problem("status_line() outside the head");
        for (const hc::field f : p.headers()) {
            if (!inside(f.name, buf, o.head_size)) problem("a name outside the head");
            if (!inside(f.value, buf, o.head_size)) problem("a value outside the head");
        }
    }
    return o;
}

// Where modes (c) and (d) cut the input: everywhere for ordinary heads. The
// limit tests build heads of 64 KiB and more, where every cut of every prefix
// would be quadratic, so there the cuts are a regular sample plus every
// position next to a CR or LF, where the parser's decisions are made.
std::vector<std::size_t> cut_points(std::string_view input) {
    const std::size_t n = input.size();
    std::vector<std::size_t> cuts;
    if (n <= 4096) {
        for (std::size_t k = 0; k <= n; ++k) cuts.push_back(k);
        return cuts;
    }
    for (std::size_t k = 0; k <= n; k += 509) cuts.push_back(k);
    for (std::size_t i = 0; i < n; ++i) {
        if (input[i] != '\n' && input[i] != '\r') continue;
        for (std::size_t k = i > 2 ? i - 2 : 0; k <= i + 3 && k <= n; ++k) cuts.push_back(k);
    }
    for (std::size_t k = n - 3; k <= n; ++k) cuts.push_back(k);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    return cuts;
}

// Follows the results of successive calls on growing input: need_more until
// a final result, and then that result for ever.
class progress {
public:
    explicit progress(std::string_view mode) : mode_(mode) {}

    void step(const hc::response_head_parser& p, parse_result r, std::size_t k, bool exact_end,
              std::string& problems) {
        if (settled_) {
            if (r != *settled_ && problems.size() < 2000)
                problems += std::string(mode_) + ": the result changed from " + to_string(*settled_) + " to " +
                            to_string(r) + " at " + std::to_string(k) + " bytes\n";
            return;
        }
        if (r == parse_result::need_more) return;
        settled_ = r;
        if (r != parse_result::complete) return;
        // Byte by byte, the head completes exactly when its last byte comes.
        const bool ok = exact_end ? p.head_size() == k : p.head_size() <= k;
        if (!ok && problems.size() < 2000)
            problems += std::string(mode_) + ": complete with head_size " + std::to_string(p.head_size()) +
                        " after " + std::to_string(k) + " bytes\n";
    }

private:
    std::string_view mode_;
    std::optional<parse_result> settled_;
};

outcome run(std::string_view input, hc::parser_limits limits = {}) {
    INFO("input: \"" << escape(input) << '"');
    const std::size_t n = input.size();
    std::string problems;

    // (a) whole
    std::vector<char> whole_buf(input.begin(), input.end());
    hc::response_head_parser whole(limits);
    std::error_code ec;
    parse_result r = whole.parse(std::span<char>(whole_buf), ec);
    const outcome expected = snapshot(whole, r, ec, whole_buf.data(), n, "whole", problems);
    // Asking again changes nothing.
    r = whole.parse(std::span<char>(whole_buf), ec);
    if (snapshot(whole, r, ec, whole_buf.data(), n, "whole, again", problems) != expected)
        problems += "whole: a second call gave a different outcome\n";

    // (b) byte by byte, one buffer
    outcome by_byte;
    {
        std::vector<char> buf(input.begin(), input.end());
        hc::response_head_parser p(limits);
        progress prog("byte by byte");
        for (std::size_t k = 0; k <= n; ++k) {
            r = p.parse(std::span<char>(buf.data(), k), ec);
            prog.step(p, r, k, true, problems);
        }
        by_byte = snapshot(p, r, ec, buf.data(), n, "byte by byte", problems);
    }

    const std::vector<std::size_t> cuts = cut_points(input);

    // (c) two calls, split at each cut
    std::string split_mismatch;
    for (const std::size_t k : cuts) {
        std::vector<char> buf(input.begin(), input.end());
        hc::response_head_parser p(limits);
        progress prog("split");
        r = p.parse(std::span<char>(buf.data(), k), ec);
        prog.step(p, r, k, false, problems);
        r = p.parse(std::span<char>(buf), ec);
        prog.step(p, r, n, false, problems);
        const outcome got = snapshot(p, r, ec, buf.data(), n, "split", problems);
        if (got != expected && split_mismatch.empty())
            split_mismatch = "split at " + std::to_string(k) + ": " + to_text(got);
    }

    // (d) moved: a fresh buffer for each call; the old one is wiped and freed
    outcome moved;
    {
        hc::response_head_parser p(limits);
        progress prog("moved");
        std::vector<char> current;
        for (const std::size_t k : cuts) {
            std::vector<char> fresh;
            fresh.reserve(k + 1);  // never a null data(), even for k == 0
            fresh.assign(current.begin(), current.end());  // keeps what the parser rewrote (obs-fold)
            fresh.insert(fresh.end(), input.begin() + static_cast<std::ptrdiff_t>(current.size()),
                         input.begin() + static_cast<std::ptrdiff_t>(k));
            std::fill(current.begin(), current.end(), '\0');
            current = std::move(fresh);  // the old storage is freed here
            r = p.parse(std::span<char>(current), ec);
            prog.step(p, r, k, false, problems);
        }
        moved = snapshot(p, r, ec, current.data(), n, "moved", problems);
    }

    INFO("whole: " << expected);
    CHECK(problems == "");
    CHECK(by_byte == expected);
    CHECK(split_mismatch == "");
    CHECK(moved == expected);
    return expected;
}

outcome expect_complete(std::string_view input, hc::parser_limits limits = {}) {
    const outcome o = run(input, limits);
    INFO("input: \"" << escape(input) << "\"\noutcome: " << o);
    CHECK(o.result == parse_result::complete);
    return o;
}

outcome expect_error(std::string_view input, errc e, hc::parser_limits limits = {}) {
    const outcome o = run(input, limits);
    INFO("input: \"" << escape(input) << "\"\noutcome: " << o);
    CHECK(o.result == parse_result::error);
    CHECK(describe(o.error) == describe(code(e)));
    return o;
}

// Parses `input` in one call with a parser the test can then question.
struct parsed {
    std::vector<char> buffer;
    hc::response_head_parser parser;
    parse_result result;
    std::error_code ec;

    explicit parsed(std::string_view input, hc::parser_limits limits = {})
        : buffer(input.begin(), input.end()), parser(limits), result(parser.parse(std::span<char>(buffer), ec)) {}
    parsed(const parsed&) = delete;
    parsed& operator=(const parsed&) = delete;
};

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

// "HTTP/1.1 200 " and a reason, `total` bytes with the terminator.
std::string status_line_of(std::size_t total, std::string_view terminator = "\r\n") {
    return "HTTP/1.1 200 " + repeat('r', total - 13 - terminator.size()) + std::string(terminator);
}

// "X: " and a value, `total` bytes with the terminator.
std::string header_line_of(std::size_t total, std::string_view terminator = "\r\n") {
    return "X: " + repeat('v', total - 3 - terminator.size()) + std::string(terminator);
}

constexpr std::string_view ok_line = "HTTP/1.1 200 OK\r\n";

}  // namespace

// Catch finds operator<< by ADL only, and parse_result lives in httpclient.
template <>
struct Catch::StringMaker<httpclient::parse_result> {
    static std::string convert(httpclient::parse_result r) { return to_string(r); }
};

// ---------------------------------------------------------------------------
// The status line (RFC 9112 §4)
// ---------------------------------------------------------------------------

TEST_CASE("a simple 200 response", "[parser]") {
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n";
    const outcome o = expect_complete(head + "hello");
    CHECK(o.version == 11);
    CHECK(o.status == 200);
    CHECK(o.reason == "OK");
    CHECK(o.head_size == head.size());
    CHECK(o.fields == field_list{{"Content-Type", "text/plain"}, {"Content-Length", "5"}});

    parsed p(head + "hello");
    REQUIRE(p.result == parse_result::complete);
    CHECK(p.parser.complete());
    CHECK(p.parser.status_line() == "HTTP/1.1 200 OK");
    CHECK_FALSE(p.parser.error());
}

TEST_CASE("a head with no fields", "[parser]") {
    const outcome o = expect_complete("HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(o.status == 204);
    CHECK(o.reason == "No Content");
    CHECK(o.fields.empty());
    CHECK(o.head_size == 27);
}

TEST_CASE("HTTP/1.0 gives version 10", "[parser]") {
    const outcome o = expect_complete("HTTP/1.0 200 OK\r\nServer: old\r\n\r\n");
    CHECK(o.version == 10);
    CHECK(o.status == 200);
}

TEST_CASE("a higher HTTP/1 minor version reads as 1.1", "[parser]") {
    // RFC 9110 §2.5: answer as the highest minor version implemented.
    for (const std::string_view input : {"HTTP/1.2 200 OK\r\n\r\n"sv, "HTTP/1.9 200 OK\r\n\r\n"sv}) {
        const outcome o = expect_complete(input);
        CHECK(o.version == 11);
        CHECK(o.status == 200);
    }
}

TEST_CASE("an empty reason phrase, with or without its SP", "[parser]") {
    // "HTTP/1.1 200\r\n" omits the SP the grammar requires; it is accepted by
    // design (nothing is ambiguous without it).
    for (const std::string_view input :
         {"HTTP/1.1 200\r\n\r\n"sv, "HTTP/1.1 200 \r\n\r\n"sv, "HTTP/1.1 200\n\n"sv, "HTTP/1.1 200 \n\n"sv}) {
        const outcome o = expect_complete(input);
        CHECK(o.status == 200);
        CHECK(o.reason == "");
        CHECK(o.head_size == input.size());
    }
}

TEST_CASE("a reason phrase with HTAB and obs-text", "[parser]") {
    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    const outcome o = expect_complete("HTTP/1.1 404 Not\tFound \xe9t\xe9 \x80\xff!\r\n\r\n");
    CHECK(o.status == 404);
    CHECK(o.reason == "Not\tFound \xe9t\xe9 \x80\xff!");
}

TEST_CASE("every byte value inside the reason phrase", "[parser]") {
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        std::string input = "HTTP/1.1 200 a";
        input += ch;
        input += "b\r\n\r\n";
        INFO("byte " << c);
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '\t' || (u >= 0x20 && u != 0x7f)) {
            const outcome o = expect_complete(input);
            CHECK(o.reason == std::string("a") + ch + "b");
        } else if (ch == '\r') {
            expect_error(input, errc::bare_cr);
        } else if (ch == '\n') {
            // The status line ends after "a"; "b" is a field line without a colon.
            expect_error(input, errc::missing_colon);
        } else {
            expect_error(input, errc::bad_status_line);
        }
    }
}

TEST_CASE("LF alone ends a line", "[parser]") {
    // RFC 9112 §2.2: a recipient may accept a lone LF as a line terminator.
    const outcome o = expect_complete("HTTP/1.1 200 OK\nA: 1\nB: 2\n\nbody");
    CHECK(o.reason == "OK");
    CHECK(o.fields == field_list{{"A", "1"}, {"B", "2"}});
    CHECK(o.head_size == 27);

    const outcome mixed = expect_complete("HTTP/1.1 200 OK\r\nA: 1\nB: 2\r\n\nbody");
    CHECK(mixed.fields == field_list{{"A", "1"}, {"B", "2"}});
    CHECK(mixed.head_size == 29);

    const outcome blank_crlf = expect_complete("HTTP/1.1 200 OK\nA: 1\n\r\nbody");
    CHECK(blank_crlf.head_size == 23);
}

TEST_CASE("status codes from 100 to 599 are accepted", "[parser]") {
    for (const int status : {100, 101, 103, 199, 200, 204, 301, 404, 418, 500, 599}) {
        const std::string input = "HTTP/1.1 " + std::to_string(status) + " Whatever\r\n\r\n";
        const outcome o = expect_complete(input);
        CHECK(o.status == status);
        CHECK(o.reason == "Whatever");
    }
}

TEST_CASE("a status that is not 3DIGIT from 100 to 599 is a bad status line", "[parser]") {
    for (const std::string_view input : {
             "HTTP/1.1 099 Too Low\r\n\r\n"sv,
             "HTTP/1.1 000 Zero\r\n\r\n"sv,
             "HTTP/1.1 600 Too High\r\n\r\n"sv,
             "HTTP/1.1 999 Python Accepts\r\n\r\n"sv,
             "HTTP/1.1 1000 Four Digits\r\n\r\n"sv,
             "HTTP/1.1 2000\r\n\r\n"sv,
             "HTTP/1.1 0200 OK\r\n\r\n"sv,
             "HTTP/1.1 +200 OK\r\n\r\n"sv,
             "HTTP/1.1 -200 OK\r\n\r\n"sv,
             "HTTP/1.1 2_00 OK\r\n\r\n"sv,
             "HTTP/1.1  200 OK\r\n\r\n"sv,  // two SP
             "HTTP/1.1 200OK\r\n\r\n"sv,
             "HTTP/1.1 20\r\n\r\n"sv,
             "HTTP/1.1 20 OK\r\n\r\n"sv,
             "HTTP/1.1 2O0 OK\r\n\r\n"sv,
             "HTTP/1.1 \r\n\r\n"sv,
             "HTTP/1.1 OK\r\n\r\n"sv,
             "HTTP/1.1\t200 OK\r\n\r\n"sv,
             "HTTP/1.1 200\tOK\r\n\r\n"sv,
         }) {
        expect_error(input, errc::bad_status_line);
    }
}

TEST_CASE("nothing may come before the status line", "[parser]") {
    for (const std::string_view input : {
             " HTTP/1.1 200 OK\r\n\r\n"sv,
             "\tHTTP/1.1 200 OK\r\n\r\n"sv,
             "\r\nHTTP/1.1 200 OK\r\n\r\n"sv,
             "\nHTTP/1.1 200 OK\r\n\r\n"sv,
             "\r\n\r\n"sv,
         }) {
        expect_error(input, errc::bad_status_line);
    }
}

TEST_CASE("a first line that is not an HTTP status line", "[parser]") {
    for (const std::string_view input : {
             "http/1.1 200 OK\r\n\r\n"sv,
             "HTTPS/1.1 200 OK\r\n\r\n"sv,
             "ICY 200 OK\r\n\r\n"sv,
             "HTTP/1.1\r\n\r\n"sv,
             "HTTP/1.1\n\n"sv,
             "HTTP\r\n\r\n"sv,
             "<html><body>HTTP/0.9 style</body></html>\r\n\r\n"sv,
             "HTTP/a.b 200 OK\r\n\r\n"sv,
         }) {
        expect_error(input, errc::bad_status_line);
    }
}

TEST_CASE("HTTP versions this client does not speak", "[parser]") {
    for (const std::string_view input : {
             "HTTP/2 200\r\n\r\n"sv,
             "HTTP/2.0 200 OK\r\n\r\n"sv,
             "HTTP/3.0 200 OK\r\n\r\n"sv,
             "HTTP/10.0 200\r\n\r\n"sv,
             "HTTP/0.9 200 OK\r\n\r\n"sv,
         }) {
        expect_error(input, errc::unknown_protocol);
    }
}

// ---------------------------------------------------------------------------
// Bare CR (RFC 9112 §2.2)
// ---------------------------------------------------------------------------

TEST_CASE("a bare CR is an error, never a line break", "[parser]") {
    // Python's email parser splits on it and so sees these hidden fields.
    expect_error("HTTP/1.1 200 OK\rX: y\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200 OK\r\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200 \r\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200 OK\r\nX: a\rContent-Length: 2\r\n\r\nab", errc::bare_cr);
    expect_error("HTTP/1.1 200 OK\r\nX: a\r\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200 OK\r\nX: \ra\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200 OK\r\nX\r: a\r\n\r\n", errc::bare_cr);
    // A line starting with CR does not end the section (Python: it does).
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n\rB: 2\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n\r\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200 OK\nA: 1\n\r\r\n\n", errc::bare_cr);
    // Inside an obs-fold line.
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n 2\r3\r\n\r\n", errc::bare_cr);
}

TEST_CASE("a bare CR anywhere in the status line is reported as bare_cr", "[parser]") {
    // A bare CR in the reason is bare_cr (above); one between the version,
    // the status and the reason must be the same error, not bad_status_line.
    expect_error("HTTP/1.1 200\rOK\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1 200\r\r\n\r\n", errc::bare_cr);
    expect_error("HTTP/1.1\r200 OK\r\n\r\n", errc::bare_cr);
}

// ---------------------------------------------------------------------------
// Field names (RFC 9110 §5.1, RFC 9112 §5.1)
// ---------------------------------------------------------------------------

TEST_CASE("whitespace between a field name and its colon is rejected", "[parser]") {
    for (const std::string_view line : {"A : 1"sv, "A\t: 1"sv, "A  : 1"sv, "A \t: 1"sv, "Content-Length : 5"sv}) {
        expect_error(std::string(ok_line) + std::string(line) + "\r\n\r\n", errc::whitespace_before_colon);
    }
}

TEST_CASE("a field name that is not a token is rejected", "[parser]") {
    for (const std::string_view line : {
             "A(b: 1"sv,
             "A/b: 1"sv,
             "(: 1"sv,
             "A\0b: 1"sv,
             "\0: 1"sv,
             "\xc3\xa9t\xc3\xa9: 1"sv,
             "X-\xff: 1"sv,
             ": x"sv,
             ":"sv,
             "A\x01: 1"sv,
             "A\x7f: 1"sv,
             "\"A\": 1"sv,
             "A@b: 1"sv,
             "A,b: 1"sv,
             "A;b: 1"sv,
             "A=b: 1"sv,
             "{A}: 1"sv,
             "[A]: 1"sv,
             "A\\b: 1"sv,
             "A?b: 1"sv,
         }) {
        expect_error(std::string(ok_line) + std::string(line) + "\r\n\r\n", errc::bad_field_name);
    }
}

TEST_CASE("a space or HTAB inside a field name is a bad field name", "[parser]") {
    // The whitespace is not between the name and the colon: more name follows
    // it, so the name itself is not a token (RFC 9110 §5.1).
    for (const std::string_view line : {"A b: 1"sv, "Content Length: 5"sv, "A\tb: 1"sv}) {
        expect_error(std::string(ok_line) + std::string(line) + "\r\n\r\n", errc::bad_field_name);
    }
}

TEST_CASE("a field line without a colon is rejected", "[parser]") {
    expect_error("HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", errc::missing_colon);
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\nX\r\nB: 2\r\n\r\n", errc::missing_colon);
    expect_error("HTTP/1.1 200 OK\nContent-Length\n\n", errc::missing_colon);
}

TEST_CASE("a colonless line with whitespace in it is not whitespace before a colon", "[parser]") {
    // No colon follows the whitespace, so whitespace_before_colon would be
    // wrong; the line has no colon at all.
    for (const std::string_view line : {"Bad Line"sv, "Name "sv, "Name\t"sv}) {
        const outcome o = run(std::string(ok_line) + std::string(line) + "\r\n\r\n");
        INFO("line: \"" << escape(line) << "\" -> " << o);
        CHECK(o.result == parse_result::error);
        CHECK(describe(o.error) == describe(code(errc::missing_colon)));
    }
}

TEST_CASE("every byte value inside a field name", "[parser]") {
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        // SP and HTAB inside a name are covered by the cases above.
        if (ch == ' ' || ch == '\t') continue;
        std::string input(ok_line);
        input += 'A';
        input += ch;
        input += "B: 1\r\n\r\n";
        INFO("byte " << c);
        const bool tchar = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                           "!#$%&'*+-.^_`|~"sv.find(ch) != std::string_view::npos;
        if (tchar) {
            const outcome o = expect_complete(input);
            CHECK(o.fields == field_list{{std::string("A") + ch + "B", "1"}});
        } else if (ch == ':') {
            const outcome o = expect_complete(input);
            CHECK(o.fields == field_list{{"A", "B: 1"}});
        } else if (ch == '\r') {
            expect_error(input, errc::bare_cr);
        } else if (ch == '\n') {
            expect_error(input, errc::missing_colon);  // the line "A" has no colon
        } else {
            expect_error(input, errc::bad_field_name);
        }
    }
}

// ---------------------------------------------------------------------------
// Field values (RFC 9110 §5.5)
// ---------------------------------------------------------------------------

TEST_CASE("every byte value inside a field value", "[parser]") {
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        std::string input(ok_line);
        input += "X: a";
        input += ch;
        input += "b\r\n\r\n";
        INFO("byte " << c);
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '\t' || (u >= 0x20 && u != 0x7f)) {
            const outcome o = expect_complete(input);
            CHECK(o.fields == field_list{{"X", std::string("a") + ch + "b"}});
        } else if (ch == '\r') {
            expect_error(input, errc::bare_cr);
        } else if (ch == '\n') {
            expect_error(input, errc::missing_colon);  // "b" is a line of its own
        } else {
            expect_error(input, errc::bad_field_value);
        }
    }
}

TEST_CASE("NUL, controls and DEL in a value are rejected", "[parser]") {
    for (const std::string_view line :
         {"X: \0"sv, "X: a\0b"sv, "X: \x01"sv, "X: a\x1f"sv, "X: a\x7f"sv, "X: \x0b"sv, "X: \x0c"sv, "X: \x1b[31m"sv}) {
        expect_error(std::string(ok_line) + std::string(line) + "\r\n\r\n", errc::bad_field_value);
    }
}

TEST_CASE("HTAB and obs-text are allowed in a value", "[parser]") {
    const outcome o = expect_complete("HTTP/1.1 200 OK\r\nX: a\tb\x80\xff c\r\nY: \xe9t\xe9\r\n\r\n");
    CHECK(o.fields == field_list{{"X", "a\tb\x80\xff c"}, {"Y", "\xe9t\xe9"}});
}

TEST_CASE("values lose their leading and trailing OWS", "[parser]") {
    // RFC 9110 §5.5; Python keeps the trailing spaces ('2   ').
    const outcome o = expect_complete(
        "HTTP/1.1 200 OK\r\n"
        "B:   2   \r\n"
        "C:\t3\t\r\n"
        "D: a b \t c  \r\n"
        "E:5\r\n"
        "F: \t \t6 \t \t\n"
        "\r\n");
    CHECK(o.fields == field_list{{"B", "2"}, {"C", "3"}, {"D", "a b \t c"}, {"E", "5"}, {"F", "6"}});
}

TEST_CASE("empty values are allowed", "[parser]") {
    const outcome o = expect_complete("HTTP/1.1 200 OK\r\nA:\r\nB: \r\nC:\t \t\r\nD:\nE: e\r\n\r\n");
    CHECK(o.fields == field_list{{"A", ""}, {"B", ""}, {"C", ""}, {"D", ""}, {"E", "e"}});
}

TEST_CASE("a value keeps everything after the first colon", "[parser]") {
    const outcome o = expect_complete("HTTP/1.1 200 OK\r\nLocation: http://h:80/a:b\r\nX:: :\r\n\r\n");
    CHECK(o.fields == field_list{{"Location", "http://h:80/a:b"}, {"X", ": :"}});
}

// ---------------------------------------------------------------------------
// obs-fold (RFC 9112 §5.2): replaced by SP, in place
// ---------------------------------------------------------------------------

TEST_CASE("obs-fold is replaced by spaces and the value becomes one line", "[parser]") {
    // Each CR LF of a fold becomes a SP in the caller's buffer; the line's own
    // leading whitespace stays where it is.
    SECTION("one fold") {
        const outcome o = expect_complete("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\nB: 2\r\n\r\n");
        CHECK(o.fields == field_list{{"A", "1   folded"}, {"B", "2"}});
    }
    SECTION("several folds") {
        const outcome o = expect_complete("HTTP/1.1 200 OK\r\nA: 1\r\n two\r\n  three\r\nB: 2\r\n\r\n");
        CHECK(o.fields == field_list{{"A", "1   two    three"}, {"B", "2"}});
    }
    SECTION("a fold made of whitespace only adds nothing by itself") {
        const outcome trailing = expect_complete("HTTP/1.1 200 OK\r\nA: x\r\n   \r\nB: 2\r\n\r\n");
        CHECK(trailing.fields == field_list{{"A", "x"}, {"B", "2"}});
        // Followed by text, everything from the end of "x" becomes spaces.
        const outcome between = expect_complete("HTTP/1.1 200 OK\r\nA: x\r\n   \r\n y\r\n\r\n");
        CHECK(between.fields == field_list{{"A", "x" + repeat(' ', 8) + "y"}});
    }
    SECTION("a fold onto an empty value") {
        const outcome o = expect_complete("HTTP/1.1 200 OK\r\nA:\r\n y\r\nB: \r\n  z z \r\n  w\r\n\r\n");
        CHECK(o.fields == field_list{{"A", "y"}, {"B", "z z" + repeat(' ', 5) + "w"}});
        const outcome after_blank = expect_complete("HTTP/1.1 200 OK\r\nA:\r\n \r\n y\r\n\r\n");
        CHECK(after_blank.fields == field_list{{"A", "y"}});
    }
    SECTION("trailing OWS before the fold is kept between the parts") {
        const outcome o = expect_complete("HTTP/1.1 200 OK\r\nA: x \r\n y \r\n\r\n");
        CHECK(o.fields == field_list{{"A", "x" + repeat(' ', 4) + "y"}});
    }
    SECTION("LF-only folds") {
        const outcome o = expect_complete("HTTP/1.1 200 OK\nA: 1\n 2\n 3\n\n");
        CHECK(o.fields == field_list{{"A", "1  2  3"}});
    }
    SECTION("a folded Transfer-Encoding reads as one list") {
        const outcome o = expect_complete("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n");
        CHECK(o.fields == field_list{{"Transfer-Encoding", "gzip,   chunked"}});
    }
    SECTION("the head size is unchanged") {
        const std::string_view input = "HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\n\r\nbody";
        CHECK(expect_complete(input).head_size == input.size() - 4);
    }
}

TEST_CASE("obs-fold rewrites the caller's buffer in place", "[parser]") {
    parsed p("HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\n\r\nbody");
    REQUIRE(p.result == parse_result::complete);
    const std::string_view buffer(p.buffer.data(), p.buffer.size());
    CHECK(buffer == "HTTP/1.1 200 OK\r\nA: 1   2\r\n\r\nbody");
    const hc::field f = p.parser.headers()[0];
    CHECK(f.value == "1   2");
    CHECK(f.value.data() == p.buffer.data() + 20);
}

TEST_CASE("an obs-fold replaced with SP leaves no HTAB from the fold", "[parser]") {
    // RFC 9112 §5.2: obs-fold = OWS CRLF RWS, and a user agent "MUST replace
    // each received obs-fold with one or more SP octets". The HTAB that
    // starts the continuation line is part of the obs-fold.
    const outcome o = expect_complete("HTTP/1.1 200 OK\r\nA: 1\r\n\tmore\r\n\r\n");
    CHECK(o.fields == field_list{{"A", "1   more"}});
}

TEST_CASE("an obs-fold before any field is rejected", "[parser]") {
    expect_error("HTTP/1.1 200 OK\r\n X: 1\r\n\r\n", errc::obs_fold_at_start);
    expect_error("HTTP/1.1 200 OK\r\n\tX: 1\r\n\r\n", errc::obs_fold_at_start);
    expect_error("HTTP/1.1 200 OK\n \n\n", errc::obs_fold_at_start);
}

TEST_CASE("an obs-fold line follows the value rules", "[parser]") {
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n 2\0\r\n\r\n"sv, errc::bad_field_value);
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n \x7f\r\n\r\n"sv, errc::bad_field_value);
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n \x01\r\n\r\n"sv, errc::bad_field_value);
}

// ---------------------------------------------------------------------------
// Limits (§1.8, §3.2 item 26)
// ---------------------------------------------------------------------------

namespace {

std::string head_with_fields(std::size_t count) {
    std::string head(ok_line);
    for (std::size_t i = 0; i < count; ++i) head += "H" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
    return head + "\r\n";
}

}  // namespace

TEST_CASE("exactly max_headers field lines pass, one more fails", "[parser][limits]") {
    // Python 3.15: 100 real lines pass, the 101st fails; the blank line does
    // not count.
    const outcome o = expect_complete(head_with_fields(100));
    REQUIRE(o.fields.size() == 100);
    CHECK(o.fields.front() == fld{"H0", "0"});
    CHECK(o.fields.back() == fld{"H99", "99"});
    expect_error(head_with_fields(101), errc::too_many_headers);
    expect_error(head_with_fields(150), errc::too_many_headers);
}

TEST_CASE("a custom header limit counts continuation lines", "[parser][limits]") {
    const hc::parser_limits three{.max_headers = 3};
    CHECK(expect_complete(head_with_fields(3), three).fields.size() == 3);
    expect_error(head_with_fields(4), errc::too_many_headers, three);

    const outcome folded = expect_complete("HTTP/1.1 200 OK\r\nA: 1\r\n b\r\nC: 3\r\n\r\n", three);
    CHECK(folded.fields == field_list{{"A", "1   b"}, {"C", "3"}});
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n b\r\n c\r\nD: 4\r\n\r\n", errc::too_many_headers, three);
    // A continuation made of whitespace only is still a line.
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n \r\n \r\n \r\n\r\n", errc::too_many_headers, three);

    const hc::parser_limits none{.max_headers = 0};
    CHECK(expect_complete("HTTP/1.1 204 No Content\r\n\r\n", none).fields.empty());
    expect_error("HTTP/1.1 200 OK\r\nA: 1\r\n\r\n", errc::too_many_headers, none);
}

TEST_CASE("a status line of exactly max_line_length bytes passes, one more fails", "[parser][limits]") {
    // Python: a line of exactly 65536 bytes including CR LF is accepted.
    const std::string exact = status_line_of(65536);
    REQUIRE(exact.size() == 65536);
    const outcome o = expect_complete(exact + "\r\n");
    CHECK(o.reason.size() == 65536 - 15);
    expect_error(status_line_of(65537) + "\r\n", errc::status_line_too_long);
    // With LF alone the terminator is one byte.
    CHECK(expect_complete(status_line_of(65536, "\n") + "\n").result == parse_result::complete);
    expect_error(status_line_of(65537, "\n") + "\n", errc::status_line_too_long);
    // No LF at all: the error comes as soon as the limit is passed.
    expect_error(repeat('H', 70000), errc::status_line_too_long);
}

TEST_CASE("a header line of exactly max_line_length bytes passes, one more fails", "[parser][limits]") {
    const std::string exact = header_line_of(65536);
    REQUIRE(exact.size() == 65536);
    const outcome o = expect_complete(std::string(ok_line) + exact + "\r\n");
    REQUIRE(o.fields.size() == 1);
    CHECK(o.fields[0].value.size() == 65536 - 5);
    expect_error(std::string(ok_line) + header_line_of(65537) + "\r\n", errc::header_line_too_long);
    CHECK(expect_complete(std::string(ok_line) + header_line_of(65536, "\n") + "\n").result ==
          parse_result::complete);
    expect_error(std::string(ok_line) + header_line_of(65537, "\n") + "\n", errc::header_line_too_long);
}

TEST_CASE("a small line limit, with the line arriving in pieces", "[parser][limits]") {
    // run() feeds each input whole, byte by byte, split and moved.
    const hc::parser_limits small{.max_line_length = 64};
    CHECK(expect_complete(status_line_of(64) + "A: 1\r\n\r\n", small).status == 200);
    expect_error(status_line_of(65) + "A: 1\r\n\r\n", errc::status_line_too_long, small);
    const outcome o = expect_complete(std::string(ok_line) + header_line_of(64) + header_line_of(64, "\n") + "\r\n", small);
    CHECK(o.fields.size() == 2);
    expect_error(std::string(ok_line) + header_line_of(64) + header_line_of(65) + "\r\n", errc::header_line_too_long,
                 small);
    expect_error(std::string(ok_line) + header_line_of(65, "\n") + "\r\n", errc::header_line_too_long, small);
    // A continuation line is a line like any other.
    expect_error(std::string(ok_line) + "A: 1\r\n " + repeat('c', 63) + "\r\n\r\n", errc::header_line_too_long, small);

    // Once 64 bytes of a line have come without an LF, the line cannot end
    // within the limit: the error comes then, not one byte later.
    {
        const std::string line = status_line_of(200);
        std::vector<char> buf(line.begin(), line.end());
        hc::response_head_parser p(small);
        std::error_code ec;
        CHECK(p.parse(std::span<char>(buf.data(), 63), ec) == parse_result::need_more);
        CHECK(p.parse(std::span<char>(buf.data(), 64), ec) == parse_result::error);
        CHECK(ec == code(errc::status_line_too_long));
    }
    {
        const std::string head = std::string(ok_line) + header_line_of(200);
        std::vector<char> buf(head.begin(), head.end());
        hc::response_head_parser p(small);
        std::error_code ec;
        CHECK(p.parse(std::span<char>(buf.data(), ok_line.size() + 63), ec) == parse_result::need_more);
        CHECK(p.parse(std::span<char>(buf.data(), ok_line.size() + 64), ec) == parse_result::error);
        CHECK(ec == code(errc::header_line_too_long));
    }
    // The 64th byte may be the LF that ends the line.
    {
        const std::string head = std::string(ok_line) + header_line_of(64) + "\r\n";
        std::vector<char> buf(head.begin(), head.end());
        hc::response_head_parser p(small);
        std::error_code ec;
        CHECK(p.parse(std::span<char>(buf.data(), ok_line.size() + 63), ec) == parse_result::need_more);
        CHECK(p.parse(std::span<char>(buf.data(), ok_line.size() + 64), ec) == parse_result::need_more);
        CHECK(p.parse(std::span<char>(buf), ec) == parse_result::complete);
    }
}

namespace {

// A head of exactly `total` bytes (total >= 17 + 6 + 2): the status line,
// "P: " padding lines of at most 60 bytes, the blank line.
std::string head_of_size(std::size_t total) {
    std::string head(ok_line);
    std::size_t left = total - head.size() - 2;
    while (left > 0) {
        std::size_t line = left > 60 ? 60 : left;
        if (left - line > 0 && left - line < 6) line -= 6;  // leave room for a last line of 6+
        head += "P: " + repeat('p', line - 5) + "\r\n";
        left -= line;
    }
    return head + "\r\n";
}

}  // namespace

TEST_CASE("the head size cap", "[parser][limits]") {
    const hc::parser_limits cap{.max_head_size = 128};
    REQUIRE(head_of_size(128).size() == 128);
    REQUIRE(head_of_size(129).size() == 129);

    SECTION("exactly max_head_size bytes pass, one more fails") {
        CHECK(expect_complete(head_of_size(128), cap).head_size == 128);
        expect_error(head_of_size(129), errc::head_too_large, cap);
        expect_error(head_of_size(400), errc::head_too_large, cap);
    }
    SECTION("body bytes beyond the cap do not count") {
        const outcome o = expect_complete(head_of_size(128) + repeat('b', 500), cap);
        CHECK(o.head_size == 128);
    }
    SECTION("a single line crossing the cap") {
        expect_error("HTTP/1.1 200 " + repeat('r', 200) + "\r\n\r\n", errc::head_too_large, cap);
        expect_error(std::string(ok_line) + header_line_of(120) + "\r\n", errc::head_too_large, cap);
    }
    SECTION("the cap reached at a line boundary with the head unfinished") {
        std::string head = head_of_size(130);
        head.resize(128);  // no blank line yet; it would come after the cap
        CHECK(head.back() == '\n');
        expect_error(head + "\r\n", errc::head_too_large, cap);
        expect_error(head + "X: 1\r\n\r\n", errc::head_too_large, cap);
    }
    SECTION("the default cap is 256 KiB") {
        // Four long field lines, each within the line limit.
        std::string head(ok_line);
        std::size_t left = 262144 - head.size() - 2;
        while (left > 0) {
            const std::size_t line = left > 65536 ? 65536 : left;
            head += header_line_of(line);
            left -= line;
        }
        head += "\r\n";
        REQUIRE(head.size() == 262144);
        const outcome o = expect_complete(head + "body");
        CHECK(o.head_size == 262144);
        CHECK(o.fields.size() == 4);
        std::string over = head;
        over.insert(over.size() - 4, "v");  // the last field line grows by one byte
        expect_error(over, errc::head_too_large);
    }
}

// ---------------------------------------------------------------------------
// The head and what follows it
// ---------------------------------------------------------------------------

TEST_CASE("the body is not consumed", "[parser]") {
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n";
    // Bytes that would be errors in a head mean nothing after it.
    const std::string body = std::string("\0\r bad\nX :\r\n"sv);
    const outcome o = expect_complete(head + body);
    CHECK(o.head_size == head.size());

    parsed p(head + body);
    REQUIRE(p.result == parse_result::complete);
    CHECK(std::string_view(p.buffer.data() + p.parser.head_size(), body.size()) == body);
}

TEST_CASE("an unfinished head needs more", "[parser]") {
    for (const std::string_view input :
         {""sv, "H"sv, "HTTP/1.1 200 OK"sv, "HTTP/1.1 200 OK\r"sv, "HTTP/1.1 200 OK\r\n"sv,
          "HTTP/1.1 200 OK\r\nA: 1\r\n"sv, "HTTP/1.1 200 OK\r\nA: 1\r\n\r"sv}) {
        const outcome o = run(input);
        INFO("input: \"" << escape(input) << '"');
        CHECK(o.result == parse_result::need_more);
        CHECK_FALSE(o.error);
    }
}

TEST_CASE("parse() after complete returns complete again", "[parser]") {
    const std::string input = "HTTP/1.1 200 OK\r\nA: 1\r\n\r\nbody";
    std::vector<char> buf(input.begin(), input.end());
    hc::response_head_parser p;
    std::error_code ec;
    REQUIRE(p.parse(std::span<char>(buf), ec) == parse_result::complete);
    const std::size_t head_size = p.head_size();
    // More body arrives, and the buffer moves.
    std::vector<char> bigger(buf);
    bigger.insert(bigger.end(), 100, 'x');
    std::fill(buf.begin(), buf.end(), '\0');
    CHECK(p.parse(std::span<char>(bigger), ec) == parse_result::complete);
    CHECK_FALSE(ec);
    CHECK(p.head_size() == head_size);
    CHECK(p.reason() == "OK");
    CHECK(p.headers().size() == 1);
    CHECK(p.headers()[0] == hc::field{"A", "1"});
    CHECK(inside(p.headers()[0].name, bigger.data(), bigger.size()));
}

TEST_CASE("parse() after an error returns the error again", "[parser]") {
    const std::string input = "HTTP/1.1 200 OK\r\nA : 1\r\n\r\n";
    std::vector<char> buf(input.begin(), input.end());
    hc::response_head_parser p;
    std::error_code ec;
    REQUIRE(p.parse(std::span<char>(buf), ec) == parse_result::error);
    ec.clear();
    CHECK(p.parse(std::span<char>(buf), ec) == parse_result::error);
    CHECK(ec == code(errc::whitespace_before_colon));
    CHECK(p.error() == code(errc::whitespace_before_colon));
    CHECK_FALSE(p.complete());
}

TEST_CASE("reset() makes the parser ready for the next head", "[parser]") {
    hc::response_head_parser p;
    std::error_code ec;

    SECTION("after a complete head, as after a 1xx") {
        const std::string input = "HTTP/1.1 100 Continue\r\nX: 1\r\n\r\nHTTP/1.0 404 Not Found\r\nY: 2\r\nZ: 3\r\n\r\n";
        std::vector<char> buf(input.begin(), input.end());
        REQUIRE(p.parse(std::span<char>(buf), ec) == parse_result::complete);
        CHECK(p.status() == 100);
        const std::size_t first = p.head_size();
        p.reset();
        CHECK_FALSE(p.complete());
        CHECK(p.head_size() == 0);
        CHECK(p.headers().empty());
        const std::span<char> rest(buf.data() + first, buf.size() - first);
        REQUIRE(p.parse(rest, ec) == parse_result::complete);
        CHECK(p.version() == 10);
        CHECK(p.status() == 404);
        CHECK(p.reason() == "Not Found");
        CHECK(p.head_size() == rest.size());
        REQUIRE(p.headers().size() == 2);
        CHECK(p.headers()[0] == hc::field{"Y", "2"});
        CHECK(p.headers()[1] == hc::field{"Z", "3"});
    }
    SECTION("after an error") {
        std::string bad = "HTTP/2 200\r\n\r\n";
        REQUIRE(p.parse(std::span<char>(bad), ec) == parse_result::error);
        p.reset();
        CHECK_FALSE(p.error());
        std::string good = "HTTP/1.1 200 OK\r\nA: 1\r\n\r\n";
        CHECK(p.parse(std::span<char>(good), ec) == parse_result::complete);
        CHECK_FALSE(ec);
        CHECK(p.headers().size() == 1);
    }
    SECTION("in the middle of a head") {
        std::string part = "HTTP/1.1 200 OK\r\nA: 1\r\nB:";
        REQUIRE(p.parse(std::span<char>(part), ec) == parse_result::need_more);
        p.reset();
        std::string other = "HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n";
        REQUIRE(p.parse(std::span<char>(other), ec) == parse_result::complete);
        CHECK(p.status() == 301);
        REQUIRE(p.headers().size() == 1);
        CHECK(p.headers()[0] == hc::field{"Location", "/x"});
    }
    SECTION("many times over") {
        for (int i = 0; i < 50; ++i) {
            std::string head = head_with_fields(static_cast<std::size_t>(i % 7));
            REQUIRE(p.parse(std::span<char>(head), ec) == parse_result::complete);
            CHECK(p.headers().size() == static_cast<std::size_t>(i % 7));
            p.reset();
        }
    }
}

TEST_CASE("the std::byte overload parses the same", "[parser]") {
    const std::string input = "HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\n\r\n";
    std::vector<std::byte> buf(input.size());
    std::transform(input.begin(), input.end(), buf.begin(), [](char c) { return static_cast<std::byte>(c); });
    hc::response_head_parser p;
    std::error_code ec;
    CHECK(p.parse(std::span<std::byte>(buf.data(), 10), ec) == parse_result::need_more);
    REQUIRE(p.parse(std::span<std::byte>(buf), ec) == parse_result::complete);
    CHECK(p.headers()[0] == hc::field{"A", "1   2"});
    CHECK(static_cast<const void*>(p.headers()[0].name.data()) == static_cast<const void*>(buf.data() + 17));
}

TEST_CASE("views point into the caller's buffer", "[parser]") {
    parsed p("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Empty:\r\nSet-Cookie: a=1\r\n\r\nbody");
    REQUIRE(p.result == parse_result::complete);
    const char* begin = p.buffer.data();
    const std::size_t head = p.parser.head_size();
    CHECK(p.parser.reason().data() == begin + 13);
    CHECK(p.parser.status_line().data() == begin);
    REQUIRE(p.parser.headers().size() == 3);
    for (const hc::field f : p.parser.headers()) {
        CHECK(inside(f.name, begin, head));
        CHECK(inside(f.value, begin, head));
    }
    CHECK(p.parser.headers()[0].name.data() == begin + 17);
    CHECK(p.parser.headers()[0].value.data() == begin + 31);
    CHECK(p.parser.headers()[2].value.data() == begin + 64);
}

// ---------------------------------------------------------------------------
// error_line() and throw_head_error()
// ---------------------------------------------------------------------------

TEST_CASE("error_line() holds the offending line", "[parser]") {
    SECTION("a status line") {
        parsed p("HTTP/1.1 2000 OK\r\nA: 1\r\n\r\n");
        REQUIRE(p.result == parse_result::error);
        CHECK(p.parser.error_line() == "HTTP/1.1 2000 OK\r\n");
    }
    SECTION("a field line, CRLF and LF") {
        parsed crlf("HTTP/1.1 200 OK\r\nA: 1\r\nBad(Name): x\r\nC: 3\r\n\r\n");
        REQUIRE(crlf.result == parse_result::error);
        CHECK(crlf.parser.error_line() == "Bad(Name): x\r\n");
        parsed lf("HTTP/1.1 200 OK\nA: 1\nX: a\x01\nC: 3\n\n");
        REQUIRE(lf.result == parse_result::error);
        CHECK(lf.parser.error_line() == "X: a\x01\n");
    }
    SECTION("a bare CR") {
        parsed p("HTTP/1.1 200 OK\r\nX: a\rContent-Length: 2\r\n\r\n");
        REQUIRE(p.result == parse_result::error);
        CHECK(p.parser.error_line() == "X: a\rContent-Length: 2\r\n");
    }
    SECTION("the line one too many") {
        parsed p(head_with_fields(101));
        REQUIRE(p.result == parse_result::error);
        CHECK(p.parser.error_line() == "H100: 100\r\n");
    }
    SECTION("a line too long is cut at the limit") {
        parsed p(std::string(ok_line) + header_line_of(100) + "\r\n", {.max_line_length = 64});
        REQUIRE(p.result == parse_result::error);
        CHECK(p.parser.error_line() == header_line_of(100).substr(0, 64));
    }
}

namespace {

// Parses `input` whole, expects an error, and returns what throw_head_error
// throws, as type E.
template <class E, class Check>
void thrown_by(std::string_view input, Check check, hc::parser_limits limits = {}) {
    INFO("input: \"" << escape(input) << '"');
    parsed p(input, limits);
    REQUIRE(p.result == parse_result::error);
    bool caught = false;
    try {
        hc::throw_head_error(p.parser);
    } catch (const E& e) {
        caught = true;
        check(e);
    }
    CHECK(caught);
}

}  // namespace

TEST_CASE("throw_head_error raises the http.client exceptions", "[parser][errors]") {
    SECTION("bad_status_line carries the line as received") {
        thrown_by<hc::bad_status_line>("HTTP/1.1 2000 OK\r\n\r\n", [](const hc::bad_status_line& e) {
            CHECK(e.line() == "HTTP/1.1 2000 OK\r\n");
            // what() is escaped as Python's repr() would show it.
            CHECK(std::string_view(e.what()) == "'HTTP/1.1 2000 OK\\r\\n'");
        });
        thrown_by<hc::bad_status_line>("ICY 200 OK\n\n",
                                       [](const hc::bad_status_line& e) { CHECK(e.line() == "ICY 200 OK\n"); });
        thrown_by<hc::bad_status_line>("\r\nHTTP/1.1 200 OK\r\n\r\n",
                                       [](const hc::bad_status_line& e) { CHECK(e.line() == "\r\n"); });
        thrown_by<hc::http_exception>("HTTP/1.1\r\n\r\n", [](const hc::http_exception& e) {
            CHECK(typeid(e) == typeid(hc::bad_status_line));
        });
    }
    SECTION("unknown_protocol carries the version") {
        thrown_by<hc::unknown_protocol>("HTTP/2 200\r\n\r\n", [](const hc::unknown_protocol& e) {
            CHECK(e.version() == "HTTP/2");
            CHECK(std::string_view(e.what()) == "HTTP/2");
        });
        thrown_by<hc::unknown_protocol>("HTTP/2.0 200 OK\r\n\r\n",
                                        [](const hc::unknown_protocol& e) { CHECK(e.version() == "HTTP/2.0"); });
        thrown_by<hc::unknown_protocol>("HTTP/10.0 200\n\n",
                                        [](const hc::unknown_protocol& e) { CHECK(e.version() == "HTTP/10.0"); });
    }
    SECTION("line_too_long names the kind of line") {
        thrown_by<hc::line_too_long>(status_line_of(65537) + "\r\n", [](const hc::line_too_long& e) {
            CHECK(std::string_view(e.what()) == "got more than 65536 bytes when reading status line");
            CHECK(e.line_type() == "status line");
        });
        thrown_by<hc::line_too_long>(std::string(ok_line) + header_line_of(65537) + "\r\n",
                                     [](const hc::line_too_long& e) {
                                         CHECK(std::string_view(e.what()) ==
                                               "got more than 65536 bytes when reading header line");
                                         CHECK(e.line_type() == "header line");
                                     });
        thrown_by<hc::line_too_long>(
            std::string(ok_line) + header_line_of(65) + "\r\n",
            [](const hc::line_too_long& e) {
                CHECK(std::string_view(e.what()) == "got more than 64 bytes when reading header line");
            },
            {.max_line_length = 64});
    }
    SECTION("too many headers is a plain http_exception") {
        thrown_by<hc::http_exception>(head_with_fields(101), [](const hc::http_exception& e) {
            CHECK(typeid(e) == typeid(hc::http_exception));
            CHECK(std::string_view(e.what()) == "got more than 100 headers");
        });
        thrown_by<hc::http_exception>(
            head_with_fields(4),
            [](const hc::http_exception& e) {
                CHECK(typeid(e) == typeid(hc::http_exception));
                CHECK(std::string_view(e.what()) == "got more than 3 headers");
            },
            {.max_headers = 3});
    }
    SECTION("every other error is a protocol_error with its code") {
        struct case_ {
            std::string input;
            errc expected;
            hc::parser_limits limits;
        };
        const std::vector<case_> cases = {
            {"HTTP/1.1 200 OK\r\nA : 1\r\n\r\n", errc::whitespace_before_colon, {}},
            {"HTTP/1.1 200 OK\r\nA(b): 1\r\n\r\n", errc::bad_field_name, {}},
            {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", errc::missing_colon, {}},
            {"HTTP/1.1 200 OK\r\nX: a\rContent-Length: 2\r\n\r\n", errc::bare_cr, {}},
            {"HTTP/1.1 200 OK\rX: y\r\n\r\n", errc::bare_cr, {}},
            {std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n"sv), errc::bad_field_value, {}},
            {"HTTP/1.1 200 OK\r\n X: 1\r\n\r\n", errc::obs_fold_at_start, {}},
            {head_of_size(129), errc::head_too_large, {.max_head_size = 128}},
        };
        for (const case_& c : cases) {
            thrown_by<hc::protocol_error>(
                c.input,
                [&](const hc::protocol_error& e) {
                    CHECK(e.code() == code(c.expected));
                    CHECK(dynamic_cast<const hc::http_exception*>(&e) != nullptr);
                    // The message starts with the error's own text.
                    CHECK(std::string_view(e.what()).substr(0, code(c.expected).message().size()) ==
                          code(c.expected).message());
                },
                c.limits);
        }
    }
}

// ---------------------------------------------------------------------------
// The SSE2 scanner against the scalar one
// ---------------------------------------------------------------------------

namespace {

// Written from RFC 9110 §5.5 (field-vchar, SP, HTAB, obs-text), not from the
// character table.
bool reference_allowed(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

const char* reference_find(const char* p, const char* end) {
    while (p != end && reference_allowed(static_cast<unsigned char>(*p))) ++p;
    return p;
}

// Every scanner on [p, end); the first disagreement, described, or "".
std::string compare_scanners(const char* p, const char* end, const char* origin) {
    const char* want = reference_find(p, end);
    auto report = [&](std::string_view which, const char* got) {
        return std::string(which) + " at start " + std::to_string(p - origin) + ", length " +
               std::to_string(end - p) + ": got " + std::to_string(got - p) + ", want " + std::to_string(want - p);
    };
    if (const char* got = hc::detail::find_non_field_vchar_scalar(p, end); got != want) return report("scalar", got);
#if HTTPCLIENT_HAS_SSE2
    if (const char* got = hc::detail::find_non_field_vchar_sse2(p, end); got != want) return report("sse2", got);
#endif
    if (const char* got = hc::detail::find_non_field_vchar(p, end); got != want) return report("dispatch", got);
    return {};
}

}  // namespace

TEST_CASE("the field-value scanners agree", "[parser][simd]") {
#if HTTPCLIENT_HAS_SSE2
    INFO("comparing SSE2, scalar and reference");
#else
    INFO("SIMD disabled: comparing scalar and reference");
#endif
    constexpr std::size_t max_start = 16;
    constexpr std::size_t max_length = 80;
    std::vector<char> buf(max_start + max_length + 16);
    std::string first_mismatch;
    std::size_t checked = 0;
    auto sweep = [&] {
        for (std::size_t start = 0; start <= max_start; ++start) {
            for (std::size_t length = 0; length <= max_length; ++length) {
                const char* p = buf.data() + start;
                std::string m = compare_scanners(p, p + length, buf.data());
                ++checked;
                if (!m.empty() && first_mismatch.empty()) first_mismatch = m;
            }
        }
    };

    std::vector<unsigned char> allowed, rejected;
    for (int c = 0; c < 256; ++c) (reference_allowed(static_cast<unsigned char>(c)) ? allowed : rejected).push_back(static_cast<unsigned char>(c));
    REQUIRE(allowed.size() == 256 - 32);

    std::mt19937 rng(0x5eed1234u);
    std::uniform_int_distribution<int> any_byte(0, 255);
    std::uniform_int_distribution<std::size_t> pick_allowed(0, allowed.size() - 1);
    std::uniform_int_distribution<std::size_t> pick_rejected(0, rejected.size() - 1);
    std::uniform_int_distribution<int> one_in(0, 63);

    for (int round = 0; round < 300; ++round) {
        for (char& c : buf) {
            switch (round % 3) {
                case 0: c = static_cast<char>(any_byte(rng)); break;  // every value equally likely
                case 1:  // long valid runs with a rare bad byte
                    c = static_cast<char>(one_in(rng) == 0 ? rejected[pick_rejected(rng)] : allowed[pick_allowed(rng)]);
                    break;
                default: c = static_cast<char>(allowed[pick_allowed(rng)]); break;  // no bad byte at all
            }
        }
        sweep();
    }
    // Each of the 256 byte values in each lane position, in otherwise valid text.
    for (int value = 0; value < 256; ++value) {
        for (std::size_t at = 0; at < 48; ++at) {
            std::fill(buf.begin(), buf.end(), 'a');
            buf[at] = static_cast<char>(value);
            for (std::size_t start = 0; start <= max_start; ++start) {
                for (const std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16},
                                                 std::size_t{17}, std::size_t{31}, std::size_t{32}, std::size_t{48},
                                                 std::size_t{80}}) {
                    const char* p = buf.data() + start;
                    std::string m = compare_scanners(p, p + length, buf.data());
                    ++checked;
                    if (!m.empty() && first_mismatch.empty()) first_mismatch = "byte " + std::to_string(value) + ": " + m;
                }
            }
        }
    }
    CHECK(checked > 400000);
    CHECK(first_mismatch == "");
}

// ---------------------------------------------------------------------------
// Realistic responses
// ---------------------------------------------------------------------------

namespace {

struct corpus_entry {
    std::string_view name;
    std::string_view head;
    int version;
    int status;
    std::string_view reason;
    field_list fields;
};

const std::vector<corpus_entry>& corpus() {
    static const std::vector<corpus_entry> entries = {
        {"nginx static file",
         "HTTP/1.1 200 OK\r\n"
         "Server: nginx/1.24.0\r\n"
         "Date: Tue, 14 May 2024 09:21:07 GMT\r\n"
         "Content-Type: text/html\r\n"
         "Content-Length: 615\r\n"
         "Last-Modified: Tue, 11 Apr 2023 01:45:34 GMT\r\n"
         "Connection: keep-alive\r\n"
         "ETag: \"6434bbbe-267\"\r\n"
         "Vary: Accept-Encoding\r\n"
         "Accept-Ranges: bytes\r\n"
         "\r\n",
         11, 200, "OK",
         {{"Server", "nginx/1.24.0"},
          {"Date", "Tue, 14 May 2024 09:21:07 GMT"},
          {"Content-Type", "text/html"},
          {"Content-Length", "615"},
          {"Last-Modified", "Tue, 11 Apr 2023 01:45:34 GMT"},
          {"Connection", "keep-alive"},
          {"ETag", "\"6434bbbe-267\""},
          {"Vary", "Accept-Encoding"},
          {"Accept-Ranges", "bytes"}}},
        {"nginx 404",
         "HTTP/1.1 404 Not Found\r\n"
         "Server: nginx\r\n"
         "Date: Tue, 14 May 2024 09:22:41 GMT\r\n"
         "Content-Type: text/html; charset=utf-8\r\n"
         "Content-Length: 146\r\n"
         "Connection: close\r\n"
         "X-Frame-Options: SAMEORIGIN\r\n"
         "X-Content-Type-Options: nosniff\r\n"
         "Referrer-Policy: strict-origin-when-cross-origin\r\n"
         "\r\n",
         11, 404, "Not Found",
         {{"Server", "nginx"},
          {"Date", "Tue, 14 May 2024 09:22:41 GMT"},
          {"Content-Type", "text/html; charset=utf-8"},
          {"Content-Length", "146"},
          {"Connection", "close"},
          {"X-Frame-Options", "SAMEORIGIN"},
          {"X-Content-Type-Options", "nosniff"},
          {"Referrer-Policy", "strict-origin-when-cross-origin"}}},
        {"CDN page with cookies",
         "HTTP/1.1 200 OK\r\n"
         "date: Wed, 15 May 2024 12:00:00 GMT\r\n"
         "content-type: text/html; charset=UTF-8\r\n"
         "transfer-encoding: chunked\r\n"
         "connection: keep-alive\r\n"
         "cache-control: max-age=0, private, must-revalidate\r\n"
         "set-cookie: __cf_bm=Zm9vYmFy.YmF6; path=/; expires=Wed, 15-May-24 12:30:00 GMT; domain=.example.com; "
         "HttpOnly; Secure; SameSite=None\r\n"
         "set-cookie: _cfuvid=abc123-1715774400000-0.0.1.1-604800000; path=/; domain=.example.com; HttpOnly; "
         "Secure; SameSite=None\r\n"
         "vary: Accept-Encoding\r\n"
         "strict-transport-security: max-age=31536000; includeSubDomains; preload\r\n"
         "x-content-type-options: nosniff\r\n"
         "report-to: {\"endpoints\":[{\"url\":\"https:\\/\\/a.nel.cloudflare.com\\/report\\/v4?s=abc\"}],"
         "\"group\":\"cf-nel\",\"max_age\":604800}\r\n"
         "nel: {\"success_fraction\":0,\"report_to\":\"cf-nel\",\"max_age\":604800}\r\n"
         "server: cloudflare\r\n"
         "cf-ray: 8840a1b2c3d4e5f6-CDG\r\n"
         "alt-svc: h3=\":443\"; ma=86400\r\n"
         "\r\n",
         11, 200, "OK",
         {{"date", "Wed, 15 May 2024 12:00:00 GMT"},
          {"content-type", "text/html; charset=UTF-8"},
          {"transfer-encoding", "chunked"},
          {"connection", "keep-alive"},
          {"cache-control", "max-age=0, private, must-revalidate"},
          {"set-cookie",
           "__cf_bm=Zm9vYmFy.YmF6; path=/; expires=Wed, 15-May-24 12:30:00 GMT; domain=.example.com; HttpOnly; "
           "Secure; SameSite=None"},
          {"set-cookie",
           "_cfuvid=abc123-1715774400000-0.0.1.1-604800000; path=/; domain=.example.com; HttpOnly; Secure; "
           "SameSite=None"},
          {"vary", "Accept-Encoding"},
          {"strict-transport-security", "max-age=31536000; includeSubDomains; preload"},
          {"x-content-type-options", "nosniff"},
          {"report-to",
           "{\"endpoints\":[{\"url\":\"https:\\/\\/a.nel.cloudflare.com\\/report\\/v4?s=abc\"}],\"group\":\"cf-nel\","
           "\"max_age\":604800}"},
          {"nel", "{\"success_fraction\":0,\"report_to\":\"cf-nel\",\"max_age\":604800}"},
          {"server", "cloudflare"},
          {"cf-ray", "8840a1b2c3d4e5f6-CDG"},
          {"alt-svc", "h3=\":443\"; ma=86400"}}},
        {"JSON API with rate limits",
         "HTTP/1.1 200 OK\r\n"
         "Server: GitHub.com\r\n"
         "Date: Wed, 15 May 2024 12:01:02 GMT\r\n"
         "Content-Type: application/json; charset=utf-8\r\n"
         "Cache-Control: private, max-age=60, s-maxage=60\r\n"
         "Vary: Accept, Authorization, Cookie, X-GitHub-OTP\r\n"
         "ETag: W/\"8f2c1d7e0a9b4c3d2e1f0a9b8c7d6e5f\"\r\n"
         "X-OAuth-Scopes: repo, read:org\r\n"
         "X-Accepted-OAuth-Scopes: \r\n"
         "X-GitHub-Media-Type: github.v3; format=json\r\n"
         "Link: <https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", "
         "<https://api.github.com/repositories/1/issues?page=5>; rel=\"last\"\r\n"
         "x-github-api-version-selected: 2022-11-28\r\n"
         "X-RateLimit-Limit: 5000\r\n"
         "X-RateLimit-Remaining: 4987\r\n"
         "X-RateLimit-Reset: 1715778000\r\n"
         "X-RateLimit-Used: 13\r\n"
         "X-RateLimit-Resource: core\r\n"
         "Access-Control-Expose-Headers: ETag, Link, Location, Retry-After, X-GitHub-OTP\r\n"
         "Access-Control-Allow-Origin: *\r\n"
         "Content-Security-Policy: default-src 'none'\r\n"
         "X-GitHub-Request-Id: C0DE:1A2B:3C4D5E:6F7A8B:66448A10\r\n"
         "\r\n",
         11, 200, "OK",
         {{"Server", "GitHub.com"},
          {"Date", "Wed, 15 May 2024 12:01:02 GMT"},
          {"Content-Type", "application/json; charset=utf-8"},
          {"Cache-Control", "private, max-age=60, s-maxage=60"},
          {"Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"},
          {"ETag", "W/\"8f2c1d7e0a9b4c3d2e1f0a9b8c7d6e5f\""},
          {"X-OAuth-Scopes", "repo, read:org"},
          {"X-Accepted-OAuth-Scopes", ""},
          {"X-GitHub-Media-Type", "github.v3; format=json"},
          {"Link",
           "<https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", "
           "<https://api.github.com/repositories/1/issues?page=5>; rel=\"last\""},
          {"x-github-api-version-selected", "2022-11-28"},
          {"X-RateLimit-Limit", "5000"},
          {"X-RateLimit-Remaining", "4987"},
          {"X-RateLimit-Reset", "1715778000"},
          {"X-RateLimit-Used", "13"},
          {"X-RateLimit-Resource", "core"},
          {"Access-Control-Expose-Headers", "ETag, Link, Location, Retry-After, X-GitHub-OTP"},
          {"Access-Control-Allow-Origin", "*"},
          {"Content-Security-Policy", "default-src 'none'"},
          {"X-GitHub-Request-Id", "C0DE:1A2B:3C4D5E:6F7A8B:66448A10"}}},
        {"object store partial content",
         "HTTP/1.1 206 Partial Content\r\n"
         "x-amz-id-2: Zm9vYmFyYmF6cXV4cXV1eA==\r\n"
         "x-amz-request-id: 4B2F7C3E9A1D5B60\r\n"
         "Date: Thu, 16 May 2024 08:00:00 GMT\r\n"
         "Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
         "ETag: \"d41d8cd98f00b204e9800998ecf8427e\"\r\n"
         "x-amz-server-side-encryption: AES256\r\n"
         "Accept-Ranges: bytes\r\n"
         "Content-Range: bytes 0-1023/146515\r\n"
         "Content-Type: application/octet-stream\r\n"
         "Content-Length: 1024\r\n"
         "Server: AmazonS3\r\n"
         "X-Cache: Hit from cloudfront\r\n"
         "Via: 1.1 0a1b2c3d4e5f.cloudfront.net (CloudFront)\r\n"
         "X-Amz-Cf-Pop: FRA56-P5\r\n"
         "Age: 3127\r\n"
         "\r\n",
         11, 206, "Partial Content",
         {{"x-amz-id-2", "Zm9vYmFyYmF6cXV4cXV1eA=="},
          {"x-amz-request-id", "4B2F7C3E9A1D5B60"},
          {"Date", "Thu, 16 May 2024 08:00:00 GMT"},
          {"Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"},
          {"ETag", "\"d41d8cd98f00b204e9800998ecf8427e\""},
          {"x-amz-server-side-encryption", "AES256"},
          {"Accept-Ranges", "bytes"},
          {"Content-Range", "bytes 0-1023/146515"},
          {"Content-Type", "application/octet-stream"},
          {"Content-Length", "1024"},
          {"Server", "AmazonS3"},
          {"X-Cache", "Hit from cloudfront"},
          {"Via", "1.1 0a1b2c3d4e5f.cloudfront.net (CloudFront)"},
          {"X-Amz-Cf-Pop", "FRA56-P5"},
          {"Age", "3127"}}},
        {"old HTTP/1.0 redirect with LF line ends",
         "HTTP/1.0 301 Moved Permanently\n"
         "Date: Thu, 16 May 2024 08:00:01 GMT\n"
         "Server: Apache/1.3.42 (Unix)\n"
         "Location: http://www.example.org/new/place.html\n"
         "Content-Type: text/html; charset=iso-8859-1\n"
         "Content-Length: 245\n"
         "Expires: Thu, 01 Dec 1994 16:00:00 GMT\n"
         "Pragma: no-cache\n"
         "Connection: close\n"
         "\n",
         10, 301, "Moved Permanently",
         {{"Date", "Thu, 16 May 2024 08:00:01 GMT"},
          {"Server", "Apache/1.3.42 (Unix)"},
          {"Location", "http://www.example.org/new/place.html"},
          {"Content-Type", "text/html; charset=iso-8859-1"},
          {"Content-Length", "245"},
          {"Expires", "Thu, 01 Dec 1994 16:00:00 GMT"},
          {"Pragma", "no-cache"},
          {"Connection", "close"}}},
        {"legacy application server with a folded header",
         "HTTP/1.1 304 Not Modified\r\n"
         "Cache-Control: private\r\n"
         "Expires: Thu, 16 May 2024 08:10:00 GMT\r\n"
         "ETag: \"80f3b4e1a2c7da1:0\"\r\n"
         "Server: Microsoft-IIS/8.5\r\n"
         "P3P: CP=\"IDC DSP COR\r\n"
         " ADM DEVi TAIi PSA\"\r\n"
         "X-Powered-By: ASP.NET\r\n"
         "X-AspNet-Version: 4.0.30319\r\n"
         "Date: Thu, 16 May 2024 08:00:02 GMT\r\n"
         "\r\n",
         11, 304, "Not Modified",
         {{"Cache-Control", "private"},
          {"Expires", "Thu, 16 May 2024 08:10:00 GMT"},
          {"ETag", "\"80f3b4e1a2c7da1:0\""},
          {"Server", "Microsoft-IIS/8.5"},
          {"P3P", "CP=\"IDC DSP COR   ADM DEVi TAIi PSA\""},
          {"X-Powered-By", "ASP.NET"},
          {"X-AspNet-Version", "4.0.30319"},
          {"Date", "Thu, 16 May 2024 08:00:02 GMT"}}},
        {"interim 103 Early Hints",
         "HTTP/1.1 103 Early Hints\r\n"
         "Link: </style.css>; rel=preload; as=style\r\n"
         "Link: </script.js>; rel=preload; as=script\r\n"
         "Link: <https://fonts.example.com>; rel=preconnect\r\n"
         "\r\n",
         11, 103, "Early Hints",
         {{"Link", "</style.css>; rel=preload; as=style"},
          {"Link", "</script.js>; rel=preload; as=script"},
          {"Link", "<https://fonts.example.com>; rel=preconnect"}}},
    };
    return entries;
}

}  // namespace

TEST_CASE("realistic response heads", "[parser][corpus]") {
    for (const corpus_entry& e : corpus()) {
        INFO(e.name);
        const std::string body = "<!doctype html>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
        const outcome o = expect_complete(std::string(e.head) + body);
        CHECK(o.version == e.version);
        CHECK(o.status == e.status);
        CHECK(o.reason == e.reason);
        CHECK(o.head_size == e.head.size());
        CHECK(o.fields == e.fields);
    }
}

TEST_CASE("realistic heads back to back, with reset()", "[parser][corpus]") {
    std::string stream;
    for (const corpus_entry& e : corpus()) stream += e.head;
    std::vector<char> buf(stream.begin(), stream.end());
    hc::response_head_parser p;
    std::size_t offset = 0;
    for (const corpus_entry& e : corpus()) {
        INFO(e.name);
        std::error_code ec;
        REQUIRE(p.parse(std::span<char>(buf.data() + offset, buf.size() - offset), ec) == parse_result::complete);
        CHECK(p.status() == e.status);
        CHECK(p.head_size() == e.head.size());
        CHECK(p.headers().size() == e.fields.size());
        offset += p.head_size();
        p.reset();
    }
    CHECK(offset == buf.size());
}

// ---------------------------------------------------------------------------
// The field-name scanners: SSE2 (letters, digits and '-' sixteen at a time,
// the table for the rest) against the scalar table walk and against the
// token grammar written out here from RFC 9110 §5.6.2.
// ---------------------------------------------------------------------------

namespace {

bool reference_tchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string compare_name_scanners(const char* p, const char* end) {
    const char* want = p;
    while (want != end && reference_tchar(static_cast<unsigned char>(*want))) ++want;
    auto report = [&](std::string_view which, const char* got) {
        return std::string(which) + ": length " + std::to_string(end - p) + ", got " + std::to_string(got - p) +
               ", want " + std::to_string(want - p);
    };
    if (const char* got = hc::detail::find_non_tchar_scalar(p, end); got != want) return report("scalar", got);
#if HTTPCLIENT_HAS_SSE2
    if (const char* got = hc::detail::find_non_tchar_sse2(p, end); got != want) return report("sse2", got);
#endif
    if (const char* got = hc::detail::find_non_tchar(p, end); got != want) return report("dispatch", got);
    return {};
}

}  // namespace

TEST_CASE("the field-name scanners agree", "[parser][simd]") {
    std::vector<unsigned char> tokens, others;
    for (int c = 0; c < 256; ++c) (reference_tchar(static_cast<unsigned char>(c)) ? tokens : others).push_back(static_cast<unsigned char>(c));
    REQUIRE(tokens.size() == 77);

    std::vector<char> buf(96);
    std::mt19937 rng(0x7c4a2026u);
    std::uniform_int_distribution<std::size_t> pick_token(0, tokens.size() - 1);
    std::uniform_int_distribution<std::size_t> pick_other(0, others.size() - 1);
    std::uniform_int_distribution<int> one_in(0, 40);
    std::string first_mismatch;
    std::size_t checked = 0;
    for (int round = 0; round < 400; ++round) {
        for (char& c : buf)
            c = static_cast<char>(one_in(rng) == 0 ? others[pick_other(rng)] : tokens[pick_token(rng)]);
        for (std::size_t start = 0; start < 16; ++start)
            for (std::size_t length = 0; start + length <= buf.size() && length <= 80; ++length) {
                std::string m = compare_name_scanners(buf.data() + start, buf.data() + start + length);
                ++checked;
                if (!m.empty() && first_mismatch.empty()) first_mismatch = m;
            }
    }
    // Each byte value at each lane of a run of letters.
    for (int value = 0; value < 256; ++value)
        for (std::size_t at = 0; at < 40; ++at) {
            std::fill(buf.begin(), buf.end(), 'k');
            buf[at] = static_cast<char>(value);
            for (std::size_t length : {std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{33}, std::size_t{64}}) {
                std::string m = compare_name_scanners(buf.data(), buf.data() + length);
                ++checked;
                if (!m.empty() && first_mismatch.empty()) first_mismatch = "byte " + std::to_string(value) + ": " + m;
            }
        }
    INFO(checked << " ranges checked");
    INFO(first_mismatch);
    CHECK(first_mismatch.empty());
}
