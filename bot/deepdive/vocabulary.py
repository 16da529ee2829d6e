"""Upstream's own words the deep-dive reads (input, not copy): Xingtu's Chinese names for a
portrait's distributions, city tiers and range buckets, matched against what TikHub sends."""

from __future__ import annotations

from bot.deepdive.models import DistributionKind

# `distributions[].type_display` words, for a `type` code we do not know (kol_audience_portrait_v1)
KIND_BY_DISPLAY = (
    ("性别", DistributionKind.GENDER),
    ("年龄", DistributionKind.AGE),
    ("省份", DistributionKind.PROVINCE),
    ("设备", DistributionKind.DEVICE),
    ("城市等级", DistributionKind.CITY_TIER),
    ("兴趣", DistributionKind.INTEREST),
    ("城市", DistributionKind.CITY),
    ("人群", DistributionKind.CROWD),
)

# City-tier bucket names, largest cities first (the order a portrait is shown in)
CITY_TIER_ORDER = ("一线", "新一线", "二线", "三线", "四线", "五线")

# Suffixes of upstream range buckets ("2%以下", "1w以上") and the sign that replaces them in English
RANGE_SUFFIXES = (("以下", "≤"), ("以上", "≥"))

# What Douyin calls a user's own handle; English copy names it as users know it
DOUYIN_ID = "抖音号"
