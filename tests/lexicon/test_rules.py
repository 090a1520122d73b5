"""Every normalization rule: the variants it must catch, with offsets into the original text."""

from __future__ import annotations

from typing import Any

import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

PY = frozenset({"pinyin"})
LA2: dict[str, Any] = {"lookalike_two": True}
HOMO = frozenset({"homophone"})

# (id, keyword, modes, config overrides, text, expected [(start, end, rule that must be named)])
CASES: list[tuple[str, str, frozenset[str], dict[str, Any], str, list[tuple[int, int, str]]]] = [
    ("exact", "法轮功", frozenset(), {}, "他说法轮功好", [(2, 5, "exact")]),
    ("t2s", "台独", frozenset(), {}, "支持臺獨嗎", [(2, 4, "t2s")]),
    ("t2s-keyword-side", "臺獨", frozenset(), {}, "支持台独", [(2, 4, "t2s")]),
    ("t2s-phrase", "了解", frozenset(), {}, "請瞭解一下", [(1, 3, "t2s_phrase")]),
    ("fullwidth", "abc", frozenset(), {}, "看ａｂｃ了", [(1, 4, "nfkc")]),
    ("fullwidth-case", "sex", frozenset(), {}, "ＳＥＸ", [(0, 3, "case")]),
    ("case", "sex", frozenset(), {}, "a SeX b", [(2, 5, "case")]),
    ("numbers-circled", "六四", frozenset(), {}, "纪念⑥④", [(2, 4, "numbers")]),
    ("numbers-paren", "六四", frozenset(), {}, "纪念⑹⑷", [(2, 4, "numbers")]),
    ("numbers-financial", "六四", frozenset(), {}, "纪念陆肆", [(2, 4, "numbers")]),
    ("numbers-roman", "六四", frozenset(), {}, "纪念Ⅵ Ⅳ", [(2, 5, "numbers")]),
    ("numbers-ascii", "六四", frozenset(), {}, "纪念64", [(2, 4, "numbers")]),
    ("noise-space", "法轮功", frozenset(), {}, "法 轮 功", [(0, 5, "noise")]),
    ("noise-zero-width", "法轮功", frozenset(), {}, "x法\u200b轮\u200d功", [(1, 6, "noise")]),
    ("noise-emoji", "法轮功", frozenset(), {}, "法😀轮🎉功", [(0, 5, "noise")]),
    ("noise-variation", "法轮功", frozenset(), {}, "法\ufe0f轮\U000e0101功", [(0, 5, "noise")]),
    ("noise-punct", "法轮功", frozenset(), {}, "“法.轮*功”", [(1, 6, "noise")]),
    ("noise-gap-3", "法轮功", frozenset(), {}, "法...轮功", [(0, 6, "noise")]),
    ("noise-gap-too-long", "法轮功", frozenset(), {}, "法....轮功", []),
    ("noise-off", "法轮功", frozenset(), {"noise": False}, "法 轮 功", []),
    ("noise-number-mark", "恐怖袭击", frozenset(), {}, "提恐①怖①袭①击，", [(1, 8, "numbers")]),
    ("noise-number-mark-and-comma", "老虎机", frozenset(), {}, "老，虎⑴机", [(0, 5, "noise")]),
    ("noise-number-mark-two", "老虎机", frozenset(), {}, "老①②虎机", []),
    ("noise-number-numeral-stays", "老虎机", frozenset(), {}, "老一虎机", []),
    ("barrier-period", "法轮功", frozenset(), {}, "说法。轮功", []),
    ("repeat", "法轮功", frozenset(), {}, "法轮轮轮功", [(0, 5, "repeat")]),
    ("repeat-edges-tight", "法轮功", frozenset(), {}, "法法法轮功功", [(2, 5, "exact")]),
    ("repeat-too-long", "法轮功", frozenset(), {}, "法轮轮轮轮轮功", []),
    ("repeat-off", "法轮功", frozenset(), {"collapse_repeats": False}, "法轮轮功", []),
    ("repeat-keyword-double", "谢谢你", frozenset(), {}, "谢你 谢谢你", [(3, 6, "exact")]),
    ("pinyin", "法轮功", PY, {}, "练falungong的", [(1, 10, "pinyin")]),
    ("pinyin-spaced", "法轮功", PY, {}, "Fa Lun Gong", [(0, 11, "pinyin")]),
    ("pinyin-mixed", "法轮功", PY, {}, "法lun功", [(0, 5, "pinyin")]),
    ("pinyin-polyphone", "银行卡", PY, {}, "yinhangka", [(0, 9, "pinyin")]),
    ("initials", "法轮功", PY, {}, "flg 好", [(0, 3, "initials")]),
    ("initials-in-word", "法轮功", PY, {}, "selfless flgx", []),
    ("pinyin-by-default", "法轮功", frozenset(), {}, "falungong", [(0, 9, "pinyin")]),
    ("pinyin-default-off", "法轮功", frozenset(), {"pinyin_default": False}, "falungong", []),
    ("pinyin-nopinyin-mode", "法轮功", frozenset({"nopinyin"}), {}, "falungong", []),
    ("pinyin-exact-mode", "法轮功", frozenset({"exact"}), {}, "falungong", []),
    ("pinyin-single-char", "枪", frozenset(), {}, "qiang", []),
    (
        "pinyin-two-char-full",
        "毒品",
        frozenset(),
        {"pinyin_two": True},
        "dupin",
        [(0, 5, "pinyin")],
    ),
    ("pinyin-two-char-full-default", "毒品", frozenset(), {}, "有dupin吗", [(1, 6, "pinyin")]),
    ("pinyin-two-char-caps", "毒品", frozenset(), {}, "DU PIN", [(0, 6, "pinyin")]),
    ("pinyin-two-char-camel", "卖卵", frozenset(), {}, "【广告】MaiLuan，", [(4, 11, "pinyin")]),
    ("pinyin-two-char-proper-name", "北京", frozenset(), {}, "去Beijing出差", []),
    ("pinyin-two-char-person-name", "张伟", frozenset(), {}, "Zhang Wei 说", []),
    ("pinyin-two-char-passport-name", "张伟", frozenset(), {}, "ZHANG Wei", []),
    ("pinyin-two-char-lower-place", "北京", frozenset(), {}, "去beijing出差", [(1, 8, "pinyin")]),
    ("pinyin-two-char-one-syllable", "西安", frozenset(), {}, "xian在", []),
    ("pinyin-two-char-identifier", "冰毒", frozenset(), {}, "报 bingdu_scan 超时", []),
    ("pinyin-identifier-end", "冰毒", frozenset(), {}, "id: xiaoqi_bingdu", []),
    ("pinyin-mixed-initial", "曲马多", frozenset(), {}, "搞到q马多吗", [(2, 5, "pinyin")]),
    ("pinyin-mixed-initial-last", "公民信息", frozenset(), {}, "做公民信X的", [(1, 5, "pinyin")]),
    (
        "pinyin-mixed-initials-syllables",
        "恐怖袭击",
        frozenset(),
        {},
        "kongbu袭j",
        [(0, 8, "pinyin")],
    ),
    ("pinyin-mixed-initial-spaced", "外孙女", frozenset(), {}, "5 W 孙女", []),
    ("pinyin-two-char-initial-default", "毒品", frozenset(), {}, "出毒P，", []),
    (
        "pinyin-two-char-initial-library",
        "毒品",
        frozenset(),
        {"initials_two": True},
        "出毒P，",
        [(1, 3, "pinyin")],
    ),
    ("leet-symbols", "砍人", frozenset(), {}, "宣扬k@nr3n，", [(2, 8, "leet")]),
    ("leet-digits", "止咳水", frozenset(), {}, "到货2h1k35hu1，", [(2, 11, "leet")]),
    ("leet-mixed-case", "管制刀具", frozenset(), {}, "新到9u@n2h1d@0ju", [(2, 14, "pinyin")]),
    ("leet-off", "砍人", frozenset(), {"leet": False}, "宣扬k@nr3n，", []),
    ("leet-not-initials", "不知不觉", frozenset(), {}, "b2bj", []),
    ("leet-not-a-word", "毒品", frozenset(), {}, "mp3 dupinx", []),
    ("variant-ideograph", "裸聊", frozenset(), {}, "躶聊吗", [(0, 2, "t2s")]),
    ("variant-and-traditional", "电击器", frozenset(), {}, "電擊噐", [(0, 3, "t2s")]),
    ("xingjin-derived", "代开发票", frozenset(), {}, "伐开发票", [(0, 4, "lookalike")]),
    ("xingjin-derived-water", "洗钱工具", frozenset(), {}, "冼钱工具", [(0, 4, "lookalike")]),
    ("xingjin-variant-is-a-word", "不能自已", frozenset(), {}, "不能自己", []),
    (
        "pinyin-before-cjk-numeral",
        "出售银行卡",
        frozenset(),
        {},
        "卖ChuShouYinHangKa一套",
        [(1, 17, "pinyin")],
    ),
    ("pinyin-before-digit-is-a-word", "出售银行卡", frozenset(), {}, "卖ChuShouYinHangKa1", []),
    ("pinyin-two-char-full-marked", "毒品", frozenset({"pinyin"}), {}, "dupin", [(0, 5, "pinyin")]),
    ("pinyin-two-char-full-off", "毒品", frozenset(), {"pinyin_two": False}, "dupin", []),
    (
        "pinyin-two-char-tones",
        "毒品",
        frozenset(),
        {"pinyin_two": True},
        "DÚ PǏN",
        [(0, 6, "pinyin")],
    ),
    ("pinyin-two-char-inside-word", "毒品", frozenset(), {}, "dupinxyz", []),
    ("initials-two-char-default", "毒品", frozenset(), {}, "买DP", []),
    ("initials-two-char-full-width", "毒品", frozenset(), {}, "买ＤＰ", []),
    ("initials-two-char-circled", "色情", frozenset(), {}, "同城ⓢⓠ，", [(2, 4, "initials")]),
    ("initials-two-char-math", "代孕", frozenset(), {}, "推荐的𝐝𝐲，", [(3, 5, "initials")]),
    ("initials-two-char-half-styled", "代孕", frozenset(), {}, "推荐的d𝐲，", []),
    ("initials-two-char-mode", "毒品", frozenset({"initials"}), {}, "买DP", [(1, 3, "initials")]),
    (
        "initials-two-char-library",
        "毒品",
        frozenset(),
        {"initials_two": True},
        "买ⒹⓅ",
        [(1, 3, "initials")],
    ),
    # a numeral leading the keyword counts for initials (三唑仑 szl); one inside does not (byd)
    ("initials-numeral", "一夜情", frozenset(), {}, "yyq", [(0, 3, "initials")]),
    ("initials-numeral-lead", "三唑仑", frozenset(), {}, "S.Z.L", [(0, 5, "initials")]),
    ("initials-numeral-inside", "不一定", frozenset(), {}, "byd", []),
    ("initials-zh-whole", "炸金花", frozenset(), {}, "zhjh", [(0, 4, "initials")]),
    ("initials-sh-ch-whole", "户口查询", frozenset(), {}, "hkchx", [(0, 5, "initials")]),
    ("lettered-separator", "车主信息", frozenset(), {}, "C/Z/信/息", [(0, 7, "pinyin")]),
    ("lettered-space", "车主信息", frozenset(), {}, "C Z 信 息", []),
    ("two-mixed-slash", "牌九", frozenset(), {}, "牌/jiu", [(0, 5, "pinyin")]),
    ("two-lower-separator", "冰壶", frozenset(), {}, "b-壶", [(0, 3, "pinyin")]),
    ("two-mixed-toned-space", "洗码", frozenset(), {}, "洗 mǎ", [(0, 4, "pinyin")]),
    ("two-mixed-plain-space", "洗码", frozenset(), {}, "洗 ma", []),
    ("leet-joined", "改成绩", frozenset(), {}, "9a1-ch3n9-ji", [(0, 12, "leet")]),
    ("leet-space-joined", "押大小", frozenset(), {}, "y@ d@ xi@o", [(0, 10, "leet")]),
    ("lookalike-one-stroke", "户口查询", frozenset(), {}, "户口杳询", [(0, 4, "lookalike")]),
    ("lookalike-radical-swap", "持刀行凶", frozenset(), {}, "待刀行凶", [(0, 4, "lookalike")]),
    ("lookalike-two-none", "赌博", frozenset(), {}, "睹博", []),
    ("chaizi-typed", "贩毒", frozenset(), {}, "贝反毒", [(0, 3, "chaizi")]),
    ("chaizi-typed-three", "替考", frozenset(), {}, "夫夫日考", [(0, 4, "chaizi")]),
    ("t2s-japanese-form", "冰壶", frozenset(), {}, "氷壺", [(0, 2, "t2s")]),
    ("t2s-further-form", "枪管", frozenset(), {}, "鎗管", [(0, 2, "t2s")]),
    ("pinyin-u-umlaut-v", "绿色通道", frozenset(), {}, "LVSE TONGDAO", [(0, 12, "pinyin")]),
    ("pinyin-u-umlaut-u", "绿色通道", frozenset(), {}, "luse tongdao", [(0, 12, "pinyin")]),
    ("pinyin-u-umlaut-marked", "绿色通道", frozenset(), {}, "lǜsè tōngdào", [(0, 12, "pinyin")]),
    (
        "pinyin-tone-numbers",
        "毒品",
        frozenset(),
        {"pinyin_two": True},
        "买du2pin3吗",
        [(1, 8, "pinyin")],
    ),
    (
        "pinyin-tone-numbers-spaced",
        "法轮功",
        frozenset(),
        {},
        "FA3 LUN2 GONG1",
        [(0, 14, "pinyin")],
    ),
    ("pinyin-tone-numbers-not-pinyin", "毒品", frozenset(), {}, "mp3du2pin3", []),
    ("pinyin-tone-numbers-one-syllable", "毒品", frozenset(), {}, "du2pin", []),
    ("pinyin-numeral", "一夜情", frozenset(), {}, "yi ye qing", [(0, 10, "pinyin")]),
    ("pinyin-two-char-full-marked", "毒品", PY, {}, "dupin", [(0, 5, "pinyin")]),
    ("pinyin-two-char-mixed", "毒品", frozenset(), {}, "卖du品", [(1, 4, "pinyin")]),
    ("pinyin-two-char-mixed-spaced", "毒品", frozenset(), {}, "Du 品", []),
    ("pinyin-two-char-mixed-spaced-marked", "毒品", PY, {}, "Du 品", [(0, 4, "pinyin")]),
    ("chaizi", "法轮功", frozenset(), {}, "氵去轮功", [(0, 4, "chaizi")]),
    ("chaizi-spaced", "法轮功", frozenset(), {}, "氵 去轮功", [(0, 5, "chaizi")]),
    ("chaizi-two-char", "枪支", frozenset(), {}, "木仓支", [(0, 3, "chaizi")]),
    ("chaizi-two-char-spaced", "枪支", frozenset(), {}, "木仓 支", []),
    ("chaizi-off", "法轮功", frozenset(), {"chaizi": False}, "氵去轮功", []),
    ("lookalike-radical", "法轮功", frozenset(), {}, "法⻋仑功", [(0, 4, "lookalike")]),
    ("lookalike-cyrillic", "sex", frozenset(), {}, "ѕех", [(0, 3, "lookalike")]),
    ("lookalike-xingjin", "天安门", frozenset(), {}, "夭安门", [(0, 3, "lookalike")]),
    ("lookalike-xingjin-two-char", "己见", frozenset(), {}, "已见", []),
    ("lookalike-own-character", "知己", frozenset(), {}, "知己", [(0, 2, "exact")]),
    ("lookalike-off", "天安门", frozenset(), {"lookalike": False}, "夭安门", []),
    ("homophone", "法轮功", HOMO, {}, "发伦工", [(0, 3, "homophone")]),
    ("homophone-unmarked", "法轮功", frozenset(), {}, "发伦工", []),
    (
        "homophone-library",
        "法轮功",
        frozenset(),
        {"homophones_all": True},
        "发伦工",
        [(0, 3, "homophone")],
    ),
    (
        "homophone-library-opt-out",
        "法轮功",
        frozenset({"nohomophone"}),
        {"homophones_all": True},
        "发伦工",
        [],
    ),
    # a single line break between two Chinese characters is noise (join_lines, k23l) …
    ("line-break", "法轮功", frozenset(), {}, "法\n轮功", [(0, 4, "noise")]),
    ("line-break-crlf", "法轮功", frozenset(), {}, "法轮\r\n功", [(0, 5, "noise")]),
    # … in a keyword of three characters or more (two-character words meet across the lines of
    # titles and verse: 先⏎行)
    ("line-break-two-char", "撞库", frozenset(), {}, "说撞\n库在", []),
    # … a blank line, a line break beside a non-Chinese character, or join_lines off is not
    ("line-break-blank-line", "法轮功", frozenset(), {}, "法\n\n轮功", []),
    ("line-break-crlf-blank", "法轮功", frozenset(), {}, "法轮\r\n\r\n功", []),
    ("line-break-after-symbol", "法轮功", frozenset(), {}, "法.\n轮功", []),
    ("line-break-off", "法轮功", frozenset(), {"join_lines": False}, "法\n轮功", []),
    ("cross-lines", "法轮功", frozenset(), {"cross_lines": True}, "法\n轮功", [(0, 4, "noise")]),
    # k23l: katakana written for the ideograph they look like; the compatibility supplement
    ("kana-chi", "千术", frozenset(), {}, "チ术道具", [(0, 2, "lookalike")]),
    ("kana-long-vowel", "一条龙", frozenset(), {}, "去ー条龙", [(1, 4, "lookalike")]),
    ("small-capital-q", "抢庄", frozenset(), {}, "ǫɪᴀɴɢᴢʜᴜᴀɴɢ牛", [(0, 11, "lookalike")]),
    ("compat-supplement", "成人网站", frozenset(), {}, "\U0002f8b2人网站", [(0, 4, "nfkc")]),
    # k23l: a radical of a split written as its full character (扌 as 手, 忄 as 心) …
    ("chaizi-full-radical", "监控", frozenset(), {}, "手机监手空黑市", [(2, 5, "chaizi")]),
    ("chaizi-full-radical-3", "色情网站", frozenset(), {}, "色心青网站", [(0, 5, "chaizi")]),
    # … not where that character makes a word with the keyword's character before it
    ("chaizi-full-radical-word", "女优", frozenset(), {}, "女人尤其如此", []),
    # fix12: … nor where it makes a word with the character beside the span, in the text
    ("chaizi-full-radical-text-before", "份子", frozenset(), {}, "这是个人分子的问题", []),
    ("chaizi-full-radical-text-before-2", "认知", frozenset(), {}, "语言人知能力", []),
    ("chaizi-full-radical-alone", "份子", frozenset(), {}, "是人分子的问题", [(1, 4, "chaizi")]),
    ("chaizi-full-radical-text-after", "私刑", frozenset(), {}, "私开刀片", []),
    ("chaizi-full-radical-after-alone", "私刑", frozenset(), {}, "私开刀。", [(0, 3, "chaizi")]),
    # k23l: wide look-alikes (libraries up to 5,000 keywords): the phonetic kept from a typed
    # split (购 贝勾 / 构), a radical added (息/熄), two characters replaced (猫淮镜)
    ("lookalike-typed-right", "收购手机卡", frozenset(), {}, "像收构手机卡", [(1, 6, "lookalike")]),
    (
        "lookalike-radical-added",
        "出售个人信息",
        frozenset(),
        {},
        "出售个人信熄",
        [(0, 6, "lookalike")],
    ),
    ("lookalike-two-swaps", "瞄准镜", frozenset(), {}, "猫淮镜加消音", [(0, 3, "lookalike")]),
    # two-character look-alike forms only with lookalike_two, unbroken, not straddling two words
    ("lookalike-two-char-off", "赌档", frozenset(), {}, "他在睹档输光了", []),
    (
        "lookalike-two-char",
        "赌档",
        frozenset(),
        {"lookalike_two": True},
        "在睹档输",
        [(1, 3, "lookalike")],
    ),
    ("lookalike-two-char-broken", "赌档", frozenset(), {"lookalike_two": True}, "在睹.档输", []),
    ("lookalike-two-char-straddle", "赌博", frozenset(), {"lookalike_two": True}, "亲睹博得", []),
    # jieba's dictionary: a straddled word of four characters, one in traditional characters, a
    # form that is a piece of a word (麻姑 of 麻姑献寿); a symbol between the two characters
    ("lookalike-two-long-word", "快三", frozenset(), LA2, "迟疑不决三夫之言", []),
    ("lookalike-two-traditional", "军火", frozenset(), LA2, "三軍六師", []),
    ("lookalike-two-word-part", "麻古", frozenset(), LA2, "麻姑壇", []),
    ("lookalike-two-alone", "麻古", frozenset(), LA2, "出麻右，一板", [(1, 3, "lookalike")]),
    ("lookalike-two-symbol", "代孕", frozenset(), LA2, "伐❤孕渠道", [(0, 3, "lookalike")]),
    ("lookalike-two-space", "代孕", frozenset(), LA2, "伐 孕渠道", []),
    # a comma at one place of an otherwise unbroken keyword ends a clause (打老虎，机会)
    ("noise-clause-comma", "老虎机", frozenset(), {}, "打老虎，机会来了", []),
    ("noise-comma-every-place", "老虎机", frozenset(), {}, "网上老、虎、机", [(2, 7, "noise")]),
    ("noise-one-semicolon", "代提公积金", frozenset(), {}, "代；提公积金？", [(0, 6, "noise")]),
    # a numeral of the keyword kept as written in a homophone form (number folding made it "3")
    ("homophone-gap-numeral", "快三", frozenset(), {}, "筷*三稳赚", [(0, 3, "homophone")]),
    ("homophone-gap-numeral-3", "六合彩", frozenset(), {}, "买六.和.彩的", [(1, 6, "homophone")]),
    # a mixed pinyin form with a character it keeps written split (libraries of up to 5,000)
    ("pinyin-mixed-split", "汽油弹", frozenset(), {}, "卖汽you弓单？", [(1, 7, "pinyin")]),
    ("pinyin-mixed-split-two", "水军", frozenset(), {}, "别当shui冖车，", [(2, 8, "pinyin")]),
    # initials before a hyphen and a digit are a model or serial number
    ("initials-model-number", "百家乐", frozenset(), {}, "新款 BJL-300 空气", []),
    ("initials-before-comma", "百家乐", frozenset(), {}, "出BJL，稳赚", [(1, 4, "initials")]),
    ("ascii-inside-word", "sex", frozenset(), {}, "Essex sextant", []),
    ("ascii-whole-word", "sex", frozenset(), {}, "Essex sex.", [(6, 9, "exact")]),
    ("ascii-next-to-cjk", "sex", frozenset(), {}, "看sex片", [(1, 4, "exact")]),
    (
        "ascii-boundary-off",
        "sex",
        frozenset(),
        {"ascii_word_boundary": False},
        "Essex",
        [(2, 5, "exact")],
    ),
    ("mixed-keyword", "习jp", frozenset(), {}, "骂习ＪＰ的", [(1, 4, "nfkc")]),
    ("mixed-keyword-in-word", "习jp", frozenset(), {}, "习jpg", []),
    ("combined", "台独", frozenset(), {}, "臺 🇹🇼獨獨", [(0, 5, "t2s")]),
    ("nfkc-off", "abc", frozenset(), {"nfkc": False, "casefold": False}, "ａｂｃ", []),
    ("t2s-off", "台独", frozenset(), {"t2s": False}, "臺獨", []),
    ("numbers-off", "六四", frozenset(), {"numbers": False}, "陆肆", []),
]


@pytest.mark.parametrize(
    ("keyword", "modes", "cfg", "text", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rule(
    backend: str,
    keyword: str,
    modes: frozenset[str],
    cfg: dict[str, Any],
    text: str,
    expected: list[tuple[int, int, str]],
) -> None:
    lex = Lexicon.from_entries(
        [KeywordEntry(keyword, "A1a", modes)], LexiconConfig(matcher=backend, **cfg)
    )
    hits = lex.scan(text)
    assert [(h.start, h.end) for h in hits] == [(s, e) for s, e, _ in expected], hits
    for h, (s, e, rule) in zip(hits, expected, strict=True):
        assert h.text == text[s:e]
        assert h.keyword == keyword and h.risk == "A1a"
        assert rule in h.rules, h.rules
        if rule == "exact":
            assert h.rules == ("exact",)


def test_exact_mode_keyword_ignores_evasions(backend: str) -> None:
    lex = Lexicon.from_entries(
        [KeywordEntry("法轮功", "A1a", frozenset({"exact"}))], LexiconConfig(matcher=backend)
    )
    assert [h.text for h in lex.scan("法轮功 法 轮 功 法輪功")] == ["法轮功"]


def test_allow_list_suppresses_hits_inside_allowed_words(backend: str) -> None:
    lex = Lexicon.from_entries([("大法", "A1h")], LexiconConfig(matcher=backend), allow=["大法官"])
    assert lex.scan("大法官判决") == []
    assert [(h.start, h.end) for h in lex.scan("大法官说宣扬大法")] == [(6, 8)]
    # an allow word folded like the text: traditional and spaced spellings are allowed too
    assert lex.scan("大 法 官") == []


def test_leftmost_longest_and_overlapping(backend: str) -> None:
    entries = [("法轮", "A1a"), ("法轮功", "A1a"), ("轮功", "A1b")]
    ll = Lexicon.from_entries(entries, LexiconConfig(matcher=backend))
    assert [h.keyword for h in ll.scan("法轮功")] == ["法轮功"]
    ov = Lexicon.from_entries(entries, LexiconConfig(matcher=backend, match="overlapping"))
    got = sorted((h.start, h.end, h.keyword) for h in ov.scan("法轮功"))
    assert got == [(0, 2, "法轮"), (0, 3, "法轮功"), (1, 3, "轮功")]
    # the call overrides the configured match either way, in streams too
    assert sorted((h.start, h.end) for h in ll.scan("法轮功", overlapping=True)) == got_spans(got)
    assert [h.keyword for h in ov.scan("法轮功", overlapping=False)] == ["法轮功"]
    hits, pending = ll.scan_stream("法轮功。", overlapping=True)
    assert sorted(h.keyword for h in hits) == ["法轮", "法轮功", "轮功"] and pending == 4
    assert [h.keyword for h in ll.scan_stream("法轮功。")[0]] == ["法轮功"]


def got_spans(got: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in got]


def test_same_keyword_two_risks_reports_both(backend: str) -> None:
    lex = Lexicon.from_entries([("台独", "A1c"), ("台独", "A1b")], LexiconConfig(matcher=backend))
    assert sorted(h.risk for h in lex.scan("反对台独")) == ["A1b", "A1c"]


def test_surrogates_and_astral_offsets(backend: str) -> None:
    lex = Lexicon.from_entries([("法轮功", "A1a")], LexiconConfig(matcher=backend))
    text = "𠀀😀\ud800法轮功"
    [h] = lex.scan(text)
    assert (h.start, h.end, h.text) == (3, 6, "法轮功")


def test_keyword_with_a_lone_surrogate_builds_in_full_mode(backend: str) -> None:
    """OpenCC reads UTF-8: a broken UTF-16 pair in a keyword must not stop the build."""
    lex = Lexicon.from_entries(
        [("违禁\ud800词", "A1a"), ("臺獨", "A1c")], LexiconConfig(matcher=backend)
    )
    assert [h.keyword for h in lex.scan("这是违禁\ud800词")] == ["违禁\ud800词"]
    # traditional/simplified folding still works for the other keywords of the library
    assert [h.keyword for h in lex.scan("反对台独")] == ["臺獨"]
