// neardup: find near-duplicate news text. A thin front end over the library;
// see docs/cli.md.
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/cli_common.h"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app(
      "neardup finds near-duplicate text: the same story reprinted with small "
      "edits, in Arabic, English or any other language.",
      "neardup");
  app.set_version_flag("--version", "neardup 0.1.0");
  app.require_subcommand(1);
  app.footer(
      "Run 'neardup COMMAND --help' for a command's options.\n"
      "Example:\n"
      "  neardup cluster news.jsonl.zst --pairs pairs.jsonl > clusters.jsonl");
  std::vector<neardup::cli::Command> commands = {
      neardup::cli::AddClusterCommand(&app),
#ifdef NEARDUP_HAVE_PASSAGES_COMMAND
      neardup::cli::AddPassagesCommand(&app),
#endif
#ifdef NEARDUP_HAVE_EVAL_COMMAND
      neardup::cli::AddEvalCommand(&app),
#endif
#ifdef NEARDUP_HAVE_TUNE_COMMAND
      neardup::cli::AddTuneCommand(&app),
#endif
#ifdef NEARDUP_HAVE_INDEX_COMMAND
      neardup::cli::AddIndexCommand(&app),
#endif
#ifdef NEARDUP_HAVE_STREAM_COMMAND
      neardup::cli::AddStreamCommand(&app),
#endif
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version.
    std::string usage = "neardup";
    if (!app.get_subcommands().empty()) {
      usage += " " + app.get_subcommands()[0]->get_name();
    }
    std::fprintf(stderr, "neardup: error: %s\nRun '%s --help' for usage.\n",
                 e.what(), usage.c_str());
    return neardup::cli::kExitBadInput;
  }
  for (const neardup::cli::Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return neardup::cli::kExitBadInput;
}
