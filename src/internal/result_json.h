// JSON records of batch results, shared by the command-line tool and the
// Python module so that both give exactly the same records: the same keys,
// the same escaping, similarities rounded the same way (AppendSimilarity).
// Each function appends one record and its newline.
#ifndef NEARDUP_SRC_INTERNAL_RESULT_JSON_H_
#define NEARDUP_SRC_INTERNAL_RESULT_JSON_H_

#include <string>

#include "neardup/corpus.h"
#include "neardup/index.h"
#include "neardup/passage.h"
#include "neardup/pipeline.h"

namespace neardup::internal {

// {"cluster":ID,"size":N,"members":[{"id":ID,"jaccard":J,
// "containment":C},...]}
void AppendClusterJson(const Corpus& corpus, const ClusterResult& cluster,
                       std::string* out);

// {"a":ID,"b":ID,"jaccard":J,"containment":C}, plus "link":"containment"
// for a pair linked by containment alone.
// With `weighted` >= 0 (PipelineOptions::boilerplate_df), also
// "weighted_jaccard":W.
void AppendPairJson(const Corpus& corpus, const ScoredPair& pair, PairLink link,
                    std::string* out, double weighted = -1);

// {"id":ID,"start":S,"end":E,"original":{"id":ID,"start":S0,"end":E0},
// "jaccard":J,"internal":true|false}
void AppendRepeatJson(const Corpus& corpus, const RepeatedPassage& repeat,
                      std::string* out);

// `neardup index stats`: {"directory":DIR,"format_version":V,"documents":N,
// ...,"parameters":{...}}. Bytes on disk are those of the index's files now.
void AppendIndexStatsJson(const Index& index, std::string* out);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_RESULT_JSON_H_
