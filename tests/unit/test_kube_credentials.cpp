#include "kube/credentials.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using kpg::kube::TokenFileCredentialSource;

TEST_CASE("TokenFileCredentialSource::current")
{
  const auto path =
    std::filesystem::temp_directory_path() / ("kpg-token-" + std::to_string(::getpid()));
  std::ofstream(path) << "  secret-token\n";
  TokenFileCredentialSource source(path.string(), "the service account");

  SUBCASE("the file's token, trimmed")
  {
    CHECK(source.current().bearer_token.reveal() == "secret-token");
  }

  SUBCASE("thread-safe: current() and invalidate() hammered from 8 threads")
  {
    // Each invalidate() makes the next current() re-read the file; without the
    // source's lock the threads tear its cached token (and -fsanitize=thread
    // reports the race).
    std::atomic<int> wrong{ 0 };
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&source, &wrong] {
          for (int i = 0; i < 500; ++i) {
            source.invalidate();
            if (source.current().bearer_token.reveal() != "secret-token") {
              ++wrong;
            }
          }
        });
      }
    }
    CHECK(wrong == 0);
  }
  std::filesystem::remove(path);
}
