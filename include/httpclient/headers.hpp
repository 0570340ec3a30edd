// headers.hpp: a response's header fields as views into the bytes received.
//
// header_view is what Python calls HTTPMessage, minus the copying: each
// field is a (name, value) pair of string_views into the buffer the head was
// parsed from, in the order the fields arrived. Names compare ASCII
// case-insensitively. Repeated fields stay separate, so Set-Cookie can be
// read value by value with get_all(); getheader() joins them with ", " the
// way Python does, for the fields where that is meaningful.
#ifndef HTTPCLIENT_HEADERS_HPP
#define HTTPCLIENT_HEADERS_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/chars.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>

HTTPCLIENT_BEGIN_NAMESPACE

struct field {
    std::string_view name{};
    std::string_view value{};

    friend bool operator==(const field&, const field&) = default;
};

namespace detail {

// Where a field sits in its buffer. Offsets, not pointers, so a receive
// buffer that grows or moves while the head is still arriving does not
// invalidate what the parser has already accepted.
struct field_offsets {
    std::uint32_t name_begin = 0;
    std::uint32_t name_size = 0;
    std::uint32_t value_begin = 0;
    std::uint32_t value_size = 0;
};

}  // namespace detail

class header_view {
public:
    class iterator {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using iterator_concept = std::random_access_iterator_tag;
        using value_type = field;
        using difference_type = std::ptrdiff_t;
        using reference = field;
        using pointer = void;

        iterator() = default;
        iterator(const char* base, const detail::field_offsets* at) noexcept : base_(base), at_(at) {}

        field operator*() const noexcept { return make(*at_); }
        field operator[](difference_type n) const noexcept { return make(at_[n]); }
        iterator& operator++() noexcept { ++at_; return *this; }
        iterator operator++(int) noexcept { auto old = *this; ++at_; return old; }
        iterator& operator--() noexcept { --at_; return *this; }
        iterator operator--(int) noexcept { auto old = *this; --at_; return old; }
        iterator& operator+=(difference_type n) noexcept { at_ += n; return *this; }
        iterator& operator-=(difference_type n) noexcept { at_ -= n; return *this; }
        friend iterator operator+(iterator it, difference_type n) noexcept { return it += n; }
        friend iterator operator+(difference_type n, iterator it) noexcept { return it += n; }
        friend iterator operator-(iterator it, difference_type n) noexcept { return it -= n; }
        friend difference_type operator-(const iterator& a, const iterator& b) noexcept { return a.at_ - b.at_; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }
        friend auto operator<=>(const iterator& a, const iterator& b) noexcept { return a.at_ <=> b.at_; }

    private:
        field make(const detail::field_offsets& f) const noexcept {
            return {std::string_view(base_ + f.name_begin, f.name_size),
                    std::string_view(base_ + f.value_begin, f.value_size)};
        }
        const char* base_ = nullptr;
        const detail::field_offsets* at_ = nullptr;
    };

    // The values of one field name, in arrival order, without joining.
    class value_range {
    public:
        class iterator {
        public:
            using iterator_category = std::forward_iterator_tag;
            using value_type = std::string_view;
            using difference_type = std::ptrdiff_t;
            using reference = std::string_view;
            using pointer = void;

            iterator() = default;
            iterator(header_view::iterator at, header_view::iterator end, std::string_view name) noexcept
                : at_(at), end_(end), name_(name) { skip(); }
            std::string_view operator*() const noexcept { return (*at_).value; }
            iterator& operator++() noexcept { ++at_; skip(); return *this; }
            iterator operator++(int) noexcept { auto old = *this; ++*this; return old; }
            friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }

        private:
            void skip() noexcept {
                while (at_ != end_ && !detail::iequals((*at_).name, name_)) ++at_;
            }
            header_view::iterator at_, end_;
            std::string_view name_;
        };

        value_range(header_view::iterator b, header_view::iterator e, std::string_view name) noexcept
            : begin_(b), end_(e), name_(name) {}
        [[nodiscard]] iterator begin() const noexcept { return {begin_, end_, name_}; }
        [[nodiscard]] iterator end() const noexcept { return {end_, end_, name_}; }
        [[nodiscard]] bool empty() const noexcept { return begin() == end(); }

    private:
        header_view::iterator begin_, end_;
        std::string_view name_;
    };

    header_view() = default;
    header_view(const char* base, std::span<const detail::field_offsets> fields) noexcept
        : base_(base), fields_(fields) {}

    [[nodiscard]] iterator begin() const noexcept { return {base_, fields_.data()}; }
    [[nodiscard]] iterator end() const noexcept { return {base_, fields_.data() + fields_.size()}; }
    [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
    [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
    [[nodiscard]] field operator[](std::size_t i) const noexcept { return begin()[static_cast<std::ptrdiff_t>(i)]; }

    // Python's headers.get(name): the first value, or nothing.
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept {
        for (field f : *this)
            if (detail::iequals(f.name, name)) return f.value;
        return std::nullopt;
    }

    [[nodiscard]] bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

    [[nodiscard]] std::size_t count(std::string_view name) const noexcept {
        std::size_t n = 0;
        for (field f : *this) n += detail::iequals(f.name, name) ? 1 : 0;
        return n;
    }

    // Python's headers.get_all(name): every value separately. Set-Cookie
    // must be read this way (RFC 6265 §3: its values may contain commas).
    [[nodiscard]] value_range get_all(std::string_view name) const noexcept { return {begin(), end(), name}; }

    // Python's getheader(name): all values joined with ", ", or nothing.
    [[nodiscard]] std::optional<std::string> getheader(std::string_view name) const {
        std::optional<std::string> joined;
        for (field f : *this) {
            if (!detail::iequals(f.name, name)) continue;
            if (joined) {
                joined->append(", ");
                joined->append(f.value);
            } else {
                joined.emplace(f.value);
            }
        }
        return joined;
    }

    // Python's getheader(name, default): a present but empty field gives
    // "", not the default.
    [[nodiscard]] std::string getheader(std::string_view name, std::string_view default_value) const {
        auto joined = getheader(name);
        return joined ? std::move(*joined) : std::string(default_value);
    }

    // Python's getheaders(): (name, value) pairs in arrival order, names as
    // received. A view, so it costs nothing.
    [[nodiscard]] header_view getheaders() const noexcept { return *this; }

private:
    const char* base_ = nullptr;
    std::span<const detail::field_offsets> fields_;
};

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_HEADERS_HPP
