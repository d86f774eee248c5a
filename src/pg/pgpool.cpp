#include "pg/pgpool.hpp"

#include "pg/psql_output.hpp"

#include <fmt/format.h>

namespace kpg::pg {

Expected<std::vector<PoolNode>, std::string> parse_pool_nodes(std::string_view psql_output)
{
  auto table = parse_psql_unaligned(psql_output);
  if (!table) {
    return unexpected(fmt::format("reading pgpool's SHOW pool_nodes: {}", table.error()));
  }
  if (auto missing = table->missing_column({ "node_id", "hostname", "port", "status", "role" });
      !missing.empty()) {
    return unexpected(fmt::format("reading pgpool's SHOW pool_nodes: {}", missing));
  }
  std::vector<PoolNode> nodes;
  try {
    for (std::size_t row = 0; row < table->size(); ++row) {
      PoolNode node;
      node.node_id = table->integer(row, "node_id").value_or(0);
      node.hostname = table->value(row, "hostname");
      node.port = table->integer(row, "port").value_or(0);
      node.status = table->value(row, "status");
      node.pg_status = table->value(row, "pg_status");
      node.lb_weight = table->decimal(row, "lb_weight").value_or(0);
      node.role = table->value(row, "role");
      node.pg_role = table->value(row, "pg_role");
      node.select_count = table->unsigned_integer(row, "select_cnt").value_or(0);
      node.load_balance_node = table->value(row, "load_balance_node") == "true";
      node.replication_delay = table->value(row, "replication_delay");
      node.replication_state = table->value(row, "replication_state");
      node.replication_sync_state = table->value(row, "replication_sync_state");
      node.last_status_change = table->value(row, "last_status_change");
      nodes.push_back(std::move(node));
    }
  } catch (const PsqlFieldError& e) {
    return unexpected(fmt::format("reading pgpool's SHOW pool_nodes: {}", e.what()));
  }
  return nodes;
}

} // namespace kpg::pg
