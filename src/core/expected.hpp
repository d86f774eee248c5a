#pragma once
// A small value-or-error type for the low layers (C++20 has no std::expected).
// Usage:
//   Expected<Config, std::string> load(...);
//   if (!result) { use result.error(); } else { use *result; }
//   return unexpected(std::string("..."));

#include <utility>
#include <variant>

namespace kpg {

template<typename E> struct Unexpected
{
  E value;
};

template<typename E> Unexpected<std::decay_t<E>> unexpected(E&& error)
{
  return {std::forward<E>(error)};
}

template<typename T, typename E> class Expected
{
public:
  Expected(T value) : m_data(std::in_place_index<0>, std::move(value)) // NOLINT(google-explicit-constructor)
  {
  }
  template<typename U>
  Expected(Unexpected<U> error) // NOLINT(google-explicit-constructor)
    : m_data(std::in_place_index<1>, std::move(error.value))
  {
  }

  bool has_value() const
  {
    return m_data.index() == 0;
  }
  explicit operator bool() const
  {
    return has_value();
  }

  T& value() &
  {
    return std::get<0>(m_data);
  }
  const T& value() const&
  {
    return std::get<0>(m_data);
  }
  T&& value() &&
  {
    return std::get<0>(std::move(m_data));
  }
  T& operator*() &
  {
    return value();
  }
  const T& operator*() const&
  {
    return value();
  }
  T&& operator*() &&
  {
    return std::move(*this).value();
  }
  T* operator->()
  {
    return &value();
  }
  const T* operator->() const
  {
    return &value();
  }

  const E& error() const&
  {
    return std::get<1>(m_data);
  }
  E&& error() &&
  {
    return std::get<1>(std::move(m_data));
  }

private:
  std::variant<T, E> m_data;
};

} // namespace kpg
