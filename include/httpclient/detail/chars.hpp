// Character classes of RFC 9110 §5.6 and RFC 5234 as constexpr tables, and
// the ASCII case folding that header names use. Everything here is usable in
// constant expressions so the tests can prove it with static_assert.
#ifndef HTTPCLIENT_DETAIL_CHARS_HPP
#define HTTPCLIENT_DETAIL_CHARS_HPP

#include <httpclient/config.hpp>

#include <array>
#include <cstdint>
#include <string_view>

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

enum char_class : std::uint8_t {
    cc_tchar = 1,        // RFC 9110 §5.6.2 token character
    cc_field_vchar = 2,  // VCHAR / obs-text / SP / HTAB: allowed inside a field value
    cc_hexdig = 4,       // RFC 5234 HEXDIG, either case
    cc_digit = 8,
    cc_ows = 16,         // SP / HTAB
    cc_reason = 32,      // RFC 9112 §4 reason-phrase: HTAB / SP / VCHAR / obs-text
    cc_qdtext = 64,      // RFC 9110 §5.6.4 qdtext
};

constexpr std::array<std::uint8_t, 256> make_char_table() noexcept {
    std::array<std::uint8_t, 256> t{};
    constexpr std::string_view tchar_specials = "!#$%&'*+-.^_`|~";
    for (int c = 0; c < 256; ++c) {
        std::uint8_t bits = 0;
        const bool digit = c >= '0' && c <= '9';
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool vchar = c >= 0x21 && c <= 0x7e;
        const bool obs_text = c >= 0x80;
        if (digit || alpha || tchar_specials.find(static_cast<char>(c)) != std::string_view::npos)
            bits |= cc_tchar;
        if (vchar || obs_text || c == ' ' || c == '\t') bits |= cc_field_vchar | cc_reason;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) bits |= cc_hexdig;
        if (digit) bits |= cc_digit;
        if (c == ' ' || c == '\t') bits |= cc_ows;
        // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
        if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
            (c >= 0x5d && c <= 0x7e) || obs_text)
            bits |= cc_qdtext;
        t[static_cast<std::size_t>(c)] = bits;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> char_table = make_char_table();

constexpr bool has_class(char c, char_class k) noexcept {
    return (char_table[static_cast<unsigned char>(c)] & k) != 0;
}
constexpr bool is_tchar(char c) noexcept { return has_class(c, cc_tchar); }
constexpr bool is_field_vchar(char c) noexcept { return has_class(c, cc_field_vchar); }
constexpr bool is_hexdig(char c) noexcept { return has_class(c, cc_hexdig); }
constexpr bool is_digit(char c) noexcept { return has_class(c, cc_digit); }
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// RFC 9110 §5.6.2: token = 1*tchar
constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

// A field value a client may send: no CR, LF or NUL anywhere (RFC 9110 §5.5)
// and no other control character except HTAB, so nothing the caller passes
// can end a line or smuggle a field.
constexpr bool is_field_value(std::string_view s) noexcept {
    for (char c : s)
        if (!is_field_vchar(c)) return false;
    return true;
}

constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_CHARS_HPP
