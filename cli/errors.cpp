#include "cli/errors.hpp"

#include <algorithm>
#include <cctype>

namespace tilt {

std::string nearest(const std::string& word, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& name : names) {
    // Levenshtein distance, one row at a time.
    std::vector<std::size_t> row(name.size() + 1);
    for (std::size_t j = 0; j <= name.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= name.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (word[i - 1] == name[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row[name.size()] < best_distance) {
      best_distance = row[name.size()];
      best = name;
    }
  }
  // Within reach: at most a third of the word's letters changed (and at least one allowed).
  return best_distance <= std::max<std::size_t>(1, word.size() / 3) ? best : "";
}

std::string subcommand_list(CLI::App& app) {
  std::string list;
  for (const CLI::App* sub : app.get_subcommands({})) list += (list.empty() ? "" : ", ") + sub->get_name();
  return list;
}

namespace {

// The subcommand the arguments name (the first argument, when it is one), else the app itself.
CLI::App* chosen(CLI::App& app, const std::vector<std::string>& args) {
  if (!args.empty())
    for (CLI::App* sub : app.get_subcommands({}))
      if (sub->get_name() == args[0]) return sub;
  return &app;
}

// " (tilt sweep --help lists the options)"
std::string usage(CLI::App& app, CLI::App* sub) {
  const std::string name = sub == &app ? "tilt" : "tilt " + sub->get_name();
  return " (" + name + " --help lists the options)";
}

std::vector<std::string> option_names(CLI::App* sub) {
  std::vector<std::string> names;
  for (const CLI::Option* o : sub->get_options())
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
  return names;
}

// The option a CLI11 message is about: the first "--name" in it that the subcommand has.
std::string option_in(const std::string& message, CLI::App* sub) {
  for (const auto& name : option_names(sub)) {
    const std::size_t at = message.find(name);
    if (at != std::string::npos) {
      const std::size_t end = at + name.size();
      if (end == message.size() ||
          !(std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '_' || message[end] == '-'))
        return name;
    }
  }
  return "";
}

// The value given to `option` in args ("--threads -1" or "--threads=-1"), or "".
std::string value_of(const std::string& option, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == option && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind(option + "=", 0) == 0) return args[i].substr(option.size() + 1);
  }
  return "";
}

}  // namespace

std::string parse_error_message(const CLI::ParseError& error, CLI::App& app, const std::vector<std::string>& args,
                                const std::vector<std::pair<std::string, std::string>>& allowed) {
  CLI::App* sub = chosen(app, args);
  const std::string what = error.what();
  auto allowed_for = [&](const std::string& option) {
    for (const auto& [name, text] : allowed)
      if (name == option) return text;
    return std::string("see") + usage(app, sub).substr(1, usage(app, sub).size() - 2);  // "see tilt sweep --help ..."
  };
  if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
    // The first argument the subcommand does not know: an option (with the nearest valid one) or an extra word.
    const std::vector<std::string> names = option_names(sub);
    for (std::size_t i = sub == &app ? 0 : 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.size() < 2 || a[0] != '-' || std::isdigit(static_cast<unsigned char>(a[1]))) continue;
      const std::string name = a.substr(0, a.find('='));
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      const std::string near = nearest(name, names);
      return "unknown option '" + name + "'" + (near.empty() ? "" : "; did you mean " + near + "?") + usage(app, sub);
    }
    return what + usage(app, sub);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&error)) {
    if (sub == &app) return "no command given; allowed: " + subcommand_list(app) + " (tilt --help)";
    return what + " (tilt " + sub->get_name() + " --help)";
  }
  const std::string option = option_in(what, sub);
  if (!option.empty()) {
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&error))
      return option + " needs a value; allowed: " + allowed_for(option);
    const std::string value = value_of(option, args);
    return option + " " + value + ": not a valid value; allowed: " + allowed_for(option);
  }
  return what + usage(app, sub);
}

}  // namespace tilt
