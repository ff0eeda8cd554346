// Dumps id \t fully normalised text (UTF-8) for every document.
#include <cstdio>
#include <string>

#include "neardup/corpus.h"
#include "neardup/normalize.h"

static void PutUtf8(char32_t c, std::string* s) {
  if (c < 0x80)
    s->push_back(char(c));
  else if (c < 0x800) {
    s->push_back(char(0xC0 | (c >> 6)));
    s->push_back(char(0x80 | (c & 63)));
  } else if (c < 0x10000) {
    s->push_back(char(0xE0 | (c >> 12)));
    s->push_back(char(0x80 | ((c >> 6) & 63)));
    s->push_back(char(0x80 | (c & 63)));
  } else {
    s->push_back(char(0xF0 | (c >> 18)));
    s->push_back(char(0x80 | ((c >> 12) & 63)));
    s->push_back(char(0x80 | ((c >> 6) & 63)));
    s->push_back(char(0x80 | (c & 63)));
  }
}
int main(int argc, char** argv) {
  neardup::InputOptions io;
  auto corpus = neardup::LoadCorpus({argv[1]}, io);
  if (!corpus.ok()) {
    fprintf(stderr, "%s\n", std::string(corpus.status().message()).c_str());
    return 1;
  }
  neardup::NormalizeOptions no;
  no.mode = argc > 2 && std::string(argv[2]) == "ws"
                ? neardup::NormalizeMode::kWhitespace
                : neardup::NormalizeMode::kFull;
  no.record_offsets = false;
  auto norm = neardup::Normalizer::Create(no);
  neardup::TextScratch scratch;
  neardup::NormalizedText out;
  std::string line;
  for (size_t i = 0; i < (*corpus)->size(); ++i) {
    auto text = (*corpus)->Text(i, &scratch);
    if (!text.ok()) return 1;
    norm->Normalize(*text, &out);
    {
      auto id = (*corpus)->Id(i);
      line.assign(id.data(), id.size());
    }
    line.push_back('\t');
    for (char32_t c : out.code_points) {
      if (c == '\t' || c == '\n') c = ' ';
      PutUtf8(c, &line);
    }
    line.push_back('\n');
    fwrite(line.data(), 1, line.size(), stdout);
  }
}
