// libFuzzer target for the chunked coding (chunked.hpp).
//
//   clang++-16 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined \
//       -I include tests/fuzz/fuzz_chunked.cpp -o fuzz_chunked
//   ./fuzz_chunked -max_total_time=60
//
// This target must not print anything when an input passes: libFuzzer runs
// it millions of times, and its own output must show only what went wrong.
// A broken invariant calls std::abort(), which libFuzzer reports as a crash
// and saves the input for a regression test.
//
// Each input is decoded as a chunked body:
//   - whole, split in two at a position taken from the first byte, and byte
//     by byte, with the default limits and with small limits (also from the
//     first byte) so the limit paths are reached by short inputs;
//   - all ways must agree exactly (body, error, consumed bytes, trailers),
//     and every decode() call must keep the contract in chunked.hpp;
//   - views::chunk_decode over the same two pieces must yield the same body
//     and fail the same way.
// The input is also used as a body: cut into blocks, encoded and decoded
// again, it must come back unchanged.
#include <httpclient/chunked.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

namespace hc = httpclient;

void require(bool ok) {
    if (!ok) std::abort();
}

struct outcome {
    std::string body;
    std::error_code ec;
    bool done = false;
    std::size_t consumed = 0;
    std::vector<std::pair<std::string, std::string>> trailers;

    friend bool operator==(const outcome&, const outcome&) = default;
};

// Feeds one piece until it is used up, the decoder is done, or it fails.
// Returns false when no more input should be fed.
bool feed(hc::chunk_decoder& decoder, std::string_view piece, outcome& out) {
    while (!piece.empty()) {
        const bool was_done = decoder.done();
        std::string_view body;
        std::error_code ec;
        const std::size_t n = decoder.decode(piece, body, ec);

        require(n <= piece.size());
        if (!body.empty())
            require(body.data() >= piece.data() && body.data() + body.size() <= piece.data() + n);
        require(!(ec && !body.empty()));
        if (was_done) require(n == 0 && body.empty() && !ec);
        if (decoder.in_data()) require(decoder.chunk_left().has_value() && *decoder.chunk_left() > 0);
        if (decoder.done()) require(!decoder.chunk_left().has_value() && !decoder.error());

        out.body.append(body);
        out.consumed += n;
        require(out.body.size() <= out.consumed);
        require(decoder.body_size() == out.body.size());
        piece.remove_prefix(n);

        if (ec) {
            // Errors are sticky and reported by error().
            require(decoder.error() == ec);
            std::string_view again_body;
            std::error_code again;
            require(decoder.decode(piece, again_body, again) == 0);
            require(again == ec && again_body.empty());
            out.ec = ec;
            return false;
        }
        if (decoder.done()) {
            // After the body, nothing more is consumed: it is the next message.
            std::string_view after_body;
            std::error_code after;
            require(decoder.decode(piece, after_body, after) == 0);
            require(after_body.empty() && !after);
            return false;
        }
        require(n > 0);  // progress on non-empty input, or no end to the loop
    }
    return true;
}

outcome run(std::string_view input, std::span<const std::size_t> cuts, const hc::chunk_limits& limits) {
    hc::chunk_decoder decoder(limits);
    outcome out;
    std::size_t start = 0;
    bool more = true;
    for (std::size_t cut : cuts) {
        more = feed(decoder, input.substr(start, cut - start), out);
        if (!more) break;
        start = cut;
    }
    if (more) feed(decoder, input.substr(start), out);
    out.done = decoder.done();
    require(out.consumed <= input.size());
    require(!(out.done && out.ec));
    for (hc::field f : decoder.trailers()) {
        require(hc::detail::is_token(f.name));
        out.trailers.emplace_back(f.name, f.value);
    }
    require(out.trailers.size() <= limits.max_trailers);
    return out;
}

// The adaptor over the same input must agree with the decoder.
void check_view(std::string_view first, std::string_view second, const hc::chunk_limits& limits,
                const outcome& expected) {
    const std::string_view buffers[2] = {first, second};
    std::string body;
    enum { finished, protocol, incomplete } how = finished;
    std::error_code code;
    try {
        auto view = std::span<const std::string_view>(buffers) | hc::views::chunk_decode(limits);
        for (std::span<const std::byte> piece : view) {
            require(!piece.empty());
            body.append(reinterpret_cast<const char*>(piece.data()), piece.size());
        }
        require(view.trailers().size() == expected.trailers.size());
    } catch (const hc::protocol_error& e) {
        how = protocol;
        code = e.code();
    } catch (const hc::incomplete_read& e) {
        how = incomplete;
        require(e.partial().empty() && !e.expected());
    }
    require(body == expected.body);
    if (expected.ec) require(how == protocol && code == expected.ec);
    else if (expected.done) require(how == finished);
    else require(how == incomplete);
}

void check_decoding(std::string_view input, std::size_t split, const hc::chunk_limits& limits) {
    const outcome whole = run(input, {}, limits);
    const std::size_t cut[1] = {split};
    require(run(input, cut, limits) == whole);
    std::vector<std::size_t> every_byte;
    for (std::size_t i = 1; i < input.size(); ++i) every_byte.push_back(i);
    require(run(input, every_byte, limits) == whole);
    check_view(input.substr(0, split), input.substr(split), limits, whole);
}

void check_round_trip(std::string_view body, unsigned char seed) {
    std::vector<std::string_view> blocks;
    std::size_t at = 0;
    std::size_t i = 0;
    while (at < body.size()) {
        // Block sizes from the body's own bytes, empty blocks included.
        const std::size_t wanted = static_cast<unsigned char>(body[i % body.size()]) % (seed % 64 + 2);
        if (wanted == 0) blocks.emplace_back();  // an empty block, then at least one byte
        const std::size_t n = std::min(body.size() - at, std::max<std::size_t>(wanted, 1));
        blocks.push_back(body.substr(at, n));
        at += n;
        ++i;
    }
    const std::string wire = hc::encode_chunked(blocks);
    const outcome decoded = run(wire, {}, {});
    require(decoded.done && !decoded.ec && decoded.consumed == wire.size() && decoded.body == body);

    std::string again;
    for (std::span<const std::byte> piece : blocks | hc::views::chunk_encode | hc::views::chunk_decode)
        again.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    require(again == body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const unsigned first = data[0];
    // Anywhere from the start to the end, whatever the size.
    const std::size_t split = size * first / 255;

    check_decoding(input, split, hc::chunk_limits{});

    hc::chunk_limits small;
    small.max_line_length = 4 + (first & 0x1f);
    small.max_extension_size = first & 0x07;
    small.max_trailers = (first >> 3) & 0x03;
    small.max_trailer_size = 8 + (first >> 2);
    check_decoding(input, split, small);

    check_round_trip(input, data[0]);
    return 0;
}
