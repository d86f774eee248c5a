#include "render/cluster_spec.hpp"

#include <array>
#include <utility>

namespace kpg::render {

namespace {

template<typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<const char*, Enum>, N>& table,
                           std::string_view text)
{
  for (const auto& [spelling, value] : table) {
    if (text == spelling) {
      return value;
    }
  }
  return std::nullopt;
}

template<typename Enum, std::size_t N>
const char* spell(const std::array<std::pair<const char*, Enum>, N>& table, Enum value)
{
  for (const auto& [spelling, candidate] : table) {
    if (candidate == value) {
      return spelling;
    }
  }
  return "";
}

constexpr std::array<std::pair<const char*, Engine>, 2> k_engines{{
  {"patroni", Engine::patroni},
  {"repmgr", Engine::repmgr},
}};
constexpr std::array<std::pair<const char*, SynchronousMode>, 3> k_synchronous_modes{{
  {"off", SynchronousMode::off},
  {"on", SynchronousMode::on},
  {"strict", SynchronousMode::strict},
}};
constexpr std::array<std::pair<const char*, ServiceType>, 3> k_service_types{{
  {"ClusterIP", ServiceType::cluster_ip},
  {"NodePort", ServiceType::node_port},
  {"LoadBalancer", ServiceType::load_balancer},
}};
constexpr std::array<std::pair<const char*, AntiAffinity>, 2> k_anti_affinities{{
  {"preferred", AntiAffinity::preferred},
  {"required", AntiAffinity::required},
}};

} // namespace

const char* to_string(Engine engine)
{
  return spell(k_engines, engine);
}
const char* to_string(SynchronousMode mode)
{
  return spell(k_synchronous_modes, mode);
}
const char* to_string(ServiceType type)
{
  return spell(k_service_types, type);
}
const char* to_string(AntiAffinity anti_affinity)
{
  return spell(k_anti_affinities, anti_affinity);
}

std::optional<Engine> parse_engine(std::string_view text)
{
  return lookup(k_engines, text);
}
std::optional<SynchronousMode> parse_synchronous_mode(std::string_view text)
{
  return lookup(k_synchronous_modes, text);
}
std::optional<ServiceType> parse_service_type(std::string_view text)
{
  return lookup(k_service_types, text);
}
std::optional<AntiAffinity> parse_anti_affinity(std::string_view text)
{
  return lookup(k_anti_affinities, text);
}

const char* engine_choices()
{
  return "patroni, repmgr";
}
const char* synchronous_mode_choices()
{
  return "off, on, strict";
}
const char* service_type_choices()
{
  return "ClusterIP, NodePort, LoadBalancer";
}
const char* anti_affinity_choices()
{
  return "preferred, required";
}

} // namespace kpg::render
