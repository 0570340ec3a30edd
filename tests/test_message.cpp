// http_message and parse_headers(): Python's HTTPMessage and
// http.client.parse_headers() for a header block without a status line.
#include <httpclient/message.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace hc = httpclient;

namespace {

std::vector<std::string> values_of(const hc::http_message& m, std::string_view name) {
    std::vector<std::string> out;
    for (std::string_view v : m.get_all(name)) out.emplace_back(v);
    return out;
}

hc::errc error_of(std::string_view block, hc::parser_limits limits = {}) {
    try {
        (void)hc::parse_headers(block, limits);
    } catch (const hc::protocol_error& e) {
        return static_cast<hc::errc>(e.code().value());
    }
    return hc::errc{};
}

}  // namespace

TEST_CASE("parse_headers reads a block up to its blank line", "[message]") {
    const std::string block = "Content-Type: text/plain\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Empty:\r\n\r\nbody";
    const auto m = hc::parse_headers(block);
    CHECK(m.size() == 4);
    CHECK(m.length() == block.size() - 4);
    CHECK(m.get("content-type") == std::optional<std::string_view>("text/plain"));
    CHECK(m.getheader("CONTENT-TYPE") == std::optional<std::string>("text/plain"));
    CHECK(values_of(m, "Set-Cookie") == std::vector<std::string>{"a=1", "b=2"});
    CHECK(m.getheader("set-cookie") == std::optional<std::string>("a=1, b=2"));
    CHECK(m.getheader("x-empty", "default") == "");
    CHECK(m.getheader("missing", "default") == "default");
    CHECK_FALSE(m.getheader("missing").has_value());
    CHECK(m.contains("X-EMPTY"));
    CHECK(m.count("set-cookie") == 2);
    // Names keep their case and order, as received.
    std::vector<std::string> names;
    for (hc::field f : m) names.emplace_back(f.name);
    CHECK(names == std::vector<std::string>{"Content-Type", "Set-Cookie", "set-cookie", "X-Empty"});
}

TEST_CASE("parse_headers: the end of the input ends the block, as in Python", "[message]") {
    const auto lf = hc::parse_headers("A: 1\nB: 2");
    CHECK(lf.size() == 2);
    CHECK(lf.getheader("b") == std::optional<std::string>("2"));
    CHECK(lf.length() == 9);
    const auto crlf = hc::parse_headers("A: 1\r\n");
    CHECK(crlf.size() == 1);
    CHECK(hc::parse_headers("").empty());
    CHECK(hc::parse_headers("\r\nA: 1\r\n\r\n").empty());  // a blank first line ends the block
}

TEST_CASE("parse_headers keeps the response parser's rules", "[message][stricter]") {
    CHECK(error_of("A : 1\r\n\r\n") == hc::errc::whitespace_before_colon);
    CHECK(error_of("A: 1\rB: 2\r\n\r\n") == hc::errc::bare_cr);
    CHECK(error_of("Bad Line\r\n\r\n") == hc::errc::missing_colon);
    CHECK(error_of("A(b): 1\r\n\r\n") == hc::errc::bad_field_name);
    CHECK(error_of(std::string_view("A: x\0y\r\n\r\n", 10)) == hc::errc::bad_field_value);
    CHECK(error_of(" folded\r\n\r\n") == hc::errc::obs_fold_at_start);
    // obs-fold becomes spaces.
    CHECK(hc::parse_headers("A: x\r\n y\r\n\r\n").getheader("a") == std::optional<std::string>("x   y"));

    // Python's limits and messages.
    std::string hundred, hundred_one;
    for (int i = 0; i < 100; ++i) hundred += "H" + std::to_string(i) + ": v\r\n";
    hundred_one = hundred + "H100: v\r\n";
    CHECK(hc::parse_headers(hundred + "\r\n").size() == 100);
    try {
        (void)hc::parse_headers(hundred_one + "\r\n");
        FAIL("101 lines were accepted");
    } catch (const hc::http_exception& e) {
        CHECK(std::string_view(e.what()) == "got more than 100 headers");
    }
    CHECK_THROWS_AS(hc::parse_headers("A: " + std::string(70000, 'x') + "\r\n\r\n"), hc::line_too_long);
}

TEST_CASE("http_message::from copies a view, which may then go away", "[message]") {
    hc::http_message copy;
    {
        std::string bytes = "HTTP/1.1 200 OK\r\nETag: \"x\"\r\nVary: a\r\nVary: b\r\n\r\n";
        hc::response_head_parser parser;
        std::error_code ec;
        REQUIRE(parser.parse(std::span<char>(bytes), ec) == hc::parse_result::complete);
        copy = hc::http_message::from(parser.headers());
        bytes.assign(bytes.size(), '#');  // the source is gone
    }
    CHECK(copy.size() == 3);
    CHECK(copy.getheader("etag") == std::optional<std::string>("\"x\""));
    CHECK(values_of(copy, "vary") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("for_header_block parsers start at the fields, also after reset()", "[message][parser]") {
    auto parser = hc::response_head_parser::for_header_block();
    std::string block = "A: 1\r\n\r\n";
    std::error_code ec;
    REQUIRE(parser.parse(std::span<char>(block), ec) == hc::parse_result::complete);
    CHECK(parser.headers().size() == 1);
    CHECK(parser.status() == 0);
    parser.reset();
    std::string again = "B: 2\r\nC: 3\r\n\r\n";
    REQUIRE(parser.parse(std::span<char>(again), ec) == hc::parse_result::complete);
    CHECK(parser.headers().size() == 2);
    CHECK(parser.head_size() == again.size());
}
