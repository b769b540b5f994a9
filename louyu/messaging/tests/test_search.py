from louyu.messaging.search import index_tokens, query_terms, query_tokens


class IndexTokensTests:
    def test_it_stores_jieba_words_characters_and_pairs(self):
        tokens = index_tokens("党群服务中心 Wi-Fi").split()
        assert {"党群", "服务", "中心", "服务中心"} <= set(tokens)
        assert {"党", "群", "心", "群服", "务中"} <= set(tokens)
        assert {"wi", "fi"} <= set(tokens)
        assert len(tokens) == len(set(tokens))

    def test_it_is_empty_for_empty_text(self):
        assert index_tokens("") == ""


class QueryTokensTests:
    def test_it_turns_each_term_into_pairs_or_a_character(self):
        assert query_tokens("上海东边") == ["上海", "海东", "东边"]
        assert query_tokens("海") == ["海"]
        assert query_tokens("党群 WiFi") == ["党群", "wifi"]

    def test_every_query_token_of_a_substring_is_in_the_index(self):
        text = "我家在上海东边，常去党群服务中心"
        index = set(index_tokens(text).split())
        for i in range(len(text)):
            for j in range(i + 1, min(len(text), i + 6) + 1):
                assert set(query_tokens(text[i:j])) <= index, text[i:j]

    def test_it_caps_the_number_of_terms(self):
        assert len(query_terms(" ".join("abcdefghijk"))) == 8
