// Host names for the Host header and CONNECT: ASCII as it is, and
// non-ASCII labels in their IDNA form ("bücher.de" becomes
// "xn--bcher-kva.de"), using the Punycode of RFC 3492.
//
// This is the encoding step only: labels are lower-cased in ASCII but not
// run through Unicode normalisation (nameprep/UTS #46), so pass names in the
// lower-case NFC form that browsers display.
#ifndef HTTPCLIENT_DETAIL_IDNA_HPP
#define HTTPCLIENT_DETAIL_IDNA_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/chars.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

// Decodes UTF-8; nullopt on a malformed sequence.
inline std::optional<std::vector<char32_t>> utf8_decode(std::string_view text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        int extra = 0;
        char32_t cp = 0;
        if (b < 0x80) { cp = b; }
        else if ((b & 0xe0) == 0xc0) { cp = b & 0x1f; extra = 1; }
        else if ((b & 0xf0) == 0xe0) { cp = b & 0x0f; extra = 2; }
        else if ((b & 0xf8) == 0xf0) { cp = b & 0x07; extra = 3; }
        else return std::nullopt;
        if (i + static_cast<std::size_t>(extra) >= text.size() && extra != 0) return std::nullopt;
        for (int k = 1; k <= extra; ++k) {
            const auto c = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((c & 0xc0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (c & 0x3f);
        }
        // Overlong forms and surrogates are not text.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return std::nullopt;
        out.push_back(cp);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

// RFC 3492 §6.3 with the parameters of §5.
inline std::optional<std::string> punycode_encode(const std::vector<char32_t>& input) {
    constexpr std::uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;
    auto digit = [](std::uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); };
    auto adapt = [&](std::uint32_t delta, std::uint32_t points, bool first) {
        delta = first ? delta / damp : delta / 2;
        delta += delta / points;
        std::uint32_t k = 0;
        while (delta > ((base - tmin) * tmax) / 2) {
            delta /= base - tmin;
            k += base;
        }
        return k + (base - tmin + 1) * delta / (delta + skew);
    };
    std::string out;
    for (char32_t c : input)
        if (c < 0x80) out += static_cast<char>(c);
    const std::uint32_t basic = static_cast<std::uint32_t>(out.size());
    std::uint32_t handled = basic;
    if (basic > 0) out += '-';
    std::uint32_t n = 0x80, delta = 0, bias = 72;
    while (handled < input.size()) {
        std::uint32_t m = 0xffffffff;
        for (char32_t c : input)
            if (c >= n && c < m) m = c;
        if ((m - n) > (0xffffffff - delta) / (handled + 1)) return std::nullopt;
        delta += (m - n) * (handled + 1);
        n = m;
        for (char32_t c : input) {
            if (c < n && ++delta == 0) return std::nullopt;
            if (c != n) continue;
            std::uint32_t q = delta;
            for (std::uint32_t k = base;; k += base) {
                const std::uint32_t t = k <= bias ? tmin : (k >= bias + tmax ? tmax : k - bias);
                if (q < t) break;
                out += digit(t + (q - t) % (base - t));
                q = (q - t) / (base - t);
            }
            out += digit(q);
            bias = adapt(delta, handled + 1, handled == basic);
            delta = 0;
            ++handled;
        }
        ++delta;
        ++n;
    }
    return out;
}

// The ASCII form of a host name; nullopt if it is not valid UTF-8 or a
// label cannot be encoded.
inline std::optional<std::string> idna_encode(std::string_view host) {
    bool ascii = true;
    for (char c : host) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) return std::string(host);
    std::string out;
    std::size_t start = 0;
    while (start <= host.size()) {
        const std::size_t dot = std::min(host.find('.', start), host.size());
        const std::string_view label = host.substr(start, dot - start);
        auto points = utf8_decode(label);
        if (!points) return std::nullopt;
        bool label_ascii = true;
        for (char32_t& c : *points) {
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            label_ascii = label_ascii && c < 0x80;
        }
        if (!out.empty() || start > 0) out += '.';
        if (label_ascii) {
            for (char32_t c : *points) out += static_cast<char>(c);
        } else {
            auto encoded = punycode_encode(*points);
            if (!encoded) return std::nullopt;
            out += "xn--" + *encoded;
        }
        if (dot == host.size()) break;
        start = dot + 1;
    }
    return out;
}

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_IDNA_HPP
