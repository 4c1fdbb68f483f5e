from datetime import time
from pathlib import Path

import pytest

from bot.settings import TELEGRAM_API_BASE_URL, SettingsError, load_settings

TOKEN = "123456:ABC-def_ghi"


def settings_from(env: dict[str, str], **kwargs: object):  # type: ignore[no-untyped-def]
    return load_settings(env, env_file=None, **kwargs)  # type: ignore[arg-type]


def test_defaults() -> None:
    settings = settings_from({"FARMDOCK_TOKEN": TOKEN})
    assert settings.db_path == Path("farmdock.db")
    assert settings.api_base_url == TELEGRAM_API_BASE_URL
    assert settings.api_base_file_url == "https://api.telegram.org/file/bot"
    assert str(settings.timezone) == "Asia/Shanghai"
    assert settings.digest_time == time(8, 0)
    assert settings.webhook_url is None
    assert settings.log_level == "INFO"
    assert (settings.deal_ask_hours, settings.follow_notices_per_day) == (24.0, 20)


def test_every_setting_is_read() -> None:
    settings = settings_from({
        "FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DB": "/data/city.db",
        "FARMDOCK_API_BASE_URL": "http://127.0.0.1:8081/bot/", "FARMDOCK_TZ": "UTC",
        "FARMDOCK_LOG_LEVEL": "debug", "FARMDOCK_DIGEST_TIME": "07:30",
        "FARMDOCK_ESCALATION_HOURS": "12", "FARMDOCK_WEBHOOK_URL": "https://farm.example/hook",
        "FARMDOCK_WEBHOOK_PORT": "8080", "FARMDOCK_WEBHOOK_SECRET": "s3cret",
        "FARMDOCK_OPERATOR_CHAT_IDS": "1, -1002", "FARMDOCK_SEND_RATE": "25",
        "FARMDOCK_DEAL_ASK_HOURS": "36", "FARMDOCK_FOLLOW_NOTICES_PER_DAY": "5",
    })
    assert settings.db_path == Path("/data/city.db")
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.api_base_file_url == "http://127.0.0.1:8081/file/bot"
    assert (settings.log_level, settings.digest_time, settings.escalation_hours) == (
        "DEBUG", time(7, 30), 12.0)
    assert (settings.webhook_url, settings.webhook_port, settings.webhook_secret) == (
        "https://farm.example/hook", 8080, "s3cret")
    assert settings.operator_chat_ids == (1, -1002)
    assert settings.send_rate == 25.0
    assert (settings.deal_ask_hours, settings.follow_notices_per_day) == (36.0, 5)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "FARMDOCK_TOKEN"),
        ({"FARMDOCK_TOKEN": "not a token"}, "FARMDOCK_TOKEN"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_TZ": "Mars/Base"}, "FARMDOCK_TZ"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_API_BASE_URL": "ftp://x"}, "FARMDOCK_API_BASE_URL"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_LOG_LEVEL": "LOUD"}, "FARMDOCK_LOG_LEVEL"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DIGEST_TIME": "8点"}, "FARMDOCK_DIGEST_TIME"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_ESCALATION_HOURS": "-3"},
         "FARMDOCK_ESCALATION_HOURS"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_WEBHOOK_URL": "http://insecure"},
         "FARMDOCK_WEBHOOK_URL"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_WEBHOOK_URL": "https://farm.example/hook"},
         "FARMDOCK_WEBHOOK_SECRET"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_WEBHOOK_PORT": "99999"}, "FARMDOCK_WEBHOOK_PORT"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_OPERATOR_CHAT_IDS": "me"},
         "FARMDOCK_OPERATOR_CHAT_IDS"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_ESCALATION_HOURS": "nan"},
         "FARMDOCK_ESCALATION_HOURS"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_SEND_RATE": "0"}, "FARMDOCK_SEND_RATE"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_SEND_RATE": "inf"}, "FARMDOCK_SEND_RATE"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_POLICY_DIR": "/no/such/policy/dir"},
         "FARMDOCK_POLICY_DIR"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DEAL_ASK_HOURS": "0"}, "FARMDOCK_DEAL_ASK_HOURS"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DEAL_ASK_HOURS": "一天"},
         "FARMDOCK_DEAL_ASK_HOURS"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_FOLLOW_NOTICES_PER_DAY": "0"},
         "FARMDOCK_FOLLOW_NOTICES_PER_DAY"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_FOLLOW_NOTICES_PER_DAY": "2.5"},
         "FARMDOCK_FOLLOW_NOTICES_PER_DAY"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_PASS_SECRET": "short"}, "FARMDOCK_PASS_SECRET"),
        ({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_PASS_SECRET": "a secret with spaces in it, 32+"},
         "FARMDOCK_PASS_SECRET"),
    ],
)
def test_bad_settings_name_the_variable_in_one_line(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from(env)
    message = str(caught.value)
    assert message.startswith(names)
    assert "\n" not in message


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f'FARMDOCK_TOKEN="{TOKEN}"\nexport FARMDOCK_DB=from-file.db\n')
    settings = load_settings({"FARMDOCK_DB": "from-env.db"}, env_file=env_file)
    assert settings.token == TOKEN
    assert settings.db_path == Path("from-env.db")


def test_offline_commands_need_no_token() -> None:
    assert settings_from({}, require_token=False).token == ""


def test_policy_dir_is_checked_and_kept(tmp_path: Path) -> None:
    assert settings_from({"FARMDOCK_TOKEN": TOKEN}).policy_dir is None
    assert settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_POLICY_DIR": str(tmp_path)}
                         ).policy_dir == tmp_path
    (tmp_path / "limits.json").write_text('{"quantity": {"max_weight_tonnes": "many"}}')
    with pytest.raises(SettingsError) as caught:
        settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_POLICY_DIR": str(tmp_path)})
    message = str(caught.value)
    assert message.startswith("FARMDOCK_POLICY_DIR") and "limits.json" in message
    assert "\n" not in message


@pytest.mark.parametrize("proxy", [
    "http://127.0.0.1:3128", "https://proxy.example:443", "socks5://127.0.0.1:1080",
    "socks5h://user:pass@proxy.example:1080",
])
def test_a_proxy_url_is_taken(proxy: str) -> None:
    assert settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_PROXY": proxy}).proxy == proxy


@pytest.mark.parametrize("proxy", [
    "ftp://127.0.0.1:21", "127.0.0.1:1080", "socks4://127.0.0.1:1080", "http://", "http://h:x",
])
def test_a_bad_proxy_stops_start_up_with_one_line(proxy: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_PROXY": proxy})
    assert str(caught.value).startswith("FARMDOCK_PROXY") and "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["postgresql://farm:pw@db.internal/pingdingshan",
                                 "postgresql+asyncpg://farm@/pds?host=/run/postgresql"])
def test_a_postgresql_url_selects_postgresql(url: str) -> None:
    settings = settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DATABASE_URL": url})
    assert (settings.database_url, settings.database) == (url, url)


def test_without_a_url_the_database_is_the_sqlite_file() -> None:
    settings = settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DB": "/data/city.db"})
    assert (settings.database_url, settings.database) == (None, "/data/city.db")


@pytest.mark.parametrize("url", ["sqlite:///city.db", "mysql://x@y/z", "/data/city.db",
                                 "postgres//x"])
def test_a_url_of_another_kind_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match=r"^FARMDOCK_DATABASE_URL must be a PostgreSQL URL"):
        settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DATABASE_URL": url})


def test_a_file_and_a_url_at_once_are_refused_naming_both() -> None:
    with pytest.raises(SettingsError) as refused:
        settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DB": "city.db",
                       "FARMDOCK_DATABASE_URL": "postgresql://farm@db/pds"})
    message = str(refused.value)
    assert "FARMDOCK_DB" in message and "FARMDOCK_DATABASE_URL" in message
    assert "\n" not in message


def test_the_pass_secret_is_optional_and_kept() -> None:
    assert settings_from({"FARMDOCK_TOKEN": TOKEN}).pass_secret is None
    secret = "0123456789abcdef" * 4
    assert settings_from({"FARMDOCK_TOKEN": TOKEN,
                          "FARMDOCK_PASS_SECRET": secret}).pass_secret == secret


def test_the_monitoring_settings_have_defaults_and_refuse_bad_values() -> None:
    settings = settings_from({"FARMDOCK_TOKEN": TOKEN})
    assert (settings.price_reminder_time.hour, settings.bulletin_time.hour) == (10, 15)
    assert (settings.bulletin_chat, settings.bureau_name) == (None, "平顶山市商务局")
    assert settings.price_sanity_ratio == 1.5
    settings = settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_BULLETIN_CHAT": "-1001234567890",
                              "FARMDOCK_BUREAU_NAME": "宝丰县商务局",
                              "FARMDOCK_PRICE_SANITY_RATIO": "2"})
    assert (settings.bulletin_chat, settings.bureau_name, settings.price_sanity_ratio) == (
        -1001234567890, "宝丰县商务局", 2.0)
    for name, value in (("FARMDOCK_PRICE_REMINDER_TIME", "10点"),
                        ("FARMDOCK_BULLETIN_TIME", "25:00"),
                        ("FARMDOCK_BULLETIN_CHAT", "@pds_prices"),
                        ("FARMDOCK_PRICE_SANITY_RATIO", "0.9")):
        with pytest.raises(SettingsError) as caught:
            settings_from({"FARMDOCK_TOKEN": TOKEN, name: value})
        assert str(caught.value).startswith(name)


def test_the_survey_deadline_is_a_time_of_day() -> None:
    assert settings_from({"FARMDOCK_TOKEN": TOKEN}).survey_deadline.isoformat() == "11:00:00"
    assert settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_SURVEY_DEADLINE": "12:30"}
                         ).survey_deadline.isoformat() == "12:30:00"
    with pytest.raises(SettingsError) as caught:
        settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_SURVEY_DEADLINE": "noon"})
    assert str(caught.value).startswith("FARMDOCK_SURVEY_DEADLINE") and "\n" not in str(
        caught.value)


def test_the_registry_wait_is_a_positive_number_of_hours() -> None:
    assert settings_from({"FARMDOCK_TOKEN": TOKEN}).registry_after_hours == 4.0
    assert settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_REGISTRY_AFTER_HOURS": "0.5"}
                         ).registry_after_hours == 0.5
    for bad in ("0", "-1", "soon", "inf"):
        with pytest.raises(SettingsError) as caught:
            settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_REGISTRY_AFTER_HOURS": bad})
        assert str(caught.value).startswith("FARMDOCK_REGISTRY_AFTER_HOURS")
        assert "\n" not in str(caught.value)


def test_the_delivery_late_hours_are_a_positive_number() -> None:
    assert settings_from({"FARMDOCK_TOKEN": TOKEN}).delivery_late_hours == 12.0
    assert settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DELIVERY_LATE_HOURS": "6"}
                         ).delivery_late_hours == 6.0
    for bad in ("0", "-1", "soon", "inf"):
        with pytest.raises(SettingsError) as caught:
            settings_from({"FARMDOCK_TOKEN": TOKEN, "FARMDOCK_DELIVERY_LATE_HOURS": bad})
        assert str(caught.value).startswith("FARMDOCK_DELIVERY_LATE_HOURS")
        assert "\n" not in str(caught.value)
