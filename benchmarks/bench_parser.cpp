// bench_parser.cpp: how fast httpclient's response_head_parser turns a
// complete response head into a status and fields, next to nodejs
// http-parser (2.9, the C parser Node used before llhttp) and
// Boost.Beast's http::response_parser.
//
// Every parser does the same job for every head: parse the whole head from
// one buffer, then hand over the status code, the reason phrase and every
// field name and value. The harness touches what each hands over in the same
// way (it adds up the lengths and counts the fields) so no parser's result
// is dead code and none does less than the others. Before anything is timed,
// each parser must agree with ours on every head (status, field count, and
// the bytes of reason, names and values); each timed sample re-checks the
// sum, so a parser that silently failed inside the loop would abort the run.
//
// Usage: bench_parser [--runs N] [--sample-ms M] [--only NAME] [--passes N]
//   --runs N       samples per cell; the table shows their median (default 7)
//   --sample-ms M  target length of one sample (default 45, so a cell takes
//                  about 0.3 s with the default runs)
//   --only NAME    time only one parser: ours, beast or http-parser (for
//                  profiling; the others are still checked, not timed)
//   --passes N     a fixed number of passes per sample instead of
//                  calibrating (for callgrind, where time means nothing)

#include "bench_options.hpp"  // command line and median, shared with bench_request
#include "heads.hpp"

#include <httpclient/parser.hpp>  // the parser under test

#include <boost/asio/buffer.hpp>            // net::buffer for basic_parser::put
#include <boost/beast/http/empty_body.hpp>  // the body type: we stop at the head anyway
#include <boost/beast/http/parser.hpp>      // http::response_parser

#include <http_parser.h>  // nodejs http-parser (Debian libhttp-parser-dev)

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace hb = httpclient_bench;
namespace http = boost::beast::http;

// What a parser handed over for one head, reduced to numbers: enough to
// prove it saw everything, cheap enough not to dominate the timing.
struct digest {
    int status = 0;           // 0 means the parse failed
    std::size_t fields = 0;   // field lines delivered
    std::size_t bytes = 0;    // reason phrase + every name + every value
    friend bool operator==(const digest&, const digest&) = default;
    [[nodiscard]] std::uint64_t sum() const noexcept { return static_cast<std::uint64_t>(status) + fields + bytes; }
};

// Tell the compiler that `value` is read here, and that memory may have
// changed, so neither the work that produced it nor the next iteration's
// loads can be removed or hoisted out of the loop.
template <class T>
inline void keep(const T& value) noexcept {
    asm volatile("" : : "r,m"(value) : "memory");
}

// ---------------------------------------------------------------------------
// The three contenders. Each parse() takes a complete head and returns its
// digest; the same function is used to verify and to time.

class ours {
public:
    static constexpr std::string_view name = "ours";

    // Our parse() takes a mutable buffer because it rewrites obs-fold line
    // breaks in place (RFC 9112 §5.2). The corpus has no obs-fold (heads.hpp
    // checks that), so parsing never writes and one copy of each head, made
    // once, reads the same on every iteration: no per-iteration memcpy is
    // needed, and none is charged to us.
    digest parse(std::span<char> head) {
        parser_.reset();  // keeps the field table's capacity, as a connection would
        std::error_code ec;
        if (parser_.parse(head, ec) != httpclient::parse_result::complete || parser_.head_size() != head.size())
            return {};
        digest d{parser_.status(), 0, parser_.reason().size()};
        for (const httpclient::field f : parser_.headers()) {
            ++d.fields;
            d.bytes += f.name.size() + f.value.size();
        }
        return d;
    }

private:
    httpclient::response_head_parser parser_;
};

class nodejs_http_parser {
public:
    static constexpr std::string_view name = "http-parser";

    nodejs_http_parser() {
        http_parser_settings_init(&settings_);
        settings_.on_status = on_status;
        settings_.on_header_field = on_header_field;
        settings_.on_header_value = on_header_value;
        settings_.on_headers_complete = on_headers_complete;
    }

    // http_parser_init is the library's way to reuse a parser; it is what a
    // keep-alive connection would call between messages.
    digest parse(std::span<char> head) {
        http_parser_init(&parser_, HTTP_RESPONSE);
        tally_ = {};
        parser_.data = &tally_;
        const std::size_t used = http_parser_execute(&parser_, &settings_, head.data(), head.size());
        if (used != head.size() || HTTP_PARSER_ERRNO(&parser_) != HPE_OK || !tally_.head_done) return {};
        tally_.result.status = static_cast<int>(parser_.status_code);
        return tally_.result;
    }

private:
    // The callbacks keep nothing but lengths. A name or value split across
    // two execute() calls would arrive in pieces; the in_name flag counts a
    // field once however many pieces its name comes in.
    struct tally {
        digest result;
        bool in_name = false;
        bool head_done = false;
    };

    static tally& of(http_parser* p) noexcept { return *static_cast<tally*>(p->data); }

    static int on_status(http_parser* p, const char*, std::size_t n) {
        of(p).result.bytes += n;
        return 0;
    }
    static int on_header_field(http_parser* p, const char*, std::size_t n) {
        tally& t = of(p);
        if (!t.in_name) ++t.result.fields;
        t.in_name = true;
        t.result.bytes += n;
        return 0;
    }
    static int on_header_value(http_parser* p, const char*, std::size_t n) {
        tally& t = of(p);
        t.in_name = false;
        t.result.bytes += n;
        return 0;
    }
    static int on_headers_complete(http_parser* p) {
        of(p).head_done = true;
        return 0;  // 0: let the parser decide about the body from the head
    }

    http_parser parser_{};
    http_parser_settings settings_{};
    tally tally_;
};

class beast {
public:
    static constexpr std::string_view name = "Beast";

    // Beast parsers are single-use: a second message on the same parser is
    // error::stale_parser, and the documented way to read the next message
    // is to construct a new parser. So one is built per head, as Beast's own
    // examples do; that cost is part of what Beast charges per message.
    digest parse(std::span<char> head) {
        http::response_parser<http::empty_body> parser;
        parser.eager(false);             // stop at the end of the head
        parser.header_limit(64 * 1024);  // above every head in the corpus
        boost::beast::error_code ec;
        const std::size_t used = parser.put(boost::asio::buffer(head.data(), head.size()), ec);
        if (ec || used != head.size() || !parser.is_header_done()) return {};
        const auto& message = parser.get();
        digest d{static_cast<int>(message.result_int()), 0, message.reason().size()};
        for (const auto& f : message) {
            ++d.fields;
            d.bytes += f.name_string().size() + f.value().size();
        }
        return d;
    }
};

// ---------------------------------------------------------------------------
// The harness.

using clock_type = std::chrono::steady_clock;

// One head per entry, each in its own heap buffer that every parser reads
// (so no parser gets better alignment than another).
struct prepared_head {
    std::string_view name;
    std::vector<char> bytes;
    std::size_t fields = 0;
    std::uint64_t check = 0;  // digest::sum() of a correct parse
};

// A workload is what one "pass" parses: one head, or every head in turn.
struct workload {
    std::string label;
    std::vector<std::size_t> heads;  // indices into the prepared heads
    std::size_t bytes = 0;
    std::size_t fields = 0;
    std::uint64_t check = 0;
};

const bench::command_line command_line{"bench_parser", "--passes", {"ours", "beast", "http-parser"}};

// A contender as the harness sees it: a name, and a way to time `passes`
// passes over a workload. The call through std::function happens once per
// sample; the parse loop inside is compiled for the concrete parser.
struct contender {
    std::string_view name;
    std::function<digest(std::size_t head)> parse_once;
    std::function<double(const workload&, std::size_t passes)> time_passes;
};

template <class Parser>
contender make_contender(Parser& parser, std::vector<prepared_head>& heads) {
    contender c;
    c.name = Parser::name;
    c.parse_once = [&parser, &heads](std::size_t h) {
        return parser.parse(std::span<char>(heads[h].bytes));
    };
    c.time_passes = [&parser, &heads](const workload& w, std::size_t passes) {
        std::uint64_t total = 0;
        const auto start = clock_type::now();
        for (std::size_t pass = 0; pass < passes; ++pass) {
            for (const std::size_t h : w.heads) {
                const digest d = parser.parse(std::span<char>(heads[h].bytes));
                total += d.sum();
                keep(total);
            }
        }
        const auto stop = clock_type::now();
        if (total != w.check * passes) {
            std::fprintf(stderr, "bench_parser: %.*s delivered different results while timed on %s\n",
                         static_cast<int>(Parser::name.size()), Parser::name.data(), w.label.c_str());
            std::exit(1);
        }
        return std::chrono::duration<double>(stop - start).count();
    };
    return c;
}

std::string_view describe(const digest& d, std::string& out) {
    out = "status " + std::to_string(d.status) + ", " + std::to_string(d.fields) + " fields, " +
          std::to_string(d.bytes) + " bytes of reason, names and values";
    return out;
}

// Every parser must parse every head, and agree with ours about it, before
// a single number is printed.
void verify(std::vector<contender>& contenders, std::vector<prepared_head>& heads) {
    for (std::size_t h = 0; h < heads.size(); ++h) {
        const digest reference = contenders.front().parse_once(h);
        const std::string_view head_name = heads[h].name;
        if (reference.status != hb::corpus[h].status || reference.fields != heads[h].fields) {
            std::string seen;
            std::fprintf(stderr, "bench_parser: ours got %s on %.*s; the corpus says status %d, %zu fields\n",
                         describe(reference, seen).data(), static_cast<int>(head_name.size()), head_name.data(),
                         hb::corpus[h].status, heads[h].fields);
            std::exit(1);
        }
        for (std::size_t c = 1; c < contenders.size(); ++c) {
            const digest d = contenders[c].parse_once(h);
            if (d != reference) {
                std::string seen, expected;
                std::fprintf(stderr, "bench_parser: %.*s got %s on %.*s, but ours got %s\n",
                             static_cast<int>(contenders[c].name.size()), contenders[c].name.data(),
                             d.status == 0 ? "a parse failure" : describe(d, seen).data(),
                             static_cast<int>(head_name.size()), head_name.data(),
                             describe(reference, expected).data());
                std::exit(1);
            }
        }
        heads[h].check = reference.sum();
    }
}

// Enough passes for one sample to last about `target` seconds.
std::size_t calibrate(const contender& c, const workload& w, double target) {
    std::size_t passes = 1;
    for (;;) {
        const double t = c.time_passes(w, passes);
        if (t >= 0.01 || passes >= (std::size_t{1} << 40)) {
            const double scaled = static_cast<double>(passes) * target / (t > 0 ? t : 1e-9);
            return scaled < 1 ? 1 : static_cast<std::size_t>(scaled);
        }
        passes *= 2;
    }
}

struct cell {
    std::size_t passes = 0;
    std::vector<double> seconds;  // one per run
    double ns_per_head = 0;
    double mb_per_s = 0;
    double spread = 0;  // (slowest - fastest) / median, over the runs
};

void print_machine() {
    std::printf("compiler: %s", __VERSION__);
#if defined(__OPTIMIZE__)
    std::printf(", optimized");
#else
    std::printf(", NOT OPTIMIZED: these numbers mean nothing");
#endif
#if defined(NDEBUG)
    std::printf(", NDEBUG\n");
#else
    std::printf(", assertions on\n");
#endif
    std::printf("http-parser %d.%d.%d, Boost %d.%d.%d, httpclient %s\n", HTTP_PARSER_VERSION_MAJOR,
                HTTP_PARSER_VERSION_MINOR, HTTP_PARSER_VERSION_PATCH, BOOST_VERSION / 100000,
                BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100, HTTPCLIENT_VERSION_STRING);
}

}  // namespace

int main(int argc, char** argv) {
    const bench::options opt = bench::parse_options(argc, argv, command_line, {});
    hb::check_corpus();

    std::vector<prepared_head> heads;
    for (const hb::sample_head& h : hb::corpus) {
        prepared_head p;
        p.name = h.name;
        p.bytes.assign(h.text.begin(), h.text.end());
        p.fields = hb::measure_head(h).fields;
        heads.push_back(std::move(p));
    }

    ours our_parser;
    beast beast_parser;
    nodejs_http_parser node_parser;
    // Ours first: verify() takes the first contender as the reference.
    std::vector<contender> contenders;
    contenders.push_back(make_contender(our_parser, heads));
    contenders.push_back(make_contender(beast_parser, heads));
    contenders.push_back(make_contender(node_parser, heads));
    verify(contenders, heads);

    // One workload per head, and the whole corpus: every head in turn, each
    // pass, so branch predictors cannot settle on one head's shape.
    std::vector<workload> workloads;
    workload all{"whole corpus", {}, 0, 0, 0};
    for (std::size_t h = 0; h < heads.size(); ++h) {
        workloads.push_back({std::string(heads[h].name), {h}, heads[h].bytes.size(), heads[h].fields, heads[h].check});
        all.heads.push_back(h);
        all.bytes += heads[h].bytes.size();
        all.fields += heads[h].fields;
        all.check += heads[h].check;
    }
    workloads.push_back(all);

    const auto timed = [&](std::size_t c) {
        if (!opt.only) return true;
        const std::string_view n = contenders[c].name;
        return *opt.only == n || (*opt.only == "beast" && n == beast::name);
    };

    print_machine();
    std::printf("%d runs per cell, median shown; %s\n\n", opt.runs,
                opt.count ? "fixed passes per sample" : "passes calibrated to the sample length");

    // cells[w][c]
    std::vector<std::vector<cell>> cells(workloads.size(), std::vector<cell>(contenders.size()));
    const double target = opt.sample_ms / 1000.0;
    for (std::size_t w = 0; w < workloads.size(); ++w)
        for (std::size_t c = 0; c < contenders.size(); ++c)
            if (timed(c)) cells[w][c].passes = opt.count ? opt.count : calibrate(contenders[c], workloads[w], target);

    // Runs are the outer loop and parsers the inner one, so a slow patch of
    // the machine (frequency change, a noisy neighbour) hits all of them
    // alike instead of one parser's whole cell.
    for (int run = 0; run < opt.runs; ++run)
        for (std::size_t w = 0; w < workloads.size(); ++w)
            for (std::size_t c = 0; c < contenders.size(); ++c)
                if (timed(c)) cells[w][c].seconds.push_back(contenders[c].time_passes(workloads[w], cells[w][c].passes));

    double worst_spread = 0;
    std::string worst_cell;
    for (std::size_t w = 0; w < workloads.size(); ++w) {
        for (std::size_t c = 0; c < contenders.size(); ++c) {
            cell& x = cells[w][c];
            if (x.seconds.empty()) continue;
            const double t = bench::median(x.seconds);
            const double heads_parsed = static_cast<double>(x.passes * workloads[w].heads.size());
            const double bytes_parsed = static_cast<double>(x.passes * workloads[w].bytes);
            x.ns_per_head = t * 1e9 / heads_parsed;
            x.mb_per_s = bytes_parsed / t / 1e6;
            const auto [lo, hi] = std::minmax_element(x.seconds.begin(), x.seconds.end());
            x.spread = (*hi - *lo) / t;
            if (x.spread > worst_spread) {
                worst_spread = x.spread;
                worst_cell = std::string(contenders[c].name) + " on " + workloads[w].label;
            }
        }
    }

    // The table: ns per head and MB/s (10^6 bytes) per parser, then how many
    // times ours' throughput the others' is.
    std::printf("%-18s %5s %6s", "head", "bytes", "fields");
    for (const contender& c : contenders)
        std::printf(" | %11.*s ns %7s", static_cast<int>(c.name.size()), c.name.data(), "MB/s");
    std::printf(" | %10s %16s\n", "ours/Beast", "ours/http-parser");
    const auto rule = [&] {
        std::string line(18 + 1 + 5 + 1 + 6, '-');
        for (std::size_t i = 0; i < contenders.size(); ++i) line += "-+-" + std::string(11 + 3 + 1 + 7, '-');
        line += "-+-" + std::string(10 + 1 + 16, '-');
        std::printf("%s\n", line.c_str());
    };
    rule();
    for (std::size_t w = 0; w < workloads.size(); ++w) {
        if (w + 1 == workloads.size()) rule();
        const workload& wl = workloads[w];
        std::printf("%-18s %5zu %6zu", wl.label.c_str(), wl.bytes, wl.fields);
        for (std::size_t c = 0; c < contenders.size(); ++c) {
            const cell& x = cells[w][c];
            if (x.seconds.empty())
                std::printf(" | %14s %7s", "-", "-");
            else
                std::printf(" | %14.1f %7.0f", x.ns_per_head, x.mb_per_s);
        }
        const cell& mine = cells[w][0];
        for (std::size_t c = 1; c < contenders.size(); ++c) {
            const cell& other = cells[w][c];
            const int width = c == 1 ? 10 : 16;
            if (mine.seconds.empty() || other.seconds.empty())
                std::printf(" %s%*s", c == 1 ? "| " : "", width, "-");
            else
                std::printf(" %s%*.2fx", c == 1 ? "| " : "", width - 1, other.ns_per_head / mine.ns_per_head);
        }
        std::printf("\n");
    }
    std::printf("\nwhole corpus: each pass parses every head once, in order; its bytes and fields are the sums,\n"
                "its ns figure is per head. Ratios are throughput ratios (their ns / our ns).\n");
    if (!worst_cell.empty())
        std::printf("largest run-to-run spread (slowest - fastest run) in any cell: %.1f%% of its median (%s)\n",
                    worst_spread * 100, worst_cell.c_str());

    const cell& mine = cells.back()[0];
    if (!mine.seconds.empty() && !cells.back()[1].seconds.empty() && !cells.back()[2].seconds.empty()) {
        const double vs_beast = cells.back()[1].ns_per_head / mine.ns_per_head;
        const double vs_node = cells.back()[2].ns_per_head / mine.ns_per_head;
        std::printf("targets (whole corpus, medians): ours >= 2x Beast: %.2fx %s; ours >= 4x http-parser: %.2fx %s\n",
                    vs_beast, vs_beast >= 2 ? "met" : "MISSED", vs_node, vs_node >= 4 ? "met" : "MISSED");
        // On a shared machine the fastest run is the one least disturbed by
        // others; if it tells a different story from the median, rerun.
        const auto fastest = [](const cell& x) {
            return *std::min_element(x.seconds.begin(), x.seconds.end()) / static_cast<double>(x.passes);
        };
        std::printf("same, fastest run of each instead of the median: %.2fx Beast, %.2fx http-parser\n",
                    fastest(cells.back()[1]) / fastest(mine), fastest(cells.back()[2]) / fastest(mine));
    }
    return 0;
}
