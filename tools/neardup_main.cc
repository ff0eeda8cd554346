// neardup: find near-duplicate news text. A thin front end over the library;
// see docs/cli.md.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace {

// Follows the command words at the start of argv ("index", "add") and
// refuses the first one that names no command where one is required,
// listing the commands there. Returns the exit status, 0 to go on.
int CheckCommandWords(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string path = "neardup";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (i == 1 && word.size() > 1 && word[0] == '-' && word != "-h" &&
        word != "--help" && word != "--version") {
      std::fprintf(stderr,
                   "neardup: error: unknown option '%s'; before a command "
                   "only --help and --version are known\nRun 'neardup "
                   "--help' for usage.\n",
                   word.c_str());
      return neardup::cli::kExitBadInput;
    }
    if (word.empty() || word[0] == '-') return 0;
    std::vector<CLI::App*> subs =
        level->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) return 0;
    CLI::App* next = nullptr;
    std::string names;
    for (CLI::App* sub : subs) {
      if (sub->get_name() == word) next = sub;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (next == nullptr) {
      std::fprintf(stderr,
                   "neardup: error: '%s' is not a command of %s; the "
                   "commands are %s\nRun '%s --help' for usage.\n",
                   word.c_str(), path.c_str(), names.c_str(), path.c_str());
      return neardup::cli::kExitBadInput;
    }
    level = next;
    path += " " + word;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Past the file size limit (ulimit -f) the kernel would kill the process
  // with SIGXFSZ, leaving a temporary file behind and no message; ignored,
  // the write fails with EFBIG and is reported like a full disk.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app(
      "neardup finds near-duplicate text: the same story reprinted with small "
      "edits, in Arabic, English or any other language.",
      "neardup");
  app.set_version_flag("--version", "neardup 0.1.0");
  app.require_subcommand(1);
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
#ifdef NEARDUP_HAVE_REPORT_COMMAND
      neardup::cli::AddReportCommand(&app),
#endif
  };
  // Set after the commands exist: CLI11 copies a parent's footer into the
  // subcommands made after it, and this example belongs to the top only.
  app.footer(
      "Run 'neardup COMMAND --help' for a command's options.\n"
      "Example:\n"
      "  neardup cluster news.jsonl.zst --pairs pairs.jsonl > clusters.jsonl");
  // A mistyped command word would otherwise get CLI11's "A subcommand is
  // required", which does not say which word was wrong.
  if (int rc = CheckCommandWords(app, argc, argv); rc != 0) return rc;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version.
    // Point at the help of the deepest command that was recognised.
    std::string usage = "neardup";
    for (const CLI::App* level = &app; !level->get_subcommands().empty();) {
      level = level->get_subcommands()[0];
      usage += " " + level->get_name();
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
