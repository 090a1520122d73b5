"""The small Chinese pages: 投诉举报 (complaints), 训练数据使用设置 (opt-out), 我的数据 (rights)
and 隐私告知与同意 (consent)."""

from __future__ import annotations

from typing import Any

from jinja2 import DictLoader, Environment

__all__ = ["render"]

_BASE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ provider }}</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;
line-height:1.6}label{display:block;margin-top:.8rem}textarea,input,select{width:100%;padding:.4rem}
button{margin-top:1rem;padding:.5rem 1.5rem}.note{color:#555;font-size:.9rem}table{border-collapse:
collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}</style></head>
<body><h1>{{ title }}</h1>{% block body %}{% endblock %}</body></html>"""

_PAGES = {
    "complaints": """{% extends "base" %}{% block body %}
<p>如您发现本服务生成违法不良信息、侵犯个人信息权益、缺少生成内容标识或有其他问题，请在此投诉举报。</p>
<p><strong>处理时限：</strong>我们在收到投诉举报后 <strong id="handling-days">{{ handling_days }}</strong>
日内处理并反馈结果。受理后您会得到投诉编号，可凭编号查询处理进度。</p>
{% if phone or email %}<p>其他渠道：{% if phone %}电话 {{ phone }}{% endif %}
{% if email %} 邮箱 {{ email }}{% endif %}</p>{% endif %}
<form method="post" action="complaints"><input type="hidden" name="form_token" value="{{ form_token }}">
<label>类别<select name="category">{% for c in categories %}<option>{{ c }}</option>{% endfor %}</select></label>
<label>内容<textarea name="content" rows="6" required maxlength="{{ max_content_chars }}"></textarea></label>
<label>相关对话记录编号（可选，见响应头 X-Beian-Record-Id）<input name="record_id" maxlength="64"></label>
<label>联系方式（可选）<input name="contact" maxlength="{{ max_contact_chars }}"></label>
<button type="submit">提交</button></form>
<form method="get" action="complaints/status"><label>查询处理进度：查询码（受理时给出）<input name="token" autocomplete="off"></label>
<button type="submit">查询</button></form>{% endblock %}""",
    "ticket": """{% extends "base" %}{% block body %}
{% if created %}<p>已受理您的投诉举报。请保存投诉编号与查询码：查询码只显示这一次，凭它查询处理进度
（仅凭投诉编号不能查询）。</p>{% endif %}
<p>投诉编号：<strong id="ticket">{{ c.ticket }}</strong></p>
{% if token %}<p>查询码：<strong id="token">{{ token }}</strong></p>{% endif %}
<p>状态：<strong id="status">{{ c.status }}</strong>；类别：{{ c.category }}</p>
<p>受理时间：{{ c.created }}；处理时限：{{ c.due }} 前{% if c.overdue %}（已超期）{% endif %}</p>
<table><tr><th>时间</th><th>状态</th><th>说明</th></tr>
{% for h in c.history %}<tr><td>{{ h.at }}</td><td>{{ h.status }}</td><td>{{ h.note or "" }}</td></tr>{% endfor %}
</table>{% endblock %}""",
    "not_found": """{% extends "base" %}{% block body %}<p>{{ message }}</p>
<p><a href="{{ back }}">返回</a></p>{% endblock %}""",
    "opt_out": """{% extends "base" %}{% block body %}
<p>您可以随时选择不让您的输入内容用于模型训练。关闭后，新旧对话记录都不会进入训练数据。</p>
<p>当前设置：<strong id="state">{{ "不用于训练" if opted_out else "允许用于训练" }}</strong></p>
<form method="post" action="opt-out"><input type="hidden" name="form_token" value="{{ form_token }}">
{% if user %}<input type="hidden" name="user" value="{{ user }}">{% endif %}
{% if token %}<input type="hidden" name="token" value="{{ token }}">{% endif %}
<input type="hidden" name="opted_out" value="{{ "0" if opted_out else "1" }}">
<button type="submit" id="toggle">{{ "恢复允许用于训练" if opted_out else "不允许我的输入用于训练" }}</button>
</form><p class="note">本页一次点击即可完成设置；每次更改都会被记录。</p>
{% if rights %}<p><a href="data{% if token %}?token={{ token|urlencode }}{% endif %}" id="rights">我的数据：查阅、导出、更正、删除对话与撤回同意</a></p>{% endif %}{% endblock %}""",
    "rights": """{% extends "base" %}{% block body %}
<p>您可以查阅、导出（复制）、更正和删除您与本服务的对话记录，也可以撤回同意。每项请求都会生成工单，
我们在 <strong id="working-days">{{ working_days }}</strong> 个工作日内办理完毕。</p>
<p class="note">删除会清除对话内容；依法须留存不少于六个月的网络日志只保留时间、结果、风险代码与内容摘要值，
不含对话内容，期满自动清除。</p>
{% if message %}<p id="message"><strong>{{ message }}</strong></p>{% endif %}
{% macro hidden() %}<input type="hidden" name="form_token" value="{{ form_token }}">
{% if token %}<input type="hidden" name="token" value="{{ token }}">{% endif %}{% endmacro %}
<form method="post" action="data/export">{{ hidden() }}<input type="hidden" name="format" value="json">
<button type="submit">导出（JSON）</button></form>
<form method="post" action="data/export">{{ hidden() }}<input type="hidden" name="format" value="csv">
<button type="submit">导出（CSV，可用 Excel 打开）</button></form>
<h2>我的对话记录（{{ conversations|length }} 条）</h2>
<table><tr><th>北京时间</th><th>提问</th><th>回答</th><th></th></tr>
{% for c in conversations %}<tr><td style="white-space:nowrap">{{ c.shown }}</td>
<td>{% if c.erased %}（已删除）{% else %}{{ c.question[:80] }}{% endif %}</td>
<td>{{ c.answer[:80] }}</td><td>{% if not c.erased %}
<form method="post" action="data/delete">{{ hidden() }}<input type="hidden" name="record_id" value="{{ c.id }}">
<button type="submit">删除</button></form>{% endif %}</td></tr>{% endfor %}</table>
<form method="post" action="data/delete">{{ hidden() }}<input type="hidden" name="all" value="1">
<button type="submit" id="delete-all">删除全部对话内容</button></form>
<h2>更正</h2><form method="post" action="data/correct">{{ hidden() }}
<label>要更正的对话<select name="record_id" required>{% for c in conversations if not c.erased %}
<option value="{{ c.id }}">{{ c.shown }} {{ c.question[:30] }}</option>{% endfor %}</select></label>
<label>应如何更正<textarea name="text" rows="3" maxlength="{{ max_correction_chars }}" required></textarea></label>
<button type="submit">提交更正</button></form>
<h2>同意</h2><p>当前状态：<strong id="consent">{{ "已同意（" ~ consent.notice_version ~ " 版）" if consent.consented
else "未同意或已撤回" }}</strong></p>
<form method="post" action="consent">{{ hidden() }}
<input type="hidden" name="action" value="{{ "withdraw" if consent.consented else "accept" }}">
{% if consent.current_notice_version %}<input type="hidden" name="notice_version" value="{{ consent.current_notice_version }}">{% endif %}
<button type="submit" id="consent-toggle">{{ "撤回同意" if consent.consented else "同意隐私告知（" ~ (consent.current_notice_version or "") ~ " 版）" }}</button></form>
<h2>我的请求</h2><table><tr><th>工单</th><th>类型</th><th>状态</th><th>办理时限</th><th>结果</th></tr>
{% for r in requests %}<tr><td>{{ r.ticket }}</td><td>{{ r.kind_zh }}</td><td>{{ r.status }}</td>
<td>{{ r.due_date }}{% if r.due_estimated %}（按周一至周五估算）{% endif %}</td><td>{{ r.result or "" }}</td></tr>{% endfor %}
</table>{% endblock %}""",
}


_env = Environment(loader=DictLoader({"base": _BASE, **_PAGES}), autoescape=True)


def render(page: str, **context: Any) -> str:
    return _env.get_template(page).render(**context)
