// Tests for chunked.hpp: the chunked transfer coding of RFC 9112 §7.1.
#include <httpclient/chunked.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <optional>
#include <ostream>
#include <random>
#include <ranges>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace hc = httpclient;
namespace views = httpclient::views;
using namespace std::literals;
using hc::errc;

namespace {

std::string str(std::span<const std::byte> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Every piece a view yields, copied out as it is yielded.
template <class View>
std::vector<std::string> pieces_of(View&& view) {
    std::vector<std::string> out;
    for (std::span<const std::byte> piece : view) out.push_back(str(piece));
    return out;
}

template <class View>
std::string joined(View&& view) {
    std::string out;
    for (std::span<const std::byte> piece : view) out += str(piece);
    return out;
}

// Control characters made visible, for INFO messages.
std::string printable(std::string_view text, std::size_t max = 120) {
    std::string out;
    for (char c : text.substr(0, max)) {
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[static_cast<unsigned char>(c) >> 4];
            out += hex[static_cast<unsigned char>(c) & 0xf];
        } else out += c;
    }
    if (text.size() > max) out += "...(" + std::to_string(text.size()) + " bytes)";
    return out;
}

// ---------------------------------------------------------------------------
// Driving the incremental decoder over an input cut into pieces
// ---------------------------------------------------------------------------

struct decoded {
    std::string body;
    std::error_code ec;
    bool done = false;
    std::size_t consumed = 0;
    std::vector<std::pair<std::string, std::string>> trailers;

    friend bool operator==(const decoded&, const decoded&) = default;
};

std::ostream& operator<<(std::ostream& os, const decoded& d) {
    os << "{body=\"" << printable(d.body) << "\", ec=" << (d.ec ? d.ec.message() : "none")
       << ", done=" << d.done << ", consumed=" << d.consumed << ", trailers=[";
    for (auto& [name, value] : d.trailers) os << name << ": " << printable(value) << "; ";
    return os << "]}";
}

// Feeds wire to a fresh decoder as the pieces [0, cuts[0]), [cuts[0],
// cuts[1]), ..., [cuts.back(), end), each piece until it is used up, the
// decoder is done, or it fails. Also checks the contract of every call.
decoded run_decoder(std::string_view wire, std::span<const std::size_t> cuts,
                    const hc::chunk_limits& limits = {}) {
    hc::chunk_decoder decoder(limits);
    decoded result;
    const auto feed = [&](std::string_view piece) {
        while (!piece.empty()) {
            std::string_view body;
            std::error_code ec;
            const std::size_t n = decoder.decode(piece, body, ec);
            if (n > piece.size()) throw std::logic_error("consumed more than the input");
            if (!body.empty() && (body.data() < piece.data() || body.data() + body.size() > piece.data() + n))
                throw std::logic_error("body is not inside the consumed input");
            if (ec && !body.empty()) throw std::logic_error("body and an error in one call");
            result.body += body;
            result.consumed += n;
            piece.remove_prefix(n);
            if (ec) {
                result.ec = ec;
                if (decoder.error() != ec) throw std::logic_error("error() differs from ec");
                return false;
            }
            if (decoder.done()) return false;
            if (n == 0) throw std::logic_error("no progress on non-empty input");
        }
        return true;
    };
    std::size_t start = 0;
    bool more = true;
    for (std::size_t cut : cuts) {
        if (!(more = feed(wire.substr(start, cut - start)))) break;
        start = cut;
    }
    if (more) feed(wire.substr(start));
    result.done = decoder.done();
    for (hc::field f : decoder.trailers()) result.trailers.emplace_back(f.name, f.value);
    return result;
}

decoded run_whole(std::string_view wire, const hc::chunk_limits& limits = {}) {
    return run_decoder(wire, {}, limits);
}

struct expectation {
    std::string_view body;
    std::optional<errc> error;  // none: no error
    bool done = true;
    std::optional<std::size_t> consumed;  // none: the whole input, if no error
};

// Decodes wire whole, byte by byte, and split in two at every position (or
// at a sample of positions when the input is large), and checks that every
// way gives the same body, error, consumed count and trailers, and that the
// whole run gives what is expected.
decoded check_decode(std::string_view wire, const expectation& expected, const hc::chunk_limits& limits = {}) {
    INFO("input: \"" << printable(wire) << "\"");
    const decoded whole = run_whole(wire, limits);
    CHECK(whole.body == expected.body);
    if (expected.error) CHECK(whole.ec == make_error_code(*expected.error));
    else CHECK_FALSE(whole.ec);
    CHECK(whole.done == expected.done);
    // Where a failing input stops is checked only when a test names it.
    if (expected.consumed) CHECK(whole.consumed == *expected.consumed);
    else if (!expected.error) CHECK(whole.consumed == wire.size());

    std::vector<std::size_t> every_byte;
    for (std::size_t i = 1; i < wire.size(); ++i) every_byte.push_back(i);
    CHECK(run_decoder(wire, every_byte, limits) == whole);

    std::vector<std::size_t> positions;
    if (wire.size() <= 4096) {
        for (std::size_t i = 0; i <= wire.size(); ++i) positions.push_back(i);
    } else {
        for (std::size_t i = 0; i <= wire.size(); ++i)
            if (i < 64 || wire.size() - i < 64 || i % 1021 == 0) positions.push_back(i);
    }
    for (std::size_t at : positions) {
        const std::size_t cut[1] = {at};
        const decoded split = run_decoder(wire, cut, limits);
        if (split != whole) {
            FAIL_CHECK("split at " << at << " gives " << split << " but whole gives " << whole);
            break;
        }
    }
    return whole;
}

const expectation ok_done(std::string_view body) { return {body, std::nullopt, true, std::nullopt}; }
const expectation fails(errc e) { return {"", e, false, std::nullopt}; }
const expectation fails_after(std::string_view body, errc e) { return {body, e, false, std::nullopt}; }

// ---------------------------------------------------------------------------
// Input ranges written for the tests
// ---------------------------------------------------------------------------

// Makes its blocks on demand and returns each by value, as a generator
// would: the iterator is move-only and input-only, and the element is a
// prvalue std::string (long enough to live on the heap, so a dangling view
// of it shows up under ASan).
class block_generator : public std::ranges::view_interface<block_generator> {
public:
    class iterator {
    public:
        using iterator_concept = std::input_iterator_tag;
        using value_type = std::string;
        using difference_type = std::ptrdiff_t;

        iterator() = default;
        explicit iterator(const std::vector<std::size_t>* sizes) : sizes_(sizes) {}
        iterator(iterator&&) = default;
        iterator& operator=(iterator&&) = default;
        iterator(const iterator&) = delete;
        iterator& operator=(const iterator&) = delete;

        std::string operator*() const { return block(index_, (*sizes_)[index_]); }
        iterator& operator++() {
            ++index_;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) {
            return it.index_ == it.sizes_->size();
        }

    private:
        const std::vector<std::size_t>* sizes_ = nullptr;
        std::size_t index_ = 0;
    };

    explicit block_generator(std::vector<std::size_t> sizes) : sizes_(std::move(sizes)) {}
    iterator begin() { return iterator(&sizes_); }
    std::default_sentinel_t end() const { return {}; }

    static std::string block(std::size_t index, std::size_t size) {
        std::string b(size, static_cast<char>('a' + index % 26));
        if (size > 0) b.back() = '#';
        return b;
    }

private:
    std::vector<std::size_t> sizes_;
};

// Like std::ranges::basic_istream_view: operator* returns a reference to a
// buffer in the range that the next increment overwrites.
class stashing_source : public std::ranges::view_interface<stashing_source> {
public:
    class iterator {
    public:
        using iterator_concept = std::input_iterator_tag;
        using value_type = std::string;
        using difference_type = std::ptrdiff_t;

        iterator() = default;
        explicit iterator(stashing_source* parent) : parent_(parent) {}
        const std::string& operator*() const { return parent_->current_; }
        iterator& operator++() {
            parent_->advance();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.parent_->at_end(); }

    private:
        stashing_source* parent_ = nullptr;
    };

    explicit stashing_source(std::vector<std::string> blocks) : blocks_(std::move(blocks)) {}
    iterator begin() {
        index_ = 0;
        load();
        return iterator(this);
    }
    std::default_sentinel_t end() const { return {}; }
    bool at_end() const { return at_end_; }

private:
    void advance() {
        ++index_;
        load();
    }
    void load() {
        at_end_ = index_ >= blocks_.size();
        current_ = at_end_ ? std::string() : blocks_[index_];
    }
    std::vector<std::string> blocks_;
    std::string current_;
    std::size_t index_ = 0;
    bool at_end_ = true;
};

template <class T>
concept pipes_into_chunk_encode = requires(T&& t) { std::forward<T>(t) | views::chunk_encode; };

}  // namespace

// ---------------------------------------------------------------------------
// Compile-time checks
// ---------------------------------------------------------------------------

using encode_over_strings = decltype(std::declval<std::vector<std::string>&>() | views::chunk_encode);
using decode_over_strings = decltype(std::declval<std::vector<std::string>&>() | views::chunk_decode);
using encode_over_generator = decltype(std::declval<block_generator>() | views::chunk_encode);

static_assert(std::ranges::input_range<encode_over_strings>);
static_assert(std::ranges::view<encode_over_strings>);
static_assert(!std::ranges::forward_range<encode_over_strings>);
static_assert(std::same_as<std::ranges::range_reference_t<encode_over_strings>, std::span<const std::byte>>);
static_assert(std::ranges::input_range<decode_over_strings>);
static_assert(std::ranges::view<decode_over_strings>);
static_assert(std::same_as<std::ranges::range_reference_t<decode_over_strings>, std::span<const std::byte>>);
static_assert(std::ranges::input_range<encode_over_generator>);
static_assert(std::ranges::view<encode_over_generator>);
static_assert(!std::copyable<std::ranges::iterator_t<block_generator>>);

static_assert(hc::byte_buffer<std::string>);
static_assert(hc::byte_buffer<std::string_view>);
static_assert(hc::byte_buffer<std::vector<unsigned char>>);
static_assert(hc::byte_buffer<std::span<const std::byte>>);
static_assert(!hc::byte_buffer<std::vector<int>>);
static_assert(!hc::byte_buffer<std::list<char>>);  // not contiguous
static_assert(hc::byte_buffer_range<std::vector<std::string>>);
static_assert(!hc::byte_buffer_range<std::string>);  // one buffer, not a range of them

static_assert(std::invocable<decltype(views::chunk_encode), std::vector<std::string>&>);
static_assert(std::invocable<decltype(views::chunk_encode), std::vector<std::span<const std::byte>>>);
static_assert(!std::invocable<decltype(views::chunk_encode), int>);
static_assert(!std::invocable<decltype(views::chunk_encode), std::vector<int>&>);
static_assert(!std::invocable<decltype(views::chunk_encode), std::string&>);
static_assert(!std::invocable<decltype(views::chunk_decode), int>);
static_assert(!std::invocable<decltype(views::chunk_decode), std::string&>);
static_assert(pipes_into_chunk_encode<std::vector<std::string>&>);
static_assert(!pipes_into_chunk_encode<int>);
static_assert(!pipes_into_chunk_encode<std::vector<int>&>);
static_assert(!pipes_into_chunk_encode<std::string>);

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

TEST_CASE("chunk_encode gives Python's bytes and skips empty blocks", "[chunked][encode]") {
    const std::vector<std::string> blocks = {"ab", "", "cd"};
    CHECK(hc::encode_chunked(blocks) == "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n");
    CHECK(pieces_of(blocks | views::chunk_encode) ==
          std::vector<std::string>{"2\r\n", "ab", "\r\n", "2\r\n", "cd", "\r\n", "0\r\n", "\r\n"});
}

TEST_CASE("chunk_encode of no blocks, or only empty ones, is the last-chunk", "[chunked][encode]") {
    CHECK(hc::encode_chunked(std::vector<std::string>{}) == "0\r\n\r\n");
    CHECK(hc::encode_chunked(std::vector<std::string>{"", "", ""}) == "0\r\n\r\n");
    CHECK(pieces_of(std::vector<std::string_view>{} | views::chunk_encode) ==
          std::vector<std::string>{"0\r\n", "\r\n"});
}

TEST_CASE("chunk sizes are upper-case hex without leading zeros", "[chunked][encode]") {
    const auto size_line = [](std::size_t n) {
        const std::vector<std::string> one = {std::string(n, 'x')};
        auto view = one | views::chunk_encode;
        return str(*view.begin());
    };
    CHECK(size_line(1) == "1\r\n");
    CHECK(size_line(10) == "A\r\n");
    CHECK(size_line(15) == "F\r\n");
    CHECK(size_line(16) == "10\r\n");
    CHECK(size_line(255) == "FF\r\n");
    CHECK(size_line(4096) == "1000\r\n");
    CHECK(size_line(0xABCDE) == "ABCDE\r\n");
    CHECK(hc::encode_chunked(std::vector<std::string>{std::string(10, 'z')}) ==
          "A\r\n" + std::string(10, 'z') + "\r\n0\r\n\r\n");
}

TEST_CASE("blocks of every byte type encode the same", "[chunked][encode]") {
    const std::string expected = "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n";
    CHECK(hc::encode_chunked(std::vector<std::string_view>{"abc", "d"}) == expected);
    CHECK(hc::encode_chunked(std::vector<std::vector<char>>{{'a', 'b', 'c'}, {'d'}}) == expected);
    CHECK(hc::encode_chunked(std::vector<std::vector<unsigned char>>{{'a', 'b', 'c'}, {'d'}}) == expected);
    const std::string abc = "abc", d = "d";
    const std::vector<std::span<const std::byte>> spans = {std::as_bytes(std::span(abc)),
                                                           std::as_bytes(std::span(d))};
    CHECK(hc::encode_chunked(spans) == expected);
    CHECK(hc::encode_chunked(std::array<std::string_view, 2>{"abc", "d"}) == expected);
    CHECK(hc::encode_chunked(std::list<std::string>{"abc", "d"}) == expected);
}

TEST_CASE("data pieces are the input's own bytes", "[chunked][encode]") {
    const std::vector<std::string> blocks = {std::string(100, 'a'), std::string(3, 'b')};
    auto view = blocks | views::chunk_encode;
    auto it = view.begin();
    ++it;  // past the size line
    CHECK(reinterpret_cast<const char*>((*it).data()) == blocks[0].data());
    CHECK((*it).size() == 100);
    ++it;
    ++it;
    ++it;
    CHECK(reinterpret_cast<const char*>((*it).data()) == blocks[1].data());

    // The fixed pieces are static: the same address every time.
    auto other = blocks | views::chunk_encode;
    auto a = view.begin();
    auto b = other.begin();
    ++a, ++a, ++b, ++b;  // both at the first data CRLF
    CHECK((*a).data() == (*b).data());
}

TEST_CASE("chunk_encode sends trailer fields", "[chunked][encode][trailers]") {
    const std::vector<std::string> blocks = {"ab"};
    CHECK(hc::encode_chunked(blocks, {{"X-Checksum", "abc"}, {"Expires", "0"}}) ==
          "2\r\nab\r\n0\r\nX-Checksum: abc\r\nExpires: 0\r\n\r\n");
    CHECK(pieces_of(blocks | views::chunk_encode({{"X-A", "1"}})) ==
          std::vector<std::string>{"2\r\n", "ab", "\r\n", "0\r\n", "X-A: 1\r\n", "\r\n"});

    const std::vector<hc::field> fields = {{"Server-Timing", "total;dur=12"}};
    CHECK(hc::encode_chunked(std::vector<std::string>{}, fields) == "0\r\nServer-Timing: total;dur=12\r\n\r\n");
    CHECK(joined(std::vector<std::string>{} | views::chunk_encode(fields)) ==
          "0\r\nServer-Timing: total;dur=12\r\n\r\n");
    // No fields is no trailer section.
    CHECK(hc::encode_chunked(blocks, std::vector<hc::field>{}) == "2\r\nab\r\n0\r\n\r\n");
}

TEST_CASE("invalid trailer fields throw when the adaptor is made", "[chunked][encode][trailers]") {
    CHECK_THROWS_AS(views::chunk_encode({{"Bad Name", "v"}}), hc::invalid_header_name);
    CHECK_THROWS_AS(views::chunk_encode({{"", "v"}}), hc::invalid_header_name);
    CHECK_THROWS_AS(views::chunk_encode({{"X:Y", "v"}}), hc::invalid_header_name);
    CHECK_THROWS_AS(views::chunk_encode({{"X", "a\r\nInjected: 1"}}), hc::invalid_header_value);
    CHECK_THROWS_AS(views::chunk_encode({{"X", "a\nb"}}), hc::invalid_header_value);
    CHECK_THROWS_AS(views::chunk_encode({{"X", "a\0b"sv}}), hc::invalid_header_value);
    CHECK_THROWS_AS(views::chunk_encode({{"Ok", "fine"}, {"X", "\x7f"}}), hc::invalid_header_value);
    CHECK_THROWS_WITH(views::chunk_encode({{"X", "a\r\nb"}}), "Invalid header value 'a\\r\\nb'");
    CHECK_THROWS_WITH(views::chunk_encode({{"a b", "v"}}), "Invalid header name 'a b'");
    // Both are ValueError in Python.
    CHECK_THROWS_AS(hc::encode_chunked(std::vector<std::string>{"x"}, {{"A", "\r"}}), hc::value_error);
    CHECK_NOTHROW(views::chunk_encode({{"X-Empty", ""}, {"X-Tab", "a\tb"}, {"X-Latin1", "caf\xe9"}}));
}

TEST_CASE("chunk_encode composes with standard views", "[chunked][encode][compose]") {
    const std::vector<std::string> blocks = {"one", "two", "three", "four"};

    SECTION("after std::views::take") {
        CHECK(joined(blocks | std::views::take(3) | views::chunk_encode) ==
              "3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\n\r\n");
    }
    SECTION("after std::views::filter and a trailer closure") {
        auto odd_sized = [](const std::string& s) { return s.size() % 2 == 1; };
        CHECK(joined(blocks | std::views::filter(odd_sized) | views::chunk_encode({{"N", "3"}})) ==
              "3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\nN: 3\r\n\r\n");
    }
    SECTION("a transform that makes strings by value is cached while in use") {
        auto made = std::views::iota(1, 5) |
                    std::views::transform([](int i) { return std::string(40 * i, static_cast<char>('a' + i)); });
        auto view = made | views::chunk_encode;
        std::string wire;
        // Gather each chunk's three pieces as a writev would, and read them
        // only once the CRLF is reached: all three must still be valid.
        auto it = view.begin();
        int chunks = 0;
        while (it != std::default_sentinel) {
            const std::span<const std::byte> first = *it;
            if (str(first) == "0\r\n") break;
            ++it;
            const std::span<const std::byte> data = *it;
            ++it;
            const std::span<const std::byte> crlf = *it;
            ++chunks;
            wire += str(first) + str(data) + str(crlf);
            ++it;
        }
        CHECK(chunks == 4);
        std::string expected;
        for (int i = 1; i < 5; ++i) {
            std::ostringstream size;
            size << std::uppercase << std::hex << 40 * i;
            expected += size.str() + "\r\n" + std::string(40 * i, static_cast<char>('a' + i)) + "\r\n";
        }
        CHECK(wire == expected);
        CHECK(joined(made | views::chunk_encode) == expected + "0\r\n\r\n");
    }
    SECTION("closure | closure is one closure") {
        auto take_two_then_encode = views::chunk_encode | views::chunk_decode;
        std::string body;
        for (auto piece : blocks | take_two_then_encode) body += str(piece);
        CHECK(body == "onetwothreefour");
        // A composed closure can be composed again.
        auto again = take_two_then_encode | views::chunk_encode;
        CHECK(joined(blocks | again) == "3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n4\r\nfour\r\n0\r\n\r\n");
    }
    SECTION("an owned rvalue range") {
        CHECK(joined(std::vector<std::string>{"xy"} | views::chunk_encode) == "2\r\nxy\r\n0\r\n\r\n");
    }
    SECTION("class template argument deduction") {
        hc::chunk_encode_view view(blocks);
        CHECK(joined(view).starts_with("3\r\none\r\n"));
    }
}

TEST_CASE("chunk_encode over input-only sources", "[chunked][encode][compose]") {
    SECTION("a generator of prvalue blocks with a move-only iterator") {
        block_generator gen({300, 0, 5, 1, 0});
        std::string expected;
        for (std::size_t i : {0u, 2u, 3u}) {
            const std::string b = block_generator::block(i, std::vector<std::size_t>{300, 0, 5, 1, 0}[i]);
            std::ostringstream size;
            size << std::uppercase << std::hex << b.size();
            expected += size.str() + "\r\n" + b + "\r\n";
        }
        CHECK(joined(std::move(gen) | views::chunk_encode) == expected + "0\r\n\r\n");
    }
    SECTION("a source whose element is overwritten by the next increment") {
        const std::vector<std::string> blocks = {std::string(64, 'p'), "", std::string(33, 'q')};
        stashing_source source(blocks);
        CHECK(joined(source | views::chunk_encode) == hc::encode_chunked(blocks));
    }
    SECTION("round trip through both adaptors") {
        block_generator gen({70, 1, 0, 2});
        std::string body;
        for (auto piece : std::move(gen) | views::chunk_encode | views::chunk_decode) body += str(piece);
        CHECK(body == block_generator::block(0, 70) + block_generator::block(1, 1) + block_generator::block(3, 2));
    }
}

// ---------------------------------------------------------------------------
// The incremental decoder: valid input
// ---------------------------------------------------------------------------

TEST_CASE("decoder accepts RFC 9112 chunked bodies", "[chunked][decode]") {
    check_decode("2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n", ok_done("abcd"));
    check_decode("0\r\n\r\n", ok_done(""));
    check_decode("A\r\n0123456789\r\n0\r\n\r\n", ok_done("0123456789"));
    check_decode("a\r\n0123456789\r\n0\r\n\r\n", ok_done("0123456789"));
    check_decode("fF\r\n" + std::string(255, 'x') + "\r\n0\r\n\r\n", ok_done(std::string(255, 'x')));
    check_decode("1000\r\n" + std::string(4096, 'y') + "\r\n0\r\n\r\n", ok_done(std::string(4096, 'y')));
    // RFC 9112 §7.1: last-chunk = 1*("0"); leading zeros are hex digits too.
    check_decode("0002\r\nab\r\n000\r\n\r\n", ok_done("ab"));
    check_decode("00000000000000001\r\nz\r\n0\r\n\r\n", ok_done("z"));  // 17 digits, value 1
    // Chunk data is opaque: CR, LF, NUL and "0\r\n\r\n" inside it are data.
    check_decode("7\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n", ok_done("\r\n0\r\n\r\n"));
    check_decode("3\r\n\0\r\xff\r\n0\r\n\r\n"sv, ok_done("\0\r\xff"sv));
}

TEST_CASE("decoder accepts a lone LF as a line end", "[chunked][decode]") {
    // RFC 9112 §2.2: a recipient MAY recognise a single LF as a line terminator.
    check_decode("2\nab\n0\n\n", ok_done("ab"));
    check_decode("2\r\nab\n2\ncd\r\n0\n\r\n", ok_done("abcd"));
    check_decode("2;x=1\nab\r\n0\nT: v\n\n", ok_done("ab"));
}

TEST_CASE("decoder parses and ignores chunk extensions", "[chunked][decode][extensions]") {
    check_decode("2;name\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2;name=value\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2;a;b=c;d=e\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    // RFC 9112 §7.1.1: BWS around ";" and "=".
    check_decode("2 ;name\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2\t; \tname \t= \tvalue ;x\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2;name=\"quoted value\"\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2;name=\"\"\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2;n=\"a \\\"q\\\" \\\\ \\\t;=\"\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2;n=\"caf\xc3\xa9\"\r\nab\r\n0\r\n\r\n", ok_done("ab"));  // obs-text
    check_decode("2;n=\"v\" ;m=\"w\"\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("0;last=yes\r\n\r\n", ok_done(""));
}

TEST_CASE("decoder keeps trailer fields", "[chunked][decode][trailers]") {
    const decoded d = check_decode("2\r\nab\r\n0\r\nX-A: 1\r\nX-B:  two words \t\r\nx-a:\r\n\r\n", ok_done("ab"));
    CHECK(d.trailers == std::vector<std::pair<std::string, std::string>>{{"X-A", "1"}, {"X-B", "two words"}, {"x-a", ""}});

    hc::chunk_decoder decoder;
    std::string_view body;
    std::error_code ec;
    const std::string wire = "0\r\nETag: \"abc\"\r\nServer-Timing: db;dur=53\r\n\r\n";
    CHECK(decoder.decode(wire, body, ec) == wire.size());
    CHECK_FALSE(ec);
    CHECK(decoder.done());
    const hc::header_view trailers = decoder.trailers();
    REQUIRE(trailers.size() == 2);
    CHECK(trailers.get("etag") == "\"abc\"");
    CHECK(trailers.getheader("server-timing") == "db;dur=53");
}

TEST_CASE("decoder leaves the bytes after the body", "[chunked][decode]") {
    check_decode("0\r\n\r\nHTTP/1.1 200 OK\r\n", {"", std::nullopt, true, 5});
    check_decode("2\r\nab\r\n0\r\nT: 1\r\n\r\nnext", {"ab", std::nullopt, true, 18});
    check_decode("1\nx\n0\n\n\r\n", {"x", std::nullopt, true, 7});

    hc::chunk_decoder decoder;
    std::string_view body;
    std::error_code ec;
    const std::string_view wire = "1\r\nx\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    std::size_t used = 0;
    while (!decoder.done()) used += decoder.decode(wire.substr(used), body, ec);
    CHECK(wire.substr(used).starts_with("HTTP/1.1 204"));
    // Once done, nothing more is consumed and no body is produced.
    CHECK(decoder.decode(wire.substr(used), body, ec) == 0);
    CHECK(body.empty());
    CHECK_FALSE(ec);
}

TEST_CASE("decoder waits for more input without failing", "[chunked][decode]") {
    check_decode("", {"", std::nullopt, false, std::nullopt});
    check_decode("2", {"", std::nullopt, false, std::nullopt});
    check_decode("2\r", {"", std::nullopt, false, std::nullopt});
    check_decode("2\r\na", {"a", std::nullopt, false, std::nullopt});
    check_decode("2\r\nab\r", {"ab", std::nullopt, false, std::nullopt});
    // Python accepts EOF in place of the final CRLF; here the body is not
    // done, so the caller reports an incomplete message.
    check_decode("2\r\nab\r\n0\r\n", {"ab", std::nullopt, false, std::nullopt});
    check_decode("2\r\nab\r\n0\r\nX: 1\r\n", {"ab", std::nullopt, false, std::nullopt});
    check_decode("FFFFFFFFFFFFFFFF\r\nab", {"ab", std::nullopt, false, std::nullopt});
}

// ---------------------------------------------------------------------------
// The incremental decoder: invalid input (semantics §3 items 5-7)
// ---------------------------------------------------------------------------

TEST_CASE("decoder rejects chunk sizes that are not 1*HEXDIG", "[chunked][decode][errors]") {
    // Each of these Python's int(x, 16) accepts or misreads.
    check_decode("0x2\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("+2\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("-1\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("1_0\r\n0123456789abcdef\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode(" 2\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("\t2\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("2 \r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("2\t\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("2 3\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("zz\r\n", fails(errc::bad_chunk_size));
    check_decode("2x\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_size));
    check_decode("g\r\n", fails(errc::bad_chunk_size));
    check_decode("\r\n", fails(errc::bad_chunk_size));  // empty size line
    check_decode("\n", fails(errc::bad_chunk_size));
    check_decode(";ext\r\n", fails(errc::bad_chunk_size));
    check_decode("\xd9\xa2\r\n", fails(errc::bad_chunk_size));  // ARABIC-INDIC DIGIT TWO
    check_decode("\xef\xbc\x92\r\n", fails(errc::bad_chunk_size));  // FULLWIDTH DIGIT TWO
    check_decode("2\0\r\n"sv, fails(errc::bad_chunk_size));
    check_decode("2\r\nab\r\n0x0\r\n\r\n", fails_after("ab", errc::bad_chunk_size));
}

TEST_CASE("decoder rejects chunk sizes above 64 bits", "[chunked][decode][errors]") {
    check_decode("FFFFFFFFFFFFFFFF\r\n", {"", std::nullopt, false, std::nullopt});  // 2^64 - 1 fits
    check_decode("FFFFFFFFFFFFFFFF0\r\n", fails(errc::chunk_size_overflow));      // 16 F's and one more
    check_decode("10000000000000000\r\n", fails(errc::chunk_size_overflow));      // 17 digits: 2^64
    check_decode("123456789ABCDEF01234\r\n", fails(errc::chunk_size_overflow));
    check_decode("0000FFFFFFFFFFFFFFFF\r\n", {"", std::nullopt, false, std::nullopt});

    hc::chunk_decoder decoder;
    std::string_view body;
    std::error_code ec;
    CHECK(decoder.decode("FFFFFFFFFFFFFFFF\r\nabc"sv, body, ec) == 21);
    CHECK(decoder.chunk_left() == std::numeric_limits<std::uint64_t>::max() - 3);
}

TEST_CASE("decoder requires CRLF after chunk data", "[chunked][decode][errors]") {
    // Python discards any two bytes here.
    check_decode("2\r\nabXX0\r\n\r\n", fails_after("ab", errc::missing_chunk_crlf));
    check_decode("2\r\nabc\r\n0\r\n\r\n", fails_after("ab", errc::missing_chunk_crlf));
    check_decode("2\r\nab\rX0\r\n\r\n", fails_after("ab", errc::missing_chunk_crlf));
    check_decode("2\r\nab\r\r\n0\r\n\r\n", fails_after("ab", errc::missing_chunk_crlf));
    check_decode("2\r\nab0\r\n\r\n", fails_after("ab", errc::missing_chunk_crlf));
    // Too short a size: the data swallows the CRLF, and "0" is no CRLF.
    check_decode("4\r\nab\r\n0\r\n\r\n", fails_after("ab\r\n", errc::missing_chunk_crlf));
    // Too long a size is only noticed later, as a bad size line.
    check_decode("3\r\nab\r\nX\r\n0\r\n\r\n", fails_after("ab\r", errc::bad_chunk_size));
}

TEST_CASE("decoder rejects a bare CR", "[chunked][decode][errors]") {
    // RFC 9112 §2.2: a CR not followed by LF is invalid.
    check_decode("2\rab\r\n0\r\n\r\n", fails(errc::bare_cr));
    check_decode("2\r\r\nab\r\n0\r\n\r\n", fails(errc::bare_cr));
    check_decode("2;a\rb\r\nab\r\n0\r\n\r\n", fails(errc::bare_cr));
    check_decode("2;a=\"x\ry\"\r\nab\r\n0\r\n\r\n", fails(errc::bare_cr));
    check_decode("\r2\r\n", fails(errc::bare_cr));
    check_decode("0\r\nX: a\rb\r\n\r\n", fails(errc::bare_cr));
    check_decode("0\r\nX\r: a\r\n\r\n", fails(errc::bare_cr));
    check_decode("0\r\n\r\r\n", fails(errc::bare_cr));
    check_decode("0\r\r\n\r\n", fails(errc::bare_cr));
}

TEST_CASE("decoder rejects malformed chunk extensions", "[chunked][decode][errors][extensions]") {
    for (std::string_view ext : {";"sv, "; "sv, ";;"sv, ";=v"sv, ";n="sv, ";n= "sv, ";n v"sv, ";n=v w"sv,
                                 ";n=v "sv, ";n "sv, ";n=\"a\"b"sv, ";n=\"unterminated"sv, ";n=\"a\\"sv,
                                 ";n@x"sv, ";n=v@"sv, ";n=\"\x01\""sv, ";n=\"\x7f\""sv, ";n=\"a\\\x01\""sv,
                                 ";n=a=b"sv, ";(n)"sv, ";n=\"a\" "sv, " ;"sv, " ; n ="sv, ";n\0"sv}) {
        INFO("extension: \"" << printable(ext) << "\"");
        check_decode("2" + std::string(ext) + "\r\nab\r\n0\r\n\r\n", fails(errc::bad_chunk_extension));
        check_decode("0" + std::string(ext) + "\r\n\r\n", fails(errc::bad_chunk_extension));
    }
}

TEST_CASE("decoder caps chunk extension size", "[chunked][decode][errors][extensions][limits]") {
    const hc::chunk_limits limits;
    REQUIRE(limits.max_extension_size == 4096);
    // ";" and the name make the extension: 4096 bytes is the most allowed.
    const std::string at_limit = ";" + std::string(4095, 'n');
    check_decode("2" + at_limit + "\r\nab\r\n0\r\n\r\n", ok_done("ab"));
    check_decode("2" + at_limit + "n\r\nab\r\n0\r\n\r\n", fails(errc::chunk_extension_too_long));
    // BWS before ";" counts, so many small extensions add up too.
    check_decode("2 " + at_limit + "\r\nab\r\n0\r\n\r\n", fails(errc::chunk_extension_too_long));
    std::string many;
    while (many.size() < 5000) many += ";a=b";
    check_decode("2" + many + "\r\nab\r\n0\r\n\r\n", fails(errc::chunk_extension_too_long));

    hc::chunk_limits small;
    small.max_extension_size = 4;
    check_decode("1;a=b\r\nx\r\n0\r\n\r\n", ok_done("x"), small);
    check_decode("1;a=bc\r\nx\r\n0\r\n\r\n", fails(errc::chunk_extension_too_long), small);
    check_decode("1\r\nx\r\n0;a=bc\r\n\r\n", fails_after("x", errc::chunk_extension_too_long), small);
}

TEST_CASE("decoder caps the chunk size line at exactly the limit", "[chunked][decode][errors][limits]") {
    // 65536 bytes including CRLF passes (Python's _MAXLINE); one more fails.
    const std::string zeros_at_limit = std::string(65533, '0') + "1\r\n";
    REQUIRE(zeros_at_limit.size() == 65536);
    check_decode(zeros_at_limit + "x\r\n0\r\n\r\n", ok_done("x"));
    check_decode("0" + zeros_at_limit + "x\r\n0\r\n\r\n", fails(errc::chunk_size_line_too_long));
    // With a lone LF the line can hold one more digit.
    check_decode(std::string(65534, '0') + "1\nx\n0\n\n", ok_done("x"));
    check_decode(std::string(65535, '0') + "1\nx\n0\n\n", fails(errc::chunk_size_line_too_long));
    // An extension that is within its own cap still counts toward the line.
    hc::chunk_limits limits;
    limits.max_line_length = 8;
    check_decode("1;abcd\r\nx\r\n0\r\n\r\n", ok_done("x"), limits);
    check_decode("1;abcde\r\nx\r\n0\r\n\r\n", fails(errc::chunk_size_line_too_long), limits);
    check_decode("000000\r\n\r\n", ok_done(""), limits);
    check_decode("0000000\r\n\r\n", fails(errc::chunk_size_line_too_long), limits);
    // Detected before the line ends: no waiting for an LF that never comes.
    check_decode(std::string(9, '0'), fails(errc::chunk_size_line_too_long), limits);
}

TEST_CASE("decoder caps trailer lines, count and size", "[chunked][decode][errors][trailers][limits]") {
    SECTION("trailer line length at exactly the limit") {
        hc::chunk_limits limits;
        limits.max_trailer_size = 1 << 20;
        const std::string line_at_limit = "X: " + std::string(65531, 'v') + "\r\n";
        REQUIRE(line_at_limit.size() == 65536);
        const decoded d = check_decode("0\r\n" + line_at_limit + "\r\n", ok_done(""), limits);
        REQUIRE(d.trailers.size() == 1);
        CHECK(d.trailers[0].second.size() == 65531);
        check_decode("0\r\nX: v" + std::string(65531, 'v') + "\r\n\r\n", fails(errc::trailer_line_too_long),
                     limits);
        // No LF at all: fails as soon as the line is too long.
        check_decode("0\r\nX: " + std::string(70000, 'v'), fails(errc::trailer_line_too_long), limits);
    }
    SECTION("trailer count") {
        std::string hundred;
        for (int i = 0; i < 100; ++i) hundred += "T" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
        const decoded d = check_decode("0\r\n" + hundred + "\r\n", ok_done(""));
        CHECK(d.trailers.size() == 100);
        check_decode("0\r\n" + hundred + "T100: x\r\n\r\n", fails(errc::too_many_trailers));
        hc::chunk_limits none;
        none.max_trailers = 0;
        check_decode("0\r\n\r\n", ok_done(""), none);
        check_decode("0\r\nA: b\r\n\r\n", fails(errc::too_many_trailers), none);
    }
    SECTION("trailer section size") {
        hc::chunk_limits limits;
        limits.max_trailer_size = 20;
        // 10 + 8 + 2 = 20 bytes of section: allowed; one byte more is not.
        check_decode("0\r\nA: 12345\r\nB: 123\r\n\r\n", ok_done(""), limits);
        check_decode("0\r\nA: 12345\r\nB: 1234\r\n\r\n", fails(errc::trailers_too_large), limits);
        check_decode("0\r\nA: 12345\r\nB: 123\n\r\n", ok_done(""), limits);
        // The default cap is 64 KiB in total, whatever the line lengths.
        std::string big;
        for (int i = 0; i < 90; ++i) big += "X-" + std::to_string(i) + ": " + std::string(1000, 'z') + "\r\n";
        check_decode("0\r\n" + big + "\r\n", fails(errc::trailers_too_large));
    }
}

TEST_CASE("decoder rejects malformed trailer fields", "[chunked][decode][errors][trailers]") {
    check_decode("0\r\nBad Name: x\r\n\r\n", fails(errc::bad_trailer));
    check_decode("0\r\nX : x\r\n\r\n", fails(errc::bad_trailer));  // RFC 9112 §5.1
    check_decode("0\r\nNoColon\r\n\r\n", fails(errc::bad_trailer));
    check_decode("0\r\n: empty name\r\n\r\n", fails(errc::bad_trailer));
    check_decode("0\r\nX: a\x01b\r\n\r\n", fails(errc::bad_trailer));
    check_decode("0\r\nX: a\0b\r\n\r\n"sv, fails(errc::bad_trailer));
    check_decode("0\r\nX(y): 1\r\n\r\n", fails(errc::bad_trailer));
    // obs-fold (RFC 9112 §5.2) is rejected, not unfolded.
    check_decode("0\r\nX: 1\r\n folded\r\n\r\n", fails(errc::bad_trailer));
    check_decode("0\r\nX: 1\r\n\tfolded\r\n\r\n", fails(errc::bad_trailer));
    check_decode("0\r\n \r\n\r\n", fails(errc::bad_trailer));
}

// ---------------------------------------------------------------------------
// The incremental decoder: its state and API
// ---------------------------------------------------------------------------

TEST_CASE("decoder state follows Python's chunk_left", "[chunked][decode][api]") {
    hc::chunk_decoder decoder;
    std::string_view body;
    std::error_code ec;
    CHECK(decoder.chunk_left() == std::nullopt);
    CHECK_FALSE(decoder.in_data());

    CHECK(decoder.decode("5\r\nab"sv, body, ec) == 5);
    CHECK(body == "ab");
    CHECK(decoder.chunk_left() == 3u);
    CHECK(decoder.in_data());

    CHECK(decoder.decode("cde"sv, body, ec) == 3);
    CHECK(body == "cde");
    CHECK(decoder.chunk_left() == 0u);  // data read, CRLF not yet
    CHECK_FALSE(decoder.in_data());

    CHECK(decoder.decode("\r"sv, body, ec) == 1);
    CHECK(decoder.chunk_left() == 0u);
    CHECK(decoder.decode("\n1"sv, body, ec) == 2);
    CHECK(decoder.chunk_left() == std::nullopt);  // in a size line
    CHECK(body.empty());

    CHECK(decoder.decode("\r\nz\r\n0\r\n"sv, body, ec) == 3);  // stops after the data
    CHECK(body == "z");
    CHECK(decoder.decode("\r\n0\r\n"sv, body, ec) == 5);
    CHECK(decoder.chunk_left() == std::nullopt);
    CHECK_FALSE(decoder.done());
    CHECK(decoder.decode("\r\n"sv, body, ec) == 2);
    CHECK(decoder.done());
    CHECK_FALSE(ec);
    CHECK(decoder.body_size() == 6);
}

TEST_CASE("decoder body is a view into the input", "[chunked][decode][api]") {
    hc::chunk_decoder decoder;
    const std::string wire = "4\r\nwxyz\r\n0\r\n\r\n";
    std::span<const std::byte> body;
    std::error_code ec;
    const auto input = std::as_bytes(std::span(wire));
    CHECK(decoder.decode(input, body, ec) == 7);
    CHECK(body.data() == input.data() + 3);
    CHECK(body.size() == 4);
}

TEST_CASE("decoder errors are sticky until reset", "[chunked][decode][api]") {
    hc::chunk_decoder decoder;
    std::string_view body;
    std::error_code ec;
    CHECK(decoder.decode("2\r\nabXX"sv, body, ec) == 5);
    CHECK(body == "ab");
    CHECK_FALSE(ec);
    decoder.decode("XX"sv, body, ec);
    CHECK(ec == make_error_code(errc::missing_chunk_crlf));
    CHECK(decoder.decode("0\r\n\r\n"sv, body, ec) == 0);
    CHECK(ec == make_error_code(errc::missing_chunk_crlf));
    CHECK(decoder.error() == make_error_code(errc::missing_chunk_crlf));
    CHECK_FALSE(decoder.done());

    decoder.reset();
    CHECK_FALSE(decoder.error());
    CHECK(decoder.decode("0\r\nA: 1\r\n\r\n"sv, body, ec) == 11);
    CHECK_FALSE(ec);
    CHECK(decoder.done());
    CHECK(decoder.trailers().size() == 1);
    decoder.reset();
    CHECK(decoder.trailers().empty());
    CHECK(decoder.body_size() == 0);
    CHECK(decoder.decode("1\r\nq\r\n0\r\n\r\n"sv, body, ec) == 4);
    CHECK(body == "q");
}

TEST_CASE("decoder limits are its own", "[chunked][decode][api]") {
    hc::chunk_limits limits;
    limits.max_trailers = 3;
    const hc::chunk_decoder decoder(limits);
    CHECK(decoder.limits().max_trailers == 3);
    CHECK(decoder.limits().max_line_length == 65536);
    CHECK(hc::chunk_decoder().limits().max_trailer_size == 65536);
}

// ---------------------------------------------------------------------------
// The decoding adaptor
// ---------------------------------------------------------------------------

TEST_CASE("chunk_decode yields the body as views into the input", "[chunked][decode][adaptor]") {
    const std::vector<std::string> wire = {"5\r\nhel", "lo\r\n6\r\n world\r", "\n0\r\nT: v\r\n\r\nextra"};
    auto view = wire | views::chunk_decode;
    std::vector<std::string> pieces;
    for (std::span<const std::byte> piece : view) {
        const auto* p = reinterpret_cast<const char*>(piece.data());
        const bool inside = std::ranges::any_of(wire, [&](const std::string& w) {
            return p >= w.data() && p + piece.size() <= w.data() + w.size();
        });
        CHECK(inside);
        pieces.push_back(str(piece));
    }
    CHECK(pieces == std::vector<std::string>{"hel", "lo", " world"});
    REQUIRE(view.trailers().size() == 1);
    CHECK(view.trailers()[0] == hc::field{"T", "v"});
}

TEST_CASE("chunk_decode stops at the end of the body", "[chunked][decode][adaptor]") {
    // The third buffer is never read: a stream would block on it.
    stashing_source source({"1\r\na\r\n", "0\r\n\r\n", "NEXT RESPONSE"});
    CHECK(joined(source | views::chunk_decode) == "a");
    CHECK(joined(std::vector<std::string>{"0\r\n\r\n"} | views::chunk_decode).empty());
    CHECK(joined(std::vector<std::string>{"", "0\r\n", "", "\r\n", ""} | views::chunk_decode).empty());
}

TEST_CASE("chunk_decode throws protocol_error and incomplete_read", "[chunked][decode][adaptor]") {
    const auto decode_all = [](std::vector<std::string> wire) { return joined(wire | views::chunk_decode); };
    CHECK_THROWS_AS(decode_all({"2\r\nabXX"}), hc::protocol_error);
    try {
        decode_all({"0x2\r\n"});
        FAIL("no exception");
    } catch (const hc::protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::bad_chunk_size));
    }
    try {
        (void)joined(std::vector<std::string>{std::string(20, '0')} | views::chunk_decode({.max_line_length = 16}));
        FAIL("no exception");
    } catch (const hc::protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::chunk_size_line_too_long));
        CHECK(std::string(e.what()) == "chunk size line too long: got more than 16 bytes when reading chunk size");
    }
    try {
        decode_all({"2\r\nab\r\n", "0\r\n"});
        FAIL("no exception");
    } catch (const hc::incomplete_read& e) {
        CHECK(e.partial().empty());
        CHECK(e.expected() == std::nullopt);
    }
    CHECK_THROWS_AS(decode_all({}), hc::incomplete_read);
    // Both are http_exception, as in Python.
    CHECK_THROWS_AS(decode_all({"5\r\nab"}), hc::http_exception);
    CHECK_THROWS_AS(decode_all({"0\r\n\tfold\r\n\r\n"}), hc::http_exception);
}

TEST_CASE("chunk_decode caches buffers yielded by value", "[chunked][decode][adaptor]") {
    const std::string wire = "40\r\n" + std::string(64, 'k') + "\r\n0\r\n\r\n";
    auto buffers = std::views::iota(std::size_t{0}, (wire.size() + 6) / 7) |
                   std::views::transform([&](std::size_t i) { return wire.substr(i * 7, 7); });
    CHECK(joined(buffers | views::chunk_decode) == std::string(64, 'k'));
}

TEST_CASE("encode then decode is zero-copy end to end", "[chunked][compose]") {
    const std::vector<std::string> blocks = {std::string(500, 'a'), "", "bc", std::string(70, 'd')};
    std::vector<const std::byte*> addresses;
    for (auto piece : blocks | views::chunk_encode({{"Digest", "sha-256=:x:"}}) | views::chunk_decode)
        addresses.push_back(piece.data());
    REQUIRE(addresses.size() == 3);
    CHECK(reinterpret_cast<const char*>(addresses[0]) == blocks[0].data());
    CHECK(reinterpret_cast<const char*>(addresses[1]) == blocks[2].data());
    CHECK(reinterpret_cast<const char*>(addresses[2]) == blocks[3].data());

    auto both = blocks | views::chunk_encode({{"Digest", "sha-256=:x:"}}) | views::chunk_decode;
    CHECK(joined(both) == blocks[0] + blocks[2] + blocks[3]);
    REQUIRE(both.trailers().size() == 1);
    CHECK(both.trailers()[0] == hc::field{"Digest", "sha-256=:x:"});
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

TEST_CASE("random bodies survive encode then decode", "[chunked][roundtrip]") {
    const std::uint32_t seed = 0x5eed2026u;
    std::mt19937 rng(seed);
    const auto uniform = [&](std::size_t lo, std::size_t hi) {
        return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
    };
    for (int iteration = 0; iteration < 600; ++iteration) {
        INFO("seed " << seed << ", iteration " << iteration);
        // Mostly small bodies, some large; bytes of every value.
        const std::size_t size = uniform(0, 9) == 0 ? uniform(0, 70000) : uniform(0, 600);
        std::string body(size, '\0');
        for (char& c : body) c = static_cast<char>(uniform(0, 255));

        // Cut into blocks of random sizes, empty ones included.
        std::vector<std::string> blocks;
        for (std::size_t at = 0; at < size;) {
            const std::size_t n = std::min(size - at, uniform(0, 3) == 0 ? std::size_t{0} : uniform(1, 700));
            blocks.push_back(body.substr(at, n));
            at += n;
        }
        if (uniform(0, 3) == 0) blocks.emplace_back();

        std::vector<hc::field> trailers;
        if (uniform(0, 4) == 0) trailers.push_back({"X-Iteration", "yes"});
        const std::string wire = hc::encode_chunked(blocks, trailers);

        // Feed the decoder random-sized slices.
        hc::chunk_decoder decoder;
        std::string decoded_body;
        std::size_t at = 0;
        bool failed = false;
        while (!decoder.done() && at < wire.size() && !failed) {
            std::string_view slice = std::string_view(wire).substr(at, uniform(1, 300));
            while (!slice.empty() && !decoder.done()) {
                std::string_view piece;
                std::error_code ec;
                const std::size_t n = decoder.decode(slice, piece, ec);
                decoded_body += piece;
                slice.remove_prefix(n);
                at += n;
                if (ec) {
                    FAIL_CHECK("decode error " << ec.message());
                    failed = true;
                    break;
                }
            }
        }
        REQUIRE(decoder.done());
        CHECK(at == wire.size());
        CHECK(decoded_body == body);
        CHECK(decoder.trailers().size() == trailers.size());

        // And the same through the two adaptors.
        CHECK(joined(blocks | views::chunk_encode(trailers) | views::chunk_decode) == body);
    }
}
