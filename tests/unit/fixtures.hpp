#pragma once
// Reads a file under tests/unit/fixtures/ (see its README.md).

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace kpg::test {

inline std::string read_fixture(const std::string& relative_path)
{
  const std::string path = std::string(KPG_SOURCE_DIR) + "/tests/unit/fixtures/" + relative_path;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw std::runtime_error("cannot open fixture " + path);
  }
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

} // namespace kpg::test
