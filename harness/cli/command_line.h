// The command line described as data: commands, their options and positionals, each with its
// help text, where its value goes, and how it is written back as arguments.
//
// Why data: each command describes its options where they are defined (e.g. run_options.cpp)
// without the parser, and cli.cpp alone hands the description to CLI11 (a heavy header-only
// library, kept out of every other translation unit). `phases` reads the same description to
// give each child `run` exactly the options it was given (forwarded_arguments), so an option
// added to `run` cannot be forgotten on the way to the child.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace fb::harness {

// What `phases` does with an option `run` also takes.
enum class Forward {
  no,         // not handed on (phases sets it per child, or it is not a measurement setting)
  if_given,   // handed on when the user gave it
  always,     // handed on with its current value, given or not (phases' default differs from run's)
};

struct Option {
  using Target = std::variant<std::string*, std::optional<std::int64_t>*, std::int64_t*, std::uint64_t*, double*, bool*>;

  std::string name;  // "--requests" (an option or flag), or "results" (a positional)
  Target target;     // where the parsed value goes; bool* makes it a flag
  std::string help;  // units, accepted syntax and default, where the option is defined
  std::string type_name;              // shown in --help ("N", "STAGE=NS"); empty: CLI11's default
  std::vector<std::string> choices;   // non-empty: the value must be one of these
  std::optional<std::pair<double, double>> range;  // the value must lie in [first, second]
  bool required = false;
  std::vector<std::string> excludes;  // names of options this one cannot be given with
  Forward forward = Forward::no;
  bool given = false;                 // set after parsing: the user gave it

  bool positional() const { return !name.starts_with("-"); }
  bool flag() const { return std::holds_alternative<bool*>(target); }
  // The current value as one argument ("12", "shared", "0.5"); "" for an unset optional.
  std::string value_text() const;
};

// Options and subcommands sit in deques: a reference to one stays valid while more are added.
struct Command {
  std::string name;
  std::string description;
  std::deque<Option> options;
  std::deque<Command> subcommands;
  bool requires_subcommand = false;
  std::string* selected = nullptr;  // receives the name of the subcommand given, if any
  bool chosen = false;  // set after parsing: this (sub)command was on the command line

  Option& add(Option option) { return options.emplace_back(std::move(option)); }
  Command& add_subcommand(std::string sub_name, std::string sub_description);
  const Command* subcommand(const std::string& sub_name) const;
  const Option* option(const std::string& option_name) const;
};

// The forwarded options of `command` as arguments for a child `run`: "--name value" ("--name"
// for a flag) for every Forward::always option and every Forward::if_given option the user gave.
// An empty value (an unset optional, an empty text) is left out: the child applies its default.
std::vector<std::string> forwarded_arguments(const Command& command);

}  // namespace fb::harness
