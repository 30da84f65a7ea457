#include "harness/cli/command_line.h"

#include <fmt/format.h>

namespace fb::harness {

std::string Option::value_text() const {
  return std::visit(
      [](auto* value) -> std::string {
        using T = std::remove_pointer_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return *value;
        } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
          return *value ? std::to_string(**value) : std::string();
        } else if constexpr (std::is_same_v<T, bool>) {
          return *value ? "true" : "false";
        } else {
          return fmt::format("{}", *value);  // shortest form that reads back to the same value
        }
      },
      target);
}

Command& Command::add_subcommand(std::string sub_name, std::string sub_description) {
  Command& sub = subcommands.emplace_back();
  sub.name = std::move(sub_name);
  sub.description = std::move(sub_description);
  return sub;
}

const Command* Command::subcommand(const std::string& sub_name) const {
  for (const Command& c : subcommands) {
    if (c.name == sub_name) return &c;
  }
  return nullptr;
}

const Option* Command::option(const std::string& option_name) const {
  for (const Option& o : options) {
    if (o.name == option_name) return &o;
  }
  return nullptr;
}

std::vector<std::string> forwarded_arguments(const Command& command) {
  std::vector<std::string> args;
  for (const Option& o : command.options) {
    const bool hand_on = o.forward == Forward::always || (o.forward == Forward::if_given && o.given);
    if (!hand_on) continue;
    if (o.flag()) {
      if (*std::get<bool*>(o.target)) args.push_back(o.name);
      continue;
    }
    const std::string value = o.value_text();
    if (value.empty()) continue;  // an unset optional or an empty text: the child's own default
    args.push_back(o.name);
    args.push_back(value);
  }
  return args;
}

}  // namespace fb::harness
