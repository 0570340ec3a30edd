// body.hpp: what request() and endheaders() accept as a request body.
//
//   - nothing: no_body (the default), or std::nullopt;
//   - bytes whose size is known: std::string_view, std::string, a string
//     literal, std::span<const std::byte>, std::vector<char>,
//     std::vector<std::byte>, std::array... (Content-Length, and the bytes
//     go out in the same write as the head, without a copy);
//   - a file: std::FILE*, or a std::istream, read in blocksize pieces and
//     sent chunked (its size is not known in advance, as in Python); or a
//     std::filesystem::path, whose size is known, so it gets a
//     Content-Length;
//   - any input range of byte buffers (a vector of strings, a generator, a
//     view pipeline): sent chunked, each non-empty buffer one chunk.
#ifndef HTTPCLIENT_BODY_HPP
#define HTTPCLIENT_BODY_HPP

#include <httpclient/config.hpp>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <string>
#include <utility>
#include <istream>
#include <optional>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>

HTTPCLIENT_BEGIN_NAMESPACE

struct no_body_t {
    explicit no_body_t() = default;
};
inline constexpr no_body_t no_body{};

namespace detail {

template <class T>
concept body_byte = std::same_as<std::remove_cv_t<T>, char> || std::same_as<std::remove_cv_t<T>, unsigned char> ||
                    std::same_as<std::remove_cv_t<T>, signed char> || std::same_as<std::remove_cv_t<T>, std::byte> ||
                    std::same_as<std::remove_cv_t<T>, char8_t>;

}  // namespace detail

template <class T>
concept text_body = std::convertible_to<const T&, std::string_view>;

template <class T>
concept bytes_body = !text_body<T> && std::ranges::contiguous_range<const T> && std::ranges::sized_range<const T> &&
                     detail::body_byte<std::ranges::range_value_t<const T>>;

template <class T>
concept file_body = std::same_as<std::remove_cvref_t<T>, std::FILE*> ||
                    std::derived_from<std::remove_cvref_t<T>, std::istream> ||
                    std::same_as<std::remove_cvref_t<T>, std::filesystem::path>;

template <class R>
concept chunk_buffer = text_body<R> || bytes_body<std::remove_cvref_t<R>>;

template <class T>
concept chunks_body = !text_body<T> && !bytes_body<T> && !file_body<T> && std::ranges::input_range<T> &&
                      chunk_buffer<std::ranges::range_reference_t<T>>;

template <class T>
concept request_body = std::same_as<std::remove_cvref_t<T>, no_body_t> ||
                       std::same_as<std::remove_cvref_t<T>, std::nullopt_t> || text_body<std::remove_cvref_t<T>> ||
                       bytes_body<std::remove_cvref_t<T>> || file_body<T> || chunks_body<std::remove_cvref_t<T>>;

namespace detail {

// Reads a file body in blocksize pieces into one reused buffer: an input
// range, so it goes through views::chunk_encode like any other.
class file_blocks : public std::ranges::view_interface<file_blocks> {
public:
    using reader = std::function<std::size_t(std::span<char>)>;

    file_blocks(reader read, std::span<char> buffer) : read_(std::move(read)), buffer_(buffer) {}

    class iterator {
    public:
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        explicit iterator(file_blocks* owner) : owner_(owner) { ++*this; }
        std::string_view operator*() const noexcept { return current_; }
        iterator& operator++() {
            const std::size_t n = owner_->read_(owner_->buffer_);
            if (n == 0) owner_ = nullptr;
            else current_ = std::string_view(owner_->buffer_.data(), n);
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.owner_ == nullptr; }

    private:
        file_blocks* owner_ = nullptr;
        std::string_view current_;
    };

    iterator begin() { return iterator(this); }
    std::default_sentinel_t end() const noexcept { return {}; }

private:
    reader read_;
    std::span<char> buffer_;
};

template <class B>
std::span<const std::byte> buffer_as_bytes(const B& b) noexcept {
    if constexpr (text_body<B>) {
        const std::string_view text = b;
        return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
    } else {
        return {reinterpret_cast<const std::byte*>(std::ranges::data(b)), std::ranges::size(b)};
    }
}

}  // namespace detail

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_BODY_HPP
