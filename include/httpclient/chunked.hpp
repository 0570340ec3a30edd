// chunked.hpp: the chunked transfer coding of RFC 9112 §7.1, both ways.
//
// Encoding, for request bodies of unknown length (Python's
// encode_chunked=True):
//
//     std::vector<std::string> blocks = {"ab", "", "cd"};
//     for (std::span<const std::byte> piece : blocks | httpclient::views::chunk_encode)
//         ... write piece ...   // "2\r\n" "ab" "\r\n" "2\r\n" "cd" "\r\n" "0\r\n" "\r\n"
//
//     httpclient::encode_chunked(blocks) == "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n"
//
// Decoding, for response bodies:
//
//   - chunk_decoder is incremental and allocation-free on the body path: it
//     is fed whatever bytes arrived, returns how many it consumed and points
//     at the body bytes inside them (no copy). The connection drives it.
//   - views::chunk_decode is the same over a range of buffers, yielding the
//     body pieces.
//
// Where Python's http.client is lenient (semantics reference §1.5.8 and §3
// items 5-8), this decoder follows RFC 9112 instead:
//
//   - chunk-size is exactly 1*HEXDIG and must fit in 64 bits: no "0x", sign,
//     "_" or surrounding whitespace. Whitespace is allowed only as the BWS
//     that the chunk-ext grammar puts before ";" and "=".
//   - chunk extensions are parsed (token or quoted-string values) and then
//     ignored, as RFC 9112 §7.1.1 requires for unrecognised ones; their total
//     size per line is capped.
//   - chunk data must be followed by CRLF (or a lone LF); Python discards any
//     two bytes there.
//   - Lines end with CRLF or, as RFC 9112 §2.2 lets a recipient accept, a
//     lone LF. A CR anywhere else in a line is an error (bare_cr).
//   - Trailer field lines follow the same rules as header lines
//     (detail::parse_field_line). A trailer line that starts with SP or HTAB
//     (obs-fold, RFC 9112 §5.2) is rejected with errc::bad_trailer rather than
//     unfolded: trailers are rarely used, and a fold is a classic way to hide
//     a field from one parser and show it to another.
//   - The body ends only with the empty line after the trailer section;
//     Python also accepts EOF there. Running out of input is never an error
//     for the decoder (it waits for more); the caller that sees EOF before
//     done() reports an incomplete message.
//   - Trailer fields are validated and stored, never merged into the header
//     section; whether a field may appear in trailers (RFC 9110 §6.5.1) is
//     for the layer that uses them to decide.
#ifndef HTTPCLIENT_CHUNKED_HPP
#define HTTPCLIENT_CHUNKED_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/adaptor.hpp>     // range | closure without C++23
#include <httpclient/detail/chars.hpp>       // character classes of RFC 9110 §5.6
#include <httpclient/detail/field_line.hpp>  // trailer lines parse as header lines
#include <httpclient/errors.hpp>             // errc, protocol_error, incomplete_read
#include <httpclient/headers.hpp>            // field, header_view

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

HTTPCLIENT_BEGIN_NAMESPACE

// ---------------------------------------------------------------------------
// Buffers
// ---------------------------------------------------------------------------

namespace detail {

template <class T>
concept byte_like = std::same_as<std::remove_cv_t<T>, char> ||
                    std::same_as<std::remove_cv_t<T>, unsigned char> ||
                    std::same_as<std::remove_cv_t<T>, std::byte>;

}  // namespace detail

// A run of bytes in memory: std::string, std::string_view,
// std::vector<char>, std::span<const std::byte> and the like.
template <class B>
concept byte_buffer = std::ranges::contiguous_range<B> && std::ranges::sized_range<B> &&
                      detail::byte_like<std::ranges::range_value_t<B>>;

// A sequence of such buffers, read once: a container of strings, a view, a
// generator of blocks.
template <class R>
concept byte_buffer_range =
    std::ranges::input_range<R> && byte_buffer<std::ranges::range_reference_t<R>>;

namespace detail {

// char, unsigned char and std::byte may alias any object, so this is a
// reinterpretation, not a copy.
template <byte_buffer B>
[[nodiscard]] std::span<const std::byte> buffer_bytes(B&& buffer) noexcept {
    return {reinterpret_cast<const std::byte*>(std::ranges::data(buffer)),
            static_cast<std::size_t>(std::ranges::size(buffer))};
}

[[nodiscard]] inline std::span<const std::byte> text_bytes(std::string_view text) noexcept {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

// The fixed pieces of the coding. They have static storage, so a piece
// made from them stays valid for the whole program.
inline constexpr std::string_view chunk_crlf = "\r\n";
inline constexpr std::string_view last_chunk_line = "0\r\n";  // RFC 9112 §7.1: last-chunk

// 16 hex digits hold any 64-bit size; CRLF follows.
inline constexpr std::size_t max_chunk_size_line = 16 + 2;

// RFC 9112 §7.1: chunk-size = 1*HEXDIG. Upper case without leading zeros,
// as Python writes it ("%X"), so our bytes match its byte for byte.
inline std::size_t format_chunk_size_line(std::uint64_t size, char* out) noexcept {
    constexpr char digits[] = "0123456789ABCDEF";
    char reversed[16];
    std::size_t n = 0;
    do {
        reversed[n++] = digits[size & 0xf];
        size >>= 4;
    } while (size != 0);
    for (std::size_t i = 0; i < n; ++i) out[i] = reversed[n - 1 - i];
    out[n] = '\r';
    out[n + 1] = '\n';
    return n + 2;
}

// How a rejected name or value is shown in the exception: printable ASCII as
// is, anything else escaped, so the message itself cannot carry a CR LF.
inline std::string quote_for_message(std::string_view text) {
    constexpr char hex[] = "0123456789abcdef";
    std::string out = "'";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\\' || c == '\'') { out += '\\'; out += c; }
        else if (u >= 0x20 && u < 0x7f) out += c;
        else { out += "\\x"; out += hex[u >> 4]; out += hex[u & 0xf]; }
    }
    out += '\'';
    return out;
}

// RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ). Checked with
// the rules Python's putheader should have used (semantics §3 items 29-30),
// so a caller's value cannot end the section early or inject a field.
inline void append_trailer_line(std::string& section, field f) {
    if (!is_token(f.name)) throw invalid_header_name("Invalid header name " + quote_for_message(f.name));
    if (!is_field_value(f.value))
        throw invalid_header_value("Invalid header value " + quote_for_message(f.value));
    section.append(f.name).append(": ").append(f.value).append(chunk_crlf);
}

template <class F>
concept field_range = std::ranges::input_range<F> &&
                      std::convertible_to<std::ranges::range_reference_t<F>, field> &&
                      !byte_buffer_range<F>;

template <field_range F>
std::string format_trailer_section(F&& fields) {
    std::string section;
    for (auto&& f : fields) append_trailer_line(section, static_cast<field>(f));
    return section;
}

// Holds an element of an input range whose iterator returns it by value
// (a transform producing std::string, say) for as long as the pieces made
// from it are in use. Like the standard's non-propagating-cache
// ([range.nonprop.cache]) a copy or move starts empty: a copied view
// starts over, and copying a view stays cheap.
template <class T>
class element_cache {
public:
    element_cache() = default;
    element_cache(const element_cache&) noexcept {}
    element_cache(element_cache&& other) noexcept { other.value_.reset(); }
    element_cache& operator=(const element_cache& other) noexcept {
        if (this != &other) value_.reset();
        return *this;
    }
    element_cache& operator=(element_cache&& other) noexcept {
        value_.reset();
        other.value_.reset();
        return *this;
    }
    ~element_cache() = default;

    template <class I>
    T& emplace_deref(const I& it) {
        value_.reset();
        return value_.emplace(*it);
    }
    [[nodiscard]] T& operator*() noexcept { return *value_; }
    [[nodiscard]] const T& operator*() const noexcept { return *value_; }

private:
    std::optional<T> value_;
};

struct no_element_cache {};

// The current element of an input range as bytes, and where it is kept.
// When the iterator yields a reference the element lives in the range and
// nothing is copied; when it yields a value, the value is cached.
template <class V>
class current_element {
public:
    using iterator = std::ranges::iterator_t<V>;
    static constexpr bool caches = !std::is_reference_v<std::ranges::range_reference_t<V>>;

    // Reads the element the iterator is at (once, for a value).
    std::span<const std::byte> load(const iterator& it) {
        if constexpr (caches) return buffer_bytes(cache_.emplace_deref(it));
        else return buffer_bytes(*it);
    }
    // The element load() last read.
    [[nodiscard]] std::span<const std::byte> bytes(const iterator& it) const {
        if constexpr (caches) return buffer_bytes(*cache_);
        else return buffer_bytes(*it);
    }

private:
    using cache_type = std::conditional_t<
        caches, element_cache<std::remove_cvref_t<std::ranges::range_reference_t<V>>>, no_element_cache>;
    [[no_unique_address]] cache_type cache_;
};

}  // namespace detail

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

// chunk_encode_view: the wire pieces of a chunked body, as
// std::span<const std::byte>, one per gather-write buffer.
//
// For each non-empty input buffer: the size line "<HEX>\r\n", the buffer's
// own bytes, "\r\n". Then "0\r\n", the trailer section (if any, one piece)
// and "\r\n". Empty buffers are skipped, because an empty chunk is the
// last-chunk and would end the body early (Python skips them too).
//
// Lifetimes:
//   - "\r\n" and "0\r\n" point to static storage.
//   - A data piece points into the current input element: into the input
//     range itself when its iterator yields references, otherwise into a
//     copy cached in this view, valid until the iterator moves past that
//     chunk's closing "\r\n".
//   - A size line points into this view and stays valid until the
//     iterator moves past that chunk's closing "\r\n", so a chunk's three
//     pieces can go out in one writev.
//   - The trailer section points into this view.
// The view is an input range: begin() may be called once.
template <std::ranges::view V>
    requires std::ranges::input_range<V> && byte_buffer<std::ranges::range_reference_t<V>>
class chunk_encode_view : public std::ranges::view_interface<chunk_encode_view<V>> {
public:
    class iterator;

    chunk_encode_view()
        requires std::default_initializable<V>
    = default;

    // trailer_section is sent as given: complete field lines, each ending in
    // CRLF. views::chunk_encode(fields) builds and checks it.
    explicit chunk_encode_view(V base, std::string trailer_section = {})
        : base_(std::move(base)), trailer_section_(std::move(trailer_section)) {}

    [[nodiscard]] V base() const&
        requires std::copy_constructible<V>
    {
        return base_;
    }
    [[nodiscard]] V base() && { return std::move(base_); }

    [[nodiscard]] iterator begin() { return iterator(*this); }
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

    [[nodiscard]] std::string_view trailer_section() const noexcept { return trailer_section_; }

private:
    V base_ = V();
    std::string trailer_section_;
    [[no_unique_address]] detail::current_element<V> element_;
    char size_line_[detail::max_chunk_size_line] = {};
    std::size_t size_line_size_ = 0;
};

template <std::ranges::view V>
    requires std::ranges::input_range<V> && byte_buffer<std::ranges::range_reference_t<V>>
class chunk_encode_view<V>::iterator {
public:
    using iterator_concept = std::input_iterator_tag;
    using value_type = std::span<const std::byte>;
    using difference_type = std::ptrdiff_t;

    iterator()
        requires std::default_initializable<std::ranges::iterator_t<V>>
    = default;

    [[nodiscard]] std::span<const std::byte> operator*() const {
        switch (at_) {
            case piece::size_line:
                return {reinterpret_cast<const std::byte*>(parent_->size_line_), parent_->size_line_size_};
            case piece::data: return parent_->element_.bytes(current_);
            case piece::data_crlf:
            case piece::final_crlf: return detail::text_bytes(detail::chunk_crlf);
            case piece::last_chunk: return detail::text_bytes(detail::last_chunk_line);
            case piece::trailer_section: return detail::text_bytes(parent_->trailer_section_);
            case piece::end: break;
        }
        return {};
    }

    iterator& operator++() {
        switch (at_) {
            case piece::size_line: at_ = piece::data; break;
            case piece::data: at_ = piece::data_crlf; break;
            case piece::data_crlf:
                ++current_;
                find_chunk();
                break;
            case piece::last_chunk:
                at_ = parent_->trailer_section_.empty() ? piece::final_crlf : piece::trailer_section;
                break;
            case piece::trailer_section: at_ = piece::final_crlf; break;
            case piece::final_crlf:
            case piece::end: at_ = piece::end; break;
        }
        return *this;
    }
    void operator++(int) { ++*this; }

    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
        return it.at_ == piece::end;
    }

private:
    friend chunk_encode_view;
    enum class piece : std::uint8_t { size_line, data, data_crlf, last_chunk, trailer_section, final_crlf, end };

    explicit iterator(chunk_encode_view& parent)
        : parent_(&parent), current_(std::ranges::begin(parent.base_)) {
        find_chunk();
    }

    // Moves to the next non-empty element and writes its size line, or to
    // the last-chunk when the input is used up.
    void find_chunk() {
        const auto last = std::ranges::end(parent_->base_);
        for (; current_ != last; ++current_) {
            const std::size_t size = parent_->element_.load(current_).size();
            if (size == 0) continue;
            parent_->size_line_size_ = detail::format_chunk_size_line(size, parent_->size_line_);
            at_ = piece::size_line;
            return;
        }
        at_ = piece::last_chunk;
    }

    chunk_encode_view* parent_ = nullptr;
    std::ranges::iterator_t<V> current_ = std::ranges::iterator_t<V>();
    piece at_ = piece::end;
};

template <class R>
chunk_encode_view(R&&) -> chunk_encode_view<std::views::all_t<R>>;
template <class R>
chunk_encode_view(R&&, std::string) -> chunk_encode_view<std::views::all_t<R>>;

static_assert(std::ranges::input_range<chunk_encode_view<std::span<const std::span<const std::byte>>>>);
static_assert(std::ranges::view<chunk_encode_view<std::span<const std::span<const std::byte>>>>);

namespace detail {

// views::chunk_encode(fields): the closure that also sends a trailer
// section. The fields were checked when it was made.
class chunk_encode_trailers_fn : public range_adaptor_closure<chunk_encode_trailers_fn> {
public:
    explicit chunk_encode_trailers_fn(std::string trailer_section)
        : trailer_section_(std::move(trailer_section)) {}

    template <std::ranges::viewable_range R>
        requires byte_buffer_range<R>
    [[nodiscard]] auto operator()(R&& r) const& {
        return chunk_encode_view<std::views::all_t<R>>(std::views::all(std::forward<R>(r)), trailer_section_);
    }
    template <std::ranges::viewable_range R>
        requires byte_buffer_range<R>
    [[nodiscard]] auto operator()(R&& r) && {
        return chunk_encode_view<std::views::all_t<R>>(std::views::all(std::forward<R>(r)),
                                                       std::move(trailer_section_));
    }

private:
    std::string trailer_section_;
};

struct chunk_encode_fn : range_adaptor_closure<chunk_encode_fn> {
    template <std::ranges::viewable_range R>
        requires byte_buffer_range<R>
    [[nodiscard]] constexpr auto operator()(R&& r) const {
        return chunk_encode_view<std::views::all_t<R>>(std::views::all(std::forward<R>(r)));
    }

    // Checks every name (a token, RFC 9110 §5.6.2) and value (no CR, LF,
    // NUL or other control, RFC 9110 §5.5) now, so a bad field throws
    // invalid_header_name or invalid_header_value before a byte is sent.
    template <field_range F>
    [[nodiscard]] chunk_encode_trailers_fn operator()(F&& fields) const {
        return chunk_encode_trailers_fn(format_trailer_section(std::forward<F>(fields)));
    }
    [[nodiscard]] chunk_encode_trailers_fn operator()(std::initializer_list<field> fields) const {
        return chunk_encode_trailers_fn(format_trailer_section(fields));
    }
};

}  // namespace detail

namespace views {

// `buffers | views::chunk_encode` or `buffers | views::chunk_encode(trailer_fields)`.
inline constexpr detail::chunk_encode_fn chunk_encode{};

}  // namespace views

// The whole chunked body as one string: for tests and small bodies. Large
// bodies should be written piece by piece from views::chunk_encode.
template <std::ranges::viewable_range R>
    requires byte_buffer_range<R>
[[nodiscard]] std::string encode_chunked(R&& buffers) {
    std::string wire;
    for (std::span<const std::byte> piece : views::chunk_encode(std::forward<R>(buffers)))
        wire.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    return wire;
}

template <std::ranges::viewable_range R, detail::field_range F>
    requires byte_buffer_range<R>
[[nodiscard]] std::string encode_chunked(R&& buffers, F&& trailer_fields) {
    std::string wire;
    for (std::span<const std::byte> piece :
         views::chunk_encode(std::forward<F>(trailer_fields))(std::forward<R>(buffers)))
        wire.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    return wire;
}

template <std::ranges::viewable_range R>
    requires byte_buffer_range<R>
[[nodiscard]] std::string encode_chunked(R&& buffers, std::initializer_list<field> trailer_fields) {
    return encode_chunked(std::forward<R>(buffers), std::span<const field>(trailer_fields.begin(), trailer_fields.size()));
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

// RFC 9112 §7.1 sets no limits; a client needs them so a hostile server
// cannot make it buffer without end. Lengths count every byte, CR and LF
// included, as Python's do.
struct chunk_limits {
    // One chunk-size line or one trailer line, terminator included. Python's
    // _MAXLINE; it raises LineTooLong('chunk size') / ('trailer line').
    std::size_t max_line_length = 65536;
    // The chunk-ext part of one size line: every byte after the size digits
    // up to the line terminator, the BWS before ";" included. RFC 9112
    // §7.1.1 asks recipients to limit it; Python only caps the whole line.
    // 4 KiB is far above what anyone sends and small enough not to matter.
    std::size_t max_extension_size = 4096;
    // Trailer field lines (not counting the empty line that ends them):
    // Python 3.15's max_response_headers default. The 101st fails.
    std::size_t max_trailers = 100;
    // The whole trailer section: every trailer line with its terminator and
    // the final empty line. Python has no such cap (semantics §3 item 26).
    // Trailers are stored with 32-bit offsets, so values above 4 GiB act as
    // 4 GiB.
    std::size_t max_trailer_size = 65536;
};

// chunk_decoder: an incremental decoder of one chunked body.
//
//     httpclient::chunk_decoder decoder;
//     while (!decoder.done()) {
//         ... read into buf ...
//         std::span<const std::byte> input = ...;   // what arrived
//         while (!input.empty() && !decoder.done()) {
//             std::span<const std::byte> body;
//             std::error_code ec;
//             input = input.subspan(decoder.decode(input, body, ec));
//             if (ec) ... the response is broken; close the connection ...
//             ... use body (a view into input) ...
//         }
//     }
//     // input now starts with the next response, if the server sent one.
//
// decode() consumes a prefix of input and returns its length. Body bytes
// are never copied: body is set to the run of them found in this call, a
// subspan of input (empty if there was none). A call stops after one run,
// so callers loop until the input is used up. Size lines and trailer lines
// split across calls are carried over (the size line in a few integers, a
// trailer line in the trailer storage), so no byte is looked at twice.
// Once the last-chunk and the trailer section have been consumed, done() is
// true and decode() consumes nothing more: the bytes that follow belong to
// the next message.
//
// Errors are errc values (errors.hpp) and sticky: after one, every call
// returns 0 with the same code until reset().
class chunk_decoder {
public:
    chunk_decoder() = default;
    explicit chunk_decoder(const chunk_limits& limits) noexcept : limits_(limits) {}

    std::size_t decode(std::span<const std::byte> input, std::span<const std::byte>& body,
                       std::error_code& ec);

    std::size_t decode(std::string_view input, std::string_view& body, std::error_code& ec) {
        std::span<const std::byte> bytes;
        const std::size_t consumed = decode(detail::text_bytes(input), bytes, ec);
        body = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        return consumed;
    }

    // The last-chunk and the trailer section have been consumed.
    [[nodiscard]] bool done() const noexcept { return state_ == state::done; }

    // Inside a chunk's data: the next bytes decoded are body.
    [[nodiscard]] bool in_data() const noexcept { return state_ == state::data; }

    // Python's chunk_left: the bytes left in the current chunk's data, 0
    // once they have been read but the CRLF after them has not, and nullopt
    // between chunks (reading a size line, the trailers, or done).
    [[nodiscard]] std::optional<std::uint64_t> chunk_left() const noexcept {
        switch (state_) {
            case state::data: return chunk_left_;
            case state::data_end:
            case state::data_cr: return 0;
            default: return std::nullopt;
        }
    }

    // The trailer fields received so far, as views into this decoder. Valid
    // until the decoder is reset, decodes again or is destroyed.
    [[nodiscard]] header_view trailers() const noexcept {
        return {trailer_text_.data(), std::span<const detail::field_offsets>(trailer_fields_)};
    }

    // The error that stopped the decoder, if one did.
    [[nodiscard]] std::error_code error() const noexcept { return error_; }

    // Body bytes produced since the last reset.
    [[nodiscard]] std::uint64_t body_size() const noexcept { return body_size_; }

    [[nodiscard]] const chunk_limits& limits() const noexcept { return limits_; }

    // Ready for the next message, with the same limits; trailer storage keeps
    // its capacity.
    void reset() noexcept {
        state_ = state::size_line;
        start_size_line();
        chunk_left_ = 0;
        body_size_ = 0;
        trailer_size_ = 0;
        trailer_count_ = 0;
        line_start_ = 0;
        trailer_text_.clear();
        trailer_fields_.clear();
        error_.clear();
    }

private:
    enum class state : std::uint8_t { size_line, data, data_end, data_cr, trailers, done, failed };

    // Where the size line parser is, following RFC 9112 §7.1 and §7.1.1:
    //   chunk-size [ chunk-ext ] CRLF
    //   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
    //   chunk-ext-name = token; chunk-ext-val = token / quoted-string
    enum class line : std::uint8_t {
        first_digit,      // nothing yet: a HEXDIG must come
        digits,           // in chunk-size
        size_bws,         // BWS after the size: only more BWS or ";" may follow
        after_semicolon,  // ";" BWS: a name must come
        name,             // in chunk-ext-name
        name_bws,         // BWS after a name: "=" or ";" must come
        after_equals,     // "=" BWS: a value must come
        token_value,      // in a token value
        quoted,           // inside a quoted-string
        quoted_pair,      // after "\" in a quoted-string
        quoted_end,       // just after the closing DQUOTE
        value_bws,        // BWS after a value: only ";" may follow
        cr,               // a CR, which must be followed by LF
    };

    void start_size_line() noexcept {
        at_ = line::first_digit;
        before_cr_ = line::first_digit;
        size_ = 0;
        line_length_ = 0;
        extension_size_ = 0;
    }

    const char* parse_size_line(const char* p, const char* end, std::error_code& ec) noexcept;
    std::error_code size_line_byte(char c) noexcept;
    std::error_code end_size_line(line at) noexcept;
    const char* parse_trailers(const char* p, const char* end, std::error_code& ec);
    std::error_code add_trailer(std::size_t length);

    chunk_limits limits_{};
    state state_ = state::size_line;
    line at_ = line::first_digit;
    line before_cr_ = line::first_digit;
    std::uint64_t size_ = 0;        // the chunk-size read so far
    std::uint64_t chunk_left_ = 0;  // data bytes left in the current chunk
    std::uint64_t body_size_ = 0;
    std::size_t line_length_ = 0;     // bytes of the current line so far
    std::size_t extension_size_ = 0;  // chunk-ext bytes of the current size line
    std::size_t trailer_size_ = 0;    // bytes of the trailer section so far
    std::size_t trailer_count_ = 0;
    std::size_t line_start_ = 0;  // where the current trailer line starts in trailer_text_
    std::string trailer_text_;    // trailer lines as received, without terminators
    std::vector<detail::field_offsets> trailer_fields_;
    std::error_code error_;
};

inline std::size_t chunk_decoder::decode(std::span<const std::byte> input,
                                         std::span<const std::byte>& body, std::error_code& ec) {
    body = {};
    ec.clear();
    if (state_ == state::failed) {
        ec = error_;
        return 0;
    }
    const char* const begin = reinterpret_cast<const char*>(input.data());
    const char* const end = begin + input.size();
    const char* p = begin;
    while (p != end && !ec) {
        switch (state_) {
            case state::size_line: p = parse_size_line(p, end, ec); break;
            case state::data: {
                const auto available = static_cast<std::uint64_t>(end - p);
                const auto n = static_cast<std::size_t>(std::min(chunk_left_, available));
                body = input.subspan(static_cast<std::size_t>(p - begin), n);
                p += n;
                chunk_left_ -= n;
                body_size_ += n;
                if (chunk_left_ == 0) state_ = state::data_end;
                // One run per call: the caller gets the body where it lies
                // in the input and calls again for the rest.
                return static_cast<std::size_t>(p - begin);
            }
            case state::data_end:
                // RFC 9112 §7.1: chunk-data is followed by CRLF. Python
                // discards any two bytes here (semantics §3 item 6); a
                // mismatch means the framing is lost, so it is an error.
                if (*p == '\r') {
                    state_ = state::data_cr;
                } else if (*p == '\n') {
                    // RFC 9112 §2.2: a recipient MAY take a lone LF as a line end.
                    state_ = state::size_line;
                    start_size_line();
                } else {
                    ec = make_error_code(errc::missing_chunk_crlf);
                    break;
                }
                ++p;
                break;
            case state::data_cr:
                if (*p != '\n') {
                    ec = make_error_code(errc::missing_chunk_crlf);
                    break;
                }
                ++p;
                state_ = state::size_line;
                start_size_line();
                break;
            case state::trailers: p = parse_trailers(p, end, ec); break;
            case state::done:
            case state::failed: return static_cast<std::size_t>(p - begin);
        }
    }
    if (ec) {
        error_ = ec;
        state_ = state::failed;
    }
    return static_cast<std::size_t>(p - begin);
}

// Byte by byte, so a line split anywhere across calls needs no buffer and
// gives the same answer; size lines are short, so this costs little.
inline const char* chunk_decoder::parse_size_line(const char* p, const char* end,
                                                  std::error_code& ec) noexcept {
    while (p != end) {
        const char c = *p;
        // Python: more than 65536 bytes raises LineTooLong('chunk size').
        // Leading zeros count too, so they cannot be used to stall us.
        if (++line_length_ > limits_.max_line_length) {
            ec = make_error_code(errc::chunk_size_line_too_long);
            return p;
        }
        if (at_ == line::cr) {
            // RFC 9112 §2.2: a bare CR is invalid.
            if (c != '\n') {
                ec = make_error_code(errc::bare_cr);
                return p;
            }
            ec = end_size_line(before_cr_);
            return ec ? p : p + 1;
        }
        if (c == '\r') {
            before_cr_ = at_;
            at_ = line::cr;
            ++p;
            continue;
        }
        if (c == '\n') {  // RFC 9112 §2.2: a lone LF ends the line too.
            ec = end_size_line(at_);
            return ec ? p : p + 1;
        }
        ec = size_line_byte(c);
        if (ec) return p;
        ++p;
    }
    return p;
}

inline std::error_code chunk_decoder::size_line_byte(char c) noexcept {
    using detail::is_ows;
    using detail::is_tchar;
    const auto bad_size = [] { return make_error_code(errc::bad_chunk_size); };
    const auto bad_extension = [] { return make_error_code(errc::bad_chunk_extension); };
    switch (at_) {
        case line::first_digit:
            // RFC 9112 §7.1: chunk-size = 1*HEXDIG. No sign, "0x" or
            // leading whitespace, which Python's int(x, 16) lets through.
            if (!detail::is_hexdig(c)) return bad_size();
            size_ = static_cast<std::uint64_t>(detail::hex_value(c));
            at_ = line::digits;
            return {};
        case line::digits:
            if (detail::is_hexdig(c)) {
                // The size must fit in 64 bits; one more digit would shift
                // bits out.
                if (size_ > (std::numeric_limits<std::uint64_t>::max() >> 4))
                    return make_error_code(errc::chunk_size_overflow);
                size_ = (size_ << 4) | static_cast<std::uint64_t>(detail::hex_value(c));
                return {};
            }
            // Anything else starts the chunk-ext, whose grammar allows only
            // BWS or ";" here: "1_0", "2 " and "2x" are bad sizes.
            if (is_ows(c)) at_ = line::size_bws;
            else if (c == ';') at_ = line::after_semicolon;
            else return bad_size();
            break;
        case line::size_bws:
            if (c == ';') at_ = line::after_semicolon;
            else if (!is_ows(c)) return bad_size();
            break;
        case line::after_semicolon:
            if (is_tchar(c)) at_ = line::name;
            else if (!is_ows(c)) return bad_extension();
            break;
        case line::name:
            if (is_tchar(c)) break;
            if (is_ows(c)) at_ = line::name_bws;
            else if (c == '=') at_ = line::after_equals;
            else if (c == ';') at_ = line::after_semicolon;
            else return bad_extension();
            break;
        case line::name_bws:
            if (c == '=') at_ = line::after_equals;
            else if (c == ';') at_ = line::after_semicolon;
            else if (!is_ows(c)) return bad_extension();
            break;
        case line::after_equals:
            if (is_tchar(c)) at_ = line::token_value;
            else if (c == '"') at_ = line::quoted;
            else if (!is_ows(c)) return bad_extension();
            break;
        case line::token_value:
            if (is_tchar(c)) break;
            if (is_ows(c)) at_ = line::value_bws;
            else if (c == ';') at_ = line::after_semicolon;
            else return bad_extension();
            break;
        case line::quoted:
            // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
            if (c == '"') at_ = line::quoted_end;
            else if (c == '\\') at_ = line::quoted_pair;
            else if (!detail::has_class(c, detail::cc_qdtext)) return bad_extension();
            break;
        case line::quoted_pair:
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            if (!detail::is_field_vchar(c)) return bad_extension();
            at_ = line::quoted;
            break;
        case line::quoted_end:
        case line::value_bws:
            if (c == ';') at_ = line::after_semicolon;
            else if (is_ows(c)) at_ = line::value_bws;
            else return bad_extension();
            break;
        case line::cr: return make_error_code(errc::bare_cr);  // handled by the caller
    }
    // Every byte that reaches here belongs to the chunk-ext.
    if (++extension_size_ > limits_.max_extension_size)
        return make_error_code(errc::chunk_extension_too_long);
    return {};
}

// The line ends (at its LF). Only some states may end it: the grammar has
// no trailing BWS, so "2 " and "2;a=b " are rejected.
inline std::error_code chunk_decoder::end_size_line(line at) noexcept {
    switch (at) {
        case line::digits:
        case line::name:
        case line::token_value:
        case line::quoted_end: break;
        case line::first_digit:
        case line::size_bws: return make_error_code(errc::bad_chunk_size);
        default: return make_error_code(errc::bad_chunk_extension);
    }
    if (size_ == 0) {
        // RFC 9112 §7.1: last-chunk = 1*("0") [ chunk-ext ] CRLF, then the
        // trailer section.
        state_ = state::trailers;
        line_length_ = 0;
    } else {
        state_ = state::data;
        chunk_left_ = size_;
    }
    return {};
}

// RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), then CRLF.
// Each line is copied into trailer_text_ as it arrives (the trailers are
// kept, so the copy is needed anyway); only the new bytes are searched for
// LF, so a line split over many calls costs linear time.
inline const char* chunk_decoder::parse_trailers(const char* p, const char* end, std::error_code& ec) {
    // field_offsets are 32-bit.
    const std::size_t max_section =
        std::min<std::size_t>(limits_.max_trailer_size, std::numeric_limits<std::uint32_t>::max());
    while (p != end) {
        const auto available = static_cast<std::size_t>(end - p);
        const std::size_t line_room =
            limits_.max_line_length > line_length_ ? limits_.max_line_length - line_length_ : 0;
        const std::size_t section_room = max_section > trailer_size_ ? max_section - trailer_size_ : 0;
        const std::size_t room = std::min(line_room, section_room);
        const std::size_t window = std::min(available, room);
        const void* lf = window != 0 ? std::memchr(p, '\n', window) : nullptr;
        if (lf == nullptr) {
            if (available > room) {
                // The byte at p + room is one more than a limit allows,
                // wherever the input was split. Python's message for the
                // first is LineTooLong('trailer line').
                ec = make_error_code(line_room <= section_room ? errc::trailer_line_too_long
                                                               : errc::trailers_too_large);
                return p + room;
            }
            trailer_text_.append(p, available);
            line_length_ += available;
            trailer_size_ += available;
            return end;
        }
        const auto before_lf = static_cast<std::size_t>(static_cast<const char*>(lf) - p);
        const bool started_earlier = line_length_ != 0;
        line_length_ += before_lf + 1;
        trailer_size_ += before_lf + 1;
        std::string_view text;
        if (started_earlier) {
            trailer_text_.append(p, before_lf);
            text = std::string_view(trailer_text_).substr(line_start_);
        } else {
            text = std::string_view(p, before_lf);
        }
        p += before_lf + 1;
        // RFC 9112 §2.2: CRLF, or a lone LF; any other CR is left in the
        // line, where parse_field_line reports it as bare_cr.
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        if (text.empty()) {
            // The empty line ends the trailer section and the body.
            trailer_text_.resize(line_start_);
            state_ = state::done;
            return p;
        }
        if (!started_earlier) trailer_text_.append(text);
        ec = add_trailer(text.size());
        if (ec) return p;
        line_length_ = 0;
    }
    return p;
}

// The trailer line at line_start_ (length bytes, terminator gone) is whole.
inline std::error_code chunk_decoder::add_trailer(std::size_t length) {
    // Python (2026+): more than 100 trailer lines raise "got more than 100 trailers".
    if (++trailer_count_ > limits_.max_trailers) return make_error_code(errc::too_many_trailers);
    const std::string_view text(trailer_text_.data() + line_start_, length);
    // RFC 9112 §5.2: obs-fold is allowed only in message/http; a recipient
    // may reject it. We do: see the top of this file.
    if (detail::is_ows(text.front())) return make_error_code(errc::bad_trailer);
    detail::field_line_parts parts;
    if (const std::error_code e = detail::parse_field_line(text, parts)) {
        return make_error_code(e == make_error_code(errc::bare_cr) ? errc::bare_cr : errc::bad_trailer);
    }
    trailer_fields_.push_back({static_cast<std::uint32_t>(line_start_), static_cast<std::uint32_t>(parts.name_size),
                               static_cast<std::uint32_t>(line_start_ + parts.value_begin),
                               static_cast<std::uint32_t>(parts.value_end - parts.value_begin)});
    // Drop a CR left over from a line that arrived in pieces.
    trailer_text_.resize(line_start_ + length);
    line_start_ = trailer_text_.size();
    return {};
}

namespace detail {

// What protocol_error says beyond the code's own message: for the limits,
// Python's words (LineTooLong's "got more than 65536 bytes when reading
// chunk size", HTTPException's "got more than 100 trailers").
[[nodiscard]] inline std::string chunk_error_detail(std::error_code ec, const chunk_limits& limits) {
    if (ec == make_error_code(errc::chunk_size_line_too_long))
        return "got more than " + std::to_string(limits.max_line_length) + " bytes when reading chunk size";
    if (ec == make_error_code(errc::trailer_line_too_long))
        return "got more than " + std::to_string(limits.max_line_length) + " bytes when reading trailer line";
    if (ec == make_error_code(errc::too_many_trailers))
        return "got more than " + std::to_string(limits.max_trailers) + " trailers";
    return {};
}

}  // namespace detail

// chunk_decode_view: the body of a chunked message, over a range of the
// buffers it arrived in, as std::span<const std::byte> pieces pointing into
// those buffers (no copy).
//
//   - A protocol error throws protocol_error(ec), ec an errc value; for
//     the line and count limits its message carries Python's wording.
//   - Input that ends before the body does throws incomplete_read with an
//     empty partial and no expected count: the pieces already yielded are
//     the partial data, and this view does not copy them.
//   - Bytes after the end of the body (the next response) are ignored, and
//     the input is not read past the buffer where the body ends.
//   - A piece is valid until the iterator moves past the input buffer it
//     points into; for an input range that yields buffers by value (cached
//     here) that is the next increment that needs a new buffer.
//   - trailers() holds the trailer fields once iteration has reached end.
// The view is an input range: begin() may be called once (calling it again
// starts a new decode from the base range's begin()).
template <std::ranges::view V>
    requires std::ranges::input_range<V> && byte_buffer<std::ranges::range_reference_t<V>>
class chunk_decode_view : public std::ranges::view_interface<chunk_decode_view<V>> {
public:
    class iterator;

    chunk_decode_view()
        requires std::default_initializable<V>
    = default;

    explicit chunk_decode_view(V base, const chunk_limits& limits = {})
        : base_(std::move(base)), decoder_(limits) {}

    [[nodiscard]] V base() const&
        requires std::copy_constructible<V>
    {
        return base_;
    }
    [[nodiscard]] V base() && { return std::move(base_); }

    [[nodiscard]] iterator begin() { return iterator(*this); }
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

    [[nodiscard]] header_view trailers() const noexcept { return decoder_.trailers(); }
    [[nodiscard]] const chunk_decoder& decoder() const noexcept { return decoder_; }

private:
    V base_ = V();
    chunk_decoder decoder_;
    [[no_unique_address]] detail::current_element<V> element_;
};

template <std::ranges::view V>
    requires std::ranges::input_range<V> && byte_buffer<std::ranges::range_reference_t<V>>
class chunk_decode_view<V>::iterator {
public:
    using iterator_concept = std::input_iterator_tag;
    using value_type = std::span<const std::byte>;
    using difference_type = std::ptrdiff_t;

    iterator()
        requires std::default_initializable<std::ranges::iterator_t<V>>
    = default;

    [[nodiscard]] std::span<const std::byte> operator*() const noexcept { return piece_; }

    iterator& operator++() {
        next();
        return *this;
    }
    void operator++(int) { ++*this; }

    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.at_end_; }

private:
    friend chunk_decode_view;

    explicit iterator(chunk_decode_view& parent)
        : parent_(&parent), current_(std::ranges::begin(parent.base_)) {
        parent_->decoder_.reset();
        next();
    }

    // Decodes until a body piece appears or the body ends.
    void next() {
        chunk_decoder& decoder = parent_->decoder_;
        const auto last = std::ranges::end(parent_->base_);
        piece_ = {};
        for (;;) {
            if (decoder.done()) {
                at_end_ = true;
                return;
            }
            if (remaining_.empty()) {
                if (loaded_) {
                    ++current_;
                    loaded_ = false;
                }
                if (current_ == last) throw incomplete_read(std::string(), std::nullopt);
                remaining_ = parent_->element_.load(current_);
                loaded_ = true;
                continue;
            }
            std::error_code ec;
            std::span<const std::byte> body;
            const std::size_t consumed = decoder.decode(remaining_, body, ec);
            remaining_ = remaining_.subspan(consumed);
            if (ec) throw protocol_error(ec, detail::chunk_error_detail(ec, decoder.limits()));
            if (!body.empty()) {
                piece_ = body;
                return;
            }
        }
    }

    chunk_decode_view* parent_ = nullptr;
    std::ranges::iterator_t<V> current_ = std::ranges::iterator_t<V>();
    std::span<const std::byte> remaining_;  // of the current input buffer
    std::span<const std::byte> piece_;
    bool loaded_ = false;  // current_'s buffer has been read
    bool at_end_ = false;
};

template <class R>
chunk_decode_view(R&&) -> chunk_decode_view<std::views::all_t<R>>;
template <class R>
chunk_decode_view(R&&, const chunk_limits&) -> chunk_decode_view<std::views::all_t<R>>;

static_assert(std::ranges::input_range<chunk_decode_view<std::span<const std::span<const std::byte>>>>);
static_assert(std::ranges::view<chunk_decode_view<std::span<const std::span<const std::byte>>>>);

namespace detail {

class chunk_decode_limits_fn : public range_adaptor_closure<chunk_decode_limits_fn> {
public:
    constexpr explicit chunk_decode_limits_fn(const chunk_limits& limits) noexcept : limits_(limits) {}

    template <std::ranges::viewable_range R>
        requires byte_buffer_range<R>
    [[nodiscard]] auto operator()(R&& r) const {
        return chunk_decode_view<std::views::all_t<R>>(std::views::all(std::forward<R>(r)), limits_);
    }

private:
    chunk_limits limits_;
};

struct chunk_decode_fn : range_adaptor_closure<chunk_decode_fn> {
    template <std::ranges::viewable_range R>
        requires byte_buffer_range<R>
    [[nodiscard]] auto operator()(R&& r) const {
        return chunk_decode_view<std::views::all_t<R>>(std::views::all(std::forward<R>(r)));
    }
    [[nodiscard]] constexpr chunk_decode_limits_fn operator()(const chunk_limits& limits) const noexcept {
        return chunk_decode_limits_fn(limits);
    }
};

}  // namespace detail

namespace views {

// `buffers | views::chunk_decode` or `buffers | views::chunk_decode(limits)`.
inline constexpr detail::chunk_decode_fn chunk_decode{};

}  // namespace views

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_CHUNKED_HPP
