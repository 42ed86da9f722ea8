from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import CheckedForm


class VerifyForm(CheckedForm):
    """The public verification page's upload (its bytes are checked in ``core.uploads``)."""

    file = forms.FileField(
        label=_("待核验的PDF文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
