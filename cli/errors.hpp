// The command line's own errors (CLI11's parse errors) in tilt's style: one line "tilt: error: WHAT; allowed: ...",
// exit code 2. Written for any subcommand, so a new one inherits it.
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace tilt {

// The message for a parse error of `app` on `args` (argv without the program name): an unknown option names the
// nearest valid one ("did you mean --set?"), a bad value names the option, the value and what it allows, a missing
// argument names it. `allowed` maps an option ("--threads") to what it allows, in plain words and numbers.
std::string parse_error_message(const CLI::ParseError& error, CLI::App& app, const std::vector<std::string>& args,
                                const std::vector<std::pair<std::string, std::string>>& allowed);

// The names of app's subcommands, comma-separated ("ode, sim, validate, sweep, config").
std::string subcommand_list(CLI::App& app);

// The valid name nearest to `word` by edit distance (ties: the first), or "" when none is within reach.
std::string nearest(const std::string& word, const std::vector<std::string>& names);

}  // namespace tilt
