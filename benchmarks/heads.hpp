// heads.hpp: the response heads the parser benchmark feeds to every parser.
//
// Each one is shaped after what a kind of server really sends: CDN edges
// (Cloudflare, Fastly, Akamai), a JSON API, nginx serving a file, a
// redirect, a 304 and a chunked application response. The values are made
// up, but their lengths and the mix of short and long fields are the point:
// a parser's speed on a 40-field toy or a 3-field stub says little about
// what a client sees.
//
// The corpus rules (300 to 1500 bytes, 8 to 20 fields, CRLF line ends, no
// obs-fold, a status line that matches the expected code) are checked at
// compile time by static_assert, and again at start-up by check_corpus(),
// which says which head broke which rule.
#ifndef HTTPCLIENT_BENCHMARKS_HEADS_HPP
#define HTTPCLIENT_BENCHMARKS_HEADS_HPP

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <span>
#include <string_view>

namespace httpclient_bench {

struct sample_head {
    std::string_view name;  // a short label for the results table
    int status;             // the status code the head carries
    std::string_view text;  // status line to blank line, CRLF line ends
};

// clang-format off
inline constexpr sample_head corpus[] = {
    {"cdn-cloudflare", 200,
     "HTTP/1.1 200 OK\r\n"
     "Date: Tue, 11 Mar 2025 14:32:07 GMT\r\n"
     "Content-Type: text/html; charset=utf-8\r\n"
     "Content-Length: 48213\r\n"
     "Connection: keep-alive\r\n"
     "CF-Ray: 91e3c0a5fd8e3b2a-FRA\r\n"
     "CF-Cache-Status: HIT\r\n"
     "Age: 1843\r\n"
     "Cache-Control: public, max-age=3600, s-maxage=86400, stale-while-revalidate=60\r\n"
     "Last-Modified: Tue, 11 Mar 2025 13:51:24 GMT\r\n"
     "Vary: Accept-Encoding\r\n"
     "Set-Cookie: __cf_bm=q7Zr0bX3kLmTe9aV2pYsN4uJ8cWdHf1gR6oIiQxE5tA-1741703527-1.0.1.1-"
     "Ub2mVh8Lx3Kp0Qe7Ns9Rw4Tz1Yc6Ja5Gd8Fo2Xi3Sl7Mk0Pn4Bq9Cv1Ee6Hr5Wu2Zt8Ay3Dg0Jf7Kb; path=/; "
     "expires=Tue, 11-Mar-25 15:02:07 GMT; domain=.shop.example.com; HttpOnly; Secure; SameSite=None\r\n"
     "Report-To: {\"endpoints\":[{\"url\":\"https:\\/\\/a.nel.cloudflare.com\\/report\\/v4?s="
     "Hq2Lw%2Bk9Tz0fXv4Rb7Ne1Gc8Ys3Um6Pa5Jd2Ko9Wi4Ft7Zl0Qe3Bn8Vr1Sx6Cy\"}],\"group\":\"cf-nel\","
     "\"max_age\":604800}\r\n"
     "NEL: {\"success_fraction\":0,\"report_to\":\"cf-nel\",\"max_age\":604800}\r\n"
     "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload\r\n"
     "X-Content-Type-Options: nosniff\r\n"
     "Server: cloudflare\r\n"
     "Server-Timing: cfL4;desc=\"?proto=TCP&rtt=11873&min_rtt=10921&rtt_var=3402&sent=7&recv=9"
     "&lost=0&retrans=0&sent_bytes=3412&recv_bytes=1874&delivery_rate=318277&cwnd=254"
     "&unsent_bytes=0&cid=4c1e2f7a9b3d5e60&ts=412&x=0\"\r\n"
     "alt-svc: h3=\":443\"; ma=86400\r\n"
     "\r\n"},

    {"cdn-fastly", 200,
     "HTTP/1.1 200 OK\r\n"
     "Connection: keep-alive\r\n"
     "Content-Length: 183921\r\n"
     "Content-Type: image/webp\r\n"
     "Last-Modified: Fri, 28 Feb 2025 09:12:44 GMT\r\n"
     "ETag: \"a41f9c07e2d35b8811c6f0e4d2a79b35\"\r\n"
     "Cache-Control: public, max-age=31536000, immutable\r\n"
     "Accept-Ranges: bytes\r\n"
     "Date: Tue, 11 Mar 2025 14:32:08 GMT\r\n"
     "Via: 1.1 varnish, 1.1 varnish\r\n"
     "Age: 90412\r\n"
     "X-Served-By: cache-iad-kiad7000112-IAD, cache-fra-eddf8230041-FRA\r\n"
     "X-Cache: HIT, HIT\r\n"
     "X-Cache-Hits: 3, 1277\r\n"
     "X-Timer: S1741703528.117403,VS0,VE0\r\n"
     "Vary: Accept-Encoding, Accept\r\n"
     "Surrogate-Key: img product-8812 product-8812-hero\r\n"
     "Strict-Transport-Security: max-age=63072000\r\n"
     "alt-svc: h3=\":443\";ma=86400,h3-29=\":443\";ma=86400\r\n"
     "\r\n"},

    {"cdn-akamai", 200,
     "HTTP/1.1 200 OK\r\n"
     "Content-Type: application/javascript\r\n"
     "Content-Encoding: br\r\n"
     "ETag: \"6c1b0e8f4a2d37c59e1f08b2a7d4c3e1:1740731164.412877\"\r\n"
     "Last-Modified: Fri, 28 Feb 2025 08:26:04 GMT\r\n"
     "Server: AkamaiNetStorage\r\n"
     "Vary: Accept-Encoding\r\n"
     "Cache-Control: max-age=604800\r\n"
     "Expires: Tue, 18 Mar 2025 14:32:09 GMT\r\n"
     "Date: Tue, 11 Mar 2025 14:32:09 GMT\r\n"
     "Content-Length: 91245\r\n"
     "Connection: keep-alive\r\n"
     "Akamai-GRN: 0.4f2e1c17.1741703529.1a9e3b07\r\n"
     "Server-Timing: cdn-cache; desc=HIT\r\n"
     "Server-Timing: edge; dur=1\r\n"
     "Server-Timing: ak_p; desc=\"1741703529017_387845711_446577415_23_8731_14_0_-\";dur=1\r\n"
     "X-Akamai-Transformed: 9 - 0 pmb=mRUM,1\r\n"
     "Timing-Allow-Origin: *\r\n"
     "Access-Control-Allow-Origin: *\r\n"
     "\r\n"},

    {"api-json", 200,
     "HTTP/1.1 200 OK\r\n"
     "Date: Tue, 11 Mar 2025 14:32:10 GMT\r\n"
     "Content-Type: application/json; charset=utf-8\r\n"
     "Content-Length: 5871\r\n"
     "Connection: keep-alive\r\n"
     "Cache-Control: private, max-age=60, s-maxage=60\r\n"
     "Vary: Accept, Authorization, Cookie, Accept-Encoding\r\n"
     "ETag: W/\"3f8a2c71d0b94e6e9a1d5c27f0e8b413\"\r\n"
     "X-RateLimit-Limit: 5000\r\n"
     "X-RateLimit-Remaining: 4987\r\n"
     "X-RateLimit-Reset: 1741706400\r\n"
     "X-RateLimit-Used: 13\r\n"
     "X-RateLimit-Resource: core\r\n"
     "X-Request-Id: 7c2f9e4a-1b3d-4e8f-a6c0-95d7b2e1f483\r\n"
     "Access-Control-Allow-Origin: https://app.example.com\r\n"
     "Access-Control-Allow-Credentials: true\r\n"
     "Access-Control-Expose-Headers: ETag, Link, Location, Retry-After, X-RateLimit-Limit, "
     "X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Used, X-Request-Id\r\n"
     "Link: <https://api.example.com/v2/repos/4471/issues?page=2&per_page=100>; rel=\"next\", "
     "<https://api.example.com/v2/repos/4471/issues?page=14&per_page=100>; rel=\"last\"\r\n"
     "X-Content-Type-Options: nosniff\r\n"
     "Content-Security-Policy: default-src 'none'\r\n"
     "\r\n"},

    {"nginx-static", 200,
     "HTTP/1.1 200 OK\r\n"
     "Server: nginx/1.24.0\r\n"
     "Date: Tue, 11 Mar 2025 14:32:11 GMT\r\n"
     "Content-Type: text/css\r\n"
     "Content-Length: 29472\r\n"
     "Last-Modified: Mon, 03 Mar 2025 17:45:02 GMT\r\n"
     "Connection: keep-alive\r\n"
     "ETag: \"67c5eb8e-7320\"\r\n"
     "Expires: Wed, 11 Jun 2025 14:32:11 GMT\r\n"
     "Cache-Control: max-age=7776000\r\n"
     "X-Content-Type-Options: nosniff\r\n"
     "Accept-Ranges: bytes\r\n"
     "\r\n"},

    {"redirect-301", 301,
     "HTTP/1.1 301 Moved Permanently\r\n"
     "Server: nginx\r\n"
     "Date: Tue, 11 Mar 2025 14:32:12 GMT\r\n"
     "Content-Type: text/html\r\n"
     "Content-Length: 162\r\n"
     "Connection: keep-alive\r\n"
     "Location: https://www.example.com/en-us/products/outdoor/tents/ultralight-2-person"
     "?utm_source=newsletter&utm_medium=email&utm_campaign=spring_2025\r\n"
     "Cache-Control: max-age=3600\r\n"
     "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
     "X-Frame-Options: SAMEORIGIN\r\n"
     "Referrer-Policy: strict-origin-when-cross-origin\r\n"
     "\r\n"},

    {"not-modified-304", 304,
     "HTTP/1.1 304 Not Modified\r\n"
     "Date: Tue, 11 Mar 2025 14:32:13 GMT\r\n"
     "Connection: keep-alive\r\n"
     "ETag: \"a41f9c07e2d35b8811c6f0e4d2a79b35\"\r\n"
     "Last-Modified: Fri, 28 Feb 2025 09:12:44 GMT\r\n"
     "Cache-Control: public, max-age=300, must-revalidate\r\n"
     "Expires: Tue, 11 Mar 2025 14:37:13 GMT\r\n"
     "Vary: Accept-Encoding\r\n"
     "Age: 112\r\n"
     "Via: 1.1 varnish\r\n"
     "X-Cache: HIT\r\n"
     "X-Served-By: cache-ams21042-AMS\r\n"
     "Server-Timing: cdn-cache; desc=REVALIDATE, edge; dur=2\r\n"
     "\r\n"},

    {"chunked-app", 200,
     "HTTP/1.1 200 OK\r\n"
     "X-Powered-By: Express\r\n"
     "Content-Type: text/html; charset=utf-8\r\n"
     "Transfer-Encoding: chunked\r\n"
     "Content-Encoding: gzip\r\n"
     "Vary: Accept-Encoding\r\n"
     "Date: Tue, 11 Mar 2025 14:32:14 GMT\r\n"
     "Connection: keep-alive\r\n"
     "Keep-Alive: timeout=5\r\n"
     "Cache-Control: no-store, no-cache, must-revalidate, proxy-revalidate\r\n"
     "Pragma: no-cache\r\n"
     "Set-Cookie: connect.sid=s%3AqL7nZ0vB4xR2kT9mW1cY6hJ3fD8sG5aE.Kp2Vw7Lr0Nx4Qz9Tb6Hm1Jc3Fy8Ud5Ge2Sa7Oi0We4; "
     "Path=/; Expires=Wed, 12 Mar 2025 14:32:14 GMT; HttpOnly; Secure; SameSite=Lax\r\n"
     "Set-Cookie: csrf_token=c4b8e1f07a2d49e3b6c5f8a1d0e7b2c9; Path=/; Secure; SameSite=Strict\r\n"
     "Content-Security-Policy: default-src 'self'; script-src 'self' https://cdn.example.net; "
     "style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self' "
     "https://api.example.com; frame-ancestors 'none'; base-uri 'self'\r\n"
     "Referrer-Policy: no-referrer\r\n"
     "Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n"
     "X-Frame-Options: DENY\r\n"
     "\r\n"},
};
// clang-format on

inline constexpr std::size_t min_head_bytes = 300;
inline constexpr std::size_t max_head_bytes = 1500;
inline constexpr std::size_t min_head_fields = 8;
inline constexpr std::size_t max_head_fields = 20;

// What is wrong with a head, if anything, and its size in bytes and fields.
struct head_shape {
    std::size_t bytes = 0;
    std::size_t fields = 0;
    const char* problem = nullptr;  // nullptr when the head follows every rule
};

constexpr head_shape measure_head(const sample_head& head) noexcept {
    const std::string_view text = head.text;
    head_shape shape{text.size(), 0, nullptr};
    // "HTTP/1.1 NNN": the code the table claims must be the one on the wire,
    // because the benchmark checks every parser's answer against it.
    if (text.size() < 12 || text.substr(0, 9) != "HTTP/1.1 ") {
        shape.problem = "does not start with \"HTTP/1.1 \"";
        return shape;
    }
    const int code = (text[9] - '0') * 100 + (text[10] - '0') * 10 + (text[11] - '0');
    if (code != head.status) {
        shape.problem = "status line does not carry the expected status code";
        return shape;
    }
    std::size_t begin = 0;
    bool status_line = true;
    for (;;) {
        const std::size_t lf = text.find('\n', begin);
        if (lf == std::string_view::npos) {
            shape.problem = "does not end with an empty line";
            return shape;
        }
        if (lf == begin || text[lf - 1] != '\r') {
            shape.problem = "has a line that does not end in CRLF";
            return shape;
        }
        const std::string_view line = text.substr(begin, lf - 1 - begin);
        if (line.find('\r') != std::string_view::npos) {
            shape.problem = "has a bare CR";
            return shape;
        }
        begin = lf + 1;
        if (line.empty()) break;
        if (status_line) {
            status_line = false;
            continue;
        }
        // One physical line must be one field: the benchmark parses a single
        // copy of each head many times, which is only sound while no parser
        // rewrites it (ours blanks obs-fold CRLFs in place).
        if (line.front() == ' ' || line.front() == '\t') {
            shape.problem = "has an obs-fold continuation line";
            return shape;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            shape.problem = "has a field line without a name and colon";
            return shape;
        }
        // Trailing whitespace would be kept by one parser and cut by another,
        // and the benchmark checks that all of them deliver the same bytes.
        if (line.back() == ' ' || line.back() == '\t') {
            shape.problem = "has a field value with trailing whitespace";
            return shape;
        }
        ++shape.fields;
    }
    if (begin != text.size()) {
        shape.problem = "has bytes after the blank line";
    } else if (shape.bytes < min_head_bytes || shape.bytes > max_head_bytes) {
        shape.problem = "is not 300 to 1500 bytes long";
    } else if (shape.fields < min_head_fields || shape.fields > max_head_fields) {
        shape.problem = "does not have 8 to 20 fields";
    }
    return shape;
}

constexpr bool corpus_is_valid() noexcept {
    for (const sample_head& head : corpus)
        if (measure_head(head).problem != nullptr) return false;
    return true;
}

static_assert(std::size(corpus) >= 6, "the corpus needs at least six heads");
#ifndef HTTPCLIENT_BENCH_SKIP_STATIC_CHECK
static_assert(corpus_is_valid(),
              "a head in heads.hpp breaks the corpus rules; build with "
              "-DHTTPCLIENT_BENCH_SKIP_STATIC_CHECK and run bench_parser to see which");
#endif

// The same check at run time, naming the head and the rule (the
// static_assert can only say that some head is wrong).
inline void check_corpus() {
    bool ok = true;
    for (const sample_head& head : corpus) {
        const head_shape shape = measure_head(head);
        if (shape.problem != nullptr) {
            std::fprintf(stderr, "heads.hpp: head \"%.*s\" (%zu bytes, %zu fields) %s\n",
                         static_cast<int>(head.name.size()), head.name.data(), shape.bytes, shape.fields,
                         shape.problem);
            ok = false;
        }
    }
    if (!ok) {
        std::fprintf(stderr, "heads.hpp: the corpus is invalid; refusing to measure anything\n");
        std::exit(2);
    }
}

}  // namespace httpclient_bench

#endif  // HTTPCLIENT_BENCHMARKS_HEADS_HPP
