// Running a program as a child process with what shell redirection cannot
// give a test: a file size limit (RLIMIT_FSIZE, set between fork and exec),
// another user id, extra environment variables, and stdout and stderr read
// through pipes while the child runs, so that a test can kill it after a
// given number of output bytes. No shell is involved: arguments are passed
// as they are.
//
// Example:
//
//   neardup::testing::ChildOptions options;
//   options.args = {cli, "cluster", "in.jsonl", "--clusters", "out.jsonl"};
//   options.file_size_limit = 4096;
//   neardup::testing::ChildResult r = neardup::testing::RunChild(options);
//   EXPECT_EQ(r.exit_code, 1);
#ifndef NEARDUP_TESTS_SUPPORT_CHILD_PROCESS_H_
#define NEARDUP_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace neardup::testing {

struct ChildOptions {
  std::vector<std::string> args;  // args[0] is the program's path.
  std::string dir;                // Working directory; empty: unchanged.
  std::string stdin_path;         // Empty: /dev/null (unless piped).
  // Feed standard input through a pipe, as `tail -f | neardup stream`
  // does: Pump() writes `stdin_data` as the child reads it, then closes the
  // pipe. The child sees reads of at most a pipe buffer (64 KB).
  bool pipe_stdin = false;
  std::string stdin_data;
  // With pipe_stdin: leave the pipe open once `stdin_data` is written, so
  // the child waits for more (a writer that holds its index) until
  // CloseStdin().
  bool keep_stdin_open = false;
  // Standard output goes to this file (opened for writing, not truncated)
  // instead of the pipe; e.g. /dev/full.
  std::string stdout_path;
  std::vector<std::string> env;  // Extra NAME=VALUE entries.
  int64_t file_size_limit = -1;  // RLIMIT_FSIZE in bytes; -1: unchanged.
  // Run as this user and group (needs root); -1: unchanged.
  int64_t uid = -1;
  int64_t gid = -1;
};

struct ChildResult {
  int exit_code = -1;   // -1 when killed by a signal.
  int term_signal = 0;  // The signal that ended it, or 0.
  std::string out;
  std::string err;
};

// A started child. Read its output with Pump(); end it with Kill() and/or
// Wait().
class Child {
 public:
  // Forks and execs; on failure pid() is -1 and error() says why.
  explicit Child(const ChildOptions& options) {
    int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 ||
        ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
        (options.pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0)) {
      error_ = "pipe failed";
      return;
    }
    stdin_data_ = options.stdin_data;
    keep_stdin_open_ = options.keep_stdin_open;
    std::vector<char*> argv;
    for (const std::string& a : options.args) {
      argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    // The environment is built before fork: between fork and exec only
    // async-signal-safe calls are allowed.
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      const std::string name = entry.substr(0, entry.find('='));
      bool overridden = false;
      for (const std::string& extra : options.env) {
        overridden |= extra.substr(0, extra.find('=')) == name;
      }
      if (!overridden) env_storage.push_back(entry);
    }
    for (const std::string& extra : options.env) env_storage.push_back(extra);
    std::vector<char*> envp;
    for (std::string& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls from here to exec.
      if (!options.dir.empty() && ::chdir(options.dir.c_str()) != 0) _exit(126);
      if (options.pipe_stdin) {
        ::dup2(in_pipe[0], STDIN_FILENO);
      } else {
        const char* in = options.stdin_path.empty()
                             ? "/dev/null"
                             : options.stdin_path.c_str();
        const int in_fd = ::open(in, O_RDONLY);
        if (in_fd < 0) _exit(126);
        ::dup2(in_fd, STDIN_FILENO);
      }
      // The test may ignore SIGPIPE (to survive a child that dies while it
      // writes the child's input); the child gets the default back.
      struct sigaction default_action = {};
      default_action.sa_handler = SIG_DFL;
      ::sigaction(SIGPIPE, &default_action, nullptr);
      if (options.stdout_path.empty()) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
      } else {
        const int out_fd = ::open(options.stdout_path.c_str(), O_WRONLY);
        if (out_fd < 0) _exit(126);
        ::dup2(out_fd, STDOUT_FILENO);
      }
      ::dup2(err_pipe[1], STDERR_FILENO);
      if (options.file_size_limit >= 0) {
        struct rlimit limit;
        limit.rlim_cur = static_cast<rlim_t>(options.file_size_limit);
        limit.rlim_max = static_cast<rlim_t>(options.file_size_limit);
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
      }
      // Dropping to another user drops the supplementary groups too.
      if (options.uid >= 0 && ::setgroups(0, nullptr) != 0) _exit(126);
      if (options.gid >= 0 && ::setgid(static_cast<gid_t>(options.gid)) != 0) {
        _exit(126);
      }
      if (options.uid >= 0 && ::setuid(static_cast<uid_t>(options.uid)) != 0) {
        _exit(126);
      }
      ::execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    if (options.pipe_stdin) {
      ::close(in_pipe[0]);
      in_fd_ = in_pipe[1];
      ::fcntl(in_fd_, F_SETFL, ::fcntl(in_fd_, F_GETFL) | O_NONBLOCK);
      if (stdin_data_.empty() && !keep_stdin_open_) CloseStdin();
    }
    if (pid_ < 0) error_ = "fork failed";
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
    CloseStdin();
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }

  // Reads whatever stdout and stderr have and writes what the child's
  // piped stdin takes, waiting up to `timeout_ms` for either. False once
  // both output pipes are at end of file. A caller that pipes stdin must
  // ignore SIGPIPE, since the child may die before reading it all.
  bool Pump(int timeout_ms) {
    struct pollfd fds[3];
    int n = 0;
    if (out_fd_ >= 0) fds[n++] = {out_fd_, POLLIN, 0};
    if (err_fd_ >= 0) fds[n++] = {err_fd_, POLLIN, 0};
    if (n == 0) {
      CloseStdin();
      return false;
    }
    if (in_fd_ >= 0 && !stdin_done_) fds[n++] = {in_fd_, POLLOUT, 0};
    if (::poll(fds, n, timeout_ms) <= 0) return true;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_fd_) {
        const ssize_t put = ::write(in_fd_, stdin_data_.data() + stdin_written_,
                                    stdin_data_.size() - stdin_written_);
        if (put > 0) stdin_written_ += static_cast<size_t>(put);
        if (put < 0 && errno != EAGAIN && errno != EINTR) {
          CloseStdin();
        } else if (stdin_written_ == stdin_data_.size()) {
          if (keep_stdin_open_) {
            stdin_done_ = true;
          } else {
            CloseStdin();
          }
        }
        continue;
      }
      const bool is_out = fds[i].fd == out_fd_;
      char buffer[1 << 16];
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(fds[i].fd);
        (is_out ? out_fd_ : err_fd_) = -1;
        continue;
      }
      (is_out ? out_ : err_).append(buffer, static_cast<size_t>(got));
    }
    return out_fd_ >= 0 || err_fd_ >= 0;
  }

  void Kill() {
    if (pid_ > 0 && !waited_) ::kill(pid_, SIGKILL);
  }

  // Ends the child's input: it sees end of file once it has read the rest.
  void CloseStdin() {
    if (in_fd_ >= 0) ::close(in_fd_);
    in_fd_ = -1;
  }

  // Reads the rest of the output and reaps the child. With
  // keep_stdin_open, call CloseStdin() or Kill() first.
  ChildResult Wait() {
    while (Pump(1000)) {
    }
    ChildResult r;
    if (pid_ > 0 && !waited_) {
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      waited_ = true;
      status_ = status;
    }
    if (WIFEXITED(status_)) r.exit_code = WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) r.term_signal = WTERMSIG(status_);
    r.out = out_;
    r.err = err_;
    return r;
  }

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  pid_t pid_ = -1;
  int in_fd_ = -1;  // Our end of a piped stdin, until all is written.
  std::string stdin_data_;
  size_t stdin_written_ = 0;
  bool keep_stdin_open_ = false;
  bool stdin_done_ = false;  // All written; the pipe is kept open.
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool waited_ = false;
  int status_ = 0;
  std::string out_, err_;
  std::string error_;
};

// Runs the child to the end.
inline ChildResult RunChild(const ChildOptions& options) {
  Child child(options);
  if (child.pid() < 0) {
    ChildResult r;
    r.err = child.error();
    return r;
  }
  return child.Wait();
}

// Runs `cli ARGS...` (the built neardup) in `dir` with `options`' other
// settings.
inline ChildResult RunNeardup(const std::string& cli, const std::string& dir,
                              const std::vector<std::string>& args,
                              ChildOptions options = {}) {
  options.args = {cli};
  options.args.insert(options.args.end(), args.begin(), args.end());
  options.dir = dir;
  return RunChild(options);
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_CHILD_PROCESS_H_
