#include "src/internal/read_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {
namespace {

constexpr absl::string_view kRecompressAdvice =
    "re-download or re-compress the file";

absl::Status OpenError(const std::string& name, int error_number) {
  absl::string_view advice;
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      advice = "; check the path";
      break;
    case EACCES:
    case EPERM:
      advice = "; check the file's permissions";
      break;
    case ELOOP:
      // Abseil's code for ELOOP is Unknown (exit status 1); a link that
      // leads back to itself is bad input.
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": cannot open: ", std::strerror(error_number),
                       " (a symbolic link loop); point the link at a file"));
    default:
      break;
  }
  return absl::Status(absl::ErrnoToStatusCode(error_number),
                      absl::StrCat(name, ": cannot open: ",
                                   std::strerror(error_number), advice));
}

absl::Status ReadError(const std::string& name, int error_number) {
  return absl::Status(
      absl::ErrnoToStatusCode(error_number),
      absl::StrCat(name, ": cannot read: ", std::strerror(error_number)));
}

// Next buffer size when `size` bytes are full: doubling keeps the total
// copying linear.
size_t Grow(size_t size) { return std::max<size_t>(size * 2, 1 << 20); }

// Reads everything from `fd` into `out`, which ends up exactly the bytes
// read; `size_hint` (the file size, or 0) avoids regrowing.
absl::Status ReadAll(int fd, const std::string& name, size_t size_hint,
                     std::string* out) {
  // Room beyond the hint lets EOF be seen, and the padding added later,
  // without regrowing.
  out->resize(size_hint > 0 ? size_hint + kInputPadding : size_t{1} << 20);
  size_t filled = 0;
  for (;;) {
    if (filled == out->size()) out->resize(Grow(out->size()));
    ssize_t got = ::read(fd, out->data() + filled, out->size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ReadError(name, errno);
    }
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  out->resize(filled);
  return absl::OkStatus();
}

// Makes `buffer` hold `size` content bytes followed by kInputPadding zeros,
// and gives back memory when an over-grown buffer would waste a lot of it.
void FinishBuffer(size_t size, std::string* buffer) {
  buffer->resize(size);
  buffer->resize(size + kInputPadding);  // Growing fills with zeros.
  if (buffer->capacity() > buffer->size() + buffer->size() / 4 + (1 << 20)) {
    buffer->shrink_to_fit();
  }
}

// Initial output size for `compressed` bytes that claim to expand to
// `declared` (0 if unknown). A header can lie, so the claim is trusted only
// up to a plausible ratio; beyond that the buffer grows as data arrives.
size_t InitialOutputSize(size_t compressed, uint64_t declared) {
  const uint64_t plausible = uint64_t{compressed} * 64 + (1 << 20);
  // The padding on top leaves the spare room that shows the decoder is done
  // and that FinishBuffer() needs, so an exact claim never regrows.
  if (declared > 0) {
    return static_cast<size_t>(std::min(declared, plausible)) + kInputPadding;
  }
  return std::max<size_t>(compressed * 4, 1 << 20);
}

bool AllZero(const unsigned char* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != 0) return false;
  }
  return true;
}

absl::StatusOr<std::string> DecompressZstd(const std::string& name,
                                           const std::string& input) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(),
                                                             ZSTD_freeDCtx);
  if (context == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        name, ": cannot start zstd decompression (out of memory)"));
  }
  unsigned long long declared =
      ZSTD_getFrameContentSize(input.data(), input.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR ||
      declared == ZSTD_CONTENTSIZE_UNKNOWN) {
    declared = 0;
  }
  std::string output;
  output.resize(InitialOutputSize(input.size(), declared));
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t produced = 0;
  size_t last_result = 0;
  for (;;) {
    if (produced == output.size()) output.resize(Grow(output.size()));
    ZSTD_outBuffer out{output.data(), output.size(), produced};
    size_t result = ZSTD_decompressStream(context.get(), &out, &in);
    if (ZSTD_isError(result)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": corrupt zstd data at byte ", in.pos, ": ",
                       ZSTD_getErrorName(result), "; ", kRecompressAdvice));
    }
    produced = out.pos;
    last_result = result;
    // With all input consumed, spare output room means the decoder has
    // flushed everything it holds.
    if (in.pos == in.size && out.pos < out.size) break;
  }
  if (last_result != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name,
                     ": truncated zstd data (the file ends inside a "
                     "frame after ",
                     input.size(), " bytes); ", kRecompressAdvice));
  }
  FinishBuffer(produced, &output);
  return output;
}

absl::StatusOr<std::string> DecompressGzip(const std::string& name,
                                           const std::string& input) {
  z_stream stream;
  std::memset(&stream, 0, sizeof(stream));
  // 16 + MAX_WBITS: gzip wrapper, largest window.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return absl::ResourceExhaustedError(absl::StrCat(
        name, ": cannot start gzip decompression (out of memory)"));
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> cleanup(&stream, inflateEnd);
  // The trailer's ISIZE is the last member's length modulo 2^32: a good
  // first guess for the common single-member file.
  uint64_t declared = 0;
  if (input.size() >= 18) {
    const auto* tail =
        reinterpret_cast<const unsigned char*>(input.data() + input.size() - 4);
    declared = uint64_t{tail[0]} | uint64_t{tail[1]} << 8 |
               uint64_t{tail[2]} << 16 | uint64_t{tail[3]} << 24;
  }
  std::string output;
  output.resize(
      std::max(InitialOutputSize(input.size(), declared), input.size() * 2));
  const auto* in_begin = reinterpret_cast<const unsigned char*>(input.data());
  const unsigned char* in_end = in_begin + input.size();
  const unsigned char* in_next = in_begin;
  size_t produced = 0;
  bool member_open = false;
  for (;;) {
    if (stream.avail_in == 0 && in_next < in_end) {
      // zlib counts in 32-bit units: feed big inputs piecewise.
      size_t piece = std::min<size_t>(in_end - in_next, 1u << 30);
      stream.next_in = const_cast<unsigned char*>(in_next);
      stream.avail_in = static_cast<uInt>(piece);
      in_next += piece;
    }
    if (produced == output.size()) output.resize(Grow(output.size()));
    stream.next_out =
        reinterpret_cast<unsigned char*>(output.data()) + produced;
    stream.avail_out =
        static_cast<uInt>(std::min<size_t>(output.size() - produced, UINT_MAX));
    const uInt avail_out_before = stream.avail_out;
    int result = inflate(&stream, Z_NO_FLUSH);
    produced += avail_out_before - stream.avail_out;
    const size_t consumed =
        static_cast<size_t>(in_next - in_begin) - stream.avail_in;
    if (result == Z_STREAM_END) {
      member_open = false;
      const size_t left = input.size() - consumed;
      if (left == 0) break;
      // Padding of zeros after the last member (from tape or block
      // devices) is what gzip itself accepts.
      if (AllZero(in_begin + consumed, left)) break;
      // Another member follows: concatenated gzip is one stream of data.
      if (inflateReset(&stream) != Z_OK) {
        return absl::InternalError(
            absl::StrCat(name, ": cannot restart gzip decompression"));
      }
      continue;
    }
    if (result == Z_OK) {
      member_open = true;
      continue;
    }
    if (result == Z_BUF_ERROR) {
      // No progress possible: the output is full (grow and retry), more
      // input is waiting to be fed, or the input ended inside a member.
      if (stream.avail_out == 0 || (stream.avail_in == 0 && in_next < in_end)) {
        continue;
      }
      if (stream.avail_in == 0) {
        member_open = true;
        break;
      }
    }
    const char* reason = stream.msg != nullptr ? stream.msg : zError(result);
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": corrupt gzip data at byte ", consumed, ": ",
                     reason, "; ", kRecompressAdvice));
  }
  if (member_open) {
    return absl::InvalidArgumentError(
        absl::StrCat(name,
                     ": truncated gzip data (the file ends inside a "
                     "member after ",
                     input.size(), " bytes); ", kRecompressAdvice));
  }
  FinishBuffer(produced, &output);
  return output;
}

bool StartsWith(const std::string& data, absl::string_view magic) {
  return absl::string_view(data).substr(0, magic.size()) == magic;
}

bool IsZstd(const std::string& data) {
  if (StartsWith(data, absl::string_view("\x28\xB5\x2F\xFD", 4))) return true;
  // A skippable frame (magic 0x184D2A50..5F, little-endian) may come first.
  return data.size() >= 4 &&
         (static_cast<unsigned char>(data[0]) & 0xF0) == 0x50 &&
         data[1] == '\x2A' && data[2] == '\x4D' && data[3] == '\x18';
}

}  // namespace

// Maps `size` bytes of `fd` read-only, followed by at least kInputPadding
// zero bytes: an anonymous zeroed reservation first, the file mapped over its
// start, so the padding never lies in a page past the file's end (touching
// one of those raises SIGBUS). Null if the system refuses.
std::shared_ptr<const char> MapWithPadding(int fd, size_t size) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t total = (size + kInputPadding + page - 1) / page * page;
  void* region =
      ::mmap(nullptr, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return nullptr;
  void* file = ::mmap(region, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  if (file == MAP_FAILED) {
    ::munmap(region, total);
    return nullptr;
  }
  // Read front to back once by the loader, then by document.
  ::madvise(region, size, MADV_SEQUENTIAL);
  return std::shared_ptr<const char>(
      static_cast<const char*>(region),
      [total](const char* p) { ::munmap(const_cast<char*>(p), total); });
}

// The first bytes of `fd` (at most sizeof(*magic)), to tell compressed data
// from plain; the file offset is left where it was.
size_t PeekMagic(int fd, unsigned char (&magic)[4]) {
  ssize_t got;
  do {
    got = ::pread(fd, magic, sizeof(magic), 0);
  } while (got < 0 && errno == EINTR);
  return got < 0 ? 0 : static_cast<size_t>(got);
}

absl::StatusOr<InputBytes> ReadInput(const std::string& path,
                                     const ReadOptions& options) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "<stdin>" : path;
  int fd = STDIN_FILENO;
  if (!is_stdin) {
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return OpenError(name, errno);
  }
  struct stat info;
  size_t size_hint = 0;
  if (::fstat(fd, &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      if (!is_stdin) ::close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": is a directory, not a file"));
    }
    if (S_ISREG(info.st_mode)) size_hint = static_cast<size_t>(info.st_size);
  }
  InputBytes result;
  if (options.map_plain_files && !is_stdin && size_hint > 0) {
    unsigned char magic[4] = {};
    const size_t got = PeekMagic(fd, magic);
    const std::string head(reinterpret_cast<const char*>(magic), got);
    if (!StartsWith(head, "\x1F\x8B") && !(got == 4 && IsZstd(head))) {
      result.mapping = MapWithPadding(fd, size_hint);
      if (result.mapping != nullptr) {
        ::close(fd);
        result.size = size_hint;
        return result;
      }
      // Mapping refused (an odd file system): read it instead.
    }
  }
  absl::Status status = ReadAll(fd, name, size_hint, &result.data);
  if (!is_stdin) ::close(fd);
  if (!status.ok()) return status;

  if (StartsWith(result.data, "\x1F\x8B")) {
    result.compression = InputBytes::Compression::kGzip;
    absl::StatusOr<std::string> plain = DecompressGzip(name, result.data);
    if (!plain.ok()) return plain.status();
    result.data = *std::move(plain);
    result.size = result.data.size() - kInputPadding;
  } else if (IsZstd(result.data)) {
    result.compression = InputBytes::Compression::kZstd;
    absl::StatusOr<std::string> plain = DecompressZstd(name, result.data);
    if (!plain.ok()) return plain.status();
    result.data = *std::move(plain);
    result.size = result.data.size() - kInputPadding;
  } else {
    result.size = result.data.size();
    FinishBuffer(result.size, &result.data);
  }
  return result;
}

}  // namespace neardup::internal
