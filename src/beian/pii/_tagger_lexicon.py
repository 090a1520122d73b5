"""Word cues of the name/address tagger (issue 23, round p23w): multi-character words that often
stand beside a name or inside an address, and the administrative divisions (GB/T 2260), found in
a text with one Aho-Corasick pass (leftmost longest).

Both the reference features (:class:`~._tagger_features.Featurizer`) and the fast rows
(:class:`~._tagger_fast.FastIds`) read the same matches from :func:`cue_words`, so the two
paths cannot disagree about where a word is.
"""

from __future__ import annotations

import re
from functools import lru_cache

import ahocorasick_rs

from beian.pii._regions import admin_names

__all__ = ["CUE_WORDS", "WORD_CLASSES", "cue_words"]

# The class letter of each group of cue words (column x of the features: the first character of
# a word takes the upper-case letter, the others the lower-case one).
# T titles and roles said after a name (张老师, 王经理); L labels and roles said before one
# (联系人：, 经办人); K relatives and people one knows (儿子, 同事); V verbs that take a person
# (通知, 交给, 感谢); O organisations (a name inside one is seldom a person's); A address words
# (小区, 大厦, 交叉口); D administrative divisions with their suffix (朝阳区, 杭州市; GB/T 2260
# through python-stdnum); Z the same without the suffix (朝阳, 杭州), often an everyday word.
CUE_WORDS: dict[str, str] = {  # class letter -> its words, separated by spaces
    "T": (
        "老师 先生 女士 小姐 经理 师傅 师父 主任 医生 大夫 同学 律师 警官 教授 阿姨 大爷 大妈 叔叔"
        " 局长 处长 科长 所长 院长 校长 书记 队长 护士 老板 主管 助理 总监 会计 厂长 村长 组长"
        " 班长 站长 店长 部长 总经理 董事长 教练 工程师 同志 老总 总裁 主席 委员 专员 干事 法官"
        " 检察官 民警 辅警 社工 网格员 管家 掌柜 大姐 大哥 大叔 大婶 奶奶 爷爷 姐姐 哥哥 女儿"
        " 药师 医师 公证员 老汉 老伯 老太 大娘 阿婆 阿公 师兄 师姐 师妹 师弟 主播 博士 硕士"
    ),
    "L": (
        "联系人 收件人 收货人 寄件人 经办人 负责人 申请人 姓名 签名 签字 委托人 代理人 当事人"
        " 法定代表人 被告人 被告 原告 上诉人 被上诉人 申请人 被申请人 第三人 患者 客户 学员 家长"
        " 业主 租客 房东 承租人 出租人 甲方 乙方 担保人 介绍人 见证人 证人 受理人 审核人 记录人"
        " 登记人 值班人 报案人 举报人 投诉人 收款人 付款人 户主 监护人 紧急联系人 配偶 司机 骑手"
        " 快递员 跟进人 对接人 接待人 主治医师 操作员 开单人 制单人 复核人 审批人 发起人 责任人"
        " 签收人 取件人 领取人 捐赠人 借款人 出借人 买方 卖方 买受人 出卖人 法人 户名 开户名"
        " 持卡人 账户名 昵称 称呼 本人 署名 落款 主讲人 讲师 主持人 作者 通讯作者 导师 班主任"
        " 辅导员 驾驶员 乘客 住户 租户 访客 来访人 陪同人 代办人 受托人 经纪人 销售 顾问 客服"
        " 工号 员工 职工 成员 队员 选手 参赛者 报名人 填表人 联系方式"
        " 复核 审核 审批 统计人 报账员 采集员 信息采集员 审方药师 调配 操作人 交接人 接收人"
        " 核对人 检验员 维修员 维保人员 安全员 质检员 业务员 收银员 导购 店员 管理员 联络人"
    ),
    "K": (
        "爸爸 妈妈 父亲 母亲 老公 老婆 丈夫 妻子 爱人 儿子 弟弟 妹妹 外公 外婆 姥姥 姥爷"
        " 舅舅 姑姑 姨妈 婶婶 侄子 侄女 孙子 孙女 外孙 女婿 儿媳 岳父 岳母 公公 婆婆 同事"
        " 朋友 邻居 室友 闺蜜 兄弟 表哥 表姐 表弟 表妹 堂哥 堂姐 亲戚 老乡 同桌 学长 学姐"
    ),
    "V": (
        "联系 通知 告诉 转告 交给 委托 感谢 谢谢 恭喜 陪同 拜托 麻烦 提醒 询问 安排 表扬"
        " 批评 邀请 欢迎 介绍 推荐 采访 看望 探望 拨打 致电 找到 遇到 看见 见到 认识 嫁给"
        " 娶了 交由 转交 移交 指派 派遣 任命 聘请 授予 奖励 处罚 起诉 控告 举报 状告"
    ),
    "O": (
        "公司 集团 银行 医院 学校 大学 学院 中学 小学 幼儿园 派出所 法院 检察院 委员会"
        " 政府 街道办 居委会 村委会 有限公司 股份 分行 支行 门店 工作室 事务所 研究所 中心"
        " 协会 基金会 商会 合作社 工厂 酒店 宾馆 餐厅 饭店 超市 药店 诊所 卫生院 俱乐部"
        " 品牌 旗舰店 专卖店"
    ),
    "A": (
        "小区 花园 公寓 大厦 广场 社区 单元 号楼 号院 家园 新村 大道 胡同 交叉口 路口 附近"
        " 对面 门口 楼下 楼上 工业园 产业园 开发区 商场 市场 大楼 宿舍 校区 园区 街道 嘎查"
        " 自然村 行政村 村民小组 组团 里弄 弄堂 巷子 门牌 门面 商铺 底商 车位 地下室"
        " 东门 西门 南门 北门 正门 侧门 后门 出口 入口 站台 地铁站 公交站 停车场 写字楼"
        " 前台 大堂 大厅 门卫室 传达室 服务站 服务台 报告厅 会议室 办公室 楼道口 门面房 农庄"
        " 山庄 度假村 交口 东侧 西侧 南侧 北侧 东头 西头 旁边 往南 往北 往东 往西 机场 航站楼"
        " 火车站 高铁站 汽车站 码头 国道 省道 县道 乡道 高速 服务区 收费站"
    ),
}
WORD_CLASSES = "TLKVOADZ"

# Administrative suffixes, longest first (浦东新区 -> 浦东, not 浦东新).
_SURROGATE = re.compile("[\ud800-\udfff]")
_SUFFIXES = (
    *("特别行政区", "自治区", "自治州", "自治县", "新区"),
    *("省", "市", "区", "县", "旗", "盟", "州"),
)


@lru_cache(maxsize=1)
def _matcher() -> tuple[ahocorasick_rs.AhoCorasick, tuple[str, ...]]:
    """One automaton over every cue word, and each pattern's class letter (a word in several
    groups keeps the first group's class, in ``WORD_CLASSES`` order)."""
    cls: dict[str, str] = {}
    for letter in "TLKVOA":
        for w in CUE_WORDS[letter].split():
            cls.setdefault(w, letter)
    for name in admin_names():
        cls.setdefault(name, "D")
    for name in admin_names():
        for suffix in _SUFFIXES:
            bare = name.removesuffix(suffix)
            if bare != name:
                if len(bare) >= 2:
                    cls.setdefault(bare, "Z")
                break
    words = sorted(cls)
    ac = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return ac, tuple(cls[w] for w in words)


def cue_words(text: str) -> list[tuple[str, int, int]]:
    """``(class letter, start, end)`` of the cue words of ``text`` (character offsets; leftmost
    longest, no overlaps)."""
    ac, classes = _matcher()
    try:
        found = ac.find_matches_as_indexes(text)
    except UnicodeEncodeError:  # a lone surrogate: one placeholder character each, offsets kept
        found = ac.find_matches_as_indexes(_SURROGATE.sub("\ufffd", text))
    return [(classes[i], a, b) for i, a, b in found]
