"""django-axes' app, titled in Chinese in the admin (used in ``INSTALLED_APPS`` instead of axes' own
config; its strings are translated in ``platform/locale``, its list columns in ``lockout_admin``)."""

from axes.apps import AppConfig as AxesAppConfig


class LockoutConfig(AxesAppConfig):
    verbose_name = "登录锁定"
