#include "kube/impersonation.hpp"

#include <doctest/doctest.h>

using kpg::kube::Impersonation;
using kpg::kube::impersonation_headers;
using Headers = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("impersonation_headers")
{
  SUBCASE("user, uid, one header per group, one per extra value with the key escaped")
  {
    Impersonation impersonation;
    impersonation.user_name = "system:serviceaccount:db:admin";
    impersonation.uid = "06f6ce97";
    impersonation.groups = { "devs", "system:masters" };
    impersonation.extra = { { "acme.com/project", { "pg", "web" } }, { "scopes", { "openid" } } };
    CHECK(impersonation_headers(impersonation) ==
          Headers{ { "Impersonate-User", "system:serviceaccount:db:admin" },
                   { "Impersonate-Uid", "06f6ce97" },
                   { "Impersonate-Group", "devs" },
                   { "Impersonate-Group", "system:masters" },
                   { "Impersonate-Extra-acme.com%2Fproject", "pg" },
                   { "Impersonate-Extra-acme.com%2Fproject", "web" },
                   { "Impersonate-Extra-scopes", "openid" } });
  }
  SUBCASE("groups or a uid without a user impersonate nothing (client-go)")
  {
    Impersonation impersonation;
    impersonation.uid = "u";
    impersonation.groups = { "devs" };
    CHECK(impersonation_headers(impersonation).empty());
  }
}
