// Renders N clusters one after another (as a fleet of N database
// deployments would be rendered) and prints clusters per second and peak RSS
// (getrusage), with the machine it ran on. Not a test: it asserts nothing.
// On a shared machine the CPU time (user + system) says what one core does
// better than the wall-clock time.
// Each cluster goes the way of `create --dry-run=client -o yaml` (validate,
// render, join the documents) or, with "json", of `-o json` (parse each
// document into an object, print a v1 List).
// With "show", each cluster's TLS Secret needs a CA and a server certificate:
// issued once and reused ("fixed", the default: what is measured is
// rendering), or, with "fresh", issued by OpenSSL for every cluster as
// `create` does (two ECDSA P-256 keys and two signatures each).
// Usage: render_bench [N=10000] [withhold|show] [yaml|json] [fixed|fresh]

#include "render/cluster_renderer.hpp"
#include "render/manifest_output.hpp"
#include "render/spec_validation.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>

namespace {

// User + system CPU seconds of this process so far.
double cpu_seconds()
{
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long peak_rss_kib()
{
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Issues one certificate at the first call and returns it ever after.
class FixedCertificateSource final : public kpg::render::CertificateSource
{
public:
  kpg::render::TlsMaterial issue(const kpg::render::CertificateRequest& request) override
  {
    if (!m_material) {
      m_material = kpg::render::OpenSslCertificateSource().issue(request);
    }
    return *m_material;
  }

private:
  std::optional<kpg::render::TlsMaterial> m_material;
};

std::string cpu_model()
{
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("model name")) {
      return line.substr(line.find(':') + 2);
    }
  }
  return "unknown CPU";
}

} // namespace

int main(int argc, char** argv)
{
  const int count = argc > 1 ? std::stoi(argv[1]) : 10000;
  const bool show = argc > 2 && std::string(argv[2]) == "show";
  const bool json = argc > 3 && std::string(argv[3]) == "json";
  const bool fresh = argc > 4 && std::string(argv[4]) == "fresh";
  const auto templates = kpg::render::TemplateSet::embedded("patroni");
  kpg::render::OpenSslPasswordSource passwords;
  FixedCertificateSource fixed_certificates;
  kpg::render::OpenSslCertificateSource fresh_certificates;
  kpg::render::CertificateSource& certificates =
    fresh ? static_cast<kpg::render::CertificateSource&>(fresh_certificates) : fixed_certificates;
  std::size_t bytes = 0;
  long rss_after_first_100 = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto cpu_start = cpu_seconds();
  for (int i = 0; i < count; ++i) {
    kpg::render::ClusterSpec spec;
    spec.name = fmt::format("db-{}", i);
    spec.namespace_name = fmt::format("tenant-{}", i % 500);
    spec.members = 3 + i % 3;
    if (!kpg::render::validate_cluster_spec(spec, {}).errors.empty()) {
      return 1;
    }
    const auto rendered = kpg::render::render_cluster_documents(
      spec, templates, passwords, certificates,
      show ? kpg::render::SecretDisclosure::show : kpg::render::SecretDisclosure::withhold);
    bytes += json ? kpg::render::format_manifests(kpg::render::parse_documents(rendered.documents),
                                                  kpg::render::ManifestFormat::json)
                      .size()
                  : kpg::render::join_yaml_documents(rendered.documents).size();
    if (i == 99) {
      rss_after_first_100 = peak_rss_kib();
    }
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const auto cpu = cpu_seconds() - cpu_start;
  utsname machine{};
  uname(&machine);
  fmt::print("render_bench: {} clusters ({}), validate + render + {}, one thread\n", count,
             !show   ? "secrets withheld"
             : fresh ? "passwords generated, a certificate issued per cluster"
                     : "passwords generated, one certificate issued and reused",
             json ? "JSON (parsed)" : "YAML");
  fmt::print("machine: {} ({} {}), {}\n", cpu_model(), machine.sysname, machine.release,
             machine.machine);
  fmt::print("time: {:.2f} s, {:.0f} clusters/s, {:.1f} MiB of {}\n", elapsed.count(),
             count / elapsed.count(), static_cast<double>(bytes) / 1048576.0,
             json ? "JSON" : "YAML");
  fmt::print("CPU time: {:.2f} s, {:.0f} clusters per CPU second\n", cpu, count / cpu);
  fmt::print("peak RSS: {} KiB after 100 clusters, {} KiB after {}\n", rss_after_first_100,
             peak_rss_kib(), count);
  return 0;
}
