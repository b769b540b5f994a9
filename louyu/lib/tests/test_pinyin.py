from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from louyu.lib.pinyin import initials, pinyin_sort_key, search_names, search_terms, spelling

COMPANY_CHARACTERS = "杭州华信达通恒泰科技网络贸易咨询投资管理有限公司银行重庆长乐AB 1·"


def _expected(names):
    """What `search_names` must give, built with pypinyin's lazy_pinyin name by name."""
    tokens = []
    for name in (n.strip() for n in names):
        if not name:
            continue
        for token in (
            "".join("".join(lazy_pinyin(name)).split()).lower(),
            "".join("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).split()).lower(),
            "".join(name.split()).lower(),
        ):
            if token and token not in tokens:
                tokens.append(token)
    return " ".join(tokens)


class PinyinTests:
    def test_it_spells_and_abbreviates_a_building_name(self):
        assert spelling("坤和中心") == "kunhezhongxin"
        assert initials("坤和中心") == "khzx"

    def test_it_puts_the_first_names_spelling_first_and_keeps_every_name(self):
        text = search_names("坤和中心", "坤和大厦", "坤和中心")
        assert text.split()[0] == "kunhezhongxin"
        for token in ("khzx", "坤和中心", "kunhedasha", "khds", "坤和大厦"):
            assert token in text.split()
        assert text.split().count("坤和中心") == 1

    def test_it_lowercases_latin_and_drops_spaces(self):
        assert search_names("ABC 大厦") == "abcdasha abcds abc大厦"

    def test_it_finds_a_building_by_any_partial_form(self):
        text = search_names("坤和中心")
        for query in ("khzx", "kunhe", "坤和", "KunHe", "zhongxin"):
            assert all(term in text for term in search_terms(query)), query
        assert not all(term in text for term in search_terms("wjm"))

    def test_it_sorts_by_pinyin_not_code_point(self):
        names = ["中国银行", "阿里中心", "坤和中心"]
        assert sorted(names, key=pinyin_sort_key) == ["阿里中心", "坤和中心", "中国银行"]
        assert pinyin_sort_key("中国银行") == "zhong guo yin hang"

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.text(alphabet="坤和中心银行重庆长乐ABC abc12 　·", max_size=12), max_size=3))
    def test_it_matches_pypinyins_plain_conversion(self, names):
        """The cached, segment-once conversion gives what lazy_pinyin gives name by name."""
        assert search_names(*names) == _expected(names)

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.text(alphabet=COMPANY_CHARACTERS, max_size=16),
            max_size=3,
        )
    )
    @example(["心长乐"])  # 心长 is a prefix of a phrase, not a phrase: 心 / 长乐
    def test_it_matches_pypinyin_on_company_names(self, names):
        """The suffix-cached segmentation cuts names exactly as pypinyin's mmseg does."""
        assert search_names(*names) == _expected(names)


COMPANY_NAMES = [
    "杭州坤和科技有限公司",
    "重庆长乐银行有限公司",
    "杭州华信达网络科技有限公司",
    "浙江恒泰贸易有限公司",
    "杭州通达咨询有限公司",
    "杭州银泰投资管理有限公司",
    "ABC 大厦",
]


class SpelledAheadTests:
    """`spelled_ahead`: a worker process spells an import's names while the import goes on."""

    def test_names_come_from_the_worker_and_equal_the_names_spelled_here(self, monkeypatch):
        from louyu.lib import pinyin

        monkeypatch.setattr(pinyin, "AHEAD_CHUNK", 2)
        expected = {name: search_names(name) for name in COMPANY_NAMES}
        with pinyin.spelled_ahead(COMPANY_NAMES):
            ahead = pinyin._ahead.get()
            assert ahead is not None and ahead.futures  # spelling in the worker
            assert {name: search_names(name) for name in COMPANY_NAMES} == expected
            assert set(ahead.done) == set(COMPANY_NAMES)  # …and every answer came from it
            # A name it was not given, or several names, are spelled here.
            assert search_names("坤和中心") == "kunhezhongxin khzx 坤和中心"
            assert search_names(COMPANY_NAMES[0], "坤和") == _expected([COMPANY_NAMES[0], "坤和"])
        assert pinyin._ahead.get() is None

    def test_the_worker_can_be_started_before_the_names_are_known(self, monkeypatch):
        from louyu.lib import pinyin

        monkeypatch.setattr(pinyin, "AHEAD_CHUNK", 2)
        monkeypatch.setattr(pinyin, "_pool", None)
        pinyin.start_worker()
        pool = pinyin._pool
        try:
            assert pool is not None and len(pool._processes) == 1  # started, not waited for
            pinyin.start_worker()  # running already: nothing more
            assert pinyin._pool is pool and len(pool._processes) == 1
            with pinyin.spelled_ahead(COMPANY_NAMES):
                assert search_names(COMPANY_NAMES[0]) == _expected([COMPANY_NAMES[0]])
                assert pinyin._ahead.get().done  # from the worker started before
        finally:
            pool.shutdown()

    def test_few_names_are_spelled_here(self, monkeypatch):
        from louyu.lib import pinyin

        monkeypatch.setattr(pinyin, "AHEAD_CHUNK", 4)
        with pinyin.spelled_ahead(COMPANY_NAMES):  # fewer than two chunks
            assert pinyin._ahead.get() is None
            assert search_names(COMPANY_NAMES[1]) == _expected([COMPANY_NAMES[1]])

    def test_a_worker_that_dies_leaves_the_names_to_this_process(self, monkeypatch):
        from louyu.lib import pinyin

        monkeypatch.setattr(pinyin, "AHEAD_CHUNK", 2)
        monkeypatch.setattr(pinyin, "_pool", None)
        pinyin.start_worker()
        pool = pinyin._pool
        assert pool is not None
        # Killed before it is given the names (killed later, it may have spelled them all).
        for process in list(pool._processes.values()):
            process.kill()
            process.join()
        with pinyin.spelled_ahead(["杭州测试科技有限公司"] * 3 + COMPANY_NAMES):
            assert search_names(COMPANY_NAMES[-1]) == _expected([COMPANY_NAMES[-1]])
            assert pinyin._pool is None  # a new worker is started next time
        with pinyin.spelled_ahead(COMPANY_NAMES):
            assert search_names(COMPANY_NAMES[2]) == _expected([COMPANY_NAMES[2]])
            assert pinyin._pool is not None and pinyin._pool is not pool
