// Tests for detail/chars.hpp.
//
// Every character class is checked against all 256 byte values, each against
// a definition written here from the grammar (RFC 9110 §5.5, §5.6.2, §5.6.4;
// RFC 5234 Appendix B.1) in a different form from the header's: tchar as
// "VCHAR minus the delimiters" rather than "ALPHA / DIGIT / specials", and so
// on. Each property is a constexpr function run twice: by static_assert,
// which proves it in constant evaluation, and by a test case, which names the
// byte that breaks it.
#include <httpclient/detail/chars.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace {

namespace d = httpclient::detail;

// ---------------------------------------------------------------------------
// Independent definitions
// ---------------------------------------------------------------------------

// RFC 5234 B.1
constexpr bool ref_vchar(int b) { return b >= 0x21 && b <= 0x7e; }
constexpr bool ref_digit(int b) { return b >= 0x30 && b <= 0x39; }
constexpr bool ref_obs_text(int b) { return b >= 0x80 && b <= 0xff; }  // RFC 9110 §5.5
constexpr bool ref_ctl(int b) { return b <= 0x1f || b == 0x7f; }

// RFC 9110 §5.6.2: tokens are "1*tchar"; the delimiters are DQUOTE and
// "(),/:;<=>?@[\]{}", and a tchar is "any VCHAR, except delimiters".
constexpr std::string_view delimiters = "\"(),/:;<=>?@[\\]{}";
constexpr bool ref_tchar(int b) {
    return ref_vchar(b) && delimiters.find(static_cast<char>(b)) == std::string_view::npos;
}

// RFC 9110 §5.5: field-vchar = VCHAR / obs-text; inside a value, SP and HTAB
// may separate them.
constexpr bool ref_field_char(int b) { return ref_vchar(b) || ref_obs_text(b) || b == ' ' || b == '\t'; }

// HEXDIG is DIGIT / "A".."F"; ABNF strings are case-insensitive, so a..f too.
constexpr std::string_view hex_digits_upper = "0123456789ABCDEF";
constexpr std::string_view hex_digits_lower = "0123456789abcdef";
constexpr int ref_hex_value(int b) {
    for (std::size_t i = 0; i < 16; ++i)
        if (hex_digits_upper[i] == b || hex_digits_lower[i] == b) return static_cast<int>(i);
    return -1;
}

// RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text,
// that is, the field characters except DQUOTE and backslash.
constexpr bool ref_qdtext(int b) { return ref_field_char(b) && b != '"' && b != '\\'; }

constexpr char byte(int b) { return static_cast<char>(static_cast<unsigned char>(b)); }

constexpr std::string_view alphabet_upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view alphabet_lower = "abcdefghijklmnopqrstuvwxyz";

// ---------------------------------------------------------------------------
// Properties over all 256 bytes. Each returns the first byte that breaks it,
// or -1, so the test case can say which.
// ---------------------------------------------------------------------------

template <class Pred>
constexpr int first_failure(Pred pred) {
    for (int b = 0; b < 256; ++b)
        if (!pred(b)) return b;
    return -1;
}

constexpr int tchar_mismatch() {
    return first_failure([](int b) { return d::is_tchar(byte(b)) == ref_tchar(b); });
}
constexpr int field_vchar_mismatch() {
    return first_failure([](int b) { return d::is_field_vchar(byte(b)) == ref_field_char(b); });
}
constexpr int hexdig_mismatch() {
    return first_failure([](int b) { return d::is_hexdig(byte(b)) == (ref_hex_value(b) >= 0); });
}
constexpr int hex_value_mismatch() {
    return first_failure([](int b) { return d::hex_value(byte(b)) == ref_hex_value(b); });
}
constexpr int digit_mismatch() {
    return first_failure([](int b) { return d::is_digit(byte(b)) == ref_digit(b); });
}
constexpr int ows_mismatch() {
    return first_failure([](int b) {
        const bool expected = b == ' ' || b == '\t';
        return d::is_ows(byte(b)) == expected && d::has_class(byte(b), d::cc_ows) == expected;
    });
}
constexpr int reason_mismatch() {
    // RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    return first_failure([](int b) { return d::has_class(byte(b), d::cc_reason) == ref_field_char(b); });
}
constexpr int qdtext_mismatch() {
    return first_failure([](int b) { return d::has_class(byte(b), d::cc_qdtext) == ref_qdtext(b); });
}
constexpr int ascii_lower_mismatch() {
    return first_failure([](int b) {
        const std::size_t upper = alphabet_upper.find(byte(b));
        const char expected = upper == std::string_view::npos ? byte(b) : alphabet_lower[upper];
        return d::ascii_lower(byte(b)) == expected;
    });
}
// is_token over every one-byte string agrees with tchar; is_field_value
// over every one-byte string agrees with the field characters.
constexpr int single_byte_token_mismatch() {
    return first_failure([](int b) {
        const char c[1] = {byte(b)};
        return d::is_token(std::string_view(c, 1)) == ref_tchar(b);
    });
}
constexpr int single_byte_field_value_mismatch() {
    return first_failure([](int b) {
        const char c[1] = {byte(b)};
        return d::is_field_value(std::string_view(c, 1)) == ref_field_char(b);
    });
}
// A byte that is not allowed poisons a value wherever it stands.
constexpr int embedded_field_value_mismatch() {
    return first_failure([](int b) {
        const char c[5] = {'a', ' ', byte(b), '\t', 'z'};
        return d::is_field_value(std::string_view(c, 5)) == ref_field_char(b);
    });
}
// iequals(x, y) for every pair of single bytes: equal exactly when they are
// the same byte or the same ASCII letter in the other case. Non-ASCII bytes
// never fold (0xC0 is not 0xE0), nor do '@' and '`', '[' and '{'.
// Rows [first, last) of the 256 x 256 table; split so that each
// static_assert stays within the compilers' constexpr step limits.
constexpr int iequals_mismatch(int first = 0, int last = 256) {
    for (int a = first; a < last; ++a) {
        const char ca[1] = {byte(a)};
        for (int b = 0; b < 256; ++b) {
            const char cb[1] = {byte(b)};
            const bool same_letter = (a >= 'A' && a <= 'Z' && b == a + 32) || (a >= 'a' && a <= 'z' && b == a - 32);
            const bool expected = a == b || same_letter;
            if (d::iequals(std::string_view(ca, 1), std::string_view(cb, 1)) != expected) return a * 256 + b;
        }
    }
    return -1;
}

constexpr int count_bytes(bool (*pred)(int)) {
    int n = 0;
    for (int b = 0; b < 256; ++b) n += pred(b) ? 1 : 0;
    return n;
}

static_assert(tchar_mismatch() == -1);
static_assert(field_vchar_mismatch() == -1);
static_assert(hexdig_mismatch() == -1);
static_assert(hex_value_mismatch() == -1);
static_assert(digit_mismatch() == -1);
static_assert(ows_mismatch() == -1);
static_assert(reason_mismatch() == -1);
static_assert(qdtext_mismatch() == -1);
static_assert(ascii_lower_mismatch() == -1);
static_assert(single_byte_token_mismatch() == -1);
static_assert(single_byte_field_value_mismatch() == -1);
static_assert(embedded_field_value_mismatch() == -1);

// The sizes of the sets, from the grammar: 10 digits + 52 letters + 15 of
// "!#$%&'*+-.^_`|~" are tchars; 94 VCHAR + 128 obs-text + SP + HTAB are
// field characters; 22 bytes are hex digits.
static_assert(count_bytes(ref_tchar) == 77);
static_assert(count_bytes(ref_field_char) == 224);
static_assert(count_bytes([](int b) { return ref_hex_value(b) >= 0; }) == 22);
static_assert(count_bytes([](int b) { return d::is_tchar(byte(b)); }) == 77);
static_assert(count_bytes([](int b) { return d::is_field_vchar(byte(b)); }) == 224);
static_assert(count_bytes([](int b) { return d::is_hexdig(byte(b)); }) == 22);

// Spot checks that read as the RFC does.
static_assert(d::is_tchar('!') && d::is_tchar('~') && d::is_tchar('`') && d::is_tchar('|'));
static_assert(!d::is_tchar('"') && !d::is_tchar('(') && !d::is_tchar(':') && !d::is_tchar('@'));
static_assert(!d::is_tchar(' ') && !d::is_tchar('\t') && !d::is_tchar('\x7f') && !d::is_tchar('\x80'));
static_assert(d::hex_value('0') == 0 && d::hex_value('9') == 9 && d::hex_value('a') == 10);
static_assert(d::hex_value('F') == 15 && d::hex_value('g') == -1 && d::hex_value('G') == -1);
static_assert(d::hex_value('x') == -1 && d::hex_value(' ') == -1 && d::hex_value('\xff') == -1);
static_assert(d::ascii_lower('A') == 'a' && d::ascii_lower('Z') == 'z' && d::ascii_lower('@') == '@');
static_assert(d::ascii_lower('[') == '[' && d::ascii_lower('\xc0') == '\xc0');

// ---------------------------------------------------------------------------
// String functions
// ---------------------------------------------------------------------------

static_assert(d::iequals("", ""));
static_assert(d::iequals("Content-Length", "content-length"));
static_assert(d::iequals("CHUNKED", "chunked"));
static_assert(!d::iequals("chunked", "chunked "));
static_assert(!d::iequals("chunked", "chunke"));
static_assert(!d::iequals("a", ""));
static_assert(!d::iequals("@", "`"));
static_assert(!d::iequals("[", "{"));
static_assert(!d::iequals("\xc0", "\xe0"));
// The Kelvin sign (U+212A) is not an ASCII 'k'.
static_assert(!d::iequals("keep-alive", "\xe2\x84\xaa" "eep-alive"));
static_assert(iequals_mismatch(0, 32) == -1);
static_assert(iequals_mismatch(32, 64) == -1);
static_assert(iequals_mismatch(64, 96) == -1);
static_assert(iequals_mismatch(96, 128) == -1);
static_assert(iequals_mismatch(128, 160) == -1);
static_assert(iequals_mismatch(160, 192) == -1);
static_assert(iequals_mismatch(192, 224) == -1);
static_assert(iequals_mismatch(224, 256) == -1);

static_assert(d::trim_ows("") == "");
static_assert(d::trim_ows(" ") == "");
static_assert(d::trim_ows(" \t \t") == "");
static_assert(d::trim_ows("x") == "x");
static_assert(d::trim_ows(" \tchunked\t ") == "chunked");
static_assert(d::trim_ows("a b") == "a b");
static_assert(d::trim_ows("  a \t b  ") == "a \t b");
// Only SP and HTAB are OWS: CR, LF, VT, FF and NBSP stay.
static_assert(d::trim_ows("\r\nx\r\n") == "\r\nx\r\n");
static_assert(d::trim_ows("\vx\f") == "\vx\f");
static_assert(d::trim_ows("\xa0x\xa0") == "\xa0x\xa0");

static_assert(!d::is_token(""));
static_assert(d::is_token("GET"));
static_assert(d::is_token("Content-Length"));
static_assert(d::is_token("!#$%&'*+-.^_`|~09AZaz"));
static_assert(!d::is_token("chunked;q=1"));
static_assert(!d::is_token("chunk ed"));
static_assert(!d::is_token(" chunked"));
static_assert(!d::is_token("chunked\t"));
static_assert(!d::is_token("a/b"));
static_assert(!d::is_token("caf\xc3\xa9"));
static_assert(!d::is_token(std::string_view("a\0b", 3)));

static_assert(d::is_field_value(""));
static_assert(d::is_field_value("text/html; charset=utf-8"));
static_assert(d::is_field_value(" leading and trailing\t"));
static_assert(d::is_field_value("a\tb"));
static_assert(d::is_field_value("caf\xc3\xa9 \x80\xff"));  // obs-text
static_assert(d::is_field_value("\"quoted\" \\ \x7e"));
static_assert(!d::is_field_value("a\rb"));
static_assert(!d::is_field_value("a\nb"));
static_assert(!d::is_field_value("a\r\n b"));
static_assert(!d::is_field_value(std::string_view("a\0b", 3)));
static_assert(!d::is_field_value("a\x01"));
static_assert(!d::is_field_value("\x1f"));
static_assert(!d::is_field_value("\x0b"));
static_assert(!d::is_field_value("\x0c"));
static_assert(!d::is_field_value("\x1b[31m"));
static_assert(!d::is_field_value("a\x7f"));

// ---------------------------------------------------------------------------
// The same at run time, naming the failing byte
// ---------------------------------------------------------------------------

TEST_CASE("chars: each class matches its RFC definition for all 256 bytes", "[chars]") {
    CHECK(tchar_mismatch() == -1);
    CHECK(field_vchar_mismatch() == -1);
    CHECK(hexdig_mismatch() == -1);
    CHECK(hex_value_mismatch() == -1);
    CHECK(digit_mismatch() == -1);
    CHECK(ows_mismatch() == -1);
    CHECK(reason_mismatch() == -1);
    CHECK(qdtext_mismatch() == -1);
    CHECK(ascii_lower_mismatch() == -1);
}

TEST_CASE("chars: byte by byte", "[chars]") {
    for (int b = 0; b < 256; ++b) {
        const char c = byte(b);
        CAPTURE(b);
        CHECK(d::is_tchar(c) == ref_tchar(b));
        CHECK(d::is_field_vchar(c) == ref_field_char(b));
        CHECK(d::is_hexdig(c) == (ref_hex_value(b) >= 0));
        CHECK(d::hex_value(c) == ref_hex_value(b));
        CHECK(d::is_digit(c) == ref_digit(b));
        CHECK(d::is_ows(c) == (b == ' ' || b == '\t'));
        // Every CTL but HTAB is excluded from field values.
        if (ref_ctl(b) && b != '\t') CHECK_FALSE(d::is_field_vchar(c));
        // A token character is always allowed in a field value.
        if (ref_tchar(b)) CHECK(d::is_field_vchar(c));
    }
}

TEST_CASE("chars: one-byte strings and embedded bytes", "[chars]") {
    CHECK(single_byte_token_mismatch() == -1);
    CHECK(single_byte_field_value_mismatch() == -1);
    CHECK(embedded_field_value_mismatch() == -1);
    CHECK(iequals_mismatch() == -1);
}

TEST_CASE("chars: the set sizes", "[chars]") {
    CHECK(count_bytes([](int b) { return d::is_tchar(byte(b)); }) == 77);
    CHECK(count_bytes([](int b) { return d::is_field_vchar(byte(b)); }) == 224);
    CHECK(count_bytes([](int b) { return d::is_hexdig(byte(b)); }) == 22);
    CHECK(count_bytes([](int b) { return d::is_digit(byte(b)); }) == 10);
}

TEST_CASE("chars: iequals", "[chars]") {
    CHECK(d::iequals("Transfer-Encoding", "TRANSFER-ENCODING"));
    CHECK(d::iequals("keep-alive", "Keep-Alive"));
    CHECK_FALSE(d::iequals("close", "closed"));
    CHECK_FALSE(d::iequals("closed-captioning", "close"));
    CHECK_FALSE(d::iequals("HEAD", "HEAD "));
    // Embedded NULs are compared like any byte.
    CHECK(d::iequals(std::string_view("A\0b", 3), std::string_view("a\0B", 3)));
    CHECK_FALSE(d::iequals(std::string_view("a\0", 2), std::string_view("a", 1)));
    // Longer strings, built at run time.
    std::string upper, lower;
    for (int i = 0; i < 1000; ++i) {
        upper += static_cast<char>('A' + i % 26);
        lower += static_cast<char>('a' + i % 26);
    }
    CHECK(d::iequals(upper, lower));
    lower.back() = '!';
    CHECK_FALSE(d::iequals(upper, lower));
}

TEST_CASE("chars: trim_ows", "[chars]") {
    CHECK(d::trim_ows("\t\t 3 \t") == "3");
    CHECK(d::trim_ows("gzip, chunked ") == "gzip, chunked");
    const std::string long_blank(10000, ' ');
    CHECK(d::trim_ows(long_blank).empty());
    const std::string padded = long_blank + "x" + long_blank;
    const std::string_view trimmed = d::trim_ows(padded);
    CHECK(trimmed == "x");
    // A view into the argument, not a copy.
    CHECK(trimmed.data() == padded.data() + long_blank.size());
}

TEST_CASE("chars: is_token", "[chars]") {
    CHECK(d::is_token("chunked"));
    CHECK(d::is_token("x-custom_header.v2"));
    CHECK_FALSE(d::is_token(""));
    CHECK_FALSE(d::is_token("a b"));
    CHECK_FALSE(d::is_token("a:b"));
    CHECK_FALSE(d::is_token("(comment)"));
    CHECK_FALSE(d::is_token("\"quoted\""));
    for (char delimiter : delimiters) {
        const std::string s = std::string("ab") + delimiter + "cd";
        CAPTURE(s);
        CHECK_FALSE(d::is_token(s));
    }
}

TEST_CASE("chars: is_field_value rejects CR, LF, NUL, CTLs and DEL", "[chars]") {
    CHECK(d::is_field_value(""));
    CHECK(d::is_field_value("\t"));
    CHECK(d::is_field_value(" "));
    CHECK(d::is_field_value("\x80\x9f\xa0\xff"));
    for (int b = 0; b < 256; ++b) {
        CAPTURE(b);
        std::string value = "value ";
        value += byte(b);
        value += " end";
        const bool allowed = b == '\t' || b == ' ' || ref_vchar(b) || b >= 0x80;
        CHECK(d::is_field_value(value) == allowed);
    }
    CHECK_FALSE(d::is_field_value("X: a\r\nInjected: b"));
    CHECK_FALSE(d::is_field_value(std::string("a\0", 2)));
}

}  // namespace
