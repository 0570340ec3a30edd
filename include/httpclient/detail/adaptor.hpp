// A base for range adaptor closures, so httpclient's views pipe the way the
// standard ones do: `range | closure` and `closure | closure`.
//
// C++23 has std::ranges::range_adaptor_closure (P2387), and where the
// library offers it (__cpp_lib_ranges >= 202202L) our closures derive from
// it, so they also compose with the standard adaptors on either side. GCC
// 12's library lacks it, so otherwise this header supplies the same shape
// (that of range-v3's view_closure): a class D is a closure when it derives
// from range_adaptor_closure<D>, and two operator| templates, found by
// argument-dependent lookup through that base, do the rest.
//
// What the fallback does not do: put a standard adaptor to the left of one
// of ours inside a closure expression (`std::views::take(3) | ours`), since
// it cannot tell a standard closure from any other object. Apply the
// standard one to the range first: `r | std::views::take(3) | ours`.
#ifndef HTTPCLIENT_DETAIL_ADAPTOR_HPP
#define HTTPCLIENT_DETAIL_ADAPTOR_HPP

#include <httpclient/config.hpp>

#include <concepts>
#include <functional>
#include <ranges>
#include <type_traits>
#include <utility>

#if defined(__cpp_lib_ranges) && __cpp_lib_ranges >= 202202L
#define HTTPCLIENT_STD_RANGE_ADAPTOR_CLOSURE 1
#else
#define HTTPCLIENT_STD_RANGE_ADAPTOR_CLOSURE 0
#endif

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

#if HTTPCLIENT_STD_RANGE_ADAPTOR_CLOSURE

template <class D>
using range_adaptor_closure = std::ranges::range_adaptor_closure<D>;

#else

// The operators live in a namespace of their own, so argument-dependent
// lookup meets them only for closure types and not for every type that
// happens to live in httpclient::detail.
namespace closure_pipe {

// Empty and meant to be derived from once, by D itself (CRTP), as P2387
// requires of the standard base.
template <class D>
    requires std::is_class_v<D> && std::same_as<D, std::remove_cv_t<D>>
struct range_adaptor_closure {};

template <class T>
concept adaptor_closure =
    std::derived_from<std::remove_cvref_t<T>, range_adaptor_closure<std::remove_cvref_t<T>>>;

// `left | right` as one closure: applying it to r gives right(left(r)).
template <class Left, class Right>
class composed_closure : public range_adaptor_closure<composed_closure<Left, Right>> {
public:
    template <class L, class R>
    constexpr composed_closure(L&& left, R&& right)
        : left_(std::forward<L>(left)), right_(std::forward<R>(right)) {}

    template <class Range>
        requires std::invocable<const Left&, Range> &&
                 std::invocable<const Right&, std::invoke_result_t<const Left&, Range>>
    constexpr auto operator()(Range&& r) const& {
        return std::invoke(right_, std::invoke(left_, std::forward<Range>(r)));
    }

    template <class Range>
        requires std::invocable<Left, Range> &&
                 std::invocable<Right, std::invoke_result_t<Left, Range>>
    constexpr auto operator()(Range&& r) && {
        return std::invoke(std::move(right_), std::invoke(std::move(left_), std::forward<Range>(r)));
    }

private:
    [[no_unique_address]] Left left_;
    [[no_unique_address]] Right right_;
};

// range | closure is closure(range). The range must be a range, so that a
// stray `5 | closure` does not compile instead of failing deep inside.
template <class Range, class Closure>
    requires(!adaptor_closure<Range>) && std::ranges::range<Range> && adaptor_closure<Closure> &&
            std::invocable<Closure, Range>
constexpr decltype(auto) operator|(Range&& r, Closure&& closure) {
    return std::invoke(std::forward<Closure>(closure), std::forward<Range>(r));
}

// closure | closure is a closure that applies both, left first. Each side is
// stored by value (decayed), as the standard adaptors store their arguments.
template <class Left, class Right>
    requires adaptor_closure<Left> && adaptor_closure<Right> &&
             std::constructible_from<std::decay_t<Left>, Left> &&
             std::constructible_from<std::decay_t<Right>, Right>
constexpr auto operator|(Left&& left, Right&& right) {
    return composed_closure<std::decay_t<Left>, std::decay_t<Right>>(std::forward<Left>(left),
                                                                     std::forward<Right>(right));
}

}  // namespace closure_pipe

using closure_pipe::range_adaptor_closure;

#endif  // HTTPCLIENT_STD_RANGE_ADAPTOR_CLOSURE

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_ADAPTOR_HPP
