#include "harness/cli/cli.h"

int main(int argc, char** argv) { return fb::harness::run_cli(argc, argv); }
