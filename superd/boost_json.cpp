// Boost.JSON, compiled once here (header-only mode): superctl status --json.
#include <boost/json/src.hpp>
