"""Saved web pages made from report texts, in layouts real sites use (for ingestion tests).

Each layout wraps the report in the furniture of a government CMS page: navigation, a
breadcrumb, an info line, a sidebar of related links and a copyright footer. The report's own
lines become paragraphs (<p>), <br>-separated runs, or WeChat-style <section>/<span> blocks.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from kg.ingest import TITLE_RE, normalize_chars


def split_title(text: str) -> tuple[str, list[str]]:
    """The report's title line (if the text has one among its first lines) and the other lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines[:10]):
        if len(line) <= 80 and TITLE_RE.search(normalize_chars(line)):
            return line, lines[:i] + lines[i + 1:]
    return "", lines


def _furniture(title: str, site: str, url: str, date: str, charset: str, article: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>{html.escape(title)}_{html.escape(site)}</title>
<meta property="og:site_name" content="{html.escape(site)}">
<link rel="canonical" href="{url}">
<meta name="PubDate" content="{date}">
<style>body{{font-family:SimSun}} .nav a{{margin:4px}}</style>
<script>var _hmt = _hmt || []; (function(){{ /* site statistics */ }})();</script>
</head><body>
<div class="top"><a href="/">首页</a> | <a href="/en">English</a> | 无障碍浏览</div>
<div class="nav"><a href="/yw">要闻</a><a href="/xsxc">巡视巡察</a><a href="/scdc">审查调查</a><a href="/dflz">党风廉政</a></div>
<div class="crumb">当前位置: <a href="/">首页</a> &gt; <a href="/xsxc">巡视巡察</a> &gt; 整改公开</div>
{article}
<div class="side"><h3>相关文章</h3><ul>
<li><a href="/x/1.html">中共某某县委关于巡察整改进展情况的通报</a></li>
<li><a href="/x/2.html">市纪委监委召开全体会议</a></li>
<li><a href="/x/3.html">以案为鉴 警钟长鸣</a></li></ul></div>
<div class="footer"><p>版权所有: {html.escape(site)} 地址: 人民路1号 邮编: 100000</p>
<p>备案号: 京ICP备05000000号 技术支持: 某某网络公司</p></div>
</body></html>"""


def paragraphs_page(text: str, site: str = "清风网", url: str = "http://www.example.gov.cn/xsxc/2024/0301/123.html",
                    date: str = "2024-03-01", charset: str = "utf-8") -> str:
    """A CMS article: <h1> title, an info line, one <p> per line."""
    title, lines = split_title(text)
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    article = f"""<div class="article"><h1>{html.escape(title)}</h1>
<div class="info">来源: {html.escape(site)} 发布时间: {date} 【字体: 大 中 小】 打印本页</div>
<div class="content" id="zoom">{body}</div></div>"""
    return _furniture(title, site, url, date, charset, article)


def table_page(text: str, site: str = "廉政网", url: str = "http://jw.example.gov.cn/info/1021/4455.htm",
               date: str = "2022-06-30", charset: str = "gb2312") -> str:
    """An older table layout: title in a cell, the text as <br>-separated lines in one cell."""
    title, lines = split_title(text)
    body = "<br>\n".join(html.escape(line) for line in lines)
    article = f"""<table width="980" class="main"><tr><td class="title" align="center"><b>{html.escape(title)}</b></td></tr>
<tr><td class="info">发布日期: {date} 浏览次数: 1234</td></tr>
<tr><td class="text"><div id="vsb_content"><p>{body}</p></div></td></tr></table>"""
    return _furniture(title, site, url, date, charset, article)


def wechat_page(text: str, site: str = "某某纪检", url: str = "https://mp.weixin.qq.com/s/AbCdEf123",
                date: str = "2023-05-06", charset: str = "utf-8") -> str:
    """A WeChat article: <h1 class="rich_media_title">, then <section><span> blocks."""
    title, lines = split_title(text)
    body = "\n".join(f'<section style="margin:0 8px"><span style="font-size:15px">{html.escape(line)}</span></section>'
                     for line in lines)
    article = f"""<div id="js_article" class="rich_media"><h1 class="rich_media_title" id="activity-name">
{html.escape(title)}</h1><div class="rich_media_meta_list"><span id="js_name">{html.escape(site)}</span>
<em id="publish_time">{date}</em></div>
<div class="rich_media_content" id="js_content">{body}</div>
<div class="qr_code">长按识别二维码 关注我们</div></div>"""
    return _furniture(title, site, url, date, charset, article)


LAYOUTS: dict[str, Callable[..., str]] = {"paragraphs": paragraphs_page, "table": table_page, "wechat": wechat_page}
