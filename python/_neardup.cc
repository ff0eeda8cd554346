// neardup._neardup: the C++ core behind the Python package `neardup`.
//
// Every call that does work first turns its Python arguments into C++
// values with the GIL held (texts become std::string, options the library's
// option structs), then releases the GIL for the work, so Python threads run
// in parallel. Records cross back as JSON text written by the same functions
// the command-line tool writes with (src/internal/result_json.h,
// index_json.h); neardup/__init__.py parses them. Both faces therefore give
// byte-for-byte the same records, with one implementation of each.
//
// Errors: the library's absl::Status messages, unchanged, as ValueError for
// bad options or input and OSError (or a subclass) for files. Nothing here
// lets a C++ exception or a crash escape to Python.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "neardup/cluster.h"
#include "neardup/corpus.h"
#include "neardup/index.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "neardup/passage.h"
#include "neardup/pipeline.h"
#include "neardup/report.h"
#include "neardup/shingle.h"
#include "neardup/verify.h"
#include "src/internal/engine_settings.h"
#include "src/internal/index_batch.h"
#include "src/internal/match_stages.h"
#include "src/internal/parallel.h"
#include "src/internal/read_file.h"
#include "src/internal/result_json.h"
#include "src/internal/sketch_screen.h"
#include "src/internal/status_macros.h"
#include "src/internal/utf8.h"

namespace py = pybind11;

namespace neardup::python {
namespace {

// ---------------------------------------------------------------------------
// Errors

// Which Python exceptions a status becomes depends on what the call was
// doing: a NotFound is a missing file when opening an index, but an unknown
// id when removing documents from it.
enum class ErrorContext {
  kCompute,    // cluster, passages, Sketcher: options and texts.
  kIndexData,  // Index.add/query/remove: ids and texts, then writes.
  kIndexFile,  // Index open/create/compact/verify: the directory itself.
};

[[noreturn]] void Raise(PyObject* type, absl::string_view message) {
  // Decoded with replacement rather than passed as a C string, so a message
  // quoting an id with a NUL or a stray byte stays whole.
  PyObject* text = PyUnicode_DecodeUTF8(
      message.data(), static_cast<Py_ssize_t>(message.size()), "replace");
  if (text != nullptr) {
    PyErr_SetObject(type, text);
    Py_DECREF(text);
  }
  throw py::error_already_set();
}

// The status a call on a closed index returns; Python raises ValueError for
// operations on closed files, and so does this.
absl::Status ClosedError() {
  return absl::CancelledError("I/O operation on closed index");
}

[[noreturn]] void ThrowStatus(const absl::Status& status,
                              ErrorContext context) {
  const absl::string_view message = status.message();
  if (status.code() == absl::StatusCode::kCancelled) {
    Raise(PyExc_ValueError, message);
  }
  switch (context) {
    case ErrorContext::kCompute:
      switch (status.code()) {
        case absl::StatusCode::kInvalidArgument:
        case absl::StatusCode::kAlreadyExists:
        case absl::StatusCode::kNotFound:
        case absl::StatusCode::kOutOfRange:
          Raise(PyExc_ValueError, message);
        case absl::StatusCode::kResourceExhausted:
          Raise(PyExc_MemoryError, message);
        default:
          Raise(PyExc_RuntimeError, message);
      }
    case ErrorContext::kIndexData:
      switch (status.code()) {
        case absl::StatusCode::kInvalidArgument:
        case absl::StatusCode::kAlreadyExists:
        case absl::StatusCode::kNotFound:
        case absl::StatusCode::kOutOfRange:
          Raise(PyExc_ValueError, message);
        case absl::StatusCode::kPermissionDenied:
          Raise(PyExc_PermissionError, message);
        default:
          // Writes that failed, a read-only index, damaged data: the
          // files, not the arguments.
          Raise(PyExc_OSError, message);
      }
    case ErrorContext::kIndexFile:
      switch (status.code()) {
        case absl::StatusCode::kNotFound:
          Raise(PyExc_FileNotFoundError, message);
        case absl::StatusCode::kAlreadyExists:
          Raise(PyExc_FileExistsError, message);
        case absl::StatusCode::kPermissionDenied:
          Raise(PyExc_PermissionError, message);
        default:
          Raise(PyExc_OSError, message);
      }
  }
  Raise(PyExc_RuntimeError, message);
}

void ThrowIfError(const absl::Status& status, ErrorContext context) {
  if (!status.ok()) ThrowStatus(status, context);
}

// Issues a RuntimeWarning (an exception if warnings are made errors).
void Warn(absl::string_view message) {
  if (PyErr_WarnEx(PyExc_RuntimeWarning, std::string(message).c_str(), 1) !=
      0) {
    throw py::error_already_set();
  }
}

// ---------------------------------------------------------------------------
// Texts and ids

std::string TypeName(py::handle object) {
  return Py_TYPE(object.ptr())->tp_name;
}

// str(object) (or repr) as UTF-8 for messages and parsing. It never fails:
// a lone surrogate is written as \udcXX, and an object whose __str__
// raises is shown by its type.
std::string Printable(py::handle object, bool repr = false) {
  PyObject* text =
      repr ? PyObject_Repr(object.ptr()) : PyObject_Str(object.ptr());
  PyObject* utf8 = text == nullptr ? nullptr
                                   : PyUnicode_AsEncodedString(
                                         text, "utf-8", "backslashreplace");
  Py_XDECREF(text);
  if (utf8 == nullptr) {
    PyErr_Clear();
    return absl::StrCat("<", TypeName(object), ">");
  }
  std::string out(PyBytes_AS_STRING(utf8),
                  static_cast<size_t>(PyBytes_GET_SIZE(utf8)));
  Py_DECREF(utf8);
  return out;
}

// The decimal text of an integer (also of an int subclass whose __str__
// says something else, and of NumPy integers).
std::string DecimalText(py::handle integer) {
  py::object exact =
      py::reinterpret_steal<py::object>(PyNumber_Index(integer.ptr()));
  if (!exact) throw py::error_already_set();
  return Printable(exact);
}

// The offset of the first byte of `bytes` that starts an invalid UTF-8
// sequence, or -1 when all of it is valid.
int64_t FirstInvalidUtf8(absl::string_view bytes) {
  const auto* begin = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto* end = begin + bytes.size();
  for (const uint8_t* p = begin; p < end;) {
    char32_t code_point = 0;
    bool invalid = false;
    const uint32_t length =
        internal::DecodeUtf8CodePoint(p, end, &code_point, &invalid);
    if (invalid) return p - begin;
    p += length;
  }
  return -1;
}

// For a lone argument, which has no position to name.
constexpr size_t kNoIndex = SIZE_MAX;

// "texts[3]" (or "text"): where an item came from, for messages.
std::string Where(const char* what, size_t index) {
  if (index == kNoIndex) return what;
  return absl::StrCat(what, "[", index, "]");
}

// A str or UTF-8 bytes as UTF-8. `accept_int` is for ids, which may be
// integers (taken as their decimal text, as the command line takes JSON
// integer ids).
std::string ToUtf8(py::handle item, const char* what, size_t index,
                   bool accept_int) {
  PyObject* object = item.ptr();
  const char* expected = accept_int
                             ? "ids must be str or int"
                             : "every text must be a str (or bytes holding "
                               "UTF-8)";
  if (PyUnicode_Check(object)) {
    // ASCII strings hand out their own buffer; others are encoded into a
    // temporary, so the str does not keep a cached UTF-8 copy afterwards.
    if (PyUnicode_IS_ASCII(object)) {
      Py_ssize_t size = 0;
      const char* data = PyUnicode_AsUTF8AndSize(object, &size);
      if (data != nullptr) return std::string(data, static_cast<size_t>(size));
    } else {
      PyObject* encoded = PyUnicode_AsUTF8String(object);
      if (encoded != nullptr) {
        std::string utf8(PyBytes_AS_STRING(encoded),
                         static_cast<size_t>(PyBytes_GET_SIZE(encoded)));
        Py_DECREF(encoded);
        return utf8;
      }
    }
    PyErr_Clear();
    throw py::value_error(
        absl::StrCat(Where(what, index),
                     " holds a lone surrogate (for example from "
                     "errors=\"surrogateescape\"), "
                     "which has no UTF-8 form; clean it with "
                     "s.encode(\"utf-8\", \"replace\").decode(\"utf-8\")"));
  }
  if (PyBytes_Check(object)) {
    const absl::string_view bytes(
        PyBytes_AS_STRING(object),
        static_cast<size_t>(PyBytes_GET_SIZE(object)));
    if (const int64_t bad = FirstInvalidUtf8(bytes); bad >= 0) {
      throw py::value_error(absl::StrCat(
          Where(what, index), " is bytes that are not valid UTF-8 (byte ", bad,
          " starts an invalid sequence); decode them first, for example "
          "with b.decode(\"utf-8\", errors=\"replace\")"));
    }
    return std::string(bytes);
  }
  // Any integer, NumPy's too (a pandas column of ids), but not a bool.
  if (accept_int && PyIndex_Check(object) && !PyBool_Check(object)) {
    return DecimalText(item);
  }
  if (object == Py_None) {
    throw py::value_error(
        absl::StrCat(Where(what, index), " is None; ", expected));
  }
  throw py::value_error(absl::StrCat(Where(what, index), " is a ",
                                     TypeName(item), "; ", expected));
}

// Every item of an iterable, converted. A single str would iterate as
// characters, which is never what was meant.
std::vector<std::string> ToUtf8List(py::handle items, const char* what,
                                    bool accept_int) {
  if (PyUnicode_Check(items.ptr()) || PyBytes_Check(items.ptr())) {
    throw py::type_error(absl::StrCat(
        what, " must be a list (or other iterable) of them, not one ",
        TypeName(items), "; wrap it in a list: [", what, "]"));
  }
  PyObject* iterator = PyObject_GetIter(items.ptr());
  if (iterator == nullptr) {
    PyErr_Clear();
    throw py::type_error(absl::StrCat(
        what, " must be a list (or other iterable), got ", TypeName(items)));
  }
  py::object owner = py::reinterpret_steal<py::object>(iterator);
  std::vector<std::string> out;
  const Py_ssize_t hint = PyObject_LengthHint(items.ptr(), 0);
  if (hint > 0) {
    out.reserve(static_cast<size_t>(hint));
  } else if (hint < 0) {
    PyErr_Clear();  // Only a hint: the iteration will tell.
  }
  for (;;) {
    PyObject* next = PyIter_Next(iterator);
    if (next == nullptr) {
      if (PyErr_Occurred()) throw py::error_already_set();
      break;
    }
    py::object item = py::reinterpret_steal<py::object>(next);
    out.push_back(ToUtf8(item, what, out.size(), accept_int));
  }
  return out;
}

// (id, text) pairs for Corpus::FromDocuments. Without ids, documents are
// named by their position: "0", "1", ...
std::vector<std::pair<std::string, std::string>> ToDocuments(
    py::handle texts, py::handle ids, bool ids_required) {
  std::vector<std::string> text_list = ToUtf8List(texts, "texts", false);
  std::vector<std::string> id_list;
  if (ids.is_none()) {
    if (ids_required) {
      throw py::value_error(
          "ids is None; an index names every document: give one id per "
          "text");
    }
    id_list.reserve(text_list.size());
    for (size_t i = 0; i < text_list.size(); ++i) {
      id_list.push_back(absl::StrCat(i));
    }
  } else {
    id_list = ToUtf8List(ids, "ids", true);
  }
  if (id_list.size() != text_list.size()) {
    throw py::value_error(absl::StrCat(
        "got ", id_list.size(), " ids for ", text_list.size(),
        " texts; give exactly one id per text",
        ids_required ? "" : " (or no ids, to name texts by position)"));
  }
  std::vector<std::pair<std::string, std::string>> documents;
  documents.reserve(text_list.size());
  for (size_t i = 0; i < text_list.size(); ++i) {
    documents.emplace_back(std::move(id_list[i]), std::move(text_list[i]));
  }
  return documents;
}

// JSON lines into one JSON array. Records never hold a raw line break (JSON
// strings escape it), so each line end can become a comma.
py::bytes LinesToArray(std::string lines) {
  if (lines.empty()) return py::bytes("[]");
  for (char& c : lines) {
    if (c == '\n') c = ',';
  }
  lines.back() = ']';
  lines.insert(lines.begin(), '[');
  return py::bytes(lines);
}

// ---------------------------------------------------------------------------
// Options: keyword arguments named as the command line's flags, with
// underscores.

class OptionReader {
 public:
  OptionReader(const char* function, const py::dict& options)
      : function_(function), options_(options) {}

  void Double(const char* name, double* out) {
    py::handle value = Take(name);
    if (!value) return;
    if (!PyBool_Check(value.ptr())) {
      const double x = PyFloat_AsDouble(value.ptr());
      if (!(x == -1 && PyErr_Occurred())) {
        *out = x;
        return;
      }
      PyErr_Clear();
    }
    throw py::value_error(
        absl::StrCat(Flag(name), " must be a number, got ", Repr(value)));
  }

  void Int(const char* name, int* out) {
    py::handle value = Take(name);
    if (!value) return;
    *out = static_cast<int>(Whole(name, value, INT_MIN, INT_MAX));
  }

  void Size(const char* name, size_t* out) {
    py::handle value = Take(name);
    if (!value) return;
    const int64_t n = Whole(name, value, 0, INT64_MAX);
    *out = static_cast<size_t>(n);
  }

  void String(const char* name, std::string* out) {
    py::handle value = Take(name);
    if (!value) return;
    if (!PyUnicode_Check(value.ptr())) {
      throw py::value_error(
          absl::StrCat(Flag(name), " must be a str, got ", Repr(value)));
    }
    *out = Printable(value);
  }

  void Bool(const char* name, bool* out) {
    py::handle value = Take(name);
    if (!value) return;
    if (!PyBool_Check(value.ptr())) {
      throw py::value_error(absl::StrCat(
          Flag(name), " must be True or False, got ", Repr(value)));
    }
    *out = value.ptr() == Py_True;
  }

  // The command line's seed rule and message (internal::ParseSeed), on the
  // value's decimal text.
  void Seed(const char* name, uint64_t* out) {
    py::handle value = Take(name);
    if (!value) return;
    const std::string text =
        !PyBool_Check(value.ptr()) && PyIndex_Check(value.ptr())
            ? DecimalText(value)
            : Printable(value);
    absl::StatusOr<uint64_t> seed = internal::ParseSeed(text);
    ThrowIfError(seed.status(), ErrorContext::kCompute);
    *out = *seed;
  }

  // The engine settings `names` lists, by their flag names.
  void Engine(internal::EngineSettings* s,
              absl::Span<const char* const> names) {
    for (absl::string_view name : names) {
      if (name == "threshold") Double("threshold", &s->threshold);
      if (name == "containment") Double("containment", &s->containment);
      if (name == "ngram") Int("ngram", &s->ngram);
      if (name == "num_perm") Int("num_perm", &s->num_perm);
      if (name == "normalize") String("normalize", &s->normalize);
      if (name == "algorithm") String("algorithm", &s->algorithm);
      if (name == "bands") Int("bands", &s->bands);
      if (name == "rows") Int("rows", &s->rows);
      if (name == "keep") String("keep", &s->keep);
      if (name == "linkage") String("linkage", &s->linkage);
      if (name == "seed") Seed("seed", &s->seed);
      if (name == "boilerplate_df") {
        py::handle value = Take("boilerplate_df");
        if (value) {
          s->boilerplate_df = static_cast<uint32_t>(
              Whole("boilerplate_df", value, 0, UINT32_MAX));
        }
      }
      if (name == "min_weighted_jaccard") {
        Double("min_weighted_jaccard", &s->min_weighted_jaccard);
      }
      if (name == "boilerplate_whole_corpus") {
        Bool("boilerplate_whole_corpus", &s->boilerplate_whole_corpus);
      }
    }
  }

  // Refuses keywords no reader took, as Python refuses unknown keyword
  // arguments.
  void Finish() {
    for (auto item : options_) {
      const std::string key = Printable(item.first);
      if (used_.count(key) == 0) {
        throw py::type_error(absl::StrCat(function_,
                                          "() got an unexpected keyword "
                                          "argument '",
                                          key, "'"));
      }
    }
  }

 private:
  // The value of keyword `name` (borrowed from the dict), or a null handle.
  py::handle Take(const char* name) {
    used_.insert(name);
    return py::handle(PyDict_GetItemString(options_.ptr(), name));
  }

  static std::string Flag(absl::string_view name) {
    std::string flag = absl::StrCat("--", name);
    for (char& c : flag) {
      if (c == '_') c = '-';
    }
    return flag;
  }

  static std::string Repr(py::handle value) {
    return Printable(value, /*repr=*/true);
  }

  // An integer in [min, max]; messages name the flag as the command line
  // does, and keep the value as given (a wrapped value would mislead).
  static int64_t Whole(absl::string_view name, py::handle value, int64_t min,
                       int64_t max) {
    if (PyBool_Check(value.ptr()) || !PyIndex_Check(value.ptr())) {
      throw py::value_error(absl::StrCat(
          Flag(name), " must be a whole number, got ", Repr(value)));
    }
    py::object number =
        py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!number) throw py::error_already_set();
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(number.ptr(), &overflow);
    if (n == -1 && PyErr_Occurred()) throw py::error_already_set();
    if (overflow != 0 || n < min || n > max) {
      throw py::value_error(
          absl::StrCat(Flag(name), " is out of range, got ", Repr(number)));
    }
    return n;
  }

  const char* function_;
  const py::dict& options_;
  std::set<std::string> used_;
};

py::dict SettingsDict(const internal::EngineSettings& s,
                      absl::Span<const char* const> names) {
  py::dict out;
  for (absl::string_view name : names) {
    if (name == "threshold") out["threshold"] = s.threshold;
    if (name == "containment") out["containment"] = s.containment;
    if (name == "ngram") out["ngram"] = s.ngram;
    if (name == "num_perm") out["num_perm"] = s.num_perm;
    if (name == "normalize") out["normalize"] = s.normalize;
    if (name == "algorithm") out["algorithm"] = s.algorithm;
    if (name == "bands") out["bands"] = s.bands;
    if (name == "rows") out["rows"] = s.rows;
    if (name == "keep") out["keep"] = s.keep;
    if (name == "linkage") out["linkage"] = s.linkage;
    if (name == "seed") out["seed"] = s.seed;
    if (name == "boilerplate_df") out["boilerplate_df"] = s.boilerplate_df;
    if (name == "min_weighted_jaccard") {
      out["min_weighted_jaccard"] = s.min_weighted_jaccard;
    }
    if (name == "boilerplate_whole_corpus") {
      out["boilerplate_whole_corpus"] = s.boilerplate_whole_corpus;
    }
  }
  return out;
}

// The engine keyword arguments of each face, named as the command line's
// flags.
constexpr const char* kClusterOptions[] = {"threshold",
                                           "containment",
                                           "ngram",
                                           "num_perm",
                                           "normalize",
                                           "seed",
                                           "algorithm",
                                           "bands",
                                           "rows",
                                           "keep",
                                           "linkage",
                                           "boilerplate_df",
                                           "min_weighted_jaccard",
                                           "boilerplate_whole_corpus"};
// report() takes `neardup report`'s: cluster's without the boilerplate ones.
constexpr const char* kReportOptions[] = {
    "threshold", "containment", "ngram", "num_perm", "normalize", "seed",
    "algorithm", "bands",       "rows",  "keep",     "linkage"};
constexpr const char* kPassageOptions[] = {"threshold", "ngram", "num_perm",
                                           "normalize", "seed"};
// Sketcher takes these; Index.create containment too.
constexpr const char* kSketchOptions[] = {"threshold", "ngram",     "num_perm",
                                          "normalize", "algorithm", "bands",
                                          "rows",      "seed"};
constexpr const char* kIndexOptions[] = {
    "threshold",           "containment", "ngram", "num_perm", "normalize",
    "algorithm",           "bands",       "rows",  "seed",     "boilerplate_df",
    "min_weighted_jaccard"};

py::dict Defaults(const std::string& kind) {
  if (kind == "cluster") {
    py::dict d = SettingsDict(internal::EngineSettings(), kClusterOptions);
    d["threads"] = 0;
    return d;
  }
  if (kind == "passages") {
    py::dict d =
        SettingsDict(internal::EngineSettings::ForPassages(), kPassageOptions);
    d["min_chars"] = kDefaultPassageMinChars;
    d["max_chars"] = kDefaultPassageMaxChars;
    d["threads"] = 0;
    d["strip"] = false;
    d["strip_shared"] = false;
    return d;
  }
  if (kind == "index") {
    return SettingsDict(internal::EngineSettings::ForIndex(), kIndexOptions);
  }
  if (kind == "sketcher") {
    py::dict d = SettingsDict(internal::EngineSettings(), kSketchOptions);
    d["threads"] = 0;
    return d;
  }
  throw py::value_error(absl::StrCat(
      "unknown kind \"", kind,
      "\"; expected \"cluster\", \"passages\", \"index\" or \"sketcher\""));
}

// ---------------------------------------------------------------------------
// cluster() and passages()

py::dict ClusterStats(const PipelineStats& s) {
  py::dict d;
  d["documents"] = s.documents;
  d["empty_documents"] = s.empty_documents;
  d["bands"] = s.bands.bands;
  d["rows"] = s.bands.rows;
  d["candidate_pairs"] = s.candidates.candidate_pairs;
  d["capped_buckets"] = s.candidates.capped_buckets;
  d["verified_pairs"] = s.verified_pairs;
  d["containment_candidates"] = s.containment_candidates;
  d["sample_candidates"] = s.sample_candidates;
  d["containment_pairs"] = s.containment_pairs;
  d["clusters"] = s.clusters;
  d["clustered_documents"] = s.clustered_documents;
  return d;
}

py::tuple ClusterTexts(py::handle texts, py::handle ids,
                       const py::dict& options) {
  internal::EngineSettings settings;
  int threads = 0;
  OptionReader reader("cluster", options);
  reader.Engine(&settings, kClusterOptions);
  reader.Int("threads", &threads);
  reader.Finish();
  // Options first: a typo should not wait for a large corpus to convert.
  absl::StatusOr<PipelineOptions> pipeline_options =
      internal::MakePipelineOptions(settings, threads);
  ThrowIfError(pipeline_options.status(), ErrorContext::kCompute);
  auto documents = ToDocuments(texts, ids, /*ids_required=*/false);

  std::string clusters, pairs;
  std::vector<uint32_t> representative_of;
  PipelineStats stats;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = [&]() -> absl::Status {
      NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Corpus> corpus,
                               Corpus::FromDocuments(std::move(documents)));
      NEARDUP_ASSIGN_OR_RETURN(PipelineResult result,
                               RunPipeline(*corpus, *pipeline_options));
      for (const ClusterResult& cluster : result.clusters) {
        internal::AppendClusterJson(*corpus, cluster, &clusters);
      }
      for (size_t i = 0; i < result.pairs.size(); ++i) {
        internal::AppendPairJson(
            *corpus, result.pairs[i], result.pair_links[i], &pairs,
            result.weighted_jaccard.empty() ? -1 : result.weighted_jaccard[i]);
      }
      representative_of = std::move(result.representative_of);
      stats = result.stats;
      return absl::OkStatus();
    }();
  }
  ThrowIfError(status, ErrorContext::kCompute);
  // What `neardup cluster --dedup` keeps: each document that is no other
  // document's copy.
  py::list unique(representative_of.size());
  for (size_t i = 0; i < representative_of.size(); ++i) {
    unique[i] = py::bool_(representative_of[i] == i);
  }
  return py::make_tuple(LinesToArray(std::move(clusters)),
                        LinesToArray(std::move(pairs)), unique,
                        ClusterStats(stats));
}

// ---------------------------------------------------------------------------
// report()

void CheckPath(const std::string& path);  // Below, with Index.

// `neardup report` on files: (figures as JSON, the page or None).
py::tuple ReportOfFiles(const std::vector<std::string>& inputs,
                        const py::dict& options) {
  internal::EngineSettings settings;
  int threads = 0;
  InputOptions input;
  ReportOptions report_options;
  ReportPageOptions page;
  std::string clusters_path, pairs_path;
  bool html = true;
  OptionReader reader("report", options);
  reader.Engine(&settings, kReportOptions);
  reader.Int("threads", &threads);
  reader.String("id_field", &input.id_field);
  reader.String("text_field", &input.text_field);
  reader.String("source_field", &report_options.source_field);
  reader.String("date_field", &report_options.date_field);
  reader.String("title_field", &report_options.title_field);
  reader.String("clusters", &clusters_path);
  reader.String("pairs", &pairs_path);
  reader.String("title", &page.title);
  reader.Bool("html", &html);
  reader.Finish();
  if (!clusters_path.empty() && !pairs_path.empty()) {
    throw py::value_error(
        "give clusters or pairs, not both: the clusters come from one of them");
  }
  absl::StatusOr<PipelineOptions> pipeline_options =
      internal::MakePipelineOptions(settings, threads);
  ThrowIfError(pipeline_options.status(), ErrorContext::kCompute);
  report_options.normalize = pipeline_options->normalize;
  report_options.ngram = pipeline_options->ngram;
  report_options.seed = pipeline_options->seed;
  report_options.threads = threads;
  input.threads = threads;
  ThrowIfError(ValidateReportOptions(report_options), ErrorContext::kCompute);
  for (const std::string& path : inputs) CheckPath(path);

  std::string json, page_html;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = [&]() -> absl::Status {
      NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Corpus> corpus,
                               LoadCorpus(inputs, input));
      std::vector<ClusterResult> clusters;
      if (!clusters_path.empty()) {
        NEARDUP_ASSIGN_OR_RETURN(clusters,
                                 ReadClustersFile(*corpus, clusters_path));
      } else if (!pairs_path.empty()) {
        NEARDUP_ASSIGN_OR_RETURN(clusters, ReadPairsFile(*corpus, pairs_path));
      } else {
        NEARDUP_ASSIGN_OR_RETURN(PipelineResult result,
                                 RunPipeline(*corpus, *pipeline_options));
        clusters = std::move(result.clusters);
      }
      NEARDUP_ASSIGN_OR_RETURN(Report report,
                               BuildReport(*corpus, clusters, report_options));
      AppendReportJson(*corpus, report, &json);
      if (html) {
        page.subtitle = absl::StrCat(report.documents, " documents");
        NEARDUP_RETURN_IF_ERROR(
            AppendReportHtml(*corpus, report, page, &page_html));
      }
      return absl::OkStatus();
    }();
  }
  // A missing or unreadable input is the file system's error, as open()'s.
  if (status.code() == absl::StatusCode::kNotFound) {
    Raise(PyExc_FileNotFoundError, status.message());
  }
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    Raise(PyExc_PermissionError, status.message());
  }
  ThrowIfError(status, ErrorContext::kCompute);
  return py::make_tuple(py::bytes(json),
                        html ? py::object(py::bytes(page_html)) : py::none());
}

py::dict PassageStatsDict(const PassageStats& s) {
  py::dict d;
  d["documents"] = s.documents;
  d["passages"] = s.passages;
  d["short_passages"] = s.short_passages;
  d["bands"] = s.bands.bands;
  d["rows"] = s.bands.rows;
  d["candidate_pairs"] = s.candidates.candidate_pairs;
  d["verified_pairs"] = s.verified_pairs;
  d["groups"] = s.groups;
  d["repeated"] = s.repeated;
  d["internal"] = s.internal;
  d["shared"] = s.shared;
  d["removable_bytes"] = s.removable_bytes;
  d["removable_shared_bytes"] = s.removable_shared_bytes;
  return d;
}

py::tuple PassagesOfTexts(py::handle texts, py::handle ids,
                          const py::dict& options) {
  internal::EngineSettings settings = internal::EngineSettings::ForPassages();
  int min_chars = kDefaultPassageMinChars;
  int max_chars = kDefaultPassageMaxChars;
  int threads = 0;
  bool strip = false, strip_shared = false;
  OptionReader reader("passages", options);
  reader.Engine(&settings, kPassageOptions);
  reader.Int("min_chars", &min_chars);
  reader.Int("max_chars", &max_chars);
  reader.Int("threads", &threads);
  reader.Bool("strip", &strip);
  reader.Bool("strip_shared", &strip_shared);
  reader.Finish();
  if (strip_shared && !strip) {
    // The command line's rule (--strip-shared needs --strip), in keywords.
    throw py::value_error(
        "strip_shared=True needs strip=True to say that stripped texts are "
        "wanted");
  }
  absl::StatusOr<PassageOptions> passage_options =
      internal::MakePassageOptions(settings, min_chars, max_chars, threads);
  ThrowIfError(passage_options.status(), ErrorContext::kCompute);
  auto documents = ToDocuments(texts, ids, /*ids_required=*/false);

  std::string repeats;
  std::vector<std::string> stripped;
  PassageStats stats;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = [&]() -> absl::Status {
      NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Corpus> corpus,
                               Corpus::FromDocuments(std::move(documents)));
      NEARDUP_ASSIGN_OR_RETURN(PassageResult result,
                               FindRepeatedPassages(*corpus, *passage_options));
      for (const RepeatedPassage& r : result.repeats) {
        internal::AppendRepeatJson(*corpus, r, &repeats);
      }
      if (strip) {
        // What `neardup passages --strip` writes into each record's text.
        TextScratch scratch;
        stripped.reserve(corpus->size());
        for (size_t i = 0; i < corpus->size(); ++i) {
          NEARDUP_ASSIGN_OR_RETURN(absl::string_view text,
                                   corpus->Text(i, &scratch));
          std::vector<PassageSpan> spans = RemovableSpans(
              result.repeats, static_cast<uint32_t>(i), strip_shared);
          stripped.push_back(spans.empty() ? std::string(text)
                                           : RemovePassages(text, spans));
        }
      }
      stats = result.stats;
      return absl::OkStatus();
    }();
  }
  ThrowIfError(status, ErrorContext::kCompute);
  py::object stripped_list = py::none();
  if (strip) {
    py::list list(stripped.size());
    for (size_t i = 0; i < stripped.size(); ++i) {
      // Removal cuts at passage boundaries, never inside a UTF-8 sequence,
      // and the input was valid UTF-8, so decoding cannot fail.
      list[i] = py::str(stripped[i]);
    }
    stripped_list = std::move(list);
  }
  return py::make_tuple(LinesToArray(std::move(repeats)), stripped_list,
                        PassageStatsDict(stats));
}

// ---------------------------------------------------------------------------
// Sketcher

// NumPy arrays of the element type the C++ side wants (converted if needed).
template <typename T>
using InputArray = py::array_t<T, py::array::c_style | py::array::forcecast>;

// Texts converted to UTF-8 once per distinct Python object: a pandas join
// repeats the same str object in every row that refers to one document.
struct UniqueTexts {
  std::vector<std::string> utf8;
  // Holds every object, so that no address is reused while it is a key.
  std::vector<py::object> owners;
  std::unordered_map<PyObject*, uint32_t> index_of;

  // The index into `utf8` of each item of `items`, in order. Raises as
  // ToUtf8List does, naming items as what[i].
  std::vector<uint32_t> Add(py::handle items, const char* what) {
    if (PyUnicode_Check(items.ptr()) || PyBytes_Check(items.ptr())) {
      throw py::type_error(absl::StrCat(what,
                                        " must be a list (or other iterable) "
                                        "of texts, not one ",
                                        TypeName(items)));
    }
    PyObject* iterator = PyObject_GetIter(items.ptr());
    if (iterator == nullptr) {
      PyErr_Clear();
      throw py::type_error(absl::StrCat(
          what, " must be a list (or other iterable), got ", TypeName(items)));
    }
    py::object owner = py::reinterpret_steal<py::object>(iterator);
    std::vector<uint32_t> out;
    for (;;) {
      PyObject* next = PyIter_Next(iterator);
      if (next == nullptr) {
        if (PyErr_Occurred()) throw py::error_already_set();
        break;
      }
      py::object item = py::reinterpret_steal<py::object>(next);
      auto [it, inserted] =
          index_of.try_emplace(item.ptr(), static_cast<uint32_t>(utf8.size()));
      if (inserted) {
        utf8.push_back(ToUtf8(item, what, out.size(), false));
        owners.push_back(std::move(item));
      }
      out.push_back(it->second);
    }
    return out;
  }
};

class Sketcher {
 public:
  static std::unique_ptr<Sketcher> Create(const py::dict& options) {
    internal::EngineSettings settings;
    int threads = 0;
    OptionReader reader("Sketcher", options);
    reader.Engine(&settings, kSketchOptions);
    reader.Int("threads", &threads);
    reader.Finish();
    // The pipeline's own validation and stage construction, so bands,
    // normaliser and hasher are exactly those `cluster` uses.
    absl::StatusOr<PipelineOptions> pipeline =
        internal::MakePipelineOptions(settings, threads);
    ThrowIfError(pipeline.status(), ErrorContext::kCompute);
    absl::StatusOr<internal::MatchStages> stages =
        internal::MakeMatchStages({.normalize = pipeline->normalize,
                                   .num_perm = pipeline->num_perm,
                                   .algorithm = pipeline->algorithm,
                                   .seed = pipeline->seed,
                                   .threshold = pipeline->threshold,
                                   .bands = pipeline->bands,
                                   .rows = pipeline->rows,
                                   .min_recall = pipeline->min_recall});
    ThrowIfError(stages.status(), ErrorContext::kCompute);
    return std::unique_ptr<Sketcher>(
        new Sketcher(settings, threads, *pipeline, *std::move(stages)));
  }

  py::object Sketch(py::handle texts, bool return_present) const {
    const std::vector<std::string> list = ToUtf8List(texts, "texts", false);
    const size_t n = list.size();
    const int k = options_.num_perm;
    py::array_t<uint32_t> signatures({n, static_cast<size_t>(k)});
    py::array_t<bool> present(n);
    uint32_t* slots = signatures.mutable_data();
    bool* flags = present.mutable_data();
    {
      py::gil_scoped_release release;
      const int threads = internal::ResolveThreads(threads_);
      std::vector<Scratch> scratch(threads);
      internal::ParallelFor(
          n, threads, 64, [&](size_t begin, size_t end, int worker) {
            Scratch& s = scratch[worker];
            for (size_t i = begin; i < end; ++i) {
              HashText(list[i], &s);
              absl::Span<uint32_t> row(slots + i * k, k);
              flags[i] = stages_.hasher.Sketch(s.shingles, row);
              // A text without shingles has no signature; a row of the
              // largest value can never be mistaken for a real minimum of
              // every slot.
              if (!flags[i]) std::fill(row.begin(), row.end(), UINT32_MAX);
            }
          });
    }
    if (return_present) return py::make_tuple(signatures, present);
    return signatures;
  }

  py::array_t<uint64_t> BandKeys(py::handle signatures) const {
    if (!py::isinstance<py::array_t<uint32_t>>(signatures)) {
      const std::string got =
          py::isinstance<py::array>(signatures)
              ? py::str(signatures.attr("dtype")).cast<std::string>()
              : TypeName(signatures);
      throw py::value_error(absl::StrCat(
          "signatures must be a NumPy uint32 array as sketch() returns, got ",
          got));
    }
    auto array = py::array_t<uint32_t, py::array::c_style>::ensure(signatures);
    if (!array) throw py::error_already_set();
    const int k = options_.num_perm;
    const bool one_row = array.ndim() == 1;
    if ((array.ndim() != 1 && array.ndim() != 2) ||
        array.shape(array.ndim() - 1) != k) {
      std::string shape;
      for (py::ssize_t d = 0; d < array.ndim(); ++d) {
        absl::StrAppend(&shape, d > 0 ? ", " : "", array.shape(d));
      }
      throw py::value_error(absl::StrCat(
          "signatures must have shape (documents, ", k, ") for num_perm=", k,
          ", got (", shape, array.ndim() == 1 ? ",)" : ")"));
    }
    const size_t n = one_row ? 1 : static_cast<size_t>(array.shape(0));
    const int bands = stages_.bands.bands;
    py::array_t<uint64_t> keys =
        one_row ? py::array_t<uint64_t>(bands)
                : py::array_t<uint64_t>({n, static_cast<size_t>(bands)});
    const uint32_t* slots = array.data();
    uint64_t* out = keys.mutable_data();
    {
      py::gil_scoped_release release;
      internal::ParallelFor(
          n, internal::ResolveThreads(threads_), 256,
          [&](size_t begin, size_t end, int) {
            for (size_t i = begin; i < end; ++i) {
              absl::Span<const uint32_t> row(slots + i * k, k);
              for (int b = 0; b < bands; ++b) {
                out[i * bands + b] =
                    BandKey(row, stages_.bands, b, options_.seed);
              }
            }
          });
    }
    return keys;
  }

  // The exact shingle set: sorted, distinct 64-bit hashes.
  py::array_t<uint64_t> Shingles(py::handle text) const {
    const std::string utf8 = ToUtf8(text, "text", kNoIndex, false);
    std::vector<uint64_t> set;
    {
      py::gil_scoped_release release;
      set = ShingleSet(utf8);
    }
    py::array_t<uint64_t> out(set.size());
    std::copy(set.begin(), set.end(), out.mutable_data());
    return out;
  }

  SetSimilarity Compare(py::handle a, py::handle b) const {
    const std::string text_a = ToUtf8(a, "a", kNoIndex, false);
    const std::string text_b = ToUtf8(b, "b", kNoIndex, false);
    py::gil_scoped_release release;
    return CompareSortedSets(ShingleSet(text_a), ShingleSet(text_b));
  }

  // Exact similarities of many pairs, texts_a[i] against texts_b[i], as
  // `cluster` verifies them; optionally also each text's length in
  // normalised code points (what --keep longest ranks by).
  //
  // A text that appears in several pairs (the same Python object, as a
  // pandas join repeats it) is converted once. Shingle sets are built one
  // chunk of pairs at a time and dropped after the chunk, unless the next
  // chunk uses them too, so memory stays bounded for any number of pairs
  // while pairs sorted by one side reuse that side's set.
  py::tuple ComparePairs(py::handle texts_a, py::handle texts_b,
                         bool return_lengths) const {
    UniqueTexts texts;
    const std::vector<uint32_t> a = texts.Add(texts_a, "texts_a");
    const std::vector<uint32_t> b = texts.Add(texts_b, "texts_b");
    if (a.size() != b.size()) {
      throw py::value_error(absl::StrCat(
          "got ", a.size(), " texts_a for ", b.size(),
          " texts_b; compare_pairs compares texts_a[i] with texts_b[i]"));
    }
    const size_t n = a.size();
    py::array_t<double> jaccard(n), containment(n);
    py::array_t<uint64_t> length_a(n), length_b(n);
    double* j_out = jaccard.mutable_data();
    double* c_out = containment.mutable_data();
    uint64_t* la_out = length_a.mutable_data();
    uint64_t* lb_out = length_b.mutable_data();
    {
      py::gil_scoped_release release;
      const std::vector<std::string>& utf8 = texts.utf8;
      const size_t unique = utf8.size();
      const int threads = internal::ResolveThreads(threads_);
      std::vector<std::vector<uint64_t>> sets(unique);
      std::vector<uint64_t> lengths(unique, 0);
      // The chunk that last needed each text's set, and whether it is built.
      std::vector<size_t> chunk_of(unique, SIZE_MAX);
      std::vector<uint8_t> built(unique, 0);
      std::vector<Scratch> scratch(threads);
      constexpr size_t kChunk = 1024;
      constexpr size_t kKeep = SIZE_MAX - 1;
      std::vector<uint32_t> needed, held;
      for (size_t begin = 0, chunk = 0; begin < n; begin += kChunk, ++chunk) {
        const size_t end = std::min(n, begin + kChunk);
        needed.clear();
        for (size_t i = begin; i < end; ++i) {
          for (uint32_t u : {a[i], b[i]}) {
            if (chunk_of[u] == chunk) continue;
            chunk_of[u] = chunk;
            if (!built[u]) needed.push_back(u);
          }
        }
        internal::ParallelFor(
            needed.size(), threads, 4, [&](size_t lo, size_t hi, int worker) {
              Scratch& s = scratch[worker];
              for (size_t k = lo; k < hi; ++k) {
                const uint32_t u = needed[k];
                HashText(utf8[u], &s);
                lengths[u] = s.normalized.code_points.size();
                SortUnique(&s.shingles);
                sets[u].assign(s.shingles.begin(), s.shingles.end());
                built[u] = 1;
              }
            });
        internal::ParallelFor(
            end - begin, threads, 64, [&](size_t lo, size_t hi, int) {
              for (size_t i = begin + lo; i < begin + hi; ++i) {
                const SetSimilarity sim =
                    CompareSortedSets(sets[a[i]], sets[b[i]]);
                j_out[i] = sim.jaccard;
                c_out[i] = sim.containment;
                la_out[i] = lengths[a[i]];
                lb_out[i] = lengths[b[i]];
              }
            });
        // Keep the sets the next chunk needs too; drop the others.
        for (size_t i = end; i < std::min(n, end + kChunk); ++i) {
          for (uint32_t u : {a[i], b[i]}) {
            if (chunk_of[u] == chunk) chunk_of[u] = kKeep;
          }
        }
        for (size_t i = begin; i < end; ++i) {
          for (uint32_t u : {a[i], b[i]}) {
            if (built[u] && chunk_of[u] == chunk) {
              std::vector<uint64_t>().swap(sets[u]);
              built[u] = 0;
            }
          }
        }
      }
    }
    if (return_lengths) {
      return py::make_tuple(jaccard, containment, length_a, length_b);
    }
    return py::make_tuple(jaccard, containment);
  }

  // For candidate pairs (a[i], b[i]), whether their signatures leave them
  // possibly at least min_jaccard similar: the screen `cluster` applies to
  // band collisions before exact verification (src/internal/sketch_screen.h),
  // which turns a qualifying pair down only with probability below 1e-6.
  // Signatures come in blocks (arrays as sketch() returns them), and a
  // document is named block << 32 | row.
  py::array_t<bool> ScreenPairs(const py::sequence& blocks,
                                const InputArray<int64_t>& a,
                                const InputArray<int64_t>& b,
                                double min_jaccard) const {
    const int k = options_.num_perm;
    std::vector<py::array_t<uint32_t, py::array::c_style>> held;
    std::vector<const uint32_t*> data;
    std::vector<int64_t> rows;
    for (size_t i = 0; i < blocks.size(); ++i) {
      py::handle block = blocks[i];
      if (!py::isinstance<py::array_t<uint32_t>>(block)) {
        throw py::value_error(
            absl::StrCat("blocks[", i,
                         "] must be a NumPy uint32 array as sketch() "
                         "returns"));
      }
      auto array = py::array_t<uint32_t, py::array::c_style>::ensure(block);
      if (!array || array.ndim() != 2 || array.shape(1) != k) {
        throw py::value_error(absl::StrCat(
            "blocks[", i, "] must have shape (documents, ", k, ")"));
      }
      data.push_back(array.data());
      rows.push_back(array.shape(0));
      held.push_back(std::move(array));
    }
    if (a.ndim() != 1 || b.ndim() != 1 || a.size() != b.size()) {
      throw py::value_error(
          "a and b must be one-dimensional arrays of equal length");
    }
    const size_t n = static_cast<size_t>(a.size());
    auto row_of = [&](int64_t doc) -> const uint32_t* {
      const int64_t block = doc >> 32, row = doc & 0xFFFFFFFF;
      if (doc < 0 || block >= static_cast<int64_t>(data.size()) ||
          row >= rows[block]) {
        return nullptr;
      }
      return data[block] + row * k;
    };
    for (size_t i = 0; i < n; ++i) {
      if (row_of(a.data()[i]) == nullptr || row_of(b.data()[i]) == nullptr) {
        throw py::value_error(
            absl::StrCat("pair ", i,
                         " names a document (block << 32 | row) that is not "
                         "in blocks"));
      }
    }
    py::array_t<bool> keep(n);
    bool* out = keep.mutable_data();
    {
      py::gil_scoped_release release;
      const internal::SketchScreen screen(k);
      internal::ParallelFor(
          n, internal::ResolveThreads(threads_), 4096,
          [&](size_t begin, size_t end, int) {
            for (size_t i = begin; i < end; ++i) {
              out[i] = screen.Keep(
                  {row_of(a.data()[i]), static_cast<size_t>(k)},
                  {row_of(b.data()[i]), static_cast<size_t>(k)}, min_jaccard);
            }
          });
    }
    return keep;
  }

  py::dict Options() const {
    py::dict d = SettingsDict(settings_, kSketchOptions);
    d["threads"] = threads_;
    return d;
  }
  int num_perm() const { return options_.num_perm; }
  int bands() const { return stages_.bands.bands; }
  int rows() const { return stages_.bands.rows; }

 private:
  struct Scratch {
    NormalizedText normalized;
    std::vector<uint64_t> shingles;
  };

  Sketcher(internal::EngineSettings settings, int threads,
           PipelineOptions options, internal::MatchStages stages)
      : settings_(std::move(settings)),
        threads_(threads),
        options_(options),
        stages_(std::move(stages)) {
    // Whatever band choice the stages made, report it as settled.
    settings_.bands = stages_.bands.bands;
    settings_.rows = stages_.bands.rows;
  }

  // What RunPipeline does to each document before sketching it.
  void HashText(absl::string_view text, Scratch* s) const {
    stages_.normalizer.Normalize(text, &s->normalized);
    s->shingles.clear();
    HashShingles(s->normalized.code_points,
                 {.ngram = options_.ngram, .seed = options_.seed},
                 &s->shingles);
  }

  std::vector<uint64_t> ShingleSet(absl::string_view text) const {
    Scratch s;
    HashText(text, &s);
    SortUnique(&s.shingles);
    return std::move(s.shingles);
  }

  internal::EngineSettings settings_;
  int threads_;
  PipelineOptions options_;
  internal::MatchStages stages_;
};

// ---------------------------------------------------------------------------
// Pieces of `cluster` for engines that find and verify pairs on their own
// (neardup.dask): clustering verified pairs, and writing the records.

// Clusters of verified pairs, as `cluster` forms them: BuildClusters over
// documents 0..n-1 (n = len(lengths)), lengths ranking them for
// keep="longest". Returns (representatives, offsets, members): cluster c
// holds members[offsets[c]:offsets[c + 1]], its representative first.
py::tuple BuildClustersOfPairs(const InputArray<uint32_t>& a,
                               const InputArray<uint32_t>& b,
                               const InputArray<uint64_t>& lengths,
                               const std::string& linkage,
                               const std::string& keep) {
  absl::StatusOr<Linkage> parsed_linkage = ParseLinkage(linkage);
  ThrowIfError(parsed_linkage.status(), ErrorContext::kCompute);
  absl::StatusOr<KeepPolicy> parsed_keep = ParseKeepPolicy(keep);
  ThrowIfError(parsed_keep.status(), ErrorContext::kCompute);
  if (a.ndim() != 1 || b.ndim() != 1 || lengths.ndim() != 1 ||
      a.size() != b.size()) {
    throw py::value_error(
        "a and b must be one-dimensional arrays of equal length, and "
        "lengths one-dimensional");
  }
  const size_t n = static_cast<size_t>(lengths.size());
  std::vector<ScoredPair> pairs(static_cast<size_t>(a.size()));
  for (size_t i = 0; i < pairs.size(); ++i) {
    const uint32_t x = a.data()[i], y = b.data()[i];
    if (x >= n || y >= n || x == y) {
      throw py::value_error(absl::StrCat(
          "pair ", i, " is (", x, ", ", y,
          "); documents are numbered 0 to len(lengths) - 1 = ",
          static_cast<int64_t>(n) - 1, " and a pair needs two of them"));
    }
    pairs[i] = {std::min(x, y), std::max(x, y), 0, 0};
  }
  const absl::Span<const uint64_t> length_span(lengths.data(), n);
  std::vector<Cluster> clusters;
  {
    py::gil_scoped_release release;
    clusters = BuildClusters(
        pairs, length_span, {.linkage = *parsed_linkage, .keep = *parsed_keep});
  }
  size_t total = 0;
  for (const Cluster& c : clusters) total += c.members.size();
  py::array_t<uint32_t> representatives(clusters.size());
  py::array_t<int64_t> offsets(clusters.size() + 1);
  py::array_t<uint32_t> members(total);
  int64_t* offset = offsets.mutable_data();
  uint32_t* member = members.mutable_data();
  offset[0] = 0;
  for (size_t c = 0; c < clusters.size(); ++c) {
    representatives.mutable_data()[c] = clusters[c].representative;
    std::copy(clusters[c].members.begin(), clusters[c].members.end(),
              member + offset[c]);
    offset[c + 1] =
        offset[c] + static_cast<int64_t>(clusters[c].members.size());
  }
  return py::make_tuple(representatives, offsets, members);
}

// A corpus that holds only ids, to name documents in records.
std::unique_ptr<Corpus> IdCorpus(py::handle ids) {
  std::vector<std::string> list = ToUtf8List(ids, "ids", true);
  std::vector<std::pair<std::string, std::string>> documents;
  documents.reserve(list.size());
  for (std::string& id : list) documents.emplace_back(std::move(id), "");
  absl::StatusOr<std::unique_ptr<Corpus>> corpus;
  {
    py::gil_scoped_release release;
    corpus = Corpus::FromDocuments(std::move(documents));
  }
  ThrowIfError(corpus.status(), ErrorContext::kCompute);
  return *std::move(corpus);
}

// `neardup cluster --pairs` lines for pairs of documents named by index
// into `ids` (which must be unique). containment_link[i] marks a pair linked
// by containment alone.
py::bytes PairsJsonLines(py::handle ids, const InputArray<uint32_t>& a,
                         const InputArray<uint32_t>& b,
                         const InputArray<double>& jaccard,
                         const InputArray<double>& containment,
                         const InputArray<bool>& containment_link) {
  std::unique_ptr<Corpus> corpus = IdCorpus(ids);
  const size_t n = static_cast<size_t>(a.size());
  if (b.size() != a.size() || jaccard.size() != a.size() ||
      containment.size() != a.size() || containment_link.size() != a.size()) {
    throw py::value_error(
        "a, b, jaccard, containment and containment_link must have one "
        "entry per pair");
  }
  for (size_t i = 0; i < n; ++i) {
    if (a.data()[i] >= corpus->size() || b.data()[i] >= corpus->size()) {
      throw py::value_error(absl::StrCat("pair ", i, " names a document past ",
                                         "the end of ids"));
    }
  }
  std::string out;
  {
    py::gil_scoped_release release;
    for (size_t i = 0; i < n; ++i) {
      internal::AppendPairJson(
          *corpus,
          {a.data()[i], b.data()[i], jaccard.data()[i], containment.data()[i]},
          containment_link.data()[i] ? PairLink::kContainment
                                     : PairLink::kJaccard,
          &out);
    }
  }
  return py::bytes(out);
}

// `neardup cluster --clusters` lines: cluster c holds the documents
// members[offsets[c]:offsets[c + 1]] (indices into `ids`, representative
// first), each with its similarities to the representative.
py::bytes ClustersJsonLines(py::handle ids, const InputArray<int64_t>& offsets,
                            const InputArray<uint32_t>& members,
                            const InputArray<double>& jaccard,
                            const InputArray<double>& containment) {
  std::unique_ptr<Corpus> corpus = IdCorpus(ids);
  const size_t total = static_cast<size_t>(members.size());
  if (jaccard.size() != members.size() ||
      containment.size() != members.size()) {
    throw py::value_error(
        "jaccard and containment must have one entry per member");
  }
  const int64_t* offset = offsets.data();
  const size_t clusters = offsets.size() > 0 ? offsets.size() - 1 : 0;
  for (size_t c = 0; c < clusters; ++c) {
    if (offset[c] < 0 || offset[c + 1] <= offset[c] ||
        static_cast<size_t>(offset[c + 1]) > total) {
      throw py::value_error(absl::StrCat(
          "offsets must rise strictly from 0 to len(members); cluster ", c,
          " spans [", offset[c], ", ", offset[c + 1], ")"));
    }
  }
  for (size_t i = 0; i < total; ++i) {
    if (members.data()[i] >= corpus->size()) {
      throw py::value_error(
          absl::StrCat("member ", i, " names a document past the end of ids"));
    }
  }
  std::string out;
  {
    py::gil_scoped_release release;
    ClusterResult cluster;
    for (size_t c = 0; c < clusters; ++c) {
      cluster.representative = members.data()[offset[c]];
      cluster.members.clear();
      for (int64_t i = offset[c]; i < offset[c + 1]; ++i) {
        cluster.members.push_back(
            {members.data()[i], jaccard.data()[i], containment.data()[i]});
      }
      internal::AppendClusterJson(*corpus, cluster, &out);
    }
  }
  return py::bytes(out);
}

// A whole input file, gzip or zstd decompressed (recognised by their magic
// bytes), as `neardup cluster` reads it.
py::bytes ReadInputFile(const std::string& path) {
  if (path.find('\0') != std::string::npos) {
    throw py::value_error("embedded null byte in the path");
  }
  absl::StatusOr<internal::InputBytes> input;
  {
    py::gil_scoped_release release;
    input = internal::ReadInput(path);
  }
  if (!input.ok()) {
    switch (input.status().code()) {
      case absl::StatusCode::kNotFound:
        Raise(PyExc_FileNotFoundError, input.status().message());
      case absl::StatusCode::kPermissionDenied:
        Raise(PyExc_PermissionError, input.status().message());
      case absl::StatusCode::kInvalidArgument:
        Raise(PyExc_ValueError, input.status().message());
      default:
        Raise(PyExc_OSError, input.status().message());
    }
  }
  return py::bytes(input->padded().data(), input->size);
}

// ---------------------------------------------------------------------------
// Index

// Paths arrive as os.fsencode() bytes, so any name the file system allows
// works; a NUL would silently cut the path short in every system call.
void CheckPath(const std::string& path) {
  if (path.find('\0') != std::string::npos) {
    throw py::value_error("embedded null byte in the index path");
  }
}

class PyIndex {
 public:
  static void Create(const std::string& path, const py::dict& options) {
    CheckPath(path);
    internal::EngineSettings settings = internal::EngineSettings::ForIndex();
    OptionReader reader("Index.create", options);
    reader.Engine(&settings, kIndexOptions);
    reader.Finish();
    absl::StatusOr<IndexOptions> index_options =
        internal::MakeIndexOptions(settings);
    ThrowIfError(index_options.status(), ErrorContext::kCompute);
    absl::Status created;
    {
      py::gil_scoped_release release;
      created = Index::Create(path, *index_options);
    }
    ThrowIfError(created, ErrorContext::kIndexFile);
  }

  PyIndex(const std::string& path, bool read_only) : read_only_(read_only) {
    CheckPath(path);
    OpenReport report;
    absl::StatusOr<std::unique_ptr<Index>> index;
    {
      py::gil_scoped_release release;
      index = Index::Open(path, {.read_only = read_only}, &report);
    }
    ThrowIfError(index.status(), ErrorContext::kIndexFile);
    index_ = *std::move(index);
    warnings_ = std::move(report.warnings);
  }

  py::bytes Add(py::handle texts, py::handle ids, const py::dict& options) {
    internal::BatchOptions batch;
    double compact_at_mb = internal::kDefaultCompactAtMb;
    ReadBatchOptions("Index.add", options, &batch, &compact_at_mb);
    auto documents = ToDocuments(texts, ids, /*ids_required=*/true);
    internal::AddBatchResult added;
    absl::Status status, compacted;
    ErrorContext context = ErrorContext::kIndexData;
    {
      py::gil_scoped_release release;
      std::shared_lock<std::shared_mutex> lock(mu_);
      status = [&]() -> absl::Status {
        NEARDUP_RETURN_IF_ERROR(CheckOpen());
        NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Corpus> corpus,
                                 Corpus::FromDocuments(std::move(documents)));
        // The batch is all or nothing for what can be known in advance:
        // a bad id or an id indexed with another text stops it before
        // anything is written.
        NEARDUP_RETURN_IF_ERROR(CheckAddable(*corpus));
        added = internal::AddCorpus(*index_, *corpus, batch);
        // What was added is made durable before anything is reported, as
        // `neardup index add` does, also when the batch failed later.
        context = ErrorContext::kIndexFile;
        NEARDUP_RETURN_IF_ERROR(index_->Sync());
        context = ErrorContext::kIndexData;
        NEARDUP_RETURN_IF_ERROR(added.failure);
        if (internal::CompactionDue(index_->FileSizes(), compact_at_mb)) {
          compacted = index_->Compact();
        }
        return absl::OkStatus();
      }();
    }
    ThrowIfError(status, context);
    // The documents are in and durable, so their decisions are returned;
    // a compaction that failed is only maintenance that did not happen.
    if (!compacted.ok()) {
      Warn(absl::StrCat("the index was not compacted: ", compacted.message()));
    }
    return LinesToArray(std::move(added.decisions));
  }

  py::bytes Query(py::handle texts, py::handle ids, const py::dict& options) {
    internal::BatchOptions batch;
    ReadBatchOptions("Index.query", options, &batch, nullptr);
    auto documents = ToDocuments(texts, ids, /*ids_required=*/true);
    internal::QueryBatchResult result;
    absl::Status status;
    uint64_t damaged = 0;
    {
      py::gil_scoped_release release;
      std::shared_lock<std::shared_mutex> lock(mu_);
      status = [&]() -> absl::Status {
        NEARDUP_RETURN_IF_ERROR(CheckOpen());
        NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Corpus> corpus,
                                 Corpus::FromDocuments(std::move(documents)));
        const uint64_t damaged_before = index_->stats().damaged_reads;
        result = internal::QueryCorpus(*index_, *corpus, batch);
        damaged = index_->stats().damaged_reads - damaged_before;
        return result.failure;
      }();
    }
    ThrowIfError(status, ErrorContext::kIndexData);
    // Queries treat a stored document whose data fails its checksum as
    // matching nothing; answers given around damage must not pass
    // unnoticed (the command line warns on stderr).
    if (damaged > 0) {
      Warn(absl::StrCat("damaged data in ", damaged,
                        " reads of stored documents; those documents matched "
                        "nothing. Run Index.verify() to locate the damage, and "
                        "restore the index from a backup"));
    }
    return LinesToArray(std::move(result.decisions));
  }

  uint64_t Remove(py::handle ids) {
    std::vector<std::string> list = ToUtf8List(ids, "ids", true);
    std::vector<std::string> locations(list.size());
    for (size_t i = 0; i < list.size(); ++i) locations[i] = Where("ids", i);
    absl::StatusOr<uint64_t> removed;
    ErrorContext context = ErrorContext::kIndexData;
    {
      py::gil_scoped_release release;
      std::shared_lock<std::shared_mutex> lock(mu_);
      removed = [&]() -> absl::StatusOr<uint64_t> {
        NEARDUP_RETURN_IF_ERROR(CheckOpen());
        NEARDUP_ASSIGN_OR_RETURN(uint64_t count,
                                 internal::RemoveIds(*index_, list, locations));
        context = ErrorContext::kIndexFile;
        NEARDUP_RETURN_IF_ERROR(index_->Sync());
        return count;
      }();
    }
    ThrowIfError(removed.status(), context);
    return *removed;
  }

  py::bytes Stats() {
    std::string out;
    absl::Status status = WithIndex([&](Index& index) {
      internal::AppendIndexStatsJson(index, &out);
      return absl::OkStatus();
    });
    ThrowIfError(status, ErrorContext::kIndexFile);
    return py::bytes(out);
  }

  void Verify() {
    ThrowIfError(WithIndex([](Index& index) { return index.Verify(); }),
                 ErrorContext::kIndexFile);
  }

  void Compact() {
    ThrowIfError(WithIndex([](Index& index) { return index.Compact(); }),
                 ErrorContext::kIndexFile);
  }

  bool Contains(py::handle id) {
    const std::string utf8 = ToUtf8(id, "id", kNoIndex, true);
    bool found = false;
    ThrowIfError(WithIndex([&](Index& index) {
                   found = index.Contains(utf8);
                   return absl::OkStatus();
                 }),
                 ErrorContext::kIndexFile);
    return found;
  }

  py::object ClusterOf(py::handle id) {
    const std::string utf8 = ToUtf8(id, "id", kNoIndex, true);
    absl::StatusOr<std::string> cluster;
    ThrowIfError(WithIndex([&](Index& index) {
                   cluster = index.ClusterOf(utf8);
                   return absl::OkStatus();
                 }),
                 ErrorContext::kIndexFile);
    if (!cluster.ok()) return py::none();
    return py::str(*cluster);
  }

  uint64_t Documents() {
    uint64_t documents = 0;
    ThrowIfError(WithIndex([&](Index& index) {
                   documents = index.stats().documents;
                   return absl::OkStatus();
                 }),
                 ErrorContext::kIndexFile);
    return documents;
  }

  py::dict Options() {
    IndexOptions o;
    ThrowIfError(WithIndex([&](Index& index) {
                   o = index.options();
                   return absl::OkStatus();
                 }),
                 ErrorContext::kIndexFile);
    py::dict d;
    d["threshold"] = o.threshold;
    d["containment"] = o.containment;
    d["ngram"] = o.ngram;
    d["num_perm"] = o.num_perm;
    d["normalize"] = std::string(NormalizeModeName(o.normalize));
    d["algorithm"] = std::string(SketchAlgorithmName(o.algorithm));
    d["bands"] = o.bands;
    d["rows"] = o.rows;
    d["seed"] = o.seed;
    d["boilerplate_df"] = o.boilerplate_df;
    d["min_weighted_jaccard"] = o.min_weighted_jaccard;
    return d;
  }

  // Releases the directory (and a writer's lock) once running calls end.
  void Close() {
    py::gil_scoped_release release;
    std::unique_lock<std::shared_mutex> lock(mu_);
    index_.reset();
  }

  bool closed() {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return index_ == nullptr;
  }
  bool read_only() const { return read_only_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  absl::Status CheckOpen() const {
    if (index_ == nullptr) return ClosedError();
    return absl::OkStatus();
  }

  template <typename Fn>
  absl::Status WithIndex(Fn&& fn) {
    py::gil_scoped_release release;
    std::shared_lock<std::shared_mutex> lock(mu_);
    NEARDUP_RETURN_IF_ERROR(CheckOpen());
    return fn(*index_);
  }

  static void ReadBatchOptions(const char* function, const py::dict& options,
                               internal::BatchOptions* batch,
                               double* compact_at_mb) {
    OptionReader reader(function, options);
    reader.Size("max_matches", &batch->max_matches);
    reader.Int("threads", &batch->threads);
    if (compact_at_mb != nullptr) {
      reader.Double("compact_at_mb", compact_at_mb);
      if (!(*compact_at_mb >= 0)) {
        throw py::value_error(absl::StrCat(
            "--compact-at-mb must be 0 (never) or more, got ", *compact_at_mb));
      }
    }
    reader.Finish();
    if (batch->threads < 0 || batch->threads > internal::kMaxThreads) {
      throw py::value_error(
          absl::StrCat("--threads must be between 0 (all "
                       "cores) and ",
                       internal::kMaxThreads, ", got ", batch->threads));
    }
  }

  // The errors AddCorpus would meet that can be known before writing: an id
  // the index refuses, and an id already indexed with another text. Ids the
  // index does not hold cost only the id check (a query of empty text);
  // held ids are queried with their text. Located as AddCorpus locates.
  absl::Status CheckAddable(const Corpus& corpus) const {
    TextScratch scratch;
    for (size_t i = 0; i < corpus.size(); ++i) {
      const absl::string_view id = corpus.Id(i);
      absl::string_view text;
      if (index_->Contains(id)) {
        NEARDUP_ASSIGN_OR_RETURN(text, corpus.Text(i, &scratch));
      }
      absl::StatusOr<Decision> decision = index_->Query(id, text, 0);
      if (!decision.ok()) {
        return absl::Status(decision.status().code(),
                            absl::StrCat(corpus.Location(i), ": ",
                                         decision.status().message()));
      }
    }
    return absl::OkStatus();
  }

  std::shared_mutex mu_;
  std::unique_ptr<Index> index_;
  bool read_only_;
  std::vector<std::string> warnings_;
};

}  // namespace
}  // namespace neardup::python

// At global scope: the macro defines the module's C entry point.
PYBIND11_MODULE(_neardup, m) {
  using namespace neardup;
  using namespace neardup::python;
  m.doc() =
      "The C++ core of the neardup package. Use the functions and classes "
      "of `neardup` itself; this module's functions return JSON text that "
      "`neardup` parses into Python objects.";
  m.attr("__version__") = NEARDUP_VERSION;
  m.attr("DEFAULT_SEED") = kDefaultSeed;
  m.attr("DEFAULT_MAX_MATCHES") = AddOptions{}.max_matches;
  m.attr("DEFAULT_COMPACT_AT_MB") = internal::kDefaultCompactAtMb;
  m.attr("MAX_THREADS") = internal::kMaxThreads;

  m.def("defaults", &Defaults, py::arg("kind"),
        "defaults(kind) -> dict\n\n"
        "The default of every keyword argument of `kind`: \"cluster\", "
        "\"passages\", \"index\" (Index.create) or \"sketcher\". They are "
        "the C++ library's own defaults, the command line's too.");
  m.def("cluster", &ClusterTexts, py::arg("texts"), py::arg("ids"),
        py::arg("options"),
        "cluster(texts, ids, options) -> (clusters_json, pairs_json, "
        "unique, stats)\n\n"
        "Runs `neardup cluster` on the texts. Clusters and pairs come back "
        "as JSON arrays of exactly the records the command line writes; "
        "`unique[i]` says whether document i is kept by --dedup. Releases "
        "the GIL while it works.");
  m.def("report", &ReportOfFiles, py::arg("inputs"), py::arg("options"),
        "report(inputs, options) -> (figures_json, page or None)\n\n"
        "Runs `neardup report` on the input files (JSON lines, plain, gzip "
        "or zstd): the figures as the JSON --json writes, and the HTML page "
        "unless options[\"html\"] is False. Releases the GIL while it "
        "works.");
  m.def("passages", &PassagesOfTexts, py::arg("texts"), py::arg("ids"),
        py::arg("options"),
        "passages(texts, ids, options) -> (repeats_json, stripped, stats)\n\n"
        "Runs `neardup passages` on the texts. `stripped` is None unless "
        "options has strip=True. Releases the GIL while it works.");

  py::class_<Sketcher>(m, "Sketcher",
                       "Sketcher(**options)\n\n"
                       "Normalises, shingles and sketches texts exactly as "
                       "`cluster` does with the same options.")
      .def(py::init([](const py::kwargs& options) {
             return Sketcher::Create(options);
           }),
           "Sketcher(**options): threshold, ngram, num_perm, normalize, "
           "algorithm, bands, rows, seed, threads (cluster's defaults).")
      .def("sketch", &Sketcher::Sketch, py::arg("texts"), py::kw_only(),
           py::arg("return_present") = false,
           "sketch(texts, *, return_present=False) -> numpy.ndarray\n\n"
           "MinHash signatures, a uint32 array of shape (len(texts), "
           "num_perm). A text with no shingles (empty after normalisation) "
           "has no signature: its row is all 0xFFFFFFFF, and with "
           "return_present=True the result is (signatures, present), "
           "present a bool array marking the rows that hold one. Releases "
           "the GIL.")
      .def("band_keys", &Sketcher::BandKeys, py::arg("signatures"),
           "band_keys(signatures) -> numpy.ndarray\n\n"
           "The LSH key of every band of every signature, a uint64 array of "
           "shape (documents, bands) (or (bands,) for one signature): two "
           "documents are candidates when they share a key in some band. "
           "The keys are those `cluster` buckets by (seeded per band), but "
           "not portable across byte orders. Releases the GIL.")
      .def("shingles", &Sketcher::Shingles, py::arg("text"),
           "shingles(text) -> numpy.ndarray\n\n"
           "The text's exact shingle set: sorted, distinct uint64 hashes of "
           "its normalised n-grams. Releases the GIL.")
      .def(
          "jaccard",
          [](const Sketcher& s, py::handle a, py::handle b) {
            return s.Compare(a, b).jaccard;
          },
          py::arg("a"), py::arg("b"),
          "jaccard(a, b) -> float\n\n"
          "Exact Jaccard similarity of the two texts' shingle sets, "
          "|A & B| / |A | B| (1 when both are empty), as `cluster` "
          "verifies pairs. Releases the GIL.")
      .def(
          "containment",
          [](const Sketcher& s, py::handle a, py::handle b) {
            return s.Compare(a, b).containment;
          },
          py::arg("a"), py::arg("b"),
          "containment(a, b) -> float\n\n"
          "Exact containment |A & B| / min(|A|, |B|) of the two texts' "
          "shingle sets (1 when the smaller is empty). Releases the GIL.")
      .def("compare_pairs", &Sketcher::ComparePairs, py::arg("texts_a"),
           py::arg("texts_b"), py::kw_only(), py::arg("return_lengths") = false,
           "compare_pairs(texts_a, texts_b, *, return_lengths=False) -> "
           "(jaccard, containment)\n\n"
           "Exact Jaccard and containment of texts_a[i] against texts_b[i] "
           "for every i, as float64 arrays, as `cluster` verifies pairs. "
           "With return_lengths=True also (length_a, length_b): each "
           "text's length in normalised code points, which keep=\"longest\" "
           "ranks by. A text object repeated across pairs is converted and "
           "shingled once per run of nearby pairs. Releases the GIL.")
      .def("screen_pairs", &Sketcher::ScreenPairs, py::arg("blocks"),
           py::arg("a"), py::arg("b"), py::arg("min_jaccard"),
           "screen_pairs(blocks, a, b, min_jaccard) -> numpy.ndarray\n\n"
           "For candidate pairs (a[i], b[i]), False where their signatures "
           "show, beyond a 1e-6 chance, that the pair is below min_jaccard: "
           "the screen `cluster` applies before exact verification. "
           "Signatures come in blocks (arrays as sketch() returns them) and "
           "a document is named block << 32 | row. Releases the GIL.")
      .def_property_readonly("num_perm", &Sketcher::num_perm,
                             "Slots per signature (columns of sketch()).")
      .def_property_readonly("bands", &Sketcher::bands,
                             "LSH bands (columns of band_keys()).")
      .def_property_readonly("rows", &Sketcher::rows,
                             "Signature slots per band.")
      .def_property_readonly("options", &Sketcher::Options,
                             "Every option, with bands and rows as chosen.")
      .def("__repr__",
           [](const Sketcher& s) {
             std::string text = "Sketcher(";
             bool first = true;
             for (auto item : s.Options()) {
               absl::StrAppend(&text, first ? "" : ", ",
                               py::str(item.first).cast<std::string>(), "=",
                               py::repr(item.second).cast<std::string>());
               first = false;
             }
             return text + ")";
           })
      .def(py::pickle(
          [](const Sketcher& s) { return s.Options(); },
          [](const py::dict& options) { return Sketcher::Create(options); }));

  m.def("build_clusters", &BuildClustersOfPairs, py::arg("a"), py::arg("b"),
        py::arg("lengths"), py::arg("linkage"), py::arg("keep"),
        "build_clusters(a, b, lengths, linkage, keep) -> (representatives, "
        "offsets, members)\n\n"
        "Clusters of the verified pairs (a[i], b[i]) over documents 0 to "
        "len(lengths) - 1, exactly as `cluster` forms them: linkage "
        "\"single\" or \"center\", keep \"first\" or \"longest\" "
        "(ranked by lengths). Cluster c holds "
        "members[offsets[c]:offsets[c + 1]], representative first, the rest "
        "in input order; clusters are in representative order. Releases the "
        "GIL.");
  m.def("pairs_jsonl", &PairsJsonLines, py::arg("ids"), py::arg("a"),
        py::arg("b"), py::arg("jaccard"), py::arg("containment"),
        py::arg("containment_link"),
        "pairs_jsonl(ids, a, b, jaccard, containment, containment_link) -> "
        "bytes\n\n"
        "The lines `neardup cluster --pairs` writes for pairs of documents "
        "named by index into ids (unique).");
  m.def("clusters_jsonl", &ClustersJsonLines, py::arg("ids"),
        py::arg("offsets"), py::arg("members"), py::arg("jaccard"),
        py::arg("containment"),
        "clusters_jsonl(ids, offsets, members, jaccard, containment) -> "
        "bytes\n\n"
        "The lines `neardup cluster --clusters` writes: cluster c holds "
        "members[offsets[c]:offsets[c + 1]] (indices into ids, "
        "representative first) with their similarities to the "
        "representative.");
  m.def("read_input", &ReadInputFile, py::arg("path"),
        "read_input(path) -> bytes\n\n"
        "A whole input file as `neardup cluster` reads it, gzip or zstd "
        "decompressed (recognised by magic bytes). FileNotFoundError, "
        "PermissionError, ValueError for corrupt data. Releases the GIL.");

  py::class_<PyIndex>(m, "Index",
                      "Index(path, read_only)\n\n"
                      "An open persistent index directory (`neardup "
                      "index`). Methods that take records return JSON "
                      "arrays of the decisions the command line prints.")
      .def(py::init<const std::string&, bool>(), py::arg("path"),
           py::arg("read_only"),
           "Opens the index at `path`; OSError when it is not one.")
      .def_static("create", &PyIndex::Create, py::arg("path"),
                  py::arg("options"),
                  "create(path, options) -> None\n\nMakes an index "
                  "directory with the given parameters (`neardup index "
                  "create`).")
      .def("add", &PyIndex::Add, py::arg("texts"), py::arg("ids"),
           py::arg("options"),
           "add(texts, ids, options) -> bytes\n\nAdds the documents and "
           "returns their decisions as a JSON array, once durable.")
      .def("query", &PyIndex::Query, py::arg("texts"), py::arg("ids"),
           py::arg("options"),
           "query(texts, ids, options) -> bytes\n\nThe decisions `add` "
           "would give, as a JSON array; adds nothing.")
      .def("remove", &PyIndex::Remove, py::arg("ids"),
           "remove(ids) -> int\n\nRemoves the documents (all or none) and "
           "returns how many were removed.")
      .def("stats", &PyIndex::Stats,
           "stats() -> bytes\n\n`neardup index stats` as a JSON object.")
      .def("verify", &PyIndex::Verify,
           "verify() -> None\n\nChecks every stored byte against its "
           "checksum; OSError naming the first damage.")
      .def("compact", &PyIndex::Compact,
           "compact() -> None\n\nWrites a snapshot and starts an empty log.")
      .def("contains", &PyIndex::Contains, py::arg("id"),
           "contains(id) -> bool\n\nWhether the id is indexed.")
      .def("cluster_of", &PyIndex::ClusterOf, py::arg("id"),
           "cluster_of(id) -> str | None\n\nThe cluster id of an indexed "
           "document, None when the id is not indexed.")
      .def("documents", &PyIndex::Documents,
           "documents() -> int\n\nLive documents in the index.")
      .def("options", &PyIndex::Options,
           "options() -> dict\n\nThe parameters fixed at creation.")
      .def("close", &PyIndex::Close,
           "close() -> None\n\nReleases the index; later calls raise "
           "ValueError.")
      .def_property_readonly("closed", &PyIndex::closed,
                             "Whether close() was called.")
      .def_property_readonly("read_only", &PyIndex::read_only,
                             "Whether the index was opened read-only.")
      .def_property_readonly("warnings", &PyIndex::warnings,
                             "What opening found and repaired (a torn log "
                             "tail, ...), one line each.");
}
