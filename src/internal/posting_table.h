// A multimap from keys to document numbers, for the index's containment
// tables: which documents hold a sampled shingle, or a passage band key.
//
// Most keys belong to one document (a shingle sampled from one article), so
// a key with one document stores it in the hash table's value itself, and
// only keys with two or more own a list: about 14 bytes a key instead of
// the 70 of a map to vectors, which at a million documents is the
// difference between 3 and 15 GB.
//
// Example:
//
//   internal::PostingTable<uint32_t> table;
//   table.Add(key, 7);
//   table.Add(key, 9);  // Documents arrive in increasing order per key.
//   for (uint32_t doc : table.Find(key)) ...  // 7, then 9.
//
// Not thread-safe for writes; const methods may run concurrently.
#ifndef NEARDUP_SRC_INTERNAL_POSTING_TABLE_H_
#define NEARDUP_SRC_INTERNAL_POSTING_TABLE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace neardup::internal {

template <typename Key>
class PostingTable {
 public:
  // Documents must be below kMaxDocument.
  static constexpr uint32_t kMaxDocument = uint32_t{1} << 31;

  // Appends `doc` to the key's documents; a repeat of the newest is
  // ignored. `doc` is never older than the key's newest.
  void Add(Key key, uint32_t doc) {
    auto [it, inserted] = map_.try_emplace(key, doc);
    if (inserted) return;
    uint32_t& value = it->second;
    if (!(value & kList)) {
      if (value == doc) return;
      const uint32_t list = NewList();
      lists_[list] = {value, doc};
      value = kList | list;
      return;
    }
    std::vector<uint32_t>& docs = lists_[value & ~kList];
    if (docs.back() != doc) docs.push_back(doc);
  }

  // Drops `doc` from the key's documents, if there.
  void Remove(Key key, uint32_t doc) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    uint32_t& value = it->second;
    if (!(value & kList)) {
      if (value == doc) map_.erase(it);
      return;
    }
    const uint32_t list = value & ~kList;
    std::vector<uint32_t>& docs = lists_[list];
    auto at = std::lower_bound(docs.begin(), docs.end(), doc);
    if (at == docs.end() || *at != doc) return;
    docs.erase(at);
    if (docs.size() == 1) {
      value = docs[0];
      std::vector<uint32_t>().swap(docs);
      free_.push_back(list);
    }
  }

  // How many documents the key has.
  size_t Count(Key key) const {
    auto it = map_.find(key);
    if (it == map_.end()) return 0;
    return it->second & kList ? lists_[it->second & ~kList].size() : 1;
  }

  // The key's documents, oldest first (none for an unknown key). Valid
  // until the next change.
  struct Docs {
    const uint32_t* data = nullptr;
    size_t size = 0;
    const uint32_t* begin() const { return data; }
    const uint32_t* end() const { return data + size; }
  };
  Docs Find(Key key) const {
    auto it = map_.find(key);
    if (it == map_.end()) return {};
    if (!(it->second & kList)) return {&it->second, 1};
    const std::vector<uint32_t>& docs = lists_[it->second & ~kList];
    return {docs.data(), docs.size()};
  }

  // Starts loading the key's slot into the cache: a table of millions of
  // keys misses on every lookup, and a run of lookups can overlap them.
  void Prefetch(Key key) const { map_.prefetch(key); }

  size_t keys() const { return map_.size(); }

 private:
  static constexpr uint32_t kList = uint32_t{1} << 31;

  uint32_t NewList() {
    if (!free_.empty()) {
      const uint32_t list = free_.back();
      free_.pop_back();
      return list;
    }
    lists_.emplace_back();
    return static_cast<uint32_t>(lists_.size() - 1);
  }

  absl::flat_hash_map<Key, uint32_t> map_;
  std::vector<std::vector<uint32_t>> lists_;
  std::vector<uint32_t> free_;  // Lists no key uses.
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_POSTING_TABLE_H_
