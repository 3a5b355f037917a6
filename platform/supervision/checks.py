"""System checks (``manage.py check``, runserver, migrate): a misconfigured exchange delivery is
reported when the platform starts, not when the daily batch goes out at night."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def exchange_deliveries(app_configs=None, **kwargs) -> list[Error]:
    from .deliveries import configured, deliveries

    errors = []
    for key in configured():
        if key not in deliveries:
            errors.append(Error(
                f"EXCHANGE_DELIVERIES 中的“{key}”不是已知的交付方式 / EXCHANGE_DELIVERIES names an unknown "
                f"delivery “{key}”", hint=f"可选：{', '.join(deliveries)}", id="supervision.E001"))
    if "http" in configured():
        url = (settings.EXCHANGE_CITY_URL or "").strip()
        if not url:
            errors.append(Error(
                "EXCHANGE_DELIVERIES 含 http，但未设置 EXCHANGE_CITY_URL / EXCHANGE_DELIVERIES includes http "
                "but EXCHANGE_CITY_URL is not set", hint="设置市级电子监察系统的接收地址，或从 EXCHANGE_DELIVERIES 去掉 http",
                id="supervision.E002"))
        elif not url.lower().startswith(("http://", "https://")):
            errors.append(Error(
                f"EXCHANGE_CITY_URL 应以 http:// 或 https:// 开头：{url} / EXCHANGE_CITY_URL must be an http(s) URL",
                id="supervision.E003"))
    return errors
