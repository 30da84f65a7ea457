#include "harness/isolation_options.h"

namespace fb::harness {

void add_isolation_options(CLI::App& cmd, IsolationOptions& o, const IsolationDefaults& d) {
  o.pin = d.pin;
  o.hash_seed = d.hash_seed;
  o.aslr = d.aslr;
  o.env = d.env;
  cmd.add_option("--pin", o.pin,
                 "Where the pipeline's threads run: off (the OS decides), shared (clients, workers and event loops "
                 "all on the first CPU of --cpus), split (clients on the first half of --cpus, workers and their "
                 "event loops on the rest; on 2 CPUs one each). Recorded in context.placement and runs[].threads "
                 "(default: " + d.pin + d.why + ")")
      ->check(CLI::IsMember({"off", "shared", "split"}));
  cmd.add_option("--cpus", o.cpus,
                 "CPUs to run on, as taskset spells them (e.g. 0-1 or 0,2); each must be in this process's allowed "
                 "set (default: all of it)")
      ->type_name("LIST");
  cmd.add_option("--hash-seed", o.hash_seed,
                 "Python's str/bytes hash seed (what PYTHONHASHSEED sets): an integer in [0, 4294967295] or random "
                 "(default: " + (d.hash_seed.empty() ? std::string("as PYTHONHASHSEED says, random when unset") : d.hash_seed) + ")")
      ->type_name("N|random");
  cmd.add_option("--aslr", o.aslr,
                 "Address-space layout randomization: off re-executes the process with personality(ADDR_NO_RANDOMIZE) "
                 "so code, heap and stack sit at the same addresses in every process (default: " + d.aslr + ")")
      ->check(CLI::IsMember({"on", "off"}));
  cmd.add_option("--env", o.env,
                 "fixed: run with only the environment variables a run needs, padded so arguments and environment "
                 "take a fixed size (their size moves every stack address); inherit: as started (default: " + d.env + ")")
      ->check(CLI::IsMember({"inherit", "fixed"}));
}

Placement resolve_placement(const IsolationOptions& o) {
  return plan_placement(*pin_policy_from_name(o.pin.empty() ? "off" : o.pin), o.cpus);  // CLI11 checked the name
}

HygieneRequest resolve_hygiene(const IsolationOptions& o) {
  HygieneRequest r;
  r.hash_seed = o.hash_seed.empty() ? hash_seed_from_environment() : parse_hash_seed(o.hash_seed, "--hash-seed");
  r.aslr_off = o.aslr == "off";
  r.fixed_env = o.env == "fixed";
  return r;
}

std::vector<std::string> isolation_arguments(const IsolationOptions& o) {
  std::vector<std::string> args = {"--pin", o.pin.empty() ? "off" : o.pin, "--aslr", o.aslr.empty() ? "on" : o.aslr,
                                   "--env", o.env.empty() ? "inherit" : o.env};
  if (!o.cpus.empty()) args.insert(args.end(), {"--cpus", o.cpus});
  if (!o.hash_seed.empty()) args.insert(args.end(), {"--hash-seed", o.hash_seed});
  return args;
}

}  // namespace fb::harness
