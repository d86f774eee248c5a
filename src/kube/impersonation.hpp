#pragma once
// User impersonation: act as another user (kubectl --as, --as-group, --as-uid;
// kubeconfig users[].user.as, as-groups, as-uid, as-user-extra). The API
// server authenticates the real credential, checks that it may `impersonate`
// the users, groups, uids and extras named, then authorizes the request as
// the impersonated user.
//
// Sources: Kubernetes docs "User impersonation" (access-authn-authz/authentication);
// client-go transport/round_trippers.go (ImpersonatingRoundTripper), api
// authentication/v1 types.go (header names).

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kpg::kube {

struct Impersonation
{
  std::string user_name;           // Impersonate-User; empty: no impersonation at all
  std::string uid;                 // Impersonate-Uid
  std::vector<std::string> groups; // one Impersonate-Group header each
  std::map<std::string, std::vector<std::string>> extra; // Impersonate-Extra-<key>, one per value

  bool empty() const
  {
    return user_name.empty();
  }
};

// The request headers that carry `impersonation`, in client-go's order: User,
// Uid, each Group, each Extra value (the key percent-encoded, so that
// "acme.com/project" becomes "acme.com%2Fproject" as with client-go). Empty
// when no user is impersonated (client-go sets groups and uid only with a user).
std::vector<std::pair<std::string, std::string>> impersonation_headers(
  const Impersonation& impersonation);

} // namespace kpg::kube
