// The GitHub tools' implementations (the table, names and schemas are in tools.cpp). Each reads
// through backend.gateway() (cache, peers, then GitHub), returns isError with a message an agent
// can act on for refused arguments, gateway failures and HTTP statuses >= 400, and never puts a
// token in its output. REQUIRES: `arguments` already satisfy the tool's input schema.
#pragma once

#include <boost/json.hpp>

#include "mcp/tools.hpp"

namespace ipfsa::mcp {

// {path, method?, paginate?}: GET only; paginate follows Link rel="next" on the API's origin for
// at most kMaxPaginatePages pages, merging the lists.
ToolOutput run_gh_api(node::ServiceBackend& backend, const boost::json::object& arguments);
// {query, variables?}: queries only.
ToolOutput run_gh_graphql(node::ServiceBackend& backend, const boost::json::object& arguments);
// {prefix}: an API path or a canonical key prefix.
ToolOutput run_gh_invalidate_cache(node::ServiceBackend& backend,
                                   const boost::json::object& arguments);
// {repo, status?, branch?, per_page?} -> GET repos/{repo}/actions/runs, summarised.
ToolOutput run_list_workflow_runs(node::ServiceBackend& backend,
                                  const boost::json::object& arguments);
// {repo} or {org} -> GET repos/{repo}/actions/runners or orgs/{org}/actions/runners, summarised.
ToolOutput run_list_runners(node::ServiceBackend& backend, const boost::json::object& arguments);

}  // namespace ipfsa::mcp
