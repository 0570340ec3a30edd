// libFuzzer target for parser.hpp: the response-head parser.
//
// Each input is parsed, with the default limits and with small ones, three
// ways: whole; in two calls split at a point taken from the input; and in
// three calls with the bytes copied into a fresh buffer before each call (the
// parser keeps offsets and must not look at an old buffer). The three must
// agree. A complete head must satisfy what the parser promises: every view
// inside the head, names that are tokens, values with no CR, LF, NUL or
// other control but HTAB and no surrounding OWS, a status from 100 to 599,
// version 10 or 11, and bytes rewritten only where an obs-fold was. An error
// must turn into an http_exception through throw_head_error.
//
// Any broken invariant calls abort(), so the fuzzer records the input.
//
//   clang++-16 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined
//       -Iinclude tests/fuzz/fuzz_parser.cpp -o fuzz_parser
#include <httpclient/parser.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace hc = httpclient;

void require(bool ok) {
    if (!ok) std::abort();
}

// The rules, written again here rather than taken from detail::chars.
bool is_tchar(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_value_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '\t' || (u >= 0x20 && u != 0x7f);
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

bool inside(std::string_view view, const char* begin, std::size_t size) {
    const std::less_equal<const char*> le;
    return le(begin, view.data()) && le(view.data() + view.size(), begin + size);
}

struct summary {
    hc::parse_result result = hc::parse_result::need_more;
    std::error_code error;
    std::size_t head_size = 0;
    std::size_t fields = 0;
    int version = 0;
    int status = 0;
    std::string reason;
    std::vector<std::string> names_and_values;

    bool operator==(const summary&) const = default;
};

summary summarize(const hc::response_head_parser& p, hc::parse_result r, const std::error_code& ec) {
    summary s;
    s.result = r;
    s.error = ec;
    if (r == hc::parse_result::error) require(ec && ec == p.error());
    if (r != hc::parse_result::error) require(!ec);
    require(p.complete() == (r == hc::parse_result::complete));
    if (r == hc::parse_result::complete) {
        s.head_size = p.head_size();
        s.fields = p.headers().size();
        s.version = p.version();
        s.status = p.status();
        s.reason = std::string(p.reason());
        for (const hc::field f : p.headers()) {
            s.names_and_values.emplace_back(f.name);
            s.names_and_values.emplace_back(f.value);
        }
    }
    return s;
}

// `original` is the input; `buf` the buffer the parser completed in.
void check_complete(const hc::response_head_parser& p, const char* buf, std::size_t size, const std::uint8_t* original) {
    const hc::parser_limits& limits = p.limits();
    const std::size_t head = p.head_size();
    require(head <= size);
    require(head <= limits.max_head_size);
    // "HTTP/1.1 200\n\n" is the shortest head there is.
    require(head >= 14);
    require(buf[head - 1] == '\n');
    require(p.version() == 10 || p.version() == 11);
    require(p.status() >= 100 && p.status() <= 599);
    require(p.headers().size() <= limits.max_headers);

    const std::string_view status_line = p.status_line();
    require(status_line.data() == buf);
    require(status_line.size() + 1 <= limits.max_line_length);
    require(status_line.substr(0, 5) == "HTTP/");
    const std::string_view reason = p.reason();
    require(inside(reason, buf, head));
    for (char c : reason) require(is_value_char(c));

    std::size_t count = 0;
    for (const hc::field f : p.headers()) {
        ++count;
        require(inside(f.name, buf, head));
        require(inside(f.value, buf, head));
        require(!f.name.empty());
        for (char c : f.name) require(is_tchar(c));
        // The name is followed by its colon, right away.
        require(f.name.data()[f.name.size()] == ':');
        for (char c : f.value) require(is_value_char(c));
        if (!f.value.empty()) {
            require(!is_ows(f.value.front()));
            require(!is_ows(f.value.back()));
        }
    }
    require(count == p.headers().size());
    require(static_cast<std::size_t>(p.headers().end() - p.headers().begin()) == count);

    // Only obs-fold is rewritten, and only into SP: every byte that changed
    // was a CR, LF, SP or HTAB of the head, and nothing after the head moved.
    for (std::size_t i = 0; i < size; ++i) {
        const char now = buf[i];
        const auto was = static_cast<char>(original[i]);
        if (now == was) continue;
        require(i < head);
        require(now == ' ');
        require(was == '\r' || was == '\n' || was == '\t' || was == ' ');
    }
}

void check_error(const hc::response_head_parser& p) {
    const std::string_view line = p.error_line();
    try {
        hc::throw_head_error(p);
    } catch (const hc::bad_status_line& e) {
        // The line as received, raw: it may hold a NUL, so what() as a C
        // string may look shorter; line() has it all.
        require(p.error() == hc::errc::bad_status_line);
        require(e.line() == (line.empty() ? std::string_view("''") : line));
    } catch (const hc::unknown_protocol& e) {
        require(p.error() == hc::errc::unknown_protocol);
        require(e.version().substr(0, 5) == "HTTP/");
        require(line.substr(0, e.version().size()) == e.version());
    } catch (const hc::line_too_long& e) {
        require(p.error() == hc::errc::status_line_too_long || p.error() == hc::errc::header_line_too_long);
        require(e.line_type() == (p.error() == hc::errc::status_line_too_long ? "status line" : "header line"));
    } catch (const hc::protocol_error& e) {
        require(e.code() == p.error());
        require(std::strlen(e.what()) > 0);
    } catch (const hc::http_exception& e) {
        require(p.error() == hc::errc::too_many_headers);
        require(std::strlen(e.what()) > 0);
    }
}

summary parse_whole(const std::uint8_t* data, std::size_t size, const hc::parser_limits& limits) {
    std::vector<char> buf(data, data + size);
    hc::response_head_parser p(limits);
    std::error_code ec;
    const hc::parse_result r = p.parse(std::span<char>(buf), ec);
    const summary s = summarize(p, r, ec);
    if (r == hc::parse_result::complete) check_complete(p, buf.data(), buf.size(), data);
    if (r == hc::parse_result::error) {
        const std::string_view line = p.error_line();
        require(inside(line, buf.data(), buf.size()));
        require(line.size() <= limits.max_line_length);
        check_error(p);
    }
    // Asking again changes nothing.
    std::error_code again_ec;
    const hc::parse_result again = p.parse(std::span<char>(buf), again_ec);
    require(summarize(p, again, again_ec) == s);
    return s;
}

summary parse_split(const std::uint8_t* data, std::size_t size, std::size_t cut, const hc::parser_limits& limits) {
    std::vector<char> buf(data, data + size);
    hc::response_head_parser p(limits);
    std::error_code ec;
    const hc::parse_result first = p.parse(std::span<char>(buf.data(), cut), ec);
    if (first == hc::parse_result::complete) require(p.head_size() <= cut);
    const hc::parse_result r = p.parse(std::span<char>(buf), ec);
    if (first != hc::parse_result::need_more) require(r == first);
    const summary s = summarize(p, r, ec);
    if (r == hc::parse_result::complete) check_complete(p, buf.data(), buf.size(), data);
    if (r == hc::parse_result::error) check_error(p);
    return s;
}

summary parse_moved(const std::uint8_t* data, std::size_t size, std::size_t cut1, std::size_t cut2,
                    const hc::parser_limits& limits) {
    hc::response_head_parser p(limits);
    std::vector<char> current;
    hc::parse_result r = hc::parse_result::need_more;
    hc::parse_result settled = hc::parse_result::need_more;
    std::error_code ec;
    for (const std::size_t k : {cut1, cut2, size}) {
        std::vector<char> fresh;
        fresh.reserve(k + 1);
        fresh.assign(current.begin(), current.end());  // keeps the parser's obs-fold rewrites
        fresh.insert(fresh.end(), data + current.size(), data + k);
        std::fill(current.begin(), current.end(), '\0');  // the old buffer is wiped, then freed
        current = std::move(fresh);
        r = p.parse(std::span<char>(current), ec);
        if (settled != hc::parse_result::need_more) require(r == settled);
        settled = r;
    }
    const summary s = summarize(p, r, ec);
    if (r == hc::parse_result::complete) check_complete(p, current.data(), current.size(), data);
    return s;
}

void run(const std::uint8_t* data, std::size_t size, const hc::parser_limits& limits) {
    // Cut points from the input itself, so the fuzzer can steer them.
    std::size_t h = 2166136261u;
    for (std::size_t i = 0; i < size && i < 64; ++i) h = (h ^ data[i]) * 16777619u;
    const std::size_t cut = size == 0 ? 0 : h % (size + 1);
    const std::size_t cut1 = size == 0 ? 0 : (h >> 8) % (size + 1);
    const std::size_t cut2 = cut1 + (size == cut1 ? 0 : (h >> 16) % (size - cut1 + 1));

    const summary whole = parse_whole(data, size, limits);
    require(parse_split(data, size, cut, limits) == whole);
    require(parse_moved(data, size, cut1, cut2, limits) == whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    run(data, size, hc::parser_limits{});
    hc::parser_limits small;
    small.max_line_length = 48;
    small.max_headers = 6;
    small.max_head_size = 300;
    run(data, size, small);
    return 0;
}
