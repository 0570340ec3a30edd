// parser.hpp: an incremental, zero-copy parser for HTTP/1.1 response heads.
//
// Feed it everything received so far; it resumes where it stopped, keeping
// offsets rather than pointers, so the receive buffer may grow or move
// between calls. When the head is complete, the reason phrase and every
// field name and value are views into that buffer: nothing is copied and, in
// steady state, nothing is allocated (the field table keeps its capacity
// across reset()).
//
// It is strict where Python's http.client guesses (RFC 9112, and §3 of the
// behaviour reference): a malformed status line, whitespace before a colon,
// a bare CR, a field name that is not a token, or NUL/CR/LF/controls in a
// value are errors with their own error code, never silently dropped fields.
//
// obs-fold (a field line continued on the next line after SP or HTAB) is
// obsolete, but RFC 9112 §5.2 tells a user agent to replace it with SP rather
// than reject it, so that is what happens: the parser overwrites the CRLF in
// place with spaces and the value becomes one line. This is why parse()
// takes a mutable buffer.
#ifndef HTTPCLIENT_PARSER_HPP
#define HTTPCLIENT_PARSER_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/chars.hpp>
#include <httpclient/detail/field_line.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/headers.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

HTTPCLIENT_BEGIN_NAMESPACE

struct parser_limits {
    // Longest line, terminator included (Python's _MAXLINE: a line of
    // exactly this many bytes is accepted, one more is LineTooLong).
    std::size_t max_line_length = 65536;
    // Field lines per head, continuation lines included (Python 3.15's
    // max_response_headers: 100 pass, the 101st fails).
    std::size_t max_headers = 100;
    // The whole head, status line to blank line. Python has no such cap (a
    // head may reach 6.5 MB there); RFC 9110 §5.4 lets a client set one, and
    // 256 KiB is above what real servers send by two orders of magnitude.
    std::size_t max_head_size = 256 * 1024;
};

enum class parse_result {
    need_more,  // the head is not complete: call again with more bytes
    complete,   // the head ended; head_size() bytes of the buffer belong to it
    error,      // the head is invalid; the error code says why
};

class response_head_parser {
public:
    explicit response_head_parser(parser_limits limits = {}) : limits_(limits) {
        // Offsets are 32-bit to halve the field table; the head cap keeps
        // every offset in range.
        if (limits_.max_head_size > std::numeric_limits<std::uint32_t>::max())
            limits_.max_head_size = std::numeric_limits<std::uint32_t>::max();
    }

    // A parser for field lines alone, with no status line before them: a
    // header block as Python's parse_headers() reads it, or a trailer
    // section. The same rules and limits apply; status() and reason() stay
    // empty.
    [[nodiscard]] static response_head_parser for_header_block(parser_limits limits = {}) {
        response_head_parser parser(limits);
        parser.expects_status_line_ = false;
        parser.state_ = state::fields;
        return parser;
    }

    // Parse `received`: every byte of the response received so far, starting
    // with the first byte of the status line. Bytes already accepted must be
    // unchanged, but the buffer may have moved since the last call.
    parse_result parse(std::span<char> received, std::error_code& ec);

    parse_result parse(std::span<std::byte> received, std::error_code& ec) {
        return parse(std::span<char>(reinterpret_cast<char*>(received.data()), received.size()), ec);
    }

    // Forget the head, keeping the field table's capacity, to parse the next
    // response (or the final response after a 1xx).
    void reset() noexcept {
        state_ = expects_status_line_ ? state::status_line : state::fields;
        line_begin_ = scan_ = 0;
        status_ = version_ = 0;
        reason_begin_ = reason_size_ = status_line_size_ = 0;
        last_terminator_ = 0;
        fields_.clear();
        lines_ = 0;
        head_size_ = 0;
        error_ = {};
    }

    [[nodiscard]] bool complete() const noexcept { return state_ == state::done; }
    [[nodiscard]] const parser_limits& limits() const noexcept { return limits_; }

    // After complete():
    [[nodiscard]] int version() const noexcept { return version_; }  // 10 or 11
    [[nodiscard]] int status() const noexcept { return status_; }
    [[nodiscard]] std::string_view reason() const noexcept { return {base_ + reason_begin_, reason_size_}; }
    [[nodiscard]] header_view headers() const noexcept { return {base_, fields_}; }
    [[nodiscard]] std::size_t head_size() const noexcept { return head_size_; }
    // The status line without its terminator, for debug output.
    [[nodiscard]] std::string_view status_line() const noexcept { return {base_, status_line_size_}; }

    // After an error: the error, and the line it was found in, as received
    // (terminator included when it had arrived), for messages.
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    [[nodiscard]] std::string_view error_line() const noexcept { return error_line_; }

private:
    enum class state : std::uint8_t { status_line, fields, done, failed };

    parse_result fail(errc e, std::span<char> buffer, std::size_t line_begin, std::error_code& ec);
    bool fast_field_lines(const char* data, std::size_t size);
    errc parse_status_line(std::string_view line) noexcept;

    parser_limits limits_;
    bool expects_status_line_ = true;
    state state_ = state::status_line;
    const char* base_ = nullptr;
    std::size_t line_begin_ = 0;  // where the line being parsed starts
    std::size_t scan_ = 0;        // where the search for its LF resumes
    int status_ = 0;
    int version_ = 0;
    std::uint32_t reason_begin_ = 0;
    std::uint32_t reason_size_ = 0;
    std::uint32_t status_line_size_ = 0;
    std::size_t last_terminator_ = 0;  // where the previous field line's CRLF starts, for obs-fold
    std::vector<detail::field_offsets> fields_;
    std::size_t lines_ = 0;
    std::size_t head_size_ = 0;
    std::error_code error_;
    std::string_view error_line_;
};

// status-line = HTTP-version SP status-code SP [ reason-phrase ]
// (RFC 9112 §4), with HTTP-version = "HTTP/" DIGIT "." DIGIT (§2.3).
inline errc response_head_parser::parse_status_line(std::string_view line) noexcept {
    using detail::is_digit;
    // RFC 9112 §2.2: a CR that does not end the line is never data.
    if (line.find('\r') != std::string_view::npos) return errc::bare_cr;
    if (line.compare(0, 5, "HTTP/") != 0) return errc::bad_status_line;
    const std::size_t version_end = line.find(' ');
    if (version_end == std::string_view::npos) return errc::bad_status_line;
    if (version_end != 8 || line[6] != '.' || !is_digit(line[5]) || !is_digit(line[7])) {
        // "HTTP/2 200", "HTTP/10.0 200": a version, just not one we speak.
        // Anything else after "HTTP/" is not a status line at all.
        const std::string_view version = line.substr(5, version_end - 5);
        bool numeric = !version.empty();
        for (char c : version) numeric = numeric && (is_digit(c) || c == '.');
        return numeric ? errc::unknown_protocol : errc::bad_status_line;
    }
    if (line.size() < 12) return errc::bad_status_line;
    if (line[5] != '1') return errc::unknown_protocol;
    // RFC 9110 §2.5: a higher minor version is answered as the highest one
    // we implement, so HTTP/1.2 and up read as 1.1.
    version_ = line[7] == '0' ? 10 : 11;
    if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return errc::bad_status_line;
    status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    // RFC 9110 §15: status codes are 100 to 599.
    if (status_ < 100 || status_ > 599) return errc::bad_status_line;
    if (line.size() == 12) {
        // The SP before an empty reason is required by the grammar, but
        // servers omit it and nothing is ambiguous without it (llhttp and
        // picohttpparser accept it too).
        reason_begin_ = 12;
        reason_size_ = 0;
        return {};
    }
    if (line[12] != ' ') return errc::bad_status_line;
    const char* reason = line.data() + 13;
    const char* end = line.data() + line.size();
    const char* stop = detail::find_non_field_vchar(reason, end);
    if (stop != end) return *stop == '\r' ? errc::bare_cr : errc::bad_status_line;
    // Python strips the reason phrase; it carries no meaning (RFC 9112 §4),
    // so surrounding whitespace is dropped here too.
    while (reason != end && detail::is_ows(*reason)) ++reason;
    while (end != reason && detail::is_ows(end[-1])) --end;
    reason_begin_ = static_cast<std::uint32_t>(reason - line.data());
    reason_size_ = static_cast<std::uint32_t>(end - reason);
    return {};
}

// The common case in one pass per line: a name, a colon, a value that runs
// into its CRLF. The value scan stops at the first control byte, which for a
// valid line is the terminator, so no separate search for the LF is needed.
// Anything else (a fold, an error, a line not all here yet, the end of the
// head) is left to the careful path in parse(), which finds the exact error.
// The loop works on locals: `data` is a char pointer, which may alias
// anything, so members would be reloaded after every store. Returns true
// when the field-line limit is exceeded.
inline bool response_head_parser::fast_field_lines(const char* data, std::size_t size) {
    std::size_t pos = line_begin_;
    std::size_t lines = lines_;
    std::size_t last_terminator = last_terminator_;
    std::size_t resume = pos;
    const std::size_t head_end = size < limits_.max_head_size ? size : limits_.max_head_size;
    const std::size_t max_line = limits_.max_line_length;
    const std::size_t max_headers = limits_.max_headers;
    bool too_many = false;
    for (;;) {
        if (pos >= head_end) break;
        const std::size_t limit = head_end - pos > max_line ? pos + max_line : head_end;
        std::size_t i = static_cast<std::size_t>(detail::find_non_tchar(data + pos, data + limit) - data);
        // Name bytes hold no LF: the careful path may start after them.
        resume = i;
        if (i == pos || i >= limit || data[i] != ':') break;
        const std::size_t name_end = i++;
        while (i < limit && detail::is_ows(data[i])) ++i;
        const std::size_t value_begin = i;
        const std::size_t stop = static_cast<std::size_t>(detail::find_non_field_vchar(data + i, data + limit) - data);
        // No LF lies before `stop` either.
        resume = stop;
        std::size_t next = 0;
        if (stop < limit) {
            if (data[stop] == '\n') next = stop + 1;
            else if (data[stop] == '\r' && stop + 1 < limit && data[stop + 1] == '\n') next = stop + 2;
        }
        if (next == 0) break;
        if (++lines > max_headers) {
            too_many = true;
            break;
        }
        std::size_t value_end = stop;
        while (value_end > value_begin && detail::is_ows(data[value_end - 1])) --value_end;
        fields_.push_back({static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(name_end - pos),
                           static_cast<std::uint32_t>(value_begin),
                           static_cast<std::uint32_t>(value_end - value_begin)});
        last_terminator = stop;
        pos = resume = next;
    }
    line_begin_ = pos;
    scan_ = resume;
    lines_ = lines;
    last_terminator_ = last_terminator;
    return too_many;
}

inline parse_result response_head_parser::fail(errc e, std::span<char> buffer, std::size_t line_begin,
                                               std::error_code& ec) {
    state_ = state::failed;
    error_ = ec = make_error_code(e);
    const char* begin = buffer.data() + line_begin;
    const std::size_t available = buffer.size() - line_begin;
    const void* lf = std::memchr(begin, '\n', available);
    const std::size_t size = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - begin) + 1 : available;
    error_line_ = std::string_view(begin, size < limits_.max_line_length ? size : limits_.max_line_length);
    return parse_result::error;
}

inline parse_result response_head_parser::parse(std::span<char> received, std::error_code& ec) {
    ec.clear();
    base_ = received.data();
    if (state_ == state::done) return parse_result::complete;
    if (state_ == state::failed) {
        ec = error_;
        return parse_result::error;
    }
    char* const data = received.data();
    const std::size_t size = received.size();

    for (;;) {
        // Only for a line seen for the first time: a line that arrived in
        // part goes on from scan_ below, so no byte is scanned twice.
        if (state_ == state::fields && scan_ == line_begin_) {
            if (fast_field_lines(data, size)) return fail(errc::too_many_headers, received, line_begin_, ec);
        }
        // Find the end of the current line, looking only at bytes not yet
        // searched, and never further than the line and head limits allow.
        std::size_t window_end = line_begin_ + limits_.max_line_length;
        if (window_end > limits_.max_head_size) window_end = limits_.max_head_size;
        const std::size_t search_end = size < window_end ? size : window_end;
        const void* found = scan_ < search_end ? std::memchr(data + scan_, '\n', search_end - scan_) : nullptr;
        if (!found) {
            scan_ = search_end > scan_ ? search_end : scan_;
            if (search_end < window_end) return parse_result::need_more;
            const bool line_limit = window_end == line_begin_ + limits_.max_line_length;
            if (!line_limit) return fail(errc::head_too_large, received, line_begin_, ec);
            return fail(state_ == state::status_line ? errc::status_line_too_long : errc::header_line_too_long,
                        received, line_begin_, ec);
        }
        const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(found) - data);
        // RFC 9112 §2.2: a lone LF may end a line; a CR before it is part of
        // the terminator. Any other CR is caught by the line's own checks.
        const std::size_t line_end = (lf > line_begin_ && data[lf - 1] == '\r') ? lf - 1 : lf;
        const std::string_view line(data + line_begin_, line_end - line_begin_);
        const std::size_t next = lf + 1;

        if (state_ == state::status_line) {
            if (const errc e = parse_status_line(line); e != errc{}) return fail(e, received, line_begin_, ec);
            status_line_size_ = static_cast<std::uint32_t>(line.size());
            state_ = state::fields;
        } else if (line.empty()) {
            head_size_ = next;
            state_ = state::done;
            return parse_result::complete;
        } else {
            if (++lines_ > limits_.max_headers) return fail(errc::too_many_headers, received, line_begin_, ec);
            if (detail::is_ows(line.front())) {
                // obs-fold: RFC 9112 §5.2 says replace it with SP. The previous
                // line's terminator becomes spaces, so the value stays one
                // contiguous view.
                if (fields_.empty()) return fail(errc::obs_fold_at_start, received, line_begin_, ec);
                std::size_t value_end = 0;
                if (auto e = detail::scan_field_value(line, 0, value_end))
                    return fail(static_cast<errc>(e.value()), received, line_begin_, ec);
                detail::field_offsets& last = fields_.back();
                // A fold with no text changes nothing; the next fold with text
                // blanks everything from the last real terminator on.
                if (value_end > 0) {
                    // The fold is the CRLF and the whitespace around it: all SP.
                    std::size_t first = 0;
                    while (detail::is_ows(line[first])) ++first;
                    std::memset(data + last_terminator_, ' ', line_begin_ + first - last_terminator_);
                    if (last.value_size == 0) {
                        // The value so far was empty: it starts with this line's text.
                        last.value_begin = static_cast<std::uint32_t>(line_begin_ + first);
                        last.value_size = static_cast<std::uint32_t>(value_end - first);
                    } else {
                        last.value_size = static_cast<std::uint32_t>(line_begin_ + value_end - last.value_begin);
                    }
                    last_terminator_ = line_end;
                }
            } else {
                detail::field_line_parts parts;
                if (auto e = detail::parse_field_line(line, parts))
                    return fail(static_cast<errc>(e.value()), received, line_begin_, ec);
                const auto begin = static_cast<std::uint32_t>(line_begin_);
                fields_.push_back({begin, static_cast<std::uint32_t>(parts.name_size),
                                   static_cast<std::uint32_t>(begin + parts.value_begin),
                                   static_cast<std::uint32_t>(parts.value_end - parts.value_begin)});
                last_terminator_ = line_end;
            }
        }
        line_begin_ = scan_ = next;
    }
}

// Raise the http.client exception that matches a head-parsing error.
[[noreturn]] inline void throw_head_error(const response_head_parser& parser) {
    const std::error_code ec = parser.error();
    const std::string_view line = parser.error_line();
    switch (static_cast<errc>(ec.value())) {
        case errc::bad_status_line: throw bad_status_line(line);
        case errc::unknown_protocol: {
            const std::size_t space = line.find_first_of(" \r\n");
            throw unknown_protocol(std::string(line.substr(0, space)));
        }
        case errc::status_line_too_long: throw line_too_long("status line", parser.limits().max_line_length);
        case errc::header_line_too_long: throw line_too_long("header line", parser.limits().max_line_length);
        case errc::too_many_headers:
            throw http_exception("got more than " + std::to_string(parser.limits().max_headers) + " headers");
        default: {
            // Show the offending line, escaped, so the message says what arrived.
            std::string shown;
            for (char c : line.substr(0, 200)) {
                const auto u = static_cast<unsigned char>(c);
                if (u >= 0x20 && u < 0x7f && c != '\\') {
                    shown += c;
                } else {
                    static constexpr char hex[] = "0123456789abcdef";
                    shown += "\\x";
                    shown += hex[u >> 4];
                    shown += hex[u & 15];
                }
            }
            throw protocol_error(ec, shown);
        }
    }
}

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_PARSER_HPP
