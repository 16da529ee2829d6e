"""Digest schedules: grammar (en/zh), wall-clock math, DST, catch-up and period keys."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.cards.errors import error_text
from bot.digests.schedule import DueRun, Frequency, Schedule, due_run, parse_schedule
from bot.errors import QueryError
from bot.i18n import tr

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def run_clock(schedule: Schedule, start: datetime, end: datetime, *, last: str | None = None) -> list[DueRun]:
    """Tick a simulated clock once a minute from `start` to `end`, making every due run.

    Without `last`, the digest is taken to have run for the period `start` is in.
    """
    runs: list[DueRun] = []
    last = last or schedule.period_key(start)
    with time_machine.travel(start, tick=False) as traveller:
        while (now := datetime.now(UTC)) <= end:
            if run := due_run(schedule, last, now):
                runs.append(run)
                last = run.period_key
            traveller.shift(timedelta(minutes=1))
    return runs


# -- grammar -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("en", "zh", "expected"),
    [
        ("daily 09:30", "每天 09:30", Schedule(Frequency.DAILY, at=time(9, 30))),
        ("weekdays 10:00", "工作日 10:00", Schedule(Frequency.WEEKDAYS, at=time(10, 0))),
        ("weekly mon 09:00", "每周一 09:00", Schedule(Frequency.WEEKLY, at=time(9, 0), weekday=0)),
        ("weekly sunday 9:30", "每周日9点半", Schedule(Frequency.WEEKLY, at=time(9, 30), weekday=6)),
        ("every friday at 17:00", "每星期五 17:00", Schedule(Frequency.WEEKLY, at=time(17, 0), weekday=4)),
        ("monthly 1 09:00", "每月1日 09:00", Schedule(Frequency.MONTHLY, at=time(9, 0), day=1)),
        ("monthly 31st 18:05", "每月31号 18:05", Schedule(Frequency.MONTHLY, at=time(18, 5), day=31)),
        ("hourly", "每小时", Schedule(Frequency.INTERVAL, every_minutes=60)),
        ("every 2h", "每2小时", Schedule(Frequency.INTERVAL, every_minutes=120)),
        ("monday 09:00", "周一 09:00", Schedule(Frequency.WEEKLY, at=time(9, 0), weekday=0)),  # no 每/weekly
        ("sat 20:00", "星期六 20:00", Schedule(Frequency.WEEKLY, at=time(20, 0), weekday=5)),
        ("weekdays 9:30", "周一到周五 9点半", Schedule(Frequency.WEEKDAYS, at=time(9, 30))),
    ],
)
def test_each_form_parses_in_english_and_chinese(en: str, zh: str, expected: Schedule) -> None:
    assert parse_schedule(en) == expected
    assert parse_schedule(zh) == expected
    assert expected.tz == "Asia/Shanghai"


def test_full_width_colon_and_digits_from_a_chinese_keyboard_are_read() -> None:
    assert parse_schedule("每天 ０９：３０").at == time(9, 30)


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("daily 09:30 Europe/Berlin", "Europe/Berlin"),
        ("daily 09:30 tz=america/new_york", "America/New_York"),
        ("每天 09:30 utc", "UTC"),
        ("每天 09:30 北京时间", "Asia/Shanghai"),  # as people name it
        ("daily 09:30 UTC+8", "Asia/Shanghai"),
        ("daily 09:30 tz=東京", "Asia/Tokyo"),  # Traditional too
        ("每天 09:30 北京時間", "Asia/Shanghai"),
        ("daily 09:30 Europe/Berlin", "Europe/Berlin"),
    ],
)
def test_time_zone_is_optional_and_case_insensitive(text: str, tz: str) -> None:
    assert parse_schedule(text).tz == tz


def test_workspace_default_time_zone_applies_when_none_is_given() -> None:
    assert parse_schedule("daily 09:30", default_tz="Europe/Berlin").tz == "Europe/Berlin"


@pytest.mark.parametrize(
    "text",
    [
        "daily 09:30",
        "weekdays 10:00",
        "weekly fri 17:45",
        "monthly 30 08:00",
        "hourly",
        "every 3h",
        "every 20m",
    ],
)
def test_spec_parses_back_to_the_same_schedule(text: str) -> None:
    schedule = parse_schedule(f"{text} Europe/Berlin", min_interval=timedelta(minutes=20))
    assert parse_schedule(schedule.spec, min_interval=timedelta(minutes=20)) == schedule


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        ("daily 09:30", "daily at 09:30, Asia/Shanghai time", "每天 09:30（北京时间）"),
        ("weekdays 10:00", "weekdays (Mon–Fri) at 10:00", "工作日（周一至周五）10:00"),
        ("weekly mon 09:00", "every Monday at 09:00", "每周一 09:00"),
        ("monthly 31 09:00", "day 31 (or the month's last day)", "每月31日（小月取月末）09:00"),
        ("every 2h", "every 2 hours", "每2小时"),
    ],
)
def test_describe_in_both_languages(text: str, en: str, zh: str) -> None:
    schedule = parse_schedule(text)
    assert en in tr("en", schedule.wording())
    assert zh in tr("zh", schedule.wording())


@pytest.mark.parametrize(
    ("text", "token", "en_part", "zh_part"),
    [
        ("fortnightly 09:00", "fortnightly", "Unknown schedule", "无法识别的时间表"),
        ("daily 25:00", "25:00", "not a time of day", "不是有效时间"),
        ("daily", "daily", "needs a time of day", "缺少时间"),
        ("weekly xyz 09:00", "xyz", "Unknown weekday", "无法识别的星期"),
        ("monthly 32 09:00", "32", "must be 1–31", "须在 1–31 之间"),
        ("weekly", "weekly", "needs a weekday", "缺少星期几"),
        ("每月", "每月", "needs a day of the month", "缺少日期"),
        ("daily 09:30 Mars/Olympus", "Mars/Olympus", "Unknown time zone", "未知时区"),
        ("daily 09:30 UTC Asia/Tokyo", "Asia/Tokyo", "only one time zone", "只能指定一个时区"),
        ("every 5h", "5h", "does not divide a day", "无法整除一天"),
        ("every fortnight", "fortnight", "Cannot read the interval", "无法识别的间隔"),
        ("daily 09:30 sharp", "sharp", "Unexpected", "无法识别"),
    ],
)
def test_bad_schedules_raise_a_bilingual_error_naming_the_bad_part(
    text: str, token: str, en_part: str, zh_part: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_schedule(text)
    err = caught.value
    assert err.token == token
    assert en_part in error_text(err, "en") and token in error_text(err, "en")
    assert zh_part in error_text(err, "zh") and token in error_text(err, "zh")
    assert "Traceback" not in error_text(err, "en")


@pytest.mark.parametrize("text", ["every 30m", "每30分钟", "every 15 minutes"])
def test_schedules_more_frequent_than_the_minimum_interval_are_refused(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_schedule(text)
    assert "at most once every 1 hour" in error_text(caught.value, "en")
    assert "最多每1小时一次" in error_text(caught.value, "zh")


def test_the_minimum_interval_is_configurable() -> None:
    assert parse_schedule("every 30m", min_interval=timedelta(minutes=30)).every_minutes == 30
    with pytest.raises(QueryError, match="too often"):
        parse_schedule("every 2h", min_interval=timedelta(hours=3))


# -- math in Asia/Shanghai -----------------------------------------------------------------------


def test_daily_next_and_latest_due() -> None:
    schedule = parse_schedule("daily 09:30")
    before, after = local(SHANGHAI, 2026, 11, 23, 9, 0), local(SHANGHAI, 2026, 11, 23, 9, 31)
    assert schedule.next_due(before) == local(SHANGHAI, 2026, 11, 23, 9, 30)
    assert schedule.next_due(local(SHANGHAI, 2026, 11, 23, 9, 30)) == local(SHANGHAI, 2026, 11, 24, 9, 30)
    assert schedule.latest_due(before) == local(SHANGHAI, 2026, 11, 22, 9, 30)
    assert schedule.latest_due(after) == local(SHANGHAI, 2026, 11, 23, 9, 30)


def test_weekdays_skip_the_weekend() -> None:
    schedule = parse_schedule("weekdays 10:00")
    moment, days = local(SHANGHAI, 2026, 11, 20, 12, 0), []  # a Friday, after the run
    for _ in range(6):
        moment = schedule.next_due(moment)
        days.append(moment.astimezone(SHANGHAI).strftime("%a %d"))
    assert days == ["Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Mon 30"]


def test_weekly_runs_on_its_weekday_only() -> None:
    schedule = parse_schedule("每周三 08:00")
    first = schedule.next_due(local(SHANGHAI, 2026, 11, 23, 0, 0))
    assert first == local(SHANGHAI, 2026, 11, 25, 8, 0)
    assert schedule.next_due(first) - first == timedelta(days=7)


def test_monthly_day_31_clamps_to_the_last_day_of_shorter_months() -> None:
    schedule = parse_schedule("monthly 31 09:00")
    moment, days = local(SHANGHAI, 2027, 12, 31, 12, 0), []
    for _ in range(5):
        moment = schedule.next_due(moment)
        days.append(moment.astimezone(SHANGHAI).date().isoformat())
    assert days == ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"]
    assert schedule.next_due(local(SHANGHAI, 2027, 2, 1, 0, 0)) == local(SHANGHAI, 2027, 2, 28, 9, 0)


def test_interval_runs_are_aligned_to_local_midnight() -> None:
    schedule = parse_schedule("every 6h")
    runs = run_clock(schedule, local(SHANGHAI, 2026, 11, 23, 0, 30), local(SHANGHAI, 2026, 11, 24, 0, 29))
    assert [r.scheduled_for.astimezone(SHANGHAI).hour for r in runs] == [6, 12, 18, 0]


def test_catch_up_after_a_three_day_outage_runs_once_and_late() -> None:
    schedule = parse_schedule("daily 09:30")
    first = run_clock(schedule, local(SHANGHAI, 2026, 11, 23, 9, 0), local(SHANGHAI, 2026, 11, 23, 10, 0))
    assert [(r.period_key, r.late) for r in first] == [("2026-11-23T09:30+08:00", False)]
    # The bot is down from 10:00 on the 23rd until 14:00 on the 26th: three runs were missed.
    back = run_clock(
        schedule,
        local(SHANGHAI, 2026, 11, 26, 14, 0),
        local(SHANGHAI, 2026, 11, 27, 10, 0),
        last=first[0].period_key,
    )
    assert [(r.period_key, r.late) for r in back] == [
        ("2026-11-26T09:30+08:00", True),
        ("2026-11-27T09:30+08:00", False),
    ]


def test_a_digest_that_never_ran_runs_its_latest_period() -> None:
    schedule = parse_schedule("daily 09:30")
    run = due_run(schedule, None, local(SHANGHAI, 2026, 11, 23, 9, 32))
    assert run == DueRun("2026-11-23T09:30+08:00", local(SHANGHAI, 2026, 11, 23, 9, 30), late=False)


def test_period_keys_are_stable_and_unique_per_run() -> None:
    schedule = parse_schedule("weekly mon 09:00")
    restarted = parse_schedule(schedule.spec)  # e.g. loaded again after a restart
    in_period = [local(SHANGHAI, 2026, 11, 23, 9, 0), local(SHANGHAI, 2026, 11, 27, 23, 59)]
    keys = {s.period_key(t) for s in (schedule, restarted) for t in in_period}
    assert keys == {"2026-11-23T09:00+08:00"}
    assert schedule.period_key(local(SHANGHAI, 2026, 11, 23, 8, 59)) == "2026-11-16T09:00+08:00"
    assert schedule.period_key(local(SHANGHAI, 2026, 11, 30, 9, 0)) == "2026-11-30T09:00+08:00"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_schedule("daily 09:30").next_due(datetime(2026, 11, 23, 9, 0))


# -- daylight saving -----------------------------------------------------------------------------


def test_a_run_in_the_skipped_hour_runs_once_shifted_by_the_gap() -> None:
    schedule = parse_schedule("daily 02:30 America/New_York")
    runs = run_clock(schedule, local(NEW_YORK, 2026, 3, 7, 12, 0), local(NEW_YORK, 2026, 3, 9, 12, 0))
    assert [r.period_key for r in runs] == [
        "2026-03-08T03:30-04:00",  # 02:30 does not exist on spring-forward day
        "2026-03-09T02:30-04:00",
    ]
    assert runs[0].scheduled_for == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_a_run_in_the_repeated_hour_runs_once_at_its_first_occurrence() -> None:
    schedule = parse_schedule("daily 01:30 America/New_York")
    runs = run_clock(schedule, local(NEW_YORK, 2026, 10, 31, 12, 0), local(NEW_YORK, 2026, 11, 1, 12, 0))
    assert [r.period_key for r in runs] == ["2026-11-01T01:30-04:00"]  # EDT, the first 01:30
    assert runs[0].scheduled_for == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected_runs"),
    [((2026, 3, 29), 23), ((2026, 10, 25), 24)],  # Berlin spring-forward, fall-back
)
def test_hourly_across_a_dst_change_runs_each_wall_hour_once(
    day: tuple[int, int, int], expected_runs: int
) -> None:
    schedule = parse_schedule("hourly Europe/Berlin")
    start = local(BERLIN, *day, 0, 0) - timedelta(minutes=1)
    end = local(BERLIN, *day, 23, 59)
    runs = run_clock(schedule, start, end)
    keys = [r.period_key for r in runs]
    assert len(keys) == len(set(keys)) == expected_runs
    wall_hours = [r.scheduled_for.astimezone(BERLIN).hour for r in runs]
    assert wall_hours == sorted(set(wall_hours))  # no wall hour twice, none out of order


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("daily 9am", time(9, 0)),
        ("daily 9:30 pm", time(21, 30)),
        ("weekly mon 9pm", time(21, 0)),
        ("daily 12am", time(0, 0)),
        ("daily 12pm", time(12, 0)),
        ("每天 下午3点", time(15, 0)),
        ("每天 上午9点半", time(9, 30)),
        ("每天 中午12点", time(12, 0)),
        ("每天 晚上12点", time(0, 0)),
        ("每天 凌晨0点", time(0, 0)),
        ("每天 傍晚6点半", time(18, 30)),
        ("daily 13pm", time(13, 0)),
        ("每天 下午15点", time(15, 0)),
    ],
)
def test_twelve_hour_times_people_type(text: str, at: time) -> None:
    assert parse_schedule(text).at == at


@pytest.mark.parametrize(
    ("text", "frequency", "at", "every"),
    [
        ("每两小时", Frequency.INTERVAL, None, 120),
        ("每晚8点", Frequency.DAILY, time(20, 0), None),
        ("每晚十点", Frequency.DAILY, time(22, 0), None),
        ("每天 晚8点", Frequency.DAILY, time(20, 0), None),
        ("每天早9点", Frequency.DAILY, time(9, 0), None),
        ("每天 十点半", Frequency.DAILY, time(10, 30), None),
        ("每週一 09:00", Frequency.WEEKLY, time(9, 0), None),
        ("每天 9點", Frequency.DAILY, time(9, 0), None),
        ("每天 下午3點", Frequency.DAILY, time(15, 0), None),
    ],
)
def test_schedules_as_people_say_them(
    text: str, frequency: Frequency, at: time | None, every: int | None
) -> None:
    """Spoken forms, Traditional characters and numerals: each was refused as unreadable."""
    schedule = parse_schedule(text)
    assert schedule.frequency is frequency
    assert (schedule.every_minutes if every else schedule.at) == (every or at)


def test_east_eight_is_beijing_time() -> None:
    assert parse_schedule("每天 09:30 tz=东八区").tz == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("text", "typed"), [("daily 13am", "13am"), ("每天 上午15点", "上午15点"), ("daily 0pm", "0pm")]
)
def test_an_hour_that_contradicts_its_half_of_the_day_is_refused(text: str, typed: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_schedule(text)
    assert refused.value.token == typed
    assert "1–12" in str(refused.value)


@pytest.mark.parametrize("text", ["每周 周一 09:00", "每周 星期一 09:00", "每周一 09:00", "周一 09:00"])
def test_a_weekday_after_the_weekly_word_is_read(text: str) -> None:
    schedule = parse_schedule(text)
    assert (schedule.frequency, schedule.weekday, schedule.at) == (Frequency.WEEKLY, 0, time(9, 0))


@pytest.mark.parametrize(
    ("text", "weekday", "day"),
    [
        ("每周一 晚上12点", 1, None),
        ("每周日 晚上12点", 0, None),
        ("每月1日 晚上12点", None, 2),
        ("每月31日 晚上12点", None, 1),
    ],
)
def test_twelve_at_night_is_the_midnight_that_ends_the_day(
    text: str, weekday: int | None, day: int | None
) -> None:
    """`每周一 晚上12点` ran at the start of Monday, a day before the team meant."""
    schedule = parse_schedule(text)
    assert schedule.at == time(0, 0)
    assert (schedule.weekday if weekday is not None else schedule.day) == (
        weekday if weekday is not None else day
    )


def test_twelve_am_is_the_start_of_the_day() -> None:
    assert (parse_schedule("monday 12am").weekday, parse_schedule("monday 12am").at) == (0, time(0, 0))


@pytest.mark.parametrize(
    ("text", "weekday", "at"),
    [
        ("每周三三点", 2, time(3, 0)),  # the weekday's numeral is not the hour's
        ("周二十点", 1, time(10, 0)),
        ("每周五晚上8点", 4, time(20, 0)),
        ("每周五下午3点", 4, time(15, 0)),
        ("每周一 晚上12点半", 1, time(0, 30)),  # past the midnight that ends Monday
    ],
)
def test_a_weekday_glued_to_its_time(text: str, weekday: int, at: time) -> None:
    """`每周三三点` was refused as the unknown weekday "3点"; `每周五晚上8点` as "五晚上"."""
    schedule = parse_schedule(text)
    assert (schedule.weekday, schedule.at) == (weekday, at)
