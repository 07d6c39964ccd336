"""The published-measure mapping in the admin, so that a council can map a DfE figure without a programmer.

Imported by ``scorecards/admin.py``; registering here keeps the mapping's form and checks in one place.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from scorecards.models import PublishedMeasure

FILTERS_NOT_AN_OBJECT = 'Write the filters as {"column": "value", ...}, each value the exact text of the CSV.'
NOT_A_CSV = "Give the name of the published CSV file, e.g. la_cla_placement_stability.csv."


class PublishedMeasureForm(forms.ModelForm):
    class Meta:
        model = PublishedMeasure
        fields = ["indicator", "file_name", "filters", "value_column", "note"]

    def clean_filters(self) -> dict[str, str]:
        filters = self.cleaned_data["filters"]
        if filters is None:
            return {}
        if not isinstance(filters, dict) or not all(
            isinstance(column, str) and column and isinstance(value, str) for column, value in filters.items()
        ):
            raise forms.ValidationError(FILTERS_NOT_AN_OBJECT)
        return filters

    def clean_file_name(self) -> str:
        file_name = self.cleaned_data["file_name"].strip()
        if not file_name.lower().endswith(".csv") or "/" in file_name or "\\" in file_name:
            raise forms.ValidationError(NOT_A_CSV)
        return file_name


@admin.register(PublishedMeasure)
class PublishedMeasureAdmin(admin.ModelAdmin):
    form = PublishedMeasureForm
    list_display = ["indicator", "file_name", "value_column", "filters", "note"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__code", "indicator__name", "file_name", "value_column"]
    list_filter = ["file_name"]
