#include "src/internal/result_json.h"

#include <sys/stat.h>

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/internal/json_writer.h"

namespace neardup::internal {
namespace {

void AppendPassageRef(const Corpus& corpus, const PassageRef& ref,
                      std::string* out) {
  out->append("\"id\":");
  AppendJsonString(corpus.Id(ref.document), out);
  out->append(",\"start\":");
  AppendUint(ref.span.begin, out);
  out->append(",\"end\":");
  AppendUint(ref.span.end, out);
}

// 0 when the file is missing: a never-compacted index has no snapshot.
uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

void AppendClusterJson(const Corpus& corpus, const ClusterResult& cluster,
                       std::string* out) {
  out->append("{\"cluster\":");
  AppendJsonString(corpus.Id(cluster.representative), out);
  out->append(",\"size\":");
  AppendUint(cluster.members.size(), out);
  out->append(",\"members\":[");
  for (size_t i = 0; i < cluster.members.size(); ++i) {
    const ClusterMember& m = cluster.members[i];
    if (i > 0) out->push_back(',');
    out->append("{\"id\":");
    AppendJsonString(corpus.Id(m.document), out);
    out->append(",\"jaccard\":");
    AppendSimilarity(m.jaccard, out);
    out->append(",\"containment\":");
    AppendSimilarity(m.containment, out);
    out->push_back('}');
  }
  out->append("]}\n");
}

void AppendPairJson(const Corpus& corpus, const ScoredPair& pair, PairLink link,
                    std::string* out, double weighted) {
  out->append("{\"a\":");
  AppendJsonString(corpus.Id(pair.a), out);
  out->append(",\"b\":");
  AppendJsonString(corpus.Id(pair.b), out);
  out->append(",\"jaccard\":");
  AppendSimilarity(pair.jaccard, out);
  out->append(",\"containment\":");
  AppendSimilarity(pair.containment, out);
  if (weighted >= 0) {
    out->append(",\"weighted_jaccard\":");
    AppendSimilarity(weighted, out);
  }
  if (link == PairLink::kContainment) {
    out->append(",\"link\":\"containment\"");
  }
  out->append("}\n");
}

void AppendRepeatJson(const Corpus& corpus, const RepeatedPassage& repeat,
                      std::string* out) {
  out->push_back('{');
  AppendPassageRef(corpus, repeat.passage, out);
  out->append(",\"original\":{");
  AppendPassageRef(corpus, repeat.original, out);
  out->append("},\"jaccard\":");
  AppendSimilarity(repeat.jaccard, out);
  out->append(",\"internal\":");
  out->append(repeat.internal() ? "true" : "false");
  out->append("}\n");
}

void AppendIndexStatsJson(const Index& index, std::string* out) {
  const IndexStats s = index.stats();
  const IndexOptions& o = index.options();
  const std::string& dir = index.directory();
  const uint64_t disk = FileSize(dir + "/meta") + FileSize(dir + "/log") +
                        FileSize(dir + "/snapshot");
  out->append("{\"directory\":");
  AppendJsonString(dir, out);
  absl::StrAppend(out, ",\"format_version\":", s.format_version,
                  ",\"documents\":", s.documents, ",\"removed\":", s.removed,
                  ",\"clusters\":", s.clusters,
                  ",\"clusters_of_two_or_more\":", s.clusters_of_two_or_more,
                  ",\"bytes_on_disk\":", disk,
                  ",\"snapshot_bytes\":", s.snapshot_bytes,
                  ",\"log_bytes\":", s.log_bytes);
  absl::StrAppend(
      out, absl::StrFormat(
               ",\"parameters\":{\"threshold\":%g,\"containment\":%g,"
               "\"ngram\":%d,\"num_perm\":%d,"
               "\"normalize\":\"%s\",\"normalization_version\":%d,"
               "\"algorithm\":\"%s\",\"seed\":%u,\"bands\":%d,\"rows\":%d,"
               "\"boilerplate_df\":%u,\"min_weighted_jaccard\":%g}}\n",
               o.threshold, o.containment, o.ngram, o.num_perm,
               NormalizeModeName(o.normalize), kNormalizationVersion,
               SketchAlgorithmName(o.algorithm), o.seed, o.bands, o.rows,
               o.boilerplate_df, o.min_weighted_jaccard));
}

}  // namespace neardup::internal
