#pragma once
#include "http/router.h"

namespace epinet::http {

// Serves `app` until SIGTERM or SIGINT, then stops accepting, lets requests in
// flight finish (up to the grace period) and returns. One thread per
// configured worker. `on_ready` runs once the port is bound.
void run_server(App& app, const std::function<void(const std::string& bound)>& on_ready);

}  // namespace epinet::http
