#pragma once
// kubectl pg connect: the options and their validation, apart from the
// command's I/O so that tests can parse and validate without a cluster.

#include "pg/connect.hpp"

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace kpg::cmd {

struct ConnectOptions
{
  std::string cluster;
  bool primary = false;
  bool replica = false;
  bool pooler = false;
  std::string database;
  std::string user;
  std::vector<std::string> psql_args;
};

// Adds NAME, --primary/--replica/--pooler (mutually exclusive), -d/--dbname,
// -U/--username and the psql arguments after `--` to `sub`.
void add_connect_flags(CLI::App& sub, ConnectOptions& options);

// Checks the options (pure) and turns them into the request. Throws
// kpg::UsageError (exit code 2) for a cluster name that cannot be one.
pg::ConnectRequest validate(const ConnectOptions& options);

} // namespace kpg::cmd
