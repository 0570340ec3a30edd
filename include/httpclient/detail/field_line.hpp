// The rules for one field line (RFC 9110 §5, RFC 9112 §5), shared by the
// response-head parser and the chunked decoder's trailer section, so the two
// can never disagree about what a valid field is.
#ifndef HTTPCLIENT_DETAIL_FIELD_LINE_HPP
#define HTTPCLIENT_DETAIL_FIELD_LINE_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/chars.hpp>
#include <httpclient/errors.hpp>

#include <bit>
#include <cstddef>
#include <string_view>
#include <system_error>

#if defined(__SSE2__) && !defined(HTTPCLIENT_DISABLE_SIMD)
#define HTTPCLIENT_HAS_SSE2 1
#include <emmintrin.h>
#else
#define HTTPCLIENT_HAS_SSE2 0
#endif

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

// The first byte in [p, end) that may not appear in a field value or reason
// phrase (a control character other than HTAB, or DEL), or end. Values are
// most of a head's bytes, so this is the loop worth vectorising.
inline const char* find_non_field_vchar_scalar(const char* p, const char* end) noexcept {
    while (p != end && is_field_vchar(*p)) ++p;
    return p;
}

#if HTTPCLIENT_HAS_SSE2
// SSE2 is part of the x86-64 baseline, so this needs no run-time check.
inline const char* find_non_field_vchar_sse2(const char* p, const char* end) noexcept {
    const __m128i max_control = _mm_set1_epi8(0x1f);
    const __m128i del = _mm_set1_epi8(0x7f);
    const __m128i tab = _mm_set1_epi8('\t');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Unsigned v <= 0x1f is min(v, 0x1f) == v.
        const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, max_control), v);
        const __m128i bad = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab),
                                             _mm_or_si128(control, _mm_cmpeq_epi8(v, del)));
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
        if (mask != 0) return p + std::countr_zero(mask);
        p += 16;
    }
    return find_non_field_vchar_scalar(p, end);
}
#endif

// The first byte in [p, end) that is not a token character, or end.
inline const char* find_non_tchar_scalar(const char* p, const char* end) noexcept {
    while (p != end && is_tchar(*p)) ++p;
    return p;
}

#if HTTPCLIENT_HAS_SSE2
// Field names are mostly letters, digits and '-': test 16 of those at a time
// and leave the rarer token characters (and the end) to the table.
inline const char* find_non_tchar_sse2(const char* p, const char* end) noexcept {
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Letters of either case fold to 'a'..'z' with OR 0x20; a byte is in
        // [lo, hi] when max(v, lo) == v and min(v, hi) == v (unsigned).
        const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        const __m128i letter = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(folded, _mm_set1_epi8('a')), folded),
                                             _mm_cmpeq_epi8(_mm_min_epu8(folded, _mm_set1_epi8('z')), folded));
        const __m128i digit = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8('0')), v),
                                            _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8('9')), v));
        const __m128i dash = _mm_cmpeq_epi8(v, _mm_set1_epi8('-'));
        const __m128i common = _mm_or_si128(_mm_or_si128(letter, digit), dash);
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(common)) ^ 0xffffu;
        if (mask != 0) {
            p += std::countr_zero(mask);
            if (!is_tchar(*p)) return p;
            ++p;  // a rarer token character: keep going
            continue;
        }
        p += 16;
    }
    return find_non_tchar_scalar(p, end);
}
#endif

inline const char* find_non_tchar(const char* p, const char* end) noexcept {
#if HTTPCLIENT_HAS_SSE2
    return find_non_tchar_sse2(p, end);
#else
    return find_non_tchar_scalar(p, end);
#endif
}

inline const char* find_non_field_vchar(const char* p, const char* end) noexcept {
#if HTTPCLIENT_HAS_SSE2
    return find_non_field_vchar_sse2(p, end);
#else
    return find_non_field_vchar_scalar(p, end);
#endif
}

// Where the parts of a field line lie, as offsets into the line.
struct field_line_parts {
    std::size_t name_size = 0;
    std::size_t value_begin = 0;
    std::size_t value_end = 0;
};

// Checks a value (or continuation) from `from` to the end of the line and
// returns where the value ends once trailing OWS is cut. The line excludes
// its terminator, so any CR left in it is a bare CR.
inline std::error_code scan_field_value(std::string_view line, std::size_t from,
                                        std::size_t& value_end) noexcept {
    const char* begin = line.data();
    const char* end = begin + line.size();
    const char* stop = find_non_field_vchar(begin + from, end);
    if (stop != end) return make_error_code(*stop == '\r' ? errc::bare_cr : errc::bad_field_value);
    while (end != begin + from && is_ows(end[-1])) --end;
    value_end = static_cast<std::size_t>(end - begin);
    return {};
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). `line` is a
// whole line without its CRLF (or LF), and does not start with SP or HTAB
// (that is an obs-fold, which the caller handles). Leading and trailing OWS
// are not part of the value (RFC 9110 §5.5).
inline std::error_code parse_field_line(std::string_view line, field_line_parts& out) noexcept {
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (i < n && is_tchar(line[i])) ++i;
    if (i == n) return make_error_code(i == 0 ? errc::bad_field_name : errc::missing_colon);
    const char stop = line[i];
    if (stop != ':') {
        if (stop == '\r') return make_error_code(errc::bare_cr);
        const bool has_colon = line.find(':', i) != std::string_view::npos;
        if (i > 0 && is_ows(stop)) {
            // RFC 9112 §5.1: whitespace between name and colon must be
            // rejected, because intermediaries have disagreed about what it
            // means. Whitespace followed by more name is just a bad name.
            std::size_t j = i;
            while (j < n && is_ows(line[j])) ++j;
            if (j < n && line[j] == ':') return make_error_code(errc::whitespace_before_colon);
        }
        return make_error_code(has_colon ? errc::bad_field_name : errc::missing_colon);
    }
    if (i == 0) return make_error_code(errc::bad_field_name);
    out.name_size = i;
    ++i;
    while (i < n && is_ows(line[i])) ++i;
    out.value_begin = i;
    return scan_field_value(line, i, out.value_end);
}

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_FIELD_LINE_HPP
