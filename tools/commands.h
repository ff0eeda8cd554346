// The neardup subcommands. Each Add*Command registers its flags on the root
// app and returns the function that runs it once parsing succeeded.
#ifndef NEARDUP_TOOLS_COMMANDS_H_
#define NEARDUP_TOOLS_COMMANDS_H_

#include <functional>

#include "CLI/CLI.hpp"

namespace neardup::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command AddClusterCommand(CLI::App* root);
Command AddPassagesCommand(CLI::App* root);  // tools/passages_command.cc
Command AddEvalCommand(CLI::App* root);      // tools/eval_command.cc
Command AddTuneCommand(CLI::App* root);      // tools/tune_command.cc
Command AddIndexCommand(CLI::App* root);     // tools/index_command.cc
Command AddStreamCommand(CLI::App* root);    // tools/stream_command.cc
Command AddReportCommand(CLI::App* root);    // tools/report_command.cc

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_COMMANDS_H_
