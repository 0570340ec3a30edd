// Tests for headers.hpp: header_view, the fields of a response as views into
// the bytes received.
//
// The accessors follow Python's HTTPMessage and HTTPResponse (§1.5.9 of the
// behaviour reference): get() and operator[]-style lookups give the first
// value, get_all() every value separately, getheader() the values joined
// with ", ", getheaders() the pairs in arrival order with the names as
// received. Views are built two ways: by the parser, as the library does,
// and by hand from detail::field_offsets, so header_view is also tested on
// its own.
#include <httpclient/headers.hpp>
#include <httpclient/parser.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

namespace hc = httpclient;
using namespace std::string_view_literals;

// ---------------------------------------------------------------------------
// Compile-time properties
// ---------------------------------------------------------------------------

using values = decltype(std::declval<const hc::header_view&>().get_all(""));

static_assert(std::random_access_iterator<hc::header_view::iterator>);
static_assert(std::ranges::random_access_range<hc::header_view>);
static_assert(std::ranges::random_access_range<const hc::header_view>);
static_assert(std::ranges::sized_range<hc::header_view>);
static_assert(std::ranges::common_range<hc::header_view>);
static_assert(std::same_as<std::ranges::range_value_t<hc::header_view>, hc::field>);
static_assert(std::same_as<std::ranges::range_reference_t<hc::header_view>, hc::field>);
static_assert(std::sized_sentinel_for<hc::header_view::iterator, hc::header_view::iterator>);

static_assert(std::forward_iterator<values::iterator>);
static_assert(std::ranges::forward_range<values>);
static_assert(std::ranges::forward_range<const values>);
static_assert(std::same_as<std::ranges::range_value_t<values>, std::string_view>);
// It filters as it goes, so it is no more than a forward range.
static_assert(!std::ranges::bidirectional_range<values>);

// getheaders() costs nothing: it is the view itself.
static_assert(std::same_as<decltype(std::declval<const hc::header_view&>().getheaders()), hc::header_view>);
static_assert(std::is_trivially_copyable_v<hc::header_view>);

// ---------------------------------------------------------------------------
// Building views
// ---------------------------------------------------------------------------

// A head parsed into a buffer this object owns. Not copyable: the views point
// into `buffer`.
class parsed {
public:
    explicit parsed(std::string_view head) : buffer_(head.begin(), head.end()) {
        std::error_code ec;
        result_ = parser_.parse(std::span<char>(buffer_), ec);
    }
    parsed(const parsed&) = delete;
    parsed& operator=(const parsed&) = delete;

    [[nodiscard]] bool ok() const { return result_ == hc::parse_result::complete; }
    [[nodiscard]] hc::header_view headers() const { return parser_.headers(); }
    [[nodiscard]] const char* data() const { return buffer_.data(); }
    [[nodiscard]] std::size_t size() const { return buffer_.size(); }

private:
    std::vector<char> buffer_;
    hc::response_head_parser parser_;
    hc::parse_result result_ = hc::parse_result::need_more;
};

// A buffer of "name" "value" runs laid end to end, with no separators, and
// the offsets that describe them: a header_view built without the parser.
class by_hand {
public:
    by_hand(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
        for (const auto& [name, value] : fields) {
            hc::detail::field_offsets f;
            f.name_begin = static_cast<std::uint32_t>(buffer_.size());
            f.name_size = static_cast<std::uint32_t>(name.size());
            buffer_ += name;
            f.value_begin = static_cast<std::uint32_t>(buffer_.size());
            f.value_size = static_cast<std::uint32_t>(value.size());
            buffer_ += value;
            offsets_.push_back(f);
        }
    }
    by_hand(const by_hand&) = delete;
    by_hand& operator=(const by_hand&) = delete;

    [[nodiscard]] hc::header_view headers() const { return {buffer_.data(), offsets_}; }
    [[nodiscard]] const std::string& buffer() const { return buffer_; }

private:
    std::string buffer_;
    std::vector<hc::detail::field_offsets> offsets_;
};

template <class Range>
std::vector<std::string> to_strings(const Range& r) {
    std::vector<std::string> out;
    for (const std::string_view v : r) out.emplace_back(v);
    return out;
}

std::vector<std::pair<std::string, std::string>> to_pairs(const hc::header_view& h) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const hc::field f : h) out.emplace_back(f.name, f.value);
    return out;
}

using pairs = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view sample_head =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Set-Cookie: a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/\r\n"
    "cache-control: no-cache\r\n"
    "SET-COOKIE: b=2, c=3\r\n"
    "X-Empty:\r\n"
    "Vary: Accept\r\n"
    "set-cookie: d=4\r\n"
    "Vary: Cookie\r\n"
    "\r\n";

}  // namespace

template <>
struct Catch::StringMaker<std::pair<std::string, std::string>> {
    static std::string convert(const std::pair<std::string, std::string>& p) {
        return "{\"" + p.first + "\", \"" + p.second + "\"}";
    }
};

// ---------------------------------------------------------------------------
// The range
// ---------------------------------------------------------------------------

TEST_CASE("fields come in arrival order with names as received", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const hc::header_view h = p.headers();
    CHECK(to_pairs(h) == pairs{{"Content-Type", "text/html; charset=utf-8"},
                               {"Set-Cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/"},
                               {"cache-control", "no-cache"},
                               {"SET-COOKIE", "b=2, c=3"},
                               {"X-Empty", ""},
                               {"Vary", "Accept"},
                               {"set-cookie", "d=4"},
                               {"Vary", "Cookie"}});
}

TEST_CASE("size, empty and operator[]", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const hc::header_view h = p.headers();
    CHECK(h.size() == 8);
    CHECK_FALSE(h.empty());
    CHECK(h[0] == hc::field{"Content-Type", "text/html; charset=utf-8"});
    CHECK(h[4] == hc::field{"X-Empty", ""});
    CHECK(h[7] == hc::field{"Vary", "Cookie"});
    CHECK(std::ranges::size(h) == 8);
    CHECK(std::ranges::distance(h) == 8);

    parsed none("HTTP/1.1 204 No Content\r\n\r\n");
    REQUIRE(none.ok());
    CHECK(none.headers().empty());
    CHECK(none.headers().size() == 0);
    CHECK(none.headers().begin() == none.headers().end());

    const hc::header_view defaulted;
    CHECK(defaulted.empty());
    CHECK(defaulted.size() == 0);
    CHECK(defaulted.begin() == defaulted.end());
    CHECK_FALSE(defaulted.get("A").has_value());
    CHECK_FALSE(defaulted.getheader("A").has_value());
    CHECK(defaulted.getheader("A", "d") == "d");
    CHECK(defaulted.get_all("A").empty());
    CHECK(defaulted.count("A") == 0);
}

TEST_CASE("random access through the iterators", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const hc::header_view h = p.headers();
    auto it = h.begin();
    CHECK(h.end() - h.begin() == 8);
    CHECK((*it).name == "Content-Type");
    CHECK(it[2].name == "cache-control");
    CHECK((*(it + 5)).value == "Accept");
    CHECK((*(3 + it)).name == "SET-COOKIE");
    CHECK((*(h.end() - 1)).value == "Cookie");
    it += 6;
    CHECK((*it).value == "d=4");
    it -= 4;
    CHECK((*it).name == "cache-control");
    CHECK((*it++).name == "cache-control");
    CHECK((*it).name == "SET-COOKIE");
    CHECK((*--it).name == "cache-control");
    CHECK((*it--).name == "cache-control");
    CHECK(it == h.begin() + 1);
    CHECK(it < h.end());
    CHECK(h.begin() < it);
    CHECK(it >= h.begin());
    CHECK(it != h.end());
    const hc::header_view::iterator defaulted;
    CHECK(defaulted == hc::header_view::iterator{});

    // Through the standard algorithms and views.
    const auto found = std::ranges::find_if(h, [](const hc::field& f) { return f.name == "X-Empty"; });
    CHECK(found - h.begin() == 4);
    std::vector<std::string> reversed;
    for (const hc::field f : h | std::views::reverse) reversed.emplace_back(f.name);
    CHECK(reversed == std::vector<std::string>{"Vary", "set-cookie", "Vary", "X-Empty", "SET-COOKIE", "cache-control",
                                               "Set-Cookie", "Content-Type"});
    // The iterators yield fields by value, so project with a function that
    // returns the view by value: transform(&field::name) would hand out a
    // reference into a temporary field.
    std::vector<std::string> names;
    for (const std::string_view n : h | std::views::drop(5) | std::views::transform([](hc::field f) { return f.name; }))
        names.emplace_back(n);
    CHECK(names == std::vector<std::string>{"Vary", "set-cookie", "Vary"});
    CHECK(std::ranges::count_if(h, [](const hc::field& f) { return f.value.empty(); }) == 1);
}

TEST_CASE("the views point into the buffer", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const std::less_equal<const char*> le;
    for (const hc::field f : p.headers()) {
        CHECK(le(p.data(), f.name.data()));
        CHECK(le(f.name.data() + f.name.size(), p.data() + p.size()));
        CHECK(le(p.data(), f.value.data()));
        CHECK(le(f.value.data() + f.value.size(), p.data() + p.size()));
    }
    // get() and get_all() hand out the same views, not copies.
    CHECK(p.headers().get("vary")->data() == p.headers()[5].value.data());
    CHECK((*p.headers().get_all("VARY").begin()).data() == p.headers()[5].value.data());
}

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

TEST_CASE("get gives the first value, ignoring case", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const hc::header_view h = p.headers();
    CHECK(h.get("Content-Type") == "text/html; charset=utf-8");
    CHECK(h.get("content-type") == "text/html; charset=utf-8");
    CHECK(h.get("CONTENT-TYPE") == "text/html; charset=utf-8");
    CHECK(h.get("set-cookie") == "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/");
    CHECK(h.get("Vary") == "Accept");
    CHECK(h.get("Cache-Control") == "no-cache");
    // Present but empty is a value, not an absence.
    REQUIRE(h.get("x-empty").has_value());
    CHECK(h.get("x-empty") == "");
    // Names match whole, not by prefix or substring.
    CHECK_FALSE(h.get("Content").has_value());
    CHECK_FALSE(h.get("Content-Type2").has_value());
    CHECK_FALSE(h.get("Type").has_value());
    CHECK_FALSE(h.get("").has_value());
    CHECK_FALSE(h.get("Content-Length").has_value());
}

TEST_CASE("contains and count", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const hc::header_view h = p.headers();
    CHECK(h.contains("set-cookie"));
    CHECK(h.contains("X-EMPTY"));
    CHECK_FALSE(h.contains("Content-Length"));
    CHECK_FALSE(h.contains("Set-Cookie2"));
    CHECK(h.count("Set-Cookie") == 3);
    CHECK(h.count("vary") == 2);
    CHECK(h.count("Content-Type") == 1);
    CHECK(h.count("Content-Length") == 0);
}

TEST_CASE("get_all gives each value separately", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const hc::header_view h = p.headers();

    // RFC 6265 §3: Set-Cookie values contain commas and are never joined.
    const auto cookies = h.get_all("set-cookie");
    CHECK_FALSE(cookies.empty());
    CHECK(to_strings(cookies) ==
          std::vector<std::string>{"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/", "b=2, c=3", "d=4"});
    CHECK(std::ranges::distance(cookies) == 3);
    CHECK(to_strings(h.get_all("Vary")) == std::vector<std::string>{"Accept", "Cookie"});
    CHECK(to_strings(h.get_all("X-Empty")) == std::vector<std::string>{""});

    const auto none = h.get_all("Content-Length");
    CHECK(none.empty());
    CHECK(none.begin() == none.end());
    CHECK(std::ranges::distance(none) == 0);

    // A forward range: it can be walked twice, and copied iterators are independent.
    CHECK(to_strings(cookies) == to_strings(cookies));
    auto a = cookies.begin();
    auto b = a;
    ++a;
    CHECK(*b == "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/");
    CHECK(*a == "b=2, c=3");
    CHECK(*a++ == "b=2, c=3");
    CHECK(*a == "d=4");
    CHECK(++a == cookies.end());

    // Into a container with the iterator-pair constructor.
    const std::vector<std::string_view> vec(cookies.begin(), cookies.end());
    CHECK(vec.size() == 3);
    CHECK(std::ranges::find(cookies, "d=4"sv) != cookies.end());
}

TEST_CASE("getheader joins with \", \" and tells absent from empty", "[headers]") {
    parsed p(sample_head);
    REQUIRE(p.ok());
    const hc::header_view h = p.headers();

    SECTION("without a default") {
        CHECK(h.getheader("Content-Type") == std::optional<std::string>("text/html; charset=utf-8"));
        CHECK(h.getheader("vary") == std::optional<std::string>("Accept, Cookie"));
        // Python joins Set-Cookie too; get_all is the way to read it.
        CHECK(h.getheader("Set-Cookie") ==
              std::optional<std::string>("a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/, b=2, c=3, d=4"));
        REQUIRE(h.getheader("X-Empty").has_value());
        CHECK(*h.getheader("X-Empty") == "");
        CHECK_FALSE(h.getheader("Content-Length").has_value());
    }
    SECTION("with a default") {
        CHECK(h.getheader("Content-Type", "fallback") == "text/html; charset=utf-8");
        CHECK(h.getheader("VARY", "fallback") == "Accept, Cookie");
        // Present but empty gives "", not the default.
        CHECK(h.getheader("X-Empty", "fallback") == "");
        CHECK(h.getheader("Content-Length", "fallback") == "fallback");
        CHECK(h.getheader("Content-Length", "") == "");
    }
    SECTION("empty values keep their place in the join") {
        parsed q("HTTP/1.1 200 OK\r\nA: 1\r\nA:\r\nB: x\r\na: 3\r\nA: \r\n\r\n");
        REQUIRE(q.ok());
        CHECK(q.headers().getheader("a") == std::optional<std::string>("1, , 3, "));
        CHECK(q.headers().getheader("A", "d") == "1, , 3, ");
        CHECK(to_strings(q.headers().get_all("A")) == std::vector<std::string>{"1", "", "3", ""});
    }
}

TEST_CASE("getheaders lists the pairs in order, names as received", "[headers]") {
    parsed p("HTTP/1.1 200 OK\r\nX-Foo: 1\r\nx-foo: 2\r\nContent-LENGTH: 0\r\nX-FOO: 3\r\n\r\n");
    REQUIRE(p.ok());
    const hc::header_view all = p.headers().getheaders();
    CHECK(to_pairs(all) == pairs{{"X-Foo", "1"}, {"x-foo", "2"}, {"Content-LENGTH", "0"}, {"X-FOO", "3"}});
    CHECK(all.size() == p.headers().size());
    CHECK(all.begin() == p.headers().begin());
}

// ---------------------------------------------------------------------------
// A header_view built by hand
// ---------------------------------------------------------------------------

TEST_CASE("a header_view built from field_offsets", "[headers]") {
    const by_hand fields{{"Content-Type", "text/plain"},
                         {"Set-Cookie", "x=1; Path=/"},
                         {"Empty", ""},
                         {"set-cookie", "y=2"},
                         {"X", "a, b"}};
    const hc::header_view h = fields.headers();
    // The buffer holds names and values end to end; nothing else is needed.
    CHECK(fields.buffer() == "Content-Typetext/plainSet-Cookiex=1; Path=/Emptyset-cookiey=2Xa, b");
    CHECK(h.size() == 5);
    CHECK(to_pairs(h) == pairs{{"Content-Type", "text/plain"},
                               {"Set-Cookie", "x=1; Path=/"},
                               {"Empty", ""},
                               {"set-cookie", "y=2"},
                               {"X", "a, b"}});
    CHECK(h[1].name.data() == fields.buffer().data() + 22);
    CHECK(h.get("CONTENT-type") == "text/plain");
    CHECK(h.count("SET-COOKIE") == 2);
    CHECK(to_strings(h.get_all("Set-Cookie")) == std::vector<std::string>{"x=1; Path=/", "y=2"});
    CHECK(h.getheader("set-cookie") == std::optional<std::string>("x=1; Path=/, y=2"));
    CHECK(h.getheader("Empty", "d") == "");
    CHECK(h.getheader("Missing", "d") == "d");
    CHECK(h.getheader("x") == std::optional<std::string>("a, b"));
    CHECK_FALSE(h.contains("Content"));
    CHECK(h.contains("empty"));
}

TEST_CASE("name comparison folds ASCII letters only", "[headers]") {
    // The parser never lets a non-token name through, but a view built by
    // hand can hold one: bytes outside A-Z/a-z compare exactly.
    const by_hand fields{{"\xc9tat", "1"}, {"A_B", "2"}, {"[x]", "3"}};
    const hc::header_view h = fields.headers();
    CHECK(h.get("\xc9tat") == "1");
    CHECK_FALSE(h.get("\xe9tat").has_value());  // Latin-1 É and é are not folded
    CHECK(h.get("\xc9TAT") == "1");
    CHECK(h.get("a_b") == "2");
    CHECK_FALSE(h.get("A-B").has_value());
    CHECK_FALSE(h.get("A\x7f" "B").has_value());
    // '[' (0x5b) and '{' (0x7b) differ by 0x20, like a letter's two cases.
    CHECK_FALSE(h.get("{x}").has_value());
    CHECK(h.get("[X]") == "3");
}

TEST_CASE("a view over no fields", "[headers]") {
    const by_hand fields{};
    const hc::header_view h = fields.headers();
    CHECK(h.empty());
    CHECK(to_pairs(h).empty());
    CHECK(h.get_all("x").empty());
    CHECK(h.getheader("x", "") == "");
}
