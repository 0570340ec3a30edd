// What the two benchmark programs share: their command line (samples per
// cell, sample length, one contender only, a fixed count per sample) and
// the median they report.
#ifndef HTTPCLIENT_BENCH_OPTIONS_HPP
#define HTTPCLIENT_BENCH_OPTIONS_HPP

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct options {
    int runs = 7;                    // samples per cell; the median is shown
    double sample_ms = 45;           // how long one sample should last
    std::optional<std::string> only{};  // time one contender only
    std::uint64_t count = 0;         // fixed iterations per sample; 0 calibrates
};

// The program's name, the name of its count option ("--passes",
// "--requests") and the contenders --only accepts.
struct command_line {
    std::string_view program;
    std::string_view count_flag;
    std::vector<std::string_view> contenders;
};

[[noreturn]] inline void usage_error(const command_line& cl, const std::string& message) {
    std::string names;
    for (std::string_view c : cl.contenders) names += (names.empty() ? "" : "|") + std::string(c);
    std::fprintf(stderr, "%.*s: %s\nusage: %.*s [--runs N] [--sample-ms M] [%.*s N] [--only %s]\n",
                 static_cast<int>(cl.program.size()), cl.program.data(), message.c_str(),
                 static_cast<int>(cl.program.size()), cl.program.data(), static_cast<int>(cl.count_flag.size()),
                 cl.count_flag.data(), names.c_str());
    std::exit(2);
}

inline options parse_options(int argc, char** argv, const command_line& cl, options opt) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) usage_error(cl, "every option takes a value");
        const char* value = argv[++i];
        if (arg == "--runs") {
            opt.runs = std::atoi(value);
            if (opt.runs < 1) usage_error(cl, "--runs must be at least 1");
        } else if (arg == "--sample-ms") {
            opt.sample_ms = std::atof(value);
            if (opt.sample_ms <= 0) usage_error(cl, "--sample-ms must be positive");
        } else if (arg == cl.count_flag) {
            opt.count = static_cast<std::uint64_t>(std::atoll(value));
            if (opt.count == 0) usage_error(cl, std::string(cl.count_flag) + " must be at least 1");
        } else if (arg == "--only") {
            opt.only = value;
            if (std::find(cl.contenders.begin(), cl.contenders.end(), *opt.only) == cl.contenders.end())
                usage_error(cl, "unknown contender for --only");
        } else {
            usage_error(cl, "unknown option " + std::string(arg));
        }
    }
    return opt;
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace bench

#endif  // HTTPCLIENT_BENCH_OPTIONS_HPP
