from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from core import spreadsheets
from core.errors import PlatformError

from .models import CalendarYear, SpecialDay
from .services import calendar_import_year, package_entries
from .spreadsheet import parse_schedule, schedule_template


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    extra = 0


class ScheduleUploadForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    file = forms.FileField(label="节假日安排表（xlsx 或 csv）")
    note = forms.CharField(label="说明（如通知文号）", required=False, max_length=200)


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "source", "note", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [SpecialDayInline]
    change_list_template = "workdays/admin/calendaryear_changelist.html"

    def get_urls(self):
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="workdays_calendaryear_import"),
            path("template.xlsx", self.admin_site.admin_view(self.template_view), name="workdays_calendaryear_template"),
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        form = ScheduleUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            year, upload = form.cleaned_data["year"], form.cleaned_data["file"]
            try:
                entries = parse_schedule(upload.read(), filename=upload.name, year=year)
                calendar_import_year(actor=request.user, year=year, entries=entries, note=form.cleaned_data["note"])
            except PlatformError as error:
                messages.error(request, error.message)
                problems = error.details.get("rows", [])
            else:
                messages.success(request, f"已导入 {year} 年的节假日安排，共 {len(entries)} 天。")
                return redirect(reverse("admin:workdays_calendaryear_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "problems": problems,
                   "title": "导入年度节假日安排", "opts": self.model._meta}
        return render(request, "workdays/admin/import.html", context)

    def template_view(self, request):
        # A filled example: the newest year the package knows, to be edited into the next one.
        from .services import package_years

        content = schedule_template(package_entries(package_years()[-1]))
        return spreadsheets.download(content, "holiday-schedule-template.xlsx")
